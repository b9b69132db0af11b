/*
 * engine_hot.c: a run's episodes compacted as they are priced (engine__spill_compact,
 * engine_internal.h): what the run still reads of each stays in memory (ep_hot), the
 * rest goes to a spill file (ep_spill.h), so that a run's memory is a small record per
 * episode whatever its other fields and leakage rows hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine_internal.h"
#include "ep_spill.h"

void engine__leak_free(leak_rec *l)
{
    free(l->episode_id);
    free(l->aco_id);
    free(l->npi);
    free(l->tin);
}

void engine__ep_free(ep_rec *r)
{
    free(r->episode_id);
    free(r->person_id);
    free(r->aco_id);
    free(r->exclusion);
    free(r->trigger_claim);
}

/* A block of the arena's strings; chunks are chained from the newest. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char data[];
} arena_chunk;

#define ARENA_CHUNK (64 * 1024)

char *engine__arena_alloc(run_data *rd, size_t n)
{
    arena_chunk *c = rd->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        arena_chunk *nc = malloc(sizeof *nc + cap);
        if (!nc) return NULL;
        nc->next = c;
        nc->used = 0;
        nc->cap = cap;
        rd->arena = c = nc;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

void engine__arena_free(run_data *rd)
{
    for (arena_chunk *c = rd->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    rd->arena = NULL;
}

void engine__arena_take(run_data *dst, run_data *src)
{
    if (!src->arena) return;
    arena_chunk *tail = src->arena;
    while (tail->next) tail = tail->next;
    tail->next = dst->arena;
    dst->arena = src->arena;
    src->arena = NULL;
}

static int grow_hot(run_data *rd)
{
    if (rd->n_hot < rd->cap_hot) return 0;
    size_t cap = rd->cap_hot ? rd->cap_hot * 2 : 1024;
    ep_hot *v = realloc(rd->hot, cap * sizeof *v);
    if (!v) return -ENOMEM;
    rd->hot = v;
    if (rd->lag) { /* cap_hot moves only once both have grown */
        ep_dev *d = realloc(rd->dev, cap * sizeof *d);
        if (!d) return -ENOMEM;
        rd->dev = d;
    }
    rd->cap_hot = cap;
    return 0;
}

/* The id pricing makes of episode (tmpl, person, day0) into buf; its length, or
 * HOT_ID_MAX or more when it does not fit (the id is then its own). */
static size_t made_id(const catalog_entry *ce, const char *person, cara_date day0,
                      char buf[HOT_ID_MAX])
{
    char day[11];
    date_format(day0, day);
    int n = snprintf(buf, HOT_ID_MAX, "%s:%s:%s", template_id(ce->tmpl), person, day);
    return n < 0 ? HOT_ID_MAX : (size_t)n;
}

const char *hot_episode_id(const ep_hot *h, char buf[HOT_ID_MAX])
{
    if (h->own_id) return h->ids;
    made_id(h->tmpl, h->ids, h->day0, buf);
    return buf;
}

/* The bytes of an id as pieces: template, ':', person, ':', day (or the whole own id). */
typedef struct id_parts {
    const char *p[5];
    char day[11];
} id_parts;

static void parts_of(const ep_hot *h, id_parts *v)
{
    if (h->own_id) {
        v->p[0] = h->ids;
        v->p[1] = v->p[2] = v->p[3] = v->p[4] = "";
        return;
    }
    date_format(h->day0, v->day);
    v->p[0] = template_id(h->tmpl->tmpl);
    v->p[1] = v->p[3] = ":";
    v->p[2] = h->ids;
    v->p[4] = v->day;
}

int hot_id_cmp(const ep_hot *a, const ep_hot *b)
{
    if (!a->own_id && !b->own_id && a->tmpl == b->tmpl) {
        /* the same template: person ':' day against person ':' day */
        const unsigned char *x = (const unsigned char *)a->ids, *y = (const unsigned char *)b->ids;
        if (x == y || !strcmp(a->ids, b->ids))
            return a->day0 == b->day0 ? 0 : a->day0 < b->day0 ? -1 : 1; /* YYYY-MM-DD */
        while (*x && *x == *y) x++, y++;
        unsigned c = *x ? *x : ':', d = *y ? *y : ':';
        if (c != d) return c < d ? -1 : 1;
        /* one person's id ends where the other's has a ':': compare on, piece by piece */
    }
    id_parts u, v;
    parts_of(a, &u);
    parts_of(b, &v);
    int i = 0, j = 0;
    const unsigned char *x = (const unsigned char *)u.p[0], *y = (const unsigned char *)v.p[0];
    for (;;) {
        while (!*x && i < 4) x = (const unsigned char *)u.p[++i];
        while (!*y && j < 4) y = (const unsigned char *)v.p[++j];
        if (*x != *y) return *x < *y ? -1 : 1;
        if (!*x) return 0;
        x++, y++;
    }
}

static const char *const STATUS[] = {NULL, "", "final", "interim", "excluded"};

const char *hot_status(unsigned char code)
{
    return code < sizeof STATUS / sizeof STATUS[0] ? STATUS[code] : NULL;
}

int hot_code(const char *status)
{
    if (!status) return 0;
    for (int i = 1; i < (int)(sizeof STATUS / sizeof STATUS[0]); i++)
        if (!strcmp(status, STATUS[i])) return i;
    return -1;
}

/* -ENOMEM, or -EPROTO for a status that is none of the engine's. */
static int add_hot(run_data *rd, const ep_rec *r)
{
    int st = hot_code(r->status), cst = hot_code(r->carried_status);
    if (st < 0 || cst < 0) return -EPROTO;
    if (grow_hot(rd) < 0) return -ENOMEM;
    char made[HOT_ID_MAX];
    size_t m = r->tmpl ? made_id(r->tmpl, r->person_id, r->day0, made) : HOT_ID_MAX;
    int own = !r->tmpl || m >= HOT_ID_MAX - 1 || strcmp(made, r->episode_id) != 0;
    char *ids = NULL;
    const ep_hot *prev = rd->n_hot ? &rd->hot[rd->n_hot - 1] : NULL;
    if (!own && prev && !strcmp(hot_person_id(prev), r->person_id)) {
        ids = (char *)hot_person_id(prev); /* the same beneficiary's: one copy */
    } else {
        size_t a = own ? strlen(r->episode_id) + 1 : 0, b = strlen(r->person_id) + 1;
        if (!(ids = engine__arena_alloc(rd, a + b))) return -ENOMEM;
        if (own) memcpy(ids, r->episode_id, a);
        memcpy(ids + a, r->person_id, b);
    }
    ep_hot *h = &rd->hot[rd->n_hot];
    memset(h, 0, sizeof *h);
    h->ids = ids;
    h->own_id = (unsigned char)own;
    h->tmpl = r->tmpl;
    h->arr = r->arr;
    h->target = r->target;
    h->actual = r->actual;
    h->winsorized = r->winsorized;
    h->carried_winsorized = r->carried_winsorized;
    h->day0 = r->day0;
    h->end = r->end;
    h->status = (unsigned char)st;
    h->carried_status = (unsigned char)cst;
    memcpy(h->trigger_type, r->trigger_type, sizeof h->trigger_type);
    h->has_target = r->has_target != 0;
    h->quality_met = r->quality_met != 0;
    h->carried = r->carried != 0;
    h->open = r->open != 0;
    if (rd->lag) {
        memcpy(rd->dev[rd->n_hot].developed, r->developed, sizeof r->developed);
        memcpy(rd->dev[rd->n_hot].projected, r->projected, sizeof r->projected);
    }
    rd->n_hot++;
    return 0;
}

/* The first of the n rows (sorted by episode_id) of episode id, and their count. */
static const leak_rec *rows_of(const leak_rec *v, size_t n, const char *id, size_t *count)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].episode_id, id) < 0) lo = mid + 1;
        else hi = mid;
    }
    size_t end = lo;
    while (end < n && !strcmp(v[end].episode_id, id)) end++;
    *count = end - lo;
    return v + lo;
}

int engine__spill_compact(run_data *rd, const leak_rec *leaks, size_t n, char *err,
                          size_t errlen)
{
    int rc = 0;
    if (rd->n_eps && !rd->n_spills) {
        ep_spill **v = realloc(rd->spills, sizeof *v);
        if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
        rd->spills = v;
        rc = ep_spill_open(&v[0], rd->spill_dir, err, errlen);
        if (rc < 0) return rc;
        rd->n_spills = 1;
    }
    ep_spill *sp = rd->n_spills ? rd->spills[rd->n_spills - 1] : NULL;
    size_t j = 0; /* own rows: the next of rd->leaks */
    for (size_t i = 0; i < rd->n_eps && rc == 0; i++) {
        const ep_rec *r = &rd->eps[i];
        const leak_rec *rows;
        size_t k = 0;
        if (leaks) {
            rows = rows_of(leaks, n, r->episode_id, &k);
        } else {
            rows = rd->leaks + j;
            while (j < rd->n_leaks && !strcmp(rd->leaks[j].episode_id, r->episode_id)) j++, k++;
        }
        int64_t at = 0;
        rc = ep_spill_put(sp, r, rows, k, &at, err, errlen);
        if (rc == 0 && (at >> EP_SPILL_SHIFT) != 0)
            rc = util_fail(err, errlen, -EFBIG, "the run's episode file passed 1 TiB");
        if (rc == 0 && (rc = add_hot(rd, r)) < 0)
            rc = rc == -EPROTO ? util_fail(err, errlen, rc, "episode %s: status \"%s\" is none "
                                           "of the engine's", r->episode_id, r->status ? r->status : "")
                               : util_fail(err, errlen, rc, "out of memory");
        if (rc == 0) {
            ep_hot *h = &rd->hot[rd->n_hot - 1];
            h->spill_at = (uint64_t)(rd->n_spills - 1) << EP_SPILL_SHIFT | (uint64_t)at;
            h->has_leaks = k > 0;
        }
    }
    if (rc == 0 && !leaks && j != rd->n_leaks)
        rc = util_fail(err, errlen, -EPROTO, "leakage of episode %s follows no episode of its "
                       "beneficiary's (the pricer's records are out of order)",
                       rd->leaks[j].episode_id);
    for (size_t i = 0; i < rd->n_eps; i++) engine__ep_free(&rd->eps[i]);
    rd->n_eps = 0;
    if (!leaks) {
        for (size_t i = 0; i < rd->n_leaks; i++) engine__leak_free(&rd->leaks[i]);
        rd->n_leaks = 0;
    }
    return rc;
}
