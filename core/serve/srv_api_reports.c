/*
 * srv_api_reports.c: GET /v1/reports/:by, a run's report (report.h) as JSON:
 *
 *   {"run_id": N, "by": "episode", "paid_through_date": "YYYY-MM-DD", "rows": [{<the
 *    report's columns>}, ...]}; with format=csv the same rows as `cara report --format
 *    csv` writes them (text/csv).
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
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_cache.h"

typedef struct rows_json {
    const report_def *r;
    json_t *rows;
    FILE *csv; /* format=csv: the rows are written here instead */
    long long n;
} rows_json;

/* store_row_fn of report_each: the row as a JSON object named by the report's columns. */
static int add_row(const store_row *row, void *ud)
{
    rows_json *j = ud;
    if (j->csv) {
        if (!row->cells) report_csv_header(j->r, j->csv);
        else report_csv_row(j->r, row, j->csv), j->n++;
        return ferror(j->csv) ? -ENOMEM : 0;
    }
    if (!row->cells) return 0;
    json_t *o = json_object();
    if (!o) return -ENOMEM;
    int bad = 0; /* a row that cannot be built fails the answer: none is dropped silently */
    for (size_t k = 0; k < j->r->n_cols && !bad; k++)
        bad = json_object_set_new(o, j->r->cols[k].name,
                                  report_cell_json_of(&row->cells[k], j->r->cols[k].type)) < 0;
    if (bad) {
        json_decref(o);
        return -ENOMEM;
    }
    return json_array_append_new(j->rows, o) < 0 ? -ENOMEM : 0;
}

/* The audit row of a read of the episode report (beneficiary-level data): 0, or -1
 * with the response set (api_audit_read). */
static int audit_episode_report(srv_req *rq, srv_resp *rs, const report_def *r, int64_t run_id,
                                const report_filters *f, int64_t rows)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)run_id);
    json_t *detail = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "by", r->by,
                               "npi", api_str(f->npi), "tin", api_str(f->tin), "aco",
                               api_str(f->aco), "template", api_str(f->tmpl), "arrangement",
                               api_str(f->arrangement), "period", api_str(f->period), "rows",
                               (json_int_t)rows);
    return api_audit_read(rq, rs, "report.read", "run", id, detail);
}

/* Compute report r of run_id with filters f (format: NULL, "json" or "csv") into rs, and
 * keep the answer under key at clock (srv_cache.h). */
static void compute_report(srv_req *rq, srv_resp *rs, const report_def *r, const report_filters *f,
                           int64_t run_id, const char *format, const char *key, int64_t clock)
{
    char err[512], *csv = NULL;
    size_t csv_len = 0;
    rows_json j = {r, json_array(), NULL, 0};
    if (format && !strcmp(format, "csv") && !(j.csv = open_memstream(&csv, &csv_len))) {
        json_decref(j.rows);
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    int got = report_each(rq->db, r, run_id, f, add_row, &j, err, sizeof err);
    if (j.csv) fclose(j.csv);
    if (got < 0) {
        json_decref(j.rows);
        free(csv);
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    json_t *rows = j.rows;
    if (csv) { /* the rows are in csv; the audit counts them */
        json_decref(rows);
        rows = NULL;
    }
    int64_t n_rows = csv ? j.n : (long long)json_array_size(rows);
    if (!strcmp(r->by, "episode") && audit_episode_report(rq, rs, r, run_id, f, n_rows) < 0) {
        json_decref(rows);
        free(csv);
        return;
    }
    if (csv) {
        api_keep(rq, key, clock, csv, csv_len, n_rows);
        rs->status = 200;
        rs->text = csv;
        rs->content_type = "text/csv; charset=utf-8";
        return;
    }
    json_t *body = json_pack("{s:I, s:s, s:o}", "run_id", (json_int_t)run_id, "by", r->by,
                             "rows", rows);
    if (body && json_array_size(rows) == 0) {
        char why[512];
        report_explain_empty(rq->db, r, run_id, f, why, sizeof why);
        int64_t other = report_other_run(rq->db, r, run_id, f);
        json_object_set_new(body, "note", json_string(why));
        json_object_set_new(body, "run_with_rows", other > 0 ? json_integer(other) : json_null());
    }
    char through[11];
    int known = body ? report_paid_through(rq->db, run_id, through, err, sizeof err) : 0;
    if (known < 0) {
        json_decref(body);
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    if (body) json_object_set_new(body, "paid_through_date", known ? json_string(through) : json_null());
    size_t len;
    char *text = body ? srv_json_text(body, &len) : NULL;
    if (!text) {
        srv_json(rs, 200, body);
        return;
    }
    json_decref(body);
    api_keep(rq, key, clock, text, len, n_rows);
    api_json_text(rs, 200, text);
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
    const char *format = srv_query(rq, "format");
    if (format && strcmp(format, "json") && strcmp(format, "csv")) {
        srv_error(rs, 400, "bad_request", "format: \"%.16s\" is not json or csv", format);
        return;
    }
    /* a done run's report is kept while the results clock stands (srv_cache.h): the key
     * is every input of the answer after the scope was applied */
    char key[1024], idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)run_id);
    const char *parts[] = {"report", r->by, idbuf, f.npi, f.tin, f.aco, f.tmpl, f.arrangement,
                           f.period, format};
    int64_t clock = srv_cache_key(key, sizeof key, parts, sizeof parts / sizeof parts[0]) == 0
                        ? api_clock(rq) : -1;
    size_t kept_len;
    int64_t kept_rows;
    char *kept = api_cached(rq, key, clock, &kept_len, &kept_rows);
    if (!kept && clock >= 0) { /* the first of the clients asking at once computes it */
        api_compute_lock(rq, key);
        kept = api_cached(rq, key, clock, &kept_len, &kept_rows);
        if (!kept) compute_report(rq, rs, r, &f, run_id, format, key, clock);
        api_compute_unlock(rq, key);
        if (!kept) return;
    }
    if (!kept) {
        compute_report(rq, rs, r, &f, run_id, format, key, clock);
        return;
    }
    if (!strcmp(r->by, "episode") && audit_episode_report(rq, rs, r, run_id, &f, kept_rows) < 0) {
        free(kept);
        return;
    }
    if (format && !strcmp(format, "csv")) {
        rs->status = 200;
        rs->text = kept;
        rs->content_type = "text/csv; charset=utf-8";
    } else {
        api_json_text(rs, 200, kept);
    }
}
