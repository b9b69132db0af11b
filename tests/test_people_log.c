/*
 * tests/test_people_log.c: a run's beneficiaries on disk (core/engine/people_log.c) and
 * their read-back in person order, through the engine (engine__add_person,
 * engine__people_open).
 *
 * A log gives back every beneficiary added with its counts (claims -1 kept); several
 * logs in order are merged; a log out of order makes the merge sort everything, equal
 * ids in log order; a log reads again from its start; it leaves no file in its folder.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_internal.h"
#include "engine/people_log.h"
#include "helpers.h"
#include "suites.h"

static char dir[64];

static void make_dir(void) { th_tmpdir(dir, "cara-people"); }

static int entries(void) { return th_entries(dir); }

static people_log *log_of(const char *const *ids, size_t n, int64_t lines0)
{
    people_log *l = NULL;
    char err[512];
    ck_assert_int_eq(people_log_open(&l, dir, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++) {
        person_rec p = {ids[i], lines0 + (int64_t)i, i == 0 ? -1 : 2 * (int64_t)i, (int)(i % 2)};
        ck_assert_int_eq(people_log_add(l, &p, err, sizeof err), 0);
    }
    return l;
}

/* The merge's ids and lines, "id/lines id/lines ..." */
static void merged(people_log *const *v, size_t n, char *out, size_t len)
{
    people_merge *m = NULL;
    char err[512];
    ck_assert_int_eq(people_merge_open(v, n, &m, err, sizeof err), 0);
    person_rec p;
    int rc;
    out[0] = '\0';
    while ((rc = people_merge_next(m, &p, err, sizeof err)) == 1) {
        size_t k = strlen(out);
        snprintf(out + k, len - k, "%s%s/%lld", k ? " " : "", p.person_id, (long long)p.lines);
    }
    ck_assert_int_eq(rc, 0);
    people_merge_close(m);
}

START_TEST(test_round_trip)
{
    make_dir();
    const char *ids[] = {"1AA0AA0AA01", "1AA0AA0AA02", "1AA0AA0AA03"};
    people_log *l = log_of(ids, 3, 10);
    ck_assert_uint_eq(people_log_count(l), 3);
    /* a record: 2 bytes of length, 11 of id, 8 + 8 of counts, 1 flag = 30 bytes */
    ck_assert_int_eq(people_log_bytes(l), 90);
    ck_assert_int_eq(entries(), 0); /* unnamed, even while open */
    people_merge *m = NULL;
    char err[512];
    ck_assert_int_eq(people_merge_open(&l, 1, &m, err, sizeof err), 0);
    person_rec p;
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 1);
    ck_assert_str_eq(p.person_id, "1AA0AA0AA01");
    ck_assert_int_eq(p.lines, 10);
    ck_assert_int_eq(p.claims, -1); /* unknown, as a carry from an old run has it */
    ck_assert_int_eq(p.no_elig, 0);
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 1);
    ck_assert_str_eq(p.person_id, "1AA0AA0AA02");
    ck_assert_int_eq(p.lines, 11);
    ck_assert_int_eq(p.claims, 2);
    ck_assert_int_eq(p.no_elig, 1);
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 1);
    ck_assert_int_eq(p.claims, 4);
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 0);
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 0);
    people_merge_close(m);
    /* read again from the start, the same */
    char a[256];
    merged(&l, 1, a, sizeof a);
    ck_assert_str_eq(a, "1AA0AA0AA01/10 1AA0AA0AA02/11 1AA0AA0AA03/12");
    /* once read, no more adds */
    person_rec q = {"1AA0AA0AA04", 1, 1, 0};
    ck_assert_int_eq(people_log_add(l, &q, err, sizeof err), -EINVAL);
    people_log_close(l);
    ck_assert_int_eq(entries(), 0);
    rmdir(dir);
}
END_TEST

START_TEST(test_merge_in_order)
{
    make_dir();
    /* a carry and two shards, each in order: C < CA (prefix first), P1 < P10 < P2 */
    const char *carry[] = {"A", "C", "P10"}, *s0[] = {"B", "CA"}, *s1[] = {"P1", "P2"};
    people_log *v[4] = {log_of(carry, 3, 100), log_of(s0, 2, 200), log_of(s1, 2, 300), NULL};
    char a[256];
    merged(v, 3, a, sizeof a);
    ck_assert_str_eq(a, "A/100 B/200 C/101 CA/201 P1/300 P10/102 P2/301");
    /* an id in two logs comes out twice, one after the other (the run's check) */
    const char *dup[] = {"C"};
    v[3] = log_of(dup, 1, 400);
    merged(v, 4, a, sizeof a);
    ck_assert_str_eq(a, "A/100 B/200 C/101 C/400 CA/201 P1/300 P10/102 P2/301");
    /* no logs: nothing */
    merged(v, 0, a, sizeof a);
    ck_assert_str_eq(a, "");
    for (int i = 0; i < 4; i++) people_log_close(v[i]);
    rmdir(dir);
}
END_TEST

START_TEST(test_merge_out_of_order)
{
    make_dir();
    /* the first log is not in order (a repeat counts as out of order too): everything is
     * read and sorted, equal ids in the order of the logs */
    const char *x[] = {"C", "A", "B"}, *y[] = {"B", "D"}, *z[] = {"E", "E"};
    people_log *v[3] = {log_of(x, 3, 10), log_of(y, 2, 20), log_of(z, 2, 30)};
    char a[256];
    merged(v, 2, a, sizeof a);
    ck_assert_str_eq(a, "A/11 B/12 B/20 C/10 D/21");
    merged(v + 2, 1, a, sizeof a);
    ck_assert_str_eq(a, "E/30 E/31");
    for (int i = 0; i < 3; i++) people_log_close(v[i]);
    rmdir(dir);
}
END_TEST

START_TEST(test_limits)
{
    people_log *l = (people_log *)1;
    char err[512];
    ck_assert_int_lt(people_log_open(&l, "/nonexistent/cara-people", err, sizeof err), 0);
    ck_assert_ptr_null(l);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cara-people"));
    ck_assert_ptr_nonnull(strstr(err, "beneficiaries"));
    make_dir();
    ck_assert_int_eq(people_log_open(&l, dir, err, sizeof err), 0);
    char *big = malloc(PEOPLE_LOG_ID_MAX + 2);
    memset(big, 'A', PEOPLE_LOG_ID_MAX + 1);
    big[PEOPLE_LOG_ID_MAX + 1] = '\0';
    person_rec p = {big, 1, 1, 0};
    ck_assert_int_eq(people_log_add(l, &p, err, sizeof err), -E2BIG);
    big[PEOPLE_LOG_ID_MAX] = '\0'; /* the longest: kept whole */
    ck_assert_int_eq(people_log_add(l, &p, err, sizeof err), 0);
    char a[2048];
    merged(&l, 1, a, sizeof a);
    ck_assert_uint_eq(strlen(a), PEOPLE_LOG_ID_MAX + 2);
    free(big);
    people_log_close(l);
    people_log_close(NULL);
    rmdir(dir);
}
END_TEST

/* Through the engine: a run's carry then its shards (merge_shard appends their logs). */
START_TEST(test_engine_people)
{
    make_dir();
    run_data rd;
    memset(&rd, 0, sizeof rd);
    rd.spill_dir = dir;
    char err[512];
    person_rec a = {"P3", 5, 2, 0}, b = {"P1", 7, 3, 1};
    ck_assert_int_eq(engine__add_person(&rd, &a, err, sizeof err), 0);
    ck_assert_int_eq(engine__add_person(&rd, &b, err, sizeof err), 0);
    ck_assert_uint_eq(rd.n_people, 2);
    ck_assert_uint_eq(rd.n_plogs, 1);
    people_merge *m = NULL;
    ck_assert_int_eq(engine__people_open(&rd, &m, err, sizeof err), 0);
    person_rec p;
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 1);
    ck_assert_str_eq(p.person_id, "P1"); /* out of order as added: sorted */
    ck_assert_int_eq(p.no_elig, 1);
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 1);
    ck_assert_str_eq(p.person_id, "P3");
    ck_assert_int_eq(people_merge_next(m, &p, err, sizeof err), 0);
    people_merge_close(m);
    engine__run_data_free(&rd);
    ck_assert_int_eq(entries(), 0);
    rmdir(dir);
}
END_TEST

Suite *suite_people_log(void)
{
    Suite *s = suite_create("people_log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_merge_in_order);
    tcase_add_test(tc, test_merge_out_of_order);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_engine_people);
    suite_add_tcase(s, tc);
    return s;
}
