/*
 * cclf_part.c: a CCLF delivery's stage in partitions (cclf_part.h).
 */
#include "cclf_part.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A staged record's place, a mark of a bad claim, or a collateral row. */
typedef struct part_row {
    int64_t fidx, recno, off;
    uint32_t len;
    char file;
    char bad;            /* a mark: cur_id's claim is bad */
    char orphan;         /* a collateral row: a line without its header */
    char cur_id[24];     /* NUL-terminated */
} part_row;

/* The bytes all the partitions hold in memory before they write to disk. */
#define PARTS_BUDGET (16u << 20)

size_t part_count(uint64_t most, size_t bound)
{
    if (bound == 0 || most <= bound) return 1;
    uint64_t each = bound - bound / 5;
    if (each == 0) each = 1;
    uint64_t n = (most + each - 1) / each;
    return n > CCLF_PARTS_MAX ? CCLF_PARTS_MAX : (size_t)n;
}

int part_open(size_t n, struct xsort ***out, char *err, size_t errlen)
{
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) return util_fail(err, errlen, -ENOMEM, "out of memory");
    size_t budget = PARTS_BUDGET / (n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        int rc = xsort_open(&(*out)[i], NULL, "a CCLF delivery's staged records", budget,
                            NULL, NULL, NULL, err, errlen);
        if (rc < 0) {
            part_close(*out, n);
            *out = NULL;
            return rc;
        }
    }
    return 0;
}

void part_close(struct xsort **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) xsort_close(v[i]);
    free(v);
}

int part_put(struct xsort **v, size_t n, char file, const char *cur_id, size_t id_len,
             int64_t fidx, int64_t recno, int64_t off, size_t len, int bad, char *err,
             size_t errlen)
{
    part_row r;
    memset(&r, 0, sizeof r);
    if (id_len >= sizeof r.cur_id)
        return util_fail(err, errlen, -E2BIG, "a claim id of %zu characters", id_len);
    memcpy(r.cur_id, cur_id, id_len);
    r.fidx = fidx;
    r.recno = recno;
    r.off = off;
    r.len = (uint32_t)len;
    r.file = file;
    r.bad = (char)(bad != 0);
    return xsort_put(v[util_fnv1a(r.cur_id) % n], &r, sizeof r, err, errlen);
}

int part_stage(struct xsort *part, store *s, size_t bound, cclf_stage **out, char *err,
               size_t errlen)
{
    int rc = cclf_stage_open(s, bound, out, err, errlen);
    if (rc == 0) rc = xsort_rewind(part, err, errlen);
    const void *rec;
    size_t len;
    while (rc == 0 && (rc = xsort_next(part, &rec, &len, err, errlen)) == 1) {
        const part_row *r = rec;
        rc = r->bad ? cclf_stage_mark_bad(*out, r->cur_id, strlen(r->cur_id), err, errlen)
                    : cclf_stage_put(*out, r->file, r->cur_id, r->fidx, r->recno, r->off, r->len,
                                     err, errlen);
    }
    if (rc < 0) {
        cclf_stage_close(*out);
        *out = NULL;
    }
    return rc;
}

static int by_place(const void *a, const void *b, void *ud)
{
    (void)ud;
    const part_row *x = a, *y = b;
    if (x->fidx != y->fidx) return x->fidx < y->fidx ? -1 : 1;
    return (x->recno > y->recno) - (x->recno < y->recno);
}

int part_collateral_open(struct xsort **out, char *err, size_t errlen)
{
    return xsort_open(out, NULL, "a CCLF delivery's rejected records", PARTS_BUDGET, by_place,
                      NULL, NULL, err, errlen);
}

int part_collateral_put(struct xsort *s, const cclf_stage_row *r, char *err, size_t errlen)
{
    part_row p;
    memset(&p, 0, sizeof p);
    size_t n = strlen(r->cur_id);
    if (n >= sizeof p.cur_id) return util_fail(err, errlen, -E2BIG, "a claim id of %zu characters", n);
    memcpy(p.cur_id, r->cur_id, n);
    p.fidx = r->fidx;
    p.recno = r->recno;
    p.off = r->off;
    p.len = (uint32_t)r->len;
    p.file = r->file;
    p.orphan = (char)(r->orphan != 0);
    return xsort_put(s, &p, sizeof p, err, errlen);
}

int part_collateral_next(struct xsort *s, cclf_stage_row *r, char *err, size_t errlen)
{
    const void *rec;
    size_t len;
    int rc = xsort_next(s, &rec, &len, err, errlen);
    if (rc != 1) return rc;
    const part_row *p = rec;
    r->file = p->file;
    r->cur_id = p->cur_id;
    r->fidx = p->fidx;
    r->recno = p->recno;
    r->off = p->off;
    r->len = p->len;
    r->orphan = p->orphan;
    return 1;
}
