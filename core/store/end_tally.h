/*
 * end_tally.h: current claims counted by end date in memory, for a load that writes
 * claim_end_days itself (claims_w_bulk_begin, store_schema.c migration 28). Internal to
 * the store layer.
 *
 * Ownership: the tally owns its keys (copies of the dates added); end_tally_free frees
 * them. Not thread-safe: one thread at a time (the claims writer's).
 */
#ifndef CARA_STORE_END_TALLY_H
#define CARA_STORE_END_TALLY_H

#include <stddef.h>
#include <stdint.h>

typedef struct end_tally end_tally;

/* A new empty tally, or NULL when out of memory. */
end_tally *end_tally_new(void);

/* Add delta to day's count (day: a claim_end_date, any text; NULL counts nothing).
 * 0, or -ENOMEM (the tally is then unchanged). */
int end_tally_add(end_tally *t, const char *day, int64_t delta);

/* Call fn(day, count, ud) for every day whose count is not 0, in no particular order,
 * until fn returns non-zero (which is returned); 0 after the last. */
int end_tally_each(const end_tally *t, int (*fn)(const char *day, int64_t count, void *ud),
                   void *ud);

/* Free t and its keys (NULL: nothing). */
void end_tally_free(end_tally *t);

#endif
