/*
 * report: the result reports of a run (by episode, arrangement, specialist, ACO,
 * template, leakage provider): their columns and SQL, shared by `cara report` and the
 * HTTP API. The JSON field names of the episode and arrangement reports are exactly
 * those of docs/methodology.md section 4.
 */
#ifndef CARA_REPORT_H
#define CARA_REPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

enum report_col_type { REPORT_TEXT, REPORT_INT, REPORT_MONEY, REPORT_FACTOR, REPORT_BOOL };

typedef struct report_col {
    const char *name;
    int type;      /* enum report_col_type */
    int in_table;  /* shown by --format table */
} report_col;

/* A report's SQL binds ?1 run id, ?2 npi, ?3 tin, ?4 aco id, ?5 template id (NULL = any);
 * its columns come in cols order. */
typedef struct report_def {
    const char *by;
    const report_col *cols;
    size_t n_cols;
    const char *sql;
} report_def;

/* The report named by ("episode", ...), or NULL. */
const report_def *report_find(const char *by);

/* The names of every report, for messages: "episode, arrangement, ...". */
const char *report_names(void);

/* Column i of the current row as JSON (factors as strings with four decimals, money as
 * integer cents, NULL as null). New reference. */
json_t *report_cell_json(sqlite3_stmt *st, int i, int type);

#endif
