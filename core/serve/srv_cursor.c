/*
 * srv_cursor.c: see srv_cursor.h.
 */
#include "srv_cursor.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint64_t srv_cursor_filters(const char *const *values, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        const char *v = values[i];
        h = (h ^ (v ? 1u : 2u)) * 1099511628211ull;
        for (; v && *v; v++) h = (h ^ (unsigned char)*v) * 1099511628211ull;
        h = (h ^ 0x1fu) * 1099511628211ull;
    }
    return h;
}

char *srv_cursor_make(int64_t run, uint64_t filters, const char *const key[4])
{
    char plain[SRV_CURSOR_MAX * 3 / 4 - 8]; /* so that its base64 is one srv_cursor_parse takes */
    int n = snprintf(plain, sizeof plain, "e1\x1f%" PRId64 "\x1f%016" PRIx64 "\x1f%s\x1f%s\x1f%s\x1f%s",
                     run, filters, key[0], key[1], key[2], key[3]);
    if (n < 0 || (size_t)n >= sizeof plain) return NULL;
    char *out = malloc((size_t)n * 4 / 3 + 4);
    if (!out) return NULL;
    size_t o = 0;
    for (int i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)plain[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)plain[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)plain[i + 2];
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        if (i + 1 < n) out[o++] = B64[v >> 6 & 63];
        if (i + 2 < n) out[o++] = B64[v & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(B64, c) : NULL;
    return p ? (int)(p - B64) : -1;
}

int srv_cursor_parse(const char *cursor, int64_t run, uint64_t filters, char *buf,
                     const char *key[4])
{
    size_t len = strlen(cursor), o = 0;
    if (len == 0 || len >= SRV_CURSOR_MAX || len % 4 == 1) return -1;
    for (size_t i = 0; i < len; i += 4) {
        int v[4] = {0, 0, 0, 0}, k = 0;
        for (; k < 4 && i + k < len; k++)
            if ((v[k] = b64_value(cursor[i + k])) < 0) return -1;
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        buf[o++] = (char)(x >> 16);
        if (k > 2) buf[o++] = (char)(x >> 8 & 255);
        if (k > 3) buf[o++] = (char)(x & 255);
    }
    buf[o] = '\0';
    if (memchr(buf, '\0', o)) return -1;
    char *part[7];
    int n = 0;
    for (char *p = buf;; p++) {
        if (n == 7) return -1; /* more than seven parts */
        part[n++] = p;
        p = strchr(p, '\x1f');
        if (!p) break;
        *p = '\0';
    }
    if (n != 7 || strcmp(part[0], "e1")) return -1;
    char *end;
    long long r = strtoll(part[1], &end, 10);
    if (!*part[1] || *end || strlen(part[2]) != 16) return -1;
    uint64_t h = strtoull(part[2], &end, 16);
    if (*end) return -1;
    if (r != run || h != filters) return -2;
    for (int i = 0; i < 4; i++) key[i] = part[3 + i];
    return 0;
}
