/*
 * srv_api_common.c: see srv_api_common.h.
 */
#include "srv_api_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "base/base.h"
#include "srv_cache.h"
#include "srv_dirs.h"

int api_pick_run(const srv_req *rq, srv_resp *rs, int64_t *run_id)
{
    return api_pick_run_arg(rq, rs, srv_query(rq, "run"), run_id);
}

int api_pick_run_arg(const srv_req *rq, srv_resp *rs, const char *arg, int64_t *run_id)
{
    uint64_t id = 0;
    if (arg && (util_parse_u64(arg, &id) < 0 || id > INT64_MAX)) {
        srv_error(rs, 400, "bad_request", "run: \"%s\" is not a run id (expected a positive integer)",
                  arg);
        return -1;
    }
    char err[512];
    runs_q_status st;
    int found = arg ? runs_q_status_of(rq->db, (int64_t)id, &st, err, sizeof err)
                    : runs_q_latest_done(rq->db, run_id, err, sizeof err);
    if (found < 0) {
        srv_error(rs, 500, "store", "%s", err);
        return -1;
    }
    if (!arg) {
        if (found) return 0;
        srv_error(rs, 404, "not_found", "no completed run yet (start one with 'cara run')");
        return -1;
    }
    int rc = -1;
    if (!found) {
        srv_error(rs, 404, "not_found", "no run %s", arg);
    } else if (strcmp(st.status, "done") != 0) {
        srv_error(rs, 409, "run_not_done", "run %s is %s%s%s: only a done run can be read", arg,
                  st.status, st.message[0] ? ": " : "", st.message);
    } else {
        *run_id = st.run_id;
        rc = 0;
    }
    runs_q_status_free(&st);
    return rc;
}

int api_scope_filters(const srv_req *rq, srv_resp *rs, const char **aco, const char **npi)
{
    const char *my_aco = srv_scope_aco(rq), *my_npi = srv_scope_npi(rq);
    if (my_aco) {
        if (*aco && strcmp(*aco, my_aco)) {
            srv_error(rs, 403, "forbidden", "aco: this token is limited to ACO %s (asked for %s)",
                      my_aco, *aco);
            return -1;
        }
        *aco = my_aco;
    }
    if (my_npi) {
        if (*npi && strcmp(*npi, my_npi)) {
            srv_error(rs, 403, "forbidden", "npi: this token is limited to NPI %s (asked for %s)",
                      my_npi, *npi);
            return -1;
        }
        *npi = my_npi;
    }
    if (!srv_is_cms(rq) && !my_aco && !my_npi) {
        srv_error(rs, 403, "forbidden", "this token has no role");
        return -1;
    }
    return 0;
}

int api_in_scope(const srv_req *rq, const char *aco, const char *npi)
{
    if (srv_is_cms(rq)) return 1;
    const char *my_aco = srv_scope_aco(rq), *my_npi = srv_scope_npi(rq);
    if (my_aco) return aco && !strcmp(aco, my_aco);
    if (my_npi) return npi && !strcmp(npi, my_npi);
    return 0;
}

void api_actor(const srv_req *rq, char *buf, size_t len)
{
    /* The same text srv_audit writes (srv_util.c). */
    int k = rq->role.kind;
    const char *name = k == SRV_CMS ? "cms" : k == SRV_ACO ? "aco" : k == SRV_PROVIDER ? "provider"
                                                                                     : "anonymous";
    if (rq->role.user[0]) /* a login session's request: the user */
        snprintf(buf, len, "%s%s%s (user %s)", name, rq->role.id[0] ? ":" : "", rq->role.id,
                 rq->role.user);
    else
        snprintf(buf, len, "%s%s%s (token %s)", name, rq->role.id[0] ? ":" : "", rq->role.id,
                 rq->role.token_id[0] ? rq->role.token_id : "-");
}

void api_forbidden(const srv_req *rq, srv_resp *rs, const char *what)
{
    const char *who = srv_is_cms(rq) ? "CMS" : srv_scope_aco(rq) ? "ACO" : srv_scope_npi(rq) ? "NPI"
                                                                                               : "no role";
    srv_error(rs, 403, "forbidden", "%s: outside this token's scope (%s%s%s)", what, who,
              rq->role.id[0] ? " " : "", rq->role.id);
}

int api_audit_read(const srv_req *rq, srv_resp *rs, const char *action, const char *entity,
                   const char *id, json_t *detail)
{
    if (srv_audit(rq, action, entity, id, detail) == 0) return 0;
    srv_error(rs, 500, "audit_failed", "%s of %s %s could not be written to the audit log; the "
              "read is refused", action, entity, id ? id : "");
    return -1;
}

int api_query_int(const srv_req *rq, srv_resp *rs, const char *key, int64_t def, int64_t lo,
                  int64_t hi, int64_t *out)
{
    const char *v = srv_query(rq, key);
    *out = def;
    if (!v) return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!(*v == '-' || (*v >= '0' && *v <= '9')) || *end || x < lo || x > hi) {
        srv_error(rs, 400, "bad_request", "%s: \"%s\" is not an integer from %lld to %lld", key, v,
                  (long long)lo, (long long)hi);
        return -1;
    }
    *out = x;
    return 0;
}

json_t *api_str(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

int api_check_filters(const srv_req *rq, srv_resp *rs, const report_def *r, const report_filters *f)
{
    char err[512];
    int rc = report_check_filters(rq->db, r, f, 0, err, sizeof err);
    if (rc == 0) return 0;
    if (rc == -ENOENT) srv_error(rs, 404, "not_found", "%s", err);
    else if (rc == -EINVAL) srv_error(rs, 400, "bad_request", "%s", err);
    else srv_error(rs, 500, "store", "%s", err);
    return -1;
}

int64_t api_clock(const srv_req *rq)
{
    int64_t n;
    if (!rq->s || !srv_cache_of(rq->s) || !rq->db) return -1;
    return results_clock(rq->db, &n, NULL, 0) == 0 ? n : -1;
}

char *api_cached(const srv_req *rq, const char *key, int64_t clock, size_t *len, int64_t *aux)
{
    if (clock < 0 || !rq->s) return NULL;
    return srv_cache_get(srv_cache_of(rq->s), key, clock, len, aux);
}

void api_keep(const srv_req *rq, const char *key, int64_t clock, const char *text, size_t len,
              int64_t aux)
{
    if (clock >= 0 && rq->s) srv_cache_put(srv_cache_of(rq->s), key, clock, text, len, aux);
}

void api_json_text(srv_resp *rs, int status, char *text)
{
    srv_json(rs, status, NULL);
    rs->text = text;
    rs->content_type = "application/json";
}

void api_compute_lock(const srv_req *rq, const char *key)
{
    if (rq->s) srv_cache_lock(srv_cache_of(rq->s), key);
}

void api_compute_unlock(const srv_req *rq, const char *key)
{
    if (rq->s) srv_cache_unlock(srv_cache_of(rq->s), key);
}
