/* tests/test_report_stats.c: the statistics of the specialist and arrangement reports
 * (core/store/report.c): the savings rate and its interval, an arrangement's leakage,
 * worked by hand on a store of four episodes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

/* Run 1: arrangement E1 (NPI 1234567893, TIN 123456789) in 2027 with three priced
 * episodes of target $100.00 each and winsorized actuals $80.00, $90.00, $100.00, and
 * one excluded episode (not counted); leakage of 2 lines, $12.34, on the first episode
 * and 1 line, $1.00, on the second. */
static void setup(void)
{
    th_tmpdir_store(dir, "cara-report-stats", &db);
    th_exec(db, "INSERT INTO runs (run_id, started_at, finished_at, status, episodes_dir) "
                "VALUES (1, '2027-01-01T00:00:00Z', '2027-01-01T00:01:00Z', 'done', '/e')");
    th_exec(db, "INSERT INTO run_arrangements (run_id, arrangement_id, period, aco_id, npi, tin, "
                "template_id, template_version, episodes, target_cents, actual_cents, "
                "actual_winsorized_cents, payment_cents, status) VALUES (1, 'E1', 2027, 'A1', "
                "'1234567893', '123456789', 'falls_prevention', '1.0.0', 3, 30000, 27000, 27000, "
                "0, 'insufficient_volume')");
    static const struct {
        const char *person, *day0, *status;
        int target, actual;
    } eps[] = {{"P1", "2027-02-01", "final", 10000, 8000},
               {"P2", "2027-03-01", "final", 10000, 9000},
               {"P3", "2027-04-01", "final", 10000, 10000},
               {"P4", "2027-05-01", "excluded", 10000, 1}};
    for (int i = 0; i < 4; i++) {
        char sql[1024];
        snprintf(sql, sizeof sql, "INSERT INTO run_episode_rows (run_id, episode_id, person_id, "
                 "template_id, template_version, trigger_type, trigger_date, end_date, aco_id, "
                 "arrangement_id, npi, tin, target_cents, actual_cents, actual_winsorized_cents, "
                 "status) VALUES (1, 'falls_prevention:%s:%s', '%s', 'falls_prevention', '1.0.0', "
                 "'A', '%s', '%s', 'A1', 'E1', '1234567893', '123456789', %d, %d, %d, '%s')",
                 eps[i].person, eps[i].day0, eps[i].person, eps[i].day0, eps[i].day0,
                 eps[i].target, eps[i].actual, eps[i].actual, eps[i].status);
        th_exec(db, sql);
    }
    th_exec(db, "INSERT INTO run_leakage_rows (run_id, episode_id, aco_id, npi, tin, lines, paid_cents) "
                "VALUES (1, 'falls_prevention:P1:2027-02-01', 'A1', '1111111112', '999999999', 2, "
                "1234), (1, 'falls_prevention:P2:2027-03-01', 'A1', '1111111112', '999999999', 1, "
                "100)");
}

static void teardown(void)
{
    th_store_done(dir, &db);
}

typedef struct got {
    const report_def *r;
    char cells[32][64];
    int rows;
} got;

static int keep(const store_row *row, void *ud)
{
    got *g = ud;
    if (!row->cells) return 0;
    g->rows++;
    for (int i = 0; i < row->n && i < 32; i++)
        snprintf(g->cells[i], sizeof g->cells[i], "%s", row->cells[i].text ? row->cells[i].text : "NULL");
    return 0;
}

static const char *cell(const got *g, const char *name)
{
    for (size_t i = 0; i < g->r->n_cols; i++)
        if (!strcmp(g->r->cols[i].name, name)) return g->cells[i];
    ck_abort_msg("no column %s", name);
    return NULL;
}

/* Savings s = t - a: 2000, 1000, 0 cents; R = 3000 / 30000 = 1000 bps. The residuals
 * s - R t are 1000, 0, -1000: their squares sum to 2,000,000; / (n (n - 1)) = 333,333.3;
 * sqrt = 577.35 cents; / mean target 10000 = 0.057735; x 1.645 = 949.74 bps. The 90%
 * interval is 1000 -/+ 949.74: 50 to 1950 bps. The excluded episode is not counted. */
START_TEST(test_specialist_interval)
{
    got g = {report_find("specialist"), {{0}}, 0};
    report_filters f = {0};
    char err[256];
    ck_assert_int_ge(report_each(db, g.r, 1, &f, keep, &g, err, sizeof err), 0);
    ck_assert_int_eq(g.rows, 1);
    ck_assert_str_eq(cell(&g, "savings_bps"), "1000");
    ck_assert_str_eq(cell(&g, "savings_bps_low"), "50");
    ck_assert_str_eq(cell(&g, "savings_bps_high"), "1950");
    /* one episode: a rate but no interval */
    th_exec(db, "DELETE FROM run_episode_rows WHERE person_id IN ('P2', 'P3')");
    th_exec(db, "UPDATE run_arrangements SET episodes = 1, target_cents = 10000, "
                "actual_winsorized_cents = 8000");
    g.rows = 0;
    ck_assert_int_ge(report_each(db, g.r, 1, &f, keep, &g, err, sizeof err), 0);
    ck_assert_str_eq(cell(&g, "savings_bps"), "2000");
    ck_assert_str_eq(cell(&g, "savings_bps_low"), "NULL");
    ck_assert_str_eq(cell(&g, "savings_bps_high"), "NULL");
    /* a loss rounds half away from zero: t 30000, a 30005 -> -1.667 bps -> -2 */
    th_exec(db, "UPDATE run_arrangements SET target_cents = 30000, actual_winsorized_cents = 30005");
    g.rows = 0;
    ck_assert_int_ge(report_each(db, g.r, 1, &f, keep, &g, err, sizeof err), 0);
    ck_assert_str_eq(cell(&g, "savings_bps"), "-2");
}
END_TEST

/* E1's leakage: 2 + 1 lines, 1234 + 100 = 1334 cents. */
START_TEST(test_arrangement_leakage)
{
    got g = {report_find("arrangement"), {{0}}, 0};
    report_filters f = {0};
    char err[256];
    ck_assert_int_ge(report_each(db, g.r, 1, &f, keep, &g, err, sizeof err), 0);
    ck_assert_int_eq(g.rows, 1);
    ck_assert_str_eq(cell(&g, "leakage_lines"), "3");
    ck_assert_str_eq(cell(&g, "leakage_paid_cents"), "1334");
}
END_TEST

Suite *suite_report_stats(void)
{
    Suite *s = suite_create("report_stats");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_specialist_interval);
    tcase_add_test(tc, test_arrangement_leakage);
    suite_add_tcase(s, tc);
    return s;
}
