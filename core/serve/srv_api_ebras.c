/*
 * srv_api_ebras.c: Preferred Providers and EBRAs over HTTP (particip.h does the rules
 * and the audited lifecycle; this file checks who may ask).
 *
 *   GET  /v1/providers                 {"providers": [{npi, tin, name, specialty_code}]}
 *   GET  /v1/ebras?status=&aco=&npi=&template=   {"ebras": [<arrangements rows>]}
 *   POST /v1/ebras                     offer (CMS, or the ACO itself)      -> 201 row
 *   POST /v1/ebras/:id/accept          the EBRA's provider, or CMS         -> 200 row
 *   POST /v1/ebras/:id/decline         the EBRA's provider, or CMS         -> 200 row
 *   POST /v1/ebras/:id/end {"end_date"} the EBRA's ACO or provider, or CMS -> 200 row
 *   GET  /v1/ebras/:id/history         {"arrangement_id", "history": [<audit rows>]}
 *
 * Scope: an ACO sees its own EBRAs and the providers that have an EBRA with it or bill
 * under one of its participant TINs; a provider sees its own (by NPI). A refusal by
 * particip (its rule and values) is 422; a missing EBRA 404. The audit row of a change
 * is the one particip writes in the change's transaction, with srv_audit's actor text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_bodies.h"

/* A store read's answer: rc < 0 is a 500 (err), else rows. */
static int failed(srv_resp *rs, int rc, const char *err)
{
    if (rc >= 0) return 0;
    srv_error(rs, 500, "store", "%s", err);
    return 1;
}

/* The EBRA's row, or NULL with a 404 (or 500) response. */
static json_t *ebra_row(const srv_req *rq, srv_resp *rs, const char *id)
{
    char err[512];
    json_t *row;
    int rc = ebras_q_get(rq->db, id, &row, err, sizeof err);
    if (failed(rs, rc, err)) return NULL;
    if (!row) srv_error(rs, 404, "not_found", "no EBRA \"%s\"", id);
    return row;
}

static const char *str_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

void api_providers_list(srv_req *rq, srv_resp *rs)
{
    const char *aco = NULL, *npi = NULL;
    if (api_scope_filters(rq, rs, &aco, &npi) < 0) return;
    char err[512];
    json_t *rows;
    if (failed(rs, ebras_q_providers(rq->db, aco, npi, &rows, err, sizeof err), err)) return;
    if (rows) srv_json(rs, 200, json_pack("{s:o}", "providers", rows));
}

void api_ebras_list(srv_req *rq, srv_resp *rs)
{
    const char *aco = srv_query(rq, "aco"), *npi = srv_query(rq, "npi"),
               *status = srv_query(rq, "status"), *tmpl = srv_query(rq, "template");
    static const char *const states[] = {"offered", "active", "declined", "ended", "terminated"};
    int known = !status;
    for (size_t i = 0; status && i < sizeof states / sizeof states[0]; i++)
        known |= !strcmp(status, states[i]);
    if (!known) {
        srv_error(rs, 400, "bad_request", "status: \"%s\" is not offered, active, declined, ended "
                  "or terminated", status);
        return;
    }
    if (api_scope_filters(rq, rs, &aco, &npi) < 0) return;
    char err[512];
    json_t *rows;
    if (failed(rs, ebras_q_list(rq->db, aco, npi, status, tmpl, &rows, err, sizeof err), err))
        return;
    srv_json(rs, 200, json_pack("{s:o}", "ebras", rows));
}

void api_particip_ctx(srv_req *rq, particip_ctx *p, char *actor, size_t alen, char *err,
                      size_t elen)
{
    memset(p, 0, sizeof *p);
    api_actor(rq, actor, alen);
    p->s = rq->db;
    p->actor = actor;
    p->episodes_dir = rq->episodes_dir;
    p->plugins_dir = rq->plugins_dir;
    p->err = err;
    p->errlen = elen;
    err[0] = '\0';
}

void api_particip_answer(srv_resp *rs, int rc, const char *err, json_t *row, int ok)
{
    if (rc == -EIO || rc == -ENOMEM) {
        json_decref(row);
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    if (rc < 0) {
        json_decref(row);
        srv_error(rs, 422, "refused", "%s", err);
        return;
    }
    if (row) srv_json(rs, ok, row);
}

/* Answer a particip call on EBRA id: its row with `ok` (api_particip_answer). */
static void answer(srv_req *rq, srv_resp *rs, int rc, const char *err, const char *id, int ok)
{
    api_particip_answer(rs, rc, err, rc < 0 ? NULL : ebra_row(rq, rs, id), ok);
}

void api_ebra_offer(srv_req *rq, srv_resp *rs)
{
    if (srv_scope_npi(rq)) {
        api_forbidden(rq, rs, "offering an EBRA (only CMS or the ACO may)");
        return;
    }
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    srv_ebra_offer o;
    int bad = srv_body_ebra_offer(body, rs, &o) < 0;
    if (!bad && !api_in_scope(rq, o.aco_id, NULL)) {
        api_forbidden(rq, rs, "an EBRA of another ACO");
        bad = 1;
    }
    if (!bad) {
        particip_ctx p;
        char actor[96], err[1024];
        api_particip_ctx(rq, &p, actor, sizeof actor, err, sizeof err);
        int rc = particip_ebra_offer(&p, o.arrangement_id, o.aco_id, o.npi, o.tin, o.template_id,
                                     o.start_date, o.end_date, &o.terms);
        answer(rq, rs, rc, err, o.arrangement_id, 201);
    }
    json_decref(body);
}

/* Accept or decline an offer: the EBRA's provider, or CMS. */
static void respond_to_offer(srv_req *rq, srv_resp *rs, int accept)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    json_t *row = ebra_row(rq, rs, id);
    if (!row) return;
    int may = srv_is_cms(rq) || (srv_scope_npi(rq) && api_in_scope(rq, NULL, str_of(row, "npi")));
    json_decref(row);
    if (!may) {
        api_forbidden(rq, rs, accept ? "accepting this EBRA (only its provider or CMS may)"
                                     : "declining this EBRA (only its provider or CMS may)");
        return;
    }
    particip_ctx p;
    char actor[96], err[1024];
    api_particip_ctx(rq, &p, actor, sizeof actor, err, sizeof err);
    int rc = accept ? particip_ebra_accept(&p, id) : particip_ebra_decline(&p, id);
    answer(rq, rs, rc, err, id, 200);
}

void api_ebra_accept(srv_req *rq, srv_resp *rs)
{
    respond_to_offer(rq, rs, 1);
}

void api_ebra_decline(srv_req *rq, srv_resp *rs)
{
    respond_to_offer(rq, rs, 0);
}

void api_ebra_end(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    srv_ebra_end b;
    int bad = srv_body_ebra_end(body, rs, &b) < 0;
    const char *end = b.end_date, *by = b.by;
    json_t *row = bad ? NULL : ebra_row(rq, rs, id);
    if (row) {
        if (!api_in_scope(rq, str_of(row, "aco_id"), str_of(row, "npi"))) {
            api_forbidden(rq, rs, "ending this EBRA (only its ACO, its provider or CMS may)");
        } else {
            /* Who ends it: the token's party; CMS says "by" (default the ACO). */
            const char *party = srv_scope_npi(rq) ? "provider" : srv_scope_aco(rq) ? "aco"
                                                                : by ? by : "aco";
            particip_ctx p;
            char actor[96], err[1024];
            api_particip_ctx(rq, &p, actor, sizeof actor, err, sizeof err);
            answer(rq, rs, particip_ebra_end(&p, id, end, party), err, id, 200);
        }
        json_decref(row);
    }
    json_decref(body);
}

void api_ebra_history(srv_req *rq, srv_resp *rs)
{
    const char *id = rq->n_params > 0 ? rq->params[0] : "";
    json_t *row = ebra_row(rq, rs, id);
    if (!row) return;
    int may = api_in_scope(rq, str_of(row, "aco_id"), str_of(row, "npi"));
    json_decref(row);
    if (!may) {
        api_forbidden(rq, rs, "this EBRA's history");
        return;
    }
    char err[512];
    json_t *rows;
    if (failed(rs, ebras_q_history(rq->db, id, &rows, err, sizeof err), err)) return;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        static const char *const js[] = {"before", "after"};
        for (int k = 0; k < 2; k++) {
            const char *s = str_of(r, js[k]);
            json_t *v = s ? json_loads(s, 0, NULL) : NULL;
            if (v) json_object_set_new(r, js[k], v);
        }
    }
    srv_json(rs, 200, json_pack("{s:o, s:o}", "arrangement_id", api_str(id), "history", rows));
}
