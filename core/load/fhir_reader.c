/*
 * fhir_reader.c: see fhir_reader.h. A ring of slots shared by two threads, one writing
 * each index: the parser moves each resource into the slot at tail (fhir_resource_move:
 * no copy of its lines) and then advances tail; the caller reads the slot at head and
 * advances head when it frees it, at its next call. Neither takes a lock while the ring
 * is neither full nor empty: the indexes are atomics (the release store of an index
 * publishes the slot before it). A side that finds the ring full (the parser) or empty
 * (the caller) sleeps on a condition variable under the mutex, having said so in a flag;
 * the other side, after it moves its index, wakes it when half the ring is ready for it
 * (or at the end): one wake-up per batch, not per record. The flag and the index are
 * sequentially consistent, so of "set my flag, look at your index" and "move my index,
 * look at your flag" one side always sees the other's store: no wake-up is lost.
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
    size_t number;
    int bad;            /* no resource: msg is the record's error */
    char msg[512];
} slot;

struct fhir_reader {
    const char *buf;
    size_t len;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv_filled, cv_freed;
    /* slots [head, tail) are filled; the caller holds head when held. tail is the
     * parser's to move, head the caller's */
    _Atomic size_t head, tail;
    int held;                       /* the caller's alone */
    atomic_int done, stop;
    atomic_int caller_waits, parser_waits;
    long result;
    slot s[FHIR_READER_SLOTS];
};

/* Wake the side sleeping on cv (its flag *waits set), under the mutex. */
static void wake(fhir_reader *rd, pthread_cond_t *cv)
{
    pthread_mutex_lock(&rd->mu);
    pthread_cond_signal(cv);
    pthread_mutex_unlock(&rd->mu);
}

static int take(void *ud, fhir_resource *r, size_t number, const char *msg)
{
    fhir_reader *rd = ud;
    size_t tail = atomic_load_explicit(&rd->tail, memory_order_relaxed);
    if (tail - atomic_load(&rd->head) >= FHIR_READER_SLOTS) { /* full: sleep */
        pthread_mutex_lock(&rd->mu);
        atomic_store(&rd->parser_waits, 1);
        while (tail - atomic_load(&rd->head) >= FHIR_READER_SLOTS && !atomic_load(&rd->stop))
            pthread_cond_wait(&rd->cv_freed, &rd->mu);
        atomic_store(&rd->parser_waits, 0);
        pthread_mutex_unlock(&rd->mu);
    }
    if (atomic_load(&rd->stop)) return 1;
    /* the slot at tail is the parser's: the caller reads only below tail */
    slot *s = &rd->s[tail % FHIR_READER_SLOTS];
    s->number = number;
    s->bad = r == NULL;
    if (r) fhir_resource_move(&s->r, r);
    else snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "");
    atomic_store(&rd->tail, tail + 1); /* publishes the slot */
    if (atomic_load(&rd->caller_waits) && tail + 1 - atomic_load(&rd->head) >= WAKE_BATCH)
        wake(rd, &rd->cv_filled);
    return 0;
}

static void *parse_main(void *arg)
{
    util_thread_name("cara-parse");
    fhir_reader *rd = arg;
    long n = fhir_each_mapped_take(rd->buf, rd->len, take, rd);
    pthread_mutex_lock(&rd->mu);
    rd->result = n;
    atomic_store(&rd->done, 1);
    pthread_cond_signal(&rd->cv_filled);
    pthread_mutex_unlock(&rd->mu);
    return NULL;
}

int fhir_reader_start(const char *buf, size_t len, fhir_reader **out)
{
    *out = NULL;
    fhir_reader *rd = calloc(1, sizeof *rd);
    if (!rd) return -ENOMEM;
    rd->buf = buf;
    rd->len = len;
    atomic_init(&rd->head, 0);
    atomic_init(&rd->tail, 0);
    atomic_init(&rd->done, 0);
    atomic_init(&rd->stop, 0);
    atomic_init(&rd->caller_waits, 0);
    atomic_init(&rd->parser_waits, 0);
    pthread_mutex_init(&rd->mu, NULL);
    pthread_cond_init(&rd->cv_filled, NULL);
    pthread_cond_init(&rd->cv_freed, NULL);
    if (pthread_create(&rd->th, NULL, parse_main, rd) != 0) {
        pthread_cond_destroy(&rd->cv_freed);
        pthread_cond_destroy(&rd->cv_filled);
        pthread_mutex_destroy(&rd->mu);
        free(rd);
        return -EAGAIN;
    }
    *out = rd;
    return 0;
}

/* Free the slot the caller holds. */
static void release_held(fhir_reader *rd)
{
    if (!rd->held) return;
    size_t head = atomic_load_explicit(&rd->head, memory_order_relaxed);
    fhir_resource_clear(&rd->s[head % FHIR_READER_SLOTS].r);
    atomic_store(&rd->head, head + 1); /* the slot is the parser's again */
    rd->held = 0;
    if (atomic_load(&rd->parser_waits) &&
        FHIR_READER_SLOTS - (atomic_load(&rd->tail) - (head + 1)) >= WAKE_BATCH)
        wake(rd, &rd->cv_freed);
}

int fhir_reader_next(fhir_reader *rd, const fhir_resource **r, size_t *number,
                     const char **msg)
{
    release_held(rd);
    size_t head = atomic_load_explicit(&rd->head, memory_order_relaxed);
    if (head == atomic_load(&rd->tail)) { /* empty: sleep until a batch is ready or the end */
        pthread_mutex_lock(&rd->mu);
        atomic_store(&rd->caller_waits, 1);
        while (head == atomic_load(&rd->tail) && !atomic_load(&rd->done))
            pthread_cond_wait(&rd->cv_filled, &rd->mu);
        atomic_store(&rd->caller_waits, 0);
        pthread_mutex_unlock(&rd->mu);
        if (head == atomic_load(&rd->tail)) return 0; /* done, and every record handed over */
    }
    rd->held = 1;
    slot *s = &rd->s[head % FHIR_READER_SLOTS];
    *number = s->number;
    *r = s->bad ? NULL : &s->r;
    *msg = s->bad ? s->msg : NULL;
    return 1;
}

long fhir_reader_finish(fhir_reader *rd)
{
    if (!rd) return 0;
    pthread_mutex_lock(&rd->mu);
    atomic_store(&rd->stop, 1);
    pthread_cond_signal(&rd->cv_freed);
    pthread_mutex_unlock(&rd->mu);
    pthread_join(rd->th, NULL);
    size_t head = atomic_load(&rd->head), tail = atomic_load(&rd->tail);
    for (size_t i = head; i < tail; i++) /* handed over or not, each is freed */
        fhir_resource_clear(&rd->s[i % FHIR_READER_SLOTS].r);
    long n = rd->result;
    pthread_cond_destroy(&rd->cv_freed);
    pthread_cond_destroy(&rd->cv_filled);
    pthread_mutex_destroy(&rd->mu);
    free(rd);
    return n;
}
