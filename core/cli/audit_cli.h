/*
 * audit_cli: the audit-log rows the command line appends when it prints beneficiary
 * data (person ids, MBIs, claims): action 'phi.read' in audit_log (migration 4,
 * append-only; docs/participation.md "Audit log").
 *
 * A command that prints such data opens the audit connection first (audit_cli_open):
 * when the store cannot be written the command refuses before it reads anything, so a
 * read is never shown without being recorded. After printing, it appends one row with
 * who asked, the command and its filters and how many rows it printed (never the data).
 */
#ifndef CARA_AUDIT_CLI_H
#define CARA_AUDIT_CLI_H

#include <jansson.h>
#include <stddef.h>

#include "store/store.h"

/* The actor recorded for a command: as (its --as WHO) when given and not empty, else
 * $USER, else "cli". Borrowed (as, the environment or a literal). */
const char *audit_cli_actor(const char *as);

/*
 * Open the store at path read-write for the audit row (never creating it). Returns 0
 * with *out owned by the caller (store_close); -ENOENT when there is no database at
 * path, -EROFS when the store is read-only for this user, -EPROTO / -EIO as store_open;
 * each with a message in err naming the path and why the read is refused.
 */
int audit_cli_open(const char *path, store **out, char *err, size_t errlen);

/*
 * Append the 'phi.read' row: at (UTC, ISO 8601), actor, entity ("claims", "run") and
 * entity_id (a run id; "" for none), after = {"command": command, "filters": filters
 * (stolen; NULL for {}), "rows": rows} as compact JSON with sorted keys. Returns 0, or
 * -EIO with a message in err.
 */
int audit_cli_phi_read(store *s, const char *actor, const char *command, const char *entity,
                       const char *entity_id, json_t *filters, long long rows, char *err,
                       size_t errlen);

#endif
