/*
 * tests/test_cclf_packet.c: CCLF as CMS describes and delivers it, from the CCLF
 * Information Packet v36 (CCLF_IP_508_v36) and CMS's own test files, not from cara synth:
 *
 *   - the packet's Part A worked example (5.3.2, Tables 4-5) and its Part B example
 *     (Tables 6-7): which claims are final action, and the dollars;
 *   - the same records in separate deliveries loaded in reverse order (5.2.1: "the
 *     timing of the processing of the related claims is not always straightforward");
 *   - header-paid stays (3.5: revenue-center payments are relied on only when they sum
 *     to CLM_PMT_AMT), '~' fillers, denied claims and lines (3.2), run-out names (3.4,
 *     Appendix B: ZC{n}R{yy}), other entity prefixes, the zip bundle (4.2, Appendix C),
 *     CCLF9 HICN rows and a crosswalk that arrives after the claims it explains (3.1,
 *     5.1.1), CCLF8 alignment, reloading after --skip-bad;
 *   - BCDA's CCLF8/CCLF9 test files (public-data/bcda_cclf, CMSgov/bcda-app).
 *
 * Every expected figure is worked out by hand in the comments.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "feeds/cclf.h"
#include "cclf_build.h"
#include "feeds/cclf_bundle.h"
#include "helpers.h"
#include "load/load_csv.h"
#include "load/load_feed.h"
#include "suites.h"
#include "base/util.h"

#define MBI "6U50TE7GG18"  /* the packet's most recent MBI (5.1.1) */
#define MBI_OLD "1EG4TE5MK73"
#define NPI_FAC "1234567893"
#define NPI_PT "1003347634"

static char dir[64];
static store *db;
static char *errs;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-packet", &db);
    errs = NULL;
}

static void teardown(void)
{
    store_close(db);
    free(errs);
    th_rmdir(dir);
}

static long long q(const char *sql) { return th_q(db, sql); }
static char qs_buf[256];
static const char *qs(const char *sql) { return th_qs(db, sql, qs_buf); }
#define HAS(s) ck_assert_msg(errs && strstr(errs, s), "output lacks '%s':\n%s", s, errs)

static int deliver(delivery *d) { return deliver_to(dir, db, d, 1, 0, 0, &errs, NULL); }

/* Paid cents of the priced (current) claims and lines. */
static long long priced(void)
{
    return q("SELECT coalesce(sum(l.paid_cents), 0) FROM claim_lines l JOIN claims c USING "
             "(claim_id) WHERE c.status = 'current' AND l.denied = 0");
}

/* A CCLF1 header of the packet's Table 4: CCN 654321, from/thru, MBI, paid, type,
 * effective date (the IDR load date the same). */
static void hdr(rec *r, const char *cur, const char *from, const char *thru, const char *paid,
                const char *adj, const char *eff)
{
    rec_init(r, '1');
    set(r, "CUR_CLM_UNIQ_ID", cur);
    set(r, "PRVDR_OSCAR_NUM", "654321");
    set(r, "BENE_MBI_ID", MBI);
    set(r, "CLM_TYPE_CD", "60");
    set(r, "CLM_FROM_DT", from);
    set(r, "CLM_THRU_DT", thru);
    set(r, "CLM_BILL_FAC_TYPE_CD", "1");
    set(r, "CLM_BILL_CLSFCTN_CD", "1");
    set(r, "CLM_BILL_FREQ_CD", "1");
    set(r, "PRNCPL_DGNS_CD", "S72001A");
    set(r, "CLM_PMT_AMT", paid);
    set(r, "BENE_PTNT_STUS_CD", "01");
    set(r, "FAC_PRVDR_NPI_NUM", NPI_FAC);
    set(r, "CLM_ADJSMT_TYPE_CD", adj);
    set(r, "CLM_EFCTV_DT", eff);
    set(r, "CLM_IDR_LD_DT", eff);
    set(r, "CLM_BLG_PRVDR_OSCAR_NUM", "654321");
    set(r, "DGNS_PRCDR_ICD_IND", "0");
}

/* Table 4, row by row (CLM#, PAID, ADJ_TYPE, EFCTV_DT; claims 1-6 share the natural key
 * 654321 + 07/01/12 + 07/08/12 + 6U50TE7GG18, claim 7 is another stay). */
static void table4(rec r[7])
{
    hdr(&r[0], "1", "2012-07-01", "2012-07-08", "200.00", "0", "2012-07-20");
    hdr(&r[1], "2", "2012-07-01", "2012-07-08", "0.00", "2", "2012-09-20");
    hdr(&r[2], "3", "2012-07-01", "2012-07-08", "200.00", "1", "2012-08-07");
    hdr(&r[3], "4", "2012-07-01", "2012-07-08", "210.00", "2", "2012-09-20");
    hdr(&r[4], "5", "2012-07-01", "2012-07-08", "0.00", "2", "2012-08-07");
    hdr(&r[5], "6", "2012-07-01", "2012-07-08", "0.00", "1", "2012-10-07");
    hdr(&r[6], "7", "2012-08-20", "2012-08-29", "50.00", "0", "2012-09-20");
}

/* The packet: "Claim #3 cancels Claim #1. It is unclear which claim (#2 or #5) Claim #6
 * is canceling ... you will simply need to pick one": cara picks the later (#2, 09/20;
 * both $0). Final action: #4, #7 and #5. Total $200 + $0 - $200 + $210 + $0 - $0 + $50 =
 * $260.00 = 26000 cents, each claim priced at its header payment (no CCLF2 lines). */
static void check_table4(void)
{
    ck_assert_str_eq(qs("SELECT group_concat(claim_id || '=' || status, ' ') FROM (SELECT * FROM "
                        "claims ORDER BY claim_id)"),
                     "0000000000001=replaced 0000000000002=cancelled 0000000000003=cancellation "
                     "0000000000004=current 0000000000005=current 0000000000006=cancellation "
                     "0000000000007=current");
    ck_assert_str_eq(qs("SELECT related_claim_id FROM claims WHERE claim_id = '0000000000006'"),
                     "0000000000002");
    ck_assert_str_eq(qs("SELECT related_claim_id FROM claims WHERE claim_id = '0000000000003'"),
                     "0000000000001");
    ck_assert_int_eq(priced(), 26000);
    /* Claims 1-6 are one set of related claims, claim 7 another */
    ck_assert_int_eq(q("SELECT count(DISTINCT claim_key) FROM claims"), 2);
}

START_TEST(test_part_a_worked_example)
{
    delivery d = {.date = "121015"};
    rec r[7];
    table4(r);
    for (int i = 0; i < 7; i++) put_rec(&d, &r[i]);
    ck_assert_int_eq(deliver(&d), 0);
    check_table4();
    /* delivered again (monthly and run-out files overlap): nothing changes */
    ck_assert_int_eq(deliver(&d), 0);
    check_table4();
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 7);
}
END_TEST

/* The same seven records as three deliveries, the latest loaded first. */
START_TEST(test_part_a_any_order)
{
    rec r[7];
    table4(r);
    delivery d3 = {.date = "121015"}, d2 = {.date = "120925"}, d1 = {.date = "120810"};
    put_rec(&d3, &r[5]);                 /* #6 (10/07) */
    put_rec(&d2, &r[1]);                 /* #2, #4, #7 (09/20) */
    put_rec(&d2, &r[3]);
    put_rec(&d2, &r[6]);
    put_rec(&d1, &r[0]);                 /* #1, #3, #5 (07/20, 08/07) */
    put_rec(&d1, &r[2]);
    put_rec(&d1, &r[4]);
    ck_assert_int_eq(deliver(&d3), 0);
    /* #6 alone cancels nothing yet: no claim is priced */
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 0);
    ck_assert_int_eq(deliver(&d2), 0);
    /* #2, #4, #7 stand; #6 now voids #2 (same $0): $210 + $50 */
    ck_assert_int_eq(priced(), 26000);
    ck_assert_int_eq(deliver(&d1), 0);
    check_table4();
}
END_TEST

/* A CCLF5 line of the packet's Table 6: CLM#, LINE_NUM, CNTL_NUM 7, MBI, PAID, ADJ_TYPE,
 * EFCTV_DT. */
static void line6(rec *r, const char *cur, const char *line, const char *paid, const char *adj,
                  const char *eff)
{
    rec_init(r, '5');
    set(r, "CUR_CLM_UNIQ_ID", cur);
    set(r, "CLM_LINE_NUM", line);
    set(r, "BENE_MBI_ID", MBI);
    set(r, "CLM_TYPE_CD", "71");
    set(r, "CLM_FROM_DT", "2012-08-01");
    set(r, "CLM_THRU_DT", "2012-08-01");
    set(r, "CLM_POS_CD", "11");
    set(r, "CLM_LINE_FROM_DT", "2012-08-01");
    set(r, "CLM_LINE_THRU_DT", "2012-08-01");
    set(r, "CLM_LINE_HCPCS_CD", "97110");
    set(r, "CLM_LINE_CVRD_PD_AMT", paid);
    set(r, "CLM_LINE_ALOWD_CHRG_AMT", paid);
    set(r, "RNDRG_PRVDR_NPI_NUM", NPI_PT);
    set(r, "CLM_ADJSMT_TYPE_CD", adj);
    set(r, "CLM_EFCTV_DT", eff);
    set(r, "CLM_IDR_LD_DT", eff);
    set(r, "CLM_CNTL_NUM", "7");
    set(r, "HCPCS_1_MDFR_CD", "~");   /* CMS's filler: absent */
    set(r, "HCPCS_2_MDFR_CD", "~~");
    set(r, "CLM_DGNS_1_CD", "R296");
    set(r, "CLM_DGNS_2_CD", "~");
    set(r, "CLM_CARR_PMT_DNL_CD", "1");
    set(r, "CLM_PRCSG_IND_CD", "A");
    set(r, "DGNS_PRCDR_ICD_IND", "0");
}

/* Table 6: claim 1 (09/02) cancels claim 3 (08/15; the same $0 + $380 + $227 = $607),
 * claim 2 (09/02, $380 + $227 + $100 = $707) is the final action claim. The packet's sum:
 * $0 - $380 - $227 + $380 + $227 + $100 + $0 + $380 + $227 = $707. A cancellation never
 * voids the original processed the same day in preference to the earlier one. */
START_TEST(test_part_b_worked_example)
{
    delivery d = {.date = "121015"};
    rec r;
    static const char *const rows[9][4] = {
        {"1", "3", "0.00", "1"},   {"1", "1", "380.00", "1"}, {"1", "2", "227.00", "1"},
        {"2", "1", "380.00", "0"}, {"2", "2", "227.00", "0"}, {"2", "3", "100.00", "0"},
        {"3", "3", "0.00", "0"},   {"3", "1", "380.00", "0"}, {"3", "2", "227.00", "0"},
    };
    for (int i = 0; i < 9; i++) {
        line6(&r, rows[i][0], rows[i][1], rows[i][2], rows[i][3],
              rows[i][0][0] == '3' ? "2012-08-15" : "2012-09-02");
        put_rec(&d, &r);
    }
    ck_assert_int_eq(deliver(&d), 0);
    ck_assert_str_eq(qs("SELECT group_concat(claim_id || '=' || status, ' ') FROM (SELECT * FROM "
                        "claims ORDER BY claim_id)"),
                     "7#0000000000001=cancellation 7#0000000000002=current 7#0000000000003=cancelled");
    ck_assert_int_eq(priced(), 70700);
    /* '~' modifiers and diagnosis are absent, not codes */
    ck_assert_str_eq(qs("SELECT hcpcs_modifiers FROM claim_lines WHERE claim_id = "
                        "'7#0000000000002' AND claim_line_number = 1"), "");
    ck_assert_str_eq(qs("SELECT diagnosis_codes FROM claims WHERE claim_id = '7#0000000000002'"),
                     "R296");
    /* the natural key is CLM_CNTL_NUM + the most recent MBI (5.1.2) */
    ck_assert_str_eq(qs("SELECT DISTINCT claim_key FROM claims"), "B|7|" MBI);
}
END_TEST

/* A stay billed at the header (3.5): CCLF1 CLM_PMT_AMT, CCLF2 lines of 0 (DRG/PPS). */
static void stay(delivery *d, const char *cur, const char *type, const char *bill3,
                 const char *from, const char *thru, const char *paid)
{
    rec r;
    hdr(&r, cur, from, thru, paid, "0", "2027-06-01");
    set(&r, "BENE_MBI_ID", MBI);
    set(&r, "CLM_TYPE_CD", type);
    char b[2] = {bill3[0], 0};
    set(&r, "CLM_BILL_FAC_TYPE_CD", b);
    b[0] = bill3[1];
    set(&r, "CLM_BILL_CLSFCTN_CD", b);
    b[0] = bill3[2];
    set(&r, "CLM_BILL_FREQ_CD", b);
    set(&r, "CLM_CNTL_NUM", cur);
    set(&r, "CLM_MDCR_NPMT_RSN_CD", "~");
    put_rec(d, &r);
    for (int i = 1; i <= 2; i++) {
        rec_init(&r, '2');
        set(&r, "CUR_CLM_UNIQ_ID", cur);
        char n[4];
        snprintf(n, sizeof n, "%d", i);
        set(&r, "CLM_LINE_NUM", n);
        set(&r, "BENE_MBI_ID", MBI);
        set(&r, "CLM_TYPE_CD", type);
        set(&r, "CLM_LINE_PROD_REV_CTR_CD", i == 1 ? "0120" : "0250");
        set(&r, "CLM_FROM_DT", from);
        set(&r, "CLM_THRU_DT", thru);
        set(&r, "CLM_LINE_CVRD_PD_AMT", "0.00");
        set(&r, "HCPCS_1_MDFR_CD", "~~");
        put_rec(d, &r);
    }
}

/* Inpatient $12,000.00 (60, 111), SNF $6,400.50 (20, 211), home health $2,100.00 (10, 321),
 * hospice $3,050.25 (50, 811): each priced at its header on its first line, the lines'
 * own amounts (0) kept as detail. 1200000 + 640050 + 210000 + 305025 = 2355075. */
START_TEST(test_header_paid_stays)
{
    delivery d = {.date = "270715"};
    stay(&d, "101", "60", "111", "2027-03-01", "2027-03-06", "12000.00");
    stay(&d, "102", "20", "211", "2027-03-06", "2027-03-30", "6400.50");
    stay(&d, "103", "10", "321", "2027-04-01", "2027-05-30", "2100.00");
    stay(&d, "104", "50", "811", "2027-06-01", "2027-06-30", "3050.25");
    ck_assert_int_eq(deliver(&d), 0);
    ck_assert_int_eq(priced(), 2355075);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 4);
    ck_assert_int_eq(q("SELECT paid_cents FROM claim_lines WHERE claim_id = '101#0000000000101' "
                       "AND claim_line_number = 1"), 1200000);
    ck_assert_int_eq(q("SELECT paid_cents + detail_paid_cents FROM claim_lines WHERE claim_id = "
                       "'101#0000000000101' AND claim_line_number = 2"), 0);
    ck_assert_int_eq(q("SELECT paid_cents FROM claims WHERE claim_id = '102#0000000000102'"), 640050);
    HAS("4 priced at the claim payment");
}
END_TEST

/* Denied claims and lines (3.2): kept with status denied, never priced. */
START_TEST(test_denied)
{
    delivery d = {.date = "121015"};
    rec r;
    line6(&r, "21", "1", "0.00", "0", "2012-08-15"); /* denied: nothing paid */
    set(&r, "CLM_CNTL_NUM", "21");
    set(&r, "CLM_CARR_PMT_DNL_CD", "0");          /* denied */
    put_rec(&d, &r);
    line6(&r, "22", "1", "40.00", "0", "2012-08-15");
    set(&r, "CLM_CNTL_NUM", "22");
    put_rec(&d, &r);
    line6(&r, "22", "2", "0.00", "0", "2012-08-15");
    set(&r, "CLM_CNTL_NUM", "22");
    set(&r, "CLM_PRCSG_IND_CD", "D");             /* a denied line */
    set(&r, "CLM_LINE_HCPCS_CD", "97530");
    put_rec(&d, &r);
    hdr(&r, "23", "2012-07-01", "2012-07-08", "0.00", "0", "2012-07-20");
    set(&r, "CLM_MDCR_NPMT_RSN_CD", "B");         /* Part A: denied whole */
    put_rec(&d, &r);
    ck_assert_int_eq(deliver(&d), 0);
    ck_assert_str_eq(qs("SELECT status || ' ' || status_reason FROM claims WHERE claim_id = '21#0000000000021'"),
                     "denied CLM_CARR_PMT_DNL_CD 0");
    ck_assert_str_eq(qs("SELECT status || ' ' || status_reason FROM claims WHERE claim_id = '0000000000023'"),
                     "denied CLM_MDCR_NPMT_RSN_CD B");
    ck_assert_int_eq(q("SELECT denied FROM claim_lines WHERE claim_id = '22#0000000000022' AND "
                       "claim_line_number = 2"), 1);
    ck_assert_int_eq(priced(), 4000); /* only claim 22's allowed line: $40.00 */
}
END_TEST

/* Run-out files (ZC{n}R{yy}) of a REACH entity (P.D...) load like monthly ones. */
START_TEST(test_runout_names)
{
    cclf_name n;
    ck_assert_int_eq(cclf_name_parse("P.D1234.ACO.ZC1R27.D280215.T1200000", &n), 0);
    ck_assert_int_eq(n.runout, 1);
    ck_assert_str_eq(n.aco, "D1234");
    ck_assert_int_eq(n.year, 2027);
    ck_assert_int_eq(cclf_name_parse("P.F123.ACO.ZCBY27.D270115.T1200000", &n), 0);
    ck_assert_int_eq(n.runout, 0);
    ck_assert_int_lt(cclf_name_parse("P.A1234.ACO.ZC1X27.D270115.T1200000", &n), 0);
    ck_assert(cclf_bundle_name("P.A1234.ACO.ZCY27.D270115.T1200000"));
    ck_assert(cclf_bundle_name("P.A1234.ACO.ZCR27.D280215.T1200000"));
    ck_assert(!cclf_bundle_name("P.A1234.ACO.ZC1Y27.D270115.T1200000"));
    delivery d = {.date = "121015", .prefix = "P.D1234.ACO.", .kind = 'R', .year = "12"};
    rec r[7];
    table4(r);
    for (int i = 0; i < 7; i++) put_rec(&d, &r[i]);
    ck_assert_int_eq(deliver(&d), 0);
    check_table4();
}
END_TEST

/* A zip bundle holding a delivery: extracted member by member; names that are not CCLF
 * files, or that climb out of the folder, are refused. */
START_TEST(test_bundle)
{
    delivery d = {.date = "121015"};
    rec r[7];
    table4(r);
    for (int i = 0; i < 7; i++) put_rec(&d, &r[i]);
    char *paths[12];
    int n = deliver_to(dir, db, &d, 1, 0, 0, &errs, paths);
    ck_assert_int_eq(n, 2); /* CCLF0 and CCLF1 */
    char zpath[128];
    snprintf(zpath, sizeof zpath, "%s/T.A1234.ACO.ZCY12.D121015.T1200000", dir);
    int ze;
    zip_t *z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < n; i++) {
        zip_source_t *src = zip_source_file(z, paths[i], 0, -1);
        ck_assert_int_ge(zip_file_add(z, strrchr(paths[i], '/') + 1, src, 0), 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
    for (int i = 0; i < n; i++) {
        remove(paths[i]);
        free(paths[i]);
    }
    char out_dir[128], err[256];
    snprintf(out_dir, sizeof out_dir, "%s/x", dir);
    ck_assert_int_eq(mkdir(out_dir, 0700), 0);
    const char *buf;
    size_t len;
    ck_assert_int_eq(util_map_file(zpath, &buf, &len, err, sizeof err), 0);
    char **members;
    size_t k;
    ck_assert_int_eq(cclf_bundle_extract(buf, len, out_dir, 0, &members, &k, err, sizeof err), 0);
    ck_assert_uint_eq(k, 2);
    feed_opts o = {.max_errors = 50, .err = stderr};
    ck_assert_int_eq(load_cclf(db, members, k, &o), 0);
    check_table4();
    /* through the CLI: the members are named after the bundle (their temporary folder
     * is gone once the load ends), in the loads rows and in the messages */
    char *out = NULL, *cerr = NULL, args[512];
    snprintf(args, sizeof args, "--db cli.db load %s", zpath);
    ck_assert_msg(th_cara(dir, "", args, &out, &cerr) == 0, "%s", cerr);
    store *cli;
    char path[256];
    snprintf(path, sizeof path, "%s/cli.db", dir);
    ck_assert_int_eq(store_open(path, 0, &cli, err, sizeof err), 0);
    char want[512], got[512];
    const char *one = NULL; /* the CCLF1 member's name */
    for (size_t i = 0; i < k; i++)
        if (strstr(members[i], ".ZC1Y")) one = strrchr(members[i], '/') + 1;
    ck_assert_ptr_nonnull(one);
    snprintf(want, sizeof want, "%s/%s", zpath, one);
    ck_assert_str_eq(th_qs(cli, "SELECT path FROM loads WHERE kind = 'cclf1'", got), want);
    ck_assert_int_eq(th_q(cli, "SELECT count(*) FROM loads WHERE path LIKE '%cara-bundle-%'"), 0);
    store_close(cli);
    /* a bundle whose CCLF1 member is broken: the error names the bundle and the member */
    char bad_zip[128], bad_one[64] = "";
    snprintf(bad_zip, sizeof bad_zip, "%s/T.A1234.ACO.ZCY12.D121115.T1200000", dir);
    z = zip_open(bad_zip, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    ck_assert_ptr_nonnull(z);
    for (size_t i = 0; i < k; i++) {
        const char *b = strrchr(members[i], '/') + 1;
        char renamed[64];
        snprintf(renamed, sizeof renamed, "%.*s121115%s", (int)(strstr(b, ".D") + 2 - b), b,
                 strstr(b, ".T"));
        zip_source_t *src = strstr(b, "ZC1Y") ? zip_source_buffer(z, "x\n", 2, 0)
                                              : zip_source_file(z, members[i], 0, -1);
        if (strstr(b, "ZC1Y")) snprintf(bad_one, sizeof bad_one, "%s", renamed);
        ck_assert_int_ge(zip_file_add(z, renamed, src, 0), 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
    snprintf(args, sizeof args, "--db cli.db load %s", bad_zip);
    ck_assert_int_ne(th_cara(dir, "", args, &out, &cerr), 0);
    snprintf(want, sizeof want, "%s/%s", bad_zip, bad_one);
    ck_assert_msg(strstr(cerr, want) && !strstr(cerr, "cara-bundle-"), "%s", cerr);
    free(out);
    free(cerr);
    for (size_t i = 0; i < k; i++) free(members[i]);
    free(members);
    /* a tight byte limit: refused, naming the member */
    snprintf(out_dir, sizeof out_dir, "%s/y", dir);
    ck_assert_int_eq(mkdir(out_dir, 0700), 0);
    ck_assert_int_lt(cclf_bundle_extract(buf, len, out_dir, 100, &members, &k, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "expands past the limit"));
    util_unmap(buf, len);
    /* not a zip */
    ck_assert_int_lt(cclf_bundle_extract("PK no", 5, out_dir, 0, &members, &k, err, sizeof err), 0);
    /* a member that is not a CCLF file, and one that climbs out */
    static const char *const bad[] = {"../T.A1234.ACO.ZC1Y12.D121015.T1200000", "notes.txt"};
    for (int b = 0; b < 2; b++) {
        z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &ze);
        zip_source_t *src = zip_source_buffer(z, "x\n", 2, 0);
        ck_assert_int_ge(zip_file_add(z, bad[b], src, 0), 0);
        ck_assert_int_eq(zip_close(z), 0);
        ck_assert_int_eq(util_map_file(zpath, &buf, &len, err, sizeof err), 0);
        ck_assert_int_lt(cclf_bundle_extract(buf, len, out_dir, 0, &members, &k, err, sizeof err), 0);
        ck_assert_ptr_nonnull(strstr(err, "is not a CCLF file"));
        util_unmap(buf, len);
    }
}
END_TEST

/* A claim loaded under the old MBI; a later delivery brings its cancellation and
 * adjustment under the new MBI and the CCLF9 row that links them (3.1). The claim is
 * counted once, whichever delivery comes first. Original $100.00 -> adjustment $120.00. */
static void mbi_change(delivery *d1, delivery *d2)
{
    rec r;
    memset(d1, 0, sizeof *d1);
    memset(d2, 0, sizeof *d2);
    d1->date = "270215";
    d2->date = "270415";
    hdr(&r, "31", "2027-01-05", "2027-01-06", "100.00", "0", "2027-01-20");
    set(&r, "BENE_MBI_ID", MBI_OLD);
    set(&r, "CLM_CNTL_NUM", "X31");
    put_rec(d1, &r);
    hdr(&r, "32", "2027-01-05", "2027-01-06", "100.00", "1", "2027-03-10");
    set(&r, "CLM_CNTL_NUM", "X32");
    set(&r, "CLM_ORG_CNTL_NUM", "X31");
    put_rec(d2, &r);
    hdr(&r, "33", "2027-01-05", "2027-01-06", "120.00", "2", "2027-03-10");
    set(&r, "CLM_CNTL_NUM", "X33");
    set(&r, "CLM_ORG_CNTL_NUM", "X31");
    put_rec(d2, &r);
    rec_init(&r, '9');
    set(&r, "HICN_MBI_XREF_IND", "M");
    set(&r, "CRNT_NUM", MBI);
    set(&r, "PRVS_NUM", MBI_OLD);
    set(&r, "PRVS_ID_EFCTV_DT", "2019-01-01");
    set(&r, "PRVS_ID_OBSLT_DT", "2027-02-28");
    put_rec(d2, &r);
    rec_init(&r, '9'); /* a HICN pair: skipped, not an error */
    set(&r, "HICN_MBI_XREF_IND", "H");
    set(&r, "CRNT_NUM", "203031401A");
    set(&r, "PRVS_NUM", "203031401M");
    put_rec(d2, &r);
}

static void check_mbi_change(void)
{
    ck_assert_int_eq(priced(), 12000);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE person_id = '" MBI_OLD "'"), 0);
    ck_assert_str_eq(qs("SELECT status FROM claims WHERE claim_id = 'X31#0000000000031'"), "replaced");
}

START_TEST(test_crosswalk_after_claims)
{
    delivery d1, d2;
    mbi_change(&d1, &d2);
    ck_assert_int_eq(deliver(&d1), 0);
    ck_assert_int_eq(priced(), 10000);
    ck_assert_int_eq(deliver(&d2), 0);
    check_mbi_change();
    HAS("1 HICN crosswalk rows (not used)");
}
END_TEST

START_TEST(test_crosswalk_before_claims)
{
    delivery d1, d2;
    mbi_change(&d1, &d2);
    ck_assert_int_eq(deliver(&d2), 0);
    ck_assert_int_eq(priced(), 12000); /* the adjustment; the cancellation waits */
    ck_assert_int_eq(deliver(&d1), 0);
    check_mbi_change();
}
END_TEST

/* A bad record loaded with --skip-bad: the same bytes load again later (the loads row
 * counts the rejects), and repeated records do not double. A malformed optional field
 * warns, and --strict rejects it. */
START_TEST(test_reload_and_strict)
{
    delivery d = {.date = "121015"};
    rec r;
    line6(&r, "41", "1", "55.00", "0", "2012-08-15");
    set(&r, "CLM_CNTL_NUM", "41");
    put_rec(&d, &r);
    line6(&r, "42", "1", "5X.00", "0", "2012-08-15"); /* a required amount: an error */
    set(&r, "CLM_CNTL_NUM", "42");
    put_rec(&d, &r);
    line6(&r, "43", "1", "25.00", "0", "2012-08-15");
    set(&r, "CLM_CNTL_NUM", "43");
    set(&r, "RNDRG_PRVDR_NPI_NUM", "1234567890"); /* bad check digit: optional */
    put_rec(&d, &r);
    ck_assert_int_lt(deliver(&d), 0);
    ck_assert_int_eq(deliver_to(dir, db, &d, 1, 1, 0, &errs, NULL), 0);
    HAS("warning: RNDRG_PRVDR_NPI_NUM");
    ck_assert_int_eq(priced(), 8000); /* 41 and 43: $55.00 + $25.00 */
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE rejected > 0"), 2); /* CCLF0, CCLF5 */
    ck_assert_int_eq(deliver_to(dir, db, &d, 1, 1, 0, &errs, NULL), 0); /* not "already loaded" */
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 4);
    ck_assert_int_eq(priced(), 8000);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 2);
    /* --strict: the NPI is an error too */
    ck_assert_int_lt(deliver_to(dir, db, &d, 1, 1, 1, &errs, NULL), 0 + 1);
    HAS("RNDRG_PRVDR_NPI_NUM: \"1234567890\"");
}
END_TEST

/* BCDA's CCLF test files (CMSgov/bcda-app shared_files/cclf, renamed to CMS names):
 * CCLF8 has 7 records for MBIs ...CD30, 31, 32, 33, 34, 35, 35; CCLF9 maps 32 -> 33 ->
 * 34 -> 35 (M rows) and has 3 H rows; CCLF0 states pre-v36 lengths (CCLF9 54). So 3
 * beneficiaries (30, 31, 35), each aligned to A0001 for 2018, 3 MBIs remapped, the
 * CCLF0 length noted as a warning. Their ids are not valid MBIs (a digit in position
 * 5): accepted because it is a test (T.) delivery. */
START_TEST(test_bcda_cclf_files)
{
    const char *base = "../shared/reference/public-data/bcda_cclf/renamed_A0001";
    if (!util_is_dir(base)) base = "../../shared/reference/public-data/bcda_cclf/renamed_A0001";
    ck_assert_msg(util_is_dir(base), "the public BCDA test files are not at %s", base);
    static const char *const names[] = {"T.A0001.ACO.ZC0Y18.D181120.T1000011",
                                        "T.A0001.ACO.ZC8Y18.D181120.T1000009",
                                        "T.A0001.ACO.ZC9Y18.D181120.T1000010"};
    char *paths[3];
    for (int i = 0; i < 3; i++) paths[i] = util_path_join(base, names[i]);
    char outp[128];
    snprintf(outp, sizeof outp, "%s/out", dir);
    FILE *out = fopen(outp, "w");
    feed_opts o = {.max_errors = 50, .err = out, .out = out};
    ck_assert_int_eq(load_cclf(db, paths, 3, &o), 0);
    fclose(out);
    for (int i = 0; i < 3; i++) free(paths[i]);
    free(errs);
    errs = th_slurp(dir, "out");
    ck_assert_int_eq(q("SELECT count(DISTINCT person_id) FROM eligibility"), 3);
    ck_assert_str_eq(qs("SELECT group_concat(person_id || ' ' || aco_id || ' ' || start_date || ' ' "
                        "|| end_date, ', ') FROM (SELECT * FROM alignment ORDER BY person_id)"),
                     "1A69B98CD30 A0001 2018-01-01 2018-12-31, 1A69B98CD31 A0001 2018-01-01 "
                     "2018-12-31, 1A69B98CD35 A0001 2018-01-01 2018-12-31");
    ck_assert_int_eq(q("SELECT count(*) FROM mbi_xwalk WHERE current_mbi = '1A69B98CD35'"), 3);
    HAS("3 HICN crosswalk rows (not used)");
    HAS("CCLF9: record length 54, but the v36 layout has 55");
    /* an alignment.csv for 2018 loaded afterwards says otherwise: it replaces the CCLF8
     * alignment of that year, as if it had come first */
    char *path = th_write(dir, "alignment.csv", "person_id,aco_id,start_date,end_date\n"
                                                "1A69B98CD31,A0001,2018-03-01,\n");
    load_opts lo = {.max_errors = 50, .err = stderr};
    load_result lr;
    ck_assert_int_eq(load_file(db, path, &lo, &lr), 0);
    free(path);
    ck_assert_str_eq(qs("SELECT group_concat(person_id || ' ' || start_date || ' ' || source, ', ') "
                        "FROM alignment"), "1A69B98CD31 2018-03-01 file");
}
END_TEST


/* The acceptance case of issue 12: an episode whose window holds an inpatient, SNF, home
 * health and hospice stay, delivered as CMS does (header-paid, lines of 0), prices all
 * four. Functional independence, trigger B: a PT evaluation (97161, $100.00) with Z7409 on
 * 2027-03-01 opens a 180-day window; its cost is all Part A and B spending in it. CCLF8
 * gives the enrollment and aligns the beneficiary to A1234 for 2027. Actual: 10000 +
 * 1200000 + 640050 + 210000 + 305025 = 2365075 cents. */
START_TEST(test_episode_prices_four_stays)
{
    delivery d = {.date = "271015"};
    stay(&d, "101", "60", "111", "2027-03-10", "2027-03-15", "12000.00");
    stay(&d, "102", "20", "211", "2027-03-15", "2027-04-10", "6400.50");
    stay(&d, "103", "10", "321", "2027-04-15", "2027-06-13", "2100.00");
    stay(&d, "104", "50", "811", "2027-07-01", "2027-07-31", "3050.25");
    rec r;
    line6(&r, "105", "1", "100.00", "0", "2027-03-10");
    set(&r, "CLM_CNTL_NUM", "105");
    set(&r, "CLM_FROM_DT", "2027-03-01");
    set(&r, "CLM_THRU_DT", "2027-03-01");
    set(&r, "CLM_LINE_FROM_DT", "2027-03-01");
    set(&r, "CLM_LINE_THRU_DT", "2027-03-01");
    set(&r, "CLM_LINE_HCPCS_CD", "97161");
    set(&r, "CLM_DGNS_1_CD", "Z7409");
    put_rec(&d, &r);
    rec_init(&r, '8');
    set(&r, "BENE_MBI_ID", MBI);
    set(&r, "BENE_DOB", "1950-05-17");
    set(&r, "BENE_SEX_CD", "2");
    set(&r, "BENE_MDCR_STUS_CD", "10");
    set(&r, "BENE_DUAL_STUS_CD", "NA");
    set(&r, "BENE_PART_A_ENRLMT_BGN_DT", "2015-05-01");
    set(&r, "BENE_PART_B_ENRLMT_BGN_DT", "2015-05-01");
    set(&r, "BENE_DEATH_DT", "~");
    set(&r, "GEO_USPS_STATE_CD", "MD");
    set(&r, "GEO_ZIP5_CD", "21244");
    put_rec(&d, &r);
    d.year = "27";
    d.prefix = "P.A1234.ACO.";
    char *paths[12];
    int n = deliver_to(dir, db, &d, 1, 0, 0, &errs, paths);
    for (int i = 0; i < n; i++) free(paths[i]);
    char *out = NULL, *err = NULL;
    int rc = th_cara(dir, "", "--db run.db load .", &out, &err);
    ck_assert_msg(rc == 0, "load: %s%s", out, err);
    rc = th_cara(dir, "", "--db run.db run --template functional_independence", &out, &err);
    ck_assert_msg(rc == 0, "run: %s%s", out, err);
    ck_assert_int_eq(th_cara(dir, "", "--db run.db report --by episode --format json", &out, &err), 0);
    ck_assert_msg(strstr(out, "\"trigger_date\": \"2027-03-01\"") || strstr(out, "\"trigger_date\":\"2027-03-01\""),
                  "no episode on 2027-03-01:\n%s", out);
    ck_assert_msg(strstr(out, "\"actual_cents\": 2365075") || strstr(out, "\"actual_cents\":2365075"),
                  "the episode does not price the four stays:\n%s", out);
    free(out);
    free(err);
}
END_TEST

Suite *suite_cclf_packet(void)
{
    Suite *s = suite_create("cclf_packet");
    TCase *tc = tcase_create("packet");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_part_a_worked_example);
    tcase_add_test(tc, test_part_a_any_order);
    tcase_add_test(tc, test_part_b_worked_example);
    tcase_add_test(tc, test_header_paid_stays);
    tcase_add_test(tc, test_denied);
    tcase_add_test(tc, test_runout_names);
    tcase_add_test(tc, test_bundle);
    tcase_add_test(tc, test_crosswalk_after_claims);
    tcase_add_test(tc, test_crosswalk_before_claims);
    tcase_add_test(tc, test_reload_and_strict);
    tcase_add_test(tc, test_bcda_cclf_files);
    tcase_add_test(tc, test_episode_prices_four_stays);
    suite_add_tcase(s, tc);
    return s;
}
