/*
 * claims_w: the writer of the claims tables: claims (one row per stored claim version)
 * and claim_lines. medical_claim.csv (core/load), the CCLF loader (core/load: the bills
 * of a stay) and the feed sink (feed_store.c: CCLF and FHIR claim versions) write
 * through it. Each statement is prepared once per writer, on first use, with an explicit
 * column list. Calls run inside the caller's transaction.
 *
 * Errors: 0, -EEXIST when a claim line's key is already stored (claims_w_line without
 * replace), or -EIO, each with a message in err naming the field the store refused
 * ("claim_type: CHECK constraint failed: ..."); the connection's sqlite3_errmsg keeps
 * SQLite's message alone.
 */
#ifndef CARA_STORE_CLAIMS_W_H
#define CARA_STORE_CLAIMS_W_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

typedef struct claims_w claims_w;

/* A writer on s; the caller owns *out (claims_w_close). 0, or -ENOMEM. */
int claims_w_open(store *s, claims_w **out, char *err, size_t errlen);
/* Finalize its statements and free it (NULL is a no-op). */
void claims_w_close(claims_w *w);

/* A claims row. Dates 'YYYY-MM-DD' (NULL stores NULL); other text NULL stores the
 * column's default ('' ; status 'current'; claim_key NULL). Borrowed for the call. */
typedef struct claim_rec {
    const char *claim_id, *claim_type, *person_id, *claim_start_date, *claim_end_date;
    const char *admission_date, *discharge_date;
    const char *discharge_disposition_code, *bill_type_code, *facility_npi;
    int adjustment_type_code;      /* 0 original, 1 cancellation, 2 adjustment */
    const char *diagnosis_codes, *procedure_codes; /* space-separated */
    int64_t load_id;
    const char *status, *status_reason, *claim_key, *control_number, *original_control_number;
    int64_t version;
    int has_paid, has_allowed;     /* 0: paid_cents / allowed_cents NULL */
    int64_t paid_cents, allowed_cents;
    const char *source;            /* file:record */
    const char *paid_date;         /* when this version was paid; NULL: unknown */
    /* its lines packed (base/packed_lines.h; NULL: none): claims_w fills it from the
     * claims_w_line calls; a caller leaves it NULL */
    const char *lines;
} claim_rec;

/* A claim_lines row (key claim_id, claim_line_number). */
typedef struct claim_line_rec {
    const char *claim_id;
    int64_t claim_line_number;
    const char *claim_line_start_date, *claim_line_end_date; /* NULL stores NULL */
    const char *place_of_service_code, *revenue_center_code, *hcpcs_code, *hcpcs_modifiers;
    const char *rendering_npi, *rendering_tin, *billing_npi, *billing_tin; /* NULL stores '' */
    int64_t paid_cents, allowed_cents;
    int denied;                    /* 0 or 1 */
    int has_detail;                /* 0: detail_paid_cents NULL */
    int64_t detail_paid_cents;
} claim_line_rec;

/* Set claim claim_id's paid date ('YYYY-MM-DD'; NULL stores NULL). */
int claims_w_paid_date(claims_w *w, const char *claim_id, const char *paid_date, char *err,
                       size_t errlen);

/* Delete claim claim_id and its lines (none stored: 0). */
int claims_w_delete(claims_w *w, const char *claim_id, char *err, size_t errlen);

/* Insert a claim header (a stored claim_id is an error: delete it first). A claim's
 * lines are stored in its row (claims.lines, packed: base/packed_lines.h), so the claim
 * is kept (copied) until its lines are known: it is written with them at the next
 * claims_w call that is not a line of it, at claims_w_flush, claims_w_bulk_end or
 * claims_w_async_begin; an error of that write is returned by that call. */
int claims_w_insert(claims_w *w, const claim_rec *r, char *err, size_t errlen);

/* Insert a claim line; with replace, a stored line of the same key is replaced, without
 * it the call returns -EEXIST. A line of the claim claims_w_insert keeps joins it; a line
 * of a claim already written is merged into its stored lines (a read and a write of the
 * row: the slow way). Lines are written only with their claim's claims_w_insert in the
 * same transaction: the insert stamps the beneficiary in person_changes (incremental
 * runs, changes_q.h); every other call here stamps the beneficiaries of the claims it
 * touches. */
int claims_w_line(claims_w *w, const claim_line_rec *l, int replace, char *err, size_t errlen);

/* Write the claim claims_w_insert keeps, with its lines (none kept: 0). Call it before
 * reading the claims tables by other means in the same transaction, and before the
 * commit (claims_w_async_end and claims_w_bulk_end call it). -EEXIST or -EIO with err
 * as claims_w_insert's, -ENOMEM. */
int claims_w_flush(claims_w *w, char *err, size_t errlen);

/* claims_w_flush, then (writing behind) wait until every queued write ran; the queue
 * goes on at the next queued call. From its return to the next claims_w call the caller
 * may read (and write other tables through) w's connection: the writer thread is idle.
 * 0 or the sticky failure (-EEXIST, -EIO, -ENOMEM) with err as the call that met it. */
int claims_w_settle(claims_w *w, char *err, size_t errlen);

/* Drop the claim claims_w_insert keeps, unwritten (after a rollback to a savepoint
 * taken before it). NULL is a no-op. */
void claims_w_discard(claims_w *w);

/* Set the claim-level fields a later CSV row filled in: admission_date, discharge_date
 * (NULL: NULL), discharge_disposition_code, bill_type_code, facility_npi and
 * diagnosis_codes (from r; the other fields of r are not read). */
int claims_w_fill_header(claims_w *w, const claim_rec *r, char *err, size_t errlen);

/* Set claim_id's status and related_claim_id (NULL: NULL). */
int claims_w_status(claims_w *w, const char *claim_id, const char *status,
                    const char *related, char *err, size_t errlen);

/* Set claim_id's admission_date (the first bill of its stay). */
int claims_w_admission(claims_w *w, const char *claim_id, const char *admission, char *err,
                       size_t errlen);

/* Move person previous's claims to current (CCLF9): the natural keys that end in
 * previous end in current, and person_id follows. */
int claims_w_rekey(claims_w *w, const char *previous, const char *current, char *err,
                   size_t errlen);

/* A load: when a transaction is open and count is 1, drop the triggers that keep
 * claim_end_days (current claims by end date, the data's as-of date: a trigger program
 * per claim written, and a statement journal per multi-row insert) and count the
 * claims this writer inserts, deletes and changes the status of in memory instead
 * (a stored claim's status and end date from the look-up that precedes each delete or
 * status change), to be added in claims_w_bulk_end. Pass count 0 when a write may be
 * rolled back alone (a savepoint per claim): the triggers then stay. 1 dropped, 0
 * nothing to do, -EIO with err. Call before claims_w_async_begin; the caller must call
 * claims_w_bulk_end before it commits (a rollback restores the triggers). Every write
 * to claims in the transaction until then must go through this writer. */
int claims_w_bulk_begin(claims_w *w, int count, char *err, size_t errlen);

/* A hint: about how many claims the write-behind queue of the next claims_w_async_begin
 * will insert (0: not known, the default). It sizes that queue's filter of the claim ids
 * it inserted (bloom_bits_for): a hint too small costs look-ups, never a wrong answer. */
void claims_w_expect(claims_w *w, uint64_t claims);
/* After every queued write: add the counts to claim_end_days and make the triggers
 * claims_w_bulk_begin dropped again. 0 (also when none were dropped) or -EIO with err. */
int claims_w_bulk_end(claims_w *w, char *err, size_t errlen);

/* ---- write-behind (claims_w_async.c) ---------------------------------------------------
 * A bulk load validates on its own thread while a second thread writes. From
 * claims_w_async_begin to claims_w_async_end, claims_w_delete, claims_w_insert,
 * claims_w_line, claims_w_fill_header and claims_w_paid_date copy their arguments into a
 * batch and return at once; the writer thread runs the batches on w's connection in call
 * order, inside the caller's transaction (a bounded queue: a caller that gets ahead waits).
 * A claim and the lines that follow it are packed on the caller's thread, as without the
 * queue, and queued as one write at the next other call (a line refused there, such as a
 * repeated number, is the queue's failure at once, at the current line).
 * Until claims_w_async_end the caller must not use the connection in any other way; the
 * other claims_w calls first wait until every queued write ran. The first failure of a
 * queued write is sticky: that call and every later one return it (-EEXIST, -EIO, or
 * -ENOMEM), and claims_w_failure says which write failed. */

/* Start the writer thread. 0, -EALREADY (already started), or -ENOMEM / -EAGAIN with err. */
int claims_w_async_begin(claims_w *w, char *err, size_t errlen);
/* The source line (the input's line or record) of the writes that follow; kept with each
 * queued write for claims_w_failure. */
void claims_w_at(claims_w *w, size_t line);
/* Wait for every queued write, stop the thread: the writer is synchronous again. 0 (also
 * when never started) or the sticky failure, its message in err. */
int claims_w_async_end(claims_w *w, char *err, size_t errlen);
/* The sticky failure of the queued writes: its code (0: none), and in *line the source
 * line of the write (claims_w_at), *claim_id and *line_no the claim and line number it
 * wrote, *msg the message as a synchronous call gives it in err. The strings live as long
 * as w. Read it only after a claims_w call returned the failure. */
int claims_w_failure(const claims_w *w, size_t *line, const char **claim_id, int64_t *line_no,
                     const char **msg);

#endif
