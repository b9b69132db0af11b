/*
 * tests/test_network.c: every dollar once (docs/methodology.md section 3).
 *
 * The ACO network on a date (network.h, pure), and a hand-made run
 * (tests/fixtures/network) with an ACO overlay, a TIN that moves from ACO A2 to A1 on
 * 2027-07-01 and a DME claim with a diagnosis:
 *
 *   ACOs A1, A2 (global). TIN 123456789 is A1's all year; TIN 234567891 is A2's to
 *   2027-06-30 and A1's from 2027-07-01 (move/participants.csv); 345678912 is no ACO's.
 *   EBRAs: E1 A1 PT1 (1234567893/123456789) falls_prevention; E2 A1 PT2
 *   (1993999998/234567891) falls_prevention; E3 A2 OT (1003347634/345678912) on falls_a2,
 *   A2's overlay of falls_prevention with a 200 bps discount. min_episodes is set to 1.
 *   B1 (A1): PT2 evaluation 2027-03-01 $150 (trigger A), 97110 03-10 $40 and 07-15 $40.
 *   B2 (A1): PT2 evaluation 2027-08-02 $150 (trigger A), OT 97110 08-20 $50.
 *   B3 (A2): DME walker 2027-01-10 with J449; OT evaluation 02-01 $150 (trigger A), 3288F
 *   02-10 $0, 97530 02-15 $1,240; PT2 97110 03-01 $40 and 07-20 $40.
 *
 * Every target: base 200000 x 1.03 x 1.03 = 212180 (2025 -> 2027), age 70: x 1.0000;
 * no HCC: x 0.8500 = 180353 (the DME claim's J449 does not count: risk adjustment takes
 * diagnoses from face-to-face claims only); B3 under falls_a2: x (1 - 0.02) = 176745.94 ->
 * 176746.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/date.h"
#include "helpers.h"
#include "engine/network.h"
#include "suites.h"

static cara_date D(const char *s)
{
    cara_date d;
    ck_assert_int_eq(date_parse(s, 10, &d), 0);
    return d;
}

/* ---- network.h ------------------------------------------------------------------------ */

START_TEST(test_network_dates)
{
    network_span tins[] = {
        {.aco_id = "A1", .tin = "123456789", .start = D("2027-01-01"), .end = CARA_DATE_NONE},
        {.aco_id = "A2", .tin = "234567891", .start = D("2027-01-01"), .end = D("2027-06-30")},
        {.aco_id = "A1", .tin = "234567891", .start = D("2027-07-01"), .end = CARA_DATE_NONE},
    };
    network_span pps[] = {
        {.aco_id = "A2", .npi = "1003347634", .tin = "345678912", .start = D("2027-02-01"),
         .end = D("2027-11-30")},
        {.aco_id = "A2", .npi = "1993999998", .tin = "234567891", .start = D("2027-01-01"),
         .end = CARA_DATE_NONE},
    };
    network n;
    ck_assert_int_eq(network_build(&n, tins, 3, pps, 2), 0);
    /* a participant TIN: every NPI billing under it, from its start */
    ck_assert_int_eq(network_has(&n, "A1", "1234567893", "123456789", D("2027-01-01")), 1);
    ck_assert_int_eq(network_has(&n, "A1", "1111111112", "123456789", D("2030-05-05")), 1);
    ck_assert_int_eq(network_has(&n, "A1", "1234567893", "123456789", D("2026-12-31")), 0);
    ck_assert_int_eq(network_has(&n, "A2", "1234567893", "123456789", D("2027-03-01")), 0);
    /* the move: A2's through 06-30, A1's from 07-01 */
    ck_assert_int_eq(network_has(&n, "A2", "1", "234567891", D("2027-06-30")), 1);
    ck_assert_int_eq(network_has(&n, "A1", "1", "234567891", D("2027-06-30")), 0);
    ck_assert_int_eq(network_has(&n, "A2", "1", "234567891", D("2027-07-01")), 0);
    ck_assert_int_eq(network_has(&n, "A1", "1", "234567891", D("2027-07-01")), 1);
    /* a Preferred Provider of A2 whose TIN is A1's after 07-01 is A1's alone then */
    ck_assert_int_eq(network_has(&n, "A2", "1993999998", "234567891", D("2027-08-01")), 0);
    ck_assert_str_eq(network_tin_aco(&n, "234567891", D("2027-08-01")), "A1");
    ck_assert_ptr_null(network_tin_aco(&n, "345678912", D("2027-08-01")));
    /* a Preferred Provider (TIN-NPI) in its EBRA's dates, inclusive */
    ck_assert_int_eq(network_has(&n, "A2", "1003347634", "345678912", D("2027-01-31")), 0);
    ck_assert_int_eq(network_has(&n, "A2", "1003347634", "345678912", D("2027-02-01")), 1);
    ck_assert_int_eq(network_has(&n, "A2", "1003347634", "345678912", D("2027-11-30")), 1);
    ck_assert_int_eq(network_has(&n, "A2", "1003347634", "345678912", D("2027-12-01")), 0);
    ck_assert_int_eq(network_has(&n, "A1", "1003347634", "345678912", D("2027-06-01")), 0);
    /* another NPI under a Preferred Provider's TIN is not in */
    ck_assert_int_eq(network_has(&n, "A2", "1234567893", "345678912", D("2027-06-01")), 0);
    /* no TIN, no ACO: never in */
    ck_assert_int_eq(network_has(&n, "A1", "1234567893", "", D("2027-06-01")), 0);
    ck_assert_int_eq(network_has(&n, NULL, "1234567893", "123456789", D("2027-06-01")), 0);
    network_free(&n);
}
END_TEST

START_TEST(test_line_provider)
{
    cara_claim_line l;
    memset(&l, 0, sizeof l);
    network_provider p;
    l.claim_type = CARA_CLAIM_PROFESSIONAL;
    strcpy(l.rendering_npi, "1234567893");
    strcpy(l.rendering_tin, "123456789");
    strcpy(l.billing_npi, "1993999998");
    strcpy(l.billing_tin, "234567891");
    ck_assert_int_eq(network_line_provider(&l, &p), 1);
    ck_assert_str_eq(p.npi, "1234567893");
    ck_assert_str_eq(p.tin, "123456789");
    l.rendering_tin[0] = '\0'; /* the group bills: its TIN, its NPI */
    ck_assert_int_eq(network_line_provider(&l, &p), 1);
    ck_assert_str_eq(p.npi, "1993999998");
    ck_assert_str_eq(p.tin, "234567891");
    l.billing_tin[0] = '\0';
    ck_assert_int_eq(network_line_provider(&l, &p), 0);
    strcpy(l.rendering_tin, "123456789");
    l.claim_type = CARA_CLAIM_DME; /* CCLF's DME and Part A claims carry no TIN */
    ck_assert_int_eq(network_line_provider(&l, &p), 0);
    l.claim_type = CARA_CLAIM_INSTITUTIONAL;
    ck_assert_int_eq(network_line_provider(&l, &p), 0);
}
END_TEST

/* ---- the hand-made run ------------------------------------------------------------------ */

static char dir[64];
static char *out, *err;
static store *db;

static int cara(const char *fmt, const char *arg)
{
    char args[1024];
    snprintf(args, sizeof args, fmt, arg);
    char full[1200];
    snprintf(full, sizeof full, "--db t.db --episodes episodes %s", args);
    return th_cara(dir, "", full, &out, &err);
}

static void setup(void)
{
    th_tmpdir(dir, "cara-network");
    out = err = NULL;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s/episodes' && cp -R '%s/tests/fixtures/network' "
             "'%s/data' && cp -R '%s/data/falls_a2' '%s/episodes/'",
             getenv("CARA_EPISODES"), dir, getenv("CARA_SRC"), dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/template.json", dir);
    json_error_t je;
    json_t *t = json_load_file(path, 0, &je);
    ck_assert_ptr_nonnull(t);
    json_object_set_new(json_object_get(t, "arrangement"), "min_episodes", json_integer(1));
    ck_assert_int_eq(json_dump_file(t, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(t);
    db = NULL;
}

static void teardown(void)
{
    if (db) store_close(db);
    free(out);
    free(err);
    th_rmdir(dir);
}

static void open_db(void)
{
    char path[128], e[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (db) store_close(db);
    ck_assert_int_eq(store_open(path, 0, &db, e, sizeof e), 0);
}

static long long q(const char *fmt, const char *a, const char *b)
{
    char sql[1024];
    snprintf(sql, sizeof sql, fmt, a, b);
    return th_q(db, sql);
}

#define EP(run, col, id) \
    q("SELECT " col " FROM run_episodes WHERE run_id = %s AND episode_id = '%s'", run, id)
#define ARR(run, col, id) \
    q("SELECT " col " FROM run_arrangements WHERE run_id = %s AND arrangement_id = '%s'", run, id)
#define LEAK(run, aco, npi) \
    q("SELECT sum(paid_cents) * 1000 + sum(lines) FROM run_leakage WHERE run_id = %s AND " \
      "aco_id = '%s' AND npi = '" npi "'", run, aco)

static const char B1[] = "falls_prevention:1C00C00CC01:2027-03-01",
                  B2[] = "falls_prevention:1C00C00CC02:2027-08-02",
                  B3[] = "falls_a2:1C00C00CC03:2027-02-01";

START_TEST(test_every_dollar_once)
{
    ck_assert_msg(cara("load data/base", "") == 0, "%s", err);
    ck_assert_msg(cara("run", "") == 0, "%s", err);
    ck_assert_msg(cara("load data/move/participants.csv", "") == 0, "%s", err);
    ck_assert_msg(cara("run", "") == 0, "%s", err);
    open_db();
    char buf[256];

    /* The overlay prices A2's beneficiary, the base A1's: three episodes, each once. */
    for (int run = 1; run <= 2; run++) {
        char r[16];
        snprintf(r, sizeof r, "%d", run);
        ck_assert_int_eq(q("SELECT count(*) FROM run_episodes WHERE run_id = %s%s", r, ""), 3);
        ck_assert_int_eq(q("SELECT count(*) FROM run_episodes WHERE run_id = %s AND person_id = "
                           "'1C00C00CC03' AND template_id = '%s'", r, "falls_prevention"), 0);
        ck_assert_int_eq(q("SELECT count(*) FROM run_episodes WHERE run_id = %s AND template_id = "
                           "'%s' AND person_id != '1C00C00CC03'", r, "falls_a2"), 0);
        ck_assert_int_eq(EP(r, "status = 'final'", B1), 1);
    }

    /* Run 1, before the participant TINs were loaded: PT2 is A1's Preferred Provider (E2)
     * all year, so B1 is E2's by trigger. E2: T = 2 x 180353 = 360706, A = 23000 + 20000
     * = 43000, gross 317706, no 3288F: Q = 0, qadj = 317706 - round(31770.6) = 285935,
     * pay = round(142967.5) = 142968 > cap round(360706 x 0.2) = round(72141.2) = 72141. */
    ck_assert_str_eq(th_qs(db, "SELECT arrangement_id FROM run_episodes WHERE run_id = 1 AND "
                               "episode_id = 'falls_prevention:1C00C00CC01:2027-03-01'", buf), "E2");
    ck_assert_int_eq(ARR("1", "episodes", "E2"), 2);
    ck_assert_int_eq(ARR("1", "quality_adjusted_cents", "E2"), 285935);
    ck_assert_int_eq(ARR("1", "payment_cents", "E2"), 72141);
    /* leakage, run 1: A1 the OT's 08-20 line (5000); A2 PT2's two lines (4000 + 4000),
     * PT2 being no Preferred Provider of A2 and its TIN no ACO's */
    ck_assert_int_eq(LEAK("1", "A1", "1003347634"), 5000 * 1000 + 1);
    ck_assert_int_eq(LEAK("1", "A2", "1993999998"), 8000 * 1000 + 2);
    ck_assert_int_eq(q("SELECT count(*) FROM run_leakage WHERE run_id = %s%s", "1", ""), 2);

    /* Run 2: PT2's TIN is A2's until 06-30, so on B1's trigger date (03-01) PT2 is not in
     * A1's network: B1 is unattributed (PT1, in the network, rendered nothing) and its two
     * PT2 lines before 07-01 are A1's leakage (15000 + 4000); the 07-15 line is in the
     * network. B2 (08-02) is E2's by trigger: T 180353, A 20000, gross 160353, Q = 0:
     * qadj = 160353 - round(16035.3) = 144318; pay round(72159) = 72159 > cap
     * round(36070.6) = 36071 -> 36071 (stop_gain). */
    ck_assert_int_eq(EP("2", "arrangement_id IS NULL", B1), 1);
    ck_assert_int_eq(EP("2", "target_cents", B1), 180353);
    ck_assert_str_eq(th_qs(db, "SELECT attribution_method FROM run_episodes WHERE run_id = 2 AND "
                               "episode_id = 'falls_prevention:1C00C00CC01:2027-03-01'", buf),
                     "unattributed");
    ck_assert_int_eq(EP("2", "arrangement_id = 'E2'", B2), 1);
    ck_assert_int_eq(ARR("2", "episodes", "E2"), 1);
    ck_assert_int_eq(ARR("2", "target_cents", "E2"), 180353);
    ck_assert_int_eq(ARR("2", "quality_adjusted_cents", "E2"), 144318);
    ck_assert_int_eq(ARR("2", "payment_cents", "E2"), 36071);
    ck_assert_int_eq(ARR("2", "cap_applied = 'stop_gain'", "E2"), 1);
    ck_assert_int_eq(LEAK("2", "A1", "1993999998"), 19000 * 1000 + 2);
    ck_assert_int_eq(LEAK("2", "A1", "1003347634"), 5000 * 1000 + 1);
    /* A2: PT2's 03-01 line is in A2's network (its TIN is A2's then); the 07-20 one is not */
    ck_assert_int_eq(LEAK("2", "A2", "1993999998"), 4000 * 1000 + 1);
    ck_assert_int_eq(q("SELECT count(*) FROM run_leakage WHERE run_id = %s%s", "2", ""), 3);

    /* B3 under A2's overlay, E3 by trigger; the DME claim's J449 does not count: hcc 0,
     * target 176746. A = 15000 + 0 + 124000 + 4000 + 4000 = 147000; gross 29746; 3288F on
     * 02-10: Q = 10000, qadj = 29746; pay = round(14873) = 14873 < cap round(35349.2). */
    ck_assert_int_eq(EP("2", "hcc_count", B3), 0);
    ck_assert_int_eq(EP("2", "target_cents", B3), 176746);
    ck_assert_int_eq(ARR("2", "actual_winsorized_cents", "E3"), 147000);
    ck_assert_int_eq(ARR("2", "quality_bps", "E3"), 10000);
    ck_assert_int_eq(ARR("2", "payment_cents", "E3"), 14873);

    /* cara diff names the attribution change the TIN move made */
    ck_assert_int_eq(cara("diff 1 2", ""), 0);
    const char *at = strstr(out, "== by attribution");
    ck_assert_msg(at && strstr(at, B1) && strstr(at, "unattributed"), "%s", out);
    /* ... and the leakage it moved: A1 5000 -> 24000 (1 -> 3 lines), A2 8000 -> 4000, and
     * per provider PT2's lines at A1 (0 -> 2, 19000) and at A2 (2 -> 1) */
    ck_assert_int_eq(cara("diff 1 2 --format json", ""), 0);
    ck_assert_msg(strstr(out, "{\"kind\":\"leakage\",\"aco_id\":\"A1\",\"lines_a\":1,\"lines_b\":3,"
                              "\"lines_change\":2,\"paid_cents_a\":5000,\"paid_cents_b\":24000,"
                              "\"paid_cents_change\":19000}") &&
                  strstr(out, "{\"kind\":\"leakage\",\"aco_id\":\"A2\",\"lines_a\":2,\"lines_b\":1,"
                              "\"lines_change\":-1,\"paid_cents_a\":8000,\"paid_cents_b\":4000,") &&
                  strstr(out, "{\"kind\":\"leakage_provider\",\"aco_id\":\"A1\",\"tin\":\"234567891\","
                              "\"npi\":\"1993999998\",\"lines_a\":0,\"lines_b\":2,"), "%s", out);
}
END_TEST

/* The one-ACO-per-template rule covers overlays; an overlay belongs to its ACO. */
START_TEST(test_overlay_rules)
{
    ck_assert_msg(cara("load data/base", "") == 0, "%s", err);
    /* PT1 is E1's (A1, falls_prevention): A2 may not take PT1 on its overlay of it */
    ck_assert_int_eq(cara("ebra offer X1 --aco A2 --npi 1234567893 --tin 123456789 --template "
                          "falls_a2 --start 2027-03-01", ""), 1);
    ck_assert_msg(strstr(err, "only one ACO per template at a time") &&
                  strstr(err, "overlay counts as its base"), "%s", err);
    /* A1 may not offer on A2's overlay */
    ck_assert_int_eq(cara("ebra offer X2 --aco A1 --npi 1003347634 --tin 345678912 --template "
                          "falls_a2 --start 2027-03-01", ""), 1);
    ck_assert_msg(strstr(err, "falls_a2 is ACO A2's overlay of falls_prevention"), "%s", err);
    /* A2 customizes falls_prevention: its EBRAs go on its overlay */
    ck_assert_int_eq(cara("ebra offer X3 --aco A2 --npi 1003347634 --tin 345678912 --template "
                          "falls_prevention --start 2028-01-01", ""), 1);
    ck_assert_msg(strstr(err, "ACO A2 customizes falls_prevention as falls_a2"), "%s", err);
    /* a bulk-loaded EBRA of A1 on A2's overlay stops the run, named */
    char *p = th_write(dir, "x.csv", "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date\n"
                                     "X4,A1,1234567893,123456789,falls_a2,2028-01-01,\n");
    free(p);
    ck_assert_msg(cara("load x.csv", "") == 0, "%s", err);
    ck_assert_int_eq(cara("run", ""), 1);
    ck_assert_msg(strstr(err, "arrangement X4: template falls_a2 is ACO A2's overlay"), "%s", err);
}
END_TEST

/* arrangements.csv rows are checked per template id when they load; the run checks the
 * family: A2's EBRA with PT1 on its overlay overlaps PT1's E1 with A1 on the base. */
START_TEST(test_bulk_family_overlap)
{
    ck_assert_msg(cara("load data/base", "") == 0, "%s", err);
    char *p = th_write(dir, "x.csv", "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date\n"
                                     "X5,A2,1234567893,123456789,falls_a2,2027-06-01,\n");
    free(p);
    ck_assert_msg(cara("load x.csv", "") == 0, "%s", err);
    ck_assert_int_eq(cara("run", ""), 1);
    ck_assert_msg(strstr(err, "arrangements E1 (ACO A1, falls_prevention) and X5 (ACO A2, falls_a2): "
                              "provider 1234567893 may be in EBRAs with only one ACO per template"),
                  "%s", err);
}
END_TEST

/* An ACO has one overlay of a base: a second one is refused with both names. */
START_TEST(test_one_overlay_per_aco)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp -R '%s/episodes/falls_a2' '%s/episodes/falls_a2b' && sed -i "
             "'s/\"id\": \"falls_a2\"/\"id\": \"falls_a2b\"/' '%s/episodes/falls_a2b/overlay.json'",
             dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(cara("templates", ""), 1);
    ck_assert_msg(strstr(err, "ACO A2 already customizes falls_prevention as \"falls_a2\""), "%s", err);
}
END_TEST

Suite *suite_network(void)
{
    Suite *s = suite_create("network");
    TCase *tc = tcase_create("network");
    tcase_add_test(tc, test_network_dates);
    tcase_add_test(tc, test_line_provider);
    suite_add_tcase(s, tc);
    tc = tcase_create("every_dollar_once");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_every_dollar_once);
    tcase_add_test(tc, test_overlay_rules);
    tcase_add_test(tc, test_one_overlay_per_aco);
    tcase_add_test(tc, test_bulk_family_overlap);
    suite_add_tcase(s, tc);
    return s;
}
