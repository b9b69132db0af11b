/*
 * cmd_plugins.c: `cara plugins`: load every episode-type plugin and list them.
 */
#include <jansson.h>
#include <string.h>

#include "cli_cmds.h"
#include "catalog/catalog.h"

static void report_failure(void *ud, const char *path, const char *reason)
{
    cli_ctx *c = ud;
    fprintf(c->err, "cara: plugin %s: %s\n", path, reason);
}

static int run_plugins(cli_ctx *c, int argc, char **argv)
{
    const char *format = NULL;
    const cli_opt opts[] = {{"--format", &format, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_plugins, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_plugins, "unexpected argument '%s'", argv[1]);
    int json = cli_format(c, &cmd_plugins, format);
    if (json < 0) return CLI_USAGE;

    plugin_set set = {0};
    char err[1024];
    int failed = plugin_load_dir(&set, c->plugins_dir, host_services(), report_failure, c, err,
                                 sizeof err);
    if (failed < 0) {
        fprintf(c->err, "cara plugins: %s (build with 'make', or pass --plugins DIR)\n", err);
        return CLI_FAIL;
    }
    char abi[16];
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < set.n; i++) {
            const cara_plugin *d = set.v[i].desc;
            plugin_abi_string(d, abi, sizeof abi);
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", d->name, "version",
                               d->version, "abi_version", abi, "path", set.v[i].path,
                               "description", d->description ? d->description : ""));
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_SORT_KEYS);
        fprintf(c->out, "%s\n", s ? s : "[]");
        free(s);
        json_decref(arr);
    } else {
        fprintf(c->out, "%-28s %-10s %-5s %s\n", "NAME", "VERSION", "ABI", "PATH");
        for (size_t i = 0; i < set.n; i++) {
            const cara_plugin *d = set.v[i].desc;
            plugin_abi_string(d, abi, sizeof abi);
            fprintf(c->out, "%-28s %-10s %-5s %s\n", d->name, d->version, abi, set.v[i].path);
        }
    }
    plugin_set_free(&set);
    return failed ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_plugins = {
    .name = "plugins",
    .summary = "load the episode-type plugins and list them",
    .usage = "cara [--plugins DIR] plugins [--format table|json]",
    .help = "Loads every *.so in the plugin directory the way a run does (dlopen with\n"
            "RTLD_NOW, ABI version checks, init). Lists name, version, ABI version and\n"
            "path of those that loaded; each one that did not is reported on stderr as\n"
            "'cara: plugin PATH: REASON', and the exit status is then 1.\n\n"
            "options:\n"
            "  --format table|json   output format (default table)\n",
    .run = run_plugins,
};
