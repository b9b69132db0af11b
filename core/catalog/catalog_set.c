/*
 * catalog_set.c: see catalog_set.h.
 */
#include "catalog_set.h"

#include <pthread.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "base/base.h"
#include "overlay.h"
#include "template_check.h"

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(template_id(((const catalog_entry *)a)->tmpl),
                  template_id(((const catalog_entry *)b)->tmpl));
}

static void entry_free(catalog_entry *e)
{
    if (e->inst && e->plugin) e->plugin->desc->instance_free(e->inst);
    template_free(e->tmpl);
    free(e->dir);
    free(e->overlay_path);
    free(e->template_path);
    free(e->attribution_path);
    free(e->savings_path);
    free(e->base_id);
    free(e->aco_id);
}

/* Format the diagnostics of `file` into err ("file: N problem(s):\n  path: ..."). */
static void diag_format(const cara_diag *d, const char *file, char *err, size_t errlen)
{
    size_t off = (size_t)snprintf(err, errlen, "%s: %zu problem(s):", file, d->n);
    for (size_t i = 0; i < d->n && off < errlen; i++)
        off += (size_t)snprintf(err + off, errlen - off, "\n  %s", d->items[i]);
}

/* The entry's plugin must exist and the template pass template_check (the schema, a
 * base's customizable policy, the plugin's own members). */
static int validate_entry(catalog *c, catalog_entry *e, char *err, size_t errlen)
{
    const char *file = e->overlay_path ? e->overlay_path : e->template_path;
    const char *type = template_episode_type(e->tmpl);
    e->plugin = plugin_find(&c->plugins, type);
    if (!e->plugin) {
        snprintf(err, errlen,
                 "%s: episode_type \"%s\": no loaded plugin provides it ('cara plugins' "
                 "lists the episode types)",
                 file, type);
        return -ENOENT;
    }
    cara_diag d = {0};
    template_check(e->tmpl, e->plugin->desc, e->overlay_path != NULL, &d);
    int rc = d.n ? -EINVAL : 0;
    if (rc) diag_format(&d, file, err, errlen);
    diag_free(&d);
    return rc;
}

/* The rule files of an entry: its own folder's, else (an overlay) its base's. */
static int rule_files(catalog_entry *e, const catalog_entry *base, char *err, size_t errlen)
{
    char **paths[] = {&e->attribution_path, &e->savings_path};
    static const char *const names[] = {"attribution.lua", "savings.lua"};
    for (size_t i = 0; i < 2; i++) {
        *paths[i] = util_path_join(e->dir, names[i]);
        if (!*paths[i]) return util_fail(err, errlen, -ENOMEM, "out of memory");
        if (util_exists(*paths[i])) continue;
        if (base) {
            free(*paths[i]);
            *paths[i] = strdup(i == 0 ? base->attribution_path : base->savings_path);
            if (!*paths[i]) return util_fail(err, errlen, -ENOMEM, "out of memory");
            continue;
        }
        snprintf(err, errlen, "%s: missing (every template needs attribution.lua and "
                              "savings.lua; see docs/rules.md)", *paths[i]);
        return -ENOENT;
    }
    return 0;
}

/* An overlay folder: apply overlay.json to its base (already in the catalog). */
static int load_overlay(catalog *c, catalog_entry *e, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    int rc = util_read_file(e->overlay_path, 8u << 20, &buf, &len, err, errlen);
    if (rc < 0) return rc;
    json_t *doc = NULL;
    overlay_info info;
    cara_diag d = {0};
    overlay_parse(e->overlay_path, buf, len, &doc, &info, &d);
    free(buf);
    const catalog_entry *base = NULL;
    for (size_t i = 0; !d.n && i < c->n; i++)
        if (!c->v[i].overlay_path && !strcmp(template_id(c->v[i].tmpl), info.base_id)) base = &c->v[i];
    if (!d.n && !base)
        diag_add(&d, "base", "no base template \"%s\" in %s", info.base_id, c->dir);
    if (!d.n) overlay_apply(e->overlay_path, doc, base->tmpl, &e->tmpl, &d);
    json_decref(doc);
    if (d.n) {
        diag_format(&d, e->overlay_path, err, errlen);
        diag_free(&d);
        return -EINVAL;
    }
    diag_free(&d);
    free(e->template_path);
    e->template_path = strdup(base->template_path);
    e->base_id = strdup(template_id(base->tmpl));
    const char *aco = template_host_str(e->tmpl, "aco_id");
    e->aco_id = strdup(aco ? aco : "");
    if (!e->template_path || !e->base_id || !e->aco_id) return -ENOMEM;
    return rule_files(e, base, err, errlen);
}

/* Load, validate and instantiate one folder: bases on pass 0, overlays on pass 1.
 * 0, 1 (nothing for this pass) or <0. */
static int load_entry(catalog *c, const char *dir, int pass, catalog_entry *e, char *err,
                      size_t errlen)
{
    memset(e, 0, sizeof *e);
    e->dir = strdup(dir);
    e->template_path = util_path_join(dir, "template.json");
    char *overlay = util_path_join(dir, "overlay.json");
    if (!e->dir || !e->template_path || !overlay) {
        free(overlay);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc;
    if (pass == 0 && util_exists(e->template_path)) {
        free(overlay);
        rc = template_load(e->template_path, &e->tmpl, err, errlen);
        if (rc == 0) rc = rule_files(e, NULL, err, errlen);
    } else if (pass == 1 && !util_exists(e->template_path) && util_exists(overlay)) {
        e->overlay_path = overlay;
        rc = load_overlay(c, e, err, errlen);
    } else {
        free(overlay);
        return 1;
    }
    if (rc == 0) rc = validate_entry(c, e, err, errlen);
    if (rc < 0) return rc;
    char why[512] = "";
    rc = e->plugin->desc->instance_new(e->tmpl, &e->inst, why, sizeof why);
    if (rc < 0) {
        e->inst = NULL;
        snprintf(err, errlen, "%s: %s: %s", e->overlay_path ? e->overlay_path : e->template_path,
                 template_episode_type(e->tmpl), why);
        return rc;
    }
    return 0;
}

/* Keep an overlay's id, base and ACO in c->overlays; one overlay per ACO and base. */
static int remember_overlay(catalog *c, const catalog_entry *e, char *err, size_t errlen)
{
    const char *id = template_id(e->tmpl);
    if (!e->aco_id[0]) {
        snprintf(err, errlen, "%s: aco_id: missing (an overlay belongs to one ACO, whose "
                              "beneficiaries it prices instead of its base)", e->overlay_path);
        return -EINVAL;
    }
    const char *other = catalog_overlay_of(c, e->base_id, e->aco_id);
    if (other) {
        snprintf(err, errlen, "%s: ACO %s already customizes %s as \"%s\": an ACO has at most "
                              "one overlay of a base template (remove one of them)",
                 e->overlay_path, e->aco_id, e->base_id, other);
        return -EEXIST;
    }
    catalog_overlay *v = realloc(c->overlays, (c->n_overlays + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    c->overlays = v;
    catalog_overlay *o = &v[c->n_overlays];
    o->id = strdup(id);
    o->base_id = strdup(e->base_id);
    o->aco_id = strdup(e->aco_id);
    if (!o->id || !o->base_id || !o->aco_id) {
        free(o->id);
        free(o->base_id);
        free(o->aco_id);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    c->n_overlays++;
    return 0;
}

/* A folder that holds template.json or overlay.json is named like a template id
 * (ids_check_template_id: "common" is reserved for shared files); other folders are
 * ignored. 0 or -EINVAL with the folder and the rule in err. */
static int check_folder_name(const char *dir, char *err, size_t errlen)
{
    char *t = util_path_join(dir, "template.json"), *o = util_path_join(dir, "overlay.json");
    int holds = (t && util_exists(t)) || (o && util_exists(o));
    free(t);
    free(o);
    if (!holds) return 0;
    const char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    int rc = ids_check_template_id(name, strlen(name));
    if (rc == ID_OK) return 0;
    snprintf(err, errlen, "%s: folder name \"%s\" holds a template or overlay but is not a "
             "template id: %s", dir, name, ids_explain("template", rc));
    return -EINVAL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Plugins' init, validate, instance_new and instance_free run on one thread at a time
 * (plugin.h): every catalog, on whatever thread, goes through this lock. */
static pthread_mutex_t plugin_lock;
static pthread_once_t plugin_lock_once = PTHREAD_ONCE_INIT;

/* Recursive: catalog_open frees what it built when it fails. */
static void plugin_lock_init(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&plugin_lock, &a);
    pthread_mutexattr_destroy(&a);
}

void catalog_plugin_lock(void)
{
    pthread_once(&plugin_lock_once, plugin_lock_init);
    pthread_mutex_lock(&plugin_lock);
}
void catalog_plugin_unlock(void) { pthread_mutex_unlock(&plugin_lock); }

static int catalog_open_locked(catalog *c, const char *episodes_dir, const char *plugins_dir,
                               const char *only, catalog_warn_fn warn, void *ud, char *err,
                               size_t errlen);

int catalog_open(catalog *c, const char *episodes_dir, const char *plugins_dir,
                 const char *only, catalog_warn_fn warn, void *ud, char *err, size_t errlen)
{
    catalog_plugin_lock();
    int rc = catalog_open_locked(c, episodes_dir, plugins_dir, only, warn, ud, err, errlen);
    catalog_plugin_unlock();
    return rc;
}

static int catalog_open_locked(catalog *c, const char *episodes_dir, const char *plugins_dir,
                               const char *only, catalog_warn_fn warn, void *ud, char *err,
                               size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (!(c->dir = strdup(episodes_dir))) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = plugin_load_dir(&c->plugins, plugins_dir, host_services(), warn, ud, err, errlen);
    if (rc < 0) {
        catalog_free(c); /* the plugins loaded before the failure, and c->dir */
        return rc;
    }
    DIR *d = opendir(episodes_dir);
    if (!d) {
        rc = -errno;
        snprintf(err, errlen, "cannot read episodes directory %s: %s (pass --episodes DIR)",
                 episodes_dir, strerror(-rc));
        catalog_free(c);
        return rc;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    int oom = 0; /* a folder left out would silently drop its template from the run */
    while (!oom && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char **v = realloc(names, (n + 1) * sizeof *v);
        if (!v) {
            oom = 1;
            break;
        }
        names = v;
        names[n] = util_path_join(episodes_dir, de->d_name);
        if (names[n]) n++;
        else oom = 1;
    }
    closedir(d);
    if (oom) {
        for (size_t i = 0; i < n; i++) free(names[i]);
        free(names);
        snprintf(err, errlen, "out of memory listing %s", episodes_dir);
        catalog_free(c);
        return -ENOMEM;
    }
    if (names) qsort(names, n, sizeof *names, cmp_str);
    size_t cap = 0;
    rc = 0;
    /* Entries are loaded into a local and appended (the array grows as they arrive): the
     * number of folders scanned says nothing about the number of entries. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (!util_is_dir(names[i])) continue;
            if (pass == 0) rc = check_folder_name(names[i], err, errlen);
            if (rc < 0) break;
            catalog_entry ent, *e = &ent;
            rc = load_entry(c, names[i], pass, e, err, errlen);
            if (rc == 0 && catalog_find(c, template_id(e->tmpl))) {
                snprintf(err, errlen, "%s: template id \"%s\" is used twice",
                         e->overlay_path ? e->overlay_path : e->template_path,
                         template_id(e->tmpl));
                rc = -EEXIST;
            }
            if (rc == 0 && e->overlay_path) rc = remember_overlay(c, e, err, errlen);
            if (rc == 0 && c->n == cap) {
                size_t ncap = cap ? 2 * cap : 8;
                catalog_entry *v = realloc(c->v, ncap * sizeof *v);
                if (v) {
                    c->v = v;
                    cap = ncap;
                } else {
                    snprintf(err, errlen, "out of memory");
                    rc = -ENOMEM;
                }
            }
            if (rc == 0) {
                c->v[c->n++] = ent;
            } else {
                entry_free(e);
                if (rc == 1) rc = 0;
            }
        }
    if (rc == 0 && only) { /* keep the one asked for (its base was needed to load it) */
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (!strcmp(template_id(c->v[i].tmpl), only)) c->v[k++] = c->v[i];
            else entry_free(&c->v[i]);
        }
        c->n = k;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (rc == 0 && only && c->n == 0) {
        snprintf(err, errlen, "no template with id \"%s\" in %s", only, episodes_dir);
        rc = -ENOENT;
    }
    if (rc == 0 && c->n == 0) {
        snprintf(err, errlen, "no templates in %s (each template is a folder with "
                              "template.json)", episodes_dir);
        rc = -ENOENT;
    }
    if (rc < 0) {
        catalog_free(c);
        return rc;
    }
    qsort(c->v, c->n, sizeof *c->v, cmp_entry);
    return 0;
}

const catalog_entry *catalog_find(const catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(template_id(c->v[i].tmpl), id) == 0) return &c->v[i];
    return NULL;
}

const catalog_overlay *catalog_overlay_find(const catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n_overlays; i++)
        if (!strcmp(c->overlays[i].id, id)) return &c->overlays[i];
    return NULL;
}

const char *catalog_family(const catalog *c, const char *id)
{
    const catalog_overlay *o = catalog_overlay_find(c, id);
    return o ? o->base_id : id;
}

const char *catalog_overlay_of(const catalog *c, const char *base_id, const char *aco_id)
{
    if (!base_id || !aco_id) return NULL;
    for (size_t i = 0; i < c->n_overlays; i++)
        if (!strcmp(c->overlays[i].base_id, base_id) && !strcmp(c->overlays[i].aco_id, aco_id))
            return c->overlays[i].id;
    return NULL;
}

void catalog_free(catalog *c)
{
    catalog_plugin_lock();
    for (size_t i = 0; i < c->n; i++) entry_free(&c->v[i]);
    free(c->v);
    for (size_t i = 0; i < c->n_overlays; i++) {
        free(c->overlays[i].id);
        free(c->overlays[i].base_id);
        free(c->overlays[i].aco_id);
    }
    free(c->overlays);
    free(c->dir);
    plugin_set_free(&c->plugins);
    memset(c, 0, sizeof *c);
    catalog_plugin_unlock();
}
