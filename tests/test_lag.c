/* tests/test_lag.c: core/engine/lag.c, the completion factors of interim runs, on a lag
 * triangle small enough to work by hand. */
#include <check.h>
#include <stdlib.h>

#include "base/base.h"
#include "engine/lag.h"
#include "suites.h"

/*
 * Professional claims, as of week W; i = W - service week, paid cents by lag (weeks):
 *
 *   i   lag 0    lag 1   lag 2      cumulative at 0 / 1 / 2
 *   4  100000    50000   10000      100000 / 150000 / 160000
 *   3  200000   100000   20000      200000 / 300000 / 320000
 *   2  100000    50000   10000      100000 / 150000 / 160000
 *   1  100000    60000     -        100000 / 160000
 *   0  100000      -       -        100000
 *
 * f0 = (150000 + 300000 + 150000 + 160000) / (100000 + 200000 + 100000 + 100000)
 *    = 760000 / 500000 = 1.520000                      -> 1,520,000 ppm
 * f1 = (160000 + 320000 + 160000) / (150000 + 300000 + 150000) = 640000 / 600000
 *    = 1.0666667                                       -> 1,066,667 ppm
 * f2: only i = 3 and 4 are seen through lag 3: 2 months < LAG_MIN_MONTHS (3): the pooled
 *    factor, and pooled (the same data) is thin too: 1.000000.
 * cf0 = 1 / (1.52 x 1.066667): product 1,621,334 ppm -> 10^12 / 1,621,334 = 616,776 ppm
 * cf1 = 10^12 / 1,066,667 = 937,500 ppm
 * ultimate of the as-of week's 100000 cents (lag 0): 100000 x 10^6 / 616776 = 162,133
 * ultimate of week i = 1's 160000 (lag 1): 160000 x 10^6 / 937500 = 170,667
 */
/* An empty model as of 2027-06-30 (malloc'ed), its as-of week in *w. */
static lag_model *empty_model(int *w)
{
    lag_model *m = malloc(sizeof *m);
    ck_assert_ptr_nonnull(m);
    cara_date as_of;
    ck_assert_int_eq(date_parse("2027-06-30", 10, &as_of), 0);
    lag_init(m, as_of);
    *w = lag_month_of(as_of);
    return m;
}

static lag_model *hand_model(void)
{
    int W;
    lag_model *m = empty_model(&W);
    static const int64_t cells[5][3] = {
        {100000, 0, 0}, {100000, 60000, 0}, {100000, 50000, 10000},
        {200000, 100000, 20000}, {100000, 50000, 10000}};
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 3 && k <= i; k++)
            if (cells[i][k]) lag_add(m, SETTING_PROFESSIONAL, W - i, W - i + k, cells[i][k]);
    lag_fit(m);
    return m;
}

START_TEST(test_hand_triangle)
{
    lag_model *m = hand_model();
    ck_assert_int_eq(m->f[SETTING_PROFESSIONAL][0], 1520000);
    ck_assert_int_eq(m->f[SETTING_PROFESSIONAL][1], 1066667);
    ck_assert_int_eq(m->f[SETTING_PROFESSIONAL][2], 1000000);
    ck_assert_int_eq(m->pooled[SETTING_PROFESSIONAL][0], 0);
    ck_assert_int_eq(m->pooled[SETTING_PROFESSIONAL][2], 1);
    ck_assert_int_eq(m->cf[SETTING_PROFESSIONAL][0], 616776);
    ck_assert_int_eq(m->cf[SETTING_PROFESSIONAL][1], 937500);
    ck_assert_int_eq(m->cf[SETTING_PROFESSIONAL][2], 1000000);
    ck_assert_int_eq(lag_ultimate(m, SETTING_PROFESSIONAL, 0, 100000, 0), 162133);
    ck_assert_int_eq(lag_ultimate(m, SETTING_PROFESSIONAL, 1, 160000, 0), 170667);
    /* a setting with no data takes the pooled factors: the same */
    ck_assert_int_eq(m->cf[SETTING_SNF][0], 616776);
    /* the band: slower development gives the larger ultimate */
    ck_assert_int_le(m->cf_lo[SETTING_PROFESSIONAL][0], m->cf[SETTING_PROFESSIONAL][0]);
    ck_assert_int_ge(m->cf_hi[SETTING_PROFESSIONAL][0], m->cf[SETTING_PROFESSIONAL][0]);
    ck_assert_int_ge(lag_ultimate(m, SETTING_PROFESSIONAL, 0, 100000, 1), 162133);
    ck_assert_int_le(lag_ultimate(m, SETTING_PROFESSIONAL, 0, 100000, -1), 162133);
    free(m);
}
END_TEST

/* Boundaries: a cell paid after the as-of week, or served after it, or before the kept
 * window, is not in the triangle; a paid week before the service week counts as lag 0;
 * lags past LAG_MAX are complete. */
START_TEST(test_boundaries)
{
    int W;
    lag_model *m = empty_model(&W);
    lag_add(m, SETTING_DME, W - 1, W + 1, 500);            /* paid after the as-of week */
    lag_add(m, SETTING_DME, W + 1, W + 1, 500);            /* served after it */
    lag_add(m, SETTING_DME, W - LAG_MONTHS, W, 500);       /* before the window */
    ck_assert_int_eq(m->cells_cents, 0);
    lag_add(m, SETTING_DME, W - 2, W - 3, 700);            /* paid "before" service: lag 0 */
    ck_assert_int_eq(m->cell[SETTING_DME][2][0], 700);
    lag_add(m, SETTING_DME, W - 40, W - 1, 900);           /* lag 39: the last cell */
    ck_assert_int_eq(m->cell[SETTING_DME][40][LAG_MAX], 900);
    lag_fit(m); /* too thin everywhere: every factor 1, every completion 100% */
    for (int L = 0; L <= LAG_MAX; L++) ck_assert_int_eq(m->cf[SETTING_DME][L], LAG_PPM);
    ck_assert_int_eq(lag_of_month(m, W), 0);
    ck_assert_int_eq(lag_of_month(m, W - 100), LAG_MAX);
    ck_assert_int_eq(lag_of_month(m, W + 3), 0);
    /* weeks: 1970-01-01 is day 0 of week 0; the day before is week -1 */
    ck_assert_int_eq(lag_month_of(0), 0);
    ck_assert_int_eq(lag_month_of(6), 0);
    ck_assert_int_eq(lag_month_of(7), 1);
    ck_assert_int_eq(lag_month_of(-1), -1);
    free(m);
}
END_TEST

Suite *suite_lag(void)
{
    Suite *s = suite_create("lag");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hand_triangle);
    tcase_add_test(tc, test_boundaries);
    suite_add_tcase(s, tc);
    return s;
}
