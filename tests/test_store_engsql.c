/*
 * tests/test_store_engsql.c: the store modules the engine's run goes through
 * (core/store/ runs_w: a run's results; run_inputs_q: the arrangements, participant
 * TINs and unknown beneficiaries a run reads). A writer stores exactly its explicit
 * columns (NULL where the record says absent) and names the row it could not save; a
 * reader hands rows in its stated order.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "base/base.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

static void exec_ok(const char *sql)
{
    th_exec(db, sql);
}

static void setup(void)
{
    th_tmpdir_store(dir, "cara-engsql", &db);
    exec_ok("INSERT INTO runs (run_id, started_at, status, episodes_dir) VALUES "
            "(7, '2027-01-01T00:00:00Z', 'running', '/e')");
}

static void teardown(void)
{
    th_store_done(dir, &db);
}

/* An episode with a target stores every factor; one without stores NULL for them, and
 * NULL for the arrangement, method and risk it does not have. */
START_TEST(test_episode_rows)
{
    runs_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(runs_w_open(db, 7, &w, err, sizeof err), 0);
    run_episode_rec e = {.episode_id = "E1", .person_id = "P1", .template_id = "falls",
                         .template_version = "1.0.0", .trigger_type = "claim",
                         .trigger_date = "2027-02-01", .end_date = "2027-04-01", .died = 1,
                         .aco_id = "A1", .arrangement_id = "R1", .npi = "N", .tin = "T",
                         .attribution_method = "plurality", .has_target = 1,
                         .base_cents = 100000, .trend_factor = 10200, .trend_years = 2,
                         .age_factor = 9900, .hcc_count = 3, .hcc_factor = 10500,
                         .dual_factor = 10000, .discount_bps = 300, .target_cents = 104321,
                         .actual_winsorized_cents = 90000, .quality_met = 1,
                         .actual_cents = 95000, .status = "final", .has_risk = 1,
                         .risk_score = 12345};
    ck_assert_int_eq(runs_w_episode(w, &e, "E1", err, sizeof err), 0);
    run_episode_rec x = {.episode_id = "E2", .person_id = "P2", .template_id = "falls",
                         .template_version = "1.0.0", .trigger_type = "claim",
                         .trigger_date = "2027-03-01", .end_date = "2027-05-01",
                         .actual_cents = 777, .status = "excluded",
                         .exclusion_reason = "no enrollment",
                         .base_cents = 5 /* not stored: has_target 0 */};
    ck_assert_int_eq(runs_w_episode(w, &x, "E2", err, sizeof err), 0);
    runs_w_close(w);
    ck_assert_str_eq(th_qs(db, "SELECT run_id || '|' || person_id || '|' || died || '|' || "
                               "arrangement_id || '|' || attribution_method || '|' || "
                               "base_cents || '|' || trend_factor || '|' || trend_years || '|' "
                               "|| age_factor || '|' || hcc_count || '|' || hcc_factor || '|' "
                               "|| dual_factor || '|' || discount_bps || '|' || target_cents "
                               "|| '|' || actual_cents || '|' || actual_winsorized_cents || "
                               "'|' || quality_met || '|' || risk_score FROM run_episodes "
                               "WHERE episode_id = 'E1'", buf),
                     "7|P1|1|R1|plurality|100000|10200|2|9900|3|10500|10000|300|104321|95000|"
                     "90000|1|12345");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_episodes WHERE episode_id = 'E2' AND "
                              "aco_id IS NULL AND arrangement_id IS NULL AND npi IS NULL AND "
                              "attribution_method IS NULL AND base_cents IS NULL AND "
                              "target_cents IS NULL AND actual_winsorized_cents IS NULL AND "
                              "quality_met IS NULL AND risk_score IS NULL AND died = 0 AND "
                              "actual_cents = 777 AND exclusion_reason = 'no enrollment'"), 1);
}
END_TEST

/* A refused row names the store, the caller's label and SQLite's reason; the writer
 * goes on afterwards (its statement was reset). */
START_TEST(test_refusal_names_row)
{
    runs_w *w;
    char err[256], want[512];
    ck_assert_int_eq(runs_w_open(db, 7, &w, err, sizeof err), 0);
    run_leak_rec l = {"E1", "A1", "N1", "T1", 3, 4500, "P1"};
    ck_assert_int_eq(runs_w_leak(w, &l, "leak one", err, sizeof err), 0);
    ck_assert_int_eq(runs_w_leak(w, &l, "leak one", err, sizeof err), -EIO);
    snprintf(want, sizeof want, "%s: saving leak one: ", store_path(db));
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "UNIQUE constraint failed"));
    run_episode_rec bad = {.episode_id = "E9", .person_id = "P", .template_id = "t",
                           .template_version = "1", .trigger_type = "claim",
                           .trigger_date = "2027-01-01", .end_date = "2027-01-02",
                           .status = "bogus"};
    ck_assert_int_eq(runs_w_episode(w, &bad, "E9", err, sizeof err), -EIO);
    ck_assert_ptr_nonnull(strstr(err, ": saving E9: CHECK constraint failed"));
    l.npi = "N2";
    ck_assert_int_eq(runs_w_leak(w, &l, "leak two", err, sizeof err), 0);
    runs_w_close(w);
    ck_assert_int_eq(th_q(db, "SELECT sum(paid_cents) FROM run_leakage WHERE run_id = 7"), 9000);
}
END_TEST

/* An arrangement result without gross stores NULL for gross, quality and share; the
 * components keep the first (kind, name); the finish marks the run done with its
 * inputs (1 load, 0 claims) and warnings. */
START_TEST(test_arrangement_components_finish)
{
    runs_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(runs_w_open(db, 7, &w, err, sizeof err), 0);
    run_arrangement_rec a = {.arrangement_id = "R1", .period = 2027, .aco_id = "A1",
                             .npi = "N", .tin = "T", .template_id = "falls",
                             .template_version = "1.0.0", .episodes = 2,
                             .target_cents = 2000, .actual_cents = 1500,
                             .actual_winsorized_cents = 1400, .gross_cents = 99,
                             .payment_cents = 0, .status = "final"};
    ck_assert_msg(runs_w_arrangement(w, &a, "R1", err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_arrangements WHERE gross_cents IS NULL "
                              "AND quality_bps IS NULL AND share_bps IS NULL AND "
                              "cap_applied IS NULL AND payment_cents = 0 AND period = 2027"), 1);
    run_component_rec c = {"plugin", "falls", "1.0.0", "/p/falls.so", "abc", NULL, NULL};
    ck_assert_int_eq(runs_w_component(w, &c, err, sizeof err), 0);
    c.path = "/other";
    ck_assert_int_eq(runs_w_component(w, &c, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(path) FROM run_components", buf),
                     "/p/falls.so");
    exec_ok("INSERT INTO loads (path, kind, sha256, rows, loaded_at) VALUES "
            "('x.csv', 'acos', 'ff', 1, '2027-01-01T00:00:00Z')");
    run_finish_rec f = {"2027-01-02T03:04:05Z", "2027-06-30", 12, 34, 0, "[\"w1\"]", -1, 0, -1, NULL, 0, -1};
    ck_assert_int_eq(runs_w_finish(w, &f, err, sizeof err), 0);
    runs_w_close(w);
    ck_assert_str_eq(th_qs(db, "SELECT status || '|' || finished_at || '|' || as_of_date || "
                               "'|' || beneficiaries || '|' || claim_lines FROM runs", buf),
                     "done|2027-01-02T03:04:05Z|2027-06-30|12|34");
    ck_assert_str_eq(th_qs(db, "SELECT inputs FROM runs", buf),
                     "{\"loads\":1,\"last_load_id\":1,\"claims\":0,\"claim_lines\":0,"
                     "\"eligibility_rows\":0,\"arrangements\":0,\"replay_of\":null,"
                     "\"warnings\":[\"w1\"]}");
}
END_TEST

typedef struct seen {
    char text[512];
    int n;
} seen;

static int see_arr(const run_arrangement_row *r, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%s/%s/%s/%s/%u/%lld;", r->arrangement_id,
             r->track, r->specialty[0] ? r->specialty : "-", r->end == CARA_DATE_NONE ? "open" : "end",
             r->has_terms, (long long)r->terms[RUN_TERM_DISCOUNT]);
    return ++s->n == 99 ? -ENOMEM : 0;
}

static int see_tin(const run_tin_row *r, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%s:%s;", r->tin, r->aco_id);
    s->n++;
    return 0;
}

/* The arrangements in force (not 'offered'), by id, with track and specialty; the TINs
 * by tin. */
START_TEST(test_run_inputs)
{
    char err[256];
    exec_ok("INSERT INTO acos (aco_id, name, track) VALUES ('A1', 'A', 'professional');"
            "INSERT INTO providers (npi, tin, name, specialty_code) VALUES ('N1', 'T1', 'Dr', '20');"
            "INSERT INTO arrangements (arrangement_id, aco_id, npi, tin, template_id, "
            "start_date, end_date, discount_bps, status) VALUES "
            "('R2', 'A1', 'N1', 'T1', 'falls', '2027-01-01', NULL, 250, 'active'),"
            "('R1', 'A1', 'N9', 'T9', 'falls', '2027-01-01', '2027-12-31', NULL, 'ended'),"
            "('R3', 'A1', 'N1', 'T1', 'falls', '2027-01-01', NULL, NULL, 'offered');"
            "INSERT INTO aco_tins (aco_id, tin, start_date) VALUES ('A1', 'T2', '2027-01-01'),"
            "('A1', 'T1', '2027-01-01');");
    seen s = {"", 0};
    ck_assert_int_eq(run_inputs_q_arrangements(db, see_arr, &s, err, sizeof err), 0);
    /* R2's has_terms is bit 0 (discount) only: 1 */
    ck_assert_str_eq(s.text, "R1/professional/-/end/0/0;R2/professional/20/open/1/250;");
    s = (seen){"", 0};
    ck_assert_int_eq(run_inputs_q_tins(db, see_tin, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "T1:A1;T2:A1;");
}
END_TEST

/* start inserts a 'running' row with NULL for the absent period, filter and replay; fail
 * marks it failed with its message; a file goes to contents once however many runs read
 * it. */
START_TEST(test_start_fail_files)
{
    char err[256], buf[256];
    int64_t id = 0;
    ck_assert_int_eq(runs_w_start(db, "2027-02-02T00:00:00Z", 0, NULL, "/eps", 0, &id, err,
                                  sizeof err), 0);
    ck_assert_int_eq(id, 8); /* after run 7 of the fixture */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM runs WHERE run_id = 8 AND status = "
                              "'running' AND period IS NULL AND template_filter IS NULL AND "
                              "replay_of IS NULL AND episodes_dir = '/eps'"), 1);
    ck_assert_int_eq(runs_w_start(db, "2027-02-03T00:00:00Z", 2028, "falls", "/eps", 8, &id,
                                  err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT period || '|' || template_filter || '|' || replay_of "
                               "FROM runs WHERE run_id = 9", buf), "2028|falls|8");
    runs_w_fail(db, 9, "it broke");
    ck_assert_str_eq(th_qs(db, "SELECT status || '|' || message FROM runs WHERE run_id = 9",
                           buf), "failed|it broke");
    const char sha[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    ck_assert_msg(runs_w_file(db, 8, "falls/savings.lua", sha, "hello", 5, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(runs_w_file(db, 9, "falls/savings.lua", sha, "hello", 5, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM contents"), 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_files WHERE relpath = "
                              "'falls/savings.lua'"), 2);
    /* the same relpath twice in one run is refused, naming it */
    ck_assert_int_eq(runs_w_file(db, 9, "falls/savings.lua", sha, "hello", 5, err, sizeof err),
                     -EIO);
    ck_assert_ptr_nonnull(strstr(err, "saving falls/savings.lua: "));
}
END_TEST

/* The as-of date is the latest current claim's end; people count distinct persons with
 * current claims (the sample a run's shards are planned from: tests/test_bene.c). */
START_TEST(test_as_of_and_people)
{
    char err[256];
    int32_t d = 0;
    ck_assert_int_eq(run_inputs_q_as_of(db, &d, err, sizeof err), 0);
    ck_assert_int_eq(d, CARA_DATE_NONE);
    ck_assert_int_eq(run_inputs_q_people(db, err, sizeof err), 0);
    exec_ok("INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, "
            "claim_end_date, status) VALUES "
            "('C1', 'professional', 'P2', '2027-01-01', '2027-03-04', 'current'),"
            "('C2', 'professional', 'P1', '2027-01-01', '2027-02-01', 'current'),"
            "('C3', 'professional', 'P2', '2027-01-01', '2027-01-05', 'current'),"
            "('C4', 'professional', 'P9', '2027-01-01', '2028-01-01', 'replaced')");
    ck_assert_int_eq(run_inputs_q_as_of(db, &d, err, sizeof err), 0);
    ck_assert_int_eq(d, date_from_ymd(2027, 3, 4));
    ck_assert_int_eq(run_inputs_q_people(db, err, sizeof err), 2); /* P1, P2; P9 is not current */
}
END_TEST

/* A callback for run_record_q_files: "relpath=bytes;" (or "relpath!rc;" when the content
 * could not be read). */
static int see_file(const run_file_row *f, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    if (f->bytes)
        snprintf(s->text + k, sizeof s->text - k, "%s=%.*s;", f->relpath, (int)f->len, f->bytes);
    else
        snprintf(s->text + k, sizeof s->text - k, "%s!%d;", f->relpath, f->content_rc);
    return 0;
}

static int see_plugin(const char *name, const char *version, const char *sha, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%s@%s:%s;", name, version, sha);
    return 0;
}

/* A past run's parameters, files (with their bytes, by relpath), latest component hash
 * and plugins; no such run gives 0. */
START_TEST(test_run_record)
{
    char err[256], status[12], *tmpl = (char *)1, sha[65];
    int period = -1;
    ck_assert_int_eq(run_record_q_params(db, 99, status, sizeof status, &period, &tmpl, err,
                                         sizeof err), 0);
    ck_assert_int_eq(run_record_q_params(db, 7, status, sizeof status, &period, &tmpl, err,
                                         sizeof err), 1);
    ck_assert_str_eq(status, "running");
    ck_assert_int_eq(period, 0);
    ck_assert_ptr_null(tmpl);
    const char h[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    ck_assert_int_eq(runs_w_file(db, 7, "z/b.lua", h, "hello", 5, err, sizeof err), 0);
    ck_assert_int_eq(runs_w_file(db, 7, "a/t.json", h, "hello", 5, err, sizeof err), 0);
    seen s = {"", 0};
    ck_assert_int_eq(run_record_q_files(db, 7, see_file, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "a/t.json=hello;z/b.lua=hello;");
    runs_w *w;
    ck_assert_int_eq(runs_w_open(db, 7, &w, err, sizeof err), 0);
    run_component_rec c = {"plugin", "falls", "1.0.0", "/p.so", "aaa", NULL, NULL};
    ck_assert_int_eq(runs_w_component(w, &c, err, sizeof err), 0);
    run_component_rec c2 = {"plugin", "decl", "2.0", "/d.so", "bbb", NULL, NULL};
    ck_assert_int_eq(runs_w_component(w, &c2, err, sizeof err), 0);
    runs_w_close(w);
    int64_t run = 0;
    ck_assert_int_eq(run_record_q_component(db, "plugin", "falls", "1.0.0", 0, &run, sha, err,
                                            sizeof err), 1);
    ck_assert_int_eq(run, 7);
    ck_assert_str_eq(sha, "aaa");
    ck_assert_int_eq(run_record_q_component(db, "plugin", "falls", "1.0.0", 6, &run, sha, err,
                                            sizeof err), 0); /* not in run 6 */
    ck_assert_int_eq(run_record_q_component(db, "plugin", "falls", "9", 0, &run, sha, err,
                                            sizeof err), 0);
    s = (seen){"", 0};
    ck_assert_int_eq(run_record_q_plugins(db, 7, see_plugin, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "decl@2.0:bbb;falls@1.0.0:aaa;");
}
END_TEST

/* Two runs with the same rows compare equal; one more row in b is one only_b; the inputs
 * differ only when more than replay_of and warnings differ. */
START_TEST(test_compare_runs)
{
    char err[256];
    exec_ok("INSERT INTO runs (run_id, started_at, status, episodes_dir, inputs) VALUES "
            "(8, 'x', 'done', '/e', '{\"loads\":1,\"replay_of\":7}');"
            "UPDATE runs SET inputs = '{\"loads\":1}' WHERE run_id = 7;"
            "INSERT INTO run_leakage_rows (run_id, episode_id, npi, tin, lines, paid_cents) VALUES "
            "(7, 'E1', 'N', 'T', 1, 100), (8, 'E1', 'N', 'T', 1, 100), (8, 'E2', 'N', 'T', 2, 5)");
    const char *const tables[] = {"run_episodes", "run_leakage"};
    run_table_cmp t[2];
    int changed = -1;
    ck_assert_msg(run_record_q_compare(db, 7, 8, tables, 2, t, &changed, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(changed, 0);
    ck_assert_int_eq(t[0].rows_a + t[0].rows_b + t[0].only_a + t[0].only_b, 0);
    ck_assert_int_eq(t[1].rows_a, 1);
    ck_assert_int_eq(t[1].rows_b, 2);
    ck_assert_int_eq(t[1].only_a, 0);
    ck_assert_int_eq(t[1].only_b, 1);
    exec_ok("UPDATE runs SET inputs = '{\"loads\":2}' WHERE run_id = 8");
    ck_assert_msg(run_record_q_compare(db, 7, 8, tables, 2, t, &changed, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(changed, 1);
}
END_TEST

static int see_source(const template_source_row *r, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%s%lld@%s/%s/%s;", r->is_run ? "run" : "snap",
             (long long)r->id, r->at, r->version, r->folder);
    return 0;
}

static int see_name(const char *name, const char *sha, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%s:%.3s;", name, sha);
    return 0;
}

/* A template's sources are the runs whose component has a folder in its relpath, latest
 * first; a source's files are those directly in the folder, by name. */
START_TEST(test_template_history)
{
    char err[256];
    const char h[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    exec_ok("INSERT INTO runs (run_id, started_at, status, episodes_dir) VALUES "
            "(8, '2027-03-01T00:00:00Z', 'done', '/e')");
    runs_w *w;
    for (int64_t r = 7; r <= 8; r++) {
        /* the files first: a component's content is a stored one */
        ck_assert_int_eq(runs_w_file(db, r, "falls/template.json", h, "hello", 5, err,
                                     sizeof err), 0);
        ck_assert_int_eq(runs_w_file(db, r, "falls/sub/x.lua", h, "hello", 5, err,
                                     sizeof err), 0);
        ck_assert_int_eq(runs_w_file(db, r, "falls/attribution.lua", h, "hello", 5, err,
                                     sizeof err), 0);
        ck_assert_int_eq(runs_w_open(db, r, &w, err, sizeof err), 0);
        run_component_rec c = {"template", "falls", r == 7 ? "1.0.0" : "1.1.0", "/e/t.json",
                               h, h, "falls/template.json"};
        ck_assert_msg(runs_w_component(w, &c, err, sizeof err) == 0, "%s", err);
        run_component_rec p = {"plugin", "falls", "1.0.0", "/p.so", "abc", NULL, NULL};
        ck_assert_int_eq(runs_w_component(w, &p, err, sizeof err), 0);
        runs_w_close(w);
    }
    seen s = {"", 0};
    ck_assert_int_eq(template_hist_q_sources(db, "falls", see_source, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "run8@2027-03-01T00:00:00Z/1.1.0/falls;"
                             "run7@2027-01-01T00:00:00Z/1.0.0/falls;");
    s = (seen){"", 0};
    ck_assert_int_eq(template_hist_q_files(db, 1, 7, "falls", see_name, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "attribution.lua:2cf;template.json:2cf;");
    char *bytes = NULL;
    size_t len = 0;
    ck_assert_int_eq(template_hist_q_content(db, h, &bytes, &len, err, sizeof err), 0);
    ck_assert_int_eq(len, 5);
    ck_assert_str_eq(bytes, "hello");
    free(bytes);
}
END_TEST

/* The participation lookups: a value, NULL for no row (and for a NULL value), the
 * overlap text with its " on TEMPLATE" and "*" marks, and an entity's JSON. */
START_TEST(test_orgs_lookups)
{
    char err[256], *v = (char *)1;
    ck_assert_int_eq(orgs_q_aco_track(db, "A1", &v, err, sizeof err), 0);
    ck_assert_ptr_null(v);
    exec_ok("INSERT INTO acos (aco_id, name, track) VALUES ('A1', 'Alpha', 'global');"
            "INSERT INTO providers (npi, tin, name) VALUES ('N1', 'T1', 'Dr One');"
            "INSERT INTO aco_tins (aco_id, tin, start_date) VALUES ('A1', 'T1', '2027-01-01');"
            "INSERT INTO arrangements (arrangement_id, aco_id, npi, tin, template_id, "
            "start_date, end_date, status) VALUES "
            "('R1', 'A1', 'N1', 'T1', 'falls_a1', '2027-01-01', NULL, 'active')");
    ck_assert_int_eq(orgs_q_aco_track(db, "A1", &v, err, sizeof err), 0);
    ck_assert_str_eq(v, "global");
    free(v);
    ck_assert_int_eq(orgs_q_aco_years(db, "A1", &v, err, sizeof err), 0);
    ck_assert_str_eq(v, "2027,2036"); /* the column defaults */
    free(v);
    ck_assert_int_eq(orgs_q_ebra_end(db, "R1", &v, err, sizeof err), 0);
    ck_assert_ptr_null(v); /* NULL end_date */
    ck_assert_int_eq(orgs_q_tin_open_start(db, "A1", "T1", &v, err, sizeof err), 0);
    ck_assert_str_eq(v, "2027-01-01");
    free(v);
    ck_assert_int_eq(orgs_q_tin_clash(db, "T1", "2026-01-01", "2026-12-31", &v, err,
                                      sizeof err), 0);
    ck_assert_ptr_null(v); /* before the participation */
    ck_assert_int_eq(orgs_q_tin_clash(db, "T1", "2027-06-01", NULL, &v, err, sizeof err), 0);
    ck_assert_str_eq(v, "A1 from 2027-01-01");
    free(v);
    ck_assert_int_eq(orgs_q_ebra_overlap(db, "N1", "[\"falls\",\"falls_a1\"]", "R9",
                                         "2027-03-01", NULL, "B2", "falls", &v, err,
                                         sizeof err), 0);
    ck_assert_str_eq(v, "R1 with ACO A1 (2027-01-01 to open, active) on falls_a1*");
    free(v);
    ck_assert_int_eq(orgs_q_ebra_overlap(db, "N1", "[\"falls_a1\"]", "R1", "2027-03-01", NULL,
                                         "A1", "falls_a1", &v, err, sizeof err), 0);
    ck_assert_ptr_null(v); /* itself is no overlap */
    ck_assert_int_eq(orgs_q_provider_json(db, "N1", "T1", &v, err, sizeof err), 0);
    ck_assert_str_eq(v, "{\"npi\":\"N1\",\"tin\":\"T1\",\"name\":\"Dr One\",\"specialty_code\":\"\"}");
    free(v);
    exec_ok("DELETE FROM settings WHERE key = 'eligible_tracks';"
            "INSERT INTO settings (key, value) VALUES ('eligible_tracks', 'global,professional')");
    ck_assert_int_eq(orgs_q_setting(db, "eligible_tracks", &v, err, sizeof err), 0);
    ck_assert_str_eq(v, "global,professional");
    free(v);
}
END_TEST

/* A stored episode comes back with "" for its NULL text and has_price 0 for its NULL
 * factors; another id is 0. */
START_TEST(test_stored_episode)
{
    char err[256];
    runs_w *w;
    ck_assert_int_eq(runs_w_open(db, 7, &w, err, sizeof err), 0);
    run_episode_rec e = {.episode_id = "E1", .person_id = "P1", .template_id = "falls",
                         .template_version = "1.0.0", .trigger_type = "claim",
                         .trigger_date = "2027-02-01", .end_date = "2027-04-01",
                         .aco_id = "A1", .has_target = 1, .base_cents = 100, .hcc_count = 2,
                         .target_cents = 90, .quality_met = 1, .actual_cents = 5,
                         .status = "final"};
    ck_assert_int_eq(runs_w_episode(w, &e, "E1", err, sizeof err), 0);
    runs_w_close(w);
    run_stored_episode r;
    ck_assert_int_eq(run_record_q_episode(db, 7, "E2", &r, err, sizeof err), 0);
    ck_assert_int_eq(run_record_q_episode(db, 7, "E1", &r, err, sizeof err), 1);
    ck_assert_str_eq(r.person_id, "P1");
    ck_assert_str_eq(r.aco_id, "A1");
    ck_assert_str_eq(r.npi, "");
    ck_assert_str_eq(r.exclusion_reason, "");
    ck_assert_int_eq(r.trigger_date, date_from_ymd(2027, 2, 1));
    /* hcc_count, base_cents, ..., target_cents, quality_met */
    ck_assert_int_eq(r.has_price[0] && r.price[0] == 2, 1);
    ck_assert_int_eq(r.has_price[1] && r.price[1] == 100, 1);
    ck_assert_int_eq(r.has_price[8] && r.price[8] == 90, 1);
    ck_assert_int_eq(r.has_price[9] && r.price[9] == 1, 1);
}
END_TEST

/* store_busy_timeout sets the connection's busy timeout (what PRAGMA busy_timeout reads). */
START_TEST(test_busy_timeout)
{
    store_busy_timeout(db, 1234);
    ck_assert_int_eq(th_q(db, "PRAGMA busy_timeout"), 1234);
}
END_TEST

Suite *suite_store_engsql(void)
{
    Suite *s = suite_create("store_engsql");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_episode_rows);
    tcase_add_test(tc, test_refusal_names_row);
    tcase_add_test(tc, test_arrangement_components_finish);
    tcase_add_test(tc, test_run_inputs);
    tcase_add_test(tc, test_start_fail_files);
    tcase_add_test(tc, test_as_of_and_people);
    tcase_add_test(tc, test_run_record);
    tcase_add_test(tc, test_compare_runs);
    tcase_add_test(tc, test_template_history);
    tcase_add_test(tc, test_orgs_lookups);
    tcase_add_test(tc, test_stored_episode);
    tcase_add_test(tc, test_busy_timeout);
    suite_add_tcase(s, tc);
    return s;
}
