/*
 * tests/test_e2e.c: claims to payments through the real binary, on a fixture small
 * enough to work out by hand (tests/fixtures/e2e; generated rows are listed there).
 *
 * Setup: the shipped templates, copied with two parameters changed so that a handful of
 * episodes exercise every rule: falls_prevention pricing.winsorize_percentile_bps = 9000
 * and, in both templates, arrangement.min_episodes = 2. Everything else is the
 * reference methodology's default (docs/methodology.md).
 *
 * Beneficiaries P01..P19 (MBI 1A00A00AA01..19) are born 1957-01-01 (age 70 in 2027)
 * except P03 (1947-01-01, age 80); all non-dual except P17 (02); all aligned to ACO A1
 * (global track) for 2027 except P16; enrolled from 2026-01-01 except P13 (a gap in
 * April-May 2027); P12 dies 2027-03-15. A late claim (2028-06-30) puts the data's
 * as-of date after every window, so every episode is final.
 *
 * Target arithmetic (docs/methodology.md section 4; round half away from zero after each step):
 *   falls A: 200000 x1.03 = 206000 x1.03 = 212180; age 70 x1.0000; HCC count 0 x0.8500
 *            = 180353 (180353.0); non-dual x1.0000                    -> 180353
 *   falls A, age 80: 212180 x1.0800 = 229154 (229154.4) x0.8500 = 194781 (194780.9)
 *   falls A, P17 (HCCs 38 from E119 and 280 from J449 in the lookback: count 2):
 *            212180 x1.1200 = 237642 (237641.6) x1.1000 (dual) = 261406 (261406.2)
 *   falls A with E2's premium (discount -300): 180353 x1.0300 = 185764 (185763.59)
 *   falls B: 320000 -> 329600 -> 339488 x0.8500 = 288565 (288564.8)
 *   falls C, P10 (HCC 402 from S72001A in the lookback: count 1):
 *            1500000 -> 1545000 -> 1591350 x1.0000 x1.0000 x1.0000 = 1591350
 *   FI A:    1400000 -> 1442000 -> 1485260 x0.8500 = 1262471 (1262471.0)
 *   FI B:    650000 -> 669500 -> 689585 x0.8500 = 586147 (586147.25)
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "helpers.h"
#include "base/sha256.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static char *out_buf, *err_buf;

static int sh(const char *cmd) { return th_sh(cmd); }

/* Run cara with --db and --episodes of the temp dir; capture stdout/stderr. */
static int cara(const char *args)
{
    char full[4096];
    snprintf(full, sizeof full, "--db t.db --episodes episodes %s", args);
    return th_cara(dir, "", full, &out_buf, &err_buf);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-e2e-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    out_buf = err_buf = NULL;
    th_e2e_world(dir);
    ck_assert_msg(cara("load data/base") == 0, "load base: %s", err_buf);
    /* the run-out delivery cancels C1401 and adjusts C1402 (150.00 -> 160.00) */
    ck_assert_msg(cara("load data/runout/medical_claim.csv") == 0, "load runout: %s", err_buf);
    ck_assert_msg(cara("run") == 0, "run: %s", err_buf);
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

/* Parse JSON lines into an object keyed by `key`. */
static json_t *by_key(const char *text, const char *key)
{
    json_t *all = json_object();
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t je;
        json_t *o = json_loadb(p, len, 0, &je);
        ck_assert_msg(o != NULL, "not JSON: %.*s (%s)", (int)len, p, je.text);
        const char *k = json_string_value(json_object_get(o, key));
        ck_assert_ptr_nonnull(k);
        json_object_set_new(all, k, o);
        p += len + (nl ? 1 : 0);
    }
    return all;
}

static long long ival(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_integer(v), "field %s is not an integer", k);
    return json_integer_value(v);
}

static const char *sval(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

#define EP(id) json_object_get(eps, id)

/* Episodes: triggers, windows, attribution, targets and actuals, worked by hand. */
START_TEST(test_episodes)
{
    ck_assert_int_eq(cara("report --by episode --format json"), 0);
    json_t *eps = by_key(out_buf, "episode_id");
    json_t *e;
    /* 14 falls A + B (P09) + C (P10) + 2 excluded (P13, P16) + 2 FI = 20 episodes */
    ck_assert_uint_eq(json_object_size(eps), 20);

    /* P01: A on the eval day; rendering PT1 has E1 -> trigger. Actual: eval 150.00 +
     * 3288F 0.00 + two 97110 40.00 = 23000. */
    e = EP("falls_prevention:1A00A00AA01:2027-01-04");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(sval(e, "trigger_type"), "A");
    ck_assert_str_eq(sval(e, "end_date"), "2027-07-02"); /* day 179 */
    ck_assert_str_eq(sval(e, "npi"), "1234567893");
    ck_assert_str_eq(sval(e, "attribution_method"), "trigger");
    ck_assert_int_eq(ival(e, "base_cents"), 200000);
    ck_assert_str_eq(sval(e, "trend_factor"), "1.0300");
    ck_assert_int_eq(ival(e, "trend_years"), 2);
    ck_assert_str_eq(sval(e, "age_factor"), "1.0000");
    ck_assert_int_eq(ival(e, "hcc_count"), 0);
    ck_assert_str_eq(sval(e, "hcc_factor"), "0.8500");
    ck_assert_str_eq(sval(e, "dual_factor"), "1.0000");
    ck_assert_int_eq(ival(e, "discount_bps"), 0);
    ck_assert_int_eq(ival(e, "target_cents"), 180353);
    ck_assert_int_eq(ival(e, "actual_cents"), 23000);
    ck_assert(json_is_true(json_object_get(e, "quality_met"))); /* 3288F on day 0 */
    ck_assert_str_eq(sval(e, "status"), "final");
    ck_assert(json_is_null(json_object_get(e, "exclusion_reason")));

    /* P02: the ED fall visit on 03-01 is inside the open episode: no second episode,
     * and it is cost (rule 1): 200.00 + 1500.00. */
    e = EP("falls_prevention:1A00A00AA02:2027-01-05");
    ck_assert_int_eq(ival(e, "actual_cents"), 170000);
    ck_assert_ptr_null(EP("falls_prevention:1A00A00AA02:2027-03-01"));
    ck_assert(json_is_false(json_object_get(e, "quality_met")));

    /* P03: age 80 -> 1.0800; 0518F on day 30 meets the measure. */
    e = EP("falls_prevention:1A00A00AA03:2027-02-01");
    ck_assert_str_eq(sval(e, "age_factor"), "1.0800");
    ck_assert_int_eq(ival(e, "target_cents"), 194781);
    ck_assert(json_is_true(json_object_get(e, "quality_met")));

    /* P04: trigger A's second form, 3288F + 1100F on one claim; geriatrician E4. */
    e = EP("falls_prevention:1A00A00AA04:2027-01-10");
    ck_assert_str_eq(sval(e, "npi"), "1528060837");
    ck_assert_int_eq(ival(e, "actual_cents"), 5000);

    /* P05: E2's premium: discount -300 bps raises the target. */
    e = EP("falls_prevention:1A00A00AA05:2027-01-06");
    ck_assert_int_eq(ival(e, "discount_bps"), -300);
    ck_assert_int_eq(ival(e, "target_cents"), 185764);

    /* P07: eval 120.00 + ED 3000.00 + SNF 4000.00 starting 2 days after the ED visit
     * (rule 2) = 712000; winsorized at the 90th percentile of the 14 falls-A actuals:
     * rank ceil(0.9 x 14) = 13 of 5000 10000 10000 15000 15000 16000 18000 19000 19000
     * 23000 23000 170000 500000 712000 -> 500000. */
    e = EP("falls_prevention:1A00A00AA07:2027-01-08");
    ck_assert_int_eq(ival(e, "actual_cents"), 712000);
    ck_assert_int_eq(ival(e, "actual_winsorized_cents"), 500000);
    e = EP("falls_prevention:1A00A00AA08:2027-01-09");
    ck_assert_int_eq(ival(e, "actual_winsorized_cents"), 500000); /* not above the cap */

    /* P09: B, ED fall released; no rendering NPI on the trigger -> plurality (PT1's two
     * 97110 lines). Actual 2500.00 + 2 x 40.00. */
    e = EP("falls_prevention:1A00A00AA09:2027-03-10");
    ck_assert_str_eq(sval(e, "trigger_type"), "B");
    ck_assert_str_eq(sval(e, "attribution_method"), "plurality");
    ck_assert_str_eq(sval(e, "npi"), "1234567893");
    ck_assert_int_eq(ival(e, "target_cents"), 288565);
    ck_assert_int_eq(ival(e, "actual_cents"), 258000);

    /* P10: the ED visit of 03-12 is followed by an admission 2 days later: not B. The
     * hip-fracture stay (03-14..03-20) triggers C on 03-21; the stay is not cost; the
     * SNF from 03-21 (20000.00) and a 97110 (40.00) are. HCC 402 (S72001A). */
    ck_assert_ptr_null(EP("falls_prevention:1A00A00AA10:2027-03-12"));
    e = EP("falls_prevention:1A00A00AA10:2027-03-21");
    ck_assert_str_eq(sval(e, "trigger_type"), "C");
    ck_assert_int_eq(ival(e, "hcc_count"), 1);
    ck_assert_str_eq(sval(e, "hcc_factor"), "1.0000");
    ck_assert_int_eq(ival(e, "target_cents"), 1591350);
    ck_assert_int_eq(ival(e, "actual_cents"), 2004000);
    ck_assert_str_eq(sval(e, "attribution_method"), "plurality");

    /* P11: day 179 (07-02) is in the first window, day 180 (07-03) opens the next;
     * 3288F on day 31 misses the measure. */
    e = EP("falls_prevention:1A00A00AA11:2027-01-04");
    ck_assert_int_eq(ival(e, "actual_cents"), 19000); /* 150.00 + 0.00 + 40.00 */
    ck_assert(json_is_false(json_object_get(e, "quality_met")));
    e = EP("falls_prevention:1A00A00AA11:2027-07-03");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(sval(e, "end_date"), "2027-12-29");
    ck_assert_int_eq(ival(e, "actual_cents"), 15000);

    /* P12: death on 03-15 ends the episode there; the 97110 of 03-01 counts. */
    e = EP("falls_prevention:1A00A00AA12:2027-02-01");
    ck_assert_str_eq(sval(e, "end_date"), "2027-03-15");
    ck_assert_int_eq(ival(e, "actual_cents"), 19000);

    /* P13: enrollment gap in the window: kept, excluded, no target. */
    e = EP("falls_prevention:1A00A00AA13:2027-02-15");
    ck_assert_str_eq(sval(e, "status"), "excluded");
    ck_assert_str_eq(sval(e, "exclusion_reason"), "enrollment_gap");
    ck_assert(json_is_null(json_object_get(e, "target_cents")));

    /* P14: the cancelled eval of 02-20 opens nothing; the adjusted one counts 160.00. */
    ck_assert_ptr_null(EP("falls_prevention:1A00A00AA14:2027-02-20"));
    e = EP("falls_prevention:1A00A00AA14:2027-04-01");
    ck_assert_int_eq(ival(e, "actual_cents"), 16000);

    /* P15: only a non-participating PT: unattributed, priced without discount. */
    e = EP("falls_prevention:1A00A00AA15:2027-01-20");
    ck_assert_str_eq(sval(e, "attribution_method"), "unattributed");
    ck_assert(json_is_null(json_object_get(e, "npi")));
    ck_assert_int_eq(ival(e, "target_cents"), 180353);

    /* P16: not aligned on day 0. */
    e = EP("falls_prevention:1A00A00AA16:2027-01-15");
    ck_assert_str_eq(sval(e, "exclusion_reason"), "not_aligned");

    /* P17: dual, two HCCs. */
    e = EP("falls_prevention:1A00A00AA17:2027-01-12");
    ck_assert_int_eq(ival(e, "hcc_count"), 2);
    ck_assert_str_eq(sval(e, "hcc_factor"), "1.1200");
    ck_assert_str_eq(sval(e, "dual_factor"), "1.1000");
    ck_assert_int_eq(ival(e, "target_cents"), 261406);

    /* P18: FI A: a SNF stay billed in two claims (01-02..01-15, 01-16..01-31) is one
     * stay ending 01-31 -> day 0 02-01. Cost: OT 2 x 50.00 + inpatient 10000.00;
     * dialysis (revenue 0821) and chemotherapy (J9045, Z5111) are excluded. The
     * admission misses the quality measure. */
    e = EP("functional_independence:1A00A00AA18:2027-02-01");
    ck_assert_str_eq(sval(e, "trigger_type"), "A");
    ck_assert_str_eq(sval(e, "attribution_method"), "plurality");
    ck_assert_str_eq(sval(e, "npi"), "1003347634");
    ck_assert_int_eq(ival(e, "target_cents"), 1262471);
    ck_assert_int_eq(ival(e, "actual_cents"), 1010000);
    ck_assert(json_is_false(json_object_get(e, "quality_met")));
    e = EP("functional_independence:1A00A00AA19:2027-02-05");
    ck_assert_str_eq(sval(e, "trigger_type"), "B");
    ck_assert_int_eq(ival(e, "target_cents"), 586147);
    ck_assert(json_is_true(json_object_get(e, "quality_met")));
    json_decref(eps);
}
END_TEST

#define AR(id) json_object_get(arrs, id)

/* Reconciliations: each arrangement's payment recomputed by hand (docs/methodology.md section 4). */
START_TEST(test_arrangements)
{
    ck_assert_int_eq(cara("report --by arrangement --format json"), 0);
    json_t *arrs = by_key(out_buf, "arrangement_id");
    json_t *a;
    ck_assert_uint_eq(json_object_size(arrs), 5);

    /* E1 (PT1, defaults): P01 P02 P03 P09 P10 P11 x2 P12 P14 P17 = 10 episodes.
     * T = 6 x 180353 + 194781 + 288565 + 1591350 + 261406 = 3418220
     * A = 23000 + 170000 + 18000 + 258000 + 2004000 + 19000 + 15000 + 19000 + 16000
     *     + 15000 = 2557000 (no winsorization bites); gross = 861220
     * quality met by P01 and P03: Q = round(10000 x 2 / 10) = 2000
     * qadj = 861220 - round(861220 x 1000 x 8000 / 10^8) = 861220 - 68898 (68897.6)
     *      = 792322; pay = round(792322 x 5000 / 10000) = 396161;
     * stop-gain cap round(3418220 x 2000 / 10000) = 683644 is not reached. */
    a = AR("E1");
    ck_assert_int_eq(ival(a, "episodes"), 10);
    ck_assert_int_eq(ival(a, "period"), 2027);
    ck_assert_int_eq(ival(a, "target_cents"), 3418220);
    ck_assert_int_eq(ival(a, "actual_winsorized_cents"), 2557000);
    ck_assert_int_eq(ival(a, "gross_cents"), 861220);
    ck_assert_int_eq(ival(a, "quality_bps"), 2000);
    ck_assert_int_eq(ival(a, "quality_adjusted_cents"), 792322);
    ck_assert_int_eq(ival(a, "share_bps"), 5000);
    ck_assert_int_eq(ival(a, "payment_cents"), 396161);
    ck_assert(json_is_null(json_object_get(a, "cap_applied")));
    ck_assert_str_eq(sval(a, "status"), "final");
    ck_assert_str_eq(sval(a, "template_version"), "1.0.0");

    /* E2 (PT2, discount -300, savings share 8000, stop gain 500): P05 P06.
     * T = 2 x 185764 = 371528; A = 10000 + 10000; gross = 351528; Q = 5000
     * qadj = 351528 - round(351528 x 1000 x 5000 / 10^8) = 351528 - 17576 = 333952
     * pay = round(333952 x 0.8) = 267162 (267161.6) > cap round(371528 x 0.05) = 18576
     * (18576.4) -> 18576, stop_gain. */
    a = AR("E2");
    ck_assert_int_eq(ival(a, "target_cents"), 371528);
    ck_assert_int_eq(ival(a, "quality_adjusted_cents"), 333952);
    ck_assert_int_eq(ival(a, "share_bps"), 8000);
    ck_assert_int_eq(ival(a, "payment_cents"), 18576);
    ck_assert_str_eq(sval(a, "cap_applied"), "stop_gain");

    /* E3 (OT1, loss share 6000, stop loss 300): P07 P08.
     * T = 360706; A = 500000 + 500000 = 1000000; gross = -639294; Q = 5000 (P08)
     * qadj = -639294 - round(-639294 x 1500 x 5000 / 10^8) = -639294 + 47947 (47947.05)
     *      = -591347; pay = round(-591347 x 0.6) = -354808 (-354808.2)
     * < -round(360706 x 0.03) = -10821 (10821.18) -> -10821, stop_loss. */
    a = AR("E3");
    ck_assert_int_eq(ival(a, "actual_cents"), 1212000);
    ck_assert_int_eq(ival(a, "actual_winsorized_cents"), 1000000);
    ck_assert_int_eq(ival(a, "gross_cents"), -639294);
    ck_assert_int_eq(ival(a, "quality_adjusted_cents"), -591347);
    ck_assert_int_eq(ival(a, "share_bps"), 6000);
    ck_assert_int_eq(ival(a, "payment_cents"), -10821);
    ck_assert_str_eq(sval(a, "cap_applied"), "stop_loss");

    /* E4 (geriatrician): one episode < min_episodes 2: no payment. */
    a = AR("E4");
    ck_assert_int_eq(ival(a, "episodes"), 1);
    ck_assert_int_eq(ival(a, "target_cents"), 180353);
    ck_assert_int_eq(ival(a, "payment_cents"), 0);
    ck_assert_str_eq(sval(a, "status"), "insufficient_volume");
    ck_assert(json_is_null(json_object_get(a, "gross_cents")));

    /* E5 (OT1, functional independence): P18 P19.
     * T = 1262471 + 586147 = 1848618; A = 1010000 + 12000 = 1022000; gross = 826618
     * Q = 5000; qadj = 826618 - round(41330.9) = 785287; pay = round(392643.5) = 392644
     * > cap round(1848618 x 0.2) = 369724 (369723.6) -> 369724, stop_gain. */
    a = AR("E5");
    ck_assert_str_eq(sval(a, "template_id"), "functional_independence");
    ck_assert_int_eq(ival(a, "target_cents"), 1848618);
    ck_assert_int_eq(ival(a, "quality_adjusted_cents"), 785287);
    ck_assert_int_eq(ival(a, "payment_cents"), 369724);
    ck_assert_str_eq(sval(a, "cap_applied"), "stop_gain");
    json_decref(arrs);
}
END_TEST

/* Leakage by ACO: P15's three lines by the non-participating PT (150 + 40 + 40). */
START_TEST(test_leakage_and_aco)
{
    ck_assert_int_eq(cara("report --by leakage --format json"), 0);
    json_t *l = by_key(out_buf, "npi");
    ck_assert_uint_eq(json_object_size(l), 1);
    json_t *x = json_object_get(l, "1456789019");
    ck_assert_str_eq(sval(x, "aco_id"), "A1");
    ck_assert_int_eq(ival(x, "lines"), 3);
    ck_assert_int_eq(ival(x, "paid_cents"), 23000);
    json_decref(l);
    ck_assert_int_eq(cara("report --by aco --format json"), 0);
    json_t *acos = by_key(out_buf, "aco_id");
    x = json_object_get(acos, "A1");
    /* 19 episodes on A1 (P16 is not aligned): 1 excluded (P13); 17 attributed
     * (E1 10, E2 2, E3 2, E4 1, E5 2); so 1 unattributed (P15) */
    ck_assert_int_eq(ival(x, "episodes"), 19);
    ck_assert_int_eq(ival(x, "excluded"), 1);
    ck_assert_int_eq(ival(x, "unattributed"), 1);
    ck_assert_int_eq(ival(x, "leakage_paid_cents"), 23000);
    /* payments: 396161 + 18576 - 10821 + 0 + 369724 = 773640 */
    ck_assert_int_eq(ival(x, "payment_cents"), 773640);
    json_decref(acos);
}
END_TEST

/* The same inputs give identical results; table and CSV formats work. */
START_TEST(test_deterministic_and_formats)
{
    ck_assert_int_eq(cara("report --by episode --format json"), 0);
    char *first = strdup(out_buf);
    ck_assert_int_eq(cara("run --quiet"), 0);
    ck_assert_str_eq(out_buf, "2\n");
    ck_assert_int_eq(cara("report --run 2 --by episode --format json"), 0);
    ck_assert_str_eq(out_buf, first);
    free(first);
    ck_assert_int_eq(cara("report --by arrangement --format csv"), 0);
    ck_assert(strncmp(out_buf, "arrangement_id,aco_id,npi,tin,template_id,template_version,"
                               "period,episodes,target_cents,", 80) == 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\nE1,A1,1234567893,123456789,falls_prevention,"));
    ck_assert_int_eq(cara("report --by arrangement"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "3961.61")); /* E1's payment in dollars */
    ck_assert_int_eq(cara("report --by template"), 0);
    /* a specialist's own view: PT2 has E2 with P05 and P06 */
    ck_assert_int_eq(cara("report --by episode --npi 1993999998 --format csv"), 0);
    int rows = 0;
    for (const char *p = out_buf; *p; p++) rows += *p == '\n';
    ck_assert_int_eq(rows, 3); /* header + 2 */
    ck_assert_int_eq(cara("report --by arrangement --aco A2 --format json"), 0);
    ck_assert_str_eq(out_buf, "");
    ck_assert_int_eq(cara("report --by arrangement --template functional_independence --format json"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\"arrangement_id\":\"E5\""));
    ck_assert_ptr_null(strstr(out_buf, "\"arrangement_id\":\"E1\""));
    /* the run recorded what it used, with content hashes */
    ck_assert_int_eq(cara("runs --run 1 --format json"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\"kind\":\"rule\",\"name\":\"falls_prevention/savings.lua\""));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"kind\":\"table\",\"name\":\"cms_hcc_v28_dx_to_hcc.csv\""));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"kind\":\"plugin\",\"name\":\"functional_independence\""));
    ck_assert_int_eq(cara("runs"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "done"));
    ck_assert_int_eq(cara("report --by specialist --format csv"), 0);
    ck_assert_int_eq(cara("report --run 99 --by episode"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "no run 99"));
    ck_assert_int_eq(cara("report --by nothing"), 2);
}
END_TEST

/* The same runs with the hot logs and sorts on disk, every record a run of its own
 * (CARA_RUN_SORT_BYTES=1, the path a national run takes past its budget): the same
 * episodes and arrangements, row for row, for a full run and an interim one (whose
 * winsorization and reconciliation run four times, once on each projection). */
static char *report_of(int run, const char *by)
{
    char args[128];
    snprintf(args, sizeof args, "report --run %d --by %s --format json", run, by);
    ck_assert_int_eq(cara(args), 0);
    return strdup(out_buf);
}

START_TEST(test_sorted_on_disk)
{
    const char *disk = "CARA_RUN_SORT_BYTES=1";
    ck_assert_int_eq(th_cara(dir, disk, "--db t.db --episodes episodes run --quiet", &out_buf,
                             &err_buf), 0);
    ck_assert_str_eq(out_buf, "2\n");
    ck_assert_int_eq(cara("run --quiet --as-of 2027-06-30"), 0);
    ck_assert_str_eq(out_buf, "3\n");
    ck_assert_int_eq(th_cara(dir, disk, "--db t.db --episodes episodes run --quiet --as-of 2027-06-30",
                             &out_buf, &err_buf), 0);
    ck_assert_str_eq(out_buf, "4\n");
    static const char *const by[] = {"episode", "arrangement", "specialist"};
    for (int k = 0; k < 3; k++) {
        char *a = report_of(1, by[k]), *b = report_of(2, by[k]);
        char *c = report_of(3, by[k]), *d = report_of(4, by[k]);
        ck_assert_msg(strlen(a) > 100 && strlen(c) > 100, "report --by %s is empty", by[k]);
        ck_assert_str_eq(a, b);
        ck_assert_str_eq(c, d);
        free(a), free(b), free(c), free(d);
    }
    /* the interim run differs from the full one: some episodes are still developing */
    char *full = report_of(1, "episode"), *interim = report_of(3, "episode");
    ck_assert_ptr_nonnull(strstr(interim, "\"interim\""));
    ck_assert_str_ne(full, interim);
    free(full), free(interim);
}
END_TEST

/* What-if: a copy of the templates with falls_prevention's default savings share at
 * 6000 and a 1-day plurality window, run against the same data, diffed against run 1.
 * P09 (plurality lines on days 5 and 12) and P10 (day 11) lose their attribution.
 * E1 then has 8 episodes: T = 3418220 - 288565 - 1591350 = 1538305;
 * A = 2557000 - 258000 - 2004000 = 295000; gross = 1243305; Q = round(10000 x 2/8) =
 * 2500; qadj = 1243305 - round(1243305 x 1000 x 7500 / 10^8) = 1243305 - 93248
 * (93247.875) = 1150057; pay = round(1150057 x 0.6) = 690034 (690034.2) > cap
 * round(1538305 x 0.2) = 307661 -> 307661: a change of 307661 - 396161 = -88500.
 * E2 (negotiated 8000), E3 (a loss), E4 and E5 (other template) do not move. */
START_TEST(test_whatif_diff)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp -R '%s/episodes' '%s/whatif'", dir, dir);
    ck_assert_int_eq(sh(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/whatif/falls_prevention/template.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_object_set_new(json_object_get(root, "arrangement"), "savings_share_bps", json_integer(6000));
    json_object_set_new(json_object_get(root, "attribution"), "plurality_days", json_integer(1));
    ck_assert_int_eq(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
    ck_assert_msg(cara("run --episodes whatif") == 0, "%s", err_buf);
    ck_assert_str_eq(out_buf, "2\n");
    ck_assert_int_eq(cara("diff 1 2 --format json"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "{\"kind\":\"arrangement\",\"arrangement_id\":\"E1\",\"period\":2027,"
                                          "\"status_a\":\"final\",\"status_b\":\"final\",\"episodes_a\":10,"
                                          "\"episodes_b\":8,\"episodes_change\":-2,\"target_cents_a\":3418220,"
                                          "\"target_cents_b\":1538305,"));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"payment_cents_a\":396161,\"payment_cents_b\":307661,"
                                          "\"payment_cents_change\":-88500}"));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"arrangement_id\":\"E2\""));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"payment_cents_a\":18576,\"payment_cents_b\":18576,\"payment_cents_change\":0}"));
    ck_assert_ptr_nonnull(strstr(out_buf, "{\"kind\":\"attribution\",\"episode_id\":\"falls_prevention:1A00A00AA09:2027-03-10\","
                                          "\"attribution_a\":\"E1\",\"attribution_b\":\"unattributed\","
                                          "\"method_a\":\"plurality\",\"method_b\":\"unattributed\""));
    ck_assert_ptr_nonnull(strstr(out_buf, "falls_prevention:1A00A00AA10:2027-03-21"));
    int changed = 0;
    for (const char *p = out_buf; (p = strstr(p, "\"kind\":\"attribution\"")); p++) changed++;
    ck_assert_int_eq(changed, 2);
    /* the components section names what changed: two members of one template, whose
     * version did not move; the rules are unchanged, so they are not listed */
    ck_assert_ptr_nonnull(strstr(out_buf, "{\"kind\":\"component\",\"component_kind\":\"template\","
                                          "\"name\":\"falls_prevention\",\"version_a\":\"1.0.0\","
                                          "\"version_b\":\"1.0.0\","));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"change\":\"changed\",\"same_version\":true,\"members\":["
                                          "{\"path\":\"arrangement.savings_share_bps\",\"a\":5000,\"b\":6000},"
                                          "{\"path\":\"attribution.plurality_days\",\"a\":30,\"b\":1}],"
                                          "\"members_more\":0}"));
    ck_assert_ptr_null(strstr(out_buf, "\"component_kind\":\"rule\""));
    const char *first = "{\"kind\":\"component\"";
    ck_assert(strncmp(out_buf, first, strlen(first)) == 0); /* the section comes first */
    /* leakage is the episodes' spending outside A1's network (docs/methodology.md section
     * 3), whatever the plurality window: P15's PT (no EBRA, no participant TIN) rendered
     * 150.00 on day 0 and 40.00 twice later, in both runs: 3 lines, 23000 cents, no
     * change, and no per-provider row (those list changes only) */
    ck_assert_ptr_nonnull(strstr(out_buf, "{\"kind\":\"leakage\",\"aco_id\":\"A1\",\"lines_a\":3,"
                                          "\"lines_b\":3,\"lines_change\":0,\"paid_cents_a\":23000,"
                                          "\"paid_cents_b\":23000,\"paid_cents_change\":0}"));
    ck_assert_ptr_null(strstr(out_buf, "\"kind\":\"leakage_provider\""));
    ck_assert_int_eq(cara("diff 1 2"), 0);
    first = "== components (A = run 1, B = run 2)\n";
    ck_assert(strncmp(out_buf, first, strlen(first)) == 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\n  content changed under the same version 1.0.0\n"
                                          "  arrangement.savings_share_bps: 5000 -> 6000\n"
                                          "  attribution.plurality_days: 30 -> 1\n"));
    ck_assert_ptr_nonnull(strstr(out_buf, "== by arrangement"));
    ck_assert_ptr_nonnull(strstr(out_buf, "== by leakage (A = run 1, B = run 2)"));
    ck_assert_int_eq(cara("diff 1 7"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "no run 7"));
    ck_assert_int_eq(cara("diff 1"), 2);
}
END_TEST

/* An ACO overlay: A1's falls prevention with a 200 bps discount (Default approach), an
 * arrangement E6 for PT1 on it. Its episodes are A1's beneficiaries' (P16, not aligned,
 * has none); P01's target with E6: 180353 x (10000 - 200) / 10000 = 176745.94 -> 176746.
 * The overlay takes A1's beneficiaries from the base: P01's episode exists once, under
 * falls_a1 (before the fix it was also priced, and paid, under falls_prevention); P16,
 * aligned to no ACO, keeps the base's.
 * A Default-approach overlay that changes the window is refused, naming the rule. */
START_TEST(test_overlay_run)
{
    char cmd[2048];
    /* the files of docs/guide-aco.md, as an ACO would write them */
    snprintf(cmd, sizeof cmd, "cp -R '%s/tests/fixtures/guide/falls_a1' '%s/episodes/' && "
             "cp '%s/tests/fixtures/guide/arrangements_falls_a1.csv' '%s/e6.csv'",
             getenv("CARA_SRC"), dir, getenv("CARA_SRC"), dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_msg(cara("load e6.csv") == 0, "%s", err_buf);
    ck_assert_msg(cara("run") == 0, "%s", err_buf);
    ck_assert_int_eq(cara("report --run 2 --by episode --format json"), 0);
    json_t *eps = by_key(out_buf, "episode_id");
    json_t *e = EP("falls_a1:1A00A00AA01:2027-01-04");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(ival(e, "discount_bps"), 200);
    ck_assert_int_eq(ival(e, "target_cents"), 176746);
    ck_assert_str_eq(sval(e, "npi"), "1234567893");
    ck_assert_ptr_null(EP("falls_a1:1A00A00AA16:2027-01-15"));        /* not A1's */
    ck_assert_ptr_null(EP("falls_prevention:1A00A00AA01:2027-01-04")); /* priced once */
    ck_assert_ptr_nonnull(EP("falls_prevention:1A00A00AA16:2027-01-15")); /* not A1's: base */
    ck_assert_str_eq(sval(e, "arrangement_id"), "E6"); /* its own template's EBRA first */
    /* no beneficiary and day 0 is in both the base and the overlay */
    const char *k;
    json_t *v;
    json_object_foreach(eps, k, v) {
        if (strncmp(k, "falls_a1:", 9)) continue;
        char base[128];
        snprintf(base, sizeof base, "falls_prevention:%s", k + 9);
        ck_assert_msg(!json_object_get(eps, base), "%s is priced twice", base);
    }
    json_decref(eps);
    ck_assert_int_eq(cara("templates"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "falls_a1"));
    ck_assert_ptr_nonnull(strstr(out_buf, "overlay"));
    /* a Default-approach overlay may not change the window */
    snprintf(cmd, sizeof cmd, "sed -i 's/\"arrangement.discount_bps\": 200/\"window.post_days\": 119/' "
             "'%s/episodes/falls_a1/overlay.json'", dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_int_eq(cara("template validate episodes/falls_a1/overlay.json"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "set.window.post_days: may not be changed under the Default approach"));
    ck_assert_int_eq(cara("run"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "set.window.post_days"));
}
END_TEST

/* The lifecycle drives the next run. PT2's E2 (loaded active) is ended by the ACO on
 * 2027-01-06: P05 (day 0 01-06) stays E2's, P06 (day 0 01-07) becomes unattributed.
 * A new EBRA E8 for PT2 from 01-07, offered but not yet accepted, changes nothing; once
 * accepted, P06 is E8's. The audit log has the three changes. */
START_TEST(test_lifecycle_attribution)
{
    ck_assert_msg(cara("ebra end E2 --end 2027-01-06 --by aco --as aco-admin") == 0, "%s", err_buf);
    ck_assert_msg(cara("ebra offer E8 --aco A1 --npi 1993999998 --tin 123456789 --template "
                       "falls_prevention --start 2027-01-07") == 0, "%s", err_buf);
    ck_assert_int_eq(cara("run --quiet"), 0);
    ck_assert_int_eq(cara("report --run 2 --by episode --format json"), 0);
    json_t *eps = by_key(out_buf, "episode_id");
    ck_assert_str_eq(sval(EP("falls_prevention:1A00A00AA05:2027-01-06"), "npi"), "1993999998");
    ck_assert_str_eq(sval(EP("falls_prevention:1A00A00AA06:2027-01-07"), "attribution_method"), "unattributed");
    json_decref(eps);
    ck_assert_msg(cara("ebra accept E8 --as pt2") == 0, "%s", err_buf);
    ck_assert_int_eq(cara("run --quiet"), 0);
    ck_assert_int_eq(cara("report --run 3 --by episode --format json"), 0);
    eps = by_key(out_buf, "episode_id");
    json_t *e = EP("falls_prevention:1A00A00AA06:2027-01-07");
    ck_assert_str_eq(sval(e, "attribution_method"), "trigger");
    ck_assert_int_eq(ival(e, "target_cents"), 180353); /* E8 has no negotiated discount */
    json_decref(eps);
    ck_assert_int_eq(cara("ebra history E8 --format json"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\"action\":\"ebra.offer\""));
    ck_assert_ptr_nonnull(strstr(out_buf, "\"actor\":\"pt2\",\"action\":\"ebra.accept\""));
    ck_assert_int_eq(cara("ebra history E2 --format json"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\"actor\":\"aco-admin\",\"action\":\"ebra.end.aco\",\"effective\":\"2027-01-06\""));
    ck_assert_int_eq(cara("ebra list --as-of 2027-01-07 --npi 1993999998"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "E8"));
    ck_assert_ptr_null(strstr(out_buf, "E2 "));
}
END_TEST

/* Replay: run 1 (setup) stored its files. Edit falls_prevention's template on disk
 * (base A $2,000.00 -> $3,000.00, same version) and a rule; a plain run now prices P01
 * at 300000 x1.0609 x0.8500 = 270530 (270529.5) and warns that the content changed
 * under version 1.0.0; --replay 1 rebuilds run 1's folder and gives its results again,
 * byte for byte (P01 180353, the reports identical), and records replay_of = 1. */
START_TEST(test_replay)
{
    ck_assert_int_eq(cara("report --run 1 --by episode --format json"), 0);
    char *eps1 = strdup(out_buf);
    ck_assert_int_eq(cara("report --run 1 --by arrangement --format csv"), 0);
    char *arr1 = strdup(out_buf);
    ck_assert_int_eq(cara("report --run 1 --by leakage --format csv"), 0);
    char *leak1 = strdup(out_buf);
    char path[256];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/template.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_object_set_new(json_object_get(json_object_get(root, "triggers"), "A"), "base_cents",
                        json_integer(300000));
    ck_assert_int_eq(json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(root);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "printf '\n-- edited\n' >> '%s/episodes/falls_prevention/savings.lua'", dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_msg(cara("run") == 0, "%s", err_buf);
    ck_assert_str_eq(out_buf, "2\n");
    ck_assert_ptr_nonnull(strstr(err_buf, "warning: template falls_prevention 1.0.0: content "
                                          "changed under the same version"));
    ck_assert_ptr_nonnull(strstr(err_buf, "warning: rule falls_prevention/savings.lua 1.0.0"));
    ck_assert_int_eq(cara("report --run 2 --by episode --format json"), 0);
    json_t *eps = by_key(out_buf, "episode_id");
    ck_assert_int_eq(ival(EP("falls_prevention:1A00A00AA01:2027-01-04"), "target_cents"), 270530);
    json_decref(eps);

    ck_assert_msg(cara("run --replay 1") == 0, "%s", err_buf);
    ck_assert_str_eq(out_buf, "3\n");
    ck_assert_ptr_nonnull(strstr(err_buf, "run 3 replays run 1: the same results, row for row"));
    ck_assert_ptr_null(strstr(err_buf, "warning"));
    ck_assert_int_eq(cara("report --run 3 --by episode --format json"), 0);
    ck_assert_str_eq(out_buf, eps1);
    ck_assert_int_eq(cara("report --run 3 --by arrangement --format csv"), 0);
    ck_assert_str_eq(out_buf, arr1);
    ck_assert_int_eq(cara("report --run 3 --by leakage --format csv"), 0);
    ck_assert_str_eq(out_buf, leak1);
    ck_assert_int_eq(cara("runs --format json"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\"replay_of\":1,"));
    /* the rebuilt folder is private while it lives and removed afterwards */
    snprintf(cmd, sizeof cmd, "cd '%s' && mkdir tmp && TMPDIR=\"$PWD/tmp\" '%s' --db t.db run "
             "--replay 2 --quiet >/dev/null 2>&1 && test -z \"$(ls -A tmp)\"", dir,
             getenv("CARA_BIN"));
    ck_assert_int_eq(sh(cmd), 0);
    /* refusals */
    ck_assert_int_eq(cara("run --replay 99"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "no run 99"));
    ck_assert_int_eq(cara("run --replay 1 --period 2027"), 2);
    ck_assert_int_eq(cara("run --allow-plugin-change"), 2);
    free(eps1);
    free(arr1);
    free(leak1);
}
END_TEST

/* A plugin that is not the one run 1 used: --replay refuses, naming it and both
 * hashes; --allow-plugin-change goes on with a warning. */
START_TEST(test_replay_plugin_changed)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/t.db' \"UPDATE run_components SET sha256 = "
             "'00000000000000000000000000000000000000000000000000000000000000aa' WHERE run_id = 1 "
             "AND kind = 'plugin' AND name = 'declarative'\"", dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_int_eq(cara("run --replay 1"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "plugin declarative differs from run 1's: sha256 "
                                          "00000000000000000000000000000000000000000000000000000000000000aa then, "));
    ck_assert_ptr_nonnull(strstr(err_buf, "--allow-plugin-change"));
    ck_assert_msg(cara("run --replay 1 --allow-plugin-change") == 0, "%s", err_buf);
    ck_assert_ptr_nonnull(strstr(err_buf, "warning: plugin declarative differs from run 1's"));
    ck_assert_ptr_nonnull(strstr(err_buf, "the same results"));
}
END_TEST

/* Rollback: run 1 (setup) used falls_prevention with A's base at $2,000.00; an edit
 * to $3,000.00 (same version) is run 2. History lists both contents, latest first;
 * rolling back to run 1 restores its bytes (the hash run 1 recorded) and is audited.
 * An overlay stored by run 3 against base 1.0.0 cannot be rolled back once the base is
 * 1.1.0 (the overlay would be refused): nothing is changed. */
START_TEST(test_template_rollback)
{
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/template.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_object_set_new(json_object_get(json_object_get(root, "triggers"), "A"), "base_cents",
                        json_integer(300000));
    ck_assert_int_eq(json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(root);
    ck_assert_int_eq(cara("run --quiet"), 0);
    ck_assert_int_eq(cara("template history falls_prevention --format json"), 0);
    json_t *h1 = NULL, *h2 = NULL;
    const char *nl = strchr(out_buf, '\n');
    ck_assert_ptr_nonnull(nl);
    h2 = json_loadb(out_buf, (size_t)(nl - out_buf), 0, &je); /* the latest: run 2's */
    h1 = json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, &je);
    ck_assert_ptr_nonnull(h1);
    ck_assert_ptr_nonnull(h2);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(h2, "runs"), 0)), 2);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(h1, "runs"), 0)), 1);
    ck_assert_str_eq(sval(h1, "version"), "1.0.0");
    ck_assert_str_eq(sval(h1, "kind"), "base");
    ck_assert_int_eq(cara("template rollback falls_prevention"), 2); /* what to restore? */
    ck_assert_int_eq(cara("template rollback falls_prevention --run 9"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "no stored content matches run 9"));
    ck_assert_msg(cara("template rollback falls_prevention --run 1 --as cms-analyst") == 0, "%s", err_buf);
    ck_assert_ptr_nonnull(strstr(out_buf, "restored version 1.0.0"));
    char *text = th_slurp(dir, "episodes/falls_prevention/template.json");
    char hex[65];
    sha256_hex(text, strlen(text), hex);
    free(text);
    ck_assert_str_eq(hex, sval(h1, "sha256"));
    /* and by hash prefix, back to run 2's */
    char args[128];
    snprintf(args, sizeof args, "template rollback falls_prevention --sha256 %.12s", sval(h2, "sha256"));
    ck_assert_msg(cara(args) == 0, "%s", err_buf);
    text = th_slurp(dir, "episodes/falls_prevention/template.json");
    sha256_hex(text, strlen(text), hex);
    free(text);
    ck_assert_str_eq(hex, sval(h2, "sha256"));
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/t.db' \"SELECT actor || ' ' || entity_id FROM audit_log "
             "WHERE action = 'template.rollback' ORDER BY seq\" > '%s/audit'", dir, dir);
    ck_assert_int_eq(sh(cmd), 0);
    text = th_slurp(dir, "audit");
    ck_assert_ptr_nonnull(strstr(text, "cms-analyst falls_prevention\n"));
    free(text);
    json_decref(h1);
    json_decref(h2);

    /* an overlay against base 1.0.0 (run 3), then base and overlay moved to 1.1.0 */
    snprintf(cmd, sizeof cmd, "cp -R '%s/tests/fixtures/guide/falls_a1' '%s/episodes/'",
             getenv("CARA_SRC"), dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_msg(cara("run --quiet") == 0, "%s", err_buf);
    snprintf(cmd, sizeof cmd, "sed -i 's/\"version\": \"1.0.0\"/\"version\": \"1.1.0\"/' "
             "'%s/episodes/falls_prevention/template.json' '%s/episodes/falls_a1/overlay.json'",
             dir, dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_msg(cara("run --quiet") == 0, "%s", err_buf);
    char *before = th_slurp(dir, "episodes/falls_a1/overlay.json");
    ck_assert_int_eq(cara("template rollback falls_a1 --run 3"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "would not be valid, so nothing was changed"));
    ck_assert_ptr_nonnull(strstr(err_buf, "episodes/falls_a1/overlay.json"));
    ck_assert_ptr_null(strstr(err_buf, "cara-rollback-")); /* the source folder is named */
    char *after = th_slurp(dir, "episodes/falls_a1/overlay.json");
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    ck_assert_int_eq(cara("template history falls_a1"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "overlay"));
}
END_TEST

Suite *suite_e2e(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("claims_to_payments");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_episodes);
    tcase_add_test(tc, test_arrangements);
    tcase_add_test(tc, test_leakage_and_aco);
    tcase_add_test(tc, test_deterministic_and_formats);
    tcase_add_test(tc, test_sorted_on_disk);
    tcase_add_test(tc, test_whatif_diff);
    tcase_add_test(tc, test_overlay_run);
    tcase_add_test(tc, test_lifecycle_attribution);
    tcase_add_test(tc, test_replay);
    tcase_add_test(tc, test_replay_plugin_changed);
    tcase_add_test(tc, test_template_rollback);
    suite_add_tcase(s, tc);
    return s;
}
