/*
 * cclf_stage_mem: the CCLF stage held in memory (core/store/cclf_stage.c uses it until
 * a delivery grows past its bound, then moves to the temporary tables). A pure data
 * structure: no SQLite, no I/O. Records are kept in the order they were put, indexed by
 * (file, claim) in a hash table, with the claims marked bad in a set; each list of
 * cclf_stage.h is built from them in the order and with the rows its SQL gives (see
 * LIST_SQL in cclf_stage.c), so a stage answers the same whichever way it holds them.
 *
 * Claim ids are short digit strings (CUR_CLM_UNIQ_ID is 13 digits); an id longer than
 * CCLF_MEM_ID_MAX bytes or holding a NUL byte is refused with -E2BIG, and the caller
 * moves the stage to the tables (which take any text). The memory is the owner's
 * (cclf_mem_free); rows point into it.
 */
#ifndef CARA_STORE_CCLF_STAGE_MEM_H
#define CARA_STORE_CCLF_STAGE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "cclf_stage.h"

#define CCLF_MEM_ID_MAX 23

typedef struct cclf_mem cclf_mem;

/* A new empty index, or NULL when out of memory. */
cclf_mem *cclf_mem_new(void);

/* Free m and everything its lists point at. NULL is a no-op. */
void cclf_mem_free(cclf_mem *m);

/* Add a record (cclf_stage_put's arguments; cur_id NUL-terminated, borrowed). 0,
 * -ENOMEM (m is unchanged), or -E2BIG (cur_id is not one the index holds, or the place
 * is not: fidx or len past 65,535, recno past 2^32 - 1, or a negative value). */
int cclf_mem_put(cclf_mem *m, char file, const char *cur_id, int64_t fidx, int64_t recno,
                 int64_t off, size_t len);

/* Mark the claim of cur_id's first len bytes bad (again: no change). 0, -ENOMEM or
 * -E2BIG, as cclf_mem_put. */
int cclf_mem_mark_bad(cclf_mem *m, const char *cur_id, size_t len);

/* Records held plus claims marked bad: what the caller bounds. */
size_t cclf_mem_size(const cclf_mem *m);

/* Record i (0 <= i < records, in the order put) into *row (orphan 0), and bad claim i's
 * id (in the order marked): what moving to the tables copies. */
size_t cclf_mem_records(const cclf_mem *m);
void cclf_mem_record(const cclf_mem *m, size_t i, cclf_stage_row *row);
size_t cclf_mem_bad_count(const cclf_mem *m);
const char *cclf_mem_bad(const cclf_mem *m, size_t i);

/* Start list which (file and cur_id for CCLF_STAGE_CLAIM, copied) from its first row.
 * Puts and marks after a scan started are not seen by it. 0 or -ENOMEM. */
int cclf_mem_scan(cclf_mem *m, cclf_stage_list which, char file, const char *cur_id);

/* The next row of list which into *row: 1, or 0 at the end (also when no scan is under
 * way). The row points into m until the next put or m's free. */
int cclf_mem_next(cclf_mem *m, cclf_stage_list which, cclf_stage_row *row);

/* End list which's scan (a no-op when none is under way). */
void cclf_mem_stop(cclf_mem *m, cclf_stage_list which);

#endif
