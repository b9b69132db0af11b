/*
 * claims_pack.c: a claim's lines packed into claims.lines (claims_w_internal.h,
 * base/packed_lines.h), for claims_w.c and its write-behind queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_w_internal.h"

void claims__pack_reset(claims__pack *p)
{
    p->seg.len = 0;
    p->n = 0;
}

void claims__pack_free(claims__pack *p)
{
    free(p->seg.p);
    free(p->out.p);
    free(p->e);
    memset(p, 0, sizeof *p);
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Line l as a packed line: the texts the claim_lines table stored ('' for NULL, but a
 * date stays NULL). */
static void to_pl(const claim_line_rec *l, pl_line *o)
{
    o->number = l->claim_line_number;
    o->text[PL_START] = l->claim_line_start_date;
    o->text[PL_END] = l->claim_line_end_date;
    o->text[PL_POS] = or_empty(l->place_of_service_code);
    o->text[PL_REVENUE] = or_empty(l->revenue_center_code);
    o->text[PL_HCPCS] = or_empty(l->hcpcs_code);
    o->text[PL_MODIFIERS] = or_empty(l->hcpcs_modifiers);
    o->text[PL_RENDERING_NPI] = or_empty(l->rendering_npi);
    o->text[PL_RENDERING_TIN] = or_empty(l->rendering_tin);
    o->text[PL_BILLING_NPI] = or_empty(l->billing_npi);
    o->text[PL_BILLING_TIN] = or_empty(l->billing_tin);
    o->paid_cents = l->paid_cents;
    o->allowed_cents = l->allowed_cents;
    o->denied = l->denied ? 1 : 0;
    o->has_detail = l->has_detail;
    o->detail_paid_cents = l->detail_paid_cents;
}

/* Add packed line pl (its number n): a new entry, or entry `at` replaced. */
static int put(claims__pack *p, const pl_line *pl, size_t at)
{
    size_t off = p->seg.len;
    /* pl_append puts ',' before a line unless the buffer is empty */
    if (pl_append(&p->seg, pl) < 0) return -ENOMEM;
    if (at == p->n) {
        if (p->n == p->cap) {
            size_t c = p->cap ? p->cap * 2 : 16;
            void *v = realloc(p->e, c * sizeof *p->e);
            if (!v) return -ENOMEM;
            p->e = v;
            p->cap = c;
        }
        p->n++;
    }
    /* a leading ',' (not the buffer's first line) is not part of the line */
    if (off && p->seg.p[off] == ',') off++;
    p->e[at].number = pl->number;
    p->e[at].off = off;
    p->e[at].len = p->seg.len - off;
    return 0;
}

static size_t find(const claims__pack *p, int64_t number)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].number == number) return i;
    return p->n;
}

int claims__pack_add(claims__pack *p, const claim_line_rec *l, int replace)
{
    size_t at = find(p, l->claim_line_number);
    if (at < p->n && !replace) return -EEXIST;
    if (at == p->n && p->n >= CLAIMS__MAX_LINES) return -E2BIG;
    pl_line pl;
    to_pl(l, &pl);
    return put(p, &pl, at);
}

static int cmp_ent(const void *a, const void *b)
{
    int64_t x = ((const struct claims__pent *)a)->number, y = ((const struct claims__pent *)b)->number;
    return (x > y) - (x < y);
}

const char *claims__pack_text(claims__pack *p, size_t *len)
{
    int sorted = 1;
    for (size_t i = 1; i < p->n && sorted; i++) sorted = p->e[i - 1].number < p->e[i].number;
    if (!sorted) qsort(p->e, p->n, sizeof *p->e, cmp_ent);
    size_t need = 3 + p->n;
    for (size_t i = 0; i < p->n; i++) need += p->e[i].len;
    if (need > p->out.cap) {
        char *v = realloc(p->out.p, need);
        if (!v) return NULL;
        p->out.p = v;
        p->out.cap = need;
    }
    char *o = p->out.p;
    size_t k = 0;
    o[k++] = '[';
    for (size_t i = 0; i < p->n; i++) {
        if (i) o[k++] = ',';
        /* an entry is its line's "[...]" (put skips the separator) */
        memcpy(o + k, p->seg.p + p->e[i].off, p->e[i].len);
        k += p->e[i].len;
    }
    o[k++] = ']';
    o[k] = '\0';
    p->out.len = k;
    if (len) *len = k;
    return o;
}

int claims__pack_parse(claims__pack *p, const char *text, size_t len, char *err, size_t errlen)
{
    claims__pack_reset(p);
    pl_reader r = {0};
    pl_reader_init(&r, text, len);
    pl_line pl;
    int k;
    while ((k = pl_next(&r, &pl)) == 1) {
        size_t at = find(p, pl.number);
        if ((k = put(p, &pl, at)) < 0) break;
    }
    if (k == -1) snprintf(err, errlen, "claims.lines: not packed lines: %s", r.err);
    else if (k < 0) snprintf(err, errlen, "out of memory");
    pl_reader_free(&r);
    return k < 0 ? (k == -1 ? -EIO : k) : 0;
}
