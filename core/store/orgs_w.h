/*
 * orgs_w: the writer of the organisations tables: acos, providers and aco_tins (an
 * ACO's participant TINs). acos.csv, providers.csv and participants.csv (core/load), the
 * CCLF loader (an ACO known only from file names) and cara aco/tin/provider (core/engine
 * particip) all write through it. Each statement is prepared once per writer, on first
 * use, with an explicit column list. Calls run inside the caller's transaction.
 *
 * Errors: 0, -EEXIST when the row's key is already stored (where a call says so), or -EIO,
 * each with a message in err naming the field the store refused ("track: CHECK constraint
 * failed: ..."); the connection's sqlite3_errmsg keeps SQLite's message alone.
 */
#ifndef CARA_STORE_ORGS_W_H
#define CARA_STORE_ORGS_W_H

#include <stddef.h>

#include "store_conn.h"

typedef struct orgs_w orgs_w;

/* A writer on s; the caller owns *out (orgs_w_close). 0, or -ENOMEM. */
int orgs_w_open(store *s, orgs_w **out, char *err, size_t errlen);
/* Finalize its statements and free it (NULL is a no-op). */
void orgs_w_close(orgs_w *w);

/* An acos row. Text is borrowed for the call. */
typedef struct aco_rec {
    const char *aco_id;
    const char *name;          /* name_len bytes (< 0: up to its NUL) */
    int name_len;
    const char *track;         /* 'global' or 'professional' */
    int has_years;             /* 0: first_year/last_year are not written */
    int first_year, last_year;
} aco_rec;

/* Insert the ACO, or update the stored one's name and track (and its years when
 * has_years; otherwise a new ACO gets the column defaults, 2027-2036). */
int orgs_w_aco_put(orgs_w *w, const aco_rec *r, char *err, size_t errlen);

/* Insert ACO aco_id (name = aco_id, track global) unless it is stored. *created is 1
 * when it was inserted, 0 when it was there. */
int orgs_w_aco_ensure(orgs_w *w, const char *aco_id, int *created, char *err, size_t errlen);

/* A providers row (key npi, tin). */
typedef struct provider_rec {
    const char *npi, *tin;
    const char *name;          /* name_len bytes (< 0: up to its NUL) */
    int name_len;
    const char *specialty_code; /* NULL stores '' */
} provider_rec;

/* Insert the provider, or update the stored one's name and specialty_code. */
int orgs_w_provider_put(orgs_w *w, const provider_rec *r, char *err, size_t errlen);

/* An aco_tins row (key aco_id, tin, start_date). end_date NULL: open. */
typedef struct aco_tin_rec {
    const char *aco_id, *tin, *start_date, *end_date;
} aco_tin_rec;

/* Insert the participation, or update the stored one's end_date (participants.csv). */
int orgs_w_tin_put(orgs_w *w, const aco_tin_rec *r, char *err, size_t errlen);
/* Insert the participation; -EEXIST when its key is stored (cara tin add). */
int orgs_w_tin_add(orgs_w *w, const aco_tin_rec *r, char *err, size_t errlen);
/* End TIN tin's open participation in aco_id on end (cara tin end). */
int orgs_w_tin_end(orgs_w *w, const char *aco_id, const char *tin, const char *end, char *err,
                   size_t errlen);

#endif
