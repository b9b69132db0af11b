/*
 * arrangements_w: the writer of the arrangements table (EBRAs). arrangements.csv
 * (core/load) and cara ebra / POST /v1/ebras (core/engine particip) write through it.
 * Each statement is prepared once per writer, on first use, with an explicit column list.
 * Calls run inside the caller's transaction.
 *
 * Errors: 0, -EEXIST when the arrangement_id is already stored (arrangements_w_offer), or
 * -EIO, each with a message in err naming the field the store refused
 * ("aco_id: FOREIGN KEY constraint failed"); the connection's sqlite3_errmsg keeps
 * SQLite's message alone.
 */
#ifndef CARA_STORE_ARRANGEMENTS_W_H
#define CARA_STORE_ARRANGEMENTS_W_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

typedef struct arrangements_w arrangements_w;

/* The negotiated terms, in the order of arrangement_rec.terms. */
enum { ARR_DISCOUNT, ARR_SAVINGS_SHARE, ARR_LOSS_SHARE, ARR_STOP_GAIN, ARR_STOP_LOSS, ARR_N_TERMS };

/* An arrangements row. Text is borrowed for the call. */
typedef struct arrangement_rec {
    const char *arrangement_id, *aco_id, *npi, *tin, *template_id, *start_date;
    const char *end_date;          /* NULL: open */
    int64_t terms[ARR_N_TERMS];    /* basis points: discount_bps .. stop_loss_bps */
    unsigned has;                  /* bit i: terms[i] given (else NULL) */
} arrangement_rec;

/* A writer on s; the caller owns *out (arrangements_w_close). 0, or -ENOMEM. */
int arrangements_w_open(store *s, arrangements_w **out, char *err, size_t errlen);
/* Finalize its statements and free it (NULL is a no-op). */
void arrangements_w_close(arrangements_w *w);

/* Insert the arrangement as status 'active', or replace every listed field of the stored
 * one (its status stays) (arrangements.csv). */
int arrangements_w_put(arrangements_w *w, const arrangement_rec *r, char *err, size_t errlen);

/* Insert the arrangement with status 'offered'; -EEXIST when its id is stored. */
int arrangements_w_offer(arrangements_w *w, const arrangement_rec *r, char *err, size_t errlen);

/* Set arrangement id's status, and its end_date when end is not NULL. */
int arrangements_w_status(arrangements_w *w, const char *id, const char *status,
                          const char *end, char *err, size_t errlen);

#endif
