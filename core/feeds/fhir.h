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
 * Mapping notes (docs/input-formats.md; every rule with its BFD source in docs/input-formats.md,
 * "BCDA FHIR"):
 * - An EOB's claim type comes from BFD's own eob-type coding
 *   (https://bluebutton.cms.gov/resources/codesystem/eob-type) and its id prefix
 *   (carrier-, dme-, inpatient-, ...); those two must agree. The generic claim-type
 *   coding (professional / institutional) is read only when neither is there: BFD writes
 *   it loosely (v2 DME and HHA, v1 outpatient carry the other one), so it never
 *   rejects. Part D (eob-type PDE, id prefix pde-) and other types cara does not price
 *   are `skipped`, not errors. claim_id is the id after the prefix's dash, key the whole
 *   id, model FEED_REPLACE, control_number the claim id.
 * - Only ICD-10 diagnoses are kept (ICD-9 codings are ignored); the principal first.
 * - Line amounts: paid is the BB line_nch_pmt_amt (institutional: rev_cntr_pmt_amt_amt;
 *   R4 C4BB "paidtoprovider" when no BB code is given), allowed is line_alowd_chrg_amt
 *   (R4 C4BB "eligible"); absent amounts are 0. Institutional claims carry the
 *   claim-level payment (payment.amount) in claim_paid_cents. Amounts go from JSON
 *   numbers to cents without floating-point arithmetic (see fhir.c, amount_cents).
 * - NPIs: the rendering NPI is the careTeam member an item links with the best role
 *   (performing/rendering, then primary, then any other), and for an institutional
 *   line without one the claim's attending; the billing NPI is the claim's provider /
 *   organization (or a careTeam member of role billing), else the line's organization
 *   NPI (BFD v1: a us-npi extension of the performing member; v2: the linked primary
 *   member), else for DME the supplier. An identifier is an NPI by its system
 *   (us-npi, BB ..._npi_num) or its type (C4BB npi, v2-0203 NPI).
 * - Tiered strictness: a malformed optional field (meta.lastUpdated, a line's HCPCS
 *   code, modifier, place of service or revenue center, an NPI or TIN, a non-principal
 *   diagnosis, a procedure, the bill type or discharge status) is not an error: it is
 *   stored as absent and listed in `warnings` for the caller to report (feed_warn).
 *   Structural errors (not JSON, a required field missing or malformed, an amount that
 *   is not one) fail the resource.
 * - Modifiers made of five 9s ("99999", the sandbox data's placeholder) are skipped, as
 *   are modifier codings of a system other than HCPCS / CPT (R4 BFD adds units there).
 * - Patient: the MBI is the us-mbi identifier BFD marks current (identifier-currency
 *   extension on the identifier, v1, or on its type coding, v2), else the first not
 *   marked historic, else the first; the other valid MBIs are `historic`. A current MBI
 *   that fails the MBI check but is 1-12 digits (BFD's test fixtures' "3456789"; no MBI
 *   is all digits) is kept as the person id with a warning (kept = 1). deceasedBoolean
 *   without a date gives no death date; a non-letter state (the sandbox's FIPS "10")
 *   and a malformed ZIP are ignored, not errors.
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

#define FHIR_HISTORIC_MAX 8                    /* previous MBIs kept per Patient */

enum fhir_kind { FHIR_EOB, FHIR_PATIENT, FHIR_COVERAGE, FHIR_OTHER };

/* A malformed optional field, stored as absent (or, kept = 1, kept as given). */
typedef struct fhir_warning {
    char path[128];           /* its JSON path, e.g. item[0].service.coding[0].code */
    char msg[640];            /* "Resource id: path: \"value\" is not ..." */
    size_t what;              /* msg + what: the message after "Resource id: path: " */
    int kept;                 /* 1: the value was kept as given (a placeholder MBI) */
} fhir_warning;

typedef struct fhir_resource {
    int kind;                 /* enum fhir_kind; callers skip FHIR_OTHER */
    char rtype[41];           /* resourceType as given (truncated), e.g. "Practitioner" */
    char id[65];              /* the resource id */
    char patient_id[65];      /* EOB: patient.reference "Patient/X" -> "X"; Coverage:
                                 beneficiary.reference; Patient: its id */
    char mbi[13];             /* Patient: the current us-mbi identifier (feed_check_mbi) */
    char historic[FHIR_HISTORIC_MAX][13]; /* Patient: its other valid MBIs */
    int n_historic;
    int skipped;              /* EOB of a type cara does not price (Part D, ...): only id,
                                 kind and skip_reason are set */
    char skip_reason[80];     /* e.g. "eob-type PDE" */
    char part;                /* Coverage: 'A', 'B', 'C', 'D', else 0 */
    int cancelled;            /* status "cancelled" (EOB: also claim.adjustment) */
    feed_claim claim;         /* EOB; claim.person_id is left empty (the caller maps
                                 patient_id to an MBI) */
    feed_bene bene;           /* Patient: person_id (the MBI), gender, birth, death,
                                 state, zip; Coverage: enroll_start/end, medicare_status,
                                 dual. Dates absent: CARA_DATE_NONE */
    fhir_warning *warnings;   /* owned; malformed optional fields, in reading order */
    size_t n_warnings;
} fhir_resource;

/*
 * Parse one resource (a JSON object) from buf[0..len). Returns 0 with *out filled
 * (release it with fhir_resource_clear; out->warnings lists the malformed optional
 * fields stored as absent), or -EINVAL with the message in err (and *out cleared,
 * nothing to release), or -ENOMEM. A JSON object of another resourceType is FHIR_OTHER
 * with only id set; an EOB of a type cara does not price is FHIR_EOB with skipped set.
 * Documents nested deeper than FHIR_MAX_DEPTH are refused.
 */
int fhir_parse(const char *buf, size_t len, fhir_resource *out, char *err, size_t errlen);

/* Free what a parsed resource owns (the EOB's lines, the warnings) and reset it. NULL is
 * a no-op. */
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
 * is returned. r (with its lines and warnings) is valid only during the call. A
 * resource with warnings is a good record: the caller reports them (feed_warn) and
 * decides (--strict) whether they reject it. A non-zero return from fn stops: a
 * negative one is returned as is.
 *
 * Returns the number of records seen (good and bad), or a negative errno. NDJSON is
 * parsed one line at a time: memory does not grow with the number of lines.
 */
typedef int (*fhir_fn)(void *ud, const fhir_resource *r, size_t number, const char *msg);
long fhir_each(const char *buf, size_t len, fhir_fn fn, void *ud);

/* fhir_each over a read-only file mapping (util_map_file): as NDJSON is read, the pages
 * of the lines already parsed are given back (util_release_mapped), so the reader's
 * memory does not grow with the file. A Bundle document is parsed whole (its JSON tree
 * is as large as the document: bounded by the file, not streamed); its pages are given
 * back once it is parsed. */
long fhir_each_mapped(const char *buf, size_t len, fhir_fn fn, void *ud);

/* fhir_each_mapped handing each resource over: fn may move *r out with
 * fhir_resource_move (taking its lines and warnings); what it leaves in *r is freed
 * after the call. For a reader that keeps resources past the call (another thread
 * applies them: core/load/fhir_reader.c). */
typedef int (*fhir_take_fn)(void *ud, fhir_resource *r, size_t number, const char *msg);
long fhir_each_mapped_take(const char *buf, size_t len, fhir_take_fn fn, void *ud);

/* 1 when buf[0..len) is NDJSON of more than one line: its lines may then be read in
 * parts, each by fhir_each_ndjson_take (two threads: core/load/fhir_reader.c), and
 * together they hand over what fhir_each_mapped_take does; 0 otherwise (a Bundle, one
 * line, not JSON, empty). *start: where its lines begin (past a UTF-8 BOM). */
int fhir_ndjson_lines(const char *buf, size_t len, size_t *start);

/* The NDJSON lines of buf[from..to) (from at the start of a line, to at the start of one
 * or at the end), numbered from number + 1, handed to fn as fhir_each_mapped_take hands
 * them (blank lines numbered, not handed; a bad line handed as its message). The pages
 * read are not given back: several parts may share one, the caller gives them back
 * once every part that reads them is done. *lines: the lines read, blank ones too (the
 * next part's numbers follow). Records seen, or fn's negative return. */
long fhir_each_ndjson_take(const char *buf, size_t from, size_t to, size_t number,
                           size_t *lines, fhir_take_fn fn, void *ud);

/* Move src into dst (dst's old contents are not freed: clear it first), leaving src
 * empty (nothing to free). */
void fhir_resource_move(fhir_resource *dst, fhir_resource *src);

#endif
