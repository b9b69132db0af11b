/*
 * engine_lua.c: the engine's calls into the Lua rules, and the checks on what they
 * return. Arguments are pushed and results read inside one protected call
 * (rules_vm_invoke_read), so a hostile result can raise but never abort the process.
 * stack comments show the Lua stack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/base.h"
#include "engine_internal.h"
#include "rules/rules.h"

const char *const engine_term_names[N_TERMS] = {"discount_bps", "savings_share_bps",
                                                "loss_share_bps", "stop_gain_bps",
                                                "stop_loss_bps"};

static int rule_fail(rule_set *rs, const rules_error *e, char *err, size_t errlen)
{
    rs->last = *e;
    rules_error_format(e, err, errlen);
    return -EINVAL;
}

/* ---- setup ------------------------------------------------------------------------- */

static int push_params(lua_State *L)
{
    const cara_template *t = lua_touserdata(L, 1);
    rules_push_json(L, template_root(t)); /* stack: ud, params */
    lua_rawsetp(L, LUA_REGISTRYINDEX, t); /* registry[t] = params */
    return 0;
}

int engine__rule_set_open(rule_set *rs, const catalog *cat, const rules_limits *lim, char *err,
                  size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    rs->cat = cat;
    rs->claims_ref = rs->bene_ref = rs->cache_ref = rs->ep_ref = LUA_NOREF;
    if (rules_vm_new(lim, &rs->vm, err, errlen) < 0) return -ENOMEM;
    rs->attr_script = calloc(cat->n, sizeof(int));
    rs->sav_script = calloc(cat->n, sizeof(int));
    rs->params_ref = calloc(cat->n, sizeof(int));
    if (!rs->attr_script || !rs->sav_script || !rs->params_ref) {
        engine__rule_set_close(rs);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rules_error e;
    /* the method library first: the templates' rules call it (docs/rules.md) */
    if (rules_vm_load_library_of(rs->vm, cat->dir, &e) < 0) {
        engine__rule_set_close(rs);
        return rule_fail(rs, &e, err, errlen);
    }
    for (size_t i = 0; i < cat->n; i++) {
        const catalog_entry *c = &cat->v[i];
        if (rules_vm_load_file(rs->vm, c->attribution_path, &rs->attr_script[i], &e) < 0 ||
            rules_vm_load_file(rs->vm, c->savings_path, &rs->sav_script[i], &e) < 0 ||
            rules_vm_protected(rs->vm, push_params, c->tmpl, &e) < 0) {
            engine__rule_set_close(rs);
            return rule_fail(rs, &e, err, errlen);
        }
    }
    return 0;
}

void engine__rule_set_close(rule_set *rs)
{
    rules_vm_free(rs->vm);
    free(rs->attr_script);
    free(rs->sav_script);
    free(rs->params_ref);
    memset(rs, 0, sizeof *rs);
}

typedef struct bind_args {
    rule_set *rs;
    const cara_beneficiary *b;
    const cara_claim_line *lines;
    size_t n;
} bind_args;

static int push_bene_refs(lua_State *L)
{
    bind_args *a = lua_touserdata(L, 1);
    rules_push_claims_lazy(L, a->lines, a->n, &a->rs->claims_state);
    a->rs->claims_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    rules_push_beneficiary(L, a->b);
    a->rs->bene_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int engine__rule_set_bind(rule_set *rs, const cara_beneficiary *b, const cara_claim_line *lines,
                  size_t n, char *err, size_t errlen)
{
    engine__rule_set_forget(rs);
    bind_args a = {rs, b, lines, n};
    rules_error e;
    if (rules_vm_protected(rs->vm, push_bene_refs, &a, &e) < 0) {
        engine__rule_set_forget(rs);
        return rule_fail(rs, &e, err, errlen);
    }
    return 0;
}

void engine__rule_set_forget(rule_set *rs)
{
    lua_State *L = rules_vm_state(rs->vm);
    engine__rule_set_episode_done(rs);
    rules_claims_release(rs->claims_state); /* before the list can be collected */
    rs->claims_state = NULL;
    luaL_unref(L, LUA_REGISTRYINDEX, rs->claims_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, rs->bene_ref);
    rs->claims_ref = rs->bene_ref = LUA_NOREF;
}

void engine__rule_set_episode_begin(rule_set *rs)
{
    engine__rule_set_episode_done(rs);
    rs->ep_open = 1;
}

void engine__rule_set_episode_done(rule_set *rs)
{
    if (rs->ep_ref != LUA_NOREF) luaL_unref(rules_vm_state(rs->vm), LUA_REGISTRYINDEX, rs->ep_ref);
    rs->ep_ref = LUA_NOREF;
    rs->ep_key = NULL;
    rs->ep_open = 0;
}

/* ---- pushing ------------------------------------------------------------------------- */

static void set_s(lua_State *L, const char *k, const char *v)
{
    if (!v) return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void set_i(lua_State *L, const char *k, int64_t v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* stack: -> arrangement (or nil) */
static void push_arrangement(lua_State *L, const ref_arrangement *a)
{
    if (!a) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 14);
    set_s(L, "arrangement_id", a->arrangement_id);
    set_s(L, "aco_id", a->aco_id);
    set_s(L, "npi", a->npi);
    set_s(L, "tin", a->tin);
    set_s(L, "template_id", a->template_id);
    set_s(L, "track", a->track);
    set_s(L, "specialty_code", a->specialty);
    set_i(L, "start_date", a->start);
    if (a->end != CARA_DATE_NONE) set_i(L, "end_date", a->end);
    for (int i = 0; i < N_TERMS; i++)
        if (a->has_terms & (1u << i)) set_i(L, engine_term_names[i], a->terms[i]);
    rules_readonly(L, "arrangement");
}

typedef struct call_args {
    rule_set *rs;
    size_t entry;
    const cara_episode *ep;
    int hcc_count;
    const cara_claim_line *lines;
    const ref_arrangement *const *cands;
    size_t n_cands;
    const cand_set *set;   /* attribute(): the set cands come from, or NULL */
    const ref_arrangement *arr;
    const int64_t *sorted;
    size_t n_sorted;
    ep_hot *const *eps;
    ep_rec *rec;       /* target(): the episode's record, for its risk score; filled */
    /* where the readers put the result (one per rule) */
    attribution_out *aout;
    int *met;
    int64_t *cap;
    int *has_cap;
    arr_result *rout;
} call_args;

static void push_ref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }

static void push_params_of(lua_State *L, call_args *a)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, a->rs->cat->v[a->entry].tmpl);
}

/* The episode table; one without a risk score is built once per episode (the rule set's
 * ep_ref) and handed again to the episode's later calls. */
static void push_episode(lua_State *L, call_args *a)
{
    rule_set *rs = a->rs;
    rules_risk risk, *rp = NULL;
    if (a->rec && a->rec->has_risk) {
        risk = (rules_risk){a->rec->risk_score, a->rec->risk_raw, a->rec->risk_segment};
        rp = &risk;
    }
    if (!rp && rs->ep_open && rs->ep_ref != LUA_NOREF && rs->ep_key == a->ep &&
        rs->ep_lines == a->lines && rs->ep_entry == a->entry && rs->ep_hcc == a->hcc_count) {
        push_ref(L, rs->ep_ref);
        return;
    }
    rules_push_episode_risk(L, a->ep, template_id(rs->cat->v[a->entry].tmpl), a->lines,
                            a->hcc_count, rp);
    if (rp || !rs->ep_open) return;
    if (rs->ep_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, rs->ep_ref);
    rs->ep_ref = LUA_NOREF;
    lua_pushvalue(L, -1);
    rs->ep_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    rs->ep_key = a->ep;
    rs->ep_lines = a->lines;
    rs->ep_entry = a->entry;
    rs->ep_hcc = a->hcc_count;
}

/* stack: -> the rule set's cache table. Started afresh when the state holds more than a
 * quarter of its memory limit, so that what is cached never starves a rule. */
static void push_cache(lua_State *L, rule_set *rs)
{
    if (rs->cache_ref != LUA_NOREF &&
        rules_vm_memory_used(rs->vm) <= rules_vm_limits(rs->vm)->memory / 4) {
        push_ref(L, rs->cache_ref);
        return;
    }
    if (rs->cache_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, rs->cache_ref);
    rs->cache_ref = LUA_NOREF;
    lua_newtable(L);
    lua_pushvalue(L, -1);
    rs->cache_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* stack: -> candidate c (built once per rule set: cache at index cache) */
static void push_candidate(lua_State *L, int cache, const ref_arrangement *c)
{
    if (lua_rawgetp(L, cache, c) != LUA_TNIL) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 7);
    set_s(L, "arrangement_id", c->arrangement_id);
    set_s(L, "aco_id", c->aco_id);
    set_s(L, "npi", c->npi);
    set_s(L, "tin", c->tin);
    set_s(L, "specialty_code", c->specialty);
    set_i(L, "start_date", c->start);
    if (c->end != CARA_DATE_NONE) set_i(L, "end_date", c->end);
    rules_readonly(L, "candidate");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, cache, c);
}

/* stack: -> the candidates list (a shared set's built once per rule set) */
static void push_candidates(lua_State *L, call_args *a)
{
    push_cache(L, a->rs);
    int cache = lua_gettop(L);
    const cand_set *set = a->set;
    if (set && set->shared && lua_rawgetp(L, cache, set) != LUA_TNIL) {
        lua_remove(L, cache);
        return;
    }
    if (set && set->shared) lua_pop(L, 1);
    lua_createtable(L, (int)a->n_cands, 0); /* stack: ..., cache, cands */
    for (size_t i = 0; i < a->n_cands; i++) {
        push_candidate(L, cache, a->cands[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "candidates");
    if (set && set->shared) {
        lua_pushvalue(L, -1);
        lua_rawsetp(L, cache, set);
    }
    lua_remove(L, cache);
}

/* attribute(episode, claims, beneficiary, candidates, params) */
static int push_attribute(lua_State *L, void *ud)
{
    call_args *a = ud;
    push_episode(L, a);
    push_ref(L, a->rs->claims_ref);
    push_ref(L, a->rs->bene_ref);
    push_candidates(L, a);
    push_params_of(L, a);
    return 5;
}

/* target(episode, beneficiary, arrangement, params) */
static int push_target(lua_State *L, void *ud)
{
    call_args *a = ud;
    push_episode(L, a);
    push_ref(L, a->rs->bene_ref);
    push_arrangement(L, a->arr);
    push_params_of(L, a);
    return 4;
}

/* quality(episode, claims, beneficiary, params) */
static int push_quality(lua_State *L, void *ud)
{
    call_args *a = ud;
    push_episode(L, a);
    push_ref(L, a->rs->claims_ref);
    push_ref(L, a->rs->bene_ref);
    push_params_of(L, a);
    return 4;
}

/* winsorize(actuals, params) */
static int push_winsorize(lua_State *L, void *ud)
{
    call_args *a = ud;
    lua_createtable(L, (int)a->n_sorted, 0);
    for (size_t i = 0; i < a->n_sorted; i++) {
        lua_pushinteger(L, a->sorted[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "actuals");
    push_params_of(L, a);
    return 2;
}

/* reconcile(arrangement, episodes, params) */
static int push_reconcile(lua_State *L, void *ud)
{
    call_args *a = ud;
    push_arrangement(L, a->arr);
    lua_createtable(L, (int)a->n_sorted, 0);
    for (size_t i = 0; i < a->n_sorted; i++) {
        const ep_hot *r = a->eps[i];
        lua_createtable(L, 0, 8);
        char id[HOT_ID_MAX];
        set_s(L, "episode_id", hot_episode_id(r, id));
        set_s(L, "person_id", hot_person_id(r));
        set_s(L, "trigger_type", r->trigger_type);
        set_i(L, "trigger_date", r->day0);
        set_i(L, "target_cents", r->target);
        set_i(L, "actual_cents", r->actual);
        set_i(L, "actual_winsorized_cents", r->winsorized);
        lua_pushboolean(L, r->quality_met);
        lua_setfield(L, -2, "quality_met");
        set_s(L, "status", hot_status(r->status));
        rules_readonly(L, "episode");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "episodes");
    push_params_of(L, a);
    return 3;
}

/* ---- reading results ------------------------------------------------------------------- */

/* Every read below runs inside the rule's protected call (rules_vm_invoke_read) and is
 * raw: a result is a plain table (no metatable), so no rule code runs while the host
 * reads it, and nothing it returns can make the host allocate more than the fixed-size
 * fields below (strings longer than their field are refused, never truncated). */

/* The value of table field k (table on top), read raw. 0 = ok, else error text in err. */
static int get_int(lua_State *L, const char *fn, const char *path, const char *k, int64_t *out,
                   int optional, int *present, char *err, size_t errlen)
{
    lua_pushstring(L, k);
    int t = lua_rawget(L, -2);
    if (optional && (t == LUA_TNIL || (t == LUA_TSTRING && lua_rawlen(L, -1) == 0))) {
        lua_pop(L, 1);
        if (present) *present = 0;
        return 0;
    }
    if (!lua_isinteger(L, -1)) {
        snprintf(err, errlen, "%s: %s() returned a %s for field '%s' (expected an integer%s)",
                 path, fn, luaL_typename(L, -1), k, optional ? " or nil" : "");
        lua_pop(L, 1);
        return -EINVAL;
    }
    *out = lua_tointeger(L, -1);
    if (present) *present = 1;
    lua_pop(L, 1);
    return 0;
}

static int get_str(lua_State *L, const char *fn, const char *path, const char *k, char *out,
                   size_t len, int optional, char *err, size_t errlen)
{
    lua_pushstring(L, k);
    int t = lua_rawget(L, -2);
    if (optional && (t == LUA_TNIL || (t == LUA_TSTRING && lua_rawlen(L, -1) == 0))) {
        lua_pop(L, 1);
        out[0] = '\0';
        return 0;
    }
    if (t != LUA_TSTRING || lua_rawlen(L, -1) >= len || lua_rawlen(L, -1) == 0) {
        snprintf(err, errlen, "%s: %s() returned %s for field '%s' (expected a non-empty "
                              "string of at most %zu characters)",
                 path, fn, t == LUA_TSTRING ? "a string of the wrong length" : luaL_typename(L, -1),
                 k, len - 1);
        lua_pop(L, 1);
        return -EINVAL;
    }
    memcpy(out, lua_tostring(L, -1), lua_rawlen(L, -1) + 1);
    lua_pop(L, 1);
    return 0;
}

static int expect_table(lua_State *L, const char *fn, const char *path, char *err, size_t errlen)
{
    return rules_plain_table(L, -1, path, fn, NULL, err, errlen) ? 0 : -EINVAL;
}

static const char *sav_path(rule_set *rs, size_t entry) { return rs->cat->v[entry].savings_path; }
static const char *attr_path(rule_set *rs, size_t entry)
{
    return rs->cat->v[entry].attribution_path;
}

/* Run the rule and read its one result with read() in the same protected call. A result
 * of the wrong shape is kept in rs->last as RULES_ERR_RESULT. */
static int call_rule(rule_set *rs, int script, const char *fn, rules_push_fn push,
                     rules_read_fn read, call_args *a, char *err, size_t errlen)
{
    rules_error e;
    if (rules_vm_invoke_read(rs->vm, script, fn, push, read, a, &e) < 0)
        return rule_fail(rs, &e, err, errlen);
    return 0;
}

/* stack: result -> result */
static int read_attribute(lua_State *L, void *ud, char *err, size_t errlen)
{
    call_args *a = ud;
    attribution_out *out = a->aout;
    const char *path = attr_path(a->rs, a->entry);
    int rc = expect_table(L, "attribute", path, err, errlen);
    if (rc < 0) return rc;
    char arr_id[128];
    rc = get_str(L, "attribute", path, "method", out->method, sizeof out->method, 0, err, errlen);
    if (rc == 0) rc = get_str(L, "attribute", path, "arrangement_id", arr_id, sizeof arr_id, 1, err, errlen);
    if (rc == 0 && arr_id[0]) {
        for (size_t i = 0; i < a->n_cands && !out->arr; i++)
            if (strcmp(a->cands[i]->arrangement_id, arr_id) == 0) out->arr = a->cands[i];
        if (!out->arr) {
            snprintf(err, errlen,
                     "%s: attribute() returned arrangement_id \"%s\", which is not one of "
                     "the episode's %zu candidates",
                     path, arr_id, a->n_cands);
            rc = -EINVAL;
        }
    } else if (rc == 0 && strcmp(out->method, "unattributed") != 0) {
        snprintf(err, errlen,
                 "%s: attribute() returned method \"%s\" without an arrangement_id (an "
                 "episode without one must have method \"unattributed\")",
                 path, out->method);
        rc = -EINVAL;
    }
    return rc;
}

int engine__rule_attribute(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                   const cara_claim_line *lines, const ref_arrangement *const *cands,
                   size_t n_cands, attribution_out *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    call_args a = {.rs = rs, .entry = entry, .ep = ep, .hcc_count = hcc_count, .lines = lines,
                   .cands = cands, .n_cands = n_cands, .aout = out};
    int rc = call_rule(rs, rs->attr_script[entry], "attribute", push_attribute, read_attribute,
                       &a, err, errlen);
    if (rc < 0) out->arr = NULL;
    return rc;
}

int engine__rule_attribute_set(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                               const cara_claim_line *lines, const cand_set *set,
                               attribution_out *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    call_args a = {.rs = rs, .entry = entry, .ep = ep, .hcc_count = hcc_count, .lines = lines,
                   .cands = set->v, .n_cands = set->n, .set = set, .aout = out};
    int rc = call_rule(rs, rs->attr_script[entry], "attribute", push_attribute, read_attribute,
                       &a, err, errlen);
    if (rc < 0) out->arr = NULL;
    return rc;
}

static int read_target(lua_State *L, void *ud, char *err, size_t errlen)
{
    call_args *a = ud;
    ep_rec *rec = a->rec;
    const char *path = sav_path(a->rs, a->entry);
    int rc = expect_table(L, "target", path, err, errlen);
    if (rc < 0) return rc;
    struct {
        const char *k;
        int64_t *v;
    } f[] = {{"base_cents", &rec->base},          {"trend_factor", &rec->trend_factor},
             {"trend_years", &rec->trend_years},  {"age_factor", &rec->age_factor},
             {"hcc_factor", &rec->hcc_factor},    {"dual_factor", &rec->dual_factor},
             {"discount_bps", &rec->discount_bps}, {"target_cents", &rec->target}};
    for (size_t i = 0; i < sizeof f / sizeof f[0] && rc == 0; i++)
        rc = get_int(L, "target", path, f[i].k, f[i].v, 0, NULL, err, errlen);
    return rc;
}

int engine__rule_target(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                const cara_claim_line *lines, const ref_arrangement *arr, ep_rec *rec,
                char *err, size_t errlen)
{
    call_args a = {.rs = rs, .entry = entry, .ep = ep, .hcc_count = hcc_count, .lines = lines,
                   .arr = arr, .rec = rec};
    int rc = call_rule(rs, rs->sav_script[entry], "target", push_target, read_target, &a, err,
                       errlen);
    rec->has_target = rc == 0;
    return rc;
}

static int read_quality(lua_State *L, void *ud, char *err, size_t errlen)
{
    call_args *a = ud;
    if (lua_type(L, -1) != LUA_TBOOLEAN) {
        snprintf(err, errlen, "%s: quality() returned a %s (expected true or false)",
                 sav_path(a->rs, a->entry), luaL_typename(L, -1));
        return -EINVAL;
    }
    *a->met = lua_toboolean(L, -1);
    return 0;
}

int engine__rule_quality(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                 const cara_claim_line *lines, int *met, char *err, size_t errlen)
{
    call_args a = {.rs = rs, .entry = entry, .ep = ep, .hcc_count = hcc_count, .lines = lines,
                   .met = met};
    *met = 0;
    return call_rule(rs, rs->sav_script[entry], "quality", push_quality, read_quality, &a, err,
                     errlen);
}

static int read_winsorize(lua_State *L, void *ud, char *err, size_t errlen)
{
    call_args *a = ud;
    if (lua_isinteger(L, -1)) {
        *a->cap = lua_tointeger(L, -1);
        *a->has_cap = 1;
    } else if (!lua_isnil(L, -1)) {
        snprintf(err, errlen, "%s: winsorize() returned a %s (expected an integer cap in "
                              "cents, or nil for no cap)",
                 sav_path(a->rs, a->entry), luaL_typename(L, -1));
        return -EINVAL;
    }
    return 0;
}

int engine__rule_winsorize(rule_set *rs, size_t entry, const int64_t *sorted, size_t n, int64_t *cap,
                   int *has_cap, char *err, size_t errlen)
{
    call_args a = {.rs = rs, .entry = entry, .sorted = sorted, .n_sorted = n, .cap = cap,
                   .has_cap = has_cap};
    *has_cap = 0;
    int rc = call_rule(rs, rs->sav_script[entry], "winsorize", push_winsorize, read_winsorize,
                       &a, err, errlen);
    if (rc < 0) *has_cap = 0;
    return rc;
}

static int read_reconcile(lua_State *L, void *ud, char *err, size_t errlen)
{
    call_args *a = ud;
    arr_result *out = a->rout;
    const char *path = sav_path(a->rs, a->entry);
    int rc = expect_table(L, "reconcile", path, err, errlen);
    if (rc < 0) return rc;
    int p[4] = {0};
    rc = get_int(L, "reconcile", path, "episodes", &out->episodes, 0, NULL, err, errlen);
    if (rc == 0) rc = get_int(L, "reconcile", path, "target_cents", &out->target, 0, NULL, err, errlen);
    if (rc == 0) rc = get_int(L, "reconcile", path, "actual_cents", &out->actual, 0, NULL, err, errlen);
    if (rc == 0)
        rc = get_int(L, "reconcile", path, "actual_winsorized_cents", &out->winsorized, 0, NULL, err, errlen);
    if (rc == 0) rc = get_int(L, "reconcile", path, "payment_cents", &out->payment, 0, NULL, err, errlen);
    if (rc == 0) rc = get_int(L, "reconcile", path, "gross_cents", &out->gross, 1, &p[0], err, errlen);
    if (rc == 0) rc = get_int(L, "reconcile", path, "quality_bps", &out->quality_bps, 1, &p[1], err, errlen);
    if (rc == 0)
        rc = get_int(L, "reconcile", path, "quality_adjusted_cents", &out->qadj, 1, &p[2], err, errlen);
    if (rc == 0) rc = get_int(L, "reconcile", path, "share_bps", &out->share_bps, 1, &p[3], err, errlen);
    if (rc == 0) rc = get_str(L, "reconcile", path, "cap_applied", out->cap, sizeof out->cap, 1, err, errlen);
    if (rc == 0) rc = get_str(L, "reconcile", path, "status", out->status, sizeof out->status, 0, err, errlen);
    if (rc < 0) return rc;
    out->has_gross = p[0] && p[1] && p[2] && p[3];
    if ((p[0] || p[1] || p[2] || p[3]) && !out->has_gross) {
        snprintf(err, errlen, "%s: reconcile() must return gross_cents, quality_bps, "
                              "quality_adjusted_cents and share_bps together (or none of them)",
                 path);
        return -EINVAL;
    }
    if (out->cap[0] && strcmp(out->cap, "stop_gain") && strcmp(out->cap, "stop_loss")) {
        snprintf(err, errlen, "%s: reconcile() returned cap_applied \"%s\" (expected "
                              "\"stop_gain\", \"stop_loss\" or nil)", path, out->cap);
        return -EINVAL;
    }
    if (strcmp(out->status, "final") && strcmp(out->status, "interim") &&
        strcmp(out->status, "insufficient_volume")) {
        snprintf(err, errlen, "%s: reconcile() returned status \"%s\" (expected \"final\", "
                              "\"interim\" or \"insufficient_volume\")", path, out->status);
        return -EINVAL;
    }
    return 0;
}

int engine__rule_reconcile(rule_set *rs, size_t entry, const ref_arrangement *arr,
                   ep_hot *const *eps, size_t n, arr_result *out, char *err, size_t errlen)
{
    call_args a = {.rs = rs, .entry = entry, .arr = arr, .eps = eps, .n_sorted = n, .rout = out};
    return call_rule(rs, rs->sav_script[entry], "reconcile", push_reconcile, read_reconcile, &a,
                     err, errlen);
}
