/*
 * orgs_q: reads of the organisations tables (acos, providers, aco_tins) shared by the
 * service (an aco: role names a stored ACO) and the catalog (an overlay's aco_id must be
 * an ACO of the store). orgs_w.h writes them. Explicit columns; no transaction of its own.
 */
#ifndef CARA_STORE_ORGS_Q_H
#define CARA_STORE_ORGS_Q_H

#include <stddef.h>

#include "store_conn.h"

/*
 * Whether ACO aco_id is stored in s: *found (may be NULL) is 1 when it is, else 0;
 * *total (may be NULL) is how many ACOs s holds. 0, or -EIO with err =
 * "<store path>: <SQLite's message>" (then *found and *total are 0).
 */
int orgs_q_aco_known(store *s, const char *aco_id, int *found, int *total, char *err,
                     size_t errlen);

#endif
