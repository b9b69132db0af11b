/*
 * run_manifest.c: see run_manifest.h.
 */
#include "run_manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "base/base.h"
#include "rules/rules.h"

/* Plugins are hashed, not stored: a shared object may be large. */
#define PLUGIN_MAX_BYTES (512u * 1024u * 1024u)

/* The CMS-HCC tables the engine loads from <episodes>/common (hcc.h, hcc_filter.h,
 * hcc_score.h); the first N_REQUIRED_TABLES must be there, the others are recorded when
 * present. */
static const char *const TABLES[] = {"cms_hcc_v28_dx_to_hcc.csv", "cms_hcc_v28_hierarchies.csv",
                                     "cms_hcc_ra_eligible_hcpcs.csv",
                                     "cms_hcc_v28_coefficients.csv"};
enum { N_REQUIRED_TABLES = 2 };

void run_manifest_free(run_manifest *m)
{
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->files[i].relpath);
        free(m->files[i].path);
        free(m->files[i].bytes);
    }
    free(m->files);
    for (size_t i = 0; i < m->n_comps; i++) {
        free(m->comps[i].name);
        free(m->comps[i].version);
        free(m->comps[i].path);
    }
    free(m->comps);
    memset(m, 0, sizeof *m);
}

/* path inside dir ("dir/a/b" -> "a/b"), or NULL when path is not under dir. */
static const char *inside(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (strncmp(path, dir, n) != 0 || path[n] != '/') return NULL;
    path += n;
    while (*path == '/') path++;
    return *path ? path : NULL;
}

/* The index of the file at path, reading it the first time. -1 with err on failure. */
static long add_file(run_manifest *m, const char *dir, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (!strcmp(m->files[i].path, path)) return (long)i;
    const char *rel = inside(dir, path);
    if (!rel) {
        snprintf(err, errlen, "%s: not inside the episodes folder %s (a run stores what it "
                              "reads from there)", path, dir);
        return -1;
    }
    run_file *v = realloc(m->files, (m->n_files + 1) * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->files = v;
    run_file *f = &v[m->n_files];
    memset(f, 0, sizeof *f);
    if (util_read_file(path, CONTENT_MAX_BYTES, &f->bytes, &f->len, err, errlen) < 0) return -1;
    f->relpath = strdup(rel);
    f->path = strdup(path);
    if (!f->relpath || !f->path) {
        free(f->bytes);
        free(f->relpath);
        free(f->path);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sha256_hex(f->bytes, f->len, f->sha256);
    return (long)m->n_files++;
}

/* A component (ignored when its (kind, name) is already there, as INSERT OR IGNORE
 * did). file < 0: hash the plugin at path. */
static int add_comp(run_manifest *m, const char *kind, const char *name, const char *version,
                    const char *path, long file, char *err, size_t errlen)
{
    for (size_t i = 0; i < m->n_comps; i++)
        if (!strcmp(m->comps[i].kind, kind) && !strcmp(m->comps[i].name, name)) return 0;
    run_component *v = realloc(m->comps, (m->n_comps + 1) * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    m->comps = v;
    run_component *c = &v[m->n_comps];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->file = file;
    if (file >= 0) {
        memcpy(c->sha256, m->files[file].sha256, sizeof c->sha256);
    } else {
        char *buf;
        size_t len;
        int rc = util_read_file(path, PLUGIN_MAX_BYTES, &buf, &len, err, errlen);
        if (rc < 0) return rc;
        sha256_hex(buf, len, c->sha256);
        free(buf);
    }
    c->name = strdup(name);
    c->version = strdup(version ? version : "");
    c->path = strdup(path);
    if (!c->name || !c->version || !c->path) {
        free(c->name);
        free(c->version);
        free(c->path);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    m->n_comps++;
    return 0;
}

/* A file that is also a component. */
static int add_both(run_manifest *m, const catalog *cat, const char *kind, const char *name,
                    const char *version, const char *path, char *err, size_t errlen)
{
    long f = add_file(m, cat->dir, path, err, errlen);
    return f < 0 ? -EIO : add_comp(m, kind, name, version, path, f, err, errlen);
}

/* An overlay's base folder's rule files: the catalog needs them to load the base even
 * when the overlay has its own (and a --template run keeps only the overlay). */
static int add_base_rules(run_manifest *m, const catalog *cat, const char *base_template,
                          char *err, size_t errlen)
{
    char *dir = strdup(base_template);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (!slash) {
        free(dir);
        return 0;
    }
    *slash = '\0';
    static const char *const names[] = {"attribution.lua", "savings.lua"};
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        char *p = util_path_join(dir, names[i]);
        if (!p) rc = -ENOMEM;
        else if (util_exists(p) && add_file(m, cat->dir, p, err, errlen) < 0) rc = -EIO;
        free(p);
    }
    free(dir);
    return rc;
}

int run_manifest_build(const catalog *cat, run_manifest *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    int rc = 0;
    for (size_t i = 0; i < cat->n && rc == 0; i++) {
        const catalog_entry *e = &cat->v[i];
        const char *id = template_id(e->tmpl), *ver = template_version(e->tmpl);
        char name[256];
        rc = add_comp(m, "plugin", e->plugin->desc->name, e->plugin->desc->version,
                      e->plugin->path, -1, err, errlen);
        if (rc == 0 && e->overlay_path) {
            const char *base_id = template_host_str(e->tmpl, "base.id");
            rc = add_both(m, cat, "template", id, ver, e->overlay_path, err, errlen);
            if (rc == 0)
                rc = add_both(m, cat, "template", base_id ? base_id : "base",
                              template_host_str(e->tmpl, "base.version"), e->template_path, err,
                              errlen);
            if (rc == 0) rc = add_base_rules(m, cat, e->template_path, err, errlen);
        } else if (rc == 0) {
            rc = add_both(m, cat, "template", id, ver, e->template_path, err, errlen);
        }
        snprintf(name, sizeof name, "%s/attribution.lua", id);
        if (rc == 0) rc = add_both(m, cat, "rule", name, ver, e->attribution_path, err, errlen);
        snprintf(name, sizeof name, "%s/savings.lua", id);
        if (rc == 0) rc = add_both(m, cat, "rule", name, ver, e->savings_path, err, errlen);
    }
    char *common = rc == 0 ? util_path_join(cat->dir, "common") : NULL;
    for (size_t t = 0; t < UTIL_ARRAY_LEN(TABLES) && rc == 0; t++) {
        char *p = common ? util_path_join(common, TABLES[t]) : NULL;
        if (p && t >= N_REQUIRED_TABLES && !util_exists(p)) {
            free(p);
            continue;
        }
        rc = p ? add_both(m, cat, "table", TABLES[t], "V28", p, err, errlen) : -ENOMEM;
        free(p);
    }
    free(common);
    /* the method library every rule set loads first (rules_vm_load_library_of) */
    char *lib = rc == 0 ? util_path_join(cat->dir, RULES_LIBRARY_FILE) : NULL;
    if (rc == 0 && !lib) rc = -ENOMEM;
    if (rc == 0 && util_exists(lib))
        rc = add_both(m, cat, "rule", RULES_LIBRARY_FILE, "", lib, err, errlen);
    free(lib);
    if (rc < 0) run_manifest_free(m);
    return rc < 0 ? rc : 0;
}

int run_manifest_save_files(store *s, int64_t run_id, const run_manifest *m, char *err,
                            size_t errlen)
{
    for (size_t i = 0; i < m->n_files; i++) {
        const run_file *f = &m->files[i];
        if (runs_w_file(s, run_id, f->relpath, f->sha256, f->bytes, f->len, err, errlen) < 0)
            return -EIO;
    }
    return 0;
}

int run_manifest_version_warnings(store *s, const run_manifest *m, int64_t against,
                                  json_t *warnings, char *err, size_t errlen)
{
    int n = 0;
    for (size_t i = 0; i < m->n_comps; i++) {
        const run_component *c = &m->comps[i];
        int64_t run = 0;
        char was[65], e[256];
        int k = run_record_q_component(s, c->kind, c->name, c->version, against, &run, was, e,
                                       sizeof e);
        if (k < 0) {
            snprintf(err, errlen, "reading earlier runs' components: %s", e);
            return -EIO;
        }
        if (k == 1 && strcmp(was, c->sha256) != 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s %s %s: content changed under the same version "
                     "(sha256 %.12s in run %lld, now %.12s)", c->kind, c->name,
                     c->version[0] ? c->version : "(none)", was, (long long)run, c->sha256);
            json_array_append_new(warnings, json_string(msg));
            n++;
        }
    }
    return n;
}

/* What check_plugin needs. */
typedef struct plugins_ctx {
    int64_t of;
    const run_manifest *m;
    int allow;
    json_t *warnings;
    char *err;
    size_t errlen;
} plugins_ctx;

/* One plugin run `of` used, against the plugins used now. */
static int check_plugin(const char *name, const char *version, const char *was, void *ud)
{
    plugins_ctx *x = ud;
    const run_manifest *m = x->m;
    const run_component *now = NULL;
    for (size_t i = 0; i < m->n_comps && !now; i++)
        if (!strcmp(m->comps[i].kind, "plugin") && !strcmp(m->comps[i].name, name))
            now = &m->comps[i];
    if (now && !strcmp(now->sha256, was)) return 0;
    char msg[768];
    if (now)
        snprintf(msg, sizeof msg, "plugin %s differs from run %lld's: sha256 %s then, %s "
                 "now (%s)", name, (long long)x->of, was, now->sha256, now->path);
    else
        snprintf(msg, sizeof msg, "plugin %s (sha256 %s in run %lld) is not used now",
                 name, was, (long long)x->of);
    if (x->allow) {
        json_array_append_new(x->warnings, json_string(msg));
        return 0;
    }
    snprintf(x->err, x->errlen, "%s; the replay would not be run %lld's computation "
             "(--allow-plugin-change goes on anyway)", msg, (long long)x->of);
    return -EPERM;
}

int run_manifest_check_plugins(store *s, int64_t of, const run_manifest *m, int allow,
                               json_t *warnings, char *err, size_t errlen)
{
    plugins_ctx x = {of, m, allow, warnings, err, errlen};
    char e[256];
    int rc = run_record_q_plugins(s, of, check_plugin, &x, e, sizeof e);
    if (rc == -EIO) /* a plugin left unchecked */
        snprintf(err, errlen, "reading run %lld's plugins: %s", (long long)of, e);
    return rc;
}
