/*
 * tokens.c: see tokens.h.
 */
#include "tokens.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_COLUMNS "token_id, role, scope_id, revoked_at"

static int fail(store *s, char *err, size_t errlen)
{
    if (err && errlen) snprintf(err, errlen, "%s: %s", store_path(s), sqlite3_errmsg(store_db(s)));
    return -EIO;
}

static void copy(char *dst, size_t len, const unsigned char *src)
{
    snprintf(dst, len, "%s", src ? (const char *)src : "");
}

/* One token row by the text key ?1 of where ("sha256 = ?1" or "token_id = ?1"). */
static int one(store *s, const char *sql, const char *key, tokens_row *out, char *err,
               size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return fail(s, err, errlen);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), n;
    if (rc == SQLITE_ROW) {
        copy(out->token_id, sizeof out->token_id, sqlite3_column_text(st, 0));
        copy(out->role, sizeof out->role, sqlite3_column_text(st, 1));
        copy(out->scope_id, sizeof out->scope_id, sqlite3_column_text(st, 2));
        out->revoked = sqlite3_column_type(st, 3) != SQLITE_NULL;
        copy(out->revoked_at, sizeof out->revoked_at, sqlite3_column_text(st, 3));
        n = 1;
    } else {
        n = rc == SQLITE_DONE ? 0 : fail(s, err, errlen);
    }
    sqlite3_finalize(st);
    return n;
}

int tokens_by_hash(store *s, const char *sha256_hex, tokens_row *out, char *err, size_t errlen)
{
    return one(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE sha256 = ?1", sha256_hex, out,
               err, errlen);
}

int tokens_by_id(store *s, const char *token_id, tokens_row *out, char *err, size_t errlen)
{
    return one(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE token_id = ?1", token_id, out,
               err, errlen);
}

int tokens_list(store *s, store_row_fn fn, void *ud, char *err, size_t errlen)
{
    /* never the hashes */
    return store_rows(s, "SELECT token_id, role, scope_id AS scope, label, created_at, "
                         "created_by, revoked_at FROM api_tokens ORDER BY created_at, token_id",
                      0, NULL, fn, ud, err, errlen);
}
