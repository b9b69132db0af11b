/*
 * claims_w.c: see claims_w.h.
 */
#include "claims_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_w_internal.h"

enum { C_DELETE, C_INSERT, C_LINES_GET, C_LINES_PUT, C_FILL, C_STATUS, C_ADMISSION,
       C_REKEY_KEYS, C_REKEY_PERSON, C_PAID_DATE, C_PERSON, C_N };

/* The columns of a claims row, bound in this order (bind_claim: CLAIM_PARAMS). */
#define CLAIM_COLS                                                                           \
    "claim_id, claim_type, person_id, claim_start_date, claim_end_date, admission_date, "    \
    "discharge_date, discharge_disposition_code, bill_type_code, facility_npi, "              \
    "adjustment_type_code, diagnosis_codes, procedure_codes, load_id, status, status_reason, " \
    "claim_key, control_number, original_control_number, version, paid_cents, "              \
    "allowed_cents, source, paid_date, lines"
#define CLAIM_PARAMS 25
/* The columns a plain claim sets (a claims file's: no feed fields, see plain()); the
 * others take their declared defaults, the values bind_claim binds for such a claim, so
 * the row is the same with 10 fewer parameters to bind (bind_plain: PLAIN_PARAMS). */
#define PLAIN_COLS                                                                           \
    "claim_id, claim_type, person_id, claim_start_date, claim_end_date, admission_date, "    \
    "discharge_date, discharge_disposition_code, bill_type_code, facility_npi, "              \
    "adjustment_type_code, diagnosis_codes, load_id, paid_date, lines"
#define PLAIN_PARAMS 15

static const char *const SQL[C_N] = {
    [C_DELETE] = "DELETE FROM claims WHERE claim_id = ?1",
    [C_INSERT] = "INSERT INTO claims (" CLAIM_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                 "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    /* a stored claim's lines, read and written back (claims__w_line) */
    [C_LINES_GET] = "SELECT lines FROM claims WHERE claim_id = ?1",
    [C_LINES_PUT] = "UPDATE claims SET lines = ?2 WHERE claim_id = ?1",
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
    [C_PERSON] = "SELECT person_id, status = 'current', claim_end_date FROM claims "
                 "WHERE claim_id = ?1",
};

int claims_w_open(store *s, claims_w **out, char *err, size_t errlen)
{
    *out = store__w_new(s, sizeof **out, SQL, C_N, err, errlen);
    return *out ? 0 : -ENOMEM;
}

void claims_w_close(claims_w *w)
{
    if (!w) return;
    char e[256];
    claims_w_discard(w); /* a pending claim not flushed: its transaction is rolled back */
    claims_w_async_end(w, e, sizeof e); /* a failure was reported by the call that met it */
    for (size_t i = 0; i < sizeof w->many_claims / sizeof w->many_claims[0]; i++) {
        sqlite3_finalize(w->many_claims[i]);
        sqlite3_finalize(w->many_plain[i]);
    }
    free(w->trigger_sql);
    end_tally_free(w->tally);
    free(w->pend_arena); /* a pending claim not flushed: its transaction is rolled back */
    claims__pack_free(&w->pend_lines);
    claims__pack_free(&w->slow);
    store__w_free(w);
}

static sqlite3_stmt *stmt(claims_w *w, int which, char *err, size_t errlen)
{
    return store__w_stmt(&w->w, which, err, errlen);
}

static int settle(claims_w *w, char *err, size_t errlen);

/* Stamp the beneficiary of stored claim claim_id: 1, or 0 when it is not stored (nothing
 * stamped); -EIO. */
static int stamp_claim(claims_w *w, const char *claim_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, C_PERSON, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, claim_id);
    int rc = sqlite3_step(st);
    char person[80] = "";
    int found = rc == SQLITE_ROW;
    if (found) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        snprintf(person, sizeof person, "%s", p ? p : "");
        w->found_current = sqlite3_column_int(st, 1);
        const char *e = (const char *)sqlite3_column_text(st, 2);
        if ((size_t)snprintf(w->found_end, sizeof w->found_end, "%s", e ? e : "") >=
            sizeof w->found_end)
            w->tally_lost = 1; /* not a date: counted again at the end */
        rc = SQLITE_DONE;
    }
    if (rc != SQLITE_DONE) snprintf(err, errlen, "%s", sqlite3_errmsg(w->w.db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return -EIO;
    if (!found) return 0;
    return store__w_stamp(&w->w, person, err, errlen) < 0 ? -EIO : 1;
}

/* While claims_w_bulk_begin's triggers are dropped: count delta current claims ending
 * on day (a failure to count is made good at the end). */
static void tally(claims_w *w, const char *day, int64_t delta)
{
    if (w->tally && end_tally_add(w->tally, day, delta) < 0) w->tally_lost = 1;
}

/* The same for claims r[0..n) just inserted: the current ones. */
static void tally_inserted(claims_w *w, const claim_rec *const *r, size_t n)
{
    for (size_t i = 0; w->tally && i < n; i++)
        if (!r[i]->status || !strcmp(r[i]->status, "current")) tally(w, r[i]->claim_end_date, 1);
}

static int texts(claims_w *w, int which, const char *a, const char *b, char *err, size_t errlen)
{
    /* the stamp goes first: if it fails, nothing was written */
    int rc = which == C_REKEY_KEYS || which == C_REKEY_PERSON
                 ? store__w_stamp(&w->w, a, err, errlen) /* every claim of a (to b) */
                 : stamp_claim(w, a, err, errlen);
    if (rc == 0 && which == C_REKEY_PERSON) rc = store__w_stamp(&w->w, b, err, errlen);
    if (rc < 0) return -EIO;
    if (rc == 0 && which == C_DELETE) return 0; /* not stored: nothing to delete */
    sqlite3_stmt *st = stmt(w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, a);
    if (which != C_DELETE) store__w_text(st, 2, b);
    if (store__w_step(w->w.db, st, NULL, err, errlen) < 0) return -EIO;
    if (which == C_DELETE && w->found_current) tally(w, w->found_end, -1);
    return 0;
}

int claims__w_delete(claims_w *w, const char *claim_id, char *err, size_t errlen)
{
    return texts(w, C_DELETE, claim_id, NULL, err, errlen);
}

int claims__w_paid_date(claims_w *w, const char *claim_id, const char *paid_date, char *err,
                        size_t errlen)
{
    return texts(w, C_PAID_DATE, claim_id, paid_date, err, errlen);
}

/* Bind claim r as parameters o+1 .. o+CLAIM_PARAMS. */
/* The first 12 columns, which CLAIM_COLS and PLAIN_COLS share, from parameter o + 1. */
static void bind_head(sqlite3_stmt *st, int o, const claim_rec *r)
{
    store__w_text(st, o + 1, r->claim_id);
    store__w_text(st, o + 2, r->claim_type);
    store__w_text(st, o + 3, r->person_id);
    store__w_text(st, o + 4, r->claim_start_date);
    store__w_text(st, o + 5, r->claim_end_date);
    store__w_text(st, o + 6, r->admission_date);
    store__w_text(st, o + 7, r->discharge_date);
    store__w_text0(st, o + 8, r->discharge_disposition_code);
    store__w_text0(st, o + 9, r->bill_type_code);
    store__w_text0(st, o + 10, r->facility_npi);
    sqlite3_bind_int(st, o + 11, r->adjustment_type_code);
    store__w_text0(st, o + 12, r->diagnosis_codes);
}

static void bind_claim(sqlite3_stmt *st, int o, const claim_rec *r)
{
    bind_head(st, o, r);
    store__w_text0(st, o + 13, r->procedure_codes);
    sqlite3_bind_int64(st, o + 14, r->load_id);
    store__w_text(st, o + 15, r->status ? r->status : "current");
    store__w_text0(st, o + 16, r->status_reason);
    store__w_text(st, o + 17, r->claim_key);
    store__w_text0(st, o + 18, r->control_number);
    store__w_text0(st, o + 19, r->original_control_number);
    sqlite3_bind_int64(st, o + 20, r->version);
    store__w_int(st, o + 21, r->has_paid, r->paid_cents);
    store__w_int(st, o + 22, r->has_allowed, r->allowed_cents);
    store__w_text0(st, o + 23, r->source);
    store__w_text(st, o + 24, r->paid_date);
    store__w_text(st, o + 25, r->lines ? r->lines : "[]");
}

/* 1 when r sets none of the columns PLAIN_COLS leaves out, or sets them to their
 * defaults: procedure_codes, status_reason, control_number, original_control_number and
 * source '' (or NULL, bound as ''), status 'current' (or NULL), claim_key NULL, version 0,
 * paid_cents and allowed_cents NULL (store/store_schema.c declares these defaults). */
static int plain(const claim_rec *r)
{
#define EMPTY_(f) (!r->f || !r->f[0])
    return EMPTY_(procedure_codes) && EMPTY_(status_reason) && EMPTY_(control_number) &&
           EMPTY_(original_control_number) && EMPTY_(source) &&
           (!r->status || !strcmp(r->status, "current")) && !r->claim_key && r->version == 0 &&
           !r->has_paid && !r->has_allowed;
#undef EMPTY_
}

/* A plain claim's PLAIN_PARAMS values from parameter o + 1 on. */
static void bind_plain(sqlite3_stmt *st, int o, const claim_rec *r)
{
    bind_head(st, o, r);
    sqlite3_bind_int64(st, o + 13, r->load_id);
    store__w_text(st, o + 14, r->paid_date);
    store__w_text(st, o + 15, r->lines ? r->lines : "[]");
}

int claims__w_insert(claims_w *w, const claim_rec *r, char *err, size_t errlen)
{
    if (store__w_stamp(&w->w, r->person_id, err, errlen) < 0) return -EIO; /* first: see texts */
    sqlite3_stmt *st = stmt(w, C_INSERT, err, errlen);
    if (!st) return -EIO;
    bind_claim(st, 0, r);
    if (store__w_step(w->w.db, st, NULL, err, errlen) < 0) return -EIO;
    tally_inserted(w, &r, 1);
    return 0;
}

int claims__w_lines(claims_w *w, const claim_line_rec *const *l, size_t n, int replace,
                    size_t *bad, char *err, size_t errlen)
{
    *bad = 0;
    sqlite3_stmt *st = stmt(w, C_LINES_GET, err, errlen);
    if (!st) return -EIO;
    const char *id = l[0]->claim_id;
    store__w_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = claims__pack_parse(&w->slow, (const char *)sqlite3_column_text(st, 0),
                                (size_t)sqlite3_column_bytes(st, 0), err, errlen);
    else if (rc == SQLITE_DONE)
        rc = -ENOENT;
    else
        rc = store_fail(w->w.db, err, errlen, "reading claim %s", id ? id : "");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == -ENOENT) {
        snprintf(err, errlen, "claim_id: no claim \"%s\" is stored for this line", id ? id : "");
        return -EIO;
    }
    if (rc < 0) return rc == -ENOMEM ? -ENOMEM : -EIO;
    for (size_t i = 0; i < n; i++) {
        rc = claims__pack_add(&w->slow, l[i], replace);
        if (rc < 0) {
            *bad = i;
            snprintf(err, errlen, "%s", rc == -EEXIST  ? CLAIMS__DUP_LINE
                                        : rc == -E2BIG ? CLAIMS__TOO_MANY_LINES
                                                       : "out of memory");
            return rc == -E2BIG ? -EIO : rc;
        }
    }
    const char *text = claims__pack_text(&w->slow, NULL);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (!(st = stmt(w, C_LINES_PUT, err, errlen))) return -EIO;
    store__w_text(st, 1, id);
    store__w_text(st, 2, text);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int claims__w_line(claims_w *w, const claim_line_rec *l, int replace, char *err, size_t errlen)
{
    size_t bad;
    return claims__w_lines(w, &l, 1, replace, &bad, err, errlen);
}

/* The statement inserting n rows of `cols` into `table` (n * params parameters), made
 * once into *st. */
static sqlite3_stmt *many_stmt(claims_w *w, sqlite3_stmt **st, const char *table,
                               const char *cols, int params, size_t n, char *err, size_t errlen)
{
    if (*st) return *st;
    size_t cap = strlen(table) + strlen(cols) + 64 + n * ((size_t)params * 2 + 4);
    char *sql = malloc(cap);
    if (!sql) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    size_t o = (size_t)snprintf(sql, cap, "INSERT OR FAIL INTO %s (%s) VALUES ", table, cols);
    for (size_t i = 0; i < n; i++) {
        sql[o++] = i ? ',' : ' ';
        sql[o++] = '(';
        for (int k = 0; k < params; k++) {
            if (k) sql[o++] = ',';
            sql[o++] = '?';
        }
        sql[o++] = ')';
    }
    sql[o] = '\0';
    if (store__w_prepare(w->w.db, st, sql, err, errlen) < 0) *st = NULL;
    free(sql);
    return *st;
}

/* Index of power of two n in the statement arrays. */
static int log2i(size_t n)
{
    int k = 0;
    while (n > 1) n >>= 1, k++;
    return k;
}

/* After a failed INSERT OR FAIL of many rows: 1 when the rows before the failing one
 * stand and the rest may go one by one. Only a constraint that OR FAIL handles stops the
 * statement there; with no statement journal, other errors (disk full, out of memory, an
 * I/O error, an interrupt) roll the whole transaction back, which nothing may write on
 * past (the connection would be in autocommit: every later row committed alone). */
static int retry_ok(claims_w *w)
{
    int ext = sqlite3_extended_errcode(w->w.db);
    return !sqlite3_get_autocommit(w->w.db) &&
           (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE ||
            ext == SQLITE_CONSTRAINT_NOTNULL || ext == SQLITE_CONSTRAINT_CHECK);
}

/* The rows a failed INSERT OR FAIL wrote before its failing row (SQLite counts them
 * when the statement halts), at most n. */
static size_t written(claims_w *w, size_t n)
{
    sqlite3_int64 k = sqlite3_changes64(w->w.db);
    return k < 0 ? 0 : (size_t)k > n ? n : (size_t)k;
}

int claims__w_insert_many(claims_w *w, const claim_rec *const *r, size_t n, size_t *done,
                          char *err, size_t errlen)
{
    *done = 0;
    for (size_t i = 0; i < n; i++) /* first: see texts */
        if (store__w_stamp(&w->w, r[i]->person_id, err, errlen) < 0) return -EIO;
    int all_plain = 1;
    for (size_t i = 0; i < n && all_plain; i++) all_plain = plain(r[i]);
    sqlite3_stmt *st = all_plain ? many_stmt(w, &w->many_plain[log2i(n)], "claims", PLAIN_COLS,
                                             PLAIN_PARAMS, n, err, errlen)
                                 : many_stmt(w, &w->many_claims[log2i(n)], "claims", CLAIM_COLS,
                                             CLAIM_PARAMS, n, err, errlen);
    if (!st) return -EIO;
    for (size_t i = 0; i < n; i++) {
        if (all_plain) bind_plain(st, (int)i * PLAIN_PARAMS, r[i]);
        else bind_claim(st, (int)i * CLAIM_PARAMS, r[i]);
    }
    if (store__w_step(w->w.db, st, NULL, err, errlen) == 0) {
        tally_inserted(w, r, n);
        return 0;
    }
    if (!retry_ok(w)) return -EIO;
    *done = written(w, n);
    tally_inserted(w, r, *done);
    return -EAGAIN;
}

int claims__w_fill(claims_w *w, const claim_rec *r, char *err, size_t errlen)
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
    int q = settle(w, err, errlen);
    if (q < 0) return q;
    int found = stamp_claim(w, claim_id, err, errlen);
    if (found < 0) return -EIO;
    sqlite3_stmt *st = stmt(w, C_STATUS, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, claim_id);
    store__w_text(st, 2, status);
    store__w_text(st, 3, related);
    if (store__w_step(w->w.db, st, NULL, err, errlen) < 0) return -EIO;
    if (found) { /* the row's end date is the one stamp_claim read */
        if (w->found_current) tally(w, w->found_end, -1);
        if (status && !strcmp(status, "current")) tally(w, w->found_end, 1);
    }
    return 0;
}

int claims_w_admission(claims_w *w, const char *claim_id, const char *admission, char *err,
                       size_t errlen)
{
    int q = settle(w, err, errlen);
    if (q < 0) return q;
    return texts(w, C_ADMISSION, claim_id, admission, err, errlen);
}

int claims_w_rekey(claims_w *w, const char *previous, const char *current, char *err,
                   size_t errlen)
{
    int q = settle(w, err, errlen);
    if (q < 0) return q;
    int rc = texts(w, C_REKEY_KEYS, previous, current, err, errlen);
    return rc ? rc : texts(w, C_REKEY_PERSON, previous, current, err, errlen);
}

/* ---- a load: the claims' end dates counted by the writer -------------------------------- */

/* The triggers that keep claim_end_days (store_schema.c, migration 28): one trigger
 * program per claim written, and a statement journal for every multi-row insert (a
 * trigger could fail half-way), where a load can count the claims it writes itself:
 * 10 s at 1,000,000 beneficiaries into an empty table, and a later file twice as slow
 * (docs/performance.md, "The eighth round"). */
static const char TRIGGERS_SQL[] =
    "SELECT count(*), group_concat(sql, ';' || char(10)) "
    "FROM sqlite_schema WHERE type = 'trigger' AND name IN ('claims_end_insert', "
    "'claims_end_delete', 'claims_end_update')";
static const char DROP_SQL[] = "DROP TRIGGER claims_end_insert; DROP TRIGGER claims_end_delete; "
                               "DROP TRIGGER claims_end_update;";

void claims_w_expect(claims_w *w, uint64_t claims) { w->expect = claims; }

int claims_w_bulk_begin(claims_w *w, int count, char *err, size_t errlen)
{
    sqlite3 *db = w->w.db;
    if (!count || w->tally || w->aw || sqlite3_get_autocommit(db)) return 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, TRIGGERS_SQL, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    int drop = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 3;
    if (drop && !(w->trigger_sql = strdup((const char *)sqlite3_column_text(st, 1))))
        rc = SQLITE_NOMEM;
    if (rc != SQLITE_ROW) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return -EIO;
    if (!drop) return 0; /* the triggers are not there (dropped by hand): nothing to do */
    if (!(w->tally = end_tally_new())) {
        snprintf(err, errlen, "out of memory");
    } else if (sqlite3_exec(db, DROP_SQL, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    } else {
        w->tally_lost = 0;
        return 1;
    }
    end_tally_free(w->tally);
    w->tally = NULL;
    free(w->trigger_sql);
    w->trigger_sql = NULL;
    return -EIO;
}

static int put_day(const char *day, int64_t n, void *ud)
{
    sqlite3_stmt *st = ud;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, n);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

/* claim_end_days with the tally added, or counted from claims (a count was lost). */
static int write_days(claims_w *w, char *err, size_t errlen)
{
    sqlite3 *db = w->w.db;
    if (w->tally_lost)
        return sqlite3_exec(db, "DELETE FROM claim_end_days; INSERT INTO claim_end_days SELECT "
                            "claim_end_date, count(*) FROM claims WHERE status = 'current' "
                            "GROUP BY claim_end_date", NULL, NULL, NULL) == SQLITE_OK
                   ? 0
                   : store_fail(db, err, errlen, "counting claims by end date");
    sqlite3_stmt *st = NULL;
    if (store__w_prepare(db, &st, "INSERT INTO claim_end_days VALUES (?1, ?2) ON CONFLICT "
                         "(claim_end_date) DO UPDATE SET current = current + excluded.current",
                         err, errlen) < 0)
        return -EIO;
    int rc = end_tally_each(w->tally, put_day, st);
    sqlite3_finalize(st);
    if (rc == 0 && sqlite3_exec(db, "DELETE FROM claim_end_days WHERE current <= 0", NULL, NULL,
                                NULL) != SQLITE_OK)
        rc = -EIO;
    return rc < 0 ? store_fail(db, err, errlen, "writing the claims' end dates") : 0;
}

int claims_w_bulk_end(claims_w *w, char *err, size_t errlen)
{
    if (!w || !w->tally) return claims_w_flush(w, err, errlen);
    int rc = settle(w, err, errlen);
    if (rc < 0) return rc;
    rc = write_days(w, err, errlen);
    if (rc == 0 && sqlite3_exec(w->w.db, w->trigger_sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = store_fail(w->w.db, err, errlen, "making the claims' end-date triggers again");
    end_tally_free(w->tally);
    w->tally = NULL;
    free(w->trigger_sql);
    w->trigger_sql = NULL;
    return rc < 0 ? -EIO : 0;
}

/* ---- the pending claim of the synchronous calls ------------------------------------- */

#define PEND_NEED(r, f) +((r)->f ? strlen((r)->f) + 1 : 0)
#define PEND_DUP(r, f)                                                                       \
    if ((r)->f) {                                                                            \
        size_t n_ = strlen((r)->f) + 1;                                                      \
        memcpy(w->pend_arena + used, (r)->f, n_);                                            \
        (r)->f = w->pend_arena + used;                                                       \
        used += n_;                                                                          \
    }

/* Keep claim r (copied) as the pending claim, no lines yet. */
static int pend_set(claims_w *w, const claim_rec *r, char *err, size_t errlen)
{
    size_t need = 1 CLAIM_TEXTS(PEND_NEED, r);
    if (need > w->pend_cap) {
        char *a = realloc(w->pend_arena, need);
        if (!a) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        w->pend_arena = a;
        w->pend_cap = need;
    }
    size_t used = 0;
    w->pend_rec = *r;
    CLAIM_TEXTS(PEND_DUP, &w->pend_rec)
    w->pend_rec.lines = NULL;
    claims__pack_reset(&w->pend_lines);
    w->pend_at = claims__aw_at(w);
    w->pend = 1;
    return 0;
}

int claims_w_flush(claims_w *w, char *err, size_t errlen)
{
    if (!w || !w->pend) return 0;
    w->pend = 0;
    w->pend_rec.lines = claims__pack_text(&w->pend_lines, NULL);
    if (!w->pend_rec.lines) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    /* written behind, the claim goes to the queue with its lines packed here, on the
     * loading thread: the writer only inserts rows (docs/performance.md, "The fourth
     * round: one row per claim") */
    if (w->aw)
        return claims__aw_push_at(w, CLAIMS__INSERT, &w->pend_rec, NULL, NULL, w->pend_at, err,
                                  errlen);
    return claims__w_insert(w, &w->pend_rec, err, errlen);
}

void claims_w_discard(claims_w *w)
{
    if (w) w->pend = 0;
}

/* Before any call but a line of the pending claim: the pending claim written (or
 * queued), then the queue drained. */
static int settle(claims_w *w, char *err, size_t errlen)
{
    int rc = claims_w_flush(w, err, errlen);
    return rc < 0 ? rc : claims__aw_drain(w, err, errlen);
}

int claims_w_settle(claims_w *w, char *err, size_t errlen)
{
    return settle(w, err, errlen);
}

/* ---- the queued calls: write behind while claims_w_async_begin runs, else now ----------
 * A claim and its lines are kept as the pending claim in both modes (claims_w_insert,
 * claims_w_line); any other call writes or queues it first. */

int claims_w_delete(claims_w *w, const char *claim_id, char *err, size_t errlen)
{
    int rc = claims_w_flush(w, err, errlen);
    if (rc < 0) return rc;
    if (w->aw) return claims__aw_push(w, CLAIMS__DELETE, NULL, claim_id, NULL, err, errlen);
    return claims__w_delete(w, claim_id, err, errlen);
}

int claims_w_paid_date(claims_w *w, const char *claim_id, const char *paid_date, char *err,
                       size_t errlen)
{
    int rc = claims_w_flush(w, err, errlen);
    if (rc < 0) return rc;
    if (w->aw)
        return claims__aw_push(w, CLAIMS__PAID_DATE, NULL, claim_id, paid_date, err, errlen);
    return claims__w_paid_date(w, claim_id, paid_date, err, errlen);
}

int claims_w_insert(claims_w *w, const claim_rec *r, char *err, size_t errlen)
{
    int rc = w->aw && !w->pend ? claims__aw_failed(w, err, errlen) : 0; /* sticky */
    if (rc == 0) rc = claims_w_flush(w, err, errlen);
    return rc < 0 ? rc : pend_set(w, r, err, errlen);
}

int claims_w_line(claims_w *w, const claim_line_rec *l, int replace, char *err, size_t errlen)
{
    if (w->pend && l->claim_id && !strcmp(l->claim_id, w->pend_rec.claim_id)) {
        int rc = claims__pack_add(&w->pend_lines, l, replace);
        if (rc == -EEXIST)
            snprintf(err, errlen, "%s", CLAIMS__DUP_LINE);
        else if (rc == -E2BIG)
            snprintf(err, errlen, "%s", CLAIMS__TOO_MANY_LINES);
        else if (rc < 0)
            snprintf(err, errlen, "out of memory");
        rc = rc == -E2BIG ? -EIO : rc;
        /* written behind, a refused line is the queue's failure, as if the writer had met
         * it (claims_w_failure names its line) */
        if (rc < 0 && w->aw) {
            w->pend = 0; /* the load stops: the claim is not written */
            return claims__aw_fail(w, rc, l->claim_id, l->claim_line_number, err, errlen);
        }
        return rc;
    }
    int rc = claims_w_flush(w, err, errlen);
    if (rc < 0) return rc;
    if (w->aw)
        return claims__aw_push(w, replace ? CLAIMS__LINE_REPLACE : CLAIMS__LINE, l, NULL, NULL,
                               err, errlen);
    return claims__w_line(w, l, replace, err, errlen);
}

int claims_w_fill_header(claims_w *w, const claim_rec *r, char *err, size_t errlen)
{
    int rc = claims_w_flush(w, err, errlen);
    if (rc < 0) return rc;
    if (w->aw) return claims__aw_push(w, CLAIMS__FILL, r, NULL, NULL, err, errlen);
    return claims__w_fill(w, r, err, errlen);
}
