/*
 * tests/test_template_validate.c: template validation (core/catalog/template_schema.c,
 * core/catalog/template_check.c, core/catalog/overlay_aco.c): every member's type, range and allowed
 * values with its JSON path, unknown members, numbers given as strings, every bad code
 * pattern, the cross-checks, an overlay's aco_id against the store, and a template with
 * its risky members at their boundaries that validates and runs its rules cleanly.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "catalog/overlay_aco.h"
#include "suites.h"
#include "catalog/template_schema.h"

/* A complete, valid template (the shared members only: no plugin is involved here). */
static const char VALID[] =
    "{\"id\": \"t\", \"version\": \"1.0.0\", \"episode_type\": \"declarative\","
    " \"window\": {\"post_days\": 89},"
    " \"code_lists\": {\"EVAL\": [\"97161\", \"9716?\"], \"BILL\": [\"11?\"]},"
    " \"triggers\": {\"A\": {\"base_cents\": 200000, \"description\": \"an evaluation\"}},"
    " \"pricing\": {\"base_year\": 2025, \"trend_bps\": 300,"
    "   \"age_factors\": [{\"min_age\": 0, \"factor\": 10000}, {\"min_age\": 75, \"factor\": 10800}],"
    "   \"hcc_lookback_days\": 180, \"hcc_factors\": [8500, 10000, 11200],"
    "   \"dual_factor\": 11000, \"non_dual_factor\": 10000, \"winsorize_percentile_bps\": 9900},"
    " \"arrangement\": {\"discount_bps\": 0, \"discount_min_bps\": -500, \"discount_max_bps\": 500,"
    "   \"savings_share_bps\": 5000, \"loss_share_bps\": 5000, \"stop_gain_bps\": 2000,"
    "   \"stop_loss_bps\": 2000, \"min_episodes\": 10,"
    "   \"track_share_caps\": {\"professional\": 5000, \"global\": 10000}},"
    " \"quality\": {\"measure\": \"no_admission_in_window\", \"bill_types\": [\"11?\"],"
    "   \"qa_savings_bps\": 1000, \"qa_loss_bps\": 1500},"
    " \"attribution\": {\"method\": \"trigger_then_plurality\", \"plurality_days\": 30,"
    "   \"plurality_codes\": \"EVAL\"}}";

/* Set root's member at the dotted path (objects only; created as needed) to the JSON
 * text value, or remove it when value is NULL. */
static void set_path(json_t *root, const char *path, const char *value)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *o = root;
    char *key = buf;
    for (char *dot; (dot = strchr(key, '.')); key = dot + 1) {
        *dot = '\0';
        json_t *next = json_object_get(o, key);
        if (!next) json_object_set_new(o, key, next = json_object());
        o = next;
    }
    if (!value) {
        json_object_del(o, key);
        return;
    }
    json_error_t je;
    json_t *v = json_loads(value, JSON_DECODE_ANY, &je);
    ck_assert_msg(v != NULL, "bad test value %s: %s", value, je.text);
    json_object_set_new(o, key, v);
}

/* The problems of VALID with the changes applied (path, value pairs ending with NULL),
 * joined into out one per line; returns their number. */
static int problems(char *out, size_t len, int overlay, const char *const *changes)
{
    json_error_t je;
    json_t *root = json_loads(VALID, JSON_REJECT_DUPLICATES, &je);
    ck_assert_msg(root != NULL, "VALID: %s", je.text);
    for (const char *const *c = changes; c && *c; c += 2) set_path(root, c[0], c[1]);
    cara_diag d = {0};
    int n = template_schema_check(root, overlay, &d);
    ck_assert_int_eq(n, (int)d.n);
    out[0] = '\0';
    for (size_t i = 0; i < d.n; i++) {
        strncat(out, d.items[i], len - strlen(out) - 2);
        strcat(out, "\n");
    }
    diag_free(&d);
    json_decref(root);
    return n;
}

#define CHANGES(...) ((const char *const[]){__VA_ARGS__, NULL})

START_TEST(test_valid_passes)
{
    char out[4096];
    ck_assert_msg(problems(out, sizeof out, 0, NULL) == 0, "%s", out);
}
END_TEST

/* Each refused alone, with its path and what is expected (issue 13: all five of these
 * used to validate and then fail inside the Lua rules). */
static const struct {
    const char *path, *value, *msg;
} refused[] = {
    {"pricing.trend_bps", "\"abc\"",
     "pricing.trend_bps: \"abc\" is a string; expected an integer from -10000 to 10000\n"},
    {"pricing.hcc_factors", "[]",
     "pricing.hcc_factors: [] has 0 elements; expected 1 to 100 (factors x 10,000 for an HCC "
     "count of 0, 1, 2, ...; the last applies to every larger count)\n"},
    {"arrangement.savings_share_bps", "250000",
     "arrangement.savings_share_bps: 250000 is out of range; expected an integer from 0 to 10000\n"},
    {"quality.measure", "\"bogus\"",
     "quality.measure: \"bogus\" is not a known value; expected one of \"codes_within_days\", "
     "\"no_admission_in_window\"\n"},
    /* a number given as a string */
    {"window.post_days", "\"179\"",
     "window.post_days: \"179\" is a string; expected an integer from 0 to 3650 (write the "
     "number without quotes: 179)\n"},
    {"pricing.dual_factor", "1.1",
     "pricing.dual_factor: 1.1 is a decimal number; expected an integer from 1 to 100000\n"},
    {"arrangement.stop_loss_bps", "-1",
     "arrangement.stop_loss_bps: -1 is out of range; expected an integer from 0 to 10000\n"},
    {"arrangement.min_episodes", "0",
     "arrangement.min_episodes: 0 is out of range; expected an integer from 1 to 1000000\n"},
    {"pricing.winsorize_percentile_bps", "0",
     "pricing.winsorize_percentile_bps: 0 is out of range; expected an integer from 1 to 10000\n"},
    {"pricing.trend_bps", NULL, "pricing.trend_bps: required but missing; expected an integer "
                                "from -10000 to 10000\n"},
    {"pricing.trend", "300", "pricing.trend: unknown member (did you mean \"trend_bps\"?); "
                             "pricing allows base_year, trend_bps, age_factors"},
    {"qualty", "{}", "qualty: unknown member (did you mean \"quality\"?); the top level allows id,"},
    {"arrangement.track_share_caps.globl", "10000",
     "arrangement.track_share_caps.globl: unknown member (did you mean \"global\"?)"},
    {"triggers.A.base_cents", "\"2000.00\"",
     "triggers.A.base_cents: \"2000.00\" is a string; expected an integer from 1 to 100000000000\n"},
    {"triggers.B", "{\"description\": \"no price\"}",
     "triggers.B.base_cents: required but missing; expected an integer from 1 to 100000000000\n"},
    {"triggers", "{}", "triggers: {} has no members; expected at least 1"},
    {"code_lists.EVAL", "\"97161\"", "code_lists.EVAL: \"97161\" is a string; expected an array of code patterns"},
    {"aco_id", "\"A0001\"", "aco_id: only an ACO overlay has this member"},
    {"pricing.risk_method", "\"hcc\"", "pricing.risk_method: \"hcc\" is not a known value; expected "
                                       "one of \"hcc_count\", \"cms_hcc_v28\""},
    {"pricing.risk.coding_intensity_bps", "\"590\"", "pricing.risk.coding_intensity_bps: \"590\" is a string"},
    {"attribution.plurality_codes", "\"EVAl\"",
     "attribution.plurality_codes: \"EVAl\" names no list of code_lists (did you mean \"EVAL\"?)\n"},
    {"parameters.days", "\"3\"", "parameters.days: \"3\" is a string; expected an integer"},
};

START_TEST(test_refused)
{
    char out[4096];
    const char *const ch[] = {refused[_i].path, refused[_i].value, NULL};
    int n = problems(out, sizeof out, 0, ch);
    ck_assert_msg(n == 1, "%s = %s: %d problems:\n%s", refused[_i].path,
                  refused[_i].value ? refused[_i].value : "(removed)", n, out);
    ck_assert_msg(strstr(out, refused[_i].msg), "expected\n  %s\ngot\n  %s", refused[_i].msg, out);
}
END_TEST

/* Several problems at once: every one is reported, each with its path. */
START_TEST(test_all_reported)
{
    char out[8192];
    int n = problems(out, sizeof out, 0,
                     CHANGES("pricing.trend_bps", "\"abc\"", "pricing.hcc_factors", "[]",
                             "arrangement.savings_share_bps", "250000", "quality.measure", "\"bogus\"",
                             "window.post_days", "\"179\"", "pricing.extra", "1"));
    ck_assert_msg(n == 6, "%d problems:\n%s", n, out);
    static const char *const paths[] = {"pricing.trend_bps: ", "pricing.hcc_factors: ",
                                        "arrangement.savings_share_bps: ", "quality.measure: ",
                                        "window.post_days: ", "pricing.extra: "};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        ck_assert_msg(strstr(out, paths[i]), "no %s in\n%s", paths[i], out);
}
END_TEST

/* Every bad pattern of a list is reported at its own index (not only the first), and a
 * non-string element too. */
START_TEST(test_every_pattern)
{
    char out[4096];
    int n = problems(out, sizeof out, 0,
                     CHANGES("code_lists.EVAL", "[\"97161\", \"s720*\", \"9716?\", \"S7 20\", 42, \"*\"]"));
    ck_assert_msg(n == 4, "%d problems:\n%s", n, out);
    ck_assert_msg(strstr(out, "code_lists.EVAL.1: \"s720*\": lowercase character 's' at position 1"), "%s", out);
    ck_assert_msg(strstr(out, "code_lists.EVAL.3: \"S7 20\": unexpected character ' ' at position 3"), "%s", out);
    ck_assert_msg(strstr(out, "code_lists.EVAL.4: 42 is an integer; expected a code pattern (a string)"), "%s", out);
    ck_assert_msg(strstr(out, "code_lists.EVAL.5: \"*\": "), "%s", out);
    ck_assert_msg(!strstr(out, "EVAL.0") && !strstr(out, "EVAL.2"), "%s", out);
    /* the quality measure's code list too */
    n = problems(out, sizeof out, 0, CHANGES("quality.bill_types", "[\"11?\", \"1-\"]"));
    ck_assert_msg(n == 1 && strstr(out, "quality.bill_types.1: \"1-\": "), "%s", out);
}
END_TEST

/* Cross-checks between members: each change (path, value pairs) gives one problem. */
static const struct {
    const char *changes[5], *msg;
} crossed[] = {
    /* 8500, 10000, 9000: the factor for 2 HCCs is below the one for 1 */
    {{"pricing.hcc_factors", "[8500, 10000, 9000]"},
     "pricing.hcc_factors.2: 9000 is below the factor 10000 for one HCC fewer"},
    {{"pricing.age_factors", "[{\"min_age\": 75, \"factor\": 10800}, {\"min_age\": 65, \"factor\": 10000}]"},
     "pricing.age_factors.1.min_age: 65 is not above the previous band's 75"},
    {{"arrangement.discount_bps", "600"},
     "arrangement.discount_bps: 600 is outside discount_min_bps..discount_max_bps (-500 to 500)"},
    {{"arrangement.discount_min_bps", "501"}, "arrangement.discount_min_bps: 501 is above discount_max_bps 500"},
    {{"quality.measure", "\"codes_within_days\"", "quality.days", "30"}, "quality.codes: required but missing"},
    {{"quality.measure", "\"codes_within_days\"", "quality.codes", "[\"3288F\"]"}, "quality.days: required but missing"},
    {{"quality.bill_types", NULL}, "quality.bill_types: required but missing"},
    /* base 10^11 x 1.03^11 (1.38) x 1.08 x 10.0000 (the HCC factor) x 1.10 x 1.05 (the
     * largest premium, 500 bps) is about 1.7 x 10^12 cents: over 10^12 */
    {{"pricing.hcc_factors", "[8500, 10000, 100000]", "triggers.A.base_cents", "100000000000"},
     "pricing: the largest target is above 1000000000000 cents: trigger A's base_cents 100000000000, "
     "trended 11 times by trend_bps to 2036"},
};

START_TEST(test_cross_checks)
{
    char out[4096];
    int n = problems(out, sizeof out, 0, crossed[_i].changes);
    ck_assert_msg(n == 1, "%s: %d problems:\n%s", crossed[_i].changes[0], n, out);
    ck_assert_msg(strstr(out, crossed[_i].msg), "expected\n  %s\ngot\n  %s", crossed[_i].msg, out);
}
END_TEST

/* The largest target at the limit: base 10^11 x 1.0000 factors, trend 0 and no premium
 * is 10^11 cents; x 10.0000 (one HCC factor 100000) = 10^12: at the limit, accepted;
 * with a dual factor of 1.0001 it is 1.0001 x 10^12: over. */
START_TEST(test_largest_target_boundary)
{
    char out[4096];
    const char *const at_limit[] = {"triggers.A.base_cents", "100000000000", "pricing.trend_bps", "0",
                                    "pricing.hcc_factors", "[100000]", "pricing.dual_factor", "10000",
                                    "pricing.age_factors", "[{\"min_age\": 0, \"factor\": 10000}]",
                                    "arrangement.discount_min_bps", "0", "arrangement.discount_bps", "0", NULL};
    ck_assert_msg(problems(out, sizeof out, 0, at_limit) == 0, "%s", out);
    const char *const over[] = {"triggers.A.base_cents", "100000000000", "pricing.trend_bps", "0",
                                "pricing.hcc_factors", "[100000]", "pricing.dual_factor", "10001",
                                "pricing.age_factors", "[{\"min_age\": 0, \"factor\": 10000}]",
                                "arrangement.discount_min_bps", "0", "arrangement.discount_bps", "0", NULL};
    ck_assert_int_eq(problems(out, sizeof out, 0, over), 1);
    ck_assert_msg(strstr(out, "pricing: the largest target is above"), "%s", out);
}
END_TEST

/* The effective template of an overlay may name its base, approach and ACO; the risk
 * members are checked like the others (an unknown one is refused). */
START_TEST(test_overlay_and_risk_members)
{
    char out[4096];
    ck_assert_msg(problems(out, sizeof out, 1,
                           CHANGES("aco_id", "\"A0001\"", "approach", "\"max_flex\"", "base",
                                   "{\"id\": \"b\", \"version\": \"1.0.0\"}")) == 0, "%s", out);
    ck_assert_int_eq(problems(out, sizeof out, 1, CHANGES("approach", "\"maxflex\"")), 1);
    ck_assert_msg(strstr(out, "approach: \"maxflex\" is not a known value; expected one of \"default\", "
                              "\"max_flex\" (did you mean \"max_flex\"?)"), "%s", out);
    ck_assert_msg(problems(out, sizeof out, 0,
                           CHANGES("pricing.risk_method", "\"cms_hcc_v28\"", "pricing.risk",
                                   "{\"segment\": \"institutional\", \"normalization_factor\": 10450, "
                                   "\"coding_intensity_bps\": 590}")) == 0, "%s", out);
    ck_assert_int_eq(problems(out, sizeof out, 0,
                              CHANGES("pricing.risk", "{\"segment\": \"nursing\", \"future_member\": 7}")), 2);
    ck_assert_msg(strstr(out, "pricing.risk.segment: \"nursing\" is not a known value") &&
                  strstr(out, "pricing.risk.future_member: unknown member"), "%s", out);
}
END_TEST

/* ---- an overlay's aco_id and the store --------------------------------------------- */

START_TEST(test_aco_in_store)
{
    char dir[64];
    store *db;
    th_tmpdir_store(dir, "cara-valid", &db);
    char err[512];
    ck_assert_int_eq(store_exec(db, "INSERT INTO acos (aco_id, name, track) VALUES ('A0001', 'One', 'global')", err, sizeof err), 0);
    cara_diag d = {0};
    ck_assert_int_eq(overlay_check_aco(db, "A0001", &d, err, sizeof err), 0);
    ck_assert_int_eq(overlay_check_aco(db, NULL, &d, err, sizeof err), 0);
    ck_assert_int_eq(d.n, 0);
    ck_assert_int_eq(overlay_check_aco(db, "A9999", &d, err, sizeof err), 1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_msg(!strncmp(d.items[0], "aco_id: \"A9999\" is not an ACO of the store ", 43), "%s", d.items[0]);
    ck_assert_msg(strstr(d.items[0], "(1 ACO; 'cara aco list' lists them"), "%s", d.items[0]);
    diag_free(&d);
    store_close(db);
    th_rmdir(dir);
}
END_TEST

/* Through the CLI: the unknown ACO is refused with --db; without a store a note says it
 * was not checked (and the overlay otherwise validates). */
START_TEST(test_cli_aco)
{
    char dir[64];
    store *db;
    th_tmpdir_store(dir, "cara-valid", &db);
    char err[512];
    ck_assert_int_eq(store_exec(db, "INSERT INTO acos (aco_id, name, track) VALUES ('A0001', 'One', 'global')", err, sizeof err), 0);
    store_close(db);
    char *o = th_write(dir, "overlay.json",
                       "{\"id\": \"falls_a9\", \"version\": \"1.0.0\", \"aco_id\": \"A9999\","
                       " \"base\": {\"id\": \"falls_prevention\", \"version\": \"1.0.0\"},"
                       " \"approach\": \"default\", \"set\": {\"arrangement.discount_bps\": 100}}");
    free(o);
    char *out = NULL, *errs = NULL;
    ck_assert_int_eq(th_cara(dir, "", "--db t.db template validate overlay.json", &out, &errs), 1);
    ck_assert_msg(strstr(errs, "overlay.json: aco_id: \"A9999\" is not an ACO of the store t.db"), "%s", errs);
    ck_assert_int_eq(th_cara(dir, "", "--db none.db template validate overlay.json", &out, &errs), 0);
    ck_assert_msg(strstr(errs, "overlay.json: note: aco_id \"A9999\" was not checked against the ACOs: "), "%s", errs);
    ck_assert_msg(strstr(out, "overlay.json: ok (overlay falls_a9"), "%s", out);
    free(out);
    free(errs);
    th_rmdir(dir);
}
END_TEST

/* ---- the plugins' own members, through the CLI ------------------------------------- */

/* A copy of the shipped template `name` (and its rules) with `from` replaced by `to`. */
static void shipped_with(const char *dir, const char *name, const char *from, const char *to)
{
    char src[512];
    snprintf(src, sizeof src, "%s/%s", getenv("CARA_EPISODES"), name);
    char *t = th_slurp(src, "template.json");
    char *at = strstr(t, from);
    ck_assert_msg(at != NULL, "no %s in the shipped template", from);
    size_t len = strlen(t) - strlen(from) + strlen(to) + 1;
    char *u = malloc(len);
    snprintf(u, len, "%.*s%s%s", (int)(at - t), t, to, at + strlen(from));
    free(th_write(dir, "template.json", u));
    free(u);
    free(t);
    static const char *const rules[] = {"attribution.lua", "savings.lua"};
    for (int i = 0; i < 2; i++) {
        char *r = th_slurp(src, rules[i]);
        free(th_write(dir, rules[i], r));
        free(r);
    }
}

START_TEST(test_cli_plugin_members)
{
    char dir[64];
    th_tmpdir(dir, "cara-valid");
    char *out = NULL, *err = NULL;
    /* an unknown parameter, a declarative-only member, a post_days the schema refuses:
     * each reported once (the plugin's own report of post_days is not repeated) */
    shipped_with(dir, "falls_prevention", "\"post_acute_days\": 30", "\"post_acute_dayz\": 30, \"post_acute_days\": 30");
    ck_assert_int_eq(th_cara(dir, "", "template validate template.json", &out, &err), 1);
    ck_assert_msg(strstr(err, "template.json: parameters.post_acute_dayz: unknown member; this episode "
                              "type reads ed_admission_days, post_acute_days"), "%s", err);
    shipped_with(dir, "falls_prevention", "\"window\": {", "\"included\": [], \"window\": {\"post_days\": \"179\", \"x\": 1}, \"w\": {");
    ck_assert_int_eq(th_cara(dir, "", "template validate template.json", &out, &err), 1);
    ck_assert_msg(strstr(err, "template.json: included: episode type falls_prevention does not read this member"), "%s", err);
    ck_assert_msg(strstr(err, "template.json: window.post_days: \"179\" is a string; expected an integer from 0 to 3650"), "%s", err);
    ck_assert_msg(strstr(err, "template.json: window.x: unknown member; window allows post_days, pre_days"), "%s", err);
    ck_assert_msg(strstr(err, "template.json: w: unknown member"), "%s", err);
    ck_assert_msg(!strstr(err, "window.post_days: required"), "the plugin's report repeats:\n%s", err);
    /* the declarative plugin's code lists: every bad pattern is named, not only the first */
    shipped_with(dir, "knee_arthroplasty", "\"hcpcs\": [\"27447\"] }",
                 "\"hcpcs\": [\"27447\", \"2744 7\", \"27?\", \"x*\"] }");
    ck_assert_int_eq(th_cara(dir, "", "template validate template.json", &out, &err), 1);
    ck_assert_msg(strstr(err, "template.json: triggers.A.match.hcpcs: pattern 1 \"2744 7\": unexpected "
                              "character ' ' at position 5"), "%s", err);
    ck_assert_msg(strstr(err, "; pattern 3 \"x*\": lowercase character 'x' at position 1"), "%s", err);
    /* the shipped templates validate */
    char args[1024];
    snprintf(args, sizeof args, "template validate '%s'/*/template.json", getenv("CARA_EPISODES"));
    ck_assert_msg(th_cara(dir, "", args, &out, &err) == 0, "%s", err);
    free(out);
    free(err);
    th_rmdir(dir);
}
END_TEST

/* The five examples of issue 13 on a copy of the shipped falls_prevention template, all
 * at once through `cara template validate`: each refused with its path (before, the
 * template validated "ok" and the run failed inside the Lua rules). */
START_TEST(test_cli_five_examples)
{
    char dir[64], src[512];
    th_tmpdir(dir, "cara-valid");
    snprintf(src, sizeof src, "%s/falls_prevention/template.json", getenv("CARA_EPISODES"));
    json_error_t je;
    json_t *t = json_load_file(src, 0, &je);
    ck_assert_ptr_nonnull(t);
    set_path(t, "pricing.trend_bps", "\"abc\"");
    set_path(t, "pricing.hcc_factors", "[]");
    set_path(t, "arrangement.savings_share_bps", "250000");
    set_path(t, "quality.measure", "\"bogus\"");
    set_path(t, "code_lists.FALL_RISK_DX", "[\"Z9181\", \"r296\", \"R2681\", \"R26.89\"]");
    char *text = json_dumps(t, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    free(th_write(dir, "template.json", text));
    free(text);
    json_decref(t);
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(th_cara(dir, "", "template validate template.json", &out, &err), 1);
    static const char *const want[] = {
        "template.json: pricing.trend_bps: \"abc\" is a string; expected an integer from -10000 to 10000\n",
        "template.json: pricing.hcc_factors: [] has 0 elements; expected 1 to 100",
        "template.json: arrangement.savings_share_bps: 250000 is out of range; expected an integer from 0 to 10000\n",
        "template.json: quality.measure: \"bogus\" is not a known value; expected one of \"codes_within_days\"",
        "template.json: code_lists.FALL_RISK_DX.1: \"r296\": lowercase character 'r' at position 1",
        "template.json: code_lists.FALL_RISK_DX.3: \"R26.89\": ",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(err, want[i]), "no\n  %s\nin\n%s", want[i], err);
    /* the plugin's own report of the same list is not repeated */
    ck_assert_msg(!strstr(err, "code_lists.FALL_RISK_DX: "), "%s", err);
    ck_assert_ptr_null(strstr(out, "ok"));
    /* without its id too (the template cannot even be loaded): still every problem */
    t = json_load_file(src, 0, &je);
    set_path(t, "pricing.trend_bps", "\"abc\"");
    set_path(t, "id", NULL);
    text = json_dumps(t, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    free(th_write(dir, "template.json", text));
    free(text);
    json_decref(t);
    ck_assert_int_eq(th_cara(dir, "", "template validate template.json", &out, &err), 1);
    ck_assert_msg(strstr(err, "template.json: id: required but missing; expected a non-empty string\n"), "%s", err);
    ck_assert_msg(strstr(err, "template.json: pricing.trend_bps: \"abc\" is a string"), "%s", err);
    free(out);
    free(err);
    th_rmdir(dir);
}
END_TEST

/* ---- a template at its boundaries runs its rules without an error ------------------- */

/* Each risky member at a boundary of its range (and together within the largest-target
 * limit: 2,000,000 x 2^11 trend x 1 age x 10 HCC x 10 dual x 2 premium = 8.192 x 10^11
 * cents <= 10^12). */
static const char BOUNDARY[] =
    "{\"id\": \"edge\", \"version\": \"1.0.0\", \"episode_type\": \"declarative\","
    " \"window\": {\"pre_days\": 0, \"post_days\": 0},"
    " \"code_lists\": {\"EVAL\": [\"97161\"]},"
    " \"triggers\": {\"A\": {\"base_cents\": 2000000, \"match\": {\"hcpcs\": [\"97161\"]}},"
    "                \"B\": {\"base_cents\": 1, \"match\": {\"hcpcs\": [\"97162\"]}}},"
    " \"pricing\": {\"base_year\": 2025, \"trend_bps\": 10000,"
    "   \"age_factors\": [{\"min_age\": 0, \"factor\": 1}],"
    "   \"hcc_lookback_days\": 0, \"hcc_factors\": [100000],"
    "   \"dual_factor\": 100000, \"non_dual_factor\": 1, \"winsorize_percentile_bps\": 1},"
    " \"arrangement\": {\"discount_bps\": 10000, \"discount_min_bps\": -10000, \"discount_max_bps\": 10000,"
    "   \"savings_share_bps\": 10000, \"loss_share_bps\": 10000, \"stop_gain_bps\": 10000,"
    "   \"stop_loss_bps\": 0, \"min_episodes\": 1,"
    "   \"track_share_caps\": {\"professional\": 0, \"global\": 10000}},"
    " \"quality\": {\"measure\": \"codes_within_days\", \"codes\": [\"3288F\"], \"days\": 0,"
    "   \"qa_savings_bps\": 10000, \"qa_loss_bps\": 0},"
    " \"attribution\": {\"plurality_days\": 0, \"plurality_codes\": \"EVAL\"}}";

static const struct {
    const char *name, *json;
} EDGE_TESTS[] = {
    /* base 2000000; trend factor 20000 twice (2025 -> 2027): 4000000, 8000000; age
     * factor 1: round(8000000 x 1 / 10000) = 800; the one HCC factor 100000 for 5 HCCs:
     * 8000; dual 100000: 80000; discount -10000 (a premium): x 2 = 160000 */
    {"target.json",
     "{\"name\": \"target at the boundaries\", \"rule\": \"target\", \"args\": {"
     " \"episode\": {\"trigger_type\": \"A\", \"trigger_date\": \"2027-03-01\", \"end_date\": \"2027-03-01\", \"hcc_count\": 5},"
     " \"beneficiary\": {\"birth_date\": \"1947-01-01\", \"enrollment\": [{\"start_date\": \"2026-01-01\","
     "   \"dual_status_code\": \"02\", \"medicare_status_code\": \"10\", \"hospice\": false}]},"
     " \"arrangement\": {\"arrangement_id\": \"E1\", \"track\": \"global\", \"discount_bps\": -10000}},"
     " \"expect\": {\"trend_factor\": 20000, \"trend_years\": 2, \"age_factor\": 1, \"hcc_factor\": 100000,"
     "   \"dual_factor\": 100000, \"target_cents\": 160000}}"},
    /* trigger B: base 1 x 2 x 2 = 4; x 0.0001 = round(0.0004) = 0; then 0 whatever follows */
    {"target_b.json",
     "{\"name\": \"target of the smallest base\", \"rule\": \"target\", \"args\": {"
     " \"episode\": {\"trigger_type\": \"B\", \"trigger_date\": \"2027-03-01\", \"end_date\": \"2027-03-01\", \"hcc_count\": 0},"
     " \"beneficiary\": {\"birth_date\": \"1947-01-01\", \"enrollment\": []}},"
     " \"expect\": {\"target_cents\": 0}}"},
    /* days 0: 3288F on day 0 counts */
    {"quality.json",
     "{\"name\": \"quality on day 0\", \"rule\": \"quality\", \"args\": {"
     " \"episode\": {\"trigger_date\": \"2027-03-01\", \"end_date\": \"2027-03-01\"},"
     " \"claims\": [{\"service_date\": \"2027-03-01\", \"hcpcs_code\": \"3288F\", \"claim_type\": \"professional\"}]},"
     " \"expect\": true}"},
    /* rank ceil(1 bps x 3) = 1: the smallest */
    {"winsorize.json",
     "{\"name\": \"winsorize at 1 bps\", \"rule\": \"winsorize\", \"args\": {\"actuals\": [5000, 7000, 900000]},"
     " \"expect\": 5000}"},
    /* one episode (min_episodes 1): T 160000, A 60000, gross 100000; quality met, Q 10000:
     * qadj = 100000 - round(100000 x 10000 x 0 / 10^8) = 100000; share 10000 (global cap
     * 10000): pay 100000, under the stop-gain 160000 */
    {"reconcile_gain.json",
     "{\"name\": \"reconcile a gain at full shares\", \"rule\": \"reconcile\", \"args\": {"
     " \"arrangement\": {\"arrangement_id\": \"E1\", \"track\": \"global\"},"
     " \"episodes\": [{\"target_cents\": 160000, \"actual_cents\": 60000, \"actual_winsorized_cents\": 60000,"
     "   \"quality_met\": true, \"status\": \"final\"}]},"
     " \"expect\": {\"gross_cents\": 100000, \"quality_bps\": 10000, \"quality_adjusted_cents\": 100000,"
     "   \"share_bps\": 10000, \"payment_cents\": 100000, \"cap_applied\": null, \"status\": \"final\"}}"},
    /* a loss of 40000, Q 0 (qa_loss_bps 0: no change); loss share 10000 but the
     * professional track's cap is 0: share 0, pay 0 */
    {"reconcile_professional.json",
     "{\"name\": \"reconcile a loss on a track whose cap is 0\", \"rule\": \"reconcile\", \"args\": {"
     " \"arrangement\": {\"arrangement_id\": \"E2\", \"track\": \"professional\"},"
     " \"episodes\": [{\"target_cents\": 160000, \"actual_cents\": 200000, \"actual_winsorized_cents\": 200000,"
     "   \"quality_met\": false, \"status\": \"final\"}]},"
     " \"expect\": {\"gross_cents\": -40000, \"quality_adjusted_cents\": -40000, \"share_bps\": 0,"
     "   \"payment_cents\": 0}}"},
    /* the same loss on the global track: share 10000, pay -40000, below -stop_loss (0):
     * capped to 0 */
    {"reconcile_stop_loss.json",
     "{\"name\": \"reconcile a loss with stop-loss 0\", \"rule\": \"reconcile\", \"args\": {"
     " \"arrangement\": {\"arrangement_id\": \"E3\", \"track\": \"global\"},"
     " \"episodes\": [{\"target_cents\": 160000, \"actual_cents\": 200000, \"actual_winsorized_cents\": 200000,"
     "   \"quality_met\": false, \"status\": \"final\"}]},"
     " \"expect\": {\"share_bps\": 10000, \"payment_cents\": 0, \"cap_applied\": \"stop_loss\"}}"},
    /* plurality_days 0: no line counts; the trigger has no NPI: unattributed */
    {"attribute.json",
     "{\"name\": \"attribute with plurality_days 0\", \"rule\": \"attribute\", \"args\": {"
     " \"episode\": {\"trigger_line\": 1, \"trigger_date\": \"2027-03-01\", \"end_date\": \"2027-03-01\"},"
     " \"claims\": [{\"service_date\": \"2027-03-01\", \"hcpcs_code\": \"97161\", \"rendering_npi\": \"\","
     "   \"rendering_tin\": \"\", \"allowed_cents\": 100, \"paid_cents\": 100},"
     "  {\"service_date\": \"2027-03-01\", \"hcpcs_code\": \"97161\", \"rendering_npi\": \"1234567893\","
     "   \"rendering_tin\": \"123456789\", \"allowed_cents\": 100, \"paid_cents\": 100}],"
     " \"candidates\": [{\"arrangement_id\": \"E1\", \"npi\": \"1234567893\", \"tin\": \"123456789\"}]},"
     " \"expect\": {\"method\": \"unattributed\"}}"},
};

START_TEST(test_boundaries_run)
{
    char dir[64];
    th_tmpdir(dir, "cara-valid");
    free(th_write(dir, "template.json", BOUNDARY));
    char src[512];
    snprintf(src, sizeof src, "%s/falls_prevention", getenv("CARA_EPISODES"));
    static const char *const rules[] = {"attribution.lua", "savings.lua"};
    for (int i = 0; i < 2; i++) {
        char *r = th_slurp(src, rules[i]);
        free(th_write(dir, rules[i], r));
        free(r);
    }
    char tests[96];
    snprintf(tests, sizeof tests, "%s/tests", dir);
    ck_assert_int_eq(system(strcat(strcpy((char[128]){0}, "mkdir "), tests)), 0);
    for (size_t i = 0; i < sizeof EDGE_TESTS / sizeof EDGE_TESTS[0]; i++)
        free(th_write(tests, EDGE_TESTS[i].name, EDGE_TESTS[i].json));
    char *out = NULL, *err = NULL;
    ck_assert_msg(th_cara(dir, "", "template validate template.json", &out, &err) == 0, "%s", err);
    ck_assert_msg(th_cara(dir, "", "rules test .", &out, &err) == 0, "%s\n%s", out, err);
    ck_assert_msg(strstr(out, "8 passed, 0 failed"), "%s", out);
    free(out);
    free(err);
    th_rmdir(dir);
}
END_TEST

/* A whole run (load, run, report) of the end-to-end fixture with the shipped
 * falls_prevention template at its boundaries: it validates, and the run prices,
 * attributes and reconciles every episode without a rule error. Largest target: trigger
 * C's 100,000 x 2^11 (trend 2025-2036) x 10 (age) x 10 (HCC) x 10 (dual) x 2 (premium)
 * = 4.1 x 10^11 cents <= 10^12. A non-dual episode of 2027 aged 65 or more with trigger
 * A: 10,000 x 2 x 2 x 10 x 10 x 0.0001 = 400 cents. */
START_TEST(test_boundaries_full_run)
{
    char dir[64], cmd[2048];
    th_tmpdir(dir, "cara-valid");
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s/episodes' && cp -R '%s/tests/fixtures/e2e/base' '%s/data'",
             getenv("CARA_EPISODES"), dir, getenv("CARA_SRC"), dir);
    ck_assert_int_eq(system(cmd), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/template.json", dir);
    json_error_t je;
    json_t *t = json_load_file(path, 0, &je);
    ck_assert_ptr_nonnull(t);
    static const char *const edge[][2] = {
        {"triggers.A.base_cents", "10000"}, {"triggers.B.base_cents", "10000"},
        {"triggers.C.base_cents", "100000"}, {"pricing.trend_bps", "10000"},
        {"pricing.age_factors", "[{\"min_age\": 0, \"factor\": 1}, {\"min_age\": 65, \"factor\": 100000}]"},
        {"pricing.hcc_factors", "[100000]"}, {"pricing.hcc_lookback_days", "0"},
        {"pricing.dual_factor", "100000"}, {"pricing.non_dual_factor", "1"},
        {"pricing.winsorize_percentile_bps", "1"}, {"arrangement.discount_bps", "0"},
        {"arrangement.discount_min_bps", "-10000"}, {"arrangement.discount_max_bps", "10000"},
        {"arrangement.savings_share_bps", "10000"}, {"arrangement.loss_share_bps", "0"},
        {"arrangement.stop_gain_bps", "0"}, {"arrangement.stop_loss_bps", "10000"},
        {"arrangement.min_episodes", "1"}, {"arrangement.track_share_caps.professional", "0"},
        {"quality.days", "0"}, {"quality.qa_savings_bps", "10000"}, {"quality.qa_loss_bps", "0"},
        {"attribution.plurality_days", "0"}, {"window.post_days", "0"},
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) set_path(t, edge[i][0], edge[i][1]);
    ck_assert_int_eq(json_dump_file(t, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(t);
    char *out = NULL, *err = NULL;
    const char *env = "";
    ck_assert_msg(th_cara(dir, env, "--episodes episodes template validate episodes/falls_prevention/template.json",
                          &out, &err) == 0, "%s", err);
    ck_assert_msg(th_cara(dir, env, "--db t.db --episodes episodes load data", &out, &err) == 0, "%s", err);
    ck_assert_msg(th_cara(dir, env, "--db t.db --episodes episodes run", &out, &err) == 0, "%s", err);
    ck_assert_msg(th_cara(dir, env, "--db t.db report --by arrangement --format json", &out, &err) == 0, "%s", err);
    ck_assert_msg(strstr(out, "\"template_id\":\"falls_prevention\"") || strstr(out, "\"template_id\": \"falls_prevention\""),
                  "no falls_prevention arrangement reconciled:\n%s", out);
    ck_assert_msg(th_cara(dir, env, "--db t.db report --by episode --format json", &out, &err) == 0, "%s", err);
    ck_assert_msg(strstr(out, "\"target_cents\":400,"),
                  "no episode priced at 400 cents:\n%s", out);
    free(out);
    free(err);
    th_rmdir(dir);
}
END_TEST

Suite *suite_template_validate(void)
{
    Suite *s = suite_create("template_validate");
    TCase *tc = tcase_create("schema");
    tcase_add_test(tc, test_valid_passes);
    tcase_add_loop_test(tc, test_refused, 0, (int)(sizeof refused / sizeof refused[0]));
    tcase_add_test(tc, test_all_reported);
    tcase_add_test(tc, test_every_pattern);
    tcase_add_loop_test(tc, test_cross_checks, 0, (int)(sizeof crossed / sizeof crossed[0]));
    tcase_add_test(tc, test_largest_target_boundary);
    tcase_add_test(tc, test_overlay_and_risk_members);
    tcase_add_test(tc, test_aco_in_store);
    suite_add_tcase(s, tc);
    TCase *cli = tcase_create("cli");
    tcase_set_timeout(cli, 60);
    tcase_add_test(cli, test_cli_five_examples);
    tcase_add_test(cli, test_cli_aco);
    tcase_add_test(cli, test_cli_plugin_members);
    tcase_add_test(cli, test_boundaries_run);
    tcase_add_test(cli, test_boundaries_full_run);
    suite_add_tcase(s, cli);
    return s;
}
