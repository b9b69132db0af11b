/*
 * results_clock: the store's count of changes to what a run's results are read with
 * (schema 23): the runs and what they share (runs, run_sources, run_arrangements,
 * run_components) and the reference tables the reports join (arrangements, providers,
 * acos, loads), counted by triggers. A done run's episode rows are written before it is
 * done and never after, so while the count stands, an answer computed from a done run
 * is still the answer. Readers that keep answers (the HTTP API, srv_cache.h) key them
 * with it.
 */
#ifndef CARA_STORE_RESULTS_CLOCK_H
#define CARA_STORE_RESULTS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

typedef struct store store;

/* The count into *out. 0, or -EIO with err (SQLite's message). */
int results_clock(store *s, int64_t *out, char *err, size_t errlen);

#endif
