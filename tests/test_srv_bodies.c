/*
 * tests/test_srv_bodies.c: the API's request bodies as structs (core/serve/srv_bodies.h), the
 * parsers tests/fuzz/fuzz_api_bodies.c fuzzes: what each accepts, and each refusal's 400
 * naming the member.
 */
#include <check.h>
#include <string.h>

#include "serve/srv_bodies.h"
#include "suites.h"

/* body parsed from text (must be a JSON object) */
static json_t *obj(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    ck_assert_msg(v != NULL, "%s: %s", text, je.text);
    return v;
}

/* rs is a 400 bad_request whose message holds want; then rs is cleared */
static void refused(srv_resp *rs, const char *want)
{
    ck_assert_int_eq(rs->status, 400);
    json_t *e = json_object_get(rs->json, "error");
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "bad_request");
    const char *msg = json_string_value(json_object_get(e, "message"));
    ck_assert_msg(msg && strstr(msg, want), "'%s' lacks '%s'", msg ? msg : "(none)", want);
    json_decref(rs->json);
    memset(rs, 0, sizeof *rs);
}

START_TEST(test_ebra_offer)
{
    srv_resp rs = {0};
    srv_ebra_offer o;
    json_t *b = obj("{\"arrangement_id\": \"E9\", \"aco_id\": \"A0001\", \"npi\": \"1234567893\","
                    " \"tin\": \"123456789\", \"template_id\": \"falls_prevention\","
                    " \"start_date\": \"2027-01-01\", \"end_date\": null, \"discount_bps\": 300,"
                    " \"stop_loss_bps\": -100000}");
    ck_assert_int_eq(srv_body_ebra_offer(b, &rs, &o), 0);
    ck_assert_str_eq(o.arrangement_id, "E9");
    ck_assert_str_eq(o.start_date, "2027-01-01");
    ck_assert_ptr_null(o.end_date);
    /* discount is term 0, stop loss term 4: has = 0b10001 */
    ck_assert_uint_eq(o.terms.has, 0x11);
    ck_assert_int_eq(o.terms.v[0], 300);
    ck_assert_int_eq(o.terms.v[4], -100000);
    ck_assert_ptr_null(rs.json);
    json_decref(b);
    b = obj("{\"arrangement_id\": \"E9\"}");
    ck_assert_int_eq(srv_body_ebra_offer(b, &rs, &o), -1);
    refused(&rs, "aco_id is required");
    json_decref(b);
    b = obj("{\"arrangement_id\": \"\"}");
    ck_assert_int_eq(srv_body_ebra_offer(b, &rs, &o), -1);
    refused(&rs, "arrangement_id: expected a non-empty string");
    json_decref(b);
    b = obj("{\"arrangement_id\": \"E9\", \"aco_id\": \"A0001\", \"npi\": \"1234567893\","
            " \"tin\": \"123456789\", \"template_id\": \"t\", \"start_date\": \"2027-01-01\","
            " \"savings_share_bps\": 100001}");
    ck_assert_int_eq(srv_body_ebra_offer(b, &rs, &o), -1);
    refused(&rs, "savings_share_bps: expected an integer number of basis points");
    json_decref(b);
}
END_TEST

START_TEST(test_ebra_end)
{
    srv_resp rs = {0};
    srv_ebra_end e;
    json_t *b = obj("{\"end_date\": \"2027-06-30\", \"by\": \"provider\"}");
    ck_assert_int_eq(srv_body_ebra_end(b, &rs, &e), 0);
    ck_assert_str_eq(e.end_date, "2027-06-30");
    ck_assert_str_eq(e.by, "provider");
    json_decref(b);
    b = obj("{\"by\": \"aco\"}");
    ck_assert_int_eq(srv_body_ebra_end(b, &rs, &e), -1);
    refused(&rs, "end_date is required");
    json_decref(b);
    b = obj("{\"end_date\": \"2027-06-30\", \"by\": \"cms\"}");
    ck_assert_int_eq(srv_body_ebra_end(b, &rs, &e), -1);
    refused(&rs, "by: \"cms\" is not aco or provider");
    json_decref(b);
}
END_TEST

START_TEST(test_rollback)
{
    srv_resp rs = {0};
    srv_rollback_body r;
    json_t *b = obj("{\"run\": 3}");
    ck_assert_int_eq(srv_body_rollback(b, "falls_prevention", &rs, &r), 0);
    ck_assert_int_eq(r.run, 3);
    ck_assert_ptr_null(r.version);
    json_decref(b);
    b = obj("{\"version\": \"1.0.0\", \"sha256\": \"ab\"}");
    ck_assert_int_eq(srv_body_rollback(b, "falls_prevention", &rs, &r), 0);
    ck_assert_int_eq(r.run, 0);
    ck_assert_str_eq(r.sha256, "ab");
    json_decref(b);
    static const char *const bad[] = {"{}", "{\"run\": 0}", "{\"run\": \"3\"}", "{\"version\": 1}"};
    for (size_t i = 0; i < 4; i++) {
        b = obj(bad[i]);
        ck_assert_int_eq(srv_body_rollback(b, "falls_prevention", &rs, &r), -1);
        refused(&rs, "GET /v1/templates/falls_prevention/history lists them");
        json_decref(b);
    }
}
END_TEST

START_TEST(test_try)
{
    srv_resp rs = {0};
    srv_try_body t;
    json_t *b = obj("{\"template\": \"falls_prevention\", \"episodes\": [\"EP1\"], \"run\": 2,"
                    " \"savings\": \"function target() end\"}");
    ck_assert_int_eq(srv_body_try(b, &rs, &t), 0);
    ck_assert_str_eq(t.template_id, "falls_prevention");
    ck_assert_ptr_null(t.posted[0]);
    ck_assert_str_eq(json_string_value(t.posted[1]), "function target() end");
    ck_assert_uint_eq(json_array_size(t.episodes), 1);
    ck_assert_int_eq(t.run, 2);
    json_decref(b);
    static const struct {
        const char *body, *msg;
    } bad[] = {
        {"{\"episodes\": [\"EP1\"]}", "template: a template id (string) is required"},
        {"{\"template\": \"t\", \"attribution\": 1, \"episodes\": [\"EP1\"]}", "attribution: expected Lua"},
        {"{\"template\": \"t\", \"episodes\": []}", "episodes: expected an array of 1 to 50"},
        {"{\"template\": \"t\", \"episodes\": [\"EP1\", 2]}", "every element must be an episode id"},
        {"{\"template\": \"t\", \"episodes\": [\"EP1\"], \"run\": -1}", "run: expected a run id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b = obj(bad[i].body);
        ck_assert_int_eq(srv_body_try(b, &rs, &t), -1);
        refused(&rs, bad[i].msg);
        json_decref(b);
    }
    /* 51 episodes: one more than the limit */
    json_t *eps = json_array();
    for (int i = 0; i < SRV_TRY_MAX_EPISODES + 1; i++) json_array_append_new(eps, json_string("E"));
    b = json_pack("{s:s, s:o}", "template", "t", "episodes", eps);
    ck_assert_int_eq(srv_body_try(b, &rs, &t), -1);
    refused(&rs, "episodes: expected an array of 1 to 50");
    json_decref(b);
}
END_TEST

START_TEST(test_run)
{
    srv_resp rs = {0};
    srv_run_body r;
    json_t *b = obj("{}");
    ck_assert_int_eq(srv_body_run(b, &rs, &r), 0);
    ck_assert_ptr_null(r.template_id);
    ck_assert_int_eq(r.period, 0);
    json_decref(b);
    b = obj("{\"template\": \"falls_prevention\", \"period\": 2036}");
    ck_assert_int_eq(srv_body_run(b, &rs, &r), 0);
    ck_assert_str_eq(r.template_id, "falls_prevention");
    ck_assert_int_eq(r.period, 2036);
    json_decref(b);
    b = obj("{\"period\": 2037}");
    ck_assert_int_eq(srv_body_run(b, &rs, &r), -1);
    refused(&rs, "\"period\" must be a performance year 2027-2036");
    json_decref(b);
    b = obj("{\"template\": 7}");
    ck_assert_int_eq(srv_body_run(b, &rs, &r), -1);
    refused(&rs, "\"template\" must be a template id");
    json_decref(b);
    /* an interim run: as_of a date; not a date, a month 13 or a number is refused */
    b = obj("{\"as_of\": \"2027-06-30\"}");
    ck_assert_int_eq(srv_body_run(b, &rs, &r), 0);
    ck_assert_str_eq(r.as_of, "2027-06-30");
    json_decref(b);
    static const char *const bad_as_of[] = {"{\"as_of\": \"2027-13-01\"}",
                                            "{\"as_of\": \"2027-06-30T00:00\"}",
                                            "{\"as_of\": 20270630}", "{\"as_of\": \"\"}"};
    for (size_t i = 0; i < sizeof bad_as_of / sizeof bad_as_of[0]; i++) {
        b = obj(bad_as_of[i]);
        ck_assert_int_eq(srv_body_run(b, &rs, &r), -1);
        refused(&rs, "\"as_of\" must be a date YYYY-MM-DD");
        json_decref(b);
    }
}
END_TEST

Suite *suite_srv_bodies(void)
{
    Suite *s = suite_create("srv_bodies");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ebra_offer);
    tcase_add_test(tc, test_ebra_end);
    tcase_add_test(tc, test_rollback);
    tcase_add_test(tc, test_try);
    tcase_add_test(tc, test_run);
    suite_add_tcase(s, tc);
    return s;
}
