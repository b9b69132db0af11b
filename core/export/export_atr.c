/*
 * export_atr.c: the Da Vinci Member Attribution List (ATR) of an export_data, as a FHIR R4
 * Bundle (type collection) and as bulk NDJSON (docs/exports.md).
 *
 * The profile: Da Vinci - Member Attribution (ATR) List, STU 2 (2.1.0), FHIR 4.0.1,
 * http://hl7.org/fhir/us/davinci-atr/ (the StructureDefinition pages, spec.html "Member
 * Attribution List Data Model requirements"; the IG's source, github HL7/davinci-atr,
 * input/resources/ (the .xml files)). What it asks and where this file does it:
 *
 * Group, http://hl7.org/fhir/us/davinci-atr/StructureDefinition/atr-group (base
 * davinci-patient-list):
 *   meta.lastUpdated 1..1 ................ generated_at
 *   extension ext-attributionListStatus 1..1, valueCode from atr-attribution-list-status
 *     (CodeSystem .../CodeSystem/atr-attribution-list-status: draft | open | final,
 *     extensible) ......................... d->list_status
 *   extension ext-contractValidityPeriod 0..1 valuePeriod (spec.html: Producers SHALL
 *     give the contract's validity period) ... the span of the arrangements in force
 *   identifier 0..*, slices npi (system http://hl7.org/fhir/sid/us-npi) and tin (system
 *     urn:oid:2.16.840.1.113883.4.4); spec.html: SHALL carry the contract identifier, the
 *     ACO identifiers and the provider NPI and/or TIN ... the list, ACO, EBRA, NPI, TIN
 *   type 1..1 fixed person; actual 1..1 fixed true; active, name, quantity MS
 *   managingEntity 1..1 Reference(atr-organization) ... the ACO
 *   member.entity 1..1 Reference(atr-patient); member.period MS (SHALL: the attribution
 *     period); member.inactive MS
 *   member.extension ext-changeType 0..1 valueCode from atr-changetype (CodeSystem
 *     .../CodeSystem/atr-changetype: new | dropped | changed | nochange | cancelled);
 *     its context is Group.member only, so the list-level change goes in meta.tag
 *   member.extension ext-attributedProvider 0..1 valueReference(atr-practitioner |
 *     atr-practitionerrole | atr-organization): one reference, so the NPI and TIN pair is a
 *     PractitionerRole (practitioner 1..1, organization 1..1)
 *   member.extension ext-coverageReference 0..1 valueReference(atr-coverage)
 *   Removals (spec.html): a member no longer attributed SHALL have inactive = true and
 *     changeType dropped; so each d->removed is a member with both.
 * Patient atr-patient (US Core 7 Patient): identifier 1..* (slice MedicareIdentifier,
 *   type v2-0203 MC), name 1..* (cara holds none: a data-absent-reason name, as US Core
 *   allows), gender 1..1.
 * Practitioner atr-practitioner (US Core): identifier (NPI), name 1..*.
 * Organization atr-organization (US Core): identifier, active, name.
 * Coverage atr-coverage: status 1..1 fixed active, subscriberId 1..1, beneficiary 1..1,
 *   period 1..1, payor 1..1, identifier slice MemberIdentifier (type MB; spec.html: SHALL
 *   when known), class slice PlanIdentifier (type coverage-class plan; spec.html: SHALL).
 * Bulk export (spec.html, $davinci-data-export): NDJSON of Group, Patient, Coverage and the
 *   Practitioner, PractitionerRole and Organization resources the members name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "export.h"
#include "export_fhir_common.h"

#define ATR "http://hl7.org/fhir/us/davinci-atr/StructureDefinition/"
#define ATR_GROUP ATR "atr-group"
#define ATR_PATIENT ATR "atr-patient"
#define ATR_PRACTITIONER ATR "atr-practitioner"
#define ATR_ROLE ATR "atr-practitionerrole"
#define ATR_ORG ATR "atr-organization"
#define ATR_COVERAGE ATR "atr-coverage"
#define EXT_CHANGE ATR "ext-changeType"
#define EXT_STATUS ATR "ext-attributionListStatus"
#define EXT_VALIDITY ATR "ext-contractValidityPeriod"
#define EXT_PROVIDER ATR "ext-attributedProvider"
#define EXT_COVERAGE ATR "ext-coverageReference"
#define CS_CHANGE "http://hl7.org/fhir/us/davinci-atr/CodeSystem/atr-changetype"
#define CS_COVERAGE_CLASS "http://terminology.hl7.org/CodeSystem/coverage-class"
#define CS_RELATIONSHIP "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
#define CS_SOPT "https://nahdo.org/sopt"
#define CMS_ORG_ID "cms"

/* What the Bundle holds besides the Group, gathered first so each resource is made once. */
typedef struct atr {
    const export_data *d;
    xf_b b;
    char aco[EXP_SHORT];   /* the managing ACO */
    xf_keys people;      /* members' and removed members' person ids */
    xf_keys covered;     /* persons with an active member: they get a Coverage */
    xf_keys roles;       /* "npi" RS "tin" of the attributed providers (RS: 0x1e) */
    xf_keys npis, tins;  /* Practitioners and TIN Organizations to write */
    xf_keys g_npis, g_tins, g_ebras; /* Group.identifier */
} atr;

static void atr_free(atr *a)
{
    xf_keys *k[] = {&a->people, &a->covered, &a->roles, &a->npis, &a->tins,
                      &a->g_npis, &a->g_tins, &a->g_ebras};
    for (size_t i = 0; i < sizeof k / sizeof *k; i++) xf_keys_free(k[i]);
}

#define RS "\x1e" /* between the NPI and the TIN of a role key: in neither */

/* The PractitionerRole id of an NPI and a TIN: "role-<npi>-<tin>" (NPIs and TINs are
 * digits, so the dash cannot be ambiguous; the keys above are exact either way). */
static const char *role_id(xf_b *b, char out[65], const char *npi, const char *tin)
{
    char raw[2 * EXP_SHORT + 2];
    snprintf(raw, sizeof raw, "%s-%s", npi, tin);
    return xf_id(b, out, "role-", raw);
}

/* The attributed provider of a member: a role when the NPI and the TIN are known. */
static void provider_keys(atr *a, const char *npi, const char *tin)
{
    if (*npi && *tin) {
        char key[2 * EXP_SHORT + 2], id[65];
        snprintf(key, sizeof key, "%s" RS "%s", npi, tin);
        if (strlen(key) >= EXP_SHORT || !role_id(&a->b, id, npi, tin)) {
            xf_fail(&a->b, "the NPI '%s' and TIN '%s' are too long for a FHIR id", npi, tin);
            return;
        }
        xf_keys_add(&a->b, &a->roles, key);
    }
    xf_keys_add(&a->b, &a->npis, npi);
    xf_keys_add(&a->b, &a->tins, tin);
}

/* The one ACO the list is for (its managingEntity): the scope's, else the only one the
 * arrangements and members name. */
static int pick_aco(atr *a)
{
    const export_data *d = a->d;
    xf_keys acos = {0};
    if (d->scope.aco_id) xf_keys_add(&a->b, &acos, d->scope.aco_id);
    for (size_t i = 0; i < d->n_arrs; i++) xf_keys_add(&a->b, &acos, d->arrs[i].aco_id);
    for (size_t i = 0; i < d->n_members; i++) xf_keys_add(&a->b, &acos, d->members[i].aco_id);
    xf_keys_done(&acos);
    if (!a->b.bad && acos.n == 0)
        xf_fail(&a->b, "the ATR list of %s names no ACO for its managingEntity",
                  d->scope_label);
    else if (!a->b.bad && acos.n > 1)
        xf_fail(&a->b, "an ATR list is one ACO's (its managingEntity): %s spans ACOs %s and "
                  "%s; export it for one ACO", d->scope_label, acos.v[0], acos.v[1]);
    else if (!a->b.bad)
        snprintf(a->aco, sizeof a->aco, "%s", acos.v[0]);
    xf_keys_free(&acos);
    return a->b.bad ? -1 : 0;
}

static void gather(atr *a)
{
    const export_data *d = a->d;
    for (size_t i = 0; i < d->n_members; i++) {
        const exp_member *m = &d->members[i];
        xf_keys_add(&a->b, &a->people, m->person_id);
        xf_keys_add(&a->b, &a->covered, m->person_id);
        provider_keys(a, m->npi, m->tin);
        xf_keys_add(&a->b, &a->g_npis, m->npi);
        xf_keys_add(&a->b, &a->g_tins, m->tin);
    }
    for (size_t i = 0; i < d->n_removed; i++) {
        const exp_removed *r = &d->removed[i];
        xf_keys_add(&a->b, &a->people, r->person_id);
        provider_keys(a, r->npi, r->tin);
    }
    for (size_t i = 0; i < d->n_arrs; i++) {
        xf_keys_add(&a->b, &a->g_npis, d->arrs[i].npi);
        xf_keys_add(&a->b, &a->g_tins, d->arrs[i].tin);
        xf_keys_add(&a->b, &a->g_ebras, d->arrs[i].arrangement_id);
    }
    xf_keys *k[] = {&a->people, &a->covered, &a->roles, &a->npis, &a->tins,
                      &a->g_npis, &a->g_tins, &a->g_ebras};
    for (size_t i = 0; i < sizeof k / sizeof *k; i++) xf_keys_done(k[i]);
}

/* ---- the Group ---- */

/* An arrangement that was in force (its dates are the contract's). */
static int in_force(const exp_arrangement *r)
{
    return strcmp(r->status, "offered") != 0 && strcmp(r->status, "declined") != 0;
}

/* contractValidityPeriod: the first start to the last end of the arrangements in force
 * (no end when one is open); NULL when none is. */
static json_t *validity(atr *a)
{
    const char *start = NULL, *end = NULL;
    int open = 0;
    for (size_t i = 0; i < a->d->n_arrs; i++) {
        const exp_arrangement *r = &a->d->arrs[i];
        if (!in_force(r)) continue;
        if (!start || strcmp(r->start_date, start) < 0) start = r->start_date;
        if (!r->end_date[0])
            open = 1;
        else if (!end || strcmp(r->end_date, end) > 0)
            end = r->end_date;
    }
    if (!start) return NULL;
    return xf_ext(&a->b, EXT_VALIDITY, "valuePeriod",
                    xf_period(&a->b, start, open ? NULL : end));
}

/* new -> new, change -> changed (the IG's code), nochange -> nochange */
static const char *change_code(xf_b *b, const exp_member *m)
{
    if (strcmp(m->change_type, "new") == 0) return "new";
    if (strcmp(m->change_type, "change") == 0 || strcmp(m->change_type, "changed") == 0)
        return "changed";
    if (strcmp(m->change_type, "nochange") == 0) return "nochange";
    xf_fail(b, "ATR member %s (%s): change_type '%s' is not new, change or nochange",
              m->person_id, m->arrangement_id, m->change_type);
    return NULL;
}

/* The attributedProvider reference: the PractitionerRole of an NPI and TIN, else the
 * Practitioner or the TIN's Organization alone; NULL when neither is known. */
static json_t *provider_ref(atr *a, const char *npi, const char *tin)
{
    char id[65];
    const exp_arrangement *r = *npi ? xf_arr_of(a->d, npi, NULL) : NULL;
    const char *display = r && r->provider_name && *r->provider_name ? r->provider_name : NULL;
    if (*npi && *tin)
        return role_id(&a->b, id, npi, tin) ? xf_ref(&a->b, "PractitionerRole", id, display)
                                            : NULL;
    if (*npi) return xf_npi_id(&a->b, id, npi) ? xf_ref(&a->b, "Practitioner", id, display)
                                                 : NULL;
    if (*tin) return xf_tin_id(&a->b, id, tin) ? xf_ref(&a->b, "Organization", id, NULL)
                                                 : NULL;
    return NULL;
}

static json_t *member(atr *a, const char *person, const char *code, const char *npi,
                      const char *tin, const char *start, const char *end, int inactive)
{
    xf_b *b = &a->b;
    char pid[65], cid[65];
    if (!xf_id(b, pid, "", person)) return NULL;
    json_t *m = json_object();
    if (!m) return xf_oom(b);
    xf_push(b, m, "extension", xf_ext(b, EXT_CHANGE, "valueCode", xf_str(b, code)));
    if (xf_keys_has(&a->covered, person) && xf_id(b, cid, "cov-", person))
        xf_push(b, m, "extension",
                  xf_ext(b, EXT_COVERAGE, "valueReference", xf_ref(b, "Coverage", cid, NULL)));
    json_t *prov = provider_ref(a, npi, tin);
    if (prov) xf_push(b, m, "extension", xf_ext(b, EXT_PROVIDER, "valueReference", prov));
    xf_set(b, m, "entity", xf_ref(b, "Patient", pid, NULL));
    if (*start || *end) xf_set(b, m, "period", xf_period(b, start, end));
    xf_set(b, m, "inactive", json_boolean(inactive));
    if (b->bad) {
        json_decref(m);
        return NULL;
    }
    return m;
}

/* The list's change against the previous export, as an atr-changetype code in meta.tag:
 * new (no previous export), changed (a member new, changed or dropped), nochange. */
static const char *list_change(const export_data *d)
{
    if (d->previous_export == 0) return "new";
    if (d->n_removed) return "changed";
    for (size_t i = 0; i < d->n_members; i++)
        if (strcmp(d->members[i].change_type, "nochange") != 0) return "changed";
    return "nochange";
}

static json_t *group(atr *a)
{
    xf_b *b = &a->b;
    const export_data *d = a->d;
    char key[320], id[65], aco_id[65], name[400];
    xf_scope_key(d, a->aco, key, sizeof key);
    if (!xf_id(b, id, "atr-", key) || !xf_aco_id(b, aco_id, a->aco)) return NULL;
    if (!d->list_status[0]) return xf_fail(b, "the ATR list of %s has no status (list_status)",
                                             d->scope_label);

    json_t *g = xf_resource(b, "Group", id, ATR_GROUP, d->generated_at);
    if (!g) return NULL;
    json_t *meta = json_object_get(g, "meta");
    xf_push(b, meta, "tag", xf_coding(b, CS_CHANGE, list_change(d), NULL));

    json_t *v = validity(a);
    if (v) xf_push(b, g, "extension", v);
    xf_push(b, g, "extension", xf_ext(b, EXT_STATUS, "valueCode", xf_str(b, d->list_status)));

    xf_push(b, g, "identifier", xf_identifier(b, NULL, NULL, CARA_SID_LIST, key));
    xf_push(b, g, "identifier", xf_identifier(b, NULL, NULL, CARA_SID_ACO, a->aco));
    for (size_t i = 0; i < a->g_ebras.n; i++)
        xf_push(b, g, "identifier", xf_identifier(b, NULL, NULL, CARA_SID_EBRA, a->g_ebras.v[i]));
    for (size_t i = 0; i < a->g_npis.n; i++)
        xf_push(b, g, "identifier", xf_identifier(b, "NPI", "National provider identifier",
                                                      SID_NPI, a->g_npis.v[i]));
    for (size_t i = 0; i < a->g_tins.n; i++)
        xf_push(b, g, "identifier",
                  xf_identifier(b, "TAX", "Tax ID number", SID_TIN, a->g_tins.v[i]));

    const exp_aco *aco = xf_aco(d, a->aco);
    snprintf(name, sizeof name, "CARA attribution list, %s", d->scope_label);
    xf_set(b, g, "active", json_true());
    xf_set_s(b, g, "type", "person");
    xf_set(b, g, "actual", json_true());
    xf_set_s(b, g, "name", name);
    xf_set(b, g, "quantity", json_integer((json_int_t)d->n_members));
    xf_set(b, g, "managingEntity",
             xf_ref(b, "Organization", aco_id, aco && aco->name && *aco->name ? aco->name : NULL));

    for (size_t i = 0; i < d->n_members && !b->bad; i++) {
        const exp_member *m = &d->members[i];
        const char *code = change_code(b, m);
        if (code)
            xf_push(b, g, "member", member(a, m->person_id, code, m->npi, m->tin, m->start,
                                             m->end, 0));
    }
    for (size_t i = 0; i < d->n_removed && !b->bad; i++) {
        const exp_removed *r = &d->removed[i];
        xf_push(b, g, "member", member(a, r->person_id, "dropped", r->npi, r->tin, "", "", 1));
    }
    if (b->bad) {
        json_decref(g);
        return NULL;
    }
    return g;
}

/* ---- the other resources ---- */

static json_t *patient(atr *a, const char *person_id)
{
    xf_b *b = &a->b;
    char id[65];
    if (!xf_id(b, id, "", person_id)) return NULL;
    const exp_person *p = xf_person(a->d, person_id);
    const char *gender = p && p->gender[0] ? p->gender : "unknown";
    if (strcmp(gender, "male") && strcmp(gender, "female") && strcmp(gender, "other")
        && strcmp(gender, "unknown"))
        return xf_fail(b, "person %s: gender '%s' is not male, female, other or unknown",
                         person_id, gender);
    json_t *o = xf_resource(b, "Patient", id, ATR_PATIENT, NULL);
    xf_push(b, o, "identifier", xf_identifier(b, "MC", "Patient's Medicare number", SID_MBI,
                                                  person_id));
    json_t *name = json_object();
    xf_push(b, name, "extension", xf_ext(b, EXT_DAR, "valueCode", xf_str(b, "unknown")));
    xf_push(b, o, "name", name);
    xf_set_s(b, o, "gender", gender);
    if (p && p->birth_date[0] && xf_date_ok(b, "a birth date", p->birth_date))
        xf_set_s(b, o, "birthDate", p->birth_date);
    if (p && p->death_date[0] && xf_date_ok(b, "a death date", p->death_date))
        xf_set_s(b, o, "deceasedDateTime", p->death_date);
    if (p && (p->state[0] || p->zip_code[0])) {
        json_t *addr = json_object();
        xf_set_s(b, addr, "state", p->state);
        xf_set_s(b, addr, "postalCode", p->zip_code);
        xf_set_s(b, addr, "country", "US");
        xf_push(b, o, "address", addr);
    }
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The beneficiary's Medicare fee-for-service coverage, for the span of its members'
 * periods (cara holds no enrollment dates for the list; the periods are when the
 * beneficiary is known covered). */
static json_t *coverage(atr *a, const char *person_id)
{
    xf_b *b = &a->b;
    char id[65], pid[65];
    const char *start = NULL, *end = NULL;
    int open = 0;
    for (size_t i = 0; i < a->d->n_members; i++) {
        const exp_member *m = &a->d->members[i];
        if (strcmp(m->person_id, person_id) != 0) continue;
        if (m->start[0] && (!start || strcmp(m->start, start) < 0)) start = m->start;
        if (!m->end[0])
            open = 1;
        else if (!end || strcmp(m->end, end) > 0)
            end = m->end;
    }
    if (!xf_id(b, id, "cov-", person_id) || !xf_id(b, pid, "", person_id)) return NULL;
    json_t *o = xf_resource(b, "Coverage", id, ATR_COVERAGE, NULL);
    xf_push(b, o, "identifier", xf_identifier(b, "MB", "Member Number", SID_MBI, person_id));
    xf_set_s(b, o, "status", "active");
    xf_set(b, o, "type", xf_concept(b, CS_SOPT, "1", "MEDICARE", "Medicare"));
    xf_set(b, o, "subscriber", xf_ref(b, "Patient", pid, NULL));
    xf_set_s(b, o, "subscriberId", person_id);
    xf_set(b, o, "beneficiary", xf_ref(b, "Patient", pid, NULL));
    xf_set(b, o, "relationship", xf_concept(b, CS_RELATIONSHIP, "self", "Self", NULL));
    xf_set(b, o, "period", xf_period(b, start, open ? NULL : end));
    xf_push(b, o, "payor", xf_ref(b, "Organization", CMS_ORG_ID,
                                      "Centers for Medicare & Medicaid Services"));
    json_t *cls = json_object();
    xf_set(b, cls, "type", xf_concept(b, CS_COVERAGE_CLASS, "plan", "Plan", NULL));
    xf_set_s(b, cls, "value", "medicare-ffs");
    xf_set_s(b, cls, "name", "Medicare fee-for-service (Parts A and B)");
    xf_push(b, o, "class", cls);
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *role(atr *a, const char *key)
{
    xf_b *b = &a->b;
    char id[65], npi_id[65], tin_id[65], npi[EXP_SHORT];
    const char *sep = strchr(key, RS[0]);
    size_t n = sep ? (size_t)(sep - key) : 0;
    memcpy(npi, key, n);
    npi[n] = '\0';
    const char *tin = sep ? sep + 1 : "";
    if (!role_id(b, id, npi, tin) || !xf_npi_id(b, npi_id, npi) || !xf_tin_id(b, tin_id, tin))
        return NULL;
    const exp_arrangement *r = xf_arr_of(a->d, npi, tin);
    json_t *o = xf_resource(b, "PractitionerRole", id, ATR_ROLE, NULL);
    xf_set(b, o, "active", json_true());
    xf_set(b, o, "practitioner",
             xf_ref(b, "Practitioner", npi_id, r && r->provider_name ? r->provider_name : NULL));
    xf_set(b, o, "organization", xf_ref(b, "Organization", tin_id, NULL));
    if (r && r->specialty[0]) {
        json_t *sp = json_object();
        xf_set_s(b, sp, "text", r->specialty);
        xf_push(b, o, "specialty", sp);
    }
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *cms(xf_b *b)
{
    json_t *o = xf_resource(b, "Organization", CMS_ORG_ID, ATR_ORG, NULL);
    xf_set(b, o, "active", json_true());
    xf_push(b, o, "type", xf_concept(b, CS_ORG_TYPE, "pay", "Payer", NULL));
    xf_set_s(b, o, "name", "Centers for Medicare & Medicaid Services");
    if (b->bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The Bundle, or NULL with the error in b. */
static json_t *atr_build(const export_data *d, xf_b *b)
{
    atr a = {.d = d, .b = *b};
    json_t *bundle = NULL;
    char key[320], id[65];
    xf_b *ab = &a.b;

    if (pick_aco(&a) != 0) goto out;
    gather(&a);
    xf_scope_key(d, a.aco, key, sizeof key);
    if (!xf_id(ab, id, "atr-", key)) goto out;
    bundle = xf_bundle(ab, id, d->generated_at);
    xf_bundle_add(ab, bundle, group(&a));
    for (size_t i = 0; i < a.people.n && !ab->bad; i++)
        xf_bundle_add(ab, bundle, patient(&a, a.people.v[i]));
    for (size_t i = 0; i < a.covered.n && !ab->bad; i++)
        xf_bundle_add(ab, bundle, coverage(&a, a.covered.v[i]));
    for (size_t i = 0; i < a.npis.n && !ab->bad; i++)
        xf_bundle_add(ab, bundle, xf_practitioner(ab, d, a.npis.v[i], ATR_PRACTITIONER));
    for (size_t i = 0; i < a.roles.n && !ab->bad; i++)
        xf_bundle_add(ab, bundle, role(&a, a.roles.v[i]));
    if (!ab->bad) xf_bundle_add(ab, bundle, xf_org_aco(ab, d, a.aco, ATR_ORG));
    for (size_t i = 0; i < a.tins.n && !ab->bad; i++)
        xf_bundle_add(ab, bundle, xf_org_tin(ab, d, a.tins.v[i], ATR_ORG));
    if (!ab->bad && a.covered.n) xf_bundle_add(ab, bundle, cms(ab));
out:
    atr_free(&a);
    *b = a.b;
    if (b->bad) {
        json_decref(bundle);
        return NULL;
    }
    return bundle;
}

json_t *export_atr_bundle(const export_data *d, char *err, size_t errlen)
{
    xf_b b;
    xf_b_init(&b, err, errlen);
    return atr_build(d, &b);
}

int export_atr_ndjson(const export_data *d, FILE *f, char *err, size_t errlen)
{
    xf_b b;
    xf_b_init(&b, err, errlen);
    json_t *bundle = atr_build(d, &b);
    if (!bundle) return b.rc;
    json_t *entries = json_object_get(bundle, "entry");
    size_t i;
    json_t *e;
    int rc = 0;
    json_array_foreach(entries, i, e) {
        json_t *res = json_object_get(e, "resource");
        if (json_dumpf(res, f, JSON_COMPACT | EXPORT_FHIR_JSON_FLAGS) != 0 || fputc('\n', f) == EOF) {
            snprintf(err, errlen, "writing the ATR NDJSON failed at resource %zu of %zu",
                     i + 1, json_array_size(entries));
            rc = -EIO;
            break;
        }
    }
    if (rc == 0 && (fflush(f) != 0 || ferror(f))) {
        snprintf(err, errlen, "writing the ATR NDJSON failed: %s", strerror(errno));
        rc = -EIO;
    }
    json_decref(bundle);
    return rc;
}
