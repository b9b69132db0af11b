/*
 * fs.c: copy and remove folder trees (fs.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

int fs_skip_name(const char *n)
{
    size_t l = strlen(n);
    return n[0] == '.' || (l && n[l - 1] == '~') || (l > 4 && !strcmp(n + l - 4, ".swp")) ||
           (l > 4 && !strcmp(n + l - 4, ".tmp"));
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    if (util_read_file(from, 64u << 20, &buf, &len, err, errlen) < 0) return -EIO;
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
        snprintf(err, errlen, "%s: cannot write: %s", to, strerror(errno));
        rc = -EIO;
    }
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot write: %s", to, strerror(errno));
        rc = -EIO;
    }
    free(buf);
    return rc;
}

static int copy_tree(const char *from, const char *to, int depth, char *err, size_t errlen)
{
    if (depth > 8) return 0;
    if (mkdir(to, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", to, strerror(errno));
        return -EIO;
    }
    DIR *d = opendir(from);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read: %s", from, strerror(errno));
        return -EIO;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (fs_skip_name(e->d_name)) continue;
        char *a = util_path_join(from, e->d_name), *b = util_path_join(to, e->d_name);
        struct stat st;
        if (!a || !b) {
            snprintf(err, errlen, "%s: out of memory", from);
            rc = -ENOMEM;
        } else if (stat(a, &st) < 0) {
            ; /* gone meanwhile (or a dangling link): skip */
        } else if (S_ISDIR(st.st_mode)) {
            rc = copy_tree(a, b, depth + 1, err, errlen);
        } else if (S_ISREG(st.st_mode)) {
            rc = copy_file(a, b, err, errlen);
        }
        free(a);
        free(b);
    }
    closedir(d);
    return rc;
}

int fs_copy_tree(const char *from, const char *to, char *err, size_t errlen)
{
    return copy_tree(from, to, 0, err, errlen);
}

/* nftw's callback has no user pointer: the first failure is kept per thread. */
static _Thread_local char rm_failed[512];

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = type == FTW_DP ? rmdir(path) : unlink(path);
    if (rc < 0 && errno != ENOENT && !rm_failed[0])
        snprintf(rm_failed, sizeof rm_failed, "%s: cannot remove: %s", path, strerror(errno));
    return 0; /* keep going: remove what can be removed */
}

int fs_remove_tree(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) < 0) return 0;
    rm_failed[0] = '\0';
    if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && !rm_failed[0])
        snprintf(rm_failed, sizeof rm_failed, "%s: cannot remove: %s", path, strerror(errno));
    if (!rm_failed[0]) return 0;
    if (err && errlen) snprintf(err, errlen, "%s", rm_failed);
    return -1;
}
