/*
 * engine_save.c: write a run's results in one transaction (see engine_internal.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "base/base.h"
#include "engine_internal.h"
#include "run_manifest.h"

typedef struct saver {
    store *s;
    sqlite3 *db;
    int64_t run_id;
    char *err;
    size_t errlen;
    int bind_failed; /* a bind ran out of memory: the next step fails instead of saving NULL */
} saver;

static int prep(saver *sv, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(sv->db, sql, -1, st, NULL) == SQLITE_OK) return 0;
    snprintf(sv->err, sv->errlen, "%s: %s", store_path(sv->s), sqlite3_errmsg(sv->db));
    return -EIO;
}

static int step(saver *sv, sqlite3_stmt *st, const char *what)
{
    int rc = sv->bind_failed ? SQLITE_NOMEM : sqlite3_step(st);
    sv->bind_failed = 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE) return 0;
    snprintf(sv->err, sv->errlen, "%s: saving %s: %s", store_path(sv->s), what,
             rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(sv->db));
    return -EIO;
}

static void bind_text(saver *sv, sqlite3_stmt *st, int i, const char *s)
{
    if (!s) sqlite3_bind_null(st, i);
    else if (sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) != SQLITE_OK) sv->bind_failed = 1;
}

static void bind_date(saver *sv, sqlite3_stmt *st, int i, cara_date d)
{
    char buf[11];
    if (d == CARA_DATE_NONE) {
        sqlite3_bind_null(st, i);
        return;
    }
    date_format(d, buf);
    if (sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT) != SQLITE_OK) sv->bind_failed = 1;
}

static int save_episodes(saver *sv, const run_data *rd)
{
    sqlite3_stmt *st;
    int rc = prep(sv,
                  "INSERT INTO run_episodes (run_id, episode_id, person_id, template_id, "
                  "template_version, trigger_type, trigger_date, end_date, died, aco_id, "
                  "arrangement_id, npi, tin, attribution_method, base_cents, trend_factor, "
                  "trend_years, age_factor, hcc_count, hcc_factor, dual_factor, discount_bps, "
                  "target_cents, actual_cents, actual_winsorized_cents, quality_met, status, "
                  "exclusion_reason, risk_score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                  "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
                  "?25, ?26, ?27, ?28, ?29)",
                  &st);
    for (size_t i = 0; i < rd->n_eps && rc == 0; i++) {
        const ep_rec *r = &rd->eps[i];
        sqlite3_bind_int64(st, 1, sv->run_id);
        bind_text(sv, st, 2, r->episode_id);
        bind_text(sv, st, 3, r->person_id);
        bind_text(sv, st, 4, template_id(r->tmpl->tmpl));
        bind_text(sv, st, 5, template_version(r->tmpl->tmpl));
        bind_text(sv, st, 6, r->trigger_type);
        bind_date(sv, st, 7, r->day0);
        bind_date(sv, st, 8, r->end);
        sqlite3_bind_int(st, 9, r->died);
        bind_text(sv, st, 10, r->aco_id);
        if (r->arr) {
            bind_text(sv, st, 11, r->arr->arrangement_id);
            bind_text(sv, st, 12, r->arr->npi);
            bind_text(sv, st, 13, r->arr->tin);
        }
        if (r->method[0]) bind_text(sv, st, 14, r->method);
        if (r->has_target) {
            int64_t v[] = {r->base, r->trend_factor, r->trend_years, r->age_factor,
                           r->hcc_count, r->hcc_factor, r->dual_factor, r->discount_bps,
                           r->target};
            for (int k = 0; k < 9; k++) sqlite3_bind_int64(st, 15 + k, v[k]);
            sqlite3_bind_int64(st, 25, r->winsorized);
            sqlite3_bind_int(st, 26, r->quality_met);
        }
        sqlite3_bind_int64(st, 24, r->actual);
        bind_text(sv, st, 27, r->status);
        bind_text(sv, st, 28, r->exclusion);
        if (r->has_risk) sqlite3_bind_int64(st, 29, r->risk_score);
        rc = step(sv, st, r->episode_id);
    }
    sqlite3_finalize(st);
    return rc;
}

static int save_leakage(saver *sv, const run_data *rd)
{
    sqlite3_stmt *st;
    int rc = prep(sv, "INSERT INTO run_leakage (run_id, episode_id, aco_id, npi, tin, lines, "
                      "paid_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st);
    for (size_t i = 0; i < rd->n_leaks && rc == 0; i++) {
        const leak_rec *l = &rd->leaks[i];
        sqlite3_bind_int64(st, 1, sv->run_id);
        bind_text(sv, st, 2, l->episode_id);
        bind_text(sv, st, 3, l->aco_id);
        bind_text(sv, st, 4, l->npi);
        bind_text(sv, st, 5, l->tin);
        sqlite3_bind_int64(st, 6, l->lines);
        sqlite3_bind_int64(st, 7, l->paid);
        char what[320];
        snprintf(what, sizeof what, "leakage of %s (a provider listed twice by attribute()?)",
                 l->episode_id);
        rc = step(sv, st, what);
    }
    sqlite3_finalize(st);
    return rc;
}

static int save_arrangements(saver *sv, const run_data *rd)
{
    sqlite3_stmt *st;
    int rc = prep(sv,
                  "INSERT INTO run_arrangements (run_id, arrangement_id, period, aco_id, npi, "
                  "tin, template_id, template_version, episodes, target_cents, actual_cents, "
                  "actual_winsorized_cents, gross_cents, quality_bps, quality_adjusted_cents, "
                  "share_bps, payment_cents, cap_applied, status) VALUES (?1, ?2, ?3, ?4, ?5, "
                  "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                  &st);
    for (size_t i = 0; i < rd->n_results && rc == 0; i++) {
        const arr_result *r = &rd->results[i];
        sqlite3_bind_int64(st, 1, sv->run_id);
        bind_text(sv, st, 2, r->arr->arrangement_id);
        sqlite3_bind_int(st, 3, r->period);
        bind_text(sv, st, 4, r->arr->aco_id);
        bind_text(sv, st, 5, r->arr->npi);
        bind_text(sv, st, 6, r->arr->tin);
        bind_text(sv, st, 7, template_id(r->tmpl->tmpl));
        bind_text(sv, st, 8, template_version(r->tmpl->tmpl));
        sqlite3_bind_int64(st, 9, r->episodes);
        sqlite3_bind_int64(st, 10, r->target);
        sqlite3_bind_int64(st, 11, r->actual);
        sqlite3_bind_int64(st, 12, r->winsorized);
        if (r->has_gross) {
            sqlite3_bind_int64(st, 13, r->gross);
            sqlite3_bind_int64(st, 14, r->quality_bps);
            sqlite3_bind_int64(st, 15, r->qadj);
            sqlite3_bind_int64(st, 16, r->share_bps);
        }
        sqlite3_bind_int64(st, 17, r->payment);
        bind_text(sv, st, 18, r->cap[0] ? r->cap : NULL);
        bind_text(sv, st, 19, r->status);
        rc = step(sv, st, r->arr->arrangement_id);
    }
    sqlite3_finalize(st);
    return rc;
}

static int finish_run(saver *sv, const run_record *rec, const run_data *rd,
                      const engine_stats *stt)
{
    sqlite3_stmt *st;
    int rc = prep(sv,
                  "UPDATE runs SET status = 'done', finished_at = ?2, as_of_date = ?3, "
                  "beneficiaries = ?4, claim_lines = ?5, inputs = json_object("
                  "'loads', (SELECT count(*) FROM loads), "
                  "'last_load_id', (SELECT max(load_id) FROM loads), "
                  "'claims', (SELECT count(*) FROM claims WHERE status = 'current'), "
                  "'claim_lines', (SELECT count(*) FROM claim_lines l JOIN claims c USING "
                  "(claim_id) WHERE c.status = 'current' AND l.denied = 0), "
                  "'eligibility_rows', (SELECT count(*) FROM eligibility), "
                  "'arrangements', (SELECT count(*) FROM arrangements), "
                  "'replay_of', ?6, 'warnings', json(?7)) "
                  "WHERE run_id = ?1",
                  &st);
    if (rc < 0) return rc;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_bind_int64(st, 1, sv->run_id);
    bind_text(sv, st, 2, now);
    bind_date(sv, st, 3, rd->as_of);
    sqlite3_bind_int64(st, 4, stt->beneficiaries);
    sqlite3_bind_int64(st, 5, stt->claim_lines);
    if (rec->replay_of) sqlite3_bind_int64(st, 6, rec->replay_of);
    bind_text(sv, st, 7, rec->warnings ? rec->warnings : "[]");
    rc = step(sv, st, "the run");
    sqlite3_finalize(st);
    return rc;
}

int engine__save(store *s, int64_t run_id, const run_record *rec, const run_data *rd,
                const engine_stats *st, char *err, size_t errlen)
{
    saver sv = {s, store_db(s), run_id, err, errlen, 0};
    int rc = store_begin(s, err, errlen);
    if (rc == 0) rc = run_manifest_save_components(sv.db, run_id, rec->manifest, err, errlen);
    if (rc == 0) rc = save_episodes(&sv, rd);
    if (rc == 0) rc = save_leakage(&sv, rd);
    if (rc == 0) rc = save_arrangements(&sv, rd);
    if (rc == 0) rc = finish_run(&sv, rec, rd, st);
    if (rc == 0) rc = store_commit(s, err, errlen);
    if (rc < 0) store_rollback(s);
    return rc;
}
