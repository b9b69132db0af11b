/* tests/fuzz/fuzz_api_bodies.c: every JSON request body of the API. The first byte picks
 * the body's route; the rest is the body, read as the service reads it (srv_body_object)
 * and converted by that route's parser (srv_bodies.h: POST /v1/ebras, /v1/ebras/:id/end,
 * /v1/templates/:id/rollback, /v1/rules/try, /v1/runs), then every field of the struct is
 * read. The template validate and overlay PUT bodies are overlays: parsed
 * (overlay_parse), applied to a fixed base template (overlay_apply, schema-checked) and
 * their id checked as PUT checks it (ids_check_template_id). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/ids.h"
#include "catalog/overlay.h"
#include "serve/srv_bodies.h"
#include "catalog/template_schema.h"

static const char BASE[] =
    "{\"id\": \"falls_prevention\", \"version\": \"1\", \"episode_type\": \"e\","
    " \"window\": {\"post_days\": 179}, \"code_lists\": {\"X\": [\"A1\"]},"
    " \"arrangement\": {\"discount_bps\": 0},"
    " \"customizable\": {\"arrangement.discount_bps\": {\"approach\": \"default\", \"min\": -500,"
    " \"max\": 500}, \"window.post_days\": {\"approach\": \"max_flex\"},"
    " \"code_lists.X\": {\"approach\": \"max_flex\"}}}";

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] % 6;
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.body = (const char *)data + 1;
    rq.body_len = size - 1;
    srv_resp rs = {0};
    size_t sum = 0;
    if (which == 5) { /* validate and PUT: an overlay */
        cara_template *base, *eff;
        cara_diag d = {0};
        char err[512];
        json_t *doc = NULL;
        overlay_info info;
        if (template_parse("base.json", BASE, sizeof BASE - 1, &base, err, sizeof err) != 0) abort();
        if (overlay_parse("body", rq.body, rq.body_len, &doc, &info, &d) == 0) {
            if (info.id) (void)ids_check_template_id(info.id, strlen(info.id));
            sum += len_of(info.aco_id) + len_of(info.base_id) + len_of(info.version);
            if (overlay_apply("body", doc, base, &eff, &d) == 0) {
                template_schema_check(template_root(eff), 1, &d);
                template_free(eff);
            }
        }
        json_decref(doc);
        diag_free(&d);
        template_free(base);
        return (int)(sum & 0);
    }
    json_t *body = srv_body_object(&rq, &rs);
    if (body) {
        switch (which) {
        case 0: {
            srv_ebra_offer o;
            if (srv_body_ebra_offer(body, &rs, &o) == 0)
                sum += strlen(o.arrangement_id) + strlen(o.aco_id) + strlen(o.npi) +
                       strlen(o.tin) + strlen(o.template_id) + strlen(o.start_date) +
                       len_of(o.end_date) + o.terms.has + (size_t)o.terms.v[0];
            break;
        }
        case 1: {
            srv_ebra_end e;
            if (srv_body_ebra_end(body, &rs, &e) == 0) sum += strlen(e.end_date) + len_of(e.by);
            break;
        }
        case 2: {
            srv_rollback_body b;
            if (srv_body_rollback(body, "falls_prevention", &rs, &b) == 0)
                sum += (size_t)b.run + len_of(b.version) + len_of(b.sha256);
            break;
        }
        case 3: {
            srv_try_body t;
            if (srv_body_try(body, &rs, &t) == 0) {
                size_t i;
                json_t *v;
                sum += strlen(t.template_id) + (size_t)t.run;
                for (int k = 0; k < 2; k++)
                    if (t.posted[k]) sum += json_string_length(t.posted[k]);
                json_array_foreach(t.episodes, i, v) sum += strlen(json_string_value(v));
            }
            break;
        }
        default: {
            srv_run_body b;
            if (srv_body_run(body, &rs, &b) == 0) sum += len_of(b.template_id) + (size_t)b.period;
            break;
        }
        }
        json_decref(body);
    }
    /* the refusal is a well-formed error object */
    if (rs.json && (rs.status != 400 || !json_object_get(rs.json, "error"))) abort();
    json_decref(rs.json);
    free(rs.text);
    return (int)(sum & 0);
}
