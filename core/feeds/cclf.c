/*
 * cclf.c: see cclf.h.
 */
#include "cclf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

const cclf_layout *cclf_layout_for(char file)
{
    for (size_t i = 0; i < 12; i++)
        if (cclf_layouts[i].file == file) return &cclf_layouts[i];
    return NULL;
}

const cclf_field *cclf_field_named(const cclf_layout *l, const char *name)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (!strcmp(l->fields[i].name, name)) return &l->fields[i];
    return NULL;
}

static int digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    return 1;
}

int cclf_name_parse(const char *base, cclf_name *out)
{
    /* P.A1234.ACO.ZC1Y27.D270115.T1200000 */
    memset(out, 0, sizeof *out);
    if ((base[0] != 'P' && base[0] != 'T') || base[1] != '.') return -EINVAL;
    const char *aco = base + 2, *dot = strchr(aco, '.');
    if (!dot || dot == aco || (size_t)(dot - aco) >= sizeof out->aco) return -EINVAL;
    if (strncmp(dot, ".ACO.ZC", 7) != 0) return -EINVAL;
    const char *p = dot + 7;
    char f = p[0];
    if (!((f >= '0' && f <= '9') || f == 'A' || f == 'B')) return -EINVAL;
    if ((p[1] != 'Y' && p[1] != 'R') || !digits(p + 2, 2) || strncmp(p + 4, ".D", 2) || !digits(p + 6, 6) ||
        strncmp(p + 12, ".T", 2) || !digits(p + 14, 7) || p[21] != '\0')
        return -EINVAL;
    int yy = (p[6] - '0') * 10 + (p[7] - '0'), mm = (p[8] - '0') * 10 + (p[9] - '0');
    int dd = (p[10] - '0') * 10 + (p[11] - '0');
    if (!date_valid_ymd(2000 + yy, mm, dd)) return -EINVAL;
    out->env = base[0];
    out->runout = p[1] == 'R';
    memcpy(out->aco, aco, (size_t)(dot - aco));
    out->file = f;
    out->year = 2000 + (p[2] - '0') * 10 + (p[3] - '0');
    out->date = date_from_ymd(2000 + yy, mm, dd);
    return 0;
}

long cclf_records(const cclf_layout *l, const char *buf, size_t len, cclf_record_fn fn,
                  void *ud, char *err, size_t errlen)
{
    size_t number = 0;
    const char *p = buf, *end = buf + len;
    if (!l) { /* cclf_layout_for() of an unknown file */
        snprintf(err, errlen, "no CCLF layout");
        return -EINVAL;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r') n--;
        number++;
        if (n != l->reclen) {
            snprintf(err, errlen, "record %zu is %zu characters long (CCLF%c records are %u)",
                     number, n, l->file, l->reclen);
            return -EINVAL;
        }
        int rc = fn(ud, p, number);
        if (rc) return rc < 0 ? rc : (long)number;
        p = nl ? nl + 1 : end;
    }
    return (long)number;
}

size_t cclf_text(const char *rec, const cclf_field *f, char *out, size_t outlen)
{
    if (!f) { /* cclf_field_named() of an unknown name: absent */
        out[0] = '\0';
        return 0;
    }
    const char *p = rec + f->start - 1;
    size_t n = f->len;
    while (n && p[n - 1] == ' ') n--;
    size_t t = 0; /* CMS fills unused fields with '~': absent */
    while (t < n && (p[t] == '~' || p[t] == ' ')) t++;
    if (t == n) n = 0;
    if (n >= outlen) n = outlen - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

int cclf_date(const char *rec, const cclf_field *f, cara_date *d)
{
    /* cclf_text's text, read in place */
    if (!f) return 1;
    const char *p = rec + f->start - 1;
    size_t n = f->len, t = 0;
    while (n && p[n - 1] == ' ') n--;
    while (t < n && (p[t] == '~' || p[t] == ' ')) t++;
    if (t == n) return 1; /* blank or '~': absent */
    if (n == 10 && (!memcmp(p, "1000-01-01", 10) || !memcmp(p, "9999-12-31", 10))) return 1;
    return date_parse(p, n, d) == 0 ? 0 : -EINVAL;
}

int cclf_money(const char *rec, const cclf_field *f, int64_t *cents)
{
    const char *p = rec + f->start - 1, *e = p + f->len;
    char blank[2];
    if (cclf_text(rec, f, blank, sizeof blank) == 0) { /* blank or '~': absent, 0 */
        *cents = 0;
        return 0;
    }
    while (p < e && *p == ' ') p++;
    while (e > p && e[-1] == ' ') e--; /* text-typed amounts may be left-aligned */
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    if (p >= e || e - p < 4 || e[-3] != '.' || !digits(e - 2, 2)) return -EINVAL;
    int64_t v = 0;
    for (; p < e - 3; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10) return -EINVAL;
        v = v * 10 + (*p - '0');
    }
    if (v > INT64_MAX / 100 - 99) return -EINVAL;
    v = v * 100 + (e[-2] - '0') * 10 + (e[-1] - '0');
    *cents = neg ? -v : v;
    return 0;
}

/* ---- CCLF0 ------------------------------------------------------------------------------ */

typedef struct summary_ctx {
    const cclf_layout *l;
    cclf_count *out;
    int max, n;
    char *err;
    size_t errlen;
} summary_ctx;

/* Field i (0-based) of a '|'-delimited CCLF0 record, trimmed, into out. CMS's layout puts
 * the delimiters at fixed positions; BCDA's test summaries put them elsewhere, so the
 * record is split on '|' rather than cut by position. */
static void summary_field(const char *rec, size_t reclen, int i, char *out, size_t outlen)
{
    const char *p = rec, *end = rec + reclen;
    if (!memchr(rec, '|', reclen)) { /* no delimiters: the layout's positions */
        static const char *const names[4] = {"FileNumberLabel", "FileDescriptionLabel",
                                             "TotalRecordsCountLabel", "RecordLengthLabel"};
        char buf[64];
        cclf_text(rec, cclf_field_named(cclf_layout_for('0'), names[i]), buf, sizeof buf);
        const char *b = buf;
        while (*b == ' ') b++;
        size_t n = strlen(b) < outlen ? strlen(b) : outlen - 1;
        memcpy(out, b, n);
        out[n] = '\0';
        return;
    }
    for (int k = 0; k < i && p < end; k++) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        p = bar ? bar + 1 : end;
    }
    const char *bar = memchr(p, '|', (size_t)(end - p));
    const char *e = bar ? bar : end;
    while (p < e && *p == ' ') p++;
    while (e > p && e[-1] == ' ') e--;
    size_t n = (size_t)(e - p) < outlen ? (size_t)(e - p) : outlen - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static int parse_digits(const char *s, long *v)
{
    if (!*s || !digits(s, strlen(s))) return -1;
    while (s[0] == '0' && s[1]) s++; /* zero-padded counts */
    if (strlen(s) > 15) return -1;
    *v = 0;
    for (; *s; s++) *v = *v * 10 + (*s - '0');
    return 0;
}

static int summary_record(void *ud, const char *rec, size_t number)
{
    summary_ctx *c = ud;
    char label[16], count[32], len[32];
    summary_field(rec, c->l->reclen, 0, label, sizeof label);
    if (strncmp(label, "CCLF", 4) != 0 || strlen(label) != 5) return 0; /* headings */
    cclf_count k = {label[4], 0, 0};
    if (!cclf_layout_for(k.file) || k.file == '0') {
        snprintf(c->err, c->errlen, "record %zu: FileNumberLabel \"%s\" names no CCLF file",
                 number, label);
        return -EINVAL;
    }
    summary_field(rec, c->l->reclen, 2, count, sizeof count);
    summary_field(rec, c->l->reclen, 3, len, sizeof len);
    if (parse_digits(count, &k.records) < 0 || parse_digits(len, &k.reclen) < 0) {
        snprintf(c->err, c->errlen, "record %zu: %s's record count and length must be digits",
                 number, label);
        return -EINVAL;
    }
    if (c->n < c->max) c->out[c->n] = k;
    c->n++;
    return 0;
}

int cclf_summary(const char *buf, size_t len, cclf_count *out, int max, char *err, size_t errlen)
{
    summary_ctx c = {cclf_layout_for('0'), out, max, 0, err, errlen};
    long rc = cclf_records(c.l, buf, len, summary_record, &c, err, errlen);
    return rc < 0 ? (int)rc : c.n;
}

/* ---- CCLF9 ------------------------------------------------------------------------------ */

typedef struct xw_pair {
    char prev[12], cur[12];
} xw_pair;

struct cclf_xwalk {
    xw_pair *v; /* sorted by prev */
    size_t n, cap;
};

static int xw_record(void *ud, const char *rec, size_t number)
{
    cclf_xwalk *x = ud;
    const cclf_layout *l = cclf_layout_for('9');
    xw_pair p;
    cclf_text(rec, cclf_field_named(l, "PRVS_NUM"), p.prev, sizeof p.prev);
    cclf_text(rec, cclf_field_named(l, "CRNT_NUM"), p.cur, sizeof p.cur);
    (void)number;
    char ind[2];
    cclf_text(rec, cclf_field_named(l, "HICN_MBI_XREF_IND"), ind, sizeof ind);
    if (ind[0] == 'H') return 0; /* a HICN pair: claims carry MBIs, nothing to map */
    if (!p.prev[0] || !p.cur[0] || !strcmp(p.prev, p.cur)) return 0;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        xw_pair *v = realloc(x->v, cap * sizeof *v);
        if (!v) return -ENOMEM;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = p;
    return 0;
}

static int cmp_pair(const void *a, const void *b)
{
    return strcmp(((const xw_pair *)a)->prev, ((const xw_pair *)b)->prev);
}

static const xw_pair *xw_find(const cclf_xwalk *x, const char *mbi)
{
    xw_pair key;
    snprintf(key.prev, sizeof key.prev, "%s", mbi);
    return x->n ? bsearch(&key, x->v, x->n, sizeof *x->v, cmp_pair) : NULL;
}

int cclf_xwalk_build(const char *buf, size_t len, cclf_xwalk **out, char *err, size_t errlen)
{
    cclf_xwalk *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x) return -ENOMEM;
    long rc = cclf_records(cclf_layout_for('9'), buf, len, xw_record, x, err, errlen);
    if (rc < 0) {
        if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
        cclf_xwalk_free(x);
        return (int)rc;
    }
    if (x->n) qsort(x->v, x->n, sizeof *x->v, cmp_pair); /* qsort(NULL, 0) is undefined */
    /* Resolve chains now so lookups are one step, each pair visited once (O(n log n):
     * a 20,000-link chain walked from every link was quadratic, docs/performance.md).
     * state: 0 not yet, 1 on the chain being walked (meeting it again is a cycle), 2
     * resolved (its cur is final). */
    unsigned char *state = calloc(x->n ? x->n : 1, 1);
    size_t *path = malloc((x->n ? x->n : 1) * sizeof *path);
    if (!state || !path) {
        free(state);
        free(path);
        cclf_xwalk_free(x);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < x->n; i++) {
        if (state[i]) continue;
        size_t np = 0, j = i;
        const xw_pair *next = &x->v[i];
        while (next && state[j = (size_t)(next - x->v)] == 0) {
            state[j] = 1;
            path[np++] = j;
            next = xw_find(x, x->v[j].cur);
        }
        if (next && state[j] == 1) {
            snprintf(err, errlen, "the MBI crosswalk has a cycle through %s", x->v[j].prev);
            free(state);
            free(path);
            cclf_xwalk_free(x);
            return -EINVAL;
        }
        char final[sizeof x->v[0].cur];
        /* the chain ends at a resolved pair (its cur is final) or leaves the table */
        memcpy(final, next ? x->v[j].cur : x->v[path[np - 1]].cur, sizeof final);
        for (size_t k = 0; k < np; k++) {
            memcpy(x->v[path[k]].cur, final, sizeof final);
            state[path[k]] = 2;
        }
    }
    free(state);
    free(path);
    *out = x;
    return 0;
}

const char *cclf_xwalk_current(const cclf_xwalk *x, const char *mbi)
{
    const xw_pair *p = xw_find(x, mbi);
    return p ? p->cur : mbi;
}

size_t cclf_xwalk_size(const cclf_xwalk *x) { return x->n; }

void cclf_xwalk_free(cclf_xwalk *x)
{
    if (!x) return;
    free(x->v);
    free(x);
}
