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
    /* the current claims by end date (migration 28) answer without a scan */
    sqlite3_stmt *st = store__prepare(s, "SELECT max(claim_end_date) FROM claim_end_days "
                                      "WHERE current > 0", err, errlen);
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

static int cmp_id(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void run_inputs_q_sample_free(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++) free(ids[i]);
    free(ids);
}

/* min(rowid), max(rowid) of claims into lo, hi: 1, 0 (no claims), -EIO. Two statements:
 * one asking for both is a pass over the table, each alone is one seek. */
static int rowid_span(store *s, int64_t *lo, int64_t *hi, char *err, size_t errlen)
{
    static const char *const q[2] = {"SELECT min(rowid) FROM claims", "SELECT max(rowid) FROM claims"};
    int64_t *out[2] = {lo, hi};
    int k = 1;
    for (int i = 0; i < 2 && k == 1; i++) {
        sqlite3_stmt *st = store__prepare(s, q[i], err, errlen);
        if (!st) return -EIO;
        if (sqlite3_step(st) == SQLITE_ROW) {
            k = sqlite3_column_type(st, 0) != SQLITE_NULL;
            *out[i] = sqlite3_column_int64(st, 0);
        } else {
            k = util_fail(err, errlen, -EIO, "%s", sqlite3_errmsg(store_db(s)));
        }
        sqlite3_finalize(st);
    }
    return k;
}

int run_inputs_q_person_sample(store *s, size_t k, char ***out, size_t *n, char *err,
                               size_t errlen)
{
    *out = NULL;
    *n = 0;
    int64_t lo = 0, hi = 0;
    int rc = k ? rowid_span(s, &lo, &hi, err, errlen) : 0;
    if (rc <= 0) return rc;
    /* one rowid seek each: the first current claim at or after the point */
    sqlite3_stmt *st = store__prepare(s, RUN_INPUTS_SAMPLE_SQL, err, errlen);
    char **ids = st ? calloc(k, sizeof *ids) : NULL;
    if (!st) return -EIO;
    if (!ids) {
        sqlite3_finalize(st);
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1; /* rowids lo..hi; no overflow */
    int64_t next = lo;  /* points below it were answered by an earlier seek */
    size_t m = 0;
    rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        /* lo + span * i / k without overflow: with span <= k, every rowid */
        int64_t at = lo + (int64_t)((span / k) * i + (span % k) * i / k);
        if (at < next) continue;
        sqlite3_reset(st);
        int sr = sqlite3_bind_int64(st, 1, at) == SQLITE_OK ? sqlite3_step(st) : SQLITE_NOMEM;
        if (sr == SQLITE_DONE) break; /* no current claim from here on */
        if (sr != SQLITE_ROW) {
            rc = sr == SQLITE_NOMEM ? util_fail(err, errlen, -ENOMEM, "out of memory")
                                    : util_fail(err, errlen, -EIO, "%s", sqlite3_errmsg(store_db(s)));
            break;
        }
        next = sqlite3_column_int64(st, 0) + 1;
        const char *id = (const char *)sqlite3_column_text(st, 1);
        ids[m] = id ? strdup(id) : NULL;
        if (!ids[m]) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
        else m++;
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        run_inputs_q_sample_free(ids, m);
        return rc;
    }
    if (m > 1) qsort(ids, m, sizeof *ids, cmp_id);
    if (!m) {
        free(ids);
        ids = NULL;
    }
    *out = ids;
    *n = m;
    return 0;
}
