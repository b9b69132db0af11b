/*
 * scaffold.c: `cara template new NAME` and `cara plugin new NAME`: a working starting
 * point written from files embedded at build time (scripts/embed.sh).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_cmds.h"
#include "base/base.h"

extern const char scaffold_template_json[], scaffold_example[], scaffold_attribution[],
    scaffold_savings[], scaffold_plugin[];

/* NAME must be a template id / plugin name: [a-z][a-z0-9_]*, at most 48 characters. */
static int name_ok(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') || strlen(s) > 48) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

/* Write text to dir/name with every "__NAME__" replaced by `name`. */
static int write_file(cli_ctx *c, const char *dir, const char *file, const char *text,
                      const char *name)
{
    char *path = util_path_join(dir, file);
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) {
        fprintf(c->err, "cara: %s: cannot write: %s\n", path ? path : file, strerror(errno));
        free(path);
        return -1;
    }
    for (const char *p = text; *p;) {
        const char *m = strstr(p, "__NAME__");
        size_t n = m ? (size_t)(m - p) : strlen(p);
        fwrite(p, 1, n, f);
        if (!m) break;
        fputs(name, f);
        p = m + 8;
    }
    int bad = fclose(f) != 0;
    if (!bad) fprintf(c->out, "  %s\n", path);
    free(path);
    return bad ? -1 : 0;
}

static int make_dir(cli_ctx *c, const char *path)
{
    if (mkdir(path, 0777) == 0) return 0;
    if (errno == EEXIST)
        fprintf(c->err, "cara: %s already exists (choose another name, or remove it)\n", path);
    else
        fprintf(c->err, "cara: %s: cannot create: %s\n", path, strerror(errno));
    return -1;
}

int scaffold_template(cli_ctx *c, const char *name, const char *parent)
{
    int idrc = ids_check_template_id(name, strlen(name));
    if (idrc != ID_OK) {
        fprintf(c->err, "cara template new: \"%s\": %s\n", name, ids_explain("template", idrc));
        return CLI_USAGE;
    }
    char *dir = util_path_join(parent, name);
    char *tests = dir ? util_path_join(dir, "tests") : NULL;
    int rc = dir && tests && make_dir(c, dir) == 0 && make_dir(c, tests) == 0 ? 0 : -1;
    if (rc == 0) fprintf(c->out, "created template %s:\n", name);
    if (rc == 0) rc = write_file(c, dir, "template.json", scaffold_template_json, name);
    if (rc == 0) rc = write_file(c, dir, "attribution.lua", scaffold_attribution, name);
    if (rc == 0) rc = write_file(c, dir, "savings.lua", scaffold_savings, name);
    if (rc == 0) rc = write_file(c, tests, "example.json", scaffold_example, name);
    if (rc == 0)
        fprintf(c->out, "next: edit %s/template.json, then\n"
                        "  cara template validate %s/template.json\n"
                        "  cara rules test %s\n"
                        "  cara run --template %s\n", dir, dir, dir, name);
    free(dir);
    free(tests);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

static int run_plugin(cli_ctx *c, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "new") != 0) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fprintf(c->out, "usage: %s\n\n%s\n\n%s", cmd_plugin.usage, cmd_plugin.summary, cmd_plugin.help);
            return CLI_OK;
        }
        return cli_usage_error(c, &cmd_plugin, "expected 'new NAME' (to list plugins: cara plugins)");
    }
    const char *parent = "plugins";
    const cli_opt opts[] = {{"--dir", &parent, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_plugin, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n != 1) return cli_usage_error(c, &cmd_plugin, "expected one plugin name");
    const char *name = argv[2];
    if (!name_ok(name) || !strcmp(name, "common"))
        return cli_usage_error(c, &cmd_plugin, "\"%s\" is not a plugin name (expected lowercase "
                               "letters, digits and _, starting with a letter; not common)", name);
    if (!util_is_dir(parent)) {
        fprintf(c->err, "cara plugin new: %s is not a directory (run it in the cara source tree, "
                        "or pass --dir DIR)\n", parent);
        return CLI_FAIL;
    }
    char *dir = util_path_join(parent, name);
    char file[64];
    snprintf(file, sizeof file, "%s.c", name);
    int rc = dir && make_dir(c, dir) == 0 ? 0 : -1;
    if (rc == 0) fprintf(c->out, "created plugin %s:\n", name);
    if (rc == 0) rc = write_file(c, dir, file, scaffold_plugin, name);
    if (rc == 0)
        fprintf(c->out, "next: make (builds build/plugins/%s.so), then cara plugins\n", name);
    free(dir);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

const cli_command cmd_plugin = {
    .name = "plugin",
    .summary = "create a C episode-type plugin skeleton (plugin new NAME)",
    .usage = "cara plugin new NAME [--dir DIR]",
    .help = "Writes DIR/NAME/NAME.c (DIR: plugins, in the cara source tree): a working\n"
            "episode type that 'make' builds into build/plugins/NAME.so and 'cara plugins'\n"
            "lists. It triggers on the template's code list code_lists.TRIGGER_HCPCS and\n"
            "counts every line of the window; change it from there (docs/plugin-abi.md).\n",
    .run = run_plugin,
};
