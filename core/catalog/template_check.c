/*
 * template_check.c: see template_check.h.
 */
#include "template_check.h"

#include <stdio.h>
#include <string.h>

#include "overlay.h"
#include "template_schema.h"

/* The path of a diagnostic line "path: message" (its length). */
static size_t path_len(const char *item)
{
    const char *c = strstr(item, ": ");
    return c ? (size_t)(c - item) : strlen(item);
}

/* 1 when a (length la) and b (length lb) are the same path or one lies under the other. */
static int related(const char *a, size_t la, const char *b, size_t lb)
{
    size_t n = la < lb ? la : lb;
    if (strncmp(a, b, n)) return 0;
    if (la == lb) return 1;
    char next = la < lb ? b[n] : a[n];
    return next == '.';
}

int template_check(const cara_template *t, const cara_plugin *plugin, int overlay, cara_diag *d)
{
    size_t first = d->n;
    template_schema_check(template_root(t), overlay, d);
    if (!overlay) overlay_check_policy(t, d);
    size_t core_end = d->n;
    if (!plugin) return (int)(d->n - first);
    cara_diag mine = {0};
    plugin->template_validate(t, &mine);
    for (size_t i = 0; i < mine.n; i++) {
        const char *it = mine.items[i];
        size_t li = path_len(it);
        int dup = 0;
        for (size_t k = first; k < core_end && !dup; k++)
            dup = related(it, li, d->items[k], path_len(d->items[k]));
        if (dup) continue;
        char path[512];
        snprintf(path, sizeof path, "%.*s", (int)(li < sizeof path ? li : sizeof path - 1), it);
        diag_add(d, path, "%s", it[li] ? it + li + 2 : "");
    }
    diag_free(&mine);
    return (int)(d->n - first);
}
