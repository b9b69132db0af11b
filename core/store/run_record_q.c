/*
 * run_record_q.c: see run_record_q.h.
 */
#include "run_record_q.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

#include "contents.h"

/* Prepare sql with ?1 bound to id; NULL with SQLite's message in err. */
static sqlite3_stmt *prepare_id(store *s, const char *sql, int64_t id, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return NULL;
    }
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int run_record_q_params(store *s, int64_t run_id, char *status, size_t statuslen, int *period,
                        char **only_template, char *err, size_t errlen)
{
    *only_template = NULL;
    sqlite3_stmt *st = prepare_id(s, "SELECT status, period, template_filter FROM runs WHERE "
                                     "run_id = ?1", run_id, err, errlen);
    if (!st) return -EIO;
    int rc = sqlite3_step(st), k;
    if (rc == SQLITE_ROW) {
        snprintf(status, statuslen, "%s", store__col(st, 0));
        *period = sqlite3_column_int(st, 1);
        const unsigned char *t = sqlite3_column_text(st, 2);
        k = 1;
        if (t && !(*only_template = strdup((const char *)t))) {
            snprintf(err, errlen, "out of memory");
            k = -ENOMEM;
        }
    } else if (rc == SQLITE_DONE) {
        k = 0;
    } else {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}

int run_record_q_files(store *s, int64_t run_id, int (*fn)(const run_file_row *f, void *ud),
                       void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = prepare_id(s, "SELECT relpath, sha256 FROM run_files WHERE run_id = ?1 "
                                     "ORDER BY relpath", run_id, err, errlen);
    if (!st) return -EBADF;
    int k = 0, sr = SQLITE_DONE;
    while (k == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        char *bytes = NULL, e[512] = "";
        size_t len = 0;
        run_file_row f = {store__col(st, 0), store__col(st, 1), NULL, 0, 0, e};
        f.content_rc = content_get(s, f.sha256, &bytes, &len, e, sizeof e);
        if (f.content_rc == 0) {
            f.bytes = bytes;
            f.len = len;
        }
        k = fn(&f, ud);
        free(bytes);
    }
    if (k == 0 && sr != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}

int run_record_q_component(store *s, const char *kind, const char *name, const char *version,
                           int64_t against, int64_t *run_id, char sha[65], char *err,
                           size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT run_id, sha256 FROM run_components WHERE kind = ?1 AND "
                               "name = ?2 AND version = ?3 AND (?4 = 0 OR run_id = ?4) "
                               "ORDER BY run_id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    int ok = sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_int64(st, 4, against) == SQLITE_OK;
    int rc = ok ? sqlite3_step(st) : SQLITE_NOMEM, k = 0;
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 1)) {
        *run_id = sqlite3_column_int64(st, 0);
        snprintf(sha, 65, "%s", (const char *)sqlite3_column_text(st, 1));
        k = 1;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", ok ? sqlite3_errmsg(db) : "out of memory");
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}

int run_record_q_plugins(store *s, int64_t run_id,
                         int (*fn)(const char *name, const char *version, const char *sha256,
                                   void *ud),
                         void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = prepare_id(s, "SELECT name, version, sha256 FROM run_components WHERE "
                                     "run_id = ?1 AND kind = 'plugin' ORDER BY name", run_id,
                                  err, errlen);
    if (!st) return -EIO;
    int k = 0, sr = SQLITE_DONE;
    while (k == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW)
        k = fn(store__col(st, 0), store__col(st, 1), store__col(st, 2), ud);
    if (k == 0 && sr != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}

/* "c1, c2, ..." of table's columns but run_id (malloc'ed), or NULL. */
static char *columns(sqlite3 *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT group_concat(name, ', ') FROM pragma_table_info('%s') "
                              "WHERE name != 'run_id'", table);
    sqlite3_stmt *st;
    char *r = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        r = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return r;
}

/* The one integer sql gives with ?1 = a (and ?2 = b when it has ?2); *ok = 0 when it
 * cannot. */
static int64_t q_int(sqlite3 *db, const char *sql, int64_t a, int64_t b, int *ok)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *ok = 0;
        return 0;
    }
    /* sql uses ?1, or ?1 and ?2 */
    if (sqlite3_bind_int64(st, 1, a) == SQLITE_OK &&
        (sqlite3_bind_parameter_count(st) < 2 || sqlite3_bind_int64(st, 2, b) == SQLITE_OK) &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        *ok = 0;
    sqlite3_finalize(st);
    return v;
}

int run_record_q_compare(store *s, int64_t a, int64_t b, const char *const *tables, int n,
                         run_table_cmp *out, int *data_changed, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    int ok = 1;
    *data_changed = 0;
    memset(out, 0, (size_t)n * sizeof *out);
    for (int t = 0; t < n && ok; t++) {
        char *cols = columns(db, tables[t]);
        if (!cols) {
            ok = 0;
            break;
        }
        size_t len = 2 * strlen(cols) + 256;
        char *sql = malloc(len);
        if (!sql) {
            free(cols);
            ok = 0;
            break;
        }
        snprintf(sql, len, "SELECT count(*) FROM %s WHERE run_id = ?1", tables[t]);
        out[t].rows_a = q_int(db, sql, a, b, &ok);
        out[t].rows_b = q_int(db, sql, b, a, &ok);
        snprintf(sql, len, "SELECT count(*) FROM (SELECT %s FROM %s WHERE run_id = ?1 EXCEPT "
                           "SELECT %s FROM %s WHERE run_id = ?2)", cols, tables[t], cols,
                 tables[t]);
        out[t].only_a = q_int(db, sql, a, b, &ok);
        out[t].only_b = q_int(db, sql, b, a, &ok);
        free(sql);
        free(cols);
    }
    if (ok)
        *data_changed = (int)q_int(db,
            "SELECT json_remove(a.inputs, '$.replay_of', '$.warnings') IS NOT "
            "json_remove(b.inputs, '$.replay_of', '$.warnings') FROM runs a, runs b "
            "WHERE a.run_id = ?1 AND b.run_id = ?2", a, b, &ok);
    if (!ok)
        return store_fail(db, err, errlen, "comparing runs %lld and %lld", (long long)a,
                          (long long)b);
    return 0;
}

/* Column i as text into buf (len bytes, truncated; NULL as ""). */
static void col_copy(sqlite3_stmt *st, int i, char *buf, size_t len)
{
    snprintf(buf, len, "%s", store__col(st, i));
}

int run_record_q_episode(store *s, int64_t run_id, const char *episode_id,
                         run_stored_episode *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    sqlite3_stmt *st = prepare_id(s,
        "SELECT person_id, template_id, COALESCE(aco_id, ''), "
        "COALESCE(npi, ''), COALESCE(arrangement_id, ''), "
        "COALESCE(attribution_method, ''), status, COALESCE(exclusion_reason, ''), "
        "trigger_date, hcc_count, base_cents, trend_factor, trend_years, "
        "age_factor, hcc_factor, dual_factor, discount_bps, target_cents, "
        "quality_met FROM run_episodes WHERE run_id = ?1 AND episode_id = ?2",
        run_id, err, errlen);
    if (!st) return -EIO;
    int rc = sqlite3_bind_text(st, 2, episode_id, -1, SQLITE_TRANSIENT) == SQLITE_OK
                 ? sqlite3_step(st) : SQLITE_NOMEM;
    if (rc == SQLITE_ROW) {
        col_copy(st, 0, e->person_id, sizeof e->person_id);
        col_copy(st, 1, e->template_id, sizeof e->template_id);
        col_copy(st, 2, e->aco_id, sizeof e->aco_id);
        col_copy(st, 3, e->npi, sizeof e->npi);
        col_copy(st, 4, e->arrangement_id, sizeof e->arrangement_id);
        col_copy(st, 5, e->attribution_method, sizeof e->attribution_method);
        col_copy(st, 6, e->status, sizeof e->status);
        col_copy(st, 7, e->exclusion_reason, sizeof e->exclusion_reason);
        e->trigger_date = store_col_date(st, 8);
        for (int i = 0; i < RUN_N_PRICE; i++) {
            e->has_price[i] = sqlite3_column_type(st, 9 + i) != SQLITE_NULL;
            e->price[i] = sqlite3_column_int64(st, 9 + i);
        }
    } else if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}
