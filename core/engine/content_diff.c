/*
 * content_diff.c: see content_diff.h.
 */
#include "content_diff.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The LCS table is (n+1) x (m+1) 32-bit cells: at most 16 MiB. */
#define LCS_MAX_CELLS (4u * 1024u * 1024u)

/* ---- JSON members ------------------------------------------------------------------------- */

static int add_member(member_changes *c, size_t cap, const char *path, const json_t *a,
                      const json_t *b)
{
    c->total++;
    if (c->n >= cap) return 0;
    member_change *v = realloc(c->v, (c->n + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    c->v = v;
    v[c->n].path = strdup(path);
    if (!v[c->n].path) return -ENOMEM;
    v[c->n].a = a ? json_deep_copy(a) : NULL;
    v[c->n].b = b ? json_deep_copy(b) : NULL;
    c->n++;
    return 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int walk(const json_t *a, const json_t *b, const char *path, size_t cap,
                member_changes *c);

/* Members of objects a and b (either may be NULL), sorted by key. */
static int walk_object(const json_t *a, const json_t *b, const char *path, size_t cap,
                       member_changes *c)
{
    size_t n = json_object_size(a) + json_object_size(b), k = 0;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) return -ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)a, key, v) keys[k++] = key;
    json_object_foreach((json_t *)b, key, v) if (!json_object_get(a, key)) keys[k++] = key;
    qsort(keys, k, sizeof *keys, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        size_t len = strlen(path) + strlen(keys[i]) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = -ENOMEM;
            break;
        }
        snprintf(p, len, "%s%s%s", path, path[0] ? "." : "", keys[i]);
        rc = walk(json_object_get(a, keys[i]), json_object_get(b, keys[i]), p, cap, c);
        free(p);
    }
    free(keys);
    return rc;
}

static int walk(const json_t *a, const json_t *b, const char *path, size_t cap,
                member_changes *c)
{
    if (a && b && json_equal((json_t *)a, (json_t *)b)) return 0;
    if (json_is_object(a) && json_is_object(b)) return walk_object(a, b, path, cap, c);
    if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        int rc = 0;
        for (size_t i = 0; i < json_array_size(a) && rc == 0; i++) {
            char p[1024];
            snprintf(p, sizeof p, "%s[%zu]", path, i);
            rc = walk(json_array_get(a, i), json_array_get(b, i), p, cap, c);
        }
        return rc;
    }
    return add_member(c, cap, path[0] ? path : "(document)", a, b);
}

int diff_json(const json_t *a, const json_t *b, size_t cap, member_changes *out)
{
    memset(out, 0, sizeof *out);
    int rc = walk(a, b, "", cap, out);
    if (rc < 0) member_changes_free(out);
    return rc;
}

void member_changes_free(member_changes *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].path);
        json_decref(c->v[i].a);
        json_decref(c->v[i].b);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* ---- lines ----------------------------------------------------------------------------------- */

typedef struct span {
    const char *p;
    size_t len;
} span;

/* Split text into lines (without "\n" or "\r\n"). */
static span *split(const char *t, size_t len, size_t *n)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++) cap += t[i] == '\n';
    span *v = malloc(cap * sizeof *v);
    if (!v) return NULL;
    *n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && t[i] != '\n') continue;
        if (i == len && start == len) break; /* no empty last line after a final newline */
        size_t l = i - start;
        if (l && t[start + l - 1] == '\r') l--;
        v[(*n)++] = (span){t + start, l};
        start = i + 1;
    }
    return v;
}

static int same(span x, span y) { return x.len == y.len && !memcmp(x.p, y.p, x.len); }

static int add_line(line_changes *c, size_t cap, char op, size_t line, span s)
{
    c->total++;
    if (c->n >= cap) return 0;
    line_change *v = realloc(c->v, (c->n + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    c->v = v;
    char *t = malloc(s.len + 1);
    if (!t) return -ENOMEM;
    memcpy(t, s.p, s.len);
    t[s.len] = '\0';
    v[c->n++] = (line_change){op, line, t};
    return 0;
}

int diff_lines(const char *a, size_t la, const char *b, size_t lb, size_t cap,
               line_changes *out)
{
    memset(out, 0, sizeof *out);
    size_t na = 0, nb = 0;
    span *x = split(a, la, &na), *y = split(b, lb, &nb);
    int rc = x && y ? 0 : -ENOMEM;
    size_t pre = 0, suf = 0;
    while (rc == 0 && pre < na && pre < nb && same(x[pre], y[pre])) pre++;
    while (rc == 0 && suf < na - pre && suf < nb - pre && same(x[na - 1 - suf], y[nb - 1 - suf]))
        suf++;
    size_t n = rc == 0 ? na - pre - suf : 0, m = rc == 0 ? nb - pre - suf : 0;
    uint32_t *L = NULL;
    if (rc == 0 && n && m && (n + 1) * (m + 1) <= LCS_MAX_CELLS)
        L = calloc((n + 1) * (m + 1), sizeof *L);
    if (L) { /* L[i][j]: LCS of the middle parts' suffixes from i and j */
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                L[i * (m + 1) + j] = same(x[pre + i], y[pre + j])
                                         ? L[(i + 1) * (m + 1) + j + 1] + 1
                                         : (L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1]
                                                ? L[(i + 1) * (m + 1) + j]
                                                : L[i * (m + 1) + j + 1]);
        size_t i = 0, j = 0;
        while (rc == 0 && (i < n || j < m)) {
            if (i < n && j < m && same(x[pre + i], y[pre + j])) {
                i++, j++;
            } else if (j == m || (i < n && L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1])) {
                rc = add_line(out, cap, '-', pre + i + 1, x[pre + i]);
                i++;
            } else {
                rc = add_line(out, cap, '+', pre + j + 1, y[pre + j]);
                j++;
            }
        }
    } else { /* too large for the table (or one side empty): the block replaced */
        for (size_t i = 0; i < n && rc == 0; i++) rc = add_line(out, cap, '-', pre + i + 1, x[pre + i]);
        for (size_t j = 0; j < m && rc == 0; j++) rc = add_line(out, cap, '+', pre + j + 1, y[pre + j]);
    }
    free(L);
    free(x);
    free(y);
    if (rc < 0) line_changes_free(out);
    return rc;
}

void line_changes_free(line_changes *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->v[i].text);
    free(c->v);
    memset(c, 0, sizeof *c);
}
