/*
 * bene: one beneficiary's data read from the store into the plugin ABI's structs
 * (cara_beneficiary, cara_claim_line), lines sorted by (service date, claim id, line).
 *
 * A bene_reader holds prepared statements on one connection; a bene_data holds one
 * beneficiary and is reused from one beneficiary to the next (its memory grows to the
 * largest beneficiary, it does not grow with the data set).
 */
#ifndef CARA_BENE_H
#define CARA_BENE_H

#include <sqlite3.h>
#include <stddef.h>

#include "base/base.h"
#include "cara/types.h"
#include "store_conn.h"

/* A bump allocator for the strings of one beneficiary. */
typedef struct bene_chunk bene_chunk;

typedef struct bene_data {
    cara_beneficiary b;
    cara_enrollment *enrollment;  /* owned */
    size_t cap_enrollment;
    cara_alignment *alignment;    /* owned */
    size_t cap_alignment;
    cara_claim_line *lines;       /* owned */
    size_t n_lines, cap_lines;
    cara_icd *dx;                 /* owned pool the lines' dx point into */
    size_t n_dx, cap_dx;
    size_t *dx_off, cap_off;      /* owned: each line's place in dx while it grows */
    bene_chunk *chunks;           /* owned string storage */
    int64_t n_claims;             /* the claims read by the last bene_load (denied lines
                                   * or not) */
    cara_claim_line *sorted;      /* owned scratch of the sort: the lines' other buffer */
    size_t cap_sorted;
    void *sort_keys, *sort_runs, *sort_tmp; /* owned scratch of the sort */
    size_t cap_keys, cap_runs, cap_tmp;
} bene_data;

/* One of a beneficiary's three reads (eligibility, alignment, claims). */
typedef struct bene_src {
    sqlite3_stmt *st; /* a per-person statement (borrowed), or a stream's (owned) */
    int stream;       /* 1: the shard's rows in person order (bene_reader_open_stream) */
    int o;            /* the first column read (1 in a stream: 0 is person_id) */
    int state;        /* a stream's: 0 step next, 1 a row pending, 2 done */
} bene_src;

typedef struct bene_reader {
    sqlite3_stmt *persons, *eligibility, *alignment, *claims, *count;
    bene_src src[3];
    int persons_from_claims; /* a stream of every claim: the persons are its claims' */
    pl_reader lines; /* its scratch owned: a claim's packed lines */
    /* the last date text read and its day number: a claim's dates and its lines' are
     * mostly the same day, so most dates are this one again (bene.c, memo_date) */
    char memo_text[10];
    cara_date memo_day; /* CARA_DATE_NONE: memo_text holds nothing yet */
} bene_reader;

/* Prepare the statements on s (borrowed: it must outlive the reader). 0 or -EIO with
 * message. */
int bene_reader_open(bene_reader *r, store *s, char *err, size_t errlen);

/* The same, visiting only persons with from <= person_id < to (NULL: no bound): one
 * shard of a parallel run. */
int bene_reader_open_range(bene_reader *r, store *s, const char *from, const char *to,
                           char *err, size_t errlen);

/* The same, reading the shard's eligibility, alignment and claims each in one pass in
 * person order: bene_load must then be called for persons in increasing person_id order
 * (as bene_next_person gives them; one skipped is fine, one gone back to is not: its
 * rows were passed). */
int bene_reader_open_stream(bene_reader *r, store *s, const char *from, const char *to,
                            char *err, size_t errlen);
void bene_reader_close(bene_reader *r);

/* Only the claims paid on or before date ('YYYY-MM-DD'; NULL: every claim) from now on:
 * an interim run (a claim without a paid date counts as paid on its thru date). 0 or
 * -ENOMEM. */
int bene_reader_paid_through(bene_reader *r, const char *date);

/* Next person with claims, in person_id order, into buf (at least 32 bytes), with the
 * number of its current claims in *claims (NULL: not wanted). A stream that reads every
 * current claim (bene_reader_open_stream, no bene_reader_paid_through) takes the persons
 * from its claims instead of a pass of its own over them: *claims is then -1, and
 * bene_load's n_claims is the number.
 * 1 = got one, 0 = done, <0 error. */
int bene_next_person(bene_reader *r, char *buf, size_t len, int64_t *claims, char *err,
                     size_t errlen);

/* The number of person_id's current claims (whatever their lines). 0 or -EIO. */
int bene_current_claims(bene_reader *r, const char *person_id, int64_t *claims, char *err,
                        size_t errlen);

/* Load everything about person_id into d (replacing what it held). 0 or <0 + err. */
int bene_load(bene_reader *r, const char *person_id, bene_data *d, char *err, size_t errlen);

void bene_data_free(bene_data *d);

/* Sort lines by (service_date, claim_id, line_number): the order bene_load leaves d's
 * lines in (it sorts them its own faster way; tests compare the two). */
void bene_sort_lines(cara_claim_line *lines, size_t n);

#endif
