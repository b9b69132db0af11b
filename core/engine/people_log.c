/*
 * people_log.c: see people_log.h.
 *
 * A record on disk: the id's length (uint16), the id's bytes (no NUL), lines and claims
 * (int64), no_elig (one byte), in the machine's byte order (the file lives as long as
 * the process).
 */
#include "people_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "ep_spill.h"

struct people_log {
    FILE *f;
    char *dir;             /* owned: for messages */
    size_t count;
    int64_t bytes;
    int sorted;            /* every id so far after the one before (strcmp) */
    int reading;           /* the adds ended (a merge read it) */
    char *last;            /* owned: the last id added, then the last id read */
    size_t last_cap;
};

enum { REC_FIXED = 2 + 8 + 8 + 1 };

int people_log_open(people_log **out, const char *dir, char *err, size_t errlen)
{
    *out = NULL;
    dir = ep_spill_default_dir(dir);
    people_log *l = calloc(1, sizeof *l);
    if (!l || !(l->dir = strdup(dir))) {
        free(l);
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    l->sorted = 1;
    int rc = ep_spill_unnamed(dir, "its beneficiaries", &l->f, err, errlen);
    if (rc < 0) {
        people_log_close(l);
        return rc;
    }
    setvbuf(l->f, NULL, _IOFBF, 1 << 18);
    *out = l;
    return 0;
}

void people_log_close(people_log *l)
{
    if (!l) return;
    if (l->f) fclose(l->f);
    free(l->dir);
    free(l->last);
    free(l);
}

size_t people_log_count(const people_log *l) { return l->count; }
int64_t people_log_bytes(const people_log *l) { return l->bytes; }

static int keep_last(people_log *l, const char *id, size_t n)
{
    if (n + 1 > l->last_cap) {
        size_t cap = l->last_cap ? l->last_cap : 64;
        while (cap < n + 1) cap *= 2;
        char *v = realloc(l->last, cap);
        if (!v) return -ENOMEM;
        l->last = v;
        l->last_cap = cap;
    }
    memcpy(l->last, id, n);
    l->last[n] = '\0';
    return 0;
}

static int io_fail(const people_log *l, const char *doing, char *err, size_t errlen)
{
    int e = errno ? errno : EIO;
    return util_fail(err, errlen, -e, "%s the run's beneficiaries %s a temporary file in %s: %s",
                     doing, doing[0] == 'w' ? "to" : "from", l->dir, strerror(e));
}

int people_log_add(people_log *l, const person_rec *p, char *err, size_t errlen)
{
    if (l->reading)
        return util_fail(err, errlen, -EINVAL, "a beneficiary added to a log already read");
    size_t n = strlen(p->person_id);
    if (n > PEOPLE_LOG_ID_MAX)
        return util_fail(err, errlen, -E2BIG, "a person id of %zu bytes (at most %d)", n,
                         PEOPLE_LOG_ID_MAX);
    if (l->count && l->sorted && strcmp(l->last, p->person_id) >= 0) l->sorted = 0;
    if (l->sorted && keep_last(l, p->person_id, n) < 0)
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    unsigned char rec[REC_FIXED + PEOPLE_LOG_ID_MAX];
    uint16_t len = (uint16_t)n;
    unsigned char ne = (unsigned char)(p->no_elig != 0);
    memcpy(rec, &len, 2);
    memcpy(rec + 2, p->person_id, n);
    memcpy(rec + 2 + n, &p->lines, 8);
    memcpy(rec + 10 + n, &p->claims, 8);
    rec[18 + n] = ne;
    errno = 0;
    if (fwrite(rec, 1, REC_FIXED + n, l->f) != REC_FIXED + n) return io_fail(l, "writing", err, errlen);
    l->count++;
    l->bytes += (int64_t)(REC_FIXED + n);
    return 0;
}

/* From the start: the adds end here. */
static int log_rewind(people_log *l, char *err, size_t errlen)
{
    errno = 0;
    if (!l->reading && fflush(l->f) != 0) /* the last adds reach the disk: a full one fails here */
        return io_fail(l, "writing", err, errlen);
    l->reading = 1;
    if (fseek(l->f, 0, SEEK_SET) != 0) return io_fail(l, "reading", err, errlen);
    return 0;
}

/* The next record into *p (its id in l->last). 1, 0 at the end, or -EIO. */
static int log_read(people_log *l, person_rec *p, char *err, size_t errlen)
{
    unsigned char head[2];
    errno = 0;
    size_t got = fread(head, 1, 2, l->f);
    if (got == 0 && feof(l->f)) return 0;
    uint16_t len;
    memcpy(&len, head, 2);
    unsigned char rest[PEOPLE_LOG_ID_MAX + REC_FIXED];
    if (got != 2 || len > PEOPLE_LOG_ID_MAX || fread(rest, 1, len + 17u, l->f) != len + 17u) {
        if (ferror(l->f)) return io_fail(l, "reading", err, errlen);
        return util_fail(err, errlen, -EIO, "reading the run's beneficiaries from a temporary "
                         "file in %s: the file is short or damaged", l->dir);
    }
    if (keep_last(l, (const char *)rest, len) < 0)
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    p->person_id = l->last;
    memcpy(&p->lines, rest + len, 8);
    memcpy(&p->claims, rest + len + 8, 8);
    p->no_elig = rest[len + 16] != 0;
    return 1;
}

/* ---- the merge --------------------------------------------------------------------------- */

typedef struct mem_rec {
    size_t id;             /* offset in ids while they are read */
    const char *p;         /* then the id itself, for the sort */
    size_t seq;            /* its place in the logs, for a stable order */
    int64_t lines, claims;
    int no_elig;
} mem_rec;

struct people_merge {
    people_log *const *v;
    size_t n;
    person_rec *cur;       /* each log's current record (ids in the logs) */
    int *has;              /* 1: cur[i] is read and not yet returned */
    size_t taken;          /* the log returned last, to read on (n: none) */
    /* when a log is out of order: every record in memory, sorted */
    int mem;
    mem_rec *all;
    size_t n_all, at;
    char *ids;
};

static int cmp_mem(const void *a, const void *b)
{
    const mem_rec *x = a, *y = b;
    int c = strcmp(x->p, y->p);
    if (c) return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every record of every log into m->all, sorted. */
static int read_all(people_merge *m, char *err, size_t errlen)
{
    size_t cap = 0, ids_len = 0, ids_cap = 0;
    for (size_t i = 0; i < m->n; i++) cap += m->v[i]->count;
    m->all = malloc((cap ? cap : 1) * sizeof *m->all);
    if (!m->all) return util_fail(err, errlen, -ENOMEM, "out of memory");
    for (size_t i = 0; i < m->n; i++) {
        person_rec p;
        int rc;
        while ((rc = log_read(m->v[i], &p, err, errlen)) == 1) {
            size_t k = strlen(p.person_id) + 1;
            if (ids_len + k > ids_cap) {
                size_t nc = ids_cap ? ids_cap : 4096;
                while (nc < ids_len + k) nc *= 2;
                char *v = realloc(m->ids, nc);
                if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
                m->ids = v;
                ids_cap = nc;
            }
            memcpy(m->ids + ids_len, p.person_id, k);
            if (m->n_all == cap) return util_fail(err, errlen, -EIO, "a log holds more "
                                                  "beneficiaries than it counted");
            m->all[m->n_all] = (mem_rec){ids_len, NULL, m->n_all, p.lines, p.claims, p.no_elig};
            m->n_all++;
            ids_len += k;
        }
        if (rc < 0) return rc;
    }
    for (size_t i = 0; i < m->n_all; i++) m->all[i].p = m->ids + m->all[i].id; /* ids stay */
    if (m->n_all > 1) qsort(m->all, m->n_all, sizeof *m->all, cmp_mem);
    return 0;
}

void people_merge_close(people_merge *m)
{
    if (!m) return;
    free(m->cur);
    free(m->has);
    free(m->all);
    free(m->ids);
    free(m);
}

int people_merge_open(people_log *const *v, size_t n, people_merge **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    people_merge *m = calloc(1, sizeof *m);
    if (!m || !(m->cur = calloc(n ? n : 1, sizeof *m->cur)) ||
        !(m->has = calloc(n ? n : 1, sizeof *m->has))) {
        people_merge_close(m);
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    m->v = v;
    m->n = n;
    m->taken = n;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        m->mem |= !v[i]->sorted;
        rc = log_rewind(v[i], err, errlen);
    }
    if (rc == 0 && m->mem) rc = read_all(m, err, errlen);
    for (size_t i = 0; i < n && rc == 0 && !m->mem; i++) {
        rc = log_read(v[i], &m->cur[i], err, errlen);
        m->has[i] = rc == 1;
        if (rc == 1) rc = 0;
    }
    if (rc < 0) {
        people_merge_close(m);
        return rc;
    }
    *out = m;
    return 0;
}

int people_merge_next(people_merge *m, person_rec *p, char *err, size_t errlen)
{
    if (m->mem) {
        if (m->at == m->n_all) return 0;
        const mem_rec *r = &m->all[m->at++];
        *p = (person_rec){r->p, r->lines, r->claims, r->no_elig};
        return 1;
    }
    if (m->taken < m->n) { /* the one returned last: its log reads on */
        int rc = log_read(m->v[m->taken], &m->cur[m->taken], err, errlen);
        if (rc < 0) return rc;
        m->has[m->taken] = rc == 1;
        m->taken = m->n;
    }
    size_t best = m->n;
    for (size_t i = 0; i < m->n; i++) /* few logs: one per shard, and a carry */
        if (m->has[i] && (best == m->n || strcmp(m->cur[i].person_id, m->cur[best].person_id) < 0))
            best = i;
    if (best == m->n) return 0;
    *p = m->cur[best];
    m->taken = best;
    return 1;
}
