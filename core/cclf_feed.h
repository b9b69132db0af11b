/*
 * cclf_feed: one CCLF record into the neutral feed records (feed.h), pure.
 *
 * Each converter reads one fixed-width record (the layout's record length, already
 * checked), validates every field it uses with the CSV loader's checks, and fills its
 * output. On a bad field it returns -1 with the field and the reason in *e; the caller
 * prefixes the file and record number. Mapping: docs/input-formats.md, "CCLF".
 */
#ifndef CARA_CCLF_FEED_H
#define CARA_CCLF_FEED_H

#include "cclf.h"
#include "feed.h"

typedef struct cclf_error {
    const cclf_field *field;  /* the bad field (NULL: the record as a whole) */
    char msg[256];
} cclf_error;

/* CCLF1, a Part A claim header. person_id is the MBI as delivered (map it through the
 * crosswalk, then call cclf_part_a_key). oscar gets the billing CCN, attending the
 * attending NPI (either may be empty). c->lines is left NULL. */
int cclf_part_a_header(const char *rec, feed_claim *c, char cur_id[14], char oscar[21],
                       char attending[11], cclf_error *e);

/* The natural key of a Part A claim: CCN, from, thru, current MBI. */
void cclf_part_a_key(feed_claim *c, const char *oscar);

/* CCLF2, a Part A revenue-center line (rendering NPI/TIN left empty; allowed = paid). */
int cclf_part_a_line(const char *rec, feed_line *l, char cur_id[14], cclf_error *e);

/* CCLF3 (file '3': procedure) or CCLF4 (file '4': diagnosis): one code of a claim. */
int cclf_part_a_code(const char *rec, char file, char cur_id[14], int *seq, char code[8],
                     cclf_error *e);

/*
 * CCLF5 (file '5', Part B physician) or CCLF6 (file '6', DME): one line. The claim-level
 * fields (type, MBI as delivered, dates, adjustment, version, claim id, natural key,
 * diagnoses for CCLF5) go into *c (lines untouched).
 */
int cclf_part_b_line(const char *rec, char file, feed_claim *c, feed_line *l, char cur_id[14],
                     cclf_error *e);

/* CCLF8: one beneficiary (person_id as delivered; one span from the later of the Part
 * A/B entitlement dates to the death date). */
int cclf_bene(const char *rec, feed_bene *b, cclf_error *e);

#endif
