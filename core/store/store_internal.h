/*
 * store_internal.h: helpers shared by core/store/ files only (not part of store.h).
 */
#ifndef CARA_STORE_INTERNAL_H
#define CARA_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store_rows.h"

/*
 * Step the prepared (and bound) statement st of db to the end as store_rows does (the
 * header call, then one call per row) and finalize it. Returns the number of rows,
 * fn's negative value, -ENOMEM, or -EIO with err = sqlite3_errmsg(db).
 */
int store__rows_step(sqlite3 *db, sqlite3_stmt *st, store_row_fn fn, void *ud, char *err,
                    size_t errlen);

/* content_put on a bare connection (snapshots.c records a snapshot through one). */
int store__content_put(sqlite3 *db, const char *sha256, const void *bytes, size_t len,
                       char *err, size_t errlen);

/* report.c's statement-level helpers (report.h's types). */
#include "report.h"

/* Column i of the current row as JSON (factors as strings with four decimals, money as
 * integer cents, NULL as null). New reference. */
json_t *store__report_cell_json(sqlite3_stmt *st, int i, int type);

/* Bind run_id and f to a statement prepared from a report's SQL (or SQL that wraps it). */
void store__report_bind(sqlite3_stmt *st, int64_t run_id, const report_filters *f);

/* Column i of the current row as text, "" for NULL (and when SQLite could not make the
 * text: out of memory). Borrowed until the next step or finalize. */
static inline const char *store__col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* At most this many statements are kept prepared on a connection (store__kept). */
#define STORE_KEPT 48

/* sql prepared on s's connection and kept there for the next caller of the same text
 * (at most STORE_KEPT; past that a new statement each time), or NULL with SQLite's
 * message in err. Give it back with store__kept_done (never sqlite3_finalize): that
 * resets it (ending its read) and clears its bindings. */
sqlite3_stmt *store__kept(store *s, const char *sql, char *err, size_t errlen);
void store__kept_done(store *s, sqlite3_stmt *st);

/* store__rows_step without the finalize: the caller gives st back (store__kept_done). */
int store__rows_step_keep(sqlite3 *db, sqlite3_stmt *st, store_row_fn fn, void *ud, char *err,
                          size_t errlen);

/* The names of st's cols columns, copied (NULL when out of memory): what
 * sqlite3_column_name returns is freed when SQLite prepares the statement again, which
 * its first step does after another connection changed the schema (a load's index
 * rebuilt, a migration), so a row's names must not point there. Free with
 * store__col_names_free. */
char **store__col_names(sqlite3_stmt *st, int cols);
void store__col_names_free(char **names, int cols);

/* Register the store's SQL function on db (every connection store_open makes has it):
 * cara_lines(claims.lines, what) over a claim's packed lines, what 0 the paid cents of
 * its priced (not denied) lines, 1 their allowed cents, 2 its lines, 3 its denied lines
 * (lines_sql.c). 0, or -EIO. */
int store__lines_sql_register(sqlite3 *db);

/* sql prepared on s's connection; NULL with SQLite's message in err. */
sqlite3_stmt *store__prepare(store *s, const char *sql, char *err, size_t errlen);

/* The end of a reader's loop over st (finalized here): rc the last step's code, k the
 * callback's last value. k, or -EIO with SQLite's message in err when the loop stopped
 * on an error rather than SQLITE_DONE. */
int store__reader_end(store *s, sqlite3_stmt *st, int rc, int k, char *err, size_t errlen);

/*
 * A bulk writer's page cache: schema's ("main", "temp") raised to at least kib KiB on
 * db. Returns what it was, to give to store__cache_restore, or 0 when it was left as is
 * (already that large, or unreadable). A hint: a failure changes nothing but speed.
 */
int64_t store__cache_raise(sqlite3 *db, const char *schema, int kib);
/* The cache_size store__cache_raise returned (0: nothing to do). */
void store__cache_restore(sqlite3 *db, const char *schema, int64_t before);

#endif
