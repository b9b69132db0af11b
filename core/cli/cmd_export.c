/*
 * cmd_export.c: `cara export`: a run's results in the formats partners read
 * (docs/exports.md): the contracting workbook (xlsx), the Da Vinci ATR attribution list,
 * the Da Vinci VBPR performance MeasureReports, the episode-level CSV.
 *
 * Every export holds beneficiary data: the command opens the audit connection first and
 * appends a 'phi.read' row after writing (audit_cli.h); each export is also recorded in
 * the exports table (what, of which run and scope, by whom, its SHA-256), which is how
 * the next ATR list of the same scope computes its changeType.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "base/base.h"
#include "export/export.h"
#include "store/store.h"

/* --list: the exports made, one JSON object a line (newest first). */
static int list_exports(cli_ctx *c)
{
    store *s;
    if (cli_open_store(c, STORE_READONLY, &s) < 0) return CLI_FAIL;
    char err[512];
    json_t *rows = NULL;
    int n = exports_q_list(s, NULL, 1000, &rows, err, sizeof err);
    store_close(s);
    if (n < 0) {
        fprintf(c->err, "cara export: %s\n", err);
        return CLI_FAIL;
    }
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        char *line = json_dumps(r, JSON_COMPACT);
        if (line) fprintf(c->out, "%s\n", line);
        free(line);
    }
    json_decref(rows);
    return CLI_OK;
}

/* Write the n bytes to f (the --out file, closed here, or stdout). 0 or -EIO with err. */
static int write_all(const char *path, FILE *f, const unsigned char *b, size_t n, char *err,
                     size_t errlen)
{
    size_t w = fwrite(b, 1, n, f);
    int bad = w != n || fflush(f) != 0;
    if (path && fclose(f) != 0) bad = 1;
    if (bad) return util_fail(err, errlen, -EIO, "writing %s: %s", path ? path : "stdout", strerror(errno));
    return 0;
}

/* The --out file of an export that failed: closed and removed (it holds nothing). */
static void drop_out(const char *path, FILE *f)
{
    if (!f) return;
    fclose(f);
    unlink(path);
}

static int run_export(cli_ctx *c, int argc, char **argv)
{
    const char *format = NULL, *run = NULL, *aco = NULL, *ebra = NULL, *npi = NULL, *tmpl = NULL,
               *period = NULL, *out = NULL, *form = NULL, *as = NULL;
    int list = 0;
    const cli_opt opts[] = {{"--format", &format, NULL}, {"--run", &run, NULL},
                            {"--aco", &aco, NULL},       {"--ebra", &ebra, NULL},
                            {"--npi", &npi, NULL},       {"--template", &tmpl, NULL},
                            {"--period", &period, NULL}, {"--out", &out, NULL},
                            {"--form", &form, NULL},     {"--as", &as, NULL},
                            {"--list", NULL, &list},     {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_export, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_export, "unexpected argument '%s'", argv[1]);
    if (list) return list_exports(c);
    export_format f;
    if (!format) return cli_usage_error(c, &cmd_export, "--format is required (atr, vbpr, episodes or xlsx)");
    if (export_format_parse(format, &f) < 0)
        return cli_usage_error(c, &cmd_export, "--format must be atr, vbpr, episodes or xlsx (got '%s')", format);
    export_form fm = EXPORT_FORM_BUNDLE;
    if (form && !strcmp(form, "ndjson")) fm = EXPORT_FORM_NDJSON;
    else if (form && strcmp(form, "bundle"))
        return cli_usage_error(c, &cmd_export, "--form must be bundle or ndjson (got '%s')", form);
    if (form && f != EXPORT_ATR)
        return cli_usage_error(c, &cmd_export, "--form applies to --format atr only");
    export_scope sc = {.aco_id = aco, .ebra_id = ebra, .npi = npi, .template_id = tmpl, .cli = 1};
    if (run) {
        uint64_t v;
        if (util_parse_u64(run, &v) < 0 || v == 0 || v > INT64_MAX)
            return cli_usage_error(c, &cmd_export, "--run must be a run id (a positive integer; got '%s')", run);
        sc.run_id = (int64_t)v;
    }
    if (period) {
        uint64_t v;
        if (util_parse_u64(period, &v) < 0 || v < 2000 || v > 2100 || strlen(period) != 4)
            return cli_usage_error(c, &cmd_export, "--period must be a year YYYY between 2000 and 2100 (got '%s')", period);
        sc.period = (int)v;
    }
    if (f == EXPORT_XLSX && !out && isatty(fileno(c->out)))
        return cli_usage_error(c, &cmd_export, "--format xlsx writes a binary workbook: give --out FILE.xlsx");
    char err[2048] = "";
    FILE *of = NULL; /* opened first: a path that cannot be written records nothing */
    if (out && !(of = fopen(out, "wb"))) {
        fprintf(c->err, "cara export: --out %s: %s\n", out, strerror(errno));
        return CLI_FAIL;
    }
    store *s, *audit = NULL;
    if (audit_cli_open(c->db, &audit, err, sizeof err) < 0 ||
        store_open(c->db, 0, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara export: %s\n", err);
        store_close(audit);
        drop_out(out, of);
        return CLI_FAIL;
    }
    export_output o;
    int rc = export_make(s, &sc, f, fm, c->plugins_dir, audit_cli_actor(as), &o, err, sizeof err);
    store_close(s);
    if (rc < 0) {
        fprintf(c->err, "cara export: %s\n", err);
        store_close(audit);
        drop_out(out, of);
        return rc == -ENOENT || rc == -EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    rc = write_all(out, of ? of : c->out, o.bytes, o.len, err, sizeof err);
    of = NULL;
    if (rc == 0) {
        char id[32];
        snprintf(id, sizeof id, "%" PRId64, sc.run_id);
        json_t *filters = json_pack("{s:s, s:I}", "format", format, "export_id", (json_int_t)o.export_id);
        const char *k[] = {"aco", "ebra", "npi", "template", "period", "form"};
        const char *v[] = {aco, ebra, npi, tmpl, period, form};
        for (int i = 0; i < 6 && filters; i++)
            if (v[i]) json_object_set_new(filters, k[i], json_string(v[i]));
        rc = audit_cli_phi_read(audit, audit_cli_actor(as), "export", "run", run ? id : "",
                                filters, o.records, err, sizeof err);
    }
    if (rc == 0 && out)
        fprintf(c->err, "cara export: wrote %s (%zu bytes, %" PRId64 " records, export %" PRId64
                ", sha256 %s)\n", out, o.len, o.records, o.export_id, o.sha256);
    if (rc == 0 && o.records == 0)
        fprintf(c->err, "cara export: run %" PRId64 " has nothing in this scope (%s): the export "
                "is empty\n", o.run_id, o.scope);
    if (rc < 0) fprintf(c->err, "cara export: %s\n", err);
    export_output_free(&o);
    store_close(audit);
    return rc < 0 ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_export = {
    .name = "export",
    .summary = "write a run's results as a contracting workbook, ATR list, VBPR report or "
               "episode file",
    .usage = "cara [--db FILE] export --format atr|vbpr|episodes|xlsx [--run ID] [--aco A] "
             "[--ebra ID] [--npi N] [--template ID] [--period YYYY] [--form bundle|ndjson] "
             "[--out FILE] [--as WHO] | export --list",
    .help = "Writes the latest completed run (or --run ID) for a scope (every ACO, or\n"
            "--aco, --ebra, --npi; narrowed by --template and --period) to --out FILE, else\n"
            "stdout (docs/exports.md):\n\n"
            "  --format xlsx      the contracting workbook: Summary, Terms, Target prices,\n"
            "                     Baseline, Episodes, Projected payment (real numbers and\n"
            "                     formulas; needs --out on a terminal)\n"
            "  --format atr       the Da Vinci ATR attribution list (FHIR R4 Group with its\n"
            "                     Patients, Practitioners, Organizations): a Bundle, or bulk\n"
            "                     NDJSON with --form ndjson; each member's changeType is\n"
            "                     against the previous ATR export of the same scope\n"
            "  --format vbpr      Da Vinci VBPR MeasureReports, one per EBRA and year\n"
            "  --format episodes  the episode-level CSV, one row per episode\n\n"
            "  --list             the exports made so far, newest first, one JSON object a\n"
            "                     line (export_id, format, run_id, scope, created_by,\n"
            "                     created_at, sha256, bytes, previous_export)\n"
            "  --as WHO           who exports, for the exports table and the audit log\n\n"
            "An export holds beneficiary data: it is recorded in the audit log, and refused\n"
            "when the store cannot be written. A scope that names nothing in the store, or\n"
            "a run that did not finish: usage error (exit 2).\n",
    .run = run_export,
};
