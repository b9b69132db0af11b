/*
 * risk.c: an episode's risk inputs from the template's parameters; see risk.h.
 */
#include "risk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcc_filter.h"
#include "hcc_score.h"
#include "template.h"

#define DEFAULT_NORMALIZATION 10000
#define DEFAULT_CODING_BPS 590

/* An optional integer parameter within [lo, hi]; absent: dflt. */
static int int_param(const cara_template *t, const char *name, const char *path, int64_t dflt,
                     int64_t lo, int64_t hi, int64_t *out, char *err, size_t errlen)
{
    json_t *j = template_lookup(t, path);
    *out = dflt;
    if (!j) return 0;
    if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi) {
        char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(err, errlen, "%s: %s is %s (expected an integer %lld..%lld)", name, path,
                 text ? text : "?", (long long)lo, (long long)hi);
        free(text);
        return -EINVAL;
    }
    *out = json_integer_value(j);
    return 0;
}

/* An optional string parameter that must be one of two values; absent: the first. */
static int choice(const cara_template *t, const char *name, const char *path, const char *a,
                  const char *b, int *out, char *err, size_t errlen)
{
    json_t *j = template_lookup(t, path);
    *out = 0;
    if (!j) return 0;
    const char *s = json_string_value(j);
    if (s && !strcmp(s, a)) return 0;
    if (s && !strcmp(s, b)) {
        *out = 1;
        return 0;
    }
    char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(err, errlen, "%s: %s is %s (expected \"%s\" or \"%s\")", name, path,
             text ? text : "?", a, b);
    free(text);
    return -EINVAL;
}

int risk_for(const hcc_model *m, const cara_template *t, const char *name,
             const cara_beneficiary *b, const cara_claim_line *lines, size_t n, cara_date day0,
             risk_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int64_t lookback, norm, coding;
    int institutional;
    if (int_param(t, name, "pricing.hcc_lookback_days", 180, 0, 36600, &lookback, err, errlen) < 0 ||
        choice(t, name, "pricing.risk_method", "hcc_count", "cms_hcc_v28", &out->method, err,
               errlen) < 0 ||
        choice(t, name, "pricing.risk.segment", "community", "institutional", &institutional,
               err, errlen) < 0 ||
        int_param(t, name, "pricing.risk.normalization_factor", DEFAULT_NORMALIZATION, 1,
                  1000000, &norm, err, errlen) < 0 ||
        int_param(t, name, "pricing.risk.coding_intensity_bps", DEFAULT_CODING_BPS, 0, 10000,
                  &coding, err, errlen) < 0)
        return -EINVAL;

    hcc_set ccs, paid;
    hcc_collect_ccs(m, lines, n, day0 - (cara_date)lookback, day0 - 1, &ccs);
    paid = ccs;
    hcc_set_finish(m, &paid);
    out->hcc_count = paid.n;

    const hcc_coefs *c = hcc_model_coefs(m);
    if (!c) {
        if (out->method != RISK_CMS_HCC_V28) return 0;
        snprintf(err, errlen, "%s: pricing.risk_method \"cms_hcc_v28\" needs the CMS-HCC V28 "
                              "coefficient table %s beside the other CMS-HCC tables (the "
                              "episodes' common/ folder; episodes/common/README.md)",
                 name, HCC_COEF_TABLE);
        return -EINVAL;
    }
    hcc_person p = hcc_person_of(b, day0, institutional);
    hcc_score s;
    if (hcc_score_v28(m, c, &ccs, &p, &s, err, errlen) < 0) return -EINVAL;
    if (hcc_score_payment(s.raw, norm, coding, &out->score) < 0) {
        snprintf(err, errlen, "%s: the risk score %lld / %lld x (10000 - %lld) overflows", name,
                 (long long)s.raw, (long long)norm, (long long)coding);
        return -EINVAL;
    }
    out->has_score = 1;
    out->raw = s.raw;
    memcpy(out->segment, s.segment, sizeof out->segment);
    return 0;
}
