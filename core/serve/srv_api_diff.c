/*
 * srv_api_diff.c: GET /v1/runs/:a/diff/:b, what changed between two completed runs
 * (engine/run_diff.h; the rows `cara diff A B --format json` prints):
 *
 *   {"run_a": A, "run_b": B, "rows": [{"kind": "component"|"template"|"arrangement"|
 *    "attribution"|"leakage"|"leakage_provider", ...}]}
 *
 * CMS only: the rows span every ACO and the attribution rows name beneficiaries (the
 * read is audited as 'diff.read' with the number of attribution rows). Finished runs
 * never change, so a pair's rows are computed on its first request and kept
 * (store/diffs_w.h); later requests read them back. A run that is
 * not a number is 400, an unknown run 404, one not done 409 (api_pick_run_arg).
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/base.h"
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
    /* a finished run never changes: the pair's rows are computed once and kept */
    char err[512], *kept = NULL;
    int attribution = 0;
    json_t *rows = NULL;
    int got = diffs_w_get(rq->db, a, b, &kept, &attribution, err, sizeof err);
    if (got > 0) {
        json_error_t je;
        rows = json_loads(kept, 0, &je);
        free(kept);
        if (!json_is_array(rows)) {
            json_decref(rows);
            rows = NULL; /* unreadable: computed again below and replaced */
        }
    }
    if (!rows) {
        rows = json_array();
        if (!rows || run_diff_json(rq->db, a, b, rows, &attribution, err, sizeof err) < 0) {
            json_decref(rows);
            srv_error(rs, 500, "store", "%s", rows ? err : "out of memory");
            return;
        }
        char *text = json_dumps(rows, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text && diffs_w_put(rq->db, a, b, text, attribution, err, sizeof err) < 0)
            log_msg(LOG_LEVEL_WARN, "serve", "the diff of runs %lld and %lld is not kept: %s",
                    (long long)a, (long long)b, err);
        free(text);
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
