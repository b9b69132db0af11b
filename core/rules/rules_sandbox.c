/*
 * rules_sandbox.c: the sandboxed Lua state (see rules_vm.h for the contract).
 *
 * Models: Suricata util-lua-sandbox.c (allocator + hook), Redis script_lua.c (the hook
 * that keeps firing once a script is killed), HAProxy hlua.c.
 *
 * Registry layout (all under light keys of this file):
 *   base      the frozen table every script _ENV inherits from
 *   scripts   array: script handle -> its globals (frozen after its top level ran: the
 *             functions' _ENV is an empty proxy over this table that refuses writes)
 *   names     array: script handle -> chunk name
 */
#include "rules_vm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "rules_bind.h"
#include "vm_pool.h"
#include "base/base.h"

#define HOOK_STEP 1000 /* instructions between two count-hook calls */
#define CPU_EVERY 4     /* hooks between two CPU-clock reads (a system call) */
#define C_CHECK 4096    /* units of C-side work between two deadline checks */
#define ALLOC_CHECK (1u << 20) /* bytes allocated between two deadline checks */

struct rules_vm {
    lua_State *L;
    rules_limits lim;
    /* memory accounting (allocator) */
    size_t mem_used;
    vm_pool pool;               /* its small blocks */
    int mem_refused;            /* the allocator said no since the last reset */
    int mem_enforce;            /* 0 while the host itself builds the state or closes it */
    /* instruction accounting (hook) */
    uint64_t instr_used;
    int killed;                 /* over budget: every instruction raises */
    int kill_kind;              /* RULES_ERR_INSTRUCTIONS or RULES_ERR_TIME */
    /* deadlines (nanoseconds of CLOCK_MONOTONIC / CLOCK_THREAD_CPUTIME_ID) */
    int64_t wall_end, cpu_end;
    unsigned hooks;             /* hook calls this call, for CPU_EVERY */
    uint64_t c_since_check;     /* C-side units charged since the last deadline check */
    size_t alloc_since_check;   /* bytes allocated since the last deadline check */
    int forced;                 /* the allocator asked for a hook at the next instruction */
    size_t printed;             /* bytes printed this call (> RULES_MAX_PRINT_CALL: dropping) */
    char where[600];            /* "path:line" of the last hook, for memory errors */
    char kill_msg[900];         /* the first instruction-limit message of this call */
    /* scripts */
    int n_scripts;
    rules_print_fn print_fn;
    void *print_ud;
};

static char key_base, key_scripts, key_names, key_libs;

static void vm_hook(lua_State *L, lua_Debug *ar);

static rules_vm *vm_of(lua_State *L)
{
    return *(rules_vm **)lua_getextraspace(L);
}

/* ---- memory ------------------------------------------------------------------------ */

/* A block of nsize bytes for Lua's block ptr of osize (NULL when ptr is NULL and it fails):
 * small blocks from the state's pool (vm_pool.h), larger ones from libc. A shrink never
 * fails (Lua assumes so): when no new block can be had, ptr itself serves. */
static void *vm_resize(rules_vm *vm, void *ptr, size_t osize, size_t nsize)
{
    int old_pooled = ptr && osize >= 1 && osize <= VM_POOL_MAX;
    int new_pooled = nsize <= VM_POOL_MAX;
    if (!old_pooled && !new_pooled) {
        void *p = realloc(ptr, nsize);
        return p ? p : nsize <= osize ? ptr : NULL;
    }
    if (old_pooled && new_pooled && vm_pool_same_class(osize, nsize)) return ptr;
    void *p = new_pooled ? vm_pool_alloc(&vm->pool, nsize) : malloc(nsize);
    if (!p) {
        if (nsize > osize) return NULL;
        /* a libc block Lua now frees as a small one becomes the pool's */
        if (!old_pooled) vm_pool_adopt(&vm->pool, ptr);
        return ptr;
    }
    if (ptr) {
        memcpy(p, ptr, osize < nsize ? osize : nsize);
        if (old_pooled) vm_pool_free(&vm->pool, ptr, osize);
        else free(ptr);
    }
    return p;
}

static void *vm_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    rules_vm *vm = ud;
    if (ptr == NULL) osize = 0; /* osize then encodes the object type */
    if (nsize == 0) {
        if (ptr && osize >= 1 && osize <= VM_POOL_MAX) vm_pool_free(&vm->pool, ptr, osize);
        else free(ptr);
        vm->mem_used -= osize;
        return NULL;
    }
    if (nsize > osize && vm->mem_enforce &&
        (nsize - osize > vm->lim.memory || vm->mem_used > vm->lim.memory - (nsize - osize))) {
        vm->mem_refused = 1;
        return NULL; /* Lua raises a memory error; shrinking never fails */
    }
    void *p = vm_resize(vm, ptr, osize, nsize);
    if (!p) {
        vm->mem_refused = 1;
        return NULL;
    }
    vm->mem_used = vm->mem_used - osize + nsize;
    if (nsize > osize && vm->mem_enforce && !vm->killed) {
        /* Big allocations are work one instruction can do (a .. b of two big strings):
         * every ALLOC_CHECK bytes, make the hook run at the next instruction to check the
         * deadlines (lua_sethook is safe anywhere, even in the allocator). */
        vm->alloc_since_check += nsize - osize;
        if (vm->alloc_since_check >= ALLOC_CHECK && !vm->forced) {
            vm->forced = 1;
            lua_sethook(vm->L, vm_hook, LUA_MASKCOUNT, 1);
        }
    }
    return p;
}

/* ---- instructions and deadlines ----------------------------------------------------- */

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Raise the kill error (kind RULES_ERR_INSTRUCTIONS or RULES_ERR_TIME): remember the
 * first message and kind of the call, switch the hook to fire on every instruction so
 * pcall inside the script cannot go on. */
static void vm_kill(lua_State *L, rules_vm *vm, int kind, const char *msg)
{
    if (!vm->killed) {
        util_strlcpy(vm->kill_msg, msg, sizeof vm->kill_msg);
        vm->kill_kind = kind;
    }
    vm->killed = 1;
    lua_sethook(L, vm_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, vm->kill_msg);
    lua_error(L);
}

/* Kill the call when a deadline has passed (the CPU clock is read when cpu is set).
 * where: "path:line: " or "". */
static void vm_check_deadlines(lua_State *L, rules_vm *vm, int cpu, const char *where)
{
    char msg[900];
    if (clock_ns(CLOCK_MONOTONIC) > vm->wall_end) {
        snprintf(msg, sizeof msg,
                 "%swall-clock limit exceeded: the rule call ran longer than %llu ms (an "
                 "endless loop, or too much work in one call?)",
                 where, (unsigned long long)vm->lim.wall_ms);
        vm_kill(L, vm, RULES_ERR_TIME, msg);
    }
    if (cpu && clock_ns(CLOCK_THREAD_CPUTIME_ID) > vm->cpu_end) {
        snprintf(msg, sizeof msg,
                 "%sCPU time limit exceeded: the rule call used more than %llu ms of CPU "
                 "time (an endless loop, or too much work in one call?)",
                 where, (unsigned long long)vm->lim.cpu_ms);
        vm_kill(L, vm, RULES_ERR_TIME, msg);
    }
}

static void vm_hook(lua_State *L, lua_Debug *ar)
{
    rules_vm *vm = vm_of(L);
    if (vm->killed) {
        /* Keep raising until the host's pcall is reached. */
        vm_kill(L, vm, vm->kill_kind, "");
        return;
    }
    if (vm->forced) {
        /* Asked for by the allocator, before the step was over: back to the usual step,
         * and count a whole step (the count restarts, so nothing is ever undercounted). */
        vm->forced = 0;
        vm->alloc_since_check = 0;
        lua_sethook(L, vm_hook, LUA_MASKCOUNT, HOOK_STEP);
    }
    vm->instr_used += HOOK_STEP;
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        snprintf(vm->where, sizeof vm->where, "%s:%d", ar->short_src, ar->currentline);
    char where[620];
    snprintf(where, sizeof where, "%s: ", vm->where[0] ? vm->where : "?");
    if (vm->instr_used > vm->lim.instructions) {
        char msg[900];
        snprintf(msg, sizeof msg,
                 "%sinstruction limit exceeded: the rule ran more than %llu Lua "
                 "instructions in one call (an endless loop?)",
                 where, (unsigned long long)vm->lim.instructions);
        vm_kill(L, vm, RULES_ERR_INSTRUCTIONS, msg);
    }
    vm_check_deadlines(L, vm, ++vm->hooks % CPU_EVERY == 0, where);
}

static void vm_reset_budget(rules_vm *vm)
{
    vm->instr_used = 0;
    vm->killed = 0;
    vm->kill_kind = 0;
    vm->mem_refused = 0;
    vm->hooks = 0;
    vm->printed = 0;
    vm->c_since_check = 0;
    vm->alloc_since_check = 0;
    vm->forced = 0;
    vm->where[0] = '\0';
    vm->kill_msg[0] = '\0';
    vm->wall_end = clock_ns(CLOCK_MONOTONIC) + (int64_t)vm->lim.wall_ms * 1000000;
    vm->cpu_end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + (int64_t)vm->lim.cpu_ms * 1000000;
    lua_sethook(vm->L, vm_hook, LUA_MASKCOUNT, HOOK_STEP);
}

/* Charge C-side work (loop iterations, bytes/8 handled by a guarded library function)
 * to the instruction budget, raising like the hook does when it runs out, and check the
 * deadlines every C_CHECK units. */
static void vm_charge(lua_State *L, uint64_t units, const char *what)
{
    rules_vm *vm = vm_of(L);
    uint64_t left = vm->instr_used < vm->lim.instructions ? vm->lim.instructions - vm->instr_used : 0;
    if (units > left) {
        char msg[900];
        luaL_where(L, 1);
        snprintf(msg, sizeof msg,
                 "%sinstruction limit exceeded: %s would take %llu steps, more than the "
                 "%llu left of the %llu the rule may use in one call",
                 lua_tostring(L, -1), what, (unsigned long long)units, (unsigned long long)left,
                 (unsigned long long)vm->lim.instructions);
        vm_kill(L, vm, RULES_ERR_INSTRUCTIONS, msg);
    }
    vm->instr_used += units;
    vm->c_since_check += units;
    if (vm->c_since_check >= C_CHECK) {
        vm->c_since_check = 0;
        luaL_where(L, 1);
        char where[600];
        util_strlcpy(where, lua_tostring(L, -1), sizeof where);
        lua_pop(L, 1);
        vm_check_deadlines(L, vm, 1, where);
    }
}

void rules_charge(lua_State *L, uint64_t units, const char *what) { vm_charge(L, units, what); }

/* ---- errors -------------------------------------------------------------------------- */

void rules_error_set(rules_error *e, int kind, const char *fmt, ...)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

void rules_error_format(const rules_error *e, char *buf, size_t len)
{
    if (e->traceback[0])
        snprintf(buf, len, "%s\n%s", e->message, e->traceback);
    else
        snprintf(buf, len, "%s", e->message);
}

/* Message handler: turn the error object into a string and add a traceback.
 * stack: err -> "message\ttraceback" */
static int vm_msgh(lua_State *L)
{
    rules_vm *vm = vm_of(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        /* Never run __tostring of a killed script: it would be Lua code. */
        if (!vm->killed && luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, NULL, 1);
    lua_pushfstring(L, "%s\x1f%s", msg, lua_tostring(L, -1));
    return 1;
}

/* Fill e from a failed pcall/load (error value on top of the stack, then popped). */
static void vm_error_from_stack(rules_vm *vm, int status, rules_error *e, const char *chunk)
{
    lua_State *L = vm->L;
    const char *s = lua_tostring(L, -1);
    memset(e, 0, sizeof *e);
    if (status == LUA_ERRMEM || vm->mem_refused) {
        e->kind = RULES_ERR_MEMORY;
        snprintf(e->message, sizeof e->message,
                 "%s: memory limit exceeded: the rule needed more than the %llu bytes "
                 "(%llu MiB) a rule state may hold",
                 vm->where[0] ? vm->where : chunk, (unsigned long long)vm->lim.memory,
                 (unsigned long long)(vm->lim.memory >> 20));
    } else {
        e->kind = vm->killed ? (vm->kill_kind ? vm->kill_kind : RULES_ERR_INSTRUCTIONS)
                  : status == LUA_ERRSYNTAX ? RULES_ERR_SYNTAX : RULES_ERR_RUNTIME;
        if (!s) s = "(error object is not a string)";
        const char *sep = strchr(s, '\x1f');
        size_t mlen = sep ? (size_t)(sep - s) : strlen(s);
        if (vm->killed && vm->kill_msg[0]) {
            s = vm->kill_msg;
            mlen = strlen(s);
        }
        if (mlen >= sizeof e->message) mlen = sizeof e->message - 1;
        memcpy(e->message, s, mlen);
        e->message[mlen] = '\0';
        if (sep) util_strlcpy(e->traceback, sep + 1, sizeof e->traceback);
    }
    /* file and line from a "file:line: " prefix */
    const char *m = e->message;
    for (const char *c = strchr(m, ':'); c; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        int line = 0;
        while (*d >= '0' && *d <= '9') line = line * 10 + (*d++ - '0');
        if (d > c + 1 && *d == ':') {
            size_t fl = (size_t)(c - m);
            if (fl >= sizeof e->file) fl = sizeof e->file - 1;
            memcpy(e->file, m, fl);
            e->file[fl] = '\0';
            e->line = line;
            break;
        }
    }
    if (!e->file[0] && chunk) util_strlcpy(e->file, chunk, sizeof e->file);
    lua_pop(L, 1);
}

/* ---- blocked functions and frozen tables ------------------------------------------- */

/* Push "chunk:line: " of the nearest Lua function on the call stack (C functions such
 * as table.insert in between are skipped), or "". */
static void where_lua(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}


/* upvalue 1: the blocked name; upvalue 2: why */
static int blocked_fn(lua_State *L)
{
    return luaL_error(L, "%s is blocked in cara rules: %s", lua_tostring(L, lua_upvalueindex(1)),
                      lua_tostring(L, lua_upvalueindex(2)));
}

static void push_blocked(lua_State *L, const char *name, const char *why)
{
    lua_pushstring(L, name);
    lua_pushstring(L, why);
    lua_pushcclosure(L, blocked_fn, 2);
}

/* __index of a blocked library: error naming lib.key. upvalue 1: lib name. */
static int blocked_lib_index(lua_State *L)
{
    const char *lib = lua_tostring(L, lua_upvalueindex(1));
    const char *k = lua_tostring(L, 2);
    return luaL_error(L, "%s.%s is blocked in cara rules: the sandbox has no %s library "
                         "(rules may use only base, table, string, math, utf8 and cara)",
                      lib, k ? k : "?", lib);
}

static int readonly_newindex(lua_State *L)
{
    const char *k = lua_tostring(L, 2);
    where_lua(L);
    lua_pushfstring(L, "%sattempt to modify read-only table '%s' (field '%s')",
                    lua_tostring(L, -1), lua_tostring(L, lua_upvalueindex(1)), k ? k : "?");
    return lua_error(L);
}

static int readonly_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

/* next() over the proxied table: upvalue 1 = the real table. */
static int readonly_next(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1))) return 2;
    lua_pushnil(L);
    return 1;
}

static int readonly_pairs_mm(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, readonly_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/*
 * Replace the table at the top of the stack with a read-only proxy of it.
 * stack: t -> proxy
 */
void rules_readonly(lua_State *L, const char *name)
{
    int t = lua_gettop(L);
    lua_newtable(L);                      /* proxy */
    lua_createtable(L, 0, 5);             /* metatable */
    lua_pushvalue(L, t);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_pushcclosure(L, readonly_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, t);
    lua_pushcclosure(L, readonly_len, 1);
    lua_setfield(L, -2, "__len");
    lua_pushvalue(L, t);
    lua_pushcclosure(L, readonly_pairs_mm, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushstring(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_replace(L, t);
}

/* Push a table whose every field access fails naming lib.field. */
static void push_blocked_lib(lua_State *L, const char *lib)
{
    lua_newtable(L);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, lib);
    lua_pushcclosure(L, blocked_lib_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, lib);
    lua_pushcclosure(L, readonly_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushstring(L, "blocked");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* ---- guarded library functions ----------------------------------------------------- */

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    if (a && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}

uint64_t rules_pattern_cost(const char *p, size_t plen, size_t slen, int plain)
{
    uint64_t n1 = (uint64_t)slen + 1;
    if (plain) return sat_mul(n1, (uint64_t)plen + 1);
    size_t i = 0;
    uint64_t cost = n1; /* starting positions */
    if (plen > 0 && p[0] == '^') {
        cost = 1;
        i = 1;
    }
    while (i < plen) {
        char c = p[i];
        size_t item_end = i + 1;
        if (c == '%' && i + 1 < plen) {
            char k = p[i + 1];
            if (k == 'b') { /* %bxy scans up to the whole subject */
                cost = sat_mul(cost, n1);
                i += 4;
                continue;
            }
            if (k >= '1' && k <= '9') { /* back-reference compares up to n chars */
                cost = sat_mul(cost, n1);
                i += 2;
                continue;
            }
            if (k == 'f') { /* %f[set]: skip the set */
                i += 2;
                if (i < plen && p[i] == '[') {
                    i++;
                    if (i < plen && p[i] == '^') i++;
                    if (i < plen) i++; /* a leading ']' is literal */
                    while (i < plen && p[i] != ']') i += (p[i] == '%') ? 2 : 1;
                    i++;
                }
                continue;
            }
            item_end = i + 2;
        } else if (c == '[') {
            size_t j = i + 1;
            if (j < plen && p[j] == '^') j++;
            if (j < plen) j++;
            while (j < plen && p[j] != ']') j += (p[j] == '%') ? 2 : 1;
            item_end = j + 1;
        } else if (c == '(' || c == ')' || (c == '$' && i + 1 == plen)) {
            i++;
            continue;
        }
        i = item_end;
        if (i < plen) {
            char q = p[i];
            if (q == '*' || q == '+' || q == '-') {
                cost = sat_mul(cost, n1);
                i++;
            } else if (q == '?') {
                cost = sat_mul(cost, 2);
                i++;
            }
        }
    }
    return sat_mul(cost, (uint64_t)plen + 1);
}

/* Charge the results of a library call (stack from index `first` up): one unit each,
 * plus a unit per 8 bytes of each string (the bytes it made or copied). */
static void charge_results(lua_State *L, int first, const char *what)
{
    uint64_t units = 0;
    for (int i = first, n = lua_gettop(L); i <= n; i++) {
        units++;
        if (lua_type(L, i) == LUA_TSTRING) units += lua_rawlen(L, i) / 8;
    }
    vm_charge(L, units, what);
}

/* How guarded_cost charges a library function, before the call (from its first
 * argument) and after it (charge_results). */
enum {
    COST_STR = 1,  /* a unit per 8 bytes of argument 1 when it is a string */
    COST_TAB = 2,  /* a unit per element of argument 1 when it is a table (raw length) */
    COST_SORT = 4, /* n log2 n units for a table of n elements */
    COST_SHIFT = 8 /* table.insert/remove at a position: a unit per element moved (an
                    * append or a pop is one unit) */
};

/* Any string, table or utf8 function: charge its work to the instruction budget (and
 * so check the deadlines) before and after calling the real one. upvalue 1: the
 * original; 2: its name; 3: COST_* flags. */
static int guarded_cost(lua_State *L)
{
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    int flags = (int)lua_tointeger(L, lua_upvalueindex(3));
    uint64_t pre = 1;
    if ((flags & COST_STR) && lua_type(L, 1) == LUA_TSTRING) pre += lua_rawlen(L, 1) / 8;
    if ((flags & (COST_TAB | COST_SORT)) && lua_type(L, 1) == LUA_TTABLE) {
        uint64_t n = lua_rawlen(L, 1), lg = 1;
        while ((flags & COST_SORT) && (1ull << lg) < n && lg < 63) lg++;
        pre += n * lg;
    }
    /* insert(t, pos, v) and remove(t, pos) move the elements from pos on */
    if ((flags & COST_SHIFT) && lua_type(L, 1) == LUA_TTABLE &&
        lua_gettop(L) >= (strcmp(name, "table.insert") == 0 ? 3 : 2) && lua_isinteger(L, 2)) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, 1), pos = lua_tointeger(L, 2);
        if (pos >= 1 && pos <= n) pre += (uint64_t)(n - pos + 1);
    }
    vm_charge(L, pre, name);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    charge_results(L, 1, name);
    return lua_gettop(L);
}

/* A library function and how guarded_cost charges it. */
typedef struct cost_fn {
    const char *name;
    int flags; /* COST_* */
} cost_fn;

/* Wrap each function of fns (ended by a NULL name) in the library table on top of the
 * stack with guarded_cost. */
static void wrap_costs(lua_State *L, const char *lib, const cost_fn *fns)
{
    for (; fns->name; fns++) {
        char full[64];
        snprintf(full, sizeof full, "%s.%s", lib, fns->name);
        if (lua_getfield(L, -1, fns->name) != LUA_TFUNCTION) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushstring(L, full);
        lua_pushinteger(L, fns->flags);
        lua_pushcclosure(L, guarded_cost, 3);
        lua_setfield(L, -2, fns->name);
    }
}

static const cost_fn string_costs[] = {
    {"byte", 0}, {"char", 0}, {"format", 0}, {"len", 0}, {"lower", COST_STR},
    {"upper", COST_STR}, {"reverse", COST_STR}, {"sub", 0}, {"pack", 0}, {"packsize", 0},
    {"unpack", COST_STR}, {NULL, 0}};
static const cost_fn table_costs[] = {
    {"concat", COST_TAB}, {"insert", COST_SHIFT}, {"remove", COST_SHIFT}, {"sort", COST_SORT},
    {"unpack", 0}, {NULL, 0}};
static const cost_fn utf8_costs[] = {
    {"char", 0}, {"codepoint", 0}, {"len", COST_STR}, {"offset", COST_STR}, {"codes", 0},
    {NULL, 0}};

/* Refuse a match whose worst case exceeds the pattern budget, then call the real one.
 * upvalue 1: the original function; upvalue 2: its name. */
static int guarded_match(lua_State *L)
{
    size_t slen, plen;
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    luaL_checklstring(L, 1, &slen);
    const char *p = luaL_checklstring(L, 2, &plen);
    int plain = strcmp(name, "string.find") == 0 && lua_toboolean(L, 4);
    uint64_t cost = rules_pattern_cost(p, plen, slen, plain);
    rules_vm *vm = vm_of(L);
    if (cost > vm->lim.pattern_cost) {
        char msg[600];
        snprintf(msg, sizeof msg,
                 "%s: pattern \"%.80s\" on a %zu-character string could take up to %.3g "
                 "steps, more than the sandbox allows (%llu); use a simpler pattern, plain "
                 "find, or a shorter string",
                 name, p, slen, (double)cost, (unsigned long long)vm->lim.pattern_cost);
        return luaL_error(L, "%s", msg);
    }
    /* what the match may cost (a sixteenth of its worst case), and a linear scan */
    vm_charge(L, cost / 16 + slen / 8, name);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    charge_results(L, 1, name);
    return lua_gettop(L);
}

/* string.rep without the unbounded loop of rep("", huge). */
static int guarded_rep(lua_State *L)
{
    size_t l, lsep = 0;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || l + lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    rules_vm *vm = vm_of(L);
    if ((uint64_t)n > vm->lim.memory / (l + lsep)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "string.rep: the result would exceed the rule memory limit (%llu bytes)",
                 (unsigned long long)vm->lim.memory);
        return luaL_error(L, "%s", msg);
    }
    vm_charge(L, (uint64_t)n * (l + lsep) / 8 + 1, "string.rep"); /* the bytes it will write */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* table.move charges its element count to the instruction budget. */
static int guarded_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f) {
        uint64_t count = (uint64_t)e - (uint64_t)f + 1;
        vm_charge(L, count, "table.move");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* setmetatable refusing __gc: Lua runs finalizers with hooks off (even at lua_close),
 * so a finalizer could loop forever out of the instruction cap's reach. Lua marks an
 * object for finalization only when its metatable has __gc at setmetatable time, so
 * checking here (raw, as Lua does) is exact. upvalue 1: the real setmetatable. */
static int sandbox_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are blocked in cara rules (finalizers "
                                 "would run outside the instruction limit)");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* xpcall whose message handler runs after the stack unwinds. Lua runs a handler at the
 * point of the error, and the instruction-limit error is raised from inside the count
 * hook, where Lua has hooks disabled: a looping handler would then never be stopped.
 * Calling it after lua_pcall returns (hooks restored) keeps the kill in force. The
 * handler therefore sees the unwound stack (a traceback in it shows the xpcall site).
 * stack: f, handler, args... -> true, results... | false, handler(err) */
static int sandbox_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_insert(L, 1); /* handler, f, handler, args... */
    lua_remove(L, 3); /* handler, f, args... */
    if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, 1); /* true, results... */
        return lua_gettop(L);
    }
    /* stack: handler, err */
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* collectgarbage: "count" counts; "collect" and "step" do nothing (a full collection is
 * C work a loop could repeat without limit, and Lua collects by itself, before the memory
 * limit too); everything else is blocked. */
static int sandbox_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0) {
        size_t used = vm_of(L)->mem_used;
        lua_pushnumber(L, (lua_Number)used / 1024.0);
        return 1;
    }
    if (strcmp(opt, "collect") == 0 || strcmp(opt, "step") == 0) {
        lua_pushinteger(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage(\"%s\") is blocked in cara rules (allowed: "
                         "\"count\"; \"collect\" and \"step\" do nothing)",
                      opt);
}

/* print(...) -> the host's print hook, tab-separated like Lua's. */
int rules_lua_print(lua_State *L)
{
    rules_vm *vm = vm_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    vm_charge(L, len / 8 + 1, "print"); /* the bytes it copied */
    char cut[RULES_MAX_PRINT + 64];
    if (len > RULES_MAX_PRINT) { /* the host's log is bounded per line */
        snprintf(cut, sizeof cut, "%.*s... (%zu bytes cut)", (int)RULES_MAX_PRINT, text,
                 len - RULES_MAX_PRINT);
        text = cut;
    }
    lua_Debug ar;
    const char *src = "?";
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "S", &ar)) src = ar.short_src;
    /* and per call, so that a loop cannot flood the log: past RULES_MAX_PRINT_CALL bytes
     * one note, then nothing until the next call */
    size_t line = strlen(text) + 1;
    if (vm->printed > RULES_MAX_PRINT_CALL) return 0;
    if (vm->printed + line > RULES_MAX_PRINT_CALL) {
        vm->printed = RULES_MAX_PRINT_CALL + 1;
        snprintf(cut, sizeof cut, "(the rest of this call's output is dropped: more than %u "
                 "bytes)", RULES_MAX_PRINT_CALL);
        text = cut;
    } else {
        vm->printed += line;
    }
    if (vm->print_fn)
        vm->print_fn(vm->print_ud, src, text);
    else
        log_msg(LOG_LEVEL_INFO, "", "%s: %s", src, text);
    return 0;
}

/* Wrap lib[field] (the table on top of the stack) with a guard closure. */
static void wrap_field(lua_State *L, const char *field, const char *fullname, lua_CFunction g)
{
    lua_getfield(L, -1, field);
    lua_pushstring(L, fullname);
    lua_pushcclosure(L, g, 2);
    lua_setfield(L, -2, field);
}

/* ---- state construction ------------------------------------------------------------ */

static const char *const base_allowed[] = {
    "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
    "rawget", "rawlen", "select", "tonumber", "tostring", "type", "_VERSION", NULL};

/* Build the frozen base table into the registry. Runs unprotected under lua_pcall. */
static int vm_build(lua_State *L)
{
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);

    /* Harden the real library tables before freezing them. */
    lua_getglobal(L, LUA_STRLIBNAME);
    wrap_field(L, "find", "string.find", guarded_match);
    wrap_field(L, "match", "string.match", guarded_match);
    wrap_field(L, "gmatch", "string.gmatch", guarded_match);
    wrap_field(L, "gsub", "string.gsub", guarded_match);
    wrap_field(L, "rep", "string.rep", guarded_rep);
    wrap_costs(L, LUA_STRLIBNAME, string_costs);
    push_blocked(L, "string.dump", "rules cannot produce bytecode");
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    lua_getglobal(L, LUA_TABLIBNAME);
    wrap_field(L, "move", "table.move", guarded_move);
    wrap_costs(L, LUA_TABLIBNAME, table_costs);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_UTF8LIBNAME);
    wrap_costs(L, LUA_UTF8LIBNAME, utf8_costs);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_MATHLIBNAME);
    push_blocked(L, "math.random", "rules must be deterministic");
    lua_setfield(L, -2, "random");
    push_blocked(L, "math.randomseed", "rules must be deterministic");
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    /* Strings keep their methods (s:upper()) but hide their metatable. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "string");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    /* The base every _ENV inherits from. */
    lua_newtable(L);
    int base = lua_gettop(L);
    for (const char *const *n = base_allowed; *n; n++) {
        lua_getglobal(L, *n);
        lua_setfield(L, base, *n);
    }
    lua_pushcfunction(L, rules_lua_print);
    lua_setfield(L, base, "print");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, sandbox_setmetatable, 1);
    lua_setfield(L, base, "setmetatable");
    lua_pushcfunction(L, sandbox_xpcall);
    lua_setfield(L, base, "xpcall");
    lua_pushcfunction(L, sandbox_collectgarbage);
    lua_setfield(L, base, "collectgarbage");
    push_blocked(L, "load", "rules cannot load code at run time");
    lua_setfield(L, base, "load");
    push_blocked(L, "loadfile", "rules cannot read files");
    lua_setfield(L, base, "loadfile");
    push_blocked(L, "dofile", "rules cannot read files");
    lua_setfield(L, base, "dofile");
    push_blocked(L, "require", "rules cannot load modules (use the cara library)");
    lua_setfield(L, base, "require");
    push_blocked(L, "rawset", "it would bypass read-only tables");
    lua_setfield(L, base, "rawset");
    static const char *const libs[] = {LUA_TABLIBNAME, LUA_STRLIBNAME, LUA_MATHLIBNAME,
                                       LUA_UTF8LIBNAME, NULL};
    for (const char *const *n = libs; *n; n++) {
        lua_getglobal(L, *n);
        rules_readonly(L, *n);
        lua_setfield(L, base, *n);
    }
    static const char *const blocked_libs[] = {"io", "os", "debug", "package", "coroutine",
                                               NULL};
    for (const char *const *n = blocked_libs; *n; n++) {
        push_blocked_lib(L, *n);
        lua_setfield(L, base, *n);
    }
    lua_newtable(L);
    rules_lib_open(L);
    rules_readonly(L, "cara");
    lua_setfield(L, base, "cara");

    /* Freeze base itself: scripts write to their own _ENV, never here. */
    rules_readonly(L, "_ENV base");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_base);

    /* Drop the real globals: nothing reachable by a script points at them. */
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);

    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_scripts);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_names);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_libs);
    return 0;
}

int rules_vm_new(const rules_limits *limits, rules_vm **out, char *err, size_t errlen)
{
    *out = NULL;
    rules_vm *vm = calloc(1, sizeof *vm);
    if (!vm) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (limits) vm->lim = *limits;
    if (!vm->lim.memory) vm->lim.memory = RULES_DEFAULT_MEMORY;
    if (!vm->lim.instructions) vm->lim.instructions = RULES_DEFAULT_INSTRUCTIONS;
    if (!vm->lim.pattern_cost) vm->lim.pattern_cost = RULES_DEFAULT_PATTERN_COST;
    if (!vm->lim.wall_ms) vm->lim.wall_ms = RULES_DEFAULT_WALL_MS;
    if (!vm->lim.cpu_ms) vm->lim.cpu_ms = RULES_DEFAULT_CPU_MS;
    if (vm->lim.wall_ms > RULES_MAX_DEADLINE_MS) vm->lim.wall_ms = RULES_MAX_DEADLINE_MS;
    if (vm->lim.cpu_ms > RULES_MAX_DEADLINE_MS) vm->lim.cpu_ms = RULES_MAX_DEADLINE_MS;
    vm->L = lua_newstate(vm_alloc, vm);
    if (!vm->L) {
        vm_pool_release(&vm->pool);
        free(vm);
        snprintf(err, errlen, "cannot create a Lua state (out of memory)");
        return -ENOMEM;
    }
    *(rules_vm **)lua_getextraspace(vm->L) = vm;
    lua_pushcfunction(vm->L, vm_build);
    if (lua_pcall(vm->L, 0, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "cannot build the rule sandbox: %s",
                 lua_tostring(vm->L, -1) ? lua_tostring(vm->L, -1) : "out of memory");
        lua_close(vm->L);
        vm_pool_release(&vm->pool);
        free(vm);
        return -ENOMEM;
    }
    lua_gc(vm->L, LUA_GCCOLLECT, 0);
    vm->mem_enforce = 1;
    vm_reset_budget(vm);
    *out = vm;
    return 0;
}

void rules_vm_free(rules_vm *vm)
{
    if (!vm) return;
    /* Finalizers (__gc) of scripts run during lua_close: make them fail at once. */
    vm->killed = 1;
    vm->kill_kind = RULES_ERR_INSTRUCTIONS;
    lua_sethook(vm->L, vm_hook, LUA_MASKCOUNT, 1);
    vm->mem_enforce = 0;
    lua_close(vm->L);
    vm_pool_release(&vm->pool);
    free(vm);
}

void rules_vm_set_print(rules_vm *vm, rules_print_fn fn, void *ud)
{
    vm->print_fn = fn;
    vm->print_ud = ud;
}

lua_State *rules_vm_state(rules_vm *vm) { return vm->L; }

const rules_limits *rules_vm_limits(const rules_vm *vm) { return &vm->lim; }

uint64_t rules_vm_instructions_used(const rules_vm *vm) { return vm->instr_used; }

uint64_t rules_vm_memory_used(const rules_vm *vm) { return vm->mem_used; }

/* pcall fn (below nargs args) with the message handler and a fresh budget. */
static int vm_pcall(rules_vm *vm, int nargs, int nresults, rules_error *e, const char *chunk)
{
    lua_State *L = vm->L;
    if (!lua_checkstack(L, 2)) {
        rules_error_set(e, RULES_ERR_MEMORY, "%s: Lua stack exhausted", chunk ? chunk : "?");
        lua_pop(L, nargs + 1);
        return -1;
    }
    int fn = lua_gettop(L) - nargs;
    lua_pushcfunction(L, vm_msgh);
    lua_insert(L, fn);
    vm_reset_budget(vm);
    int status = lua_pcall(L, nargs, nresults, fn);
    lua_remove(L, fn);
    if (status != LUA_OK) {
        vm_error_from_stack(vm, status, e, chunk);
        /* Free what the failed call left behind before the next one. */
        vm->killed = 0;
        vm->forced = 0;
        lua_sethook(L, vm_hook, LUA_MASKCOUNT, HOOK_STEP);
        lua_gc(L, LUA_GCCOLLECT, 0);
        return -1;
    }
    memset(e, 0, sizeof *e);
    return 0;
}

/* __newindex of a loaded script's _ENV: its globals are frozen. */
static int frozen_newindex(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : luaL_typename(L, 2);
    where_lua(L);
    lua_pushfstring(L, "%srules may not keep state in globals (write to '%s'): every call "
                       "must see the globals the script's top level left (use a local)",
                    lua_tostring(L, -1), k);
    return lua_error(L);
}

/* Freeze the globals of a script whose top level has run: move them from env into a
 * new table `vals` (inheriting from the base as env did) and make env an empty proxy
 * reading from vals and refusing every write, so each call sees the same globals
 * whatever ran before it (results cannot depend on the order of calls or on the thread
 * count). Tables held in globals stay mutable (docs/rules.md: only pure caches).
 * stack: env -> vals (runs under a protected call: it allocates) */
static int freeze_env(lua_State *L)
{
    lua_settop(L, 1);
    lua_newtable(L); /* 2: vals */
    lua_pushnil(L);
    while (lua_next(L, 1)) { /* stack: env, vals, k, v */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, 2); /* vals[k] = v */
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, 1); /* env[k] = nil: clearing a field during the traversal is allowed */
    }
    if (lua_getmetatable(L, 1)) lua_setmetatable(L, 2); /* {__index = base} */
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, frozen_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, readonly_pairs_mm, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "frozen globals");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, 1);
    return 1;
}

/* Load and run a chunk as a script (rules_vm_load); with nres 1, its top level's return
 * value is left on the stack on success. */
static int load_chunk(rules_vm *vm, const char *name, const char *src, size_t len, int *script,
                      int nres, rules_error *e)
{
    lua_State *L = vm->L;
    *script = 0;
    char chunk[520];
    snprintf(chunk, sizeof chunk, "@%s", name);
    vm->mem_refused = 0;
    int status = luaL_loadbufferx(L, src, len, chunk, "t");
    if (status != LUA_OK) {
        vm_error_from_stack(vm, status, e, name);
        if (e->kind == RULES_ERR_RUNTIME) e->kind = RULES_ERR_SYNTAX;
        return -1;
    }
    /* stack: chunk. Give it a fresh _ENV inheriting from the frozen base. */
    lua_createtable(L, 0, 8);
    lua_createtable(L, 0, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_base);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    /* the libraries loaded before (rules_vm_load_library): globals of every script */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_libs);
    lua_pushnil(L);
    while (lua_next(L, -2)) { /* stack: chunk, env, libs, k, v */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -5);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    if (!lua_setupvalue(L, -3, 1)) lua_pop(L, 1); /* _ENV is upvalue 1 of a main chunk */
    /* stack: chunk, env */
    lua_insert(L, -2);
    if (vm_pcall(vm, 0, nres, e, name) < 0) {
        lua_pop(L, 1);
        return -1;
    }
    /* stack: env [, result] */
    if (nres) lua_insert(L, -2);
    uint64_t used = vm->instr_used; /* the top level's, for rules_vm_instructions_used */
    lua_pushcfunction(L, freeze_env);
    lua_insert(L, -2);
    if (vm_pcall(vm, 1, 1, e, name) < 0) {
        lua_pop(L, nres);
        return -1;
    }
    vm->instr_used = used;
    /* stack: vals (the script's globals, what rules_vm_getfn reads) */
    int id = ++vm->n_scripts;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_scripts);
    lua_insert(L, -2);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_names);
    lua_pushstring(L, name);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
    *script = id;
    return 0;
}

int rules_vm_load(rules_vm *vm, const char *name, const char *src, size_t len, int *script,
                  rules_error *e)
{
    return load_chunk(vm, name, src, len, script, 0, e);
}

/* key_libs[name] = a read-only proxy of the table. stack: name, table -> */
static int register_lib(lua_State *L)
{
    lua_settop(L, 2);
    rules_readonly(L, lua_tostring(L, 1));
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_libs);
    lua_insert(L, 1); /* libs, name, proxy */
    lua_rawset(L, 1);
    return 0;
}

/* The library `name` from source src, its chunk named path. */
static int load_library_src(rules_vm *vm, const char *name, const char *path, const char *src,
                            size_t len, rules_error *e)
{
    lua_State *L = vm->L;
    int script;
    if (load_chunk(vm, path, src, len, &script, 1, e) < 0) return -1;
    if (lua_type(L, -1) != LUA_TTABLE) {
        rules_error_set(e, RULES_ERR_RESULT, "%s: the library must return a table (it returned "
                        "a %s)", path, luaL_typename(L, -1));
        util_strlcpy(e->file, path, sizeof e->file);
        lua_pop(L, 1);
        return -1;
    }
    if (!lua_checkstack(L, 3)) {
        lua_pop(L, 1);
        rules_error_set(e, RULES_ERR_MEMORY, "%s: Lua stack exhausted", path);
        return -1;
    }
    lua_pushcfunction(L, register_lib);
    lua_insert(L, -2);
    lua_pushstring(L, name);
    lua_insert(L, -2); /* register_lib, name, table */
    return vm_pcall(vm, 2, 0, e, path);
}

int rules_vm_load_library(rules_vm *vm, const char *name, const char *path, rules_error *e)
{
    char *src;
    size_t len;
    char err[600];
    if (util_read_file(path, RULES_MAX_SOURCE, &src, &len, err, sizeof err) < 0) {
        rules_error_set(e, RULES_ERR_IO, "%s", err);
        util_strlcpy(e->file, path, sizeof e->file);
        return -1;
    }
    int rc = load_library_src(vm, name, path, src, len, e);
    free(src);
    return rc;
}

/* episodes/common/cms_default.lua as it was when cara was built (Makefile SCAFFOLD,
 * scripts/embed.sh). */
extern const char rules_library_builtin[];
extern const size_t rules_library_builtin_len;

int rules_vm_load_library_of(rules_vm *vm, const char *episodes_dir, rules_error *e)
{
    char *path = util_path_join(episodes_dir, RULES_LIBRARY_FILE);
    if (!path) {
        rules_error_set(e, RULES_ERR_MEMORY, "%s: out of memory", episodes_dir);
        return -1;
    }
    int rc = util_exists(path)
                 ? rules_vm_load_library(vm, RULES_LIBRARY_NAME, path, e)
                 : load_library_src(vm, RULES_LIBRARY_NAME, RULES_LIBRARY_BUILTIN,
                                    rules_library_builtin, rules_library_builtin_len, e);
    free(path);
    return rc;
}

int rules_vm_load_file(rules_vm *vm, const char *path, int *script, rules_error *e)
{
    char *src;
    size_t len;
    char err[600];
    *script = 0;
    if (util_read_file(path, RULES_MAX_SOURCE, &src, &len, err, sizeof err) < 0) {
        rules_error_set(e, RULES_ERR_IO, "%s", err);
        util_strlcpy(e->file, path, sizeof e->file);
        return -1;
    }
    int rc = rules_vm_load(vm, path, src, len, script, e);
    free(src);
    return rc;
}

int rules_vm_getfn(rules_vm *vm, int script, const char *fname)
{
    lua_State *L = vm->L;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_scripts);
    if (lua_rawgeti(L, -1, script) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    lua_pushstring(L, fname);
    lua_rawget(L, -2); /* only what the script itself defined, not the base */
    lua_remove(L, -2);
    lua_remove(L, -2);
    if (lua_type(L, -1) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

const char *rules_vm_script_name(const rules_vm *vm, int script)
{
    lua_State *L = vm->L;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_names);
    lua_rawgeti(L, -1, script);
    const char *s = lua_tostring(L, -1); /* kept alive by the names table */
    lua_pop(L, 2);
    return s ? s : "?";
}

int rules_vm_call(rules_vm *vm, int nargs, int nresults, rules_error *e)
{
    lua_Debug ar;
    const char *chunk = "?";
    lua_pushvalue(vm->L, -(nargs + 1));
    if (lua_getinfo(vm->L, ">S", &ar)) chunk = ar.short_src;
    return vm_pcall(vm, nargs, nresults, e, chunk);
}

/* The protected half of rules_vm_invoke. upvalue 1: the rule function; 2: the push fn
 * and its ud as light userdata; 3: nresults. stack: -> results */
typedef struct invoke_args {
    rules_push_fn push;
    rules_read_fn read;     /* NULL: leave the results on the stack */
    void *ud;
    int read_rc;            /* read()'s return */
    char read_err[1024];    /* read()'s message */
} invoke_args;

static int invoke_tramp(lua_State *L)
{
    invoke_args *a = lua_touserdata(L, lua_upvalueindex(2));
    int nres = (int)lua_tointeger(L, lua_upvalueindex(3));
    lua_settop(L, 0);
    lua_pushvalue(L, lua_upvalueindex(1));
    int nargs = a->push ? a->push(L, a->ud) : 0;
    lua_call(L, nargs, nres);
    if (!a->read) return lua_gettop(L);
    a->read_rc = a->read(L, a->ud, a->read_err, sizeof a->read_err);
    return 0;
}

int rules_plain_table(lua_State *L, int idx, const char *path, const char *fn,
                      const char *member, char *err, size_t errlen)
{
    int t = lua_type(L, idx);
    int has_mt = t == LUA_TTABLE && lua_getmetatable(L, idx);
    if (has_mt) lua_pop(L, 1);
    if (t == LUA_TTABLE && !has_mt) return 1;
    char where[200] = "";
    if (member) snprintf(where, sizeof where, " for field '%s'", member);
    if (has_mt)
        snprintf(err, errlen, "%s: %s() returned a table with a metatable%s; return a plain table",
                 path, fn, where);
    else
        snprintf(err, errlen, "%s: %s() returned a %s%s (expected a plain table)", path, fn,
                 lua_typename(L, t), where);
    return 0;
}

int rules_vm_invoke(rules_vm *vm, int script, const char *fname, rules_push_fn push, void *ud,
                    int nresults, rules_error *e)
{
    lua_State *L = vm->L;
    if (!lua_checkstack(L, 4) || !rules_vm_getfn(vm, script, fname)) {
        const char *name = rules_vm_script_name(vm, script);
        rules_error_set(e, RULES_ERR_MISSING, "%s: the rule defines no function '%s'", name,
                        fname);
        util_strlcpy(e->file, name, sizeof e->file);
        return -1;
    }
    invoke_args a = {.push = push, .ud = ud};
    lua_pushlightuserdata(L, &a);
    lua_pushinteger(L, nresults);
    lua_pushcclosure(L, invoke_tramp, 3);
    return vm_pcall(vm, 0, LUA_MULTRET, e, rules_vm_script_name(vm, script));
}

int rules_vm_invoke_read(rules_vm *vm, int script, const char *fname, rules_push_fn push,
                         rules_read_fn read, void *ud, rules_error *e)
{
    lua_State *L = vm->L;
    const char *name = rules_vm_script_name(vm, script);
    if (!lua_checkstack(L, 4) || !rules_vm_getfn(vm, script, fname)) {
        rules_error_set(e, RULES_ERR_MISSING, "%s: the rule defines no function '%s'", name,
                        fname);
        util_strlcpy(e->file, name, sizeof e->file);
        return -1;
    }
    invoke_args a = {.push = push, .read = read, .ud = ud};
    lua_pushlightuserdata(L, &a);
    lua_pushinteger(L, 1);
    lua_pushcclosure(L, invoke_tramp, 3);
    int rc = vm_pcall(vm, 0, 0, e, name);
    if (rc == 0 && a.read_rc < 0) {
        rules_error_set(e, RULES_ERR_RESULT, "%s", a.read_err);
        util_strlcpy(e->file, name, sizeof e->file);
        rc = -1;
    }
    return rc;
}

int rules_vm_protected(rules_vm *vm, lua_CFunction fn, void *ud, rules_error *e)
{
    if (!lua_checkstack(vm->L, 3)) {
        rules_error_set(e, RULES_ERR_MEMORY, "Lua stack exhausted");
        return -1;
    }
    lua_pushcfunction(vm->L, fn);
    lua_pushlightuserdata(vm->L, ud);
    return vm_pcall(vm, 1, 0, e, "cara");
}
