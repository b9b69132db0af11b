/*
 * store_rows: a query's result as named, typed cells, for readers that print rows
 * generically (the CLI's aligned tables and JSON lines) without holding a statement.
 *
 * The SQL is the caller's module's (core/store/ query modules: tokens.c, ...); this
 * file only runs it, binds text parameters and hands out cells.
 */
#ifndef CARA_STORE_ROWS_H
#define CARA_STORE_ROWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

/* A cell's SQLite type, as stored (STRICT tables: as declared). */
enum { STORE_CELL_NULL, STORE_CELL_INT, STORE_CELL_TEXT /* also REAL, BLOB */ };

typedef struct store_cell {
    int type;         /* STORE_CELL_* */
    int64_t i;        /* STORE_CELL_INT: the value */
    const char *text; /* the value as text (sqlite3_column_text); NULL for NULL */
} store_cell;

/* One call of a store_row_fn: the column count and names, and the row's cells; cells is
 * NULL for the first call (the header: names only, made once before any row, even
 * when there are none). Everything is borrowed for the duration of the call. */
typedef struct store_row {
    int n;
    const char *const *names;
    const store_cell *cells;
} store_row;

/* 0 to go on, a negative errno to stop (the query then returns it). */
typedef int (*store_row_fn)(const store_row *row, void *ud);

/*
 * Run sql on s binding n text parameters (?1..?n; a NULL bind is SQL NULL) and call fn
 * with the header, then once per row. Returns the number of rows, fn's negative
 * value, -ENOMEM, or -EIO with err set to SQLite's message (sqlite3_errmsg). On -EIO
 * from a failed step, fn has seen the header and the rows before the failure.
 */
int store_rows(store *s, const char *sql, int n, const char *const *binds, store_row_fn fn,
               void *ud, char *err, size_t errlen);

/*
 * store_rows into a JSON array: each row an object of column name -> value (NULL as
 * null, integers as integers, anything else as a string; text that is not UTF-8 as
 * null). On success *out is a new array owned by the caller and 0 is returned; on
 * failure *out is NULL and store_rows's negative value is returned (err set).
 */
int store_rows_json(store *s, const char *sql, int n, const char *const *binds, json_t **out,
                    char *err, size_t errlen);

#endif
