/*
 * engine_save.c: write a run's results in one transaction (see engine_internal.h),
 * through the store's run writer (store/runs_w.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine_internal.h"
#include "ep_spill.h"
#include "run_manifest.h"

/* d as 'YYYY-MM-DD' in buf, or NULL for CARA_DATE_NONE. */
static const char *date_text(cara_date d, char buf[11])
{
    if (d == CARA_DATE_NONE) return NULL;
    date_format(d, buf);
    return buf;
}

static int save_components(runs_w *w, const run_manifest *m, char *err, size_t errlen)
{
    for (size_t i = 0; i < m->n_comps; i++) {
        const run_component *c = &m->comps[i];
        run_component_rec r = {c->kind, c->name, c->version, c->path, c->sha256, NULL, NULL};
        if (c->file >= 0) {
            r.content = c->sha256;
            r.relpath = m->files[c->file].relpath;
        }
        int rc = runs_w_component(w, &r, err, errlen);
        if (rc < 0) return rc;
    }
    return 0;
}

/* ---- what an incremental run stores itself ---------------------------------------------- */

/* The beneficiaries whose rows the run stores (sorted; the plan's strings borrowed, the
 * rest copies the set owns (mine, freed by own_free)); active
 * 0: it stores every row. */
typedef struct own_set {
    int active;
    const char **v;
    size_t n, cap;
    char **mine;
    size_t n_mine;
} own_set;

static void own_free(own_set *o)
{
    for (size_t i = 0; i < o->n_mine; i++) free(o->mine[i]);
    free(o->mine);
    free(o->v);
    memset(o, 0, sizeof *o);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_str_key(const void *key, const void *elt)
{
    return strcmp(key, *(const char *const *)elt);
}

/* 1 when the run stores person_id's rows itself. */
static int stores(const own_set *o, const char *person_id)
{
    return !o->active ||
           (o->n && bsearch(person_id, o->v, o->n, sizeof *o->v, cmp_str_key) != NULL);
}

/* A carried episode the run would store differently from its base: its status (the
 * data's as-of date moved) or its winsorized cost (the caps moved) changed. */
static int moved(const ep_hot *r)
{
    return r->carried && (r->status != r->carried_status ||
                          (r->has_target && r->winsorized != r->carried_winsorized));
}

typedef struct moved_feed {
    const run_data *rd;
    own_set *o;
    size_t cap_mine;
    char *err;
    size_t errlen;
} moved_feed;

/* A carried episode that moved: its beneficiary's rows are the run's. */
static int add_moved(ep_hot *h, ep_dev *dv, void *ud)
{
    moved_feed *f = ud;
    engine__hot_view(f->rd, h, dv, -1, f->rd->caps);
    if (!moved(h)) return 0;
    own_set *o = f->o;
    const char *person = hot_person_id(h);
    if (o->n_mine && !strcmp(o->mine[o->n_mine - 1], person)) return 0; /* the same one's */
    if (o->n == o->cap) {
        size_t cap = 2 * o->cap + 64;
        const char **v = realloc(o->v, cap * sizeof *v);
        if (!v) return util_fail(f->err, f->errlen, -ENOMEM, "out of memory");
        o->v = v;
        o->cap = cap;
    }
    if (o->n_mine == f->cap_mine) {
        size_t cap = 2 * f->cap_mine + 64;
        char **m = realloc(o->mine, cap * sizeof *m);
        if (!m) return util_fail(f->err, f->errlen, -ENOMEM, "out of memory");
        o->mine = m;
        f->cap_mine = cap;
    }
    char *copy = strdup(person);
    if (!copy) return util_fail(f->err, f->errlen, -ENOMEM, "out of memory");
    o->mine[o->n_mine++] = copy;
    o->v[o->n++] = copy;
    return 0;
}

/* Decide where an incremental run's rows go (docs/monthly.md, "Incremental runs"): it
 * stores the rows of the beneficiaries it recomputed, of those with a carried episode
 * that moved, and of those its base stored itself; the rest are its rows base's.
 * When that is more than half of the beneficiaries, it stores every row (so a chain of
 * incremental runs never reads through more than one run). */
static int plan_rows(const run_data *rd, const incr_plan *plan, own_set *o, int64_t *rows_base,
                     char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    *rows_base = 0;
    if (!plan || !plan->base_run || !plan->rows_base || rd->lag) return 0;
    o->cap = plan->n_changed + plan->n_base_own + 64;
    o->v = malloc(o->cap * sizeof *o->v);
    if (!o->v) return util_fail(err, errlen, -ENOMEM, "out of memory");
    for (size_t i = 0; i < plan->n_changed; i++) o->v[o->n++] = plan->changed[i];
    for (size_t i = 0; i < plan->n_base_own; i++) o->v[o->n++] = plan->base_own[i];
    moved_feed f = {rd, o, 0, err, errlen};
    int rc = engine__hot_each(rd, add_moved, &f, err, errlen);
    if (rc < 0) {
        own_free(o);
        return rc;
    }
    if (o->n > 1) qsort(o->v, o->n, sizeof *o->v, cmp_str_ptr);
    size_t u = 0;
    for (size_t i = 0; i < o->n; i++)
        if (!u || strcmp(o->v[u - 1], o->v[i]) != 0) o->v[u++] = o->v[i];
    o->n = u;
    if (2 * o->n > rd->n_people) {
        own_free(o);
        return 0;
    }
    o->active = 1;
    *rows_base = plan->rows_base;
    return 0;
}

/* ---- the rows -------------------------------------------------------------------------- */

/* One episode's row, from its record read back from its spill (r) and what the run
 * changed of it since (h: its status, winsorized actual and actual). */
static int save_episode(runs_w *w, ep_rec *r, const ep_hot *h, char *err, size_t errlen)
{
    r->tmpl = h->tmpl;
    r->arr = h->arr;
    r->status = hot_status(h->status);
    r->actual = h->actual;
    r->winsorized = h->winsorized;
    char day0[11], end[11];
    run_episode_rec e = {
        .episode_id = r->episode_id, .person_id = r->person_id,
        .template_id = template_id(r->tmpl->tmpl),
        .template_version = template_version(r->tmpl->tmpl),
        .trigger_type = r->trigger_type, .trigger_date = date_text(r->day0, day0),
        .end_date = date_text(r->end, end), .died = r->died, .aco_id = r->aco_id,
        .attribution_method = r->method[0] ? r->method : NULL,
        .has_target = r->has_target, .base_cents = r->base,
        .trend_factor = r->trend_factor, .trend_years = r->trend_years,
        .age_factor = r->age_factor, .hcc_count = r->hcc_count,
        .hcc_factor = r->hcc_factor, .dual_factor = r->dual_factor,
        .discount_bps = r->discount_bps, .target_cents = r->target,
        .actual_winsorized_cents = r->winsorized, .quality_met = r->quality_met,
        .actual_cents = r->actual, .status = r->status, .exclusion_reason = r->exclusion,
        .has_risk = r->has_risk, .risk_score = r->risk_score,
        .trigger_claim_id = r->trigger_claim, .trigger_code = r->trigger_code,
        .trigger_dx = r->trigger_dx, .trigger_npi = r->trigger_npi,
        .trigger_tin = r->trigger_tin, .trigger_line = r->trigger_line_no, .age = r->age,
        .dual = r->dual};
    memcpy(e.by_setting, r->by_setting, sizeof e.by_setting);
    if (r->arr) {
        e.arrangement_id = r->arr->arrangement_id;
        e.npi = r->arr->npi;
        e.tin = r->arr->tin;
    }
    return runs_w_episode(w, &e, r->episode_id, err, errlen);
}

static int cmp_hot_id(const void *a, const void *b, void *ud)
{
    (void)ud;
    return hot_id_cmp(a, b);
}

typedef struct id_feed {
    const run_data *rd;
    struct xsort *s;
    char *err;
    size_t errlen;
} id_feed;

static int feed_by_id(ep_hot *h, ep_dev *dv, void *ud)
{
    id_feed *f = ud;
    engine__hot_view(f->rd, h, dv, -1, f->rd->caps);
    return engine__hot_put(f->s, h, dv, f->rd->lag != NULL, f->err, f->errlen);
}

/* The record of h read back from its spill into r and *leaks (n); -EPROTO when the spill
 * holds another episode there. */
static int read_back(const run_data *rd, const ep_hot *h, ep_rec *r, leak_rec **leaks,
                     size_t *n, char *err, size_t errlen)
{
    size_t k = EP_SPILL_INDEX(h->spill_at);
    char id[HOT_ID_MAX];
    if (k >= rd->n_spills)
        return util_fail(err, errlen, -EPROTO, "episode %s: no episode file %zu: the run is "
                         "not saved", hot_episode_id(h, id), k);
    int rc = ep_spill_read(rd->spills[k], EP_SPILL_BYTE(h->spill_at), r, leaks, n, err, errlen);
    const char *want = hot_episode_id(h, id); /* id, or h's own */
    if (rc == 0 && strcmp(r->episode_id, want) != 0)
        rc = util_fail(err, errlen, -EPROTO, "the run's episode file holds %s where the run has "
                       "%s: the run is not saved", r->episode_id, want);
    return rc;
}

/* Rows go in in key order: each insert then lands next to the last (SQLite's B-trees
 * take that far faster than random order; docs/performance.md), the episodes', then the
 * leakage's, each record read back from the spills once for each (by_id: the episodes
 * in episode_id order; their rows come sorted by provider). */
static int save_episodes(runs_w *w, const run_data *rd, struct xsort *by_id, const own_set *o,
                         char *err, size_t errlen)
{
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        rc = xsort_rewind(by_id, err, errlen);
        const void *rec;
        size_t len;
        while (rc == 0 && (rc = xsort_next(by_id, &rec, &len, err, errlen)) == 1) {
            rc = 0;
            const ep_hot *h = rec;
            if (!stores(o, hot_person_id(h)) || (pass == 1 && !h->has_leaks)) continue;
            ep_rec r;
            leak_rec *leaks;
            size_t n;
            rc = read_back(rd, h, &r, &leaks, &n, err, errlen);
            if (rc == 0 && pass == 0) rc = save_episode(w, &r, h, err, errlen);
            for (size_t j = 0; pass == 1 && j < n && rc == 0; j++) {
                const leak_rec *l = &leaks[j];
                run_leak_rec lr = {l->episode_id, l->aco_id, l->npi, l->tin, l->lines, l->paid,
                                   r.person_id};
                char what[320];
                snprintf(what, sizeof what, "leakage of %s (a provider listed twice by "
                         "attribute()?)", l->episode_id);
                rc = runs_w_leak(w, &lr, what, err, errlen);
            }
        }
    }
    return rc;
}

static int save_people(runs_w *w, const run_data *rd, const own_set *o, char *err,
                       size_t errlen)
{
    people_merge *m = NULL; /* in person order, as they were once in memory */
    int rc = engine__people_open(rd, &m, err, errlen);
    person_rec p;
    while (rc == 0 && (rc = people_merge_next(m, &p, err, errlen)) == 1) {
        rc = 0;
        if (stores(o, p.person_id))
            rc = runs_w_person(w, p.person_id, p.lines, p.claims, p.no_elig, err, errlen);
    }
    people_merge_close(m);
    if (rc < 0) return rc;
    for (size_t i = 0; o->active && i < o->n && rc == 0; i++)
        rc = runs_w_own_person(w, o->v[i], err, errlen);
    return rc;
}

static int save_arrangements(runs_w *w, const run_data *rd, char *err, size_t errlen)
{
    for (size_t i = 0; i < rd->n_results; i++) {
        const arr_result *r = &rd->results[i];
        run_arrangement_rec a = {
            .arrangement_id = r->arr->arrangement_id, .period = r->period,
            .aco_id = r->arr->aco_id, .npi = r->arr->npi, .tin = r->arr->tin,
            .template_id = template_id(r->tmpl->tmpl),
            .template_version = template_version(r->tmpl->tmpl), .episodes = r->episodes,
            .target_cents = r->target, .actual_cents = r->actual,
            .actual_winsorized_cents = r->winsorized, .has_gross = r->has_gross,
            .gross_cents = r->gross, .quality_bps = r->quality_bps,
            .quality_adjusted_cents = r->qadj, .share_bps = r->share_bps,
            .payment_cents = r->payment, .cap_applied = r->cap[0] ? r->cap : NULL,
            .status = r->status};
        int rc = runs_w_arrangement(w, &a, r->arr->arrangement_id, err, errlen);
        if (rc < 0) return rc;
    }
    return 0;
}

static int finish_run(runs_w *w, const run_record *rec, const run_data *rd,
                      const engine_stats *stt, char *err, size_t errlen)
{
    char now[32], as_of[11];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    run_finish_rec f = {now, date_text(rd->as_of, as_of), stt->beneficiaries,
                        stt->claim_lines, rec->replay_of, rec->warnings,
                        /* an interim run read only the lines paid through its date */
                        rd->lag ? -1 : stt->claim_lines, stt->base_run,
                        stt->base_run ? stt->recomputed : -1,
                        stt->full_reason[0] ? stt->full_reason : NULL, stt->rows_base,
                        rd->lag ? -1 : stt->claims};
    return runs_w_finish(w, &f, err, errlen);
}

/* An interim run: the projected costs and reconciliations, the paid-through date and the
 * method (docs/monthly.md). */
typedef struct proj_feed {
    const run_data *rd;
    runs_w *w;
    char *err;
    size_t errlen;
} proj_feed;

static int save_one_projection(ep_hot *r, ep_dev *dv, void *ud)
{
    proj_feed *f = ud;
    engine__hot_view(f->rd, r, dv, -1, f->rd->caps);
    if (!r->has_target) return 0;
    char id[HOT_ID_MAX];
    const char *eid = hot_episode_id(r, id);
    return runs_w_episode_projection(f->w, eid, dv->projected, eid, f->err, f->errlen);
}

static int save_projection(runs_w *w, const run_data *rd, char *err, size_t errlen)
{
    proj_feed f = {rd, w, err, errlen};
    int rc = engine__hot_each(rd, save_one_projection, &f, err, errlen);
    for (size_t i = 0; i < rd->n_results && rc == 0; i++) {
        const arr_result *r = &rd->results[i], *p = &rd->proj[0][i];
        int64_t v[5] = {p->actual, p->winsorized, p->payment, rd->proj[1][i].payment,
                        rd->proj[2][i].payment};
        /* more cost, less payment: the band's low payment is the high cost's */
        if (v[3] > v[4]) {
            int64_t t = v[3];
            v[3] = v[4];
            v[4] = t;
        }
        if (v[2] < v[3]) v[3] = v[2];
        if (v[2] > v[4]) v[4] = v[2];
        rc = runs_w_arrangement_projection(w, r->arr->arrangement_id, r->period, v,
                                           r->arr->arrangement_id, err, errlen);
    }
    char *json = rc == 0 ? engine__interim_json(rd) : NULL;
    if (rc == 0 && !json) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
    char day[11];
    date_format(rd->as_of, day);
    if (rc == 0) rc = runs_w_projection(w, day, json, err, errlen);
    free(json);
    return rc;
}

int engine__save(store *s, int64_t run_id, const run_record *rec, run_data *rd,
                const incr_plan *plan, engine_stats *st, char *err, size_t errlen)
{
    runs_w *w = NULL;
    own_set own;
    int rc = plan_rows(rd, plan, &own, &st->rows_base, err, errlen);
    if (rc < 0) return rc;
    st->own_people = own.active ? (int64_t)own.n : (int64_t)rd->n_people;
    /* the episodes in episode_id order, sorted on disk past the run's budget */
    id_feed f = {rd, NULL, err, errlen};
    rc = engine__hot_sorter(rd, cmp_hot_id, "a run's episodes by id", &f.s, err, errlen);
    if (rc == 0) rc = engine__hot_each(rd, feed_by_id, &f, err, errlen);
    if (rc < 0) {
        xsort_close(f.s);
        own_free(&own);
        return rc;
    }
    /* a run writes tens of thousands of rows into five B-trees: a larger page cache
     * than SQLite's 2 MB default keeps their pages in memory */
    (void)store_exec(s, "PRAGMA cache_size = -65536", err, errlen);
    rc = store_begin(s, err, errlen);
    if (rc == 0) rc = runs_w_open(s, run_id, &w, err, errlen);
    if (rc == 0) rc = save_components(w, rec->manifest, err, errlen);
    if (rc == 0) rc = save_episodes(w, rd, f.s, &own, err, errlen);
    if (rc == 0) rc = save_people(w, rd, &own, err, errlen);
    if (rc == 0) rc = save_arrangements(w, rd, err, errlen);
    if (rc == 0 && rec->confirm) rc = engine__adt_confirm(s, rec->confirm, run_id, rd->as_of, err, errlen);
    if (rc == 0) rc = finish_run(w, rec, rd, st, err, errlen);
    if (rc == 0 && rd->lag) rc = save_projection(w, rd, err, errlen);
    runs_w_close(w);
    xsort_close(f.s);
    own_free(&own);
    if (rc == 0) rc = store_commit(s, err, errlen);
    if (rc < 0) store_rollback(s);
    return rc;
}
