/*
 * people_w: the writer of the beneficiary tables: eligibility (enrollment spans and
 * demographics) and alignment (beneficiary -> ACO). eligibility.csv and alignment.csv
 * (core/load), the CCLF8 beneficiary list (core/load) and the feed sink (feed_store.c:
 * CCLF8, FHIR Patient/Coverage, the CCLF9 crosswalk) write through it. Each statement is
 * prepared once per writer, on first use, with an explicit column list. Calls run inside
 * the caller's transaction.
 *
 * Errors: 0 or -EIO, with a message in err naming the field the store refused
 * ("gender: CHECK constraint failed: ..."); the connection's sqlite3_errmsg keeps
 * SQLite's message alone.
 */
#ifndef CARA_STORE_PEOPLE_W_H
#define CARA_STORE_PEOPLE_W_H

#include <stddef.h>

#include "store_conn.h"

typedef struct people_w people_w;

/* A writer on s; the caller owns *out (people_w_close). 0, or -ENOMEM. */
int people_w_open(store *s, people_w **out, char *err, size_t errlen);
/* Finalize its statements and free it (NULL is a no-op). */
void people_w_close(people_w *w);

/* An eligibility row (key person_id, enrollment_start_date). Dates 'YYYY-MM-DD'; a NULL
 * date is stored as NULL, a NULL code as ''. Text is borrowed for the call. */
typedef struct elig_rec {
    const char *person_id, *enrollment_start_date, *enrollment_end_date;
    const char *gender;            /* 'male', 'female' or 'unknown' */
    const char *birth_date, *death_date;
    const char *dual_status_code, *medicare_status_code;
    int hospice_flag;              /* 0 or 1 */
    const char *state, *zip_code;
} elig_rec;

/* Insert the span, or replace every field of the stored one (eligibility.csv). */
int people_w_elig_put(people_w *w, const elig_rec *r, char *err, size_t errlen);

/* Insert the span, or update only the stored one's enrollment_end_date (feeds: the
 * demographics of a known person change through people_w_elig_demographics). */
int people_w_elig_span(people_w *w, const elig_rec *r, char *err, size_t errlen);

/*
 * Update the demographics of every span of r->person_id without erasing what a feed
 * does not know: gender 'unknown', an empty code, state or zip and a NULL death_date
 * keep the stored value; birth_date is replaced; hospice only turns on, and only on
 * spans not ended before hospice_start (NULL: every span). r's span dates are not read.
 */
int people_w_elig_demographics(people_w *w, const elig_rec *r, const char *hospice_start,
                               char *err, size_t errlen);

/* End person's open spans that start on or before end, on end (a death date). */
int people_w_elig_close(people_w *w, const char *person, const char *end, char *err,
                        size_t errlen);

/* An alignment row (key person_id, aco_id, start_date). end_date NULL: open. */
typedef struct align_rec {
    const char *person_id, *aco_id, *start_date, *end_date;
} align_rec;

/* Insert the alignment (source 'file'), or update the stored one's end_date
 * (alignment.csv). */
int people_w_align_put(people_w *w, const align_rec *r, char *err, size_t errlen);

/* Insert the alignment with source 'cclf8' unless its key is stored. */
int people_w_align_cclf8(people_w *w, const align_rec *r, char *err, size_t errlen);

/* Remove the 'cclf8' alignment of every performance year (its start_date..end_date)
 * that a 'file' row overlaps: an alignment.csv replaces what a CCLF8 gave. */
int people_w_align_drop_cclf8_covered(people_w *w, char *err, size_t errlen);

/* Move person previous's spans and alignment to current (CCLF9): rows current already
 * has for the same key are kept and previous's are removed. */
int people_w_rekey(people_w *w, const char *previous, const char *current, char *err,
                   size_t errlen);

#endif
