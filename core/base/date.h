/*
 * core/base/date.h: calendar dates as cara_date day numbers (days since 1970-01-01,
 * proleptic Gregorian; see cara/types.h). Pure functions: no I/O, no state,
 * thread-safe.
 */
#ifndef CARA_CORE_DATE_H
#define CARA_CORE_DATE_H

#include <stddef.h>

#include "cara/types.h"

/* Years date_parse() accepts (inclusive). */
#define DATE_MIN_YEAR 1800
#define DATE_MAX_YEAR 2299

/*
 * Parse exactly `len` bytes of s as a strict "YYYY-MM-DD": exactly 10 characters,
 * digits with '-' at positions 5 and 8, a real calendar date (leap years included) with
 * a year in DATE_MIN_YEAR..DATE_MAX_YEAR. s need not be NUL-terminated; nothing past
 * s[len-1] is read. Returns 0 and sets *out, or -EINVAL (s or out NULL, bad shape,
 * impossible date) leaving *out untouched.
 */
int date_parse(const char *s, size_t len, cara_date *out);

/*
 * Write d as "YYYY-MM-DD" plus NUL into buf. Writes "" for CARA_DATE_NONE and for a
 * date whose year is outside 0..9999 (which cannot be written in four digits).
 */
void date_format(cara_date d, char buf[11]);

/*
 * The day number of year y, month m (1..12), day d (1..31), by Howard Hinnant's
 * days_from_civil. No validation: an impossible date such as 2027-02-30 yields the
 * number of the day it would overflow into (2027-03-02). Use date_valid_ymd() first
 * when the input is untrusted. The result must fit int32 (|y| below ~5.8 million).
 */
cara_date date_from_ymd(int y, int m, int d);

/*
 * Split d into year, month (1..12) and day (1..31) (Hinnant's civil_from_days). Any
 * output pointer may be NULL. For CARA_DATE_NONE all outputs are set to 0.
 */
void date_to_ymd(cara_date d, int *y, int *m, int *dd);

/* The calendar year of d; 0 for CARA_DATE_NONE. */
int date_year(cara_date d);

/*
 * Age in whole years on date `on` of someone born on `birth`:
 * year(on) - year(birth), minus 1 if (month, day) of `on` is before (month, day) of
 * `birth`. Consequence for a 29 February birthday: in a non-leap year the person turns
 * a year older on 1 March (28 February is still "before" 29 February).
 * Negative when on < birth. Returns -1 when either date is CARA_DATE_NONE.
 */
int date_age_on(cara_date birth, cara_date on);

/* 1 when y-m-d is a real proleptic Gregorian date (any year, leap years included),
 * else 0. */
int date_valid_ymd(int y, int m, int d);

#endif /* CARA_CORE_DATE_H */
