/*
 * tests/test_report_cmd.c: what `cara report`, `cara claims` and `cara diff` show an
 * auditor, through the real binary on the hand-computed fixture of test_e2e.c
 * (tests/fixtures/e2e, with the same two parameters patched: falls_prevention
 * winsorize_percentile_bps = 9000, arrangement.min_episodes = 2 in both templates).
 *
 * Figures used here, worked by hand in test_e2e.c:
 *   E1 (PT1, falls): T = 3418220, A = 2557000, gross = 861220, Q-adjusted = 792322,
 *                    payment = 396161 (cents) -> $34182.20, $25570.00, $8612.20,
 *                    $7923.22, $3961.61;
 *   E3 (OT1, falls): payment -10821 -> "-108.21" (a loss the provider owes);
 *   P01 (1A00A00AA01): episode falls_prevention:1A00A00AA01:2027-01-04 attributed to
 *                    E1 by its trigger; 3 stored claims (C0101, C0102, C0199);
 *   PT2 (NPI 1993999998): 2 episodes (P05, P06), both E2's.
 *
 * After the run, two arrangements are added that no episode of run 1 can have: E7
 * (Gerry Geriatrician, functional independence, from 2027-03-01: he already has E4, 1
 * episode) and E9 (Nora Outside PT's only arrangement, falls, 2027). Both must appear
 * with 0 episodes, zero money and status no_episodes.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "store/store_conn.h"
#include "helpers.h"
#include "suites.h"
#include "base/util.h"
#include "base/money.h"

static char dir[64];
static char *out_buf, *err_buf;

static int sh(const char *cmd) { return th_sh(cmd); }

/* Run cara with --db and --episodes of the temp dir; capture stdout/stderr. */
static int cara(const char *args)
{
    char full[4096];
    snprintf(full, sizeof full, "--db t.db --episodes episodes %s", args);
    return th_cara(dir, "USER=tester", full, &out_buf, &err_buf);
}

/* The first column of the first row of sql on the test store, as text ("" for none). */
static const char *q(const char *sql, char *buf, size_t len)
{
    char path[128], e[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    store *s;
    ck_assert_int_eq(store_open(path, 0, &s, e, sizeof e), 0);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    buf[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        util_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), len);
    sqlite3_finalize(st);
    store_close(s);
    return buf;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-repcmd-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    out_buf = err_buf = NULL;
    char cmd[1024];
    th_e2e_world(dir);
    ck_assert_msg(cara("load data/base") == 0, "load base: %s", err_buf);
    ck_assert_msg(cara("load data/runout/medical_claim.csv") == 0, "load runout: %s", err_buf);
    ck_assert_msg(cara("run --quiet") == 0, "run: %s", err_buf);
    ck_assert_msg(cara("ebra offer E7 --aco A1 --npi 1528060837 --tin 234567891 --template "
                       "functional_independence --start 2027-03-01") == 0, "%s", err_buf);
    ck_assert_msg(cara("ebra accept E7") == 0, "%s", err_buf);
    snprintf(cmd, sizeof cmd, "printf 'arrangement_id,aco_id,npi,tin,template_id,start_date,"
             "end_date\\nE9,A1,1456789019,345678912,falls_prevention,2027-01-01,2027-12-31\\n' "
             "> '%s/e9.csv'", dir);
    ck_assert_int_eq(sh(cmd), 0);
    ck_assert_msg(cara("load e9.csv") == 0, "load e9: %s", err_buf);
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

/* The line of out_buf that starts with prefix (copied into buf), or NULL. */
static const char *line_starting(const char *prefix, char *buf, size_t len)
{
    size_t n = strlen(prefix);
    for (const char *p = out_buf; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l >= n && strncmp(p, prefix, n) == 0) {
            snprintf(buf, len, "%.*s", (int)l, p);
            return buf;
        }
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* --by episode names the arrangement, NPI and TIN, in every format. */
START_TEST(test_episode_arrangement)
{
    char line[2048];
    ck_assert_int_eq(cara("report --by episode --format json"), 0);
    const char *p = strstr(out_buf, "{\"episode_id\":\"falls_prevention:1A00A00AA01:2027-01-04\"");
    ck_assert_ptr_nonnull(p);
    const char *eol = strchr(p, '\n');
    json_t *o = json_loadb(p, (size_t)(eol - p), 0, NULL);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_string_value(json_object_get(o, "arrangement_id")), "E1");
    ck_assert_str_eq(json_string_value(json_object_get(o, "npi")), "1234567893");
    ck_assert_str_eq(json_string_value(json_object_get(o, "tin")), "123456789");
    json_decref(o);
    ck_assert_int_eq(cara("report --by episode --format csv"), 0);
    ck_assert_ptr_nonnull(line_starting("episode_id,", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, ",npi,tin,"));
    ck_assert_ptr_nonnull(strstr(line, ",arrangement_id,"));
    ck_assert_ptr_nonnull(line_starting("falls_prevention:1A00A00AA01:2027-01-04,", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, ",E1,"));
    ck_assert_int_eq(cara("report --by episode --arrangement E2"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "arrangement_id"));
    ck_assert_ptr_nonnull(strstr(out_buf, "falls_prevention:1A00A00AA05:2027-01-06"));
    ck_assert_ptr_null(strstr(out_buf, "1A00A00AA01"));
}
END_TEST

/* Arrangements in force with no episode are listed, with zero money. */
START_TEST(test_no_episodes)
{
    char line[2048];
    ck_assert_int_eq(cara("report --by arrangement --format csv"), 0);
    ck_assert_ptr_nonnull(line_starting("E7,", line, sizeof line));
    /* E7: 0 episodes, targets and actuals 0, no reconciliation, payment 0, no leakage */
    ck_assert_str_eq(line, "E7,A1,1528060837,234567891,functional_independence,1.0.0,2027,0,0,0,"
                           "0,,,,,0,,no_episodes,0,0,,,,,,2028-06-30,0.00,0.00,0.00,,,0.00,"
                           "0.00,,,,,");
    ck_assert_ptr_nonnull(line_starting("E9,A1,1456789019,345678912,falls_prevention,", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, ",no_episodes,"));
    ck_assert_int_eq(cara("report --by arrangement --aco A1"), 0);
    ck_assert_ptr_nonnull(line_starting("E7 ", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, "no_episodes"));
    /* Nora's only arrangement has no episode; Gerry has E4 (1 episode) and E7 (none) */
    ck_assert_int_eq(cara("report --by specialist --format csv"), 0);
    ck_assert_ptr_nonnull(line_starting("1456789019,345678912,", line, sizeof line));
    /* no target: no savings rate and no interval */
    ck_assert_str_eq(line, "1456789019,345678912,Nora Outside PT,65,1,0,0,0,0,no_episodes,,,,"
                           "0.00,0.00,0.00");
    ck_assert_ptr_nonnull(line_starting("1528060837,234567891,", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, ",38,2,1,"));
    ck_assert_ptr_nonnull(strstr(line, ",attributed,"));
    /* a period no arrangement is in force: E4 ended 2027-12-31, the run covers 2027 only */
    ck_assert_int_eq(cara("report --by arrangement --period 2028 --format json"), 0);
    ck_assert_str_eq(out_buf, "");
    ck_assert_ptr_nonnull(strstr(err_buf, "no arrangements in period 2028 in run 1; run 1 covers period 2027"));
}
END_TEST

/* Money: dollars with two decimals in the table and CSV's dollar columns; CSV keeps its
 * *_cents columns in cents; JSON only has cents. */
START_TEST(test_money_formats)
{
    char line[2048];
    ck_assert_int_eq(cara("report --by arrangement --format csv"), 0);
    ck_assert_ptr_nonnull(line_starting("arrangement_id,", line, sizeof line));
    ck_assert_str_eq(line, "arrangement_id,aco_id,npi,tin,template_id,template_version,period,"
                           "episodes,target_cents,actual_cents,actual_winsorized_cents,gross_cents,"
                           "quality_bps,quality_adjusted_cents,share_bps,payment_cents,cap_applied,"
                           "status,leakage_lines,leakage_paid_cents,projected_actual_cents,"
                           "projected_winsorized_cents,projected_payment_cents,"
                           "projected_payment_low_cents,projected_payment_high_cents,"
                           "paid_through_date,target,actual,actual_winsorized,gross,"
                           "quality_adjusted,payment,leakage_paid,projected_actual,"
                           "projected_winsorized,projected_payment,projected_payment_low,"
                           "projected_payment_high");
    ck_assert_ptr_nonnull(line_starting("E1,", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, ",3418220,2557000,2557000,861220,2000,792322,5000,396161,"));
    /* after the status: leakage lines and cents, then the dollar columns, the leakage's
     * dollars last (the same cents) */
    const char *st = strstr(line, ",final,");
    ck_assert_ptr_nonnull(st);
    long long leak_lines = -1, leak_cents = -1;
    ck_assert_int_eq(sscanf(st, ",final,%lld,%lld,", &leak_lines, &leak_cents), 2);
    ck_assert_int_ge(leak_lines, 0);
    char tail[128], money[32];
    money_format(leak_cents, money);
    /* ... then the projected columns' dollars, empty in a final run */
    snprintf(tail, sizeof tail, ",34182.20,25570.00,25570.00,8612.20,7923.22,3961.61,%s,,,,,", money);
    ck_assert_ptr_nonnull(strstr(line, tail));
    ck_assert_str_eq(line + strlen(line) - strlen(tail), tail);
    ck_assert_ptr_nonnull(line_starting("E3,", line, sizeof line));
    ck_assert_ptr_nonnull(strstr(line, ",-10821,"));
    ck_assert_ptr_nonnull(strstr(line, ",-108.21,"));
    ck_assert_int_eq(cara("report --by arrangement --format json --arrangement E1"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "\"payment_cents\":396161"));
    ck_assert_ptr_null(strstr(out_buf, "\"payment\""));
    ck_assert_ptr_null(strstr(out_buf, "3961.61"));
    ck_assert_int_eq(cara("report --by arrangement --arrangement E3"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, " payment "));
    ck_assert_ptr_nonnull(strstr(out_buf, "-108.21"));
    ck_assert_int_eq(cara("report --help"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "dollar column"));
}
END_TEST

/* Filters that name nothing are usage errors naming the option, the value and what is
 * expected; a valid filter matching nothing says why. */
START_TEST(test_filter_errors)
{
    ck_assert_int_eq(cara("report --by episode --aco NOPE"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--aco: no ACO 'NOPE'"));
    ck_assert_str_eq(out_buf, "");
    ck_assert_int_eq(cara("report --by arrangement --npi 1234567890"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--npi: '1234567890' fails its check digit (expected 3"));
    ck_assert_int_eq(cara("report --by specialist --tin 12-345678"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--tin: '12-345678' is not a TIN"));
    ck_assert_int_eq(cara("report --by episode --template nope"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--template: no run used a template 'nope'"));
    ck_assert_int_eq(cara("report --by episode --arrangement E99"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--arrangement: no arrangement 'E99'"));
    ck_assert_int_eq(cara("report --by episode --period 27"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--period: '27' is not a performance year (expected YYYY"));
    ck_assert_int_eq(cara("report --by episode --period 2027-01"), 2);
    ck_assert_int_eq(cara("report --by aco --npi 1234567893"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--npi: the aco report does not take this filter"));
    ck_assert_int_eq(cara("report --by leakage --arrangement E1"), 2);
    /* A2 exists and has no episodes: a valid filter that matches nothing */
    ck_assert_int_eq(cara("report --by episode --aco A2"), 0);
    ck_assert_str_eq(out_buf, "(no rows: no episodes of ACO A2 in run 1)\n");
    ck_assert_ptr_nonnull(strstr(err_buf, "no other completed run has any either"));
    ck_assert_int_eq(cara("report --by arrangement --aco A2 --format json"), 0);
    ck_assert_str_eq(out_buf, "");
    ck_assert_int_eq(cara("report --by episode --npi 1993999998 --period 2027 --format csv"), 0);
    int rows = 0;
    for (const char *p = out_buf; *p; p++) rows += *p == '\n';
    ck_assert_int_eq(rows, 3); /* header + P05, P06 */
}
END_TEST

/* CLI reads of beneficiary data are audited: who, the command, its filters, the count. */
START_TEST(test_phi_audit)
{
    char b[1024];
    /* earlier tests of this case read episodes too: count from here */
    long n0 = atol(q("SELECT count(*) FROM audit_log WHERE action = 'phi.read'", b, sizeof b));
    ck_assert_int_eq(cara("claims --person 1A00A00AA01 --as auditor1"), 0);
    ck_assert_str_eq(q("SELECT actor || '|' || entity || '|' || after FROM audit_log WHERE action = "
                       "'phi.read' ORDER BY seq DESC LIMIT 1", b, sizeof b),
                     "auditor1|claims|{\"command\":\"claims\",\"filters\":{\"person\":"
                     "\"1A00A00AA01\"},\"rows\":3}");
    ck_assert_int_eq(cara("report --by episode --npi 1993999998 --format json"), 0);
    ck_assert_str_eq(q("SELECT actor || '|' || entity || '|' || entity_id || '|' || after FROM "
                       "audit_log WHERE action = 'phi.read' ORDER BY seq DESC LIMIT 1", b, sizeof b),
                     "tester|run|1|{\"command\":\"report\",\"filters\":{\"by\":\"episode\","
                     "\"npi\":\"1993999998\"},\"rows\":2}");
    /* totals without person ids are not */
    ck_assert_int_eq(cara("report --by arrangement"), 0);
    ck_assert_int_eq(cara("report --by aco --format csv"), 0);
    ck_assert_int_eq(atol(q("SELECT count(*) FROM audit_log WHERE action = 'phi.read'", b, sizeof b)), n0 + 2);
    ck_assert_int_eq(cara("diff 1 1 --format json --as cms-analyst"), 0);
    ck_assert_str_eq(q("SELECT actor || '|' || entity_id || '|' || after FROM audit_log WHERE "
                       "action = 'phi.read' ORDER BY seq DESC LIMIT 1", b, sizeof b),
                     "cms-analyst|1,1|{\"command\":\"diff\",\"filters\":{\"run_a\":1,\"run_b\":1},"
                     "\"rows\":0}");
    /* a refused report reads nothing and records nothing */
    ck_assert_int_eq(cara("report --by episode --aco NOPE"), 2);
    ck_assert_int_eq(atol(q("SELECT count(*) FROM audit_log WHERE action = 'phi.read'", b, sizeof b)), n0 + 3);
    ck_assert_int_eq(cara("claims --help"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "phi.read"));
}
END_TEST

/* The latest run is empty for the period asked: say which run, and point at one that
 * has rows. --run N of a run that does not exist or failed is an error. Runs last: it
 * adds runs 2 (period 2028: no episodes) and 50 (failed). */
START_TEST(test_empty_latest_run)
{
    char b[256];
    ck_assert_int_eq(cara("run --period 2028 --quiet"), 0);
    ck_assert_str_eq(out_buf, "2\n");
    ck_assert_int_eq(cara("report --by episode --npi 1993999998"), 0);
    ck_assert_str_eq(out_buf, "(no rows: no episodes of NPI 1993999998 in run 2)\n");
    ck_assert_ptr_nonnull(strstr(err_buf, "used the latest completed run, run 2; run 1 has some: add --run 1"));
    ck_assert_int_eq(cara("report --by episode --period 2027 --format csv"), 0);
    ck_assert_ptr_nonnull(strstr(err_buf, "no episodes in period 2027 in run 2; run 2 covers period 2028"));
    ck_assert_ptr_nonnull(strstr(err_buf, "run 1 has some: add --run 1"));
    ck_assert_int_eq(cara("report --by episode --period 2027 --run 1 --format csv"), 0);
    ck_assert_ptr_nonnull(strstr(out_buf, "1A00A00AA01"));
    ck_assert_int_eq(cara("report --run 99 --by episode"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "no run 99 (the latest completed run is 2"));
    q("INSERT INTO runs (run_id, started_at, status, episodes_dir, message) VALUES "
      "(50, '2027-01-01T00:00:00Z', 'failed', 'x', 'savings.lua:3: boom') RETURNING run_id", b, sizeof b);
    ck_assert_str_eq(b, "50");
    ck_assert_int_eq(cara("report --run 50 --by arrangement"), 1);
    ck_assert_ptr_nonnull(strstr(err_buf, "run 50 is failed: savings.lua:3: boom: only a completed run"));
    ck_assert_int_eq(cara("report --run 0 --by arrangement"), 2);
}
END_TEST

Suite *suite_report_cmd(void)
{
    Suite *s = suite_create("report_cmd");
    TCase *tc = tcase_create("auditor");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_episode_arrangement);
    tcase_add_test(tc, test_no_episodes);
    tcase_add_test(tc, test_money_formats);
    tcase_add_test(tc, test_filter_errors);
    tcase_add_test(tc, test_phi_audit);
    tcase_add_test(tc, test_empty_latest_run);
    suite_add_tcase(s, tc);
    return s;
}
