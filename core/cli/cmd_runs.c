/*
 * cmd_runs.c: `cara runs`: the runs recorded in the store, and what one run used.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "store/store.h"
#include "base/base.h"

static json_t *str_json(const char *s) { return s ? json_string(s) : json_null(); }

typedef struct show_ctx {
    cli_ctx *c;
    int64_t id; /* cara runs --run ID */
    int json;
} show_ctx;

/* runs_q_fn of `cara runs`: one line of the table or one JSON line (ud: a show_ctx). */
static int print_run(const runs_q_row *r, void *ud)
{
    const show_ctx *x = ud;
    cli_ctx *c = x->c;
    if (x->json) {
        json_t *o = json_object();
        json_object_set_new(o, "run_id", json_integer(r->run_id));
        json_object_set_new(o, "started_at", str_json(r->started_at));
        json_object_set_new(o, "finished_at", json_string(r->finished_at ? r->finished_at : ""));
        json_object_set_new(o, "status", str_json(r->status));
        json_object_set_new(o, "period", r->has_period ? json_integer(r->period) : json_null());
        json_object_set_new(o, "template", str_json(r->template_filter));
        json_object_set_new(o, "episodes_dir", str_json(r->episodes_dir));
        json_object_set_new(o, "as_of_date", str_json(r->as_of_date));
        json_object_set_new(o, "beneficiaries", json_integer(r->beneficiaries));
        json_object_set_new(o, "claim_lines", json_integer(r->claim_lines));
        json_object_set_new(o, "episodes", json_integer(r->n_episodes));
        json_object_set_new(o, "arrangements", json_integer(r->n_arrangements));
        /* inputs is stored as JSON text */
        json_t *in = r->inputs ? json_loads(r->inputs, 0, NULL) : NULL;
        json_object_set_new(o, "inputs", in ? in : str_json(r->inputs));
        json_object_set_new(o, "message", str_json(r->message));
        json_object_set_new(o, "base_run_id", r->base_run_id ? json_integer(r->base_run_id) : json_null());
        json_object_set_new(o, "recomputed", r->has_recomputed ? json_integer(r->recomputed) : json_null());
        json_object_set_new(o, "full_reason", r->full_reason ? json_string(r->full_reason) : json_null());
        json_object_set_new(o, "rows_base_run_id",
                            r->rows_base_run_id ? json_integer(r->rows_base_run_id) : json_null());
        json_object_set_new(o, "stored_beneficiaries", r->rows_base_run_id
                            ? json_integer(r->stored_beneficiaries) : json_null());
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(c->out, "%s\n", s ? s : "{}");
        free(s);
        json_decref(o);
        return 0;
    }
    char period[24];
    if (r->has_period) snprintf(period, sizeof period, "%lld", (long long)r->period);
    fprintf(c->out, "%-6lld %-20s %-9s %-6s %-13s %9lld %9lld  %s\n", (long long)r->run_id,
            r->started_at, r->status, r->has_period ? period : "all",
            r->as_of_date ? r->as_of_date : "", (long long)r->n_episodes,
            (long long)r->n_arrangements, r->episodes_dir);
    return 0;
}

static int list_runs(cli_ctx *c, store *s, int json, char *err, size_t errlen)
{
    if (!json)
        fprintf(c->out, "%-6s %-20s %-9s %-6s %-13s %9s %9s  %s\n", "RUN", "STARTED", "STATUS",
                "PERIOD", "AS OF", "EPISODES", "ARRANGE.", "EPISODES DIR");
    show_ctx x = {c, 0, json};
    return runs_q_list(s, RUNS_Q_COUNTS, 0, print_run, &x, err, errlen) < 0 ? -1 : 0;
}

/* runs_q_component_fn of `cara runs --run ID`. */
static int print_component(const runs_q_component *k, void *ud)
{
    show_ctx *x = ud;
    if (x->json) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "run_id", (json_int_t)x->id,
                              "kind", k->kind, "name", k->name, "version", k->version, "path",
                              k->path, "sha256", k->sha256);
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(x->c->out, "%s\n", s ? s : "{}");
        free(s);
        json_decref(o);
    } else {
        fprintf(x->c->out, "%-9s %-40s %-8s %.16s %s\n", k->kind, k->name, k->version,
                k->sha256, k->path);
    }
    return 0;
}

static int show_run(cli_ctx *c, store *s, int64_t id, int json, char *err, size_t errlen)
{
    if (!json) fprintf(c->out, "%-9s %-40s %-8s %-16s %s\n", "KIND", "NAME", "VERSION", "SHA256", "PATH");
    show_ctx x = {c, id, json};
    int n = runs_q_components(s, id, print_component, &x, err, errlen);
    if (n < 0) return -1;
    if (n == 0) fprintf(c->err, "cara runs: run %lld recorded no components (no such run, or it failed before saving)\n", (long long)id);
    return n ? 0 : 1;
}

static int run_runs(cli_ctx *c, int argc, char **argv)
{
    const char *run = NULL, *format = NULL;
    const cli_opt opts[] = {{"--run", &run, NULL}, {"--format", &format, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_runs, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_runs, "unexpected argument '%s'", argv[1]);
    int json = cli_format(c, &cmd_runs, format);
    if (json < 0) return CLI_USAGE;
    uint64_t id = 0;
    if (run && util_parse_u64(run, &id) < 0)
        return cli_usage_error(c, &cmd_runs, "--run: '%s' is not a run id", run);
    store *s;
    char err[1024];
    /* first, read-write: runs whose process stopped are marked abandoned (run_lease.h);
     * a database this user cannot write is only read */
    if (util_exists(c->db) && store_open(c->db, 0, &s, err, sizeof err) == 0) {
        if (run_lease_reap(s, "cara runs", NULL, err, sizeof err) < 0)
            fprintf(c->err, "cara runs: warning: %s\n", err);
        store_close(s);
    }
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara runs: %s\n", err);
        return CLI_FAIL;
    }
    int rc = run ? show_run(c, s, (int64_t)id, json, err, sizeof err) : list_runs(c, s, json, err, sizeof err);
    if (rc < 0) fprintf(c->err, "cara runs: %s\n", err);
    store_close(s);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

const cli_command cmd_runs = {
    .name = "runs",
    .summary = "list the recorded runs, or what one run used (with content hashes)",
    .usage = "cara [--db FILE] runs [--run ID] [--format table|json]",
    .help = "Without --run: every run with its time, status, period, data as-of date and\n"
            "counts (JSON adds the inputs the store held and a failed run's message).\n"
            "With --run ID: every plugin, template, rule file and table the run used, with\n"
            "its version, path and SHA-256, so two runs can be told apart exactly.\n",
    .run = run_runs,
};
