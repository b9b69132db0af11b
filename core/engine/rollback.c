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

/* The catalog files of a source and the hash over them (source_files). */
typedef struct files_acc {
    json_t *files;
    sha256_ctx c;
} files_acc;

static int add_file(const char *name, const char *sha, void *ud)
{
    files_acc *f = ud;
    if (!is_catalog_file(name)) return 0;
    json_object_set_new(f->files, name, json_string(sha));
    sha256_update(&f->c, sha, strlen(sha));
    sha256_update(&f->c, "  ", 2);
    sha256_update(&f->c, name, strlen(name));
    sha256_update(&f->c, "\n", 1);
    return 0;
}

/* {name: sha256} of a source's catalog files (*files, new reference) and their combined
 * hash. 0, or -EIO with SQLite's message in err (*files NULL). */
static int source_files(store *s, int is_run, int64_t id, const char *folder, json_t **files,
                        char hash[65], char *err, size_t errlen)
{
    files_acc f = {json_object(), {0}};
    sha256_init(&f.c);
    if (template_hist_q_files(s, is_run, id, folder, add_file, &f, err, errlen) < 0) {
        json_decref(f.files);
        *files = NULL;
        return -EIO;
    }
    *files = f.files;
    unsigned char d[32];
    sha256_final(&f.c, d);
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
    if (!ov || template_hist_q_content(s, ov, &bytes, &len, err, sizeof err) < 0) return;
    json_error_t je;
    json_t *doc = json_loadb(bytes, len, 0, &je);
    const char *aco = json_string_value(json_object_get(doc, "aco_id"));
    if (aco) json_object_set_new(e, "aco_id", json_string(aco));
    json_decref(doc);
    free(bytes);
}

/* What add_source needs. */
typedef struct hist_acc {
    store *s;
    const char *id;
    json_t *list;
    char *err;      /* SQLite's message when a source's files cannot be read */
    size_t errlen;
} hist_acc;

/* One run or snapshot that held the template: a new entry, or one more source of the
 * entry with the same version, hash and files. */
static int add_source(const template_source_row *r, void *ud)
{
    hist_acc *h = ud;
    json_t *files;
    char fh[65];
    if (source_files(h->s, r->is_run, r->id, r->folder, &files, fh, h->err, h->errlen) < 0)
        return -EIO;
    json_t *e = NULL;
    for (size_t i = 0; i < json_array_size(h->list) && !e; i++) {
        json_t *x = json_array_get(h->list, i);
        if (!strcmp(json_string_value(json_object_get(x, "version")), r->version) &&
            !strcmp(json_string_value(json_object_get(x, "sha256")), r->sha256) &&
            !strcmp(json_string_value(json_object_get(x, "files_sha256")), fh))
            e = x;
    }
    if (!e) {
        e = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:[], s:[]}", "template_id",
                      h->id, "version", r->version, "sha256", r->sha256, "files_sha256", fh,
                      "files", files, "folder", r->folder, "first_seen", r->at, "last_seen",
                      r->at, "runs", "snapshots");
        describe(h->s, e);
        json_array_append_new(h->list, e);
    }
    json_decref(files);
    json_object_set_new(e, "first_seen", json_string(r->at)); /* sources come latest first */
    json_array_append_new(json_object_get(e, r->is_run ? "runs" : "snapshots"),
                          json_integer(r->id));
    return 0;
}

int rollback_history(store *s, const char *id, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    char m[256];
    hist_acc h = {s, id, json_array(), m, sizeof m};
    int rc = template_hist_q_sources(s, id, add_source, &h, m, sizeof m);
    if (rc < 0) {
        snprintf(err, errlen, "reading template %s's history: %s", id, m);
        json_decref(h.list);
        return rc;
    }
    *out = h.list;
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
        if (template_hist_q_content(s, json_string_value(v), &bytes, &len, e, sizeof e) < 0) {
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
