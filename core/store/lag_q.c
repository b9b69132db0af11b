/*
 * lag_q.c: see lag_q.h.
 */
#include "lag_q.h"

#include <errno.h>

#include "store_internal.h"

/* the service date as the engine places a line (bene.c): an institutional claim's
 * admission, else its start; another line's start, else its claim's */
#define MONTHS(d) "(CAST(julianday(" d ") - 2440587.5 AS INTEGER) / 7)"
static const char Q_CELLS[] =
    "SELECT c.claim_type, c.bill_type_code, " MONTHS("CASE WHEN c.claim_type = "
    "'institutional' THEN coalesce(c.admission_date, c.claim_start_date) ELSE "
    "coalesce(l.claim_line_start_date, c.claim_start_date) END") ", " MONTHS("coalesce(c.paid_date, c.claim_end_date)") ", "
    "sum(l.paid_cents) FROM claims c JOIN claim_lines l ON l.claim_id = c.claim_id "
    "WHERE c.status = 'current' AND l.denied = 0 AND coalesce(c.paid_date, c.claim_end_date) "
    "<= ?1 GROUP BY 1, 2, 3, 4";

int lag_q_cells(store *s, const char *as_of, lag_q_cell_fn fn, void *ud, char *err,
                size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, Q_CELLS, err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_text(st, 1, as_of, -1, SQLITE_TRANSIENT);
    int rc, out = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *bill = (const char *)sqlite3_column_text(st, 1);
        out = fn(ud, type ? type : "", bill ? bill : "", sqlite3_column_int(st, 2),
                 sqlite3_column_int(st, 3), sqlite3_column_int64(st, 4));
        if (out) break;
    }
    if (!out && rc != SQLITE_DONE) out = store_fail(sqlite3_db_handle(st), err, errlen,
                                                    "reading the lag triangle");
    sqlite3_finalize(st);
    return out;
}
