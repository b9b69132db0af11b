/*
 * ep_spill: a run's episode records on disk while it runs (docs/performance.md, "Memory
 * per episode").
 *
 * A run keeps in memory only what winsorization, reconciliation and the incremental
 * plan read of each episode (ep_hot, engine_internal.h); the rest of the record, with its
 * leakage rows, is appended here as the episode is priced and read back by its place
 * (ep_spill_put's `at`) when the run saves, in the order the save wants. The file is
 * unnamed (O_TMPFILE, else created and unlinked at once) in the store's folder: it is
 * gone when the process exits, however it exits, and it takes the disk the store
 * budgets for, not /tmp (often memory).
 *
 * One spill is written by one thread; all its puts come before its reads.
 */
#ifndef CARA_EP_SPILL_H
#define CARA_EP_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ep_rec;
struct leak_rec;
typedef struct ep_spill ep_spill;

/* A new, empty spill in folder dir (NULL or "": $TMPDIR, else /tmp) into *out. 0, or a
 * negative errno-style code with the folder and the reason in err. */
int ep_spill_open(ep_spill **out, const char *dir, char *err, size_t errlen);

/* Append episode r (every field; its pointers are not kept) with its n leakage rows
 * (each row's episode_id is r's and is not written); *at (may be NULL) gets where the
 * record starts, for ep_spill_read. 0, or a negative code with err (the disk full:
 * -ENOSPC). */
int ep_spill_put(ep_spill *s, const struct ep_rec *r, const struct leak_rec *leaks, size_t n,
                 int64_t *at, char *err, size_t errlen);

/* The record put at `at`: fills *r (its strings: episode_id, person_id, aco_id,
 * exclusion, trigger_claim; tmpl, arr, status and carried_status are left NULL for the
 * caller to set) and *leaks (n of them, episode_id set to r's), all borrowed from s until
 * the next call. Reads go through a window of the file, so records read in the order
 * they were put, with gaps (a template's episodes among the others'), cost a read per
 * window, not per record; a run's save sweeps each file once per template and pass. 0, or a
 * negative code with err (a place that is no record's, a short or damaged file: -EIO).
 * The first call ends the puts. */
int ep_spill_read(ep_spill *s, int64_t at, struct ep_rec *r, struct leak_rec **leaks,
                  size_t *n, char *err, size_t errlen);

/* The records put and the bytes they take on disk. */
size_t ep_spill_count(const ep_spill *s);
int64_t ep_spill_bytes(const ep_spill *s);

/* Close and free (the file goes with it). NULL is a no-op. */
void ep_spill_close(ep_spill *s);

/* An unnamed file (O_TMPFILE, else created and unlinked at once) in folder dir (NULL or
 * "": $TMPDIR, else /tmp), open for writing and reading, into *out (the caller's, to
 * fclose). 0, or a negative code with err naming what the run keeps there ("its
 * episodes"), the folder and the reason. */
int ep_spill_unnamed(const char *dir, const char *what, FILE **out, char *err, size_t errlen);

/* dir, or when it is NULL or "" $TMPDIR, else "/tmp". */
const char *ep_spill_default_dir(const char *dir);

/* The folder of path's file ("." for a bare name; NULL for ":memory:" or "", i.e. no
 * folder of its own). malloc'ed; *oom set when the copy failed. */
char *ep_spill_dir_of(const char *path, int *oom);

#endif
