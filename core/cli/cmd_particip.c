/*
 * cmd_particip.c: `cara aco|tin|provider|ebra ...`: participation from the command line
 * (particip.h has the rules and the lifecycle).
 */
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "cli_query.h"
#include "base/base.h"
#include "engine/engine.h"

/* Open the store read-write and fill a particip context. */
static int open_ctx(cli_ctx *c, particip_ctx *p, const char *actor, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    char e[512];
    if (store_open(c->db, STORE_CREATE, &p->s, e, sizeof e) < 0) {
        fprintf(c->err, "cara: %s\n", e);
        return -1;
    }
    const char *user = getenv("USER");
    p->actor = actor ? actor : user && *user ? user : "cli";
    p->episodes_dir = c->episodes_dir;
    p->plugins_dir = c->plugins_dir;
    p->err = err;
    p->errlen = errlen;
    return 0;
}

static int done(cli_ctx *c, particip_ctx *p, int rc, const char *what)
{
    if (rc < 0) fprintf(c->err, "cara: refused: %s\n", p->err);
    else fprintf(c->out, "%s\n", what);
    store_close(p->s);
    return rc < 0 ? CLI_FAIL : CLI_OK;
}

/* List with an optional --as-of date and --format. */
static int list(cli_ctx *c, particip_list_kind kind, int json, const char *const *binds)
{
    store *s;
    char e[512];
    if (store_open(c->db, STORE_READONLY, &s, e, sizeof e) < 0) {
        fprintf(c->err, "cara: %s\n", e);
        return CLI_FAIL;
    }
    cli_rows p;
    char err[1024];
    cli_rows_init(&p, c, json);
    int rc = cli_rows_end(&p, particip_list(s, kind, binds, cli_rows_row, &p, err, sizeof err),
                          err);
    store_close(s);
    return rc;
}

static int bad_date(cli_ctx *c, const cli_command *cmd, const char *opt, const char *v)
{
    cara_date d;
    if (!v || date_parse(v, strlen(v), &d) == 0) return 0;
    return cli_usage_error(c, cmd, "%s: '%s' is not a date (expected YYYY-MM-DD)", opt, v);
}

#define SUB(name) (argc >= 2 && !strcmp(argv[1], name))

/* ---- cara aco ------------------------------------------------------------------------ */

static int run_aco(cli_ctx *c, int argc, char **argv)
{
    const char *name = NULL, *track = NULL, *first = "2027", *last = "2036", *as = NULL, *format = NULL;
    const cli_opt opts[] = {{"--name", &name, NULL},   {"--track", &track, NULL},
                            {"--first-year", &first, NULL}, {"--last-year", &last, NULL},
                            {"--as", &as, NULL},       {"--format", &format, NULL},
                            {NULL, NULL, NULL}};
    if (!SUB("add") && !SUB("list")) return cli_usage_error(c, &cmd_aco, "expected add or list");
    int n = cli_parse(c, &cmd_aco, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    int json = cli_format(c, &cmd_aco, format);
    if (json < 0) return CLI_USAGE;
    if (SUB("list"))
        return list(c, PARTICIP_LIST_ACOS, json, NULL);
    if (n != 1 || !name || !track)
        return cli_usage_error(c, &cmd_aco, "aco add needs ACO_ID, --name and --track");
    particip_ctx p;
    char err[1024];
    if (open_ctx(c, &p, as, err, sizeof err) < 0) return CLI_FAIL;
    int rc = particip_aco_add(&p, argv[2], name, track, atoi(first), atoi(last));
    return done(c, &p, rc, "ok");
}

const cli_command cmd_aco = {
    .name = "aco",
    .summary = "add or list ACOs (id, name, risk track, performance years)",
    .usage = "cara aco add ACO_ID --name NAME --track global|professional [--first-year Y] "
             "[--last-year Y] [--as WHO] | aco list [--format table|json]",
    .help = "Adding an existing ACO updates it. Every change is written to the audit log.\n",
    .run = run_aco,
};

/* ---- cara tin --------------------------------------------------------------------------- */

static int run_tin(cli_ctx *c, int argc, char **argv)
{
    const char *aco = NULL, *start = NULL, *end = NULL, *as = NULL, *format = NULL, *as_of = NULL;
    const cli_opt opts[] = {{"--aco", &aco, NULL}, {"--start", &start, NULL}, {"--end", &end, NULL},
                            {"--as", &as, NULL},   {"--format", &format, NULL},
                            {"--as-of", &as_of, NULL}, {NULL, NULL, NULL}};
    if (!SUB("add") && !SUB("end") && !SUB("list"))
        return cli_usage_error(c, &cmd_tin, "expected add, end or list");
    int n = cli_parse(c, &cmd_tin, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    int json = cli_format(c, &cmd_tin, format);
    if (json < 0 || bad_date(c, &cmd_tin, "--as-of", as_of)) return CLI_USAGE;
    if (SUB("list")) {
        const char *b[] = {aco, as_of};
        return list(c, PARTICIP_LIST_TINS, json, b);
    }
    if (n != 1 || !aco) return cli_usage_error(c, &cmd_tin, "tin add/end need TIN and --aco");
    particip_ctx p;
    char err[1024];
    if (open_ctx(c, &p, as, err, sizeof err) < 0) return CLI_FAIL;
    int rc = SUB("add") ? particip_tin_add(&p, aco, argv[2], start, end)
                        : particip_tin_end(&p, aco, argv[2], end);
    return done(c, &p, rc, "ok");
}

const cli_command cmd_tin = {
    .name = "tin",
    .summary = "an ACO's participant TINs, effective-dated (add, end, list)",
    .usage = "cara tin add TIN --aco ACO_ID --start DATE [--end DATE] | tin end TIN --aco ACO_ID "
             "--end DATE | tin list [--aco ACO_ID] [--as-of DATE] [--format table|json]",
    .help = "ACOs may add TINs mid-year. A TIN participates in one ACO at a time. --as-of\n"
            "lists the TINs participating on that date.\n",
    .run = run_tin,
};

/* ---- cara provider ---------------------------------------------------------------------- */

static int run_provider(cli_ctx *c, int argc, char **argv)
{
    const char *name = NULL, *specialty = NULL, *as = NULL, *format = NULL;
    const cli_opt opts[] = {{"--name", &name, NULL}, {"--specialty", &specialty, NULL},
                            {"--as", &as, NULL},     {"--format", &format, NULL},
                            {NULL, NULL, NULL}};
    if (!SUB("add") && !SUB("list")) return cli_usage_error(c, &cmd_provider, "expected add or list");
    int n = cli_parse(c, &cmd_provider, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    int json = cli_format(c, &cmd_provider, format);
    if (json < 0) return CLI_USAGE;
    if (SUB("list"))
        return list(c, PARTICIP_LIST_PROVIDERS, json, NULL);
    if (n != 2 || !name)
        return cli_usage_error(c, &cmd_provider, "provider add needs NPI TIN and --name");
    particip_ctx p;
    char err[1024];
    if (open_ctx(c, &p, as, err, sizeof err) < 0) return CLI_FAIL;
    int rc = particip_provider_add(&p, argv[2], argv[3], name, specialty);
    return done(c, &p, rc, "ok");
}

const cli_command cmd_provider = {
    .name = "provider",
    .summary = "Preferred Providers at the TIN-NPI level (add, list)",
    .usage = "cara provider add NPI TIN --name NAME [--specialty CODE] [--as WHO] | provider list "
             "[--format table|json]",
    .help = "The NPI's check digit and the TIN's prefix are checked.\n",
    .run = run_provider,
};

/* ---- cara ebra ---------------------------------------------------------------------------- */


static int parse_terms(cli_ctx *c, const char *const v[5], particip_terms *t)
{
    static const char *const names[5] = {"--discount-bps", "--savings-share-bps",
                                         "--loss-share-bps", "--stop-gain-bps", "--stop-loss-bps"};
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 5; i++) {
        if (!v[i]) continue;
        char *e;
        long long x = strtoll(v[i], &e, 10);
        if (*e || !*v[i] || x < -100000 || x > 100000)
            return cli_usage_error(c, &cmd_ebra, "%s: '%s' is not a number of basis points", names[i], v[i]);
        t->v[i] = x;
        t->has |= 1u << i;
    }
    return 0;
}

static int run_ebra(cli_ctx *c, int argc, char **argv)
{
    const char *aco = NULL, *npi = NULL, *tin = NULL, *tmpl = NULL, *start = NULL, *end = NULL;
    const char *by = NULL, *as = NULL, *format = NULL, *as_of = NULL, *status = NULL, *t[5] = {0};
    const cli_opt opts[] = {
        {"--aco", &aco, NULL},           {"--npi", &npi, NULL},
        {"--tin", &tin, NULL},           {"--template", &tmpl, NULL},
        {"--start", &start, NULL},       {"--end", &end, NULL},
        {"--by", &by, NULL},             {"--as", &as, NULL},
        {"--format", &format, NULL},     {"--as-of", &as_of, NULL},
        {"--status", &status, NULL},     {"--discount-bps", &t[0], NULL},
        {"--savings-share-bps", &t[1], NULL}, {"--loss-share-bps", &t[2], NULL},
        {"--stop-gain-bps", &t[3], NULL}, {"--stop-loss-bps", &t[4], NULL},
        {NULL, NULL, NULL}};
    static const char *const subs[] = {"offer", "accept", "decline", "end", "terminate", "list",
                                       "history", NULL};
    int known = 0;
    for (const char *const *s = subs; *s; s++) known |= SUB(*s);
    if (!known)
        return cli_usage_error(c, &cmd_ebra, "expected offer, accept, decline, end, terminate, "
                               "list or history");
    int n = cli_parse(c, &cmd_ebra, opts, argc - 1, argv + 1);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    int json = cli_format(c, &cmd_ebra, format);
    if (json < 0 || bad_date(c, &cmd_ebra, "--as-of", as_of)) return CLI_USAGE;
    if (SUB("list")) {
        const char *b[] = {aco, npi, tmpl, status, as_of};
        return list(c, PARTICIP_LIST_EBRAS, json, b);
    }
    if (n != 1) return cli_usage_error(c, &cmd_ebra, "expected one EBRA id");
    const char *id = argv[2];
    if (SUB("history")) {
        const char *b[] = {id};
        return list(c, PARTICIP_LIST_EBRA_HISTORY, json, b);
    }
    particip_ctx p;
    char err[1024];
    int rc;
    if ((SUB("end") || SUB("terminate")) && !end)
        return cli_usage_error(c, &cmd_ebra, "--end DATE (the effective date) is required");
    if (SUB("end") && (!by || (strcmp(by, "aco") && strcmp(by, "provider"))))
        return cli_usage_error(c, &cmd_ebra, "--by aco|provider: who ends the EBRA");
    particip_terms terms;
    if (SUB("offer")) {
        if (!aco || !npi || !tin || !tmpl || !start)
            return cli_usage_error(c, &cmd_ebra, "ebra offer needs --aco, --npi, --tin, --template and --start");
        if (parse_terms(c, t, &terms)) return CLI_USAGE;
    }
    if (open_ctx(c, &p, as, err, sizeof err) < 0) return CLI_FAIL;
    if (SUB("offer")) rc = particip_ebra_offer(&p, id, aco, npi, tin, tmpl, start, end, &terms);
    else if (SUB("accept")) rc = particip_ebra_accept(&p, id);
    else if (SUB("decline")) rc = particip_ebra_decline(&p, id);
    else if (SUB("end")) rc = particip_ebra_end(&p, id, end, by);
    else rc = particip_ebra_terminate(&p, id, end);
    char what[160];
    snprintf(what, sizeof what, "EBRA %s: %s", id, argv[1]);
    return done(c, &p, rc, what);
}

const cli_command cmd_ebra = {
    .name = "ebra",
    .summary = "episode-based risk arrangements: offer, accept, end, terminate, list, history",
    .usage = "cara ebra offer ID --aco A --npi N --tin T --template ID --start DATE [--end DATE] "
             "[--discount-bps B] [--savings-share-bps B] [--loss-share-bps B] [--stop-gain-bps B] "
             "[--stop-loss-bps B] | ebra accept|decline ID | ebra end ID --end DATE --by "
             "aco|provider | ebra terminate ID --end DATE | ebra list [--aco A] [--npi N] "
             "[--template ID] [--status S] [--as-of DATE] | ebra history ID",
    .help = "States: offered -> active (accept) or declined (decline); active -> ended (end, by\n"
            "either party, effective on --end) or terminated (terminate, by the ACO). Refused\n"
            "with the reason: bad NPI/TIN, dates outside 2027-2036 or the ACO's years, an ACO\n"
            "on a track not open to CARA, an unregistered provider, terms outside the\n"
            "template's bounds, a provider with another ACO for the same template at the\n"
            "same time, a transition from the wrong state. --as WHO names the actor in the\n"
            "audit log (default $USER). All commands take --format table|json.\n",
    .run = run_ebra,
};
