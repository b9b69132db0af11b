/*
 * packed_lines.c: see packed_lines.h.
 */
#include "packed_lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ------------------------------------------------------------------------- */

int pl_reserve(pl_buf *b, size_t more)
{
    if (b->cap - b->len > more) return 0;
    size_t c = b->cap ? b->cap : 256;
    while (c - b->len <= more) c *= 2;
    char *p = realloc(b->p, c);
    if (!p) return -ENOMEM;
    b->p = p;
    b->cap = c;
    return 0;
}

static void put_int(pl_buf *b, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) b->p[b->len++] = '-';
    while (n) b->p[b->len++] = tmp[--n];
}

/* s as a JSON string; room for 6 bytes per byte of s was reserved */
static void put_text(pl_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    b->p[b->len++] = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            b->p[b->len++] = '\\';
            b->p[b->len++] = (char)*c;
        } else if (*c < 0x20) {
            memcpy(b->p + b->len, "\\u00", 4);
            b->p[b->len + 4] = hex[*c >> 4];
            b->p[b->len + 5] = hex[*c & 15];
            b->len += 6;
        } else {
            b->p[b->len++] = (char)*c;
        }
    }
    b->p[b->len++] = '"';
}

int pl_begin(pl_buf *b)
{
    b->len = 0;
    if (pl_reserve(b, 2)) return -ENOMEM;
    b->p[b->len++] = '[';
    return 0;
}

int pl_append(pl_buf *b, const pl_line *l)
{
    size_t need = 8 + 5 * 22;
    for (int i = 0; i < PL_TEXTS; i++) need += (l->text[i] ? strlen(l->text[i]) * 6 : 0) + 6;
    if (pl_reserve(b, need)) return -ENOMEM;
    if (b->len > 1) b->p[b->len++] = ',';
    b->p[b->len++] = '[';
    put_int(b, l->number);
    for (int i = 0; i < PL_TEXTS; i++) {
        b->p[b->len++] = ',';
        if (l->text[i]) put_text(b, l->text[i]);
        else memcpy(b->p + b->len, "null", 4), b->len += 4;
    }
    int64_t nums[3] = {l->paid_cents, l->allowed_cents, l->denied};
    for (int i = 0; i < 3; i++) {
        b->p[b->len++] = ',';
        put_int(b, nums[i]);
    }
    b->p[b->len++] = ',';
    if (l->has_detail) put_int(b, l->detail_paid_cents);
    else memcpy(b->p + b->len, "null", 4), b->len += 4;
    b->p[b->len++] = ']';
    return 0;
}

int pl_end(pl_buf *b)
{
    if (pl_reserve(b, 2)) return -ENOMEM;
    b->p[b->len++] = ']';
    b->p[b->len] = '\0';
    return 0;
}

/* ---- reading ------------------------------------------------------------------------- */

void pl_reader_init(pl_reader *r, const char *p, size_t len)
{
    /* the scratch is kept across values (pl_reader_init is called once per claim) */
    r->p = r->start = p ? p : "";
    r->end = r->p + (p ? len : 0);
    r->state = 0;
    r->err[0] = '\0';
}

void pl_reader_free(pl_reader *r)
{
    free(r->scratch);
    r->scratch = NULL;
    r->cap = 0;
}

static int bad(pl_reader *r, const char *what)
{
    snprintf(r->err, sizeof r->err, "byte %zu: %s", (size_t)(r->p - r->start), what);
    r->state = 3;
    return -1;
}

static inline void ws(pl_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

/* expect byte c after whitespace */
static inline int expect(pl_reader *r, char c)
{
    if (r->p < r->end && *r->p == c) { /* what pl_append writes: no whitespace */
        r->p++;
        return 1;
    }
    ws(r);
    if (r->p >= r->end || *r->p != c) return 0;
    r->p++;
    return 1;
}

static inline int is_null(pl_reader *r)
{
    if (r->p < r->end && *r->p == '"') return 0;
    ws(r);
    if (r->end - r->p >= 4 && !memcmp(r->p, "null", 4)) {
        r->p += 4;
        return 1;
    }
    return 0;
}

/* A JSON integer (no fraction, no exponent) that fits int64. */
static int read_int(pl_reader *r, int64_t *out)
{
    ws(r);
    int neg = r->p < r->end && *r->p == '-';
    if (neg) r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') return bad(r, "expected an integer");
    if (*r->p == '0' && r->end - r->p > 1 && r->p[1] >= '0' && r->p[1] <= '9')
        return bad(r, "expected an integer without leading zeros");
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        unsigned d = (unsigned)(*r->p - '0');
        if (v > (lim - d) / 10) return bad(r, "integer out of range");
        v = v * 10 + d;
        r->p++;
    }
    if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
        return bad(r, "expected an integer (no fraction or exponent)");
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A JSON string into *tp and *tl: decoded into scratch at *used (room: the value's
 * length was reserved, and no escape decodes longer than it is written), NUL-terminated;
 * or, for a reader that borrows, a string without escapes as it is in the value. */
static int read_text(pl_reader *r, size_t *used, const char **tp, size_t *tl)
{
    ws(r);
    if (r->p >= r->end || *r->p != '"') return bad(r, "expected a string or null");
    r->p++;
    if (r->borrow) {
        const char *q = r->p;
        while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20) q++;
        if (q < r->end && *q == '"') {
            *tp = r->p;
            *tl = (size_t)(q - r->p);
            r->p = q + 1;
            return 0;
        }
    }
    char *o = r->scratch + *used;
    *tp = o;
    while (r->p < r->end && *r->p != '"') {
        /* a run of plain bytes at once */
        const char *q = r->p;
        while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20) q++;
        if (q > r->p) {
            memcpy(o, r->p, (size_t)(q - r->p));
            o += q - r->p;
            r->p = q;
            continue;
        }
        unsigned char c = (unsigned char)*r->p;
        if (c < 0x20) return bad(r, "control character in a string");
        if (c != '\\') {
            *o++ = (char)c;
            r->p++;
            continue;
        }
        if (r->end - r->p < 2) return bad(r, "unterminated escape");
        char e = r->p[1];
        r->p += 2;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (r->end - r->p < 4 || hex4(r->p, &cp)) return bad(r, "expected 4 hex digits after \\u");
            r->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || hex4(r->p + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return bad(r, "unpaired surrogate in \\u escape");
                r->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                return bad(r, "unpaired surrogate in \\u escape");
            }
            if (cp == 0) return bad(r, "\\u0000 in a string");
            o += utf8(cp, o);
            break;
        }
        default: return bad(r, "unknown escape in a string");
        }
    }
    if (r->p >= r->end) return bad(r, "unterminated string");
    r->p++;
    *tl = (size_t)(o - *tp);
    *o++ = '\0';
    *used = (size_t)(o - r->scratch);
    return 0;
}

int pl_next(pl_reader *r, pl_line *out)
{
    if (r->state == 2) return 0;
    if (r->state == 3) return -1;
    if (r->state == 0) {
        /* every text of the value fits in its length plus one NUL per field */
        size_t need = (size_t)(r->end - r->p) + PL_TEXTS + 1;
        if (need > r->cap) {
            char *s = realloc(r->scratch, need);
            if (!s) return -ENOMEM;
            r->scratch = s;
            r->cap = need;
        }
        if (!expect(r, '[')) return bad(r, "expected '[' (the claim's lines)");
        r->state = 1;
        if (expect(r, ']')) goto done;
    } else {
        if (expect(r, ']')) goto done;
        if (!expect(r, ',')) return bad(r, "expected ',' or ']' after a line");
    }
    /* the scratch is reused per line: each line's texts start at 0 */
    out->has_detail = 0;
    out->detail_paid_cents = 0;
    if (!expect(r, '[')) return bad(r, "expected '[' (a line)");
    if (read_int(r, &out->number)) return -1;
    size_t used = 0;
    for (int i = 0; i < PL_TEXTS; i++) {
        if (!expect(r, ',')) return bad(r, "expected ',' (a line has 15 values)");
        if (is_null(r)) {
            out->text[i] = NULL;
            out->len[i] = 0;
        } else if (read_text(r, &used, &out->text[i], &out->len[i])) {
            return -1;
        }
    }
    int64_t *nums[3] = {&out->paid_cents, &out->allowed_cents, &out->denied};
    for (int i = 0; i < 3; i++) {
        if (!expect(r, ',')) return bad(r, "expected ',' (a line has 15 values)");
        if (read_int(r, nums[i])) return -1;
    }
    if (!expect(r, ',')) return bad(r, "expected ',' (a line has 15 values)");
    if (!is_null(r)) {
        if (read_int(r, &out->detail_paid_cents)) return -1;
        out->has_detail = 1;
    }
    if (!expect(r, ']')) return bad(r, "expected ']' (a line has 15 values)");
    return 1;
done:
    ws(r);
    if (r->p != r->end) return bad(r, "unexpected bytes after the lines");
    r->state = 2;
    return 0;
}
