/*
 * snapshots: every episodes snapshot `cara serve` activated, kept in the store
 * (episode_snapshots, snapshot_files, snapshot_templates; the bytes in contents), so a
 * template can be rolled back to any content the service once validated and ran, even
 * when no run used it (rollback.h).
 */
#ifndef CARA_SNAPSHOTS_H
#define CARA_SNAPSHOTS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/*
 * Record the validated episodes folder dir as snapshot number `version` of the service
 * watching source_dir: every regular file under it (at most 8 levels, each at most
 * CONTENT_MAX_BYTES) with its hash, the tree's hash (SHA-256 of the sorted
 * "sha256  relpath\n" lines, as `sha256sum` prints them), and each template's or
 * overlay's id, version, folder and definition hash. One transaction. 0 with the new
 * snapshot id in *id (may be NULL), or a negative code with a message naming the file.
 */
int snapshot_record(store *s, const char *dir, const char *source_dir, int version,
                    int64_t *id, char *err, size_t errlen);

#endif
