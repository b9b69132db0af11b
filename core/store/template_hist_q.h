/*
 * template_hist_q: where a template's stored versions are (`cara template history` and
 * `cara template rollback`, core/engine/rollback.c): every run that used it
 * (run_components + runs, run_files) and every snapshot that held it
 * (snapshot_templates + episode_snapshots, snapshot_files), and the stored bytes of a
 * file (contents).
 *
 * Errors: -EIO with SQLite's message alone in err, or the callback's negative value.
 */
#ifndef CARA_STORE_TEMPLATE_HIST_Q_H
#define CARA_STORE_TEMPLATE_HIST_Q_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* One run or snapshot that held a template. Text never NULL ('' for NULL); borrowed for
 * the call. */
typedef struct template_source_row {
    int is_run;          /* 1: a run (id a run_id), 0: a snapshot (id a snapshot_id) */
    int64_t id;
    const char *at;      /* runs.started_at or episode_snapshots.activated_at */
    const char *version, *folder, *sha256;
} template_source_row;

/* Call fn for every run (its template component with a relpath inside a folder) and
 * every snapshot that held template template_id, latest first (by at, then id). 0, fn's
 * negative value, or -EIO. */
int template_hist_q_sources(store *s, const char *template_id,
                            int (*fn)(const template_source_row *r, void *ud), void *ud,
                            char *err, size_t errlen);

/* Call fn(name, sha256, ud) for each file directly in folder of run or snapshot id
 * (is_run as in template_source_row), by name (text never NULL). 0, fn's negative value,
 * or -EIO. */
int template_hist_q_files(store *s, int is_run, int64_t id, const char *folder,
                          int (*fn)(const char *name, const char *sha256, void *ud), void *ud,
                          char *err, size_t errlen);

/* The stored bytes of sha256 (content_get: *bytes malloc'ed, the caller frees; the
 * codes and messages of content_get). */
int template_hist_q_content(store *s, const char *sha256, char **bytes, size_t *len, char *err,
                            size_t errlen);

#endif
