/*
 * srv_mllp.c: the MLLP listener of `cara serve --mllp HOST:PORT` (docs/adt.md), on the
 * service's libuv loop.
 *
 * The loop thread reads: each connection's bytes go through an MLLP reader (feeds
 * mllp.h); each complete message is copied into a pending record, queued on its
 * connection (ACKs go back in the order messages came) and on the service-wide waiting
 * list. One batch at a time runs on the thread pool with the listener's own store
 * connection and ADT processor (engine adt_proc.h): BEGIN IMMEDIATE, each message under
 * its own savepoint (a message the store refuses is rolled back alone and answered AR),
 * COMMIT; only then, back on the loop, are the ACKs written. So an AA is never sent for
 * a message that is not committed (a kill -9 after it loses nothing), and the commit is
 * shared by every message that arrived while the previous batch was committing (group
 * commit: the batch grows with the load, up to SRV_MLLP_BATCH).
 *
 * Limits (docs/security.md): the size of a message (--mllp-max-message), open MLLP
 * connections (--mllp-connections), a connection idle or stuck inside a frame
 * (--mllp-idle-seconds), unacknowledged messages per connection (reading pauses past
 * SRV_MLLP_PENDING until ACKs drain).
 */
#include "srv_mllp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "feeds/feeds.h"
#include "srv_internal.h"
#include "store/store.h"

#define ACK_MAX 2048

typedef struct mconn mconn;

typedef struct pmsg {
    struct pmsg *next;           /* the connection's queue */
    struct pmsg *wnext;          /* the waiting list, then the batch */
    mconn *c;
    char *raw;                   /* owned */
    size_t len;
    size_t full_len;             /* a message over the limit: its size (raw is its prefix) */
    int too_big;
    int done;                    /* its ACK is ready */
    char ack[ACK_MAX];
    size_t acklen;
    int tasks;
} pmsg;

struct mconn {
    uv_tcp_t tcp;
    srv_mllp *m;
    mllp_reader rd;
    pmsg *head, *tail;           /* unacknowledged, in arrival order */
    unsigned pending;
    int closing, reading;
    uint64_t last_io;            /* uv_now of the last byte read or ACK written */
    uint64_t frame_since;        /* uv_now when the unfinished frame began (0: none) */
    mconn *next, *prev;
};

typedef struct wreq {
    uv_write_t w;
    mconn *c;
    char *buf;                   /* owned */
} wreq;

struct srv_mllp {
    srv *s;
    uv_tcp_t listener;
    int listening;
    uv_timer_t sweep;
    int swept_closed;            /* the sweep timer is closed (or was never started) */
    mconn *conns;
    unsigned n_conns;
    pmsg *wait_head, *wait_tail; /* complete, not yet in a batch */
    unsigned n_wait;
    pmsg *batch;                 /* on the pool */
    unsigned n_batch;
    int busy;
    uv_work_t work;
    /* the pool side (one batch at a time) */
    store *db;
    adt_proc *proc;
    int proc_version;            /* the snapshot the processor was opened on */
    uint64_t refreshed_ms;
    int64_t data_version;        /* the store's when the arrangements were last read */
    uint64_t batches, seq;
    /* the WAL checkpoint, on its own pool thread and connection (checkpoint_work) */
    uv_work_t ckpt_work;
    int ckpt_busy;
    store *ckpt_db;
    char open_error[512];
    /* metrics (loop thread) */
    uint64_t received, aa, ae, ar, duplicates, tasks, too_big, closed_idle;
};

static void conn_free(mconn *c)
{
    mllp_free(&c->rd);
    free(c);
}

static void on_conn_closed(uv_handle_t *h)
{
    mconn *c = h->data;
    srv_mllp *m = c->m;
    if (c->prev) c->prev->next = c->next;
    else m->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    m->n_conns--;
    /* messages still queued: those in the waiting list are dropped (never committed: the
     * sender gets no ACK and resends); those in a batch are freed when it returns */
    for (pmsg *p = c->head; p; p = p->next) p->c = NULL;
    pmsg **pp = &m->wait_head;
    m->wait_tail = NULL;
    while (*pp) {
        if (!(*pp)->c) {
            pmsg *d = *pp;
            *pp = d->wnext;
            free(d->raw);
            free(d);
            m->n_wait--;
        } else {
            m->wait_tail = *pp;
            pp = &(*pp)->wnext;
        }
    }
    conn_free(c);
}

static void conn_close(mconn *c)
{
    if (c->closing) return;
    c->closing = 1;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    static char slab[65536]; /* the loop thread's; mllp_feed copies it */
    (void)suggested;
    *buf = uv_buf_init(slab, sizeof slab);
}

static void kick(srv_mllp *m);

static void enqueue(mconn *c, const char *msg, size_t len, int too_big)
{
    srv_mllp *m = c->m;
    pmsg *p = calloc(1, sizeof *p);
    char *raw = p ? malloc(len ? len : 1) : NULL;
    if (!p || !raw) {
        free(p);
        log_msg(LOG_LEVEL_ERROR, "mllp", "out of memory: closing a connection");
        conn_close(c);
        return;
    }
    memcpy(raw, msg, len);
    p->raw = raw;
    p->len = len;
    p->too_big = too_big;
    p->full_len = too_big ? c->rd.msg_len : len;
    p->c = c;
    if (c->tail) c->tail->next = p;
    else c->head = p;
    c->tail = p;
    c->pending++;
    if (m->wait_tail) m->wait_tail->wnext = p;
    else m->wait_head = p;
    m->wait_tail = p;
    m->n_wait++;
    m->received++;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    mconn *c = st->data;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0) return;
    c->last_io = uv_now(c->m->s->loop);
    if (mllp_feed(&c->rd, buf->base, (size_t)nread) < 0) {
        log_msg(LOG_LEVEL_ERROR, "mllp", "out of memory: closing a connection");
        conn_close(c);
        return;
    }
    const char *msg;
    size_t len;
    int k;
    while (!c->closing && (k = mllp_next(&c->rd, &msg, &len)) != MLLP_NEED)
        enqueue(c, msg, len, k == MLLP_TOO_BIG);
    if (!c->rd.in_frame) c->frame_since = 0;
    else if (!c->frame_since) c->frame_since = c->last_io;
    if (!c->closing && c->pending >= SRV_MLLP_PENDING && c->reading) {
        uv_read_stop(st); /* until ACKs drain (write_acks) */
        c->reading = 0;
    }
    kick(c->m);
}

/* ---- the pool side -------------------------------------------------------------------- */

/* The processor on the current snapshot (reopened when the episodes folder changed),
 * with EBRAs refreshed at most once a second. */
static int ensure_proc(srv_mllp *m, char *err, size_t errlen)
{
    srv *s = m->s;
    uv_mutex_lock(&s->lock);
    int version = s->version;
    char dir[sizeof s->active_dir];
    snprintf(dir, sizeof dir, "%s", s->active_dir);
    uv_mutex_unlock(&s->lock);
    if (!m->db) {
        if (store_open(s->db_path, 0, &m->db, err, errlen) < 0) return -EIO;
        store_busy_timeout(m->db, 5000);
        /* the listener reads the same visits, beneficiaries and claims again and again:
         * a page cache of its own (64 MiB) instead of SQLite's 2 MiB default */
        store_exec(m->db, "PRAGMA cache_size = -65536", NULL, 0);
        /* each batch is followed by a checkpoint of the WAL on another pool thread
         * (checkpoint_start), concurrent with the next batches, which syncs and copies
         * the WAL's pages while they run. What is left for the batches is the checkpoint
         * a commit runs every 16,000 WAL pages (64 MiB), which restarts the WAL: it
         * finds little left to sync or copy. SQLite's default of 1,000 pages restarted
         * it 15 times a second at 5,000 messages/s, each time inside a commit; the WAL
         * file is cut back to 64 MiB after it restarts. (Measured: docs/performance.md.) */
        store_exec(m->db, "PRAGMA wal_autocheckpoint = 16000", NULL, 0);
        store_exec(m->db, "PRAGMA journal_size_limit = 67108864", NULL, 0);
    }
    uint64_t now = uv_hrtime() / 1000000;
    if (m->proc && m->proc_version != version) {
        adt_proc_close(m->proc);
        m->proc = NULL;
    }
    if (!m->proc) {
        if (adt_proc_open(m->db, dir, s->plugins_dir, NULL, &m->proc, err, errlen) < 0) return -EIO;
        m->proc_version = version;
        m->refreshed_ms = now;
        m->data_version = store_data_version(m->db);
    } else if (now - m->refreshed_ms >= 1000) {
        /* EBRAs offered, accepted or ended by another connection: read them again */
        int64_t v = store_data_version(m->db);
        if (v != m->data_version || v < 0) {
            if (adt_proc_refresh(m->proc, err, errlen) < 0) return -EIO;
            m->data_version = v;
        }
        m->refreshed_ms = now;
    }
    return 0;
}

/* An AR for p with HL7 error 207 and why. */
static void answer_ar(srv_mllp *m, pmsg *p, const char *why)
{
    hl7_error e;
    memset(&e, 0, sizeof e);
    snprintf(e.code, sizeof e.code, "207");
    snprintf(e.message, sizeof e.message, "%s", why);
    char now[15], ctl[32];
    adt_proc_now(now);
    snprintf(ctl, sizeof ctl, "CARA%llu", (unsigned long long)++m->seq);
    int n = hl7_ack(NULL, p->raw, p->len, "AR", &e, ctl, now, p->ack, sizeof p->ack);
    p->acklen = n > 0 ? (size_t)n : 0;
    p->done = 1;
}

static void work_batch(uv_work_t *w)
{
    srv_mllp *m = w->data;
    char err[700];
    if (ensure_proc(m, err, sizeof err) < 0) {
        char why[1100];
        snprintf(why, sizeof why, "cara cannot take the message now (the store or the templates "
                 "cannot be opened: %s); resend it later", err);
        for (pmsg *p = m->batch; p; p = p->wnext) answer_ar(m, p, why);
        if (m->proc) adt_proc_close(m->proc);
        m->proc = NULL;
        if (m->db) store_close(m->db);
        m->db = NULL;
        return;
    }
    if (store_begin(m->db, err, sizeof err) < 0) {
        for (pmsg *p = m->batch; p; p = p->wnext) answer_ar(m, p, "the store is busy; resend later");
        return;
    }
    for (pmsg *p = m->batch; p; p = p->wnext) {
        if (p->too_big) {
            char why[160];
            snprintf(why, sizeof why, "the message is %zu bytes, above the limit of %zu bytes "
                     "(--mllp-max-message)", p->full_len, m->s->limits.mllp_max_message);
            answer_ar(m, p, why);
            continue;
        }
        char ctl[32];
        snprintf(ctl, sizeof ctl, "CARA%llu", (unsigned long long)++m->seq);
        adt_result r;
        store_savepoint(m->db, "msg", err, sizeof err);
        int rc = adt_proc_take(m->proc, p->raw, p->len, ctl, p->ack, sizeof p->ack, &p->acklen,
                               &r, err, sizeof err);
        if (rc < 0) {
            store_rollback_to(m->db, "msg", NULL, 0);
            store_release(m->db, "msg", NULL, 0);
            char why[1100];
            snprintf(why, sizeof why, "the store could not take the message: %s", err);
            log_msg(LOG_LEVEL_ERROR, "mllp", "%s", why);
            answer_ar(m, p, why);
            continue;
        }
        store_release(m->db, "msg", NULL, 0);
        p->done = 1;
        p->tasks = r.tasks;
    }
    if (store_commit(m->db, err, sizeof err) < 0) {
        store_rollback(m->db);
        char why[1100];
        snprintf(why, sizeof why, "the store could not commit: %s; resend", err);
        for (pmsg *p = m->batch; p; p = p->wnext) answer_ar(m, p, why);
    }
}

/* ---- ACKs ------------------------------------------------------------------------------ */

static void on_written(uv_write_t *w, int status)
{
    wreq *r = (wreq *)w;
    (void)status;
    free(r->buf);
    free(r);
}

static int ack_code_is(const pmsg *p, const char *code)
{
    /* MSA-1 follows "MSA|" */
    const char *msa = NULL;
    for (size_t i = 0; i + 4 < p->acklen; i++)
        if ((i == 0 || p->ack[i - 1] == '\r') && !memcmp(p->ack + i, "MSA", 3)) {
            msa = p->ack + i + 4;
            break;
        }
    return msa && !strncmp(msa, code, 2);
}

/* Write the ACKs at the head of c's queue that are ready, framed, in one write. */
static void write_acks(srv_mllp *m, mconn *c)
{
    size_t total = 0;
    for (pmsg *p = c->head; p && p->done; p = p->next) total += p->acklen + 3;
    if (!total) return;
    char *buf = malloc(total);
    wreq *r = buf ? malloc(sizeof *r) : NULL;
    if (!r) {
        free(buf);
        conn_close(c);
        return;
    }
    size_t off = 0;
    while (c->head && c->head->done) {
        pmsg *p = c->head;
        long n = mllp_frame(p->ack, p->acklen, buf + off, total - off);
        if (n > 0) off += (size_t)n;
        if (ack_code_is(p, "AA")) m->aa++;
        else if (ack_code_is(p, "AE")) m->ae++;
        else m->ar++;
        m->tasks += (uint64_t)p->tasks;
        c->head = p->next;
        if (!c->head) c->tail = NULL;
        c->pending--;
        free(p->raw);
        free(p);
    }
    r->c = c;
    r->buf = buf;
    uv_buf_t b = uv_buf_init(buf, (unsigned)off);
    if (uv_write(&r->w, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
        free(buf);
        free(r);
        conn_close(c);
        return;
    }
    c->last_io = uv_now(m->s->loop);
    if (!c->reading && c->pending < SRV_MLLP_PENDING / 2) {
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
        c->reading = 1;
    }
}

static void checkpoint_start(srv_mllp *m);

static void after_batch(uv_work_t *w, int status)
{
    srv_mllp *m = w->data;
    (void)status;
    unsigned tasks = 0;
    pmsg *p = m->batch;
    m->batch = NULL;
    m->n_batch = 0;
    m->busy = 0;
    m->batches++;
    while (p) {
        pmsg *n = p->wnext;
        if (!p->done) answer_ar(m, p, "the service is stopping; resend");
        tasks += (unsigned)p->tasks;
        if (!p->c) { /* its connection closed meanwhile */
            free(p->raw);
            free(p);
        } else {
            p->wnext = NULL;
        }
        p = n;
    }
    for (mconn *c = m->conns; c; c = c->next)
        if (!c->closing) write_acks(m, c);
    if (tasks) srv__tasks_notify(m->s);
    checkpoint_start(m);
    kick(m);
}

/* Start a batch of the waiting messages when none is running. */
static void kick(srv_mllp *m)
{
    if (m->busy || !m->wait_head) return;
    unsigned n = 0;
    pmsg *head = m->wait_head, *last = NULL;
    for (pmsg *p = head; p && n < SRV_MLLP_BATCH; p = p->wnext) {
        last = p;
        n++;
    }
    m->wait_head = last->wnext;
    if (!m->wait_head) m->wait_tail = NULL;
    m->n_wait -= n;
    last->wnext = NULL;
    m->batch = head;
    m->n_batch = n;
    m->busy = 1;
    m->work.data = m;
    if (uv_queue_work(m->s->loop, &m->work, work_batch, after_batch) != 0) {
        for (pmsg *p = head; p; p = p->wnext) answer_ar(m, p, "the service is busy; resend");
        after_batch(&m->work, 0);
    }
}

/* ---- connections ---------------------------------------------------------------------------- */

static void on_connection(uv_stream_t *server, int status)
{
    srv_mllp *m = server->data;
    if (status < 0) return;
    mconn *c = calloc(1, sizeof *c);
    if (!c) return;
    c->m = m;
    uv_tcp_init(m->s->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
        return;
    }
    mllp_init(&c->rd, m->s->limits.mllp_max_message);
    c->next = m->conns;
    if (m->conns) m->conns->prev = c;
    m->conns = c;
    m->n_conns++;
    if (m->n_conns > m->s->limits.mllp_connections || m->s->stopping) {
        log_msg(LOG_LEVEL_WARN, "mllp", "refusing a connection: %u open (--mllp-connections %u)",
                m->n_conns - 1, m->s->limits.mllp_connections);
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    c->last_io = uv_now(m->s->loop);
    c->reading = 1;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* Copy the WAL's committed pages into the database (PASSIVE: it never waits for, nor
 * blocks, the batches), so that commits do not pay for it. */
static void checkpoint_work(uv_work_t *w)
{
    srv_mllp *m = w->data;
    char err[512];
    if (!m->ckpt_db && store_open(m->s->db_path, 0, &m->ckpt_db, err, sizeof err) < 0) {
        log_msg(LOG_LEVEL_WARN, "mllp", "checkpoint: %s", err);
        m->ckpt_db = NULL;
        return;
    }
    if (store_exec(m->ckpt_db, "PRAGMA wal_checkpoint(PASSIVE)", err, sizeof err) < 0)
        log_msg(LOG_LEVEL_WARN, "mllp", "checkpoint: %s", err);
}

static void after_checkpoint(uv_work_t *w, int status)
{
    srv_mllp *m = w->data;
    (void)status;
    m->ckpt_busy = 0;
}

/* After each batch, unless one is running: a checkpoint on another pool thread, so that
 * the WAL's pages are synced and copied while the next batches run, and the checkpoint
 * a commit runs every 16,000 WAL pages (SQLite's automatic one, which restarts the WAL)
 * finds little left to sync and copy (docs/performance.md). A checkpoint started less
 * often (every 100 or 300 ms) left more to the commit's, and the p99 rose to 60 ms. */
static void checkpoint_start(srv_mllp *m)
{
    if (m->ckpt_busy) return;
    m->ckpt_busy = 1;
    m->ckpt_work.data = m;
    if (uv_queue_work(m->s->loop, &m->ckpt_work, checkpoint_work, after_checkpoint) != 0)
        m->ckpt_busy = 0;
}

static void on_sweep(uv_timer_t *t)
{
    srv_mllp *m = t->data;
    uint64_t now = uv_now(m->s->loop), limit = (uint64_t)m->s->limits.mllp_idle_seconds * 1000;
    for (mconn *c = m->conns; c; c = c->next)
        if (!c->closing && ((c->pending == 0 && now - c->last_io > limit) ||
                            (c->frame_since && now - c->frame_since > limit))) {
            m->closed_idle++;
            conn_close(c);
        }
}

int srv__mllp_start(srv *s, const char *host, int port, char *err, size_t errlen)
{
    srv_mllp *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    m->s = s;
    struct sockaddr_storage addr;
    int rc = strchr(host, ':') ? uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr)
                               : uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
    if (rc != 0) {
        snprintf(err, errlen, "--mllp: '%s' is not an IP address", host);
        free(m);
        return -EINVAL;
    }
    uv_tcp_init(s->loop, &m->listener);
    m->listener.data = m;
    rc = uv_tcp_bind(&m->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&m->listener, 128, on_connection);
    if (rc != 0) {
        snprintf(err, errlen, "--mllp %s:%d: cannot listen: %s", host, port, uv_strerror(rc));
        uv_close((uv_handle_t *)&m->listener, NULL);
        s->mllp = m; /* freed by srv__mllp_free after the loop closes the handle */
        m->listening = 0;
        m->swept_closed = 1;
        return -EIO;
    }
    m->listening = 1;
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&m->listener, (struct sockaddr *)&got, &len);
    char name[64] = "";
    int real_port = port;
    if (got.ss_family == AF_INET) {
        uv_ip4_name((struct sockaddr_in *)&got, name, sizeof name);
        real_port = ntohs(((struct sockaddr_in *)&got)->sin_port);
    } else {
        uv_ip6_name((struct sockaddr_in6 *)&got, name, sizeof name);
        real_port = ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
    }
    uv_timer_init(s->loop, &m->sweep);
    m->sweep.data = m;
    uv_timer_start(&m->sweep, on_sweep, 1000, 1000);
    s->mllp = m;
    printf("mllp://%s:%d\n", name, real_port);
    fflush(stdout);
    log_msg(LOG_LEVEL_INFO, "mllp", "listening for HL7 v2 ADT over MLLP on %s:%d", name, real_port);
    return 0;
}

int srv__mllp_busy(srv *s)
{
    srv_mllp *m = s->mllp;
    return m && (m->busy || m->wait_head || m->ckpt_busy);
}

void srv__mllp_stop(srv *s)
{
    srv_mllp *m = s->mllp;
    if (!m) return;
    if (m->listening) {
        uv_close((uv_handle_t *)&m->listener, NULL);
        m->listening = 0;
    }
    for (mconn *c = m->conns; c; c = c->next)
        if (!c->closing && c->reading) {
            uv_read_stop((uv_stream_t *)&c->tcp);
            c->reading = 0;
        }
}

void srv__mllp_close(srv *s)
{
    srv_mllp *m = s->mllp;
    if (!m) return;
    srv__mllp_stop(s);
    if (!m->swept_closed) {
        uv_timer_stop(&m->sweep);
        uv_close((uv_handle_t *)&m->sweep, NULL);
        m->swept_closed = 1;
    }
    for (mconn *c = m->conns; c; c = c->next) conn_close(c);
}

void srv__mllp_free(srv *s)
{
    srv_mllp *m = s->mllp;
    if (!m) return;
    if (m->proc) adt_proc_close(m->proc);
    if (m->db) {
        store_exec(m->db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, 0);
        store_close(m->db);
    }
    if (m->ckpt_db) store_close(m->ckpt_db);
    free(m);
    s->mllp = NULL;
}

size_t srv__mllp_metrics(srv *s, char *buf, size_t len)
{
    srv_mllp *m = s->mllp;
    if (!m || !len) return 0;
    int n = snprintf(buf, len,
        "# HELP cara_mllp_messages_total HL7 messages answered over MLLP, by acknowledgement.\n"
        "# TYPE cara_mllp_messages_total counter\n"
        "cara_mllp_messages_total{ack=\"AA\"} %llu\n"
        "cara_mllp_messages_total{ack=\"AE\"} %llu\n"
        "cara_mllp_messages_total{ack=\"AR\"} %llu\n"
        "# HELP cara_mllp_batches_total Commits of the MLLP listener (each holds one or more messages).\n"
        "# TYPE cara_mllp_batches_total counter\n"
        "cara_mllp_batches_total %llu\n"
        "# HELP cara_mllp_tasks_created_total Care tasks the messages opened.\n"
        "# TYPE cara_mllp_tasks_created_total counter\n"
        "cara_mllp_tasks_created_total %llu\n"
        "# HELP cara_mllp_connections Open MLLP connections.\n"
        "# TYPE cara_mllp_connections gauge\n"
        "cara_mllp_connections %u\n"
        "# HELP cara_mllp_waiting Messages read and waiting for a commit.\n"
        "# TYPE cara_mllp_waiting gauge\n"
        "cara_mllp_waiting %u\n"
        "# HELP cara_mllp_connections_cut_total MLLP connections closed idle or inside a frame too long.\n"
        "# TYPE cara_mllp_connections_cut_total counter\n"
        "cara_mllp_connections_cut_total %llu\n",
        (unsigned long long)m->aa, (unsigned long long)m->ae, (unsigned long long)m->ar,
        (unsigned long long)m->batches, (unsigned long long)m->tasks, m->n_conns, m->n_wait,
        (unsigned long long)m->closed_idle);
    return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}
