/*
 * util.c: see util.h.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "sha256.h"

char *util_path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    if (slash) p[la] = '/';
    memcpy(p + la + slash, b, lb + 1);
    return p;
}

int util_read_file(const char *path, size_t max, char **buf, size_t *len, char *err,
                   size_t errlen)
{
    uv_fs_t req;
    *buf = NULL;
    *len = 0;
    int fd = uv_fs_open(NULL, &req, path, O_RDONLY, 0, NULL);
    uv_fs_req_cleanup(&req);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, uv_strerror(fd));
        return fd;
    }
    int rc = uv_fs_fstat(NULL, &req, fd, NULL);
    uint64_t size = req.statbuf.st_size;
    int is_dir = (req.statbuf.st_mode & S_IFMT) == S_IFDIR;
    uv_fs_req_cleanup(&req);
    char *p = NULL;
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, uv_strerror(rc));
        goto out;
    }
    if (is_dir) {
        snprintf(err, errlen, "%s: is a directory (expected a file)", path);
        rc = -EISDIR;
        goto out;
    }
    if (size > max) {
        snprintf(err, errlen, "%s: file is %llu bytes, more than the %zu allowed", path,
                 (unsigned long long)size, max);
        rc = -EFBIG;
        goto out;
    }
    p = malloc((size_t)size + 1);
    if (!p) {
        snprintf(err, errlen, "%s: out of memory", path);
        rc = -ENOMEM;
        goto out;
    }
    size_t got = 0;
    for (;;) {
        /* Read up to max+1 so a file that grew since fstat is still caught. */
        if (got == size) {
            char probe;
            uv_buf_t b = uv_buf_init(&probe, 1);
            rc = uv_fs_read(NULL, &req, fd, &b, 1, -1, NULL);
            uv_fs_req_cleanup(&req);
            if (rc > 0) {
                snprintf(err, errlen, "%s: file changed while being read", path);
                rc = -EAGAIN;
                goto out;
            }
            break;
        }
        uv_buf_t b = uv_buf_init(p + got, (unsigned)((size - got) > (1u << 30) ? (1u << 30) : size - got));
        rc = uv_fs_read(NULL, &req, fd, &b, 1, -1, NULL);
        uv_fs_req_cleanup(&req);
        if (rc < 0) {
            snprintf(err, errlen, "%s: read error: %s", path, uv_strerror(rc));
            goto out;
        }
        if (rc == 0) break; /* shrank */
        got += (size_t)rc;
    }
    p[got] = '\0';
    *buf = p;
    *len = got;
    p = NULL;
    rc = 0;
out:
    free(p);
    uv_fs_close(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
    return rc;
}

uint64_t util_fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int util_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int util_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *util_exe_dir(void)
{
    char buf[PATH_MAX];
    size_t size = sizeof buf;
    if (uv_exepath(buf, &size) != 0) return NULL;
    char *slash = strrchr(buf, '/');
    if (!slash) return NULL;
    *slash = '\0';
    return strdup(buf[0] ? buf : "/");
}

int util_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s) return -EINVAL;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -EINVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int util_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s) return -EINVAL;
    size_t n = strlen(s);
    uint64_t mult = 1;
    char last = s[n - 1];
    if (last == 'k' || last == 'K') mult = 1024ull;
    else if (last == 'm' || last == 'M') mult = 1024ull * 1024;
    else if (last == 'g' || last == 'G') mult = 1024ull * 1024 * 1024;
    char num[32];
    size_t digits = mult == 1 ? n : n - 1;
    if (digits == 0 || digits >= sizeof num) return -EINVAL;
    memcpy(num, s, digits);
    num[digits] = '\0';
    uint64_t v;
    if (util_parse_u64(num, &v) < 0 || v == 0 || v > UINT64_MAX / mult) return -EINVAL;
    *out = v * mult;
    return 0;
}

size_t util_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

int util_map_file(const char *path, const char **buf, size_t *len, char *err, size_t errlen)
{
    return util_map_file_fd(path, buf, len, NULL, err, errlen);
}

int util_map_file_fd(const char *path, const char **buf, size_t *len, int *fd_out, char *err,
                     size_t errlen)
{
    *buf = "";
    *len = 0;
    if (fd_out) *fd_out = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -EINVAL;
    }
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            snprintf(err, errlen, "%s: cannot map: %s", path, strerror(e));
            close(fd);
            return -e;
        }
        madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
        *buf = m;
        *len = (size_t)st.st_size;
    }
    if (fd_out) *fd_out = fd;
    else close(fd);
    return 0;
}

void util_unmap(const char *buf, size_t len)
{
    if (len) munmap((void *)buf, len);
}

void util_release_mapped(const char *base, size_t len, const char *upto, size_t *released)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || ((uintptr_t)base % (uintptr_t)page) != 0 || upto < base || upto > base + len)
        return;
    size_t off = (size_t)(upto - base) / (size_t)page * (size_t)page;
    if (off > *released) {
        madvise((void *)(base + *released), off - *released, MADV_DONTNEED);
        *released = off;
    }
}

void util_release_range(const char *base, size_t len, size_t from, size_t to)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || ((uintptr_t)base % (uintptr_t)page) != 0 || from >= to || to > len) return;
    /* a fault maps the pages of the aligned 64 KiB around it too (the kernel's fault
     * around, which MADV_RANDOM does not turn off): those are given back with it */
    size_t around = (size_t)page > 65536 ? (size_t)page : 65536;
    size_t a = from / around * around;
    size_t b = (to + around - 1) / around * around;
    size_t last = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
    if (b > last) b = last;
    madvise((void *)(base + a), b - a, MADV_DONTNEED);
}

void util_sha256_mapped(const char *base, size_t len, char hex[65])
{
    sha256_ctx h;
    unsigned char digest[32];
    size_t released = 0;
    sha256_init(&h);
    for (size_t at = 0; at < len;) {
        size_t n = len - at < (16u << 20) ? len - at : (16u << 20);
        sha256_update(&h, base + at, n);
        at += n;
        util_release_mapped(base, len, base + at, &released);
    }
    sha256_final(&h, digest);
    static const char X[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = X[digest[i] >> 4];
        hex[2 * i + 1] = X[digest[i] & 15];
    }
    hex[64] = '\0';
}

int util_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void util_thread_name(const char *name)
{
#ifdef __linux__
    (void)prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
#else
    (void)name;
#endif
}
