/*
 * claims_w_internal.h: what claims_w.c and claims_w_async.c (its write-behind queue)
 * share. Not for other files.
 */
#ifndef CARA_STORE_CLAIMS_W_INTERNAL_H
#define CARA_STORE_CLAIMS_W_INTERNAL_H

#include "claims_w.h"
#include "base/base.h"
#include "end_tally.h"
#include "store_w_internal.h"

typedef struct claims__aw claims__aw;

/* A claim's lines being packed into its claims.lines value (claims_pack.c). */
typedef struct claims__pack {
    pl_buf seg; /* each line's packed text, one after another */
    struct claims__pent {
        int64_t number;
        size_t off, len; /* its "[...]" in seg */
    } *e;
    size_t n, cap;
    pl_buf out; /* claims__pack_text's result */
} claims__pack;

/* Empty p (its memory kept); free it. */
void claims__pack_reset(claims__pack *p);
void claims__pack_free(claims__pack *p);
/* The most lines a claim may have: its lines are one value of its row, held in memory
 * while it is written (X12 837 allows 999 service lines on an institutional claim, CCLF
 * numbers revenue lines up to 450). */
#define CLAIMS__MAX_LINES 9999
#define CLAIMS__TOO_MANY_LINES "claim_line_number: a claim may have at most 9999 lines"

/* Add line l (its claim_id is not read): 0; -EEXIST when p has its number and replace
 * is 0 (with replace, the line replaces it); -E2BIG when p has CLAIMS__MAX_LINES lines
 * and l is another; -ENOMEM. */
int claims__pack_add(claims__pack *p, const claim_line_rec *l, int replace);
/* p's lines in number order as a claims.lines value, NUL-terminated, owned by p (valid
 * until p changes), its length in *len (NULL: not wanted); NULL when out of memory. */
const char *claims__pack_text(claims__pack *p, size_t *len);
/* p := the lines of stored value text[0..len): 0, -EIO (err: not packed lines),
 * -ENOMEM. */
int claims__pack_parse(claims__pack *p, const char *text, size_t len, char *err, size_t errlen);

struct claims_w {
    store__w w;     /* its statements: claims_w.c's SQL[] */
    claims__aw *aw; /* the write-behind queue while claims_w_async_begin runs; NULL: none */
    uint64_t expect; /* claims_w_expect's hint (0: none) */
    /* claims__w_insert_many of 2^k rows (made on first use) */
    sqlite3_stmt *many_claims[6];
    sqlite3_stmt *many_plain[6]; /* the same for plain claims (claims_w.c, PLAIN_COLS) */
    /* the sticky failure of the last write-behind, after claims_w_async_end (0: none) */
    int fail;
    size_t fail_at;
    int64_t fail_line_no;
    char fail_claim[80];
    char fail_msg[512];
    /* a claim this writer inserted or found (claims__w_line_claim); "" none */
    char known[80];
    /* claims_w_bulk_begin's dropped triggers' SQL, to make again, and the counts of the
     * current claims written since by end date (both NULL: the triggers keep them) */
    char *trigger_sql;
    end_tally *tally;
    int tally_lost; /* a count could not be kept: claims_w_bulk_end counts the table */
    /* stamp_claim's last find: the stored claim was current, and its end date */
    int found_current;
    char found_end[32];
    /* The pending claim: claims_w_insert keeps it, with its texts in pend_arena, and the
     * claims_w_line calls for it add to pend_lines (on the caller's thread, written
     * behind or not); it is written (or queued with its packed lines) as one row at the
     * next other call, claims_w_flush, claims_w_async_begin or claims_w_async_end. */
    int pend;
    size_t pend_at; /* written behind: the line it came from (claims_w_at) */
    claim_rec pend_rec;
    char *pend_arena;
    size_t pend_cap;
    claims__pack pend_lines;
    claims__pack slow; /* claims__w_line's lines of a stored claim */
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

/* What a line whose key is stored is refused with (as the claim_lines table's key said
 * it, store__w_step naming the fields). */
#define CLAIMS__DUP_LINE                                                                     \
    "claim_id, claim_line_number: UNIQUE constraint failed: claim_lines.claim_id, "           \
    "claim_lines.claim_line_number"

/* X(r, field) for every text field of a claim_rec (but lines) and a claim_line_rec. */
#define CLAIM_TEXTS(X, r)                                                                    \
    X(r, claim_id) X(r, claim_type) X(r, person_id) X(r, claim_start_date)                  \
    X(r, claim_end_date) X(r, admission_date) X(r, discharge_date)                          \
    X(r, discharge_disposition_code) X(r, bill_type_code) X(r, facility_npi)                \
    X(r, diagnosis_codes) X(r, procedure_codes) X(r, status) X(r, status_reason)            \
    X(r, claim_key) X(r, control_number) X(r, original_control_number) X(r, source)         \
    X(r, paid_date)
#define LINE_TEXTS(X, r)                                                                     \
    X(r, claim_id) X(r, claim_line_start_date) X(r, claim_line_end_date)                    \
    X(r, place_of_service_code) X(r, revenue_center_code) X(r, hcpcs_code)                  \
    X(r, hcpcs_modifiers) X(r, rendering_npi) X(r, rendering_tin) X(r, billing_npi)         \
    X(r, billing_tin)

/* The synchronous writes (claims_w.c), as the public calls document them. */
int claims__w_delete(claims_w *w, const char *claim_id, char *err, size_t errlen);
int claims__w_paid_date(claims_w *w, const char *claim_id, const char *paid_date, char *err,
                        size_t errlen);
/* claims__w_insert writes r with its packed lines r->lines (NULL: none) at once;
 * claims__w_line adds a line to a stored claim (read, merged, written back: the slow
 * path, for a claim not written with its lines), -EIO with err when no such claim is
 * stored. */
int claims__w_insert(claims_w *w, const claim_rec *r, char *err, size_t errlen);
int claims__w_line(claims_w *w, const claim_line_rec *l, int replace, char *err, size_t errlen);
/* The same for lines l[0..n) of one stored claim (l[0]'s claim_id), one read and one
 * write for all of them; on a line's failure *bad is its index (the claim's row is as it
 * was). */
int claims__w_lines(claims_w *w, const claim_line_rec *const *l, size_t n, int replace,
                    size_t *bad, char *err, size_t errlen);
int claims__w_fill(claims_w *w, const claim_rec *r, char *err, size_t errlen);

/* The most rows per multi-row INSERT: one statement's fixed cost shared by that many
 * rows (CLAIMS__MANY * 25 parameters). */
#define CLAIMS__MANY 32

/* Insert the n claims r[0..n) (each with its packed lines) in one INSERT OR FAIL
 * statement, n a power of two up to CLAIMS__MANY, the beneficiaries stamped first.
 * 0; -EAGAIN when the statement failed at a row: the rows before it are written (OR FAIL
 * keeps them, so the statement needs no statement journal: SQLite otherwise saves every
 * page a multi-row statement touches before touching it) and *done is their number; the
 * caller inserts the rest one by one to meet the failure at its row (only for a
 * constraint OR FAIL handles: a key, NOT NULL, CHECK); -EIO with err (a stamp or the
 * statement could not be made, or any other error, such as a full disk, which rolls the
 * whole transaction back: nothing may be written after it; *done 0). */
int claims__w_insert_many(claims_w *w, const claim_rec *const *r, size_t n, size_t *done,
                          char *err, size_t errlen);

/* Queue one write (a copy of rec, a claim_rec or claim_line_rec by kind, or of the texts
 * a and b for DELETE and PAID_DATE). 0 queued, or the sticky failure (<0, err set). Only
 * while w->aw is set. */
int claims__aw_push(claims_w *w, int kind, const void *rec, const char *a, const char *b,
                    char *err, size_t errlen);
/* A write the caller refused (a line of the pending claim, with err its message) made
 * the queue's sticky failure, as if the writer had met it at the current line: after the
 * queued writes ran (an earlier failure of theirs is returned instead). Returns the
 * failure. */
int claims__aw_fail(claims_w *w, int rc, const char *claim_id, int64_t line_no, char *err,
                    size_t errlen);
/* The queue's sticky failure (err set), or 0. */
int claims__aw_failed(claims_w *w, char *err, size_t errlen);
/* claims__aw_push of a write that came from line at (not the current line); the current
 * line (claims_w_at), 0 without a queue. */
int claims__aw_push_at(claims_w *w, int kind, const void *rec, const char *a, const char *b,
                       size_t at, char *err, size_t errlen);
size_t claims__aw_at(const claims_w *w);
/* Wait until every queued write ran: 0, or the sticky failure (err set). A no-op (0)
 * without a queue. */
int claims__aw_drain(claims_w *w, char *err, size_t errlen);

#endif
