/*
 * srv_main.c: `cara serve`: options, start, signals and graceful shutdown.
 *
 * SIGINT or SIGTERM: stop listening, answer 503 to new requests on open connections,
 * cancel the running job (it fails cleanly with "cancelled", keeping nothing), let the
 * requests in flight finish, then stop the HTTP daemon, close the loop and remove the
 * snapshots.
 */
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "run_lease.h"
#include "srv_dirs.h"
#include "srv_internal.h"
#include "util.h"

const char *srv_source_episodes_dir(const srv *s) { return s->source_dir; }

const char *srv_state_dir(const srv *s) { return s->state_dir; }

static void rm_rf(const char *dir)
{
    char cmd[PATH_MAX + 32];
    if (strncmp(dir, "/tmp/", 5) && !getenv("TMPDIR")) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cara serve: could not remove %s\n", dir);
}

static void on_closed(uv_handle_t *h) { (void)h; }

static void finish(srv *s)
{
    srv_http_stop(s);
    uv_timer_stop(&s->tick);
    uv_close((uv_handle_t *)&s->tick, on_closed);
    uv_signal_stop(&s->sig_int);
    uv_signal_stop(&s->sig_term);
    uv_close((uv_handle_t *)&s->sig_int, on_closed);
    uv_close((uv_handle_t *)&s->sig_term, on_closed);
}

static void on_tick(uv_timer_t *t)
{
    srv *s = t->data;
    if (!s->stopping) {
        srv_jobs_tick(s);
        return;
    }
    if (s->in_flight == 0 && !srv_jobs_busy(s) && !s->reloading) {
        finish(s);
        return;
    }
    /* Rule tries still evaluating after the grace period (a rule stuck in a C library
     * call until its deadline): stop without them. Their temporary folders are under
     * the state folder, removed here; nothing of a try is ever written but its audit
     * row, which is written before the answer, so nothing is half-done. */
    if (s->in_flight == s->tries_running && s->tries_running > 0 && !srv_jobs_busy(s) &&
        !s->reloading && uv_now(s->loop) - s->stop_at >= SRV_STOP_GRACE_MS) {
        fprintf(stderr, "cara serve: %d rule tr%s still evaluating after %d ms: stopping without "
                "them\n", s->tries_running, s->tries_running == 1 ? "y" : "ies", SRV_STOP_GRACE_MS);
        rm_rf(s->state_dir);
        fprintf(stderr, "cara serve: stopped\n");
        fflush(NULL);
        _exit(0);
    }
}

static void begin_stop(srv *s, const char *why)
{
    if (s->stopping) return;
    fprintf(stderr, "cara serve: %s: stopping (finishing %d request%s, cancelling runs)\n", why,
            s->in_flight, s->in_flight == 1 ? "" : "s");
    s->stopping = 1;
    s->stop_at = uv_now(s->loop);
    srv_http_drop_waiting(s);
    if (s->mhd) {
        MHD_socket fd = MHD_quiesce_daemon(s->mhd); /* no new connections */
        if (fd != MHD_INVALID_SOCKET) close(fd);
    }
    srv_jobs_cancel_all(s);
    srv_reload_stop(s);
}

static void on_signal(uv_signal_t *h, int sig)
{
    begin_stop(h->data, sig == SIGINT ? "SIGINT" : "SIGTERM");
}

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
               *header = NULL, *per_ip = NULL, *hsecs = NULL, *bsecs = NULL;
    const cli_opt opts[] = {{"--listen", &listen, NULL},          {"--max-body", &body, NULL},
                            {"--max-header", &header, NULL},      {"--max-connections", &conns, NULL},
                            {"--idle-timeout", &idle, NULL},      {"--request-seconds", &reqs, NULL},
                            {"--max-per-ip", &per_ip, NULL},      {"--header-seconds", &hsecs, NULL},
                            {"--body-seconds", &bsecs, NULL},     {NULL, NULL, NULL}};
    int n = cli_parse(c, &cmd_serve, opts, argc, argv);
    if (n == -1) return CLI_OK;
    if (n < 0) return -n;
    if (n > 0) return cli_usage_error(c, &cmd_serve, "unexpected argument '%s'", argv[1]);
    static srv s; /* one service per process */
    memset(&s, 0, sizeof s);
    char host[64] = "127.0.0.1";
    int port = 8080;
    if (listen && parse_listen(listen, host, sizeof host, &port) < 0)
        return cli_usage_error(c, &cmd_serve, "--listen: '%s' is not HOST:PORT (e.g. "
                               "127.0.0.1:8080; port 0 picks a free one)", listen);
    uint64_t v[8] = {1u << 20, 32u << 10, 64, 30, 30, SRV_DEFAULT_PER_IP,
                     SRV_DEFAULT_HEADER_SECONDS, SRV_DEFAULT_BODY_SECONDS};
    int rc = opt_u(c, "--max-body", body, 1024, 1u << 30, &v[0], 1);
    if (!rc) rc = opt_u(c, "--max-header", header, 4096, 1u << 20, &v[1], 1);
    if (!rc) rc = opt_u(c, "--max-connections", conns, 1, 10000, &v[2], 0);
    if (!rc) rc = opt_u(c, "--idle-timeout", idle, 1, 3600, &v[3], 0);
    if (!rc) rc = opt_u(c, "--request-seconds", reqs, 1, 3600, &v[4], 0);
    if (!rc) rc = opt_u(c, "--max-per-ip", per_ip, 1, 10000, &v[5], 0);
    if (!rc) rc = opt_u(c, "--header-seconds", hsecs, 1, 3600, &v[6], 0);
    if (!rc) rc = opt_u(c, "--body-seconds", bsecs, 1, 3600, &v[7], 0);
    if (rc) return rc;
    s.limits = (srv_limits){(size_t)v[0], (size_t)v[1], (unsigned)v[2], (unsigned)v[3], (unsigned)v[4],
                            (unsigned)v[5], (unsigned)v[6], (unsigned)v[7], SRV_TRY_WORKERS,
                            SRV_TRY_QUEUE};
    if (!realpath(c->episodes_dir, s.source_dir)) {
        fprintf(c->err, "cara serve: %s: the episodes folder does not exist\n", c->episodes_dir);
        return CLI_FAIL;
    }
    if (!realpath(c->plugins_dir, s.plugins_dir)) {
        fprintf(c->err, "cara serve: %s: the plugins folder does not exist\n", c->plugins_dir);
        return CLI_FAIL;
    }
    store *db;
    char err[4096];
    if (store_open(c->db, STORE_CREATE, &db, err, sizeof err) < 0) {
        fprintf(c->err, "cara serve: %s\n", err);
        return CLI_FAIL;
    }
    int reaped = 0; /* runs killed mid-way stop showing as running (run_lease.h) */
    if (run_lease_reap(store_db(db), "cara serve", &reaped, err, sizeof err) < 0)
        fprintf(c->err, "cara serve: warning: %s\n", err);
    else if (reaped)
        fprintf(c->err, "cara serve: %d earlier run%s marked abandoned\n", reaped,
                reaped == 1 ? "" : "s");
    store_close(db);
    if (!realpath(c->db, s.db_path)) snprintf(s.db_path, sizeof s.db_path, "%s", c->db);
    const char *tmp = getenv("TMPDIR");
    snprintf(s.state_dir, sizeof s.state_dir, "%s/cs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s.state_dir)) {
        fprintf(c->err, "cara serve: cannot create a state folder (snapshots) in %s\n", tmp ? tmp : "/tmp");
        return CLI_FAIL;
    }
    signal(SIGPIPE, SIG_IGN);
    /* A run's job waits on the pool for its shards (one per CPU): keep enough pool
     * threads for the job, its shards, requests and the rules/try workers, so that tries
     * can never hold the threads other requests need (before the pool first starts). */
    unsigned cpus = uv_available_parallelism(), want = cpus + 4 + SRV_TRY_WORKERS;
    const char *pool = getenv("UV_THREADPOOL_SIZE");
    if (!pool || strtoul(pool, NULL, 10) < want) {
        char size[16];
        snprintf(size, sizeof size, "%u", want);
        setenv("UV_THREADPOOL_SIZE", size, 1);
    }
    s.loop = uv_default_loop();
    uv_mutex_init(&s.lock);
    rc = srv_reload_init(&s, err, sizeof err);
    if (rc == 0) rc = srv_http_start(&s, host, port, err, sizeof err);
    if (rc < 0) {
        fprintf(c->err, "cara serve: %s\n", err);
        rm_rf(s.state_dir);
        return CLI_FAIL;
    }
    uv_signal_init(s.loop, &s.sig_int);
    uv_signal_init(s.loop, &s.sig_term);
    s.sig_int.data = s.sig_term.data = &s;
    uv_signal_start(&s.sig_int, on_signal, SIGINT);
    uv_signal_start(&s.sig_term, on_signal, SIGTERM);
    uv_timer_init(s.loop, &s.tick);
    s.tick.data = &s;
    uv_timer_start(&s.tick, on_tick, 100, 100);
    fprintf(stderr, "cara serve: database %s, episodes %s (validated snapshot %d), plugins %s\n",
            s.db_path, s.source_dir, s.version, s.plugins_dir);
    uv_run(s.loop, UV_RUN_DEFAULT);
    uv_loop_close(s.loop);
    for (int i = 0; i < s.n_jobs; i++) free(s.jobs[i]);
    uv_mutex_destroy(&s.lock);
    rm_rf(s.state_dir);
    fprintf(stderr, "cara serve: stopped\n");
    return CLI_OK;
}

const cli_command cmd_serve = {
    .name = "serve",
    .summary = "run the HTTP API service (docs/api.md)",
    .usage = "cara [--db FILE] [--episodes DIR] serve [--listen HOST:PORT] [--max-body SIZE]\n"
             "       [--max-header SIZE] [--max-connections N] [--idle-timeout S] "
             "[--request-seconds S]\n"
             "       [--max-per-ip N] [--header-seconds S] [--body-seconds S]",
    .help = "Serves the HTTP/1.1 JSON API of docs/api.md (OpenAPI: docs/api.yaml) on one\n"
            "libuv loop; database work and rules run on the thread pool. Every /v1 request\n"
            "needs a bearer token (cara token create). Edits under the episodes folder are\n"
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
            "                          headers (default 30), else the connection is closed\n",
    .run = run_serve,
};
