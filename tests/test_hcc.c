/*
 * tests/test_hcc.c: CMS-HCC V28 payment HCC counts on the shipped tables
 * (episodes/common), each example looked up by hand in the two CSV files.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hcc.h"
#include "suites.h"
#include "util.h"

static hcc_model *m;

static void setup(void)
{
    const char *eps = getenv("CARA_EPISODES");
    char *dir = util_path_join(eps ? eps : "episodes", "common");
    char err[512];
    ck_assert_msg(hcc_model_load(dir, &m, err, sizeof err) == 0, "%s", err);
    free(dir);
}

static void teardown(void) { hcc_model_free(m); }

static int count(const char *const *codes, size_t n) { return hcc_count(m, codes, n); }

/* The tables load whole: 8183 diagnosis rows, 149 hierarchy pairs (files minus headers). */
START_TEST(test_tables_load)
{
    ck_assert_uint_eq(hcc_model_codes(m), 8183);
    ck_assert_uint_eq(hcc_model_hierarchies(m), 149);
}
END_TEST

/* Single codes, per the rows of cms_hcc_v28_dx_to_hcc.csv. */
START_TEST(test_lookup)
{
    int h[4];
    ck_assert_int_eq(hcc_lookup(m, "E119", h, 4), 1);    /* E119,38 */
    ck_assert_int_eq(h[0], 38);
    ck_assert_int_eq(hcc_lookup(m, "I509", h, 4), 1);    /* I509,226 */
    ck_assert_int_eq(h[0], 226);
    ck_assert_int_eq(hcc_lookup(m, "S72001A", h, 4), 1); /* S72001A,402 (hip fracture) */
    ck_assert_int_eq(h[0], 402);
    ck_assert_int_eq(hcc_lookup(m, "B377", h, 4), 2);    /* B377,6 and B377,2 */
    ck_assert_int_eq(h[0] + h[1], 8);
    ck_assert_int_eq(hcc_lookup(m, "Z9181", h, 4), 0);   /* history of falling: no HCC */
    ck_assert_int_eq(hcc_lookup(m, "E11.9", h, 4), 0);   /* codes carry no dot */
    ck_assert_int_eq(hcc_lookup(m, "E1190000", h, 4), 0);
}
END_TEST

/* Counts after hierarchies. */
START_TEST(test_count_hierarchies)
{
    /* E119 -> 38, J449 -> 280: no hierarchy between them -> 2 */
    const char *a[] = {"E119", "J449"};
    ck_assert_int_eq(count(a, 2), 2);
    /* E1122 -> 37 and E119 -> 38; hierarchies.csv row "37,38": 38 is dropped -> 1 */
    const char *b[] = {"E119", "E1122"};
    ck_assert_int_eq(count(b, 2), 1);
    /* duplicates count once: E119 and E1165 both -> 38 */
    const char *c[] = {"E119", "E1165", "E119"};
    ck_assert_int_eq(count(c, 3), 1);
    /* E119 (38), I509 (226), J449 (280), S72001A (402), N186 (326), F0390 (127):
     * no pair among them in hierarchies.csv -> 6 */
    const char *d[] = {"E119", "I509", "J449", "S72001A", "N186", "F0390"};
    ck_assert_int_eq(count(d, 6), 6);
    /* unknown codes, NULLs and the empty set */
    const char *e[] = {"Z9181", NULL, "R296", "XXXXXXXXXX"};
    ck_assert_int_eq(count(e, 4), 0);
    ck_assert_int_eq(count(NULL, 0), 0);
    /* B377 maps to both 2 and 6; hierarchies.csv has no "2,6" or "6,2" row -> 2 */
    const char *f[] = {"B377"};
    ck_assert_int_eq(count(f, 1), 2);
}
END_TEST

/* Malformed tables are refused with the table name and line. */
START_TEST(test_parse_errors)
{
    hcc_model *x;
    char err[256];
    static const char dx_bad[] = "diagnosis_code,cc\nE119,38\nE1122,thirty-seven\n";
    static const char hier[] = "cc_parent,cc_child\n37,38\n";
    ck_assert_int_lt(hcc_model_parse(dx_bad, sizeof dx_bad - 1, hier, sizeof hier - 1, &x, err,
                                     sizeof err), 0);
    ck_assert_msg(strstr(err, "cms_hcc_v28_dx_to_hcc.csv:3:"), "%s", err);
    static const char dx[] = "diagnosis_code,cc\r\nE119,38\r\nE1122,37\r\n";
    static const char hier_bad[] = "cc_parent,cc_child\n37\n";
    ck_assert_int_lt(hcc_model_parse(dx, sizeof dx - 1, hier_bad, sizeof hier_bad - 1, &x, err,
                                     sizeof err), 0);
    ck_assert_msg(strstr(err, "cms_hcc_v28_hierarchies.csv:2:"), "%s", err);
    /* CRLF files parse; the hierarchy applies */
    ck_assert_int_eq(hcc_model_parse(dx, sizeof dx - 1, hier, sizeof hier - 1, &x, err, sizeof err), 0);
    const char *codes[] = {"E119", "E1122"};
    ck_assert_int_eq(hcc_count(x, codes, 2), 1);
    hcc_model_free(x);
    ck_assert_int_eq(hcc_model_load("/nonexistent", &x, err, sizeof err), -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "episodes/common/README.md"));
}
END_TEST

Suite *suite_hcc(void)
{
    Suite *s = suite_create("hcc");
    TCase *tc = tcase_create("hcc");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tables_load);
    tcase_add_test(tc, test_lookup);
    tcase_add_test(tc, test_count_hierarchies);
    tcase_add_test(tc, test_parse_errors);
    suite_add_tcase(s, tc);
    return s;
}
