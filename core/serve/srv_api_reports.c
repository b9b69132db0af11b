/*
 * srv_api_reports.c: GET /v1/reports/:by, a run's report (report.h) as JSON:
 *
 *   {"run_id": N, "by": "episode", "rows": [{<the report's columns>}, ...]}
 *
 * Filters npi, tin, aco, template, arrangement, period; narrowed to the role's scope
 * (srv_api_common.h), then checked (report_check_filters): a filter the report does not
 * take or a malformed value is 400, an ACO, template or arrangement the store does not
 * know is 404. An empty report adds "note" (why: "no episodes of ACO A1 in period 2027
 * in run 4") and "run_with_rows" (the latest other completed run that has rows, or
 * null). A provider token may not read the ACO, leakage or template reports: they are
 * totals of other providers' episodes (the template report does not filter by NPI at
 * all).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"

/* The report's rows as JSON objects named by its columns. Steps st to the end; *rc is
 * SQLITE_DONE, SQLITE_NOMEM when a row could not be built (no row is dropped silently),
 * or the step's error. */
static json_t *report_rows(const report_def *r, sqlite3_stmt *st, int *rc)
{
    json_t *rows = json_array();
    while ((*rc = rows ? sqlite3_step(st) : SQLITE_NOMEM) == SQLITE_ROW) {
        json_t *o = json_object();
        int bad = !o;
        for (size_t k = 0; k < r->n_cols && !bad; k++)
            bad = json_object_set_new(o, r->cols[k].name,
                                      report_cell_json(st, (int)k, r->cols[k].type)) < 0;
        if (bad || json_array_append_new(rows, o) < 0) {
            if (bad) json_decref(o);
            *rc = SQLITE_NOMEM;
            break;
        }
    }
    return rows;
}

void api_report(srv_req *rq, srv_resp *rs)
{
    const char *by = rq->n_params > 0 ? rq->params[0] : NULL;
    const report_def *r = report_find(by);
    if (!r) {
        srv_error(rs, 400, "bad_request", "report \"%s\" is not one of: %s", by ? by : "",
                  report_names());
        return;
    }
    if (srv_scope_npi(rq) && (!strcmp(r->by, "aco") || !strcmp(r->by, "leakage") ||
                              !strcmp(r->by, "template"))) {
        srv_error(rs, 403, "forbidden", "the %s report totals other providers' episodes; a "
                  "provider token may read the episode, arrangement and specialist reports",
                  r->by);
        return;
    }
    report_filters f = {srv_query(rq, "npi"), srv_query(rq, "tin"), srv_query(rq, "aco"),
                        srv_query(rq, "template"), srv_query(rq, "arrangement"),
                        srv_query(rq, "period")};
    int64_t run_id;
    if (api_scope_filters(rq, rs, &f.aco, &f.npi) < 0 || api_check_filters(rq, rs, r, &f) < 0 ||
        api_pick_run(rq, rs, &run_id) < 0)
        return;
    sqlite3 *db = store_db(rq->db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, r->sql, -1, &st, NULL) != SQLITE_OK) {
        srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
        return;
    }
    report_bind(st, run_id, &f);
    int rc;
    json_t *rows = report_rows(r, st, &rc);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        srv_error(rs, 500, "store", "%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
        return;
    }
    if (!strcmp(r->by, "episode")) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)run_id);
        json_t *detail = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "by", r->by,
                                   "npi", api_str(f.npi), "tin", api_str(f.tin), "aco",
                                   api_str(f.aco), "template", api_str(f.tmpl), "arrangement",
                                   api_str(f.arrangement), "period", api_str(f.period), "rows",
                                   (json_int_t)json_array_size(rows));
        if (api_audit_read(rq, rs, "report.read", "run", id, detail) < 0) {
            json_decref(rows);
            return;
        }
    }
    json_t *body = json_pack("{s:I, s:s, s:o}", "run_id", (json_int_t)run_id, "by", r->by,
                             "rows", rows);
    if (body && json_array_size(rows) == 0) {
        char why[512];
        report_explain_empty(db, r, run_id, &f, why, sizeof why);
        int64_t other = report_other_run(db, r, run_id, &f);
        json_object_set_new(body, "note", json_string(why));
        json_object_set_new(body, "run_with_rows", other > 0 ? json_integer(other) : json_null());
    }
    srv_json(rs, 200, body);
}
