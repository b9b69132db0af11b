/*
 * tokens.c: see tokens.h.
 */
#include "tokens.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store__kept(s, sql, NULL, 0);
    if (!st) return fail(s, err, errlen);
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
    store__kept_done(s, st);
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

/* Run sql with n text binds (NULL binds NULL); with out, copy the first column of the
 * first row there (malloc'ed; NULL when no row or NULL). 0, -ENOMEM or -EIO. */
static int exec_text(store *s, const char *sql, int n, const char *const *binds, char **out,
                     char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (out) *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return fail(s, err, errlen);
    for (int i = 0; i < n; i++)
        if (binds[i]) sqlite3_bind_text(st, i + 1, binds[i], -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), k = 0;
    if (rc == SQLITE_ROW && out && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *out = strdup((const char *)sqlite3_column_text(st, 0));
        if (!*out) {
            if (err && errlen) snprintf(err, errlen, "out of memory");
            k = -ENOMEM;
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        k = fail(s, err, errlen);
    }
    sqlite3_finalize(st);
    return k;
}

int tokens_json(store *s, const char *token_id, char **out, char *err, size_t errlen)
{
    const char *b[1] = {token_id};
    return exec_text(s, "SELECT json_object('token_id', token_id, 'role', role, 'scope_id', "
                        "scope_id, 'label', label, 'created_at', created_at, 'created_by', "
                        "created_by, 'revoked_at', revoked_at) FROM api_tokens WHERE token_id = ?1",
                     1, b, out, err, errlen);
}

int tokens_insert(store *s, const char *token_id, const char *sha256_hex, const char *role,
                  const char *scope_id, const char *label, const char *created_at,
                  const char *created_by, char *err, size_t errlen)
{
    const char *b[7] = {token_id, sha256_hex, role, scope_id, label, created_at, created_by};
    return exec_text(s, "INSERT INTO api_tokens (token_id, sha256, role, scope_id, label, "
                        "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     7, b, NULL, err, errlen);
}

int tokens_set_revoked(store *s, const char *token_id, const char *at, char *err, size_t errlen)
{
    const char *b[2] = {token_id, at};
    return exec_text(s, "UPDATE api_tokens SET revoked_at = ?2 WHERE token_id = ?1", 2, b, NULL,
                     err, errlen);
}
