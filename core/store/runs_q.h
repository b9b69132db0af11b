/*
 * runs_q: the reads of table `runs` (and `run_components`) that the CLI (`cara runs`,
 * `cara report`, `cara diff`) and the service (GET /v1/runs, the reports' ?run=) share.
 *
 * Every query names its columns (no SELECT *): a migration that adds a column to
 * `runs` changes no answer until a reader here asks for it. Rows are handed to a
 * callback as typed structs whose strings are borrowed for the duration of the call.
 * Every function returns a negative errno with err set to SQLite's message (exactly
 * sqlite3_errmsg, so callers can keep their message formats) on a store error.
 */
#ifndef CARA_RUNS_Q_H
#define CARA_RUNS_Q_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* runs_q_list / runs_q_get flags */
#define RUNS_Q_NEWEST_FIRST 0x1 /* ORDER BY run_id DESC (default: ascending) */
#define RUNS_Q_COUNTS       0x2 /* fill n_episodes and n_arrangements (two subqueries) */

/* One row of `runs`. Strings are borrowed (valid during the callback only); NULL
 * where the column is NULL. lease_pid and lease_host are never read (internal). */
typedef struct runs_q_row {
    int64_t run_id;
    const char *started_at;
    const char *finished_at;     /* NULL while running */
    const char *status;          /* shown status: "abandoned" when abandoned_at is set */
    int has_period;              /* 0: period is NULL (every performance year) */
    int64_t period;
    const char *template_filter; /* NULL: every template */
    const char *episodes_dir;
    const char *as_of_date;      /* NULL when the data had no service date */
    int64_t beneficiaries;
    int64_t claim_lines;
    const char *inputs;          /* JSON text, as stored */
    const char *message;         /* NULL */
    int has_replay_of;           /* 0: replay_of is NULL */
    int64_t replay_of;
    const char *heartbeat_at;    /* NULL */
    const char *abandoned_at;    /* NULL unless the run was abandoned (run_lease.h) */
    int64_t base_run_id;         /* an incremental run's base; 0 for a full run */
    int has_recomputed;          /* 0: recomputed is NULL (a full run) */
    int64_t recomputed;          /* the beneficiaries an incremental run recomputed */
    /* a run that shares the rows of the run rows_base_run_id (0: it stores every row)
     * stores those of stored_beneficiaries beneficiaries itself */
    int64_t rows_base_run_id, stored_beneficiaries;
    const char *full_reason;     /* NULL; why a run asked to be incremental was full */
    int64_t n_episodes;          /* RUNS_Q_COUNTS only, else 0 */
    int64_t n_arrangements;      /* RUNS_Q_COUNTS only, else 0 */
} runs_q_row;

/* A row callback: 0 to go on, a negative errno to stop (runs_q_* then returns it). */
typedef int (*runs_q_fn)(const runs_q_row *row, void *ud);

/*
 * Call fn for each run of s in run_id order (flags above), at most limit rows (limit
 * <= 0: all). Returns the number of rows seen, fn's negative value, or -EIO (err).
 */
int runs_q_list(store *s, int flags, int64_t limit, runs_q_fn fn, void *ud, char *err,
                size_t errlen);

/* Call fn for run run_id if it exists. Returns 1 (found), 0 (no such run), fn's
 * negative value, or -EIO (err). */
int runs_q_get(store *s, int64_t run_id, int flags, runs_q_fn fn, void *ud, char *err,
               size_t errlen);

/*
 * The API's JSON object of a run (GET /v1/runs, /v1/runs/:id): every column of the
 * row in table order except the internal lease_pid and lease_host, with SQLite's
 * types (integers, strings, null) and "status" the shown status. New reference (NULL
 * on out of memory); a string that is not valid UTF-8 becomes null.
 */
json_t *runs_q_row_json(const runs_q_row *row);

/* A run's stored status: raw `runs.status` (not the shown one) and message. */
typedef struct runs_q_status {
    int64_t run_id;
    char status[16];  /* "running", "done" or "failed" */
    char *message;    /* malloc'ed; "" when NULL; free with runs_q_status_free */
} runs_q_status;

/* Fill out with run run_id's status. 1 found, 0 no such run (out->message NULL), -EIO
 * or -ENOMEM (err). */
int runs_q_status_of(store *s, int64_t run_id, runs_q_status *out, char *err, size_t errlen);

/* Free out->message (the struct itself is the caller's). */
void runs_q_status_free(runs_q_status *out);

/* The latest run with status 'done' into *run_id. 1 found, 0 none, -EIO (err). */
int runs_q_latest_done(store *s, int64_t *run_id, char *err, size_t errlen);

/* One row of `run_components` (borrowed strings, valid during the callback). */
typedef struct runs_q_component {
    const char *kind;    /* plugin, template, rule, table */
    const char *name;
    const char *version;
    const char *path;
    const char *sha256;
} runs_q_component;

typedef int (*runs_q_component_fn)(const runs_q_component *c, void *ud);

/* Call fn for each component run run_id recorded, by kind then name. Returns the
 * number of rows, fn's negative value, or -EIO (err). */
int runs_q_components(store *s, int64_t run_id, runs_q_component_fn fn, void *ud, char *err,
                      size_t errlen);

#endif
