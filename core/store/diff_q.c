/*
 * diff_q.c: see diff_q.h.
 */
#include "diff_q.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

/* ?1 = run A, ?2 = run B. Every section's columns: key columns, then pairs a/b. */
static const char TEMPLATE_SQL[] =
    "WITH t AS (SELECT run_id, template_id, sum(status != 'excluded') AS episodes, "
    "  COALESCE(sum(target_cents), 0) AS target, "
    "  sum(CASE WHEN status != 'excluded' THEN actual_cents ELSE 0 END) AS actual "
    "  FROM run_episodes WHERE run_id IN (?1, ?2) GROUP BY run_id, template_id), "
    "p AS (SELECT run_id, template_id, sum(payment_cents) AS payment FROM run_arrangements "
    "  WHERE run_id IN (?1, ?2) GROUP BY run_id, template_id), "
    "k AS (SELECT DISTINCT template_id FROM t) "
    "SELECT k.template_id, "
    " COALESCE(a.episodes, 0), COALESCE(b.episodes, 0), COALESCE(a.target, 0), COALESCE(b.target, 0), "
    " COALESCE(a.actual, 0), COALESCE(b.actual, 0), COALESCE(pa.payment, 0), COALESCE(pb.payment, 0) "
    "FROM k LEFT JOIN t a ON a.run_id = ?1 AND a.template_id = k.template_id "
    "LEFT JOIN t b ON b.run_id = ?2 AND b.template_id = k.template_id "
    "LEFT JOIN p pa ON pa.run_id = ?1 AND pa.template_id = k.template_id "
    "LEFT JOIN p pb ON pb.run_id = ?2 AND pb.template_id = k.template_id ORDER BY 1";

static const char ARRANGEMENT_SQL[] =
    "WITH k AS (SELECT DISTINCT arrangement_id, period FROM run_arrangements "
    "  WHERE run_id IN (?1, ?2)) "
    "SELECT k.arrangement_id, k.period, "
    " COALESCE(a.episodes, 0), COALESCE(b.episodes, 0), COALESCE(a.target_cents, 0), "
    " COALESCE(b.target_cents, 0), COALESCE(a.actual_winsorized_cents, 0), "
    " COALESCE(b.actual_winsorized_cents, 0), COALESCE(a.payment_cents, 0), "
    " COALESCE(b.payment_cents, 0), COALESCE(a.status, ''), COALESCE(b.status, '') "
    "FROM k LEFT JOIN run_arrangements a ON a.run_id = ?1 AND a.arrangement_id = "
    "  k.arrangement_id AND a.period = k.period "
    "LEFT JOIN run_arrangements b ON b.run_id = ?2 AND b.arrangement_id = "
    "  k.arrangement_id AND b.period = k.period ORDER BY 1, 2";

static const char EPISODE_SQL[] =
    "WITH k AS (SELECT DISTINCT episode_id FROM run_episodes WHERE run_id IN (?1, ?2)) "
    "SELECT k.episode_id, "
    " CASE WHEN a.episode_id IS NULL THEN 'absent' WHEN a.status = 'excluded' THEN "
    "   'excluded:' || a.exclusion_reason ELSE COALESCE(a.arrangement_id, 'unattributed') END, "
    " CASE WHEN b.episode_id IS NULL THEN 'absent' WHEN b.status = 'excluded' THEN "
    "   'excluded:' || b.exclusion_reason ELSE COALESCE(b.arrangement_id, 'unattributed') END, "
    " COALESCE(a.attribution_method, ''), COALESCE(b.attribution_method, ''), "
    " COALESCE(a.target_cents, 0), COALESCE(b.target_cents, 0) "
    "FROM k LEFT JOIN run_episodes a ON a.run_id = ?1 AND a.episode_id = k.episode_id "
    "LEFT JOIN run_episodes b ON b.run_id = ?2 AND b.episode_id = k.episode_id "
    "WHERE a.episode_id IS NULL OR b.episode_id IS NULL "
    "   OR COALESCE(a.arrangement_id, '') != COALESCE(b.arrangement_id, '') "
    "   OR a.status != b.status OR COALESCE(a.attribution_method, '') != "
    "      COALESCE(b.attribution_method, '') "
    "ORDER BY 1";

/* Leakage per ACO (the ACO the beneficiary was aligned to on day 0; '' when none). */
static const char LEAKAGE_SQL[] =
    "WITH t AS (SELECT run_id, COALESCE(aco_id, '') AS aco_id, sum(lines) AS lines, "
    "  sum(paid_cents) AS paid FROM run_leakage WHERE run_id IN (?1, ?2) "
    "  GROUP BY run_id, COALESCE(aco_id, '')), "
    "k AS (SELECT DISTINCT aco_id FROM t) "
    "SELECT k.aco_id, COALESCE(a.lines, 0), COALESCE(b.lines, 0), COALESCE(a.paid, 0), "
    " COALESCE(b.paid, 0) "
    "FROM k LEFT JOIN t a ON a.run_id = ?1 AND a.aco_id = k.aco_id "
    "LEFT JOIN t b ON b.run_id = ?2 AND b.aco_id = k.aco_id ORDER BY 1";

/* Leakage per ACO and provider TIN (and NPI), where it changed. */
static const char LEAKAGE_PROVIDER_SQL[] =
    "WITH t AS (SELECT run_id, COALESCE(aco_id, '') AS aco_id, tin, npi, sum(lines) AS lines, "
    "  sum(paid_cents) AS paid FROM run_leakage WHERE run_id IN (?1, ?2) "
    "  GROUP BY run_id, COALESCE(aco_id, ''), tin, npi), "
    "k AS (SELECT DISTINCT aco_id, tin, npi FROM t) "
    "SELECT k.aco_id, k.tin, k.npi, COALESCE(a.lines, 0), COALESCE(b.lines, 0), "
    " COALESCE(a.paid, 0), COALESCE(b.paid, 0) "
    "FROM k LEFT JOIN t a ON a.run_id = ?1 AND a.aco_id = k.aco_id AND a.tin = k.tin AND a.npi = k.npi "
    "LEFT JOIN t b ON b.run_id = ?2 AND b.aco_id = k.aco_id AND b.tin = k.tin AND b.npi = k.npi "
    "WHERE COALESCE(a.lines, 0) != COALESCE(b.lines, 0) OR COALESCE(a.paid, 0) != COALESCE(b.paid, 0) "
    "ORDER BY 1, 2, 3";

/* ?1 = run A, ?2 = run B: components that differ, in (kind, name) order. */
static const char COMPONENTS_SQL[] =
    "WITH k AS (SELECT kind, name FROM run_components WHERE run_id IN (?1, ?2)) "
    "SELECT DISTINCT k.kind, k.name, a.version, b.version, a.sha256, b.sha256, a.content, "
    " b.content, COALESCE(b.relpath, a.relpath, k.name) "
    "FROM k LEFT JOIN run_components a ON a.run_id = ?1 AND a.kind = k.kind AND a.name = k.name "
    "LEFT JOIN run_components b ON b.run_id = ?2 AND b.kind = k.kind AND b.name = k.name "
    "WHERE a.sha256 IS NULL OR b.sha256 IS NULL OR a.sha256 != b.sha256 OR "
    " a.version != b.version ORDER BY k.kind, k.name";

static const struct {
    const char *kind;
    const char *sql;
} sections[] = {
    {"template", TEMPLATE_SQL},
    {"arrangement", ARRANGEMENT_SQL},
    {"attribution", EPISODE_SQL},
    {"leakage", LEAKAGE_SQL},
    {"leakage_provider", LEAKAGE_PROVIDER_SQL},
};

static int two_runs(store *s, const char *sql, int64_t a, int64_t b, store_row_fn fn, void *ud,
                    char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return store__rows_step(db, st, fn, ud, err, errlen);
}

int diff_q_section(store *s, const char *kind, int64_t a, int64_t b, store_row_fn fn, void *ud,
                   char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (!strcmp(kind, sections[i].kind))
            return two_runs(s, sections[i].sql, a, b, fn, ud, err, errlen);
    if (err && errlen) snprintf(err, errlen, "no diff section \"%s\"", kind);
    return -EINVAL;
}

int diff_q_components(store *s, int64_t a, int64_t b, store_row_fn fn, void *ud, char *err,
                      size_t errlen)
{
    return two_runs(s, COMPONENTS_SQL, a, b, fn, ud, err, errlen);
}
