/*
 * xsort: records (byte strings) put one at a time and read back sorted, in bounded
 * memory: while the records put fit the budget they stay in memory; past it each
 * budget's worth is sorted and written to an unnamed temporary file as a run, and the
 * reads merge the runs (as SQLite's sorter does for ORDER BY). Without a comparison
 * the records come back in the order they were put, and the sorter is a log on disk
 * of bounded memory.
 *
 * The sort is stable: records that compare equal come back in the order they were put.
 * A record is copied in, and read back into memory aligned for any type (8 bytes);
 * the owner's fix callback is called on every record once it lies where a comparison
 * or a read will see it (at its put, and each time it is read back from the file), so
 * records that point into themselves (a struct followed by its strings) may set their
 * pointers there. Records are at most XSORT_RECORD_MAX bytes.
 *
 * One sorter is used by one thread; all its puts come before its reads (the first
 * xsort_next ends the puts). Errors: 0 or 1 as each call says, else a negative
 * errno-style code with the reason in err, naming `what` (the owner's words for what
 * it sorts) and the folder for a failure of the file.
 */
#ifndef CARA_BASE_XSORT_H
#define CARA_BASE_XSORT_H

#include <stddef.h>
#include <stdint.h>

#define XSORT_RECORD_MAX (16u << 20)

/* The least budget a sorter takes (a smaller one is raised to it): one record per run
 * at most, which the tests use to make every record a run of its own. */
#define XSORT_BUDGET_MIN 1

/* <0, 0, >0 as a sorts before, with, after b (records as put, after fix). */
typedef int (*xsort_cmp)(const void *a, const void *b, void *ud);
/* Called on a record (len bytes at rec) wherever it was placed: see above. */
typedef void (*xsort_fix)(void *rec, size_t len, void *ud);

typedef struct xsort xsort;

/* A new, empty sorter into *out: runs go to an unnamed file in folder dir (made at the
 * first run written; dir NULL or "": $TMPDIR, else /tmp); budget is the bytes of
 * records (and their index) held in memory before a run is written; cmp NULL keeps the
 * order of the puts; fix may be NULL; ud goes to both. what is copied. 0 or -ENOMEM. */
int xsort_open(xsort **out, const char *dir, const char *what, size_t budget, xsort_cmp cmp,
               xsort_fix fix, void *ud, char *err, size_t errlen);

/* Copy in a record of len bytes (0 < len <= XSORT_RECORD_MAX). 0, -EINVAL (after the
 * reads began, or a bad length), -ENOMEM, or a failure writing a run (-ENOSPC, ...). */
int xsort_put(xsort *s, const void *rec, size_t len, char *err, size_t errlen);

/* The next record in order into *rec and *len: 1, 0 past the last, or a negative code.
 * *rec is the sorter's, valid until the next call on s; it may be read, not changed.
 * The first call ends the puts. */
int xsort_next(xsort *s, const void **rec, size_t *len, char *err, size_t errlen);

/* Read from the first record again (the next xsort_next returns it). 0 or a negative
 * code. Ends the puts too. */
int xsort_rewind(xsort *s, char *err, size_t errlen);

/* 1 once the reads began (no more puts), else 0. */
int xsort_reading(const xsort *s);

/* The records put, the runs written to the file and the bytes the file holds. */
size_t xsort_count(const xsort *s);
size_t xsort_runs(const xsort *s);
int64_t xsort_disk_bytes(const xsort *s);

/* Free s and close its file (which goes with it). NULL is a no-op. */
void xsort_close(xsort *s);

#endif
