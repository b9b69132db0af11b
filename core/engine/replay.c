/*
 * replay.c: see replay.h.
 */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "base/base.h"

const char *const replay_tables[REPLAY_TABLES] = {"run_episodes", "run_leakage",
                                                  "run_arrangements"};

/* Make the folders of root/relpath (mode 0700) and write the file (0600, O_EXCL). */
static int write_new(const char *root, const char *relpath, const char *bytes, size_t len,
                     char *err, size_t errlen)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, relpath) >= sizeof path) {
        snprintf(err, errlen, "%s: path too long", relpath);
        return -ENAMETOOLONG;
    }
    for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        int bad = mkdir(path, 0700) < 0 && errno != EEXIST;
        *s = '/';
        if (bad) {
            snprintf(err, errlen, "%s: cannot create its folder: %s", path, strerror(errno));
            return -EIO;
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -EIO;
    }
    size_t off = 0;
    int rc = 0;
    while (off < len && rc == 0) {
        ssize_t w = write(fd, bytes + off, len - off);
        if (w < 0 && errno != EINTR) rc = -errno;
        else if (w > 0) off += (size_t)w;
    }
    if (close(fd) < 0 && rc == 0) rc = -errno;
    if (rc < 0) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
    return rc < 0 ? -EIO : 0;
}

static int read_run(store *s, int64_t of, replay_plan *p, char *err, size_t errlen)
{
    char m[256];
    int rc = run_record_q_params(s, of, p->status, sizeof p->status, &p->period,
                                 &p->only_template, m, sizeof m);
    if (rc == 1) return 0;
    if (rc == 0) {
        snprintf(err, errlen, "no run %lld ('cara runs' lists them)", (long long)of);
        return -ENOENT;
    }
    if (rc == -ENOMEM) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    snprintf(err, errlen, "reading run %lld: %s", (long long)of, m);
    return -EIO;
}

/* What replay_file needs: the plan, and where its messages go. */
typedef struct files_ctx {
    replay_plan *p;
    char *err;
    size_t errlen;
    int rc;         /* replay_file's failure (0: none) */
} files_ctx;

/* Write one stored file of the run into the plan's folder. */
static int write_file(files_ctx *c, const run_file_row *f)
{
    long long of = (long long)c->p->of;
    if (!content_safe_relpath(f->relpath)) {
        snprintf(c->err, c->errlen, "run %lld: stored path \"%s\" is not a plain relative path "
                 "(the store is damaged)", of, f->relpath);
        return -EPROTO;
    }
    if (f->content_rc < 0) {
        snprintf(c->err, c->errlen, "run %lld: %s: %s", of, f->relpath, f->content_err);
        return f->content_rc;
    }
    int rc = write_new(c->p->dir, f->relpath, f->bytes, f->len, c->err, c->errlen);
    c->p->n_files++;
    return rc;
}

/* run_record_q_files's callback: write_file, its failure kept in the context. */
static int replay_file(const run_file_row *f, void *ud)
{
    files_ctx *c = ud;
    return c->rc = write_file(c, f);
}

int replay_prepare(store *s, int64_t of, replay_plan *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->of = of;
    int rc = read_run(s, of, p, err, errlen);
    if (rc < 0) return rc;
    const char *t = getenv("TMPDIR");
    snprintf(p->dir, sizeof p->dir, "%s/cara-replay-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(p->dir)) {
        snprintf(err, errlen, "cannot make a private folder in %s: %s", t && *t ? t : "/tmp",
                 strerror(errno));
        p->dir[0] = '\0';
        return -EIO;
    }
    files_ctx c = {p, err, errlen, 0};
    char m[256];
    rc = run_record_q_files(s, of, replay_file, &c, m, sizeof m);
    if (rc == -EBADF) {
        snprintf(err, errlen, "reading run %lld's files: %s", (long long)of, m);
        return -EIO;
    }
    if (rc < 0 && c.rc == 0) { /* a file left out would replay another computation */
        snprintf(err, errlen, "run %lld: reading its files: %s", (long long)of, m);
        return -EIO;
    }
    if (rc < 0) return rc;
    if (p->n_files == 0) {
        snprintf(err, errlen, "run %lld stored no files: it was made before cara kept the "
                 "content of what a run reads (schema 8), so it cannot be replayed",
                 (long long)of);
        rc = -ENOENT;
    }
    return rc;
}

void replay_cleanup(replay_plan *p)
{
    if (p->dir[0]) fs_remove_tree(p->dir, NULL, 0);
    free(p->only_template);
    memset(p, 0, sizeof *p);
}

int replay_compare(store *s, int64_t a, int64_t b, replay_cmp *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->same = 1;
    run_table_cmp t[REPLAY_TABLES];
    int rc = run_record_q_compare(s, a, b, replay_tables, REPLAY_TABLES, t, &out->data_changed,
                                  err, errlen);
    for (int i = 0; i < REPLAY_TABLES; i++) {
        out->rows_a[i] = t[i].rows_a;
        out->rows_b[i] = t[i].rows_b;
        out->only_a[i] = t[i].only_a;
        out->only_b[i] = t[i].only_b;
        if (t[i].only_a || t[i].only_b || t[i].rows_a != t[i].rows_b) out->same = 0;
    }
    return rc;
}
