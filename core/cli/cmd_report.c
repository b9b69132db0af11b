/*
 * cmd_report.c: `cara report`: a run's results by episode, arrangement, specialist,
 * ACO, template or leakage provider, as a table, JSON lines or CSV.
 *
 * The JSON field names of --by episode and --by arrangement are exactly those of
 * docs/methodology.md and docs/reports.md: factors are strings with four decimals, money integer cents,
 * absent values null. Money conventions (docs/reports.md "Money"): the table shows
 * dollars; CSV keeps every *_cents column in cents and adds, after the report's columns,
 * one dollar column per money column named without "_cents" (target_cents -> target);
 * JSON has only the integer *_cents fields. Dollars come from money_format (integer
 * arithmetic, no floating point).
 *
 * Filters are checked before anything is read (report_check_filters; a bad or unknown
 * one is a usage error, exit 2). An empty report says why and which run was used, and
 * names a run that has rows. --by episode prints beneficiary data: it is recorded in
 * the audit log (audit_cli.h), and refused when the store cannot be written.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "engine/engine.h"
#include "base/base.h"
#include "store/store.h"

/* The printer of a report's rows (report_each's ud): table 0 (buffered so columns can
 * be sized), json 1, csv 2. */
typedef struct printer {
    cli_ctx *c;
    const report_def *r;
    int format;
    long long rows;
    /* the table */
    size_t shown;
    const report_col *cols[64];
    size_t width[64];
    char head[64][64];
    char **cells; /* rows x shown columns */
    size_t cap;
    int full;     /* out of memory: no more rows kept */
} printer;

static void header(printer *p)
{
    const report_def *r = p->r;
    cli_ctx *c = p->c;
    if (p->format == 0) {
        for (size_t i = 0; i < r->n_cols; i++)
            if (r->cols[i].in_table) p->cols[p->shown++] = &r->cols[i];
        for (size_t k = 0; k < p->shown; k++) {
            if (p->cols[k]->type == REPORT_MONEY) report_dollar_name(p->cols[k]->name, p->head[k]);
            else snprintf(p->head[k], sizeof p->head[k], "%s", p->cols[k]->name);
            p->width[k] = strlen(p->head[k]);
        }
    } else if (p->format == 2) {
        report_csv_header(r, c->out);
    }
}

/* store_row_fn of report_each: print (or keep, for the table) one row. */
static int print_row(const store_row *row, void *ud)
{
    printer *p = ud;
    const report_def *r = p->r;
    cli_ctx *c = p->c;
    if (!row->cells) {
        header(p);
        return 0;
    }
    const store_cell *k = row->cells;
    if (p->format == 0) {
        if (p->full) return 0;
        if ((size_t)p->rows == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 256;
            char **v = realloc(p->cells, cap * (p->shown ? p->shown : 1) * sizeof *v);
            if (!v) {
                p->full = 1; /* as before: the rows so far are shown */
                return 0;
            }
            p->cells = v;
            p->cap = cap;
        }
        for (size_t i = 0, j = 0; i < r->n_cols; i++) {
            if (!r->cols[i].in_table) continue;
            char buf[256];
            report_cell_text(&k[i], r->cols[i].type, 1, buf, sizeof buf);
            p->cells[(size_t)p->rows * p->shown + j] = strdup(buf);
            if (strlen(buf) > p->width[j]) p->width[j] = strlen(buf);
            j++;
        }
        p->rows++;
        return 0;
    }
    p->rows++;
    if (p->format == 1) {
        json_t *o = json_object();
        for (size_t i = 0; i < r->n_cols; i++)
            json_object_set_new(o, r->cols[i].name, report_cell_json_of(&k[i], r->cols[i].type));
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(c->out, "%s\n", s ? s : "{}");
        free(s);
        json_decref(o);
        return 0;
    }
    report_csv_row(r, row, c->out);
    return 0;
}

/* The table, once every row is in (nothing when there is none: the caller says why). */
static void print_table(printer *p)
{
    cli_ctx *c = p->c;
    size_t shown = p->shown;
    if (p->format != 0 || p->rows == 0) {
        free(p->cells);
        return;
    }
    for (size_t k = 0; k < shown; k++)
        fprintf(c->out, "%-*s%s", k + 1 < shown ? (int)p->width[k] : 0, p->head[k],
                k + 1 < shown ? "  " : "\n");
    for (size_t i = 0; i < (size_t)p->rows; i++)
        for (size_t k = 0; k < shown; k++) {
            const char *s = p->cells[i * shown + k] ? p->cells[i * shown + k] : "";
            int right = p->cols[k]->type != REPORT_TEXT, last = k + 1 == shown;
            fprintf(c->out, right ? "%*s%s" : "%-*s%s", last && !right ? 0 : (int)p->width[k], s,
                    last ? "\n" : "  ");
            free(p->cells[i * shown + k]);
        }
    free(p->cells);
}

/* The latest done run's id into buf ("" when there is none, or on a store error). */
static void latest_done(store *s, char *buf, size_t len)
{
    int64_t id;
    buf[0] = '\0';
    if (runs_q_latest_done(s, &id, NULL, 0) == 1) snprintf(buf, len, "%lld", (long long)id);
}

/* The run to report: --run ID (must exist and be done) or the latest done run. */
static int pick_run(cli_ctx *c, store *s, const char *arg, int64_t *run_id)
{
    uint64_t id = 0;
    if (arg && (util_parse_u64(arg, &id) < 0 || id == 0 || id > INT64_MAX))
        return cli_usage_error(c, &cmd_report, "--run: '%s' is not a run id (expected a "
                               "positive integer; cara runs lists them)", arg);
    char err[512], latest[32];
    runs_q_status rs;
    int found;
    if (arg) {
        found = runs_q_status_of(s, (int64_t)id, &rs, err, sizeof err);
    } else {
        found = runs_q_latest_done(s, run_id, err, sizeof err);
        if (found == 1) return CLI_OK;
    }
    if (found < 0) {
        fprintf(c->err, "cara report: %s\n", err);
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    if (found == 0) {
        latest_done(s, latest, sizeof latest);
        if (arg)
            fprintf(c->err, "cara report: %s: no run %s (%s%s; cara runs lists them)\n", c->db, arg,
                    latest[0] ? "the latest completed run is " : "no run has completed yet",
                    latest);
        else fprintf(c->err, "cara report: %s: no completed run yet (run 'cara run' first)\n", c->db);
        rc = CLI_FAIL;
    } else if (strcmp(rs.status, "done") != 0) {
        latest_done(s, latest, sizeof latest);
        fprintf(c->err, "cara report: run %s is %s%s%s: only a completed run can be reported "
                "(%s%s)\n", arg, rs.status, rs.message[0] ? ": " : "", rs.message,
                latest[0] ? "the latest completed run is " : "no run has completed yet", latest);
        rc = CLI_FAIL;
    } else {
        *run_id = rs.run_id;
    }
    if (arg) runs_q_status_free(&rs);
    return rc;
}

/* An empty report: why (stdout for the table, "(no rows: ...)"; stderr otherwise), and
 * the latest other run that has rows for the same filters (stderr). */
static void say_empty(cli_ctx *c, store *db, const report_def *r, int64_t run_id,
                      const report_filters *f, int fmt, int explicit_run)
{
    char why[512];
    report_explain_empty(db, r, run_id, f, why, sizeof why);
    if (fmt == 0) fprintf(c->out, "(no rows: %s)\n", why);
    else fprintf(c->err, "cara report: %s\n", why);
    int64_t other = report_other_run(db, r, run_id, f);
    if (other > 0)
        fprintf(c->err, "cara report: %s run %lld; run %lld has some: add --run %lld\n",
                explicit_run ? "you asked for" : "used the latest completed run,",
                (long long)run_id, (long long)other, (long long)other);
    else if (other == 0)
        fprintf(c->err, "cara report: %s run %lld; no other completed run has any either\n",
                explicit_run ? "you asked for" : "used the latest completed run,", (long long)run_id);
}

/* The filters given, as a JSON object for the audit log (absent ones left out). */
static json_t *filters_json(const report_filters *f, const char *by)
{
    json_t *o = json_pack("{s:s}", "by", by);
    const char *names[6] = {"npi", "tin", "aco", "template", "arrangement", "period"};
    const char *v[6] = {f->npi, f->tin, f->aco, f->tmpl, f->arrangement, f->period};
    for (int i = 0; i < 6 && o; i++)
        if (v[i]) json_object_set_new(o, names[i], json_string(v[i]));
    return o;
}

static int run_report(cli_ctx *c, int argc, char **argv)
{
    const char *run = NULL, *by = NULL, *format = NULL, *as = NULL;
    report_filters f = {0};
    const cli_opt opts[] = {{"--run", &run, NULL},      {"--by", &by, NULL},
                            {"--format", &format, NULL}, {"--npi", &f.npi, NULL},
                            {"--tin", &f.tin, NULL},    {"--aco", &f.aco, NULL},
                            {"--template", &f.tmpl, NULL}, {"--arrangement", &f.arrangement, NULL},
                            {"--period", &f.period, NULL}, {"--as", &as, NULL},
                            {NULL, NULL, NULL}};
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
    int phi = !strcmp(r->by, "episode"); /* person ids: audited */
    store *s, *audit = NULL;
    char err[1024];
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara report: %s\n", err);
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    int k = report_check_filters(s, r, &f, 1, err, sizeof err);
    if (k == -EIO) {
        fprintf(c->err, "cara report: %s: %s\n", c->db, err);
        rc = CLI_FAIL;
    } else if (k < 0) {
        rc = cli_usage_error(c, &cmd_report, "%s", err);
    }
    int64_t run_id = 0;
    if (rc == CLI_OK) rc = pick_run(c, s, run, &run_id);
    if (rc == CLI_OK && phi && audit_cli_open(c->db, &audit, err, sizeof err) < 0) {
        fprintf(c->err, "cara report: %s\n", err);
        rc = CLI_FAIL;
    }
    long long rows = 0;
    if (rc == CLI_OK) {
        printer *p = calloc(1, sizeof *p);
        int got = -ENOMEM;
        if (p) {
            p->c = c;
            p->r = r;
            p->format = fmt;
            got = report_each(s, r, run_id, &f, print_row, p, err, sizeof err);
            print_table(p);
            rows = p->rows;
            free(p);
        } else {
            snprintf(err, sizeof err, "out of memory");
        }
        if (got < 0) {
            fprintf(c->err, "cara report: %s\n", err);
            rc = CLI_FAIL;
        } else if (rows == 0) {
            say_empty(c, s, r, run_id, &f, fmt, run != NULL);
        }
    }
    if (audit && rc == CLI_OK) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)run_id);
        if (audit_cli_phi_read(audit, audit_cli_actor(as), "report", "run", id,
                               filters_json(&f, r->by), rows, err, sizeof err) < 0) {
            fprintf(c->err, "cara report: %s\n", err);
            rc = CLI_FAIL;
        }
    }
    store_close(audit);
    store_close(s);
    return rc;
}

const cli_command cmd_report = {
    .name = "report",
    .summary = "show a run's results by episode, arrangement, specialist, ACO, template, "
               "leakage or month",
    .usage = "cara [--db FILE] report [--run ID] --by episode|arrangement|specialist|aco|"
             "template|leakage|month [--format table|json|csv] [--npi N] [--tin T] [--aco A] "
             "[--template ID] [--arrangement ID] [--period YYYY] [--as WHO]",
    .help = "Reports the latest completed run, or --run ID (a run that does not exist or\n"
            "did not complete is an error).\n\n"
            "  --by episode       one row per episode, with its arrangement_id, npi and tin\n"
            "                     (docs/reports.md fields; beneficiary data: audited)\n"
            "  --by arrangement   one row per arrangement and performance year; an\n"
            "                     arrangement in force with no episode: status no_episodes\n"
            "  --by specialist    per Preferred Provider (NPI + TIN), no_episodes included\n"
            "  --by aco           per ACO, with leakage (spending outside its network)\n"
            "  --by template      per template\n"
            "  --by leakage       per ACO and provider outside its network\n"
            "  --by month         per ACO, template and month of day 0: episodes, targets\n"
            "                     and actuals (the trend of spending against target)\n\n"
            "  --format table     aligned columns for a terminal (default)\n"
            "  --format json      one JSON object per line; money only as integer *_cents,\n"
            "                     factors as strings with four decimals (\"1.0800\"), absent\n"
            "                     = null\n"
            "  --format csv       a header row, then one row per line: every column as in\n"
            "                     JSON (*_cents in cents), then one dollar column per money\n"
            "                     column, named without _cents (target_cents -> target)\n\n"
            "Money: the table and CSV's dollar columns show dollars with two decimals\n"
            "(1234.56, -12.00; no thousands separator), computed from cents without\n"
            "floating point.\n\n"
            "  --npi N, --tin T   only a specialist's episodes, arrangements, totals\n"
            "  --aco A            only an ACO's (episodes of its aligned beneficiaries)\n"
            "  --template ID      only one template's\n"
            "  --arrangement ID   only one arrangement's (episode, arrangement, specialist)\n"
            "  --period YYYY      only one performance year (the year of day 0)\n"
            "  --as WHO           who reads, for the audit log (default $USER)\n\n"
            "A filter a report does not take, an NPI or TIN that is not one, a period that\n"
            "is not YYYY, an ACO, template or arrangement the store does not know: usage\n"
            "error (exit 2). A valid filter that matches nothing prints \"(no rows: ...)\"\n"
            "saying why and which run was used (stderr for json and csv), and names a\n"
            "run that has rows (add --run N) or says none does.\n",
    .run = run_report,
};
