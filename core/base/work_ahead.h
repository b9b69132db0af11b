/*
 * work_ahead: one helper thread that works on the next batch while its caller uses the
 * one before. The caller gives a batch (work_ahead_give), goes on with its own work,
 * and waits for it (work_ahead_wait) before it reads the batch's results; the thread
 * runs fn(batch, ud) on each batch given, one at a time, in the order given. With two
 * batches the caller fills one while the thread works on the other (the CCLF loader's
 * Part B records are converted this way while it stores the claims before them:
 * core/load/load_cclf.c).
 *
 * Ownership: a batch given belongs to the thread until work_ahead_wait returns; fn must
 * touch nothing else the caller uses meanwhile (ud is shared: read-only). The caller
 * owns the handle (work_ahead_stop). One thread calls give, wait and stop.
 */
#ifndef CARA_WORK_AHEAD_H
#define CARA_WORK_AHEAD_H

typedef struct work_ahead work_ahead;

typedef void (*work_ahead_fn)(void *batch, void *ud);

/* Start the thread, named name (at most 15 characters: util_thread_name). 0 with *out
 * set, or -ENOMEM (*out NULL). When no thread can be started the handle works on the
 * caller's thread: work_ahead_give runs fn there (work_ahead_threaded says which). */
int work_ahead_start(work_ahead_fn fn, void *ud, const char *name, work_ahead **out);

/* 1 when w has its thread, 0 when fn runs on the caller's. */
int work_ahead_threaded(const work_ahead *w);

/* Give batch to the thread. A batch given before and not yet waited for is waited for
 * first (one batch in the thread's hands at a time). Without a thread, runs fn(batch,
 * ud) here and returns when it is done. */
void work_ahead_give(work_ahead *w, void *batch);

/* Wait until the batch given last is done (at once when there is none). */
void work_ahead_wait(work_ahead *w);

/* Wait for the batch in hand, stop the thread and free w. NULL is a no-op. */
void work_ahead_stop(work_ahead *w);

#endif
