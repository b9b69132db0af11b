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

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int date_parse(const char *s, size_t len, cara_date *out)
{
    if (!s || !out || len != 10 || s[4] != '-' || s[7] != '-') return -EINVAL;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 0 || d < 0) return -EINVAL;
    if (!date_valid_ymd(y, m, d)) return -EINVAL;
    *out = date_from_ymd(y, m, d);
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
