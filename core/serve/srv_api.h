/*
 * srv_api: the resource handlers of the HTTP API (docs/api.md), each run on a pool
 * thread with its own store connection (srv.h). Every handler checks the role's scope:
 * CMS sees everything, an ACO token its own arrangements, beneficiaries and episodes,
 * a provider token its own episodes; out of scope is 403, unknown is 404.
 */
#ifndef CARA_SRV_API_H
#define CARA_SRV_API_H

#include "srv.h"

/* templates (srv_api_templates.c) */
void api_templates_list(srv_req *rq, srv_resp *rs);    /* GET  /v1/templates */
void api_template_get(srv_req *rq, srv_resp *rs);      /* GET  /v1/templates/:id */
void api_template_rules(srv_req *rq, srv_resp *rs);    /* GET  /v1/templates/:id/rules */
void api_template_validate(srv_req *rq, srv_resp *rs); /* POST /v1/templates/:id/validate */
void api_overlay_put(srv_req *rq, srv_resp *rs);       /* PUT  /v1/templates/:id/overlays/:aco */

/* template history and rollback (srv_api_rollback.c) */
void api_template_history(srv_req *rq, srv_resp *rs);  /* GET  /v1/templates/:id/history */
void api_template_rollback(srv_req *rq, srv_resp *rs); /* POST /v1/templates/:id/rollback */

/* providers and EBRAs (srv_api_ebras.c) */
void api_providers_list(srv_req *rq, srv_resp *rs);    /* GET  /v1/providers */
void api_ebras_list(srv_req *rq, srv_resp *rs);        /* GET  /v1/ebras */
void api_ebra_offer(srv_req *rq, srv_resp *rs);        /* POST /v1/ebras */
void api_ebra_accept(srv_req *rq, srv_resp *rs);       /* POST /v1/ebras/:id/accept */
void api_ebra_decline(srv_req *rq, srv_resp *rs);      /* POST /v1/ebras/:id/decline */
void api_ebra_end(srv_req *rq, srv_resp *rs);          /* POST /v1/ebras/:id/end */
void api_ebra_history(srv_req *rq, srv_resp *rs);      /* GET  /v1/ebras/:id/history */

/* an ACO's network (srv_api_network.c) */
void api_network_get(srv_req *rq, srv_resp *rs);       /* GET  /v1/network */
void api_tin_add(srv_req *rq, srv_resp *rs);           /* POST /v1/acos/:aco/tins */

/* A participation context (engine/particip.h) on the request's store, acting as the
 * request's role; actor and err are the caller's buffers (srv_api_ebras.c). */
struct particip_ctx;
void api_particip_ctx(srv_req *rq, struct particip_ctx *p, char *actor, size_t alen,
                      char *err, size_t elen);

/* Answer a participation change whose result is `row` (stolen; NULL: not found): rc
 * -EIO/-ENOMEM is 500, another negative rc 422 "refused" with err, else `ok` with row
 * (srv_api_ebras.c). */
void api_particip_answer(srv_resp *rs, int rc, const char *err, json_t *row, int ok);

/* episodes and reports (srv_api_episodes.c) */
void api_episodes_list(srv_req *rq, srv_resp *rs);     /* GET  /v1/episodes */
void api_episode_get(srv_req *rq, srv_resp *rs);       /* GET  /v1/episodes/:id */
void api_report(srv_req *rq, srv_resp *rs);            /* GET  /v1/reports/:by */
void api_export_get(srv_req *rq, srv_resp *rs);        /* GET  /v1/exports/:format */
void api_exports_list(srv_req *rq, srv_resp *rs);      /* GET  /v1/exports */

/* the prospective risk list (srv_api_risk.c) */
void api_risk_list(srv_req *rq, srv_resp *rs);         /* GET  /v1/risk-list */

/* the diff of two runs (srv_api_diff.c) */
void api_run_diff(srv_req *rq, srv_resp *rs);          /* GET  /v1/runs/:a/diff/:b */

/* the hospital ADT feed: care tasks, provisional episodes (srv_api_tasks.c) */
void api_tasks_list(srv_req *rq, srv_resp *rs);        /* GET  /v1/tasks */
void api_tasks_feed(srv_req *rq, srv_resp *rs);        /* GET  /v1/tasks/feed (long poll) */
void api_task_done(srv_req *rq, srv_resp *rs);         /* POST /v1/tasks/:id/done */
void api_provisional_list(srv_req *rq, srv_resp *rs);  /* GET  /v1/provisional */
void api_adt_status(srv_req *rq, srv_resp *rs);        /* GET  /v1/adt/status */
void api_adt_unmatched(srv_req *rq, srv_resp *rs);     /* GET  /v1/adt/unmatched */
void api_adt_rejects(srv_req *rq, srv_resp *rs);       /* GET  /v1/adt/rejects */

/* the rule sandbox (srv_api_rules.c) */
void api_rules_try(srv_req *rq, srv_resp *rs);         /* POST /v1/rules/try */

#endif
