/*
 * runs_w.c: see runs_w.h.
 */
#include "runs_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "contents.h"

enum { R_EPISODE, R_LEAK, R_ARRANGEMENT, R_COMPONENT, R_FINISH, R_EP_PROJ, R_ARR_PROJ,
       R_PROJECTION, R_PERSON, R_OWN, R_SOURCE, R_N };

static const char *const sql[R_N] = {
    [R_EPISODE] =
        "INSERT INTO run_episode_rows (run_id, episode_id, person_id, template_id, "
        "template_version, trigger_type, trigger_date, end_date, died, aco_id, "
        "arrangement_id, npi, tin, attribution_method, base_cents, trend_factor, "
        "trend_years, age_factor, hcc_count, hcc_factor, dual_factor, discount_bps, "
        "target_cents, actual_cents, actual_winsorized_cents, quality_met, status, "
        "exclusion_reason, risk_score, inpatient_cents, snf_cents, home_health_cents, "
        "outpatient_cents, professional_cents, dme_cents, hospice_cents, other_cents, "
        "trigger_claim_id, trigger_line, trigger_code, trigger_dx, trigger_npi, trigger_tin, "
        "age, dual) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
        "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, "
        "?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45)",
    [R_LEAK] = "INSERT INTO run_leakage_rows (run_id, episode_id, aco_id, npi, tin, lines, "
               "paid_cents, person_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [R_ARRANGEMENT] =
        "INSERT INTO run_arrangements (run_id, arrangement_id, period, aco_id, npi, "
        "tin, template_id, template_version, episodes, target_cents, actual_cents, "
        "actual_winsorized_cents, gross_cents, quality_bps, quality_adjusted_cents, "
        "share_bps, payment_cents, cap_applied, status) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    [R_COMPONENT] = "INSERT OR IGNORE INTO run_components (run_id, kind, name, "
                    "version, path, sha256, content, relpath) VALUES (?1, ?2, ?3, "
                    "?4, ?5, ?6, ?7, ?8)",
    [R_FINISH] =
        "UPDATE runs SET status = 'done', finished_at = ?2, as_of_date = ?3, "
        "beneficiaries = ?4, claim_lines = ?5, inputs = json_object("
        "'loads', (SELECT count(*) FROM loads), "
        "'last_load_id', (SELECT max(load_id) FROM loads), "
        "'claims', CASE WHEN ?13 IS NULL THEN (SELECT count(*) FROM claims WHERE status = "
        "'current') ELSE ?13 END, "
        "'claim_lines', CASE WHEN ?8 IS NULL THEN (SELECT count(*) FROM claim_lines l JOIN "
        "claims c USING (claim_id) WHERE c.status = 'current' AND l.denied = 0) ELSE ?8 END, "
        "'eligibility_rows', (SELECT count(*) FROM eligibility), "
        "'arrangements', (SELECT count(*) FROM arrangements), "
        "'replay_of', ?6, 'warnings', json(?7)), base_run_id = ?9, recomputed = ?10, "
        "full_reason = ?11, rows_base_run_id = ?12 WHERE run_id = ?1",
    [R_PERSON] = "INSERT INTO run_people_rows (run_id, person_id, claim_lines, "
                 "no_eligibility, claims) VALUES (?1, ?2, ?3, ?4, ?5)",
    [R_EP_PROJ] = "UPDATE run_episode_rows SET projected_actual_cents = ?3, projected_low_cents = ?4, "
                  "projected_high_cents = ?5 WHERE run_id = ?1 AND episode_id = ?2",
    [R_ARR_PROJ] = "UPDATE run_arrangements SET projected_actual_cents = ?4, "
                   "projected_winsorized_cents = ?5, projected_payment_cents = ?6, "
                   "projected_payment_low_cents = ?7, projected_payment_high_cents = ?8 "
                   "WHERE run_id = ?1 AND arrangement_id = ?2 AND period = ?3",
    [R_OWN] = "INSERT INTO run_own_people (run_id, person_id) VALUES (?1, ?2)",
    [R_SOURCE] = "INSERT INTO run_sources (run_id, src_run_id) VALUES (?1, ?2)",
    [R_PROJECTION] = "UPDATE runs SET paid_through_date = ?2, projection = ?3 WHERE run_id = ?1",
};

struct runs_w {
    store *s;
    sqlite3 *db;
    int64_t run_id;
    sqlite3_stmt *st[R_N];
    int bind_failed; /* a bind failed: the next step fails instead of saving NULL */
};

int runs_w_open(store *s, int64_t run_id, runs_w **out, char *err, size_t errlen)
{
    *out = calloc(1, sizeof **out);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    (*out)->s = s;
    (*out)->db = store_db(s);
    (*out)->run_id = run_id;
    return 0;
}

void runs_w_close(runs_w *w)
{
    if (!w) return;
    for (int i = 0; i < R_N; i++) sqlite3_finalize(w->st[i]);
    free(w);
}

/* Statement which, prepared on first use, with run_id bound as ?1; NULL with
 * "<path>: <message>" in err. */
static sqlite3_stmt *stmt(runs_w *w, int which, char *err, size_t errlen)
{
    if (!w->st[which] &&
        sqlite3_prepare_v2(w->db, sql[which], -1, &w->st[which], NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", store_path(w->s), sqlite3_errmsg(w->db));
        w->st[which] = NULL;
        return NULL;
    }
    w->bind_failed = 0;
    if (sqlite3_bind_int64(w->st[which], 1, w->run_id) != SQLITE_OK) w->bind_failed = 1;
    return w->st[which];
}

static void text(runs_w *w, sqlite3_stmt *st, int i, const char *v)
{
    int rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
    if (rc != SQLITE_OK) w->bind_failed = 1;
}

static void num(runs_w *w, sqlite3_stmt *st, int i, int64_t v)
{
    if (sqlite3_bind_int64(st, i, v) != SQLITE_OK) w->bind_failed = 1;
}

/* Step once, reset, clear bindings. 0, or -EIO with "<path>: saving <what>: <message>". */
static int step(runs_w *w, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = w->bind_failed ? SQLITE_NOMEM : sqlite3_step(st);
    w->bind_failed = 0;
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, "%s: saving %s: %s", store_path(w->s), what,
                 rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(w->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

int runs_w_episode(runs_w *w, const run_episode_rec *r, const char *what, char *err,
                   size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_EPISODE, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, r->episode_id);
    text(w, st, 3, r->person_id);
    text(w, st, 4, r->template_id);
    text(w, st, 5, r->template_version);
    text(w, st, 6, r->trigger_type);
    text(w, st, 7, r->trigger_date);
    text(w, st, 8, r->end_date);
    num(w, st, 9, r->died);
    text(w, st, 10, r->aco_id);
    text(w, st, 11, r->arrangement_id);
    text(w, st, 12, r->npi);
    text(w, st, 13, r->tin);
    text(w, st, 14, r->attribution_method);
    if (r->has_target) {
        int64_t v[] = {r->base_cents, r->trend_factor, r->trend_years, r->age_factor,
                       r->hcc_count, r->hcc_factor, r->dual_factor, r->discount_bps,
                       r->target_cents};
        for (int k = 0; k < 9; k++) num(w, st, 15 + k, v[k]);
        num(w, st, 25, r->actual_winsorized_cents);
        num(w, st, 26, r->quality_met);
    }
    num(w, st, 24, r->actual_cents);
    text(w, st, 27, r->status);
    text(w, st, 28, r->exclusion_reason);
    if (r->has_risk) num(w, st, 29, r->risk_score);
    for (int k = 0; k < SETTING_N; k++) num(w, st, 30 + k, r->by_setting[k]);
    const char *trig[] = {r->trigger_claim_id, NULL, r->trigger_code, r->trigger_dx,
                          r->trigger_npi, r->trigger_tin};
    for (int k = 0; k < 6; k++)
        if (trig[k] && trig[k][0]) text(w, st, 38 + k, trig[k]);
    if (r->trigger_line > 0) num(w, st, 39, r->trigger_line);
    if (r->age >= 0) num(w, st, 44, r->age);
    if (r->dual >= 0) num(w, st, 45, r->dual);
    return step(w, st, what, err, errlen);
}

int runs_w_leak(runs_w *w, const run_leak_rec *r, const char *what, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_LEAK, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, r->episode_id);
    text(w, st, 3, r->aco_id);
    text(w, st, 4, r->npi);
    text(w, st, 5, r->tin);
    num(w, st, 6, r->lines);
    num(w, st, 7, r->paid_cents);
    text(w, st, 8, r->person_id);
    return step(w, st, what, err, errlen);
}

int runs_w_arrangement(runs_w *w, const run_arrangement_rec *r, const char *what, char *err,
                       size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_ARRANGEMENT, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, r->arrangement_id);
    num(w, st, 3, r->period);
    text(w, st, 4, r->aco_id);
    text(w, st, 5, r->npi);
    text(w, st, 6, r->tin);
    text(w, st, 7, r->template_id);
    text(w, st, 8, r->template_version);
    num(w, st, 9, r->episodes);
    num(w, st, 10, r->target_cents);
    num(w, st, 11, r->actual_cents);
    num(w, st, 12, r->actual_winsorized_cents);
    if (r->has_gross) {
        num(w, st, 13, r->gross_cents);
        num(w, st, 14, r->quality_bps);
        num(w, st, 15, r->quality_adjusted_cents);
        num(w, st, 16, r->share_bps);
    }
    num(w, st, 17, r->payment_cents);
    text(w, st, 18, r->cap_applied);
    text(w, st, 19, r->status);
    return step(w, st, what, err, errlen);
}

int runs_w_component(runs_w *w, const run_component_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = w->st[R_COMPONENT];
    if (!st && sqlite3_prepare_v2(w->db, sql[R_COMPONENT], -1, &w->st[R_COMPONENT], NULL) !=
                   SQLITE_OK) {
        w->st[R_COMPONENT] = NULL;
        return store_fail(w->db, err, errlen, "saving run components");
    }
    st = w->st[R_COMPONENT];
    w->bind_failed = 0;
    num(w, st, 1, w->run_id);
    text(w, st, 2, r->kind);
    text(w, st, 3, r->name);
    text(w, st, 4, r->version);
    text(w, st, 5, r->path);
    text(w, st, 6, r->sha256);
    text(w, st, 7, r->content);
    text(w, st, 8, r->relpath);
    int bind_failed = w->bind_failed;
    int rc = bind_failed ? SQLITE_NOMEM : sqlite3_step(st);
    w->bind_failed = 0;
    if (bind_failed) snprintf(err, errlen, "saving run components: out of memory");
    else if (rc != SQLITE_DONE) store_fail(w->db, err, errlen, "saving run components");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

int runs_w_finish(runs_w *w, const run_finish_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_FINISH, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, r->finished_at);
    text(w, st, 3, r->as_of_date);
    num(w, st, 4, r->beneficiaries);
    num(w, st, 5, r->claim_lines);
    if (r->replay_of) num(w, st, 6, r->replay_of);
    text(w, st, 7, r->warnings ? r->warnings : "[]");
    if (r->input_claim_lines >= 0) num(w, st, 8, r->input_claim_lines);
    if (r->base_run_id) num(w, st, 9, r->base_run_id);
    if (r->recomputed >= 0) num(w, st, 10, r->recomputed);
    text(w, st, 11, r->full_reason);
    if (r->rows_base_run_id) num(w, st, 12, r->rows_base_run_id);
    if (r->input_claims >= 0) num(w, st, 13, r->input_claims);
    int rc = step(w, st, "the run", err, errlen);
    if (rc < 0 || !r->rows_base_run_id) return rc;
    if (!(st = stmt(w, R_SOURCE, err, errlen))) return -EIO;
    num(w, st, 2, r->rows_base_run_id);
    return step(w, st, "the run's rows base", err, errlen);
}

int runs_w_person(runs_w *w, const char *person_id, int64_t claim_lines, int64_t claims,
                  int no_eligibility, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_PERSON, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, person_id);
    num(w, st, 3, claim_lines);
    num(w, st, 4, no_eligibility ? 1 : 0);
    if (claims >= 0) num(w, st, 5, claims);
    return step(w, st, person_id, err, errlen);
}

int runs_w_own_person(runs_w *w, const char *person_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_OWN, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, person_id);
    return step(w, st, person_id, err, errlen);
}

int runs_w_basis(store *s, int64_t run_id, int64_t change_seq, const char *basis, char *err,
                 size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE runs SET change_seq = ?2, basis = ?3 WHERE run_id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", store_path(s), sqlite3_errmsg(db));
        return -EIO;
    }
    int ok = sqlite3_bind_int64(st, 1, run_id) == SQLITE_OK &&
             sqlite3_bind_int64(st, 2, change_seq) == SQLITE_OK &&
             sqlite3_bind_text(st, 3, basis, -1, SQLITE_STATIC) == SQLITE_OK;
    int rc = ok ? sqlite3_step(st) : SQLITE_NOMEM;
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, "%s: %s", store_path(s), ok ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

int runs_w_start(store *s, const char *started_at, int period, const char *template_filter,
                 const char *episodes_dir, int64_t replay_of, int64_t *run_id, char *err,
                 size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    *run_id = 0;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO runs (started_at, status, period, template_filter, "
                           "episodes_dir, replay_of) VALUES (?1, 'running', ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", store_path(s), sqlite3_errmsg(db));
        return -EIO;
    }
    int ok = sqlite3_bind_text(st, 1, started_at, -1, SQLITE_STATIC) == SQLITE_OK &&
             (!period || sqlite3_bind_int(st, 2, period) == SQLITE_OK) &&
             (!template_filter ||
              sqlite3_bind_text(st, 3, template_filter, -1, SQLITE_STATIC) == SQLITE_OK) &&
             sqlite3_bind_text(st, 4, episodes_dir, -1, SQLITE_STATIC) == SQLITE_OK &&
             (!replay_of || sqlite3_bind_int64(st, 5, replay_of) == SQLITE_OK);
    int rc = ok ? sqlite3_step(st) : SQLITE_NOMEM;
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, "%s: %s", store_path(s),
                 ok ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -EIO;
    *run_id = sqlite3_last_insert_rowid(db);
    return 0;
}

void runs_w_fail(store *s, int64_t run_id, const char *msg)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s),
                           "UPDATE runs SET status = 'failed', message = ?2 WHERE run_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_bind_int64(st, 1, run_id) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, msg, -1, SQLITE_STATIC) == SQLITE_OK)
        (void)sqlite3_step(st);
    sqlite3_finalize(st);
}

int runs_w_file(store *s, int64_t run_id, const char *relpath, const char *sha256,
                const void *bytes, size_t len, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    if (content_put(s, sha256, bytes, len, err, errlen) < 0) return -EIO;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO run_files (run_id, relpath, sha256) VALUES "
                               "(?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
        return store_fail(db, err, errlen, "saving run files");
    int ok = sqlite3_bind_int64(st, 1, run_id) == SQLITE_OK &&
             sqlite3_bind_text(st, 2, relpath, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_text(st, 3, sha256, -1, SQLITE_STATIC) == SQLITE_OK;
    int rc = ok ? sqlite3_step(st) : SQLITE_NOMEM;
    if (!ok) snprintf(err, errlen, "saving %s: out of memory", relpath);
    else if (rc != SQLITE_DONE) store_fail(db, err, errlen, "saving %s", relpath);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

int runs_w_episode_projection(runs_w *w, const char *episode_id, const int64_t v[3],
                              const char *what, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_EP_PROJ, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, episode_id);
    for (int k = 0; k < 3; k++) num(w, st, 3 + k, v[k]);
    return step(w, st, what, err, errlen);
}

int runs_w_arrangement_projection(runs_w *w, const char *arrangement_id, int period,
                                  const int64_t v[5], const char *what, char *err,
                                  size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_ARR_PROJ, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, arrangement_id);
    num(w, st, 3, period);
    for (int k = 0; k < 5; k++) num(w, st, 4 + k, v[k]);
    return step(w, st, what, err, errlen);
}

int runs_w_projection(runs_w *w, const char *paid_through, const char *projection_json,
                      char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, R_PROJECTION, err, errlen);
    if (!st) return -EIO;
    text(w, st, 2, paid_through);
    text(w, st, 3, projection_json);
    return step(w, st, "the run's projection", err, errlen);
}
