/*
 * engine_arrs.c: the arrangements and networks a run prices against, the candidates of an
 * episode, and its leakage (engine_internal.h; docs/methodology.md section 3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "catalog/catalog.h"
#include "base/base.h"
#include "store/store.h"

_Static_assert((int)N_TERMS == (int)RUN_N_TERMS && (int)TERM_DISCOUNT == (int)RUN_TERM_DISCOUNT &&
                   (int)TERM_STOP_LOSS == (int)RUN_TERM_STOP_LOSS,
               "the store's term order is the engine's");

/* run_tin_fn: copy the row into the growing arrays of a tins_acc. */
typedef struct tins_acc {
    network_span *tins;
    char **strs;  /* 2 per span: aco_id, tin (owned) */
    size_t n, cap;
} tins_acc;

static int add_tin(const run_tin_row *r, void *ud)
{
    tins_acc *t = ud;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        network_span *v = realloc(t->tins, ncap * sizeof *v);
        if (!v) return -ENOMEM;
        t->tins = v;
        char **w = realloc(t->strs, 2 * ncap * sizeof *w);
        if (!w) return -ENOMEM;
        t->strs = w;
        t->cap = ncap;
    }
    char *aco = strdup(r->aco_id), *tin = strdup(r->tin);
    if (!aco || !tin) {
        free(aco);
        free(tin);
        return -ENOMEM;
    }
    t->strs[2 * t->n] = aco;
    t->strs[2 * t->n + 1] = tin;
    t->tins[t->n] = (network_span){.aco_id = aco, .tin = tin, .start = r->start, .end = r->end};
    t->n++;
    return 0;
}

/* The participant TINs (aco_tins) and the Preferred Providers (the arrangements' TIN-NPIs
 * while in force) into rd->net. */
static int load_network(store *s, run_data *rd, char *err, size_t errlen)
{
    tins_acc t = {0};
    char msg[256];
    int rc = run_inputs_q_tins(s, add_tin, &t, msg, sizeof msg);
    network_span *pps = rc == 0 ? calloc(rd->n_arrs ? rd->n_arrs : 1, sizeof *pps) : NULL;
    if (rc < 0 || !pps) {
        snprintf(err, errlen, "reading participant TINs: %s",
                 rc == -EIO ? msg : "out of memory");
        rc = -EIO;
    } else {
        for (size_t i = 0; i < rd->n_arrs; i++) {
            const ref_arrangement *a = &rd->arrs[i];
            pps[i] = (network_span){.aco_id = a->aco_id, .npi = a->npi, .tin = a->tin,
                                    .start = a->start, .end = a->end};
        }
        rc = network_build(&rd->net, t.tins, t.n, pps, rd->n_arrs);
        if (rc < 0) snprintf(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < 2 * t.n; i++) free(t.strs[i]);
    free(t.strs);
    free(t.tins);
    free(pps);
    return rc;
}

/* run_arrangement_fn: append the row to rd->arrs (ud: arrs_acc). */
typedef struct arrs_acc {
    run_data *rd;
    size_t cap;
} arrs_acc;

static int add_arrangement(const run_arrangement_row *r, void *ud)
{
    arrs_acc *acc = ud;
    run_data *rd = acc->rd;
    if (rd->n_arrs == acc->cap) {
        size_t ncap = acc->cap ? acc->cap * 2 : 64;
        ref_arrangement *v = realloc(rd->arrs, ncap * sizeof *v);
        if (!v) return -ENOMEM;
        rd->arrs = v;
        acc->cap = ncap;
    }
    ref_arrangement *a = &rd->arrs[rd->n_arrs++];
    memset(a, 0, sizeof *a);
    a->arrangement_id = strdup(r->arrangement_id);
    a->aco_id = strdup(r->aco_id);
    a->npi = strdup(r->npi);
    a->tin = strdup(r->tin);
    a->template_id = strdup(r->template_id);
    a->family = strdup(r->template_id);
    a->start = r->start;
    a->end = r->end;
    for (int i = 0; i < N_TERMS; i++) a->terms[i] = r->terms[i];
    a->has_terms = r->has_terms;
    a->track = strdup(r->track);
    a->specialty = strdup(r->specialty);
    if (!a->arrangement_id || !a->aco_id || !a->npi || !a->tin || !a->template_id ||
        !a->family || !a->track || !a->specialty)
        return -ENOMEM;
    return 0;
}

int engine__load_arrangements(store *s, run_data *rd, char *err, size_t errlen)
{
    arrs_acc acc = {rd, 0};
    char msg[256];
    int rc = run_inputs_q_arrangements(s, add_arrangement, &acc, msg, sizeof msg);
    if (rc < 0) {
        snprintf(err, errlen, "reading arrangements: %s", rc == -EIO ? msg : "out of memory");
        return -EIO;
    }
    return load_network(s, rd, err, errlen);
}

int engine__families(const catalog *cat, run_data *rd)
{
    for (size_t i = 0; i < rd->n_arrs; i++) {
        ref_arrangement *a = &rd->arrs[i];
        char *f = strdup(catalog_family(cat, a->template_id));
        if (!f) return -ENOMEM;
        free(a->family);
        a->family = f;
    }
    return 0;
}

/* Terms within the template's bounds: a discount inside
 * arrangement.discount_min_bps..discount_max_bps, shares up to the track's cap. */
static int check_terms(const catalog *cat, const ref_arrangement *a, char *err, size_t errlen)
{
    const catalog_entry *e = catalog_find(cat, a->template_id);
    if (!e) return 0; /* a template this run does not include */
    int64_t lo = -500, hi = 500, cap = 10000;
    char path[96];
    template_host_int(e->tmpl, "arrangement.discount_min_bps", &lo);
    template_host_int(e->tmpl, "arrangement.discount_max_bps", &hi);
    snprintf(path, sizeof path, "arrangement.track_share_caps.%s", a->track);
    template_host_int(e->tmpl, path, &cap);
    if ((a->has_terms & 1) && (a->terms[TERM_DISCOUNT] < lo || a->terms[TERM_DISCOUNT] > hi)) {
        snprintf(err, errlen, "arrangement %s: discount_bps %lld is outside template %s's "
                              "bounds (%lld to %lld)", a->arrangement_id,
                 (long long)a->terms[TERM_DISCOUNT], a->template_id, (long long)lo, (long long)hi);
        return -EINVAL;
    }
    for (int t = TERM_SAVINGS_SHARE; t <= TERM_LOSS_SHARE; t++)
        if ((a->has_terms & (1u << t)) && a->terms[t] > cap) {
            snprintf(err, errlen, "arrangement %s: %s %lld is above what the %s track allows "
                                  "(%lld)", a->arrangement_id, engine_term_names[t],
                     (long long)a->terms[t], a->track, (long long)cap);
            return -EINVAL;
        }
    return 0;
}

static int overlaps(const ref_arrangement *a, const ref_arrangement *b)
{
    return (a->end == CARA_DATE_NONE || b->start <= a->end) &&
           (b->end == CARA_DATE_NONE || a->start <= b->end);
}

static int cmp_npi_family(const void *x, const void *y)
{
    const ref_arrangement *a = *(const ref_arrangement *const *)x,
                          *b = *(const ref_arrangement *const *)y;
    int c = strcmp(a->npi, b->npi);
    if (!c) c = strcmp(a->family, b->family);
    return c ? c : strcmp(a->arrangement_id, b->arrangement_id);
}

int engine__check_arrangements(const catalog *cat, const run_data *rd, char *err, size_t errlen)
{
    for (size_t i = 0; i < rd->n_arrs; i++) {
        const ref_arrangement *a = &rd->arrs[i];
        int rc = check_terms(cat, a, err, errlen);
        if (rc < 0) return rc;
        const catalog_overlay *o = catalog_overlay_find(cat, a->template_id);
        if (o && strcmp(o->aco_id, a->aco_id)) {
            snprintf(err, errlen, "arrangement %s: template %s is ACO %s's overlay of %s; ACO %s "
                                  "cannot hold an EBRA on it (an overlay belongs to its ACO)",
                     a->arrangement_id, a->template_id, o->aco_id, o->base_id, a->aco_id);
            return -EINVAL;
        }
    }
    /* one ACO per provider and family at a time: compare within (npi, family) groups */
    const ref_arrangement **v = malloc((rd->n_arrs ? rd->n_arrs : 1) * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < rd->n_arrs; i++) v[i] = &rd->arrs[i];
    qsort(v, rd->n_arrs, sizeof *v, cmp_npi_family);
    int rc = 0;
    for (size_t i = 0; i < rd->n_arrs && rc == 0; i++)
        for (size_t j = i + 1; j < rd->n_arrs && rc == 0; j++) {
            const ref_arrangement *a = v[i], *b = v[j];
            if (strcmp(a->npi, b->npi) || strcmp(a->family, b->family)) break;
            if (!strcmp(a->aco_id, b->aco_id) || !overlaps(a, b)) continue;
            snprintf(err, errlen, "arrangements %s (ACO %s, %s) and %s (ACO %s, %s): provider %s "
                                  "may be in EBRAs with only one ACO per template at a time "
                                  "(an overlay counts as its base, %s)",
                     a->arrangement_id, a->aco_id, a->template_id, b->arrangement_id, b->aco_id,
                     b->template_id, a->npi, a->family);
            rc = -EINVAL;
        }
    free(v);
    return rc;
}

static int aligned_to(const cara_beneficiary *b, const char *aco, cara_date d)
{
    for (uint32_t i = 0; i < b->alignment.n; i++) {
        const cara_alignment *a = cara_alignment_at(b, i);
        if (a->start <= d && (a->end == CARA_DATE_NONE || d <= a->end) &&
            strcmp(a->aco_id, aco) == 0)
            return 1;
    }
    return 0;
}

size_t engine__candidates(const run_data *rd, const char *tmpl, const char *family,
                         const cara_beneficiary *b, cara_date day0, const ref_arrangement **out)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) /* the episode's own template's first */
        for (size_t i = 0; i < rd->n_arrs; i++) {
            const ref_arrangement *a = &rd->arrs[i];
            if ((strcmp(a->template_id, tmpl) == 0) != (pass == 0) ||
                strcmp(a->family, family) != 0 || a->start > day0 ||
                (a->end != CARA_DATE_NONE && day0 > a->end) || !aligned_to(b, a->aco_id, day0) ||
                !network_has(&rd->net, a->aco_id, a->npi, a->tin, day0))
                continue;
            out[n++] = a;
        }
    return n;
}

static int cmp_leak(const void *x, const void *y)
{
    const leak_rec *a = x, *b = y;
    int c = strcmp(a->npi, b->npi);
    return c ? c : strcmp(a->tin, b->tin);
}

leak_rec *engine__new_leak(run_data *rd)
{
    if (rd->n_leaks == rd->cap_leaks) {
        size_t cap = rd->cap_leaks ? rd->cap_leaks * 2 : 256;
        leak_rec *v = realloc(rd->leaks, cap * sizeof *v);
        if (!v) return NULL;
        rd->leaks = v;
        rd->cap_leaks = cap;
    }
    leak_rec *hit = &rd->leaks[rd->n_leaks++];
    memset(hit, 0, sizeof *hit);
    return hit;
}

int engine__leakage(run_data *rd, const ep_rec *r, const cara_episode *ep,
                   const cara_claim_line *lines)
{
    if (!r->aco_id) return 0;
    size_t first = rd->n_leaks;
    for (size_t k = 0; k < ep->n_lines; k++) {
        const cara_claim_line *l = &lines[ep->lines[k]];
        network_provider p;
        if (!network_line_provider(l, &p) ||
            network_has(&rd->net, r->aco_id, p.npi, p.tin, l->service_date))
            continue;
        leak_rec *hit = NULL;
        for (size_t i = first; i < rd->n_leaks && !hit; i++)
            if (!strcmp(rd->leaks[i].npi, p.npi) && !strcmp(rd->leaks[i].tin, p.tin))
                hit = &rd->leaks[i];
        if (!hit) {
            if (!(hit = engine__new_leak(rd))) return -ENOMEM;
            hit->episode_id = strdup(r->episode_id);
            hit->aco_id = strdup(r->aco_id);
            hit->npi = strdup(p.npi);
            hit->tin = strdup(p.tin);
            if (!hit->episode_id || !hit->aco_id || !hit->npi || !hit->tin) return -ENOMEM;
        }
        hit->lines++;
        if (money_add(hit->paid, l->paid, &hit->paid) < 0) return -ERANGE;
    }
    if (rd->n_leaks - first > 1)
        qsort(rd->leaks + first, rd->n_leaks - first, sizeof *rd->leaks, cmp_leak);
    return 0;
}
