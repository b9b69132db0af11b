/*
 * srv_internal.h: the service's state, shared by srv_main.c (startup, signals,
 * shutdown), srv_http.c (libmicrohttpd on the loop), srv_routes.c (routing, built-in
 * handlers, jobs) and srv_reload.c (hot reload of episodes/). Loop-thread only unless a
 * field says "lock".
 */
#ifndef CARA_SRV_INTERNAL_H
#define CARA_SRV_INTERNAL_H

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <uv.h>

#include "srv.h"
#include "srv_deny.h"
#include "srv_session.h"

struct MHD_Daemon;

#define SRV_TRY_RETRY_AFTER 5     /* seconds, the Retry-After of a 503 from a full queue */
#define SRV_STOP_GRACE_MS 2000    /* how long SIGTERM waits for tries still evaluating */
#define SRV_DB_POOL 16            /* store connections kept open between requests */

struct rctx;
struct srv_conn;

/* A background run. */
typedef struct srv_job {
    int64_t id;
    char state[12];           /* queued, running, done, failed, cancelled (lock) */
    char template_id[64];
    char as_of[11];           /* "" or an interim run's as-of date */
    int incremental;          /* an incremental run (base_run 0: the latest) */
    int64_t base_run;
    int64_t base_run_id, recomputed; /* once done: the run it built on (0: full), the
                                      * beneficiaries it recomputed */
    int period;
    int64_t run_id;           /* lock */
    int64_t done, total;      /* beneficiaries (lock) */
    char message[2048];       /* lock */
    char started_by[96];
    int starter_kind;         /* the role that started it (enum srv_role_kind) and its id: */
    char starter_id[32];      /* only CMS and that role see the job */
    char created_at[32], finished_at[32];
    atomic_int cancel;        /* set by cancel, read by the run (atomic_load/store) */
    uv_work_t work;
    struct srv *s;
} srv_job;

#define SRV_MAX_JOBS 256

struct srv {
    uv_loop_t *loop;
    struct MHD_Daemon *mhd;
    uv_poll_t mhd_poll;
    uv_timer_t mhd_timer, tick;
    uv_signal_t sig_int, sig_term;
    char db_path[PATH_MAX], plugins_dir[PATH_MAX], source_dir[PATH_MAX], state_dir[PATH_MAX];
    srv_limits limits;
    uv_mutex_t lock;
    /* hot reload */
    char active_dir[PATH_MAX + 32];     /* lock */
    int version;                        /* lock: active snapshot number */
    char reload_error[2048];            /* lock: the last failed reload ("" after a good one) */
    char reloaded_at[32];               /* lock */
    uv_fs_event_t **watch;             /* each handle malloc'ed, freed on close */
    size_t n_watch;
    uv_timer_t debounce;
    int reloading, reload_again;
    uv_work_t reload_work;
    int reload_next;                    /* snapshot number being built */
    int reload_ok;
    char reload_msg[2048];
    /* jobs */
    srv_job *jobs[SRV_MAX_JOBS];        /* lock */
    int n_jobs;
    int64_t next_job;
    int job_running;
    /* requests */
    srv_deny_limit deny;                /* lock: the audit of refused requests (srv_deny.h) */
    int in_flight;
    int stopping;
    uint64_t stop_at;                   /* uv_now when the stop began */
    /* rules/try: at most limits.try_workers on the pool, limits.try_queue waiting */
    int tries_running;
    struct rctx *try_head, *try_tail;   /* waiting, FIFO */
    unsigned try_waiting;
    /* open connections, for the header and body deadlines (srv_http.c) */
    struct srv_conn *conns;
    unsigned n_conns;
    uint64_t conns_closed_slow;         /* connections shut down past a deadline */
    uv_timer_t conn_timer;
    unsigned zero_timeouts;             /* MHD_get_timeout answers of 0 in a row */
    /* metrics (lock) */
    uint64_t req_by_class[6];           /* 1xx .. 5xx */
    uint64_t req_total, reload_ok_total, reload_failed_total, runs_started, runs_failed;
    double req_seconds;
    /* login sessions (srv_session.h): limits.session_* and login_* hold the defaults */
    int tls;                            /* serving HTTPS: cookies are Secure */
    srv_login_limit login;              /* its own lock */
    /* the MLLP listener (srv_mllp.c), NULL without --mllp */
    struct srv_mllp *mllp;
    /* task feeds waiting for new tasks (srv_http.c) */
    struct rctx *parked;
    unsigned n_parked;
    /* store connections kept open between requests (srv_http.c, lock): opening one per
     * request (the file, the schema, the migration check) cost more than most answers */
    store *db_free[SRV_DB_POOL];
    int n_db_free;
    /* one audit write at a time from this process (srv_util.c): the pool's threads wait
     * here instead of in SQLite's busy handler, which sleeps in steps of milliseconds */
    uv_mutex_t audit_lock;
    /* the WAL checkpoint of the requests' writes (the audit rows), off the request path
     * (srv_http.c srv__http_checkpoint_tick): the pool's connections do not checkpoint,
     * which fsyncs the database inside a request, under audit_lock */
    uv_work_t ckpt_work;
    int ckpt_busy;                      /* loop thread */
    uint64_t ckpt_at;                   /* uv_now of the last one started */
    store *ckpt_db;                     /* the pool thread running it only */
    /* answers computed from a done run's rows, kept while the store's results clock
     * stands (srv_cache.h); its own lock */
    struct srv_cache *cache;
};

/* srv_util.c: text with every occurrence of from[k] replaced by to[k], for k = 0..n-1 in
 * order (an empty or NULL from[k] is skipped). New string (caller frees); NULL when out
 * of memory. */
char *srv__replace_all(const char *text, const char *const *from, const char *const *to, size_t n);

/* srv_http.c */
/* tls_cert and tls_key: PEM text (NUL-terminated) to serve HTTPS, or NULL for HTTP. */
int srv__http_start(srv *s, const char *host, int port, const char *tls_cert,
                    const char *tls_key, char *err, size_t errlen);
void srv__http_kick(srv *s);           /* run libmicrohttpd now and rearm its timer */
void srv__http_stop(srv *s);
/* Close the store connections kept between requests (at the end of the service). */
void srv__http_close_pool(srv *s);
/* Every tick: start a passive WAL checkpoint on the pool when none is running and the last
 * began SRV_CHECKPOINT_MS ago (not while stopping). */
void srv__http_checkpoint_tick(srv *s);
#define SRV_CHECKPOINT_MS 1000
/* At the start of a stop: answer every waiting rules/try request 503. */
void srv__http_drop_waiting(srv *s);
/* Run again the parked long polls past their time (every tick). */
void srv__http_park_tick(srv *s);

/* srv_routes.c */
typedef struct srv_route {
    const char *method;
    const char *pattern;              /* "/v1/runs/:id" */
    srv_handler fn;
    int flags;                        /* SRV_PUBLIC: no token; SRV_NODB: no store; SRV_TRY */
} srv_route;
enum { SRV_PUBLIC = 1, SRV_NODB = 2, SRV_TRY = 4, SRV_PARK = 8 }; /* SRV_TRY: on the bounded
    rules/try pool; SRV_PARK: may wait for new care tasks (srv_resp.park_ms) */
#define SRV_MAX_PARKED 1000   /* long polls waiting at once; more are answered at once */
/* The route for method + path, with captures in params (at most 4; pointers into
 * buf, which must hold a copy of path). NULL with *allowed set when the path exists
 * for other methods (405), else NULL (404). */
const srv_route *srv__route_find(const char *method, const char *path, char *buf, size_t buflen,
                                const char **params, int *n_params, int *allowed);
/* Percent-decode the NUL-terminated s in place (the service's URL unescaper, for the path
 * and the query). "%00" and malformed escapes are left as they are, so a decoded NUL can
 * never truncate an id: the '%' then fails ids_check_path_segment (a 404). Returns the
 * new length. */
size_t srv__unescape(char *s);
void srv__jobs_tick(srv *s);           /* start the next queued run when none is running */
void srv__jobs_cancel_all(srv *s);
int srv__jobs_busy(srv *s);

/* srv_session.c: the service's side of login sessions */

/*
 * Authenticate a request without an Authorization header by its session cookie (for
 * routes that need a role): 0 when it has no cara_session cookie (the bearer token
 * rules apply); 1 with rq->role set from the session when it is valid and passes the
 * CSRF rule; -1 with rs set (401 "unauthorized", 403 "csrf", 500) otherwise.
 */
int srv__session_request(srv *s, store *db, srv_req *rq, srv_resp *rs);


/* The endpoints (srv_api_users.c; docs/api.md). */
void api_session_login(srv_req *rq, srv_resp *rs);     /* POST   /v1/session */
void api_session_get(srv_req *rq, srv_resp *rs);       /* GET    /v1/session */
void api_session_logout(srv_req *rq, srv_resp *rs);    /* DELETE /v1/session */
void api_session_password(srv_req *rq, srv_resp *rs);  /* POST   /v1/session/password */
void api_users_list(srv_req *rq, srv_resp *rs);        /* GET    /v1/users */
void api_user_add(srv_req *rq, srv_resp *rs);          /* POST   /v1/users */
void api_user_disable(srv_req *rq, srv_resp *rs);      /* POST   /v1/users/:name/disable */
void api_user_password(srv_req *rq, srv_resp *rs);     /* POST   /v1/users/:name/password */

/* srv_reload.c */
int srv__reload_init(srv *s, char *err, size_t errlen);   /* first snapshot, watchers */
void srv__reload_stop(srv *s);

#endif
