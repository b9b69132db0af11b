/*
 * tests/test_changes.c: the change clock and the beneficiary stamps (store/changes_q.h:
 * the claims writer's, migration 21's triggers on eligibility and alignment), the list
 * an incremental run reads, and the base it may build on.
 *
 * The stamps are worked by hand: the clock starts at 1; each tick returns the value
 * before it; every write stamps the beneficiary with the clock's value at that moment.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-changes", &db);
    th_exec(db, "INSERT INTO loads (load_id, path, kind, sha256, rows, loaded_at) VALUES (1, "
                "'claims.csv', 'medical_claim', 'x', 0, 't')");
}
static void teardown(void) { th_store_done(dir, &db); }

static long long seq_of(const char *person)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT coalesce((SELECT seq FROM person_changes WHERE person_id "
             "= '%s'), 0)", person);
    return th_q(db, sql);
}

static int64_t tick(void)
{
    char err[256];
    int64_t was = -1;
    ck_assert_int_eq(changes_q_tick(db, &was, err, sizeof err), 0);
    return was;
}

/* A claim written through the claims writer (the one path claims are written by: its
 * calls stamp), autocommitted like a single statement. */
static void claim(const char *id, const char *person, const char *status)
{
    char err[256];
    claims_w *w;
    ck_assert_int_eq(claims_w_open(db, &w, err, sizeof err), 0);
    claim_rec r = {.claim_id = id, .claim_type = "professional", .person_id = person,
                   .claim_start_date = "2027-03-01", .claim_end_date = "2027-03-01",
                   .status = status, .load_id = 1};
    ck_assert_msg(claims_w_insert(w, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(claims_w_flush(w, err, sizeof err) == 0, "%s", err); /* written (and stamped) now */
    claims_w_close(w);
}

/* Writes stamp with the clock's value; a tick moves it; only a change stamps. */
START_TEST(test_stamps)
{
    ck_assert_int_eq(tick(), 1); /* the clock starts at 1: a run records 1, clock now 2 */
    claim("C1", "P1", "current");
    ck_assert_int_eq(seq_of("P1"), 2);
    ck_assert_int_eq(tick(), 2); /* clock 3 */
    /* an eligibility span: inserted (stamp 3), upserted with the same values (no stamp),
     * its state changed (a column no run reads: no stamp), its death date set (stamp) */
    th_exec(db, "INSERT INTO eligibility (person_id, enrollment_start_date, gender, birth_date) "
                "VALUES ('P2', '2027-01-01', 'female', '1950-01-01')");
    ck_assert_int_eq(seq_of("P2"), 3);
    ck_assert_int_eq(tick(), 3); /* clock 4 */
    th_exec(db, "INSERT INTO eligibility (person_id, enrollment_start_date, gender, birth_date) "
                "VALUES ('P2', '2027-01-01', 'female', '1950-01-01') ON CONFLICT (person_id, "
                "enrollment_start_date) DO UPDATE SET gender = excluded.gender, birth_date = "
                "excluded.birth_date");
    th_exec(db, "UPDATE eligibility SET state = 'NY', zip_code = '10001' WHERE person_id = 'P2'");
    ck_assert_int_eq(seq_of("P2"), 3);
    th_exec(db, "UPDATE eligibility SET death_date = '2027-05-01' WHERE person_id = 'P2'");
    ck_assert_int_eq(seq_of("P2"), 4);
    /* alignment: insert, then a source-only change (not read by a run) */
    th_exec(db, "INSERT INTO acos (aco_id, name, track) VALUES ('A1', 'A1', 'global')");
    th_exec(db, "INSERT INTO alignment (person_id, aco_id, start_date) VALUES ('P3', 'A1', "
                "'2027-01-01')");
    ck_assert_int_eq(seq_of("P3"), 4);
    ck_assert_int_eq(tick(), 4); /* clock 5 */
    th_exec(db, "UPDATE alignment SET source = 'cclf8' WHERE person_id = 'P3'");
    ck_assert_int_eq(seq_of("P3"), 4);
    th_exec(db, "UPDATE alignment SET end_date = '2027-06-30' WHERE person_id = 'P3'");
    ck_assert_int_eq(seq_of("P3"), 5);
    /* a claim moved to another beneficiary (an MBI rekey) stamps both; a delete and a
     * status change stamp the claim's beneficiary; within one transaction the writer
     * stamps each beneficiary once */
    claim("C2", "P4", "current");
    ck_assert_int_eq(tick(), 5); /* clock 6 */
    char err[256];
    claims_w *w;
    ck_assert_int_eq(claims_w_open(db, &w, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_rekey(w, "P4", "P5", err, sizeof err), 0);
    ck_assert_int_eq(seq_of("P4"), 6);
    ck_assert_int_eq(seq_of("P5"), 6);
    ck_assert_int_eq(tick(), 6); /* clock 7 */
    ck_assert_int_eq(claims_w_delete(w, "C1", err, sizeof err), 0);
    ck_assert_int_eq(seq_of("P1"), 7);
    ck_assert_int_eq(claims_w_delete(w, "C404", err, sizeof err), 0); /* nothing to stamp */
    ck_assert_int_eq(tick(), 7); /* clock 8 */
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C2", "cancelled", NULL, err, sizeof err), 0);
    ck_assert_int_eq(seq_of("P5"), 8);
    ck_assert_int_eq(store_commit(db, err, sizeof err), 0);
    ck_assert_int_eq(tick(), 8); /* clock 9: a new transaction stamps P5 again */
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_paid_date(w, "C2", "2027-04-01", err, sizeof err), 0);
    ck_assert_int_eq(seq_of("P5"), 9);
    ck_assert_int_eq(store_commit(db, err, sizeof err), 0);
    claims_w_close(w);
    ck_assert_int_eq(seq_of("P9"), 0); /* never written */
}
END_TEST

typedef struct seen {
    char text[256];
} seen;

static int see(const char *person, int has_claims, void *ud)
{
    seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%s:%d;", person, has_claims);
    return 0;
}

/* The list an incremental run reads: stamped after since, in person order, each with
 * whether it has current claims now. */
START_TEST(test_changed_list)
{
    char err[256];
    ck_assert_int_eq(tick(), 1);
    claim("C1", "P2", "current");
    claim("C2", "P1", "cancelled");
    ck_assert_int_eq(tick(), 2);
    claim("C3", "P3", "current");
    seen s = {""};
    ck_assert_int_eq(changes_q_changed(db, 1, see, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "P1:0;P2:1;P3:1;"); /* P1's only claim is not current */
    s = (seen){""};
    ck_assert_int_eq(changes_q_changed(db, 2, see, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.text, "P3:1;");
}
END_TEST

/* The base: the latest done, final run with a change clock and the same options. */
START_TEST(test_base)
{
    char err[256];
    th_exec(db, "INSERT INTO runs (run_id, started_at, status, episodes_dir, change_seq, basis) "
                "VALUES (1, 't', 'done', 'e', 1, 'b'), (2, 't', 'done', 'e', NULL, NULL),"
                "(3, 't', 'failed', 'e', 2, 'b'), (4, 't', 'done', 'e', 3, 'b')");
    th_exec(db, "INSERT INTO runs (run_id, started_at, status, episodes_dir, change_seq, basis, "
                "paid_through_date) VALUES (5, 't', 'done', 'e', 4, 'b', '2027-06-30')");
    th_exec(db, "INSERT INTO runs (run_id, started_at, status, episodes_dir, change_seq, basis, "
                "period) VALUES (6, 't', 'done', 'e', 5, 'b', 2027)");
    int64_t id = 0;
    ck_assert_int_eq(changes_q_latest(db, 0, NULL, &id, err, sizeof err), 1);
    ck_assert_int_eq(id, 4); /* 5 is interim, 6 another period, 3 failed */
    ck_assert_int_eq(changes_q_latest(db, 2027, NULL, &id, err, sizeof err), 1);
    ck_assert_int_eq(id, 6);
    ck_assert_int_eq(changes_q_latest(db, 0, "falls_prevention", &id, err, sizeof err), 0);
    changes_run r;
    ck_assert_int_eq(changes_q_run(db, 2, &r, err, sizeof err), 1);
    ck_assert_int_eq(r.has_seq, 0); /* made before migration 21 */
    changes_q_run_free(&r);
    ck_assert_int_eq(changes_q_run(db, 5, &r, err, sizeof err), 1);
    ck_assert(r.interim && r.has_seq && r.change_seq == 4 && !strcmp(r.basis, "b"));
    changes_q_run_free(&r);
    ck_assert_int_eq(changes_q_run(db, 99, &r, err, sizeof err), 0);
}
END_TEST

/* The run row views (migration 22), worked by hand. Run 1 stores every row: P1 (E1,
 * leakage on E1), P2 (E2), P3 (no episode). Run 2 shares run 1's rows and stores P2's
 * itself: P2 now has E2 with actual 900 (was 500) and E3; P3 is stored with no row at
 * all (changed, no claims left), so run 2 has P1 from run 1, P2 from itself, no P3. */
START_TEST(test_views)
{
    th_exec(db, "INSERT INTO runs (run_id, started_at, status, episodes_dir) VALUES "
                "(1, 't', 'done', 'e'), (2, 't', 'done', 'e')");
    th_exec(db, "UPDATE runs SET rows_base_run_id = 1 WHERE run_id = 2");
    th_exec(db, "INSERT INTO run_sources (run_id, src_run_id) VALUES (2, 1)");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_sources"), 3); /* 1-1, 2-2 by trigger */
#define EP(run, ep, person, actual)                                                        \
    "INSERT INTO run_episode_rows (run_id, episode_id, person_id, template_id, "            \
    "template_version, trigger_type, trigger_date, end_date, actual_cents, status) VALUES (" \
    run ", '" ep "', '" person "', 'falls_prevention', '1', 'fall', '2027-01-01', "         \
    "'2027-03-31', " actual ", 'final')"
    th_exec(db, EP("1", "E1", "P1", "100"));
    th_exec(db, EP("1", "E2", "P2", "500"));
    th_exec(db, EP("2", "E2", "P2", "900"));
    th_exec(db, EP("2", "E3", "P2", "40"));
#undef EP
    th_exec(db, "INSERT INTO run_leakage_rows (run_id, episode_id, npi, tin, lines, paid_cents, "
                "person_id) VALUES (1, 'E1', 'N', 'T', 2, 70, 'P1'), (1, 'E2', 'N', 'T', 1, 5, "
                "'P2')");
    th_exec(db, "INSERT INTO run_people_rows (run_id, person_id, claim_lines, no_eligibility) "
                "VALUES (1, 'P1', 10, 0), (1, 'P2', 20, 0), (1, 'P3', 30, 1), (2, 'P2', 25, 0)");
    th_exec(db, "INSERT INTO run_own_people (run_id, person_id) VALUES (2, 'P2'), (2, 'P3')");
    /* run 1: its own rows; run 2: E1 (run 1's, P1) + E2 at 900 and E3 (its own) */
    ck_assert_int_eq(th_q(db, "SELECT sum(actual_cents) FROM run_episodes WHERE run_id = 1"), 600);
    ck_assert_int_eq(th_q(db, "SELECT sum(actual_cents) FROM run_episodes WHERE run_id = 2"),
                     100 + 900 + 40);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_episodes WHERE run_id = 2 AND "
                              "episode_id = 'E2'"), 1);
    /* leakage: run 2 keeps P1's (70), not P2's old row (5): P2 stores its own, none */
    ck_assert_int_eq(th_q(db, "SELECT sum(paid_cents) FROM run_leakage WHERE run_id = 1"), 75);
    ck_assert_int_eq(th_q(db, "SELECT sum(paid_cents) FROM run_leakage WHERE run_id = 2"), 70);
    /* people: run 2 = P1 (10, run 1's) + P2 (25, its own); P3 is gone */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_people WHERE run_id = 2"), 2);
    ck_assert_int_eq(th_q(db, "SELECT sum(claim_lines) FROM run_people WHERE run_id = 2"), 35);
    /* a join of two views (the arrangement report's) resolves each side the same way */
    ck_assert_int_eq(th_q(db, "SELECT sum(l.paid_cents) FROM run_episodes e JOIN run_leakage l "
                              "ON l.run_id = e.run_id AND l.episode_id = e.episode_id WHERE "
                              "e.run_id = 2"), 70);
}
END_TEST

/* Migration 22 on a store of version 21 with a run in it: the rows move behind the
 * views unchanged, leakage rows learn their episode's beneficiary, the run is its own
 * source. */
START_TEST(test_migration_22)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/old.db", dir);
    store *old;
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 21, &old, err, sizeof err), 0);
    th_exec(old, "INSERT INTO runs (run_id, started_at, status, episodes_dir) VALUES "
                 "(1, 't', 'done', 'e')");
    th_exec(old, "INSERT INTO run_episodes (run_id, episode_id, person_id, template_id, "
                 "template_version, trigger_type, trigger_date, end_date, actual_cents, status) "
                 "VALUES (1, 'E1', 'P1', 'falls_prevention', '1', 'fall', '2027-01-01', "
                 "'2027-03-31', 123, 'final')");
    th_exec(old, "INSERT INTO run_leakage (run_id, episode_id, npi, tin, lines, paid_cents) "
                 "VALUES (1, 'E1', 'N', 'T', 1, 9), (1, 'E9', 'N', 'T', 1, 1)");
    th_exec(old, "INSERT INTO run_people (run_id, person_id, claim_lines, no_eligibility) "
                 "VALUES (1, 'P1', 4, 0)");
    store_close(old);
    store *s;
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(th_q(s, "PRAGMA user_version"), store_schema_latest());
    ck_assert_int_eq(th_q(s, "SELECT count(*) FROM run_sources WHERE run_id = 1 AND "
                             "src_run_id = 1"), 1);
    ck_assert_int_eq(th_q(s, "SELECT actual_cents FROM run_episodes WHERE run_id = 1"), 123);
    ck_assert_int_eq(th_q(s, "SELECT count(*) FROM run_leakage WHERE run_id = 1 AND "
                             "person_id = 'P1'"), 1);
    /* a leakage row without its episode keeps a NULL beneficiary, and stays visible */
    ck_assert_int_eq(th_q(s, "SELECT count(*) FROM run_leakage WHERE run_id = 1"), 2);
    ck_assert_int_eq(th_q(s, "SELECT claim_lines FROM run_people WHERE run_id = 1"), 4);
    store_close(s);
}
END_TEST

Suite *suite_changes(void)
{
    Suite *s = suite_create("changes");
    TCase *tc = tcase_create("clock");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_stamps);
    tcase_add_test(tc, test_changed_list);
    tcase_add_test(tc, test_base);
    tcase_add_test(tc, test_views);
    tcase_add_test(tc, test_migration_22);
    suite_add_tcase(s, tc);
    return s;
}
