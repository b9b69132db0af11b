/*
 * risk: the risk inputs of one episode's target (docs/methodology.md section 4, step 3):
 * the HCC count and, when the CMS-HCC V28 coefficients are loaded, the V28 risk score,
 * with the template's parameters. The engine calls it once per priced episode; the
 * rules read the results (episode.hcc_count, episode.risk_score, ...).
 *
 * Template parameters (docs/templates.md), with their defaults:
 *   pricing.hcc_lookback_days           180   the lookback ends the day before day 0
 *   pricing.risk_method                 "hcc_count" (the count bands) or "cms_hcc_v28"
 *   pricing.risk.segment                "community" or "institutional" (the V28 segment
 *                                       family; the data has no long-term institutional
 *                                       flag, so the template says)
 *   pricing.risk.normalization_factor   10000 (x 10,000: 1.0000, no normalization)
 *   pricing.risk.coding_intensity_bps   590 (CMS's MA coding pattern adjustment, 5.90%)
 */
#ifndef CARA_RISK_H
#define CARA_RISK_H

#include <stddef.h>
#include <stdint.h>

#include "cara/plugin.h"
#include "hcc.h"

enum { RISK_HCC_COUNT = 0, RISK_CMS_HCC_V28 = 1 };

/* What an episode's pricing gets. */
typedef struct risk_result {
    int method;        /* RISK_HCC_COUNT or RISK_CMS_HCC_V28 (the template's choice) */
    int hcc_count;     /* payment HCCs after hierarchies of the filtered lookback claims */
    int has_score;     /* 1 when the coefficients are loaded and the score was made */
    int64_t score;     /* x 10,000: normalized, coding-adjusted, three decimals */
    int64_t raw;       /* x 10,000: the sum of the coefficients */
    char segment[4];   /* CNA, CND, CFA, CFD, CPA, CPD or INS */
} risk_result;

/*
 * The risk inputs of an episode with day 0 day0, for beneficiary b whose lines (all of
 * them, any order) are given, under template t (name: the template's file, for
 * messages). Returns 0, or -EINVAL with err naming the template, the parameter, its
 * value and what is expected, or saying that the coefficient table a "cms_hcc_v28"
 * template needs is absent.
 */
int risk_for(const hcc_model *m, const cara_template *t, const char *name,
             const cara_beneficiary *b, const cara_claim_line *lines, size_t n, cara_date day0,
             risk_result *out, char *err, size_t errlen);

#endif
