/*
 * srv_portal.h: the browser portal's files, served by `cara serve` without a token:
 * `GET /` (index.html), `GET /portal/:file` (the pages' stylesheet and ES modules,
 * embedded in the binary at build time from core/serve/portal/) and
 * `GET /portal/vendor/chart.js` (Chart.js, read from Debian's libjs-chart.js or
 * $CARA_CHARTJS). docs/portal.md describes the pages.
 */
#ifndef CARA_SRV_PORTAL_H
#define CARA_SRV_PORTAL_H

#include <stddef.h>

#include "srv.h"

/* The Content-Security-Policy sent with every HTML answer. */
#define SRV_PORTAL_CSP                                                                         \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "         \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/* Where Chart.js is read from when $CARA_CHARTJS is unset or empty. */
#define SRV_PORTAL_CHARTJS "/usr/share/javascript/chart.js/chart.min.js"

/* One embedded file: its name under /portal/, its bytes (static, NUL-terminated, never
 * freed) and its Content-Type. */
typedef struct srv_portal_file {
    const char *name;
    const char *data;
    size_t len;
    const char *type;
} srv_portal_file;

/* The embedded file called name ("app.js"), or NULL when there is none (also for any
 * name with a '/' or that is "." or ".."). Borrowed, static. */
const srv_portal_file *srv_portal_find(const char *name);

/* The number of embedded files and the i-th (0 <= i < count), for tests. Static. */
size_t srv_portal_count(void);
const srv_portal_file *srv_portal_at(size_t i);

/* Handlers (srv_handler; no store, no token, on the loop thread). Each fills rs with a
 * malloc'ed copy of the file (rs owns it) and its Content-Type (and, for HTML, the
 * Content-Security-Policy header SRV_PORTAL_CSP), or a JSON error: 404
 * not_found for an unknown file or a missing Chart.js (the message names the path tried
 * and the package), 500 when out of memory or the file cannot be read. */
void srv_portal_index(srv_req *rq, srv_resp *rs);   /* GET / */
void srv_portal_asset(srv_req *rq, srv_resp *rs);   /* GET /portal/:file (params[0]) */
void srv_portal_chartjs(srv_req *rq, srv_resp *rs); /* GET /portal/vendor/chart.js */

#endif
