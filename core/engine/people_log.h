/*
 * people_log: the beneficiaries a run priced or carried, on disk while it runs
 * (docs/performance.md, "Memory per episode").
 *
 * A run needs its beneficiaries (their ids, the claim lines and claims read, whether they
 * had eligibility) only after the shards: for the counts, the duplicate check, the
 * warning about beneficiaries without eligibility and the run_people rows. So each shard
 * appends them here as it goes, and the run reads them back in person order through a
 * people_merge of its logs: memory no longer grows with the number of beneficiaries.
 * The file is an unnamed temporary file in the store's folder (ep_spill_unnamed), gone
 * when the process exits.
 *
 * One log is written by one thread; its adds come before its reads. A log whose ids were
 * added in strictly ascending order (strcmp) is read as it is; a merge of logs of which
 * one is not reads them all into memory and sorts them (the old way, for a carry whose
 * rows came out of order).
 */
#ifndef CARA_PEOPLE_LOG_H
#define CARA_PEOPLE_LOG_H

#include <stddef.h>
#include <stdint.h>

/* A beneficiary as a run keeps it (run_people): borrowed from the log or merge that
 * returned it, until its next call. */
typedef struct person_rec {
    const char *person_id;
    int64_t lines;          /* the undenied claim lines read */
    int64_t claims;         /* its current claims; -1: unknown (carried from a run made
                             * before store migration 22) */
    int no_elig;            /* it had no eligibility */
} person_rec;

typedef struct people_log people_log;

/* A new, empty log in folder dir (NULL or "": $TMPDIR, else /tmp) into *out. 0, or a
 * negative code with err (the folder and the reason). */
int people_log_open(people_log **out, const char *dir, char *err, size_t errlen);

/* Append a beneficiary (person_id copied; at most PEOPLE_LOG_ID_MAX bytes). 0, or a
 * negative code with err (-E2BIG for a longer id, -EINVAL once a merge read the log,
 * -ENOSPC and the like from the disk). */
#define PEOPLE_LOG_ID_MAX 1024
int people_log_add(people_log *l, const person_rec *p, char *err, size_t errlen);

/* The beneficiaries added, and the bytes they take on disk. */
size_t people_log_count(const people_log *l);
int64_t people_log_bytes(const people_log *l);

/* Close and free (the file goes with it). NULL is a no-op. */
void people_log_close(people_log *l);

/*
 * The beneficiaries of logs v[0..n) (borrowed, each read from its start) in person order,
 * one at a time: a merge of the logs when each is in order, else all of them read into
 * memory and sorted (stable: equal ids in log order). Ids that appear in two logs, or
 * twice in one, come out one after the other (the caller's duplicate check).
 */
typedef struct people_merge people_merge;

/* 0 with *out, or a negative code with err (out of memory; a log that cannot be read). */
int people_merge_open(people_log *const *v, size_t n, people_merge **out, char *err,
                      size_t errlen);
/* 1 with *p (borrowed until the next call), 0 at the end, or a negative code with err (a
 * short or damaged log: -EIO). */
int people_merge_next(people_merge *m, person_rec *p, char *err, size_t errlen);
void people_merge_close(people_merge *m);

#endif
