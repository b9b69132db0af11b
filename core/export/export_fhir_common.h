/*
 * export_fhir_common.h: what the Da Vinci writers (export_atr.c, export_vbpr.c) share:
 * cara's FHIR naming (the base of fullUrls, its identifier and code systems), FHIR ids
 * made safely from cara ids, exact decimals from integer cents, the small JSON pieces
 * (Coding, Identifier, Reference, Extension, Period, meta) and the Organization and
 * Practitioner resources both Bundles carry. Internal to core/export/.
 *
 * References: every resource goes in a Bundle entry whose fullUrl is
 * FHIR_BASE "/" Type "/" id, and references are relative ("Type/id"), so they resolve
 * inside the Bundle (FHIR R4 Bundle, "Resolving references in Bundles") and stay valid in
 * bulk NDJSON, where relative references are the rule.
 *
 * Errors: the builders take a xf_b that records the first error (a name and a value,
 * or "out of memory") and make every later call a no-op that returns NULL; a writer
 * checks xf_b.bad once at the end. Pieces given a NULL child drop it and mark the
 * builder bad, so no call needs its own check.
 */
#ifndef CARA_EXPORT_FHIR_COMMON_H
#define CARA_EXPORT_FHIR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "export.h"

/* cara's own names (no registered ones exist for these): the fullUrl base, the systems of
 * cara's identifiers and of the codes the Da Vinci value sets lack. */
#define FHIR_BASE "http://cara.example/fhir"
#define CARA_SID_ACO FHIR_BASE "/sid/aco-id"
#define CARA_SID_EBRA FHIR_BASE "/sid/ebra-id"
#define CARA_SID_LIST FHIR_BASE "/sid/atr-list"
#define CARA_CS_METRIC FHIR_BASE "/CodeSystem/vbp-metric"
#define CARA_CS_CAP FHIR_BASE "/CodeSystem/cap-applied"
#define CARA_CS_STATUS FHIR_BASE "/CodeSystem/reconciliation-status"

/* Registered systems. */
#define SID_NPI "http://hl7.org/fhir/sid/us-npi"
#define SID_MBI "http://hl7.org/fhir/sid/us-mbi"
#define SID_TIN "urn:oid:2.16.840.1.113883.4.4"
#define CS_V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"
#define CS_ORG_TYPE "http://terminology.hl7.org/CodeSystem/organization-type"
#define EXT_DAR "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
#define UCUM "http://unitsofmeasure.org"

/* The largest |value| xf_decimal writes exactly: 15 significant digits (DBL_DIG). */
#define FHIR_DECIMAL_MAX INT64_C(999999999999999)

typedef struct xf_b {
    int bad;                 /* set by the first error */
    int rc;                  /* its code: -EINVAL (the data), -ENOMEM */
    char *err;               /* the writer's err buffer */
    size_t errlen;
} xf_b;

void xf_b_init(xf_b *b, char *err, size_t errlen);
/* Record "out of memory" (rc -ENOMEM) unless an error is recorded already; NULL. */
json_t *xf_oom(xf_b *b);
/* Record an error (printf-style, rc -EINVAL) unless one is recorded already; returns
 * NULL. */
json_t *xf_fail(xf_b *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A FHIR id (R4 id: [A-Za-z0-9-.]{1,64}) for prefix + raw into out: letters, digits and
 * '-' are kept, every other byte (including '.') becomes '.' and two hex digits, so two
 * different raw values never give the same id. Returns out, or NULL (error recorded)
 * when raw is empty or the id would pass 64 characters. out holds 65 bytes.
 */
const char *xf_id(xf_b *b, char out[65], const char *prefix, const char *raw);

/* "Type/id" into out (160 bytes); returns out. */
const char *xf_refstr(char out[160], const char *type, const char *id);

/*
 * v / 10^scale as a JSON number that prints exactly (v = 1741544, scale 2 -> 17415.44),
 * given the dump precision EXPORT_FHIR_JSON_FLAGS sets: the double nearest v / 10^scale
 * printed with 15 significant digits is that decimal, for |v| <= FHIR_DECIMAL_MAX
 * (scale 0..4). Trailing zeros of the fraction are not written (1741540 -> 17415.4,
 * 100 -> 1.0): the JSON number has the exact value. Out of range: NULL, error recorded.
 */
json_t *xf_decimal(xf_b *b, int64_t v, int scale);
/* {"value":cents/100,"currency":"USD"} (FHIR Money). */
json_t *xf_money(xf_b *b, int64_t cents);

/* Check s is a FHIR date (strict YYYY-MM-DD, date_parse); records "what: value". */
int xf_date_ok(xf_b *b, const char *what, const char *s);
/* Check s is a FHIR instant (YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm|-hh:mm)). */
int xf_instant_ok(xf_b *b, const char *what, const char *s);

/* Pieces (NULL arguments that are optional are noted; "" counts as absent). */
json_t *xf_str(xf_b *b, const char *s);
/* Set o[key] = v (v's reference taken); a NULL v marks b bad. Returns o. */
json_t *xf_set(xf_b *b, json_t *o, const char *key, json_t *v);
/* Set o[key] = s when s is not empty. */
json_t *xf_set_s(xf_b *b, json_t *o, const char *key, const char *s);
/* Append v to the array o[key], making it on first use. */
json_t *xf_push(xf_b *b, json_t *o, const char *key, json_t *v);
/* {"system","code","display"?} */
json_t *xf_coding(xf_b *b, const char *system, const char *code, const char *display);
/* {"coding":[coding],"text"?} */
json_t *xf_concept(xf_b *b, const char *system, const char *code, const char *display,
                     const char *text);
/* {"use":"official","type"?: v2-0203 type_code,"system","value"} (type_code may be NULL) */
json_t *xf_identifier(xf_b *b, const char *type_code, const char *type_display,
                        const char *system, const char *value);
/* {"reference":"Type/id","display"?} */
json_t *xf_ref(xf_b *b, const char *type, const char *id, const char *display);
/* {"url":url, vkey:v} */
json_t *xf_ext(xf_b *b, const char *url, const char *vkey, json_t *v);
/* {"start"?,"end"?}: dates are checked (xf_date_ok) and "" left out */
json_t *xf_period(xf_b *b, const char *start, const char *end);
/* A resource {"resourceType","id","meta":{"lastUpdated"?,"profile":[profile]}}. */
json_t *xf_resource(xf_b *b, const char *type, const char *id, const char *profile,
                      const char *last_updated);

/* A Bundle type collection: id, meta.lastUpdated and timestamp from generated_at. */
json_t *xf_bundle(xf_b *b, const char *id, const char *generated_at);
/* Add resource (reference taken) as an entry with fullUrl FHIR_BASE/Type/id. */
void xf_bundle_add(xf_b *b, json_t *bundle, json_t *resource);

/* A sorted set of short strings (ids, NPIs, TINs) for the distinct resources a Bundle
 * needs. xf_keys_add copies (empty strings ignored); xf_keys_done sorts and drops
 * duplicates; xf_keys_has is a binary search after done. */
typedef struct xf_keys {
    char (*v)[EXP_SHORT];
    size_t n, cap;
} xf_keys;
void xf_keys_add(xf_b *b, xf_keys *k, const char *s);
void xf_keys_done(xf_keys *k);
int xf_keys_has(const xf_keys *k, const char *s);
void xf_keys_free(xf_keys *k);

/*
 * The scope as an id part into out: the parts that are set, in this order, joined by
 * '-': "aco-<id>" (aco, the managing ACO, when given), "ebra-<id>", "npi-<npi>",
 * "tmpl-<template>", "py-<year>"; "all" when none is. Returns out.
 */
const char *xf_scope_key(const export_data *d, const char *aco, char *out, size_t n);

/* The lookups of export.h, done here (binary search on the sorted arrays, linear on an
 * unsorted one) so the writers stand alone. NULL when absent. */
const exp_person *xf_person(const export_data *d, const char *person_id);
const exp_aco *xf_aco(const export_data *d, const char *aco_id);
/* The first arrangement naming npi (and tin, when tin is not NULL), or NULL. */
const exp_arrangement *xf_arr_of(const export_data *d, const char *npi, const char *tin);

/*
 * The shared resources, with profile as meta.profile (ATR's or US Core's):
 * - Organization "aco-<id>": the ACO (identifier CARA_SID_ACO, name from d->acos, else
 *   "ACO <id>"), active, type prov.
 * - Organization "tin-<tin>": a TIN (identifier SID_TIN typed TAX; name "TIN <tin>",
 *   cara holding no legal name for it), active.
 * - Practitioner "npi-<npi>": identifier SID_NPI typed NPI; name text the arrangement's
 *   provider_name with family the part before a comma, else the last word; no name
 *   known: a data-absent-reason name.
 * Each returns a new resource or NULL (error recorded).
 */
json_t *xf_org_aco(xf_b *b, const export_data *d, const char *aco_id, const char *profile);
json_t *xf_org_tin(xf_b *b, const export_data *d, const char *tin, const char *profile);
json_t *xf_practitioner(xf_b *b, const export_data *d, const char *npi,
                          const char *profile);
/* The ids of those resources into out (65 bytes); NULL (error recorded) when too long. */
const char *xf_aco_id(xf_b *b, char out[65], const char *aco_id);
const char *xf_tin_id(xf_b *b, char out[65], const char *tin);
const char *xf_npi_id(xf_b *b, char out[65], const char *npi);

#endif
