/*
 * bloom.c: see bloom.h.
 */
#include "bloom.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { HUGE = 2 << 20 }; /* bytes of a huge page (x86-64, arm64's default) */

/* The filter's three bits for s, all in one 512-bit block (a cache line: one miss a
 * call, not three), from one 64-bit FNV-1a of s put through splitmix64's finalizer (FNV's
 * own low bits follow the last bytes: claim ids that differ there crowded a few blocks,
 * 7% false positives at 27 bits a string): the block from the high 32 bits (scaled to
 * the number of blocks), the bits from three 9-bit pieces of the low ones. */
static void bits_of(const bloom *b, const char *s, uint32_t bit[3])
{
    uint64_t h = 14695981039346656037ull;
    for (const char *p = s; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    uint64_t blocks = b->nbits / 512;
    uint32_t base = (uint32_t)(((h >> 32) * blocks) >> 32) * 512;
    for (uint32_t k = 0; k < 3; k++) bit[k] = base + (uint32_t)((h >> (9 * k)) & 511);
}

int bloom_init(bloom *b, uint32_t nbits)
{
    b->nbits = nbits < 512 ? 512 : nbits / 512 * 512;
    size_t bytes = b->nbits / 8;
    void *p = NULL;
    /* a large filter on huge pages where the kernel allows them (transparent huge pages
     * on request): each call touches one random cache line of it, and on 4 KiB pages
     * nearly every call also missed the TLB */
    if (bytes >= HUGE && posix_memalign(&p, HUGE, bytes) == 0) {
#ifdef MADV_HUGEPAGE
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* advice: fine if refused */
#endif
        memset(p, 0, bytes);
    } else if (!(p = calloc(bytes / 8, sizeof *b->bits))) {
        return -ENOMEM;
    }
    b->bits = p;
    return 0;
}

uint32_t bloom_bits_for(uint64_t n, uint32_t max)
{
    if (n == 0 || n > max / 20) return max;
    uint32_t bits = 1u << 16;
    while (bits < n * 20 && bits < max) bits <<= 1;
    return bits < max ? bits : max;
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
