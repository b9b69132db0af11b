/*
 * core/base/codes.c: see codes.h.
 *
 * Layout: every pattern string is copied into one pool; the set keeps
 *   - literals, sorted by strcmp;
 *   - prefixes (the part before '*'), sorted by (length, bytes), with one group per
 *     distinct length, so a code is looked up once per prefix length it can have;
 *   - '?' patterns and ranges in plain arrays (scanned);
 *   - the literals and the prefixes again in one open-addressing hash table keyed by
 *     (bytes, length, kind): codes_match hashes the code once, FNV-1a byte by byte, and
 *     the hash after L bytes is the key of its L-byte prefix, so each prefix length and
 *     the literal cost one probe (most codes match nothing: one probe of an empty slot),
 *     not a binary search of string comparisons.
 */
#include "codes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
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

/* A hash table slot: s NULL is empty. */
typedef struct {
    const char *s;  /* a literal or a prefix (without its '*'), in the pool */
    uint32_t hash;  /* FNV-1a of its len bytes */
    uint32_t len;
    int prefix;     /* 1: a prefix, 0: a literal */
} code_slot;

enum { FNV_OFFSET = 2166136261u, FNV_PRIME = 16777619u };

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
    code_slot *table; /* literals and prefixes; mask + 1 slots, at most half used */
    size_t mask;
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

static uint32_t fnv(const char *p, size_t len)
{
    uint32_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
    return h;
}

/* 1 when the table holds (p, len, prefix) whose hash is h. */
static int probe(const cara_codeset *set, uint32_t h, const char *p, size_t len, int prefix)
{
    for (size_t i = h & set->mask;; i = (i + 1) & set->mask) {
        const code_slot *e = &set->table[i];
        if (!e->s) return 0;
        if (e->hash == h && e->len == len && e->prefix == prefix && !memcmp(e->s, p, len))
            return 1;
    }
}

static void put_slot(cara_codeset *set, const char *s, int prefix)
{
    size_t len = strlen(s);
    uint32_t h = fnv(s, len);
    if (probe(set, h, s, len, prefix)) return; /* a repeated pattern */
    size_t i = h & set->mask;
    while (set->table[i].s) i = (i + 1) & set->mask;
    set->table[i] = (code_slot){.s = s, .hash = h, .len = (uint32_t)len, .prefix = prefix};
}

/* The hash table of the set's literals and prefixes. 0 or -ENOMEM. */
static int build_table(cara_codeset *set)
{
    size_t want = 2 * (set->n_lits + set->n_prefixes), cap = 8;
    while (cap < want) cap *= 2;
    set->table = calloc(cap, sizeof *set->table);
    if (!set->table) return -ENOMEM;
    set->mask = cap - 1;
    for (size_t i = 0; i < set->n_lits; i++) put_slot(set, set->lits[i], 0);
    for (size_t i = 0; i < set->n_prefixes; i++) put_slot(set, set->prefixes[i], 1);
    return 0;
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
    if (build_table(set) < 0) goto oom;
    *out = set;
    return 0;

oom:
    codes_free(set);
    if (err && errlen) snprintf(err, errlen, "out of memory");
    return -ENOMEM;
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
    /* one pass: after len bytes, h is the hash of the code's len-byte prefix */
    uint32_t h = FNV_OFFSET;
    size_t len = 0, g = 0;
    for (;; len++) {
        for (; g < set->n_groups && set->groups[g].len == len; g++)
            if (probe(set, h, code, len, 1)) return 1;
        if (!code[len]) break;
        h = (h ^ (unsigned char)code[len]) * FNV_PRIME;
    }
    if (set->n_lits && probe(set, h, code, len, 0)) return 1;
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
    free(set->table);
    free(set->prefixes);
    free(set->groups);
    free(set->wilds);
    free(set->ranges);
    free(set);
}
