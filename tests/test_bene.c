/*
 * tests/test_bene.c: the beneficiary reader a run goes through (core/store/bene.c) and
 * the sample its shards are planned from (run_inputs_q_person_sample). A shard's stream
 * visits the persons of its claims in order and counts their claims without a pass of
 * its own; an interim stream still visits a person whose claims were all paid later; a
 * beneficiary's lines come in (service date, claim id, line number) order, the claim
 * ids compared as text; the sample draws the person of the first current claim at or
 * after each point, by rowid.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "helpers.h"
#include "base/base.h"
#include "store/bene.h"
#include "store/run_inputs_q.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

static void setup(void) { th_tmpdir_store(dir, "cara-bene", &db); }
static void teardown(void) { th_store_done(dir, &db); }

/* A packed line: number, start date (NULL: none), HCPCS, paid cents, denied. */
static void line(char *buf, size_t len, int n, const char *start, const char *hcpcs, int paid,
                 int denied)
{
    char d[16];
    snprintf(d, sizeof d, start ? "\"%.10s\"" : "null", start ? start : "");
    snprintf(buf, len, "[%d,%s,null,\"\",\"\",\"%s\",\"\",\"\",\"\",\"\",\"\",%d,%d,%d,null]", n, d,
             hcpcs, paid, paid, denied);
}

/* Insert a professional claim with lines (a JSON array text) and status. */
static void claim(const char *id, const char *person, const char *start, const char *status,
                  const char *paid_date, const char *lines)
{
    char sql[4096];
    snprintf(sql, sizeof sql,
             "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, "
             "claim_end_date, status, paid_date, lines) VALUES ('%s', 'professional', '%s', "
             "'%s', '%s', '%s', %s%s%s, '%s')",
             id, person, start, start, status, paid_date ? "'" : "", paid_date ? paid_date : "NULL",
             paid_date ? "'" : "", lines);
    th_exec(db, sql);
}

/* Three persons; P2's claim C3 is replaced (not read); P3 has one denied line only. */
static void three_persons(void)
{
    char a[256], b[256], c[256], lines[1024];
    line(a, sizeof a, 1, "2027-01-05", "97110", 100, 0);
    line(b, sizeof b, 2, "2027-01-06", "97112", 200, 0);
    snprintf(lines, sizeof lines, "[%s,%s]", a, b);
    claim("C1", "P2", "2027-01-05", "current", "2027-01-20", lines);
    line(a, sizeof a, 1, "2027-03-01", "97110", 300, 0);
    snprintf(lines, sizeof lines, "[%s]", a);
    claim("C2", "P1", "2027-03-01", "current", "2027-04-20", lines);
    claim("C3", "P2", "2027-03-01", "replaced", NULL, lines);
    claim("C4", "P2", "2027-02-01", "current", "2027-02-20", lines);
    line(c, sizeof c, 1, "2027-02-01", "97110", 400, 1);
    snprintf(lines, sizeof lines, "[%s]", c);
    claim("C5", "P3", "2027-02-01", "current", "2027-02-25", lines);
}

/* A stream over every claim: P1 (1 claim, 1 line), P2 (C1 and C4: 2 claims, 3 lines; C3
 * is replaced), P3 (1 claim whose only line is denied: 0 lines), then done; *claims is
 * -1 until bene_load counts them. */
START_TEST(test_stream_persons_from_claims)
{
    three_persons();
    bene_reader r;
    bene_data d = {0};
    char err[256], person[80];
    int64_t claims = 0;
    ck_assert_int_eq(bene_reader_open_stream(&r, db, NULL, NULL, err, sizeof err), 0);
    static const char *const want[] = {"P1", "P2", "P3"};
    static const int64_t want_claims[] = {1, 2, 1};
    static const size_t want_lines[] = {1, 3, 0};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 1);
        ck_assert_str_eq(person, want[i]);
        ck_assert_int_eq(claims, -1);
        ck_assert_int_eq(bene_load(&r, person, &d, err, sizeof err), 0);
        ck_assert_int_eq(d.n_claims, want_claims[i]);
        ck_assert_uint_eq(d.n_lines, want_lines[i]);
    }
    ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 0);
    ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 0);
    bene_reader_close(&r);
    bene_data_free(&d);
}
END_TEST

/* A shard's bounds: [P2, P3) holds P2 alone. */
START_TEST(test_stream_bounds)
{
    three_persons();
    bene_reader r;
    bene_data d = {0};
    char err[256], person[80];
    int64_t claims = 0;
    ck_assert_int_eq(bene_reader_open_stream(&r, db, "P2", "P3", err, sizeof err), 0);
    ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 1);
    ck_assert_str_eq(person, "P2");
    ck_assert_int_eq(bene_load(&r, person, &d, err, sizeof err), 0);
    ck_assert_int_eq(d.n_claims, 2);
    ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 0);
    bene_reader_close(&r);
    bene_data_free(&d);
}
END_TEST

/* Paid through 2027-02-20: P1's only claim was paid 2027-04-20, yet P1 is visited (with
 * its 1 current claim counted by the persons' own pass, no lines read); P2 reads C4
 * alone (C1 paid 2027-01-20 too: 2 claims read, 3 lines); P3's claim was paid
 * 2027-02-25: visited, nothing read. */
START_TEST(test_stream_paid_through)
{
    three_persons();
    bene_reader r;
    bene_data d = {0};
    char err[256], person[80];
    int64_t claims = 0;
    ck_assert_int_eq(bene_reader_open_stream(&r, db, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(bene_reader_paid_through(&r, "2027-02-20"), 0);
    static const char *const want[] = {"P1", "P2", "P3"};
    static const int64_t want_claims[] = {1, 2, 1}, want_read[] = {0, 2, 0};
    static const size_t want_lines[] = {0, 3, 0};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 1);
        ck_assert_str_eq(person, want[i]);
        ck_assert_int_eq(claims, want_claims[i]);
        ck_assert_int_eq(bene_load(&r, person, &d, err, sizeof err), 0);
        ck_assert_int_eq(d.n_claims, want_read[i]);
        ck_assert_uint_eq(d.n_lines, want_lines[i]);
    }
    ck_assert_int_eq(bene_next_person(&r, person, sizeof person, &claims, err, sizeof err), 0);
    bene_reader_close(&r);
    bene_data_free(&d);
}
END_TEST

/* The order, by hand: claim C9 (inserted first) has lines 3 (01-10), 1 (01-05), 2
 * (01-05); claim C10 has lines 2 (01-05), 1 (01-05). On 01-05 "C10" < "C9" as text, so
 * C10's lines come first (1, then 2), then C9's 1 and 2; 01-10's C9/3 last. */
START_TEST(test_line_order)
{
    char a[256], b[256], c[256], lines[1024];
    line(a, sizeof a, 3, "2027-01-10", "A3", 3, 0);
    line(b, sizeof b, 1, "2027-01-05", "A1", 1, 0);
    line(c, sizeof c, 2, "2027-01-05", "A2", 2, 0);
    snprintf(lines, sizeof lines, "[%s,%s,%s]", a, b, c);
    claim("C9", "P1", "2027-01-05", "current", NULL, lines);
    line(a, sizeof a, 2, "2027-01-05", "B2", 20, 0);
    line(b, sizeof b, 1, "2027-01-05", "B1", 10, 0);
    snprintf(lines, sizeof lines, "[%s,%s]", a, b);
    claim("C10", "P1", "2027-01-05", "current", NULL, lines);
    bene_reader r;
    bene_data d = {0};
    char err[256];
    ck_assert_int_eq(bene_reader_open(&r, db, err, sizeof err), 0);
    ck_assert_int_eq(bene_load(&r, "P1", &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_lines, 5);
    static const char *const want[] = {"B1", "B2", "A1", "A2", "A3"};
    for (int i = 0; i < 5; i++) ck_assert_str_eq(d.lines[i].hcpcs, want[i]);
    bene_reader_close(&r);
    bene_data_free(&d);
}
END_TEST

/* Past the insertion sort's 24 lines: 60 lines over 7 claims, dates and line numbers
 * scrambled (line k of claim j on day (k * 7 + j * 3) % 11), in the order
 * bene_sort_lines (a plain qsort on the same comparison) gives; twice, so the sort's
 * buffers are reused. */
START_TEST(test_line_order_many)
{
    int k_total = 0;
    for (int j = 0; j < 7; j++) {
        char lines[16384] = "[", l[256], id[16];
        int n = j < 4 ? 9 : 8; /* 4 * 9 + 3 * 8 = 60 */
        for (int k = n; k >= 1; k--) {
            char day[16], code[24];
            snprintf(day, sizeof day, "2027-01-%02d", 1 + (k * 7 + j * 3) % 11);
            snprintf(code, sizeof code, "%d%d", j, k);
            line(l, sizeof l, k, day, code, k, 0);
            strcat(lines, l);
            strcat(lines, k > 1 ? "," : "]");
            k_total++;
        }
        snprintf(id, sizeof id, "C%d", 13 - j); /* C13 .. C7: text order differs */
        claim(id, "P1", "2027-01-01", "current", NULL, lines);
    }
    ck_assert_int_eq(k_total, 60);
    bene_reader r;
    bene_data d = {0};
    char err[256];
    ck_assert_int_eq(bene_reader_open(&r, db, err, sizeof err), 0);
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(bene_load(&r, "P1", &d, err, sizeof err), 0);
        ck_assert_uint_eq(d.n_lines, 60);
        cara_claim_line *ref = malloc(60 * sizeof *ref);
        ck_assert_ptr_nonnull(ref);
        memcpy(ref, d.lines, 60 * sizeof *ref);
        bene_sort_lines(ref, 60);
        for (int i = 0; i < 60; i++) {
            ck_assert_str_eq(d.lines[i].claim_id, ref[i].claim_id);
            ck_assert_int_eq(d.lines[i].line_number, ref[i].line_number);
            if (i) ck_assert_int_le(d.lines[i - 1].service_date, d.lines[i].service_date);
        }
        free(ref);
    }
    bene_reader_close(&r);
    bene_data_free(&d);
}
END_TEST

/* With at most k claims, the sample is every current claim's person, sorted with
 * repeats (P2 twice: C1 and C4; C3 replaced is skipped); with k = 2, the points are
 * rowids 1 and 3 of 1..5: C1 (P2) and, C3 not being current, C4 (P2). No claims: none. */
START_TEST(test_person_sample)
{
    char err[256], **ids = NULL;
    size_t n = 99;
    ck_assert_int_eq(run_inputs_q_person_sample(db, 16, &ids, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(ids);
    three_persons();
    ck_assert_int_eq(run_inputs_q_person_sample(db, 16, &ids, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(ids[0], "P1");
    ck_assert_str_eq(ids[1], "P2");
    ck_assert_str_eq(ids[2], "P2");
    ck_assert_str_eq(ids[3], "P3");
    run_inputs_q_sample_free(ids, n);
    ck_assert_int_eq(run_inputs_q_person_sample(db, 2, &ids, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(ids[0], "P2");
    ck_assert_str_eq(ids[1], "P2");
    run_inputs_q_sample_free(ids, n);
}
END_TEST

/* Each point is one seek by rowid: the status index would make every point a pass over
 * the index (82 s instead of 2 ms at 100,000 beneficiaries when it did). */
START_TEST(test_person_sample_plan)
{
    sqlite3_stmt *st = NULL;
    char sql[512];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", RUN_INPUTS_SAMPLE_SQL);
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(db), sql, -1, &st, NULL), SQLITE_OK);
    char plan[1024] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        strncat(plan, (const char *)sqlite3_column_text(st, 3), sizeof plan - strlen(plan) - 2);
        strcat(plan, ";");
    }
    sqlite3_finalize(st);
    ck_assert_msg(strstr(plan, "INTEGER PRIMARY KEY (rowid>?)") != NULL, "plan: %s", plan);
    ck_assert_msg(strstr(plan, "INDEX") == NULL, "plan: %s", plan);
}
END_TEST

Suite *suite_bene(void)
{
    Suite *s = suite_create("bene");
    TCase *tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_stream_persons_from_claims);
    tcase_add_test(tc, test_stream_bounds);
    tcase_add_test(tc, test_stream_paid_through);
    tcase_add_test(tc, test_line_order);
    tcase_add_test(tc, test_line_order_many);
    tcase_add_test(tc, test_person_sample);
    tcase_add_test(tc, test_person_sample_plan);
    suite_add_tcase(s, tc);
    return s;
}
