/*
 * lag: completion factors from the data's own lag triangle, for interim runs
 * (`cara run --as-of DATE`, docs/monthly.md).
 *
 * The triangle: paid cents by care setting (base/setting.h), service month and paid
 * month, over the claims paid on or before the as-of date. Development lag k of a cell is
 * its paid month minus its service month (0 = paid in the month of service). Chain
 * ladder: the development factor f_k (lag k to k+1) is the sum over service months
 * observed through lag k+1 of their cumulative paid at k+1, over the same months' at k;
 * the completion factor of a service month observed through lag L is 1 / (f_L x f_L+1 x
 * ... x f_K-1), K = LAG_MAX (later lags count as complete). A setting whose cells are too
 * thin for a factor (fewer than LAG_MIN_MONTHS service months, or less than
 * LAG_MIN_CENTS at lag k) takes the factor of all settings pooled. The band: the same
 * products with each f_k two standard errors below and above (the spread of the single
 * service periods' factors, weighted by their paid). Periods are weeks (days since
 * 1970-01-01 / 7): a month-end as-of date cuts the last month's services at every age,
 * and weeks follow that age (months overstated open episodes by a third, measured).
 * All in integers: factors in parts per million (ppm), amounts in cents, every division
 * rounded half away from zero.
 *
 * Pure: no I/O. The caller fills the cells (lag_add), then lag_fit.
 */
#ifndef CARA_ENGINE_LAG_H
#define CARA_ENGINE_LAG_H

#include <stdint.h>

#include "base/base.h"
#include "cara/types.h"

#define LAG_MAX 26                 /* lags beyond are complete (weeks: half a year) */
#define LAG_MONTHS 156             /* service weeks kept before the as-of week (3 years) */
#define LAG_MIN_MONTHS 3           /* service months for a setting's own factor */
#define LAG_MIN_CENTS 100000       /* $1,000.00 at lag k for a setting's own factor */
#define LAG_PPM 1000000

typedef struct lag_model {
    cara_date as_of;
    int as_of_month;               /* lag_month_of(as_of) */
    /* incremental paid cents: [setting][as_of_month - service month][lag]; lag LAG_MAX
     * holds every later lag */
    int64_t cell[SETTING_N][LAG_MONTHS][LAG_MAX + 1];
    /* after lag_fit: development factors and completion factors, ppm */
    int64_t f[SETTING_N][LAG_MAX], f_lo[SETTING_N][LAG_MAX], f_hi[SETTING_N][LAG_MAX];
    int pooled[SETTING_N][LAG_MAX]; /* 1: the pooled factor stands in */
    int64_t cf[SETTING_N][LAG_MAX + 1], cf_lo[SETTING_N][LAG_MAX + 1],
        cf_hi[SETTING_N][LAG_MAX + 1]; /* cf_lo: the slowest development (largest
                                          projection), cf_hi: the fastest */
    int64_t cells_cents;           /* total paid in the triangle */
} lag_model;

/* Start an empty model for an as-of date. */
void lag_init(lag_model *m, cara_date as_of);

/* The period (week) of d: days since 1970-01-01 / 7, rounded down. */
int lag_month_of(cara_date d);

/* Add cents paid in paid_month for service in service_month (lag_month_of values) in
 * setting s. Cells outside the window (service before LAG_MONTHS months, or after the
 * as-of month, or paid after it) are ignored; a paid month before the service month
 * counts as lag 0. */
void lag_add(lag_model *m, cara_setting s, int service_month, int paid_month, int64_t cents);

/* Estimate the factors from the cells. */
void lag_fit(lag_model *m);

/* The development lag a service month has reached at the as-of date (0..LAG_MAX). */
int lag_of_month(const lag_model *m, int service_month);

/* floor(sqrt(v)); 0 for v <= 0; INT64_MAX when the root does not fit. */
int64_t lag_isqrt(__int128 v);

/* cents observed for setting s at lag L, developed to ultimate with completion factor
 * cf (which: 0 central, -1 low band (fastest development), 1 high band). */
int64_t lag_ultimate(const lag_model *m, cara_setting s, int lag, int64_t cents, int which);

#endif
