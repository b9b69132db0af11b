/*
 * engine_reconcile.c: after the shards, winsorization and reconciliation over the run's
 * hot logs (engine_internal.h), in bounded memory: the actuals of each template and
 * trigger type sorted on disk for winsorize(), the episodes sorted by arrangement,
 * performance year and episode id for reconcile(), so that what memory holds at once is
 * one group's (the rules take a group's actuals or episodes as one table), never the
 * run's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine_internal.h"
#include "ep_spill.h"

/* ---- caps ----------------------------------------------------------------------------- */

typedef struct cap_cell {
    int done;       /* winsorize() ran on the group */
    int has;        /* it gave a cap */
    int64_t cap;
} cap_cell;

struct win_caps {
    size_t n_entries;
    size_t *base;   /* per catalog entry: its first group (one per trigger type) */
    size_t n;       /* groups */
    size_t *entry;  /* per group: its catalog entry */
    cap_cell *v;    /* per group */
};

void engine__caps_free(win_caps *c)
{
    if (!c) return;
    free(c->base);
    free(c->entry);
    free(c->v);
    free(c);
}

/* A caps table with every group of cat, none done. NULL when out of memory. */
static win_caps *caps_new(const catalog *cat)
{
    win_caps *c = calloc(1, sizeof *c);
    if (!c || !(c->base = calloc(cat->n ? cat->n : 1, sizeof *c->base))) {
        engine__caps_free(c);
        return NULL;
    }
    c->n_entries = cat->n;
    for (size_t e = 0; e < cat->n; e++) {
        c->base[e] = c->n;
        int len = template_host_len(cat->v[e].tmpl, "triggers");
        c->n += len > 0 ? (size_t)len : 0;
    }
    c->entry = calloc(c->n ? c->n : 1, sizeof *c->entry);
    c->v = calloc(c->n ? c->n : 1, sizeof *c->v);
    if (!c->entry || !c->v) {
        engine__caps_free(c);
        return NULL;
    }
    for (size_t e = 0; e < cat->n; e++)
        for (size_t g = c->base[e]; g < (e + 1 < cat->n ? c->base[e + 1] : c->n); g++)
            c->entry[g] = e;
    return c;
}

/* h's group: its template's trigger type h->trigger_type; -1 when its template has no
 * such type (its actual is then winsorized by no group, as it never was). */
static long group_of(const catalog *cat, const win_caps *c, const ep_hot *h)
{
    size_t e = (size_t)(h->tmpl - cat->v);
    if (!h->tmpl || e >= c->n_entries) return -1;
    size_t end = e + 1 < c->n_entries ? c->base[e + 1] : c->n;
    for (size_t g = c->base[e]; g < end; g++)
        if (!strcmp(template_host_key(h->tmpl->tmpl, "triggers", (int)(g - c->base[e])),
                    h->trigger_type))
            return (long)g;
    return -1;
}

void engine__hot_view(const run_data *rd, ep_hot *h, ep_dev *dv, int view, const win_caps *caps)
{
    if (rd->lag && dv) {
        engine__interim_project(rd, rd->cat, h, dv);
        if (view >= 0 && h->has_target) h->actual = dv->projected[view];
    }
    if (caps && h->has_target) {
        long g = group_of(rd->cat, caps, h);
        if (g >= 0 && caps->v[g].done) {
            const cap_cell *k = &caps->v[g];
            h->winsorized = k->has && h->actual > k->cap ? k->cap : h->actual;
        }
    }
}

/* An actual of a group, as the caps' sort holds it. */
typedef struct group_value {
    uint64_t g;
    int64_t v;
} group_value;

static int cmp_group_value(const void *a, const void *b, void *ud)
{
    (void)ud;
    const group_value *x = a, *y = b;
    if (x->g != y->g) return x->g < y->g ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

typedef struct feed {
    const run_data *rd;
    int view;
    const win_caps *caps;
    xsort *s;
    char *err;
    size_t errlen;
} feed;

static int feed_actual(ep_hot *h, ep_dev *dv, void *ud)
{
    feed *f = ud;
    engine__hot_view(f->rd, h, dv, f->view, NULL);
    if (!h->has_target) return 0;
    long g = group_of(f->rd->cat, f->caps, h);
    if (g < 0) return 0;
    group_value r = {(uint64_t)g, h->actual};
    return xsort_put(f->s, &r, sizeof r, f->err, f->errlen);
}

/* winsorize() on group g's sorted actuals v[0..n): its cell done. */
static int cap_group(rule_set *rules, win_caps *c, size_t g, const int64_t *v, size_t n,
                     char *err, size_t errlen)
{
    cap_cell *k = &c->v[g];
    k->done = 1;
    return engine__rule_winsorize(rules, c->entry[g], v, n, &k->cap, &k->has, err, errlen);
}

/* The caps of view `view` into *out (the caller's): per template and trigger type, in
 * the catalog's order, winsorize() on the group's actuals sorted (a group without an
 * episode priced is not called). */
static int make_caps(rule_set *rules, const run_data *rd, int view, win_caps **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    win_caps *c = caps_new(rd->cat);
    if (!c) return util_fail(err, errlen, -ENOMEM, "out of memory");
    feed f = {rd, view, c, NULL, err, errlen};
    int rc = xsort_open(&f.s, ep_spill_default_dir(rd->spill_dir), "a run's actuals",
                        rd->sort_budget ? rd->sort_budget : ENGINE_SORT_BUDGET, cmp_group_value,
                        NULL, NULL, err, errlen);
    if (rc == 0) rc = engine__hot_each(rd, feed_actual, &f, err, errlen);
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    uint64_t g = 0;
    const void *rec;
    size_t len;
    while (rc == 0 && (rc = xsort_next(f.s, &rec, &len, err, errlen)) == 1) {
        const group_value *r = rec;
        rc = 0;
        if (n && r->g != g) {
            rc = cap_group(rules, c, (size_t)g, v, n, err, errlen);
            n = 0;
        }
        g = r->g;
        if (rc == 0 && n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            int64_t *nv = realloc(v, nc * sizeof *nv);
            if (!nv) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
            else v = nv, cap = nc;
        }
        if (rc == 0) v[n++] = r->v;
    }
    if (rc == 0 && n) rc = cap_group(rules, c, (size_t)g, v, n, err, errlen);
    free(v);
    xsort_close(f.s);
    if (rc < 0) {
        engine__caps_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- reconciliation --------------------------------------------------------------------- */

/* By arrangement, performance year, episode id. */
static int cmp_by_arrangement(const void *a, const void *b, void *ud)
{
    (void)ud;
    const ep_hot *x = a, *y = b;
    int c = strcmp(x->arr->arrangement_id, y->arr->arrangement_id);
    if (c) return c;
    int px = date_year(x->day0), py = date_year(y->day0);
    if (px != py) return px < py ? -1 : 1;
    return hot_id_cmp(x, y);
}

/* The most an arrangement's target, actual or winsorized actual may sum to in one
 * performance year ($100,000,000.00): reconcile() multiplies gross savings by two rates
 * in basis points (up to 10^8), which then stays far inside int64 (docs/security.md). */
#define RECONCILE_MAX_CENTS MONEY_AMOUNT_MAX_CENTS

/* The sums reconcile() takes over an arrangement's episodes (target, actual, winsorized
 * actual), in checked arithmetic: Lua integers wrap silently, so a sum that does not fit
 * int64, or is beyond RECONCILE_MAX_CENTS, fails the run here, naming the arrangement
 * and the sum. */
static int episode_sums_fit(ep_hot *const *v, size_t n, char *err, size_t errlen)
{
    int64_t t = 0, a = 0, wz = 0;
    for (size_t k = 0; k < n; k++) {
        const char *what = money_add(t, v[k]->target, &t) < 0        ? "target_cents"
                           : money_add(a, v[k]->actual, &a) < 0      ? "actual_cents"
                           : money_add(wz, v[k]->winsorized, &wz) < 0 ? "actual_winsorized_cents"
                                                                      : NULL;
        if (what) {
            char id[HOT_ID_MAX];
            snprintf(err, errlen, "arrangement %s, performance year %d: the sum of %s over its "
                     "%zu episodes does not fit int64 cents (at episode %s): the run is not saved",
                     v[0]->arr->arrangement_id, date_year(v[0]->day0), what, n,
                     hot_episode_id(v[k], id));
            return -ERANGE;
        }
    }
    const int64_t sums[3] = {t, a, wz};
    static const char *const names[3] = {"target_cents", "actual_cents", "actual_winsorized_cents"};
    for (int k = 0; k < 3; k++)
        if (sums[k] > RECONCILE_MAX_CENTS || sums[k] < -RECONCILE_MAX_CENTS) {
            char got[32], max[32];
            money_format(sums[k], got);
            money_format(RECONCILE_MAX_CENTS, max);
            snprintf(err, errlen, "arrangement %s, performance year %d: %s sums to %s over its %zu "
                     "episodes, beyond the reconciliation bound of %s per arrangement and year: "
                     "the run is not saved", v[0]->arr->arrangement_id, date_year(v[0]->day0),
                     names[k], got, n, max);
            return -ERANGE;
        }
    return 0;
}

static int feed_attributed(ep_hot *h, ep_dev *dv, void *ud)
{
    feed *f = ud;
    engine__hot_view(f->rd, h, dv, f->view, f->caps);
    if (!h->arr || !h->has_target) return 0;
    return engine__hot_put(f->s, h, dv, f->rd->lag != NULL, f->err, f->errlen);
}

/* One arrangement and year's episodes, copied out of the sort (their bytes at off[i]
 * in buf, each 8-aligned), and the pointers reconcile() takes. */
typedef struct group {
    unsigned char *buf;
    size_t len, cap;
    size_t *off;
    ep_hot **v;
    size_t n, cap_n;
} group;

static int group_add(group *g, const void *rec, size_t len)
{
    size_t need = (len + 7) & ~(size_t)7;
    if (g->len + need > g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 1 << 16;
        while (cap < g->len + need) cap *= 2;
        unsigned char *b = realloc(g->buf, cap);
        if (!b) return -ENOMEM;
        g->buf = b;
        g->cap = cap;
    }
    if (g->n == g->cap_n) {
        size_t cap = g->cap_n ? 2 * g->cap_n : 256;
        size_t *o = realloc(g->off, cap * sizeof *o);
        if (!o) return -ENOMEM;
        g->off = o;
        ep_hot **v = realloc(g->v, cap * sizeof *v);
        if (!v) return -ENOMEM;
        g->v = v;
        g->cap_n = cap;
    }
    memcpy(g->buf + g->len, rec, len);
    g->off[g->n++] = g->len;
    g->len += need;
    return 0;
}

/* The group's records where they now lie, their ids fixed. */
static void group_seal(group *g, int lag)
{
    for (size_t i = 0; i < g->n; i++) {
        ep_hot *h = (ep_hot *)(void *)(g->buf + g->off[i]);
        h->ids = (char *)h + sizeof *h + (lag ? sizeof(ep_dev) : 0);
        g->v[i] = h;
    }
}

static int push_result(arr_result **v, size_t *n, size_t *cap)
{
    if (*n < *cap) return 0;
    size_t nc = *cap ? 2 * *cap : 64;
    arr_result *r = realloc(*v, nc * sizeof *r);
    if (!r) return -ENOMEM;
    *v = r;
    *cap = nc;
    return 0;
}

/* reconcile() on the group (its episodes in g->v) into a new result of *out. */
static int reconcile_group(rule_set *rules, const catalog *cat, group *g, arr_result **out,
                           size_t *n_out, size_t *cap_out, char *err, size_t errlen)
{
    if (push_result(out, n_out, cap_out) < 0) return util_fail(err, errlen, -ENOMEM, "out of memory");
    arr_result *res = &(*out)[*n_out];
    memset(res, 0, sizeof *res);
    ep_hot *first = g->v[0];
    size_t entry = (size_t)(first->tmpl - cat->v);
    int rc = episode_sums_fit(g->v, g->n, err, errlen);
    if (rc == 0) rc = engine__rule_reconcile(rules, entry, first->arr, g->v, g->n, res, err, errlen);
    res->arr = first->arr;
    res->tmpl = first->tmpl;
    res->period = date_year(first->day0);
    if (rc == 0) (*n_out)++;
    return rc;
}

/* Every arrangement and year with attributed, priced episodes, in the view's figures
 * (caps: the view's), reconciled into *out (n_out of them; the caller's). */
static int reconcile_view(rule_set *rules, const run_data *rd, int view, const win_caps *caps,
                          arr_result **out, size_t *n_out, char *err, size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    size_t cap_out = 0;
    feed f = {rd, view, caps, NULL, err, errlen};
    int rc = engine__hot_sorter(rd, cmp_by_arrangement, "a run's episodes by arrangement", &f.s,
                                err, errlen);
    if (rc == 0) rc = engine__hot_each(rd, feed_attributed, &f, err, errlen);
    group g = {0};
    const void *rec;
    size_t len;
    const ref_arrangement *arr = NULL;
    int period = 0;
    while (rc == 0 && (rc = xsort_next(f.s, &rec, &len, err, errlen)) == 1) {
        const ep_hot *h = rec;
        rc = 0;
        if (g.n && (h->arr != arr || date_year(h->day0) != period)) {
            group_seal(&g, rd->lag != NULL);
            rc = reconcile_group(rules, rd->cat, &g, out, n_out, &cap_out, err, errlen);
            g.n = g.len = 0;
        }
        arr = h->arr;
        period = date_year(h->day0);
        if (rc == 0 && group_add(&g, rec, len) < 0) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    if (rc == 0 && g.n) {
        group_seal(&g, rd->lag != NULL);
        rc = reconcile_group(rules, rd->cat, &g, out, n_out, &cap_out, err, errlen);
    }
    free(g.buf);
    free(g.off);
    free(g.v);
    xsort_close(f.s);
    return rc;
}

int engine__reconcile_run(rule_set *rules, run_data *rd, engine_stats *st, char *err,
                          size_t errlen)
{
    int rc = make_caps(rules, rd, -1, &rd->caps, err, errlen);
    if (rc == 0) rc = reconcile_view(rules, rd, -1, rd->caps, &rd->results, &rd->n_results, err, errlen);
    st->arrangements = (int64_t)rd->n_results;
    /* an interim run: the reconciliation again on each episode's projected final cost
     * (central, low, high), by the same rules */
    for (int k = 0; rd->lag && k < 3 && rc == 0; k++) {
        win_caps *caps = NULL;
        size_t n = 0;
        rc = make_caps(rules, rd, k, &caps, err, errlen);
        if (rc == 0) rc = reconcile_view(rules, rd, k, caps, &rd->proj[k], &n, err, errlen);
        engine__caps_free(caps);
        if (rc == 0 && n != rd->n_results) {
            snprintf(err, errlen, "the projected reconciliation has %zu arrangement rows, the run "
                     "%zu", n, rd->n_results);
            rc = -EPROTO;
        }
    }
    return rc;
}
