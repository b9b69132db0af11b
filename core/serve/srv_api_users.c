/*
 * srv_api_users.c: logging in and out (/v1/session), one's own password, and the CMS's
 * user administration (/v1/users) (docs/api.md "Logging in"; srv_session.h).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/base.h"
#include "srv_api_common.h"
#include "srv_internal.h"
#include "srv_session.h"

/* A string member of body (NULL when absent or not a string), with its length. */
static const char *member(json_t *body, const char *key, size_t *len)
{
    json_t *v = json_object_get(body, key);
    if (!json_is_string(v)) return NULL;
    if (len) *len = json_string_length(v);
    return json_string_value(v);
}

/* 1 when the request's Content-Type is application/json (parameters allowed). */
static int is_json(const srv_req *rq)
{
    const char *t = srv_header(rq, "Content-Type");
    static const char want[] = "application/json";
    if (!t || strncasecmp(t, want, sizeof want - 1)) return 0;
    char next = t[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

static void set_cookie(srv_resp *rs, const srv_req *rq, const char *secret)
{
    char c[160];
    srv_session_cookie(secret, rq->s->tls, c, sizeof c);
    srv_resp_header(rs, "Set-Cookie", c);
}

/* The request's session from its cookie into info: 0, or -1 with rs set (401/500). */
static int own_session(srv_req *rq, srv_resp *rs, srv_session_info *info)
{
    char secret[SRV_SESSION_HEX + 1], err[512];
    if (!srv_cookie_secret(srv_header(rq, "Cookie"), secret)) {
        srv_error(rs, 401, "unauthorized", "no session: log in with POST /v1/session");
        return -1;
    }
    const srv_limits *l = &rq->s->limits;
    int rc = srv_session_check(rq->db, secret, (int64_t)time(NULL), l->session_idle,
                               l->session_max, info, err, sizeof err);
    sodium_memzero(secret, sizeof secret);
    if (rc == 0) return 0;
    if (rc == -EACCES) srv_error(rs, 401, "unauthorized", "%s", err);
    else srv_error(rs, 500, "store", "%s", err);
    return -1;
}

void api_session_login(srv_req *rq, srv_resp *rs)
{
    srv *s = rq->s;
    char err[512];
    if (!is_json(rq)) {
        srv_error(rs, 415, "unsupported_media_type", "POST /v1/session needs Content-Type: "
                  "application/json");
        return;
    }
    if (srv_origin_check(srv_header(rq, "Origin"), srv_header(rq, "Host"), s->tls, err,
                         sizeof err) < 0) {
        srv_error(rs, 403, "csrf", "%s", err);
        return;
    }
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    size_t len = 0;
    const char *name = member(body, "name", NULL), *pw = member(body, "password", &len);
    if (!name || !pw) {
        srv_error(rs, 400, "bad_request", "name and password (strings) are required");
        json_decref(body);
        return;
    }
    int64_t now = (int64_t)time(NULL);
    int wait = srv_login_limit_check(&s->login, name, rq->client, now);
    if (wait > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", wait);
        srv_resp_header(rs, "Retry-After", ra);
        srv_error(rs, 429, "too_many_attempts", "too many failed logins for this user name or "
                  "from this address: try again in %d seconds", wait);
        json_decref(body);
        return;
    }
    char secret[SRV_SESSION_HEX + 1];
    srv_session_info info;
    int rc = srv_session_login(rq->db, name, pw, len, rq->client, now, s->limits.session_max,
                               secret, &info, err, sizeof err);
    if (rc == -EACCES) {
        srv_login_limit_fail(&s->login, name, rq->client, now);
        srv_error(rs, 401, "unauthorized", SRV_LOGIN_FAILED);
    } else if (rc < 0) {
        srv_error(rs, 500, "store", "%s", err);
    } else {
        set_cookie(rs, rq, secret);
        srv_json(rs, 200, srv_session_json(&info, s->limits.session_idle));
    }
    sodium_memzero(secret, sizeof secret);
    json_decref(body);
}

void api_session_get(srv_req *rq, srv_resp *rs)
{
    srv_session_info info;
    if (own_session(rq, rs, &info) < 0) return;
    srv_json(rs, 200, srv_session_json(&info, rq->s->limits.session_idle));
}

void api_session_logout(srv_req *rq, srv_resp *rs)
{
    srv_session_info info;
    char err[512], actor[160];
    set_cookie(rs, rq, NULL); /* the browser forgets it, whatever the answer */
    if (own_session(rq, rs, &info) < 0) return;
    if (srv_csrf_check(rq->method, srv_header(rq, "X-CSRF-Token"), srv_header(rq, "Origin"),
                       srv_header(rq, "Host"), rq->s->tls, info.csrf_token, err, sizeof err) < 0) {
        srv_error(rs, 403, "csrf", "%s", err);
        return;
    }
    rq->role = info.as_role;
    api_actor(rq, actor, sizeof actor);
    int rc = srv_session_logout(rq->db, info.sha256, actor, (int64_t)time(NULL), err, sizeof err);
    if (rc == -ENOENT) srv_error(rs, 401, "unauthorized", "%s", err);
    else if (rc < 0) srv_error(rs, 500, "store", "%s", err);
    else rs->status = 204;
}

/* Map a store or validation error of an account change to its answer. */
static void account_error(srv_resp *rs, int rc, const char *err)
{
    if (rc == -EINVAL) srv_error(rs, 400, "bad_request", "%s", err);
    else if (rc == -ENOENT) srv_error(rs, 404, "not_found", "%s", err);
    else if (rc == -EEXIST || rc == -EALREADY) srv_error(rs, 409, "conflict", "%s", err);
    else srv_error(rs, 500, "store", "%s", err);
}

/* The user's row as the API shows it (no hash). */
static json_t *user_json(const users_row *u)
{
    char role[64];
    snprintf(role, sizeof role, "%s%s%s", u->role, u->scope[0] ? ":" : "", u->scope);
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", u->name, "role", role, "created_at",
                     u->created_at, "last_login_at", api_str(u->last_login_at[0] ? u->last_login_at : NULL),
                     "disabled_at", api_str(u->disabled_at[0] ? u->disabled_at : NULL));
}

/* Answer with user name's row (status). */
static void answer_user(srv_req *rq, srv_resp *rs, int status, const char *name)
{
    users_row u;
    char err[512];
    int found = users_by_name(rq->db, name, &u, err, sizeof err);
    if (found < 0) srv_error(rs, 500, "store", "%s", err);
    else if (!found) srv_error(rs, 404, "not_found", "no user \"%s\"", name);
    else srv_json(rs, status, user_json(&u));
}

void api_session_password(srv_req *rq, srv_resp *rs)
{
    if (!rq->role.user[0]) {
        srv_error(rs, 403, "forbidden", "only a logged-in user changes their own password here "
                  "(a token has no password; CMS sets a user's with POST /v1/users/NAME/password)");
        return;
    }
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    size_t clen = 0, nlen = 0;
    const char *cur = member(body, "current", &clen), *nw = member(body, "new", &nlen);
    char err[512], actor[160], secret[SRV_SESSION_HEX + 1], sha[65] = "";
    users_row u;
    int64_t now = (int64_t)time(NULL);
    srv *s = rq->s;
    int found, wait;
    if (!cur || !nw) {
        srv_error(rs, 400, "bad_request", "current and new (strings) are required");
    } else if ((wait = srv_login_limit_check(&s->login, rq->role.user, rq->client, now)) > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", wait);
        srv_resp_header(rs, "Retry-After", ra);
        srv_error(rs, 429, "too_many_attempts", "too many wrong passwords: try again in %d "
                  "seconds", wait);
    } else if ((found = users_by_name(rq->db, rq->role.user, &u, err, sizeof err)) <= 0) {
        srv_error(rs, 500, "store", "%s", found < 0 ? err : "the session's user vanished");
    } else if (!srv_password_verify(u.password_hash, cur, clen)) {
        srv_login_limit_fail(&s->login, rq->role.user, rq->client, now);
        srv_error(rs, 403, "forbidden", "current: the password is wrong");
    } else {
        if (srv_cookie_secret(srv_header(rq, "Cookie"), secret)) sha256_hex(secret, SRV_SESSION_HEX, sha);
        sodium_memzero(secret, sizeof secret);
        api_actor(rq, actor, sizeof actor);
        int rc = srv_user_passwd(rq->db, rq->role.user, nw, nlen, sha[0] ? sha : NULL, actor,
                                 now, err, sizeof err);
        if (rc < 0) account_error(rs, rc, err);
        else answer_user(rq, rs, 200, rq->role.user);
    }
    json_decref(body);
}

/* 0 for CMS, else -1 with a 403. */
static int cms_only(srv_req *rq, srv_resp *rs)
{
    if (srv_is_cms(rq)) return 0;
    api_forbidden(rq, rs, "users (only CMS manages user accounts)");
    return -1;
}

void api_users_list(srv_req *rq, srv_resp *rs)
{
    if (cms_only(rq, rs) < 0) return;
    json_t *rows;
    char err[512];
    if (users_list_json(rq->db, &rows, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    srv_json(rs, 200, json_pack("{s:o}", "users", rows));
}

void api_user_add(srv_req *rq, srv_resp *rs)
{
    if (cms_only(rq, rs) < 0) return;
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    size_t len = 0;
    const char *name = member(body, "name", NULL), *role = member(body, "role", NULL),
               *pw = member(body, "password", &len);
    char err[512], actor[160];
    if (!name || !role || !pw) {
        srv_error(rs, 400, "bad_request", "name, role and password (strings) are required");
    } else {
        api_actor(rq, actor, sizeof actor);
        int rc = srv_user_add(rq->db, name, role, pw, len, actor, (int64_t)time(NULL), err,
                              sizeof err);
        if (rc < 0) account_error(rs, rc, err);
        else answer_user(rq, rs, 201, name);
    }
    json_decref(body);
}

void api_user_disable(srv_req *rq, srv_resp *rs)
{
    if (cms_only(rq, rs) < 0) return;
    char err[512], actor[160];
    api_actor(rq, actor, sizeof actor);
    int rc = srv_user_disable(rq->db, rq->params[0], actor, (int64_t)time(NULL), err, sizeof err);
    if (rc < 0) account_error(rs, rc, err);
    else answer_user(rq, rs, 200, rq->params[0]);
}

void api_user_password(srv_req *rq, srv_resp *rs)
{
    if (cms_only(rq, rs) < 0) return;
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    size_t len = 0;
    const char *pw = member(body, "password", &len);
    char err[512], actor[160];
    if (!pw) {
        srv_error(rs, 400, "bad_request", "password (a string) is required");
    } else {
        api_actor(rq, actor, sizeof actor);
        int rc = srv_user_passwd(rq->db, rq->params[0], pw, len, NULL, actor, (int64_t)time(NULL),
                                 err, sizeof err);
        if (rc < 0) account_error(rs, rc, err);
        else answer_user(rq, rs, 200, rq->params[0]);
    }
    json_decref(body);
}
