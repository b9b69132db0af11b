/*
 * srv_api_episodes.c: GET /v1/episodes and GET /v1/episodes/:id, a run's episodes.
 *
 *   GET /v1/episodes?run=&template=&npi=&tin=&aco=&arrangement=&period=&status=&person=
 *                   &limit=50&offset=0 (filters checked as the reports' are: 400, 404)
 *     -> {"run_id": N, "total": T, "limit": L, "offset": O, "episodes": [<episode report
 *        rows>]}, in the episode report's order (report.h).
 *   GET /v1/episodes/:id?run=
 *     -> the episode report row plus what the run stored beside it (template_version,
 *        died, aco_id), "claims" (the beneficiary's claims with the lines
 *        whose service date falls in [trigger_date, end_date], each claim with "lines"),
 *        and "leakage" (the run's leakage rows of the episode).
 *
 * Scope: an ACO token sees the episodes of beneficiaries aligned to it on day 0
 * (run_episodes.aco_id), a provider token the episodes attributed to its NPI. Every
 * answer is audited (beneficiary-level data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"

/* The episode report (?1-?7, report.h) wrapped with the list's extra filters: ?8
 * status, ?9 person; ?10 limit, ?11 offset. The list names the report's columns. */
static char *list_sql(const report_def *r, int count)
{
    char cols[2048];
    size_t off = 0;
    for (size_t k = 0; k < r->n_cols && off < sizeof cols; k++)
        off += (size_t)snprintf(cols + off, sizeof cols - off, "%s%s", k ? ", " : "", r->cols[k].name);
    if (off >= sizeof cols) return NULL;
    char head_buf[sizeof cols + 32];
    snprintf(head_buf, sizeof head_buf, "SELECT %s FROM (", cols);
    const char *head = count ? "SELECT count(*) FROM (" : head_buf;
    const char *tail = count ? ") WHERE (?8 IS NULL OR status = ?8) AND (?9 IS NULL OR person_id = ?9)"
                             : ") WHERE (?8 IS NULL OR status = ?8) AND (?9 IS NULL OR person_id = ?9) "
                               "ORDER BY template_id, person_id, trigger_date, episode_id "
                               "LIMIT ?10 OFFSET ?11";
    size_t n = strlen(head) + strlen(r->sql) + strlen(tail) + 1;
    char *q = malloc(n);
    if (q) snprintf(q, n, "%s%s%s", head, r->sql, tail);
    return q;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, srv_resp *rs)
{
    if (sql && sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return 0;
    srv_error(rs, 500, "store", "%s", sql ? sqlite3_errmsg(db) : "out of memory");
    return -1;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

void api_episodes_list(srv_req *rq, srv_resp *rs)
{
    const report_def *r = report_find("episode");
    report_filters f = {srv_query(rq, "npi"), srv_query(rq, "tin"), srv_query(rq, "aco"),
                        srv_query(rq, "template"), srv_query(rq, "arrangement"),
                        srv_query(rq, "period")};
    const char *status = srv_query(rq, "status"), *person = srv_query(rq, "person");
    int64_t limit, offset, run_id;
    if (api_query_int(rq, rs, "limit", 50, 1, 1000, &limit) < 0 ||
        api_query_int(rq, rs, "offset", 0, 0, INT64_MAX, &offset) < 0)
        return;
    if (status && strcmp(status, "final") && strcmp(status, "interim") && strcmp(status, "excluded")) {
        srv_error(rs, 400, "bad_request", "status: \"%s\" is not final, interim or excluded", status);
        return;
    }
    if (api_scope_filters(rq, rs, &f.aco, &f.npi) < 0 || api_check_filters(rq, rs, r, &f) < 0 ||
        api_pick_run(rq, rs, &run_id) < 0)
        return;
    sqlite3 *db = store_db(rq->db);
    char *qc = list_sql(r, 1), *ql = list_sql(r, 0);
    sqlite3_stmt *sc = NULL, *sl = NULL;
    int ok = prepare(db, qc, &sc, rs) == 0 && prepare(db, ql, &sl, rs) == 0;
    free(qc);
    free(ql);
    json_t *rows = NULL;
    int64_t total = 0;
    if (ok) {
        sqlite3_stmt *both[2] = {sc, sl};
        for (int k = 0; k < 2; k++) {
            report_bind(both[k], run_id, &f);
            bind_opt(both[k], 8, status);
            bind_opt(both[k], 9, person);
        }
        sqlite3_bind_int64(sl, 10, limit);
        sqlite3_bind_int64(sl, 11, offset);
        if (sqlite3_step(sc) == SQLITE_ROW) total = sqlite3_column_int64(sc, 0);
        rows = json_array();
        int rc;
        while ((rc = sqlite3_step(sl)) == SQLITE_ROW) {
            json_t *o = json_object();
            for (size_t k = 0; k < r->n_cols; k++)
                json_object_set_new(o, r->cols[k].name, report_cell_json(sl, (int)k, r->cols[k].type));
            json_array_append_new(rows, o);
        }
        if (rc != SQLITE_DONE) {
            srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
            ok = 0;
        }
    }
    sqlite3_finalize(sc);
    sqlite3_finalize(sl);
    if (ok) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)run_id);
        json_t *detail = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I}",
                                   "npi", api_str(f.npi), "tin", api_str(f.tin), "aco",
                                   api_str(f.aco), "template", api_str(f.tmpl), "arrangement",
                                   api_str(f.arrangement), "period", api_str(f.period), "status",
                                   api_str(status), "person", api_str(person), "limit",
                                   (json_int_t)limit, "offset", (json_int_t)offset, "returned",
                                   (json_int_t)json_array_size(rows));
        ok = api_audit_read(rq, rs, "episode.list", "run", id, detail) == 0;
    }
    if (!ok) {
        json_decref(rows);
        return;
    }
    srv_json(rs, 200, json_pack("{s:I, s:I, s:I, s:I, s:o}", "run_id", (json_int_t)run_id,
                                "total", (json_int_t)total, "limit", (json_int_t)limit, "offset",
                                (json_int_t)offset, "episodes", rows));
}

/* ---- one episode ------------------------------------------------------------------------ */

/* The episode's row: the report's columns (arrangement_id among them), then the run's
 * other columns. NULL when the
 * run has no such episode (*err = 0) or on a store error (*err = 1). */
static json_t *episode_row(sqlite3 *db, int64_t run_id, const char *id, int *err)
{
    const report_def *r = report_find("episode");
    char sql[2048];
    size_t off = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (size_t k = 0; k < r->n_cols; k++)
        off += (size_t)snprintf(sql + off, sizeof sql - off, "%s, ", r->cols[k].name);
    snprintf(sql + off, sizeof sql - off, "template_version, died, aco_id FROM "
             "run_episodes WHERE run_id = ?1 AND episode_id = ?2");
    sqlite3_stmt *st;
    *err = 1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    json_t *o = NULL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        o = json_object();
        size_t k = 0;
        for (; k < r->n_cols; k++)
            json_object_set_new(o, r->cols[k].name, report_cell_json(st, (int)k, r->cols[k].type));
        json_object_set_new(o, "template_version", report_cell_json(st, (int)k, REPORT_TEXT));
        json_object_set_new(o, "died", report_cell_json(st, (int)k + 1, REPORT_BOOL));
        json_object_set_new(o, "aco_id", report_cell_json(st, (int)k + 2, REPORT_TEXT));
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) *err = 0;
    sqlite3_finalize(st);
    return o;
}

void api_episode_get(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : NULL;
    if (!id || !*id) {
        srv_error(rs, 400, "bad_request", "an episode id is required (template:person:day0)");
        return;
    }
    int64_t run_id;
    if (api_pick_run(rq, rs, &run_id) < 0) return;
    sqlite3 *db = store_db(rq->db);
    int err;
    json_t *ep = episode_row(db, run_id, id, &err);
    if (!ep) {
        if (err) srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
        else srv_error(rs, 404, "not_found", "run %lld has no episode \"%s\"", (long long)run_id, id);
        return;
    }
    const char *aco = json_string_value(json_object_get(ep, "aco_id"));
    const char *npi = json_string_value(json_object_get(ep, "npi"));
    if (!api_in_scope(rq, aco, npi)) {
        json_decref(ep);
        api_forbidden(rq, rs, "this episode");
        return;
    }
    char e[512];
    json_t *leak = NULL, *claims = NULL;
    int rc = episodes_q_leakage(rq->db, run_id, id, &leak, e, sizeof e);
    if (rc == 0)
        rc = episodes_q_claims(rq->db, json_string_value(json_object_get(ep, "person_id")),
                               json_string_value(json_object_get(ep, "trigger_date")),
                               json_string_value(json_object_get(ep, "end_date")), &claims, e,
                               sizeof e);
    if (rc < 0) {
        srv_error(rs, 500, "store", "%s", e);
        json_decref(leak);
        json_decref(claims);
        json_decref(ep);
        return;
    }
    json_object_set_new(ep, "run_id", json_integer(run_id));
    json_object_set_new(ep, "claims", claims);
    json_object_set_new(ep, "leakage", leak);
    if (api_audit_read(rq, rs, "episode.read", "episode", id,
                       json_pack("{s:I, s:I}", "run_id", (json_int_t)run_id, "claims",
                                 (json_int_t)json_array_size(claims))) < 0) {
        json_decref(ep);
        return;
    }
    srv_json(rs, 200, ep);
}
