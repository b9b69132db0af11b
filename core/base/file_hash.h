/*
 * file_hash: a file's SHA-256 computed on a thread of its own, while the caller reads
 * the same file. A claims load hashes its file alongside the load instead of before it
 * (docs/performance.md, "The hash alongside the load"); the digest is the same as
 * util_sha256_mapped's.
 *
 * The thread reads the file with pread(2) through a 1 MiB buffer of its own: it does not
 * touch the caller's mapping (which the caller gives back page by page as it reads), and
 * its memory is that buffer whatever the file's size.
 *
 * Ownership: file_hash_start gives the caller the handle; file_hash_join or
 * file_hash_cancel takes it back (frees it, joins the thread). The fd stays the caller's
 * and must stay open until then.
 */
#ifndef CARA_FILE_HASH_H
#define CARA_FILE_HASH_H

#include <stddef.h>

typedef struct file_hasher file_hasher;

/* Start hashing the first len bytes of fd. 0 with *out set, or -ENOMEM / -EAGAIN (no
 * thread started, *out NULL: the caller hashes another way). */
int file_hash_start(int fd, size_t len, file_hasher **out);

/* The digest: hex gets 64 lowercase hex digits and a NUL. The thread stops at its next
 * chunk and the caller hashes the rest itself (at its own priority, not the thread's
 * lower one). 0, or -errno when a read failed or the file was shorter than len (hex is
 * then ""). Frees h. */
int file_hash_join(file_hasher *h, char hex[65]);

/* Stop the hash (not needed any more: the load failed), wait for the thread and free h.
 * NULL is fine. */
void file_hash_cancel(file_hasher *h);

#endif
