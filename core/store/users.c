/*
 * users.c: see users.h.
 */
#include "users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "audit.h"
#include "base/base.h"
#include "store_internal.h"

#define USER_COLUMNS "u.user_id, u.name, u.role, u.scope, u.password_hash, u.created_at, " \
                     "u.created_by, u.disabled_at, u.password_changed_at, u.last_login_at"
#define N_USER_COLUMNS 10

/* The users (no hash) as JSON for the audit log. */
#define USER_JSON "json_object('user_id', user_id, 'name', name, 'role', role, 'scope', scope, " \
                  "'created_at', created_at, 'created_by', created_by, 'disabled_at', "        \
                  "disabled_at, 'password_changed_at', password_changed_at, 'last_login_at', " \
                  "last_login_at)"

#define LIST_SQL "SELECT name, role || CASE WHEN scope = '' THEN '' ELSE ':' || scope END AS " \
                 "role, created_at, last_login_at, disabled_at FROM users ORDER BY name"

static void copy(char *dst, size_t len, sqlite3_stmt *st, int i)
{
    snprintf(dst, len, "%s", store__col(st, i));
}

/* The user columns of st from column i on into out. */
static void user_cols(sqlite3_stmt *st, int i, users_row *out)
{
    out->user_id = sqlite3_column_int64(st, i);
    copy(out->name, sizeof out->name, st, i + 1);
    copy(out->role, sizeof out->role, st, i + 2);
    copy(out->scope, sizeof out->scope, st, i + 3);
    copy(out->password_hash, sizeof out->password_hash, st, i + 4);
    copy(out->created_at, sizeof out->created_at, st, i + 5);
    copy(out->created_by, sizeof out->created_by, st, i + 6);
    out->disabled = sqlite3_column_type(st, i + 7) != SQLITE_NULL;
    copy(out->disabled_at, sizeof out->disabled_at, st, i + 7);
    copy(out->password_changed_at, sizeof out->password_changed_at, st, i + 8);
    copy(out->last_login_at, sizeof out->last_login_at, st, i + 9);
}

/* Bind n text parameters (NULL binds NULL) from ?first on. */
static int bind_texts(sqlite3_stmt *st, int first, int n, const char *const *b)
{
    for (int i = 0; i < n; i++)
        if (b[i] && sqlite3_bind_text(st, first + i, b[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
            return -1;
    return 0;
}

/*
 * Run the change sql with n text binds (and, when id >= 0, the integer id as ?(n+1));
 * *changes (may be NULL) gets the number of rows changed. what names the work for the
 * message. 0 or -EIO.
 */
static int change(store *s, const char *what, const char *sql, int n, const char *const *b,
                  int64_t id, int *changes, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_fail(db, err, errlen, "%s", what);
    int rc = bind_texts(st, 1, n, b) < 0 ? SQLITE_NOMEM : SQLITE_OK;
    if (rc == SQLITE_OK && id >= 0) rc = sqlite3_bind_int64(st, n + 1, id);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return store_fail(db, err, errlen, "%s", what);
    if (changes) *changes = sqlite3_changes(db);
    return 0;
}

/* The one-row read sql (text key ?1) into *out as users_row or sessions_row. */
static int one(store *s, const char *what, const char *sql, const char *key, users_row *u,
               sessions_row *se, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = store__prepare(s, sql, err, errlen);
    if (!st) return store_fail(db, err, errlen, "%s", what);
    if (u) memset(u, 0, sizeof *u);
    if (se) memset(se, 0, sizeof *se);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW && u) {
        user_cols(st, 0, u);
        found = 1;
    } else if (rc == SQLITE_ROW) {
        copy(se->csrf_token, sizeof se->csrf_token, st, 0);
        copy(se->created_at, sizeof se->created_at, st, 1);
        copy(se->last_seen_at, sizeof se->last_seen_at, st, 2);
        se->ended = sqlite3_column_type(st, 3) != SQLITE_NULL;
        copy(se->ended_at, sizeof se->ended_at, st, 3);
        copy(se->client_addr, sizeof se->client_addr, st, 4);
        user_cols(st, 5, &se->user);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = store_fail(db, err, errlen, "%s", what);
    }
    sqlite3_finalize(st);
    return found;
}

int users_by_name(store *s, const char *name, users_row *out, char *err, size_t errlen)
{
    char what[128];
    snprintf(what, sizeof what, "reading user %.64s", name);
    return one(s, what, "SELECT " USER_COLUMNS " FROM users u WHERE u.name = ?1", name, out, NULL,
               err, errlen);
}

int sessions_by_hash(store *s, const char *sha256_hex, sessions_row *out, char *err,
                     size_t errlen)
{
    return one(s, "reading a session",
               "SELECT x.csrf_token, x.created_at, x.last_seen_at, x.ended_at, x.client_addr, "
               USER_COLUMNS " FROM sessions x JOIN users u ON u.user_id = x.user_id "
               "WHERE x.session_sha256 = ?1", sha256_hex, NULL, out, err, errlen);
}

/* User name's audit JSON into *out (malloc'ed; NULL when no such user). 0 or -EIO. */
static int user_json(store *s, const char *name, char **out, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    *out = NULL;
    sqlite3_stmt *st = store__prepare(s, "SELECT " USER_JSON " FROM users WHERE name = ?1", err,
                                      errlen);
    if (!st) return store_fail(db, err, errlen, "reading user %.64s", name);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), k = 0;
    if (rc == SQLITE_ROW) {
        *out = strdup(store__col(st, 0));
        if (!*out) k = util_fail(err, errlen, -ENOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        k = store_fail(db, err, errlen, "reading user %.64s", name);
    }
    sqlite3_finalize(st);
    return k;
}

/* Append the audit row (entity, the user's name as entity_id, before/after JSON). */
static int audit(store *s, const char *actor, const char *action, const char *entity,
                 const char *name, const char *before, const char *after, char *err,
                 size_t errlen)
{
    char e[256];
    audit_row r = {.actor = actor, .action = action, .entity = entity, .entity_id = name,
                   .before = before, .after = after};
    if (audit_append(s, &r, e, sizeof e) < 0)
        return util_fail(err, errlen, -EIO, "auditing %s of %.64s: %s", action, name, e);
    return 0;
}

static int begin(store *s, char *err, size_t errlen)
{
    char e[256];
    if (store_begin(s, e, sizeof e) < 0) return util_fail(err, errlen, -EIO, "%s", e);
    return 0;
}

int users_add(store *s, const users_new *u, const char *actor, const char *at, char *err,
              size_t errlen)
{
    char what[128], *after = NULL;
    snprintf(what, sizeof what, "adding user %.64s", u->name);
    int rc = begin(s, err, errlen);
    if (rc < 0) return rc;
    users_row old;
    int found = users_by_name(s, u->name, &old, err, errlen);
    if (found > 0) rc = util_fail(err, errlen, -EEXIST, "user \"%s\" already exists", u->name);
    else if (found < 0) rc = found;
    const char *b[7] = {u->name, u->role, u->scope ? u->scope : "", u->password_hash, at,
                        actor, at};
    if (rc == 0)
        rc = change(s, what, "INSERT INTO users (name, role, scope, password_hash, created_at, "
                             "created_by, password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    7, b, -1, NULL, err, errlen);
    if (rc == 0) rc = user_json(s, u->name, &after, err, errlen);
    if (rc == 0) rc = audit(s, actor, "user.add", "user", u->name, NULL, after, err, errlen);
    free(after);
    return store_finish(s, rc, err, errlen);
}

/* End user_id's open sessions but keep (NULL: none kept) at time at; *n ended. */
static int end_sessions(store *s, int64_t user_id, const char *keep, const char *at, int *n,
                        char *err, size_t errlen)
{
    const char *b[2] = {at, keep ? keep : ""};
    return change(s, "ending the user's sessions",
                  "UPDATE sessions SET ended_at = ?1 WHERE ended_at IS NULL AND "
                  "session_sha256 <> ?2 AND user_id = ?3", 2, b, user_id, n, err, errlen);
}

/* Audit JSON of a user change: the row's JSON with "sessions_ended": n added. */
static char *with_ended(const char *json, int n)
{
    size_t len = strlen(json);
    char *out = malloc(len + 40);
    if (!out || len < 2) {
        free(out);
        return NULL;
    }
    snprintf(out, len + 40, "%.*s,\"sessions_ended\":%d}", (int)(len - 1), json, n);
    return out;
}

/* The shared body of disable and passwd. */
static int user_change(store *s, const char *action, const char *name, const char *hash,
                       const char *keep, const char *actor, const char *at, int *ended,
                       char *err, size_t errlen)
{
    char what[128], *before = NULL, *after = NULL, *note = NULL;
    snprintf(what, sizeof what, "%s user %.64s", hash ? "changing the password of" : "disabling",
             name);
    int n = 0, rc = begin(s, err, errlen);
    if (rc < 0) return rc;
    users_row u;
    int found = users_by_name(s, name, &u, err, errlen);
    if (found == 0) rc = util_fail(err, errlen, -ENOENT, "no user \"%s\" (cara user list)", name);
    else if (found < 0) rc = found;
    else if (!hash && u.disabled)
        rc = util_fail(err, errlen, -EALREADY, "user \"%s\" was already disabled at %s", name,
                       u.disabled_at);
    if (rc == 0) rc = user_json(s, name, &before, err, errlen);
    if (rc == 0 && hash) {
        const char *b[2] = {hash, at};
        rc = change(s, what, "UPDATE users SET password_hash = ?1, password_changed_at = ?2 "
                             "WHERE user_id = ?3", 2, b, u.user_id, NULL, err, errlen);
    } else if (rc == 0) {
        const char *b[1] = {at};
        rc = change(s, what, "UPDATE users SET disabled_at = ?1 WHERE user_id = ?2", 1, b,
                    u.user_id, NULL, err, errlen);
    }
    if (rc == 0) rc = end_sessions(s, u.user_id, keep, at, &n, err, errlen);
    if (rc == 0) rc = user_json(s, name, &after, err, errlen);
    if (rc == 0 && !(note = with_ended(after, n))) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
    if (rc == 0) rc = audit(s, actor, action, "user", name, before, note, err, errlen);
    free(before);
    free(after);
    free(note);
    rc = store_finish(s, rc, err, errlen);
    if (ended) *ended = rc == 0 ? n : 0;
    return rc;
}

int users_disable(store *s, const char *name, const char *actor, const char *at, char *err,
                  size_t errlen)
{
    return user_change(s, "user.disable", name, NULL, NULL, actor, at, NULL, err, errlen);
}

int users_passwd(store *s, const char *name, const char *password_hash,
                 const char *keep_sha256, const char *actor, const char *at, int *ended,
                 char *err, size_t errlen)
{
    return user_change(s, "user.passwd", name, password_hash, keep_sha256, actor, at, ended,
                       err, errlen);
}

int users_list(store *s, store_row_fn fn, void *ud, char *err, size_t errlen)
{
    return store_rows(s, LIST_SQL, 0, NULL, fn, ud, err, errlen);
}

int users_list_json(store *s, json_t **out, char *err, size_t errlen)
{
    return store_rows_json(s, LIST_SQL, 0, NULL, out, err, errlen);
}

int sessions_login(store *s, int64_t user_id, const char *sha256_hex, const char *csrf,
                   const char *client, const char *actor, const char *at, char *err,
                   size_t errlen)
{
    int rc = begin(s, err, errlen);
    if (rc < 0) return rc;
    const char *b[5] = {sha256_hex, csrf, at, at, client ? client : ""};
    rc = change(s, "starting a session",
                "INSERT INTO sessions (session_sha256, csrf_token, created_at, last_seen_at, "
                "client_addr, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", 5, b, user_id, NULL,
                err, errlen);
    const char *b2[1] = {at};
    if (rc == 0)
        rc = change(s, "recording the login", "UPDATE users SET last_login_at = ?1 WHERE "
                    "user_id = ?2", 1, b2, user_id, NULL, err, errlen);
    char name[USERS_NAME_MAX + 1] = "", role[64] = "";
    if (rc == 0) {
        sessions_row se;
        int found = sessions_by_hash(s, sha256_hex, &se, err, errlen);
        if (found <= 0) rc = found < 0 ? found : util_fail(err, errlen, -EIO, "the new session vanished");
        else {
            snprintf(name, sizeof name, "%s", se.user.name);
            snprintf(role, sizeof role, "%s%s%s", se.user.role, se.user.scope[0] ? ":" : "",
                     se.user.scope);
        }
    }
    json_t *j = rc == 0 ? json_pack("{s:s, s:s, s:s, s:s}", "user", name, "role", role,
                                    "client", client ? client : "", "created_at", at) : NULL;
    char *after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (rc == 0 && !after) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
    if (rc == 0) rc = audit(s, actor, "session.login", "session", name, NULL, after, err, errlen);
    free(after);
    return store_finish(s, rc, err, errlen);
}

int sessions_touch(store *s, const char *sha256_hex, const char *at, char *err, size_t errlen)
{
    const char *b[2] = {at, sha256_hex};
    return change(s, "recording a session's request", "UPDATE sessions SET last_seen_at = ?1 "
                  "WHERE session_sha256 = ?2", 2, b, -1, NULL, err, errlen);
}

int sessions_purge(store *s, const char *before, char *err, size_t errlen)
{
    const char *b[1] = {before};
    int n = 0;
    int rc = change(s, "removing expired sessions", "DELETE FROM sessions WHERE ended_at IS NOT "
                    "NULL OR created_at < ?1", 1, b, -1, &n, err, errlen);
    return rc < 0 ? rc : n;
}

int sessions_logout(store *s, const char *sha256_hex, const char *actor, const char *at,
                    char *err, size_t errlen)
{
    int rc = begin(s, err, errlen), n = 0;
    if (rc < 0) return rc;
    sessions_row se;
    int found = sessions_by_hash(s, sha256_hex, &se, err, errlen);
    if (found < 0) rc = found;
    else if (!found || se.ended) rc = util_fail(err, errlen, -ENOENT, "no open session");
    const char *b[2] = {at, sha256_hex};
    if (rc == 0)
        rc = change(s, "ending a session", "UPDATE sessions SET ended_at = ?1 WHERE "
                    "session_sha256 = ?2 AND ended_at IS NULL", 2, b, -1, &n, err, errlen);
    json_t *j = rc == 0 ? json_pack("{s:s, s:s, s:s, s:s}", "user", se.user.name, "client",
                                    se.client_addr, "created_at", se.created_at, "ended_at", at)
                        : NULL;
    char *after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (rc == 0 && !after) rc = util_fail(err, errlen, -ENOMEM, "out of memory");
    if (rc == 0) rc = audit(s, actor, "session.logout", "session", se.user.name, NULL, after, err,
                            errlen);
    free(after);
    return store_finish(s, rc, err, errlen);
}
