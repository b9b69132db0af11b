/*
 * store: the embedded SQLite database (schema, migrations, transactions).
 *
 * The schema is a list of ordered, versioned migrations (store_schema.c); the version
 * lives in PRAGMA user_version and the file is marked with PRAGMA application_id
 * 'CARA'. Opening a database migrates it to the newest version in one transaction;
 * a database written by a newer cara is refused with a message. Connections run in
 * WAL mode with foreign keys on. Money columns are INTEGER cents (STRICT tables).
 */
#ifndef CARA_STORE_H
#define CARA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

#define STORE_APPLICATION_ID 0x43415241 /* "CARA" */

/* store_open flags */
#define STORE_CREATE   0x1 /* create the file when it does not exist */
#define STORE_READONLY 0x2 /* open read-only (no migration: an old schema is an error) */

typedef struct store store;

/* One migration: applied in order; sql may hold several statements. */
typedef struct store_migration {
    int version;             /* 1, 2, 3, ... without gaps */
    const char *description; /* one line, shown by `cara init` */
    const char *sql;
} store_migration;

/* The migrations this cara knows, in order, and their count. */
const store_migration *store_migrations(size_t *n);

/* The newest schema version this cara knows. */
int store_schema_latest(void);

/*
 * Open (and with STORE_CREATE create) the database at path and migrate it to the
 * newest version. On success *out is owned by the caller (store_close). On failure
 * returns a negative code and writes a message naming path into err:
 *   -ENOENT   no database at path and no STORE_CREATE
 *   -EPROTO   the file is not a cara database, or is newer than this cara
 *   -EIO      SQLite error (message included)
 */
int store_open(const char *path, int flags, store **out, char *err, size_t errlen);

/* Like store_open but migrates only up to version max_version (tests, tools). */
int store_open_version(const char *path, int flags, int max_version, store **out, char *err,
                       size_t errlen);

/* The schema version found when the file was opened (0 for a new file), and now. */
int store_version_found(const store *s);
int store_version(const store *s);

/* The connection. Borrowed; valid until store_close. */
sqlite3 *store_db(store *s);

/* Path given to store_open. Borrowed. */
const char *store_path(const store *s);

/* Run SQL without results (several statements allowed). 0 or -EIO with message. */
int store_exec(store *s, const char *sql, char *err, size_t errlen);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -EIO with message. Rollback never fails
 * visibly (it is the error path). */
int store_begin(store *s, char *err, size_t errlen);
int store_commit(store *s, char *err, size_t errlen);
void store_rollback(store *s);
/* The end of a transaction that did work with result rc: commit when rc is 0, else roll
 * back. Returns rc, or -EIO (message in err) when the commit fails (then rolled back). */
int store_finish(store *s, int rc, char *err, size_t errlen);

/* Savepoints inside the current transaction (or opening one): SAVEPOINT name, RELEASE
 * SAVEPOINT name (keep its changes), ROLLBACK TO SAVEPOINT name (undo them; the savepoint
 * stays open until released). name is borrowed for the call and must be 1 to 64
 * letters, digits or underscores (it is quoted in the SQL). 0; -EINVAL for a bad name,
 * or -EIO (SQLite refused: no such savepoint, a failed write), each with a message in
 * err naming the savepoint; the connection's sqlite3_errmsg keeps SQLite's message
 * alone. */
int store_savepoint(store *s, const char *name, char *err, size_t errlen);
int store_release(store *s, const char *name, char *err, size_t errlen);
int store_rollback_to(store *s, const char *name, char *err, size_t errlen);

/* A failed SQLite call on db: write "<fmt...>: <SQLite's message>" into err (when err
 * and errlen are set) and return -EIO, the one-line way to fail a statement
 * ("return store_fail(db, err, errlen, \"reading run %lld\", id)"). */
int store_fail(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The message of the last call on s that failed (SQLite's sqlite3_errmsg; "not an error"
 * when none did). Borrowed; valid until the next call on s. */
const char *store_errmsg(store *s);

/* Column i of a result row as a day number: ISO 'YYYY-MM-DD' text, or CARA_DATE_NONE
 * for NULL or anything else. */
int32_t store_col_date(sqlite3_stmt *st, int i);

/* Connection settings: what one connection of s does while it waits and runs. They do
 * not change the database; each lasts until store_close. */

/* Wait up to ms milliseconds for another connection's lock before a statement fails
 * with "database is locked" (0: fail at once). */
void store_busy_timeout(store *s, int ms);

/* Stop any statement of s (it fails with "interrupted") once CLOCK_MONOTONIC passes
 * *deadline, checked every 100000 virtual machine steps. deadline is borrowed and must
 * outlive its use on s; NULL removes the limit. */
void store_set_deadline(store *s, const struct timespec *deadline);

/* 1 when s has a transaction open (a BEGIN without its COMMIT or ROLLBACK), else 0. */
int store_in_transaction(store *s);

/*
 * A bulk load that writes the file directly. Every store is in WAL mode: a commit writes
 * its pages to the WAL and a checkpoint copies them into the file, so a load that adds
 * a gigabyte writes two and keeps a WAL the size of what it adds. When s is the only
 * connection to its file and has no transaction open, store_direct_begin takes it out of
 * WAL mode into a rollback journal (synchronous FULL): pages new to the file are then
 * written once, the journal holds only the earlier pages a transaction changes, and a
 * crash still rolls back (the journal is hot; the next store_open undoes it and puts the
 * file back in WAL mode). The connection holds the file's exclusive lock from
 * store_direct_begin to store_direct_end (EXCLUSIVE locking mode; store_begin begins
 * EXCLUSIVE): meanwhile another process's store_open (read-only too) waits its busy
 * timeout, then fails ("the store is locked by another process: most likely a cara load
 * ... (it is being bulk-loaded ...)"), and no reader can keep the file from going back
 * to WAL mode.
 * Returns 1 (direct until store_direct_end), 0 (left in WAL mode: another connection is
 * open, a transaction is, or SQLite refused; nothing changed). Call store_direct_end
 * after the commit or rollback: WAL mode again (synchronous NORMAL); a failure there
 * (another process holding a lock) leaves the file for the next store_open to switch.
 */
int store_direct_begin(store *s);
void store_direct_end(store *s);

/* SQLite's data_version of this connection: it changes when another connection commits
 * (never for this connection's own commits); -1 on failure. A cache of stored rows
 * (the MLLP listener's arrangements) is fresh while it stays the same. */
int64_t store_data_version(store *s);

/* 1 when s cannot write its database (the file or its folder is read-only for this
 * user), else 0. */
int store_is_readonly(store *s);

/* Close the connection (NULL is a no-op). */
void store_close(store *s);

#endif
