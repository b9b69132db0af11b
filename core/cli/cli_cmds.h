/*
 * cli: the `cara` command line (git-style subcommands).
 *
 *   cara [--db FILE] [--plugins DIR] [--episodes DIR] COMMAND [ARGS...]
 *
 * Exit codes: 0 success, 1 failure, 2 usage error. Each command's run() returns one of
 * those. The command table is in cli_cmds.c; each command lives in its own cmd_*.c.
 */
#ifndef CARA_CLI_H
#define CARA_CLI_H

#include <stdio.h>


#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* What every command sees: resolved global options and the output streams. */
typedef struct cli_ctx {
    const char *db;            /* --db, $CARA_DB, or ./cara.db */
    const char *plugins_dir;   /* --plugins, $CARA_PLUGINS, or next to the binary */
    const char *episodes_dir;  /* --episodes, $CARA_EPISODES, or next to the binary */
    FILE *out, *err;
} cli_ctx;

typedef struct cli_command {
    const char *name;
    const char *summary;  /* one line for `cara help` */
    const char *usage;    /* "cara NAME [OPTIONS] ARGS" */
    const char *help;     /* the options and details, for `cara NAME --help` */
    int (*run)(cli_ctx *c, int argc, char **argv); /* argv[0] is the command name */
} cli_command;

/* One option of a command: a flag (value == NULL) or an option taking a value. */
typedef struct cli_opt {
    const char *name;     /* "--format" */
    const char **value;   /* receives the value (borrowed from argv), or NULL for a flag */
    int *flag;            /* set to 1 for a flag */
} cli_opt;

/*
 * Parse a command's argv (argv[0] = command name; "--opt VALUE", "--opt=VALUE", flags,
 * "--" ends options). Positionals are compacted to argv[1..]; returns their count.
 * Returns -CLI_USAGE after printing "cara CMD: problem" and the usage line to c->err,
 * or -1 after printing the help when --help/-h was given (the caller exits 0).
 */
int cli_parse(cli_ctx *c, const cli_command *cmd, const cli_opt *opts, int argc, char **argv);

/* Print "cara CMD: <message>" and the usage line to c->err; returns CLI_USAGE. */
int cli_usage_error(cli_ctx *c, const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Check a --format value against "table" or "json"; 0 table, 1 json, -1 bad (printed). */
int cli_format(cli_ctx *c, const cli_command *cmd, const char *value);

/* `cara template new NAME` (scaffold.c): DIR/NAME from the embedded scaffold. */
int scaffold_template(cli_ctx *c, const char *name, const char *parent);

/* `cara template history ID` and `cara template rollback ID ...` (cmd_template_rollback.c);
 * argv[0] is the subcommand. Return an exit code. */
int template_history_main(cli_ctx *c, int argc, char **argv);

/* Open the store c->db with store_open's flags into *s (the caller closes it); on
 * failure print "cara: <why>" on c->err and return -1. */
typedef struct store store;
int cli_open_store(cli_ctx *c, int flags, store **s);
int template_rollback_main(cli_ctx *c, int argc, char **argv);


/* The whole program: returns the exit code. */
int cli_main(int argc, char **argv);

/* ---- the command table (cli_cmds.c) and the help drawn from it (cli_help.c) ---- */

/* One row of the command table: a command and the names of its subcommands (each
 * answers `cara NAME SUB --help`). */
typedef struct cli_entry {
    const cli_command *cmd;
    const char *const *subs; /* NULL-terminated; NULL: the command has none */
} cli_entry;

/* The command table in `cara help` order (static storage); *n receives its length. */
const cli_entry *cli_table(size_t *n);

/* The command named name, or NULL. */
const cli_command *cli_find_command(const char *name);

/* `cara help`: the global usage, global options and one line per command. */
void cli_print_help(FILE *f);

/* `cara NAME --help`: "usage: ..." then the summary and the help text. */
void cli_print_command_help(FILE *f, const cli_command *cmd);

/* `cara help --markdown`: docs/cli.md (a test checks the file equals this output). */
void cli_print_markdown(FILE *f);

/* Print "cara: <fmt with arg>", the global usage line and "(see 'cara help')" to f;
 * returns CLI_USAGE. */
int cli_global_usage(FILE *f, const char *fmt, const char *arg);

/* Commands (cmd_*.c). */
extern const cli_command cmd_init;
extern const cli_command cmd_plugins;
extern const cli_command cmd_rules;
extern const cli_command cmd_synth;
extern const cli_command cmd_load;
extern const cli_command cmd_claims;
extern const cli_command cmd_serve;
extern const cli_command cmd_token;
extern const cli_command cmd_user;
extern const cli_command cmd_adt;
extern const cli_command cmd_run;
extern const cli_command cmd_report;
extern const cli_command cmd_export;
extern const cli_command cmd_risk;     /* cmd_risk.c */
extern const cli_command cmd_runs;
extern const cli_command cmd_diff;
extern const cli_command cmd_template;
extern const cli_command cmd_templates;
extern const cli_command cmd_plugin;
extern const cli_command cmd_aco;
extern const cli_command cmd_tin;
extern const cli_command cmd_provider;
extern const cli_command cmd_ebra;
extern const cli_command cmd_help;    /* cli_help.c */
extern const cli_command cmd_version; /* cli_cmds.c */

#endif
