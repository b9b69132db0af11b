/*
 * msort.c: see msort.h. Bottom-up: runs of 8 sorted by insertion in place, then merged
 * in passes that alternate between the array and the scratch, ending in the array.
 */
#include "msort.h"

#include <string.h>

enum { RUN = 8 };

static void insertion(char *a, size_t n, size_t size,
                      int (*cmp)(const void *, const void *), char *tmp)
{
    for (size_t i = 1; i < n; i++) {
        char *x = a + i * size;
        size_t j = i;
        while (j > 0 && cmp(a + (j - 1) * size, x) > 0) j--;
        if (j == i) continue;
        memcpy(tmp, x, size);
        memmove(a + (j + 1) * size, a + j * size, (i - j) * size);
        memcpy(a + j * size, tmp, size);
    }
}

/* Merge src[lo, mid) and src[mid, hi) into dst[lo, hi); ties take the left one. */
static void merge(const char *src, char *dst, size_t lo, size_t mid, size_t hi, size_t size,
                  int (*cmp)(const void *, const void *))
{
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (cmp(src + j * size, src + i * size) < 0)
            memcpy(dst + k++ * size, src + j++ * size, size);
        else
            memcpy(dst + k++ * size, src + i++ * size, size);
    }
    if (i < mid) memcpy(dst + k * size, src + i * size, (mid - i) * size), k += mid - i;
    if (j < hi) memcpy(dst + k * size, src + j * size, (hi - j) * size);
}

void msort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
           void *scratch)
{
    if (n < 2) return;
    char *a = base, *b = scratch;
    /* the first element of the scratch is the insertion sort's spare slot */
    for (size_t lo = 0; lo < n; lo += RUN)
        insertion(a + lo * size, n - lo < RUN ? n - lo : RUN, size, cmp, b);
    char *src = a, *dst = b;
    for (size_t width = RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge(src, dst, lo, mid, hi, size, cmp);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * size);
}
