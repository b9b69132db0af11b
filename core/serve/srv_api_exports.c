/*
 * srv_api_exports.c: the exports of a run (docs/exports.md, docs/api.md "Exports"):
 *
 *   GET /v1/exports/:format   the file: format xlsx, atr, vbpr or episodes; query run,
 *                             aco, ebra, npi, template, period, form (atr: bundle or
 *                             ndjson). Content-Disposition names the file; the headers
 *                             X-Cara-Export-Id and X-Cara-Export-Sha256 identify the
 *                             record of it in the exports table.
 *   GET /v1/exports           the exports made in the caller's scope, newest first.
 *
 * Scoped by role like reports: an ACO token exports its own ACO (aco forced), a provider
 * token its own arrangements and episodes (npi forced); an EBRA outside the scope is
 * 404. Every export holds beneficiary data: it is recorded in the audit log before it is
 * sent (refused when that fails) and in the exports table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "srv_api.h"
#include "srv_api_common.h"

void api_export_get(srv_req *rq, srv_resp *rs)
{
    const char *fmt = rq->n_params > 0 ? rq->params[0] : "";
    export_format f;
    if (export_format_parse(fmt, &f) < 0) {
        srv_error(rs, 404, "not_found", "export format \"%.16s\" is not one of: xlsx, atr, vbpr, "
                  "episodes", fmt);
        return;
    }
    const char *form = srv_query(rq, "form");
    export_form fm = EXPORT_FORM_BUNDLE;
    if (form && !strcmp(form, "ndjson") && f == EXPORT_ATR) fm = EXPORT_FORM_NDJSON;
    else if (form && (strcmp(form, "bundle") || f != EXPORT_ATR)) {
        srv_error(rs, 400, "bad_request", "form: \"%.16s\" is not bundle or ndjson (ATR only)", form);
        return;
    }
    export_scope sc = {.aco_id = srv_query(rq, "aco"), .ebra_id = srv_query(rq, "ebra"),
                       .npi = srv_query(rq, "npi"), .template_id = srv_query(rq, "template")};
    if (api_scope_filters(rq, rs, &sc.aco_id, &sc.npi) < 0) return;
    sc.max_episodes = rq->export_max_episodes;
    int64_t period = 0;
    if (api_query_int(rq, rs, "period", 0, 2000, 2100, &period) < 0) return;
    sc.period = (int)period;
    if (srv_query(rq, "run") && api_pick_run(rq, rs, &sc.run_id) < 0) return;
    char actor[160], err[2048];
    api_actor(rq, actor, sizeof actor);
    export_output o;
    int rc = export_make(rq->db, &sc, f, fm, rq->plugins_dir, actor, &o, err, sizeof err);
    if (rc == -ENOENT) {
        srv_error(rs, 404, "not_found", "%s", err);
        return;
    }
    if (rc == -E2BIG) {
        srv_error(rs, 413, "too_large", "%s", err);
        return;
    }
    if (rc == -EINVAL) {
        srv_error(rs, strstr(err, "only a finished run") ? 409 : 400, "bad_request", "%s", err);
        return;
    }
    if (rc < 0) {
        srv_error(rs, 500, "export", "%s", err);
        return;
    }
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, o.export_id);
    json_t *detail = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:I}", "format", fmt, "aco",
                               api_str(sc.aco_id), "ebra", api_str(sc.ebra_id), "npi",
                               api_str(sc.npi), "template", api_str(sc.template_id), "period",
                               (json_int_t)sc.period, "records", (json_int_t)o.records);
    if (api_audit_read(rq, rs, "export.read", "export", id, detail) < 0) {
        export_output_free(&o);
        return;
    }
    char disp[320];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", o.filename);
    srv_resp_header(rs, "Content-Disposition", disp);
    srv_resp_header(rs, "X-Cara-Export-Id", id);
    srv_resp_header(rs, "X-Cara-Export-Sha256", o.sha256);
    rs->status = 200;
    rs->text = (char *)o.bytes;
    rs->text_len = o.len;
    rs->content_type = o.content_type;
    o.bytes = NULL;
    export_output_free(&o);
    if (rs->text_len == 0) { /* an empty body: send it as such, not as a C string */
        free(rs->text);
        rs->text = strdup("");
    }
}

void api_exports_list(srv_req *rq, srv_resp *rs)
{
    char prefix[64] = "";
    if (srv_scope_aco(rq)) snprintf(prefix, sizeof prefix, "aco:%s", srv_scope_aco(rq));
    else if (srv_scope_npi(rq)) snprintf(prefix, sizeof prefix, "npi:%s", srv_scope_npi(rq));
    else if (!srv_is_cms(rq)) {
        srv_error(rs, 403, "forbidden", "this token has no role");
        return;
    }
    int64_t limit;
    if (api_query_int(rq, rs, "limit", 100, 1, 1000, &limit) < 0) return;
    json_t *rows = NULL;
    char err[512];
    int n = exports_q_list(rq->db, prefix[0] ? prefix : NULL, limit, &rows, err, sizeof err);
    if (n < 0) {
        srv_error(rs, 500, "store", "%s", n == -ENOMEM ? "out of memory" : err);
        return;
    }
    srv_json(rs, 200, json_pack("{s:o}", "exports", rows));
}
