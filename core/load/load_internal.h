/*
 * load_internal.h: the loader state shared by load_csv.c and load_kinds.c.
 */
#ifndef CARA_LOAD_INTERNAL_H
#define CARA_LOAD_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "base/base.h"
#include "load_csv.h"
#include "feeds/feeds.h"
#include "store/store.h"

#define LOAD_MAX_COLS 64

typedef struct loader loader;

/* How a column is checked on the current row (loader.mode). */
enum col_mode {
    COL_CHECK = 0,  /* validated: a bad value is an error (a warning for a soft column) */
    COL_IGNORE,     /* not read: stored as absent (diagnoses of an ICD-9 claim) */
    COL_DROP        /* a value that fails its check is stored as absent, silently */
};

/* One file kind: its columns and how its rows reach the store. */
typedef struct kind_def {
    const char *file;             /* "acos.csv" */
    const field_spec *cols;
    size_t n_cols;
    /* The optional columns whose malformed value is a warning, the field stored as
     * absent and the row kept (an error with load_opts.strict). NULL-terminated; may be
     * NULL. */
    const char *const *soft;
    /* Before a row's fields are checked: set ld->mode[] for it (may be NULL). */
    void (*modes)(loader *ld, const csv_scan *s);
    int (*prepare)(loader *ld);   /* prepare statements (may be NULL) */
    int (*row)(loader *ld);       /* one validated row (ld->vals); -EINVAL = data error */
    int (*end)(loader *ld);       /* after the last row (may be NULL) */
    void (*finalize)(loader *ld); /* free statements (may be NULL) */
} kind_def;

extern const kind_def load_kinds[LOAD_N_KINDS];

/* The claims loader's state for the claim being read (load_kinds.c). */
typedef struct claim_group {
    char claim_id[80];
    char adj[2];
    size_t first_line;            /* file line of its first row */
    char header[36][80];          /* the claim-level fields of its first row */
    char paid_date[80];           /* the latest paid_date of its rows ("" none) */
    int64_t seen[64];             /* line numbers seen so far (to catch repeats) */
    int dirty;                    /* a claim-level field was filled in by a later line */
    size_t n_seen;
    int active;
} claim_group;

struct loader {
    store *s;
    char loaded_at[32];           /* the loads row's loaded_at (its audit row's at) */
    const char *path;
    FILE *err;
    int max_errors;
    int errors;
    int64_t rows;
    int64_t load_id;
    char sha[65];
    const kind_def *def;
    csv_scan *scan;
    size_t header_fields;
    int col_at[LOAD_MAX_COLS];    /* spec column -> header position, -1 absent */
    field_value vals[LOAD_MAX_COLS];
    particip_q *reads;            /* the kind's reads (load_kinds.c prepare_reads) */
    orgs_w *orgs;                 /* the store's writers (load_kinds.c open_writers) */
    people_w *people;
    arrangements_w *arrs;
    claims_w *claims;
    claim_group group;
    int skip_bad;                 /* load_opts.skip_bad */
    FILE *rejects;
    int64_t rejected;
    const char *rec, *rec_end;    /* the current row's raw text */
    int row_bad;                  /* the current row was reported */
    /* skip_bad and claims: the current claim version is inside a savepoint */
    char sp_key[96];              /* claim_id + adjustment of the open savepoint ("" none) */
    int sp_bad;                   /* that claim had a bad line: rolled back */
    size_t sp_bad_line;
    int fd;                       /* the file (-1: none), to read rows out of order */
    const char *map;              /* the file's bytes (a page-aligned mapping, or not) */
    size_t map_len, released;     /* pages before `released` were given back */
    int strict;                   /* load_opts.strict: soft columns are errors too */
    int64_t warnings;             /* fields stored as absent */
    unsigned char soft[LOAD_MAX_COLS]; /* spec column c is soft (kind_def.soft) */
    unsigned char mode[LOAD_MAX_COLS]; /* enum col_mode of spec column c, this row */
    /* skip_bad and claims: the rows of the claim version in the open savepoint */
    struct sp_row {
        const char *rec, *end;
        size_t line;
    } *sp_rows;
    size_t n_sp_rows, cap_sp_rows;
    int grouped;                  /* claims read grouped by claim_id (not in claim order) */
    int write_behind;             /* load_opts.write_behind: claims written on a second thread */
    int queued_reported;          /* the claims writer's queued failure was reported */
    /* load__check_order's column look-ups by name literal, for def (memo_def) */
    const kind_def *memo_def;
    struct col_memo {
        const char *name;
        size_t col;
    } memo[8];
    size_t n_memo;
};

/* Report "path:line:col: field: message" (col 0 / field NULL: "path:line: message"). */
void load__error(loader *ld, size_t line, size_t col, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Report "path:line:col: warning: field: message" (a field stored as absent). */
void load__warning(loader *ld, size_t line, size_t col, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Index of the spec column named `name`. */
size_t load__col(const loader *ld, const char *name);

/* Report an end date before its start date. */
void load__check_order(loader *ld, const char *start, const char *end);

#endif
