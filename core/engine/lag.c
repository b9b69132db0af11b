/*
 * lag.c: see lag.h.
 */
#include "lag.h"

#include <string.h>

#include "base/base.h"

void lag_init(lag_model *m, cara_date as_of)
{
    memset(m, 0, sizeof *m);
    m->as_of = as_of;
    m->as_of_month = lag_month_of(as_of);
}

int lag_month_of(cara_date d)
{
    return (int)(d >= 0 ? d / 7 : (d - 6) / 7);
}

void lag_add(lag_model *m, cara_setting s, int service_month, int paid_month, int64_t cents)
{
    int i = m->as_of_month - service_month;
    if (s < 0 || s >= SETTING_N || i < 0 || i >= LAG_MONTHS || paid_month > m->as_of_month) return;
    int k = paid_month - service_month;
    if (k < 0) k = 0;
    if (k > LAG_MAX) k = LAG_MAX;
    m->cell[s][i][k] += cents;
    m->cells_cents += cents;
}

int lag_of_month(const lag_model *m, int service_month)
{
    int i = m->as_of_month - service_month;
    return i < 0 ? 0 : i > LAG_MAX ? LAG_MAX : i;
}

/* a * b / den rounded (den > 0); saturates instead of failing (factors are bounded by
 * the data: a month paid 100 times its first month's amount is still far inside int64) */
static int64_t mdiv(int64_t a, int64_t b, int64_t den)
{
    int64_t out;
    if (den <= 0) return 0;
    if (money_mul_div(a, b, den, &out) < 0) return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return out;
}

/* Cumulative paid of service month i through lag k: over settings [s0, s1). */
static int64_t cum(const lag_model *m, int s0, int s1, int i, int k)
{
    int64_t c = 0;
    for (int s = s0; s < s1; s++)
        for (int j = 0; j <= k; j++) c += m->cell[s][i][j];
    return c;
}

int64_t lag_isqrt(__int128 v)
{
    if (v <= 0) return 0;
    __int128 x = v, y = (x + 1) / 2;
    while (y < x) {
        x = y;
        y = (x + v / x) / 2;
    }
    return x > INT64_MAX ? INT64_MAX : (int64_t)x;
}

/* f_k over settings [s0, s1): 1 when it has enough data (and *f, *lo, *hi), else 0. The
 * band: f_k -/+ twice its standard error, from the spread of the single service periods'
 * factors weighted by their paid at lag k (n_eff = (sum w)^2 / sum w^2). */
static int factor(const lag_model *m, int s0, int s1, int k, int64_t *f, int64_t *lo, int64_t *hi)
{
    int64_t num = 0, den = 0, one[LAG_MONTHS], w[LAG_MONTHS];
    int months = 0;
    for (int i = k + 1; i < LAG_MONTHS; i++) {
        int64_t a = cum(m, s0, s1, i, k), b = cum(m, s0, s1, i, k + 1);
        if (a <= 0) continue;
        num += b;
        den += a;
        one[months] = mdiv(b, LAG_PPM, a);
        w[months++] = a;
    }
    if (months < LAG_MIN_MONTHS || den < LAG_MIN_CENTS) return 0;
    *f = mdiv(num, LAG_PPM, den);
    __int128 sw = 0, sw2 = 0, var = 0;
    for (int i = 0; i < months; i++) {
        __int128 d = (__int128)(one[i] - *f);
        sw += w[i];
        sw2 += (__int128)w[i] * w[i];
        var += (__int128)w[i] * d * d;
    }
    /* se^2 = (sum w d^2 / sum w) / n_eff = sum w d^2 * sum w^2 / (sum w)^3 */
    __int128 se2 = sw > 0 ? var / sw * sw2 / sw / sw : 0;
    int64_t se = lag_isqrt(se2);
    *lo = *f - 2 * se;
    *hi = *f + 2 * se;
    if (*lo < 0) *lo = 0;
    return 1;
}

/* completion factor (ppm) through lag L from the factors v[L..LAG_MAX) */
static int64_t completion(const int64_t *v, int L)
{
    int64_t prod = LAG_PPM;
    for (int k = L; k < LAG_MAX; k++) prod = mdiv(prod, v[k], LAG_PPM);
    return prod > 0 ? mdiv(LAG_PPM, LAG_PPM, prod) : LAG_PPM;
}

void lag_fit(lag_model *m)
{
    for (int k = 0; k < LAG_MAX; k++) {
        int64_t pf = LAG_PPM, plo = LAG_PPM, phi = LAG_PPM;
        if (!factor(m, 0, SETTING_N, k, &pf, &plo, &phi)) pf = plo = phi = LAG_PPM;
        for (int s = 0; s < SETTING_N; s++) {
            m->pooled[s][k] = !factor(m, s, s + 1, k, &m->f[s][k], &m->f_lo[s][k], &m->f_hi[s][k]);
            if (m->pooled[s][k]) {
                m->f[s][k] = pf;
                m->f_lo[s][k] = plo;
                m->f_hi[s][k] = phi;
            }
        }
    }
    for (int s = 0; s < SETTING_N; s++)
        for (int L = 0; L <= LAG_MAX; L++) {
            m->cf[s][L] = completion(m->f[s], L);
            m->cf_lo[s][L] = completion(m->f_hi[s], L); /* the slowest development */
            m->cf_hi[s][L] = completion(m->f_lo[s], L);
        }
}

int64_t lag_ultimate(const lag_model *m, cara_setting s, int lag, int64_t cents, int which)
{
    if (s < 0 || s >= SETTING_N) s = SETTING_OTHER;
    if (lag < 0) lag = 0;
    if (lag > LAG_MAX) lag = LAG_MAX;
    int64_t cf = which > 0 ? m->cf_lo[s][lag] : which < 0 ? m->cf_hi[s][lag] : m->cf[s][lag];
    return cf > 0 ? mdiv(cents, LAG_PPM, cf) : cents;
}
