/*
 * work_ahead.c: see work_ahead.h. One mutex, one condition variable: the batch in hand
 * (NULL when none) and a stop flag; the thread waits for a batch, runs fn outside the
 * lock, clears it and signals.
 */
#include "work_ahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct work_ahead {
    work_ahead_fn fn;
    void *ud;
    void *batch; /* given, not yet done */
    int stop;
    int threaded;  /* 0: fn runs on the caller's thread (no thread could be started) */
    char name[16];
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *thread_main(void *arg)
{
    work_ahead *w = arg;
    util_thread_name(w->name);
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->batch && !w->stop) pthread_cond_wait(&w->cv, &w->mu);
        if (!w->batch) break; /* stopped with nothing in hand */
        void *b = w->batch;
        pthread_mutex_unlock(&w->mu);
        w->fn(b, w->ud);
        pthread_mutex_lock(&w->mu);
        w->batch = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int work_ahead_start(work_ahead_fn fn, void *ud, const char *name, work_ahead **out)
{
    *out = NULL;
    work_ahead *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->fn = fn;
    w->ud = ud;
    util_strlcpy(w->name, name ? name : "cara-ahead", sizeof w->name);
    if (pthread_mutex_init(&w->mu, NULL) == 0) {
        if (pthread_cond_init(&w->cv, NULL) == 0) {
            if (pthread_create(&w->th, NULL, thread_main, w) == 0) w->threaded = 1;
            else pthread_cond_destroy(&w->cv);
        }
        if (!w->threaded) pthread_mutex_destroy(&w->mu);
    }
    *out = w;
    return 0;
}

int work_ahead_threaded(const work_ahead *w) { return w->threaded; }

void work_ahead_wait(work_ahead *w)
{
    if (!w->threaded) return;
    pthread_mutex_lock(&w->mu);
    while (w->batch) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void work_ahead_give(work_ahead *w, void *batch)
{
    if (!w->threaded) {
        w->fn(batch, w->ud);
        return;
    }
    pthread_mutex_lock(&w->mu);
    while (w->batch) pthread_cond_wait(&w->cv, &w->mu);
    w->batch = batch;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void work_ahead_stop(work_ahead *w)
{
    if (!w) return;
    if (w->threaded) {
        pthread_mutex_lock(&w->mu);
        while (w->batch) pthread_cond_wait(&w->cv, &w->mu);
        w->stop = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->th, NULL);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
    }
    free(w);
}
