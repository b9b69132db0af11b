/*
 * tests/test_declarative.c: the declarative episode plugin (plugins/declarative) loaded
 * through the real loader: triggers, the window before and after day 0, included and
 * excluded services, day 0 after discharge, and the shipped knee template.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "catalog/episode.h"
#include "catalog/host.h"
#include "catalog/plugin_host.h"
#include "suites.h"
#include "catalog/template.h"
#include "base/util.h"

static plugin_set set;
static const cara_plugin *decl;

static void setup(void)
{
    char *path = util_path_join(getenv("CARA_PLUGINS"), "declarative.so");
    char err[512];
    memset(&set, 0, sizeof set);
    ck_assert_msg(plugin_load_file(&set, path, host_services(), err, sizeof err) == 0, "%s", err);
    free(path);
    decl = plugin_find(&set, "declarative")->desc;
}

static void teardown(void) { plugin_set_free(&set); }

static cara_icd DX_OA[1] = {"M1711"};
static cara_icd DX_DIAL[1] = {"N186"};

static cara_claim_line line(const char *claim, cara_date d, int type, const char *hcpcs,
                            const char *rev, cara_cents paid)
{
    cara_claim_line l;
    memset(&l, 0, sizeof l);
    l.claim_id = claim;
    l.line_number = 1;
    l.claim_type = type;
    l.service_date = l.claim_start = l.claim_end = l.line_start = l.line_end = d;
    l.admission = l.discharge = CARA_DATE_NONE;
    snprintf(l.hcpcs, sizeof l.hcpcs, "%s", hcpcs);
    snprintf(l.revenue_center, sizeof l.revenue_center, "%s", rev);
    if (type == CARA_CLAIM_INSTITUTIONAL) strcpy(l.bill_type, "111");
    l.paid = paid;
    l.n_dx = 1;
    l.dx = DX_OA;
    return l;
}

static cara_template *parse(const char *json)
{
    cara_template *t;
    char err[512];
    ck_assert_msg(template_parse("t.json", json, strlen(json), &t, err, sizeof err) == 0, "%s", err);
    return t;
}

static const cara_enrollment ENR[1] = {{0, CARA_DATE_NONE, "00", "10", 0}};
static const cara_alignment AL[1] = {{"A1", 0, CARA_DATE_NONE}};
static const cara_beneficiary BENE = {.struct_size = sizeof(cara_beneficiary),
                                      .person_id = "1EG4TE5MK73", .gender = 'F', .birth = 0,
                                      .death = CARA_DATE_NONE, .enrollment = CARA_ARRAY_INIT(ENR, 1),
                                      .alignment = CARA_ARRAY_INIT(AL, 1)};

/* A later minor's host, as the plugin sees it: each line, enrollment and alignment
 * span followed by fields this build does not know (0xA5 bytes), the beneficiary
 * pointing at those spans. The loop test runs the knee shape both ways. */
typedef struct grown_line {
    cara_claim_line l;
    unsigned char later[48];
} grown_line;
typedef struct grown_enr {
    cara_enrollment e;
    unsigned char later[8];
} grown_enr;
typedef struct grown_al {
    cara_alignment a;
    unsigned char later[24];
} grown_al;

/* Build with decl through plugin_build (plain arrays; grown 0), or with every array
 * grown (grown 1); the episodes land in ctx either way. */
static int build_as(int grown, void *inst, episode_ctx *ctx, cara_claim_line *lines, size_t n)
{
    if (!grown) return plugin_build(decl, inst, ctx, &BENE);
    static grown_line gl[8];
    static grown_enr ge[1];
    static grown_al ga[1];
    ck_assert_uint_le(n, 8);
    memset(gl, 0xA5, sizeof gl);
    memset(ge, 0xA5, sizeof ge);
    memset(ga, 0xA5, sizeof ga);
    for (size_t i = 0; i < n; i++) gl[i].l = lines[i];
    ge[0].e = ENR[0];
    ga[0].a = AL[0];
    cara_beneficiary b = BENE;
    b.enrollment = (cara_array){ge, 1, sizeof ge[0]};
    b.alignment = (cara_array){ga, 1, sizeof ga[0]};
    const cara_array view = {gl, n, sizeof gl[0]};
    return decl->build(inst, ctx, &b, &view);
}

/* The knee shape: 30 days before through 90 after; dialysis excluded.
 * Day 0 = 20000 (2024-10-04). Lines and whether they count:
 *   day -31 office visit 100.00   no (before the window)
 *   day -30 office visit 150.00   yes (first day)
 *   day   0 27447 1400.00         yes (the trigger)
 *   day   1 hospital 12000.00     yes
 *   day  45 dialysis 300.00       no (excluded by revenue center 0821)
 *   day  90 PT 40.00              yes (last day)
 *   day  91 PT 40.00              no
 * actual = 150 + 1400 + 12000 + 40 = 13590.00 */
START_TEST(test_window_and_services)
{
    cara_template *t = parse(
        "{\"id\": \"k\", \"version\": \"1\", \"episode_type\": \"declarative\","
        " \"window\": {\"pre_days\": 30, \"post_days\": 90},"
        " \"triggers\": {\"A\": {\"base_cents\": 2200000, \"match\": {\"claim_type\": [\"professional\"], \"hcpcs\": [\"27447\"]}}},"
        " \"excluded\": [{\"revenue_center\": [\"0820-0889\"]}]}");
    cara_diag d = {0};
    ck_assert_int_eq(decl->template_validate(t, &d), 0);
    void *inst;
    char err[256];
    ck_assert_int_eq(decl->instance_new(t, &inst, err, sizeof err), 0);
    cara_date d0 = 20000;
    cara_claim_line lines[] = {
        line("C1", d0 - 31, CARA_CLAIM_PROFESSIONAL, "99214", "", 10000),
        line("C2", d0 - 30, CARA_CLAIM_PROFESSIONAL, "99214", "", 15000),
        line("C3", d0, CARA_CLAIM_PROFESSIONAL, "27447", "", 140000),
        line("C4", d0 + 1, CARA_CLAIM_INSTITUTIONAL, "", "0120", 1200000),
        line("C5", d0 + 45, CARA_CLAIM_INSTITUTIONAL, "", "0821", 30000),
        line("C6", d0 + 90, CARA_CLAIM_PROFESSIONAL, "97110", "", 4000),
        line("C7", d0 + 91, CARA_CLAIM_PROFESSIONAL, "97110", "", 4000),
    };
    lines[4].dx = DX_DIAL;
    episode_ctx ctx;
    episode_ctx_init(&ctx, t, lines, 7);
    ck_assert_int_eq(build_as(_i, inst, &ctx, lines, 7), 0);
    ck_assert_str_eq(ctx.error, "");
    ck_assert_uint_eq(ctx.n_eps, 1);
    ck_assert_str_eq(ctx.eps[0]->exclusion, "");
    ck_assert_str_eq(ctx.eps[0]->trigger_type, "A");
    ck_assert_int_eq(ctx.eps[0]->start, d0);
    ck_assert_int_eq(ctx.eps[0]->end, d0 + 90);
    ck_assert_int_eq(episode_actual_cents(ctx.eps[0], lines), 1359000);
    episode_ctx_free(&ctx);
    decl->instance_free(inst);
    template_free(t);
}
END_TEST

/* A trigger on the day after discharge does not count its own stay; included rules
 * limit cost to matching lines. Stay 100..104 (principal S72001A); day 0 = 105. */
START_TEST(test_after_discharge_and_included)
{
    cara_template *t = parse(
        "{\"id\": \"h\", \"version\": \"1\", \"episode_type\": \"declarative\","
        " \"window\": {\"post_days\": 29},"
        " \"triggers\": {\"C\": {\"base_cents\": 100, \"day0\": \"after_discharge\","
        "   \"match\": {\"bill_type\": [\"11?\"], \"principal_diagnosis\": [\"S72*\"]}}},"
        " \"included\": [{\"bill_type\": [\"21?\"]}, {\"hcpcs\": [\"97110\"]}]}");
    void *inst;
    char err[256];
    ck_assert_int_eq(decl->instance_new(t, &inst, err, sizeof err), 0);
    static cara_icd hip[1] = {"S72001A"};
    cara_claim_line lines[] = {
        line("S", 100, CARA_CLAIM_INSTITUTIONAL, "", "0120", 1800000),
        line("N", 105, CARA_CLAIM_INSTITUTIONAL, "", "0120", 500000),
        line("P", 110, CARA_CLAIM_PROFESSIONAL, "97110", "", 4000),
        line("V", 111, CARA_CLAIM_PROFESSIONAL, "99213", "", 9000),
    };
    lines[0].dx = hip;
    lines[0].claim_end = 104;
    strcpy(lines[1].bill_type, "211");
    episode_ctx ctx;
    episode_ctx_init(&ctx, t, lines, 4);
    ck_assert_int_eq(build_as(_i, inst, &ctx, lines, 4), 0);
    ck_assert_uint_eq(ctx.n_eps, 1);
    ck_assert_int_eq(ctx.eps[0]->start, 105);
    ck_assert_int_eq(ctx.eps[0]->end, 134);
    /* SNF 5000.00 + PT 40.00; not the stay, not the office visit */
    ck_assert_int_eq(episode_actual_cents(ctx.eps[0], lines), 504000);
    episode_ctx_free(&ctx);
    decl->instance_free(inst);
    template_free(t);
}
END_TEST

/* Problems are reported with their key paths. */
START_TEST(test_validation)
{
    cara_template *t = parse(
        "{\"id\": \"x\", \"version\": \"1\", \"episode_type\": \"declarative\","
        " \"window\": {\"post_days\": 90},"
        " \"triggers\": {\"A\": {\"base_cents\": 0, \"day0\": \"later\","
        "   \"match\": {\"hcpcs\": [\"27.447\"], \"claim_type\": [\"carrier\"], \"color\": 1}}},"
        " \"excluded\": {\"hcpcs\": []}}");
    cara_diag d = {0};
    int n = decl->template_validate(t, &d);
    ck_assert_int_eq(n, 6);
    char all[4096] = "";
    for (size_t i = 0; i < d.n; i++) {
        strcat(all, d.items[i]);
        strcat(all, "\n");
    }
    ck_assert_msg(strstr(all, "triggers.A.base_cents: 0 is out of bounds"), "%s", all);
    ck_assert_msg(strstr(all, "triggers.A.day0: expected \"service\" or \"after_discharge\""), "%s", all);
    ck_assert_msg(strstr(all, "triggers.A.match: unknown condition \"color\""), "%s", all);
    ck_assert_msg(strstr(all, "triggers.A.match.claim_type.0: expected"), "%s", all);
    ck_assert_msg(strstr(all, "triggers.A.match.hcpcs: pattern 0 \"27.447\""), "%s", all);
    ck_assert_msg(strstr(all, "excluded: must be an array"), "%s", all);
    diag_free(&d);
    template_free(t);
}
END_TEST

/* The shipped knee template validates with this plugin. */
START_TEST(test_knee_template)
{
    char *path = util_path_join(getenv("CARA_EPISODES"), "knee_arthroplasty/template.json");
    cara_template *t;
    char err[512];
    ck_assert_msg(template_load(path, &t, err, sizeof err) == 0, "%s", err);
    free(path);
    ck_assert_str_eq(template_episode_type(t), "declarative");
    cara_diag d = {0};
    ck_assert_int_eq(decl->template_validate(t, &d), 0);
    template_free(t);
}
END_TEST

Suite *suite_declarative(void)
{
    Suite *s = suite_create("declarative");
    TCase *tc = tcase_create("declarative");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_window_and_services, 0, 2);
    tcase_add_loop_test(tc, test_after_discharge_and_included, 0, 2);
    tcase_add_test(tc, test_validation);
    tcase_add_test(tc, test_knee_template);
    suite_add_tcase(s, tc);
    return s;
}
