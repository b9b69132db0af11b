/*
 * ebras_q: the service's reads of arrangements (EBRAs), providers and an EBRA's audit
 * history (GET /v1/ebras, /v1/ebras/:id/history, /v1/providers, the template list's
 * provider scope). Explicit columns; rows as JSON objects with SQLite's types
 * (store_rows_json). Every function returns 0 (or 1/0 where it says), or a negative
 * errno with err set to SQLite's message.
 */
#ifndef CARA_EBRAS_Q_H
#define CARA_EBRAS_Q_H

#include <jansson.h>
#include <stddef.h>

#include "store_conn.h"

/* The EBRAs matching the filters (NULL = any) by arrangement_id, each with
 * arrangement_id, aco_id, npi, tin, template_id, start_date, end_date, status,
 * discount_bps, savings_share_bps, loss_share_bps, stop_gain_bps, stop_loss_bps. *out:
 * a new array owned by the caller. */
int ebras_q_list(store *s, const char *aco, const char *npi, const char *status,
                 const char *template_id, json_t **out, char *err, size_t errlen);

/* EBRA id's object (the columns above) into *out (new reference): 1 found, 0 none (*out
 * NULL), negative on error. */
int ebras_q_get(store *s, const char *id, json_t **out, char *err, size_t errlen);

/* EBRA id's audit_log rows (seq, at, actor, action, effective, before, after; before and
 * after as stored text) by seq. *out: a new array owned by the caller. */
int ebras_q_history(store *s, const char *id, json_t **out, char *err, size_t errlen);

/* The providers (npi, tin, name, specialty_code) by npi, tin: those of NPI npi when
 * given, and when aco is given those in one of its EBRAs or billing under one of its
 * TINs. *out: a new array owned by the caller. */
int ebras_q_providers(store *s, const char *aco, const char *npi, json_t **out, char *err,
                      size_t errlen);

/* 1 when NPI npi has an EBRA with ACO aco, 0 when not, negative on error. */
int ebras_q_npi_in_aco(store *s, const char *npi, const char *aco, char *err, size_t errlen);

#endif
