/*
 * cclf_stage_mem.c: see cclf_stage_mem.h.
 *
 * Records live in one array in the order put; a record's claim and file are a group
 * (one per distinct (file, cur_id)), found through an open-addressing hash table, and a
 * group chains its records in the order put. The bad claims are a second table of ids.
 * A list is an array of record indexes built when its scan starts and sorted there by a
 * stable merge sort on the list's ORDER BY (so rows the SQL would tie keep the order
 * they were put, as SQLite's rowid order does).
 */
#include "cclf_stage_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { ID_SIZE = CCLF_MEM_ID_MAX + 1 };
#define NONE UINT32_MAX
/* Entries of a list: a record index, its orphan flag in the top bit (COLLATERAL); so at
 * most ORPHAN - 1 records. */
#define ORPHAN 0x80000000u
#define REC(e) ((e) & ~ORPHAN)

/* 24 bytes: a delivery's place of a record fits (a file index below 2^16, a record
 * number below 2^32, a length below 2^16); one that does not is refused as an id the
 * index does not hold (cclf_mem_put: -E2BIG). */
typedef struct mrec {
    uint64_t off;
    uint32_t recno;
    uint32_t grp;  /* its group */
    uint32_t next; /* the group's next record, NONE at the end */
    uint16_t len;
    uint16_t fidx;
} mrec;

typedef struct mgrp {
    char id[ID_SIZE];
    char file;
    uint32_t first, last;
} mgrp;

/* An open-addressing table of uint32 slots (0 empty, else an index + 1); size a power
 * of two, at most half full. */
typedef struct slots {
    uint32_t *v;
    size_t size, used;
} slots;

typedef struct miter {
    uint32_t *idx;
    size_t n, pos, cap;
    int on;
} miter;

struct cclf_mem {
    mrec *rec;
    size_t nrec, rcap;
    mgrp *grp;
    size_t ngrp, gcap;
    slots gtab;
    char (*bad)[ID_SIZE];
    size_t nbad, bcap;
    slots btab;
    miter it[CCLF_STAGE_LISTS];
};

/* FNV-1a over the file byte (0 for the bad set) and the id. */
static uint32_t hash(char file, const char *id, size_t n)
{
    uint32_t h = 2166136261u ^ (unsigned char)file;
    h *= 16777619u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)id[i];
        h *= 16777619u;
    }
    return h;
}

/* An id the index holds: at most CCLF_MEM_ID_MAX bytes, no NUL among them. */
static int id_ok(const char *id, size_t n)
{
    return n <= CCLF_MEM_ID_MAX && !memchr(id, 0, n);
}

/* Grow array *v of *cap elements of size sz to hold need; 0 or -ENOMEM (unchanged). */
static int grow(void **v, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    if (c > SIZE_MAX / sz) return -ENOMEM;
    void *p = realloc(*v, c * sz);
    if (!p) return -ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

cclf_mem *cclf_mem_new(void)
{
    return calloc(1, sizeof(cclf_mem));
}

void cclf_mem_free(cclf_mem *m)
{
    if (!m) return;
    free(m->rec);
    free(m->grp);
    free(m->gtab.v);
    free(m->bad);
    free(m->btab.v);
    for (int i = 0; i < CCLF_STAGE_LISTS; i++) free(m->it[i].idx);
    free(m);
}

/* ---- the hash tables ---------------------------------------------------------------- */

typedef const char *(*key_of)(const cclf_mem *m, uint32_t i, char *file);

static const char *grp_key(const cclf_mem *m, uint32_t i, char *file)
{
    *file = m->grp[i].file;
    return m->grp[i].id;
}

static const char *bad_key(const cclf_mem *m, uint32_t i, char *file)
{
    *file = 0;
    return m->bad[i];
}

/* The slot of (file, id/n) in t: the slot holding it, or the empty one it would take. */
static uint32_t *slot_of(const cclf_mem *m, const slots *t, key_of key, char file,
                         const char *id, size_t n)
{
    size_t mask = t->size - 1, i = hash(file, id, n) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t *s = &t->v[i];
        if (!*s) return s;
        char f;
        const char *k = key(m, *s - 1, &f);
        if (f == file && !strncmp(k, id, n) && k[n] == '\0') return s;
    }
}

/* Make room in t for one more entry (rehashing into a table twice the size when it
 * would be more than half full). 0 or -ENOMEM (t unchanged). */
static int slots_reserve(cclf_mem *m, slots *t, key_of key)
{
    if (t->size && (t->used + 1) * 2 <= t->size) return 0;
    size_t size = t->size ? t->size * 2 : 1024;
    slots n = {.v = calloc(size, sizeof(uint32_t)), .size = size, .used = t->used};
    if (!n.v) return -ENOMEM;
    for (size_t i = 0; i < t->size; i++)
        if (t->v[i]) {
            char f;
            const char *k = key(m, t->v[i] - 1, &f);
            *slot_of(m, &n, key, f, k, strlen(k)) = t->v[i];
        }
    free(t->v);
    *t = n;
    return 0;
}

/* The group of (file, id/n), or NONE. */
static uint32_t find_grp(const cclf_mem *m, char file, const char *id, size_t n)
{
    if (!m->gtab.size || !id_ok(id, n)) return NONE;
    uint32_t s = *slot_of(m, &m->gtab, grp_key, file, id, n);
    return s ? s - 1 : NONE;
}

static int is_bad(const cclf_mem *m, const char *id)
{
    return m->btab.size && *slot_of(m, &m->btab, bad_key, 0, id, strlen(id));
}

/* ---- writes ----------------------------------------------------------------------------- */

int cclf_mem_put(cclf_mem *m, char file, const char *cur_id, int64_t fidx, int64_t recno,
                 int64_t off, size_t len)
{
    size_t n = strlen(cur_id);
    if (!id_ok(cur_id, n) || len > UINT16_MAX || fidx < 0 || fidx > UINT16_MAX || recno < 0 ||
        recno > UINT32_MAX || off < 0)
        return -E2BIG;
    if (m->nrec >= ORPHAN - 1) return -ENOMEM; /* groups: at most one a record */
    if (grow((void **)&m->rec, &m->rcap, m->nrec + 1, sizeof *m->rec) < 0 ||
        grow((void **)&m->grp, &m->gcap, m->ngrp + 1, sizeof *m->grp) < 0 ||
        slots_reserve(m, &m->gtab, grp_key) < 0)
        return -ENOMEM;
    uint32_t *s = slot_of(m, &m->gtab, grp_key, file, cur_id, n);
    uint32_t r = (uint32_t)m->nrec, g;
    if (*s) {
        g = *s - 1;
        m->rec[m->grp[g].last].next = r;
        m->grp[g].last = r;
    } else {
        g = (uint32_t)m->ngrp++;
        mgrp *gp = &m->grp[g];
        memcpy(gp->id, cur_id, n + 1);
        gp->file = file;
        gp->first = gp->last = r;
        *s = g + 1;
        m->gtab.used++;
    }
    m->rec[m->nrec++] = (mrec){.off = (uint64_t)off, .recno = (uint32_t)recno, .grp = g,
                               .next = NONE, .len = (uint16_t)len, .fidx = (uint16_t)fidx};
    return 0;
}

int cclf_mem_mark_bad(cclf_mem *m, const char *cur_id, size_t len)
{
    if (!id_ok(cur_id, len)) return -E2BIG;
    if (m->btab.size && *slot_of(m, &m->btab, bad_key, 0, cur_id, len)) return 0;
    if (m->nbad >= ORPHAN - 1 || grow((void **)&m->bad, &m->bcap, m->nbad + 1, ID_SIZE) < 0 ||
        slots_reserve(m, &m->btab, bad_key) < 0)
        return -ENOMEM;
    uint32_t *s = slot_of(m, &m->btab, bad_key, 0, cur_id, len);
    memcpy(m->bad[m->nbad], cur_id, len);
    m->bad[m->nbad][len] = '\0';
    *s = (uint32_t)++m->nbad;
    m->btab.used++;
    return 0;
}

size_t cclf_mem_size(const cclf_mem *m)
{
    return m->nrec + m->nbad;
}

size_t cclf_mem_records(const cclf_mem *m)
{
    return m->nrec;
}

static void row_of(const cclf_mem *m, uint32_t i, int orphan, cclf_stage_row *row)
{
    const mrec *r = &m->rec[i];
    const mgrp *g = &m->grp[r->grp];
    *row = (cclf_stage_row){.file = g->file, .cur_id = g->id, .fidx = r->fidx,
                            .recno = r->recno, .off = (int64_t)r->off, .len = r->len,
                            .orphan = orphan};
}

void cclf_mem_record(const cclf_mem *m, size_t i, cclf_stage_row *row)
{
    row_of(m, (uint32_t)i, 0, row);
}

size_t cclf_mem_bad_count(const cclf_mem *m)
{
    return m->nbad;
}

const char *cclf_mem_bad(const cclf_mem *m, size_t i)
{
    return m->bad[i];
}

/* ---- lists ---------------------------------------------------------------------------- */

/* <0, 0, >0 as record a orders before, with or after b by fidx, recno. */
static int by_place(const cclf_mem *m, uint32_t a, uint32_t b)
{
    const mrec *x = &m->rec[REC(a)], *y = &m->rec[REC(b)];
    if (x->fidx != y->fidx) return x->fidx < y->fidx ? -1 : 1;
    if (x->recno != y->recno) return x->recno < y->recno ? -1 : 1;
    return 0;
}

/* By file, cur_id (bytes, as SQLite's BINARY collation), fidx, recno. */
static int by_claim(const cclf_mem *m, uint32_t a, uint32_t b)
{
    const mgrp *x = &m->grp[m->rec[a].grp], *y = &m->grp[m->rec[b].grp];
    if (x != y) {
        if (x->file != y->file) return (unsigned char)x->file < (unsigned char)y->file ? -1 : 1;
        int c = strcmp(x->id, y->id);
        if (c) return c;
    }
    return by_place(m, a, b);
}

typedef int (*cmp_fn)(const cclf_mem *m, uint32_t a, uint32_t b);

/* Sort v[0..n) stably by cmp (bottom-up merge sort; already sorted input costs one
 * pass). 0 or -ENOMEM (v unchanged). */
static int sort_stable(const cclf_mem *m, uint32_t *v, size_t n, cmp_fn cmp)
{
    size_t i = 1;
    while (i < n && cmp(m, v[i - 1], v[i]) <= 0) i++;
    if (i >= n) return 0;
    uint32_t *t = malloc(n * sizeof *t), *src = v, *dst = t;
    if (!t) return -ENOMEM;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) dst[k++] = cmp(m, src[b], src[a]) < 0 ? src[b++] : src[a++];
            while (a < mid) dst[k++] = src[a++];
            while (b < hi) dst[k++] = src[b++];
        }
        uint32_t *s = src;
        src = dst;
        dst = s;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(t);
    return 0;
}

static int push(miter *it, uint32_t e)
{
    if (grow((void **)&it->idx, &it->cap, it->n + 1, sizeof *it->idx) < 0) return -ENOMEM;
    it->idx[it->n++] = e;
    return 0;
}

int cclf_mem_scan(cclf_mem *m, cclf_stage_list which, char file, const char *cur_id)
{
    miter *it = &m->it[which];
    it->n = it->pos = 0;
    it->on = 0;
    int rc = 0;
    cmp_fn cmp = by_place;
    if (which == CCLF_STAGE_CLAIM) {
        uint32_t g = find_grp(m, file, cur_id, strlen(cur_id));
        for (uint32_t r = g == NONE ? NONE : m->grp[g].first; r != NONE && !rc; r = m->rec[r].next)
            rc = push(it, r);
    } else {
        for (size_t i = 0; i < m->nrec && !rc; i++) {
            const mgrp *g = &m->grp[m->rec[i].grp];
            int bad = is_bad(m, g->id);
            switch (which) {
            case CCLF_STAGE_PART_A:
                if (g->file == '1' && !bad) rc = push(it, (uint32_t)i);
                break;
            case CCLF_STAGE_PART_B:
                if ((g->file == '5' || g->file == '6') && !bad) rc = push(it, (uint32_t)i);
                break;
            default: /* CCLF_STAGE_COLLATERAL */
                if (bad) rc = push(it, (uint32_t)i);
                else if (g->file >= '2' && g->file <= '4' &&
                         find_grp(m, '1', g->id, strlen(g->id)) == NONE)
                    rc = push(it, (uint32_t)i | ORPHAN);
                break;
            }
        }
        if (which == CCLF_STAGE_PART_B) cmp = by_claim;
    }
    if (!rc) rc = sort_stable(m, it->idx, it->n, cmp);
    if (rc) {
        it->n = 0;
        return rc;
    }
    it->on = 1;
    return 0;
}

int cclf_mem_next(cclf_mem *m, cclf_stage_list which, cclf_stage_row *row)
{
    miter *it = &m->it[which];
    if (!it->on || it->pos >= it->n) {
        it->on = 0;
        return 0;
    }
    uint32_t e = it->idx[it->pos++];
    row_of(m, REC(e), (e & ORPHAN) != 0, row);
    return 1;
}

void cclf_mem_stop(cclf_mem *m, cclf_stage_list which)
{
    m->it[which].on = 0;
    m->it[which].n = m->it[which].pos = 0;
}
