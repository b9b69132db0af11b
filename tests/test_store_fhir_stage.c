/*
 * tests/test_store_fhir_stage.c: the FHIR loader's staging tables (store/fhir_stage.h)
 * used directly: staged patients come back with their coverage periods in the order the
 * loader picks spans in, a patient staged twice keeps its last values, the deferral
 * lookups, a stage opened after close starts empty, and a store failure is -EIO with
 * SQLite's message.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

static void setup(void) { th_tmpdir_store(dir, "cara-fhirstage", &db); }

static void teardown(void)
{
    store_close(db);
    th_rmdir(dir);
}

static cara_date d(int y, int m, int day) { return date_from_ymd(y, m, day); }

static void put_patient(fhir_stage *st, const char *id, const char *mbi, const char *zip,
                        cara_date birth, cara_date death)
{
    char err[256];
    fhir_stage_patient p = {.patient_id = id, .mbi = mbi, .gender = "F", .state = "OH",
                            .zip = zip, .birth = birth, .death = death};
    ck_assert_msg(fhir_stage_patient_put(st, &p, err, sizeof err) == 0, "%s", err);
}

static void put_cov(fhir_stage *st, const char *id, char part, cara_date start, cara_date end,
                    const char *dual)
{
    char err[256];
    fhir_stage_cov c = {.part = part, .start = start, .end = end, .dual = dual, .ms = "10"};
    ck_assert_msg(fhir_stage_cov_put(st, id, &c, err, sizeof err) == 0, "%s", err);
}

/* Every staged patient as "id mbi zip birth death: part start..end dual, ...;" lines,
 * dates as day numbers (N: absent). */
static void walk(fhir_stage *st, char *out, size_t outlen)
{
    char err[256];
    fhir_stage_patient p;
    fhir_stage_cov c;
    size_t k = 0;
    out[0] = 0;
    int rc;
    while ((rc = fhir_stage_next(st, &p, err, sizeof err)) == 1) {
        k += (size_t)snprintf(out + k, outlen - k, "%s %s %s %d %d:", p.patient_id, p.mbi,
                              p.zip, (int)p.birth, (int)p.death);
        int crc;
        while ((crc = fhir_stage_next_cov(st, &c, err, sizeof err)) == 1) {
            char s[16] = "N", e[16] = "N";
            if (c.start != CARA_DATE_NONE) snprintf(s, sizeof s, "%d", (int)c.start);
            if (c.end != CARA_DATE_NONE) snprintf(e, sizeof e, "%d", (int)c.end);
            k += (size_t)snprintf(out + k, outlen - k, " %c %s..%s %s/%s", c.part, s, e, c.dual,
                                  c.ms);
        }
        ck_assert_msg(crc == 0, "%s", err);
        k += (size_t)snprintf(out + k, outlen - k, ";\n");
        ck_assert_uint_lt(k, outlen);
    }
    ck_assert_msg(rc == 0, "%s", err);
}

/* Patients in staging order, each with Part B before Part A, dated periods by start
 * and then the undated one; a patient without coverage has none; absent dates come
 * back absent. */
START_TEST(test_patients_and_coverage)
{
    char err[256], got[2048], want[2048];
    fhir_stage *st;
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    put_patient(st, "p1", "1AA0AA0AA01", "44101", d(1950, 3, 1), CARA_DATE_NONE);
    put_cov(st, "p1", 'A', d(2015, 3, 1), CARA_DATE_NONE, "00");
    put_cov(st, "p1", 'B', CARA_DATE_NONE, CARA_DATE_NONE, "02");
    put_cov(st, "p1", 'B', d(2020, 1, 1), d(2020, 12, 31), "01");
    put_cov(st, "p1", 'B', d(2016, 1, 1), d(2018, 6, 30), "00");
    put_patient(st, "p2", "2BB0BB0BB02", "44102", CARA_DATE_NONE, d(2027, 5, 2));
    put_cov(st, "p9", 'B', d(2016, 1, 1), CARA_DATE_NONE, "00"); /* no Patient: never read */
    put_patient(st, "p3", "3CC0CC0CC03", "44103", d(1940, 1, 1), d(2027, 1, 1));
    put_cov(st, "p3", 'A', d(2005, 1, 1), d(2027, 1, 1), "00");
    walk(st, got, sizeof got);
    snprintf(want, sizeof want,
             "p1 1AA0AA0AA01 44101 %d %d: B %d..%d 00/10 B %d..%d 01/10 B N..N 02/10 "
             "A %d..N 00/10;\n"
             "p2 2BB0BB0BB02 44102 %d %d:;\n"
             "p3 3CC0CC0CC03 44103 %d %d: A %d..%d 00/10;\n",
             (int)d(1950, 3, 1), (int)CARA_DATE_NONE, (int)d(2016, 1, 1), (int)d(2018, 6, 30),
             (int)d(2020, 1, 1), (int)d(2020, 12, 31), (int)d(2015, 3, 1),
             (int)CARA_DATE_NONE, (int)d(2027, 5, 2), (int)d(1940, 1, 1), (int)d(2027, 1, 1),
             (int)d(2005, 1, 1), (int)d(2027, 1, 1));
    ck_assert_str_eq(got, want);
    /* the walk starts again after its end, and stopping a patient's periods early is
     * allowed: the next patient's come back whole */
    fhir_stage_patient p;
    fhir_stage_cov c;
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 1);
    ck_assert_str_eq(p.patient_id, "p1");
    ck_assert_int_eq(fhir_stage_next_cov(st, &c, err, sizeof err), 1);
    ck_assert_int_eq(c.part, 'B');
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 1);
    ck_assert_str_eq(p.patient_id, "p2");
    ck_assert_int_eq(fhir_stage_next_cov(st, &c, err, sizeof err), 0);
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 1);
    ck_assert_int_eq(fhir_stage_next_cov(st, &c, err, sizeof err), 1);
    ck_assert_int_eq(c.part, 'A');
    ck_assert_int_eq(c.end, d(2027, 1, 1));
    ck_assert_int_eq(fhir_stage_next_cov(st, &c, err, sizeof err), 0);
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 0);
    /* no patient is current after the end */
    ck_assert_int_eq(fhir_stage_next_cov(st, &c, err, sizeof err), -EINVAL);
    fhir_stage_close(st);
}
END_TEST

/* A patient staged again is replaced: one row, the last values (it is read after the
 * patients staged since its first put); its coverage periods all stay. */
START_TEST(test_replaced_patient)
{
    char err[256], got[1024], want[1024];
    fhir_stage *st;
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    put_patient(st, "p1", "1AA0AA0AA01", "44101", d(1950, 3, 1), CARA_DATE_NONE);
    put_cov(st, "p1", 'B', d(2016, 1, 1), CARA_DATE_NONE, "00");
    put_patient(st, "p2", "2BB0BB0BB02", "44102", d(1951, 1, 1), CARA_DATE_NONE);
    put_patient(st, "p1", "1AA0AA0AA09", "44109", d(1950, 3, 2), d(2027, 2, 1));
    put_cov(st, "p1", 'B', d(2015, 1, 1), d(2015, 12, 31), "01");
    walk(st, got, sizeof got);
    snprintf(want, sizeof want,
             "p2 2BB0BB0BB02 44102 %d %d:;\n"
             "p1 1AA0AA0AA09 44109 %d %d: B %d..%d 01/10 B %d..N 00/10;\n",
             (int)d(1951, 1, 1), (int)CARA_DATE_NONE, (int)d(1950, 3, 2), (int)d(2027, 2, 1),
             (int)d(2015, 1, 1), (int)d(2015, 12, 31), (int)d(2016, 1, 1));
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.fhir_bene"), 2);
    fhir_stage_close(st);
}
END_TEST

/* Deferred records by file and number; remembering one twice keeps one row. */
START_TEST(test_deferral)
{
    char err[256];
    fhir_stage *st;
    int yes = -1;
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(fhir_stage_file_deferred(st, 0, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(fhir_stage_defer(st, 0, 5, err, sizeof err), 0);
    ck_assert_int_eq(fhir_stage_defer(st, 0, 5, err, sizeof err), 0);
    ck_assert_int_eq(fhir_stage_defer(st, 2, 7, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.fhir_defer"), 2);
    ck_assert_int_eq(fhir_stage_deferred(st, 0, 5, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 1);
    ck_assert_int_eq(fhir_stage_deferred(st, 0, 6, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(fhir_stage_deferred(st, 2, 5, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(fhir_stage_deferred(st, 2, 7, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 1);
    ck_assert_int_eq(fhir_stage_file_deferred(st, 0, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 1);
    ck_assert_int_eq(fhir_stage_file_deferred(st, 1, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(fhir_stage_file_deferred(st, 2, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 1);
    fhir_stage_close(st);
}
END_TEST

/* close drops the tables; a stage opened after it starts empty. Tables an earlier
 * stage left (a connection that never closed it) are dropped by open too. */
START_TEST(test_reopen_empty)
{
    char err[256];
    fhir_stage *st, *again;
    int yes = -1;
    fhir_stage_patient p;
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    put_patient(st, "p1", "1AA0AA0AA01", "44101", d(1950, 3, 1), CARA_DATE_NONE);
    put_cov(st, "p1", 'B', d(2016, 1, 1), CARA_DATE_NONE, "00");
    ck_assert_int_eq(fhir_stage_defer(st, 0, 1, err, sizeof err), 0);
    fhir_stage_close(st);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sqlite_temp_master WHERE name LIKE "
                              "'fhir%'"), 0);
    ck_assert_msg(fhir_stage_open(db, &again, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sqlite_temp_master WHERE name LIKE "
                              "'fhir%'"), 4); /* three tables and the coverage index */
    ck_assert_int_eq(fhir_stage_next(again, &p, err, sizeof err), 0);
    ck_assert_int_eq(fhir_stage_file_deferred(again, 0, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.fhir_cov"), 0);
    fhir_stage_close(again);
    /* a staging table left with rows (made here by hand): open starts from empty ones */
    ck_assert_int_eq(store_exec(db, "CREATE TEMP TABLE fhir_defer (fidx INTEGER, number "
                                    "INTEGER); INSERT INTO temp.fhir_defer VALUES (3, 4)",
                                err, sizeof err), 0);
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(fhir_stage_file_deferred(st, 3, &yes, err, sizeof err), 0);
    ck_assert_int_eq(yes, 0);
    fhir_stage_close(st);
    fhir_stage_close(NULL);
}
END_TEST

/* A store failure is -EIO with SQLite's message: each call with its table dropped
 * behind the stage's back. */
START_TEST(test_store_failure)
{
    char err[256];
    fhir_stage *st;
    int yes = -1;
    fhir_stage_patient p;
    fhir_stage_cov c = {.part = 'B', .start = d(2016, 1, 1), .end = CARA_DATE_NONE,
                        .dual = "00", .ms = "10"};
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    put_patient(st, "p1", "1AA0AA0AA01", "44101", d(1950, 3, 1), CARA_DATE_NONE);
    ck_assert_int_eq(store_exec(db, "DROP TABLE temp.fhir_cov", err, sizeof err), 0);
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_cov_put(st, "p1", &c, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "no such table: fhir_cov");
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), -EIO); /* its reads prepare */
    ck_assert_str_eq(err, "no such table: fhir_cov");
    ck_assert_int_eq(store_exec(db, "DROP TABLE temp.fhir_defer", err, sizeof err), 0);
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_defer(st, 0, 1, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "no such table: fhir_defer");
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_deferred(st, 0, 1, &yes, err, sizeof err), -EIO);
    ck_assert_int_eq(yes, 0);
    ck_assert_str_eq(err, "no such table: fhir_defer");
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_file_deferred(st, 0, &yes, err, sizeof err), -EIO);
    ck_assert_int_eq(yes, 0);
    ck_assert_str_eq(err, "no such table: fhir_defer");
    ck_assert_int_eq(store_exec(db, "DROP TABLE temp.fhir_bene", err, sizeof err), 0);
    fhir_stage_patient q = {.patient_id = "p2", .mbi = "2BB0BB0BB02", .gender = "M",
                            .state = "OH", .zip = "44102", .birth = d(1951, 1, 1),
                            .death = CARA_DATE_NONE};
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_patient_put(st, &q, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "no such table: fhir_bene");
    fhir_stage_close(st);
}
END_TEST

/* A failure in the middle of a walk (the coverage table dropped once the reads are
 * prepared) is -EIO from fhir_stage_next_cov; and open itself fails with the CREATE's
 * message, leaving nothing behind, when a view holds a staging table's name. */
START_TEST(test_walk_and_open_failure)
{
    char err[256];
    fhir_stage *st;
    fhir_stage_patient p;
    fhir_stage_cov c;
    ck_assert_msg(fhir_stage_open(db, &st, err, sizeof err) == 0, "%s", err);
    put_patient(st, "p1", "1AA0AA0AA01", "44101", d(1950, 3, 1), CARA_DATE_NONE);
    put_cov(st, "p1", 'B', d(2016, 1, 1), CARA_DATE_NONE, "00");
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 1);
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(db, "DROP TABLE temp.fhir_cov", err, sizeof err), 0);
    ck_assert_int_eq(fhir_stage_next(st, &p, err, sizeof err), 1);
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_next_cov(st, &c, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "no such table: fhir_cov");
    fhir_stage_close(st);

    ck_assert_int_eq(store_exec(db, "CREATE TEMP VIEW fhir_cov AS SELECT 1 AS x", err,
                                sizeof err), 0);
    err[0] = 0;
    ck_assert_int_eq(fhir_stage_open(db, &st, err, sizeof err), -EIO);
    ck_assert_ptr_null(st);
    ck_assert_msg(strstr(err, "fhir_cov"), "%s", err);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'table'"),
                     0);
}
END_TEST

Suite *suite_store_fhir_stage(void)
{
    Suite *s = suite_create("store_fhir_stage");
    TCase *tc = tcase_create("fhir_stage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_patients_and_coverage);
    tcase_add_test(tc, test_replaced_patient);
    tcase_add_test(tc, test_deferral);
    tcase_add_test(tc, test_reopen_empty);
    tcase_add_test(tc, test_store_failure);
    tcase_add_test(tc, test_walk_and_open_failure);
    suite_add_tcase(s, tc);
    return s;
}
