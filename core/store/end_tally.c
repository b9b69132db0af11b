/*
 * end_tally.c: see end_tally.h. An open-addressing table of (day, count), FNV-1a of the
 * day's text (util_fnv1a), grown at half full: a year of claims has a few hundred end dates.
 */
#include "end_tally.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

typedef struct slot {
    char *day; /* owned; NULL: empty */
    int64_t n;
} slot;

struct end_tally {
    slot *v;
    size_t cap, used; /* cap a power of two */
};

end_tally *end_tally_new(void)
{
    end_tally *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cap = 1024;
    t->v = calloc(t->cap, sizeof *t->v);
    if (!t->v) {
        free(t);
        return NULL;
    }
    return t;
}

/* The slot of day in v (cap slots): where it is, or the empty one it would take. */
static slot *find(slot *v, size_t cap, const char *day)
{
    size_t i = (size_t)util_fnv1a(day) & (cap - 1);
    while (v[i].day && strcmp(v[i].day, day) != 0) i = (i + 1) & (cap - 1);
    return &v[i];
}

static int grow(end_tally *t)
{
    size_t cap = t->cap * 2;
    slot *v = calloc(cap, sizeof *v);
    if (!v) return -ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].day) *find(v, cap, t->v[i].day) = t->v[i];
    free(t->v);
    t->v = v;
    t->cap = cap;
    return 0;
}

int end_tally_add(end_tally *t, const char *day, int64_t delta)
{
    if (!day) return 0;
    slot *s = find(t->v, t->cap, day);
    if (s->day) {
        s->n += delta;
        return 0;
    }
    if (2 * (t->used + 1) > t->cap) {
        if (grow(t) < 0) return -ENOMEM;
        s = find(t->v, t->cap, day);
    }
    if (!(s->day = strdup(day))) return -ENOMEM;
    s->n = delta;
    t->used++;
    return 0;
}

int end_tally_each(const end_tally *t, int (*fn)(const char *day, int64_t count, void *ud),
                   void *ud)
{
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->v[i].day || t->v[i].n == 0) continue;
        int rc = fn(t->v[i].day, t->v[i].n, ud);
        if (rc) return rc;
    }
    return 0;
}

void end_tally_free(end_tally *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->cap; i++) free(t->v[i].day);
    free(t->v);
    free(t);
}
