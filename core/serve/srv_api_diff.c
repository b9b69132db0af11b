/*
 * srv_api_diff.c: GET /v1/runs/:a/diff/:b, what changed between two completed runs
 * (engine/run_diff.h; the rows `cara diff A B --format json` prints):
 *
 *   {"run_a": A, "run_b": B, "rows": [{"kind": "component"|"template"|"arrangement"|
 *    "attribution"|"leakage"|"leakage_provider", ...}]}
 *
 * CMS only: the rows span every ACO and the attribution rows name beneficiaries (the
 * read is audited as 'diff.read' with the number of attribution rows). A run that is
 * not a number is 400, an unknown run 404, one not done 409 (api_pick_run_arg).
 */
#include <stdio.h>

#include "engine/engine.h"
#include "srv_api.h"
#include "srv_api_common.h"

void api_run_diff(srv_req *rq, srv_resp *rs)
{
    if (!srv_is_cms(rq)) {
        api_forbidden(rq, rs, "a diff of two runs (it spans every ACO; CMS only)");
        return;
    }
    int64_t a, b;
    if (api_pick_run_arg(rq, rs, rq->n_params > 0 ? rq->params[0] : "", &a) < 0 ||
        api_pick_run_arg(rq, rs, rq->n_params > 1 ? rq->params[1] : "", &b) < 0)
        return;
    json_t *rows = json_array();
    char err[512];
    int attribution = 0;
    if (!rows || run_diff_json(rq->db, a, b, rows, &attribution, err, sizeof err) < 0) {
        json_decref(rows);
        srv_error(rs, 500, "store", "%s", rows ? err : "out of memory");
        return;
    }
    char id[48];
    snprintf(id, sizeof id, "%lld,%lld", (long long)a, (long long)b);
    if (api_audit_read(rq, rs, "diff.read", "run", id,
                       json_pack("{s:I, s:I, s:i}", "run_a", (json_int_t)a, "run_b",
                                 (json_int_t)b, "attribution_rows", attribution)) < 0) {
        json_decref(rows);
        return;
    }
    srv_json(rs, 200, json_pack("{s:I, s:I, s:o}", "run_a", (json_int_t)a, "run_b",
                                (json_int_t)b, "rows", rows));
}
