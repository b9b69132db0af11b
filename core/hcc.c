/*
 * hcc.c: see hcc.h.
 */
#include "hcc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct hcc_dx {
    char code[8];
    int hcc;
} hcc_dx;

struct hcc_model {
    hcc_dx *dx;          /* sorted by code */
    size_t n_dx;
    int (*hier)[2];      /* parent, child */
    size_t n_hier;
};

/* Split a two-column line "a,b". 0 or -1. */
static int two_fields(const char *line, size_t len, char *a, size_t alen, char *b, size_t blen)
{
    const char *comma = memchr(line, ',', len);
    if (!comma) return -1;
    size_t la = (size_t)(comma - line), lb = len - la - 1;
    while (lb > 0 && (comma[lb] == '\r' || comma[lb] == ' ')) lb--;
    if (la == 0 || la >= alen || lb == 0 || lb >= blen) return -1;
    memcpy(a, line, la);
    a[la] = '\0';
    memcpy(b, comma + 1, lb);
    b[lb] = '\0';
    return 0;
}

static int parse_hcc(const char *s)
{
    if (!*s || strlen(s) > 3) return -1;
    int v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
    }
    return v > 0 && v < HCC_MAX ? v : -1;
}

/* Call fn for each data line (after the header); stops at its first error. */
typedef int (*line_fn)(void *ud, const char *line, size_t len, size_t lineno);

static int each_line(const char *buf, size_t len, line_fn fn, void *ud)
{
    size_t lineno = 0;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        if (lineno > 1 && l > 0 && !(l == 1 && p[0] == '\r')) {
            int rc = fn(ud, p, l, lineno);
            if (rc < 0) return rc;
        }
        p += l + 1;
    }
    return 0;
}

typedef struct parse_state {
    hcc_model *m;
    size_t cap;
    const char *table;
    char *err;
    size_t errlen;
} parse_state;

static int dx_line(void *ud, const char *line, size_t len, size_t lineno)
{
    parse_state *ps = ud;
    char code[16], num[16];
    int h;
    if (two_fields(line, len, code, sizeof code, num, sizeof num) < 0 || strlen(code) > 7 ||
        (h = parse_hcc(num)) < 0) {
        snprintf(ps->err, ps->errlen, "%s:%zu: expected diagnosis_code,cc (a code of at most 7 "
                                      "characters and an HCC number 1-999): \"%.*s\"",
                 ps->table, lineno, (int)(len > 60 ? 60 : len), line);
        return -EINVAL;
    }
    if (ps->m->n_dx == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 8192;
        hcc_dx *v = realloc(ps->m->dx, ps->cap * sizeof *v);
        if (!v) return -ENOMEM;
        ps->m->dx = v;
    }
    hcc_dx *d = &ps->m->dx[ps->m->n_dx++];
    memset(d->code, 0, sizeof d->code);
    memcpy(d->code, code, strlen(code));
    d->hcc = h;
    return 0;
}

static int hier_line(void *ud, const char *line, size_t len, size_t lineno)
{
    parse_state *ps = ud;
    char a[16], b[16];
    int pa, ch;
    if (two_fields(line, len, a, sizeof a, b, sizeof b) < 0 || (pa = parse_hcc(a)) < 0 ||
        (ch = parse_hcc(b)) < 0) {
        snprintf(ps->err, ps->errlen, "%s:%zu: expected cc_parent,cc_child (two HCC numbers "
                                      "1-999): \"%.*s\"",
                 ps->table, lineno, (int)(len > 60 ? 60 : len), line);
        return -EINVAL;
    }
    if (ps->m->n_hier == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 256;
        int(*v)[2] = realloc(ps->m->hier, ps->cap * sizeof *v);
        if (!v) return -ENOMEM;
        ps->m->hier = v;
    }
    ps->m->hier[ps->m->n_hier][0] = pa;
    ps->m->hier[ps->m->n_hier][1] = ch;
    ps->m->n_hier++;
    return 0;
}

static int cmp_dx(const void *a, const void *b)
{
    const hcc_dx *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : (x->hcc > y->hcc) - (x->hcc < y->hcc);
}

int hcc_model_parse(const char *dx_csv, size_t dx_len, const char *hier_csv, size_t hier_len,
                    hcc_model **out, char *err, size_t errlen)
{
    *out = NULL;
    hcc_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    parse_state ps = {m, 0, "cms_hcc_v28_dx_to_hcc.csv", err, errlen};
    int rc = each_line(dx_csv, dx_len, dx_line, &ps);
    if (rc == 0) {
        ps = (parse_state){m, 0, "cms_hcc_v28_hierarchies.csv", err, errlen};
        rc = each_line(hier_csv, hier_len, hier_line, &ps);
    }
    if (rc == 0 && m->n_dx == 0) {
        snprintf(err, errlen, "cms_hcc_v28_dx_to_hcc.csv: no rows");
        rc = -EINVAL;
    }
    if (rc < 0) {
        if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
        hcc_model_free(m);
        return rc;
    }
    qsort(m->dx, m->n_dx, sizeof *m->dx, cmp_dx);
    *out = m;
    return 0;
}

int hcc_model_load(const char *dir, hcc_model **out, char *err, size_t errlen)
{
    char *p1 = util_path_join(dir, "cms_hcc_v28_dx_to_hcc.csv");
    char *p2 = util_path_join(dir, "cms_hcc_v28_hierarchies.csv");
    char *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    int rc = (p1 && p2) ? 0 : -ENOMEM;
    if (rc == 0) rc = util_read_file(p1, 64u << 20, &b1, &l1, err, errlen);
    if (rc == 0) rc = util_read_file(p2, 64u << 20, &b2, &l2, err, errlen);
    if (rc == 0) rc = hcc_model_parse(b1, l1, b2, l2, out, err, errlen);
    else if (rc != -ENOMEM) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, " (the CMS-HCC tables belong in %s; see "
                                      "episodes/common/README.md)", dir);
    }
    free(p1);
    free(p2);
    free(b1);
    free(b2);
    return rc;
}

void hcc_model_free(hcc_model *m)
{
    if (!m) return;
    free(m->dx);
    free(m->hier);
    free(m);
}

/* Index of the first row for code, or n_dx when absent. */
static size_t find(const hcc_model *m, const char *code)
{
    size_t lo = 0, hi = m->n_dx;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strncmp(m->dx[mid].code, code, 8) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->n_dx && strncmp(m->dx[lo].code, code, 8) == 0 ? lo : m->n_dx;
}

int hcc_lookup(const hcc_model *m, const char *icd10, int *hccs, int max)
{
    int n = 0;
    if (!icd10 || strlen(icd10) > 7) return 0;
    for (size_t i = find(m, icd10); i < m->n_dx && strcmp(m->dx[i].code, icd10) == 0; i++) {
        if (n < max) hccs[n] = m->dx[i].hcc;
        n++;
    }
    return n;
}

int hcc_count(const hcc_model *m, const char *const *codes, size_t n)
{
    unsigned char present[HCC_MAX];
    memset(present, 0, sizeof present);
    for (size_t k = 0; k < n; k++) {
        if (!codes[k] || strlen(codes[k]) > 7) continue;
        for (size_t i = find(m, codes[k]); i < m->n_dx && strcmp(m->dx[i].code, codes[k]) == 0; i++)
            present[m->dx[i].hcc] = 1;
    }
    /* A child is dropped when its parent is present (before any dropping: CMS applies
     * each hierarchy to the HCCs the diagnoses produced). */
    unsigned char dropped[HCC_MAX];
    memset(dropped, 0, sizeof dropped);
    for (size_t i = 0; i < m->n_hier; i++)
        if (present[m->hier[i][0]]) dropped[m->hier[i][1]] = 1;
    int count = 0;
    for (int h = 1; h < HCC_MAX; h++) count += present[h] && !dropped[h];
    return count;
}

size_t hcc_model_codes(const hcc_model *m) { return m->n_dx; }
size_t hcc_model_hierarchies(const hcc_model *m) { return m->n_hier; }
