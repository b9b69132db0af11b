/*
 * cmd_template_rollback.c: `cara template history ID` and `cara template rollback ID`
 * (rollback.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "engine/engine.h"
#include "store/store.h"
#include "base/base.h"

static const cli_command cmd_history = {
    .name = "template history",
    .summary = "the stored contents of a template or overlay, with the runs that used them",
    .usage = "cara [--db FILE] template history ID [--format table|json]",
    .help = "Every content of template (or overlay) ID the store holds: each run since\n"
            "schema 8 stored the files it read, and `cara serve` stores every snapshot it\n"
            "activated. One line per distinct content: version, the SHA-256 of its\n"
            "template.json or overlay.json, the SHA-256 of its files together (the sorted\n"
            "'sha256  name' lines of template.json/overlay.json, attribution.lua,\n"
            "savings.lua), when it was first and last seen, the runs and snapshots that\n"
            "held it. Latest first. 'cara template rollback' restores any of them.\n",
    .run = NULL,
};

static const cli_command cmd_rollback = {
    .name = "template rollback",
    .summary = "restore a template's or overlay's files as an earlier run or snapshot held them",
    .usage = "cara [--db FILE] [--episodes DIR] template rollback ID (--run N | --to VERSION | "
             "--sha256 HEX) [--as WHO]",
    .help = "Writes template ID's files (template.json or overlay.json and its own\n"
            "attribution.lua and savings.lua) into its folder in the episodes directory as\n"
            "they were: --run N as run N used them; --to VERSION the latest stored content\n"
            "of that version; --sha256 HEX the content whose definition or files hash (8 to\n"
            "64 hex digits, see 'cara template history') is HEX (--to and --sha256 combine).\n"
            "The whole episodes folder with the change is validated first as the service's\n"
            "hot reload validates it; if it would not be valid nothing is changed (exit 1).\n"
            "The folder is then replaced in one rename (other files in it, e.g. tests/,\n"
            "are kept); a running `cara serve` reloads it. The rollback is audited\n"
            "(audit_log action template.rollback, actor --as WHO, else $USER).\n",
    .run = NULL,
};

static int print_history(cli_ctx *c, const json_t *list, int json)
{
    if (!json)
        fprintf(c->out, "%-10s %-8s %-12s %-12s %-20s %-20s %-16s %s\n", "VERSION", "KIND",
                "SHA256", "FILES", "FIRST SEEN", "LAST SEEN", "RUNS", "SNAPSHOTS");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        if (json) {
            char *s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(c->out, "%s\n", s ? s : "{}");
            free(s);
            continue;
        }
        char runs[256] = "", snaps[256] = "";
        const char *const keys[] = {"runs", "snapshots"};
        char *bufs[] = {runs, snaps};
        for (int k = 0; k < 2; k++) {
            json_t *a = json_object_get(e, keys[k]);
            size_t off = 0;
            for (size_t j = 0; j < json_array_size(a) && off < 200; j++)
                off += (size_t)snprintf(bufs[k] + off, 256 - off, "%s%lld", j ? "," : "",
                                        (long long)json_integer_value(json_array_get(a, j)));
            if (!json_array_size(a)) snprintf(bufs[k], 256, "-");
        }
        fprintf(c->out, "%-10s %-8s %-12.12s %-12.12s %-20s %-20s %-16s %s\n",
                json_string_value(json_object_get(e, "version")),
                json_string_value(json_object_get(e, "kind")),
                json_string_value(json_object_get(e, "sha256")),
                json_string_value(json_object_get(e, "files_sha256")),
                json_string_value(json_object_get(e, "first_seen")),
                json_string_value(json_object_get(e, "last_seen")), runs, snaps);
    }
    return CLI_OK;
}

int template_history_main(cli_ctx *c, int argc, char **argv)
{
    const char *format = NULL;
    const cli_opt opts[] = {{"--format", &format, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_history, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n != 1) return cli_usage_error(c, &cmd_history, "expected one template id");
    int idrc = ids_check_template_id(argv[1], strlen(argv[1]));
    if (idrc != ID_OK)
        return cli_usage_error(c, &cmd_history, "\"%s\": %s", argv[1], ids_explain("template", idrc));
    int json = cli_format(c, &cmd_history, format);
    if (json < 0) return CLI_USAGE;
    store *s;
    char err[1024];
    if (store_open(c->db, STORE_READONLY, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara template history: %s\n", err);
        return CLI_FAIL;
    }
    json_t *list;
    int rc = rollback_history(s, argv[1], &list, err, sizeof err);
    store_close(s);
    if (rc < 0) {
        fprintf(c->err, "cara template history: %s\n", err);
        return CLI_FAIL;
    }
    if (json_array_size(list) == 0)
        fprintf(c->err, "cara template history: no stored content of template %s (runs store "
                "what they read since schema 8)\n", argv[1]);
    print_history(c, list, json);
    json_decref(list);
    return CLI_OK;
}

int template_rollback_main(cli_ctx *c, int argc, char **argv)
{
    const char *run = NULL, *to = NULL, *sha = NULL, *as = NULL;
    const cli_opt opts[] = {{"--run", &run, NULL}, {"--to", &to, NULL}, {"--sha256", &sha, NULL},
                            {"--as", &as, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_rollback, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n != 1) return cli_usage_error(c, &cmd_rollback, "expected one template id");
    int idrc = ids_check_template_id(argv[1], strlen(argv[1]));
    if (idrc != ID_OK)
        return cli_usage_error(c, &cmd_rollback, "\"%s\": %s", argv[1], ids_explain("template", idrc));
    uint64_t rid = 0;
    if (run && (util_parse_u64(run, &rid) < 0 || rid == 0))
        return cli_usage_error(c, &cmd_rollback, "--run: '%s' is not a run id", run);
    if (!run && !to && !sha)
        return cli_usage_error(c, &cmd_rollback, "say what to restore: --run N, --to VERSION or "
                               "--sha256 HEX ('cara template history %s' lists them)", argv[1]);
    store *s;
    char err[4096];
    if (store_open(c->db, 0, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara template rollback: %s\n", err);
        return CLI_FAIL;
    }
    rollback_req r = {.template_id = argv[1], .run = (int64_t)rid, .version = to, .sha256 = sha};
    json_t *entry = NULL, *before = NULL;
    int rc = rollback_find(s, &r, &entry, err, sizeof err);
    if (rc == -EINVAL) {
        store_close(s);
        return cli_usage_error(c, &cmd_rollback, "%s", err);
    }
    if (rc == 0) rc = store_begin(s, err, sizeof err);
    if (rc == 0) rc = rollback_apply(s, entry, c->episodes_dir, c->plugins_dir, &before, err, sizeof err);
    if (rc == 0) {
        const char *user = getenv("USER");
        json_t *after = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "folder",
                                  json_string_value(json_object_get(entry, "folder")), "version",
                                  json_object_get(entry, "version"), "sha256",
                                  json_object_get(entry, "sha256"), "files",
                                  json_object_get(entry, "files"), "runs",
                                  json_object_get(entry, "runs"), "snapshots",
                                  json_object_get(entry, "snapshots"));
        rc = rollback_audit(s, as ? as : user && *user ? user : "cli", argv[1], before, after,
                            err, sizeof err);
        json_decref(after);
    }
    if (rc == 0) rc = store_commit(s, err, sizeof err);
    else store_rollback(s);
    if (rc == 0)
        fprintf(c->out, "template %s: restored version %s (sha256 %.12s, files %.12s) into %s/%s\n",
                argv[1], json_string_value(json_object_get(entry, "version")),
                json_string_value(json_object_get(entry, "sha256")),
                json_string_value(json_object_get(entry, "files_sha256")), c->episodes_dir,
                json_string_value(json_object_get(entry, "folder")));
    else
        fprintf(c->err, "cara template rollback: %s\n", err);
    json_decref(entry);
    json_decref(before);
    store_close(s);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}
