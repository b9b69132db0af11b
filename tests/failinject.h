/*
 * tests/failinject.h: failure injection for the test binary. Makes the N-th allocation or
 * the N-th SQLite call fail, to walk the error paths no other test reaches
 * (tests/test_failinject.c).
 *
 * How (test binary only; cara itself is untouched and pays nothing):
 *   - cara's own allocations: the test binary links with -Wl,--wrap=malloc,calloc,realloc,
 *     strdup,strndup (Makefile, FAILINJECT_WRAP), so every such call in libcara.a and the
 *     tests goes through failinject.c; Lua's too (the sandbox's allocator calls realloc);
 *     jansson's through json_set_alloc_funcs (FI_JSON);
 *   - SQLite's allocations: SQLite's own method, sqlite3_config(SQLITE_CONFIG_MALLOC) with
 *     a wrapping allocator (fi_install restarts SQLite to set it);
 *   - SQLite calls: sqlite3_prepare_v2, sqlite3_step and sqlite3_exec are wrapped too
 *     (--wrap); an injected failure returns SQLITE_IOERR without doing the call.
 * Counting is atomic (a run's shards allocate from several threads). With
 * $CARA_FAILINJECT_TRACE set, the failing call prints its backtrace on stderr.
 */
#ifndef CARA_TESTS_FAILINJECT_H
#define CARA_TESTS_FAILINJECT_H

#include <stdint.h>

enum {
    FI_ALLOC = 1,      /* cara's malloc/calloc/realloc/strdup/strndup, Lua's */
    FI_SQLITE_MEM = 2, /* SQLite's allocations */
    FI_SQLITE_CALL = 4, /* sqlite3_prepare_v2, sqlite3_step, sqlite3_exec */
    /* jansson's allocations. Not for asserting results: jansson's lexer drops a character
     * when growing its token buffer fails (lex_save ignores strbuffer_append_byte's
     * result), so a parse can succeed with a changed key or value. */
    FI_JSON = 8
};

/* Route SQLite's and jansson's allocations through the counters. Call at the start of a
 * test, with no SQLite connection open (Check forks each test, so this is per test). */
void fi_install(void);

/* Count the calls of the kinds in mask (FI_* ORed) from now; the n-th fails (once: the
 * later ones succeed), n = 0 only counts. */
void fi_arm(int mask, int64_t n);

/* Stop counting and failing; returns the calls counted since fi_arm. */
int64_t fi_disarm(void);

/* 1 when the armed failure happened. */
int fi_fired(void);

#endif
