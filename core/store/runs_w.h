/*
 * runs_w: the writer of a run's results: run_episodes, run_leakage, run_arrangements,
 * run_components, and the runs row's end (status 'done' with its counts and inputs).
 * The engine (core/engine/engine_save.c) saves a run through it, inside its
 * transaction. Each statement is prepared once per writer, on first use, with an
 * explicit column list; every bind and step is checked.
 *
 * Errors (-EIO; the connection's sqlite3_errmsg keeps SQLite's message alone):
 *   runs_w_episode, runs_w_leak, runs_w_arrangement, runs_w_finish:
 *     "<store path>: saving <what>: <message>" when the row is refused (message "out of
 *     memory" when a bind or the step ran out of memory), "<store path>: <message>"
 *     when the statement cannot be prepared; what is the caller's name for the row.
 *   runs_w_component: "saving run components: <message>".
 */
#ifndef CARA_STORE_RUNS_W_H
#define CARA_STORE_RUNS_W_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "store_conn.h"

typedef struct runs_w runs_w;

/* A writer of run run_id's results on s; the caller owns *out (runs_w_close). 0, or
 * -ENOMEM with "out of memory" in err. */
int runs_w_open(store *s, int64_t run_id, runs_w **out, char *err, size_t errlen);
/* Finalize its statements and free it (NULL is a no-op). */
void runs_w_close(runs_w *w);

/* A run_episodes row. Text NULL stores NULL; dates 'YYYY-MM-DD' or NULL. Borrowed for
 * the call. */
typedef struct run_episode_rec {
    const char *episode_id, *person_id, *template_id, *template_version, *trigger_type;
    const char *trigger_date, *end_date;
    int died;
    const char *aco_id, *arrangement_id, *npi, *tin, *attribution_method;
    int has_target; /* 0: base_cents .. target_cents, actual_winsorized_cents and
                     * quality_met NULL */
    int64_t base_cents, trend_factor, trend_years, age_factor, hcc_count, hcc_factor,
        dual_factor, discount_bps, target_cents, actual_winsorized_cents;
    int quality_met;
    int64_t actual_cents;
    const char *status, *exclusion_reason;
    int has_risk;   /* 0: risk_score NULL */
    int64_t risk_score;
    int64_t by_setting[SETTING_N]; /* actual_cents by care setting (base/setting.h) */
    /* the trigger (migration 18); NULL / "" store NULL, trigger_line 0 stores NULL */
    const char *trigger_claim_id, *trigger_code, *trigger_dx, *trigger_npi, *trigger_tin;
    int trigger_line;
    int age;        /* -1 stores NULL */
    int dual;       /* -1 stores NULL */
} run_episode_rec;

/* A run_leakage row (key run_id, episode_id, npi, tin); person_id the episode's
 * beneficiary (NULL only in rows made before store migration 22). */
typedef struct run_leak_rec {
    const char *episode_id, *aco_id, *npi, *tin;
    int64_t lines, paid_cents;
    const char *person_id;
} run_leak_rec;

/* A run_arrangements row. */
typedef struct run_arrangement_rec {
    const char *arrangement_id;
    int period;
    const char *aco_id, *npi, *tin, *template_id, *template_version;
    int64_t episodes, target_cents, actual_cents, actual_winsorized_cents;
    int has_gross;  /* 0: gross_cents, quality_bps, quality_adjusted_cents, share_bps NULL */
    int64_t gross_cents, quality_bps, quality_adjusted_cents, share_bps;
    int64_t payment_cents;
    const char *cap_applied; /* NULL stores NULL */
    const char *status;
} run_arrangement_rec;

/* A run_components row (an existing (run_id, kind, name) is kept: INSERT OR IGNORE).
 * content and relpath NULL store NULL (a plugin has no stored file). */
typedef struct run_component_rec {
    const char *kind, *name, *version, *path, *sha256, *content, *relpath;
} run_component_rec;

/* The runs row's end. finished_at 'YYYY-MM-DDTHH:MM:SSZ'; as_of_date 'YYYY-MM-DD' or
 * NULL; replay_of 0 stores NULL; warnings a JSON array text (NULL: "[]"). */
typedef struct run_finish_rec {
    const char *finished_at, *as_of_date;
    int64_t beneficiaries, claim_lines, replay_of;
    const char *warnings;
    /* inputs' claim_lines when the run knows it (a final run read every undenied line
     * of every current claim, or carried their count), else -1: counted here */
    int64_t input_claim_lines;
    /* an incremental run: the run it built on and the beneficiaries it recomputed (0 and
     * -1 store NULL); full_reason why a run asked to be incremental ran in full (NULL) */
    int64_t base_run_id, recomputed;
    const char *full_reason;
    /* a run that stores only its own beneficiaries' rows (runs_w_own_person) and shares
     * the rest with this run, which stores all of its own (0: the run stores every row) */
    int64_t rows_base_run_id;
    /* inputs' claims (the store's current claims) when the run knows it, else -1 */
    int64_t input_claims;
} run_finish_rec;

/* A run_people row: a beneficiary the run priced, the undenied claim lines read, its
 * current claims (-1 stores NULL: unknown), whether it had no eligibility. 0 or -EIO. */
int runs_w_person(runs_w *w, const char *person_id, int64_t claim_lines, int64_t claims,
                  int no_eligibility, char *err, size_t errlen);

/* A run_own_people row: a beneficiary whose rows the run stores itself, so that its
 * rows base's rows of the beneficiary are not the run's (store migration 22). 0 or
 * -EIO. */
int runs_w_own_person(runs_w *w, const char *person_id, char *err, size_t errlen);

/* Record run run_id's change-clock value and basis digest (changes_q.h), in the
 * caller's transaction. 0 or -EIO. */
int runs_w_basis(store *s, int64_t run_id, int64_t change_seq, const char *basis, char *err,
                 size_t errlen);

/* An interim run's projections (after the rows are inserted): an episode's projected
 * final cost, low and high (v[3]); an arrangement x period's projected actual,
 * winsorized actual, payment, payment low and high (v[5]); the run's paid-through date
 * and its projection's method (JSON text). 0 or -EIO. */
int runs_w_episode_projection(runs_w *w, const char *episode_id, const int64_t v[3],
                              const char *what, char *err, size_t errlen);
int runs_w_arrangement_projection(runs_w *w, const char *arrangement_id, int period,
                                  const int64_t v[5], const char *what, char *err,
                                  size_t errlen);
int runs_w_projection(runs_w *w, const char *paid_through, const char *projection_json,
                      char *err, size_t errlen);

/* Insert one row of the run. 0 or -EIO (see above). */
int runs_w_episode(runs_w *w, const run_episode_rec *r, const char *what, char *err,
                   size_t errlen);
int runs_w_leak(runs_w *w, const run_leak_rec *r, const char *what, char *err, size_t errlen);
int runs_w_arrangement(runs_w *w, const run_arrangement_rec *r, const char *what, char *err,
                       size_t errlen);
int runs_w_component(runs_w *w, const run_component_rec *r, char *err, size_t errlen);

/* Mark the run done: status 'done', r's fields, and inputs, a JSON object of what the
 * store held (loads, last_load_id, current claims, their undenied claim_lines,
 * eligibility_rows, arrangements, replay_of, warnings); with rows_base_run_id, that run
 * joins the run's run_sources (its rows of the beneficiaries not in run_own_people are
 * the run's). 0 or -EIO (what "the run"). */
int runs_w_finish(runs_w *w, const run_finish_rec *r, char *err, size_t errlen);

/* Insert a runs row with status 'running' (its own statement; the caller's transaction):
 * started_at 'YYYY-MM-DDTHH:MM:SSZ', period 0 / template_filter NULL / replay_of 0 store
 * NULL. *run_id is its run_id. 0, or -EIO with "<store path>: <message>". */
int runs_w_start(store *s, const char *started_at, int period, const char *template_filter,
                 const char *episodes_dir, int64_t replay_of, int64_t *run_id, char *err,
                 size_t errlen);

/* Store a file run run_id read: its bytes (contents, deduplicated by sha256: content_put)
 * and its run_files row (relpath, sha256), in the caller's transaction. 0, or -EIO with
 * content_put's message, "saving run files: <message>" (the statement cannot be
 * prepared) or "saving <relpath>: <message>". */
int runs_w_file(store *s, int64_t run_id, const char *relpath, const char *sha256,
                const void *bytes, size_t len, char *err, size_t errlen);

/* Mark run run_id failed with message msg (the error path: nothing is reported; a run
 * that cannot be marked stays 'running' until its lease is reaped). */
void runs_w_fail(store *s, int64_t run_id, const char *msg);

#endif
