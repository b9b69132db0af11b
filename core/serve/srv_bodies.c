/*
 * srv_bodies.c: the API's request bodies as structs (srv_bodies.h). Pure: the wording of
 * each refusal is the one the handlers answered before the parsers moved here.
 */
#include <string.h>

#include "base/base.h"
#include "srv_bodies.h"

/* A string member: absent/null is NULL (*bad = 0); another type, an empty string, one
 * longer than 64 characters or one holding a NUL sets a 400 and *bad. */
static const char *opt_str(const json_t *body, const char *k, srv_resp *rs, int *bad)
{
    json_t *v = json_object_get(body, k);
    if (!v || json_is_null(v) || *bad) return NULL;
    if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 64 ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        srv_error(rs, 400, "bad_request", "%s: expected a non-empty string of at most 64 "
                  "characters", k);
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

int srv_body_ebra_offer(const json_t *body, srv_resp *rs, srv_ebra_offer *out)
{
    memset(out, 0, sizeof *out);
    static const char *const req[] = {"arrangement_id", "aco_id", "npi", "tin", "template_id",
                                      "start_date"};
    const char *v[6] = {0};
    int bad = 0;
    for (int i = 0; i < 6 && !bad; i++) {
        v[i] = opt_str(body, req[i], rs, &bad);
        if (!bad && !v[i]) {
            srv_error(rs, 400, "bad_request", "%s is required (an EBRA offer needs arrangement_id, "
                      "aco_id, npi, tin, template_id and start_date)", req[i]);
            bad = 1;
        }
    }
    out->end_date = bad ? NULL : opt_str(body, "end_date", rs, &bad);
    static const char *const tn[5] = {"discount_bps", "savings_share_bps", "loss_share_bps",
                                      "stop_gain_bps", "stop_loss_bps"};
    for (int i = 0; i < 5 && !bad; i++) {
        json_t *t = json_object_get(body, tn[i]);
        if (!t || json_is_null(t)) continue;
        if (!json_is_integer(t) || json_integer_value(t) < -100000 || json_integer_value(t) > 100000) {
            srv_error(rs, 400, "bad_request", "%s: expected an integer number of basis points", tn[i]);
            bad = 1;
            break;
        }
        out->terms.v[i] = json_integer_value(t);
        out->terms.has |= 1u << i;
    }
    if (bad) return -1;
    out->arrangement_id = v[0];
    out->aco_id = v[1];
    out->npi = v[2];
    out->tin = v[3];
    out->template_id = v[4];
    out->start_date = v[5];
    return 0;
}

int srv_body_ebra_end(const json_t *body, srv_resp *rs, srv_ebra_end *out)
{
    memset(out, 0, sizeof *out);
    int bad = 0;
    const char *end = opt_str(body, "end_date", rs, &bad);
    const char *by = bad ? NULL : opt_str(body, "by", rs, &bad);
    if (!bad && !end) {
        srv_error(rs, 400, "bad_request", "end_date is required (YYYY-MM-DD, the effective date)");
        bad = 1;
    }
    if (!bad && by && strcmp(by, "aco") && strcmp(by, "provider")) {
        srv_error(rs, 400, "bad_request", "by: \"%s\" is not aco or provider", by);
        bad = 1;
    }
    if (bad) return -1;
    out->end_date = end;
    out->by = by;
    return 0;
}

int srv_body_rollback(const json_t *body, const char *template_id, srv_resp *rs,
                      srv_rollback_body *out)
{
    memset(out, 0, sizeof *out);
    json_t *run = json_object_get(body, "run"), *ver = json_object_get(body, "version"),
           *sha = json_object_get(body, "sha256");
    if ((run && (!json_is_integer(run) || json_integer_value(run) < 1)) || (ver && !json_is_string(ver)) ||
        (sha && !json_is_string(sha)) || (!run && !ver && !sha)) {
        srv_error(rs, 400, "bad_request", "expected {\"run\": a run id} and/or {\"version\": "
                  "\"...\", \"sha256\": \"...\"} (GET /v1/templates/%s/history lists them)",
                  template_id);
        return -1;
    }
    out->run = run ? (int64_t)json_integer_value(run) : 0;
    out->version = json_string_value(ver);
    out->sha256 = json_string_value(sha);
    return 0;
}

int srv_body_try(const json_t *body, srv_resp *rs, srv_try_body *out)
{
    memset(out, 0, sizeof *out);
    const char *tmpl = json_string_value(json_object_get(body, "template"));
    json_t *posted[2] = {json_object_get(body, "attribution"), json_object_get(body, "savings")};
    json_t *eps = json_object_get(body, "episodes"), *run = json_object_get(body, "run");
    if (!tmpl) {
        srv_error(rs, 400, "bad_request", "template: a template id (string) is required");
    } else if (posted[0] && !json_is_string(posted[0])) {
        srv_error(rs, 400, "bad_request", "attribution: expected Lua source as a string");
    } else if (posted[1] && !json_is_string(posted[1])) {
        srv_error(rs, 400, "bad_request", "savings: expected Lua source as a string");
    } else if (!json_is_array(eps) || json_array_size(eps) < 1 ||
               json_array_size(eps) > SRV_TRY_MAX_EPISODES) {
        srv_error(rs, 400, "bad_request", "episodes: expected an array of 1 to %d episode ids",
                  SRV_TRY_MAX_EPISODES);
    } else if (run && (!json_is_integer(run) || json_integer_value(run) < 1)) {
        srv_error(rs, 400, "bad_request", "run: expected a run id (a positive integer)");
    } else {
        size_t i;
        json_t *v;
        int ok = 1;
        json_array_foreach(eps, i, v) ok &= json_is_string(v);
        if (!ok) {
            srv_error(rs, 400, "bad_request", "episodes: every element must be an episode id "
                      "(string)");
            return -1;
        }
        out->template_id = tmpl;
        out->posted[0] = posted[0];
        out->posted[1] = posted[1];
        out->episodes = eps;
        out->run = run ? (int64_t)json_integer_value(run) : 0;
        return 0;
    }
    return -1;
}

int srv_body_run(const json_t *body, srv_resp *rs, srv_run_body *out)
{
    memset(out, 0, sizeof *out);
    json_t *t = json_object_get(body, "template"), *p = json_object_get(body, "period");
    if (t && !json_is_string(t)) {
        srv_error(rs, 400, "bad_request", "\"template\" must be a template id (a string)");
        return -1;
    }
    if (p && (!json_is_integer(p) || json_integer_value(p) < 2027 || json_integer_value(p) > 2036)) {
        srv_error(rs, 400, "bad_request", "\"period\" must be a performance year 2027-2036");
        return -1;
    }
    json_t *a = json_object_get(body, "as_of");
    const char *as = json_string_value(a);
    cara_date d;
    if (a && (!as || strlen(as) != 10 || date_parse(as, 10, &d) < 0)) {
        srv_error(rs, 400, "bad_request", "\"as_of\" must be a date YYYY-MM-DD (an interim run "
                  "on the claims paid through it)");
        return -1;
    }
    json_t *inc = json_object_get(body, "incremental"), *base = json_object_get(body, "base_run");
    if (inc && !json_is_boolean(inc)) {
        srv_error(rs, 400, "bad_request", "\"incremental\" must be true or false");
        return -1;
    }
    if (base && (!json_is_integer(base) || json_integer_value(base) < 1)) {
        srv_error(rs, 400, "bad_request", "\"base_run\" must be a run id (a positive integer)");
        return -1;
    }
    if (base && !json_is_true(inc)) {
        srv_error(rs, 400, "bad_request", "\"base_run\" goes with \"incremental\": true");
        return -1;
    }
    if (json_is_true(inc) && a) {
        srv_error(rs, 400, "bad_request", "\"incremental\" does not go with \"as_of\": an "
                  "interim run rebuilds its lag model from every claim");
        return -1;
    }
    out->template_id = t ? json_string_value(t) : NULL;
    out->period = p ? (int)json_integer_value(p) : 0;
    out->as_of = as;
    out->incremental = json_is_true(inc);
    out->base_run = base ? (int64_t)json_integer_value(base) : 0;
    return 0;
}
