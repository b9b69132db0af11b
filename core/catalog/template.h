/*
 * template: a loaded episode template (episodes/<id>/template.json), read-only once
 * loaded, with dotted-path access for plugins (cara_host.tmpl_*) and compiled code
 * lists cached per path. The format is documented in docs/templates.md.
 */
#ifndef CARA_TEMPLATE_H
#define CARA_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cara/plugin.h"

/*
 * Parse a template from a buffer (pure: no I/O). `name` is used in messages.
 * Requires the string members "id", "version" and "episode_type". On failure returns
 * a negative code and writes "name:line:column: message" or "name: message" into err.
 * The caller owns *out (template_free).
 */
int template_parse(const char *name, const char *buf, size_t len, cara_template **out,
                   char *err, size_t errlen);

/* Make a template of a parsed document (takes its own reference to root; the same
 * checks as template_parse). */
int template_from_json(const char *name, json_t *root, cara_template **out, char *err,
                       size_t errlen);

/* template_parse on a file's contents. */
int template_load(const char *path, cara_template **out, char *err, size_t errlen);

void template_free(cara_template *t);

/* Accessors; strings are owned by the template. */
const char *template_id(const cara_template *t);
const char *template_version(const cara_template *t);
const char *template_episode_type(const cara_template *t);
const char *template_name(const cara_template *t);

/* The JSON value at a dotted path ("window.post_days", "triggers.A.base_cents",
 * "list.0"), or NULL. Borrowed. */
json_t *template_lookup(const cara_template *t, const char *path);

/* The whole document. Borrowed. */
json_t *template_root(const cara_template *t);

/* cara_host template services (see cara/plugin.h for their contracts). */
int template_host_int(const cara_template *t, const char *path, int64_t *out);
const char *template_host_str(const cara_template *t, const char *path);
int template_host_len(const cara_template *t, const char *path);
const char *template_host_key(const cara_template *t, const char *path, int i);
const cara_codeset *template_host_codes(const cara_template *t, const char *path);
int template_host_codes_check(const cara_template *t, const char *path, char *buf, size_t len);

/* ---- diagnostics (cara_diag) ---- */

/* A growable list of "path: message" lines. */
struct cara_diag {
    char **items; /* owned */
    size_t n, cap;
};

void diag_add(cara_diag *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_free(cara_diag *d);

#endif
