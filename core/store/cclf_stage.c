/*
 * cclf_stage.c: see cclf_stage.h.
 */
#include "cclf_stage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cclf_stage_mem.h"
#include "store_internal.h"

struct cclf_stage {
    store *s;
    sqlite3 *db;        /* the tables' private connection (NULL until the tables are made) */
    sqlite3_stmt *put, *bad;
    sqlite3_stmt *list[CCLF_STAGE_LISTS]; /* prepared on first scan */
    cclf_mem *mem;      /* the records while they are held in memory (NULL: in the tables) */
    size_t mem_max;     /* records and bad claims held in memory before moving */
    int broken;         /* the move to the tables failed part way: every call fails */
};

/* The tables, in a private temporary database of their own: no journal, no syncs, one
 * transaction that is never committed (the database goes with its connection). */
static const char CREATE_SQL[] =
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
    "CREATE TABLE cclf_stage (file TEXT NOT NULL, cur_id TEXT NOT NULL, fidx "
    "INTEGER NOT NULL, recno INTEGER NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL);"
    "CREATE INDEX cclf_stage_claim ON cclf_stage (file, cur_id);"
    "CREATE TABLE cclf_bad (cur_id TEXT PRIMARY KEY);"
    "BEGIN;";

/* Every list selects the columns of a cclf_stage_row, in this order:
 * file, cur_id, fidx, recno, off, len, orphan. Each ORDER BY is a total order. */
static const char *const LIST_SQL[CCLF_STAGE_LISTS] = {
    [CCLF_STAGE_COLLATERAL] =
        "SELECT file, cur_id, fidx, recno, off, len, 0 FROM cclf_stage WHERE cur_id IN (SELECT "
        "cur_id FROM cclf_bad) UNION ALL SELECT file, cur_id, fidx, recno, off, len, 1 FROM "
        "cclf_stage WHERE file IN ('2', '3', '4') AND cur_id NOT IN (SELECT cur_id FROM "
        "cclf_bad) AND cur_id NOT IN (SELECT cur_id FROM cclf_stage WHERE file = '1') "
        "ORDER BY 3, 4",
    [CCLF_STAGE_PART_A] =
        "SELECT file, cur_id, fidx, recno, off, len, 0 FROM cclf_stage WHERE file = '1' AND "
        "cur_id NOT IN (SELECT cur_id FROM cclf_bad) ORDER BY fidx, recno",
    [CCLF_STAGE_PART_B] =
        "SELECT file, cur_id, fidx, recno, off, len, 0 FROM cclf_stage WHERE file IN ('5', '6') "
        "AND cur_id NOT IN (SELECT cur_id FROM cclf_bad) ORDER BY file, cur_id, fidx, recno",
    [CCLF_STAGE_CLAIM] =
        "SELECT file, cur_id, fidx, recno, off, len, 0 FROM cclf_stage WHERE file = ?1 AND "
        "cur_id = ?2 ORDER BY fidx, recno",
};

/* SQLite's message for the failed call on st's connection. */
static int fail(cclf_stage *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
    return -EIO;
}

static sqlite3_stmt *prepare(cclf_stage *st, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        fail(st, err, errlen);
        sqlite3_finalize(q);
        return NULL;
    }
    return q;
}

/* Make the tables, on their own connection. 0, -ENOMEM or -EIO (nothing kept). */
static int make_tables(cclf_stage *st, char *err, size_t errlen)
{
    int rc = sqlite3_open_v2("", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_PRIVATECACHE, NULL);
    char *msg = NULL;
    if (rc == SQLITE_OK) rc = sqlite3_exec(st->db, CREATE_SQL, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "the stage's temporary database: %s",
                 msg ? msg : st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_free(msg);
        sqlite3_close(st->db);
        st->db = NULL;
        return rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
    }
    if (!(st->put = prepare(st, "INSERT INTO cclf_stage (file, cur_id, fidx, recno, off, len) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errlen)) ||
        !(st->bad = prepare(st, "INSERT OR IGNORE INTO cclf_bad (cur_id) VALUES (?1)", err,
                            errlen))) {
        sqlite3_finalize(st->put);
        st->put = NULL;
        sqlite3_close(st->db);
        st->db = NULL;
        return -EIO;
    }
    return 0;
}

int cclf_stage_open(store *s, size_t mem_max, cclf_stage **out, char *err, size_t errlen)
{
    *out = NULL;
    cclf_stage *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    st->s = s;
    int rc = mem_max ? 0 : make_tables(st, err, errlen);
    if (rc < 0) {
        cclf_stage_close(st);
        return rc;
    }
    st->mem_max = mem_max;
    if (mem_max && !(st->mem = cclf_mem_new())) {
        cclf_stage_close(st);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    *out = st;
    return 0;
}

void cclf_stage_close(cclf_stage *st)
{
    if (!st) return;
    sqlite3_finalize(st->put);
    sqlite3_finalize(st->bad);
    for (int i = 0; i < CCLF_STAGE_LISTS; i++) sqlite3_finalize(st->list[i]);
    cclf_mem_free(st->mem);
    sqlite3_close(st->db); /* the temporary database goes with it */
    free(st);
}

static int sql_put(cclf_stage *st, char file, const char *cur_id, int64_t fidx, int64_t recno,
                   int64_t off, size_t len, char *err, size_t errlen)
{
    char f[2] = {file, 0};
    sqlite3_bind_text(st->put, 1, f, 1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st->put, 2, cur_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st->put, 3, fidx);
    sqlite3_bind_int64(st->put, 4, recno);
    sqlite3_bind_int64(st->put, 5, off);
    sqlite3_bind_int64(st->put, 6, (int64_t)len);
    int rc = sqlite3_step(st->put) == SQLITE_DONE ? 0 : fail(st, err, errlen);
    sqlite3_reset(st->put);
    return rc;
}

static int sql_mark_bad(cclf_stage *st, const char *cur_id, size_t len, char *err,
                        size_t errlen)
{
    sqlite3_bind_text(st->bad, 1, cur_id, (int)len, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st->bad) == SQLITE_DONE ? 0 : fail(st, err, errlen);
    sqlite3_reset(st->bad);
    return rc;
}

/* Move the records held in memory into the tables, in the order they were put (so the
 * tables' rowids are what they would have been), and the bad claims after them; from
 * then on the stage is the tables'. 0, or -EIO with the stage broken (the tables hold
 * part of it). */
static int spill(cclf_stage *st, char *err, size_t errlen)
{
    cclf_mem *m = st->mem;
    cclf_stage_row r;
    if (!st->db && make_tables(st, err, errlen) < 0) {
        st->broken = 1;
        return -EIO;
    }
    for (size_t i = 0; i < cclf_mem_records(m); i++) {
        cclf_mem_record(m, i, &r);
        if (sql_put(st, r.file, r.cur_id, r.fidx, r.recno, r.off, r.len, err, errlen) < 0) {
            st->broken = 1;
            return -EIO;
        }
    }
    for (size_t i = 0; i < cclf_mem_bad_count(m); i++) {
        const char *id = cclf_mem_bad(m, i);
        if (sql_mark_bad(st, id, strlen(id), err, errlen) < 0) {
            st->broken = 1;
            return -EIO;
        }
    }
    cclf_mem_free(m);
    st->mem = NULL;
    return 0;
}

static int broken(char *err, size_t errlen)
{
    snprintf(err, errlen, "the stage failed to move from memory to its tables");
    return -EIO;
}

int cclf_stage_put(cclf_stage *st, char file, const char *cur_id, int64_t fidx, int64_t recno,
                   int64_t off, size_t len, char *err, size_t errlen)
{
    if (st->broken) return broken(err, errlen);
    if (st->mem && cur_id && cclf_mem_size(st->mem) < st->mem_max &&
        cclf_mem_put(st->mem, file, cur_id, fidx, recno, off, len) == 0)
        return 0;
    if (st->mem && spill(st, err, errlen) < 0) return -EIO; /* full, refused or no memory */
    return sql_put(st, file, cur_id, fidx, recno, off, len, err, errlen);
}

int cclf_stage_mark_bad(cclf_stage *st, const char *cur_id, size_t len, char *err,
                        size_t errlen)
{
    if (st->broken) return broken(err, errlen);
    if (st->mem && cclf_mem_size(st->mem) < st->mem_max &&
        cclf_mem_mark_bad(st->mem, cur_id, len) == 0)
        return 0;
    if (st->mem && spill(st, err, errlen) < 0) return -EIO;
    return sql_mark_bad(st, cur_id, len, err, errlen);
}

int cclf_stage_in_memory(const cclf_stage *st)
{
    return st->mem != NULL;
}

sqlite3 *cclf_stage__db(cclf_stage *st)
{
    return st->db;
}

int cclf_stage_scan(cclf_stage *st, cclf_stage_list which, char file, const char *cur_id,
                    char *err, size_t errlen)
{
    if (st->broken) return broken(err, errlen);
    if (st->mem) {
        if (cclf_mem_scan(st->mem, which, file, cur_id ? cur_id : "") == 0) return 0;
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (!st->list[which] && !(st->list[which] = prepare(st, LIST_SQL[which], err, errlen)))
        return -EIO;
    sqlite3_stmt *q = st->list[which];
    sqlite3_reset(q);
    if (which == CCLF_STAGE_CLAIM) {
        char f[2] = {file, 0};
        if (sqlite3_bind_text(q, 1, f, 1, SQLITE_TRANSIENT) != SQLITE_OK ||
            sqlite3_bind_text(q, 2, cur_id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
    }
    return 0;
}

int cclf_stage_next(cclf_stage *st, cclf_stage_list which, cclf_stage_row *row, char *err,
                    size_t errlen)
{
    if (st->broken) return broken(err, errlen);
    if (st->mem) return cclf_mem_next(st->mem, which, row);
    sqlite3_stmt *q = st->list[which];
    if (!q) {
        snprintf(err, errlen, "the staged records were not scanned");
        return -EIO;
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(q);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        fail(st, err, errlen);
        sqlite3_reset(q);
        return -EIO;
    }
    const char *file = (const char *)sqlite3_column_text(q, 0);
    row->cur_id = (const char *)sqlite3_column_text(q, 1);
    if (!file || !row->cur_id) { /* NOT NULL columns: SQLite had no memory */
        snprintf(err, errlen, "out of memory");
        sqlite3_reset(q);
        return -ENOMEM;
    }
    row->file = file[0];
    row->fidx = sqlite3_column_int64(q, 2);
    row->recno = sqlite3_column_int64(q, 3);
    row->off = sqlite3_column_int64(q, 4);
    row->len = (size_t)sqlite3_column_int64(q, 5);
    row->orphan = sqlite3_column_int(q, 6);
    return 1;
}

void cclf_stage_stop(cclf_stage *st, cclf_stage_list which)
{
    if (st->mem) cclf_mem_stop(st->mem, which);
    if (st->list[which]) sqlite3_reset(st->list[which]);
}
