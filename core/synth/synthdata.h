/*
 * synthdata: `cara synth`, a synthetic dataset in the CSV input layer (docs/input-formats.md).
 *
 * Beneficiaries, providers, ACOs, arrangements and claims whose rates and costs follow
 * the published figures of docs/methodology.md (falls, ED visits, fall injuries and hip fractures,
 * inpatient stays, SNF, home health, PT/OT, functional dependence), with deaths,
 * enrollment gaps, hospice, duals, ESRD, leakage to non-participating therapists,
 * adjustments and cancellations. The same options give byte-identical files: all
 * randomness comes from one seeded xoshiro256** stream consumed in a fixed order, and
 * no floating point is used. Memory does not grow with the number of beneficiaries:
 * each is generated and written before the next.
 */
#ifndef CARA_SYNTHDATA_H
#define CARA_SYNTHDATA_H

#include <stdint.h>
#include <stdio.h>

typedef struct synth_opts {
    const char *out_dir;     /* created if missing */
    int64_t beneficiaries;   /* 1 .. 10,000,000 */
    uint64_t seed;
    int year;                /* performance year: claims from July 1 of the year before
                                (risk lookbacks) to June 30 of the year after (run-out) */
    int acos;                /* number of ACOs (>= 2: at least one per track) */
} synth_opts;

typedef struct synth_counts {
    int64_t acos, providers, eligibility, alignment, arrangements, claim_lines;
} synth_counts;

/* Write the six files. 0, or a negative code with a message in err. */
int synth_run(const synth_opts *o, synth_counts *c, char *err, size_t errlen);

/* ---- the PRNG (exposed for tests) ---- */

typedef struct synth_rng {
    uint64_t s[4];
} synth_rng;

void synth_rng_seed(synth_rng *r, uint64_t seed);
uint64_t synth_rng_next(synth_rng *r);
/* Uniform in [0, n) (n > 0), without modulo bias. */
uint64_t synth_rng_below(synth_rng *r, uint64_t n);
/* 1 with probability ppm / 1,000,000. */
int synth_rng_ppm(synth_rng *r, uint32_t ppm);

/* The i-th synthetic MBI (valid per docs/input-formats.md, Identifiers, never the 'S' test form), distinct
 * for distinct i below 10^12; into buf (12 bytes). */
void synth_mbi(uint64_t i, uint64_t salt, char *buf);

#endif
