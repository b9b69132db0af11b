/*
 * tests/test_feed_fhir.c: FHIR files end to end through load_fhir: the BCDA sample,
 * versions by meta.lastUpdated (an adjustment, a cancellation), EOBs read before their
 * Patient, Coverage periods as enrollment spans, and bad records refused or skipped.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "load_feed.h"
#include "suites.h"
#include "util.h"

static char dir[64];
static store *db;
static char *errs;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-fhir", &db);
    errs = NULL;
}

static void teardown(void)
{
    store_close(db);
    free(errs);
    th_rmdir(dir);
}

static long long q(const char *sql) { return th_q(db, sql); }

static char qs_buf[256];
static const char *qs(const char *sql) { return th_qs(db, sql, qs_buf); }

#define HAS(s) ck_assert_msg(errs && strstr(errs, s), "errors lack '%s':\n%s", s, errs)

/* Load paths (NULL-terminated); errors into errs. */
static int load(char **paths, int skip_bad)
{
    int n = 0;
    while (paths[n]) n++;
    char errpath[128], rejpath[128], err[256];
    snprintf(errpath, sizeof errpath, "%s/errors", dir);
    snprintf(rejpath, sizeof rejpath, "%s/rejects.tsv", dir);
    FILE *e = fopen(errpath, "w"), *rj = fopen(rejpath, "w");
    feed_opts o = {.max_errors = 50, .err = e, .skip_bad = skip_bad, .rejects = rj};
    int rc = load_fhir(db, paths, (size_t)n, &o);
    fclose(e);
    fclose(rj);
    size_t len;
    free(errs);
    ck_assert_int_eq(util_read_file(errpath, 1 << 20, &errs, &len, err, sizeof err), 0);
    return rc;
}

static char *write_file(const char *name, const char *text) { return th_write(dir, name, text); }

/* The BCDA sample: 33 carrier claims with 52 lines; summing line_nch_pmt_amt over the
 * Bundle gives $1,970 and line_alowd_chrg_amt $2,470 (read out of the JSON). The
 * Coverage has no period, so the one span starts at the birth date. */
START_TEST(test_bcda_sample)
{
    const char *src = getenv("CARA_SRC");
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/tests/fixtures/bcda/ExplanationOfBenefit.json", src ? src : ".");
    snprintf(b, sizeof b, "%s/tests/fixtures/bcda/Patient.json", src ? src : ".");
    snprintf(c, sizeof c, "%s/tests/fixtures/bcda/Coverage.json", src ? src : ".");
    char *paths[] = {a, b, c, NULL}; /* the EOBs first: read again after the Patient */
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_type = 'professional'"), 33);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 52);
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claim_lines"), 197000);
    ck_assert_int_eq(q("SELECT sum(allowed_cents) FROM claim_lines"), 247000);
    ck_assert_int_eq(q("SELECT count(DISTINCT person_id) FROM claims WHERE person_id = '-1Q03Z002871'"), 1);
    ck_assert_str_eq(qs("SELECT hcpcs_code FROM claim_lines WHERE claim_id = '10302277613'"), "81002");
    ck_assert_str_eq(qs("SELECT enrollment_start_date || ' ' || gender || ' ' || medicare_status_code "
                        "FROM eligibility"), "1999-06-01 female 10");
    ck_assert_int_eq(load(paths, 0), 0); /* the same files again: skipped */
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 3);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 33);
}
END_TEST

#define MBI "1EG4TE5MK73"
#define EOB(id, status, when, paid)                                                               \
    "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-" id "\",\"meta\":{\"lastUpdated\":\"" \
    when "\"},\"status\":\"" status "\",\"type\":{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/" \
    "resources/codesystem/eob-type\",\"code\":\"CARRIER\"}]},\"patient\":{\"reference\":\"Patient/p1\"}," \
    "\"billablePeriod\":{\"start\":\"2027-03-01\",\"end\":\"2027-03-01\"},\"careTeam\":[{\"sequence\":1," \
    "\"provider\":{\"identifier\":{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1003347634\"}}," \
    "\"role\":{\"coding\":[{\"code\":\"performing\"}]}}],\"diagnosis\":[{\"sequence\":1,"          \
    "\"diagnosisCodeableConcept\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\","  \
    "\"code\":\"R2681\"}]}}],\"item\":[{\"sequence\":1,\"careTeamSequence\":[1],\"productOrService\":" \
    "{\"coding\":[{\"system\":\"https://bluebutton.cms.gov/resources/codesystem/hcpcs\",\"code\":"   \
    "\"97110\"}]},\"servicedDate\":\"2027-03-01\",\"adjudication\":[{\"category\":{\"coding\":[{"    \
    "\"system\":\"https://bluebutton.cms.gov/resources/codesystem/adjudication\",\"code\":"          \
    "\"https://bluebutton.cms.gov/resources/variables/line_nch_pmt_amt\"}]},\"amount\":{\"value\":" \
    paid "}}]}]}\n"

/* EOBs before their Patient; X original then adjusted (a later lastUpdated wins: 41.10);
 * Y original then cancelled (nets out); Z's adjustment listed before its original, with
 * an earlier lastUpdated for the original: the later one (12.00) wins whatever the
 * order. Part B coverage in two periods gives two spans. */
START_TEST(test_versions_and_spans)
{
    char *eob = write_file("eob.ndjson",
                      EOB("X", "active", "2027-04-01T10:00:00Z", "30.00")
                      EOB("Y", "active", "2027-04-01T10:00:00Z", "25")
                      EOB("X", "active", "2027-05-01T10:00:00-04:00", "41.10")
                      EOB("Y", "cancelled", "2027-05-01T10:00:00Z", "25")
                      EOB("Z", "active", "2027-06-01T00:00:00Z", "12.00")
                      EOB("Z", "active", "2027-04-01T00:00:00Z", "11.00"));
    char *pat = write_file("patient.ndjson",
                      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                      "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":\"male\","
                      "\"birthDate\":\"1950-04-02\",\"address\":[{\"state\":\"MD\",\"postalCode\":\"21244\"}]}\n");
    char *cov = write_file("coverage.ndjson",
                      "{\"resourceType\":\"Coverage\",\"id\":\"b1\",\"status\":\"active\",\"type\":"
                      "{\"coding\":[{\"system\":\"Medicare\",\"code\":\"Part B\"}]},\"beneficiary\":"
                      "{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2015-04-01\",\"end\":"
                      "\"2027-02-28\"}}\n"
                      "{\"resourceType\":\"Coverage\",\"id\":\"b2\",\"status\":\"active\",\"type\":"
                      "{\"coding\":[{\"system\":\"Medicare\",\"code\":\"Part B\"}]},\"beneficiary\":"
                      "{\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2027-04-01\"}}\n");
    char *paths[] = {eob, pat, cov, NULL};
    ck_assert_int_eq(load(paths, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 2); /* X and Z */
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'X'"), 4110);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = 'Z'"), 1200);
    ck_assert_str_eq(qs("SELECT person_id FROM claims WHERE claim_id = 'X'"), MBI);
    ck_assert_str_eq(qs("SELECT group_concat(enrollment_start_date || '..' || coalesce("
                        "enrollment_end_date, ''), ' ') FROM (SELECT * FROM eligibility ORDER BY 1, 2)"),
                     "2015-04-01..2027-02-28 2027-04-01..");
    free(eob);
    free(pat);
    free(cov);
}
END_TEST

/* A broken line and an EOB whose patient has no MBI anywhere: refused whole with the
 * file and line; with skip_bad the good ones load. */
START_TEST(test_bad_records)
{
    char *eob = write_file("eob.ndjson",
                      EOB("X", "active", "2027-04-01T10:00:00Z", "30.00")
                      "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-Q\",\n"
                      EOB("W", "active", "2027-04-01T10:00:00Z", "30.001"));
    char *pat = write_file("patient.ndjson",
                      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"system\":"
                      "\"http://hl7.org/fhir/sid/us-mbi\",\"value\":\"" MBI "\"}],\"gender\":\"male\","
                      "\"birthDate\":\"1950-04-02\"}\n");
    char *paths[] = {eob, pat, NULL};
    ck_assert_int_lt(load(paths, 0), 0);
    HAS("eob.ndjson:2: ");
    HAS("eob.ndjson:3: ");
    HAS("\"30.001\"");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 0);
    ck_assert_int_eq(load(paths, 1), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 1);
    char path[128], *buf, err[256];
    size_t len;
    snprintf(path, sizeof path, "%s/rejects.tsv", dir);
    ck_assert_int_eq(util_read_file(path, 1 << 20, &buf, &len, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(buf, "eob.ndjson\t2\t"));
    ck_assert_ptr_nonnull(strstr(buf, "eob.ndjson\t3\t"));
    free(buf);
    free(eob);
    free(pat);
}
END_TEST

Suite *suite_feed_fhir(void)
{
    Suite *s = suite_create("feed_fhir");
    TCase *tc = tcase_create("fhir");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bcda_sample);
    tcase_add_test(tc, test_versions_and_spans);
    tcase_add_test(tc, test_bad_records);
    suite_add_tcase(s, tc);
    return s;
}
