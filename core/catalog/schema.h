/*
 * schema: a declarative description of a JSON document and the walker that checks a
 * document against it, reporting every problem with its dotted JSON path.
 *
 * A schema is a tree of schema_node tables (static storage): an object node lists its
 * members (a table ended by a node of type SCHEMA_END; key "*" stands for any other
 * name: a map), an array node names its element node. The walker reports, each as
 * "path: message" through diag_add:
 *
 *   - a value of the wrong JSON type, naming what it is and what is expected
 *     (`pricing.trend_bps: "abc" is a string; expected an integer from -10000 to 10000`);
 *     a number given as a string is refused the same way (with a hint);
 *   - an integer outside its range, a string outside its allowed values;
 *   - a required member that is missing; an unknown member (with a did-you-mean when a
 *     known name is close);
 *   - an array with too few or too many elements;
 *   - every bad pattern of a code list (codes.h grammar), at the element's path.
 *
 * Everything here is pure: documents in, diagnostics out.
 */
#ifndef CARA_SCHEMA_H
#define CARA_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "template.h" /* cara_diag, diag_add */

typedef enum schema_type {
    SCHEMA_END = 0, /* ends a member table */
    SCHEMA_INT,     /* a JSON integer within lo..hi */
    SCHEMA_STR,     /* a non-empty string; one of values when values is set */
    SCHEMA_OBJ,     /* an object of members */
    SCHEMA_ARR,     /* an array of items (members points at one element node) */
    SCHEMA_CODES,   /* an array of code patterns, each checked */
    SCHEMA_ANY,     /* any JSON: checked elsewhere (a plugin, the customizable policy) */
} schema_type;

/* Flags of a node. */
#define SCHEMA_REQUIRED 0x1u /* the member must be present */
#define SCHEMA_OVERLAY  0x2u /* allowed only in an overlay's effective template */
#define SCHEMA_DOTTED   0x4u /* an object whose "*" member names may be dotted paths */

typedef struct schema_node {
    const char *key;                   /* member name; "*" = any other name; NULL for items */
    schema_type type;
    unsigned flags;                    /* SCHEMA_* */
    int64_t lo, hi;                    /* SCHEMA_INT: the inclusive range */
    const char *const *values;         /* SCHEMA_STR: allowed strings, NULL-terminated */
    const struct schema_node *members; /* SCHEMA_OBJ: member table; SCHEMA_ARR: item node */
    size_t min_items, max_items;       /* SCHEMA_ARR, SCHEMA_CODES, SCHEMA_OBJ maps
                                          (max 0 = no limit) */
    const char *what;                  /* SCHEMA_OBJ/ARR/ANY: what is expected, for messages */
} schema_node;

/* Options of one check. */
typedef struct schema_opts {
    int overlay; /* 1: members flagged SCHEMA_OVERLAY are allowed */
} schema_opts;

/*
 * Check v (the value at `path`; "" for the document itself) against node, reporting
 * every problem to d. Returns the number of problems reported.
 */
int schema_check(const schema_node *node, const json_t *v, const char *path,
                 const schema_opts *o, cara_diag *d);

/* What node expects, as a phrase ("an integer from 0 to 10000", "one of \"a\", \"b\"").
 * Writes into buf and returns it. */
const char *schema_expected(const schema_node *node, char *buf, size_t len);

/* A short rendering of a JSON value for messages ("\"abc\"", "250000", "[...]"). */
const char *schema_show(const json_t *v, char *buf, size_t len);

/* "a string", "an integer", ... for messages. */
const char *schema_type_name(const json_t *v);

/* The name of cands (NULL-terminated) closest to key when it is close enough to be a
 * likely typo (case-insensitive equal, or an edit distance of at most 2 for names of 4
 * or more characters, 1 for shorter), else NULL. Borrowed from cands. */
const char *schema_did_you_mean(const char *key, const char *const *cands);

#endif
