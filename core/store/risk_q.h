/*
 * risk_q: the reads of the prospective risk list (`cara risk-list`, GET /v1/risk-list;
 * core/engine/risk_list.h): who can be scored, which run says who is in an open episode,
 * and those open episodes. Dates are ISO text ("YYYY-MM-DD") as the store keeps them.
 * Every function returns a negative errno with err set to SQLite's message on a store
 * error.
 */
#ifndef CARA_RISK_Q_H
#define CARA_RISK_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* Every person with an eligibility row, in person_id order (claims or not): fn(person_id,
 * ud) per person (borrowed for the call; never NULL). fn returns 0 to go on or a
 * negative errno to stop (returned). 0 when done, or -EIO. */
int risk_q_persons(store *s, int (*fn)(const char *person_id, void *ud), void *ud, char *err,
                   size_t errlen);

/* The run whose episodes say who is in an open episode of template template_id: the
 * latest run (highest run_id) with status 'done', not abandoned, whose template filter is
 * NULL or template_id. 1 with *run_id, 0 when there is none (*run_id 0), or -EIO. */
int risk_q_latest_run(store *s, const char *template_id, int64_t *run_id, char *err,
                      size_t errlen);

/* 1 when run run_id exists with status 'done' and is not abandoned, 0 when not, -EIO. */
int risk_q_run_done(store *s, int64_t run_id, char *err, size_t errlen);

/* The persons of run run_id with a non-excluded episode of a template of family family
 * (template_id = family, or an overlay whose template_id is in overlays, a NULL-ended
 * array; NULL: none) whose window [trigger_date, end_date] contains as_of (ISO), in
 * person_id order, each once: fn(person_id, ud). 0, fn's negative value, or -EIO. */
int risk_q_open_episodes(store *s, int64_t run_id, const char *family,
                         const char *const *overlays, const char *as_of,
                         int (*fn)(const char *person_id, void *ud), void *ud, char *err,
                         size_t errlen);

/* The same for the ADT feed's open provisional episodes (provisional_episodes, status
 * 'provisional': an admission that opened an episode no run has confirmed yet) whose
 * window [day0, end_date] contains as_of. */
int risk_q_open_provisional(store *s, const char *family, const char *const *overlays,
                            const char *as_of, int (*fn)(const char *person_id, void *ud),
                            void *ud, char *err, size_t errlen);

#endif
