/*
 * hcc_filter.c: the risk-adjustment claim filter and the lookback's HCCs; see
 * hcc_filter.h.
 *
 * Codes pack their 5 characters big-endian into a uint64_t, so the exact codes are a
 * sorted array searched by bisection; ranges are few and scanned in order. A shape is
 * a 5-bit mask with bit i set when character i is a digit.
 */
#include "hcc_filter.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define CODE_LEN 5

typedef struct range {
    uint64_t lo, hi;
    unsigned shape;
} range;

struct hcc_hcpcs_list {
    uint64_t *codes; /* sorted, distinct */
    size_t n_codes;
    range *ranges;
    size_t n_ranges;
};

static int code_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* Pack exactly CODE_LEN valid characters; 0 when s (len n) is not such a code. */
static uint64_t pack(const char *s, size_t n, unsigned *shape)
{
    if (n != CODE_LEN) return 0;
    uint64_t k = 0;
    unsigned sh = 0;
    for (size_t i = 0; i < n; i++) {
        if (!code_char(s[i])) return 0;
        k = k << 8 | (unsigned char)s[i];
        if (s[i] >= '0' && s[i] <= '9') sh |= 1u << i;
    }
    if (shape) *shape = sh;
    return k;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void hcc_hcpcs_free(hcc_hcpcs_list *l)
{
    if (!l) return;
    free(l->codes);
    free(l->ranges);
    free(l);
}

int hcc_hcpcs_listed(const hcc_hcpcs_list *l, const char *code)
{
    unsigned shape;
    uint64_t k = l && code ? pack(code, strlen(code), &shape) : 0;
    if (!k) return 0;
    size_t lo = 0, hi = l->n_codes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->codes[mid] < k) lo = mid + 1;
        else hi = mid;
    }
    if (lo < l->n_codes && l->codes[lo] == k) return 1;
    for (size_t i = 0; i < l->n_ranges; i++)
        if (l->ranges[i].shape == shape && l->ranges[i].lo <= k && k <= l->ranges[i].hi) return 1;
    return 0;
}

void hcc_hcpcs_describe(const hcc_hcpcs_list *l, size_t *codes, size_t *ranges)
{
    *codes = l ? l->n_codes : 0;
    *ranges = l ? l->n_ranges : 0;
}

/* ---- parsing ----------------------------------------------------------------------- */

static csv_field trim(csv_field f)
{
    while (f.len > 0 && (f.p[0] == ' ' || f.p[0] == '\t')) f.p++, f.len--;
    while (f.len > 0 && (f.p[f.len - 1] == ' ' || f.p[f.len - 1] == '\t')) f.len--;
    return f;
}

/* The field for a message: at most 40 printable characters. */
static void shown(char *buf, size_t cap, csv_field f)
{
    size_t n = 0;
    for (; n < f.len && n + 4 < cap && n < 40; n++) {
        unsigned char c = (unsigned char)f.p[n];
        buf[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n < f.len) memcpy(buf + n, "...", 3), n += 3;
    buf[n] = '\0';
}

static int push(void **v, size_t *n, size_t *cap, size_t size, const void *item)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        void *p = realloc(*v, c * size);
        if (!p) return -ENOMEM;
        *v = p;
        *cap = c;
    }
    memcpy((char *)*v + *n * size, item, size);
    (*n)++;
    return 0;
}

/* One row's first field into l; -EINVAL with the message in err. */
static int parse_row(hcc_hcpcs_list *l, csv_field f, size_t *cap_c, size_t *cap_r,
                     const char *name, size_t line, char *err, size_t errlen)
{
    const char *dash = memchr(f.p, '-', f.len);
    char q[48];
    if (!dash) {
        uint64_t k = pack(f.p, f.len, NULL);
        if (k) return push((void **)&l->codes, &l->n_codes, cap_c, sizeof k, &k);
        shown(q, sizeof q, f);
        snprintf(err, errlen, "%s:%zu: hcpcs_code \"%s\" is not a CPT/HCPCS code (5 uppercase "
                              "letters or digits) or a range FROM-TO of two",
                 name, line, q);
        return -EINVAL;
    }
    range r;
    unsigned s2;
    r.lo = pack(f.p, (size_t)(dash - f.p), &r.shape);
    r.hi = pack(dash + 1, f.len - (size_t)(dash - f.p) - 1, &s2);
    if (!r.lo || !r.hi || s2 != r.shape || r.lo > r.hi) {
        shown(q, sizeof q, f);
        snprintf(err, errlen, "%s:%zu: hcpcs_code range \"%s\" is not FROM-TO with two codes "
                              "of the same shape (digits and letters in the same places) "
                              "and FROM <= TO",
                 name, line, q);
        return -EINVAL;
    }
    return push((void **)&l->ranges, &l->n_ranges, cap_r, sizeof r, &r);
}

int hcc_hcpcs_parse(const char *csv, size_t len, const char *name, hcc_hcpcs_list **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    hcc_hcpcs_list *l = calloc(1, sizeof *l);
    if (!l) return -ENOMEM;
    csv_scan s;
    csv_scan_init(&s, csv ? csv : "", csv ? len : 0);
    int rc = csv_scan_next(&s), header = 0;
    size_t cap_c = 0, cap_r = 0;
    if (rc == 1) {
        csv_field h = trim(s.f[0]);
        header = h.len == 10 && memcmp(h.p, "hcpcs_code", 10) == 0;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s:%s", name, s.err);
        rc = -EINVAL;
    } else if (!header) {
        snprintf(err, errlen, "%s:1: expected a header whose first column is hcpcs_code", name);
        rc = -EINVAL;
    } else {
        rc = 0;
        int more;
        while (rc == 0 && (more = csv_scan_next(&s)) != 0) {
            if (more < 0) {
                snprintf(err, errlen, "%s:%s", name, s.err);
                rc = -EINVAL;
                break;
            }
            csv_field f = trim(s.f[0]);
            if (s.n == 1 && f.len == 0) continue; /* blank line */
            rc = parse_row(l, f, &cap_c, &cap_r, name, s.line, err, errlen);
        }
    }
    csv_scan_free(&s);
    if (rc == 0 && l->n_codes > 1) {
        qsort(l->codes, l->n_codes, sizeof *l->codes, cmp_u64);
        size_t k = 1;
        for (size_t i = 1; i < l->n_codes; i++)
            if (l->codes[i] != l->codes[k - 1]) l->codes[k++] = l->codes[i];
        l->n_codes = k;
    }
    if (rc == 0 && l->n_codes + l->n_ranges == 0) {
        snprintf(err, errlen, "%s: no codes after the header", name);
        rc = -EINVAL;
    }
    if (rc < 0) {
        if (rc == -ENOMEM) snprintf(err, errlen, "%s: out of memory", name);
        hcc_hcpcs_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- the filter -------------------------------------------------------------------- */

/* Bill type classes by their first two digits. */
static int bill_in(const char *bt, const char *const *list)
{
    if (strlen(bt) < 2) return 0;
    for (; *list; list++)
        if (bt[0] == (*list)[0] && bt[1] == (*list)[1]) return 1;
    return 0;
}

static const char *const inpatient_bill[] = {"11", "41", NULL};
static const char *const outpatient_bill[] = {"12", "13", "43", "71", "73", "76", "77", "85",
                                              "87", NULL};

hcc_line_verdict hcc_line_filter(const hcc_hcpcs_list *eligible, const cara_claim_line *l)
{
    if (l->claim_type == CARA_CLAIM_DME) return HCC_LINE_DME;
    if (l->claim_type == CARA_CLAIM_INSTITUTIONAL) {
        if (bill_in(l->bill_type, inpatient_bill)) return HCC_LINE_COUNTS;
        if (!bill_in(l->bill_type, outpatient_bill)) return HCC_LINE_BILL_TYPE;
    } else if (l->claim_type != CARA_CLAIM_PROFESSIONAL) {
        return HCC_LINE_BILL_TYPE; /* never in practice: the loader knows three types */
    }
    if (!eligible) return HCC_LINE_COUNTS;
    return hcc_hcpcs_listed(eligible, l->hcpcs) ? HCC_LINE_COUNTS : HCC_LINE_HCPCS;
}

void hcc_collect_ccs(const hcc_model *m, const cara_claim_line *lines, size_t n,
                     cara_date from, cara_date to, hcc_set *out)
{
    hcc_set_clear(out);
    if (!m) return;
    const hcc_hcpcs_list *eligible = hcc_model_eligible(m);
    const char *added = NULL; /* the claim whose diagnoses were added last */
    for (size_t i = 0; i < n; i++) {
        const cara_claim_line *l = &lines[i];
        if (l->claim_start < from || l->claim_start > to) continue;
        if (added && strcmp(added, l->claim_id) == 0) continue; /* lines share the dx */
        if (hcc_line_filter(eligible, l) != HCC_LINE_COUNTS) continue;
        for (int k = 0; k < l->n_dx; k++) hcc_set_add_code(m, out, l->dx[k], sizeof l->dx[k]);
        added = l->claim_id;
    }
}

void hcc_collect(const hcc_model *m, const cara_claim_line *lines, size_t n, cara_date from,
                 cara_date to, hcc_set *out)
{
    hcc_collect_ccs(m, lines, n, from, to, out);
    hcc_set_finish(m, out);
}
