/*
 * run_carry_q: what an incremental run carries over from the run it builds on: that
 * run's episodes, leakage and people rows of the beneficiaries not stamped in
 * person_changes after a change-clock value (changes_q.h), read back into the records
 * the run writer takes (runs_w.h), so that writing them again stores the same rows.
 *
 * Each reader calls fn once per row, the row borrowed for the call; fn returns 0 to go
 * on or a negative errno to stop. Returns 0, fn's value, or -EIO with SQLite's message.
 */
#ifndef CARA_STORE_RUN_CARRY_Q_H
#define CARA_STORE_RUN_CARRY_Q_H

#include <stddef.h>
#include <stdint.h>

#include "runs_w.h"
#include "store_conn.h"

/* Run run_id's episodes, in no set order. has_target is set when target_cents is stored, has_risk when
 * risk_score is; a NULL age or dual reads -1, a NULL trigger line 0, other NULL text
 * NULL (by_setting NULL reads 0). */
int run_carry_q_episodes(store *s, int64_t run_id,
                         int (*fn)(const run_episode_rec *r, void *ud), void *ud, char *err,
                         size_t errlen);

/* Its leakage rows, in no set order. */
int run_carry_q_leakage(store *s, int64_t run_id,
                        int (*fn)(const run_leak_rec *r, void *ud), void *ud, char *err,
                        size_t errlen);

/* Its run_people rows in person_id order (claims -1 when not recorded): a run reads its
 * carried beneficiaries back in that order without sorting them (people_log.h). */
int run_carry_q_people(store *s, int64_t run_id,
                       int (*fn)(const char *person_id, int64_t claim_lines, int64_t claims,
                                 int no_eligibility, void *ud),
                       void *ud, char *err, size_t errlen);

/* The beneficiaries whose rows run run_id stores itself when it shares the rest with
 * its rows base (run_own_people; none for a run that stores every row), in person_id
 * order. */
int run_carry_q_own(store *s, int64_t run_id, int (*fn)(const char *person_id, void *ud),
                    void *ud, char *err, size_t errlen);

#endif
