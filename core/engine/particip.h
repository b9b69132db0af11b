/*
 * particip: CARA participation as a managed, audited lifecycle (ACOs, participant TINs,
 * Preferred Providers, EBRAs).
 *
 * EBRA states: offered --accept--> active --end (ACO or provider)--> ended
 *                      --decline-> declined       --terminate (ACO)--> terminated
 * Every change runs in one transaction that also appends a row to the audit log (who,
 * when, what, the effective date, the row before and after as JSON); the audit log
 * refuses updates and deletes. Refusals are returned with a message saying which rule
 * and which values.
 *
 * Rules: NPI check digit; TIN shape and issued prefix; dates inside the model years
 * (2027-2036) and the ACO's performance years; CARA open only to ACOs on an eligible
 * track (settings 'eligible_tracks', default "global"); a provider in EBRAs with at
 * most one ACO per template at any date; negotiated terms within the template's bounds
 * (discount_min_bps..discount_max_bps, shares up to the track's cap).
 */
#ifndef CARA_PARTICIP_H
#define CARA_PARTICIP_H

#include <stdint.h>

#include "store/store.h"

typedef struct particip_ctx {
    store *s;
    const char *actor;         /* who: --as, else $USER, else "cli" */
    const char *episodes_dir;  /* to check templates and their bounds */
    const char *plugins_dir;
    char *err;                 /* the refusal, for the user */
    size_t errlen;
} particip_ctx;

/* Negotiated terms: TERM_* indexes as in engine_internal.h order. */
typedef struct particip_terms {
    int64_t v[5];              /* discount, savings share, loss share, stop gain, stop loss */
    unsigned has;              /* bit i: v[i] given */
} particip_terms;

int particip_aco_add(particip_ctx *c, const char *aco_id, const char *name, const char *track,
                     int first_year, int last_year);
int particip_tin_add(particip_ctx *c, const char *aco_id, const char *tin, const char *start,
                     const char *end);
int particip_tin_end(particip_ctx *c, const char *aco_id, const char *tin, const char *end);
int particip_provider_add(particip_ctx *c, const char *npi, const char *tin, const char *name,
                          const char *specialty);

int particip_ebra_offer(particip_ctx *c, const char *id, const char *aco_id, const char *npi,
                        const char *tin, const char *template_id, const char *start,
                        const char *end, const particip_terms *terms);
int particip_ebra_accept(particip_ctx *c, const char *id);
int particip_ebra_decline(particip_ctx *c, const char *id);
/* by: "aco" or "provider". */
int particip_ebra_end(particip_ctx *c, const char *id, const char *end, const char *by);
int particip_ebra_terminate(particip_ctx *c, const char *id, const char *end);

#endif
