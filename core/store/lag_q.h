/*
 * lag_q: the cells of the lag triangle (engine lag.h): paid cents of current, paid claim
 * lines by claim type, bill type, service month and paid month, over the claims paid on
 * or before a date (a claim without a paid date counts as paid on its thru date).
 */
#ifndef CARA_LAG_Q_H
#define CARA_LAG_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* Called once per cell: months are year * 12 + month - 1; bill_type "" when none.
 * Non-zero stops the scan (returned). */
typedef int (*lag_q_cell_fn)(void *ud, const char *claim_type, const char *bill_type,
                             int service_month, int paid_month, int64_t cents);

/* Every cell for claims paid on or before as_of ('YYYY-MM-DD'). 0, the callback's
 * non-zero value, or -EIO with a message. */
int lag_q_cells(store *s, const char *as_of, lag_q_cell_fn fn, void *ud, char *err,
                size_t errlen);

#endif
