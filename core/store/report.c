/*
 * report.c: see report.h.
 */
#include "report.h"
#include "store_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define COLS(a) a, sizeof a / sizeof a[0]

/* The filters every report over run_episodes applies (?7: the year of day 0). */
#define EP_WHERE                                                                          \
    "(?2 IS NULL OR npi = ?2) AND (?3 IS NULL OR tin = ?3) AND (?4 IS NULL OR aco_id = ?4) " \
    "AND (?5 IS NULL OR template_id = ?5) AND (?6 IS NULL OR arrangement_id = ?6) "          \
    "AND (?7 IS NULL OR substr(trigger_date, 1, 4) = ?7)"

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
    {"exclusion_reason", REPORT_TEXT, 1}, {"arrangement_id", REPORT_TEXT, 1},
    {"risk_score", REPORT_FACTOR, 0},
    /* an interim run (cara run --as-of): the projected final cost and its band */
    {"projected_actual_cents", REPORT_MONEY, 0}, {"projected_low_cents", REPORT_MONEY, 0},
    {"projected_high_cents", REPORT_MONEY, 0},  {"paid_through_date", REPORT_TEXT, 0},
};
/* the claims a run read were paid through: an interim run's as-of date, else the
 * data's own as-of date */
#define PAID_THROUGH "(SELECT COALESCE(paid_through_date, as_of_date) FROM runs WHERE run_id = ?1)"
static const char episode_sql[] =
    "SELECT episode_id, person_id, template_id, trigger_type, trigger_date, end_date, npi, tin, "
    "attribution_method, base_cents, trend_factor, trend_years, age_factor, hcc_count, "
    "hcc_factor, dual_factor, discount_bps, target_cents, actual_cents, "
    "actual_winsorized_cents, quality_met, status, exclusion_reason, arrangement_id, "
    "risk_score, projected_actual_cents, projected_low_cents, projected_high_cents, "
    PAID_THROUGH " FROM run_episodes WHERE run_id = ?1 AND " EP_WHERE " "
    "ORDER BY template_id, person_id, trigger_date";

/* The run's performance years: its --period, the years of its episodes' day 0 and of
 * its arrangement rows. */
#define RUN_YEARS                                                                          \
    "SELECT period AS y FROM runs WHERE run_id = ?1 AND period IS NOT NULL "                \
    "UNION SELECT CAST(substr(trigger_date, 1, 4) AS INTEGER) FROM run_episodes WHERE run_id = ?1 " \
    "UNION SELECT period FROM run_arrangements WHERE run_id = ?1"

/* The run's arrangement rows, and one 'no_episodes' row per arrangement in force (the
 * statuses the engine reads: active, ended, terminated) during one of the run's years,
 * of a template the run used, that has no row for that year: 0 episodes, zero money,
 * no reconciliation (gross, quality, adjusted and share null, as for insufficient
 * volume). */
#define ARR_ROWS                                                                           \
    "SELECT arrangement_id, aco_id, npi, tin, template_id, template_version, period, "      \
    "episodes, target_cents, actual_cents, actual_winsorized_cents, gross_cents, quality_bps, " \
    "quality_adjusted_cents, share_bps, payment_cents, cap_applied, status, "               \
    "projected_actual_cents, projected_winsorized_cents, projected_payment_cents, "         \
    "projected_payment_low_cents, projected_payment_high_cents "                            \
    "FROM run_arrangements WHERE run_id = ?1 "                                              \
    "UNION ALL SELECT a.arrangement_id, a.aco_id, a.npi, a.tin, a.template_id, c.version, y.y, " \
    "0, 0, 0, 0, NULL, NULL, NULL, NULL, 0, NULL, 'no_episodes', NULL, NULL, NULL, NULL, "  \
    "NULL FROM arrangements a "                                                             \
    "JOIN (" RUN_YEARS ") y ON a.start_date <= y.y || '-12-31' "                            \
    "AND (a.end_date IS NULL OR a.end_date >= y.y || '-01-01') "                            \
    "JOIN run_components c ON c.run_id = ?1 AND c.kind = 'template' AND c.name = a.template_id " \
    "WHERE a.status IN ('active', 'ended', 'terminated') AND NOT EXISTS (SELECT 1 FROM "    \
    "run_arrangements x WHERE x.run_id = ?1 AND x.arrangement_id = a.arrangement_id "       \
    "AND x.period = y.y)"

#define ARR_WHERE                                                                          \
    "(?2 IS NULL OR r.npi = ?2) AND (?3 IS NULL OR r.tin = ?3) AND (?4 IS NULL OR r.aco_id = ?4) " \
    "AND (?5 IS NULL OR r.template_id = ?5) AND (?6 IS NULL OR r.arrangement_id = ?6) "     \
    "AND (?7 IS NULL OR r.period = CAST(?7 AS INTEGER))"

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
    {"leakage_lines", REPORT_INT, 0},     {"leakage_paid_cents", REPORT_MONEY, 1},
    /* an interim run (cara run --as-of): the reconciliation on projected final costs */
    {"projected_actual_cents", REPORT_MONEY, 0}, {"projected_winsorized_cents", REPORT_MONEY, 0},
    {"projected_payment_cents", REPORT_MONEY, 0},
    {"projected_payment_low_cents", REPORT_MONEY, 0},
    {"projected_payment_high_cents", REPORT_MONEY, 0}, {"paid_through_date", REPORT_TEXT, 0},
};
/* The leakage of each arrangement's episodes (attributed to it) by year of day 0, read
 * from the attributed episodes (their index) to their leakage rows, not the other way
 * (every leakage row of the run). */
#define ARR_LEAK                                                                           \
    "WITH lk AS (SELECT e.arrangement_id AS arrangement_id, substr(e.trigger_date, 1, 4) AS " \
    "y, sum(l.lines) AS lines, sum(l.paid_cents) AS paid FROM run_episodes e CROSS JOIN "  \
    "run_leakage l ON l.run_id = e.run_id AND l.episode_id = e.episode_id WHERE e.run_id = " \
    "?1 AND e.arrangement_id >= '' GROUP BY 1, 2) "
static const char arrangement_sql[] =
    ARR_LEAK "SELECT r.arrangement_id, r.aco_id, r.npi, r.tin, r.template_id, "
    "r.template_version, r.period, r.episodes, r.target_cents, r.actual_cents, "
    "r.actual_winsorized_cents, r.gross_cents, r.quality_bps, r.quality_adjusted_cents, "
    "r.share_bps, r.payment_cents, r.cap_applied, r.status, COALESCE(lk.lines, 0), "
    "COALESCE(lk.paid, 0), r.projected_actual_cents, r.projected_winsorized_cents, "
    "r.projected_payment_cents, r.projected_payment_low_cents, r.projected_payment_high_cents, "
    PAID_THROUGH " FROM (" ARR_ROWS ") r LEFT JOIN lk ON lk.arrangement_id = "
    "r.arrangement_id AND lk.y = CAST(r.period AS TEXT) WHERE " ARR_WHERE " "
    "ORDER BY r.arrangement_id, r.period";

static const report_col specialist_cols[] = {
    {"npi", REPORT_TEXT, 1},           {"tin", REPORT_TEXT, 1},
    {"name", REPORT_TEXT, 1},          {"specialty_code", REPORT_TEXT, 1},
    {"arrangements", REPORT_INT, 1},   {"episodes", REPORT_INT, 1},
    {"target_cents", REPORT_MONEY, 1}, {"actual_winsorized_cents", REPORT_MONEY, 1},
    {"payment_cents", REPORT_MONEY, 1}, {"status", REPORT_TEXT, 1},
    {"savings_bps", REPORT_INT, 1},     {"savings_bps_low", REPORT_INT, 1},
    {"savings_bps_high", REPORT_INT, 1},
};
/* savings_bps: (target - winsorized actual) / target in basis points, rounded half away
 * from zero in integers (NULL without a target). The interval is a display statistic
 * for ranking, not money: the ratio estimator's 90% interval (R +/- 1.645 SE, SE =
 * sqrt(sum((s_i - R t_i)^2) / (n (n - 1))) / mean(t)) over the specialist's priced,
 * attributed episodes (s_i = t_i - a_i), in REAL arithmetic, rounded to basis points;
 * NULL under 2 episodes (docs/reports.md "--by specialist"). */
#define SAVINGS_BPS(s, t)                                                                      "(CASE WHEN " t " > 0 THEN (CASE WHEN " s " >= 0 THEN (20000 * " s " + " t ") / (2 * " t     ") ELSE -((20000 * -(" s ") + " t ") / (2 * " t ")) END) END)"
#define SE_BPS "(16450.0 * sqrt(max(v.ss - 2 * v.s / v.t * v.st + v.s / v.t * v.s / v.t * v.tt, "     "0) / (v.n * (v.n - 1))) / (v.t / v.n))"
static const char specialist_sql[] =
    "WITH v AS (SELECT npi, tin, count(*) AS n, total(target_cents) AS t, "
    "total(target_cents - actual_winsorized_cents) AS s, total(CAST(target_cents - "
    "actual_winsorized_cents AS REAL) * (target_cents - actual_winsorized_cents)) AS ss, "
    "total(CAST(target_cents - actual_winsorized_cents AS REAL) * target_cents) AS st, "
    "total(CAST(target_cents AS REAL) * target_cents) AS tt FROM run_episodes WHERE run_id = "
    "?1 AND arrangement_id IS NOT NULL AND target_cents IS NOT NULL AND status != 'excluded' "
    "AND " EP_WHERE " GROUP BY npi, tin) "
    "SELECT q.*, CASE WHEN v.n >= 2 AND v.t > 0 THEN CAST(round(10000.0 * v.s / v.t - " SE_BPS
    ") AS INTEGER) END, CASE WHEN v.n >= 2 AND v.t > 0 THEN CAST(round(10000.0 * v.s / v.t + "
    SE_BPS ") AS INTEGER) END FROM (SELECT r.npi, r.tin, COALESCE(p.name, ''), "
    "COALESCE(p.specialty_code, ''), count(DISTINCT r.arrangement_id), sum(r.episodes), "
    "sum(r.target_cents), sum(r.actual_winsorized_cents), sum(r.payment_cents), "
    "CASE WHEN sum(r.episodes) = 0 THEN 'no_episodes' ELSE 'attributed' END, "
    SAVINGS_BPS("(sum(r.target_cents) - sum(r.actual_winsorized_cents))", "sum(r.target_cents)")
    " FROM (" ARR_ROWS ") r LEFT JOIN providers p ON p.npi = r.npi AND p.tin = r.tin "
    "WHERE " ARR_WHERE " GROUP BY r.npi, r.tin) q LEFT JOIN v ON v.npi = q.npi AND v.tin = "
    "q.tin ORDER BY q.npi, q.tin";

/* A leakage row's episode has its day 0 in the period ?7. */
#define LEAK_PERIOD(l)                                                                     \
    "(?7 IS NULL OR EXISTS (SELECT 1 FROM run_episodes pe WHERE pe.run_id = ?1 AND "        \
    "pe.episode_id = " l ".episode_id AND substr(pe.trigger_date, 1, 4) = ?7))"

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
    "  FROM run_episodes WHERE run_id = ?1 AND aco_id IS NOT NULL "
    "  AND (?7 IS NULL OR substr(trigger_date, 1, 4) = ?7) GROUP BY aco_id), "
    "p AS (SELECT aco_id, sum(payment_cents) AS payment FROM run_arrangements "
    "  WHERE run_id = ?1 AND (?7 IS NULL OR period = CAST(?7 AS INTEGER)) GROUP BY aco_id), "
    "l AS (SELECT aco_id, count(*) AS providers, sum(lines) AS lines, sum(paid) AS paid FROM "
    "  (SELECT aco_id, sum(lines) AS lines, sum(paid_cents) AS paid FROM run_leakage lk "
    "  WHERE run_id = ?1 AND " LEAK_PERIOD("lk") " GROUP BY aco_id, npi, tin) GROUP BY aco_id) "
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
    "  AND r.template_id = e.template_id AND (?7 IS NULL OR r.period = CAST(?7 AS INTEGER))), 0) "
    "FROM run_episodes e WHERE e.run_id = ?1 AND (?4 IS NULL OR e.aco_id = ?4) AND "
    "(?5 IS NULL OR e.template_id = ?5) AND (?7 IS NULL OR substr(e.trigger_date, 1, 4) = ?7) "
    "GROUP BY e.template_id, e.template_version ORDER BY e.template_id";

static const report_col leakage_cols[] = {
    {"aco_id", REPORT_TEXT, 1},   {"npi", REPORT_TEXT, 1},      {"tin", REPORT_TEXT, 1},
    {"name", REPORT_TEXT, 1},     {"episodes", REPORT_INT, 1},  {"lines", REPORT_INT, 1},
    {"paid_cents", REPORT_MONEY, 1},
};
static const char leakage_sql[] =
    "SELECT l.aco_id, l.npi, l.tin, COALESCE(p.name, ''), count(DISTINCT l.episode_id), "
    "sum(l.lines), sum(l.paid_cents) FROM run_leakage l LEFT JOIN providers p ON p.npi = l.npi "
    "AND p.tin = l.tin WHERE l.run_id = ?1 AND (?2 IS NULL OR l.npi = ?2) AND (?3 IS NULL OR "
    "l.tin = ?3) AND (?4 IS NULL OR l.aco_id = ?4) AND " LEAK_PERIOD("l") " "
    "GROUP BY l.aco_id, l.npi, l.tin ORDER BY l.aco_id, sum(l.paid_cents) DESC, l.npi, l.tin";

/* Per ACO, template and month of day 0: the episodes (not excluded; interim among them),
 * targets, actuals and winsorized actuals, for the trend of spending against target. */
static const report_col month_cols[] = {
    {"aco_id", REPORT_TEXT, 1},        {"template_id", REPORT_TEXT, 1},
    {"month", REPORT_TEXT, 1},         {"episodes", REPORT_INT, 1},
    {"interim", REPORT_INT, 1},        {"excluded", REPORT_INT, 1},
    {"target_cents", REPORT_MONEY, 1}, {"actual_cents", REPORT_MONEY, 1},
    {"actual_winsorized_cents", REPORT_MONEY, 1},
    {"final", REPORT_INT, 0},          {"projected_actual_cents", REPORT_MONEY, 0},
    {"paid_through_date", REPORT_TEXT, 0},
};
static const char month_sql[] =
    "SELECT aco_id, template_id, substr(trigger_date, 1, 7), sum(status != 'excluded'), "
    "sum(status = 'interim'), sum(status = 'excluded'), COALESCE(sum(target_cents), 0), "
    "sum(CASE WHEN status != 'excluded' THEN actual_cents ELSE 0 END), "
    "COALESCE(sum(actual_winsorized_cents), 0), sum(status = 'final'), "
    "sum(projected_actual_cents), " PAID_THROUGH " "
    "FROM run_episodes WHERE run_id = ?1 AND aco_id IS NOT NULL AND " EP_WHERE " "
    "GROUP BY aco_id, template_id, substr(trigger_date, 1, 7) "
    "ORDER BY aco_id, template_id, substr(trigger_date, 1, 7)";

#define F_ALL                                                                             \
    (REPORT_F_NPI | REPORT_F_TIN | REPORT_F_ACO | REPORT_F_TEMPLATE | REPORT_F_ARRANGEMENT | \
     REPORT_F_PERIOD)

static const report_def reports[] = {
    {"episode", COLS(episode_cols), episode_sql, F_ALL, "episodes"},
    {"arrangement", COLS(arrangement_cols), arrangement_sql, F_ALL, "arrangements"},
    {"specialist", COLS(specialist_cols), specialist_sql, F_ALL, "specialists"},
    {"aco", COLS(aco_cols), aco_sql, REPORT_F_ACO | REPORT_F_PERIOD, "ACO rows"},
    {"template", COLS(template_cols), template_sql,
     REPORT_F_ACO | REPORT_F_TEMPLATE | REPORT_F_PERIOD, "template rows"},
    {"leakage", COLS(leakage_cols), leakage_sql,
     REPORT_F_NPI | REPORT_F_TIN | REPORT_F_ACO | REPORT_F_PERIOD, "leakage rows"},
    {"month", COLS(month_cols), month_sql, F_ALL, "month rows"},
};


const report_def *report_find(const char *by)
{
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++)
        if (by && strcmp(reports[i].by, by) == 0) return &reports[i];
    return NULL;
}

const char *report_names(void)
{
    return "episode, arrangement, specialist, aco, template, leakage, month";
}

json_t *store__report_cell_json(sqlite3_stmt *st, int i, int type)
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

json_t *report_cell_json_of(const store_cell *k, int type)
{
    if (k->type == STORE_CELL_NULL) return json_null();
    char buf[32];
    switch (type) {
    case REPORT_FACTOR: factor_format(k->i, buf); return json_string(buf);
    case REPORT_BOOL: return json_boolean(k->i);
    case REPORT_INT:
    case REPORT_MONEY: return json_integer(k->i);
    default: return json_string(k->text);
    }
}

int report_each(store *s, const report_def *r, int64_t run_id, const report_filters *f,
                store_row_fn fn, void *ud, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, r->sql, -1, &st, NULL) != SQLITE_OK) {
        if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    store__report_bind(st, run_id, f);
    return store__rows_step(db, st, fn, ud, err, errlen);
}

/* The episode report's column names, comma-separated, into buf. 0, or -1 when too long. */
static int episode_columns(const report_def *r, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < r->n_cols; k++) {
        const char *c = r->cols[k].name; /* the one column that is not run_episodes' */
        off += (size_t)snprintf(buf + off, len - off, "%s%s", k ? ", " : "",
                                strcmp(c, "paid_through_date") ? c : PAID_THROUGH);
        if (off >= len) return -1;
    }
    return 0;
}

/* sql prepared and kept (store__kept; given back by store__kept_done): 0, or -EIO with
 * SQLite's message in err (-ENOMEM when sql is NULL: out of memory). */
static int kept_or_fail(store *s, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
    *st = sql ? store__kept(s, sql, err, errlen) : NULL;
    if (*st) return 0;
    if (!sql && err && errlen) snprintf(err, errlen, "out of memory");
    return sql ? -EIO : -ENOMEM;
}

/* The episode list's SQL over one source of run ?1's rows (run_sources, schema 22):
 * the rows stored under run ?12, all of them when ?12 is the run itself, else those of
 * the beneficiaries the run does not store itself, as the run_episodes view resolves
 * them, read from run_episode_rows directly so that SQLite uses its indexes on
 * (run_id, npi | aco_id | nothing, list order) and reads only the page (through the
 * view it read the whole run). Only the filters the request gives (?2 npi, ?3 tin, ?4
 * aco, ?5 template, ?6 arrangement, ?7 period, ?8 status, ?9 person; `set` has bit i
 * for ?(i + 2)); with `after`, the rows past the key (?13 template, ?14 person, ?15
 * trigger date, ?16 episode); at most ?10 rows. count: the number of rows instead.
 * malloc'ed, NULL when out of memory. */
static char *source_sql(const report_def *r, unsigned set, int own, int after, int count)
{
    static const char *const cond[] = {"npi = ?2", "tin = ?3", "aco_id = ?4",
                                       "template_id = ?5", "arrangement_id = ?6",
                                       "substr(trigger_date, 1, 4) = ?7", "status = ?8",
                                       "person_id = ?9"};
    char cols[2048], where[768] = "";
    if (episode_columns(r, cols, sizeof cols) < 0) return NULL;
    size_t off = 0;
    if (!own)
        off += (size_t)snprintf(where, sizeof where, " AND NOT EXISTS (SELECT 1 FROM "
                                "run_own_people o WHERE o.run_id = ?1 AND o.person_id = "
                                "run_episode_rows.person_id)");
    for (size_t i = 0; i < sizeof cond / sizeof cond[0]; i++)
        if (set & (1u << i)) off += (size_t)snprintf(where + off, sizeof where - off, " AND %s", cond[i]);
    if (after)
        snprintf(where + off, sizeof where - off, " AND (template_id, person_id, trigger_date, "
                 "episode_id) > (?13, ?14, ?15, ?16)");
    size_t n = strlen(cols) + strlen(where) + 256;
    char *q = malloc(n);
    if (!q) return NULL;
    if (count) snprintf(q, n, "SELECT count(*) FROM run_episode_rows WHERE run_id = ?12%s", where);
    else snprintf(q, n, "SELECT %s FROM run_episode_rows WHERE run_id = ?12%s ORDER BY "
                  "template_id, person_id, trigger_date, episode_id LIMIT ?10", cols, where);
    return q;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

#define MAX_SOURCES 16

/* The runs whose rows run_id reads (run_sources), at most MAX_SOURCES, in src order. */
static int run_sources_of(store *s, int64_t run_id, int64_t src[MAX_SOURCES], char *err,
                          size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    int rc = kept_or_fail(s, "SELECT src_run_id FROM run_sources WHERE run_id = ?1 ORDER "
                          "BY src_run_id", &st, err, errlen);
    if (rc < 0) return rc;
    sqlite3_bind_int64(st, 1, run_id);
    int n = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == MAX_SOURCES) {
            store__kept_done(s, st);
            if (err && errlen) snprintf(err, errlen, "run %lld reads more than %d runs' rows",
                                        (long long)run_id, MAX_SOURCES);
            return -EIO;
        }
        src[n++] = sqlite3_column_int64(st, 0);
    }
    if (step != SQLITE_DONE) {
        if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        n = -EIO;
    }
    store__kept_done(s, st);
    return n;
}

/* The set bits of the given filters (source_sql). */
static unsigned filters_set(const report_filters *f, const char *status, const char *person)
{
    const char *given[] = {f->npi, f->tin, f->aco, f->tmpl, f->arrangement, f->period, status, person};
    unsigned set = 0;
    for (unsigned i = 0; i < sizeof given / sizeof given[0]; i++)
        if (given[i]) set |= 1u << i;
    return set;
}

static void bind_list(sqlite3_stmt *st, int64_t run_id, int64_t src, const report_filters *f,
                      const char *status, const char *person)
{
    store__report_bind(st, run_id, f);
    bind_opt(st, 8, status);
    bind_opt(st, 9, person);
    sqlite3_bind_int64(st, 12, src);
}

int report_episode_count(store *s, int64_t run_id, const report_filters *f, const char *status,
                         const char *person, int64_t *total, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    const report_def *r = report_find("episode");
    int64_t src[MAX_SOURCES];
    *total = 0;
    int n = run_sources_of(s, run_id, src, err, errlen), rc = n < 0 ? n : 0;
    unsigned set = filters_set(f, status, person);
    for (int i = 0; i < n && rc == 0; i++) {
        char *q = source_sql(r, set, src[i] == run_id, 0, 1);
        sqlite3_stmt *st = NULL;
        rc = kept_or_fail(s, q, &st, err, errlen);
        free(q);
        if (rc < 0) break;
        bind_list(st, run_id, src[i], f, status, person);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *total += sqlite3_column_int64(st, 0);
        } else {
            if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
            rc = -EIO;
        }
        store__kept_done(s, st);
    }
    return rc;
}

/* The list order of two rows of source_sql (columns 2 template, 1 person, 4 trigger
 * date, 0 episode id; SQLite's BINARY collation is strcmp's order on UTF-8 text). */
static int key_cmp(sqlite3_stmt *a, sqlite3_stmt *b)
{
    static const int cols[] = {2, 1, 4, 0};
    for (int k = 0; k < 4; k++) {
        const char *x = (const char *)sqlite3_column_text(a, cols[k]);
        const char *y = (const char *)sqlite3_column_text(b, cols[k]);
        int c = strcmp(x ? x : "", y ? y : "");
        if (c) return c;
    }
    return 0;
}

int report_episode_keyset(store *s, int64_t run_id, const report_filters *f, const char *status,
                          const char *person, const report_episode_key *after, int64_t limit,
                          int64_t offset, int *more, store_row_fn fn, void *ud, char *err,
                          size_t errlen)
{
    sqlite3 *db = store_db(s);
    const report_def *r = report_find("episode");
    int64_t src[MAX_SOURCES];
    sqlite3_stmt *st[MAX_SOURCES] = {0};
    int live[MAX_SOURCES] = {0};
    *more = 0;
    if (err && errlen) err[0] = '\0';
    int n = run_sources_of(s, run_id, src, err, errlen), rc = n < 0 ? n : 0;
    unsigned set = filters_set(f, status, person);
    for (int i = 0; i < n && rc == 0; i++) {
        char *q = source_sql(r, set, src[i] == run_id, after != NULL, 0);
        rc = kept_or_fail(s, q, &st[i], err, errlen);
        free(q);
        if (rc < 0) break;
        bind_list(st[i], run_id, src[i], f, status, person);
        /* the page and one row more (to know whether a next page exists) past offset */
        sqlite3_bind_int64(st[i], 10, offset > INT64_MAX - limit - 1 ? INT64_MAX : offset + limit + 1);
        if (after) {
            sqlite3_bind_text(st[i], 13, after->template_id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st[i], 14, after->person_id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st[i], 15, after->trigger_date, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st[i], 16, after->episode_id, -1, SQLITE_TRANSIENT);
        }
    }
    int cols = n > 0 && st[0] ? sqlite3_column_count(st[0]) : 0;
    char **names = store__col_names(n > 0 ? st[0] : NULL, cols); /* copied: see there */
    store_cell *cells = calloc((size_t)cols + 1, sizeof *cells);
    if (rc == 0 && (!names || !cells)) {
        rc = -ENOMEM;
        if (err && errlen) snprintf(err, errlen, "out of memory");
    }
    store_row row = {cols, (const char **)names, NULL};
    if (rc == 0 && fn) rc = fn(&row, ud);
    /* prime each source, then merge: the smallest key first */
    for (int i = 0; i < n && rc == 0; i++) {
        int step = sqlite3_step(st[i]);
        if (step == SQLITE_ROW) live[i] = 1;
        else if (step != SQLITE_DONE) rc = -EIO;
    }
    int64_t seen = 0, given = 0;
    while (rc == 0) {
        int pick = -1;
        for (int i = 0; i < n; i++)
            if (live[i] && (pick < 0 || key_cmp(st[i], st[pick]) < 0)) pick = i;
        if (pick < 0) break;
        if (given == limit) {
            *more = 1;
            break;
        }
        if (seen++ >= offset) {
            for (int i = 0; i < cols; i++) {
                int t = sqlite3_column_type(st[pick], i);
                cells[i].type = t == SQLITE_NULL ? STORE_CELL_NULL
                                : t == SQLITE_INTEGER ? STORE_CELL_INT : STORE_CELL_TEXT;
                cells[i].i = sqlite3_column_int64(st[pick], i);
                cells[i].text = (const char *)sqlite3_column_text(st[pick], i);
            }
            row.cells = cells;
            given++;
            if (fn) rc = fn(&row, ud);
            if (rc) break;
        }
        int step = sqlite3_step(st[pick]);
        if (step != SQLITE_ROW) live[pick] = 0;
        if (step != SQLITE_ROW && step != SQLITE_DONE) rc = -EIO;
    }
    if (rc == -EIO && err && errlen && !err[0]) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    if (rc < 0 && err && errlen && !err[0])
        snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : strerror(-rc));
    for (int i = 0; i < n; i++) store__kept_done(s, st[i]);
    store__col_names_free(names, cols);
    free(cells);
    return rc < 0 ? rc : (int)given;
}

int report_episode_page(store *s, int64_t run_id, const report_filters *f, const char *status,
                        const char *person, int64_t limit, int64_t offset, int64_t *total,
                        store_row_fn fn, void *ud, char *err, size_t errlen)
{
    int more;
    int rc = report_episode_count(s, run_id, f, status, person, total, err, errlen);
    if (rc < 0) return rc;
    return report_episode_keyset(s, run_id, f, status, person, NULL, limit, offset, &more, fn,
                                 ud, err, errlen);
}

int report_episode_one(store *s, int64_t run_id, const char *episode_id, store_row_fn fn,
                       void *ud, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    const report_def *r = report_find("episode");
    char cols[2048], sql[2400];
    if (episode_columns(r, cols, sizeof cols) < 0) {
        if (err && errlen) snprintf(err, errlen, "the episode report has too many columns");
        return -ENOMEM;
    }
    snprintf(sql, sizeof sql, "SELECT %s, template_version, died, aco_id FROM run_episodes "
             "WHERE run_id = ?1 AND episode_id = ?2", cols);
    sqlite3_stmt *st;
    int rc = kept_or_fail(s, sql, &st, err, errlen);
    if (rc < 0) return rc;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, episode_id, -1, SQLITE_TRANSIENT);
    rc = store__rows_step_keep(db, st, fn, ud, err, errlen);
    store__kept_done(s, st);
    return rc;
}

/* ---- filters ---------------------------------------------------------------------------- */


/* 1 when sql with the text ?1 = v has a row, 0 when not, -1 on a SQLite error. */
static int exists(store *s, const char *sql, const char *v)
{
    sqlite3_stmt *st = store__kept(s, sql, NULL, 0);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    store__kept_done(s, st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const struct {
    unsigned bit;
    const char *name; /* the API's query parameter; the CLI's option is "--" name */
} FILTER_NAMES[] = {
    {REPORT_F_NPI, "npi"},           {REPORT_F_TIN, "tin"},
    {REPORT_F_ACO, "aco"},           {REPORT_F_TEMPLATE, "template"},
    {REPORT_F_ARRANGEMENT, "arrangement"}, {REPORT_F_PERIOD, "period"},
};

static const char *filter_value(const report_filters *f, unsigned bit)
{
    switch (bit) {
    case REPORT_F_NPI: return f->npi;
    case REPORT_F_TIN: return f->tin;
    case REPORT_F_ACO: return f->aco;
    case REPORT_F_TEMPLATE: return f->tmpl;
    case REPORT_F_ARRANGEMENT: return f->arrangement;
    default: return f->period;
    }
}

/* "episode, arrangement" : the reports that take filter bit. */
static void reports_taking(unsigned bit, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof reports / sizeof reports[0] && off < len; i++)
        if (reports[i].filters & bit)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", reports[i].by);
}

int report_check_filters(store *s, const report_def *r, const report_filters *f, int cli,
                         char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    const char *dash = cli ? "--" : "";
    for (size_t i = 0; i < sizeof FILTER_NAMES / sizeof FILTER_NAMES[0]; i++) {
        const char *v = filter_value(f, FILTER_NAMES[i].bit);
        if (!v || (r->filters & FILTER_NAMES[i].bit)) continue;
        char which[128];
        reports_taking(FILTER_NAMES[i].bit, which, sizeof which);
        return util_fail(err, errlen, -EINVAL, "%s%s: the %s report does not take this filter (it "
                    "applies to the %s reports)", dash, FILTER_NAMES[i].name, r->by, which);
    }
    if (f->npi) {
        int rc = npi_check(f->npi, strlen(f->npi));
        if (rc == ID_BAD_CHECK)
            return util_fail(err, errlen, -EINVAL, "%snpi: '%s' fails its check digit (expected %d as "
                        "the last digit of a 10-digit NPI)", dash, f->npi, npi_check_digit(f->npi));
        if (rc != ID_OK)
            return util_fail(err, errlen, -EINVAL, "%snpi: '%s' is not an NPI: %s", dash, f->npi,
                        ids_explain("npi", rc));
    }
    if (f->tin) {
        int rc = tin_check(f->tin, strlen(f->tin));
        if (rc != ID_OK)
            return util_fail(err, errlen, -EINVAL, "%stin: '%s' is not a TIN: %s", dash, f->tin,
                        ids_explain("tin", rc));
    }
    if (f->period) {
        const char *p = f->period;
        int ok = strlen(p) == 4;
        for (size_t i = 0; ok && i < 4; i++) ok = p[i] >= '0' && p[i] <= '9';
        if (!ok || strcmp(p, "2000") < 0 || strcmp(p, "2100") > 0)
            return util_fail(err, errlen, -EINVAL, "%speriod: '%s' is not a performance year "
                        "(expected YYYY from 2000 to 2100, e.g. 2027)", dash, p);
    }
    int k;
    if (f->aco) {
        if ((k = exists(s, "SELECT 1 FROM acos WHERE aco_id = ?1", f->aco)) < 0) goto io;
        if (!k)
            return util_fail(err, errlen, -ENOENT, "%saco: no ACO '%s' in the store (expected an ACO "
                        "id; cara aco list shows them)", dash, f->aco);
    }
    if (f->tmpl) {
        if ((k = exists(s, "SELECT 1 FROM run_components WHERE kind = 'template' AND name = ?1 "
                            "UNION ALL SELECT 1 FROM arrangements WHERE template_id = ?1", f->tmpl)) < 0)
            goto io;
        if (!k)
            return util_fail(err, errlen, -ENOENT, "%stemplate: no run used a template '%s' and no "
                        "arrangement names it (expected a template id; cara templates lists "
                        "them)", dash, f->tmpl);
    }
    if (f->arrangement) {
        if ((k = exists(s, "SELECT 1 FROM arrangements WHERE arrangement_id = ?1 UNION ALL "
                            "SELECT 1 FROM run_arrangements WHERE arrangement_id = ?1",
                        f->arrangement)) < 0)
            goto io;
        if (!k)
            return util_fail(err, errlen, -ENOENT, "%sarrangement: no arrangement '%s' in the store "
                        "(expected an arrangement id; cara ebra list shows them)", dash,
                        f->arrangement);
    }
    return 0;
io:
    return util_fail(err, errlen, -EIO, "%s", sqlite3_errmsg(db));
}

void store__report_bind(sqlite3_stmt *st, int64_t run_id, const report_filters *f)
{
    sqlite3_bind_int64(st, 1, run_id);
    const char *v[6] = {f->npi, f->tin, f->aco, f->tmpl, f->arrangement, f->period};
    for (int i = 0; i < 6; i++)
        if (v[i]) sqlite3_bind_text(st, 2 + i, v[i], -1, SQLITE_TRANSIENT);
}

void report_explain_empty(store *s, const report_def *r, int64_t run_id,
                          const report_filters *f, char *buf, size_t len)
{
    sqlite3 *db = store_db(s);
    static const char *const words[] = {"NPI", "TIN", "ACO", "template", "arrangement"};
    const char *v[5] = {f->npi, f->tin, f->aco, f->tmpl, f->arrangement};
    size_t off = (size_t)snprintf(buf, len, "no %s", r->noun);
    int any = 0;
    for (int i = 0; i < 5 && off < len; i++)
        if (v[i]) off += (size_t)snprintf(buf + off, len - off, "%s%s %s", any++ ? ", " : " of ",
                                          words[i], v[i]);
    if (f->period && off < len)
        off += (size_t)snprintf(buf + off, len - off, " in period %s", f->period);
    if (off < len) off += (size_t)snprintf(buf + off, len - off, " in run %lld", (long long)run_id);
    if (!f->period || off >= len) return;
    /* is the period one of the run's? */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT group_concat(y, ', '), sum(y = CAST(?2 AS INTEGER)) FROM "
                               "(SELECT y FROM (" RUN_YEARS ") ORDER BY y)", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, f->period, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 1) == 0) {
        const char *years = (const char *)sqlite3_column_text(st, 0);
        snprintf(buf + off, len - off, "; run %lld covers %s", (long long)run_id,
                 years ? "period " : "no period (it has no episodes)");
        off = strlen(buf);
        if (years && off < len) snprintf(buf + off, len - off, "%s", years);
    }
    sqlite3_finalize(st);
}

int64_t report_other_run(store *s, const report_def *r, int64_t run_id,
                         const report_filters *f)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *runs, *st;
    if (sqlite3_prepare_v2(db, "SELECT run_id FROM runs WHERE status = 'done' AND run_id != ?1 "
                               "ORDER BY run_id DESC LIMIT 50", -1, &runs, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(db, r->sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(runs);
        return -1;
    }
    sqlite3_bind_int64(runs, 1, run_id);
    int64_t found = 0;
    int rc;
    while (!found && (rc = sqlite3_step(runs)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(runs, 0);
        sqlite3_reset(st);
        store__report_bind(st, id, f);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) found = id;
        else if (rc != SQLITE_DONE) found = -1;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(runs);
    return found;
}

void report_dollar_name(const char *name, char buf[64])
{
    size_t n = strlen(name);
    if (n > 6 && strcmp(name + n - 6, "_cents") == 0) n -= 6;
    snprintf(buf, 64, "%.*s", (int)n, name);
}

void report_cell_text(const store_cell *k, int type, int dollars, char *buf, size_t len)
{
    if (k->type == STORE_CELL_NULL) {
        buf[0] = '\0';
        return;
    }
    int64_t v = k->i;
    switch (type) {
    case REPORT_MONEY:
        if (dollars) money_format(v, buf);
        else snprintf(buf, len, "%lld", (long long)v);
        break;
    case REPORT_FACTOR: factor_format(v, buf); break;
    case REPORT_BOOL: snprintf(buf, len, "%s", v ? "true" : "false"); break;
    case REPORT_INT: snprintf(buf, len, "%lld", (long long)v); break;
    default: util_strlcpy(buf, k->text, len); break;
    }
}

void report_csv_header(const report_def *r, FILE *out)
{
    for (size_t k = 0; k < r->n_cols; k++) {
        if (k) fputc(',', out);
        fputs(r->cols[k].name, out);
    }
    for (size_t k = 0; k < r->n_cols; k++) {
        char name[64];
        if (r->cols[k].type != REPORT_MONEY) continue;
        report_dollar_name(r->cols[k].name, name);
        fprintf(out, ",%s", name);
    }
    fputc('\n', out);
}

void report_csv_row(const report_def *r, const store_row *row, FILE *out)
{
    const store_cell *k = row->cells;
    char buf[256];
    for (size_t i = 0; i < r->n_cols; i++) {
        if (i) fputc(',', out);
        report_cell_text(&k[i], r->cols[i].type, 0, buf, sizeof buf);
        csv_write_field(out, buf);
    }
    for (size_t i = 0; i < r->n_cols; i++) {
        if (r->cols[i].type != REPORT_MONEY) continue;
        fputc(',', out);
        report_cell_text(&k[i], REPORT_MONEY, 1, buf, sizeof buf);
        csv_write_field(out, buf);
    }
    fputc('\n', out);
}

int report_paid_through(store *s, int64_t run_id, char out[11], char *err, size_t errlen)
{
    out[0] = '\0';
    sqlite3_stmt *st = store__prepare(s, "SELECT COALESCE(r.as_of_date, (SELECT "
                                         "max(c.claim_end_date) FROM claims c WHERE c.status = "
                                         "'current' AND c.load_id IN (SELECT load_id FROM loads "
                                         "WHERE loaded_at <= r.started_at))) FROM runs r WHERE "
                                         "r.run_id = ?1", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, run_id);
    int rc = sqlite3_step(st), got = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        util_strlcpy(out, store__col(st, 0), 11);
        got = 1;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        got = store_fail(sqlite3_db_handle(st), err, errlen, "reading the paid-through date");
    }
    sqlite3_finalize(st);
    return got;
}
