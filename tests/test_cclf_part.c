/*
 * tests/test_cclf_part.c: core/load/cclf_part.h, a CCLF delivery's stage in partitions:
 * how many partitions a delivery takes (at the bound, one past it, the cap), every
 * claim's records and marks in one partition and in the order staged, each partition
 * staged back with only its own claims, and the collateral rows of all partitions
 * merged into file order.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "load/cclf_part.h"
#include "suites.h"

START_TEST(test_count)
{
    ck_assert_uint_eq(part_count(0, 4), 1);
    ck_assert_uint_eq(part_count(4, 4), 1);        /* at the bound: one stage */
    ck_assert_uint_eq(part_count(5, 4), 2);        /* each about 4/5 of a bound: 4 - 0 */
    ck_assert_uint_eq(part_count(1000, 100), 13);  /* 80 each: ceil(1000 / 80) */
    ck_assert_uint_eq(part_count(1040, 100), 13);
    ck_assert_uint_eq(part_count(1041, 100), 14);
    ck_assert_uint_eq(part_count(UINT64_C(1) << 40, 100), CCLF_PARTS_MAX);
    ck_assert_uint_eq(part_count(10, 0), 1);       /* no bound: one */
    /* 33 million records (a million beneficiaries' monthly delivery) and the shipped
     * bound: 11 partitions of about 3 million */
    ck_assert_uint_eq(part_count(33000000, CCLF_STAGE_MEM_RECORDS), 11);
}
END_TEST

/* 30 claims of 5 records each (CCLF1, two CCLF2, CCLF4 and CCLF3) into 4 partitions,
 * claims 3, 10 and 17 marked bad; every partition staged back: each claim in exactly
 * one, whole, its records in the order put, the bad ones listed as collateral. */
START_TEST(test_partitions)
{
    char dir[64];
    store *db;
    th_tmpdir_store(dir, "cara-part", &db);
    char err[256];
    struct xsort **parts = NULL;
    enum { CLAIMS = 30, PARTS = 4 };
    ck_assert_int_eq(part_open(PARTS, &parts, err, sizeof err), 0);
    static const char files[] = "12243";
    int64_t recno = 0;
    char id[CLAIMS][14];
    for (int c = 0; c < CLAIMS; c++) {
        snprintf(id[c], sizeof id[c], "%013d", 1000 + c * 7);
        for (int k = 0; k < 5; k++) {
            recno++;
            ck_assert_int_eq(part_put(parts, PARTS, files[k], id[c], 13, files[k] - '1', recno,
                                      recno * 100, 80, 0, err, sizeof err), 0);
        }
        if (c == 3 || c == 10 || c == 17) /* a mark: the claim's first 13 characters */
            ck_assert_int_eq(part_put(parts, PARTS, 0, id[c], 13, 0, 0, 0, 0, 1, err, sizeof err), 0);
    }
    int seen[CLAIMS] = {0}, used = 0;
    for (int p = 0; p < PARTS; p++) {
        cclf_stage *st = NULL;
        ck_assert_msg(part_stage(parts[p], db, 1000, &st, err, sizeof err) == 0, "%s", err);
        int here = 0;
        for (int c = 0; c < CLAIMS; c++) {
            ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_CLAIM, '2', id[c], err, sizeof err), 0);
            cclf_stage_row r;
            int n = 0;
            int64_t last = 0;
            while (cclf_stage_next(st, CCLF_STAGE_CLAIM, &r, err, sizeof err) == 1) {
                ck_assert_str_eq(r.cur_id, id[c]);
                ck_assert_int_gt(r.recno, last); /* in the order put */
                ck_assert_int_eq(r.off, r.recno * 100);
                last = r.recno;
                n++;
            }
            if (n) {
                ck_assert_int_eq(n, 2); /* its two CCLF2 lines */
                seen[c]++;
                here++;
            }
        }
        used += here > 0;
        /* the bad claims of this partition: all five records collateral, none in Part A */
        ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_COLLATERAL, 0, NULL, err, sizeof err), 0);
        cclf_stage_row r;
        while (cclf_stage_next(st, CCLF_STAGE_COLLATERAL, &r, err, sizeof err) == 1)
            ck_assert(!strcmp(r.cur_id, id[3]) || !strcmp(r.cur_id, id[10]) || !strcmp(r.cur_id, id[17]));
        ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_A, 0, NULL, err, sizeof err), 0);
        while (cclf_stage_next(st, CCLF_STAGE_PART_A, &r, err, sizeof err) == 1)
            ck_assert(strcmp(r.cur_id, id[3]) && strcmp(r.cur_id, id[10]) && strcmp(r.cur_id, id[17]));
        cclf_stage_close(st);
    }
    for (int c = 0; c < CLAIMS; c++) ck_assert_int_eq(seen[c], 1); /* whole, in one */
    ck_assert_int_ge(used, 2); /* the hash spread them */
    /* a claim id longer than a partition row holds */
    ck_assert_int_eq(part_put(parts, PARTS, '1', "123456789012345678901234", 24, 0, 1, 0, 80, 0,
                              err, sizeof err), -E2BIG);
    part_close(parts, PARTS);
    th_store_done(dir, &db);
}
END_TEST

START_TEST(test_collateral_in_file_order)
{
    char err[256];
    struct xsort *s = NULL;
    ck_assert_int_eq(part_collateral_open(&s, err, sizeof err), 0);
    /* (file index, record): put out of order, as partitions list them */
    static const int64_t put[][2] = {{1, 9}, {0, 7}, {1, 2}, {0, 3}, {2, 1}, {0, 12}};
    for (size_t i = 0; i < sizeof put / sizeof put[0]; i++) {
        char id[14];
        snprintf(id, sizeof id, "%013d", (int)i);
        cclf_stage_row r = {.file = '2', .cur_id = id, .fidx = put[i][0], .recno = put[i][1],
                            .off = 5, .len = 80, .orphan = (int)(i % 2)};
        ck_assert_int_eq(part_collateral_put(s, &r, err, sizeof err), 0);
    }
    static const int64_t want[][2] = {{0, 3}, {0, 7}, {0, 12}, {1, 2}, {1, 9}, {2, 1}};
    cclf_stage_row r;
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(part_collateral_next(s, &r, err, sizeof err), 1);
        ck_assert_int_eq(r.fidx, want[i][0]);
        ck_assert_int_eq(r.recno, want[i][1]);
        ck_assert_uint_eq(r.len, 80);
    }
    ck_assert_int_eq(part_collateral_next(s, &r, err, sizeof err), 0);
    xsort_close(s);
}
END_TEST

Suite *suite_cclf_part(void)
{
    Suite *s = suite_create("cclf_part");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_count);
    tcase_add_test(tc, test_partitions);
    tcase_add_test(tc, test_collateral_in_file_order);
    suite_add_tcase(s, tc);
    return s;
}
