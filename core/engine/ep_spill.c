/*
 * ep_spill.c: a run's episode records on disk (see ep_spill.h).
 *
 * A record: a u32 length, then the ep_rec's bytes, its five strings, the number of its
 * leakage rows and each row (lines, paid cents, three strings). A string is a u32 (0:
 * NULL, else its length with the NUL) and its bytes with the NUL.
 */
#include "ep_spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine_internal.h"

struct ep_spill {
    FILE *f;
    char *dir;             /* owned: for messages */
    int reading;
    size_t count;          /* records put */
    int64_t bytes;
    unsigned char *buf;    /* owned: the record being built */
    size_t len, cap;
    unsigned char *win;    /* owned: the window read, win_len bytes of the file from win_at */
    size_t win_len, win_cap;
    int64_t win_at;
    size_t win_hits;       /* records the window has served since it was read */
    leak_rec *leaks;       /* owned array: the last record's rows (strings in buf) */
    size_t cap_leaks;
};

/* ---- the file --------------------------------------------------------------------------- */

const char *ep_spill_default_dir(const char *dir)
{
    if (dir && *dir) return dir;
    dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

int ep_spill_unnamed(const char *dir, const char *what, FILE **out, char *err, size_t errlen)
{
    *out = NULL;
    dir = ep_spill_default_dir(dir);
    int fd = fs_unnamed(dir);
    if (fd < 0) {
        int e = errno;
        return util_fail(err, errlen, -e, "a run keeps %s in a temporary file in %s: cannot "
                         "create it: %s", what, dir, strerror(e));
    }
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        int e = errno;
        close(fd);
        return util_fail(err, errlen, -e, "%s: %s", dir, strerror(e));
    }
    *out = f;
    return 0;
}

int ep_spill_open(ep_spill **out, const char *dir, char *err, size_t errlen)
{
    *out = NULL;
    dir = ep_spill_default_dir(dir);
    ep_spill *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    int rc = ep_spill_unnamed(dir, "its episodes", &s->f, err, errlen);
    if (rc < 0) {
        ep_spill_close(s);
        return rc;
    }
    setvbuf(s->f, NULL, _IOFBF, 1 << 20);
    *out = s;
    return 0;
}

void ep_spill_close(ep_spill *s)
{
    if (!s) return;
    if (s->f) fclose(s->f);
    free(s->dir);
    free(s->buf);
    free(s->win);
    free(s->leaks);
    free(s);
}

size_t ep_spill_count(const ep_spill *s) { return s->count; }
int64_t ep_spill_bytes(const ep_spill *s) { return s->bytes; }

char *ep_spill_dir_of(const char *path, int *oom)
{
    *oom = 0;
    if (!path || !*path || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5)) return NULL;
    const char *slash = strrchr(path, '/');
    char *d = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!d) *oom = 1;
    return d;
}

/* ---- writing ---------------------------------------------------------------------------- */

static int reserve(ep_spill *s, size_t more)
{
    if (s->len + more <= s->cap) return 0;
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < s->len + more) cap *= 2;
    unsigned char *b = realloc(s->buf, cap);
    if (!b) return -ENOMEM;
    s->buf = b;
    s->cap = cap;
    return 0;
}

static int put_bytes(ep_spill *s, const void *p, size_t n)
{
    if (reserve(s, n) < 0) return -ENOMEM;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

static int put_u32(ep_spill *s, uint32_t v) { return put_bytes(s, &v, sizeof v); }

static int put_str(ep_spill *s, const char *v)
{
    size_t n = v ? strlen(v) + 1 : 0;
    if (n > UINT32_MAX) return -E2BIG;
    int rc = put_u32(s, (uint32_t)n);
    return rc == 0 && n ? put_bytes(s, v, n) : rc;
}

int ep_spill_put(ep_spill *s, const ep_rec *r, const leak_rec *leaks, size_t n, int64_t *at,
                 char *err, size_t errlen)
{
    if (s->reading)
        return util_fail(err, errlen, -EINVAL, "%s: the run's episode file is being read",
                         s->dir);
    s->len = 0;
    int rc = put_u32(s, 0); /* the length, set below */
    if (rc == 0) rc = put_bytes(s, r, sizeof *r);
    if (rc == 0) rc = put_str(s, r->episode_id);
    if (rc == 0) rc = put_str(s, r->person_id);
    if (rc == 0) rc = put_str(s, r->aco_id);
    if (rc == 0) rc = put_str(s, r->exclusion);
    if (rc == 0) rc = put_str(s, r->trigger_claim);
    if (rc == 0) rc = n <= UINT32_MAX ? put_u32(s, (uint32_t)n) : -E2BIG;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = put_bytes(s, &leaks[i].lines, sizeof leaks[i].lines);
        if (rc == 0) rc = put_bytes(s, &leaks[i].paid, sizeof leaks[i].paid);
        if (rc == 0) rc = put_str(s, leaks[i].aco_id);
        if (rc == 0) rc = put_str(s, leaks[i].npi);
        if (rc == 0) rc = put_str(s, leaks[i].tin);
    }
    if (rc == 0 && s->len - 4 > UINT32_MAX) rc = -E2BIG;
    if (rc < 0)
        return util_fail(err, errlen, rc, "episode %s: %s", r->episode_id ? r->episode_id : "?",
                         rc == -ENOMEM ? "out of memory" : "its record is too large");
    uint32_t len = (uint32_t)(s->len - 4);
    memcpy(s->buf, &len, sizeof len);
    errno = 0;
    if (fwrite(s->buf, 1, s->len, s->f) != s->len) {
        int e = errno ? errno : EIO;
        return util_fail(err, errlen, -e, "writing the run's episodes to a temporary file in "
                         "%s: %s", s->dir, strerror(e));
    }
    if (at) *at = s->bytes;
    s->count++;
    s->bytes += (int64_t)s->len;
    return 0;
}

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct cursor {
    unsigned char *p, *end;
    int bad;
} cursor;

static void take(cursor *c, void *out, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        memset(out, 0, n);
        return;
    }
    memcpy(out, c->p, n);
    c->p += n;
}

static char *take_str(cursor *c)
{
    uint32_t n = 0;
    take(c, &n, sizeof n);
    if (c->bad || n == 0) return NULL;
    if ((size_t)(c->end - c->p) < n || c->p[n - 1] != '\0') {
        c->bad = 1;
        return NULL;
    }
    char *v = (char *)c->p;
    c->p += n;
    return v;
}

static int damaged(ep_spill *s, int64_t at, char *err, size_t errlen)
{
    return util_fail(err, errlen, -EIO, "reading the run's episodes back from a temporary file "
                     "in %s: the record at byte %lld of %lld is short or damaged", s->dir,
                     (long long)at, (long long)s->bytes);
}

/* The window read: this size after a window that served several records (reads that
 * follow the records' order, as a template's episodes do), the small one after one that
 * served one or two (a sparse template's: a read per record); a record larger is read
 * whole. */
#define SPILL_WINDOW (256 * 1024)
#define SPILL_WINDOW_SMALL (16 * 1024)

/* Make [at, at + len) of the file lie in the window; its first byte into *p. */
static int window(ep_spill *s, int64_t at, size_t len, unsigned char **p)
{
    if (at >= s->win_at && at + (int64_t)len <= s->win_at + (int64_t)s->win_len) {
        *p = s->win + (at - s->win_at);
        s->win_hits++;
        return 0;
    }
    if (at < 0 || at + (int64_t)len > s->bytes) return -EIO;
    size_t size = s->win_len && s->win_hits < 3 ? SPILL_WINDOW_SMALL : SPILL_WINDOW;
    size_t want = len > size ? len : size;
    s->win_hits = 0;
    if ((int64_t)want > s->bytes - at) want = (size_t)(s->bytes - at);
    if (want > s->win_cap) {
        unsigned char *w = realloc(s->win, want);
        if (!w) return -ENOMEM;
        s->win = w;
        s->win_cap = want;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t k = pread(fileno(s->f), s->win + got, want - got, (off_t)(at + (int64_t)got));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            s->win_len = 0;
            return -EIO;
        }
        got += (size_t)k;
    }
    s->win_at = at;
    s->win_len = got;
    *p = s->win;
    return 0;
}

int ep_spill_read(ep_spill *s, int64_t at, ep_rec *r, leak_rec **leaks, size_t *n, char *err,
                  size_t errlen)
{
    *leaks = NULL;
    *n = 0;
    if (!s->reading) {
        s->reading = 1;
        s->win_len = 0;
        errno = 0;
        if (fflush(s->f) != 0) {
            int e = errno ? errno : EIO;
            return util_fail(err, errlen, -e, "writing the run's episodes to a temporary file "
                             "in %s: %s", s->dir, strerror(e));
        }
    }
    unsigned char *p;
    uint32_t len = 0;
    int rc = window(s, at, sizeof len, &p);
    if (rc == 0) {
        memcpy(&len, p, sizeof len);
        rc = window(s, at, sizeof len + len, &p);
    }
    if (rc == -ENOMEM) return util_fail(err, errlen, -ENOMEM, "out of memory");
    if (rc < 0) return damaged(s, at, err, errlen);
    cursor c = {p + sizeof len, p + sizeof len + len, 0};
    take(&c, r, sizeof *r);
    r->episode_id = take_str(&c);
    r->person_id = take_str(&c);
    r->aco_id = take_str(&c);
    r->exclusion = take_str(&c);
    r->trigger_claim = take_str(&c);
    r->tmpl = NULL;
    r->arr = NULL;
    r->status = r->carried_status = NULL;
    uint32_t k = 0;
    take(&c, &k, sizeof k);
    if (!c.bad && k > (size_t)(c.end - c.p) / 19) c.bad = 1; /* a row takes 19 bytes at least */
    if (!c.bad && k > s->cap_leaks) {
        leak_rec *v = realloc(s->leaks, k * sizeof *v);
        if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
        s->leaks = v;
        s->cap_leaks = k;
    }
    for (uint32_t i = 0; i < k && !c.bad; i++) {
        leak_rec *l = &s->leaks[i];
        l->episode_id = r->episode_id;
        take(&c, &l->lines, sizeof l->lines);
        take(&c, &l->paid, sizeof l->paid);
        l->aco_id = take_str(&c);
        l->npi = take_str(&c);
        l->tin = take_str(&c);
        if (!l->npi || !l->tin) c.bad = 1;
    }
    if (c.bad || c.p != c.end || !r->episode_id || !r->person_id) return damaged(s, at, err, errlen);
    *leaks = s->leaks;
    *n = k;
    return 0;
}
