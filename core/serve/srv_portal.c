/*
 * srv_portal.c: the portal's files. The pages (core/serve/portal/) are embedded by
 * scripts/embed.sh (the Makefile's PORTAL list, build/gen/portal_data.c); Chart.js is
 * read from its installed path on each request (a 200 KB file from the page cache),
 * so that the package's updates reach the pages without a rebuild.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "base/base.h"
#include "srv_portal.h"

/* build/gen/portal_data.c (the Makefile's PORTAL list; keep both in step) */
extern const char portal_index_html[], portal_css[], portal_app_js[], portal_api_js[],
    portal_router_js[], portal_format_js[], portal_dom_js[], portal_charts_js[],
    portal_login_js[], portal_provider_js[], portal_aco_js[], portal_cms_js[], portal_episodes_js[],
    portal_tasks_js[], portal_provisional_js[], portal_exports_js[],
    portal_risk_js[];
extern const size_t portal_index_html_len, portal_css_len, portal_app_js_len, portal_api_js_len,
    portal_router_js_len, portal_format_js_len, portal_dom_js_len, portal_charts_js_len,
    portal_login_js_len, portal_provider_js_len, portal_aco_js_len, portal_cms_js_len,
    portal_episodes_js_len, portal_tasks_js_len, portal_provisional_js_len, portal_exports_js_len,
    portal_risk_js_len;

#define HTML "text/html; charset=utf-8"
#define CSS "text/css; charset=utf-8"
#define JS "text/javascript; charset=utf-8"

#define MAX_CHARTJS (8u << 20) /* bytes: Chart.js 3.9.1 minified is 200 KB */

static srv_portal_file files[17];
static int files_ready;

/* The table is filled on first use: the lengths are extern consts of another unit, not
 * constant expressions. Loop thread only (the routes are SRV_PUBLIC | SRV_NODB). */
static void files_init(void)
{
    if (files_ready) return;
    const srv_portal_file t[] = {
        {"index.html", portal_index_html, portal_index_html_len, HTML},
        {"portal.css", portal_css, portal_css_len, CSS},
        {"app.js", portal_app_js, portal_app_js_len, JS},
        {"api.js", portal_api_js, portal_api_js_len, JS},
        {"router.js", portal_router_js, portal_router_js_len, JS},
        {"format.js", portal_format_js, portal_format_js_len, JS},
        {"dom.js", portal_dom_js, portal_dom_js_len, JS},
        {"charts.js", portal_charts_js, portal_charts_js_len, JS},
        {"login.js", portal_login_js, portal_login_js_len, JS},
        {"provider.js", portal_provider_js, portal_provider_js_len, JS},
        {"aco.js", portal_aco_js, portal_aco_js_len, JS},
        {"cms.js", portal_cms_js, portal_cms_js_len, JS},
        {"episodes.js", portal_episodes_js, portal_episodes_js_len, JS},
        {"tasks.js", portal_tasks_js, portal_tasks_js_len, JS},
        {"provisional.js", portal_provisional_js, portal_provisional_js_len, JS},
        {"exports.js", portal_exports_js, portal_exports_js_len, JS},
        {"risk.js", portal_risk_js, portal_risk_js_len, JS},
    };
    _Static_assert(sizeof t == sizeof files, "files[] has one slot per embedded file");
    memcpy(files, t, sizeof files);
    files_ready = 1;
}

size_t srv_portal_count(void) { return UTIL_ARRAY_LEN(files); }

const srv_portal_file *srv_portal_at(size_t i)
{
    files_init();
    return i < UTIL_ARRAY_LEN(files) ? &files[i] : NULL;
}

const srv_portal_file *srv_portal_find(const char *name)
{
    if (!name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) return NULL;
    files_init();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(files); i++)
        if (!strcmp(files[i].name, name)) return &files[i];
    return NULL;
}

/* Answer with a copy of f. */
static void send_file(srv_resp *rs, const srv_portal_file *f)
{
    char *copy = malloc(f->len + 1);
    if (!copy) {
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    memcpy(copy, f->data, f->len + 1);
    if (!strcmp(f->type, HTML) && srv_resp_header(rs, "Content-Security-Policy", SRV_PORTAL_CSP) < 0) {
        free(copy);
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    rs->status = 200;
    rs->text = copy;
    rs->content_type = f->type;
}

void srv_portal_index(srv_req *rq, srv_resp *rs)
{
    (void)rq;
    send_file(rs, srv_portal_find("index.html"));
}

void srv_portal_asset(srv_req *rq, srv_resp *rs)
{
    /* routes answered on the loop get the path but no captures (srv_http.c) */
    const char *name = rq->n_params > 0 ? rq->params[0] : NULL;
    if (!name && rq->path && !strncmp(rq->path, "/portal/", 8)) name = rq->path + 8;
    const srv_portal_file *f = srv_portal_find(name);
    if (!f) {
        srv_error(rs, 404, "not_found", "the portal has no file \"%s\"", name ? name : "");
        return;
    }
    send_file(rs, f);
}

/* Chart.js, read on the first request and kept (the loop thread does no file I/O after
 * that); read again only when CARA_CHARTJS names another file. chartjs_err says why it
 * could not be read. Guarded by chartjs_lock. */
static pthread_mutex_t chartjs_lock = PTHREAD_MUTEX_INITIALIZER;
static char *chartjs, chartjs_path[1024], chartjs_err[1400];
static size_t chartjs_len;
static int chartjs_tried;

static void chartjs_load(const char *path)
{
    char e[256];
    free(chartjs);
    chartjs = NULL;
    util_strlcpy(chartjs_path, path, sizeof chartjs_path);
    chartjs_tried = 1;
    if (util_read_file(path, MAX_CHARTJS, &chartjs, &chartjs_len, e, sizeof e) < 0) {
        chartjs = NULL;
        snprintf(chartjs_err, sizeof chartjs_err, "Chart.js is not installed at %s or cannot be "
                 "read (install the Debian package libjs-chart.js, run 'make deps', or set "
                 "CARA_CHARTJS); the pages show their tables without charts", path);
    } else if (memchr(chartjs, '\0', chartjs_len)) {
        free(chartjs);
        chartjs = NULL;
        snprintf(chartjs_err, sizeof chartjs_err, "Chart.js at %s is not text", path);
    }
}

void srv_portal_chartjs(srv_req *rq, srv_resp *rs)
{
    (void)rq;
    const char *env = getenv("CARA_CHARTJS");
    const char *path = env && *env ? env : SRV_PORTAL_CHARTJS;
    pthread_mutex_lock(&chartjs_lock);
    if (!chartjs_tried || strcmp(path, chartjs_path)) chartjs_load(path);
    int have = chartjs != NULL;
    char *copy = have ? malloc(chartjs_len + 1) : NULL;
    if (copy) memcpy(copy, chartjs, chartjs_len + 1);
    if (!have) srv_error(rs, 404, "not_found", "%s", chartjs_err);
    pthread_mutex_unlock(&chartjs_lock);
    if (!have) return;
    if (!copy) {
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    rs->status = 200;
    rs->text = copy;
    rs->content_type = JS;
}
