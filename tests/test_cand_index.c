/*
 * tests/test_cand_index.c: the candidate index (core/engine/cand_index.c) gives every
 * episode the candidates the scan (engine__candidates) gives, in the same order, on every
 * day, and hands one shared set to all the days between two change days.
 *
 * A hand-made world (2027):
 *   ACOs A1, A2, A3. Templates falls (a base), falls_a1 (A1's overlay of falls: family
 *   falls) and knee (a base).
 *   Participant TINs: T1 A1 all year; T2 A1 all year; T3 A2 to 08-31, A1 from 09-01 (so
 *   A2's Preferred Provider P3/T3 leaves A2's network on 09-01).
 *   EBRAs, in arrangement order:
 *     E01 A1 P1/T1 falls     from 01-01, open
 *     E02 A1 P2/T2 falls     03-01 to 06-30 (the trigger day boundaries)
 *     E03 A2 P3/T3 falls     01-01 to 12-31
 *     E04 A1 P1/T1 falls_a1  from 02-01, open (P1 in two arrangements of A1)
 *     E05 A2 P1/T1 knee      from 01-01 (P1 in a third: but T1 is A1's, so never in A2's
 *                            network)
 *     E06 A3 P4/T4 knee      from 01-01 (A3 has none for falls)
 */
#include <check.h>
#include <string.h>

#include "base/date.h"
#include "engine/engine_internal.h"
#include "suites.h"

static cara_date D(const char *s)
{
    cara_date d;
    ck_assert_int_eq(date_parse(s, 10, &d), 0);
    return d;
}

typedef struct world {
    ref_arrangement arrs[6];
    run_data rd;
} world;

static void arr(ref_arrangement *a, const char *id, const char *aco, const char *npi,
                const char *tin, const char *tmpl, const char *family, const char *start,
                const char *end)
{
    memset(a, 0, sizeof *a);
    a->arrangement_id = (char *)id;
    a->aco_id = (char *)aco;
    a->npi = (char *)npi;
    a->tin = (char *)tin;
    a->template_id = (char *)tmpl;
    a->family = (char *)family;
    a->track = (char *)"global";
    a->specialty = (char *)"";
    a->start = D(start);
    a->end = end ? D(end) : CARA_DATE_NONE;
}

static void world_make(world *w)
{
    memset(w, 0, sizeof *w);
    arr(&w->arrs[0], "E01", "A1", "P1", "T1", "falls", "falls", "2027-01-01", NULL);
    arr(&w->arrs[1], "E02", "A1", "P2", "T2", "falls", "falls", "2027-03-01", "2027-06-30");
    arr(&w->arrs[2], "E03", "A2", "P3", "T3", "falls", "falls", "2027-01-01", "2027-12-31");
    arr(&w->arrs[3], "E04", "A1", "P1", "T1", "falls_a1", "falls", "2027-02-01", NULL);
    arr(&w->arrs[4], "E05", "A2", "P1", "T1", "knee", "knee", "2027-01-01", NULL);
    arr(&w->arrs[5], "E06", "A3", "P4", "T4", "knee", "knee", "2027-01-01", NULL);
    w->rd.arrs = w->arrs;
    w->rd.n_arrs = 6;
    network_span tins[] = {
        {.aco_id = "A1", .tin = "T1", .start = D("2027-01-01"), .end = CARA_DATE_NONE},
        {.aco_id = "A1", .tin = "T2", .start = D("2027-01-01"), .end = CARA_DATE_NONE},
        {.aco_id = "A2", .tin = "T3", .start = D("2027-01-01"), .end = D("2027-08-31")},
        {.aco_id = "A1", .tin = "T3", .start = D("2027-09-01"), .end = CARA_DATE_NONE},
    };
    network_span pps[6];
    for (int i = 0; i < 6; i++)
        pps[i] = (network_span){.aco_id = w->arrs[i].aco_id, .npi = w->arrs[i].npi,
                                .tin = w->arrs[i].tin, .start = w->arrs[i].start,
                                .end = w->arrs[i].end};
    ck_assert_int_eq(network_build(&w->rd.net, tins, 4, pps, 6), 0);
}

/* A beneficiary aligned as spans says: up to three (aco, start, end). */
typedef struct bene {
    cara_alignment al[3];
    cara_beneficiary b;
} bene;

static void bene_make(bene *x, int n, const char *aco0, const char *s0, const char *e0,
                      const char *aco1, const char *s1, const char *e1)
{
    memset(x, 0, sizeof *x);
    const char *aco[2] = {aco0, aco1}, *s[2] = {s0, s1}, *e[2] = {e0, e1};
    for (int i = 0; i < n; i++)
        x->al[i] = (cara_alignment){aco[i], D(s[i]), e[i] ? D(e[i]) : CARA_DATE_NONE};
    x->b.struct_size = sizeof x->b;
    x->b.person_id = "B";
    x->b.birth = x->b.death = CARA_DATE_NONE;
    x->b.enrollment = (cara_array){NULL, 0, sizeof(cara_enrollment)};
    x->b.alignment = (cara_array){n ? x->al : NULL, (size_t)n, sizeof x->al[0]};
}

/* The ids of a set, comma separated, into out. */
static const char *ids(const ref_arrangement *const *v, size_t n, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) strncat(out, ",", len - strlen(out) - 1);
        strncat(out, v[i]->arrangement_id, len - strlen(out) - 1);
    }
    return out;
}

/* The index's answer on day (a date), as ids. */
static const char *look(cand_index *ix, const char *tmpl, const char *family, const bene *x,
                        const char *day, char *out, size_t len)
{
    const cand_set *s = engine__cand_lookup(ix, tmpl, family, &x->b, D(day));
    ck_assert_ptr_nonnull(s);
    return ids(s->v, s->n, out, len);
}

START_TEST(test_boundaries)
{
    world w;
    world_make(&w);
    cand_index ix;
    engine__cand_index_init(&ix, &w.rd);
    bene a1;
    bene_make(&a1, 1, "A1", "2027-01-01", NULL, NULL, NULL, NULL);
    char buf[128];
    /* E02 from its first day through its last (E04, on the overlay, after the base's) */
    ck_assert_str_eq(look(&ix, "falls", "falls", &a1, "2027-02-28", buf, sizeof buf),
                     "E01,E04");
    ck_assert_str_eq(look(&ix, "falls", "falls", &a1, "2027-03-01", buf, sizeof buf),
                     "E01,E02,E04");
    ck_assert_str_eq(look(&ix, "falls", "falls", &a1, "2027-06-30", buf, sizeof buf),
                     "E01,E02,E04");
    ck_assert_str_eq(look(&ix, "falls", "falls", &a1, "2027-07-01", buf, sizeof buf),
                     "E01,E04");
    /* the overlay's own arrangement first, then the family's */
    ck_assert_str_eq(look(&ix, "falls_a1", "falls", &a1, "2027-01-31", buf, sizeof buf),
                     "E01");
    ck_assert_str_eq(look(&ix, "falls_a1", "falls", &a1, "2027-02-01", buf, sizeof buf),
                     "E04,E01");
    ck_assert_str_eq(look(&ix, "falls_a1", "falls", &a1, "2027-03-01", buf, sizeof buf),
                     "E04,E01,E02");
    /* the base sees the overlay's arrangement after its own (from its first day) */
    ck_assert_str_eq(look(&ix, "falls", "falls", &a1, "2027-04-01", buf, sizeof buf),
                     "E01,E02,E04");
    /* before the arrangements and before the alignment */
    ck_assert_str_eq(look(&ix, "falls", "falls", &a1, "2026-12-31", buf, sizeof buf), "");
    /* A2: P3/T3 leaves A2's network when T3 joins A1 (09-01); P1/T1 is never A2's */
    bene a2;
    bene_make(&a2, 1, "A2", "2027-01-01", NULL, NULL, NULL, NULL);
    ck_assert_str_eq(look(&ix, "falls", "falls", &a2, "2027-08-31", buf, sizeof buf), "E03");
    ck_assert_str_eq(look(&ix, "falls", "falls", &a2, "2027-09-01", buf, sizeof buf), "");
    ck_assert_str_eq(look(&ix, "knee", "knee", &a2, "2027-05-01", buf, sizeof buf), "");
    /* A3 has no arrangement for falls; it has one for knee */
    bene a3;
    bene_make(&a3, 1, "A3", "2027-01-01", NULL, NULL, NULL, NULL);
    ck_assert_str_eq(look(&ix, "falls", "falls", &a3, "2027-05-01", buf, sizeof buf), "");
    ck_assert_str_eq(look(&ix, "knee", "knee", &a3, "2027-05-01", buf, sizeof buf), "E06");
    /* aligned to two ACOs on the same day: the merge, in arrangement order */
    bene two;
    bene_make(&two, 2, "A2", "2027-01-01", NULL, "A1", "2027-03-01", "2027-03-31");
    ck_assert_str_eq(look(&ix, "falls", "falls", &two, "2027-03-15", buf, sizeof buf),
                     "E01,E02,E03,E04");
    ck_assert_str_eq(look(&ix, "falls_a1", "falls", &two, "2027-03-15", buf, sizeof buf),
                     "E04,E01,E02,E03");
    ck_assert_str_eq(look(&ix, "falls", "falls", &two, "2027-04-01", buf, sizeof buf), "E03");
    /* one set for all the days between two change days */
    const cand_set *s1 = engine__cand_lookup(&ix, "falls", "falls", &a1.b, D("2027-07-01"));
    const cand_set *s2 = engine__cand_lookup(&ix, "falls", "falls", &a1.b, D("2027-11-30"));
    ck_assert_ptr_eq(s1, s2);
    ck_assert_int_eq(s1->shared, 1);
    engine__cand_index_free(&ix);
    network_free(&w.rd.net);
}
END_TEST

/* Every day of 2026-12-20 .. 2028-01-10, every template, several alignments: the index
 * and the scan agree; the index makes a set per segment, not per day. */
START_TEST(test_agrees_with_scan)
{
    world w;
    world_make(&w);
    cand_index ix;
    engine__cand_index_init(&ix, &w.rd);
    bene bs[6];
    bene_make(&bs[0], 1, "A1", "2027-01-01", NULL, NULL, NULL, NULL);
    bene_make(&bs[1], 1, "A2", "2027-02-15", "2027-10-15", NULL, NULL, NULL);
    bene_make(&bs[2], 1, "A3", "2027-01-01", NULL, NULL, NULL, NULL);
    bene_make(&bs[3], 0, NULL, NULL, NULL, NULL, NULL, NULL);
    bene_make(&bs[4], 2, "A1", "2027-01-01", "2027-06-30", "A2", "2027-07-01", NULL);
    bene_make(&bs[5], 2, "A1", "2027-01-01", NULL, "A2", "2027-05-01", "2027-09-30");
    static const char *const tm[][2] = {{"falls", "falls"}, {"falls_a1", "falls"},
                                        {"knee", "knee"}};
    const ref_arrangement *scan[6];
    char want[128], got[128];
    size_t lookups = 0;
    for (cara_date d = D("2026-12-20"); d <= D("2028-01-10"); d++)
        for (size_t t = 0; t < 3; t++)
            for (size_t k = 0; k < 6; k++) {
                size_t n = engine__candidates(&w.rd, tm[t][0], tm[t][1], &bs[k].b, d, scan);
                const cand_set *s = engine__cand_lookup(&ix, tm[t][0], tm[t][1], &bs[k].b, d);
                ck_assert_ptr_nonnull(s);
                ids(scan, n, want, sizeof want);
                ids(s->v, s->n, got, sizeof got);
                if (strcmp(want, got)) {
                    char day[11];
                    date_format(d, day);
                    ck_abort_msg("%s %s bene %zu: scan %s, index %s", tm[t][0], day, k, want, got);
                }
                lookups++;
            }
    ck_assert_uint_gt(lookups, 5000);
    ck_assert_uint_lt(ix.made, 60);
    engine__cand_index_free(&ix);
    network_free(&w.rd.net);
}
END_TEST

Suite *suite_cand_index(void)
{
    Suite *s = suite_create("cand_index");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_boundaries);
    tcase_add_test(tc, test_agrees_with_scan);
    suite_add_tcase(s, tc);
    return s;
}
