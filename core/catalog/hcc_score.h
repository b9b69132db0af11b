/*
 * hcc_score: the CMS-HCC V28 risk score of one beneficiary, in integers (docs/
 * methodology.md section 4, "The CMS-HCC V28 risk score"). Pure over its inputs.
 *
 * The coefficient table (cms_hcc_v28_coefficients.csv in episodes/common/, columns
 * coefficient,value) holds CMS's relative factors named SEGMENT_VARIABLE, e.g.
 * CNA_F70_74 0.395, CNA_HCC37 0.166, CNA_D2 0. Values are decimals with at most four
 * places, read as fixed point x 10,000 (0.166 -> 1660): no floating point.
 *
 * A score, for a person and the payment HCCs of the lookback:
 *   1. segment: INS (long-term institutional) when the person is institutional, else
 *      community C + dual (F full, P partial, N non-dual) + A (aged: 65 or older) or
 *      D (disabled: under 65): CNA, CND, CFA, CFD, CPA, CPD.
 *   2. HCCs: CMS's V28 edit first (HCC 223 is kept only with another heart failure HCC:
 *      221, 222, 224, 225 or 226), then the hierarchies (hcc_set_finish).
 *   3. raw = the demographic cell SEG_{F|M}{age band} (0_34, 35_44, 45_54, 55_59, 60_64,
 *      65_69, ..., 90_94, 95_GT)
 *          + SEG_OriginallyDisabled_{Female|Male} (community aged segments, originally
 *            disabled) | SEG_ORIGDS (INS, originally disabled) + SEG_LTIMCAID (INS, dual)
 *          + SEG_HCCn for every HCC left
 *          + the disease interactions that hold: DIABETES_HF_V28, HF_CHR_LUNG_V28,
 *            HF_KIDNEY_V28, CHR_LUNG_CARD_RESP_FAIL_V28, HF_HCC238_V28,
 *            gSubUseDisorder_gPsych_V28, and for the disabled (under 65)
 *            DISABLED_{CANCER,NEURO,HF,CHR_LUNG,ULCER}_V28
 *          + the payment HCC count term SEG_D1 .. SEG_D9, SEG_D10P (count of HCCs left).
 *      A variable the table does not have for the segment adds 0 (CMS's segments do not
 *      all carry every interaction), except the demographic cell, which must be there.
 *   4. payment score (hcc_score_payment): normalized = round(raw / normalization) to
 *      three decimals, then round(normalized x (1 - coding_intensity)) to three
 *      decimals, each half away from zero.
 *
 * The groups of the interactions (CMS V28): DIABETES 35-38; HF 221-226; CHR_LUNG
 * 276-280; KIDNEY 326-329; CARD_RESP_FAIL 211-213; gSubUseDisorder 135-139;
 * gPsych 151-155; CANCER 17-23; NEURO 180-182, 190-192, 195, 196, 198, 199;
 * ULCER 379-382.
 */
#ifndef CARA_HCC_SCORE_H
#define CARA_HCC_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "cara/types.h"
#include "hcc.h"

#define HCC_COEF_TABLE "cms_hcc_v28_coefficients.csv"

typedef struct hcc_coefs hcc_coefs;

/*
 * Parse the coefficient table: the header coefficient,value, then one row per variable
 * (a name of letters, digits and '_'; a value of digits with at most four decimals).
 * Names are matched without regard to case; a name given twice is an error. name is
 * used in messages ("NAME:LINE: ..."). Returns 0, -EINVAL (err names the line and the
 * field) or -ENOMEM. The caller owns *out (hcc_coefs_free).
 */
int hcc_coefs_parse(const char *csv, size_t len, const char *name, hcc_coefs **out, char *err,
                    size_t errlen);

void hcc_coefs_free(hcc_coefs *c);

/* The value x 10,000 of a variable (e.g. "CNA_HCC37"); 1 when found, else 0 (*value 0). */
int hcc_coef(const hcc_coefs *c, const char *variable, int64_t *value);

/* How many variables the table holds. */
size_t hcc_coefs_count(const hcc_coefs *c);

enum { HCC_NON_DUAL = 0, HCC_PARTIAL_DUAL = 1, HCC_FULL_DUAL = 2 };

/* What the score needs of a person. */
typedef struct hcc_person {
    char sex;          /* 'M' scores the male cells; anything else the female cells */
    int age;           /* whole years on the age date */
    int dual;          /* HCC_NON_DUAL, HCC_PARTIAL_DUAL, HCC_FULL_DUAL */
    int orig_disabled; /* 1: 65 or older and first entitled by disability */
    int institutional; /* 1: the long-term institutional (INS) segment */
} hcc_person;

/*
 * The person from beneficiary data, for an episode whose day 0 is day0:
 *   - age on February 1 of the calendar year of day 0 (CMS: age as of February 1 of
 *     the payment year);
 *   - dual from dual_status_code of the first enrollment span holding day 0: 02, 04, 08
 *     full; 01, 03, 05, 06 partial; anything else (00, 09, 10, "") non-dual;
 *   - originally disabled when 65 or older and an enrollment span that starts on or
 *     before day 0 has medicare_status_code 20 or 21 (disabled): the data carries no
 *     original reason for entitlement, so an earlier disabled status stands for it;
 *   - institutional as given (the data carries no long-term institutional flag).
 */
hcc_person hcc_person_of(const cara_beneficiary *b, cara_date day0, int institutional);

/* A score and its parts, all x 10,000. */
typedef struct hcc_score {
    char segment[4];      /* CNA, CND, CFA, CFD, CPA, CPD or INS */
    int64_t demographic;  /* the age/sex cell and the originally disabled / LTIMCAID terms */
    int64_t hccs;         /* the HCC coefficients */
    int64_t interactions; /* disease interactions and the count term */
    int64_t raw;          /* demographic + hccs + interactions */
    int count;            /* payment HCCs after the edit and the hierarchies */
} hcc_score;

/*
 * Steps 1-3 above over the HCCs collected before hierarchies (ccs: hcc_set_clear and
 * hcc_set_add_code, or hcc_collect_ccs; not modified). Returns 0, or -EINVAL when the
 * table lacks the demographic cell (err: "cms_hcc_v28_coefficients.csv has no
 * variable CNA_F70_74 (the age/sex cell of ...)"), or when c or m is NULL.
 */
int hcc_score_v28(const hcc_model *m, const hcc_coefs *c, const hcc_set *ccs,
                  const hcc_person *p, hcc_score *out, char *err, size_t errlen);

/*
 * Step 4: the payment score x 10,000 (a multiple of 10: three decimals) of a raw score x
 * 10,000, with the normalization factor x 10,000 (> 0; 10000 = none) and the coding
 * intensity adjustment in basis points (0..10000). Returns 0, or -1 (bad argument or
 * overflow).
 */
int hcc_score_payment(int64_t raw, int64_t normalization, int64_t coding_bps, int64_t *out);

#endif
