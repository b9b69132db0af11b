/*
 * fhir: BCDA FHIR resources (ExplanationOfBenefit, Patient, Coverage; DSTU3 from BCDA
 * v1 and R4 from BCDA v2) as the neutral records of feed.h, pure: no I/O, no state.
 *
 * Input is NDJSON (one resource per line, as BCDA exports) or one JSON document: a
 * Bundle (a FHIR search result; its entries are the records) or a single resource.
 * Every field copied is validated with the CSV layer's checks (feed_check); an error
 * names the resource (type and id), the JSON path of the field (0-based array
 * indices), the value and what is expected, e.g.
 *
 *   ExplanationOfBenefit carrier-123: item[2].adjudication[0].amount.value: "12.345"
 *   is not an amount in dollars with at most two decimals
 *
 * Mapping notes (domain.md 3.3):
 * - An EOB's claim type comes from its id prefix (carrier-, dme-, inpatient-, ...) and
 *   its eob-type / claim-type coding; they must agree. claim_id is the id after the
 *   prefix's dash, key the whole id. Only ICD-10 diagnoses are kept (ICD-9 codings,
 *   such as the whole of the BCDA sandbox sample's, are ignored); the principal first.
 * - Line amounts: paid is the BB line_nch_pmt_amt (institutional: rev_cntr_pmt_amt_amt;
 *   R4 C4BB "paidtoprovider" when no BB code is given), allowed is line_alowd_chrg_amt
 *   (R4 C4BB "eligible"); absent amounts are 0. Amounts go from JSON numbers to cents
 *   without floating-point arithmetic (see fhir.c, amount_cents).
 * - Modifiers made of five 9s ("99999", the sandbox data's placeholder) are skipped.
 * - Patient: deceasedBoolean without a date gives no death date; a non-letter state
 *   (the sandbox's FIPS "10") and a malformed ZIP are ignored, not errors.
 * - Coverage: a cancelled coverage has part 0 and cancelled 1: it enrolls no one.
 *   dual is the latest month's dual_01..dual_12 code that is two digits ("NA", "**"
 *   and empty months are skipped).
 */
#ifndef CARA_FHIR_H
#define CARA_FHIR_H

#include <stddef.h>

#include "feed.h"

#define FHIR_MAX_DEPTH 64                      /* deepest nesting of arrays/objects */
#define FHIR_MAX_LINE ((size_t)64 << 20)      /* longest NDJSON line: 64 MiB */

enum fhir_kind { FHIR_EOB, FHIR_PATIENT, FHIR_COVERAGE, FHIR_OTHER };

typedef struct fhir_resource {
    int kind;                 /* enum fhir_kind; callers skip FHIR_OTHER */
    char id[65];              /* the resource id */
    char patient_id[65];      /* EOB: patient.reference "Patient/X" -> "X"; Coverage:
                                 beneficiary.reference; Patient: its id */
    char mbi[13];             /* Patient: the us-mbi identifier (feed_check_mbi) */
    char part;                /* Coverage: 'A', 'B', 'C', 'D', else 0 */
    int cancelled;            /* status "cancelled" (EOB: also claim.adjustment) */
    feed_claim claim;         /* EOB; claim.person_id is left empty (the caller maps
                                 patient_id to an MBI) */
    feed_bene bene;           /* Patient: person_id (the MBI), gender, birth, death,
                                 state, zip; Coverage: enroll_start/end, medicare_status,
                                 dual. Dates absent: CARA_DATE_NONE */
} fhir_resource;

/*
 * Parse one resource (a JSON object) from buf[0..len). Returns 0 with *out filled
 * (release it with fhir_resource_clear), or -EINVAL with the message in err (and *out
 * cleared, nothing to release), or -ENOMEM. A JSON object of another resourceType is
 * FHIR_OTHER with only id set. Documents nested deeper than FHIR_MAX_DEPTH are refused.
 */
int fhir_parse(const char *buf, size_t len, fhir_resource *out, char *err, size_t errlen);

/* Free what a parsed resource owns (the EOB's lines) and reset it. NULL is a no-op. */
void fhir_resource_clear(fhir_resource *r);

/*
 * Iterate the resources of a file's content: NDJSON (the first non-blank line is a
 * whole JSON object; blank lines are skipped) or a single JSON document that is a
 * Bundle (its entries) or one resource. A one-line Bundle is a Bundle.
 *
 * fn gets each resource and its record number (NDJSON: the 1-based line number;
 * Bundle: the 1-based entry number; a single resource: 1), or, for a bad record,
 * r == NULL and the message in msg. A bad NDJSON line or Bundle entry does not stop
 * the iteration (the caller decides whether to reject the file); a document that is
 * not valid JSON is one error for the whole buffer, with number 0, and then -EINVAL
 * is returned. r is valid only during the call. A non-zero return from fn stops: a
 * negative one is returned as is.
 *
 * Returns the number of records seen (good and bad), or a negative errno. NDJSON is
 * parsed one line at a time: memory does not grow with the number of lines.
 */
typedef int (*fhir_fn)(void *ud, const fhir_resource *r, size_t number, const char *msg);
long fhir_each(const char *buf, size_t len, fhir_fn fn, void *ud);

#endif
