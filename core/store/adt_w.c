/*
 * adt_w.c: see adt_w.h. Statements prepared once (SQLITE_PREPARE_PERSISTENT), reset
 * after each use.
 */
#include "adt_w.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define RAW_MAX (64u * 1024u)

enum {
    S_SEEN, S_XWALK, S_PERSON, S_MSG_PUT, S_REJECT, S_VISIT_GET, S_VISIT_INS,
    S_VISIT_UPD, S_VISIT_KEYS, S_PROV_GET, S_PROV_INS, S_PROV_UPD, S_TASK_INS, S_TASK_REOPEN, S_TASKS_CANCEL,
    S_MERGE_VISITS, S_MERGE_MSGS, S_MERGE_PROV, S_MERGE_TASKS, S_REMATCH_VISITS, S_REMATCH_MSGS,
    S_LAST_TASK, S_NEXT_MSG, S_COVERING, S_CANCEL_VISIT_T, S_CANCEL_VISIT_P, S_CANCEL_TRIG_T,
    S_CANCEL_TRIG_P, S_CANCEL_BETWEEN_T, S_CANCEL_BETWEEN_P, S_N
};

/* The two steps of a cancel (the open tasks, then the episodes) for a WHERE clause over
 * provisional_episodes; ?9 is the reason. */
#define CANCEL_T(where)                                                                    \
    "UPDATE care_tasks SET status = 'cancelled' WHERE status = 'open' AND provisional_id IN " \
    "(SELECT provisional_id FROM provisional_episodes WHERE status = 'provisional' AND " where ")"
#define CANCEL_P(where)                                                                    \
    "UPDATE provisional_episodes SET status = 'cancelled', status_reason = ?9, decided_at = " \
    NOW " WHERE status = 'provisional' AND " where
#define W_VISIT "visit_id = ?1"
#define W_TRIG "visit_id = ?1 AND trigger_id = ?2"
#define W_BETWEEN "person_id = ?1 AND template_id = ?2 AND trigger_id = ?3 AND day0 BETWEEN ?4 AND ?5"

static const char *const SQL[S_N] = {
    [S_SEEN] = "SELECT message_id FROM adt_messages WHERE sender = ?1 AND control_id = ?2",
    [S_XWALK] = "SELECT current_mbi FROM mbi_xwalk WHERE previous_mbi = ?1",
    [S_PERSON] = "SELECT person_id FROM eligibility WHERE person_id = ?1 LIMIT 1",
    [S_MSG_PUT] = "INSERT INTO adt_messages (sender, control_id, received_at, event, event_time, "
                  "mbi, person_id, visit_id, outcome, raw, message_id) VALUES (?1, ?2, " NOW ", ?3, "
                  "?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_NEXT_MSG] = "SELECT coalesce(max(message_id), 0) + 1 FROM adt_messages",
    [S_REJECT] = "INSERT INTO adt_rejects (received_at, sender, control_id, ack_code, error_code, "
                 "location, message, raw) VALUES (" NOW ", ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_VISIT_GET] = "SELECT visit_id, facility, visit_number, mbi, person_id, unmatched_reason, mrn, "
                    "patient_class, admit_time, discharge_time, discharge_disposition, "
                    "attending_npi, diagnoses, status, first_message, last_message FROM "
                    "adt_visits WHERE facility = ?1 AND visit_number = ?2",
    [S_VISIT_INS] = "INSERT INTO adt_visits (facility, visit_number, mbi, person_id, "
                    "unmatched_reason, mrn, patient_class, admit_time, discharge_time, "
                    "discharge_disposition, attending_npi, diagnoses, status, first_message, "
                    "last_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                    "?13, ?14, ?15)",
    /* an update leaves the indexed columns alone (S_VISIT_KEYS changes them when they
     * differ): rewriting three index entries per message cost more than the row */
    [S_VISIT_UPD] = "UPDATE adt_visits SET unmatched_reason = ?5, mrn = ?6, patient_class = ?7, "
                    "discharge_time = ?9, discharge_disposition = ?10, attending_npi = ?11, "
                    "diagnoses = ?12, status = ?13, first_message = ?14, last_message = ?15 "
                    "WHERE visit_id = ?16",
    [S_VISIT_KEYS] = "UPDATE adt_visits SET mbi = ?3, person_id = ?4, admit_time = ?8 WHERE "
                     "visit_id = ?16 AND (mbi IS NOT ?3 OR person_id IS NOT ?4 OR "
                     "admit_time IS NOT ?8)",
    [S_PROV_GET] = "SELECT provisional_id, visit_id, template_id, trigger_id, trigger_type, "
                   "person_id, aco_id, day0, end_date, confirm_days, arrangement_id, npi, tin, "
                   "attribution_method, target_cents, status, status_reason, message_id FROM "
                   "provisional_episodes WHERE visit_id = ?1 AND template_id = ?2 AND "
                   "trigger_id = ?3",
    [S_PROV_INS] = "INSERT INTO provisional_episodes (visit_id, template_id, trigger_id, "
                   "trigger_type, person_id, aco_id, day0, end_date, confirm_days, "
                   "arrangement_id, npi, tin, attribution_method, target_cents, status, "
                   "status_reason, message_id, opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                   "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, " NOW ")",
    [S_PROV_UPD] = "UPDATE provisional_episodes SET visit_id = ?1, template_id = ?2, "
                   "trigger_id = ?3, trigger_type = ?4, person_id = ?5, aco_id = ?6, day0 = ?7, "
                   "end_date = ?8, confirm_days = ?9, arrangement_id = ?10, npi = ?11, tin = ?12, "
                   "attribution_method = ?13, target_cents = ?14, status = ?15, "
                   "status_reason = ?16, message_id = ?17 WHERE provisional_id = ?18",
    [S_TASK_INS] = "INSERT INTO care_tasks (provisional_id, kind, description, person_id, aco_id, "
                   "arrangement_id, npi, tin, event, event_date, due_date, done_codes, status, "
                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                   "'open', " NOW ") ON CONFLICT (provisional_id, kind) DO NOTHING",
    [S_TASK_REOPEN] = "UPDATE care_tasks SET description = ?3, person_id = ?4, aco_id = ?5, "
                      "arrangement_id = ?6, npi = ?7, tin = ?8, event = ?9, event_date = ?10, "
                      "due_date = ?11, done_codes = ?12, status = 'open', done_at = NULL, "
                      "done_by = NULL WHERE provisional_id = ?1 AND kind = ?2 AND "
                      "status = 'cancelled'",
    [S_TASKS_CANCEL] = "UPDATE care_tasks SET status = 'cancelled' WHERE provisional_id = ?1 "
                       "AND status = 'open'",
    [S_MERGE_VISITS] = "UPDATE adt_visits SET mbi = ?2, person_id = nullif(?3, ''), "
                       "unmatched_reason = CASE WHEN ?3 = '' THEN unmatched_reason END "
                       "WHERE mbi = ?1",
    [S_MERGE_MSGS] = "UPDATE adt_messages SET mbi = ?2, person_id = nullif(?3, '') WHERE mbi = ?1",
    [S_MERGE_PROV] = "UPDATE provisional_episodes SET person_id = ?3 WHERE ?3 <> '' AND "
                     "visit_id IN (SELECT visit_id FROM adt_visits WHERE mbi = ?2)",
    [S_MERGE_TASKS] = "UPDATE care_tasks SET person_id = ?3 WHERE ?3 <> '' AND provisional_id IN "
                      "(SELECT provisional_id FROM provisional_episodes p JOIN adt_visits v "
                      "USING (visit_id) WHERE v.mbi = ?2)",
    [S_REMATCH_VISITS] = "UPDATE adt_visits SET person_id = ?2, unmatched_reason = NULL WHERE "
                         "mbi = ?1 AND person_id IS NULL",
    [S_REMATCH_MSGS] = "UPDATE adt_messages SET person_id = ?2 WHERE mbi = ?1 AND person_id IS NULL",
    [S_LAST_TASK] = "SELECT coalesce(max(task_id), 0) FROM care_tasks",
    [S_COVERING] = "SELECT provisional_id FROM provisional_episodes WHERE person_id = ?1 AND "
                   "template_id = ?2 AND day0 <= ?3 AND end_date >= ?3 AND visit_id <> ?4 AND "
                   "status IN ('provisional', 'confirmed') ORDER BY day0 LIMIT 1",
    [S_CANCEL_VISIT_T] = CANCEL_T(W_VISIT),
    [S_CANCEL_VISIT_P] = CANCEL_P(W_VISIT),
    [S_CANCEL_TRIG_T] = CANCEL_T(W_TRIG),
    [S_CANCEL_TRIG_P] = CANCEL_P(W_TRIG),
    [S_CANCEL_BETWEEN_T] = CANCEL_T(W_BETWEEN),
    [S_CANCEL_BETWEEN_P] = CANCEL_P(W_BETWEEN),
};

struct adt_w {
    store *s;
    sqlite3 *db;
    sqlite3_stmt *st[S_N];
};

void adt_w_close(adt_w *w)
{
    if (!w) return;
    for (int i = 0; i < S_N; i++) sqlite3_finalize(w->st[i]);
    free(w);
}

int adt_w_open(store *s, adt_w **out, char *err, size_t errlen)
{
    *out = NULL;
    adt_w *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    w->s = s;
    w->db = store_db(s);
    for (int i = 0; i < S_N; i++)
        if (sqlite3_prepare_v3(w->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &w->st[i], NULL) !=
            SQLITE_OK) {
            int rc = store_fail(w->db, err, errlen, "preparing the ADT statements");
            adt_w_close(w);
            return rc;
        }
    *out = w;
    return 0;
}

/* Statement i, reset and unbound. */
static sqlite3_stmt *stmt(adt_w *w, int i)
{
    sqlite3_reset(w->st[i]);
    sqlite3_clear_bindings(w->st[i]);
    return w->st[i];
}

/* Bind text; NULL and (when empty_null) "" bind NULL. */
static void bt(sqlite3_stmt *st, int i, const char *v, int empty_null)
{
    if (!v || (empty_null && !*v)) sqlite3_bind_null(st, i);
    else sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Step a statement that returns no row. */
static int run(adt_w *w, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return 0;
    return store_fail(w->db, err, errlen, "%s", what);
}

static void cp(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    snprintf(dst, n, "%s", store__col(st, col));
}

int adt_w_seen(adt_w *w, const char *sender, const char *control_id, int64_t *message_id,
               char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_SEEN);
    bt(st, 1, sender, 0);
    bt(st, 2, control_id, 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *message_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return 0;
    return store_fail(w->db, err, errlen, "looking up a message");
}

int adt_w_person_for_mbi(adt_w *w, const char *mbi, char *person, size_t len, char *err,
                         size_t errlen)
{
    char cur[32];
    snprintf(cur, sizeof cur, "%s", mbi);
    sqlite3_stmt *st = stmt(w, S_XWALK);
    bt(st, 1, mbi, 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) cp(cur, sizeof cur, st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_fail(w->db, err, errlen, "reading the MBI crosswalk");
    st = stmt(w, S_PERSON);
    bt(st, 1, cur, 0);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        snprintf(person, len, "%s", cur);
        return 1;
    }
    if (rc == SQLITE_DONE) return 0;
    return store_fail(w->db, err, errlen, "looking up a beneficiary");
}

int adt_w_message_put(adt_w *w, const adt_message_row *m, int64_t *message_id, char *err,
                      size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_MSG_PUT);
    bt(st, 1, m->sender, 0);
    bt(st, 2, m->control_id, 0);
    bt(st, 3, m->event, 0);
    bt(st, 4, m->event_time, 1);
    bt(st, 5, m->mbi ? m->mbi : "", 0);
    bt(st, 6, m->person_id, 1);
    if (m->visit_id) sqlite3_bind_int64(st, 7, m->visit_id);
    bt(st, 8, m->outcome ? m->outcome : "", 0);
    sqlite3_bind_text(st, 9, m->raw, (int)m->raw_len, SQLITE_STATIC);
    if (m->message_id) sqlite3_bind_int64(st, 10, m->message_id);
    int rc = run(w, st, "storing a message", err, errlen);
    if (rc == 0) *message_id = sqlite3_last_insert_rowid(w->db);
    return rc;
}

int adt_w_next_message_id(adt_w *w, int64_t *id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_NEXT_MSG);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_fail(w->db, err, errlen, "reading the next message id");
}

int adt_w_reject(adt_w *w, const char *sender, const char *control_id, const char *ack_code,
                 const char *error_code, const char *location, const char *message,
                 const char *raw, size_t raw_len, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_REJECT);
    bt(st, 1, sender ? sender : "", 0);
    bt(st, 2, control_id ? control_id : "", 0);
    bt(st, 3, ack_code, 0);
    bt(st, 4, error_code ? error_code : "", 0);
    bt(st, 5, location ? location : "", 0);
    bt(st, 6, message ? message : "", 0);
    sqlite3_bind_text(st, 7, raw ? raw : "", raw ? (int)(raw_len > RAW_MAX ? RAW_MAX : raw_len) : 0,
                      SQLITE_STATIC);
    return run(w, st, "recording a refused message", err, errlen);
}

int adt_w_visit_get(adt_w *w, const char *facility, const char *visit_number,
                    adt_visit_row *v, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_VISIT_GET);
    bt(st, 1, facility, 0);
    bt(st, 2, visit_number, 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(v, 0, sizeof *v);
        v->visit_id = sqlite3_column_int64(st, 0);
        cp(v->facility, sizeof v->facility, st, 1);
        cp(v->visit_number, sizeof v->visit_number, st, 2);
        cp(v->mbi, sizeof v->mbi, st, 3);
        cp(v->person_id, sizeof v->person_id, st, 4);
        cp(v->unmatched_reason, sizeof v->unmatched_reason, st, 5);
        cp(v->mrn, sizeof v->mrn, st, 6);
        cp(v->patient_class, sizeof v->patient_class, st, 7);
        cp(v->admit_time, sizeof v->admit_time, st, 8);
        cp(v->discharge_time, sizeof v->discharge_time, st, 9);
        cp(v->disposition, sizeof v->disposition, st, 10);
        cp(v->attending_npi, sizeof v->attending_npi, st, 11);
        cp(v->diagnoses, sizeof v->diagnoses, st, 12);
        cp(v->status, sizeof v->status, st, 13);
        v->first_message = sqlite3_column_int64(st, 14);
        v->last_message = sqlite3_column_int64(st, 15);
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return 0;
    return store_fail(w->db, err, errlen, "reading a visit");
}

/* Bind the visit's columns by their numbers in S_VISIT_INS/UPD/KEYS and run st. */
static int visit_bind_run(adt_w *w, sqlite3_stmt *st, const adt_visit_row *v, char *err,
                          size_t errlen)
{
    bt(st, 1, v->facility, 0);
    bt(st, 2, v->visit_number, 0);
    bt(st, 3, v->mbi, 0);
    bt(st, 4, v->person_id, 1);
    bt(st, 5, v->unmatched_reason, 1);
    bt(st, 6, v->mrn, 0);
    bt(st, 7, v->patient_class, 0);
    bt(st, 8, v->admit_time, 1);
    bt(st, 9, v->discharge_time, 1);
    bt(st, 10, v->disposition, 0);
    bt(st, 11, v->attending_npi, 0);
    bt(st, 12, v->diagnoses, 0);
    bt(st, 13, v->status, 0);
    sqlite3_bind_int64(st, 14, v->first_message);
    sqlite3_bind_int64(st, 15, v->last_message);
    if (v->visit_id) sqlite3_bind_int64(st, 16, v->visit_id);
    return run(w, st, "storing a visit", err, errlen);
}

int adt_w_visit_put(adt_w *w, adt_visit_row *v, char *err, size_t errlen)
{
    if (!v->visit_id) {
        int rc = visit_bind_run(w, stmt(w, S_VISIT_INS), v, err, errlen);
        if (rc == 0) v->visit_id = sqlite3_last_insert_rowid(w->db);
        return rc;
    }
    int rc = visit_bind_run(w, stmt(w, S_VISIT_UPD), v, err, errlen);
    return rc < 0 ? rc : visit_bind_run(w, stmt(w, S_VISIT_KEYS), v, err, errlen);
}

int adt_w_prov_get(adt_w *w, int64_t visit_id, const char *template_id, const char *trigger_id,
                   adt_prov_row *p, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_PROV_GET);
    sqlite3_bind_int64(st, 1, visit_id);
    bt(st, 2, template_id, 0);
    bt(st, 3, trigger_id, 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(p, 0, sizeof *p);
        p->provisional_id = sqlite3_column_int64(st, 0);
        p->visit_id = sqlite3_column_int64(st, 1);
        cp(p->template_id, sizeof p->template_id, st, 2);
        cp(p->trigger_id, sizeof p->trigger_id, st, 3);
        cp(p->trigger_type, sizeof p->trigger_type, st, 4);
        cp(p->person_id, sizeof p->person_id, st, 5);
        cp(p->aco_id, sizeof p->aco_id, st, 6);
        cp(p->day0, sizeof p->day0, st, 7);
        cp(p->end_date, sizeof p->end_date, st, 8);
        p->confirm_days = sqlite3_column_int(st, 9);
        cp(p->arrangement_id, sizeof p->arrangement_id, st, 10);
        cp(p->npi, sizeof p->npi, st, 11);
        cp(p->tin, sizeof p->tin, st, 12);
        cp(p->method, sizeof p->method, st, 13);
        p->has_target = sqlite3_column_type(st, 14) != SQLITE_NULL;
        p->target_cents = sqlite3_column_int64(st, 14);
        cp(p->status, sizeof p->status, st, 15);
        cp(p->status_reason, sizeof p->status_reason, st, 16);
        p->message_id = sqlite3_column_int64(st, 17);
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return 0;
    return store_fail(w->db, err, errlen, "reading a provisional episode");
}

int adt_w_prov_put(adt_w *w, adt_prov_row *p, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, p->provisional_id ? S_PROV_UPD : S_PROV_INS);
    sqlite3_bind_int64(st, 1, p->visit_id);
    bt(st, 2, p->template_id, 0);
    bt(st, 3, p->trigger_id, 0);
    bt(st, 4, p->trigger_type, 0);
    bt(st, 5, p->person_id, 0);
    bt(st, 6, p->aco_id, 1);
    bt(st, 7, p->day0, 0);
    bt(st, 8, p->end_date, 0);
    sqlite3_bind_int(st, 9, p->confirm_days);
    bt(st, 10, p->arrangement_id, 1);
    bt(st, 11, p->npi, 1);
    bt(st, 12, p->tin, 1);
    bt(st, 13, p->method, 0);
    if (p->has_target) sqlite3_bind_int64(st, 14, p->target_cents);
    bt(st, 15, p->status, 0);
    bt(st, 16, p->status_reason, 1);
    sqlite3_bind_int64(st, 17, p->message_id);
    if (p->provisional_id) sqlite3_bind_int64(st, 18, p->provisional_id);
    int rc = run(w, st, "storing a provisional episode", err, errlen);
    if (rc == 0 && !p->provisional_id) p->provisional_id = sqlite3_last_insert_rowid(w->db);
    return rc;
}

int adt_w_task_put(adt_w *w, const adt_task_row *t, int *created, char *err, size_t errlen)
{
    *created = 0;
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = stmt(w, pass == 0 ? S_TASK_INS : S_TASK_REOPEN);
        sqlite3_bind_int64(st, 1, t->provisional_id);
        bt(st, 2, t->kind, 0);
        bt(st, 3, t->description, 0);
        bt(st, 4, t->person_id, 0);
        bt(st, 5, t->aco_id, 1);
        bt(st, 6, t->arrangement_id, 1);
        bt(st, 7, t->npi, 1);
        bt(st, 8, t->tin, 1);
        bt(st, 9, t->event, 0);
        bt(st, 10, t->event_date, 0);
        bt(st, 11, t->due_date, 0);
        bt(st, 12, t->done_codes ? t->done_codes : "", 0);
        int rc = run(w, st, "storing a care task", err, errlen);
        if (rc < 0) return rc;
        if (sqlite3_changes(w->db) > 0) {
            *created = 1;
            return 0;
        }
    }
    return 0;
}

int adt_w_tasks_cancel(adt_w *w, int64_t provisional_id, int *n, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_TASKS_CANCEL);
    sqlite3_bind_int64(st, 1, provisional_id);
    int rc = run(w, st, "cancelling care tasks", err, errlen);
    *n = rc == 0 ? sqlite3_changes(w->db) : 0;
    return rc;
}

int adt_w_merge(adt_w *w, const char *prior_mbi, const char *mbi, const char *person, int *n,
                char *err, size_t errlen)
{
    *n = 0;
    /* provisional episodes and tasks first: they find their visits by the prior MBI */
    static const int order[] = {S_MERGE_TASKS, S_MERGE_PROV, S_MERGE_MSGS, S_MERGE_VISITS};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        sqlite3_stmt *st = stmt(w, order[i]);
        bt(st, 1, prior_mbi, 0);
        bt(st, 2, order[i] == S_MERGE_TASKS || order[i] == S_MERGE_PROV ? prior_mbi : mbi, 0);
        bt(st, 3, person ? person : "", 0);
        int rc = run(w, st, "merging a patient", err, errlen);
        if (rc < 0) return rc;
        if (order[i] == S_MERGE_VISITS) *n = sqlite3_changes(w->db);
    }
    return 0;
}

int adt_w_rematch(adt_w *w, const char *mbi, const char *person, int *n, char *err,
                  size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_REMATCH_VISITS);
    bt(st, 1, mbi, 0);
    bt(st, 2, person, 0);
    int rc = run(w, st, "matching a visit", err, errlen);
    *n = rc == 0 ? sqlite3_changes(w->db) : 0;
    if (rc == 0 && *n > 0) { /* the messages of those visits too */
        st = stmt(w, S_REMATCH_MSGS);
        bt(st, 1, mbi, 0);
        bt(st, 2, person, 0);
        rc = run(w, st, "matching a visit's messages", err, errlen);
    }
    return rc;
}

int adt_w_last_task(adt_w *w, int64_t *task_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_LAST_TASK);
    int rc = sqlite3_step(st);
    *task_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store_fail(w->db, err, errlen, "reading the last task");
}

/* Cancel with statements t (tasks) then p (episodes), binding args[0..nargs) from ?1 (the
 * visit id when visit_id is set: ?1 as an integer) and the reason as ?9. */
static int cancel_with(adt_w *w, int t, int p, int64_t visit_id, const char *const *args,
                       int nargs, const char *reason, int *n, char *err, size_t errlen)
{
    *n = 0;
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = stmt(w, pass == 0 ? t : p);
        int k = 1;
        if (visit_id) sqlite3_bind_int64(st, k++, visit_id);
        for (int i = 0; i < nargs; i++) bt(st, k++, args[i], 0);
        if (pass == 1) sqlite3_bind_text(st, 9, reason, -1, SQLITE_STATIC);
        int rc = run(w, st, "cancelling provisional episodes", err, errlen);
        if (rc < 0) return rc;
        if (pass == 1) *n = sqlite3_changes(w->db);
    }
    return 0;
}

int adt_w_prov_cancel(adt_w *w, int64_t visit_id, const char *trigger_id, const char *reason,
                      int *n, char *err, size_t errlen)
{
    const char *args[1] = {trigger_id};
    return trigger_id ? cancel_with(w, S_CANCEL_TRIG_T, S_CANCEL_TRIG_P, visit_id, args, 1,
                                    reason, n, err, errlen)
                      : cancel_with(w, S_CANCEL_VISIT_T, S_CANCEL_VISIT_P, visit_id, NULL, 0,
                                    reason, n, err, errlen);
}

int adt_w_prov_cancel_between(adt_w *w, const char *person, const char *template_id,
                              const char *trigger_id, const char *from, const char *to,
                              const char *reason, int *n, char *err, size_t errlen)
{
    const char *args[5] = {person, template_id, trigger_id, from, to};
    return cancel_with(w, S_CANCEL_BETWEEN_T, S_CANCEL_BETWEEN_P, 0, args, 5, reason, n, err,
                       errlen);
}

int adt_w_prov_covering(adt_w *w, const char *person, const char *template_id, const char *day0,
                        int64_t visit_id, int64_t *id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, S_COVERING);
    bt(st, 1, person, 0);
    bt(st, 2, template_id, 0);
    bt(st, 3, day0, 0);
    sqlite3_bind_int64(st, 4, visit_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(w->db, err, errlen, "reading provisional episodes");
}
