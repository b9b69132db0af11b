/*
 * rules_bind.c: see rules_bind.h. stack comments show the Lua stack at each step.
 */
#include "rules_bind.h"

#include <lauxlib.h>
#include <string.h>

static void set_str(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v ? v : "");
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* Dates: absent dates are simply missing (nil). */
static void set_date(lua_State *L, const char *k, cara_date d)
{
    if (d == CARA_DATE_NONE) return;
    lua_pushinteger(L, d);
    lua_setfield(L, -2, k);
}

static const char *claim_type_name(int t)
{
    switch (t) {
    case CARA_CLAIM_INSTITUTIONAL: return "institutional";
    case CARA_CLAIM_PROFESSIONAL: return "professional";
    case CARA_CLAIM_DME: return "dme";
    default: return "unknown";
    }
}

void rules_push_claim(lua_State *L, const cara_claim_line *l, size_t index)
{
    lua_createtable(L, 0, 28); /* stack: claim */
    set_int(L, "index", (lua_Integer)index);
    set_str(L, "claim_id", l->claim_id);
    set_int(L, "claim_line_number", l->line_number);
    set_str(L, "claim_type", claim_type_name(l->claim_type));
    set_date(L, "service_date", l->service_date);
    set_date(L, "claim_start_date", l->claim_start);
    set_date(L, "claim_end_date", l->claim_end);
    set_date(L, "claim_line_start_date", l->line_start);
    set_date(L, "claim_line_end_date", l->line_end);
    set_date(L, "admission_date", l->admission);
    set_date(L, "discharge_date", l->discharge);
    set_str(L, "bill_type_code", l->bill_type);
    set_str(L, "revenue_center_code", l->revenue_center);
    set_str(L, "hcpcs_code", l->hcpcs);
    set_str(L, "place_of_service_code", l->place_of_service);
    set_str(L, "discharge_disposition_code", l->discharge_disposition);
    set_str(L, "rendering_npi", l->rendering_npi);
    set_str(L, "rendering_tin", l->rendering_tin);
    set_str(L, "billing_npi", l->billing_npi);
    set_str(L, "billing_tin", l->billing_tin);
    set_str(L, "facility_npi", l->facility_npi);
    set_int(L, "paid_cents", l->paid);
    set_int(L, "allowed_cents", l->allowed);
    lua_createtable(L, 5, 0); /* stack: claim, modifiers */
    int k = 0;
    for (int i = 0; i < 5; i++) {
        if (!l->modifiers[i][0]) continue;
        lua_pushstring(L, l->modifiers[i]);
        lua_rawseti(L, -2, ++k);
    }
    rules_readonly(L, "hcpcs_modifiers");
    lua_setfield(L, -2, "hcpcs_modifiers");
    lua_createtable(L, l->n_dx, 0); /* stack: claim, dx */
    for (int i = 0; i < l->n_dx; i++) {
        lua_pushstring(L, l->dx[i]);
        lua_rawseti(L, -2, i + 1);
    }
    rules_readonly(L, "diagnosis_codes");
    lua_setfield(L, -2, "diagnosis_codes");
    rules_readonly(L, "claim");
}

void rules_push_claims(lua_State *L, const cara_claim_line *lines, size_t n)
{
    luaL_checkstack(L, 4, "rules_push_claims");
    lua_createtable(L, (int)n, 0); /* stack: claims */
    for (size_t i = 0; i < n; i++) {
        rules_push_claim(L, &lines[i], i + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "claims");
}

/* ---- the lazy claims list ---------------------------------------------------------------- */

struct rules_lazy_claims {
    const cara_claim_line *lines; /* NULL once released */
    size_t n;
};

static rules_lazy_claims *lazy_state(lua_State *L)
{
    rules_lazy_claims *st = lua_touserdata(L, lua_upvalueindex(1));
    if (!st->lines && st->n) luaL_error(L, "claims: this beneficiary's claims are no longer "
                                           "available (a rule kept them from an earlier call)");
    return st;
}

/* ---- a line as a read-only object over the C struct --------------------------------------- */

#define LINE_MT "cara.claim_line"

typedef struct line_ud {
    rules_lazy_claims *st;   /* kept alive by user value 1 */
    size_t i;                /* 0-based */
} line_ud;

static const cara_claim_line *line_of(lua_State *L, int idx, line_ud **out)
{
    line_ud *u = luaL_checkudata(L, idx, LINE_MT);
    if (!u->st->lines)
        luaL_error(L, "claims: this beneficiary's claims are no longer available (a rule kept "
                      "them from an earlier call)");
    if (out) *out = u;
    return &u->st->lines[u->i];
}

static void push_date_or_nil(lua_State *L, cara_date d)
{
    if (d == CARA_DATE_NONE) lua_pushnil(L);
    else lua_pushinteger(L, d);
}

/* The array fields, built on first use and kept in user value 2. */
static void push_list_field(lua_State *L, int ud, const cara_claim_line *l, int which)
{
    lua_getiuservalue(L, ud, 2);                   /* cache */
    if (lua_rawgeti(L, -1, which) != LUA_TNIL) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    if (which == 1) {
        lua_createtable(L, 5, 0);
        int k = 0;
        for (int i = 0; i < 5; i++)
            if (l->modifiers[i][0]) {
                lua_pushstring(L, l->modifiers[i]);
                lua_rawseti(L, -2, ++k);
            }
        rules_readonly(L, "hcpcs_modifiers");
    } else {
        lua_createtable(L, l->n_dx, 0);
        for (int i = 0; i < l->n_dx; i++) {
            lua_pushstring(L, l->dx[i]);
            lua_rawseti(L, -2, i + 1);
        }
        rules_readonly(L, "diagnosis_codes");
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, which);
    lua_remove(L, -2);
}

static const char *const LINE_FIELDS[] = {
    "index", "claim_id", "claim_line_number", "claim_type", "service_date", "claim_start_date",
    "claim_end_date", "claim_line_start_date", "claim_line_end_date", "admission_date",
    "discharge_date", "bill_type_code", "revenue_center_code", "hcpcs_code",
    "place_of_service_code", "discharge_disposition_code", "rendering_npi", "rendering_tin",
    "billing_npi", "billing_tin", "facility_npi", "paid_cents", "allowed_cents",
    "hcpcs_modifiers", "diagnosis_codes", NULL};

/* Push field f (an index into LINE_FIELDS) of the line at stack index ud. */
static void push_line_field(lua_State *L, int ud, const line_ud *u, const cara_claim_line *l, int f)
{
    switch (f) {
    case 0: lua_pushinteger(L, (lua_Integer)u->i + 1); break;
    case 1: lua_pushstring(L, l->claim_id ? l->claim_id : ""); break;
    case 2: lua_pushinteger(L, l->line_number); break;
    case 3: lua_pushstring(L, claim_type_name(l->claim_type)); break;
    case 4: push_date_or_nil(L, l->service_date); break;
    case 5: push_date_or_nil(L, l->claim_start); break;
    case 6: push_date_or_nil(L, l->claim_end); break;
    case 7: push_date_or_nil(L, l->line_start); break;
    case 8: push_date_or_nil(L, l->line_end); break;
    case 9: push_date_or_nil(L, l->admission); break;
    case 10: push_date_or_nil(L, l->discharge); break;
    case 11: lua_pushstring(L, l->bill_type); break;
    case 12: lua_pushstring(L, l->revenue_center); break;
    case 13: lua_pushstring(L, l->hcpcs); break;
    case 14: lua_pushstring(L, l->place_of_service); break;
    case 15: lua_pushstring(L, l->discharge_disposition); break;
    case 16: lua_pushstring(L, l->rendering_npi); break;
    case 17: lua_pushstring(L, l->rendering_tin); break;
    case 18: lua_pushstring(L, l->billing_npi); break;
    case 19: lua_pushstring(L, l->billing_tin); break;
    case 20: lua_pushstring(L, l->facility_npi); break;
    case 21: lua_pushinteger(L, l->paid); break;
    case 22: lua_pushinteger(L, l->allowed); break;
    case 23: push_list_field(L, ud, l, 1); break;
    case 24: push_list_field(L, ud, l, 2); break;
    default: lua_pushnil(L); break;
    }
}

static int field_no(const char *k)
{
    for (int f = 0; LINE_FIELDS[f]; f++)
        if (k[0] == LINE_FIELDS[f][0] && !strcmp(k, LINE_FIELDS[f])) return f;
    return -1;
}

static int line_index(lua_State *L)
{
    line_ud *u;
    const cara_claim_line *l = line_of(L, 1, &u);
    const char *k = lua_tostring(L, 2);
    int f = k && lua_type(L, 2) == LUA_TSTRING ? field_no(k) : -1;
    if (f < 0) lua_pushnil(L);
    else push_line_field(L, 1, u, l, f);
    return 1;
}

static int line_newindex(lua_State *L) { return luaL_error(L, "a claim line is read-only"); }

/* pairs(line): the fields that have a value, in LINE_FIELDS order. */
static int line_next(lua_State *L)
{
    line_ud *u;
    const cara_claim_line *l = line_of(L, 1, &u);
    int f = lua_isnil(L, 2) ? 0 : field_no(luaL_checkstring(L, 2)) + 1;
    for (; f >= 0 && LINE_FIELDS[f]; f++) {
        push_line_field(L, 1, u, l, f);
        if (!lua_isnil(L, -1)) {
            lua_pushstring(L, LINE_FIELDS[f]);
            lua_insert(L, -2);
            return 2;
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    return 1;
}

static int line_pairs(lua_State *L)
{
    line_of(L, 1, NULL);
    lua_pushcfunction(L, line_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int line_tostring(lua_State *L)
{
    line_ud *u;
    const cara_claim_line *l = line_of(L, 1, &u);
    lua_pushfstring(L, "claim line %s/%d", l->claim_id ? l->claim_id : "", (int)l->line_number);
    return 1;
}

/* stack: -> line object for lines[i] (0-based) of the list whose state is at index st_idx */
static void push_line_object(lua_State *L, int st_idx, rules_lazy_claims *st, size_t i)
{
    line_ud *u = lua_newuserdatauv(L, sizeof *u, 2);
    u->st = st;
    u->i = i;
    lua_pushvalue(L, st_idx);
    lua_setiuservalue(L, -2, 1);
    lua_createtable(L, 2, 0);
    lua_setiuservalue(L, -2, 2);
    if (luaL_newmetatable(L, LINE_MT)) {
        lua_pushcfunction(L, line_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, line_newindex);
        lua_setfield(L, -2, "__newindex");
        lua_pushcfunction(L, line_pairs);
        lua_setfield(L, -2, "__pairs");
        lua_pushcfunction(L, line_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushstring(L, "read-only");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
}

/* claims[i]: upvalues 1 = state, 2 = cache table. */
static int lazy_index(lua_State *L)
{
    rules_lazy_claims *st = lazy_state(L);
    int isnum;
    lua_Integer i = lua_tointegerx(L, 2, &isnum);
    if (!isnum || i < 1 || (size_t)i > st->n) {
        lua_pushnil(L);
        return 1;
    }
    if (lua_rawgeti(L, lua_upvalueindex(2), i) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    push_line_object(L, lua_upvalueindex(1), st, (size_t)i - 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, lua_upvalueindex(2), i);
    return 1;
}

static int lazy_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lazy_state(L)->n);
    return 1;
}

static int lazy_newindex(lua_State *L)
{
    return luaL_error(L, "claims is read-only");
}

/* pairs(claims): 1..n in order, through claims[i]. */
static int lazy_next(lua_State *L)
{
    lua_Integer i = lua_isnil(L, 2) ? 1 : lua_tointeger(L, 2) + 1;
    lua_pushinteger(L, i);
    lua_pushinteger(L, i);
    lua_gettable(L, 1);                /* claims[i], through __index */
    if (lua_isnil(L, -1)) {
        lua_pushnil(L);
        return 1;
    }
    return 2;
}

static int lazy_pairs(lua_State *L)
{
    lua_pushcfunction(L, lazy_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

void rules_push_claims_lazy(lua_State *L, const cara_claim_line *lines, size_t n,
                            rules_lazy_claims **state)
{
    luaL_checkstack(L, 6, "rules_push_claims_lazy");
    lua_newtable(L);                                  /* stack: proxy */
    lua_createtable(L, 0, 6);                         /* stack: proxy, mt */
    rules_lazy_claims *st = lua_newuserdatauv(L, sizeof *st, 0); /* proxy, mt, st */
    st->lines = lines;
    st->n = n;
    *state = st;
    lua_createtable(L, (int)n, 0);                    /* proxy, mt, st, cache */
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, lazy_index, 2);
    lua_setfield(L, -4, "__index");
    lua_pop(L, 1);                                    /* proxy, mt, st */
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, lazy_len, 1);
    lua_setfield(L, -3, "__len");
    lua_pop(L, 1);                                    /* proxy, mt */
    lua_pushcfunction(L, lazy_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, lazy_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushstring(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                          /* proxy */
}

void rules_claims_release(rules_lazy_claims *state)
{
    if (state) state->lines = NULL;
}

static const char *gender_name(char g)
{
    return g == 'M' ? "male" : g == 'F' ? "female" : "unknown";
}

void rules_push_beneficiary(lua_State *L, const cara_beneficiary *b)
{
    luaL_checkstack(L, 4, "rules_push_beneficiary");
    lua_createtable(L, 0, 6); /* stack: bene */
    set_str(L, "person_id", b->person_id);
    set_str(L, "gender", gender_name(b->gender));
    set_date(L, "birth_date", b->birth);
    set_date(L, "death_date", b->death);
    lua_createtable(L, (int)b->enrollment.n, 0); /* stack: bene, spans */
    for (uint32_t i = 0; i < b->enrollment.n; i++) {
        const cara_enrollment *e = cara_enrollment_at(b, i);
        lua_createtable(L, 0, 5); /* stack: bene, spans, span */
        set_date(L, "start_date", e->start);
        set_date(L, "end_date", e->end);
        set_str(L, "dual_status_code", e->dual_status);
        set_str(L, "medicare_status_code", e->medicare_status);
        lua_pushboolean(L, e->hospice);
        lua_setfield(L, -2, "hospice");
        rules_readonly(L, "enrollment span");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "enrollment");
    lua_setfield(L, -2, "enrollment");
    lua_createtable(L, (int)b->alignment.n, 0); /* stack: bene, spans */
    for (uint32_t i = 0; i < b->alignment.n; i++) {
        const cara_alignment *a = cara_alignment_at(b, i);
        lua_createtable(L, 0, 3);
        set_str(L, "aco_id", a->aco_id);
        set_date(L, "start_date", a->start);
        set_date(L, "end_date", a->end);
        rules_readonly(L, "alignment span");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "alignment");
    lua_setfield(L, -2, "alignment");
    rules_readonly(L, "beneficiary");
}

void rules_push_episode(lua_State *L, const cara_episode *ep, const char *template_id,
                        const cara_claim_line *lines, int hcc_count)
{
    rules_push_episode_risk(L, ep, template_id, lines, hcc_count, NULL);
}

void rules_push_episode_risk(lua_State *L, const cara_episode *ep, const char *template_id,
                             const cara_claim_line *lines, int hcc_count, const rules_risk *risk)
{
    luaL_checkstack(L, 4, "rules_push_episode");
    lua_createtable(L, 0, 10); /* stack: ep */
    set_str(L, "template_id", template_id);
    set_str(L, "trigger_type", ep->trigger_type);
    set_date(L, "trigger_date", ep->start);
    set_date(L, "end_date", ep->end);
    set_int(L, "trigger_line", (lua_Integer)ep->trigger_line + 1);
    lua_pushboolean(L, (ep->flags & CARA_EPISODE_DEATH) != 0);
    lua_setfield(L, -2, "died");
    if (ep->exclusion[0]) set_str(L, "exclusion_reason", ep->exclusion);
    lua_createtable(L, (int)ep->n_lines, 0); /* stack: ep, lines */
    for (size_t i = 0; i < ep->n_lines; i++) {
        lua_pushinteger(L, (lua_Integer)ep->lines[i] + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "episode lines");
    lua_setfield(L, -2, "lines");
    set_int(L, "actual_cents", episode_actual_cents(ep, lines));
    if (hcc_count >= 0) set_int(L, "hcc_count", hcc_count);
    if (risk) {
        set_int(L, "risk_score", risk->score);
        set_int(L, "risk_score_raw", risk->raw);
        set_str(L, "risk_segment", risk->segment);
    }
    rules_readonly(L, "episode");
}

void rules_push_candidates(lua_State *L, const rules_candidate *c, size_t n)
{
    luaL_checkstack(L, 4, "rules_push_candidates");
    lua_createtable(L, (int)n, 0); /* stack: cands */
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 7); /* stack: cands, cand */
        set_str(L, "arrangement_id", c[i].arrangement_id);
        set_str(L, "aco_id", c[i].aco_id);
        set_str(L, "npi", c[i].npi);
        set_str(L, "tin", c[i].tin);
        set_str(L, "specialty_code", c[i].specialty_code);
        set_date(L, "start_date", c[i].start);
        set_date(L, "end_date", c[i].end);
        rules_readonly(L, "candidate");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    rules_readonly(L, "candidates");
}

void rules_push_json(lua_State *L, const json_t *v)
{
    luaL_checkstack(L, 4, "rules_push_json: template too deeply nested");
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(v)); /* stack: t */
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            rules_push_json(L, x);
            lua_setfield(L, -2, k);
        }
        rules_readonly(L, "params");
        break;
    }
    case JSON_ARRAY: {
        lua_createtable(L, (int)json_array_size(v), 0);
        for (size_t i = 0; i < json_array_size(v); i++) {
            rules_push_json(L, json_array_get(v, i));
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        rules_readonly(L, "params");
        break;
    }
    case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: lua_pushinteger(L, json_integer_value(v)); break;
    case JSON_REAL: lua_pushnumber(L, json_real_value(v)); break;
    case JSON_TRUE: lua_pushboolean(L, 1); break;
    case JSON_FALSE: lua_pushboolean(L, 0); break;
    default: lua_pushnil(L); break;
    }
}
