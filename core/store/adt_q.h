/*
 * adt_q: the reads of the hospital ADT feed for the API and the CLI (docs/adt.md):
 * care tasks (with their effective status), provisional episodes (with their cost to
 * date), unmatched visits, refused messages, the feed's counts, and a run's precision
 * and recall; and the step of a claims-based run that confirms, changes or drops the
 * provisional episodes (adt_q_confirm_run). Results are JSON arrays of row objects
 * (store_rows_json), owned by the caller. Errors: -EIO with SQLite's message, -ENOMEM.
 */
#ifndef CARA_STORE_ADT_Q_H
#define CARA_STORE_ADT_Q_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* Filters of the lists; NULL: any. today (ISO date) decides "missed". */
typedef struct adt_filter {
    const char *npi, *aco, *person, *status, *template_id;
    int64_t after;             /* task_id / provisional_id greater than this */
    int64_t limit;             /* rows at most (1..1000) */
    const char *today;
} adt_filter;

/*
 * Care tasks, by task_id. status of a row: its stored status when done or cancelled;
 * "done" when a claim line of the beneficiary with one of its done_codes starts between
 * the event date and the due date (done_by "claims"); "missed" when open past its due
 * date; else "open". assignee: "specialist" (npi set) or "care_team".
 */
int adt_q_tasks(store *s, const adt_filter *f, json_t **out, char *err, size_t errlen);

/* Mark task task_id done by who (within scope: npi / aco, NULL for any). 1 when it was
 * open, 0 when not found in scope or not open (*status then holds its status, "" when
 * not found). */
int adt_q_task_done(store *s, int64_t task_id, const char *npi, const char *aco,
                    const char *who, char *status, size_t statuslen, char *err, size_t errlen);

/* Provisional episodes, by provisional_id, with cost_to_date_cents (the paid amounts of
 * the beneficiary's claims starting from day 0 to the end date), the visit and the
 * number of tasks. */
int adt_q_provisional(store *s, const adt_filter *f, json_t **out, char *err, size_t errlen);

/* Visits whose patient matched no beneficiary, latest first (limit). */
int adt_q_unmatched(store *s, int64_t limit, json_t **out, char *err, size_t errlen);

/* Refused messages, latest first (limit), without their raw text. */
int adt_q_rejects(store *s, int64_t limit, json_t **out, char *err, size_t errlen);

/* The feed's counts: {"messages", "rejects", "visits", "unmatched_visits",
 * "provisional": {status: n}, "tasks": {status: n}, "first_event", "last_event"}. */
int adt_q_status(store *s, const char *today, json_t **out, char *err, size_t errlen);

/* The precision and recall rows of run run_id (run_adt_feed), one per template, with
 * precision_bps = confirmed / (confirmed + changed + dropped) and recall_bps =
 * with_event / claim_episodes, in basis points rounded half up (null when the divisor is
 * 0). */
int adt_q_run_feed(store *s, int64_t run_id, json_t **out, char *err, size_t errlen);

/* One event trigger, as the confirmation step needs it. */
typedef struct adt_confirm_trigger {
    const char *trigger_id, *trigger_type;
} adt_confirm_trigger;

/* The counts of one template's confirmation. */
typedef struct adt_confirm_counts {
    int64_t confirmed, changed, dropped, pending, claim_episodes, with_event;
} adt_confirm_counts;

/*
 * After run run_id (in the caller's transaction): decide the provisional episodes of
 * base template base_id (cancelled ones stay) against the run's episodes of the
 * templates of run_templates (a JSON array: base_id and its overlays): the episode of the same beneficiary whose
 * trigger date is from the day before day 0 through day 0 + confirm_days, the earliest:
 * "confirmed" when its trigger type and date are the provisional episode's, else
 * "changed"; none and the data's as-of date (as_of, ISO) is past day 0 + confirm_days:
 * "dropped"; else it stays "provisional". Then store the run's row of run_adt_feed for
 * base_id: the counts, and of the run's episodes of the trigger types the triggers
 * predict whose trigger date is within the feed's dates, how many matched one (recall).
 */
int adt_q_confirm_run(store *s, int64_t run_id, const char *base_id, const char *run_templates,
                      const adt_confirm_trigger *trig, size_t n_trig, const char *as_of,
                      adt_confirm_counts *out, char *err, size_t errlen);

#endif
