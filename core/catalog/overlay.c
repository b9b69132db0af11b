/*
 * overlay.c: see overlay.h.
 */
#include "overlay.h"

#include "base/base.h"
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int is_string_array(const json_t *v)
{
    if (!json_is_array(v)) return 0;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_string(json_array_get(v, i))) return 0;
    return 1;
}

/* One policy entry against the value it governs. `where` prefixes messages. */
static int check_entry(const char *path, json_t *rule, json_t *current, cara_diag *d)
{
    int n = 0;
    char p[300];
    snprintf(p, sizeof p, "customizable.%s", path);
    if (!json_is_object(rule)) {
        diag_add(d, p, "must be an object with \"approach\" (and optionally min, max, values)");
        return 1;
    }
    const char *approach = json_string_value(json_object_get(rule, "approach"));
    if (!approach || (strcmp(approach, "default") && strcmp(approach, "max_flex"))) {
        diag_add(d, p, "approach must be \"default\" or \"max_flex\"");
        n++;
    }
    if (!current) {
        diag_add(d, p, "names no parameter of the template (no key \"%s\")", path);
        return n + 1;
    }
    json_t *min = json_object_get(rule, "min"), *max = json_object_get(rule, "max");
    json_t *values = json_object_get(rule, "values");
    if ((min || max) && !json_is_integer(current)) {
        diag_add(d, p, "min and max bound integers, but %s is %s", path, schema_type_name(current));
        n++;
    }
    if ((min && !json_is_integer(min)) || (max && !json_is_integer(max))) {
        diag_add(d, p, "min and max must be integers");
        return n + 1;
    }
    if (min && max && json_integer_value(min) > json_integer_value(max)) {
        diag_add(d, p, "min %lld is above max %lld", (long long)json_integer_value(min),
                 (long long)json_integer_value(max));
        n++;
    }
    if (values) {
        if (!is_string_array(values) || !json_is_string(current)) {
            diag_add(d, p, "values lists the allowed strings of a string parameter");
            return n + 1;
        }
        int found = 0;
        for (size_t i = 0; i < json_array_size(values); i++)
            found |= !strcmp(json_string_value(json_array_get(values, i)), json_string_value(current));
        if (!found) {
            diag_add(d, p, "the template's own value \"%s\" is not among values",
                     json_string_value(current));
            n++;
        }
    }
    return n;
}

int overlay_check_policy(const cara_template *base, cara_diag *d)
{
    json_t *pol = json_object_get(template_root(base), "customizable");
    if (!pol) return 0; /* nothing may be changed */
    if (!json_is_object(pol)) {
        diag_add(d, "customizable", "must be an object: parameter path -> rule");
        return 1;
    }
    int n = 0;
    const char *path;
    json_t *rule;
    json_object_foreach(pol, path, rule)
    {
        if (!strcmp(path, "id") || !strcmp(path, "version") || !strcmp(path, "episode_type") ||
            !strncmp(path, "customizable", 12)) {
            diag_add(d, "customizable", "\"%s\" can never be customized", path);
            n++;
            continue;
        }
        n += check_entry(path, rule, template_lookup(base, path), d);
    }
    return n;
}

int overlay_is(const json_t *doc) { return json_is_object(doc) && json_object_get(doc, "base"); }

int overlay_parse(const char *name, const char *buf, size_t len, json_t **doc,
                  overlay_info *info, cara_diag *d)
{
    memset(info, 0, sizeof *info);
    json_error_t je;
    *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!*doc) {
        char where[300];
        snprintf(where, sizeof where, "%s:%d:%d", name, je.line, je.column);
        diag_add(d, where, "%s", je.text);
        return 1;
    }
    int n = 0;
    json_t *o = *doc;
    json_t *base = json_object_get(o, "base");
    info->id = json_string_value(json_object_get(o, "id"));
    info->version = json_string_value(json_object_get(o, "version"));
    info->base_id = json_string_value(json_object_get(base, "id"));
    info->base_version = json_string_value(json_object_get(base, "version"));
    info->approach = json_string_value(json_object_get(o, "approach"));
    info->aco_id = json_string_value(json_object_get(o, "aco_id"));
    if (!info->id || !*info->id) {
        diag_add(d, "id", "required: the overlay's own template id"), n++;
    } else {
        json_t *idv = json_object_get(o, "id");
        int rc = ids_check_template_id(info->id, json_string_length(idv));
        if (rc != ID_OK) {
            char *shown = json_dumps(idv, JSON_ENCODE_ANY);
            diag_add(d, "id", "%s: %s (an overlay id names its folder)", shown ? shown : "?",
                     ids_explain("template", rc)), n++;
            free(shown);
        }
    }
    if (!info->version || !*info->version) diag_add(d, "version", "required: a string"), n++;
    if (!info->base_id || !info->base_version)
        diag_add(d, "base", "required: {\"id\": ..., \"version\": ...} of a CMS base template"), n++;
    if (!info->approach || (strcmp(info->approach, "default") && strcmp(info->approach, "max_flex")))
        diag_add(d, "approach", "required: \"default\" or \"max_flex\""), n++;
    json_t *aco = json_object_get(o, "aco_id");
    if (aco && !json_is_string(aco)) diag_add(d, "aco_id", "must be a string"), n++;
    if (!json_is_object(json_object_get(o, "set")))
        diag_add(d, "set", "required: an object of parameter path -> new value"), n++;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        static const char *const known[] = {"id", "version", "base", "approach", "aco_id",
                                            "set", "description", NULL};
        int ok = 0;
        for (const char *const *q = known; *q; q++) ok |= !strcmp(*q, k);
        const char *near = ok ? NULL : schema_did_you_mean(k, known);
        if (!ok) diag_add(d, k, "unknown member%s%s%s (expected id, version, base, approach, aco_id, "
                                "set, description)", near ? " (did you mean \"" : "",
                          near ? near : "", near ? "\"?)" : ""), n++;
    }
    return n;
}

/* Set root[a][b]... = value (the path exists in the base). */
static void set_path(json_t *root, const char *path, json_t *value)
{
    char key[256];
    json_t *v = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key) return;
        memcpy(key, p, n);
        key[n] = '\0';
        if (!dot) {
            json_object_set(v, key, value);
            return;
        }
        v = json_object_get(v, key);
        if (!json_is_object(v)) return;
        p = dot + 1;
    }
}

/* Check one change; 0 when allowed. */
static int check_change(const char *path, json_t *value, const char *approach,
                        const cara_template *base, cara_diag *d)
{
    char p[300];
    snprintf(p, sizeof p, "set.%s", path);
    json_t *pol = json_object_get(template_root(base), "customizable");
    json_t *rule = json_object_get(pol, path);
    json_t *current = template_lookup(base, path);
    if (!current) {
        diag_add(d, p, "the base %s has no parameter \"%s\"", template_id(base), path);
        return 1;
    }
    if (!rule) {
        diag_add(d, p, "may not be changed by an ACO: the base %s keeps it for CMS",
                 template_id(base));
        return 1;
    }
    const char *allowed = json_string_value(json_object_get(rule, "approach"));
    if (allowed && !strcmp(allowed, "max_flex") && !strcmp(approach, "default")) {
        diag_add(d, p, "may not be changed under the Default approach (the base allows it "
                       "only under Max Flex: set \"approach\": \"max_flex\")");
        return 1;
    }
    if (json_typeof(value) != json_typeof(current)) {
        diag_add(d, p, "is %s, but the base's value is %s", schema_type_name(value), schema_type_name(current));
        return 1;
    }
    if (json_is_array(current) && !is_string_array(value)) {
        diag_add(d, p, "must be an array of strings (code patterns), like the base's");
        return 1;
    }
    json_t *min = json_object_get(rule, "min"), *max = json_object_get(rule, "max");
    if (json_is_integer(value)) {
        json_int_t v = json_integer_value(value);
        if (min && v < json_integer_value(min)) {
            diag_add(d, p, "%lld is below the minimum %lld the base allows", (long long)v,
                     (long long)json_integer_value(min));
            return 1;
        }
        if (max && v > json_integer_value(max)) {
            diag_add(d, p, "%lld is above the maximum %lld the base allows", (long long)v,
                     (long long)json_integer_value(max));
            return 1;
        }
    }
    json_t *values = json_object_get(rule, "values");
    if (values && json_is_string(value)) {
        for (size_t i = 0; i < json_array_size(values); i++)
            if (!strcmp(json_string_value(json_array_get(values, i)), json_string_value(value)))
                return 0;
        diag_add(d, p, "\"%s\" is not one of the values the base allows", json_string_value(value));
        return 1;
    }
    return 0;
}

int overlay_apply(const char *name, json_t *doc, const cara_template *base, cara_template **out,
                  cara_diag *d)
{
    *out = NULL;
    overlay_info info;
    json_t *o = doc;
    info.id = json_string_value(json_object_get(o, "id"));
    info.version = json_string_value(json_object_get(o, "version"));
    info.approach = json_string_value(json_object_get(o, "approach"));
    json_t *b = json_object_get(o, "base");
    info.base_id = json_string_value(json_object_get(b, "id"));
    info.base_version = json_string_value(json_object_get(b, "version"));
    int n = 0;
    if (!info.base_id || strcmp(info.base_id, template_id(base)) ||
        !info.base_version || strcmp(info.base_version, template_version(base))) {
        diag_add(d, "base", "names %s %s, but the base template found is %s %s",
                 info.base_id ? info.base_id : "?", info.base_version ? info.base_version : "?",
                 template_id(base), template_version(base));
        n++;
    }
    json_t *set = json_object_get(o, "set");
    const char *path;
    json_t *value;
    json_object_foreach(set, path, value) n += check_change(path, value, info.approach ? info.approach : "default", base, d);
    if (n) return n;
    json_t *root = json_deep_copy(template_root(base));
    json_object_foreach(set, path, value) set_path(root, path, value);
    json_object_set_new(root, "id", json_string(info.id));
    json_object_set_new(root, "version", json_string(info.version));
    json_object_set_new(root, "base", json_pack("{s:s, s:s}", "id", template_id(base),
                                                "version", template_version(base)));
    json_object_set(root, "approach", json_object_get(o, "approach"));
    if (json_object_get(o, "aco_id")) json_object_set(root, "aco_id", json_object_get(o, "aco_id"));
    char err[512];
    if (template_from_json(name, root, out, err, sizeof err) < 0) {
        diag_add(d, name, "%s", err);
        n++;
    }
    json_decref(root);
    return n;
}
