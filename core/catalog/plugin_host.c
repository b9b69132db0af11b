/*
 * plugin_host.c: dlopen, version checks, init, and the one-line failure reasons.
 */
#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Strip the "path: " prefix dlerror() puts before its message, if any. */
static const char *dl_reason(const char *path, const char *msg)
{
    size_t n = strlen(path);
    if (msg && strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg ? msg : "unknown dlopen error";
}

static int name_ok(const char *name)
{
    if (!name || !(*name >= 'a' && *name <= 'z')) return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
    return strlen(name) <= 64;
}

static void close_handle(void *handle)
{
#ifndef CARA_NO_DLCLOSE
    if (handle) dlclose(handle);
#else
    (void)handle;
#endif
}

/* The descriptor as this host reads it: the plugin's first struct_size bytes (no more
 * than the host knows), fields of later minors zero (NULL callbacks). malloc'ed, or
 * NULL on OOM. Called only once check_desc passed (struct_size covers minor 0). */
static cara_plugin *desc_copy(const cara_plugin *d)
{
    cara_plugin *c = calloc(1, sizeof *c);
    if (c) memcpy(c, d, d->struct_size < sizeof *c ? d->struct_size : sizeof *c);
    return c;
}

/* Check the descriptor's version fields and mandatory callbacks. 0 or -errno. */
static int check_desc(const plugin_set *set, const cara_plugin *d, char *err, size_t errlen)
{
    if (d->abi_major != CARA_ABI_MAJOR) {
        snprintf(err, errlen,
                 "ABI major version mismatch: plugin built for ABI %u.%u, this cara provides "
                 "%d.%d (rebuild the plugin against this cara's headers)",
                 d->abi_major, d->abi_minor, CARA_ABI_MAJOR, CARA_ABI_MINOR);
        return -EPROTO;
    }
    if (d->abi_minor > CARA_ABI_MINOR) {
        snprintf(err, errlen,
                 "plugin needs ABI %u.%u but this cara provides only %d.%d (upgrade cara)",
                 d->abi_major, d->abi_minor, CARA_ABI_MAJOR, CARA_ABI_MINOR);
        return -EPROTO;
    }
    if (d->struct_size < CARA_PLUGIN_SIZE_V2_0) {
        snprintf(err, errlen, "descriptor is %u bytes, smaller than ABI %d.0 requires (%zu)",
                 d->struct_size, CARA_ABI_MAJOR, (size_t)CARA_PLUGIN_SIZE_V2_0);
        return -EPROTO;
    }
    if (!name_ok(d->name)) {
        snprintf(err, errlen, "invalid episode type name \"%s\" (expected [a-z][a-z0-9_]*)",
                 d->name ? d->name : "(null)");
        return -EINVAL;
    }
    if (!d->version || !*d->version) {
        snprintf(err, errlen, "episode type \"%s\" has no version", d->name);
        return -EINVAL;
    }
    if (!d->init || !d->template_validate || !d->instance_new || !d->instance_free || !d->build) {
        snprintf(err, errlen,
                 "episode type \"%s\" lacks a mandatory callback (init, template_validate, "
                 "instance_new, instance_free and build are required)",
                 d->name);
        return -EINVAL;
    }
    const plugin_entry *dup = plugin_find(set, d->name);
    if (dup) {
        snprintf(err, errlen, "duplicate episode type \"%s\" (already loaded from %s)", d->name,
                 dup->path);
        return -EEXIST;
    }
    return 0;
}

int plugin_load_file(plugin_set *set, const char *path, const cara_host *host, char *err,
                     size_t errlen)
{
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *msg = dl_reason(path, dlerror());
        if (strstr(msg, "undefined symbol"))
            snprintf(err, errlen, "unresolved symbol: %s", msg);
        else
            snprintf(err, errlen, "cannot load: %s", msg);
        return -ENOEXEC;
    }
    dlerror();
    cara_plugin_entry_fn entry;
    void *sym = dlsym(h, CARA_PLUGIN_ENTRY_SYMBOL);
    memcpy(&entry, &sym, sizeof entry); /* object-to-function pointer, POSIX-sanctioned */
    if (!sym) {
        snprintf(err, errlen, "missing entry symbol '%s' (not a cara plugin?)",
                 CARA_PLUGIN_ENTRY_SYMBOL);
        close_handle(h);
        return -ENOENT;
    }
    const cara_plugin *d = entry();
    if (!d) {
        snprintf(err, errlen, "%s() returned NULL", CARA_PLUGIN_ENTRY_SYMBOL);
        close_handle(h);
        return -EINVAL;
    }
    int rc = check_desc(set, d, err, errlen);
    if (rc < 0) {
        close_handle(h);
        return rc;
    }
    cara_plugin *desc = desc_copy(d);
    if (!desc) {
        snprintf(err, errlen, "out of memory");
        close_handle(h);
        return -ENOMEM;
    }
    char ierr[512] = "";
    rc = desc->init(host, ierr, sizeof ierr);
    if (rc != 0) {
        snprintf(err, errlen, "init failed (%d): %s", rc, ierr[0] ? ierr : "no message");
        free(desc);
        close_handle(h);
        return rc < 0 ? rc : -EINVAL;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        plugin_entry *v = realloc(set->v, cap * sizeof *v);
        if (!v) goto oom;
        set->v = v;
        set->cap = cap;
    }
    char *p = strdup(path);
    if (!p) goto oom;
    set->v[set->n++] = (plugin_entry){.path = p, .handle = h, .desc = desc};
    return 0;
oom:
    if (desc->fini) desc->fini();
    free(desc);
    close_handle(h);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
}

int plugin_build(const cara_plugin *desc, const void *inst, episode_ctx *ctx,
                 const cara_beneficiary *b)
{
    const cara_array lines = CARA_ARRAY_INIT(ctx->lines, ctx->n_lines);
    return desc->build(inst, ctx, b, &lines);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plugin_load_dir(plugin_set *set, const char *dir, const cara_host *host,
                    plugin_error_fn on_error, void *ud, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        snprintf(err, errlen, "cannot read plugin directory %s: %s", dir, strerror(e));
        return -e;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **v = realloc(names, cap * sizeof *v);
            if (!v) { rc = -ENOMEM; break; }
            names = v;
        }
        names[n] = util_path_join(dir, de->d_name);
        if (!names[n]) { rc = -ENOMEM; break; }
        n++;
    }
    closedir(d);
    if (rc < 0) {
        snprintf(err, errlen, "out of memory listing %s", dir);
    } else {
        if (n) qsort(names, n, sizeof *names, cmp_str); /* names is NULL when n is 0 */
        for (size_t i = 0; i < n; i++) {
            char why[1024];
            int lrc = plugin_load_file(set, names[i], host, why, sizeof why);
            if (lrc == -ENOMEM) { /* not the plugin's fault: skipping it would change results */
                snprintf(err, errlen, "%s: %s", names[i], why);
                rc = -ENOMEM;
                break;
            }
            if (lrc < 0) {
                rc++;
                if (on_error) on_error(ud, names[i], why);
            }
        }
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

const plugin_entry *plugin_find(const plugin_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i].desc->name, name) == 0) return &set->v[i];
    return NULL;
}

void plugin_set_free(plugin_set *set)
{
    for (size_t i = set->n; i-- > 0;) {
        if (set->v[i].desc->fini) set->v[i].desc->fini();
        free((void *)set->v[i].desc);
        close_handle(set->v[i].handle);
        free(set->v[i].path);
    }
    free(set->v);
    *set = (plugin_set){0};
}

void plugin_abi_string(const cara_plugin *desc, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u", desc->abi_major, desc->abi_minor);
}
