/*
 * template.c: see template.h.
 */
#include "template.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define TEMPLATE_MAX_BYTES (8u * 1024u * 1024u)

typedef struct codes_cache_entry {
    char *path;          /* owned */
    cara_codeset *set;   /* owned; NULL when the list is invalid */
} codes_cache_entry;

struct cara_template {
    json_t *root;        /* owned reference */
    char *name;          /* owned: file path or buffer name */
    pthread_mutex_t mu;  /* guards the code-list cache */
    codes_cache_entry *codes;
    size_t n_codes, cap_codes;
};

int template_from_json(const char *name, json_t *root, cara_template **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: a template must be a JSON object", name);
        return -EINVAL;
    }
    static const char *const required[] = {"id", "version", "episode_type"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(required); i++) {
        json_t *v = json_object_get(root, required[i]);
        if (!json_is_string(v) || json_string_length(v) == 0) {
            snprintf(err, errlen, "%s: %s: required, a non-empty string", name, required[i]);
            return -EINVAL;
        }
    }
    json_t *idv = json_object_get(root, "id");
    int idrc = ids_check_template_id(json_string_value(idv), json_string_length(idv));
    if (idrc != ID_OK) {
        char *shown = json_dumps(idv, JSON_ENCODE_ANY);
        snprintf(err, errlen, "%s: id: %s: %s", name, shown ? shown : "?",
                 ids_explain("template", idrc));
        free(shown);
        return -EINVAL;
    }
    cara_template *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name))) {
        free(t);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    t->root = json_incref(root);
    pthread_mutex_init(&t->mu, NULL);
    *out = t;
    return 0;
}

int template_parse(const char *name, const char *buf, size_t len, cara_template **out,
                   char *err, size_t errlen)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        return -EINVAL;
    }
    int rc = template_from_json(name, root, out, err, errlen);
    json_decref(root);
    return rc;
}

int template_load(const char *path, cara_template **out, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    int rc = util_read_file(path, TEMPLATE_MAX_BYTES, &buf, &len, err, errlen);
    if (rc < 0) return rc;
    rc = template_parse(path, buf, len, out, err, errlen);
    free(buf);
    return rc;
}

void template_free(cara_template *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_codes; i++) {
        free(t->codes[i].path);
        codes_free(t->codes[i].set);
    }
    free(t->codes);
    pthread_mutex_destroy(&t->mu);
    json_decref(t->root);
    free(t->name);
    free(t);
}

const char *template_id(const cara_template *t)
{
    return json_string_value(json_object_get(t->root, "id"));
}
const char *template_version(const cara_template *t)
{
    return json_string_value(json_object_get(t->root, "version"));
}
const char *template_episode_type(const cara_template *t)
{
    return json_string_value(json_object_get(t->root, "episode_type"));
}
const char *template_name(const cara_template *t) { return t->name; }
json_t *template_root(const cara_template *t) { return t->root; }

json_t *template_lookup(const cara_template *t, const char *path)
{
    json_t *v = t->root;
    const char *p = path;
    char key[256];
    while (v && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n >= sizeof key) return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        if (json_is_object(v)) {
            v = json_object_get(v, key);
        } else if (json_is_array(v)) {
            char *end;
            unsigned long i = strtoul(key, &end, 10);
            v = (*end == '\0' && key[0] >= '0' && key[0] <= '9') ? json_array_get(v, i) : NULL;
        } else {
            return NULL;
        }
        p = dot ? dot + 1 : p + n;
    }
    return v;
}

int template_host_int(const cara_template *t, const char *path, int64_t *out)
{
    json_t *v = template_lookup(t, path);
    if (!v) return -ENOENT;
    if (!json_is_integer(v)) return -EINVAL;
    *out = json_integer_value(v);
    return 0;
}

const char *template_host_str(const cara_template *t, const char *path)
{
    return json_string_value(template_lookup(t, path));
}

int template_host_len(const cara_template *t, const char *path)
{
    json_t *v = template_lookup(t, path);
    if (!v) return -ENOENT;
    if (json_is_array(v)) return (int)json_array_size(v);
    if (json_is_object(v)) return (int)json_object_size(v);
    return -EINVAL;
}

const char *template_host_key(const cara_template *t, const char *path, int i)
{
    json_t *v = template_lookup(t, path);
    if (!json_is_object(v) || i < 0) return NULL;
    const char *key;
    json_t *val;
    int k = 0;
    json_object_foreach(v, key, val)
    {
        (void)val;
        if (k++ == i) return key;
    }
    return NULL;
}

const cara_codeset *template_host_codes(const cara_template *t, const char *path)
{
    cara_template *mt = (cara_template *)t; /* the cache is internal state */
    pthread_mutex_lock(&mt->mu);
    const cara_codeset *found = NULL;
    for (size_t i = 0; i < mt->n_codes; i++)
        if (strcmp(mt->codes[i].path, path) == 0) {
            found = mt->codes[i].set;
            goto out;
        }
    json_t *v = template_lookup(t, path);
    if (!json_is_array(v)) goto out;
    size_t n = json_array_size(v);
    const char **pats = calloc(n ? n : 1, sizeof *pats);
    if (!pats) goto out;
    for (size_t i = 0; i < n; i++) {
        pats[i] = json_string_value(json_array_get(v, i));
        if (!pats[i]) {
            free(pats);
            goto out;
        }
    }
    cara_codeset *set = NULL;
    char err[256];
    int rc = codes_compile(pats, n, &set, err, sizeof err);
    free(pats);
    if (rc < 0) goto out;
    if (mt->n_codes == mt->cap_codes) {
        size_t cap = mt->cap_codes ? mt->cap_codes * 2 : 16;
        codes_cache_entry *c = realloc(mt->codes, cap * sizeof *c);
        if (!c) {
            codes_free(set);
            goto out;
        }
        mt->codes = c;
        mt->cap_codes = cap;
    }
    char *p = strdup(path);
    if (!p) {
        codes_free(set);
        goto out;
    }
    mt->codes[mt->n_codes++] = (codes_cache_entry){.path = p, .set = set};
    found = set;
out:
    pthread_mutex_unlock(&mt->mu);
    return found;
}

void diag_add(cara_diag *d, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **v = realloc(d->items, cap * sizeof *v);
        if (!v) return;
        d->items = v;
        d->cap = cap;
    }
    size_t len = strlen(path) + strlen(msg) + 3;
    char *s = malloc(len);
    if (!s) return;
    snprintf(s, len, "%s: %s", path, msg);
    d->items[d->n++] = s;
}

void diag_free(cara_diag *d)
{
    for (size_t i = 0; i < d->n; i++) free(d->items[i]);
    free(d->items);
    *d = (cara_diag){0};
}

int template_host_codes_check(const cara_template *t, const char *path, char *buf, size_t len)
{
    json_t *v = template_lookup(t, path);
    if (!v) {
        snprintf(buf, len, "required: an array of code patterns");
        return -ENOENT;
    }
    if (!json_is_array(v)) {
        snprintf(buf, len, "must be an array of code patterns (it is a JSON %s)",
                 json_is_object(v) ? "object" : json_is_string(v) ? "string" : "value");
        return -EINVAL;
    }
    size_t n = json_array_size(v);
    const char **pats = calloc(n ? n : 1, sizeof *pats);
    if (!pats) {
        snprintf(buf, len, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (!(pats[i] = json_string_value(json_array_get(v, i)))) {
            snprintf(buf, len, "element %zu is not a string (expected a code pattern)", i);
            free(pats);
            return -EINVAL;
        }
    cara_codeset *set = NULL;
    int rc = codes_compile(pats, n, &set, buf, len);
    codes_free(set);
    if (rc == -EINVAL) { /* name every bad pattern, not only the first: "...; pattern 3 ..." */
        size_t off = strlen(buf);
        int first = 1;
        for (size_t i = 0; i < n && off + 1 < len; i++) {
            char one[300];
            cara_codeset *s1 = NULL;
            if (codes_compile(&pats[i], 1, &s1, one, sizeof one) == 0) {
                codes_free(s1);
                continue;
            }
            if (first) { /* the first is already in buf, from the whole list */
                first = 0;
                continue;
            }
            /* one is "pattern 0 \"PAT\": reason": give it its index in the list */
            off += (size_t)snprintf(buf + off, len - off, "; pattern %zu%s", i,
                                    strncmp(one, "pattern 0", 9) ? one : one + 9);
        }
    }
    free(pats);
    return rc < 0 ? -EINVAL : 0;
}
