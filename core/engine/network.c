/*
 * network.c: see network.h.
 */
#include "network.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct network_row {
    char *aco_id, *npi, *tin; /* owned */
    cara_date start, end;
};

static int covers(const struct network_row *r, cara_date d)
{
    return r->start <= d && (r->end == CARA_DATE_NONE || d <= r->end);
}

static int cmp_tin(const void *a, const void *b)
{
    const struct network_row *x = a, *y = b;
    int c = strcmp(x->tin, y->tin);
    return c ? c : (x->start > y->start) - (x->start < y->start);
}

static int cmp_pp(const void *a, const void *b)
{
    const struct network_row *x = a, *y = b;
    int c = strcmp(x->npi, y->npi);
    return c ? c : cmp_tin(a, b);
}

static void rows_free(struct network_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].aco_id);
        free(v[i].npi);
        free(v[i].tin);
    }
    free(v);
}

static struct network_row *rows_copy(const network_span *s, size_t n, int with_npi)
{
    struct network_row *v = calloc(n ? n : 1, sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++) {
        v[i].aco_id = strdup(s[i].aco_id ? s[i].aco_id : "");
        v[i].npi = strdup(with_npi && s[i].npi ? s[i].npi : "");
        v[i].tin = strdup(s[i].tin ? s[i].tin : "");
        v[i].start = s[i].start;
        v[i].end = s[i].end;
        if (!v[i].aco_id || !v[i].npi || !v[i].tin) {
            rows_free(v, n);
            return NULL;
        }
    }
    return v;
}

int network_build(network *net, const network_span *tins, size_t n_tins,
                  const network_span *pps, size_t n_pps)
{
    memset(net, 0, sizeof *net);
    net->tins = rows_copy(tins, n_tins, 0);
    net->pps = rows_copy(pps, n_pps, 1);
    if (!net->tins || !net->pps) {
        if (net->tins) rows_free(net->tins, n_tins);
        if (net->pps) rows_free(net->pps, n_pps);
        memset(net, 0, sizeof *net);
        return -ENOMEM;
    }
    net->n_tins = n_tins;
    net->n_pps = n_pps;
    qsort(net->tins, n_tins, sizeof *net->tins, cmp_tin);
    qsort(net->pps, n_pps, sizeof *net->pps, cmp_pp);
    return 0;
}

/* The first row of v (sorted by cmp) whose key equals key's, or n. */
static size_t lower_bound(const struct network_row *v, size_t n, const struct network_row *key,
                          int (*cmp)(const struct network_row *, const struct network_row *))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(&v[mid], key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int key_tin(const struct network_row *x, const struct network_row *y)
{
    return strcmp(x->tin, y->tin);
}

static int key_pp(const struct network_row *x, const struct network_row *y)
{
    int c = strcmp(x->npi, y->npi);
    return c ? c : strcmp(x->tin, y->tin);
}

const char *network_tin_aco(const network *net, const char *tin, cara_date d)
{
    if (!tin || !*tin) return NULL;
    struct network_row key = {.tin = (char *)tin};
    for (size_t i = lower_bound(net->tins, net->n_tins, &key, key_tin);
         i < net->n_tins && !strcmp(net->tins[i].tin, tin); i++)
        if (covers(&net->tins[i], d)) return net->tins[i].aco_id;
    return NULL;
}

int network_has(const network *net, const char *aco_id, const char *npi, const char *tin,
                cara_date d)
{
    if (!aco_id || !tin || !*tin) return 0;
    const char *owner = network_tin_aco(net, tin, d);
    if (owner) return strcmp(owner, aco_id) == 0; /* a participant TIN is one ACO's only */
    if (!npi || !*npi) return 0;
    struct network_row key = {.npi = (char *)npi, .tin = (char *)tin};
    for (size_t i = lower_bound(net->pps, net->n_pps, &key, key_pp);
         i < net->n_pps && !key_pp(&net->pps[i], &key); i++)
        if (covers(&net->pps[i], d) && !strcmp(net->pps[i].aco_id, aco_id)) return 1;
    return 0;
}

/* Append d to the growing array (v, n, cap). */
static int push_day(cara_date d, cara_date **v, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        cara_date *w = realloc(*v, c * sizeof *w);
        if (!w) return -ENOMEM;
        *v = w;
        *cap = c;
    }
    (*v)[(*n)++] = d;
    return 0;
}

/* The start and the day after the end of row r (an open or last-day end has none). */
static int push_row_days(const struct network_row *r, cara_date **v, size_t *n, size_t *cap)
{
    if (push_day(r->start, v, n, cap) < 0) return -ENOMEM;
    if (r->end != CARA_DATE_NONE && r->end < INT32_MAX && push_day(r->end + 1, v, n, cap) < 0)
        return -ENOMEM;
    return 0;
}

int network_change_days(const network *net, const char *npi, const char *tin, cara_date **v,
                        size_t *n, size_t *cap)
{
    if (!tin || !*tin) return 0; /* never in a network */
    struct network_row key = {.npi = (char *)(npi ? npi : ""), .tin = (char *)tin};
    for (size_t i = lower_bound(net->tins, net->n_tins, &key, key_tin);
         i < net->n_tins && !strcmp(net->tins[i].tin, tin); i++)
        if (push_row_days(&net->tins[i], v, n, cap) < 0) return -ENOMEM;
    if (!npi || !*npi) return 0;
    for (size_t i = lower_bound(net->pps, net->n_pps, &key, key_pp);
         i < net->n_pps && !key_pp(&net->pps[i], &key); i++)
        if (push_row_days(&net->pps[i], v, n, cap) < 0) return -ENOMEM;
    return 0;
}

void network_free(network *net)
{
    rows_free(net->tins, net->n_tins);
    rows_free(net->pps, net->n_pps);
    memset(net, 0, sizeof *net);
}

int network_line_provider(const cara_claim_line *l, network_provider *out)
{
    out->npi = out->tin = NULL;
    if (l->claim_type != CARA_CLAIM_PROFESSIONAL) return 0;
    if (l->rendering_tin[0]) {
        out->npi = l->rendering_npi;
        out->tin = l->rendering_tin;
        return 1;
    }
    if (l->billing_tin[0]) {
        out->npi = l->billing_npi;
        out->tin = l->billing_tin;
        return 1;
    }
    return 0;
}

static void digest_rows(const struct network_row *v, size_t n, sha256_ctx *c)
{
    for (size_t i = 0; i < n; i++) {
        const char *t[3] = {v[i].aco_id, v[i].npi ? v[i].npi : "", v[i].tin};
        for (int k = 0; k < 3; k++) sha256_update(c, t[k], strlen(t[k]) + 1);
        int32_t d[2] = {v[i].start, v[i].end};
        sha256_update(c, d, sizeof d);
    }
}

void network_digest(const network *net, sha256_ctx *c)
{
    uint64_t n[2] = {net->n_tins, net->n_pps};
    sha256_update(c, n, sizeof n);
    digest_rows(net->tins, net->n_tins, c);
    digest_rows(net->pps, net->n_pps, c);
}
