/*
 * users: the user accounts of `cara serve` (table `users`, migration 11) and their login
 * sessions (table `sessions`): the one writer and the one query set of both. The
 * service (serve/srv_session.c) hashes passwords and makes the secrets; this module
 * keeps what it is given: a password's libsodium crypto_pwhash_str text and the SHA-256
 * (hex) of a session secret, never a secret. Explicit columns.
 *
 * Every change (users_add, users_disable, users_passwd, sessions_login, sessions_logout)
 * runs in its own transaction (the caller must have none open on s) with an audit_log
 * row (actions 'user.add', 'user.disable', 'user.passwd', 'session.login',
 * 'session.logout'; entity 'user' or 'session', entity_id the user's name) whose JSON
 * never holds a password hash, a session's hash, a secret or a CSRF token.
 *
 * Errors: 0 (or 1/0 found for reads), -EEXIST, -ENOENT, -EALREADY as each function says,
 * or -EIO with a message in err naming what failed ("adding user NAME: <SQLite's
 * message>"). Times are UTC "YYYY-MM-DDTHH:MM:SSZ", given by the caller (so that tests
 * can move the clock). Text arguments are borrowed for the call.
 */
#ifndef CARA_STORE_USERS_H
#define CARA_STORE_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"
#include "store_rows.h"

#define USERS_NAME_MAX 64    /* bytes of a user name */
#define USERS_HASH_MAX 160   /* bytes of a password hash text, NUL included */

/* A user's row (copied; no ownership). */
typedef struct users_row {
    int64_t user_id;
    char name[USERS_NAME_MAX + 1];
    char role[16];                     /* "cms", "aco" or "provider" */
    char scope[32];                    /* the ACO id or the NPI; "" for cms */
    char password_hash[USERS_HASH_MAX];
    char created_at[32], created_by[96];
    char disabled_at[32];              /* "" when not disabled */
    char password_changed_at[32];
    char last_login_at[32];            /* "" before the first login */
    int disabled;                      /* 1 when disabled_at is set */
} users_row;

/* A new user (users_add). */
typedef struct users_new {
    const char *name, *role, *scope;   /* scope "" for cms */
    const char *password_hash;         /* crypto_pwhash_str text */
} users_new;

/* A session's row joined with its user (copied). */
typedef struct sessions_row {
    char csrf_token[65];
    char created_at[32], last_seen_at[32];
    char ended_at[32];                 /* "" while it lasts */
    int ended;
    char client_addr[64];
    users_row user;
} sessions_row;

/* User name into out: 1 found, 0 none, -EIO. */
int users_by_name(store *s, const char *name, users_row *out, char *err, size_t errlen);

/*
 * Add user u made by actor at time at, with password_changed_at = at, and audit it
 * ('user.add'). Returns 0; -EEXIST when the name is taken (message says so); -EIO.
 */
int users_add(store *s, const users_new *u, const char *actor, const char *at, char *err,
              size_t errlen);

/*
 * Disable user name at time at and end every session of it still open (ended_at = at);
 * audit 'user.disable' by actor (before and after; the number of sessions ended).
 * Returns 0; -ENOENT (no such user); -EALREADY (already disabled; message says when);
 * -EIO.
 */
int users_disable(store *s, const char *name, const char *actor, const char *at, char *err,
                  size_t errlen);

/*
 * Set user name's password hash and password_changed_at to at, and end its open
 * sessions except the one whose hash is keep_sha256 (NULL: end all); audit
 * 'user.passwd' by actor (never the hash). Returns 0; -ENOENT; -EIO. *ended (may be NULL)
 * gets the number of sessions ended.
 */
int users_passwd(store *s, const char *name, const char *password_hash,
                 const char *keep_sha256, const char *actor, const char *at, int *ended,
                 char *err, size_t errlen);

/*
 * Every user as generic rows for printing (never the hashes): columns name, role
 * ("cms", "aco:ACO_ID", "provider:NPI"), created_at, last_login_at, disabled_at, by
 * name. Returns store_rows's value (row count or negative; err SQLite's message).
 */
int users_list(store *s, store_row_fn fn, void *ud, char *err, size_t errlen);

/* The same rows as a JSON array of objects (store_rows_json: *out new, caller owns). */
int users_list_json(store *s, json_t **out, char *err, size_t errlen);

/*
 * Start a session for user user_id: insert it (key sha256_hex, the secret's hash; csrf;
 * created_at = last_seen_at = at; client address), set the user's last_login_at, and
 * audit 'session.login' (entity 'session', entity_id the user's name, with the client
 * address; no hash, secret or token) by actor (who logs in, as the API names roles).
 * Returns 0 or -EIO.
 */
int sessions_login(store *s, int64_t user_id, const char *sha256_hex, const char *csrf,
                   const char *client, const char *actor, const char *at, char *err,
                   size_t errlen);

/* The session whose secret hashes to sha256_hex, with its user, into out: 1 found (ended
 * or not), 0 none, -EIO. */
int sessions_by_hash(store *s, const char *sha256_hex, sessions_row *out, char *err,
                     size_t errlen);

/* Set the session's last_seen_at to at (no audit: it is not a change of state anyone
 * reviews). 0 or -EIO. */
int sessions_touch(store *s, const char *sha256_hex, const char *at, char *err, size_t errlen);

/* Delete the sessions that can never be used again: ended ones, and those created before
 * `before` (older than the absolute session limit). Their logins and logouts stay in the
 * audit log. The number deleted, or -EIO. */
int sessions_purge(store *s, const char *before, char *err, size_t errlen);

/* End the session (ended_at = at) and audit 'session.logout' by actor. Returns 0;
 * -ENOENT when there is no open session with that hash; -EIO. */
int sessions_logout(store *s, const char *sha256_hex, const char *actor, const char *at,
                    char *err, size_t errlen);

#endif
