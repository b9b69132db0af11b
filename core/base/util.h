/*
 * util: small helpers shared by the core (paths, whole-file reads, sizes, strings).
 * File access goes through libuv's synchronous uv_fs_* calls so the same code can run
 * on the loop's thread pool.
 */
#ifndef CARA_UTIL_H
#define CARA_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "a/b" (no doubled slash). Caller frees. NULL on OOM. */
char *util_path_join(const char *a, const char *b);

/* Format a message into err (when err and errlen are set) and return rc: the one-line
 * way to fail with a message ("return util_fail(err, errlen, -EINVAL, "...", ...)"). */
int util_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Read a whole file into a NUL-terminated malloc'ed buffer (caller frees *buf).
 * Fails with -EFBIG when the file is larger than max bytes. On failure returns a
 * negative errno-style code and writes "PATH: reason" into err.
 */
int util_read_file(const char *path, size_t max, char **buf, size_t *len, char *err,
                   size_t errlen);

/*
 * Map a regular file read-only (an empty file maps to "" with *len 0). The caller owns
 * the mapping: util_unmap(*buf, *len). On failure returns a negative errno and writes
 * "PATH: reason" into err.
 */
int util_map_file(const char *path, const char **buf, size_t *len, char *err, size_t errlen);
/* The same, keeping the mapped file's descriptor open in *fd (the caller closes it; -1 on
 * failure): a later read of "the same file" through it reads the bytes that were mapped,
 * even if the path was replaced meanwhile. */
int util_map_file_fd(const char *path, const char **buf, size_t *len, int *fd, char *err,
                     size_t errlen);
void util_unmap(const char *buf, size_t len);

/*
 * Give back the pages of a util_map_file mapping (base, len) that lie wholly before
 * `upto` and after *released (the bytes already given back; start it at 0): they were
 * read, the page cache keeps the file, and a later read of them maps them again. Keeps
 * a reader's memory flat however large the file. A no-op when base is not page-aligned
 * (not a mapping) or upto is outside it. Only for read-only file mappings: on anonymous
 * memory MADV_DONTNEED would discard the data.
 */
void util_release_mapped(const char *base, size_t len, const char *upto, size_t *released);

/* Give back the pages of a util_map_file mapping (base, len) that hold any of the bytes
 * [from, to), widened to the aligned 64 KiB around them (the pages a fault maps with
 * its own: a later read maps them again).
 * For a reader that jumps around a mapping and tracks the span it touched. A no-op
 * when base is not page-aligned, the range is empty or not inside the mapping. Only for
 * read-only file mappings, as util_release_mapped. */
void util_release_range(const char *base, size_t len, size_t from, size_t to);

/* Name the calling thread (at most 15 characters shown) for top, perf and gdb: "cara-writer",
 * "cara-check", ... Does nothing where the system has no thread names. */
void util_thread_name(const char *name);

/* The SHA-256 (lowercase hex) of a util_map_file mapping, hashed 16 MiB at a time and
 * every hashed page given back (util_release_mapped): memory stays flat. */
void util_sha256_mapped(const char *base, size_t len, char hex[65]);

/* 1 when path names a directory, 0 otherwise. */
int util_is_dir(const char *path);

/* The 64-bit FNV-1a hash of NUL-terminated s (not for anything an attacker must not
 * collide: hash tables of trusted keys, caches keyed by SQL text). */
uint64_t util_fnv1a(const char *s);

/* 1 when path exists (any type), 0 otherwise. */
int util_exists(const char *path);

/* The directory holding the running executable, malloc'ed (caller frees), or NULL. */
char *util_exe_dir(void);

/*
 * Parse a size like "64M", "512k", "1G" or "1000000" (binary units: k=1024) into
 * *out. 0 or -EINVAL (bad shape, zero, overflow).
 */
int util_parse_size(const char *s, uint64_t *out);

/* Parse a positive decimal integer without sign or junk. 0 or -EINVAL. */
int util_parse_u64(const char *s, uint64_t *out);

/* Copy at most size-1 bytes of src and NUL-terminate; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t size);

#endif
