/*
 * tests/cclf_build.h: building CCLF records and deliveries by field name for the CCLF
 * suites (the layouts come from core/feeds/cclf_layouts.c, CCLF Information Packet v36).
 * Failures are test failures (ck_assert).
 */
#ifndef CARA_TESTS_CCLF_BUILD_H
#define CARA_TESTS_CCLF_BUILD_H

#include <stddef.h>

#include "store/store_conn.h"

typedef struct rec {
    char file;
    char b[1024];
} rec;

/* A record of file '0'..'9', 'A', 'B': the layout's width of spaces. */
void rec_init(rec *r, char file);

/* Set a field: digits and money right-justified (digits zero-padded), text left. */
void set(rec *r, const char *name, const char *v);

/* A whole file: records joined with LF. */
typedef struct text {
    char s[65536];
    size_t n;
} text;

void add(text *t, const rec *r);

/* A CCLF0 record: file's record count and length. */
void summary_rec(text *t, char file, long records, unsigned reclen);

/* A delivery being written: file texts by CCLF letter. */
typedef struct delivery {
    const char *date;   /* yymmdd */
    const char *prefix; /* file name up to ZC, e.g. "T.A1234.ACO." (NULL: that one) */
    char kind;          /* 'Y' monthly (default, 0) or 'R' run-out */
    const char *year;   /* "27" (NULL: that one) */
    text f[12];
    int used[12];
} delivery;

void put_rec(delivery *d, const rec *r);

/* The index of file '0'..'9', 'A', 'B' in delivery.f. */
int slot(char file);

/* Write the delivery's files into dir (with a CCLF0 when summary) and, unless paths is
 * given, load them with load_cclf into db. With paths (12 slots), the written paths are
 * returned there (malloc'ed) with their count and nothing is loaded. Returns
 * load_cclf's code (or the count); errors land in *errs (malloc'ed, replaced),
 * rejects in dir/rejects.tsv. */
int deliver_to(const char *dir, store *db, delivery *d, int summary, int skip_bad, int strict,
               char **errs, char **paths);

#endif
