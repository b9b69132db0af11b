/*
 * tests/test_risk.c: the prospective risk list (engine/risk_list.h, store/risk_q.h,
 * episodes/falls_prevention/risk.lua) on a hand-made world, as of 2027-07-01 with the
 * shipped rule (look-back 365 days: the window is 2026-07-02 .. 2027-07-01).
 *
 * One ACO A1 (TIN 123456789 participates), one EBRA E1 (NPI 1234567893 / TIN 123456789,
 * falls prevention, from 2027-01-01). Everyone enrolled from 2026-01-01, aligned to A1
 * 2026-01-01 .. 2027-12-31 unless said. Scores by hand (risk.lua's weights):
 *   AA01 born 1940-03-01, 87: age 85+ 20; W19XXXA on 2027-03-02 (rendered by E1's
 *        NPI/TIN) prior_fall 25; walker E0135 on 2027-05-10 dme_walker 15  -> 60,
 *        specialist E1 (one look-back line of E1's provider)
 *   AA02 born 1950-01-01, 77: age 75-84 10; an inpatient stay (bill 111) starting on
 *        2026-07-02, the first day of the window, S72001A W19XXXA: prior_fall 25,
 *        injury 15 (S720*), fracture 15 (S72*), HCC 402 5, inpatient_stay 10 -> 80
 *   AA03 born 1950-01-01, 77: age 10; W19XXXA on 2026-07-01, the day before the window:
 *        not counted                                                          -> 10
 *   AA04 born 1951-06-01, 76: age 10, no claims                               -> 10
 *        (ties with AA03: AA03 first by person_id)
 *   AA05 like AA01 but in an open falls episode of run 1 (2027-06-01 .. 2027-11-27): out
 *   AA06 aligned only until 2027-06-30: out
 *   AA07 died 2027-06-15: out
 * Ranked: AA02 80, AA01 60, AA03 10, AA04 10.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "helpers.h"
#include "suites.h"

static char dir[64];
static store *db;
static char err[2048];

static void person(const char *id, const char *birth, const char *death, const char *align_end)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO eligibility (person_id, enrollment_start_date, gender, birth_date, "
             "death_date, dual_status_code, medicare_status_code) VALUES ('%s', '2026-01-01', "
             "'female', '%s', %s%s%s, '00', '10');"
             "INSERT INTO alignment (person_id, aco_id, start_date, end_date) VALUES ('%s', 'A1', '2026-01-01', '%s');",
             id, birth, death ? "'" : "", death ? death : "NULL", death ? "'" : "", id, align_end);
    th_exec(db, sql);
}

static void claim(const char *id, const char *type, const char *person_id, const char *day,
                  const char *bill, const char *dx, const char *hcpcs, const char *npi,
                  const char *tin)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, "
             "claim_end_date, bill_type_code, diagnosis_codes) VALUES ('%s', '%s', '%s', '%s', "
             "'%s', '%s', '%s');"
             "INSERT INTO claim_lines (claim_id, claim_line_number, claim_line_start_date, "
             "claim_line_end_date, hcpcs_code, rendering_npi, rendering_tin, paid_cents, "
             "allowed_cents) VALUES ('%s', 1, '%s', '%s', '%s', '%s', '%s', 10000, 12000);",
             id, type, person_id, day, day, bill, dx, id, day, day, hcpcs, npi, tin);
    th_exec(db, sql);
}

static void setup(void)
{
    th_tmpdir_store(dir, "risk", &db);
    th_exec(db, "INSERT INTO acos (aco_id, name, track) VALUES ('A1', 'ACO One', 'global');"
                "INSERT INTO providers (npi, tin, name) VALUES ('1234567893', '123456789', 'Dr Falls');"
                "INSERT INTO aco_tins (aco_id, tin, start_date) VALUES ('A1', '123456789', '2026-01-01');"
                "INSERT INTO arrangements (arrangement_id, aco_id, npi, tin, template_id, "
                "start_date) VALUES ('E1', 'A1', '1234567893', '123456789', 'falls_prevention', "
                "'2027-01-01');");
    person("1A00A00AA01", "1940-03-01", NULL, "2027-12-31");
    person("1A00A00AA02", "1950-01-01", NULL, "2027-12-31");
    person("1A00A00AA03", "1950-01-01", NULL, "2027-12-31");
    person("1A00A00AA04", "1951-06-01", NULL, "2027-12-31");
    person("1A00A00AA05", "1940-03-01", NULL, "2027-12-31");
    person("1A00A00AA06", "1940-03-01", NULL, "2027-06-30");
    person("1A00A00AA07", "1940-03-01", "2027-06-15", "2027-12-31");
    claim("C1", "professional", "1A00A00AA01", "2027-03-02", "", "W19XXXA", "99213",
          "1234567893", "123456789");
    claim("C2", "dme", "1A00A00AA01", "2027-05-10", "", "M170", "E0135", "1999999984", "999999999");
    claim("C3", "institutional", "1A00A00AA02", "2026-07-02", "111", "S72001A W19XXXA", "", "", "");
    claim("C4", "professional", "1A00A00AA03", "2026-07-01", "", "W19XXXA", "99213", "", "");
    claim("C5", "professional", "1A00A00AA05", "2027-03-02", "", "W19XXXA", "99213", "", "");
    claim("C6", "professional", "1A00A00AA06", "2027-03-02", "", "W19XXXA", "99213", "", "");
    claim("C7", "professional", "1A00A00AA07", "2027-03-02", "", "W19XXXA", "99213", "", "");
    th_exec(db, "INSERT INTO runs (run_id, started_at, finished_at, status, episodes_dir) "
                "VALUES (1, '2027-07-02T00:00:00Z', '2027-07-02T00:01:00Z', 'done', 'x');"
                "INSERT INTO run_episode_rows (run_id, episode_id, person_id, template_id, "
                "template_version, trigger_type, trigger_date, end_date, actual_cents, status) "
                "VALUES (1, 'EP5', '1A00A00AA05', 'falls_prevention', '1.0.0', 'B', "
                "'2027-06-01', '2027-11-27', 0, 'final'), "
                "(1, 'EP2', '1A00A00AA02', 'falls_prevention', '1.0.0', 'B', '2026-07-10', "
                "'2027-01-05', 0, 'final');");
}

static void teardown(void) { th_store_done(dir, &db); }

static int build(const risk_list_opts *o, const char *episodes, risk_list *l)
{
    return risk_list_build(db, episodes ? episodes : getenv("CARA_EPISODES"),
                           getenv("CARA_PLUGINS"), o, l, err, sizeof err);
}

static risk_list_opts as_of_july(void)
{
    risk_list_opts o = {0};
    date_parse("2027-07-01", 10, &o.as_of);
    o.template_id = "falls_prevention";
    return o;
}

START_TEST(ranked_with_reasons)
{
    risk_list_opts o = as_of_july();
    risk_list l;
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 4);
    ck_assert_uint_eq(l.n_tmpl, 1);
    ck_assert_int_eq(l.tmpl[0].run_id, 1);
    ck_assert_int_eq(l.tmpl[0].candidates, 4);    /* AA01-AA04 */
    ck_assert_int_eq(l.tmpl[0].open_episodes, 1); /* AA05 (AA02's episode ended) */
    const char *who[] = {"1A00A00AA02", "1A00A00AA01", "1A00A00AA03", "1A00A00AA04"};
    const int64_t score[] = {80, 60, 10, 10};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(l.rows[i].person_id, who[i]);
        ck_assert_int_eq(l.rows[i].score, score[i]);
        ck_assert_int_eq(l.rows[i].rank, (int64_t)i + 1);
        ck_assert_str_eq(l.rows[i].aco_id, "A1");
        ck_assert_int_eq(l.rows[i].run_id, 1);
    }
    ck_assert_str_eq(l.rows[1].reasons, "prior_fall:W19XXXA on 2027-03-02; age:85+; "
                                        "dme_walker:E0135 on 2027-05-10");
    ck_assert_str_eq(l.rows[1].npi, "1234567893");
    ck_assert_str_eq(l.rows[1].tin, "123456789");
    ck_assert_int_eq(l.rows[1].flagged, 1); /* threshold 40 */
    ck_assert_str_eq(l.rows[0].reasons, "prior_fall:W19XXXA on 2026-07-02; injury:S72001A on "
                                        "2026-07-02; fracture:S72001A on 2026-07-02; "
                                        "age:75-84; hcc:HCC 402; inpatient_stay:2026-07-02");
    ck_assert_str_eq(l.rows[0].npi, ""); /* the ACO's care team */
    ck_assert_str_eq(l.rows[2].reasons, "age:75-84");
    ck_assert_int_eq(l.rows[2].flagged, 0);
    char d[11];
    date_format(l.rows[2].last_claim, d);
    ck_assert_str_eq(d, "2026-07-01"); /* outside the window, still the last claim */
    ck_assert_int_eq(l.rows[3].last_claim, CARA_DATE_NONE);
    char *csv = risk_row_csv(NULL);
    ck_assert_str_eq(csv, "rank,aco_id,person_id,template_id,score,flagged,reasons,npi,tin,"
                          "last_claim_date,run_id\n");
    free(csv);
    csv = risk_row_csv(&l.rows[1]);
    ck_assert_str_eq(csv, "2,A1,1A00A00AA01,falls_prevention,60,true,prior_fall:W19XXXA on "
                          "2027-03-02; age:85+; dme_walker:E0135 on 2027-05-10,1234567893,"
                          "123456789,2027-05-10,1\n");
    free(csv);
    risk_list_free(&l);
}
END_TEST

/* The 2026-07-02 claim is in only while the window starts on it: as of 2027-07-02 the
 * window starts 2026-07-03 and AA02 keeps only age 10 (the episode left nothing open). */
START_TEST(lookback_boundary)
{
    risk_list_opts o = as_of_july();
    date_parse("2027-07-02", 10, &o.as_of);
    risk_list l;
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    int seen = 0;
    for (size_t i = 0; i < l.n; i++)
        if (!strcmp(l.rows[i].person_id, "1A00A00AA02")) {
            ck_assert_int_eq(l.rows[i].score, 10);
            seen = 1;
        }
    ck_assert(seen);
    risk_list_free(&l);
}
END_TEST

START_TEST(filters_and_limit)
{
    risk_list_opts o = as_of_july();
    risk_list l;
    o.npi = "1234567893";
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_str_eq(l.rows[0].person_id, "1A00A00AA01");
    ck_assert_int_eq(l.rows[0].rank, 1); /* ranked within what is listed */
    risk_list_free(&l);
    o.npi = NULL;
    o.aco_id = "A2";
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 0);
    risk_list_free(&l);
    o.aco_id = NULL;
    o.has_min_score = 1;
    o.min_score = 60; /* AA02 80, AA01 60 */
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 2);
    risk_list_free(&l);
    o.has_min_score = 0;
    o.limit = 3;
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 3);
    ck_assert_uint_eq(l.total, 4);
    ck_assert_str_eq(l.rows[2].person_id, "1A00A00AA03");
    risk_list_free(&l);
    /* no finished run: nobody is in an open episode, AA05 is listed */
    th_exec(db, "UPDATE runs SET status = 'failed'");
    o.limit = 0;
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 5);
    ck_assert_int_eq(l.tmpl[0].run_id, 0);
    risk_list_free(&l);
    /* an admission the ADT feed reported opened a provisional episode for AA01 on
     * 2027-06-20 (window to 2027-12-16, holding the as-of date): AA01 is in an episode
     * without any run; a dropped one (AA03) and one closed before July (AA02) do not
     * count */
    th_exec(db, "INSERT INTO adt_visits (visit_id, facility, visit_number, status, "
                "first_message, last_message) VALUES (1, 'H', 'V1', 'active', 1, 1), (2, 'H', "
                "'V2', 'active', 1, 1), (3, 'H', 'V3', 'active', 1, 1)");
    th_exec(db, "INSERT INTO provisional_episodes (visit_id, template_id, trigger_id, "
                "trigger_type, person_id, day0, end_date, confirm_days, attribution_method, "
                "status, opened_at, message_id) VALUES "
                "(1, 'falls_prevention', 'hip', 'B', '1A00A00AA01', '2027-06-20', '2027-12-16', "
                "30, 'attending', 'provisional', 't', 1), "
                "(2, 'falls_prevention', 'hip', 'B', '1A00A00AA03', '2027-06-20', '2027-12-16', "
                "30, 'attending', 'dropped', 't', 1), "
                "(3, 'falls_prevention', 'hip', 'B', '1A00A00AA02', '2027-01-01', '2027-06-30', "
                "30, 'attending', 'provisional', 't', 1)");
    ck_assert_msg(build(&o, NULL, &l) == 0, "%s", err);
    ck_assert_uint_eq(l.n, 4);
    for (size_t i = 0; i < l.n; i++) ck_assert_str_ne(l.rows[i].person_id, "1A00A00AA01");
    risk_list_free(&l);
    th_exec(db, "DELETE FROM provisional_episodes");
    o.run_id = 1;
    ck_assert_int_eq(build(&o, NULL, &l), -ENOENT);
    ck_assert_msg(strstr(err, "run 1 is not a finished run"), "%s", err);
    o.run_id = 0;
    o.template_id = "knee_arthroplasty";
    ck_assert_int_eq(build(&o, NULL, &l), -ENOENT);
    ck_assert_msg(strstr(err, "knee_arthroplasty has no risk block"), "%s", err);
}
END_TEST

/* A copy of the episodes folder whose falls prevention risk.lua is src. */
static char *hostile_episodes(const char *src)
{
    static char eps[160];
    snprintf(eps, sizeof eps, "%s/episodes", dir);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s'", getenv("CARA_EPISODES"), eps);
    ck_assert_int_eq(th_sh(cmd), 0);
    free(th_write(eps, "falls_prevention/risk.lua", src));
    return eps;
}

START_TEST(hostile_loop)
{
    const char *eps = hostile_episodes("function score(b, c, x) while true do end end\n");
    risk_list_opts o = as_of_july();
    rules_limits lim = {.instructions = 1000000};
    o.lim = &lim;
    risk_list l;
    ck_assert_int_eq(build(&o, eps, &l), -EINVAL);
    ck_assert_msg(strstr(err, "falls_prevention/risk.lua") && strstr(err, "instruction"), "%s", err);
    ck_assert_msg(strstr(err, "scoring 1A00A00AA01 as of 2027-07-01"), "%s", err);
}
END_TEST

START_TEST(hostile_memory)
{
    const char *eps = hostile_episodes(
        "function score(b, c, x)\n  local t = {}\n  for i = 1, 1e9 do t[i] = string.rep('x', 4096) .. i end\nend\n");
    risk_list_opts o = as_of_july();
    rules_limits lim = {.memory = 32u * 1024u * 1024u};
    o.lim = &lim;
    risk_list l;
    ck_assert_int_eq(build(&o, eps, &l), -EINVAL);
    ck_assert_msg(strstr(err, "falls_prevention/risk.lua") && strstr(err, "memory"), "%s", err);
}
END_TEST

START_TEST(bad_results)
{
    const char *eps = hostile_episodes("function score(b, c, x) return {score = 1.5} end\n");
    risk_list_opts o = as_of_july();
    risk_list l;
    ck_assert_int_eq(build(&o, eps, &l), -EINVAL);
    ck_assert_msg(strstr(err, "risk.lua: score() returned a number for field 'score' "
                              "(expected an integer"), "%s", err);
    free(th_write(eps, "falls_prevention/risk.lua",
                  "function score(b, c, x) return {score = 1, reasons = {'a;b'}} end\n"));
    ck_assert_int_eq(build(&o, eps, &l), -EINVAL);
    ck_assert_msg(strstr(err, "as reasons[1]"), "%s", err);
    free(th_write(eps, "falls_prevention/risk.lua",
                  "function score(b, c, x) return setmetatable({}, {__index = error}) end\n"));
    ck_assert_int_eq(build(&o, eps, &l), -EINVAL);
    ck_assert_msg(strstr(err, "metatable"), "%s", err);
}
END_TEST

Suite *suite_risk(void)
{
    Suite *s = suite_create("risk");
    TCase *t = tcase_create("risk");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, ranked_with_reasons);
    tcase_add_test(t, lookback_boundary);
    tcase_add_test(t, filters_and_limit);
    tcase_add_test(t, hostile_loop);
    tcase_add_test(t, hostile_memory);
    tcase_add_test(t, bad_results);
    suite_add_tcase(s, t);
    return s;
}
