/*
 * srv_json.c: see srv_json.h. jansson's rules reproduced: strings escape '\\', '"' and
 * the control characters (\b \f \n \r \t, others as \u00XX), and with ENSURE_ASCII every
 * code point above 0x7F as \uXXXX (uppercase hex; a UTF-16 surrogate pair above the BMP);
 * integers as %lld; compact separators ',' and ':'.
 */
#include "srv_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef srv_jbuf buf; /* bad: out of memory, or a tree left to jansson */

static int grow(buf *b, size_t more)
{
    if (b->n + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->bad = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void put(buf *b, const char *s, size_t n)
{
    if (b->bad || grow(b, n) < 0) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put_hex4(buf *b, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char s[6] = {'\\', 'u', hex[v >> 12 & 15], hex[v >> 8 & 15], hex[v >> 4 & 15], hex[v & 15]};
    put(b, s, 6);
}

/* One UTF-8 code point at s (n bytes left) into *cp: its length, 0 when not valid UTF-8
 * as jansson's utf8_check_* judge it (overlong forms, surrogates, above U+10FFFF). */
static size_t utf8_one(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned c = s[0];
    size_t len;
    int32_t v;
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* 0, or -1 (b left with a partial string) when str is not valid UTF-8. */
static int put_string(buf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    put(b, "\"", 1);
    while (s < end && !b->bad) {
        const unsigned char *run = s; /* the plain ASCII run, copied at once */
        while (s < end && *s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\') s++;
        if (s > run) put(b, (const char *)run, (size_t)(s - run));
        if (s == end) break;
        int32_t cp;
        size_t k = utf8_one(s, (size_t)(end - s), &cp);
        if (!k) return -1; /* jansson refuses it */
        s += k;
        switch (cp) {
        case '\\': put(b, "\\\\", 2); break;
        case '"': put(b, "\\\"", 2); break;
        case '\b': put(b, "\\b", 2); break;
        case '\f': put(b, "\\f", 2); break;
        case '\n': put(b, "\\n", 2); break;
        case '\r': put(b, "\\r", 2); break;
        case '\t': put(b, "\\t", 2); break;
        default:
            if (cp < 0x10000) {
                put_hex4(b, (unsigned)cp);
            } else {
                cp -= 0x10000;
                put_hex4(b, 0xD800u | (((unsigned)cp & 0xFFC00u) >> 10));
                put_hex4(b, 0xDC00u | ((unsigned)cp & 0x3FFu));
            }
        }
    }
    put(b, "\"", 1);
    return 0;
}

static void put_int(buf *b, json_int_t v)
{
    char s[24], *e = s + sizeof s, *p = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    put(b, p, (size_t)(e - p));
}

static void dump(buf *b, const json_t *j, int depth)
{
    if (b->bad) return;
    if (!j || depth > SRV_JSON_DEPTH) {
        b->bad = 1;
        return;
    }
    switch (json_typeof(j)) {
    case JSON_NULL: put(b, "null", 4); break;
    case JSON_TRUE: put(b, "true", 4); break;
    case JSON_FALSE: put(b, "false", 5); break;
    case JSON_INTEGER: put_int(b, json_integer_value(j)); break;
    case JSON_STRING:
        if (put_string(b, json_string_value(j), json_string_length(j)) < 0) b->bad = 1;
        break;
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        put(b, "[", 1);
        for (size_t i = 0; i < n && !b->bad; i++) {
            if (i) put(b, ",", 1);
            dump(b, json_array_get(j, i), depth + 1);
        }
        put(b, "]", 1);
        break;
    }
    case JSON_OBJECT: {
        put(b, "{", 1);
        int first = 1;
        for (void *it = json_object_iter((json_t *)j); it && !b->bad;
             it = json_object_iter_next((json_t *)j, it)) {
            if (!first) put(b, ",", 1);
            first = 0;
            if (put_string(b, json_object_iter_key(it), json_object_iter_key_len(it)) < 0) b->bad = 1;
            put(b, ":", 1);
            dump(b, json_object_iter_value(it), depth + 1);
        }
        put(b, "}", 1);
        break;
    }
    default: b->bad = 1; /* a real: jansson's own formatting */
    }
}

char *srv_json_dump(const json_t *body, size_t *len)
{
    if (!json_is_object(body) && !json_is_array(body)) return NULL;
    buf b = {0};
    dump(&b, body, 0);
    put(&b, "", 0);
    if (!b.bad && grow(&b, 1) == 0) {
        b.p[b.n] = '\0';
        *len = b.n;
        return b.p;
    }
    free(b.p);
    return NULL;
}

void srv_jbuf_raw(srv_jbuf *b, const char *s, size_t n) { put(b, s, n); }

int srv_json_utf8_ok(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (s[i] && s[i] < 0x80) i++; /* ASCII: valid */
    if (!s[i]) return 1;
    size_t n = i + strlen(str + i);
    for (; i < n;) {
        int32_t cp;
        size_t k = s[i] < 0x80 ? 1 : utf8_one(s + i, n - i, &cp);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

int srv_jbuf_str(srv_jbuf *b, const char *s)
{
    size_t at = b->n;
    if (put_string(b, s, strlen(s)) == 0) return 0;
    b->n = at; /* not UTF-8: nothing of it is kept */
    return -1;
}

void srv_jbuf_int(srv_jbuf *b, long long v) { put_int(b, (json_int_t)v); }
