/*
 * hl7_ack.c: the acknowledgement (ACK) of a message; see hl7.h. The answer uses the
 * message's own delimiters (so that its MSH fields can be copied raw), or the defaults
 * when the message's MSH cannot be read.
 */
#include <stdio.h>
#include <string.h>

#include "hl7.h"

typedef struct outbuf {
    char *p;
    size_t cap, n;
    int over;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
    if (o->over) return;
    if (o->n + n + 1 > o->cap) {
        o->over = 1;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static void putc_(outbuf *o, char c) { put(o, &c, 1); }
static void puts_(outbuf *o, const char *s) { put(o, s, strlen(s)); }

/* Text written into a field of the answer, its delimiters and control bytes escaped. */
static void put_escaped(outbuf *o, const hl7_delims *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i], code = 0;
        if (c == d->field) code = 'F';
        else if (c == d->component) code = 'S';
        else if (c == d->subcomponent) code = 'T';
        else if (c == d->repetition) code = 'R';
        else if (c == d->escape) code = 'E';
        else if (d->truncation && c == d->truncation) code = 'P';
        if (code) {
            char e[3] = {d->escape, code, d->escape};
            put(o, e, 3);
        } else if (c == '\n') {
            putc_(o, d->escape);
            puts_(o, ".br");
            putc_(o, d->escape);
        } else if ((unsigned char)c < 0x20 || (unsigned char)c == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "%cX%02X%c", d->escape, (unsigned)(unsigned char)c, d->escape);
            puts_(o, e);
        } else {
            putc_(o, c);
        }
    }
}

/* A raw value copied from the message: only when it holds no control byte (and so no
 * segment end) and no field separator; else nothing. */
static void put_raw(outbuf *o, const hl7_delims *d, hl7_span v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char u = (unsigned char)v.p[i];
        if (u < 0x20 || u == 0x7f || v.p[i] == d->field) return;
    }
    put(o, v.p, v.len);
}

/* The header line of the message being answered: its bytes, delimiters and whether
 * its fields can be read. */
typedef struct hdr {
    const char *p;
    size_t len;
    hl7_delims d;
    int readable;
} hdr;

static void header_of(const hl7_msg *m, const char *raw, size_t rawlen, hdr *h)
{
    static const hl7_delims dflt = {'|', '^', '~', '\\', '&', 0};
    memset(h, 0, sizeof *h);
    h->d = dflt;
    if (m && m->n_seg > 0 && strcmp(m->seg[0].id, "MSH") == 0) {
        h->p = m->seg[0].p;
        h->len = m->seg[0].len;
        h->d = m->d;
        h->readable = 1;
        return;
    }
    if (!raw) return;
    size_t i = 0;
    while (i < rawlen && (raw[i] == '\r' || raw[i] == '\n')) i++;
    size_t j = i;
    while (j < rawlen && raw[j] != '\r' && raw[j] != '\n' && raw[j] != '\0') j++;
    const char *why;
    int field;
    h->p = raw + i;
    h->len = j - i;
    if (hl7_delims_of(h->p, h->len, &h->d, &why, &field) == 0) {
        h->readable = 1;
    } else {
        h->d = dflt;
        h->readable = h->len >= 4 && memcmp(h->p, "MSH|", 4) == 0; /* default separator */
    }
}

/* Field `field` of the header (MSH numbering; >= 3), all of it, or component comp. */
static hl7_span hdr_field(const hdr *h, int field, int comp)
{
    hl7_span none = {"", 0};
    if (!h->readable || h->len < 4 || field < 3) return none;
    const char *p = h->p + 4, *end = h->p + h->len;
    for (int i = 2; i < field; i++) {
        const char *q = memchr(p, h->d.field, (size_t)(end - p));
        if (!q) return none;
        p = q + 1;
    }
    const char *q = memchr(p, h->d.field, (size_t)(end - p));
    hl7_span f = {p, (size_t)((q ? q : end) - p)};
    if (comp > 0) {
        const char *c = f.p, *fe = f.p + f.len;
        for (int i = 1; i < comp; i++) {
            const char *r = memchr(c, h->d.component, (size_t)(fe - c));
            if (!r) return none;
            c = r + 1;
        }
        const char *r = memchr(c, h->d.component, (size_t)(fe - c));
        const char *rr = memchr(c, h->d.repetition, (size_t)(fe - c));
        if (rr && (!r || rr < r)) r = rr;
        f.p = c;
        f.len = (size_t)((r ? r : fe) - c);
    }
    return f;
}

static const char *err_text(const char *code)
{
    static const struct {
        const char *code, *text;
    } t[] = {
        {"0", "Message accepted"},
        {"100", "Segment sequence error"},
        {"101", "Required field missing"},
        {"102", "Data type error"},
        {"103", "Table value not found"},
        {"104", "Value too long"},
        {"200", "Unsupported message type"},
        {"201", "Unsupported event code"},
        {"202", "Unsupported processing id"},
        {"203", "Unsupported version id"},
        {"204", "Unknown key identifier"},
        {"205", "Duplicate key identifier"},
        {"206", "Application record locked"},
        {"207", "Application internal error"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(code, t[i].code) == 0) return t[i].text;
    return NULL;
}

static void put_num(outbuf *o, size_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%zu", v);
    puts_(o, b);
}

int hl7_ack(const hl7_msg *m, const char *raw, size_t rawlen, const char *code,
            const hl7_error *e, const char *control_id, const char *now, char *out,
            size_t outlen)
{
    if (!out || outlen == 0) return -1;
    out[0] = '\0';
    outbuf o = {out, outlen, 0, 0};
    hdr h;
    header_of(m, raw, rawlen, &h);
    const hl7_delims *d = &h.d;
    if (!code) code = "AE";
    if (!control_id) control_id = "";
    if (!now) now = "";

    /* MSH */
    char enc[5] = {d->component, d->repetition, d->escape, d->subcomponent, d->truncation};
    puts_(&o, "MSH");
    putc_(&o, d->field);
    put(&o, enc, d->truncation ? 5 : 4);
    static const int from[4] = {5, 6, 3, 4}; /* MSH-3..6 of the answer */
    for (int i = 0; i < 4; i++) {
        putc_(&o, d->field);
        put_raw(&o, d, hdr_field(&h, from[i], 0));
    }
    putc_(&o, d->field);
    put_escaped(&o, d, now, strlen(now));
    putc_(&o, d->field); /* MSH-8 security */
    putc_(&o, d->field);
    puts_(&o, "ACK");
    hl7_span ev = hdr_field(&h, 9, 2);
    if (ev.len == 0 && m) {
        const hl7_segment *evn = hl7_segment_get(m, "EVN", 1);
        if (evn) hl7_get(m, evn, 1, 1, 1, 0, &ev);
    }
    if (ev.len > 0) {
        putc_(&o, d->component);
        put_raw(&o, d, ev);
        putc_(&o, d->component);
        puts_(&o, "ACK");
    }
    putc_(&o, d->field);
    put_escaped(&o, d, control_id, strlen(control_id));
    hl7_span pid = hdr_field(&h, 11, 0), vid = hdr_field(&h, 12, 0);
    putc_(&o, d->field);
    if (pid.len) put_raw(&o, d, pid);
    else puts_(&o, "P");
    putc_(&o, d->field);
    if (vid.len) put_raw(&o, d, vid);
    else puts_(&o, "2.5.1");
    putc_(&o, '\r');

    /* MSA */
    puts_(&o, "MSA");
    putc_(&o, d->field);
    put_escaped(&o, d, code, strlen(code));
    putc_(&o, d->field);
    put_raw(&o, d, hdr_field(&h, 10, 0));
    putc_(&o, '\r');

    /* ERR */
    if (strcmp(code, "AA") != 0 && strcmp(code, "CA") != 0) {
        static const hl7_error internal = {"", 0, 0, 0, 0, "207", ""};
        if (!e || !err_text(e->code)) e = e && e->message[0] ? e : &internal;
        const char *ecode = err_text(e->code) ? e->code : "207";
        puts_(&o, "ERR");
        putc_(&o, d->field); /* ERR-1, withdrawn */
        putc_(&o, d->field);
        size_t seglen = strnlen(e->segment, sizeof e->segment);
        if (seglen) { /* ERR-2: segment^sequence^field^repetition^component */
            put_escaped(&o, d, e->segment, seglen);
            size_t v[4] = {e->seg_index, (size_t)(e->field > 0 ? e->field : 0),
                           (size_t)(e->rep > 0 ? e->rep : 0), (size_t)(e->comp > 0 ? e->comp : 0)};
            int last = -1;
            for (int i = 0; i < 4; i++)
                if (v[i]) last = i;
            for (int i = 0; i <= last; i++) {
                putc_(&o, d->component);
                if (v[i]) put_num(&o, v[i]);
            }
        }
        putc_(&o, d->field);
        puts_(&o, ecode);
        putc_(&o, d->component);
        puts_(&o, err_text(ecode));
        putc_(&o, d->component);
        puts_(&o, "HL70357");
        putc_(&o, d->field);
        puts_(&o, "E");
        size_t ml = strnlen(e->message, sizeof e->message);
        if (ml) {
            for (int i = 5; i <= 8; i++) putc_(&o, d->field);
            put_escaped(&o, d, e->message, ml);
        }
        putc_(&o, '\r');
    }
    if (o.over) {
        out[0] = '\0';
        return -1;
    }
    return (int)o.n;
}
