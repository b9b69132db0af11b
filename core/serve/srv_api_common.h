/*
 * srv_api_common: what several resource handlers share (srv_api.h): choosing the run a
 * request reads, narrowing a request's filters to the role's scope, the audit actor.
 */
#ifndef CARA_SRV_API_COMMON_H
#define CARA_SRV_API_COMMON_H

#include <stdint.h>

#include "srv.h"

/* The run a request reads: query "run" (a run id; 400 when not one, 404 when no such
 * run, 409 when it is not done), else the latest done run (404 when there is none).
 * Returns 0 with *run_id set, or -1 with the error response set. */
int api_pick_run(const srv_req *rq, srv_resp *rs, int64_t *run_id);

/* api_pick_run with the run id given as text (NULL = the latest done run). */
int api_pick_run_arg(const srv_req *rq, srv_resp *rs, const char *arg, int64_t *run_id);

/* Narrow *aco and *npi (the request's filters, NULL = any) to the role's scope: an ACO
 * token forces *aco to its id and a provider token *npi to its NPI; an explicit other
 * value is refused with 403. Returns 0, or -1 with the error response set. */
int api_scope_filters(const srv_req *rq, srv_resp *rs, const char **aco, const char **npi);

/* 1 when the role may see a row of this ACO and NPI (either may be NULL): CMS always,
 * an ACO token its own ACO's rows, a provider token its own NPI's rows. */
int api_in_scope(const srv_req *rq, const char *aco, const char *npi);

/* The actor srv_audit records for this request ("aco:A0001 (token abc)"), into buf. */
void api_actor(const srv_req *rq, char *buf, size_t len);

/* Set a 403 "forbidden" response naming what the role may not see or do. */
void api_forbidden(const srv_req *rq, srv_resp *rs, const char *what);

/* Audit a read of beneficiary-level data; on failure sets a 500 response (reads are
 * refused rather than left unrecorded) and returns -1. detail is stolen. */
int api_audit_read(const srv_req *rq, srv_resp *rs, const char *action, const char *entity,
                   const char *id, json_t *detail);

/* Check a report's filters (report.h report_check_filters, named as query parameters):
 * 0, or -1 with the response set: 400 "bad_request" for a filter the report does not
 * take or a malformed value, 404 "not_found" for an ACO, template or arrangement the
 * store does not know, 500 on a store error. */
struct report_def;
struct report_filters;
int api_check_filters(const srv_req *rq, srv_resp *rs, const struct report_def *r,
                      const struct report_filters *f);

/* A query parameter as an integer in [lo, hi], or def when absent. Returns 0, or -1 with
 * a 400 response naming the parameter, the value and the range. */
int api_query_int(const srv_req *rq, srv_resp *rs, const char *key, int64_t def, int64_t lo,
                  int64_t hi, int64_t *out);

/* A JSON string of s, or null when s is NULL or not UTF-8. New reference. */
json_t *api_str(const char *s);

/* ---- answers kept between requests (srv_cache.h) ---- */

/* The store's results clock (results_clock.h) for this request, or -1 when it cannot be
 * read or the service keeps no answers (then nothing is kept or served from the cache). */
int64_t api_clock(const srv_req *rq);

/* The answer kept for key at clock (a malloc'ed copy, its length in *len, its integer in
 * *aux), or NULL. */
char *api_cached(const srv_req *rq, const char *key, int64_t clock, size_t *len, int64_t *aux);

/* Keep text (len bytes) and aux for key at clock; nothing when clock < 0. */
void api_keep(const srv_req *rq, const char *key, int64_t clock, const char *text, size_t len,
              int64_t aux);

/* One computation of key's answer at a time (srv_cache_lock); the caller looks the key
 * up again once it holds it. */
void api_compute_lock(const srv_req *rq, const char *key);
void api_compute_unlock(const srv_req *rq, const char *key);

/* Answer status with text as a JSON body (taken: freed with the response), as the
 * service sends a JSON body (srv_json_text). */
void api_json_text(srv_resp *rs, int status, char *text);

#endif
