/*
 * tests/test_srv_portal.c: the portal's files as cara serve answers them: every embedded
 * file through its route with its Content-Type, / as index.html, unknown names and ".."
 * as 404, Chart.js from $CARA_CHARTJS (and a clear 404 when it is missing), and every
 * asset index.html or a module names is in the table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/srv.h"
#include "serve/srv_internal.h"
#include "serve/srv_portal.h"
#include "helpers.h"
#include "suites.h"

/* GET path through the route table and its handler; 0 (and *r unset) when no route. */
static int get(const char *path, srv_resp *out)
{
    char buf[256];
    const char *p[4];
    int n = 0, allowed = 0;
    const srv_route *r = srv__route_find("GET", path, buf, sizeof buf, p, &n, &allowed);
    memset(out, 0, sizeof *out);
    if (!r) return 0;
    ck_assert_int_eq(r->flags, SRV_PUBLIC | SRV_NODB);
    /* answered on the loop: the path, no captures (as srv_http.c calls these routes) */
    srv_req rq = {.method = "GET", .path = path};
    out->status = 200;
    r->fn(&rq, out);
    return 1;
}

static void resp_free(srv_resp *rs)
{
    free(rs->text);
    if (rs->json) json_decref(rs->json);
    for (int i = 0; i < rs->n_headers; i++) {
        free(rs->hnames[i]);
        free(rs->hvals[i]);
    }
    memset(rs, 0, sizeof *rs);
}

static const char *err_message(const srv_resp *rs)
{
    return json_string_value(json_object_get(json_object_get(rs->json, "error"), "message"));
}

START_TEST(test_every_file_answers)
{
    ck_assert_uint_ge(srv_portal_count(), 10);
    for (size_t i = 0; i < srv_portal_count(); i++) {
        const srv_portal_file *f = srv_portal_at(i);
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_gt(f->len, 0);
        ck_assert_uint_eq(strlen(f->data), f->len); /* text: sent by length of the string */
        char path[128];
        snprintf(path, sizeof path, "/portal/%s", f->name);
        srv_resp rs;
        ck_assert_int_eq(get(path, &rs), 1);
        ck_assert_int_eq(rs.status, 200);
        ck_assert_ptr_nonnull(rs.text);
        ck_assert_str_eq(rs.text, f->data);
        const char *want = strstr(f->name, ".html") ? "text/html; charset=utf-8"
                           : strstr(f->name, ".css") ? "text/css; charset=utf-8"
                                                     : "text/javascript; charset=utf-8";
        ck_assert_str_eq(rs.content_type, want);
        resp_free(&rs);
    }
    ck_assert_ptr_null(srv_portal_at(srv_portal_count()));
    srv_resp rs;
    ck_assert_int_eq(get("/", &rs), 1);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_str_eq(rs.content_type, "text/html; charset=utf-8");
    ck_assert_str_eq(rs.text, srv_portal_find("index.html")->data);
    ck_assert_int_eq(rs.n_headers, 1);
    ck_assert_str_eq(rs.hnames[0], "Content-Security-Policy");
    ck_assert_str_eq(rs.hvals[0], SRV_PORTAL_CSP);
    resp_free(&rs);
}
END_TEST

START_TEST(test_unknown_and_dotdot)
{
    srv_resp rs;
    ck_assert_int_eq(get("/portal/nothing.js", &rs), 1);
    ck_assert_int_eq(rs.status, 404);
    ck_assert_ptr_nonnull(strstr(err_message(&rs), "nothing.js"));
    resp_free(&rs);
    /* ".." is no capture (the id grammar): no route, the router's 404 */
    ck_assert_int_eq(get("/portal/..", &rs), 0);
    ck_assert_int_eq(get("/portal/../v1/status", &rs), 0);
    ck_assert_int_eq(get("/portal/vendor/../app.js", &rs), 0);
    ck_assert_int_eq(get("/portal/", &rs), 0);
    ck_assert_ptr_null(srv_portal_find(".."));
    ck_assert_ptr_null(srv_portal_find("."));
    ck_assert_ptr_null(srv_portal_find("vendor/chart.js"));
    ck_assert_ptr_null(srv_portal_find("../app.js"));
    ck_assert_ptr_null(srv_portal_find(NULL));
    /* the handler alone, given ".." as a path, refuses it too */
    srv_req rq = {.method = "GET", .path = "/portal/.."};
    memset(&rs, 0, sizeof rs);
    srv_portal_asset(&rq, &rs);
    ck_assert_int_eq(rs.status, 404);
    resp_free(&rs);
}
END_TEST

START_TEST(test_chartjs)
{
    char dir[64];
    th_tmpdir(dir, "portal");
    char path[512];
    snprintf(path, sizeof path, "%s/chart.min.js", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("/* a stand-in */ window.Chart = function () {};\n", fp);
    fclose(fp);
    const char *old = getenv("CARA_CHARTJS");
    char *saved = old ? strdup(old) : NULL;
    setenv("CARA_CHARTJS", path, 1);
    srv_resp rs;
    ck_assert_int_eq(get("/portal/vendor/chart.js", &rs), 1);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_str_eq(rs.content_type, "text/javascript; charset=utf-8");
    ck_assert_str_eq(rs.text, "/* a stand-in */ window.Chart = function () {};\n");
    resp_free(&rs);
    snprintf(path, sizeof path, "%s/missing.js", dir);
    setenv("CARA_CHARTJS", path, 1);
    ck_assert_int_eq(get("/portal/vendor/chart.js", &rs), 1);
    ck_assert_int_eq(rs.status, 404);
    ck_assert_ptr_nonnull(strstr(err_message(&rs), "libjs-chart.js"));
    ck_assert_ptr_nonnull(strstr(err_message(&rs), "missing.js"));
    resp_free(&rs);
    if (saved) setenv("CARA_CHARTJS", saved, 1);
    else unsetenv("CARA_CHARTJS");
    free(saved);
    th_rmdir(dir);
}
END_TEST

/* Every "/portal/NAME" index.html names and every './NAME.js' a module imports is
 * embedded (vendor/chart.js is served from the package). */
START_TEST(test_references_resolve)
{
    for (size_t i = 0; i < srv_portal_count(); i++) {
        const srv_portal_file *f = srv_portal_at(i);
        const char *marks[2] = {"\"/portal/", "from './"};
        for (int m = 0; m < 2; m++) {
            for (const char *p = strstr(f->data, marks[m]); p; p = strstr(p + 1, marks[m])) {
                const char *start = p + strlen(marks[m]);
                size_t len = strcspn(start, "\"'");
                char name[64];
                ck_assert_uint_lt(len, sizeof name);
                memcpy(name, start, len);
                name[len] = '\0';
                if (!strcmp(name, "vendor/chart.js")) continue;
                if (!srv_portal_find(name)) ck_abort_msg("%s names %s, which is not embedded", f->name, name);
            }
        }
    }
}
END_TEST

Suite *suite_srv_portal(void)
{
    Suite *s = suite_create("srv_portal");
    TCase *tc = tcase_create("portal");
    tcase_add_test(tc, test_every_file_answers);
    tcase_add_test(tc, test_unknown_and_dotdot);
    tcase_add_test(tc, test_chartjs);
    tcase_add_test(tc, test_references_resolve);
    suite_add_tcase(s, tc);
    return s;
}
