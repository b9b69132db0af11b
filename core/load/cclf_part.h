/*
 * cclf_part: a CCLF delivery's stage in partitions (core/load/load_cclf.c). A delivery
 * with more claim-file records than the stage holds in memory (CCLF_STAGE_MEM_RECORDS)
 * stages each record's place (its file, number, offset and length, not its bytes: the
 * loader keeps the files mapped) and each mark of a bad claim into one of a few
 * partitions by its claim id's hash, on disk (xsort.h, in the order staged), and then
 * assembles the partitions one at a time, each from an in-memory stage of its own
 * (cclf_stage.h) holding a partition's records only. A claim's records all share its
 * claim id, so each claim lies whole in one partition, with its records in file
 * order; the memory the stage takes is a partition's, however large the delivery.
 *
 * Errors: 0 (or 1 as said), else a negative errno-style code with the reason in err.
 */
#ifndef CARA_LOAD_CCLF_PART_H
#define CARA_LOAD_CCLF_PART_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "store/store.h"

/* The most partitions a delivery is cut into (past 64 bounds' worth of records, each
 * partition's stage moves to its tables, cclf_stage.h). */
#define CCLF_PARTS_MAX 64

/* The partitions for a delivery of at most `most` claim-file records and a stage of
 * `bound` records: 1 (no partitions) up to the bound, else enough that each holds
 * about four fifths of a bound (at most CCLF_PARTS_MAX). */
size_t part_count(uint64_t most, size_t bound);

/* n empty partitions into *out (the caller's: part_close). 0 or -ENOMEM. */
int part_open(size_t n, struct xsort ***out, char *err, size_t errlen);
void part_close(struct xsort **v, size_t n);

/* Stage a record (cclf_stage_put's arguments; cur_id its first id_len bytes, at most
 * 23) or, with bad, a mark of claim cur_id bad (cclf_stage_mark_bad's), into its claim's
 * partition of v[0..n). 0 or a negative code (-E2BIG for a longer id). */
int part_put(struct xsort **v, size_t n, char file, const char *cur_id, size_t id_len,
             int64_t fidx, int64_t recno, int64_t off, size_t len, int bad, char *err,
             size_t errlen);

/* Partition part's records and marks, in the order staged, into a new stage of `bound`
 * records in memory for store s (cclf_stage_open) in *out (the caller's). */
int part_stage(struct xsort *part, store *s, size_t bound, cclf_stage **out, char *err,
               size_t errlen);

/* A sort of collateral rows (CCLF_STAGE_COLLATERAL's) into file order (by fidx, recno),
 * for the partitions' lists merged: open, put each row, then read them back (1 with a
 * row whose cur_id is valid until the next call, 0 past the last). */
int part_collateral_open(struct xsort **out, char *err, size_t errlen);
int part_collateral_put(struct xsort *s, const cclf_stage_row *r, char *err, size_t errlen);
int part_collateral_next(struct xsort *s, cclf_stage_row *r, char *err, size_t errlen);

#endif
