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
#include "srv_json.h"

typedef struct rows_json {
    const report_def *r;
    json_t *rows; /* the list's rows */
    json_t *one;  /* episode_row's object */
} rows_json;

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
    if (clock >= 0) api_compute_lock(rq, key); /* the first of the clients at once counts */
    kept = clock >= 0 ? api_cached(rq, key, clock, &len, total) : NULL;
    int rc = 0;
    if (!kept && report_episode_count(rq->db, run_id, f, status, person, total, err, errlen) < 0)
        rc = -1;
    else if (!kept)
        api_keep(rq, key, clock, "", 0, *total);
    free(kept);
    if (clock >= 0) api_compute_unlock(rq, key);
    return rc;
}

/* The list's rows written straight as JSON text, in the bytes add_row's objects dump to
 * (srv_json.h), with the key of the last row for the next page's cursor. */
typedef struct rows_text {
    const report_def *r;
    srv_jbuf b;
    size_t n;
    char *last[4]; /* template_id, person_id, trigger_date, episode_id of the last row */
    int key_col[4];
} rows_text;

/* One cell as report_cell_json_of's value dumps; 0, or -1 when that value is NULL (text
 * that is not UTF-8: the object then has no such key). */
/* factor_format's text ("-"? digits "." four digits) as a JSON string, without snprintf. */
static void factor_text(srv_jbuf *b, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, whole = mag / 10000;
    unsigned frac = (unsigned)(mag % 10000);
    char s[32], *e = s + sizeof s, *p = e;
    *--p = '"';
    for (int i = 0; i < 4; i++, frac /= 10) *--p = (char)('0' + frac % 10);
    *--p = '.';
    do {
        *--p = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    if (v < 0) *--p = '-';
    *--p = '"';
    srv_jbuf_raw(b, p, (size_t)(e - p));
}

static int cell_text(srv_jbuf *b, const store_cell *k, int type)
{
    if (k->type == STORE_CELL_NULL) {
        srv_jbuf_raw(b, "null", 4);
        return 0;
    }
    switch (type) {
    case REPORT_FACTOR: factor_text(b, k->i); return 0;
    case REPORT_BOOL: srv_jbuf_raw(b, k->i ? "true" : "false", k->i ? 4 : 5); return 0;
    case REPORT_INT:
    case REPORT_MONEY: srv_jbuf_int(b, k->i); return 0;
    default: return k->text ? srv_jbuf_str(b, k->text) : -1; /* checked by the caller */
    }
}

/* store_row_fn of report_episode_keyset: the row as add_row's object would dump. */
static int add_row_text(const store_row *row, void *ud)
{
    rows_text *t = ud;
    if (!row->cells) return 0;
    srv_jbuf_raw(&t->b, t->n ? ",{" : "{", t->n ? 2 : 1);
    int first = 1;
    for (size_t k = 0; k < t->r->n_cols; k++) {
        const store_cell *c = &row->cells[k];
        int type = t->r->cols[k].type;
        if (c->type != STORE_CELL_NULL && type == REPORT_TEXT && !(c->text && srv_json_utf8_ok(c->text)))
            continue; /* json_string refused it: add_row's object has no such key */
        if (!first) srv_jbuf_raw(&t->b, ",", 1);
        first = 0;
        srv_jbuf_str(&t->b, t->r->cols[k].name);
        srv_jbuf_raw(&t->b, ":", 1);
        cell_text(&t->b, c, type);
    }
    srv_jbuf_raw(&t->b, "}", 1);
    for (int i = 0; i < 4; i++) {
        const store_cell *c = &row->cells[t->key_col[i]];
        free(t->last[i]);
        t->last[i] = c->type == STORE_CELL_NULL || !c->text ? NULL : strdup(c->text);
    }
    t->n++;
    return t->b.bad ? -ENOMEM : 0;
}

static int col_index(const report_def *r, const char *name)
{
    for (size_t k = 0; k < r->n_cols; k++)
        if (!strcmp(r->cols[k].name, name)) return (int)k;
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
    rows_text t = {.r = r, .key_col = {col_index(r, "template_id"), col_index(r, "person_id"),
                                       col_index(r, "trigger_date"), col_index(r, "episode_id")}};
    int64_t total = 0;
    int more = 0;
    int ok = list_total(rq, run_id, &f, status, person, &total, err, sizeof err) == 0 &&
             report_episode_keyset(rq->db, run_id, &f, status, person, from, limit, offset,
                                   &more, add_row_text, &t, err, sizeof err) >= 0;
    if (!ok) srv_error(rs, 500, "store", "%s", err);
    char *next = NULL;
    if (ok && more) { /* the key of the page's last row */
        const char *k4[4] = {t.last[0], t.last[1], t.last[2], t.last[3]};
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
                                   (json_int_t)t.n);
        if (detail && after) json_object_set_new(detail, "after", json_string(after));
        ok = api_audit_read(rq, rs, "episode.list", "run", id, detail) == 0;
    }
    /* the body json_pack("{run_id, total, limit, offset, episodes}") + next dumps to */
    srv_jbuf body = {0};
    if (ok) {
        srv_jbuf_raw(&body, "{\"run_id\":", 10);
        srv_jbuf_int(&body, run_id);
        srv_jbuf_raw(&body, ",\"total\":", 9);
        srv_jbuf_int(&body, total);
        srv_jbuf_raw(&body, ",\"limit\":", 9);
        srv_jbuf_int(&body, limit);
        srv_jbuf_raw(&body, ",\"offset\":", 10);
        srv_jbuf_int(&body, offset);
        srv_jbuf_raw(&body, ",\"episodes\":[", 13);
        srv_jbuf_raw(&body, t.b.p ? t.b.p : "", t.b.n);
        srv_jbuf_raw(&body, "],\"next\":", 9);
        if (next) srv_jbuf_str(&body, next);
        else srv_jbuf_raw(&body, "null", 4);
        srv_jbuf_raw(&body, "}\n", 2);
        srv_jbuf_raw(&body, "", 1); /* the NUL */
        if (body.bad) {
            srv_error(rs, 500, "internal", "out of memory");
            free(body.p);
        } else {
            api_json_text(rs, 200, body.p);
        }
    }
    free(t.b.p);
    for (int i = 0; i < 4; i++) free(t.last[i]);
    free(next);
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
