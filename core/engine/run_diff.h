/*
 * run_diff: what changed between two completed runs (`cara diff A B`, GET
 * /v1/runs/:a/diff/:b), as JSON rows: first the components (every plugin, template, rule
 * file and table added, removed or changed, with the JSON members or lines that
 * changed: content_diff.h), then per section of diff_q.h (template, arrangement,
 * attribution, leakage, leakage_provider) one object per row with "kind", the section's
 * keys, NAME_a, NAME_b and NAME_change for each (a, b) pair (money in cents) and its
 * plain text columns. The field names are docs/reports.md's ("cara diff"); the CLI
 * prints these objects one per line (--format json) or lays the sections out as tables
 * (run_diff_sections).
 */
#ifndef CARA_RUN_DIFF_H
#define CARA_RUN_DIFF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "content_diff.h"
#include "store/store.h"

/* Members or lines shown per changed component; the rest are counted (*_more). */
#define RUN_DIFF_DETAIL 20

/* One section: diff_q_section's kind and how its columns read. */
typedef struct run_diff_section {
    const char *kind;
    int n_keys;                 /* leading key columns (text or integer) */
    const char *const *keys;
    int n_pairs;                /* then (a, b) pairs */
    const char *const *pairs;   /* base names; money when ending in _cents */
    int n_tail;                 /* plain text columns */
    const char *const *tail;
    const int *widths;          /* table widths of the key columns (NULL: 24, then 6) */
} run_diff_section;

/* The sections, in the order a diff shows them (static). */
const run_diff_section *run_diff_sections(size_t *n);

/* Column index of pair p's A value in a section row (B is +1), and of tail column t. */
int run_diff_pair_col(const run_diff_section *s, int p);
int run_diff_tail_col(const run_diff_section *s, int t);

/* A section row (a store_row of diff_q_section with cells) as its JSON object. New
 * reference, NULL when out of memory. */
json_t *run_diff_row_json(const run_diff_section *s, const store_row *row);

/* A row of diff_q_components read: its kind, name, versions, hashes and content hashes
 * in A and B (NULL when absent), the file's path, the change ("added", "removed",
 * "changed") and whether the version stayed while the hash moved. Borrowed from the row. */
typedef struct run_diff_component {
    const char *kind, *name, *version_a, *version_b, *sha256_a, *sha256_b;
    const char *content_a, *content_b, *relpath, *change;
    int same_version;
} run_diff_component;
void run_diff_component_of(const store_row *row, run_diff_component *out);

/* What changed in a component whose two contents are stored: the JSON members when
 * both are JSON files (members_set), else the lines (content_diff.h), each capped at
 * RUN_DIFF_DETAIL with the total counted. */
typedef struct run_diff_change {
    int members_set;       /* 1: members holds the change; 0: lines does */
    member_changes members;
    line_changes lines;
} run_diff_change;

/*
 * Read contents ca and cb (SHA-256 hex of stored bytes) of the component file rel and
 * compute their change into out (the caller frees it: run_diff_change_free). 0; -1
 * with err saying which content is missing or could not be read; -ENOMEM.
 */
int run_diff_component_change(store *s, const char *ca, const char *cb, const char *rel,
                              run_diff_change *out, char *err, size_t errlen);
void run_diff_change_free(run_diff_change *c);

/*
 * Append every row of the diff of runs a and b to rows (a JSON array): the components,
 * then each section. *attribution_rows (may be NULL) is the number of attribution rows
 * (they name beneficiaries: callers audit the read). The runs are not checked here.
 * 0, -ENOMEM, or -EIO with err (SQLite's message).
 */
int run_diff_json(store *s, int64_t a, int64_t b, json_t *rows, int *attribution_rows,
                  char *err, size_t errlen);

#endif
