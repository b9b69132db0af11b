/* tests/test_packed_lines.c: core/base/packed_lines.c (a claim's lines in claims.lines):
 * what pl_append writes, that pl_next reads it back and what SQLite's JSON functions
 * write, and every refusal naming its byte. */
#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/packed_lines.h"
#include "suites.h"

static pl_line line1(void)
{
    pl_line l;
    memset(&l, 0, sizeof l);
    l.number = 1;
    const char *t[PL_TEXTS] = {"2027-01-04", NULL, "11", "", "97110", "GP 59", "1234567893",
                               "123456789", "1234567893", "123456789"};
    memcpy(l.text, t, sizeof t);
    l.paid_cents = 7512;
    l.allowed_cents = 9390;
    return l;
}

/* Written by hand: the 15 values in the view's column order, null for the missing end
 * date and detail. */
START_TEST(test_write)
{
    pl_buf b = {0};
    ck_assert_int_eq(pl_begin(&b), 0);
    ck_assert_int_eq(pl_end(&b), 0);
    ck_assert_str_eq(b.p, "[]");
    pl_line l = line1();
    ck_assert_int_eq(pl_begin(&b), 0);
    ck_assert_int_eq(pl_append(&b, &l), 0);
    l.number = 2;
    l.text[PL_HCPCS] = "a\"b\\c\n"; /* quote, backslash, control character */
    l.paid_cents = INT64_MIN;
    l.allowed_cents = INT64_MAX;
    l.denied = 1;
    l.has_detail = 1;
    l.detail_paid_cents = -5;
    ck_assert_int_eq(pl_append(&b, &l), 0);
    ck_assert_int_eq(pl_end(&b), 0);
    ck_assert_str_eq(b.p, "[[1,\"2027-01-04\",null,\"11\",\"\",\"97110\",\"GP 59\",\"1234567893\","
                          "\"123456789\",\"1234567893\",\"123456789\",7512,9390,0,null],"
                          "[2,\"2027-01-04\",null,\"11\",\"\",\"a\\\"b\\\\c\\u000a\",\"GP 59\","
                          "\"1234567893\",\"123456789\",\"1234567893\",\"123456789\","
                          "-9223372036854775808,9223372036854775807,1,-5]]");
    ck_assert_uint_eq(b.len, strlen(b.p));
    /* read back: the same values */
    pl_reader r = {0};
    pl_reader_init(&r, b.p, b.len);
    pl_line o;
    ck_assert_int_eq(pl_next(&r, &o), 1);
    ck_assert_int_eq(o.number, 1);
    ck_assert_str_eq(o.text[PL_START], "2027-01-04");
    ck_assert_ptr_null(o.text[PL_END]);
    ck_assert_str_eq(o.text[PL_MODIFIERS], "GP 59");
    ck_assert_str_eq(o.text[PL_REVENUE], "");
    ck_assert_int_eq(o.paid_cents, 7512);
    ck_assert_int_eq(o.has_detail, 0);
    ck_assert_int_eq(pl_next(&r, &o), 1);
    ck_assert_str_eq(o.text[PL_HCPCS], "a\"b\\c\n");
    ck_assert_int_eq(o.paid_cents, INT64_MIN);
    ck_assert_int_eq(o.allowed_cents, INT64_MAX);
    ck_assert_int_eq(o.denied, 1);
    ck_assert_int_eq(o.has_detail, 1);
    ck_assert_int_eq(o.detail_paid_cents, -5);
    ck_assert_int_eq(pl_next(&r, &o), 0);
    ck_assert_int_eq(pl_next(&r, &o), 0); /* stays at the end */
    pl_reader_free(&r);
    free(b.p);
}
END_TEST

/* What SQLite's json_array / json_group_array write (the view's triggers and the
 * migration write claims.lines with them) reads as the values given: escapes SQLite
 * chooses, non-ASCII text, an empty group. */
START_TEST(test_reads_sqlite_json)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
        "SELECT json_group_array(json_array(n, '2027-02-0' || n, NULL, 'x\"\\' || char(9) || "
        "char(233) || char(128512), '', '', '', '', '', '', '', n * 100, -n, 0, NULL)) "
        "FROM (SELECT 1 AS n UNION ALL SELECT 2)", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const char *v = (const char *)sqlite3_column_text(st, 0);
    pl_reader r = {0};
    pl_reader_init(&r, v, (size_t)sqlite3_column_bytes(st, 0));
    pl_line o;
    for (int n = 1; n <= 2; n++) {
        ck_assert_int_eq(pl_next(&r, &o), 1);
        ck_assert_int_eq(o.number, n);
        ck_assert_str_eq(o.text[PL_START], n == 1 ? "2027-02-01" : "2027-02-02");
        ck_assert_str_eq(o.text[PL_POS], "x\"\\\t\xc3\xa9\xf0\x9f\x98\x80");
        ck_assert_int_eq(o.paid_cents, n * 100);
        ck_assert_int_eq(o.allowed_cents, -n);
    }
    ck_assert_int_eq(pl_next(&r, &o), 0);
    sqlite3_finalize(st);
    /* an empty group is "[]" */
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT json_group_array(1) FROM (SELECT 1 WHERE 0)",
                                        -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    pl_reader_init(&r, (const char *)sqlite3_column_text(st, 0), 2);
    ck_assert_int_eq(pl_next(&r, &o), 0);
    sqlite3_finalize(st);
    pl_reader_free(&r);
    sqlite3_close(db);
}
END_TEST

/* Any JSON of the shape: whitespace between tokens, \u escapes (a surrogate pair is one
 * character, 4 UTF-8 bytes). */
START_TEST(test_reads_whitespace_escapes)
{
    const char *v = " [ [ 7 ,\t\"\\u0041\\u00e9\\ud83d\\ude00\\/\" , null , \"\" ,\"\",\"\",\"\",\"\",\"\","
                    "\"\",\"\" , 0 , -0 , 1 , 12 ] ]\n";
    pl_reader r = {0};
    pl_reader_init(&r, v, strlen(v));
    pl_line o;
    ck_assert_int_eq(pl_next(&r, &o), 1);
    ck_assert_int_eq(o.number, 7);
    ck_assert_str_eq(o.text[PL_START], "A\xc3\xa9\xf0\x9f\x98\x80/");
    ck_assert_int_eq(o.allowed_cents, 0);
    ck_assert_int_eq(o.detail_paid_cents, 12);
    ck_assert_int_eq(pl_next(&r, &o), 0);
    pl_reader_free(&r);
}
END_TEST

/* A reader that borrows gives the same texts and lengths as one that copies: texts
 * without escapes point into the value itself (not NUL-terminated: the next byte is
 * its closing quote), one with an escape is decoded into the scratch, NUL-terminated. */
START_TEST(test_borrow_same_as_copy)
{
    const char *v = "[[1,\"2027-03-01\",null,\"11\",\"\",\"97161\",\"GP 59\",\"1234567893\","
                    "\"12\\\"3\",\"\",\"x\\u00e9y\",100,90,0,null],"
                    "[2,\"2027-03-02\",\"2027-03-02\",\"\",\"0420\",\"\",\"\",\"\",\"\",\"\",\"\",5,5,1,3]]";
    pl_reader a = {0}, b = {0};
    b.borrow = 1;
    pl_reader_init(&a, v, strlen(v));
    pl_reader_init(&b, v, strlen(v));
    for (int line = 0; line < 2; line++) {
        pl_line x, y;
        ck_assert_int_eq(pl_next(&a, &x), 1);
        ck_assert_int_eq(pl_next(&b, &y), 1);
        ck_assert_int_eq(x.number, y.number);
        for (int i = 0; i < PL_TEXTS; i++) {
            ck_assert_uint_eq(x.len[i], y.len[i]);
            ck_assert_int_eq(!x.text[i], !y.text[i]);
            if (x.text[i]) ck_assert_int_eq(memcmp(x.text[i], y.text[i], x.len[i]), 0);
            if (x.text[i]) ck_assert_uint_eq(strlen(x.text[i]), x.len[i]);
        }
        ck_assert_int_eq(x.paid_cents, y.paid_cents);
        ck_assert_int_eq(x.denied, y.denied);
        ck_assert_int_eq(x.has_detail, y.has_detail);
        if (line == 0) {
            /* borrowed: inside v; decoded (escapes): in the scratch */
            ck_assert(y.text[PL_HCPCS] > v && y.text[PL_HCPCS] < v + strlen(v));
            ck_assert(y.text[PL_RENDERING_TIN] < v || y.text[PL_RENDERING_TIN] > v + strlen(v));
            ck_assert_str_eq(y.text[PL_RENDERING_TIN], "12\"3");
            ck_assert_str_eq(y.text[PL_BILLING_TIN], "x\xc3\xa9y");
            ck_assert_int_eq(y.text[PL_MODIFIERS][y.len[PL_MODIFIERS]], '"');
        }
    }
    ck_assert_int_eq(pl_next(&a, &(pl_line){0}), 0);
    ck_assert_int_eq(pl_next(&b, &(pl_line){0}), 0);
    pl_reader_free(&a);
    pl_reader_free(&b);
}
END_TEST

/* Each malformed value is refused at its byte, saying what was expected. */
START_TEST(test_refusals)
{
    static const struct {
        const char *v, *err;
    } cases[] = {
        {"", "byte 0: expected '[' (the claim's lines)"},
        {"{}", "byte 0: expected '[' (the claim's lines)"},
        {"[1]", "byte 1: expected '[' (a line)"},
        {"[[1,null]]", "byte 8: expected ',' (a line has 15 values)"},
        {"[[1.5,", "byte 3: expected an integer (no fraction or exponent)"},
        {"[[01,", "byte 2: expected an integer without leading zeros"},
        {"[[9223372036854775808,", "byte 20: integer out of range"},
        {"[[-9223372036854775809,", "byte 21: integer out of range"},
        {"[[\"1\",", "byte 2: expected an integer"},
        {"[[1,\"abc", "byte 8: unterminated string"},
        {"[[1,\"a\\x\"", "byte 8: unknown escape in a string"},
        {"[[1,\"\\u0000\"", "byte 11: \\u0000 in a string"},
        {"[[1,\"\\ud83d\"", "byte 11: unpaired surrogate in \\u escape"},
        {"[[1,\"\\ude00\"", "byte 11: unpaired surrogate in \\u escape"},
        {"[[1,\"\\u00g0\"", "byte 7: expected 4 hex digits after \\u"},
        {"[[1,\"a\x01\"", "byte 6: control character in a string"},
        {"[[1,7,", "byte 4: expected a string or null"},
        {"[[1,null,null,\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",1,2,3,null,9]]",
         "byte 48: expected ']' (a line has 15 values)"},
        {"[[1,null,null,\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",1,2,3,null]] x",
         "byte 51: unexpected bytes after the lines"},
        {"[[1,null,null,\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",1,2,3,null]",
         "byte 49: expected ',' or ']' after a line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pl_reader r = {0};
        pl_reader_init(&r, cases[i].v, strlen(cases[i].v));
        pl_line o;
        int rc;
        while ((rc = pl_next(&r, &o)) == 1) {}
        ck_assert_msg(rc == -1, "case %zu (%s): %d", i, cases[i].v, rc);
        ck_assert_msg(!strcmp(r.err, cases[i].err), "case %zu (%s): \"%s\"", i, cases[i].v, r.err);
        ck_assert_int_eq(pl_next(&r, &o), -1); /* stays refused */
        pl_reader_free(&r);
    }
}
END_TEST

/* The length decides, not a NUL: a value inside a larger buffer. */
START_TEST(test_length_bounds)
{
    const char *v = "[][[garbage";
    pl_reader r = {0};
    pl_reader_init(&r, v, 2);
    pl_line o;
    ck_assert_int_eq(pl_next(&r, &o), 0);
    pl_reader_init(&r, v, 3); /* reusing the reader: its scratch is kept */
    ck_assert_int_eq(pl_next(&r, &o), -1);
    ck_assert_str_eq(r.err, "byte 2: unexpected bytes after the lines");
    pl_reader_free(&r);
}
END_TEST

Suite *suite_packed_lines(void)
{
    Suite *s = suite_create("packed_lines");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_write);
    tcase_add_test(tc, test_reads_sqlite_json);
    tcase_add_test(tc, test_reads_whitespace_escapes);
    tcase_add_test(tc, test_borrow_same_as_copy);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_length_bounds);
    suite_add_tcase(s, tc);
    return s;
}
