/*
 * scripts/bench_scan.c: the raw scan limit of make bench (issue 8).
 *
 * mmaps a CSV file and splits every record into fields (RFC 4180: quoted fields with
 * "" escapes and embedded newlines, LF or CRLF line ends, a last line without a
 * newline), keeping each field's pointer and length as a parser would, and prints
 * "RECORDS FIELDS" (the header counts as a record). No validation, no conversion, no
 * cara code: this is what reading the bytes costs. Build: gcc -O2 -o bench_scan
 * bench_scan.c. Exit 1 on a malformed file or an I/O error.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *p;
    size_t len;
} field;

static int push(field **f, size_t *n, size_t *cap, const char *p, size_t len)
{
    if (*n == *cap) {
        field *v = realloc(*f, 2 * *cap * sizeof *v);
        if (!v) return -1;
        *f = v;
        *cap *= 2;
    }
    (*f)[(*n)++] = (field){p, len};
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.csv\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(argv[1]);
        return 1;
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) {
        printf("0 0\n");
        return 0;
    }
    const char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    madvise((void *)map, size, MADV_SEQUENTIAL);
    const char *p = map, *end = map + size;
    size_t cap = 64, n = 0;
    field *f = malloc(cap * sizeof *f);
    unsigned long long records = 0, fields = 0, bytes = 0, line = 1;
    if (!f) return 1;
    while (p < end) {
        n = 0;
        for (;;) { /* one field */
            const char *start;
            size_t len;
            if (*p == '"') {
                start = ++p;
                for (;;) {
                    if (p >= end) {
                        fprintf(stderr, "%s:%llu: unterminated quoted field\n", argv[1], line);
                        return 1;
                    }
                    if (*p == '"') {
                        if (p + 1 < end && p[1] == '"') {
                            p += 2;
                            continue;
                        }
                        break;
                    }
                    if (*p == '\n') line++;
                    p++;
                }
                len = (size_t)(p - start); /* "" escapes are kept: no copy */
                p++;
            } else {
                start = p;
                while (p < end && *p != ',' && *p != '\n' && *p != '\r') p++;
                len = (size_t)(p - start);
            }
            if (push(&f, &n, &cap, start, len) < 0) return 1;
            bytes += len;
            if (p < end && *p == ',') {
                p++;
                if (p < end) continue;
                if (push(&f, &n, &cap, p, 0) < 0) return 1; /* "a," at the end of file */
                break;
            }
            if (p < end && *p == '\r') p++;
            if (p < end && *p != '\n') {
                fprintf(stderr, "%s:%llu: unexpected character after a field\n", argv[1], line);
                return 1;
            }
            if (p < end) p++;
            line++;
            break;
        }
        records++;
        fields += n;
    }
    printf("%llu %llu\n", records, fields);
    fprintf(stderr, "%llu field bytes\n", bytes);
    munmap((void *)map, size);
    free(f);
    close(fd);
    return 0;
}
