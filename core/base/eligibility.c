/*
 * eligibility.c: see eligibility.h.
 */
#include "eligibility.h"

#include <string.h>

static int covers(cara_date start, cara_date end, cara_date d)
{
    return start != CARA_DATE_NONE && start <= d && (end == CARA_DATE_NONE || d <= end);
}

static const cara_enrollment *span_on(const cara_beneficiary *b, cara_date d)
{
    for (size_t i = 0; i < b->enrollment.n; i++) {
        const cara_enrollment *e = cara_enrollment_at(b, i);
        if (covers(e->start, e->end, d)) return e;
    }
    return NULL;
}

const char *eligibility_aco_on(const cara_beneficiary *b, cara_date d)
{
    for (size_t i = 0; i < b->alignment.n; i++) {
        const cara_alignment *a = cara_alignment_at(b, i);
        if (covers(a->start, a->end, d)) return a->aco_id;
    }
    return NULL;
}

int eligibility_is_dual(const cara_beneficiary *b, cara_date d)
{
    const cara_enrollment *e = span_on(b, d);
    return e && e->dual_status[0] && strcmp(e->dual_status, "00") != 0;
}

/* 1 when the union of enrollment spans covers every day of [from, to]. */
static int covered_through(const cara_beneficiary *b, cara_date from, cara_date to)
{
    cara_date d = from;
    /* Repeatedly extend d past the span that covers it; spans are few (a handful). */
    for (;;) {
        if (d > to) return 1;
        cara_date best = CARA_DATE_NONE;
        int open = 0;
        for (size_t i = 0; i < b->enrollment.n; i++) {
            const cara_enrollment *e = cara_enrollment_at(b, i);
            if (!covers(e->start, e->end, d)) continue;
            if (e->end == CARA_DATE_NONE) open = 1;
            else if (best == CARA_DATE_NONE || e->end > best) best = e->end;
        }
        if (open) return 1;
        if (best == CARA_DATE_NONE) return 0;
        d = best + 1;
    }
}

const char *eligibility_exclusion(const cara_beneficiary *b, cara_date day0, cara_date end)
{
    if (b->death != CARA_DATE_NONE && day0 > b->death) return "after_death";
    const cara_enrollment *e = span_on(b, day0);
    if (!e) return "not_enrolled";
    if (!strcmp(e->medicare_status, "11") || !strcmp(e->medicare_status, "21") ||
        !strcmp(e->medicare_status, "31"))
        return "esrd";
    if (e->hospice) return "hospice";
    if (!eligibility_aco_on(b, day0)) return "not_aligned";
    cara_date last = end;
    if (b->death != CARA_DATE_NONE && b->death < last) last = b->death;
    if (!covered_through(b, day0, last)) return "enrollment_gap";
    return NULL;
}
