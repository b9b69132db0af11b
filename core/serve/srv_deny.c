/*
 * srv_deny.c: see srv_deny.h.
 */
#include "srv_deny.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "srv_auth.h"
#include "base/base.h"

int srv_deny_admit(srv_deny_limit *l, const char *key, int64_t now, unsigned *suppressed)
{
    if (suppressed) *suppressed = 0;
    if (!key || !*key) key = "anonymous";
    int64_t minute = now / 60;
    srv_deny_slot *hit = NULL, *spare = NULL;
    for (size_t i = 0; i + 1 < SRV_DENY_KEYS && !hit; i++) {
        srv_deny_slot *s = &l->slot[i];
        if (s->key[0] && strcmp(s->key, key) == 0) hit = s;
        else if (!spare && (!s->key[0] || s->minute < minute - 1)) spare = s;
    }
    if (!hit && spare) { /* a free slot, or one idle for over a minute */
        memset(spare, 0, sizeof *spare);
        util_strlcpy(spare->key, key, sizeof spare->key);
        spare->minute = minute;
        hit = spare;
    }
    if (!hit) { /* every slot busy: the overflow key */
        hit = &l->slot[SRV_DENY_KEYS - 1];
        if (strcmp(hit->key, "*") != 0) {
            memset(hit, 0, sizeof *hit);
            util_strlcpy(hit->key, "*", sizeof hit->key);
            hit->minute = minute;
        }
    }
    if (hit->minute != minute) {
        if (suppressed) *suppressed = hit->suppressed;
        hit->minute = minute;
        hit->count = hit->suppressed = 0;
    }
    hit->count++;
    if (hit->count <= SRV_DENY_PER_MINUTE) return SRV_DENY_WRITE;
    if (hit->count == SRV_DENY_PER_MINUTE + 1) return SRV_DENY_SUMMARY;
    hit->suppressed++;
    return SRV_DENY_DROP;
}

void srv_deny_resource(const char *path, char *buf, size_t len)
{
    const char *p = path ? path : "";
    while (*p == '/') p++;
    if (strncmp(p, "v1/", 3) == 0) p += 3;
    size_t n = strcspn(p, "/?");
    snprintf(buf, len, "%.*s", (int)n, p);
}

/* A JSON string of s ("" for NULL); bytes that are not UTF-8 (a path or a value from
 * the client) become '?'. New reference. */
static json_t *text(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j) return j;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    for (unsigned char *p = (unsigned char *)buf; *p; p++)
        if (*p >= 0x80) *p = '?';
    j = json_string(buf);
    return j ? j : json_string("");
}

int srv_deny_audit(store *db, const srv_req *rq, int status, const char *reason, int decision,
                   unsigned suppressed)
{
    if (decision == SRV_DENY_DROP || !db) return 0;
    char role[64], entity[64];
    snprintf(role, sizeof role, "%s%s%s", srv_role_word(rq->role.kind), rq->role.id[0] ? ":" : "",
             rq->role.id);
    srv_deny_resource(rq->path, entity, sizeof entity);
    json_t *after = json_pack("{s:o, s:o, s:s, s:o, s:i}", "method", text(rq->method), "path",
                              text(rq->path), "role", role, "reason", text(reason), "status", status);
    if (!after) return -EIO;
    if (decision == SRV_DENY_SUMMARY) {
        char note[160];
        snprintf(note, sizeof note, "more than %d refused requests of this token in this minute: "
                 "the rest of the minute's refusals are not recorded", SRV_DENY_PER_MINUTE);
        json_object_set_new(after, "limited", json_true());
        json_object_set_new(after, "note", json_string(note));
    }
    if (suppressed) json_object_set_new(after, "suppressed", json_integer(suppressed));
    srv_req tmp = *rq;
    tmp.db = db;
    return srv_audit(&tmp, "api.denied", entity[0] ? entity : "root", rq->path, after);
}
