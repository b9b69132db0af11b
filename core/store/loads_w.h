/*
 * loads_w: the writer of the loads table (one row per file or delivery loaded) and of
 * its audit row. The CSV loader and the CCLF and FHIR loaders (core/load) record their
 * loads through it. Calls run inside the caller's transaction.
 *
 * Errors: -EIO with the store's message in err (the connection's sqlite3_errmsg holds
 * the same message).
 */
#ifndef CARA_STORE_LOADS_W_H
#define CARA_STORE_LOADS_W_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* 1 when a load of the same bytes (sha, lowercase hex) and kind took every row
 * (rejected = 0): a file loaded again after --skip-bad is not "seen". 0 when not, or -EIO. */
int loads_w_seen(store *s, const char *sha, const char *kind, char *err, size_t errlen);

/* 1 when some load of this kind that took every row could be of these bytes: its size
 * is `bytes` or unknown (loads recorded before store migration 26 have no size). 0 when
 * none could (the file is new whatever its hash), or -EIO. A loader that gets 0 may hash
 * the file alongside the load and check loads_w_seen at the end. */
int loads_w_maybe_seen(store *s, const char *kind, int64_t bytes, char *err, size_t errlen);

/* Insert the load (rows 0, loaded_at now; bytes < 0: size unknown). sha may be "" when
 * the hash is not known yet (loads_w_sha sets it before the commit). *id is its load_id
 * and at (32 bytes) its loaded_at ("YYYY-MM-DDTHH:MM:SSZ", UTC). 0 or -EIO. */
int loads_w_begin(store *s, const char *path, const char *kind, const char *sha,
                  int64_t bytes, int64_t *id, char at[32], char *err, size_t errlen);

/* Set load id's sha256 (a hash computed alongside the load). 0 or -EIO. */
int loads_w_sha(store *s, int64_t id, const char *sha, char *err, size_t errlen);

/* Set load id's rows (rows < 0: left as it is), rejected and warnings. 0 or -EIO. */
int loads_w_counts(store *s, int64_t id, int64_t rows, int64_t rejected, int64_t warnings,
                   char *err, size_t errlen);

/* The load's audit row (audit_append): at, actor, action 'load', entity kind, entity_id
 * path, after {"load_id":id,"sha256":sha} with "rows":rows last when rows >= 0. 0 or -EIO. */
int loads_w_audit(store *s, int64_t id, const char *path, const char *kind, const char *sha,
                  const char *at, const char *actor, int64_t rows, char *err, size_t errlen);

#endif
