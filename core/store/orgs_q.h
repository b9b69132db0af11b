/*
 * orgs_q: the lookups a participation change makes (core/engine/particip.c: cara aco,
 * tin, provider, ebra and the service's same calls) on acos, aco_tins, providers,
 * arrangements and settings, each one query with explicit columns, and the JSON of an
 * entity's row for its audit entry. Also the ACO lookup the service's aco: role and an
 * overlay's aco_id check make (orgs_q_aco_known).
 *
 * Every call: 0 with *out a copy of the first column of the first row (the caller
 * frees it), NULL when there is no row or the value is NULL; -ENOMEM with "out of
 * memory" in err; or -EIO with SQLite's message in err. Parameters are borrowed.
 */
#ifndef CARA_STORE_ORGS_Q_H
#define CARA_STORE_ORGS_Q_H

#include <stddef.h>

#include "store_conn.h"

/* acos: aco_id (to test that it exists), track, "first_year,last_year". */
int orgs_q_aco_id(store *s, const char *aco, char **out, char *err, size_t errlen);
int orgs_q_aco_track(store *s, const char *aco, char **out, char *err, size_t errlen);
int orgs_q_aco_years(store *s, const char *aco, char **out, char *err, size_t errlen);

/* settings: the value of key. */
int orgs_q_setting(store *s, const char *key, char **out, char *err, size_t errlen);

/* aco_tins: "ACO from START" of a participation of tin overlapping [start, end] (end
 * NULL: open); the start_date of aco's open participation of tin. */
int orgs_q_tin_clash(store *s, const char *tin, const char *start, const char *end, char **out,
                     char *err, size_t errlen);
int orgs_q_tin_open_start(store *s, const char *aco, const char *tin, char **out, char *err,
                          size_t errlen);

/* providers: the name of (npi, tin). */
int orgs_q_provider_name(store *s, const char *npi, const char *tin, char **out, char *err,
                         size_t errlen);

/* arrangements: one field of EBRA id. */
int orgs_q_ebra_status(store *s, const char *id, char **out, char *err, size_t errlen);
int orgs_q_ebra_start(store *s, const char *id, char **out, char *err, size_t errlen);
int orgs_q_ebra_end(store *s, const char *id, char **out, char *err, size_t errlen);

/*
 * The first (by start_date) offered, active, ended or terminated EBRA of npi, other than
 * id, on a template of family (a JSON array of template ids) whose dates overlap [start,
 * end] (end NULL: open), as "ID with ACO A (START to END|open, STATUS)", then " on
 * TEMPLATE" when its template is not template_id, then "*" when its ACO is not aco.
 */
int orgs_q_ebra_overlap(store *s, const char *npi, const char *family, const char *id,
                        const char *start, const char *end, const char *aco,
                        const char *template_id, char **out, char *err, size_t errlen);

/* An entity's row as a JSON object (the audit log's before/after): an EBRA (every
 * column), an ACO, an ACO's latest participation of a TIN, a provider. */
int orgs_q_ebra_json(store *s, const char *id, char **out, char *err, size_t errlen);
int orgs_q_aco_json(store *s, const char *aco, char **out, char *err, size_t errlen);
int orgs_q_tin_json(store *s, const char *aco, const char *tin, char **out, char *err,
                    size_t errlen);
int orgs_q_provider_json(store *s, const char *npi, const char *tin, char **out, char *err,
                         size_t errlen);

/*
 * Whether ACO aco_id is stored in s: *found (may be NULL) is 1 when it is, else 0;
 * *total (may be NULL) is how many ACOs s holds. 0, or -EIO with err =
 * "<store path>: <SQLite's message>" (then *found and *total are 0).
 */
int orgs_q_aco_known(store *s, const char *aco_id, int *found, int *total, char *err,
                     size_t errlen);

#endif
