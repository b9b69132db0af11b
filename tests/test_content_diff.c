/*
 * tests/test_content_diff.c: the member and line diffs of `cara diff`'s components
 * section (content_diff.h), on documents small enough to diff by eye.
 */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "engine/content_diff.h"
#include "suites.h"

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    ck_assert_msg(v != NULL, "%s: %s", text, je.text);
    return v;
}

static void is_int(const json_t *v, json_int_t want)
{
    ck_assert(json_is_integer(v));
    ck_assert_int_eq(json_integer_value(v), want);
}

/* A template's trend and one age factor changed, a member removed and one added.
 * Keys are visited sorted at every level: id, pricing (age_factors, trend_bps), quality. */
START_TEST(test_json_members)
{
    json_t *a = J("{\"pricing\": {\"trend_bps\": 200, \"age_factors\": [{\"min_age\": 65, "
                  "\"factor\": 10000}, {\"min_age\": 75, \"factor\": 10400}]}, \"id\": \"x\"}");
    json_t *b = J("{\"pricing\": {\"trend_bps\": 300, \"age_factors\": [{\"min_age\": 65, "
                  "\"factor\": 10000}, {\"min_age\": 75, \"factor\": 10800}]}, "
                  "\"quality\": {\"days\": 30}}");
    member_changes c;
    ck_assert_int_eq(diff_json(a, b, 20, &c), 0);
    ck_assert_uint_eq(c.total, 4);
    ck_assert_uint_eq(c.n, 4);
    ck_assert_str_eq(c.v[0].path, "id");
    ck_assert_str_eq(json_string_value(c.v[0].a), "x");
    ck_assert_ptr_null(c.v[0].b);
    ck_assert_str_eq(c.v[1].path, "pricing.age_factors[1].factor");
    is_int(c.v[1].a, 10400);
    is_int(c.v[1].b, 10800);
    ck_assert_str_eq(c.v[2].path, "pricing.trend_bps");
    is_int(c.v[2].a, 200);
    is_int(c.v[2].b, 300);
    ck_assert_str_eq(c.v[3].path, "quality");
    ck_assert_ptr_null(c.v[3].a);
    ck_assert(json_is_object(c.v[3].b));
    member_changes_free(&c);
    /* capped: the first 2 kept, all 4 counted */
    ck_assert_int_eq(diff_json(a, b, 2, &c), 0);
    ck_assert_uint_eq(c.n, 2);
    ck_assert_uint_eq(c.total, 4);
    member_changes_free(&c);
    /* equal documents: nothing */
    ck_assert_int_eq(diff_json(a, a, 20, &c), 0);
    ck_assert_uint_eq(c.total, 0);
    member_changes_free(&c);
    json_decref(a);
    json_decref(b);
    /* an array that grew is one change, the whole array */
    a = J("{\"codes\": [\"A\", \"B\"]}");
    b = J("{\"codes\": [\"A\", \"B\", \"C\"]}");
    ck_assert_int_eq(diff_json(a, b, 20, &c), 0);
    ck_assert_uint_eq(c.total, 1);
    ck_assert_str_eq(c.v[0].path, "codes");
    ck_assert_uint_eq(json_array_size(c.v[0].b), 3);
    member_changes_free(&c);
    json_decref(a);
    json_decref(b);
}
END_TEST

/* l1 l2 l3 l4 -> l1 L2 l3 l4 l5: line 2 replaced (- 2 l2, + 2 L2), line 5 added. */
START_TEST(test_lines)
{
    const char *a = "l1\nl2\nl3\nl4\n", *b = "l1\nL2\nl3\nl4\nl5\n";
    line_changes c;
    ck_assert_int_eq(diff_lines(a, strlen(a), b, strlen(b), 20, &c), 0);
    ck_assert_uint_eq(c.total, 3);
    ck_assert_int_eq(c.v[0].op, '-');
    ck_assert_uint_eq(c.v[0].line, 2);
    ck_assert_str_eq(c.v[0].text, "l2");
    ck_assert_int_eq(c.v[1].op, '+');
    ck_assert_uint_eq(c.v[1].line, 2);
    ck_assert_str_eq(c.v[1].text, "L2");
    ck_assert_int_eq(c.v[2].op, '+');
    ck_assert_uint_eq(c.v[2].line, 5);
    ck_assert_str_eq(c.v[2].text, "l5");
    line_changes_free(&c);
    ck_assert_int_eq(diff_lines(a, strlen(a), b, strlen(b), 1, &c), 0);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_uint_eq(c.total, 3);
    line_changes_free(&c);
    /* CRLF and LF endings are the same lines; a missing last newline too */
    ck_assert_int_eq(diff_lines("x\r\ny\r\n", 6, "x\ny", 3, 20, &c), 0);
    ck_assert_uint_eq(c.total, 0);
    line_changes_free(&c);
    /* a line removed in the middle: - 2 b */
    ck_assert_int_eq(diff_lines("a\nb\nc\n", 6, "a\nc\n", 4, 20, &c), 0);
    ck_assert_uint_eq(c.total, 1);
    ck_assert_int_eq(c.v[0].op, '-');
    ck_assert_uint_eq(c.v[0].line, 2);
    line_changes_free(&c);
    /* from nothing: every line added */
    ck_assert_int_eq(diff_lines("", 0, "a\nb\n", 4, 20, &c), 0);
    ck_assert_uint_eq(c.total, 2);
    ck_assert_int_eq(c.v[1].op, '+');
    ck_assert_uint_eq(c.v[1].line, 2);
    line_changes_free(&c);
}
END_TEST

Suite *suite_content_diff(void)
{
    Suite *s = suite_create("content_diff");
    TCase *tc = tcase_create("diffs");
    tcase_add_test(tc, test_json_members);
    tcase_add_test(tc, test_lines);
    suite_add_tcase(s, tc);
    return s;
}
