/*
 * ep_spill.c: a run's episode records on disk (see ep_spill.h).
 *
 * A record: a u32 length, then the ep_rec's bytes, its five strings, the number of its
 * leakage rows and each row (lines, paid cents, three strings). A string is a u32 (0:
 * NULL, else its length with the NUL) and its bytes with the NUL.
 */
#define _GNU_SOURCE /* O_TMPFILE */
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
    size_t count, got;     /* records put, records read */
    int64_t bytes;
    unsigned char *buf;    /* owned: one record, being built or read */
    size_t len, cap;
    leak_rec *leaks;       /* owned array: the last record's rows (strings in buf) */
    size_t cap_leaks;
};

/* ---- the file --------------------------------------------------------------------------- */

static int open_unnamed(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    char *tmpl = util_path_join(dir, ".cara-run-spill-XXXXXX");
    if (!tmpl) {
        errno = ENOMEM;
        return -1;
    }
    int fd2 = mkostemp(tmpl, O_CLOEXEC);
    if (fd2 >= 0) unlink(tmpl);
    free(tmpl);
    return fd2;
}

int ep_spill_open(ep_spill **out, const char *dir, char *err, size_t errlen)
{
    *out = NULL;
    if (!dir || !*dir) {
        dir = getenv("TMPDIR");
        if (!dir || !*dir) dir = "/tmp";
    }
    ep_spill *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return util_fail(err, errlen, -ENOMEM, "out of memory");
    }
    int fd = open_unnamed(dir);
    if (fd < 0) {
        int e = errno;
        ep_spill_close(s);
        return util_fail(err, errlen, -e, "a run keeps its episodes in a temporary file in "
                         "%s: cannot create it: %s", dir, strerror(e));
    }
    s->f = fdopen(fd, "w+b");
    if (!s->f) {
        int e = errno;
        close(fd);
        ep_spill_close(s);
        return util_fail(err, errlen, -e, "%s: %s", dir, strerror(e));
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

int ep_spill_put(ep_spill *s, const ep_rec *r, const leak_rec *leaks, size_t n, char *err,
                 size_t errlen)
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
    if (fwrite(s->buf, 1, s->len, s->f) != s->len) {
        int e = errno ? errno : EIO;
        return util_fail(err, errlen, -e, "writing the run's episodes to a temporary file in "
                         "%s: %s", s->dir, strerror(e));
    }
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

static int damaged(ep_spill *s, char *err, size_t errlen)
{
    return util_fail(err, errlen, -EIO, "reading the run's episodes back from a temporary file "
                     "in %s: record %zu of %zu is short or damaged", s->dir, s->got + 1,
                     s->count);
}

int ep_spill_next(ep_spill *s, ep_rec *r, leak_rec **leaks, size_t *n, char *err,
                  size_t errlen)
{
    *leaks = NULL;
    *n = 0;
    if (!s->reading) {
        s->reading = 1;
        if (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0) {
            int e = errno ? errno : EIO;
            return util_fail(err, errlen, -e, "%s: %s", s->dir, strerror(e));
        }
    }
    if (s->got == s->count) return 0;
    uint32_t len = 0;
    if (fread(&len, sizeof len, 1, s->f) != 1) return damaged(s, err, errlen);
    s->len = 0;
    if (reserve(s, len) < 0) return util_fail(err, errlen, -ENOMEM, "out of memory");
    if (fread(s->buf, 1, len, s->f) != len) return damaged(s, err, errlen);
    cursor c = {s->buf, s->buf + len, 0};
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
    if (c.bad || c.p != c.end || !r->episode_id || !r->person_id) return damaged(s, err, errlen);
    s->got++;
    *leaks = s->leaks;
    *n = k;
    return 1;
}
