/*
 * cli_cmds.c: the command table, global options, option parsing and `cara version`
 * (the help drawn from the table is cli_help.c).
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

/* The command table: every command in `cara help` order, with its subcommands. The
 * help, `cara help --markdown` (docs/cli.md) and tests/test_cli_table.c's walk over every
 * command and subcommand's --help all read it. */
static const char *const rules_subs[] = {"check", "test", NULL};
static const char *const template_subs[] = {"validate", "new", "history", "rollback", NULL};
static const char *const aco_subs[] = {"add", "list", NULL};
static const char *const tin_subs[] = {"add", "end", "list", NULL};
static const char *const provider_subs[] = {"add", "list", NULL};
static const char *const ebra_subs[] = {"offer", "accept", "decline", "end",
                                        "terminate", "list", "history", NULL};
static const char *const plugin_subs[] = {"new", NULL};
static const char *const token_subs[] = {"create", "list", "revoke", NULL};
static const char *const user_subs[] = {"add", "list", "disable", "passwd", NULL};
static const char *const adt_subs[] = {"take", "status", "tasks", "provisional", "unmatched",
                                       "rejects", NULL};

static const cli_entry table[] = {
    {&cmd_init, NULL},          {&cmd_synth, NULL},       {&cmd_load, NULL},
    {&cmd_claims, NULL},        {&cmd_run, NULL},         {&cmd_report, NULL},
    {&cmd_export, NULL},        {&cmd_risk, NULL},
    {&cmd_runs, NULL},          {&cmd_diff, NULL},        {&cmd_templates, NULL},
    {&cmd_template, template_subs}, {&cmd_aco, aco_subs}, {&cmd_tin, tin_subs},
    {&cmd_provider, provider_subs}, {&cmd_ebra, ebra_subs}, {&cmd_plugins, NULL},
    {&cmd_plugin, plugin_subs}, {&cmd_rules, rules_subs}, {&cmd_serve, NULL},
    {&cmd_adt, adt_subs},
    {&cmd_token, token_subs},   {&cmd_user, user_subs},   {&cmd_help, NULL},
    {&cmd_version, NULL},
};

const cli_entry *cli_table(size_t *n)
{
    *n = UTIL_ARRAY_LEN(table);
    return table;
}

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(table); i++)
        if (strcmp(table[i].cmd->name, name) == 0) return table[i].cmd;
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
            cli_print_command_help(c->out, cmd);
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

static int run_version(cli_ctx *c, int argc, char **argv)
{
    print_version(c->out);
    return CLI_OK;
}

const cli_command cmd_version = {
    .name = "version",
    .summary = "print the version",
    .usage = "cara version",
    .help = "Prints cara's version and git revision, the plugin ABI version and the\n"
            "versions of the libraries it runs on (the same as 'cara --version').\n",
    .run = run_version,
};

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

/* The logger's threshold from --log-level, else $CARA_LOG (unset or empty: info).
 * Returns 0, or CLI_USAGE after saying which value is wrong. */
static int set_log_level(const char *opt)
{
    const char *v = opt ? opt : getenv("CARA_LOG");
    if (!v || !*v) return 0;
    log_level l;
    if (log_level_parse(v, &l) == 0) {
        log_set_level(l);
        return 0;
    }
    char what[160];
    snprintf(what, sizeof what, "%s: '%.80s' is not " LOG_LEVEL_NAMES,
             opt ? "--log-level" : "CARA_LOG", v);
    return cli_global_usage(stderr, "%s", what);
}

int cli_main(int argc, char **argv)
{
    cli_ctx c = {.out = stdout, .err = stderr};
    const char *db = NULL, *plugins = NULL, *episodes = NULL, *log_opt = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--version") == 0) {
            print_version(stdout);
            return CLI_OK;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_print_help(stdout);
            return CLI_OK;
        }
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        if (n == 4 && strncmp(a, "--db", 4) == 0) slot = &db;
        else if (n == 9 && strncmp(a, "--plugins", 9) == 0) slot = &plugins;
        else if (n == 10 && strncmp(a, "--episodes", 10) == 0) slot = &episodes;
        else if (n == 11 && strncmp(a, "--log-level", 11) == 0) slot = &log_opt;
        else return cli_global_usage(stderr, "unknown global option '%s'", a);
        if (eq) *slot = eq + 1;
        else if (i + 1 < argc) *slot = argv[++i];
        else return cli_global_usage(stderr, "option '%s' needs a value", a);
        if (!**slot) return cli_global_usage(stderr, "option '%s' needs a non-empty value", a);
    }
    if (i >= argc) {
        cli_print_help(stderr);
        return CLI_USAGE;
    }
    const cli_command *cmd = cli_find_command(argv[i]);
    if (!cmd) return cli_global_usage(stderr, "no such command '%s'", argv[i]);
    /* `cara CMD --help` works before a subcommand too (cara aco --help, cara ebra -h) */
    if (i + 1 < argc && (!strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h"))) {
        cli_print_command_help(stdout, cmd);
        return CLI_OK;
    }
    if (set_log_level(log_opt)) return CLI_USAGE;

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

int cli_open_store(cli_ctx *c, int flags, store **s)
{
    char e[512];
    if (store_open(c->db, flags, s, e, sizeof e) < 0) {
        fprintf(c->err, "cara: %s\n", e);
        return -1;
    }
    return 0;
}
