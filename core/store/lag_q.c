/*
 * lag_q.c: see lag_q.h.
 *
 * One pass over the current claims paid by the date, each claim's packed lines read in
 * C (base/packed_lines.h), the cells summed in a hash table and given in the order
 * GROUP BY gave them (claim type, bill type, service week, paid week). Through the
 * claim_lines view, SQLite parses each line's JSON once per field it takes: 7.7 s at
 * 100,000 beneficiaries against 3.9 s when lines were a table.
 */
#include "lag_q.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store_internal.h"

static const char Q_CLAIMS[] =
    "SELECT claim_type, bill_type_code, admission_date, claim_start_date, "
    "coalesce(paid_date, claim_end_date), lines FROM claims "
    "WHERE status = 'current' AND coalesce(paid_date, claim_end_date) <= ?1";

/* (claim type, bill type) pairs, few: a list */
typedef struct pair {
    char *type, *bill;
} pair;

typedef struct cell {
    uint32_t pair;      /* index + 1; 0: empty slot */
    int32_t service, paid;
    int64_t cents;
} cell;

typedef struct cells {
    pair *pairs;
    size_t n_pairs, cap_pairs;
    cell *slot;
    size_t n, cap;      /* cap a power of two */
} cells;

/* The week number the SQL gave: days since 1970-01-01 over 7 (truncated), 0 for a
 * date that does not parse (julianday's NULL, read as 0). */
static int week_of(const char *s, size_t len)
{
    cara_date d;
    if (!s || date_parse(s, len, &d) < 0) return 0;
    return (int)(d / 7);
}

static long pair_of(cells *c, const char *type, const char *bill)
{
    for (size_t i = 0; i < c->n_pairs; i++)
        if (!strcmp(c->pairs[i].type, type) && !strcmp(c->pairs[i].bill, bill)) return (long)i;
    if (c->n_pairs == c->cap_pairs) {
        size_t cap = c->cap_pairs ? c->cap_pairs * 2 : 16;
        pair *v = realloc(c->pairs, cap * sizeof *v);
        if (!v) return -1;
        c->pairs = v;
        c->cap_pairs = cap;
    }
    pair *p = &c->pairs[c->n_pairs];
    if (!(p->type = strdup(type)) || !(p->bill = strdup(bill))) {
        free(p->type);
        return -1;
    }
    return (long)c->n_pairs++;
}

static uint64_t hash3(uint32_t a, int32_t b, int32_t c)
{
    uint64_t h = ((uint64_t)a * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)(uint32_t)b << 21) ^ (uint32_t)c;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

static int add(cells *c, uint32_t pair1, int32_t service, int32_t paid, int64_t cents)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        cell *v = calloc(cap, sizeof *v);
        if (!v) return -ENOMEM;
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->slot[i].pair) continue;
            size_t k = hash3(c->slot[i].pair, c->slot[i].service, c->slot[i].paid) & (cap - 1);
            while (v[k].pair) k = (k + 1) & (cap - 1);
            v[k] = c->slot[i];
        }
        free(c->slot);
        c->slot = v;
        c->cap = cap;
    }
    size_t k = hash3(pair1, service, paid) & (c->cap - 1);
    while (c->slot[k].pair &&
           (c->slot[k].pair != pair1 || c->slot[k].service != service || c->slot[k].paid != paid))
        k = (k + 1) & (c->cap - 1);
    if (!c->slot[k].pair) {
        c->slot[k] = (cell){pair1, service, paid, 0};
        c->n++;
    }
    /* int64 as SQL's sum, which failed past it ("integer overflow") */
    if (__builtin_add_overflow(c->slot[k].cents, cents, &c->slot[k].cents)) return -EOVERFLOW;
    return 0;
}

/* cells by pair rank (set before sorting: the pairs' order), service, paid */
static int cmp_cell(const void *a, const void *b)
{
    const cell *x = a, *y = b;
    int r = (x->pair > y->pair) - (x->pair < y->pair);
    if (!r) r = (x->service > y->service) - (x->service < y->service);
    if (!r) r = (x->paid > y->paid) - (x->paid < y->paid);
    return r;
}

static int pair_before(const pair *p, const pair *q)
{
    int r = strcmp(p->type, q->type);
    return r < 0 || (r == 0 && strcmp(p->bill, q->bill) < 0);
}

static void cells_free(cells *c)
{
    for (size_t i = 0; i < c->n_pairs; i++) {
        free(c->pairs[i].type);
        free(c->pairs[i].bill);
    }
    free(c->pairs);
    free(c->slot);
}

static const char *text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* One claim's lines into c. 0, -ENOMEM, or -EINVAL (r->err says why). */
static int add_claim(cells *c, sqlite3_stmt *st, pl_reader *r)
{
    long p = pair_of(c, text(st, 0), text(st, 1));
    if (p < 0) return -ENOMEM;
    int inst = !strcmp(text(st, 0), "institutional");
    const char *adm = (const char *)sqlite3_column_text(st, 2);
    const char *start = (const char *)sqlite3_column_text(st, 3);
    int paid = week_of((const char *)sqlite3_column_text(st, 4), (size_t)sqlite3_column_bytes(st, 4));
    int claim_service = inst && adm ? week_of(adm, (size_t)sqlite3_column_bytes(st, 2))
                                    : week_of(start, (size_t)sqlite3_column_bytes(st, 3));
    pl_reader_init(r, (const char *)sqlite3_column_text(st, 5), (size_t)sqlite3_column_bytes(st, 5));
    pl_line l;
    int k;
    while ((k = pl_next(r, &l)) == 1) {
        if (l.denied != 0) continue;
        const char *ls = l.text[PL_START];
        int service = !inst && ls ? week_of(ls, strlen(ls)) : claim_service;
        int a = add(c, (uint32_t)p + 1, service, paid, l.paid_cents);
        if (a < 0) return a;
    }
    return k == 0 ? 0 : k == -ENOMEM ? -ENOMEM : -EINVAL;
}

int lag_q_cells(store *s, const char *as_of, lag_q_cell_fn fn, void *ud, char *err,
                size_t errlen)
{
    sqlite3_stmt *st = store__prepare(s, Q_CLAIMS, err, errlen);
    if (!st) return -EIO;
    sqlite3_bind_text(st, 1, as_of, -1, SQLITE_TRANSIENT);
    cells c = {0};
    pl_reader r = {0};
    int rc, out = 0;
    while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = add_claim(&c, st, &r);
        if (k == -ENOMEM) out = util_fail(err, errlen, -ENOMEM, "reading the lag triangle: out of memory");
        else if (k == -EOVERFLOW) out = util_fail(err, errlen, -EIO, "reading the lag triangle: integer overflow");
        else if (k < 0) out = util_fail(err, errlen, -EIO, "reading the lag triangle: its lines "
                                        "(claims.lines) are not packed lines: %s", r.err);
    }
    if (!out && rc != SQLITE_DONE) out = store_fail(sqlite3_db_handle(st), err, errlen,
                                                    "reading the lag triangle");
    sqlite3_finalize(st);
    pl_reader_free(&r);
    size_t *by_rank = c.n ? malloc(c.n_pairs * sizeof *by_rank) : NULL;
    uint32_t *rank = c.n ? malloc(c.n_pairs * sizeof *rank) : NULL;
    if (!out && c.n && (!by_rank || !rank))
        out = util_fail(err, errlen, -ENOMEM, "reading the lag triangle: out of memory");
    if (!out && c.n) { /* the cells packed to the front, in GROUP BY's order */
        for (size_t i = 0; i < c.n_pairs; i++) { /* the pairs sorted (few: insertion) */
            size_t j = i;
            for (; j > 0 && pair_before(&c.pairs[i], &c.pairs[by_rank[j - 1]]); j--)
                by_rank[j] = by_rank[j - 1];
            by_rank[j] = i;
        }
        for (size_t i = 0; i < c.n_pairs; i++) rank[by_rank[i]] = (uint32_t)i + 1;
        size_t n = 0;
        for (size_t i = 0; i < c.cap; i++)
            if (c.slot[i].pair) {
                cell x = c.slot[i];
                x.pair = rank[x.pair - 1];
                c.slot[n++] = x;
            }
        qsort(c.slot, n, sizeof *c.slot, cmp_cell);
        for (size_t i = 0; i < n && !out; i++) {
            const pair *p = &c.pairs[by_rank[c.slot[i].pair - 1]];
            out = fn(ud, p->type, p->bill, c.slot[i].service, c.slot[i].paid, c.slot[i].cents);
        }
    }
    free(by_rank);
    free(rank);
    cells_free(&c);
    return out;
}
