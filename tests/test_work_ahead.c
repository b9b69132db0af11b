/*
 * tests/test_work_ahead.c: the helper thread of core/base/work_ahead.h: batches done
 * in the order given, one at a time, on a thread of its own; the caller's own work
 * overlaps the thread's; a stop with a batch in hand waits for it.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "base/work_ahead.h"
#include "suites.h"

typedef struct batch {
    int in[64];
    int out[64];
    int n;
    int seq;             /* the order the thread did it in */
    pthread_t by;        /* the thread that did it */
} batch;

typedef struct shared {
    atomic_int done;     /* batches done so far */
    atomic_int busy;     /* batches in the thread's hands at once (must stay <= 1) */
    atomic_int max_busy;
    int sleep_us;
} shared;

static void square(void *b_, void *ud)
{
    batch *b = b_;
    shared *sh = ud;
    int now = atomic_fetch_add(&sh->busy, 1) + 1;
    if (now > atomic_load(&sh->max_busy)) atomic_store(&sh->max_busy, now);
    if (sh->sleep_us) usleep((useconds_t)sh->sleep_us);
    for (int i = 0; i < b->n; i++) b->out[i] = b->in[i] * b->in[i];
    b->by = pthread_self();
    b->seq = atomic_fetch_add(&sh->done, 1);
    atomic_fetch_sub(&sh->busy, 1);
}

/* Two batches alternated as the CCLF loader does: fill one while the thread squares the
 * other. Every batch done once, in order, on the helper thread, never two at once. */
START_TEST(test_alternate)
{
    shared sh = {.sleep_us = 200};
    work_ahead *w;
    ck_assert_int_eq(work_ahead_start(square, &sh, "cara-test", &w), 0);
    ck_assert_int_eq(work_ahead_threaded(w), 1);
    batch b[2];
    memset(b, 0, sizeof b);
    int next = 0, checked = 0, cur = 0;
    b[0].n = 64;
    for (int i = 0; i < 64; i++) b[0].in[i] = next++;
    work_ahead_give(w, &b[0]);
    for (int round = 0; round < 20; round++) {
        batch *fill = &b[1 - cur], *take = &b[cur];
        fill->n = 64; /* while the thread squares take */
        for (int i = 0; i < 64; i++) fill->in[i] = next++;
        work_ahead_wait(w);
        ck_assert_int_eq(take->seq, round);
        ck_assert(!pthread_equal(take->by, pthread_self()));
        work_ahead_give(w, fill);
        for (int i = 0; i < 64; i++) {
            ck_assert_int_eq(take->out[i], take->in[i] * take->in[i]);
            ck_assert_int_eq(take->in[i], checked++); /* in the order given */
        }
        cur = 1 - cur;
    }
    work_ahead_stop(w); /* the last one given is in hand: waited for */
    ck_assert_int_eq(atomic_load(&sh.done), 21);
    ck_assert_int_eq(b[cur].seq, 20);
    ck_assert_int_eq(b[cur].out[63], b[cur].in[63] * b[cur].in[63]);
    ck_assert_int_eq(atomic_load(&sh.max_busy), 1);
}
END_TEST

/* A give while a batch is in hand waits for it first; a wait with none in hand returns
 * at once; a stop with none in hand, too. */
START_TEST(test_give_waits)
{
    shared sh = {.sleep_us = 5000};
    work_ahead *w;
    ck_assert_int_eq(work_ahead_start(square, &sh, NULL, &w), 0);
    work_ahead_wait(w); /* nothing given */
    batch a = {.n = 1, .in = {3}}, b = {.n = 1, .in = {4}};
    work_ahead_give(w, &a);
    work_ahead_give(w, &b); /* a done before b is taken */
    ck_assert_int_ge(atomic_load(&sh.done), 1);
    ck_assert_int_eq(a.out[0], 9);
    work_ahead_wait(w);
    ck_assert_int_eq(b.out[0], 16);
    ck_assert_int_eq(b.seq, 1);
    work_ahead_stop(w);
    work_ahead_stop(NULL);
    ck_assert_int_eq(atomic_load(&sh.max_busy), 1);
}
END_TEST

Suite *suite_work_ahead(void)
{
    Suite *s = suite_create("work_ahead");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_alternate);
    tcase_add_test(tc, test_give_waits);
    suite_add_tcase(s, tc);
    return s;
}
