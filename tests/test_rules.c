/*
 * tests/test_rules.c: the Lua sandbox against hostile scripts (escapes, blocked
 * functions, endless loops, memory bombs, catastrophic patterns, finalizers) and the
 * `cara` library. Limits are small so the kills trip quickly.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "rules/rules_vm.h"
#include "suites.h"

static rules_vm *vm;
static rules_error e;
static char printed[1024];
static size_t printed_len;
static int prints;

static void capture(void *ud, const char *script, const char *text)
{
    (void)ud;
    snprintf(printed, sizeof printed, "%s|%s", script, text);
    printed_len = strlen(text);
    prints++;
}

static void setup(void)
{
    char err[256];
    rules_limits lim = {.memory = 8u << 20, .instructions = 2000000};
    ck_assert_int_eq(rules_vm_new(&lim, &vm, err, sizeof err), 0);
    rules_vm_set_print(vm, capture, NULL);
    printed[0] = '\0';
}

static void teardown(void) { rules_vm_free(vm); }

/* Load src as t/x.lua; returns the script handle or 0 (e filled). */
static int load(const char *src)
{
    int script = 0;
    if (rules_vm_load(vm, "t/x.lua", src, strlen(src), &script, &e) < 0) return 0;
    return script;
}

/* Load and expect failure of the given kind with msg in the message. */
static void fails(const char *src, int kind, const char *msg)
{
    ck_assert_msg(load(src) == 0, "script should fail: %s", src);
    ck_assert_msg(e.kind == kind, "kind %d, expected %d: %s", e.kind, kind, e.message);
    ck_assert_msg(strstr(e.message, msg), "'%s' lacks '%s'", e.message, msg);
}

#define OK(src) ck_assert_msg(load(src) != 0, "%s\n%s", e.message, e.traceback)

/* A good script loads; its function is called with integer results; only what the
 * script defines is an entry point. */
START_TEST(test_good_script)
{
    int s = load("function add(a, b) return a + b end\nx = 5\n");
    ck_assert_int_ne(s, 0);
    ck_assert_int_eq(rules_vm_getfn(vm, s, "add"), 1);
    lua_State *L = rules_vm_state(vm);
    lua_pushinteger(L, 40);
    lua_pushinteger(L, 2);
    ck_assert_int_eq(rules_vm_call(vm, 2, 1, &e), 0);
    ck_assert(lua_isinteger(L, -1));
    ck_assert_int_eq(lua_tointeger(L, -1), 42);
    lua_pop(L, 1);
    ck_assert_int_eq(rules_vm_getfn(vm, s, "x"), 0);     /* not a function */
    ck_assert_int_eq(rules_vm_getfn(vm, s, "nope"), 0);
    ck_assert_int_eq(rules_vm_getfn(vm, s, "print"), 0); /* the base's, not the script's */
    ck_assert_int_eq(lua_gettop(L), 0);
}
END_TEST

/* Scripts have their own globals and cannot change the shared libraries. */
START_TEST(test_isolation)
{
    OK("x = 1\nfunction getx() return x end\n");
    OK("assert(x == nil, 'sees another script global')\n");
    fails("string.upper = nil\n", RULES_ERR_RUNTIME, "read-only table 'string'");
    fails("rawset(string, 'upper', nil)\n", RULES_ERR_RUNTIME, "rawset is blocked");
    fails("setmetatable(string, {})\n", RULES_ERR_RUNTIME, "protected metatable");
    fails("getmetatable('').__index.upper = nil\n", RULES_ERR_RUNTIME, "index");
    fails("cara.date = nil\n", RULES_ERR_RUNTIME, "read-only table 'cara'");
    OK("assert(('abc'):upper() == 'ABC' and string.upper('a') == 'A')\n");
    OK("assert(_G.string == string and _G ~= nil)\n_G.y = 2\nassert(y == 2)\n");
    /* xpcall still works: the handler gets the error, after unwinding */
    OK("local ok, m = xpcall(function(a) error('x' .. a) end, function(err) return 'h: ' .. err end, 1)\n"
       "assert(not ok and m:find('h: t/x.lua:1: x1', 1, true))\n"
       "local ok2, v = xpcall(function(a, b) return a + b end, print, 2, 3)\n"
       "assert(ok2 and v == 5)\n");
}
END_TEST

/* Every blocked function fails naming what was blocked, and nothing touches the disk. */
static const struct {
    const char *src, *msg;
} blocked[] = {
    {"os.execute('touch /tmp/cara-rules-pwned')", "os.execute is blocked"},
    {"io.open('/etc/passwd')", "io.open is blocked"},
    {"io.write('x')", "io.write is blocked"},
    {"debug.getinfo(1)", "debug.getinfo is blocked"},
    {"package.loadlib('x', 'y')", "package.loadlib is blocked"},
    {"require('os')", "require is blocked"},
    {"load('return 1')", "load is blocked"},
    {"loadfile('/etc/passwd')", "loadfile is blocked"},
    {"dofile('/etc/passwd')", "dofile is blocked"},
    {"string.dump(print)", "string.dump is blocked"},
    {"math.random()", "math.random is blocked"},
    {"math.randomseed(1)", "math.randomseed is blocked"},
    {"coroutine.create(print)", "coroutine.create is blocked"},
    {"collectgarbage('stop')", "collectgarbage(\"stop\") is blocked"},
    {"setmetatable({}, {__gc = function() end})", "__gc metamethods are blocked"},
};

START_TEST(test_blocked)
{
    fails(blocked[_i].src, RULES_ERR_RUNTIME, blocked[_i].msg);
    ck_assert_str_eq(e.file, "t/x.lua");
    ck_assert_int_eq(e.line, 1);
    ck_assert_ptr_nonnull(strstr(e.traceback, "stack traceback"));
    ck_assert_int_ne(access("/tmp/cara-rules-pwned", F_OK), 0);
}
END_TEST

START_TEST(test_collectgarbage_count)
{
    OK("local kb = collectgarbage('count')\nassert(type(kb) == 'number' and kb > 0)\n");
    /* "collect" and "step" are accepted and do nothing (a storm of them is only Lua
     * instructions) */
    OK("assert(collectgarbage() == 0 and collectgarbage('collect') == 0 and "
       "collectgarbage('step') == 0)\n");
    fails("while true do collectgarbage() end\n", RULES_ERR_INSTRUCTIONS,
          "instruction limit exceeded");
}
END_TEST

/* Globals are frozen once the top level has run: every write raises naming the global;
 * reads, pairs(_G) and tables held in globals (pure caches) still work. */
START_TEST(test_frozen_globals)
{
    int s = load("x = 1\nt = {}\n"
                 "function f() x = 2 end\n"
                 "function g() return x end\n"
                 "function h() y = 1 end\n"
                 "function k() t.n = (t.n or 0) + 1 return t.n end\n"
                 "function p() local n = 0 for _ in pairs(_G) do n = n + 1 end\n"
                 "  assert(getmetatable(_G) == 'frozen globals') return n end\n"
                 "function q() _G.x = 3 end\n"
                 "function r() setmetatable(_G, nil) end\n");
    ck_assert_msg(s != 0, "%s", e.message);
    lua_State *L = rules_vm_state(vm);
    static const struct {
        const char *fn, *msg;
    } writes[] = {{"f", "t/x.lua:3: rules may not keep state in globals (write to 'x')"},
                  {"h", "t/x.lua:5: rules may not keep state in globals (write to 'y')"},
                  {"q", "rules may not keep state in globals (write to 'x')"},
                  {"r", "protected metatable"}};
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        ck_assert_int_eq(rules_vm_getfn(vm, s, writes[i].fn), 1);
        ck_assert_int_eq(rules_vm_call(vm, 0, 0, &e), -1);
        ck_assert_int_eq(e.kind, RULES_ERR_RUNTIME);
        ck_assert_msg(strstr(e.message, writes[i].msg), "%s: '%s'", writes[i].fn, e.message);
    }
    /* x is still 1; the table counts 1, 2; pairs(_G) sees x t f g h k p q r _G */
    const struct {
        const char *fn;
        lua_Integer want;
    } reads[] = {{"g", 1}, {"k", 1}, {"k", 2}, {"p", 10}};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        ck_assert_int_eq(rules_vm_getfn(vm, s, reads[i].fn), 1);
        ck_assert_msg(rules_vm_call(vm, 0, 1, &e) == 0, "%s", e.message);
        ck_assert_int_eq(lua_tointeger(L, -1), reads[i].want);
        lua_pop(L, 1);
    }
    ck_assert_int_eq(lua_gettop(L), 0);
}
END_TEST

/* A reader sees the result inside the protected call: rules_plain_table refuses a
 * table with a metatable (the result or a member) without running its metamethods. */
static int read_plain(lua_State *L, void *ud, char *err, size_t errlen)
{
    const char *member = ud;
    if (!rules_plain_table(L, -1, "t/x.lua", "f", NULL, err, errlen)) return -1;
    if (!member) return 0;
    lua_pushstring(L, member);
    lua_rawget(L, -2);
    return rules_plain_table(L, -1, "t/x.lua", "f", member, err, errlen) ? 0 : -1;
}

START_TEST(test_invoke_read)
{
    int s = load("function f() return setmetatable({}, {__index = function() error('x') end}) end\n"
                 "function g() return {m = setmetatable({}, {__len = function() while true do end end})} end\n"
                 "function h() return {m = {}} end\n"
                 "function i() return 42 end\n");
    ck_assert_msg(s != 0, "%s", e.message);
    ck_assert_int_eq(rules_vm_invoke_read(vm, s, "f", NULL, read_plain, NULL, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_RESULT);
    ck_assert_str_eq(e.message, "t/x.lua: f() returned a table with a metatable; return a plain table");
    ck_assert_int_eq(rules_vm_invoke_read(vm, s, "g", NULL, read_plain, "m", &e), -1);
    ck_assert_str_eq(e.message, "t/x.lua: f() returned a table with a metatable for field 'm'; "
                                "return a plain table");
    ck_assert_int_eq(rules_vm_invoke_read(vm, s, "h", NULL, read_plain, "m", &e), 0);
    ck_assert_int_eq(rules_vm_invoke_read(vm, s, "i", NULL, read_plain, NULL, &e), -1);
    ck_assert_str_eq(e.message, "t/x.lua: f() returned a number (expected a plain table)");
    ck_assert_int_eq(rules_vm_invoke_read(vm, s, "nope", NULL, read_plain, NULL, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_MISSING);
    ck_assert_int_eq(lua_gettop(rules_vm_state(vm)), 0);
}
END_TEST

/* Precompiled bytecode is refused: sources are text only. */
START_TEST(test_bytecode_refused)
{
    static const char chunk[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";
    int s;
    ck_assert_int_eq(rules_vm_load(vm, "t/b.luac", chunk, sizeof chunk - 1, &s, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_SYNTAX);
    ck_assert_msg(strstr(e.message, "binary"), "%s", e.message);
}
END_TEST

/* An endless loop is stopped with its line; the state works afterwards. */
START_TEST(test_endless_loop)
{
    fails("local n = 0\nwhile true do n = n + 1 end\n", RULES_ERR_INSTRUCTIONS,
          "t/x.lua:2: instruction limit exceeded");
    ck_assert_int_eq(e.line, 2);
    OK("local s = 0 for i = 1, 1000 do s = s + i end assert(s == 500500)\n");
}
END_TEST

/* pcall, xpcall and error handlers cannot swallow the kill. */
static const char *const unkillable[] = {
    "while true do pcall(function() while true do end end) end\n",
    "for i = 1, 1e9 do pcall(error) end\n",
    "xpcall(function() while true do end end, function() while true do end end)\n",
    "while true do local ok = pcall(function() local t = {} while true do t[#t+1] = 1 end end) end\n",
    "local function f() return f() end\nf()\n", /* endless tail call */
};

START_TEST(test_kill_cannot_be_swallowed)
{
    ck_assert_int_eq(load(unkillable[_i]), 0);
    ck_assert_msg(e.kind == RULES_ERR_INSTRUCTIONS || e.kind == RULES_ERR_MEMORY, "kind %d: %s",
                  e.kind, e.message);
    OK("x = 1\n");
}
END_TEST

/* Memory bombs hit the cap with a clear message; the state still works. */
static const char *const bombs[] = {
    "local t = {}\nwhile true do t[#t + 1] = {} end\n",
    "local s = 'x'\nwhile true do s = s .. s end\n",
    "local t = {}\nfor i = 1, 1e9 do t[i] = tostring(i) .. 'padding-padding' end\n",
};

START_TEST(test_memory_bombs)
{
    ck_assert_int_eq(load(bombs[_i]), 0);
    ck_assert_msg(e.kind == RULES_ERR_MEMORY, "kind %d: %s", e.kind, e.message);
    ck_assert_msg(strstr(e.message, "memory limit exceeded"), "%s", e.message);
    ck_assert_msg(strstr(e.message, "t/x.lua"), "%s", e.message);
    OK("local t = {} for i = 1, 100 do t[i] = i end\n");
    ck_assert(rules_vm_memory_used(vm) < (8u << 20));
}
END_TEST

/* C functions that could run unbounded without a Lua instruction are guarded. */
START_TEST(test_c_side_guards)
{
    OK("assert(string.rep('', math.maxinteger) == '')\n");
    fails("local s = string.rep('x', 1 << 40)\n", RULES_ERR_RUNTIME, "memory limit");
    fails("table.move({}, 1, math.maxinteger, 2)\n", RULES_ERR_INSTRUCTIONS, "table.move");
    fails("local s = string.rep('a', 40)\n"
          "return s:find(string.rep('a?', 40) .. string.rep('a', 40))\n",
          RULES_ERR_RUNTIME, "pattern");
    OK("assert(('W010XXA'):match('^W%d%d') == 'W01')\n"
       "assert(('a,b,c'):gsub(',', ';') == 'a;b;c')\n"
       "local n = 0 for w in ('a b c'):gmatch('%a') do n = n + 1 end assert(n == 3)\n"
       "assert(string.find('abc', 'b', 1, true) == 2)\n");
}
END_TEST

/* Loops of library calls whose work is in C are charged by the bytes and elements they
 * handle, so they run out of the instruction budget (2,000,000 here) like Lua loops. */
static const struct {
    const char *src, *what;
} charged[] = {
    {"local t = {} for i = 1, 10000 do t[i] = 'abcdefghij' end\n"
     "while true do local x = table.concat(t) end\n", "table.concat"},
    {"local b = string.rep('y', 1 << 16)\nwhile true do local x = string.format('%s', b) end\n",
     "string.format"},
    {"local t = {} for i = 1, 5000 do t[i] = 0x10FFFF end\n"
     "while true do local x = utf8.char(table.unpack(t)) end\n", "would take"},
    {"while true do local x = string.rep('x', 1 << 16) end\n", "string.rep"},
    {"local s = string.rep('a', 1000)\nwhile true do s:find('.-b') end\n", "string.find"},
    {"local s = string.rep('a', 1 << 16)\nwhile true do local x = s:upper() end\n",
     "string.upper"},
    {"local t = {} for i = 1, 100000 do t[i] = i end\n"
     "while true do table.insert(t, 1, 0) table.remove(t, 1) end\n", "table."},
};

START_TEST(test_c_side_charged)
{
    fails(charged[_i].src, RULES_ERR_INSTRUCTIONS, "instruction limit exceeded");
    ck_assert_msg(strstr(e.message, charged[_i].what), "%s", e.message);
    OK("assert(table.concat({'a', 'b'}, ',') == 'a,b' and utf8.char(72, 105) == 'Hi')\n");
    /* appends and pops cost one unit each: 100,000 of them fit the budget easily */
    OK("local t = {} for i = 1, 100000 do table.insert(t, i) end\n"
       "for i = 1, 100000 do table.remove(t) end assert(#t == 0)\n");
}
END_TEST

/* Work one instruction can do (a .. b of two 4 MiB strings: 8 MiB copied) is seen by the
 * deadline at once: every MiB allocated makes the hook check it at the next instruction,
 * so the call ends within a few concatenations past its 1 ms deadline (the count hook
 * alone lets a loop of about 7 instructions run some 140 times between two checks: 110
 * were counted without this check). No time is asserted: only the kind and the count. */
START_TEST(test_alloc_deadline)
{
    rules_vm *v;
    char err[256];
    rules_limits lim = {.instructions = UINT64_MAX / 2, .wall_ms = 1, .cpu_ms = 600000};
    ck_assert_int_eq(rules_vm_new(&lim, &v, err, sizeof err), 0);
    int s;
    static const char src[] = "n = {0}\n"
                              "function f() local big = string.rep('x', 1 << 22)\n"
                              "  while true do local y = big .. big; n[1] = n[1] + 1 end end\n"
                              "function count() return n[1] end\n";
    ck_assert_int_eq(rules_vm_load(v, "t/c.lua", src, sizeof src - 1, &s, &e), 0);
    ck_assert_int_eq(rules_vm_invoke(v, s, "f", NULL, NULL, 0, &e), -1);
    ck_assert_msg(e.kind == RULES_ERR_TIME, "kind %d: %s", e.kind, e.message);
    ck_assert_msg(strstr(e.message, "wall-clock limit exceeded"), "%s", e.message);
    ck_assert_int_eq(rules_vm_invoke(v, s, "count", NULL, NULL, 1, &e), 0);
    lua_Integer n = lua_tointeger(rules_vm_state(v), -1);
    ck_assert_msg(n < 20, "%lld concatenations ran past the deadline", (long long)n);
    rules_vm_free(v);
}
END_TEST

/* A metatable that gains __gc after setmetatable never runs it (Lua marks objects
 * only at setmetatable); closing the state does not hang. */
START_TEST(test_late_gc_not_run)
{
    OK("local mt = {}\nlocal t = setmetatable({}, mt)\n"
       "mt.__gc = function() while true do end end\nkeep = t\n");
}
END_TEST

/* Errors: path:line: message, file and line, a traceback; non-string errors. */
START_TEST(test_errors)
{
    fails("local function f()\n  error('boom')\nend\nlocal function g() f() end\ng()\n",
          RULES_ERR_RUNTIME, "t/x.lua:2: boom");
    ck_assert_str_eq(e.file, "t/x.lua");
    ck_assert_int_eq(e.line, 2);
    ck_assert_ptr_nonnull(strstr(e.traceback, "stack traceback"));
    ck_assert_ptr_nonnull(strstr(e.traceback, "t/x.lua:4"));
    fails("error({})\n", RULES_ERR_RUNTIME, "table value");
    fails("local x = = 1\n", RULES_ERR_SYNTAX, "t/x.lua:1:");
    ck_assert_int_eq(e.line, 1);
    fails("local t = nil\nreturn t.x\n", RULES_ERR_RUNTIME, "t/x.lua:2: attempt to index");
    int s;
    ck_assert_int_eq(rules_vm_load_file(vm, "/nonexistent/rule.lua", &s, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent/rule.lua"));
}
END_TEST

/* print goes to the host's hook, tab-separated. */
START_TEST(test_print_hook)
{
    OK("print('a', 1, true, nil)\n");
    ck_assert_str_eq(printed, "t/x.lua|a\t1\ttrue\tnil");
    OK("cara.log('via', 'log')\n");
    ck_assert_str_eq(printed, "t/x.lua|via\tlog");
    /* a line is cut at 4096 bytes: 10000 - 4096 = 5904 cut */
    OK("print(string.rep('x', 10000))\n");
    ck_assert_uint_eq(printed_len, 4096 + strlen("... (5904 bytes cut)"));
    ck_assert_ptr_nonnull(strstr(printed, "x"));
    /* at most 65536 bytes a call: 16 lines of 4097 bytes (with the newline) make 65552, so
     * the 16th is the note; the lines after it are dropped (the last print stays the note) */
    prints = 0;
    OK("for i = 1, 1000 do print(string.rep('y', 4096)) end\n");
    ck_assert_int_eq(prints, 16);
    ck_assert_str_eq(printed, "t/x.lua|(the rest of this call's output is dropped: more than "
                              "65536 bytes)");
    /* the next call prints again */
    OK("print('again')\n");
    ck_assert_str_eq(printed, "t/x.lua|again");
}
END_TEST

/* The cara library: dates, code lists, cents, factors, ranks; integers only. */
START_TEST(test_cara_library)
{
    char src[2048];
    snprintf(src, sizeof src,
             "assert(cara.date('2027-01-01') == %d)\n"
             "assert(cara.date_str(cara.date('2028-02-29')) == '2028-02-29')\n"
             "local y, m, d = cara.ymd(cara.date('2027-07-03')) assert(y == 2027 and m == 7 and d == 3)\n"
             "assert(cara.year(cara.date('2027-12-31')) == 2027)\n"
             "assert(cara.add_days(cara.date('2027-01-04'), 179) == cara.date('2027-07-02'))\n"
             "assert(cara.days_between(cara.date('2027-01-04'), cara.date('2027-07-03')) == 180)\n"
             "local b = cara.date('1957-03-02')\n"
             "assert(cara.age(b, cara.date('2027-03-01')) == 69 and cara.age(b, cara.date('2027-03-02')) == 70)\n"
             "local fall = cara.codes({'W0????A', 'W1????A'})\n"
             "assert(fall:match('W010XXA') and not fall:match('W19XXXD') and #fall == 2)\n"
             "assert(cara.match({'0450-0459'}, '0451') and not cara.match({'0450-0459'}, '0460'))\n"
             "assert(cara.cents('123.45') == 12345 and cara.fmt_cents(-5) == '-0.05')\n"
             "assert(cara.round_div(5, 10) == 1 and cara.round_div(-5, 10) == -1 and cara.round_div(4, 10) == 0)\n"
             "assert(cara.apply_bps(12345, 5000) == 6173)\n" /* 6172.5 -> 6173 */
             "assert(cara.apply_factor(200000, 10300) == 206000)\n"
             "assert(cara.mul_div(1822518, 8000000, 100000000) == 145801)\n" /* 145801.44 */
             "assert(cara.factor('1.08') == 10800 and cara.fmt_factor(8500) == '0.8500')\n"
             "assert(cara.nearest_rank(100, 9900) == 99 and cara.nearest_rank(14, 9000) == 13)\n"
             "assert(cara.nearest_rank(1, 9900) == 1 and cara.nearest_rank(0, 9900) == 0)\n",
             (int)date_from_ymd(2027, 1, 1));
    OK(src);
    /* elements given by __index are in no table of the rule's: cara.codes keeps them alive
     * while it compiles (the garbage made by __index lets the collector run meanwhile) */
    OK("local set = cara.codes(setmetatable({}, {__len = function() return 3000 end,\n"
       "  __index = function(t, i) local g = {} for j = 1, 20 do g[j] = {j} end\n"
       "    return 'Z' .. i .. 'Q' end}))\n"
       "assert(set:match('Z1Q') and set:match('Z2999Q') and not set:match('Z3001Q') and #set == 3000)\n");
    fails("cara.date('2027-02-29')\n", RULES_ERR_RUNTIME, "is not a date");
    fails("cara.codes({'bad pattern'})\n", RULES_ERR_RUNTIME, "cara.codes:");
    fails("cara.cents('1.234')\n", RULES_ERR_RUNTIME, "decimals");
    fails("cara.apply_bps(1.5, 100)\n", RULES_ERR_RUNTIME, "number has no integer representation");
    fails("cara.mul_div(math.maxinteger, math.maxinteger, 1)\n", RULES_ERR_RUNTIME, "64 bits");
}
END_TEST

/* The pattern cost estimate: plain, anchored, quantifiers, saturation. */
START_TEST(test_pattern_cost)
{
    ck_assert_uint_eq(rules_pattern_cost("abc", 3, 10, 1), 11 * 4);
    ck_assert_uint_eq(rules_pattern_cost("^abc", 4, 10, 0), 1 * 5);
    ck_assert_uint_eq(rules_pattern_cost("a*", 2, 10, 0), 11 * 11 * 3);
    ck_assert_uint_eq(rules_pattern_cost("^%d+%d+", 7, 9, 0), 10 * 10 * 8);
    char many[201];
    for (int i = 0; i < 100; i++) memcpy(many + 2 * i, "a*", 2);
    many[200] = '\0';
    ck_assert_uint_eq(rules_pattern_cost(many, 200, 1000, 0), UINT64_MAX);
}
END_TEST

Suite *suite_rules(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("sandbox");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_good_script);
    tcase_add_test(tc, test_isolation);
    tcase_add_loop_test(tc, test_blocked, 0, (int)(sizeof blocked / sizeof blocked[0]));
    tcase_add_test(tc, test_collectgarbage_count);
    tcase_add_test(tc, test_frozen_globals);
    tcase_add_test(tc, test_invoke_read);
    tcase_add_test(tc, test_bytecode_refused);
    tcase_add_test(tc, test_endless_loop);
    tcase_add_loop_test(tc, test_kill_cannot_be_swallowed, 0,
                        (int)(sizeof unkillable / sizeof unkillable[0]));
    tcase_add_loop_test(tc, test_memory_bombs, 0, (int)(sizeof bombs / sizeof bombs[0]));
    tcase_add_test(tc, test_c_side_guards);
    tcase_add_loop_test(tc, test_c_side_charged, 0, (int)(sizeof charged / sizeof charged[0]));
    tcase_add_test(tc, test_late_gc_not_run);
    tcase_add_test(tc, test_alloc_deadline);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_print_hook);
    tcase_add_test(tc, test_cara_library);
    tcase_add_test(tc, test_pattern_cost);
    suite_add_tcase(s, tc);
    return s;
}
