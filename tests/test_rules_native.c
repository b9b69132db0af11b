/*
 * tests/test_rules_native.c: the Lua rules (the method library episodes/common/
 * cms_default.lua, called by the shipped templates) against their C twins
 * (core/engine/rules_native.c): the same episodes priced by both must give the same
 * arrangement, method, every pricing factor, the target in cents and the quality result
 * (engine_opts.compare_native fails the run on the first difference and counts the
 * episodes compared). Run in process on
 *   - the hand-worked world of tests/fixtures/e2e, where one target is also checked by
 *     hand, and
 *   - a synthetic dataset (cara synth --beneficiaries 400 --seed 7),
 * for each shipped template; and a planted one-cent difference in the Lua target must
 * be caught.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "helpers.h"
#include "suites.h"

static char dir[64];
static char *out_buf, *err_buf;

static const char *const TEMPLATES[] = {"falls_prevention", "functional_independence",
                                        "knee_arthroplasty"};

static void teardown(void)
{
    th_rmdir(dir);
    free(out_buf);
    free(err_buf);
    out_buf = err_buf = NULL;
}

/* The e2e world (tests/fixtures/e2e), loaded into dir/t.db. */
static void e2e_setup(void)
{
    th_tmpdir(dir, "cara-native");
    th_e2e_world(dir);
    ck_assert_int_eq(th_cara(dir, "", "--db t.db --episodes episodes load data/base", &out_buf,
                             &err_buf), 0);
}

/* A synthetic dataset, loaded into dir/t.db with a copy of the shipped episodes. */
static void synth_setup(void)
{
    th_tmpdir(dir, "cara-native");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s/episodes'", getenv("CARA_EPISODES"), dir);
    ck_assert_int_eq(th_sh(cmd), 0);
    ck_assert_int_eq(th_cara(dir, "", "synth --out syn --beneficiaries 400 --seed 7", &out_buf,
                             &err_buf), 0);
    ck_assert_msg(th_cara(dir, "", "--db t.db --episodes episodes load syn", &out_buf,
                          &err_buf) == 0, "load: %s", err_buf);
}

/* Run in process with the C twins compared on template tmpl. Returns engine_run's code;
 * *st its statistics, err its message. */
static int run_compare(const char *tmpl, engine_stats *st, char *err, size_t errlen,
                       int64_t *run_id)
{
    char path[128], eps[128];
    snprintf(path, sizeof path, "%s/t.db", dir);
    snprintf(eps, sizeof eps, "%s/episodes", dir);
    store *s;
    ck_assert_int_eq(store_open(path, 0, &s, err, errlen), 0);
    engine_opts o = {.episodes_dir = eps, .plugins_dir = getenv("CARA_PLUGINS"),
                     .compare_native = tmpl, .threads = 1};
    int rc = engine_run(s, &o, run_id, st, err, errlen);
    store_close(s);
    return rc;
}

static long long q(const char *sql)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    store *s;
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    long long v = th_q(s, sql);
    store_close(s);
    return v;
}

/* Every template's episodes of the hand-worked world: Lua and C agree. */
START_TEST(test_e2e_agree)
{
    engine_stats st;
    char err[4096];
    int64_t run_id;
    const char *tmpl = TEMPLATES[_i];
    ck_assert_msg(run_compare(tmpl, &st, err, sizeof err, &run_id) == 0, "%s: %s", tmpl, err);
    /* the world's priced episodes of that template (excluded ones have no target) */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM run_episodes WHERE run_id = %lld AND "
             "template_id = '%s' AND status <> 'excluded'", (long long)run_id, tmpl);
    ck_assert_int_eq(st.compared, q(sql));
    if (_i == 0) {
        ck_assert_int_ge(st.compared, 14);
        /* P01 by hand: base 2,000.00 x 1.0300^2 (two trend years) = 2,121.80; x age 1.0000;
         * x HCC factor 0.8500 (no HCCs) = 1,803.53; non-dual 1.0000; no discount. The C twin
         * computed the same (the run would have failed otherwise). */
        snprintf(sql, sizeof sql, "SELECT target_cents FROM run_episodes WHERE run_id = %lld "
                 "AND episode_id = 'falls_prevention:1A00A00AA01:2027-01-04'",
                 (long long)run_id);
        ck_assert_int_eq(q(sql), 180353);
    }
}
END_TEST

/* A synthetic dataset: every template's episodes, Lua and C agree (to the cent). */
START_TEST(test_synth_agree)
{
    engine_stats st;
    char err[4096];
    int64_t run_id;
    long long total = 0;
    for (size_t i = 0; i < sizeof TEMPLATES / sizeof *TEMPLATES; i++) {
        ck_assert_msg(run_compare(TEMPLATES[i], &st, err, sizeof err, &run_id) == 0, "%s: %s",
                      TEMPLATES[i], err);
        ck_assert_int_gt(st.compared, 0);
        total += st.compared;
    }
    ck_assert_int_ge(total, 50);
}
END_TEST

/* The comparison can fail: a Lua target one cent higher than the library's is caught,
 * naming the episode and both targets, and the run is not kept. */
START_TEST(test_difference_caught)
{
    char path[160];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/savings.lua", dir);
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "\nfunction target(e, b, a, p)\n  local r = cms_default.target(e, b, a, p)\n"
               "  return { base_cents = r.base_cents, trend_factor = r.trend_factor,\n"
               "    trend_years = r.trend_years, age_factor = r.age_factor,\n"
               "    hcc_factor = r.hcc_factor, dual_factor = r.dual_factor,\n"
               "    discount_bps = r.discount_bps, target_cents = r.target_cents + 1 }\nend\n");
    fclose(f);
    engine_stats st;
    char err[4096];
    int64_t run_id;
    ck_assert_int_lt(run_compare("falls_prevention", &st, err, sizeof err, &run_id), 0);
    ck_assert_msg(strstr(err, "--compare-native: episode falls_prevention:") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "the C rules give") != NULL, "%s", err);
    ck_assert_int_eq(q("SELECT count(*) FROM run_episodes"), 0);
}
END_TEST

Suite *suite_rules_native(void)
{
    Suite *s = suite_create("rules_native");
    TCase *tc = tcase_create("e2e");
    tcase_add_checked_fixture(tc, e2e_setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_e2e_agree, 0, 3);
    tcase_add_test(tc, test_difference_caught);
    suite_add_tcase(s, tc);
    tc = tcase_create("synth");
    tcase_add_checked_fixture(tc, synth_setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_synth_agree);
    suite_add_tcase(s, tc);
    return s;
}
