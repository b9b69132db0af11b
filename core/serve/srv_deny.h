/*
 * srv_deny: the audit of refused requests (docs/security.md "Refused requests").
 *
 * Every 403, and every 401 whose bearer token is well formed but unknown or revoked, is
 * an audit_log row: action 'api.denied', actor as srv_audit writes it ("aco:A1 (token
 * ID)", "anonymous (token ID)" for a revoked token, "anonymous (token -)" for an unknown
 * one), entity the route's resource ("reports" for /v1/reports/episode), entity_id the
 * path, after = {"method", "path", "role", "reason", "status"}.
 *
 * So that refused requests cannot fill the disk, the rows are rate-limited per key (the
 * token id, or "anonymous" for every unknown token): at most SRV_DENY_PER_MINUTE rows
 * per key per minute (UTC minute of the clock), then one summary row ("limited": true)
 * for that minute, then nothing until the next minute, whose first row carries
 * "suppressed": how many refusals of that key went unrecorded. The limiter keeps
 * SRV_DENY_KEYS keys; keys beyond that share one overflow key ("*").
 */
#ifndef CARA_SRV_DENY_H
#define CARA_SRV_DENY_H

#include <stdint.h>

#include "srv.h"

#define SRV_DENY_PER_MINUTE 20
#define SRV_DENY_KEYS 256

typedef struct srv_deny_slot {
    char key[24];        /* "" when free */
    int64_t minute;      /* the minute (seconds / 60) the counts are for */
    unsigned count;      /* refusals of this key in that minute */
    unsigned suppressed; /* not recorded in that minute (after the summary) */
} srv_deny_slot;

/* The limiter's state: zero-initialized is empty. Not thread-safe (the caller locks). */
typedef struct srv_deny_limit {
    srv_deny_slot slot[SRV_DENY_KEYS];
} srv_deny_limit;

enum srv_deny_decision { SRV_DENY_DROP, SRV_DENY_WRITE, SRV_DENY_SUMMARY };

/*
 * Count one refusal of key (NULL or "" = "anonymous") at now (seconds since the epoch)
 * and decide: SRV_DENY_WRITE for the first SRV_DENY_PER_MINUTE of a minute,
 * SRV_DENY_SUMMARY for the next, SRV_DENY_DROP after that. *suppressed (may be NULL) is
 * set, for a WRITE that starts a new minute, to the number of the key's refusals
 * dropped in its previous minute, else 0. Pure apart from l.
 */
int srv_deny_admit(srv_deny_limit *l, const char *key, int64_t now, unsigned *suppressed);

/*
 * Write the audit row for a refused request (rq: method, path, role; its db is not
 * used) through db, as decision says (SRV_DENY_DROP writes nothing). reason is the
 * message the client got (never a secret). Returns 0 or -EIO.
 */
int srv_deny_audit(store *db, const srv_req *rq, int status, const char *reason, int decision,
                   unsigned suppressed);

/* The resource of a path, for the audit row's entity: "/v1/reports/episode" ->
 * "reports"; the first segment when there is no "v1"; "" for "/". Into buf. */
void srv_deny_resource(const char *path, char *buf, size_t len);

#endif
