/*
 * hl7.c: see hl7.h. One pass counts the segments, a second records where each one is;
 * fields, repetitions and components are found on demand by scanning the segment's bytes
 * (no per-field allocation).
 */
#include "hl7.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void err_set(hl7_error *e, const char *code, const char *seg, size_t seg_index, int field,
                    const char *fmt, const char *a, const char *b)
{
    if (!e) return;
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->segment, sizeof e->segment, "%s", seg ? seg : "");
    e->seg_index = seg_index;
    e->field = field;
    snprintf(e->message, sizeof e->message, fmt, a ? a : "", b ? b : "");
}

static int is_seg_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A delimiter must be a visible ASCII byte that is neither a letter nor a digit. */
static int is_delim_char(char c)
{
    unsigned char u = (unsigned char)c;
    if (u <= 0x20 || u >= 0x7f) return 0;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 0;
    return 1;
}

int hl7_delims_of(const char *line, size_t len, hl7_delims *d, const char **why, int *field)
{
    *field = 0;
    if (len < 3 || memcmp(line, "MSH", 3) != 0) {
        *why = "the message does not begin with an MSH segment";
        return -1;
    }
    *field = 1;
    if (len < 4) {
        *why = "MSH-1 (field separator) is missing";
        return -1;
    }
    char fs = line[3];
    if (!is_delim_char(fs)) {
        *why = "MSH-1 (field separator) must be a visible character other than a letter or digit";
        return -1;
    }
    size_t n = 0;
    while (4 + n < len && line[4 + n] != fs) n++;
    *field = 2;
    if (n != 4 && n != 5) {
        *why = "MSH-2 (encoding characters) must be 4 characters (component, repetition, escape, "
               "subcomponent) or 5 with the truncation character";
        return -1;
    }
    const char *enc = line + 4;
    for (size_t i = 0; i < n; i++) {
        if (!is_delim_char(enc[i]) || enc[i] == fs) {
            *why = "MSH-2 (encoding characters) holds a letter, digit, space, control character "
                   "or the field separator";
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (enc[i] == enc[j]) {
                *why = "MSH-2 (encoding characters) repeats a character";
                return -1;
            }
    }
    d->field = fs;
    d->component = enc[0];
    d->repetition = enc[1];
    d->escape = enc[2];
    d->subcomponent = enc[3];
    d->truncation = n == 5 ? enc[4] : 0;
    *field = 0;
    return 0;
}

/* A line holding only spaces and tabs counts as empty. */
static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t') return 0;
    return 1;
}

void hl7_msg_free(hl7_msg *m)
{
    if (!m) return;
    free(m->seg);
    memset(m, 0, sizeof *m);
}

int hl7_parse(const char *buf, size_t len, hl7_msg *m, hl7_error *e)
{
    memset(m, 0, sizeof *m);
    if (e) memset(e, 0, sizeof *e);
    if (!buf) len = 0;
    if (len && memchr(buf, '\0', len)) {
        char at[32];
        snprintf(at, sizeof at, "%zu", (size_t)((const char *)memchr(buf, '\0', len) - buf));
        err_set(e, "102", "", 0, 0, "the message holds a NUL byte (at offset %s)", at, NULL);
        return -1;
    }
    /* pass 1: count the non-empty lines */
    size_t count = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && buf[j] != '\r' && buf[j] != '\n') j++;
        if (!blank(buf + i, j - i)) count++;
        i = j + 1;
    }
    if (count == 0) {
        err_set(e, "100", "MSH", 0, 0, "the message is empty (expected an MSH segment)", NULL, NULL);
        return -1;
    }
    if (count > HL7_MAX_SEGMENTS) {
        char n[32], max[32];
        snprintf(n, sizeof n, "%zu", count);
        snprintf(max, sizeof max, "%d", HL7_MAX_SEGMENTS);
        err_set(e, "100", "", 0, 0, "the message has %s segments (at most %s are accepted)", n, max);
        return -1;
    }
    hl7_segment *seg = calloc(count, sizeof *seg);
    if (!seg) {
        err_set(e, "207", "", 0, 0, "out of memory parsing the message%s%s", NULL, NULL);
        return -1;
    }
    hl7_delims d = {0};
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && buf[j] != '\r' && buf[j] != '\n') j++;
        const char *p = buf + i;
        size_t sl = j - i;
        i = j + 1;
        if (blank(p, sl)) continue;
        if (n == 0) {
            const char *why = NULL;
            int field = 0;
            if (hl7_delims_of(p, sl, &d, &why, &field) != 0) {
                err_set(e, field ? "102" : "100", "MSH", field ? 1 : 0, field, "%s%s", why, NULL);
                free(seg);
                return -1;
            }
        }
        if (sl < 3 || !is_seg_char(p[0]) || !is_seg_char(p[1]) || !is_seg_char(p[2]) ||
            (sl > 3 && p[3] != d.field)) {
            char id[16], pos[32];
            size_t k = 0;
            for (; k < sl && k < 8; k++) id[k] = (p[k] >= 0x20 && p[k] < 0x7f) ? p[k] : '?';
            id[k] = '\0';
            snprintf(pos, sizeof pos, "%zu", n + 1);
            err_set(e, "100", "", n + 1, 0,
                    "segment %s begins \"%s\": expected a three-character id of capital letters and "
                    "digits followed by the field separator",
                    pos, id);
            free(seg);
            return -1;
        }
        memcpy(seg[n].id, p, 3);
        seg[n].id[3] = '\0';
        seg[n].p = p;
        seg[n].len = sl;
        seg[n].index = n + 1;
        n++;
    }
    m->buf = buf;
    m->len = len;
    m->d = d;
    m->seg = seg;
    m->n_seg = n;
    return 0;
}

const hl7_segment *hl7_segment_get(const hl7_msg *m, const char *id, size_t nth)
{
    if (!m || !id || nth == 0) return NULL;
    for (size_t i = 0; i < m->n_seg; i++)
        if (strcmp(m->seg[i].id, id) == 0 && --nth == 0) return &m->seg[i];
    return NULL;
}

size_t hl7_segment_count(const hl7_msg *m, const char *id)
{
    size_t n = 0;
    if (!m || !id) return 0;
    for (size_t i = 0; i < m->n_seg; i++)
        if (strcmp(m->seg[i].id, id) == 0) n++;
    return n;
}

/* MSH, and the batch and file headers built like it, count their separator as field 1. */
static int is_header(const hl7_segment *s)
{
    return strcmp(s->id, "MSH") == 0 || strcmp(s->id, "BHS") == 0 || strcmp(s->id, "FHS") == 0;
}

/* The nth (1-based) piece of sp split at c; 0 when there are fewer pieces. */
static int piece(hl7_span sp, char c, int nth, hl7_span *out)
{
    const char *p = sp.p, *end = sp.p + sp.len;
    for (int i = 1; i < nth; i++) {
        const char *q = memchr(p, c, (size_t)(end - p));
        if (!q) return 0;
        p = q + 1;
    }
    const char *q = memchr(p, c, (size_t)(end - p));
    out->p = p;
    out->len = (size_t)((q ? q : end) - p);
    return 1;
}

/* The raw bytes of field `field` of s (all repetitions); 0 when absent. */
static int field_span(const hl7_msg *m, const hl7_segment *s, int field, hl7_span *out)
{
    if (s->len < 4) return 0;
    hl7_span rest = {s->p + 4, s->len - 4};
    int nth = field;
    if (is_header(s)) {
        if (field == 1) {
            out->p = s->p + 3;
            out->len = 1;
            return 1;
        }
        nth = field - 1;
    }
    return piece(rest, m->d.field, nth, out);
}

int hl7_get(const hl7_msg *m, const hl7_segment *s, int field, int rep, int comp, int sub,
            hl7_span *out)
{
    hl7_span none = {"", 0}, f;
    *out = none;
    if (!m || !s || field < 1 || rep < 0 || comp < 0 || sub < 0) return 0;
    if (!field_span(m, s, field, &f)) return 0;
    if (is_header(s) && field <= 2) { /* the separator and encoding characters: never split */
        if (rep > 1 || comp > 1 || sub > 1) return 0;
        *out = f;
        return f.len > 0;
    }
    if (rep > 0 && !piece(f, m->d.repetition, rep, &f)) return 0;
    if (sub > 0 && comp == 0) comp = 1;
    if (comp > 0 && !piece(f, m->d.component, comp, &f)) return 0;
    if (sub > 0 && !piece(f, m->d.subcomponent, sub, &f)) return 0;
    if (f.len == 0) return 0;
    *out = f;
    return 1;
}

size_t hl7_repetitions(const hl7_msg *m, const hl7_segment *s, int field)
{
    hl7_span f;
    if (!m || !s || field < 1 || !field_span(m, s, field, &f) || f.len == 0) return 0;
    if (is_header(s) && field <= 2) return 1;
    size_t n = 1;
    for (size_t i = 0; i < f.len; i++)
        if (f.p[i] == m->d.repetition) n++;
    return n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static int esc_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '+';
}

int hl7_text(const hl7_msg *m, hl7_span raw, char *out, size_t outlen)
{
    static const hl7_delims dflt = {'|', '^', '~', '\\', '&', 0};
    const hl7_delims *d = m ? &m->d : &dflt;
    if (!out || outlen == 0) return -1;
    out[0] = '\0';
    if (!raw.p) raw.len = 0;
    if (raw.len == 2 && raw.p[0] == '"' && raw.p[1] == '"') return 0; /* the HL7 null */
    size_t n = 0;
#define PUT(ch)                                                                                   \
    do {                                                                                          \
        if (n + 1 >= outlen) {                                                                    \
            out[0] = '\0';                                                                        \
            return -1;                                                                            \
        }                                                                                         \
        out[n++] = (ch);                                                                          \
    } while (0)
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.p[i];
        if (c != d->escape) {
            PUT(c);
            continue;
        }
        const char *q = memchr(raw.p + i + 1, d->escape, raw.len - i - 1);
        if (!q) goto bad;
        const char *s = raw.p + i + 1;
        size_t sl = (size_t)(q - s);
        i = (size_t)(q - raw.p);
        if (sl == 0) goto bad;
        for (size_t k = 0; k < sl; k++)
            if (!esc_name_char(s[k])) goto bad;
        if (sl == 1) {
            switch (s[0]) {
            case 'F': PUT(d->field); break;
            case 'S': PUT(d->component); break;
            case 'T': PUT(d->subcomponent); break;
            case 'R': PUT(d->repetition); break;
            case 'E': PUT(d->escape); break;
            case 'P': PUT(d->truncation ? d->truncation : '#'); break;
            case 'X': goto bad;
            default: break; /* \H\ \N\ and other formatting: dropped */
            }
        } else if (s[0] == 'X') {
            if ((sl - 1) % 2) goto bad;
            for (size_t k = 1; k < sl; k += 2) {
                int hi = hexval(s[k]), lo = hexval(s[k + 1]);
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) goto bad; /* \X00\ would cut the text */
                PUT((char)(hi * 16 + lo));
            }
        } else if (sl == 3 && memcmp(s, ".br", 3) == 0) {
            PUT('\n');
        }
        /* else: \.sp\ \.in\ \Cxxyy\ \Mxxyyzz\ \Zxx\ ...: dropped */
    }
#undef PUT
    out[n] = '\0';
    return (int)n;
bad:
    out[0] = '\0';
    return -1;
}

int hl7_field_text(const hl7_msg *m, const hl7_segment *s, int field, int rep, int comp,
                   char *out, size_t outlen)
{
    hl7_span raw;
    if (!out || outlen == 0) return -1;
    out[0] = '\0';
    if (!hl7_get(m, s, field, rep, comp, 0, &raw)) return 0;
    int n = hl7_text(m, raw, out, outlen);
    if (n < 0) return -1;
    return n > 0;
}
