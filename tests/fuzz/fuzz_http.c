/* tests/fuzz/fuzz_http.c: what `cara serve` does with a request line before a handler runs,
 * and the query and Authorization readers handlers use. The input is
 *   METHOD_BYTE URL '\n' AUTHORIZATION
 * (the first byte picks GET, POST, PUT, DELETE, PATCH or HEAD). The URL is split at '?';
 * the path is unescaped (srv_unescape, as libmicrohttpd calls it) and routed
 * (srv_route_find); the query is split at '&' and '=' and each key and value unescaped
 * (what libmicrohttpd does with our unescaper), then read with srv_query, api_query_int,
 * api_scope_filters (for every role), api_pick_run (an in-memory store with no runs)
 * and the captures with ids_check_path_segment; the Authorization value goes through
 * srv_token_well_formed, srv_token_verify and srv_token_id_of against the store (which
 * holds one CMS token, whose secret the fuzzer cannot know). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/ids.h"
#include "serve/srv_api_common.h"
#include "serve/srv_auth.h"
#include "serve/srv_internal.h"

#define MAXQ 32

static store *db;

static void reset(srv_resp *rs)
{
    json_decref(rs->json);
    free(rs->text);
    memset(rs, 0, sizeof *rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    if (!db) {
        if (store_open(":memory:", STORE_CREATE, &db, err, sizeof err) < 0) abort();
        char secret[64], id[20];
        if (srv_token_create(db, "cms", "fuzz", "fuzz", secret, sizeof secret, id, err,
                             sizeof err) < 0)
            abort();
    }
    if (size < 1 || size > 16384) return 0;
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"};
    const char *method = methods[data[0] % 6];
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *nl = strchr(text, '\n');
    const char *auth = "";
    if (nl) {
        *nl = '\0';
        auth = nl + 1;
    }
    char *query = strchr(text, '?');
    if (query) *query++ = '\0';
    srv__unescape(text);
    /* routing */
    size_t buflen = strlen(text) + 1;
    char *buf = malloc(buflen);
    const char *params[4];
    int n_params = 0, allowed = 0;
    const srv_route *r = buf ? srv__route_find(method, text, buf, buflen, params, &n_params,
                                              &allowed) : NULL;
    if (r)
        for (int i = 0; i < n_params; i++)
            if (ids_check_path_segment(params[i], strlen(params[i])) != ID_OK) abort();
    /* the query string */
    const char *qk[MAXQ], *qv[MAXQ];
    int nq = 0;
    for (char *p = query; p && *p && nq < MAXQ;) {
        char *amp = strchr(p, '&');
        if (amp) *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq) *eq = '\0';
        srv__unescape(p);
        if (eq) srv__unescape(eq + 1);
        qk[nq] = p;
        qv[nq++] = eq ? eq + 1 : "";
        p = amp ? amp + 1 : NULL;
    }
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.path = text;
    rq.body = "";
    rq.db = db;
    rq.qkeys = qk;
    rq.qvals = qv;
    rq.n_query = nq;
    if (r)
        for (int i = 0; i < n_params; i++) rq.params[i] = params[i];
    rq.n_params = r ? n_params : 0;
    srv_resp rs = {0};
    static const char *const keys[] = {"run", "npi", "tin", "aco", "template", "arrangement",
                                       "period", "status", "person", "limit", "offset"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) (void)srv_query(&rq, keys[k]);
    int64_t v;
    api_query_int(&rq, &rs, "limit", 100, 1, 1000, &v);
    reset(&rs);
    api_query_int(&rq, &rs, "offset", 0, 0, INT64_MAX, &v);
    reset(&rs);
    static const struct { int kind; const char *id; } roles[] = {
        {SRV_CMS, ""}, {SRV_ACO, "A0001"}, {SRV_PROVIDER, "1234567893"}, {SRV_ANON, ""}};
    for (size_t k = 0; k < 4; k++) {
        rq.role.kind = roles[k].kind;
        snprintf(rq.role.id, sizeof rq.role.id, "%s", roles[k].id);
        const char *aco = srv_query(&rq, "aco"), *npi = srv_query(&rq, "npi");
        api_scope_filters(&rq, &rs, &aco, &npi);
        reset(&rs);
        (void)api_in_scope(&rq, aco, npi);
    }
    rq.role.kind = SRV_CMS;
    int64_t run_id;
    api_pick_run(&rq, &rs, &run_id);
    reset(&rs);
    /* Authorization */
    srv_role role;
    char tid[20];
    (void)srv_token_well_formed(auth);
    srv_token_verify(db, auth, &role, err, sizeof err);
    srv_token_id_of(db, auth, tid);
    /* the path replaced in an answer (internal paths are never sent) */
    const char *from[] = {text}, *to[] = {"<x>"};
    free(srv__replace_all(auth, from, to, 1));
    free(buf);
    free(text);
    return 0;
}
