/*
 * schema.c: see schema.h.
 */
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

const char *schema_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a decimal number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

const char *schema_show(const json_t *v, char *buf, size_t len)
{
    if (json_is_object(v)) {
        snprintf(buf, len, "%s", json_object_size(v) ? "{...}" : "{}");
        return buf;
    }
    if (json_is_array(v)) {
        snprintf(buf, len, "%s", json_array_size(v) ? "[...]" : "[]");
        return buf;
    }
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (!s) {
        snprintf(buf, len, "?");
        return buf;
    }
    if (strlen(s) > 48) snprintf(buf, len, "%.44s...", s);
    else snprintf(buf, len, "%s", s);
    free(s);
    return buf;
}

const char *schema_expected(const schema_node *n, char *buf, size_t len)
{
    switch (n->type) {
    case SCHEMA_INT:
        snprintf(buf, len, "an integer from %" PRId64 " to %" PRId64, n->lo, n->hi);
        break;
    case SCHEMA_STR:
        if (!n->values) {
            snprintf(buf, len, "a non-empty string");
            break;
        }
        size_t off = (size_t)snprintf(buf, len, "one of");
        for (const char *const *v = n->values; *v && off < len; v++)
            off += (size_t)snprintf(buf + off, len - off, "%s \"%s\"", v == n->values ? "" : ",", *v);
        break;
    case SCHEMA_CODES:
        snprintf(buf, len, "an array of code patterns");
        break;
    default:
        snprintf(buf, len, "%s", n->what ? n->what : "a value");
        break;
    }
    return buf;
}

/* Edit distance of a and b, case-insensitive (both short). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *schema_did_you_mean(const char *key, const char *const *cands)
{
    const char *best = NULL;
    size_t best_d = 99, limit = strlen(key) >= 4 ? 2 : 1;
    for (const char *const *c = cands; *c; c++) {
        size_t dist = distance(key, *c);
        if (dist < best_d) {
            best_d = dist;
            best = *c;
        }
    }
    /* a prefix of a known name ("trend" for "trend_bps") is a likely slip too */
    if (best_d > limit)
        for (const char *const *c = cands; *c; c++)
            if (strlen(key) >= 4 && !strncmp(*c, key, strlen(key))) return *c;
    return best_d <= limit ? best : NULL;
}

static void child_path(char *out, size_t len, const char *path, const char *key)
{
    snprintf(out, len, "%s%s%s", path, *path ? "." : "", key);
}

/* "pricing" -> "pricing", "" -> "the top level" (for "X allows a, b, c"). */
static const char *where(const char *path) { return *path ? path : "the top level"; }

static int check_int(const schema_node *n, const json_t *v, const char *path, cara_diag *d)
{
    char shown[64], exp[160];
    schema_expected(n, exp, sizeof exp);
    if (!json_is_integer(v)) {
        const char *s = json_string_value(v);
        int numeric = 0;
        if (s && *s) {
            char *end = NULL;
            errno = 0;
            (void)strtoll(s, &end, 10);
            numeric = errno == 0 && *end == '\0';
        }
        diag_add(d, path, "%s is %s; expected %s%s%s%s", schema_show(v, shown, sizeof shown),
                 schema_type_name(v), exp, numeric ? " (write the number without quotes: " : "",
                 numeric ? s : "", numeric ? ")" : "");
        return 1;
    }
    json_int_t x = json_integer_value(v);
    if (x < n->lo || x > n->hi) {
        diag_add(d, path, "%lld is out of range; expected %s", (long long)x, exp);
        return 1;
    }
    return 0;
}

static int check_str(const schema_node *n, const json_t *v, const char *path, cara_diag *d)
{
    char shown[64], exp[400];
    schema_expected(n, exp, sizeof exp);
    if (!json_is_string(v)) {
        diag_add(d, path, "%s is %s; expected %s", schema_show(v, shown, sizeof shown),
                 schema_type_name(v), exp);
        return 1;
    }
    const char *s = json_string_value(v);
    if (!*s) {
        diag_add(d, path, "\"\" is empty; expected %s", exp);
        return 1;
    }
    if (!n->values) return 0;
    for (const char *const *a = n->values; *a; a++)
        if (!strcmp(*a, s)) return 0;
    const char *near = schema_did_you_mean(s, n->values);
    diag_add(d, path, "%s is not a known value; expected %s%s%s%s",
             schema_show(v, shown, sizeof shown), exp, near ? " (did you mean \"" : "",
             near ? near : "", near ? "\"?)" : "");
    return 1;
}

static int check_codes(const schema_node *n, const json_t *v, const char *path, cara_diag *d)
{
    char shown[64], p[512];
    if (!json_is_array(v)) {
        diag_add(d, path, "%s is %s; expected an array of code patterns (docs/templates.md, "
                          "\"Code patterns\")", schema_show(v, shown, sizeof shown), schema_type_name(v));
        return 1;
    }
    int bad = 0;
    if (json_array_size(v) < n->min_items) {
        diag_add(d, path, "[] has no patterns; expected at least %zu code pattern%s", n->min_items,
                 n->min_items == 1 ? "" : "s");
        bad++;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        snprintf(p, sizeof p, "%s.%zu", path, i);
        const char *pat = json_string_value(e);
        if (!pat) {
            diag_add(d, p, "%s is %s; expected a code pattern (a string)",
                     schema_show(e, shown, sizeof shown), schema_type_name(e));
            bad++;
            continue;
        }
        cara_codeset *set = NULL;
        char why[300];
        if (codes_compile(&pat, 1, &set, why, sizeof why) < 0) {
            /* why: pattern 0 "PAT": reason -> "PAT": reason, at the element's path */
            const char *r = strstr(why, "\": ");
            diag_add(d, p, "%s: %s", schema_show(e, shown, sizeof shown), r ? r + 3 : why);
            bad++;
        }
        codes_free(set);
    }
    return bad;
}

/* The names of a member table for "X allows a, b, c" and did-you-mean (NULL-terminated;
 * at most cap - 1 names). */
static size_t member_names(const schema_node *m, const schema_opts *o, const char **out, size_t cap)
{
    size_t k = 0;
    for (; m->type != SCHEMA_END && k + 1 < cap; m++)
        if (strcmp(m->key, "*") && (o->overlay || !(m->flags & SCHEMA_OVERLAY))) out[k++] = m->key;
    out[k] = NULL;
    return k;
}

static int check_obj(const schema_node *n, const json_t *v, const char *path,
                     const schema_opts *o, cara_diag *d)
{
    char shown[64], p[512], exp[400];
    if (!json_is_object(v)) {
        diag_add(d, path, "%s is %s; expected %s", schema_show(v, shown, sizeof shown),
                 schema_type_name(v), schema_expected(n, exp, sizeof exp));
        return 1;
    }
    int bad = 0;
    const schema_node *any = NULL;
    for (const schema_node *m = n->members; m->type != SCHEMA_END; m++) {
        if (!strcmp(m->key, "*")) {
            any = m;
            continue;
        }
        json_t *c = json_object_get(v, m->key);
        child_path(p, sizeof p, path, m->key);
        if (!c) {
            if ((m->flags & SCHEMA_REQUIRED) && (o->overlay || !(m->flags & SCHEMA_OVERLAY))) {
                diag_add(d, p, "required but missing; expected %s", schema_expected(m, exp, sizeof exp));
                bad++;
            }
            continue;
        }
        if ((m->flags & SCHEMA_OVERLAY) && !o->overlay) {
            diag_add(d, p, "only an ACO overlay has this member (a base template.json may "
                           "not; see docs/templates.md, \"ACO overlays\")");
            bad++;
            continue;
        }
        bad += schema_check(m, c, p, o, d);
    }
    if (any && json_object_size(v) < n->min_items) {
        diag_add(d, path, "{} has no members; expected at least %zu (%s)", n->min_items,
                 schema_expected(n, exp, sizeof exp));
        bad++;
    }
    const char *names[64];
    member_names(n->members, o, names, 64);
    const char *k;
    json_t *c;
    json_object_foreach((json_t *)v, k, c)
    {
        int known = 0;
        for (const schema_node *m = n->members; m->type != SCHEMA_END && !known; m++)
            known = strcmp(m->key, "*") && !strcmp(m->key, k);
        if (known) continue;
        child_path(p, sizeof p, path, k);
        if (any) {
            if (!*k || (strchr(k, '.') && !(n->flags & SCHEMA_DOTTED))) {
                diag_add(d, path, "the member name \"%s\" is %s; names are non-empty and may not "
                                  "contain '.' (templates use dotted paths)", k, *k ? "dotted" : "empty");
                bad++;
                continue;
            }
            bad += schema_check(any, c, p, o, d);
            continue;
        }
        const char *near = schema_did_you_mean(k, names);
        char list[600];
        size_t off = 0;
        list[0] = '\0';
        for (size_t i = 0; names[i] && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", names[i]);
        diag_add(d, p, "unknown member%s%s%s; %s allows %s", near ? " (did you mean \"" : "",
                 near ? near : "", near ? "\"?)" : "", where(path), list);
        bad++;
    }
    return bad;
}

static int check_arr(const schema_node *n, const json_t *v, const char *path,
                     const schema_opts *o, cara_diag *d)
{
    char shown[64], p[512], exp[400];
    if (!json_is_array(v)) {
        diag_add(d, path, "%s is %s; expected %s", schema_show(v, shown, sizeof shown),
                 schema_type_name(v), schema_expected(n, exp, sizeof exp));
        return 1;
    }
    int bad = 0;
    size_t len = json_array_size(v);
    if (len < n->min_items || (n->max_items && len > n->max_items)) {
        if (n->max_items)
            diag_add(d, path, "%s has %zu element%s; expected %zu to %zu (%s)",
                     schema_show(v, shown, sizeof shown), len, len == 1 ? "" : "s", n->min_items,
                     n->max_items, schema_expected(n, exp, sizeof exp));
        else
            diag_add(d, path, "%s has %zu element%s; expected at least %zu (%s)",
                     schema_show(v, shown, sizeof shown), len, len == 1 ? "" : "s", n->min_items,
                     schema_expected(n, exp, sizeof exp));
        bad++;
    }
    for (size_t i = 0; i < len; i++) {
        snprintf(p, sizeof p, "%s.%zu", path, i);
        bad += schema_check(n->members, json_array_get(v, i), p, o, d);
    }
    return bad;
}

int schema_check(const schema_node *node, const json_t *v, const char *path,
                 const schema_opts *o, cara_diag *d)
{
    switch (node->type) {
    case SCHEMA_INT: return check_int(node, v, path, d);
    case SCHEMA_STR: return check_str(node, v, path, d);
    case SCHEMA_OBJ: return check_obj(node, v, path, o, d);
    case SCHEMA_ARR: return check_arr(node, v, path, o, d);
    case SCHEMA_CODES: return check_codes(node, v, path, d);
    default: return 0; /* SCHEMA_ANY: checked elsewhere */
    }
}
