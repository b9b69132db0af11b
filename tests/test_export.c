/*
 * tests/test_export.c: the pure parts of core/export/: the winsorized split by setting,
 * scope names, the episode file's columns and values, the ATR members and their
 * changeType. Each fixture is small enough to check by hand; the hand computation is
 * written beside it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "suites.h"

START_TEST(split_keeps_the_total)
{
    /* raw: inpatient 6,000.00, snf 3,000.00, professional 1,000.00 = 10,000.00; capped at
     * 7,000.01. Exact shares: 4200.006, 2100.003, 700.001 -> floors 420000 + 210000 +
     * 70000 = 700000 cents; 1 cent left goes to the largest remainder (inpatient .6). */
    int64_t raw[SETTING_N] = {0}, out[SETTING_N];
    raw[SETTING_INPATIENT] = 600000;
    raw[SETTING_SNF] = 300000;
    raw[SETTING_PROFESSIONAL] = 100000;
    export_split_winsorized(raw, 1000000, 700001, out);
    ck_assert_int_eq(out[SETTING_INPATIENT], 420001);
    ck_assert_int_eq(out[SETTING_SNF], 210000);
    ck_assert_int_eq(out[SETTING_PROFESSIONAL], 70000);
    int64_t sum = 0;
    for (int k = 0; k < SETTING_N; k++) sum += out[k];
    ck_assert_int_eq(sum, 700001);
}
END_TEST

START_TEST(split_ties_go_to_the_lower_setting)
{
    /* three settings of 1 cent each, total 3, capped at 2: each share 2/3 (floor 0,
     * remainder 2); the 2 cents go to the first two settings in enum order */
    int64_t raw[SETTING_N] = {0}, out[SETTING_N];
    raw[SETTING_SNF] = 1;
    raw[SETTING_OUTPATIENT] = 1;
    raw[SETTING_DME] = 1;
    export_split_winsorized(raw, 3, 2, out);
    ck_assert_int_eq(out[SETTING_SNF], 1);
    ck_assert_int_eq(out[SETTING_OUTPATIENT], 1);
    ck_assert_int_eq(out[SETTING_DME], 0);
}
END_TEST

START_TEST(split_uncapped_and_empty)
{
    int64_t raw[SETTING_N] = {0}, out[SETTING_N];
    raw[SETTING_HOSPICE] = 12345;
    raw[SETTING_OTHER] = 55;
    export_split_winsorized(raw, 12400, 12400, out); /* not capped: the raw parts */
    ck_assert_int_eq(out[SETTING_HOSPICE], 12345);
    ck_assert_int_eq(out[SETTING_OTHER], 55);
    int64_t zero[SETTING_N] = {0};
    export_split_winsorized(zero, 0, 0, out); /* nothing spent: zeros */
    for (int k = 0; k < SETTING_N; k++) ck_assert_int_eq(out[k], 0);
}
END_TEST

START_TEST(scope_names)
{
    char b[200];
    export_scope a = {0};
    export_scope_text(&a, b, sizeof b);
    ck_assert_str_eq(b, "all");
    export_scope c = {.aco_id = "A0001", .template_id = "falls_prevention", .period = 2027};
    export_scope_text(&c, b, sizeof b);
    ck_assert_str_eq(b, "aco:A0001/template:falls_prevention/period:2027");
    export_scope e = {.aco_id = "A0001", .ebra_id = "E000001"};
    export_scope_text(&e, b, sizeof b);
    ck_assert_str_eq(b, "ebra:E000001/aco:A0001");
    export_scope p = {.npi = "1000000426"};
    export_scope_text(&p, b, sizeof b);
    ck_assert_str_eq(b, "npi:1000000426");
    export_format f;
    ck_assert_int_eq(export_format_parse("xlsx", &f), 0);
    ck_assert_int_eq(f, EXPORT_XLSX);
    ck_assert_int_lt(export_format_parse("pdf", &f), 0);
    ck_assert_int_lt(export_format_parse(NULL, &f), 0);
}
END_TEST

/* An attributed episode of person under ebra (npi, tin) from day0 to end. */
static exp_episode ep(const char *person, const char *ebra, const char *npi, const char *day0,
                      const char *end)
{
    exp_episode e;
    memset(&e, 0, sizeof e);
    snprintf(e.episode_id, sizeof e.episode_id, "falls_prevention:%s:%s", person, day0);
    snprintf(e.person_id, sizeof e.person_id, "%s", person);
    snprintf(e.template_id, sizeof e.template_id, "falls_prevention");
    snprintf(e.family, sizeof e.family, "falls_prevention");
    snprintf(e.template_version, sizeof e.template_version, "1.0.0");
    snprintf(e.trigger_type, sizeof e.trigger_type, "A");
    snprintf(e.trigger_date, sizeof e.trigger_date, "%s", day0);
    snprintf(e.end_date, sizeof e.end_date, "%s", end);
    snprintf(e.aco_id, sizeof e.aco_id, "A0001");
    snprintf(e.status, sizeof e.status, "final");
    if (ebra) {
        snprintf(e.arrangement_id, sizeof e.arrangement_id, "%s", ebra);
        snprintf(e.npi, sizeof e.npi, "%s", npi);
        snprintf(e.tin, sizeof e.tin, "560000042");
        snprintf(e.attribution_method, sizeof e.attribution_method, "trigger");
    } else {
        snprintf(e.attribution_method, sizeof e.attribution_method, "unattributed");
    }
    e.has_target = 1;
    e.age = 78;
    e.dual = 0;
    return e;
}

static exp_member member(const char *person, const char *ebra, const char *npi,
                         const char *start, const char *end)
{
    exp_member m;
    memset(&m, 0, sizeof m);
    snprintf(m.person_id, sizeof m.person_id, "%s", person);
    snprintf(m.template_id, sizeof m.template_id, "falls_prevention");
    snprintf(m.arrangement_id, sizeof m.arrangement_id, "%s", ebra);
    snprintf(m.npi, sizeof m.npi, "%s", npi);
    snprintf(m.tin, sizeof m.tin, "560000042");
    snprintf(m.start, sizeof m.start, "%s", start);
    snprintf(m.end, sizeof m.end, "%s", end);
    return m;
}

START_TEST(members_after_an_ebra_ends_and_another_starts)
{
    /* E1 (NPI 1000000426) ended 2027-06-30; E2 (NPI 1003801549) started 2027-07-01.
     * P1: an episode under E1 in January, another under E2 in August: the later one
     *     decides -> member of E2 from 2027-08-01; the last list had P1 under E1 ->
     *     "change" (another specialist).
     * P2: under E1 both times, same period -> "nochange".
     * P3: unattributed -> not a member.
     * P5: first attributed now -> "new".
     * P4: in the last list, no attributed episode now -> removed.
     * P6: the last list had it under E0, an EBRA renewed as E3 with the same specialist:
     *     the same NPI, TIN and period -> "nochange" (the list shows nothing new). */
    exp_episode eps[] = {
        ep("P1", "E1", "1000000426", "2027-01-10", "2027-07-08"),
        ep("P1", "E2", "1003801549", "2027-08-01", "2028-01-27"),
        ep("P2", "E1", "1000000426", "2027-02-01", "2027-07-30"),
        ep("P3", NULL, NULL, "2027-03-01", "2027-08-27"),
        ep("P5", "E2", "1003801549", "2027-09-15", "2028-03-12"),
        ep("P6", "E3", "1000000426", "2027-05-01", "2027-10-27"),
    };
    export_data d;
    memset(&d, 0, sizeof d);
    d.eps = eps;
    d.n_eps = sizeof eps / sizeof *eps;
    ck_assert_int_eq(export_build_members(&d), 0);
    ck_assert_int_eq(d.n_members, 4);
    ck_assert_str_eq(d.members[0].person_id, "P1");
    ck_assert_str_eq(d.members[0].arrangement_id, "E2");
    ck_assert_str_eq(d.members[0].npi, "1003801549");
    ck_assert_str_eq(d.members[0].start, "2027-08-01");
    ck_assert_str_eq(d.members[0].end, "2028-01-27");
    ck_assert_str_eq(d.members[1].person_id, "P2");
    ck_assert_str_eq(d.members[2].person_id, "P5");

    exp_member prev[] = {
        member("P1", "E1", "1000000426", "2027-01-10", "2027-07-08"),
        member("P2", "E1", "1000000426", "2027-02-01", "2027-07-30"),
        member("P4", "E1", "1000000426", "2027-04-01", "2027-09-27"),
        member("P6", "E0", "1000000426", "2027-05-01", "2027-10-27"),
    };
    ck_assert_int_eq(export_diff_members(&d, prev, 4), 0);
    ck_assert_str_eq(d.members[0].change_type, "change");
    ck_assert_str_eq(d.members[1].change_type, "nochange");
    ck_assert_str_eq(d.members[2].change_type, "new");
    ck_assert_str_eq(d.members[3].change_type, "nochange");
    ck_assert_int_eq(d.n_removed, 1);
    ck_assert_str_eq(d.removed[0].person_id, "P4");
    ck_assert_str_eq(d.removed[0].arrangement_id, "E1");

    /* the first list of a scope: everyone is new, nobody removed */
    ck_assert_int_eq(export_diff_members(&d, NULL, 0), 0);
    for (size_t i = 0; i < d.n_members; i++) ck_assert_str_eq(d.members[i].change_type, "new");
    ck_assert_int_eq(d.n_removed, 0);
    free(d.members);
    free(d.removed);
}
END_TEST

START_TEST(members_period_spans_the_ebra_episodes)
{
    /* two episodes under the same EBRA: one member from the first trigger date to the last
     * end date */
    exp_episode eps[] = {
        ep("P1", "E1", "1000000426", "2027-01-10", "2027-07-08"),
        ep("P1", "E1", "1000000426", "2027-08-01", "2028-01-27"),
    };
    export_data d;
    memset(&d, 0, sizeof d);
    d.eps = eps;
    d.n_eps = 2;
    ck_assert_int_eq(export_build_members(&d), 0);
    ck_assert_int_eq(d.n_members, 1);
    ck_assert_str_eq(d.members[0].start, "2027-01-10");
    ck_assert_str_eq(d.members[0].end, "2028-01-27");
    free(d.members);
}
END_TEST

/* The value of column name in a CSV line (no quoted commas in these fixtures). */
static void cell(const char *header, const char *line, const char *name, char *out, size_t len)
{
    char h[4096], l[4096];
    snprintf(h, sizeof h, "%s", header);
    snprintf(l, sizeof l, "%s", line);
    char *hs, *hp = h, *lp = l;
    out[0] = '\0';
    for (;;) {
        char *hn = strtok_r(hp, ",", &hs);
        hp = NULL;
        char *ln = lp ? strsep(&lp, ",") : NULL;
        if (!hn) break;
        if (!strcmp(hn, name)) {
            snprintf(out, len, "%s", ln ? ln : "");
            return;
        }
    }
    ck_abort_msg("no column %s", name);
}

START_TEST(episode_file_columns_and_values)
{
    /* one priced episode: base 2,000.00, trend 1.0300 twice, age 1.0800, HCC 2 -> 1.1200,
     * not dual, target 2,566.52 (2000 -> 2060.00 -> 2121.80 -> 2291.54 -> 2566.52);
     * actual 3,000.00 (inpatient 2,400.00, professional 600.00) capped at 2,700.00:
     * inpatient 2400 * 0.9 = 2,160.00, professional 540.00 */
    exp_episode e = ep("1A00A00AA00", "E000001", "1000000426", "2027-03-02", "2027-08-28");
    e.base_cents = 200000;
    e.trend_factor = 10300;
    e.trend_years = 2;
    e.age_factor = 10800;
    e.hcc_count = 2;
    e.hcc_factor = 11200;
    e.dual_factor = 10000;
    e.target_cents = 256652;
    e.actual_cents = 300000;
    e.has_winsorized = 1;
    e.actual_winsorized_cents = 270000;
    e.has_quality = 1;
    e.quality_met = 1;
    e.has_settings = 1;
    e.setting_cents[SETTING_INPATIENT] = 240000;
    e.setting_cents[SETTING_PROFESSIONAL] = 60000;
    export_split_winsorized(e.setting_cents, 300000, 270000, e.setting_winsorized_cents);
    snprintf(e.trigger_code, sizeof e.trigger_code, "97162");
    snprintf(e.trigger_dx, sizeof e.trigger_dx, "R2681");
    snprintf(e.trigger_claim_id, sizeof e.trigger_claim_id, "C1");
    e.trigger_line = 1;
    /* an excluded one: no target, no winsorized actual */
    exp_episode x = ep("1A00A00AA01", NULL, NULL, "2027-04-01", "2027-09-27");
    x.has_target = 0;
    snprintf(x.status, sizeof x.status, "excluded");
    snprintf(x.exclusion_reason, sizeof x.exclusion_reason, "enrollment_gap");
    x.attribution_method[0] = '\0';
    x.actual_cents = 12345;
    exp_episode eps[] = {e, x};
    export_data d;
    memset(&d, 0, sizeof d);
    d.eps = eps;
    d.n_eps = 2;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char err[256];
    ck_assert_int_eq(export_episodes_csv(&d, f, err, sizeof err), 0);
    fclose(f);
    char *l1 = buf, *l2 = strchr(l1, '\n');
    ck_assert_ptr_nonnull(l2);
    *l2++ = '\0';
    char *l3 = strchr(l2, '\n');
    ck_assert_ptr_nonnull(l3);
    *l3++ = '\0';
    char v[64];
    cell(l1, l2, "target_cents", v, sizeof v);
    ck_assert_str_eq(v, "256652");
    cell(l1, l2, "target", v, sizeof v);
    ck_assert_str_eq(v, "2566.52");
    cell(l1, l2, "inpatient_winsorized_cents", v, sizeof v);
    ck_assert_str_eq(v, "216000");
    cell(l1, l2, "professional_winsorized", v, sizeof v);
    ck_assert_str_eq(v, "540.00");
    cell(l1, l2, "trend_factor", v, sizeof v);
    ck_assert_str_eq(v, "1.0300");
    cell(l1, l2, "winsorized", v, sizeof v);
    ck_assert_str_eq(v, "1");
    cell(l1, l2, "trigger_code", v, sizeof v);
    ck_assert_str_eq(v, "97162");
    cell(l1, l2, "performance_year", v, sizeof v);
    ck_assert_str_eq(v, "2027");
    cell(l1, l3, "excluded", v, sizeof v);
    ck_assert_str_eq(v, "1");
    cell(l1, l3, "exclusion_reason", v, sizeof v);
    ck_assert_str_eq(v, "enrollment_gap");
    cell(l1, l3, "target_cents", v, sizeof v);
    ck_assert_str_eq(v, "");
    cell(l1, l3, "actual", v, sizeof v);
    ck_assert_str_eq(v, "123.45");
    cell(l1, l3, "actual_winsorized_cents", v, sizeof v);
    ck_assert_str_eq(v, "");
    char *l4 = strchr(l3, '\n');
    ck_assert_ptr_nonnull(l4);
    ck_assert_str_eq(l4 + 1, ""); /* two rows, then nothing */
    free(buf);
}
END_TEST

Suite *suite_export(void)
{
    Suite *s = suite_create("export");
    TCase *t = tcase_create("core");
    tcase_add_test(t, split_keeps_the_total);
    tcase_add_test(t, split_ties_go_to_the_lower_setting);
    tcase_add_test(t, split_uncapped_and_empty);
    tcase_add_test(t, scope_names);
    tcase_add_test(t, members_after_an_ebra_ends_and_another_starts);
    tcase_add_test(t, members_period_spans_the_ebra_episodes);
    tcase_add_test(t, episode_file_columns_and_values);
    suite_add_tcase(s, t);
    return s;
}
