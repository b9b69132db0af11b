/*
 * audit: the one way a row reaches audit_log (migration 4: append-only, its triggers
 * refuse UPDATE and DELETE). Every change cara records (loads, participation, EBRAs,
 * tokens, template rollbacks, reads of beneficiary data) goes through audit_append.
 */
#ifndef CARA_STORE_AUDIT_H
#define CARA_STORE_AUDIT_H

#include <stddef.h>

#include "store_conn.h"

/* One audit_log row. Text is borrowed for the call. */
typedef struct audit_row {
    const char *at;        /* when (UTC "YYYY-MM-DDTHH:MM:SSZ"); NULL: now (audit_now) */
    const char *actor;     /* who (required) */
    const char *action;    /* e.g. "ebra.offer", "load", "phi.read" (required) */
    const char *entity;    /* e.g. "aco", "ebra", "token", a file kind (required) */
    const char *entity_id; /* NULL is stored as "" */
    const char *effective; /* the date the change takes effect; NULL is stored as NULL */
    const char *before;    /* JSON of the row before; NULL is stored as NULL */
    const char *after;     /* JSON of the row after; NULL is stored as NULL */
} audit_row;

/* The current time as audit_log.at writes it: "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void audit_now(char out[32]);

/*
 * Append r to audit_log (columns at, actor, action, entity, entity_id, effective, before,
 * after; seq is assigned). Runs inside the caller's transaction, if any. Returns 0, or
 * -EINVAL when actor, action or entity is NULL (err names the missing field), or -EIO with
 * the store's message alone in err (callers say what was being audited); the connection's
 * sqlite3_errmsg holds the same message.
 */
int audit_append(store *s, const audit_row *r, char *err, size_t errlen);

#endif
