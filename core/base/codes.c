/*
 * core/base/codes.c: see codes.h.
 *
 * Layout: every pattern string is copied into one pool; the set keeps
 *   - literals, sorted by strcmp (binary search);
 *   - prefixes (the part before '*'), sorted by (length, bytes), with one group per
 *     distinct length, so a code is looked up once per prefix length it can have;
 *   - '?' patterns and ranges in plain arrays (scanned).
 */
#include "codes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *pat; /* '?' pattern without its '*' */
    size_t len;
    int star;        /* 1: the code may be longer than len */
} wild_pat;

typedef struct {
    const char *lo, *hi; /* NUL-terminated, equal length */
    size_t len;
} range_pat;

typedef struct {
    size_t len, start, count; /* prefixes[start .. start+count) all have this length */
} prefix_group;

struct cara_codeset {
    size_t n_patterns;
    char *pool;
    const char **lits;
    size_t n_lits;
    const char **prefixes;
    size_t n_prefixes;
    prefix_group *groups;
    size_t n_groups;
    wild_pat *wilds;
    size_t n_wilds;
    range_pat *ranges;
    size_t n_ranges;
};

static int is_code_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Append a printable rendering of c to buf (size bytes), for error messages. */
static void show_char(char *buf, size_t size, char c)
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\')
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "'\\x%02x'", u);
}

/* Write the message "pattern I "PAT": <fmt...>" into err. Returns -EINVAL. */
static int fail(char *err, size_t errlen, size_t idx, const char *pat, const char *fmt, ...)
    CARA_PRINTF(5, 6);

static int fail(char *err, size_t errlen, size_t idx, const char *pat, const char *fmt, ...)
{
    if (!err || errlen == 0) return -EINVAL;
    char shown[72];
    size_t o = 0;
    for (size_t i = 0; pat && pat[i] && o + 5 < sizeof shown; i++) {
        unsigned char u = (unsigned char)pat[i];
        if (i == 48) { /* keep messages short */
            memcpy(shown + o, "...", 3);
            o += 3;
            break;
        }
        if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\')
            shown[o++] = (char)u;
        else
            o += (size_t)snprintf(shown + o, sizeof shown - o, "\\x%02x", u);
    }
    shown[o] = '\0';
    int k = snprintf(err, errlen, "pattern %zu \"%s\": ", idx, shown);
    if (k >= 0 && (size_t)k < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

enum pat_kind { PAT_LITERAL, PAT_PREFIX, PAT_WILD, PAT_RANGE };

/* Classify one pattern, or write the error and return -EINVAL. */
static int classify(const char *p, size_t idx, char *err, size_t errlen)
{
    static const char *const expect = "(expected A-Z, 0-9, '?', a trailing '*', or LO-HI)";
    if (!p) return fail(err, errlen, idx, "", "missing pattern (NULL)");
    size_t len = strlen(p);
    if (len == 0) return fail(err, errlen, idx, p, "empty pattern %s", expect);
    const char *dash = strchr(p, '-');
    int has_q = 0;
    char ch[16];
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (is_code_char(c)) continue;
        if (c == '?') {
            has_q = 1;
            continue;
        }
        if (c == '*') {
            if (i + 1 != len)
                return fail(err, errlen, idx, p,
                            "'*' at position %zu is not at the end (a '*' may only end a pattern)",
                            i + 1);
            if (i == 0)
                return fail(err, errlen, idx, p,
                            "'*' needs at least one character before it (\"*\" alone would match every code)");
            continue;
        }
        if (c == '-' && p + i == dash) continue; /* the first '-': checked below */
        show_char(ch, sizeof ch, c);
        if (c >= 'a' && c <= 'z')
            return fail(err, errlen, idx, p,
                        "lowercase character %s at position %zu (codes are uppercase: expected A-Z, 0-9, '?', a trailing '*', or LO-HI)",
                        ch, i + 1);
        return fail(err, errlen, idx, p, "unexpected character %s at position %zu %s", ch,
                    i + 1, expect);
    }
    if (dash) {
        size_t lo_len = (size_t)(dash - p), hi_len = len - lo_len - 1;
        if (lo_len == 0 || hi_len == 0)
            return fail(err, errlen, idx, p,
                        "a range needs a code on both sides of '-' (expected LO-HI of equal length, like 0450-0459)");
        for (size_t i = 0; i < len; i++)
            if (p[i] == '?' || p[i] == '*')
                return fail(err, errlen, idx, p,
                            "'%c' at position %zu is not allowed in a range (expected LO-HI of two codes, like 0450-0459)",
                            p[i], i + 1);
        if (lo_len != hi_len)
            return fail(err, errlen, idx, p,
                        "range ends \"%.*s\" and \"%s\" differ in length (expected LO-HI of equal length, like 0450-0459)",
                        (int)lo_len, p, dash + 1);
        if (strncmp(p, dash + 1, lo_len) > 0)
            return fail(err, errlen, idx, p,
                        "range start \"%.*s\" is after its end \"%s\" (expected LO <= HI)",
                        (int)lo_len, p, dash + 1);
        return PAT_RANGE;
    }
    if (has_q) return PAT_WILD;
    return p[len - 1] == '*' ? PAT_PREFIX : PAT_LITERAL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_len_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    if (lx != ly) return lx < ly ? -1 : 1;
    return strcmp(x, y);
}

int codes_compile(const char *const *patterns, size_t n, cara_codeset **out, char *err,
                  size_t errlen)
{
    if (!out) return -EINVAL;
    *out = NULL;
    if (err && errlen) err[0] = '\0';
    if (n > 0 && !patterns) {
        if (err && errlen) snprintf(err, errlen, "no pattern array for %zu patterns", n);
        return -EINVAL;
    }

    /* Pass 1: validate, count each kind and the pool size. */
    size_t counts[4] = {0, 0, 0, 0}, pool_size = 0;
    for (size_t i = 0; i < n; i++) {
        int kind = classify(patterns[i], i, err, errlen);
        if (kind < 0) return kind;
        counts[kind]++;
        pool_size += strlen(patterns[i]) + 1;
    }

    cara_codeset *set = calloc(1, sizeof *set);
    if (!set) goto oom;
    set->n_patterns = n;
    set->pool = malloc(pool_size ? pool_size : 1);
    set->lits = calloc(counts[PAT_LITERAL] + 1, sizeof *set->lits);
    set->prefixes = calloc(counts[PAT_PREFIX] + 1, sizeof *set->prefixes);
    set->groups = calloc(counts[PAT_PREFIX] + 1, sizeof *set->groups);
    set->wilds = calloc(counts[PAT_WILD] + 1, sizeof *set->wilds);
    set->ranges = calloc(counts[PAT_RANGE] + 1, sizeof *set->ranges);
    if (!set->pool || !set->lits || !set->prefixes || !set->groups || !set->wilds ||
        !set->ranges)
        goto oom;

    /* Pass 2: copy into the pool and file each pattern under its kind. */
    char *q = set->pool;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(patterns[i]);
        memcpy(q, patterns[i], len + 1);
        int kind = classify(q, i, NULL, 0);
        int star = q[len - 1] == '*';
        if (star) q[--len] = '\0'; /* keep the prefix / '?' pattern without its '*' */
        switch (kind) {
        case PAT_LITERAL: set->lits[set->n_lits++] = q; break;
        case PAT_PREFIX: set->prefixes[set->n_prefixes++] = q; break;
        case PAT_WILD:
            set->wilds[set->n_wilds++] = (wild_pat){.pat = q, .len = len, .star = star};
            break;
        default: {
            char *dash = strchr(q, '-');
            *dash = '\0';
            set->ranges[set->n_ranges++] =
                (range_pat){.lo = q, .hi = dash + 1, .len = (size_t)(dash - q)};
            break;
        }
        }
        q += (star ? len + 1 : len) + 1;
    }

    qsort(set->lits, set->n_lits, sizeof *set->lits, cmp_str);
    qsort(set->prefixes, set->n_prefixes, sizeof *set->prefixes, cmp_len_str);
    for (size_t i = 0; i < set->n_prefixes; i++) {
        size_t len = strlen(set->prefixes[i]);
        prefix_group *g = set->n_groups ? &set->groups[set->n_groups - 1] : NULL;
        if (g && g->len == len)
            g->count++;
        else
            set->groups[set->n_groups++] = (prefix_group){.len = len, .start = i, .count = 1};
    }
    *out = set;
    return 0;

oom:
    codes_free(set);
    if (err && errlen) snprintf(err, errlen, "out of memory");
    return -ENOMEM;
}

/* Binary search for a string equal to the first `len` bytes of code among
 * arr[0..n), all of length len, sorted by strcmp. code has at least len bytes. */
static int find_prefix(const char *const *arr, size_t n, const char *code, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(arr[mid], code, len);
        if (c == 0) return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int wild_match(const wild_pat *w, const char *code, size_t len)
{
    if (w->star ? len < w->len : len != w->len) return 0;
    for (size_t i = 0; i < w->len; i++)
        if (w->pat[i] != '?' && w->pat[i] != code[i]) return 0;
    return 1;
}

int codes_match(const cara_codeset *set, const char *code)
{
    if (!set || !code || !code[0]) return 0;
    size_t len = strlen(code);
    if (set->n_lits &&
        bsearch(&code, set->lits, set->n_lits, sizeof *set->lits, cmp_str))
        return 1;
    for (size_t g = 0; g < set->n_groups && set->groups[g].len <= len; g++)
        if (find_prefix(set->prefixes + set->groups[g].start, set->groups[g].count, code,
                        set->groups[g].len))
            return 1;
    for (size_t i = 0; i < set->n_wilds; i++)
        if (wild_match(&set->wilds[i], code, len)) return 1;
    for (size_t i = 0; i < set->n_ranges; i++) {
        const range_pat *r = &set->ranges[i];
        if (len == r->len && strcmp(r->lo, code) <= 0 && strcmp(code, r->hi) <= 0) return 1;
    }
    return 0;
}

size_t codes_count(const cara_codeset *set)
{
    return set ? set->n_patterns : 0;
}

void codes_free(cara_codeset *set)
{
    if (!set) return;
    free(set->pool);
    free(set->lits);
    free(set->prefixes);
    free(set->groups);
    free(set->wilds);
    free(set->ranges);
    free(set);
}
