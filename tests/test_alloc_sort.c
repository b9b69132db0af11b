/*
 * tests/test_alloc_sort.c: base/msort (the run's line sort without qsort's allocations)
 * and rules/vm_pool (the small blocks of a Lua state).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/msort.h"
#include "rules/vm_pool.h"
#include "suites.h"

/* ---- msort ------------------------------------------------------------------------------ */

typedef struct item {
    int key;  /* sorted on */
    int seq;  /* the place before the sort: equal keys must keep their order */
} item;

static int cmp_item(const void *a, const void *b)
{
    const item *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

/* n items with keys in [0, range): sorted by msort, they are in key order and, among
 * equal keys, in seq order (stable). */
static void check_sort(size_t n, int range, unsigned seed)
{
    item *v = malloc((n ? n : 1) * sizeof *v), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_nonnull(tmp);
    srand(seed);
    for (size_t i = 0; i < n; i++) v[i] = (item){rand() % range, (int)i};
    msort(v, n, sizeof *v, cmp_item, tmp);
    for (size_t i = 1; i < n; i++) {
        ck_assert_int_le(v[i - 1].key, v[i].key);
        if (v[i - 1].key == v[i].key) ck_assert_int_lt(v[i - 1].seq, v[i].seq);
    }
    /* nothing lost: every seq once */
    char *seen = calloc(n ? n : 1, 1);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(seen[v[i].seq], 0);
        seen[v[i].seq] = 1;
    }
    free(seen);
    free(v);
    free(tmp);
}

START_TEST(test_msort_sizes)
{
    /* around the insertion runs of 8 and the merge widths 8, 16, 32 */
    size_t sizes[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000, 4097};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        check_sort(sizes[i], 3, (unsigned)i);       /* many ties */
        check_sort(sizes[i], 1 << 30, (unsigned)i); /* almost none */
    }
}
END_TEST

START_TEST(test_msort_by_hand)
{
    /* keys 3 1 2 1 3 0 1 2 1 0 (seq 0..9): by key, ties by seq:
     * 0(5) 0(9) 1(1) 1(3) 1(6) 1(8) 2(2) 2(7) 3(0) 3(4) */
    int keys[] = {3, 1, 2, 1, 3, 0, 1, 2, 1, 0};
    int want[] = {5, 9, 1, 3, 6, 8, 2, 7, 0, 4};
    item v[10], tmp[10];
    for (int i = 0; i < 10; i++) v[i] = (item){keys[i], i};
    msort(v, 10, sizeof *v, cmp_item, tmp);
    for (int i = 0; i < 10; i++) ck_assert_int_eq(v[i].seq, want[i]);
    /* already sorted and reversed inputs */
    for (int i = 0; i < 10; i++) v[i] = (item){9 - i, i};
    msort(v, 10, sizeof *v, cmp_item, tmp);
    for (int i = 0; i < 10; i++) ck_assert_int_eq(v[i].seq, 9 - i);
    msort(v, 10, sizeof *v, cmp_item, tmp);
    for (int i = 0; i < 10; i++) ck_assert_int_eq(v[i].key, i);
}
END_TEST

/* ---- vm_pool ---------------------------------------------------------------------------- */

START_TEST(test_pool_classes)
{
    /* 16-byte classes: 1..16 one class, 17..32 the next, 256 the last */
    ck_assert(vm_pool_same_class(1, 16));
    ck_assert(!vm_pool_same_class(16, 17));
    ck_assert(vm_pool_same_class(17, 32));
    ck_assert(vm_pool_same_class(241, 256));
    ck_assert(!vm_pool_same_class(240, 241));
    vm_pool p = {0};
    char *a = vm_pool_alloc(&p, 24), *b = vm_pool_alloc(&p, 32);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b - a, 32); /* carved one after the other from the slab */
    ck_assert_int_eq((uintptr_t)a % 16, 0);
    memset(a, 'a', 24);
    memset(b, 'b', 32);
    vm_pool_free(&p, a, 24);
    /* a block of the same class comes back first (last in, first out) */
    ck_assert_ptr_eq(vm_pool_alloc(&p, 17), a);
    /* another class does not get it */
    char *c = vm_pool_alloc(&p, 8);
    ck_assert_ptr_ne(c, a);
    ck_assert_ptr_ne(c, b);
    ck_assert_int_eq(b[31], 'b'); /* untouched by the others */
    ck_assert_uint_eq(p.slab_bytes, 64 * 1024);
    vm_pool_release(&p);
    ck_assert_ptr_null(p.slabs);
    ck_assert_uint_eq(p.slab_bytes, 0);
}
END_TEST

START_TEST(test_pool_slabs)
{
    /* 64 KB slabs less a 16-byte head hold 4095 blocks of 16: the 4096th opens a
     * second slab; freeing and reallocating all of them opens none */
    vm_pool p = {0};
    enum { N = 4096 };
    char **v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) {
        v[i] = vm_pool_alloc(&p, 16);
        ck_assert_ptr_nonnull(v[i]);
        memset(v[i], i & 0xff, 16);
    }
    ck_assert_uint_eq(p.slab_bytes, 2 * 64 * 1024);
    for (int i = 0; i < N; i++) ck_assert_int_eq((unsigned char)v[i][15], i & 0xff);
    for (int i = 0; i < N; i++) vm_pool_free(&p, v[i], 16);
    for (int i = 0; i < N; i++) v[i] = vm_pool_alloc(&p, 9);
    ck_assert_uint_eq(p.slab_bytes, 2 * 64 * 1024);
    free(v);
    /* adopted libc blocks are freed at release (ASan's leak check would see them
     * otherwise); past the table they are counted as lost and stay the owner's */
    void *extra[2];
    for (int i = 0; i < VM_POOL_ADOPTED + 2; i++) {
        void *b = malloc(300);
        ck_assert_ptr_nonnull(b);
        vm_pool_adopt(&p, b);
        if (i >= VM_POOL_ADOPTED) extra[i - VM_POOL_ADOPTED] = b;
    }
    ck_assert_uint_eq(p.n_adopted, VM_POOL_ADOPTED);
    ck_assert_uint_eq(p.lost, 2);
    vm_pool_release(&p);
    ck_assert_uint_eq(p.n_adopted, 0);
    free(extra[0]);
    free(extra[1]);
}
END_TEST

Suite *suite_alloc_sort(void)
{
    Suite *s = suite_create("alloc_sort");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_msort_sizes);
    tcase_add_test(tc, test_msort_by_hand);
    tcase_add_test(tc, test_pool_classes);
    tcase_add_test(tc, test_pool_slabs);
    suite_add_tcase(s, tc);
    return s;
}
