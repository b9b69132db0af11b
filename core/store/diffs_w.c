/*
 * diffs_w.c: see diffs_w.h.
 */
#include "diffs_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

int diffs_w_get(store *s, int64_t a, int64_t b, char **out, int *attribution, char *err,
                size_t errlen)
{
    *out = NULL;
    *attribution = 0;
    sqlite3_stmt *st = store__prepare(s, "SELECT rows, attribution_rows FROM run_diffs WHERE "
                                         "run_a = ?1 AND run_b = ?2", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st), got = 0;
    if (rc == SQLITE_ROW) {
        *out = strdup(store__col(st, 0));
        *attribution = sqlite3_column_int(st, 1);
        got = 1;
        if (!*out) {
            if (err && errlen) snprintf(err, errlen, "out of memory");
            got = -ENOMEM;
        }
    } else if (rc != SQLITE_DONE) {
        got = store_fail(sqlite3_db_handle(st), err, errlen, "reading a stored diff");
    }
    sqlite3_finalize(st);
    return got;
}

int diffs_w_put(store *s, int64_t a, int64_t b, const char *rows, int attribution, char *err,
                size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, "INSERT OR REPLACE INTO run_diffs (run_a, run_b, "
                                         "computed_at, attribution_rows, rows) VALUES (?1, ?2, "
                                         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?3, ?4)",
                                      err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_int(st, 3, attribution);
    sqlite3_bind_text(st, 4, rows, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? 0
                 : store_fail(sqlite3_db_handle(st), err, errlen, "keeping a diff");
    sqlite3_finalize(st);
    return rc;
}
