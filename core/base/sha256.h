/*
 * sha256: SHA-256 (FIPS 180-4) from libcrypto (OpenSSL's EVP interface, which uses the
 * CPU's SHA instructions where it has them). Used for content hashes of loaded files and
 * of every plugin, template and rule a run uses.
 */
#ifndef CARA_SHA256_H
#define CARA_SHA256_H

#include <stddef.h>

/* An incremental hash. Opaque: the libcrypto digest context, owned by the sha256_ctx
 * between sha256_init and sha256_final. */
typedef struct sha256_ctx {
    void *md; /* EVP_MD_CTX * */
} sha256_ctx;

/* Start a hash. libcrypto failing here means it is out of memory: the process aborts
 * with a message on stderr rather than record a wrong digest. */
void sha256_init(sha256_ctx *c);
/* Hash len more bytes of data (len 0 is fine). */
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Finish into 32 bytes and release the context; c must be re-initialized before reuse. */
void sha256_final(sha256_ctx *c, unsigned char out[32]);

/* One-shot: the digest of data as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
