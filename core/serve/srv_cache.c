/*
 * srv_cache.c: see srv_cache.h. A small array searched by hash then key: a few hundred
 * entries, each a report or a count.
 */
#include "srv_cache.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/base.h"

typedef struct entry {
    uint64_t hash;
    char *key;
    char *text;
    size_t len;
    int64_t clock, aux;
    uint64_t used; /* the tick of its last get or put */
} entry;

struct srv_cache {
    uv_mutex_t lock;
    uv_mutex_t computing[SRV_CACHE_LOCKS]; /* srv_cache_lock */
    entry e[SRV_CACHE_ENTRIES];
    int n;
    size_t bytes;
    uint64_t tick;
};

srv_cache *srv_cache_new(void)
{
    srv_cache *c = calloc(1, sizeof *c);
    if (c && uv_mutex_init(&c->lock) != 0) {
        free(c);
        return NULL;
    }
    for (int i = 0; c && i < SRV_CACHE_LOCKS; i++)
        if (uv_mutex_init(&c->computing[i]) != 0) {
            while (i-- > 0) uv_mutex_destroy(&c->computing[i]);
            uv_mutex_destroy(&c->lock);
            free(c);
            return NULL;
        }
    return c;
}

static void drop(srv_cache *c, int i)
{
    c->bytes -= c->e[i].len + strlen(c->e[i].key);
    free(c->e[i].key);
    free(c->e[i].text);
    c->e[i] = c->e[--c->n];
}

void srv_cache_free(srv_cache *c)
{
    if (!c) return;
    while (c->n) drop(c, c->n - 1);
    uv_mutex_destroy(&c->lock);
    for (int i = 0; i < SRV_CACHE_LOCKS; i++) uv_mutex_destroy(&c->computing[i]);
    free(c);
}

static int find(srv_cache *c, const char *key, uint64_t h)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].hash == h && !strcmp(c->e[i].key, key)) return i;
    return -1;
}

char *srv_cache_get(srv_cache *c, const char *key, int64_t clock, size_t *len, int64_t *aux)
{
    if (!c) return NULL;
    uint64_t h = util_fnv1a(key);
    char *out = NULL;
    uv_mutex_lock(&c->lock);
    int i = find(c, key, h);
    if (i >= 0 && c->e[i].clock != clock) {
        drop(c, i);
    } else if (i >= 0 && (out = malloc(c->e[i].len + 1))) {
        memcpy(out, c->e[i].text, c->e[i].len + 1);
        *len = c->e[i].len;
        *aux = c->e[i].aux;
        c->e[i].used = ++c->tick;
    }
    uv_mutex_unlock(&c->lock);
    return out;
}

void srv_cache_put(srv_cache *c, const char *key, int64_t clock, const char *text, size_t len,
                   int64_t aux)
{
    if (!c || len > SRV_CACHE_BYTES / 8) return;
    char *k = strdup(key), *t = malloc(len + 1);
    if (!k || !t) {
        free(k);
        free(t);
        return;
    }
    memcpy(t, text, len);
    t[len] = '\0';
    uint64_t h = util_fnv1a(key);
    size_t need = len + strlen(key);
    uv_mutex_lock(&c->lock);
    int i = find(c, key, h);
    if (i >= 0) drop(c, i);
    while (c->n > 0 && (c->n == SRV_CACHE_ENTRIES || c->bytes + need > SRV_CACHE_BYTES)) {
        int old = 0;
        for (int j = 1; j < c->n; j++)
            if (c->e[j].used < c->e[old].used) old = j;
        drop(c, old);
    }
    c->e[c->n++] = (entry){h, k, t, len, clock, aux, ++c->tick};
    c->bytes += need;
    uv_mutex_unlock(&c->lock);
}

int srv_cache_key(char *buf, size_t len, const char *const *parts, size_t n)
{
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i] ? parts[i] : "\x1e";
        size_t l = strlen(p);
        if (off + l + 2 > len) return -1;
        if (parts[i] && strpbrk(p, "\x1e\x1f")) return -1; /* keys stay unambiguous */
        if (i) buf[off++] = '\x1f';
        memcpy(buf + off, p, l);
        off += l;
    }
    if (off + 1 > len) return -1;
    buf[off] = '\0';
    return 0;
}

void srv_cache_lock(srv_cache *c, const char *key)
{
    if (c) uv_mutex_lock(&c->computing[util_fnv1a(key) % SRV_CACHE_LOCKS]);
}

void srv_cache_unlock(srv_cache *c, const char *key)
{
    if (c) uv_mutex_unlock(&c->computing[util_fnv1a(key) % SRV_CACHE_LOCKS]);
}
