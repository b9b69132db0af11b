/*
 * srv_http.c: libmicrohttpd in external-event mode on the libuv loop, and the request
 * lifecycle.
 *
 * The daemon runs with epoll; its epoll descriptor is watched by a uv_poll handle and
 * its timeout by a uv_timer, both calling MHD_run on the loop thread. A request's body
 * is collected (up to the body limit), then, unless its route needs neither a token nor
 * the store, the connection is suspended and the request goes to the thread pool:
 * open the store, check the bearer token, run the handler. Back on the loop the
 * response is prepared and the connection resumed; libmicrohttpd calls the access
 * handler again, which queues the response.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/base.h"
#include "srv_auth.h"
#include "srv_conn.h"
#include "srv_internal.h"
#include "srv_mllp.h"

#define MAX_QUERY 32
#define MAX_HEADERS 48

typedef struct rctx {
    srv *s;
    struct MHD_Connection *conn;
    char method[16];
    char path[1024], path_buf[1024];
    char *body;
    size_t body_len, body_cap;
    int too_big;
    char *auth;                       /* Authorization header (copy) */
    char *qk[MAX_QUERY], *qv[MAX_QUERY];
    int nq;
    char *hk[MAX_HEADERS], *hv[MAX_HEADERS]; /* request headers (copies, for the pool) */
    int nh;
    char client[64];                  /* the client's IP address */
    const srv_route *route;
    const char *params[4];
    int n_params;
    srv_req rq;
    srv_resp rs;
    uv_work_t work;
    int dispatched, ready;
    int is_try;                       /* on the rules/try pool (counted in tries_running) */
    int retry_after;                  /* seconds, a Retry-After header when > 0 */
    struct rctx *next_waiting;        /* the rules/try queue, or the parked list */
    uint64_t park_start, park_until;  /* uv_now: a parked long poll's start and end */
    struct timespec t0;
    char who[128];
} rctx;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the loop side of libmicrohttpd --------------------------------------------------- */

static void on_timer(uv_timer_t *t);

/*
 * Run libmicrohttpd once and rearm its timer from MHD_get_timeout. The loop sleeps in
 * epoll between events: the uv_poll on MHD's epoll descriptor wakes it for network I/O,
 * the timer for MHD's own deadlines, srv_http_kick after a pool job resumes a suspended
 * connection. A zero timeout (MHD has buffered work) is honoured a few times in a row,
 * then spaced to 10 ms, so that a libmicrohttpd state that keeps answering 0 (seen with
 * suspended connections) cannot turn the loop into a busy poll.
 */
void srv__http_kick(srv *s)
{
    if (!s->mhd) return;
    MHD_run(s->mhd);
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(s->mhd, &ms) == MHD_YES) {
        if (ms == 0 && ++s->zero_timeouts > 8) ms = 10;
        else if (ms > 0) s->zero_timeouts = 0;
        uv_timer_start(&s->mhd_timer, on_timer, ms > 60000 ? 60000 : ms, 0);
    } else {
        s->zero_timeouts = 0;
        uv_timer_start(&s->mhd_timer, on_timer, 1000, 0);
    }
}

static void on_timer(uv_timer_t *t) { srv__http_kick(t->data); }

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    srv__http_kick(p->data);
}

/* ---- responses -------------------------------------------------------------------------- */

/*
 * The service's own paths never leave it: every answer is sent with the database path,
 * the state folder (snapshots, rule trials' temporary folders), the source episodes and
 * plugins folders and the temporary folder ($TMPDIR, else /tmp) replaced by <database>,
 * <state>, <episodes>, <plugins> and <tmp>, as written and as JSON escapes them (and the
 * state folder's name alone, as Lua's shortened chunk names show it); the
 * longest first, so that a path inside another is replaced whole. NULL when out of memory
 * (the body is then sent as it is).
 */
static char *scrub_paths(const srv *s, const char *body)
{
    const char *tmp = getenv("TMPDIR");
    char tmpdir[PATH_MAX];
    snprintf(tmpdir, sizeof tmpdir, "%s/", tmp && *tmp ? tmp : "/tmp");
    /* the state folder's own name too (cs-XXXXXX, unique): Lua shortens long chunk names
     * to their end ("...mp/cs-XXXXXX/episodes.2/x.lua") */
    const char *state_name = strrchr(s->state_dir, '/');
    state_name = state_name ? state_name + 1 : s->state_dir;
    const char *paths[6] = {s->db_path, s->state_dir, s->source_dir, s->plugins_dir, tmpdir,
                            state_name};
    const char *labels[6] = {"<database>", "<state>", "<episodes>", "<plugins>", "<tmp>/",
                             "<state>"};
    const char *from[12], *to[12];
    char *esc[6] = {0};
    size_t n = 0;
    for (int i = 0; i < 6; i++) {
        if (!paths[i][0] || !strcmp(paths[i], "/")) continue;
        from[n] = paths[i];
        to[n++] = labels[i];
        json_t *j = json_string(paths[i]);
        char *e = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
        json_decref(j);
        if (e && strlen(e) >= 2) {
            e[strlen(e) - 1] = '\0';
            esc[i] = e;
            if (strcmp(e + 1, paths[i])) {
                from[n] = e + 1;
                to[n++] = labels[i];
            }
        } else {
            free(e);
        }
    }
    for (size_t a = 1; a < n; a++) /* longest first */
        for (size_t b = a; b > 0 && strlen(from[b]) > strlen(from[b - 1]); b--) {
            const char *f = from[b], *t = to[b];
            from[b] = from[b - 1], to[b] = to[b - 1];
            from[b - 1] = f, to[b - 1] = t;
        }
    char *out = srv__replace_all(body, from, to, n);
    for (int i = 0; i < 6; i++) free(esc[i]);
    return out;
}

/*
 * On the pool, after the handler: the body as send_resp would send it (a JSON body
 * serialized, a text body's paths scrubbed), so that the loop thread only queues bytes.
 * The result is binary text (text_len set), which send_resp sends as it is. Out of
 * memory: left as it was, for send_resp.
 */
static void prepare_body(srv *s, srv_resp *rs)
{
    if (rs->text_len) return; /* binary already */
    char *body = NULL;
    if (rs->json) {
        body = srv_json_text(rs->json, NULL);
        if (!body) return;
        json_decref(rs->json);
        rs->json = NULL;
        free(rs->text);
        rs->content_type = "application/json";
    } else if (rs->text) {
        body = rs->text;
    } else {
        return;
    }
    rs->text = body;
    char *clean = scrub_paths(s, body);
    if (clean) {
        free(body);
        rs->text = clean;
    }
    rs->text_len = strlen(rs->text);
    if (rs->text_len == 0) { /* "": no body, as send_resp would send it */
        free(rs->text);
        rs->text = NULL;
    }
}

static enum MHD_Result send_resp(rctx *c)
{
    srv_resp *rs = &c->rs;
    char *body;
    size_t len;
    const char *type = "application/json";
    if (rs->json) {
        body = srv_json_text(rs->json, &len);
    } else {
        body = rs->text ? rs->text : strdup("");
        rs->text = NULL;
        len = body ? (rs->text_len ? rs->text_len : strlen(body)) : 0;
        type = rs->content_type ? rs->content_type : "text/plain; charset=utf-8";
    }
    if (!body) return MHD_NO; /* out of memory even for "{}": drop the connection */
    char *clean = rs->text_len ? NULL : scrub_paths(c->s, body);
    if (clean) {
        free(body);
        body = clean;
        len = strlen(body);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    for (int i = 0; i < rs->n_headers; i++)
        MHD_add_response_header(r, rs->hnames[i], rs->hvals[i]);
    if (c->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", c->retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    int status = rs->status ? rs->status : 200;
    enum MHD_Result ok = MHD_queue_response(c->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    srv *s = c->s;
    double secs = since(&c->t0);
    uv_mutex_lock(&s->lock);
    s->req_total++;
    if (status >= 100 && status < 600) s->req_by_class[status / 100]++;
    s->req_seconds += secs;
    uv_mutex_unlock(&s->lock);
    log_msg(LOG_LEVEL_INFO, "serve", "%s %s %d %.1f ms%s%s", c->method, c->path, status,
            secs * 1000, c->who[0] ? " " : "", c->who);
    return ok;
}

static void error_now(rctx *c, int status, const char *code, const char *msg)
{
    srv_error(&c->rs, status, code, "%s", msg);
    c->ready = 1;
}

/* ---- the pool side ------------------------------------------------------------------------- */

/* Audit a refused request (srv_deny.h), rate-limited per token. A failure to write is
 * logged on stderr; the refusal stands either way. */
static void audit_denied(srv *s, store *db, const srv_req *rq, int status, const char *reason)
{
    unsigned suppressed;
    uv_mutex_lock(&s->lock);
    int d = srv_deny_admit(&s->deny, rq->role.token_id[0] ? rq->role.token_id : rq->role.user,
                           (int64_t)time(NULL), &suppressed);
    uv_mutex_unlock(&s->lock);
    if (srv_deny_audit(db, rq, status, reason, d, suppressed) < 0)
        log_msg(LOG_LEVEL_ERROR, "serve", "%s %s %d: the refusal could not be written to the "
                "audit log", rq->method, rq->path, status);
}

/*
 * A store connection for one request: one kept from an earlier request, else a new one.
 * Kept connections are reset between requests (no transaction, no deadline, the busy
 * timeout of 5 s); a connection reports schema changes by other processes itself
 * (SQLite prepares again), so a kept one reads what a new one would.
 */
static int db_take(srv *s, store **db, char *err, size_t errlen)
{
    uv_mutex_lock(&s->lock);
    *db = s->n_db_free > 0 ? s->db_free[--s->n_db_free] : NULL;
    uv_mutex_unlock(&s->lock);
    if (*db) return 0;
    if (store_open(s->db_path, 0, db, err, errlen) < 0) return -1;
    store_busy_timeout(*db, 5000);
    /* a larger page cache than SQLite's 2 MiB: the run rows the answers read stay in it;
     * no checkpoint at commit: srv__http_checkpoint_tick runs them off the request path */
    store_exec(*db, "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0", NULL, 0);
    return 0;
}

/* Give a request's connection back (closed when SRV_DB_POOL are kept already). */
static void db_give(srv *s, store *db)
{
    if (store_in_transaction(db)) store_rollback(db);
    store_set_deadline(db, NULL);
    store_busy_timeout(db, 5000);
    uv_mutex_lock(&s->lock);
    int kept = !s->stopping && s->n_db_free < SRV_DB_POOL;
    if (kept) s->db_free[s->n_db_free++] = db;
    uv_mutex_unlock(&s->lock);
    if (!kept) store_close(db);
}

void srv__http_close_pool(srv *s)
{
    uv_mutex_lock(&s->lock);
    while (s->n_db_free > 0) store_close(s->db_free[--s->n_db_free]);
    uv_mutex_unlock(&s->lock);
    if (s->ckpt_db) store_close(s->ckpt_db);
    s->ckpt_db = NULL;
}

/* On the pool: a passive checkpoint (it waits for no reader or writer; what it cannot copy
 * now, the next one does), on a connection of its own. */
static void checkpoint_work(uv_work_t *w)
{
    srv *s = w->data;
    char err[512];
    if (!s->ckpt_db && store_open(s->db_path, 0, &s->ckpt_db, err, sizeof err) < 0) {
        log_msg(LOG_LEVEL_WARN, "serve", "checkpoint: %s", err);
        s->ckpt_db = NULL;
        return;
    }
    if (store_exec(s->ckpt_db, "PRAGMA wal_checkpoint(PASSIVE)", err, sizeof err) < 0)
        log_msg(LOG_LEVEL_WARN, "serve", "checkpoint: %s", err);
}

static void after_checkpoint(uv_work_t *w, int status)
{
    srv *s = w->data;
    (void)status;
    s->ckpt_busy = 0;
}

void srv__http_checkpoint_tick(srv *s)
{
    uint64_t now = uv_now(s->loop);
    if (s->ckpt_busy || s->stopping || now - s->ckpt_at < SRV_CHECKPOINT_MS) return;
    s->ckpt_at = now;
    s->ckpt_busy = 1;
    s->ckpt_work.data = s;
    if (uv_queue_work(s->loop, &s->ckpt_work, checkpoint_work, after_checkpoint) != 0)
        s->ckpt_busy = 0;
}

static void work(uv_work_t *w)
{
    rctx *c = w->data;
    srv *s = c->s;
    char err[1024];
    store *db = NULL;
    c->rq.s = s;
    c->rq.method = c->method;
    c->rq.path = c->path;
    for (int i = 0; i < c->n_params; i++) c->rq.params[i] = c->params[i];
    c->rq.n_params = c->n_params;
    c->rq.body = c->body ? c->body : "";
    c->rq.body_len = c->body_len;
    c->rq.qkeys = (const char *const *)c->qk;
    c->rq.qvals = (const char *const *)c->qv;
    c->rq.n_query = c->nq;
    c->rq.hkeys = (const char *const *)c->hk;
    c->rq.hvals = (const char *const *)c->hv;
    c->rq.n_headers = c->nh;
    c->rq.client = c->client;
    c->rq.plugins_dir = s->plugins_dir;
    c->rq.export_max_episodes = s->limits.export_max_episodes;
    uv_mutex_lock(&s->lock);
    char *active = strdup(s->active_dir);
    uv_mutex_unlock(&s->lock);
    c->rq.episodes_dir = active;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += s->limits.request_seconds;
    if (!(c->route->flags & SRV_NODB) || !(c->route->flags & SRV_PUBLIC)) {
        if (db_take(s, &db, err, sizeof err) < 0) {
            srv_error(&c->rs, 503, "store_unavailable", "the database cannot be opened: %s", err);
            goto out;
        }
        store_set_deadline(db, &deadline);
    }
    /* no Authorization header: a login session's cookie may stand for it (srv_session.h) */
    int by_session = !(c->route->flags & SRV_PUBLIC) && !c->auth[0]
                         ? srv__session_request(s, db, &c->rq, &c->rs) : 0;
    if (by_session != 0 && c->rq.role.user[0])
        snprintf(c->who, sizeof c->who, "%s%s%s user %s", srv_role_word(c->rq.role.kind),
                 c->rq.role.id[0] ? ":" : "", c->rq.role.id, c->rq.role.user);
    if (by_session < 0) {
        json_t *m = json_object_get(json_object_get(c->rs.json, "error"), "message");
        if (c->rs.status == 403) audit_denied(s, db, &c->rq, 403, json_string_value(m));
        goto out;
    }
    if (by_session == 0 && !(c->route->flags & SRV_PUBLIC)) {
        int v = srv_token_verify(db, c->auth, &c->rq.role, err, sizeof err);
        if (v < 0) {
            srv_error(&c->rs, 401, "unauthorized", "%s", err);
            /* a real attempt with a token (unknown or revoked) is audited */
            if (v == -EACCES && srv_token_well_formed(c->auth)) {
                srv_token_id_of(db, c->auth, c->rq.role.token_id); /* a revoked token's id */
                audit_denied(s, db, &c->rq, 401, err);
            }
            goto out;
        }
        snprintf(c->who, sizeof c->who, "%s%s%s",
                 srv_role_word(c->rq.role.kind),
                 c->rq.role.id[0] ? ":" : "", c->rq.role.id);
    }
    c->rq.db = (c->route->flags & SRV_NODB) ? NULL : db;
    c->rs.status = 200;
    c->route->fn(&c->rq, &c->rs);
    if (db && store_in_transaction(db)) store_rollback(db); /* a handler's leftovers */
    if (c->rs.status == 403) {
        json_t *m = json_object_get(json_object_get(c->rs.json, "error"), "message");
        audit_denied(s, db, &c->rq, 403, json_string_value(m));
    }
out:
    if (db) db_give(s, db);
    c->rq.episodes_dir = NULL;
    free(active);
    if (!c->rs.park_ms) prepare_body(s, &c->rs);
}

static void start_try(rctx *c);
static void queue(rctx *c);

/* Forget a response (a parked request answers again later). */
static void resp_reset(srv_resp *rs)
{
    for (int i = 0; i < rs->n_headers; i++) {
        free(rs->hnames[i]);
        free(rs->hvals[i]);
    }
    if (rs->json) json_decref(rs->json);
    free(rs->text);
    memset(rs, 0, sizeof *rs);
}

/* Park a long poll until new tasks or its time is up (1), or 0 when it cannot wait. */
static int park(rctx *c)
{
    srv *s = c->s;
    if (c->rs.park_ms <= 0 || !(c->route->flags & SRV_PARK) || s->stopping ||
        s->n_parked >= SRV_MAX_PARKED)
        return 0;
    uint64_t now = uv_now(s->loop);
    if (!c->park_start) c->park_start = now;
    c->park_until = now + (uint64_t)c->rs.park_ms;
    resp_reset(&c->rs);
    c->next_waiting = s->parked;
    s->parked = c;
    s->n_parked++;
    return 1;
}

/* Run a parked request again. */
static void unpark(srv *s, rctx *c)
{
    s->n_parked--;
    c->rq.waited_ms = (int64_t)(uv_now(s->loop) - c->park_start);
    s->in_flight++;
    queue(c);
}

void srv__tasks_notify(srv *s)
{
    rctx *c = s->parked;
    s->parked = NULL;
    while (c) {
        rctx *n = c->next_waiting;
        unpark(s, c);
        c = n;
    }
}

void srv__http_park_tick(srv *s)
{
    uint64_t now = uv_now(s->loop);
    rctx **pp = &s->parked;
    while (*pp) {
        rctx *c = *pp;
        if (now >= c->park_until || s->stopping) {
            *pp = c->next_waiting;
            unpark(s, c);
        } else {
            pp = &c->next_waiting;
        }
    }
}

static void after_work(uv_work_t *w, int status)
{
    rctx *c = w->data;
    srv *s = c->s;
    if (status == UV_ECANCELED) srv_error(&c->rs, 503, "shutting_down", "the service is stopping");
    s->in_flight--;
    if (status != UV_ECANCELED && park(c)) return;
    c->ready = 1;
    if (c->is_try) {
        s->tries_running--;
        if (s->try_head && !s->stopping) { /* the next waiting try takes the freed worker */
            rctx *n = s->try_head;
            s->try_head = n->next_waiting;
            if (!s->try_head) s->try_tail = NULL;
            s->try_waiting--;
            start_try(n);
        }
    }
    MHD_resume_connection(c->conn);
    srv__http_kick(s);
}

/* Queue a dispatched, suspended request's work on the pool; on failure answer 503. */
static void queue(rctx *c)
{
    srv *s = c->s;
    if (uv_queue_work(s->loop, &c->work, work, after_work) != 0) {
        s->in_flight--;
        if (c->is_try) s->tries_running--;
        error_now(c, 503, "busy", "the service cannot take the request now");
        MHD_resume_connection(c->conn);
    }
}

static void start_try(rctx *c)
{
    c->is_try = 1;
    c->s->tries_running++;
    queue(c);
}

void srv__http_drop_waiting(srv *s)
{
    while (s->try_head) {
        rctx *c = s->try_head;
        s->try_head = c->next_waiting;
        s->try_waiting--;
        s->in_flight--;
        error_now(c, 503, "shutting_down", "the service is stopping");
        MHD_resume_connection(c->conn);
    }
    s->try_tail = NULL;
    srv__http_kick(s);
}

/* ---- the access handler ------------------------------------------------------------------ */

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    rctx *c = cls;
    if (c->nq >= MAX_QUERY) return MHD_NO;
    c->qk[c->nq] = strdup(key);
    c->qv[c->nq] = strdup(value ? value : "");
    c->nq++;
    return MHD_YES;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    rctx *c = cls;
    if (c->nh >= MAX_HEADERS) return MHD_NO;
    c->hk[c->nh] = strdup(key);
    c->hv[c->nh] = strdup(value ? value : "");
    c->nh++;
    return MHD_YES;
}

static void client_address(rctx *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, c->client, sizeof c->client);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->client,
                  sizeof c->client);
}

const char *srv_header(const srv_req *rq, const char *name)
{
    for (int i = 0; i < rq->n_headers; i++)
        if (rq->hkeys[i] && !strcasecmp(rq->hkeys[i], name)) return rq->hvals[i];
    return NULL;
}

int srv_resp_header(srv_resp *rs, const char *name, const char *value)
{
    if (rs->n_headers >= SRV_RESP_HEADERS) return -1;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return -1;
    }
    rs->hnames[rs->n_headers] = n;
    rs->hvals[rs->n_headers++] = v;
    return 0;
}

static void route_request(rctx *c)
{
    srv *s = c->s;
    int allowed = 0;
    snprintf(c->path_buf, sizeof c->path_buf, "%s", c->path);
    c->route = srv__route_find(c->method, c->path, c->path_buf, sizeof c->path_buf, c->params,
                              &c->n_params, &allowed);
    if (s->stopping) {
        error_now(c, 503, "shutting_down", "the service is stopping");
        return;
    }
    if (!c->route) {
        if (allowed) error_now(c, 405, "method_not_allowed", "this path does not accept that method");
        else error_now(c, 404, "not_found", "no such endpoint (see docs/api.md)");
        return;
    }
    if (c->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes",
                 s->limits.max_body);
        error_now(c, 413, "body_too_large", msg);
        return;
    }
    if ((c->route->flags & (SRV_PUBLIC | SRV_NODB)) == (SRV_PUBLIC | SRV_NODB)) {
        c->rq.s = s; /* health and metrics: answered on the loop, no store, no token */
        c->rq.method = c->method;
        c->rq.path = c->path;
        c->rs.status = 200;
        c->route->fn(&c->rq, &c->rs);
        c->ready = 1;
        return;
    }
    const char *a = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Authorization");
    c->auth = strdup(a ? a : "");
    if (!c->auth) {
        error_now(c, 500, "oom", "out of memory");
        return;
    }
    MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, collect_query, c);
    MHD_get_connection_values(c->conn, MHD_HEADER_KIND, collect_header, c);
    client_address(c);
    c->work.data = c;
    c->dispatched = 1;
    if (c->route->flags & SRV_TRY) { /* the bounded rules/try pool */
        if (s->tries_running >= (int)s->limits.try_workers && s->try_waiting >= s->limits.try_queue) {
            char msg[160];
            snprintf(msg, sizeof msg, "%d rule tries are being evaluated and %u are waiting (the "
                     "limits); retry later", s->tries_running, s->try_waiting);
            c->retry_after = SRV_TRY_RETRY_AFTER;
            error_now(c, 503, "busy", msg);
            return;
        }
        s->in_flight++;
        MHD_suspend_connection(c->conn);
        if (s->tries_running < (int)s->limits.try_workers) {
            start_try(c);
        } else {
            c->next_waiting = NULL;
            if (s->try_tail) s->try_tail->next_waiting = c;
            else s->try_head = c;
            s->try_tail = c;
            s->try_waiting++;
        }
        return;
    }
    s->in_flight++;
    MHD_suspend_connection(c->conn);
    queue(c);
}

/*
 * Refusals decided from the headers alone, before any body is read: HTTP/1.1 without
 * Host (400), a Content-Length over the body limit (413). Returns 1 with the response
 * ready (libmicrohttpd then closes the connection instead of reading the body).
 */
static int early_refusal(rctx *c, const char *version)
{
    srv *s = c->s;
    if (version && !strcmp(version, MHD_HTTP_VERSION_1_1) &&
        !MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
        error_now(c, 400, "bad_request", "an HTTP/1.1 request needs a Host header");
        return 1;
    }
    const char *cl = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (*cl < '0' || *cl > '9' || *end || errno == ERANGE || n > s->limits.max_body) {
            char msg[160];
            snprintf(msg, sizeof msg, "Content-Length %.40s is larger than the limit of %zu bytes "
                     "(or not a number)", cl, s->limits.max_body);
            error_now(c, 413, "body_too_large", msg);
            return 1;
        }
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    rctx *c = *con_cls;
    if (!c) { /* the headers are in: a new request */
        c = calloc(1, sizeof *c);
        if (!c) return MHD_NO;
        c->s = s;
        c->conn = conn;
        clock_gettime(CLOCK_MONOTONIC, &c->t0);
        snprintf(c->method, sizeof c->method, "%s", method);
        snprintf(c->path, sizeof c->path, "%s", url);
        *con_cls = c;
        srv_conn_headers_in(s, conn);
        return early_refusal(c, version) ? send_resp(c) : MHD_YES;
    }
    if (*upload_size) { /* a chunk of the body */
        if (!c->too_big && c->body_len + *upload_size > s->limits.max_body) {
            c->too_big = 1;
        } else if (!c->too_big) {
            if (c->body_len + *upload_size + 1 > c->body_cap) {
                size_t cap = (c->body_len + *upload_size + 1) * 2;
                char *b = realloc(c->body, cap);
                if (!b) return MHD_NO;
                c->body = b;
                c->body_cap = cap;
            }
            memcpy(c->body + c->body_len, upload, *upload_size);
            c->body_len += *upload_size;
            c->body[c->body_len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (c->ready) return send_resp(c);
    if (!c->dispatched) {
        srv_conn_request_in(s, conn);
        route_request(c);
        if (c->ready) return send_resp(c);
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    srv_conn_answered(cls, conn);
    rctx *c = *con_cls;
    if (!c) return;
    for (int i = 0; i < c->nq; i++) {
        free(c->qk[i]);
        free(c->qv[i]);
    }
    for (int i = 0; i < c->nh; i++) {
        free(c->hk[i]);
        free(c->hv[i]);
    }
    for (int i = 0; i < c->rs.n_headers; i++) {
        free(c->rs.hnames[i]);
        free(c->rs.hvals[i]);
    }
    free(c->body);
    free(c->auth);
    if (c->rs.json) json_decref(c->rs.json);
    free(c->rs.text);
    free(c);
    *con_cls = NULL;
}

/* Malformed requests are answered by libmicrohttpd itself (400); its log goes here. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg); /* libmicrohttpd ends its text with a newline; log_msg adds one */
    if (n && msg[n - 1] == '\n') msg[n - 1] = '\0';
    log_msg(LOG_LEVEL_WARN, "serve", "http: %s", msg);
}

/* Every second: the header and body deadlines (srv_conn.h). */
static void on_conn_timer(uv_timer_t *t)
{
    srv *s = t->data;
    if (srv_conn_sweep(s)) srv__http_kick(s);
}

/* MHD's URL unescaper, replaced so that "%00" stays "%00" (srv_unescape). */
static size_t mhd_unescape(void *cls, struct MHD_Connection *conn, char *uri)
{
    (void)cls;
    (void)conn;
    return srv__unescape(uri);
}

int srv__http_start(srv *s, const char *host, int port, const char *tls_cert,
                    const char *tls_key, char *err, size_t errlen)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "--listen: '%s' is not an IPv4 address", host);
        return -EINVAL;
    }
    s->tls = tls_cert != NULL;
    if (s->tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errlen, "--tls-cert: this libmicrohttpd was built without TLS");
        return -EINVAL;
    }
    s->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                                  (s->tls ? MHD_USE_TLS : 0),
                              (uint16_t)port, NULL, NULL, on_request, s,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                              MHD_OPTION_CONNECTION_LIMIT, s->limits.connections,
                              MHD_OPTION_CONNECTION_TIMEOUT, s->limits.idle_timeout,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->limits.max_header,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                              MHD_OPTION_NOTIFY_CONNECTION, srv_conn_notify, s,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->limits.per_ip,
                              MHD_OPTION_UNESCAPE_CALLBACK, mhd_unescape, s,
                              s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, tls_cert,
                              MHD_OPTION_HTTPS_MEM_KEY, tls_key, MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use, or not allowed%s)", host, port,
                 s->tls ? ", or the TLS certificate or key is not valid PEM" : "");
        return -EADDRINUSE;
    }
    const union MHD_DaemonInfo *ep = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    const union MHD_DaemonInfo *bp = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    uv_poll_init(s->loop, &s->mhd_poll, ep->epoll_fd);
    s->mhd_poll.data = s;
    uv_poll_start(&s->mhd_poll, UV_READABLE, on_poll);
    uv_timer_init(s->loop, &s->mhd_timer);
    s->mhd_timer.data = s;
    uv_timer_init(s->loop, &s->conn_timer);
    s->conn_timer.data = s;
    uv_timer_start(&s->conn_timer, on_conn_timer, 1000, 1000);
    const char *scheme = s->tls ? "https" : "http";
    log_msg(LOG_LEVEL_INFO, "serve", "listening on %s://%s:%u", scheme, host,
            bp ? bp->port : (unsigned)port);
    printf("%s://%s:%u\n", scheme, host, bp ? bp->port : (unsigned)port);
    fflush(stdout);
    srv__http_kick(s);
    return 0;
}

void srv__http_stop(srv *s)
{
    if (!s->mhd) return;
    uv_poll_stop(&s->mhd_poll);
    uv_timer_stop(&s->mhd_timer);
    uv_timer_stop(&s->conn_timer);
    uv_close((uv_handle_t *)&s->mhd_poll, NULL);
    uv_close((uv_handle_t *)&s->mhd_timer, NULL);
    uv_close((uv_handle_t *)&s->conn_timer, NULL);
    MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
}
