/*
 * replay.c: see replay.h.
 */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "base/base.h"

const char *const replay_tables[REPLAY_TABLES] = {"run_episodes", "run_leakage",
                                                  "run_arrangements"};

/* Make the folders of root/relpath (mode 0700) and write the file (0600, O_EXCL). */
static int write_new(const char *root, const char *relpath, const char *bytes, size_t len,
                     char *err, size_t errlen)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, relpath) >= sizeof path) {
        snprintf(err, errlen, "%s: path too long", relpath);
        return -ENAMETOOLONG;
    }
    for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        int bad = mkdir(path, 0700) < 0 && errno != EEXIST;
        *s = '/';
        if (bad) {
            snprintf(err, errlen, "%s: cannot create its folder: %s", path, strerror(errno));
            return -EIO;
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -EIO;
    }
    size_t off = 0;
    int rc = 0;
    while (off < len && rc == 0) {
        ssize_t w = write(fd, bytes + off, len - off);
        if (w < 0 && errno != EINTR) rc = -errno;
        else if (w > 0) off += (size_t)w;
    }
    if (close(fd) < 0 && rc == 0) rc = -errno;
    if (rc < 0) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
    return rc < 0 ? -EIO : 0;
}

static int read_run(sqlite3 *db, int64_t of, replay_plan *p, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT status, period, template_filter FROM runs WHERE "
                               "run_id = ?1", -1, &st, NULL) != SQLITE_OK) {
        return store_fail(db, err, errlen, "reading run %lld", (long long)of);
    }
    sqlite3_bind_int64(st, 1, of);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_ROW) {
        snprintf(err, errlen, "no run %lld ('cara runs' lists them)", (long long)of);
        rc = -ENOENT;
    } else {
        util_strlcpy(p->status, (const char *)sqlite3_column_text(st, 0), sizeof p->status);
        p->period = sqlite3_column_int(st, 1);
        const unsigned char *t = sqlite3_column_text(st, 2);
        if (t && !(p->only_template = strdup((const char *)t))) rc = -ENOMEM;
    }
    sqlite3_finalize(st);
    return rc;
}

int replay_prepare(store *s, int64_t of, replay_plan *p, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    memset(p, 0, sizeof *p);
    p->of = of;
    int rc = read_run(db, of, p, err, errlen);
    if (rc < 0) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT relpath, sha256 FROM run_files WHERE run_id = ?1 "
                               "ORDER BY relpath", -1, &st, NULL) != SQLITE_OK) {
        return store_fail(db, err, errlen, "reading run %lld's files", (long long)of);
    }
    sqlite3_bind_int64(st, 1, of);
    const char *t = getenv("TMPDIR");
    snprintf(p->dir, sizeof p->dir, "%s/cara-replay-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(p->dir)) {
        snprintf(err, errlen, "cannot make a private folder in %s: %s", t && *t ? t : "/tmp",
                 strerror(errno));
        p->dir[0] = '\0';
        sqlite3_finalize(st);
        return -EIO;
    }
    int sr = SQLITE_DONE;
    while (rc == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *rel = (const char *)sqlite3_column_text(st, 0);
        const char *sha = (const char *)sqlite3_column_text(st, 1);
        char *bytes = NULL, e[512];
        size_t len;
        if (!content_safe_relpath(rel)) {
            snprintf(err, errlen, "run %lld: stored path \"%s\" is not a plain relative path "
                     "(the store is damaged)", (long long)of, rel);
            rc = -EPROTO;
        } else if ((rc = content_get(s, sha, &bytes, &len, e, sizeof e)) < 0) {
            snprintf(err, errlen, "run %lld: %s: %s", (long long)of, rel, e);
        } else {
            rc = write_new(p->dir, rel, bytes, len, err, errlen);
            p->n_files++;
        }
        free(bytes);
    }
    if (rc == 0 && sr != SQLITE_DONE) { /* a file left out would replay another computation */
        snprintf(err, errlen, "run %lld: reading its files: %s", (long long)of, sqlite3_errmsg(db));
        rc = -EIO;
    }
    sqlite3_finalize(st);
    if (rc == 0 && p->n_files == 0) {
        snprintf(err, errlen, "run %lld stored no files: it was made before cara kept the "
                 "content of what a run reads (schema 8), so it cannot be replayed",
                 (long long)of);
        rc = -ENOENT;
    }
    return rc;
}

void replay_cleanup(replay_plan *p)
{
    if (p->dir[0]) fs_remove_tree(p->dir, NULL, 0);
    free(p->only_template);
    memset(p, 0, sizeof *p);
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

static int64_t q_int(sqlite3 *db, const char *sql, int64_t a, int64_t b, int *ok)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *ok = 0;
        return 0;
    }
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    else *ok = 0;
    sqlite3_finalize(st);
    return v;
}

int replay_compare(sqlite3 *db, int64_t a, int64_t b, replay_cmp *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->same = 1;
    int ok = 1;
    for (int t = 0; t < REPLAY_TABLES && ok; t++) {
        char *cols = columns(db, replay_tables[t]);
        if (!cols) {
            ok = 0;
            break;
        }
        size_t n = 2 * strlen(cols) + 256;
        char *sql = malloc(n);
        if (!sql) {
            free(cols);
            ok = 0;
            break;
        }
        snprintf(sql, n, "SELECT count(*) FROM %s WHERE run_id = ?1", replay_tables[t]);
        out->rows_a[t] = q_int(db, sql, a, b, &ok);
        out->rows_b[t] = q_int(db, sql, b, a, &ok);
        snprintf(sql, n, "SELECT count(*) FROM (SELECT %s FROM %s WHERE run_id = ?1 EXCEPT "
                         "SELECT %s FROM %s WHERE run_id = ?2)", cols, replay_tables[t], cols,
                 replay_tables[t]);
        out->only_a[t] = q_int(db, sql, a, b, &ok);
        out->only_b[t] = q_int(db, sql, b, a, &ok);
        if (out->only_a[t] || out->only_b[t] || out->rows_a[t] != out->rows_b[t]) out->same = 0;
        free(sql);
        free(cols);
    }
    if (ok)
        out->data_changed = (int)q_int(db,
            "SELECT json_remove(a.inputs, '$.replay_of', '$.warnings') IS NOT "
            "json_remove(b.inputs, '$.replay_of', '$.warnings') FROM runs a, runs b "
            "WHERE a.run_id = ?1 AND b.run_id = ?2", a, b, &ok);
    if (!ok) {
        return store_fail(db, err, errlen, "comparing runs %lld and %lld", (long long)a,
                          (long long)b);
    }
    return 0;
}
