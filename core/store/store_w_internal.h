/*
 * store_w_internal.h: what the store's writers (claims_w, people_w, orgs_w,
 * arrangements_w) share: lazily prepared statements, binding helpers, and the step that
 * turns a refusal into a message naming the field. Private to core/store/.
 */
#ifndef CARA_STORE_W_INTERNAL_H
#define CARA_STORE_W_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* *st prepared from sql on first use (kept until the writer closes). 0, or -EIO with
 * the store's message in err. */
int store__w_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, char *err, size_t errlen);

/*
 * Step st once, then reset it and clear its bindings. Returns 0 (SQLITE_DONE, or
 * SQLITE_ROW), -EEXIST when a PRIMARY KEY or UNIQUE constraint refused the row, -EIO for
 * any other refusal. On failure err is "FIELD: MESSAGE" when the refusal names a column
 * (NOT NULL, CHECK, UNIQUE, PRIMARY KEY: "table.column" or the CHECK's first word; a
 * FOREIGN KEY failure names fk_field, which may be NULL) and "MESSAGE" otherwise, where
 * MESSAGE is SQLite's; the connection's sqlite3_errmsg stays SQLite's message alone.
 */
int store__w_step(sqlite3 *db, sqlite3_stmt *st, const char *fk_field, char *err, size_t errlen);

/* Text parameter i (borrowed until the step): NULL binds NULL. */
void store__w_text(sqlite3_stmt *st, int i, const char *v);
/* Text parameter i for a NOT NULL DEFAULT '' column: NULL binds ''. */
void store__w_text0(sqlite3_stmt *st, int i, const char *v);
/* len bytes of p (not NUL-terminated; len < 0: up to the NUL); p NULL binds ''. */
void store__w_textn(sqlite3_stmt *st, int i, const char *p, int len);
/* An INTEGER parameter that may be absent (has 0 binds NULL). */
void store__w_int(sqlite3_stmt *st, int i, int has, int64_t v);

/* Finalize n statements and set them NULL. */
void store__w_finalize(sqlite3_stmt **st, size_t n);

#endif
