/*
 * tests/test_claims_cmd.c: `cara claims` as a user runs it, on a store built by hand
 * (every claim status, a denied line, a claim-level payment with a line 0, a CSV claim
 * whose source is its load's path, a claim with no lines and no load), and on a real
 * load of CMS's BCDA sample: exact table, JSON and CSV output, the filters, the
 * usage errors, and that the store is only read.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "base/money.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static char *out_buf, *err_buf;

/*
 * The hand-built store. Per claim, what `cara claims` must say (paid / allowed are the
 * sums over the lines that are not denied):
 *
 *   P1 C1       CSV load 1, source '' -> in/medical_claim.csv; 123450 + 1005 = 124455
 *               paid (1244.55), 150000 + 1200 = 151200 allowed (1512.00); current
 *   P1 1001#r0  replaced by 1001#r1: 4000 / 4500 (40.00 / 45.00)
 *   P1 1001#r1  current; line 2 denied (700 / 900 not counted): 5000 / 6000 (50.00 /
 *               60.00), 2 lines, 1 denied
 *   P2 2002#r5  institutional, claim-level payment 250000 (2500.00) and no revenue
 *               lines: line 0 carries it (feed_store.h), 250000 / 260000 (2500.00 /
 *               2600.00), 1 line
 *   P2 3003#r8  cancelled by 3003#r9: 1200 / 1500 (12.00 / 15.00); its reason has a
 *               comma (quoted in CSV)
 *   P2 3003#r9  the cancellation: -1200 / -1500 (-12.00 / -15.00), claim-level -1200;
 *               its source file has a ':' of its own (cut at the last one)
 *   P3 E77      denied, its one line denied: 0 / 0, 1 line, 1 denied; its reason has
 *               quotes and a comma
 *   P3 C9       no lines, no load, no source: 0 / 0, source_file and load_id null
 */
static const char FIXTURE_SQL[] =
    "INSERT INTO loads (load_id, path, kind, sha256, rows, loaded_at) VALUES "
    " (1, 'in/medical_claim.csv', 'medical_claim.csv', 'aa', 2, '2027-07-01T00:00:00Z'),"
    " (2, '/feeds/cclf', 'cclf', 'bb', 9, '2027-07-01T00:00:00Z'),"
    " (3, '/feeds/fhir', 'fhir', 'cc', 1, '2027-07-01T00:00:00Z');"
    "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date, "
    "  bill_type_code, load_id, status, status_reason, related_claim_id, claim_key, "
    "  control_number, paid_cents, allowed_cents, source) VALUES "
    " ('C1', 'professional', 'P1', '2027-01-05', '2027-01-05', '', 1, 'current', '', NULL,"
    "  NULL, '', NULL, NULL, ''),"
    " ('1001#r1', 'professional', 'P1', '2027-02-01', '2027-02-01', '', 2, 'current', '',"
    "  NULL, 'k1', '1001', NULL, NULL, 'cclf/CCLF5.txt:3'),"
    " ('1001#r0', 'professional', 'P1', '2027-02-01', '2027-02-01', '', 2, 'replaced', '',"
    "  '1001#r1', 'k1', '1001', NULL, NULL, 'cclf/CCLF5.txt:1'),"
    " ('2002#r5', 'institutional', 'P2', '2027-03-01', '2027-03-04', '111', 2, 'current', '',"
    "  NULL, 'k2', '2002', 250000, 260000, 'cclf/CCLF1.txt:7'),"
    " ('3003#r8', 'professional', 'P2', '2027-04-01', '2027-04-01', '', 2, 'cancelled',"
    "  'CLM_ORG_CNTL_NUM 3003, matched', '3003#r9', 'k3', '3003', 1200, NULL,"
    "  'cclf/CCLF5.txt:11'),"
    " ('3003#r9', 'professional', 'P2', '2027-04-01', '2027-04-01', '', 2, 'cancellation', '',"
    "  '3003#r8', 'k3', '3003X', -1200, NULL, 'odd:dir/CCLF5.txt:12'),"
    " ('E77', 'dme', 'P3', '2027-05-01', '2027-05-01', '', 3, 'denied',"
    "  'CLM_MDCR_NPMT_RSN_CD \"B\", no pay', NULL, 'carrier-E77', 'E77', NULL, NULL,"
    "  'fhir/eob.ndjson:2'),"
    " ('C9', 'professional', 'P3', '2027-06-01', '2027-06-01', '', NULL, 'current', '', NULL,"
    "  NULL, '', NULL, NULL, '');"
    "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, allowed_cents, denied, "
    "  detail_paid_cents) VALUES "
    " ('C1', 1, 123450, 150000, 0, NULL), ('C1', 2, 1005, 1200, 0, NULL),"
    " ('1001#r1', 1, 5000, 6000, 0, NULL), ('1001#r1', 2, 700, 900, 1, NULL),"
    " ('1001#r0', 1, 4000, 4500, 0, NULL),"
    " ('2002#r5', 0, 250000, 260000, 0, NULL),"
    " ('3003#r8', 1, 1200, 1500, 0, NULL),"
    " ('3003#r9', 1, -1200, -1500, 0, NULL),"
    " ('E77', 1, 0, 3000, 1, NULL);";

#define CSV_HEADER                                                                              \
    "claim_id,person_id,claim_type,claim_start_date,claim_end_date,paid_amount,allowed_amount," \
    "status,source_file,source_record,control_number,claim_key,status_reason,related_claim_id," \
    "lines,denied_lines,claim_paid_amount,bill_type_code,load_id,priced\n"
#define CSV_C1 "C1,P1,professional,2027-01-05,2027-01-05,1244.55,1512.00,current,in/medical_claim.csv,,,,,,2,0,,,1,true\n"
#define CSV_R0 "1001#r0,P1,professional,2027-02-01,2027-02-01,40.00,45.00,replaced,cclf/CCLF5.txt,1,1001,k1,,1001#r1,1,0,,,2,false\n"
#define CSV_R1 "1001#r1,P1,professional,2027-02-01,2027-02-01,50.00,60.00,current,cclf/CCLF5.txt,3,1001,k1,,,2,1,,,2,true\n"
#define CSV_R5 "2002#r5,P2,institutional,2027-03-01,2027-03-04,2500.00,2600.00,current,cclf/CCLF1.txt,7,2002,k2,,,1,0,2500.00,111,2,true\n"
#define CSV_R8 "3003#r8,P2,professional,2027-04-01,2027-04-01,12.00,15.00,cancelled,cclf/CCLF5.txt,11,3003,k3,\"CLM_ORG_CNTL_NUM 3003, matched\",3003#r9,1,0,12.00,,2,false\n"
#define CSV_R9 "3003#r9,P2,professional,2027-04-01,2027-04-01,-12.00,-15.00,cancellation,odd:dir/CCLF5.txt,12,3003X,k3,,3003#r8,1,0,-12.00,,2,false\n"
#define CSV_E77 "E77,P3,dme,2027-05-01,2027-05-01,0.00,0.00,denied,fhir/eob.ndjson,2,E77,carrier-E77,\"CLM_MDCR_NPMT_RSN_CD \"\"B\"\", no pay\",,1,1,,,3,false\n"
#define CSV_C9 "C9,P3,professional,2027-06-01,2027-06-01,0.00,0.00,current,,,,,,,0,0,,,,true\n"

static void setup(void)
{
    store *s;
    char err[256];
    th_tmpdir_store(dir, "cara-claims", &s);
    ck_assert_msg(store_exec(s, FIXTURE_SQL, err, sizeof err) == 0, "%s", err);
    store_close(s);
    out_buf = err_buf = NULL;
}

static void teardown(void)
{
    free(out_buf);
    free(err_buf);
    th_rmdir(dir);
}

/* Run "cara --db t.db ARGS" in dir; returns the exit status. */
static int claims(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "--db t.db claims %s", args);
    return th_cara(dir, "", cmd, &out_buf, &err_buf);
}

#define ASSERT_OUT(s) ck_assert_str_eq(out_buf, s)
#define ASSERT_ERR_HAS(s) ck_assert_msg(strstr(err_buf, s), "stderr lacks '%s':\n%s", s, err_buf)

/* Every claim, every field, in person / start date / claim id order. */
START_TEST(test_csv_all)
{
    ck_assert_int_eq(claims("--format csv"), 0);
    ASSERT_OUT(CSV_HEADER CSV_C1 CSV_R0 CSV_R1 CSV_R5 CSV_R8 CSV_R9 CSV_E77 CSV_C9);
    ck_assert_str_eq(err_buf, "");
}
END_TEST

/* The filters: --claim by id, by claim number before '#' (every version), by control
 * number, never by a prefix; --person; --status; --limit; combined. */
static const struct {
    const char *args, *csv;
} filter_cases[] = {
    {"--claim 1001#r1", CSV_R1},
    {"--claim 1001", CSV_R0 CSV_R1},
    {"--claim 3003", CSV_R8 CSV_R9},
    {"--claim 3003X", CSV_R9},
    {"--claim E77", CSV_E77},
    {"--claim C9", CSV_C9},
    {"--person P2", CSV_R5 CSV_R8 CSV_R9},
    {"--status current", CSV_C1 CSV_R1 CSV_R5 CSV_C9},
    {"--status replaced", CSV_R0},
    {"--status cancelled", CSV_R8},
    {"--status cancellation", CSV_R9},
    {"--status denied", CSV_E77},
    {"--limit 2", CSV_C1 CSV_R0},
    {"--limit=1 --person P3", CSV_E77},
    {"--person P1 --status current --claim 1001", CSV_R1},
};

START_TEST(test_filters)
{
    char args[256];
    snprintf(args, sizeof args, "--format csv %s", filter_cases[_i].args);
    ck_assert_int_eq(claims(args), 0);
    char want[2048];
    snprintf(want, sizeof want, "%s%s", CSV_HEADER, filter_cases[_i].csv);
    ck_assert_str_eq(out_buf, want);
    ck_assert_str_eq(err_buf, "");
}
END_TEST

/* JSON: every field, money as dollar strings and integer cents, absent values null. */
START_TEST(test_json)
{
    ck_assert_int_eq(claims("--format json --person P2"), 0);
    ASSERT_OUT(
        "{\"claim_id\":\"2002#r5\",\"person_id\":\"P2\",\"claim_type\":\"institutional\","
        "\"claim_start_date\":\"2027-03-01\",\"claim_end_date\":\"2027-03-04\","
        "\"paid_amount\":\"2500.00\",\"allowed_amount\":\"2600.00\",\"status\":\"current\","
        "\"source_file\":\"cclf/CCLF1.txt\",\"source_record\":\"7\",\"control_number\":\"2002\","
        "\"claim_key\":\"k2\",\"status_reason\":\"\",\"related_claim_id\":null,\"lines\":1,"
        "\"denied_lines\":0,\"claim_paid_amount\":\"2500.00\",\"bill_type_code\":\"111\","
        "\"load_id\":2,\"priced\":true,\"paid_cents\":250000,\"allowed_cents\":260000,"
        "\"claim_paid_cents\":250000}\n"
        "{\"claim_id\":\"3003#r8\",\"person_id\":\"P2\",\"claim_type\":\"professional\","
        "\"claim_start_date\":\"2027-04-01\",\"claim_end_date\":\"2027-04-01\","
        "\"paid_amount\":\"12.00\",\"allowed_amount\":\"15.00\",\"status\":\"cancelled\","
        "\"source_file\":\"cclf/CCLF5.txt\",\"source_record\":\"11\",\"control_number\":\"3003\","
        "\"claim_key\":\"k3\",\"status_reason\":\"CLM_ORG_CNTL_NUM 3003, matched\","
        "\"related_claim_id\":\"3003#r9\",\"lines\":1,\"denied_lines\":0,"
        "\"claim_paid_amount\":\"12.00\",\"bill_type_code\":\"\",\"load_id\":2,\"priced\":false,"
        "\"paid_cents\":1200,\"allowed_cents\":1500,\"claim_paid_cents\":1200}\n"
        "{\"claim_id\":\"3003#r9\",\"person_id\":\"P2\",\"claim_type\":\"professional\","
        "\"claim_start_date\":\"2027-04-01\",\"claim_end_date\":\"2027-04-01\","
        "\"paid_amount\":\"-12.00\",\"allowed_amount\":\"-15.00\",\"status\":\"cancellation\","
        "\"source_file\":\"odd:dir/CCLF5.txt\",\"source_record\":\"12\","
        "\"control_number\":\"3003X\",\"claim_key\":\"k3\",\"status_reason\":\"\","
        "\"related_claim_id\":\"3003#r8\",\"lines\":1,\"denied_lines\":0,"
        "\"claim_paid_amount\":\"-12.00\",\"bill_type_code\":\"\",\"load_id\":2,"
        "\"priced\":false,\"paid_cents\":-1200,\"allowed_cents\":-1500,"
        "\"claim_paid_cents\":-1200}\n");
    ck_assert_int_eq(claims("--format json --person P3"), 0);
    ASSERT_OUT(
        "{\"claim_id\":\"E77\",\"person_id\":\"P3\",\"claim_type\":\"dme\","
        "\"claim_start_date\":\"2027-05-01\",\"claim_end_date\":\"2027-05-01\","
        "\"paid_amount\":\"0.00\",\"allowed_amount\":\"0.00\",\"status\":\"denied\","
        "\"source_file\":\"fhir/eob.ndjson\",\"source_record\":\"2\",\"control_number\":\"E77\","
        "\"claim_key\":\"carrier-E77\",\"status_reason\":\"CLM_MDCR_NPMT_RSN_CD \\\"B\\\", no pay\","
        "\"related_claim_id\":null,\"lines\":1,\"denied_lines\":1,\"claim_paid_amount\":null,"
        "\"bill_type_code\":\"\",\"load_id\":3,\"priced\":false,\"paid_cents\":0,"
        "\"allowed_cents\":0,\"claim_paid_cents\":null}\n"
        "{\"claim_id\":\"C9\",\"person_id\":\"P3\",\"claim_type\":\"professional\","
        "\"claim_start_date\":\"2027-06-01\",\"claim_end_date\":\"2027-06-01\","
        "\"paid_amount\":\"0.00\",\"allowed_amount\":\"0.00\",\"status\":\"current\","
        "\"source_file\":null,\"source_record\":null,\"control_number\":\"\",\"claim_key\":null,"
        "\"status_reason\":\"\",\"related_claim_id\":null,\"lines\":0,\"denied_lines\":0,"
        "\"claim_paid_amount\":null,\"bill_type_code\":\"\",\"load_id\":null,\"priced\":true,"
        "\"paid_cents\":0,\"allowed_cents\":0,\"claim_paid_cents\":null}\n");
    ck_assert_str_eq(err_buf, "");
}
END_TEST

/* The table: the main fields aligned, money and counts right-aligned, source as
 * file:record (the CSV claim: its load's path). */
START_TEST(test_table)
{
    ck_assert_int_eq(claims("--person P1"), 0);
    ASSERT_OUT(
        "claim_id  person_id  claim_type    claim_start_date  claim_end_date  paid_amount  "
        "allowed_amount  status    lines  denied_lines  source\n"
        "C1        P1         professional  2027-01-05        2027-01-05          1244.55  "
        "       1512.00  current       2             0  in/medical_claim.csv\n"
        "1001#r0   P1         professional  2027-02-01        2027-02-01            40.00  "
        "         45.00  replaced      1             0  cclf/CCLF5.txt:1\n"
        "1001#r1   P1         professional  2027-02-01        2027-02-01            50.00  "
        "         60.00  current       2             1  cclf/CCLF5.txt:3\n");
    ck_assert_int_eq(claims("--format table --claim 3003X"), 0);
    ASSERT_OUT(
        "claim_id  person_id  claim_type    claim_start_date  claim_end_date  paid_amount  "
        "allowed_amount  status        lines  denied_lines  source\n"
        "3003#r9   P2         professional  2027-04-01        2027-04-01           -12.00  "
        "        -15.00  cancellation      1             0  odd:dir/CCLF5.txt:12\n");
    ck_assert_str_eq(err_buf, "");
}
END_TEST

/* Nothing matches: exit 0; the table says so on stderr, json and csv print nothing. */
START_TEST(test_no_claims)
{
    ck_assert_int_eq(claims("--claim 300"), 0); /* not a prefix match */
    ASSERT_OUT("");
    ck_assert_str_eq(err_buf, "(no claims)\n");
    ck_assert_int_eq(claims("--person NOBODY --format json"), 0);
    ASSERT_OUT("");
    ck_assert_str_eq(err_buf, "");
    ck_assert_int_eq(claims("--person P3 --status replaced --format csv"), 0);
    ASSERT_OUT("");
    ck_assert_str_eq(err_buf, "");
    ck_assert_int_eq(claims("--claim ''"), 0); /* empty control numbers match nothing */
    ck_assert_str_eq(err_buf, "(no claims)\n");
}
END_TEST

/* Usage errors exit 2 and say what was wrong; nothing goes to stdout. */
static const struct {
    const char *args, *msg;
} usage_cases[] = {
    {"--bogus", "unknown option '--bogus'"},
    {"--format xml", "--format must be table, json or csv (got 'xml')"},
    {"--format", "option '--format' needs a value"},
    {"--limit 0", "--limit: '0' is not a count of at least 1"},
    {"--limit -3", "--limit: '-3' is not a count of at least 1"},
    {"--limit ten", "--limit: 'ten' is not a count of at least 1"},
    {"--limit 99999999999999999999", "is not a count of at least 1"},
    {"--status open", "--status must be current, replaced, cancelled, denied or cancellation (got 'open')"},
    {"extra", "unexpected argument 'extra'"},
};

START_TEST(test_usage_errors)
{
    ck_assert_int_eq(claims(usage_cases[_i].args), 2);
    ASSERT_ERR_HAS(usage_cases[_i].msg);
    ASSERT_ERR_HAS("usage: cara [--db FILE] claims");
    ASSERT_OUT("");
}
END_TEST

/* No database: exit 1 naming the path (and none is created); --help; `cara help`. */
START_TEST(test_no_database_and_help)
{
    ck_assert_int_eq(th_cara(dir, "", "--db missing.db claims", &out_buf, &err_buf), 1);
    ASSERT_ERR_HAS("cara claims: missing.db: no database there");
    ASSERT_OUT("");
    ck_assert_int_eq(th_cara(dir, "", "--version >/dev/null && test ! -e missing.db && echo absent",
                             &out_buf, &err_buf), 0);
    ASSERT_OUT("absent\n");
    ck_assert_int_eq(claims("--help"), 0);
    ck_assert_msg(strstr(out_buf, "usage: cara [--db FILE] claims [--person MBI] [--claim ID] "
                                  "[--status S] [--format table|json|csv] [--limit N]"), "%s", out_buf);
    ck_assert_msg(strstr(out_buf, "cancellation (the record that cancels another)"), "%s", out_buf);
    ck_assert_int_eq(th_cara(dir, "", "help", &out_buf, &err_buf), 0);
    ck_assert_msg(strstr(out_buf, "  claims "), "%s", out_buf);
}
END_TEST

/* Listing claims leaves the database file byte for byte as it was. */
START_TEST(test_read_only)
{
    char path[128], err[256], *before, *after;
    size_t n_before, n_after;
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_int_eq(util_read_file(path, 64u << 20, &before, &n_before, err, sizeof err), 0);
    ck_assert_int_eq(claims("--format json"), 0);
    ck_assert_int_eq(claims(""), 0);
    ck_assert_int_eq(util_read_file(path, 64u << 20, &after, &n_after, err, sizeof err), 0);
    ck_assert_uint_eq(n_before, n_after);
    ck_assert(memcmp(before, after, n_before) == 0);
    free(before);
    free(after);
}
END_TEST

/* Split one CSV record (RFC 4180; no newlines inside fields here) at *p into fields
 * (at most max, each at most 255 bytes); advances *p past the record. */
static int csv_record(const char **p, char fields[][256], int max)
{
    int n = 0;
    const char *s = *p;
    while (*s && *s != '\n' && n < max) {
        size_t o = 0;
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"') s++;
                if (o < 255) fields[n][o++] = *s;
            }
            if (*s == '"') s++;
        } else {
            for (; *s && *s != ',' && *s != '\n'; s++)
                if (o < 255) fields[n][o++] = *s;
        }
        fields[n++][o] = '\0';
        if (*s == ',') s++;
    }
    if (*s == '\n') s++;
    *p = s;
    return n;
}

/* A real load: CMS's BCDA sample (33 carrier claims; line_nch_pmt_amt over the Bundle
 * sums to $1,970.00, tests/test_feed_fhir.c) listed as CSV and as JSON. */
START_TEST(test_bcda_load)
{
    const char *src = getenv("CARA_SRC");
    char args[1024];
    snprintf(args, sizeof args, "--db b.db load '%s/tests/fixtures/bcda'", src ? src : ".");
    ck_assert_msg(th_cara(dir, "", args, &out_buf, &err_buf) == 0, "%s", err_buf);

    ck_assert_int_eq(th_cara(dir, "", "--db b.db claims --format csv", &out_buf, &err_buf), 0);
    const char *p = out_buf;
    char f[32][256];
    ck_assert_int_eq(csv_record(&p, f, 32), 20);
    ck_assert_str_eq(f[5], "paid_amount");
    ck_assert_str_eq(f[19], "priced");
    int rows = 0;
    cara_cents sum = 0;
    while (*p) {
        ck_assert_int_eq(csv_record(&p, f, 32), 20);
        cara_cents v;
        ck_assert_msg(money_parse(f[5], strlen(f[5]), &v) == 0, "paid_amount '%s'", f[5]);
        sum += v;
        rows++;
        ck_assert_str_eq(f[2], "professional");
        ck_assert_str_eq(f[7], "current");
        ck_assert_str_eq(f[19], "true");
    }
    ck_assert_int_eq(rows, 33);
    ck_assert_int_eq(sum, 197000);

    /* JSON: the same claims, the cents agree with the dollar strings */
    ck_assert_int_eq(th_cara(dir, "", "--db b.db claims --format json", &out_buf, &err_buf), 0);
    rows = 0;
    sum = 0;
    for (char *line = strtok(out_buf, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        ck_assert_msg(o != NULL, "%s: %s", je.text, line);
        const char *dollars = json_string_value(json_object_get(o, "paid_amount"));
        ck_assert_ptr_nonnull(dollars);
        cara_cents v;
        ck_assert_int_eq(money_parse(dollars, strlen(dollars), &v), 0);
        ck_assert_int_eq(v, json_integer_value(json_object_get(o, "paid_cents")));
        ck_assert(json_is_true(json_object_get(o, "priced")));
        sum += v;
        rows++;
        json_decref(o);
    }
    ck_assert_int_eq(rows, 33);
    ck_assert_int_eq(sum, 197000);
}
END_TEST

Suite *suite_claims_cmd(void)
{
    Suite *s = suite_create("claims_cmd");
    TCase *tc = tcase_create("claims_cmd");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_csv_all);
    tcase_add_loop_test(tc, test_filters, 0, (int)(sizeof filter_cases / sizeof filter_cases[0]));
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_no_claims);
    tcase_add_loop_test(tc, test_usage_errors, 0, (int)(sizeof usage_cases / sizeof usage_cases[0]));
    tcase_add_test(tc, test_no_database_and_help);
    tcase_add_test(tc, test_read_only);
    tcase_add_test(tc, test_bcda_load);
    suite_add_tcase(s, tc);
    return s;
}
