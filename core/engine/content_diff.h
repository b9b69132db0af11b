/*
 * content_diff: what changed between two versions of a file, for `cara diff`'s
 * components section. Pure functions, no I/O.
 *
 *   JSON documents (template.json, overlay.json): the members that changed, by JSON
 *   path ("pricing.trend_bps", "pricing.age_factors[1].factor"), with the values before
 *   and after.
 *   Text (Lua rules, CSV tables): the lines removed and added (a longest-common-
 *   subsequence diff of the part between the common first and last lines; when that part
 *   is too large for it, every line of it is reported as removed and added).
 */
#ifndef CARA_CONTENT_DIFF_H
#define CARA_CONTENT_DIFF_H

#include <jansson.h>
#include <stddef.h>

typedef struct member_change {
    char *path;        /* owned */
    json_t *a, *b;     /* owned references; NULL when the member is absent on that side */
} member_change;

typedef struct member_changes {
    member_change *v;  /* the first `cap` changes, in key order (keys sorted) */
    size_t n;
    size_t total;      /* every change, kept or not */
} member_changes;

/* The members that differ between a and b (either may be NULL: absent), keeping at most
 * cap. 0 or -ENOMEM. The caller frees *out (member_changes_free). */
int diff_json(const json_t *a, const json_t *b, size_t cap, member_changes *out);
void member_changes_free(member_changes *c);

typedef struct line_change {
    char op;           /* '-' (a line of A) or '+' (a line of B) */
    size_t line;       /* 1-based, in A for '-', in B for '+' */
    char *text;        /* owned, without its line ending */
} line_change;

typedef struct line_changes {
    line_change *v;    /* the first `cap` changes, in file order */
    size_t n;
    size_t total;
} line_changes;

/* The lines that differ between texts a and b, keeping at most cap. 0 or -ENOMEM. The
 * caller frees *out (line_changes_free). */
int diff_lines(const char *a, size_t la, const char *b, size_t lb, size_t cap,
               line_changes *out);
void line_changes_free(line_changes *c);

#endif
