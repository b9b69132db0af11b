/*
 * tests/test_srv_session.c: login sessions (srv_session.h) on a clock the tests move:
 * a wrong password, an unknown user and a disabled user all refused alike, idle and
 * absolute expiry, logout, a disabled user's and a changed password's sessions ending at
 * once, the session's role (same kind and scope as a token's), the cookie's value and
 * attributes, CSRF (missing, wrong, right; Origin), and the failed-login limit (the
 * 6th attempt refused; a success does not count).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/srv_session.h"
#include "helpers.h"
#include "suites.h"

static char dir[64];
static store *db;
static char err[1024];
static const int64_t T0 = 1800000000;
static const char *NPI = "1234567893";

#define PW "correct horse"
#define PWLEN (sizeof PW - 1)

static void setup(void)
{
    th_tmpdir_store(dir, "cara-sess", &db);
    char role[32];
    snprintf(role, sizeof role, "provider:%s", NPI);
    ck_assert_int_eq(srv_user_add(db, "pat", role, PW, PWLEN, "ops", T0, err, sizeof err), 0);
}

static void teardown(void)
{
    store_close(db);
    th_rmdir(dir);
}

static int login(const char *name, const char *pw, int64_t now, char secret[65],
                 srv_session_info *info)
{
    err[0] = '\0';
    return srv_session_login(db, name, pw, strlen(pw), "127.0.0.1", now, 3600, secret, info, err,
                             sizeof err);
}

START_TEST(test_login_and_role)
{
    char secret[65];
    srv_session_info info, again;
    ck_assert_int_eq(login("pat", PW, T0, secret, &info), 0);
    ck_assert_uint_eq(strlen(secret), SRV_SESSION_HEX);
    ck_assert_uint_eq(strspn(secret, "0123456789abcdef"), SRV_SESSION_HEX);
    ck_assert_uint_eq(strlen(info.csrf_token), SRV_SESSION_HEX);
    ck_assert_str_ne(secret, info.csrf_token);
    ck_assert_str_eq(info.user, "pat");
    ck_assert_str_eq(info.role, "provider:1234567893");
    ck_assert_int_eq(info.expires_at, T0 + 3600);
    /* the role a provider token for that NPI has: same kind, same scope */
    ck_assert_int_eq(info.as_role.kind, SRV_PROVIDER);
    ck_assert_str_eq(info.as_role.id, NPI);
    ck_assert_str_eq(info.as_role.user, "pat");
    ck_assert_str_eq(info.as_role.token_id, "");
    char buf[256];
    ck_assert_str_eq(th_qs(db, "SELECT last_login_at FROM users WHERE name = 'pat'", buf),
                     "2027-01-15T08:00:00Z");
    ck_assert_int_eq(srv_session_check(db, secret, T0 + 5, 1800, 3600, &again, err, sizeof err), 0);
    ck_assert_str_eq(again.csrf_token, info.csrf_token);
    ck_assert_int_eq(again.expires_at, T0 + 3600);
    /* a second login is a second session */
    char secret2[65];
    ck_assert_int_eq(login("pat", PW, T0 + 1, secret2, &again), 0);
    ck_assert_str_ne(secret, secret2);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sessions"), 2);
}
END_TEST

/* Wrong password, unknown user, disabled user: one answer. */
START_TEST(test_login_refusals)
{
    char secret[65];
    srv_session_info info;
    ck_assert_int_eq(login("pat", "wrong horse!", T0, secret, &info), -EACCES);
    ck_assert_str_eq(err, SRV_LOGIN_FAILED);
    ck_assert_str_eq(secret, "");
    ck_assert_int_eq(login("nobody", PW, T0, secret, &info), -EACCES);
    ck_assert_str_eq(err, SRV_LOGIN_FAILED);
    ck_assert_int_eq(login("bad name!", PW, T0, secret, &info), -EACCES);
    ck_assert_str_eq(err, SRV_LOGIN_FAILED);
    ck_assert_int_eq(srv_user_disable(db, "pat", "ops", T0, err, sizeof err), 0);
    ck_assert_int_eq(login("pat", PW, T0, secret, &info), -EACCES);
    ck_assert_str_eq(err, SRV_LOGIN_FAILED);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sessions"), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log WHERE action = 'session.login'"), 0);
}
END_TEST

START_TEST(test_idle_and_absolute_expiry)
{
    char secret[65];
    srv_session_info info;
    ck_assert_int_eq(login("pat", PW, T0, secret, &info), 0);
    /* idle 100 s: a request at +90 keeps it alive until +190 */
    ck_assert_int_eq(srv_session_check(db, secret, T0 + 90, 100, 1000, &info, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, secret, T0 + 189, 100, 1000, &info, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, secret, T0 + 289, 100, 1000, &info, err, sizeof err),
                     -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "after 100 idle seconds"));
    /* absolute: requests every 50 s do not carry it past max */
    char s2[65];
    ck_assert_int_eq(login("pat", PW, T0, s2, &info), 0);
    for (int64_t t = T0 + 50; t < T0 + 1000; t += 50)
        ck_assert_int_eq(srv_session_check(db, s2, t, 100, 1000, &info, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, s2, T0 + 1000, 100, 1000, &info, err, sizeof err), -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "expired 1000 seconds after its login"));
    /* last_seen_at is written at most every SRV_SESSION_TOUCH_SECONDS */
    char s3[65], buf[256];
    ck_assert_int_eq(login("pat", PW, T0, s3, &info), 0);
    ck_assert_int_eq(srv_session_check(db, s3, T0 + SRV_SESSION_TOUCH_SECONDS - 1, 100, 1000,
                                       &info, err, sizeof err), 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT last_seen_at FROM sessions WHERE session_sha256 = '%s'",
             info.sha256);
    ck_assert_str_eq(th_qs(db, sql, buf), "2027-01-15T08:00:00Z");
    ck_assert_int_eq(srv_session_check(db, s3, T0 + SRV_SESSION_TOUCH_SECONDS, 100, 1000, &info,
                                       err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, sql, buf), "2027-01-15T08:00:10Z");
}
END_TEST

/* A login sweeps away the sessions that can never be used again (login() uses a 3600 s
 * absolute limit): at T0 two logins, one logged out; at T0 + 1800 a third login removes
 * only the ended one; at T0 + 3601 a fourth removes the T0 session (past the limit) and
 * keeps the T0 + 1800 one. The logins stay in the audit log. */
START_TEST(test_login_purges_dead_sessions)
{
    char s1[65], s2[65], s3[65], s4[65];
    srv_session_info i1, i2, info;
    ck_assert_int_eq(login("pat", PW, T0, s1, &i1), 0);
    ck_assert_int_eq(login("pat", PW, T0, s2, &i2), 0);
    ck_assert_int_eq(srv_session_logout(db, i2.sha256, "pat", T0 + 10, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sessions"), 2);
    ck_assert_int_eq(login("pat", PW, T0 + 1800, s3, &info), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sessions"), 2); /* s1 and s3 */
    ck_assert_int_eq(srv_session_check(db, s1, T0 + 1801, 3600, 3600, &info, err, sizeof err), 0);
    ck_assert_int_eq(login("pat", PW, T0 + 3601, s4, &info), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sessions"), 2); /* s3 and s4 */
    ck_assert_int_eq(srv_session_check(db, s1, T0 + 3602, 3600, 3600, &info, err, sizeof err),
                     -EACCES);
    ck_assert_int_eq(srv_session_check(db, s3, T0 + 3602, 3600, 3600, &info, err, sizeof err), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log WHERE action = 'session.login'"), 4);
}
END_TEST

START_TEST(test_logout_disable_passwd_end_sessions)
{
    char a[65], b[65], c[65], unknown[65];
    srv_session_info ia, ib, ic, x;
    ck_assert_int_eq(login("pat", PW, T0, a, &ia), 0);
    ck_assert_int_eq(login("pat", PW, T0, b, &ib), 0);
    ck_assert_int_eq(login("pat", PW, T0, c, &ic), 0);
    ck_assert_int_eq(srv_session_logout(db, ia.sha256, "provider:1234567893 (user pat)", T0 + 1,
                                        err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, a, T0 + 2, 100, 1000, &x, err, sizeof err), -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "the session ended at 2027-01-15T08:00:01Z"));
    ck_assert_int_eq(srv_session_logout(db, ia.sha256, "x", T0 + 1, err, sizeof err), -ENOENT);
    memset(unknown, 'a', 64);
    unknown[64] = '\0';
    ck_assert_int_eq(srv_session_check(db, unknown, T0, 100, 1000, &x, err, sizeof err), -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "unknown session"));
    /* a password change keeps the session it was made in, ends the others */
    ck_assert_int_eq(srv_user_passwd(db, "pat", "battery staple", 14, ib.sha256, "ops", T0 + 3,
                                     err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, b, T0 + 4, 100, 1000, &x, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, c, T0 + 4, 100, 1000, &x, err, sizeof err), -EACCES);
    /* disabling ends the rest at once */
    ck_assert_int_eq(srv_user_disable(db, "pat", "ops", T0 + 5, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_check(db, b, T0 + 6, 100, 1000, &x, err, sizeof err), -EACCES);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM sessions WHERE ended_at IS NULL"), 0);
}
END_TEST

START_TEST(test_cookie)
{
    char out[65], c[160];
    const char *s = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char hdr[256];
    snprintf(hdr, sizeof hdr, "theme=dark; cara_session=%s; x=1", s);
    ck_assert_int_eq(srv_cookie_secret(hdr, out), 1);
    ck_assert_str_eq(out, s);
    snprintf(hdr, sizeof hdr, "cara_session=%s", s);
    ck_assert_int_eq(srv_cookie_secret(hdr, out), 1);
    ck_assert_int_eq(srv_cookie_secret("cara_session=abc", out), 0);
    ck_assert_str_eq(out, "");
    snprintf(hdr, sizeof hdr, "cara_session=%sX", s);
    ck_assert_int_eq(srv_cookie_secret(hdr, out), 0);
    snprintf(hdr, sizeof hdr, "xcara_session=%s", s);
    ck_assert_int_eq(srv_cookie_secret(hdr, out), 0);
    ck_assert_int_eq(srv_cookie_secret(NULL, out), 0);
    srv_session_cookie(s, 0, c, sizeof c);
    ck_assert_str_eq(c, "cara_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                        "; Path=/; HttpOnly; SameSite=Strict");
    srv_session_cookie(s, 1, c, sizeof c);
    ck_assert_ptr_nonnull(strstr(c, "; Path=/; HttpOnly; SameSite=Strict; Secure"));
    srv_session_cookie(NULL, 0, c, sizeof c);
    ck_assert_str_eq(c, "cara_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}
END_TEST

START_TEST(test_csrf)
{
    const char *tok = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface";
    const char *host = "127.0.0.1:8080";
    /* GET and HEAD need nothing */
    ck_assert_int_eq(srv_csrf_check("GET", NULL, "http://evil", host, 0, tok, err, sizeof err), 0);
    ck_assert_int_eq(srv_csrf_check("HEAD", NULL, NULL, host, 0, tok, err, sizeof err), 0);
    /* missing, wrong, a prefix, right */
    ck_assert_int_eq(srv_csrf_check("POST", NULL, NULL, host, 0, tok, err, sizeof err), -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "needs the X-CSRF-Token header"));
    ck_assert_int_eq(srv_csrf_check("PUT", "", NULL, host, 0, tok, err, sizeof err), -EACCES);
    ck_assert_int_eq(srv_csrf_check("DELETE", "feedface", NULL, host, 0, tok, err, sizeof err), -EACCES);
    ck_assert_int_eq(srv_csrf_check("POST", "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacX",
                                    NULL, host, 0, tok, err, sizeof err), -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "is not this session's csrf_token"));
    ck_assert_int_eq(srv_csrf_check("POST", tok, NULL, host, 0, tok, err, sizeof err), 0);
    /* Origin: when present it must be this service */
    ck_assert_int_eq(srv_csrf_check("POST", tok, "http://127.0.0.1:8080", host, 0, tok, err,
                                    sizeof err), 0);
    ck_assert_int_eq(srv_csrf_check("POST", tok, "http://evil.example", host, 0, tok, err,
                                    sizeof err), -EACCES);
    ck_assert_ptr_nonnull(strstr(err, "does not match"));
    ck_assert_int_eq(srv_csrf_check("POST", tok, "null", host, 0, tok, err, sizeof err), -EACCES);
    ck_assert_int_eq(srv_csrf_check("POST", tok, "http://127.0.0.1:8080", host, 1, tok, err,
                                    sizeof err), -EACCES);
    ck_assert_int_eq(srv_csrf_check("POST", tok, "https://127.0.0.1:8080", host, 1, tok, err,
                                    sizeof err), 0);
    ck_assert_int_eq(srv_origin_check("http://127.0.0.1:80800", host, 0, err, sizeof err), -EACCES);
}
END_TEST

START_TEST(test_login_limit)
{
    static srv_login_limit l; /* large: not on the stack */
    ck_assert_int_eq(srv_login_limit_init(&l, 5, 900), 0);
    /* five failures are allowed; the 6th attempt is refused, with the time to wait */
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(srv_login_limit_check(&l, "pat", "10.0.0.1", T0 + i), 0);
        srv_login_limit_fail(&l, "pat", "10.0.0.1", T0 + i);
    }
    ck_assert_int_eq(srv_login_limit_check(&l, "pat", "10.0.0.1", T0 + 10), 890);
    /* per name (from another address) and per address (another name) */
    ck_assert_int_eq(srv_login_limit_check(&l, "pat", "10.0.0.2", T0 + 10), 890);
    ck_assert_int_eq(srv_login_limit_check(&l, "sam", "10.0.0.1", T0 + 10), 890);
    ck_assert_int_eq(srv_login_limit_check(&l, "sam", "10.0.0.2", T0 + 10), 0);
    /* the window ends */
    ck_assert_int_eq(srv_login_limit_check(&l, "pat", "10.0.0.1", T0 + 900), 0);
    srv_login_limit_destroy(&l);

    /* a success in between counts nothing: 4 failures, a success, 1 failure, then refused */
    ck_assert_int_eq(srv_login_limit_init(&l, 5, 900), 0);
    char secret[65];
    srv_session_info info;
    int failures = 0, refused_at = 0;
    for (int attempt = 1; attempt <= 7 && !refused_at; attempt++) {
        if (srv_login_limit_check(&l, "pat", "10.0.0.9", T0 + attempt)) {
            refused_at = attempt;
            break;
        }
        const char *pw = attempt == 5 ? PW : "wrong horse!";
        int rc = login("pat", pw, T0 + attempt, secret, &info);
        ck_assert_int_eq(rc, attempt == 5 ? 0 : -EACCES);
        if (rc == -EACCES) {
            failures++;
            srv_login_limit_fail(&l, "pat", "10.0.0.9", T0 + attempt);
        }
    }
    ck_assert_int_eq(failures, 5);
    ck_assert_int_eq(refused_at, 7);
    srv_login_limit_destroy(&l);

    /* bounded: many names evict the oldest, never grow */
    ck_assert_int_eq(srv_login_limit_init(&l, 1, 900), 0);
    char name[32];
    for (int i = 0; i < SRV_LOGIN_SLOTS + 10; i++) {
        snprintf(name, sizeof name, "u%d", i);
        srv_login_limit_fail(&l, name, "", T0 + i);
    }
    ck_assert_int_eq(srv_login_limit_check(&l, "u0", NULL, T0 + 2000 - 900), 0); /* evicted */
    snprintf(name, sizeof name, "u%d", SRV_LOGIN_SLOTS + 9);
    ck_assert_int_gt(srv_login_limit_check(&l, name, NULL, T0 + SRV_LOGIN_SLOTS + 10), 0);
    srv_login_limit_destroy(&l);
}
END_TEST

Suite *suite_srv_session(void)
{
    Suite *s = suite_create("srv_session");
    TCase *t = tcase_create("sessions");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_login_and_role);
    tcase_add_test(t, test_login_refusals);
    tcase_add_test(t, test_idle_and_absolute_expiry);
    tcase_add_test(t, test_logout_disable_passwd_end_sessions);
    tcase_add_test(t, test_cookie);
    tcase_add_test(t, test_csrf);
    tcase_add_test(t, test_login_limit);
    tcase_add_test(t, test_login_purges_dead_sessions);
    suite_add_tcase(s, t);
    return s;
}
