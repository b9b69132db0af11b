/*
 * feed_check.c: the field checks of the feeds (see feed.h), on top of the CSV loader's
 * (load_fields.h), so a value a feed accepts is one the CSV layer accepts too.
 */
#include "feed.h"

#include <stdio.h>
#include <string.h>

#include "load_fields.h"
#include "base/base.h"

int feed_check(int kind, const char *p, size_t len, char *out, size_t outlen, char *msg,
               size_t msglen)
{
    if (kind == F_ENUM || kind == F_BPS) { /* these need a spec's words or bounds */
        snprintf(msg, msglen, "field kind %d cannot be checked without a spec", kind);
        return -1;
    }
    field_spec spec = {"", kind, 0, 1, NULL, 0, 0};
    field_value v;
    if (field_check(&spec, p, len, &v, msg, msglen) < 0) return -1;
    size_t n = strlen(v.text);
    if (n >= outlen) {
        snprintf(msg, msglen, "\"%s\" is too long (at most %zu characters)", v.text,
                 outlen ? outlen - 1 : 0);
        return -1;
    }
    /* not memcpy: with the source an 80-byte array GCC inlines it (of n + 1 bytes, or
     * of n and a NUL) as `rep movsq`, whose start-up cost was 70% of this function's
     * time; libc's copy of a few bytes, behind util_strlcpy, is not */
    util_strlcpy(out, v.text, outlen);
    return 0;
}

static int sandbox_mbi(const char *p, size_t len)
{
    if (len != 12 || p[0] != '-') return 0;
    for (size_t i = 1; i < len; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' && p[i] <= 'Z'))) return 0;
    return 1;
}

int feed_check_mbi(const char *p, size_t len, char *out, size_t outlen, char *msg,
                   size_t msglen)
{
    if (sandbox_mbi(p, len)) {
        if (len >= outlen) {
            snprintf(msg, msglen, "\"%.*s\" is too long", (int)len, p);
            return -1;
        }
        memcpy(out, p, len);
        out[len] = '\0';
        return 0;
    }
    /* F_MBI accepts the synthetic S in position 2 already (ids.h) */
    return feed_check(F_MBI, p, len, out, outlen, msg, msglen);
}
