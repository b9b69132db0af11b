/*
 * core/base/money.c: see money.h. Intermediates are 128-bit (a GCC/Clang extension) so
 * that every product of two int64 values is exact.
 */
#include "money.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

#define U64_2POW63 ((uint64_t)1 << 63) /* |INT64_MIN| */

/* num / den rounded half away from zero, den > 0. Any i128 num with |num| < 2^127. */
static i128 round_div128(i128 num, i128 den)
{
    i128 q = num / den, r = num % den; /* C truncates toward zero: r has num's sign */
    i128 ar = r < 0 ? -r : r;
    if (ar >= den - ar) q += num < 0 ? -1 : 1; /* 2|r| >= den without overflow */
    return q;
}

int64_t money_round_div(int64_t num, int64_t den)
{
    assert(den > 0);
    return (int64_t)round_div128(num, den); /* |result| <= |num|: always fits */
}

int money_mul_div(int64_t a, int64_t b, int64_t den, int64_t *out)
{
    if (den <= 0 || !out) return MONEY_EINVAL;
    i128 q = round_div128((i128)a * b, den); /* |a*b| <= 2^126 */
    if (q > INT64_MAX || q < INT64_MIN) return MONEY_ERANGE;
    *out = (int64_t)q;
    return 0;
}

static int64_t mul_div_sat(int64_t a, int64_t b, int64_t den)
{
    i128 q = round_div128((i128)a * b, den);
    if (q > INT64_MAX) return INT64_MAX;
    if (q < INT64_MIN) return INT64_MIN;
    return (int64_t)q;
}

cara_cents money_apply_bps(cara_cents c, int64_t bps)
{
    return mul_div_sat(c, bps, 10000);
}

cara_cents money_apply_factor(cara_cents c, int64_t factor4)
{
    return mul_div_sat(c, factor4, 10000);
}

/*
 * The common parser: [-]digits[.digits], at most max_dec decimals, scaled by
 * 10^max_dec. Magnitude accumulates in u128 and stops growing past 2^64 (the overflow
 * is recorded) so that any number of digits is safe.
 */
static int parse_fixed(const char *s, size_t len, int allow_neg, int max_dec, int64_t *out)
{
    if (!s || !out || len == 0) return MONEY_EINVAL;
    size_t i = 0;
    int neg = 0;
    if (allow_neg && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    u128 mag = 0;
    const u128 big = (u128)1 << 64;
    size_t int_digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, int_digits++)
        if (mag < big) mag = mag * 10 + (unsigned)(s[i] - '0');
    if (int_digits == 0) return MONEY_EINVAL;
    int dec = 0;
    if (i < len) {
        if (s[i] != '.') return MONEY_EINVAL;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (dec < max_dec && mag < big) mag = mag * 10 + (unsigned)(s[i] - '0');
            dec++;
        }
        if (dec == 0 || i < len) return MONEY_EINVAL;
        if (dec > max_dec) return MONEY_EDECIMALS;
    }
    for (int k = dec; k < max_dec; k++)
        if (mag < big) mag *= 10;
    if (neg) {
        if (mag > U64_2POW63) return MONEY_ERANGE;
        *out = mag == U64_2POW63 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > INT64_MAX) return MONEY_ERANGE;
        *out = (int64_t)mag;
    }
    return 0;
}

int money_parse(const char *s, size_t len, cara_cents *out)
{
    return parse_fixed(s, len, 1, 2, out);
}

int factor_parse(const char *s, size_t len, int64_t *out)
{
    return parse_fixed(s, len, 0, 4, out);
}

const char *money_strerror(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case MONEY_EINVAL: return "expected dollars with at most two decimals, like 123.45";
    case MONEY_EDECIMALS:
        return "too many decimals: expected dollars with at most two decimals (whole cents), like 123.45";
    case MONEY_ERANGE:
        return "amount out of range: expected at most 92233720368547758.07 dollars in absolute value";
    default: return "invalid amount: expected dollars with at most two decimals, like 123.45";
    }
}

const char *factor_strerror(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case MONEY_EINVAL:
        return "expected a non-negative decimal factor with at most four decimals, like 1.0800";
    case MONEY_EDECIMALS: return "too many decimals: expected at most four, like 1.0800";
    case MONEY_ERANGE: return "factor out of range: expected at most 922337203685477.5807";
    default: return "invalid factor: expected a non-negative decimal with at most four decimals, like 1.0800";
    }
}

/* Write v as whole.fraction with `dec` fraction digits (scale = 10^dec). */
static void format_fixed(int64_t v, uint64_t scale, int dec, char *buf, size_t size)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN ok */
    snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", mag / scale, dec,
             mag % scale);
}

void money_format(cara_cents c, char buf[32])
{
    format_fixed(c, 100, 2, buf, 32);
}

void factor_format(int64_t f4, char buf[24])
{
    format_fixed(f4, 10000, 4, buf, 24);
}

int money_amount_ok(cara_cents c)
{
    return c >= -MONEY_AMOUNT_MAX_CENTS && c <= MONEY_AMOUNT_MAX_CENTS;
}

const char *money_amount_limit_text(void)
{
    return "above the limit of 100000000.00 dollars per amount, either sign "
           "(docs/input-formats.md, Amounts)";
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return MONEY_ERANGE;
    *out = r;
    return 0;
}

int money_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return MONEY_ERANGE;
    *out = r;
    return 0;
}
