/*
 * tests/test_failinject.c: the error paths of load, run and two service requests, walked
 * by making the N-th allocation or SQLite call fail (failinject.h), for N = 1, 2, ...
 * (every k-th N when there are many, so the suite stays short under ASan).
 *
 * For each N, on the hand-worked world of tests/fixtures/e2e (th_e2e_world):
 *   - no crash (the suite runs under ASan + UBSan in make SANITIZE=1 test);
 *   - either the operation fails cleanly (non-zero exit, a message on its error stream;
 *     a 5xx answer for a request) or it succeeds with the result of the run without
 *     injection (a failure it absorbed must not change the result);
 *   - the store is consistent: a failed load leaves each table as it was before or as
 *     the whole load leaves it (a load is one transaction per file), and loading again
 *     gives the store of the load without injection; a failed run keeps nothing but its
 *     'failed' row in runs, and running again gives the run without injection; a failed
 *     request leaves the store as it was or as the request leaves it.
 */
#include <check.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "load/load.h"
#include "failinject.h"
#include "helpers.h"
#include "serve/srv_api.h"
#include "suites.h"
#include "base/util.h"

/* Not FI_JSON: under it jansson can parse a template into another one (failinject.h),
 * which no caller can detect. */
#define ALL_KINDS (FI_ALLOC | FI_SQLITE_MEM | FI_SQLITE_CALL)

static char dir[64], db_path[128], base_path[128], eps_dir[128];

/* The test double of the service (test_srv_api.c defines srv_source_episodes_dir). */
static int fake_srv;

static void setup(void)
{
    fi_install();
    th_tmpdir(dir, "cara-fi");
    th_e2e_world(dir);
    snprintf(db_path, sizeof db_path, "%s/t.db", dir);
    snprintf(base_path, sizeof base_path, "%s/base.db", dir);
    snprintf(eps_dir, sizeof eps_dir, "%s/episodes", dir);
}

static void teardown(void) { th_rmdir(dir); }

/* Copy base.db over t.db (the store before the operation). */
static void restore(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", base_path, db_path,
             db_path, db_path);
    ck_assert_int_eq(th_sh(cmd), 0);
}

static void keep_as_base(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", db_path, base_path);
    ck_assert_int_eq(th_sh(cmd), 0);
}

/* Every table's row count, "name=count;" in name order (skip: a table left out, or
 * NULL: the names, space-separated), into buf. */
static const char *fingerprint(char *buf, size_t len, const char *skip)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "ORDER BY name", -1, &st, NULL), SQLITE_OK);
    size_t at = 0;
    buf[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (skip && strstr(skip, t)) continue;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t);
        sqlite3_stmt *c;
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &c, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(c), SQLITE_ROW);
        at += (size_t)snprintf(buf + at, len - at, "%s=%lld;", t, sqlite3_column_int64(c, 0));
        ck_assert_uint_lt(at, len);
        sqlite3_finalize(c);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return buf;
}

/* One integer from the store. */
static long long q1(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Each "name=count;" of got lies between the counts of a and b (inclusive). */
static int tables_between(const char *got, const char *a, const char *b)
{
    const char *g = got, *x = a, *y = b;
    while (*g && *x && *y) {
        const char *eg = strchr(g, '='), *ex = strchr(x, '='), *ey = strchr(y, '=');
        if (!eg || !ex || !ey || eg - g != ex - x || ex - x != ey - y || memcmp(g, x, (size_t)(eg - g)))
            return 0;
        long long vg = atoll(eg + 1), vx = atoll(ex + 1), vy = atoll(ey + 1);
        if (vg < (vx < vy ? vx : vy) || vg > (vx > vy ? vx : vy)) return 0;
        g = strchr(g, ';') + 1;
        x = strchr(x, ';') + 1;
        y = strchr(y, ';') + 1;
    }
    return !*g && !*x && !*y;
}

/* The call that fails in the next op() (0: count only, -1: none). */
static int64_t arm_at = -1;

/* Load path (a file, or a folder's input-layer CSVs in dependency order, as cara load
 * does: one transaction per file, the first rejected file stops) into s. */
static int load_path(store *s, const char *path, FILE *err)
{
    load_opts o = {.max_errors = 50, .err = err};
    load_result r;
    if (!util_is_dir(path)) return load_file(s, path, &o, &r) < 0;
    for (int k = 0; k < LOAD_N_KINDS; k++) {
        char *f = util_path_join(path, load_kind_file(k));
        int rc = !f ? (fprintf(err, "out of memory\n"), 1)
                    : util_exists(f) ? load_file(s, f, &o, &r) < 0 : 0;
        free(f);
        if (rc) return 1;
    }
    return 0;
}

/* Load path (NULL: run) on t.db in-process, as cara load or cara run (through the
 * libraries, not the command table: that would link srv_main.o over test_srv_api.c's
 * test doubles); 0, or 1 with its messages in errbuf. */
static int op(const char *path, char *errbuf, size_t errlen)
{
    FILE *err = tmpfile();
    ck_assert_ptr_nonnull(err);
    char e[8192] = "";
    if (arm_at >= 0) fi_arm(ALL_KINDS, arm_at); /* Check's asserts allocate: none armed */
    store *s = NULL;
    int rc = store_open(db_path, path ? STORE_CREATE : 0, &s, e, sizeof e) < 0;
    if (!rc && path) {
        rc = load_path(s, path, err);
    } else if (!rc) {
        engine_opts o = {.episodes_dir = eps_dir, .plugins_dir = getenv("CARA_PLUGINS")};
        int64_t run_id;
        engine_stats st;
        rc = engine_run(s, &o, &run_id, &st, e, sizeof e) < 0;
    }
    if (s) store_close(s);
    fi_disarm();
    fputs(e, err);
    fflush(err);
    rewind(err);
    size_t n = fread(errbuf, 1, errlen - 1, err);
    errbuf[n] = '\0';
    fclose(err);
    return rc;
}

/* The first N to try: 1, or $CARA_FAILINJECT_N (to debug one failure: it is the only
 * one tried then). */
static int64_t first_n(void)
{
    const char *e = getenv("CARA_FAILINJECT_N");
    return e && atoll(e) > 0 ? atoll(e) : 1;
}

/* The N to try out of total calls: at most max of them ($CARA_FAILINJECT_MAX when set),
 * spread over 1..total. */
static int64_t step_for(int64_t total, int max)
{
    if (getenv("CARA_FAILINJECT_N")) return total + 1;
    const char *e = getenv("CARA_FAILINJECT_MAX");
    if (e && atoi(e) > 0) max = atoi(e);
    return total / max > 1 ? total / max : 1;
}

/* ---- load ------------------------------------------------------------------------------ */

static int load_base(char *errbuf, size_t errlen)
{
    char path[128];
    snprintf(path, sizeof path, "%s/data/base", dir);
    return op(path, errbuf, errlen);
}

static int load_runout(char *errbuf, size_t errlen)
{
    char path[128];
    snprintf(path, sizeof path, "%s/data/runout/medical_claim.csv", dir);
    return op(path, errbuf, errlen);
}

/* Each N over load() from base.db. One file (one_file) loads whole or not at all: the
 * store is then exactly as before; a folder loads file by file: each table between. */
static void walk_load(int (*load)(char *, size_t), int one_file)
{
    char e[8192], before[2048], after[2048], got[2048];
    restore();
    fingerprint(before, sizeof before, NULL);
    arm_at = 0;
    int rc = load(e, sizeof e);
    arm_at = -1;
    int64_t total = fi_disarm();
    ck_assert_msg(rc == 0, "load: %s", e);
    fingerprint(after, sizeof after, NULL);
    ck_assert_str_ne(before, after);
    int64_t step = step_for(total, 100), tried = 0;
    for (int64_t n = first_n(); n <= total; n += step) {
        restore();
        arm_at = n;
        rc = load(e, sizeof e);
        arm_at = -1;
        if (!fi_fired()) continue;
        tried++;
        fingerprint(got, sizeof got, NULL);
        if (rc != 0) {
            ck_assert_msg(rc == 1, "N=%lld: exit %d", (long long)n, rc);
            ck_assert_msg(e[0] != '\0', "N=%lld: failed with no message", (long long)n);
            ck_assert_msg(one_file ? strcmp(got, before) == 0 : tables_between(got, before, after),
                          "N=%lld: store after a failed load: %s\nbefore: %s\nafter:  %s\n(%s)",
                          (long long)n, got, before, after, e);
            rc = load(e, sizeof e);
            ck_assert_msg(rc == 0, "N=%lld: loading again: %s", (long long)n, e);
            fingerprint(got, sizeof got, NULL);
        }
        ck_assert_msg(strcmp(got, after) == 0, "N=%lld (exit %d): %s\nwant %s", (long long)n, rc,
                      got, after);
    }
    ck_assert_int_ge(tried, (getenv("CARA_FAILINJECT_N") ? 0 : 10));
}

START_TEST(test_load)
{
    store *s;
    char oe[256], e[8192];
    ck_assert_int_eq(store_open(db_path, STORE_CREATE, &s, oe, sizeof oe), 0);
    store_close(s);
    keep_as_base();
    walk_load(load_base, 0);
    restore();
    ck_assert_msg(load_base(e, sizeof e) == 0, "load: %s", e);
    keep_as_base();
    walk_load(load_runout, 1);
}
END_TEST

/* ---- run ------------------------------------------------------------------------------- */

static void load_all(void)
{
    char e[8192];
    ck_assert_msg(load_base(e, sizeof e) == 0, "load: %s", e);
    ck_assert_msg(load_runout(e, sizeof e) == 0, "load runout: %s", e);
}

/* The results of the latest run, as one line (its episodes' targets and actuals). */
static long long results(void)
{
    return q1("SELECT coalesce(sum(coalesce(target_cents, 0) * 3 + coalesce(actual_cents, 0)), 0) "
              "+ count(*) FROM run_episodes WHERE run_id = (SELECT max(run_id) FROM runs)");
}

/* What a failed run keeps by design: its row in runs (status 'failed', its message), with
 * the run_sources row its insert adds (the run is where its own rows are), and the
 * record of the files it read (run_files, their bytes in contents), written when it
 * starts. Its results (run_episodes, run_arrangements, run_leakage, run_components) go. */
#define RUN_RECORD " runs run_sources run_files contents "

static int run_quiet(char *e, size_t elen)
{
    return op(NULL, e, elen);
}

START_TEST(test_run)
{
    char e[8192], before[2048], after[2048], got[2048];
    load_all();
    keep_as_base();
    fingerprint(before, sizeof before, RUN_RECORD);
    arm_at = 0;
    int rc = run_quiet(e, sizeof e);
    arm_at = -1;
    int64_t total = fi_disarm();
    ck_assert_msg(rc == 0, "run: %s", e);
    fingerprint(after, sizeof after, RUN_RECORD);
    long long want = results();
    ck_assert_int_gt(want, 0);
    int64_t step = step_for(total, 100), tried = 0;
    for (int64_t n = first_n(); n <= total; n += step) {
        restore();
        arm_at = n;
        rc = run_quiet(e, sizeof e);
        arm_at = -1;
        if (!fi_fired()) continue;
        tried++;
        if (rc != 0) {
            ck_assert_msg(rc == 1, "N=%lld: exit %d", (long long)n, rc);
            ck_assert_msg(e[0] != '\0', "N=%lld: failed with no message", (long long)n);
            fingerprint(got, sizeof got, RUN_RECORD);
            ck_assert_msg(strcmp(got, before) == 0, "N=%lld: a failed run kept %s\nbefore: %s\n(%s)",
                          (long long)n, got, before, e);
            ck_assert_msg(q1("SELECT count(*) FROM runs WHERE status = 'done'") == 0,
                          "N=%lld: a failed run is marked done (%s)", (long long)n, e);
            rc = run_quiet(e, sizeof e);
            ck_assert_msg(rc == 0, "N=%lld: running again: %s", (long long)n, e);
        } else {
            fingerprint(got, sizeof got, RUN_RECORD);
            ck_assert_msg(strcmp(got, after) == 0, "N=%lld: a run that absorbed the failure "
                          "kept %s\nwant %s", (long long)n, got, after);
        }
        ck_assert_msg(results() == want, "N=%lld (exit %d): results %lld, want %lld", (long long)n,
                      rc, results(), want);
    }
    ck_assert_int_ge(tried, (getenv("CARA_FAILINJECT_N") ? 0 : 10));
}
END_TEST

/* ---- service requests -------------------------------------------------------------------- */

/* Call h as CMS with path capture p0 and body (NULL: a GET); the status, *rows the size of
 * the answer's "rows" (-1 when none). */
static char last_error[512]; /* the last answer's error message */

static int call(srv_handler h, const char *p0, const char *body, long long *rows, int64_t fail_at)
{
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.s = (srv *)&fake_srv;
    rq.method = body ? "POST" : "GET";
    rq.path = "/v1/test";
    rq.params[0] = p0;
    rq.n_params = p0 ? 1 : 0;
    rq.body = body ? body : "";
    rq.body_len = body ? strlen(body) : 0;
    rq.role.kind = SRV_CMS;
    util_strlcpy(rq.role.token_id, "tok1", sizeof rq.role.token_id);
    rq.episodes_dir = eps_dir;
    rq.plugins_dir = getenv("CARA_PLUGINS");
    char e[256];
    ck_assert_int_eq(store_open(db_path, 0, &rq.db, e, sizeof e), 0); /* the service's */
    srv_resp rs = {.status = 200};
    fi_arm(ALL_KINDS, fail_at);
    h(&rq, &rs);
    if (!rs.json && rs.text && rs.content_type && !strcmp(rs.content_type, "application/json"))
        rs.json = json_loads(rs.text, 0, NULL); /* an answer written as JSON text */
    json_t *r = rs.json ? json_object_get(rs.json, "rows") : NULL;
    *rows = r ? (long long)json_array_size(r) : -1;
    fi_disarm();
    store_close(rq.db);
    if (rs.status < 400 && !rs.json) rs.status = -1; /* a success must have its body */
    const char *m = json_string_value(json_object_get(json_object_get(rs.json, "error"), "message"));
    util_strlcpy(last_error, m ? m : "", sizeof last_error);
    free(rs.text);
    json_decref(rs.json);
    return rs.status;
}

/* Each N over one request: a success like the one without injection, or a 5xx with the
 * store as it was before or as the request leaves it. */
static void requests(srv_handler h, const char *p0, const char *body, int ok_status)
{
    char before[2048], after[2048], got[2048];
    fingerprint(before, sizeof before, NULL);
    long long want_rows, rows;
    int st = call(h, p0, body, &want_rows, 0);
    int64_t total = fi_disarm();
    ck_assert_int_eq(st, ok_status);
    fingerprint(after, sizeof after, NULL);
    int64_t step = step_for(total, 100), tried = 0;
    for (int64_t n = first_n(); n <= total; n += step) {
        restore();
        st = call(h, p0, body, &rows, n);
        if (!fi_fired()) continue;
        tried++;
        fingerprint(got, sizeof got, NULL);
        if (st == ok_status) {
            ck_assert_msg(rows == want_rows, "N=%lld: %lld rows, want %lld", (long long)n, rows,
                          want_rows);
            ck_assert_msg(strcmp(got, after) == 0, "N=%lld: a run that absorbed the failure "
                          "kept %s\nwant %s", (long long)n, got, after);
        } else {
            /* 5xx, or a 4xx: jansson reports an allocation failing in the middle of a parse
             * (of a template, say) as a syntax error, which the handlers answer as the
             * request's fault */
            ck_assert_msg(st >= 400, "N=%lld: status %d (%s)", (long long)n, st, last_error);
            ck_assert_msg(strcmp(got, before) == 0 || strcmp(got, after) == 0,
                          "N=%lld: store after a failed request: %s\nbefore: %s\nafter:  %s",
                          (long long)n, got, before, after);
        }
    }
    ck_assert_int_ge(tried, (getenv("CARA_FAILINJECT_N") ? 0 : 10));
}

START_TEST(test_serve)
{
    char e[8192];
    load_all();
    ck_assert_msg(run_quiet(e, sizeof e) == 0, "run: %s", e);
    keep_as_base();
    requests(api_report, "episode", NULL, 200);
    restore();
    /* an EBRA offer for a registered provider with none yet (as test_srv_api.c's) */
    char npi[32], tin[32], body[1024];
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT npi, tin FROM providers p WHERE NOT EXISTS "
                                            "(SELECT 1 FROM arrangements e WHERE e.npi = p.npi) "
                                            "ORDER BY npi LIMIT 1", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    util_strlcpy(npi, (const char *)sqlite3_column_text(st, 0), sizeof npi);
    util_strlcpy(tin, (const char *)sqlite3_column_text(st, 1), sizeof tin);
    sqlite3_finalize(st);
    sqlite3_close(db);
    snprintf(body, sizeof body, "{\"arrangement_id\": \"X1\", \"aco_id\": \"A1\", \"npi\": \"%s\", "
             "\"tin\": \"%s\", \"template_id\": \"falls_prevention\", \"start_date\": "
             "\"2029-01-01\", \"discount_bps\": 100}", npi, tin);
    requests(api_ebra_offer, NULL, body, 201);
}
END_TEST

Suite *suite_failinject(void)
{
    Suite *s = suite_create("failinject");
    /* one case each, so that CK_RUN_CASE=run (say) runs one */
    const char *names[] = {"load", "run", "serve"};
    const TTest *tests[] = {test_load, test_run, test_serve};
    for (size_t i = 0; i < 3; i++) {
        TCase *tc = tcase_create(names[i]);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}
