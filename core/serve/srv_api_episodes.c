/*
 * srv_api_episodes.c: GET /v1/episodes and GET /v1/episodes/:id, a run's episodes.
 *
 *   GET /v1/episodes?run=&template=&npi=&tin=&aco=&arrangement=&period=&status=&person=
 *                   &limit=50&offset=0&after= (filters checked as the reports' are: 400, 404)
 *     -> {"run_id": N, "total": T, "limit": L, "offset": O, "episodes": [<episode report
 *        rows>], "next": <cursor or null>}, in the episode report's order (report.h);
 *        after=<a page's next> starts past that page's last row (srv_cursor.h), offset
 *        skips rows from there. Pages are read by key through the indexes; the total is
 *        kept while the results clock stands (srv_cache.h).
 *   GET /v1/episodes/:id?run=
 *     -> the episode report row plus what the run stored beside it (template_version,
 *        died, aco_id), "claims" (the beneficiary's claims with the lines
 *        whose service date falls in [trigger_date, end_date], each claim with "lines"
 *        and its care "setting"), "cost_by_setting" (the run's actual_cents of the
 *        episode by setting: the lines the template counted, summing to actual_cents;
 *        null for runs before schema 11), and "leakage" (the run's leakage rows).
 *
 * Scope: an ACO token sees the episodes of beneficiaries aligned to it on day 0
 * (run_episodes.aco_id), a provider token the episodes attributed to its NPI. Every
 * answer is audited (beneficiary-level data).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_cache.h"
#include "srv_cursor.h"

typedef struct rows_json {
    const report_def *r;
    json_t *rows; /* the list's rows */
    json_t *one;  /* episode_row's object */
} rows_json;

/* store_row_fn of report_episode_page: the row as the episode report's JSON object. */
static int add_row(const store_row *row, void *ud)
{
    rows_json *j = ud;
    if (!row->cells) return 0;
    json_t *o = json_object();
    if (!o) return -ENOMEM;
    for (size_t k = 0; k < j->r->n_cols; k++)
        json_object_set_new(o, j->r->cols[k].name, report_cell_json_of(&row->cells[k], j->r->cols[k].type));
    json_array_append_new(j->rows, o);
    return 0;
}

/* The list's total for the filters: kept while the results clock stands (srv_cache.h),
 * counted otherwise. 0, or -1 with err. */
static int list_total(srv_req *rq, int64_t run_id, const report_filters *f, const char *status,
                      const char *person, int64_t *total, char *err, size_t errlen)
{
    char key[1024], id[32];
    snprintf(id, sizeof id, "%lld", (long long)run_id);
    const char *parts[] = {"episodes.total", id, f->npi, f->tin, f->aco, f->tmpl,
                           f->arrangement, f->period, status, person};
    int64_t clock = srv_cache_key(key, sizeof key, parts, sizeof parts / sizeof parts[0]) == 0
                        ? api_clock(rq) : -1;
    size_t len;
    char *kept = api_cached(rq, key, clock, &len, total);
    if (kept) {
        free(kept);
        return 0;
    }
    if (report_episode_count(rq->db, run_id, f, status, person, total, err, errlen) < 0) return -1;
    api_keep(rq, key, clock, "", 0, *total);
    return 0;
}

void api_episodes_list(srv_req *rq, srv_resp *rs)
{
    const report_def *r = report_find("episode");
    report_filters f = {srv_query(rq, "npi"), srv_query(rq, "tin"), srv_query(rq, "aco"),
                        srv_query(rq, "template"), srv_query(rq, "arrangement"),
                        srv_query(rq, "period")};
    const char *status = srv_query(rq, "status"), *person = srv_query(rq, "person");
    const char *after = srv_query(rq, "after");
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
    /* the cursor: of this run and these filters (after the scope), else 400 */
    const char *hv[] = {f.npi, f.tin, f.aco, f.tmpl, f.arrangement, f.period, status, person};
    uint64_t fh = srv_cursor_filters(hv, sizeof hv / sizeof hv[0]);
    char kbuf[SRV_CURSOR_MAX];
    const char *kp[4];
    report_episode_key key, *from = NULL;
    if (after) {
        int p = srv_cursor_parse(after, run_id, fh, kbuf, kp);
        if (p < 0) {
            srv_error(rs, 400, "bad_request", "after: \"%.80s%s\" is %s", after,
                      strlen(after) > 80 ? "..." : "",
                      p == -2 ? "the cursor of another list (another run, or other filters): "
                                "pass the \"next\" of a page of this list"
                              : "not a cursor (pass the \"next\" of an earlier page)");
            return;
        }
        key = (report_episode_key){kp[0], kp[1], kp[2], kp[3]};
        from = &key;
    }
    char err[512];
    rows_json j = {r, json_array(), NULL};
    int64_t total = 0;
    int more = 0;
    int ok = list_total(rq, run_id, &f, status, person, &total, err, sizeof err) == 0 &&
             report_episode_keyset(rq->db, run_id, &f, status, person, from, limit, offset,
                                   &more, add_row, &j, err, sizeof err) >= 0;
    json_t *rows = j.rows;
    if (!ok) srv_error(rs, 500, "store", "%s", err);
    char *next = NULL;
    if (ok && more) { /* the key of the page's last row */
        json_t *last = json_array_get(rows, json_array_size(rows) - 1);
        const char *k4[4] = {json_string_value(json_object_get(last, "template_id")),
                             json_string_value(json_object_get(last, "person_id")),
                             json_string_value(json_object_get(last, "trigger_date")),
                             json_string_value(json_object_get(last, "episode_id"))};
        if (k4[0] && k4[1] && k4[2] && k4[3]) next = srv_cursor_make(run_id, fh, k4);
        if (!next) {
            srv_error(rs, 500, "internal", "the cursor of the next page cannot be made");
            ok = 0;
        }
    }
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
        if (detail && after) json_object_set_new(detail, "after", json_string(after));
        ok = api_audit_read(rq, rs, "episode.list", "run", id, detail) == 0;
    }
    if (!ok) {
        json_decref(rows);
        free(next);
        return;
    }
    json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:o}", "run_id", (json_int_t)run_id,
                             "total", (json_int_t)total, "limit", (json_int_t)limit, "offset",
                             (json_int_t)offset, "episodes", rows);
    if (body) json_object_set_new(body, "next", next ? json_string(next) : json_null());
    free(next);
    srv_json(rs, 200, body);
}

/* ---- one episode ------------------------------------------------------------------------ */

/* store_row_fn of report_episode_one: the report's columns, then template_version,
 * died and aco_id. */
static int one_row(const store_row *row, void *ud)
{
    rows_json *j = ud;
    if (!row->cells) return 0;
    json_t *o = json_object();
    if (!o) return -ENOMEM;
    size_t k = 0;
    for (; k < j->r->n_cols; k++)
        json_object_set_new(o, j->r->cols[k].name, report_cell_json_of(&row->cells[k], j->r->cols[k].type));
    json_object_set_new(o, "template_version", report_cell_json_of(&row->cells[k], REPORT_TEXT));
    json_object_set_new(o, "died", report_cell_json_of(&row->cells[k + 1], REPORT_BOOL));
    json_object_set_new(o, "aco_id", report_cell_json_of(&row->cells[k + 2], REPORT_TEXT));
    json_decref(j->one);
    j->one = o;
    return 0;
}

/* Label each claim of claims with its care `setting` (base/setting.h). */
static void label_settings(json_t *claims)
{
    size_t i;
    json_t *c;
    json_array_foreach(claims, i, c)
    {
        cara_setting st = setting_of(json_string_value(json_object_get(c, "claim_type")),
                                     json_string_value(json_object_get(c, "bill_type_code")));
        json_object_set_new(c, "setting", json_string(setting_name(st)));
    }
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
    char e[512];
    rows_json j = {report_find("episode"), NULL, NULL};
    int found = report_episode_one(rq->db, run_id, id, one_row, &j, e, sizeof e);
    json_t *ep = found > 0 ? j.one : NULL;
    if (!ep) {
        json_decref(j.one);
        if (found < 0) srv_error(rs, 500, "store", "%s", e);
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
    json_t *leak = NULL, *claims = NULL, *spend = NULL;
    int rc = episodes_q_leakage(rq->db, run_id, id, &leak, e, sizeof e);
    if (rc == 0) rc = episodes_q_spend(rq->db, run_id, id, &spend, e, sizeof e);
    if (rc == 0)
        rc = episodes_q_claims(rq->db, json_string_value(json_object_get(ep, "person_id")),
                               json_string_value(json_object_get(ep, "trigger_date")),
                               json_string_value(json_object_get(ep, "end_date")), &claims, e,
                               sizeof e);
    if (rc < 0) {
        srv_error(rs, 500, "store", "%s", e);
        json_decref(leak);
        json_decref(claims);
        json_decref(spend);
        json_decref(ep);
        return;
    }
    json_object_set_new(ep, "run_id", json_integer(run_id));
    label_settings(claims);
    json_object_set_new(ep, "cost_by_setting", spend ? spend : json_null());
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
