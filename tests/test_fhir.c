/*
 * tests/test_fhir.c: BCDA FHIR resources into feed records: hand-written DSTU3 and R4
 * ExplanationOfBenefits, a Patient, Coverages, the errors (each naming the resource,
 * the JSON path and the value), NDJSON iteration past a bad line, and CMS's sandbox
 * sample (shared/reference/bcda, read out by hand).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "fhir.h"
#include "suites.h"
#include "util.h"

#define ADJ(var) "{\"category\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/codesystem/adjudication\",\"code\":\"https://bluebutton.cms.gov/resources/variables/" var "\"}]},\"amount\":"
#define C4BB(code) "{\"category\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication\",\"code\":\"" code "\"}]},\"amount\":"
#define NPI(v) "{\"identifier\":{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"" v "\"}}"
#define HCPCS "https://bluebutton.cms.gov/resources/codesystem/hcpcs"

/* DSTU3 (BCDA v1): careTeamLinkId, service, servicedPeriod, a tax_num extension. */
static const char dstu3_carrier[] =
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-C0000000001\","
    "\"meta\":{\"lastUpdated\":\"2024-03-01T10:00:00.500-05:00\"},\"status\":\"active\","
    "\"type\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/codesystem/eob-type\",\"code\":\"CARRIER\"},"
    "{\"system\":\"http://hl7.org/fhir/ex-claimtype\",\"code\":\"professional\"}]},"
    "\"patient\":{\"reference\":\"Patient/-19990000001\"},"
    "\"billablePeriod\":{\"start\":\"2024-02-01\",\"end\":\"2024-02-03\"},"
    "\"careTeam\":[{\"sequence\":1,\"provider\":" NPI("1993999998") ",\"role\":{\"coding\":[{\"code\":\"assist\"}]}},"
    "{\"sequence\":2,\"provider\":" NPI("1234567893") ",\"role\":{\"coding\":[{\"code\":\"primary\"}]},"
    "\"extension\":[{\"url\":\"https://bluebutton.cms.gov/resources/variables/tax_num\",\"valueCoding\":{\"code\":\"123456789\"}}]}],"
    "\"diagnosis\":[{\"sequence\":2,\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"W19.XXXA\"}]}},"
    "{\"sequence\":1,\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"S72.001A\"}]},"
    "\"type\":[{\"coding\":[{\"code\":\"principal\"}]}]},"
    "{\"sequence\":3,\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-9-cm\",\"code\":\"8200\"}]}}],"
    "\"item\":[{\"sequence\":1,\"careTeamLinkId\":[1,2],\"service\":{\"coding\":[{\"system\":\"" HCPCS "\",\"code\":\"97161\"}]},"
    "\"modifier\":[{\"coding\":[{\"system\":\"" HCPCS "\",\"code\":\"GP\"}]}],"
    "\"servicedPeriod\":{\"start\":\"2024-02-01\",\"end\":\"2024-02-01\"},"
    "\"locationCodeableConcept\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd\",\"code\":\"11\"}]},"
    "\"adjudication\":[" ADJ("line_nch_pmt_amt") "{\"value\":80.12}}," ADJ("line_alowd_chrg_amt") "{\"value\":100.5}}]},"
    "{\"sequence\":2,\"careTeamLinkId\":[1],\"service\":{\"coding\":[{\"system\":\"" HCPCS "\",\"code\":\"97110\"}]},"
    "\"servicedPeriod\":{\"start\":\"2024-02-03\",\"end\":\"2024-02-03\"},"
    "\"adjudication\":[" ADJ("line_alowd_chrg_amt") "{\"value\":30}}]}]}";

/* R4 (BCDA v2): careTeamSequence, productOrService, servicedDate, C4BB categories, the
 * TIN on the claim's provider. */
static const char r4_carrier[] =
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-C0000000002\","
    "\"meta\":{\"lastUpdated\":\"2024-03-01T15:00:00Z\"},\"status\":\"active\","
    "\"type\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/claim-type\",\"code\":\"professional\"},"
    "{\"system\":\"https://bluebutton.cms.gov/resources/codesystem/eob-type\",\"code\":\"CARRIER\"}]},"
    "\"patient\":{\"reference\":\"Patient/-19990000001\"},"
    "\"billablePeriod\":{\"start\":\"2024-02-01\",\"end\":\"2024-02-03\"},"
    "\"provider\":{\"identifier\":{\"system\":\"https://bluebutton.cms.gov/resources/variables/tax_num\",\"value\":\"987654321\"}},"
    "\"careTeam\":[{\"sequence\":1,\"provider\":" NPI("1003347634") ",\"role\":{\"coding\":[{\"code\":\"referring\"}]}},"
    "{\"sequence\":2,\"provider\":" NPI("1528060837") ",\"role\":{\"coding\":[{\"code\":\"performing\"}]}}],"
    "\"diagnosis\":[{\"sequence\":1,\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"R26.81\"}]},"
    "\"type\":[{\"coding\":[{\"code\":\"principal\"}]}]}],"
    "\"item\":[{\"sequence\":1,\"careTeamSequence\":[1,2],\"productOrService\":{\"coding\":[{\"system\":\"" HCPCS "\",\"code\":\"97161\"}]},"
    "\"servicedDate\":\"2024-02-01\","
    "\"locationCodeableConcept\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd\",\"code\":\"11\"}]},"
    "\"adjudication\":[" C4BB("paidtoprovider") "{\"value\":1.0}}," ADJ("line_nch_pmt_amt") "{\"value\":64.1}},"
    C4BB("eligible") "{\"value\":80.13}}]},"
    "{\"sequence\":2,\"careTeamSequence\":[1],\"productOrService\":{\"coding\":[{\"system\":\"" HCPCS "\",\"code\":\"97110\"}]},"
    "\"servicedDate\":\"2024-02-03\",\"adjudication\":[" C4BB("paidtoprovider") "{\"value\":20}}]}]}";

static const char dstu3_inpatient[] =
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"inpatient-I0000000001\",\"status\":\"active\","
    "\"extension\":[{\"url\":\"https://bluebutton.cms.gov/resources/variables/clm_srvc_clsfctn_type_cd\",\"valueCoding\":{\"code\":\"1\"}},"
    "{\"url\":\"https://bluebutton.cms.gov/resources/variables/clm_freq_cd\",\"valueCoding\":{\"code\":\"1\"}},"
    "{\"url\":\"https://bluebutton.cms.gov/resources/variables/ptnt_dschrg_stus_cd\",\"valueCoding\":{\"code\":\"3\"}}],"
    "\"facility\":{\"extension\":[{\"url\":\"https://bluebutton.cms.gov/resources/variables/clm_fac_type_cd\",\"valueCoding\":{\"code\":\"1\"}}]},"
    "\"organization\":" NPI("1003347634") ","
    "\"type\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/codesystem/eob-type\",\"code\":\"INPATIENT\"}]},"
    "\"patient\":{\"reference\":\"Patient/-19990000001\"},"
    "\"billablePeriod\":{\"start\":\"2024-01-10\",\"end\":\"2024-01-15\"},"
    "\"hospitalization\":{\"start\":\"2024-01-10\",\"end\":\"2024-01-15T11:00:00-05:00\"},"
    "\"diagnosis\":[{\"sequence\":1,\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"S72.001A\"}]},"
    "\"type\":[{\"coding\":[{\"code\":\"principal\"}]}]}],"
    "\"procedure\":[{\"sequence\":1,\"procedureCodeableConcept\":{\"coding\":[{\"system\":\"http://www.cms.gov/Medicare/Coding/ICD10\",\"code\":\"0QS604Z\"}]}}],"
    "\"item\":[{\"sequence\":1,\"revenue\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/variables/rev_cntr\",\"code\":\"0120\"}]},"
    "\"servicedDate\":\"2024-01-10\",\"adjudication\":[" ADJ("rev_cntr_pmt_amt_amt") "{\"value\":15000}}]}]}";

static const char cancelled_hha[] =
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"hha-H0000000001\",\"status\":\"cancelled\","
    "\"meta\":{\"lastUpdated\":\"1970-01-01T00:00:01.5Z\"},"
    "\"patient\":{\"reference\":\"Patient/p1\"},\"billablePeriod\":{\"start\":\"2024-01-01\",\"end\":\"2024-01-31\"}}";

static const char patient[] =
    "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":\"https://bluebutton.cms.gov/resources/variables/bene_id\",\"value\":\"p1\"},"
    "{\"system\":\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"1EG4TE5MK73\"}],\"gender\":\"male\","
    "\"birthDate\":\"1950-04-02\",\"deceasedDateTime\":\"2024-05-06T07:08:09+02:00\","
    "\"address\":[{\"state\":\"MA\",\"postalCode\":\"02139-1234\"}]}";

static const char coverage[] =
    "{\"resourceType\":\"Coverage\",\"id\":\"part-b-p1\",\"status\":\"active\","
    "\"extension\":[{\"url\":\"https://bluebutton.cms.gov/resources/variables/ms_cd\",\"valueCoding\":{\"code\":\"20\"}},"
    "{\"url\":\"https://bluebutton.cms.gov/resources/variables/dual_01\",\"valueCoding\":{\"code\":\"02\"}},"
    "{\"url\":\"https://bluebutton.cms.gov/resources/variables/dual_06\",\"valueCoding\":{\"code\":\"04\"}},"
    "{\"url\":\"https://bluebutton.cms.gov/resources/variables/dual_12\",\"valueCoding\":{\"code\":\"NA\"}}],"
    "\"beneficiary\":{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2020-01-01\"},"
    "\"class\":[{\"type\":{\"coding\":[{\"code\":\"plan\"}]},\"value\":\"Part B\"}]}";

/* s with the first `from` replaced by `to` (malloc'ed); `from` must occur. */
static char *subst(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    ck_assert_msg(at != NULL, "fixture lacks %s", from);
    size_t n = strlen(s) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n + 1, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

static int parse_ok(const char *json, fhir_resource *r)
{
    char err[512];
    int rc = fhir_parse(json, strlen(json), r, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    return rc;
}

/* fhir_parse of s with from -> to must fail with a message containing each of want. */
static void expect_error(const char *s, const char *from, const char *to, const char *const *want)
{
    char *json = subst(s, from, to), err[512];
    fhir_resource r;
    ck_assert_int_eq(fhir_parse(json, strlen(json), &r, err, sizeof err), -EINVAL);
    for (; *want; want++) ck_assert_msg(strstr(err, *want) != NULL, "\"%s\" not in: %s", *want, err);
    free(json);
}

START_TEST(test_dstu3_carrier)
{
    fhir_resource r;
    parse_ok(dstu3_carrier, &r);
    const feed_claim *c = &r.claim;
    ck_assert_int_eq(r.kind, FHIR_EOB);
    ck_assert_str_eq(r.id, "carrier-C0000000001");
    ck_assert_str_eq(r.patient_id, "-19990000001");
    ck_assert_str_eq(c->claim_id, "C0000000001");
    ck_assert_str_eq(c->key, "carrier-C0000000001");
    ck_assert_int_eq(c->type, FEED_PROFESSIONAL);
    ck_assert_str_eq(c->person_id, "");
    ck_assert_int_eq(c->adjustment, FEED_ORIGINAL);
    ck_assert_int_eq(c->start, date_from_ymd(2024, 2, 1));
    ck_assert_int_eq(c->end, date_from_ymd(2024, 2, 3));
    ck_assert_int_eq(c->admission, CARA_DATE_NONE);
    /* 10:00:00.500-05:00 is 15:00:00.500Z */
    ck_assert_int_eq(c->version, (int64_t)date_from_ymd(2024, 3, 1) * 86400000 + 15 * 3600000 + 500);
    ck_assert_int_eq(c->n_dx, 2); /* the ICD-9 code is ignored */
    ck_assert_str_eq(c->dx[0], "S72001A");
    ck_assert_str_eq(c->dx[1], "W19XXXA");
    ck_assert_uint_eq(c->n_lines, 2);
    const feed_line *l = &c->lines[0];
    ck_assert_int_eq(l->number, 1);
    ck_assert_str_eq(l->hcpcs, "97161");
    ck_assert_str_eq(l->mods[0], "GP");
    ck_assert_str_eq(l->mods[1], "");
    ck_assert_str_eq(l->pos, "11");
    ck_assert_str_eq(l->rendering_npi, "1234567893"); /* the primary of the two linked */
    ck_assert_str_eq(l->rendering_tin, "123456789");
    ck_assert_str_eq(l->billing_npi, "");
    ck_assert_int_eq(l->paid_cents, 8012);
    ck_assert_int_eq(l->allowed_cents, 10050);
    ck_assert_int_eq(l->start, date_from_ymd(2024, 2, 1));
    l = &c->lines[1];
    ck_assert_int_eq(l->number, 2);
    ck_assert_str_eq(l->hcpcs, "97110");
    ck_assert_str_eq(l->rendering_npi, "1993999998"); /* the only one linked */
    ck_assert_str_eq(l->rendering_tin, "");
    ck_assert_int_eq(l->paid_cents, 0);
    ck_assert_int_eq(l->allowed_cents, 3000);
    ck_assert_int_eq(l->end, date_from_ymd(2024, 2, 3));
    fhir_resource_clear(&r);
    ck_assert_ptr_null(r.claim.lines);
}
END_TEST

START_TEST(test_r4_carrier)
{
    fhir_resource r;
    parse_ok(r4_carrier, &r);
    const feed_claim *c = &r.claim;
    ck_assert_int_eq(c->type, FEED_PROFESSIONAL);
    ck_assert_str_eq(c->claim_id, "C0000000002");
    ck_assert_int_eq(c->version, (int64_t)date_from_ymd(2024, 3, 1) * 86400000 + 15 * 3600000);
    ck_assert_int_eq(c->n_dx, 1);
    ck_assert_str_eq(c->dx[0], "R2681");
    ck_assert_uint_eq(c->n_lines, 2);
    const feed_line *l = &c->lines[0];
    ck_assert_str_eq(l->hcpcs, "97161");
    ck_assert_str_eq(l->rendering_npi, "1528060837"); /* performing */
    ck_assert_str_eq(l->rendering_tin, "987654321");  /* the claim's provider */
    ck_assert_int_eq(l->paid_cents, 6410);            /* line_nch_pmt_amt beats C4BB */
    ck_assert_int_eq(l->allowed_cents, 8013);
    ck_assert_int_eq(l->start, date_from_ymd(2024, 2, 1));
    ck_assert_int_eq(l->end, date_from_ymd(2024, 2, 1));
    l = &c->lines[1];
    ck_assert_str_eq(l->rendering_npi, "1003347634");
    ck_assert_int_eq(l->paid_cents, 2000); /* C4BB paidtoprovider alone */
    ck_assert_int_eq(l->allowed_cents, 0);
    fhir_resource_clear(&r);
}
END_TEST

START_TEST(test_inpatient_and_cancelled)
{
    fhir_resource r;
    parse_ok(dstu3_inpatient, &r);
    const feed_claim *c = &r.claim;
    ck_assert_int_eq(c->type, FEED_INSTITUTIONAL);
    ck_assert_str_eq(c->claim_id, "I0000000001");
    ck_assert_str_eq(c->bill_type, "111");
    ck_assert_str_eq(c->disposition, "03");
    ck_assert_str_eq(c->facility_npi, "1003347634");
    ck_assert_int_eq(c->admission, date_from_ymd(2024, 1, 10));
    ck_assert_int_eq(c->discharge, date_from_ymd(2024, 1, 15));
    ck_assert_int_eq(c->n_px, 1);
    ck_assert_str_eq(c->px[0], "0QS604Z");
    ck_assert_int_eq(c->version, 0);
    ck_assert_uint_eq(c->n_lines, 1);
    ck_assert_str_eq(c->lines[0].revenue, "0120");
    ck_assert_int_eq(c->lines[0].paid_cents, 1500000);
    fhir_resource_clear(&r);

    parse_ok(cancelled_hha, &r);
    ck_assert_int_eq(r.claim.type, FEED_INSTITUTIONAL);
    ck_assert_int_eq(r.claim.adjustment, FEED_CANCEL);
    ck_assert_int_eq(r.cancelled, 1);
    ck_assert_int_eq(r.claim.version, 1500);
    ck_assert_uint_eq(r.claim.n_lines, 0);
    fhir_resource_clear(&r);
}
END_TEST

START_TEST(test_patient_coverage)
{
    fhir_resource r;
    parse_ok(patient, &r);
    ck_assert_int_eq(r.kind, FHIR_PATIENT);
    ck_assert_str_eq(r.patient_id, "p1");
    ck_assert_str_eq(r.mbi, "1EG4TE5MK73");
    ck_assert_str_eq(r.bene.person_id, "1EG4TE5MK73");
    ck_assert_str_eq(r.bene.gender, "male");
    ck_assert_int_eq(r.bene.birth, date_from_ymd(1950, 4, 2));
    ck_assert_int_eq(r.bene.death, date_from_ymd(2024, 5, 6));
    ck_assert_str_eq(r.bene.state, "MA");
    ck_assert_str_eq(r.bene.zip, "02139");
    fhir_resource_clear(&r);

    parse_ok(coverage, &r);
    ck_assert_int_eq(r.kind, FHIR_COVERAGE);
    ck_assert_str_eq(r.patient_id, "p1");
    ck_assert_int_eq(r.part, 'B');
    ck_assert_int_eq(r.cancelled, 0);
    ck_assert_int_eq(r.bene.enroll_start, date_from_ymd(2020, 1, 1));
    ck_assert_int_eq(r.bene.enroll_end, CARA_DATE_NONE);
    ck_assert_str_eq(r.bene.medicare_status, "20");
    ck_assert_str_eq(r.bene.dual, "04"); /* June: December's "NA" is no code */
    fhir_resource_clear(&r);

    char *cancelled = subst(coverage, "\"active\"", "\"cancelled\"");
    parse_ok(cancelled, &r);
    ck_assert_int_eq(r.part, 0);
    ck_assert_int_eq(r.cancelled, 1);
    free(cancelled);

    /* other resource types are FHIR_OTHER, not errors */
    parse_ok("{\"resourceType\":\"Practitioner\",\"id\":\"x\"}", &r);
    ck_assert_int_eq(r.kind, FHIR_OTHER);
}
END_TEST

/* Amounts are exact: at most two decimals, up to 1e12 dollars. */
START_TEST(test_amounts)
{
    static const struct {
        const char *json;
        int64_t cents;
    } ok[] = {{"0.07", 7}, {"1234567.89", 123456789}, {"999999999999.99", 99999999999999},
              {"-5.5", -550}, {"0.1", 10}, {"1e2", 10000}, {"1000000000000", 100000000000000}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char to[64];
        snprintf(to, sizeof to, "{\"value\":%s}", ok[i].json);
        char *json = subst(dstu3_carrier, "{\"value\":80.12}", to);
        fhir_resource r;
        parse_ok(json, &r);
        ck_assert_msg(r.claim.lines[0].paid_cents == ok[i].cents, "%s -> %lld", ok[i].json,
                      (long long)r.claim.lines[0].paid_cents);
        fhir_resource_clear(&r);
        free(json);
    }
    static const char *const bad[] = {"0.001", "1e-7", "1000000000000.01", "1e15", "\"12.00\"",
                                      "2000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char to[64];
        snprintf(to, sizeof to, "{\"value\":%s}", bad[i]);
        const char *const want[] = {"item[0].adjudication[0].amount.value", NULL};
        expect_error(dstu3_carrier, "{\"value\":80.12}", to, want);
    }
}
END_TEST

START_TEST(test_errors)
{
    char err[512];
    fhir_resource r;
    ck_assert_int_eq(fhir_parse("{\"resourceType\":", 16, &r, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
    ck_assert_int_eq(fhir_parse("[1]", 3, &r, err, sizeof err), -EINVAL);

    const char *const w1[] = {"ExplanationOfBenefit pde-123: id / type: \"pde-123\"", NULL};
    char *noty = subst(cancelled_hha, "\"hha-H0000000001\"", "\"pde-123\"");
    ck_assert_int_eq(fhir_parse(noty, strlen(noty), &r, err, sizeof err), -EINVAL);
    ck_assert_msg(strstr(err, w1[0]) != NULL, "%s", err);
    free(noty);

    const char *const w2[] = {"ExplanationOfBenefit carrier-C0000000001: type.coding[0].code: \"PDE\"", NULL};
    expect_error(dstu3_carrier, "\"CARRIER\"", "\"PDE\"", w2);
    const char *const w2b[] = {"type.coding[0].code: \"INPATIENT\"", NULL};
    expect_error(dstu3_carrier, "\"CARRIER\"", "\"INPATIENT\"", w2b);

    const char *const w3[] = {"ExplanationOfBenefit carrier-C0000000001: billablePeriod.start: "
                              "\"2024-02-30\" is not a date", NULL};
    expect_error(dstu3_carrier, "\"2024-02-01\"", "\"2024-02-30\"", w3);

    const char *const w4[] = {"ExplanationOfBenefit carrier-C0000000001: item[1].adjudication[0]."
                              "amount.value: \"12.345\" is not an amount in dollars with at most "
                              "two decimals", NULL};
    expect_error(dstu3_carrier, "{\"value\":30}", "{\"value\":12.345}", w4);

    const char *const w5[] = {"ExplanationOfBenefit carrier-C0000000001: careTeam[1].provider."
                              "identifier.value: \"1234567890\" fails the NPI check digit", NULL};
    expect_error(dstu3_carrier, "1234567893", "1234567890", w5);

    const char *const w6[] = {"item[0].careTeamLinkId[1]: 7 names no careTeam member", NULL};
    expect_error(dstu3_carrier, "[1,2]", "[1,7]", w6);
    const char *const w7[] = {"status: \"entered-in-error\"", NULL};
    expect_error(dstu3_carrier, "\"active\"", "\"entered-in-error\"", w7);
    const char *const w8[] = {"item[0].service.coding[0].code: \"9716\" is not a HCPCS code", NULL};
    expect_error(dstu3_carrier, "97161", "9716", w8);
    const char *const w9[] = {"diagnosis[1].diagnosisCodeableConcept.coding[0].code: \"S7\"", NULL};
    expect_error(dstu3_carrier, "S72.001A", "S7", w9);
    const char *const w10[] = {"Patient p1: identifier[1].value: \"1EG4TE5MK7\" is not an MBI", NULL};
    expect_error(patient, "1EG4TE5MK73", "1EG4TE5MK7", w10);
    const char *const w11[] = {"meta.lastUpdated: \"2024-03-01T10:00:00\"", NULL};
    expect_error(dstu3_carrier, "2024-03-01T10:00:00.500-05:00", "2024-03-01T10:00:00", w11);
    const char *const w12[] = {"billablePeriod.end: required", NULL};
    expect_error(cancelled_hha, ",\"end\":\"2024-01-31\"", "", w12);
    const char *const w13[] = {"Coverage part-b-p1: extension[0]: \"99\" is not a Medicare status", NULL};
    expect_error(coverage, "\"20\"", "\"99\"", w13);

    /* nesting deeper than FHIR_MAX_DEPTH */
    char deep[256];
    size_t n = 0;
    for (; n < 100; n++) deep[n] = '[';
    deep[n] = '\0';
    ck_assert_int_eq(fhir_parse(deep, n, &r, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "nested deeper than 64"));
}
END_TEST

typedef struct seen {
    int n, bad;
    size_t numbers[64];
    char ids[64][65];
    char msg[512];
    int stop_at;
} seen;

static int collect(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    seen *s = ud;
    if (s->n < 64) {
        s->numbers[s->n] = number;
        snprintf(s->ids[s->n], sizeof s->ids[0], "%s", r ? r->id : "");
    }
    if (!r) {
        s->bad++;
        snprintf(s->msg, sizeof s->msg, "%s", msg);
    }
    s->n++;
    return s->stop_at && s->n == s->stop_at ? 1 : 0;
}

START_TEST(test_ndjson)
{
    char buf[8192];
    snprintf(buf, sizeof buf, "%s\n\n%s\r\n%s\n", patient, "{\"resourceType\":\"Patient\",\"id\":\"p2\",\"birthDate\":\"1950-13-01\"}",
             coverage);
    seen s = {0};
    ck_assert_int_eq(fhir_each(buf, strlen(buf), collect, &s), 3);
    ck_assert_int_eq(s.n, 3);
    ck_assert_int_eq(s.bad, 1);
    ck_assert_str_eq(s.ids[0], "p1");
    ck_assert_uint_eq(s.numbers[0], 1);
    ck_assert_str_eq(s.ids[1], "");
    ck_assert_uint_eq(s.numbers[1], 3); /* line 3: line 2 is blank */
    ck_assert_str_eq(s.ids[2], "part-b-p1");
    ck_assert_uint_eq(s.numbers[2], 4);
    ck_assert_ptr_nonnull(strstr(s.msg, "Patient p2: birthDate: \"1950-13-01\" is not a date"));

    /* broken JSON on a line: that line only */
    snprintf(buf, sizeof buf, "%s\n{\"resourceType\":}\n%s", patient, coverage);
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(fhir_each(buf, strlen(buf), collect, &s), 3);
    ck_assert_int_eq(s.bad, 1);
    ck_assert_uint_eq(s.numbers[1], 2);
    ck_assert_ptr_nonnull(strstr(s.msg, "invalid JSON"));

    /* a non-zero return stops */
    memset(&s, 0, sizeof s);
    s.stop_at = 1;
    ck_assert_int_eq(fhir_each(buf, strlen(buf), collect, &s), 1);
    ck_assert_int_eq(s.n, 1);

    /* a pretty-printed single resource, and a Bundle that is not JSON */
    memset(&s, 0, sizeof s);
    snprintf(buf, sizeof buf, "\n{\n \"resourceType\": \"Patient\", \"id\": \"p9\"\n}\n");
    ck_assert_int_eq(fhir_each(buf, strlen(buf), collect, &s), 1);
    ck_assert_str_eq(s.ids[0], "p9");
    memset(&s, 0, sizeof s);
    snprintf(buf, sizeof buf, "{\n \"resourceType\": \"Bundle\", \"entry\": [\n");
    ck_assert_int_eq(fhir_each(buf, strlen(buf), collect, &s), -EINVAL);
    ck_assert_int_eq(s.bad, 1);
    ck_assert_uint_eq(s.numbers[0], 0);
    ck_assert_int_eq(fhir_each("", 0, collect, &s), 0);
}
END_TEST

/* ---- the BCDA sandbox sample ---- */

static char *sample(const char *name, size_t *len)
{
    const char *src = getenv("CARA_SRC");
    char path[1024], err[256], *buf = NULL;
    snprintf(path, sizeof path, "%s/tests/fixtures/bcda/%s", src ? src : ".", name);
    int rc = util_read_file(path, 16 << 20, &buf, len, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    return buf;
}

typedef struct eob_sample {
    int n, bad;
    fhir_resource first, modifiers; /* carrier-10300336722; carrier-9512771340 */
    feed_line first_line;
    char first_mod[3], msg[512];
} eob_sample;

static int keep(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    eob_sample *s = ud;
    s->n++;
    if (!r) {
        s->bad++;
        snprintf(s->msg, sizeof s->msg, "entry %zu: %s", number, msg);
        return 0;
    }
    if (number == 1) {
        s->first = *r;
        s->first.claim.lines = NULL; /* the record is freed after the call */
        if (r->claim.n_lines) s->first_line = r->claim.lines[0];
    }
    if (!strcmp(r->id, "carrier-9512771340")) memcpy(s->first_mod, r->claim.lines[0].mods[0], 3);
    return 0;
}

START_TEST(test_sample_eob)
{
    size_t len;
    char *buf = sample("ExplanationOfBenefit.json", &len);
    eob_sample s;
    memset(&s, 0, sizeof s);
    strcpy(s.first_mod, "?");
    ck_assert_int_eq(fhir_each(buf, len, keep, &s), 33);
    ck_assert_msg(s.bad == 0, "%s", s.msg);
    ck_assert_int_eq(s.n, 33);
    const feed_claim *c = &s.first.claim;
    ck_assert_str_eq(s.first.id, "carrier-10300336722");
    ck_assert_str_eq(s.first.patient_id, "20000000000001");
    ck_assert_str_eq(c->claim_id, "10300336722");
    ck_assert_int_eq(c->type, FEED_PROFESSIONAL);
    ck_assert_int_eq(c->adjustment, FEED_ORIGINAL);
    ck_assert_int_eq(c->start, date_from_ymd(2000, 10, 1));
    ck_assert_int_eq(c->end, date_from_ymd(2000, 10, 1));
    ck_assert_int_eq(c->version, 0); /* the sample's EOBs have no meta.lastUpdated */
    ck_assert_int_eq(c->n_dx, 0);    /* ICD-9 only */
    ck_assert_uint_eq(c->n_lines, 1);
    ck_assert_int_eq(s.first_line.number, 1);
    ck_assert_str_eq(s.first_line.hcpcs, "45384");
    ck_assert_str_eq(s.first_line.pos, "99");
    ck_assert_str_eq(s.first_line.rendering_npi, ""); /* the sample has no careTeam */
    ck_assert_str_eq(s.first_line.rendering_tin, "");
    ck_assert_int_eq(s.first_line.paid_cents, 25000);
    ck_assert_int_eq(s.first_line.allowed_cents, 30000);
    ck_assert_int_eq(s.first_line.start, date_from_ymd(2000, 10, 1));
    ck_assert_str_eq(s.first_mod, ""); /* "99999" placeholders skipped */
    free(buf);
}
END_TEST

static int keep_one(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    fhir_resource *out = ud;
    ck_assert_msg(r != NULL, "record %zu: %s", number, msg);
    if (r->kind == FHIR_COVERAGE) {
        size_t k = number - 1;
        if (k < 3) out[k] = *r;
    } else {
        out[0] = *r;
    }
    return 0;
}

START_TEST(test_sample_patient_coverage)
{
    size_t len;
    char *buf = sample("Patient.json", &len);
    fhir_resource p[3];
    memset(p, 0, sizeof p);
    ck_assert_int_eq(fhir_each(buf, len, keep_one, p), 1);
    ck_assert_int_eq(p[0].kind, FHIR_PATIENT);
    ck_assert_str_eq(p[0].id, "20000000000001");
    ck_assert_str_eq(p[0].mbi, "-1Q03Z002871");
    ck_assert_str_eq(p[0].bene.gender, "female");
    ck_assert_int_eq(p[0].bene.birth, date_from_ymd(1999, 6, 1));
    ck_assert_int_eq(p[0].bene.death, CARA_DATE_NONE);
    ck_assert_str_eq(p[0].bene.state, ""); /* "10" is a FIPS code */
    ck_assert_str_eq(p[0].bene.zip, "99999");
    free(buf);

    buf = sample("Coverage.json", &len); /* a one-line Bundle */
    memset(p, 0, sizeof p);
    ck_assert_int_eq(fhir_each(buf, len, keep_one, p), 3);
    ck_assert_int_eq(p[0].part, 'A');
    ck_assert_int_eq(p[1].part, 'B');
    ck_assert_int_eq(p[2].part, 'D');
    ck_assert_str_eq(p[1].id, "part-b-20000000000001");
    ck_assert_str_eq(p[1].patient_id, "20000000000001");
    ck_assert_str_eq(p[1].bene.medicare_status, "10");
    ck_assert_str_eq(p[1].bene.dual, "");
    ck_assert_int_eq(p[1].bene.enroll_start, CARA_DATE_NONE);
    free(buf);
}
END_TEST

Suite *suite_fhir(void)
{
    Suite *s = suite_create("fhir");
    TCase *tc = tcase_create("fhir");
    tcase_add_test(tc, test_dstu3_carrier);
    tcase_add_test(tc, test_r4_carrier);
    tcase_add_test(tc, test_inpatient_and_cancelled);
    tcase_add_test(tc, test_patient_coverage);
    tcase_add_test(tc, test_amounts);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_ndjson);
    tcase_add_test(tc, test_sample_eob);
    tcase_add_test(tc, test_sample_patient_coverage);
    suite_add_tcase(s, tc);
    return s;
}
