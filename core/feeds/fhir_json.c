/*
 * fhir_json.c: see fhir_json.h.
 */
#include "fhir_json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- the arena ------------------------------------------------------------------------ */

typedef struct block {
    struct block *next;
    size_t cap, used; /* bytes of data[] */
    _Alignas(max_align_t) unsigned char data[];
} block;

typedef struct doc {
    block *head;  /* the block being filled; the older ones follow by next */
    block *first; /* the block the doc itself lives in (the last of the chain) */
    fj_t root;
} doc;

enum { BLOCK_MIN = 256 << 10 };

/* One block kept per thread from the last freed document: most lines fit in it, so a
 * line costs no malloc at all. Freed when the thread ends (keep_spares). */
static _Thread_local block *spare;
static _Thread_local struct fj_member *stk_spare;
static _Thread_local size_t stk_spare_cap;
static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;
static _Thread_local int spares_armed;

static void free_spares(void *unused)
{
    (void)unused;
    free(spare);
    spare = NULL;
    free(stk_spare);
    stk_spare = NULL;
    stk_spare_cap = 0;
}

static void make_key(void) { (void)pthread_key_create(&spares_key, free_spares); }

/* A thread that keeps spares frees them when it ends (a pthread key's destructor). */
static void keep_spares(void)
{
    if (spares_armed) return;
    pthread_once(&spares_once, make_key);
    spares_armed = pthread_setspecific(spares_key, (void *)1) == 0 ? 1 : -1;
}

static block *block_new(size_t need)
{
    size_t cap = need > BLOCK_MIN ? need : BLOCK_MIN;
    if (cap == BLOCK_MIN && spare) {
        block *b = spare;
        spare = NULL;
        b->next = NULL;
        b->used = 0;
        return b;
    }
    block *b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

static void *arena_alloc(doc *d, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    block *b = d->head;
    if (b->cap - b->used < n) {
        block *nb = block_new(n);
        if (!nb) return NULL;
        nb->next = b;
        d->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static void blocks_free(block *b)
{
    while (b) {
        block *next = b->next;
        if (!spare && b->cap == BLOCK_MIN) {
            keep_spares();
            spare = b;
        }
        else free(b);
        b = next;
    }
}

static doc *doc_new(void)
{
    block *b = block_new(sizeof(doc));
    if (!b) return NULL;
    doc *d = (doc *)(void *)b->data;
    b->used = (sizeof(doc) + 7) & ~(size_t)7;
    d->head = d->first = b;
    memset(&d->root, 0, sizeof d->root);
    return d;
}

void fj_free(fj_t *root)
{
    if (!root) return;
    doc *d = (doc *)(void *)((char *)root - offsetof(doc, root));
    blocks_free(d->head);
}

/* ---- the scanner: the common case, or give up (-1) and let jansson read it ------------- */

typedef struct scan {
    const char *p, *end;
    doc *d;
    fj_member *stk; /* children of the open containers (per thread, reused) */
    size_t n, cap;
    int depth, max_depth;
    int oom, too_deep;
} scan;


static int push(scan *s, const char *key, size_t klen, const fj_t *v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        fj_member *m = realloc(s->stk, cap * sizeof *m);
        if (!m) {
            s->oom = 1;
            return -1;
        }
        s->stk = m;
        s->cap = cap;
    }
    fj_member *m = &s->stk[s->n++];
    m->key = key;
    m->klen = klen;
    /* field by field: *v was just written a field at a time, and one wide load of it
     * would wait for those stores (a failed store-to-load forward on every value) */
    m->v.type = v->type;
    m->v.n = v->n;
    m->v.u = v->u;
    return 0;
}

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

/* The first byte at or after q (before end) that a string cannot hold as it is: a
 * quote, a backslash, a control character or a non-ASCII byte; end when none. Sixteen
 * bytes at a time where SSE2 is there (every x86-64), a byte at a time after. */
static const char *str_stop(const char *q, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\'), low = _mm_set1_epi8(0x20);
    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        /* signed: the bytes 0x80-0xff are below 0x20 too */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)),
                                 _mm_cmplt_epi8(v, low));
        int bits = _mm_movemask_epi8(m);
        if (bits) return q + __builtin_ctz((unsigned)bits);
        q += 16;
    }
#endif
    for (; q < end; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
    }
    return q;
}

/* A string at s->p (the opening quote) into the arena: *out, *len. */
static int str(scan *s, const char **out, size_t *len)
{
    const char *q = ++s->p;
    int esc = 0;
    for (;;) {
        q = str_stop(q, s->end);
        if (q >= s->end) return -1;
        unsigned char c = (unsigned char)*q;
        if (c == '"') break;
        if (c != '\\') return -1; /* control or non-ASCII: jansson checks it */
        if (q + 1 >= s->end) return -1;
        char e = q[1];
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
            e != 't')
            return -1; /* \u and bad escapes */
        esc = 1;
        q += 2;
    }
    size_t n = (size_t)(q - s->p);
    char *o = arena_alloc(s->d, n + 1);
    if (!o) {
        s->oom = 1;
        return -1;
    }
    if (!esc) {
        memcpy(o, s->p, n);
    } else {
        size_t k = 0;
        for (const char *r = s->p; r < q; r++) {
            if (*r != '\\') {
                o[k++] = *r;
                continue;
            }
            r++;
            switch (*r) {
            case 'b': o[k++] = '\b'; break;
            case 'f': o[k++] = '\f'; break;
            case 'n': o[k++] = '\n'; break;
            case 'r': o[k++] = '\r'; break;
            case 't': o[k++] = '\t'; break;
            default: o[k++] = *r; break; /* " \ / */
            }
        }
        n = k;
    }
    o[n] = '\0';
    *out = o;
    *len = n;
    s->p = q + 1;
    return 0;
}

static int isdig(char c) { return c >= '0' && c <= '9'; }

/* After a scalar, the next byte must end it (jansson would reject "1x", "truex"). */
static int ends(const scan *s)
{
    if (s->p >= s->end) return 1;
    char c = *s->p;
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '}' || c == ']';
}

static int number(scan *s, fj_t *v)
{
    const char *a = s->p, *q = a;
    int real = 0;
    if (q < s->end && *q == '-') q++;
    if (q >= s->end || !isdig(*q)) return -1;
    if (*q == '0') {
        q++;
        if (q < s->end && isdig(*q)) return -1;
    } else {
        while (q < s->end && isdig(*q)) q++;
    }
    if (q < s->end && *q == '.') {
        real = 1;
        q++;
        if (q >= s->end || !isdig(*q)) return -1;
        while (q < s->end && isdig(*q)) q++;
    }
    int exp = 0;
    if (q < s->end && (*q == 'e' || *q == 'E')) {
        real = exp = 1;
        q++;
        if (q < s->end && (*q == '+' || *q == '-')) q++;
        if (q >= s->end || !isdig(*q)) return -1;
        while (q < s->end && isdig(*q)) q++;
    }
    size_t n = (size_t)(q - a);
    char buf[64];
    if (n >= sizeof buf) return -1;
    memcpy(buf, a, n);
    buf[n] = '\0';
    char *e;
    errno = 0;
    if (real) {
        /* without an exponent, fewer than 64 characters cannot pass DBL_MAX (1.8e308):
         * strtod only for the range of a literal with one */
        if (exp) {
            double d = strtod(buf, &e);
            if (e != buf + n || (errno == ERANGE && isinf(d))) return -1;
        }
        char *t = arena_alloc(s->d, n + 1); /* the literal: fj_real_text */
        if (!t) {
            s->oom = 1;
            return -1;
        }
        memcpy(t, buf, n + 1);
        v->type = FJ_REAL;
        v->n = n;
        v->u.s = t;
    } else {
        long long i = strtoll(buf, &e, 10);
        if (e != buf + n || errno == ERANGE) return -1;
        v->type = FJ_INTEGER;
        v->u.i = i;
    }
    s->p = q;
    return ends(s) ? 0 : -1;
}

static int lit(scan *s, const char *word, size_t n, fj_type t, fj_t *v)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n)) return -1;
    s->p += n;
    v->type = (unsigned char)t;
    return ends(s) ? 0 : -1;
}

static int value(scan *s, fj_t *v);

/* Copy the top n stacked children into the arena as v's items or members. */
static int close_container(scan *s, size_t base, fj_t *v, int object)
{
    size_t n = s->n - base;
    v->n = n;
    if (object) {
        if (n > 256) return -1; /* the repeated-key check below is quadratic */
        for (size_t i = base + 1; i < s->n; i++)
            for (size_t j = base; j < i; j++)
                if (s->stk[i].klen == s->stk[j].klen && s->stk[i].key[0] == s->stk[j].key[0] &&
                    !memcmp(s->stk[i].key, s->stk[j].key, s->stk[i].klen))
                    return -1; /* jansson says it */
        fj_member *m = n ? arena_alloc(s->d, n * sizeof *m) : NULL;
        if (n && !m) {
            s->oom = 1;
            return -1;
        }
        if (n) memcpy(m, s->stk + base, n * sizeof *m);
        v->type = FJ_OBJECT;
        v->u.members = m;
    } else {
        fj_t *it = n ? arena_alloc(s->d, n * sizeof *it) : NULL;
        if (n && !it) {
            s->oom = 1;
            return -1;
        }
        for (size_t i = 0; i < n; i++) it[i] = s->stk[base + i].v;
        v->type = FJ_ARRAY;
        v->u.items = it;
    }
    s->n = base;
    return 0;
}

static int container(scan *s, fj_t *v, int object)
{
    if (++s->depth > s->max_depth) {
        s->too_deep = 1;
        return -1;
    }
    size_t base = s->n;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == (object ? '}' : ']')) {
        s->p++;
    } else {
        for (;;) {
            const char *key = NULL;
            size_t kl = 0;
            fj_t item;
            memset(&item, 0, sizeof item);
            if (object) {
                if (s->p >= s->end || *s->p != '"' || str(s, &key, &kl) < 0) return -1;
                ws(s);
                if (s->p >= s->end || *s->p != ':') return -1;
                s->p++;
                ws(s);
            }
            if (value(s, &item) < 0 || push(s, key, kl, &item) < 0) return -1;
            ws(s);
            if (s->p >= s->end) return -1;
            if (*s->p == ',') {
                s->p++;
                ws(s);
                continue;
            }
            if (*s->p != (object ? '}' : ']')) return -1;
            s->p++;
            break;
        }
    }
    s->depth--;
    return close_container(s, base, v, object);
}

static int value(scan *s, fj_t *v)
{
    if (s->p >= s->end) return -1;
    switch (*s->p) {
    case '{': return container(s, v, 1);
    case '[': return container(s, v, 0);
    case '"': {
        const char *t;
        size_t n;
        if (str(s, &t, &n) < 0) return -1;
        v->type = FJ_STRING;
        v->u.s = t;
        v->n = n;
        return 0;
    }
    case 't': return lit(s, "true", 4, FJ_TRUE, v);
    case 'f': return lit(s, "false", 5, FJ_FALSE, v);
    case 'n': return lit(s, "null", 4, FJ_NULL, v);
    default: return number(s, v);
    }
}

/* ---- jansson's reading, copied into the arena ----------------------------------------- */

static int copy(doc *d, const json_t *j, fj_t *v)
{
    memset(v, 0, sizeof *v);
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        fj_member *m = n ? arena_alloc(d, n * sizeof *m) : NULL;
        if (n && !m) return -1;
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)j, k, x) {
            size_t kl = strlen(k);
            char *kc = arena_alloc(d, kl + 1);
            if (!kc) return -1;
            memcpy(kc, k, kl + 1);
            m[i].key = kc;
            m[i].klen = kl;
            if (copy(d, x, &m[i].v) < 0) return -1;
            i++;
        }
        v->type = FJ_OBJECT;
        v->n = i;
        v->u.members = m;
        return 0;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        fj_t *it = n ? arena_alloc(d, n * sizeof *it) : NULL;
        if (n && !it) return -1;
        for (size_t i = 0; i < n; i++)
            if (copy(d, json_array_get(j, i), &it[i]) < 0) return -1;
        v->type = FJ_ARRAY;
        v->n = n;
        v->u.items = it;
        return 0;
    }
    case JSON_STRING: {
        size_t n = json_string_length(j);
        char *t = arena_alloc(d, n + 1);
        if (!t) return -1;
        memcpy(t, json_string_value(j), n);
        t[n] = '\0';
        v->type = FJ_STRING;
        v->n = n;
        v->u.s = t;
        return 0;
    }
    case JSON_INTEGER: v->type = FJ_INTEGER; v->u.i = (long long)json_integer_value(j); return 0;
    case JSON_REAL: {
        /* no literal from jansson: 17 significant digits, which read back as this double */
        char t[40];
        int n = snprintf(t, sizeof t, "%.17g", json_real_value(j));
        char *c = n > 0 && (size_t)n < sizeof t ? arena_alloc(d, (size_t)n + 1) : NULL;
        if (!c) return -1;
        memcpy(c, t, (size_t)n + 1);
        v->type = FJ_REAL;
        v->n = (size_t)n;
        v->u.s = c;
        return 0;
    }
    case JSON_TRUE: v->type = FJ_TRUE; return 0;
    case JSON_FALSE: v->type = FJ_FALSE; return 0;
    default: v->type = FJ_NULL; return 0;
    }
}

static fj_t *by_jansson(doc *d, const char *buf, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
        fj_free(&d->root);
        return NULL;
    }
    int rc = copy(d, root, &d->root);
    json_decref(root);
    if (rc < 0) {
        snprintf(err, errlen, "out of memory");
        fj_free(&d->root);
        return NULL;
    }
    return &d->root;
}

/* 1 when the JSON text nests arrays and objects at most max deep (strings skipped). */
static int depth_ok(const char *p, size_t n, int max)
{
    int d = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (in_str) {
            if (ch == '\\') i++;
            else if (ch == '"') in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '{' || ch == '[') {
            if (++d > max) return 0;
        } else if (ch == '}' || ch == ']') {
            d--;
        }
    }
    return 1;
}

fj_t *fj_load(const char *buf, size_t len, int max_depth, char *err, size_t errlen)
{
    if (max_depth > 2000) max_depth = 2000; /* jansson's own limit is 2048 */
    doc *d = doc_new();
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    scan s = {.p = buf, .end = buf + len, .d = d, .stk = stk_spare, .cap = stk_spare_cap,
              .max_depth = max_depth};
    stk_spare = NULL;
    stk_spare_cap = 0;
    ws(&s);
    int ok = s.p < s.end && (*s.p == '{' || *s.p == '[') && value(&s, &d->root) == 0;
    if (ok) {
        ws(&s);
        ok = s.p == s.end;
    }
    if (stk_spare) free(stk_spare);
    keep_spares();
    stk_spare = s.stk;
    stk_spare_cap = s.cap;
    if (ok) return &d->root;
    if (s.oom) {
        snprintf(err, errlen, "out of memory");
        fj_free(&d->root);
        return NULL;
    }
    /* a prefix the scanner read was valid JSON, so the brackets it counted are the ones
     * depth_ok counts: too deep for it is too deep for depth_ok */
    if (s.too_deep || !depth_ok(buf, len, max_depth)) {
        snprintf(err, errlen, "invalid JSON: nested deeper than %d levels", max_depth);
        fj_free(&d->root);
        return NULL;
    }
    /* not the common case: start the arena again and let jansson read it */
    while (d->head != d->first) {
        block *b = d->head;
        d->head = b->next;
        b->next = NULL;
        blocks_free(b);
    }
    d->first->used = (sizeof(doc) + 7) & ~(size_t)7;
    memset(&d->root, 0, sizeof d->root);
    return by_jansson(d, buf, len, err, errlen);
}

/* ---- messages ------------------------------------------------------------------------ */

static json_t *to_jansson(const fj_t *v)
{
    switch (v->type) {
    case FJ_OBJECT: {
        json_t *o = json_object();
        for (size_t i = 0; o && i < v->n; i++)
            if (json_object_set_new(o, v->u.members[i].key, to_jansson(&v->u.members[i].v)) < 0) {
                json_decref(o);
                return NULL;
            }
        return o;
    }
    case FJ_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < v->n; i++)
            if (json_array_append_new(a, to_jansson(&v->u.items[i])) < 0) {
                json_decref(a);
                return NULL;
            }
        return a;
    }
    case FJ_STRING: return json_stringn(v->u.s, v->n);
    case FJ_INTEGER: return json_integer((json_int_t)v->u.i);
    case FJ_REAL: return json_real(fj_real_value(v));
    case FJ_TRUE: return json_true();
    case FJ_FALSE: return json_false();
    default: return json_null();
    }
}

char *fj_dumps(const fj_t *v)
{
    if (!v) return NULL;
    json_t *j = to_jansson(v);
    if (!j) return NULL;
    char *t = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(j);
    return t;
}

const fj_t *fj_null(void)
{
    static const fj_t null = {.type = FJ_NULL};
    return &null;
}

#undef fj_object_get
fj_t *fj_object_get(const fj_t *o, const char *key) { return fj_object_getn(o, key, strlen(key)); }

double fj_real_value(const fj_t *v)
{
    return fj_is_real(v) ? strtod(v->u.s, NULL) : 0.0;
}

const char *fj_real_text(const fj_t *v)
{
    return fj_is_real(v) ? v->u.s : NULL;
}
