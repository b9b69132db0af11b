/*
 * people_w.c: see people_w.h.
 */
#include "people_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_w_internal.h"

enum {
    P_ELIG_PUT, P_ELIG_SPAN, P_ELIG_DEMO, P_ELIG_CLOSE, P_ALIGN_PUT, P_ALIGN_CCLF8,
    P_CCLF8_YEARS, P_FILE_COVERS, P_CCLF8_DROP, P_REKEY_ELIG, P_DROP_ELIG, P_REKEY_ALIGN,
    P_DROP_ALIGN, P_N
};

#define ELIG_INSERT                                                                          \
    "INSERT INTO eligibility (person_id, enrollment_start_date, enrollment_end_date, gender, " \
    "birth_date, death_date, dual_status_code, medicare_status_code, hospice_flag, state, "    \
    "zip_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT "             \
    "(person_id, enrollment_start_date) DO UPDATE SET "

/* CCLF8's demographics over a stored span (P_ELIG_DEMO): the columns, their new values */
#define DEMO_COLS                                                                           \
    "gender, birth_date, death_date, dual_status_code, medicare_status_code, hospice_flag, " \
    "state, zip_code"
#define DEMO_NEW                                                                            \
    "CASE WHEN ?2 = 'unknown' THEN gender ELSE ?2 END, ?3, coalesce(?4, death_date), "     \
    "CASE WHEN ?5 = '' THEN dual_status_code ELSE ?5 END, CASE WHEN ?6 = '' THEN "          \
    "medicare_status_code ELSE ?6 END, CASE WHEN ?7 AND (enrollment_end_date IS NULL OR "   \
    "?10 IS NULL OR enrollment_end_date >= ?10) THEN 1 ELSE hospice_flag END, CASE WHEN "    \
    "?8 = '' THEN state ELSE ?8 END, CASE WHEN ?9 = '' THEN zip_code ELSE ?9 END"

static const char *const SQL[P_N] = {
    [P_ELIG_PUT] = ELIG_INSERT "enrollment_end_date = excluded.enrollment_end_date, gender = "
                   "excluded.gender, birth_date = excluded.birth_date, death_date = "
                   "excluded.death_date, dual_status_code = excluded.dual_status_code, "
                   "medicare_status_code = excluded.medicare_status_code, hospice_flag = "
                   "excluded.hospice_flag, state = excluded.state, zip_code = excluded.zip_code",
    [P_ELIG_SPAN] = ELIG_INSERT "enrollment_end_date = excluded.enrollment_end_date",
    /* only the spans whose values change are written: a monthly CCLF8 repeats most
     * beneficiaries as they were (the change trigger compares the same columns) */
    [P_ELIG_DEMO] = "UPDATE eligibility SET (" DEMO_COLS ") = (" DEMO_NEW ") WHERE person_id = ?1 "
                    "AND (" DEMO_COLS ") IS NOT (" DEMO_NEW ")",
    [P_ELIG_CLOSE] = "UPDATE eligibility SET enrollment_end_date = ?2 WHERE person_id = ?1 AND "
                     "enrollment_end_date IS NULL AND enrollment_start_date <= ?2",
    [P_ALIGN_PUT] = "INSERT INTO alignment (person_id, aco_id, start_date, end_date) VALUES (?1, "
                    "?2, ?3, ?4) ON CONFLICT (person_id, aco_id, start_date) DO UPDATE SET "
                    "end_date = excluded.end_date",
    [P_ALIGN_CCLF8] = "INSERT OR IGNORE INTO alignment (person_id, aco_id, start_date, end_date, "
                      "source) VALUES (?1, ?2, ?3, ?4, 'cclf8')",
    [P_CCLF8_YEARS] = "SELECT DISTINCT start_date, end_date FROM alignment WHERE source = 'cclf8'",
    [P_FILE_COVERS] = "SELECT 1 FROM alignment WHERE source = 'file' AND start_date <= ?2 AND "
                      "(end_date IS NULL OR end_date >= ?1) LIMIT 1",
    [P_CCLF8_DROP] = "DELETE FROM alignment WHERE source = 'cclf8' AND start_date = ?1 AND "
                     "end_date = ?2",
    [P_REKEY_ELIG] = "UPDATE OR IGNORE eligibility SET person_id = ?2 WHERE person_id = ?1",
    [P_DROP_ELIG] = "DELETE FROM eligibility WHERE person_id = ?1",
    [P_REKEY_ALIGN] = "UPDATE OR IGNORE alignment SET person_id = ?2 WHERE person_id = ?1",
    [P_DROP_ALIGN] = "DELETE FROM alignment WHERE person_id = ?1",
};

struct people_w {
    store__w w; /* its statements: SQL[] */
};

int people_w_open(store *s, people_w **out, char *err, size_t errlen)
{
    *out = store__w_new(s, sizeof **out, SQL, P_N, err, errlen);
    return *out ? 0 : -ENOMEM;
}

void people_w_close(people_w *w) { store__w_free(w); }

static sqlite3_stmt *stmt(people_w *w, int which, char *err, size_t errlen)
{
    return store__w_stmt(&w->w, which, err, errlen);
}

static int elig(people_w *w, int which, const elig_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->person_id);
    store__w_text(st, 2, r->enrollment_start_date);
    store__w_text(st, 3, r->enrollment_end_date);
    store__w_text(st, 4, r->gender);
    store__w_text(st, 5, r->birth_date);
    store__w_text(st, 6, r->death_date);
    store__w_text0(st, 7, r->dual_status_code);
    store__w_text0(st, 8, r->medicare_status_code);
    sqlite3_bind_int(st, 9, r->hospice_flag ? 1 : 0);
    store__w_text0(st, 10, r->state);
    store__w_text0(st, 11, r->zip_code);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int people_w_elig_put(people_w *w, const elig_rec *r, char *err, size_t errlen)
{
    return elig(w, P_ELIG_PUT, r, err, errlen);
}

int people_w_elig_span(people_w *w, const elig_rec *r, char *err, size_t errlen)
{
    return elig(w, P_ELIG_SPAN, r, err, errlen);
}

int people_w_elig_demographics(people_w *w, const elig_rec *r, const char *hospice_start,
                               char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, P_ELIG_DEMO, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->person_id);
    store__w_text(st, 2, r->gender);
    store__w_text(st, 3, r->birth_date);
    store__w_text(st, 4, r->death_date);
    store__w_text0(st, 5, r->dual_status_code);
    store__w_text0(st, 6, r->medicare_status_code);
    sqlite3_bind_int(st, 7, r->hospice_flag ? 1 : 0);
    store__w_text0(st, 8, r->state);
    store__w_text0(st, 9, r->zip_code);
    store__w_text(st, 10, hospice_start);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

/* A statement of two text parameters. */
static int pair(people_w *w, int which, const char *a, const char *b, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, a);
    if (b) store__w_text(st, 2, b);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int people_w_elig_close(people_w *w, const char *person, const char *end, char *err,
                        size_t errlen)
{
    return pair(w, P_ELIG_CLOSE, person, end, err, errlen);
}

static int align(people_w *w, int which, const align_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->person_id);
    store__w_text(st, 2, r->aco_id);
    store__w_text(st, 3, r->start_date);
    store__w_text(st, 4, r->end_date);
    return store__w_step(w->w.db, st, "aco_id", err, errlen) < 0 ? -EIO : 0;
}

int people_w_align_put(people_w *w, const align_rec *r, char *err, size_t errlen)
{
    return align(w, P_ALIGN_PUT, r, err, errlen);
}

int people_w_align_cclf8(people_w *w, const align_rec *r, char *err, size_t errlen)
{
    return align(w, P_ALIGN_CCLF8, r, err, errlen);
}

/* One check per distinct CCLF8 year (at most 16, as before), not per row. */
int people_w_align_drop_cclf8_covered(people_w *w, char *err, size_t errlen)
{
    sqlite3_stmt *years = stmt(w, P_CCLF8_YEARS, err, errlen);
    sqlite3_stmt *covered = stmt(w, P_FILE_COVERS, err, errlen);
    sqlite3_stmt *drop = stmt(w, P_CCLF8_DROP, err, errlen);
    if (!years || !covered || !drop) return -EIO;
    char from[16][11], to[16][11];
    int n = 0, rc;
    while ((rc = sqlite3_step(years)) == SQLITE_ROW && n < 16) {
        const unsigned char *a = sqlite3_column_text(years, 0), *b = sqlite3_column_text(years, 1);
        snprintf(from[n], 11, "%s", a ? (const char *)a : "");
        snprintf(to[n], 11, "%s", b ? (const char *)b : "");
        n++;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok) snprintf(err, errlen, "%s", sqlite3_errmsg(w->w.db));
    sqlite3_reset(years);
    if (!ok) return -EIO;
    for (int i = 0; i < n; i++) {
        sqlite3_bind_text(covered, 1, from[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(covered, 2, to[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(covered);
        int hit = rc == SQLITE_ROW;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(w->w.db));
            sqlite3_reset(covered);
            return -EIO;
        }
        sqlite3_reset(covered);
        if (hit && pair(w, P_CCLF8_DROP, from[i], to[i], err, errlen) < 0) return -EIO;
    }
    return 0;
}

int people_w_rekey(people_w *w, const char *previous, const char *current, char *err,
                   size_t errlen)
{
    int rc = pair(w, P_REKEY_ELIG, previous, current, err, errlen);
    if (!rc) rc = pair(w, P_DROP_ELIG, previous, NULL, err, errlen);
    if (!rc) rc = pair(w, P_REKEY_ALIGN, previous, current, err, errlen);
    if (!rc) rc = pair(w, P_DROP_ALIGN, previous, NULL, err, errlen);
    return rc;
}
