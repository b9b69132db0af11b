/*
 * catalog: the templates a run uses, each with its plugin instance and rule files.
 *
 * An episodes directory holds one folder per template (template.json, attribution.lua,
 * savings.lua) or per ACO overlay (overlay.json, and optionally its own rule files, else
 * the base's); other folders (e.g. common/) are ignored. A folder holding template.json
 * or overlay.json is named like a template id and every id follows that grammar
 * (ids_check_template_id: "common" is reserved). Each template names its episode
 * type in "episode_type"; the plugin of that name must be loaded and must validate the
 * template (for an overlay: the base with the overlay applied).
 */
#ifndef CARA_CATALOG_H
#define CARA_CATALOG_H

#include <stddef.h>

#include "plugin_host.h"
#include "template.h"

typedef struct catalog_entry {
    char *dir;                  /* owned: episodes/<folder> */
    char *overlay_path;         /* owned: <dir>/overlay.json, NULL for a base template */
    char *template_path;        /* owned: the base's template.json */
    char *attribution_path;     /* owned: <dir>/attribution.lua */
    char *savings_path;         /* owned: <dir>/savings.lua */
    cara_template *tmpl;        /* owned */
    const plugin_entry *plugin; /* borrowed from the catalog's plugin set */
    void *inst;                 /* owned by the plugin (instance_free) */
    char *base_id;              /* owned: an overlay's base template id; NULL for a base */
    char *aco_id;               /* owned: an overlay's ACO; NULL for a base */
} catalog_entry;

/* An ACO overlay of the episodes directory, kept even when catalog_open was asked for
 * one template only: a base never prices the beneficiaries of an ACO that overlays it. */
typedef struct catalog_overlay {
    char *id, *base_id, *aco_id; /* owned */
} catalog_overlay;

typedef struct catalog {
    char *dir;                  /* owned: the episodes directory */
    catalog_entry *v;           /* owned, sorted by template id */
    size_t n;
    catalog_overlay *overlays;  /* owned: every overlay of the directory, sorted by id */
    size_t n_overlays;
    plugin_set plugins;         /* owned */
} catalog;

/* Called for each plugin that failed to load (it is then simply not available). */
typedef void (*catalog_warn_fn)(void *ud, const char *path, const char *reason);

/*
 * Load the plugins of plugins_dir and the templates of episodes_dir (all of them, or
 * only the one whose id is `only`). Fails (negative code, message in err naming the
 * file and the problem; validation problems one per line) when a template does not
 * parse or validate, names an episode type no plugin provides, lacks a rule file, has
 * an id or folder name that breaks the template id grammar, or when `only` names no
 * template. The entries array grows as entries load (never sized by a directory scan).
 * On success the caller owns *c (catalog_free).
 */
int catalog_open(catalog *c, const char *episodes_dir, const char *plugins_dir,
                 const char *only, catalog_warn_fn warn, void *ud, char *err, size_t errlen);

/* The entry of template id, or NULL. */
const catalog_entry *catalog_find(const catalog *c, const char *id);

/* The base template id of template id: an overlay's base, else id itself (also for an
 * id the directory does not hold). Borrowed from c or from id. */
const char *catalog_family(const catalog *c, const char *id);

/* The id of aco_id's overlay of base template base_id, or NULL (at most one exists:
 * catalog_open refuses a second). Borrowed from c. */
const char *catalog_overlay_of(const catalog *c, const char *base_id, const char *aco_id);

/* The overlay entry (or, with only, list row) of id, or NULL. */
const catalog_overlay *catalog_overlay_find(const catalog *c, const char *id);

void catalog_free(catalog *c);

/* Hold while calling a plugin's template_validate, instance_new or instance_free
 * outside catalog_open/catalog_free (which take it themselves): plugin.h runs those on
 * one thread at a time. */
void catalog_plugin_lock(void);
void catalog_plugin_unlock(void);

#endif
