/*
 * cmd_serve.c: `cara serve`: its options, then the service (serve/srv.h: srv_serve).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli_cmds.h"
#include "serve/serve.h"

static int parse_listen(const char *v, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v || (size_t)(colon - v) >= hostlen) return -1;
    uint64_t p;
    if (util_parse_u64(colon + 1, &p) < 0 && strcmp(colon + 1, "0") != 0) return -1;
    if (!strcmp(colon + 1, "0")) p = 0;
    if (p > 65535) return -1;
    memcpy(host, v, (size_t)(colon - v));
    host[colon - v] = '\0';
    *port = (int)p;
    return 0;
}

static int opt_u(cli_ctx *c, const char *name, const char *v, uint64_t lo, uint64_t hi,
                 uint64_t *out, int size)
{
    if (!v) return 0;
    int bad = size ? util_parse_size(v, out) < 0 : util_parse_u64(v, out) < 0;
    if (bad || *out < lo || *out > hi)
        return cli_usage_error(c, &cmd_serve, "%s: '%s' is not %s from %llu to %llu", name, v,
                               size ? "a size" : "a number", (unsigned long long)lo,
                               (unsigned long long)hi);
    return 0;
}

static int run_serve(cli_ctx *c, int argc, char **argv)
{
    const char *listen = NULL, *body = NULL, *conns = NULL, *idle = NULL, *reqs = NULL,
               *header = NULL, *per_ip = NULL, *hsecs = NULL, *bsecs = NULL, *s_idle = NULL,
               *s_max = NULL, *attempts = NULL, *window = NULL, *cert = NULL, *key = NULL,
               *mllp = NULL, *m_max = NULL, *m_conns = NULL, *m_idle = NULL, *x_max = NULL;
    const cli_opt opts[] = {{"--listen", &listen, NULL},          {"--max-body", &body, NULL},
                            {"--max-header", &header, NULL},      {"--max-connections", &conns, NULL},
                            {"--idle-timeout", &idle, NULL},      {"--request-seconds", &reqs, NULL},
                            {"--max-per-ip", &per_ip, NULL},      {"--header-seconds", &hsecs, NULL},
                            {"--body-seconds", &bsecs, NULL},     {"--session-idle", &s_idle, NULL},
                            {"--session-max", &s_max, NULL},      {"--login-attempts", &attempts, NULL},
                            {"--login-window", &window, NULL},    {"--tls-cert", &cert, NULL},
                            {"--tls-key", &key, NULL},            {"--mllp", &mllp, NULL},
                            {"--mllp-max-message", &m_max, NULL}, {"--mllp-connections", &m_conns, NULL},
                            {"--mllp-idle-seconds", &m_idle, NULL},
                            {"--export-max-episodes", &x_max, NULL}, {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_serve, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_serve, "unexpected argument '%s'", argv[1]);
    char host[64] = "127.0.0.1";
    int port = 8080;
    if (listen && parse_listen(listen, host, sizeof host, &port) < 0)
        return cli_usage_error(c, &cmd_serve, "--listen: '%s' is not HOST:PORT (e.g. "
                               "127.0.0.1:8080; port 0 picks a free one)", listen);
    char mhost[64] = "";
    int mport = 0;
    if (mllp && parse_listen(mllp, mhost, sizeof mhost, &mport) < 0)
        return cli_usage_error(c, &cmd_serve, "--mllp: '%s' is not HOST:PORT (e.g. "
                               "127.0.0.1:2575; port 0 picks a free one)", mllp);
    if (!mllp && (m_max || m_conns || m_idle))
        return cli_usage_error(c, &cmd_serve, "--mllp-max-message, --mllp-connections and "
                               "--mllp-idle-seconds go with --mllp HOST:PORT");
    if (!cert != !key)
        return cli_usage_error(c, &cmd_serve, "--tls-cert and --tls-key go together (HTTPS needs "
                               "both)");
    uint64_t v[12] = {1u << 20, 32u << 10, 64, 30, 30, SRV_DEFAULT_PER_IP,
                      SRV_DEFAULT_HEADER_SECONDS, SRV_DEFAULT_BODY_SECONDS,
                      SRV_DEFAULT_SESSION_IDLE, SRV_DEFAULT_SESSION_MAX,
                      SRV_DEFAULT_LOGIN_ATTEMPTS, SRV_DEFAULT_LOGIN_WINDOW};
    int rc = opt_u(c, "--max-body", body, 1024, 1u << 30, &v[0], 1);
    if (!rc) rc = opt_u(c, "--max-header", header, 4096, 1u << 20, &v[1], 1);
    if (!rc) rc = opt_u(c, "--max-connections", conns, 1, 10000, &v[2], 0);
    if (!rc) rc = opt_u(c, "--idle-timeout", idle, 1, 3600, &v[3], 0);
    if (!rc) rc = opt_u(c, "--request-seconds", reqs, 1, 3600, &v[4], 0);
    if (!rc) rc = opt_u(c, "--max-per-ip", per_ip, 1, 10000, &v[5], 0);
    if (!rc) rc = opt_u(c, "--header-seconds", hsecs, 1, 3600, &v[6], 0);
    if (!rc) rc = opt_u(c, "--body-seconds", bsecs, 1, 3600, &v[7], 0);
    if (!rc) rc = opt_u(c, "--session-idle", s_idle, 1, 604800, &v[8], 0);
    if (!rc) rc = opt_u(c, "--session-max", s_max, 1, 2592000, &v[9], 0);
    if (!rc) rc = opt_u(c, "--login-attempts", attempts, 1, 1000, &v[10], 0);
    if (!rc) rc = opt_u(c, "--login-window", window, 1, 86400, &v[11], 0);
    uint64_t mv[3] = {SRV_DEFAULT_MLLP_MAX_MESSAGE, SRV_DEFAULT_MLLP_CONNECTIONS, SRV_DEFAULT_MLLP_IDLE};
    if (!rc) rc = opt_u(c, "--mllp-max-message", m_max, 1024, 64u << 20, &mv[0], 1);
    if (!rc) rc = opt_u(c, "--mllp-connections", m_conns, 1, 10000, &mv[1], 0);
    if (!rc) rc = opt_u(c, "--mllp-idle-seconds", m_idle, 1, 86400, &mv[2], 0);
    uint64_t xv = SRV_DEFAULT_EXPORT_MAX_EPISODES;
    if (!rc) rc = opt_u(c, "--export-max-episodes", x_max, 1, 100000000, &xv, 0);
    if (rc) return rc;
    srv_options o = {.db = c->db, .episodes_dir = c->episodes_dir, .plugins_dir = c->plugins_dir, .host = host, .port = port,
                     .tls_cert = cert, .tls_key = key};
    o.limits = (srv_limits){(size_t)v[0], (size_t)v[1], (unsigned)v[2], (unsigned)v[3], (unsigned)v[4],
                            (unsigned)v[5], (unsigned)v[6], (unsigned)v[7], SRV_TRY_WORKERS,
                            SRV_TRY_QUEUE, (unsigned)v[8], (unsigned)v[9], (unsigned)v[10],
                            (unsigned)v[11], 0, 0, 0, 0};
    o.limits.mllp_max_message = (size_t)mv[0];
    o.limits.mllp_connections = (unsigned)mv[1];
    o.limits.mllp_idle_seconds = (unsigned)mv[2];
    o.limits.export_max_episodes = (unsigned)xv;
    if (mllp) {
        o.mllp_host = mhost;
        o.mllp_port = mport;
    }
    return srv_serve(&o, c->err) == 0 ? CLI_OK : CLI_FAIL;
}

const cli_command cmd_serve = {
    .name = "serve",
    .summary = "run the HTTP API service (docs/api.md)",
    .usage = "cara [--db FILE] [--episodes DIR] serve [--listen HOST:PORT] [--max-body SIZE]\n"
             "       [--max-header SIZE] [--max-connections N] [--idle-timeout S] "
             "[--request-seconds S]\n"
             "       [--max-per-ip N] [--header-seconds S] [--body-seconds S]\n"
             "       [--session-idle S] [--session-max S] [--login-attempts N] "
             "[--login-window S]\n"
             "       [--tls-cert FILE --tls-key FILE]\n"
             "       [--mllp HOST:PORT [--mllp-max-message SIZE] [--mllp-connections N]\n"
             "        [--mllp-idle-seconds S]]\n"
             "       [--export-max-episodes N]",
    .help = "Serves the HTTP/1.1 JSON API of docs/api.md (OpenAPI: docs/api.yaml) on one\n"
            "libuv loop; database work and rules run on the thread pool. Every /v1 request\n"
            "needs a bearer token (cara token create) or a login session's cookie (cara user\n"
            "add; POST /v1/session). Edits under the episodes folder are\n"
            "validated and take effect within a second; a broken edit is rejected and the\n"
            "last good version keeps serving (GET /v1/status shows the error). SIGINT or\n"
            "SIGTERM stop it gracefully. Prints the URL it listens on to stdout.\n\n"
            "options:\n"
            "  --listen HOST:PORT      address (default 127.0.0.1:8080; port 0: a free one)\n"
            "  --max-body SIZE         largest request body (default 1M)\n"
            "  --max-header SIZE       memory for a request's line and headers (default 32k)\n"
            "  --max-connections N     open connections at once (default 64)\n"
            "  --idle-timeout S        seconds an idle connection is kept (default 30)\n"
            "  --request-seconds S     database time one request may use (default 30)\n"
            "  --max-per-ip N          open connections at once from one address (default 16)\n"
            "  --header-seconds S      a request's line and headers must arrive within S\n"
            "                          seconds of the connection or of its previous answer\n"
            "                          (default 10), else the connection is closed\n"
            "  --body-seconds S        a request's body must arrive within S seconds of its\n"
            "                          headers (default 30), else the connection is closed\n"
            "  --session-idle S        a login session ends after S seconds without a request\n"
            "                          (default 1800)\n"
            "  --session-max S         ... and S seconds after its login (default 43200)\n"
            "  --export-max-episodes N episodes one GET /v1/exports/:format may hold (default\n"
            "                          250000); a larger export is 413: narrow it by ACO, EBRA,\n"
            "                          template or period, or use cara export\n"
            "  --login-attempts N      failed logins allowed per user name and per address in\n"
            "                          a window (default 5); then 429 until it ends\n"
            "  --login-window S        that window, in seconds (default 900)\n"
            "  --tls-cert FILE         serve HTTPS with this PEM certificate (and --tls-key);\n"
            "                          session cookies are then Secure\n"
            "  --tls-key FILE          the certificate's PEM private key\n"
            "  --mllp HOST:PORT        also take hospital ADT messages (HL7 v2 over MLLP) on\n"
            "                          this address (docs/adt.md); prints mllp://HOST:PORT\n"
            "  --mllp-max-message SIZE the largest message taken (default 1M); larger: AR\n"
            "  --mllp-connections N    open MLLP connections at once (default 64)\n"
            "  --mllp-idle-seconds S   an MLLP connection idle, or inside one frame, for S\n"
            "                          seconds is closed (default 300)\n",
    .run = run_serve,
};
