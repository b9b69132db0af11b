/*
 * orgs_q.c: see orgs_q.h.
 */
#include "orgs_q.h"

#include <errno.h>

int orgs_q_aco_known(store *s, const char *aco_id, int *found, int *total, char *err,
                     size_t errlen)
{
    if (found) *found = 0;
    if (total) *total = 0;
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM acos WHERE aco_id = ?1), "
                               "(SELECT count(*) FROM acos)", -1, &st, NULL) != SQLITE_OK)
        return store_fail(db, err, errlen, "%s", store_path(s));
    int rc = sqlite3_bind_text(st, 1, aco_id, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_fail(db, err, errlen, "%s", store_path(s));
        sqlite3_finalize(st);
        return -EIO;
    }
    if (found) *found = sqlite3_column_int(st, 0) > 0;
    if (total) *total = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    return 0;
}
