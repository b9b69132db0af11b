/*
 * store_w.c: see store_w_internal.h.
 */
#include "store_w_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_conn.h"

int store__w_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, char *err, size_t errlen)
{
    if (*st) return 0;
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return 0;
    snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    *st = NULL;
    return -EIO;
}

/* The field(s) a constraint message names: "... constraint failed: t.a, t.b" gives
 * "a, b" (a key of several columns); "CHECK constraint failed: col IN (...)" gives col. */
static void named_field(const char *msg, char *out, size_t len)
{
    out[0] = '\0';
    const char *p = strstr(msg, "constraint failed: ");
    if (!p) return;
    p += strlen("constraint failed: ");
    size_t o = 0;
    for (;;) {
        const char *q = p, *dot = NULL;
        while (*q == '_' || *q == '.' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
               (*q >= '0' && *q <= '9')) {
            if (*q == '.') dot = q;
            q++;
        }
        const char *from = dot ? dot + 1 : p;
        size_t n = (size_t)(q - from);
        if (n == 0 || o + n + 3 > len) break;
        if (o) {
            memcpy(out + o, ", ", 2);
            o += 2;
        }
        memcpy(out + o, from, n);
        o += n;
        out[o] = '\0';
        /* only "t.a, t.b" lists go on; a CHECK expression stops at its first word */
        if (!dot || strncmp(q, ", ", 2) != 0) break;
        p = q + 2;
    }
}

int store__w_step(sqlite3 *db, sqlite3_stmt *st, const char *fk_field, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return 0;
    }
    int ext = sqlite3_extended_errcode(db);
    const char *msg = sqlite3_errmsg(db);
    char field[64];
    named_field(msg, field, sizeof field);
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY && fk_field) snprintf(field, sizeof field, "%s", fk_field);
    if (field[0]) snprintf(err, errlen, "%s: %s", field, msg);
    else snprintf(err, errlen, "%s", msg);
    /* reset keeps the connection's message (the callers that print it say the same) */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE ? -EEXIST : -EIO;
}

static uint32_t hash_id(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int store__w_stamp(store__w *w, const char *person_id, char *err, size_t errlen)
{
    if (!person_id || !person_id[0]) return 0;
    int in_txn = !sqlite3_get_autocommit(w->db);
    size_t len = strlen(person_id);
    char *slot = NULL;
    if (in_txn && len < sizeof w->stamps->id[0]) {
        if (!w->stamps && !(w->stamps = calloc(1, sizeof *w->stamps))) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        uint64_t serial = store__txn_serial(w->s);
        if (w->stamps->serial != serial) {
            memset(w->stamps, 0, sizeof *w->stamps);
            w->stamps->serial = serial;
        }
        slot = w->stamps->id[hash_id(person_id) % STORE_W_STAMPS];
        if (!strcmp(slot, person_id)) return 0; /* stamped in this transaction */
    }
    if (!w->stamp &&
        store__w_prepare(w->db, &w->stamp, "INSERT INTO person_changes (person_id, seq) VALUES "
                         "(?1, (SELECT seq FROM change_clock)) ON CONFLICT (person_id) DO UPDATE "
                         "SET seq = excluded.seq WHERE seq <> excluded.seq", err, errlen) < 0)
        return -EIO;
    sqlite3_bind_text(w->stamp, 1, person_id, -1, SQLITE_STATIC);
    if (store__w_step(w->db, w->stamp, NULL, err, errlen) < 0) return -EIO;
    if (slot) memcpy(slot, person_id, len + 1);
    return 0;
}

void store__w_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

void store__w_text0(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

void store__w_textn(sqlite3_stmt *st, int i, const char *p, int len)
{
    if (!p) sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC);
    else sqlite3_bind_text(st, i, p, len, SQLITE_STATIC);
}

void store__w_int(sqlite3_stmt *st, int i, int has, int64_t v)
{
    if (has) sqlite3_bind_int64(st, i, v);
    else sqlite3_bind_null(st, i);
}

void store__w_finalize(sqlite3_stmt **st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_finalize(st[i]);
        st[i] = NULL;
    }
}

void *store__w_new(store *s, size_t size, const char *const *sql, size_t n, char *err,
                   size_t errlen)
{
    /* size is a multiple of the struct's alignment, at least a pointer's (store__w) */
    store__w *w = calloc(1, size + n * sizeof(sqlite3_stmt *));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->db = store_db(s);
    w->s = s;
    w->sql = sql;
    w->n = n;
    w->st = (sqlite3_stmt **)(void *)((char *)w + size);
    return w;
}

void store__w_free(void *p)
{
    store__w *w = p;
    if (!w) return;
    store__w_finalize(w->st, w->n);
    sqlite3_finalize(w->stamp);
    free(w->stamps);
    free(w);
}

sqlite3_stmt *store__w_stmt(store__w *w, int which, char *err, size_t errlen)
{
    return store__w_prepare(w->db, &w->st[which], w->sql[which], err, errlen) < 0 ? NULL
                                                                                  : w->st[which];
}
