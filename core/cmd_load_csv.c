/*
 * cmd_load_csv.c: `cara load DIR|FILE...`: the CSV input layer into the store.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load.h"
#include "util.h"

static void print_result(cli_ctx *c, const char *path, const load_result *r)
{
    if (r->skipped)
        fprintf(c->out, "%s: already loaded (sha256 %.12s...), skipped\n", path, r->sha256);
    else
        fprintf(c->out, "%s: loaded %lld rows (%s)\n", path, (long long)r->rows,
                load_kind_file(r->kind));
}

/* Load the input-layer files of a directory in dependency order. */
static int load_dir(cli_ctx *c, store *s, const char *dir, const load_opts *o)
{
    int found = 0;
    for (int k = 0; k < LOAD_N_KINDS; k++) {
        char *path = util_path_join(dir, load_kind_file(k));
        if (!path) return -1;
        if (!util_exists(path)) {
            free(path);
            continue;
        }
        found++;
        load_result r;
        int rc = load_file(s, path, o, &r);
        if (rc < 0) {
            fprintf(c->err, "%s: rejected (%d error%s); nothing from it was loaded\n", path,
                    r.errors, r.errors == 1 ? "" : "s");
            free(path);
            return -1;
        }
        print_result(c, path, &r);
        free(path);
    }
    if (!found) {
        fprintf(c->err, "%s: no input-layer file there (expected acos.csv, providers.csv, "
                        "eligibility.csv, alignment.csv, arrangements.csv, participants.csv or "
                        "medical_claim.csv)\n",
                dir);
        return -1;
    }
    return 0;
}

static int run_load(cli_ctx *c, int argc, char **argv)
{
    const char *max = NULL;
    const cli_opt opts[] = {{"--max-errors", &max, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_load, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n == 0) return cli_usage_error(c, &cmd_load, "no file or directory given");
    load_opts o = {.max_errors = 50, .err = c->err};
    if (max) {
        uint64_t v;
        if (util_parse_u64(max, &v) < 0 || v == 0 || v > 100000)
            return cli_usage_error(c, &cmd_load, "--max-errors: '%s' is not a count from 1 to "
                                   "100000", max);
        o.max_errors = (int)v;
    }
    store *s;
    char err[1024];
    if (store_open(c->db, STORE_CREATE, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara load: %s\n", err);
        return CLI_FAIL;
    }
    int failed = 0;
    for (int i = 1; i <= n && !failed; i++) {
        if (util_is_dir(argv[i])) {
            failed = load_dir(c, s, argv[i], &o) < 0;
            continue;
        }
        load_result r;
        if (load_file(s, argv[i], &o, &r) < 0) {
            fprintf(c->err, "%s: rejected (%d error%s); nothing from it was loaded\n", argv[i],
                    r.errors, r.errors == 1 ? "" : "s");
            failed = 1;
        } else {
            print_result(c, argv[i], &r);
        }
    }
    store_close(s);
    return failed ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_load = {
    .name = "load",
    .summary = "validate and load CSV input-layer files (a directory or files)",
    .usage = "cara [--db FILE] load [--max-errors N] DIR|FILE...",
    .help = "Loads eligibility.csv, medical_claim.csv, providers.csv, alignment.csv, acos.csv,\n"
            "arrangements.csv and participants.csv (docs/input-formats.md). A directory\n"
            "loads the files it\n"
            "holds in dependency order. Each file loads in one transaction or not at all:\n"
            "every error is printed as FILE:LINE:COLUMN: FIELD: message and a rejected file\n"
            "leaves the database unchanged. A file loaded before (same SHA-256) is skipped.\n"
            "Claims apply in file order: adjustment_type_code 2 replaces a claim, 1 cancels\n"
            "it. Loading stops at the first rejected file.\n\n"
            "options:\n"
            "  --max-errors N   errors listed per file (default 50)\n",
    .run = run_load,
};
