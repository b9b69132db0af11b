/*
 * cand_index.c: the candidates of an episode through an index (engine_internal.h), so that
 * an episode costs the same whatever the number of arrangements.
 *
 * engine__candidates (engine_arrs.c) scans every arrangement for every episode. The
 * answer depends on the episode only through (template, family, the ACOs the beneficiary
 * is aligned to on day 0, day 0), and as a function of day 0 it changes only on the days an
 * arrangement of that ACO starts or ends, or its provider's network membership
 * (network_change_days) starts or ends. So the index keeps, per (template, family, ACO),
 * that ACO's arrangements of the family and their change days; between two change days
 * the set is one object, made on first use and handed to every episode that falls there.
 * A beneficiary aligned to several ACOs on day 0 gets the merge of their sets, in
 * engine__candidates' order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

void engine__cand_index_init(cand_index *ix, const run_data *rd)
{
    memset(ix, 0, sizeof *ix);
    ix->rd = rd;
    ix->empty.shared = 1;
}

static void set_free(cand_set *s)
{
    if (!s) return;
    free(s->v);
    free(s);
}

void engine__cand_index_free(cand_index *ix)
{
    for (size_t i = 0; i < ix->cap; i++) {
        cand_group *g = &ix->groups[i];
        if (!g->key) continue;
        for (size_t k = 0; g->segs && k <= g->n_days; k++) set_free(g->segs[k]);
        free(g->segs);
        free(g->days);
        free(g->arrs);
        free(g->key);
    }
    free(ix->groups);
    free(ix->by_aco);
    free(ix->scratch.v);
    memset(ix, 0, sizeof *ix);
}

/* ---- the arrangements by ACO --------------------------------------------------------- */

static int cmp_aco(const void *x, const void *y)
{
    const ref_arrangement *a = *(const ref_arrangement *const *)x,
                          *b = *(const ref_arrangement *const *)y;
    int c = strcmp(a->aco_id, b->aco_id);
    return c ? c : (a > b) - (a < b); /* then in rd->arrs order */
}

static int build_by_aco(cand_index *ix)
{
    const run_data *rd = ix->rd;
    ix->by_aco = malloc((rd->n_arrs ? rd->n_arrs : 1) * sizeof *ix->by_aco);
    if (!ix->by_aco) return -ENOMEM;
    for (size_t i = 0; i < rd->n_arrs; i++) ix->by_aco[i] = &rd->arrs[i];
    qsort(ix->by_aco, rd->n_arrs, sizeof *ix->by_aco, cmp_aco);
    return 0;
}

/* The first of by_aco whose ACO is aco (or n_arrs). */
static size_t aco_first(const cand_index *ix, const char *aco)
{
    size_t lo = 0, hi = ix->rd->n_arrs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->by_aco[mid]->aco_id, aco) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- groups ------------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0x1f) * 1099511628211u;
}

static int cmp_day(const void *x, const void *y)
{
    cara_date a = *(const cara_date *)x, b = *(const cara_date *)y;
    return (a > b) - (a < b);
}

/* Fill group g (key set) with the ACO's arrangements of the family and their change days. */
static int fill_group(cand_index *ix, cand_group *g)
{
    const run_data *rd = ix->rd;
    size_t first = aco_first(ix, g->aco), last = first;
    while (last < rd->n_arrs && !strcmp(ix->by_aco[last]->aco_id, g->aco)) last++;
    g->arrs = malloc((last - first ? last - first : 1) * sizeof *g->arrs);
    if (!g->arrs) return -ENOMEM;
    for (int pass = 0; pass < 2; pass++) /* the template's own first, as engine__candidates */
        for (size_t i = first; i < last; i++) {
            const ref_arrangement *a = ix->by_aco[i];
            if ((strcmp(a->template_id, g->tmpl) == 0) == (pass == 0) &&
                strcmp(a->family, g->family) == 0)
                g->arrs[g->n++] = a;
        }
    size_t cap = 0;
    for (size_t i = 0; i < g->n; i++) {
        const ref_arrangement *a = g->arrs[i];
        cara_date d[2] = {a->start, a->end != CARA_DATE_NONE && a->end < INT32_MAX ? a->end + 1
                                                                                 : CARA_DATE_NONE};
        for (int k = 0; k < 2; k++) {
            if (d[k] == CARA_DATE_NONE) continue;
            if (g->n_days == cap) {
                size_t c = cap ? cap * 2 : 16;
                cara_date *v = realloc(g->days, c * sizeof *v);
                if (!v) return -ENOMEM;
                g->days = v;
                cap = c;
            }
            g->days[g->n_days++] = d[k];
        }
        if (network_change_days(&rd->net, a->npi, a->tin, &g->days, &g->n_days, &cap) < 0)
            return -ENOMEM;
    }
    if (g->n_days > 1) qsort(g->days, g->n_days, sizeof *g->days, cmp_day);
    size_t u = 0;
    for (size_t i = 0; i < g->n_days; i++)
        if (u == 0 || g->days[u - 1] != g->days[i]) g->days[u++] = g->days[i];
    g->n_days = u;
    g->segs = calloc(g->n_days + 1, sizeof *g->segs);
    return g->segs ? 0 : -ENOMEM;
}

static int grow_table(cand_index *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 64;
    cand_group *v = calloc(cap, sizeof *v);
    if (!v) return -ENOMEM;
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->groups[i].key) continue;
        size_t k = ix->groups[i].hash & (cap - 1);
        while (v[k].key) k = (k + 1) & (cap - 1);
        v[k] = ix->groups[i];
    }
    free(ix->groups);
    ix->groups = v;
    ix->cap = cap;
    return 0;
}

/* The group of (tmpl, family, aco), made on first use. NULL when out of memory. */
static cand_group *group_of(cand_index *ix, const char *tmpl, const char *family,
                            const char *aco)
{
    if (!ix->by_aco && build_by_aco(ix) < 0) return NULL;
    if (2 * (ix->n_groups + 1) > ix->cap && grow_table(ix) < 0) return NULL;
    uint64_t h = fnv(fnv(fnv(1469598103934665603u, tmpl), family), aco);
    size_t lt = strlen(tmpl), lf = strlen(family), la = strlen(aco);
    size_t k = h & (ix->cap - 1);
    for (; ix->groups[k].key; k = (k + 1) & (ix->cap - 1)) {
        const cand_group *g = &ix->groups[k];
        if (g->hash == h && !strcmp(g->tmpl, tmpl) && !strcmp(g->family, family) &&
            !strcmp(g->aco, aco))
            return &ix->groups[k];
    }
    cand_group *g = &ix->groups[k];
    char *key = malloc(lt + lf + la + 3);
    if (!key) return NULL;
    memcpy(key, tmpl, lt + 1);
    memcpy(key + lt + 1, family, lf + 1);
    memcpy(key + lt + lf + 2, aco, la + 1);
    memset(g, 0, sizeof *g);
    g->key = key;
    g->hash = h;
    g->tmpl = key;
    g->family = key + lt + 1;
    g->aco = key + lt + lf + 2;
    ix->n_groups++;
    if (fill_group(ix, g) < 0) return NULL; /* kept (freed with the index), never used */
    return g;
}

/* The set of group g on day d (its segment's, made on first use). NULL when out of
 * memory. */
static const cand_set *group_set(cand_index *ix, cand_group *g, cara_date d)
{
    if (!g->segs) return NULL; /* a group that failed to fill */
    size_t lo = 0, hi = g->n_days; /* the segment: how many change days are <= d */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->days[mid] <= d) lo = mid + 1;
        else hi = mid;
    }
    if (g->segs[lo]) return g->segs[lo];
    cand_set *s = calloc(1, sizeof *s);
    if (!s || !(s->v = malloc((g->n ? g->n : 1) * sizeof *s->v))) {
        free(s);
        return NULL;
    }
    s->shared = 1;
    for (size_t i = 0; i < g->n; i++) {
        const ref_arrangement *a = g->arrs[i];
        if (a->start > d || (a->end != CARA_DATE_NONE && d > a->end) ||
            !network_has(&ix->rd->net, a->aco_id, a->npi, a->tin, d))
            continue;
        s->v[s->n++] = a;
    }
    ix->made++;
    return g->segs[lo] = s;
}

/* ---- several ACOs ------------------------------------------------------------------- */

typedef struct merged {
    int pass;   /* 0: on the episode's own template */
    size_t at;  /* the arrangement's place in rd->arrs */
    const ref_arrangement *a;
} merged;

static int cmp_merged(const void *x, const void *y)
{
    const merged *a = x, *b = y;
    if (a->pass != b->pass) return a->pass - b->pass;
    return (a->at > b->at) - (a->at < b->at);
}

/* The merge of the sets of the n ACOs acos into ix->scratch. NULL when out of memory. */
static const cand_set *merge_acos(cand_index *ix, const char *tmpl, const char *family,
                                  const char *const *acos, size_t n, cara_date d)
{
    size_t total = 0;
    const cand_set *sets[8];
    for (size_t i = 0; i < n; i++) {
        cand_group *g = group_of(ix, tmpl, family, acos[i]);
        if (!g || !(sets[i] = group_set(ix, g, d))) return NULL;
        total += sets[i]->n;
    }
    merged *m = malloc((total ? total : 1) * sizeof *m);
    if (!m) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < sets[i]->n; j++) {
            const ref_arrangement *a = sets[i]->v[j];
            m[k++] = (merged){strcmp(a->template_id, tmpl) != 0, (size_t)(a - ix->rd->arrs), a};
        }
    qsort(m, total, sizeof *m, cmp_merged);
    if (total > ix->cap_scratch) {
        const ref_arrangement **v = realloc(ix->scratch.v, total * sizeof *v);
        if (!v) {
            free(m);
            return NULL;
        }
        ix->scratch.v = v;
        ix->cap_scratch = total;
    }
    for (size_t i = 0; i < total; i++) ix->scratch.v[i] = m[i].a;
    free(m);
    ix->scratch.n = total;
    ix->scratch.shared = 0;
    return &ix->scratch;
}

const cand_set *engine__cand_lookup(cand_index *ix, const char *tmpl, const char *family,
                                    const cara_beneficiary *b, cara_date day0)
{
    /* the distinct ACOs the beneficiary is aligned to on day 0 (at most 8 at once here;
     * more fall back to the scan, whose answer is the same) */
    const char *acos[8];
    size_t n = 0;
    for (uint32_t i = 0; i < b->alignment.n; i++) {
        const cara_alignment *a = cara_alignment_at(b, i);
        if (!(a->start <= day0 && (a->end == CARA_DATE_NONE || day0 <= a->end)) || !a->aco_id)
            continue;
        int seen = 0;
        for (size_t k = 0; k < n && !seen; k++) seen = !strcmp(acos[k], a->aco_id);
        if (seen) continue;
        if (n == 8) {
            if (ix->cap_scratch < ix->rd->n_arrs) {
                const ref_arrangement **v =
                    realloc(ix->scratch.v, (ix->rd->n_arrs ? ix->rd->n_arrs : 1) * sizeof *v);
                if (!v) return NULL;
                ix->scratch.v = v;
                ix->cap_scratch = ix->rd->n_arrs;
            }
            ix->scratch.n = engine__candidates(ix->rd, tmpl, family, b, day0, ix->scratch.v);
            ix->scratch.shared = 0;
            return &ix->scratch;
        }
        acos[n++] = a->aco_id;
    }
    if (n == 0) return &ix->empty;
    if (n > 1) return merge_acos(ix, tmpl, family, acos, n, day0);
    cand_group *g = group_of(ix, tmpl, family, acos[0]);
    return g ? group_set(ix, g, day0) : NULL;
}
