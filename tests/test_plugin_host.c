/*
 * tests/test_plugin_host.c: the plugin loader against real test plugins
 * (tests/plugins/NAME.c, built by `make check-build`), and the good plugin driven
 * through the real host-services table: template -> validate -> build -> episodes.
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/episode.h"
#include "catalog/host.h"
#include "catalog/plugin_host.h"
#include "suites.h"
#include "catalog/template.h"
#include "base/util.h"

static char *tplug(const char *name)
{
    const char *dir = getenv("CARA_TEST_PLUGINS");
    ck_assert_msg(dir != NULL, "CARA_TEST_PLUGINS is not set (run through make test)");
    char file[128];
    snprintf(file, sizeof file, "%s.so", name);
    return util_path_join(dir, file);
}

/* Load one test plugin; return rc and the reason in err. */
static int load(plugin_set *set, const char *name, char *err, size_t errlen)
{
    char *path = tplug(name);
    err[0] = '\0';
    int rc = plugin_load_file(set, path, host_services(), err, errlen);
    free(path);
    return rc;
}

/* A good plugin loads; its descriptor reaches the host intact. */
START_TEST(test_good_loads)
{
    plugin_set set = {0};
    char err[1024], abi[16];
    ck_assert_int_eq(load(&set, "good", err, sizeof err), 0);
    ck_assert_uint_eq(set.n, 1);
    const plugin_entry *e = plugin_find(&set, "test_good");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->desc->version, "1.2.3");
    plugin_abi_string(e->desc, abi, sizeof abi);
    ck_assert_str_eq(abi, "2.0");
    ck_assert_ptr_nonnull(strstr(e->path, "good.so"));
    ck_assert_ptr_null(plugin_find(&set, "nope"));
    plugin_set_free(&set);
    ck_assert_uint_eq(set.n, 0);
}
END_TEST

/* Each broken plugin is refused with its own reason, and the set is left unchanged. */
static const struct {
    const char *file;
    const char *reason1, *reason2;
} broken[] = {
    {"wrong_major", "ABI major version mismatch", "plugin built for ABI 3.0, this cara provides 2.0"},
    {"old_major", "ABI major version mismatch", "plugin built for ABI 1.0, this cara provides 2.0"},
    {"newer_minor", "plugin needs ABI 2.1", "provides only 2.0"},
    {"small_desc", "descriptor is", "bytes, smaller than ABI 2.0 requires"},
    {"failing_init", "init failed", "license file not found"},
    {"no_entry", "missing entry symbol 'cara_plugin_entry'", "not a cara plugin"},
    {"unresolved", "unresolved symbol", "cara_no_such_function"},
};

START_TEST(test_broken_refused)
{
    plugin_set set = {0};
    char err[1024];
    ck_assert_int_lt(load(&set, broken[_i].file, err, sizeof err), 0);
    ck_assert_msg(strstr(err, broken[_i].reason1), "%s: got '%s'", broken[_i].file, err);
    ck_assert_msg(strstr(err, broken[_i].reason2), "%s: got '%s'", broken[_i].file, err);
    ck_assert_msg(!strchr(err, '\n'), "reason must be one line: '%s'", err);
    ck_assert_uint_eq(set.n, 0);
    plugin_set_free(&set);
}
END_TEST

/* A plugin built against the headers of a later minor (a larger descriptor) that needs
 * only minor 0 loads; the host keeps its own copy of the fields it knows. */
START_TEST(test_newer_header_loads)
{
    plugin_set set = {0};
    char err[1024], abi[16];
    ck_assert_msg(load(&set, "newer_header", err, sizeof err) == 0, "%s", err);
    const plugin_entry *e = plugin_find(&set, "test_newer_header");
    ck_assert_ptr_nonnull(e);
    /* the plugin's descriptor: cara_plugin and one more function pointer */
    ck_assert_uint_eq(e->desc->struct_size, sizeof(cara_plugin) + sizeof(void *));
    ck_assert_str_eq(e->desc->version, "0.0.2");
    ck_assert_ptr_nonnull(e->desc->build);
    plugin_abi_string(e->desc, abi, sizeof abi);
    ck_assert_str_eq(abi, "2.0");
    plugin_set_free(&set);
}
END_TEST

/* A second plugin claiming a loaded name is refused, naming the first file. */
START_TEST(test_duplicate_name)
{
    plugin_set set = {0};
    char err[1024];
    ck_assert_int_eq(load(&set, "good", err, sizeof err), 0);
    ck_assert_int_eq(load(&set, "twin", err, sizeof err), -EEXIST);
    ck_assert_ptr_nonnull(strstr(err, "duplicate episode type \"test_good\""));
    ck_assert_ptr_nonnull(strstr(err, "good.so"));
    ck_assert_uint_eq(set.n, 1);
    plugin_set_free(&set);
}
END_TEST

typedef struct failures {
    int n;
    char lines[16][1200];
} failures;

static void collect(void *ud, const char *path, const char *reason)
{
    failures *f = ud;
    if (f->n < 16) snprintf(f->lines[f->n], sizeof f->lines[0], "%s: %s", path, reason);
    f->n++;
}

/* A directory mixing good and broken plugins: one report per broken file, the good one
 * still loads and works. */
START_TEST(test_dir_keeps_good_ones)
{
    plugin_set set = {0};
    failures f = {0};
    char err[256];
    int rc = plugin_load_dir(&set, getenv("CARA_TEST_PLUGINS"), host_services(), collect, &f,
                             err, sizeof err);
    /* failing_init, newer_minor, no_entry, old_major, small_desc, twin, unresolved,
     * wrong_major; good and newer_header load */
    ck_assert_int_eq(rc, 8);
    ck_assert_int_eq(f.n, 8);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_ptr_nonnull(plugin_find(&set, "test_good"));
    ck_assert_ptr_nonnull(plugin_find(&set, "test_newer_header"));
    /* In name order; each line names its file, and a major mismatch both versions. */
    ck_assert_ptr_nonnull(strstr(f.lines[0], "failing_init.so: init failed"));
    ck_assert_msg(strstr(f.lines[3], "/old_major.so: ABI major version mismatch: plugin built "
                                     "for ABI 1.0, this cara provides 2.0 (rebuild the plugin "
                                     "against this cara's headers)"), "got '%s'", f.lines[3]);
    ck_assert_ptr_nonnull(strstr(f.lines[7], "wrong_major.so: ABI major"));
    plugin_set_free(&set);
}
END_TEST

START_TEST(test_dir_missing)
{
    plugin_set set = {0};
    char err[256];
    int rc = plugin_load_dir(&set, "/nonexistent/cara/plugins", host_services(), NULL, NULL,
                             err, sizeof err);
    ck_assert_int_eq(rc, -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cara/plugins"));
}
END_TEST

static const char TEMPLATE[] =
    "{\"id\": \"t\", \"version\": \"1\", \"episode_type\": \"test_good\",\n"
    " \"window\": {\"post_days\": 9},\n"
    " \"code_lists\": {\"TRIGGER\": [\"97161\", \"9716?\"]}}";

static cara_claim_line line_at(cara_date day, const char *hcpcs, cara_cents paid)
{
    cara_claim_line l;
    memset(&l, 0, sizeof l);
    l.claim_id = "c";
    l.claim_type = CARA_CLAIM_PROFESSIONAL;
    l.service_date = l.line_start = l.claim_start = day;
    snprintf(l.hcpcs, sizeof l.hcpcs, "%s", hcpcs);
    l.paid = paid;
    return l;
}

/* The good plugin through the real host: trigger, window end inclusive (day 0 + 9),
 * a new episode after the window, actual = sum of included paid amounts. */
START_TEST(test_good_builds_episodes)
{
    plugin_set set = {0};
    char err[1024];
    ck_assert_int_eq(load(&set, "good", err, sizeof err), 0);
    const cara_plugin *p = plugin_find(&set, "test_good")->desc;
    cara_template *t;
    ck_assert_int_eq(template_parse("t.json", TEMPLATE, sizeof TEMPLATE - 1, &t, err, sizeof err), 0);
    cara_diag d = {0};
    ck_assert_int_eq(p->template_validate(t, &d), 0);
    void *inst;
    ck_assert_int_eq(p->instance_new(t, &inst, err, sizeof err), 0);

    cara_claim_line lines[] = {
        line_at(100, "99213", 5000),  /* 0: before any trigger: not included */
        line_at(101, "97161", 10000), /* 1: trigger, day 0 = 101, end = 110 */
        line_at(105, "97110", 2500),  /* 2: inside */
        line_at(110, "97110", 2500),  /* 3: last day, inclusive */
        line_at(111, "97110", 9999),  /* 4: day 10: outside */
        line_at(120, "97162", 7000),  /* 5: new trigger (9716?), window 120..129 */
    };
    cara_beneficiary b = {.struct_size = sizeof b, .person_id = "1EG4TE5MK73",
                          .death = CARA_DATE_NONE};
    episode_ctx ctx;
    episode_ctx_init(&ctx, t, lines, 6);
    ck_assert_int_eq(ctx.post_days, 9);
    ck_assert_int_eq(plugin_build(p, inst, &ctx, &b), 0);
    ck_assert_str_eq(ctx.error, "");
    ck_assert_uint_eq(ctx.n_eps, 2);
    ck_assert_int_eq(ctx.eps[0]->start, 101);
    ck_assert_int_eq(ctx.eps[0]->end, 110);
    ck_assert_uint_eq(ctx.eps[0]->n_lines, 3);
    /* 10000 + 2500 + 2500 = 15000 */
    ck_assert_int_eq(episode_actual_cents(ctx.eps[0], lines), 15000);
    ck_assert_int_eq(ctx.eps[1]->start, 120);
    ck_assert_int_eq(ctx.eps[1]->end, 129);
    ck_assert_int_eq(episode_actual_cents(ctx.eps[1], lines), 7000);
    episode_ctx_free(&ctx);

    /* Death on day 105 ends the first episode there, flagged: 10000 + 2500. */
    b.death = 105;
    episode_ctx_init(&ctx, t, lines, 6);
    ck_assert_int_eq(plugin_build(p, inst, &ctx, &b), 0);
    ck_assert_int_eq(ctx.eps[0]->end, 105);
    ck_assert_uint_eq(ctx.eps[0]->flags & CARA_EPISODE_DEATH, CARA_EPISODE_DEATH);
    ck_assert_int_eq(episode_actual_cents(ctx.eps[0], lines), 12500);
    episode_ctx_free(&ctx);

    p->instance_free(inst);
    template_free(t);
    plugin_set_free(&set);
}
END_TEST

/* What a host of a later minor looks like to a plugin built now: claim lines, enrollment
 * and alignment spans with fields appended (here 40 bytes of 0xA5, where a real later
 * field would be), and a larger beneficiary. The plugin steps by the host's element
 * size (cara_array.size) and builds the same episodes as from the plain arrays; the
 * host's eligibility reads the grown spans the same way. */
typedef struct grown_line {
    cara_claim_line l;
    unsigned char later[40];
} grown_line;

START_TEST(test_grown_host_structs)
{
    plugin_set set = {0};
    char err[1024];
    ck_assert_int_eq(load(&set, "good", err, sizeof err), 0);
    const cara_plugin *p = plugin_find(&set, "test_good")->desc;
    cara_template *t;
    ck_assert_int_eq(template_parse("t.json", TEMPLATE, sizeof TEMPLATE - 1, &t, err, sizeof err), 0);
    void *inst;
    ck_assert_int_eq(p->instance_new(t, &inst, err, sizeof err), 0);
    cara_claim_line lines[] = {
        line_at(100, "99213", 5000), line_at(101, "97161", 10000), line_at(105, "97110", 2500),
        line_at(110, "97110", 2500), line_at(111, "97110", 9999), line_at(120, "97162", 7000),
    };
    grown_line grown[6];
    memset(grown, 0xA5, sizeof grown);
    for (size_t i = 0; i < 6; i++) grown[i].l = lines[i];
    const cara_array view = {grown, 6, sizeof(grown_line)};
    ck_assert_uint_gt(view.size, sizeof(cara_claim_line));
    ck_assert_ptr_eq(cara_line_at(&view, 3), &grown[3].l);
    ck_assert_int_eq(cara_line_at(&view, 5)->paid, 7000);
    /* A grown beneficiary: the struct this host knows, then later fields. */
    struct {
        cara_beneficiary b;
        unsigned char later[24];
    } gb;
    memset(&gb, 0xA5, sizeof gb);
    gb.b = (cara_beneficiary){.struct_size = sizeof gb, .person_id = "1EG4TE5MK73",
                              .death = CARA_DATE_NONE};
    /* Same input twice: plain arrays through plugin_build, then the grown view. */
    for (int round = 0; round < 2; round++) {
        episode_ctx ctx;
        episode_ctx_init(&ctx, t, lines, 6);
        if (round == 0) ck_assert_int_eq(plugin_build(p, inst, &ctx, &gb.b), 0);
        else ck_assert_int_eq(p->build(inst, &ctx, &gb.b, &view), 0);
        ck_assert_str_eq(ctx.error, "");
        /* as in test_good_builds_episodes: 101..110 (10000 + 2500 + 2500), 120..129 */
        ck_assert_uint_eq(ctx.n_eps, 2);
        ck_assert_int_eq(ctx.eps[0]->end, 110);
        ck_assert_uint_eq(ctx.eps[0]->n_lines, 3);
        ck_assert_int_eq(episode_actual_cents(ctx.eps[0], lines), 15000);
        ck_assert_int_eq(ctx.eps[1]->start, 120);
        ck_assert_int_eq(episode_actual_cents(ctx.eps[1], lines), 7000);
        episode_ctx_free(&ctx);
    }

    /* The host's eligibility over grown spans: enrolled and aligned from day 90, so
     * day 0 = 101 through 110 is eligible; the same spans at day 0 = 80 are not. */
    struct {
        cara_enrollment e;
        unsigned char later[32];
    } ge[1];
    struct {
        cara_alignment a;
        unsigned char later[16];
    } ga[2];
    memset(ge, 0xA5, sizeof ge);
    memset(ga, 0xA5, sizeof ga);
    ge[0].e = (cara_enrollment){90, CARA_DATE_NONE, "00", "10", 0};
    ga[0].a = (cara_alignment){"A1", 0, 89};
    ga[1].a = (cara_alignment){"A2", 90, CARA_DATE_NONE};
    gb.b.enrollment = (cara_array){ge, 1, sizeof ge[0]};
    gb.b.alignment = (cara_array){ga, 2, sizeof ga[0]};
    ck_assert_str_eq(cara_alignment_at(&gb.b, 1)->aco_id, "A2");
    ck_assert_ptr_null(host_services()->eligibility(&gb.b, 101, 110));
    ck_assert_str_eq(host_services()->eligibility(&gb.b, 80, 110), "not_enrolled");

    p->instance_free(inst);
    template_free(t);
    plugin_set_free(&set);
}
END_TEST

/* CARA_HAS_FIELD: whether an element of a given size holds a field, as a plugin asks
 * about a field newer than the minor it requires. cara_claim_line ends with dx (a
 * pointer), so an element one byte short of sizeof lacks it and holds paid. */
START_TEST(test_has_field)
{
    size_t full = sizeof(cara_claim_line);
    size_t dx_end = offsetof(cara_claim_line, dx) + sizeof(const cara_icd *);
    ck_assert(CARA_HAS_FIELD(full, cara_claim_line, dx));
    ck_assert(CARA_HAS_FIELD(dx_end, cara_claim_line, dx));
    ck_assert(!CARA_HAS_FIELD(dx_end - 1, cara_claim_line, dx));
    ck_assert(CARA_HAS_FIELD(dx_end - 1, cara_claim_line, paid));
    ck_assert(!CARA_HAS_FIELD(0, cara_beneficiary, struct_size));
    ck_assert(CARA_HAS_FIELD(4, cara_beneficiary, struct_size));
    ck_assert(CARA_HAS_FIELD(sizeof(cara_beneficiary), cara_beneficiary, alignment));
    /* the minor-0 sizes the host and kit check against: every field of 2.0 */
    ck_assert_uint_eq(CARA_PLUGIN_SIZE_V2_0, sizeof(cara_plugin));
    ck_assert_uint_eq(CARA_HOST_SIZE_V2_0, sizeof(cara_host));
}
END_TEST

/* template_validate reports each problem with its key path. */
START_TEST(test_good_validate_reports_path)
{
    plugin_set set = {0};
    char err[1024];
    ck_assert_int_eq(load(&set, "good", err, sizeof err), 0);
    const cara_plugin *p = plugin_find(&set, "test_good")->desc;
    static const char bad[] = "{\"id\": \"t\", \"version\": \"1\", \"episode_type\": \"test_good\"}";
    cara_template *t;
    ck_assert_int_eq(template_parse("bad.json", bad, sizeof bad - 1, &t, err, sizeof err), 0);
    cara_diag d = {0};
    ck_assert_int_eq(p->template_validate(t, &d), 1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.items[0], "code_lists.TRIGGER: required: an array of code patterns");
    diag_free(&d);
    template_free(t);
    plugin_set_free(&set);
}
END_TEST

/* Episode API misuse is refused and recorded, never a crash. */
START_TEST(test_episode_api_misuse)
{
    cara_claim_line lines[] = {line_at(10, "A", 1)};
    episode_ctx ctx;
    episode_ctx_init(&ctx, NULL, lines, 1);
    ck_assert_ptr_null(episode_open(&ctx, "A", 10, 5)); /* line out of range */
    ck_assert_ptr_nonnull(strstr(ctx.error, "out of range"));
    cara_episode *ep = episode_open(&ctx, "A", 10, 0);
    ck_assert_ptr_nonnull(ep);
    ck_assert_int_eq(ep->end, 10 + EPISODE_DEFAULT_POST_DAYS);
    ck_assert_int_eq(episode_extend(ep, 9), -EINVAL);
    ck_assert_int_eq(episode_include(ep, 3), -EINVAL);
    ck_assert_int_eq(episode_include(ep, 0), 0);
    ck_assert_int_eq(episode_include(ep, 0), 0); /* idempotent */
    ck_assert_uint_eq(ep->n_lines, 1);
    ck_assert_int_eq(episode_exclude(ep, "enrollment_gap"), 0);
    ck_assert_int_eq(episode_exclude(ep, "second_reason"), 0);
    ck_assert_str_eq(ep->exclusion, "enrollment_gap"); /* the first reason stays */
    episode_ctx_free(&ctx);
}
END_TEST

/* Template parse errors name file, line and column; required members are checked. */
START_TEST(test_template_errors)
{
    cara_template *t;
    char err[512];
    static const char broken_json[] = "{\"id\": \"t\",\n \"version\": }";
    ck_assert_int_lt(template_parse("x.json", broken_json, sizeof broken_json - 1, &t, err, sizeof err), 0);
    ck_assert_msg(strncmp(err, "x.json:2:", 9) == 0, "got '%s'", err);
    static const char dup[] = "{\"id\": \"a\", \"id\": \"b\", \"version\": \"1\", \"episode_type\": \"x\"}";
    ck_assert_int_lt(template_parse("d.json", dup, sizeof dup - 1, &t, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "duplicate"));
    static const char noid[] = "{\"version\": \"1\", \"episode_type\": \"x\"}";
    ck_assert_int_lt(template_parse("n.json", noid, sizeof noid - 1, &t, err, sizeof err), 0);
    ck_assert_str_eq(err, "n.json: id: required, a non-empty string");
    ck_assert_int_eq(template_parse("t.json", TEMPLATE, sizeof TEMPLATE - 1, &t, err, sizeof err), 0);
    int64_t v;
    ck_assert_int_eq(template_host_int(t, "window.post_days", &v), 0);
    ck_assert_int_eq(v, 9);
    ck_assert_int_eq(template_host_int(t, "window.nope", &v), -ENOENT);
    ck_assert_int_eq(template_host_int(t, "id", &v), -EINVAL);
    ck_assert_str_eq(template_host_str(t, "code_lists.TRIGGER.1"), "9716?");
    ck_assert_int_eq(template_host_len(t, "code_lists.TRIGGER"), 2);
    ck_assert_str_eq(template_host_key(t, "code_lists", 0), "TRIGGER");
    ck_assert_ptr_null(template_host_codes(t, "id"));
    template_free(t);
}
END_TEST

Suite *suite_plugin_host(void)
{
    Suite *s = suite_create("plugin_host");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, test_good_loads);
    tcase_add_loop_test(tc, test_broken_refused, 0, (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tc, test_newer_header_loads);
    tcase_add_test(tc, test_duplicate_name);
    tcase_add_test(tc, test_dir_keeps_good_ones);
    tcase_add_test(tc, test_dir_missing);
    suite_add_tcase(s, tc);
    tc = tcase_create("episodes");
    tcase_add_test(tc, test_good_builds_episodes);
    tcase_add_test(tc, test_grown_host_structs);
    tcase_add_test(tc, test_has_field);
    tcase_add_test(tc, test_good_validate_reports_path);
    tcase_add_test(tc, test_episode_api_misuse);
    tcase_add_test(tc, test_template_errors);
    suite_add_tcase(s, tc);
    return s;
}
