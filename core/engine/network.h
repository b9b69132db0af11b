/*
 * network: an ACO's network on a date, pure (docs/methodology.md section 3).
 *
 * ACO X's network on day d is
 *   - every provider billing under a TIN that participates in X on d (aco_tins), and
 *   - every Preferred Provider (TIN-NPI) with an EBRA with X in force on d, unless that
 *     TIN participates in another ACO on d (a participant TIN belongs to one ACO only).
 * A run attributes an episode only to a provider in the network on the trigger date, and
 * reports as leakage the episode's spending by providers outside it on each service date.
 */
#ifndef CARA_NETWORK_H
#define CARA_NETWORK_H

#include <stddef.h>

#include "cara/types.h"

/* One effective-dated membership: a participant TIN (npi "") or a Preferred Provider
 * (npi and tin) of aco_id, from start to end (inclusive; end CARA_DATE_NONE = open). */
typedef struct network_span {
    const char *aco_id, *npi, *tin; /* borrowed for network_build; copied */
    cara_date start, end;
} network_span;

typedef struct network {
    struct network_row *tins, *pps; /* owned: sorted by (tin) and by (npi, tin) */
    size_t n_tins, n_pps;
} network;

/* Build net from participant-TIN spans (npi ignored) and Preferred Provider spans.
 * Strings are copied. Returns 0 or -ENOMEM (net then empty). */
int network_build(network *net, const network_span *tins, size_t n_tins,
                  const network_span *pps, size_t n_pps);

/* 1 when the provider (npi, tin) is in aco_id's network on day d, else 0. An empty TIN is
 * never a participant TIN. */
int network_has(const network *net, const char *aco_id, const char *npi, const char *tin,
                cara_date d);

/* The ACO whose participant TIN tin is on day d, or NULL. */
const char *network_tin_aco(const network *net, const char *tin, cara_date d);

void network_free(network *net);

/* The days on which network_has(net, aco, npi, tin, d) may change its answer as d grows,
 * whatever aco: the start, and the day after the end, of every membership of tin (as a
 * participant TIN) and of (npi, tin) (as a Preferred Provider). Appended to *v (grown with
 * realloc; *n and *cap updated; unsorted, maybe repeated). 0 or -ENOMEM. */
int network_change_days(const network *net, const char *npi, const char *tin, cara_date **v,
                        size_t *n, size_t *cap);

/* Hash every membership of net (in its sorted order) into c: two networks with the same
 * memberships hash the same (an incremental run's basis, engine_incr.c). */
struct sha256_ctx;
void network_digest(const network *net, struct sha256_ctx *c);

/* The provider a professional claim line is judged by: 1 with (rendering NPI, rendering
 * TIN) when the line has a rendering TIN, else (billing NPI, and billing TIN) when it has
 * a billing TIN; 0 (out's members NULL) when the line has no TIN, and for institutional
 * and DME lines (CCLF's Part A and DME claims carry no TIN, so their network cannot be
 * judged): such lines are never leakage. */
typedef struct network_provider {
    const char *npi, *tin; /* borrowed from the line */
} network_provider;
int network_line_provider(const cara_claim_line *l, network_provider *out);

#endif
