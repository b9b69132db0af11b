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
#include <stdint.h>

#define HCC_MAX 1000 /* HCC numbers are 1 .. HCC_MAX-1 (V28 uses 1 .. 463) */
#define HCC_CODE_MAX 7 /* ICD-10-CM codes without dot have 3 to 7 characters */
#define HCC_WORDS ((HCC_MAX + 63) / 64)

typedef struct hcc_model hcc_model;
struct hcc_hcpcs_list; /* hcc_filter.h: the risk-adjustment eligible CPT/HCPCS codes */
struct hcc_coefs;      /* hcc_score.h: the V28 coefficients */

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
 * (errors then name the files by path). Two more tables are read when present, and
 * their absence is not an error (episodes/common/README.md says what it means):
 *   DIR/cms_hcc_ra_eligible_hcpcs.csv   the CPT/HCPCS codes whose professional and
 *                                       outpatient claims count (hcc_filter.h); absent:
 *                                       no CPT/HCPCS check, the other filters apply
 *   DIR/cms_hcc_v28_coefficients.csv    the V28 relative factors (hcc_score.h); absent:
 *                                       no risk score, and a template choosing
 *                                       pricing.risk_method "cms_hcc_v28" fails
 * A present table that cannot be read or parsed is an error naming it. */
int hcc_model_load(const char *dir, hcc_model **out, char *err, size_t errlen);

/* Attach the optional tables to m; m owns them from then on (either may be NULL, which
 * detaches and frees the one held). */
void hcc_model_set_eligible(hcc_model *m, struct hcc_hcpcs_list *eligible);
void hcc_model_set_coefs(hcc_model *m, struct hcc_coefs *coefs);

/* The optional tables m holds (borrowed), or NULL when absent (or m is NULL). */
const struct hcc_hcpcs_list *hcc_model_eligible(const hcc_model *m);
const struct hcc_coefs *hcc_model_coefs(const hcc_model *m);

void hcc_model_free(hcc_model *m);

/*
 * A set of HCC numbers, built code by code: hcc_set_clear, hcc_set_add_code for every
 * diagnosis, then hcc_set_finish, which applies the hierarchies (steps 2-3 above) and
 * sets n. Plain data on the stack; nothing to free.
 */
typedef struct hcc_set {
    uint64_t bits[HCC_WORDS]; /* bit h: HCC h is in the set */
    int n;                    /* how many, after hcc_set_finish */
} hcc_set;

void hcc_set_clear(hcc_set *s);

/* Add the payment HCCs of one code (at most maxlen characters of it are read, so a
 * fixed 8-character field need not be NUL-terminated); unknown codes add nothing. */
void hcc_set_add_code(const hcc_model *m, hcc_set *s, const char *code, size_t maxlen);

/* Drop every child of an HCC present (presence judged before any dropping) and count. */
void hcc_set_finish(const hcc_model *m, hcc_set *s);

/* 1 when HCC h is in the set, else 0 (also for h out of range). */
int hcc_set_has(const hcc_set *s, int h);

/* The HCCs of the set, ascending, into hccs (at most max; hccs may be NULL when max is
 * 0). Returns how many there are. */
int hcc_set_list(const hcc_set *s, int *hccs, int max);

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
