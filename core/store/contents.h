/*
 * contents: file bytes stored by SHA-256 (the `contents` table, migration 8), once
 * however many runs and snapshots used them. Runs keep the content of every template,
 * overlay, rule file and table they read (run_manifest.h), the service keeps every
 * snapshot it activated (srv_reload.c), so a run can be replayed (replay.h), two runs
 * compared file by file (`cara diff`) and a template rolled back (rollback.h).
 */
#ifndef CARA_CONTENTS_H
#define CARA_CONTENTS_H

#include <stddef.h>

#include "store_conn.h"

/* The most a stored file may hold: what the loaders themselves accept for a table
 * (templates and overlays are limited to 8 MiB by their loader). */
#define CONTENT_MAX_BYTES (64u << 20)

/* Store bytes under their SHA-256 (64 lowercase hex digits, computed by the caller) in s
 * unless already there. Runs in the caller's transaction; bytes stay the caller's. 0, or
 * -EIO with the SQLite message in err. */
int content_put(store *s, const char *sha256, const void *bytes, size_t len, char *err,
                size_t errlen);

/* The bytes stored in s under sha256: *bytes malloc'ed (NUL-terminated; the caller frees),
 * *len their length. The stored bytes are hashed again and must match. 0; -ENOENT when
 * none are stored (err says so); -EIO (SQLite) or -EPROTO (the bytes do not match their
 * hash) with a message naming the hash. */
int content_get(store *s, const char *sha256, char **bytes, size_t *len, char *err,
                size_t errlen);

/* 1 when relpath is safe to write under a folder: relative, segments of [A-Za-z0-9._-]
 * that are not "." or "..", at most 8 deep and 512 bytes (what a stored path may be). */
int content_safe_relpath(const char *relpath);

/* 1 when s is 64 lowercase hex digits. */
int content_is_sha256(const char *s);

#endif
