/*
 * srv_json: the service's JSON writer: the same bytes as jansson's
 * json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII) for the trees the handlers build (objects
 * in insertion order, arrays, strings, integers, true, false, null), written into one
 * growing buffer without jansson's per-container loop check (a hash table keyed by a
 * printed pointer), which was most of the cost of a list's answer (docs/performance.md).
 * A tree it does not write exactly as jansson does (a real number, text that is not valid
 * UTF-8, nesting deeper than SRV_JSON_DEPTH, as a cycle would be) is left to jansson.
 */
#ifndef CARA_SRV_JSON_H
#define CARA_SRV_JSON_H

#include <jansson.h>
#include <stddef.h>

#define SRV_JSON_DEPTH 64

/* body (an object or an array) as json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII)
 * writes it: malloc'ed, NUL-terminated, its length in *len; NULL when body is not one
 * this writer takes (see above) or out of memory: the caller then uses json_dumps. */
char *srv_json_dump(const json_t *body, size_t *len);

/* A JSON text being written by hand in the same bytes (srv_json_dump's rules), for the
 * answers built straight from a store's cells without a tree. */
typedef struct srv_jbuf {
    char *p;
    size_t n, cap;
    int bad; /* out of memory */
} srv_jbuf;

/* Append raw text (punctuation, keys known to need no escape). */
void srv_jbuf_raw(srv_jbuf *b, const char *s, size_t n);
/* Append s as a JSON string; 0, or -1 (nothing appended) when s is not valid UTF-8 (where
 * jansson's json_string gives NULL). */
int srv_jbuf_str(srv_jbuf *b, const char *s);
void srv_jbuf_int(srv_jbuf *b, long long v);
/* 1 when s is valid UTF-8 as jansson judges it. */
int srv_json_utf8_ok(const char *s);

#endif