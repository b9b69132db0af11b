/*
 * cclf_feed: one CCLF record into the neutral feed records (feed.h), pure.
 *
 * Each converter reads one fixed-width record (the layout's record length, already
 * checked), validates every field it uses with the CSV loader's checks, and fills its
 * output. On a bad required field it returns -1 with the field and the reason in *e; the
 * caller prefixes the file and record number. A bad optional field (an NPI, TIN,
 * HCPCS, modifier, diagnosis, revenue center, place of service, line date, ...) is a
 * warning in *e and the field is left absent. '~' (CMS's filler) is absent everywhere.
 * Mapping: docs/input-formats.md, "CCLF".
 */
#ifndef CARA_CCLF_FEED_H
#define CARA_CCLF_FEED_H

#include "cclf.h"
#include "feed.h"

#define CCLF_WARN_MAX 8

/* What a converter found wrong. An error (field, msg) rejects the record; warnings are
 * malformed optional fields, each already stored as absent in the output (the caller
 * reports them, or with --strict treats the first as an error: load_feed.h feed_warn). */
typedef struct cclf_error {
    int test_ids;             /* in: a test (T.) delivery: an 11-character identifier of
                                 uppercase letters and digits that is not a valid MBI is
                                 taken as a CMS test identifier (BCDA's test files use
                                 such ids) */
    int test_id_used;         /* out: this record had one */
    const cclf_field *field;  /* the bad field (NULL: the record as a whole) */
    char msg[256];
    int n_warn;               /* warnings (at most CCLF_WARN_MAX kept; more are counted) */
    struct {
        const cclf_field *field;
        char msg[200];
    } warn[CCLF_WARN_MAX];
} cclf_error;

/* CCLF1, a Part A claim header. person_id is the MBI as delivered (map it through the
 * crosswalk, then call cclf_part_a_key). oscar gets the billing CCN, attending the
 * attending NPI (either may be empty). c->lines is left NULL. The claim payment
 * CLM_PMT_AMT is c->claim_paid_cents (has_claim_paid); CLM_MDCR_NPMT_RSN_CD given means
 * denied. */
int cclf_part_a_header(const char *rec, feed_claim *c, char cur_id[14], char oscar[21],
                       char attending[11], cclf_error *e);

/* The natural key of a Part A claim: CCN, from, thru, current MBI (CCLF IP 5.1.2). */
void cclf_part_a_key(feed_claim *c, const char *oscar);

/* The natural key of a Part B or DME claim: CLM_CNTL_NUM, current MBI. */
void cclf_part_b_key(feed_claim *c);

/* CCLF2, a Part A revenue-center line (rendering NPI/TIN left empty; allowed = paid). */
int cclf_part_a_line(const char *rec, feed_line *l, char cur_id[14], cclf_error *e);

/* CCLF3 (file '3': procedure) or CCLF4 (file '4': diagnosis): one code of a claim. */
int cclf_part_a_code(const char *rec, char file, char cur_id[14], int *seq, char code[8],
                     cclf_error *e);

/*
 * CCLF5 (file '5', Part B physician) or CCLF6 (file '6', DME): one line. The claim-level
 * fields (type, MBI as delivered, dates, adjustment, version, claim id, diagnoses for
 * CCLF5, denial: CLM_CARR_PMT_DNL_CD 0, D or an MSP cost-avoided letter) go into *c (lines
 * untouched; call cclf_part_b_key once the MBI is current). The line is denied when
 * CLM_PRCSG_IND_CD is given and not A (allowed), R (reprocessed) or S (secondary payer).
 */
int cclf_part_b_line(const char *rec, char file, feed_claim *c, feed_line *l, char cur_id[14],
                     cclf_error *e);

/* CCLF8: one beneficiary (person_id as delivered; one span from the later of the Part
 * A/B entitlement dates to the death date). */
int cclf_bene(const char *rec, feed_bene *b, cclf_error *e);

/* Check one record of claim file file ('1'..'6') as the loader stages it: the file's
 * converter above (cclf_part_a_header, _a_line, _a_code, _b_line), its conversion
 * discarded. *cur_id gets the claim, *e the error and warnings. The converter's return
 * (0, or -1 with *e set). A pure function of the record: safe on any thread. */
int cclf_check_record(const char *rec, char file, char cur_id[14], cclf_error *e);

#endif
