/*
 * audit.c: see audit.h.
 */
#include "audit.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

void audit_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

int audit_append(store *s, const audit_row *r, char *err, size_t errlen)
{
    const char *missing = !r->actor ? "actor" : !r->action ? "action" : !r->entity ? "entity" : NULL;
    if (missing) {
        snprintf(err, errlen, "audit_log: %s is required", missing);
        return -EINVAL;
    }
    sqlite3 *db = store_db(s);
    char now[32];
    if (!r->at) audit_now(now);
    sqlite3_stmt *st = store__kept(s, "INSERT INTO audit_log (at, actor, action, entity, entity_id, "
                                      "effective, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                   NULL, 0);
    if (!st) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -EIO;
    }
    sqlite3_bind_text(st, 1, r->at ? r->at : now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->entity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->entity_id ? r->entity_id : "", -1, SQLITE_STATIC);
    bind_opt(st, 6, r->effective);
    bind_opt(st, 7, r->before);
    bind_opt(st, 8, r->after);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    /* give back after copying the message: the reset would reset it */
    store__kept_done(s, st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}
