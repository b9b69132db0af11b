/*
 * eligibility: the common eligibility rules of every template (docs/methodology.md sections 1-2),
 * pure. Offered to plugins as cara_host.eligibility.
 */
#ifndef CARA_ELIGIBILITY_H
#define CARA_ELIGIBILITY_H

#include "cara/types.h"

/*
 * Why an episode of beneficiary b with day 0 `day0` and last day `end` is excluded, or
 * NULL when it is eligible. Checked in this order (the first that applies is returned):
 *   "after_death"     day 0 is after the death date
 *   "not_enrolled"    no enrollment span covers day 0
 *   "esrd"            the span covering day 0 has Medicare status 11, 21 or 31
 *   "hospice"         the span covering day 0 is a hospice span
 *   "not_aligned"     no ACO alignment span covers day 0
 *   "enrollment_gap"  enrollment does not cover every day from day 0 through the
 *                     earlier of `end` and the death date
 * Enrollment spans with an open end (CARA_DATE_NONE) cover every later day. Spans may
 * touch or overlap; coverage is their union. The returned string is static.
 */
const char *eligibility_exclusion(const cara_beneficiary *b, cara_date day0, cara_date end);

/* 1 when the beneficiary is dual on day d (the covering span's dual_status_code is not
 * "00" or empty), else 0. */
int eligibility_is_dual(const cara_beneficiary *b, cara_date d);

/* The ACO the beneficiary is aligned to on day d (first covering span), or NULL. */
const char *eligibility_aco_on(const cara_beneficiary *b, cara_date d);

#endif
