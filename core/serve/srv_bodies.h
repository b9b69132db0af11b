/*
 * srv_bodies: the request bodies of the HTTP API (docs/api.md) turned into structs, pure
 * (no store, no files, no service state) so that each can be unit-tested and fuzzed
 * (tests/fuzz/fuzz_api_bodies.c). The handlers (srv_api_*.c, srv_routes.c) call these
 * first and act on the struct.
 *
 * Each parser reads a JSON object body (srv_body_object's result, borrowed) and returns
 * 0 with *out filled, or -1 with a 400 "bad_request" response set on rs naming the
 * member, the value's problem and what is expected. Strings in *out are borrowed from
 * body: valid while the caller holds body.
 */
#ifndef CARA_SRV_BODIES_H
#define CARA_SRV_BODIES_H

#include <jansson.h>
#include <stdint.h>

#include "engine/engine.h"
#include "srv.h"

/* The episodes one rules/try may name (docs/api.md "The rule sandbox"). */
#define SRV_TRY_MAX_EPISODES 50

/* POST /v1/ebras: arrangement_id, aco_id, npi, tin, template_id, start_date (required
 * non-empty strings of at most 64 characters, no NUL), end_date (optional, the same),
 * the five terms in basis points (optional integers in [-100000, 100000]). */
typedef struct srv_ebra_offer {
    const char *arrangement_id, *aco_id, *npi, *tin, *template_id, *start_date;
    const char *end_date;        /* NULL when absent or null */
    particip_terms terms;
} srv_ebra_offer;
int srv_body_ebra_offer(const json_t *body, srv_resp *rs, srv_ebra_offer *out);

/* POST /v1/ebras/:id/end: end_date (required string, as above), by (optional: "aco" or
 * "provider"; NULL when absent). */
typedef struct srv_ebra_end {
    const char *end_date, *by;
} srv_ebra_end;
int srv_body_ebra_end(const json_t *body, srv_resp *rs, srv_ebra_end *out);

/* POST /v1/templates/:id/rollback: run (a positive integer) and/or version and sha256
 * (strings); at least one of them. template_id is only named in the error. */
typedef struct srv_rollback_body {
    int64_t run;                 /* 0 when absent */
    const char *version, *sha256; /* NULL when absent */
} srv_rollback_body;
int srv_body_rollback(const json_t *body, const char *template_id, srv_resp *rs,
                      srv_rollback_body *out);

/* POST /v1/rules/try: template (required string), attribution and savings (optional Lua
 * source strings), episodes (1 to SRV_TRY_MAX_EPISODES strings), run (optional positive
 * integer). */
typedef struct srv_try_body {
    const char *template_id;
    const json_t *posted[2];     /* attribution, savings: a JSON string or NULL */
    const json_t *episodes;      /* the array */
    int64_t run;                 /* 0 when absent */
} srv_try_body;
int srv_body_try(const json_t *body, srv_resp *rs, srv_try_body *out);

/* POST /v1/runs: template (optional template id string), period (optional performance
 * year 2027-2036), as_of (optional 'YYYY-MM-DD': an interim run, docs/monthly.md),
 * incremental (optional boolean) and base_run (optional run id, with incremental): an
 * incremental run (docs/monthly.md). */
typedef struct srv_run_body {
    const char *template_id;     /* NULL when absent */
    int period;                  /* 0 when absent */
    const char *as_of;           /* NULL when absent */
    int incremental;             /* 0 when absent */
    int64_t base_run;            /* 0 when absent */
} srv_run_body;
int srv_body_run(const json_t *body, srv_resp *rs, srv_run_body *out);

#endif
