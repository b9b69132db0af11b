/*
 * tests/test_feed_equiv.c: one synthetic dataset in its three forms (the CSV input
 * layer, a CCLF delivery with an overlapping run-out in its zip bundle, debit/credit
 * versions, header-paid stays and denied claims; BCDA NDJSON), each loaded into its own
 * database through the CLI and run: the episodes, the arrangement payments and the
 * leakage report must be byte for byte the same; and the same on 1 and 3 threads.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "helpers.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];

static void setup(void) { th_tmpdir(dir, "cara-equiv"); }

static void teardown(void) { th_rmdir(dir); }

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[2048], inner[1536];
    snprintf(inner, sizeof inner, fmt, a, b);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", dir, inner);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *name) { return th_slurp(dir, name); }

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

START_TEST(test_three_forms_same_results)
{
    const char *bin = getenv("CARA_BIN"), *eps = getenv("CARA_EPISODES");
    ck_assert_msg(bin && eps, "run through make test");
    ck_assert_int_eq(sh("'%s' synth --out d --beneficiaries 1200 --seed 9 --format all >synth.out", bin, ""), 0);
    static const char *const forms[][2] = {{"csv", "d"}, {"cclf", "d/cclf"}, {"fhir", "d/fhir"}};
    for (int i = 0; i < 3; i++) {
        char fmt[1024];
        snprintf(fmt, sizeof fmt,
                 "'%%s' --db %s.db --episodes '%%s' load %s >%s.load 2>&1 && "
                 "'%%1$s' --db %s.db --episodes '%%2$s' run >%s.run 2>&1 && "
                 "for by in episode arrangement leakage; do '%%1$s' --db %s.db report --run 1 "
                 "--by $by --format csv >%s.$by.csv || exit 1; done",
                 forms[i][0], forms[i][1], forms[i][0], forms[i][0], forms[i][0], forms[i][0],
                 forms[i][0]);
        ck_assert_msg(sh(fmt, bin, eps) == 0, "%s form failed", forms[i][0]);
    }
    /* the same data on 1 and 3 threads: the same results, byte for byte */
    ck_assert_int_eq(sh("'%s' --db csv.db --episodes '%s' run --threads 1 >/dev/null 2>&1 && "
                        "'%1$s' --db csv.db --episodes '%2$s' run --threads 3 >/dev/null 2>&1",
                        bin, eps), 0);
    for (int run = 2; run <= 3; run++) {
        char fmt[512];
        snprintf(fmt, sizeof fmt, "for by in episode arrangement leakage; do '%%s' --db csv.db report "
                 "--run %d --by $by --format csv >threads%d.$by.csv || exit 1; done", run, run);
        ck_assert_int_eq(sh(fmt, bin, ""), 0);
    }
    static const char *const byes[] = {"episode", "arrangement", "leakage"};
    for (int r = 0; r < 3; r++) {
        char a[64], b[64], c[64];
        snprintf(a, sizeof a, "csv.%s.csv", byes[r]);
        snprintf(b, sizeof b, "threads2.%s.csv", byes[r]);
        snprintf(c, sizeof c, "threads3.%s.csv", byes[r]);
        char *x = slurp(a), *y = slurp(b), *z = slurp(c);
        ck_assert_msg(!strcmp(x, y) && !strcmp(x, z), "%s differs between thread counts", byes[r]);
        free(x);
        free(y);
        free(z);
    }
    /* the CCLF form as CMS delivers it: the run-out (repeating December's records) in its
     * zip bundle; cancellations (debit/credit), denied claims, header-paid stays and HICN
     * crosswalk rows in the monthly delivery */
    char *load = slurp("cclf.load");
    ck_assert_msg(strstr(load, "D280915: loaded") && strstr(load, "a CCLF bundle of 9 files") &&
                  strstr(load, "HICN crosswalk rows (not used)"), "%s", load);
    const char *d1 = strstr(load, "D280115: loaded"), *eol = d1 ? strchr(d1, '\n') : NULL;
    ck_assert_msg(d1 && eol, "%s", load);
    static const char *const none[] = {" 0 cancellations", " 0 denied",
                                       " 0 priced at the claim payment"};
    for (int i = 0; i < 3; i++) {
        const char *at = strstr(d1, none[i]);
        ck_assert_msg(!at || at > eol, "%.*s", (int)(eol - d1), d1);
    }
    free(load);
    static const char *const reports[] = {"episode", "arrangement", "leakage"};
    for (int r = 0; r < 3; r++) {
        char name[64];
        snprintf(name, sizeof name, "csv.%s.csv", reports[r]);
        char *want = slurp(name);
        ck_assert_msg(count_lines(want) > 5, "%s is too small to compare:\n%s", name, want);
        for (int i = 1; i < 3; i++) {
            snprintf(name, sizeof name, "%s.%s.csv", forms[i][0], reports[r]);
            char *got = slurp(name);
            ck_assert_msg(strcmp(want, got) == 0, "%s differs from csv.%s.csv", name, reports[r]);
            free(got);
        }
        free(want);
    }
}
END_TEST

Suite *suite_feed_equiv(void)
{
    Suite *s = suite_create("feed_equiv");
    TCase *tc = tcase_create("equiv");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_three_forms_same_results);
    suite_add_tcase(s, tc);
    return s;
}
