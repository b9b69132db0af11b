/*
 * rollback: restore a template's or overlay's files as an earlier run used them, or as
 * an earlier snapshot the service activated held them (`cara template history/rollback`,
 * POST /v1/templates/:id/rollback).
 *
 * A template's content is the top-level files of its folder that the catalog reads:
 * template.json or overlay.json, and its own attribution.lua and savings.lua. Every run
 * since schema 8 stored them (run_files) and so did every activated snapshot
 * (snapshot_files). A rollback writes them into the episodes source folder, after the
 * whole folder with the change applied has been validated the way the hot reload
 * validates it (templates, plugins, policy, every rule compiled, the HCC tables): if it
 * is not valid, nothing is changed. The folder is replaced in one rename (the service's
 * hot reload then activates it). Each rollback is audited (action template.rollback).
 */
#ifndef CARA_ROLLBACK_H
#define CARA_ROLLBACK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The history of template id: one entry per distinct content (version, definition
 * hash, files hash), latest first, as a JSON array of
 *   {"template_id", "version", "sha256" (of template.json/overlay.json), "files_sha256"
 *    (SHA-256 of the sorted "sha256  name" lines of its files), "files": {name: sha256},
 *    "folder", "kind" (base/overlay), "aco_id"?, "first_seen", "last_seen",
 *    "runs": [ids], "snapshots": [ids]}.
 * Returns 0 with *out (new reference; empty when the template was never stored), or
 * -EIO with a message. */
int rollback_history(store *s, const char *id, json_t **out, char *err, size_t errlen);

/* What to restore: run (the content run N used), else version and/or sha256 (a full
 * hash or a prefix of at least 8 hex digits, of the definition file or of the files):
 * the latest stored content matching all that is given. */
typedef struct rollback_req {
    const char *template_id;
    int64_t run;            /* 0: not by run */
    const char *version;    /* NULL: any */
    const char *sha256;     /* NULL: any */
} rollback_req;

/*
 * Find the content r asks for (an entry of rollback_history: *entry, new reference).
 * 0; -EINVAL when r names nothing to find; -ENOENT when nothing matches (err lists what
 * is available); -EIO.
 */
int rollback_find(store *s, const rollback_req *r, json_t **entry, char *err, size_t errlen);

/*
 * Restore entry's files into source_dir/<folder>, validated first with the plugins of
 * plugins_dir. Files of the folder the entry does not hold (tests/, notes) are kept;
 * catalog files it does not hold are removed. On success returns 0 with *before (the
 * folder's files before, {name: sha256}; new reference). -EINVAL when the result would
 * not validate (err has the problems, naming the source folder's paths), -EIO.
 */
int rollback_apply(store *s, const json_t *entry, const char *source_dir,
                   const char *plugins_dir, json_t **before, char *err, size_t errlen);

/* Append the audit row (action template.rollback, entity template). 0 or -EIO. */
int rollback_audit(store *s, const char *actor, const char *id, const json_t *before,
                   const json_t *after, char *err, size_t errlen);

#endif
