/*
 * sha256.c: see sha256.h (OpenSSL EVP; no hand-written rounds).
 */
#include "sha256.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "log.h"

/* libcrypto only fails a SHA-256 step when it cannot allocate: stop, loudly. */
static void crypto_died(const char *what)
{
    log_msg(LOG_LEVEL_ERROR, NULL, "libcrypto %s failed (out of memory?)", what);
    abort();
}

void sha256_init(sha256_ctx *c)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (!m || EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1) crypto_died("SHA-256 init");
    c->md = m;
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(c->md, data, len) != 1) crypto_died("SHA-256 update");
}

void sha256_final(sha256_ctx *c, unsigned char out[32])
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(c->md, out, &n) != 1 || n != 32) crypto_died("SHA-256 final");
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[32];
    unsigned int n = 0;
    if (EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) != 1 || n != 32)
        crypto_died("SHA-256");
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = 0;
}
