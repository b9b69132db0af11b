/*
 * synthdata_internal.h: the generator's world (providers, facilities, ACOs), its
 * beneficiaries and its row writer, shared by the synthdata_*.c files:
 *
 *   synthdata_world.c   PRNG, identifiers, providers, ACOs, arrangements, the run
 *   synthdata_people.c  one beneficiary: demographics, eligibility, alignment
 *   synthdata_claims.c  one beneficiary's claims (the clinical events)
 *   synthdata_write.c   buffered CSV output and the claim row writer
 *   synthdata_adt.c     the ADT stream (adt.hl7) read back from the CSV files; it uses
 *                       only the buffered output (synthdata_adt.h)
 */
#ifndef CARA_SYNTHDATA_INTERNAL_H
#define CARA_SYNTHDATA_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "cara/types.h"
#include "synthdata.h"

/* Provider roles. Roles below SP_LISTED are clinicians listed in providers.csv; the
 * others (hospital-based physicians, oncologists, facilities) appear only on claims. */
enum {
    SP_PT, SP_OT, SP_GER, SP_PMR, SP_FP, SP_IM, SP_ORTHO,
    SP_LISTED,
    SP_EM = SP_LISTED, /* emergency physicians (specialty 93) */
    SP_HOSPITALIST,    /* inpatient attending physicians (specialty 11) */
    SP_ONC,            /* medical oncologists (specialty 90) */
    SP_HOSPITAL, SP_SNF, SP_HHA, SP_IRF, SP_DIALYSIS, SP_HOSPICE,
    SP_N
};

typedef struct sy_prov {
    char npi[11], tin[10];
    int role;                 /* SP_* */
    int aco;                  /* the ACO whose participant TIN it bills under, -1 outside */
} sy_prov;

/* Buffered output: rows are assembled with memcpy, written with fwrite. */
typedef struct sy_out {
    FILE *f;
    char *buf;
    size_t len, cap;
} sy_out;

typedef struct sy_world {
    const synth_opts *o;
    synth_rng rng;
    int n_acos;
    sy_prov *prov;            /* owned */
    size_t n_prov;
    size_t *idx;              /* owned: provider indexes grouped by (group, role) */
    size_t *off;              /* owned: [(group * SP_N + role)] -> start in idx; group is
                                 the ACO, n_acos for outside providers; n_acos+1 groups */
    size_t *ridx;             /* owned: provider indexes grouped by role */
    size_t roff[SP_N + 1];    /* role -> start in ridx */
    uint32_t *aco_weight;     /* owned: cumulative alignment weights of the ACOs */
    cara_date first_day;      /* first claim day: July 1 of the year before */
    cara_date year_start, year_end; /* the performance year */
    cara_date last_day;       /* last claim day: June 30 of the year after (run-out) */
    sy_out claims;
    int64_t claim_seq;
    synth_counts *counts;
    /* the current beneficiary's institutional claims so far (facility, from, thru): a
     * hospital bills one claim per patient and dates (CCLF's Part A natural key), so a
     * second one with the same key is not emitted */
    struct sy_inst_key { const sy_prov *f; cara_date s, e; } inst_seen[64];
    int n_inst_seen;
} sy_world;

/* A claim being generated (at most SY_LINES lines, SY_DX diagnoses). */
#define SY_LINES 24
#define SY_DX 12
typedef struct sy_line {
    cara_date d;              /* line date (professional, DME; institutional: claim dates) */
    const char *rev, *hcpcs, *pos, *mod;
    const sy_prov *rend;      /* rendering clinician, NULL for facility lines */
    int64_t paid, allowed;
} sy_line;

typedef struct sy_claim {
    int type;                 /* CARA_CLAIM_* */
    cara_date start, end, adm, dis;
    const char *bill, *disp;
    const sy_prov *facility;  /* institutional: the billing facility */
    const sy_prov *attending; /* institutional: an attending physician, or NULL */
    const char *dx[SY_DX];
    int n_dx;
    sy_line line[SY_LINES];
    int n_lines;
} sy_claim;

/* One beneficiary as the claim generator needs it. */
#define SY_CHRONIC 6
typedef struct sy_bene {
    char mbi[12];
    int age;                  /* on January 1 of the performance year */
    int aco;                  /* aligned ACO, -1 when not aligned */
    cara_date enroll_start;   /* first enrolled day (turning 65 after first_day: later) */
    cara_date death;          /* CARA_DATE_NONE when alive */
    cara_date gap_start, gap_end; /* enrollment gap [start, end), CARA_DATE_NONE when none */
    cara_date hospice_start;  /* CARA_DATE_NONE when never in hospice */
    int esrd, dual;
    const char *func_dx;      /* functional dependence diagnosis, NULL when independent */
    uint32_t fall_ppm;        /* chance of a fall per half year */
    const char *chronic[SY_CHRONIC]; /* chronic diagnoses */
    int n_chronic;
} sy_bene;

/* ---- synthdata_world.c ---- */

/* A clinician or facility of `role` for a beneficiary aligned to `aco` (-1: none):
 * within the ACO, else (probability leak_ppm, or the ACO has none, or aco < 0) an
 * outside one; falls back to anyone of the role. */
const sy_prov *synth__pick(sy_world *w, int role, int aco, uint32_t leak_ppm);

/* Integer amounts: a uniform draw in [lo, hi] cents. */
int64_t synth__amount(sy_world *w, int64_t lo, int64_t hi);

/* ---- synthdata_people.c ---- */

/* Draw beneficiary number i into b and write its eligibility and alignment rows. */
void synth__make_bene(sy_world *w, int64_t i, sy_bene *b, sy_out *elig, sy_out *align);

/* ---- synthdata_claims.c ---- */

/* All claims of one beneficiary. */
void synth__claims_for(sy_world *w, const sy_bene *b);

/* ---- synthdata_write.c ---- */

int synth__out_open(sy_out *o, const char *dir, const char *name, char *err, size_t errlen);
/* Flush and close; 0, or -1 when any write failed. */
int synth__out_close(sy_out *o);
void synth__out_flush(sy_out *o);

static inline void synth__put(sy_out *o, const char *s, size_t n)
{
    if (o->len + n > o->cap) synth__out_flush(o);
    if (n > o->cap) {
        fwrite(s, 1, n, o->f);
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void synth__puts(sy_out *o, const char *s);
void synth__putc(sy_out *o, char c);
void synth__put_int(sy_out *o, int64_t v);
void synth__put_date(sy_out *o, cara_date d);   /* "" for CARA_DATE_NONE */
void synth__put_money(sy_out *o, int64_t cents);

/* Bill types Medicare pays per claim, not per revenue line (DRG and PPS payments:
 * inpatient 11x, SNF 21x, home health 32x/33x, hospice 81x/82x). medical_claim.csv puts
 * such a claim's payment (and allowed amount) on its first line and 0 on the others, as
 * the Tuva input layer does; the CCLF form carries it in CCLF1 CLM_PMT_AMT with 0 on the
 * CCLF2 lines, which the loader prices the same way. */
static inline int synth__header_paid(const char *bill)
{
    if (!bill || !bill[0] || !bill[1]) return 0;
    return (bill[0] == '1' && bill[1] == '1') || (bill[0] == '2' && bill[1] == '1') ||
           (bill[0] == '3' && (bill[1] == '2' || bill[1] == '3')) ||
           (bill[0] == '8' && (bill[1] == '1' || bill[1] == '2'));
}

/* Append the claim's rows (adjustment code 0) to medical_claim.csv; for about 1% of
 * claims also an adjustment (code 2, other amounts) or a cancellation (code 1, the rows
 * repeated) right after. Header dates of professional and DME claims come from their
 * lines; header-paid institutional claims (sy_header_paid) carry their payment on line
 * 1. */
void synth__emit_claim(sy_world *w, const sy_bene *b, sy_claim *c);

#endif
