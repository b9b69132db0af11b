/*
 * fhir_reader.c: see fhir_reader.h. A ring of slots under one mutex: the parser thread
 * moves each resource into the slot at tail (fhir_resource_move: no copy of its lines),
 * the caller reads the slot at head and frees it at its next call. Each side sleeps only
 * when the ring is full (the parser) or empty (the caller), and is woken when half the
 * ring is ready for it (or at the end).
 */
#include "fhir_reader.h"

#include <errno.h>
#include <pthread.h>
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
    size_t head, tail;  /* slots [head, tail) are filled; the caller holds head when held */
    int held;
    int done, stop;
    int caller_waits, parser_waits;
    long result;
    slot s[FHIR_READER_SLOTS];
};

static int take(void *ud, fhir_resource *r, size_t number, const char *msg)
{
    fhir_reader *rd = ud;
    pthread_mutex_lock(&rd->mu);
    while (rd->tail - rd->head >= FHIR_READER_SLOTS && !rd->stop) { /* full */
        rd->parser_waits = 1;
        pthread_cond_wait(&rd->cv_freed, &rd->mu);
    }
    rd->parser_waits = 0;
    int stop = rd->stop;
    pthread_mutex_unlock(&rd->mu);
    if (stop) return 1;
    /* the slot at tail is the parser's: the caller reads only below tail */
    slot *s = &rd->s[rd->tail % FHIR_READER_SLOTS];
    s->number = number;
    s->bad = r == NULL;
    if (r) fhir_resource_move(&s->r, r);
    else snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "");
    pthread_mutex_lock(&rd->mu);
    rd->tail++;
    if (rd->caller_waits && rd->tail - rd->head >= WAKE_BATCH) pthread_cond_signal(&rd->cv_filled);
    pthread_mutex_unlock(&rd->mu);
    return 0;
}

static void *parse_main(void *arg)
{
    util_thread_name("cara-parse");
    fhir_reader *rd = arg;
    long n = fhir_each_mapped_take(rd->buf, rd->len, take, rd);
    pthread_mutex_lock(&rd->mu);
    rd->result = n;
    rd->done = 1;
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

/* Free the slot the caller holds (under mu). */
static void release_held(fhir_reader *rd)
{
    if (!rd->held) return;
    fhir_resource_clear(&rd->s[rd->head % FHIR_READER_SLOTS].r);
    rd->head++;
    rd->held = 0;
    if (rd->parser_waits && FHIR_READER_SLOTS - (rd->tail - rd->head) >= WAKE_BATCH)
        pthread_cond_signal(&rd->cv_freed);
}

int fhir_reader_next(fhir_reader *rd, const fhir_resource **r, size_t *number,
                     const char **msg)
{
    pthread_mutex_lock(&rd->mu);
    release_held(rd);
    while (rd->head == rd->tail && !rd->done) {
        rd->caller_waits = 1;
        pthread_cond_wait(&rd->cv_filled, &rd->mu);
    }
    rd->caller_waits = 0;
    if (rd->head == rd->tail) { /* done, and every record handed over */
        pthread_mutex_unlock(&rd->mu);
        return 0;
    }
    rd->held = 1;
    slot *s = &rd->s[rd->head % FHIR_READER_SLOTS];
    pthread_mutex_unlock(&rd->mu);
    *number = s->number;
    *r = s->bad ? NULL : &s->r;
    *msg = s->bad ? s->msg : NULL;
    return 1;
}

long fhir_reader_finish(fhir_reader *rd)
{
    if (!rd) return 0;
    pthread_mutex_lock(&rd->mu);
    rd->stop = 1;
    pthread_cond_signal(&rd->cv_freed);
    pthread_mutex_unlock(&rd->mu);
    pthread_join(rd->th, NULL);
    for (size_t i = rd->head; i < rd->tail; i++) /* handed over or not, each is freed */
        fhir_resource_clear(&rd->s[i % FHIR_READER_SLOTS].r);
    long n = rd->result;
    pthread_cond_destroy(&rd->cv_freed);
    pthread_cond_destroy(&rd->cv_filled);
    pthread_mutex_destroy(&rd->mu);
    free(rd);
    return n;
}
