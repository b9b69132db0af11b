/*
 * cmd_risk.c: `cara risk-list`: the prospective risk list of issue 19 (risk_list.h,
 * docs/monthly.md "The risk score"): aligned beneficiaries not in an open episode,
 * scored by each template's risk rule, ranked, with the reasons and the specialist for
 * outreach. The list is beneficiary data: every listing appends a 'phi.read' row to the
 * audit log (audit_cli.h), and a store this user cannot write is refused first.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "base/base.h"
#include "engine/engine.h"
#include "store/store.h"

enum { FMT_TABLE, FMT_JSON, FMT_CSV };

/* The table: rank, aco, person, template, score, reasons, npi (reasons last-but-one is
 * long, so it goes last). */
static void print_table(cli_ctx *c, const risk_list *l)
{
    static const char *const head[] = {"rank", "aco_id", "person_id", "template_id", "score",
                                       "npi", "tin", "last_claim_date", "reasons"};
    enum { N = 9 };
    size_t w[N];
    for (int k = 0; k < N; k++) w[k] = strlen(head[k]);
    char buf[4][24];
    for (size_t i = 0; i < l->n; i++) {
        const risk_row *r = &l->rows[i];
        size_t len[N] = {(size_t)snprintf(buf[0], 24, "%lld", (long long)r->rank), strlen(r->aco_id),
                         strlen(r->person_id), strlen(r->template_id),
                         (size_t)snprintf(buf[1], 24, "%lld", (long long)r->score), strlen(r->npi),
                         strlen(r->tin), 10, 0};
        for (int k = 0; k < N - 1; k++)
            if (len[k] > w[k]) w[k] = len[k];
    }
    for (int k = 0; k < N; k++) fprintf(c->out, "%-*s%s", k + 1 < N ? (int)w[k] : 0, head[k], k + 1 < N ? "  " : "\n");
    for (size_t i = 0; i < l->n; i++) {
        const risk_row *r = &l->rows[i];
        char d[11] = "";
        if (r->last_claim != CARA_DATE_NONE) date_format(r->last_claim, d);
        snprintf(buf[0], 24, "%lld", (long long)r->rank);
        snprintf(buf[1], 24, "%lld", (long long)r->score);
        fprintf(c->out, "%*s  %-*s  %-*s  %-*s  %*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], buf[0],
                (int)w[1], r->aco_id, (int)w[2], r->person_id, (int)w[3], r->template_id,
                (int)w[4], buf[1], (int)w[5], r->npi, (int)w[6], r->tin, (int)w[7], d, r->reasons);
    }
}

/* What the table says on stderr: the as-of date and which run gave the open episodes. */
static void print_note(cli_ctx *c, const risk_list *l)
{
    char d[11];
    date_format(l->as_of, d);
    fprintf(c->err, "as of %s:", d);
    for (size_t i = 0; i < l->n_tmpl; i++) {
        const risk_tmpl_info *t = &l->tmpl[i];
        if (t->run_id)
            fprintf(c->err, "%s %s: open episodes from run %lld, %lld candidates, %lld in an open "
                    "episode", i ? ";" : "", t->template_id, (long long)t->run_id,
                    (long long)t->candidates, (long long)t->open_episodes);
        else
            fprintf(c->err, "%s %s: no finished run (nobody counted as in an open episode), "
                    "%lld candidates", i ? ";" : "", t->template_id, (long long)t->candidates);
    }
    if (!l->n_tmpl) fprintf(c->err, " no template ships a risk rule");
    fprintf(c->err, "; %zu of %zu rows\n", l->n, l->total);
}

static int run_risk(cli_ctx *c, int argc, char **argv)
{
    const char *aco = NULL, *npi = NULL, *tmpl = NULL, *as_of = NULL, *limit = NULL,
               *min = NULL, *format = NULL, *run = NULL, *as = NULL;
    const cli_opt opts[] = {{"--aco", &aco, NULL},       {"--npi", &npi, NULL},
                            {"--template", &tmpl, NULL}, {"--as-of", &as_of, NULL},
                            {"--limit", &limit, NULL},   {"--min-score", &min, NULL},
                            {"--format", &format, NULL}, {"--run", &run, NULL},
                            {"--as", &as, NULL},         {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_risk, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_risk, "unexpected argument '%s'", argv[1]);
    int fmt = FMT_TABLE;
    if (format && !strcmp(format, "json")) fmt = FMT_JSON;
    else if (format && !strcmp(format, "csv")) fmt = FMT_CSV;
    else if (format && strcmp(format, "table"))
        return cli_usage_error(c, &cmd_risk, "--format must be table, json or csv (got '%s')", format);
    risk_list_opts o = {0};
    o.aco_id = aco;
    o.npi = npi;
    o.template_id = tmpl;
    cara_date d;
    if (as_of) {
        if (date_parse(as_of, strlen(as_of), &d) < 0 || strlen(as_of) != 10)
            return cli_usage_error(c, &cmd_risk, "--as-of: '%s' is not a date (expected YYYY-MM-DD)", as_of);
        o.as_of = d;
    }
    uint64_t v;
    if (limit) {
        if (util_parse_u64(limit, &v) < 0 || v == 0 || v > INT64_MAX)
            return cli_usage_error(c, &cmd_risk, "--limit: '%s' is not a count of at least 1", limit);
        o.limit = (int64_t)v;
    }
    if (run) {
        if (util_parse_u64(run, &v) < 0 || v == 0 || v > INT64_MAX)
            return cli_usage_error(c, &cmd_risk, "--run: '%s' is not a run id (cara runs lists them)", run);
        o.run_id = (int64_t)v;
    }
    if (min) {
        char *end;
        errno = 0;
        long long m = strtoll(min, &end, 10);
        if (!*min || *end || errno || m < -RISK_MAX_SCORE || m > RISK_MAX_SCORE)
            return cli_usage_error(c, &cmd_risk, "--min-score: '%s' is not an integer score "
                                   "(-%d to %d)", min, RISK_MAX_SCORE, RISK_MAX_SCORE);
        o.has_min_score = 1;
        o.min_score = m;
    }
    store *s, *audit = NULL;
    char err[2048];
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara risk-list: %s\n", err);
        return CLI_FAIL;
    }
    if (audit_cli_open(c->db, &audit, err, sizeof err) < 0) {
        fprintf(c->err, "cara risk-list: %s\n", err);
        store_close(s);
        return CLI_FAIL;
    }
    risk_list l;
    int rc = risk_list_build(s, c->episodes_dir, c->plugins_dir, &o, &l, err, sizeof err);
    if (rc < 0) {
        fprintf(c->err, "cara risk-list: %s\n", err);
        store_close(audit);
        store_close(s);
        return rc == -ENOENT ? CLI_USAGE : CLI_FAIL;
    }
    int out = CLI_OK;
    if (fmt == FMT_JSON) {
        json_t *j = risk_list_json(&l);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text) fprintf(c->out, "%s\n", text);
        else out = CLI_FAIL;
        free(text);
        json_decref(j);
    } else if (fmt == FMT_CSV) {
        for (size_t i = 0; i <= l.n && out == CLI_OK; i++) {
            char *line = risk_row_csv(i ? &l.rows[i - 1] : NULL);
            if (line) fputs(line, c->out);
            else out = CLI_FAIL;
            free(line);
        }
        print_note(c, &l);
    } else {
        print_table(c, &l);
        print_note(c, &l);
    }
    if (out != CLI_OK) fprintf(c->err, "cara risk-list: out of memory\n");
    if (out == CLI_OK) {
        json_t *f = json_object();
        const char *names[] = {"aco", "npi", "template", "as_of", "limit", "min_score", "run"};
        const char *vals[] = {aco, npi, tmpl, as_of, limit, min, run};
        for (size_t i = 0; i < UTIL_ARRAY_LEN(names) && f; i++)
            if (vals[i]) json_object_set_new(f, names[i], json_string(vals[i]));
        if (audit_cli_phi_read(audit, audit_cli_actor(as), "risk-list", "risk_list", "", f,
                               (long long)l.n, err, sizeof err) < 0) {
            fprintf(c->err, "cara risk-list: %s\n", err);
            out = CLI_FAIL;
        }
    }
    risk_list_free(&l);
    store_close(audit);
    store_close(s);
    return out;
}

const cli_command cmd_risk = {
    .name = "risk-list",
    .summary = "the prospective risk list: aligned beneficiaries not in an open episode, scored",
    .usage = "cara [--db FILE] risk-list [--aco ID] [--npi NPI] [--template ID] [--as-of DATE] "
             "[--limit N] [--min-score S] [--format table|json|csv] [--run N] [--as WHO]",
    .help = "For each template that ships a risk rule (its \"risk\" block, docs/templates.md),\n"
            "every beneficiary aligned to an ACO on the as-of date, alive, enrolled (not ESRD,\n"
            "not hospice) and not in an open episode of the template is scored by the rule\n"
            "over the claims of the look-back window ending on the as-of date. Open: the run\n"
            "has a non-excluded episode of the template whose window holds the as-of date.\n"
            "Rows are ranked by score (highest first), then person_id. The rule and the\n"
            "columns are in docs/monthly.md \"The risk score\".\n\n"
            "  --aco ID           only this ACO's beneficiaries\n"
            "  --npi NPI          only those whose specialist for outreach is this NPI (the\n"
            "                     Preferred Provider with an EBRA of the template in force who\n"
            "                     rendered the most look-back lines; none: the ACO's care team)\n"
            "  --template ID      only this template (default: every one with a risk rule)\n"
            "  --as-of DATE       score as of this day (default: the data's as-of date, the\n"
            "                     latest claim_end_date)\n"
            "  --limit N          at most N rows, after ranking (default: all)\n"
            "  --min-score S      only rows scoring at least S\n"
            "  --run N            the run whose episodes say who is in an open episode\n"
            "                     (default: the latest finished run of each template)\n"
            "  --as WHO           who reads, for the audit log (default $USER)\n\n"
            "  --format table     aligned columns (default); on stderr, the as-of date and the\n"
            "                     run used\n"
            "  --format json      one JSON document: as_of, templates (each with its run_id),\n"
            "                     total, rows\n"
            "  --format csv       RFC 4180 with a header: rank, aco_id, person_id,\n"
            "                     template_id, score, flagged, reasons, npi, tin,\n"
            "                     last_claim_date, run_id\n\n"
            "flagged is true when the score reaches the template's risk.threshold; reasons\n"
            "are the rule's \"code:detail\" joined by \"; \". A template or run that does not\n"
            "exist exits 2; a rule that fails exits 1 naming its file and line. The list is\n"
            "beneficiary data: every listing appends a phi.read row to the audit log.\n",
    .run = run_risk,
};
