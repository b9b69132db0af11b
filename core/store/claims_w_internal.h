/*
 * claims_w_internal.h: what claims_w.c and claims_w_async.c (its write-behind queue)
 * share. Not for other files.
 */
#ifndef CARA_STORE_CLAIMS_W_INTERNAL_H
#define CARA_STORE_CLAIMS_W_INTERNAL_H

#include "claims_w.h"
#include "store_w_internal.h"

typedef struct claims__aw claims__aw;

struct claims_w {
    store__w w;     /* its statements: claims_w.c's SQL[] */
    claims__aw *aw; /* the write-behind queue while claims_w_async_begin runs; NULL: none */
    /* claims__w_insert_many, claims__w_lines_many of 2^k rows (made on first use) */
    sqlite3_stmt *many_claims[6], *many_lines[7];
    /* the sticky failure of the last write-behind, after claims_w_async_end (0: none) */
    int fail;
    size_t fail_at;
    int64_t fail_line_no;
    char fail_claim[80];
    char fail_msg[512];
    /* a claim this writer inserted or found (claims__w_line_claim); "" none */
    char known[80];
    /* claims_w_bulk_begin's dropped index, to make again (NULL: none) */
    char *deferred_sql;
};

/* The queued kinds of write. */
enum claims__op {
    CLAIMS__DELETE,
    CLAIMS__INSERT,
    CLAIMS__LINE,
    CLAIMS__LINE_REPLACE,
    CLAIMS__FILL,
    CLAIMS__PAID_DATE
};

/* The synchronous writes (claims_w.c), as the public calls document them. */
int claims__w_delete(claims_w *w, const char *claim_id, char *err, size_t errlen);
int claims__w_paid_date(claims_w *w, const char *claim_id, const char *paid_date, char *err,
                        size_t errlen);
int claims__w_insert(claims_w *w, const claim_rec *r, char *err, size_t errlen);
int claims__w_line(claims_w *w, const claim_line_rec *l, int replace, char *err, size_t errlen);
int claims__w_fill(claims_w *w, const claim_rec *r, char *err, size_t errlen);
/* 0 when claim claim_id is stored (a line may be written for it), else -EIO with err
 * naming it. The store has no foreign key from claim_lines to claims (migration 25: its
 * look-up per line was a third of a claim file's writes), so the writer checks: the claim
 * it inserted last needs no look-up. */
int claims__w_line_claim(claims_w *w, const char *claim_id, char *err, size_t errlen);

/* The most rows per multi-row INSERT: one statement's fixed cost shared by that many
 * rows (CLAIMS__MANY * 24 and CLAIMS__MANY_LINES * 16 parameters). */
#define CLAIMS__MANY 32
#define CLAIMS__MANY_LINES 64

/* Insert the n claims r[0..n) (or n lines l[0..n)) in one INSERT OR FAIL statement, n a
 * power of two up to CLAIMS__MANY (CLAIMS__MANY_LINES), the beneficiaries stamped first.
 * 0; -EAGAIN when the statement failed at a row: the rows before it are written (OR FAIL
 * keeps them, so the statement needs no statement journal: SQLite otherwise saves every
 * page a multi-row statement touches before touching it) and *done is their number; the
 * caller inserts the rest one by one to meet the failure at its row (only for a
 * constraint OR FAIL handles: a key, NOT NULL, CHECK); -EIO with err (a stamp or the
 * statement could not be made, or any other error, such as a full disk, which rolls the
 * whole transaction back: nothing may be written after it; *done 0). */
int claims__w_insert_many(claims_w *w, const claim_rec *const *r, size_t n, size_t *done,
                          char *err, size_t errlen);
int claims__w_lines_many(claims_w *w, const claim_line_rec *const *l, size_t n, size_t *done,
                         char *err, size_t errlen);

/* Queue one write (a copy of rec, a claim_rec or claim_line_rec by kind, or of the texts
 * a and b for DELETE and PAID_DATE). 0 queued, or the sticky failure (<0, err set). Only
 * while w->aw is set. */
int claims__aw_push(claims_w *w, int kind, const void *rec, const char *a, const char *b,
                    char *err, size_t errlen);
/* Wait until every queued write ran: 0, or the sticky failure (err set). A no-op (0)
 * without a queue. */
int claims__aw_drain(claims_w *w, char *err, size_t errlen);

#endif
