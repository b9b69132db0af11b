/*
 * changes_q: the store's change clock and the beneficiaries changed since a value
 * (migration 21), and the runs an incremental run can build on (docs/monthly.md,
 * "Incremental runs").
 *
 * Every run ticks the clock as it starts and records the value before the tick as its
 * change_seq; the triggers of migration 21 stamp person_changes with the clock's value
 * whenever a claim, an eligibility span or an alignment row of a beneficiary is
 * written (inserted, deleted, or updated in a column a run reads). So the
 * beneficiaries whose data may differ from what run B read are those stamped after B's
 * change_seq. Calls run on the caller's connection; changes_q_tick inside the caller's
 * write transaction.
 *
 * Errors: -EIO with SQLite's message in err.
 */
#ifndef CARA_STORE_CHANGES_Q_H
#define CARA_STORE_CHANGES_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* Advance the clock; *was is its value before (what a run records as change_seq). */
int changes_q_tick(store *s, int64_t *was, char *err, size_t errlen);

/* What an incremental run needs to know of a candidate base run. Strings owned
 * (changes_q_run_free). */
typedef struct changes_run {
    int64_t run_id;
    char *status;           /* running, done, failed */
    int interim;            /* an interim run (paid_through_date set) */
    int has_seq;            /* 0: made before migration 21 (no change_seq) */
    int64_t change_seq;
    char *basis;            /* NULL when not recorded */
    int period;             /* 0: every year */
    char *template_filter;  /* NULL: every template */
    int64_t rows_base;      /* runs.rows_base_run_id (0: the run stores every row) */
} changes_run;

/* Run run_id into *out: 1 found, 0 no such run, or -EIO. */
int changes_q_run(store *s, int64_t run_id, changes_run *out, char *err, size_t errlen);

/* The latest done, final (not interim) run made with the change clock, with this period
 * (0: every year) and template filter (NULL: every template): 1 with its id in *run_id,
 * 0 when there is none, or -EIO. */
int changes_q_latest(store *s, int period, const char *template_filter, int64_t *run_id,
                     char *err, size_t errlen);

void changes_q_run_free(changes_run *r);

/* Every beneficiary stamped after since, in person_id order, with whether it has
 * current claims now (those an incremental run built on a run with change_seq since
 * recomputes; the others it neither carries nor reads): fn returns 0 to go on or a
 * negative errno to stop. 0, fn's value, or -EIO. */
int changes_q_changed(store *s, int64_t since,
                      int (*fn)(const char *person_id, int has_claims, void *ud), void *ud,
                      char *err, size_t errlen);

#endif
