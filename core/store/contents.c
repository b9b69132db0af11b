/*
 * contents.c: see contents.h.
 */
#include "contents.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store_internal.h"

int store__content_put(sqlite3 *db, const char *sha256, const void *bytes, size_t len,
                       char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO contents (sha256, size, bytes) "
                               "VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "storing content %.12s: %s", sha256, sqlite3_errmsg(db));
        return -EIO;
    }
    /* SQLITE_STATIC: no copy, nothing to run out of */
    int rc = sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
    if (rc == SQLITE_OK) rc = sqlite3_bind_blob64(st, 3, len ? bytes : "", len, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "storing content %.12s: %s", sha256, sqlite3_errmsg(db));
        return -EIO;
    }
    return 0;
}

int content_put(store *s, const char *sha256, const void *bytes, size_t len, char *err,
                size_t errlen)
{
    return store__content_put(store_db(s), sha256, bytes, len, err, errlen);
}

int content_get(store *s, const char *sha256, char **bytes, size_t *len, char *err,
                size_t errlen)
{
    sqlite3 *db = store_db(s);
    *bytes = NULL;
    *len = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT bytes FROM contents WHERE sha256 = ?1", -1, &st, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "reading content %.12s: %s", sha256, sqlite3_errmsg(db));
        return -EIO;
    }
    /* SQLITE_STATIC: no copy, nothing to run out of */
    int rc = sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE) snprintf(err, errlen, "no content stored for sha256 %s", sha256);
        else snprintf(err, errlen, "reading content %.12s: %s", sha256, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? -ENOENT : -EIO;
    }
    const void *b = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    if (!b && n == 0 && sqlite3_errcode(db) == SQLITE_NOMEM) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "reading content %.12s: out of memory", sha256);
        return -ENOMEM;
    }
    char *p = malloc(n + 1);
    if (!p) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "reading content %.12s: out of memory", sha256);
        return -ENOMEM;
    }
    if (n) memcpy(p, b, n);
    p[n] = '\0';
    sqlite3_finalize(st);
    char hex[65];
    sha256_hex(p, n, hex);
    if (strcmp(hex, sha256) != 0) {
        free(p);
        snprintf(err, errlen, "the content stored for sha256 %s hashes to %s (the store is "
                              "damaged)", sha256, hex);
        return -EPROTO;
    }
    *bytes = p;
    *len = n;
    return 0;
}

int content_is_sha256(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return 0;
    return n == 64;
}

int content_safe_relpath(const char *p)
{
    size_t n = p ? strlen(p) : 0, seg = 0, depth = 1;
    if (n == 0 || n > 512 || p[0] == '/') return 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = p[i];
        if (ch == '/' || ch == '\0') {
            if (seg == 0) return 0;
            if ((seg == 1 && p[i - 1] == '.') || (seg == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
                return 0;
            if (ch == '/' && ++depth > 8) return 0;
            seg = 0;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == '.' || ch == '_' || ch == '-') {
            seg++;
        } else {
            return 0;
        }
    }
    return 1;
}
