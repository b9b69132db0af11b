/*
 * feed: the claim feeds CMS delivers (CCLF files, BCDA FHIR resources) as neutral
 * records, and the sink that applies them to the store.
 *
 * The parsers (cclf_feed.c, fhir.c) are pure: they turn one source record into a
 * feed_claim or feed_bene, validating every field they copy and naming the source
 * field in their errors. The sink (feed_store.c) keeps every version it is given (one
 * claims row each, with its status) and decides, per natural key, which versions are
 * priced (status 'current'), by one of two models:
 *
 *   FEED_DEBIT_CREDIT (CCLF, CCLF Information Packet v36 sections 4.4, 5.1-5.3): every
 *   record is a claim in its own right (an original, an adjustment, or a cancellation
 *   of one of them). Cancellations, in version order, each void one original or
 *   adjustment of their natural key that is not already voided and not later than the
 *   cancellation (an adjustment of the same version is its companion, never its
 *   target), preferring in turn: an earlier version, the one whose CLM_CNTL_NUM is the
 *   cancellation's CLM_ORG_CNTL_NUM, the same payment (absolute value), the later
 *   version, the larger record id. A cancellation with no such record voids nothing
 *   (yet). What no cancellation voids is a final action claim: several may survive
 *   under one key (two originals, an original and an adjustment).
 *
 *   FEED_REPLACE (FHIR): the versions of one resource id replace each other: the store
 *   keeps one row per natural key, the latest version (meta.lastUpdated); an older or
 *   equal version arriving later is ignored ("stale"). A winner whose status is
 *   cancelled is kept with status 'cancelled' and not priced.
 *
 * Either way the result depends only on the set of records, not on the order they
 * arrive in, and a record delivered twice (the same record id) is stored once.
 * Denied claims are stored with status 'denied' and never priced.
 */
#ifndef CARA_FEED_H
#define CARA_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "cara/types.h"

#define FEED_DX_MAX 25
#define FEED_PX_MAX 25
#define FEED_MOD_MAX 5

enum feed_claim_type { FEED_INSTITUTIONAL, FEED_PROFESSIONAL, FEED_DME };
enum feed_adjustment { FEED_ORIGINAL = 0, FEED_CANCEL = 1, FEED_ADJUSTMENT = 2 };
enum feed_model { FEED_DEBIT_CREDIT = 0, FEED_REPLACE = 1 };

/* One claim line. Empty strings and CARA_DATE_NONE mean "not given". */
typedef struct feed_line {
    int64_t number;               /* claim line number, >= 1 */
    cara_date start, end;
    char pos[3];                  /* place of service, 2 digits */
    char revenue[5];              /* revenue center, 4 digits */
    char hcpcs[6];
    char mods[FEED_MOD_MAX][3];
    char rendering_npi[11], rendering_tin[10];
    char billing_npi[11], billing_tin[10];
    int64_t paid_cents, allowed_cents;
    int denied;                   /* the line was not paid (CCLF5/6 CLM_PRCSG_IND_CD): kept
                                     for audit, never priced */
} feed_line;

/* One claim (or one version of it). */
typedef struct feed_claim {
    char claim_id[65];            /* the claim's own id (CCLF: CLM_CNTL_NUM, else
                                     CUR_CLM_UNIQ_ID; FHIR: the id after its prefix) */
    char record_id[41];           /* FEED_DEBIT_CREDIT: this record's id, unique within
                                     the feed (CCLF: CUR_CLM_UNIQ_ID); the store's
                                     claims.claim_id is claim_id "#" record_id.
                                     FEED_REPLACE: "" (claims.claim_id is claim_id) */
    char key[128];                /* natural key: the versions of one claim share it; it
                                     ends with the current MBI when the feed's key has one
                                     (feed_store re-keys it when the MBI changes) */
    int model;                    /* enum feed_model */
    char control_number[41];      /* CLM_CNTL_NUM (FHIR: the claim id) */
    char original_control_number[41]; /* CLM_ORG_CNTL_NUM: the claim a cancellation or
                                     adjustment refers to ("" unknown) */
    int has_claim_paid;           /* claim_paid_cents is the claim-level payment (CCLF1
                                     CLM_PMT_AMT; FHIR payment.amount); when the lines do
                                     not sum to it, it governs (feed_store.h) */
    int64_t claim_paid_cents;
    int denied;                   /* the feed's non-payment code (CCLF1
                                     CLM_MDCR_NPMT_RSN_CD, CCLF5/6 CLM_CARR_PMT_DNL_CD 0, D,
                                     E-Z): with no payment on the claim, the claim is
                                     stored as denied for audit and never priced */
    char denial_reason[48];       /* e.g. "CLM_MDCR_NPMT_RSN_CD B" */
    int type;                     /* enum feed_claim_type */
    char person_id[13];           /* current MBI (CCLF9 applied) */
    cara_date start, end;         /* claim from / thru */
    cara_date admission, discharge;
    char disposition[3];          /* patient status, 2 digits */
    char bill_type[4];            /* 3 digits (institutional) */
    char facility_npi[11];
    int adjustment;               /* enum feed_adjustment */
    int64_t version;              /* larger is later; 0 when unknown. CCLF:
                                     feed_cclf_version(CLM_EFCTV_DT, CLM_IDR_LD_DT);
                                     FHIR: meta.lastUpdated in milliseconds since
                                     1970-01-01T00:00:00Z */
    cara_date paid;               /* when this version was paid (processed), CARA_DATE_NONE
                                     when the feed does not say. CCLF: CLM_IDR_LD_DT;
                                     FHIR: supportingInfo nch_wkly_proc_dt, else
                                     payment.date, else the date of meta.lastUpdated */
    char dx[FEED_DX_MAX][8];      /* ICD-10-CM without dot, principal first */
    int n_dx;
    char px[FEED_PX_MAX][8];      /* ICD-10-PCS procedures */
    int n_px;
    feed_line *lines;             /* owned by whoever built the record */
    size_t n_lines;
} feed_claim;

/* One beneficiary's enrollment and demographics (CCLF8, FHIR Patient + Coverage). */
typedef struct feed_bene {
    char person_id[13];
    char gender[8];               /* male, female, unknown */
    cara_date birth, death;
    cara_date enroll_start, enroll_end; /* end CARA_DATE_NONE: open */
    char dual[3];                 /* dual_status_code: 00..08 or "" */
    char medicare_status[3];      /* 10, 11, 20, 21, 31 or "" */
    int hospice;                  /* in hospice (on every span given) */
    cara_date hospice_start;      /* CCLF8: hospice from this day on (CARA_DATE_NONE) */
    char state[3], zip[6];
} feed_bene;

/* The version of a CCLF record: effective date first, then IDR load date (either may
 * be CARA_DATE_NONE, which sorts first). */
static inline int64_t feed_cclf_version(cara_date effective, cara_date idr_load)
{
    int64_t e = effective == CARA_DATE_NONE ? 0 : (int64_t)effective + 1000000;
    int64_t l = idr_load == CARA_DATE_NONE ? 0 : (int64_t)idr_load + 1000000;
    return (e << 24) + l;
}

/*
 * Validate one CSV-layer value for the feeds, with the checks of the CSV loader
 * (load_fields.h): kind is an enum field_kind (F_NPI, F_HCPCS, F_ICD10, ...). On
 * success copies the normalized text into out (outlen bytes) and returns 0; else -1
 * with "\"value\" is not ..." in msg.
 */
int feed_check(int kind, const char *p, size_t len, char *out, size_t outlen, char *msg,
               size_t msglen);

/* An MBI as the feeds accept it: a valid MBI, or a CMS synthetic test identifier (an
 * S in position 2, or BCDA's sandbox form: a '-' then 11 letters or digits). 0 or -1. */
int feed_check_mbi(const char *p, size_t len, char *out, size_t outlen, char *msg,
                   size_t msglen);

#endif
