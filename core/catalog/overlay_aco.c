/*
 * overlay_aco.c: see overlay_aco.h.
 */
#include "overlay_aco.h"

#include <stdio.h>

int overlay_check_aco(store *s, const char *aco_id, cara_diag *d, char *err, size_t errlen)
{
    if (!aco_id) return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), "SELECT (SELECT count(*) FROM acos WHERE aco_id = ?1), "
                           "(SELECT count(*) FROM acos)", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", store_path(s), sqlite3_errmsg(store_db(s)));
        return -1;
    }
    sqlite3_bind_text(st, 1, aco_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        snprintf(err, errlen, "%s: %s", store_path(s), sqlite3_errmsg(store_db(s)));
        sqlite3_finalize(st);
        return -1;
    }
    int found = sqlite3_column_int(st, 0) > 0, total = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    if (found) return 0;
    diag_add(d, "aco_id", "\"%s\" is not an ACO of the store %s (%d ACO%s; 'cara aco list' lists "
             "them, 'cara aco add' or acos.csv adds one)", aco_id, store_path(s), total,
             total == 1 ? "" : "s");
    return 1;
}
