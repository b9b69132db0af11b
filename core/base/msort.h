/*
 * msort: a stable merge sort into caller-owned scratch memory.
 *
 * glibc's qsort allocates a temporary array for every call over 1 KB, and the
 * allocator then consolidates its free lists: called once per beneficiary by the run's
 * line sort, that was as much time as the sort itself (docs/performance.md). This sort
 * takes the scratch from the caller, so a loop of sorts allocates nothing.
 */
#ifndef CARA_BASE_MSORT_H
#define CARA_BASE_MSORT_H

#include <stddef.h>

/* Sort n elements of size bytes at base, stable, by cmp (as qsort's). scratch: room for
 * n elements (not overlapping base), its contents lost; used only when n > 1. */
void msort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
           void *scratch);

#endif
