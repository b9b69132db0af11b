/*
 * cmd_init.c: `cara init`: create or migrate the database.
 */
#include <string.h>

#include "cli_cmds.h"
#include "store/store.h"

static int run_init(cli_ctx *c, int argc, char **argv)
{
    int n = cli_parse(c, &cmd_init, NULL, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_init, "unexpected argument '%s'", argv[1]);
    store *s;
    char err[1024];
    if (store_open(c->db, STORE_CREATE, &s, err, sizeof err) < 0) {
        fprintf(c->err, "cara init: %s\n", err);
        return CLI_FAIL;
    }
    int from = store_version_found(s), to = store_version(s);
    size_t nm;
    const store_migration *m = store_migrations(&nm);
    if (from == to) {
        fprintf(c->out, "%s: up to date (schema version %d)\n", c->db, to);
    } else {
        fprintf(c->out, "%s: %s schema version %d\n", c->db,
                from == 0 ? "created at" : "migrated to", to);
        for (size_t i = 0; i < nm; i++)
            if (m[i].version > from && m[i].version <= to)
                fprintf(c->out, "  applied migration %d: %s\n", m[i].version, m[i].description);
    }
    store_close(s);
    return CLI_OK;
}

const cli_command cmd_init = {
    .name = "init",
    .summary = "create the database, or migrate it to this cara's schema",
    .usage = "cara [--db FILE] init",
    .help = "Creates the SQLite database (default ./cara.db or $CARA_DB) with the newest\n"
            "schema, or applies the migrations an older database lacks, in one transaction.\n"
            "A database written by a newer cara is refused. Every other command that\n"
            "writes also migrates an older database when it opens it.\n",
    .run = run_init,
};
