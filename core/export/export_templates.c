/*
 * export_templates.c: the templates of a run as it used them (export_internal.h).
 *
 * A run stores every file of the episodes folder it read (migration 8), so the
 * templates are rebuilt from the store (replay_prepare) rather than read from today's
 * folder, which may have changed since: the workbook shows the terms and prices the
 * run applied. Values a template leaves out take the reference methodology's defaults
 * (docs/methodology.md), the ones savings.lua applies.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "export_internal.h"

void export__now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int64_t tint(const cara_template *t, const char *path, int64_t dflt)
{
    json_t *v = template_lookup(t, path);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static char *tstr(const cara_template *t, const char *path)
{
    json_t *v = template_lookup(t, path);
    return strdup(json_is_string(v) ? json_string_value(v) : "");
}

static int fill_template(exp_template *x, const catalog *cat, const catalog_entry *ce)
{
    const cara_template *t = ce->tmpl;
    util_strlcpy(x->id, template_id(t), sizeof x->id);
    util_strlcpy(x->family, catalog_family(cat, x->id), sizeof x->family);
    util_strlcpy(x->version, template_version(t), sizeof x->version);
    util_strlcpy(x->aco_id, ce->aco_id ? ce->aco_id : "", sizeof x->aco_id);
    x->description = tstr(t, "description");
    x->quality_description = tstr(t, "quality.description");
    if (!x->description || !x->quality_description) return -ENOMEM;
    x->post_days = (int)tint(t, "window.post_days", 179);
    x->base_year = (int)tint(t, "pricing.base_year", 2025);
    x->trend_bps = tint(t, "pricing.trend_bps", 300);
    x->hcc_lookback_days = (int)tint(t, "pricing.hcc_lookback_days", 180);
    x->dual_factor = tint(t, "pricing.dual_factor", 11000);
    x->non_dual_factor = tint(t, "pricing.non_dual_factor", 10000);
    x->winsorize_percentile_bps = tint(t, "pricing.winsorize_percentile_bps", 9900);
    x->discount_bps = tint(t, "arrangement.discount_bps", 0);
    x->discount_min_bps = tint(t, "arrangement.discount_min_bps", -500);
    x->discount_max_bps = tint(t, "arrangement.discount_max_bps", 500);
    x->savings_share_bps = tint(t, "arrangement.savings_share_bps", 5000);
    x->loss_share_bps = tint(t, "arrangement.loss_share_bps", 5000);
    x->stop_gain_bps = tint(t, "arrangement.stop_gain_bps", 2000);
    x->stop_loss_bps = tint(t, "arrangement.stop_loss_bps", 2000);
    x->min_episodes = tint(t, "arrangement.min_episodes", 10);
    x->share_cap_global_bps = tint(t, "arrangement.track_share_caps.global", 10000);
    x->share_cap_professional_bps = tint(t, "arrangement.track_share_caps.professional", 5000);
    x->qa_savings_bps = tint(t, "quality.qa_savings_bps", 1000);
    x->qa_loss_bps = tint(t, "quality.qa_loss_bps", 1500);
    json_t *q = template_lookup(t, "quality.measure");
    util_strlcpy(x->quality_measure, json_is_string(q) ? json_string_value(q) : "",
                 sizeof x->quality_measure);

    json_t *trig = template_lookup(t, "triggers");
    size_t n = json_is_object(trig) ? json_object_size(trig) : 0;
    x->triggers = calloc(n ? n : 1, sizeof *x->triggers);
    if (!x->triggers) return -ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(trig, key, v) {
        exp_trigger *g = &x->triggers[x->n_triggers++];
        util_strlcpy(g->type, key, sizeof g->type);
        json_t *d = json_object_get(v, "description"), *b = json_object_get(v, "base_cents");
        g->description = strdup(json_is_string(d) ? json_string_value(d) : "");
        if (!g->description) return -ENOMEM;
        g->base_cents = json_is_integer(b) ? (int64_t)json_integer_value(b) : 0;
    }

    json_t *ages = template_lookup(t, "pricing.age_factors");
    n = json_is_array(ages) ? json_array_size(ages) : 0;
    x->age_bands = calloc(n ? n : 1, sizeof *x->age_bands);
    if (!x->age_bands) return -ENOMEM;
    size_t i;
    json_array_foreach(ages, i, v) {
        json_t *m = json_object_get(v, "min_age"), *f = json_object_get(v, "factor");
        if (!json_is_integer(m) || !json_is_integer(f)) continue;
        x->age_bands[x->n_age_bands].min_age = (int)json_integer_value(m);
        x->age_bands[x->n_age_bands++].factor = (int64_t)json_integer_value(f);
    }
    if (!x->n_age_bands) { /* the methodology's defaults */
        static const exp_age_band dflt[] = {{0, 10000}, {65, 10000}, {75, 10800}, {85, 11800}};
        free(x->age_bands);
        x->age_bands = malloc(sizeof dflt);
        if (!x->age_bands) return -ENOMEM;
        memcpy(x->age_bands, dflt, sizeof dflt);
        x->n_age_bands = 4;
    }

    json_t *hcc = template_lookup(t, "pricing.hcc_factors");
    n = json_is_array(hcc) ? json_array_size(hcc) : 0;
    static const int64_t hdflt[] = {8500, 10000, 11200, 12500, 14500};
    x->hcc_factors = malloc((n ? n : 5) * sizeof *x->hcc_factors);
    if (!x->hcc_factors) return -ENOMEM;
    json_array_foreach(hcc, i, v)
        if (json_is_integer(v)) x->hcc_factors[x->n_hcc_factors++] = (int64_t)json_integer_value(v);
    if (!x->n_hcc_factors) {
        memcpy(x->hcc_factors, hdflt, sizeof hdflt);
        x->n_hcc_factors = 5;
    }
    return 0;
}

int export__templates(store *s, export_data *d, const char *plugins_dir, char *err, size_t errlen)
{
    replay_plan plan;
    memset(&plan, 0, sizeof plan);
    int rc = replay_prepare(s, d->run_id, &plan, err, errlen);
    if (rc < 0) {
        if (rc == -ENOENT)
            snprintf(err, errlen, "run %" PRId64 " stored no template files (a run made before "
                     "schema 8): run it again to export it", d->run_id);
        replay_cleanup(&plan);
        return rc;
    }
    catalog cat;
    char cerr[1024];
    rc = catalog_open(&cat, plan.dir, plugins_dir, NULL, NULL, NULL, cerr, sizeof cerr);
    if (rc < 0) {
        snprintf(err, errlen, "the templates of run %" PRId64 " do not load with the plugins of "
                 "%s: %s", d->run_id, plugins_dir, cerr);
        replay_cleanup(&plan);
        return rc;
    }
    d->templates = calloc(cat.n ? cat.n : 1, sizeof *d->templates);
    rc = d->templates ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < cat.n; i++) {
        rc = fill_template(&d->templates[i], &cat, &cat.v[i]);
        d->n_templates++;
    }
    catalog_free(&cat);
    replay_cleanup(&plan);
    if (rc < 0) return rc;
    if (d->scope.template_id) {
        int found = 0;
        for (size_t i = 0; i < d->n_templates; i++)
            found |= !strcmp(d->templates[i].id, d->scope.template_id) ||
                     !strcmp(d->templates[i].family, d->scope.template_id);
        if (!found) {
            snprintf(err, errlen, "%s %s: run %" PRId64 " has no such template (cara runs --run "
                     "%" PRId64 " lists the templates it used)", d->scope.cli ? "--template" : "template",
                     d->scope.template_id, d->run_id, d->run_id);
            return -ENOENT;
        }
    }
    return 0;
}

void export__resolve_terms(export_data *d)
{
    for (size_t i = 0; i < d->n_arrs; i++) {
        exp_arrangement *a = &d->arrs[i];
        const exp_template *base = NULL, *over = NULL;
        for (size_t k = 0; k < d->n_templates; k++) {
            const exp_template *t = &d->templates[k];
            if (!strcmp(t->id, a->template_id)) base = t;
            if (!strcmp(t->family, a->template_id) && !strcmp(t->aco_id, a->aco_id)) over = t;
        }
        a->tmpl = over ? over : base;
        if (!a->tmpl) continue;
        int64_t dflt[] = {a->tmpl->discount_bps, a->tmpl->savings_share_bps,
                          a->tmpl->loss_share_bps, a->tmpl->stop_gain_bps,
                          a->tmpl->stop_loss_bps};
        int64_t *terms[] = {&a->discount_bps, &a->savings_share_bps, &a->loss_share_bps,
                            &a->stop_gain_bps, &a->stop_loss_bps};
        for (int k = 0; k < 5; k++)
            if (!(a->negotiated & (1u << k))) *terms[k] = dflt[k];
    }
}
