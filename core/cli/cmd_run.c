/*
 * cmd_run.c: `cara run`: build, attribute, price and reconcile every episode.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "engine/engine.h"
#include "store/store.h"
#include "base/base.h"

/* After a replay: does run `id` give run `of`'s results? Printed on stderr; CLI_OK when
 * they are equal (or run `of` has none to compare), CLI_FAIL when they differ. */
static int report_replay(cli_ctx *c, store *db, const replay_plan *p, int64_t id)
{
    replay_cmp r;
    char err[1024];
    if (replay_compare(db, p->of, id, &r, err, sizeof err) < 0) {
        fprintf(c->err, "cara run: %s\n", err);
        return CLI_FAIL;
    }
    if (strcmp(p->status, "done") != 0) {
        fprintf(c->err, "run %lld replays run %lld, which is %s: no results to compare\n",
                (long long)id, (long long)p->of, p->status);
        return CLI_OK;
    }
    if (r.same) {
        fprintf(c->err, "run %lld replays run %lld: the same results, row for row (%lld "
                "episodes, %lld leakage rows, %lld arrangement reconciliations)\n",
                (long long)id, (long long)p->of, (long long)r.rows_a[0], (long long)r.rows_a[1],
                (long long)r.rows_a[2]);
        return CLI_OK;
    }
    fprintf(c->err, "run %lld replays run %lld: the results differ:", (long long)id,
            (long long)p->of);
    for (int t = 0; t < REPLAY_TABLES; t++)
        if (r.only_a[t] || r.only_b[t])
            fprintf(c->err, " %s: %lld of run %lld's %lld rows have no equal in run %lld's "
                    "%lld;", replay_tables[t], (long long)r.only_a[t], (long long)p->of,
                    (long long)r.rows_a[t], (long long)id, (long long)r.rows_b[t]);
    fprintf(c->err, "%s ('cara diff %lld %lld' shows what moved)\n",
            r.data_changed ? " the store's data changed since (loads, claims, eligibility or "
                             "arrangements);" : "",
            (long long)p->of, (long long)id);
    return CLI_FAIL;
}

static int run_run(cli_ctx *c, int argc, char **argv)
{
    const char *period = NULL, *tmpl = NULL, *episodes = NULL, *mem = NULL, *instr = NULL,
               *threads = NULL, *native = NULL, *replay = NULL, *wall = NULL, *cpu = NULL,
               *as_of = NULL, *base = NULL;
    int quiet = 0, allow_plugin = 0, incremental = 0;
    const cli_opt opts[] = {{"--period", &period, NULL},   {"--template", &tmpl, NULL},
                            {"--episodes", &episodes, NULL}, {"--memory", &mem, NULL},
                            {"--instructions", &instr, NULL}, {"--quiet", NULL, &quiet},
                            {"--wall-ms", &wall, NULL},       {"--cpu-ms", &cpu, NULL},
                            {"--threads", &threads, NULL},
                            {"--compare-native", &native, NULL},
                            {"--replay", &replay, NULL},     {"--as-of", &as_of, NULL},
                            {"--allow-plugin-change", NULL, &allow_plugin},
                            {"--incremental", NULL, &incremental}, {"--base", &base, NULL},
                            {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_run, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_run, "unexpected argument '%s'", argv[1]);
    engine_opts o = {.only_template = tmpl, .plugins_dir = c->plugins_dir,
                     .episodes_dir = episodes ? episodes : c->episodes_dir,
                     .log = quiet ? NULL : c->err, .as_of = as_of};
    cara_date as_of_day;
    if (as_of && (strlen(as_of) != 10 || date_parse(as_of, 10, &as_of_day) < 0))
        return cli_usage_error(c, &cmd_run, "--as-of: '%s' is not a date (expected YYYY-MM-DD, "
                               "e.g. 2027-06-30)", as_of);
    if (as_of && replay) return cli_usage_error(c, &cmd_run, "--as-of and --replay go separately");
    if (period) {
        uint64_t y;
        if (util_parse_u64(period, &y) < 0 || y < 2000 || y > 2100)
            return cli_usage_error(c, &cmd_run, "--period: '%s' is not a year (expected YYYY, "
                                   "e.g. 2027)", period);
        o.period = (int)y;
    }
    o.compare_native = native;
    if (threads) {
        uint64_t t;
        if (util_parse_u64(threads, &t) < 0 || t < 1 || t > 64)
            return cli_usage_error(c, &cmd_run, "--threads: '%s' is not a count from 1 to 64", threads);
        o.threads = (int)t;
    }
    if (mem && util_parse_size(mem, &o.limits.memory) < 0)
        return cli_usage_error(c, &cmd_run, "--memory: '%s' is not a size (expected e.g. 64M)", mem);
    if (instr && (util_parse_u64(instr, &o.limits.instructions) < 0 || !o.limits.instructions))
        return cli_usage_error(c, &cmd_run, "--instructions: '%s' is not a positive integer", instr);
    if (wall && (util_parse_u64(wall, &o.limits.wall_ms) < 0 || !o.limits.wall_ms))
        return cli_usage_error(c, &cmd_run, "--wall-ms: '%s' is not a positive integer", wall);
    if (cpu && (util_parse_u64(cpu, &o.limits.cpu_ms) < 0 || !o.limits.cpu_ms))
        return cli_usage_error(c, &cmd_run, "--cpu-ms: '%s' is not a positive integer", cpu);
    uint64_t of = 0;
    if (replay && (util_parse_u64(replay, &of) < 0 || of == 0))
        return cli_usage_error(c, &cmd_run, "--replay: '%s' is not a run id", replay);
    if (replay && (period || tmpl || episodes))
        return cli_usage_error(c, &cmd_run, "--replay N runs with run N's period, template and "
                               "episodes: do not give --period, --template or --episodes");
    if (allow_plugin && !replay)
        return cli_usage_error(c, &cmd_run, "--allow-plugin-change goes with --replay N");
    uint64_t base_id = 0;
    if (base && !incremental) return cli_usage_error(c, &cmd_run, "--base N goes with --incremental");
    if (base && (util_parse_u64(base, &base_id) < 0 || base_id == 0 || base_id > INT64_MAX))
        return cli_usage_error(c, &cmd_run, "--base: '%s' is not a run id", base);
    if (incremental && (replay || as_of || native))
        return cli_usage_error(c, &cmd_run, "--incremental does not go with %s: %s",
                               replay ? "--replay" : as_of ? "--as-of" : "--compare-native",
                               replay ? "a replay prices every episode again"
                               : as_of ? "an interim run rebuilds its lag model from every claim"
                                       : "it compares every episode");
    o.incremental = incremental;
    o.base_run = (int64_t)base_id;

    store *s;
    char err[8192];
    if (store_open(c->db, 0, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara run: %s\n", err);
        return CLI_FAIL;
    }
    int reaped = 0; /* runs killed mid-way stop showing as running (run_lease.h) */
    if (run_lease_reap(s, "cara run", &reaped, err, sizeof err) < 0)
        fprintf(c->err, "cara run: warning: %s\n", err);
    else if (reaped)
        fprintf(c->err, "cara run: %d earlier run%s marked abandoned (their process stopped; "
                        "'cara runs' shows them)\n", reaped, reaped == 1 ? "" : "s");
    replay_plan plan = {0};
    if (replay) {
        if (replay_prepare(s, (int64_t)of, &plan, err, sizeof err) < 0) {
            fprintf(c->err, "cara run: --replay %s: %s\n", replay, err);
            replay_cleanup(&plan);
            store_close(s);
            return CLI_FAIL;
        }
        o.episodes_dir = plan.dir;
        o.period = plan.period;
        o.only_template = plan.only_template;
        o.replay_of = plan.of;
        o.allow_plugin_change = allow_plugin;
    }
    int64_t run_id;
    engine_stats st;
    int rc = engine_run(s, &o, &run_id, &st, err, sizeof err);
    if (rc < 0) {
        replay_cleanup(&plan);
        store_close(s);
        if (run_id) fprintf(c->err, "cara run: run %lld failed: %s\n", (long long)run_id, err);
        else fprintf(c->err, "cara run: %s\n", err);
        return CLI_FAIL;
    }
    if (!quiet && st.base_run) {
        fprintf(c->err, "run %lld: incremental on run %lld: %lld of %lld beneficiaries "
                "recomputed (their claims, eligibility or alignment changed), %lld episodes "
                "carried\n", (long long)run_id, (long long)st.base_run, (long long)st.recomputed,
                (long long)st.beneficiaries, (long long)st.carried);
        if (st.rows_base)
            fprintf(c->err, "run %lld: stores the rows of %lld beneficiaries (the recomputed "
                    "and those whose carried episodes' status or winsorized cost moved); the "
                    "rest are run %lld's\n", (long long)run_id, (long long)st.own_people,
                    (long long)st.rows_base);
        else
            fprintf(c->err, "run %lld: stores every row itself (more than half of the "
                    "beneficiaries changed)\n", (long long)run_id);
    } else if (!quiet && incremental) {
        fprintf(c->err, "run %lld: a full run: %s\n", (long long)run_id, st.full_reason);
    }
    if (!quiet)
        fprintf(c->err,
                "run %lld: %lld beneficiaries, %lld claim lines, %lld episodes (%lld excluded, "
                "%lld attributed), %lld arrangement reconciliations\n",
                (long long)run_id, (long long)st.beneficiaries, (long long)st.claim_lines,
                (long long)st.episodes, (long long)st.excluded, (long long)st.attributed,
                (long long)st.arrangements);
    if (native && !quiet)
        fprintf(c->err,
                "--compare-native %s: %lld episodes priced by both, identical; rule calls: Lua "
                "%.3f s, C %.3f s (Lua/C %.2f); binding claims into Lua tables %.3f s (Lua "
                "with binding / C %.2f)\n",
                native, (long long)st.compared, st.lua_ns / 1e9, st.native_ns / 1e9,
                st.native_ns ? (double)st.lua_ns / (double)st.native_ns : 0.0, st.bind_ns / 1e9,
                st.native_ns ? (double)(st.lua_ns + st.bind_ns) / (double)st.native_ns : 0.0);
    int same = replay ? report_replay(c, s, &plan, run_id) : CLI_OK;
    replay_cleanup(&plan);
    store_close(s);
    fprintf(c->out, "%lld\n", (long long)run_id);
    return same;
}

const cli_command cmd_run = {
    .name = "run",
    .summary = "build, attribute, price and reconcile every episode; print the run id",
    .usage = "cara [--db FILE] run [--period YYYY] [--template ID] [--episodes DIR] [--threads N]\n"
             "       [--as-of DATE | --incremental [--base N]]\n"
             "       cara [--db FILE] run --replay N [--allow-plugin-change] [--threads N]",
    .help = "Processes every beneficiary with claims: each template's plugin builds the\n"
            "episodes, attribution.lua attributes them, savings.lua prices them, actual\n"
            "spending is winsorized per template and trigger type, and every arrangement is\n"
            "reconciled per performance year (docs/methodology.md). The run is recorded with the\n"
            "content hash of every plugin, template, rule and table it used, and the bytes of\n"
            "every template, overlay, rule file and table (stored once per content). The run\n"
            "id is printed on stdout (a summary goes to stderr). A component whose content\n"
            "changed while its version did not is a warning (stderr and the run's inputs).\n"
            "While it runs, most of each episode's record and each beneficiary's counts wait\n"
            "in unnamed temporary files in the store's folder (about 0.9 KB an episode and\n"
            "30 bytes a beneficiary, gone when the run ends): leave that much disk free\n"
            "beside the store (docs/security.md).\n\n"
            "options:\n"
            "  --period YYYY        keep only episodes whose day 0 is in that year\n"
            "  --template ID        run only that template\n"
            "  --episodes DIR       use another set of templates and rules (what-if)\n"
            "  --memory SIZE        memory cap of a rule state (default 64M)\n"
            "  --instructions N     instruction cap per rule call (default 50000000)\n"
            "  --wall-ms N          wall-clock deadline per rule call, ms (default 2000)\n"
            "  --cpu-ms N           CPU-time deadline per rule call, ms (default 2000)\n"
            "  --as-of DATE         an interim run: only the claims paid on or before DATE\n"
            "                       (their paid date; none: their thru date); episodes still\n"
            "                       open or developing are interim, with a projected final\n"
            "                       cost and band from the data's lag triangle, and every\n"
            "                       arrangement a projected payment (docs/monthly.md)\n"
            "  --incremental        recompute only the beneficiaries whose claims,\n"
            "                       eligibility or alignment changed since the latest final\n"
            "                       run with the same --period and --template, and carry that\n"
            "                       run's results of everyone else: the same results as a\n"
            "                       full run, row for row. When the engine, a plugin,\n"
            "                       template, rule or table, the arrangements or networks, or\n"
            "                       the options changed since, the run is full and stderr says\n"
            "                       why (docs/monthly.md, Incremental runs)\n"
            "  --base N             with --incremental: build on run N instead\n"
            "  --threads N          threads for the beneficiaries (default: the CPUs); the\n"
            "                       results are the same for any count\n"
            "  --compare-native ID  benchmark: price template ID's episodes with the Lua rules\n"
            "                       and their C twins too, fail on any difference, print both\n"
            "                       times (docs/performance.md)\n"
            "  --replay N           run run N again: its stored templates, overlays, rules and\n"
            "                       tables rebuilt in a private temporary folder (removed\n"
            "                       afterwards), its period and template; the new run records\n"
            "                       replay_of N, and stderr says whether its results equal\n"
            "                       run N's row for row (exit 1 when they differ)\n"
            "  --allow-plugin-change  with --replay: go on (with a warning) when a plugin's\n"
            "                       hash differs from run N's (otherwise refused)\n"
            "  --quiet              no summary on stderr\n\n"
            "environment:\n"
            "  CARA_RUN_TIMING=1    each step's time and resident memory on stderr\n"
            "  CARA_RUN_SORT_BYTES=N  bytes a log or sort of the run's episodes holds in\n"
            "                       memory before it writes to its temporary file (default\n"
            "                       33554432: 32 MiB); the results are the same for any N\n",
    .run = run_run,
};
