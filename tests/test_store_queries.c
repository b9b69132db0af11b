/*
 * tests/test_store_queries.c: the store's shared readers (store/runs_q.h, tokens.h,
 * episodes_q.h, store_rows.h, report.h's report_each and episode pages, claims_q.h,
 * diff_q.h) on a tiny hand-made database: three runs (1 done with two
 * episodes and two components, 2 failed with a message, 3 abandoned), two tokens (one
 * revoked), one beneficiary's claims with lines in and out of an episode's window.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static char path[128];
static store *db;

static const char FIXTURE[] =
    "INSERT INTO runs (run_id, started_at, finished_at, status, period, template_filter, "
    "  episodes_dir, as_of_date, beneficiaries, claim_lines, inputs, message) VALUES "
    " (1, '2027-01-01T00:00:00Z', '2027-01-01T00:05:00Z', 'done', NULL, NULL, 'eps', "
    "  '2027-12-31', 1, 3, '{\"warnings\":[]}', NULL),"
    " (2, '2027-01-02T00:00:00Z', '2027-01-02T00:01:00Z', 'failed', 2027, 'tka', 'eps', "
    "  NULL, 0, 0, '{}', 'boom');"
    "INSERT INTO runs (run_id, started_at, status, episodes_dir, lease_pid, lease_host, "
    "  heartbeat_at, abandoned_at, replay_of) VALUES (3, '2027-01-03T00:00:00Z', 'failed', "
    "  'eps', 4242, 'h1', '2027-01-03T00:00:05Z', '2027-01-03T00:10:00Z', 1);"
    "INSERT INTO run_episode_rows (run_id, episode_id, person_id, template_id, template_version, "
    "  trigger_type, trigger_date, end_date, actual_cents, status) VALUES "
    " (1, 'tka:P1:2027-03-01', 'P1', 'tka', '1.0.0', 'B', '2027-03-01', '2027-05-29', 1500, 'final'),"
    " (1, 'tka:P1:2027-09-01', 'P1', 'tka', '1.0.0', 'B', '2027-09-01', '2027-11-29', 0, 'interim');"
    "INSERT INTO run_components (run_id, kind, name, version, path, sha256) VALUES "
    " (1, 'template', 'tka', '1.0.0', 'tka/template.json', 'aa'),"
    " (1, 'plugin', 'bundled', '2', 'plugins/bundled.so', 'bb');"
    "INSERT INTO run_leakage_rows (run_id, episode_id, aco_id, npi, tin, lines, paid_cents) VALUES "
    " (1, 'tka:P1:2027-03-01', NULL, '1000000004', '123456789', 1, 700),"
    " (1, 'tka:P1:2027-03-01', 'A1', '1000000012', '123456789', 2, 900);"
    "INSERT INTO api_tokens (token_id, sha256, role, scope_id, label, created_at, created_by, "
    "  revoked_at) VALUES ('aaaaaaaaaaaa', 'h1', 'cms', '', 'ops', '2027-01-01T00:00:00Z', 'me', NULL),"
    " ('bbbbbbbbbbbb', 'h2', 'aco', 'A0001', '', '2027-01-02T00:00:00Z', 'me', '2027-02-01T00:00:00Z');"
    /* C1: a line in the first window (2027-03-10) and one after it; C2 before the window;
     * C3 institutional: placed by admission (2027-04-01) whatever its line date */
    "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date, "
    "  admission_date, paid_cents) VALUES "
    " ('C1', 'professional', 'P1', '2027-03-10', '2027-06-30', NULL, 300),"
    " ('C2', 'professional', 'P1', '2027-01-05', '2027-01-05', NULL, 50),"
    " ('C3', 'institutional', 'P1', '2027-03-31', '2027-04-05', '2027-04-01', 9000);"
    "INSERT INTO claim_lines (claim_id, claim_line_number, claim_line_start_date, paid_cents, "
    "  allowed_cents) VALUES ('C1', 1, '2027-03-10', 100, 120), ('C1', 2, '2027-06-30', 200, 220),"
    " ('C2', 1, '2027-01-05', 50, 60), ('C3', 1, '2027-12-01', 9000, 9500);";

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-sq-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    char err[512];
    ck_assert_int_eq(store_open(path, STORE_CREATE, &db, err, sizeof err), 0);
    ck_assert_msg(store_exec(db, FIXTURE, err, sizeof err) == 0, "%s", err);
}

static void teardown(void)
{
    store_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Collects runs as "id status period episodes|" text. */
static int collect(const runs_q_row *r, void *ud)
{
    char *buf = ud;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%lld %s %s %lld %lld|", (long long)r->run_id, r->status,
             r->has_period ? "p" : "-", (long long)r->n_episodes, (long long)r->n_arrangements);
    return 0;
}

static int stop_at_first(const runs_q_row *r, void *ud)
{
    (void)r;
    (*(int *)ud)++;
    return -ECANCELED;
}

START_TEST(test_runs_list)
{
    char buf[512] = "", err[256];
    /* ascending with counts: run 1 has the two episodes; run 3 is shown abandoned */
    ck_assert_int_eq(runs_q_list(db, RUNS_Q_COUNTS, 0, collect, buf, err, sizeof err), 3);
    ck_assert_str_eq(buf, "1 done - 2 0|2 failed p 0 0|3 abandoned - 0 0|");
    /* newest first, at most 2, no counts */
    buf[0] = '\0';
    ck_assert_int_eq(runs_q_list(db, RUNS_Q_NEWEST_FIRST, 2, collect, buf, err, sizeof err), 2);
    ck_assert_str_eq(buf, "3 abandoned - 0 0|2 failed p 0 0|");
    /* a callback's error stops the walk and is returned */
    int calls = 0;
    ck_assert_int_eq(runs_q_list(db, 0, 0, stop_at_first, &calls, err, sizeof err), -ECANCELED);
    ck_assert_int_eq(calls, 1);
}
END_TEST

static int to_json(const runs_q_row *r, void *ud)
{
    *(json_t **)ud = runs_q_row_json(r);
    return 0;
}

START_TEST(test_runs_get_json)
{
    char err[256];
    json_t *o = NULL;
    ck_assert_int_eq(runs_q_get(db, 3, 0, to_json, &o, err, sizeof err), 1);
    char *s = json_dumps(o, JSON_COMPACT);
    /* the API's keys in table order, no lease_pid / lease_host */
    ck_assert_str_eq(s, "{\"run_id\":3,\"started_at\":\"2027-01-03T00:00:00Z\",\"finished_at\":null,"
                        "\"status\":\"abandoned\",\"period\":null,\"template_filter\":null,"
                        "\"episodes_dir\":\"eps\",\"as_of_date\":null,\"beneficiaries\":0,"
                        "\"claim_lines\":0,\"inputs\":\"{}\",\"message\":null,\"replay_of\":1,"
                        "\"heartbeat_at\":\"2027-01-03T00:00:05Z\",\"abandoned_at\":"
                        "\"2027-01-03T00:10:00Z\",\"base_run_id\":null,\"recomputed\":null,"
                        "\"full_reason\":null,\"rows_base_run_id\":null,\"stored_beneficiaries\":null}");
    free(s);
    json_decref(o);
    o = NULL;
    ck_assert_int_eq(runs_q_get(db, 2, RUNS_Q_COUNTS, to_json, &o, err, sizeof err), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "period")), 2027);
    ck_assert_str_eq(json_string_value(json_object_get(o, "template_filter")), "tka");
    json_decref(o);
    o = NULL;
    ck_assert_int_eq(runs_q_get(db, 99, 0, to_json, &o, err, sizeof err), 0);
    ck_assert_ptr_null(o);
}
END_TEST

START_TEST(test_runs_status)
{
    char err[256];
    runs_q_status st;
    ck_assert_int_eq(runs_q_status_of(db, 2, &st, err, sizeof err), 1);
    ck_assert_int_eq(st.run_id, 2);
    ck_assert_str_eq(st.status, "failed");
    ck_assert_str_eq(st.message, "boom");
    runs_q_status_free(&st);
    /* the stored status, not the shown one: run 3 is 'failed' in the table */
    ck_assert_int_eq(runs_q_status_of(db, 3, &st, err, sizeof err), 1);
    ck_assert_str_eq(st.status, "failed");
    ck_assert_str_eq(st.message, ""); /* NULL message */
    runs_q_status_free(&st);
    ck_assert_int_eq(runs_q_status_of(db, 4, &st, err, sizeof err), 0);
    ck_assert_ptr_null(st.message);
    int64_t id = 0;
    ck_assert_int_eq(runs_q_latest_done(db, &id, err, sizeof err), 1);
    ck_assert_int_eq(id, 1);
    ck_assert_msg(store_exec(db, "UPDATE runs SET status = 'failed' WHERE run_id = 1", err,
                             sizeof err) == 0, "%s", err);
    ck_assert_int_eq(runs_q_latest_done(db, &id, err, sizeof err), 0);
}
END_TEST

static int add_component(const runs_q_component *k, void *ud)
{
    char *buf = ud;
    size_t n = strlen(buf);
    snprintf(buf + n, 256 - n, "%s/%s/%s/%s/%s|", k->kind, k->name, k->version, k->path, k->sha256);
    return 0;
}

START_TEST(test_runs_components)
{
    char buf[256] = "", err[256];
    /* by kind then name: plugin before template */
    ck_assert_int_eq(runs_q_components(db, 1, add_component, buf, err, sizeof err), 2);
    ck_assert_str_eq(buf, "plugin/bundled/2/plugins/bundled.so/bb|template/tka/1.0.0/tka/template.json/aa|");
    buf[0] = '\0';
    ck_assert_int_eq(runs_q_components(db, 2, add_component, buf, err, sizeof err), 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_tokens)
{
    char err[256];
    tokens_row t;
    ck_assert_int_eq(tokens_by_hash(db, "h2", &t, err, sizeof err), 1);
    ck_assert_str_eq(t.token_id, "bbbbbbbbbbbb");
    ck_assert_str_eq(t.role, "aco");
    ck_assert_str_eq(t.scope_id, "A0001");
    ck_assert_int_eq(t.revoked, 1);
    ck_assert_str_eq(t.revoked_at, "2027-02-01T00:00:00Z");
    ck_assert_int_eq(tokens_by_id(db, "aaaaaaaaaaaa", &t, err, sizeof err), 1);
    ck_assert_str_eq(t.role, "cms");
    ck_assert_str_eq(t.scope_id, "");
    ck_assert_int_eq(t.revoked, 0);
    ck_assert_str_eq(t.revoked_at, "");
    ck_assert_int_eq(tokens_by_hash(db, "nope", &t, err, sizeof err), 0);
    ck_assert_int_eq(tokens_by_id(db, "cccccccccccc", &t, err, sizeof err), 0);
}
END_TEST

/* Rows as "name=value,...|"; the header as "#name,...|". */
static int cells_text(const store_row *row, void *ud)
{
    char *buf = ud;
    size_t n = strlen(buf);
    if (!row->cells) {
        n += (size_t)snprintf(buf + n, 1024 - n, "#");
        for (int i = 0; i < row->n; i++)
            n += (size_t)snprintf(buf + n, 1024 - n, "%s%s", i ? "," : "", row->names[i]);
    } else {
        for (int i = 0; i < row->n; i++) {
            const store_cell *k = &row->cells[i];
            n += (size_t)snprintf(buf + n, 1024 - n, "%s%c:%s", i ? "," : "",
                                  k->type == STORE_CELL_NULL ? 'n' : k->type == STORE_CELL_INT ? 'i' : 't',
                                  k->text ? k->text : "");
        }
    }
    snprintf(buf + n, 1024 - n, "|");
    return 0;
}

START_TEST(test_tokens_list_rows)
{
    char buf[1024] = "", err[256];
    ck_assert_int_eq(tokens_list(db, cells_text, buf, err, sizeof err), 2);
    /* never the hash column; scope_id is shown as scope */
    ck_assert_str_eq(buf, "#token_id,role,scope,label,created_at,created_by,revoked_at|"
                          "t:aaaaaaaaaaaa,t:cms,t:,t:ops,t:2027-01-01T00:00:00Z,t:me,n:|"
                          "t:bbbbbbbbbbbb,t:aco,t:A0001,t:,t:2027-01-02T00:00:00Z,t:me,"
                          "t:2027-02-01T00:00:00Z|");
    /* a header even without rows; binds; a bad query is -EIO with SQLite's message */
    buf[0] = '\0';
    const char *b[1] = {"none"};
    ck_assert_int_eq(store_rows(db, "SELECT run_id, 1 + 1 AS two FROM runs WHERE status = ?1", 1,
                                b, cells_text, buf, err, sizeof err), 0);
    ck_assert_str_eq(buf, "#run_id,two|");
    ck_assert_int_eq(store_rows(db, "SELECT nope FROM runs", 0, NULL, cells_text, buf, err,
                                sizeof err), -EIO);
    ck_assert_str_eq(err, "no such column: nope");
}
END_TEST

START_TEST(test_episode_claims)
{
    char err[256];
    json_t *claims = NULL;
    /* window of the first episode: 2027-03-01 .. 2027-05-29 */
    ck_assert_msg(episodes_q_claims(db, "P1", "2027-03-01", "2027-05-29", &claims, err,
                                    sizeof err) == 0, "%s", err);
    /* C1 (line 1 on 2027-03-10) and C3 (institutional: admission 2027-04-01), by claim
     * start: C3 starts 2027-03-31 after C1's 2027-03-10; C2 (2027-01-05) is outside */
    ck_assert_int_eq(json_array_size(claims), 2);
    json_t *c1 = json_array_get(claims, 0), *c3 = json_array_get(claims, 1);
    ck_assert_str_eq(json_string_value(json_object_get(c1, "claim_id")), "C1");
    ck_assert_str_eq(json_string_value(json_object_get(c3, "claim_id")), "C3");
    ck_assert_int_eq(json_integer_value(json_object_get(c1, "paid_cents")), 300);
    ck_assert(json_is_null(json_object_get(c1, "admission_date")));
    /* only C1's line in the window (line 2 is 2027-06-30); C3's line by admission */
    json_t *l1 = json_object_get(c1, "lines"), *l3 = json_object_get(c3, "lines");
    ck_assert_int_eq(json_array_size(l1), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l1, 0), "claim_line_number")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l1, 0), "service_date")), "2027-03-10");
    ck_assert_int_eq(json_array_size(l3), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l3, 0), "service_date")), "2027-04-01");
    /* explicit columns: the claim's keys, in order, then "lines" */
    const char *first = json_object_iter_key(json_object_iter(c1));
    ck_assert_str_eq(first, "claim_id");
    ck_assert_int_eq(json_object_size(c1), 25);
    ck_assert_int_eq(json_object_size(json_array_get(l1, 0)), 17);
    json_decref(claims);
}
END_TEST

/* The lines unpacked in C give what the view gave, key for key and in order, over
 * windows that take every line, some, or none: with a denied line, a line without a
 * start date (placed by its claim's start), a detail amount, a text with an escape and
 * a replaced claim. */
START_TEST(test_episode_claims_as_view)
{
    char err[256];
    ck_assert_int_eq(store_exec(db,
        "INSERT INTO claims (claim_id, claim_type, person_id, claim_start_date, claim_end_date, "
        "  paid_cents, status) VALUES ('C4', 'professional', 'P1', '2027-03-20', '2027-03-22', 70, "
        "  'current'), ('C5', 'professional', 'P1', '2027-03-20', '2027-03-20', 5, 'replaced');"
        "INSERT INTO claim_lines (claim_id, claim_line_number, claim_line_start_date, "
        "  hcpcs_modifiers, paid_cents, allowed_cents, denied, detail_paid_cents) VALUES "
        "  ('C4', 1, NULL, 'G\"P', 30, 40, 0, 25), ('C4', 2, '2027-03-21', '', 40, 50, 1, NULL),"
        "  ('C4', 3, '2027-03-22', 'KX', 0, 0, 0, NULL), ('C5', 1, '2027-03-20', '', 5, 5, 0, NULL);",
        err, sizeof err), 0);
    const char *w[][2] = {{"2027-01-01", "2027-12-31"}, {"2027-03-01", "2027-05-29"},
                          {"2027-03-20", "2027-03-20"}, {"2027-03-21", "2027-03-21"},
                          {"2027-06-30", "2027-06-30"}, {"2028-01-01", "2028-12-31"}};
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
        json_t *got = NULL, *want = th_episode_claims_sql(db, "P1", w[k][0], w[k][1]);
        ck_assert_msg(episodes_q_claims(db, "P1", w[k][0], w[k][1], &got, err, sizeof err) == 0,
                      "%s", err);
        char *a = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER),
             *b = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
        ck_assert_str_eq(a, b);
        if (k == 2) /* C4's line 1 (no start: the claim's 2027-03-20) alone; C5 replaced */
            ck_assert_msg(strstr(a, "\"claim_id\":\"C4\",\"claim_line_number\":1,"
                                    "\"claim_line_start_date\":null") &&
                              !strstr(a, "\"C5\"") && !strstr(a, "\"claim_line_number\":2"),
                          "%s", a);
        if (k == 3) ck_assert_str_eq(a, "[]"); /* C4's line 2 is denied */
        free(a);
        free(b);
        json_decref(got);
        json_decref(want);
    }
    /* malformed packed lines: refused naming the claim and the byte */
    ck_assert_int_eq(store_exec(db, "UPDATE claims SET lines = '[[1,2]]' WHERE claim_id = 'C4'",
                                err, sizeof err), 0);
    json_t *got = NULL;
    ck_assert_int_eq(episodes_q_claims(db, "P1", "2027-01-01", "2027-12-31", &got, err,
                                       sizeof err), -EIO);
    ck_assert_msg(strstr(err, "claim \"C4\": claims.lines: byte "), "%s", err);
    ck_assert_ptr_null(got);
}
END_TEST

START_TEST(test_episode_leakage)
{
    char err[256];
    json_t *rows = NULL;
    ck_assert_int_eq(episodes_q_leakage(db, 1, "tka:P1:2027-03-01", &rows, err, sizeof err), 0);
    char *s = json_dumps(rows, JSON_COMPACT);
    /* by paid_cents descending: 900 then 700 */
    ck_assert_str_eq(s, "[{\"aco_id\":\"A1\",\"npi\":\"1000000012\",\"tin\":\"123456789\",\"lines\":2,"
                        "\"paid_cents\":900},{\"aco_id\":null,\"npi\":\"1000000004\",\"tin\":"
                        "\"123456789\",\"lines\":1,\"paid_cents\":700}]");
    free(s);
    json_decref(rows);
    ck_assert_int_eq(episodes_q_leakage(db, 2, "tka:P1:2027-03-01", &rows, err, sizeof err), 0);
    ck_assert_int_eq(json_array_size(rows), 0);
    json_decref(rows);
}
END_TEST

/* Counts rows and keeps the first column of each as "a,b,". */
typedef struct firsts {
    int header;
    char text[512];
} firsts;

static int first_col(const store_row *row, void *ud)
{
    firsts *x = ud;
    if (!row->cells) {
        x->header++;
        return 0;
    }
    size_t n = strlen(x->text);
    snprintf(x->text + n, sizeof x->text - n, "%s,", row->cells[0].text ? row->cells[0].text : "NULL");
    return 0;
}

START_TEST(test_report_episodes)
{
    char err[256];
    const report_filters none = {0};
    firsts x = {0};
    /* the episode report of run 1: both episodes, in the report's order */
    ck_assert_msg(report_each(db, report_find("episode"), 1, &none, first_col, &x, err,
                              sizeof err) == 2, "%s", err);
    ck_assert_int_eq(x.header, 1);
    ck_assert_str_eq(x.text, "tka:P1:2027-03-01,tka:P1:2027-09-01,");
    /* a page: status interim only -> 1 of the 2; limit 1 offset 0 of all -> total 2 */
    int64_t total = -1;
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(report_episode_page(db, 1, &none, "interim", NULL, 50, 0, &total, first_col,
                                         &x, err, sizeof err), 1);
    ck_assert_int_eq(total, 1);
    ck_assert_str_eq(x.text, "tka:P1:2027-09-01,");
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(report_episode_page(db, 1, &none, NULL, "P1", 1, 1, &total, first_col, &x,
                                         err, sizeof err), 1);
    ck_assert_int_eq(total, 2);
    ck_assert_str_eq(x.text, "tka:P1:2027-09-01,");
    /* one episode: found / not */
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(report_episode_one(db, 1, "tka:P1:2027-03-01", first_col, &x, err, sizeof err), 1);
    ck_assert_str_eq(x.text, "tka:P1:2027-03-01,");
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(report_episode_one(db, 2, "tka:P1:2027-03-01", first_col, &x, err, sizeof err), 0);
    ck_assert_int_eq(x.header, 1);
}
END_TEST

START_TEST(test_claims_list)
{
    char err[256];
    firsts x = {0};
    /* every claim of P1 by start date: C2 (01-05), C1 (03-10), C3 (03-31) */
    ck_assert_int_eq(claims_q_list(db, "P1", NULL, NULL, -1, first_col, &x, err, sizeof err), 3);
    ck_assert_str_eq(x.text, "C2,C1,C3,");
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(claims_q_list(db, NULL, "C3", NULL, -1, first_col, &x, err, sizeof err), 1);
    ck_assert_str_eq(x.text, "C3,");
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(claims_q_list(db, NULL, NULL, "denied", -1, first_col, &x, err, sizeof err), 0);
    ck_assert_int_eq(claims_q_list(db, NULL, NULL, NULL, 2, NULL, NULL, err, sizeof err), 2);
}
END_TEST

/* C1's line sums: lines 1 and 2 are priced (denied = 0): 100 + 200 paid, 120 + 220 allowed. */
static int c1_sums(const store_row *row, void *ud)
{
    if (!row->cells || strcmp(row->cells[CLAIMS_Q_CLAIM_ID].text, "C1")) return 0;
    ck_assert_int_eq(row->cells[CLAIMS_Q_PAID_CENTS].i, 300);
    ck_assert_int_eq(row->cells[CLAIMS_Q_ALLOWED_CENTS].i, 340);
    ck_assert_int_eq(row->cells[CLAIMS_Q_LINES].i, 2);
    ck_assert_int_eq(row->cells[CLAIMS_Q_DENIED_LINES].i, 0);
    ck_assert_int_eq(row->cells[CLAIMS_Q_CLAIM_PAID_CENTS].i, 300);
    ck_assert_int_eq(row->cells[CLAIMS_Q_LOAD_PATH].type, STORE_CELL_NULL);
    (*(int *)ud)++;
    return 0;
}

START_TEST(test_claims_sums)
{
    char err[256];
    int seen = 0;
    ck_assert_int_eq(claims_q_list(db, NULL, NULL, NULL, -1, c1_sums, &seen, err, sizeof err), 3);
    ck_assert_int_eq(seen, 1);
}
END_TEST

START_TEST(test_diff_sections)
{
    char err[256];
    firsts x = {0};
    /* run 1 against run 2 (no episodes): both episodes are absent in B */
    ck_assert_int_eq(diff_q_section(db, "attribution", 1, 2, first_col, &x, err, sizeof err), 2);
    ck_assert_str_eq(x.text, "tka:P1:2027-03-01,tka:P1:2027-09-01,");
    /* a run against itself: no attribution changes, one template row */
    ck_assert_int_eq(diff_q_section(db, "attribution", 1, 1, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(diff_q_section(db, "template", 1, 1, NULL, NULL, err, sizeof err), 1);
    ck_assert_int_eq(diff_q_section(db, "nope", 1, 2, NULL, NULL, err, sizeof err), -EINVAL);
    /* components: run 2 recorded none, so both of run 1's are "removed" */
    memset(&x, 0, sizeof x);
    ck_assert_int_eq(diff_q_components(db, 1, 2, first_col, &x, err, sizeof err), 2);
    ck_assert_str_eq(x.text, "plugin,template,");
}
END_TEST

Suite *suite_store_queries(void)
{
    Suite *s = suite_create("store_queries");
    TCase *tc = tcase_create("readers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_runs_list);
    tcase_add_test(tc, test_runs_get_json);
    tcase_add_test(tc, test_runs_status);
    tcase_add_test(tc, test_runs_components);
    tcase_add_test(tc, test_tokens);
    tcase_add_test(tc, test_tokens_list_rows);
    tcase_add_test(tc, test_episode_claims);
    tcase_add_test(tc, test_episode_claims_as_view);
    tcase_add_test(tc, test_episode_leakage);
    tcase_add_test(tc, test_report_episodes);
    tcase_add_test(tc, test_claims_list);
    tcase_add_test(tc, test_claims_sums);
    tcase_add_test(tc, test_diff_sections);
    suite_add_tcase(s, tc);
    return s;
}
