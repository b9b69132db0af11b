/*
 * feed_check.c: field validation for the CMS feeds, with the CSV loader's checks
 * (see feed.h).
 */
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "load_fields.h"

int feed_check(int kind, const char *p, size_t len, char *out, size_t outlen, char *msg,
               size_t msglen)
{
    field_spec spec = {"", kind, 0, 1, NULL, 0, 0};
    field_value v;
    if (field_check(&spec, p, len, &v, msg, msglen) < 0) return -1;
    size_t n = strlen(v.text);
    if (n >= outlen) {
        snprintf(msg, msglen, "\"%.*s\" is too long (at most %zu characters)", (int)len, p,
                 outlen - 1);
        return -1;
    }
    memcpy(out, v.text, n + 1);
    return 0;
}

/* BCDA's sandbox identifiers: '-' then 11 uppercase letters or digits. */
static int bcda_sandbox_id(const char *p, size_t len)
{
    if (len != 12 || p[0] != '-') return 0;
    for (size_t i = 1; i < len; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9'))) return 0;
    return 1;
}

int feed_check_mbi(const char *p, size_t len, char *out, size_t outlen, char *msg,
                   size_t msglen)
{
    if (bcda_sandbox_id(p, len) && outlen > len) {
        memcpy(out, p, len);
        out[len] = '\0';
        return 0;
    }
    return feed_check(F_MBI, p, len, out, outlen, msg, msglen);
}
