/*
 * run_record_q: what the store recorded about a past run, for the engine's replay and
 * its version checks (core/engine/replay.c, run_manifest.c): the run's parameters
 * (runs), the files it read with their bytes (run_files + contents), the components it
 * used (run_components), and a row-for-row comparison of two runs' results.
 *
 * Errors: -EIO with SQLite's message alone in err unless a function says otherwise.
 */
#ifndef CARA_STORE_RUN_RECORD_Q_H
#define CARA_STORE_RUN_RECORD_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* Run run_id's status (copied into status, statuslen bytes), period (NULL: 0) and
 * template_filter (*only_template a copy the caller frees, NULL for NULL). 1, 0 when
 * there is no such run, -ENOMEM ("out of memory"), or -EIO. */
int run_record_q_params(store *s, int64_t run_id, char *status, size_t statuslen, int *period,
                        char **only_template, char *err, size_t errlen);

/* One file of a run: relpath and sha256 as stored (never NULL: '' for NULL); bytes and
 * len its stored content (content_get), or bytes NULL with content_err content_get's
 * message when it could not be read (content_rc its code). Borrowed for the call. */
typedef struct run_file_row {
    const char *relpath, *sha256;
    const char *bytes;
    size_t len;
    int content_rc;
    const char *content_err;
} run_file_row;

/* Call fn for each file run run_id read, by relpath; fn returns 0 to go on or a negative
 * code to stop. 0, fn's negative value, -EBADF when the query cannot be prepared (no row
 * read), or -EIO when a step failed (fn may have seen rows before); err SQLite's message. */
int run_record_q_files(store *s, int64_t run_id, int (*fn)(const run_file_row *f, void *ud),
                       void *ud, char *err, size_t errlen);

/* The latest run that recorded component (kind, name, version) (when against is not 0:
 * run against only) into *run_id with its sha256 copied into sha (65 bytes; a stored NULL
 * gives 0). 1 found, 0 none, or -EIO. */
int run_record_q_component(store *s, const char *kind, const char *name, const char *version,
                           int64_t against, int64_t *run_id, char sha[65], char *err,
                           size_t errlen);

/* Call fn(name, version, sha256, ud) for each plugin run run_id used, by name (text never
 * NULL: '' for NULL). 0, fn's negative value, or -EIO. */
int run_record_q_plugins(store *s, int64_t run_id,
                         int (*fn)(const char *name, const char *version, const char *sha256,
                                   void *ud),
                         void *ud, char *err, size_t errlen);

/* Runs a and b compared on one result table: its rows of each, and the rows of one that
 * the other does not have (every column but run_id, as sets). */
typedef struct run_table_cmp {
    int64_t rows_a, rows_b, only_a, only_b;
} run_table_cmp;

/* Compare runs a and b on the n result tables named in tables (names of the store's run_*
 * tables, not user input) into out[0..n-1], and *data_changed to 1 when their inputs
 * (but replay_of and warnings) differ. 0, or -EIO with "comparing runs A and B: <message>". */
int run_record_q_compare(store *s, int64_t a, int64_t b, const char *const *tables, int n,
                         run_table_cmp *out, int *data_changed, char *err, size_t errlen);

/* An episode a run stored, for `POST /rules/try` (core/serve/srv_api_rules.c). Text
 * truncated to its buffer; NULL as "". price in the order of RUN_PRICE_FIELDS. */
#define RUN_PRICE_FIELDS "hcc_count", "base_cents", "trend_factor", "trend_years", \
    "age_factor", "hcc_factor", "dual_factor", "discount_bps", "target_cents", "quality_met"
#define RUN_N_PRICE 10
typedef struct run_stored_episode {
    char person_id[80], template_id[96], aco_id[32], npi[16], arrangement_id[128];
    char attribution_method[24], status[12], exclusion_reason[128];
    int32_t trigger_date;            /* day number (store_col_date) */
    int64_t price[RUN_N_PRICE];
    int has_price[RUN_N_PRICE];      /* 0: the column is NULL */
} run_stored_episode;

/* Episode episode_id of run run_id into *out (zeroed first). 1 found, 0 none, or -EIO. */
int run_record_q_episode(store *s, int64_t run_id, const char *episode_id,
                         run_stored_episode *out, char *err, size_t errlen);

#endif
