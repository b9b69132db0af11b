/*
 * feed_store.c: see feed_store.h.
 */
#include "feed_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

enum {
    S_VERSION_GET, S_CLAIM_DEL, S_VERSION_PUT, S_CLAIM_INS, S_LINE_INS,
    S_BENE_COUNT, S_BENE_INS, S_BENE_UPD, S_BENE_CLOSE,
    S_XWALK_PUT, S_XWALK_GET, S_XWALK_CHAIN, S_REKEY_CLAIMS, S_REKEY_ELIG, S_DROP_ELIG,
    S_REKEY_ALIGN, S_DROP_ALIGN, S_PATIENT_PUT, S_PATIENT_GET,
    S_N
};

static const char *const SQL[S_N] = {
    [S_VERSION_GET] = "SELECT claim_id, version, adjustment FROM feed_versions WHERE claim_key = ?1",
    [S_CLAIM_DEL] = "DELETE FROM claims WHERE claim_id = ?1",
    [S_VERSION_PUT] = "INSERT INTO feed_versions (claim_key, claim_id, version, adjustment, source, "
                      "load_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (claim_key) DO UPDATE "
                      "SET claim_id = excluded.claim_id, version = excluded.version, adjustment = "
                      "excluded.adjustment, source = excluded.source, load_id = excluded.load_id",
    [S_CLAIM_INS] = "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, "
                    "claim_end_date, admission_date, discharge_date, discharge_disposition_code, "
                    "bill_type_code, facility_npi, adjustment_type_code, diagnosis_codes, "
                    "procedure_codes, load_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                    "?11, ?12, ?13, ?14)",
    [S_LINE_INS] = "INSERT OR REPLACE INTO claim_lines (claim_id, claim_line_number, "
                   "claim_line_start_date, claim_line_end_date, place_of_service_code, "
                   "revenue_center_code, hcpcs_code, hcpcs_modifiers, rendering_npi, "
                   "rendering_tin, billing_npi, billing_tin, paid_cents, allowed_cents) VALUES "
                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [S_BENE_COUNT] = "SELECT count(*) FROM eligibility WHERE person_id = ?1",
    [S_BENE_INS] = "INSERT INTO eligibility (person_id, enrollment_start_date, enrollment_end_date, "
                   "gender, birth_date, death_date, dual_status_code, medicare_status_code, "
                   "hospice_flag, state, zip_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                   "?10, ?11) ON CONFLICT (person_id, enrollment_start_date) DO UPDATE SET "
                   "enrollment_end_date = excluded.enrollment_end_date",
    [S_BENE_UPD] = "UPDATE eligibility SET gender = CASE WHEN ?2 = 'unknown' THEN gender ELSE ?2 END, "
                   "birth_date = ?3, death_date = coalesce(?4, death_date), dual_status_code = "
                   "CASE WHEN ?5 = '' THEN dual_status_code ELSE ?5 END, medicare_status_code = "
                   "CASE WHEN ?6 = '' THEN medicare_status_code ELSE ?6 END, hospice_flag = "
                   "CASE WHEN ?7 AND (enrollment_end_date IS NULL OR ?10 IS NULL OR "
                   "enrollment_end_date >= ?10) THEN 1 ELSE hospice_flag END, state = CASE WHEN ?8 = '' THEN state ELSE ?8 END, "
                   "zip_code = CASE WHEN ?9 = '' THEN zip_code ELSE ?9 END WHERE person_id = ?1",
    [S_BENE_CLOSE] = "UPDATE eligibility SET enrollment_end_date = ?2 WHERE person_id = ?1 AND "
                     "enrollment_end_date IS NULL AND enrollment_start_date <= ?2",
    [S_XWALK_PUT] = "INSERT INTO mbi_xwalk (previous_mbi, current_mbi, load_id) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (previous_mbi) DO UPDATE SET current_mbi = excluded.current_mbi, "
                    "load_id = excluded.load_id",
    [S_XWALK_GET] = "SELECT current_mbi FROM mbi_xwalk WHERE previous_mbi = ?1",
    [S_XWALK_CHAIN] = "UPDATE mbi_xwalk SET current_mbi = ?2 WHERE current_mbi = ?1",
    [S_REKEY_CLAIMS] = "UPDATE claims SET person_id = ?2 WHERE person_id = ?1",
    [S_REKEY_ELIG] = "UPDATE OR IGNORE eligibility SET person_id = ?2 WHERE person_id = ?1",
    [S_DROP_ELIG] = "DELETE FROM eligibility WHERE person_id = ?1",
    [S_REKEY_ALIGN] = "UPDATE OR IGNORE alignment SET person_id = ?2 WHERE person_id = ?1",
    [S_DROP_ALIGN] = "DELETE FROM alignment WHERE person_id = ?1",
    [S_PATIENT_PUT] = "INSERT INTO fhir_patients (patient_id, mbi) VALUES (?1, ?2) ON CONFLICT "
                      "(patient_id) DO UPDATE SET mbi = excluded.mbi",
    [S_PATIENT_GET] = "SELECT mbi FROM fhir_patients WHERE patient_id = ?1",
};

struct feed_sink {
    sqlite3 *db;
    int64_t load_id;
    sqlite3_stmt *st[S_N];
    feed_stats stats;
};

static int fail(feed_sink *k, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(k->db));
    return -EIO;
}

int feed_sink_open(store *s, int64_t load_id, feed_sink **out, char *err, size_t errlen)
{
    feed_sink *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    k->db = store_db(s);
    k->load_id = load_id;
    for (int i = 0; i < S_N; i++)
        if (sqlite3_prepare_v2(k->db, SQL[i], -1, &k->st[i], NULL) != SQLITE_OK) {
            int rc = fail(k, "preparing the feed statements", err, errlen);
            feed_sink_close(k);
            return rc;
        }
    *out = k;
    return 0;
}

void feed_sink_close(feed_sink *k)
{
    if (!k) return;
    for (int i = 0; i < S_N; i++) sqlite3_finalize(k->st[i]);
    free(k);
}

const feed_stats *feed_sink_stats(const feed_sink *k) { return &k->stats; }

/* ---- binding helpers ------------------------------------------------------------------ */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void bind_date(sqlite3_stmt *st, int i, cara_date d)
{
    if (d == CARA_DATE_NONE) {
        sqlite3_bind_null(st, i);
        return;
    }
    char buf[11];
    date_format(d, buf);
    sqlite3_bind_text(st, i, buf, 10, SQLITE_TRANSIENT);
}

/* Step a statement that returns no row, then reset it. */
static int exec(feed_sink *k, int which, char *err, size_t errlen)
{
    sqlite3_stmt *st = k->st[which];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : fail(k, "storing feed data", err, errlen);
}

/* Space-separated codes. */
static void join_codes(const char (*codes)[8], int n, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t m = strlen(codes[i]);
        if (!m || o + m + 2 > len) continue;
        if (o) out[o++] = ' ';
        memcpy(out + o, codes[i], m + 1);
        o += m;
    }
}

/* ---- claims ------------------------------------------------------------------------------ */

static const char *type_name(int type)
{
    return type == FEED_INSTITUTIONAL ? "institutional" : type == FEED_DME ? "dme" : "professional";
}

static int insert_claim(feed_sink *k, const feed_claim *c, char *err, size_t errlen)
{
    sqlite3_stmt *st = k->st[S_CLAIM_INS];
    char dx[FEED_DX_MAX * 9 + 1], px[FEED_PX_MAX * 9 + 1];
    join_codes(c->dx, c->n_dx, dx, sizeof dx);
    join_codes(c->px, c->n_px, px, sizeof px);
    bind_text(st, 1, c->claim_id);
    bind_text(st, 2, type_name(c->type));
    bind_text(st, 3, c->person_id);
    bind_date(st, 4, c->start);
    bind_date(st, 5, c->end);
    bind_date(st, 6, c->admission);
    bind_date(st, 7, c->discharge);
    bind_text(st, 8, c->disposition);
    bind_text(st, 9, c->bill_type);
    bind_text(st, 10, c->facility_npi);
    sqlite3_bind_int(st, 11, c->adjustment);
    bind_text(st, 12, dx);
    bind_text(st, 13, px);
    sqlite3_bind_int64(st, 14, k->load_id);
    int rc = exec(k, S_CLAIM_INS, err, errlen);
    st = k->st[S_LINE_INS];
    for (size_t i = 0; i < c->n_lines && rc == 0; i++) {
        const feed_line *l = &c->lines[i];
        char mods[FEED_MOD_MAX * 3 + 1];
        size_t o = 0;
        for (int m = 0; m < FEED_MOD_MAX; m++) {
            if (!l->mods[m][0]) continue;
            if (o) mods[o++] = ' ';
            size_t n = strlen(l->mods[m]);
            memcpy(mods + o, l->mods[m], n);
            o += n;
        }
        mods[o] = '\0';
        bind_text(st, 1, c->claim_id);
        sqlite3_bind_int64(st, 2, l->number);
        bind_date(st, 3, l->start);
        bind_date(st, 4, l->end);
        bind_text(st, 5, l->pos);
        bind_text(st, 6, l->revenue);
        bind_text(st, 7, l->hcpcs);
        bind_text(st, 8, mods);
        bind_text(st, 9, l->rendering_npi);
        bind_text(st, 10, l->rendering_tin);
        bind_text(st, 11, l->billing_npi);
        bind_text(st, 12, l->billing_tin);
        sqlite3_bind_int64(st, 13, l->paid_cents);
        sqlite3_bind_int64(st, 14, l->allowed_cents);
        rc = exec(k, S_LINE_INS, err, errlen);
        if (rc == 0) k->stats.lines++;
    }
    return rc;
}

int feed_put_claim(feed_sink *k, const feed_claim *c, const char *source, char *err,
                   size_t errlen)
{
    sqlite3_stmt *st = k->st[S_VERSION_GET];
    bind_text(st, 1, c->key);
    char old_id[65] = "";
    int have = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        have = 1;
        const unsigned char *id = sqlite3_column_text(st, 0);
        snprintf(old_id, sizeof old_id, "%s", id ? (const char *)id : "");
        int64_t v = sqlite3_column_int64(st, 1);
        int adj = sqlite3_column_int(st, 2);
        /* older, or a cancellation tying with the version it voids: stale */
        int stale = c->version < v || (c->version == v && c->adjustment == FEED_CANCEL &&
                                       adj != FEED_CANCEL);
        if (stale) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            k->stats.stale++;
            return 0;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(k, "reading claim versions", err, errlen);
    if (have && old_id[0] && strcmp(old_id, c->claim_id) != 0) {
        bind_text(k->st[S_CLAIM_DEL], 1, old_id);
        if ((rc = exec(k, S_CLAIM_DEL, err, errlen)) < 0) return rc;
    }
    bind_text(k->st[S_CLAIM_DEL], 1, c->claim_id);
    if ((rc = exec(k, S_CLAIM_DEL, err, errlen)) < 0) return rc;
    st = k->st[S_VERSION_PUT];
    bind_text(st, 1, c->key);
    bind_text(st, 2, c->claim_id);
    sqlite3_bind_int64(st, 3, c->version);
    sqlite3_bind_int(st, 4, c->adjustment);
    bind_text(st, 5, source ? source : "");
    sqlite3_bind_int64(st, 6, k->load_id);
    if ((rc = exec(k, S_VERSION_PUT, err, errlen)) < 0) return rc;
    if (c->adjustment == FEED_CANCEL) {
        k->stats.cancelled++;
        return 1;
    }
    if ((rc = insert_claim(k, c, err, errlen)) < 0) return rc;
    k->stats.claims++;
    return 1;
}

/* ---- beneficiaries ---------------------------------------------------------------------- */

static int insert_span(feed_sink *k, const feed_bene *b, cara_date start, cara_date end,
                       int hospice, char *err, size_t errlen)
{
    sqlite3_stmt *st = k->st[S_BENE_INS];
    bind_text(st, 1, b->person_id);
    bind_date(st, 2, start);
    bind_date(st, 3, end);
    bind_text(st, 4, b->gender[0] ? b->gender : "unknown");
    bind_date(st, 5, b->birth);
    bind_date(st, 6, b->death);
    bind_text(st, 7, b->dual);
    bind_text(st, 8, b->medicare_status);
    sqlite3_bind_int(st, 9, hospice ? 1 : 0);
    bind_text(st, 10, b->state);
    bind_text(st, 11, b->zip);
    return exec(k, S_BENE_INS, err, errlen);
}

int feed_put_bene(feed_sink *k, const feed_bene *spans, size_t n, char *err, size_t errlen)
{
    if (n == 0) return 0;
    const feed_bene *b = &spans[0];
    sqlite3_stmt *st = k->st[S_BENE_COUNT];
    bind_text(st, 1, b->person_id);
    int64_t have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (have < 0) return fail(k, "reading eligibility", err, errlen);
    int rc;
    if (have == 0) {
        for (size_t i = 0; i < n; i++) {
            cara_date s = spans[i].enroll_start, e = spans[i].enroll_end, h = b->hospice_start;
            int in_span = h != CARA_DATE_NONE && (e == CARA_DATE_NONE || h <= e);
            if (in_span && h > s) { /* hospice starts inside the span: split it there */
                if ((rc = insert_span(k, b, s, h - 1, 0, err, errlen)) < 0) return rc;
                s = h;
            }
            if ((rc = insert_span(k, b, s, e, b->hospice || in_span, err, errlen)) < 0) return rc;
        }
        k->stats.benes_new++;
        return 0;
    }
    st = k->st[S_BENE_UPD];
    bind_text(st, 1, b->person_id);
    bind_text(st, 2, b->gender[0] ? b->gender : "unknown");
    bind_date(st, 3, b->birth);
    bind_date(st, 4, b->death);
    bind_text(st, 5, b->dual);
    bind_text(st, 6, b->medicare_status);
    sqlite3_bind_int(st, 7, b->hospice ? 1 : 0);
    bind_text(st, 8, b->state);
    bind_text(st, 9, b->zip);
    if (b->hospice_start != CARA_DATE_NONE) sqlite3_bind_int(st, 7, 1);
    bind_date(st, 10, b->hospice_start);
    if ((rc = exec(k, S_BENE_UPD, err, errlen)) < 0) return rc;
    if (b->death != CARA_DATE_NONE) {
        bind_text(k->st[S_BENE_CLOSE], 1, b->person_id);
        bind_date(k->st[S_BENE_CLOSE], 2, b->death);
        if ((rc = exec(k, S_BENE_CLOSE, err, errlen)) < 0) return rc;
    }
    k->stats.benes_updated++;
    return 0;
}

/* ---- MBI crosswalk and FHIR patients ------------------------------------------------------ */

static int pair(feed_sink *k, int which, const char *a, const char *b, char *err, size_t errlen)
{
    bind_text(k->st[which], 1, a);
    bind_text(k->st[which], 2, b);
    return exec(k, which, err, errlen);
}

int feed_xwalk_put(feed_sink *k, const char *previous, const char *current, char *err,
                   size_t errlen)
{
    if (strcmp(previous, current) == 0) return 0;
    char have[13];
    feed_xwalk_current(k, previous, have);
    int known = strcmp(have, current) == 0;
    sqlite3_stmt *st = k->st[S_XWALK_PUT];
    bind_text(st, 1, previous);
    bind_text(st, 2, current);
    sqlite3_bind_int64(st, 3, k->load_id);
    int rc = exec(k, S_XWALK_PUT, err, errlen);
    if (!rc) rc = pair(k, S_XWALK_CHAIN, previous, current, err, errlen);
    if (!rc) rc = pair(k, S_REKEY_CLAIMS, previous, current, err, errlen);
    if (!rc) rc = pair(k, S_REKEY_ELIG, previous, current, err, errlen);
    if (!rc) {
        bind_text(k->st[S_DROP_ELIG], 1, previous);
        rc = exec(k, S_DROP_ELIG, err, errlen);
    }
    if (!rc) rc = pair(k, S_REKEY_ALIGN, previous, current, err, errlen);
    if (!rc) {
        bind_text(k->st[S_DROP_ALIGN], 1, previous);
        rc = exec(k, S_DROP_ALIGN, err, errlen);
    }
    if (!rc && !known) k->stats.remapped++;
    return rc;
}

/* One lookup in a (key) -> text table. 1 found, 0 not. */
static int lookup(feed_sink *k, int which, const char *key, char out[13])
{
    sqlite3_stmt *st = k->st[which];
    bind_text(st, 1, key);
    int found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        if (v) {
            snprintf(out, 13, "%s", (const char *)v);
            found = 1;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

void feed_xwalk_current(feed_sink *k, const char *mbi, char out[13])
{
    if (!lookup(k, S_XWALK_GET, mbi, out)) snprintf(out, 13, "%s", mbi);
}

int feed_patient_put(feed_sink *k, const char *patient_id, const char *mbi, char *err,
                     size_t errlen)
{
    return pair(k, S_PATIENT_PUT, patient_id, mbi, err, errlen);
}

int feed_patient_mbi(feed_sink *k, const char *patient_id, char out[13])
{
    return lookup(k, S_PATIENT_GET, patient_id, out);
}
