/*
 * particip_q: the reads that check a participation row against what is stored (the
 * rules of particip.h, for rows loaded in bulk: arrangements.csv and participants.csv):
 * an ACO exists, its track and years, a registered Preferred Provider, an EBRA of the
 * same provider and template that overlaps, a participant TIN of another ACO that
 * overlaps. Each statement is prepared once, by particip_q_open, with an explicit column
 * list; the calls run in the caller's transaction, so rows written earlier in it count.
 *
 * Errors: -EIO with err = SQLite's message alone (sqlite3_errmsg of the failed call), so
 * a loader reports it as it reports a writer's refusal. Text handed out by a call is
 * owned by q and valid until the next call on q.
 */
#ifndef CARA_STORE_PARTICIP_Q_H
#define CARA_STORE_PARTICIP_Q_H

#include <stddef.h>

#include "store_conn.h"

typedef struct particip_q particip_q;

/* Prepare the reads on s; the caller owns *out (particip_q_close). 0, -ENOMEM, or -EIO
 * (a statement the store refused). */
int particip_q_open(store *s, particip_q **out, char *err, size_t errlen);

/* Finalize the statements and free q (NULL is a no-op). */
void particip_q_close(particip_q *q);

/* *found = 1 when ACO aco_id is stored, else 0. 0 or -EIO. */
int particip_q_aco(particip_q *q, const char *aco_id, int *found, char *err, size_t errlen);

/* An ACO's track and performance years, with the tracks CARA arrangements are open to
 * (settings 'eligible_tracks', a comma-separated list; 'global' when unset). */
typedef struct particip_aco {
    const char *track;    /* owned by q */
    const char *eligible; /* owned by q */
    int first_year, last_year;
} particip_aco;

/* *found = 1 and *out filled when ACO aco_id is stored, else *found = 0. 0 or -EIO. */
int particip_q_aco_terms(particip_q *q, const char *aco_id, int *found, particip_aco *out,
                         char *err, size_t errlen);

/* *found = 1 when provider npi/tin is registered (providers), else 0. 0 or -EIO. */
int particip_q_provider(particip_q *q, const char *npi, const char *tin, int *found, char *err,
                        size_t errlen);

/* An EBRA that holds the provider for the template over overlapping dates. */
typedef struct particip_ebra {
    const char *arrangement_id, *aco_id, *start_date, *end_date; /* end "open"; owned by q */
} particip_ebra;

/* An offered, active, ended or terminated EBRA other than arrangement_id with provider
 * npi and template_id whose dates overlap start_date..end_date (end_date NULL: open).
 * *found = 1 and *out filled for the first such, else *found = 0. 0 or -EIO. */
int particip_q_ebra_overlap(particip_q *q, const char *npi, const char *template_id,
                            const char *arrangement_id, const char *start_date,
                            const char *end_date, int *found, particip_ebra *out, char *err,
                            size_t errlen);

/* The ACO other than aco_id that has tin as a participant over dates overlapping
 * start_date..end_date (end_date NULL: open): *other (owned by q) is its id, or NULL when
 * there is none. 0 or -EIO. */
int particip_q_tin_overlap(particip_q *q, const char *tin, const char *aco_id,
                           const char *start_date, const char *end_date, const char **other,
                           char *err, size_t errlen);

#endif
