/*
 * srv_api_reports.c: GET /v1/reports/:by, a run's report (report.h) as JSON:
 *
 *   {"run_id": N, "by": "episode", "rows": [{<the report's columns>}, ...]}
 *
 * Filters npi, tin, aco, template; narrowed to the role's scope (srv_api_common.h). A
 * provider token may not read the ACO, leakage or template reports: they are totals of
 * other providers' episodes (the template report does not filter by NPI at all).
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "srv_api.h"
#include "srv_api_common.h"

/* The report's rows as JSON objects named by its columns. Steps st to the end. */
static json_t *report_rows(const report_def *r, sqlite3_stmt *st, int *rc)
{
    json_t *rows = json_array();
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (size_t k = 0; k < r->n_cols; k++)
            json_object_set_new(o, r->cols[k].name, report_cell_json(st, (int)k, r->cols[k].type));
        json_array_append_new(rows, o);
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
    const char *npi = srv_query(rq, "npi"), *tin = srv_query(rq, "tin"),
               *aco = srv_query(rq, "aco"), *tmpl = srv_query(rq, "template");
    int64_t run_id;
    if (api_scope_filters(rq, rs, &aco, &npi) < 0 || api_pick_run(rq, rs, &run_id) < 0) return;
    sqlite3 *db = store_db(rq->db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, r->sql, -1, &st, NULL) != SQLITE_OK) {
        srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
        return;
    }
    sqlite3_bind_int64(st, 1, run_id);
    const char *filters[4] = {npi, tin, aco, tmpl};
    for (int i = 0; i < 4; i++)
        if (filters[i]) sqlite3_bind_text(st, 2 + i, filters[i], -1, SQLITE_STATIC);
    int rc;
    json_t *rows = report_rows(r, st, &rc);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        srv_error(rs, 500, "store", "%s", sqlite3_errmsg(db));
        return;
    }
    if (!strcmp(r->by, "episode")) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)run_id);
        json_t *detail = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I}", "by", r->by, "npi",
                                   api_str(npi), "tin", api_str(tin), "aco", api_str(aco),
                                   "template", api_str(tmpl), "rows",
                                   (json_int_t)json_array_size(rows));
        if (api_audit_read(rq, rs, "report.read", "run", id, detail) < 0) {
            json_decref(rows);
            return;
        }
    }
    srv_json(rs, 200, json_pack("{s:I, s:s, s:o}", "run_id", (json_int_t)run_id, "by", r->by,
                                "rows", rows));
}
