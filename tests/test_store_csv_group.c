/*
 * tests/test_store_csv_group.c: the CSV loader's staging in the store (core/store/
 * csv_group: claims not in claim order, grouped by claim key and read back in (grp, seq)
 * order, a batch at a time) and the store's savepoints (store_savepoint, store_release,
 * store_rollback_to: the per-claim savepoints of `cara load --skip-bad`).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

static void exec_ok(const char *sql)
{
    char err[256];
    ck_assert_msg(store_exec(db, sql, err, sizeof err) == 0, "%s: %s", sql, err);
}

static void setup(void)
{
    th_tmpdir_store(dir, "cara-csvgroup", &db);
}

static void teardown(void)
{
    store_close(db);
    th_rmdir(dir);
}

/* Groups are numbered 0, 1, 2, ... in the order claim keys are first seen, a key seen
 * again (next to itself or not) gets its group back, and the key is its bytes (len of
 * them, not up to a NUL). */
START_TEST(test_first_seen_order)
{
    csv_group *g;
    char err[256];
    ck_assert_int_eq(csv_group_open(db, &g, err, sizeof err), 0);
    const char *keys[] = {"C9", "A1", "A1", "C9", "B5", "A1", "", "B5", ""};
    const int64_t want[] = {0, 1, 1, 0, 2, 1, 3, 2, 3};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int64_t grp = -1;
        ck_assert_int_eq(csv_group_claim(g, keys[i], strlen(keys[i]), &grp, err, sizeof err), 0);
        ck_assert_msg(grp == want[i], "key %zu (%s): group %lld, want %lld", i, keys[i],
                      (long long)grp, (long long)want[i]);
    }
    int64_t grp = -1;
    ck_assert_int_eq(csv_group_claim(g, "A1,rest", 2, &grp, err, sizeof err), 0);
    ck_assert_int_eq(grp, 1);
    ck_assert_int_eq(csv_group_claim(g, "C9x", 3, &grp, err, sizeof err), 0);
    ck_assert_int_eq(grp, 4); /* "C9x" is not "C9" */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.cara_load_claims"), 5);
    csv_group_close(g);
    /* closing empties the staging; opening again starts from group 0 */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.cara_load_claims"), 0);
    ck_assert_int_eq(csv_group_open(db, &g, err, sizeof err), 0);
    ck_assert_int_eq(csv_group_claim(g, "B5", 2, &grp, err, sizeof err), 0);
    ck_assert_int_eq(grp, 0);
    csv_group_close(g);
}
END_TEST

/* Rows staged in file order come back in (grp, seq) order, every field as staged,
 * across batch boundaries (batches of 3 over 11 rows: 4 batches, then 0); the store can
 * be written between batches (no statement is left open). */
START_TEST(test_iterator_batches)
{
    csv_group *g;
    char err[256];
    ck_assert_int_eq(csv_group_open(db, &g, err, sizeof err), 0);
    const char *keys[] = {"K2", "K1", "K2", "K3", "K1", "K1", "K2", "K3", "K4", "K1", "K2"};
    size_t n = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i < n; i++) {
        csv_group_row r = {.seq = (int64_t)i, .off = 100 * (int64_t)i, .len = 10 + (int64_t)i,
                           .line = 2 + 3 * (int64_t)i};
        ck_assert_int_eq(csv_group_claim(g, keys[i], 2, &r.grp, err, sizeof err), 0);
        ck_assert_msg(csv_group_add(g, &r, err, sizeof err) == 0, "%s", err);
    }
    /* (grp, seq): K2 = 0: 0 2 6 10; K1 = 1: 1 4 5 9; K3 = 2: 3 7; K4 = 3: 8 */
    const int64_t want_seq[] = {0, 2, 6, 10, 1, 4, 5, 9, 3, 7, 8};
    const int64_t want_grp[] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3};
    exec_ok("CREATE TABLE between_batches (x INTEGER)");
    csv_group_row b[3];
    size_t got = 0, batches = 0;
    for (;;) {
        int k = csv_group_next(g, b, 3, err, sizeof err);
        ck_assert_msg(k >= 0, "%s", err);
        if (k == 0) break;
        ck_assert_int_le(k, 3);
        batches++;
        for (int i = 0; i < k; i++, got++) {
            ck_assert_uint_lt(got, n);
            ck_assert_int_eq(b[i].grp, want_grp[got]);
            ck_assert_int_eq(b[i].seq, want_seq[got]);
            ck_assert_int_eq(b[i].off, 100 * want_seq[got]);
            ck_assert_int_eq(b[i].len, 10 + want_seq[got]);
            ck_assert_int_eq(b[i].line, 2 + 3 * want_seq[got]);
        }
        exec_ok("INSERT INTO between_batches (x) VALUES (1)");
    }
    ck_assert_uint_eq(got, n);
    ck_assert_uint_eq(batches, 4);
    ck_assert_int_eq(csv_group_next(g, b, 3, err, sizeof err), 0); /* stays at the end */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM between_batches"), 4);
    csv_group_close(g);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.cara_load_rows"), 0);
}
END_TEST

/* A failing statement is -EIO with a message naming what failed and SQLite's reason;
 * the connection's message is SQLite's alone. */
START_TEST(test_store_failure)
{
    csv_group *g;
    char err[256] = "";
    ck_assert_int_eq(csv_group_open(db, &g, err, sizeof err), 0);
    int64_t grp = -1;
    ck_assert_int_eq(csv_group_claim(g, "X", 1, &grp, err, sizeof err), 0);
    exec_ok("DROP TABLE temp.cara_load_rows");
    csv_group_row r = {.grp = grp, .seq = 7, .off = 0, .len = 3, .line = 9};
    ck_assert_int_eq(csv_group_add(g, &r, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "staging row 7 (line 9): no such table: temp.cara_load_rows");
    ck_assert_str_eq(store_errmsg(db), "no such table: temp.cara_load_rows");
    csv_group_row b[4];
    err[0] = '\0';
    ck_assert_int_eq(csv_group_next(g, b, 4, err, sizeof err), -EIO);
    ck_assert_ptr_nonnull(strstr(err, "reading the staged rows"));
    ck_assert_ptr_nonnull(strstr(err, "no such table"));
    exec_ok("DROP TABLE temp.cara_load_claims");
    err[0] = '\0';
    ck_assert_int_eq(csv_group_claim(g, "Y", 1, &grp, err, sizeof err), -EIO);
    ck_assert_ptr_nonnull(strstr(err, "looking up staged claim \"Y\": no such table"));
    csv_group_close(g); /* emptying missing tables is ignored */
    /* open makes the tables again */
    ck_assert_int_eq(csv_group_open(db, &g, err, sizeof err), 0);
    ck_assert_int_eq(csv_group_add(g, &r, err, sizeof err), 0);
    csv_group_close(g);
}
END_TEST

/* A released savepoint keeps its insert; a rolled-back one loses it and stays open
 * until released; the transaction around them commits what is left. */
START_TEST(test_savepoints)
{
    char err[256];
    exec_ok("CREATE TABLE sp_t (x INTEGER)");
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(store_savepoint(db, "cara_claim", err, sizeof err), 0);
    exec_ok("INSERT INTO sp_t (x) VALUES (1)");
    ck_assert_int_eq(store_release(db, "cara_claim", err, sizeof err), 0);
    ck_assert_int_eq(store_savepoint(db, "cara_claim", err, sizeof err), 0);
    exec_ok("INSERT INTO sp_t (x) VALUES (2)");
    ck_assert_int_eq(store_rollback_to(db, "cara_claim", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sp_t WHERE x = 2"), 0);
    exec_ok("INSERT INTO sp_t (x) VALUES (3)"); /* still inside cara_claim */
    ck_assert_int_eq(store_rollback_to(db, "cara_claim", err, sizeof err), 0);
    ck_assert_int_eq(store_release(db, "cara_claim", err, sizeof err), 0);
    ck_assert_int_eq(store_in_transaction(db), 1);
    ck_assert_int_eq(store_commit(db, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT group_concat(x) FROM sp_t"), 1);
    /* outside a transaction a savepoint opens one, and its release commits it */
    ck_assert_int_eq(store_savepoint(db, "Outer_2", err, sizeof err), 0);
    ck_assert_int_eq(store_in_transaction(db), 1);
    exec_ok("INSERT INTO sp_t (x) VALUES (4)");
    ck_assert_int_eq(store_release(db, "Outer_2", err, sizeof err), 0);
    ck_assert_int_eq(store_in_transaction(db), 0);
    ck_assert_int_eq(th_q(db, "SELECT sum(x) FROM sp_t"), 5);
}
END_TEST

/* A name that is not 1 to 64 letters, digits and underscores is refused (-EINVAL, the
 * name in the message) before any SQL runs; a savepoint that is not open is -EIO with
 * SQLite's reason. */
START_TEST(test_savepoint_refusals)
{
    char err[256];
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    const char *bad[] = {"", "a b", "x\"; DROP TABLE loads; --", "caf\xc3\xa9", "a-b", long_name,
                         NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ck_assert_int_eq(store_savepoint(db, bad[i], err, sizeof err), -EINVAL);
        ck_assert_ptr_nonnull(strstr(err, "savepoint name"));
        ck_assert_int_eq(store_release(db, bad[i], err, sizeof err), -EINVAL);
        ck_assert_int_eq(store_rollback_to(db, bad[i], err, sizeof err), -EINVAL);
        ck_assert_int_eq(store_in_transaction(db), 0);
    }
    ck_assert_int_eq(store_savepoint(db, "a-b", err, sizeof err), -EINVAL);
    ck_assert_str_eq(err, "savepoint name \"a-b\": letters, digits and underscores only (1 to 64)");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'loads'"), 1);
    long_name[64] = '\0'; /* 64 is fine */
    ck_assert_int_eq(store_savepoint(db, long_name, err, sizeof err), 0);
    ck_assert_int_eq(store_release(db, long_name, err, sizeof err), 0);
    ck_assert_int_eq(store_release(db, "nope", err, sizeof err), -EIO);
    ck_assert_str_eq(err, "RELEASE SAVEPOINT nope: no such savepoint: nope");
    ck_assert_int_eq(store_rollback_to(db, "nope", err, sizeof err), -EIO);
    ck_assert_str_eq(err, "ROLLBACK TO SAVEPOINT nope: no such savepoint: nope");
}
END_TEST

Suite *suite_store_csv_group(void)
{
    Suite *s = suite_create("store_csv_group");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_first_seen_order);
    tcase_add_test(tc, test_iterator_batches);
    tcase_add_test(tc, test_store_failure);
    tcase_add_test(tc, test_savepoints);
    tcase_add_test(tc, test_savepoint_refusals);
    suite_add_tcase(s, tc);
    return s;
}
