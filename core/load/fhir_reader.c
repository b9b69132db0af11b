/*
 * fhir_reader.c: see fhir_reader.h. Rings of slots shared by two threads, one writing
 * each index: a parser moves each resource into the slot at tail (fhir_resource_move:
 * no copy of its lines) and then advances tail; the caller reads the slot at head and
 * advances head when it frees it, at its next call. Neither takes a lock while a ring
 * is neither full nor empty: the indexes are atomics (the release store of an index
 * publishes the slot before it). A side that finds its ring full (a parser) or empty
 * (the caller) sleeps on a condition variable under the ring's mutex, having said so in
 * a flag; the other side, after it moves its index, wakes it when half the ring is
 * ready for it (or at the end): one wake-up per batch, not per record. The flag and the
 * index are sequentially consistent, so of "set my flag, look at your index" and "move
 * my index, look at your flag" one side always sees the other's store: no wake-up is
 * lost.
 *
 * NDJSON of more than one line (fhir_ndjson_lines) is cut into parts of about
 * FHIR_READER_PART bytes at line starts, and two parsers read them, the first parts 0, 2,
 * 4, ..., the second 1, 3, 5, ..., each into its own ring, a marker with the part's line
 * count after each part; the caller takes the parts in order, ring by ring, and numbers
 * each record from the lines of the parts before it, and gives back the pages of the
 * parts both parsers are done with as it moves on. Anything else (a Bundle, one line, a
 * file of one part) has one parser over the whole file, as fhir_each_mapped_take reads
 * it (and gives its pages back).
 */
#include "fhir_reader.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* A sleeping side is woken when this many slots are ready for it (filled for the
 * caller, free for the parser), or at the end: one wake-up per batch, not per record */
enum { WAKE_BATCH = FHIR_READER_SLOTS / 2 };

typedef struct slot {
    fhir_resource r;
    size_t number;      /* within its part (the whole file: its record number) */
    int bad;            /* no resource: msg is the record's error */
    int part_end;       /* no record: the part ends here, lines its line count */
    size_t lines;
    char msg[512];
} slot;

typedef struct ring {
    pthread_mutex_t mu;
    pthread_cond_t cv_filled, cv_freed;
    /* slots [head, tail) are filled; the caller holds head when held. tail is the
     * parser's to move, head the caller's */
    _Atomic size_t head, tail;
    atomic_int done;            /* the parser has finished (result set) */
    atomic_int caller_waits, parser_waits;
    long result;                /* the parser's: records seen, or a negative errno */
    slot s[FHIR_READER_SLOTS];
} ring;

struct fhir_reader;

typedef struct parser {
    struct fhir_reader *rd;
    ring *q;
    int k;                      /* which parser: 0 or 1 */
    pthread_t th;
    int started;
} parser;

struct fhir_reader {
    const char *buf;
    size_t len;
    int parts;                  /* 1: two parsers over parts; 0: one over the file */
    size_t start, part;         /* where the lines begin, bytes a part (nominal) */
    size_t n_parts;
    atomic_int stop;
    parser p[2];
    ring q[2];
    /* the caller's */
    int held;                   /* it holds the head slot of q[cur] */
    size_t cur;                 /* the part being read (parts) */
    size_t base;                /* the lines of the parts before it */
    size_t handed;              /* records handed over (parts) */
    size_t released;            /* the mapping's bytes given back (parts) */
};

/* Wake the side sleeping on cv, under the ring's mutex. */
static void wake(ring *q, pthread_cond_t *cv)
{
    pthread_mutex_lock(&q->mu);
    pthread_cond_signal(cv);
    pthread_mutex_unlock(&q->mu);
}

/* The parser's side: wait for a free slot at tail (0), or 1 when stopped. */
static int slot_free(fhir_reader *rd, ring *q, size_t *tail)
{
    *tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (*tail - atomic_load(&q->head) >= FHIR_READER_SLOTS) { /* full: sleep */
        pthread_mutex_lock(&q->mu);
        atomic_store(&q->parser_waits, 1);
        while (*tail - atomic_load(&q->head) >= FHIR_READER_SLOTS && !atomic_load(&rd->stop))
            pthread_cond_wait(&q->cv_freed, &q->mu);
        atomic_store(&q->parser_waits, 0);
        pthread_mutex_unlock(&q->mu);
    }
    return atomic_load(&rd->stop) != 0;
}

/* The slot at tail filled: publish it, waking the caller when a batch is ready. */
static void publish(ring *q, size_t tail)
{
    atomic_store(&q->tail, tail + 1);
    if (atomic_load(&q->caller_waits) && tail + 1 - atomic_load(&q->head) >= WAKE_BATCH)
        wake(q, &q->cv_filled);
}

static int take(void *ud, fhir_resource *r, size_t number, const char *msg)
{
    parser *pa = ud;
    ring *q = pa->q;
    size_t tail;
    if (slot_free(pa->rd, q, &tail)) return 1;
    /* the slot at tail is the parser's: the caller reads only below tail */
    slot *s = &q->s[tail % FHIR_READER_SLOTS];
    s->number = number;
    s->bad = r == NULL;
    s->part_end = 0;
    if (r) fhir_resource_move(&s->r, r);
    else snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "");
    publish(q, tail);
    return 0;
}

/* Where part i begins: its nominal offset moved on to the start of a line. */
static size_t part_at(const fhir_reader *rd, size_t i)
{
    size_t at = rd->start + i * rd->part;
    if (i == 0) return rd->start;
    if (at >= rd->len) return rd->len;
    if (rd->buf[at - 1] == '\n') return at;
    const char *nl = memchr(rd->buf + at, '\n', rd->len - at);
    return nl ? (size_t)(nl + 1 - rd->buf) : rd->len;
}

/* A parser over parts k, k + 2, ...: each part's records, then its marker. */
static long parse_parts(parser *pa)
{
    fhir_reader *rd = pa->rd;
    long seen = 0;
    for (size_t i = (size_t)pa->k; i < rd->n_parts; i += 2) {
        size_t lines = 0;
        long n = fhir_each_ndjson_take(rd->buf, part_at(rd, i), part_at(rd, i + 1), 0, &lines,
                                       take, pa);
        if (n < 0) return n;
        seen += n;
        size_t tail;
        if (atomic_load(&rd->stop) || slot_free(rd, pa->q, &tail)) break;
        slot *s = &pa->q->s[tail % FHIR_READER_SLOTS];
        s->part_end = 1;
        s->bad = 0;
        s->lines = lines;
        publish(pa->q, tail);
    }
    return seen;
}

static void *parse_main(void *arg)
{
    parser *pa = arg;
    util_thread_name("cara-parse");
    fhir_reader *rd = pa->rd;
    long n = rd->parts ? parse_parts(pa) : fhir_each_mapped_take(rd->buf, rd->len, take, pa);
    ring *q = pa->q;
    pthread_mutex_lock(&q->mu);
    q->result = n;
    atomic_store(&q->done, 1);
    pthread_cond_signal(&q->cv_filled);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static void ring_init(ring *q)
{
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    atomic_init(&q->done, 0);
    atomic_init(&q->caller_waits, 0);
    atomic_init(&q->parser_waits, 0);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv_filled, NULL);
    pthread_cond_init(&q->cv_freed, NULL);
}

static void ring_destroy(ring *q)
{
    size_t head = atomic_load(&q->head), tail = atomic_load(&q->tail);
    for (size_t i = head; i < tail; i++) /* handed over or not, each is freed */
        if (!q->s[i % FHIR_READER_SLOTS].part_end) fhir_resource_clear(&q->s[i % FHIR_READER_SLOTS].r);
    pthread_cond_destroy(&q->cv_freed);
    pthread_cond_destroy(&q->cv_filled);
    pthread_mutex_destroy(&q->mu);
}

static void stop_parsers(fhir_reader *rd)
{
    atomic_store(&rd->stop, 1);
    for (int k = 0; k < 2; k++) {
        if (!rd->p[k].started) continue;
        wake(&rd->q[k], &rd->q[k].cv_freed);
        pthread_join(rd->p[k].th, NULL);
        rd->p[k].started = 0;
    }
}

int fhir_reader_start_parts(const char *buf, size_t len, size_t part, fhir_reader **out)
{
    *out = NULL;
    fhir_reader *rd = calloc(1, sizeof *rd);
    if (!rd) return -ENOMEM;
    rd->buf = buf;
    rd->len = len;
    atomic_init(&rd->stop, 0);
    rd->part = part ? part : FHIR_READER_PART;
    if (fhir_ndjson_lines(buf, len, &rd->start) && len - rd->start > rd->part) {
        rd->parts = 1;
        rd->n_parts = (len - rd->start + rd->part - 1) / rd->part;
    }
    int n = rd->parts ? 2 : 1;
    for (int k = 0; k < n; k++) {
        ring_init(&rd->q[k]);
        rd->p[k] = (parser){.rd = rd, .q = &rd->q[k], .k = k};
    }
    for (int k = 0; k < n; k++) {
        if (pthread_create(&rd->p[k].th, NULL, parse_main, &rd->p[k]) != 0) {
            stop_parsers(rd);
            for (int j = 0; j < n; j++) ring_destroy(&rd->q[j]);
            free(rd);
            return -EAGAIN;
        }
        rd->p[k].started = 1;
    }
    *out = rd;
    return 0;
}

int fhir_reader_start(const char *buf, size_t len, fhir_reader **out)
{
    return fhir_reader_start_parts(buf, len, 0, out);
}

/* The ring the caller reads now. */
static ring *cur_ring(fhir_reader *rd) { return &rd->q[rd->parts ? rd->cur % 2 : 0]; }

/* Free the slot the caller holds. */
static void release_held(fhir_reader *rd)
{
    if (!rd->held) return;
    ring *q = cur_ring(rd);
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    slot *s = &q->s[head % FHIR_READER_SLOTS];
    if (!s->part_end) fhir_resource_clear(&s->r);
    atomic_store(&q->head, head + 1); /* the slot is the parser's again */
    rd->held = 0;
    if (atomic_load(&q->parser_waits) &&
        FHIR_READER_SLOTS - (atomic_load(&q->tail) - (head + 1)) >= WAKE_BATCH)
        wake(q, &q->cv_freed);
}

int fhir_reader_next(fhir_reader *rd, const fhir_resource **r, size_t *number,
                     const char **msg)
{
    for (;;) {
        release_held(rd);
        ring *q = cur_ring(rd);
        size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
        if (head == atomic_load(&q->tail)) { /* empty: sleep until a batch is ready or the end */
            pthread_mutex_lock(&q->mu);
            atomic_store(&q->caller_waits, 1);
            while (head == atomic_load(&q->tail) && !atomic_load(&q->done))
                pthread_cond_wait(&q->cv_filled, &q->mu);
            atomic_store(&q->caller_waits, 0);
            pthread_mutex_unlock(&q->mu);
            if (head == atomic_load(&q->tail)) return 0; /* that parser is done: the end */
        }
        rd->held = 1;
        slot *s = &q->s[head % FHIR_READER_SLOTS];
        if (s->part_end) { /* the next part, in the other ring */
            rd->base += s->lines;
            release_held(rd);
            rd->cur++;
            /* the parts before are done by both parsers, which never go back: their pages
             * are given back, to the 64 KiB the kernel maps around a fault (the window
             * where this part starts may be mapped again by its reads: given back with
             * the next) */
            size_t at = rd->cur < rd->n_parts ? part_at(rd, rd->cur) / 65536 * 65536 : rd->len;
            util_release_mapped(rd->buf, rd->len, rd->buf + at, &rd->released);
            if (rd->cur >= rd->n_parts) return 0;
            continue;
        }
        *number = rd->base + s->number;
        *r = s->bad ? NULL : &s->r;
        *msg = s->bad ? s->msg : NULL;
        rd->handed++;
        return 1;
    }
}

long fhir_reader_finish(fhir_reader *rd)
{
    if (!rd) return 0;
    int all = rd->parts && rd->cur >= rd->n_parts; /* every part read to its end */
    stop_parsers(rd);
    if (rd->parts) util_release_mapped(rd->buf, rd->len, rd->buf + rd->len, &rd->released);
    long n = rd->q[0].result;
    if (rd->parts) {
        /* a parser's failure (no memory) is the reader's; else the records seen, as one
         * parser over the file counts them when the caller read to the end */
        n = rd->q[0].result < 0 ? rd->q[0].result
            : rd->q[1].result < 0 ? rd->q[1].result
            : all ? rd->q[0].result + rd->q[1].result : (long)rd->handed;
    }
    for (int k = 0; k < (rd->parts ? 2 : 1); k++) ring_destroy(&rd->q[k]);
    free(rd);
    return n;
}
