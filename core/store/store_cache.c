/*
 * store_cache.c: see store_internal.h (store__cache_raise, store__cache_restore).
 */
#include <stdio.h>

#include "store_internal.h"

int64_t store__cache_raise(sqlite3 *db, const char *schema, int kib)
{
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA %s.cache_size", schema);
    sqlite3_stmt *st = NULL;
    int64_t before = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        before = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* negative: KiB; positive: pages (of the schema's page size, 4 KiB here) */
    int64_t have = before < 0 ? -before : before * 4;
    if (!before || have >= kib) return 0;
    snprintf(sql, sizeof sql, "PRAGMA %s.cache_size = -%d", schema, kib);
    sqlite3_exec(db, sql, NULL, NULL, NULL); /* a hint: its failure changes nothing */
    return before;
}

void store__cache_restore(sqlite3 *db, const char *schema, int64_t before)
{
    if (!before) return;
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA %s.cache_size = %lld", schema, (long long)before);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
}
