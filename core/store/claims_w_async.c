/*
 * claims_w_async.c: the claims writer's write-behind queue (claims_w.h, "write-behind").
 *
 * The caller fills a batch (ops and a text arena: every string of a queued write is
 * copied into it, so the caller's buffers may change at once); a full batch goes to the
 * writer thread, which runs its writes with the synchronous functions of claims_w.c, in
 * order, on the writer's connection. At most AW_BATCHES batches exist: one being filled,
 * the others queued or running; a caller that gets ahead waits for a free one, so memory
 * is bounded whatever the input's size. The thread stops running writes at the first
 * failure and keeps it (sticky); the batches after it are dropped.
 *
 * Ownership: the queue belongs to its claims_w (w->aw), from claims_w_async_begin to
 * claims_w_async_end (or claims_w_close). The connection belongs to the thread while
 * it runs a batch: the caller hands it over by queueing and takes it back by draining.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_w_internal.h"
#include "store_internal.h"
#include "base/base.h"

enum {
    AW_BATCHES = 4,             /* one filling, up to three queued or running */
    AW_OPS = 4096,              /* writes per batch */
    AW_ARENA = 1 << 20,         /* bytes of copied text per batch */
    AW_SEEN = 2 * AW_OPS,       /* the claims inserted in a run: an open-addressing set */
    AW_BLOOM_BITS = 1 << 27,    /* 16 MB: 2.4% false positives at 15 million claims */
    /* the connection's page cache while writing behind, KiB: a bulk load's index pages
     * stay in memory instead of spilling to the WAL and being written again (the
     * default, 2 MB, spilled the claims indexes over and over) */
    AW_CACHE_KIB = 65536
};

typedef struct aw_op {
    unsigned char kind;         /* enum claims__op */
    size_t at;                  /* claims_w_at when queued */
    union {
        claim_rec c;
        claim_line_rec l;
        struct {
            const char *a, *b;
        } t;
    } u;
} aw_op;

typedef struct aw_batch {
    aw_op *ops;
    size_t n;
    char *arena;
    size_t used;
    struct aw_batch *next;
} aw_batch;

struct claims__aw {
    claims_w *w;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t work;        /* a batch was queued, or stop */
    pthread_cond_t done;        /* a batch finished */
    aw_batch *filling;          /* the caller's, not locked */
    aw_batch *head, *tail;      /* queued, in order */
    aw_batch *spare;            /* free batches */
    int n_batches;              /* allocated */
    int busy;                   /* the thread is running a batch */
    int stop;
    size_t at;                  /* claims_w_at */
    /* the sticky failure, written by the thread under mu before it sets failed */
    int failed;
    size_t fail_at;
    int64_t fail_line_no;
    char fail_claim[80];
    char fail_msg[512];
    /* When the claims table was empty at claims_w_async_begin, a claim can be stored only
     * if this queue inserted it: a Bloom filter of the claim ids it inserted lets a delete
     * of any other id skip its look-up (a false positive only costs the look-up). The
     * caller's thread alone uses it (claims__aw_push_at): such a delete is not queued. */
    bloom bloom;                /* AW_BLOOM_BITS bits; no filter: the table was not empty */
    int64_t cache_before;       /* PRAGMA cache_size before (0: unknown, left as is) */
    /* the thread's: the current run's writes by kind, and the claims it inserts */
    const aw_op *dels[AW_OPS], *ins[AW_OPS], *lines[AW_OPS];
    const char *seen[AW_SEEN];
    uint32_t seen_gen[AW_SEEN], gen;
    unsigned char seen_ins[AW_SEEN]; /* the run inserts the claim (not only lines of it) */
    uint32_t seen_at[AW_SEEN];       /* with seen_ins: its latest insert's index in ins */
    /* the lines of each insert of the run: first[k] in ins order, then next[] (op
     * indexes into the run, AW_NONE: the end) */
    uint32_t first[AW_OPS], last[AW_OPS], next[AW_OPS];
    claims__pack pack;               /* one claim's lines being packed */
    pl_buf packed;                   /* a statement's claims' packed lines, NUL-separated */
    claim_rec rows[CLAIMS__MANY];    /* a statement's claims, with their lines */
};

#define AW_NONE UINT32_MAX

static void batch_free(aw_batch *b)
{
    if (!b) return;
    free(b->ops);
    free(b->arena);
    free(b);
}

static aw_batch *batch_new(void)
{
    aw_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->ops = malloc(AW_OPS * sizeof *b->ops);
    b->arena = malloc(AW_ARENA);
    if (!b->ops || !b->arena) {
        batch_free(b);
        return NULL;
    }
    return b;
}

/* Run one queued write (on the thread). */
static int run_op(claims_w *w, const aw_op *o, char *err, size_t errlen)
{
    switch (o->kind) {
    case CLAIMS__DELETE: return claims__w_delete(w, o->u.t.a, err, errlen);
    case CLAIMS__PAID_DATE: return claims__w_paid_date(w, o->u.t.a, o->u.t.b, err, errlen);
    case CLAIMS__INSERT: return claims__w_insert(w, &o->u.c, err, errlen);
    case CLAIMS__LINE: return claims__w_line(w, &o->u.l, 0, err, errlen);
    case CLAIMS__LINE_REPLACE: return claims__w_line(w, &o->u.l, 1, err, errlen);
    case CLAIMS__FILL: return claims__w_fill(w, &o->u.c, err, errlen);
    }
    snprintf(err, errlen, "unknown queued write %d", o->kind);
    return -EIO;
}

/* ---- runs: the claims of a batch in multi-row statements --------------------------------
 * A run is a stretch of a batch's writes that are deletes, claim inserts and (not
 * replacing) line inserts, in which no claim is deleted after the run wrote it or a line
 * of it (a claim's first lines may end one batch and its next version start the next).
 * Such a run has the same effect as its deletes in order, then its claims in order, then
 * its lines in order: no delete touches a row the run writes, and each line still
 * follows its claim. So the inserts go up to CLAIMS__MANY (CLAIMS__MANY_LINES) rows per
 * statement, the rest of a run in halving statements (16, 8, ..., 2 rows). A multi-row
 * statement is INSERT OR FAIL: one that fails at a row has written the rows before it
 * (claims__w_insert_many); the rest are inserted one by one, which meets the failure at
 * its row, as the one-by-one order would. The store's foreign keys on claims and lines
 * are deferred (migration 25) so that no constraint makes SQLite keep a statement
 * journal for these statements. */

static uint32_t id_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* 0 when the run wrote neither claim id nor a line of it; else 1, or 3 when the run
 * inserts the claim itself. With add, remember it (with ins, as inserted). *slot: its
 * slot in the set (when remembered or found). */
static int seen_slot(claims__aw *q, const char *id, int add, int ins, uint32_t *slot)
{
    if (!id) return 0;
    for (uint32_t i = id_hash(id) % AW_SEEN;; i = (i + 1) % AW_SEEN) {
        if (q->seen_gen[i] != q->gen) {
            if (add) {
                q->seen_gen[i] = q->gen;
                q->seen[i] = id;
                q->seen_ins[i] = (unsigned char)(ins != 0);
                *slot = i;
            }
            return 0;
        }
        if (!strcmp(q->seen[i], id)) {
            if (add && ins) q->seen_ins[i] = 1;
            *slot = i;
            return q->seen_ins[i] ? 3 : 1;
        }
    }
}

static int seen_claim(claims__aw *q, const char *id, int add, int ins)
{
    uint32_t slot;
    return seen_slot(q, id, add, ins, &slot);
}

static void new_run(claims__aw *q)
{
    if (++q->gen == 0) { /* wrapped: every slot is stale again */
        memset(q->seen_gen, 0, sizeof q->seen_gen);
        q->gen = 1;
    }
}

/* The rows of the next statement: the largest power of two up to left and most. */
static size_t chunk(size_t left, size_t most)
{
    size_t k = most;
    while (k > left) k >>= 1;
    return k;
}

/* The packed lines of the run's insert k (the lines it was queued with, packed by the
 * caller, and those chained from q->first[k]) into q->packed, NUL-ended; its offset in
 * *off. 0, or the failure with *bad its line. */
static int pack_insert(claims__aw *q, const aw_op *ops, size_t k, size_t *off,
                       const aw_op **bad, char *err, size_t errlen)
{
    claims__pack_reset(&q->pack);
    const char *had = q->ins[k]->u.c.lines;
    if (had && claims__pack_parse(&q->pack, had, strlen(had), err, errlen) < 0)
        return *bad = q->ins[k], -EIO;
    for (uint32_t j = q->first[k]; j != AW_NONE; j = q->next[j]) {
        int rc = claims__pack_add(&q->pack, &ops[j].u.l, 0);
        if (rc == -EEXIST) {
            snprintf(err, errlen, "%s", CLAIMS__DUP_LINE);
            return *bad = &ops[j], -EEXIST;
        }
        if (rc == -E2BIG) return *bad = &ops[j], snprintf(err, errlen, "%s", CLAIMS__TOO_MANY_LINES), -EIO;
        if (rc < 0) return *bad = &ops[j], snprintf(err, errlen, "out of memory"), -ENOMEM;
    }
    size_t len;
    const char *t = claims__pack_text(&q->pack, &len);
    pl_buf *b = &q->packed;
    if (!t || pl_reserve(b, len + 1) < 0) {
        snprintf(err, errlen, "out of memory");
        return *bad = q->ins[k], -ENOMEM;
    }
    *off = b->len;
    memcpy(b->p + b->len, t, len + 1);
    b->len += len + 1;
    return 0;
}

/* Insert the run's claims ins[i..i+k) with their lines: one statement for k > 1 (*done
 * set as claims__w_insert_many's), else one row. */
static int insert_claims(claims__aw *q, const aw_op *ops, size_t i, size_t k, size_t *done,
                         const aw_op **bad, char *err, size_t errlen)
{
    size_t off[CLAIMS__MANY];
    q->packed.len = 0;
    for (size_t j = 0; j < k; j++) {
        off[j] = SIZE_MAX; /* queued with all its lines: used as they are */
        if (q->first[i + j] == AW_NONE && q->ins[i + j]->u.c.lines) continue;
        int rc = pack_insert(q, ops, i + j, &off[j], bad, err, errlen);
        if (rc < 0) return rc;
    }
    const claim_rec *cr[CLAIMS__MANY];
    for (size_t j = 0; j < k; j++) {
        q->rows[j] = q->ins[i + j]->u.c;
        if (off[j] != SIZE_MAX) q->rows[j].lines = q->packed.p + off[j];
        cr[j] = &q->rows[j];
    }
    *done = 0;
    int rc = k > 1 ? claims__w_insert_many(q->w, cr, k, done, err, errlen)
                   : claims__w_insert(q->w, cr[0], err, errlen);
    if (rc < 0 && rc != -EAGAIN) *bad = q->ins[i + *done];
    return rc;
}

/* Run ops[0..n) as one run (see above). 0, or the failure with *bad its write. */
static int run_run(claims__aw *q, const aw_op *ops, size_t n, const aw_op **bad, char *err,
                   size_t errlen)
{
    claims_w *w = q->w;
    size_t nd = 0, nc = 0, nl = 0;
    new_run(q);
    for (size_t i = 0; i < n; i++) {
        const aw_op *o = &ops[i];
        uint32_t slot = AW_NONE;
        if (o->kind == CLAIMS__DELETE) {
            q->dels[nd++] = o;
        } else if (o->kind == CLAIMS__INSERT) {
            seen_slot(q, o->u.c.claim_id, 1, 1, &slot);
            if (slot != AW_NONE) q->seen_at[slot] = (uint32_t)nc;
            q->first[nc] = q->last[nc] = AW_NONE;
            q->ins[nc++] = o;
        } else if (seen_slot(q, o->u.l.claim_id, 0, 0, &slot) == 3) {
            /* a line of a claim the run inserts: packed into its row */
            uint32_t k = q->seen_at[slot];
            q->next[i] = AW_NONE;
            if (q->last[k] == AW_NONE) q->first[k] = (uint32_t)i;
            else q->next[q->last[k]] = (uint32_t)i;
            q->last[k] = (uint32_t)i;
        } else {
            q->lines[nl++] = o; /* of a claim stored before the run: merged into its row */
        }
    }
    int rc;
    for (size_t i = 0; i < nd; i++)
        if ((rc = run_op(w, q->dels[i], err, errlen)) < 0) return *bad = q->dels[i], rc;
    size_t i = 0;
    int one = 0; /* after a statement stopped at a row: one by one */
    while (i < nc) {
        size_t k = one ? 1 : chunk(nc - i, CLAIMS__MANY), done;
        rc = insert_claims(q, ops, i, k, &done, bad, err, errlen);
        if (rc == -EAGAIN) {
            i += done; /* the rest one by one: the failing row fails again */
            one = 1;
            continue;
        }
        if (rc < 0) return rc;
        i += k;
    }
    /* lines of claims stored before the run (a claim's first lines ended the previous
     * batch): one read and write of the claim's row per stretch of its lines */
    for (i = 0; i < nl;) {
        const claim_line_rec *lr[256];
        size_t k = 0;
        const char *id = q->lines[i]->u.l.claim_id;
        while (i + k < nl && k < sizeof lr / sizeof lr[0] && id && q->lines[i + k]->u.l.claim_id &&
               !strcmp(q->lines[i + k]->u.l.claim_id, id))
            lr[k] = &q->lines[i + k]->u.l, k++;
        if (k == 0) lr[k++] = &q->lines[i]->u.l; /* no claim id: refused as one */
        size_t at;
        if ((rc = claims__w_lines(w, lr, k, 0, &at, err, errlen)) < 0)
            return *bad = q->lines[i + at], rc;
        i += k;
    }
    return 0;
}

/* Run batch b's writes in order, runs together. 0, or the failure with *bad its write. */
static int run_batch(claims__aw *q, const aw_batch *b, const aw_op **bad, char *err,
                     size_t errlen)
{
    size_t i = 0;
    if (b->n && sqlite3_get_autocommit(q->w->w.db)) { /* the caller's transaction is gone */
        snprintf(err, errlen, "the load's transaction ended before its writes (an earlier "
                 "write failed)");
        return *bad = &b->ops[0], -EIO;
    }
    while (i < b->n) {
        const aw_op *o = &b->ops[i];
        int k = o->kind;
        if (k != CLAIMS__DELETE && k != CLAIMS__INSERT && k != CLAIMS__LINE) {
            int rc = run_op(q->w, o, err, errlen);
            if (rc < 0) return *bad = o, rc;
            i++;
            continue;
        }
        new_run(q); /* the run's extent; run_run starts its own set */
        size_t j = i;
        for (; j < b->n; j++) {
            const aw_op *p = &b->ops[j];
            if (p->kind == CLAIMS__INSERT) seen_claim(q, p->u.c.claim_id, 1, 1);
            else if (p->kind == CLAIMS__LINE) seen_claim(q, p->u.l.claim_id, 1, 0);
            else if (p->kind != CLAIMS__DELETE) break;
            else if (seen_claim(q, p->u.t.a, 0, 0)) break; /* deletes what the run wrote */
        }
        int rc = run_run(q, &b->ops[i], j - i, bad, err, errlen);
        if (rc < 0) return rc;
        i = j;
    }
    return 0;
}

static void *thread_main(void *arg)
{
    util_thread_name("cara-writer");
    claims__aw *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && !q->stop) pthread_cond_wait(&q->work, &q->mu);
        if (!q->head) break; /* stop, and nothing queued */
        aw_batch *b = q->head;
        q->head = b->next;
        if (!q->head) q->tail = NULL;
        int failed = q->failed;
        q->busy = 1;
        pthread_mutex_unlock(&q->mu);
        char err[512] = "";
        const aw_op *o = NULL;
        int rc = failed ? 0 : run_batch(q, b, &o, err, sizeof err);
        pthread_mutex_lock(&q->mu);
        if (!failed && rc < 0) {
            int line = o->kind == CLAIMS__LINE || o->kind == CLAIMS__LINE_REPLACE;
            const char *id = line ? o->u.l.claim_id : o->kind == CLAIMS__INSERT ||
                                                      o->kind == CLAIMS__FILL
                                                          ? o->u.c.claim_id
                                                          : o->u.t.a;
            snprintf(q->fail_claim, sizeof q->fail_claim, "%s", id ? id : "");
            snprintf(q->fail_msg, sizeof q->fail_msg, "%s", err);
            q->fail_at = o->at;
            q->fail_line_no = line ? o->u.l.claim_line_number : 0;
            q->failed = rc;
        }
        b->n = 0;
        b->used = 0;
        b->next = q->spare;
        q->spare = b;
        q->busy = 0;
        pthread_cond_broadcast(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static int failure(const claims__aw *q, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", q->fail_msg);
    return q->failed;
}

/* Hand the filling batch to the thread (when it has writes). */
static void submit(claims__aw *q)
{
    aw_batch *b = q->filling;
    if (!b || !b->n) return;
    q->filling = NULL;
    pthread_mutex_lock(&q->mu);
    b->next = NULL;
    if (q->tail) q->tail->next = b;
    else q->head = b;
    q->tail = b;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
}

/* A batch to fill: a spare one, a new one, or (at AW_BATCHES) the next that finishes.
 * 0, or -ENOMEM. */
static int take(claims__aw *q, char *err, size_t errlen)
{
    pthread_mutex_lock(&q->mu);
    while (!q->spare && q->n_batches >= AW_BATCHES) pthread_cond_wait(&q->done, &q->mu);
    aw_batch *b = q->spare;
    if (b) q->spare = b->next;
    pthread_mutex_unlock(&q->mu);
    if (!b) {
        if (!(b = batch_new())) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        q->n_batches++; /* only the caller allocates */
    }
    b->n = 0;
    b->used = 0;
    b->next = NULL;
    q->filling = b;
    return 0;
}

static size_t need(const char *s) { return s ? strlen(s) + 1 : 0; }

/* Copy s into b's arena (room was checked). */
static const char *dup(aw_batch *b, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = b->arena + b->used;
    memcpy(d, s, n);
    b->used += n;
    return d;
}

#define NEED(r, f) +need((r)->f)
#define DUP(r, f) (r)->f = dup(b, (r)->f);

int claims__aw_push(claims_w *w, int kind, const void *rec, const char *a, const char *b_,
                    char *err, size_t errlen)
{
    return claims__aw_push_at(w, kind, rec, a, b_, w->aw->at, err, errlen);
}

size_t claims__aw_at(const claims_w *w)
{
    return w->aw ? w->aw->at : 0;
}

int claims__aw_push_at(claims_w *w, int kind, const void *rec, const char *a, const char *b_,
                       size_t at, char *err, size_t errlen)
{
    claims__aw *q = w->aw;
    pthread_mutex_lock(&q->mu);
    int failed = q->failed;
    pthread_mutex_unlock(&q->mu);
    if (failed) return failure(q, err, errlen);
    /* the filter, on this (the caller's) thread: a delete of a claim the queue never
     * inserted into the table that was empty deletes nothing and is not queued */
    if (kind == CLAIMS__DELETE && !bloom_maybe(&q->bloom, a)) return 0;
    if (kind == CLAIMS__INSERT) bloom_add(&q->bloom, ((const claim_rec *)rec)->claim_id);
    size_t n;
    if (kind == CLAIMS__INSERT || kind == CLAIMS__FILL)
        n = 0 CLAIM_TEXTS(NEED, (const claim_rec *)rec) + need(((const claim_rec *)rec)->lines);
    else if (kind == CLAIMS__LINE || kind == CLAIMS__LINE_REPLACE)
        n = 0 LINE_TEXTS(NEED, (const claim_line_rec *)rec);
    else n = need(a) + need(b_);
    if (n > AW_ARENA) { /* cannot be queued: run it now, in order */
        int rc = claims__aw_drain(w, err, errlen);
        if (rc < 0) return rc;
        aw_op o = {.kind = (unsigned char)kind};
        if (kind == CLAIMS__INSERT || kind == CLAIMS__FILL) o.u.c = *(const claim_rec *)rec;
        else if (kind == CLAIMS__LINE || kind == CLAIMS__LINE_REPLACE) o.u.l = *(const claim_line_rec *)rec;
        else o.u.t.a = a, o.u.t.b = b_;
        return run_op(w, &o, err, errlen);
    }
    if (q->filling && (q->filling->n == AW_OPS || q->filling->used + n > AW_ARENA)) submit(q);
    if (!q->filling) {
        int rc = take(q, err, errlen);
        if (rc < 0) return rc;
    }
    aw_batch *b = q->filling;
    aw_op *o = &b->ops[b->n++];
    o->kind = (unsigned char)kind;
    o->at = at;
    if (kind == CLAIMS__INSERT || kind == CLAIMS__FILL) {
        o->u.c = *(const claim_rec *)rec;
        CLAIM_TEXTS(DUP, &o->u.c)
        o->u.c.lines = dup(b, o->u.c.lines);
    } else if (kind == CLAIMS__LINE || kind == CLAIMS__LINE_REPLACE) {
        o->u.l = *(const claim_line_rec *)rec;
        LINE_TEXTS(DUP, &o->u.l)
    } else {
        o->u.t.a = dup(b, a);
        o->u.t.b = dup(b, b_);
    }
    return 0;
}

int claims__aw_failed(claims_w *w, char *err, size_t errlen)
{
    claims__aw *q = w->aw;
    pthread_mutex_lock(&q->mu);
    int failed = q->failed;
    pthread_mutex_unlock(&q->mu);
    return failed ? failure(q, err, errlen) : 0;
}

int claims__aw_fail(claims_w *w, int rc, const char *claim_id, int64_t line_no, char *err,
                    size_t errlen)
{
    claims__aw *q = w->aw;
    char msg[sizeof q->fail_msg];
    snprintf(msg, sizeof msg, "%s", err);
    int earlier = claims__aw_drain(w, err, errlen); /* a queued write's failure comes first */
    if (earlier < 0) return earlier;
    pthread_mutex_lock(&q->mu);
    snprintf(q->fail_claim, sizeof q->fail_claim, "%s", claim_id ? claim_id : "");
    snprintf(q->fail_msg, sizeof q->fail_msg, "%s", msg);
    q->fail_at = q->at;
    q->fail_line_no = line_no;
    q->failed = rc;
    pthread_mutex_unlock(&q->mu);
    return failure(q, err, errlen);
}

int claims__aw_drain(claims_w *w, char *err, size_t errlen)
{
    claims__aw *q = w->aw;
    if (!q) return 0;
    submit(q);
    pthread_mutex_lock(&q->mu);
    while (q->head || q->busy) pthread_cond_wait(&q->done, &q->mu);
    int failed = q->failed;
    pthread_mutex_unlock(&q->mu);
    return failed ? failure(q, err, errlen) : 0;
}

/* The page cache: on, at least AW_CACHE_KIB (remembering what it was); off, as it was. */
static void set_cache(claims__aw *q, int on)
{
    if (on) q->cache_before = store__cache_raise(q->w->w.db, "main", AW_CACHE_KIB);
    else store__cache_restore(q->w->w.db, "main", q->cache_before);
}

int claims_w_async_begin(claims_w *w, char *err, size_t errlen)
{
    if (w->aw) {
        snprintf(err, errlen, "the claims writer is already writing behind");
        return -EALREADY;
    }
    int fr = claims_w_flush(w, err, errlen); /* a pending claim goes first */
    if (fr < 0) return fr;
    claims__aw *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    q->w = w;
    sqlite3_stmt *st = NULL;
    int empty = 0;
    if (store__w_prepare(w->w.db, &st, "SELECT 1 FROM claims LIMIT 1", err, errlen) == 0) {
        empty = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
    }
    if (empty && bloom_init(&q->bloom, bloom_bits_for(w->expect, AW_BLOOM_BITS)) < 0) {
        free(q);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    set_cache(q, 1);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    int rc = pthread_create(&q->th, NULL, thread_main, q);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
        set_cache(q, 0);
        pthread_cond_destroy(&q->done);
        pthread_cond_destroy(&q->work);
        pthread_mutex_destroy(&q->mu);
        bloom_free(&q->bloom);
        free(q);
        return -EAGAIN;
    }
    w->aw = q;
    return 0;
}

void claims_w_at(claims_w *w, size_t line)
{
    if (w && w->aw) w->aw->at = line;
}

int claims_w_async_end(claims_w *w, char *err, size_t errlen)
{
    claims__aw *q = w ? w->aw : NULL;
    if (!q) return 0;
    /* the last claim, queued; a failure to queue it (no memory for a batch) is kept as
     * the queue's, so that the load cannot commit without it */
    char ferr[512];
    int fr = claims_w_flush(w, ferr, sizeof ferr);
    pthread_mutex_lock(&q->mu);
    if (fr < 0 && !q->failed) {
        snprintf(q->fail_msg, sizeof q->fail_msg, "%s", ferr);
        snprintf(q->fail_claim, sizeof q->fail_claim, "%s", w->pend_rec.claim_id ? w->pend_rec.claim_id : "");
        q->fail_at = w->pend_at;
        q->fail_line_no = 0;
        q->failed = fr;
    }
    pthread_mutex_unlock(&q->mu);
    submit(q);
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL); /* it ran every queued batch (or dropped them after a failure) */
    set_cache(q, 0);
    int rc = q->failed ? failure(q, err, errlen) : 0;
    batch_free(q->filling);
    while (q->spare) {
        aw_batch *b = q->spare;
        q->spare = b->next;
        batch_free(b);
    }
    pthread_cond_destroy(&q->done);
    pthread_cond_destroy(&q->work);
    pthread_mutex_destroy(&q->mu);
    /* the failure's details outlive the queue (claims_w_failure) */
    w->aw = NULL;
    if (rc < 0) {
        w->fail = rc;
        w->fail_at = q->fail_at;
        w->fail_line_no = q->fail_line_no;
        snprintf(w->fail_claim, sizeof w->fail_claim, "%s", q->fail_claim);
        snprintf(w->fail_msg, sizeof w->fail_msg, "%s", q->fail_msg);
    }
    claims__pack_free(&q->pack);
    free(q->packed.p);
    bloom_free(&q->bloom);
    free(q);
    return rc;
}

int claims_w_failure(const claims_w *w, size_t *line, const char **claim_id, int64_t *line_no,
                     const char **msg)
{
    const claims__aw *q = w->aw;
    int rc = q ? q->failed : w->fail;
    if (!rc) return 0;
    *line = q ? q->fail_at : w->fail_at;
    *line_no = q ? q->fail_line_no : w->fail_line_no;
    *claim_id = q ? q->fail_claim : w->fail_claim;
    *msg = q ? q->fail_msg : w->fail_msg;
    return rc;
}
