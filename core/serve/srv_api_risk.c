/*
 * srv_api_risk.c: GET /v1/risk-list, the prospective risk list (engine/risk_list.h,
 * docs/monthly.md "The risk score").
 *
 *   GET /v1/risk-list?aco=&npi=&template=&as_of=&min_score=&run=&limit=100&format=json|csv
 *     -> {"as_of", "templates": [{template_id, run_id, lookback_days, threshold,
 *        candidates, open_episodes}], "total", "limit", "rows": [{rank, aco_id, person_id,
 *        template_id, score, flagged, reasons, npi, tin, last_claim_date, run_id}]};
 *        format=csv: the rows as text/csv with the header of `cara risk-list --format csv`.
 *
 * Scope: an ACO token sees only its ACO's beneficiaries (aco forced), a provider token
 * only those it would be reached through (npi forced: the specialist of the row); another
 * explicit aco or npi is 403. limit: 1 .. RISK_API_MAX_ROWS, default RISK_API_ROWS
 * (docs/security.md). Every answer is audited (beneficiary-level data).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"

#define RISK_API_ROWS 100
#define RISK_API_MAX_ROWS 1000

void api_risk_list(srv_req *rq, srv_resp *rs)
{
    risk_list_opts o = {0};
    o.aco_id = srv_query(rq, "aco");
    o.npi = srv_query(rq, "npi");
    o.template_id = srv_query(rq, "template");
    const char *as_of = srv_query(rq, "as_of"), *format = srv_query(rq, "format");
    int csv = format && !strcmp(format, "csv");
    if (format && !csv && strcmp(format, "json")) {
        srv_error(rs, 400, "bad_request", "format: \"%s\" is not json or csv", format);
        return;
    }
    if (as_of && (strlen(as_of) != 10 || date_parse(as_of, 10, &o.as_of) < 0)) {
        srv_error(rs, 400, "bad_request", "as_of: \"%s\" is not a date (expected YYYY-MM-DD)", as_of);
        return;
    }
    int64_t run = 0, min = 0;
    if (api_query_int(rq, rs, "limit", RISK_API_ROWS, 1, RISK_API_MAX_ROWS, &o.limit) < 0 ||
        api_query_int(rq, rs, "run", 0, 1, INT64_MAX, &run) < 0 ||
        api_query_int(rq, rs, "min_score", 0, -RISK_MAX_SCORE, RISK_MAX_SCORE, &min) < 0)
        return;
    o.run_id = run;
    if (srv_query(rq, "min_score")) {
        o.has_min_score = 1;
        o.min_score = min;
    }
    if (api_scope_filters(rq, rs, &o.aco_id, &o.npi) < 0) return;
    char err[2048];
    risk_list l;
    int rc = risk_list_build(rq->db, rq->episodes_dir, rq->plugins_dir, &o, &l, err, sizeof err);
    if (rc < 0) {
        if (rc == -ENOENT) srv_error(rs, 404, "not_found", "%s", err);
        else if (rc == -ENODATA) srv_error(rs, 409, "no_data", "%s", err);
        else if (rc == -EINVAL) srv_error(rs, 500, "rule", "%s", err);
        else srv_error(rs, 500, "store", "%s", err);
        return;
    }
    json_t *detail = json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:s}", "aco", api_str(o.aco_id),
                               "npi", api_str(o.npi), "template", api_str(o.template_id),
                               "as_of", api_str(as_of), "limit", (json_int_t)o.limit,
                               "returned", (json_int_t)l.n, "format", csv ? "csv" : "json");
    if (api_audit_read(rq, rs, "risk.list", "risk_list", "", detail) < 0) {
        risk_list_free(&l);
        return;
    }
    if (csv) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int ok = f != NULL;
        for (size_t i = 0; ok && i <= l.n; i++) {
            char *line = risk_row_csv(i ? &l.rows[i - 1] : NULL);
            ok = line != NULL;
            if (ok) fputs(line, f);
            free(line);
        }
        if (f && fclose(f) != 0) ok = 0;
        if (!ok) {
            free(buf);
            srv_error(rs, 500, "internal", "out of memory");
        } else {
            rs->status = 200;
            rs->text = buf;
            rs->content_type = "text/csv; charset=utf-8";
        }
        risk_list_free(&l);
        return;
    }
    json_t *j = risk_list_json(&l);
    risk_list_free(&l);
    if (!j) {
        srv_error(rs, 500, "internal", "out of memory");
        return;
    }
    json_object_set_new(j, "limit", json_integer(o.limit));
    srv_json(rs, 200, j);
}
