/*
 * cmd_token.c: `cara token create|list|revoke`: bearer tokens for `cara serve`
 * (srv_auth.h; docs/api-tokens.md).
 */
#include <stdlib.h>
#include <string.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "cli_query.h"
#include "serve/serve.h"

#define SUB(name) (argc >= 2 && !strcmp(argv[1], name))

/* The role spec's shape (the word and an id), checked before opening the database, so
 * that a mistyped role is a usage error; srv_role_parse checks the rest. */
static int role_shape_ok(const char *spec)
{
    if (!strcmp(spec, "cms")) return 1;
    if (!strncmp(spec, "aco:", 4)) return spec[4] != '\0';
    if (!strncmp(spec, "provider:", 9)) return spec[9] != '\0';
    return 0;
}

static int run_token(cli_ctx *c, int argc, char **argv)
{
    const char *role = NULL, *label = NULL, *as = NULL, *format = NULL;
    const cli_opt opts[] = {{"--role", &role, NULL}, {"--label", &label, NULL},
                            {"--as", &as, NULL},     {"--format", &format, NULL},
                            {NULL, NULL, NULL}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        int n = cli_parse(c, &cmd_token, opts, argc, argv);
        return n == -1 ? CLI_OK : -n;
    }
    if (!SUB("create") && !SUB("list") && !SUB("revoke"))
        return cli_usage_error(c, &cmd_token, "expected create, list or revoke");
    int n = cli_parse(c, &cmd_token, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    int json = cli_format(c, &cmd_token, format);
    if (json < 0) return CLI_USAGE;
    store *s;
    char err[1024];

    if (SUB("list")) {
        if (n != 0) return cli_usage_error(c, &cmd_token, "token list takes no arguments");
        if (cli_open_store(c, STORE_READONLY, &s) < 0) return CLI_FAIL;
        cli_rows p;
        cli_rows_init(&p, c, json);
        int rc = cli_rows_end(&p, tokens_list(s, cli_rows_row, &p, err, sizeof err), err);
        store_close(s);
        return rc;
    }

    if (SUB("revoke")) {
        if (n != 1) return cli_usage_error(c, &cmd_token, "token revoke needs one TOKEN_ID");
        if (cli_open_store(c, STORE_CREATE, &s) < 0) return CLI_FAIL;
        int rc = srv_token_revoke(s, argv[2], audit_cli_actor(as), err, sizeof err);
        store_close(s);
        if (rc < 0) {
            fprintf(c->err, "cara: refused: %s\n", err);
            return CLI_FAIL;
        }
        fprintf(c->out, "token %s revoked\n", argv[2]);
        return CLI_OK;
    }

    /* create */
    if (n != 0) return cli_usage_error(c, &cmd_token, "token create takes no arguments (use --role)");
    if (!role) return cli_usage_error(c, &cmd_token, "token create needs --role cms|aco:ACO_ID|provider:NPI");
    if (!role_shape_ok(role))
        return cli_usage_error(c, &cmd_token, "--role: '%s' is not cms, aco:ACO_ID or provider:NPI", role);
    if (cli_open_store(c, STORE_CREATE, &s) < 0) return CLI_FAIL;
    char secret[64], id[20];
    int rc = srv_token_create(s, role, label, audit_cli_actor(as), secret, sizeof secret, id, err, sizeof err);
    store_close(s);
    if (rc < 0) {
        fprintf(c->err, "cara: refused: %s\n", err);
        return CLI_FAIL;
    }
    fprintf(c->out, "%s\n", secret);
    fflush(c->out);
    memset(secret, 0, sizeof secret);
    fprintf(c->err, "cara: token %s created for role %s; the secret above is shown once, store it "
                    "safely (only its hash is kept)\n", id, role);
    return CLI_OK;
}

const cli_command cmd_token = {
    .name = "token",
    .summary = "bearer tokens for cara serve (create, list, revoke)",
    .usage = "cara token create --role cms|aco:ACO_ID|provider:NPI [--label TEXT] [--as WHO] | "
             "token list [--format table|json] | token revoke TOKEN_ID [--as WHO]",
    .help = "Roles: cms sees everything; aco:ACO_ID sees that ACO's arrangements, beneficiaries\n"
            "and episodes (the ACO must exist); provider:NPI sees that provider's own episodes\n"
            "(the NPI's check digit is checked).\n"
            "\n"
            "create prints the secret (cara_ and 40 hex digits) alone on stdout, once: only its\n"
            "SHA-256 is stored, so a lost secret cannot be shown again (revoke it and create\n"
            "another). The token id and a reminder go to stderr. list shows ids, roles, labels\n"
            "and dates, never secrets or hashes. revoke stops a token at once.\n"
            "Creating and revoking are written to the audit log as --as WHO (else $USER).\n"
            "See docs/api-tokens.md.\n",
    .run = run_token,
};
