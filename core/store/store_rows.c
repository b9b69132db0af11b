/*
 * store_rows.c: see store_rows.h.
 */
#include "store_rows.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_rows(store *s, const char *sql, int n, const char *const *binds, store_row_fn fn,
               void *ud, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = store__kept(s, sql, err, errlen);
    if (!st) return -EIO;
    for (int i = 0; i < n; i++)
        if (binds[i]) sqlite3_bind_text(st, i + 1, binds[i], -1, SQLITE_TRANSIENT);
    int rc = store__rows_step_keep(db, st, fn, ud, err, errlen);
    store__kept_done(s, st);
    return rc;
}

int store__rows_step(sqlite3 *db, sqlite3_stmt *st, store_row_fn fn, void *ud, char *err,
                    size_t errlen)
{
    int rc = store__rows_step_keep(db, st, fn, ud, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

char **store__col_names(sqlite3_stmt *st, int cols)
{
    char **names = calloc((size_t)cols + 1, sizeof *names);
    for (int i = 0; names && i < cols; i++) {
        const char *n = sqlite3_column_name(st, i);
        if (!(names[i] = strdup(n ? n : ""))) {
            store__col_names_free(names, i);
            return NULL;
        }
    }
    return names;
}

void store__col_names_free(char **names, int cols)
{
    for (int i = 0; names && i < cols; i++) free(names[i]);
    free(names);
}

int store__rows_step_keep(sqlite3 *db, sqlite3_stmt *st, store_row_fn fn, void *ud, char *err,
                          size_t errlen)
{
    int cols = sqlite3_column_count(st);
    char **names = store__col_names(st, cols);
    store_cell *cells = calloc((size_t)cols + 1, sizeof *cells);
    int rows = 0, rc = SQLITE_DONE, k = 0;
    if (err && errlen) err[0] = '\0';
    if (!names || !cells) {
        k = -ENOMEM;
        if (err && errlen) snprintf(err, errlen, "out of memory");
    }
    store_row row = {cols, (const char **)names, NULL};
    if (!k && fn) k = fn(&row, ud);
    while (!k && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < cols; i++) {
            int t = sqlite3_column_type(st, i);
            cells[i].type = t == SQLITE_NULL ? STORE_CELL_NULL
                            : t == SQLITE_INTEGER ? STORE_CELL_INT : STORE_CELL_TEXT;
            cells[i].i = sqlite3_column_int64(st, i);
            cells[i].text = (const char *)sqlite3_column_text(st, i);
        }
        rows++;
        row.cells = cells;
        if (fn) k = fn(&row, ud);
    }
    if (!k && rc != SQLITE_DONE) {
        if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        k = -EIO;
    }
    if (k < 0 && err && errlen && !err[0]) /* fn stopped the query without a message */
        snprintf(err, errlen, "%s", k == -ENOMEM ? "out of memory" : strerror(-k));
    store__col_names_free(names, cols);
    free(cells);
    return k < 0 ? k : rows;
}

/* store_row_fn: append the row to the JSON array ud as an object. */
static int add_json(const store_row *row, void *ud)
{
    if (!row->cells) return 0;
    json_t *o = json_object();
    if (!o) return -ENOMEM;
    for (int i = 0; i < row->n; i++) {
        const store_cell *k = &row->cells[i];
        json_t *v = k->type == STORE_CELL_NULL ? json_null()
                    : k->type == STORE_CELL_INT ? json_integer(k->i)
                                                : json_string(k->text);
        json_object_set_new(o, row->names[i], v ? v : json_null());
    }
    json_array_append_new(ud, o);
    return 0;
}

int store_rows_json(store *s, const char *sql, int n, const char *const *binds, json_t **out,
                    char *err, size_t errlen)
{
    json_t *rows = json_array();
    *out = NULL;
    if (!rows) {
        if (err && errlen) snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = store_rows(s, sql, n, binds, add_json, rows, err, errlen);
    if (rc < 0) {
        json_decref(rows);
        return rc;
    }
    *out = rows;
    return 0;
}

sqlite3_stmt *store__prepare(store *s, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK) return st;
    snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
    return NULL;
}

int store__reader_end(store *s, sqlite3_stmt *st, int rc, int k, char *err, size_t errlen)
{
    if (k == 0 && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        k = -EIO;
    }
    sqlite3_finalize(st);
    return k;
}
