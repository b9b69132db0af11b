/*
 * tests/test_risk_e2e.c: risk adjustment through the real binary (docs/methodology.md
 * section 4, step 3), on tests/fixtures/risk: one beneficiary, six claims.
 *
 * 1A00A00AA01, female, born 1955-06-15 (71 on 2027-02-01 and on day 0), non-dual
 * (00), aged (10), aligned to A1 for 2027. Claims in the 180-day lookback before day 0
 * (2027-03-01), with what CMS's risk adjustment filter makes of them:
 *   R01 DME E0114, J449 (HCC 280)                          never: a DME claim
 *   R02 outpatient 131, 80053 (a lab panel), J449          no: not an eligible code
 *   R03 outpatient 131, G0463 (clinic visit), E1122 (37)   counts
 *   R04 professional 99214, I509 (HCC 226)                 counts
 *   R05 SNF 211, J449                                      never: not a counted bill type
 * R06 professional 97161 with Z9181 on 2027-03-01 opens falls prevention trigger A.
 * Before the filter every claim counted: HCCs {37, 226, 280}, count 3, target 265225.
 *
 * hcc_count (the default method), hand arithmetic (round half away after each step):
 *   200000 x1.0300 = 206000 x1.0300 = 212180; age 71 x1.0000; count 2 x1.1200
 *   = 237641.6 -> 237642; non-dual x1.0000; unattributed, no discount -> 237642.
 * The V28 score (cms_hcc_v28_coefficients.csv, segment CNA):
 *   CNA_F70_74 0.395 + CNA_HCC37 0.166 + CNA_HCC226 0.360 + CNA_DIABETES_HF_V28 0.112
 *   + CNA_D2 0 = raw 1.033.
 *   Defaults (normalization 1.0000, coding intensity 590 bps): 1.033 / 1.000 = 1.033;
 *   1.033 x 0.941 = 0.972053 -> 0.972: risk_score 9720.
 *   cms_hcc_v28 with normalization 10150 (1.015): 1.033 / 1.015 = 1.017734 -> 1.018;
 *   1.018 x 0.941 = 0.957938 -> 0.958 (9580); target 212180 x 0.9580 = 203268.44
 *   -> 203268, with the age, HCC and dual factors reported as 1.0000.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "helpers.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static char *out_buf, *err_buf;

static int sh(const char *cmd) { return th_sh(cmd); }

/* Run a command in the temp dir; capture stdout and stderr. */
static int in_dir(const char *what)
{
    char cmd[4096], path[128], err[256];
    size_t len;
    snprintf(cmd, sizeof cmd, "cd '%s' && %s >out 2>err </dev/null", dir, what);
    int rc = sh(cmd);
    free(out_buf);
    free(err_buf);
    snprintf(path, sizeof path, "%s/out", dir);
    ck_assert_int_eq(util_read_file(path, 1 << 20, &out_buf, &len, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/err", dir);
    ck_assert_int_eq(util_read_file(path, 1 << 20, &err_buf, &len, err, sizeof err), 0);
    return rc;
}

static int cara(const char *args)
{
    char full[2048];
    snprintf(full, sizeof full, "--db t.db --episodes episodes %s", args);
    return th_cara(dir, "", full, &out_buf, &err_buf);
}

/* One row of run_episodes for run `run`, as sqlite3 prints it ("a|b|c"). */
static const char *episode_row(int run, const char *cols)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sqlite3 t.db \"SELECT %s FROM run_episodes WHERE run_id = %d\"",
             cols, run);
    ck_assert_int_eq(in_dir(cmd), 0);
    size_t n = strlen(out_buf);
    while (n > 0 && out_buf[n - 1] == '\n') out_buf[--n] = '\0';
    return out_buf;
}

/* Set pricing.KEY of falls_prevention to a JSON value. */
static void set_pricing(const char *key, const char *json)
{
    char path[256];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/template.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je), *v = json_loads(json, JSON_DECODE_ANY, &je);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(v);
    json_object_set_new(json_object_get(root, "pricing"), key, v);
    ck_assert_int_eq(json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(root);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-risk-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    out_buf = err_buf = NULL;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s/episodes'", getenv("CARA_EPISODES"), dir);
    ck_assert_int_eq(sh(cmd), 0);
    snprintf(cmd, sizeof cmd, "load '%s/tests/fixtures/risk'", getenv("CARA_SRC"));
    ck_assert_msg(cara(cmd) == 0, "load: %s", err_buf);
}

static void teardown(void)
{
    free(out_buf);
    free(err_buf);
    out_buf = err_buf = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    sh(cmd);
}

/* The filter: only R03 and R04 count (was 3 HCCs with J449 from DME, lab and SNF). */
START_TEST(test_filtered_count)
{
    ck_assert_msg(cara("run --compare-native falls_prevention") == 0, "run: %s", err_buf);
    ck_assert_str_eq(episode_row(1, "hcc_count, hcc_factor, age_factor, dual_factor, "
                                    "target_cents, risk_score"),
                     "2|11200|10000|10000|237642|9720");
}
END_TEST

/* pricing.risk_method cms_hcc_v28: the target is multiplied by the score; the C twin
 * agrees (--compare-native). */
START_TEST(test_v28_target)
{
    set_pricing("risk_method", "\"cms_hcc_v28\"");
    set_pricing("risk", "{\"normalization_factor\": 10150, \"coding_intensity_bps\": 590}");
    ck_assert_msg(cara("run --compare-native falls_prevention") == 0, "run: %s", err_buf);
    ck_assert_str_eq(episode_row(1, "hcc_count, hcc_factor, age_factor, dual_factor, "
                                    "target_cents, risk_score"),
                     "2|10000|10000|10000|203268|9580");
}
END_TEST

/* A bad parameter names the template file, the parameter, its value and what is expected. */
START_TEST(test_bad_parameters)
{
    set_pricing("risk_method", "\"cms_hcc_v24\"");
    ck_assert_int_ne(cara("run"), 0);
    ck_assert_msg(strstr(err_buf, "falls_prevention/template.json: 1 problem(s):\n  "
                                  "pricing.risk_method: \"cms_hcc_v24\" is not a known value; "
                                  "expected one of \"hcc_count\", \"cms_hcc_v28\""),
                  "%s", err_buf);
    set_pricing("risk_method", "\"cms_hcc_v28\"");
    set_pricing("risk", "{\"normalization_factor\": 0}");
    ck_assert_int_ne(cara("run"), 0);
    ck_assert_msg(strstr(err_buf, "pricing.risk.normalization_factor: 0 is out of range; expected an integer "
                                  "from 1 to 1000000"),
                  "%s", err_buf);
}
END_TEST

/* Without the coefficient table: no score recorded; a cms_hcc_v28 template says what is
 * missing. */
START_TEST(test_no_coefficients)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm '%s/episodes/common/cms_hcc_v28_coefficients.csv'", dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_msg(cara("run") == 0, "run: %s", err_buf);
    ck_assert_str_eq(episode_row(1, "hcc_count, target_cents, coalesce(risk_score, 'null')"),
                     "2|237642|null");
    set_pricing("risk_method", "\"cms_hcc_v28\"");
    ck_assert_int_ne(cara("run"), 0);
    ck_assert_msg(strstr(err_buf, "pricing.risk_method \"cms_hcc_v28\" needs the CMS-HCC V28 "
                                  "coefficient table cms_hcc_v28_coefficients.csv"), "%s", err_buf);
}
END_TEST

Suite *suite_risk_e2e(void)
{
    Suite *s = suite_create("risk_e2e");
    TCase *tc = tcase_create("risk");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_filtered_count);
    tcase_add_test(tc, test_v28_target);
    tcase_add_test(tc, test_bad_parameters);
    tcase_add_test(tc, test_no_coefficients);
    suite_add_tcase(s, tc);
    return s;
}
