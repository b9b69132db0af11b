/*
 * tests/test_feed_cclf.c: CCLF deliveries end to end through load_cclf: claims built
 * from CCLF1-6, versions by natural key (an adjustment, a cancellation, an overlapping
 * run-out delivery, deliveries out of order), the CCLF9 crosswalk, CCLF8 beneficiaries,
 * CCLF0 counts, and bad records refused with file, record, column and field, or
 * skipped with --skip-bad semantics. Every expected figure is worked out by hand in
 * the comments.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/cclf.h"
#include "cclf_build.h"
#include "feeds/cclf_feed.h"
#include "helpers.h"
#include "load/load_feed.h"
#include "suites.h"
#include "base/util.h"

/* ---- the fixture ------------------------------------------------------------------------- */

#define M1 "1EG4TE5MK73"
#define M2 "2EG4TE5MK73"
#define M2_OLD "3EG4TE5MK73"
#define NPI_FAC "1234567893"
#define NPI_ATT "1993999998"
#define NPI_PT "1003347634"
#define NPI_ORD "1528060837"
#define TIN_PT "123456789"

static void part_a_header(rec *r, const char *cur, const char *mbi, const char *adj,
                          const char *eff, const char *paid)
{
    rec_init(r, '1');
    set(r, "CUR_CLM_UNIQ_ID", cur);
    set(r, "PRVDR_OSCAR_NUM", "340001");
    set(r, "BENE_MBI_ID", mbi);
    set(r, "CLM_TYPE_CD", "60");
    set(r, "CLM_FROM_DT", "2027-01-03");
    set(r, "CLM_THRU_DT", "2027-01-07");
    set(r, "CLM_BILL_FAC_TYPE_CD", "1");
    set(r, "CLM_BILL_CLSFCTN_CD", "1");
    set(r, "CLM_BILL_FREQ_CD", "1");
    set(r, "PRNCPL_DGNS_CD", "S72001A");
    set(r, "CLM_PMT_AMT", paid);
    set(r, "BENE_PTNT_STUS_CD", "03");
    set(r, "FAC_PRVDR_NPI_NUM", NPI_FAC);
    set(r, "ATNDG_PRVDR_NPI_NUM", NPI_ATT);
    set(r, "CLM_ADJSMT_TYPE_CD", adj);
    set(r, "CLM_EFCTV_DT", eff);
    set(r, "CLM_IDR_LD_DT", eff);
    set(r, "CLM_BLG_PRVDR_OSCAR_NUM", "340001");
    set(r, "CLM_CNTL_NUM", "A1");
    set(r, "DGNS_PRCDR_ICD_IND", "0");
}

static void part_a_line(rec *r, const char *cur, const char *line, const char *rev,
                        const char *paid)
{
    rec_init(r, '2');
    set(r, "CUR_CLM_UNIQ_ID", cur);
    set(r, "CLM_LINE_NUM", line);
    set(r, "BENE_MBI_ID", M1);
    set(r, "CLM_TYPE_CD", "60");
    set(r, "CLM_LINE_PROD_REV_CTR_CD", rev);
    set(r, "CLM_FROM_DT", "2027-01-03");
    set(r, "CLM_THRU_DT", "2027-01-07");
    set(r, "CLM_LINE_CVRD_PD_AMT", paid);
}

static void part_a_dx(rec *r, const char *cur, const char *seq, const char *code)
{
    rec_init(r, '4');
    set(r, "CUR_CLM_UNIQ_ID", cur);
    set(r, "BENE_MBI_ID", M1);
    set(r, "CLM_TYPE_CD", "60");
    set(r, "CLM_PROD_TYPE_CD", "O");
    set(r, "CLM_VAL_SQNC_NUM", seq);
    set(r, "CLM_DGNS_CD", code);
    set(r, "DGNS_PRCDR_ICD_IND", "0");
}

static void part_b_line(rec *r, const char *cur, const char *cntl, const char *line,
                        const char *mbi, const char *day, const char *hcpcs, const char *paid,
                        const char *allowed, const char *adj, const char *eff)
{
    rec_init(r, '5');
    set(r, "CUR_CLM_UNIQ_ID", cur);
    set(r, "CLM_LINE_NUM", line);
    set(r, "BENE_MBI_ID", mbi);
    set(r, "CLM_TYPE_CD", "71");
    set(r, "CLM_FROM_DT", day);
    set(r, "CLM_THRU_DT", day);
    set(r, "CLM_POS_CD", "11");
    set(r, "CLM_LINE_FROM_DT", day);
    set(r, "CLM_LINE_THRU_DT", day);
    set(r, "CLM_LINE_HCPCS_CD", hcpcs);
    set(r, "CLM_LINE_CVRD_PD_AMT", paid);
    set(r, "CLM_LINE_DGNS_CD", "W1830XA");
    set(r, "CLM_RNDRG_PRVDR_TAX_NUM", TIN_PT);
    set(r, "RNDRG_PRVDR_NPI_NUM", NPI_PT);
    set(r, "CLM_ADJSMT_TYPE_CD", adj);
    set(r, "CLM_EFCTV_DT", eff);
    set(r, "CLM_IDR_LD_DT", eff);
    set(r, "CLM_CNTL_NUM", cntl);
    set(r, "CLM_LINE_ALOWD_CHRG_AMT", allowed);
    set(r, "HCPCS_1_MDFR_CD", "GP");
    set(r, "CLM_DGNS_1_CD", "R296");
    set(r, "CLM_DGNS_2_CD", "M6281");
    set(r, "DGNS_PRCDR_ICD_IND", "0");
}

static void dme_line(rec *r)
{
    rec_init(r, '6');
    set(r, "CUR_CLM_UNIQ_ID", "30");
    set(r, "CLM_LINE_NUM", "1");
    set(r, "BENE_MBI_ID", M1);
    set(r, "CLM_TYPE_CD", "82");
    set(r, "CLM_FROM_DT", "2027-01-20");
    set(r, "CLM_THRU_DT", "2027-01-20");
    set(r, "CLM_POS_CD", "12");
    set(r, "CLM_LINE_FROM_DT", "2027-01-20");
    set(r, "CLM_LINE_THRU_DT", "2027-01-20");
    set(r, "CLM_LINE_HCPCS_CD", "E0143");
    set(r, "CLM_LINE_CVRD_PD_AMT", "75.20");
    set(r, "ORDRG_PRVDR_NPI_NUM", NPI_ORD);
    set(r, "CLM_BLG_PRVDR_NPI_NUM", NPI_FAC);
    set(r, "CLM_ADJSMT_TYPE_CD", "0");
    set(r, "CLM_EFCTV_DT", "2027-02-01");
    set(r, "CLM_IDR_LD_DT", "2027-02-01");
    set(r, "CLM_CNTL_NUM", "D1");
    set(r, "CLM_LINE_ALOWD_CHRG_AMT", "94.00");
}

static void bene(rec *r, const char *mbi, const char *dob, const char *sex, const char *death)
{
    rec_init(r, '8');
    set(r, "BENE_MBI_ID", mbi);
    set(r, "BENE_DOB", dob);
    set(r, "BENE_SEX_CD", sex);
    set(r, "BENE_MDCR_STUS_CD", "10");
    set(r, "BENE_DUAL_STUS_CD", "00");
    if (death) set(r, "BENE_DEATH_DT", death);
    set(r, "BENE_PART_A_ENRLMT_BGN_DT", "2020-03-01");
    set(r, "BENE_PART_B_ENRLMT_BGN_DT", "2020-04-01");
    set(r, "GEO_USPS_STATE_CD", "MD");
    set(r, "GEO_ZIP5_CD", "21244");
}

static char dir[64];
static store *db;
static char *errs;

static void setup(void)
{
    th_tmpdir_store(dir, "cara-cclf", &db);
    errs = NULL;
}

static void teardown(void)
{
    store_close(db);
    free(errs);
    th_rmdir(dir);
}

static int deliver(delivery *d, int summary, int skip_bad)
{
    return deliver_to(dir, db, d, summary, skip_bad, 0, &errs, NULL);
}

static long long q(const char *sql) { return th_q(db, sql); }

static char qs_buf[256];
static const char *qs(const char *sql) { return th_qs(db, sql, qs_buf); }

#define HAS(s) ck_assert_msg(errs && strstr(errs, s), "errors lack '%s':\n%s", s, errs)

/* Delivery 1 (January): inpatient claim A1 (original, 2 lines, 2 diagnoses), Part B
 * claims B1 (2 lines) and B2 (original, then cancelled in the same delivery), DME claim
 * D1, beneficiaries M1 and M2 (M2's previous MBI M2_OLD in CCLF9). */
static void january(delivery *d)
{
    memset(d, 0, sizeof *d);
    d->date = "270115";
    rec r;
    part_a_header(&r, "1", M1, "0", "2027-02-01", "10000.00");
    put_rec(d, &r);
    part_a_line(&r, "1", "1", "0120", "9000.00");
    put_rec(d, &r);
    part_a_line(&r, "1", "2", "0450", "1000.00");
    put_rec(d, &r);
    part_a_dx(&r, "1", "2", "E119");
    put_rec(d, &r);
    part_a_dx(&r, "1", "1", "S72001A"); /* the principal again: not repeated */
    put_rec(d, &r);
    part_b_line(&r, "10", "B1", "1", M1, "2027-01-10", "97110", "30.00", "40.00", "0", "2027-01-20");
    put_rec(d, &r);
    part_b_line(&r, "10", "B1", "2", M1, "2027-01-10", "97530", "35.50", "45.25", "0", "2027-01-20");
    put_rec(d, &r);
    part_b_line(&r, "11", "B2", "1", M1, "2027-01-12", "97110", "30.00", "40.00", "0", "2027-01-22");
    put_rec(d, &r);
    part_b_line(&r, "12", "B2", "1", M1, "2027-01-12", "97110", "-30.00", "-40.00", "1", "2027-01-29");
    put_rec(d, &r);
    dme_line(&r);
    put_rec(d, &r);
    bene(&r, M1, "1950-05-17", "2", NULL);
    put_rec(d, &r);
    bene(&r, M2, "1948-11-02", "1", NULL);
    put_rec(d, &r);
    rec_init(&r, '9');
    set(&r, "HICN_MBI_XREF_IND", "M");
    set(&r, "CRNT_NUM", M2);
    set(&r, "PRVS_NUM", M2_OLD);
    set(&r, "PRVS_ID_EFCTV_DT", "2019-01-01");
    set(&r, "PRVS_ID_OBSLT_DT", "2026-12-31");
    put_rec(d, &r);
}

/* Delivery 2 (run-out, July): A1 adjusted (paid 11000.00, one line) with the cancellation
 * of its January original, B1 repeated as in
 * January (overlap), claim B3 for M2 under the previous MBI, M2's death. */
static void july(delivery *d)
{
    memset(d, 0, sizeof *d);
    d->date = "270715";
    rec r;
    part_a_header(&r, "2", M1, "2", "2027-03-15", "11000.00");
    set(&r, "CLM_ORG_CNTL_NUM", "A1");
    put_rec(d, &r);
    part_a_line(&r, "2", "1", "0120", "11000.00");
    put_rec(d, &r);
    /* the cancellation of January's original that comes with the adjustment (CCLF IP
     * 4.4: debit/credit; its amount unsigned, as the packet describes) */
    part_a_header(&r, "3", M1, "1", "2027-03-15", "10000.00");
    set(&r, "CLM_ORG_CNTL_NUM", "A1");
    put_rec(d, &r);
    part_a_line(&r, "3", "1", "0120", "9000.00");
    put_rec(d, &r);
    part_a_line(&r, "3", "2", "0450", "1000.00");
    put_rec(d, &r);
    part_b_line(&r, "10", "B1", "1", M1, "2027-01-10", "97110", "30.00", "40.00", "0", "2027-01-20");
    put_rec(d, &r);
    part_b_line(&r, "10", "B1", "2", M1, "2027-01-10", "97530", "35.50", "45.25", "0", "2027-01-20");
    put_rec(d, &r);
    part_b_line(&r, "20", "B3", "1", M2_OLD, "2027-02-02", "99213", "80.00", "100.00", "0", "2027-02-10");
    put_rec(d, &r);
    bene(&r, M2, "1948-11-02", "1", "2027-06-30");
    put_rec(d, &r);
}

/* Hand check after both deliveries: A1 is the July adjustment (1 line, 11000.00);
 * B1's two lines once (30.00 + 35.50 = 65.50 paid, 40.00 + 45.25 = 85.25 allowed);
 * B2 netted out by its cancellation; D1 75.20; B3 80.00 under M2. Paid in all:
 * 11000.00 + 65.50 + 75.20 + 80.00 = 11220.70. */
static void check_final(void)
{
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 4);
    /* every record kept: A1 x3, B1, B2 x2, D1, B3 */
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 8);
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claim_lines l JOIN claims c USING "
                       "(claim_id) WHERE c.status = 'current'"), 1122070);
    /* B2's original (record 11) is voided by its cancellation (record 12, same payment) */
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE control_number = 'B2' AND status = "
                       "'current'"), 0);
    ck_assert_str_eq(qs("SELECT status || ' ' || related_claim_id FROM claims WHERE claim_id = "
                        "'B2#0000000000011'"), "cancelled B2#0000000000012");
    /* A1's original (record 1) was cancelled by record 3 and replaced by the adjustment,
     * record 2 (CCLF IP 5.2.1 pattern 5: original, cancellation, adjustment) */
    ck_assert_str_eq(qs("SELECT group_concat(claim_id || '=' || status, ' ') FROM (SELECT * FROM "
                        "claims WHERE control_number = 'A1' ORDER BY claim_id)"),
                     "A1#0000000000001=replaced A1#0000000000002=current "
                     "A1#0000000000003=cancellation");
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines JOIN claims USING (claim_id) WHERE control_number = 'A1' AND status = 'current'"), 1);
    ck_assert_int_eq(q("SELECT adjustment_type_code FROM claims WHERE control_number = 'A1' AND status = 'current'"), 2);
    ck_assert_int_eq(q("SELECT sum(l.allowed_cents) FROM claim_lines l JOIN claims USING (claim_id) WHERE control_number = 'B1' AND status = 'current'"), 8525);
    ck_assert_str_eq(qs("SELECT person_id FROM claims WHERE control_number = 'B3' AND status = 'current'"), M2);
    ck_assert_str_eq(qs("SELECT death_date FROM eligibility WHERE person_id = '" M2 "'"), "2027-06-30");
    ck_assert_str_eq(qs("SELECT enrollment_end_date FROM eligibility WHERE person_id = '" M2 "'"),
                     "2027-06-30");
}

START_TEST(test_one_delivery)
{
    delivery d;
    january(&d);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    /* A1: 9000.00 + 1000.00; admission/discharge = from/thru (bill type 111) */
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claim_lines l JOIN claims USING (claim_id) WHERE control_number = 'A1' AND status = 'current'"), 1000000);
    ck_assert_str_eq(qs("SELECT diagnosis_codes FROM claims WHERE control_number = 'A1' AND status = 'current'"), "S72001A E119");
    ck_assert_str_eq(qs("SELECT admission_date || ' ' || discharge_date || ' ' || bill_type_code "
                        "|| ' ' || discharge_disposition_code || ' ' || facility_npi FROM claims "
                        "WHERE control_number = 'A1' AND status = 'current'"),
                     "2027-01-03 2027-01-07 111 03 " NPI_FAC);
    ck_assert_str_eq(qs("SELECT rendering_npi || '/' || revenue_center_code FROM claim_lines WHERE "
                        "claim_id = 'A1#0000000000001' AND claim_line_number = 2"), NPI_ATT "/0450");
    /* B1: professional, rendering NPI and TIN, modifiers, diagnoses: claim codes then the
     * line's */
    ck_assert_str_eq(qs("SELECT claim_type || ' ' || diagnosis_codes FROM claims WHERE control_number = 'B1' AND status = 'current'"),
                     "professional R296 M6281 W1830XA");
    ck_assert_str_eq(qs("SELECT rendering_npi || ' ' || rendering_tin || ' ' || hcpcs_modifiers || "
                        "' ' || place_of_service_code FROM claim_lines JOIN claims USING (claim_id) "
                        "WHERE control_number = 'B1' AND status = 'current' AND claim_line_number = 1"), NPI_PT " " TIN_PT " GP 11");
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE control_number = 'B2' AND status = "
                       "'current'"), 0); /* cancelled */
    ck_assert_str_eq(qs("SELECT claim_type || ' ' || l.rendering_npi || ' ' || l.allowed_cents FROM "
                        "claims c JOIN claim_lines l USING (claim_id) WHERE control_number = 'D1' AND status = 'current'"),
                     "dme " NPI_ORD " 9400");
    /* CCLF8: one span from the later entitlement date (Part B, 2020-04-01), open */
    ck_assert_str_eq(qs("SELECT enrollment_start_date || ' ' || coalesce(enrollment_end_date, 'open') "
                        "|| ' ' || gender || ' ' || state || ' ' || zip_code FROM eligibility WHERE "
                        "person_id = '" M1 "'"), "2020-04-01 open female MD 21244");
    ck_assert_str_eq(qs("SELECT current_mbi FROM mbi_xwalk WHERE previous_mbi = '" M2_OLD "'"), M2);
    /* the same delivery again: every file known, nothing changes */
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 3);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 5); /* with B2's two records */
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 8); /* CCLF0, 1, 2, 4, 5, 6, 8, 9 */
}
END_TEST

/* A new delivery's files (no earlier load of their kind had their sizes): the two
 * largest are hashed alongside the load (HASH_ALONGSIDE in load_cclf.c), the others
 * first. Every file's loads row and audit row get its hash (sha256sum's), none is left
 * pending; the same files again are skipped whole. */
START_TEST(test_hash_alongside)
{
    delivery d;
    january(&d);
    char *paths[12], want[65], sql[512];
    int n = deliver_to(dir, db, &d, 1, 0, 0, &errs, paths);
    ck_assert_int_eq(n, 8); /* CCLF0, 1, 2, 4, 5, 6, 8, 9 */
    for (int i = 0; i < n; i++) free(paths[i]);
    ck_assert_msg(deliver(&d, 1, 0) == 0, "%s", errs);
    n = deliver_to(dir, db, &d, 1, 0, 0, &errs, paths); /* the same bytes again */
    for (int i = 0; i < n; i++) {
        th_file_sha(paths[i], want);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM loads l JOIN audit_log a ON a.action = "
                 "'load' AND json_extract(a.after, '$.load_id') = l.load_id AND json_extract("
                 "a.after, '$.sha256') = l.sha256 WHERE l.kind LIKE 'cclf_' AND l.sha256 = '%s' "
                 "AND l.bytes > 0", want);
        ck_assert_msg(q(sql) == 1, "%s: no loads row with its hash", paths[i]);
        free(paths[i]);
    }
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE sha256 = ''"), 0);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    ck_assert_ptr_nonnull(strstr(errs, "already loaded"));
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 8);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 5);
}
END_TEST

/* Another process that loaded the same files while this load ran: staged as loads rows
 * with the files' hashes but another size (which only such a race makes), so the two
 * largest are hashed alongside and found loaded at the end, the others found loaded at
 * once: the delivery is rolled back and reported already loaded. */
START_TEST(test_hash_alongside_race)
{
    delivery d;
    january(&d);
    char *paths[12], want[65], sql[384];
    int n = deliver_to(dir, db, &d, 1, 0, 0, &errs, paths);
    for (int i = 0; i < n; i++) {
        th_file_sha(paths[i], want);
        const char *z = strstr(paths[i], ".ZC");
        snprintf(sql, sizeof sql, "INSERT INTO loads (path, kind, sha256, rows, loaded_at, bytes) "
                 "VALUES ('elsewhere', 'cclf%c', '%s', 0, '2027-01-01T00:00:00Z', 1)",
                 z[3] >= 'A' ? z[3] - 'A' + 'a' : z[3], want);
        th_exec(db, sql);
        free(paths[i]);
    }
    ck_assert_msg(deliver(&d, 1, 0) == 0, "%s", errs);
    ck_assert_ptr_nonnull(strstr(errs, "already loaded"));
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 8);
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    /* the CCLF5 file's row gone (the largest: hashed alongside): not the same delivery,
     * it loads, CCLF5 recorded with its hash */
    th_exec(db, "DELETE FROM loads WHERE kind = 'cclf5'");
    ck_assert_msg(deliver(&d, 1, 0) == 0, "%s", errs);
    ck_assert_ptr_null(strstr(errs, "already loaded"));
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 5);
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE kind = 'cclf5' AND length(sha256) = 64"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM loads WHERE sha256 = ''"), 0);
}
END_TEST

/* Part B claims whose records straddle the batches converted on a second thread while
 * the claims before them are stored (load_cclf.c; batches of 4 here, 256 by default):
 * 30 claims of 3 lines, claim ids 1000..1029 (staged in that order), so claim 1001 has
 * records 3, 4 and 5 (0-based) in two batches. Each line pays its claim's number less
 * 1000 plus 0.01 x its line number (claim 1001: 1.01 + 1.02 + 1.03 = 3.06); every
 * record has the fixture's claim diagnoses R296 and M6281 and line diagnosis W1830XA:
 * the claim's are their union, "R296 M6281 W1830XA". In all: 3 x (0 + 1 + ... + 29) +
 * 30 x 0.06 = 1305 + 1.80 = 1306.80. */
START_TEST(test_part_b_batches)
{
    delivery d;
    memset(&d, 0, sizeof d);
    d.date = "270115";
    rec r;
    for (int c = 0; c < 30; c++)
        for (int l = 1; l <= 3; l++) {
            char cur[16], cntl[16], line[16], paid[32];
            snprintf(cur, sizeof cur, "%d", 1000 + c);
            snprintf(cntl, sizeof cntl, "P%d", 1000 + c);
            snprintf(line, sizeof line, "%d", l);
            snprintf(paid, sizeof paid, "%d.%02d", c, l);
            part_b_line(&r, cur, cntl, line, M1, "2027-01-10", "97110", paid, paid, "0", "2027-01-20");
            put_rec(&d, &r);
        }
    bene(&r, M1, "1950-05-17", "2", NULL);
    put_rec(&d, &r);
    char *paths[12];
    int n = deliver_to(dir, db, &d, 1, 0, 0, &errs, paths);
    feed_opts o = {.max_errors = 50, .err = stderr, .conv_batch = 4};
    ck_assert_int_eq(load_cclf(db, paths, (size_t)n, &o), 0);
    for (int i = 0; i < n; i++) free(paths[i]);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 30);
    ck_assert_int_eq(q("SELECT count(*) FROM claim_lines"), 90);
    ck_assert_int_eq(q("SELECT sum(paid_cents) FROM claim_lines"), 130680);
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claim_lines l JOIN claims c USING "
                       "(claim_id) WHERE c.control_number = 'P1001'"), 306);
    ck_assert_str_eq(qs("SELECT group_concat(claim_line_number, ',') FROM (SELECT l.* FROM "
                        "claim_lines l JOIN claims c USING (claim_id) WHERE c.control_number = "
                        "'P1001' ORDER BY claim_line_number)"), "1,2,3");
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE diagnosis_codes = 'R296 M6281 W1830XA'"), 30);
    ck_assert_str_eq(qs("SELECT source FROM claims WHERE control_number = 'P1001'"),
                     "T.A1234.ACO.ZC5Y27.D270115.T1200000:4");
    ck_assert_str_eq(qs("SELECT source FROM claims WHERE control_number = 'P1029'"),
                     "T.A1234.ACO.ZC5Y27.D270115.T1200000:88");
}
END_TEST

START_TEST(test_run_out_in_order)
{
    delivery d;
    january(&d);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    july(&d);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    check_final();
}
END_TEST

/* The run-out first, then January: the January versions of A1 are older, so they lose;
 * the result is the same. */
START_TEST(test_run_out_out_of_order)
{
    delivery d;
    july(&d);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    /* B3 came with M2_OLD before any crosswalk: stored under M2_OLD for now; A1's July
     * cancellation has no original yet: it voids nothing, the adjustment stands */
    ck_assert_str_eq(qs("SELECT person_id FROM claims WHERE control_number = 'B3' AND status = 'current'"), M2_OLD);
    ck_assert_int_eq(q("SELECT sum(l.paid_cents) FROM claim_lines l JOIN claims c USING "
                       "(claim_id) WHERE c.status = 'current' AND c.control_number = 'A1'"), 1100000);
    january(&d);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    /* January's CCLF9 re-keys it; January's CCLF8 for M2 (alive) does not undo the death */
    check_final();
}
END_TEST

/* A bad amount (required) refuses the delivery with file, record, column and field, and
 * nothing is stored; a bad line date (optional) is only a warning. */
START_TEST(test_bad_records_reject_delivery)
{
    delivery d;
    january(&d);
    rec r;
    part_b_line(&r, "40", "B9", "1", M1, "2027-01-10", "97110", "30.00", "40.00", "0", "2027-01-20");
    set(&r, "CLM_LINE_FROM_DT", "2027-02-30");
    put_rec(&d, &r);
    part_b_line(&r, "41", "B10", "1", M1, "2027-01-10", "97110", "3O.00", "40.00", "0", "2027-01-20");
    put_rec(&d, &r);
    /* above the per-amount limit of 100000000.00 dollars (docs/input-formats.md, Amounts) */
    part_b_line(&r, "42", "B11", "1", M1, "2027-01-10", "97110", "100000000.01", "40.00", "0", "2027-01-20");
    put_rec(&d, &r);
    ck_assert_int_lt(deliver(&d, 1, 0), 0);
    /* CCLF5 records 5 and 6; CLM_LINE_FROM_DT starts at column 78, the paid amount at 103 */
    HAS("T.A1234.ACO.ZC5Y27.D270115.T1200000:5:78: warning: CLM_LINE_FROM_DT: \"2027-02-30\" is not a date");
    HAS("ZC5Y27.D270115.T1200000:6:103: CLM_LINE_CVRD_PD_AMT: \"3O.00\" is not a signed amount");
    HAS("ZC5Y27.D270115.T1200000:7:103: CLM_LINE_CVRD_PD_AMT: \"100000000.01\" is above the limit of 100000000.00 dollars");
    HAS("rejected (2 errors)");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM eligibility"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM loads"), 0);
}
END_TEST

/* A service date decades ahead (after 2037-06-30: the last performance year and its
 * run-out) loads, with one warning naming the claim and the date, counted in
 * loads.warnings (before: accepted silently). */
START_TEST(test_future_dates_warn)
{
    delivery d;
    january(&d);
    rec r;
    part_b_line(&r, "43", "B12", "1", M1, "2090-01-10", "97110", "30.00", "40.00", "0", "2027-01-20");
    put_rec(&d, &r);
    ck_assert_int_eq(deliver(&d, 1, 0), 0);
    HAS("warning: claim B12: service date 2090-01-10 is after 2037-06-30");
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE claim_id LIKE 'B12%'"), 1);
    ck_assert_int_ge(q("SELECT max(warnings) FROM loads"), 1);
}
END_TEST

/* --skip-bad: the good claims load; the bad record and the other records of its claim
 * go to the rejects file. */
START_TEST(test_skip_bad)
{
    delivery d;
    january(&d);
    rec r;
    part_b_line(&r, "40", "B9", "1", M1, "2027-01-10", "97110", "30.00", "40.00", "0", "2027-01-20");
    put_rec(&d, &r);
    part_b_line(&r, "40", "B9", "2", M1, "2027-01-10", "97110", "3O.00", "40.00", "0", "2027-01-20");
    put_rec(&d, &r);
    part_b_line(&r, "41", "B10", "1", M1, "2027-01-10", "XX", "30.00", "40.00", "0", "2027-01-20");
    put_rec(&d, &r);
    ck_assert_int_eq(deliver(&d, 1, 1), 0);
    HAS(":6:103: CLM_LINE_CVRD_PD_AMT: \"3O.00\"");
    /* a malformed HCPCS (optional): a warning, the line kept without it, its money too */
    HAS(":7:98: warning: CLM_LINE_HCPCS_CD: \"XX\"");
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE status = 'current'"), 4); /* A1, B1, D1, B10 */
    ck_assert_int_eq(q("SELECT l.paid_cents FROM claim_lines l JOIN claims USING (claim_id) WHERE "
                       "control_number = 'B10' AND hcpcs_code = ''"), 3000);
    ck_assert_int_eq(q("SELECT count(*) FROM claims WHERE control_number = 'B9'"), 0);
    char path[128], *buf, err[256];
    size_t len;
    snprintf(path, sizeof path, "%s/rejects.tsv", dir);
    ck_assert_int_eq(util_read_file(path, 1 << 20, &buf, &len, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(buf, "\t6\tCLM_LINE_CVRD_PD_AMT\t"));
    ck_assert_ptr_nonnull(strstr(buf, "\t5\tCUR_CLM_UNIQ_ID\tclaim 0000000000040 has a bad record"));
    free(buf);
}
END_TEST

/* CCLF0 says CCLF5 has one more record than delivered; a record of the wrong length;
 * a line whose claim has no header. */
START_TEST(test_counts_and_lengths)
{
    delivery d;
    january(&d);
    d.used[0] = 1;
    summary_rec(&d.f[0], '5', 5, 388);
    ck_assert_int_lt(deliver(&d, 0, 0), 0);
    HAS("ZC5Y27.D270115.T1200000:0: 4 records, but CCLF0 (T.A1234.ACO.ZC0Y27.D270115.T1200000) says 5");
    january(&d);
    rec r;
    part_a_line(&r, "99", "1", "0120", "10.00"); /* claim 99 has no CCLF1 */
    put_rec(&d, &r);
    add(&d.f[slot('4')], &(rec){'4', "0000000000001 too short"});
    ck_assert_int_lt(deliver(&d, 1, 0), 0);
    HAS("ZC2Y27.D270115.T1200000:3:1: CUR_CLM_UNIQ_ID: claim 0000000000099 has no CCLF1 header");
    HAS("ZC4Y27.D270115.T1200000:3: the record is 23 characters long (CCLF4 records are 112)");
    ck_assert_int_eq(q("SELECT count(*) FROM claims"), 0);
}
END_TEST

/* The pure converters: the error names the field and its column. */
START_TEST(test_converters)
{
    rec r;
    feed_claim c;
    char cur[14], oscar[21], att[11];
    cclf_error e;
    part_a_header(&r, "1", M1, "0", "2027-02-01", "10000.00");
    ck_assert_int_eq(cclf_part_a_header(r.b, &c, cur, oscar, att, &e), 0);
    ck_assert_str_eq(c.claim_id, "A1");
    ck_assert_str_eq(oscar, "340001");
    cclf_part_a_key(&c, oscar);
    ck_assert_str_eq(c.key, "A|340001|2027-01-03|2027-01-07|" M1);
    set(&r, "CLM_TYPE_CD", "71");
    ck_assert_int_lt(cclf_part_a_header(r.b, &c, cur, oscar, att, &e), 0);
    ck_assert_str_eq(e.field->name, "CLM_TYPE_CD");
    ck_assert_ptr_nonnull(strstr(e.msg, "\"71\" is not a Part A claim type"));
    part_a_header(&r, "1", "1EG4TE5MK7", "0", "2027-02-01", "10000.00");
    ck_assert_int_lt(cclf_part_a_header(r.b, &c, cur, oscar, att, &e), 0);
    ck_assert_str_eq(e.field->name, "BENE_MBI_ID");
    part_a_header(&r, "1", M1, "3", "2027-02-01", "10000.00");
    ck_assert_int_lt(cclf_part_a_header(r.b, &c, cur, oscar, att, &e), 0);
    ck_assert_str_eq(e.field->name, "CLM_ADJSMT_TYPE_CD");
    /* versions: effective date first, then the IDR load date */
    ck_assert(feed_cclf_version(10, 0) > feed_cclf_version(9, 500));
    ck_assert(feed_cclf_version(10, 2) > feed_cclf_version(10, 1));
    ck_assert(feed_cclf_version(0, CARA_DATE_NONE) > feed_cclf_version(CARA_DATE_NONE, 5));
}
END_TEST

Suite *suite_feed_cclf(void)
{
    Suite *s = suite_create("feed_cclf");
    TCase *tc = tcase_create("cclf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_one_delivery);
    tcase_add_test(tc, test_hash_alongside);
    tcase_add_test(tc, test_hash_alongside_race);
    tcase_add_test(tc, test_part_b_batches);
    tcase_add_test(tc, test_run_out_in_order);
    tcase_add_test(tc, test_run_out_out_of_order);
    tcase_add_test(tc, test_bad_records_reject_delivery);
    tcase_add_test(tc, test_future_dates_warn);
    tcase_add_test(tc, test_skip_bad);
    tcase_add_test(tc, test_counts_and_lengths);
    tcase_add_test(tc, test_converters);
    suite_add_tcase(s, tc);
    return s;
}
