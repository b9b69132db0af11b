/*
 * changes_q.c: see changes_q.h.
 */
#include "changes_q.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

int changes_q_tick(store *s, int64_t *was, char *err, size_t errlen)
{
    *was = 0;
    sqlite3_stmt *st = store__prepare(s, "UPDATE change_clock SET seq = seq + 1 WHERE id = 1 "
                                         "RETURNING seq - 1", err, errlen);
    if (!st) return -EIO;
    int rc = sqlite3_step(st), k = 0;
    if (rc == SQLITE_ROW) {
        *was = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "the change clock has no row (a store not migrated by cara?)");
        k = -EIO;
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

static char *dup_col(sqlite3_stmt *st, int i, int *oom)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t) return NULL;
    char *d = strdup((const char *)t);
    if (!d) *oom = 1;
    return d;
}

int changes_q_run(store *s, int64_t run_id, changes_run *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store__prepare(s, "SELECT status, paid_through_date IS NOT NULL, "
                                         "change_seq, basis, coalesce(period, 0), template_filter, "
                                         "coalesce(rows_base_run_id, 0) FROM runs WHERE run_id = ?1", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, run_id);
    int rc = sqlite3_step(st), k = 0, oom = 0;
    if (rc == SQLITE_ROW) {
        out->run_id = run_id;
        out->status = dup_col(st, 0, &oom);
        out->interim = sqlite3_column_int(st, 1);
        out->has_seq = sqlite3_column_type(st, 2) != SQLITE_NULL;
        out->change_seq = sqlite3_column_int64(st, 2);
        out->basis = dup_col(st, 3, &oom);
        out->period = sqlite3_column_int(st, 4);
        out->template_filter = dup_col(st, 5, &oom);
        out->rows_base = sqlite3_column_int64(st, 6);
        k = 1;
        if (oom || !out->status) {
            changes_q_run_free(out);
            snprintf(err, errlen, "out of memory");
            k = -ENOMEM;
        }
        rc = SQLITE_DONE;
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

int changes_q_latest(store *s, int period, const char *template_filter, int64_t *run_id,
                     char *err, size_t errlen)
{
    *run_id = 0;
    sqlite3_stmt *st = store__prepare(s, "SELECT max(run_id) FROM runs WHERE status = 'done' "
                                         "AND paid_through_date IS NULL AND change_seq IS NOT "
                                         "NULL AND coalesce(period, 0) = ?1 AND "
                                         "template_filter IS ?2", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int(st, 1, period);
    if (template_filter) sqlite3_bind_text(st, 2, template_filter, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), k = 0;
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(st, 0);
        k = *run_id > 0;
        rc = SQLITE_DONE;
    }
    return store__reader_end(s, st, rc, k, err, errlen);
}

void changes_q_run_free(changes_run *r)
{
    free(r->status);
    free(r->basis);
    free(r->template_filter);
    memset(r, 0, sizeof *r);
}

int changes_q_changed(store *s, int64_t since,
                      int (*fn)(const char *person_id, int has_claims, void *ud), void *ud,
                      char *err, size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, "SELECT p.person_id, EXISTS (SELECT 1 FROM claims c "
                                         "WHERE c.status = 'current' AND c.person_id = "
                                         "p.person_id) FROM person_changes p WHERE p.seq > ?1 "
                                         "ORDER BY p.person_id", err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_int64(st, 1, since);
    int rc, k = 0;
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW)
        k = fn(store__col(st, 0), sqlite3_column_int(st, 1), ud);
    return store__reader_end(s, st, rc, k, err, errlen);
}
