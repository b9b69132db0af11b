/*
 * diffs_w: the diffs of two runs, kept once computed (table run_diffs, migration 16). A
 * finished run's rows never change, so the rows of `GET /v1/runs/:a/diff/:b` (engine
 * run_diff.h) are computed on the first request for a pair and read back after that.
 * A row goes with its runs (ON DELETE CASCADE).
 */
#ifndef CARA_STORE_DIFFS_W_H
#define CARA_STORE_DIFFS_W_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* The stored rows of the diff of runs a and b (a JSON array as text, *out malloc'ed,
 * the caller frees) and their attribution row count into *attribution: 1 when stored,
 * 0 when not (*out NULL), -ENOMEM or -EIO with err. */
int diffs_w_get(store *s, int64_t a, int64_t b, char **out, int *attribution, char *err,
                size_t errlen);

/* Keep rows (a JSON array as text) as the diff of runs a and b, with its attribution row
 * count; an existing row for the pair is replaced. 0 or -EIO with err. */
int diffs_w_put(store *s, int64_t a, int64_t b, const char *rows, int attribution, char *err,
                size_t errlen);

#endif
