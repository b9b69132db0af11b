/*
 * synthdata_internal.h: the generator's world (providers, facilities, ACOs) and its
 * row writers, shared by synthdata_world.c and synthdata_claims.c.
 */
#ifndef CARA_SYNTHDATA_INTERNAL_H
#define CARA_SYNTHDATA_INTERNAL_H

#include <stdio.h>

#include "cara/types.h"
#include "synthdata.h"

/* Provider roles. */
enum { SP_PT, SP_OT, SP_GER, SP_PMR, SP_FP, SP_IM, SP_ORTHO, SP_HOSPITAL, SP_SNF, SP_HHA,
       SP_IRF, SP_DIALYSIS, SP_N };

typedef struct sy_prov {
    char npi[11], tin[10];
    int role;                 /* SP_* */
    int aco;                  /* the ACO whose participant TIN it bills under, -1 outside */
} sy_prov;

typedef struct sy_world {
    const synth_opts *o;
    synth_rng rng;
    int n_acos;
    sy_prov *prov;            /* owned */
    size_t n_prov;
    size_t *by_role[SP_N];    /* owned: provider indexes per role */
    size_t n_role[SP_N];
    size_t **aco_role;        /* owned: [aco * SP_N + role] -> indexes within the ACO */
    size_t *n_aco_role;
    cara_date first_day, last_day; /* claims span */
    FILE *claims;
    int64_t claim_seq;
    synth_counts *counts;
} sy_world;

/* A claim being generated (at most SY_LINES lines, SY_DX diagnoses). */
#define SY_LINES 40
#define SY_DX 8
typedef struct sy_line {
    cara_date d;
    const char *rev, *hcpcs, *pos, *mod;
    const sy_prov *rend;      /* NULL for facility lines */
    int64_t paid, allowed;
} sy_line;

typedef struct sy_claim {
    int type;                 /* CARA_CLAIM_* */
    cara_date start, end, adm, dis;
    const char *bill, *disp;
    const sy_prov *facility;  /* institutional: the billing facility */
    const char *dx[SY_DX];
    int n_dx;
    sy_line line[SY_LINES];
    int n_lines;
} sy_claim;

/* One beneficiary as the claim generator needs it. */
typedef struct sy_bene {
    char mbi[12];
    int age;                  /* on January 1 of the performance year */
    int aco;                  /* aligned ACO, -1 when not aligned */
    cara_date death;          /* CARA_DATE_NONE when alive */
    cara_date gap_start, gap_end; /* enrollment gap, CARA_DATE_NONE when none */
    int esrd, dual;
    const char *chronic[4];   /* chronic diagnoses, NULL-padded */
} sy_bene;

/* The provider of `role` for a beneficiary: within the ACO (or anyone when aco < 0),
 * else an outside one with probability leak_ppm. */
const sy_prov *sy_pick(sy_world *w, int role, int aco, uint32_t leak_ppm);

/* Append the claim's rows (adjustment code 0) to medical_claim.csv; with small
 * probabilities also an adjustment (code 2) or a cancellation (code 1) right after. */
void sy_emit_claim(sy_world *w, const sy_bene *b, sy_claim *c);

/* All claims of one beneficiary. */
void sy_claims_for(sy_world *w, const sy_bene *b);

/* Integer amounts: a uniform draw in [lo, hi] cents. */
int64_t sy_amount(sy_world *w, int64_t lo, int64_t hi);

#endif
