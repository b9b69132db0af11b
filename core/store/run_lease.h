/*
 * run_lease: a running run's lease, so that a run whose process died (kill -9, a crash,
 * a power cut) is not shown as `running` forever.
 *
 * A run holds a lease on its `runs` row (migration 10): the process id, the host name
 * and a heartbeat time that a background thread renews every RUN_LEASE_BEAT_S seconds
 * while the run works. At the start of `cara run`, `cara runs` and `cara serve`,
 * run_lease_reap marks every `running` run whose lease is stale as abandoned: status
 * 'failed' (the CHECK of `runs.status` cannot change without rebuilding the table),
 * `abandoned_at` set, a message saying whose process stopped. Readers show such a run's
 * status as "abandoned" (run_lease_status_sql, run_lease_json_rows). A lease is stale
 * when its process is not alive on this host, or its heartbeat (for rows without one:
 * started_at) is older than RUN_LEASE_STALE_S seconds. docs/security.md, "Runs".
 */
#ifndef CARA_RUN_LEASE_H
#define CARA_RUN_LEASE_H

#include <jansson.h>
#include <stdint.h>

#include "store_conn.h"

#define RUN_LEASE_BEAT_S 5   /* heartbeat period */
#define RUN_LEASE_STALE_S 60 /* a heartbeat older than this is stale, wherever the run is */

/* The SQL expression of a run's shown status over a `runs` row aliased `alias` (e.g.
 * "r"): "abandoned" when abandoned_at is set, else status. Static. */
#define RUN_LEASE_STATUS_SQL(alias) \
    "CASE WHEN " alias ".abandoned_at IS NOT NULL THEN 'abandoned' ELSE " alias ".status END"

typedef struct run_lease run_lease;

/*
 * Write this process's lease on run_id (pid, host, heartbeat now) through s and start
 * the heartbeat thread, which opens its own connection to store_path(s) and renews the
 * heartbeat every RUN_LEASE_BEAT_S seconds (a busy database just skips a beat). On
 * success *out is owned by the caller (run_lease_stop). 0, or -errno with err set
 * (the run can proceed without a lease; the caller decides).
 */
int run_lease_start(store *s, int64_t run_id, run_lease **out, char *err, size_t errlen);

/* Stop the heartbeat thread and free the lease (NULL is fine). The row's lease columns
 * stay as they were: a finished run's status says it is no longer running. */
void run_lease_stop(run_lease *l);

/*
 * Mark every stale `running` run of s as abandoned (see above) and set *n (may be
 * NULL) to how many. `who` names the command ("cara runs") in the message. 0, or -EIO
 * with err naming the SQLite error.
 */
int run_lease_reap(store *s, const char *who, int *n, char *err, size_t errlen);

/*
 * Rows of `runs` as JSON objects (store_rows_json): set "status" to "abandoned" where
 * "abandoned_at" is not null and remove the internal "lease_pid" and "lease_host".
 * rows may be NULL or not an array (nothing is done).
 */
void run_lease_json_rows(json_t *rows);

#endif
