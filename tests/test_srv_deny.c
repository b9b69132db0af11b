/*
 * tests/test_srv_deny.c: the audit of refused requests (srv_deny.h): the rate limit per
 * token, worked on a made-up clock (no wall-clock time is asserted), and the rows it
 * writes.
 *
 * The limit is SRV_DENY_PER_MINUTE = 20 rows per key per minute, then one summary:
 * refusals 1..20 of a minute are written, the 21st is the summary, 22.. are dropped and
 * counted; the key's first refusal in a later minute is written with "suppressed" = the
 * count dropped.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "serve/srv_auth.h"
#include "serve/srv_deny.h"
#include "suites.h"

/* Minute boundaries of the made-up clock: T0 is 12:00:00 of some day (a multiple of 60). */
#define T0 ((int64_t)1800000000 / 60 * 60)

START_TEST(test_limit_per_key)
{
    static srv_deny_limit l; /* zeroed: empty */
    unsigned sup = 99;
    for (int i = 1; i <= SRV_DENY_PER_MINUTE; i++) {
        ck_assert_int_eq(srv_deny_admit(&l, "tok1", T0 + i % 60, &sup), SRV_DENY_WRITE);
        ck_assert_uint_eq(sup, 0);
    }
    ck_assert_int_eq(srv_deny_admit(&l, "tok1", T0 + 30, &sup), SRV_DENY_SUMMARY);
    for (int i = 0; i < 4; i++) /* refusals 22..25: dropped, counted */
        ck_assert_int_eq(srv_deny_admit(&l, "tok1", T0 + 59, &sup), SRV_DENY_DROP);
    /* another key is not held back by tok1 */
    ck_assert_int_eq(srv_deny_admit(&l, "tok2", T0 + 59, &sup), SRV_DENY_WRITE);
    /* NULL and "" are the one "anonymous" key */
    for (int i = 1; i <= SRV_DENY_PER_MINUTE; i++)
        ck_assert_int_eq(srv_deny_admit(&l, i % 2 ? NULL : "", T0 + 1, &sup), SRV_DENY_WRITE);
    ck_assert_int_eq(srv_deny_admit(&l, "anonymous", T0 + 2, &sup), SRV_DENY_SUMMARY);
    /* the next minute: tok1 written again, carrying the 4 it dropped */
    ck_assert_int_eq(srv_deny_admit(&l, "tok1", T0 + 60, &sup), SRV_DENY_WRITE);
    ck_assert_uint_eq(sup, 4);
    ck_assert_int_eq(srv_deny_admit(&l, "tok1", T0 + 61, &sup), SRV_DENY_WRITE);
    ck_assert_uint_eq(sup, 0);
    /* anonymous dropped nothing (its 21st was the summary) */
    ck_assert_int_eq(srv_deny_admit(&l, NULL, T0 + 120, &sup), SRV_DENY_WRITE);
    ck_assert_uint_eq(sup, 0);
}
END_TEST

/* More keys than slots at once: the extra keys share the overflow key, so the rows
 * written per minute stay bounded: (SRV_DENY_KEYS - 1) keys x 21 + 21. */
START_TEST(test_limit_overflow)
{
    static srv_deny_limit l;
    char key[24];
    long written = 0;
    for (int k = 0; k < 2 * SRV_DENY_KEYS; k++) {
        snprintf(key, sizeof key, "k%d", k);
        for (int i = 0; i < 30; i++) written += srv_deny_admit(&l, key, T0, NULL) != SRV_DENY_DROP;
    }
    ck_assert_int_eq(written, (long)SRV_DENY_KEYS * (SRV_DENY_PER_MINUTE + 1));
    /* two minutes later the idle slots are reused: a new key is written */
    ck_assert_int_eq(srv_deny_admit(&l, "fresh", T0 + 120, NULL), SRV_DENY_WRITE);
}
END_TEST

START_TEST(test_resource)
{
    char b[64];
    srv_deny_resource("/v1/reports/episode", b, sizeof b);
    ck_assert_str_eq(b, "reports");
    srv_deny_resource("/v1/status", b, sizeof b);
    ck_assert_str_eq(b, "status");
    srv_deny_resource("/metrics", b, sizeof b);
    ck_assert_str_eq(b, "metrics");
    srv_deny_resource("/", b, sizeof b);
    ck_assert_str_eq(b, "");
}
END_TEST

/* The rows: an ACO token refused the ACO report of another ACO, a revoked token, the
 * summary; a dropped refusal writes nothing. */
START_TEST(test_rows)
{
    char dir[64], b[256];
    store *db;
    th_tmpdir_store(dir, "cara-deny", &db);
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.path = "/v1/reports/aco";
    rq.role.kind = SRV_ACO;
    snprintf(rq.role.id, sizeof rq.role.id, "A1");
    snprintf(rq.role.token_id, sizeof rq.role.token_id, "abc123abc123");
    ck_assert_int_eq(srv_deny_audit(db, &rq, 403, "aco: this token is limited to ACO A1 (asked "
                                    "for A2)", SRV_DENY_WRITE, 0), 0);
    ck_assert_str_eq(th_qs(db, "SELECT actor || '|' || action || '|' || entity || '|' || entity_id "
                               "|| '|' || after FROM audit_log ORDER BY seq DESC LIMIT 1", b),
                     "aco:A1 (token abc123abc123)|api.denied|reports|/v1/reports/aco|"
                     "{\"method\":\"GET\",\"path\":\"/v1/reports/aco\",\"reason\":\"aco: this "
                     "token is limited to ACO A1 (asked for A2)\",\"role\":\"aco:A1\",\"status\":403}");
    /* a revoked token: anonymous, named by its id; the summary row says so */
    memset(&rq.role, 0, sizeof rq.role);
    snprintf(rq.role.token_id, sizeof rq.role.token_id, "dead00dead00");
    rq.path = "/v1/status";
    ck_assert_int_eq(srv_deny_audit(db, &rq, 401, "token dead00dead00 was revoked at X",
                                    SRV_DENY_SUMMARY, 3), 0);
    ck_assert_str_eq(th_qs(db, "SELECT actor || '|' || entity || '|' || json_extract(after, "
                               "'$.status') || '|' || json_extract(after, '$.limited') || '|' || "
                               "json_extract(after, '$.suppressed') || '|' || json_extract(after, "
                               "'$.role') FROM audit_log ORDER BY seq DESC LIMIT 1", b),
                     "anonymous (token dead00dead00)|status|401|1|3|anonymous");
    long long before = th_q(db, "SELECT count(*) FROM audit_log");
    ck_assert_int_eq(srv_deny_audit(db, &rq, 401, "x", SRV_DENY_DROP, 0), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log"), before);
    store_close(db);
    th_rmdir(dir);
}
END_TEST

/* A refused token is named in the audit by its id, revoked or not; an unknown or
 * malformed one by none. */
START_TEST(test_token_id_of)
{
    char dir[64], secret[64], id[20], got[20], h[128], err[256];
    store *db;
    th_tmpdir_store(dir, "cara-deny", &db);
    ck_assert_int_eq(srv_token_create(db, "cms", NULL, "tester", secret, sizeof secret, id, err,
                                      sizeof err), 0);
    ck_assert_int_eq(srv_token_revoke(db, id, "tester", err, sizeof err), 0);
    snprintf(h, sizeof h, "Bearer %s", secret);
    ck_assert_int_eq(srv_token_id_of(db, h, got), 0);
    ck_assert_str_eq(got, id);
    ck_assert_int_eq(srv_token_well_formed(h), 1);
    ck_assert_int_eq(srv_token_id_of(db, "Bearer cara_0000000000000000000000000000000000000000", got), 0);
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(srv_token_id_of(db, "Bearer nope", got), 0);
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(srv_token_well_formed("Bearer nope"), 0);
    ck_assert_int_eq(srv_token_well_formed(NULL), 0);
    store_close(db);
    th_rmdir(dir);
}
END_TEST

Suite *suite_srv_deny(void)
{
    Suite *s = suite_create("srv_deny");
    TCase *tc = tcase_create("limit");
    tcase_add_test(tc, test_limit_per_key);
    tcase_add_test(tc, test_limit_overflow);
    tcase_add_test(tc, test_resource);
    tcase_add_test(tc, test_rows);
    tcase_add_test(tc, test_token_id_of);
    suite_add_tcase(s, tc);
    return s;
}
