/*
 * report: the result reports of a run (by episode, arrangement, specialist, ACO,
 * template, leakage provider): their columns and SQL, the checks of their filters and
 * the sentence that explains an empty report, shared by `cara report` and the HTTP API.
 * The JSON field names of the episode and arrangement reports are exactly those of
 * docs/methodology.md section 4 and docs/reports.md (columns are only ever added).
 *
 * A store reader (core/store/): callers read rows through report_each and
 * report_episode_page / report_episode_one (cells, no statement).
 * Every function reads through a store owned by the caller and keeps nothing.
 */
#ifndef CARA_REPORT_H
#define CARA_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "store_conn.h"
#include "store_rows.h"

enum report_col_type { REPORT_TEXT, REPORT_INT, REPORT_MONEY, REPORT_FACTOR, REPORT_BOOL };

typedef struct report_col {
    const char *name;
    int type;      /* enum report_col_type */
    int in_table;  /* shown by --format table */
} report_col;

/* The filters a report may take (report_def.filters is a mask of them). */
enum report_filter {
    REPORT_F_NPI = 1 << 0,
    REPORT_F_TIN = 1 << 1,
    REPORT_F_ACO = 1 << 2,
    REPORT_F_TEMPLATE = 1 << 3,
    REPORT_F_ARRANGEMENT = 1 << 4,
    REPORT_F_PERIOD = 1 << 5,
};

/* A report's SQL binds ?1 run id, ?2 npi, ?3 tin, ?4 aco id, ?5 template id, ?6
 * arrangement id, ?7 period as text "YYYY" (NULL = any; report_bind); its columns come
 * in cols order. */
typedef struct report_def {
    const char *by;
    const report_col *cols;
    size_t n_cols;
    const char *sql;
    unsigned filters; /* the enum report_filter it applies */
    const char *noun; /* what a row is, for messages: "episodes", "arrangements", ... */
} report_def;

/* The filters of one request (NULL = any). Everything is borrowed. */
typedef struct report_filters {
    const char *npi, *tin, *aco, *tmpl, *arrangement, *period;
} report_filters;

/* The report named by ("episode", ...), or NULL. */
const report_def *report_find(const char *by);

/* The names of every report, for messages: "episode, arrangement, ...". */
const char *report_names(void);


/*
 * Check f against report r and the store: a filter r does not apply, an NPI or TIN that
 * is not one (ids.h: length, digits, prefix, check digit), a period that is not a year
 * YYYY (2000-2100) are -EINVAL; an ACO not in acos, a template no run used and no
 * arrangement names, an arrangement id the store never held are -ENOENT; -EIO on a
 * SQLite error. The message names the filter as the caller spells it (cli: "--aco",
 * else "aco"), the value and what is expected. Returns 0 when every filter is good.
 */
int report_check_filters(store *s, const report_def *r, const report_filters *f, int cli,
                         char *err, size_t errlen);

/* A cell of a report row (report_each) as JSON: factors as strings with four decimals,
 * money as integer cents, booleans as true/false, NULL as null. New reference. */
json_t *report_cell_json_of(const store_cell *k, int type);

/*
 * Read report r of run run_id with filters f (checked first: report_check_filters):
 * fn gets the header, then one call per row whose cells come in r->cols order (see
 * store_rows.h). Returns the number of rows, fn's negative value, or -EIO / -ENOMEM
 * with err (SQLite's message).
 */
int report_each(store *s, const report_def *r, int64_t run_id, const report_filters *f,
                store_row_fn fn, void *ud, char *err, size_t errlen);

/*
 * A page of the episode report of run run_id with filters f, narrowed to status and
 * person (NULL = any), ordered by template, person, trigger date, episode id, limit rows
 * from offset: *total gets how many rows match without the page, fn the header and the
 * page's rows (cells in the episode report's column order). Returns the number of rows
 * given, fn's negative value, or -EIO / -ENOMEM with err (SQLite's message).
 */
int report_episode_page(store *s, int64_t run_id, const report_filters *f, const char *status,
                        const char *person, int64_t limit, int64_t offset, int64_t *total,
                        store_row_fn fn, void *ud, char *err, size_t errlen);

/* The list order's key of an episode list row: a page by key starts after it. */
typedef struct report_episode_key {
    const char *template_id, *person_id, *trigger_date, *episode_id;
} report_episode_key;

/*
 * How many rows of run run_id's episode report match f, status and person (NULL = any),
 * into *total (the count of report_episode_page). 0, or -EIO / -ENOMEM with err.
 */
int report_episode_count(store *s, int64_t run_id, const report_filters *f, const char *status,
                         const char *person, int64_t *total, char *err, size_t errlen);

/*
 * A page of the episode list by key: the rows of report_episode_page's order past the
 * key after (NULL: from the first), skipping offset of them, at most limit; *more is 1
 * when a row follows the page's last. fn gets the header, then each row (cells in the
 * episode report's column order). Reads only the page's rows (and offset's) through the
 * indexes, whatever the run's size. Returns the rows given, fn's negative value, or
 * -EIO / -ENOMEM with err.
 */
int report_episode_keyset(store *s, int64_t run_id, const report_filters *f, const char *status,
                          const char *person, const report_episode_key *after, int64_t limit,
                          int64_t offset, int *more, store_row_fn fn, void *ud, char *err,
                          size_t errlen);

/*
 * Episode episode_id of run run_id: fn gets the header and, when the run has it, its
 * row: the episode report's columns, then template_version, died, aco_id. Returns 1
 * (found), 0 (no such episode), fn's negative value, or -EIO / -ENOMEM with err.
 */
int report_episode_one(store *s, int64_t run_id, const char *episode_id, store_row_fn fn,
                       void *ud, char *err, size_t errlen);


/*
 * Why report r of run run_id with filters f has no rows, as one sentence without a
 * final period: "no episodes of ACO A1, template falls_prevention in period 2027 in run
 * 4", with "; run 4 covers period 2027" when the period asked is not one of the run's
 * (its day-0 years, or its --period).
 */
void report_explain_empty(store *s, const report_def *r, int64_t run_id,
                          const report_filters *f, char *buf, size_t len);

/* The latest completed run other than run_id (among the 50 latest) for which report r
 * with filters f has a row: its id, 0 when none has, -1 on a SQLite error. */
int64_t report_other_run(store *s, const report_def *r, int64_t run_id,
                         const report_filters *f);

/* The dollar column CSV adds for money column name ("target_cents" -> "target"), into
 * buf (64 bytes): the name without its "_cents" suffix (the name itself when it has none). */
void report_dollar_name(const char *name, char buf[64]);

/* Text of one cell (a REPORT_* type) for a table or CSV: money as dollars when dollars
 * is set (money_format; the table, CSV's dollar columns), else as cents; factors with
 * four decimals; booleans true/false; NULL as "". At most len bytes. */
void report_cell_text(const store_cell *k, int type, int dollars, char *buf, size_t len);

/* The CSV form of report r (docs/reports.md "Money"): the header (the report's
 * columns, then one dollar column per money column named without "_cents"), and one
 * row (a store_row of report_each with cells) in the same order, RFC 4180 quoting. */
/*
 * The paid-through date of run run_id into out ("YYYY-MM-DD"): the run's as-of date
 * when it has one, else the latest end date of the current claims loaded before the run
 * started. 1 when known, 0 when the run has neither (out ""), -EIO with err.
 */
int report_paid_through(store *s, int64_t run_id, char out[11], char *err, size_t errlen);

void report_csv_header(const report_def *r, FILE *out);
void report_csv_row(const report_def *r, const store_row *row, FILE *out);

#endif
