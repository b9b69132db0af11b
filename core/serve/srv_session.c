/*
 * srv_session.c: see srv_session.h.
 */
#include "srv_session.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/base.h"
#include "srv_auth.h"
#include "srv_internal.h"

static void iso(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch; -1 when it is not that. */
static int64_t from_iso(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char z = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &z) != 7 || z != 'Z')
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static int sodium_ready(void) { return sodium_init() >= 0; }

/* At most SRV_PWHASH_AT_ONCE Argon2id computations at once (each takes 64 MiB), so that
 * a burst of logins cannot take the service's memory; the others wait their turn. */
static uv_sem_t pwhash_slots;
static uv_once_t pwhash_once = UV_ONCE_INIT;
static int pwhash_ok;

static void pwhash_init(void) { pwhash_ok = uv_sem_init(&pwhash_slots, SRV_PWHASH_AT_ONCE) == 0; }

static void pwhash_enter(void)
{
    uv_once(&pwhash_once, pwhash_init);
    if (pwhash_ok) uv_sem_wait(&pwhash_slots);
}

static void pwhash_leave(void)
{
    if (pwhash_ok) uv_sem_post(&pwhash_slots);
}

/* ---- names and passwords ------------------------------------------------------------- */

int srv_user_name_check(const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > USERS_NAME_MAX)
        return util_fail(err, errlen, -EINVAL, "user name \"%.70s\": expected 1 to %d characters "
                         "of A-Z a-z 0-9 . _ @ -", name ? name : "", USERS_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return util_fail(err, errlen, -EINVAL, "user name \"%s\": character %zu is not one of "
                             "A-Z a-z 0-9 . _ @ -", name, i + 1);
    }
    return 0;
}

int srv_password_check(const char *pw, size_t len, char *err, size_t errlen)
{
    if (!pw || len < SRV_PASSWORD_MIN || len > SRV_PASSWORD_MAX)
        return util_fail(err, errlen, -EINVAL, "the password is %zu bytes: expected %d to %d bytes",
                         pw ? len : 0, SRV_PASSWORD_MIN, SRV_PASSWORD_MAX);
    if (memchr(pw, '\0', len))
        return util_fail(err, errlen, -EINVAL, "the password holds a NUL byte");
    return 0;
}

int srv_password_hash(const char *pw, size_t len, char out[USERS_HASH_MAX], char *err,
                      size_t errlen)
{
    out[0] = '\0';
    int rc = srv_password_check(pw, len, err, errlen);
    if (rc < 0) return rc;
    char h[crypto_pwhash_STRBYTES];
    _Static_assert(crypto_pwhash_STRBYTES <= USERS_HASH_MAX, "a hash fits users_row");
    if (!sodium_ready()) return util_fail(err, errlen, -EIO, "libsodium could not start");
    pwhash_enter();
    rc = crypto_pwhash_str(h, pw, (unsigned long long)len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
    pwhash_leave();
    if (rc != 0)
        return util_fail(err, errlen, -ENOMEM, "the password could not be hashed (out of memory)");
    util_strlcpy(out, h, USERS_HASH_MAX);
    return 0;
}

int srv_password_verify(const char *hash, const char *pw, size_t len)
{
    if (!hash || !*hash || !pw || !sodium_ready()) return 0;
    pwhash_enter();
    int ok = crypto_pwhash_str_verify(hash, pw, (unsigned long long)len) == 0;
    pwhash_leave();
    return ok;
}

/* A hash of a random password, made once: what an unknown user's login is checked
 * against, so that it costs what a known user's does. */
static char dummy_hash[USERS_HASH_MAX];
static uv_once_t dummy_once = UV_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char raw[16];
    char pw[33];
    if (!sodium_ready()) return;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    srv_password_hash(pw, strlen(pw), dummy_hash, NULL, 0);
    sodium_memzero(pw, sizeof pw);
}

/* ---- accounts ------------------------------------------------------------------------- */

int srv_user_add(store *s, const char *name, const char *role, const char *pw, size_t len,
                 const char *actor, int64_t now, char *err, size_t errlen)
{
    int rc = srv_user_name_check(name, err, errlen);
    if (rc < 0) return rc;
    srv_role r;
    if ((rc = srv_role_parse(s, role, &r, err, errlen)) < 0) return rc;
    char hash[USERS_HASH_MAX], at[32];
    if ((rc = srv_password_hash(pw, len, hash, err, errlen)) < 0) return rc;
    iso(now, at);
    users_new u = {.name = name, .role = srv_role_word(r.kind), .scope = r.id, .password_hash = hash};
    rc = users_add(s, &u, actor, at, err, errlen);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int srv_user_disable(store *s, const char *name, const char *actor, int64_t now, char *err,
                     size_t errlen)
{
    char at[32];
    iso(now, at);
    return users_disable(s, name, actor, at, err, errlen);
}

int srv_user_passwd(store *s, const char *name, const char *pw, size_t len,
                    const char *keep_sha256, const char *actor, int64_t now, char *err,
                    size_t errlen)
{
    char hash[USERS_HASH_MAX], at[32];
    int rc = srv_password_hash(pw, len, hash, err, errlen);
    if (rc < 0) return rc;
    iso(now, at);
    rc = users_passwd(s, name, hash, keep_sha256, actor, at, NULL, err, errlen);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* ---- sessions ------------------------------------------------------------------------- */

/* info from a session's user (and the times). */
static void fill_info(srv_session_info *info, const users_row *u, const char *csrf,
                      const char *sha, int64_t created, unsigned max_seconds)
{
    memset(info, 0, sizeof *info);
    util_strlcpy(info->user, u->name, sizeof info->user);
    snprintf(info->role, sizeof info->role, "%s%s%s", u->role, u->scope[0] ? ":" : "", u->scope);
    util_strlcpy(info->csrf_token, csrf, sizeof info->csrf_token);
    util_strlcpy(info->sha256, sha, sizeof info->sha256);
    info->expires_at = created + (int64_t)max_seconds;
    srv_role *r = &info->as_role;
    r->kind = !strcmp(u->role, "cms") ? SRV_CMS : !strcmp(u->role, "aco") ? SRV_ACO : SRV_PROVIDER;
    if (r->kind != SRV_CMS) util_strlcpy(r->id, u->scope, sizeof r->id);
    util_strlcpy(r->user, u->name, sizeof r->user);
}

/* 64 lowercase hex digits from 32 random bytes. */
static void random_hex(char out[SRV_SESSION_HEX + 1])
{
    unsigned char raw[SRV_SESSION_HEX / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, SRV_SESSION_HEX + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

int srv_session_login(store *s, const char *name, const char *pw, size_t len,
                      const char *client, int64_t now, unsigned max_seconds,
                      char secret[SRV_SESSION_HEX + 1], srv_session_info *info, char *err,
                      size_t errlen)
{
    secret[0] = '\0';
    memset(info, 0, sizeof *info);
    if (!sodium_ready()) return util_fail(err, errlen, -EIO, "libsodium could not start");
    uv_once(&dummy_once, make_dummy);
    users_row u;
    int found = srv_user_name_check(name, NULL, 0) == 0 ? users_by_name(s, name, &u, err, errlen) : 0;
    if (found < 0) return found;
    /* the same work whether or not the user exists; disabled users are checked too */
    int ok = srv_password_verify(found ? u.password_hash : dummy_hash, pw ? pw : "",
                                 pw ? len : 0);
    if (!found || !ok || u.disabled || !pw || len > SRV_PASSWORD_MAX)
        return util_fail(err, errlen, -EACCES, SRV_LOGIN_FAILED);
    char csrf[SRV_SESSION_HEX + 1], sha[65], at[32], actor[160];
    random_hex(secret);
    random_hex(csrf);
    sha256_hex(secret, SRV_SESSION_HEX, sha);
    iso(now, at);
    snprintf(actor, sizeof actor, "%s%s%s (user %s)", u.role, u.scope[0] ? ":" : "", u.scope,
             u.name);
    int rc = sessions_login(s, u.user_id, sha, csrf, client, actor, at, err, errlen);
    if (rc < 0) {
        sodium_memzero(secret, SRV_SESSION_HEX + 1);
        return rc;
    }
    fill_info(info, &u, csrf, sha, now, max_seconds);
    /* sessions past the absolute limit, or ended, can never be used again: a login sweeps
     * them away (a failure here does not fail the login) */
    char before[32], e[256];
    iso(now - (int64_t)max_seconds, before);
    if (sessions_purge(s, before, e, sizeof e) < 0)
        log_msg(LOG_LEVEL_WARN, "serve", "expired sessions not removed: %s", e);
    return 0;
}

int srv_session_check(store *s, const char *secret, int64_t now, unsigned idle, unsigned max,
                      srv_session_info *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    char sha[65];
    sha256_hex(secret, strlen(secret), sha);
    sessions_row se;
    int found = sessions_by_hash(s, sha, &se, err, errlen);
    if (found < 0) return found;
    if (!found)
        return util_fail(err, errlen, -EACCES, "unknown session: log in again (POST /v1/session)");
    if (se.ended)
        return util_fail(err, errlen, -EACCES, "the session ended at %s: log in again", se.ended_at);
    if (se.user.disabled)
        return util_fail(err, errlen, -EACCES, "user %s is disabled", se.user.name);
    int64_t created = from_iso(se.created_at), seen = from_iso(se.last_seen_at);
    if (created < 0 || now >= created + (int64_t)max)
        return util_fail(err, errlen, -EACCES, "the session expired %u seconds after its login: "
                         "log in again", max);
    if (seen < 0 || now >= seen + (int64_t)idle)
        return util_fail(err, errlen, -EACCES, "the session expired after %u idle seconds: log "
                         "in again", idle);
    if (now - seen >= SRV_SESSION_TOUCH_SECONDS) {
        char at[32], e[256];
        iso(now, at);
        if (sessions_touch(s, sha, at, e, sizeof e) < 0)
            log_msg(LOG_LEVEL_DEBUG, "serve", "session of %s: %s", se.user.name, e);
    }
    fill_info(info, &se.user, se.csrf_token, sha, created, max);
    return 0;
}

int srv_session_logout(store *s, const char *sha256, const char *actor, int64_t now,
                       char *err, size_t errlen)
{
    char at[32];
    iso(now, at);
    return sessions_logout(s, sha256, actor, at, err, errlen);
}

int srv_cookie_secret(const char *cookie_header, char out[SRV_SESSION_HEX + 1])
{
    out[0] = '\0';
    static const char name[] = SRV_SESSION_COOKIE "=";
    for (const char *p = cookie_header; p && *p;) {
        while (*p == ' ' || *p == ';' || *p == '\t') p++;
        size_t n = strcspn(p, ";");
        if (n > sizeof name - 1 && !strncmp(p, name, sizeof name - 1)) {
            const char *v = p + sizeof name - 1;
            size_t vl = n - (sizeof name - 1);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) vl--;
            int hex = vl == SRV_SESSION_HEX;
            for (size_t i = 0; hex && i < vl; i++)
                hex = (v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f');
            if (hex) {
                memcpy(out, v, SRV_SESSION_HEX);
                out[SRV_SESSION_HEX] = '\0';
                return 1;
            }
        }
        p += n;
    }
    return 0;
}

int srv_origin_check(const char *origin, const char *host, int tls, char *err, size_t errlen)
{
    if (!origin) return 0;
    const char *scheme = tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    if (host && *host && !strncasecmp(origin, scheme, sl) && !strcasecmp(origin + sl, host))
        return 0;
    return util_fail(err, errlen, -EACCES, "the Origin header (%.100s) does not match the "
                     "service's address (%s%.100s)", origin, scheme, host ? host : "");
}

int srv_csrf_check(const char *method, const char *csrf_header, const char *origin,
                   const char *host, int tls, const char *expected, char *err, size_t errlen)
{
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) return 0;
    if (!csrf_header || !*csrf_header)
        return util_fail(err, errlen, -EACCES, "a %s with a session cookie needs the X-CSRF-Token "
                         "header (the csrf_token of the login answer)", method);
    size_t n = strlen(expected);
    if (strlen(csrf_header) != n || sodium_memcmp(csrf_header, expected, n) != 0)
        return util_fail(err, errlen, -EACCES, "the X-CSRF-Token header is not this session's "
                         "csrf_token");
    return srv_origin_check(origin, host, tls, err, errlen);
}

void srv_session_cookie(const char *secret, int tls, char *out, size_t len)
{
    snprintf(out, len, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", SRV_SESSION_COOKIE,
             secret ? secret : "", secret ? "" : "; Max-Age=0", tls ? "; Secure" : "");
}

json_t *srv_session_json(const srv_session_info *info, unsigned idle)
{
    char exp[32];
    iso(info->expires_at, exp);
    return json_pack("{s:s, s:s, s:s, s:I, s:s}", "user", info->user, "role", info->role,
                     "csrf_token", info->csrf_token, "idle_timeout_seconds", (json_int_t)idle,
                     "expires_at", exp);
}

/* ---- the limit on failed logins -------------------------------------------------------- */

int srv_login_limit_init(srv_login_limit *l, unsigned attempts, unsigned window)
{
    memset(l->names, 0, sizeof l->names);
    memset(l->addrs, 0, sizeof l->addrs);
    l->attempts = attempts ? attempts : SRV_DEFAULT_LOGIN_ATTEMPTS;
    l->window = window ? window : SRV_DEFAULT_LOGIN_WINDOW;
    return uv_mutex_init(&l->lock) == 0 ? 0 : -1;
}

void srv_login_limit_destroy(srv_login_limit *l) { uv_mutex_destroy(&l->lock); }

/* key's slot in t (NULL when none, unless add: then a free slot, else the oldest). Keys
 * are compared as stored, cut to the slot's size. */
static srv_login_slot *slot(srv_login_slot *t, const char *full_key, int add)
{
    char key[sizeof t->key];
    util_strlcpy(key, full_key, sizeof key);
    srv_login_slot *oldest = &t[0];
    for (int i = 0; i < SRV_LOGIN_SLOTS; i++) {
        if (t[i].key[0] && !strcmp(t[i].key, key)) return &t[i];
        if (!t[i].key[0] || (oldest->key[0] && t[i].first < oldest->first)) oldest = &t[i];
    }
    if (!add) return NULL;
    memset(oldest, 0, sizeof *oldest);
    util_strlcpy(oldest->key, key, sizeof oldest->key);
    return oldest;
}

/* Seconds until key may try again (0: now). */
static int64_t wait_of(const srv_login_limit *l, const srv_login_slot *x, int64_t now)
{
    if (!x || now - x->first >= (int64_t)l->window || x->failures < l->attempts) return 0;
    return x->first + (int64_t)l->window - now;
}

int srv_login_limit_check(srv_login_limit *l, const char *name, const char *addr, int64_t now)
{
    uv_mutex_lock(&l->lock);
    int64_t a = name ? wait_of(l, slot(l->names, name, 0), now) : 0;
    int64_t b = addr && *addr ? wait_of(l, slot(l->addrs, addr, 0), now) : 0;
    uv_mutex_unlock(&l->lock);
    int64_t w = a > b ? a : b;
    return w <= 0 ? 0 : w > 86400 * 7 ? 86400 * 7 : (int)w;
}

static void count(const srv_login_limit *l, srv_login_slot *x, int64_t now)
{
    if (now - x->first >= (int64_t)l->window || !x->failures) {
        x->first = now;
        x->failures = 0;
    }
    x->failures++;
}

void srv_login_limit_fail(srv_login_limit *l, const char *name, const char *addr, int64_t now)
{
    uv_mutex_lock(&l->lock);
    if (name) count(l, slot(l->names, name, 1), now);
    if (addr && *addr) count(l, slot(l->addrs, addr, 1), now);
    uv_mutex_unlock(&l->lock);
}

/* ---- the service's side ---------------------------------------------------------------- */

int srv__session_request(srv *s, store *db, srv_req *rq, srv_resp *rs)
{
    const char *cookie = srv_header(rq, "Cookie");
    if (!cookie || !strstr(cookie, SRV_SESSION_COOKIE "=")) return 0;
    char secret[SRV_SESSION_HEX + 1], err[512];
    srv_session_info info;
    if (!srv_cookie_secret(cookie, secret)) {
        srv_error(rs, 401, "unauthorized", "the %s cookie is malformed: log in again (POST "
                  "/v1/session)", SRV_SESSION_COOKIE);
        return -1;
    }
    int rc = srv_session_check(db, secret, (int64_t)time(NULL), s->limits.session_idle,
                               s->limits.session_max, &info, err, sizeof err);
    sodium_memzero(secret, sizeof secret);
    if (rc == -EACCES) {
        srv_error(rs, 401, "unauthorized", "%s", err);
        return -1;
    }
    if (rc < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return -1;
    }
    if (srv_csrf_check(rq->method, srv_header(rq, "X-CSRF-Token"), srv_header(rq, "Origin"),
                       srv_header(rq, "Host"), s->tls, info.csrf_token, err, sizeof err) < 0) {
        rq->role = info.as_role; /* the refusal is audited as the user's */
        srv_error(rs, 403, "csrf", "%s", err);
        return -1;
    }
    rq->role = info.as_role;
    return 1;
}
