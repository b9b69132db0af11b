/*
 * srv_routes.c: the route table, the built-in handlers (health, metrics, status) and
 * background runs (jobs on the thread pool, one at a time, with progress and cancel).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "base/base.h"
#include "store/store.h"
#include "srv_api.h"
#include "srv_auth.h"
#include "srv_bodies.h"
#include "srv_internal.h"
#include "srv_mllp.h"
#include "srv_portal.h"

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- health, metrics, status ------------------------------------------------------------- */

static void h_healthz(srv_req *rq, srv_resp *rs)
{
    if (rq->s->stopping) srv_json(rs, 503, json_pack("{s:s}", "status", "stopping"));
    else srv_json(rs, 200, json_pack("{s:s}", "status", "ok"));
}

static void h_metrics(srv_req *rq, srv_resp *rs)
{
    srv *s = rq->s;
    char *buf = malloc(8192);
    if (!buf) {
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    uv_mutex_lock(&s->lock);
    int running = 0, queued = 0;
    for (int i = 0; i < s->n_jobs; i++) {
        running += !strcmp(s->jobs[i]->state, "running");
        queued += !strcmp(s->jobs[i]->state, "queued");
    }
    size_t n = (size_t)snprintf(buf, 4096,
        "# HELP cara_http_requests_total HTTP requests answered, by status class.\n"
        "# TYPE cara_http_requests_total counter\n"
        "cara_http_requests_total{code=\"2xx\"} %llu\n"
        "cara_http_requests_total{code=\"3xx\"} %llu\n"
        "cara_http_requests_total{code=\"4xx\"} %llu\n"
        "cara_http_requests_total{code=\"5xx\"} %llu\n"
        "# HELP cara_http_request_seconds_total Time spent answering requests.\n"
        "# TYPE cara_http_request_seconds_total counter\n"
        "cara_http_request_seconds_total %.6f\n"
        "# HELP cara_http_requests_in_flight Requests being handled on the thread pool.\n"
        "# TYPE cara_http_requests_in_flight gauge\n"
        "cara_http_requests_in_flight %d\n"
        "# HELP cara_runs_started_total Background runs started.\n"
        "# TYPE cara_runs_started_total counter\n"
        "cara_runs_started_total %llu\n"
        "# HELP cara_runs_failed_total Background runs that failed or were cancelled.\n"
        "# TYPE cara_runs_failed_total counter\n"
        "cara_runs_failed_total %llu\n"
        "# HELP cara_jobs Background runs by state.\n"
        "# TYPE cara_jobs gauge\n"
        "cara_jobs{state=\"running\"} %d\n"
        "cara_jobs{state=\"queued\"} %d\n"
        "# HELP cara_reloads_total Hot reloads of the episodes folder, by result.\n"
        "# TYPE cara_reloads_total counter\n"
        "cara_reloads_total{result=\"ok\"} %llu\n"
        "cara_reloads_total{result=\"failed\"} %llu\n"
        "# HELP cara_episodes_version The active (validated) episodes snapshot.\n"
        "# TYPE cara_episodes_version gauge\n"
        "cara_episodes_version %d\n"
        "# HELP cara_http_connections_cut_total Connections closed past a header or body deadline.\n"
        "# TYPE cara_http_connections_cut_total counter\n"
        "cara_http_connections_cut_total %llu\n"
        "# HELP cara_rules_try Rule tries being evaluated and waiting.\n"
        "# TYPE cara_rules_try gauge\n"
        "cara_rules_try{state=\"running\"} %d\n"
        "cara_rules_try{state=\"waiting\"} %u\n",
        (unsigned long long)s->req_by_class[2], (unsigned long long)s->req_by_class[3],
        (unsigned long long)s->req_by_class[4], (unsigned long long)s->req_by_class[5],
        s->req_seconds, s->in_flight, (unsigned long long)s->runs_started,
        (unsigned long long)s->runs_failed, running, queued,
        (unsigned long long)s->reload_ok_total, (unsigned long long)s->reload_failed_total,
        s->version, (unsigned long long)s->conns_closed_slow, s->tries_running, s->try_waiting);
    uv_mutex_unlock(&s->lock);
    if (n < 4096) srv__mllp_metrics(s, buf + n, 8192 - n);
    rs->status = 200;
    rs->text = buf;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void h_status(srv_req *rq, srv_resp *rs)
{
    srv *s = rq->s;
    uv_mutex_lock(&s->lock);
    int running = 0, queued = 0;
    for (int i = 0; i < s->n_jobs; i++) {
        running += !strcmp(s->jobs[i]->state, "running");
        queued += !strcmp(s->jobs[i]->state, "queued");
    }
    json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s, s:i, s:s, s:o}, s:{s:i, s:i}}",
                          "service", "cara", "version", CARA_VERSION,
                          "episodes", "source", s->source_dir, "active", s->active_dir,
                          "version", s->version, "reloaded_at", s->reloaded_at,
                          "last_reload_error",
                          s->reload_error[0] ? json_string(s->reload_error) : json_null(),
                          "jobs", "running", running, "queued", queued);
    uv_mutex_unlock(&s->lock);
    json_object_set_new(o, "role", json_string(srv_role_word(rq->role.kind)));
    srv_json(rs, 200, o);
}

/* ---- jobs ------------------------------------------------------------------------------------ */

static json_t *job_json(srv_job *j)
{
    double pct = j->total > 0 ? 100.0 * (double)j->done / (double)j->total : 0;
    if (!strcmp(j->state, "done")) pct = 100;
    json_t *o = json_pack("{s:I, s:s, s:{s:I, s:I, s:f}, s:s, s:s}", "job_id", (json_int_t)j->id,
                          "state", j->state, "progress", "beneficiaries_done", (json_int_t)j->done,
                          "beneficiaries_total", (json_int_t)j->total, "percent", pct,
                          "started_by", j->started_by, "created_at", j->created_at);
    json_object_set_new(o, "run_id", j->run_id ? json_integer(j->run_id) : json_null());
    json_object_set_new(o, "template", j->template_id[0] ? json_string(j->template_id) : json_null());
    json_object_set_new(o, "period", j->period ? json_integer(j->period) : json_null());
    json_object_set_new(o, "as_of", j->as_of[0] ? json_string(j->as_of) : json_null());
    json_object_set_new(o, "incremental", json_boolean(j->incremental));
    json_object_set_new(o, "base_run_id", j->base_run_id ? json_integer(j->base_run_id) : json_null());
    json_object_set_new(o, "recomputed", j->recomputed >= 0 && j->base_run_id
                                             ? json_integer(j->recomputed) : json_null());
    json_object_set_new(o, "finished_at", j->finished_at[0] ? json_string(j->finished_at) : json_null());
    json_object_set_new(o, "message", j->message[0] ? json_string(j->message) : json_null());
    char href[64];
    snprintf(href, sizeof href, "/v1/jobs/%lld", (long long)j->id);
    json_object_set_new(o, "href", json_string(href));
    return o;
}

/* 1 when the request's role may see job j: CMS every job, others only the jobs their
 * own role started (today only CMS starts runs, so none). A job another role started
 * is answered as if it did not exist (404), so that ids cannot be probed. */
static int job_visible(const srv_req *rq, const srv_job *j)
{
    return rq->role.kind == SRV_CMS ||
           (rq->role.kind == j->starter_kind && !strcmp(rq->role.id, j->starter_id));
}

static srv_job *job_by_id(srv *s, const srv_req *rq, const char *id)
{
    uint64_t v;
    if (util_parse_u64(id, &v) < 0) return NULL;
    for (int i = 0; i < s->n_jobs; i++)
        if (s->jobs[i]->id == (int64_t)v) return job_visible(rq, s->jobs[i]) ? s->jobs[i] : NULL;
    return NULL;
}

static void h_run_start(srv_req *rq, srv_resp *rs)
{
    if (!srv_is_cms(rq)) {
        srv_error(rs, 403, "forbidden", "only a CMS token may start a run");
        return;
    }
    json_t *body = NULL;
    const char *tmpl = NULL;
    int period = 0;
    char as_of[11] = "";
    int incremental = 0;
    int64_t base_run = 0;
    if (rq->body_len) {
        if (!(body = srv_body_object(rq, rs))) return;
        srv_run_body b;
        if (srv_body_run(body, rs, &b) < 0) {
            json_decref(body);
            return;
        }
        tmpl = b.template_id;
        period = b.period;
        if (b.as_of) util_strlcpy(as_of, b.as_of, sizeof as_of);
        incremental = b.incremental;
        base_run = b.base_run;
    }
    srv *s = rq->s;
    srv_job *j = calloc(1, sizeof *j);
    if (!j) {
        json_decref(body);
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    j->s = s;
    snprintf(j->state, sizeof j->state, "queued");
    if (tmpl) snprintf(j->template_id, sizeof j->template_id, "%s", tmpl);
    j->period = period;
    memcpy(j->as_of, as_of, sizeof j->as_of);
    j->incremental = incremental;
    j->base_run = base_run;
    snprintf(j->started_by, sizeof j->started_by, "cms (token %s)", rq->role.token_id);
    j->starter_kind = rq->role.kind;
    util_strlcpy(j->starter_id, rq->role.id, sizeof j->starter_id);
    now_iso(j->created_at);
    json_decref(body);
    uv_mutex_lock(&s->lock);
    int full = s->n_jobs == SRV_MAX_JOBS;
    if (full) { /* forget the oldest finished job */
        for (int i = 0; i < s->n_jobs; i++)
            if (strcmp(s->jobs[i]->state, "queued") && strcmp(s->jobs[i]->state, "running")) {
                free(s->jobs[i]);
                memmove(&s->jobs[i], &s->jobs[i + 1], (size_t)(s->n_jobs - i - 1) * sizeof *s->jobs);
                s->n_jobs--;
                full = 0;
                break;
            }
    }
    if (!full) {
        j->id = ++s->next_job;
        s->jobs[s->n_jobs++] = j;
    }
    json_t *o = full ? NULL : job_json(j);
    uv_mutex_unlock(&s->lock);
    if (full) {
        free(j);
        srv_error(rs, 503, "busy", "too many runs queued");
        return;
    }
    srv_audit(rq, "run.start", "job", json_string_value(json_object_get(o, "href")),
              json_pack("{s:O, s:O}", "template", json_object_get(o, "template"), "period",
                        json_object_get(o, "period")));
    srv_json(rs, 202, o);
}

static void h_jobs_list(srv_req *rq, srv_resp *rs)
{
    srv *s = rq->s;
    json_t *a = json_array();
    uv_mutex_lock(&s->lock);
    for (int i = s->n_jobs - 1; i >= 0; i--)
        if (job_visible(rq, s->jobs[i])) json_array_append_new(a, job_json(s->jobs[i]));
    uv_mutex_unlock(&s->lock);
    srv_json(rs, 200, json_pack("{s:o}", "jobs", a));
}

static void h_job_get(srv_req *rq, srv_resp *rs)
{
    srv *s = rq->s;
    uv_mutex_lock(&s->lock);
    srv_job *j = job_by_id(s, rq, rq->params[0]);
    json_t *o = j ? job_json(j) : NULL;
    uv_mutex_unlock(&s->lock);
    if (!o) srv_error(rs, 404, "not_found", "no job %s", rq->params[0]);
    else srv_json(rs, 200, o);
}

static void h_job_cancel(srv_req *rq, srv_resp *rs)
{
    if (!srv_is_cms(rq)) {
        srv_error(rs, 403, "forbidden", "only a CMS token may cancel a run");
        return;
    }
    srv *s = rq->s;
    uv_mutex_lock(&s->lock);
    srv_job *j = job_by_id(s, rq, rq->params[0]);
    json_t *o = NULL;
    int finished = 0;
    if (j) {
        if (!strcmp(j->state, "queued")) {
            snprintf(j->state, sizeof j->state, "cancelled");
            now_iso(j->finished_at);
        } else if (!strcmp(j->state, "running")) {
            atomic_store(&j->cancel, 1);
        } else {
            finished = 1;
        }
        o = job_json(j);
    }
    uv_mutex_unlock(&s->lock);
    if (!j) {
        srv_error(rs, 404, "not_found", "no job %s", rq->params[0]);
        return;
    }
    if (finished) {
        json_decref(o);
        srv_error(rs, 409, "conflict", "job %s has already finished", rq->params[0]);
        return;
    }
    srv_audit(rq, "run.cancel", "job", rq->params[0], NULL);
    srv_json(rs, 202, o);
}

static void job_progress(void *ud, int64_t done, int64_t total)
{
    srv_job *j = ud;
    uv_mutex_lock(&j->s->lock);
    j->done = done;
    j->total = total;
    uv_mutex_unlock(&j->s->lock);
}

static void job_work(uv_work_t *w)
{
    srv_job *j = w->data;
    srv *s = j->s;
    char err[4096] = "";
    uv_mutex_lock(&s->lock);
    char *episodes = strdup(s->active_dir);
    uv_mutex_unlock(&s->lock);
    store *db;
    int64_t run_id = 0;
    engine_stats st;
    int rc = episodes ? store_open(s->db_path, 0, &db, err, sizeof err) : -ENOMEM;
    if (rc == 0) {
        store_busy_timeout(db, 10000);
        engine_opts o = {.period = j->period, .only_template = j->template_id[0] ? j->template_id : NULL,
                         .episodes_dir = episodes, .plugins_dir = s->plugins_dir,
                         .cancel = &j->cancel, .progress = job_progress, .progress_ud = j,
                         .as_of = j->as_of[0] ? j->as_of : NULL,
                         .incremental = j->incremental, .base_run = j->base_run};
        rc = engine_run(db, &o, &run_id, &st, err, sizeof err);
        store_close(db);
    }
    free(episodes);
    uv_mutex_lock(&s->lock);
    j->run_id = run_id;
    if (rc == 0) {
        snprintf(j->state, sizeof j->state, "done");
        int k = snprintf(j->message, sizeof j->message, "%lld beneficiaries, %lld episodes (%lld "
                         "attributed), %lld arrangement reconciliations",
                         (long long)st.beneficiaries, (long long)st.episodes,
                         (long long)st.attributed, (long long)st.arrangements);
        if (k > 0 && (size_t)k < sizeof j->message && st.base_run)
            snprintf(j->message + k, sizeof j->message - (size_t)k, "; incremental on run %lld: "
                     "%lld beneficiaries recomputed, %lld episodes carried",
                     (long long)st.base_run, (long long)st.recomputed, (long long)st.carried);
        else if (k > 0 && (size_t)k < sizeof j->message && st.full_reason[0])
            snprintf(j->message + k, sizeof j->message - (size_t)k, "; a full run: %s",
                     st.full_reason);
        j->base_run_id = st.base_run;
        j->recomputed = st.base_run ? st.recomputed : -1;
    } else {
        snprintf(j->state, sizeof j->state, "%s", atomic_load(&j->cancel) ? "cancelled" : "failed");
        util_strlcpy(j->message, err, sizeof j->message);
    }
    now_iso(j->finished_at);
    uv_mutex_unlock(&s->lock);
}

static void job_after(uv_work_t *w, int status)
{
    srv_job *j = w->data;
    srv *s = j->s;
    uv_mutex_lock(&s->lock);
    if (status == UV_ECANCELED) {
        snprintf(j->state, sizeof j->state, "cancelled");
        now_iso(j->finished_at);
    }
    if (strcmp(j->state, "done")) s->runs_failed++;
    uv_mutex_unlock(&s->lock);
    log_msg(LOG_LEVEL_INFO, "serve", "job %lld %s%s%s", (long long)j->id, j->state,
            j->message[0] ? ": " : "", j->message);
    s->job_running = 0;
    srv__jobs_tick(s);
}

void srv__jobs_tick(srv *s)
{
    if (s->job_running || s->stopping) return;
    srv_job *next = NULL;
    uv_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_jobs && !next; i++)
        if (!strcmp(s->jobs[i]->state, "queued")) next = s->jobs[i];
    if (next) {
        snprintf(next->state, sizeof next->state, "running");
        s->runs_started++;
    }
    uv_mutex_unlock(&s->lock);
    if (!next) return;
    next->work.data = next;
    s->job_running = 1;
    log_msg(LOG_LEVEL_INFO, "serve", "job %lld running", (long long)next->id);
    if (uv_queue_work(s->loop, &next->work, job_work, job_after) != 0) {
        s->job_running = 0;
        uv_mutex_lock(&s->lock);
        snprintf(next->state, sizeof next->state, "failed");
        snprintf(next->message, sizeof next->message, "the thread pool refused the job");
        uv_mutex_unlock(&s->lock);
    }
}

void srv__jobs_cancel_all(srv *s)
{
    uv_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_jobs; i++) {
        if (!strcmp(s->jobs[i]->state, "running")) atomic_store(&s->jobs[i]->cancel, 1);
        if (!strcmp(s->jobs[i]->state, "queued")) {
            snprintf(s->jobs[i]->state, sizeof s->jobs[i]->state, "cancelled");
            now_iso(s->jobs[i]->finished_at);
        }
    }
    uv_mutex_unlock(&s->lock);
}

int srv__jobs_busy(srv *s) { return s->job_running; }

/* ---- runs (the store's record) ----------------------------------------------------------------- */

/*
 * A run row as an API answer: episodes_dir by its last component only (a path of the
 * machine that ran it is nobody's business); for roles other than CMS, the message of a
 * run that is not done is a generic text with a reference (the full text can name any
 * ACO's beneficiary, file or folder: CMS reads it), and the inputs' warnings are
 * withheld (counted in warnings_withheld).
 */
static void shape_run(const srv_req *rq, json_t *row)
{
    const char *dir = json_string_value(json_object_get(row, "episodes_dir"));
    if (dir) {
        const char *slash = strrchr(dir, '/');
        while (slash && !slash[1] && slash > dir) { /* a trailing slash */
            const char *p = slash - 1;
            while (p > dir && *p != '/') p--;
            slash = *p == '/' ? p : NULL;
        }
        char last[256];
        util_strlcpy(last, slash ? slash + 1 : dir, sizeof last);
        char *end = strchr(last, '/');
        if (end) *end = '\0';
        json_object_set_new(row, "episodes_dir", json_string(last));
    }
    if (srv_is_cms(rq)) return;
    const char *status = json_string_value(json_object_get(row, "status"));
    if (json_is_string(json_object_get(row, "message")) && (!status || strcmp(status, "done")))
        json_object_set_new(row, "message",
                            json_sprintf("run %lld %s; the reason is shown to CMS staff (reference: "
                                         "run %lld)", (long long)json_integer_value(json_object_get(row, "run_id")),
                                         status && !strcmp(status, "running") ? "is running" : "did not finish",
                                         (long long)json_integer_value(json_object_get(row, "run_id"))));
    /* inputs is JSON text (as stored); its warnings can name beneficiaries and files */
    const char *t = json_string_value(json_object_get(row, "inputs"));
    json_t *in = t ? json_loads(t, 0, NULL) : NULL;
    json_t *w = json_object_get(in, "warnings");
    if (json_is_array(w) && json_array_size(w)) {
        json_object_set_new(in, "warnings_withheld", json_integer((json_int_t)json_array_size(w)));
        json_object_set_new(in, "warnings", json_array());
        char *text = json_dumps(in, JSON_COMPACT);
        json_object_set_new(row, "inputs", text ? json_string(text) : json_string("{}"));
        free(text);
    } else if (t && !in) {
        json_object_set_new(row, "inputs", json_string("{}"));
    }
    json_decref(in);
}

/* runs_q_fn: append the run's API object to the array ud. */
static int add_run_json(const runs_q_row *row, void *ud)
{
    json_t *o = runs_q_row_json(row);
    if (!o) return -ENOMEM;
    json_array_append_new(ud, o);
    return 0;
}

static void h_runs_list(srv_req *rq, srv_resp *rs)
{
    char err[512];
    json_t *rows = json_array();
    if (runs_q_list(rq->db, RUNS_Q_NEWEST_FIRST, 200, add_run_json, rows, err, sizeof err) < 0) {
        json_decref(rows);
        srv_error(rs, 500, "internal", "%s", err);
        return;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) shape_run(rq, row);
    srv_json(rs, 200, json_pack("{s:o}", "runs", rows));
}

static void h_run_get(srv_req *rq, srv_resp *rs)
{
    uint64_t id;
    if (util_parse_u64(rq->params[0], &id) < 0) {
        srv_error(rs, 400, "bad_request", "\"%s\" is not a run id", rq->params[0]);
        return;
    }
    char err[512];
    json_t *rows = json_array();
    int n = runs_q_get(rq->db, (int64_t)id, 0, add_run_json, rows, err, sizeof err);
    if (n < 0) {
        json_decref(rows);
        srv_error(rs, 500, "internal", "%s", err);
        return;
    }
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        srv_error(rs, 404, "not_found", "no run %s", rq->params[0]);
        return;
    }
    json_t *o = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    shape_run(rq, o);
    json_t *feed;
    if (adt_q_run_feed(rq->db, (int64_t)id, &feed, err, sizeof err) == 0)
        json_object_set_new(o, "adt_feed", feed);
    srv_json(rs, 200, o);
}

/* ---- the table ------------------------------------------------------------------------------- */

static const srv_route routes[] = {
    {"GET", "/healthz", h_healthz, SRV_PUBLIC | SRV_NODB},
    {"GET", "/metrics", h_metrics, SRV_PUBLIC | SRV_NODB},
    {"GET", "/", srv_portal_index, SRV_PUBLIC | SRV_NODB},
    {"GET", "/portal/vendor/chart.js", srv_portal_chartjs, SRV_PUBLIC | SRV_NODB},
    {"GET", "/portal/:file", srv_portal_asset, SRV_PUBLIC | SRV_NODB},
    {"GET", "/v1/status", h_status, SRV_NODB},
    {"GET", "/v1/templates", api_templates_list, 0},
    {"GET", "/v1/templates/:id", api_template_get, 0},
    {"POST", "/v1/templates/:id/validate", api_template_validate, 0},
    {"PUT", "/v1/templates/:id/overlays/:aco", api_overlay_put, 0},
    {"GET", "/v1/templates/:id/history", api_template_history, 0},
    {"GET", "/v1/templates/:id/rules", api_template_rules, 0},
    {"POST", "/v1/templates/:id/rollback", api_template_rollback, 0},
    {"GET", "/v1/providers", api_providers_list, 0},
    {"GET", "/v1/ebras", api_ebras_list, 0},
    {"POST", "/v1/ebras", api_ebra_offer, 0},
    {"POST", "/v1/ebras/:id/accept", api_ebra_accept, 0},
    {"POST", "/v1/ebras/:id/decline", api_ebra_decline, 0},
    {"GET", "/v1/network", api_network_get, 0},
    {"POST", "/v1/acos/:aco/tins", api_tin_add, 0},
    {"POST", "/v1/ebras/:id/end", api_ebra_end, 0},
    {"GET", "/v1/ebras/:id/history", api_ebra_history, 0},
    {"GET", "/v1/episodes", api_episodes_list, 0},
    {"GET", "/v1/episodes/:id", api_episode_get, 0},
    {"GET", "/v1/risk-list", api_risk_list, 0},
    {"GET", "/v1/reports/:by", api_report, 0},
    {"GET", "/v1/exports", api_exports_list, 0},
    {"GET", "/v1/exports/:format", api_export_get, 0},
    {"GET", "/v1/tasks", api_tasks_list, 0},
    {"GET", "/v1/tasks/feed", api_tasks_feed, SRV_PARK},
    {"POST", "/v1/tasks/:id/done", api_task_done, 0},
    {"GET", "/v1/provisional", api_provisional_list, 0},
    {"GET", "/v1/adt/status", api_adt_status, 0},
    {"GET", "/v1/adt/unmatched", api_adt_unmatched, 0},
    {"GET", "/v1/adt/rejects", api_adt_rejects, 0},
    {"POST", "/v1/rules/try", api_rules_try, SRV_TRY},
    {"GET", "/v1/runs", h_runs_list, 0},
    {"POST", "/v1/runs", h_run_start, 0},
    {"GET", "/v1/runs/:id", h_run_get, 0},
    {"GET", "/v1/runs/:a/diff/:b", api_run_diff, 0},
    {"GET", "/v1/jobs", h_jobs_list, SRV_NODB},
    {"GET", "/v1/jobs/:id", h_job_get, SRV_NODB},
    {"POST", "/v1/jobs/:id/cancel", h_job_cancel, 0},
    {"DELETE", "/v1/jobs/:id", h_job_cancel, 0},
    /* login sessions and user accounts (srv_session.h, srv_api_users.c) */
    {"POST", "/v1/session", api_session_login, SRV_PUBLIC},
    {"GET", "/v1/session", api_session_get, SRV_PUBLIC},
    {"DELETE", "/v1/session", api_session_logout, SRV_PUBLIC},
    {"POST", "/v1/session/password", api_session_password, 0},
    {"GET", "/v1/users", api_users_list, 0},
    {"POST", "/v1/users", api_user_add, 0},
    {"POST", "/v1/users/:name/disable", api_user_disable, 0},
    {"POST", "/v1/users/:name/password", api_user_password, 0},
};

/* Match path against pattern; captures point into buf (a copy of path, split at '/'). */
static int match(const char *pattern, char *buf, const char **params, int *n)
{
    *n = 0;
    const char *p = pattern;
    char *q = buf;
    while (*p && *q) {
        if (*p != '/' || *q != '/') return 0;
        p++, q++;
        const char *pe = strchr(p, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        char *qe = strchr(q, '/');
        size_t ql = qe ? (size_t)(qe - q) : strlen(q);
        if (p[0] == ':') {
            /* a capture is an id: one grammar (ids.h), no "..", no "%00", no NUL */
            if (*n >= 4 || ids_check_path_segment(q, ql) != ID_OK) return 0;
            params[(*n)++] = q;
        } else if (pl != ql || strncmp(p, q, pl) != 0) {
            return 0;
        }
        p += pl;
        q += ql;
    }
    if (*p || *q) return 0;
    for (int i = 0; i < *n; i++) { /* terminate the captures */
        char *e = strchr((char *)params[i], '/');
        if (e) *e = '\0';
    }
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t srv__unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? hexval(r[1]) : -1, lo = hi >= 0 ? hexval(r[2]) : -1;
        if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

const srv_route *srv__route_find(const char *method, const char *path, char *buf, size_t buflen,
                                const char **params, int *n_params, int *allowed)
{
    *allowed = 0;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(routes); i++) {
        snprintf(buf, buflen, "%s", path);
        if (!match(routes[i].pattern, buf, params, n_params)) continue;
        if (!strcmp(routes[i].method, method)) return &routes[i];
        *allowed = 1;
    }
    return NULL;
}
