/*
 * cclf_ahead.c: see cclf_ahead.h. One thread, a ring of RING chunk slots: the thread
 * fills the slot after the last one filled while fewer than RING are waiting, the
 * loader empties them in the same order. One mutex, two condition variables (a slot
 * filled, a slot freed).
 */
#include "cclf_ahead.h"
#include "base/base.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/feeds.h"

enum { RING = 4 };

typedef struct slot {
    size_t fi, c, n; /* which chunk, how many verdicts */
    cclf_verdict *v; /* chunk of them */
} slot;

struct cclf_ahead {
    cclf_ahead_file *f;
    size_t nf, chunk;
    slot ring[RING];
    size_t head, tail; /* taken, filled (counts; slot = count % RING) */
    int taking;        /* the loader holds ring[(head - 1) % RING] until its next take */
    int stop;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
};

/* Check the records of chunk c of file f into v; the number checked. */
static size_t check_chunk(const cclf_ahead_file *f, size_t c, size_t chunk, cclf_verdict *v)
{
    const char *p = f->buf + f->chunk_at[c], *end = f->buf + f->len;
    size_t k = 0;
    uint32_t recno = (uint32_t)(c * chunk);
    while (p < end && k < chunk) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r') n--;
        cclf_verdict *o = &v[k++];
        o->off = (uint64_t)(p - f->buf);
        o->recno = ++recno;
        if (n != f->reclen) {
            o->kind = CCLF_V_SKIP;
        } else {
            cclf_error e;
            e.test_ids = f->test_ids;
            int rc = cclf_check_record(p, f->file, o->cur_id, &e);
            o->kind = rc == 0 && e.n_warn == 0 ? CCLF_V_PUT : CCLF_V_REDO;
            o->test_id_used = (char)e.test_id_used;
        }
        p = nl ? nl + 1 : end;
    }
    return k;
}

static void *thread_main(void *arg)
{
    util_thread_name("cara-check");
    cclf_ahead *a = arg;
    for (size_t fi = 0; fi < a->nf; fi++)
        for (size_t c = 1; c < a->f[fi].n_chunks; c += 2) {
            pthread_mutex_lock(&a->mu);
            /* a free slot: fewer than RING filled and not taken, the loader's own not
             * counted as free */
            while (!a->stop && a->tail - a->head + (size_t)a->taking >= RING)
                pthread_cond_wait(&a->freed, &a->mu);
            int stop = a->stop;
            slot *s = &a->ring[a->tail % RING];
            pthread_mutex_unlock(&a->mu);
            if (stop) return NULL;
            s->fi = fi;
            s->c = c;
            s->n = check_chunk(&a->f[fi], c, a->chunk, s->v);
            pthread_mutex_lock(&a->mu);
            a->tail++;
            pthread_cond_signal(&a->filled);
            pthread_mutex_unlock(&a->mu);
        }
    return NULL;
}

/* Free a's memory; with sync, its mutex and condition variables too (made). */
static void ahead_free(cclf_ahead *a, int sync)
{
    if (sync) {
        pthread_cond_destroy(&a->freed);
        pthread_cond_destroy(&a->filled);
        pthread_mutex_destroy(&a->mu);
    }
    for (int i = 0; i < RING; i++) free(a->ring[i].v);
    free(a->f);
    free(a);
}

int cclf_ahead_start(const cclf_ahead_file *files, size_t n, size_t chunk, cclf_ahead **out)
{
    *out = NULL;
    cclf_ahead *a = calloc(1, sizeof *a);
    if (!a) return -ENOMEM;
    a->f = malloc((n ? n : 1) * sizeof *a->f);
    a->nf = n;
    a->chunk = chunk ? chunk : CCLF_AHEAD_CHUNK;
    int ok = a->f != NULL;
    for (int i = 0; i < RING && ok; i++) ok = (a->ring[i].v = malloc(a->chunk * sizeof(cclf_verdict))) != NULL;
    if (!ok) {
        ahead_free(a, 0);
        return -ENOMEM;
    }
    if (n) memcpy(a->f, files, n * sizeof *a->f);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->filled, NULL);
    pthread_cond_init(&a->freed, NULL);
    if (pthread_create(&a->th, NULL, thread_main, a) != 0) {
        ahead_free(a, 1);
        return -EAGAIN;
    }
    *out = a;
    return 0;
}

const cclf_verdict *cclf_ahead_take(cclf_ahead *a, size_t fi, size_t c, size_t *n)
{
    pthread_mutex_lock(&a->mu);
    if (a->taking) { /* the previous take's slot is free again */
        a->taking = 0;
        pthread_cond_signal(&a->freed);
    }
    while (a->head == a->tail) pthread_cond_wait(&a->filled, &a->mu);
    slot *s = &a->ring[a->head % RING];
    a->head++;
    a->taking = 1;
    pthread_mutex_unlock(&a->mu);
    if (s->fi != fi || s->c != c) return NULL;
    *n = s->n;
    return s->v;
}

void cclf_ahead_stop(cclf_ahead *a)
{
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_broadcast(&a->freed);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->th, NULL);
    ahead_free(a, 1);
}
