/*
 * feed: the claim feeds CMS delivers (CCLF files, BCDA FHIR resources) as neutral
 * records, and the sink that applies them to the store.
 *
 * The parsers (cclf_feed.c, fhir.c) are pure: they turn one source record into a
 * feed_claim or feed_bene, validating every field they copy and naming the source
 * field in their errors. The sink (feed_store.c) applies records to the store inside
 * the caller's transaction, keeping the latest version of each natural key:
 *
 *   a record replaces the stored version of its natural key when its version (CCLF:
 *   CLM_EFCTV_DT, then CLM_IDR_LD_DT; FHIR: meta.lastUpdated) is later than, or equal
 *   to, the stored one's;
 *   at equal versions a cancellation does not displace an original or an adjustment
 *   (a cancellation voids the version before it, which the adjustment replaces);
 *   the winner, when it is a cancellation, leaves no claim: the claim nets out.
 *
 * So re-delivering rows (overlapping monthly and run-out files) changes nothing, and
 * the order in which deliveries arrive does not matter.
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
} feed_line;

/* One claim (or one version of it). */
typedef struct feed_claim {
    char claim_id[65];            /* the id stored in claims.claim_id */
    char key[128];                /* natural key: the versions of one claim share it */
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
