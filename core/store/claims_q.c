/*
 * claims_q.c: see claims_q.h.
 */
#include "claims_q.h"

#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

/* One row per claim; the line sums count only lines that are priced (denied = 0).
 * Columns: claims_q.h's CLAIMS_Q_* order. The WHERE clauses are appended by
 * claims_sql(). The sums and counts come from the claim's packed lines (cara_lines,
 * store_internal.h): no join, so ORDER BY walks the claims_person index and LIMIT stops
 * it early (through the claim_lines view, a LEFT JOIN made SQLite materialize the view:
 * every line, for every query). */
static const char SELECT_SQL[] =
    "SELECT c.claim_id, c.person_id, c.claim_type, c.claim_start_date, c.claim_end_date, "
    "cara_lines(c.lines, 0), cara_lines(c.lines, 1), c.status, c.source, "
    "lo.path, c.control_number, c.claim_key, c.status_reason, c.related_claim_id, "
    "cara_lines(c.lines, 2), cara_lines(c.lines, 3), c.paid_cents, "
    "c.bill_type_code, c.load_id "
    "FROM claims c LEFT JOIN loads lo ON lo.load_id = c.load_id WHERE 1";
static const char PERSON_SQL[] = " AND c.person_id = :person";
/* the claim id, the control number, or the claim number of a feed's "<number>#<record>" */
static const char CLAIM_SQL[] =
    " AND (c.claim_id = :claim OR (c.control_number <> '' AND c.control_number = :claim) OR "
    "(instr(c.claim_id, '#') > 1 AND substr(c.claim_id, 1, instr(c.claim_id, '#') - 1) = :claim))";
static const char STATUS_SQL[] = " AND c.status = :status";
static const char ORDER_SQL[] =
    " ORDER BY c.person_id, c.claim_start_date, c.claim_id LIMIT :limit";

static void bind(sqlite3_stmt *st, const char *name, const char *text)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0 && text) sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

int claims_q_none(store *s)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM claims LIMIT 1", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 1 : rc == SQLITE_ROW ? 0 : -EIO;
}

int claims_q_list(store *s, const char *person, const char *claim, const char *status,
                  int64_t limit, store_row_fn fn, void *ud, char *err, size_t errlen)
{
    char sql[sizeof SELECT_SQL + sizeof PERSON_SQL + sizeof CLAIM_SQL + sizeof STATUS_SQL +
             sizeof ORDER_SQL];
    snprintf(sql, sizeof sql, "%s%s%s%s%s", SELECT_SQL, person ? PERSON_SQL : "",
             claim ? CLAIM_SQL : "", status ? STATUS_SQL : "", ORDER_SQL);
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    bind(st, ":person", person);
    bind(st, ":claim", claim);
    bind(st, ":status", status);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":limit"), limit);
    return store__rows_step(db, st, fn, ud, err, errlen);
}

/* The stays' read; PERSONS selects the persons (cclf_stays). Bills that start the same
 * day at one facility come in the order they were delivered (their delivery's load,
 * then their record number in its CCLF1 file, the number after the ':' of `source`),
 * then by claim id: an order that does not depend on the order the loader stored their
 * rows in. */
#define STAYS_SQL(PERSONS)                                                                 \
    "SELECT c.claim_id, c.person_id, c.facility_npi, substr(c.bill_type_code, 1, 2), "     \
    "julianday(c.claim_start_date), julianday(c.claim_end_date), "                          \
    "c.discharge_disposition_code, c.admission_date, c.bill_type_code FROM claims c "       \
    "JOIN loads l USING (load_id) WHERE l.kind LIKE 'cclf%' AND c.status = 'current' AND "  \
    "c.admission_date IS NOT NULL AND c.person_id IN (" PERSONS ") ORDER BY 2, 3, 4, 5, "  \
    "c.load_id, CAST(substr(c.source, instr(c.source, ':') + 1) AS INTEGER), 1"

/* The persons' list as the temporary table cclf_persons (made empty first). */
static int persons_table(store *s, const mbi_map *persons, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    if (sqlite3_exec(db, "DROP TABLE IF EXISTS temp.cclf_persons; CREATE TEMP TABLE "
                     "cclf_persons (person_id TEXT PRIMARY KEY) WITHOUT ROWID", NULL, NULL,
                     NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    sqlite3_stmt *st = store__prepare(s, "INSERT OR IGNORE INTO temp.cclf_persons VALUES (?1)",
                                      err, errlen);
    if (!st) return -EIO;
    int rc = 0;
    for (size_t i = 0; i < mbi_map_size(persons) && rc == 0; i++) {
        sqlite3_bind_text(st, 1, mbi_map_key(persons, i), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
            rc = -EIO;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int claims_q_cclf_stays(store *s, int64_t load_id, const mbi_map *persons,
                        claims_q_stay_fn fn, void *ud, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    if (persons && persons_table(s, persons, err, errlen) < 0) return -EIO;
    sqlite3_stmt *st = store__prepare(
        s,
        persons ? STAYS_SQL("SELECT person_id FROM temp.cclf_persons")
                : STAYS_SQL("SELECT person_id FROM claims WHERE load_id = ?1"),
        err, errlen);
    if (!st) return -EIO;
    if (!persons) sqlite3_bind_int64(st, 1, load_id);
    int n = 0, rc = SQLITE_DONE, k = 0;
    while (k == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        claims_q_stay_row r = {
            .claim_id = (const char *)sqlite3_column_text(st, 0),
            .person_id = (const char *)sqlite3_column_text(st, 1),
            .facility_npi = (const char *)sqlite3_column_text(st, 2),
            .bill_class = (const char *)sqlite3_column_text(st, 3),
            .start_jd = sqlite3_column_double(st, 4),
            .end_jd = sqlite3_column_double(st, 5),
            .discharge_disposition_code = (const char *)sqlite3_column_text(st, 6),
            .admission_date = (const char *)sqlite3_column_text(st, 7),
            .bill_type_code = (const char *)sqlite3_column_text(st, 8),
        };
        /* every text column is NOT NULL (admission_date by the WHERE): NULL is no memory */
        if (!r.claim_id || !r.person_id || !r.facility_npi || !r.bill_class ||
            !r.discharge_disposition_code || !r.admission_date || !r.bill_type_code) {
            snprintf(err, errlen, "out of memory");
            k = -ENOMEM;
        } else if ((k = fn(&r, ud)) == 0) {
            n++;
        }
    }
    if (k == 0 && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        k = -EIO;
    }
    sqlite3_finalize(st);
    if (persons) (void)sqlite3_exec(db, "DROP TABLE IF EXISTS temp.cclf_persons", NULL, NULL, NULL);
    return k < 0 ? k : n;
}
