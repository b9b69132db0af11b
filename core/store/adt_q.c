/*
 * adt_q.c: see adt_q.h.
 */
#include "adt_q.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* The date of the first claim line of the task's beneficiary with one of its done codes
 * from the event date through the due date (a cancel does not count). */
#define DONE_BY_CLAIM                                                                     \
    "(SELECT min(coalesce(l.claim_line_start_date, c.claim_start_date)) FROM claims c "    \
    "JOIN claim_lines l ON l.claim_id = c.claim_id WHERE c.person_id = t.person_id AND "  \
    "c.claim_start_date BETWEEN t.event_date AND t.due_date AND c.adjustment_type_code <> 1 " \
    "AND l.hcpcs_code <> '' AND instr(' ' || t.done_codes || ' ', ' ' || l.hcpcs_code || ' ') > 0)"

static const char TASKS_SQL[] =
    "SELECT task_id, kind, description, person_id, aco_id, arrangement_id, npi, tin, assignee, "
    "provisional_id, template_id, trigger_type, event, event_date, due_date, status, done_at, "
    "done_by, created_at FROM (SELECT t.task_id, t.kind, t.description, t.person_id, t.aco_id, "
    "t.arrangement_id, t.npi, t.tin, CASE WHEN t.npi IS NULL THEN 'care_team' ELSE "
    "'specialist' END AS assignee, t.provisional_id, p.template_id, p.trigger_type, t.event, "
    "t.event_date, t.due_date, "
    "CASE WHEN t.status <> 'open' THEN t.status WHEN " DONE_BY_CLAIM " IS NOT NULL THEN 'done' "
    "WHEN t.due_date < ?7 THEN 'missed' ELSE 'open' END AS status, coalesce(t.done_at, " DONE_BY_CLAIM ") AS done_at, t.done_by, "
    "t.created_at FROM care_tasks t JOIN provisional_episodes p ON p.provisional_id = "
    "t.provisional_id WHERE t.task_id > CAST(?5 AS INTEGER) AND (?1 IS NULL OR t.npi = ?1) AND "
    "(?2 IS NULL OR t.aco_id = ?2) AND (?3 IS NULL OR t.person_id = ?3) AND (?8 IS NULL OR "
    "p.template_id = ?8)) WHERE (?4 IS NULL OR status = ?4) ORDER BY task_id "
    "LIMIT CAST(?6 AS INTEGER)";

static void fmt_i64(char *buf, size_t n, int64_t v) { snprintf(buf, n, "%lld", (long long)v); }

int adt_q_tasks(store *s, const adt_filter *f, json_t **out, char *err, size_t errlen)
{
    char after[24], limit[24];
    fmt_i64(after, sizeof after, f->after);
    fmt_i64(limit, sizeof limit, f->limit > 0 ? f->limit : 100);
    const char *b[8] = {f->npi, f->aco, f->person, f->status, after, limit,
                        f->today ? f->today : "9999-12-31", f->template_id};
    int rc = store_rows_json(s, TASKS_SQL, 8, b, out, err, errlen);
    if (rc < 0) return rc;
    /* a task a claim closed: done_by "claims", done_at the claim's date */
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row)
    {
        const char *st = json_string_value(json_object_get(row, "status"));
        if (st && !strcmp(st, "done") && json_is_null(json_object_get(row, "done_by")))
            json_object_set_new(row, "done_by", json_string("claims"));
    }
    return 0;
}

int adt_q_task_done(store *s, int64_t task_id, const char *npi, const char *aco,
                    const char *who, char *status, size_t statuslen, char *err, size_t errlen)
{
    status[0] = 0;
    sqlite3_stmt *st = store__prepare(s, "UPDATE care_tasks SET status = 'done', done_at = " NOW
                                         ", done_by = ?4 WHERE task_id = ?1 AND status = 'open' AND "
                                         "(?2 IS NULL OR npi = ?2) AND (?3 IS NULL OR aco_id = ?3)",
                                      err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, task_id);
    if (npi) sqlite3_bind_text(st, 2, npi, -1, SQLITE_STATIC);
    if (aco) sqlite3_bind_text(st, 3, aco, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, who, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    sqlite3 *db = store_db(s);
    if (rc != SQLITE_DONE) return store_fail(db, err, errlen, "closing a task");
    if (sqlite3_changes(db) > 0) return 1;
    st = store__prepare(s, "SELECT status FROM care_tasks WHERE task_id = ?1 AND (?2 IS NULL OR "
                           "npi = ?2) AND (?3 IS NULL OR aco_id = ?3)", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, task_id);
    if (npi) sqlite3_bind_text(st, 2, npi, -1, SQLITE_STATIC);
    if (aco) sqlite3_bind_text(st, 3, aco, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) snprintf(status, statuslen, "%s", store__col(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(db, err, errlen, "reading a task");
}

static const char PROV_SQL[] =
    "SELECT p.provisional_id, p.template_id, p.trigger_id, p.trigger_type, p.person_id, "
    "p.aco_id, p.day0 AS trigger_date, p.end_date, p.arrangement_id, p.npi, p.tin, "
    "p.attribution_method, p.target_cents, (SELECT coalesce(sum(l.paid_cents), 0) FROM claims c "
    "JOIN claim_lines l ON l.claim_id = c.claim_id WHERE c.person_id = p.person_id AND "
    "c.claim_start_date BETWEEN p.day0 AND p.end_date) AS cost_to_date_cents, p.status, "
    "p.status_reason, p.run_id, p.episode_id, p.opened_at, p.decided_at, v.facility, "
    "v.visit_number, v.patient_class, v.admit_time, v.discharge_time, "
    "v.discharge_disposition, v.attending_npi, v.diagnoses, (SELECT count(*) FROM care_tasks t "
    "WHERE t.provisional_id = p.provisional_id) AS tasks FROM provisional_episodes p JOIN "
    "adt_visits v ON v.visit_id = p.visit_id WHERE p.provisional_id > CAST(?5 AS INTEGER) AND "
    "(?1 IS NULL OR p.npi = ?1) AND (?2 IS NULL OR p.aco_id = ?2) AND (?3 IS NULL OR "
    "p.person_id = ?3) AND (?4 IS NULL OR p.status = ?4) AND (?7 IS NULL OR p.template_id = ?7) "
    "ORDER BY p.provisional_id LIMIT CAST(?6 AS INTEGER)";

int adt_q_provisional(store *s, const adt_filter *f, json_t **out, char *err, size_t errlen)
{
    char after[24], limit[24];
    fmt_i64(after, sizeof after, f->after);
    fmt_i64(limit, sizeof limit, f->limit > 0 ? f->limit : 100);
    const char *b[7] = {f->npi, f->aco, f->person, f->status, after, limit, f->template_id};
    return store_rows_json(s, PROV_SQL, 7, b, out, err, errlen);
}

/* The first `limit` rows (default 100) of sql, whose ?1 is the limit. */
static int latest(store *s, const char *sql, int64_t limit, json_t **out, char *err, size_t errlen)
{
    char l[24];
    fmt_i64(l, sizeof l, limit > 0 ? limit : 100);
    const char *b[1] = {l};
    return store_rows_json(s, sql, 1, b, out, err, errlen);
}

int adt_q_unmatched(store *s, int64_t limit, json_t **out, char *err, size_t errlen)
{
    return latest(s, "SELECT visit_id, facility, visit_number, mbi, mrn, unmatched_reason, "
                     "patient_class, admit_time, discharge_time, status, first_message, "
                     "last_message FROM adt_visits WHERE person_id IS NULL ORDER BY visit_id DESC "
                     "LIMIT CAST(?1 AS INTEGER)", limit, out, err, errlen);
}

int adt_q_rejects(store *s, int64_t limit, json_t **out, char *err, size_t errlen)
{
    return latest(s, "SELECT reject_id, received_at, sender, control_id, ack_code, error_code, "
                     "location, message FROM adt_rejects ORDER BY reject_id DESC LIMIT "
                     "CAST(?1 AS INTEGER)", limit, out, err, errlen);
}

/* {key: n} of a two-column query. */
static int counts(store *s, const char *sql, int n, const char *const *b, json_t **out, char *err,
                  size_t errlen)
{
    json_t *rows;
    int rc = store_rows_json(s, sql, n, b, &rows, err, errlen);
    if (rc < 0) return rc;
    *out = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *k = json_string_value(json_object_get(r, "k"));
        if (k) json_object_set(*out, k, json_object_get(r, "n"));
    }
    json_decref(rows);
    return 0;
}

int adt_q_status(store *s, const char *today, json_t **out, char *err, size_t errlen)
{
    json_t *one, *prov = NULL, *tasks = NULL;
    int rc = store_rows_json(s, "SELECT (SELECT count(*) FROM adt_messages) AS messages, "
                                "(SELECT count(*) FROM adt_rejects) AS rejects, (SELECT count(*) "
                                "FROM adt_visits) AS visits, (SELECT count(*) FROM adt_visits WHERE "
                                "person_id IS NULL) AS unmatched_visits, (SELECT min(event_time) "
                                "FROM adt_messages) AS first_event, (SELECT max(event_time) FROM "
                                "adt_messages) AS last_event", 0, NULL, &one, err, errlen);
    if (rc < 0) return rc;
    rc = counts(s, "SELECT status AS k, count(*) AS n FROM provisional_episodes GROUP BY status",
                0, NULL, &prov, err, errlen);
    const char *b[1] = {today ? today : "9999-12-31"};
    if (rc == 0)
        rc = counts(s, "SELECT CASE WHEN status = 'open' AND due_date < ?1 THEN 'missed_or_done_by_claims' "
                       "ELSE status END AS k, count(*) AS n FROM care_tasks t GROUP BY k", 1, b,
                    &tasks, err, errlen);
    if (rc < 0) {
        json_decref(one);
        json_decref(prov);
        return rc;
    }
    *out = json_incref(json_array_get(one, 0));
    json_decref(one);
    json_object_set_new(*out, "provisional", prov);
    json_object_set_new(*out, "tasks", tasks);
    return 0;
}

int adt_q_run_feed(store *s, int64_t run_id, json_t **out, char *err, size_t errlen)
{
    char r[24];
    fmt_i64(r, sizeof r, run_id);
    const char *b[1] = {r};
    return store_rows_json(s, "SELECT template_id, confirmed, changed, dropped, pending, "
                              "claim_episodes, with_event, CASE WHEN confirmed + changed + dropped "
                              "> 0 THEN (confirmed * 10000 + (confirmed + changed + dropped) / 2) / "
                              "(confirmed + changed + dropped) END AS precision_bps, CASE WHEN "
                              "claim_episodes > 0 THEN (with_event * 10000 + claim_episodes / 2) / "
                              "claim_episodes END AS recall_bps FROM run_adt_feed WHERE run_id = "
                              "CAST(?1 AS INTEGER) ORDER BY template_id", 1, b, out, err, errlen);
}

/* Run sql with the binds (text; NULL as NULL) to the end. */
static int exec_binds(store *s, const char *sql, int n, const char *const *b, char *err,
                      size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, sql, err, errlen);
    if (!st) return -EIO;
    for (int i = 0; i < n; i++)
        if (b[i]) sqlite3_bind_text(st, i + 1, b[i], -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(store_db(s), err, errlen, "confirming provisional episodes");
}

int adt_q_confirm_run(store *s, int64_t run_id, const char *base_id, const char *run_templates,
                      const adt_confirm_trigger *trig, size_t n_trig, const char *as_of,
                      adt_confirm_counts *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char run[24];
    fmt_i64(run, sizeof run, run_id);
    char types[256] = " ";
    for (size_t i = 0; i < n_trig; i++) {
        size_t n = strlen(types);
        snprintf(types + n, sizeof types - n, "%s ", trig[i].trigger_type);
    }
    const char *b[5] = {run, base_id, run_templates, as_of ? as_of : "0000-01-01", types};
    /* the match of each provisional episode in this run (the earliest in its range) */
    static const char MATCH[] =
        "CREATE TEMP TABLE IF NOT EXISTS adt_match (provisional_id INTEGER PRIMARY KEY, "
        "episode_id TEXT, trigger_type TEXT, trigger_date TEXT, status TEXT, exclusion TEXT);"
        "DELETE FROM adt_match;";
    int rc = store_exec(s, MATCH, err, errlen);
    if (rc == 0)
        rc = exec_binds(s,
            "INSERT INTO adt_match SELECT p.provisional_id, e.episode_id, e.trigger_type, "
            "e.trigger_date, e.status, e.exclusion_reason FROM provisional_episodes p JOIN "
            "run_episodes e ON e.run_id = CAST(?1 AS INTEGER) AND e.template_id IN (SELECT value FROM json_each(?3)) AND "
            "e.person_id = p.person_id AND e.trigger_date BETWEEN date(p.day0, '-1 day') AND "
            "date(p.day0, '+' || p.confirm_days || ' days') WHERE p.template_id = ?2 AND "
            "p.status <> 'cancelled' AND e.episode_id = (SELECT e2.episode_id FROM run_episodes e2 "
            "WHERE e2.run_id = e.run_id AND e2.template_id IN (SELECT value FROM json_each(?3)) AND e2.person_id = "
            "e.person_id AND e2.trigger_date BETWEEN date(p.day0, '-1 day') AND date(p.day0, '+' "
            "|| p.confirm_days || ' days') ORDER BY e2.trigger_date, e2.episode_id LIMIT 1)",
            3, b, err, errlen);
    if (rc == 0)
        rc = exec_binds(s,
            "UPDATE provisional_episodes AS p SET status = CASE WHEN m.trigger_type = "
            "p.trigger_type AND m.trigger_date = p.day0 AND m.status <> 'excluded' THEN "
            "'confirmed' ELSE 'changed' END, status_reason = CASE WHEN m.status = 'excluded' THEN "
            "'the claims episode is excluded: ' || coalesce(m.exclusion, '') WHEN m.trigger_type = "
            "p.trigger_type AND m.trigger_date = p.day0 THEN NULL ELSE 'the claims give trigger ' || "
            "m.trigger_type || ' on ' || m.trigger_date END, run_id = CAST(?1 AS INTEGER), "
            "episode_id = m.episode_id, decided_at = " NOW " FROM adt_match m WHERE "
            "m.provisional_id = p.provisional_id",
            1, b, err, errlen);
    if (rc == 0) /* no match: dropped once the claims cover the range, else pending */
        rc = exec_binds(s,
            "UPDATE provisional_episodes SET status = CASE WHEN date(day0, '+' || confirm_days || "
            "' days') < ?4 THEN 'dropped' ELSE 'provisional' END, status_reason = CASE WHEN "
            "date(day0, '+' || confirm_days || ' days') < ?4 THEN 'no claims-based episode from the "
            "day before day 0 through day 0 + ' || confirm_days || ' days in run ' || ?1 END, "
            "run_id = CASE WHEN date(day0, '+' || confirm_days || ' days') < ?4 THEN "
            "CAST(?1 AS INTEGER) END, episode_id = NULL, decided_at = CASE WHEN date(day0, '+' || "
            "confirm_days || ' days') < ?4 THEN " NOW " END WHERE template_id = ?2 AND status <> "
            "'cancelled' AND provisional_id NOT IN (SELECT provisional_id FROM adt_match)",
            4, b, err, errlen);
    json_t *rows = NULL;
    if (rc == 0)
        rc = store_rows_json(s,
            "SELECT (SELECT count(*) FROM provisional_episodes WHERE template_id = ?2 AND status = "
            "'confirmed') AS confirmed, (SELECT count(*) FROM provisional_episodes WHERE "
            "template_id = ?2 AND status = 'changed') AS changed, (SELECT count(*) FROM "
            "provisional_episodes WHERE template_id = ?2 AND status = 'dropped') AS dropped, "
            "(SELECT count(*) FROM provisional_episodes WHERE template_id = ?2 AND status = "
            "'provisional') AS pending, (SELECT count(*) FROM run_episodes e WHERE e.run_id = "
            "CAST(?1 AS INTEGER) AND e.template_id IN (SELECT value FROM json_each(?3)) AND instr(?5, ' ' || e.trigger_type || ' ') > 0 "
            "AND e.trigger_date BETWEEN (SELECT date(min(event_time)) FROM adt_messages) AND "
            "(SELECT date(max(event_time)) FROM adt_messages)) AS claim_episodes, (SELECT count(*) "
            "FROM run_episodes e WHERE e.run_id = CAST(?1 AS INTEGER) AND e.template_id IN (SELECT value FROM json_each(?3)) AND "
            "instr(?5, ' ' || e.trigger_type || ' ') > 0 AND e.trigger_date BETWEEN (SELECT "
            "date(min(event_time)) FROM adt_messages) AND (SELECT date(max(event_time)) FROM "
            "adt_messages) AND e.episode_id IN (SELECT episode_id FROM adt_match)) AS with_event",
            5, b, &rows, err, errlen);
    if (rc < 0) return rc;
    json_t *r = json_array_get(rows, 0);
    out->confirmed = json_integer_value(json_object_get(r, "confirmed"));
    out->changed = json_integer_value(json_object_get(r, "changed"));
    out->dropped = json_integer_value(json_object_get(r, "dropped"));
    out->pending = json_integer_value(json_object_get(r, "pending"));
    out->claim_episodes = json_integer_value(json_object_get(r, "claim_episodes"));
    out->with_event = json_integer_value(json_object_get(r, "with_event"));
    json_decref(rows);
    sqlite3_stmt *st = store__prepare(s, "INSERT OR REPLACE INTO run_adt_feed (run_id, template_id, "
                                         "confirmed, changed, dropped, pending, claim_episodes, "
                                         "with_event) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                      err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, base_id, -1, SQLITE_STATIC);
    int64_t v[6] = {out->confirmed, out->changed, out->dropped, out->pending, out->claim_episodes,
                    out->with_event};
    for (int i = 0; i < 6; i++) sqlite3_bind_int64(st, 3 + i, v[i]);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(store_db(s), err, errlen, "storing the feed's counts");
}
