/*
 * core/base/money.h: money as int64 cents, rates in basis points, factors with four
 * decimals stored x 10000 (docs/methodology.md section 4). Every rounding is half away from
 * zero. Integer arithmetic only (128-bit intermediates): no floating point. Pure
 * functions: no I/O, no state, thread-safe.
 */
#ifndef CARA_CORE_MONEY_H
#define CARA_CORE_MONEY_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "cara/types.h"

/* Error codes (distinct, negative, errno-style so that rc < 0 means failure). */
#define MONEY_EINVAL (-EINVAL)   /* bad shape: not [-]digits[.d[d]] */
#define MONEY_EDECIMALS (-EDOM)  /* well-formed but more decimals than allowed */
#define MONEY_ERANGE (-ERANGE)   /* the value does not fit int64 */

/*
 * The largest amount an input line may carry, either sign: $100,000,000.00 (10^10
 * cents) per claim line or claim (docs/input-formats.md, "Amounts"; docs/security.md).
 * Every loader (CSV, CCLF, FHIR) refuses a larger one, naming where it is. With it no
 * sum of fewer than 922 million lines can overflow int64; the sums are checked anyway.
 */
#define MONEY_AMOUNT_MAX_CENTS INT64_C(10000000000)

/* 1 when |c| <= MONEY_AMOUNT_MAX_CENTS, else 0. */
int money_amount_ok(cara_cents c);

/* "above the limit of 100000000.00 dollars per amount (docs/input-formats.md, Amounts)":
 * the static sentence a loader appends to its file:line:column, field and value. */
const char *money_amount_limit_text(void);

/*
 * Checked arithmetic for the money path (__builtin_*_overflow): *out = a + b (money_add)
 * or a * b (money_mul). Return 0, or MONEY_ERANGE when the exact result does not fit
 * int64 (*out untouched). Never wraps, never saturates.
 */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

/*
 * Parse exactly `len` bytes of s (need not be NUL-terminated) as a dollar amount as
 * written in the CSV input: an optional leading '-', one or more digits, then
 * optionally '.' followed by one or two digits. "123.45" -> 12345, "7" -> 700,
 * "0.5" -> 50, "-12.05" -> -1205, "-0" -> 0. Refused: "", "+1", "1.", ".5", " 1",
 * "1e3", "1,000" (MONEY_EINVAL); "1.234" (MONEY_EDECIMALS); an amount whose cents do
 * not fit int64 (MONEY_ERANGE). A bad shape is reported before too many decimals,
 * which is reported before overflow.
 * Returns 0 and sets *out, or a negative MONEY_E* code leaving *out untouched
 * (MONEY_EINVAL also when s or out is NULL).
 */
int money_parse(const char *s, size_t len, cara_cents *out);

/*
 * A static sentence for a money_parse() return code saying what is expected, e.g.
 * "expected dollars with at most two decimals, like 123.45". Never NULL.
 */
const char *money_strerror(int rc);

/*
 * Write c as dollars with exactly two decimals plus NUL into buf: -123450 -> "-1234.50",
 * 5 -> "0.05", 1200 -> "12.00". Every int64 value, INT64_MIN included, fits.
 * The output is accepted by money_parse() and gives back c.
 */
void money_format(cara_cents c, char buf[32]);

/*
 * num / den rounded half away from zero: (5,10) -> 1, (-5,10) -> -1, (-15,10) -> -2.
 * den must be > 0 (asserted). Exact for every int64 num; the result always fits.
 */
int64_t money_round_div(int64_t num, int64_t den);

/*
 * round(a * b / den), half away from zero, with the product held in 128 bits (never
 * overflows). Returns 0 and sets *out, MONEY_ERANGE when the rounded result does not
 * fit int64 (*out untouched), MONEY_EINVAL when den <= 0 or out is NULL.
 */
int money_mul_div(int64_t a, int64_t b, int64_t den, int64_t *out);

/*
 * round(c * bps / 10000) half away from zero, e.g. c = 12345, bps = 5000 -> 6173.
 * A result beyond int64 saturates to INT64_MIN/INT64_MAX; callers that must detect
 * that use money_mul_div(c, bps, 10000, &out).
 */
cara_cents money_apply_bps(cara_cents c, int64_t bps);

/*
 * round(c * factor4 / 10000) half away from zero, where factor4 is a factor with four
 * decimals stored x 10000 (10800 means 1.0800). Saturates like money_apply_bps().
 */
cara_cents money_apply_factor(cara_cents c, int64_t factor4);

/*
 * Parse exactly `len` bytes of s as a non-negative factor with at most four decimals:
 * digits, then optionally '.' and one to four digits. "1.08" and "1.0800" -> 10800,
 * "1" -> 10000, "0.85" -> 8500. Refused: "", "-1", "+1", "1.", ".5" (MONEY_EINVAL);
 * "1.08000" (MONEY_EDECIMALS); a value whose x10000 form does not fit int64
 * (MONEY_ERANGE). Returns 0 and sets *out, or the negative code (*out untouched).
 */
int factor_parse(const char *s, size_t len, int64_t *out);

/* A static sentence for a factor_parse() return code, like money_strerror(). */
const char *factor_strerror(int rc);

/*
 * Write a x10000 factor with exactly four decimals plus NUL into buf:
 * 10800 -> "1.0800", 8500 -> "0.8500". Negative values get a '-'; every int64 fits.
 */
void factor_format(int64_t f4, char buf[24]);

#endif /* CARA_CORE_MONEY_H */
