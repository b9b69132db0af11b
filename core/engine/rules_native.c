/*
 * rules_native.c: see rules_native.h. Each function follows its Lua counterpart line
 * by line (episodes/falls_prevention/attribution.lua, savings.lua).
 */
#include "rules_native.h"

#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "catalog/catalog.h"

static int get_int(const cara_template *t, const char *path, int64_t *v, char *err, size_t errlen)
{
    json_t *j = template_lookup(t, path);
    if (!json_is_integer(j)) {
        snprintf(err, errlen, "%s: the template has no integer %s", template_id(t), path);
        return -1;
    }
    *v = json_integer_value(j);
    return 0;
}

int native_params_init(native_params *p, const cara_template *t, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    const char *list = json_string_value(template_lookup(t, "attribution.plurality_codes"));
    char path[160];
    snprintf(path, sizeof path, "code_lists.%s", list ? list : "");
    p->plurality = list ? template_host_codes(t, path) : NULL;
    if (!p->plurality) {
        snprintf(err, errlen, "%s: attribution.plurality_codes names no code list", template_id(t));
        return -1;
    }
    p->triggers = template_lookup(t, "triggers");
    p->age_factors = template_lookup(t, "pricing.age_factors");
    p->hcc_factors = template_lookup(t, "pricing.hcc_factors");
    if (!json_is_object(p->triggers) || !json_is_array(p->age_factors) ||
        !json_array_size(p->hcc_factors)) {
        snprintf(err, errlen, "%s: triggers, pricing.age_factors or pricing.hcc_factors missing",
                 template_id(t));
        return -1;
    }
    if (get_int(t, "attribution.plurality_days", &p->plurality_days, err, errlen) < 0 ||
        get_int(t, "pricing.base_year", &p->base_year, err, errlen) < 0 ||
        get_int(t, "pricing.trend_bps", &p->trend_bps, err, errlen) < 0 ||
        get_int(t, "pricing.dual_factor", &p->dual_factor, err, errlen) < 0 ||
        get_int(t, "pricing.non_dual_factor", &p->non_dual_factor, err, errlen) < 0 ||
        get_int(t, "arrangement.discount_bps", &p->default_discount, err, errlen) < 0)
        return -1;
    const char *rm = json_string_value(template_lookup(t, "pricing.risk_method"));
    p->risk_v28 = rm && !strcmp(rm, "cms_hcc_v28");
    const char *m = json_string_value(template_lookup(t, "quality.measure"));
    if (m && !strcmp(m, "codes_within_days")) {
        p->quality_kind = 1;
        p->quality_set = template_host_codes(t, "quality.codes");
        if (get_int(t, "quality.days", &p->quality_days, err, errlen) < 0) return -1;
    } else if (m && !strcmp(m, "no_admission_in_window")) {
        p->quality_kind = 2;
        p->quality_set = template_host_codes(t, "quality.bill_types");
        json_t *from = template_lookup(t, "quality.from_day");
        p->quality_from = json_is_integer(from) ? json_integer_value(from) : 0;
    }
    if (!p->quality_kind || !p->quality_set) {
        snprintf(err, errlen, "%s: quality.measure is not one the native rules know", template_id(t));
        return -1;
    }
    return 0;
}

/* ---- attribute --------------------------------------------------------------------------- */

typedef struct tally {
    const char *npi, *tin;
    int64_t lines, allowed;
    cara_date first;
} tally;

/* a beats b under the plurality rule */
static int better(const tally *a, const tally *b)
{
    if (a->lines != b->lines) return a->lines > b->lines;
    if (a->allowed != b->allowed) return a->allowed > b->allowed;
    if (a->first != b->first) return a->first < b->first;
    int c = strcmp(a->npi, b->npi);
    if (c) return c < 0;
    return strcmp(a->tin, b->tin) < 0;
}

/* The first candidate with this NPI and TIN (Lua: eligible[key]). */
static const ref_arrangement *eligible(const ref_arrangement *const *cands, size_t nc,
                                       const char *npi, const char *tin)
{
    for (size_t i = 0; i < nc; i++)
        if (!strcmp(cands[i]->npi, npi) && !strcmp(cands[i]->tin, tin)) return cands[i];
    return NULL;
}

void native_attribute(const native_params *p, const cara_episode *ep,
                      const cara_claim_line *lines, size_t n,
                      const ref_arrangement *const *cands, size_t nc,
                      const ref_arrangement **arr, const char **method)
{
    const cara_claim_line *t = &lines[ep->trigger_line];
    if (t->rendering_npi[0]) {
        const ref_arrangement *c = eligible(cands, nc, t->rendering_npi, t->rendering_tin);
        if (c) {
            *arr = c;
            *method = "trigger";
            return;
        }
    }
    cara_date first = ep->start, last = ep->start + (cara_date)p->plurality_days - 1;
    if (last > ep->end) last = ep->end;
    tally order[64];
    size_t no = 0;
    for (size_t i = 0; i < n; i++) {
        const cara_claim_line *l = &lines[i];
        if (l->service_date > last) break; /* lines are in date order */
        if (l->service_date < first || !l->rendering_npi[0] || !codes_match(p->plurality, l->hcpcs))
            continue;
        size_t k = 0;
        while (k < no && (strcmp(order[k].npi, l->rendering_npi) || strcmp(order[k].tin, l->rendering_tin)))
            k++;
        if (k == no) {
            if (no == sizeof order / sizeof order[0]) continue; /* never in practice */
            order[no++] = (tally){l->rendering_npi, l->rendering_tin, 0, 0, l->service_date};
        }
        order[k].lines++;
        if (money_add(order[k].allowed, l->allowed, &order[k].allowed) < 0) /* saturate */
            order[k].allowed = l->allowed < 0 ? INT64_MIN : INT64_MAX;
    }
    const tally *best = NULL;
    for (size_t k = 0; k < no; k++)
        if (eligible(cands, nc, order[k].npi, order[k].tin) && (!best || better(&order[k], best)))
            best = &order[k];
    *arr = best ? eligible(cands, nc, best->npi, best->tin) : NULL;
    *method = best ? "plurality" : "unattributed";
}

/* ---- target ------------------------------------------------------------------------------ */

static int apply(int64_t *amount, int64_t factor, char *err, size_t errlen)
{
    int64_t out;
    if (money_mul_div(*amount, factor, 10000, &out) < 0) {
        snprintf(err, errlen, "%lld * %lld / 10000 overflows", (long long)*amount, (long long)factor);
        return -1;
    }
    *amount = out;
    return 0;
}

int native_target(const native_params *p, const cara_episode *ep, int hcc_count,
                  const cara_beneficiary *b, const ref_arrangement *arr, ep_rec *rec,
                  char *err, size_t errlen)
{
    json_t *base_j = json_object_get(json_object_get(p->triggers, ep->trigger_type), "base_cents");
    if (!json_is_integer(base_j)) {
        snprintf(err, errlen, "trigger %s has no base_cents", ep->trigger_type);
        return -1;
    }
    int64_t base = json_integer_value(base_j), amount = base;
    int64_t years = date_year(ep->start) - p->base_year;
    if (years < 0) years = 0;
    int64_t trend = 10000 + p->trend_bps;
    for (int64_t i = 0; i < years; i++)
        if (apply(&amount, trend, err, errlen) < 0) return -1;
    int64_t age_f = 10000, hcc_f = 10000, dual_f = 10000;
    if (p->risk_v28) { /* the host's CMS-HCC V28 score stands for the three factors */
        if (!rec->has_risk) {
            snprintf(err, errlen, "pricing.risk_method cms_hcc_v28: the episode has no risk_score");
            return -1;
        }
        if (apply(&amount, rec->risk_score, err, errlen) < 0) return -1;
    } else {
        int age = date_age_on(b->birth, ep->start);
        size_t i;
        json_t *band;
        json_array_foreach(p->age_factors, i, band)
        {
            if (age >= json_integer_value(json_object_get(band, "min_age")))
                age_f = json_integer_value(json_object_get(band, "factor"));
        }
        if (apply(&amount, age_f, err, errlen) < 0) return -1;
        size_t nh = json_array_size(p->hcc_factors);
        size_t hi = (size_t)hcc_count < nh - 1 ? (size_t)hcc_count : nh - 1;
        hcc_f = json_integer_value(json_array_get(p->hcc_factors, hi));
        if (apply(&amount, hcc_f, err, errlen) < 0) return -1;
        int dual = 0;
        for (uint32_t k = 0; k < b->enrollment.n; k++) { /* the first span holding day 0 */
            const cara_enrollment *e = cara_enrollment_at(b, k);
            if (e->start <= ep->start && (e->end == CARA_DATE_NONE || ep->start <= e->end)) {
                dual = e->dual_status[0] && strcmp(e->dual_status, "00") != 0;
                break;
            }
        }
        dual_f = dual ? p->dual_factor : p->non_dual_factor;
        if (apply(&amount, dual_f, err, errlen) < 0) return -1;
    }
    int64_t discount = 0;
    if (arr) discount = (arr->has_terms & (1u << TERM_DISCOUNT)) ? arr->terms[TERM_DISCOUNT]
                                                                   : p->default_discount;
    if (apply(&amount, 10000 - discount, err, errlen) < 0) return -1;
    rec->base = base;
    rec->trend_factor = trend;
    rec->trend_years = years;
    rec->age_factor = age_f;
    rec->hcc_factor = hcc_f;
    rec->dual_factor = dual_f;
    rec->discount_bps = discount;
    rec->target = amount;
    return 0;
}

/* ---- quality ----------------------------------------------------------------------------- */

int native_quality(const native_params *p, const cara_episode *ep,
                   const cara_claim_line *lines, size_t n)
{
    if (p->quality_kind == 1) {
        cara_date last = ep->start + (cara_date)p->quality_days;
        for (size_t i = 0; i < n; i++) {
            if (lines[i].service_date > last) break;
            if (lines[i].service_date >= ep->start && codes_match(p->quality_set, lines[i].hcpcs))
                return 1;
        }
        return 0;
    }
    cara_date first = ep->start + (cara_date)p->quality_from;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].service_date > ep->end) break;
        if (lines[i].service_date >= first && lines[i].claim_type == CARA_CLAIM_INSTITUTIONAL &&
            codes_match(p->quality_set, lines[i].bill_type))
            return 0;
    }
    return 1;
}
