/*
 * hcc: CMS-HCC V28 payment HCC counts (domain.md 6, step 3), pure over buffers.
 *
 * The model is two tables (episodes/common/): ICD-10-CM code -> payment HCC (a code may
 * map to several) and hierarchies (parent HCC drops child HCC).
 */
#ifndef CARA_HCC_H
#define CARA_HCC_H

#include <stddef.h>

#define HCC_MAX 1000 /* HCC numbers are below this */

typedef struct hcc_model hcc_model;

/*
 * Parse the two CSV tables (with their header rows). Errors name the table, the line
 * and what is wrong. The caller owns *out (hcc_model_free).
 */
int hcc_model_parse(const char *dx_csv, size_t dx_len, const char *hier_csv, size_t hier_len,
                    hcc_model **out, char *err, size_t errlen);

/* hcc_model_parse on dir/cms_hcc_v28_dx_to_hcc.csv and dir/cms_hcc_v28_hierarchies.csv. */
int hcc_model_load(const char *dir, hcc_model **out, char *err, size_t errlen);

void hcc_model_free(hcc_model *m);

/* The payment HCCs of one code (uppercase, no dot) into hccs (at most max); returns
 * how many the code has (which may exceed max). 0 for an unknown code. */
int hcc_lookup(const hcc_model *m, const char *icd10, int *hccs, int max);

/* Distinct payment HCCs of a set of codes after hierarchies. Duplicates and unknown
 * codes are fine; NULL entries are skipped. Allocation-free, thread-safe. */
int hcc_count(const hcc_model *m, const char *const *codes, size_t n);

/* Numbers of diagnosis rows and hierarchy pairs loaded. */
size_t hcc_model_codes(const hcc_model *m);
size_t hcc_model_hierarchies(const hcc_model *m);

#endif
