/*
 * run_carry_q.c: see run_carry_q.h.
 */
#include "run_carry_q.h"

#include <errno.h>
#include <string.h>

#include "store_internal.h"

static const char Q_EPISODES[] =
    "SELECT episode_id, person_id, template_id, template_version, trigger_type, trigger_date, "
    "end_date, died, aco_id, arrangement_id, npi, tin, attribution_method, base_cents, "
    "trend_factor, trend_years, age_factor, hcc_count, hcc_factor, dual_factor, discount_bps, "
    "target_cents, actual_cents, actual_winsorized_cents, quality_met, status, "
    "exclusion_reason, risk_score, inpatient_cents, snf_cents, home_health_cents, "
    "outpatient_cents, professional_cents, dme_cents, hospice_cents, other_cents, "
    "trigger_claim_id, trigger_line, trigger_code, trigger_dx, trigger_npi, trigger_tin, age, "
    "dual FROM run_episodes e WHERE run_id = ?1";

static const char *text_or_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : store__col(st, i);
}

static int int_or(sqlite3_stmt *st, int i, int dflt)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int(st, i);
}

static void read_episode(sqlite3_stmt *st, run_episode_rec *r)
{
    memset(r, 0, sizeof *r);
    const char **t[] = {&r->episode_id, &r->person_id, &r->template_id, &r->template_version,
                        &r->trigger_type, &r->trigger_date, &r->end_date};
    for (int k = 0; k < 7; k++) *t[k] = text_or_null(st, k);
    r->died = sqlite3_column_int(st, 7);
    r->aco_id = text_or_null(st, 8);
    r->arrangement_id = text_or_null(st, 9);
    r->npi = text_or_null(st, 10);
    r->tin = text_or_null(st, 11);
    r->attribution_method = text_or_null(st, 12);
    r->has_target = sqlite3_column_type(st, 21) != SQLITE_NULL;
    int64_t *v[] = {&r->base_cents, &r->trend_factor, &r->trend_years, &r->age_factor,
                    &r->hcc_count, &r->hcc_factor, &r->dual_factor, &r->discount_bps,
                    &r->target_cents};
    for (int k = 0; k < 9; k++) *v[k] = sqlite3_column_int64(st, 13 + k);
    r->actual_cents = sqlite3_column_int64(st, 22);
    r->actual_winsorized_cents = sqlite3_column_int64(st, 23);
    r->quality_met = sqlite3_column_int(st, 24);
    r->status = text_or_null(st, 25);
    r->exclusion_reason = text_or_null(st, 26);
    r->has_risk = sqlite3_column_type(st, 27) != SQLITE_NULL;
    r->risk_score = sqlite3_column_int64(st, 27);
    for (int k = 0; k < SETTING_N; k++) r->by_setting[k] = sqlite3_column_int64(st, 28 + k);
    r->trigger_claim_id = text_or_null(st, 36);
    r->trigger_line = int_or(st, 37, 0);
    r->trigger_code = text_or_null(st, 38);
    r->trigger_dx = text_or_null(st, 39);
    r->trigger_npi = text_or_null(st, 40);
    r->trigger_tin = text_or_null(st, 41);
    r->age = int_or(st, 42, -1);
    r->dual = int_or(st, 43, -1);
}

static sqlite3_stmt *open_q(store *s, const char *sql, int64_t run_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, sql, err, errlen);
    if (st) sqlite3_bind_int64(st, 1, run_id);
    return st;
}

int run_carry_q_episodes(store *s, int64_t run_id,
                         int (*fn)(const run_episode_rec *r, void *ud), void *ud, char *err,
                         size_t errlen)
{
    sqlite3_stmt *st = open_q(s, Q_EPISODES, run_id, err, errlen);
    if (!st) return -EIO;
    int rc, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        run_episode_rec r;
        read_episode(st, &r);
        k = fn(&r, ud);
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

int run_carry_q_leakage(store *s, int64_t run_id,
                        int (*fn)(const run_leak_rec *r, void *ud), void *ud, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st = open_q(s,
        "SELECT episode_id, aco_id, npi, tin, lines, paid_cents, person_id FROM run_leakage "
        "WHERE run_id = ?1",
        run_id, err, errlen);
    if (!st) return -EIO;
    int rc, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        run_leak_rec r = {store__col(st, 0), text_or_null(st, 1), store__col(st, 2),
                          store__col(st, 3), sqlite3_column_int64(st, 4),
                          sqlite3_column_int64(st, 5), text_or_null(st, 6)};
        k = fn(&r, ud);
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

int run_carry_q_people(store *s, int64_t run_id,
                       int (*fn)(const char *person_id, int64_t claim_lines, int64_t claims,
                                 int no_eligibility, void *ud),
                       void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = open_q(s,
        "SELECT person_id, claim_lines, no_eligibility, coalesce(claims, -1) FROM run_people "
        "WHERE run_id = ?1 ORDER BY person_id",
        run_id, err, errlen);
    if (!st) return -EIO;
    int rc, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW)
        k = fn(store__col(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 3),
               sqlite3_column_int(st, 2), ud);
    return store__reader_end(s, st, rc, k, err, errlen);
}

int run_carry_q_own(store *s, int64_t run_id, int (*fn)(const char *person_id, void *ud),
                    void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = open_q(s, "SELECT person_id FROM run_own_people WHERE run_id = ?1 "
                                 "ORDER BY person_id", run_id, err, errlen);
    if (!st) return -EIO;
    int rc, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) k = fn(store__col(st, 0), ud);
    return store__reader_end(s, st, rc, k, err, errlen);
}
