/*
 * cmd_report.c: `cara report`: a run's results by episode, arrangement, specialist,
 * ACO, template or leakage provider, as a table, JSON lines or CSV.
 *
 * The JSON field names of --by episode and --by arrangement are exactly those of
 * docs/methodology.md and docs/reports.md: factors are strings with four decimals, money integer cents,
 * absent values null.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "money.h"
#include "store.h"
#include "util.h"

/* Text of one cell for table/csv: money in the table as dollars, in CSV as cents. */
static void cell_text(sqlite3_stmt *st, int i, int type, int table, char *buf, size_t len)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        buf[0] = '\0';
        return;
    }
    int64_t v = sqlite3_column_int64(st, i);
    switch (type) {
    case REPORT_MONEY:
        if (table) money_format(v, buf);
        else snprintf(buf, len, "%lld", (long long)v);
        break;
    case REPORT_FACTOR: factor_format(v, buf); break;
    case REPORT_BOOL: snprintf(buf, len, "%s", v ? "true" : "false"); break;
    case REPORT_INT: snprintf(buf, len, "%lld", (long long)v); break;
    default: util_strlcpy(buf, (const char *)sqlite3_column_text(st, i), len); break;
    }
}


/* The table format: buffered so columns can be sized. */
typedef struct table {
    char **cells; /* rows x shown columns */
    size_t rows, cap;
} table;

static int print_table(cli_ctx *c, const report_def *r, sqlite3_stmt *st)
{
    size_t shown = 0;
    const report_col *cols[64];
    for (size_t i = 0; i < r->n_cols; i++)
        if (r->cols[i].in_table) cols[shown++] = &r->cols[i];
    size_t width[64];
    char head[64][48];
    for (size_t k = 0; k < shown; k++) {
        const char *n = cols[k]->name;
        size_t len = strlen(n);
        if (cols[k]->type == REPORT_MONEY && len > 6 && !strcmp(n + len - 6, "_cents")) len -= 6;
        snprintf(head[k], sizeof head[k], "%.*s", (int)len, n);
        width[k] = strlen(head[k]);
    }
    table t = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (t.rows == t.cap) {
            t.cap = t.cap ? t.cap * 2 : 256;
            char **v = realloc(t.cells, t.cap * shown * sizeof *v);
            if (!v) break;
            t.cells = v;
        }
        for (size_t k = 0, j = 0; k < r->n_cols; k++) {
            if (!r->cols[k].in_table) continue;
            char buf[256];
            cell_text(st, (int)k, r->cols[k].type, 1, buf, sizeof buf);
            t.cells[t.rows * shown + j] = strdup(buf);
            if (strlen(buf) > width[j]) width[j] = strlen(buf);
            j++;
        }
        t.rows++;
    }
    for (size_t k = 0; k < shown; k++)
        fprintf(c->out, "%-*s%s", k + 1 < shown ? (int)width[k] : 0, head[k],
                k + 1 < shown ? "  " : "\n");
    for (size_t i = 0; i < t.rows; i++)
        for (size_t k = 0; k < shown; k++) {
            const char *s = t.cells[i * shown + k] ? t.cells[i * shown + k] : "";
            int right = cols[k]->type != REPORT_TEXT, last = k + 1 == shown;
            fprintf(c->out, right ? "%*s%s" : "%-*s%s", last && !right ? 0 : (int)width[k], s,
                    last ? "\n" : "  ");
            free(t.cells[i * shown + k]);
        }
    free(t.cells);
    if (t.rows == 0) fprintf(c->out, "(no rows)\n");
    return rc == SQLITE_DONE ? 0 : -1;
}

static int print_rows(cli_ctx *c, const report_def *r, sqlite3_stmt *st, int format)
{
    if (format == 0) return print_table(c, r, st);
    if (format == 2) {
        for (size_t k = 0; k < r->n_cols; k++)
            fprintf(c->out, "%s%s", r->cols[k].name, k + 1 < r->n_cols ? "," : "\n");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (format == 1) {
            json_t *o = json_object();
            for (size_t k = 0; k < r->n_cols; k++)
                json_object_set_new(o, r->cols[k].name, report_cell_json(st, (int)k, r->cols[k].type));
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(c->out, "%s\n", s ? s : "{}");
            free(s);
            json_decref(o);
        } else {
            for (size_t k = 0; k < r->n_cols; k++) {
                char buf[256];
                cell_text(st, (int)k, r->cols[k].type, 0, buf, sizeof buf);
                cli_csv_field(c->out, buf);
                fputc(k + 1 < r->n_cols ? ',' : '\n', c->out);
            }
        }
    }
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The run to report: --run ID (must exist and be done) or the latest done run. */
static int pick_run(cli_ctx *c, sqlite3 *db, const char *arg, int64_t *run_id)
{
    sqlite3_stmt *st;
    const char *q = arg ? "SELECT run_id, status, COALESCE(message, '') FROM runs WHERE run_id = ?1"
                        : "SELECT run_id, status, '' FROM runs WHERE status = 'done' "
                          "ORDER BY run_id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        fprintf(c->err, "cara report: %s\n", sqlite3_errmsg(db));
        return CLI_FAIL;
    }
    if (arg) {
        uint64_t id;
        if (util_parse_u64(arg, &id) < 0) {
            sqlite3_finalize(st);
            return cli_usage_error(c, &cmd_report, "--run: '%s' is not a run id", arg);
        }
        sqlite3_bind_int64(st, 1, (int64_t)id);
    }
    int rc = CLI_OK;
    if (sqlite3_step(st) != SQLITE_ROW) {
        if (arg) fprintf(c->err, "cara report: %s: no run %s\n", c->db, arg);
        else fprintf(c->err, "cara report: %s: no completed run yet (run 'cara run' first)\n", c->db);
        rc = CLI_FAIL;
    } else if (strcmp((const char *)sqlite3_column_text(st, 1), "done") != 0) {
        fprintf(c->err, "cara report: run %s is %s%s%s\n", arg,
                (const char *)sqlite3_column_text(st, 1),
                sqlite3_column_bytes(st, 2) ? ": " : "", (const char *)sqlite3_column_text(st, 2));
        rc = CLI_FAIL;
    } else {
        *run_id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

static int run_report(cli_ctx *c, int argc, char **argv)
{
    const char *run = NULL, *by = NULL, *format = NULL, *npi = NULL, *tin = NULL, *aco = NULL,
               *tmpl = NULL;
    const cli_opt opts[] = {{"--run", &run, NULL},      {"--by", &by, NULL},
                            {"--format", &format, NULL}, {"--npi", &npi, NULL},
                            {"--tin", &tin, NULL},      {"--aco", &aco, NULL},
                            {"--template", &tmpl, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_report, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_report, "unexpected argument '%s'", argv[1]);
    if (!by) return cli_usage_error(c, &cmd_report, "--by is required");
    const report_def *r = report_find(by);
    if (!r)
        return cli_usage_error(c, &cmd_report, "--by must be episode, arrangement, specialist, "
                               "aco, template or leakage (got '%s')", by);
    int fmt = 0;
    if (format && !strcmp(format, "json")) fmt = 1;
    else if (format && !strcmp(format, "csv")) fmt = 2;
    else if (format && strcmp(format, "table"))
        return cli_usage_error(c, &cmd_report, "--format must be table, json or csv (got '%s')",
                               format);
    store *s;
    char err[1024];
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara report: %s\n", err);
        return CLI_FAIL;
    }
    int64_t run_id = 0;
    int rc = pick_run(c, store_db(s), run, &run_id);
    sqlite3_stmt *st = NULL;
    if (rc == CLI_OK && sqlite3_prepare_v2(store_db(s), r->sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(c->err, "cara report: %s\n", sqlite3_errmsg(store_db(s)));
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        const char *filters[4] = {npi, tin, aco, tmpl};
        for (int i = 0; i < 4; i++)
            if (filters[i]) sqlite3_bind_text(st, 2 + i, filters[i], -1, SQLITE_STATIC);
        if (print_rows(c, r, st, fmt) < 0) {
            fprintf(c->err, "cara report: %s\n", sqlite3_errmsg(store_db(s)));
            rc = CLI_FAIL;
        }
    }
    sqlite3_finalize(st);
    store_close(s);
    return rc;
}

const cli_command cmd_report = {
    .name = "report",
    .summary = "show a run's results by episode, arrangement, specialist, ACO or template",
    .usage = "cara [--db FILE] report [--run ID] --by episode|arrangement|specialist|aco|"
             "template|leakage [--format table|json|csv] [--npi N] [--tin T] [--aco A] "
             "[--template ID]",
    .help = "Reports the latest completed run, or --run ID.\n\n"
            "  --by episode       one row per episode (docs/reports.md fields)\n"
            "  --by arrangement   one row per arrangement and performance year\n"
            "  --by specialist    per Preferred Provider (NPI + TIN)\n"
            "  --by aco           per ACO, with leakage (spending outside its network)\n"
            "  --by template      per template\n"
            "  --by leakage       per ACO and provider outside its network\n\n"
            "  --format table     aligned columns for a terminal, money in dollars (default)\n"
            "  --format json      one JSON object per line; money in integer cents, factors\n"
            "                     as strings with four decimals (\"1.0800\"), absent = null\n"
            "  --format csv       a header row, then one row per line; money in cents\n\n"
            "  --npi N, --tin T   only a specialist's episodes, arrangements, totals\n"
            "  --aco A            only an ACO's (episodes of its aligned beneficiaries)\n"
            "  --template ID      only one template's\n",
    .run = run_report,
};
