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
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "srv_cache.h"
#include "srv_dirs.h"
#include "srv_internal.h"
#include "srv_mllp.h"
#include "base/base.h"

const char *srv_source_episodes_dir(const srv *s) { return s->source_dir; }

const char *srv_state_dir(const srv *s) { return s->state_dir; }

struct srv_cache *srv_cache_of(const srv *s) { return s->cache; }

uv_mutex_t *srv_audit_lock_of(srv *s) { return &s->audit_lock; }

static void rm_rf(const char *dir)
{
    char err[600];
    if (fs_remove_tree(dir, err, sizeof err) < 0) log_msg(LOG_LEVEL_WARN, "serve", "%s", err);
}

static void on_closed(uv_handle_t *h) { (void)h; }

/* The PEM file path (a certificate or key, at most 1 MiB) into *out (malloc'ed). */
static int read_pem(const char *path, const char *opt, char **out, char *msg, size_t len)
{
    char e[600];
    size_t n;
    if (util_read_file(path, 1u << 20, out, &n, e, sizeof e) == 0) return 0;
    snprintf(msg, len, "%s: %s", opt, e);
    return -1;
}

static void finish(srv *s)
{
    srv__mllp_close(s);
    srv__http_stop(s);
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
    srv__http_park_tick(s);
    srv__http_checkpoint_tick(s);
    if (!s->stopping) {
        srv__jobs_tick(s);
        return;
    }
    if (s->in_flight == 0 && !srv__jobs_busy(s) && !s->reloading && !srv__mllp_busy(s) &&
        !s->ckpt_busy) {
        finish(s);
        return;
    }
    /* Rule tries still evaluating after the grace period (a rule stuck in a C library
     * call until its deadline): stop without them. Their temporary folders are under
     * the state folder, removed here; nothing of a try is ever written but its audit
     * row, which is written before the answer, so nothing is half-done. */
    if (s->in_flight == s->tries_running && s->tries_running > 0 && !srv__jobs_busy(s) &&
        !s->reloading && uv_now(s->loop) - s->stop_at >= SRV_STOP_GRACE_MS) {
        log_msg(LOG_LEVEL_WARN, "serve", "%d rule tr%s still evaluating after %d ms: stopping "
                "without them", s->tries_running, s->tries_running == 1 ? "y" : "ies", SRV_STOP_GRACE_MS);
        rm_rf(s->state_dir);
        log_msg(LOG_LEVEL_INFO, "serve", "stopped");
        fflush(NULL);
        _exit(0);
    }
}

static void begin_stop(srv *s, const char *why)
{
    if (s->stopping) return;
    log_msg(LOG_LEVEL_INFO, "serve", "%s: stopping (finishing %d request%s, cancelling runs)", why,
            s->in_flight, s->in_flight == 1 ? "" : "s");
    s->stopping = 1;
    s->stop_at = uv_now(s->loop);
    srv__http_drop_waiting(s);
    if (s->mhd) {
        MHD_socket fd = MHD_quiesce_daemon(s->mhd); /* no new connections */
        if (fd != MHD_INVALID_SOCKET) close(fd);
    }
    srv__jobs_cancel_all(s);
    srv__reload_stop(s);
    srv__mllp_stop(s); /* no new messages; the batch on the pool commits and is answered */
}

static void on_signal(uv_signal_t *h, int sig)
{
    begin_stop(h->data, sig == SIGINT ? "SIGINT" : "SIGTERM");
}

int srv_serve(const srv_options *o, FILE *err)
{
    static srv s; /* one service per process */
    memset(&s, 0, sizeof s);
    s.limits = o->limits;
    if (!s.limits.session_idle) s.limits.session_idle = SRV_DEFAULT_SESSION_IDLE;
    if (!s.limits.session_max) s.limits.session_max = SRV_DEFAULT_SESSION_MAX;
    if (!s.limits.login_attempts) s.limits.login_attempts = SRV_DEFAULT_LOGIN_ATTEMPTS;
    if (!s.limits.login_window) s.limits.login_window = SRV_DEFAULT_LOGIN_WINDOW;
    const char *host = o->host;
    int port = o->port;
    if (!realpath(o->episodes_dir, s.source_dir)) {
        fprintf(err, "cara serve: %s: the episodes folder does not exist\n", o->episodes_dir);
        return -1;
    }
    if (!realpath(o->plugins_dir, s.plugins_dir)) {
        fprintf(err, "cara serve: %s: the plugins folder does not exist\n", o->plugins_dir);
        return -1;
    }
    store *db;
    char msg[4096];
    if (store_open(o->db, STORE_CREATE, &db, msg, sizeof msg) < 0) {
        fprintf(err, "cara serve: %s\n", msg);
        return -1;
    }
    int reaped = 0; /* runs killed mid-way stop showing as running (run_lease.h) */
    if (run_lease_reap(db, "cara serve", &reaped, msg, sizeof msg) < 0)
        fprintf(err, "cara serve: warning: %s\n", msg);
    else if (reaped)
        fprintf(err, "cara serve: %d earlier run%s marked abandoned\n", reaped,
                reaped == 1 ? "" : "s");
    /* kept open for the checkpoints (srv_http.c) from the start: with a connection of
     * its own open, a `cara load` beside the service cannot take the store out of WAL
     * mode (store_direct_begin), so requests never wait for a load */
    s.ckpt_db = db;
    if (!realpath(o->db, s.db_path)) snprintf(s.db_path, sizeof s.db_path, "%s", o->db);
    const char *tmp = getenv("TMPDIR");
    snprintf(s.state_dir, sizeof s.state_dir, "%s/cs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s.state_dir)) {
        fprintf(err, "cara serve: cannot create a state folder (snapshots) in %s\n", tmp ? tmp : "/tmp");
        store_close(s.ckpt_db); /* its lock is not made yet: not srv__http_close_pool */
        s.ckpt_db = NULL;
        return -1;
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
    uv_mutex_init(&s.audit_lock);
    s.cache = srv_cache_new(); /* NULL: every answer is computed */
    srv_login_limit_init(&s.login, s.limits.login_attempts, s.limits.login_window);
    char *cert = NULL, *key = NULL; /* PEM text for HTTPS */
    int rc = o->tls_cert ? read_pem(o->tls_cert, "--tls-cert", &cert, msg, sizeof msg) : 0;
    if (rc == 0 && o->tls_key) rc = read_pem(o->tls_key, "--tls-key", &key, msg, sizeof msg);
    if (rc == 0) rc = srv__reload_init(&s, msg, sizeof msg);
    if (rc == 0) rc = srv__http_start(&s, host, port, cert, key, msg, sizeof msg);
    if (!s.limits.mllp_max_message) s.limits.mllp_max_message = SRV_DEFAULT_MLLP_MAX_MESSAGE;
    if (!s.limits.mllp_connections) s.limits.mllp_connections = SRV_DEFAULT_MLLP_CONNECTIONS;
    if (!s.limits.mllp_idle_seconds) s.limits.mllp_idle_seconds = SRV_DEFAULT_MLLP_IDLE;
    if (!s.limits.export_max_episodes) s.limits.export_max_episodes = SRV_DEFAULT_EXPORT_MAX_EPISODES;
    if (rc == 0 && o->mllp_host)
        rc = srv__mllp_start(&s, o->mllp_host, o->mllp_port, msg, sizeof msg);
    if (key) sodium_memzero(key, strlen(key));
    free(cert);
    free(key);
    if (rc < 0) {
        fprintf(err, "cara serve: %s\n", msg);
        srv__http_close_pool(&s);
        rm_rf(s.state_dir);
        srv_cache_free(s.cache);
        s.cache = NULL;
        return -1;
    }
    uv_signal_init(s.loop, &s.sig_int);
    uv_signal_init(s.loop, &s.sig_term);
    s.sig_int.data = s.sig_term.data = &s;
    uv_signal_start(&s.sig_int, on_signal, SIGINT);
    uv_signal_start(&s.sig_term, on_signal, SIGTERM);
    uv_timer_init(s.loop, &s.tick);
    s.tick.data = &s;
    uv_timer_start(&s.tick, on_tick, 100, 100);
    log_msg(LOG_LEVEL_INFO, "serve", "database %s, episodes %s (validated snapshot %d), plugins %s",
            s.db_path, s.source_dir, s.version, s.plugins_dir);
    uv_run(s.loop, UV_RUN_DEFAULT);
    uv_loop_close(s.loop);
    srv__http_close_pool(&s);
    srv__mllp_free(&s);
    for (int i = 0; i < s.n_jobs; i++) free(s.jobs[i]);
    uv_mutex_destroy(&s.lock);
    uv_mutex_destroy(&s.audit_lock);
    srv_cache_free(s.cache);
    srv_login_limit_destroy(&s.login);
    rm_rf(s.state_dir);
    log_msg(LOG_LEVEL_INFO, "serve", "stopped");
    return 0;
}

