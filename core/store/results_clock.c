/*
 * results_clock.c: see results_clock.h.
 */
#include "results_clock.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>

int results_clock(store *s, int64_t *out, char *err, size_t errlen)
{
    *out = 0;
    sqlite3_stmt *st = store__kept(s, "SELECT n FROM results_clock WHERE id = 1", err, errlen);
    if (!st) return -EIO;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    else store_fail(sqlite3_db_handle(st), err, errlen, "reading the results clock");
    store__kept_done(s, st);
    return rc == SQLITE_ROW ? 0 : -EIO;
}
