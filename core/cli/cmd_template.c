/*
 * cmd_template.c: `cara template validate FILE...`, `cara template new` and `cara templates`
 * (history and rollback: cmd_template_rollback.c).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli_cmds.h"
#include "rules/rules.h"
#include "base/base.h"
#include "store/store.h"

/* The base template (id) in the episodes directory, loaded, or NULL. */
static cara_template *find_base(const char *episodes, const char *id)
{
    char *dir = util_path_join(episodes, id);
    char *path = dir ? util_path_join(dir, "template.json") : NULL;
    cara_template *t = NULL;
    char err[256];
    if (path && template_load(path, &t, err, sizeof err) == 0 && strcmp(template_id(t), id)) {
        template_free(t);
        t = NULL;
    }
    free(dir);
    free(path);
    return t;
}

/* The rule files beside FILE must load in the sandbox with their entry points. */
static void check_rules(const char *file, cara_diag *d)
{
    char *dir = strdup(file);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) *slash = '\0';
    static const char *const names[] = {"attribution.lua", "savings.lua"};
    static const char *const need[2][5] = {{"attribute", NULL},
                                           {"target", "quality", "winsorize", "reconcile", NULL}};
    for (int i = 0; i < 2; i++) {
        char *p = util_path_join(slash ? dir : ".", names[i]);
        if (!p || !util_exists(p)) {
            if (p && !strstr(file, "overlay.json")) diag_add(d, names[i], "missing (see docs/rules.md)");
            free(p);
            continue;
        }
        rules_vm *vm;
        char err[256];
        rules_error e;
        int script;
        char *eps = util_path_join(slash ? dir : ".", ".."); /* its episodes folder */
        if (eps && rules_vm_new(NULL, &vm, err, sizeof err) == 0) {
            /* the method library first, as a run loads it (docs/rules.md) */
            if (rules_vm_load_library_of(vm, eps, &e) < 0 ||
                rules_vm_load_file(vm, p, &script, &e) < 0) {
                diag_add(d, names[i], "%s", e.message);
            } else {
                for (const char *const *f = need[i]; *f; f++)
                    if (rules_vm_getfn(vm, script, *f)) lua_pop(rules_vm_state(vm), 1);
                    else diag_add(d, names[i], "defines no function %s()", *f);
            }
            rules_vm_free(vm);
        }
        free(eps);
        free(p);
    }
    free(dir);
}

/* The store for checking overlays' aco_id, opened on first use (read-only). */
typedef struct aco_store {
    store *s;
    int tried;
    char why[512]; /* why it could not be opened */
} aco_store;

/* Check info's aco_id against the store (problems to d); when there is no store, print
 * that it was not checked. */
static void check_aco(cli_ctx *c, aco_store *as, const char *file, const char *aco_id, cara_diag *d)
{
    if (!aco_id) return;
    if (!as->tried) {
        as->tried = 1;
        if (store_open(c->db, STORE_READONLY, &as->s, as->why, sizeof as->why) < 0) as->s = NULL;
    }
    char err[512];
    if (as->s && overlay_check_aco(as->s, aco_id, d, err, sizeof err) >= 0) return;
    fprintf(c->err, "%s: note: aco_id \"%s\" was not checked against the ACOs: %s\n",
            file, aco_id, as->s ? err : as->why);
}

/* Validate one template.json or overlay.json; print its problems. 0 when valid. */
static int validate_one(cli_ctx *c, const plugin_set *plugins, aco_store *as, const char *file)
{
    char *buf;
    size_t len;
    char err[1024];
    if (util_read_file(file, 8u << 20, &buf, &len, err, sizeof err) < 0) {
        fprintf(c->err, "%s\n", err);
        return 1;
    }
    cara_diag d = {0};
    json_t *doc = NULL;
    cara_template *t = NULL, *base = NULL;
    json_error_t je;
    json_t *probe = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    int is_overlay = probe && overlay_is(probe);
    if (is_overlay) {
        overlay_info info;
        if (overlay_parse(file, buf, len, &doc, &info, &d) == 0) {
            check_aco(c, as, file, info.aco_id, &d);
            base = find_base(c->episodes_dir, info.base_id);
            if (!base)
                diag_add(&d, "base", "no base template \"%s\" in %s (pass --episodes DIR)",
                         info.base_id, c->episodes_dir);
            else
                overlay_apply(file, doc, base, &t, &d);
        }
    } else if (template_parse(file, buf, len, &t, err, sizeof err) < 0) {
        /* a JSON object lacking id, version or episode_type: list every problem, not
         * only that one */
        if (!json_is_object(probe) || template_schema_check(probe, 0, &d) == 0)
            diag_add(&d, "template", "%s", err);
    }
    json_decref(probe);
    if (t) {
        const plugin_entry *pe = plugin_find(plugins, template_episode_type(t));
        if (!pe)
            diag_add(&d, "episode_type", "\"%s\": no loaded plugin provides it ('cara plugins' "
                                         "lists them)", template_episode_type(t));
        template_check(t, pe ? pe->desc : NULL, is_overlay, &d);
    }
    check_rules(file, &d);
    int bad = d.n > 0;
    for (size_t i = 0; i < d.n; i++) fprintf(c->err, "%s: %s\n", file, d.items[i]);
    if (!bad) {
        json_t *pol = json_object_get(template_root(base ? base : t), "customizable");
        fprintf(c->out, "%s: ok (%s %s %s, episode type %s, %zu customizable parameter%s)\n",
                file, is_overlay ? "overlay" : "template", template_id(t), template_version(t),
                template_episode_type(t), json_object_size(pol),
                json_object_size(pol) == 1 ? "" : "s");
    }
    diag_free(&d);
    template_free(t);
    template_free(base);
    json_decref(doc);
    free(buf);
    return bad;
}

static void warn_plugin(void *ud, const char *path, const char *reason)
{
    fprintf(((cli_ctx *)ud)->err, "cara: plugin %s: %s\n", path, reason);
}

static int run_validate(cli_ctx *c, const cli_command *cmd, int argc, char **argv)
{
    int n = cli_parse(c, cmd, NULL, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n == 0) return cli_usage_error(c, cmd, "no template file given");
    plugin_set plugins = {0};
    char err[512];
    if (plugin_load_dir(&plugins, c->plugins_dir, host_services(), warn_plugin, c, err, sizeof err) < 0) {
        fprintf(c->err, "cara template validate: %s\n", err);
        return CLI_FAIL;
    }
    int bad = 0;
    aco_store as = {0};
    for (int i = 1; i <= n; i++) bad += validate_one(c, &plugins, &as, argv[i]);
    if (as.s) store_close(as.s);
    plugin_set_free(&plugins);
    return bad ? CLI_FAIL : CLI_OK;
}

static const cli_command cmd_template_validate = {
    .name = "template validate",
    .summary = "check template or overlay files",
    .usage = "cara [--db FILE] [--episodes DIR] template validate FILE...",
    .help = "Checks a template.json (every member: type, range, allowed values, unknown\n"
            "members, every code pattern, the cross-checks; its parameters for its episode\n"
            "type, its customizable section, its rule files) or an overlay.json (against its\n"
            "base in the episodes directory: only what the base allows, under the overlay's\n"
            "approach, within bounds; its aco_id must be an ACO of the store, --db or\n"
            "./cara.db: without a store a note says it was not checked). Every problem is\n"
            "printed as FILE: key.path: message; exit 1. The members: docs/templates.md.\n",
    .run = NULL,
};

static const cli_command cmd_template_new = {
    .name = "template new",
    .summary = "create a working template folder",
    .usage = "cara [--episodes DIR] template new NAME [--dir DIR]",
    .help = "Writes DIR/NAME (DIR: the episodes directory) with template.json (a declarative\n"
            "episode: a PT/OT evaluation opens a 90-day window of all spending),\n"
            "attribution.lua, savings.lua and tests/example.json, which 'cara rules test'\n"
            "passes. Edit from there (docs/templates.md, docs/guide-aco.md).\n",
    .run = NULL,
};

static int run_template(cli_ctx *c, int argc, char **argv)
{
    if (argc < 2) return cli_usage_error(c, &cmd_template, "missing subcommand (validate)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(c->out, "usage: %s\n\n%s\n\n%s", cmd_template.usage, cmd_template.summary,
                cmd_template.help);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "validate")) return run_validate(c, &cmd_template_validate, argc - 1, argv + 1);
    if (!strcmp(argv[1], "history")) return template_history_main(c, argc - 1, argv + 1);
    if (!strcmp(argv[1], "rollback")) return template_rollback_main(c, argc - 1, argv + 1);
    if (!strcmp(argv[1], "new")) {
        const char *dir = NULL;
        const cli_opt opts[] = {{"--dir", &dir, NULL}, {NULL, NULL, NULL}};
        int n = cli_parse(c, &cmd_template_new, opts, argc - 1, argv + 1);
        if (n == -1) return CLI_OK;
        if (n < 0) return -n;
        if (n != 1) return cli_usage_error(c, &cmd_template_new, "expected one template name");
        return scaffold_template(c, argv[2], dir ? dir : c->episodes_dir);
    }
    return cli_usage_error(c, &cmd_template, "unknown subcommand '%s' (expected validate, new, "
                           "history or rollback)", argv[1]);
}

const cli_command cmd_template = {
    .name = "template",
    .summary = "work with episode templates and ACO overlays (validate, new, history, rollback)",
    .usage = "cara [--episodes DIR] template validate FILE... | template new NAME [--dir DIR]\n"
             "       | template history ID [--format table|json]\n"
             "       | template rollback ID (--run N | --to VERSION | --sha256 HEX) [--as WHO]",
    .help = "subcommands:\n"
            "  validate FILE...   check template.json or overlay.json files\n"
            "  new NAME           create a working template folder\n"
            "  history ID         the stored contents of template ID (versions, hashes, the\n"
            "                     runs and service snapshots that used them)\n"
            "  rollback ID        restore its files as run N (--run), a version (--to) or a\n"
            "                     hash (--sha256) had them; validated first, audited\n\n"
            "See docs/templates.md.\n",
    .run = run_template,
};

/* ---- cara templates ---------------------------------------------------------------- */

static void file_hash(const char *path, char hex[65])
{
    char *buf, err[256];
    size_t len;
    strcpy(hex, "?");
    if (util_read_file(path, 64u << 20, &buf, &len, err, sizeof err) == 0) {
        sha256_hex(buf, len, hex);
        free(buf);
    }
}

static int run_templates(cli_ctx *c, int argc, char **argv)
{
    const char *format = NULL;
    const cli_opt opts[] = {{"--format", &format, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_templates, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_templates, "unexpected argument '%s'", argv[1]);
    int json = cli_format(c, &cmd_templates, format);
    if (json < 0) return CLI_USAGE;
    catalog cat;
    char err[4096];
    if (catalog_open(&cat, c->episodes_dir, c->plugins_dir, NULL, warn_plugin, c, err, sizeof err) < 0) {
        fprintf(c->err, "cara templates: %s\n", err);
        return CLI_FAIL;
    }
    if (!json)
        fprintf(c->out, "%-28s %-8s %-8s %-28s %-9s %-6s %-12s %s\n", "ID", "VERSION", "KIND",
                "BASE", "APPROACH", "ACO", "SHA256", "EPISODE TYPE");
    for (size_t i = 0; i < cat.n; i++) {
        const catalog_entry *e = &cat.v[i];
        const cara_template *t = e->tmpl;
        const char *path = e->overlay_path ? e->overlay_path : e->template_path;
        char hex[65], base[160] = "";
        file_hash(path, hex);
        if (e->overlay_path)
            snprintf(base, sizeof base, "%s %s", template_host_str(t, "base.id"),
                     template_host_str(t, "base.version"));
        const char *approach = e->overlay_path ? template_host_str(t, "approach") : "";
        const char *aco = template_host_str(t, "aco_id");
        if (json) {
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", template_id(t),
                                  "version", template_version(t), "kind",
                                  e->overlay_path ? "overlay" : "base", "episode_type",
                                  template_episode_type(t), "sha256", hex, "path", path,
                                  "attribution", e->attribution_path, "savings", e->savings_path);
            if (e->overlay_path) {
                json_object_set_new(o, "base", json_pack("{s:s, s:s}", "id", template_host_str(t, "base.id"),
                                                         "version", template_host_str(t, "base.version")));
                json_object_set_new(o, "approach", json_string(approach ? approach : ""));
            }
            if (aco) json_object_set_new(o, "aco_id", json_string(aco));
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(c->out, "%s\n", s ? s : "{}");
            free(s);
            json_decref(o);
        } else {
            fprintf(c->out, "%-28s %-8s %-8s %-28s %-9s %-6s %.12s %s\n", template_id(t),
                    template_version(t), e->overlay_path ? "overlay" : "base", base,
                    approach ? approach : "", aco ? aco : "", hex, template_episode_type(t));
        }
    }
    catalog_free(&cat);
    return CLI_OK;
}

const cli_command cmd_templates = {
    .name = "templates",
    .summary = "list the base templates and ACO overlays, with versions and hashes",
    .usage = "cara [--episodes DIR] templates [--format table|json]",
    .help = "Loads every template and overlay of the episodes directory the way a run does\n"
            "(so a broken one is reported) and lists id, version, kind (base or overlay),\n"
            "the base and approach of an overlay, its ACO, the SHA-256 of its file and the\n"
            "episode type.\n",
    .run = run_templates,
};
