/*
 * fhir_json: the JSON trees the FHIR reader (fhir.c) walks. One document (an NDJSON
 * line, or a whole Bundle) is parsed into one arena: a single allocation in the common
 * case, reused from one line to the next, freed in one call. The values are read with
 * jansson's semantics (the same names with fj_ for json_): fj_object_get of a non-object
 * is NULL, fj_string_value of a non-string NULL, fj_integer_value of a non-integer 0,
 * and so on.
 *
 * fj_load gives exactly the tree json_loadb(buf, len, JSON_REJECT_DUPLICATES) gives, or
 * jansson's error: its own scanner takes the common case (ASCII strings without escapes
 * other than \" \\ \/ \b \f \n \r \t, integers that fit, reals strtod reads without
 * overflow, no repeated key in an object, an object or array at the top); anything else
 * (an error, \u escapes, non-ASCII text, ...) is handed to jansson and its tree copied
 * into the arena, so what is accepted and what is said about a bad document do not
 * depend on which path read it.
 *
 * Not thread-safe across threads for one tree; separate trees on separate threads are
 * fine (the reused arena is per thread).
 */
#ifndef CARA_FEEDS_FHIR_JSON_H
#define CARA_FEEDS_FHIR_JSON_H

#include <stddef.h>
#include <string.h>

typedef enum fj_type { FJ_NULL, FJ_TRUE, FJ_FALSE, FJ_STRING, FJ_INTEGER, FJ_REAL, FJ_ARRAY, FJ_OBJECT } fj_type;

typedef struct fj_t fj_t;
typedef struct fj_member fj_member;

struct fj_t {
    unsigned char type; /* fj_type */
    size_t n;           /* array items, object members, string bytes */
    union {
        const char *s;       /* FJ_STRING: NUL-terminated (n bytes before the NUL);
                                FJ_REAL: its literal, as fj_real_text */
        long long i;         /* FJ_INTEGER */
        fj_t *items;         /* FJ_ARRAY: n values */
        fj_member *members;  /* FJ_OBJECT: n members, in document order */
    } u;
};

struct fj_member {
    const char *key; /* NUL-terminated */
    size_t klen;     /* its length */
    fj_t v;
};

/* Parse buf (len bytes, no NUL needed) as one JSON object or array nested at most
 * max_depth deep (arrays and objects, counted by their brackets outside strings; at
 * most 2000). The root, owned by the caller (fj_free), or NULL with the message in err:
 * "invalid JSON: nested deeper than MAX levels" (whether or not the text is otherwise
 * valid), else jansson's "invalid JSON at line L, column C: TEXT", or "out of memory". */
fj_t *fj_load(const char *buf, size_t len, int max_depth, char *err, size_t errlen);

/* Free a tree fj_load returned (its arena). NULL is a no-op; only roots may be freed. */
void fj_free(fj_t *root);

/* The compact JSON text of v (jansson's json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)),
 * malloc'ed (the caller frees it), or NULL. For messages. */
char *fj_dumps(const fj_t *v);

/* The null value (a static: never freed). */
const fj_t *fj_null(void);

static inline int fj_is(const fj_t *v, fj_type t) { return v && v->type == t; }
#define fj_is_string(v) fj_is((v), FJ_STRING)
#define fj_is_object(v) fj_is((v), FJ_OBJECT)
#define fj_is_array(v) fj_is((v), FJ_ARRAY)
#define fj_is_integer(v) fj_is((v), FJ_INTEGER)
#define fj_is_real(v) fj_is((v), FJ_REAL)
#define fj_is_null(v) fj_is((v), FJ_NULL)

/* The member key of object o, NULL when o is not an object or has none. */
fj_t *fj_object_get(const fj_t *o, const char *key);
/* The same with the key's length given (klen bytes, no NUL needed). Inline: for a
 * literal key the compiler knows klen and compares the bytes in place. */
static inline fj_t *fj_object_getn(const fj_t *o, const char *key, size_t klen)
{
    if (!o || o->type != FJ_OBJECT) return NULL;
    for (size_t i = 0; i < o->n; i++) {
        const fj_member *m = &o->u.members[i];
        if (m->klen == klen && (klen == 0 || m->key[0] == key[0]) && !memcmp(m->key, key, klen))
            return (fj_t *)&m->v;
    }
    return NULL;
}
/* fj_object_get of a key whose length the compiler knows (a literal): not counted on
 * every call. */
#define fj_object_get(o, key) fj_object_getn((o), (key), __builtin_strlen(key))

static inline const char *fj_string_value(const fj_t *v) { return fj_is_string(v) ? v->u.s : NULL; }
static inline long long fj_integer_value(const fj_t *v) { return fj_is_integer(v) ? v->u.i : 0; }
/* A real's value (strtod of its literal: the double json_loadb gives), 0 for a non-real. */
double fj_real_value(const fj_t *v);
/* A real's literal as the document spelled it (NUL-terminated, v->n bytes), or, for a
 * document jansson read (the uncommon case: fj_load), its value in 17 significant
 * digits, which read back as the same double. NULL for a non-real. */
const char *fj_real_text(const fj_t *v);
static inline size_t fj_array_size(const fj_t *a) { return fj_is_array(a) ? a->n : 0; }
static inline fj_t *fj_array_get(const fj_t *a, size_t i)
{
    return fj_is_array(a) && i < a->n ? &a->u.items[i] : NULL;
}

/* jansson's json_array_foreach. */
#define fj_array_foreach(array, index, value)                                              \
    for ((index) = 0; (index) < fj_array_size(array) && ((value) = fj_array_get((array), (index))); \
         (index)++)

#endif
