/*
 * tests/test_store_writers.c: the store's writers (core/store/ claims_w, people_w, orgs_w,
 * arrangements_w) and audit_append: a writer inserts with its explicit columns (defaults for the others), upserts by its
 * key with the update rule its header states, reports a constraint failure naming the
 * field; audit_append writes exactly the columns of its row.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static store *db;

static void setup(void) { th_tmpdir_store(dir, "cara-writers", &db); }

static void teardown(void)
{
    store_close(db);
    th_rmdir(dir);
}

/* An ACO upserts by aco_id: name and track follow the last write; the years stay at the
 * column defaults (2027-2036) unless given. The name is taken with its length (a CSV
 * field is not NUL-terminated). */
START_TEST(test_aco_upsert)
{
    orgs_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(orgs_w_open(db, &w, err, sizeof err), 0);
    aco_rec r = {.aco_id = "A1", .name = "Alpha ACOxxxx", .name_len = 9, .track = "global"};
    ck_assert_int_eq(orgs_w_aco_put(w, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT name || '|' || track || '|' || first_year || '-' || "
                               "last_year FROM acos", buf), "Alpha ACO|global|2027-2036");
    r.name = "Alpha Two";
    r.name_len = -1;
    r.track = "professional";
    ck_assert_int_eq(orgs_w_aco_put(w, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT name || '|' || track || '|' || first_year || '-' || "
                               "last_year FROM acos", buf), "Alpha Two|professional|2027-2036");
    r.has_years = 1;
    r.first_year = 2028;
    r.last_year = 2030;
    ck_assert_int_eq(orgs_w_aco_put(w, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT first_year || '-' || last_year FROM acos", buf), "2028-2030");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM acos"), 1);
    /* ensure: a stored ACO is left alone, a new one is created as (id, id, global) */
    int created = -1;
    ck_assert_int_eq(orgs_w_aco_ensure(w, "A1", &created, err, sizeof err), 0);
    ck_assert_int_eq(created, 0);
    ck_assert_int_eq(orgs_w_aco_ensure(w, "B2", &created, err, sizeof err), 0);
    ck_assert_int_eq(created, 1);
    ck_assert_str_eq(th_qs(db, "SELECT name || '|' || track FROM acos WHERE aco_id = 'B2'", buf),
                     "B2|global");
    ck_assert_str_eq(th_qs(db, "SELECT name FROM acos WHERE aco_id = 'A1'", buf), "Alpha Two");
    orgs_w_close(w);
}
END_TEST

/* A CHECK failure names the field: a track that is not global or professional. */
START_TEST(test_aco_check_names_field)
{
    orgs_w *w;
    char err[256];
    ck_assert_int_eq(orgs_w_open(db, &w, err, sizeof err), 0);
    aco_rec r = {.aco_id = "A1", .name = "Alpha", .name_len = -1, .track = "gold"};
    ck_assert_int_eq(orgs_w_aco_put(w, &r, err, sizeof err), -EIO);
    ck_assert_msg(strncmp(err, "track: ", 7) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "CHECK constraint failed"));
    /* the connection keeps SQLite's message alone (the loaders print it) */
    ck_assert_ptr_nonnull(strstr(sqlite3_errmsg(store_db(db)), "CHECK constraint failed"));
    ck_assert_int_eq(strncmp(sqlite3_errmsg(store_db(db)), "track: ", 7) != 0, 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM acos"), 0);
    /* a NOT NULL failure names the column too */
    r.track = NULL;
    ck_assert_int_eq(orgs_w_aco_put(w, &r, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "track: NOT NULL constraint failed: acos.track");
    orgs_w_close(w);
}
END_TEST

/* Providers upsert by (npi, tin); a NULL specialty is stored as ''. Participations: put
 * updates the end date of the same key, add refuses it (-EEXIST), end closes the open one;
 * a TIN of an unknown ACO is a FOREIGN KEY failure naming aco_id. */
START_TEST(test_provider_and_tins)
{
    orgs_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(orgs_w_open(db, &w, err, sizeof err), 0);
    provider_rec p = {.npi = "1234567893", .tin = "123456789", .name = "Dr A", .name_len = -1};
    ck_assert_int_eq(orgs_w_provider_put(w, &p, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT name || '|' || specialty_code || '|' FROM providers", buf),
                     "Dr A||");
    p.name = "Dr B";
    p.specialty_code = "08";
    ck_assert_int_eq(orgs_w_provider_put(w, &p, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT name || '|' || specialty_code FROM providers", buf), "Dr B|08");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM providers"), 1);

    aco_tin_rec t = {.aco_id = "A1", .tin = "123456789", .start_date = "2027-01-01"};
    ck_assert_int_eq(orgs_w_tin_put(w, &t, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "aco_id: FOREIGN KEY constraint failed");
    aco_rec a = {.aco_id = "A1", .name = "Alpha", .name_len = -1, .track = "global"};
    ck_assert_int_eq(orgs_w_aco_put(w, &a, err, sizeof err), 0);
    ck_assert_int_eq(orgs_w_tin_put(w, &t, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM aco_tins WHERE end_date IS NULL"), 1);
    t.end_date = "2027-06-30";
    ck_assert_int_eq(orgs_w_tin_put(w, &t, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT end_date FROM aco_tins", buf), "2027-06-30");
    ck_assert_int_eq(orgs_w_tin_add(w, &t, err, sizeof err), -EEXIST);
    ck_assert_str_eq(err, "aco_id, tin, start_date: UNIQUE constraint failed: aco_tins.aco_id, "
                          "aco_tins.tin, aco_tins.start_date");
    aco_tin_rec t2 = {.aco_id = "A1", .tin = "123456789", .start_date = "2028-01-01"};
    ck_assert_int_eq(orgs_w_tin_add(w, &t2, err, sizeof err), 0);
    ck_assert_int_eq(orgs_w_tin_end(w, "A1", "123456789", "2028-12-31", err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(start_date || '..' || end_date, ' ') FROM "
                               "(SELECT * FROM aco_tins ORDER BY start_date)", buf),
                     "2027-01-01..2027-06-30 2028-01-01..2028-12-31");
    orgs_w_close(w);
}
END_TEST

/* Arrangements: put inserts as 'active' and replaces the listed fields (terms absent are
 * NULL) keeping the status; offer inserts 'offered' and refuses a stored id; status moves
 * it and sets the end date only when given. */
START_TEST(test_arrangements)
{
    orgs_w *o;
    arrangements_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(orgs_w_open(db, &o, err, sizeof err), 0);
    aco_rec a = {.aco_id = "A1", .name = "Alpha", .name_len = -1, .track = "global"};
    ck_assert_int_eq(orgs_w_aco_put(o, &a, err, sizeof err), 0);
    orgs_w_close(o);
    ck_assert_int_eq(arrangements_w_open(db, &w, err, sizeof err), 0);
    arrangement_rec r = {.arrangement_id = "E1", .aco_id = "A1", .npi = "1234567893",
                         .tin = "123456789", .template_id = "falls_prevention",
                         .start_date = "2027-01-01", .terms = {-200, 5000, 0, 0, 0},
                         .has = 1u << ARR_DISCOUNT | 1u << ARR_SAVINGS_SHARE};
    ck_assert_int_eq(arrangements_w_put(w, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT status || '|' || discount_bps || '|' || savings_share_bps "
                               "|| '|' || coalesce(loss_share_bps, 'null') || '|' || "
                               "coalesce(end_date, 'open') FROM arrangements", buf),
                     "active|-200|5000|null|open");
    ck_assert_int_eq(arrangements_w_status(w, "E1", "ended", "2027-09-30", err, sizeof err), 0);
    r.terms[ARR_DISCOUNT] = 100;
    r.end_date = "2027-12-31";
    ck_assert_int_eq(arrangements_w_put(w, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT status || '|' || discount_bps || '|' || end_date FROM "
                               "arrangements", buf), "ended|100|2027-12-31");
    ck_assert_int_eq(arrangements_w_offer(w, &r, err, sizeof err), -EEXIST);
    ck_assert_str_eq(err, "arrangement_id: UNIQUE constraint failed: arrangements.arrangement_id");
    arrangement_rec r2 = r;
    r2.arrangement_id = "E2";
    r2.end_date = NULL;
    r2.has = 0;
    ck_assert_int_eq(arrangements_w_offer(w, &r2, err, sizeof err), 0);
    ck_assert_int_eq(arrangements_w_status(w, "E2", "active", NULL, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT status || '|' || coalesce(end_date, 'open') || '|' || "
                               "coalesce(discount_bps, 'null') FROM arrangements WHERE "
                               "arrangement_id = 'E2'", buf), "active|open|null");
    r2.arrangement_id = "E3";
    r2.aco_id = "NOPE";
    ck_assert_int_eq(arrangements_w_offer(w, &r2, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "aco_id: FOREIGN KEY constraint failed");
    arrangements_w_close(w);
}
END_TEST

/* Eligibility: put replaces every field of the span; span keeps the demographics of a
 * stored span (only its end date follows); demographics never erase what is unknown;
 * close ends the open spans at a death date. */
START_TEST(test_eligibility)
{
    people_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(people_w_open(db, &w, err, sizeof err), 0);
    elig_rec r = {.person_id = "P1", .enrollment_start_date = "2027-01-01", .gender = "female",
                  .birth_date = "1950-02-03", .dual_status_code = "02", .state = "CA",
                  .zip_code = "94110"};
    ck_assert_int_eq(people_w_elig_put(w, &r, err, sizeof err), 0);
    r.gender = "male";
    r.state = NULL;
    ck_assert_int_eq(people_w_elig_put(w, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT gender || '|' || state || '|' || zip_code || '|' || "
                               "medicare_status_code || '|' || hospice_flag FROM eligibility", buf),
                     "male||94110||0");
    /* span: the same key only moves its end date */
    elig_rec f = {.person_id = "P1", .enrollment_start_date = "2027-01-01",
                  .enrollment_end_date = "2027-12-31", .gender = "unknown",
                  .birth_date = "1950-02-03"};
    ck_assert_int_eq(people_w_elig_span(w, &f, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT gender || '|' || zip_code || '|' || enrollment_end_date "
                               "FROM eligibility", buf), "male|94110|2027-12-31");
    f.enrollment_start_date = "2028-01-01";
    f.enrollment_end_date = NULL;
    ck_assert_int_eq(people_w_elig_span(w, &f, err, sizeof err), 0);
    /* demographics: unknown gender and empty codes keep; hospice turns on from 2028-03-01,
     * so only the span still open then */
    elig_rec d = {.person_id = "P1", .gender = "unknown", .birth_date = "1950-02-04",
                  .dual_status_code = "", .zip_code = "10001", .hospice_flag = 1};
    ck_assert_int_eq(people_w_elig_demographics(w, &d, "2028-03-01", err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(enrollment_start_date || ':' || gender || ':' "
                               "|| birth_date || ':' || dual_status_code || ':' || zip_code || ':' "
                               "|| hospice_flag, ' ') FROM (SELECT * FROM eligibility ORDER BY 2)",
                           buf),
                     "2027-01-01:male:1950-02-04:02:10001:0 2028-01-01:unknown:1950-02-04::10001:1");
    /* the same demographics again (a monthly CCLF8 repeats them): no span is written (a
     * temporary trigger counts the rows an UPDATE touches); a new ZIP code: both are */
    th_exec(db, "CREATE TEMP TABLE touched (n INTEGER); INSERT INTO touched VALUES (0); "
                "CREATE TEMP TRIGGER count_touched AFTER UPDATE ON main.eligibility BEGIN "
                "UPDATE touched SET n = n + 1; END");
    ck_assert_int_eq(people_w_elig_demographics(w, &d, "2028-03-01", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT n FROM touched"), 0);
    d.zip_code = "10002";
    ck_assert_int_eq(people_w_elig_demographics(w, &d, "2028-03-01", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT n FROM touched"), 2);
    th_exec(db, "DROP TRIGGER temp.count_touched; DROP TABLE temp.touched");
    ck_assert_int_eq(people_w_elig_close(w, "P1", "2028-05-06", err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT enrollment_end_date FROM eligibility WHERE "
                               "enrollment_start_date = '2028-01-01'", buf), "2028-05-06");
    /* a CHECK failure names the field */
    r.gender = "x";
    r.enrollment_start_date = "2029-01-01";
    ck_assert_int_eq(people_w_elig_put(w, &r, err, sizeof err), -EIO);
    ck_assert_msg(strncmp(err, "gender: ", 8) == 0, "%s", err);
    people_w_close(w);
}
END_TEST

/* Alignment: put ('file') upserts the end date; cclf8 rows are kept only until a 'file'
 * row overlaps their year; rekey moves a person's spans and alignment. */
START_TEST(test_alignment)
{
    orgs_w *o;
    people_w *w;
    char err[256], buf[256];
    int created;
    ck_assert_int_eq(orgs_w_open(db, &o, err, sizeof err), 0);
    ck_assert_int_eq(orgs_w_aco_ensure(o, "A1", &created, err, sizeof err), 0);
    orgs_w_close(o);
    ck_assert_int_eq(people_w_open(db, &w, err, sizeof err), 0);
    align_rec c8 = {.person_id = "P1", .aco_id = "A1", .start_date = "2027-01-01",
                    .end_date = "2027-12-31"};
    ck_assert_int_eq(people_w_align_cclf8(w, &c8, err, sizeof err), 0);
    ck_assert_int_eq(people_w_align_cclf8(w, &c8, err, sizeof err), 0); /* ignored */
    align_rec c9 = {.person_id = "P2", .aco_id = "A1", .start_date = "2028-01-01",
                    .end_date = "2028-12-31"};
    ck_assert_int_eq(people_w_align_cclf8(w, &c9, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM alignment WHERE source = 'cclf8'"), 2);
    align_rec f = {.person_id = "P3", .aco_id = "A1", .start_date = "2027-06-01"};
    ck_assert_int_eq(people_w_align_put(w, &f, err, sizeof err), 0);
    f.end_date = "2027-08-31";
    ck_assert_int_eq(people_w_align_put(w, &f, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT source || '|' || end_date FROM alignment WHERE person_id "
                               "= 'P3'", buf), "file|2027-08-31");
    /* 2027 is covered by P3's file row, 2028 is not */
    ck_assert_int_eq(people_w_align_drop_cclf8_covered(w, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(person_id, ' ') FROM (SELECT person_id FROM "
                               "alignment ORDER BY 1)", buf), "P2 P3");
    align_rec bad = {.person_id = "P4", .aco_id = "NOPE", .start_date = "2027-01-01"};
    ck_assert_int_eq(people_w_align_put(w, &bad, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "aco_id: FOREIGN KEY constraint failed");
    /* rekey P2 -> P9 */
    elig_rec e = {.person_id = "P2", .enrollment_start_date = "2028-01-01", .gender = "male",
                  .birth_date = "1940-01-01"};
    ck_assert_int_eq(people_w_elig_put(w, &e, err, sizeof err), 0);
    ck_assert_int_eq(people_w_rekey(w, "P2", "P9", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM eligibility WHERE person_id = 'P9'"), 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM alignment WHERE person_id = 'P9'"), 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM eligibility WHERE person_id = 'P2'") +
                         th_q(db, "SELECT count(*) FROM alignment WHERE person_id = 'P2'"), 0);
    people_w_close(w);
}
END_TEST

/* A load drops the triggers that keep claim_end_days and counts the claims it writes
 * itself: only inside a transaction and only when asked (count 1), into an empty table
 * or onto stored claims; what it writes at the end is what the triggers would have
 * kept. By hand: C1..C9 end on 2027-03-01..09; C9 deleted, C8 replaced, C7 replaced and
 * made current again, C2 inserted as denied: days 01 and 03..07 count 1, as of
 * 2027-03-07. A rollback restores the triggers without the claims. */
START_TEST(test_claims_bulk_days)
{
    claims_w *w;
    char err[256], buf[256];
    const char *has = "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN "
                      "('claims_end_insert', 'claims_end_delete', 'claims_end_update')";
    const char *same = "SELECT count(*) FROM (SELECT claim_end_date, count(*) FROM claims WHERE "
                       "status = 'current' GROUP BY 1 EXCEPT SELECT * FROM claim_end_days)";
    const char *same2 = "SELECT count(*) FROM (SELECT * FROM claim_end_days EXCEPT SELECT "
                        "claim_end_date, count(*) FROM claims WHERE status = 'current' GROUP BY 1)";
    ck_assert_int_eq(claims_w_open(db, &w, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_bulk_begin(w, 1, err, sizeof err), 0); /* autocommit: nothing */
    ck_assert_int_eq(th_q(db, has), 3);
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_bulk_begin(w, 0, err, sizeof err), 0); /* not asked */
    ck_assert_int_eq(th_q(db, has), 3);
    ck_assert_int_eq(claims_w_bulk_begin(w, 1, err, sizeof err), 1);
    ck_assert_int_eq(th_q(db, has), 0);
    for (int i = 1; i <= 9; i++) {
        char id[16], end[24];
        snprintf(id, sizeof id, "C%d", i);
        snprintf(end, sizeof end, "2027-03-0%d", i);
        claim_rec c = {.claim_id = id, .claim_type = "professional", .person_id = "P1",
                       .claim_start_date = "2027-03-01", .claim_end_date = end,
                       .status = i == 2 ? "denied" : NULL};
        ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), 0);
    }
    ck_assert_int_eq(claims_w_delete(w, "C9", err, sizeof err), 0);
    ck_assert_int_eq(claims_w_delete(w, "C99", err, sizeof err), 0); /* not stored */
    ck_assert_int_eq(claims_w_status(w, "C8", "replaced", NULL, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C7", "replaced", NULL, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C7", "current", NULL, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C2", "cancelled", NULL, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claim_end_days"), 0); /* counted in memory */
    ck_assert_int_eq(claims_w_bulk_end(w, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, has), 3);
    ck_assert_int_eq(th_q(db, same), 0);
    ck_assert_int_eq(th_q(db, same2), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claim_end_days"), 6);
    ck_assert_str_eq(th_qs(db, "SELECT max(claim_end_date) FROM claim_end_days WHERE current > 0",
                           buf), "2027-03-07");
    /* the triggers again: C7 deleted, the as-of date moves back */
    ck_assert_int_eq(claims_w_delete(w, "C7", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, same), 0);
    ck_assert_int_eq(th_q(db, same2), 0);
    ck_assert_str_eq(th_qs(db, "SELECT max(claim_end_date) FROM claim_end_days WHERE current > 0",
                           buf), "2027-03-06");
    /* counted again onto the stored claims (a later file): C6 deleted (day 06 goes), C1
     * cancelled (day 01 goes), C8 current again (day 08 comes back), C10 new on day 04 */
    ck_assert_int_eq(claims_w_bulk_begin(w, 1, err, sizeof err), 1);
    ck_assert_int_eq(th_q(db, has), 0);
    ck_assert_int_eq(claims_w_delete(w, "C6", err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C1", "cancelled", NULL, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C8", "current", NULL, err, sizeof err), 0);
    claim_rec c10 = {.claim_id = "C10", .claim_type = "dme", .person_id = "P2",
                     .claim_start_date = "2027-03-04", .claim_end_date = "2027-03-04"};
    ck_assert_int_eq(claims_w_insert(w, &c10, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_bulk_end(w, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, has), 3);
    ck_assert_int_eq(th_q(db, same), 0);
    ck_assert_int_eq(th_q(db, same2), 0);
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(claim_end_date || ':' || current, ',') FROM "
                               "(SELECT * FROM claim_end_days ORDER BY 1)", buf),
                     "2027-03-03:1,2027-03-04:2,2027-03-05:1,2027-03-08:1");
    store_rollback(db);
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_bulk_begin(w, 1, err, sizeof err), 1);
    store_rollback(db); /* without claims_w_bulk_end */
    ck_assert_int_eq(th_q(db, has), 3);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claim_end_days"), 0);
    claims_w_close(w);
}
END_TEST

/* Claims: insert takes defaults for what a row leaves NULL; a line without replace
 * refuses its key (-EEXIST), with replace it replaces it; delete takes the lines too;
 * fill_header, status, admission and rekey write what they say. */
START_TEST(test_claims)
{
    claims_w *w;
    char err[256], buf[256];
    ck_assert_int_eq(store_exec(db, "INSERT INTO loads (path, kind, sha256, rows, loaded_at) "
                                    "VALUES ('f', 'medical_claim.csv', 'x', 0, 'now')", err,
                                sizeof err), 0);
    ck_assert_int_eq(claims_w_open(db, &w, err, sizeof err), 0);
    claim_rec c = {.claim_id = "C1", .claim_type = "professional", .person_id = "P1",
                   .claim_start_date = "2027-03-01", .claim_end_date = "2027-03-01",
                   .diagnosis_codes = "I10 E119", .load_id = 1};
    ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), 0);
    /* kept until its lines are known: nothing stored yet */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims"), 0);
    claim_line_rec l = {.claim_id = "C1", .claim_line_number = 2, .hcpcs_code = "97110",
                        .paid_cents = 100, .allowed_cents = 100};
    ck_assert_int_eq(claims_w_line(w, &l, 0, err, sizeof err), 0);
    l.claim_line_number = 1; /* out of order: stored in line order */
    l.hcpcs_code = "99213";
    l.paid_cents = 7512;
    l.allowed_cents = 9390;
    ck_assert_int_eq(claims_w_line(w, &l, 0, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_line(w, &l, 0, err, sizeof err), -EEXIST);
    ck_assert_str_eq(err, "claim_id, claim_line_number: UNIQUE constraint failed: "
                          "claim_lines.claim_id, claim_lines.claim_line_number");
    ck_assert_int_eq(claims_w_flush(w, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_flush(w, err, sizeof err), 0); /* nothing kept: 0 */
    ck_assert_str_eq(th_qs(db, "SELECT status || '|' || status_reason || '|' || "
                               "coalesce(claim_key, 'null') || '|' || version || '|' || "
                               "coalesce(paid_cents, 'null') || '|' || coalesce(admission_date, "
                               "'null') || '|' || facility_npi || '|' || diagnosis_codes FROM "
                               "claims", buf), "current||null|0|null|null||I10 E119");
    /* hand-packed: line 1 then 2, the texts the table stored ('' for NULL, dates null) */
    ck_assert_str_eq(th_qs(db, "SELECT lines FROM claims", buf),
                     "[[1,null,null,\"\",\"\",\"99213\",\"\",\"\",\"\",\"\",\"\",7512,9390,0,null],"
                     "[2,null,null,\"\",\"\",\"97110\",\"\",\"\",\"\",\"\",\"\",100,100,0,null]]");
    /* a line of a stored claim is merged into its row: refused without replace */
    l.paid_cents = 1;
    ck_assert_int_eq(claims_w_line(w, &l, 0, err, sizeof err), -EEXIST);
    ck_assert_str_eq(err, "claim_id, claim_line_number: UNIQUE constraint failed: "
                          "claim_lines.claim_id, claim_lines.claim_line_number");
    ck_assert_int_eq(th_q(db, "SELECT paid_cents FROM claim_lines WHERE claim_line_number = 1"), 7512);
    l.has_detail = 1;
    l.detail_paid_cents = 7000;
    ck_assert_int_eq(claims_w_line(w, &l, 1, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT paid_cents || '|' || detail_paid_cents || '|' || denied "
                               "|| '|' || (claim_line_start_date IS NULL) FROM claim_lines "
                               "WHERE claim_line_number = 1", buf),
                     "1|7000|0|1");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claim_lines"), 2);
    /* a line of no stored claim is refused by the writer (the store has no foreign key
     * for it: migration 25), the claim it knows or not */
    claim_line_rec orphan = {.claim_id = "NOPE", .claim_line_number = 1};
    ck_assert_int_eq(claims_w_line(w, &orphan, 0, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "claim_id: no claim \"NOPE\" is stored for this line");
    ck_assert_int_eq(claims_w_line(w, &orphan, 1, err, sizeof err), -EIO);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claim_lines WHERE claim_id = 'NOPE'"), 0);
    claim_rec h = {.claim_id = "C1", .admission_date = "2027-02-27", .facility_npi = "1234567893",
                   .diagnosis_codes = "I10"};
    ck_assert_int_eq(claims_w_fill_header(w, &h, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_status(w, "C1", "replaced", "C2", err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT admission_date || '|' || facility_npi || '|' || "
                               "diagnosis_codes || '|' || status || '|' || related_claim_id FROM "
                               "claims", buf), "2027-02-27|1234567893|I10|replaced|C2");
    ck_assert_int_eq(claims_w_status(w, "C1", "nonsense", NULL, err, sizeof err), -EIO);
    ck_assert_msg(strncmp(err, "status: ", 8) == 0, "%s", err);
    ck_assert_int_eq(claims_w_admission(w, "C1", "2027-02-20", err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT admission_date FROM claims", buf), "2027-02-20");
    /* rekey: the natural key ending in the MBI follows it */
    claim_rec k = {.claim_id = "C3", .claim_type = "dme", .person_id = "1AA0AA0AA00",
                   .claim_start_date = "2027-03-01", .claim_end_date = "2027-03-01",
                   .claim_key = "x|1AA0AA0AA00", .load_id = 1, .has_paid = 1, .paid_cents = 5};
    ck_assert_int_eq(claims_w_insert(w, &k, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_rekey(w, "1AA0AA0AA00", "9ZZ9ZZ9ZZ99", err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT person_id || '|' || claim_key || '|' || paid_cents FROM "
                               "claims WHERE claim_id = 'C3'", buf),
                     "9ZZ9ZZ9ZZ99|x|9ZZ9ZZ9ZZ99|5");
    ck_assert_int_eq(claims_w_delete(w, "C1", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claim_lines"), 0);
    ck_assert_int_eq(claims_w_delete(w, "C1", err, sizeof err), 0); /* none stored: 0 */
    c.claim_type = "surgical"; /* refused when written: at the next call (here, flush) */
    ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_flush(w, err, sizeof err), -EIO);
    ck_assert_msg(strncmp(err, "claim_type: ", 12) == 0, "%s", err);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims WHERE claim_id = 'C1'"), 0);
    claims_w_close(w);
}
END_TEST

/* One claims_w script, written behind (async) or on the calling thread: the pending
 * claim's lines are packed by the caller either way; a line after the claim was queued
 * (here after a delete of another id, in the same run of the queue) joins its packed
 * lines; a paid date of the pending claim writes it first, and its next line is merged
 * into the stored row. The claims' rows as text, in claim order (the caller frees). */
static char *claims_script(const char *path, int async)
{
    store *st;
    claims_w *w;
    char err[256];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &st, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(st, "INSERT INTO loads (path, kind, sha256, rows, loaded_at) "
                                    "VALUES ('f', 'medical_claim.csv', 'x', 0, 'now')", err,
                                sizeof err), 0);
    ck_assert_int_eq(store_begin(st, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_open(st, &w, err, sizeof err), 0);
    if (async) ck_assert_int_eq(claims_w_async_begin(w, err, sizeof err), 0);
    claim_rec c = {.claim_type = "professional", .person_id = "P1",
                   .claim_start_date = "2027-03-01", .claim_end_date = "2027-03-01", .load_id = 1};
    claim_line_rec l = {.hcpcs_code = "97110"};
#define INS(id)                                                                              \
    do {                                                                                     \
        c.claim_id = (id);                                                                   \
        ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), 0);                        \
    } while (0)
#define LINE(id, no, cents)                                                                  \
    do {                                                                                     \
        l.claim_id = (id);                                                                   \
        l.claim_line_number = (no);                                                          \
        l.paid_cents = l.allowed_cents = (cents);                                            \
        ck_assert_msg(claims_w_line(w, &l, 0, err, sizeof err) == 0, "%s", err);             \
    } while (0)
    claims_w_at(w, 10);
    INS("C1");
    LINE("C1", 2, 100);
    LINE("C1", 1, 200);
    claims_w_at(w, 11);
    ck_assert_int_eq(claims_w_delete(w, "X9", err, sizeof err), 0); /* C1 queued first */
    claims_w_at(w, 12);
    LINE("C1", 3, 300);
    claims_w_at(w, 13);
    INS("C2");
    LINE("C2", 1, 50);
    claims_w_at(w, 14);
    ck_assert_int_eq(claims_w_paid_date(w, "C2", "2027-04-01", err, sizeof err), 0);
    claims_w_at(w, 15);
    LINE("C2", 2, 60);
    claims_w_at(w, 16);
    INS("C3");
    LINE("C3", 1, 70);
#undef INS
#undef LINE
    ck_assert_int_eq(claims_w_async_end(w, err, sizeof err), 0); /* async: C3 queued, run */
    ck_assert_int_eq(claims_w_flush(w, err, sizeof err), 0);     /* else written here */
    claims_w_close(w);
    ck_assert_msg(store_commit(st, err, sizeof err) == 0, "%s", err);
    /* by hand: 200 + 100 + 300 + 50 + 60 + 70 = 780 cents in 6 lines */
    ck_assert_int_eq(th_q(st, "SELECT count(*) FROM claim_lines"), 6);
    ck_assert_int_eq(th_q(st, "SELECT sum(paid_cents) FROM claim_lines"), 780);
    ck_assert_int_eq(th_q(st, "SELECT group_concat(claim_line_number, '') FROM claim_lines "
                              "WHERE claim_id = 'C1'"), 123);
    sqlite3_stmt *q_;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT group_concat(claim_id || '|' || "
                     "coalesce(paid_date, '') || '|' || lines, char(10)) FROM (SELECT * FROM "
                     "claims ORDER BY claim_id)", -1, &q_, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q_), SQLITE_ROW);
    char *dump = strdup((const char *)sqlite3_column_text(q_, 0));
    sqlite3_finalize(q_);
    store_close(st);
    return dump;
}

START_TEST(test_claims_write_behind_same_rows)
{
    char p0[128], p1[128];
    snprintf(p0, sizeof p0, "%s/sync.db", dir);
    snprintf(p1, sizeof p1, "%s/async.db", dir);
    char *a = claims_script(p0, 0), *b = claims_script(p1, 1);
    ck_assert_str_eq(a, b);
    ck_assert_msg(strstr(a, "C2|2027-04-01|[[1,"), "%s", a);
    free(a);
    free(b);
}
END_TEST

/* Written behind, a repeated line of the pending claim is refused at once, as the
 * queue's failure at the line it came from (claims_w_failure), and every later call
 * returns it; a claim the store refuses is reported at the line of its insert, not at
 * the later call that queued it. */
START_TEST(test_claims_write_behind_failures)
{
    claims_w *w;
    char err[256];
    size_t at;
    const char *id, *msg;
    int64_t no;
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_open(db, &w, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_async_begin(w, err, sizeof err), 0);
    claim_rec c = {.claim_id = "D1", .claim_type = "professional", .person_id = "P1",
                   .claim_start_date = "2027-03-01", .claim_end_date = "2027-03-01"};
    claim_line_rec l = {.claim_id = "D1", .claim_line_number = 1};
    claims_w_at(w, 20);
    ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_line(w, &l, 0, err, sizeof err), 0);
    claims_w_at(w, 21);
    ck_assert_int_eq(claims_w_line(w, &l, 0, err, sizeof err), -EEXIST);
    ck_assert_str_eq(err, "claim_id, claim_line_number: UNIQUE constraint failed: "
                          "claim_lines.claim_id, claim_lines.claim_line_number");
    ck_assert_int_eq(claims_w_failure(w, &at, &id, &no, &msg), -EEXIST);
    ck_assert_uint_eq(at, 21);
    ck_assert_str_eq(id, "D1");
    ck_assert_int_eq(no, 1);
    c.claim_id = "D2";
    ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), -EEXIST); /* sticky */
    ck_assert_int_eq(claims_w_async_end(w, err, sizeof err), -EEXIST);
    store_rollback(db);
    /* a refused claim: queued at line 31 (the next insert), reported at 30 */
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(claims_w_async_begin(w, err, sizeof err), 0);
    c.claim_id = "E1";
    c.claim_type = "surgical";
    claims_w_at(w, 30);
    ck_assert_int_eq(claims_w_insert(w, &c, err, sizeof err), 0);
    claims_w_at(w, 31);
    c.claim_id = "E2";
    c.claim_type = "professional";
    claims_w_insert(w, &c, err, sizeof err); /* 0, or already the failure */
    ck_assert_int_eq(claims_w_async_end(w, err, sizeof err), -EIO);
    ck_assert_msg(strncmp(err, "claim_type: ", 12) == 0, "%s", err);
    ck_assert_int_eq(claims_w_failure(w, &at, &id, &no, &msg), -EIO);
    ck_assert_uint_eq(at, 30);
    ck_assert_str_eq(id, "E1");
    store_rollback(db);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM claims"), 0);
    claims_w_close(w);
}
END_TEST

/* audit_append writes exactly its row's columns: NULL effective/before/after are NULL,
 * a NULL entity_id is '', a NULL at is now (UTC, "YYYY-MM-DDTHH:MM:SSZ"); the log stays
 * append-only; a missing required field is refused naming it. */
START_TEST(test_audit_append)
{
    char err[256], buf[256];
    audit_row r = {.at = "2027-01-02T03:04:05Z", .actor = "ann", .action = "ebra.offer",
                   .entity = "ebra", .entity_id = "E1", .effective = "2027-02-01",
                   .before = NULL, .after = "{\"status\":\"offered\"}"};
    ck_assert_int_eq(audit_append(db, &r, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT json_array(seq, at, actor, action, entity, entity_id, "
                               "effective, before, after) FROM audit_log", buf),
                     "[1,\"2027-01-02T03:04:05Z\",\"ann\",\"ebra.offer\",\"ebra\",\"E1\","
                     "\"2027-02-01\",null,\"{\\\"status\\\":\\\"offered\\\"}\"]");
    audit_row n = {.actor = "bob", .action = "phi.read", .entity = "claims"};
    ck_assert_int_eq(audit_append(db, &n, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT json_array(entity_id, effective, before, after) FROM "
                               "audit_log WHERE seq = 2", buf), "[\"\",null,null,null]");
    th_qs(db, "SELECT at FROM audit_log WHERE seq = 2", buf);
    ck_assert_uint_eq(strlen(buf), 20);
    ck_assert_int_eq(buf[4], '-');
    ck_assert_int_eq(buf[10], 'T');
    ck_assert_int_eq(buf[19], 'Z');
    char now[32];
    audit_now(now);
    ck_assert_int_eq(strncmp(buf, now, 4), 0); /* the same year (a test run is not that long) */
    n.action = NULL;
    ck_assert_int_eq(audit_append(db, &n, err, sizeof err), -EINVAL);
    ck_assert_str_eq(err, "audit_log: action is required");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log"), 2);
    ck_assert_int_ne(store_exec(db, "DELETE FROM audit_log", err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log"), 2);
}
END_TEST

/* loads_w: begin inserts rows 0 with loaded_at now; counts sets rows (or leaves them,
 * rows < 0), rejected and warnings; a load is "seen" only without rejects; its audit row
 * is the JSON of json_object('load_id', id, 'sha256', sha[, 'rows', rows]). */
START_TEST(test_loads)
{
    char err[256], buf[256], at[32];
    const char *sha = "ab12";
    int64_t id = 0;
    ck_assert_int_eq(loads_w_seen(db, sha, "acos.csv", err, sizeof err), 0);
    ck_assert_int_eq(loads_w_maybe_seen(db, "acos.csv", 120, err, sizeof err), 0);
    ck_assert_int_eq(loads_w_begin(db, "d/acos.csv", "acos.csv", sha, 120, &id, at, err,
                                   sizeof err), 0);
    ck_assert_int_eq(id, 1);
    ck_assert_str_eq(th_qs(db, "SELECT loaded_at FROM loads", buf), at);
    ck_assert_int_eq(loads_w_counts(db, id, 7, 2, 1, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT rows || '|' || rejected || '|' || warnings FROM loads", buf),
                     "7|2|1");
    ck_assert_int_eq(loads_w_seen(db, sha, "acos.csv", err, sizeof err), 0); /* rejects */
    ck_assert_int_eq(loads_w_counts(db, id, -1, 0, 0, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT rows || '|' || rejected FROM loads", buf), "7|0");
    ck_assert_int_eq(loads_w_seen(db, sha, "acos.csv", err, sizeof err), 1);
    ck_assert_int_eq(loads_w_seen(db, sha, "providers.csv", err, sizeof err), 0);
    /* maybe seen: a whole load of that kind and size (or of no recorded size) */
    ck_assert_int_eq(loads_w_maybe_seen(db, "acos.csv", 120, err, sizeof err), 1);
    ck_assert_int_eq(loads_w_maybe_seen(db, "acos.csv", 121, err, sizeof err), 0);
    ck_assert_int_eq(loads_w_maybe_seen(db, "providers.csv", 120, err, sizeof err), 0);
    ck_assert_int_eq(loads_w_sha(db, id, "cd34", err, sizeof err), 0);
    ck_assert_int_eq(loads_w_seen(db, "cd34", "acos.csv", err, sizeof err), 1);
    ck_assert_int_eq(loads_w_seen(db, sha, "acos.csv", err, sizeof err), 0);
    ck_assert_int_eq(loads_w_sha(db, id, sha, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT bytes FROM loads", buf), "120");
    ck_assert_int_eq(loads_w_audit(db, id, "d/acos.csv", "acos.csv", sha, at, "ann", 7, err,
                                   sizeof err), 0);
    ck_assert_int_eq(loads_w_audit(db, id, "d/acos.csv", "acos.csv", sha, at, "ann", -1, err,
                                   sizeof err), 0);
    /* byte for byte what SQLite's json_object writes */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log a JOIN loads l ON a.seq = 1 AND "
                              "a.after = json_object('load_id', l.load_id, 'sha256', l.sha256, "
                              "'rows', l.rows) AND a.at = l.loaded_at"), 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log a JOIN loads l ON a.seq = 2 AND "
                              "a.after = json_object('load_id', l.load_id, 'sha256', l.sha256)"), 1);
    ck_assert_str_eq(th_qs(db, "SELECT actor || '|' || action || '|' || entity || '|' || entity_id "
                               "FROM audit_log WHERE seq = 1", buf), "ann|load|acos.csv|d/acos.csv");
}
END_TEST

Suite *suite_store_writers(void)
{
    Suite *s = suite_create("store_writers");
    TCase *tc = tcase_create("writers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_aco_upsert);
    tcase_add_test(tc, test_aco_check_names_field);
    tcase_add_test(tc, test_provider_and_tins);
    tcase_add_test(tc, test_arrangements);
    tcase_add_test(tc, test_eligibility);
    tcase_add_test(tc, test_alignment);
    tcase_add_test(tc, test_claims);
    tcase_add_test(tc, test_claims_bulk_days);
    tcase_add_test(tc, test_claims_write_behind_same_rows);
    tcase_add_test(tc, test_claims_write_behind_failures);
    tcase_add_test(tc, test_audit_append);
    tcase_add_test(tc, test_loads);
    suite_add_tcase(s, tc);
    return s;
}
