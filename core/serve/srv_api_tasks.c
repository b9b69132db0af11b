/*
 * srv_api_tasks.c: the hospital ADT feed's resources (docs/api.md "Care tasks and
 * provisional episodes"; docs/adt.md):
 *
 *   GET  /v1/tasks?status=&person=&template=&after=&limit=100
 *        -> {"tasks": [...], "next_after": N}   care tasks by task_id
 *   GET  /v1/tasks/feed?after=N&wait=25
 *        -> the tasks after N, as soon as there is one (a long poll: the answer waits up
 *           to `wait` seconds, at most 60, for new tasks; an empty list when none came)
 *   POST /v1/tasks/:id/done  -> the task, closed by the caller
 *   GET  /v1/provisional?status=&person=&template=&after=&limit=100
 *        -> {"provisional": [...]} provisional episodes with their cost to date
 *   GET  /v1/adt/status      -> the feed's counts (CMS)
 *   GET  /v1/adt/unmatched?limit=   visits of patients that match no beneficiary (CMS)
 *   GET  /v1/adt/rejects?limit=     messages answered AE or AR (CMS)
 *
 * Scope as for episodes: an ACO sees the tasks and provisional episodes of its
 * beneficiaries (aligned on day 0), a provider those assigned to its NPI. Every answer
 * with beneficiary-level rows is audited.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "srv_api.h"
#include "srv_api_common.h"

#define FEED_WAIT_DEFAULT 25
#define FEED_WAIT_MAX 60

static const char *const TASK_STATUS[] = {"open", "done", "missed", "cancelled", NULL};
static const char *const PROV_STATUS[] = {"provisional", "confirmed", "changed", "dropped",
                                          "cancelled", NULL};

static void today(char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The list filters of a request, narrowed to the role's scope. 0, or -1 with rs set. */
static int filters(srv_req *rq, srv_resp *rs, const char *const *statuses, adt_filter *f,
                   char day[11])
{
    memset(f, 0, sizeof *f);
    f->status = srv_query(rq, "status");
    f->person = srv_query(rq, "person");
    f->template_id = srv_query(rq, "template");
    f->aco = srv_query(rq, "aco");
    f->npi = srv_query(rq, "npi");
    if (f->status) {
        int ok = 0;
        for (int i = 0; statuses[i]; i++) ok |= !strcmp(statuses[i], f->status);
        if (!ok) {
            char list[128] = "";
            for (int i = 0; statuses[i]; i++) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", statuses[i]);
            }
            srv_error(rs, 400, "bad_request", "status: \"%s\" is not one of %s", f->status, list);
            return -1;
        }
    }
    if (api_query_int(rq, rs, "after", 0, 0, INT64_MAX, &f->after) < 0 ||
        api_query_int(rq, rs, "limit", 100, 1, 1000, &f->limit) < 0 ||
        api_scope_filters(rq, rs, &f->aco, &f->npi) < 0)
        return -1;
    today(day);
    f->today = day;
    return 0;
}

static void audit_rows(srv_req *rq, const char *action, json_t *rows)
{
    if (json_array_size(rows))
        srv_audit(rq, action, "beneficiaries", NULL,
                  json_pack("{s:I}", "rows", (json_int_t)json_array_size(rows)));
}

static json_t *tasks_answer(json_t *rows, int64_t after)
{
    int64_t next = after;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int64_t id = json_integer_value(json_object_get(r, "task_id"));
        if (id > next) next = id;
    }
    return json_pack("{s:o, s:I}", "tasks", rows, "next_after", (json_int_t)next);
}

void api_tasks_list(srv_req *rq, srv_resp *rs)
{
    adt_filter f;
    char day[11], err[512];
    if (filters(rq, rs, TASK_STATUS, &f, day) < 0) return;
    json_t *rows;
    if (adt_q_tasks(rq->db, &f, &rows, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    audit_rows(rq, "tasks.list", rows);
    srv_json(rs, 200, tasks_answer(rows, f.after));
}

void api_tasks_feed(srv_req *rq, srv_resp *rs)
{
    adt_filter f;
    char day[11], err[512];
    int64_t wait;
    if (filters(rq, rs, TASK_STATUS, &f, day) < 0 ||
        api_query_int(rq, rs, "wait", FEED_WAIT_DEFAULT, 0, FEED_WAIT_MAX, &wait) < 0)
        return;
    json_t *rows;
    if (adt_q_tasks(rq->db, &f, &rows, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    if (json_array_size(rows) == 0 && rq->waited_ms < wait * 1000) {
        json_decref(rows);
        rs->park_ms = wait * 1000 - rq->waited_ms; /* wake on new tasks or at the end */
        return;
    }
    audit_rows(rq, "tasks.feed", rows);
    srv_json(rs, 200, tasks_answer(rows, f.after));
}

void api_task_done(srv_req *rq, srv_resp *rs)
{
    uint64_t id;
    if (util_parse_u64(rq->params[0], &id) < 0 || id > INT64_MAX) {
        srv_error(rs, 400, "bad_request", "\"%s\" is not a task id", rq->params[0]);
        return;
    }
    const char *aco = NULL, *npi = NULL;
    if (api_scope_filters(rq, rs, &aco, &npi) < 0) return;
    char who[160], status[16], err[512];
    api_actor(rq, who, sizeof who);
    int rc = adt_q_task_done(rq->db, (int64_t)id, npi, aco, who, status, sizeof status, err,
                             sizeof err);
    if (rc < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    if (rc == 0 && !status[0]) {
        srv_error(rs, 404, "not_found", "no task %s in your scope", rq->params[0]);
        return;
    }
    if (rc == 0) {
        srv_error(rs, 409, "conflict", "task %s is %s, not open", rq->params[0], status);
        return;
    }
    srv_audit(rq, "task.done", "task", rq->params[0], NULL);
    adt_filter f = {.npi = npi, .aco = aco, .after = (int64_t)id - 1, .limit = 1};
    char day[11];
    today(day);
    f.today = day;
    json_t *rows;
    if (adt_q_tasks(rq->db, &f, &rows, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    json_t *one = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    srv_json(rs, 200, one ? one : json_object());
}

void api_provisional_list(srv_req *rq, srv_resp *rs)
{
    adt_filter f;
    char day[11], err[512];
    if (filters(rq, rs, PROV_STATUS, &f, day) < 0) return;
    json_t *rows;
    if (adt_q_provisional(rq->db, &f, &rows, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    audit_rows(rq, "provisional.list", rows);
    srv_json(rs, 200, json_pack("{s:o}", "provisional", rows));
}

/* CMS only: the feed's own records (unmatched patients have no ACO to scope them to). */
static int cms_only(srv_req *rq, srv_resp *rs)
{
    if (srv_is_cms(rq)) return 0;
    srv_error(rs, 403, "forbidden", "the ADT feed's status, unmatched visits and refused "
              "messages are for CMS tokens");
    return -1;
}

void api_adt_status(srv_req *rq, srv_resp *rs)
{
    if (cms_only(rq, rs) < 0) return;
    char day[11], err[512];
    today(day);
    json_t *o;
    if (adt_q_status(rq->db, day, &o, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    srv_json(rs, 200, o);
}

static void cms_list(srv_req *rq, srv_resp *rs, const char *key,
                     int (*q)(store *, int64_t, json_t **, char *, size_t))
{
    if (cms_only(rq, rs) < 0) return;
    int64_t limit;
    if (api_query_int(rq, rs, "limit", 100, 1, 1000, &limit) < 0) return;
    char err[512];
    json_t *rows;
    if (q(rq->db, limit, &rows, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    audit_rows(rq, "adt.list", rows);
    srv_json(rs, 200, json_pack("{s:o}", key, rows));
}

void api_adt_unmatched(srv_req *rq, srv_resp *rs) { cms_list(rq, rs, "visits", adt_q_unmatched); }

void api_adt_rejects(srv_req *rq, srv_resp *rs) { cms_list(rq, rs, "rejects", adt_q_rejects); }
