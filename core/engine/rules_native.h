/*
 * rules_native: the reference rules of the shipped attribution.lua and savings.lua
 * (docs/methodology.md sections 3-4: trigger-then-plurality attribution, target price, quality) in C.
 *
 * They exist to measure what Lua costs (`cara run --compare-native TEMPLATE`: every
 * episode of that template is priced by both, the results must agree exactly, and the
 * time of each is reported) and as an oracle for the Lua rules. A run never uses them
 * for results. Pure over the template, the episode and the beneficiary's lines.
 */
#ifndef CARA_RULES_NATIVE_H
#define CARA_RULES_NATIVE_H

#include "engine_internal.h"
#include "catalog/catalog.h"

/* A template's parameters, resolved once (the code sets are the template's, borrowed). */
typedef struct native_params {
    const cara_codeset *plurality;
    int64_t plurality_days;
    json_t *triggers, *age_factors, *hcc_factors; /* borrowed */
    int64_t base_year, trend_bps, dual_factor, non_dual_factor, default_discount;
    int quality_kind;              /* 1 codes_within_days, 2 no_admission_in_window */
    const cara_codeset *quality_set;
    int64_t quality_days, quality_from;
    int risk_v28;                  /* pricing.risk_method is "cms_hcc_v28" */
} native_params;

/* Resolve t's parameters. 0, or -1 with the missing or malformed parameter in err. */
int native_params_init(native_params *p, const cara_template *t, char *err, size_t errlen);

/* attribute(): the arrangement (or NULL) and the method ("trigger", "plurality",
 * "unattributed"). Leakage is not built (the comparison uses the Lua rule's). */
void native_attribute(const native_params *p, const cara_episode *ep,
                      const cara_claim_line *lines, size_t n,
                      const ref_arrangement *const *cands, size_t nc,
                      const ref_arrangement **arr, const char **method);

/* target(): fills the pricing fields of rec (base .. target). Under pricing.risk_method
 * "cms_hcc_v28" it reads rec->has_risk and rec->risk_score (set by the caller, as the
 * engine sets them for the Lua rule). 0, or -1 (overflow, a trigger type without a base
 * price, or no risk score to apply) with the reason in err. */
int native_target(const native_params *p, const cara_episode *ep, int hcc_count,
                  const cara_beneficiary *b, const ref_arrangement *arr, ep_rec *rec,
                  char *err, size_t errlen);

/* quality(): 1 met, 0 not. */
int native_quality(const native_params *p, const cara_episode *ep,
                   const cara_claim_line *lines, size_t n);

#endif
