/*
 * srv_util.c: the helpers handlers use (srv.h): query parameters, JSON responses and
 * errors, the request body, the audit log, role scopes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv.h"
#include "srv_api_common.h"
#include "srv_dirs.h"
#include "srv_auth.h"
#include "srv_internal.h"
#include "srv_json.h"

const char *srv_query(const srv_req *rq, const char *key)
{
    for (int i = 0; i < rq->n_query; i++)
        if (strcmp(rq->qkeys[i], key) == 0) return rq->qvals[i];
    return NULL;
}

void srv_json(srv_resp *rs, int status, json_t *body)
{
    if (rs->json) json_decref(rs->json);
    free(rs->text);
    rs->text = NULL;
    rs->text_len = 0;
    rs->status = status;
    rs->json = body;
}

char *srv_json_text(const json_t *body, size_t *len)
{
    size_t n = 0;
    char *text = srv_json_dump(body, &n); /* jansson's bytes, faster (srv_json.h) */
    if (!text) text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!text) text = strdup("{}");
    n = text ? strlen(text) : 0;
    char *nl = text ? realloc(text, n + 2) : NULL; /* a final newline, for curl users */
    if (nl) {
        text = nl;
        text[n++] = '\n';
        text[n] = '\0';
    }
    if (len) *len = text ? n : 0;
    return text;
}

void srv_error(srv_resp *rs, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv_json(rs, status, json_pack("{s:{s:i, s:s, s:s}}", "error", "status", status, "code", code,
                                   "message", msg));
}

json_t *srv_body_object(const srv_req *rq, srv_resp *rs)
{
    if (!rq->body_len) {
        srv_error(rs, 400, "bad_request", "a JSON object body is required");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    /* jansson sets no error text when its first allocation fails */
    if (!v && (json_error_code(&je) == json_error_out_of_memory || !je.text[0])) {
        srv_error(rs, 500, "internal", "out of memory reading the body");
        return NULL;
    }
    if (!v) {
        srv_error(rs, 400, "bad_json", "the body is not valid JSON: line %d, column %d: %s",
                  je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        srv_error(rs, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return v;
}

int srv_audit(const srv_req *rq, const char *action, const char *entity, const char *entity_id,
              json_t *detail)
{
    if (!rq->db) {
        if (detail) json_decref(detail);
        return 0;
    }
    char actor[160], e[256];
    api_actor(rq, actor, sizeof actor); /* "ROLE (token ID)" or "ROLE (user NAME)" */
    char *after = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (detail) json_decref(detail);
    audit_row r = {.actor = actor, .action = action, .entity = entity, .entity_id = entity_id,
                   .after = after};
    /* one writer at a time from this process, unless the handler's own transaction
     * already holds the write lock (srv_internal.h, audit_lock) */
    uv_mutex_t *lock = rq->s && !store_in_transaction(rq->db) ? srv_audit_lock_of(rq->s) : NULL;
    if (lock) uv_mutex_lock(lock);
    int rc = audit_append(rq->db, &r, e, sizeof e) < 0 ? -EIO : 0;
    if (lock) uv_mutex_unlock(lock);
    free(after);
    return rc;
}

const char *srv_scope_aco(const srv_req *rq) { return rq->role.kind == SRV_ACO ? rq->role.id : NULL; }
const char *srv_scope_npi(const srv_req *rq)
{
    return rq->role.kind == SRV_PROVIDER ? rq->role.id : NULL;
}
int srv_is_cms(const srv_req *rq) { return rq->role.kind == SRV_CMS; }

char *srv__replace_all(const char *text, const char *const *from, const char *const *to, size_t n)
{
    char *cur = strdup(text);
    for (size_t k = 0; cur && k < n; k++) {
        size_t fl = from[k] ? strlen(from[k]) : 0, tl = strlen(to[k]), count = 0;
        if (!fl) continue;
        for (const char *p = strstr(cur, from[k]); p; p = strstr(p + fl, from[k])) count++;
        if (!count) continue;
        size_t len = strlen(cur) - count * fl + count * tl;
        char *out = malloc(len + 1), *o = out;
        if (!out) {
            free(cur);
            return NULL;
        }
        const char *p = cur;
        for (const char *q = strstr(p, from[k]); q; q = strstr(p, from[k])) {
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            memcpy(o, to[k], tl);
            o += tl;
            p = q + fl;
        }
        strcpy(o, p);
        free(cur);
        cur = out;
    }
    return cur;
}
