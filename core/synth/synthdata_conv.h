/*
 * synthdata_conv: `cara synth --format cclf|fhir`: the synthetic CSV layer rewritten as
 * CMS delivers it, CCLF fixed-width files (synthdata_cclf.c) or BCDA R4 NDJSON
 * (synthdata_fhir.c), from the CSV files already written in the output directory.
 *
 * The CSV files are read through a memory map and converted one claim version (one
 * beneficiary's eligibility rows) at a time; memory does not grow with the dataset
 * beyond the crosswalk of previous MBIs (2% of beneficiaries). The shared readers
 * (synthdata_conv.c) group medical_claim.csv rows into claim versions and give each
 * version the IDR load date both forms use, and eligibility.csv rows into people.
 */
#ifndef CARA_SYNTHDATA_CONV_H
#define CARA_SYNTHDATA_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "cara/types.h"
#include "base/base.h"
#include "synthdata.h"

/* --format: a mask of these. */
#define SYNTH_FMT_CSV 1
#define SYNTH_FMT_CCLF 2
#define SYNTH_FMT_FHIR 4

/* "csv", "cclf", "fhir" or "all" (csv + cclf + fhir) -> mask, or -1. */
int synth_format_parse(const char *s);

typedef struct synth_conv_counts {
    int64_t versions;         /* claim versions read from medical_claim.csv */
    int64_t people;           /* beneficiaries read from eligibility.csv */
    int64_t elig_copied;      /* of them, whose rows went into the form's eligibility.csv */
    int64_t records[2];       /* CCLF: records written per delivery (CCLF0 excluded) */
    int64_t prev_mbis;        /* CCLF: beneficiaries given a previous MBI */
    int64_t hicn_rows;        /* CCLF: HICN crosswalk pairs (CCLF9 'H', per delivery) */
    int64_t late_versions;    /* CCLF: run-out versions loaded after the run-out's date */
    int64_t credits;          /* CCLF: cancellations of the version an adjustment replaces */
    int64_t denied_claims;    /* CCLF: denied duplicate professional claims (extra) */
    int64_t denied_lines;     /* CCLF: denied professional lines (extra, on every version) */
    int64_t header_paid;      /* CCLF: institutional versions paid at the header */
    int64_t patients, coverages, eobs; /* FHIR */
} synth_conv_counts;

/*
 * Write DIR/cclf/ from the CSV files in o->out_dir (written by synth_run with the same
 * options): two deliveries of CCLF0-6, 8, 9 (see docs/input-formats.md), the monthly one
 * as loose files and the run-out as CMS's zip bundle of ZC{n}R{yy} files, cara's own
 * files copied, and eligibility.csv with the people CCLF8 cannot express. CCLF files and
 * bundles of entity A0000 already in DIR/cclf are removed first. 0, or a negative code
 * with a message in err.
 */
int synth_cclf_convert(const synth_opts *o, synth_conv_counts *c, char *err, size_t errlen);

/*
 * Write DIR/fhir/ from the CSV files in o->out_dir: Patient.ndjson, Coverage.ndjson and
 * ExplanationOfBenefit.ndjson (BCDA v2 shapes), cara's own files copied, and
 * eligibility.csv with the people in hospice. 0, or a negative code with a message.
 */
int synth_fhir_convert(const synth_opts *o, synth_conv_counts *c, char *err, size_t errlen);

/* ---- shared by the converters (synthdata_conv.c) ---- */

/* 64-bit FNV-1a of s and v, then splitmix64's finalizer: the converters' deterministic
 * choices (dates, which claims get a denied duplicate) come from it. */
uint64_t sc_hash(const char *s, uint64_t v);

/* A CSV file of the input layer, mapped, with its header's columns. */
typedef struct sc_file {
    char *path;               /* owned */
    char *map;
    size_t len;
    csv_scan scan;
    const char *row;          /* raw bytes of the current record (for verbatim copies) */
    size_t row_len;
} sc_file;

/* Open dir/name and read its header. 0, or a negative code with "PATH: why" in err. */
int sc_open(sc_file *f, const char *dir, const char *name, char *err, size_t errlen);
/* The header column named `name`, or -1. Call right after sc_open. */
int sc_col(const sc_file *f, const char *name);
/* Next record: 1, 0 at the end, negative with a message on a malformed record. */
int sc_next(sc_file *f, char *err, size_t errlen);
/* Field i of the current record into out (NUL-terminated); -1 when it does not fit
 * (out keeps nothing) or the record is short (out = ""). */
int sc_get(const sc_file *f, int i, char *out, size_t outlen);
void sc_close(sc_file *f);

/* Copy dir/name to dir/sub/name byte for byte. 0 or a negative code with a message. */
int sc_copy_file(const char *dir, const char *sub, const char *name, char *err,
                 size_t errlen);
/* mkdir dir/sub (an existing directory is fine); the path (caller frees) into *out. */
int sc_make_subdir(const char *dir, const char *sub, char **out, char *err, size_t errlen);

#define SC_DX 25
typedef struct sc_line {
    long num;
    char from[11], thru[11], pos[3], rev[5], hcpcs[6], mod[5][3];
    char rend_npi[11], rend_tin[10], bill_npi[11], bill_tin[10];
    int64_t paid, allowed;
} sc_line;

enum { SC_INSTITUTIONAL, SC_PROFESSIONAL, SC_DME };

/* One claim version: the consecutive medical_claim.csv rows of a claim_id with one
 * adjustment_type_code. */
typedef struct sc_claim {
    char id[41], mbi[12];
    int type;                 /* SC_* */
    char from[11], thru[11], adm[11], dis[11], disp[3], bill[4], fac_npi[11];
    char dx[SC_DX][8];
    int n_dx;
    int adj;                  /* 0 original, 1 cancellation, 2 adjustment */
    int version;              /* 0 for the claim's first version, then 1, 2, ... */
    uint64_t uniq;            /* CUR_CLM_UNIQ_ID: 13 digits, unique per version */
    cara_date load, eff;      /* CLM_IDR_LD_DT and CLM_EFCTV_DT (load - 2) */
    sc_line *line;            /* owned */
    int n_lines, cap;
} sc_claim;

/* The claim's CLM_TYPE_CD (CCLF) / nch_clm_type_cd (BFD): professional 71, DME 82;
 * institutional by bill type: 11x/12x 60, 13x/14x 40, 18x/21x/22x 20, 32x-34x 10,
 * 81x/82x 50, else 40. */
const char *sc_clm_type_cd(const sc_claim *v);

typedef struct sc_claims {
    sc_file f;
    int col[64];
    sc_claim pend;            /* the row read ahead (one line) */
    int have_pend;
    char last_id[41];
    cara_date last_load;
    int last_version;
    uint64_t seq;
} sc_claims;

/*
 * Versions in file order, with dates: the original's IDR load date is its claim end
 * date + 10..40 days, each later version's 20..90 days after the previous one (days
 * from a hash of the claim id and version). 1 with *c filled (c->line reused), 0 at the
 * end, negative with a message.
 */
int sc_claims_open(sc_claims *r, const char *dir, char *err, size_t errlen);
int sc_claims_next(sc_claims *r, sc_claim *c, char *err, size_t errlen);
void sc_claims_close(sc_claims *r);
void sc_claim_free(sc_claim *c);

typedef struct sc_span {
    char start[11], end[11], dual[3], status[3];
    int hospice;
} sc_span;

/* One beneficiary: consecutive eligibility.csv rows of a person_id. */
typedef struct sc_person {
    char mbi[12], gender[8], birth[11], death[11], state[3], zip[6];
    sc_span *span;            /* owned */
    int n_span, cap;
    const char *raw;          /* the rows as written (valid while the reader is open) */
    size_t raw_len;
} sc_person;

typedef struct sc_people {
    sc_file f;
    int col[11];
    sc_person pend;           /* the row read ahead (one span) */
    const char *pend_raw;
    int have_pend;
} sc_people;

int sc_people_open(sc_people *r, const char *dir, char *err, size_t errlen);
/* 1 with *p (p->span reused), 0 at the end, negative with a message. */
int sc_people_next(sc_people *r, sc_person *p, char *err, size_t errlen);
void sc_people_close(sc_people *r);
void sc_person_free(sc_person *p);

/* The header of eligibility.csv (for a form's own eligibility.csv). */
extern const char sc_elig_header[];

/* Copy acos.csv, providers.csv, arrangements.csv, alignment.csv into dir/sub. */
int sc_copy_own_files(const char *dir, const char *sub, char *err, size_t errlen);

#endif
