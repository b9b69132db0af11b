/*
 * claims_w.c: see claims_w.h.
 */
#include "claims_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_w_internal.h"

enum { C_DELETE, C_INSERT, C_LINE, C_LINE_REPLACE, C_FILL, C_STATUS, C_ADMISSION, C_REKEY_KEYS,
       C_REKEY_PERSON, C_PAID_DATE, C_PERSON, C_N };

#define LINE_COLS                                                                            \
    "claim_lines (claim_id, claim_line_number, claim_line_start_date, claim_line_end_date, " \
    "place_of_service_code, revenue_center_code, hcpcs_code, hcpcs_modifiers, "               \
    "rendering_npi, rendering_tin, billing_npi, billing_tin, paid_cents, allowed_cents, "     \
    "denied, detail_paid_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "  \
    "?13, ?14, ?15, ?16)"

static const char *const SQL[C_N] = {
    [C_DELETE] = "DELETE FROM claims WHERE claim_id = ?1",
    [C_INSERT] = "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, "
                 "claim_end_date, admission_date, discharge_date, discharge_disposition_code, "
                 "bill_type_code, facility_npi, adjustment_type_code, diagnosis_codes, "
                 "procedure_codes, load_id, status, status_reason, claim_key, control_number, "
                 "original_control_number, version, paid_cents, allowed_cents, source, "
                 "paid_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                 "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
    [C_LINE] = "INSERT INTO " LINE_COLS,
    [C_LINE_REPLACE] = "INSERT OR REPLACE INTO " LINE_COLS,
    [C_FILL] = "UPDATE claims SET admission_date = ?2, discharge_date = ?3, "
               "discharge_disposition_code = ?4, bill_type_code = ?5, facility_npi = ?6, "
               "diagnosis_codes = ?7 WHERE claim_id = ?1",
    [C_STATUS] = "UPDATE claims SET status = ?2, related_claim_id = ?3 WHERE claim_id = ?1",
    [C_ADMISSION] = "UPDATE claims SET admission_date = ?2 WHERE claim_id = ?1",
    /* the MBI ends the natural keys of debit/credit claims (feed.h) */
    [C_REKEY_KEYS] = "UPDATE claims SET claim_key = substr(claim_key, 1, length(claim_key) - "
                     "length(?1)) || ?2 WHERE person_id = ?1 AND claim_key IS NOT NULL AND "
                     "substr(claim_key, -length(?1)) = ?1",
    [C_REKEY_PERSON] = "UPDATE claims SET person_id = ?2 WHERE person_id = ?1",
    [C_PAID_DATE] = "UPDATE claims SET paid_date = ?2 WHERE claim_id = ?1",
    /* whose claim a write by claim_id touches: stamped before the write (changes_q.h),
     * so that a failed stamp leaves the claim as it was */
    [C_PERSON] = "SELECT person_id FROM claims WHERE claim_id = ?1",
};

struct claims_w {
    store__w w; /* its statements: SQL[] */
};

int claims_w_open(store *s, claims_w **out, char *err, size_t errlen)
{
    *out = store__w_new(s, sizeof **out, SQL, C_N, err, errlen);
    return *out ? 0 : -ENOMEM;
}

void claims_w_close(claims_w *w) { store__w_free(w); }

static sqlite3_stmt *stmt(claims_w *w, int which, char *err, size_t errlen)
{
    return store__w_stmt(&w->w, which, err, errlen);
}

/* Stamp the beneficiary of stored claim claim_id (none when it is not stored). */
static int stamp_claim(claims_w *w, const char *claim_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, C_PERSON, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, claim_id);
    int rc = sqlite3_step(st);
    char person[80] = "";
    if (rc == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        snprintf(person, sizeof person, "%s", p ? p : "");
        rc = SQLITE_DONE;
    }
    if (rc != SQLITE_DONE) snprintf(err, errlen, "%s", sqlite3_errmsg(w->w.db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return -EIO;
    return person[0] ? store__w_stamp(&w->w, person, err, errlen) : 0;
}

static int texts(claims_w *w, int which, const char *a, const char *b, char *err, size_t errlen)
{
    /* the stamp goes first: if it fails, nothing was written */
    int rc = which == C_REKEY_KEYS || which == C_REKEY_PERSON
                 ? store__w_stamp(&w->w, a, err, errlen) /* every claim of a (to b) */
                 : stamp_claim(w, a, err, errlen);
    if (rc == 0 && which == C_REKEY_PERSON) rc = store__w_stamp(&w->w, b, err, errlen);
    if (rc < 0) return -EIO;
    sqlite3_stmt *st = stmt(w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, a);
    if (which != C_DELETE) store__w_text(st, 2, b);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int claims_w_delete(claims_w *w, const char *claim_id, char *err, size_t errlen)
{
    return texts(w, C_DELETE, claim_id, NULL, err, errlen);
}

int claims_w_paid_date(claims_w *w, const char *claim_id, const char *paid_date, char *err,
                       size_t errlen)
{
    return texts(w, C_PAID_DATE, claim_id, paid_date, err, errlen);
}

int claims_w_insert(claims_w *w, const claim_rec *r, char *err, size_t errlen)
{
    if (store__w_stamp(&w->w, r->person_id, err, errlen) < 0) return -EIO; /* first: see texts */
    sqlite3_stmt *st = stmt(w, C_INSERT, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->claim_id);
    store__w_text(st, 2, r->claim_type);
    store__w_text(st, 3, r->person_id);
    store__w_text(st, 4, r->claim_start_date);
    store__w_text(st, 5, r->claim_end_date);
    store__w_text(st, 6, r->admission_date);
    store__w_text(st, 7, r->discharge_date);
    store__w_text0(st, 8, r->discharge_disposition_code);
    store__w_text0(st, 9, r->bill_type_code);
    store__w_text0(st, 10, r->facility_npi);
    sqlite3_bind_int(st, 11, r->adjustment_type_code);
    store__w_text0(st, 12, r->diagnosis_codes);
    store__w_text0(st, 13, r->procedure_codes);
    sqlite3_bind_int64(st, 14, r->load_id);
    store__w_text(st, 15, r->status ? r->status : "current");
    store__w_text0(st, 16, r->status_reason);
    store__w_text(st, 17, r->claim_key);
    store__w_text0(st, 18, r->control_number);
    store__w_text0(st, 19, r->original_control_number);
    sqlite3_bind_int64(st, 20, r->version);
    store__w_int(st, 21, r->has_paid, r->paid_cents);
    store__w_int(st, 22, r->has_allowed, r->allowed_cents);
    store__w_text0(st, 23, r->source);
    store__w_text(st, 24, r->paid_date);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int claims_w_line(claims_w *w, const claim_line_rec *l, int replace, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, replace ? C_LINE_REPLACE : C_LINE, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, l->claim_id);
    sqlite3_bind_int64(st, 2, l->claim_line_number);
    store__w_text(st, 3, l->claim_line_start_date);
    store__w_text(st, 4, l->claim_line_end_date);
    store__w_text0(st, 5, l->place_of_service_code);
    store__w_text0(st, 6, l->revenue_center_code);
    store__w_text0(st, 7, l->hcpcs_code);
    store__w_text0(st, 8, l->hcpcs_modifiers);
    store__w_text0(st, 9, l->rendering_npi);
    store__w_text0(st, 10, l->rendering_tin);
    store__w_text0(st, 11, l->billing_npi);
    store__w_text0(st, 12, l->billing_tin);
    sqlite3_bind_int64(st, 13, l->paid_cents);
    sqlite3_bind_int64(st, 14, l->allowed_cents);
    sqlite3_bind_int(st, 15, l->denied ? 1 : 0);
    store__w_int(st, 16, l->has_detail, l->detail_paid_cents);
    return store__w_step(w->w.db, st, "claim_id", err, errlen);
}

int claims_w_fill_header(claims_w *w, const claim_rec *r, char *err, size_t errlen)
{
    if (stamp_claim(w, r->claim_id, err, errlen) < 0) return -EIO;
    sqlite3_stmt *st = stmt(w, C_FILL, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->claim_id);
    store__w_text(st, 2, r->admission_date);
    store__w_text(st, 3, r->discharge_date);
    store__w_text0(st, 4, r->discharge_disposition_code);
    store__w_text0(st, 5, r->bill_type_code);
    store__w_text0(st, 6, r->facility_npi);
    store__w_text0(st, 7, r->diagnosis_codes);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int claims_w_status(claims_w *w, const char *claim_id, const char *status,
                    const char *related, char *err, size_t errlen)
{
    if (stamp_claim(w, claim_id, err, errlen) < 0) return -EIO;
    sqlite3_stmt *st = stmt(w, C_STATUS, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, claim_id);
    store__w_text(st, 2, status);
    store__w_text(st, 3, related);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int claims_w_admission(claims_w *w, const char *claim_id, const char *admission, char *err,
                       size_t errlen)
{
    return texts(w, C_ADMISSION, claim_id, admission, err, errlen);
}

int claims_w_rekey(claims_w *w, const char *previous, const char *current, char *err,
                   size_t errlen)
{
    int rc = texts(w, C_REKEY_KEYS, previous, current, err, errlen);
    return rc ? rc : texts(w, C_REKEY_PERSON, previous, current, err, errlen);
}
