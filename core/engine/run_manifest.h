/*
 * run_manifest: what a run uses, read once when it starts: every file of the episodes
 * folder its catalog loaded (template.json, overlay.json, attribution.lua, savings.lua,
 * the CMS-HCC tables of common/) with its bytes and SHA-256, and the run's components
 * (kind plugin/template/rule/table, name, version, path, hash) as `cara runs --run`
 * lists them. The engine stores the files with the run (contents + run_files, so the
 * run can be replayed byte for byte: replay.h) and the components with its results
 * (engine_save.c, through store/runs_w.h).
 */
#ifndef CARA_RUN_MANIFEST_H
#define CARA_RUN_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "store/store.h"

typedef struct run_file {
    char *relpath;       /* owned: the path inside the episodes folder (folder/name) */
    char *path;          /* owned: the path that was read */
    char sha256[65];
    char *bytes;         /* owned */
    size_t len;
} run_file;

typedef struct run_component {
    const char *kind;    /* static: "plugin", "template", "rule", "table" */
    char *name, *version, *path; /* owned */
    char sha256[65];
    long file;           /* index into the manifest's files; -1 for a plugin */
} run_component;

typedef struct run_manifest {
    run_file *files;
    size_t n_files;
    run_component *comps; /* in the order they were found; (kind, name) unique */
    size_t n_comps;
} run_manifest;

/*
 * Read what the catalog uses. Files are read once, each at most CONTENT_MAX_BYTES
 * (contents.h); plugins are hashed (their bytes are not kept). On failure returns a
 * negative code with a message naming the file; *m is then empty. On success the
 * caller owns *m (run_manifest_free).
 */
int run_manifest_build(const catalog *cat, run_manifest *m, char *err, size_t errlen);

void run_manifest_free(run_manifest *m);

/* Store every file's bytes (contents, deduplicated) and the run's run_files rows, in the
 * caller's transaction. 0 or -EIO with a message. */
int run_manifest_save_files(store *s, int64_t run_id, const run_manifest *m, char *err,
                            size_t errlen);

/*
 * A component whose (kind, name, version) the latest earlier run that used it (or run
 * `against`, when not 0: the run a replay reproduces) recorded with another hash: append
 * one message per such component to warnings (a JSON array, borrowed):
 * "template falls_prevention 1.0.0: content changed under the same version (sha256
 * 1a2b3c4d5e6f in run 3, now 9f8e7d6c5b4a)". Returns the number appended, or -EIO.
 */
int run_manifest_version_warnings(store *s, const run_manifest *m, int64_t against,
                                  json_t *warnings, char *err, size_t errlen);

/*
 * Replay: every plugin run `of` recorded must have the same hash now. A plugin that
 * differs or is gone is an error naming it and both hashes (-EPERM), unless allow is
 * set: then the message is appended to warnings instead. A plugin run `of` did not use
 * is no concern (the catalog decides what loads). 0, -EPERM or -EIO.
 */
int run_manifest_check_plugins(store *s, int64_t of, const run_manifest *m, int allow,
                               json_t *warnings, char *err, size_t errlen);

#endif
