/*
 * rules_test.c: `cara rules test DIR`: a template's rule tests (the JSON files in DIR/tests).
 *
 * A test names a rule function and its arguments as JSON, and the fields expected back:
 *
 *   {"name": "the trigger provider gets the episode",
 *    "rule": "attribute",            attribute | target | quality | winsorize | reconcile
 *    "args": {"episode": {...}, "claims": [...], "beneficiary": {...}, "candidates": [...]},
 *    "expect": {"arrangement_id": "E1", "method": "trigger"}}
 *
 * Arguments are passed in the rule's order (docs/rules.md); "params" is the template
 * itself unless the test gives one. Any string member whose name ends in "_date" is a
 * date: "2027-01-04" becomes its day number, as rules receive dates. "expect" is either
 * an object (each member must equal the returned table's field; null = absent) or a
 * plain value (quality: true/false, winsorize: the cap).
 *
 * Each test runs in a fresh sandbox with the method library of the episodes folder DIR
 * is in (DIR/../common/cms_default.lua, rules_vm_load_library_of) loaded first, as a
 * run's rule set loads it (engine_lua.c rule_set_open).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "rules_test.h"

#include "base/base.h"
#include "catalog/catalog.h"
#include "rules/rules.h"

/* The argument names of each rule, in order. */
static const struct {
    const char *rule, *file;
    const char *args[6];
} RULES[] = {
    {"attribute", "attribution.lua", {"episode", "claims", "beneficiary", "candidates", "params", NULL}},
    {"target", "savings.lua", {"episode", "beneficiary", "arrangement", "params", NULL}},
    {"quality", "savings.lua", {"episode", "claims", "beneficiary", "params", NULL}},
    {"winsorize", "savings.lua", {"actuals", "params", NULL}},
    {"reconcile", "savings.lua", {"arrangement", "episodes", "params", NULL}},
};

/* Push JSON as read-only Lua values; "*_date" strings become day numbers.
 * stack: -> value */
static void push_fixture(lua_State *L, const json_t *v, const char *key)
{
    size_t kl = key ? strlen(key) : 0;
    if (json_is_string(v) && kl >= 5 && !strcmp(key + kl - 5, "_date")) {
        cara_date d;
        if (date_parse(json_string_value(v), json_string_length(v), &d) == 0) {
            lua_pushinteger(L, d);
            return;
        }
    }
    if (json_is_object(v)) {
        lua_createtable(L, 0, (int)json_object_size(v));
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            push_fixture(L, x, k);
            lua_setfield(L, -2, k);
        }
        rules_readonly(L, key ? key : "fixture");
    } else if (json_is_array(v)) {
        lua_createtable(L, (int)json_array_size(v), 0);
        for (size_t i = 0; i < json_array_size(v); i++) {
            push_fixture(L, json_array_get(v, i), NULL);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        rules_readonly(L, key ? key : "fixture");
    } else {
        rules_push_json(L, v);
    }
}

typedef struct test_args {
    const json_t *args;
    const char *const *names;
    const cara_template *tmpl;
} test_args;

static int push_args(lua_State *L, void *ud)
{
    test_args *a = ud; /* the first member of test_read */
    int n = 0;
    for (; a->names[n]; n++) {
        const json_t *v = json_object_get(a->args, a->names[n]);
        if (!v && !strcmp(a->names[n], "params")) rules_push_json(L, template_root(a->tmpl));
        else if (!v) lua_pushnil(L);
        else push_fixture(L, v, a->names[n]);
    }
    return n;
}

/* Describe the Lua value at idx without running any metamethod (a rule's __tostring
 * is rule code). */
static const char *describe(lua_State *L, int idx, char *buf, size_t len)
{
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return "nil";
    case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? "true" : "false";
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) snprintf(buf, len, "%lld", (long long)lua_tointeger(L, idx));
        else snprintf(buf, len, "%.17g", (double)lua_tonumber(L, idx));
        return buf;
    case LUA_TSTRING: snprintf(buf, len, "\"%.200s\"", lua_tostring(L, idx)); return buf;
    default: snprintf(buf, len, "a %s", luaL_typename(L, idx)); return buf;
    }
}

/* Compare the Lua value at idx with the expected JSON value; describe a mismatch. */
static int same(lua_State *L, int idx, const json_t *want, char *why, size_t len)
{
    char got[240];
    switch (json_typeof(want)) {
    case JSON_NULL:
        if (lua_isnil(L, idx)) return 1;
        snprintf(why, len, "expected nil, got %s", describe(L, idx, got, sizeof got));
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        if (lua_isboolean(L, idx) && lua_toboolean(L, idx) == json_is_true(want)) return 1;
        break;
    case JSON_INTEGER:
        if (lua_isinteger(L, idx) && lua_tointeger(L, idx) == json_integer_value(want)) return 1;
        break;
    case JSON_STRING:
        if (lua_type(L, idx) == LUA_TSTRING && !strcmp(lua_tostring(L, idx), json_string_value(want)))
            return 1;
        break;
    default:
        snprintf(why, len, "only null, booleans, integers and strings can be expected");
        return 0;
    }
    char *w = json_dumps(want, JSON_ENCODE_ANY);
    snprintf(why, len, "expected %s, got %s", w ? w : "?", describe(L, idx, got, sizeof got));
    free(w);
    return 0;
}

typedef struct test_read {
    test_args args;
    const char *rule, *file;
    const json_t *expect;
    int ok;
    char why[600];
} test_read;

/* Compare the result with "expect", inside the rule's protected call, with raw reads
 * only: a result (or a member) that is a table must be a plain one. A mismatch is not an
 * error of the call: it sets ok = 0 and why. stack: result -> result */
static int read_result(lua_State *L, void *ud, char *err, size_t errlen)
{
    test_read *r = ud;
    r->ok = 1;
    if (!json_is_object(r->expect)) {
        if (lua_type(L, -1) == LUA_TTABLE &&
            !rules_plain_table(L, -1, r->file, r->rule, NULL, err, errlen))
            return -1;
        r->ok = same(L, -1, r->expect, r->why, sizeof r->why);
        return 0;
    }
    if (!rules_plain_table(L, -1, r->file, r->rule, NULL, err, errlen)) {
        if (lua_type(L, -1) == LUA_TTABLE) return -1;
        snprintf(r->why, sizeof r->why, "%s() returned a %s, not a table", r->rule,
                 luaL_typename(L, -1));
        r->ok = 0;
        return 0;
    }
    const char *k;
    json_t *want;
    json_object_foreach((json_t *)r->expect, k, want)
    {
        lua_pushstring(L, k);
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TTABLE &&
            !rules_plain_table(L, -1, r->file, r->rule, k, err, errlen))
            return -1;
        char w[500];
        if (!same(L, -1, want, w, sizeof w)) {
            snprintf(r->why, sizeof r->why, "field %s: %s", k, w);
            r->ok = 0;
        }
        lua_pop(L, 1);
        if (!r->ok) break;
    }
    return 0;
}

/* Run one test file. 1 = passed, 0 = failed (reason printed). */
/* The episodes folder a template folder is in (malloc'ed): dir without its last part. */
static char *episodes_of(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    while (n > 0 && dir[n - 1] != '/') n--;
    while (n > 1 && dir[n - 1] == '/') n--;
    if (n == 0) return strdup(".");
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, dir, n);
        p[n] = '\0';
    }
    return p;
}

static int run_test(FILE *out, const char *dir, const char *path, const cara_template *tmpl)
{
    json_error_t je;
    json_t *t = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    const char *name = json_string_value(json_object_get(t, "name"));
    const char *rule = json_string_value(json_object_get(t, "rule"));
    const json_t *expect = json_object_get(t, "expect");
    if (!t) {
        fprintf(out, "FAIL %s:%d:%d: %s\n", path, je.line, je.column, je.text);
        return 0;
    }
    int r = -1;
    for (size_t i = 0; rule && i < UTIL_ARRAY_LEN(RULES); i++)
        if (!strcmp(RULES[i].rule, rule)) r = (int)i;
    if (!name || r < 0 || !expect) {
        fprintf(out, "FAIL %s: a test needs \"name\", \"rule\" (attribute, target, quality, "
                        "winsorize or reconcile) and \"expect\"\n", path);
        json_decref(t);
        return 0;
    }
    rules_vm *vm;
    char err[512];
    rules_error e;
    int script, ok = 0;
    char *file = util_path_join(dir, RULES[r].file);
    char *episodes = episodes_of(dir);
    if (!file || !episodes) snprintf(err, sizeof err, "out of memory");
    if (!file || !episodes || rules_vm_new(NULL, &vm, err, sizeof err) < 0) {
        fprintf(out, "FAIL %s: %s\n", name, err);
        free(file);
        free(episodes);
        json_decref(t);
        return 0;
    }
    test_read a = {.args = {json_object_get(t, "args"), RULES[r].args, tmpl},
                   .rule = rule, .file = file, .expect = expect};
    if (rules_vm_load_library_of(vm, episodes, &e) < 0 ||
        rules_vm_load_file(vm, file, &script, &e) < 0 ||
        rules_vm_invoke_read(vm, script, rule, push_args, read_result, &a, &e) < 0) {
        fprintf(out, "FAIL %s: %s\n", name, e.message);
    } else {
        ok = a.ok;
        if (ok) fprintf(out, "PASS %s\n", name);
        else fprintf(out, "FAIL %s (%s): %s\n", name, path, a.why);
    }
    rules_vm_free(vm);
    free(file);
    free(episodes);
    json_decref(t);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_test_dir(const char *dir, FILE *out, FILE *errf)
{
    char *tpath = util_path_join(dir, "template.json");
    char *tests = util_path_join(dir, "tests");
    cara_template *tmpl = NULL;
    char err[512];
    int rc = -1;
    if (!tpath || !tests || template_load(tpath, &tmpl, err, sizeof err) < 0) {
        fprintf(errf, "cara rules test: %s\n", tpath ? err : "out of memory");
        goto out;
    }
    DIR *d = opendir(tests);
    if (!d) {
        fprintf(errf, "cara rules test: %s: no tests folder (put *.json rule tests there; "
                        "see docs/rules.md)\n", tests);
        goto out;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json")) continue;
        char **v = realloc(names, (n + 1) * sizeof *v);
        if (!v) break;
        names = v;
        if ((names[n] = util_path_join(tests, de->d_name))) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str); /* names is NULL when n is 0 */
    int passed = 0;
    for (size_t i = 0; i < n; i++) {
        passed += run_test(out, dir, names[i], tmpl);
        free(names[i]);
    }
    free(names);
    fprintf(out, "%d passed, %d failed\n", passed, (int)n - passed);
    rc = (size_t)passed == n && n > 0 ? 0 : -1;
    if (n == 0) fprintf(errf, "cara rules test: %s: no *.json tests\n", tests);
out:
    template_free(tmpl);
    free(tpath);
    free(tests);
    return rc;
}
