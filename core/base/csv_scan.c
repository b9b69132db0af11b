/*
 * csv_scan.c: see csv_scan.h.
 */
#include "csv_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int push_field(csv_scan *s, const char *p, size_t len, size_t off)
{
    if (s->n == s->cap) {
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
    }
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
        if (s->pos < s->end && *s->pos == '"') {
            if (quoted(s) < 0) return -1;
        } else {
            const char *p = s->pos;
            while (p < s->end && *p != ',' && *p != '\n' && *p != '\r' && *p != '"') p++;
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
