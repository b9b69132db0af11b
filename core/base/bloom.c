/*
 * bloom.c: see bloom.h.
 */
#include "bloom.h"

#include <errno.h>
#include <stdlib.h>

/* The filter's three bits for s, all in one 512-bit block (a cache line: one miss a
 * call, not three): the block from FNV-1a, the bits from three 9-bit pieces of djb2. */
static void bits_of(const bloom *b, const char *s, uint32_t bit[3])
{
    uint32_t h1 = 2166136261u, h2 = 5381; /* FNV-1a, djb2 */
    for (const char *p = s; *p; p++) {
        h1 = (h1 ^ (unsigned char)*p) * 16777619u;
        h2 = h2 * 33u + (unsigned char)*p;
    }
    h2 ^= h2 >> 15; /* djb2's low bits follow the last bytes: mix before slicing */
    h2 *= 0x2c1b3c6du;
    h2 ^= h2 >> 12;
    uint32_t base = (h1 % (b->nbits / 512)) * 512;
    for (uint32_t k = 0; k < 3; k++) bit[k] = base + ((h2 >> (9 * k)) & 511);
}

int bloom_init(bloom *b, uint32_t nbits)
{
    b->nbits = nbits < 512 ? 512 : nbits / 512 * 512;
    b->bits = calloc(b->nbits / 64, sizeof *b->bits);
    return b->bits ? 0 : -ENOMEM;
}

void bloom_free(bloom *b)
{
    free(b->bits);
    b->bits = NULL;
}

void bloom_add(bloom *b, const char *s)
{
    if (!b->bits || !s) return;
    uint32_t k[3];
    bits_of(b, s, k);
    for (int i = 0; i < 3; i++) b->bits[k[i] / 64] |= 1ull << (k[i] % 64);
}

int bloom_maybe(const bloom *b, const char *s)
{
    if (!b->bits || !s) return 1;
    uint32_t k[3];
    bits_of(b, s, k);
    for (int i = 0; i < 3; i++)
        if (!(b->bits[k[i] / 64] & (1ull << (k[i] % 64)))) return 0;
    return 1;
}
