/*
 * tests/test_xsort.c: core/base/xsort.h, records sorted in bounded memory: the order of
 * a full sort (qsort's, checked record by record) whether the records stay in memory or
 * go to many runs on disk; equal records in the order put (stable across runs); no
 * comparison: the order put; rewinds; records that point into themselves fixed where
 * they lie; the errors (a put after the reads, a bad length, a folder that is none).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xsort.h"
#include "suites.h"

typedef struct kv {
    int32_t key;
    uint32_t seq; /* the order put */
} kv;

static int cmp_kv(const void *a, const void *b, void *ud)
{
    (void)ud;
    const kv *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static int cmp_full(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->key != y->key) return (x->key > y->key) - (x->key < y->key);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* n records with keys from a small range (many equal), through a sorter of `budget`
 * bytes: every record back, in (key, order put) order, twice (a rewind between). */
static void sort_case(size_t n, size_t budget, size_t want_runs_min)
{
    char err[256] = "";
    xsort *s = NULL;
    ck_assert_int_eq(xsort_open(&s, NULL, "test records", budget, cmp_kv, NULL, NULL, err,
                                sizeof err), 0);
    kv *all = malloc((n ? n : 1) * sizeof *all);
    uint32_t r = 12345;
    for (size_t i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        all[i] = (kv){(int32_t)((r >> 16) % 97) - 48, (uint32_t)i};
        ck_assert_msg(xsort_put(s, &all[i], sizeof all[i], err, sizeof err) == 0, "%s", err);
    }
    qsort(all, n, sizeof *all, cmp_full);
    for (int pass = 0; pass < 2; pass++) {
        const void *rec;
        size_t len, i = 0;
        int rc;
        while ((rc = xsort_next(s, &rec, &len, err, sizeof err)) == 1) {
            ck_assert_uint_lt(i, n);
            ck_assert_uint_eq(len, sizeof(kv));
            const kv *k = rec;
            ck_assert_msg(k->key == all[i].key && k->seq == all[i].seq,
                          "record %zu: (%d, %u), expected (%d, %u)", i, k->key, k->seq,
                          all[i].key, all[i].seq);
            i++;
        }
        ck_assert_msg(rc == 0, "%s", err);
        ck_assert_uint_eq(i, n);
        ck_assert_int_eq(xsort_rewind(s, err, sizeof err), 0);
    }
    ck_assert_uint_eq(xsort_count(s), n);
    ck_assert_uint_ge(xsort_runs(s), want_runs_min);
    /* a run's record: its u32 length and its 8 bytes; the last budget's stay in memory */
    ck_assert_int_eq(xsort_disk_bytes(s) % (int64_t)(4 + sizeof(kv)), 0);
    ck_assert_int_le(xsort_disk_bytes(s), (int64_t)(n * (4 + sizeof(kv))));
    if (!xsort_runs(s)) ck_assert_int_eq(xsort_disk_bytes(s), 0);
    if (budget == 1 && n) /* all but the last on disk */
        ck_assert_int_eq(xsort_disk_bytes(s), (int64_t)((n - 1) * (4 + sizeof(kv))));
    xsort_close(s);
    free(all);
}

START_TEST(test_sorted_in_memory_and_runs)
{
    sort_case(0, 1 << 20, 0);
    sort_case(1, 1 << 20, 0);
    sort_case(5000, 1 << 20, 0);  /* 5,000 x (8 + 16) bytes: one budget, no run */
    /* 24 bytes a record in memory: 240 bytes hold 10, so 5,000 records make 500 runs
     * and the last 10 stay in memory */
    sort_case(5000, 240, 499);
    sort_case(5000, 1, 4999);      /* every record a run of its own */
    sort_case(100000, 64 * 1024, 30);
}
END_TEST

START_TEST(test_order_put_without_cmp)
{
    char err[256] = "";
    xsort *s = NULL;
    ck_assert_int_eq(xsort_open(&s, "", "a log", 100, NULL, NULL, NULL, err, sizeof err), 0);
    for (uint32_t i = 0; i < 1000; i++) {
        kv k = {(int32_t)(1000 - i), i};
        ck_assert_int_eq(xsort_put(s, &k, sizeof k, err, sizeof err), 0);
    }
    ck_assert_uint_ge(xsort_runs(s), 200);
    for (int pass = 0; pass < 2; pass++) {
        const void *rec;
        size_t len;
        uint32_t i = 0;
        while (xsort_next(s, &rec, &len, err, sizeof err) == 1) {
            ck_assert_uint_eq(((const kv *)rec)->seq, i);
            i++;
        }
        ck_assert_uint_eq(i, 1000);
        xsort_rewind(s, err, sizeof err);
    }
    /* the reads ended the puts */
    kv k = {0, 0};
    ck_assert_int_eq(xsort_put(s, &k, sizeof k, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "a log"));
    xsort_close(s);
    xsort_close(NULL);
}
END_TEST

/* A record that points into itself: a header, then its name's bytes. */
typedef struct named {
    const char *name; /* into the record: set by fix */
    int64_t n;
} named;

static int fixes;

static void fix_named(void *rec, size_t len, void *ud)
{
    (void)len;
    ck_assert_ptr_eq(ud, &fixes);
    ck_assert_uint_eq((uintptr_t)rec % 8, 0); /* aligned wherever it lies */
    named *r = rec;
    r->name = (const char *)rec + sizeof *r;
    fixes++;
}

static int cmp_named(const void *a, const void *b, void *ud)
{
    (void)ud;
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

START_TEST(test_records_fixed_where_they_lie)
{
    char err[256] = "";
    xsort *s = NULL;
    /* 300 bytes: six records a run (a 16-byte header and a name of 5 to 11 bytes, in 32
     * bytes, and a 16-byte index entry), so 33 runs and 2 records in memory */
    ck_assert_int_eq(xsort_open(&s, NULL, "names", 300, cmp_named, fix_named, &fixes, err,
                                sizeof err), 0);
    fixes = 0;
    char rec[128];
    for (int i = 0; i < 200; i++) {
        named h = {NULL, i};
        char name[64];
        /* "k199" ... "k0" with i % 7 'x's: lengths vary, every name distinct */
        int len = snprintf(name, sizeof name, "k%03d%.*s", 199 - i, i % 7, "xxxxxxx");
        memcpy(rec, &h, sizeof h);
        memcpy(rec + sizeof h, name, (size_t)len + 1);
        ck_assert_int_eq(xsort_put(s, rec, sizeof h + (size_t)len + 1, err, sizeof err), 0);
    }
    ck_assert_int_eq(fixes, 200);
    ck_assert_uint_eq(xsort_runs(s), 33);
    const void *r;
    size_t len;
    int i = 0;
    while (xsort_next(s, &r, &len, err, sizeof err) == 1) {
        const named *h = r;
        char want[64];
        snprintf(want, sizeof want, "k%03d%.*s", i, (199 - i) % 7, "xxxxxxx");
        ck_assert_str_eq(h->name, want);
        ck_assert_int_eq(h->n, 199 - i);
        ck_assert_uint_eq(len, sizeof *h + strlen(want) + 1);
        i++;
    }
    ck_assert_int_eq(i, 200);
    ck_assert_int_eq(fixes, 200 + 198); /* each read back from a run fixed again */
    xsort_close(s);
}
END_TEST

START_TEST(test_errors)
{
    char err[256] = "";
    xsort *s = NULL;
    ck_assert_int_eq(xsort_open(&s, "/nonexistent-cara-dir", "the run's episodes", 1, cmp_kv,
                                NULL, NULL, err, sizeof err), 0);
    kv k = {1, 0};
    ck_assert_int_eq(xsort_put(s, &k, 0, err, sizeof err), -EINVAL);
    ck_assert_int_eq(xsort_put(s, &k, sizeof k, err, sizeof err), 0); /* in memory */
    /* the second needs the first written as a run: the folder is none */
    ck_assert_int_lt(xsort_put(s, &k, sizeof k, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "the run's episodes") && strstr(err, "/nonexistent-cara-dir"),
                  "%s", err);
    xsort_close(s);
    /* an empty sorter: nothing to read, twice */
    ck_assert_int_eq(xsort_open(&s, NULL, "none", 1 << 10, cmp_kv, NULL, NULL, err, sizeof err), 0);
    const void *r;
    size_t len;
    ck_assert_int_eq(xsort_next(s, &r, &len, err, sizeof err), 0);
    ck_assert_int_eq(xsort_next(s, &r, &len, err, sizeof err), 0);
    ck_assert_int_eq(xsort_rewind(s, err, sizeof err), 0);
    ck_assert_int_eq(xsort_next(s, &r, &len, err, sizeof err), 0);
    xsort_close(s);
}
END_TEST

Suite *suite_xsort(void)
{
    Suite *s = suite_create("xsort");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sorted_in_memory_and_runs);
    tcase_add_test(tc, test_order_put_without_cmp);
    tcase_add_test(tc, test_records_fixed_where_they_lie);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
