/* tests/test_money.c: core/base/money.c (cents, basis points, four-decimal factors). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "catalog/episode.h"
#include "base/money.h"
#include "suites.h"

#define MPARSE(lit, out) money_parse((lit), strlen(lit), (out))
#define FPARSE(lit, out) factor_parse((lit), strlen(lit), (out))

START_TEST(test_parse_ok)
{
    cara_cents c = -1;
    ck_assert_int_eq(MPARSE("123.45", &c), 0);
    ck_assert_int_eq(c, 12345);
    ck_assert_int_eq(MPARSE("7", &c), 0);
    ck_assert_int_eq(c, 700);       /* 7 dollars */
    ck_assert_int_eq(MPARSE("0.5", &c), 0);
    ck_assert_int_eq(c, 50);        /* one decimal = tens of cents */
    ck_assert_int_eq(MPARSE("-12.05", &c), 0);
    ck_assert_int_eq(c, -1205);
    ck_assert_int_eq(MPARSE("-0", &c), 0);
    ck_assert_int_eq(c, 0);
    ck_assert_int_eq(MPARSE("0.00", &c), 0);
    ck_assert_int_eq(c, 0);
    ck_assert_int_eq(MPARSE("007.10", &c), 0);
    ck_assert_int_eq(c, 710);
    ck_assert_int_eq(MPARSE("2000.00", &c), 0);
    ck_assert_int_eq(c, 200000);
    /* the int64 bounds: INT64_MAX cents = 92233720368547758.07 dollars */
    ck_assert_int_eq(MPARSE("92233720368547758.07", &c), 0);
    ck_assert_int_eq(c, INT64_MAX);
    ck_assert_int_eq(MPARSE("-92233720368547758.08", &c), 0);
    ck_assert_int_eq(c, INT64_MIN);
    /* len decides: "12.5" out of "12.50,3" */
    ck_assert_int_eq(money_parse("12.50,3", 4, &c), 0);
    ck_assert_int_eq(c, 1250);
}
END_TEST

START_TEST(test_parse_errors)
{
    cara_cents c = 4242;
    ck_assert_int_eq(MPARSE("", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("-", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("+1", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1.", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE(".5", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("-.5", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE(" 1", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1 ", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1 000", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1e3", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1,000", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1.2.3", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("--1", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("$1", &c), MONEY_EINVAL);
    ck_assert_int_eq(MPARSE("1.234a", &c), MONEY_EINVAL); /* shape before decimals */
    ck_assert_int_eq(MPARSE("1.234", &c), MONEY_EDECIMALS);
    ck_assert_int_eq(MPARSE("-0.001", &c), MONEY_EDECIMALS);
    ck_assert_int_eq(MPARSE("92233720368547758.08", &c), MONEY_ERANGE);  /* INT64_MAX+1 */
    ck_assert_int_eq(MPARSE("-92233720368547758.09", &c), MONEY_ERANGE); /* INT64_MIN-1 */
    ck_assert_int_eq(MPARSE("92233720368547759", &c), MONEY_ERANGE);
    ck_assert_int_eq(MPARSE("123456789012345678901234567890", &c), MONEY_ERANGE);
    ck_assert_int_eq(money_parse(NULL, 3, &c), MONEY_EINVAL);
    ck_assert_int_eq(money_parse("1", 1, NULL), MONEY_EINVAL);
    ck_assert_int_eq(c, 4242); /* untouched on every error */

    /* distinct negative codes, each with its own sentence */
    ck_assert_int_lt(MONEY_EINVAL, 0);
    ck_assert_int_lt(MONEY_EDECIMALS, 0);
    ck_assert_int_lt(MONEY_ERANGE, 0);
    ck_assert_int_ne(MONEY_EINVAL, MONEY_EDECIMALS);
    ck_assert_int_ne(MONEY_EINVAL, MONEY_ERANGE);
    ck_assert_int_ne(MONEY_EDECIMALS, MONEY_ERANGE);
    ck_assert_str_eq(money_strerror(MONEY_EINVAL),
                     "expected dollars with at most two decimals, like 123.45");
    ck_assert_str_ne(money_strerror(MONEY_EDECIMALS), money_strerror(MONEY_EINVAL));
    ck_assert_str_ne(money_strerror(MONEY_ERANGE), money_strerror(MONEY_EINVAL));
    ck_assert_ptr_nonnull(money_strerror(-12345));
}
END_TEST

START_TEST(test_format)
{
    char buf[32];
    money_format(-123450, buf);
    ck_assert_str_eq(buf, "-1234.50");
    money_format(5, buf);
    ck_assert_str_eq(buf, "0.05");
    money_format(-5, buf);
    ck_assert_str_eq(buf, "-0.05");
    money_format(1200, buf);
    ck_assert_str_eq(buf, "12.00");
    money_format(0, buf);
    ck_assert_str_eq(buf, "0.00");
    money_format(INT64_MAX, buf);
    ck_assert_str_eq(buf, "92233720368547758.07");
    money_format(INT64_MIN, buf); /* |INT64_MIN| does not fit int64 */
    ck_assert_str_eq(buf, "-92233720368547758.08");

    /* format -> parse gives the value back */
    const cara_cents vals[] = {0, 1, -1, 99, -100, 12345, -987654321, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        cara_cents back = 0;
        money_format(vals[i], buf);
        ck_assert_int_eq(money_parse(buf, strlen(buf), &back), 0);
        ck_assert_int_eq(back, vals[i]);
    }
}
END_TEST

START_TEST(test_round_div)
{
    ck_assert_int_eq(money_round_div(5, 10), 1);    /* 0.5 -> 1 */
    ck_assert_int_eq(money_round_div(-5, 10), -1);  /* -0.5 -> -1 (away from zero) */
    ck_assert_int_eq(money_round_div(4, 10), 0);    /* 0.4 -> 0 */
    ck_assert_int_eq(money_round_div(-4, 10), 0);   /* -0.4 -> 0 */
    ck_assert_int_eq(money_round_div(-15, 10), -2); /* -1.5 -> -2 */
    ck_assert_int_eq(money_round_div(15, 10), 2);   /* 1.5 -> 2 */
    ck_assert_int_eq(money_round_div(14, 10), 1);   /* 1.4 -> 1 */
    ck_assert_int_eq(money_round_div(-14, 10), -1);
    ck_assert_int_eq(money_round_div(2, 3), 1);     /* 0.667 -> 1 */
    ck_assert_int_eq(money_round_div(-1, 3), 0);    /* -0.333 -> 0 */
    ck_assert_int_eq(money_round_div(0, 7), 0);
    ck_assert_int_eq(money_round_div(INT64_MIN, 1), INT64_MIN);
    /* INT64_MIN / 2 = -2^62 exactly */
    ck_assert_int_eq(money_round_div(INT64_MIN, 2), -4611686018427387904LL);
    /* INT64_MAX / 2 = 4611686018427387903.5 -> ...904 */
    ck_assert_int_eq(money_round_div(INT64_MAX, 2), 4611686018427387904LL);
    /* -2^63 / (2^63 - 1) = -1.0000000000000000001 -> -1 */
    ck_assert_int_eq(money_round_div(INT64_MIN, INT64_MAX), -1);
    ck_assert_int_eq(money_round_div(INT64_MAX, INT64_MAX), 1);
    /* 3 / (2^63 - 1) is almost 0 -> 0 */
    ck_assert_int_eq(money_round_div(3, INT64_MAX), 0);
}
END_TEST

START_TEST(test_mul_div)
{
    int64_t r = 99;
    ck_assert_int_eq(money_mul_div(3, 1, 2, &r), 0);
    ck_assert_int_eq(r, 2);  /* 1.5 -> 2 */
    ck_assert_int_eq(money_mul_div(-3, 1, 2, &r), 0);
    ck_assert_int_eq(r, -2); /* -1.5 -> -2 */
    /* the product overflows int64 but not the 128-bit intermediate:
     * INT64_MAX * 2 / 2 = INT64_MAX exactly */
    ck_assert_int_eq(money_mul_div(INT64_MAX, 2, 2, &r), 0);
    ck_assert_int_eq(r, INT64_MAX);
    ck_assert_int_eq(money_mul_div(INT64_MAX, INT64_MAX, INT64_MAX, &r), 0);
    ck_assert_int_eq(r, INT64_MAX);
    ck_assert_int_eq(money_mul_div(INT64_MIN, 1, 1, &r), 0);
    ck_assert_int_eq(r, INT64_MIN);
    /* Gross savings $10,000 at 80% quality, qa_savings 1000 bps:
     * round(1000000 * 1000 * (10000 - 8000) / 10^8) = 2000000000000/100000000 = 20000 */
    ck_assert_int_eq(money_mul_div(1000000, 1000 * 2000, 100000000, &r), 0);
    ck_assert_int_eq(r, 20000);

    r = 77;
    ck_assert_int_eq(money_mul_div(INT64_MAX, 2, 1, &r), MONEY_ERANGE);
    ck_assert_int_eq(money_mul_div(INT64_MIN, -1, 1, &r), MONEY_ERANGE); /* 2^63 */
    /* INT64_MAX * 1.03 > INT64_MAX */
    ck_assert_int_eq(money_mul_div(INT64_MAX, 10300, 10000, &r), MONEY_ERANGE);
    ck_assert_int_eq(money_mul_div(INT64_MIN, 10300, 10000, &r), MONEY_ERANGE);
    ck_assert_int_eq(money_mul_div(INT64_MAX, INT64_MAX, 1, &r), MONEY_ERANGE);
    ck_assert_int_eq(money_mul_div(1, 1, 0, &r), MONEY_EINVAL);
    ck_assert_int_eq(money_mul_div(1, 1, -5, &r), MONEY_EINVAL);
    ck_assert_int_eq(r, 77); /* untouched on error */
    ck_assert_int_eq(money_mul_div(1, 1, 1, NULL), MONEY_EINVAL);
}
END_TEST

START_TEST(test_bps_and_factors)
{
    ck_assert_int_eq(money_apply_bps(12345, 5000), 6173);   /* 6172.5 -> 6173 */
    ck_assert_int_eq(money_apply_bps(-12345, 5000), -6173); /* -6172.5 -> -6173 */
    ck_assert_int_eq(money_apply_bps(12345, 0), 0);
    ck_assert_int_eq(money_apply_bps(12345, 10000), 12345);
    ck_assert_int_eq(money_apply_bps(100000, -500), -5000); /* -5% of $1,000 */
    ck_assert_int_eq(money_apply_factor(1999, 10800), 2159); /* 2158.92 -> 2159 */
    ck_assert_int_eq(money_apply_factor(1999, 8500), 1699);  /* 1699.15 -> 1699 */
    ck_assert_int_eq(money_apply_factor(-1999, 10800), -2159);
    /* saturation at the int64 bounds */
    ck_assert_int_eq(money_apply_bps(INT64_MAX, 20000), INT64_MAX);
    ck_assert_int_eq(money_apply_bps(INT64_MIN, 20000), INT64_MIN);
    ck_assert_int_eq(money_apply_factor(INT64_MAX, 10000), INT64_MAX);

    /* docs/methodology.md section 4, falls prevention trigger A ($2,000.00, base year 2025) starting in
     * 2027, age 80, two HCCs, dual, discount 300 bps; round after every step:
     *   trend 2025->2026: 200000 * 1.03 = 206000
     *   trend 2026->2027: 206000 * 1.03 = 212180
     *   age 75-84 1.0800: 212180 * 1.08 = 229154.4   -> 229154
     *   HCC 2 1.1200:     229154 * 1.12 = 256652.48  -> 256652
     *   dual 1.1000:      256652 * 1.10 = 282317.2   -> 282317
     *   discount 300 bps: 282317 * 9700/10000 = 273847.49 -> 273847 */
    cara_cents t = 200000;
    t = money_apply_bps(t, 10000 + 300);
    ck_assert_int_eq(t, 206000);
    t = money_apply_bps(t, 10000 + 300);
    ck_assert_int_eq(t, 212180);
    t = money_apply_factor(t, 10800);
    ck_assert_int_eq(t, 229154);
    t = money_apply_factor(t, 11200);
    ck_assert_int_eq(t, 256652);
    t = money_apply_factor(t, 11000);
    ck_assert_int_eq(t, 282317);
    t = money_apply_bps(t, 10000 - 300);
    ck_assert_int_eq(t, 273847);
}
END_TEST

START_TEST(test_factor_parse_format)
{
    int64_t f = -1;
    ck_assert_int_eq(FPARSE("1.08", &f), 0);
    ck_assert_int_eq(f, 10800);
    ck_assert_int_eq(FPARSE("1.0800", &f), 0);
    ck_assert_int_eq(f, 10800);
    ck_assert_int_eq(FPARSE("1", &f), 0);
    ck_assert_int_eq(f, 10000);
    ck_assert_int_eq(FPARSE("0.85", &f), 0);
    ck_assert_int_eq(f, 8500);
    ck_assert_int_eq(FPARSE("0", &f), 0);
    ck_assert_int_eq(f, 0);
    ck_assert_int_eq(FPARSE("12.3456", &f), 0);
    ck_assert_int_eq(f, 123456);
    ck_assert_int_eq(FPARSE("922337203685477.5807", &f), 0);
    ck_assert_int_eq(f, INT64_MAX);

    f = 55;
    ck_assert_int_eq(FPARSE("1.08000", &f), MONEY_EDECIMALS);
    ck_assert_int_eq(FPARSE("-1", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE("+1", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE("1.", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE(".5", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE("", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE("1.0a", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE("1,08", &f), MONEY_EINVAL);
    ck_assert_int_eq(FPARSE("922337203685477.5808", &f), MONEY_ERANGE);
    ck_assert_int_eq(f, 55);
    ck_assert_str_ne(factor_strerror(MONEY_EINVAL), factor_strerror(MONEY_EDECIMALS));

    char buf[24];
    factor_format(10800, buf);
    ck_assert_str_eq(buf, "1.0800");
    factor_format(8500, buf);
    ck_assert_str_eq(buf, "0.8500");
    factor_format(0, buf);
    ck_assert_str_eq(buf, "0.0000");
    factor_format(123456, buf);
    ck_assert_str_eq(buf, "12.3456");
    factor_format(7, buf);
    ck_assert_str_eq(buf, "0.0007");
    factor_format(-500, buf);
    ck_assert_str_eq(buf, "-0.0500");
    factor_format(INT64_MIN, buf);
    ck_assert_str_eq(buf, "-922337203685477.5808");
}
END_TEST

/* Checked add and multiply: the exact result or MONEY_ERANGE with *out untouched. */
START_TEST(test_checked)
{
    int64_t out = 55;
    ck_assert_int_eq(money_add(150, -40, &out), 0);
    ck_assert_int_eq(out, 110);
    ck_assert_int_eq(money_add(INT64_MAX - 1, 1, &out), 0);
    ck_assert_int_eq(out, INT64_MAX);
    out = 55;
    ck_assert_int_eq(money_add(INT64_MAX, 1, &out), MONEY_ERANGE);
    ck_assert_int_eq(money_add(INT64_MIN, -1, &out), MONEY_ERANGE);
    ck_assert_int_eq(out, 55);
    /* the reported case: 9223372036854775807 cents ($92,233,720,368,547,758.07) twice */
    ck_assert_int_eq(money_add(INT64_MAX, INT64_MAX, &out), MONEY_ERANGE);
    ck_assert_int_eq(money_mul(3037000499, 3037000499, &out), 0); /* < 2^63 */
    ck_assert_int_eq(out, INT64_C(9223372030926249001));
    ck_assert_int_eq(money_mul(3037000500, 3037000500, &out), MONEY_ERANGE);
    ck_assert_int_eq(money_mul(-1, INT64_MIN, &out), MONEY_ERANGE);
    ck_assert_int_eq(money_mul(-7, 6, &out), 0);
    ck_assert_int_eq(out, -42);
    /* the per-amount input bound: 100000000.00 dollars, either sign */
    ck_assert(money_amount_ok(MONEY_AMOUNT_MAX_CENTS));
    ck_assert(money_amount_ok(-MONEY_AMOUNT_MAX_CENTS));
    ck_assert(!money_amount_ok(MONEY_AMOUNT_MAX_CENTS + 1));
    ck_assert(!money_amount_ok(INT64_MIN));
    ck_assert_ptr_nonnull(strstr(money_amount_limit_text(), "100000000.00"));
}
END_TEST

/* episode_actual_cents over four lines of INT64_MAX cents: the sum wrapped to a
 * negative number before; the checked form refuses it, the plain one saturates.
 * Hand check: 150.00 + 40.00 + -10.00 = 180.00 -> 18000 cents. */
START_TEST(test_episode_actual)
{
    cara_claim_line lines[4];
    memset(lines, 0, sizeof lines);
    size_t idx[4] = {0, 1, 2, 3};
    cara_episode ep;
    memset(&ep, 0, sizeof ep);
    ep.lines = idx;
    ep.n_lines = 3;
    lines[0].paid = 15000;
    lines[1].paid = 4000;
    lines[2].paid = -1000;
    cara_cents sum = 0;
    ck_assert_int_eq(episode_actual_cents_checked(&ep, lines, &sum), 0);
    ck_assert_int_eq(sum, 18000);
    ck_assert_int_eq(episode_actual_cents(&ep, lines), 18000);
    for (int i = 0; i < 4; i++) lines[i].paid = INT64_MAX;
    ep.n_lines = 4;
    sum = 7;
    ck_assert_int_eq(episode_actual_cents_checked(&ep, lines, &sum), MONEY_ERANGE);
    ck_assert_int_eq(sum, 7);
    ck_assert_int_eq(episode_actual_cents(&ep, lines), INT64_MAX);
}
END_TEST

Suite *suite_money(void)
{
    Suite *s = suite_create("money");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_ok);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_round_div);
    tcase_add_test(tc, test_mul_div);
    tcase_add_test(tc, test_bps_and_factors);
    tcase_add_test(tc, test_factor_parse_format);
    tcase_add_test(tc, test_checked);
    tcase_add_test(tc, test_episode_actual);
    suite_add_tcase(s, tc);
    return s;
}
