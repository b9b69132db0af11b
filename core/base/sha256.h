/*
 * sha256: SHA-256 (FIPS 180-4), pure. Used for content hashes of loaded files and of
 * every plugin, template and rule a run uses.
 */
#ifndef CARA_SHA256_H
#define CARA_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char buf[64];
    size_t used;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Finish into 32 bytes; c must be re-initialized before reuse. */
void sha256_final(sha256_ctx *c, unsigned char out[32]);

/* One-shot: the digest of data as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char hex[65]);

/* Tests: 1 forces the portable code even where the CPU has the SHA extensions (which
 * are used by default, detected at run time). Not thread-safe; set before hashing. */
void sha256_use_portable(int yes);

#endif
