/*
 * snapshots.c: see snapshots.h.
 */
#include "snapshots.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "contents.h"
#include "store_internal.h"
#include "base/base.h"

typedef struct snap_file {
    char *rel;
    char sha[65];
    char *bytes;
    size_t len;
} snap_file;

typedef struct snap_list {
    snap_file *v;
    size_t n, cap;
} snap_list;

static void list_free(snap_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].rel);
        free(l->v[i].bytes);
    }
    free(l->v);
}

/* Every regular file under root/rel (rel "" for root itself), depth-limited. */
static int walk(const char *root, const char *rel, int depth, snap_list *l, char *err,
                size_t errlen)
{
    if (depth > 8) return 0;
    char *dir = rel[0] ? util_path_join(root, rel) : strdup(root);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        snprintf(err, errlen, "%s: cannot read: %s", dir ? dir : root, strerror(errno));
        free(dir);
        return -EIO;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char *r = rel[0] ? util_path_join(rel, e->d_name) : strdup(e->d_name);
        char *p = r ? util_path_join(root, r) : NULL;
        struct stat st;
        if (!p) rc = -ENOMEM;
        else if (lstat(p, &st) < 0) ;
        else if (S_ISDIR(st.st_mode)) rc = walk(root, r, depth + 1, l, err, errlen);
        else if (S_ISREG(st.st_mode)) {
            if (l->n == l->cap) {
                size_t cap = l->cap ? 2 * l->cap : 32;
                snap_file *v = realloc(l->v, cap * sizeof *v);
                if (!v) rc = -ENOMEM;
                else l->v = v, l->cap = cap;
            }
            if (rc == 0) {
                snap_file *f = &l->v[l->n];
                memset(f, 0, sizeof *f);
                rc = util_read_file(p, CONTENT_MAX_BYTES, &f->bytes, &f->len, err, errlen);
                if (rc == 0) {
                    sha256_hex(f->bytes, f->len, f->sha);
                    f->rel = r;
                    r = NULL;
                    l->n++;
                }
            }
        }
        free(r);
        free(p);
    }
    closedir(d);
    free(dir);
    return rc;
}

static int cmp_rel(const void *a, const void *b)
{
    return strcmp(((const snap_file *)a)->rel, ((const snap_file *)b)->rel);
}

static int exec1(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE) return 0;
    snprintf(err, errlen, "recording the snapshot: %s: %s", what, sqlite3_errmsg(db));
    return -EIO;
}

/* The template or overlay a top-level folder's file defines: id and version. */
static int add_template(sqlite3 *db, sqlite3_stmt *st, int64_t id, const snap_file *f,
                        char *err, size_t errlen)
{
    const char *slash = strchr(f->rel, '/');
    if (!slash || (strcmp(slash, "/template.json") && strcmp(slash, "/overlay.json"))) return 0;
    json_error_t je;
    json_t *o = json_loadb(f->bytes, f->len, 0, &je);
    const char *tid = json_string_value(json_object_get(o, "id"));
    const char *ver = json_string_value(json_object_get(o, "version"));
    int rc = 0;
    if (tid) {
        sqlite3_bind_int64(st, 1, id);
        /* o and f outlive the step: no copies, so no bind that can run out of memory */
        sqlite3_bind_text(st, 2, tid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ver ? ver : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, f->rel, (int)(slash - f->rel), SQLITE_STATIC);
        sqlite3_bind_text(st, 5, f->sha, -1, SQLITE_STATIC);
        rc = exec1(db, st, f->rel, err, errlen);
    }
    json_decref(o);
    return rc;
}

static int store_list(sqlite3 *db, const snap_list *l, const char *tree, const char *source,
                      int version, int64_t *out, char *err, size_t errlen)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_stmt *ins = NULL, *file = NULL, *tpl = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, "INSERT INTO episode_snapshots (tree_sha256, activated_at, "
                               "version, source_dir) VALUES (?1, ?2, ?3, ?4)", -1, &ins,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO snapshot_files (snapshot_id, relpath, sha256) "
                               "VALUES (?1, ?2, ?3)", -1, &file, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO snapshot_templates (snapshot_id, "
                               "template_id, version, folder, sha256) VALUES (?1, ?2, ?3, ?4, "
                               "?5)", -1, &tpl, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "recording the snapshot: %s", sqlite3_errmsg(db));
        rc = -EIO;
    }
    if (rc == 0) {
        sqlite3_bind_text(ins, 1, tree, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 3, version);
        sqlite3_bind_text(ins, 4, source, -1, SQLITE_STATIC);
        rc = exec1(db, ins, "the snapshot row", err, errlen);
    }
    int64_t id = rc == 0 ? sqlite3_last_insert_rowid(db) : 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const snap_file *f = &l->v[i];
        rc = store__content_put(db, f->sha, f->bytes, f->len, err, errlen);
        if (rc == 0) {
            sqlite3_bind_int64(file, 1, id);
            sqlite3_bind_text(file, 2, f->rel, -1, SQLITE_STATIC);
            sqlite3_bind_text(file, 3, f->sha, -1, SQLITE_STATIC);
            rc = exec1(db, file, f->rel, err, errlen);
        }
        if (rc == 0) rc = add_template(db, tpl, id, f, err, errlen);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(file);
    sqlite3_finalize(tpl);
    if (out) *out = id;
    return rc;
}

int snapshot_record(store *s, const char *dir, const char *source_dir, int version,
                    int64_t *id, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    snap_list l = {0};
    int rc = walk(dir, "", 0, &l, err, errlen);
    char tree[65] = "";
    if (rc == 0) {
        if (l.n) qsort(l.v, l.n, sizeof *l.v, cmp_rel); /* l.v is NULL when l.n is 0 */
        sha256_ctx c;
        sha256_init(&c);
        for (size_t i = 0; i < l.n; i++) {
            sha256_update(&c, l.v[i].sha, 64);
            sha256_update(&c, "  ", 2);
            sha256_update(&c, l.v[i].rel, strlen(l.v[i].rel));
            sha256_update(&c, "\n", 1);
        }
        unsigned char d[32];
        sha256_final(&c, d);
        for (int i = 0; i < 32; i++) snprintf(tree + 2 * i, 3, "%02x", d[i]);
    }
    if (rc == 0 && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "recording the snapshot: %s", sqlite3_errmsg(db));
        rc = -EIO;
    } else if (rc == 0) {
        rc = store_list(db, &l, tree, source_dir, version, id, err, errlen);
        if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "recording the snapshot: %s", sqlite3_errmsg(db));
            rc = -EIO;
        }
        if (rc < 0) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    list_free(&l);
    return rc;
}
