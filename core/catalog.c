/*
 * catalog.c: see catalog.h.
 */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "util.h"

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
    free(e->template_path);
    free(e->attribution_path);
    free(e->savings_path);
}

/* Load, validate and instantiate one template folder. 0, 1 (not a template) or <0. */
static int load_entry(catalog *c, const char *dir, catalog_entry *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    e->dir = strdup(dir);
    e->template_path = util_path_join(dir, "template.json");
    e->attribution_path = util_path_join(dir, "attribution.lua");
    e->savings_path = util_path_join(dir, "savings.lua");
    if (!e->dir || !e->template_path || !e->attribution_path || !e->savings_path) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (!util_exists(e->template_path)) return 1;
    int rc = template_load(e->template_path, &e->tmpl, err, errlen);
    if (rc < 0) return rc;
    const char *paths[] = {e->attribution_path, e->savings_path};
    for (size_t i = 0; i < 2; i++)
        if (!util_exists(paths[i])) {
            snprintf(err, errlen, "%s: missing (every template needs attribution.lua and "
                                  "savings.lua; see docs/rules.md)", paths[i]);
            return -ENOENT;
        }
    const char *type = template_episode_type(e->tmpl);
    e->plugin = plugin_find(&c->plugins, type);
    if (!e->plugin) {
        snprintf(err, errlen,
                 "%s: episode_type \"%s\": no loaded plugin provides it ('cara plugins' "
                 "lists the episode types)",
                 e->template_path, type);
        return -ENOENT;
    }
    cara_diag d = {0};
    int problems = e->plugin->desc->template_validate(e->tmpl, &d);
    if (problems > 0 || d.n > 0) {
        size_t off = (size_t)snprintf(err, errlen, "%s: %d problem(s):", e->template_path,
                                      problems ? problems : (int)d.n);
        for (size_t i = 0; i < d.n && off < errlen; i++)
            off += (size_t)snprintf(err + off, errlen - off, "\n  %s", d.items[i]);
        diag_free(&d);
        return -EINVAL;
    }
    diag_free(&d);
    char why[512] = "";
    rc = e->plugin->desc->instance_new(e->tmpl, &e->inst, why, sizeof why);
    if (rc < 0) {
        e->inst = NULL;
        snprintf(err, errlen, "%s: %s: %s", e->template_path, type, why);
        return rc;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int catalog_open(catalog *c, const char *episodes_dir, const char *plugins_dir,
                 const char *only, catalog_warn_fn warn, void *ud, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (!(c->dir = strdup(episodes_dir))) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = plugin_load_dir(&c->plugins, plugins_dir, host_services(), warn, ud, err, errlen);
    if (rc < 0) return rc;
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
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char **v = realloc(names, (n + 1) * sizeof *v);
        if (!v) break;
        names = v;
        names[n] = util_path_join(episodes_dir, de->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    c->v = calloc(n ? n : 1, sizeof *c->v);
    rc = c->v ? 0 : -ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!util_is_dir(names[i])) continue;
        catalog_entry *e = &c->v[c->n];
        rc = load_entry(c, names[i], e, err, errlen);
        if (rc == 0 && only && strcmp(template_id(e->tmpl), only) != 0) rc = 1;
        if (rc == 0 && catalog_find(c, template_id(e->tmpl))) {
            snprintf(err, errlen, "%s: template id \"%s\" is used twice", e->template_path,
                     template_id(e->tmpl));
            rc = -EEXIST;
        }
        if (rc == 0) {
            c->n++;
        } else {
            entry_free(e);
            if (rc == 1) rc = 0;
        }
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

void catalog_free(catalog *c)
{
    for (size_t i = 0; i < c->n; i++) entry_free(&c->v[i]);
    free(c->v);
    free(c->dir);
    plugin_set_free(&c->plugins);
    memset(c, 0, sizeof *c);
}
