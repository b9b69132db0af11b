/*
 * mbi_map.c: see mbi_map.h. Open addressing (linear probing) over entries that keep
 * their key in one growing byte arena (by offset: the arena may move).
 */
#include "mbi_map.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    size_t key;      /* offset in the arena */
    uint32_t hash;
    char value[13];
} entry;

struct mbi_map {
    entry *e;
    size_t n, cap;   /* entries */
    uint32_t *slot;  /* 0 empty, else entry index + 1 */
    size_t size;     /* slots: a power of two, at most half full */
    char *arena;
    size_t used, acap;
};

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

mbi_map *mbi_map_new(void)
{
    return calloc(1, sizeof(mbi_map));
}

void mbi_map_free(mbi_map *m)
{
    if (!m) return;
    free(m->e);
    free(m->slot);
    free(m->arena);
    free(m);
}

size_t mbi_map_size(const mbi_map *m)
{
    return m->n;
}

const char *mbi_map_key(const mbi_map *m, size_t i)
{
    return m->arena + m->e[i].key;
}

/* The slot of key (hash h): the one holding it, or the empty one it would take. */
static uint32_t *find(const mbi_map *m, const char *key, uint32_t h)
{
    size_t mask = m->size - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t *s = &m->slot[i];
        if (!*s) return s;
        const entry *e = &m->e[*s - 1];
        if (e->hash == h && !strcmp(m->arena + e->key, key)) return s;
    }
}

const char *mbi_map_get(const mbi_map *m, const char *key)
{
    if (!m->size) return NULL;
    uint32_t s = *find(m, key, hash(key));
    return s ? m->e[s - 1].value : NULL;
}

/* Twice the slots, the entries placed again. 0 or -ENOMEM (m unchanged). */
static int rehash(mbi_map *m)
{
    size_t size = m->size ? m->size * 2 : 1024;
    uint32_t *slot = calloc(size, sizeof *slot);
    if (!slot) return -ENOMEM;
    for (size_t i = 0; i < m->n; i++) {
        size_t j = m->e[i].hash & (size - 1);
        while (slot[j]) j = (j + 1) & (size - 1);
        slot[j] = (uint32_t)(i + 1);
    }
    free(m->slot);
    m->slot = slot;
    m->size = size;
    return 0;
}

int mbi_map_put(mbi_map *m, const char *key, const char *value)
{
    size_t kn = strlen(key), vn = strlen(value);
    if (kn > MBI_MAP_KEY_MAX || vn > 12) return -E2BIG;
    if (m->n >= UINT32_MAX - 1) return -ENOMEM;
    if ((m->n + 1) * 2 > m->size && rehash(m) < 0) return -ENOMEM;
    uint32_t h = hash(key), *s = find(m, key, h);
    if (*s) {
        memcpy(m->e[*s - 1].value, value, vn + 1);
        return 0;
    }
    if (m->n == m->cap) {
        size_t c = m->cap ? m->cap * 2 : 256;
        entry *e = realloc(m->e, c * sizeof *e);
        if (!e) return -ENOMEM;
        m->e = e;
        m->cap = c;
    }
    if (m->used + kn + 1 > m->acap) {
        size_t c = m->acap ? m->acap : 4096;
        while (c < m->used + kn + 1) c *= 2;
        char *a = realloc(m->arena, c);
        if (!a) return -ENOMEM;
        m->arena = a;
        m->acap = c;
    }
    memcpy(m->arena + m->used, key, kn + 1);
    entry *e = &m->e[m->n];
    e->key = m->used;
    e->hash = h;
    memcpy(e->value, value, vn + 1);
    m->used += kn + 1;
    *s = (uint32_t)++m->n;
    return 0;
}

int mbi_map_read(mbi_map *m, sqlite3 *db, const char *sql, size_t max, const char *what,
                 char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
        return -EIO;
    }
    int rc, held = 1;
    size_t rows = 0;
    while (held && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        int pr = !k || !v || ++rows > max ? -E2BIG : mbi_map_put(m, k, v);
        if (pr == -ENOMEM) {
            sqlite3_finalize(st);
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        held = pr == 0;
    }
    if (held && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -EIO;
    }
    sqlite3_finalize(st);
    return held;
}
