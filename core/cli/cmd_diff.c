/*
 * cmd_diff.c: `cara diff RUN_A RUN_B`: what changed between two runs: the components
 * (diff_components.h), then per template, per arrangement and period, the episodes whose
 * attribution changed, and leakage per ACO and per provider.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "diff_components.h"
#include "base/base.h"
#include "engine/engine.h"
#include "store/store.h"

typedef run_diff_section section;

/* Column title in the table: money without its _cents suffix, and short. */
static const char *display(const char *name)
{
    if (!strcmp(name, "actual_winsorized_cents")) return "winsorized";
    if (!strcmp(name, "target_cents")) return "target";
    if (!strcmp(name, "actual_cents")) return "actual";
    if (!strcmp(name, "payment_cents")) return "payment";
    if (!strcmp(name, "paid_cents")) return "paid";
    return name;
}

static int is_money(const char *name)
{
    size_t n = strlen(name);
    return n > 6 && strcmp(name + n - 6, "_cents") == 0;
}

static void fmt_val(const char *name, int64_t v, int sign, char buf[40], size_t len)
{
    if (is_money(name)) {
        char m[32];
        money_format(v, m);
        snprintf(buf, len, "%s%s", sign && v > 0 ? "+" : "", m);
    } else {
        snprintf(buf, len, "%s%lld", sign && v > 0 ? "+" : "", (long long)v);
    }
}

typedef struct section_ctx {
    cli_ctx *c;
    const section *s;
    int64_t ra, rb;
    int header_seen;
} section_ctx;

/* store_row_fn of diff_q_section: the section's heading, then one row, as a table. */
static int section_row(const store_row *row, void *ud)
{
    section_ctx *x = ud;
    cli_ctx *c = x->c;
    const section *s = x->s;
    int kw = 24; /* first key column */
    if (!row->cells) {
        x->header_seen = 1;
        fprintf(c->out, "== by %s (A = run %lld, B = run %lld)\n", s->kind, (long long)x->ra,
                (long long)x->rb);
        for (int k = 0; k < s->n_keys; k++)
            fprintf(c->out, "%-*s ", s->widths ? s->widths[k] : k == 0 ? kw : 6, s->keys[k]);
        for (int t = 0; t < s->n_tail; t++) fprintf(c->out, "%-19s ", s->tail[t]);
        for (int p = 0; p < s->n_pairs; p++) {
            char h[40];
            snprintf(h, sizeof h, "%s", display(s->pairs[p]));
            fprintf(c->out, "%12s_A %12s_B %12s ", h, h, "change");
        }
        fputc('\n', c->out);
        return 0;
    }
    const store_cell *k = row->cells;
    for (int i = 0; i < s->n_keys; i++)
        fprintf(c->out, "%-*s ", s->widths ? s->widths[i] : i == 0 ? kw : 6, k[i].text);
    for (int t = 0; t < s->n_tail; t++) fprintf(c->out, "%-19s ", k[run_diff_tail_col(s, t)].text);
    for (int p = 0; p < s->n_pairs; p++) {
        int64_t a = k[run_diff_pair_col(s, p)].i, b = k[run_diff_pair_col(s, p) + 1].i;
        char va[40], vb[40], vd[40];
        fmt_val(s->pairs[p], a, 0, va, sizeof va);
        fmt_val(s->pairs[p], b, 0, vb, sizeof vb);
        fmt_val(s->pairs[p], b - a, 1, vd, sizeof vd);
        fprintf(c->out, "%14s %14s %12s ", va, vb, a == b ? "" : vd);
    }
    fputc('\n', c->out);
    return 0;
}

/* Print one section as a table; returns its row count, or -1 on a store error (err). */
static int print_section(cli_ctx *c, store *db, const section *s, int64_t ra, int64_t rb,
                         char *err, size_t errlen)
{
    section_ctx x = {c, s, ra, rb, 0};
    int rows = diff_q_section(db, s->kind, ra, rb, section_row, &x, err, errlen);
    if (!x.header_seen) return -1;
    if (rows == 0) fprintf(c->out, "(no differences)\n");
    fputc('\n', c->out);
    return rows;
}

/* The whole diff as JSON lines (run_diff.h); -1 on a store error (err). */
static int print_json(cli_ctx *c, store *db, int64_t ra, int64_t rb, int *rows, char *err,
                      size_t errlen)
{
    json_t *all = json_array();
    if (!all || run_diff_json(db, ra, rb, all, rows, err, errlen) < 0) {
        json_decref(all);
        return -1;
    }
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o)
    {
        char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(c->out, "%s\n", txt ? txt : "{}");
        free(txt);
    }
    json_decref(all);
    return 0;
}

/* A run must exist and be done. */
static int check_run(cli_ctx *c, store *s, const char *arg, int64_t *id)
{
    uint64_t v;
    if (util_parse_u64(arg, &v) < 0)
        return cli_usage_error(c, &cmd_diff, "'%s' is not a run id", arg);
    char err[512];
    runs_q_status st;
    int found = runs_q_status_of(s, (int64_t)v, &st, err, sizeof err);
    int done = found == 1 && strcmp(st.status, "done") == 0;
    if (found < 0) fprintf(c->err, "cara diff: %s\n", err);
    else if (!found) fprintf(c->err, "cara diff: %s: no run %s ('cara runs' lists them)\n", c->db, arg);
    else if (!done) fprintf(c->err, "cara diff: run %s is %s, not done\n", arg, st.status);
    runs_q_status_free(&st);
    *id = (int64_t)v;
    return done ? CLI_OK : CLI_FAIL;
}

static int run_diff(cli_ctx *c, int argc, char **argv)
{
    const char *format = NULL, *as = NULL;
    const cli_opt opts[] = {{"--format", &format, NULL}, {"--as", &as, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_diff, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n != 2) return cli_usage_error(c, &cmd_diff, "expected two run ids");
    int json = cli_format(c, &cmd_diff, format);
    if (json < 0) return CLI_USAGE;
    store *s, *audit = NULL;
    char err[1024];
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara diff: %s\n", err);
        return CLI_FAIL;
    }
    int64_t ra = 0, rb = 0;
    int rc = check_run(c, s, argv[1], &ra);
    if (rc == CLI_OK) rc = check_run(c, s, argv[2], &rb);
    /* the attribution section names episodes (person ids): audited */
    if (rc == CLI_OK && audit_cli_open(c->db, &audit, err, sizeof err) < 0) {
        fprintf(c->err, "cara diff: %s\n", err);
        rc = CLI_FAIL;
    }
    int rows = 0;
    if (rc == CLI_OK && json && print_json(c, s, ra, rb, &rows, err, sizeof err) < 0) {
        fprintf(c->err, "cara diff: %s\n", err);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && !json && diff_print_components(c, s, ra, rb, err, sizeof err) < 0) {
        fprintf(c->err, "cara diff: %s\n", err);
        rc = CLI_FAIL;
    }
    size_t n_sections = 0;
    const section *sections = run_diff_sections(&n_sections);
    for (size_t i = 0; i < n_sections && rc == CLI_OK && !json; i++) {
        int got = print_section(c, s, &sections[i], ra, rb, err, sizeof err);
        if (got < 0) {
            fprintf(c->err, "cara diff: %s\n", err);
            rc = CLI_FAIL;
        } else if (!strcmp(sections[i].kind, "attribution")) {
            rows = got; /* the section that names beneficiaries */
        }
    }
    if (rc == CLI_OK) {
        char id[48];
        snprintf(id, sizeof id, "%lld,%lld", (long long)ra, (long long)rb);
        json_t *f = json_pack("{s:I, s:I}", "run_a", (json_int_t)ra, "run_b", (json_int_t)rb);
        if (audit_cli_phi_read(audit, audit_cli_actor(as), "diff", "run", id, f, rows, err,
                               sizeof err) < 0) {
            fprintf(c->err, "cara diff: %s\n", err);
            rc = CLI_FAIL;
        }
    }
    store_close(audit);
    store_close(s);
    return rc;
}

const cli_command cmd_diff = {
    .name = "diff",
    .summary = "compare two runs: components, templates, arrangements, attributions, leakage",
    .usage = "cara [--db FILE] diff RUN_A RUN_B [--format table|json] [--as WHO]",
    .help = "First the components: every plugin, template, rule file and table added,\n"
            "removed or changed between the runs (kind, name, version and SHA-256 in A and\n"
            "B); for a changed template or overlay the JSON members that changed\n"
            "(pricing.trend_bps: 200 -> 300), for a changed rule or table the lines\n"
            "(FILE:LINE: - old, FILE:LINE: + new; 20 per component, then a count), and\n"
            "'content changed under the same version V' when only the hash moved.\n"
            "Then, per template and per arrangement and period, episodes, targets,\n"
            "actuals and payments in RUN_A and RUN_B and the change, every episode\n"
            "whose attribution changed (or that exists in only one run, or whose exclusion\n"
            "changed), leakage per ACO (lines and paid dollars) and per provider TIN and\n"
            "NPI where it changed. Typical use: run the CMS base, run again with\n"
            "--episodes DIR holding an edited rule or template, diff the two. JSON prints\n"
            "one object per line with \"kind\" component, template, arrangement,\n"
            "attribution, leakage or leakage_provider and fields NAME_a, NAME_b and\n"
            "NAME_change (money in cents); a component has component_kind, name,\n"
            "version_a/b, sha256_a/b, change (added, removed, changed), same_version,\n"
            "and members [{path, a, b}] or lines [{file, line, op, text}] with\n"
            "members_more or lines_more.\n\n"
            "The attribution section names episodes (and so beneficiaries): every diff\n"
            "appends a phi.read row to the audit log (--as WHO, default $USER; the number\n"
            "of attribution rows, never the data).\n",
    .run = run_diff,
};
