/* tests/test_date.c: core/base/date.c (day numbers, strict parsing, ages). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "suites.h"

#define PARSE(lit, out) date_parse((lit), strlen(lit), (out))

START_TEST(test_epoch_and_known_days)
{
    ck_assert_int_eq(date_from_ymd(1970, 1, 1), 0);
    ck_assert_int_eq(date_from_ymd(1970, 1, 2), 1);
    ck_assert_int_eq(date_from_ymd(1969, 12, 31), -1);
    /* 2000-01-01: 30 years of 365 days + 7 leap days (72,76,...,96) = 10950 + 7 */
    ck_assert_int_eq(date_from_ymd(2000, 1, 1), 10957);
    /* 2000-02-29 = 10957 + 31 (January) + 28 */
    ck_assert_int_eq(date_from_ymd(2000, 2, 29), 11016);
    /* 2027-01-01: 57 years * 365 = 20805, + 14 leap days (1972..2024) = 20819 */
    ck_assert_int_eq(date_from_ymd(2027, 1, 1), 20819);
    /* 1800-01-01: 170 years * 365 = 62050, + 41 leap days (1804..1968, not 1900) */
    ck_assert_int_eq(date_from_ymd(1800, 1, 1), -62091);
    ck_assert_int_eq(date_from_ymd(2299, 12, 31), 120529);
    /* no validation: 2027-02-30 is the day after 2027-03-01 */
    ck_assert_int_eq(date_from_ymd(2027, 2, 30), date_from_ymd(2027, 3, 2));

    int y, m, d;
    date_to_ymd(11016, &y, &m, &d);
    ck_assert_int_eq(y, 2000);
    ck_assert_int_eq(m, 2);
    ck_assert_int_eq(d, 29);
    date_to_ymd(-1, &y, &m, &d);
    ck_assert_int_eq(y, 1969);
    ck_assert_int_eq(m, 12);
    ck_assert_int_eq(d, 31);
    date_to_ymd(CARA_DATE_NONE, &y, &m, &d);
    ck_assert_int_eq(y, 0);
    ck_assert_int_eq(m, 0);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(date_year(20819), 2027);
    ck_assert_int_eq(date_year(20818), 2026); /* 2026-12-31 */
    ck_assert_int_eq(date_year(CARA_DATE_NONE), 0);
}
END_TEST

START_TEST(test_leap_years)
{
    ck_assert_int_eq(date_valid_ymd(2000, 2, 29), 1); /* divisible by 400 */
    ck_assert_int_eq(date_valid_ymd(1900, 2, 29), 0); /* by 100, not 400 */
    ck_assert_int_eq(date_valid_ymd(2027, 2, 29), 0); /* not by 4 */
    ck_assert_int_eq(date_valid_ymd(2028, 2, 29), 1); /* by 4 */
    ck_assert_int_eq(date_valid_ymd(2027, 2, 28), 1);
    ck_assert_int_eq(date_valid_ymd(2027, 4, 31), 0);
    ck_assert_int_eq(date_valid_ymd(2027, 12, 31), 1);
    ck_assert_int_eq(date_valid_ymd(2027, 0, 1), 0);
    ck_assert_int_eq(date_valid_ymd(2027, 13, 1), 0);
    ck_assert_int_eq(date_valid_ymd(2027, 1, 0), 0);

    cara_date d = 12345;
    ck_assert_int_eq(PARSE("2000-02-29", &d), 0);
    ck_assert_int_eq(d, 11016);
    d = 12345;
    ck_assert_int_eq(PARSE("1900-02-29", &d), -EINVAL);
    ck_assert_int_eq(PARSE("2027-02-29", &d), -EINVAL);
    ck_assert_int_eq(d, 12345); /* untouched on error */
    ck_assert_int_eq(PARSE("2028-02-29", &d), 0);
    /* 2028-02-29 = 2027-01-01 (20819) + 365 + 31 + 28 */
    ck_assert_int_eq(d, 20819 + 365 + 31 + 28);
}
END_TEST

START_TEST(test_bad_shapes)
{
    cara_date d = 777;
    ck_assert_int_eq(PARSE("2027-1-01", &d), -EINVAL);   /* 9 chars */
    ck_assert_int_eq(PARSE("2027/01/01", &d), -EINVAL);  /* wrong separators */
    ck_assert_int_eq(PARSE("2027-13-01", &d), -EINVAL);  /* month 13 */
    ck_assert_int_eq(PARSE("2027-00-10", &d), -EINVAL);  /* month 0 */
    ck_assert_int_eq(PARSE("2027-01-00", &d), -EINVAL);  /* day 0 */
    ck_assert_int_eq(PARSE("2027-01-32", &d), -EINVAL);  /* day 32 */
    ck_assert_int_eq(PARSE("", &d), -EINVAL);
    ck_assert_int_eq(PARSE("2027-01-01 ", &d), -EINVAL); /* trailing junk */
    ck_assert_int_eq(PARSE("2027-01-01T00:00", &d), -EINVAL);
    ck_assert_int_eq(PARSE(" 2027-01-01", &d), -EINVAL);
    ck_assert_int_eq(PARSE("2027-01-0a", &d), -EINVAL);
    ck_assert_int_eq(PARSE("+027-01-01", &d), -EINVAL);
    ck_assert_int_eq(PARSE("2027-+1-01", &d), -EINVAL);
    ck_assert_int_eq(PARSE("1799-12-31", &d), -EINVAL);  /* below 1800 */
    ck_assert_int_eq(PARSE("2300-01-01", &d), -EINVAL);  /* above 2299 */
    ck_assert_int_eq(date_parse(NULL, 10, &d), -EINVAL);
    ck_assert_int_eq(date_parse("2027-01-01", 10, NULL), -EINVAL);
    ck_assert_int_eq(d, 777);

    /* len decides, not the NUL: the first 10 bytes of a longer buffer parse */
    const char *buf = "2027-01-01,2027-12-31";
    ck_assert_int_eq(date_parse(buf, 10, &d), 0);
    ck_assert_int_eq(d, 20819);
    ck_assert_int_eq(date_parse(buf, 11, &d), -EINVAL); /* includes the ',' */
    ck_assert_int_eq(date_parse(buf + 11, 10, &d), 0);
    ck_assert_int_eq(d, 20819 + 364);                    /* 2027-12-31 */
    ck_assert_int_eq(PARSE("1800-01-01", &d), 0);
    ck_assert_int_eq(d, -62091);
    ck_assert_int_eq(PARSE("2299-12-31", &d), 0);
    ck_assert_int_eq(d, 120529);
}
END_TEST

START_TEST(test_format)
{
    char buf[11];
    date_format(0, buf);
    ck_assert_str_eq(buf, "1970-01-01");
    date_format(11016, buf);
    ck_assert_str_eq(buf, "2000-02-29");
    date_format(-62091, buf);
    ck_assert_str_eq(buf, "1800-01-01");
    memset(buf, 'x', sizeof buf);
    date_format(CARA_DATE_NONE, buf);
    ck_assert_str_eq(buf, "");
    date_format(date_from_ymd(10000, 1, 1), buf); /* five-digit year: not writable */
    ck_assert_str_eq(buf, "");
}
END_TEST

/* Every day from 1800-01-01 to 2299-12-31 (500 years): day number -> y/m/d is a real
 * date, y/m/d -> the same day number, format -> parse -> the same day, and the next
 * day number is the next calendar day. */
START_TEST(test_round_trip_every_day)
{
    cara_date first = date_from_ymd(1800, 1, 1), last = date_from_ymd(2299, 12, 31);
    int py, pm, pd;
    date_to_ymd(first - 1, &py, &pm, &pd);
    ck_assert_int_eq(py, 1799);
    ck_assert_int_eq(pm, 12);
    ck_assert_int_eq(pd, 31);
    /* Plain comparisons in the loop (a Check assertion per day would be slow); the
     * first bad day is reported after it. */
    long n = 0;
    cara_date bad = CARA_DATE_NONE;
    for (cara_date d = first; d <= last && bad == CARA_DATE_NONE; d++, n++) {
        int y, m, dd;
        date_to_ymd(d, &y, &m, &dd);
        int ok = date_valid_ymd(y, m, dd) && date_from_ymd(y, m, dd) == d;
        if (dd == pd + 1)
            ok = ok && y == py && m == pm;
        else
            ok = ok && dd == 1 && !date_valid_ymd(py, pm, pd + 1) &&
                 ((y == py && m == pm + 1) || (y == py + 1 && m == 1 && pm == 12));
        char buf[11];
        cara_date back = CARA_DATE_NONE;
        date_format(d, buf);
        ok = ok && date_parse(buf, strlen(buf), &back) == 0 && back == d;
        if (!ok) bad = d;
        py = y, pm = m, pd = dd;
    }
    ck_assert_msg(bad == CARA_DATE_NONE, "round trip fails at day %d", (int)bad);
    /* 500 years = 500*365 + 121 leap days (125 multiples of 4, minus 1800, 1900, 2100,
     * 2200; 2000 stays) = 182621 */
    ck_assert_int_eq(n, 182621);
}
END_TEST

/* date_parse against date_valid_ymd and date_from_ymd (the arithmetic it inlines) for
 * every year of its range, every month 0..13 and every day 0..32: it accepts exactly the
 * real dates, with the same day numbers (29 February only in leap years). */
START_TEST(test_parse_every_ymd)
{
    long ok = 0;
    for (int y = DATE_MIN_YEAR; y <= DATE_MAX_YEAR; y++)
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++) {
                char buf[48]; /* room for any int, as the compiler reckons */
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
                cara_date got = 777;
                int rc = date_parse(buf, 10, &got);
                int valid = m >= 1 && m <= 12 && date_valid_ymd(y, m, d);
                if (valid != (rc == 0) || (valid && got != date_from_ymd(y, m, d)))
                    ck_abort_msg("%s: date_parse gave %d (day %d)", buf, rc, (int)got);
                ok += valid;
            }
    ck_assert_int_eq(ok, 182621); /* the days of test_round_trip_every_day */
}
END_TEST

START_TEST(test_age_on)
{
    cara_date birth = date_from_ymd(1955, 6, 15);
    ck_assert_int_eq(date_age_on(birth, date_from_ymd(2020, 6, 14)), 64); /* day before */
    ck_assert_int_eq(date_age_on(birth, date_from_ymd(2020, 6, 15)), 65); /* birthday */
    ck_assert_int_eq(date_age_on(birth, date_from_ymd(2020, 6, 16)), 65);
    ck_assert_int_eq(date_age_on(birth, date_from_ymd(2021, 6, 14)), 65);
    ck_assert_int_eq(date_age_on(birth, date_from_ymd(2020, 5, 31)), 64); /* earlier month */
    ck_assert_int_eq(date_age_on(birth, birth), 0);
    ck_assert_int_eq(date_age_on(birth, birth - 1), -1);

    /* Born 1952-02-29: in non-leap 2027, Feb 28 is still before the birthday (74) and
     * Mar 1 is the first day at 75; in leap 2028 the birthday itself is Feb 29. */
    cara_date leap = date_from_ymd(1952, 2, 29);
    ck_assert_int_eq(date_age_on(leap, date_from_ymd(2027, 2, 28)), 74);
    ck_assert_int_eq(date_age_on(leap, date_from_ymd(2027, 3, 1)), 75);
    ck_assert_int_eq(date_age_on(leap, date_from_ymd(2028, 2, 28)), 75);
    ck_assert_int_eq(date_age_on(leap, date_from_ymd(2028, 2, 29)), 76);

    ck_assert_int_eq(date_age_on(CARA_DATE_NONE, birth), -1);
    ck_assert_int_eq(date_age_on(birth, CARA_DATE_NONE), -1);
}
END_TEST

Suite *suite_date(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_epoch_and_known_days);
    tcase_add_test(tc, test_leap_years);
    tcase_add_test(tc, test_bad_shapes);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_round_trip_every_day);
    tcase_add_test(tc, test_parse_every_ymd);
    tcase_add_test(tc, test_age_on);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
