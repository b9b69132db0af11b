/*
 * tests/test_ep_spill.c: a run's episodes on disk (core/engine/ep_spill.c) and their
 * compaction as they are priced (core/engine/engine_hot.c).
 *
 * A spill gives back every record put, in order, with every field and string (NULL and
 * "" apart, a string of 10,000 bytes whole) and each record's own leakage rows; it
 * leaves no file behind in its folder, even while open; a folder it cannot write is an
 * error naming the folder. Compaction keeps the fields the run reads (ep_hot) in memory
 * and matches each episode with its rows.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_internal.h"
#include "catalog/template.h"
#include "engine/ep_spill.h"
#include "helpers.h"
#include "base/xsort.h"
#include "suites.h"

static char dir[64];

static void make_dir(void) { th_tmpdir(dir, "cara-spill"); }

static int entries(void) { return th_entries(dir); }

static ep_rec rec(const char *id, const char *person, const char *aco, const char *excl,
                  const char *claim, int64_t actual)
{
    ep_rec r;
    memset(&r, 0, sizeof r);
    r.episode_id = (char *)id;
    r.person_id = (char *)person;
    r.aco_id = (char *)aco;
    r.exclusion = (char *)excl;
    r.trigger_claim = (char *)claim;
    r.actual = actual;
    r.target = actual + 1;
    r.by_setting[1] = 42;
    r.trigger_line_no = 7;
    snprintf(r.trigger_npi, sizeof r.trigger_npi, "1234567893");
    snprintf(r.method, sizeof r.method, "plurality");
    r.developed[2] = -5;
    return r;
}

START_TEST(test_round_trip)
{
    make_dir();
    ep_spill *s = NULL;
    char err[512];
    ck_assert_int_eq(ep_spill_open(&s, dir, err, sizeof err), 0);
    ck_assert_int_eq(entries(), 0); /* unnamed while open */
    char *big = malloc(10001);
    memset(big, 'x', 10000);
    big[10000] = '\0';
    leak_rec l[2] = {{NULL, "A1", "1111111112", "111111111", 3, 1250},
                     {NULL, NULL, "2222222224", "222222222", 1, -7}};
    ep_rec a = rec("falls:P1:2027-01-05", "P1", "A1", NULL, "", 100);
    ep_rec b = rec("falls:P2:2027-02-01", "P2", NULL, "died", big, 0);
    int64_t at_a = -1, at_b = -1;
    ck_assert_int_eq(ep_spill_put(s, &a, l, 2, &at_a, err, sizeof err), 0);
    ck_assert_int_eq(ep_spill_put(s, &b, NULL, 0, &at_b, err, sizeof err), 0);
    ck_assert_int_eq(at_a, 0);
    ck_assert_int_gt(at_b, (int64_t)sizeof(ep_rec));
    ck_assert_uint_eq(ep_spill_count(s), 2);
    ck_assert_int_gt(ep_spill_bytes(s), 10000 + 2 * (int64_t)sizeof(ep_rec));

    ep_rec r;
    leak_rec *rows;
    size_t n;
    /* read back in another order than put, and twice */
    ck_assert_int_eq(ep_spill_read(s, at_b, &r, &rows, &n, err, sizeof err), 0);
    ck_assert_int_eq(ep_spill_read(s, at_a, &r, &rows, &n, err, sizeof err), 0);
    ck_assert_str_eq(r.episode_id, "falls:P1:2027-01-05");
    ck_assert_str_eq(r.person_id, "P1");
    ck_assert_str_eq(r.aco_id, "A1");
    ck_assert_ptr_null(r.exclusion);
    ck_assert_str_eq(r.trigger_claim, ""); /* "" is not NULL */
    ck_assert_int_eq(r.actual, 100);
    ck_assert_int_eq(r.target, 101);
    ck_assert_int_eq(r.by_setting[1], 42);
    ck_assert_int_eq(r.trigger_line_no, 7);
    ck_assert_str_eq(r.trigger_npi, "1234567893");
    ck_assert_str_eq(r.method, "plurality");
    ck_assert_int_eq(r.developed[2], -5);
    ck_assert_ptr_null(r.tmpl);
    ck_assert_ptr_null(r.status);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rows[0].episode_id, "falls:P1:2027-01-05");
    ck_assert_str_eq(rows[0].aco_id, "A1");
    ck_assert_str_eq(rows[0].npi, "1111111112");
    ck_assert_str_eq(rows[0].tin, "111111111");
    ck_assert_int_eq(rows[0].lines, 3);
    ck_assert_int_eq(rows[0].paid, 1250);
    ck_assert_ptr_null(rows[1].aco_id);
    ck_assert_int_eq(rows[1].paid, -7);

    ck_assert_int_eq(ep_spill_read(s, at_b, &r, &rows, &n, err, sizeof err), 0);
    ck_assert_str_eq(r.episode_id, "falls:P2:2027-02-01");
    ck_assert_ptr_null(r.aco_id);
    ck_assert_str_eq(r.exclusion, "died");
    ck_assert_uint_eq(strlen(r.trigger_claim), 10000);
    ck_assert_uint_eq(n, 0);
    /* a place that is no record's start, or past the end */
    ck_assert_int_eq(ep_spill_read(s, at_b + 3, &r, &rows, &n, err, sizeof err), -EIO);
    ck_assert_ptr_nonnull(strstr(err, "damaged"));
    ck_assert_int_eq(ep_spill_read(s, ep_spill_bytes(s), &r, &rows, &n, err, sizeof err), -EIO);
    ck_assert_int_eq(ep_spill_read(s, -1, &r, &rows, &n, err, sizeof err), -EIO);
    /* no more puts once read */
    ck_assert_int_eq(ep_spill_put(s, &a, NULL, 0, NULL, err, sizeof err), -EINVAL);
    ck_assert_int_eq(entries(), 0);
    ep_spill_close(s);
    ck_assert_int_eq(entries(), 0);
    free(big);
    rmdir(dir);
}
END_TEST

START_TEST(test_bad_folder)
{
    ep_spill *s = (ep_spill *)1;
    char err[512];
    int rc = ep_spill_open(&s, "/nonexistent/cara-spill", err, sizeof err);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cara-spill"));
}
END_TEST

START_TEST(test_dir_of)
{
    int oom = 1;
    char *d = ep_spill_dir_of("/a/b/c.db", &oom);
    ck_assert_str_eq(d, "/a/b");
    ck_assert_int_eq(oom, 0);
    free(d);
    d = ep_spill_dir_of("c.db", &oom);
    ck_assert_str_eq(d, ".");
    free(d);
    d = ep_spill_dir_of("/c.db", &oom);
    ck_assert_str_eq(d, "/");
    free(d);
    ck_assert_ptr_null(ep_spill_dir_of(":memory:", &oom));
    ck_assert_ptr_null(ep_spill_dir_of("", &oom));
    ck_assert_ptr_null(ep_spill_dir_of(NULL, &oom));
    ck_assert_int_eq(oom, 0);
}
END_TEST

/* An episode record as the pricer leaves it (owned strings). */
static void priced(run_data *rd, const char *id, const char *person, int64_t actual)
{
    ep_rec *r = engine__new_ep(rd);
    ck_assert_ptr_nonnull(r);
    r->episode_id = strdup(id);
    r->person_id = strdup(person);
    r->actual = actual;
    r->has_target = 1;
    r->status = "final";
    snprintf(r->trigger_type, sizeof r->trigger_type, "fall");
}

static void leak(run_data *rd, const char *id, const char *npi)
{
    leak_rec *l = engine__new_leak(rd);
    ck_assert_ptr_nonnull(l);
    l->episode_id = strdup(id);
    l->npi = strdup(npi);
    l->tin = strdup("999999999");
    l->lines = 1;
    l->paid = 500;
}

/* The records of rd's hot logs, copied out in the run's order (engine__hot_each). */
typedef struct hots {
    ep_hot *v;
    size_t n, cap;
} hots;

static int collect(ep_hot *h, ep_dev *dv, void *ud)
{
    (void)dv;
    hots *a = ud;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
        ck_assert_ptr_nonnull(a->v);
    }
    const char *person = hot_person_id(h);
    size_t own = h->own_id ? strlen(h->ids) + 1 : 0, len = own + strlen(person) + 1;
    char *ids = malloc(len);
    ck_assert_ptr_nonnull(ids);
    memcpy(ids, h->ids, own);
    memcpy(ids + own, person, len - own);
    a->v[a->n] = *h;
    a->v[a->n++].ids = ids;
    return 0;
}

static hots hots_of(const run_data *rd)
{
    hots a = {0};
    char err[256];
    ck_assert_msg(engine__hot_each(rd, collect, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(a.n, rd->n_hot);
    return a;
}

static void hots_free(hots *a)
{
    for (size_t i = 0; i < a->n; i++) free(a->v[i].ids);
    free(a->v);
}

START_TEST(test_compact)
{
    make_dir();
    run_data rd;
    memset(&rd, 0, sizeof rd);
    rd.spill_dir = dir;
    char err[512];
    /* one beneficiary: two episodes, the first with two rows */
    priced(&rd, "falls:P1:2027-01-05", "P1", 100);
    priced(&rd, "knee:P1:2027-03-01", "P1", 200);
    leak(&rd, "falls:P1:2027-01-05", "1111111112");
    leak(&rd, "falls:P1:2027-01-05", "2222222224");
    ck_assert_int_eq(engine__spill_compact(&rd, NULL, 0, err, sizeof err), 0);
    ck_assert_uint_eq(rd.n_eps, 0);
    ck_assert_uint_eq(rd.n_leaks, 0);
    ck_assert_uint_eq(rd.n_hot, 2);
    char id[HOT_ID_MAX];
    hots hs = hots_of(&rd);
    ck_assert_str_eq(hot_episode_id(&hs.v[1], id), "knee:P1:2027-03-01");
    ck_assert_str_eq(hot_person_id(&hs.v[1]), "P1");
    ck_assert_int_eq(hs.v[1].actual, 200);
    ck_assert_str_eq(hs.v[0].trigger_type, "fall");
    ck_assert_str_eq(hot_status(hs.v[0].status), "final");
    hots_free(&hs);

    /* rows taken from a sorted list: those of episodes not compacted stay unused */
    leak_rec sorted[3] = {{"a:P0:2027-01-01", NULL, "3333333336", "1", 1, 1},
                          {"falls:P2:2027-05-05", NULL, "4444444448", "1", 1, 9},
                          {"z:P9:2027-01-01", NULL, "5555555550", "1", 1, 1}};
    priced(&rd, "falls:P2:2027-05-05", "P2", 300);
    ck_assert_int_eq(engine__spill_compact(&rd, sorted, 3, err, sizeof err), 0);
    ck_assert_uint_eq(rd.n_hot, 3);
    ck_assert_uint_eq(rd.n_spills, 1);
    hs = hots_of(&rd); /* read again: the log read from its start */

    ep_rec r;
    leak_rec *rows;
    size_t n;
    const size_t want[3] = {2, 0, 1};
    for (int i = 2; i >= 0; i--) {
        const ep_hot *h = &hs.v[i];
        ck_assert_uint_eq(EP_SPILL_INDEX(h->spill_at), 0);
        ck_assert_int_eq(ep_spill_read(rd.spills[0], EP_SPILL_BYTE(h->spill_at), &r, &rows, &n,
                                       err, sizeof err), 0);
        ck_assert_str_eq(r.episode_id, hot_episode_id(h, id));
        ck_assert_uint_eq(n, want[i]);
        if (i == 2) {
            ck_assert_str_eq(rows[0].npi, "4444444448");
            ck_assert_int_eq(rows[0].paid, 9);
        }
    }
    hots_free(&hs);
    engine__run_data_free(&rd);
    ck_assert_int_eq(entries(), 0);
    rmdir(dir);
}
END_TEST

START_TEST(test_compact_stray_row)
{
    make_dir();
    run_data rd;
    memset(&rd, 0, sizeof rd);
    rd.spill_dir = dir;
    char err[512] = "";
    priced(&rd, "falls:P1:2027-01-05", "P1", 100);
    leak(&rd, "knee:P1:2027-03-01", "1111111112"); /* of no episode in rd->eps */
    ck_assert_int_eq(engine__spill_compact(&rd, NULL, 0, err, sizeof err), -EPROTO);
    ck_assert_ptr_nonnull(strstr(err, "knee:P1:2027-03-01"));
    ck_assert_uint_eq(rd.n_eps, 0); /* freed all the same */
    ck_assert_uint_eq(rd.n_leaks, 0);
    engine__run_data_free(&rd);
    rmdir(dir);
}
END_TEST

/* A template of the episodes folder as a catalog entry (its id all the ids below use). */
static void entry_of(const char *name, catalog_entry *ce)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s/template.json", getenv("CARA_EPISODES"), name);
    memset(ce, 0, sizeof *ce);
    ck_assert_msg(template_load(path, &ce->tmpl, err, sizeof err) == 0, "%s", err);
}

/* The ids pricing makes ("template:person:day 0") are not stored, only the person's;
 * any other id is kept whole. The hot log here writes every record to disk as a run of
 * its own (a budget of one byte), so each is read back from the file. The order
 * of the ids is strcmp's either way, checked over every pair of a set chosen for the
 * edges: a person id that is a prefix of another ("P1", "P10": '0' sorts before ':'),
 * one with a ':' or a '-' where another ends, two templates, two days of one person. */
START_TEST(test_hot_ids)
{
    make_dir();
    catalog_entry fp, fi;
    entry_of("falls_prevention", &fp);
    entry_of("functional_independence", &fi);
    run_data rd;
    memset(&rd, 0, sizeof rd);
    rd.spill_dir = dir;
    rd.sort_budget = 1;
    char err[512];
    static const struct { int t; const char *person, *day, *id; } v[] = {
        {0, "P1", "2027-01-05", NULL}, {0, "P1", "2027-03-01", NULL}, {0, "P10", "2027-01-05", NULL},
        {0, "P1:", "2027-01-05", NULL}, {0, "P1-", "2027-01-05", NULL}, {0, "P", "2028-12-31", NULL},
        {1, "P1", "2027-01-05", NULL}, {1, "P0", "2030-06-30", NULL},
        {0, "P2", "2027-01-05", "falls_prevention:P2:2027-01-05:b"}, /* not pricing's: kept */
        {1, "P3", "2027-02-02", "a"}};
    enum { N = sizeof v / sizeof v[0] };
    char want[N][HOT_ID_MAX];
    for (int i = 0; i < N; i++) {
        const catalog_entry *ce = v[i].t ? &fi : &fp;
        snprintf(want[i], sizeof want[i], "%s:%s:%s", template_id(ce->tmpl), v[i].person, v[i].day);
        if (v[i].id) snprintf(want[i], sizeof want[i], "%s", v[i].id);
        priced(&rd, want[i], v[i].person, 100 + i);
        rd.eps[rd.n_eps - 1].tmpl = ce;
        ck_assert_int_eq(date_parse(v[i].day, 10, &rd.eps[rd.n_eps - 1].day0), 0);
        ck_assert_int_eq(engine__spill_compact(&rd, NULL, 0, err, sizeof err), 0);
    }
    ck_assert_uint_eq(rd.n_hot, N);
    ck_assert_uint_eq(xsort_runs(rd.hlogs[0]), N - 1); /* the last is still in memory */
    char id[HOT_ID_MAX], id2[HOT_ID_MAX];
    hots hs = hots_of(&rd);
    for (int i = 0; i < N; i++) {
        const ep_hot *h = &hs.v[i];
        ck_assert_int_eq(h->own_id, v[i].id != NULL);
        ck_assert_str_eq(hot_episode_id(h, id), want[i]);
        ck_assert_str_eq(hot_person_id(h), v[i].person);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int a = hot_id_cmp(&hs.v[i], &hs.v[j]);
            int b = strcmp(hot_episode_id(&hs.v[i], id), hot_episode_id(&hs.v[j], id2));
            ck_assert_msg((a > 0) - (a < 0) == (b > 0) - (b < 0), "%s against %s: %d, strcmp %d",
                          id, id2, a, b);
        }
    /* read back by its place, the record's id is the one made */
    ep_rec r;
    leak_rec *rows;
    size_t n;
    const ep_hot *h = &hs.v[3];
    ck_assert_int_eq(ep_spill_read(rd.spills[EP_SPILL_INDEX(h->spill_at)], EP_SPILL_BYTE(h->spill_at),
                                   &r, &rows, &n, err, sizeof err), 0);
    ck_assert_str_eq(r.episode_id, "falls_prevention:P1::2027-01-05");
    hots_free(&hs);
    engine__run_data_free(&rd);
    template_free(fp.tmpl);
    template_free(fi.tmpl);
    ck_assert_int_eq(entries(), 0);
    rmdir(dir);
}
END_TEST

Suite *suite_ep_spill(void)
{
    Suite *s = suite_create("ep_spill");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_bad_folder);
    tcase_add_test(tc, test_dir_of);
    tcase_add_test(tc, test_compact);
    tcase_add_test(tc, test_compact_stray_row);
    tcase_add_test(tc, test_hot_ids);
    suite_add_tcase(s, tc);
    return s;
}
