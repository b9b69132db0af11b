/*
 * particip_q.c: see particip_q.h.
 */
#include "particip_q.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { Q_ACO, Q_TERMS, Q_PROVIDER, Q_EBRA, Q_TIN, Q_N };

static const char *const SQL[Q_N] = {
    [Q_ACO] = "SELECT 1 FROM acos WHERE aco_id = ?1",
    [Q_TERMS] = "SELECT a.track, a.first_year, a.last_year, COALESCE((SELECT value FROM "
                "settings WHERE key = 'eligible_tracks'), 'global') FROM acos a WHERE "
                "a.aco_id = ?1",
    [Q_PROVIDER] = "SELECT 1 FROM providers WHERE npi = ?1 AND tin = ?2",
    [Q_EBRA] = "SELECT arrangement_id, aco_id, start_date, COALESCE(end_date, 'open') FROM "
               "arrangements WHERE npi = ?1 AND template_id = ?2 AND arrangement_id != ?3 "
               "AND status IN ('offered', 'active', 'ended', 'terminated') AND start_date "
               "<= COALESCE(?5, '9999-12-31') AND COALESCE(end_date, '9999-12-31') >= ?4 "
               "LIMIT 1",
    [Q_TIN] = "SELECT aco_id FROM aco_tins WHERE tin = ?1 AND aco_id != ?2 AND "
              "start_date <= COALESCE(?4, '9999-12-31') AND COALESCE(end_date, "
              "'9999-12-31') >= ?3 LIMIT 1",
};

#define MAX_TEXT 4 /* text columns a call hands out */

struct particip_q {
    sqlite3 *db;
    sqlite3_stmt *st[Q_N];
    char *text[MAX_TEXT]; /* the last call's text, owned */
};

static int fail(particip_q *q, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(q->db));
    return -EIO;
}

int particip_q_open(store *s, particip_q **out, char *err, size_t errlen)
{
    *out = NULL;
    particip_q *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    q->db = store_db(s);
    for (int i = 0; i < Q_N; i++)
        if (sqlite3_prepare_v2(q->db, SQL[i], -1, &q->st[i], NULL) != SQLITE_OK) {
            fail(q, err, errlen);
            particip_q_close(q);
            return -EIO;
        }
    *out = q;
    return 0;
}

void particip_q_close(particip_q *q)
{
    if (!q) return;
    for (int i = 0; i < Q_N; i++) sqlite3_finalize(q->st[i]);
    for (int i = 0; i < MAX_TEXT; i++) free(q->text[i]);
    free(q);
}

/* Bind n text parameters (NULL: SQL NULL) to statement i, reset first. SQLITE_OK or the
 * failed bind's code. */
static int bind(particip_q *q, int i, int n, const char *const *v)
{
    sqlite3_stmt *st = q->st[i];
    sqlite3_reset(st);
    int rc = sqlite3_clear_bindings(st);
    for (int k = 0; k < n && rc == SQLITE_OK; k++)
        rc = v[k] ? sqlite3_bind_text(st, k + 1, v[k], -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(st, k + 1);
    return rc;
}

/* Run statement i with n binds: SQLITE_ROW, SQLITE_DONE, or an error code (err set,
 * the statement reset). */
static int step(particip_q *q, int i, int n, const char *const *v, char *err, size_t errlen)
{
    int rc = bind(q, i, n, v);
    if (rc == SQLITE_OK) rc = sqlite3_step(q->st[i]);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fail(q, err, errlen);
        sqlite3_reset(q->st[i]);
    }
    return rc;
}

/* Copy column c of statement i's row into q's text slot k. 0, or -EIO (no memory). */
static int keep(particip_q *q, int i, int c, int k, const char **out, char *err, size_t errlen)
{
    free(q->text[k]);
    q->text[k] = NULL;
    const char *t = (const char *)sqlite3_column_text(q->st[i], c);
    if (!t && sqlite3_column_type(q->st[i], c) != SQLITE_NULL) {
        snprintf(err, errlen, "out of memory");
        return -EIO;
    }
    if (t && !(q->text[k] = strdup(t))) {
        snprintf(err, errlen, "out of memory");
        return -EIO;
    }
    *out = q->text[k] ? q->text[k] : "";
    return 0;
}

/* The end of a call: reset statement i and return rc. */
static int done(particip_q *q, int i, int rc)
{
    sqlite3_reset(q->st[i]);
    return rc;
}

int particip_q_aco(particip_q *q, const char *aco_id, int *found, char *err, size_t errlen)
{
    *found = 0;
    const char *v[] = {aco_id};
    int rc = step(q, Q_ACO, 1, v, err, errlen);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -EIO;
    *found = rc == SQLITE_ROW;
    return done(q, Q_ACO, 0);
}

int particip_q_aco_terms(particip_q *q, const char *aco_id, int *found, particip_aco *out,
                         char *err, size_t errlen)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    const char *v[] = {aco_id};
    int rc = step(q, Q_TERMS, 1, v, err, errlen);
    if (rc == SQLITE_DONE) return done(q, Q_TERMS, 0);
    if (rc != SQLITE_ROW) return -EIO;
    if (keep(q, Q_TERMS, 0, 0, &out->track, err, errlen) < 0 ||
        keep(q, Q_TERMS, 3, 1, &out->eligible, err, errlen) < 0)
        return done(q, Q_TERMS, -EIO);
    out->first_year = sqlite3_column_int(q->st[Q_TERMS], 1);
    out->last_year = sqlite3_column_int(q->st[Q_TERMS], 2);
    *found = 1;
    return done(q, Q_TERMS, 0);
}

int particip_q_provider(particip_q *q, const char *npi, const char *tin, int *found, char *err,
                        size_t errlen)
{
    *found = 0;
    const char *v[] = {npi, tin};
    int rc = step(q, Q_PROVIDER, 2, v, err, errlen);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -EIO;
    *found = rc == SQLITE_ROW;
    return done(q, Q_PROVIDER, 0);
}

int particip_q_ebra_overlap(particip_q *q, const char *npi, const char *template_id,
                            const char *arrangement_id, const char *start_date,
                            const char *end_date, int *found, particip_ebra *out, char *err,
                            size_t errlen)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    const char *v[] = {npi, template_id, arrangement_id, start_date, end_date};
    int rc = step(q, Q_EBRA, 5, v, err, errlen);
    if (rc == SQLITE_DONE) return done(q, Q_EBRA, 0);
    if (rc != SQLITE_ROW) return -EIO;
    if (keep(q, Q_EBRA, 0, 0, &out->arrangement_id, err, errlen) < 0 ||
        keep(q, Q_EBRA, 1, 1, &out->aco_id, err, errlen) < 0 ||
        keep(q, Q_EBRA, 2, 2, &out->start_date, err, errlen) < 0 ||
        keep(q, Q_EBRA, 3, 3, &out->end_date, err, errlen) < 0)
        return done(q, Q_EBRA, -EIO);
    *found = 1;
    return done(q, Q_EBRA, 0);
}

int particip_q_tin_overlap(particip_q *q, const char *tin, const char *aco_id,
                           const char *start_date, const char *end_date, const char **other,
                           char *err, size_t errlen)
{
    *other = NULL;
    const char *v[] = {tin, aco_id, start_date, end_date};
    int rc = step(q, Q_TIN, 4, v, err, errlen);
    if (rc == SQLITE_DONE) return done(q, Q_TIN, 0);
    if (rc != SQLITE_ROW) return -EIO;
    if (keep(q, Q_TIN, 0, 0, other, err, errlen) < 0) {
        *other = NULL;
        return done(q, Q_TIN, -EIO);
    }
    return done(q, Q_TIN, 0);
}
