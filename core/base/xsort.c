/*
 * xsort.c: records sorted in bounded memory (xsort.h).
 *
 * In memory: the records in chunks (each record 8-aligned where it lies, so it never
 * moves), an index entry per record (its place, length and number in the run). A run
 * on disk: each record as a u32 length and its bytes, one after the other; runs follow
 * one another in one unnamed file. Reading: a reader per run (a window of the file, the
 * current record copied out aligned) and one for the records still in memory, merged
 * through a binary heap ordered by (record, reader): the readers are in the order the
 * runs were made, the memory's last, so equal records come out in the order put.
 */
#define _GNU_SOURCE /* qsort_r */
#include "xsort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(8) unsigned char data[];
} chunk;

typedef struct entry {
    unsigned char *rec;
    uint32_t len, seq;
} entry;

typedef struct run {
    int64_t at, end;
} run;

typedef struct reader {
    int mem;                 /* the records in memory (entries), else runs[run] */
    size_t idx;              /* mem: the next entry */
    size_t run;
    int64_t pos;             /* disk: where the window's next read starts */
    unsigned char *win;      /* disk: the window, win_len bytes, win_off of them used */
    size_t win_len, win_off, win_cap;
    unsigned char *cur;      /* the current record (mem: in its chunk; disk: copied) */
    size_t cur_len;
    unsigned char *own;      /* disk: the buffer cur copies into */
    size_t own_cap;
    int has;                 /* cur is a record */
} reader;

struct xsort {
    char *what, *dir;
    size_t budget;
    xsort_cmp cmp;
    xsort_fix fix;
    void *ud;
    int fd;
    int reading;
    chunk *chunks;           /* newest first */
    size_t mem_bytes;        /* the records' bytes and their entries in memory */
    entry *ents;
    size_t n_ents, cap_ents;
    run *runs;
    size_t n_runs, cap_runs;
    int64_t file_end;
    size_t count;
    reader *rd;
    size_t n_rd;
    size_t *heap;            /* readers with a record, by (record, reader) */
    size_t n_heap;
    size_t seq_at;           /* cmp NULL: the reader read now */
    int last;                /* the reader whose record was returned last (-1: none) */
    unsigned char *wbuf;     /* a run being written */
    size_t wlen;
};

enum { CHUNK = 256 * 1024, WRITE_BUF = 256 * 1024, WIN_MIN = 4096, WIN_MAX = 1 << 20 };

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

int xsort_open(xsort **out, const char *dir, const char *what, size_t budget, xsort_cmp cmp,
               xsort_fix fix, void *ud, char *err, size_t errlen)
{
    *out = NULL;
    xsort *s = calloc(1, sizeof *s);
    if (!s) return util_fail(err, errlen, -ENOMEM, "out of memory");
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    s->what = strdup(what ? what : "records");
    s->dir = strdup(dir);
    s->fd = -1;
    s->last = -1;
    s->budget = budget < XSORT_BUDGET_MIN ? XSORT_BUDGET_MIN : budget;
    s->cmp = cmp;
    s->fix = fix;
    s->ud = ud;
    if (!s->what || !s->dir) {
        xsort_close(s);
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

static void free_chunks(xsort *s)
{
    for (chunk *c = s->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    s->chunks = NULL;
}

void xsort_close(xsort *s)
{
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    free_chunks(s);
    for (size_t i = 0; i < s->n_rd; i++) {
        free(s->rd[i].win);
        free(s->rd[i].own);
    }
    free(s->rd);
    free(s->heap);
    free(s->ents);
    free(s->runs);
    free(s->wbuf);
    free(s->what);
    free(s->dir);
    free(s);
}

int xsort_reading(const xsort *s) { return s->reading; }
size_t xsort_count(const xsort *s) { return s->count; }
size_t xsort_runs(const xsort *s) { return s->n_runs; }
int64_t xsort_disk_bytes(const xsort *s) { return s->file_end; }

/* ---- runs --------------------------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b, void *ud)
{
    const xsort *s = ud;
    const entry *x = a, *y = b;
    int c = s->cmp(x->rec, y->rec, s->ud);
    if (c) return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int io_fail(xsort *s, int e, const char *doing, char *err, size_t errlen)
{
    return util_fail(err, errlen, e ? -e : -EIO, "%s: the temporary file in %s: %s: %s",
                     s->what, s->dir, doing, e ? strerror(e) : "short");
}

static int wflush(xsort *s, char *err, size_t errlen)
{
    size_t off = 0;
    while (off < s->wlen) {
        ssize_t w = pwrite(s->fd, s->wbuf + off, s->wlen - off, (off_t)s->file_end);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return io_fail(s, w < 0 ? errno : ENOSPC, "cannot write", err, errlen);
        off += (size_t)w;
        s->file_end += w;
    }
    s->wlen = 0;
    return 0;
}

static int wput(xsort *s, const void *p, size_t n, char *err, size_t errlen)
{
    const unsigned char *b = p;
    while (n) {
        if (s->wlen == WRITE_BUF) {
            int rc = wflush(s, err, errlen);
            if (rc < 0) return rc;
        }
        size_t k = WRITE_BUF - s->wlen < n ? WRITE_BUF - s->wlen : n;
        memcpy(s->wbuf + s->wlen, b, k);
        s->wlen += k;
        b += k;
        n -= k;
    }
    return 0;
}

/* The records in memory sorted (when there is an order), in place. */
static void sort_memory(xsort *s)
{
    if (s->cmp && s->n_ents > 1) qsort_r(s->ents, s->n_ents, sizeof *s->ents, cmp_entry, s);
}

/* The records in memory sorted and written as a run; memory is empty again. */
static int write_run(xsort *s, char *err, size_t errlen)
{
    if (s->fd < 0) {
        s->fd = fs_unnamed(s->dir);
        if (s->fd < 0) return io_fail(s, errno, "cannot create it", err, errlen);
    }
    if (!s->wbuf && !(s->wbuf = malloc(WRITE_BUF)))
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    if (s->n_runs == s->cap_runs) {
        size_t cap = s->cap_runs ? 2 * s->cap_runs : 16;
        run *v = realloc(s->runs, cap * sizeof *v);
        if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
        s->runs = v;
        s->cap_runs = cap;
    }
    sort_memory(s);
    int64_t at = s->file_end;
    int rc = 0;
    for (size_t i = 0; i < s->n_ents && rc == 0; i++) {
        uint32_t len = s->ents[i].len;
        rc = wput(s, &len, sizeof len, err, errlen);
        if (rc == 0) rc = wput(s, s->ents[i].rec, len, err, errlen);
    }
    if (rc == 0) rc = wflush(s, err, errlen);
    if (rc < 0) return rc;
    s->runs[s->n_runs++] = (run){at, s->file_end};
    free_chunks(s);
    s->n_ents = 0;
    s->mem_bytes = 0;
    return 0;
}

int xsort_put(xsort *s, const void *rec, size_t len, char *err, size_t errlen)
{
    if (s->reading)
        return util_fail(err, errlen, -EINVAL, "%s: a record put after the reads began", s->what);
    if (len == 0 || len > XSORT_RECORD_MAX)
        return util_fail(err, errlen, -EINVAL, "%s: a record of %zu bytes (1 to %u)", s->what,
                         len, XSORT_RECORD_MAX);
    size_t need = align8(len);
    if (s->n_ents && s->mem_bytes + need + sizeof(entry) > s->budget) {
        int rc = write_run(s, err, errlen);
        if (rc < 0) return rc;
    }
    chunk *c = s->chunks;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > CHUNK ? need : CHUNK;
        if (cap > need && cap > s->budget) cap = need > s->budget ? need : align8(s->budget);
        if (!(c = malloc(sizeof *c + cap))) return util_fail(err, errlen, -ENOMEM, "out of memory");
        c->next = s->chunks;
        c->used = 0;
        c->cap = cap;
        s->chunks = c;
    }
    if (s->n_ents == s->cap_ents) {
        size_t cap = s->cap_ents ? 2 * s->cap_ents : 256;
        entry *v = realloc(s->ents, cap * sizeof *v);
        if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
        s->ents = v;
        s->cap_ents = cap;
    }
    unsigned char *p = c->data + c->used;
    c->used += need;
    memcpy(p, rec, len);
    if (s->fix) s->fix(p, len, s->ud);
    s->ents[s->n_ents] = (entry){p, (uint32_t)len, (uint32_t)s->n_ents};
    s->n_ents++;
    s->mem_bytes += need + sizeof(entry);
    s->count++;
    return 0;
}

/* ---- reading ------------------------------------------------------------------------ */

/* n bytes of reader r's run into dst: 1, 0 at the run's end (nothing read), or <0. */
static int rd_bytes(xsort *s, reader *r, void *dst, size_t n, char *err, size_t errlen)
{
    unsigned char *d = dst;
    int any = 0;
    while (n) {
        if (r->win_off == r->win_len) {
            int64_t end = s->runs[r->run].end;
            if (r->pos >= end) return any ? io_fail(s, 0, "reading a run", err, errlen) : 0;
            size_t want = (size_t)(end - r->pos) < r->win_cap ? (size_t)(end - r->pos) : r->win_cap;
            ssize_t got = pread(s->fd, r->win, want, (off_t)r->pos);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) return io_fail(s, got < 0 ? errno : 0, "reading a run", err, errlen);
            r->pos += got;
            r->win_len = (size_t)got;
            r->win_off = 0;
        }
        size_t k = r->win_len - r->win_off < n ? r->win_len - r->win_off : n;
        memcpy(d, r->win + r->win_off, k);
        r->win_off += k;
        d += k;
        n -= k;
        any = 1;
    }
    return 1;
}

/* Reader r's next record into r->cur (r->has 0 past its last). 0 or <0. */
static int rd_advance(xsort *s, reader *r, char *err, size_t errlen)
{
    r->has = 0;
    if (r->mem) {
        if (r->idx >= s->n_ents) return 0;
        r->cur = s->ents[r->idx].rec;
        r->cur_len = s->ents[r->idx].len;
        r->idx++;
        r->has = 1;
        return 0;
    }
    uint32_t len;
    int rc = rd_bytes(s, r, &len, sizeof len, err, errlen);
    if (rc <= 0) return rc;
    if (len == 0 || len > XSORT_RECORD_MAX) return io_fail(s, 0, "a damaged run", err, errlen);
    if (len > r->own_cap) {
        size_t cap = align8(len);
        unsigned char *p = malloc(cap);
        if (!p) return util_fail(err, errlen, -ENOMEM, "out of memory");
        free(r->own);
        r->own = p;
        r->own_cap = cap;
    }
    rc = rd_bytes(s, r, r->own, len, err, errlen);
    if (rc == 0) rc = io_fail(s, 0, "reading a run", err, errlen);
    if (rc < 0) return rc;
    if (s->fix) s->fix(r->own, len, s->ud);
    r->cur = r->own;
    r->cur_len = len;
    r->has = 1;
    return 0;
}

/* a before b in the heap: by record, then by reader (the order records were put) */
static int before(const xsort *s, size_t a, size_t b)
{
    int c = s->cmp(s->rd[a].cur, s->rd[b].cur, s->ud);
    return c < 0 || (c == 0 && a < b);
}

static void sift_down(xsort *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->n_heap && before(s, s->heap[l], s->heap[m])) m = l;
        if (r < s->n_heap && before(s, s->heap[r], s->heap[m])) m = r;
        if (m == i) return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Every reader at its first record; the heap built. */
static int prime(xsort *s, char *err, size_t errlen)
{
    s->n_heap = 0;
    s->seq_at = 0;
    s->last = -1;
    for (size_t i = 0; i < s->n_rd; i++) {
        reader *r = &s->rd[i];
        if (r->mem) r->idx = 0;
        else {
            r->pos = s->runs[r->run].at;
            r->win_len = r->win_off = 0;
        }
        int rc = rd_advance(s, r, err, errlen);
        if (rc < 0) return rc;
        if (r->has) s->heap[s->n_heap++] = i;
    }
    if (s->cmp)
        for (size_t i = s->n_heap / 2; i-- > 0;) sift_down(s, i);
    return 0;
}

static int start(xsort *s, char *err, size_t errlen)
{
    s->reading = 1;
    sort_memory(s);
    size_t n = s->n_runs + (s->n_ents ? 1 : 0);
    s->rd = calloc(n ? n : 1, sizeof *s->rd);
    s->heap = calloc(n ? n : 1, sizeof *s->heap);
    if (!s->rd || !s->heap) return util_fail(err, errlen, -ENOMEM, "out of memory");
    size_t win = s->budget / (s->n_runs + 1);
    win = win < WIN_MIN ? WIN_MIN : win > WIN_MAX ? WIN_MAX : win;
    for (size_t i = 0; i < s->n_runs; i++) {
        s->rd[i].run = i;
        if (!(s->rd[i].win = malloc(win))) return util_fail(err, errlen, -ENOMEM, "out of memory");
        s->rd[i].win_cap = win;
    }
    if (s->n_ents) s->rd[s->n_runs].mem = 1;
    s->n_rd = n;
    return prime(s, err, errlen);
}

int xsort_rewind(xsort *s, char *err, size_t errlen)
{
    if (!s->reading) return start(s, err, errlen);
    return prime(s, err, errlen);
}

int xsort_next(xsort *s, const void **rec, size_t *len, char *err, size_t errlen)
{
    int rc = s->reading ? 0 : start(s, err, errlen);
    if (rc < 0) return rc;
    if (s->last >= 0) { /* the record returned last: its reader moves on */
        reader *r = &s->rd[s->last];
        rc = rd_advance(s, r, err, errlen);
        if (rc < 0) return rc;
        if (s->cmp) {
            if (!r->has) s->heap[0] = s->heap[--s->n_heap];
            if (s->n_heap) sift_down(s, 0);
        } else if (!r->has) {
            s->seq_at++;
        }
        s->last = -1;
    }
    size_t at;
    if (s->cmp) {
        if (!s->n_heap) return 0;
        at = s->heap[0];
    } else {
        while (s->seq_at < s->n_rd && !s->rd[s->seq_at].has) s->seq_at++;
        if (s->seq_at >= s->n_rd) return 0;
        at = s->seq_at;
    }
    s->last = (int)at;
    *rec = s->rd[at].cur;
    *len = s->rd[at].cur_len;
    return 1;
}
