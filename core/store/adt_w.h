/*
 * adt_w: the store side of the hospital ADT feed (migration 17; docs/adt.md): messages
 * taken (one row per sender and MSH-10: a resend is found, not stored again), messages
 * refused (AE/AR), visits (one per sending facility and PV1-19), provisional episodes
 * (one per visit, template and event trigger) and their care-coordination tasks.
 *
 * An adt_w holds its statements prepared once on one connection (the MLLP writer's, or
 * a test's); every call runs in the caller's transaction. Errors: -EIO with SQLite's
 * message in err; -ENOMEM. Text handed out (adt_visit_row, adt_prov_row strings) is
 * copied into the rows' own buffers.
 */
#ifndef CARA_STORE_ADT_W_H
#define CARA_STORE_ADT_W_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

typedef struct adt_w adt_w;

int adt_w_open(store *s, adt_w **out, char *err, size_t errlen);
void adt_w_close(adt_w *w);

/* The message already taken from sender with control_id: 1 with *message_id, or 0. */
int adt_w_seen(adt_w *w, const char *sender, const char *control_id, int64_t *message_id,
               char *err, size_t errlen);

/* The beneficiary an MBI names: the MBI through the crosswalk (mbi_xwalk: a previous MBI
 * to its current one), when that MBI has an enrollment row. 1 with person (at least 16
 * bytes), 0 when unknown. */
int adt_w_person_for_mbi(adt_w *w, const char *mbi, char *person, size_t len, char *err,
                         size_t errlen);

/* A message taken (AA). outcome: what it did, for the listing. 0 with *message_id. */
typedef struct adt_message_row {
    int64_t message_id;               /* 0: the next one (adt_w_next_message_id) */
    const char *sender, *control_id, *event, *event_time, *mbi, *person_id; /* NULL ok */
    int64_t visit_id;                 /* 0: none */
    const char *outcome, *raw;
    size_t raw_len;
} adt_message_row;
int adt_w_message_put(adt_w *w, const adt_message_row *m, int64_t *message_id, char *err,
                      size_t errlen);
/* The id the next message will get (the caller's write transaction keeps it free). */
int adt_w_next_message_id(adt_w *w, int64_t *id, char *err, size_t errlen);

/* A message refused (AE or AR), with the first 64 KiB of it. */
int adt_w_reject(adt_w *w, const char *sender, const char *control_id, const char *ack_code,
                 const char *error_code, const char *location, const char *message,
                 const char *raw, size_t raw_len, char *err, size_t errlen);

/* A visit as stored. Times ISO ("" when absent). */
typedef struct adt_visit_row {
    int64_t visit_id;                 /* 0: new */
    char facility[128], visit_number[64], mbi[16], person_id[32], unmatched_reason[160],
        mrn[64], patient_class[4], admit_time[20], discharge_time[20], disposition[8],
        attending_npi[11], diagnoses[600], status[12];
    int64_t first_message, last_message;
} adt_visit_row;

/* The visit of facility and visit_number: 1 with *out, 0 when none. */
int adt_w_visit_get(adt_w *w, const char *facility, const char *visit_number,
                    adt_visit_row *out, char *err, size_t errlen);
/* Insert (visit_id 0: sets it) or update the visit. */
int adt_w_visit_put(adt_w *w, adt_visit_row *v, char *err, size_t errlen);

/* A provisional episode. */
typedef struct adt_prov_row {
    int64_t provisional_id;           /* 0: new */
    int64_t visit_id;
    char template_id[64], trigger_id[64], trigger_type[16], person_id[32], aco_id[32],
        day0[11], end_date[11], arrangement_id[64], npi[11], tin[10], method[16],
        status[12], status_reason[160];
    int confirm_days;
    int has_target;
    int64_t target_cents;
    int64_t message_id;
} adt_prov_row;

/* The provisional episode of (visit, template, trigger): 1 with *out, or 0. */
int adt_w_prov_get(adt_w *w, int64_t visit_id, const char *template_id, const char *trigger_id,
                   adt_prov_row *out, char *err, size_t errlen);
/* Insert (provisional_id 0: sets it) or update every field but opened_at. */
int adt_w_prov_put(adt_w *w, adt_prov_row *p, char *err, size_t errlen);

/* A care task of a provisional episode: inserted, or (the same provisional episode and
 * kind) reopened with these fields when it was cancelled; an open or done task stays. */
typedef struct adt_task_row {
    int64_t provisional_id;
    const char *kind, *description, *person_id, *aco_id, *arrangement_id, *npi, *tin; /* NULL ok */
    const char *event, *event_date, *due_date, *done_codes;
} adt_task_row;
/* *created = 1 when a task was inserted or reopened. */
int adt_w_task_put(adt_w *w, const adt_task_row *t, int *created, char *err, size_t errlen);
/* Cancel the open tasks of a provisional episode. *n = how many. */
int adt_w_tasks_cancel(adt_w *w, int64_t provisional_id, int *n, char *err, size_t errlen);

/* A40: every visit, message, provisional episode and task of prior_mbi now belongs to
 * mbi (and person, "" when unmatched). *n = the visits moved. */
int adt_w_merge(adt_w *w, const char *prior_mbi, const char *mbi, const char *person, int *n,
                char *err, size_t errlen);

/* The visits of an MBI that are still unmatched, matched now to person (an MBI whose
 * enrollment arrived after its events). *n = how many. */
int adt_w_rematch(adt_w *w, const char *mbi, const char *person, int *n, char *err,
                  size_t errlen);

/* The largest task_id (0 when none): the feed's cursor. */
int adt_w_last_task(adt_w *w, int64_t *task_id, char *err, size_t errlen);

/* Cancel the provisional episodes of a visit still provisional (trigger_id NULL: every
 * one; else that trigger's) with reason, and their open tasks. *n = episodes cancelled. */
int adt_w_prov_cancel(adt_w *w, int64_t visit_id, const char *trigger_id, const char *reason,
                      int *n, char *err, size_t errlen);

/* Cancel the provisional episodes of person from template's trigger trigger_id whose day
 * 0 is in [from, to] (ISO dates), still provisional, with reason, and their open tasks
 * (an inpatient admission after an ED visit: not "treated and released"). */
int adt_w_prov_cancel_between(adt_w *w, const char *person, const char *template_id,
                              const char *trigger_id, const char *from, const char *to,
                              const char *reason, int *n, char *err, size_t errlen);

/* The provisional episode of person and template (provisional or confirmed, of a visit
 * other than visit_id) whose window covers day0: 1 with *id, or 0 (one open episode per
 * beneficiary and template). */
int adt_w_prov_covering(adt_w *w, const char *person, const char *template_id, const char *day0,
                        int64_t visit_id, int64_t *id, char *err, size_t errlen);

#endif
