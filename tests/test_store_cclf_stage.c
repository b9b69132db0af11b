/*
 * tests/test_store_cclf_stage.c: the CCLF loader's store modules, on a scratch store:
 * cclf_stage (the staging tables: records' places come back in the loader's orders, claims
 * marked bad are left out of assembly and listed as collateral, a stage opened again
 * starts empty, a store failure is -EIO with SQLite's message) and claims_q's read of
 * the bills of a stay (claims_q_cclf_stays).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "helpers.h"
#include "store/store.h"
#include "suites.h"

/* The stage's bounds the list tests run under: in the tables from the first, held in
 * memory, moved to the tables at the 6th put, and moved at a mark (test_bad_claims: 14
 * records, then the second mark). Every mode must give the same rows. */
static const size_t MODES[] = {0, 1000, 5, 15};
#define N_MODES (int)(sizeof MODES / sizeof MODES[0])

static char dir[64];
static store *db;
static char arena[8192];  /* the staged records' bytes (put) */
static size_t arena_used;

static void exec_ok(const char *sql)
{
    th_exec(db, sql);
}

/* The one integer sql gives on st's tables (0 while the stage has none: held in
 * memory). */
static int stage_q(cclf_stage *st, const char *sql)
{
    sqlite3 *d = cclf_stage__db(st);
    if (!d) return 0;
    sqlite3_stmt *q = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(d, sql, -1, &q, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

static void stage_exec(cclf_stage *st, const char *sql)
{
    ck_assert_ptr_nonnull(cclf_stage__db(st));
    ck_assert_int_eq(sqlite3_exec(cclf_stage__db(st), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The tables on the store's own connection named cclf_* (the stage never makes any). */
static int store_side(void)
{
    return th_q(db, "SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'cclf%'") +
           th_q(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'cclf%'");
}

static void setup(void)
{
    th_tmpdir_store(dir, "cara-cclf-stage", &db);
    arena_used = 0;
}

static void teardown(void)
{
    th_store_done(dir, &db);
}

/* The records' bytes, as the loader's mapped files hold them: the stage keeps each
 * record's offset and length in its file, and the test reads the record back from here
 * (one arena stands for every file: offsets are unique in it). */

/* Stage one record: its bytes are "<file>:<cur_id>:<fidx>:<recno>", appended to the
 * arena (followed by bytes that are not the record's), so a row read back names where it
 * came from. */
static void put(cclf_stage *st, char file, const char *cur_id, int fidx, int recno)
{
    char err[256];
    char *rec = arena + arena_used;
    int n = snprintf(rec, sizeof arena - arena_used, "%c:%s:%d:%d", file, cur_id, fidx, recno);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_lt(arena_used + (size_t)n + 8, sizeof arena);
    memcpy(rec + n, "|trail|", 7); /* not part of the record */
    ck_assert_int_eq(cclf_stage_put(st, file, cur_id, fidx, recno, (int64_t)arena_used,
                                    (size_t)n, err, sizeof err), 0);
    arena_used += (size_t)n + 7;
}

/* Row r's record, read back from the arena (NUL-terminated copy in buf). */
static const char *rec_of(const cclf_stage_row *r, char *buf, size_t len)
{
    ck_assert_int_ge(r->off, 0);
    ck_assert_uint_le((size_t)r->off + r->len, arena_used);
    ck_assert_uint_lt(r->len, len);
    memcpy(buf, arena + r->off, r->len);
    buf[r->len] = '\0';
    return buf;
}

/* The list which (CCLF_STAGE_CLAIM: of file and cur_id) as "rec[/orphan] rec ..." into
 * out; returns the row count. Each row's fields must agree with its record. */
static int list(cclf_stage *st, cclf_stage_list which, char file, const char *cur_id,
                char *out, size_t len)
{
    char err[256], rec[64];
    cclf_stage_row r;
    int n = 0, rc;
    out[0] = '\0';
    ck_assert_int_eq(cclf_stage_scan(st, which, file, cur_id, err, sizeof err), 0);
    while ((rc = cclf_stage_next(st, which, &r, err, sizeof err)) == 1) {
        char want[64];
        snprintf(want, sizeof want, "%c:%s:%lld:%lld", r.file, r.cur_id, (long long)r.fidx,
                 (long long)r.recno);
        ck_assert_str_eq(rec_of(&r, rec, sizeof rec), want);
        size_t k = strlen(out);
        snprintf(out + k, len - k, "%s%s%s", n ? " " : "", rec, r.orphan ? "/orphan" : "");
        n++;
    }
    ck_assert_msg(rc == 0, "%s", err);
    return n;
}

/* A delivery staged out of order (files interleaved, as the loader stages file after
 * file but the claims of a file in any order). */
static void stage_delivery(cclf_stage *st)
{
    put(st, '1', "2000000000002", 0, 1);
    put(st, '1', "1000000000001", 0, 2);
    put(st, '2', "1000000000001", 1, 3);
    put(st, '2', "1000000000001", 1, 1);
    put(st, '2', "2000000000002", 1, 2);
    put(st, '4', "1000000000001", 3, 2);
    put(st, '4', "1000000000001", 3, 1);
    put(st, '3', "1000000000001", 2, 1);
    put(st, '6', "5000000000005", 5, 1);
    put(st, '5', "6000000000006", 4, 2);
    put(st, '5', "5000000000005", 4, 3);
    put(st, '5', "5000000000005", 4, 1);
}

START_TEST(test_orders)
{
    cclf_stage *st;
    char err[256], got[1024];
    ck_assert_int_eq(cclf_stage_open(db, MODES[_i], &st, err, sizeof err), 0);
    stage_delivery(st);
    /* 12 records: held in memory under a bound above 12, in the tables otherwise */
    ck_assert_int_eq(cclf_stage_in_memory(st), MODES[_i] > 12);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage"), MODES[_i] > 12 ? 0 : 12);
    /* CCLF1 headers by file index and record number */
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_A, 0, NULL, got, sizeof got), 2);
    ck_assert_str_eq(got, "1:2000000000002:0:1 1:1000000000001:0:2");
    /* CCLF5 and 6 by file, claim, file index, record number */
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_B, 0, NULL, got, sizeof got), 4);
    ck_assert_str_eq(got, "5:5000000000005:4:1 5:5000000000005:4:3 5:6000000000006:4:2 "
                          "6:5000000000005:5:1");
    /* one claim's records of one file */
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '2', "1000000000001", got, sizeof got), 2);
    ck_assert_str_eq(got, "2:1000000000001:1:1 2:1000000000001:1:3");
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '4', "1000000000001", got, sizeof got), 2);
    ck_assert_str_eq(got, "4:1000000000001:3:1 4:1000000000001:3:2");
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '3', "2000000000002", got, sizeof got), 0);
    /* nothing is bad and every line has its header: no collateral */
    ck_assert_int_eq(list(st, CCLF_STAGE_COLLATERAL, 0, NULL, got, sizeof got), 0);
    cclf_stage_close(st);
}
END_TEST

/* The lists are independent: a claim's lines are read while the headers are, as the
 * loader assembles a CCLF1 claim; a scan stopped early starts again from its first row. */
START_TEST(test_nested_scans)
{
    cclf_stage *st;
    cclf_stage_row h, r;
    char err[256], got[1024] = "", rec[64];
    ck_assert_int_eq(cclf_stage_open(db, MODES[_i], &st, err, sizeof err), 0);
    stage_delivery(st);
    ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_A, 0, NULL, err, sizeof err), 0);
    while (cclf_stage_next(st, CCLF_STAGE_PART_A, &h, err, sizeof err) == 1) {
        ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_CLAIM, '2', h.cur_id, err, sizeof err), 0);
        while (cclf_stage_next(st, CCLF_STAGE_CLAIM, &r, err, sizeof err) == 1) {
            size_t k = strlen(got);
            snprintf(got + k, sizeof got - k, "%s<%s ", h.cur_id, rec_of(&r, rec, sizeof rec));
        }
    }
    ck_assert_str_eq(got, "2000000000002<2:2000000000002:1:2 1000000000001<2:1000000000001:1:1 "
                          "1000000000001<2:1000000000001:1:3 ");
    ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_B, 0, NULL, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_B, &r, err, sizeof err), 1);
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_B, &r, err, sizeof err), 1);
    cclf_stage_stop(st, CCLF_STAGE_PART_B);
    ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_B, 0, NULL, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_B, &r, err, sizeof err), 1);
    ck_assert_str_eq(rec_of(&r, rec, sizeof rec), "5:5000000000005:4:1");
    cclf_stage_stop(st, CCLF_STAGE_PART_B);
    cclf_stage_close(st);
}
END_TEST

/* A claim marked bad is left out of both assemblies and listed whole as collateral,
 * with the lines whose claim has no header (orphans), by file index and record. */
START_TEST(test_bad_claims)
{
    cclf_stage *st;
    char err[256], got[1024];
    ck_assert_int_eq(cclf_stage_open(db, MODES[_i], &st, err, sizeof err), 0);
    stage_delivery(st);
    put(st, '3', "7000000000007", 2, 4); /* a procedure without its CCLF1 header */
    put(st, '5', "8000000000008", 4, 9); /* a Part B line: never an orphan */
    /* the claim id is the record's first 13 characters */
    ck_assert_int_eq(cclf_stage_mark_bad(st, "1000000000001XYZ", 13, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_mark_bad(st, "1000000000001", 13, err, sizeof err), 0); /* twice */
    ck_assert_int_eq(cclf_stage_mark_bad(st, "6000000000006", 13, err, sizeof err), 0);
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_A, 0, NULL, got, sizeof got), 1);
    ck_assert_str_eq(got, "1:2000000000002:0:1");
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_B, 0, NULL, got, sizeof got), 4);
    ck_assert_str_eq(got, "5:5000000000005:4:1 5:5000000000005:4:3 5:8000000000008:4:9 "
                          "6:5000000000005:5:1");
    ck_assert_int_eq(list(st, CCLF_STAGE_COLLATERAL, 0, NULL, got, sizeof got), 8);
    ck_assert_str_eq(got, "1:1000000000001:0:2 2:1000000000001:1:1 2:1000000000001:1:3 "
                          "3:1000000000001:2:1 3:7000000000007:2:4/orphan 4:1000000000001:3:1 "
                          "4:1000000000001:3:2 5:6000000000006:4:2");
    /* a claim's own records are still listed: the loader only asks for good claims' */
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '2', "1000000000001", got, sizeof got), 2);
    ck_assert_int_eq(cclf_stage_in_memory(st), MODES[_i] == 1000);
    if (!cclf_stage_in_memory(st)) /* the marks moved too, each once */
        ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_bad"), 2);
    cclf_stage_close(st);
}
END_TEST

/* A stage's tables are its own, gone with it; a stage opened again, closed or not
 * before, starts empty; the store's connection never has a cclf table. */
START_TEST(test_reopen_empty)
{
    cclf_stage *st;
    char err[256], got[1024];
    ck_assert_int_eq(cclf_stage_open(db, 0, &st, err, sizeof err), 0);
    stage_delivery(st);
    ck_assert_int_eq(cclf_stage_mark_bad(st, "5000000000005", 13, err, sizeof err), 0);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage"), 12);
    ck_assert_int_eq(store_side(), 0);
    cclf_stage_close(st);
    cclf_stage_close(NULL);
    ck_assert_int_eq(cclf_stage_open(db, 0, &st, err, sizeof err), 0);
    for (int w = 0; w < CCLF_STAGE_LISTS; w++)
        ck_assert_int_eq(list(st, (cclf_stage_list)w, '1', "2000000000002", got, sizeof got), 0);
    stage_delivery(st);
    /* a second stage open beside the first: its own tables, empty; the first keeps its
     * rows */
    cclf_stage *again;
    ck_assert_int_eq(cclf_stage_open(db, 0, &again, err, sizeof err), 0);
    for (int w = 0; w < CCLF_STAGE_LISTS; w++)
        ck_assert_int_eq(list(again, (cclf_stage_list)w, '1', "2000000000002", got, sizeof got), 0);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage"), 12);
    cclf_stage_close(again);
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_A, 0, NULL, got, sizeof got), 2);
    cclf_stage_close(st);
}
END_TEST

/* The stage is not in the store's transaction: a rollback there leaves it whole, and
 * the store's connection is free to write while a list is read (as the loader's second
 * thread writes claims while it assembles). */
START_TEST(test_rollback)
{
    cclf_stage *st;
    cclf_stage_row r;
    char err[256], got[1024];
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_open(db, 0, &st, err, sizeof err), 0);
    stage_delivery(st);
    store_rollback(db);
    ck_assert_int_eq(store_side(), 0);
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_B, 0, NULL, got, sizeof got), 4);
    ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_B, 0, NULL, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_B, &r, err, sizeof err), 1);
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    exec_ok("CREATE TABLE written_meanwhile (x INTEGER)");
    ck_assert_int_eq(store_commit(db, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_B, &r, err, sizeof err), 1);
    ck_assert_str_eq(r.cur_id, "5000000000005");
    cclf_stage_stop(st, CCLF_STAGE_PART_B);
    cclf_stage_close(st);
}
END_TEST

/* A store failure: -EIO with SQLite's message in err. */
START_TEST(test_failures)
{
    cclf_stage *st;
    cclf_stage_row r;
    char err[256] = "";
    /* (a failure to make the tables is a failed allocation: tests/test_failinject.c) */
    ck_assert_int_eq(cclf_stage_open(db, 0, &st, err, sizeof err), 0);
    /* a record the table refuses (NOT NULL) */
    err[0] = '\0';
    ck_assert_int_eq(cclf_stage_put(st, '1', NULL, 0, 1, 0, 1, err, sizeof err), -EIO);
    ck_assert_str_eq(err, "NOT NULL constraint failed: cclf_stage.cur_id");
    /* the tables gone behind the stage's back: writes and reads fail, named by SQLite */
    stage_exec(st, "DROP TABLE cclf_stage; DROP TABLE cclf_bad");
    err[0] = '\0';
    ck_assert_int_eq(cclf_stage_put(st, '1', "1000000000001", 0, 1, 0, 1, err, sizeof err),
                     -EIO);
    ck_assert_msg(strstr(err, "no such table") && strstr(err, "cclf_stage"), "%s", err);
    err[0] = '\0';
    ck_assert_int_eq(cclf_stage_mark_bad(st, "1000000000001", 13, err, sizeof err), -EIO);
    ck_assert_msg(strstr(err, "no such table") && strstr(err, "cclf_bad"), "%s", err);
    err[0] = '\0';
    ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_A, 0, NULL, err, sizeof err), -EIO);
    ck_assert_msg(strstr(err, "no such table"), "%s", err);
    err[0] = '\0';
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_B, &r, err, sizeof err), -EIO);
    ck_assert_msg(err[0], "no message");
    cclf_stage_close(st);
}
END_TEST

/* A read prepared before the tables went (the first scan) fails when it steps. */
START_TEST(test_read_failure)
{
    cclf_stage *st;
    cclf_stage_row r;
    char err[256] = "", got[256];
    ck_assert_int_eq(cclf_stage_open(db, 0, &st, err, sizeof err), 0);
    ck_assert_int_eq(list(st, CCLF_STAGE_COLLATERAL, 0, NULL, got, sizeof got), 0);
    stage_exec(st, "DROP TABLE cclf_bad");
    ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_COLLATERAL, 0, NULL, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_COLLATERAL, &r, err, sizeof err), -EIO);
    ck_assert_msg(strstr(err, "no such table") && strstr(err, "cclf_bad"), "%s", err);
    cclf_stage_close(st);
}
END_TEST


/* ---- the stage held in memory ------------------------------------------------------- */

/* The bound: 3 records stay in memory (the tables are empty); the 4th moves them all,
 * in the order put (the tables' rowids are what a stage in the tables from the first
 * gives them), with the claims marked bad so far, and the stage goes on there. */
START_TEST(test_memory_bound)
{
    cclf_stage *st;
    char err[256], got[1024];
    ck_assert_int_eq(cclf_stage_open(db, 4, &st, err, sizeof err), 0);
    put(st, '2', "1000000000001", 1, 7);
    ck_assert_int_eq(cclf_stage_mark_bad(st, "3000000000003", 13, err, sizeof err), 0);
    put(st, '1', "1000000000001", 0, 5);
    put(st, '5', "2000000000002", 4, 1);
    ck_assert_int_eq(cclf_stage_in_memory(st), 1);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage"), 0);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_bad"), 0);
    put(st, '5', "3000000000003", 4, 2); /* 3 records and 1 mark: the bound */
    ck_assert_int_eq(cclf_stage_in_memory(st), 0);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage"), 4);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_bad"), 1);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage WHERE rowid = 1 AND "
                              "file = '2' AND fidx = 1 AND recno = 7"), 1);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage WHERE rowid = 3 AND "
                              "file = '5' AND cur_id = '2000000000002'"), 1);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_stage WHERE rowid = 4 AND "
                              "cur_id = '3000000000003' AND off > 0"), 1);
    put(st, '2', "1000000000001", 1, 2);
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '2', "1000000000001", got, sizeof got), 2);
    ck_assert_str_eq(got, "2:1000000000001:1:2 2:1000000000001:1:7");
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_B, 0, NULL, got, sizeof got), 1);
    ck_assert_str_eq(got, "5:2000000000002:4:1");
    ck_assert_int_eq(list(st, CCLF_STAGE_COLLATERAL, 0, NULL, got, sizeof got), 1);
    ck_assert_str_eq(got, "5:3000000000003:4:2");
    cclf_stage_close(st);
}
END_TEST

/* Ids memory does not hold (longer than CCLF_MEM_ID_MAX bytes, a NUL byte among a
 * marked id's len bytes) move the stage to the tables, which take any text; an empty id is held. */
START_TEST(test_memory_odd_ids)
{
    cclf_stage *st;
    char err[256], got[1024];
    const char *longer = "123456789012345678901234"; /* 24 bytes */
    ck_assert_int_eq(cclf_stage_open(db, 1000, &st, err, sizeof err), 0);
    put(st, '1', "", 0, 1);
    put(st, '2', "", 1, 1);
    ck_assert_int_eq(cclf_stage_in_memory(st), 1);
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '2', "", got, sizeof got), 1);
    put(st, '1', longer, 0, 2);
    ck_assert_int_eq(cclf_stage_in_memory(st), 0);
    put(st, '2', longer, 1, 2);
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_A, 0, NULL, got, sizeof got), 2);
    ck_assert_str_eq(got, "1::0:1 1:123456789012345678901234:0:2");
    ck_assert_int_eq(list(st, CCLF_STAGE_CLAIM, '2', longer, got, sizeof got), 1);
    cclf_stage_close(st);

    ck_assert_int_eq(cclf_stage_open(db, 1000, &st, err, sizeof err), 0);
    put(st, '1', "1000000000001", 0, 1);
    ck_assert_int_eq(cclf_stage_mark_bad(st, "2000000000002", 13, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_in_memory(st), 1);
    ck_assert_int_eq(cclf_stage_mark_bad(st, "1000000000001\0X", 15, err, sizeof err), 0);
    ck_assert_int_eq(cclf_stage_in_memory(st), 0);
    ck_assert_int_eq(stage_q(st, "SELECT count(*) FROM cclf_bad"), 2);
    /* SQLite compares the 15 bytes: not the claim's id, so the claim is still good */
    ck_assert_int_eq(list(st, CCLF_STAGE_PART_A, 0, NULL, got, sizeof got), 1);
    cclf_stage_close(st);
}
END_TEST

/* Places memory does not hold (a record is 24 bytes there: a file index and a length
 * up to 65,535, a record number up to 2^32 - 1) move the stage to the tables too, which
 * give them back whole; the largest that fit stay in memory. */
START_TEST(test_memory_odd_places)
{
    cclf_stage *st;
    cclf_stage_row r;
    char err[256];
    static const struct { int64_t fidx, recno; size_t len; int held; } places[] = {
        {65535, 4294967295, 65535, 1}, {65536, 1, 10, 0}, {0, 4294967296, 10, 0},
        {0, 1, 65536, 0},
    };
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(cclf_stage_open(db, 1000, &st, err, sizeof err), 0);
        ck_assert_int_eq(cclf_stage_put(st, '1', "1000000000001", places[i].fidx, places[i].recno,
                                        5000000000, places[i].len, err, sizeof err), 0);
        ck_assert_int_eq(cclf_stage_in_memory(st), places[i].held);
        ck_assert_int_eq(cclf_stage_scan(st, CCLF_STAGE_PART_A, 0, NULL, err, sizeof err), 0);
        ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_A, &r, err, sizeof err), 1);
        ck_assert_int_eq(r.fidx, places[i].fidx);
        ck_assert_int_eq(r.recno, places[i].recno);
        ck_assert_int_eq(r.off, 5000000000); /* past 2^32: an offset takes 64 bits */
        ck_assert_uint_eq(r.len, places[i].len);
        ck_assert_int_eq(cclf_stage_next(st, CCLF_STAGE_PART_A, &r, err, sizeof err), 0);
        cclf_stage_close(st);
    }
}
END_TEST

/* Every list of a list, rows with all their fields, one a line (out grows; free it). */
static char *dump(cclf_stage *st, cclf_stage_list which, char file, const char *cur_id,
                  char *out, size_t *len, size_t *cap)
{
    char err[256], line[128];
    cclf_stage_row r;
    int rc;
    ck_assert_int_eq(cclf_stage_scan(st, which, file, cur_id, err, sizeof err), 0);
    while ((rc = cclf_stage_next(st, which, &r, err, sizeof err)) == 1) {
        int n = snprintf(line, sizeof line, "%d %c %s %lld %lld %lld %zu %d\n", (int)which,
                         r.file, r.cur_id, (long long)r.fidx, (long long)r.recno,
                         (long long)r.off, r.len, r.orphan);
        if (*len + (size_t)n + 1 > *cap) {
            *cap = (*cap + (size_t)n + 1) * 2;
            out = realloc(out, *cap);
            ck_assert_ptr_nonnull(out);
        }
        memcpy(out + *len, line, (size_t)n + 1);
        *len += (size_t)n;
    }
    ck_assert_msg(rc == 0, "%s", err);
    return out;
}

/* A pseudo-random delivery (fixed seed): 3,000 records of 300 claims in random files,
 * places and order, 40 claims marked bad (some with no record). Held in memory, in the
 * tables from the first, and moved to the tables part way, every list (each claim's
 * records of each file too) gives the same rows in the same order. */
START_TEST(test_memory_same_as_tables)
{
    static const size_t bounds[] = {0, 1u << 20, 1500};
    char *first = NULL;
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
        cclf_stage *st;
        char err[256], id[16];
        uint32_t seed = 12345;
#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xffffff)
        ck_assert_int_eq(cclf_stage_open(db, bounds[b], &st, err, sizeof err), 0);
        for (int i = 0; i < 3000; i++) {
            char file = (char)('1' + NEXT() % 6);
            snprintf(id, sizeof id, "%013u", (unsigned)(NEXT() % 300));
            int64_t fidx = (int64_t)(NEXT() % 6), recno = (int64_t)((NEXT() % 1000) * 3000 + (uint32_t)i);
            ck_assert_int_eq(cclf_stage_put(st, file, id, fidx, recno, (int64_t)i * 10, 5 + (size_t)i % 7,
                                            err, sizeof err), 0);
            if (i % 75 == 0) {
                snprintf(id, sizeof id, "%013u", (unsigned)(NEXT() % 330));
                ck_assert_int_eq(cclf_stage_mark_bad(st, id, 13, err, sizeof err), 0);
            }
        }
        ck_assert_int_eq(cclf_stage_in_memory(st), b == 1);
        char *out = NULL;
        size_t len = 0, cap = 0;
        for (int w = 0; w < CCLF_STAGE_CLAIM; w++)
            out = dump(st, (cclf_stage_list)w, 0, NULL, out, &len, &cap);
        for (unsigned c = 0; c < 330; c++)
            for (char f = '1'; f <= '6'; f++) {
                snprintf(id, sizeof id, "%013u", c);
                out = dump(st, CCLF_STAGE_CLAIM, f, id, out, &len, &cap);
            }
        cclf_stage_close(st);
        ck_assert_uint_gt(len, 3000 * 20);
        if (!first) first = out;
        else {
            ck_assert_msg(!strcmp(first, out), "bound %zu: the lists differ", bounds[b]);
            free(out);
        }
#undef NEXT
    }
    free(first);
}
END_TEST

/* ---- claims_q_cclf_stays ------------------------------------------------------------ */

static int stay_row(const claims_q_stay_row *r, void *ud)
{
    char *out = ud;
    size_t k = strlen(out);
    snprintf(out + k, 1024 - k, "%s %s %s %s %.1f %.1f %s %s %s\n", r->claim_id, r->person_id,
             r->facility_npi, r->bill_class, r->start_jd, r->end_jd,
             r->discharge_disposition_code, r->admission_date, r->bill_type_code);
    return strstr(r->claim_id, "stop") ? -ECANCELED : 0;
}

static void stays_world(void)
{
    exec_ok("INSERT INTO loads (load_id, path, kind, sha256, rows, loaded_at) VALUES "
            "(1, 'a', 'cclf1', 's1', 0, '2027-01-01T00:00:00Z'), "
            "(2, 'b', 'cclf1', 's2', 0, '2027-02-01T00:00:00Z'), "
            "(3, 'c', 'institutional_claim', 's3', 0, '2027-03-01T00:00:00Z')");
    exec_ok("INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, "
            "claim_end_date, admission_date, discharge_disposition_code, bill_type_code, "
            "facility_npi, load_id, status) VALUES "
            "('C3', 'institutional', 'P1', '2027-01-11', '2027-01-20', '2027-01-11', '01', "
            "'214', 'F1', 2, 'current'), "
            "('C1', 'institutional', 'P1', '2027-01-01', '2027-01-10', '2027-01-01', '30', "
            "'212', 'F1', 1, 'current'), "
            "('C2', 'institutional', 'P1', '2027-01-05', '2027-01-06', '2027-01-05', '30', "
            "'111', 'F1', 1, 'current'), "
            "('CX', 'institutional', 'P1', '2027-01-02', '2027-01-03', '2027-01-02', '30', "
            "'212', 'F1', 1, 'cancelled'), "
            "('CN', 'institutional', 'P1', '2027-01-02', '2027-01-03', NULL, '30', "
            "'212', 'F1', 1, 'current'), "
            "('CC', 'institutional', 'P1', '2027-01-02', '2027-01-03', '2027-01-02', '30', "
            "'212', 'F1', 3, 'current'), "
            "('D1', 'institutional', 'P2', '2027-01-01', '2027-01-02', '2027-01-01', '30', "
            "'211', 'F2', 1, 'current')");
}

/* The current CCLF claims with an admission date of the load's persons, in stay order
 * (person, facility, bill-type class, start): not cancelled ones, not ones without an
 * admission date, not the CSV input layer's, not other persons'. */
START_TEST(test_stays)
{
    char err[256], got[1024] = "";
    stays_world();
    ck_assert_int_eq(claims_q_cclf_stays(db, 2, NULL, stay_row, got, err, sizeof err), 3);
    ck_assert_str_eq(got, "C2 P1 F1 11 2461410.5 2461411.5 30 2027-01-05 111\n"
                          "C1 P1 F1 21 2461406.5 2461415.5 30 2027-01-01 212\n"
                          "C3 P1 F1 21 2461416.5 2461425.5 01 2027-01-11 214\n");
    got[0] = '\0';
    ck_assert_int_eq(claims_q_cclf_stays(db, 9, NULL, stay_row, got, err, sizeof err), 0);
    ck_assert_str_eq(got, "");
}
END_TEST

/* Given the loader's list of persons, those persons' stays whatever the load: P1's are
 * load 2's read above; P2 and an unknown person give D1 alone, in person order whatever
 * the order of the list; an empty list nothing. The temporary table is gone after. */
START_TEST(test_stays_of_persons)
{
    char err[256], got[1024] = "";
    stays_world();
    mbi_map *m = mbi_map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(claims_q_cclf_stays(db, 2, m, stay_row, got, err, sizeof err), 0);
    ck_assert_int_eq(mbi_map_put(m, "P1", ""), 0);
    ck_assert_int_eq(claims_q_cclf_stays(db, 9, m, stay_row, got, err, sizeof err), 3);
    ck_assert_str_eq(got, "C2 P1 F1 11 2461410.5 2461411.5 30 2027-01-05 111\n"
                          "C1 P1 F1 21 2461406.5 2461415.5 30 2027-01-01 212\n"
                          "C3 P1 F1 21 2461416.5 2461425.5 01 2027-01-11 214\n");
    mbi_map_free(m);
    m = mbi_map_new();
    ck_assert_int_eq(mbi_map_put(m, "P9", ""), 0);
    ck_assert_int_eq(mbi_map_put(m, "P2", ""), 0);
    got[0] = '\0';
    ck_assert_int_eq(claims_q_cclf_stays(db, 2, m, stay_row, got, err, sizeof err), 1);
    ck_assert_str_eq(got, "D1 P2 F2 21 2461406.5 2461407.5 30 2027-01-01 211\n");
    ck_assert_int_eq(mbi_map_put(m, "P1", ""), 0); /* put last, read first */
    got[0] = '\0';
    ck_assert_int_eq(claims_q_cclf_stays(db, 2, m, stay_row, got, err, sizeof err), 4);
    ck_assert_msg(!strncmp(got, "C2 P1", 5) && strstr(got, "C3 P1") < strstr(got, "D1 P2"), "%s", got);
    mbi_map_free(m);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM temp.sqlite_master WHERE name = 'cclf_persons'"), 0);
}
END_TEST

/* Bills that start the same day at one facility: in the order delivered (their load,
 * then the record number after the ':' of their source: 9 before 10, as numbers), then
 * by claim id, whatever order they were stored in (rows inserted in reverse here). */
START_TEST(test_stays_same_day)
{
    char err[256], got[1024] = "";
    exec_ok("INSERT INTO loads (load_id, path, kind, sha256, rows, loaded_at) VALUES "
            "(1, 'a', 'cclf1', 's1', 0, '2027-01-01T00:00:00Z'), "
            "(2, 'b', 'cclf1', 's2', 0, '2027-02-01T00:00:00Z')");
    static const char *const rows[][3] = {{"Z1", "2", "F.ZC1Y27:1"},  {"B1", "1", "F.ZC1Y27:10"},
                                          {"B2", "1", "F.ZC1Y27:10"}, {"A9", "1", "F.ZC1Y27:9"},
                                          {"Y1", "2", "F.ZC1R27:0"}};
    for (int i = 0; i < 5; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "INSERT INTO claims (claim_id, claim_type, person_id, "
                 "claim_start_date, claim_end_date, admission_date, discharge_disposition_code, "
                 "bill_type_code, facility_npi, load_id, status, source) VALUES ('%s', "
                 "'institutional', 'P1', '2027-03-01', '2027-03-0%d', '2027-03-01', '30', '211', "
                 "'F1', %s, 'current', '%s')", rows[i][0], 2 + i % 2, rows[i][1], rows[i][2]);
        exec_ok(sql);
    }
    ck_assert_int_eq(claims_q_cclf_stays(db, 1, NULL, stay_row, got, err, sizeof err), 5);
    char order[64] = "";
    for (const char *p = got; *p; p = strchr(p, '\n') + 1) {
        size_t k = strlen(order);
        snprintf(order + k, sizeof order - k, "%.2s ", p);
    }
    ck_assert_str_eq(order, "A9 B1 B2 Y1 Z1 ");
}
END_TEST

/* fn's negative value stops the read and is returned; a failed statement is -EIO with
 * SQLite's message. */
START_TEST(test_stays_errors)
{
    char err[256] = "", got[1024] = "";
    stays_world();
    exec_ok("UPDATE claims SET claim_id = 'C2stop' WHERE claim_id = 'C2'");
    ck_assert_int_eq(claims_q_cclf_stays(db, 1, NULL, stay_row, got, err, sizeof err), -ECANCELED);
    ck_assert_str_eq(got, "C2stop P1 F1 11 2461410.5 2461411.5 30 2027-01-05 111\n");
    ck_assert_str_eq(err, "");
    exec_ok("ALTER TABLE loads RENAME TO loads_gone");
    ck_assert_int_eq(claims_q_cclf_stays(db, 1, NULL, stay_row, got, err, sizeof err), -EIO);
    ck_assert_msg(strstr(err, "no such table: loads"), "%s", err);
}
END_TEST

Suite *suite_store_cclf_stage(void)
{
    Suite *s = suite_create("store_cclf_stage");
    TCase *tc = tcase_create("cclf_stage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_orders, 0, N_MODES);
    tcase_add_loop_test(tc, test_nested_scans, 0, N_MODES);
    tcase_add_loop_test(tc, test_bad_claims, 0, N_MODES);
    tcase_add_test(tc, test_memory_bound);
    tcase_add_test(tc, test_memory_odd_ids);
    tcase_add_test(tc, test_memory_odd_places);
    tcase_add_test(tc, test_memory_same_as_tables);
    tcase_add_test(tc, test_reopen_empty);
    tcase_add_test(tc, test_rollback);
    tcase_add_test(tc, test_failures);
    tcase_add_test(tc, test_read_failure);
    tcase_add_test(tc, test_stays);
    tcase_add_test(tc, test_stays_of_persons);
    tcase_add_test(tc, test_stays_same_day);
    tcase_add_test(tc, test_stays_errors);
    suite_add_tcase(s, tc);
    return s;
}
