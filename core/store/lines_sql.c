/*
 * lines_sql.c: see store_internal.h (store__lines_sql_register).
 */
#include <errno.h>
#include <stdio.h>

#include "base/base.h"
#include "store_internal.h"

/* cara_lines(lines, what): over a claims.lines value, what 0 the paid cents of its priced
 * (not denied) lines, 1 their allowed cents, 2 the number of lines, 3 the number of
 * denied lines. An error names what is wrong with a value that is not packed lines. */
static void cara_lines(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    int what = sqlite3_value_int(argv[1]);
    if (!v) {
        sqlite3_result_null(cx);
        return;
    }
    pl_reader r = {0};
    pl_reader_init(&r, v, (size_t)sqlite3_value_bytes(argv[0]));
    pl_line l;
    int64_t total = 0;
    int k, over = 0;
    while ((k = pl_next(&r, &l)) == 1) {
        int64_t add = what == 0 ? (l.denied ? 0 : l.paid_cents)
                      : what == 1 ? (l.denied ? 0 : l.allowed_cents)
                      : what == 2 ? 1
                                  : (l.denied ? 1 : 0);
        if (__builtin_add_overflow(total, add, &total)) over = 1;
    }
    if (k == -1) {
        char msg[256];
        snprintf(msg, sizeof msg, "claims.lines: not packed lines: %s", r.err);
        sqlite3_result_error(cx, msg, -1);
    } else if (k < 0) {
        sqlite3_result_error_nomem(cx);
    } else if (over) {
        sqlite3_result_error(cx, "integer overflow", -1);
    } else {
        sqlite3_result_int64(cx, total);
    }
    pl_reader_free(&r);
}

int store__lines_sql_register(sqlite3 *db)
{
    return sqlite3_create_function(db, "cara_lines", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   cara_lines, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}
