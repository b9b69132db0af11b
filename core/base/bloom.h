/*
 * bloom: a Bloom filter of strings (NUL-terminated), fixed in size. Three bits a string,
 * all in one 512-bit block (a blocked filter: one cache line a call), from one mixed
 * 64-bit hash: with nbits = 2^27 (16 MB), measured on claim ids ("%013d#%013d", the
 * ids stepped by 3, the others between them), 2.4% false positives at 15 million
 * strings, 0.03% at 3 million. bloom_maybe is 0 only for a string never added:
 * callers skip a look-up on 0 and make it on 1 (a false positive costs the look-up).
 * Not locked: one thread adds and asks at a time.
 */
#ifndef CARA_BASE_BLOOM_H
#define CARA_BASE_BLOOM_H

#include <stdint.h>

typedef struct bloom {
    uint64_t *bits; /* NULL: no filter (bloom_maybe is always 1, bloom_add a no-op) */
    uint32_t nbits;
} bloom;

/* An empty filter of nbits bits (rounded down to a multiple of 512, at least 512). 0 or -ENOMEM (*b is
 * then no filter). Free with bloom_free. */
int bloom_init(bloom *b, uint32_t nbits);

/* The bits for a filter of about n strings (20 bits a string: under 1% false
 * positives), a power of two from 2^16 up to max (n = 0, unknown: max). */
uint32_t bloom_bits_for(uint64_t n, uint32_t max);

/* Free the bits; *b is no filter after. */
void bloom_free(bloom *b);

/* Add s (NULL: nothing). */
void bloom_add(bloom *b, const char *s);

/* 0 when s was surely never added; 1 when it may have been (and always for no filter or
 * a NULL s). */
int bloom_maybe(const bloom *b, const char *s);

#endif
