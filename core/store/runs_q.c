/*
 * runs_q.c: see runs_q.h.
 */
#include "runs_q.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_lease.h"

/* The columns of runs_q_row, in its order; ?COUNTS appends the two counts. */
#define ROW_COLUMNS                                                                             \
    "r.run_id, r.started_at, r.finished_at, " RUN_LEASE_STATUS_SQL("r") ", r.period, "         \
    "r.template_filter, r.episodes_dir, r.as_of_date, r.beneficiaries, r.claim_lines, "        \
    "r.inputs, r.message, r.replay_of, r.heartbeat_at, r.abandoned_at, r.base_run_id, "      \
    "r.recomputed, r.full_reason, r.rows_base_run_id, CASE WHEN r.rows_base_run_id IS NOT "  \
    "NULL THEN (SELECT count(*) FROM run_own_people o WHERE o.run_id = r.run_id) END"
#define COUNT_COLUMNS                                                                           \
    ", (SELECT count(*) FROM run_episodes e WHERE e.run_id = r.run_id), "                      \
    "(SELECT count(*) FROM run_arrangements a WHERE a.run_id = r.run_id)"

static int fail(sqlite3 *db, char *err, size_t errlen)
{
    if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    return -EIO;
}

static const char *text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i); /* NULL for NULL */
}

static void read_row(sqlite3_stmt *st, int counts, runs_q_row *r)
{
    memset(r, 0, sizeof *r);
    r->run_id = sqlite3_column_int64(st, 0);
    r->started_at = text(st, 1);
    r->finished_at = text(st, 2);
    r->status = text(st, 3);
    r->has_period = sqlite3_column_type(st, 4) != SQLITE_NULL;
    r->period = sqlite3_column_int64(st, 4);
    r->template_filter = text(st, 5);
    r->episodes_dir = text(st, 6);
    r->as_of_date = text(st, 7);
    r->beneficiaries = sqlite3_column_int64(st, 8);
    r->claim_lines = sqlite3_column_int64(st, 9);
    r->inputs = text(st, 10);
    r->message = text(st, 11);
    r->has_replay_of = sqlite3_column_type(st, 12) != SQLITE_NULL;
    r->replay_of = sqlite3_column_int64(st, 12);
    r->heartbeat_at = text(st, 13);
    r->abandoned_at = text(st, 14);
    r->base_run_id = sqlite3_column_int64(st, 15); /* NULL: 0 */
    r->has_recomputed = sqlite3_column_type(st, 16) != SQLITE_NULL;
    r->recomputed = sqlite3_column_int64(st, 16);
    r->full_reason = text(st, 17);
    r->rows_base_run_id = sqlite3_column_int64(st, 18); /* NULL: 0 */
    r->stored_beneficiaries = sqlite3_column_int64(st, 19);
    if (counts) {
        r->n_episodes = sqlite3_column_int64(st, 20);
        r->n_arrangements = sqlite3_column_int64(st, 21);
    }
}

/* Step st to the end, calling row(st, ud) per row, and finalize it. The row count,
 * row's negative value, or -EIO with SQLite's message in err. */
static int step_rows(sqlite3 *db, sqlite3_stmt *st, int (*row)(sqlite3_stmt *, void *),
                     void *ud, char *err, size_t errlen)
{
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        int k = row(st, ud);
        if (k < 0) {
            sqlite3_finalize(st);
            return k;
        }
    }
    if (rc != SQLITE_DONE) n = fail(db, err, errlen);
    sqlite3_finalize(st);
    return n;
}

/* A runs row handed to a runs_q_fn. */
struct run_row_ud {
    int counts;
    runs_q_fn fn;
    void *ud;
};

static int run_row(sqlite3_stmt *st, void *ud)
{
    struct run_row_ud *u = ud;
    runs_q_row row;
    read_row(st, u->counts, &row);
    return u->fn ? u->fn(&row, u->ud) : 0;
}

static int each_row(sqlite3 *db, sqlite3_stmt *st, int counts, runs_q_fn fn, void *ud,
                    char *err, size_t errlen)
{
    struct run_row_ud u = {counts, fn, ud};
    return step_rows(db, st, run_row, &u, err, errlen);
}

int runs_q_list(store *s, int flags, int64_t limit, runs_q_fn fn, void *ud, char *err,
                size_t errlen)
{
    sqlite3 *db = store_db(s);
    int counts = (flags & RUNS_Q_COUNTS) != 0;
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s%s FROM runs r ORDER BY r.run_id%s%s", ROW_COLUMNS,
             counts ? COUNT_COLUMNS : "", flags & RUNS_Q_NEWEST_FIRST ? " DESC" : "",
             limit > 0 ? " LIMIT ?1" : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return fail(db, err, errlen);
    if (limit > 0) sqlite3_bind_int64(st, 1, limit);
    return each_row(db, st, counts, fn, ud, err, errlen);
}

int runs_q_get(store *s, int64_t run_id, int flags, runs_q_fn fn, void *ud, char *err,
               size_t errlen)
{
    sqlite3 *db = store_db(s);
    int counts = (flags & RUNS_Q_COUNTS) != 0;
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s%s FROM runs r WHERE r.run_id = ?1", ROW_COLUMNS,
             counts ? COUNT_COLUMNS : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return fail(db, err, errlen);
    sqlite3_bind_int64(st, 1, run_id);
    return each_row(db, st, counts, fn, ud, err, errlen);
}

static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

json_t *runs_q_row_json(const runs_q_row *r)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "run_id", json_integer(r->run_id));
    json_object_set_new(o, "started_at", str_or_null(r->started_at));
    json_object_set_new(o, "finished_at", str_or_null(r->finished_at));
    json_object_set_new(o, "status", str_or_null(r->status));
    json_object_set_new(o, "period", r->has_period ? json_integer(r->period) : json_null());
    json_object_set_new(o, "template_filter", str_or_null(r->template_filter));
    json_object_set_new(o, "episodes_dir", str_or_null(r->episodes_dir));
    json_object_set_new(o, "as_of_date", str_or_null(r->as_of_date));
    json_object_set_new(o, "beneficiaries", json_integer(r->beneficiaries));
    json_object_set_new(o, "claim_lines", json_integer(r->claim_lines));
    json_object_set_new(o, "inputs", str_or_null(r->inputs));
    json_object_set_new(o, "message", str_or_null(r->message));
    json_object_set_new(o, "replay_of", r->has_replay_of ? json_integer(r->replay_of) : json_null());
    json_object_set_new(o, "heartbeat_at", str_or_null(r->heartbeat_at));
    json_object_set_new(o, "abandoned_at", str_or_null(r->abandoned_at));
    json_object_set_new(o, "base_run_id", r->base_run_id ? json_integer(r->base_run_id) : json_null());
    json_object_set_new(o, "recomputed", r->has_recomputed ? json_integer(r->recomputed) : json_null());
    json_object_set_new(o, "full_reason", str_or_null(r->full_reason));
    json_object_set_new(o, "rows_base_run_id",
                        r->rows_base_run_id ? json_integer(r->rows_base_run_id) : json_null());
    json_object_set_new(o, "stored_beneficiaries", r->rows_base_run_id
                        ? json_integer(r->stored_beneficiaries) : json_null());
    return o;
}

int runs_q_status_of(store *s, int64_t run_id, runs_q_status *out, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT run_id, status, COALESCE(message, '') FROM runs "
                               "WHERE run_id = ?1", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, errlen);
    sqlite3_bind_int64(st, 1, run_id);
    int rc = sqlite3_step(st), n;
    if (rc == SQLITE_ROW) {
        out->run_id = sqlite3_column_int64(st, 0);
        snprintf(out->status, sizeof out->status, "%s", text(st, 1) ? text(st, 1) : "");
        out->message = strdup(text(st, 2) ? text(st, 2) : "");
        n = 1;
        if (!out->message) {
            if (err && errlen) snprintf(err, errlen, "out of memory");
            n = -ENOMEM;
        }
    } else {
        n = rc == SQLITE_DONE ? 0 : fail(db, err, errlen);
    }
    sqlite3_finalize(st);
    return n;
}

void runs_q_status_free(runs_q_status *out)
{
    if (!out) return;
    free(out->message);
    out->message = NULL;
}

int runs_q_latest_done(store *s, int64_t *run_id, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = store__kept(s, "SELECT max(run_id) FROM runs WHERE status = 'done'", NULL, 0);
    if (!st) return fail(db, err, errlen);
    int rc = sqlite3_step(st), n;
    if (rc == SQLITE_ROW) {
        n = sqlite3_column_type(st, 0) != SQLITE_NULL;
        if (n) *run_id = sqlite3_column_int64(st, 0);
    } else {
        n = fail(db, err, errlen);
    }
    store__kept_done(s, st);
    return n;
}

/* A run_components row handed to a runs_q_component_fn. */
struct component_ud {
    runs_q_component_fn fn;
    void *ud;
};

static int component_row(sqlite3_stmt *st, void *ud)
{
    struct component_ud *u = ud;
    runs_q_component c = {text(st, 0), text(st, 1), text(st, 2), text(st, 3), text(st, 4)};
    return u->fn ? u->fn(&c, u->ud) : 0;
}

int runs_q_components(store *s, int64_t run_id, runs_q_component_fn fn, void *ud, char *err,
                      size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT kind, name, version, path, sha256 FROM run_components "
                               "WHERE run_id = ?1 ORDER BY kind, name", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, errlen);
    sqlite3_bind_int64(st, 1, run_id);
    struct component_ud u = {fn, ud};
    return step_rows(db, st, component_row, &u, err, errlen);
}
