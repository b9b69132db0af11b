/*
 * rules: the Lua 5.4 sandbox that runs attribution and savings rules.
 *
 * A rules_vm is one lua_State with:
 *   - only base, table, string, math and utf8 (io, os, debug, package, coroutine,
 *     load, loadfile, dofile, require, string.dump, rawset, math.random are blocked by
 *     stubs whose error names what was blocked);
 *   - a memory cap enforced by a counting allocator (live bytes of the whole state);
 *   - an instruction cap enforced by a count hook, reset before every call; once a
 *     call is over budget the hook fires on every instruction, so pcall inside the
 *     script cannot swallow the kill;
 *   - a wall-clock and a CPU-time deadline per call, checked by the same hook, by the
 *     guarded library functions below and, after every MiB the state allocates, at the
 *     next instruction (the allocator re-arms the hook: one instruction can copy MiBs);
 *   - guards on the C functions that could otherwise run unbounded without executing
 *     a Lua instruction: pattern matching is refused past a worst-case cost, string.rep
 *     past the memory limit, and every string, table and utf8 function charges the
 *     bytes and elements it handles to the instruction budget (so a loop of big
 *     table.concat, string.format, utf8.char... calls runs out of budget), checking the
 *     deadlines as it goes; collectgarbage only counts ("collect" and "step" do nothing);
 *   - each script in its own _ENV whose __index is a frozen base table; once the
 *     script's top level has run its globals are frozen too (a write raises "rules may
 *     not keep state in globals"), so every call sees the same globals;
 *   - sources loaded as text only (no bytecode).
 *
 * A rules_vm is single-threaded: use one per thread. Nothing here touches the file
 * system except rules_vm_load_file and rules_vm_load_library(_of), which read the script
 * or the method library itself.
 */
#ifndef CARA_RULES_H
#define CARA_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#define RULES_DEFAULT_MEMORY (64u * 1024u * 1024u)    /* bytes per state */
#define RULES_DEFAULT_INSTRUCTIONS 50000000u          /* VM instructions per call */
#define RULES_DEFAULT_PATTERN_COST 10000000u          /* worst-case steps per match */
#define RULES_DEFAULT_WALL_MS 2000u                   /* wall-clock ms per call */
#define RULES_DEFAULT_CPU_MS 2000u                    /* CPU ms per call (the thread's) */
#define RULES_MAX_DEADLINE_MS 1000000000u             /* larger deadlines are cut to this */
#define RULES_MAX_SOURCE (16u * 1024u * 1024u)        /* largest rule file accepted */
#define RULES_MAX_PRINT 4096u                         /* bytes of one print()/cara.log() line */
#define RULES_MAX_PRINT_CALL 65536u                   /* bytes printed per call, then one note */

typedef struct rules_limits {
    uint64_t memory;        /* bytes the state may hold (0 = default) */
    uint64_t instructions;  /* instructions per call (0 = default) */
    uint64_t pattern_cost;  /* worst-case steps of one string match (0 = default) */
    uint64_t wall_ms;       /* wall-clock milliseconds per call (0 = default; at most
                             * RULES_MAX_DEADLINE_MS) */
    uint64_t cpu_ms;        /* CPU milliseconds per call, of the calling thread (0 = default;
                             * at most RULES_MAX_DEADLINE_MS) */
} rules_limits;

/* What went wrong, for callers that react differently (and for tests). */
enum rules_err_kind {
    RULES_OK = 0,
    RULES_ERR_SYNTAX,       /* the source does not compile */
    RULES_ERR_RUNTIME,      /* error() or a runtime error, including blocked functions */
    RULES_ERR_MEMORY,       /* the memory cap was hit */
    RULES_ERR_INSTRUCTIONS, /* the instruction cap was hit */
    RULES_ERR_MISSING,      /* the rule lacks the function the host asked for */
    RULES_ERR_RESULT,       /* the rule returned something of the wrong shape */
    RULES_ERR_IO,           /* the rule file cannot be read */
    RULES_ERR_TIME          /* the wall-clock or CPU-time deadline of the call passed */
};

/* A structured error: "file:line: message" plus a traceback. */
typedef struct rules_error {
    int kind;               /* enum rules_err_kind */
    char file[512];         /* script path ("" if unknown) */
    int line;               /* 0 if unknown */
    char message[1024];     /* "path:line: message" as Lua reports it */
    char traceback[4096];   /* "stack traceback:\n..." or "" */
} rules_error;

typedef struct rules_vm rules_vm;

/* Host hook for print()/cara.log() output of scripts (text: at most RULES_MAX_PRINT bytes
 * and a note of what was cut; at most RULES_MAX_PRINT_CALL bytes per call; borrowed for
 * the call). NULL = write to stderr. */
typedef void (*rules_print_fn)(void *ud, const char *script, const char *text);

/*
 * Create a sandboxed state with the given limits (NULL = defaults). Returns 0 or a
 * negative code with a message in err. The caller owns *out (rules_vm_free).
 */
int rules_vm_new(const rules_limits *limits, rules_vm **out, char *err, size_t errlen);

/* Close the state (finalizers of scripts cannot run code any more) and free it. */
void rules_vm_free(rules_vm *vm);

/* Route print() and cara.log() of scripts (default: stderr, prefixed by the script). */
void rules_vm_set_print(rules_vm *vm, rules_print_fn fn, void *ud);

/* The state, for binding code (rules_bind.c). Borrowed. */
lua_State *rules_vm_state(rules_vm *vm);

/* The limits in force (defaults filled in). */
const rules_limits *rules_vm_limits(const rules_vm *vm);

/*
 * Compile src (text only, never bytecode) under chunk name `name` (normally the file
 * path) into a fresh _ENV and run its top level within the limits, then freeze the
 * globals it defined (later writes to any global raise). On success sets
 * *script to a handle (> 0) for rules_vm_getfn and returns 0; otherwise fills e and
 * returns -1. The source buffer is not kept.
 */
int rules_vm_load(rules_vm *vm, const char *name, const char *src, size_t len, int *script,
                  rules_error *e);

/*
 * The method library (episodes/common/cms_default.lua, docs/rules.md "The method
 * library"): a Lua file whose top level returns a table of functions. Load it at path
 * into vm as a script (the same sandbox, limits and frozen globals) and make a read-only
 * proxy of its table a global named `name` of every script loaded after it (it is then
 * one of that script's frozen globals: it cannot be reassigned, its fields cannot be
 * written). 0, or -1 with e (the file cannot be read, does not compile, fails, or does
 * not return a table: RULES_ERR_RESULT).
 */
#define RULES_LIBRARY_NAME "cms_default"
#define RULES_LIBRARY_FILE "common/cms_default.lua" /* inside the episodes folder */
int rules_vm_load_library(rules_vm *vm, const char *name, const char *path, rules_error *e);

/* rules_vm_load_library of episodes_dir/RULES_LIBRARY_FILE as RULES_LIBRARY_NAME; when
 * that file does not exist (a template folder copied alone, an episodes folder from
 * before the library), the copy built into cara (the same file when cara was built),
 * its chunk named RULES_LIBRARY_BUILTIN. 0, or -1 with e. */
#define RULES_LIBRARY_BUILTIN "cms_default.lua (built in)"
int rules_vm_load_library_of(rules_vm *vm, const char *episodes_dir, rules_error *e);

/* rules_vm_load on the contents of a file (at most RULES_MAX_SOURCE bytes). */
int rules_vm_load_file(rules_vm *vm, const char *path, int *script, rules_error *e);

/*
 * Push the function a script defined as global `fname`.
 * stack: -> fn   Returns 1 when pushed; 0 (nothing pushed) when the script does not
 * define it as a function.
 */
int rules_vm_getfn(rules_vm *vm, int script, const char *fname);

/* The chunk name (path) of a loaded script. Borrowed. */
const char *rules_vm_script_name(const rules_vm *vm, int script);

/*
 * Call the function below nargs arguments on the stack with a fresh instruction
 * budget, expecting nresults results (LUA_MULTRET allowed).
 * stack: fn, args... -> results...   (on error: -> nothing, e filled, returns -1)
 */
int rules_vm_call(rules_vm *vm, int nargs, int nresults, rules_error *e);

/* Pushes the arguments of a rule call and returns how many it pushed. Runs inside the
 * protected call, so it may allocate (rules_bind.c) and raise. */
typedef int (*rules_push_fn)(lua_State *L, void *ud);

/*
 * Call function `fname` of `script` with the arguments push() pushes, all under one
 * protected call with a fresh instruction budget. The results stay on the stack
 * (nresults of them, LUA_MULTRET allowed) for the caller to read and pop.
 * Returns 0, or -1 with e filled (RULES_ERR_MISSING when the script does not define
 * fname, naming the script and the function). Reading the results left on the stack
 * happens outside the protected call, where a metamethod of a hostile result would abort
 * the process: the host reads rule results with rules_vm_invoke_read instead.
 */
int rules_vm_invoke(rules_vm *vm, int script, const char *fname, rules_push_fn push, void *ud,
                    int nresults, rules_error *e);

/*
 * Reads a rule's result (the one value on top of the stack) inside the protected call,
 * so that nothing it touches can raise outside one. It should read with raw accesses
 * only (lua_rawget, lua_rawgeti, lua_rawlen; rules_plain_table refuses tables with a
 * metatable). Returns 0, or -1 with what was wrong (naming the script path, the function
 * and the member) in err. It must not keep pointers into Lua strings after it returns.
 */
typedef int (*rules_read_fn)(lua_State *L, void *ud, char *err, size_t errlen);

/*
 * rules_vm_invoke with one result, read by read() inside the same protected call; the
 * stack is left as it was. Returns 0; -1 with e filled when the call fails (kinds as
 * rules_vm_invoke) or when read() refuses the result (RULES_ERR_RESULT, e->file the
 * script's path, e->message read()'s text).
 */
int rules_vm_invoke_read(rules_vm *vm, int script, const char *fname, rules_push_fn push,
                         rules_read_fn read, void *ud, rules_error *e);

/*
 * 1 when the value at idx is a table without a metatable (a plain table); otherwise 0
 * with "PATH: FN() returned WHAT (expected a plain table...)" in err, where WHAT names
 * the type or "a table with a metatable" and member (NULL for the result itself) names
 * where in the result it was found. Raw: never calls a metamethod.
 */
int rules_plain_table(lua_State *L, int idx, const char *path, const char *fn,
                      const char *member, char *err, size_t errlen);

/*
 * Run C function fn under a protected call with the usual limits (for host code that
 * builds Lua values, e.g. tables kept in the registry across calls). fn receives ud as
 * a light userdata argument. Returns 0 or -1 with e filled.
 */
int rules_vm_protected(rules_vm *vm, lua_CFunction fn, void *ud, rules_error *e);

/* Instructions used by the last call (rounded to the hook granularity), and live bytes. */
uint64_t rules_vm_instructions_used(const rules_vm *vm);
uint64_t rules_vm_memory_used(const rules_vm *vm);

/* Write "message\ntraceback" into buf. */
void rules_error_format(const rules_error *e, char *buf, size_t len);

/* Fill e with kind and a printf-style message (file/line empty). */
void rules_error_set(rules_error *e, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Worst-case number of steps Lua's matcher may take for pattern p (length plen) on a
 * subject of length slen, saturating at UINT64_MAX. Pure; exposed for tests. plain=1
 * for string.find's plain mode.
 */
uint64_t rules_pattern_cost(const char *p, size_t plen, size_t slen, int plain);

/* print() and cara.log() of scripts: joins the arguments with tabs and hands them to the
 * vm's print hook, cut to RULES_MAX_PRINT bytes (saying how many were cut); past
 * RULES_MAX_PRINT_CALL bytes in one call, one note that the rest is dropped, then
 * nothing until the next call. */
int rules_lua_print(lua_State *L);

/* Charge C-side work of a library function (units: elements handled, or bytes / 8) to the
 * call's instruction budget, checking the deadlines now and then; raises the
 * instruction-limit or deadline error (as the hook does) when over. Call only from C
 * functions that a rule calls, under a rules_vm's protected call. */
void rules_charge(lua_State *L, uint64_t units, const char *what);

/* Opens the `cara` helper library into the table on top of the stack (rules_lib.c). */
void rules_lib_open(lua_State *L);

#endif
