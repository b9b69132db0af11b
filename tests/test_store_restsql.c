/*
 * tests/test_store_restsql.c: the store functions that took the SQL of the loaders, the
 * service and the CLI (issue 15 item 3, round 2): orgs_q, particip_q, people_q, the
 * connection settings of store_conn, content_put/content_get and run_lease_reap on a
 * store *. Fixtures are written by hand so that each expected answer can be read off
 * them.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

/* A1 global 2027-2036, A2 professional 2028-2030; provider 1234567893/111111111;
 * E1: that provider with A1 for falls, 2027-01-01..2027-06-30; TIN 222222222 with A1
 * from 2027-03-01 (open); alignment: P1 to A1 in 2027 from a file, P2 to A2 from
 * CCLF8 in 2028. */
static const char *FIXTURE =
    "INSERT INTO acos (aco_id, name, track) VALUES ('A1', 'Alpha', 'global');"
    "INSERT INTO acos (aco_id, name, track, first_year, last_year) VALUES "
    " ('A2', 'Beta', 'professional', 2028, 2030);"
    "INSERT INTO providers (npi, tin, name) VALUES ('1234567893', '111111111', 'Dr A');"
    "INSERT INTO arrangements (arrangement_id, aco_id, npi, tin, template_id, start_date, "
    " end_date) VALUES ('E1', 'A1', '1234567893', '111111111', 'falls', '2027-01-01', "
    " '2027-06-30');"
    "INSERT INTO aco_tins (aco_id, tin, start_date) VALUES ('A1', '222222222', '2027-03-01');"
    "INSERT INTO alignment (person_id, aco_id, start_date, end_date, source) VALUES "
    " ('P1', 'A1', '2027-01-01', '2027-12-31', 'file'),"
    " ('P2', 'A2', '2028-01-01', '2028-12-31', 'cclf8');";

static void setup(void)
{
    th_tmpdir_store(dir, "cara-restsql", &db);
    char err[256];
    ck_assert_msg(store_exec(db, FIXTURE, err, sizeof err) == 0, "%s", err);
}

static void teardown(void)
{
    store_close(db);
    th_rmdir(dir);
}

/* orgs_q_aco_known: A1 is there, A9 is not; the store holds 2 ACOs either way. */
START_TEST(test_orgs_q_aco_known)
{
    char err[256];
    int found = -1, total = -1;
    ck_assert_int_eq(orgs_q_aco_known(db, "A1", &found, &total, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(total, 2);
    ck_assert_int_eq(orgs_q_aco_known(db, "A9", &found, NULL, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    /* a failure names the store: drop the table, the read fails with its path */
    ck_assert_int_eq(store_exec(db, "PRAGMA foreign_keys = OFF; DROP TABLE alignment; "
                                    "DROP TABLE arrangements; DROP TABLE aco_tins; "
                                    "DROP TABLE acos;", err, sizeof err), 0);
    ck_assert_int_eq(orgs_q_aco_known(db, "A1", &found, &total, err, sizeof err), -EIO);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(total, 0);
    ck_assert_msg(strncmp(err, store_path(db), strlen(store_path(db))) == 0 &&
                      strstr(err, "no such table: acos"), "%s", err);
}
END_TEST

/* particip_q: each read against the fixture, by hand. */
START_TEST(test_particip_q)
{
    char err[256];
    particip_q *q;
    ck_assert_int_eq(particip_q_open(db, &q, err, sizeof err), 0);
    int found = -1;
    ck_assert_int_eq(particip_q_aco(q, "A2", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(particip_q_aco(q, "A3", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);

    particip_aco a;
    ck_assert_int_eq(particip_q_aco_terms(q, "A2", &found, &a, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(a.track, "professional");
    ck_assert_str_eq(a.eligible, "global"); /* migration's setting */
    ck_assert_int_eq(a.first_year, 2028);
    ck_assert_int_eq(a.last_year, 2030);
    ck_assert_int_eq(store_exec(db, "UPDATE settings SET value = 'global,professional' WHERE "
                                    "key = 'eligible_tracks'", err, sizeof err), 0);
    ck_assert_int_eq(particip_q_aco_terms(q, "A1", &found, &a, err, sizeof err), 0);
    ck_assert_str_eq(a.track, "global");
    ck_assert_str_eq(a.eligible, "global,professional");
    ck_assert_int_eq(a.first_year, 2027); /* column defaults */
    ck_assert_int_eq(a.last_year, 2036);
    ck_assert_int_eq(particip_q_aco_terms(q, "A3", &found, &a, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);

    ck_assert_int_eq(particip_q_provider(q, "1234567893", "111111111", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(particip_q_provider(q, "1234567893", "999999999", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);

    /* E1 runs 2027-01-01..06-30: E2 from 06-30 overlaps (one day), from 07-01 does not;
     * E1 itself and another template never clash */
    particip_ebra x;
    ck_assert_int_eq(particip_q_ebra_overlap(q, "1234567893", "falls", "E2", "2027-06-30", NULL,
                                             &found, &x, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(x.arrangement_id, "E1");
    ck_assert_str_eq(x.aco_id, "A1");
    ck_assert_str_eq(x.start_date, "2027-01-01");
    ck_assert_str_eq(x.end_date, "2027-06-30");
    ck_assert_int_eq(particip_q_ebra_overlap(q, "1234567893", "falls", "E2", "2027-07-01", NULL,
                                             &found, &x, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(particip_q_ebra_overlap(q, "1234567893", "falls", "E1", "2027-01-01",
                                             "2027-02-01", &found, &x, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(particip_q_ebra_overlap(q, "1234567893", "copd", "E2", "2027-01-01",
                                             NULL, &found, &x, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    /* an end before E1's start: 2026-12-31 < 2027-01-01, no overlap */
    ck_assert_int_eq(particip_q_ebra_overlap(q, "1234567893", "falls", "E2", "2026-01-01",
                                             "2026-12-31", &found, &x, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    /* an open end of E1 reads "open" */
    ck_assert_int_eq(store_exec(db, "UPDATE arrangements SET end_date = NULL", err, sizeof err), 0);
    ck_assert_int_eq(particip_q_ebra_overlap(q, "1234567893", "falls", "E2", "2030-01-01", NULL,
                                             &found, &x, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(x.end_date, "open");

    /* TIN 222222222 is A1's from 2027-03-01 (open): A2 clashes from any later date; an
     * A2 spell ending 2027-02-28 does not; A1 itself does not */
    const char *other = "x";
    ck_assert_int_eq(particip_q_tin_overlap(q, "222222222", "A2", "2029-01-01", NULL, &other,
                                            err, sizeof err), 0);
    ck_assert_ptr_nonnull(other);
    ck_assert_str_eq(other, "A1");
    ck_assert_int_eq(particip_q_tin_overlap(q, "222222222", "A2", "2027-01-01", "2027-02-28",
                                            &other, err, sizeof err), 0);
    ck_assert_ptr_null(other);
    ck_assert_int_eq(particip_q_tin_overlap(q, "222222222", "A1", "2027-04-01", NULL, &other,
                                            err, sizeof err), 0);
    ck_assert_ptr_null(other);
    particip_q_close(q);
    particip_q_close(NULL);
}
END_TEST

/* particip_q_open on a store without the tables fails with SQLite's message alone. */
START_TEST(test_particip_q_refused)
{
    char err[256];
    ck_assert_int_eq(store_exec(db, "PRAGMA foreign_keys = OFF; DROP TABLE aco_tins;", err,
                                sizeof err), 0);
    particip_q *q = (particip_q *)1;
    ck_assert_int_eq(particip_q_open(db, &q, err, sizeof err), -EIO);
    ck_assert_ptr_null(q);
    ck_assert_str_eq(err, "no such table: aco_tins");
}
END_TEST

/* people_q: P1's 2027 file alignment covers 2027 (file_aligned and aligned); 2028 has
 * only CCLF8's P2, which aligned() sees and file_aligned() does not. */
START_TEST(test_people_q)
{
    char err[256];
    int found = -1;
    ck_assert_int_eq(people_q_file_aligned(db, "2027-01-01", "2027-12-31", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(people_q_file_aligned(db, "2028-01-01", "2028-12-31", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    people_q *q;
    ck_assert_int_eq(people_q_open(db, &q, err, sizeof err), 0);
    ck_assert_int_eq(people_q_aligned(q, "P1", "2027-01-01", "2027-12-31", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(people_q_aligned(q, "P1", "2028-01-01", "2028-12-31", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(people_q_aligned(q, "P2", "2028-01-01", "2028-12-31", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(people_q_aligned(q, "P3", "2027-01-01", "2027-12-31", &found, err, sizeof err), 0);
    ck_assert_int_eq(found, 0);
    people_q_close(q);
}
END_TEST

/* The connection settings: a transaction is seen open until it ends; a deadline in the
 * past interrupts a statement that runs long enough to be checked (a 1,000,000-row
 * recursive count is far more than 100000 steps), NULL lifts it; the store is
 * writable. */
START_TEST(test_conn_settings)
{
    char err[256];
    ck_assert_int_eq(store_in_transaction(db), 0);
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(store_in_transaction(db), 1);
    store_rollback(db);
    ck_assert_int_eq(store_in_transaction(db), 0);
    ck_assert_int_eq(store_is_readonly(db), 0);
    store_busy_timeout(db, 10);

    static const char *LONG = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                              "WHERE n < 1000000) SELECT count(*) FROM c";
    struct timespec past;
    clock_gettime(CLOCK_MONOTONIC, &past);
    past.tv_sec -= 1;
    store_set_deadline(db, &past);
    ck_assert_int_eq(store_exec(db, LONG, err, sizeof err), -EIO);
    ck_assert_msg(strstr(err, "interrupted"), "%s", err);
    ck_assert_str_eq(store_errmsg(db), "interrupted");
    store_set_deadline(db, NULL);
    ck_assert_int_eq(store_exec(db, LONG, err, sizeof err), 0);
}
END_TEST

/* content_put / content_get on a store: put twice (stored once), get back byte for byte;
 * an unknown hash is -ENOENT naming it. */
START_TEST(test_contents_store)
{
    char err[256], hex[65];
    const char *text = "hello\n";
    sha256_hex(text, 6, hex);
    ck_assert_int_eq(content_put(db, hex, text, 6, err, sizeof err), 0);
    ck_assert_int_eq(content_put(db, hex, text, 6, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM contents"), 1);
    char *bytes = NULL;
    size_t len = 0;
    ck_assert_int_eq(content_get(db, hex, &bytes, &len, err, sizeof err), 0);
    ck_assert_uint_eq(len, 6);
    ck_assert_str_eq(bytes, "hello\n");
    free(bytes);
    char other[65];
    memset(other, 'a', 64);
    other[64] = '\0';
    ck_assert_int_eq(content_get(db, other, &bytes, &len, err, sizeof err), -ENOENT);
    ck_assert_ptr_null(bytes);
    ck_assert_msg(strstr(err, other), "%s", err);
}
END_TEST

/* run_lease_reap on a store: nothing running, nothing reaped. */
START_TEST(test_reap_store)
{
    char err[256];
    int n = -1;
    ck_assert_int_eq(run_lease_reap(db, "test", &n, err, sizeof err), 0);
    ck_assert_int_eq(n, 0);
}
END_TEST

Suite *suite_store_restsql(void)
{
    Suite *s = suite_create("store_restsql");
    TCase *tc = tcase_create("restsql");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_orgs_q_aco_known);
    tcase_add_test(tc, test_particip_q);
    tcase_add_test(tc, test_particip_q_refused);
    tcase_add_test(tc, test_people_q);
    tcase_add_test(tc, test_conn_settings);
    tcase_add_test(tc, test_contents_store);
    tcase_add_test(tc, test_reap_store);
    suite_add_tcase(s, tc);
    return s;
}
