/*
 * core/base/date.c: see date.h. Day-number conversions are Howard Hinnant's public-domain
 * algorithms (http://howardhinnant.github.io/date_algorithms.html), computed in
 * int64 so that no intermediate can overflow.
 */
#include "date.h"

#include <errno.h>
#include <stdint.h>

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int date_valid_ymd(int y, int m, int d)
{
    if (m < 1 || m > 12 || d < 1) return 0;
    return d <= days_in_month(y, m);
}

cara_date date_from_ymd(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                      /* [0, 399] */
    int64_t mp = (m + 9) % 12;                                         /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;                          /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return (cara_date)(era * 146097 + doe - 719468);
}

void date_to_ymd(cara_date d, int *y, int *m, int *dd)
{
    if (d == CARA_DATE_NONE) {
        if (y) *y = 0;
        if (m) *m = 0;
        if (dd) *dd = 0;
        return;
    }
    int64_t z = (int64_t)d + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                    /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                  /* [0, 11] */
    int64_t day = doy - (153 * mp + 2) / 5 + 1;                        /* [1, 31] */
    int64_t mon = mp < 10 ? mp + 3 : mp - 9;                           /* [1, 12] */
    int64_t year = yoe + era * 400 + (mon <= 2);
    if (y) *y = (int)year;
    if (m) *m = (int)mon;
    if (dd) *dd = (int)day;
}

int date_year(cara_date d)
{
    int y;
    date_to_ymd(d, &y, NULL, NULL);
    return y;
}

/* Digit c's value, or 10 or more for any other byte. */
static inline unsigned digit(char c) { return (unsigned)(unsigned char)c - '0'; }

/* date_parse is on the hot path of every load (a claim line has four dates) and of every
 * run (dates are stored as text): its checks and date_from_ymd's arithmetic, in unsigned
 * 32-bit numbers, which suffice for DATE_MIN_YEAR..DATE_MAX_YEAR (tests/test_date.c
 * compares it with date_from_ymd and date_valid_ymd on every day of those years). */
int date_parse(const char *s, size_t len, cara_date *out)
{
    if (!s || !out || len != 10 || s[4] != '-' || s[7] != '-') return -EINVAL;
    unsigned c[8] = {digit(s[0]), digit(s[1]), digit(s[2]), digit(s[3]),
                     digit(s[5]), digit(s[6]), digit(s[8]), digit(s[9])};
    unsigned bad = 0;
    for (int i = 0; i < 8; i++) bad |= c[i] > 9;
    if (bad) return -EINVAL;
    unsigned y = c[0] * 1000 + c[1] * 100 + c[2] * 10 + c[3], m = c[4] * 10 + c[5],
             d = c[6] * 10 + c[7];
    if (y < (unsigned)DATE_MIN_YEAR || y > (unsigned)DATE_MAX_YEAR || m < 1 || m > 12 || d < 1)
        return -EINVAL;
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > dim[m - 1] + (unsigned)(m == 2 && leap)) return -EINVAL;
    /* days_from_civil with y >= 1800: no negative era */
    unsigned yy = y - (m <= 2), era = yy / 400, yoe = yy - era * 400;
    unsigned mp = m > 2 ? m - 3 : m + 9, doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (cara_date)((int64_t)era * 146097 + doe - 719468);
    return 0;
}

static void put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void date_format(cara_date d, char buf[11])
{
    int y, m, dd;
    buf[0] = '\0';
    if (d == CARA_DATE_NONE) return;
    date_to_ymd(d, &y, &m, &dd);
    if (y < 0 || y > 9999) return;
    put_digits(buf, y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, dd, 2);
    buf[10] = '\0';
}

int date_age_on(cara_date birth, cara_date on)
{
    if (birth == CARA_DATE_NONE || on == CARA_DATE_NONE) return -1;
    int y1, m1, d1, y2, m2, d2;
    date_to_ymd(birth, &y1, &m1, &d1);
    date_to_ymd(on, &y2, &m2, &d2);
    int age = y2 - y1;
    if (m2 < m1 || (m2 == m1 && d2 < d1)) age--;
    return age;
}
