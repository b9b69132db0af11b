/* tests/test_setting.c: core/base/setting.c (the care setting of a claim) and
 * catalog/episode.c episode_spend_by_setting (an episode's spending by setting). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "catalog/episode.h"
#include "suites.h"

START_TEST(test_setting_of)
{
    ck_assert_int_eq(setting_of("institutional", "111"), SETTING_INPATIENT);
    ck_assert_int_eq(setting_of("institutional", "0111"), SETTING_INPATIENT); /* 4 digits */
    ck_assert_int_eq(setting_of("institutional", "411"), SETTING_INPATIENT);
    ck_assert_int_eq(setting_of("institutional", "211"), SETTING_SNF);
    ck_assert_int_eq(setting_of("institutional", "181"), SETTING_SNF); /* swing bed */
    ck_assert_int_eq(setting_of("institutional", "322"), SETTING_HOME_HEALTH);
    ck_assert_int_eq(setting_of("institutional", "343"), SETTING_HOME_HEALTH);
    ck_assert_int_eq(setting_of("institutional", "131"), SETTING_OUTPATIENT);
    ck_assert_int_eq(setting_of("institutional", "851"), SETTING_OUTPATIENT);
    ck_assert_int_eq(setting_of("institutional", "811"), SETTING_HOSPICE);
    ck_assert_int_eq(setting_of("institutional", "822"), SETTING_HOSPICE);
    ck_assert_int_eq(setting_of("institutional", "651"), SETTING_OTHER); /* ICF/IID */
    ck_assert_int_eq(setting_of("institutional", "1"), SETTING_OTHER);   /* too short */
    ck_assert_int_eq(setting_of("institutional", ""), SETTING_OTHER);
    ck_assert_int_eq(setting_of("institutional", NULL), SETTING_OTHER);
    ck_assert_int_eq(setting_of("professional", "111"), SETTING_PROFESSIONAL); /* type wins */
    ck_assert_int_eq(setting_of("dme", NULL), SETTING_DME);
    ck_assert_int_eq(setting_of("lab", "111"), SETTING_OTHER);
    ck_assert_int_eq(setting_of(NULL, "111"), SETTING_OTHER);
    ck_assert_str_eq(setting_name(SETTING_HOME_HEALTH), "home_health");
    ck_assert_str_eq(setting_name(SETTING_N), "other");
    ck_assert_str_eq(setting_name((cara_setting)-1), "other");
}
END_TEST

/* Five lines, four counted: inpatient 1,000.00 + SNF 250.50 + professional 80.25 - a
 * professional adjustment of 5.25 = 1,325.50 in all; the DME line (index 4) is not
 * counted. By setting: inpatient 100000, snf 25050, professional 8025 - 525 = 7500,
 * dme 0; the sum 132550 = episode_actual_cents. */
START_TEST(test_spend_by_setting)
{
    cara_claim_line l[5];
    memset(l, 0, sizeof l);
    l[0].claim_type = CARA_CLAIM_INSTITUTIONAL, strcpy(l[0].bill_type, "111"), l[0].paid = 100000;
    l[1].claim_type = CARA_CLAIM_INSTITUTIONAL, strcpy(l[1].bill_type, "211"), l[1].paid = 25050;
    l[2].claim_type = CARA_CLAIM_PROFESSIONAL, l[2].paid = 8025;
    l[3].claim_type = CARA_CLAIM_PROFESSIONAL, l[3].paid = -525;
    l[4].claim_type = CARA_CLAIM_DME, l[4].paid = 9999;
    size_t idx[] = {0, 1, 2, 3};
    cara_episode ep;
    memset(&ep, 0, sizeof ep);
    ep.lines = idx;
    ep.n_lines = 4;
    cara_cents by[SETTING_N];
    ck_assert_int_eq(episode_spend_by_setting(&ep, l, by), 0);
    ck_assert_int_eq(by[SETTING_INPATIENT], 100000);
    ck_assert_int_eq(by[SETTING_SNF], 25050);
    ck_assert_int_eq(by[SETTING_PROFESSIONAL], 7500);
    ck_assert_int_eq(by[SETTING_DME], 0);
    cara_cents sum = 0;
    for (int k = 0; k < SETTING_N; k++) sum += by[k];
    ck_assert_int_eq(sum, 132550);
    ck_assert_int_eq(episode_actual_cents(&ep, l), 132550);
    /* an unknown claim type is "other"; overflow in one setting is refused */
    l[0].claim_type = 9;
    ck_assert_int_eq(episode_spend_by_setting(&ep, l, by), 0);
    ck_assert_int_eq(by[SETTING_OTHER], 100000);
    l[2].paid = INT64_MAX, l[3].paid = 1; /* professional: INT64_MAX + 1 */
    ck_assert_int_eq(episode_spend_by_setting(&ep, l, by), MONEY_ERANGE);
}
END_TEST

Suite *suite_setting(void)
{
    Suite *s = suite_create("setting");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_setting_of);
    tcase_add_test(tc, test_spend_by_setting);
    suite_add_tcase(s, tc);
    return s;
}
