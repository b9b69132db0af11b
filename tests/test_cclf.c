/*
 * tests/test_cclf.c: CCLF layouts, CMS file names, record-length checks and the typed
 * field readers, on records built field by field from the packet's layouts.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/cclf.h"
#include "base/date.h"
#include "suites.h"

/* Every layout is contiguous and its fields add up to the record length; the record
 * lengths are the packet's (CCLF1 437, CCLF5 388, CCLF8 549, CCLF9 55). */
START_TEST(test_layouts)
{
    for (size_t i = 0; i < 12; i++) {
        const cclf_layout *l = &cclf_layouts[i];
        unsigned pos = 1;
        for (size_t k = 0; k < l->n; k++) {
            ck_assert_uint_eq(l->fields[k].start, pos);
            pos += l->fields[k].len;
        }
        ck_assert_uint_eq(pos - 1, l->reclen);
    }
    ck_assert_uint_eq(cclf_layout_for('1')->reclen, 437);
    ck_assert_uint_eq(cclf_layout_for('5')->reclen, 388);
    ck_assert_uint_eq(cclf_layout_for('8')->reclen, 549);
    ck_assert_uint_eq(cclf_layout_for('9')->reclen, 55);
    ck_assert_ptr_null(cclf_layout_for('C'));
    const cclf_field *f = cclf_field_named(cclf_layout_for('5'), "CLM_FROM_DT");
    ck_assert_uint_eq(f->start, 48);
    ck_assert_int_eq(f->kind, 'D');
    ck_assert_ptr_null(cclf_field_named(cclf_layout_for('5'), "NOPE"));
}
END_TEST

/* CMS file names: production and test, every file id, and what is not a name. */
START_TEST(test_names)
{
    cclf_name n;
    ck_assert_int_eq(cclf_name_parse("P.A1234.ACO.ZC1Y27.D270115.T1200000", &n), 0);
    ck_assert_int_eq(n.env, 'P');
    ck_assert_str_eq(n.aco, "A1234");
    ck_assert_int_eq(n.file, '1');
    ck_assert_int_eq(n.year, 2027);
    ck_assert_int_eq(n.date, date_from_ymd(2027, 1, 15));
    ck_assert_int_eq(cclf_name_parse("T.A1234.ACO.ZCBY28.D280301.T0930150", &n), 0);
    ck_assert_int_eq(n.env, 'T');
    ck_assert_int_eq(n.file, 'B');
    static const char *const files = "0123456789AB";
    for (const char *f = files; *f; f++) {
        char name[64];
        snprintf(name, sizeof name, "P.A9999.ACO.ZC%cY27.D270115.T1200000", *f);
        ck_assert_int_eq(cclf_name_parse(name, &n), 0);
        ck_assert_int_eq(n.file, *f);
    }
    static const char *const bad[] = {"medical_claim.csv", "X.A1234.ACO.ZC1Y27.D270115.T1200000",
                                      "P.A1234.ACO.ZCCY27.D270115.T1200000",
                                      "P.A1234.ACO.ZC1Y27.D271315.T1200000",
                                      "P.A1234.ACO.ZC1Y27.D270115.T120000",
                                      "P.A1234.ACO.ZC1Y27.D270115.T1200000.txt", "P..ACO.ZC1Y27.D270115.T1200000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(cclf_name_parse(bad[i], &n) == -EINVAL, "%s", bad[i]);
}
END_TEST

static void put(char *rec, const cclf_layout *l, const char *name, const char *value)
{
    const cclf_field *f = cclf_field_named(l, name);
    ck_assert_ptr_nonnull(f);
    size_t n = strlen(value);
    ck_assert_uint_le(n, f->len);
    memcpy(rec + f->start - 1, value, n);
}

static int count_rec(void *ud, const char *rec, size_t number)
{
    (void)rec;
    *(size_t *)ud = number;
    return 0;
}

/* Records one per line (LF or CRLF); a line of the wrong length names the record. */
START_TEST(test_records_and_fields)
{
    const cclf_layout *l = cclf_layout_for('5');
    char rec[400];
    memset(rec, ' ', l->reclen);
    rec[l->reclen] = '\0';
    put(rec, l, "CUR_CLM_UNIQ_ID", "0000000012345");
    put(rec, l, "BENE_MBI_ID", "1EG4TE5MK73");
    put(rec, l, "CLM_FROM_DT", "2027-01-04");
    put(rec, l, "CLM_THRU_DT", "1000-01-01");
    put(rec, l, "CLM_LINE_CVRD_PD_AMT", "-00000000123.45");
    put(rec, l, "CLM_LINE_ALOWD_CHRG_AMT", "         150.00");
    char buf[1024];
    snprintf(buf, sizeof buf, "%s\r\n%s\n", rec, rec);
    size_t last = 0;
    char err[256];
    ck_assert_int_eq(cclf_records(l, buf, strlen(buf), count_rec, &last, err, sizeof err), 2);
    ck_assert_uint_eq(last, 2);
    char text[32];
    ck_assert_uint_eq(cclf_text(rec, cclf_field_named(l, "BENE_MBI_ID"), text, sizeof text), 11);
    ck_assert_str_eq(text, "1EG4TE5MK73");
    cara_date d;
    ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_FROM_DT"), &d), 0);
    ck_assert_int_eq(d, date_from_ymd(2027, 1, 4));
    ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_THRU_DT"), &d), 1);      /* placeholder */
    ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_LINE_FROM_DT"), &d), 1); /* blank */
    int64_t c;
    ck_assert_int_eq(cclf_money(rec, cclf_field_named(l, "CLM_LINE_CVRD_PD_AMT"), &c), 0);
    ck_assert_int_eq(c, -12345);
    ck_assert_int_eq(cclf_money(rec, cclf_field_named(l, "CLM_LINE_ALOWD_CHRG_AMT"), &c), 0);
    ck_assert_int_eq(c, 15000);
    put(rec, l, "CLM_LINE_CVRD_PD_AMT", "00000000012.3X ");
    ck_assert_int_eq(cclf_money(rec, cclf_field_named(l, "CLM_LINE_CVRD_PD_AMT"), &c), -EINVAL);
    put(rec, l, "CLM_FROM_DT", "2027-02-30");
    ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_FROM_DT"), &d), -EINVAL);
    /* a short second record */
    snprintf(buf, sizeof buf, "%s\n%.*s\n", rec, 300, rec);
    ck_assert_int_eq(cclf_records(l, buf, strlen(buf), count_rec, &last, err, sizeof err), -EINVAL);
    ck_assert_str_eq(err, "record 2 is 300 characters long (CCLF5 records are 388)");
}
END_TEST

/* CCLF0: headings skipped; each CCLFx row gives its count and record length. */
START_TEST(test_summary)
{
    const cclf_layout *l = cclf_layout_for('0');
    char rows[4][80], buf[512] = "";
    static const char *const vals[4][4] = {
        {"File Number", "File Description", "Total Records Count", "Record Length"},
        {"CCLF1", "Part A Claims Header", "00000000000000001234", "437"},
        {"CCLF5", "Part B Physicians", "                 567", "0000000000388"},
        {"CCLF9", "BENE XREF", "3", "55"}};
    static const char *const names[4] = {"FileNumberLabel", "FileDescriptionLabel",
                                         "TotalRecordsCountLabel", "RecordLengthLabel"};
    for (int r = 0; r < 4; r++) {
        memset(rows[r], ' ', l->reclen);
        rows[r][l->reclen] = '\0';
        for (int k = 0; k < 4; k++) put(rows[r], l, names[k], vals[r][k]);
        strcat(strcat(buf, rows[r]), "\n");
    }
    cclf_count c[8];
    char err[256];
    ck_assert_msg(cclf_summary(buf, strlen(buf), c, 8, err, sizeof err) == 3, "%s", err);
    ck_assert_int_eq(c[0].file, '1');
    ck_assert_int_eq(c[0].records, 1234);
    ck_assert_int_eq(c[0].reclen, 437);
    ck_assert_int_eq(c[1].file, '5');
    ck_assert_int_eq(c[1].records, 567);
    ck_assert_int_eq(c[2].records, 3);
    put(rows[2], l, "TotalRecordsCountLabel", "12x4                ");
    snprintf(buf, sizeof buf, "%s\n%s\n", rows[0], rows[2]);
    ck_assert_int_eq(cclf_summary(buf, strlen(buf), c, 8, err, sizeof err), -EINVAL);
    ck_assert_str_eq(err, "record 2: CCLF5's record count and length must be digits");
}
END_TEST

static void xw_row(char *buf, const char *cur, const char *prev)
{
    const cclf_layout *l = cclf_layout_for('9');
    char rec[64];
    memset(rec, ' ', l->reclen);
    rec[l->reclen] = '\0';
    put(rec, l, "HICN_MBI_XREF_IND", "M");
    put(rec, l, "CRNT_NUM", cur);
    put(rec, l, "PRVS_NUM", prev);
    put(rec, l, "PRVS_ID_EFCTV_DT", "2019-01-01");
    strcat(strcat(buf, rec), "\n");
}

/* CCLF9: previous MBIs map to the current one, through chains; cycles are refused. */
START_TEST(test_crosswalk)
{
    char buf[1024] = "";
    xw_row(buf, "1EG4TE5MK74", "1EG4TE5MK73"); /* 73 -> 74 */
    xw_row(buf, "1EG4TE5MK75", "1EG4TE5MK74"); /* 74 -> 75: so 73 -> 75 */
    xw_row(buf, "2AA0AA0AA00", "2AA0AA0AA00"); /* no change: ignored */
    cclf_xwalk *x;
    char err[256];
    ck_assert_int_eq(cclf_xwalk_build(buf, strlen(buf), &x, err, sizeof err), 0);
    ck_assert_uint_eq(cclf_xwalk_size(x), 2);
    ck_assert_str_eq(cclf_xwalk_current(x, "1EG4TE5MK73"), "1EG4TE5MK75");
    ck_assert_str_eq(cclf_xwalk_current(x, "1EG4TE5MK74"), "1EG4TE5MK75");
    ck_assert_str_eq(cclf_xwalk_current(x, "1EG4TE5MK75"), "1EG4TE5MK75");
    ck_assert_str_eq(cclf_xwalk_current(x, "9ZZ9ZZ9ZZ99"), "9ZZ9ZZ9ZZ99");
    cclf_xwalk_free(x);
    buf[0] = '\0';
    xw_row(buf, "1EG4TE5MK74", "1EG4TE5MK73");
    xw_row(buf, "1EG4TE5MK73", "1EG4TE5MK74");
    ck_assert_int_eq(cclf_xwalk_build(buf, strlen(buf), &x, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "cycle"));
}
END_TEST

/* An empty CCLF9 is an empty crosswalk (its pairs were sorted as qsort(NULL, 0), undefined
 * behaviour that make SANITIZE=1 test stops at and make fuzz let pass before
 * -fno-sanitize-recover=all). */
START_TEST(test_crosswalk_empty)
{
    cclf_xwalk *x;
    char err[256];
    ck_assert_int_eq(cclf_xwalk_build("", 0, &x, err, sizeof err), 0);
    ck_assert_uint_eq(cclf_xwalk_size(x), 0);
    ck_assert_str_eq(cclf_xwalk_current(x, "1EG4TE5MK73"), "1EG4TE5MK73");
    cclf_xwalk_free(x);
}
END_TEST

/* The i-th valid MBI in mixed radix over the MBI alphabet (position kinds n a x d a x d
 * a a d d): 0 -> 1AA0AA0AA00, 1 -> 1AA0AA0AA01, ... all distinct. */
static void nth_mbi(long i, char out[12])
{
    static const char L[] = "ACDEFGHJKMNPQRTUVWXY", D[] = "0123456789",
                      X[] = "ACDEFGHJKMNPQRTUVWXY0123456789", N[] = "123456789";
    const char *al[11] = {N, L, X, D, L, X, D, L, L, D, D};
    for (int k = 10; k >= 0; k--) {
        size_t m = strlen(al[k]);
        out[k] = al[k][i % (long)m];
        i /= (long)m;
    }
    out[11] = '\0';
}

/* A 20,000-link chain (MBI 0 -> 1 -> ... -> 20000), its records in reverse order: every
 * previous MBI resolves to MBI 20000. Resolving it walked the chain from every link
 * (quadratic: 31 s with the store's re-keying, docs/performance.md); now each link
 * once. The mapping is checked, not the time. A long cycle is still refused. */
START_TEST(test_crosswalk_long_chain)
{
    enum { LINKS = 20000 };
    const cclf_layout *l = cclf_layout_for('9');
    size_t rl = l->reclen + 1;
    char *buf = malloc((LINKS + 1) * rl + 1), *p = buf;
    ck_assert_ptr_nonnull(buf);
    for (long i = LINKS - 1; i >= 0; i--) {
        char cur[12], prev[12];
        nth_mbi(i + 1, cur);
        nth_mbi(i, prev);
        char one[128] = "";
        xw_row(one, cur, prev);
        memcpy(p, one, rl);
        p += rl;
    }
    *p = '\0';
    cclf_xwalk *x;
    char err[256], last[12], mbi[12];
    ck_assert_msg(cclf_xwalk_build(buf, (size_t)(p - buf), &x, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cclf_xwalk_size(x), LINKS);
    nth_mbi(LINKS, last);
    for (long i = 0; i < LINKS; i++) {
        nth_mbi(i, mbi);
        ck_assert_str_eq(cclf_xwalk_current(x, mbi), last);
    }
    ck_assert_str_eq(cclf_xwalk_current(x, last), last);
    cclf_xwalk_free(x);
    /* close the chain: 20000 -> 0 makes it a cycle */
    char one[128] = "";
    nth_mbi(0, mbi);
    xw_row(one, mbi, last);
    memcpy(p, one, rl + 1);
    ck_assert_int_eq(cclf_xwalk_build(buf, (size_t)(p - buf) + rl, &x, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "cycle"));
    free(buf);
}
END_TEST

Suite *suite_cclf(void)
{
    Suite *s = suite_create("cclf");
    TCase *tc = tcase_create("cclf");
    tcase_add_test(tc, test_layouts);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_records_and_fields);
    tcase_add_test(tc, test_summary);
    tcase_add_test(tc, test_crosswalk);
    tcase_add_test(tc, test_crosswalk_empty);
    tcase_add_test(tc, test_crosswalk_long_chain);
    suite_add_tcase(s, tc);
    return s;
}
