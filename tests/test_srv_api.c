/*
 * tests/test_srv_api.c: the HTTP API's resource handlers (srv_api.h), called directly
 * with hand-made requests on a store built by the real binary from a small synthetic
 * dataset (300 beneficiaries, seed 3): each role's scope, 400/403/404/409/422 answers,
 * an EBRA's offer -> accept -> end -> history with its audit rows, overlays, rules/try.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "serve/srv_api.h"
#include "serve/srv_cache.h"
#include "serve/srv_json.h"
#include "serve/srv_dirs.h"
#include "store/store_conn.h"
#include "suites.h"
#include "base/util.h"

static char dir[64], db_path[128], src_dir[128];
static int fake_srv;

/* Test double of the service's source episodes directory (srv_main.c has the real one;
 * weak so that a test binary linking srv_main.o uses that one). */
__attribute__((weak)) const char *srv_source_episodes_dir(const srv *s)
{
    return s == (const srv *)&fake_srv ? src_dir : NULL;
}

/* Test double of the service's state folder: none (rules/try uses $TMPDIR then). */
__attribute__((weak)) const char *srv_state_dir(const srv *s)
{
    (void)s;
    return NULL;
}

/* Test doubles of the answers the service keeps and of its audit lock: none, unless a
 * test sets test_cache (then the handlers keep and serve answers as the service does). */
static struct srv_cache *test_cache;
__attribute__((weak)) struct srv_cache *srv_cache_of(const srv *s)
{
    return s == (const srv *)&fake_srv ? test_cache : NULL;
}

__attribute__((weak)) uv_mutex_t *srv_audit_lock_of(srv *s)
{
    (void)s;
    return NULL;
}

static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void build_store(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-srvapi-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/D/t.db", dir);
    snprintf(src_dir, sizeof src_dir, "%s/src", dir);
    char cmd[2048];
    const char *bin = getenv("CARA_BIN"), *eps = getenv("CARA_EPISODES"), *pl = getenv("CARA_PLUGINS");
    ck_assert_msg(bin && eps && pl, "CARA_BIN, CARA_EPISODES, CARA_PLUGINS (run through make test)");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cp -R '%s' src && B='%s' && O=\"--episodes '%s' --plugins '%s'\" && "
             "$B synth --out D --beneficiaries 300 --seed 3 >/dev/null 2>&1 && "
             "eval $B --db D/t.db $O load D >/dev/null 2>&1 && eval $B --db D/t.db $O run "
             ">/dev/null 2>&1",
             dir, eps, bin, eps, pl);
    ck_assert_int_eq(sh(cmd), 0);
}

static void remove_store(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* One value from the store (first column of the first row; text copied to buf). */
static long long qi(const char *sql)
{
    store *s;
    char e[256];
    ck_assert_int_eq(store_open(db_path, 0, &s, e, sizeof e), 0);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    store_close(s);
    return v;
}

static const char *qs(const char *sql, char *buf, size_t len)
{
    store *s;
    char e[256];
    ck_assert_int_eq(store_open(db_path, 0, &s, e, sizeof e), 0);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    buf[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        util_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), len);
    sqlite3_finalize(st);
    store_close(s);
    return buf;
}

/* Call handler h as role kind/id with path captures p0/p1, query "k=v&k=v" (no
 * decoding) and body; returns the status, the JSON body in *out (caller decrefs) or,
 * for a text answer, NULL there and the text in *text (caller frees; text may be NULL
 * when a JSON answer is required). */
static int call_any(srv_handler h, int kind, const char *id, const char *p0, const char *p1,
                    const char *query, const char *body, json_t **out, char **text)
{
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.s = (srv *)&fake_srv;
    rq.method = body ? "POST" : "GET";
    rq.path = "/v1/test";
    rq.params[0] = p0;
    rq.params[1] = p1;
    rq.n_params = p1 ? 2 : p0 ? 1 : 0;
    rq.body = body ? body : "";
    rq.body_len = body ? strlen(body) : 0;
    rq.role.kind = kind;
    util_strlcpy(rq.role.id, id ? id : "", sizeof rq.role.id);
    util_strlcpy(rq.role.token_id, "tok1", sizeof rq.role.token_id);
    rq.episodes_dir = getenv("CARA_EPISODES");
    rq.plugins_dir = getenv("CARA_PLUGINS");
    char qbuf[512], *keys[8], *vals[8];
    int n = 0;
    if (query) {
        util_strlcpy(qbuf, query, sizeof qbuf);
        for (char *save = NULL, *kv = strtok_r(qbuf, "&", &save); kv && n < 8;
             kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            if (!eq) continue;
            *eq = '\0';
            keys[n] = kv;
            vals[n++] = eq + 1;
        }
    }
    rq.qkeys = (const char *const *)keys;
    rq.qvals = (const char *const *)vals;
    rq.n_query = n;
    char e[256];
    ck_assert_int_eq(store_open(db_path, 0, &rq.db, e, sizeof e), 0);
    srv_resp rs = {.status = 200};
    h(&rq, &rs);
    store_close(rq.db);
    if (!rs.json && rs.text && !text && rs.content_type && !strcmp(rs.content_type, "application/json")) {
        /* an answer written as JSON text (a kept report, the episode list) */
        json_error_t je;
        rs.json = json_loads(rs.text, 0, &je);
        ck_assert_msg(rs.json != NULL, "not JSON: %s", je.text);
        free(rs.text);
        rs.text = NULL;
    }
    if (text) *text = rs.text;
    else free(rs.text);
    ck_assert_msg(rs.json != NULL || (text && rs.text), "no JSON body (status %d)", rs.status);
    *out = rs.json;
    return rs.status;
}

static int call(srv_handler h, int kind, const char *id, const char *p0, const char *p1,
                const char *query, const char *body, json_t **out)
{
    return call_any(h, kind, id, p0, p1, query, body, out, NULL);
}

static const char *err_code(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

/* ---- reports ------------------------------------------------------------------------------ */

START_TEST(test_reports_scope)
{
    json_t *j;
    long long all = qi("SELECT count(*) FROM run_episodes WHERE run_id = 1");
    long long a1 = qi("SELECT count(*) FROM run_episodes WHERE run_id = 1 AND aco_id = 'A0001'");
    ck_assert_int_gt(all, a1);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "run_id")), 1);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "rows")), all);
    json_t *row = json_array_get(json_object_get(j, "rows"), 0);
    ck_assert(json_is_integer(json_object_get(row, "actual_cents")));
    ck_assert_ptr_nonnull(json_object_get(row, "exclusion_reason"));
    json_decref(j);
    /* an ACO sees its own; asking for another ACO is 403 */
    ck_assert_int_eq(call(api_report, SRV_ACO, "A0001", "episode", NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "rows")), a1);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_ACO, "A0001", "aco", NULL, "aco=A0002", NULL, &j), 403);
    ck_assert_str_eq(err_code(j), "forbidden");
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_ACO, "A0001", "aco", NULL, "aco=A0001", NULL, &j), 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 1);
    json_decref(j);
    /* a provider: its episodes; not the ACO or leakage totals; not another NPI */
    char npi[32];
    qs("SELECT npi FROM run_episodes WHERE npi IS NOT NULL LIMIT 1", npi, sizeof npi);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM run_episodes WHERE run_id = 1 AND npi = '%s'", npi);
    ck_assert_int_eq(call(api_report, SRV_PROVIDER, npi, "episode", NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "rows")), qi(sql));
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_PROVIDER, npi, "leakage", NULL, NULL, NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_PROVIDER, npi, "aco", NULL, NULL, NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_PROVIDER, npi, "episode", NULL, "npi=1234567893", NULL, &j), 403);
    json_decref(j);
    /* bad report, unknown run, run not done */
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "nope", NULL, NULL, NULL, &j), 400);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "leakage"));
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "run=99", NULL, &j), 404);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "run=x1", NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(qi("INSERT INTO runs (run_id, started_at, status, episodes_dir) VALUES "
                        "(50, 'now', 'running', 'x') RETURNING run_id"), 50);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "run=50", NULL, &j), 409);
    json_decref(j);
    /* the latest done run is still 1; the episode report was audited */
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "arrangement", NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "run_id")), 1);
    json_decref(j);
    ck_assert_int_ge(qi("SELECT count(*) FROM audit_log WHERE action = 'report.read'"), 3);
}
END_TEST

/* Filters that name nothing: 400 when malformed or not taken by the report, 404 when
 * unknown; a valid filter that matches nothing is 200 with a note saying why. Episode
 * rows carry arrangement_id. */
START_TEST(test_report_filters)
{
    json_t *j;
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "aco=NOPE", NULL, &j), 404);
    ck_assert_str_eq(err_code(j), "not_found");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"),
                                                                   "message")), "aco: no ACO 'NOPE'"));
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "arrangement", NULL, "npi=1234567890", NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "template=nope", NULL, &j), 404);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "arrangement=NOPE9", NULL, &j), 404);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "period=20x7", NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "aco", NULL, "npi=1234567893", NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, "aco=NOPE", NULL, &j), 404);
    json_decref(j);
    /* a valid period the run does not cover: empty, with the reason */
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, "period=2035", NULL, &j), 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 0);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "note")),
                                 "no episodes in period 2035 in run 1; run 1 covers period "));
    ck_assert(json_is_null(json_object_get(j, "run_with_rows")));
    json_decref(j);
    /* every episode row names its arrangement (null when unattributed) */
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, NULL, NULL, &j), 200);
    size_t i, with = 0;
    json_t *row;
    json_array_foreach(json_object_get(j, "rows"), i, row)
    {
        json_t *a = json_object_get(row, "arrangement_id");
        ck_assert(a && (json_is_null(a) || json_is_string(a)));
        with += json_is_string(a);
    }
    ck_assert_int_eq((long long)with, qi("SELECT count(*) FROM run_episodes WHERE run_id = 1 AND "
                                         "arrangement_id IS NOT NULL"));
    json_decref(j);
}
END_TEST

/* ---- episodes ----------------------------------------------------------------------------- */

START_TEST(test_episodes_list)
{
    json_t *j;
    long long all = qi("SELECT count(*) FROM run_episodes WHERE run_id = 1");
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, "limit=10&offset=5", NULL, &j), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), all);
    ck_assert_int_eq(json_array_size(json_object_get(j, "episodes")), 10);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "offset")), 5);
    json_decref(j);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, "status=excluded", NULL, &j), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total")),
                     qi("SELECT count(*) FROM run_episodes WHERE status = 'excluded'"));
    json_decref(j);
    long long a3 = qi("SELECT count(*) FROM run_episodes WHERE aco_id = 'A0003'");
    ck_assert_int_eq(call(api_episodes_list, SRV_ACO, "A0003", NULL, NULL, "limit=1000", NULL, &j), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), a3);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "episodes")), a3);
    json_decref(j);
    ck_assert_int_eq(call(api_episodes_list, SRV_ACO, "A0003", NULL, NULL, "aco=A0001", NULL, &j), 403);
    json_decref(j);
    const char *bad[] = {"limit=0", "limit=1001", "limit=ten", "offset=-1", "status=open", "run=-3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, bad[i], NULL, &j), 400);
        json_decref(j);
    }
    /* pages of 7 under each filter, put together, are the episode report's rows with that
     * filter, in its order (the list's SQL names only the filters given) */
    const char *filters[] = {"aco=A0001", "status=final", "template=falls_prevention&period=2027",
                             "aco=A0002&status=excluded", ""};
    for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
        json_t *rep;
        const char *st = strstr(filters[f], "status=");
        char rq[128];
        snprintf(rq, sizeof rq, "%.*s", st ? (int)(st - filters[f]) : (int)strlen(filters[f]),
                 filters[f]);
        size_t l = strlen(rq);
        if (l && rq[l - 1] == '&') rq[l - 1] = '\0';
        ck_assert_int_eq(call(api_report, SRV_CMS, "", "episode", NULL, rq, NULL, &rep), 200);
        json_t *want = json_array(), *r;
        size_t i;
        json_array_foreach(json_object_get(rep, "rows"), i, r)
            if (!st || !strcmp(json_string_value(json_object_get(r, "status")), st + 7))
                json_array_append(want, r);
        json_decref(rep);
        size_t got = 0;
        for (int off = 0;; off += 7) {
            char q[200];
            snprintf(q, sizeof q, "%s%slimit=7&offset=%d", filters[f], *filters[f] ? "&" : "", off);
            ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, q, NULL, &j), 200);
            ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), (long long)json_array_size(want));
            json_t *page = json_object_get(j, "episodes");
            json_array_foreach(page, i, r)
            {
                ck_assert_msg(json_equal(json_object_get(r, "episode_id"),
                                         json_object_get(json_array_get(want, got), "episode_id")),
                              "filter %s: row %zu differs", filters[f], got);
                got++;
            }
            size_t n = json_array_size(page);
            json_decref(j);
            if (n < 7) break;
        }
        ck_assert_uint_eq(got, json_array_size(want));
        json_decref(want);
    }
}
END_TEST

/* Several statements on the store (foreign keys on: a deleted run takes its rows). */
static void exec_sql(const char *sql)
{
    store *s;
    char e[256];
    ck_assert_int_eq(store_open(db_path, 0, &s, e, sizeof e), 0);
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg ? msg : "");
    store_close(s);
}

/* Walk the list with query q (may be "") by cursor, limit per page: every episode_id, in
 * order, into got (a new array); checks each page's total and that next is null exactly
 * on the last page (and never after a short page). Returns the number of pages. */
static int walk(int kind, const char *id, const char *q, int limit, json_t **got)
{
    char cursor[2048] = "", query[2600];
    int pages = 0;
    long long total = -1;
    *got = json_array();
    for (;;) {
        snprintf(query, sizeof query, "%s%slimit=%d%s%s", q, *q ? "&" : "", limit,
                 cursor[0] ? "&after=" : "", cursor);
        json_t *j;
        ck_assert_int_eq(call(api_episodes_list, kind, id, NULL, NULL, query, NULL, &j), 200);
        pages++;
        long long t = json_integer_value(json_object_get(j, "total"));
        if (total >= 0) ck_assert_int_eq(t, total); /* the same total on every page */
        total = t;
        json_t *page = json_object_get(j, "episodes"), *r;
        size_t i;
        json_array_foreach(page, i, r) json_array_append(*got, json_object_get(r, "episode_id"));
        json_t *next = json_object_get(j, "next");
        ck_assert_ptr_nonnull(next); /* always there: a string, or null on the last page */
        if (json_is_null(next)) {
            ck_assert_int_eq((long long)json_array_size(*got), total);
            json_decref(j);
            return pages;
        }
        ck_assert_int_eq((int)json_array_size(page), limit); /* only a full page has a next */
        util_strlcpy(cursor, json_string_value(next), sizeof cursor);
        json_decref(j);
        ck_assert_int_lt(pages, 100000);
    }
}

/* The episode_ids of run_episodes for where, in the list's order. */
static json_t *ids_of(const char *where)
{
    store *s;
    char e[256], sql[512];
    ck_assert_int_eq(store_open(db_path, 0, &s, e, sizeof e), 0);
    snprintf(sql, sizeof sql, "SELECT episode_id FROM run_episodes WHERE %s ORDER BY template_id, "
             "person_id, trigger_date, episode_id", where);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    json_t *a = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    store_close(s);
    return a;
}

START_TEST(test_episodes_keyset)
{
    /* by cursor, every row exactly once, in the list's order, under each filter and page
     * size (1: every boundary, also inside one beneficiary's episodes, whose key ties on
     * template and person) */
    const struct { int kind; const char *id, *q, *where; } cases[] = {
        {SRV_CMS, "", "", "run_id = 1"},
        {SRV_ACO, "A0001", "", "run_id = 1 AND aco_id = 'A0001'"},
        {SRV_CMS, "", "status=excluded", "run_id = 1 AND status = 'excluded'"},
        {SRV_CMS, "", "template=falls_prevention&period=2027",
         "run_id = 1 AND template_id = 'falls_prevention' AND substr(trigger_date, 1, 4) = '2027'"},
        {SRV_CMS, "", "period=2035", "run_id = 1 AND 0"}, /* empty: one page, next null */
    };
    const int limits[] = {1, 7, 1000};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        json_t *want = ids_of(cases[c].where);
        for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
            if (limits[l] == 1 && json_array_size(want) > 400) continue; /* enough with 7 */
            json_t *got;
            int pages = walk(cases[c].kind, cases[c].id, cases[c].q, limits[l], &got);
            ck_assert_msg(json_equal(got, want), "case %zu limit %d: the walk differs", c, limits[l]);
            size_t n = json_array_size(want);
            /* a full last page has no next either (the page reads one row more to know) */
            ck_assert_int_eq(pages, n == 0 ? 1 : (int)((n + (size_t)limits[l] - 1) / (size_t)limits[l]));
            json_decref(got);
        }
        json_decref(want);
    }
    /* a beneficiary with several episodes: page 1 by 1 (ties on template and person) */
    char person[64], where[160];
    qs("SELECT person_id FROM run_episodes WHERE run_id = 1 GROUP BY person_id HAVING count(*) > 1 "
       "ORDER BY person_id LIMIT 1", person, sizeof person);
    ck_assert_str_ne(person, "");
    char q[128];
    snprintf(q, sizeof q, "person=%s", person);
    snprintf(where, sizeof where, "run_id = 1 AND person_id = '%s'", person);
    json_t *want = ids_of(where), *got;
    ck_assert_int_ge((int)json_array_size(want), 2);
    walk(SRV_CMS, "", q, 1, &got);
    ck_assert(json_equal(got, want));
    json_decref(got);
    json_decref(want);

    /* after + offset: offset rows skipped past the cursor; the cursor of the last row: an
     * empty page, next null */
    json_t *j, *k;
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, "limit=3", NULL, &j), 200);
    char cur[2048], qq[2200];
    util_strlcpy(cur, json_string_value(json_object_get(j, "next")), sizeof cur);
    json_decref(j);
    snprintf(qq, sizeof qq, "limit=2&offset=4&after=%s", cur);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, qq, NULL, &j), 200);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, "limit=2&offset=7", NULL, &k), 200);
    ck_assert(json_equal(json_object_get(j, "episodes"), json_object_get(k, "episodes")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "offset")), 4);
    json_decref(j);
    json_decref(k);
    long long all = qi("SELECT count(*) FROM run_episodes WHERE run_id = 1");
    snprintf(qq, sizeof qq, "limit=1&offset=%lld", all - 2);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, qq, NULL, &j), 200);
    util_strlcpy(cur, json_string_value(json_object_get(j, "next")), sizeof cur); /* of row all-2 */
    json_decref(j);
    snprintf(qq, sizeof qq, "limit=5&after=%s", cur);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, qq, NULL, &j), 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "episodes")), 1); /* the last row */
    ck_assert(json_is_null(json_object_get(j, "next")));
    json_decref(j);

    /* a bad cursor, or one of another list (other filters, another scope, another run):
     * 400 naming the parameter and the value */
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, "limit=3&aco=A0001", NULL, &j), 200);
    util_strlcpy(cur, json_string_value(json_object_get(j, "next")), sizeof cur);
    json_decref(j);
    const char *bad[] = {"after=zzz", "after=ZTEfMQ", "after=%%%", "after=", "after=ZTIfMR8w"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, bad[i], NULL, &j), 400);
        const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        ck_assert_msg(m && !strncmp(m, "after: \"", 8) && strstr(m, bad[i] + 6), "%s: %s", bad[i], m);
        json_decref(j);
    }
    snprintf(qq, sizeof qq, "aco=A0002&after=%s", cur);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, qq, NULL, &j), 400);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                                 "another list"));
    json_decref(j);
    snprintf(qq, sizeof qq, "after=%s", cur); /* an ACO token of another ACO */
    ck_assert_int_eq(call(api_episodes_list, SRV_ACO, "A0002", NULL, NULL, qq, NULL, &j), 400);
    json_decref(j);
    snprintf(qq, sizeof qq, "aco=A0001&after=%s", cur); /* the ACO's own token: its list */
    ck_assert_int_eq(call(api_episodes_list, SRV_ACO, "A0001", NULL, NULL, qq, NULL, &j), 200);
    json_decref(j);

    /* a run that shares another's rows (an incremental run, schema 22): run 60 stores one
     * beneficiary's episodes itself and reads the rest from run 1; the walk merges both
     * in order, as the run_episodes view resolves them */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO runs (run_id, started_at, status, episodes_dir) VALUES (60, 'now', "
             "'done', 'x'); INSERT INTO run_sources (run_id, src_run_id) VALUES (60, 1); "
             "INSERT INTO run_own_people (run_id, person_id) VALUES (60, '%s'); "
             "CREATE TEMP TABLE x AS SELECT * FROM run_episode_rows WHERE run_id = 1 AND person_id = '%s'; "
             "UPDATE x SET run_id = 60, actual_cents = actual_cents + 1; "
             "INSERT INTO run_episode_rows SELECT * FROM x;", person, person);
    exec_sql(sql);
    want = ids_of("run_id = 60");
    ck_assert_int_eq((long long)json_array_size(want), all);
    walk(SRV_CMS, "", "run=60", 7, &got);
    ck_assert(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    snprintf(qq, sizeof qq, "run=60&person=%s", person); /* run 60's own copies */
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, qq, NULL, &j), 200);
    snprintf(sql, sizeof sql, "SELECT actual_cents FROM run_episode_rows WHERE run_id = 60 AND "
             "person_id = '%s' ORDER BY template_id, trigger_date, episode_id LIMIT 1", person);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "episodes"), 0),
                                                        "actual_cents")), qi(sql));
    json_decref(j);
    /* a cursor of run 1 is not one of run 60's list */
    snprintf(qq, sizeof qq, "run=60&aco=A0001&after=%s", cur);
    ck_assert_int_eq(call(api_episodes_list, SRV_CMS, "", NULL, NULL, qq, NULL, &j), 400);
    json_decref(j);
    exec_sql("DELETE FROM runs WHERE run_id = 60;");
    ck_assert_int_eq(qi("SELECT count(*) FROM run_episode_rows WHERE run_id = 60"), 0);
}
END_TEST

/* Kept answers (srv_cache.h): the same bytes as computed ones, and computed again once
 * what they are computed from changes (the results clock). */
START_TEST(test_kept_answers)
{
    char *a = NULL, *b = NULL, *c = NULL;
    json_t *j;
    ck_assert_int_eq(call_any(api_report, SRV_ACO, "A0001", "leakage", NULL, "aco=A0001", NULL, &j, &a), 200);
    ck_assert_ptr_nonnull(a);
    test_cache = srv_cache_new();
    ck_assert_int_eq(call_any(api_report, SRV_ACO, "A0001", "leakage", NULL, "aco=A0001", NULL, &j, &b), 200);
    ck_assert_str_eq(a, b); /* computed and kept */
    free(b);
    ck_assert_int_eq(call_any(api_report, SRV_ACO, "A0001", "leakage", NULL, "aco=A0001", NULL, &j, &b), 200);
    ck_assert_str_eq(a, b); /* served from the cache */
    free(b);
    /* the leakage report names providers: a rename is seen at once */
    char npi[32], sql[256];
    qs("SELECT l.npi FROM run_leakage l JOIN providers p ON p.npi = l.npi AND p.tin = l.tin WHERE "
       "l.run_id = 1 AND l.aco_id = 'A0001' LIMIT 1", npi, sizeof npi);
    ck_assert_str_ne(npi, "");
    snprintf(sql, sizeof sql, "UPDATE providers SET name = 'Renamed Kept Answer' WHERE npi = '%s';", npi);
    exec_sql(sql);
    ck_assert_int_eq(call_any(api_report, SRV_ACO, "A0001", "leakage", NULL, "aco=A0001", NULL, &j, &c), 200);
    ck_assert_ptr_nonnull(strstr(c, "Renamed Kept Answer"));
    free(c);
    /* the list's total is kept too, and follows a new run */
    ck_assert_int_eq(call(api_episodes_list, SRV_ACO, "A0001", NULL, NULL, "limit=1", NULL, &j), 200);
    long long t = json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    ck_assert_int_eq(t, qi("SELECT count(*) FROM run_episodes WHERE run_id = 1 AND aco_id = 'A0001'"));
    srv_cache_free(test_cache);
    test_cache = NULL;
    free(a);
}
END_TEST

/* The service's JSON writer (srv_json.h) writes jansson's bytes: escapes, non-ASCII,
 * surrogate pairs, integers at the limits, nesting, empty containers, key order; and
 * leaves to jansson what it does not take (reals, too deep). */
START_TEST(test_json_writer)
{
    json_t *t = json_object();
    json_object_set_new(t, "plain", json_string("abc"));
    json_object_set_new(t, "esc", json_string("q\"b\\s/ \b\f\n\r\t \x01\x1f \x7f end"));
    json_object_set_new(t, "utf8", json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf"));
    json_object_set_new(t, "k\xc3\xa9y \"q\"", json_integer(-1));
    json_object_set_new(t, "min", json_integer(INT64_MIN));
    json_object_set_new(t, "max", json_integer(INT64_MAX));
    json_object_set_new(t, "zero", json_integer(0));
    json_object_set_new(t, "t", json_true());
    json_object_set_new(t, "f", json_false());
    json_object_set_new(t, "n", json_null());
    json_object_set_new(t, "ea", json_array());
    json_object_set_new(t, "eo", json_object());
    json_object_set_new(t, "", json_stringn("nul\0in", 6));
    json_t *a = json_array();
    for (int i = 0; i < 40; i++) json_array_append_new(a, json_pack("{s:i, s:[s, n]}", "i", i, "x", "y"));
    json_object_set_new(t, "rows", a);
    json_object_set_new(t, "plain", json_string("replaced keeps its place"));
    size_t len;
    char *mine = srv_json_dump(t, &len), *theirs = json_dumps(t, JSON_COMPACT | JSON_ENSURE_ASCII);
    ck_assert_ptr_nonnull(mine);
    ck_assert_str_eq(mine, theirs);
    ck_assert_uint_eq(len, strlen(theirs));
    free(mine);
    free(theirs);
    char *text = srv_json_text(t, &len);
    ck_assert_uint_eq(text[len - 1], '\n');
    free(text);
    json_object_set_new(t, "real", json_real(1.5)); /* a real: jansson's */
    ck_assert_ptr_null(srv_json_dump(t, &len));
    json_decref(t);
    json_t *deep = json_array(), *in = deep;
    for (int i = 0; i < SRV_JSON_DEPTH + 2; i++) {
        json_t *x = json_array();
        json_array_append_new(in, x);
        in = x;
    }
    ck_assert_ptr_null(srv_json_dump(deep, &len));
    json_decref(deep);
    json_t *str = json_string("x"); /* not an object or an array: jansson's (it refuses) */
    ck_assert_ptr_null(srv_json_dump(str, &len));
    json_decref(str);
    /* by hand: the same bytes, and text that is not UTF-8 refused as json_string refuses it */
    srv_jbuf b = {0};
    ck_assert_int_eq(srv_jbuf_str(&b, "\xc3\xa9\"\n"), 0);
    ck_assert_int_eq(srv_jbuf_str(&b, "bad \xc3"), -1);
    ck_assert_int_eq(srv_jbuf_str(&b, "\xed\xa0\x80"), -1); /* a surrogate */
    ck_assert_int_eq(srv_jbuf_str(&b, "\xc0\xaf"), -1);     /* overlong */
    srv_jbuf_int(&b, -42);
    srv_jbuf_raw(&b, "", 1);
    ck_assert_str_eq(b.p, "\"\\u00E9\\\"\\n\"-42");
    free(b.p);
}
END_TEST

START_TEST(test_episode_get)
{
    json_t *j;
    char id[128], aco[32], npi[32], other[32], sql[512];
    qs("SELECT episode_id FROM run_episodes WHERE npi IS NOT NULL AND aco_id IS NOT NULL "
       "ORDER BY episode_id LIMIT 1", id, sizeof id);
    snprintf(sql, sizeof sql, "SELECT aco_id FROM run_episodes WHERE episode_id = '%s'", id);
    qs(sql, aco, sizeof aco);
    snprintf(sql, sizeof sql, "SELECT npi FROM run_episodes WHERE episode_id = '%s'", id);
    qs(sql, npi, sizeof npi);
    snprintf(sql, sizeof sql, "SELECT aco_id FROM acos WHERE aco_id != '%s' LIMIT 1", aco);
    qs(sql, other, sizeof other);
    ck_assert_int_eq(call(api_episode_get, SRV_CMS, "", id, NULL, NULL, NULL, &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "episode_id")), id);
    ck_assert_str_eq(json_string_value(json_object_get(j, "aco_id")), aco);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "arrangement_id")));
    json_t *claims = json_object_get(j, "claims");
    ck_assert_int_gt(json_array_size(claims), 0);
    const char *from = json_string_value(json_object_get(j, "trigger_date"));
    const char *to = json_string_value(json_object_get(j, "end_date"));
    size_t i;
    json_t *c;
    json_array_foreach(claims, i, c)
    {
        json_t *lines = json_object_get(c, "lines");
        ck_assert_int_gt(json_array_size(lines), 0);
        const char *sd = json_string_value(json_object_get(json_array_get(lines, 0), "service_date"));
        ck_assert(strcmp(sd, from) >= 0 && strcmp(sd, to) <= 0);
        ck_assert(json_is_integer(json_object_get(json_array_get(lines, 0), "paid_cents")));
    }
    ck_assert(json_is_array(json_object_get(j, "leakage")));
    /* the run's spending by setting sums to the episode's actual, to the cent; every
     * claim names its setting */
    json_t *cost = json_object_get(j, "cost_by_setting");
    ck_assert_int_eq(json_object_size(cost), 8);
    long long sum = 0;
    const char *k;
    json_t *v;
    json_object_foreach(cost, k, v) sum += json_integer_value(v);
    ck_assert_int_eq(sum, json_integer_value(json_object_get(j, "actual_cents")));
    json_array_foreach(claims, i, c) ck_assert_ptr_nonnull(json_string_value(json_object_get(c, "setting")));
    json_decref(j);
    ck_assert_int_eq(call(api_episode_get, SRV_ACO, aco, id, NULL, NULL, NULL, &j), 200);
    json_decref(j);
    ck_assert_int_eq(call(api_episode_get, SRV_ACO, other, id, NULL, NULL, NULL, &j), 403);
    ck_assert_str_eq(err_code(j), "forbidden");
    json_decref(j);
    ck_assert_int_eq(call(api_episode_get, SRV_PROVIDER, npi, id, NULL, NULL, NULL, &j), 200);
    json_decref(j);
    ck_assert_int_eq(call(api_episode_get, SRV_PROVIDER, "1234567893", id, NULL, NULL, NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_episode_get, SRV_CMS, "", "no:such:episode", NULL, NULL, NULL, &j), 404);
    json_decref(j);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = 'episode.read' AND "
             "entity_id = '%s'", id);
    ck_assert_int_eq(qi(sql), 3);
}
END_TEST

/* ---- providers and EBRAs -------------------------------------------------------------------- */

/* A registered provider with no EBRA yet (the first or last by NPI: order "ASC" or
 * "DESC") into npi, and the body of an offer `id` to it by ACO A0001 (extra: more
 * members, "" for none) into body. */
static void free_provider_offer(const char *order, const char *id, const char *extra,
                                char npi[32], char body[1024])
{
    char tin[32], sql[256];
    snprintf(sql, sizeof sql, "SELECT npi FROM providers p WHERE NOT EXISTS (SELECT 1 FROM "
             "arrangements e WHERE e.npi = p.npi) ORDER BY npi %s LIMIT 1", order);
    qs(sql, npi, 32);
    ck_assert_int_ne(strlen(npi), 0);
    snprintf(sql, sizeof sql, "SELECT tin FROM providers WHERE npi = '%s'", npi);
    qs(sql, tin, sizeof tin);
    snprintf(body, 1024, "{\"arrangement_id\": \"%s\", \"aco_id\": \"A0001\", \"npi\": \"%s\", "
             "\"tin\": \"%s\", \"template_id\": \"falls_prevention\", \"start_date\": "
             "\"2029-01-01\"%s}", id, npi, tin, extra);
}

START_TEST(test_ebra_cycle)
{
    json_t *j;
    char npi[32], body[1024];
    free_provider_offer("ASC", "X1", ", \"discount_bps\": 100", npi, body);
    ck_assert_int_eq(call(api_ebra_offer, SRV_PROVIDER, npi, NULL, NULL, NULL, body, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_offer, SRV_ACO, "A0003", NULL, NULL, NULL, body, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_offer, SRV_ACO, "A0001", NULL, NULL, NULL, "{\"aco_id\": ", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_offer, SRV_ACO, "A0001", NULL, NULL, NULL, "{\"aco_id\": 7}", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_offer, SRV_ACO, "A0001", NULL, NULL, NULL, body, &j), 201);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "offered");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "discount_bps")), 100);
    json_decref(j);
    /* a second offer of the same id is refused by particip: 422 with its reason */
    ck_assert_int_eq(call(api_ebra_offer, SRV_CMS, "", NULL, NULL, NULL, body, &j), 422);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "already exists"));
    json_decref(j);
    /* only the provider (or CMS) accepts */
    ck_assert_int_eq(call(api_ebra_accept, SRV_ACO, "A0001", "X1", NULL, NULL, "{}", &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_accept, SRV_PROVIDER, npi, "X1", NULL, NULL, "{}", &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "active");
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_accept, SRV_PROVIDER, npi, "X1", NULL, NULL, "{}", &j), 422);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_accept, SRV_CMS, "", "X404", NULL, NULL, "{}", &j), 404);
    json_decref(j);
    /* end: another ACO may not; a bad body is 400; the provider may */
    ck_assert_int_eq(call(api_ebra_end, SRV_ACO, "A0002", "X1", NULL, NULL, "{\"end_date\": \"2029-06-30\"}", &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_end, SRV_PROVIDER, npi, "X1", NULL, NULL, "{}", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_end, SRV_PROVIDER, npi, "X1", NULL, NULL, "{\"end_date\": \"1999-01-01\"}", &j), 422);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_end, SRV_PROVIDER, npi, "X1", NULL, NULL, "{\"end_date\": \"2029-06-30\"}", &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ended");
    ck_assert_str_eq(json_string_value(json_object_get(j, "end_date")), "2029-06-30");
    json_decref(j);
    /* history: offer, accept, end, with the token's actor */
    ck_assert_int_eq(call(api_ebra_history, SRV_ACO, "A0002", "X1", NULL, NULL, NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_history, SRV_ACO, "A0001", "X1", NULL, NULL, NULL, &j), 200);
    json_t *h = json_object_get(j, "history");
    ck_assert_int_eq(json_array_size(h), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 0), "action")), "ebra.offer");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 0), "actor")), "aco:A0001 (token tok1)");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 2), "action")), "ebra.end.provider");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(h, 2), "after"), "status")), "ended");
    json_decref(j);
    /* lists, scoped */
    ck_assert_int_eq(call(api_ebras_list, SRV_PROVIDER, npi, NULL, NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "ebras")), 1);
    json_decref(j);
    ck_assert_int_eq(call(api_ebras_list, SRV_ACO, "A0001", NULL, NULL, "status=ended", NULL, &j), 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "ebras")), 1);
    json_decref(j);
    ck_assert_int_eq(call(api_ebras_list, SRV_ACO, "A0001", NULL, NULL, "aco=A0002", NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebras_list, SRV_CMS, "", NULL, NULL, "status=bogus", NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_ebras_list, SRV_CMS, "", NULL, NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "ebras")), qi("SELECT count(*) FROM arrangements"));
    json_decref(j);
    ck_assert_int_eq(call(api_providers_list, SRV_PROVIDER, npi, NULL, NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq(json_array_size(json_object_get(j, "providers")), 1);
    json_decref(j);
    ck_assert_int_eq(call(api_providers_list, SRV_CMS, "", NULL, NULL, NULL, NULL, &j), 200);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "providers")), qi("SELECT count(*) FROM providers"));
    json_decref(j);
    ck_assert_int_eq(call(api_providers_list, SRV_ACO, "A0001", NULL, NULL, NULL, NULL, &j), 200);
    ck_assert_int_gt(json_array_size(json_object_get(j, "providers")), 0);
    ck_assert_int_lt((long long)json_array_size(json_object_get(j, "providers")), qi("SELECT count(*) FROM providers"));
    json_decref(j);
}
END_TEST

/* decline: only the offer's provider (or CMS); a declined offer cannot be accepted */
START_TEST(test_ebra_decline)
{
    json_t *j;
    char npi[32], body[1024];
    free_provider_offer("DESC", "X2", "", npi, body);
    ck_assert_int_eq(call(api_ebra_offer, SRV_ACO, "A0001", NULL, NULL, NULL, body, &j), 201);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_decline, SRV_ACO, "A0001", "X2", NULL, NULL, "{}", &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_decline, SRV_PROVIDER, "1234567893", "X2", NULL, NULL, "{}", &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_decline, SRV_PROVIDER, npi, "X2", NULL, NULL, "{}", &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "declined");
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_accept, SRV_PROVIDER, npi, "X2", NULL, NULL, "{}", &j), 422);
    json_decref(j);
    ck_assert_int_eq(call(api_ebra_decline, SRV_CMS, "", "X404", NULL, NULL, "{}", &j), 404);
    json_decref(j);
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'ebra.decline' AND "
                        "entity_id = 'X2'"), 1);
}
END_TEST

/* the network on a date, scoped; a TIN added mid-year is in it from its start date */
START_TEST(test_network)
{
    json_t *j;
    ck_assert_int_eq(call(api_network_get, SRV_ACO, "A0001", NULL, NULL, "date=2027-06-01", NULL, &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "aco_id")), "A0001");
    long long tins = qi("SELECT count(*) FROM aco_tins WHERE aco_id = 'A0001' AND start_date <= "
                        "'2027-06-01' AND COALESCE(end_date, '9999') >= '2027-06-01'");
    ck_assert_int_gt(tins, 0);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "tins")), tins);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "preferred_providers")),
                     qi("SELECT count(*) FROM arrangements WHERE aco_id = 'A0001' AND status IN "
                        "('active', 'ended', 'terminated') AND start_date <= '2027-06-01' AND "
                        "COALESCE(end_date, '9999') >= '2027-06-01'"));
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_ACO, "A0001", NULL, NULL, "aco=A0002", NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_PROVIDER, "1234567893", NULL, NULL, "aco=A0001", NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_CMS, "", NULL, NULL, NULL, NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_CMS, "", NULL, NULL, "aco=A0001&date=2027-13-01", NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_CMS, "", NULL, NULL, "aco=A9999", NULL, &j), 404);
    json_decref(j);
    /* add a TIN from July 2027 */
    const char *add = "{\"tin\": \"123456789\", \"start_date\": \"2027-07-01\"}";
    ck_assert_int_eq(call(api_tin_add, SRV_PROVIDER, "1234567893", "A0001", NULL, NULL, add, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_tin_add, SRV_ACO, "A0002", "A0001", NULL, NULL, add, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_tin_add, SRV_ACO, "A0001", "A0001", NULL, NULL, "{\"tin\": 5}", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_tin_add, SRV_ACO, "A0001", "A0001", NULL, NULL,
                          "{\"tin\": \"12345\", \"start_date\": \"2027-07-01\"}", &j), 422);
    ck_assert_str_eq(err_code(j), "refused");
    json_decref(j);
    ck_assert_int_eq(call(api_tin_add, SRV_ACO, "A0001", "A0001", NULL, NULL, add, &j), 201);
    ck_assert_str_eq(json_string_value(json_object_get(j, "tin")), "123456789");
    ck_assert_str_eq(json_string_value(json_object_get(j, "start_date")), "2027-07-01");
    ck_assert(json_is_null(json_object_get(j, "end_date")));
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_ACO, "A0001", NULL, NULL, "date=2027-06-30", NULL, &j), 200);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "tins")), tins);
    json_decref(j);
    ck_assert_int_eq(call(api_network_get, SRV_ACO, "A0001", NULL, NULL, "date=2027-07-01", NULL, &j), 200);
    ck_assert_int_eq((long long)json_array_size(json_object_get(j, "tins")),
                     qi("SELECT count(*) FROM aco_tins WHERE aco_id = 'A0001' AND start_date <= "
                        "'2027-07-01' AND COALESCE(end_date, '9999') >= '2027-07-01'"));
    ck_assert_int_eq(qi("SELECT count(*) FROM aco_tins WHERE aco_id = 'A0001' AND tin = "
                        "'123456789' AND start_date = '2027-07-01'"), 1);
    json_decref(j);
}
END_TEST

/* ---- templates ---------------------------------------------------------------------------- */

#define OVERLAY(aco, approach, set)                                                             \
    "{\"id\": \"falls_a1\", \"version\": \"1.0.0\", \"aco_id\": \"" aco "\", \"base\": {\"id\": "  \
    "\"falls_prevention\", \"version\": \"1.0.0\"}, \"approach\": \"" approach "\", \"set\": " set "}"

START_TEST(test_templates)
{
    json_t *j;
    ck_assert_int_eq(call(api_templates_list, SRV_ACO, "A0001", NULL, NULL, NULL, NULL, &j), 200);
    ck_assert_int_ge(json_array_size(json_object_get(j, "templates")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "templates"), 0), "kind")), "base");
    json_decref(j);
    ck_assert_int_eq(call(api_template_get, SRV_CMS, "", "falls_prevention", NULL, NULL, NULL, &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "falls_prevention");
    json_decref(j);
    ck_assert_int_eq(call(api_template_get, SRV_CMS, "", "nope", NULL, NULL, NULL, &j), 404);
    json_decref(j);
    /* validate: a Default overlay may not change the window; a discount is fine */
    ck_assert_int_eq(call(api_template_validate, SRV_ACO, "A0001", "falls_prevention", NULL, NULL,
                          OVERLAY("A0001", "default", "{\"window.post_days\": 119}"), &j), 422);
    ck_assert(json_is_false(json_object_get(j, "valid")));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(j, "problems"), 0)), "window.post_days"));
    json_decref(j);
    ck_assert_int_eq(call(api_template_validate, SRV_ACO, "A0001", "falls_prevention", NULL, NULL,
                          OVERLAY("A0001", "default", "{\"arrangement.discount_bps\": 200}"), &j), 200);
    ck_assert(json_is_true(json_object_get(j, "valid")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(j, "effective"), "arrangement"), "discount_bps")), 200);
    json_decref(j);
    ck_assert_int_eq(call(api_template_validate, SRV_CMS, "", "falls_prevention", NULL, NULL, "not json", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_template_validate, SRV_CMS, "", "nope", NULL, NULL, "{}", &j), 404);
    json_decref(j);
    /* PUT: only CMS or that ACO; it must name that ACO; stored in the source directory */
    const char *good = OVERLAY("A0001", "default", "{\"arrangement.discount_bps\": 200}");
    ck_assert_int_eq(call(api_overlay_put, SRV_ACO, "A0002", "falls_prevention", "A0001", NULL, good, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_overlay_put, SRV_CMS, "", "falls_prevention", "A0002", NULL, good, &j), 422);
    json_decref(j);
    /* an unknown base is 404, and nothing more (it went on with an overlay never parsed) */
    ck_assert_int_eq(call(api_overlay_put, SRV_CMS, "", "nope", "A0001", NULL, good, &j), 404);
    ck_assert_str_eq(err_code(j), "not_found");
    json_decref(j);
    /* an ACO the store does not know is refused, naming it (it used to be written) */
    ck_assert_int_eq(call(api_overlay_put, SRV_CMS, "", "falls_prevention", "A9999", NULL,
                          OVERLAY("A9999", "default", "{\"arrangement.discount_bps\": 200}"), &j), 422);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(j, "problems"), 0)),
                                 "aco_id: \"A9999\" is not an ACO of the store"));
    json_decref(j);
    /* an id that is not a template id never becomes a folder: "common" (the shared
     * files: it used to brick the catalog), "..", an embedded NUL (strlen saw "falls") */
    static const char *const bad_ids[] = {"common", "..", "falls\\u0000x", "Falls"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body, "{\"id\": \"%s\", \"version\": \"1.0.0\", \"aco_id\": "
                 "\"A0001\", \"base\": {\"id\": \"falls_prevention\", \"version\": \"1.0.0\"}, "
                 "\"approach\": \"default\", \"set\": {\"arrangement.discount_bps\": 200}}", bad_ids[i]);
        int st = call(api_overlay_put, SRV_ACO, "A0001", "falls_prevention", "A0001", NULL, body, &j);
        if (i == 2) { /* jansson refuses "\u0000" in the body itself (no JSON_ALLOW_NUL) */
            ck_assert_int_eq(st, 400);
            json_decref(j);
            continue;
        }
        ck_assert_int_eq(st, 422);
        const char *p0 = json_string_value(json_array_get(json_object_get(j, "problems"), 0));
        ck_assert_msg(p0 && strstr(p0, "template id"), "%s: %s", bad_ids[i], p0 ? p0 : "(none)");
        json_decref(j);
    }
    char cpath[256];
    snprintf(cpath, sizeof cpath, "%s/common/overlay.json", src_dir);
    ck_assert(!util_exists(cpath));
    ck_assert_int_eq(call(api_overlay_put, SRV_ACO, "A0001", "falls_prevention", "A0001", NULL, good, &j), 201);
    ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "falls_a1");
    json_decref(j);
    char path[256];
    snprintf(path, sizeof path, "%s/falls_a1/overlay.json", src_dir);
    json_error_t je;
    j = json_load_file(path, 0, &je);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "aco_id")), "A0001");
    json_decref(j);
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'overlay.put' AND entity_id = 'falls_a1'"), 1);
    /* a second overlay of the same base by the same ACO: 409, naming the first (before,
     * it was written, and the next reload of the folder failed) */
    char *second = strdup(good);
    char *at = strstr(second, "\"falls_a1\"");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\"falls_a9\"", 10);
    ck_assert_int_eq(call(api_overlay_put, SRV_ACO, "A0001", "falls_prevention", "A0001", NULL, second, &j), 409);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "already customizes falls_prevention as falls_a1"));
    json_decref(j);
    free(second);
    /* the written source directory validates as a whole */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --episodes '%s' --plugins '%s' templates >/dev/null 2>&1",
             getenv("CARA_BIN"), src_dir, getenv("CARA_PLUGINS"));
    ck_assert_int_eq(sh(cmd), 0);
}
END_TEST

/* ---- rules/try ---------------------------------------------------------------------------- */

START_TEST(test_rules_try)
{
    json_t *j;
    char id[128], aco[32], body[8192], other[32];
    qs("SELECT episode_id FROM run_episodes WHERE arrangement_id IS NOT NULL AND template_id = "
       "'falls_prevention' ORDER BY episode_id LIMIT 1", id, sizeof id);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT aco_id FROM run_episodes WHERE episode_id = '%s'", id);
    qs(sql, aco, sizeof aco);
    snprintf(sql, sizeof sql, "SELECT aco_id FROM acos WHERE aco_id != '%s' LIMIT 1", aco);
    qs(sql, other, sizeof other);
    /* the template's own rule (posted as source): the stored answer again */
    char *path = util_path_join(getenv("CARA_EPISODES"), "falls_prevention/attribution.lua");
    char *src, e[256];
    size_t len;
    ck_assert_int_eq(util_read_file(path, 1 << 20, &src, &len, e, sizeof e), 0);
    free(path);
    json_t *req = json_pack("{s:s, s:s, s:[s], s:i}", "template", "falls_prevention", "attribution",
                            src, "episodes", id, "run", 1);
    free(src);
    char *rb = json_dumps(req, JSON_COMPACT);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 200);
    json_t *r = json_array_get(json_object_get(j, "results"), 0);
    ck_assert_msg(json_is_false(json_object_get(r, "changed")), "%s", json_dumps(r, 0));
    ck_assert_int_ge(json_integer_value(json_object_get(r, "candidates")), 1);
    json_decref(j);
    /* another ACO may not try rules on this ACO's episode */
    ck_assert_int_eq(call(api_rules_try, SRV_ACO, other, NULL, NULL, NULL, rb, &j), 403);
    json_decref(j);
    free(rb);
    json_decref(req);
    /* a rule that attributes nothing: changed */
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"attribution\": \"function "
             "attribute(ep, claims, b, cands, p) return {method = 'unattributed'} end\", "
             "\"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_ACO, aco, NULL, NULL, NULL, body, &j), 200);
    r = json_array_get(json_object_get(j, "results"), 0);
    ck_assert(json_is_true(json_object_get(r, "changed")));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "tried"), "method")), "unattributed");
    json_decref(j);
    /* hostile and broken rules come back as 422 with the rule's error */
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"attribution\": \"while "
             "true do end\", \"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, body, &j), 422);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "rule_error"), "kind")), "instructions");
    json_decref(j);
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"attribution\": \"function "
             "attribute() local t = {} while true do t[#t + 1] = string.rep('x', 1000000) .. #t end end\", "
             "\"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, body, &j), 422);
    json_decref(j);
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"attribution\": \"function "
             "attribute(\\n  error('boom') end\", \"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, body, &j), 422);
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(j, "rule_error"), "line")), 0);
    json_decref(j);
    /* bad requests */
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, "{\"template\": \"falls_prevention\", \"episodes\": []}", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, "{\"template\": \"nope\", \"episodes\": [\"x\"]}", &j), 404);
    json_decref(j);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, "{\"template\": \"falls_prevention\", \"episodes\": [\"no:such:ep\"]}", &j), 404);
    json_decref(j);
}
END_TEST

/* Replace the first `from` in the malloc'ed string *s (length *len) by `to`. */
static void replace_once(char **s, size_t *len, const char *from, const char *to)
{
    char *at = strstr(*s, from);
    ck_assert_ptr_nonnull(at);
    size_t n = *len - strlen(from) + strlen(to);
    char *t = malloc(n + 1);
    snprintf(t, n + 1, "%.*s%s%s", (int)(at - *s), *s, to, at + strlen(from));
    free(*s);
    *s = t;
    *len = n;
}

/* A self-contained falls_prevention savings.lua as posted source (the method library's
 * functions, episodes/common/cms_default.lua, as the file's globals), with `from`
 * replaced by `to` (NULL: unchanged), in a request for episode id. Caller frees. */
static char *savings_body(const char *id, const char *from, const char *to)
{
    char *path = util_path_join(getenv("CARA_EPISODES"), "common/cms_default.lua");
    char *src, e[256];
    size_t len;
    ck_assert_int_eq(util_read_file(path, 1 << 20, &src, &len, e, sizeof e), 0);
    free(path);
    static const char *const fns[] = {"target", "quality", "winsorize", "reconcile"};
    for (int i = 0; i < 4; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "function M.%s(", fns[i]);
        snprintf(b, sizeof b, "function %s(", fns[i]);
        replace_once(&src, &len, a, b);
    }
    char *text = src;
    if (from) {
        char *at = strstr(src, from);
        ck_assert_ptr_nonnull(at);
        text = malloc(len + strlen(to) + 1);
        snprintf(text, len + strlen(to) + 1, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
        free(src);
    }
    json_t *req = json_pack("{s:s, s:s, s:[s]}", "template", "falls_prevention", "savings", text,
                            "episodes", id);
    free(text);
    char *rb = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return rb;
}

static long long jint(json_t *r, const char *side, const char *k)
{
    json_t *v = json_object_get(json_object_get(r, side), k);
    ck_assert_msg(json_is_integer(v), "%s.%s is not an integer", side, k);
    return (long long)json_integer_value(v);
}

static const char *rule_kind(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "rule_error"), "kind"));
}

static int tmp_is_empty(const char *d)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", d);
    return sh(cmd) == 0;
}

START_TEST(test_rules_try_savings)
{
    json_t *j, *r;
    char id[128], body[8192], tmp[128];
    /* the temporary episodes directories go under our own TMPDIR, checked empty below */
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    snprintf(body, sizeof body, "mkdir -p '%s'", tmp);
    ck_assert_int_eq(sh(body), 0);
    setenv("TMPDIR", tmp, 1);
    qs("SELECT episode_id FROM run_episodes WHERE run_id = 1 AND arrangement_id IS NOT NULL AND "
       "status != 'excluded' AND template_id = 'falls_prevention' ORDER BY episode_id LIMIT 1",
       id, sizeof id);
    ck_assert(id[0]);
    long long runs0 = qi("SELECT count(*) FROM runs"), eps0 = qi("SELECT count(*) FROM run_episodes");
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT target_cents FROM run_episodes WHERE run_id = 1 AND "
             "episode_id = '%s'", id);
    long long stored_target = qi(sql);
    /* nothing posted: the template's own rules compute what the run stored */
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, body, &j), 200);
    r = json_array_get(json_object_get(j, "results"), 0);
    ck_assert_msg(json_is_false(json_object_get(r, "changed")), "%s", json_dumps(r, 0));
    ck_assert_int_eq(jint(r, "tried", "target_cents"), stored_target);
    ck_assert_int_eq(jint(r, "stored", "target_cents"), stored_target);
    static const char *const same[] = {"base_cents", "trend_factor", "trend_years", "age_factor",
                                       "hcc_count", "hcc_factor", "dual_factor", "discount_bps"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        ck_assert_int_eq(jint(r, "tried", same[i]), jint(r, "stored", same[i]));
    ck_assert(json_equal(json_object_get(json_object_get(r, "tried"), "quality_met"),
                         json_object_get(json_object_get(r, "stored"), "quality_met")));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "not_evaluated"), 0)), "winsorize");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "not_evaluated"), 1)), "reconcile");
    json_decref(j);
    /* the template's own savings.lua posted: the same */
    char *rb = savings_body(id, NULL, NULL);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 200);
    r = json_array_get(json_object_get(j, "results"), 0);
    ck_assert_msg(json_is_false(json_object_get(r, "changed")), "%s", json_dumps(r, 0));
    ck_assert_int_eq(jint(r, "tried", "target_cents"), stored_target);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "posted"), 0)), "savings");
    json_decref(j);
    free(rb);
    /* the base price doubled: a different target, changed */
    rb = savings_body(id, "local base = params.triggers[episode.trigger_type].base_cents",
                      "local base = params.triggers[episode.trigger_type].base_cents * 2");
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 200);
    r = json_array_get(json_object_get(j, "results"), 0);
    ck_assert(json_is_true(json_object_get(r, "changed")));
    ck_assert_int_ne(jint(r, "tried", "target_cents"), stored_target);
    ck_assert_int_eq(jint(r, "tried", "base_cents"), 2 * jint(r, "stored", "base_cents"));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "changes"), 0)), "target_cents");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "tried"), "arrangement_id")),
                     json_string_value(json_object_get(json_object_get(r, "stored"), "arrangement_id")));
    json_decref(j);
    free(rb);
    /* both posted: an attribution that attributes nothing prices without a discount */
    char *p = util_path_join(getenv("CARA_EPISODES"), "falls_prevention/savings.lua");
    char *src, e[256];
    size_t len;
    ck_assert_int_eq(util_read_file(p, 1 << 20, &src, &len, e, sizeof e), 0);
    free(p);
    json_t *req = json_pack("{s:s, s:s, s:s, s:[s]}", "template", "falls_prevention", "attribution",
                            "function attribute() return {method = 'unattributed'} end", "savings",
                            src, "episodes", id);
    free(src);
    rb = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 200);
    r = json_array_get(json_object_get(j, "results"), 0);
    ck_assert(json_is_true(json_object_get(r, "changed")));
    ck_assert(json_is_null(json_object_get(json_object_get(r, "tried"), "arrangement_id")));
    ck_assert_int_eq(jint(r, "tried", "discount_bps"), 0);
    json_decref(j);
    free(rb);
    /* hostile and broken savings rules: 422 with the rule's error */
    rb = savings_body(id, "function target(episode, beneficiary, arrangement, params)",
                      "function target(episode, beneficiary, arrangement, params) while true do end");
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 422);
    ck_assert_str_eq(rule_kind(j), "instructions");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "rule_error"), "file")),
                     "savings.lua (posted)");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), id));
    json_decref(j);
    free(rb);
    rb = savings_body(id, "function quality(episode, claims, beneficiary, params)",
                      "function quality(episode, claims, beneficiary, params) local t = {} while "
                      "true do t[#t + 1] = string.rep('x', 1000000) .. #t end");
    /* megabyte strings reach the memory cap in a few dozen steps, long before the call's
     * wall-clock deadline even on a loaded machine under ASan (kilobyte ones did not) */
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 422);
    ck_assert_str_eq(rule_kind(j), "memory");
    json_decref(j);
    free(rb);
    rb = savings_body(id, "function quality(episode, claims, beneficiary, params)",
                      "function quality(episode, claims, beneficiary, params) os.execute('touch /tmp/x')");
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 422);
    ck_assert_str_eq(rule_kind(j), "runtime");
    json_decref(j);
    free(rb);
    rb = savings_body(id, "function target(episode, beneficiary, arrangement, params)",
                      "function target(episode, beneficiary, arrangement, params) if true then "
                      "return {target_cents = 'lots'} end");
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 422);
    ck_assert_str_eq(rule_kind(j), "result");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "rule_error"), "file")),
                     "savings.lua (posted)");
    ck_assert_ptr_null(strstr(json_string_value(json_object_get(json_object_get(j, "rule_error"), "message")), tmp));
    json_decref(j);
    free(rb);
    rb = savings_body(id, "function target(", "function target((");
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, rb, &j), 422);
    ck_assert_str_eq(rule_kind(j), "syntax");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "rule_error"), "file")),
                     "savings.lua (posted)");
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(j, "rule_error"), "line")), 0);
    ck_assert_ptr_null(strstr(json_string_value(json_object_get(json_object_get(j, "rule_error"), "message")), tmp));
    json_decref(j);
    free(rb);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, "{\"template\": "
                          "\"falls_prevention\", \"savings\": 3, \"episodes\": [\"x\"]}", &j), 400);
    json_decref(j);
    /* every temporary directory is gone; only the audit rows were written */
    ck_assert(tmp_is_empty(tmp));
    unsetenv("TMPDIR");
    ck_assert_int_eq(qi("SELECT count(*) FROM runs"), runs0);
    ck_assert_int_eq(qi("SELECT count(*) FROM run_episodes"), eps0);
    ck_assert_int_ge(qi("SELECT count(*) FROM audit_log WHERE action = 'rules.try' AND "
                        "after LIKE '%\"posted\":[\"savings\"]%'"), 1);
}
END_TEST


/* A tried rule sees what the caller may read, nothing more (issue 14 item 4): the lines
 * of the episode window, as GET /v1/episodes/:id shows them, not the beneficiary's other
 * lines; its error text is capped; and every try, answered or refused, is audited. The
 * rule below reports how many lines it sees and whether any lies outside the window:
 * with the beneficiary's whole history (before the fix) it saw more lines than the
 * detail shows and lines outside [trigger_date, end_date]. */
START_TEST(test_rules_try_scope)
{
    json_t *j;
    char id[128], aco[32], person[80], body[8192], sql[768];
    /* an episode whose beneficiary has lines outside its window (the lookback at least) */
    qs("SELECT e.episode_id FROM run_episodes e WHERE e.template_id = 'falls_prevention' AND "
       "e.status != 'excluded' AND e.aco_id IS NOT NULL AND (SELECT count(*) FROM claim_lines l JOIN "
       "claims c USING (claim_id) WHERE c.person_id = e.person_id AND c.status = 'current' AND "
       "COALESCE(l.claim_line_start_date, c.claim_start_date) < e.trigger_date) > 0 "
       "ORDER BY e.episode_id LIMIT 1", id, sizeof id);
    ck_assert_msg(id[0], "no episode with lines before its window in the fixture");
    snprintf(sql, sizeof sql, "SELECT aco_id FROM run_episodes WHERE episode_id = '%s'", id);
    qs(sql, aco, sizeof aco);
    snprintf(sql, sizeof sql, "SELECT person_id FROM run_episodes WHERE episode_id = '%s'", id);
    qs(sql, person, sizeof person);
    /* what the caller may read: the detail's claim lines */
    ck_assert_int_eq(call(api_episode_get, SRV_ACO, aco, id, NULL, NULL, NULL, &j), 200);
    size_t shown = 0, i;
    json_t *c;
    json_array_foreach(json_object_get(j, "claims"), i, c) shown += json_array_size(json_object_get(c, "lines"));
    json_decref(j);
    ck_assert_uint_gt(shown, 0);
    long long before = qi("SELECT count(*) FROM audit_log WHERE action = 'rules.try'");
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"attribution\": \"function "
             "attribute(ep, claims) local out = 0 for i = 1, #claims do local d = "
             "claims[i].service_date if d < ep.trigger_date or d > ep.end_date then out = out + 1 "
             "end end error(string.format('seen=%%d outside=%%d', #claims, out)) end\", "
             "\"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_ACO, aco, NULL, NULL, NULL, body, &j), 422);
    const char *m = json_string_value(json_object_get(json_object_get(j, "rule_error"), "message"));
    char want[64];
    snprintf(want, sizeof want, "seen=%zu outside=0", shown);
    ck_assert_msg(m && strstr(m, want), "the rule saw \"%s\", the detail shows %zu lines", m, shown);
    json_decref(j);
    /* the beneficiary id itself is no more in an error than the rule put there */
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'rules.try'"), before + 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = 'rules.try' AND "
             "actor LIKE 'aco:%s (token tok1)' AND json_extract(after, '$.status') = 422 AND "
             "json_extract(after, '$.outcome') = 'refused' AND json_extract(after, '$.template') = "
             "'falls_prevention' AND json_extract(after, '$.episodes[0]') = '%s'", aco, id);
    ck_assert_int_eq(qi(sql), 1);
    /* a long error is cut to 512 bytes (TRY_MAX_ERROR) */
    snprintf(body, sizeof body, "{\"template\": \"falls_prevention\", \"attribution\": \"function "
             "attribute() error(string.rep('x', 5000)) end\", \"episodes\": [\"%s\"]}", id);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, body, &j), 422);
    m = json_string_value(json_object_get(json_object_get(j, "rule_error"), "message"));
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_le(strlen(m), 512);
    json_decref(j);
    /* refusals are audited too: out of scope (403), a bad request (400), bad JSON */
    ck_assert_int_eq(call(api_rules_try, SRV_PROVIDER, "1234567893", NULL, NULL, NULL, body, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL,
                          "{\"template\": \"falls_prevention\", \"episodes\": 7}", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_rules_try, SRV_CMS, "", NULL, NULL, NULL, "{\"template\": ", &j), 400);
    json_decref(j);
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'rules.try'"), before + 5);
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'rules.try' AND "
                        "actor LIKE 'provider:1234567893 %' AND json_extract(after, '$.status') = 403"), 1);
    (void)person;
}
END_TEST

/* ---- template history and rollback ------------------------------------------------------- */

/* test_templates left A0001's overlay falls_a1 (discount 200) in the source folder. A
 * run over that folder stores it; A0001 then PUTs discount 300 and rolls back to what
 * the run used: the file holds 200 again. Another ACO can neither see that history nor
 * roll it back. */
START_TEST(test_template_rollback)
{
    char cmd[2048], out[64];
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' --episodes '%s' --plugins '%s' run --quiet",
             getenv("CARA_BIN"), db_path, src_dir, getenv("CARA_PLUGINS"));
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(out, sizeof out, f));
    ck_assert_int_eq(pclose(f), 0);
    long run = atol(out);
    ck_assert_int_gt(run, 0);
    json_t *j;
    ck_assert_int_eq(call(api_overlay_put, SRV_ACO, "A0001", "falls_prevention", "A0001", NULL,
                          OVERLAY("A0001", "default", "{\"arrangement.discount_bps\": 300}"), &j), 201);
    json_decref(j);
    char body[64];
    snprintf(body, sizeof body, "{\"run\": %ld}", run);
    ck_assert_int_eq(call(api_template_rollback, SRV_ACO, "A0002", "falls_a1", NULL, NULL, body, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_template_rollback, SRV_PROVIDER, "1234567893", "falls_a1", NULL, NULL, body, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_template_history, SRV_ACO, "A0002", "falls_a1", NULL, NULL, NULL, &j), 200);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "history")), 0);
    json_decref(j);
    ck_assert_int_eq(call(api_template_history, SRV_ACO, "A0001", "falls_a1", NULL, NULL, NULL, &j), 200);
    json_t *e = json_array_get(json_object_get(j, "history"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(e, "kind")), "overlay");
    ck_assert_str_eq(json_string_value(json_object_get(e, "aco_id")), "A0001");
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(e, "runs"), 0)), run);
    json_decref(j);
    ck_assert_int_eq(call(api_template_rollback, SRV_CMS, "", "falls_a1", NULL, NULL, "{\"run\": 99999}", &j), 404);
    json_decref(j);
    ck_assert_int_eq(call(api_template_rollback, SRV_CMS, "", "falls_a1", NULL, NULL, "{\"run\": \"x\"}", &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_template_rollback, SRV_ACO, "A0001", "falls_a1", NULL, NULL, body, &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "version")), "1.0.0");
    ck_assert_ptr_nonnull(json_object_get(json_object_get(j, "before"), "overlay.json"));
    json_decref(j);
    char path[256];
    snprintf(path, sizeof path, "%s/falls_a1/overlay.json", src_dir);
    json_error_t je;
    j = json_load_file(path, 0, &je);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "set"), "arrangement.discount_bps")), 200);
    json_decref(j);
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'template.rollback' AND "
                        "entity_id = 'falls_a1' AND actor LIKE 'aco:A0001%'"), 1);
}
END_TEST

/* the month trend equals the run's episodes, summed by hand in SQL; CSV is the CLI's
 * CSV; the active rule sources are served as they are on disk */
START_TEST(test_month_csv_rules)
{
    json_t *j;
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "month", NULL, NULL, NULL, &j), 200);
    json_t *rows = json_object_get(j, "rows");
    long long eps = 0, target = 0, run = json_integer_value(json_object_get(j, "run_id"));
    char sql[512];
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        eps += json_integer_value(json_object_get(r, "episodes"));
        target += json_integer_value(json_object_get(r, "target_cents"));
        ck_assert_int_eq(strlen(json_string_value(json_object_get(r, "month"))), 7);
    }
    ck_assert_int_gt(eps, 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM run_episodes WHERE aco_id IS NOT NULL AND "
             "status != 'excluded' AND run_id = %lld", run);
    ck_assert_int_eq(eps, qi(sql));
    snprintf(sql, sizeof sql, "SELECT COALESCE(sum(target_cents), 0) FROM run_episodes WHERE "
             "aco_id IS NOT NULL AND run_id = %lld", run);
    ck_assert_int_eq(target, qi(sql));
    char through[16];
    snprintf(sql, sizeof sql, "SELECT as_of_date FROM runs WHERE run_id = %lld", run);
    qs(sql, through, sizeof through);
    ck_assert_str_eq(json_string_value(json_object_get(j, "paid_through_date")), through);
    size_t n_rows = json_array_size(rows);
    json_decref(j);
    char *csv = NULL;
    ck_assert_int_eq(call_any(api_report, SRV_CMS, "", "month", NULL, "format=csv", NULL, &j, &csv), 200);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(csv);
    static const char head[] = "aco_id,template_id,month,episodes,interim,excluded,target_cents,"
                               "actual_cents,actual_winsorized_cents,final,projected_actual_cents,"
                               "paid_through_date,target,actual,actual_winsorized,"
                               "projected_actual\n";
    ck_assert_int_eq(strncmp(csv, head, sizeof head - 1), 0);
    size_t lines = 0;
    for (const char *p = csv; *p; p++) lines += *p == '\n';
    ck_assert_uint_eq(lines, n_rows + 1);
    free(csv);
    ck_assert_int_eq(call(api_report, SRV_CMS, "", "month", NULL, "format=xml", NULL, &j), 400);
    json_decref(j);
    /* the rule sources */
    ck_assert_int_eq(call(api_template_rules, SRV_PROVIDER, "1234567893", "falls_prevention", NULL,
                          NULL, NULL, &j), 200);
    const char *src = json_string_value(json_object_get(json_object_get(j, "files"), "savings.lua"));
    char path[1024], *disk = NULL, e[256];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/falls_prevention/savings.lua", getenv("CARA_EPISODES"));
    ck_assert_int_eq(util_read_file(path, 1 << 20, &disk, &len, e, sizeof e), 0);
    ck_assert_str_eq(src, disk);
    free(disk);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_object_get(j, "files"), "attribution.lua")));
    json_decref(j);
    ck_assert_int_eq(call(api_template_rules, SRV_CMS, "", "no_such", NULL, NULL, NULL, &j), 404);
    json_decref(j);
}
END_TEST

/* GET /v1/risk-list: each role's scope (an ACO token its ACO, a provider token the rows
 * whose specialist is its NPI), the limit's bounds, the CSV form. */
START_TEST(test_risk_list_scope)
{
    json_t *j;
    ck_assert_int_eq(call(api_risk_list, SRV_CMS, "", NULL, NULL, "as_of=2027-06-30&limit=1000", NULL, &j), 200);
    json_t *rows = json_object_get(j, "rows");
    ck_assert_int_gt((long long)json_array_size(rows), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "templates"), 0), "run_id")),
                     qi("SELECT max(run_id) FROM runs WHERE status = 'done' AND template_filter IS NULL"));
    char npi[16] = "";
    long long prev = 1 << 30, with_npi = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        long long sc = json_integer_value(json_object_get(r, "score"));
        ck_assert_int_le(sc, prev); /* ranked by score */
        prev = sc;
        const char *n = json_string_value(json_object_get(r, "npi"));
        if (n && *n && !npi[0]) util_strlcpy(npi, n, sizeof npi);
        if (n && *n && !strcmp(n, npi)) with_npi++;
    }
    json_decref(j);
    ck_assert_int_eq(call(api_risk_list, SRV_ACO, "A0003", NULL, NULL, "as_of=2027-06-30&limit=1000", NULL, &j), 200);
    rows = json_object_get(j, "rows");
    for (size_t i = 0; i < json_array_size(rows); i++)
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, i), "aco_id")), "A0003");
    json_decref(j);
    ck_assert_int_eq(call(api_risk_list, SRV_ACO, "A0003", NULL, NULL, "aco=A0001", NULL, &j), 403);
    json_decref(j);
    if (npi[0]) {
        ck_assert_int_eq(call(api_risk_list, SRV_PROVIDER, npi, NULL, NULL, "as_of=2027-06-30&limit=1000", NULL, &j), 200);
        rows = json_object_get(j, "rows");
        ck_assert_int_eq((long long)json_array_size(rows), with_npi);
        for (size_t i = 0; i < json_array_size(rows); i++)
            ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, i), "npi")), npi);
        json_decref(j);
        ck_assert_int_eq(call(api_risk_list, SRV_PROVIDER, npi, NULL, NULL, "npi=1999999984", NULL, &j), 403);
        json_decref(j);
    }
    const char *bad[] = {"limit=0", "limit=1001", "format=xml", "as_of=2027-13-01", "run=0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(call(api_risk_list, SRV_CMS, "", NULL, NULL, bad[i], NULL, &j), 400);
        json_decref(j);
    }
    ck_assert_int_eq(call(api_risk_list, SRV_CMS, "", NULL, NULL, "template=knee_arthroplasty", NULL, &j), 404);
    json_decref(j);
    char *text = NULL;
    ck_assert_int_eq(call_any(api_risk_list, SRV_CMS, "", NULL, NULL, "as_of=2027-06-30&limit=2&format=csv",
                              NULL, &j, &text), 200);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(!strncmp(text, "rank,aco_id,person_id,template_id,score,flagged,reasons,npi,tin,"
                                 "last_claim_date,run_id\n1,", 87), "%s", text);
    free(text);
    ck_assert_int_ge(qi("SELECT count(*) FROM audit_log WHERE action = 'risk.list'"), 4);
}
END_TEST

/* the diff of two runs: CMS only, the same rows as `cara diff --format json` */
START_TEST(test_run_diff)
{
    char cmd[2048];
    const char *bin = getenv("CARA_BIN"), *pl = getenv("CARA_PLUGINS");
    long long a = qi("SELECT max(run_id) FROM runs WHERE status = 'done'");
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -rf eps2 && cp -R src eps2 && sed -i "
             "'s/\"trend_bps\": [0-9]*/\"trend_bps\": 450/' eps2/falls_prevention/template.json && "
             "'%s' --db D/t.db --episodes eps2 --plugins '%s' run >/dev/null 2>diff.err && "
             "'%s' --db D/t.db diff %lld %lld --format json --as test > diff.jsonl 2>>diff.err",
             dir, bin, pl, bin, a, a + 1);
    ck_assert_int_eq(sh(cmd), 0);
    char ra[24], rb[24], path[1200];
    snprintf(ra, sizeof ra, "%lld", a);
    snprintf(rb, sizeof rb, "%lld", a + 1);
    json_t *j;
    ck_assert_int_eq(call(api_run_diff, SRV_ACO, "A0001", ra, rb, NULL, NULL, &j), 403);
    json_decref(j);
    ck_assert_int_eq(call(api_run_diff, SRV_CMS, "", ra, "x", NULL, NULL, &j), 400);
    json_decref(j);
    ck_assert_int_eq(call(api_run_diff, SRV_CMS, "", ra, "999", NULL, NULL, &j), 404);
    json_decref(j);
    ck_assert_int_eq(call(api_run_diff, SRV_CMS, "", ra, rb, NULL, NULL, &j), 200);
    json_t *rows = json_object_get(j, "rows");
    snprintf(path, sizeof path, "%s/diff.jsonl", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[65536];
    size_t n = 0, templates = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        ck_assert_ptr_nonnull(o);
        ck_assert_msg(json_equal(o, json_array_get(rows, n)), "row %zu differs", n);
        templates += !strcmp(json_string_value(json_object_get(o, "kind")), "component") &&
                     !strcmp(json_string_value(json_object_get(o, "component_kind")), "template");
        json_decref(o);
        n++;
    }
    fclose(f);
    ck_assert_uint_eq(n, json_array_size(rows));
    ck_assert_uint_eq(templates, 1); /* the changed trend */
    /* the pair's rows are kept: the second answer reads them back, equal */
    ck_assert_int_eq(qi("SELECT count(*) FROM run_diffs"), 1);
    json_t *again;
    ck_assert_int_eq(call(api_run_diff, SRV_CMS, "", ra, rb, NULL, NULL, &again), 200);
    ck_assert(json_equal(json_object_get(again, "rows"), rows));
    json_decref(again);
    /* kept rows that do not read as JSON are computed again and replaced */
    store *s;
    char e[256];
    ck_assert_int_eq(store_open(db_path, 0, &s, e, sizeof e), 0);
    ck_assert_int_eq(store_exec(s, "UPDATE run_diffs SET rows = 'not json'", e, sizeof e), 0);
    store_close(s);
    ck_assert_int_eq(call(api_run_diff, SRV_CMS, "", ra, rb, NULL, NULL, &again), 200);
    ck_assert(json_equal(json_object_get(again, "rows"), rows));
    json_decref(again);
    ck_assert_int_eq(qi("SELECT count(*) FROM run_diffs WHERE rows LIKE '[%'"), 1);
    json_decref(j);
    ck_assert_int_eq(qi("SELECT count(*) FROM audit_log WHERE action = 'diff.read'"), 3);
}
END_TEST

Suite *suite_srv_api(void)
{
    Suite *s = suite_create("srv_api");
    TCase *tc = tcase_create("srv_api");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, build_store, remove_store);
    tcase_add_test(tc, test_reports_scope);
    tcase_add_test(tc, test_report_filters);
    tcase_add_test(tc, test_episodes_list);
    tcase_add_test(tc, test_episodes_keyset);
    tcase_add_test(tc, test_kept_answers);
    tcase_add_test(tc, test_json_writer);
    tcase_add_test(tc, test_episode_get);
    tcase_add_test(tc, test_ebra_cycle);
    tcase_add_test(tc, test_ebra_decline);
    tcase_add_test(tc, test_network);
    tcase_add_test(tc, test_month_csv_rules);
    tcase_add_test(tc, test_templates);
    tcase_add_test(tc, test_rules_try);
    tcase_add_test(tc, test_rules_try_savings);
    tcase_add_test(tc, test_rules_try_scope);
    tcase_add_test(tc, test_template_rollback);
    tcase_add_test(tc, test_risk_list_scope);
    tcase_add_test(tc, test_run_diff); /* last: it adds a run */
    suite_add_tcase(s, tc);
    return s;
}
