/*
 * fhir_stage.c: see fhir_stage.h.
 */
#include "fhir_stage.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_internal.h"

#define DROP_TABLES                                                                           \
    "DROP TABLE IF EXISTS temp.fhir_bene; DROP TABLE IF EXISTS temp.fhir_cov;"               \
    "DROP TABLE IF EXISTS temp.fhir_defer;"

static const char CREATE_TABLES[] =
    DROP_TABLES
    "CREATE TEMP TABLE fhir_bene (patient_id TEXT PRIMARY KEY, mbi TEXT, gender TEXT, "
    "birth INTEGER, death INTEGER, state TEXT, zip TEXT);"
    "CREATE TEMP TABLE fhir_cov (patient_id TEXT, part TEXT, start INTEGER, end_ INTEGER, "
    "dual TEXT, ms TEXT);"
    "CREATE INDEX temp.fhir_cov_patient ON fhir_cov (patient_id);"
    "CREATE TEMP TABLE fhir_defer (fidx INTEGER, number INTEGER, PRIMARY KEY (fidx, number));";

struct fhir_stage {
    store *s;
    sqlite3 *db;
    sqlite3_stmt *bene, *cov, *defer, *deferred; /* prepared at open */
    sqlite3_stmt *file_deferred;                 /* on first use */
    sqlite3_stmt *patients, *covs;               /* on the first fhir_stage_next */
    int current;   /* patients is on a row */
    int cov_bound; /* covs is bound to that row's patient (and maybe on a row) */
};

/* SQLite's message for the last failed call: -EIO. */
static int fail(fhir_stage *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
    return -EIO;
}

static void bind_date(sqlite3_stmt *q, int i, cara_date d)
{
    if (d == CARA_DATE_NONE) {
        sqlite3_bind_null(q, i);
        return;
    }
    sqlite3_bind_int(q, i, d);
}

static cara_date col_date(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? CARA_DATE_NONE : sqlite3_column_int(q, i);
}

/* Step a bound write to its end, reset it and clear its bindings. 0 or -EIO. */
static int write1(fhir_stage *st, sqlite3_stmt *q, char *err, size_t errlen)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? 0 : fail(st, err, errlen);
}

int fhir_stage_open(store *s, fhir_stage **out, char *err, size_t errlen)
{
    *out = NULL;
    fhir_stage *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    st->s = s;
    st->db = store_db(s);
    char *e = NULL;
    if (sqlite3_exec(st->db, CREATE_TABLES, NULL, NULL, &e) != SQLITE_OK) {
        snprintf(err, errlen, "%s", e ? e : "?");
        sqlite3_free(e);
        fhir_stage_close(st);
        return -EIO;
    }
    if (!(st->bene = store__prepare(s, "INSERT OR REPLACE INTO fhir_bene (patient_id, mbi, "
                                       "gender, birth, death, state, zip) VALUES (?1, ?2, ?3, "
                                       "?4, ?5, ?6, ?7)", err, errlen)) ||
        !(st->cov = store__prepare(s, "INSERT INTO fhir_cov (patient_id, part, start, end_, "
                                      "dual, ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err,
                                   errlen)) ||
        !(st->defer = store__prepare(s, "INSERT OR IGNORE INTO fhir_defer (fidx, number) "
                                        "VALUES (?1, ?2)", err, errlen)) ||
        !(st->deferred = store__prepare(s, "SELECT 1 FROM fhir_defer WHERE fidx = ?1 AND "
                                           "number = ?2", err, errlen))) {
        fhir_stage_close(st);
        return -EIO;
    }
    *out = st;
    return 0;
}

void fhir_stage_close(fhir_stage *st)
{
    if (!st) return;
    sqlite3_finalize(st->bene);
    sqlite3_finalize(st->cov);
    sqlite3_finalize(st->defer);
    sqlite3_finalize(st->deferred);
    sqlite3_finalize(st->file_deferred);
    sqlite3_finalize(st->patients);
    sqlite3_finalize(st->covs);
    sqlite3_exec(st->db, DROP_TABLES, NULL, NULL, NULL);
    free(st);
}

int fhir_stage_patient_put(fhir_stage *st, const fhir_stage_patient *p, char *err,
                           size_t errlen)
{
    sqlite3_stmt *q = st->bene;
    sqlite3_bind_text(q, 1, p->patient_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, p->mbi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, p->gender, -1, SQLITE_TRANSIENT);
    bind_date(q, 4, p->birth);
    bind_date(q, 5, p->death);
    sqlite3_bind_text(q, 6, p->state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 7, p->zip, -1, SQLITE_TRANSIENT);
    return write1(st, q, err, errlen);
}

int fhir_stage_cov_put(fhir_stage *st, const char *patient_id, const fhir_stage_cov *c,
                       char *err, size_t errlen)
{
    sqlite3_stmt *q = st->cov;
    char part[2] = {c->part, 0};
    sqlite3_bind_text(q, 1, patient_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, part, 1, SQLITE_TRANSIENT);
    bind_date(q, 3, c->start);
    bind_date(q, 4, c->end);
    sqlite3_bind_text(q, 5, c->dual, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 6, c->ms, -1, SQLITE_TRANSIENT);
    return write1(st, q, err, errlen);
}

int fhir_stage_defer(fhir_stage *st, size_t fidx, size_t number, char *err, size_t errlen)
{
    sqlite3_bind_int64(st->defer, 1, (int64_t)fidx);
    sqlite3_bind_int64(st->defer, 2, (int64_t)number);
    return write1(st, st->defer, err, errlen);
}

int fhir_stage_deferred(fhir_stage *st, size_t fidx, size_t number, int *yes, char *err,
                        size_t errlen)
{
    sqlite3_bind_int64(st->deferred, 1, (int64_t)fidx);
    sqlite3_bind_int64(st->deferred, 2, (int64_t)number);
    int rc = sqlite3_step(st->deferred);
    *yes = rc == SQLITE_ROW;
    int r = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, err, errlen);
    sqlite3_reset(st->deferred);
    return r;
}

int fhir_stage_file_deferred(fhir_stage *st, size_t fidx, int *yes, char *err, size_t errlen)
{
    *yes = 0;
    if (!st->file_deferred &&
        !(st->file_deferred = store__prepare(st->s, "SELECT 1 FROM fhir_defer WHERE fidx = ?1 "
                                                    "LIMIT 1", err, errlen)))
        return -EIO;
    sqlite3_bind_int64(st->file_deferred, 1, (int64_t)fidx);
    int rc = sqlite3_step(st->file_deferred);
    *yes = rc == SQLITE_ROW;
    int r = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, err, errlen);
    sqlite3_reset(st->file_deferred);
    return r;
}

int fhir_stage_next(fhir_stage *st, fhir_stage_patient *p, char *err, size_t errlen)
{
    if ((!st->patients &&
         !(st->patients = store__prepare(st->s, "SELECT patient_id, mbi, gender, birth, death, "
                                                "state, zip FROM fhir_bene", err, errlen))) ||
        (!st->covs &&
         !(st->covs = store__prepare(st->s, "SELECT part, start, end_, dual, ms FROM fhir_cov "
                                            "WHERE patient_id = ?1 ORDER BY part DESC, start "
                                            "IS NULL, start", err, errlen))))
        return -EIO;
    if (st->cov_bound) sqlite3_reset(st->covs);
    st->cov_bound = 0;
    st->current = 0;
    sqlite3_stmt *q = st->patients;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        p->patient_id = store__col(q, 0);
        p->mbi = store__col(q, 1);
        p->gender = store__col(q, 2);
        p->birth = col_date(q, 3);
        p->death = col_date(q, 4);
        p->state = store__col(q, 5);
        p->zip = store__col(q, 6);
        st->current = 1;
        return 1;
    }
    int r = rc == SQLITE_DONE ? 0 : fail(st, err, errlen);
    sqlite3_reset(q);
    return r;
}

int fhir_stage_next_cov(fhir_stage *st, fhir_stage_cov *c, char *err, size_t errlen)
{
    if (!st->current) {
        snprintf(err, errlen, "no staged patient is current (fhir_stage_next first)");
        return -EINVAL;
    }
    sqlite3_stmt *q = st->covs;
    if (!st->cov_bound) {
        sqlite3_bind_text(q, 1, store__col(st->patients, 0), -1, SQLITE_TRANSIENT);
        st->cov_bound = 1;
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        c->part = store__col(q, 0)[0];
        c->start = col_date(q, 1);
        c->end = col_date(q, 2);
        c->dual = store__col(q, 3);
        c->ms = store__col(q, 4);
        return 1;
    }
    sqlite3_reset(q);
    st->cov_bound = 0;
    return rc == SQLITE_DONE ? 0 : fail(st, err, errlen);
}
