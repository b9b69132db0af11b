/*
 * report.c: see report.h.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

#define COLS(a) a, sizeof a / sizeof a[0]

static const report_col episode_cols[] = {
    {"episode_id", REPORT_TEXT, 1},       {"person_id", REPORT_TEXT, 0},
    {"template_id", REPORT_TEXT, 0},      {"trigger_type", REPORT_TEXT, 1},
    {"trigger_date", REPORT_TEXT, 1},     {"end_date", REPORT_TEXT, 1},
    {"npi", REPORT_TEXT, 1},              {"tin", REPORT_TEXT, 0},
    {"attribution_method", REPORT_TEXT, 1}, {"base_cents", REPORT_MONEY, 0},
    {"trend_factor", REPORT_FACTOR, 0},   {"trend_years", REPORT_INT, 0},
    {"age_factor", REPORT_FACTOR, 0},     {"hcc_count", REPORT_INT, 1},
    {"hcc_factor", REPORT_FACTOR, 0},     {"dual_factor", REPORT_FACTOR, 0},
    {"discount_bps", REPORT_INT, 0},      {"target_cents", REPORT_MONEY, 1},
    {"actual_cents", REPORT_MONEY, 1},    {"actual_winsorized_cents", REPORT_MONEY, 1},
    {"quality_met", REPORT_BOOL, 1},      {"status", REPORT_TEXT, 1},
    {"exclusion_reason", REPORT_TEXT, 1},
};
static const char episode_sql[] =
    "SELECT episode_id, person_id, template_id, trigger_type, trigger_date, end_date, npi, tin, "
    "attribution_method, base_cents, trend_factor, trend_years, age_factor, hcc_count, "
    "hcc_factor, dual_factor, discount_bps, target_cents, actual_cents, "
    "actual_winsorized_cents, quality_met, status, exclusion_reason FROM run_episodes "
    "WHERE run_id = ?1 AND (?2 IS NULL OR npi = ?2) AND (?3 IS NULL OR tin = ?3) AND (?4 IS NULL OR aco_id = ?4) AND (?5 IS NULL OR template_id = ?5) "
    "ORDER BY template_id, person_id, trigger_date";

static const report_col arrangement_cols[] = {
    {"arrangement_id", REPORT_TEXT, 1},   {"aco_id", REPORT_TEXT, 1},
    {"npi", REPORT_TEXT, 1},              {"tin", REPORT_TEXT, 0},
    {"template_id", REPORT_TEXT, 1},      {"template_version", REPORT_TEXT, 0},
    {"period", REPORT_INT, 1},            {"episodes", REPORT_INT, 1},
    {"target_cents", REPORT_MONEY, 1},    {"actual_cents", REPORT_MONEY, 0},
    {"actual_winsorized_cents", REPORT_MONEY, 1}, {"gross_cents", REPORT_MONEY, 1},
    {"quality_bps", REPORT_INT, 1},       {"quality_adjusted_cents", REPORT_MONEY, 1},
    {"share_bps", REPORT_INT, 1},         {"payment_cents", REPORT_MONEY, 1},
    {"cap_applied", REPORT_TEXT, 1},      {"status", REPORT_TEXT, 1},
};
static const char arrangement_sql[] =
    "SELECT arrangement_id, aco_id, npi, tin, template_id, template_version, period, "
    "episodes, target_cents, actual_cents, actual_winsorized_cents, gross_cents, quality_bps, "
    "quality_adjusted_cents, share_bps, payment_cents, cap_applied, status "
    "FROM run_arrangements WHERE run_id = ?1 AND (?2 IS NULL OR npi = ?2) AND (?3 IS NULL OR tin = ?3) AND (?4 IS NULL OR aco_id = ?4) AND (?5 IS NULL OR template_id = ?5) "
    "ORDER BY arrangement_id, period";

static const report_col specialist_cols[] = {
    {"npi", REPORT_TEXT, 1},           {"tin", REPORT_TEXT, 1},
    {"name", REPORT_TEXT, 1},          {"specialty_code", REPORT_TEXT, 1},
    {"arrangements", REPORT_INT, 1},   {"episodes", REPORT_INT, 1},
    {"target_cents", REPORT_MONEY, 1}, {"actual_winsorized_cents", REPORT_MONEY, 1},
    {"payment_cents", REPORT_MONEY, 1},
};
static const char specialist_sql[] =
    "SELECT r.npi, r.tin, COALESCE(p.name, ''), COALESCE(p.specialty_code, ''), "
    "count(DISTINCT r.arrangement_id), sum(r.episodes), sum(r.target_cents), "
    "sum(r.actual_winsorized_cents), sum(r.payment_cents) FROM run_arrangements r "
    "LEFT JOIN providers p ON p.npi = r.npi AND p.tin = r.tin WHERE r.run_id = ?1 AND "
    "(?2 IS NULL OR r.npi = ?2) AND (?3 IS NULL OR r.tin = ?3) AND (?4 IS NULL OR r.aco_id = ?4) AND (?5 IS NULL OR r.template_id = ?5) "
    "GROUP BY r.npi, r.tin ORDER BY r.npi, r.tin";

static const report_col aco_cols[] = {
    {"aco_id", REPORT_TEXT, 1},         {"name", REPORT_TEXT, 1},
    {"track", REPORT_TEXT, 1},          {"episodes", REPORT_INT, 1},
    {"excluded", REPORT_INT, 1},        {"attributed", REPORT_INT, 1},
    {"unattributed", REPORT_INT, 1},    {"target_cents", REPORT_MONEY, 1},
    {"actual_cents", REPORT_MONEY, 1},  {"payment_cents", REPORT_MONEY, 1},
    {"leakage_providers", REPORT_INT, 1}, {"leakage_lines", REPORT_INT, 1},
    {"leakage_paid_cents", REPORT_MONEY, 1},
};
static const char aco_sql[] =
    "WITH e AS (SELECT aco_id, count(*) AS episodes, "
    "  sum(status = 'excluded') AS excluded, sum(arrangement_id IS NOT NULL) AS attributed, "
    "  sum(status != 'excluded' AND arrangement_id IS NULL) AS unattributed, "
    "  sum(CASE WHEN status != 'excluded' THEN target_cents ELSE 0 END) AS target, "
    "  sum(CASE WHEN status != 'excluded' THEN actual_cents ELSE 0 END) AS actual "
    "  FROM run_episodes WHERE run_id = ?1 AND aco_id IS NOT NULL GROUP BY aco_id), "
    "p AS (SELECT aco_id, sum(payment_cents) AS payment FROM run_arrangements "
    "  WHERE run_id = ?1 GROUP BY aco_id), "
    "l AS (SELECT aco_id, count(DISTINCT npi || '/' || tin) AS providers, sum(lines) AS lines, "
    "  sum(paid_cents) AS paid FROM run_leakage WHERE run_id = ?1 GROUP BY aco_id) "
    "SELECT e.aco_id, COALESCE(a.name, ''), COALESCE(a.track, ''), e.episodes, e.excluded, "
    "e.attributed, e.unattributed, e.target, e.actual, COALESCE(p.payment, 0), "
    "COALESCE(l.providers, 0), COALESCE(l.lines, 0), COALESCE(l.paid, 0) FROM e "
    "LEFT JOIN acos a ON a.aco_id = e.aco_id LEFT JOIN p ON p.aco_id = e.aco_id "
    "LEFT JOIN l ON l.aco_id = e.aco_id WHERE (?4 IS NULL OR e.aco_id = ?4) ORDER BY e.aco_id";

static const report_col template_cols[] = {
    {"template_id", REPORT_TEXT, 1},   {"template_version", REPORT_TEXT, 1},
    {"episodes", REPORT_INT, 1},       {"excluded", REPORT_INT, 1},
    {"attributed", REPORT_INT, 1},     {"unattributed", REPORT_INT, 1},
    {"target_cents", REPORT_MONEY, 1}, {"actual_cents", REPORT_MONEY, 1},
    {"actual_winsorized_cents", REPORT_MONEY, 1}, {"payment_cents", REPORT_MONEY, 1},
};
static const char template_sql[] =
    "SELECT e.template_id, e.template_version, count(*), sum(e.status = 'excluded'), "
    "sum(e.arrangement_id IS NOT NULL), sum(e.status != 'excluded' AND e.arrangement_id IS NULL), "
    "COALESCE(sum(e.target_cents), 0), "
    "sum(CASE WHEN e.status != 'excluded' THEN e.actual_cents ELSE 0 END), "
    "COALESCE(sum(e.actual_winsorized_cents), 0), "
    "COALESCE((SELECT sum(payment_cents) FROM run_arrangements r WHERE r.run_id = ?1 "
    "  AND r.template_id = e.template_id), 0) "
    "FROM run_episodes e WHERE e.run_id = ?1 AND (?4 IS NULL OR e.aco_id = ?4) AND "
    "(?5 IS NULL OR e.template_id = ?5) GROUP BY e.template_id, e.template_version "
    "ORDER BY e.template_id";

static const report_col leakage_cols[] = {
    {"aco_id", REPORT_TEXT, 1},   {"npi", REPORT_TEXT, 1},      {"tin", REPORT_TEXT, 1},
    {"name", REPORT_TEXT, 1},     {"episodes", REPORT_INT, 1},  {"lines", REPORT_INT, 1},
    {"paid_cents", REPORT_MONEY, 1},
};
static const char leakage_sql[] =
    "SELECT l.aco_id, l.npi, l.tin, COALESCE(p.name, ''), count(DISTINCT l.episode_id), "
    "sum(l.lines), sum(l.paid_cents) FROM run_leakage l LEFT JOIN providers p ON p.npi = l.npi "
    "AND p.tin = l.tin WHERE l.run_id = ?1 AND (?2 IS NULL OR l.npi = ?2) AND (?3 IS NULL OR "
    "l.tin = ?3) AND (?4 IS NULL OR l.aco_id = ?4) GROUP BY l.aco_id, l.npi, l.tin "
    "ORDER BY l.aco_id, sum(l.paid_cents) DESC, l.npi, l.tin";

static const report_def reports[] = {
    {"episode", COLS(episode_cols), episode_sql},
    {"arrangement", COLS(arrangement_cols), arrangement_sql},
    {"specialist", COLS(specialist_cols), specialist_sql},
    {"aco", COLS(aco_cols), aco_sql},
    {"template", COLS(template_cols), template_sql},
    {"leakage", COLS(leakage_cols), leakage_sql},
};


const report_def *report_find(const char *by)
{
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++)
        if (by && strcmp(reports[i].by, by) == 0) return &reports[i];
    return NULL;
}

const char *report_names(void)
{
    return "episode, arrangement, specialist, aco, template, leakage";
}

json_t *report_cell_json(sqlite3_stmt *st, int i, int type)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) return json_null();
    int64_t v = sqlite3_column_int64(st, i);
    char buf[32];
    switch (type) {
    case REPORT_FACTOR: factor_format(v, buf); return json_string(buf);
    case REPORT_BOOL: return json_boolean(v);
    case REPORT_INT:
    case REPORT_MONEY: return json_integer(v);
    default: return json_string((const char *)sqlite3_column_text(st, i));
    }
}

