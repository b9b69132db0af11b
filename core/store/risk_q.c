/*
 * risk_q.c: see risk_q.h.
 */
#include "risk_q.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"


int risk_q_persons(store *s, int (*fn)(const char *person_id, void *ud), void *ud, char *err,
                   size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, "SELECT DISTINCT person_id FROM eligibility "
                                         "ORDER BY person_id", err, errlen);
    if (!st) return -EIO;
    int rc = SQLITE_DONE, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) k = fn(store__col(st, 0), ud);
    return store__reader_end(s, st, rc, k, err, errlen);
}

int risk_q_latest_run(store *s, const char *template_id, int64_t *run_id, char *err,
                      size_t errlen)
{
    *run_id = 0;
    sqlite3_stmt *st = store__prepare(s,
        "SELECT max(run_id) FROM runs WHERE status = 'done' AND abandoned_at IS NULL "
        "AND (template_filter IS NULL OR template_filter = ?1)", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_text(st, 1, template_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *run_id = sqlite3_column_int64(st, 0);
    if (rc != SQLITE_ROW) snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(st);
    return rc != SQLITE_ROW ? -EIO : *run_id > 0;
}

int risk_q_run_done(store *s, int64_t run_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s,
        "SELECT count(*) FROM runs WHERE run_id = ?1 AND status = 'done' "
        "AND abandoned_at IS NULL", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, run_id);
    int rc = sqlite3_step(st);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -EIO;
    if (rc != SQLITE_ROW) snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(st);
    return n < 0 ? n : n > 0;
}

/* The persons of one of the queries below, for family and each overlay in turn. */
static int open_persons(store *s, const char *sql, int64_t run_id, const char *family,
                        const char *const *overlays, const char *as_of,
                        int (*fn)(const char *person_id, void *ud), void *ud, char *err,
                        size_t errlen)
{
    /* the family, then each overlay, one query each (an IN list of unknown length is not
     * worth building); persons come back ordered per query and are merged by the caller's
     * set semantics: fn may see a person twice only when two templates of the family
     * hold an open episode for them, which an ACO overlay excludes (one version prices a
     * beneficiary) */
    sqlite3_stmt *st = store__prepare(s, sql, err, errlen);
    if (!st) return -EIO;
    int k = 0, rc = SQLITE_DONE;
    for (size_t i = 0; !k; i++) {
        const char *t = i == 0 ? family : overlays ? overlays[i - 1] : NULL;
        if (!t) break;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_text(st, 2, t, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, as_of, -1, SQLITE_TRANSIENT);
        while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) k = fn(store__col(st, 0), ud);
        if (!k && rc != SQLITE_DONE) break;
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

int risk_q_open_episodes(store *s, int64_t run_id, const char *family,
                         const char *const *overlays, const char *as_of,
                         int (*fn)(const char *person_id, void *ud), void *ud, char *err,
                         size_t errlen)
{
    return open_persons(s,
        "SELECT DISTINCT person_id FROM run_episodes WHERE run_id = ?1 AND template_id = ?2 "
        "AND status <> 'excluded' AND trigger_date <= ?3 AND end_date >= ?3 "
        "ORDER BY person_id", run_id, family, overlays, as_of, fn, ud, err, errlen);
}

int risk_q_open_provisional(store *s, const char *family, const char *const *overlays,
                            const char *as_of, int (*fn)(const char *person_id, void *ud),
                            void *ud, char *err, size_t errlen)
{
    /* ?1 (a run) is not used: the ADT feed's episodes are not any run's */
    return open_persons(s,
        "SELECT DISTINCT person_id FROM provisional_episodes WHERE ?1 IS NOT NULL AND "
        "template_id = ?2 AND status = 'provisional' AND day0 <= ?3 AND end_date >= ?3 "
        "ORDER BY person_id", 0, family, overlays, as_of, fn, ud, err, errlen);
}
