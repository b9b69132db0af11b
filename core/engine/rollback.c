/*
 * rollback.c: see rollback.h.
 */
#include "rollback.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "store/store.h"
#include "engine_internal.h"
#include "base/base.h"
#include "episodes_check.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* The files of a folder the catalog reads. */
static const char *const CATALOG_FILES[] = {"template.json", "overlay.json", "attribution.lua",
                                            "savings.lua"};

static int is_catalog_file(const char *name)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(CATALOG_FILES); i++)
        if (!strcmp(name, CATALOG_FILES[i])) return 1;
    return 0;
}

/* ---- history -------------------------------------------------------------------------------- */

/* Every run and snapshot that held template ?1, latest first. */
static const char SOURCES_SQL[] =
    "SELECT 'run', rc.run_id, r.started_at, rc.version, "
    " substr(rc.relpath, 1, instr(rc.relpath, '/') - 1), rc.sha256 "
    "FROM run_components rc JOIN runs r ON r.run_id = rc.run_id "
    "WHERE rc.kind = 'template' AND rc.name = ?1 AND rc.relpath IS NOT NULL "
    "  AND instr(rc.relpath, '/') > 0 "
    "UNION ALL "
    "SELECT 'snapshot', t.snapshot_id, s.activated_at, t.version, t.folder, t.sha256 "
    "FROM snapshot_templates t JOIN episode_snapshots s ON s.snapshot_id = t.snapshot_id "
    "WHERE t.template_id = ?1 "
    "ORDER BY 3 DESC, 2 DESC";

/* The top-level files of folder ?2 in run or snapshot ?1. */
static const char RUN_FILES_SQL[] =
    "SELECT substr(relpath, length(?2) + 2), sha256 FROM run_files WHERE run_id = ?1 AND "
    "substr(relpath, 1, length(?2) + 1) = ?2 || '/' AND instr(substr(relpath, length(?2) + 2), "
    "'/') = 0 ORDER BY 1";
static const char SNAP_FILES_SQL[] =
    "SELECT substr(relpath, length(?2) + 2), sha256 FROM snapshot_files WHERE snapshot_id = ?1 "
    "AND substr(relpath, 1, length(?2) + 1) = ?2 || '/' AND "
    "instr(substr(relpath, length(?2) + 2), '/') = 0 ORDER BY 1";

/* {name: sha256} of a source's catalog files and their combined hash. */
static int source_files(sqlite3 *db, int is_run, int64_t id, const char *folder, json_t **files,
                        char hash[65])
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, is_run ? RUN_FILES_SQL : SNAP_FILES_SQL, -1, &st, NULL) != SQLITE_OK)
        return -EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, folder, -1, SQLITE_TRANSIENT);
    *files = json_object();
    sha256_ctx c;
    sha256_init(&c);
    while (sqlite3_step(st) == SQLITE_ROW) { /* ordered by name */
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sha = (const char *)sqlite3_column_text(st, 1);
        if (!is_catalog_file(name)) continue;
        json_object_set_new(*files, name, json_string(sha));
        sha256_update(&c, sha, strlen(sha));
        sha256_update(&c, "  ", 2);
        sha256_update(&c, name, strlen(name));
        sha256_update(&c, "\n", 1);
    }
    sqlite3_finalize(st);
    unsigned char d[32];
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++) snprintf(hash + 2 * i, 3, "%02x", d[i]);
    return 0;
}

/* kind and aco_id of an entry, from its overlay.json when it has one. */
static void describe(store *s, json_t *e)
{
    const char *ov = json_string_value(json_object_get(json_object_get(e, "files"), "overlay.json"));
    json_object_set_new(e, "kind", json_string(ov ? "overlay" : "base"));
    char *bytes, err[256];
    size_t len;
    if (!ov || content_get(s, ov, &bytes, &len, err, sizeof err) < 0) return;
    json_error_t je;
    json_t *doc = json_loadb(bytes, len, 0, &je);
    const char *aco = json_string_value(json_object_get(doc, "aco_id"));
    if (aco) json_object_set_new(e, "aco_id", json_string(aco));
    json_decref(doc);
    free(bytes);
}

int rollback_history(store *s, const char *id, json_t **out, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, SOURCES_SQL, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "reading template %s's history: %s", id, sqlite3_errmsg(db));
        return -EIO;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    int rc = 0;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        int is_run = !strcmp((const char *)sqlite3_column_text(st, 0), "run");
        int64_t sid = sqlite3_column_int64(st, 1);
        const char *at = (const char *)sqlite3_column_text(st, 2);
        const char *ver = (const char *)sqlite3_column_text(st, 3);
        const char *folder = (const char *)sqlite3_column_text(st, 4);
        const char *sha = (const char *)sqlite3_column_text(st, 5);
        json_t *files;
        char fh[65];
        if (source_files(db, is_run, sid, folder, &files, fh) < 0) {
            rc = -EIO;
            break;
        }
        json_t *e = NULL;
        for (size_t i = 0; i < json_array_size(list) && !e; i++) {
            json_t *x = json_array_get(list, i);
            if (!strcmp(json_string_value(json_object_get(x, "version")), ver) &&
                !strcmp(json_string_value(json_object_get(x, "sha256")), sha) &&
                !strcmp(json_string_value(json_object_get(x, "files_sha256")), fh))
                e = x;
        }
        if (!e) {
            e = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:[], s:[]}", "template_id",
                          id, "version", ver, "sha256", sha, "files_sha256", fh, "files", files,
                          "folder", folder, "first_seen", at, "last_seen", at, "runs",
                          "snapshots");
            describe(s, e);
            json_array_append_new(list, e);
        }
        json_decref(files);
        json_object_set_new(e, "first_seen", json_string(at)); /* sources come latest first */
        json_array_append_new(json_object_get(e, is_run ? "runs" : "snapshots"), json_integer(sid));
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        snprintf(err, errlen, "reading template %s's history: %s", id, sqlite3_errmsg(db));
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* ---- finding ---------------------------------------------------------------------------------- */

static int has_id(const json_t *a, int64_t id)
{
    for (size_t i = 0; i < json_array_size(a); i++)
        if (json_integer_value(json_array_get(a, i)) == id) return 1;
    return 0;
}

static int prefix_of(const char *prefix, const char *hex)
{
    return hex && !strncmp(prefix, hex, strlen(prefix));
}

int rollback_find(store *s, const rollback_req *r, json_t **entry, char *err, size_t errlen)
{
    *entry = NULL;
    if (!r->run && !r->version && !r->sha256) {
        snprintf(err, errlen, "say what to restore: a run, a version or a sha256");
        return -EINVAL;
    }
    if (r->sha256) {
        size_t n = strlen(r->sha256);
        int hex = n >= 8 && n <= 64;
        for (size_t i = 0; hex && i < n; i++)
            hex = (r->sha256[i] >= '0' && r->sha256[i] <= '9') || (r->sha256[i] >= 'a' && r->sha256[i] <= 'f');
        if (!hex) {
            snprintf(err, errlen, "sha256 \"%s\": expected 8 to 64 lowercase hex digits", r->sha256);
            return -EINVAL;
        }
    }
    json_t *hist;
    int rc = rollback_history(s, r->template_id, &hist, err, errlen);
    if (rc < 0) return rc;
    json_t *found = NULL;
    int matches = 0;
    for (size_t i = 0; i < json_array_size(hist); i++) {
        json_t *e = json_array_get(hist, i);
        if (r->run && !has_id(json_object_get(e, "runs"), r->run)) continue;
        if (r->version && strcmp(json_string_value(json_object_get(e, "version")), r->version)) continue;
        if (r->sha256 && !prefix_of(r->sha256, json_string_value(json_object_get(e, "sha256"))) &&
            !prefix_of(r->sha256, json_string_value(json_object_get(e, "files_sha256"))))
            continue;
        if (!found) found = e;
        else if (strcmp(json_string_value(json_object_get(e, "sha256")),
                        json_string_value(json_object_get(found, "sha256"))))
            matches++;
    }
    if (found && r->sha256 && strlen(r->sha256) < 64 && matches) {
        snprintf(err, errlen, "template %s: sha256 %s matches more than one stored content "
                 "(give more digits; 'cara template history %s' lists them)", r->template_id,
                 r->sha256, r->template_id);
        json_decref(hist);
        return -EINVAL;
    }
    if (!found) {
        size_t off = (size_t)snprintf(err, errlen, "template %s: no stored content matches", r->template_id);
        if (r->run) off += (size_t)snprintf(err + off, off < errlen ? errlen - off : 0, " run %lld", (long long)r->run);
        if (r->version && off < errlen) off += (size_t)snprintf(err + off, errlen - off, " version %s", r->version);
        if (r->sha256 && off < errlen) off += (size_t)snprintf(err + off, errlen - off, " sha256 %s", r->sha256);
        if (off < errlen) off += (size_t)snprintf(err + off, errlen - off, " (stored:%s",
                                                  json_array_size(hist) ? "" : " none");
        for (size_t i = 0; i < json_array_size(hist) && i < 10 && off < errlen; i++) {
            json_t *e = json_array_get(hist, i);
            off += (size_t)snprintf(err + off, errlen - off, "%s %s %.12s", i ? "," : "",
                                    json_string_value(json_object_get(e, "version")),
                                    json_string_value(json_object_get(e, "sha256")));
        }
        if (off < errlen) snprintf(err + off, errlen - off, ")");
        json_decref(hist);
        return -ENOENT;
    }
    *entry = json_incref(found);
    json_decref(hist);
    return 0;
}

/* ---- applying --------------------------------------------------------------------------------- */

static int validate(const char *dir, const char *plugins_dir, char *msg)
{
    return episodes_check_dir(dir, plugins_dir, msg);
}

/* Write the entry's files into dir (created), removing catalog files it does not hold. */
static int put_files(store *s, const json_t *files, const char *dir, mode_t mode, char *err,
                     size_t errlen)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
        return -EIO;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(CATALOG_FILES); i++) {
        if (json_object_get(files, CATALOG_FILES[i])) continue;
        char *p = util_path_join(dir, CATALOG_FILES[i]);
        if (p) unlink(p);
        free(p);
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)files, name, v) {
        char *bytes = NULL, e[512];
        size_t len;
        if (content_get(s, json_string_value(v), &bytes, &len, e, sizeof e) < 0) {
            snprintf(err, errlen, "%s: %s", name, e);
            return -EIO;
        }
        char *p = util_path_join(dir, name);
        int fd = p ? open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode) : -1;
        int rc = fd < 0 ? -EIO : 0;
        for (size_t off = 0; rc == 0 && off < len;) {
            ssize_t w = write(fd, bytes + off, len - off);
            if (w < 0 && errno != EINTR) rc = -EIO;
            else if (w > 0) off += (size_t)w;
        }
        if (fd >= 0 && (fsync(fd) < 0 || close(fd) < 0)) rc = -EIO;
        if (rc < 0) snprintf(err, errlen, "%s: cannot write: %s", p ? p : name, strerror(errno));
        free(p);
        free(bytes);
        if (rc < 0) return rc;
    }
    return 0;
}

/* {name: sha256} of the catalog files in dir now. */
static json_t *current_files(const char *dir)
{
    json_t *o = json_object();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(CATALOG_FILES); i++) {
        char *p = util_path_join(dir, CATALOG_FILES[i]), *buf, e[256], hex[65];
        size_t len;
        if (p && util_read_file(p, CONTENT_MAX_BYTES, &buf, &len, e, sizeof e) == 0) {
            sha256_hex(buf, len, hex);
            json_object_set_new(o, CATALOG_FILES[i], json_string(hex));
            free(buf);
        }
        free(p);
    }
    return o;
}

/* Replace `folder` by `staged` in one step where the kernel can (else two renames). */
static int swap_in(const char *staged, const char *folder, int exists)
{
    if (!exists) return rename(staged, folder) < 0 ? -errno : 0;
    if (syscall(SYS_renameat2, AT_FDCWD, staged, AT_FDCWD, folder, RENAME_EXCHANGE) == 0) return 0;
    char old[PATH_MAX + 8];
    snprintf(old, sizeof old, "%s.old", staged);
    if (rename(folder, old) < 0) return -errno;
    if (rename(staged, folder) < 0) {
        int e = errno;
        rename(old, folder);
        return -e;
    }
    return rename(old, staged) < 0 ? -errno : 0; /* the old folder goes where staged was */
}

int rollback_apply(store *s, const json_t *entry, const char *source_dir,
                   const char *plugins_dir, json_t **before, char *err, size_t errlen)
{
    *before = NULL;
    const char *folder = json_string_value(json_object_get(entry, "folder"));
    const json_t *files = json_object_get(entry, "files");
    if (!folder || !content_safe_relpath(folder) || strchr(folder, '/') || !json_object_size(files)) {
        snprintf(err, errlen, "the stored content names no usable folder");
        return -EINVAL;
    }
    int idrc = ids_check_template_id(folder, strlen(folder));
    if (idrc != ID_OK) { /* the folder name is a template id (ids.h): never "common" */
        snprintf(err, errlen, "the stored content names folder \"%s\": %s", folder,
                 ids_explain("template", idrc));
        return -EINVAL;
    }
    char *target = util_path_join(source_dir, folder);
    if (!target) return -ENOMEM;
    struct stat tst;
    int exists = stat(target, &tst) == 0 && S_ISDIR(tst.st_mode);
    mode_t dmode = exists ? (tst.st_mode & 07777) : 0755;
    /* 1. the whole folder with the change, validated in a private copy */
    const char *t = getenv("TMPDIR");
    char tmp[PATH_MAX], cand[PATH_MAX + 16], candf[PATH_MAX + 300], msg[2048];
    snprintf(tmp, sizeof tmp, "%s/cara-rollback-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        snprintf(err, errlen, "cannot make a private folder in %s: %s", t && *t ? t : "/tmp",
                 strerror(errno));
        free(target);
        return -EIO;
    }
    snprintf(cand, sizeof cand, "%s/episodes", tmp);
    snprintf(candf, sizeof candf, "%s/%s", cand, folder);
    int rc = fs_copy_tree(source_dir, cand, err, errlen);
    if (rc == 0) rc = put_files(s, files, candf, 0644, err, errlen);
    if (rc == 0 && validate(cand, plugins_dir, msg) < 0) {
        /* name the source folder, not the private copy */
        char out[2048];
        size_t o = 0, cl = strlen(cand);
        for (const char *p = msg; *p && o + 1 < sizeof out;) {
            if (!strncmp(p, cand, cl)) {
                o += (size_t)snprintf(out + o, sizeof out - o, "%s", source_dir);
                if (o >= sizeof out) o = sizeof out - 1;
                p += cl;
            } else {
                out[o++] = *p++;
            }
        }
        out[o] = '\0';
        snprintf(err, errlen, "the episodes folder with %s rolled back would not be valid, so "
                 "nothing was changed: %s", folder, out);
        rc = -EINVAL;
    }
    fs_remove_tree(tmp, NULL, 0);
    /* 2. staged beside the folder (a dot name: the watcher, the catalog and snapshots
     * skip it), then swapped in */
    char staged[PATH_MAX];
    snprintf(staged, sizeof staged, "%s/.%s.rollback-XXXXXX", source_dir, folder);
    if (rc == 0 && !mkdtemp(staged)) {
        snprintf(err, errlen, "%s: cannot stage the rollback: %s", source_dir, strerror(errno));
        rc = -EIO;
    }
    int have_staged = rc == 0;
    if (rc == 0 && exists) rc = fs_copy_tree(target, staged, err, errlen);
    if (rc == 0) rc = put_files(s, files, staged, 0644, err, errlen);
    if (rc == 0 && chmod(staged, dmode) < 0) rc = -EIO;
    if (rc == 0) *before = exists ? current_files(target) : json_object();
    if (rc == 0 && (rc = swap_in(staged, target, exists)) < 0) {
        snprintf(err, errlen, "%s: cannot replace it: %s", target, strerror(-rc));
        json_decref(*before);
        *before = NULL;
        rc = -EIO;
    }
    if (have_staged) fs_remove_tree(staged, NULL, 0);
    free(target);
    return rc;
}

int rollback_audit(store *s, const char *actor, const char *id, const json_t *before,
                   const json_t *after, char *err, size_t errlen)
{
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char e[256];
    audit_row r = {.actor = actor, .action = "template.rollback", .entity = "template",
                   .entity_id = id, .before = b, .after = a};
    int rc = audit_append(s, &r, e, sizeof e) < 0 ? -EIO : 0;
    if (rc < 0) snprintf(err, errlen, "the audit row of template %s's rollback: %s", id, e);
    free(a);
    free(b);
    return rc;
}
