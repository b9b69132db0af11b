/*
 * tests/failinject.c: the wrappers of failinject.h.
 */
#include "failinject.h"

#include <execinfo.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
                              const char **tail);
int __real_sqlite3_step(sqlite3_stmt *st);
int __real_sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
                        void *ud, char **errmsg);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
                              const char **tail);
int __wrap_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
                        void *ud, char **errmsg);

static int armed_mask;       /* FI_* being counted (0: off) */
static int64_t fail_at;      /* the call that fails (0: none) */
static int64_t seen;         /* calls counted */
static int fired;

/* 1 when this call, of kind k, is the one to fail. */
static int hit(int k)
{
    if (!(__atomic_load_n(&armed_mask, __ATOMIC_RELAXED) & k)) return 0;
    int64_t c = __atomic_add_fetch(&seen, 1, __ATOMIC_RELAXED);
    if (c != __atomic_load_n(&fail_at, __ATOMIC_RELAXED)) return 0;
    __atomic_store_n(&fired, 1, __ATOMIC_RELAXED);
    if (getenv("CARA_FAILINJECT_TRACE")) { /* where it failed, for debugging */
        void *pcs[32];
        int n = backtrace(pcs, 32);
        dprintf(2, "failinject: call %lld (kind %d) fails here:\n", (long long)c, k);
        backtrace_symbols_fd(pcs, n, 2);
    }
    return 1;
}

void fi_arm(int mask, int64_t n)
{
    __atomic_store_n(&armed_mask, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&seen, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST);
    __atomic_store_n(&armed_mask, mask, __ATOMIC_SEQ_CST);
}

int64_t fi_disarm(void)
{
    __atomic_store_n(&armed_mask, 0, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&seen, __ATOMIC_SEQ_CST);
}

int fi_fired(void) { return __atomic_load_n(&fired, __ATOMIC_SEQ_CST); }

void *__wrap_malloc(size_t n) { return hit(FI_ALLOC) ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return hit(FI_ALLOC) ? NULL : __real_calloc(n, m); }
/* realloc(p, 0) frees (Lua's allocator relies on that): never fail a free. */
void *__wrap_realloc(void *p, size_t n)
{
    return n && hit(FI_ALLOC) ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s) { return hit(FI_ALLOC) ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return hit(FI_ALLOC) ? NULL : __real_strndup(s, n); }

int __wrap_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
                              const char **tail)
{
    if (hit(FI_SQLITE_CALL)) {
        *st = NULL;
        return SQLITE_IOERR;
    }
    return __real_sqlite3_prepare_v2(db, sql, n, st, tail);
}

int __wrap_sqlite3_step(sqlite3_stmt *st) { return hit(FI_SQLITE_CALL) ? SQLITE_IOERR : __real_sqlite3_step(st); }

int __wrap_sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
                        void *ud, char **errmsg)
{
    if (hit(FI_SQLITE_CALL)) {
        if (errmsg) *errmsg = sqlite3_mprintf("injected failure");
        return SQLITE_IOERR;
    }
    return __real_sqlite3_exec(db, sql, cb, ud, errmsg);
}

/* ---- SQLite's and jansson's allocators ---------------------------------------------- */

static sqlite3_mem_methods sq_orig;
static void *sq_malloc(int n) { return hit(FI_SQLITE_MEM) ? NULL : sq_orig.xMalloc(n); }
static void *sq_realloc(void *p, int n) { return hit(FI_SQLITE_MEM) ? NULL : sq_orig.xRealloc(p, n); }
static void *js_malloc(size_t n) { return hit(FI_JSON) ? NULL : __real_malloc(n); }

void fi_install(void)
{
    static int done;
    if (done) return;
    ck_assert_int_eq(sqlite3_shutdown(), SQLITE_OK);
    ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sq_orig), SQLITE_OK);
    sqlite3_mem_methods m = sq_orig;
    m.xMalloc = sq_malloc;
    m.xRealloc = sq_realloc;
    ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
    ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0), SQLITE_OK);
    ck_assert_int_eq(sqlite3_initialize(), SQLITE_OK);
    json_set_alloc_funcs(js_malloc, free);
    done = 1;
}
