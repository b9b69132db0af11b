/*
 * rules_bind: push the engine's data into a rules_vm as read-only Lua tables.
 *
 * Every function pushes one value and never keeps a pointer to the C data: each call
 * of a rule gets fresh tables, read-only (writes raise "attempt to modify read-only
 * table"). Field names are the CSV input layer's (docs/input-formats.md) and the output's
 * (docs/methodology.md section 4); dates are day numbers (cara.date_str turns them into text), money is
 * integer cents. The shapes are documented in docs/rules.md.
 *
 * The push functions allocate and may raise a Lua error (memory limit): call them
 * only under a protected call, i.e. from a rules_push_fn given to rules_vm_invoke.
 */
#ifndef CARA_RULES_BIND_H
#define CARA_RULES_BIND_H

#include <jansson.h>
#include <lua.h>

#include "cara/types.h"
#include "catalog/catalog.h"

/* An eligible provider for attribution: a Preferred Provider (TIN-NPI) with an EBRA
 * active on the trigger date. Strings are borrowed for the duration of the push. */
typedef struct rules_candidate {
    const char *arrangement_id;
    const char *aco_id;
    const char *npi;
    const char *tin;
    const char *specialty_code;
    cara_date start, end;       /* the EBRA's dates (end CARA_DATE_NONE = open) */
} rules_candidate;

/* Make the table on top of the stack read-only (rules_sandbox.c).
 * stack: t -> proxy   (name is used in the error message) */
void rules_readonly(lua_State *L, const char *name);

/* stack: -> claim (one line as a read-only table); index is its 1-based position. */
void rules_push_claim(lua_State *L, const cara_claim_line *line, size_t index);

/* stack: -> claims (read-only array of rules_push_claim tables, in date order) */
void rules_push_claims(lua_State *L, const cara_claim_line *lines, size_t n);

/*
 * stack: -> claims, the same read-only array built lazily: a line's table is made the
 * first time the rules index it (and kept, so the same line is the same table), which
 * saves building tables for lines no rule looks at. *state receives the list's state:
 * call rules_claims_release(state) when lines stop being valid; a script that kept the
 * list then gets an error instead of reading freed memory.
 */
typedef struct rules_lazy_claims rules_lazy_claims;
void rules_push_claims_lazy(lua_State *L, const cara_claim_line *lines, size_t n,
                            rules_lazy_claims **state);
void rules_claims_release(rules_lazy_claims *state);

/* stack: -> beneficiary */
void rules_push_beneficiary(lua_State *L, const cara_beneficiary *b);

/* stack: -> episode (template_id as given; lines as 1-based claim indexes; hcc_count
 * omitted when negative) */
void rules_push_episode(lua_State *L, const cara_episode *ep, const char *template_id,
                        const cara_claim_line *lines, int hcc_count);

/* The CMS-HCC V28 risk score of an episode (risk.h), x 10,000. */
typedef struct rules_risk {
    int64_t score;       /* episode.risk_score: normalized and coding-adjusted */
    int64_t raw;         /* episode.risk_score_raw: the sum of the coefficients */
    const char *segment; /* episode.risk_segment: "CNA", ..., "INS" */
} rules_risk;

/* stack: -> episode, as rules_push_episode, with the risk score fields when risk is not
 * NULL */
void rules_push_episode_risk(lua_State *L, const cara_episode *ep, const char *template_id,
                             const cara_claim_line *lines, int hcc_count, const rules_risk *risk);

/* stack: -> candidates (read-only array) */
void rules_push_candidates(lua_State *L, const rules_candidate *c, size_t n);

/* stack: -> a deep read-only copy of a JSON value: objects and arrays become tables
 * (arrays 1-based), integers Lua integers, reals Lua floats, null nil. */
void rules_push_json(lua_State *L, const json_t *v);

#endif
