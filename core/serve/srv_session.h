/*
 * srv_session: people, not tokens. User accounts with Argon2id password hashes
 * (libsodium's crypto_pwhash_str, OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE), login
 * sessions carried by a cookie, CSRF checks, and the in-memory limit on failed logins
 * (docs/api.md "Logging in", docs/security.md).
 *
 * A session's secret is 32 random bytes (randombytes_buf) as 64 lowercase hex digits,
 * sent once as the cookie cara_session; the store keeps only its SHA-256 (hex). Its CSRF
 * token is 32 more random bytes as hex, given in the login answer and required as the
 * X-CSRF-Token header of every cookie-authenticated request that is not GET or HEAD.
 * A session ends at logout, after idle seconds without a request, max seconds after its
 * login, or at once when its user is disabled or its password changed elsewhere.
 *
 * Functions that take a store use the caller's connection (one per thread, srv.h) and
 * write a message for the user into err (errlen bytes; may be 0). Times are seconds
 * since the epoch, passed in by the caller so that tests can move the clock.
 */
#ifndef CARA_SRV_SESSION_H
#define CARA_SRV_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "srv.h"
#include "store/store.h"

#define SRV_PASSWORD_MIN 10            /* bytes */
#define SRV_PASSWORD_MAX 1024          /* bytes */
#define SRV_SESSION_COOKIE "cara_session"
#define SRV_SESSION_HEX 64             /* hex digits of a session secret and a CSRF token */
#define SRV_DEFAULT_SESSION_IDLE 1800  /* seconds */
#define SRV_DEFAULT_SESSION_MAX 43200  /* seconds */
#define SRV_DEFAULT_LOGIN_ATTEMPTS 5   /* failed logins ... */
#define SRV_DEFAULT_LOGIN_WINDOW 900   /* ... per this many seconds */
#define SRV_SESSION_TOUCH_SECONDS 10   /* last_seen_at is written at most this often */
#define SRV_LOGIN_FAILED "wrong user name or password"
#define SRV_PWHASH_AT_ONCE 2           /* Argon2id hashes or verifies at once (64 MiB each) */

/* ---- names and passwords ------------------------------------------------------------- */

/* 0 when name is 1 to 64 of [A-Za-z0-9._@-]; else -EINVAL with a message naming it. */
int srv_user_name_check(const char *name, char *err, size_t errlen);

/* 0 when len is SRV_PASSWORD_MIN to SRV_PASSWORD_MAX bytes with no NUL; else -EINVAL
 * with a message (never the password). */
int srv_password_check(const char *pw, size_t len, char *err, size_t errlen);

/* crypto_pwhash_str of pw (Argon2id, interactive limits) into out (USERS_HASH_MAX
 * bytes; caller's buffer). At most SRV_PWHASH_AT_ONCE hashes and verifies run at once
 * (the others wait). 0; -EINVAL (srv_password_check); -ENOMEM (libsodium could not
 * hash); -EIO (libsodium could not start). */
int srv_password_hash(const char *pw, size_t len, char out[USERS_HASH_MAX], char *err,
                      size_t errlen);

/* 1 when pw matches hash (crypto_pwhash_str_verify), else 0. */
int srv_password_verify(const char *hash, const char *pw, size_t len);

/* ---- accounts (the CLI and the CMS's endpoints) ----------------------------------------- */

/*
 * Add user name with role spec (srv_role_parse: cms | aco:ACO_ID | provider:NPI) and
 * password pw (len bytes) by actor at now. 0; -EINVAL (name, role, password: message);
 * -EEXIST (name taken); -EIO.
 */
int srv_user_add(store *s, const char *name, const char *role, const char *pw, size_t len,
                 const char *actor, int64_t now, char *err, size_t errlen);

/* Disable user name and end its sessions (users_disable). 0; -ENOENT; -EALREADY; -EIO. */
int srv_user_disable(store *s, const char *name, const char *actor, int64_t now, char *err,
                     size_t errlen);

/*
 * Set user name's password to pw and end its sessions but the one whose secret's hash
 * is keep_sha256 (NULL: all). 0; -EINVAL (password); -ENOENT; -EIO.
 */
int srv_user_passwd(store *s, const char *name, const char *pw, size_t len,
                    const char *keep_sha256, const char *actor, int64_t now, char *err,
                    size_t errlen);

/* ---- sessions -------------------------------------------------------------------------- */

/* A session as the API shows it (GET /v1/session, the login answer). */
typedef struct srv_session_info {
    char user[65];
    char role[64];           /* "cms", "aco:A0001", "provider:NPI" */
    char csrf_token[SRV_SESSION_HEX + 1];
    char sha256[65];         /* of the secret (never shown) */
    int64_t expires_at;      /* login + max seconds */
    srv_role as_role;        /* kind, id and user, for the request */
} srv_session_info;

/*
 * Log name in with password pw from address client at now: on success makes a session
 * (sessions_login), writes its secret (64 hex digits) into secret and fills info
 * (expires_at = now + max_seconds). A wrong name, a wrong password and a disabled user
 * all return -EACCES with SRV_LOGIN_FAILED in err, after the same work (an unknown name
 * is verified against a dummy hash). -EIO (store).
 */
int srv_session_login(store *s, const char *name, const char *pw, size_t len,
                      const char *client, int64_t now, unsigned max_seconds,
                      char secret[SRV_SESSION_HEX + 1], srv_session_info *info, char *err,
                      size_t errlen);

/*
 * The session whose secret is secret (64 lowercase hex digits), when it is open, not
 * idle for idle seconds, younger than max seconds and its user is not disabled: fills
 * info, records the request (last_seen_at, at most every SRV_SESSION_TOUCH_SECONDS; a
 * failure to record is not an error) and returns 0. Otherwise -EACCES with the reason in
 * err (unknown, ended, idle, expired, user disabled); -EIO (store).
 */
int srv_session_check(store *s, const char *secret, int64_t now, unsigned idle, unsigned max,
                      srv_session_info *info, char *err, size_t errlen);

/* End the session with secret's hash sha256 (sessions_logout) by actor. 0; -ENOENT; -EIO. */
int srv_session_logout(store *s, const char *sha256, const char *actor, int64_t now,
                       char *err, size_t errlen);

/* The cara_session cookie's value from a Cookie header (NULL: none) into out when it is
 * 64 lowercase hex digits: 1, else 0 (out ""). */
int srv_cookie_secret(const char *cookie_header, char out[SRV_SESSION_HEX + 1]);

/*
 * The CSRF rule for a cookie-authenticated request: GET and HEAD pass; any other method
 * needs csrf_header equal to expected (sodium_memcmp), and an Origin header (NULL: none)
 * must name host (srv_origin_check). 0, or -EACCES with the reason in err.
 */
int srv_csrf_check(const char *method, const char *csrf_header, const char *origin,
                   const char *host, int tls, const char *expected, char *err, size_t errlen);

/* 0 when origin is NULL or is "http://" (tls: "https://") + host; else -EACCES. */
int srv_origin_check(const char *origin, const char *host, int tls, char *err, size_t errlen);

/* "cara_session=SECRET; Path=/; HttpOnly; SameSite=Strict" (+ "; Secure" with tls) into
 * out; secret NULL makes the clearing cookie (empty value, Max-Age=0). */
void srv_session_cookie(const char *secret, int tls, char *out, size_t len);

/* The login answer's JSON for info, with idle_timeout_seconds idle. New reference. */
json_t *srv_session_json(const srv_session_info *info, unsigned idle);

/* ---- the limit on failed logins -------------------------------------------------------- */

#define SRV_LOGIN_SLOTS 1024           /* keys (user names, addresses) tracked per table */

typedef struct srv_login_slot {
    char key[72];                      /* a user name or an address; "" when free */
    int64_t first;                     /* the window's first failure */
    unsigned failures;
} srv_login_slot;

/* Failed logins per user name and per client address: at most attempts in window
 * seconds (a fixed window from the first failure). Two bounded tables, each evicting its
 * oldest window when full; a mutex makes every call safe from any thread. */
typedef struct srv_login_limit {
    uv_mutex_t lock;
    unsigned attempts, window;
    srv_login_slot names[SRV_LOGIN_SLOTS], addrs[SRV_LOGIN_SLOTS];
} srv_login_limit;

/* Initialize l (0 attempts or window: the defaults). 0 or -1 (no mutex). */
int srv_login_limit_init(srv_login_limit *l, unsigned attempts, unsigned window);
void srv_login_limit_destroy(srv_login_limit *l);

/* 0 when name and addr may try to log in at now; else the seconds until they may again
 * (for Retry-After, at least 1). */
int srv_login_limit_check(srv_login_limit *l, const char *name, const char *addr, int64_t now);

/* Count a failed login of name from addr at now (a success counts nothing). */
void srv_login_limit_fail(srv_login_limit *l, const char *name, const char *addr, int64_t now);

#endif
