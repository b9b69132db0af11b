/*
 * tests/test_hcc.c: core/catalog/hcc.c, CMS-HCC V28 payment HCC counts (docs/methodology.md section 4, step 3), on
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

#include "base/date.h"
#include "catalog/hcc.h"
#include "catalog/hcc_filter.h"
#include "catalog/hcc_score.h"
#include "suites.h"
#include "base/util.h"

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


/* ---- the risk adjustment claim filter (hcc_filter.h) ------------------------------- */

static cara_icd dx_j449[] = {"J449"}, dx_e1122[] = {"E1122"}, dx_i509[] = {"I509"};

/* A one-line claim starting on 2026-12-01. */
static cara_claim_line claim(const char *id, int type, const char *bill, const char *hcpcs,
                             cara_icd *dx)
{
    cara_claim_line l;
    memset(&l, 0, sizeof l);
    l.claim_id = id;
    l.claim_type = type;
    l.claim_start = l.service_date = date_from_ymd(2026, 12, 1);
    snprintf(l.bill_type, sizeof l.bill_type, "%s", bill);
    snprintf(l.hcpcs, sizeof l.hcpcs, "%s", hcpcs);
    l.n_dx = 1;
    l.dx = dx;
    return l;
}

static int collect_n(const cara_claim_line *lines, size_t n)
{
    hcc_set s;
    cara_date day = date_from_ymd(2026, 12, 1);
    hcc_collect(m, lines, n, day - 10, day + 10, &s);
    return s.n;
}

/* J449 (dx:3816 J449,280) on a DME claim no longer counts; the old rule (every claim in
 * the lookback) counted it: 1. On a professional office visit it counts. */
START_TEST(test_filter_dme)
{
    cara_claim_line dme = claim("D1", CARA_CLAIM_DME, "", "E0114", dx_j449);
    ck_assert_int_eq(hcc_line_filter(hcc_model_eligible(m), &dme), HCC_LINE_DME);
    ck_assert_int_eq(collect_n(&dme, 1), 0);
    cara_claim_line visit = claim("P1", CARA_CLAIM_PROFESSIONAL, "", "99213", dx_j449);
    ck_assert_int_eq(collect_n(&visit, 1), 1);
    cara_claim_line both[] = {dme, visit};
    hcc_set s;
    hcc_collect(m, both, 2, visit.claim_start, visit.claim_start, &s);
    ck_assert(s.n == 1 && hcc_set_has(&s, 280));
}
END_TEST

/* Outpatient 13x counts with an eligible code (G0463, clinic visit, in the shipped
 * table) and not without (80053, a lab panel, is not); inpatient 11x counts with no
 * code; SNF 21x never. */
START_TEST(test_filter_outpatient)
{
    cara_claim_line visit = claim("O1", CARA_CLAIM_INSTITUTIONAL, "131", "G0463", dx_e1122);
    cara_claim_line lab = claim("O2", CARA_CLAIM_INSTITUTIONAL, "131", "80053", dx_j449);
    cara_claim_line stay = claim("I1", CARA_CLAIM_INSTITUTIONAL, "111", "", dx_i509);
    cara_claim_line snf = claim("S1", CARA_CLAIM_INSTITUTIONAL, "211", "", dx_j449);
    ck_assert_int_eq(collect_n(&visit, 1), 1); /* dx:1731 E1122,37 */
    ck_assert_int_eq(collect_n(&lab, 1), 0);
    ck_assert_int_eq(hcc_line_filter(hcc_model_eligible(m), &lab), HCC_LINE_HCPCS);
    ck_assert_int_eq(collect_n(&stay, 1), 1); /* dx:3039 I509,226 */
    ck_assert_int_eq(hcc_line_filter(hcc_model_eligible(m), &snf), HCC_LINE_BILL_TYPE);
    cara_claim_line all[] = {visit, lab, stay, snf};
    hcc_set s;
    hcc_collect(m, all, N(all), visit.claim_start - 180, visit.claim_start, &s);
    int h[4];
    ck_assert_int_eq(hcc_set_list(&s, h, 4), 2);
    ck_assert(h[0] == 37 && h[1] == 226);
    /* a claim outside [from, to] is not read */
    hcc_collect(m, all, N(all), visit.claim_start + 1, visit.claim_start + 180, &s);
    ck_assert_int_eq(s.n, 0);
}
END_TEST

/* Every bill type class by its first two digits; professional lines; no table = no
 * CPT/HCPCS check. */
START_TEST(test_filter_bill_types)
{
    static const char t[] = "hcpcs_code\n99213\n";
    hcc_hcpcs_list *l;
    char err[256];
    ck_assert_int_eq(hcc_hcpcs_parse(t, strlen(t), "t.csv", &l, err, sizeof err), 0);
    static const struct {
        const char *bill;
        int verdict;
    } cases[] = {{"111", HCC_LINE_COUNTS},    {"411", HCC_LINE_COUNTS},
                 {"121", HCC_LINE_COUNTS},    {"131", HCC_LINE_COUNTS},
                 {"431", HCC_LINE_COUNTS},    {"711", HCC_LINE_COUNTS},
                 {"731", HCC_LINE_COUNTS},    {"761", HCC_LINE_COUNTS},
                 {"771", HCC_LINE_COUNTS},    {"851", HCC_LINE_COUNTS},
                 {"871", HCC_LINE_COUNTS},    {"211", HCC_LINE_BILL_TYPE},
                 {"321", HCC_LINE_BILL_TYPE}, {"721", HCC_LINE_BILL_TYPE},
                 {"811", HCC_LINE_BILL_TYPE}, {"", HCC_LINE_BILL_TYPE}};
    for (size_t i = 0; i < N(cases); i++) {
        cara_claim_line c = claim("X", CARA_CLAIM_INSTITUTIONAL, cases[i].bill, "99213", dx_j449);
        ck_assert_msg((int)hcc_line_filter(l, &c) == cases[i].verdict, "bill type %s",
                      cases[i].bill);
    }
    cara_claim_line out = claim("X", CARA_CLAIM_INSTITUTIONAL, "131", "71046", dx_j449);
    cara_claim_line pro = claim("X", CARA_CLAIM_PROFESSIONAL, "", "71046", dx_j449);
    ck_assert_int_eq(hcc_line_filter(l, &out), HCC_LINE_HCPCS);
    ck_assert_int_eq(hcc_line_filter(l, &pro), HCC_LINE_HCPCS);
    ck_assert_int_eq(hcc_line_filter(NULL, &out), HCC_LINE_COUNTS);
    ck_assert_int_eq(hcc_line_filter(NULL, &pro), HCC_LINE_COUNTS);
    hcc_hcpcs_free(l);
}
END_TEST

/* Codes and ranges: a range holds the codes of its shape only. */
START_TEST(test_hcpcs_table)
{
    static const char t[] = "\xEF\xBB\xBFhcpcs_code,description\r\n"
                            "99213,office visit\r\n"
                            "\r\n"
                            "10004-69990,\"surgery, all of it\"\r\n"
                            "G0438-G0439,awv\r\n"
                            "99213,again\r\n";
    hcc_hcpcs_list *l;
    char err[256];
    ck_assert_msg(hcc_hcpcs_parse(t, strlen(t), "t.csv", &l, err, sizeof err) == 0, "%s", err);
    size_t codes, ranges;
    hcc_hcpcs_describe(l, &codes, &ranges);
    ck_assert(codes == 1 && ranges == 2);
    ck_assert(hcc_hcpcs_listed(l, "99213") && !hcc_hcpcs_listed(l, "99211"));
    ck_assert(hcc_hcpcs_listed(l, "10004") && hcc_hcpcs_listed(l, "36415") &&
              hcc_hcpcs_listed(l, "69990") && !hcc_hcpcs_listed(l, "69991"));
    ck_assert(!hcc_hcpcs_listed(l, "1234F")); /* inside 10004-69990 as text, not a CPT I code */
    ck_assert(hcc_hcpcs_listed(l, "G0439") && !hcc_hcpcs_listed(l, "G0440"));
    ck_assert(!hcc_hcpcs_listed(l, "") && !hcc_hcpcs_listed(l, NULL));
    hcc_hcpcs_free(l);
    /* the shipped table: the codes of the fixtures, not lab, imaging, Category II or DME */
    const hcc_hcpcs_list *sh = hcc_model_eligible(m);
    ck_assert_ptr_nonnull(sh);
    ck_assert(hcc_hcpcs_listed(sh, "99213") && hcc_hcpcs_listed(sh, "97161") &&
              hcc_hcpcs_listed(sh, "G0463") && hcc_hcpcs_listed(sh, "G0439"));
    ck_assert(!hcc_hcpcs_listed(sh, "80053") && !hcc_hcpcs_listed(sh, "71046") &&
              !hcc_hcpcs_listed(sh, "3288F") && !hcc_hcpcs_listed(sh, "E0114") &&
              !hcc_hcpcs_listed(sh, "36415") && !hcc_hcpcs_listed(sh, "99211"));
}
END_TEST

static void hcpcs_fails(const char *t, const char *want)
{
    hcc_hcpcs_list *l = (hcc_hcpcs_list *)&l;
    char err[256] = "";
    ck_assert_int_eq(hcc_hcpcs_parse(t, strlen(t), "t.csv", &l, err, sizeof err), -EINVAL);
    ck_assert_ptr_null(l);
    ck_assert_msg(strstr(err, want), "got \"%s\", want \"%s\"", err, want);
}

START_TEST(test_hcpcs_table_errors)
{
    hcpcs_fails("code\n99213\n", "t.csv:1: expected a header whose first column is hcpcs_code");
    hcpcs_fails("", "t.csv:1: expected a header");
    hcpcs_fails("hcpcs_code\n", "t.csv: no codes after the header");
    hcpcs_fails("hcpcs_code\n99213\n9921\n",
                "t.csv:3: hcpcs_code \"9921\" is not a CPT/HCPCS code (5 uppercase letters or "
                "digits) or a range FROM-TO of two");
    hcpcs_fails("hcpcs_code\ng0439\n", "t.csv:2: hcpcs_code \"g0439\"");
    hcpcs_fails("hcpcs_code\n1000F-69990\n", "t.csv:2: hcpcs_code range \"1000F-69990\" is not "
                                             "FROM-TO with two codes of the same shape");
    hcpcs_fails("hcpcs_code\n69990-10004\n", "and FROM <= TO");
}
END_TEST

/* ---- the V28 score (hcc_score.h) ----------------------------------------------------- */

/* The CCs (before hierarchies) of some codes. */
static hcc_set ccs_of(const char *const *codes, size_t n)
{
    hcc_set s;
    hcc_set_clear(&s);
    for (size_t i = 0; i < n; i++) hcc_set_add_code(m, &s, codes[i], 8);
    return s;
}

static hcc_score score_of(const hcc_person *p, const char *const *codes, size_t n)
{
    hcc_set s = ccs_of(codes, n);
    hcc_score sc;
    char err[256];
    ck_assert_msg(hcc_score_v28(m, hcc_model_coefs(m), &s, p, &sc, err, sizeof err) == 0, "%s",
                  err);
    return sc;
}

/* A woman of 72, non-dual, aged, community, with HCC 37 (dx:1731 E1122,37) and HCC 226
 * (dx:3039 I509,226), from cms_hcc_v28_coefficients.csv:
 *   CNA_F70_74 0.395 + CNA_HCC37 0.166 + CNA_HCC226 0.360
 *   + CNA_DIABETES_HF_V28 0.112 (diabetes 35-38 with heart failure 221-226) + CNA_D2 0
 *   = 1.033 (10330 x 10,000).
 * Payment score, normalization 1.015 and coding intensity 5.90%:
 *   1.033 / 1.015 = 1.017734 -> 1.018; 1.018 x (1 - 0.059) = 0.957938 -> 0.958 (9580).
 * Normalization 1.000: 1.033 -> 1.033; x 0.941 = 0.972053 -> 0.972 (9720). */
START_TEST(test_score_hand)
{
    hcc_person p = {'F', 72, HCC_NON_DUAL, 0, 0};
    const char *codes[] = {"E1122", "I509"};
    hcc_score sc = score_of(&p, codes, N(codes));
    ck_assert_str_eq(sc.segment, "CNA");
    ck_assert_int_eq(sc.demographic, 3950);
    ck_assert_int_eq(sc.hccs, 1660 + 3600);
    ck_assert_int_eq(sc.interactions, 1120);
    ck_assert_int_eq(sc.raw, 10330);
    ck_assert_int_eq(sc.count, 2);
    int64_t pay;
    ck_assert_int_eq(hcc_score_payment(sc.raw, 10150, 590, &pay), 0);
    ck_assert_int_eq(pay, 9580);
    ck_assert_int_eq(hcc_score_payment(sc.raw, 10000, 590, &pay), 0);
    ck_assert_int_eq(pay, 9720);
}
END_TEST

/* Published: hccinfhir's tests (tests/test_hccinfhir.py, test_model_realcases) score a
 * man of 70, dual code 00, with no diagnoses, at 0.396 under V28: CNA_M70_74 0.396. */
START_TEST(test_score_published)
{
    hcc_person p = {'M', 70, HCC_NON_DUAL, 0, 0};
    hcc_score sc = score_of(&p, NULL, 0);
    ck_assert_int_eq(sc.raw, 3960);
    ck_assert_int_eq(sc.count, 0);
    int64_t pay;
    ck_assert_int_eq(hcc_score_payment(sc.raw, 10000, 0, &pay), 0);
    ck_assert_int_eq(pay, 3960);
}
END_TEST

/* Segments from beneficiary data: dual codes, age on February 1, the disabled status of
 * an earlier span, the institutional choice. */
START_TEST(test_segments)
{
    cara_enrollment spans[] = {
        {date_from_ymd(2020, 1, 1), date_from_ymd(2021, 12, 31), "00", "20", 0},
        {date_from_ymd(2022, 1, 1), CARA_DATE_NONE, "02", "10", 0}};
    cara_beneficiary b = {.struct_size = sizeof(cara_beneficiary), .person_id = "P",
                          .gender = 'F', .birth = date_from_ymd(1955, 2, 2),
                          .death = CARA_DATE_NONE, .enrollment = CARA_ARRAY_INIT(spans, 2),
                          .alignment = {NULL, 0, sizeof(cara_alignment)}};
    cara_date day0 = date_from_ymd(2027, 6, 1);
    hcc_person p = hcc_person_of(&b, day0, 0);
    /* born 1955-02-02: 71 on 2027-02-01 (72 on day 0) */
    ck_assert_int_eq(p.age, 71);
    ck_assert_int_eq(p.dual, HCC_FULL_DUAL);
    ck_assert_int_eq(p.orig_disabled, 1);
    /* CFA_F70_74 0.506 + CFA_OriginallyDisabled_Female 0.160 = 0.666 */
    hcc_score sc = score_of(&p, NULL, 0);
    ck_assert_str_eq(sc.segment, "CFA");
    ck_assert_int_eq(sc.raw, 6660);
    /* partial dual 03: CPA_F70_74 0.423 + CPA_OriginallyDisabled_Female 0.103 = 0.526 */
    spans[1].dual_status[1] = '3';
    p = hcc_person_of(&b, day0, 0);
    sc = score_of(&p, NULL, 0);
    ck_assert_str_eq(sc.segment, "CPA");
    ck_assert_int_eq(sc.raw, 5260);
    /* institutional: INS_F70_74 1.119 + INS_ORIGDS 0 + INS_LTIMCAID 0.130 = 1.249 */
    p = hcc_person_of(&b, day0, 1);
    sc = score_of(&p, NULL, 0);
    ck_assert_str_eq(sc.segment, "INS");
    ck_assert_int_eq(sc.raw, 12490);
    /* under 65 on February 1: disabled, never "originally"; 09 is not a dual code:
     * CND_F60_64 0.436 */
    b.birth = date_from_ymd(1965, 3, 1);
    snprintf(spans[1].dual_status, sizeof spans[1].dual_status, "09");
    p = hcc_person_of(&b, day0, 0);
    ck_assert(p.age == 61 && p.orig_disabled == 0 && p.dual == HCC_NON_DUAL);
    sc = score_of(&p, NULL, 0);
    ck_assert_str_eq(sc.segment, "CND");
    ck_assert_int_eq(sc.raw, 4360);
}
END_TEST

/* CMS's V28 edit: HCC 223 (dx:8178 Z95811,223) only with another heart failure HCC.
 * Alone it goes (the count of the reference methodology keeps it: 1); with I509 (226)
 * it stays and drops 226 (hier: 223,226): CNA_F70_74 0.395 + CNA_HCC223 2.505 + D1 0. */
START_TEST(test_score_hcc223_edit)
{
    hcc_person p = {'F', 72, HCC_NON_DUAL, 0, 0};
    const char *alone[] = {"Z95811"}, *with_hf[] = {"Z95811", "I509"};
    ck_assert_int_eq(count(alone, 1), 1);
    hcc_score sc = score_of(&p, alone, 1);
    ck_assert(sc.count == 0 && sc.raw == 3950);
    sc = score_of(&p, with_hf, 2);
    ck_assert(sc.count == 1 && sc.raw == 3950 + 25050);
}
END_TEST

/* Payment rounding: three decimals, half away from zero, after each step. */
START_TEST(test_score_payment_rounding)
{
    int64_t pay;
    ck_assert_int_eq(hcc_score_payment(10005, 10000, 0, &pay), 0); /* 1.0005 -> 1.001 */
    ck_assert_int_eq(pay, 10010);
    ck_assert_int_eq(hcc_score_payment(10004, 10000, 0, &pay), 0); /* 1.0004 -> 1.000 */
    ck_assert_int_eq(pay, 10000);
    ck_assert_int_eq(hcc_score_payment(10000, 10000, 5000, &pay), 0); /* 1.000 x 0.5 */
    ck_assert_int_eq(pay, 5000);
    ck_assert_int_eq(hcc_score_payment(10000, 0, 0, &pay), -1);
    ck_assert_int_eq(hcc_score_payment(10000, 10000, 10001, &pay), -1);
}
END_TEST

static void coefs_fails(const char *t, const char *want)
{
    hcc_coefs *c = (hcc_coefs *)&c;
    char err[256] = "";
    ck_assert_int_eq(hcc_coefs_parse(t, strlen(t), "c.csv", &c, err, sizeof err), -EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err, want), "got \"%s\", want \"%s\"", err, want);
}

START_TEST(test_coefs_table)
{
    ck_assert_uint_eq(hcc_coefs_count(hcc_model_coefs(m)), 1237); /* 1238 lines - header */
    int64_t v;
    ck_assert(hcc_coef(hcc_model_coefs(m), "cna_hcc37", &v) && v == 1660); /* any case */
    ck_assert(!hcc_coef(hcc_model_coefs(m), "CNA_HCC999", &v) && v == 0);
    coefs_fails("name,value\nCNA_D1,0\n", "c.csv:1: expected the header coefficient,value");
    coefs_fails("coefficient,value\n", "c.csv: no rows after the header");
    coefs_fails("coefficient,value\nCNA_D1,0.12345\n",
                "c.csv:2: value \"0.12345\" of CNA_D1:");
    coefs_fails("coefficient,value\nCNA_D1,-1\n", "c.csv:2: value \"-1\" of CNA_D1");
    coefs_fails("coefficient,value\nCNA D1,0\n", "c.csv:2: coefficient \"CNA D1\" is not a variable name");
    coefs_fails("coefficient,value\nCNA_D1,0\ncna_d1,1\n",
                "c.csv:3: coefficient CNA_D1 is given again (first on line 2)");
    coefs_fails("coefficient,value\nCNA_D1\n", "c.csv:2: 1 columns instead of 2");
    /* a table without the person's cell is an error naming it */
    static const char t[] = "coefficient,value\nCNA_F65_69,0.33\n";
    hcc_coefs *c;
    char err[256];
    ck_assert_int_eq(hcc_coefs_parse(t, strlen(t), "c.csv", &c, err, sizeof err), 0);
    hcc_person p = {'F', 72, HCC_NON_DUAL, 0, 0};
    hcc_set s;
    hcc_set_clear(&s);
    hcc_score sc;
    ck_assert_int_eq(hcc_score_v28(m, c, &s, &p, &sc, err, sizeof err), -EINVAL);
    ck_assert_msg(strstr(err, "cms_hcc_v28_coefficients.csv has no variable CNA_F70_74"), "%s", err);
    hcc_coefs_free(c);
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
    TCase *tf = tcase_create("filter");
    tcase_add_checked_fixture(tf, setup, teardown);
    tcase_add_test(tf, test_filter_dme);
    tcase_add_test(tf, test_filter_outpatient);
    tcase_add_test(tf, test_filter_bill_types);
    tcase_add_test(tf, test_hcpcs_table);
    tcase_add_test(tf, test_hcpcs_table_errors);
    suite_add_tcase(s, tf);
    TCase *ts = tcase_create("score");
    tcase_add_checked_fixture(ts, setup, teardown);
    tcase_add_test(ts, test_score_hand);
    tcase_add_test(ts, test_score_published);
    tcase_add_test(ts, test_segments);
    tcase_add_test(ts, test_score_hcc223_edit);
    tcase_add_test(ts, test_score_payment_rounding);
    tcase_add_test(ts, test_coefs_table);
    suite_add_tcase(s, ts);
    return s;
}
