/*
 * run_inputs_q.c: see run_inputs_q.h.
 */
#include "run_inputs_q.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

#include "base/base.h"

int run_inputs_q_arrangements(store *s, run_arrangement_fn fn, void *ud, char *err,
                              size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s,
        "SELECT a.arrangement_id, a.aco_id, a.npi, a.tin, a.template_id, a.start_date, "
        "a.end_date, a.discount_bps, a.savings_share_bps, a.loss_share_bps, a.stop_gain_bps, "
        "a.stop_loss_bps, COALESCE(o.track, ''), COALESCE(p.specialty_code, '') "
        "FROM arrangements a LEFT JOIN acos o ON o.aco_id = a.aco_id "
        "LEFT JOIN providers p ON p.npi = a.npi AND p.tin = a.tin "
        "WHERE a.status IN ('active', 'ended', 'terminated') ORDER BY a.arrangement_id",
        err, errlen);
    if (!st) return -EIO;
    int rc = SQLITE_DONE, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        run_arrangement_row r = {store__col(st, 0), store__col(st, 1), store__col(st, 2), store__col(st, 3), store__col(st, 4),
                                 store__col(st, 12), store__col(st, 13), store_col_date(st, 5),
                                 store_col_date(st, 6), {0}, 0};
        for (int i = 0; i < RUN_N_TERMS; i++)
            if (sqlite3_column_type(st, 7 + i) != SQLITE_NULL) {
                r.terms[i] = sqlite3_column_int64(st, 7 + i);
                r.has_terms |= 1u << i;
            }
        k = fn(&r, ud);
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

int run_inputs_q_tins(store *s, run_tin_fn fn, void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, "SELECT aco_id, tin, start_date, end_date FROM aco_tins "
                                  "ORDER BY tin, start_date, aco_id", err, errlen);
    if (!st) return -EIO;
    int rc = SQLITE_DONE, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        run_tin_row r = {store__col(st, 0), store__col(st, 1), store_col_date(st, 2), store_col_date(st, 3)};
        k = fn(&r, ud);
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

int run_inputs_q_as_of(store *s, int32_t *d, char *err, size_t errlen)
{
    *d = CARA_DATE_NONE;
    /* the partial index (migration 21) answers without a scan */
    sqlite3_stmt *st = store__prepare(s, "SELECT max(claim_end_date) FROM claims INDEXED BY "
                                  "claims_current_end WHERE status = 'current'", err, errlen);
    if (!st) return -EIO;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *d = store_col_date(st, 0);
    else snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -EIO;
}

int64_t run_inputs_q_people(store *s, char *err, size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, "SELECT count(DISTINCT person_id) FROM claims WHERE status = "
                                  "'current'", err, errlen);
    if (!st) return -EIO;
    int64_t n = -EIO;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    else snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(st);
    return n;
}

int run_inputs_q_person_at(store *s, int64_t offset, char **out, char *err, size_t errlen)
{
    *out = NULL;
    sqlite3_stmt *st = store__prepare(s, "SELECT DISTINCT person_id FROM claims WHERE status = "
                                  "'current' ORDER BY person_id LIMIT 1 OFFSET ?1", err, errlen);
    if (!st) return -EIO;
    int rc = sqlite3_bind_int64(st, 1, offset) == SQLITE_OK ? sqlite3_step(st) : SQLITE_NOMEM;
    int k;
    if (rc == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0); /* NULL: no memory */
        *out = id ? strdup(id) : NULL;
        k = *out ? 1 : -ENOMEM;
        if (k < 0) snprintf(err, errlen, "out of memory");
    } else if (rc == SQLITE_DONE) {
        k = 0;
    } else {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}
