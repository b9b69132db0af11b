/*
 * people_q: reads of the beneficiary tables (alignment) that the loaders decide with:
 * the CCLF loader aligns a CCLF8 beneficiary only when no file alignment covers the
 * year and the beneficiary has no alignment over it (docs/input-formats.md, "Alignment
 * from CCLF8"). people_w.h writes these tables. Explicit columns; the calls run in the
 * caller's transaction, so rows written earlier in it count.
 *
 * Errors: -EIO with err = SQLite's message alone (sqlite3_errmsg of the failed call).
 */
#ifndef CARA_STORE_PEOPLE_Q_H
#define CARA_STORE_PEOPLE_Q_H

#include <stddef.h>

#include "store_conn.h"

/* *found = 1 when an alignment row loaded from a file (source 'file', alignment.csv)
 * overlaps from..to ('YYYY-MM-DD'; an open end overlaps everything after its start),
 * else 0. Prepares its statement for the call. 0 or -EIO. */
int people_q_file_aligned(store *s, const char *from, const char *to, int *found, char *err,
                          size_t errlen);

typedef struct people_q people_q;

/* Prepare the per-beneficiary reads on s; the caller owns *out (people_q_close). 0,
 * -ENOMEM, or -EIO. */
int people_q_open(store *s, people_q **out, char *err, size_t errlen);

/* Finalize the statement and free q (NULL is a no-op). */
void people_q_close(people_q *q);

/* *found = 1 when person_id has an alignment row (any source, any ACO) overlapping
 * from..to, else 0. 0 or -EIO. */
int people_q_aligned(people_q *q, const char *person_id, const char *from, const char *to,
                     int *found, char *err, size_t errlen);

#endif
