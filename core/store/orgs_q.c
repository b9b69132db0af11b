/*
 * orgs_q.c: see orgs_q.h.
 */
#include "orgs_q.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* Run sql binding n text parameters (NULL binds NULL) and copy the first column of the
 * first row into *out (see orgs_q.h). */
static int one(store *s, const char *sql, int n, const char *const *binds, char **out,
               char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    int bound = 1;
    for (int i = 0; i < n && bound; i++)
        if (binds[i] && sqlite3_bind_text(st, i + 1, binds[i], -1, SQLITE_STATIC) != SQLITE_OK)
            bound = 0;
    int rc = bound ? sqlite3_step(st) : SQLITE_NOMEM;
    int k = 0;
    if (!bound) {
        snprintf(err, errlen, "out of memory");
        k = -ENOMEM;
    } else if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        *out = v ? strdup((const char *)v) : NULL;
        if (!*out) { /* out of memory is an error, never "no row" */
            snprintf(err, errlen, "out of memory");
            k = -ENOMEM;
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}

#define ONE(sql, ...)                                                                        \
    do {                                                                                     \
        const char *const b_[] = {__VA_ARGS__};                                             \
        return one(s, sql, (int)(sizeof b_ / sizeof b_[0]), b_, out, err, errlen);           \
    } while (0)

int orgs_q_aco_id(store *s, const char *aco, char **out, char *err, size_t errlen)
{
    ONE("SELECT aco_id FROM acos WHERE aco_id = ?1", aco);
}

int orgs_q_aco_track(store *s, const char *aco, char **out, char *err, size_t errlen)
{
    ONE("SELECT track FROM acos WHERE aco_id = ?1", aco);
}

int orgs_q_aco_years(store *s, const char *aco, char **out, char *err, size_t errlen)
{
    ONE("SELECT first_year || ',' || last_year FROM acos WHERE aco_id = ?1", aco);
}

int orgs_q_setting(store *s, const char *key, char **out, char *err, size_t errlen)
{
    ONE("SELECT value FROM settings WHERE key = ?1", key);
}

int orgs_q_tin_clash(store *s, const char *tin, const char *start, const char *end, char **out,
                     char *err, size_t errlen)
{
    ONE("SELECT aco_id || ' from ' || start_date FROM aco_tins WHERE tin = ?1 AND "
        "start_date <= COALESCE(?3, '9999-12-31') AND COALESCE(end_date, '9999-12-31') "
        ">= ?2 LIMIT 1", tin, start, end);
}

int orgs_q_tin_open_start(store *s, const char *aco, const char *tin, char **out, char *err,
                          size_t errlen)
{
    ONE("SELECT start_date FROM aco_tins WHERE aco_id = ?1 AND tin = ?2 AND end_date IS NULL",
        aco, tin);
}

int orgs_q_provider_name(store *s, const char *npi, const char *tin, char **out, char *err,
                         size_t errlen)
{
    ONE("SELECT name FROM providers WHERE npi = ?1 AND tin = ?2", npi, tin);
}

int orgs_q_ebra_status(store *s, const char *id, char **out, char *err, size_t errlen)
{
    ONE("SELECT status FROM arrangements WHERE arrangement_id = ?1", id);
}

int orgs_q_ebra_start(store *s, const char *id, char **out, char *err, size_t errlen)
{
    ONE("SELECT start_date FROM arrangements WHERE arrangement_id = ?1", id);
}

int orgs_q_ebra_end(store *s, const char *id, char **out, char *err, size_t errlen)
{
    ONE("SELECT end_date FROM arrangements WHERE arrangement_id = ?1", id);
}

int orgs_q_ebra_overlap(store *s, const char *npi, const char *family, const char *id,
                        const char *start, const char *end, const char *aco,
                        const char *template_id, char **out, char *err, size_t errlen)
{
    ONE("SELECT arrangement_id || ' with ACO ' || aco_id || ' (' || start_date || ' to ' "
        "|| COALESCE(end_date, 'open') || ', ' || status || ')' || "
        "CASE WHEN template_id = ?7 THEN '' ELSE ' on ' || template_id END || "
        "CASE WHEN aco_id = ?6 THEN '' ELSE '*' END FROM arrangements "
        "WHERE npi = ?1 AND template_id IN (SELECT value FROM json_each(?2)) "
        "AND arrangement_id != ?3 "
        "AND status IN ('offered', 'active', 'ended', 'terminated') "
        "AND start_date <= COALESCE(?5, '9999-12-31') "
        "AND COALESCE(end_date, '9999-12-31') >= ?4 ORDER BY start_date LIMIT 1",
        npi, family, id, start, end, aco, template_id);
}

int orgs_q_ebra_json(store *s, const char *id, char **out, char *err, size_t errlen)
{
    ONE("SELECT json_object('arrangement_id', arrangement_id, 'aco_id', aco_id, 'npi', npi, "
        "'tin', tin, 'template_id', template_id, 'start_date', start_date, 'end_date', end_date, "
        "'status', status, 'discount_bps', discount_bps, 'savings_share_bps', savings_share_bps, "
        "'loss_share_bps', loss_share_bps, 'stop_gain_bps', stop_gain_bps, 'stop_loss_bps', "
        "stop_loss_bps) FROM arrangements WHERE arrangement_id = ?1", id);
}

int orgs_q_aco_json(store *s, const char *aco, char **out, char *err, size_t errlen)
{
    ONE("SELECT json_object('aco_id', aco_id, 'name', name, 'track', track, 'first_year', "
        "first_year, 'last_year', last_year) FROM acos WHERE aco_id = ?1", aco);
}

int orgs_q_tin_json(store *s, const char *aco, const char *tin, char **out, char *err,
                    size_t errlen)
{
    ONE("SELECT json_object('aco_id', aco_id, 'tin', tin, 'start_date', start_date, 'end_date', "
        "end_date) FROM aco_tins WHERE aco_id = ?1 AND tin = ?2 ORDER BY start_date DESC LIMIT 1",
        aco, tin);
}

int orgs_q_provider_json(store *s, const char *npi, const char *tin, char **out, char *err,
                         size_t errlen)
{
    ONE("SELECT json_object('npi', npi, 'tin', tin, 'name', name, 'specialty_code', "
        "specialty_code) FROM providers WHERE npi = ?1 AND tin = ?2", npi, tin);
}

int orgs_q_aco_known(store *s, const char *aco_id, int *found, int *total, char *err,
                     size_t errlen)
{
    if (found) *found = 0;
    if (total) *total = 0;
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM acos WHERE aco_id = ?1), "
                               "(SELECT count(*) FROM acos)", -1, &st, NULL) != SQLITE_OK)
        return store_fail(db, err, errlen, "%s", store_path(s));
    int rc = sqlite3_bind_text(st, 1, aco_id, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_fail(db, err, errlen, "%s", store_path(s));
        sqlite3_finalize(st);
        return -EIO;
    }
    if (found) *found = sqlite3_column_int(st, 0) > 0;
    if (total) *total = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    return 0;
}
