/*
 * hcc: CMS-HCC V28 payment HCC counts (docs/methodology.md section 4, step 3), pure over buffers.
 *
 * The model is two tables shipped in episodes/common/ (see its README.md):
 *   cms_hcc_v28_dx_to_hcc.csv    diagnosis_code,cc    ICD-10-CM code (no dot) -> payment
 *                                                     HCC; a code may have several rows
 *   cms_hcc_v28_hierarchies.csv  cc_parent,cc_child   a present parent drops the child
 *
 * Counting a set of diagnosis codes:
 *   1. every code contributes the HCCs of its rows (unknown codes contribute nothing);
 *   2. hierarchies: every HCC that is a child of an HCC present after step 1 is dropped.
 *      Presence is judged before any dropping, so the order of the table's rows does not
 *      matter. (The 2026 table is transitively closed except 62 -> 63 -> 202: with 62,
 *      63 and 202 all present, 63 drops 202 although 62 drops 63.)
 *   3. the count is the number of distinct HCCs left.
 *
 * This is the methodology's rule taken literally ("distinct payment HCCs after hierarchies").
 * The CMS V28 software's extra edits (e.g. HCC 223 kept only with another heart failure
 * HCC) are not applied: the reference methodology does not name them.
 *
 * Lookups are a binary search over codes packed into 64-bit keys; counting allocates
 * nothing and only reads the model, so one model can be shared by threads.
 */
#ifndef CARA_HCC_H
#define CARA_HCC_H

#include <stddef.h>

#define HCC_MAX 1000 /* HCC numbers are 1 .. HCC_MAX-1 (V28 uses 1 .. 463) */
#define HCC_CODE_MAX 7 /* ICD-10-CM codes without dot have 3 to 7 characters */

typedef struct hcc_model hcc_model;

/*
 * Parse the two CSV tables, each with its header row (columns as above; a UTF-8 BOM,
 * CRLF line ends, blank lines and spaces around fields are accepted; identical rows
 * count once). Errors name the table, the line and what is wrong, e.g.
 * "cms_hcc_v28_dx_to_hcc.csv:3: cc \"x\" is not an HCC number 1-999". Returns 0 or a
 * negative errno (-EINVAL, -ENOMEM). The caller owns *out (hcc_model_free).
 */
int hcc_model_parse(const char *dx_csv, size_t dx_len, const char *hier_csv, size_t hier_len,
                    hcc_model **out, char *err, size_t errlen);

/* Read DIR/cms_hcc_v28_dx_to_hcc.csv and DIR/cms_hcc_v28_hierarchies.csv and parse them
 * (errors then name the files by path). */
int hcc_model_load(const char *dir, hcc_model **out, char *err, size_t errlen);

void hcc_model_free(hcc_model *m);

/*
 * The payment HCCs of one code (uppercase, no dot; looked up exactly) in ascending
 * order into hccs (at most max entries; hccs may be NULL when max is 0). Returns how
 * many the code has, which may exceed max; 0 for an unknown code. No hierarchy applies.
 */
int hcc_lookup(const hcc_model *m, const char *icd10, int *hccs, int max);

/*
 * Number of distinct payment HCCs of a set of codes after the heart-assist edit and
 * the hierarchies (steps 1-4 above). Duplicate, unknown and NULL codes are fine; an
 * empty set (or a NULL model) counts 0.
 */
int hcc_count(const hcc_model *m, const char *const *codes, size_t n);

/* The same over fixed-size code fields (NUL-terminated or, at 8 characters, not). */
int hcc_count_icd(const hcc_model *m, const char (*codes)[8], size_t n);

/* The HCCs hcc_count counts, ascending, into hccs (at most max; hccs may be NULL when
 * max is 0). Returns how many there are. */
int hcc_payment_hccs(const hcc_model *m, const char *const *codes, size_t n, int *hccs,
                     int max);

/* What a model holds. */
typedef struct hcc_model_info {
    size_t rows;        /* distinct (code, HCC) rows */
    size_t codes;       /* distinct diagnosis codes */
    size_t hccs;        /* distinct HCCs the codes map to */
    int max_hcc;        /* the highest of them */
    size_t hierarchies; /* distinct (parent, child) pairs */
} hcc_model_info;

hcc_model_info hcc_model_describe(const hcc_model *m);

#endif
