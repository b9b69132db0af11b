/*
 * rules_lib.c: the `cara` library rules see (dates, code lists, cents). Documented in
 * docs/rules.md. Everything here is integer-only: a float where an integer is expected
 * is an error, never silently rounded.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "base/base.h"
#include "rules_vm.h"

#define CODESET_MT "cara.codes"

/* A date argument: an integer day number within the range date_parse accepts. */
static cara_date check_date(lua_State *L, int arg)
{
    lua_Integer d = luaL_checkinteger(L, arg);
    static cara_date lo, hi;
    if (!lo) {
        lo = date_from_ymd(DATE_MIN_YEAR, 1, 1);
        hi = date_from_ymd(DATE_MAX_YEAR, 12, 31);
    }
    if (d < lo || d > hi)
        luaL_argerror(L, arg, lua_pushfstring(L, "day number %I is outside %d-%d", d,
                                              DATE_MIN_YEAR, DATE_MAX_YEAR));
    return (cara_date)d;
}

/* cara.date("YYYY-MM-DD") -> day number */
static int l_date(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    cara_date d;
    if (date_parse(s, len, &d) < 0)
        return luaL_error(L, "cara.date: \"%s\" is not a date (expected YYYY-MM-DD)", s);
    lua_pushinteger(L, d);
    return 1;
}

/* cara.date_str(day) -> "YYYY-MM-DD" */
static int l_date_str(lua_State *L)
{
    char buf[11];
    date_format(check_date(L, 1), buf);
    lua_pushstring(L, buf);
    return 1;
}

/* cara.ymd(day) -> year, month, day */
static int l_ymd(lua_State *L)
{
    int y, m, d;
    date_to_ymd(check_date(L, 1), &y, &m, &d);
    lua_pushinteger(L, y);
    lua_pushinteger(L, m);
    lua_pushinteger(L, d);
    return 3;
}

/* cara.year(day) -> calendar year */
static int l_year(lua_State *L)
{
    lua_pushinteger(L, date_year(check_date(L, 1)));
    return 1;
}

/* cara.add_days(day, n) -> day + n, checked */
static int l_add_days(lua_State *L)
{
    cara_date d = check_date(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n > 200000 || n < -200000) return luaL_argerror(L, 2, "too many days");
    lua_pushinteger(L, (lua_Integer)d + n);
    check_date(L, -1);
    return 1;
}

/* cara.days_between(a, b) -> b - a */
static int l_days_between(lua_State *L)
{
    cara_date a = check_date(L, 1), b = check_date(L, 2);
    lua_pushinteger(L, (lua_Integer)b - a);
    return 1;
}

/* cara.age(birth, on) -> whole years */
static int l_age(lua_State *L)
{
    lua_pushinteger(L, date_age_on(check_date(L, 1), check_date(L, 2)));
    return 1;
}

/* ---- code lists ---------------------------------------------------------------------- */

typedef struct {
    cara_codeset *set; /* owned; freed by __gc */
} codes_box;

static int codes_gc(lua_State *L)
{
    codes_box *b = luaL_checkudata(L, 1, CODESET_MT);
    codes_free(b->set);
    b->set = NULL;
    return 0;
}

static int codes_len(lua_State *L)
{
    codes_box *b = luaL_checkudata(L, 1, CODESET_MT);
    lua_pushinteger(L, (lua_Integer)codes_count(b->set));
    return 1;
}

/* Compile the array of patterns at index idx into a new codeset userdata.
 * stack: -> codeset */
static void push_codeset(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer n = luaL_len(L, idx);
    if (n < 0 || n > 100000) luaL_argerror(L, idx, "too many codes");
    rules_charge(L, (uint64_t)n + 1, "cara.codes"); /* compiling is C work on n codes */
    /* The pointer array lives in a userdata so an error cannot leak it; the strings are
     * anchored in a table of our own: an element given by a metamethod (__index) is in no
     * table of the rule's and could otherwise be collected while the array points at it. */
    const char **pats = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *pats, 0);
    lua_createtable(L, (int)n, 0); /* stack: pats, anchor */
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, idx, i) != LUA_TSTRING)
            luaL_error(L, "cara.codes: element %I is a %s (expected a code pattern string)", i,
                       luaL_typename(L, -1));
        pats[i - 1] = lua_tostring(L, -1);
        lua_rawseti(L, -2, i); /* anchor[i] = the string */
    }
    codes_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->set = NULL;
    luaL_setmetatable(L, CODESET_MT);
    char err[300];
    if (codes_compile(pats, (size_t)n, &b->set, err, sizeof err) < 0)
        luaL_error(L, "cara.codes: %s", err);
    lua_remove(L, -2); /* the anchor */
    lua_remove(L, -2); /* the pointer array */
}

/* cara.codes({"Z9181", "W0????A", "S720*", "0450-0459"}) -> codeset */
static int l_codes(lua_State *L)
{
    push_codeset(L, 1);
    return 1;
}

/* codeset:match(code) / cara.match(codeset_or_list, code) -> boolean */
static int l_match(lua_State *L)
{
    const char *code = luaL_optstring(L, 2, "");
    codes_box *b = luaL_testudata(L, 1, CODESET_MT);
    if (!b) {
        if (lua_type(L, 1) != LUA_TTABLE)
            return luaL_argerror(L, 1, "expected a code list (cara.codes) or an array of patterns");
        push_codeset(L, 1);
        b = lua_touserdata(L, -1);
    }
    lua_pushboolean(L, codes_match(b->set, code));
    return 1;
}

/* ---- cents and factors ------------------------------------------------------------- */

/* cara.cents("123.45") -> 12345 */
static int l_cents(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    cara_cents c;
    int rc = money_parse(s, len, &c);
    if (rc < 0) return luaL_error(L, "cara.cents: \"%s\": %s", s, money_strerror(rc));
    lua_pushinteger(L, c);
    return 1;
}

/* cara.fmt_cents(12345) -> "123.45" */
static int l_fmt_cents(lua_State *L)
{
    char buf[32];
    money_format(luaL_checkinteger(L, 1), buf);
    lua_pushstring(L, buf);
    return 1;
}

/* cara.round_div(num, den) -> num/den rounded half away from zero (den > 0) */
static int l_round_div(lua_State *L)
{
    lua_Integer num = luaL_checkinteger(L, 1), den = luaL_checkinteger(L, 2);
    if (den <= 0) return luaL_argerror(L, 2, "divisor must be positive");
    lua_pushinteger(L, money_round_div(num, den));
    return 1;
}

/* cara.mul_div(a, b, den) -> round(a*b/den) without intermediate overflow */
static int l_mul_div(lua_State *L)
{
    lua_Integer a = luaL_checkinteger(L, 1), b = luaL_checkinteger(L, 2);
    lua_Integer den = luaL_checkinteger(L, 3);
    if (den <= 0) return luaL_argerror(L, 3, "divisor must be positive");
    int64_t out;
    if (money_mul_div(a, b, den, &out) < 0)
        return luaL_error(L, "cara.mul_div: %I * %I / %I does not fit in 64 bits", a, b, den);
    lua_pushinteger(L, out);
    return 1;
}

/* cara.apply_bps(cents, bps) -> round(cents * bps / 10000) */
static int l_apply_bps(lua_State *L)
{
    lua_Integer c = luaL_checkinteger(L, 1), bps = luaL_checkinteger(L, 2);
    int64_t out;
    if (money_mul_div(c, bps, 10000, &out) < 0)
        return luaL_error(L, "cara.apply_bps: %I * %I bps overflows", c, bps);
    lua_pushinteger(L, out);
    return 1;
}

/* cara.apply_factor(cents, factor4) -> round(cents * factor4 / 10000) */
static int l_apply_factor(lua_State *L)
{
    lua_Integer c = luaL_checkinteger(L, 1), f = luaL_checkinteger(L, 2);
    int64_t out;
    if (money_mul_div(c, f, 10000, &out) < 0)
        return luaL_error(L, "cara.apply_factor: %I * %I / 10000 overflows", c, f);
    lua_pushinteger(L, out);
    return 1;
}

/* cara.factor("1.0800") -> 10800 */
static int l_factor(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int64_t f;
    int rc = factor_parse(s, len, &f);
    if (rc < 0) return luaL_error(L, "cara.factor: \"%s\": %s", s, factor_strerror(rc));
    lua_pushinteger(L, f);
    return 1;
}

/* cara.fmt_factor(10800) -> "1.0800" */
static int l_fmt_factor(lua_State *L)
{
    char buf[24];
    factor_format(luaL_checkinteger(L, 1), buf);
    lua_pushstring(L, buf);
    return 1;
}

/* cara.nearest_rank(n, p_bps) -> the 1-based rank ceil(p * n) of the p-th percentile by
 * nearest rank, p in basis points (9900 = 99th percentile); 0 when n is 0, else >= 1. */
static int l_nearest_rank(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1), p = luaL_checkinteger(L, 2);
    if (n < 0 || n > ((lua_Integer)1 << 40)) return luaL_argerror(L, 1, "count out of range");
    if (p < 0 || p > 10000) return luaL_argerror(L, 2, "percentile must be 0..10000 bps");
    if (n == 0) {
        lua_pushinteger(L, 0);
        return 1;
    }
    lua_Integer k = (p * n + 9999) / 10000; /* ceil(p/10000 * n), exact in integers */
    lua_pushinteger(L, k < 1 ? 1 : k);
    return 1;
}

/* cara.first_index(claims, day) -> the index of the first line whose service_date is on
 * or after day (#claims + 1 when none): a binary search over the date-ordered claims, so
 * a rule can start at its window instead of reading every earlier line. */
static int l_first_index(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_Integer day = luaL_checkinteger(L, 2);
    lua_len(L, 1);
    lua_Integer n = luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    lua_Integer lo = 1, hi = n + 1; /* the answer is in [lo, hi] */
    while (lo < hi) {
        lua_Integer mid = lo + (hi - lo) / 2;
        lua_geti(L, 1, mid);
        if (lua_getfield(L, -1, "service_date") != LUA_TNUMBER)
            return luaL_error(L, "cara.first_index: claims[%I] has no service_date", mid);
        lua_Integer d = lua_tointeger(L, -1);
        lua_pop(L, 2);
        if (d < day) lo = mid + 1;
        else hi = mid;
    }
    lua_pushinteger(L, lo);
    return 1;
}

static const luaL_Reg cara_funcs[] = {
    {"first_index", l_first_index},
    {"date", l_date},
    {"date_str", l_date_str},
    {"ymd", l_ymd},
    {"year", l_year},
    {"add_days", l_add_days},
    {"days_between", l_days_between},
    {"age", l_age},
    {"codes", l_codes},
    {"match", l_match},
    {"cents", l_cents},
    {"fmt_cents", l_fmt_cents},
    {"round_div", l_round_div},
    {"mul_div", l_mul_div},
    {"apply_bps", l_apply_bps},
    {"apply_factor", l_apply_factor},
    {"factor", l_factor},
    {"fmt_factor", l_fmt_factor},
    {"nearest_rank", l_nearest_rank},
    {"log", rules_lua_print},
    {NULL, NULL}};

void rules_lib_open(lua_State *L)
{
    /* stack: t */
    if (luaL_newmetatable(L, CODESET_MT)) {
        lua_pushcfunction(L, codes_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, codes_len);
        lua_setfield(L, -2, "__len");
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, l_match);
        lua_setfield(L, -2, "match");
        lua_setfield(L, -2, "__index");
        lua_pushliteral(L, CODESET_MT);
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, cara_funcs, 0);
}
