/*
 * run_inputs_q: what a run reads from the reference tables before it prices: the
 * arrangements it prices against (arrangements, with their ACO's track and the
 * provider's specialty), the participant TINs (aco_tins), the data's as-of date and the
 * people with current claims. The engine (core/engine/engine_arrs.c, engine_run.c)
 * reads them through these calls; the rows come in a fixed order.
 *
 * Each reader calls fn once per row with the row borrowed for the call; fn returns 0 to
 * go on or a negative errno to stop. Returns 0, fn's negative value, or -EIO with
 * SQLite's message in err (fn may have seen rows before the failure).
 */
#ifndef CARA_STORE_RUN_INPUTS_Q_H
#define CARA_STORE_RUN_INPUTS_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* Negotiated terms of an arrangement, in run_arrangement_row.terms order. */
enum { RUN_TERM_DISCOUNT, RUN_TERM_SAVINGS_SHARE, RUN_TERM_LOSS_SHARE, RUN_TERM_STOP_GAIN,
       RUN_TERM_STOP_LOSS, RUN_N_TERMS };

/* An arrangement that is or was in force (status active, ended or terminated). Text is
 * never NULL ('' for NULL); track is acos.track or '', specialty providers.specialty_code
 * (of the arrangement's NPI and TIN) or ''; start/end day numbers (store_col_date:
 * CARA_DATE_NONE for NULL). */
typedef struct run_arrangement_row {
    const char *arrangement_id, *aco_id, *npi, *tin, *template_id, *track, *specialty;
    int32_t start, end;
    int64_t terms[RUN_N_TERMS];
    unsigned has_terms; /* bit i set when terms[i] is not NULL */
} run_arrangement_row;

typedef int (*run_arrangement_fn)(const run_arrangement_row *r, void *ud);

/* The arrangements in force, by arrangement_id. */
int run_inputs_q_arrangements(store *s, run_arrangement_fn fn, void *ud, char *err,
                              size_t errlen);

/* A participant TIN row (aco_id and tin never NULL). */
typedef struct run_tin_row {
    const char *aco_id, *tin;
    int32_t start, end;
} run_tin_row;

typedef int (*run_tin_fn)(const run_tin_row *r, void *ud);

/* The aco_tins rows, by tin, start_date, aco_id. */
int run_inputs_q_tins(store *s, run_tin_fn fn, void *ud, char *err, size_t errlen);

/* The latest claim_end_date of the current claims into *d (CARA_DATE_NONE when there
 * are none). 0, or -EIO with SQLite's message. */
int run_inputs_q_as_of(store *s, int32_t *d, char *err, size_t errlen);

/* The number of distinct persons with current claims, or -EIO with SQLite's message. */
int64_t run_inputs_q_people(store *s, char *err, size_t errlen);

/* A sample of the person_ids of current claims, for splitting a run into shards without
 * a pass over the claims: the person of the first current claim at or after each of k
 * evenly spaced rowids of claims (every claim when there are at most k), sorted, repeats
 * kept (a person with many claims is drawn often: the sample weighs persons by claims).
 * The same store gives the same sample. *out (owned by the caller: free each id and the
 * array; NULL when *n is 0) and *n. 0, -ENOMEM ("out of memory") or -EIO with SQLite's
 * message. */
int run_inputs_q_person_sample(store *s, size_t k, char ***out, size_t *n, char *err,
                               size_t errlen);

/* The statement of each point: one seek by rowid ("+status": never the status index,
 * which would make each point a pass over it). For tests of its plan. */
#define RUN_INPUTS_SAMPLE_SQL \
    "SELECT rowid, person_id FROM claims WHERE rowid >= ?1 AND +status = 'current' " \
    "ORDER BY rowid LIMIT 1"

/* Free what run_inputs_q_person_sample gave. */
void run_inputs_q_sample_free(char **ids, size_t n);

#endif
