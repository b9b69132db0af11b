/*
 * srv_api_network.c: an ACO's network over HTTP (docs/api.md "Participation"):
 *
 *   GET  /v1/network?aco=&date=YYYY-MM-DD   {"aco_id", "date", "tins": [...],
 *                                            "preferred_providers": [...]}
 *   POST /v1/acos/:aco/tins {"tin", "start_date", "end_date"?}   -> 201 the TIN's span
 *
 * The network on a date is the ACO's participant TINs on that date and its Preferred
 * Providers: every accepted EBRA (active, ended, terminated) in force on it
 * (docs/methodology.md section 3). An ACO is pinned to its own; CMS names one with
 * `aco`; a provider may not read it (403). Adding a TIN is particip_tin_add's audited
 * change (CMS or that ACO): its refusal (TIN shape, dates, a TIN of another ACO) is 422.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"

/* The date asked for (query `date`, default today in UTC) into out; 0, or -1 with a 400. */
static int pick_date(const srv_req *rq, srv_resp *rs, char out[11])
{
    const char *d = srv_query(rq, "date");
    cara_date v;
    if (!d) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(out, 11, "%Y-%m-%d", &tm);
        return 0;
    }
    if (date_parse(d, strlen(d), &v) < 0) {
        srv_error(rs, 400, "bad_request", "date: \"%.32s\" is not a date (YYYY-MM-DD)", d);
        return -1;
    }
    date_format(v, out);
    return 0;
}

void api_network_get(srv_req *rq, srv_resp *rs)
{
    const char *aco = srv_query(rq, "aco"), *npi = NULL;
    if (srv_scope_npi(rq)) {
        api_forbidden(rq, rs, "an ACO's network");
        return;
    }
    if (api_scope_filters(rq, rs, &aco, &npi) < 0) return;
    if (!aco) {
        srv_error(rs, 400, "bad_request", "aco: the ACO whose network to show is required");
        return;
    }
    char date[11], err[512];
    if (pick_date(rq, rs, date) < 0) return;
    int found = 0;
    if (orgs_q_aco_known(rq->db, aco, &found, NULL, err, sizeof err) < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    if (!found) {
        srv_error(rs, 404, "not_found", "no ACO \"%s\"", aco);
        return;
    }
    const char *b[] = {aco, date};
    json_t *tins = NULL, *pps = NULL;
    if (particip_list_json(rq->db, PARTICIP_LIST_TINS, b, &tins, err, sizeof err) < 0 ||
        particip_list_json(rq->db, PARTICIP_LIST_PREFERRED, b, &pps, err, sizeof err) < 0) {
        json_decref(tins);
        srv_error(rs, 500, "store", "%s", err);
        return;
    }
    srv_json(rs, 200, json_pack("{s:s, s:s, s:o, s:o}", "aco_id", aco, "date", date, "tins",
                                tins, "preferred_providers", pps));
}

/* The TIN's latest span in aco (after an add), as JSON; NULL when none. */
static json_t *tin_row(srv_req *rq, const char *aco, const char *tin)
{
    const char *b[] = {aco, NULL};
    json_t *all = NULL, *out = NULL;
    char err[256];
    if (particip_list_json(rq->db, PARTICIP_LIST_TINS, b, &all, err, sizeof err) < 0) return NULL;
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "tin"));
        if (t && !strcmp(t, tin)) {
            json_decref(out);
            out = json_incref(r); /* rows come by start date: the last is the latest */
        }
    }
    json_decref(all);
    return out;
}

void api_tin_add(srv_req *rq, srv_resp *rs)
{
    const char *aco = rq->n_params > 0 ? rq->params[0] : "";
    if (srv_scope_npi(rq) || !api_in_scope(rq, aco, NULL)) {
        api_forbidden(rq, rs, "adding a TIN to this ACO (only the ACO or CMS may)");
        return;
    }
    json_t *body = srv_body_object(rq, rs);
    if (!body) return;
    const char *tin = json_string_value(json_object_get(body, "tin"));
    const char *start = json_string_value(json_object_get(body, "start_date"));
    json_t *endv = json_object_get(body, "end_date");
    const char *end = json_string_value(endv);
    if (!tin || !start || (endv && !json_is_null(endv) && !end)) {
        srv_error(rs, 400, "bad_request", "expected {\"tin\": \"9 digits\", \"start_date\": "
                  "\"YYYY-MM-DD\", \"end_date\"?: \"YYYY-MM-DD\"}");
        json_decref(body);
        return;
    }
    particip_ctx p;
    char actor[96], err[1024];
    api_particip_ctx(rq, &p, actor, sizeof actor, err, sizeof err);
    int rc = particip_tin_add(&p, aco, tin, start, end);
    api_particip_answer(rs, rc, err, rc < 0 ? NULL : tin_row(rq, aco, tin), 201);
    if (rc >= 0 && rs->status != 201) srv_error(rs, 500, "store", "the TIN was added but "
                                                "could not be read back");
    json_decref(body);
}
