/*
 * cli_cmds.c: global options, the command table, help and version.
 */
#include "cli_cmds.h"

#include <jansson.h>
#include <lua.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cara/plugin.h"
#include "store/store.h"
#include "base/base.h"

static const cli_command *const commands[] = {&cmd_init,   &cmd_synth,   &cmd_load,
                                              &cmd_claims,
                                              &cmd_run,    &cmd_report,  &cmd_runs,
                                              &cmd_diff,   &cmd_templates, &cmd_template,
                                              &cmd_aco,    &cmd_tin,     &cmd_provider,
                                              &cmd_ebra,   &cmd_plugins, &cmd_plugin,
                                              &cmd_rules,  &cmd_serve,   &cmd_token};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

int cli_usage_error(cli_ctx *c, const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->err, "cara %s: ", cmd->name);
    vfprintf(c->err, fmt, ap);
    va_end(ap);
    fprintf(c->err, "\nusage: %s\n(see 'cara %s --help')\n", cmd->usage, cmd->name);
    return CLI_USAGE;
}

static void print_command_help(FILE *f, const cli_command *cmd)
{
    fprintf(f, "usage: %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->help && *cmd->help) fprintf(f, "\n%s", cmd->help);
}

int cli_parse(cli_ctx *c, const cli_command *cmd, const cli_opt *opts, int argc, char **argv)
{
    int npos = 0, only_pos = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
            argv[1 + npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_command_help(c->out, cmd);
            return -1;
        }
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const cli_opt *o = NULL;
        for (const cli_opt *p = opts; p && p->name; p++)
            if (strlen(p->name) == nlen && strncmp(p->name, a, nlen) == 0) o = p;
        if (!o) return -cli_usage_error(c, cmd, "unknown option '%.*s'", (int)nlen, a);
        if (!o->value) {
            if (eq) return -cli_usage_error(c, cmd, "option '%s' takes no value", o->name);
            *o->flag = 1;
        } else if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            return -cli_usage_error(c, cmd, "option '%s' needs a value", o->name);
        }
    }
    return npos;
}

int cli_format(cli_ctx *c, const cli_command *cmd, const char *value)
{
    if (!value || strcmp(value, "table") == 0) return 0;
    if (strcmp(value, "json") == 0) return 1;
    cli_usage_error(c, cmd, "--format must be 'table' or 'json' (got '%s')", value);
    return -1;
}

static void print_version(FILE *f)
{
    fprintf(f,
            "cara %s (git %s)\nplugin ABI %d.%d; Lua %s.%s.%s; SQLite %s; libuv %s; jansson %s\n",
            CARA_VERSION, CARA_GIT_REV, CARA_ABI_MAJOR, CARA_ABI_MINOR, LUA_VERSION_MAJOR,
            LUA_VERSION_MINOR, LUA_VERSION_RELEASE, sqlite3_libversion(), uv_version_string(),
            JANSSON_VERSION);
}

static void print_help(FILE *f)
{
    fprintf(f,
            "cara: episode-based risk arrangements for CMS's ACO LEAD model (CARA).\n\n"
            "usage: cara [--db FILE] [--plugins DIR] [--episodes DIR] COMMAND [ARGS...]\n\n"
            "global options:\n"
            "  --db FILE       the SQLite database (default: $CARA_DB, else ./cara.db)\n"
            "  --plugins DIR   episode-type plugins (default: $CARA_PLUGINS, else the\n"
            "                  plugins folder installed beside the cara binary)\n"
            "  --episodes DIR  episode templates and rules (default: $CARA_EPISODES, else\n"
            "                  the episodes folder installed beside the cara binary)\n"
            "  --version       print the version and exit\n"
            "  --help          print this help and exit\n\n"
            "commands:\n");
    for (size_t i = 0; i < UTIL_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "help", "show help for cara or for one command");
    fprintf(f, "  %-10s %s\n", "version", "print the version");
    fprintf(f, "\nRun 'cara COMMAND --help' for a command's options. Exit status: 0 success,\n"
               "1 failure, 2 usage error.\n");
}

/* The first existing directory among candidates under the executable's folder. */
static char *default_dir(const char *const *rel)
{
    char *exe = util_exe_dir();
    if (!exe) return NULL;
    char *found = NULL;
    for (; *rel && !found; rel++) {
        char *p = util_path_join(exe, *rel);
        if (p && util_is_dir(p)) {
            found = realpath(p, NULL); /* no "build/../" in what runs record */
            if (!found) found = p;
            else free(p);
        } else {
            free(p);
        }
    }
    if (!found) found = util_path_join(exe, rel[-1]);
    free(exe);
    return found;
}

static int global_usage(FILE *f, const char *fmt, const char *arg)
{
    fprintf(f, "cara: ");
    fprintf(f, fmt, arg);
    fprintf(f, "\nusage: cara [--db FILE] [--plugins DIR] [--episodes DIR] COMMAND [ARGS...]\n"
               "(see 'cara help')\n");
    return CLI_USAGE;
}

int cli_main(int argc, char **argv)
{
    cli_ctx c = {.out = stdout, .err = stderr};
    const char *db = NULL, *plugins = NULL, *episodes = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--version") == 0) {
            print_version(stdout);
            return CLI_OK;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(stdout);
            return CLI_OK;
        }
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        if (n == 4 && strncmp(a, "--db", 4) == 0) slot = &db;
        else if (n == 9 && strncmp(a, "--plugins", 9) == 0) slot = &plugins;
        else if (n == 10 && strncmp(a, "--episodes", 10) == 0) slot = &episodes;
        else return global_usage(stderr, "unknown global option '%s'", a);
        if (eq) *slot = eq + 1;
        else if (i + 1 < argc) *slot = argv[++i];
        else return global_usage(stderr, "option '%s' needs a value", a);
        if (!**slot) return global_usage(stderr, "option '%s' needs a non-empty value", a);
    }
    if (i >= argc) {
        print_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "version") == 0) {
        print_version(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (i + 1 >= argc || !strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h")) {
            print_help(stdout);
            return CLI_OK;
        }
        const cli_command *cmd = find_command(argv[i + 1]);
        if (!cmd) return global_usage(stderr, "no such command '%s'", argv[i + 1]);
        print_command_help(stdout, cmd);
        return CLI_OK;
    }
    const cli_command *cmd = find_command(name);
    if (!cmd) return global_usage(stderr, "no such command '%s'", name);
    /* `cara CMD --help` works before a subcommand too (cara aco --help, cara ebra -h) */
    if (i + 1 < argc && (!strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h"))) {
        print_command_help(stdout, cmd);
        return CLI_OK;
    }

    char *owned[2] = {NULL, NULL};
    c.db = db ? db : getenv("CARA_DB") && *getenv("CARA_DB") ? getenv("CARA_DB") : "cara.db";
    c.plugins_dir = plugins ? plugins : getenv("CARA_PLUGINS");
    if (!c.plugins_dir || !*c.plugins_dir) {
        static const char *const rel[] = {"plugins", "../lib/cara/plugins", NULL};
        c.plugins_dir = owned[0] = default_dir(rel);
    }
    c.episodes_dir = episodes ? episodes : getenv("CARA_EPISODES");
    if (!c.episodes_dir || !*c.episodes_dir) {
        static const char *const rel[] = {"../episodes", "../share/cara/episodes", NULL};
        c.episodes_dir = owned[1] = default_dir(rel);
    }
    if (!c.plugins_dir) c.plugins_dir = "plugins";
    if (!c.episodes_dir) c.episodes_dir = "episodes";
    int rc = cmd->run(&c, argc - i, argv + i);
    free(owned[0]);
    free(owned[1]);
    fflush(stdout);
    return rc;
}
