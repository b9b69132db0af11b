/*
 * cmd_rules.c: `cara rules check FILE.lua...`: load rule files in the sandbox.
 *
 * Each file gets its own sandboxed state on the libuv thread pool; results are printed
 * in argument order. A file named attribution.lua or savings.lua must also define the
 * entry points the engine calls (docs/rules.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "engine/engine.h"
#include "rules/rules.h"
#include "base/base.h"

typedef struct check_item {
    const char *path;        /* borrowed from argv */
    int ok;
    rules_error e;
    uint64_t instructions, memory;
    char missing[128];       /* entry points the file should define but does not */
} check_item;

/* Entry points a rule file must define, by file name. */
static const char *const *required_entry_points(const char *path)
{
    static const char *const attribution[] = {"attribute", NULL};
    static const char *const savings[] = {"target", "quality", "winsorize", "reconcile", NULL};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "attribution.lua") == 0) return attribution;
    if (strcmp(base, "savings.lua") == 0) return savings;
    return NULL;
}

static void check_one(void *item, size_t index, void *ud)
{
    check_item *it = item;
    const rules_limits *lim = ud;
    (void)index;
    rules_vm *vm;
    char err[256];
    if (rules_vm_new(lim, &vm, err, sizeof err) < 0) {
        rules_error_set(&it->e, RULES_ERR_MEMORY, "%s: %s", it->path, err);
        return;
    }
    int script;
    /* the method library of the file's episodes folder first, as a run loads it */
    char *dir = strdup(it->path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) *slash = '\0';
    char *eps = dir ? util_path_join(slash ? dir : ".", "..") : NULL;
    int lib = eps ? rules_vm_load_library_of(vm, eps, &it->e)
                  : (rules_error_set(&it->e, RULES_ERR_MEMORY, "%s: out of memory", it->path), -1);
    free(eps);
    free(dir);
    if (lib == 0 && rules_vm_load_file(vm, it->path, &script, &it->e) == 0) {
        it->ok = 1;
        const char *const *need = required_entry_points(it->path);
        for (; need && *need; need++) {
            if (rules_vm_getfn(vm, script, *need)) {
                lua_pop(rules_vm_state(vm), 1);
                continue;
            }
            it->ok = 0;
            size_t len = strlen(it->missing);
            snprintf(it->missing + len, sizeof it->missing - len, "%s%s", len ? ", " : "",
                     *need);
        }
    }
    it->instructions = rules_vm_instructions_used(vm);
    it->memory = rules_vm_memory_used(vm);
    rules_vm_free(vm);
}

static int run_check(cli_ctx *c, const cli_command *cmd, int argc, char **argv)
{
    const char *mem = NULL, *instr = NULL, *wall = NULL, *cpu = NULL;
    const cli_opt opts[] = {{"--memory", &mem, NULL}, {"--instructions", &instr, NULL},
                            {"--wall-ms", &wall, NULL}, {"--cpu-ms", &cpu, NULL},
                            {NULL, NULL, NULL}};
    int n = cli_parse(c, cmd, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n == 0) return cli_usage_error(c, cmd, "no rule file given");
    rules_limits lim = {0};
    if (mem && util_parse_size(mem, &lim.memory) < 0)
        return cli_usage_error(c, cmd, "--memory: '%s' is not a size (expected e.g. 64M)", mem);
    if (instr && util_parse_u64(instr, &lim.instructions) < 0)
        return cli_usage_error(c, cmd, "--instructions: '%s' is not a positive integer", instr);
    if (instr && lim.instructions == 0)
        return cli_usage_error(c, cmd, "--instructions must be at least 1");
    if (wall && (util_parse_u64(wall, &lim.wall_ms) < 0 || !lim.wall_ms))
        return cli_usage_error(c, cmd, "--wall-ms: '%s' is not a positive integer", wall);
    if (cpu && (util_parse_u64(cpu, &lim.cpu_ms) < 0 || !lim.cpu_ms))
        return cli_usage_error(c, cmd, "--cpu-ms: '%s' is not a positive integer", cpu);
    check_item *items = calloc((size_t)n, sizeof *items);
    if (!items) {
        fprintf(c->err, "cara rules check: out of memory\n");
        return CLI_FAIL;
    }
    for (int i = 0; i < n; i++) items[i].path = argv[1 + i];
    work_run(items, sizeof *items, (size_t)n, check_one, &lim);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        check_item *it = &items[i];
        if (it->ok) {
            fprintf(c->out, "%s: ok (%s%llu instructions, %llu KiB)\n", it->path,
                    it->instructions < 1000 ? "under " : "about ",
                    (unsigned long long)(it->instructions < 1000 ? 1000 : it->instructions),
                    (unsigned long long)(it->memory / 1024));
        } else if (it->missing[0]) {
            failed++;
            fprintf(c->err, "%s: missing entry point(s): %s (see docs/rules.md)\n", it->path,
                    it->missing);
        } else {
            failed++;
            char buf[sizeof it->e.message + sizeof it->e.traceback + 2];
            rules_error_format(&it->e, buf, sizeof buf);
            fprintf(c->err, "%s\n", buf);
        }
    }
    free(items);
    return failed ? CLI_FAIL : CLI_OK;
}

static const cli_command cmd_rules_check = {
    .name = "rules check",
    .summary = "load rule files in the sandbox and run their top level",
    .usage = "cara rules check [--memory SIZE] [--instructions N] [--wall-ms N] [--cpu-ms N] "
             "FILE.lua...",
    .help = "Each file runs in its own sandbox with the same limits as a run. Errors are\n"
            "reported as 'path:line: message' with a Lua traceback, and the exit status is\n"
            "then 1. A file named attribution.lua must define attribute(); savings.lua\n"
            "must define target(), quality(), winsorize() and reconcile().\n\n"
            "options:\n"
            "  --memory SIZE        memory cap per state, e.g. 64M (default 64M)\n"
            "  --instructions N     instruction cap per call (default 50000000)\n"
            "  --wall-ms N          wall-clock deadline per call, ms (default 2000)\n"
            "  --cpu-ms N           CPU-time deadline per call, ms (default 2000)\n",
    .run = NULL,
};

static const cli_command cmd_rules_test = {
    .name = "rules test",
    .summary = "run a template's rule tests (DIR/tests/*.json)",
    .usage = "cara rules test DIR...",
    .help = "Each test calls one rule function (attribute, target, quality, winsorize,\n"
            "reconcile) with the JSON arguments it gives and compares the fields it\n"
            "expects (docs/rules.md). Prints PASS/FAIL per test and 'N passed, M failed';\n"
            "exit 1 when any fails or there are none.\n",
    .run = NULL,
};

static int run_rules(cli_ctx *c, int argc, char **argv)
{
    if (argc < 2) return cli_usage_error(c, &cmd_rules, "missing subcommand (check)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(c->out, "usage: %s\n\n%s\n\n%s", cmd_rules.usage, cmd_rules.summary,
                cmd_rules.help);
        return CLI_OK;
    }
    if (strcmp(argv[1], "check") == 0) return run_check(c, &cmd_rules_check, argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0) {
        int n = cli_parse(c, &cmd_rules_test, NULL, argc - 1, argv + 1);
        if (n == -1) return CLI_OK;
        if (n < 0) return -n;
        if (n == 0) return cli_usage_error(c, &cmd_rules_test, "no template directory given");
        int failed = 0;
        for (int i = 1; i <= n; i++) failed |= rules_test_dir(argv[1 + i], c->out, c->err) < 0;
        return failed ? CLI_FAIL : CLI_OK;
    }
    return cli_usage_error(c, &cmd_rules, "unknown subcommand '%s' (expected check or test)",
                           argv[1]);
}

const cli_command cmd_rules = {
    .name = "rules",
    .summary = "work with Lua rule files (check, test)",
    .usage = "cara rules check [--memory SIZE] [--instructions N] FILE.lua... | rules test DIR...",
    .help = "subcommands:\n"
            "  check FILE.lua...   load each file in the sandbox and report errors\n"
            "  test DIR...         run each template folder's tests/*.json\n\n"
            "See 'cara rules check --help' and docs/rules.md.\n",
    .run = run_rules,
};
