/*
 * tests/test_fhir.c: BCDA FHIR resources into feed records: hand-written DSTU3 and R4
 * ExplanationOfBenefits, a Patient, Coverages, the errors (each naming the resource,
 * the JSON path and the value) and the warnings (malformed optional fields), the claim
 * types and what is skipped, NDJSON iteration past a bad line, CMS's sandbox sample
 * (tests/fixtures/bcda, read out by hand) and CMS's Blue Button / BFD server test
 * responses, DSTU3 and R4, raw and patched (read from ../shared/reference/public-data/,
 * worked out by hand below).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "feeds/fhir.h"
#include "feeds/fhir_json.h"
#include <jansson.h>
#include "suites.h"
#include "base/util.h"

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

/* Amounts are exact: at most two decimals, up to 100000000.00 dollars either sign
 * (MONEY_AMOUNT_MAX_CENTS; it was 1e12 dollars). */
START_TEST(test_amounts)
{
    static const struct {
        const char *json;
        int64_t cents;
    } ok[] = {{"0.07", 7}, {"1234567.89", 123456789}, {"99999999.99", 9999999999},
              {"-5.5", -550}, {"0.1", 10}, {"1e2", 10000}, {"100000000", 10000000000},
              {"-100000000.00", -10000000000},
              /* read off the literal's digits (at most 15 significant): trailing zeros
               * and exponents count, leading zeros do not */
              {"1.10", 110}, {"123.450", 12345}, {"1.230", 123}, {"1.0e2", 10000},
              {"1E2", 10000}, {"1e-2", 1}, {"1.005e2", 10050}, {"0.50", 50},
              {"12345678.90", 1234567890}, {"-0.25e1", -250},
              /* the long way (the double's 15 significant digits): zero, and literals of
               * more digits than a double holds */
              {"-0.0", 0}, {"0.0", 0}, {"0.1000000000000000055511151231257827", 10},
              {"99999999.990000000001", 9999999999}, {"1e-400", 0}};
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
    static const char *const bad[] = {"0.001", "1e-7", "100000000.01", "1e15", "\"12.00\"",
                                      "2000000000000", "-100000001", "92233720368547758.07",
                                      "0.125", "1.005", "-0.001", "2.675", "1e10", "1.00001e2",
                                      "100000000.010"};
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

    const char *const w1[] = {"ExplanationOfBenefit xyz-123: id / type: \"xyz-123\"", NULL};
    char *noty = subst(cancelled_hha, "\"hha-H0000000001\"", "\"xyz-123\"");
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

    const char *const w6[] = {"item[0].careTeamLinkId[1]: 7 names no careTeam member", NULL};
    expect_error(dstu3_carrier, "[1,2]", "[1,7]", w6);
    const char *const w7[] = {"status: \"entered-in-error\"", NULL};
    expect_error(dstu3_carrier, "\"active\"", "\"entered-in-error\"", w7);
    const char *const w9[] = {"diagnosis[1].diagnosisCodeableConcept.coding[0].code: \"S7\"", NULL};
    expect_error(dstu3_carrier, "S72.001A", "S7", w9);
    const char *const w10[] = {"Patient p1: identifier[1].value: \"1EG4TE5MK7\" is not an MBI", NULL};
    expect_error(patient, "1EG4TE5MK73", "1EG4TE5MK7", w10);
    /* a principal diagnosis is required to be well formed (another one is a warning) */
    const char *const w11[] = {"diagnosis[0].diagnosisCodeableConcept.coding[0].code: \"W1\"", NULL};
    char *principal = subst(dstu3_carrier, "W19.XXXA", "W1");
    expect_error(principal, "\"sequence\":2,\"diagnosisCodeableConcept\"",
                 "\"sequence\":2,\"type\":[{\"coding\":[{\"code\":\"principal\"}]}],"
                 "\"diagnosisCodeableConcept\"", w11);
    free(principal);
    const char *const w14[] = {"payment.amount.value: \"1.234\"", NULL};
    expect_error(dstu3_inpatient, "\"status\":\"active\",", "\"status\":\"active\",\"payment\":{\"amount\":{\"value\":1.234}},", w14);
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
        s->first.warnings = NULL;
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
    ck_assert_uint_eq(r->n_warnings, 0);
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

/* ---- claim types: BFD's eob-type and the id prefix decide; what cara does not price is
 * skipped ---- */

START_TEST(test_types_and_skips)
{
    fhir_resource r;
    /* a generic claim-type coding that contradicts the id never rejects (BFD writes
     * "professional" on v1 outpatient and HHA, "institutional" on v2 DME) */
    char *j = subst(dstu3_carrier, "\"professional\"", "\"institutional\"");
    parse_ok(j, &r);
    ck_assert_int_eq(r.claim.type, FEED_PROFESSIONAL);
    ck_assert_uint_eq(r.n_warnings, 0);
    fhir_resource_clear(&r);
    free(j);
    char *a = subst(r4_carrier, "carrier-C0000000002", "dme-D0000000002");
    char *b = subst(a, "\"CARRIER\"", "\"DME\"");
    j = subst(b, "\"professional\"", "\"institutional\"");
    parse_ok(j, &r);
    ck_assert_int_eq(r.claim.type, FEED_DME);
    ck_assert_str_eq(r.claim.claim_id, "D0000000002");
    ck_assert_int_eq(r.claim.model, FEED_REPLACE);
    ck_assert_str_eq(r.claim.record_id, "");
    ck_assert_str_eq(r.claim.control_number, "D0000000002");
    fhir_resource_clear(&r);
    free(a);
    free(b);
    free(j);
    /* without an eob-type or a known prefix the generic coding decides */
    a = subst(dstu3_carrier, "carrier-C0000000001", "X0000000001");
    b = subst(a, "\"CARRIER\"", "\"NOTATYPE\"");
    parse_ok(b, &r); /* an eob-type cara does not know: skipped */
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_str_eq(r.skip_reason, "eob-type NOTATYPE");
    fhir_resource_clear(&r);
    free(b);
    b = subst(a, "https://bluebutton.cms.gov/resources/codesystem/eob-type", "urn:other");
    parse_ok(b, &r);
    ck_assert_int_eq(r.skipped, 0);
    ck_assert_int_eq(r.claim.type, FEED_PROFESSIONAL);
    ck_assert_str_eq(r.claim.claim_id, "X0000000001");
    fhir_resource_clear(&r);
    j = subst(b, "\"professional\"", "\"pharmacy\"");
    parse_ok(j, &r);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_str_eq(r.skip_reason, "claim-type pharmacy");
    fhir_resource_clear(&r);
    free(a);
    free(b);
    free(j);
    /* Part D: by the id prefix alone, or by BFD's eob-type; nothing else is read (the
     * PDE here has no billablePeriod) */
    j = subst(cancelled_hha, "\"hha-H0000000001\"", "\"pde-123\"");
    a = subst(j, "\"billablePeriod\"", "\"xbillablePeriod\"");
    parse_ok(a, &r);
    ck_assert_int_eq(r.kind, FHIR_EOB);
    ck_assert_int_eq(r.skipped, 1);
    ck_assert_str_eq(r.skip_reason, "id prefix pde- (Part D)");
    ck_assert_str_eq(r.id, "pde-123");
    fhir_resource_clear(&r);
    free(j);
    free(a);
    /* the eob-type and the prefix contradict each other: an error */
    const char *const w[] = {"ExplanationOfBenefit carrier-C0000000001: type.coding[0].code: \"PDE\"", NULL};
    expect_error(dstu3_carrier, "\"CARRIER\"", "\"PDE\"", w);
    /* an id of Part D with BFD's eob-type of a claim cara prices */
    const char *const w2[] = {"ExplanationOfBenefit pde-C0000000001: type.coding[0].code: \"CARRIER\"", NULL};
    expect_error(dstu3_carrier, "carrier-C0000000001", "pde-C0000000001", w2);
}
END_TEST

/* The warning of r at path (NULL when none). */
static const fhir_warning *warning_at(const fhir_resource *r, const char *path)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        if (!strcmp(r->warnings[i].path, path)) return &r->warnings[i];
    return NULL;
}

#define HAS_WARNING(r, path, text)                                                                \
    do {                                                                                       \
        const fhir_warning *w_ = warning_at(r, path);                                          \
        ck_assert_msg(w_ != NULL, "no warning at %s", path);                                   \
        ck_assert_msg(strstr(w_->msg, text) != NULL, "\"%s\" not in: %s", text, w_->msg);      \
    } while (0)

/* Tiered strictness: a malformed optional field is a warning naming the resource, the
 * path and the value; the field is absent and the claim and its money are kept. */
START_TEST(test_warnings)
{
    static const struct {
        const char *from, *to, *path, *text;
    } soft[] = {
        {"2024-03-01T10:00:00.500-05:00", "IGNORED_FIELD", "meta.lastUpdated",
         "ExplanationOfBenefit carrier-C0000000001: meta.lastUpdated: \"IGNORED_FIELD\" is not an instant"},
        {"97161", "M99", "item[0].service.coding[0].code",
         "ExplanationOfBenefit carrier-C0000000001: item[0].service.coding[0].code: \"M99\" is not a HCPCS code"},
        {"\"GP\"", "\"G\"", "item[0].modifier[0].coding[0].code", "\"G\" is not a modifier"},
        {"W19.XXXA", "W1", "diagnosis[0].diagnosisCodeableConcept.coding[0].code",
         "\"W1\" is not an ICD-10-CM code"},
        {"1234567893", "1234567890", "careTeam[1].provider.identifier.value",
         "\"1234567890\" fails the NPI check digit"},
        {"{\"code\":\"123456789\"}", "{\"code\":\"12345678\"}", "careTeam[1].extension[0].valueCoding.code",
         "\"12345678\" is not a TIN"},
        {"\"11\"", "\"1X\"", "item[0].locationCodeableConcept.coding[0].code",
         "\"1X\" is not a place of service code"},
    };
    for (size_t k = 0; k < sizeof soft / sizeof soft[0]; k++) {
        char *j = subst(dstu3_carrier, soft[k].from, soft[k].to);
        fhir_resource r;
        parse_ok(j, &r);
        ck_assert_msg(r.n_warnings == 1, "%s: %zu warnings", soft[k].path, r.n_warnings);
        HAS_WARNING(&r, soft[k].path, soft[k].text);
        ck_assert_int_eq(r.warnings[0].kept, 0);
        const feed_claim *c = &r.claim;
        const feed_line *l = &c->lines[0];
        ck_assert_int_eq(l->paid_cents, 8012); /* the money is kept */
        ck_assert_int_eq(l->allowed_cents, 10050);
        ck_assert_uint_eq(c->n_lines, 2);
        switch (k) {
        case 0: ck_assert_int_eq(c->version, 0); break;
        case 1: ck_assert_str_eq(l->hcpcs, ""); break;
        case 2: ck_assert_str_eq(l->mods[0], ""); break;
        case 3: ck_assert_int_eq(c->n_dx, 1); ck_assert_str_eq(c->dx[0], "S72001A"); break;
        case 4: /* the primary member is the rendering one, its NPI absent; the other
                 * member's is not put in its place */
            ck_assert_str_eq(l->rendering_npi, "");
            ck_assert_str_eq(l->rendering_tin, "123456789");
            break;
        case 5: ck_assert_str_eq(l->rendering_npi, "1234567893"); ck_assert_str_eq(l->rendering_tin, ""); break;
        case 6: ck_assert_str_eq(l->pos, ""); break;
        }
        fhir_resource_clear(&r);
        ck_assert_ptr_null(r.warnings);
        free(j);
    }
    /* institutional: revenue center, bill type, discharge status, facility NPI, procedure */
    static const struct {
        const char *from, *to, *path;
    } inst[] = {
        {"\"0120\"", "\"120\"", "item[0].revenue.coding[0].code"},
        {"ptnt_dschrg_stus_cd\",\"valueCoding\":{\"code\":\"3\"}", "ptnt_dschrg_stus_cd\",\"valueCoding\":{\"code\":\"3X\"}",
         "extension[2].valueCoding.code"},
        {"1003347634", "1003347635", "organization.identifier.value"},
        {"0QS604Z", "0QS604", "procedure[0].procedureCodeableConcept.coding[0].code"},
        {"clm_freq_cd\",\"valueCoding\":{\"code\":\"1\"}", "clm_freq_cd\",\"valueCoding\":{\"code\":\"X\"}",
         "facility.extension[0].valueCoding.code"},
    };
    for (size_t k = 0; k < sizeof inst / sizeof inst[0]; k++) {
        char *j = subst(dstu3_inpatient, inst[k].from, inst[k].to);
        fhir_resource r;
        parse_ok(j, &r);
        ck_assert_msg(r.n_warnings == 1 && warning_at(&r, inst[k].path), "%s: %zu warnings, first %s",
                      inst[k].path, r.n_warnings, r.n_warnings ? r.warnings[0].msg : "");
        ck_assert_int_eq(r.claim.lines[0].paid_cents, 1500000);
        fhir_resource_clear(&r);
        free(j);
    }
}
END_TEST

/* Claim-level payment (institutional), denials (claim and line), the FEED_REPLACE
 * fields. */
START_TEST(test_payment_and_denials)
{
    fhir_resource r;
    parse_ok(dstu3_inpatient, &r);
    ck_assert_int_eq(r.claim.has_claim_paid, 0); /* no payment.amount */
    ck_assert_int_eq(r.claim.denied, 0);
    ck_assert_int_eq(r.claim.model, FEED_REPLACE);
    ck_assert_str_eq(r.claim.control_number, "I0000000001");
    fhir_resource_clear(&r);
    char *j = subst(dstu3_inpatient, "\"status\":\"active\",",
                    "\"status\":\"active\",\"payment\":{\"amount\":{\"value\":14250.5}},");
    char *k = subst(j, "\"extension\":[", "\"extension\":[{\"url\":\"https://bluebutton.cms.gov/"
                    "resources/variables/clm_mdcr_non_pmt_rsn_cd\",\"valueCoding\":{\"code\":\"B\"}},");
    parse_ok(j, &r);
    ck_assert_int_eq(r.claim.has_claim_paid, 1);
    ck_assert_int_eq(r.claim.claim_paid_cents, 1425050);
    ck_assert_int_eq(r.claim.denied, 0);
    fhir_resource_clear(&r);
    parse_ok(k, &r);
    ck_assert_int_eq(r.claim.denied, 1);
    ck_assert_str_eq(r.claim.denial_reason, "clm_mdcr_non_pmt_rsn_cd B");
    ck_assert_int_eq(r.claim.claim_paid_cents, 1425050);
    fhir_resource_clear(&r);
    free(j);
    free(k);
    /* R4: a total of category C4BB paidtoprovider stands in for payment.amount */
    j = subst(dstu3_inpatient, "\"status\":\"active\",",
              "\"status\":\"active\",\"total\":[{\"category\":{\"coding\":[{\"system\":\"http://hl7.org/"
              "fhir/us/carin-bb/CodeSystem/C4BBAdjudication\",\"code\":\"paidtoprovider\"}]},"
              "\"amount\":{\"value\":99.99}}],");
    parse_ok(j, &r);
    ck_assert_int_eq(r.claim.has_claim_paid, 1);
    ck_assert_int_eq(r.claim.claim_paid_cents, 9999);
    fhir_resource_clear(&r);
    free(j);
    /* professional claims carry no claim-level payment; carr_clm_pmt_dnl_cd 0 is denied,
     * 1 is paid (CCLF5/6 CLM_CARR_PMT_DNL_CD) */
    static const struct {
        const char *code;
        int denied;
    } dnl[] = {{"0", 1}, {"00", 1}, {"1", 0}, {"D", 1}, {"A", 0}, {"", 0}};
    for (size_t i = 0; i < sizeof dnl / sizeof dnl[0]; i++) {
        char to[256];
        snprintf(to, sizeof to, "\"status\":\"active\",\"payment\":{\"amount\":{\"value\":1}},\"extension\":[{\"url\":"
                 "\"https://bluebutton.cms.gov/resources/variables/carr_clm_pmt_dnl_cd\",\"valueCoding\":"
                 "{\"code\":\"%s\"}}],", dnl[i].code);
        j = subst(dstu3_carrier, "\"status\":\"active\",", to);
        parse_ok(j, &r);
        ck_assert_msg(r.claim.denied == dnl[i].denied, "carr_clm_pmt_dnl_cd %s", dnl[i].code);
        ck_assert_int_eq(r.claim.has_claim_paid, 0);
        if (dnl[i].denied) {
            char want[48];
            snprintf(want, sizeof want, "carr_clm_pmt_dnl_cd %s", dnl[i].code);
            ck_assert_str_eq(r.claim.denial_reason, want);
        }
        fhir_resource_clear(&r);
        free(j);
    }
    /* line_prcsg_ind_cd: DSTU3 an adjudication reason, R4 an item extension; other than
     * A, R, S the line is denied */
    j = subst(dstu3_carrier, "\"adjudication\":[",
              "\"adjudication\":[{\"category\":{\"coding\":[{\"code\":\"https://bluebutton.cms.gov/"
              "resources/variables/line_prcsg_ind_cd\"}]},\"reason\":{\"coding\":[{\"code\":\"D\"}]}},");
    parse_ok(j, &r);
    ck_assert_int_eq(r.claim.lines[0].denied, 1);
    ck_assert_int_eq(r.claim.lines[0].paid_cents, 8012);
    ck_assert_int_eq(r.claim.lines[1].denied, 0);
    fhir_resource_clear(&r);
    free(j);
    static const char *const ind[] = {"A", "R", "S", "M"};
    for (int i = 0; i < 4; i++) {
        char to[200];
        snprintf(to, sizeof to, "\"careTeamSequence\":[1,2],\"extension\":[{\"url\":\"https://"
                 "bluebutton.cms.gov/resources/variables/line_prcsg_ind_cd\",\"valueCoding\":"
                 "{\"code\":\"%s\"}}],", ind[i]);
        j = subst(r4_carrier, "\"careTeamSequence\":[1,2],", to);
        parse_ok(j, &r);
        ck_assert_msg(r.claim.lines[0].denied == (i == 3), "line_prcsg_ind_cd %s", ind[i]);
        fhir_resource_clear(&r);
        free(j);
    }
}
END_TEST

/* ---- CMS's Blue Button / BFD server test responses ---- */

/* A file of ../shared/reference/public-data/ (next to the source tree; never copied
 * into it). */
static char *public_data(const char *rel, size_t *len)
{
    const char *src = getenv("CARA_SRC");
    char path[1024], err[256], *buf = NULL;
    snprintf(path, sizeof path, "%s/../shared/reference/public-data/%s", src ? src : ".", rel);
    int rc = util_read_file(path, 16 << 20, &buf, len, err, sizeof err);
    ck_assert_msg(rc == 0, "%s (the BFD test responses are read from shared/, beside the "
                  "source tree)", err);
    return buf;
}

/* What a test keeps of one parsed resource (the callback's resource is freed after it). */
typedef struct kept {
    fhir_resource r;          /* lines and warnings pointers cleared */
    feed_line line;           /* the first line */
    char warnings[1024];      /* the warnings' paths, each followed by a space */
} kept;

typedef struct kept_set {
    int n, bad;
    kept k[16];
    char msg[512];
} kept_set;

static int keep_all(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    kept_set *s = ud;
    if (!r) {
        s->bad++;
        snprintf(s->msg, sizeof s->msg, "record %zu: %s", number, msg);
        return 0;
    }
    if (s->n >= 16) return 0;
    kept *k = &s->k[s->n++];
    k->r = *r;
    k->r.claim.lines = NULL;
    k->r.warnings = NULL;
    if (r->claim.n_lines) k->line = r->claim.lines[0];
    size_t o = 0;
    for (size_t i = 0; i < r->n_warnings; i++)
        o += (size_t)snprintf(k->warnings + o, sizeof k->warnings - o, "%s ", r->warnings[i].path);
    return 0;
}

static const kept *kept_id(const kept_set *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->k[i].r.id, id)) return &s->k[i];
    ck_abort_msg("no resource %s", id);
    return NULL;
}

/*
 * eobByPatientIdAll.json, a searchset Bundle of 8 EOBs of Patient/567834, worked out by
 * hand (the values are the same in bfd_v1 and bfd_v2 and their patched copies; the NPIs
 * are the patched ones, tools/patch_bfd.py's replacements of the fakes):
 *
 * id (entry)               claim type     rendering NPI             billing NPI               line paid        claim paid (payment.amount)  denied
 * outpatient-1234567890 1  institutional  1642806347 (345345345)    1365945280 (0000000000)   5000.00 (*)      693.11                       clm_mdcr_non_pmt_rsn_cd A
 * dme-2188888888        2  dme            1388975520 (1244444444)   1388975520 (supplier)     123.45 / 129.45  -                            no (carr_clm_pmt_dnl_cd 1)
 * hha-2925555555        3  institutional  1642806347                1365945280                26.00            188.00                       clm_mdcr_non_pmt_rsn_cd P
 * inpatient-333333222222 4 institutional  1642806347                1365945280                0 (no line pmt)  7699.48                      clm_mdcr_non_pmt_rsn_cd A
 * snf-777777777         5  institutional  1642806347                1365945280                0                3333.33                      clm_mdcr_non_pmt_rsn_cd B
 * pde-89                6  skipped (eob-type PDE, Part D)
 * carrier-9991831999    7  professional   1615476052 (1923124)      "" (**)                   37.50 / 47.84    -                            no (carr_clm_pmt_dnl_cd 1)
 * hospice-9992223422    8  institutional  1642806347                1365945280                26.00            130.32                       clm_mdcr_non_pmt_rsn_cd P
 *
 * line paid: BB line_nch_pmt_amt (carrier, DME; allowed line_alowd_chrg_amt after the
 * slash), institutional rev_cntr_pmt_amt_amt. (*) outpatient item sequence 25.
 * Rendering: v1 the careTeam member the item links by careTeamLinkId (role primary:
 * outpatient 5, DME 2, HHA 3, inpatient 5, SNF 5, carrier 2, hospice 3); v2 the one it
 * links by careTeamSequence with role performing (outpatient 4, DME 2, HHA 2, inpatient
 * 4, SNF 4, carrier 3 of [3, 4], hospice 3 of [2 (a UPIN, no NPI), 3]).
 * Billing: institutional v1 organization.identifier (us-npi), v2 provider -> contained
 * #provider-org identifier (C4BB npi); DME v1 the supplier (the linked member), v2
 * provider.identifier (us-npi). (**) carrier: v1 the performing member's us-npi extension
 * (ORG_NPI_NUM) "0000000000", v2 provider.identifier carr_clm_blg_npi_num "1234567890",
 * both not NPIs even in patched/ (warnings).
 * Versions: raw "IGNORED_FIELD" (a warning, 0); patched 2021-05-01T12:00:00.000+00:00.
 */
static const struct bfd_want {
    const char *id, *claim_id;
    int type;
    const char *rendering, *billing, *facility, *bill_type;
    int64_t paid, allowed, claim_paid;
    const char *denial; /* "" paid */
} bfd_want[] = {
    {"outpatient-1234567890", "1234567890", FEED_INSTITUTIONAL, "1642806347", "1365945280",
     "1365945280", "131", 500000, 0, 69311, "clm_mdcr_non_pmt_rsn_cd A"},
    {"dme-2188888888", "2188888888", FEED_DME, "1388975520", "1388975520", "", "", 12345, 12945,
     -1, ""},
    {"hha-2925555555", "2925555555", FEED_INSTITUTIONAL, "1642806347", "1365945280",
     "1365945280", "321", 2600, 0, 18800, "clm_mdcr_non_pmt_rsn_cd P"},
    {"inpatient-333333222222", "333333222222", FEED_INSTITUTIONAL, "1642806347", "1365945280",
     "1365945280", "111", 0, 0, 769948, "clm_mdcr_non_pmt_rsn_cd A"},
    {"snf-777777777", "777777777", FEED_INSTITUTIONAL, "1642806347", "1365945280", "1365945280",
     "211", 0, 0, 333333, "clm_mdcr_non_pmt_rsn_cd B"},
    {"carrier-9991831999", "9991831999", FEED_PROFESSIONAL, "1615476052", "", "", "", 3750, 4784,
     -1, ""},
    {"hospice-9992223422", "9992223422", FEED_INSTITUTIONAL, "1642806347", "1365945280",
     "1365945280", "811", 2600, 0, 13032, "clm_mdcr_non_pmt_rsn_cd P"},
};

static void check_bfd_eobs(const char *rel, int patched)
{
    size_t len;
    char *buf = public_data(rel, &len);
    kept_set s;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(fhir_each(buf, len, keep_all, &s), 8);
    ck_assert_msg(s.bad == 0, "%s: %s", rel, s.msg);
    const kept *pde = kept_id(&s, "pde-89");
    ck_assert_int_eq(pde->r.skipped, 1);
    ck_assert_str_eq(pde->r.skip_reason, "eob-type PDE");
    int64_t when = ((int64_t)date_from_ymd(2021, 5, 1) * 86400 + 12 * 3600) * 1000;
    for (size_t i = 0; i < sizeof bfd_want / sizeof bfd_want[0]; i++) {
        const struct bfd_want *w = &bfd_want[i];
        const kept *k = kept_id(&s, w->id);
        const feed_claim *c = &k->r.claim;
        const feed_line *l = &k->line;
        ck_assert_msg(!k->r.skipped && c->type == w->type, "%s %s: type %d", rel, w->id, c->type);
        ck_assert_str_eq(c->claim_id, w->claim_id);
        ck_assert_str_eq(c->key, w->id);
        ck_assert_str_eq(c->control_number, w->claim_id);
        ck_assert_int_eq(c->model, FEED_REPLACE);
        ck_assert_str_eq(k->r.patient_id, "567834");
        ck_assert_uint_eq(c->n_lines, 1);
        ck_assert_msg(l->paid_cents == w->paid, "%s %s: paid %lld", rel, w->id, (long long)l->paid_cents);
        ck_assert_int_eq(l->allowed_cents, w->allowed);
        ck_assert_int_eq(l->denied, 0);
        ck_assert_int_eq(c->has_claim_paid, w->claim_paid >= 0);
        if (w->claim_paid >= 0) ck_assert_int_eq(c->claim_paid_cents, w->claim_paid);
        ck_assert_int_eq(c->denied, w->denial[0] != '\0');
        ck_assert_str_eq(c->denial_reason, w->denial);
        ck_assert_str_eq(c->bill_type, w->bill_type);
        ck_assert_msg(!strcmp(l->rendering_npi, patched ? w->rendering : ""), "%s %s: rendering %s",
                      rel, w->id, l->rendering_npi);
        ck_assert_msg(!strcmp(l->billing_npi, patched ? w->billing : ""), "%s %s: billing %s", rel,
                      w->id, l->billing_npi);
        ck_assert_str_eq(c->facility_npi, patched ? w->facility : "");
        ck_assert_str_eq(l->hcpcs, w->type == FEED_PROFESSIONAL ? "92999" : ""); /* fakes: M99, 345, ... */
        ck_assert_int_eq(c->version, patched ? when : 0);
        ck_assert_msg(patched || strstr(k->warnings, "meta.lastUpdated "), "%s %s: %s", rel, w->id,
                      k->warnings);
    }
    free(buf);
}

START_TEST(test_bfd_eobs)
{
    check_bfd_eobs("bfd_v1/patched/eobByPatientIdAll.json", 1);
    check_bfd_eobs("bfd_v2/patched/eobByPatientIdAll.json", 1);
    check_bfd_eobs("bfd_v1/eobByPatientIdAll.json", 0);
    check_bfd_eobs("bfd_v2/eobByPatientIdAll.json", 0);

    /* the raw files' placeholders, each a warning at its path (a few, by hand) */
    size_t len;
    char *buf = public_data("bfd_v1/eobByPatientIdAll.json", &len);
    kept_set s;
    memset(&s, 0, sizeof s);
    fhir_each(buf, len, keep_all, &s);
    ck_assert_str_eq(kept_id(&s, "dme-2188888888")->warnings,
                     "meta.lastUpdated item[0].service.coding[0].code "
                     "careTeam[0].provider.identifier.value ");
    ck_assert_str_eq(kept_id(&s, "carrier-9991831999")->warnings,
                     "meta.lastUpdated careTeam[0].provider.identifier.value "
                     "careTeam[0].extension[2].valueCoding.code ");
    ck_assert_str_eq(kept_id(&s, "outpatient-1234567890")->warnings,
                     "meta.lastUpdated organization.identifier.value item[0].service.coding[0].code "
                     "item[0].revenue.coding[0].code careTeam[3].provider.identifier.value ");
    free(buf);
    buf = public_data("bfd_v2/eobByPatientIdAll.json", &len);
    memset(&s, 0, sizeof s);
    fhir_each(buf, len, keep_all, &s);
    ck_assert_str_eq(kept_id(&s, "carrier-9991831999")->warnings,
                     "meta.lastUpdated careTeam[2].provider.identifier.value "
                     "provider.identifier.value ");
    ck_assert_str_eq(kept_id(&s, "hha-2925555555")->warnings,
                     "meta.lastUpdated contained[0].identifier[1].value "
                     "item[0].productOrService.coding[0].code careTeam[1].provider.identifier.value ");
    free(buf);
}
END_TEST

/* The paid date of each of BFD's claim types, read from its NCH weekly processing date
 * (R4 supportingInfo, DSTU3 information: the timingDate beside
 * .../variables/nch_wkly_proc_dt in each file, by hand), as interim runs read it. */
START_TEST(test_bfd_paid_dates)
{
    static const struct { const char *file, *paid; } want[] = {
        {"eobReadInpatient.json", "2016-02-26"}, {"eobReadCarrier.json", "1999-11-06"},
        {"eobReadDme.json", "2014-02-14"},       {"eobReadOutpatient.json", "2011-02-26"},
        {"eobReadSnf.json", "2014-02-14"},       {"eobReadHha.json", "2015-11-06"},
        {"eobReadHospice.json", "2014-10-10"}};
    static const char *const dirs[] = {"bfd_v2", "bfd_v1"};
    for (size_t d = 0; d < 2; d++)
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            char rel[128], got[11] = "none";
            snprintf(rel, sizeof rel, "%s/%s", dirs[d], want[i].file);
            size_t len;
            char *buf = public_data(rel, &len);
            kept_set s;
            memset(&s, 0, sizeof s);
            fhir_each(buf, len, keep_all, &s);
            free(buf);
            ck_assert_msg(s.n == 1, "%s: %d resources (%s)", rel, s.n, s.msg);
            if (s.k[0].r.claim.paid != CARA_DATE_NONE) date_format(s.k[0].r.claim.paid, got);
            ck_assert_msg(!strcmp(got, want[i].paid), "%s: paid %s, expected %s", rel, got,
                          want[i].paid);
        }
}
END_TEST

/*
 * patientReadWithIncludeIdentifiers.json: four us-mbi identifiers, the second marked
 * current (v1: an identifier-currency extension on the identifier; v2: on its type
 * coding), the others historic. patched/: 1EG4TE5MK71 historic, 1EG4TE5MK73 current,
 * 1EG4TE5MK74 and 1EG4TE5MK75 historic. Raw: 3456689, 3456789 (current), 543217066,
 * 9AB2WW3GR44, none an MBI: the current one is kept as the person id, with a warning.
 */
START_TEST(test_bfd_patients)
{
    static const char *const files[] = {"bfd_v1/patched/patientReadWithIncludeIdentifiers.json",
                                        "bfd_v2/patched/patientReadWithIncludeIdentifiers.json",
                                        "bfd_v1/patientReadWithIncludeIdentifiers.json",
                                        "bfd_v2/patientReadWithIncludeIdentifiers.json"};
    for (int f = 0; f < 4; f++) {
        size_t len;
        char *buf = public_data(files[f], &len);
        kept_set s;
        memset(&s, 0, sizeof s);
        ck_assert_int_eq(fhir_each(buf, len, keep_all, &s), 1);
        ck_assert_msg(s.bad == 0, "%s", s.msg);
        const fhir_resource *p = &s.k[0].r;
        ck_assert_int_eq(p->kind, FHIR_PATIENT);
        ck_assert_str_eq(p->id, "567834");
        if (f < 2) {
            ck_assert_str_eq(p->mbi, "1EG4TE5MK73");
            ck_assert_str_eq(p->bene.person_id, "1EG4TE5MK73");
            ck_assert_int_eq(p->n_historic, 3);
            ck_assert_str_eq(p->historic[0], "1EG4TE5MK71");
            ck_assert_str_eq(p->historic[1], "1EG4TE5MK74");
            ck_assert_str_eq(p->historic[2], "1EG4TE5MK75");
            ck_assert_str_eq(s.k[0].warnings, "");
        } else {
            ck_assert_str_eq(p->mbi, "3456789");
            ck_assert_int_eq(p->n_historic, 0);
            ck_assert_str_eq(s.k[0].warnings, "identifier[1].value ");
        }
        ck_assert_str_eq(p->bene.gender, "male");
        ck_assert_int_eq(p->bene.birth, date_from_ymd(1981, 3, 17));
        free(buf);
    }
    /* the raw placeholder is kept (kept = 1), not stored as absent */
    size_t len;
    char *buf = public_data("bfd_v1/patientReadWithIncludeIdentifiers.json", &len);
    fhir_resource r;
    char err[512];
    ck_assert_int_eq(fhir_parse(buf, len, &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.n_warnings, 1);
    ck_assert_int_eq(r.warnings[0].kept, 1);
    ck_assert_ptr_nonnull(strstr(r.warnings[0].msg, "Patient 567834: identifier[1].value: "
                                 "\"3456789\" is not an MBI"));
    fhir_resource_clear(&r);
    free(buf);
    /* no identifier marked: the first; a malformed MBI with letters stays an error */
    const char *const w[] = {"Patient p1: identifier[1].value: \"1EG4TE5MKX3\" is not an MBI", NULL};
    expect_error(patient, "1EG4TE5MK73", "1EG4TE5MKX3", w);
}
END_TEST

/*
 * eobRead{Carrier,Dme}WithTaxNumbers.json: the line's tax number. v1 (raw): a careTeam
 * member (sequence 3, role other) whose identifier has the v2-0203 system, linked with
 * the performing member: carrier 204299999 (rendering and billing TIN); DME 9994931888
 * (10 digits, not a TIN: a warning). v2 (patched): an item tax_num extension, the same
 * values; the carrier's rendering NPI 1615476052 (careTeam 3, performing).
 */
START_TEST(test_bfd_tax_numbers)
{
    static const struct {
        const char *file, *rendering, *tin, *warning;
    } t[] = {
        {"bfd_v1/eobReadCarrierWithTaxNumbers.json", "", "204299999", NULL},
        {"bfd_v1/eobReadDmeWithTaxNumbers.json", "", "", "careTeam[1].provider.identifier.value "},
        {"bfd_v2/patched/eobReadCarrierWithTaxNumbers.json", "1615476052", "204299999", NULL},
        {"bfd_v2/patched/eobReadDmeWithTaxNumbers.json", "1388975520", "",
         "item[0].extension[1].valueCoding.code "},
    };
    for (int i = 0; i < 4; i++) {
        size_t len;
        char *buf = public_data(t[i].file, &len);
        kept_set s;
        memset(&s, 0, sizeof s);
        ck_assert_int_eq(fhir_each(buf, len, keep_all, &s), 1);
        ck_assert_msg(s.bad == 0, "%s", s.msg);
        const kept *k = &s.k[0];
        ck_assert_str_eq(k->line.rendering_npi, t[i].rendering);
        ck_assert_str_eq(k->line.rendering_tin, t[i].tin);
        ck_assert_str_eq(k->line.billing_tin, t[i].tin);
        if (t[i].warning)
            ck_assert_msg(strstr(k->warnings, t[i].warning) != NULL, "%s: %s", t[i].file, k->warnings);
        free(buf);
    }
}
END_TEST

/* fhir_json reads every document as jansson would: the same tree (compared as jansson's
 * compact text, which tells integers from reals) or the same message, whichever of its
 * two paths (its own scanner, or jansson for what that scanner leaves) reads it. */
static void same_as_jansson(const char *b, size_t len)
{
    char e1[512] = "", e2[512] = "";
    fj_t *f = fj_load(b, len, 64, e1, sizeof e1);
    char *t1 = f ? fj_dumps(f) : NULL, *t2 = NULL;
    int d = 0, in = 0, deep = 0;
    for (size_t i = 0; i < len; i++) { /* the depth rule of fhir_json.h */
        if (in) {
            if (b[i] == '\\') i++;
            else if (b[i] == '"') in = 0;
        } else if (b[i] == '"') in = 1;
        else if (b[i] == '{' || b[i] == '[') deep |= ++d > 64;
        else if (b[i] == '}' || b[i] == ']') d--;
    }
    json_t *j = NULL;
    if (deep) {
        snprintf(e2, sizeof e2, "invalid JSON: nested deeper than 64 levels");
    } else {
        json_error_t je;
        j = json_loadb(b, len, JSON_REJECT_DUPLICATES, &je);
        if (!j) snprintf(e2, sizeof e2, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
        else t2 = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    }
    ck_assert_msg(!f == !j, "[%.*s]: fhir_json %s, jansson %s", (int)len, b, f ? "read it" : e1,
                  j ? "read it" : e2);
    if (f) ck_assert_msg(!strcmp(t1, t2), "[%.*s]: %s, jansson %s", (int)len, b, t1, t2);
    else ck_assert_msg(!strcmp(e1, e2), "[%.*s]: %s, jansson %s", (int)len, b, e1, e2);
    free(t1);
    free(t2);
    fj_free(f);
    json_decref(j);
}

START_TEST(test_json_as_jansson)
{
    static const char *const cases[] = {
        "{}", "[]", " {\"a\":1} \r", "{\"a\":1,\"a\":2}", "{\"k\":1,\"k2\":2,\"k\":3}", "{\"a\":-0}",
        "{\"a\":1.0}", "{\"a\":1e5}", "{\"a\":1E+5}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
        "{\"a\":-}", "{\"a\":9223372036854775807}", "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775808}", "{\"a\":-9223372036854775809}", "{\"a\":1e400}",
        "{\"a\":1e-400}", "{\"a\":123456789012345678901234567890}", "{\"a\":0.1}",
        "{\"a\":1234567890123456789012345678901234567890123456789012345678.5}", /* no strtod */
        "{\"a\":-12.50}", "{\"a\":100.00}", "{\"a\":\"x\\u0041\"}", "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\n\\t\\\"\\\\\\/\\b\\f\\r\"}", "{\"a\":\"\\x\"}",
        "{\"a\":true,\"b\":false,\"c\":null}", "{\"a\":truex}", "{\"a\":nul}", "[1,2,]", "[1 2]",
        "{\"a\" 1}", "{\"a\":1}x", "{\"a\":1}{}", "\"str\"", "1", "", "   ",
        "{\"a\":\"\xc3\xa9\"}", "{\"a\":\"\xff\"}", "{\"a\":\"tab\there\"}", "{\"\":1}",
        "{\"a\":[[[[[[]]]]]]}", "[{\"a\":{\"b\":[1,2.5,\"x\"]}}]", "{\"a\":1,}", "{,}", "[",
        "{\"a\":", "{\"a\":\"x", "{\"a\":1}\n{\"b\":2}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) same_as_jansson(cases[i], strlen(cases[i]));
    /* strings the scanner reads 16 bytes at a time: lengths 0 to 40, with an escape, a
     * control byte, a non-ASCII byte or the closing quote at each place (the 16-byte
     * boundaries included), and cut before their quote (the buffer ends there: read past
     * it, ASan says so) */
    static const char *const marks[] = {"", "\\n", "\\\"", "\x01", "\xc3\xa9", "\\u0041"};
    for (size_t len = 0; len <= 40; len++)
        for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
            for (size_t at = 0; at <= len; at += (m ? 1 : len + 1)) {
                char doc[128];
                size_t k = 0;
                memcpy(doc, "{\"a\":\"", 6);
                k = 6;
                for (size_t i = 0; i < len; i++) {
                    if (i == at) {
                        memcpy(doc + k, marks[m], strlen(marks[m]));
                        k += strlen(marks[m]);
                    }
                    doc[k++] = (char)('a' + i % 26);
                }
                size_t open = k; /* cut here: no closing quote */
                doc[k++] = '"';
                doc[k++] = '}';
                same_as_jansson(doc, k);
                char *cut = malloc(open); /* exactly open bytes: nothing after them */
                memcpy(cut, doc, open);
                same_as_jansson(cut, open);
                free(cut);
            }
    char deep[300];
    for (int d = 62; d < 67; d++) {
        int k = 0;
        for (int i = 0; i < d; i++) deep[k++] = '[';
        for (int i = 0; i < d; i++) deep[k++] = ']';
        same_as_jansson(deep, (size_t)k);
        deep[d] = 'x';
        same_as_jansson(deep, (size_t)k);
    }
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
    tcase_add_test(tc, test_types_and_skips);
    tcase_add_test(tc, test_warnings);
    tcase_add_test(tc, test_payment_and_denials);
    tcase_add_test(tc, test_bfd_eobs);
    tcase_add_test(tc, test_bfd_paid_dates);
    tcase_add_test(tc, test_bfd_patients);
    tcase_add_test(tc, test_bfd_tax_numbers);
    tcase_add_test(tc, test_json_as_jansson);
    suite_add_tcase(s, tc);
    return s;
}
