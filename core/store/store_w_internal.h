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

/* What every writer object starts with: its connection and its statements, each
 * prepared from sql[i] on first use. */
/* The beneficiaries a writer stamped in person_changes in its current transaction
 * (store__w_stamp): a direct-mapped cache, so that a load stamps each beneficiary about
 * once per transaction, not once per claim. */
#define STORE_W_STAMPS 4096
typedef struct store__w_stamps {
    uint64_t serial;                 /* the transaction (store__txn_serial) they were for */
    char id[STORE_W_STAMPS][68];     /* "" = empty slot */
} store__w_stamps;

typedef struct store__w {
    sqlite3 *db;
    struct store *s;
    store__w_stamps *stamps;        /* allocated on the first stamp */
    sqlite3_stmt *stamp;            /* the stamp's statement */
    const char *const *sql; /* n texts, static */
    size_t n;
    sqlite3_stmt **st;      /* n statements, NULL until first used */
} store__w;

typedef struct store store;

/* A zeroed writer object of `size` bytes (a struct whose first member is a store__w)
 * on s's connection, with room for n statements (sql: n static texts). The caller owns
 * it (store__w_free). NULL when out of memory (err says so). */
void *store__w_new(store *s, size_t size, const char *const *sql, size_t n, char *err,
                   size_t errlen);
/* Finalize a writer object's statements and free it; NULL is a no-op. */
void store__w_free(void *w);
/* Statement `which` of w, prepared on first use; NULL with err set. */
sqlite3_stmt *store__w_stmt(store__w *w, int which, char *err, size_t errlen);

/* Stamp person_id in person_changes with the change clock's value (changes_q.h), in
 * the caller's transaction; once per transaction and person unless the cache forgot it
 * (outside an explicit transaction, every call stamps). 0, or -EIO with err. */
int store__w_stamp(store__w *w, const char *person_id, char *err, size_t errlen);

/* store_conn.c: a counter that moves at every begin, commit and rollback of s. */
uint64_t store__txn_serial(const struct store *s);

/* Finalize n statements and set them NULL. */
void store__w_finalize(sqlite3_stmt **st, size_t n);

#endif
