/*
 * tests/test_users.c: user accounts (store/users.h, serve/srv_session.h): Argon2id
 * hashing and verifying, names and password lengths, add -> disable -> passwd with their
 * refusals, the audit rows (never a hash, a secret or a CSRF token), and `cara user` as a
 * person runs it: --password-stdin, the prompt refusing without a terminal, list.
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
static const int64_t T0 = 1800000000; /* 2027-01-15T08:00:00Z */

static void setup(void)
{
    th_tmpdir_store(dir, "cara-users", &db);
    err[0] = '\0';
}

static void teardown(void)
{
    store_close(db);
    th_rmdir(dir);
}

#define PW "correct horse"
#define PWLEN (sizeof PW - 1)

START_TEST(test_hash_verify)
{
    char h[USERS_HASH_MAX], h2[USERS_HASH_MAX];
    ck_assert_int_eq(srv_password_hash(PW, PWLEN, h, err, sizeof err), 0);
    ck_assert_msg(!strncmp(h, "$argon2id$", 10), "not Argon2id: %s", h);
    ck_assert_ptr_null(strstr(h, PW));
    ck_assert_int_eq(srv_password_verify(h, PW, PWLEN), 1);
    ck_assert_int_eq(srv_password_verify(h, "correct horsE", PWLEN), 0);
    ck_assert_int_eq(srv_password_verify(h, PW, PWLEN - 1), 0);
    ck_assert_int_eq(srv_password_verify("", PW, PWLEN), 0);
    ck_assert_int_eq(srv_password_verify("not a hash", PW, PWLEN), 0);
    /* salted: the same password hashes differently */
    ck_assert_int_eq(srv_password_hash(PW, PWLEN, h2, err, sizeof err), 0);
    ck_assert_str_ne(h, h2);
}
END_TEST

START_TEST(test_password_and_name_rules)
{
    char big[SRV_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof big);
    ck_assert_int_eq(srv_password_check("123456789", 9, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "expected 10 to 1024 bytes"));
    ck_assert_int_eq(srv_password_check("1234567890", 10, err, sizeof err), 0);
    ck_assert_int_eq(srv_password_check(big, SRV_PASSWORD_MAX, err, sizeof err), 0);
    ck_assert_int_eq(srv_password_check(big, SRV_PASSWORD_MAX + 1, err, sizeof err), -EINVAL);
    ck_assert_int_eq(srv_password_check("12345\0" "7890", 10, err, sizeof err), -EINVAL);
    ck_assert_int_eq(srv_user_name_check("alice.b_c-d@example.org", err, sizeof err), 0);
    ck_assert_int_eq(srv_user_name_check("", err, sizeof err), -EINVAL);
    ck_assert_int_eq(srv_user_name_check("a b", err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "\"a b\": character 2"));
    ck_assert_int_eq(srv_user_name_check("é", err, sizeof err), -EINVAL);
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    ck_assert_int_eq(srv_user_name_check(long_name, err, sizeof err), -EINVAL);
    long_name[64] = '\0';
    ck_assert_int_eq(srv_user_name_check(long_name, err, sizeof err), 0);
}
END_TEST

START_TEST(test_add_disable_passwd)
{
    users_row u;
    ck_assert_int_eq(srv_user_add(db, "alice", "provider:1234567893", PW, PWLEN, "ops", T0, err,
                                  sizeof err), 0);
    ck_assert_int_eq(users_by_name(db, "alice", &u, err, sizeof err), 1);
    ck_assert_str_eq(u.role, "provider");
    ck_assert_str_eq(u.scope, "1234567893");
    ck_assert_str_eq(u.created_at, "2027-01-15T08:00:00Z");
    ck_assert_str_eq(u.created_by, "ops");
    ck_assert_str_eq(u.password_changed_at, "2027-01-15T08:00:00Z");
    ck_assert_int_eq(u.disabled, 0);
    ck_assert_int_eq(srv_password_verify(u.password_hash, PW, PWLEN), 1);
    /* refusals name the value and what is expected */
    ck_assert_int_eq(srv_user_add(db, "alice", "cms", PW, PWLEN, "ops", T0, err, sizeof err), -EEXIST);
    ck_assert_ptr_nonnull(strstr(err, "user \"alice\" already exists"));
    ck_assert_int_eq(srv_user_add(db, "bob", "boss", PW, PWLEN, "ops", T0, err, sizeof err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "expected cms, aco:ACO_ID or provider:NPI"));
    ck_assert_int_eq(srv_user_add(db, "bob", "cms", "short", 5, "ops", T0, err, sizeof err), -EINVAL);
    ck_assert_int_eq(srv_user_add(db, "b b", "cms", PW, PWLEN, "ops", T0, err, sizeof err), -EINVAL);
    ck_assert_int_eq(users_by_name(db, "bob", &u, err, sizeof err), 0);
    /* passwd: the new password works, the old one no longer */
    ck_assert_int_eq(srv_user_passwd(db, "alice", "battery staple", 14, NULL, "ops", T0 + 60, err,
                                     sizeof err), 0);
    ck_assert_int_eq(users_by_name(db, "alice", &u, err, sizeof err), 1);
    ck_assert_int_eq(srv_password_verify(u.password_hash, PW, PWLEN), 0);
    ck_assert_int_eq(srv_password_verify(u.password_hash, "battery staple", 14), 1);
    ck_assert_str_eq(u.password_changed_at, "2027-01-15T08:01:00Z");
    ck_assert_int_eq(srv_user_passwd(db, "nobody", "battery staple", 14, NULL, "ops", T0, err,
                                     sizeof err), -ENOENT);
    /* disable, twice */
    ck_assert_int_eq(srv_user_disable(db, "alice", "ops", T0 + 120, err, sizeof err), 0);
    ck_assert_int_eq(users_by_name(db, "alice", &u, err, sizeof err), 1);
    ck_assert_int_eq(u.disabled, 1);
    ck_assert_str_eq(u.disabled_at, "2027-01-15T08:02:00Z");
    ck_assert_int_eq(srv_user_disable(db, "alice", "ops", T0, err, sizeof err), -EALREADY);
    ck_assert_ptr_nonnull(strstr(err, "already disabled at 2027-01-15T08:02:00Z"));
    ck_assert_int_eq(srv_user_disable(db, "nobody", "ops", T0, err, sizeof err), -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "no user \"nobody\""));
}
END_TEST

/* Every change is audited; no audit row (nor any other table but users and sessions)
 * holds a hash, a session secret, its hash or a CSRF token. */
START_TEST(test_audit_without_secrets)
{
    char secret[SRV_SESSION_HEX + 1], buf[256];
    srv_session_info info;
    ck_assert_int_eq(srv_user_add(db, "carol", "cms", PW, PWLEN, "ops", T0, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_login(db, "carol", PW, PWLEN, "10.0.0.7", T0 + 1, 3600, secret,
                                       &info, err, sizeof err), 0);
    ck_assert_int_eq(srv_user_passwd(db, "carol", "battery staple", 14, info.sha256, "ops",
                                     T0 + 2, err, sizeof err), 0);
    ck_assert_int_eq(srv_session_logout(db, info.sha256, "cms (user carol)", T0 + 3, err,
                                        sizeof err), 0);
    ck_assert_int_eq(srv_user_disable(db, "carol", "ops", T0 + 4, err, sizeof err), 0);
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(action, ' ') FROM (SELECT action FROM "
                               "audit_log ORDER BY seq)", buf),
                     "user.add session.login user.passwd session.logout user.disable");
    ck_assert_str_eq(th_qs(db, "SELECT actor FROM audit_log WHERE action = 'session.login'", buf),
                     "cms (user carol)");
    ck_assert_str_eq(th_qs(db, "SELECT entity || ' ' || entity_id FROM audit_log WHERE action = "
                               "'session.logout'", buf), "session carol");
    char sql[512];
    const char *needles[] = {secret, info.sha256, info.csrf_token, "argon2", PW, "battery"};
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE instr(coalesce(before, '') "
                 "|| coalesce(after, '') || actor || entity_id, '%s') > 0", needles[i]);
        ck_assert_int_eq(th_q(db, sql), 0);
    }
    /* the session table keeps the secret's hash, never the secret */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sessions WHERE session_sha256 = '%s'", info.sha256);
    ck_assert_int_eq(th_q(db, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sessions WHERE instr(session_sha256 || "
             "csrf_token || client_addr, '%s') > 0", secret);
    ck_assert_int_eq(th_q(db, sql), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM audit_log WHERE action = 'user.disable' AND "
                              "after LIKE '%\"sessions_ended\":0}'"), 1);
}
END_TEST

/* ---- cara user ------------------------------------------------------------------------ */

static char *out, *errs;

static void cli_setup(void)
{
    th_scratch_setup(dir, sizeof dir, "users-cli", &out, &errs);
}

static void cli_teardown(void)
{
    th_scratch_teardown(dir, &out, &errs);
}

/* cara --db DIR/t.db ARGS with stdin from the text (NULL: /dev/null), output captured. */
static int user_cmd(const char *stdin_text, const char *prefix, const char *args)
{
    char cmd[2048], *p = NULL;
    if (stdin_text) p = th_write(dir, "in", stdin_text);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' --db t.db %s >out 2>err <%s", dir, prefix,
             getenv("CARA_BIN"), args, p ? "in" : "/dev/null");
    free(p);
    int rc = th_sh(cmd);
    free(out);
    free(errs);
    out = th_slurp(dir, "out");
    errs = th_slurp(dir, "err");
    return rc;
}

START_TEST(test_cli_user)
{
    ck_assert_int_eq(user_cmd("correct horse\n", "", "user add ann --role cms --password-stdin --as ops"), 0);
    ck_assert_str_eq(out, "user ann added with role cms\n");
    ck_assert_int_eq(user_cmd("correct horse\r\n", "", "user add bea --role provider:1234567893 "
                              "--password-stdin"), 0);
    /* the stored hash verifies the line without its newline (and CR) */
    store *s;
    char path[128], e[256];
    users_row u;
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_int_eq(store_open(path, 0, &s, e, sizeof e), 0);
    ck_assert_int_eq(users_by_name(s, "bea", &u, e, sizeof e), 1);
    ck_assert_int_eq(srv_password_verify(u.password_hash, PW, PWLEN), 1);
    store_close(s);
    /* refusals */
    ck_assert_int_eq(user_cmd("short\n", "", "user add cat --role cms --password-stdin"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "the password is 5 bytes: expected 10 to 1024 bytes"));
    ck_assert_int_eq(user_cmd(NULL, "", "user add dan --role cms --password-stdin"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "standard input is empty"));
    ck_assert_int_eq(user_cmd(NULL, "setsid", "user add dan --role cms"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "no terminal to ask for the password on"));
    ck_assert_int_eq(user_cmd(NULL, "", "user add 'd n' --role cms"), 2);
    ck_assert_ptr_nonnull(strstr(errs, "user name \"d n\": character 2"));
    ck_assert_int_eq(user_cmd(NULL, "", "user add dan"), 2);
    ck_assert_ptr_nonnull(strstr(errs, "needs --role"));
    ck_assert_int_eq(user_cmd(NULL, "", "user add dan --role aco:NOPE --password-stdin"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "no ACO \"NOPE\""));
    ck_assert_int_eq(user_cmd(NULL, "", "user frobnicate"), 2);
    ck_assert_int_eq(user_cmd("correct horse\n", "", "user add ann --role cms --password-stdin"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "already exists"));
    /* passwd, disable, list */
    ck_assert_int_eq(user_cmd("battery staple\n", "", "user passwd ann --password-stdin"), 0);
    ck_assert_int_eq(user_cmd("battery staple\n", "", "user passwd zed --password-stdin"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "no user \"zed\""));
    ck_assert_int_eq(user_cmd(NULL, "setsid", "user passwd ann"), 1);
    ck_assert_int_eq(user_cmd(NULL, "", "user disable bea"), 0);
    ck_assert_str_eq(out, "user bea disabled (its sessions ended)\n");
    ck_assert_int_eq(user_cmd(NULL, "", "user disable bea"), 1);
    ck_assert_ptr_nonnull(strstr(errs, "already disabled"));
    ck_assert_int_eq(user_cmd(NULL, "", "user list"), 0);
    ck_assert_ptr_nonnull(strstr(out, "name  role                 created_at"));
    ck_assert_ptr_nonnull(strstr(out, "provider:1234567893"));
    ck_assert_int_eq(user_cmd(NULL, "", "user list --json"), 0);
    ck_assert_ptr_nonnull(strstr(out, "{\"name\":\"ann\",\"role\":\"cms\","));
    ck_assert_ptr_null(strstr(out, "argon2"));
    ck_assert_int_eq(user_cmd(NULL, "", "user --help"), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: cara user add NAME"));
}
END_TEST

Suite *suite_users(void)
{
    Suite *s = suite_create("users");
    TCase *t = tcase_create("accounts");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_hash_verify);
    tcase_add_test(t, test_password_and_name_rules);
    tcase_add_test(t, test_add_disable_passwd);
    tcase_add_test(t, test_audit_without_secrets);
    suite_add_tcase(s, t);
    TCase *c = tcase_create("cli");
    tcase_add_checked_fixture(c, cli_setup, cli_teardown);
    tcase_set_timeout(c, 120);
    tcase_add_test(c, test_cli_user);
    suite_add_tcase(s, c);
    return s;
}
