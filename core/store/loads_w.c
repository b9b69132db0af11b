/*
 * loads_w.c: see loads_w.h.
 */
#include "loads_w.h"

#include <errno.h>
#include <stdio.h>

#include "audit.h"

static int failed(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -EIO;
}

/* 1 when a row of "SELECT 1 FROM loads WHERE kind = ?1 AND rejected = 0 AND <where>"
 * exists, ?2 bound to text (when not NULL) or else to number; 0 when none; -EIO. */
static int any_load(store *s, const char *where, const char *kind, const char *text,
                    int64_t number, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    char sql[192];
    snprintf(sql, sizeof sql, "SELECT 1 FROM loads WHERE kind = ?1 AND rejected = 0 AND %s "
             "LIMIT 1", where);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return failed(db, NULL, err, errlen);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    if (text) sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    else sqlite3_bind_int64(st, 2, number);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failed(db, st, err, errlen);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

int loads_w_seen(store *s, const char *sha, const char *kind, char *err, size_t errlen)
{
    if (!sha || !*sha) return 0; /* no hash: a load whose hash is still being computed */
    return any_load(s, "sha256 = ?2", kind, sha, 0, err, errlen);
}

int loads_w_maybe_seen(store *s, const char *kind, int64_t bytes, char *err, size_t errlen)
{
    return any_load(s, "(bytes IS NULL OR bytes = ?2)", kind, NULL, bytes, err, errlen);
}

int loads_w_begin(store *s, const char *path, const char *kind, const char *sha,
                  int64_t bytes, int64_t *id, char at[32], char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    audit_now(at);
    if (sqlite3_prepare_v2(db, "INSERT INTO loads (path, kind, sha256, rows, loaded_at, bytes) "
                               "VALUES (?1, ?2, ?3, 0, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
        return failed(db, NULL, err, errlen);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
    if (bytes >= 0) sqlite3_bind_int64(st, 5, bytes);
    if (sqlite3_step(st) != SQLITE_DONE) return failed(db, st, err, errlen);
    sqlite3_finalize(st);
    *id = sqlite3_last_insert_rowid(db);
    return 0;
}

int loads_w_sha(store *s, int64_t id, const char *sha, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE loads SET sha256 = ?2 WHERE load_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return failed(db, NULL, err, errlen);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) return failed(db, st, err, errlen);
    sqlite3_finalize(st);
    return 0;
}

int loads_w_counts(store *s, int64_t id, int64_t rows, int64_t rejected, int64_t warnings,
                   char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE loads SET rows = coalesce(?2, rows), rejected = ?3, "
                               "warnings = ?4 WHERE load_id = ?1", -1, &st, NULL) != SQLITE_OK)
        return failed(db, NULL, err, errlen);
    sqlite3_bind_int64(st, 1, id);
    if (rows >= 0) sqlite3_bind_int64(st, 2, rows);
    sqlite3_bind_int64(st, 3, rejected);
    sqlite3_bind_int64(st, 4, warnings);
    if (sqlite3_step(st) != SQLITE_DONE) return failed(db, st, err, errlen);
    sqlite3_finalize(st);
    return 0;
}

int loads_w_audit(store *s, int64_t id, const char *path, const char *kind, const char *sha,
                  const char *at, const char *actor, int64_t rows, char *err, size_t errlen)
{
    /* what json_object('load_id', id, 'sha256', sha[, 'rows', rows]) gives: the hash is
     * lowercase hex, nothing to escape */
    char after[160];
    if (rows >= 0)
        snprintf(after, sizeof after, "{\"load_id\":%lld,\"sha256\":\"%s\",\"rows\":%lld}",
                 (long long)id, sha, (long long)rows);
    else
        snprintf(after, sizeof after, "{\"load_id\":%lld,\"sha256\":\"%s\"}", (long long)id, sha);
    audit_row r = {.at = at, .actor = actor, .action = "load", .entity = kind,
                   .entity_id = path, .after = after};
    return audit_append(s, &r, err, errlen) < 0 ? -EIO : 0;
}
