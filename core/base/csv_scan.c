/*
 * csv_scan.c: see csv_scan.h.
 */
#include "csv_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void csv_scan_init(csv_scan *s, const char *buf, size_t len)
{
    memset(s, 0, sizeof *s);
    s->pos = buf;
    s->end = buf + len;
    s->next_line = 1;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        s->pos += 3;
}

void csv_scan_reset(csv_scan *s, const char *buf, size_t len, size_t line)
{
    s->pos = buf;
    s->end = buf + len;
    s->next_line = line;
    s->line = 0;
    s->n = 0;
    s->used = 0;
    s->err[0] = '\0';
}

void csv_scan_free(csv_scan *s)
{
    free(s->f);
    free(s->scratch);
    free(s->off);
    memset(s, 0, sizeof *s);
}

/* The first byte of [p, end) that ends an unquoted field (, LF CR or a quote), or end.
 * Eight bytes a step where the machine is little-endian: in each word, a byte equal to
 * one of the four sets the high bit of its lane in the mask (the classic "has a zero
 * byte" test on the word XOR the byte repeated); a borrow can mark lanes above a true
 * match, never below it, so the lowest marked lane is the first stop. Unaligned loads
 * go through memcpy. Fields average four bytes, so most take one word. */
static const char *plain_end(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t a = x ^ (ones * ','), b = x ^ (ones * '\n'), c = x ^ (ones * '\r'),
                 d = x ^ (ones * '"');
        uint64_t m = ((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) |
                     ((d - ones) & ~d);
        m &= highs;
        if (m) return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end && *p != ',' && *p != '\n' && *p != '\r' && *p != '"') p++;
    return p;
}

static int push_field(csv_scan *s, const char *p, size_t len, size_t off);

#ifdef __SSE2__
/* Bit i set when p[i] is , LF CR or a quote, for the 64 bytes at p. */
static inline uint64_t stops64(const char *p)
{
    const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r'), quote = _mm_set1_epi8('"');
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, comma), _mm_cmpeq_epi8(x, lf)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, quote)));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * k);
    }
    return m;
}
#endif

/*
 * The record's plain fields from s->pos on, found 64 bytes at a time (a mask of the
 * bytes that end a field, then one step per field). 1 when the record ended (its line
 * end consumed), 0 when s->pos is left at the start of a field for the field-by-field
 * path: one that holds a quote (quoted, or in error), or one within 64 bytes of the
 * buffer's end. -1 out of memory. Without SSE2, always 0: that path does everything.
 */
static int plain_fields(csv_scan *s)
{
#ifdef __SSE2__
    const char *start = s->pos, *base = s->pos;
    while (s->end - base >= 64) {
        uint64_t m = stops64(base);
        while (m) {
            const char *p = base + __builtin_ctzll(m);
            m &= m - 1;
            char c = *p;
            if (c == '"') goto field_by_field;
            if (push_field(s, start, (size_t)(p - start), (size_t)-1) < 0) return -1;
            if (c == ',') {
                start = p + 1;
                continue;
            }
            if (c == '\r' && p + 1 < s->end && p[1] == '\n') p++;
            s->pos = p + 1;
            s->next_line++;
            return 1;
        }
        base += 64;
    }
field_by_field:
    s->pos = start;
#else
    (void)s;
#endif
    return 0;
}

/* push_field's growth (rare): 0, or -1 out of memory (s->err says so). */
static int grow_fields(csv_scan *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    csv_field *f = realloc(s->f, cap * sizeof *f);
    size_t *o = f ? realloc(s->off, cap * sizeof *o) : NULL;
    if (f) s->f = f;
    if (!f || !o) {
        snprintf(s->err, sizeof s->err, "%zu: out of memory", s->line);
        return -1;
    }
    s->off = o;
    s->cap = cap;
    return 0;
}

static inline int push_field(csv_scan *s, const char *p, size_t len, size_t off)
{
    if (s->n == s->cap && grow_fields(s) < 0) return -1;
    s->f[s->n] = (csv_field){p, len};
    s->off[s->n] = off;
    s->n++;
    return 0;
}

static int scratch_put(csv_scan *s, const char *p, size_t len)
{
    if (s->used + len > s->scratch_cap) {
        size_t cap = s->scratch_cap ? s->scratch_cap : 1024;
        while (cap < s->used + len) cap *= 2;
        char *v = realloc(s->scratch, cap);
        if (!v) return -1;
        s->scratch = v;
        s->scratch_cap = cap;
    }
    memcpy(s->scratch + s->used, p, len);
    s->used += len;
    return 0;
}

/* A quoted field starting at s->pos (on the quote). */
static int quoted(csv_scan *s)
{
    const char *p = s->pos + 1, *start = p;
    size_t off = s->used;
    int escaped = 0;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(s->end - p));
        if (!q) {
            snprintf(s->err, sizeof s->err, "%zu:%zu: unterminated quoted field", s->line, s->n + 1);
            return -1;
        }
        for (const char *c = p; c < q; c++) s->next_line += *c == '\n';
        if (q + 1 < s->end && q[1] == '"') { /* "" -> " */
            if (scratch_put(s, p, (size_t)(q - p) + 1) < 0) return -1;
            escaped = 1;
            p = q + 2;
            continue;
        }
        if (escaped) {
            if (scratch_put(s, p, (size_t)(q - p)) < 0) return -1;
            if (push_field(s, NULL, s->used - off, off) < 0) return -1;
        } else if (push_field(s, start, (size_t)(q - start), (size_t)-1) < 0) {
            return -1;
        }
        s->pos = q + 1;
        if (s->pos < s->end && *s->pos != ',' && *s->pos != '\n' && *s->pos != '\r') {
            snprintf(s->err, sizeof s->err,
                     "%zu:%zu: unexpected character after a closing quote (expected , or "
                     "the end of the line)",
                     s->line, s->n);
            return -1;
        }
        return 0;
    }
}

int csv_scan_next(csv_scan *s)
{
    s->n = 0;
    s->used = 0;
    if (s->pos >= s->end) return 0;
    s->line = s->next_line;
    for (;;) {
        int plain = plain_fields(s);
        if (plain < 0) return -1;
        if (plain) break;
        if (s->pos < s->end && *s->pos == '"') {
            if (quoted(s) < 0) return -1;
        } else {
            const char *p = plain_end(s->pos, s->end);
            if (p < s->end && *p == '"') {
                snprintf(s->err, sizeof s->err,
                         "%zu:%zu: a quote inside an unquoted field (quote the whole field "
                         "and double the quote)",
                         s->line, s->n + 1);
                return -1;
            }
            if (push_field(s, s->pos, (size_t)(p - s->pos), (size_t)-1) < 0) return -1;
            s->pos = p;
        }
        if (s->pos >= s->end) break;
        char c = *s->pos++;
        if (c == ',') continue;
        if (c == '\r' && s->pos < s->end && *s->pos == '\n') s->pos++;
        s->next_line++;
        break;
    }
    if (s->used) /* some field had "" escapes (each puts a byte in scratch) */
        for (size_t i = 0; i < s->n; i++)
            if (s->off[i] != (size_t)-1) s->f[i].p = s->scratch + s->off[i];
    return 1;
}

void csv_write_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
