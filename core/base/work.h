/*
 * work: run independent jobs on the libuv thread pool and wait for all of them.
 *
 * Used where the CLI has several independent, blocking jobs (rule files to check,
 * beneficiary shards to build): each job runs on a pool thread; the results are left
 * in the items by the job itself, so the caller reads them in item order afterwards
 * and output is deterministic whatever the scheduling. Jobs must not share mutable
 * state; a Lua state, for instance, belongs to the one job that created it.
 */
#ifndef CARA_WORK_H
#define CARA_WORK_H

#include <stddef.h>

/* A job: process items[index] (item points at it). */
typedef void (*work_fn)(void *item, size_t index, void *ud);

/*
 * Run fn over n items of item_size bytes starting at items, on a private libuv loop
 * using the default thread pool (UV_THREADPOOL_SIZE, default 4), and return when all
 * are done. Returns 0 or a negative libuv error code (jobs not started then are run
 * on the calling thread, so every item is always processed).
 */
int work_run(void *items, size_t item_size, size_t n, work_fn fn, void *ud);

#endif
