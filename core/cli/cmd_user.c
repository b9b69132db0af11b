/*
 * cmd_user.c: `cara user add|list|disable|passwd`: the people who log in to cara serve
 * (serve/srv_session.h; docs/api.md "Logging in").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "audit_cli.h"
#include "cli_cmds.h"
#include "cli_query.h"
#include "serve/serve.h"

#define SUB(name) (argc >= 2 && !strcmp(argv[1], name))

/* A password as read: at most SRV_PASSWORD_MAX bytes, plus room to notice more. */
typedef struct password {
    char text[SRV_PASSWORD_MAX + 2];
    size_t len;
} password;

static void wipe(password *p)
{
    volatile char *v = p->text;
    for (size_t i = 0; i < sizeof p->text; i++) v[i] = 0;
    p->len = 0;
}

/* One line from f into p (the newline, and a CR before it, dropped). 0, or -1 at EOF
 * before any byte. A line longer than the maximum is kept at SRV_PASSWORD_MAX + 1
 * bytes, so that the length check refuses it. */
static int read_line(FILE *f, password *p)
{
    int ch, any = 0;
    p->len = 0;
    while ((ch = fgetc(f)) != EOF) {
        any = 1;
        if (ch == '\n') break;
        if (p->len < SRV_PASSWORD_MAX + 1) p->text[p->len++] = (char)ch;
    }
    if (p->len && p->text[p->len - 1] == '\r') p->len--;
    p->text[p->len] = '\0';
    return any ? 0 : -1;
}

/* Ask on /dev/tty, echo off, twice (prompts written to the descriptor, answers read
 * through a stream of their own). 0, or -1 with the reason printed. */
static int prompt(cli_ctx *c, const char *name, password *p)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(c->err, "cara user: no terminal to ask for the password on: give it on standard "
                        "input with --password-stdin\n");
        return -1;
    }
    struct termios old, quiet;
    FILE *in = tcgetattr(fd, &old) == 0 ? fdopen(fd, "r") : NULL;
    if (!in) {
        fprintf(c->err, "cara user: /dev/tty is not a terminal: use --password-stdin\n");
        close(fd);
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ICANON;
    password again;
    int rc = -1;
    if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
        dprintf(fd, "Password for %s: ", name);
        int a = read_line(in, p);
        dprintf(fd, "\nAgain: ");
        int b = a == 0 ? read_line(in, &again) : -1;
        dprintf(fd, "\n");
        tcsetattr(fd, TCSAFLUSH, &old);
        if (a < 0 || b < 0) fprintf(c->err, "cara user: no password given\n");
        else if (p->len != again.len || memcmp(p->text, again.text, p->len))
            fprintf(c->err, "cara user: refused: the two passwords differ\n");
        else rc = 0;
    } else {
        fprintf(c->err, "cara user: cannot turn the terminal's echo off: use --password-stdin\n");
    }
    wipe(&again);
    fclose(in);
    return rc;
}

/* The password from standard input (one line) or the terminal. */
static int get_password(cli_ctx *c, const char *name, int from_stdin, password *p)
{
    if (!from_stdin) return prompt(c, name, p);
    if (read_line(stdin, p) < 0) {
        fprintf(c->err, "cara user: --password-stdin: standard input is empty (expected one "
                        "line: the password)\n");
        return -1;
    }
    return 0;
}

static int refused(cli_ctx *c, const char *err)
{
    fprintf(c->err, "cara: refused: %s\n", err);
    return CLI_FAIL;
}

static int run_user(cli_ctx *c, int argc, char **argv)
{
    const char *role = NULL, *as = NULL;
    int from_stdin = 0, json = 0;
    const cli_opt opts[] = {{"--role", &role, NULL},
                            {"--as", &as, NULL},
                            {"--password-stdin", NULL, &from_stdin},
                            {"--json", NULL, &json},
                            {NULL, NULL, NULL}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        int n = cli_parse(c, &cmd_user, opts, argc, argv);
        return n == -1 ? CLI_OK : -n;
    }
    if (!SUB("add") && !SUB("list") && !SUB("disable") && !SUB("passwd"))
        return cli_usage_error(c, &cmd_user, "expected add, list, disable or passwd");
    const char *sub = argv[1];
    int n = cli_parse(c, &cmd_user, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    char err[1024];
    store *s;

    if (!strcmp(sub, "list")) {
        if (n != 0) return cli_usage_error(c, &cmd_user, "user list takes no arguments");
        if (cli_open_store(c, 0, &s) < 0) return CLI_FAIL;
        cli_rows p;
        cli_rows_init(&p, c, json);
        int rc = cli_rows_end(&p, users_list(s, cli_rows_row, &p, err, sizeof err), err);
        store_close(s);
        return rc;
    }
    if (n != 1) return cli_usage_error(c, &cmd_user, "user %s needs one NAME", sub);
    const char *name = argv[2];
    if (srv_user_name_check(name, err, sizeof err) < 0)
        return cli_usage_error(c, &cmd_user, "%s", err);
    if (!strcmp(sub, "add") && !role)
        return cli_usage_error(c, &cmd_user, "user add needs --role cms|aco:ACO_ID|provider:NPI");
    if (role && strcmp(sub, "add"))
        return cli_usage_error(c, &cmd_user, "--role is for user add only");
    if (from_stdin && !strcmp(sub, "disable"))
        return cli_usage_error(c, &cmd_user, "user disable takes no password");

    if (!strcmp(sub, "disable")) {
        if (cli_open_store(c, 0, &s) < 0) return CLI_FAIL;
        int rc = srv_user_disable(s, name, audit_cli_actor(as), (int64_t)time(NULL), err, sizeof err);
        store_close(s);
        if (rc < 0) return refused(c, err);
        fprintf(c->out, "user %s disabled (its sessions ended)\n", name);
        return CLI_OK;
    }

    /* add and passwd: the role and the user are checked before the password is asked */
    if (cli_open_store(c, role ? STORE_CREATE : 0, &s) < 0) return CLI_FAIL;
    srv_role r;
    users_row u;
    int rc = 0;
    if (role) {
        rc = srv_role_parse(s, role, &r, err, sizeof err);
    } else {
        int found = users_by_name(s, name, &u, err, sizeof err);
        if (found < 0) rc = found;
        else if (!found) rc = -ENOENT, snprintf(err, sizeof err, "no user \"%s\" (cara user list)", name);
    }
    if (rc < 0) {
        store_close(s);
        return refused(c, err);
    }
    password pw;
    if (get_password(c, name, from_stdin, &pw) < 0) {
        store_close(s);
        return CLI_FAIL;
    }
    if (role)
        rc = srv_user_add(s, name, role, pw.text, pw.len, audit_cli_actor(as), (int64_t)time(NULL), err,
                          sizeof err);
    else
        rc = srv_user_passwd(s, name, pw.text, pw.len, NULL, audit_cli_actor(as), (int64_t)time(NULL),
                             err, sizeof err);
    wipe(&pw);
    store_close(s);
    if (rc < 0) return refused(c, err);
    if (role) fprintf(c->out, "user %s added with role %s\n", name, role);
    else fprintf(c->out, "user %s: password changed (its sessions ended)\n", name);
    return CLI_OK;
}

const cli_command cmd_user = {
    .name = "user",
    .summary = "user accounts for logging in to cara serve (add, list, disable, passwd)",
    .usage = "cara user add NAME --role cms|aco:ACO_ID|provider:NPI [--password-stdin] [--as WHO] | "
             "user list [--json] | user disable NAME [--as WHO] | "
             "user passwd NAME [--password-stdin] [--as WHO]",
    .help = "People log in to cara serve with a name and a password (POST /v1/session); the\n"
            "session cookie then stands for a bearer token, with the same roles and scopes:\n"
            "cms sees everything, aco:ACO_ID that ACO (it must exist), provider:NPI that\n"
            "provider's own episodes (the NPI's check digit is checked).\n"
            "\n"
            "Names are 1 to 64 of A-Z a-z 0-9 . _ @ -. Passwords are 10 to 1024 bytes, asked\n"
            "twice on the terminal with echo off, or read as one line from standard input\n"
            "with --password-stdin; only their Argon2id hash (libsodium) is stored.\n"
            "list shows names, roles and dates (--json: JSON lines), never hashes. disable\n"
            "stops a user at once and ends their sessions; passwd sets a new password and\n"
            "ends their sessions. Changes are written to the audit log as --as WHO (else\n"
            "$USER). See docs/api.md (Logging in) and docs/security.md.\n",
    .run = run_user,
};
