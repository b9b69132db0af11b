/*
 * tests/test_srv_routes.c: the service's routing (captures, 404 against 405) and the
 * handler helpers (query parameters, JSON errors, bodies, rows as JSON).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "serve/srv.h"
#include "serve/srv_internal.h"
#include "helpers.h"
#include "suites.h"

static const srv_route *find(const char *method, const char *path, char *buf, const char **p,
                             int *n, int *allowed)
{
    return srv__route_find(method, path, buf, 256, p, n, allowed);
}

START_TEST(test_route_captures)
{
    char buf[256];
    const char *p[4];
    int n, allowed;
    const srv_route *r = find("POST", "/v1/ebras/E000001/accept", buf, p, &n, &allowed);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->pattern, "/v1/ebras/:id/accept");
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(p[0], "E000001");
    r = find("PUT", "/v1/templates/falls_prevention/overlays/A0001", buf, p, &n, &allowed);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(p[0], "falls_prevention");
    ck_assert_str_eq(p[1], "A0001");
    r = find("GET", "/v1/runs", buf, p, &n, &allowed);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(n, 0);
}
END_TEST

/* A path that exists for another method is 405; one that does not is 404; an empty
 * segment is not a capture; extra segments do not match. */
START_TEST(test_route_misses)
{
    char buf[256];
    const char *p[4];
    int n, allowed;
    ck_assert_ptr_null(find("DELETE", "/v1/status", buf, p, &n, &allowed));
    ck_assert_int_eq(allowed, 1);
    ck_assert_ptr_null(find("GET", "/v1/nothing", buf, p, &n, &allowed));
    ck_assert_int_eq(allowed, 0);
    ck_assert_ptr_null(find("GET", "/v1/episodes//", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("GET", "/v1/runs/1/extra", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("GET", "/v1/runs/", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("GET", "", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("GET", "v1/runs", buf, p, &n, &allowed));
}
END_TEST

/* A capture that breaks the id grammar matches no route (404): "..", a "%00" the
 * unescaper left encoded, a NUL; srv_unescape decodes everything but "%00". */
START_TEST(test_route_bad_segments)
{
    char buf[256];
    const char *p[4];
    int n, allowed;
    ck_assert_ptr_null(find("GET", "/v1/templates/..", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("GET", "/v1/templates/.", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("GET", "/v1/templates/falls%00x", buf, p, &n, &allowed));
    ck_assert_ptr_null(find("PUT", "/v1/templates/falls_prevention/overlays/A0001%00", buf, p,
                            &n, &allowed));
    ck_assert_ptr_nonnull(find("GET", "/v1/episodes/falls_prevention:P1:2025-03-01", buf, p, &n,
                               &allowed));
    char u[] = "/v1/templates/falls%5fprevention%00x%2", nul[] = "%00", low[] = "a%2fb%41";
    ck_assert_uint_eq(srv__unescape(u), strlen("/v1/templates/falls_prevention%00x%2"));
    ck_assert_str_eq(u, "/v1/templates/falls_prevention%00x%2");
    ck_assert_uint_eq(srv__unescape(nul), 3);
    ck_assert_str_eq(nul, "%00");
    srv__unescape(low);
    ck_assert_str_eq(low, "a/bA");
}
END_TEST

START_TEST(test_helpers)
{
    const char *k[] = {"run", "limit"}, *v[] = {"3", "50"};
    srv_req rq = {.qkeys = k, .qvals = v, .n_query = 2, .body = "{\"a\": 1,", .body_len = 8};
    ck_assert_str_eq(srv_query(&rq, "limit"), "50");
    ck_assert_ptr_null(srv_query(&rq, "npi"));
    srv_resp rs = {0};
    ck_assert_ptr_null(srv_body_object(&rq, &rs));
    ck_assert_int_eq(rs.status, 400);
    char *s = json_dumps(rs.json, JSON_COMPACT);
    ck_assert_ptr_nonnull(strstr(s, "\"code\":\"bad_json\""));
    ck_assert_ptr_nonnull(strstr(s, "line 1"));
    free(s);
    rq.body = "[1]";
    rq.body_len = 3;
    ck_assert_ptr_null(srv_body_object(&rq, &rs));
    rq.body = "{\"a\":1}";
    rq.body_len = 7;
    json_t *o = srv_body_object(&rq, &rs);
    ck_assert_ptr_nonnull(o);
    json_decref(o);
    srv_error(&rs, 403, "forbidden", "ACO %s may not see %s", "A0001", "A0002");
    s = json_dumps(rs.json, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(s, "{\"error\":{\"code\":\"forbidden\",\"message\":\"ACO A0001 may not see "
                        "A0002\",\"status\":403}}");
    free(s);
    json_decref(rs.json);
    srv_req aco = {.role = {.kind = SRV_ACO, .id = "A0001"}};
    ck_assert_str_eq(srv_scope_aco(&aco), "A0001");
    ck_assert_ptr_null(srv_scope_npi(&aco));
    ck_assert(!srv_is_cms(&aco));
}
END_TEST

START_TEST(test_rows_json)
{
    /* the service's rows as JSON are store_rows_json's (srv_rows_json was folded into it) */
    char dir[64], e[256];
    store *db;
    th_tmpdir_store(dir, "rowsjson", &db);
    json_t *rows = NULL;
    ck_assert_int_eq(store_rows_json(db, "SELECT 1 AS n, 'x' AS s, NULL AS z UNION ALL "
                                         "SELECT 2, 'y', NULL", 0, NULL, &rows, e, sizeof e), 0);
    char *s = json_dumps(rows, JSON_COMPACT);
    ck_assert_str_eq(s, "[{\"n\":1,\"s\":\"x\",\"z\":null},{\"n\":2,\"s\":\"y\",\"z\":null}]");
    free(s);
    json_decref(rows);
    store_close(db);
    th_rmdir(dir);
}
END_TEST

/* The path scrubber's replacement (srv_internal.h srv_replace_all): every occurrence,
 * in order, longest first when the caller sorts them so; an empty pattern is skipped.
 * By hand: "/s/x/e.2/a.lua: /s/x" with "/s/x" -> "<state>" gives "<state>/e.2/a.lua: <state>". */
START_TEST(test_replace_all)
{
    const char *from[] = {"/s/x", "", "cs-1"}, *to[] = {"<state>", "?", "<state>"};
    char *r = srv__replace_all("/s/x/e.2/a.lua: /s/x", from, to, 3);
    ck_assert_str_eq(r, "<state>/e.2/a.lua: <state>");
    free(r);
    r = srv__replace_all("...mp/cs-1/e.2/a.lua:3: boom", from, to, 3);
    ck_assert_str_eq(r, "...mp/<state>/e.2/a.lua:3: boom");
    free(r);
    r = srv__replace_all("nothing here", from, to, 3);
    ck_assert_str_eq(r, "nothing here");
    free(r);
}
END_TEST

Suite *suite_srv_routes(void)
{
    Suite *s = suite_create("srv_routes");
    TCase *tc = tcase_create("routes");
    tcase_add_test(tc, test_route_captures);
    tcase_add_test(tc, test_route_misses);
    tcase_add_test(tc, test_route_bad_segments);
    tcase_add_test(tc, test_helpers);
    tcase_add_test(tc, test_rows_json);
    tcase_add_test(tc, test_replace_all);
    suite_add_tcase(s, tc);
    return s;
}
