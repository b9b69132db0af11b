/*
 * tests/test_srv_auth.c: bearer tokens and roles (srv_auth.h): role specs, create ->
 * verify -> revoke, malformed Authorization headers, no secret anywhere in the database,
 * the audit rows; and `cara token` as a user runs it (exit codes, output).
 */
#include <check.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/sha256.h"
#include "serve/srv_auth.h"
#include "helpers.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static store *db;
static char err[1024];

static const char *NPI = "1234567893", *BAD_NPI = "1093791627";

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-auth-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], e[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_int_eq(store_open(path, STORE_CREATE, &db, e, sizeof e), 0);
    ck_assert_int_eq(store_exec(db, "INSERT INTO acos (aco_id, name, track, first_year, last_year) "
                                    "VALUES ('A1', 'Alpha', 'global', 2027, 2036)", e, sizeof e), 0);
    err[0] = '\0';
}

static void teardown(void)
{
    store_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The integer of a query with one optional text parameter. */
static long long q1(const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(db), sql, -1, &st, NULL), SQLITE_OK);
    if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

#define REFUSED(call, code, msg)                                                             \
    do {                                                                                     \
        ck_assert_int_eq((call), (code));                                                    \
        ck_assert_msg(strstr(err, msg), "'%s' lacks '%s'", err, msg);                        \
    } while (0)

static void header(char *out, size_t n, const char *scheme, const char *secret)
{
    snprintf(out, n, "%s %s", scheme, secret);
}

/* Good specs parse into kind and id; bad ones say why. */
START_TEST(test_role_parse)
{
    srv_role r;
    ck_assert_int_eq(srv_role_parse(db, "cms", &r, err, sizeof err), 0);
    ck_assert_int_eq(r.kind, SRV_CMS);
    ck_assert_str_eq(r.id, "");
    ck_assert_int_eq(srv_role_parse(db, "aco:A1", &r, err, sizeof err), 0);
    ck_assert_int_eq(r.kind, SRV_ACO);
    ck_assert_str_eq(r.id, "A1");
    ck_assert_int_eq(srv_role_parse(NULL, "provider:1234567893", &r, err, sizeof err), 0);
    ck_assert_int_eq(r.kind, SRV_PROVIDER);
    ck_assert_str_eq(r.id, NPI);
    ck_assert_str_eq(srv_role_word(SRV_PROVIDER), "provider");

    REFUSED(srv_role_parse(db, "aco:A9", &r, err, sizeof err), -EINVAL, "no ACO \"A9\"");
    ck_assert_int_eq(r.kind, SRV_ANON);
    REFUSED(srv_role_parse(db, "provider:1093791627", &r, err, sizeof err), -EINVAL,
            "NPI \"1093791627\" fails its check digit (expected 6");
    REFUSED(srv_role_parse(db, "provider:12345", &r, err, sizeof err), -EINVAL, "NPI \"12345\"");
    REFUSED(srv_role_parse(db, "admin", &r, err, sizeof err), -EINVAL, "unknown role \"admin\"");
    REFUSED(srv_role_parse(db, "admin:x", &r, err, sizeof err), -EINVAL, "unknown role \"admin\"");
    REFUSED(srv_role_parse(db, "CMS", &r, err, sizeof err), -EINVAL, "unknown role");
    REFUSED(srv_role_parse(db, "cms:x", &r, err, sizeof err), -EINVAL, "cms takes no id");
    REFUSED(srv_role_parse(db, "aco:", &r, err, sizeof err), -EINVAL, "needs an ACO id");
    REFUSED(srv_role_parse(db, "provider", &r, err, sizeof err), -EINVAL, "needs an NPI");
    REFUSED(srv_role_parse(db, "", &r, err, sizeof err), -EINVAL, "no role given");
    REFUSED(srv_role_parse(db, NULL, &r, err, sizeof err), -EINVAL, "no role given");
    REFUSED(srv_role_parse(db, "aco:0123456789012345678901234567890123456789", &r, err, sizeof err),
            -EINVAL, "too long");
}
END_TEST

/* create -> verify (role, id, token id) -> revoke -> verify says revoked. */
START_TEST(test_create_verify_revoke)
{
    char secret[64], id[20], h[128];
    srv_role r;
    ck_assert_int_eq(srv_token_create(db, "aco:A1", "ops laptop", "tester", secret, sizeof secret,
                                      id, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(secret), SRV_TOKEN_LEN);
    ck_assert_uint_eq(strlen(id), SRV_TOKEN_ID_HEX);
    ck_assert_int_eq(strncmp(secret, "cara_", 5), 0);
    ck_assert_uint_eq(strspn(secret + 5, "0123456789abcdef"), 40);
    ck_assert_uint_eq(strspn(id, "0123456789abcdef"), 12);

    header(h, sizeof h, "Bearer", secret);
    ck_assert_int_eq(srv_token_verify(db, h, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.kind, SRV_ACO);
    ck_assert_str_eq(r.id, "A1");
    ck_assert_str_eq(r.token_id, id);
    header(h, sizeof h, "bEaReR", secret); /* the scheme in any case */
    ck_assert_int_eq(srv_token_verify(db, h, &r, err, sizeof err), 0);

    ck_assert_int_eq(q1("SELECT count(*) FROM api_tokens WHERE token_id = ?1 AND role = 'aco' AND "
                        "scope_id = 'A1' AND label = 'ops laptop' AND created_by = 'tester' AND "
                        "created_at LIKE '____-__-__T__:__:__Z' AND revoked_at IS NULL", id), 1);
    ck_assert_int_eq(q1("SELECT count(*) FROM audit_log WHERE action = 'token.create' AND entity = "
                        "'token' AND entity_id = ?1 AND actor = 'tester' AND before IS NULL AND "
                        "json_extract(after, '$.role') = 'aco' AND json_extract(after, '$.scope_id') "
                        "= 'A1' AND json_extract(after, '$.sha256') IS NULL", id), 1);

    ck_assert_int_eq(srv_token_revoke(db, id, "boss", err, sizeof err), 0);
    header(h, sizeof h, "Bearer", secret);
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "revoked");
    ck_assert_msg(strstr(err, id), "'%s' lacks the token id", err);
    ck_assert_int_eq(r.kind, SRV_ANON);
    ck_assert_str_eq(r.token_id, "");
    ck_assert_int_eq(q1("SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND entity_id = "
                        "?1 AND actor = 'boss' AND json_extract(before, '$.revoked_at') IS NULL AND "
                        "json_extract(after, '$.revoked_at') IS NOT NULL", id), 1);
    /* revoking again, or an unknown id, is refused */
    REFUSED(srv_token_revoke(db, id, "boss", err, sizeof err), -EALREADY, "already revoked");
    REFUSED(srv_token_revoke(db, "000000000000", "boss", err, sizeof err), -ENOENT,
            "no token \"000000000000\"");
    ck_assert_int_eq(q1("SELECT count(*) FROM audit_log WHERE entity = 'token'", NULL), 2);
}
END_TEST

/* cms and provider roles come back as made. */
START_TEST(test_cms_and_provider)
{
    char secret[64], id[20], h[128];
    srv_role r;
    ck_assert_int_eq(srv_token_create(db, "cms", NULL, "tester", secret, sizeof secret, id, err,
                                      sizeof err), 0);
    header(h, sizeof h, "Bearer", secret);
    ck_assert_int_eq(srv_token_verify(db, h, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.kind, SRV_CMS);
    ck_assert_str_eq(r.id, "");
    ck_assert_str_eq(r.token_id, id);
    ck_assert_int_eq(srv_token_create(db, "provider:1234567893", "", "tester", secret, sizeof secret,
                                      id, err, sizeof err), 0);
    header(h, sizeof h, "Bearer", secret);
    ck_assert_int_eq(srv_token_verify(db, h, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.kind, SRV_PROVIDER);
    ck_assert_str_eq(r.id, NPI);
    ck_assert_str_eq(r.token_id, id);
}
END_TEST

/* Refused creations store nothing and leave no secret behind. */
START_TEST(test_create_refused)
{
    char secret[64] = "x", small[16], id[20] = "x";
    REFUSED(srv_token_create(db, "aco:NOPE", NULL, "tester", secret, sizeof secret, id, err,
                             sizeof err), -EINVAL, "no ACO \"NOPE\"");
    ck_assert_str_eq(secret, "");
    ck_assert_str_eq(id, "");
    char prov[32];
    snprintf(prov, sizeof prov, "provider:%s", BAD_NPI);
    REFUSED(srv_token_create(db, prov, NULL, "tester", secret, sizeof secret, id, err, sizeof err),
            -EINVAL, "check digit");
    REFUSED(srv_token_create(db, "cms", NULL, "tester", small, sizeof small, id, err, sizeof err),
            -EINVAL, "too small");
    REFUSED(srv_token_create(db, "cms", NULL, "", secret, sizeof secret, id, err, sizeof err),
            -EINVAL, "who creates");
    char label[SRV_TOKEN_LABEL_MAX + 2];
    memset(label, 'a', sizeof label - 1);
    label[sizeof label - 1] = '\0';
    REFUSED(srv_token_create(db, "cms", label, "t", secret, sizeof secret, id, err, sizeof err),
            -EINVAL, "label");
    ck_assert_int_eq(q1("SELECT count(*) FROM api_tokens", NULL), 0);
    ck_assert_int_eq(q1("SELECT count(*) FROM audit_log", NULL), 0);
}
END_TEST

/* A wrong secret and malformed headers are refused, each saying which. */
START_TEST(test_verify_refusals)
{
    char secret[64], id[20], h[128];
    srv_role r;
    ck_assert_int_eq(srv_token_create(db, "cms", NULL, "tester", secret, sizeof secret, id, err,
                                      sizeof err), 0);
    /* a well-formed but wrong secret: flip the last digit */
    char wrong[64];
    memcpy(wrong, secret, sizeof wrong);
    wrong[SRV_TOKEN_LEN - 1] = wrong[SRV_TOKEN_LEN - 1] == '0' ? '1' : '0';
    header(h, sizeof h, "Bearer", wrong);
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "unknown bearer token");
    ck_assert_int_eq(r.kind, SRV_ANON);
    ck_assert_ptr_null(strstr(err, wrong)); /* never echo a secret */

    REFUSED(srv_token_verify(db, NULL, &r, err, sizeof err), -EACCES, "no Authorization header");
    REFUSED(srv_token_verify(db, "", &r, err, sizeof err), -EACCES, "no Authorization header");
    REFUSED(srv_token_verify(db, "Basic x", &r, err, sizeof err), -EACCES, "not 'Bearer <token>'");
    REFUSED(srv_token_verify(db, "Bearer", &r, err, sizeof err), -EACCES, "not 'Bearer <token>'");
    REFUSED(srv_token_verify(db, "Bearer ", &r, err, sizeof err), -EACCES, "malformed");
    header(h, sizeof h, "Bearer ", secret); /* two spaces */
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "malformed");
    snprintf(h, sizeof h, "Bearer %s ", secret); /* trailing space */
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "malformed");
    snprintf(h, sizeof h, "Bearer %s", secret + 5); /* no prefix */
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "malformed");
    snprintf(h, sizeof h, "Bearer CARA_%s", secret + 5);
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "malformed");
    char upper[64];
    memcpy(upper, secret, sizeof upper);
    for (char *p = upper + 5; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    header(h, sizeof h, "Bearer", upper);
    if (strcmp(upper, secret)) REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "malformed");
    snprintf(h, sizeof h, "Bearer %sa", secret); /* too long */
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "malformed");
    snprintf(h, sizeof h, "Bearer\t%s", secret);
    REFUSED(srv_token_verify(db, h, &r, err, sizeof err), -EACCES, "not 'Bearer <token>'");
    ck_assert_int_eq(r.kind, SRV_ANON);
    /* the right one still works */
    header(h, sizeof h, "Bearer", secret);
    ck_assert_int_eq(srv_token_verify(db, h, &r, err, sizeof err), 0);
}
END_TEST

/* Does the file at dir/name contain needle? (0 when the file is absent.) */
static int file_has(const char *name, const char *needle)
{
    char path[128], e[256], *buf = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!util_exists(path)) return 0;
    ck_assert_int_eq(util_read_file(path, 64u << 20, &buf, &len, e, sizeof e), 0);
    size_t n = strlen(needle);
    int hit = 0;
    for (size_t i = 0; !hit && i + n <= len; i++) hit = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return hit;
}

/* The secret's text is nowhere: not in api_tokens, not in the audit log, not in the
 * database files at all; the stored hash is the secret's SHA-256. Two tokens differ. */
START_TEST(test_no_secret_stored)
{
    char s1[64], s2[64], id1[20], id2[20], hash[65];
    ck_assert_int_eq(srv_token_create(db, "cms", "one", "tester", s1, sizeof s1, id1, err, sizeof err), 0);
    ck_assert_int_eq(srv_token_create(db, "cms", "two", "tester", s2, sizeof s2, id2, err, sizeof err), 0);
    ck_assert_str_ne(s1, s2);
    ck_assert_str_ne(id1, id2);
    const char *secrets[2] = {s1, s2};
    for (int i = 0; i < 2; i++) {
        const char *hex = secrets[i] + 5;
        ck_assert_int_eq(q1("SELECT count(*) FROM api_tokens WHERE instr(token_id || sha256 || role || "
                            "scope_id || label || created_at || created_by || COALESCE(revoked_at, ''), "
                            "?1) > 0", hex), 0);
        ck_assert_int_eq(q1("SELECT count(*) FROM audit_log WHERE instr(at || actor || action || entity "
                            "|| entity_id || COALESCE(effective, '') || COALESCE(before, '') || "
                            "COALESCE(after, ''), ?1) > 0", hex), 0);
        ck_assert_int_eq(file_has("t.db", hex), 0);
        ck_assert_int_eq(file_has("t.db-wal", hex), 0);
        sha256_hex(secrets[i], strlen(secrets[i]), hash);
        ck_assert_int_eq(q1("SELECT count(*) FROM api_tokens WHERE sha256 = ?1", hash), 1);
    }
    ck_assert_int_eq(q1("SELECT count(DISTINCT sha256) FROM api_tokens", NULL), 2);
    ck_assert_int_eq(q1("SELECT count(*) FROM audit_log WHERE action = 'token.create'", NULL), 2);
}
END_TEST

/* ---- the command line ------------------------------------------------------------------- */

static char *out_buf, *err_buf;

static void cli_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-token-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    out_buf = err_buf = NULL;
}

static void cli_teardown(void)
{
    free(out_buf);
    free(err_buf);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Run "$CARA_BIN --db t.db ARGS" in dir, output captured; returns the exit status. */
static int cara(const char *args)
{
    char full[4096];
    snprintf(full, sizeof full, "--db t.db %s", args);
    return th_cara(dir, "USER=clitester", full, &out_buf, &err_buf);
}

#define ASSERT_ERR_HAS(s) ck_assert_msg(strstr(err_buf, s), "stderr lacks '%s':\n%s", s, err_buf)
#define ASSERT_OUT_HAS(s) ck_assert_msg(strstr(out_buf, s), "stdout lacks '%s':\n%s", s, out_buf)

static int matches(const char *re, const char *text)
{
    regex_t r;
    ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
    int ok = regexec(&r, text, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

/* create prints the secret alone; list shows it (no hash); revoke works once. */
START_TEST(test_cli_create_list_revoke)
{
    ck_assert_int_eq(cara("aco add A1 --name Alpha --track global"), 0);
    ck_assert_int_eq(cara("token create --role aco:A1 --label 'ops laptop'"), 0);
    ck_assert_msg(matches("^cara_[0-9a-f]{40}\n$", out_buf), "stdout is not one secret: '%s'", out_buf);
    ASSERT_ERR_HAS("shown once, store it safely");
    char secret[64], id[20];
    util_strlcpy(secret, out_buf, SRV_TOKEN_LEN + 1);
    const char *t = strstr(err_buf, "token ");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(sscanf(t, "token %12[0-9a-f]", id), 1);
    ck_assert_msg(!strstr(err_buf, secret), "the secret is on stderr too");

    ck_assert_int_eq(cara("token create --role cms --as alice"), 0);
    ck_assert_msg(matches("^cara_[0-9a-f]{40}\n$", out_buf), "stdout: '%s'", out_buf);
    ck_assert_str_ne(out_buf, secret);

    ck_assert_int_eq(cara("token list"), 0);
    ASSERT_OUT_HAS("token_id");
    ASSERT_OUT_HAS(id);
    ASSERT_OUT_HAS("ops laptop");
    ASSERT_OUT_HAS("clitester");
    ASSERT_OUT_HAS("alice");
    ck_assert_ptr_null(strstr(out_buf, "sha256"));
    ck_assert_ptr_null(strstr(out_buf, secret + 5));
    ck_assert_int_eq(cara("token list --format json"), 0);
    ck_assert_msg(matches("\"scope\":\"A1\"", out_buf), "json: %s", out_buf);
    ASSERT_OUT_HAS("\"revoked_at\":null");

    char args[128];
    snprintf(args, sizeof args, "token revoke %s", id);
    ck_assert_int_eq(cara(args), 0);
    ASSERT_OUT_HAS("revoked");
    ck_assert_int_eq(cara(args), 1);
    ASSERT_ERR_HAS("already revoked");
    ck_assert_int_eq(cara("token revoke 000000000000"), 1);
    ASSERT_ERR_HAS("no token \"000000000000\"");
    ck_assert_int_eq(cara("token list --format json"), 0);
    ck_assert_msg(matches("\"revoked_at\":\"[0-9]{4}-", out_buf), "json: %s", out_buf);

    /* the secret verifies until revoked */
    store *s;
    char e[256], h[128], path[128];
    srv_role r;
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_int_eq(store_open(path, 0, &s, e, sizeof e), 0);
    snprintf(h, sizeof h, "Bearer %s", secret);
    ck_assert_int_eq(srv_token_verify(s, h, &r, e, sizeof e), -EACCES);
    ck_assert_ptr_nonnull(strstr(e, "revoked"));
    store_close(s);
}
END_TEST

/* Bad roles and usage: 2 for a malformed command, 1 for a refused role; both say why. */
static const struct {
    const char *args, *msg;
    int code;
} bad_cases[] = {
    {"token create --role admin", "--role: 'admin' is not cms, aco:ACO_ID or provider:NPI", 2},
    {"token create --role aco:", "is not cms, aco:ACO_ID or provider:NPI", 2},
    {"token create", "needs --role", 2},
    {"token create extra --role cms", "takes no arguments", 2},
    {"token", "expected create, list or revoke", 2},
    {"token frob", "expected create, list or revoke", 2},
    {"token revoke", "needs one TOKEN_ID", 2},
    {"token list --format xml", "--format must be 'table' or 'json'", 2},
    {"token create --role aco:NOPE", "no ACO \"NOPE\"", 1},
    {"token create --role provider:1093791627", "fails its check digit", 1},
};

START_TEST(test_cli_bad)
{
    ck_assert_int_eq(cara(bad_cases[_i].args), bad_cases[_i].code);
    ASSERT_ERR_HAS(bad_cases[_i].msg);
    ck_assert_str_eq(out_buf, "");
}
END_TEST

START_TEST(test_cli_help)
{
    ck_assert_int_eq(cara("token --help"), 0);
    ASSERT_OUT_HAS("usage: cara token create --role cms|aco:ACO_ID|provider:NPI");
    ASSERT_OUT_HAS("only its\nSHA-256 is stored");
    ck_assert_int_eq(cara("help"), 0);
    ASSERT_OUT_HAS("token ");
}
END_TEST

Suite *suite_srv_auth(void)
{
    Suite *s = suite_create("srv_auth");
    TCase *tc = tcase_create("tokens");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_role_parse);
    tcase_add_test(tc, test_create_verify_revoke);
    tcase_add_test(tc, test_cms_and_provider);
    tcase_add_test(tc, test_create_refused);
    tcase_add_test(tc, test_verify_refusals);
    tcase_add_test(tc, test_no_secret_stored);
    suite_add_tcase(s, tc);
    TCase *tcli = tcase_create("cli");
    tcase_set_timeout(tcli, 60);
    tcase_add_checked_fixture(tcli, cli_setup, cli_teardown);
    tcase_add_test(tcli, test_cli_create_list_revoke);
    tcase_add_loop_test(tcli, test_cli_bad, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tcli, test_cli_help);
    suite_add_tcase(s, tcli);
    return s;
}
