/*
 * exports_q.c: the reads of an export and the record of exports made (exports_q.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exports_q.h"
#include "base/base.h"
#include "store_internal.h"

/* ?1 run, ?2 aco, ?3 ebra, ?4 npi, ?5 period "YYYY": the scope every reader binds */
#define SCOPE_EPISODE                                                                     \
    "e.run_id = ?1 AND (?2 IS NULL OR e.aco_id = ?2) AND (?3 IS NULL OR e.arrangement_id " \
    "= ?3) AND (?4 IS NULL OR e.npi = ?4) AND (?5 IS NULL OR substr(e.trigger_date, 1, 4) " \
    "= ?5)"

static int scoped(store *s, const exports_scope *sc, const char *sql, store_row_fn fn, void *ud,
                  char *err, size_t errlen)
{
    char run[24], year[8];
    snprintf(run, sizeof run, "%" PRId64, sc->run_id);
    snprintf(year, sizeof year, "%04d", sc->period);
    const char *b[] = {run, sc->aco_id, sc->ebra_id, sc->npi, sc->period ? year : NULL};
    return store_rows(s, sql, 5, b, fn, ud, err, errlen);
}

int exports_q_run(store *s, int64_t *run_id, char status[16], char finished_at[32], char *err,
                  size_t errlen)
{
    sqlite3_stmt *st = store__prepare(
        s, *run_id ? "SELECT run_id, status, finished_at FROM runs WHERE run_id = ?1"
                   : "SELECT run_id, status, finished_at FROM runs WHERE status = 'done' "
                     "ORDER BY run_id DESC LIMIT 1", err, errlen);
    if (!st) return -EIO;
    if (*run_id) sqlite3_bind_int64(st, 1, *run_id);
    int rc = sqlite3_step(st), got = 0;
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(st, 0);
        util_strlcpy(status, store__col(st, 1), 16);
        util_strlcpy(finished_at, store__col(st, 2), 32);
        got = 1;
    } else if (rc != SQLITE_DONE) {
        got = store_fail(sqlite3_db_handle(st), err, errlen, "reading the run to export");
    }
    sqlite3_finalize(st);
    return got;
}

int exports_q_episodes(store *s, const exports_scope *sc, store_row_fn fn, void *ud, char *err,
                       size_t errlen)
{
    return scoped(s, sc,
                  "SELECT episode_id, person_id, template_id, template_version, trigger_type, "
                  "trigger_date, end_date, died, aco_id, arrangement_id, npi, tin, "
                  "attribution_method, base_cents, trend_factor, trend_years, age_factor, "
                  "hcc_count, hcc_factor, dual_factor, discount_bps, target_cents, "
                  "actual_cents, actual_winsorized_cents, quality_met, status, "
                  "exclusion_reason, risk_score, inpatient_cents, snf_cents, "
                  "home_health_cents, outpatient_cents, professional_cents, dme_cents, "
                  "hospice_cents, other_cents, trigger_claim_id, trigger_line, trigger_code, "
                  "trigger_dx, trigger_npi, trigger_tin, age, dual FROM run_episodes e WHERE "
                  SCOPE_EPISODE " ORDER BY template_id, person_id, trigger_date, episode_id",
                  fn, ud, err, errlen);
}

int exports_q_arrangements(store *s, const exports_scope *sc, store_row_fn fn, void *ud,
                           char *err, size_t errlen)
{
    const char *b[] = {sc->aco_id, sc->ebra_id, sc->npi};
    return store_rows(s,
                      "SELECT a.arrangement_id, a.aco_id, a.npi, a.tin, a.template_id, "
                      "a.start_date, a.end_date, a.status, a.discount_bps, a.savings_share_bps, "
                      "a.loss_share_bps, a.stop_gain_bps, a.stop_loss_bps, "
                      "COALESCE(p.name, '') AS provider_name, "
                      "COALESCE(p.specialty_code, '') AS specialty_code FROM arrangements a "
                      "LEFT JOIN providers p ON p.npi = a.npi AND p.tin = a.tin WHERE (?1 IS "
                      "NULL OR a.aco_id = ?1) AND (?2 IS NULL OR a.arrangement_id = ?2) AND (?3 "
                      "IS NULL OR a.npi = ?3) ORDER BY a.arrangement_id",
                      3, b, fn, ud, err, errlen);
}

int exports_q_people(store *s, const exports_scope *sc, store_row_fn fn, void *ud, char *err,
                     size_t errlen)
{
    return scoped(s, sc,
                  "SELECT g.person_id, g.gender, g.birth_date, g.death_date, g.state, "
                  "g.zip_code FROM eligibility g WHERE g.person_id IN (SELECT e.person_id "
                  "FROM run_episodes e WHERE " SCOPE_EPISODE ") AND g.enrollment_start_date = "
                  "(SELECT max(h.enrollment_start_date) FROM eligibility h WHERE h.person_id "
                  "= g.person_id) ORDER BY g.person_id",
                  fn, ud, err, errlen);
}

int exports_q_acos(store *s, store_row_fn fn, void *ud, char *err, size_t errlen)
{
    return store_rows(s,
                      "SELECT a.aco_id, a.name, a.track, COALESCE((SELECT group_concat(tin, ' ') "
                      "FROM (SELECT DISTINCT t.tin FROM aco_tins t WHERE t.aco_id = a.aco_id "
                      "ORDER BY t.tin)), '') AS tins FROM acos a ORDER BY a.aco_id",
                      0, NULL, fn, ud, err, errlen);
}

int exports_q_quality_met(store *s, int64_t run_id, store_row_fn fn, void *ud, char *err,
                          size_t errlen)
{
    char run[24];
    snprintf(run, sizeof run, "%" PRId64, run_id);
    const char *b[] = {run};
    return store_rows(s,
                      "SELECT arrangement_id, CAST(substr(trigger_date, 1, 4) AS INTEGER) AS "
                      "period, sum(quality_met = 1) AS met FROM run_episodes WHERE run_id = ?1 "
                      "AND arrangement_id IS NOT NULL AND target_cents IS NOT NULL GROUP BY 1, 2 "
                      "ORDER BY 1, 2",
                      1, b, fn, ud, err, errlen);
}

int64_t exports_q_previous_atr(store *s, const char *scope, store_row_fn fn, void *ud, char *err,
                               size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, "SELECT max(export_id) FROM exports WHERE format = "
                                         "'atr' AND scope = ?1", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
    int64_t id = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE) id = store_fail(sqlite3_db_handle(st), err, errlen, "reading the previous ATR export");
    sqlite3_finalize(st);
    if (id <= 0) return id;
    char e[24];
    snprintf(e, sizeof e, "%" PRId64, id);
    const char *b[] = {e};
    int n = store_rows(s, "SELECT person_id, family, arrangement_id, npi, tin, start_date, "
                          "end_date FROM export_members WHERE export_id = ?1 ORDER BY "
                          "person_id, family", 1, b, fn, ud, err, errlen);
    return n < 0 ? n : id;
}

int exports_w_record(store *s, const exports_rec *r, int64_t *export_id, char *err, size_t errlen)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = store_begin(s, err, errlen);
    if (rc < 0) return rc;
    sqlite3_stmt *st = store__prepare(s, "INSERT INTO exports (format, run_id, scope, created_at, "
                                         "created_by, sha256, bytes, previous_export) VALUES "
                                         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err, errlen);
    if (!st) {
        store_rollback(s);
        return -EIO;
    }
    sqlite3_bind_text(st, 1, r->format, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->run_id);
    sqlite3_bind_text(st, 3, r->scope, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->created_by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, r->bytes);
    if (r->previous_export > 0) sqlite3_bind_int64(st, 8, r->previous_export);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail(store_db(s), err, errlen, "recording the export");
    sqlite3_finalize(st);
    int64_t id = sqlite3_last_insert_rowid(store_db(s));
    st = rc < 0 ? NULL : store__prepare(s, "INSERT INTO export_members (export_id, person_id, "
                                           "family, arrangement_id, npi, tin, start_date, "
                                           "end_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                        err, errlen);
    if (rc == 0 && !st) rc = -EIO;
    for (size_t i = 0; rc == 0 && i < r->n_members; i++) {
        const exports_member_rec *m = &r->members[i];
        const char *v[] = {m->person_id, m->family, m->arrangement_id, m->npi, m->tin,
                           m->start_date, m->end_date};
        sqlite3_bind_int64(st, 1, id);
        for (int k = 0; k < 7; k++) sqlite3_bind_text(st, 2 + k, v[k], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_fail(store_db(s), err, errlen, "recording member %s of the export",
                            m->person_id);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        store_rollback(s);
        return rc;
    }
    rc = store_commit(s, err, errlen);
    if (rc == 0) *export_id = id;
    return rc;
}

int exports_q_list(store *s, const char *part, int64_t limit, json_t **out, char *err,
                   size_t errlen)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%" PRId64, limit);
    const char *b[] = {part, lim};
    return store_rows_json(s,
                           "SELECT export_id, format, run_id, scope, created_at, created_by, "
                           "sha256, bytes, previous_export FROM exports WHERE ?1 IS NULL OR "
                           "instr('/' || scope || '/', '/' || ?1 || '/') > 0 ORDER BY export_id "
                           "DESC LIMIT ?2",
                           2, b, out, err, errlen);
}
