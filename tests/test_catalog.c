/*
 * tests/test_catalog.c: catalog_open against hand-made episodes folders: the array grows
 * as entries arrive (a folder count is never trusted), and folder names and template ids
 * follow the one id grammar of ids.h. Run under `make SANITIZE=1 test` to see the heap
 * overflow the first test guards against.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_set.h"
#include "helpers.h"
#include "suites.h"

static char dir[64], eps[128];

/* dir/eps with a copy of falls_prevention ($CARA_EPISODES) and nothing else. */
static void setup(void)
{
    th_tmpdir(dir, "cara-catalog");
    snprintf(eps, sizeof eps, "%s/eps", dir);
    const char *src = getenv("CARA_EPISODES");
    ck_assert_msg(src != NULL, "CARA_EPISODES is not set (run through make test)");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir '%s' && cp -R '%s/falls_prevention' '%s/'", eps, src, eps);
    ck_assert_int_eq(th_sh(cmd), 0);
}

static void teardown(void) { th_rmdir(dir); }

/* Write an overlay of falls_prevention with id `id` into eps/<folder>/overlay.json. */
static void overlay(const char *folder, const char *id_json)
{
    char sub[256], cmd[512];
    snprintf(sub, sizeof sub, "%s/%s", eps, folder);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    ck_assert_int_eq(th_sh(cmd), 0);
    char doc[512];
    snprintf(doc, sizeof doc,
             "{\"id\": %s, \"version\": \"1.0.0\", \"aco_id\": \"A0001\", \"base\": {\"id\": "
             "\"falls_prevention\", \"version\": \"1.0.0\"}, \"approach\": \"default\", \"set\": "
             "{\"arrangement.discount_bps\": 200}}\n",
             id_json);
    free(th_write(sub, "overlay.json", doc));
}

static int open_cat(catalog *c, char *err, size_t errlen)
{
    return catalog_open(c, eps, getenv("CARA_PLUGINS"), NULL, NULL, NULL, err, errlen);
}

/* Two folders, two entries, the overlay sorting first: pass 1 loads aaa_a1 (entry 2 of
 * 2) and then still looks at falls_prevention. The old catalog sized its array by the
 * folder count and wrote that look-up into entry 3 of 2 (ASan: heap-buffer-overflow;
 * glibc: "free(): invalid pointer" at catalog_free). */
START_TEST(test_every_folder_an_entry)
{
    overlay("aaa_a1", "\"aaa_a1\"");
    catalog c;
    char err[2048];
    ck_assert_msg(open_cat(&c, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(c.n, 2);
    ck_assert_ptr_nonnull(catalog_find(&c, "aaa_a1"));
    ck_assert_ptr_nonnull(catalog_find(&c, "falls_prevention"));
    catalog_free(&c);
}
END_TEST

/* The reported case: an overlay written into common/ (PUT ... "id": "common"). The
 * folder of shared files is refused as a template folder, naming it. */
START_TEST(test_common_refused)
{
    overlay("common", "\"common\"");
    catalog c;
    char err[2048];
    ck_assert_int_lt(open_cat(&c, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "eps/common: folder name \"common\"") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "reserved") != NULL, "%s", err);
}
END_TEST

/* A folder name or an id that breaks the grammar: refused with the folder or file, the
 * value and the rule. */
START_TEST(test_bad_names_refused)
{
    catalog c;
    char err[2048];
    overlay("Bad_Name", "\"bad_name\"");
    ck_assert_int_lt(open_cat(&c, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "folder name \"Bad_Name\"") != NULL, "%s", err);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/Bad_Name'", eps);
    ck_assert_int_eq(th_sh(cmd), 0);
    /* an embedded NUL in the id (strlen would see "falls"): jansson refuses it at
     * parse time (no JSON_ALLOW_NUL); ids_check_template_id would too */
    overlay("falls_x", "\"falls\\u0000x\"");
    ck_assert_int_lt(open_cat(&c, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "falls_x/overlay.json:1:") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "\\u0000") != NULL, "%s", err);
    /* "..": the same message path */
    overlay("falls_x", "\"..\"");
    ck_assert_int_lt(open_cat(&c, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "id: \"..\"") != NULL, "%s", err);
}
END_TEST

Suite *suite_catalog(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_folder_an_entry);
    tcase_add_test(tc, test_common_refused);
    tcase_add_test(tc, test_bad_names_refused);
    suite_add_tcase(s, tc);
    return s;
}
