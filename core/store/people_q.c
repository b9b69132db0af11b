/*
 * people_q.c: see people_q.h.
 */
#include "people_q.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct people_q {
    sqlite3 *db;
    sqlite3_stmt *aligned;
};

/* Bind n text parameters to st and step it once: SQLITE_ROW, SQLITE_DONE, or an error
 * code with err = SQLite's message. The statement is reset afterwards. */
static int bind_step(sqlite3 *db, sqlite3_stmt *st, int n, const char *const *v, char *err,
                     size_t errlen)
{
    int rc = SQLITE_OK;
    for (int k = 0; k < n && rc == SQLITE_OK; k++)
        rc = sqlite3_bind_text(st, k + 1, v[k], -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    sqlite3_reset(st);
    return rc;
}

int people_q_file_aligned(store *s, const char *from, const char *to, int *found, char *err,
                          size_t errlen)
{
    *found = 0;
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM alignment WHERE source = 'file' AND "
                               "start_date <= ?2 AND (end_date IS NULL OR end_date >= ?1) "
                               "LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    const char *v[] = {from, to};
    int rc = bind_step(db, st, 2, v, err, errlen);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -EIO;
    *found = rc == SQLITE_ROW;
    return 0;
}

int people_q_open(store *s, people_q **out, char *err, size_t errlen)
{
    *out = NULL;
    people_q *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    q->db = store_db(s);
    if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM alignment WHERE person_id = ?1 AND start_date "
                                  "<= ?3 AND (end_date IS NULL OR end_date >= ?2)", -1,
                           &q->aligned, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(q->db));
        people_q_close(q);
        return -EIO;
    }
    *out = q;
    return 0;
}

void people_q_close(people_q *q)
{
    if (!q) return;
    sqlite3_finalize(q->aligned);
    free(q);
}

int people_q_aligned(people_q *q, const char *person_id, const char *from, const char *to,
                     int *found, char *err, size_t errlen)
{
    *found = 0;
    const char *v[] = {person_id, from, to};
    int rc = bind_step(q->db, q->aligned, 3, v, err, errlen);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -EIO;
    *found = rc == SQLITE_ROW;
    return 0;
}
