/*
 * cmd_runs.c: `cara runs`: the runs recorded in the store, and what one run used.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "store/store.h"
#include "base/base.h"

static const char LIST_SQL[] =
    "SELECT r.run_id, r.started_at, COALESCE(r.finished_at, ''), " RUN_LEASE_STATUS_SQL("r") ", r.period, "
    "r.template_filter, r.episodes_dir, r.as_of_date, r.beneficiaries, r.claim_lines, "
    "(SELECT count(*) FROM run_episodes e WHERE e.run_id = r.run_id), "
    "(SELECT count(*) FROM run_arrangements a WHERE a.run_id = r.run_id), r.inputs, "
    "r.message FROM runs r ORDER BY r.run_id";

static const char COMPONENTS_SQL[] =
    "SELECT kind, name, version, path, sha256 FROM run_components WHERE run_id = ?1 "
    "ORDER BY kind, name";

static json_t *col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return json_null();
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    default: return json_string((const char *)sqlite3_column_text(st, i));
    }
}

static int list_runs(cli_ctx *c, sqlite3 *db, int json)
{
    static const char *const names[] = {"run_id", "started_at", "finished_at", "status",
                                        "period", "template", "episodes_dir", "as_of_date",
                                        "beneficiaries", "claim_lines", "episodes",
                                        "arrangements", "inputs", "message"};
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, LIST_SQL, -1, &st, NULL) != SQLITE_OK) return -1;
    if (!json)
        fprintf(c->out, "%-6s %-20s %-9s %-6s %-13s %9s %9s  %s\n", "RUN", "STARTED", "STATUS",
                "PERIOD", "AS OF", "EPISODES", "ARRANGE.", "EPISODES DIR");
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (json) {
            json_t *o = json_object();
            for (int i = 0; i < 14; i++) {
                json_t *v = col_json(st, i);
                if (i == 12 && json_is_string(v)) { /* inputs is stored as JSON text */
                    json_t *parsed = json_loads(json_string_value(v), 0, NULL);
                    if (parsed) {
                        json_decref(v);
                        v = parsed;
                    }
                }
                json_object_set_new(o, names[i], v);
            }
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(c->out, "%s\n", s ? s : "{}");
            free(s);
            json_decref(o);
        } else {
            const char *period = (const char *)sqlite3_column_text(st, 4);
            fprintf(c->out, "%-6lld %-20s %-9s %-6s %-13s %9lld %9lld  %s\n",
                    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                    sqlite3_column_text(st, 3), period ? period : "all",
                    sqlite3_column_text(st, 7) ? (const char *)sqlite3_column_text(st, 7) : "",
                    (long long)sqlite3_column_int64(st, 10), (long long)sqlite3_column_int64(st, 11),
                    sqlite3_column_text(st, 6));
        }
    }
    sqlite3_finalize(st);
    return 0;
}

static int show_run(cli_ctx *c, sqlite3 *db, int64_t id, int json)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, COMPONENTS_SQL, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_int64(st, 1, id);
    int n = 0;
    if (!json) fprintf(c->out, "%-9s %-40s %-8s %-16s %s\n", "KIND", "NAME", "VERSION", "SHA256", "PATH");
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        if (json) {
            json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "run_id", (json_int_t)id,
                                  "kind", sqlite3_column_text(st, 0), "name",
                                  sqlite3_column_text(st, 1), "version", sqlite3_column_text(st, 2),
                                  "path", sqlite3_column_text(st, 3), "sha256",
                                  sqlite3_column_text(st, 4));
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(c->out, "%s\n", s ? s : "{}");
            free(s);
            json_decref(o);
        } else {
            fprintf(c->out, "%-9s %-40s %-8s %.16s %s\n", sqlite3_column_text(st, 0),
                    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                    sqlite3_column_text(st, 4), sqlite3_column_text(st, 3));
        }
    }
    sqlite3_finalize(st);
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
        if (run_lease_reap(store_db(s), "cara runs", NULL, err, sizeof err) < 0)
            fprintf(c->err, "cara runs: warning: %s\n", err);
        store_close(s);
    }
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara runs: %s\n", err);
        return CLI_FAIL;
    }
    int rc = run ? show_run(c, store_db(s), (int64_t)id, json) : list_runs(c, store_db(s), json);
    if (rc < 0) fprintf(c->err, "cara runs: %s\n", sqlite3_errmsg(store_db(s)));
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
