/*
 * tests/test_store.c: opening, creating and migrating the SQLite store; refusing
 * newer and foreign databases; STRICT money columns and foreign keys.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/loads_w.h"
#include "store/store_conn.h"
#include "store/store_rows.h"
#include "suites.h"

static char dir[64];
static char path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
}

static void teardown(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int query_int(store *s, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The first column of sql's first row as text into buf ("" for NULL). */
static const char *query_text(store *s, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(store_db(s)));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    return buf;
}

/* Raw sqlite3 handle for tampering with a file behind the store's back. */
static void raw_exec(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* A new file gets the newest schema, the CARA mark, WAL and foreign keys. */
START_TEST(test_create_new)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), 0);
    ck_assert_int_eq(store_version(s), store_schema_latest());
    ck_assert_int_ge(store_schema_latest(), 2);
    ck_assert_int_eq(query_int(s, "PRAGMA user_version"), store_schema_latest());
    ck_assert_int_eq(query_int(s, "PRAGMA application_id"), STORE_APPLICATION_ID);
    ck_assert_int_eq(query_int(s, "PRAGMA foreign_keys"), 1);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'claim_lines'"), 1);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &st, NULL);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    store_close(s);
    /* Reopening changes nothing. */
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), store_schema_latest());
    store_close(s);
}
END_TEST

/* Migrations are versioned 1, 2, 3, ... with no gap (a gap would be a lost migration). */
START_TEST(test_migrations_ordered)
{
    size_t n;
    const store_migration *m = store_migrations(&n);
    ck_assert_uint_ge(n, 2);
    ck_assert_int_eq(m[0].version, 1);
    for (size_t i = 0; i < n; i++) {
        int want = (int)i + 1; /* 1, 2, 3, ...: a gap would be a lost migration */
        ck_assert_int_eq(m[i].version, want);
        ck_assert_ptr_nonnull(m[i].description);
        ck_assert_ptr_nonnull(m[i].sql);
    }
}
END_TEST

/* An old (version 1) database with data is migrated in place and keeps its rows. */
START_TEST(test_old_migrates)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 1, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version(s), 1);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'claims'"), 0);
    ck_assert_int_eq(store_exec(s, "INSERT INTO acos VALUES ('A1234', 'Test ACO', 'global')", err, sizeof err), 0);
    store_close(s);

    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), 1);
    ck_assert_int_eq(store_version(s), store_schema_latest());
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM acos WHERE aco_id = 'A1234'"), 1);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'claims'"), 1);
    store_close(s);
}
END_TEST

/* Read-only opening never migrates: an old file is an error that says what to do. */
START_TEST(test_readonly_old_refused)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 1, &s, err, sizeof err), 0);
    store_close(s);
    ck_assert_int_eq(store_open(path, STORE_READONLY, &s, err, sizeof err), -EPROTO);
    ck_assert_ptr_nonnull(strstr(err, "needs migrating"));
}
END_TEST

/* A database from a newer cara is refused with both versions in the message. */
START_TEST(test_newer_refused)
{
    store *s;
    char err[512], want[64];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    store_close(s);
    raw_exec("PRAGMA user_version = 999");
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), -EPROTO);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "schema version 999 is newer"));
    snprintf(want, sizeof want, "(%d)", store_schema_latest());
    ck_assert_ptr_nonnull(strstr(err, want));
    ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

/* Someone else's SQLite file, and a file that is not SQLite at all, are refused. */
START_TEST(test_foreign_refused)
{
    store *s;
    char err[512];
    raw_exec("CREATE TABLE theirs (x)");
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), -EPROTO);
    ck_assert_ptr_nonnull(strstr(err, "not a cara database"));
    /* the file was left alone */
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
    sqlite3_step(st);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);

    FILE *f = fopen(path, "w");
    fputs("person_id,gender\nnot a database at all, really not one\n", f);
    fclose(f);
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), -EPROTO);
    ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

/* No file and no STORE_CREATE: -ENOENT telling the user to run cara init. */
START_TEST(test_missing)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "cara init"));
    ck_assert_int_ne(access(path, F_OK), 0); /* not created */
}
END_TEST

/* STRICT tables keep floats out of cents; foreign keys and CHECKs hold; a failed
 * transaction leaves nothing behind. */
START_TEST(test_constraints_and_rollback)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s, "INSERT INTO acos (aco_id, name, track) VALUES ('A1', 'x', 'global')", err, sizeof err), 0);
    ck_assert_int_lt(store_exec(s, "INSERT INTO acos (aco_id, name, track) VALUES ('A2', 'x', 'mixed')", err, sizeof err), 0);
    ck_assert_int_lt(store_exec(s, "INSERT INTO alignment (person_id, aco_id, start_date, end_date) VALUES "
                                 "('1EG4TE5MK73', 'NOPE', '2027-01-01', NULL)", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "FOREIGN KEY"));
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date) "
        "VALUES ('C1', 'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-02')", err, sizeof err), 0);
    ck_assert_int_lt(store_exec(s,
        "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, allowed_cents) "
        "VALUES ('C1', 1, 12.5, 100)", err, sizeof err), 0);
    ck_assert_int_eq(store_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, allowed_cents) "
        "VALUES ('C1', 1, 1250, 1300)", err, sizeof err), 0);
    store_rollback(s);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claim_lines"), 0);
    store_close(s);
}
END_TEST

/* Migration 28 on a store of version 27 with claims: claim_end_days counts the current
 * claims by end date (C1 and C3 end on 2027-01-04, C2 on 2027-02-01 but is cancelled:
 * {2027-01-04: 2}), the index it replaces is gone, and the triggers keep the counts from
 * then on (C3 deleted: 1; C2 current again: 2027-02-01 counts 1). */
START_TEST(test_migration_28)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 27, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date, "
        "status) VALUES ('C1', 'professional', 'P1', '2027-01-04', '2027-01-04', 'current'), "
        "('C2', 'dme', 'P1', '2027-02-01', '2027-02-01', 'cancelled'), "
        "('C3', 'dme', 'P2', '2027-01-02', '2027-01-04', 'current')", err, sizeof err), 0);
    store_close(s);
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), 27);
    char buf[256];
    ck_assert_str_eq(query_text(s, "SELECT group_concat(claim_end_date || ':' || current, ',') FROM "
                                   "claim_end_days", buf, sizeof buf), "2027-01-04:2");
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                  "'claims_current_end'"), 0);
    ck_assert_int_eq(store_exec(s, "DELETE FROM claims WHERE claim_id = 'C3'; UPDATE claims SET "
                                   "status = 'current' WHERE claim_id = 'C2'", err, sizeof err), 0);
    ck_assert_str_eq(query_text(s, "SELECT group_concat(claim_end_date || ':' || current, ',') FROM "
                                   "(SELECT * FROM claim_end_days ORDER BY 1)", buf, sizeof buf),
                     "2027-01-04:1,2027-02-01:1");
    store_close(s);
}
END_TEST

/* Migration 25 on a store of version 24 with claims: claims' key to its load is
 * deferred (a claim of no load fails the COMMIT, not its statement), claim_lines has no
 * foreign key, and deleting a claim still takes its lines (the trigger), its other
 * claim's lines staying. By hand: C1 has 2 lines, C2 has 1; after deleting C1, 1 line. */
START_TEST(test_migration_25)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 24, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date) "
        "VALUES ('C1', 'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-02'), "
        "('C2', 'professional', '1EG4TE5MK73', '2027-01-03', '2027-01-03');"
        "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, allowed_cents) "
        "VALUES ('C1', 1, 100, 100), ('C1', 2, 200, 200), ('C2', 1, 300, 300)", err, sizeof err), 0);
    store_close(s);
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), 24);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM pragma_foreign_key_list('claim_lines')"), 0);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM pragma_foreign_key_list('claims')"), 1);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'claims' AND "
                                  "sql LIKE '%REFERENCES loads (load_id) DEFERRABLE INITIALLY "
                                  "DEFERRED%'"), 1);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claim_lines"), 3);
    ck_assert_int_eq(store_exec(s, "DELETE FROM claims WHERE claim_id = 'C1'", err, sizeof err), 0);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claim_lines"), 1);
    ck_assert_int_eq(query_int(s, "SELECT sum(paid_cents) FROM claim_lines"), 300);
    /* deferred: the statement passes, the COMMIT fails and takes it back */
    ck_assert_int_eq(store_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date, "
        "load_id) VALUES ('C3', 'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-02', 999)",
        err, sizeof err), 0);
    ck_assert_int_lt(store_commit(s, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "FOREIGN KEY"));
    store_rollback(s);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claims WHERE claim_id = 'C3'"), 0);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                  "integrity_check = 'ok'"), 1);
    store_close(s);
}
END_TEST

/* Migration 26 on a store of version 25 with a load: loads gets bytes, NULL for the
 * loads before it, so such a load "may be" of any file of its kind (the loader hashes a
 * file of that kind before loading it). */
START_TEST(test_migration_26)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 25, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO loads (path, kind, sha256, rows, loaded_at) VALUES "
        "('d/medical_claim.csv', 'medical_claim.csv', 'ab', 3, '2027-01-01T00:00:00Z')",
        err, sizeof err), 0);
    store_close(s);
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), 25);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM loads WHERE bytes IS NULL AND rows = 3"), 1);
    ck_assert_int_eq(loads_w_maybe_seen(s, "medical_claim.csv", 12345, err, sizeof err), 1);
    ck_assert_int_eq(loads_w_maybe_seen(s, "eligibility.csv", 12345, err, sizeof err), 0);
    store_close(s);
}
END_TEST

/* Migration 27: a store's claim_lines rows move into their claims' lines (in line-number
 * order, whatever order they were inserted in), claim_lines reads them back as the table
 * did (columns, types, NULLs), a claim without lines gets '[]', a line without its claim
 * is not kept; then the view's triggers: an insert goes in line order, an update and a
 * delete touch only their line, and what the table refused is refused (no claim, a key
 * stored, a text where an integer goes, a line moved to another claim). */
START_TEST(test_migration_27)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open_version(path, STORE_CREATE, 26, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s,
        "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date) "
        "VALUES ('C1', 'professional', 'P1', '2027-01-04', '2027-01-04'), "
        "('C2', 'dme', 'P1', '2027-02-01', '2027-02-01');"
        "INSERT INTO claim_lines (claim_id, claim_line_number, claim_line_start_date, "
        "hcpcs_code, hcpcs_modifiers, rendering_npi, paid_cents, allowed_cents, denied, "
        "detail_paid_cents) VALUES "
        "('C1', 2, '2027-01-04', '97110', 'GP 59', '1234567893', 4000, 5000, 0, NULL), "
        "('C1', 1, NULL, '99213', '', '', 7512, 9390, 1, 7000), "
        "('GONE', 1, NULL, '', '', '', 1, 1, 0, NULL)",
        err, sizeof err), 0);
    store_close(s);
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_version_found(s), 26);
    char buf[1024];
    ck_assert_str_eq(query_text(s, "SELECT lines FROM claims WHERE claim_id = 'C1'", buf, sizeof buf),
        "[[1,null,null,\"\",\"\",\"99213\",\"\",\"\",\"\",\"\",\"\",7512,9390,1,7000],"
        "[2,\"2027-01-04\",null,\"\",\"\",\"97110\",\"GP 59\",\"1234567893\",\"\",\"\",\"\",4000,5000,0,null]]");
    ck_assert_str_eq(query_text(s, "SELECT lines FROM claims WHERE claim_id = 'C2'", buf, sizeof buf), "[]");
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claim_lines"), 2);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claim_lines WHERE claim_id = 'GONE'"), 0);
    /* the columns, their order and types, as the table had them */
    ck_assert_str_eq(query_text(s, "SELECT group_concat(name, ',') FROM pragma_table_info('claim_lines')",
                                buf, sizeof buf),
        "claim_id,claim_line_number,claim_line_start_date,claim_line_end_date,place_of_service_code,"
        "revenue_center_code,hcpcs_code,hcpcs_modifiers,rendering_npi,rendering_tin,billing_npi,"
        "billing_tin,paid_cents,allowed_cents,denied,detail_paid_cents");
    ck_assert_str_eq(query_text(s, "SELECT group_concat(typeof(claim_line_number) || typeof(claim_line_start_date) "
                                   "|| typeof(paid_cents) || typeof(denied) || typeof(detail_paid_cents) || "
                                   "typeof(hcpcs_code), ';') FROM claim_lines", buf, sizeof buf),
                     "integernullintegerintegerintegertext;integertextintegerintegernulltext");
    /* the triggers: an insert between the two, in line order */
    ck_assert_int_eq(store_exec(s, "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, "
                                   "allowed_cents) VALUES ('C1', 0, 10, 20)", err, sizeof err), 0);
    ck_assert_str_eq(query_text(s, "SELECT group_concat(claim_line_number || ':' || paid_cents || ':' "
                                   "|| hcpcs_code || ':' || denied, ',') FROM claim_lines WHERE claim_id = 'C1'",
                                buf, sizeof buf), "0:10::0,1:7512:99213:1,2:4000:97110:0");
    ck_assert_int_eq(store_exec(s, "UPDATE claim_lines SET paid_cents = paid_cents + 1, claim_line_number = 3 "
                                   "WHERE claim_id = 'C1' AND claim_line_number = 1", err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s, "DELETE FROM claim_lines WHERE claim_id = 'C1' AND claim_line_number = 0",
                                err, sizeof err), 0);
    ck_assert_str_eq(query_text(s, "SELECT group_concat(claim_line_number || ':' || paid_cents, ',') "
                                   "FROM claim_lines WHERE claim_id = 'C1'", buf, sizeof buf), "2:4000,3:7513");
    /* a number in a text column is stored as its text, as the STRICT table converted it */
    ck_assert_int_eq(store_exec(s, "INSERT INTO claim_lines (claim_id, claim_line_number, hcpcs_code, "
                                   "paid_cents, allowed_cents) VALUES ('C2', 1, 97110, 5, 5)", err, sizeof err), 0);
    ck_assert_str_eq(query_text(s, "SELECT typeof(hcpcs_code) || ':' || hcpcs_code FROM claim_lines "
                                   "WHERE claim_id = 'C2'", buf, sizeof buf), "text:97110");
    ck_assert_int_eq(store_exec(s, "DELETE FROM claim_lines WHERE claim_id = 'C2'", err, sizeof err), 0);
    ck_assert_str_eq(query_text(s, "SELECT lines FROM claims WHERE claim_id = 'C2'", buf, sizeof buf), "[]");
    /* refused as the table refused */
    ck_assert_int_lt(store_exec(s, "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, "
                                   "allowed_cents) VALUES ('NOPE', 1, 1, 1)", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "no such claim"), "%s", err);
    ck_assert_int_lt(store_exec(s, "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, "
                                   "allowed_cents) VALUES ('C1', 2, 1, 1)", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "UNIQUE constraint failed"), "%s", err);
    ck_assert_int_lt(store_exec(s, "INSERT INTO claim_lines (claim_id, claim_line_number, paid_cents, "
                                   "allowed_cents) VALUES ('C1', 5, 'ten', 1)", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "must be integers"), "%s", err);
    ck_assert_int_lt(store_exec(s, "INSERT INTO claim_lines (claim_id, claim_line_number, "
                                   "allowed_cents) VALUES ('C1', 5, 1)", err, sizeof err), 0);
    ck_assert_int_lt(store_exec(s, "UPDATE claim_lines SET claim_line_number = 3 WHERE claim_line_number = 2",
                                err, sizeof err), 0);
    ck_assert_msg(strstr(err, "UNIQUE constraint failed"), "%s", err);
    ck_assert_int_lt(store_exec(s, "UPDATE claim_lines SET claim_id = 'C2'", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "another claim"), "%s", err);
    ck_assert_str_eq(query_text(s, "SELECT group_concat(claim_id || claim_line_number || ':' || paid_cents, ',') "
                                   "FROM claim_lines", buf, sizeof buf), "C12:4000,C13:7513");
    /* a claim's lines go with it */
    ck_assert_int_eq(store_exec(s, "DELETE FROM claims WHERE claim_id = 'C1'", err, sizeof err), 0);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claim_lines"), 0);
    store_close(s);
}
END_TEST

static void journal_is(store *s, const char *want)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), want);
    sqlite3_finalize(st);
}

/* store_direct_begin: out of WAL mode only when alone and outside a transaction; back in
 * WAL mode at store_direct_end. */
START_TEST(test_direct_when_alone)
{
    store *s, *s2;
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    journal_is(s, "wal");
    ck_assert_int_eq(store_open(path, 0, &s2, err, sizeof err), 0);
    ck_assert_int_eq(store_direct_begin(s), 0); /* s2 is open: left as it was */
    journal_is(s, "wal");
    /* and s holds no lock after the attempt: s2 writes at once */
    store_busy_timeout(s2, 0);
    ck_assert_int_eq(store_exec(s2, "INSERT INTO acos (aco_id, name, track) VALUES ('A9', 'x', "
                                    "'global'); DELETE FROM acos WHERE aco_id = 'A9'",
                                err, sizeof err), 0);
    store_close(s2);
    ck_assert_int_eq(store_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(store_direct_begin(s), 0); /* inside a transaction */
    store_rollback(s);
    ck_assert_int_eq(store_direct_begin(s), 1);
    journal_is(s, "delete");
    ck_assert_int_eq(store_direct_begin(s), 0); /* already */
    ck_assert_int_eq(store_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s, "INSERT INTO claims (claim_id, claim_type, person_id, "
                                   "claim_start_date, claim_end_date) VALUES ('C1', "
                                   "'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-02')",
                                err, sizeof err), 0);
    ck_assert_int_eq(store_commit(s, err, sizeof err), 0);
    store_direct_end(s);
    journal_is(s, "wal");
    store_direct_end(s); /* a second end: nothing */
    journal_is(s, "wal");
    store_close(s);
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claims"), 1);
    store_close(s);
}
END_TEST

/* Another connection opened while a direct load writes cannot put the file in WAL mode:
 * its store_open fails naming the bulk load (SQLite does not wait on a lock it could
 * deadlock on); the load is unharmed. */
START_TEST(test_direct_open_refused)
{
    store *s, *s2 = NULL;
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_direct_begin(s), 1);
    /* held from here: nobody gets in before the load's transaction begins */
    ck_assert_int_lt(store_open(path, STORE_READONLY, &s2, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "locked by another process"));
    ck_assert_int_eq(store_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s, "INSERT INTO claims (claim_id, claim_type, person_id, "
                                   "claim_start_date, claim_end_date) VALUES ('C1', "
                                   "'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-02')",
                                err, sizeof err), 0);
    ck_assert_int_lt(store_open(path, 0, &s2, err, sizeof err), 0);
    ck_assert_ptr_null(s2);
    ck_assert_ptr_nonnull(strstr(err, "being bulk-loaded"));
    /* the load holds the file's lock until it commits (store_begin took it exclusive): a
     * reader cannot even read the header; it waits its busy timeout and is told why */
    ck_assert_int_lt(store_open(path, STORE_READONLY, &s2, err, sizeof err), 0);
    ck_assert_ptr_null(s2);
    ck_assert_ptr_nonnull(strstr(err, "being bulk-loaded"));
    ck_assert_ptr_null(strstr(err, "not a SQLite database"));
    ck_assert_int_eq(store_commit(s, err, sizeof err), 0);
    /* nor between the commit and the switch back to WAL mode */
    ck_assert_int_lt(store_open(path, STORE_READONLY, &s2, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "locked by another process"));
    store_direct_end(s);
    journal_is(s, "wal");
    ck_assert_int_eq(store_open(path, STORE_READONLY, &s2, err, sizeof err), 0); /* and now in */
    ck_assert_int_eq(query_int(s2, "SELECT count(*) FROM claims"), 1);
    store_close(s2);
    store_close(s);
}
END_TEST

/* A process that dies in the middle of a direct load (its pages already spilled into the
 * file) leaves a hot journal: the next store_open rolls it back and is in WAL mode. */
START_TEST(test_direct_crash_rolls_back)
{
    store *s;
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    store_close(s);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (store_open(path, 0, &s, err, sizeof err) < 0 || store_direct_begin(s) != 1 ||
            store_exec(s, "PRAGMA cache_size = 10", err, sizeof err) < 0 ||
            store_begin(s, err, sizeof err) < 0 ||
            store_exec(s, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 20000) INSERT INTO claims (claim_id, claim_type, "
                          "person_id, claim_start_date, claim_end_date) SELECT 'C' || i, "
                          "'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-02' FROM n",
                       err, sizeof err) < 0)
            _exit(2);
        _exit(0); /* no commit, no rollback: as if killed */
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char journal[160];
    snprintf(journal, sizeof journal, "%s-journal", path);
    ck_assert_int_eq(access(journal, F_OK), 0); /* hot */
    ck_assert_int_eq(store_open(path, 0, &s, err, sizeof err), 0);
    journal_is(s, "wal");
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM claims"), 0);
    ck_assert_int_eq(query_int(s, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                  "integrity_check = 'ok'"), 1);
    store_close(s);
    ck_assert_int_ne(access(journal, F_OK), 0);
}
END_TEST

/* A statement kept on a connection (store__kept, as the HTTP service keeps them) is
 * prepared again by its first step after another connection changed the schema (a
 * first load drops and builds an index): the names of the columns it had are freed then.
 * The rows' names must still be the query's (under make SANITIZE=1 the old code read
 * freed memory here). */
START_TEST(test_kept_names_after_schema_change)
{
    store *s, *other;
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    ck_assert_int_eq(store_exec(s, "INSERT INTO claims (claim_id, claim_type, person_id, "
                                   "claim_start_date, claim_end_date) VALUES ('C1', "
                                   "'professional', '1EG4TE5MK73', '2027-01-02', '2027-01-03')",
                                err, sizeof err), 0);
    const char *sql = "SELECT claim_id AS the_claim_id_column, claim_end_date AS the_end_date "
                      "FROM claims WHERE person_id = ?1";
    const char *b[1] = {"1EG4TE5MK73"};
    for (int round = 0; round < 3; round++) {
        json_t *rows = NULL;
        ck_assert_int_eq(store_rows_json(s, sql, 1, b, &rows, err, sizeof err), 0);
        ck_assert_int_eq(json_array_size(rows), 1);
        json_t *r0 = json_array_get(rows, 0);
        ck_assert_str_eq(json_string_value(json_object_get(r0, "the_claim_id_column")), "C1");
        ck_assert_str_eq(json_string_value(json_object_get(r0, "the_end_date")), "2027-01-03");
        json_decref(rows);
        /* another connection changes the schema between two uses of the kept statement */
        ck_assert_int_eq(store_open(path, 0, &other, err, sizeof err), 0);
        ck_assert_int_eq(store_exec(other, round % 2 ? "DROP INDEX t_idx"
                                                     : "CREATE INDEX t_idx ON claims (claim_type)",
                                    err, sizeof err), 0);
        store_close(other);
    }
    store_close(s);
}
END_TEST

/* store_fail: "<what>: <SQLite's message>", -EIO; cut like snprintf when err is short;
 * NULL err is fine. */
START_TEST(test_store_fail_message)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_ne(sqlite3_prepare_v2(db, "SELECT * FROM nope", -1, &st, NULL), SQLITE_OK);
    char err[128];
    ck_assert_int_eq(store_fail(db, err, sizeof err, "reading run %lld", 7LL), -EIO);
    ck_assert_str_eq(err, "reading run 7: no such table: nope");
    char small[16];
    ck_assert_int_eq(store_fail(db, small, sizeof small, "reading run %lld", 7LL), -EIO);
    ck_assert_str_eq(small, "reading run 7: "); /* 15 bytes and the NUL */
    ck_assert_int_eq(store_fail(db, small, 5, "reading run %lld", 7LL), -EIO);
    ck_assert_str_eq(small, "read");
    ck_assert_int_eq(store_fail(db, NULL, 0, "x"), -EIO);
    sqlite3_close(db);
}
END_TEST

Suite *suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("open");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60); /* test_direct_open_refused waits out a 5 s busy timeout */
    tcase_add_test(tc, test_create_new);
    tcase_add_test(tc, test_migrations_ordered);
    tcase_add_test(tc, test_old_migrates);
    tcase_add_test(tc, test_readonly_old_refused);
    tcase_add_test(tc, test_newer_refused);
    tcase_add_test(tc, test_foreign_refused);
    tcase_add_test(tc, test_missing);
    tcase_add_test(tc, test_constraints_and_rollback);
    tcase_add_test(tc, test_migration_25);
    tcase_add_test(tc, test_migration_26);
    tcase_add_test(tc, test_migration_27);
    tcase_add_test(tc, test_migration_28);
    tcase_add_test(tc, test_store_fail_message);
    tcase_add_test(tc, test_direct_when_alone);
    tcase_add_test(tc, test_direct_open_refused);
    tcase_add_test(tc, test_direct_crash_rolls_back);
    tcase_add_test(tc, test_kept_names_after_schema_change);
    suite_add_tcase(s, tc);
    return s;
}
