/*
 * tests/test_hcc.c: core/hcc.c, CMS-HCC V28 payment HCC counts (docs/methodology.md section 4, step 3), on
 * the shipped tables in episodes/common (CARA_EPISODES, else ./episodes).
 *
 * Every expected value was worked out by hand from the two files; the comments cite the
 * rows as "dx:LINE CODE,HCC" (cms_hcc_v28_dx_to_hcc.csv) and "hier:LINE PARENT,CHILD"
 * (cms_hcc_v28_hierarchies.csv), line numbers counting the header as line 1.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcc.h"
#include "suites.h"
#include "util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static hcc_model *m;

static char *common_dir(void)
{
    const char *eps = getenv("CARA_EPISODES");
    char *dir = util_path_join(eps && *eps ? eps : "episodes", "common");
    ck_assert_ptr_nonnull(dir);
    return dir;
}

static void setup(void)
{
    char *dir = common_dir();
    char err[512];
    ck_assert_msg(hcc_model_load(dir, &m, err, sizeof err) == 0, "%s", err);
    free(dir);
}

static void teardown(void)
{
    hcc_model_free(m);
    m = NULL;
}

static int count(const char *const *codes, size_t n) { return hcc_count(m, codes, n); }

/* hcc_payment_hccs as "37 226 ..." for comparing with the hand-computed set. */
static const char *hccs_of(const char *const *codes, size_t n)
{
    static char buf[256];
    int h[32];
    int k = hcc_payment_hccs(m, codes, n, h, (int)N(h));
    ck_assert_int_le(k, (int)N(h));
    ck_assert_int_eq(k, hcc_count(m, codes, n));
    buf[0] = '\0';
    for (int i = 0; i < k; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%d", i ? " " : "", h[i]);
    }
    return buf;
}

/* ---- the tables ------------------------------------------------------------------- */

/* dx: 8184 lines = header + 8183 rows, no repeated row; 7903 distinct codes (280 codes
 * have two rows, none more); 115 distinct HCCs, the same 115 as labels.csv, the highest
 * HCC463. hier: 150 lines = header + 149 distinct pairs. */
START_TEST(test_tables_load)
{
    hcc_model_info info = hcc_model_describe(m);
    ck_assert_uint_eq(info.rows, 8183);
    ck_assert_uint_eq(info.codes, 7903);
    ck_assert_uint_eq(info.hccs, 115);
    ck_assert_int_eq(info.max_hcc, 463);
    ck_assert_int_lt(info.max_hcc, HCC_MAX);
    ck_assert_uint_eq(info.hierarchies, 149);
}
END_TEST

/* Every row of the file is found by hcc_lookup: the sorted index loses nothing. */
START_TEST(test_every_row_found)
{
    char *dir = common_dir(), *path = util_path_join(dir, "cms_hcc_v28_dx_to_hcc.csv");
    char *buf, err[512];
    size_t len, rows = 0;
    ck_assert_msg(util_read_file(path, 1u << 24, &buf, &len, err, sizeof err) == 0, "%s", err);
    char *save = NULL;
    strtok_r(buf, "\r\n", &save); /* header */
    for (char *line = strtok_r(NULL, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *comma = strchr(line, ',');
        ck_assert_ptr_nonnull(comma);
        *comma = '\0';
        int want = atoi(comma + 1), h[4], found = 0;
        int n = hcc_lookup(m, line, h, 4);
        ck_assert_int_ge(n, 1);
        ck_assert_int_le(n, 2);
        for (int i = 0; i < n; i++) found |= h[i] == want;
        ck_assert_msg(found, "%s -> %d not found", line, want);
        rows++;
    }
    ck_assert_uint_eq(rows, 8183);
    free(buf);
    free(path);
    free(dir);
}
END_TEST

/* ---- single codes ------------------------------------------------------------------ */

START_TEST(test_lookup)
{
    int h[4];
    ck_assert_int_eq(hcc_lookup(m, "E119", h, 4), 1);    /* dx:1851 E119,38 */
    ck_assert_int_eq(h[0], 38);
    ck_assert_int_eq(hcc_lookup(m, "E1122", h, 4), 1);   /* dx:1731 E1122,37 */
    ck_assert_int_eq(h[0], 37);
    ck_assert_int_eq(hcc_lookup(m, "E1010", h, 4), 1);   /* dx:1602 E1010,36 */
    ck_assert_int_eq(h[0], 36);
    ck_assert_int_eq(hcc_lookup(m, "I509", h, 4), 1);    /* dx:3039 I509,226 (CHF) */
    ck_assert_int_eq(h[0], 226);
    ck_assert_int_eq(hcc_lookup(m, "J449", h, 4), 1);    /* dx:3816 J449,280 (COPD) */
    ck_assert_int_eq(h[0], 280);
    ck_assert_int_eq(hcc_lookup(m, "S72001A", h, 4), 1); /* dx:6978 S72001A,402 (hip fx) */
    ck_assert_int_eq(h[0], 402);
    /* two rows, returned ascending: dx:84 B377,6 and dx:85 B377,2 */
    ck_assert_int_eq(hcc_lookup(m, "B377", h, 4), 2);
    ck_assert_int_eq(h[0], 2);
    ck_assert_int_eq(h[1], 6);
    /* dx:2912 I132,326 and dx:2913 I132,226 */
    ck_assert_int_eq(hcc_lookup(m, "I132", h, 4), 2);
    ck_assert_int_eq(h[0], 226);
    ck_assert_int_eq(h[1], 326);
    /* room for one: the count is still 2, only h[0] is written */
    h[1] = -1;
    ck_assert_int_eq(hcc_lookup(m, "B377", h, 1), 2);
    ck_assert_int_eq(h[0], 2);
    ck_assert_int_eq(h[1], -1);
    ck_assert_int_eq(hcc_lookup(m, "B377", NULL, 0), 2);
    /* no row: history of falling, falls code, a 3-character prefix of E119 */
    ck_assert_int_eq(hcc_lookup(m, "Z9181", h, 4), 0);
    ck_assert_int_eq(hcc_lookup(m, "R296", h, 4), 0);
    ck_assert_int_eq(hcc_lookup(m, "E11", h, 4), 0);
    /* codes are looked up exactly: no dot, uppercase, at most 7 characters */
    ck_assert_int_eq(hcc_lookup(m, "E11.9", h, 4), 0);
    ck_assert_int_eq(hcc_lookup(m, "e119", h, 4), 0);
    ck_assert_int_eq(hcc_lookup(m, "S72001AX", h, 4), 0);
    ck_assert_int_eq(hcc_lookup(m, "", h, 4), 0);
    ck_assert_int_eq(hcc_lookup(m, NULL, h, 4), 0);
    ck_assert_int_eq(hcc_lookup(NULL, "E119", h, 4), 0);
}
END_TEST

/* ---- counts after hierarchies ------------------------------------------------------ */

START_TEST(test_diabetes)
{
    /* without complications: E119 -> 38 (dx:1851) */
    const char *a[] = {"E119"};
    ck_assert_str_eq(hccs_of(a, N(a)), "38");
    /* with chronic complications: E1122 -> 37 (dx:1731) */
    const char *b[] = {"E1122"};
    ck_assert_str_eq(hccs_of(b, N(b)), "37");
    /* both: {37, 38}; hier:28 37,38 drops 38 -> {37}, count 1 */
    const char *c[] = {"E119", "E1122"};
    ck_assert_str_eq(hccs_of(c, N(c)), "37");
    ck_assert_int_eq(count(c, N(c)), 1);
    /* order does not matter */
    const char *c2[] = {"E1122", "E119"};
    ck_assert_int_eq(count(c2, N(c2)), 1);
    /* severe acute complications too: E1010 -> 36 (dx:1602); {36, 37, 38};
     * hier:26 36,37 and hier:27 36,38 drop both -> {36} */
    const char *d[] = {"E1010", "E1122", "E119"};
    ck_assert_str_eq(hccs_of(d, N(d)), "36");
    /* one code, two HCCs without a hierarchy between them: dx:1483 E08311,37 and
     * dx:1484 E08311,298; no "37,298" or "298,37" row -> {37, 298} */
    const char *e[] = {"E08311"};
    ck_assert_str_eq(hccs_of(e, N(e)), "37 298");
}
END_TEST

START_TEST(test_heart_failure)
{
    /* CHF: I509 -> 226 (dx:3039) */
    const char *a[] = {"I509"};
    ck_assert_int_eq(count(a, N(a)), 1);
    /* acute on chronic: I5023 -> 224 (dx:3021); hier:107 224,226 drops 226 -> {224} */
    const char *b[] = {"I509", "I5023"};
    ck_assert_str_eq(hccs_of(b, N(b)), "224");
    /* end-stage: I5084 -> 222 (dx:3037); hier:98 222,224 and hier:100 222,226 -> {222} */
    const char *c[] = {"I5084", "I5023", "I509"};
    ck_assert_str_eq(hccs_of(c, N(c)), "222");
    /* hypertensive heart and CKD: I132 -> 326 (dx:2912) and 226 (dx:2913); the
     * hierarchies have no pair of 226 and 326 -> 2; N186 -> 326 (dx:5628) adds nothing */
    const char *d[] = {"I132"};
    ck_assert_str_eq(hccs_of(d, N(d)), "226 326");
    const char *e[] = {"I132", "N186"};
    ck_assert_int_eq(count(e, N(e)), 2);
}
END_TEST

/* docs/methodology.md counts distinct payment HCCs after hierarchies, nothing more: the V28
 * software's heart-assist edit is not applied. Z95811 -> 223 (dx:8178). */
START_TEST(test_no_extra_edits)
{
    /* device alone: {223} -> 1 */
    const char *a[] = {"Z95811"};
    ck_assert_int_eq(count(a, N(a)), 1);
    /* with COPD (J449 -> 280): {223, 280} -> 2 */
    const char *b[] = {"Z95811", "J449"};
    ck_assert_str_eq(hccs_of(b, N(b)), "223 280");
    /* with CHF (I509 -> 226): hier:104 223,226 drops 226 -> {223} */
    const char *c[] = {"Z95811", "I509"};
    ck_assert_str_eq(hccs_of(c, N(c)), "223");
    /* with end-stage HF (I5084 -> 222): hier:97 222,223 drops 223 -> {222} */
    const char *d[] = {"Z95811", "I5084"};
    ck_assert_str_eq(hccs_of(d, N(d)), "222");
}
END_TEST

START_TEST(test_copd_and_hip_fracture)
{
    /* J449 -> 280 (dx:3816), J441 -> 280 (dx:3813): one HCC */
    const char *a[] = {"J449", "J441"};
    ck_assert_str_eq(hccs_of(a, N(a)), "280");
    /* J9611 -> 213 (dx:3905); 213's parents are 211 and 212 only -> {213, 280} */
    const char *b[] = {"J9611", "J449"};
    ck_assert_str_eq(hccs_of(b, N(b)), "213 280");
    /* hip fracture S72001A -> 402 (dx:6978); 402 is in no hierarchy row */
    const char *c[] = {"S72001A"};
    ck_assert_str_eq(hccs_of(c, N(c)), "402");
}
END_TEST

START_TEST(test_many_hccs)
{
    /* E1122 37, I509 226, J449 280, S72001A 402, N184 327 (dx:5626), F0390 127
     * (dx:2091): no hierarchy row joins two of them -> 6 */
    const char *a[] = {"E1122", "I509", "J449", "S72001A", "N184", "F0390"};
    ck_assert_str_eq(hccs_of(a, N(a)), "37 127 226 280 327 402");
    ck_assert_int_eq(count(a, N(a)), 6);
    /* plus E119 (38, dropped by 37: hier:28) and I5023 (224, which drops 226:
     * hier:107) -> still 6, with 224 in place of 226 */
    const char *b[] = {"E1122", "I509", "J449", "S72001A", "N184", "F0390", "E119", "I5023"};
    ck_assert_str_eq(hccs_of(b, N(b)), "37 127 224 280 327 402");
    /* the first four alone: 4 */
    ck_assert_int_eq(count(a, 4), 4);
}
END_TEST

/* A parent drops its children whether or not it is itself dropped: presence is judged
 * on the HCCs the codes produced. */
START_TEST(test_hierarchy_presence)
{
    /* one code, parent and child: dx:3306 I70234,383 and dx:3307 I70234,263;
     * hier:116 263,383 -> {263} */
    const char *a[] = {"I70234"};
    ck_assert_str_eq(hccs_of(a, N(a)), "263");
    /* Z944 -> 62 (dx:8173), K7291 -> 63 (dx:4062), R4020 -> 202 (dx:5817).
     * hier:29 62,63 drops 63; hier:36 63,202 drops 202 (63 was present); there is no
     * "62,202" row -> {62} */
    const char *b[] = {"Z944", "K7291", "R4020"};
    ck_assert_str_eq(hccs_of(b, N(b)), "62");
    /* without 63, 202 stays -> {62, 202} */
    const char *c[] = {"Z944", "R4020"};
    ck_assert_str_eq(hccs_of(c, N(c)), "62 202");
}
END_TEST

START_TEST(test_duplicates_unknown_empty)
{
    /* E119 three times and E1165 -> 38 (dx:1848): one HCC */
    const char *a[] = {"E119", "E119", "E1165", "E119"};
    ck_assert_int_eq(count(a, N(a)), 1);
    /* no row for any: falls codes, junk, lowercase, dotted, too long, empty, NULL */
    const char *b[] = {"Z9181", NULL, "R296", "", "XXXXXXXXXX", "e119", "E11.9", "S72001AA"};
    ck_assert_int_eq(count(b, N(b)), 0);
    /* unknown codes next to a known one */
    const char *c[] = {"Z9181", "E119", NULL, "R296"};
    ck_assert_int_eq(count(c, N(c)), 1);
    /* the empty set */
    ck_assert_int_eq(count(NULL, 0), 0);
    ck_assert_int_eq(count(a, 0), 0);
    ck_assert_int_eq(hcc_count(NULL, a, N(a)), 0);
}
END_TEST

/* The fixed-size variant: 8-byte fields, NUL-terminated unless all 8 are used. */
START_TEST(test_count_icd)
{
    /* E1122 37, E119 38 (dropped: hier:28), I509 226, an 8-character field (no code),
     * an empty field -> {37, 226} */
    const char codes[][8] = {"E1122", "E119", "I509", {'S', '7', '2', '0', '0', '1', 'A', 'X'}, ""};
    ck_assert_int_eq(hcc_count_icd(m, codes, N(codes)), 2);
    /* a 7-character code fills the field with its NUL: S72001A -> 402 */
    const char hip[][8] = {"S72001A"};
    ck_assert_int_eq(hcc_count_icd(m, hip, 1), 1);
    ck_assert_int_eq(hcc_count_icd(m, codes, 0), 0);
}
END_TEST

/* ---- parsing small tables ---------------------------------------------------------- */

static int parse(const char *dx, const char *hier, hcc_model **out, char *err, size_t errlen)
{
    return hcc_model_parse(dx, strlen(dx), hier, strlen(hier), out, err, errlen);
}

/* The table is refused with a message naming table and line. */
static void refused(const char *dx, const char *hier, const char *where, const char *what)
{
    hcc_model *x = (hcc_model *)&x; /* must come back NULL */
    char err[256] = "";
    ck_assert_int_eq(parse(dx, hier, &x, err, sizeof err), -EINVAL);
    ck_assert_ptr_null(x);
    ck_assert_msg(strstr(err, where) != NULL, "want \"%s\" in: %s", where, err);
    ck_assert_msg(strstr(err, what) != NULL, "want \"%s\" in: %s", what, err);
}

static const char DX_OK[] = "diagnosis_code,cc\nE119,38\nE1122,37\n";
static const char HIER_OK[] = "cc_parent,cc_child\n37,38\n";

START_TEST(test_parse_errors)
{
    /* malformed rows of the diagnosis table (line 3 is the second data row) */
    refused("diagnosis_code,cc\nE119,38\nE1122,thirty-seven\n", HIER_OK,
            "cms_hcc_v28_dx_to_hcc.csv:3:", "cc is not an HCC number 1-999: \"thirty-seven\"");
    refused("diagnosis_code,cc\nE119,38\nE1122\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:3:",
            "1 column instead of 2");
    refused("diagnosis_code,cc\nE119,38,V28\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:",
            "3 columns instead of 2");
    refused("diagnosis_code,cc\nE119,\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:", "empty column");
    refused("diagnosis_code,cc\nE11.9,38\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:",
            "not an ICD-10-CM code without dot");
    refused("diagnosis_code,cc\ne119,38\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:", "\"e119\"");
    refused("diagnosis_code,cc\nS72001AX,402\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:",
            "\"S72001AX\"");
    refused("diagnosis_code,cc\nE119,0\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:", "\"0\"");
    refused("diagnosis_code,cc\nE119,1000\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:", "\"1000\"");
    refused("diagnosis_code,cc\nE119,-38\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:", "\"-38\"");
    /* headers: missing, swapped tables, empty file, header only */
    refused("E119,38\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:1:",
            "expected the header diagnosis_code,cc, found \"E119,38\"");
    refused(HIER_OK, DX_OK, "cms_hcc_v28_dx_to_hcc.csv:1:", "expected the header");
    refused("", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv", "empty");
    refused("diagnosis_code,cc\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv", "no rows");
    refused(DX_OK, "", "cms_hcc_v28_hierarchies.csv", "empty");
    refused(DX_OK, "parent,child\n37,38\n", "cms_hcc_v28_hierarchies.csv:1:",
            "expected the header cc_parent,cc_child");
    /* malformed rows of the hierarchy table */
    refused(DX_OK, "cc_parent,cc_child\n37,38\n37\n", "cms_hcc_v28_hierarchies.csv:3:",
            "1 column instead of 2");
    refused(DX_OK, "cc_parent,cc_child\nHCC37,38\n", "cms_hcc_v28_hierarchies.csv:2:",
            "cc_parent is not an HCC number 1-999: \"HCC37\"");
    refused(DX_OK, "cc_parent,cc_child\n37,x\n", "cms_hcc_v28_hierarchies.csv:2:",
            "cc_child is not an HCC number");
    refused(DX_OK, "cc_parent,cc_child\n37,37\n", "cms_hcc_v28_hierarchies.csv:2:",
            "cannot drop itself");
    /* a cycle 36 -> 37 -> 38 -> 36, reported at the row that closes it */
    refused(DX_OK, "cc_parent,cc_child\n36,37\n37,38\n\n38,36\n", "cms_hcc_v28_hierarchies.csv:5:",
            "cycle");
    /* line numbers count blank lines */
    refused("diagnosis_code,cc\n\nE119,38\n\nE1122,x\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:5:",
            "\"x\"");
    /* unprintable bytes are shown as '?' */
    refused("diagnosis_code,cc\nE1\x01" "9,38\n", HIER_OK, "cms_hcc_v28_dx_to_hcc.csv:2:", "\"E1?9\"");
}
END_TEST

START_TEST(test_parse_accepts)
{
    hcc_model *x;
    char err[256];
    /* BOM, CRLF, blank lines, spaces around fields, no final newline, a repeated row and
     * a repeated pair */
    static const char dx[] = "\xEF\xBB\xBF" "diagnosis_code,cc\r\n\r\n E119 , 38\r\nE1122,37\r\n"
                             "E119,38\r\nB377,6\r\nB377,2";
    static const char hier[] = "cc_parent,cc_child\r\n37,38\r\n37,38\r\n";
    ck_assert_msg(parse(dx, hier, &x, err, sizeof err) == 0, "%s", err);
    hcc_model_info info = hcc_model_describe(x);
    ck_assert_uint_eq(info.rows, 4);  /* E119 38, E1122 37, B377 2, B377 6 */
    ck_assert_uint_eq(info.codes, 3);
    ck_assert_uint_eq(info.hccs, 4);
    ck_assert_int_eq(info.max_hcc, 38);
    ck_assert_uint_eq(info.hierarchies, 1);
    int h[4];
    ck_assert_int_eq(hcc_lookup(x, "E119", h, 4), 1); /* the repeated row counts once */
    const char *codes[] = {"E119", "E1122", "B377"};
    ck_assert_int_eq(hcc_count(x, codes, 3), 3); /* {2, 6, 37}: 37,38 drops 38 */
    hcc_model_free(x);

    /* a header-only hierarchy table: no hierarchies, 37 and 38 both count */
    ck_assert_msg(parse(DX_OK, "cc_parent,cc_child\n", &x, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(hcc_count(x, codes, 2), 2);
    hcc_model_free(x);

    /* the order of hierarchy rows does not matter: 36 > 37 > 38 listed bottom-up */
    static const char dx3[] = "diagnosis_code,cc\nE1010,36\nE1122,37\nE119,38\n";
    const char *all3[] = {"E119", "E1122", "E1010"};
    ck_assert(parse(dx3, "cc_parent,cc_child\n37,38\n36,37\n36,38\n", &x, err, sizeof err) == 0);
    ck_assert_int_eq(hcc_count(x, all3, 3), 1);
    hcc_model_free(x);
    ck_assert(parse(dx3, "cc_parent,cc_child\n36,38\n36,37\n37,38\n", &x, err, sizeof err) == 0);
    ck_assert_int_eq(hcc_count(x, all3, 3), 1);
    hcc_model_free(x);

    /* NULL buffers are empty tables */
    ck_assert_int_eq(hcc_model_parse(NULL, 0, NULL, 0, &x, err, sizeof err), -EINVAL);
    ck_assert_ptr_null(x);
    hcc_model_free(NULL);
}
END_TEST

START_TEST(test_load_errors)
{
    hcc_model *x = (hcc_model *)&x;
    char err[512];
    ck_assert_int_eq(hcc_model_load("/nonexistent", &x, err, sizeof err), -ENOENT);
    ck_assert_ptr_null(x);
    ck_assert_msg(strstr(err, "/nonexistent/cms_hcc_v28_dx_to_hcc.csv"), "%s", err);
    ck_assert_msg(strstr(err, "episodes/common/README.md"), "%s", err);
}
END_TEST

Suite *suite_hcc(void)
{
    Suite *s = suite_create("hcc");
    TCase *tc = tcase_create("tables");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tables_load);
    tcase_add_test(tc, test_every_row_found);
    tcase_add_test(tc, test_lookup);
    tcase_add_test(tc, test_diabetes);
    tcase_add_test(tc, test_heart_failure);
    tcase_add_test(tc, test_no_extra_edits);
    tcase_add_test(tc, test_copd_and_hip_fracture);
    tcase_add_test(tc, test_many_hccs);
    tcase_add_test(tc, test_hierarchy_presence);
    tcase_add_test(tc, test_duplicates_unknown_empty);
    tcase_add_test(tc, test_count_icd);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("parse");
    tcase_add_test(tp, test_parse_errors);
    tcase_add_test(tp, test_parse_accepts);
    tcase_add_test(tp, test_load_errors);
    suite_add_tcase(s, tp);
    return s;
}
