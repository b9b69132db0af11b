/*
 * engine_price.c: one beneficiary priced with one rule set (see engine_price.h): the
 * per-beneficiary step of a run, of a rules try, with the C twins' comparison of
 * `cara run --compare-native`.
 */
#include "engine_price.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine_internal.h"
#include "rules_native.h"

/* ---- opening ---------------------------------------------------------------------------- */

int engine__pricer_init(engine_pricer *p, const catalog *cat, const hcc_model *hcc, run_data *rd,
                       const rules_limits *lim, const char *compare_native, engine_stats *st,
                       char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->cat = cat;
    p->hcc = hcc;
    p->rd = rd;
    p->compare_native = compare_native;
    p->st = st;
    engine__cand_index_init(&p->cix, rd);
    int rc = engine__rule_set_open(&p->rules, cat, lim, err, errlen);
    p->have_rules = rc == 0;
    if (rc < 0) return rc;
    p->cands = malloc((rd->n_arrs ? rd->n_arrs : 1) * sizeof *p->cands);
    if (compare_native && p->cands) p->np = calloc(1, sizeof(native_params));
    if (!p->cands || (compare_native && !p->np)) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

void engine__pricer_fini(engine_pricer *p)
{
    if (p->have_rules) engine__rule_set_close(&p->rules);
    engine__cand_index_free(&p->cix);
    free(p->cands);
    free(p->np);
    p->have_rules = 0;
    p->cands = NULL;
    p->np = NULL;
}

int engine_pricer_open(const catalog *cat, const hcc_model *hcc, store *s, const rules_limits *lim,
                       engine_pricer **out, char *err, size_t errlen)
{
    *out = NULL;
    engine_pricer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    *out = p;
    p->cat = cat;
    p->hcc = hcc;
    p->rd = &p->own;
    engine__cand_index_init(&p->cix, &p->own);
    /* the rules first: a rule that does not load is the caller's to report */
    int rc = engine__rule_set_open(&p->rules, cat, lim, err, errlen);
    p->have_rules = rc == 0;
    if (rc == 0) rc = engine__load_arrangements(s, &p->own, err, errlen);
    if (rc == 0 && engine__families(cat, &p->own) < 0) rc = -ENOMEM;
    if (rc == 0) {
        p->cands = malloc((p->own.n_arrs ? p->own.n_arrs : 1) * sizeof *p->cands);
        if (!p->cands) rc = -ENOMEM;
    }
    if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
    return rc;
}

void engine_pricer_close(engine_pricer *p)
{
    if (!p) return;
    engine__pricer_fini(p);
    engine__run_data_free(&p->own);
    free(p);
}

void engine_pricer_set_print(engine_pricer *p, rules_print_fn fn, void *ud)
{
    if (p->have_rules) rules_vm_set_print(p->rules.vm, fn, ud);
}

const rules_error *engine_pricer_rule_error(const engine_pricer *p) { return &p->rules.last; }

/* ---- one episode ------------------------------------------------------------------------ */

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The beneficiary being priced (its lines as the rules see them). */
typedef struct bene_view {
    const cara_beneficiary *b;
    const cara_claim_line *lines;
    size_t n;
    const engine_price_opts *po;
} bene_view;

/* The episode's risk inputs (risk.h): the HCC count of the lookback claims that pass
 * CMS's risk adjustment filter (hcc_filter.h) and, with the V28 coefficients, the risk
 * score; or the count the caller gave. */
static int hcc_count_for(engine_pricer *p, const bene_view *d, const catalog_entry *ce,
                         ep_rec *r, char *err, size_t errlen)
{
    if (d->po->hcc_given) {
        r->hcc_count = d->po->hcc_count;
        return (int)d->po->hcc_count;
    }
    const char *name = ce->overlay_path ? ce->overlay_path : ce->template_path;
    risk_result rr;
    int rc = risk_for(p->hcc, ce->tmpl, name, d->b, d->lines, d->n, r->day0, &rr, err, errlen);
    if (rc < 0) return rc;
    r->hcc_count = rr.hcc_count;
    r->has_risk = rr.has_score;
    r->risk_score = rr.score;
    r->risk_raw = rr.raw;
    memcpy(r->risk_segment, rr.segment, sizeof r->risk_segment);
    return rr.hcc_count;
}

ep_rec *engine__new_ep(run_data *rd)
{
    if (rd->n_eps == rd->cap_eps) {
        size_t cap = rd->cap_eps ? rd->cap_eps * 2 : 1024;
        ep_rec *v = realloc(rd->eps, cap * sizeof *v);
        if (!v) return NULL;
        rd->eps = v;
        rd->cap_eps = cap;
    }
    ep_rec *r = &rd->eps[rd->n_eps++];
    memset(r, 0, sizeof *r);
    return r;
}

/* compare_native: the C twins of the rules on the same inputs must give what the Lua
 * rules gave (r); their time is counted apart. */
static int compare_native(engine_pricer *p, const bene_view *d, size_t entry,
                          const cara_episode *ep, int hcc, size_t nc, const ep_rec *r, char *err,
                          size_t errlen)
{
    const catalog_entry *ce = &p->cat->v[entry];
    native_params *np = p->np;
    if (p->np_entry != (int)entry + 1) {
        if (native_params_init(np, ce->tmpl, err, errlen) < 0) return -EINVAL;
        p->np_entry = (int)entry + 1;
    }
    int64_t t0 = now_ns();
    const ref_arrangement *arr;
    const char *method;
    native_attribute(np, ep, d->lines, d->n, p->set->v, nc, &arr, &method);
    ep_rec n = {0};
    n.has_risk = r->has_risk; /* the score is an input of target(), as for the Lua rule */
    n.risk_score = r->risk_score;
    int rc = native_target(np, ep, hcc, d->b, arr, &n, err, errlen);
    int met = native_quality(np, ep, d->lines, d->n);
    p->st->native_ns += now_ns() - t0;
    p->st->compared++;
    if (rc < 0) return -EINVAL;
    if (arr != r->arr || strcmp(method, r->method) || n.base != r->base ||
        n.trend_factor != r->trend_factor || n.trend_years != r->trend_years ||
        n.age_factor != r->age_factor || n.hcc_factor != r->hcc_factor ||
        n.dual_factor != r->dual_factor || n.discount_bps != r->discount_bps ||
        n.target != r->target || met != r->quality_met) {
        snprintf(err, errlen, "--compare-native: episode %s: the Lua rules give %s %s target %lld "
                 "quality %d; the C rules give %s %s target %lld quality %d", r->episode_id,
                 r->arr ? r->arr->arrangement_id : "-", r->method, (long long)r->target,
                 r->quality_met, arr ? arr->arrangement_id : "-", method, (long long)n.target, met);
        return -EINVAL;
    }
    return 0;
}

/* Price one non-excluded episode: candidates, attribute(), leakage, target(), quality(). */
static int price_episode(engine_pricer *p, const bene_view *d, size_t entry,
                         const cara_episode *ep, ep_rec *r, char *err, size_t errlen)
{
    const catalog_entry *ce = &p->cat->v[entry];
    int hcc = hcc_count_for(p, d, ce, r, err, errlen);
    if (hcc < 0) return hcc;
    const char *family = ce->base_id ? ce->base_id : template_id(ce->tmpl);
    const cand_set *set =
        engine__cand_lookup(&p->cix, template_id(ce->tmpl), family, d->b, r->day0);
    if (!set) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    p->set = set;
    size_t nc = set->n;
    r->n_cands = nc;
    int compare = p->compare_native && !strcmp(p->compare_native, template_id(ce->tmpl));
    int64_t t0 = compare ? now_ns() : 0;
    attribution_out ao;
    engine__rule_set_episode_begin(&p->rules);
    int rc = engine__rule_attribute_set(&p->rules, entry, ep, hcc, d->lines, set, &ao, err, errlen);
    if (rc == 0) {
        r->arr = ao.arr;
        snprintf(r->method, sizeof r->method, "%s", ao.method);
        rc = engine__leakage(p->rd, r, ep, d->lines);
        if (rc == -ERANGE)
            snprintf(err, errlen, "episode %s: its leakage to one provider sums beyond the "
                     "int64 cents range: the run is not saved", r->episode_id);
        else if (rc < 0) snprintf(err, errlen, "out of memory");
    }
    if (rc == 0) rc = engine__rule_target(&p->rules, entry, ep, hcc, d->lines, r->arr, r, err, errlen);
    if (rc == 0) rc = engine__rule_quality(&p->rules, entry, ep, hcc, d->lines, &r->quality_met, err, errlen);
    engine__rule_set_episode_done(&p->rules);
    if (compare && rc == 0) {
        p->st->lua_ns += now_ns() - t0;
        rc = compare_native(p, d, entry, ep, hcc, nc, r, err, errlen);
    }
    return rc;
}

/* The trigger of r (ep's trigger line) and the beneficiary's age and dual status on day 0
 * (docs/exports.md, "Episode file"). -ENOMEM. */
static int record_trigger(ep_rec *r, const bene_view *d, const cara_episode *ep)
{
    r->age = d->b->birth != CARA_DATE_NONE ? date_age_on(d->b->birth, ep->start) : -1;
    r->dual = eligibility_is_dual(d->b, ep->start);
    if (ep->trigger_line >= d->n) return 0;
    const cara_claim_line *t = &d->lines[ep->trigger_line];
    r->trigger_line_no = t->line_number;
    snprintf(r->trigger_dx, sizeof r->trigger_dx, "%s", t->n_dx ? t->dx[0] : "");
    snprintf(r->trigger_code, sizeof r->trigger_code, "%s", t->hcpcs[0] ? t->hcpcs : r->trigger_dx);
    int own = t->rendering_npi[0] != 0; /* an institutional line: the facility and billing TIN */
    snprintf(r->trigger_npi, sizeof r->trigger_npi, "%s", own ? t->rendering_npi : t->facility_npi);
    snprintf(r->trigger_tin, sizeof r->trigger_tin, "%s",
             own && t->rendering_tin[0] ? t->rendering_tin : t->billing_tin);
    r->trigger_claim = strdup(t->claim_id ? t->claim_id : "");
    return r->trigger_claim ? 0 : -ENOMEM;
}

/* The record of one episode; priced unless excluded. Not recorded (0) when outside the
 * performance year or priced by another version of the template. */
static int record_episode(engine_pricer *p, const bene_view *d, size_t entry,
                          const cara_episode *ep, char *err, size_t errlen)
{
    const catalog_entry *ce = &p->cat->v[entry];
    if (d->po->period && date_year(ep->start) != d->po->period) {
        /* another year's closed episodes still teach an interim run how cost develops */
        if (p->rd->lag && engine__interim_curve(p->rd, entry, p->cat->n, ep, d->lines) < 0) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        return 0;
    }
    /* one template version per beneficiary and episode type (docs/methodology.md section
     * 3): an ACO's overlay prices the episodes of that ACO's beneficiaries (aligned on day
     * 0), its base everyone else's */
    const char *aco_on = eligibility_aco_on(d->b, ep->start);
    if (!d->po->try_one) {
        if (ce->aco_id && (!aco_on || strcmp(ce->aco_id, aco_on) != 0)) return 0;
        if (!ce->aco_id && catalog_overlay_of(p->cat, template_id(ce->tmpl), aco_on)) return 0;
    }
    ep_rec *r = engine__new_ep(p->rd);
    if (!r) return util_fail(err, errlen, -ENOMEM, "out of memory");
    char day[11], id[256];
    date_format(ep->start, day);
    snprintf(id, sizeof id, "%s:%s:%s", template_id(ce->tmpl), d->b->person_id, day);
    const char *aco = aco_on;
    r->episode_id = strdup(id);
    r->person_id = strdup(d->b->person_id);
    r->aco_id = aco ? strdup(aco) : NULL;
    if (!r->episode_id || !r->person_id || (aco && !r->aco_id))
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    r->tmpl = ce;
    snprintf(r->trigger_type, sizeof r->trigger_type, "%s", ep->trigger_type);
    r->day0 = ep->start;
    r->end = ep->end;
    r->died = (ep->flags & CARA_EPISODE_DEATH) != 0;
    if (record_trigger(r, d, ep) < 0) return util_fail(err, errlen, -ENOMEM, "out of memory");
    if (episode_actual_cents_checked(ep, d->lines, &r->actual) < 0 ||
        episode_spend_by_setting(ep, d->lines, r->by_setting) < 0) {
        snprintf(err, errlen, "episode %s: the paid amounts of its %zu claim lines sum beyond "
                 "the int64 cents range (an input amount is out of bounds; see "
                 "docs/input-formats.md, Amounts): the run is not saved", r->episode_id,
                 ep->n_lines);
        return -ERANGE;
    }
    if (ep->exclusion[0]) {
        r->status = "excluded";
        r->exclusion = strdup(ep->exclusion);
        if (r->exclusion) return 0;
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    r->status = (p->rd->as_of != CARA_DATE_NONE && r->end > p->rd->as_of) ? "interim" : "final";
    int rc = price_episode(p, d, entry, ep, r, err, errlen);
    if (rc == 0 && p->rd->lag &&
        engine__interim_episode(p->rd, entry, p->cat->n, r, ep, d->lines) < 0) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    return rc;
}

/* ---- a try: one stored episode ------------------------------------------------------------ */

/*
 * The episode as its window shows it: [*lo, *hi) are the lines (sorted by service date,
 * bene.h) whose service date is in [start, end], and *out a copy of ep whose line
 * indexes count from *lo (lines of ep outside the window are left out). out->lines is
 * malloc'ed (caller frees). 0, or -ENOMEM.
 */
static int window_view(const cara_episode *ep, const cara_claim_line *lines, size_t n, size_t *lo,
                       size_t *hi, cara_episode *out)
{
    size_t a = 0, b;
    while (a < n && lines[a].service_date < ep->start) a++;
    for (b = a; b < n && lines[b].service_date <= ep->end; b++) {}
    *lo = a;
    *hi = b;
    *out = *ep;
    out->lines = malloc((ep->n_lines ? ep->n_lines : 1) * sizeof *out->lines);
    if (!out->lines) return -ENOMEM;
    out->n_lines = out->cap_lines = 0;
    for (size_t i = 0; i < ep->n_lines; i++)
        if (ep->lines[i] >= a && ep->lines[i] < b) out->lines[out->n_lines++] = ep->lines[i] - a;
    out->cap_lines = ep->n_lines;
    out->trigger_line = ep->trigger_line >= a && ep->trigger_line < b ? ep->trigger_line - a : 0;
    return 0;
}

/* The first non-excluded episode on only_day0, seen through its window (the rule sees
 * what the caller may read: the episode detail's claims, not the beneficiary's others). */
static int try_episode(engine_pricer *p, const bene_view *d, const episode_ctx *ctx, char *err,
                       size_t errlen)
{
    const cara_episode *ep = NULL;
    for (size_t i = 0; i < ctx->n_eps && !ep; i++)
        if (ctx->eps[i]->start == d->po->only_day0 && !ctx->eps[i]->exclusion[0]) ep = ctx->eps[i];
    if (!ep) return 0;
    size_t lo, hi;
    cara_episode wep;
    int rc = window_view(ep, d->lines, d->n, &lo, &hi, &wep);
    if (rc < 0) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    bene_view w = {d->b, d->lines + lo, hi - lo, d->po};
    rc = engine__rule_set_bind(&p->rules, w.b, w.lines, w.n, err, errlen);
    if (rc == 0) rc = record_episode(p, &w, 0, &wep, err, errlen);
    free(wep.lines);
    engine__rule_set_forget(&p->rules);
    return rc;
}

/* ---- one beneficiary ---------------------------------------------------------------------- */

int engine_price_beneficiary(engine_pricer *p, const cara_beneficiary *b,
                             const cara_claim_line *lines, size_t n, const engine_price_opts *po,
                             char *err, size_t errlen)
{
    static const engine_price_opts run_opts = {0};
    bene_view d = {b, lines, n, po ? po : &run_opts};
    if (p->rd == &p->own) { /* an own pricer keeps only the last call's records */
        for (size_t i = 0; i < p->own.n_eps; i++) engine__ep_free(&p->own.eps[i]);
        p->own.n_eps = 0;
        for (size_t i = 0; i < p->own.n_leaks; i++) engine__leak_free(&p->own.leaks[i]);
        p->own.n_leaks = 0;
    }
    p->rules.last.kind = RULES_OK;
    p->first = p->rd->n_eps;
    int rc = 0, bound = 0;
    size_t n_entries = d.po->try_one ? (p->cat->n ? 1 : 0) : p->cat->n;
    for (size_t e = 0; e < n_entries && rc == 0; e++) {
        const catalog_entry *ce = &p->cat->v[e];
        episode_ctx ctx;
        episode_ctx_init(&ctx, ce->tmpl, lines, n);
        rc = plugin_build(ce->plugin->desc, ce->inst, &ctx, b);
        if (d.po->try_one) { /* a plugin that fails no longer builds the episode */
            rc = rc < 0 || ctx.error[0] ? 0 : try_episode(p, &d, &ctx, err, errlen);
            episode_ctx_free(&ctx);
            break;
        }
        if (rc < 0 || ctx.error[0]) {
            snprintf(err, errlen, "plugin %s (%s) failed on beneficiary %s: %s",
                     ce->plugin->desc->name, ce->plugin->path, b->person_id,
                     ctx.error[0] ? ctx.error : "build returned an error");
            rc = rc < 0 ? rc : -EINVAL;
        }
        for (size_t i = 0; i < ctx.n_eps && rc == 0; i++) {
            if (!bound && !ctx.eps[i]->exclusion[0]) {
                int64_t t0 = p->compare_native ? now_ns() : 0;
                rc = engine__rule_set_bind(&p->rules, b, lines, n, err, errlen);
                if (p->compare_native && p->st) p->st->bind_ns += now_ns() - t0;
                bound = 1;
            }
            if (rc == 0) rc = record_episode(p, &d, e, ctx.eps[i], err, errlen);
        }
        episode_ctx_free(&ctx);
    }
    if (bound) engine__rule_set_forget(&p->rules);
    return rc < 0 ? rc : (int)(p->rd->n_eps - p->first);
}

void engine_priced_get(const engine_pricer *p, size_t i, engine_priced *out)
{
    const ep_rec *r = &p->rd->eps[p->first + i];
    memset(out, 0, sizeof *out);
    out->episode_id = r->episode_id;
    out->template_id = template_id(r->tmpl->tmpl);
    out->arrangement_id = r->arr ? r->arr->arrangement_id : NULL;
    out->method = r->method;
    out->status = r->status;
    out->exclusion = r->exclusion;
    out->day0 = r->day0;
    out->end = r->end;
    out->has_target = r->has_target;
    out->hcc_count = r->hcc_count;
    out->base = r->base;
    out->trend_factor = r->trend_factor;
    out->trend_years = r->trend_years;
    out->age_factor = r->age_factor;
    out->hcc_factor = r->hcc_factor;
    out->dual_factor = r->dual_factor;
    out->discount_bps = r->discount_bps;
    out->target = r->target;
    out->actual = r->actual;
    out->quality_met = r->quality_met;
    out->candidates = r->n_cands;
}

/* ---- an event's provisional episode ------------------------------------------------------ */

int engine_price_event(engine_pricer *p, const cara_beneficiary *b, const cara_claim_line *lines,
                       size_t n, const char *tmpl_id, const char *trigger_type,
                       cara_date day0, const char *attending_npi, engine_event_price *out,
                       char *err, size_t errlen)
{
    static const engine_price_opts opts = {0};
    memset(out, 0, sizeof *out);
    out->method = "care_team";
    const char *aco = eligibility_aco_on(b, day0);
    out->aco_id = aco;
    /* the template version that prices this beneficiary: the ACO's overlay, else the base */
    const char *over = catalog_overlay_of(p->cat, tmpl_id, aco);
    size_t entry = p->cat->n;
    for (size_t i = 0; i < p->cat->n && entry == p->cat->n; i++)
        if (!strcmp(template_id(p->cat->v[i].tmpl), over ? over : tmpl_id)) entry = i;
    if (entry == p->cat->n) {
        snprintf(err, errlen, "template %s is not in the catalog", over ? over : tmpl_id);
        return -ENOENT;
    }
    const catalog_entry *ce = &p->cat->v[entry];
    episode_ctx ctx;
    episode_ctx_init(&ctx, ce->tmpl, lines, n);
    cara_date end = day0 + (cara_date)ctx.post_days;
    episode_ctx_free(&ctx);
    if (b->death != CARA_DATE_NONE && b->death >= day0 && b->death < end) end = b->death; /* a death ends it */
    out->end = end;
    out->exclusion = eligibility_exclusion(b, day0, day0);
    if (out->exclusion) return 0;
    cara_episode ep;
    memset(&ep, 0, sizeof ep);
    snprintf(ep.trigger_type, sizeof ep.trigger_type, "%s", trigger_type);
    ep.start = day0;
    ep.end = end;
    const char *family = ce->base_id ? ce->base_id : template_id(ce->tmpl);
    size_t nc = engine__candidates(p->rd, template_id(ce->tmpl), family, b, day0, p->cands);
    const ref_arrangement *arr = NULL;
    for (size_t i = 0; i < nc && attending_npi && *attending_npi; i++)
        if (!strcmp(p->cands[i]->npi, attending_npi) &&
            (!arr || strcmp(p->cands[i]->arrangement_id, arr->arrangement_id) < 0))
            arr = p->cands[i];
    if (arr) {
        out->arrangement_id = arr->arrangement_id;
        out->npi = arr->npi;
        out->tin = arr->tin;
        out->method = "attending";
    }
    bene_view d = {b, lines, n, &opts};
    ep_rec r;
    memset(&r, 0, sizeof r);
    r.day0 = day0;
    int rc = engine__rule_set_bind(&p->rules, b, lines, n, err, errlen);
    if (rc < 0) return rc;
    int hcc = hcc_count_for(p, &d, ce, &r, err, errlen);
    rc = hcc < 0 ? hcc : engine__rule_target(&p->rules, entry, &ep, hcc, lines, arr, &r, err, errlen);
    engine__rule_set_forget(&p->rules);
    if (rc < 0) return rc;
    out->has_target = r.has_target;
    out->hcc_count = r.hcc_count;
    out->target = r.target;
    return 0;
}
