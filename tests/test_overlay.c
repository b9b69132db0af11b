/*
 * tests/test_overlay.c: the customizable policy of a base template and ACO overlays:
 * what each approach may change, bounds, types, and the effective template.
 */
#include <check.h>
#include <string.h>

#include "catalog/overlay.h"
#include "suites.h"

static const char BASE[] =
    "{\"id\": \"falls\", \"version\": \"1.0.0\", \"episode_type\": \"falls_prevention\","
    " \"window\": {\"post_days\": 179},"
    " \"code_lists\": {\"FALL_RISK_DX\": [\"Z9181\", \"R296\"]},"
    " \"pricing\": {\"trend_bps\": 300},"
    " \"quality\": {\"measure\": \"codes_within_days\", \"days\": 30},"
    " \"arrangement\": {\"discount_bps\": 0},"
    " \"customizable\": {"
    "   \"arrangement.discount_bps\": {\"approach\": \"default\", \"min\": -500, \"max\": 500},"
    "   \"quality.measure\": {\"approach\": \"default\", \"values\": [\"codes_within_days\", \"no_admission_in_window\"]},"
    "   \"window.post_days\": {\"approach\": \"max_flex\", \"min\": 89, \"max\": 364},"
    "   \"code_lists.FALL_RISK_DX\": {\"approach\": \"max_flex\"}}}";

static cara_template *base;

static void setup(void)
{
    char err[256];
    ck_assert_int_eq(template_parse("base.json", BASE, sizeof BASE - 1, &base, err, sizeof err), 0);
}

static void teardown(void) { template_free(base); }

/* Apply an overlay with the given approach and "set" body; returns the problems (all
 * joined in out) and the effective template in *t (when none). */
static int apply(const char *approach, const char *set, char *out, size_t len, cara_template **t)
{
    char doc[2048];
    snprintf(doc, sizeof doc,
             "{\"id\": \"falls_a1\", \"version\": \"2.0.0\", \"aco_id\": \"A1\","
             " \"base\": {\"id\": \"falls\", \"version\": \"1.0.0\"},"
             " \"approach\": \"%s\", \"set\": {%s}}", approach, set);
    cara_diag d = {0};
    json_t *j;
    overlay_info info;
    int n = overlay_parse("o.json", doc, strlen(doc), &j, &info, &d);
    *t = NULL;
    if (n == 0) n = overlay_apply("o.json", j, base, t, &d);
    out[0] = '\0';
    for (size_t i = 0; i < d.n; i++) {
        strncat(out, d.items[i], len - strlen(out) - 2);
        strcat(out, "\n");
    }
    diag_free(&d);
    json_decref(j);
    return n;
}

/* The base's own policy is well formed. */
START_TEST(test_policy_ok)
{
    cara_diag d = {0};
    ck_assert_int_eq(overlay_check_policy(base, &d), 0);
}
END_TEST

/* A bad policy: a missing parameter, an unknown approach, bounds on a string, a
 * protected key. */
START_TEST(test_policy_errors)
{
    static const char bad[] =
        "{\"id\": \"x\", \"version\": \"1\", \"episode_type\": \"e\", \"window\": {\"post_days\": 30},"
        " \"quality\": {\"measure\": \"m\"},"
        " \"customizable\": {\"window.pre_days\": {\"approach\": \"default\"},"
        "   \"quality.measure\": {\"approach\": \"sometimes\", \"min\": 1},"
        "   \"window.post_days\": {\"approach\": \"max_flex\", \"min\": 89, \"max\": 364},"
        "   \"id\": {\"approach\": \"default\"}}}";
    cara_template *t;
    char err[256];
    ck_assert_int_eq(template_parse("bad.json", bad, sizeof bad - 1, &t, err, sizeof err), 0);
    cara_diag d = {0};
    ck_assert_int_eq(overlay_check_policy(t, &d), 4);
    char all[2048] = "";
    for (size_t i = 0; i < d.n; i++) strcat(strcat(all, d.items[i]), "\n");
    ck_assert_msg(strstr(all, "customizable.window.pre_days: names no parameter"), "%s", all);
    ck_assert_msg(strstr(all, "customizable.quality.measure: approach must be"), "%s", all);
    ck_assert_msg(strstr(all, "customizable.quality.measure: min and max bound integers"), "%s", all);
    /* the base's own 30 lies outside 89..364: allowed (bounds limit ACOs, not CMS) */
    ck_assert_msg(!strstr(all, "customizable.window.post_days"), "%s", all);
    ck_assert_msg(strstr(all, "customizable: \"id\" can never be customized"), "%s", all);
    diag_free(&d);
    template_free(t);
}
END_TEST

/* Default approach: the discount within bounds is applied; the effective template has
 * the overlay's id and version, names its base, keeps everything else. */
START_TEST(test_default_discount)
{
    char out[2048];
    cara_template *t;
    ck_assert_int_eq(apply("default", "\"arrangement.discount_bps\": -250", out, sizeof out, &t), 0);
    int64_t v;
    ck_assert_int_eq(template_host_int(t, "arrangement.discount_bps", &v), 0);
    ck_assert_int_eq(v, -250);
    ck_assert_str_eq(template_id(t), "falls_a1");
    ck_assert_str_eq(template_version(t), "2.0.0");
    ck_assert_str_eq(template_host_str(t, "base.id"), "falls");
    ck_assert_str_eq(template_host_str(t, "aco_id"), "A1");
    ck_assert_int_eq(template_host_int(t, "window.post_days", &v), 0);
    ck_assert_int_eq(v, 179);
    template_free(t);
    /* the base is untouched */
    ck_assert_int_eq(template_host_int(base, "arrangement.discount_bps", &v), 0);
    ck_assert_int_eq(v, 0);
}
END_TEST

/* Refusals, each naming the parameter, the value and the rule or bound. */
static const struct {
    const char *approach, *set, *msg;
} refusals[] = {
    {"default", "\"window.post_days\": 119",
     "set.window.post_days: may not be changed under the Default approach"},
    {"default", "\"code_lists.FALL_RISK_DX\": [\"Z9181\"]",
     "set.code_lists.FALL_RISK_DX: may not be changed under the Default approach"},
    {"default", "\"arrangement.discount_bps\": 600",
     "set.arrangement.discount_bps: 600 is above the maximum 500 the base allows"},
    {"default", "\"arrangement.discount_bps\": -501",
     "set.arrangement.discount_bps: -501 is below the minimum -500 the base allows"},
    {"max_flex", "\"window.post_days\": 400",
     "set.window.post_days: 400 is above the maximum 364 the base allows"},
    {"max_flex", "\"pricing.trend_bps\": 100",
     "set.pricing.trend_bps: may not be changed by an ACO: the base falls keeps it for CMS"},
    {"max_flex", "\"window.post_days\": \"119\"",
     "set.window.post_days: is a string, but the base's value is an integer"},
    {"max_flex", "\"code_lists.FALL_RISK_DX\": [1, 2]",
     "set.code_lists.FALL_RISK_DX: must be an array of strings (code patterns), like the base's"},
    {"default", "\"quality.measure\": \"fewer_falls\"",
     "set.quality.measure: \"fewer_falls\" is not one of the values the base allows"},
    {"max_flex", "\"window.nope\": 1", "set.window.nope: the base falls has no parameter"},
};

START_TEST(test_refusals)
{
    char out[2048];
    cara_template *t;
    ck_assert_int_ge(apply(refusals[_i].approach, refusals[_i].set, out, sizeof out, &t), 1);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(out, refusals[_i].msg), "got:\n%s", out);
}
END_TEST

/* Max Flex: a window and a code list change together. */
START_TEST(test_max_flex)
{
    char out[2048];
    cara_template *t;
    ck_assert_int_eq(apply("max_flex", "\"window.post_days\": 119, \"code_lists.FALL_RISK_DX\": [\"Z9181\"], "
                                       "\"arrangement.discount_bps\": 100", out, sizeof out, &t), 0);
    int64_t v;
    template_host_int(t, "window.post_days", &v);
    ck_assert_int_eq(v, 119);
    ck_assert_int_eq(template_host_len(t, "code_lists.FALL_RISK_DX"), 1);
    template_free(t);
}
END_TEST

/* The overlay header: required members and unknown ones; a base version mismatch. */
START_TEST(test_overlay_header)
{
    cara_diag d = {0};
    json_t *j;
    overlay_info info;
    static const char doc[] = "{\"id\": \"o\", \"base\": {\"id\": \"falls\"}, \"approach\": \"lots\", \"extra\": 1}";
    ck_assert_int_eq(overlay_parse("o.json", doc, sizeof doc - 1, &j, &info, &d), 5);
    json_decref(j);
    diag_free(&d);
    static const char old[] = "{\"id\": \"o\", \"version\": \"1\", \"base\": {\"id\": \"falls\", \"version\": \"0.9.0\"},"
                              " \"approach\": \"default\", \"set\": {}}";
    ck_assert_int_eq(overlay_parse("o.json", old, sizeof old - 1, &j, &info, &d), 0);
    cara_template *t;
    ck_assert_int_eq(overlay_apply("o.json", j, base, &t, &d), 1);
    ck_assert_str_eq(d.items[0], "base: names falls 0.9.0, but the base template found is falls 1.0.0");
    json_decref(j);
    diag_free(&d);
}
END_TEST

Suite *suite_overlay(void)
{
    Suite *s = suite_create("overlay");
    TCase *tc = tcase_create("overlay");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_policy_ok);
    tcase_add_test(tc, test_policy_errors);
    tcase_add_test(tc, test_default_discount);
    tcase_add_loop_test(tc, test_refusals, 0, (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(tc, test_max_flex);
    tcase_add_test(tc, test_overlay_header);
    suite_add_tcase(s, tc);
    return s;
}
