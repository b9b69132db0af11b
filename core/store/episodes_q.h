/*
 * episodes_q: the reads beside a run's episode that GET /v1/episodes/:id answers with
 * (the beneficiary's claims and lines in the episode's window, the episode's leakage
 * rows). The episode rows themselves are the episode report's (engine/report.h).
 *
 * Explicit column lists (no SELECT *): the answer's keys are the columns named here,
 * in this order, whatever a later migration adds to `claims` or `claim_lines`.
 * Values keep SQLite's types (integer, text, null) as JSON.
 */
#ifndef CARA_EPISODES_Q_H
#define CARA_EPISODES_Q_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/*
 * The current claims of person with a line that is not denied and whose service date
 * (institutional claims: admission, else claim start; others: line start, else claim
 * start; as bene.c places lines in windows) falls in [from, to] (ISO dates), by claim
 * start then claim id; each claim object has "lines": those lines (by line number),
 * each with its "service_date". On success *out is a new JSON array owned by the
 * caller; returns 0, or -EIO / -ENOMEM with err (SQLite's message).
 */
int episodes_q_claims(store *s, const char *person, const char *from, const char *to,
                      json_t **out, char *err, size_t errlen);

/*
 * The spending of episode episode_id in run run_id by care setting: a new JSON object
 * {inpatient_cents, snf_cents, home_health_cents, outpatient_cents, professional_cents,
 * dme_cents, hospice_cents, other_cents} (null values for a run made before schema 11),
 * or NULL in *out when the run has no such episode. 0, or -EIO / -ENOMEM with err.
 */
int episodes_q_spend(store *s, int64_t run_id, const char *episode_id, json_t **out,
                     char *err, size_t errlen);

/*
 * The leakage rows of episode episode_id in run run_id (aco_id, npi, tin, lines,
 * paid_cents), by paid_cents descending then npi, tin. *out: a new JSON array owned by
 * the caller. 0, or -EIO / -ENOMEM with err.
 */
int episodes_q_leakage(store *s, int64_t run_id, const char *episode_id, json_t **out,
                       char *err, size_t errlen);

#endif
