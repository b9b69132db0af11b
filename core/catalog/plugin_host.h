/*
 * plugin_host: loads episode-type plugins (cara/plugin.h) and keeps them.
 *
 * Each plugin is dlopen()ed with RTLD_NOW|RTLD_LOCAL (unresolved symbols fail at load,
 * not mid-run), its descriptor's version fields are checked, and its init() is called
 * with the host-services table. A plugin that fails any step is reported as one line
 * (path and reason) and unloaded; the others keep working.
 */
#ifndef CARA_PLUGIN_HOST_H
#define CARA_PLUGIN_HOST_H

#include <stddef.h>

#include "cara/plugin.h"
#include "episode.h"

/* One loaded, initialized plugin. */
typedef struct plugin_entry {
    char *path;               /* owned: the file it was loaded from */
    void *handle;             /* owned: dlopen handle */
    const cara_plugin *desc;  /* owned copy of the plugin's descriptor, zero past its
                               * struct_size (a field of a newer minor than the plugin
                               * was built with reads as 0/NULL); its strings and
                               * callbacks are valid while handle is open */
} plugin_entry;

/* The plugins of one host. Zero-initialize before use. */
typedef struct plugin_set {
    plugin_entry *v;          /* owned array */
    size_t n, cap;
} plugin_set;

/* Called once per plugin that could not be loaded; reason has no trailing newline. */
typedef void (*plugin_error_fn)(void *ud, const char *path, const char *reason);

/*
 * Load one plugin file into set. On failure returns a negative errno-style code and
 * writes the reason (without the path) into err; set is unchanged.
 */
int plugin_load_file(plugin_set *set, const char *path, const cara_host *host, char *err,
                     size_t errlen);

/*
 * Load every "*.so" in dir, in name order. Each failure is passed to on_error (may be
 * NULL) and loading goes on. Returns the number of failures, or a negative code when
 * dir itself cannot be read (reason in err).
 */
int plugin_load_dir(plugin_set *set, const char *dir, const cara_host *host,
                    plugin_error_fn on_error, void *ud, char *err, size_t errlen);

/* The plugin whose descriptor name is `name`, or NULL. Borrowed from set. */
const plugin_entry *plugin_find(const plugin_set *set, const char *name);

/* Call every plugin's fini(), close the handles (not under CARA_NO_DLCLOSE, so that
 * sanitizer reports keep their symbols) and free the set's memory. */
void plugin_set_free(plugin_set *set);

/*
 * Call desc->build for one beneficiary: the lines are ctx's (episode_ctx_init), handed
 * to the plugin as a cara_array with this host's element size. Returns build()'s
 * result; the episodes are in ctx.
 */
int plugin_build(const cara_plugin *desc, const void *inst, episode_ctx *ctx,
                 const cara_beneficiary *b);

/* "MAJOR.MINOR" of a descriptor, into buf (at least 16 bytes). */
void plugin_abi_string(const cara_plugin *desc, char *buf, size_t len);

#endif
