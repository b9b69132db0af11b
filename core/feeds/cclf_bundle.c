/*
 * cclf_bundle.c: see cclf_bundle.h.
 */
#include "cclf_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    return 1;
}

int cclf_bundle_name(const char *base)
{
    if (ends_with(base, ".zip") || ends_with(base, ".ZIP")) return 1;
    /* P.A1234.ACO.ZCY27.D270115.T1200000 */
    if ((base[0] != 'P' && base[0] != 'T') || base[1] != '.') return 0;
    const char *dot = strchr(base + 2, '.');
    if (!dot || dot == base + 2 || strncmp(dot, ".ACO.ZC", 7) != 0) return 0;
    const char *p = dot + 7;
    return (p[0] == 'Y' || p[0] == 'R') && digits(p + 1, 2) && !strncmp(p + 3, ".D", 2) &&
           digits(p + 5, 6) && !strncmp(p + 11, ".T", 2) && digits(p + 13, 7) && p[20] == '\0';
}

static void free_paths(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Copy one member to path, counting bytes against *budget. 0 or -errno with err. */
static int copy_member(zip_t *z, zip_uint64_t i, const char *name, const char *path,
                       uint64_t *budget, char *err, size_t errlen)
{
    zip_file_t *zf = zip_fopen_index(z, i, 0);
    if (!zf) {
        snprintf(err, errlen, "member %s: cannot be read: %s", name, zip_strerror(z));
        return -EINVAL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "member %s: cannot write %s: %s", name, path, strerror(errno));
        zip_fclose(zf);
        return -EIO;
    }
    char buf[1 << 16];
    int rc = 0;
    for (;;) {
        zip_int64_t got = zip_fread(zf, buf, sizeof buf);
        if (got < 0) {
            snprintf(err, errlen, "member %s: %s (a corrupted bundle?)", name,
                     zip_file_strerror(zf));
            rc = -EINVAL;
            break;
        }
        if (got == 0) break;
        if ((uint64_t)got > *budget) {
            snprintf(err, errlen, "member %s: the bundle expands past the limit of %llu bytes",
                     name, (unsigned long long)CCLF_BUNDLE_MAX_BYTES);
            rc = -EFBIG;
            break;
        }
        *budget -= (uint64_t)got;
        for (zip_int64_t off = 0; off < got;) {
            ssize_t w = write(fd, buf + off, (size_t)(got - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                snprintf(err, errlen, "member %s: writing %s: %s", name, path, strerror(errno));
                rc = -EIO;
                break;
            }
            off += w;
        }
        if (rc) break;
    }
    if (close(fd) < 0 && rc == 0) {
        snprintf(err, errlen, "member %s: writing %s: %s", name, path, strerror(errno));
        rc = -EIO;
    }
    zip_fclose(zf);
    return rc;
}

int cclf_bundle_extract(const char *buf, size_t len, const char *dir, uint64_t max_bytes,
                        char ***paths, size_t *n, char *err, size_t errlen)
{
    *paths = NULL;
    *n = 0;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(buf, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        snprintf(err, errlen, "not a zip file (%s)", zip_error_strerror(&ze));
        if (src) zip_source_free(src);
        zip_error_fini(&ze);
        return -EINVAL;
    }
    zip_error_fini(&ze);
    zip_int64_t count = zip_get_num_entries(z, 0);
    uint64_t budget = max_bytes ? max_bytes : CCLF_BUNDLE_MAX_BYTES;
    char **v = NULL;
    size_t k = 0;
    int rc = 0;
    if (count > CCLF_BUNDLE_MAX_MEMBERS) {
        snprintf(err, errlen, "%lld members: a CCLF bundle holds at most %d",
                 (long long)count, CCLF_BUNDLE_MAX_MEMBERS);
        rc = -EFBIG;
    }
    for (zip_int64_t i = 0; i < count && rc == 0; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name) {
            snprintf(err, errlen, "member %lld has no name", (long long)i);
            rc = -EINVAL;
            break;
        }
        size_t nl = strlen(name);
        if (nl && name[nl - 1] == '/') continue; /* a folder entry */
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        cclf_name cn;
        if (name[0] == '/' || strstr(name, "..") || cclf_name_parse(base, &cn) < 0) {
            snprintf(err, errlen, "member %s is not a CCLF file (expected names such as "
                     "P.A1234.ACO.ZC1Y27.D270115.T1200000)", name);
            rc = -EINVAL;
            break;
        }
        for (size_t j = 0; j < k && rc == 0; j++) {
            const char *b = strrchr(v[j], '/') + 1;
            if (!strcmp(b, base)) {
                snprintf(err, errlen, "member %s appears twice", base);
                rc = -EINVAL;
            }
        }
        if (rc) break;
        size_t pl = strlen(dir) + strlen(base) + 2;
        char **nv = realloc(v, (k + 1) * sizeof *nv);
        char *path = malloc(pl);
        if (!nv || !path) {
            free(path);
            if (nv) v = nv;
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
            break;
        }
        v = nv;
        snprintf(path, pl, "%s/%s", dir, base);
        v[k++] = path;
        rc = copy_member(z, (zip_uint64_t)i, name, path, &budget, err, errlen);
    }
    zip_discard(z);
    if (rc == 0 && k == 0) {
        snprintf(err, errlen, "the bundle holds no CCLF file");
        rc = -EINVAL;
    }
    if (rc) {
        free_paths(v, k);
        return rc;
    }
    *paths = v;
    *n = k;
    return 0;
}
