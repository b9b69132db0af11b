/*
 * replay: `cara run --replay N`. Rebuild the episodes folder run N read (its run_files,
 * from the stored contents) in a private temporary folder, so the engine can run it
 * again with run N's options, then compare the new run's results with run N's row by
 * row. Works for any run recorded since migration 8, including runs `cara serve` made
 * from a snapshot deleted long ago.
 */
#ifndef CARA_REPLAY_H
#define CARA_REPLAY_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct replay_plan {
    int64_t of;              /* the run replayed */
    char status[12];         /* its status: done, failed, running */
    int period;              /* its --period (0: every year) */
    char *only_template;     /* owned: its --template, or NULL */
    char dir[PATH_MAX];      /* the rebuilt episodes folder ("" when none) */
    size_t n_files;
} replay_plan;

/*
 * Read run `of` and write every file it read into a new folder made by mkdtemp under
 * $TMPDIR (else /tmp), mode 0700, files 0600 created O_EXCL, each checked against its
 * hash. Returns 0 with *p filled (the caller calls replay_cleanup, which removes the
 * folder); -ENOENT when there is no such run or it stored no files (a run from before
 * schema 8), -EPROTO for a damaged store, -EIO; err names the run and the file.
 */
int replay_prepare(store *s, int64_t of, replay_plan *p, char *err, size_t errlen);

/* Remove the folder and free what p holds (safe on a zeroed or failed plan). */
void replay_cleanup(replay_plan *p);

/* The comparison of two runs' results, per table (run_episodes, run_leakage,
 * run_arrangements), every column but run_id. */
#define REPLAY_TABLES 3
extern const char *const replay_tables[REPLAY_TABLES];
typedef struct replay_cmp {
    int64_t rows_a[REPLAY_TABLES], rows_b[REPLAY_TABLES];
    int64_t only_a[REPLAY_TABLES], only_b[REPLAY_TABLES]; /* rows without an equal twin */
    int same;                 /* 1 when every table is equal row for row */
    int data_changed;         /* 1 when the store's inputs (loads, claims, ...) differ */
} replay_cmp;

/* Compare runs a and b. 0 with *out filled, or -EIO with a message. */
int replay_compare(store *s, int64_t a, int64_t b, replay_cmp *out, char *err,
                   size_t errlen);

#endif
