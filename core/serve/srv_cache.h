/*
 * srv_cache: answers the service computed from a done run's rows, kept while the
 * store's results clock (results_clock.h) stands, so that a report or a list total is
 * computed once per change to what it is computed from, not once per request.
 *
 * A key names everything the answer depends on besides the store: the route, the run,
 * and every filter after the caller's scope was applied (an ACO token's aco, a provider
 * token's npi), so that an answer is only ever served to a request that would have
 * computed the same bytes, and after the same checks of the token and the filters. The
 * value is text (a response body, a count) and one integer (e.g. the rows, for the audit).
 * Bounded: at most SRV_CACHE_ENTRIES values and SRV_CACHE_BYTES bytes; the least recently
 * used goes first; a value over an eighth of the bytes is not kept. Thread-safe (its own
 * mutex); values are copied in and out.
 */
#ifndef CARA_SRV_CACHE_H
#define CARA_SRV_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define SRV_CACHE_ENTRIES 512
#define SRV_CACHE_BYTES ((size_t)64 << 20)
#define SRV_CACHE_LOCKS 16

typedef struct srv_cache srv_cache;

/* A new empty cache, NULL when out of memory (the service then computes every answer). */
srv_cache *srv_cache_new(void);
void srv_cache_free(srv_cache *c);

/*
 * The value of key kept at results clock `clock`: a malloc'ed copy of its text (with a
 * final NUL; its length in *len), and its integer in *aux. NULL when there is none (or
 * one kept at another clock, which is dropped), or c is NULL.
 */
char *srv_cache_get(srv_cache *c, const char *key, int64_t clock, size_t *len, int64_t *aux);

/* Keep text (len bytes, copied) and aux for key at clock, replacing an older value. */
void srv_cache_put(srv_cache *c, const char *key, int64_t clock, const char *text, size_t len,
                   int64_t aux);

/*
 * Around computing key's value: one computation per key at a time (of SRV_CACHE_LOCKS
 * locks, chosen by the key's hash), so that the clients asking at once for an answer not
 * kept yet wait for the first one's instead of each computing it; the caller looks the
 * key up again once it holds the lock. No-ops when c is NULL. A caller holds at most one.
 */
void srv_cache_lock(srv_cache *c, const char *key);
void srv_cache_unlock(srv_cache *c, const char *key);

/* A cache key: the parts joined by 0x1f, a NULL part written as 0x1e (so NULL and "" differ),
 * into buf. 0, or -1 when it does not fit or a part holds 0x1e or 0x1f (the caller then
 * does not cache). */
int srv_cache_key(char *buf, size_t len, const char *const *parts, size_t n);

#endif
