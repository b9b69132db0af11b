/*
 * store_conn.c: open, check, migrate (see store_conn.h).
 */
#include "store_conn.h"
#include "store_internal.h"
#include "store_w_internal.h"

#include <pthread.h>

#include "base/base.h"

#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TX_BEGIN, TX_BEGIN_EXCLUSIVE, TX_COMMIT, TX_SAVEPOINT, TX_RELEASE, TX_ROLLBACK_TO, TX_N };


/* A new store's page size (bytes, as SQL text). 8 KiB instead of SQLite's 4 KiB: a
 * claim with its packed lines is 300 to 1,000 bytes, and every page a bulk load writes
 * costs a WAL frame (a header and the page, two writes). Measured at 100,000
 * beneficiaries (docs/performance.md, "One row per claim"): the load 5.8-6.1 s at 4 KiB,
 * 4.4-5.1 s at 8 KiB, 4.5-5.6 s at 16 KiB; the run 1.5, 1.38, 1.33 s. 16 KiB made each
 * small commit write four times the bytes and its checkpoints' fsync stall for 50 ms:
 * HL7 messages over MLLP at 5,000/s went from p99 1.1 ms to 48 ms (8 KiB: 1.8 ms). A
 * store made before keeps its size (SQLite changes it only by VACUUM outside WAL mode). */
#define STORE_PAGE_SIZE "8192"
/* A store another process holds (store_direct_begin's load, or any program with the
 * file's exclusive lock) cannot be opened until it lets go. */
#define STORE_LOCKED_MSG                                                                    \
    "the store is locked by another process: most likely a cara load writing claims "       \
    "into the file directly (it is being bulk-loaded: the load found it unused, and holds " \
    "the file until the load ends; CARA_LOAD_WAL=1 makes such a load leave the store open " \
    "to others), else another program holding the file; try again when it ends"

struct store {
    sqlite3 *db;
    char *path;
    int version_found;
    int version;
    /* the transaction statements, prepared once: a listener that runs a savepoint per
     * message spent 4% of its time preparing them (docs/performance.md). The savepoint
     * ones are for the name in sp_name; finalized by store_close. */
    sqlite3_stmt *tx[TX_N];
    char sp_name[65];
    uint64_t txn_serial;    /* store__txn_serial: +1 at every begin, commit and rollback */
    /* statements readers run again and again on a long-lived connection (the HTTP API's
     * pool), prepared once (store__kept); finalized by store_close */
    struct kept_stmt {
        uint64_t hash;
        char *sql;
        sqlite3_stmt *st;
        int busy;
    } kept[STORE_KEPT];
    int n_kept;
    int direct;  /* store_direct_begin: out of WAL mode until store_direct_end */
    int busy_ms; /* the busy timeout (store_busy_timeout), 5000 from store_open */
};

sqlite3_stmt *store__kept(store *s, const char *sql, char *err, size_t errlen)
{
    uint64_t h = util_fnv1a(sql);
    for (int i = 0; i < s->n_kept; i++) {
        struct kept_stmt *k = &s->kept[i];
        if (k->hash == h && !k->busy && !strcmp(k->sql, sql)) {
            k->busy = 1;
            return k->st;
        }
    }
    sqlite3_stmt *st;
    int room = s->n_kept < STORE_KEPT;
    if (sqlite3_prepare_v3(s->db, sql, -1, room ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) !=
        SQLITE_OK) {
        if (err && errlen) snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
        return NULL;
    }
    char *copy = room ? strdup(sql) : NULL;
    if (copy) s->kept[s->n_kept++] = (struct kept_stmt){h, copy, st, 1};
    return st;
}

void store__kept_done(store *s, sqlite3_stmt *st)
{
    if (!st) return;
    for (int i = 0; i < s->n_kept; i++)
        if (s->kept[i].st == st) {
            sqlite3_reset(st); /* ends its read, so a kept statement holds no snapshot */
            sqlite3_clear_bindings(st);
            s->kept[i].busy = 0;
            return;
        }
    sqlite3_finalize(st);
}

uint64_t store__txn_serial(const store *s) { return s->txn_serial; }

/* Run transaction statement k (sql) on s, preparing it on first use. SQLITE_OK/DONE or
 * the error code. */
static int tx_run(store *s, int k, const char *sql)
{
    if (!s->tx[k] && sqlite3_prepare_v2(s->db, sql, -1, &s->tx[k], NULL) != SQLITE_OK)
        return sqlite3_errcode(s->db);
    int rc = sqlite3_step(s->tx[k]);
    sqlite3_reset(s->tx[k]);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int store_exec(store *s, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -EIO;
    }
    return 0;
}

int store_begin(store *s, char *err, size_t errlen)
{
    s->txn_serial++;
    /* out of WAL mode (store_direct_begin): the file's exclusive lock for the whole
     * transaction, so that no reader can come in and hold up the load's writes into the
     * file; a reader inside already (past the busy timeout) sends the load back to WAL
     * mode, or, if that cannot be done either, to an ordinary rollback-journal transaction */
    if (s->direct) {
        if (tx_run(s, TX_BEGIN_EXCLUSIVE, "BEGIN EXCLUSIVE") == SQLITE_OK) return 0;
        store_direct_end(s);
    }
    if (tx_run(s, TX_BEGIN, "BEGIN IMMEDIATE") != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
        return -EIO;
    }
    return 0;
}

int store_commit(store *s, char *err, size_t errlen)
{
    s->txn_serial++;
    if (tx_run(s, TX_COMMIT, "COMMIT") != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
        return -EIO;
    }
    return 0;
}

void store_rollback(store *s)
{
    s->txn_serial++;
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_finish(store *s, int rc, char *err, size_t errlen)
{
    if (rc == 0 && store_commit(s, err, errlen) < 0) rc = -EIO;
    if (rc < 0) store_rollback(s);
    return rc;
}

/* "<verb> \"name\"" run on s once name is checked (store_savepoint and friends). */
static int savepoint_sql(store *s, const char *verb, const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;
    int ok = n > 0 && n <= 64;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_';
    }
    if (!ok) {
        if (err && errlen)
            snprintf(err, errlen, "savepoint name \"%.64s\": letters, digits and underscores "
                                  "only (1 to 64)", name ? name : "");
        return -EINVAL;
    }
    if (strcmp(name, s->sp_name) != 0) { /* another name: its own statements */
        for (int k = TX_SAVEPOINT; k <= TX_ROLLBACK_TO; k++) {
            sqlite3_finalize(s->tx[k]);
            s->tx[k] = NULL;
        }
        memcpy(s->sp_name, name, n + 1);
    }
    int k = !strcmp(verb, "SAVEPOINT") ? TX_SAVEPOINT
            : !strcmp(verb, "RELEASE SAVEPOINT") ? TX_RELEASE : TX_ROLLBACK_TO;
    char sql[128];
    snprintf(sql, sizeof sql, "%s \"%s\"", verb, name);
    if (tx_run(s, k, sql) != SQLITE_OK)
        return store_fail(s->db, err, errlen, "%s %s", verb, name);
    return 0;
}

int store_savepoint(store *s, const char *name, char *err, size_t errlen)
{
    return savepoint_sql(s, "SAVEPOINT", name, err, errlen);
}

int store_release(store *s, const char *name, char *err, size_t errlen)
{
    return savepoint_sql(s, "RELEASE SAVEPOINT", name, err, errlen);
}

int store_rollback_to(store *s, const char *name, char *err, size_t errlen)
{
    return savepoint_sql(s, "ROLLBACK TO SAVEPOINT", name, err, errlen);
}

int store_schema_latest(void)
{
    size_t n;
    const store_migration *m = store_migrations(&n);
    return n ? m[n - 1].version : 0;
}

/* Refuse files that are not cara databases. 0 or -EPROTO/-EIO. */
static int check_identity(store *s, int version, char *err, size_t errlen)
{
    int app = 0, tables = 0;
    if (pragma_int(s->db, "PRAGMA application_id", &app) != SQLITE_OK ||
        pragma_int(s->db, "SELECT count(*) FROM sqlite_schema", &tables) != SQLITE_OK) {
        if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY) {
            snprintf(err, errlen, "%s: " STORE_LOCKED_MSG, s->path);
            return -EBUSY;
        }
        snprintf(err, errlen, "%s: cannot read the database: %s (is it a SQLite file?)",
                 s->path, sqlite3_errmsg(s->db));
        return sqlite3_errcode(s->db) == SQLITE_NOTADB ? -EPROTO : -EIO;
    }
    if (app != 0 && app != STORE_APPLICATION_ID) {
        snprintf(err, errlen, "%s: not a cara database (application_id 0x%08x)", s->path,
                 (unsigned)app);
        return -EPROTO;
    }
    if (app == 0 && (version != 0 || tables != 0)) {
        snprintf(err, errlen,
                 "%s: not a cara database (it holds %d tables but no cara schema mark); "
                 "use another --db",
                 s->path, tables);
        return -EPROTO;
    }
    return 0;
}

/* Apply migrations (version_found, max_version] in one transaction. */
static int migrate(store *s, int max_version, char *err, size_t errlen)
{
    size_t n;
    const store_migration *m = store_migrations(&n);
    if (s->version >= max_version) return 0;
    if (store_begin(s, err, errlen) < 0) return -EIO;
    for (size_t i = 0; i < n && m[i].version <= max_version; i++) {
        if (m[i].version <= s->version) continue;
        char msg[512];
        if (store_exec(s, m[i].sql, msg, sizeof msg) < 0) {
            snprintf(err, errlen, "migration %d (%s) failed: %s", m[i].version,
                     m[i].description, msg);
            store_rollback(s);
            return -EIO;
        }
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m[i].version);
        if (store_exec(s, sql, err, errlen) < 0) {
            store_rollback(s);
            return -EIO;
        }
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d", STORE_APPLICATION_ID);
    if (store_exec(s, sql, err, errlen) < 0 || store_commit(s, err, errlen) < 0) {
        store_rollback(s);
        return -EIO;
    }
    pragma_int(s->db, "PRAGMA user_version", &s->version);
    return 0;
}

/* Process-wide SQLite settings, before its first use: no memory statistics (they take a
 * global mutex on every allocation, which serializes a run's threads). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_setup(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int store_open_version(const char *path, int flags, int max_version, store **out, char *err,
                       size_t errlen)
{
    pthread_once(&sqlite_once, sqlite_setup);
    *out = NULL;
    int exists = access(path, F_OK) == 0;
    if (!exists && !(flags & STORE_CREATE)) {
        snprintf(err, errlen, "%s: no database there (run 'cara init' or pass --db FILE)", path);
        return -ENOENT;
    }
    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = -EIO;
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, s->busy_ms = 5000);
    if (store__lines_sql_register(s->db) < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    if (pragma_int(s->db, "PRAGMA user_version", &s->version) != SQLITE_OK) {
        if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY) {
            snprintf(err, errlen, "%s: " STORE_LOCKED_MSG, path);
            rc = -EBUSY;
            goto fail;
        }
        snprintf(err, errlen, "%s: not a SQLite database (%s)", path, sqlite3_errmsg(s->db));
        rc = -EPROTO;
        goto fail;
    }
    s->version_found = s->version;
    if ((rc = check_identity(s, s->version, err, errlen)) < 0) goto fail;
    rc = -EIO; /* the failures below that set no code (was 0: "opened", with *out NULL) */
    int latest = store_schema_latest();
    if (s->version > latest) {
        snprintf(err, errlen,
                 "%s: database schema version %d is newer than this cara understands (%d); "
                 "upgrade cara, or use another --db",
                 path, s->version, latest);
        rc = -EPROTO;
        goto fail;
    }
    int pages = -1;
    if (!(flags & STORE_READONLY) && pragma_int(s->db, "PRAGMA page_count", &pages) == SQLITE_OK &&
        pages == 0 && store_exec(s, "PRAGMA page_size = " STORE_PAGE_SIZE ";", err, errlen) < 0)
        goto fail;
    if (!(flags & STORE_READONLY)) {
        if (store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err,
                       errlen) < 0) {
            if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY) { /* store_direct_begin's lock */
                snprintf(err, errlen, "%s: " STORE_LOCKED_MSG, path);
                rc = -EBUSY;
            }
            goto fail;
        }
    }
    if (store_exec(s, "PRAGMA foreign_keys = ON;", err, errlen) < 0) goto fail;
    if (flags & STORE_READONLY) {
        if (s->version < max_version) {
            snprintf(err, errlen,
                     "%s: database schema version %d needs migrating to %d; open it "
                     "read-write once (e.g. 'cara init')",
                     path, s->version, max_version);
            rc = -EPROTO;
            goto fail;
        }
    } else if ((rc = migrate(s, max_version, err, errlen)) < 0) {
        goto fail;
    }
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc;
}

int store_open(const char *path, int flags, store **out, char *err, size_t errlen)
{
    return store_open_version(path, flags, store_schema_latest(), out, err, errlen);
}

int store_version_found(const store *s) { return s->version_found; }
int store_version(const store *s) { return s->version; }
sqlite3 *store_db(store *s) { return s->db; }
const char *store_path(const store *s) { return s->path; }

void store_close(store *s)
{
    if (!s) return;
    for (int k = 0; k < TX_N; k++) sqlite3_finalize(s->tx[k]);
    for (int k = 0; k < s->n_kept; k++) {
        sqlite3_finalize(s->kept[k].st);
        free(s->kept[k].sql);
    }
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

int32_t store_col_date(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    cara_date d;
    if (!s || date_parse((const char *)s, (size_t)sqlite3_column_bytes(st, i), &d) < 0)
        return CARA_DATE_NONE;
    return d;
}

int store_fail(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return -EIO;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < errlen) snprintf(err + n, errlen - (size_t)n, ": %s", sqlite3_errmsg(db));
    return -EIO;
}

/* The journal mode the statement sql ("PRAGMA journal_mode = X") leaves: 1 when it is
 * want, 0 otherwise (or when SQLite refused). */
static int journal_mode_is(sqlite3 *db, const char *sql, const char *want)
{
    sqlite3_stmt *st = NULL;
    int yes = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
              !strcmp((const char *)sqlite3_column_text(st, 0), want);
    sqlite3_finalize(st);
    return yes;
}

/* The connection's locking mode back to NORMAL, its locks given up at the next access. */
static void locking_normal(sqlite3 *db)
{
    sqlite3_exec(db, "PRAGMA locking_mode = NORMAL", NULL, NULL, NULL);
}

int store_direct_begin(store *s)
{
    if (!s || s->direct || !sqlite3_get_autocommit(s->db)) return 0;
    /* EXCLUSIVE locking first: the switch below takes the file's exclusive lock and the
     * connection keeps it from then on, so no reader can slip in before the load's
     * transaction or between its commit and the switch back (store_direct_end) */
    sqlite3_exec(s->db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL);
    sqlite3_busy_timeout(s->db, 0); /* another connection: give up at once, not after waiting */
    int yes = journal_mode_is(s->db, "PRAGMA journal_mode = DELETE", "delete");
    sqlite3_busy_timeout(s->db, s->busy_ms);
    if (!yes) {
        locking_normal(s->db);
        int v;
        (void)pragma_int(s->db, "PRAGMA user_version", &v); /* an access: the locks go */
        return 0;
    }
    sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    s->direct = 1;
    return 1;
}

void store_direct_end(store *s)
{
    if (!s || !s->direct || !sqlite3_get_autocommit(s->db)) return;
    s->direct = 0;
    /* still holding the exclusive lock: the switch to WAL needs no one else to let go;
     * the lock goes with it (NORMAL locking from this access on) */
    locking_normal(s->db);
    if (journal_mode_is(s->db, "PRAGMA journal_mode = WAL", "wal"))
        sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
}

void store_busy_timeout(store *s, int ms)
{
    s->busy_ms = ms;
    sqlite3_busy_timeout(s->db, ms);
}

/* sqlite3_progress_handler callback: nonzero (stop) once the deadline ud has passed. */
static int past_deadline(void *ud)
{
    const struct timespec *deadline = ud;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec > deadline->tv_sec ||
           (t.tv_sec == deadline->tv_sec && t.tv_nsec > deadline->tv_nsec);
}

void store_set_deadline(store *s, const struct timespec *deadline)
{
    if (deadline) sqlite3_progress_handler(s->db, 100000, past_deadline, (void *)deadline);
    else sqlite3_progress_handler(s->db, 0, NULL, NULL);
}

int64_t store_data_version(store *s)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int store_in_transaction(store *s)
{
    return sqlite3_get_autocommit(s->db) == 0;
}

int store_is_readonly(store *s)
{
    return sqlite3_db_readonly(s->db, "main") == 1;
}

const char *store_errmsg(store *s)
{
    return sqlite3_errmsg(s->db);
}
