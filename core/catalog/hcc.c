/*
 * hcc.c: CMS-HCC V28 payment HCC counts; see hcc.h.
 *
 * Diagnosis rows are kept sorted by (packed code, HCC); a code packs its at most seven
 * characters big-endian into a uint64_t, so a lookup is a binary search over integers
 * and all the rows of one code are adjacent. Hierarchies are stored as each parent's
 * list of children. A count works on two fixed bitmaps of HCC numbers on the stack.
 */
#include "hcc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hcc_filter.h"
#include "hcc_score.h"
#include "base/base.h"

#define DX_TABLE "cms_hcc_v28_dx_to_hcc.csv"
#define HIER_TABLE "cms_hcc_v28_hierarchies.csv"
#define TABLE_MAX_BYTES (64u << 20)

typedef struct hcc_row {
    uint64_t key; /* packed code */
    uint32_t hcc;
} hcc_row;

typedef struct hcc_pair {
    uint16_t parent, child;
    uint32_t line; /* of its first occurrence, for messages */
} hcc_pair;

struct hcc_model {
    hcc_row *rows; /* sorted by key, then HCC; no duplicates */
    size_t n_rows, n_codes, n_hccs;
    int max_hcc;
    uint16_t *child;                /* the children of every parent, grouped by parent */
    uint32_t child_at[HCC_MAX + 1]; /* parent p: child[child_at[p] .. child_at[p + 1]) */
    size_t n_hier;
    struct hcc_hcpcs_list *eligible; /* optional (owned) */
    struct hcc_coefs *coefs;         /* optional (owned) */
};

/* ---- bits -------------------------------------------------------------------------- */

static int bit_get(const uint64_t *b, int i) { return (int)((b[i / 64] >> (i % 64)) & 1u); }
static void bit_set(uint64_t *b, int i) { b[i / 64] |= (uint64_t)1 << (i % 64); }

static int low_bit(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(x);
#else
    int i = 0;
    while (!(x & 1u)) x >>= 1, i++;
    return i;
#endif
}

/* ---- codes ------------------------------------------------------------------------- */

/* Pack at most HCC_CODE_MAX characters of s (reading no more than maxlen) into a key;
 * 0 for NULL, empty or longer codes, which match nothing. */
static uint64_t pack_code(const char *s, size_t maxlen)
{
    if (!s) return 0;
    uint64_t k = 0;
    size_t i = 0;
    for (; i < maxlen && s[i]; i++) {
        if (i == HCC_CODE_MAX) return 0;
        k = k << 8 | (unsigned char)s[i];
    }
    if (i == 0) return 0;
    return k << (8 * (HCC_CODE_MAX - i));
}

/* Index of the first row with key >= k. */
static size_t lower_bound(const hcc_model *m, uint64_t k)
{
    size_t lo = 0, hi = m->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->rows[mid].key < k) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void add_code(const hcc_model *m, uint64_t k, uint64_t *present)
{
    if (!k) return;
    for (size_t i = lower_bound(m, k); i < m->n_rows && m->rows[i].key == k; i++)
        bit_set(present, (int)m->rows[i].hcc);
}

/* Steps 2-3 of hcc.h over the HCCs the codes produced. */
static int finish(const hcc_model *m, uint64_t *present, int *hccs, int max)
{
    uint64_t drop[HCC_WORDS] = {0};
    for (int w = 0; w < HCC_WORDS; w++)
        for (uint64_t b = present[w]; b; b &= b - 1) {
            int p = w * 64 + low_bit(b);
            for (uint32_t c = m->child_at[p]; c < m->child_at[p + 1]; c++) bit_set(drop, m->child[c]);
        }
    int n = 0;
    for (int w = 0; w < HCC_WORDS; w++)
        for (uint64_t b = present[w] & ~drop[w]; b; b &= b - 1) {
            if (n < max) hccs[n] = w * 64 + low_bit(b);
            n++;
        }
    return n;
}

/* ---- sets ------------------------------------------------------------------------- */

void hcc_set_clear(hcc_set *s) { memset(s, 0, sizeof *s); }

void hcc_set_add_code(const hcc_model *m, hcc_set *s, const char *code, size_t maxlen)
{
    if (m) add_code(m, pack_code(code, maxlen), s->bits);
}

void hcc_set_finish(const hcc_model *m, hcc_set *s)
{
    if (!m) {
        hcc_set_clear(s);
        return;
    }
    int h[HCC_MAX];
    int n = finish(m, s->bits, h, HCC_MAX);
    memset(s->bits, 0, sizeof s->bits);
    for (int i = 0; i < n; i++) bit_set(s->bits, h[i]);
    s->n = n;
}

int hcc_set_has(const hcc_set *s, int h) { return h > 0 && h < HCC_MAX && bit_get(s->bits, h); }

int hcc_set_list(const hcc_set *s, int *hccs, int max)
{
    int n = 0;
    for (int w = 0; w < HCC_WORDS; w++)
        for (uint64_t b = s->bits[w]; b; b &= b - 1) {
            if (n < max) hccs[n] = w * 64 + low_bit(b);
            n++;
        }
    return n;
}

int hcc_lookup(const hcc_model *m, const char *icd10, int *hccs, int max)
{
    uint64_t k = pack_code(icd10, SIZE_MAX);
    if (!m || !k) return 0;
    int n = 0;
    for (size_t i = lower_bound(m, k); i < m->n_rows && m->rows[i].key == k; i++) {
        if (n < max) hccs[n] = (int)m->rows[i].hcc;
        n++;
    }
    return n;
}

int hcc_payment_hccs(const hcc_model *m, const char *const *codes, size_t n, int *hccs, int max)
{
    if (!m || !codes) return 0;
    uint64_t present[HCC_WORDS] = {0};
    for (size_t i = 0; i < n; i++) add_code(m, pack_code(codes[i], SIZE_MAX), present);
    return finish(m, present, hccs, max);
}

int hcc_count(const hcc_model *m, const char *const *codes, size_t n)
{
    return hcc_payment_hccs(m, codes, n, NULL, 0);
}

int hcc_count_icd(const hcc_model *m, const char (*codes)[8], size_t n)
{
    if (!m || !codes) return 0;
    uint64_t present[HCC_WORDS] = {0};
    for (size_t i = 0; i < n; i++) add_code(m, pack_code(codes[i], 8), present);
    return finish(m, present, NULL, 0);
}

hcc_model_info hcc_model_describe(const hcc_model *m)
{
    hcc_model_info info = {0, 0, 0, 0, 0};
    if (m) {
        info.rows = m->n_rows;
        info.codes = m->n_codes;
        info.hccs = m->n_hccs;
        info.max_hcc = m->max_hcc;
        info.hierarchies = m->n_hier;
    }
    return info;
}

void hcc_model_set_eligible(hcc_model *m, struct hcc_hcpcs_list *eligible)
{
    hcc_hcpcs_free(m->eligible);
    m->eligible = eligible;
}

void hcc_model_set_coefs(hcc_model *m, struct hcc_coefs *coefs)
{
    hcc_coefs_free(m->coefs);
    m->coefs = coefs;
}

const struct hcc_hcpcs_list *hcc_model_eligible(const hcc_model *m) { return m ? m->eligible : NULL; }
const struct hcc_coefs *hcc_model_coefs(const hcc_model *m) { return m ? m->coefs : NULL; }

void hcc_model_free(hcc_model *m)
{
    if (!m) return;
    hcc_hcpcs_free(m->eligible);
    hcc_coefs_free(m->coefs);
    free(m->rows);
    free(m->child);
    free(m);
}

/* ---- parsing ----------------------------------------------------------------------- */

typedef struct field {
    const char *s;
    size_t n;
} field;

typedef struct table {
    const char *name; /* in messages */
    const char *p, *end;
    size_t lineno;
    char *err;
    size_t errlen;
} table;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static field trim(const char *s, size_t n)
{
    while (n > 0 && is_blank(*s)) s++, n--;
    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r')) n--;
    return (field){s, n};
}

/* The next line that is not blank (trimmed), or 0 at the end. */
static int next_line(table *t, field *line)
{
    while (t->p < t->end) {
        const char *nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
        size_t len = nl ? (size_t)(nl - t->p) : (size_t)(t->end - t->p);
        *line = trim(t->p, len);
        t->p += len + (nl ? 1 : 0);
        t->lineno++;
        if (line->n > 0) return 1;
    }
    return 0;
}

/* Split at commas into at most 2 fields (trimmed); returns how many fields the line
 * has. */
static int split(field line, field *f)
{
    int n = 0;
    const char *s = line.s, *end = line.s + line.n;
    for (;;) {
        const char *c = memchr(s, ',', (size_t)(end - s));
        const char *e = c ? c : end;
        if (n < 2) f[n] = trim(s, (size_t)(e - s));
        n++;
        if (!c) return n;
        s = c + 1;
    }
}

/* Copy a field for a message: at most 40 characters, anything unprintable as '?'. */
static const char *shown(char *buf, size_t cap, field f)
{
    size_t n = 0;
    for (; n < f.n && n + 4 < cap && n < 40; n++) {
        unsigned char c = (unsigned char)f.s[n];
        buf[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n < f.n) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static int fail(table *t, const char *what, field f)
{
    char q[48];
    if (t->err && t->errlen)
        snprintf(t->err, t->errlen, "%s:%zu: %s \"%s\"", t->name, t->lineno, what,
                 shown(q, sizeof q, f));
    return -EINVAL;
}

static int field_is(field f, const char *s) { return f.n == strlen(s) && memcmp(f.s, s, f.n) == 0; }

/* The header row: exactly the two column names. */
static int header(table *t, const char *c1, const char *c2)
{
    field line, f[2];
    if (t->end - t->p >= 3 && memcmp(t->p, "\xEF\xBB\xBF", 3) == 0) t->p += 3; /* BOM */
    if (!next_line(t, &line)) {
        if (t->err && t->errlen)
            snprintf(t->err, t->errlen, "%s: empty, expected the header %s,%s", t->name, c1, c2);
        return -EINVAL;
    }
    if (split(line, f) != 2 || !field_is(f[0], c1) || !field_is(f[1], c2)) {
        char what[96];
        snprintf(what, sizeof what, "expected the header %s,%s, found", c1, c2);
        return fail(t, what, line);
    }
    return 0;
}

/* Both columns, or an error naming what the row has. */
static int two_columns(table *t, field line, field *f, const char *cols)
{
    int n = split(line, f);
    if (n == 2 && f[0].n > 0 && f[1].n > 0) return 0;
    char what[96];
    if (n == 2) snprintf(what, sizeof what, "an empty column (expected %s) in", cols);
    else snprintf(what, sizeof what, "%d column%s instead of 2 (%s) in", n, n == 1 ? "" : "s", cols);
    return fail(t, what, line);
}

/* An HCC number 1 .. HCC_MAX-1 (leading zeros allowed), or -1. */
static int hcc_number(field f)
{
    if (f.n == 0 || f.n > 6) return -1;
    int v = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9') return -1;
        v = v * 10 + (f.s[i] - '0');
    }
    return v > 0 && v < HCC_MAX ? v : -1;
}

/* An ICD-10-CM code without dot: 3-7 uppercase letters and digits, a letter first. */
static int icd10_ok(field f)
{
    if (f.n < 3 || f.n > HCC_CODE_MAX || f.s[0] < 'A' || f.s[0] > 'Z') return 0;
    for (size_t i = 1; i < f.n; i++)
        if (!((f.s[i] >= 'A' && f.s[i] <= 'Z') || (f.s[i] >= '0' && f.s[i] <= '9'))) return 0;
    return 1;
}

static int cmp_row(const void *a, const void *b)
{
    const hcc_row *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->hcc > y->hcc) - (x->hcc < y->hcc);
}

static int cmp_pair(const void *a, const void *b)
{
    const hcc_pair *x = a, *y = b;
    if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
    if (x->child != y->child) return x->child < y->child ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int parse_dx(hcc_model *m, table *t)
{
    int rc = header(t, "diagnosis_code", "cc");
    if (rc < 0) return rc;
    size_t cap = 0;
    field line, f[2];
    while (next_line(t, &line)) {
        if ((rc = two_columns(t, line, f, "diagnosis_code,cc")) < 0) return rc;
        if (!icd10_ok(f[0]))
            return fail(t, "diagnosis_code is not an ICD-10-CM code without dot (3-7 "
                           "uppercase letters and digits, a letter first):", f[0]);
        int h = hcc_number(f[1]);
        if (h < 0) return fail(t, "cc is not an HCC number 1-999:", f[1]);
        if (m->n_rows == cap) {
            cap = cap ? cap * 2 : 8192;
            hcc_row *v = realloc(m->rows, cap * sizeof *v);
            if (!v) return -ENOMEM;
            m->rows = v;
        }
        char code[HCC_CODE_MAX + 1] = {0};
        memcpy(code, f[0].s, f[0].n);
        m->rows[m->n_rows++] = (hcc_row){pack_code(code, sizeof code), (uint32_t)h};
    }
    if (m->n_rows == 0) {
        if (t->err && t->errlen) snprintf(t->err, t->errlen, "%s: no rows after the header", t->name);
        return -EINVAL;
    }
    qsort(m->rows, m->n_rows, sizeof *m->rows, cmp_row);
    uint64_t seen[HCC_WORDS] = {0};
    size_t n = 0;
    for (size_t i = 0; i < m->n_rows; i++) {
        if (n > 0 && cmp_row(&m->rows[n - 1], &m->rows[i]) == 0) continue; /* repeated row */
        if (n == 0 || m->rows[n - 1].key != m->rows[i].key) m->n_codes++;
        int h = (int)m->rows[i].hcc;
        if (!bit_get(seen, h)) m->n_hccs++;
        bit_set(seen, h);
        if (h > m->max_hcc) m->max_hcc = h;
        m->rows[n++] = m->rows[i];
    }
    m->n_rows = n;
    return 0;
}

/* Refuse a cycle (each HCC of it would drop the next, so all would go): depth-first
 * search over the children lists, iterative. */
static int check_cycles(const hcc_model *m, const hcc_pair *pairs, table *t)
{
    unsigned char state[HCC_MAX] = {0}; /* 0 new, 1 on the path, 2 done */
    uint16_t node[HCC_MAX];
    uint32_t next[HCC_MAX];
    for (int root = 1; root < HCC_MAX; root++) {
        if (state[root] || m->child_at[root] == m->child_at[root + 1]) continue;
        int depth = 0;
        node[0] = (uint16_t)root;
        next[0] = m->child_at[root];
        state[root] = 1;
        while (depth >= 0) {
            int u = node[depth];
            if (next[depth] == m->child_at[u + 1]) {
                state[u] = 2;
                depth--;
                continue;
            }
            uint32_t e = next[depth]++;
            int v = m->child[e];
            if (state[v] == 1) {
                if (t->err && t->errlen)
                    snprintf(t->err, t->errlen, "%s:%u: the hierarchies form a cycle: HCC %d "
                                                "drops HCC %d, which leads back to HCC %d",
                             t->name, (unsigned)pairs[e].line, u, v, u);
                return -EINVAL;
            }
            if (state[v] == 0) {
                state[v] = 1;
                depth++;
                node[depth] = (uint16_t)v;
                next[depth] = m->child_at[v];
            }
        }
    }
    return 0;
}

static int parse_hier(hcc_model *m, table *t)
{
    int rc = header(t, "cc_parent", "cc_child");
    if (rc < 0) return rc;
    hcc_pair *pairs = NULL;
    size_t n = 0, cap = 0;
    field line, f[2];
    while (next_line(t, &line)) {
        if ((rc = two_columns(t, line, f, "cc_parent,cc_child")) < 0) goto out;
        int p = hcc_number(f[0]), c = hcc_number(f[1]);
        if (p < 0) {
            rc = fail(t, "cc_parent is not an HCC number 1-999:", f[0]);
            goto out;
        }
        if (c < 0) {
            rc = fail(t, "cc_child is not an HCC number 1-999:", f[1]);
            goto out;
        }
        if (p == c) {
            rc = fail(t, "an HCC cannot drop itself:", line);
            goto out;
        }
        if (t->lineno > UINT32_MAX) {
            rc = fail(t, "too many lines at", line);
            goto out;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            hcc_pair *v = realloc(pairs, cap * sizeof *v);
            if (!v) {
                rc = -ENOMEM;
                goto out;
            }
            pairs = v;
        }
        pairs[n++] = (hcc_pair){(uint16_t)p, (uint16_t)c, (uint32_t)t->lineno};
    }
    if (n > 0) qsort(pairs, n, sizeof *pairs, cmp_pair);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) /* keep the first of repeated pairs */
        if (k == 0 || pairs[k - 1].parent != pairs[i].parent || pairs[k - 1].child != pairs[i].child)
            pairs[k++] = pairs[i];
    m->n_hier = k;
    m->child = malloc((k ? k : 1) * sizeof *m->child);
    if (!m->child) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < k; i++) {
        m->child[i] = pairs[i].child;
        m->child_at[pairs[i].parent + 1]++;
    }
    for (int p = 1; p <= HCC_MAX; p++) m->child_at[p] += m->child_at[p - 1];
    rc = check_cycles(m, pairs, t);
out:
    free(pairs);
    return rc;
}

static int parse_named(const char *dx_csv, size_t dx_len, const char *dx_name,
                       const char *hier_csv, size_t hier_len, const char *hier_name,
                       hcc_model **out, char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen) err[0] = '\0';
    hcc_model *m = calloc(1, sizeof *m);
    int rc = m ? 0 : -ENOMEM;
    if (rc == 0) {
        table t = {dx_name, dx_csv ? dx_csv : "", NULL, 0, err, errlen};
        t.end = dx_csv ? dx_csv + dx_len : t.p;
        rc = parse_dx(m, &t);
    }
    if (rc == 0) {
        table t = {hier_name, hier_csv ? hier_csv : "", NULL, 0, err, errlen};
        t.end = hier_csv ? hier_csv + hier_len : t.p;
        rc = parse_hier(m, &t);
    }
    if (rc < 0) {
        if (rc == -ENOMEM && err && errlen) snprintf(err, errlen, "out of memory reading the HCC tables");
        hcc_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int hcc_model_parse(const char *dx_csv, size_t dx_len, const char *hier_csv, size_t hier_len,
                    hcc_model **out, char *err, size_t errlen)
{
    return parse_named(dx_csv, dx_len, DX_TABLE, hier_csv, hier_len, HIER_TABLE, out, err, errlen);
}

/* Read and parse one optional table of dir into m; a missing file leaves m as it is. */
static int load_optional(hcc_model *m, const char *dir, const char *name, char *err, size_t errlen)
{
    char *path = util_path_join(dir, name), *buf = NULL;
    size_t len = 0;
    if (!path) return -ENOMEM;
    int rc = 0;
    if (access(path, F_OK) == 0) {
        rc = util_read_file(path, TABLE_MAX_BYTES, &buf, &len, err, errlen);
        if (rc == 0 && strcmp(name, HCC_ELIGIBLE_TABLE) == 0) {
            struct hcc_hcpcs_list *l = NULL;
            rc = hcc_hcpcs_parse(buf, len, path, &l, err, errlen);
            if (rc == 0) hcc_model_set_eligible(m, l);
        } else if (rc == 0) {
            struct hcc_coefs *c = NULL;
            rc = hcc_coefs_parse(buf, len, path, &c, err, errlen);
            if (rc == 0) hcc_model_set_coefs(m, c);
        }
    }
    free(buf);
    free(path);
    return rc;
}

int hcc_model_load(const char *dir, hcc_model **out, char *err, size_t errlen)
{
    *out = NULL;
    char *p1 = util_path_join(dir, DX_TABLE);
    char *p2 = util_path_join(dir, HIER_TABLE);
    char *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    int rc = (p1 && p2) ? 0 : -ENOMEM;
    if (rc == 0) rc = util_read_file(p1, TABLE_MAX_BYTES, &b1, &l1, err, errlen);
    if (rc == 0) rc = util_read_file(p2, TABLE_MAX_BYTES, &b2, &l2, err, errlen);
    if (rc == 0) {
        rc = parse_named(b1, l1, p1, b2, l2, p2, out, err, errlen);
        if (rc == 0) rc = load_optional(*out, dir, HCC_ELIGIBLE_TABLE, err, errlen);
        if (rc == 0) rc = load_optional(*out, dir, HCC_COEF_TABLE, err, errlen);
        if (rc < 0) {
            hcc_model_free(*out);
            *out = NULL;
            if (rc == -ENOMEM) snprintf(err, errlen, "out of memory reading the HCC tables");
        }
    } else if (rc == -ENOMEM) {
        snprintf(err, errlen, "out of memory reading the HCC tables");
    } else {
        size_t n = strlen(err);
        if (n < errlen)
            snprintf(err + n, errlen - n, " (the CMS-HCC V28 tables belong in %s; see "
                                          "episodes/common/README.md)", dir);
    }
    free(p1);
    free(p2);
    free(b1);
    free(b2);
    return rc;
}
