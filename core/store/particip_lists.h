/*
 * particip_lists: the participation listings `cara aco|tin|provider|ebra list`, `cara ebra
 * history` and the service's network and EBRA pages share: one query each, with explicit
 * columns, run through store_rows (named, typed cells) or into JSON.
 *
 * Each list takes its text parameters in binds (NULL: not filtered), in the order its
 * enum value says. Returns the number of rows, the row function's negative value,
 * -ENOMEM, or -EIO with SQLite's message in err.
 */
#ifndef CARA_STORE_PARTICIP_LISTS_H
#define CARA_STORE_PARTICIP_LISTS_H

#include <jansson.h>
#include <stddef.h>

#include "store_conn.h"
#include "store_rows.h"

typedef enum particip_list_kind {
    /* acos: aco_id, name, track, first_year, last_year, tins, active_ebras. No binds. */
    PARTICIP_LIST_ACOS,
    /* aco_tins: aco_id, tin, start_date, end_date, by aco_id and tin; binds {aco, as_of}
     * (as_of: the TINs participating on that date). */
    PARTICIP_LIST_TINS,
    /* providers: npi, tin, name, specialty_code, active_ebras. No binds. */
    PARTICIP_LIST_PROVIDERS,
    /* arrangements: arrangement_id, aco_id, npi, tin, template_id, start_date, end_date,
     * status and the five terms in basis points; binds {aco, npi, template, status,
     * as_of} (as_of: accepted EBRAs in force on that date). */
    PARTICIP_LIST_EBRAS,
    /* audit_log rows of one EBRA: seq, at, actor, action, effective, before, after;
     * binds {arrangement_id}. */
    PARTICIP_LIST_EBRA_HISTORY,
    /* The Preferred Providers of an ACO on a date: npi, tin, name, specialty_code,
     * arrangement_id, template_id, start_date, end_date, status of every accepted EBRA
     * (active, ended, terminated) in force on the date, by npi, tin, arrangement_id;
     * binds {aco, date}. */
    PARTICIP_LIST_PREFERRED,
    PARTICIP_LIST_N
} particip_list_kind;

/* The number of binds list k takes. */
int particip_list_binds(particip_list_kind k);

/* Run list k with binds (particip_list_binds(k) of them) and call fn with the header,
 * then once per row (store_rows). */
int particip_list(store *s, particip_list_kind k, const char *const *binds, store_row_fn fn,
                  void *ud, char *err, size_t errlen);

/* List k as a JSON array of objects (store_rows_json); *out is the caller's. 0 or as
 * store_rows_json. */
int particip_list_json(store *s, particip_list_kind k, const char *const *binds, json_t **out,
                       char *err, size_t errlen);

#endif
