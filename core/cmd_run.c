/*
 * cmd_run.c: `cara run`: build, attribute, price and reconcile every episode.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "store.h"
#include "util.h"

static int run_run(cli_ctx *c, int argc, char **argv)
{
    const char *period = NULL, *tmpl = NULL, *episodes = NULL, *mem = NULL, *instr = NULL,
               *threads = NULL, *native = NULL;
    int quiet = 0;
    const cli_opt opts[] = {{"--period", &period, NULL},   {"--template", &tmpl, NULL},
                            {"--episodes", &episodes, NULL}, {"--memory", &mem, NULL},
                            {"--instructions", &instr, NULL}, {"--quiet", NULL, &quiet},
                            {"--threads", &threads, NULL},
                            {"--compare-native", &native, NULL},
                            {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_run, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_run, "unexpected argument '%s'", argv[1]);
    engine_opts o = {.only_template = tmpl, .plugins_dir = c->plugins_dir,
                     .episodes_dir = episodes ? episodes : c->episodes_dir,
                     .log = quiet ? NULL : c->err};
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

    store *s;
    char err[8192];
    if (store_open(c->db, 0, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara run: %s\n", err);
        return CLI_FAIL;
    }
    int64_t run_id;
    engine_stats st;
    int rc = engine_run(s, &o, &run_id, &st, err, sizeof err);
    store_close(s);
    if (rc < 0) {
        if (run_id) fprintf(c->err, "cara run: run %lld failed: %s\n", (long long)run_id, err);
        else fprintf(c->err, "cara run: %s\n", err);
        return CLI_FAIL;
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
    fprintf(c->out, "%lld\n", (long long)run_id);
    return CLI_OK;
}

const cli_command cmd_run = {
    .name = "run",
    .summary = "build, attribute, price and reconcile every episode; print the run id",
    .usage = "cara [--db FILE] run [--period YYYY] [--template ID] [--episodes DIR] [--threads N]",
    .help = "Processes every beneficiary with claims: each template's plugin builds the\n"
            "episodes, attribution.lua attributes them, savings.lua prices them, actual\n"
            "spending is winsorized per template and trigger type, and every arrangement is\n"
            "reconciled per performance year (docs/methodology.md). The run is recorded with the\n"
            "content hash of every plugin, template, rule and table it used. The run id is\n"
            "printed on stdout (a summary goes to stderr).\n\n"
            "options:\n"
            "  --period YYYY        keep only episodes whose day 0 is in that year\n"
            "  --template ID        run only that template\n"
            "  --episodes DIR       use another set of templates and rules (what-if)\n"
            "  --memory SIZE        memory cap of a rule state (default 64M)\n"
            "  --instructions N     instruction cap per rule call (default 50000000)\n"
            "  --threads N          threads for the beneficiaries (default: the CPUs); the\n"
            "                       results are the same for any count\n"
            "  --compare-native ID  benchmark: price template ID's episodes with the Lua rules\n"
            "                       and their C twins too, fail on any difference, print both\n"
            "                       times (docs/performance.md)\n"
            "  --quiet              no summary on stderr\n",
    .run = run_run,
};
