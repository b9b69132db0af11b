/*
 * tests/test_adt_proc.c: hospital ADT messages taken into the store (engine/adt_proc.h,
 * store/adt_w.h, adt_q.h) on the hand-made world of tests/fixtures/adt: one ACO (A1,
 * global), one EBRA (E1: NPI 1234567893 / TIN 123456789, falls prevention, from
 * 2027-01-01, no discount), beneficiaries 1A00A00AA01..12, three claims (an ED fall of
 * AA01 on 2027-03-10 with 3288F on 2027-03-14, an ED fall of AA02 on 2027-04-02), and 21
 * messages (tests/fixtures/adt/messages.hl7, their fields checked with python3-hl7 when
 * the file was written: PV1-19 the visit, PV1-44 the admit time).
 *
 * Targets by hand (docs/methodology.md section 4: round half away after each step; no
 * claims in any 180-day lookback, so 0 HCCs, factor 0.8500; non-dual):
 *   AA01, ED fall 2027-03-10 (trigger B, 320000): x1.03 = 329600, x1.03 = 339488,
 *     age 76 (born 1950-06-15) x1.08 = 366647.04 -> 366647, x0.85 = 311649.95 -> 311650.
 *   AA02, 2027-04-01, age 70 (x1.0000): 339488 x 0.85 = 288564.8 -> 288565.
 *   AA06, ED fall 2026-06-01: one trend year, 329600 x 0.85 = 280160.
 *   AA08, inpatient discharge 2027-06-05, day 0 2027-06-06: falls C 1500000 -> 1545000
 *     -> 1591350 x 0.85 = 1352647.5 -> 1352648; functional independence A 1400000 ->
 *     1442000 -> 1485260 x 0.85 = 1262471.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "helpers.h"
#include "suites.h"

static char dir[64];
static store *db;
static adt_proc *proc;
static char *out, *errb;
static char err[1024];

#define MAX_MSG 32
static char *msgs[MAX_MSG];
static size_t lens[MAX_MSG], n_msgs;
static adt_result res[MAX_MSG];
static char acks[MAX_MSG][4096];

/* The fixture's messages: blocks separated by a blank line, segments made \r-ended. */
static void read_messages(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/adt", getenv("CARA_SRC"));
    char *text = th_slurp(path, "messages.hl7");
    n_msgs = 0;
    for (char *p = text; *p && n_msgs < MAX_MSG;) {
        char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && p[n - 1] == '\n') n--;
        msgs[n_msgs] = malloc(n + 2);
        memcpy(msgs[n_msgs], p, n);
        msgs[n_msgs][n] = '\r';
        msgs[n_msgs][n + 1] = 0;
        for (size_t i = 0; i < n; i++)
            if (msgs[n_msgs][i] == '\n') msgs[n_msgs][i] = '\r';
        lens[n_msgs++] = n + 1;
        if (!end) break;
        p = end + 2;
    }
    free(text);
}

/* Take message i (0-based) in its own transaction. */
static void take(size_t i)
{
    size_t acklen;
    char ctl[16];
    snprintf(ctl, sizeof ctl, "T%zu", i);
    ck_assert_int_eq(store_begin(db, err, sizeof err), 0);
    int rc = adt_proc_take(proc, msgs[i], lens[i], ctl, acks[i], sizeof acks[i], &acklen, &res[i],
                           err, sizeof err);
    ck_assert_msg(rc == 0, "message %zu: %s", i + 1, err);
    ck_assert_int_eq(store_commit(db, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(acks[i]), acklen);
}

static void setup(void)
{
    th_scratch_setup(dir, sizeof dir, "adt", &out, &errb);
    char args[600];
    snprintf(args, sizeof args, "--db t.db load '%s/tests/fixtures/adt'", getenv("CARA_SRC"));
    ck_assert_msg(th_cara(dir, "", args, &out, &errb) == 0, "%s", errb);
    char path[128];
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_int_eq(store_open(path, 0, &db, err, sizeof err), 0);
    ck_assert_msg(adt_proc_open(db, getenv("CARA_EPISODES"), getenv("CARA_PLUGINS"), NULL, &proc,
                                err, sizeof err) == 0, "%s", err);
    read_messages();
    for (size_t i = 0; i < n_msgs; i++) take(i);
}

static void teardown(void)
{
    adt_proc_close(proc);
    store_close(db);
    for (size_t i = 0; i < n_msgs; i++) free(msgs[i]);
    n_msgs = 0;
    th_scratch_teardown(dir, &out, &errb);
}

static const char *q(const char *sql)
{
    static char buf[256];
    return th_qs(db, sql, buf);
}

START_TEST(test_acks)
{
    ck_assert_uint_eq(n_msgs, 21);
    /* every message but the ORU (AR), the missing PV1-19 and the bad date (AE) */
    for (size_t i = 0; i < n_msgs; i++) {
        const char *want = i == 9 ? "AR" : (i == 10 || i == 11) ? "AE" : "AA";
        ck_assert_msg(!strcmp(res[i].ack, want), "message %zu: %s, expected %s (%s)", i + 1,
                      res[i].ack, want, res[i].e.message);
    }
    /* MSA-2 echoes MSH-10; the sender and receiver swap */
    ck_assert_ptr_nonnull(strstr(acks[0], "\rMSA|AA|M1\r"));
    ck_assert_ptr_eq(strstr(acks[0], "MSH|^~\\&|CARA|A1|EPIC|GENHOSP|"), acks[0]);
    ck_assert_ptr_nonnull(strstr(acks[0], "|ACK^A04^ACK|T0|P|2.5.1\r"));
    /* AE names the field: HL7 0357 code 101 (required field missing), PV1-19 */
    ck_assert_ptr_nonnull(strstr(acks[10], "\rMSA|AE|M10\r"));
    ck_assert_ptr_nonnull(strstr(acks[10], "|101^"));
    ck_assert_ptr_nonnull(strstr(acks[10], "^19|"));
    ck_assert_ptr_nonnull(strstr(acks[11], "|102^"));
    ck_assert_ptr_nonnull(strstr(acks[11], "20271340"));
    ck_assert_ptr_nonnull(strstr(acks[9], "\rMSA|AR|M9\r"));
    ck_assert_ptr_nonnull(strstr(acks[9], "|200^"));
    /* what was refused is kept, not the visit: 3 rejects, no visit V11 */
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM adt_rejects"), 3);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM adt_visits WHERE visit_number = 'V11'"), 0);
}
END_TEST

START_TEST(test_resend_stored_once)
{
    ck_assert(res[1].duplicate);
    ck_assert_int_eq(res[1].message_id, res[0].message_id);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM adt_messages WHERE control_id = 'M1'"), 1);
    /* the whole file again: every message a resend; nothing new but the refusals' log */
    long long msgs_before = th_q(db, "SELECT count(*) FROM adt_messages");
    long long tasks_before = th_q(db, "SELECT count(*) FROM care_tasks");
    for (size_t i = 0; i < n_msgs; i++) take(i);
    for (size_t i = 0; i < n_msgs; i++)
        if (!strcmp(res[i].ack, "AA")) ck_assert_msg(res[i].duplicate, "message %zu", i + 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM adt_messages"), msgs_before);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM care_tasks"), tasks_before);
}
END_TEST

START_TEST(test_ed_fall_opens_episode_and_tasks)
{
    ck_assert_int_eq(res[0].opened, 1);
    ck_assert_int_eq(res[0].tasks, 2);
    ck_assert_str_eq(q("SELECT template_id || ' ' || trigger_type || ' ' || day0 || ' ' || end_date "
                       "|| ' ' || arrangement_id || ' ' || npi || ' ' || attribution_method FROM "
                       "provisional_episodes WHERE person_id = '1A00A00AA01'"),
                     "falls_prevention B 2027-03-10 2027-09-05 E1 1234567893 attending");
    ck_assert_int_eq(th_q(db, "SELECT target_cents FROM provisional_episodes WHERE person_id = "
                              "'1A00A00AA01'"), 311650);
    ck_assert_int_eq(th_q(db, "SELECT target_cents FROM provisional_episodes WHERE person_id = "
                              "'1A00A00AA02'"), 288565);
    ck_assert_int_eq(th_q(db, "SELECT target_cents FROM provisional_episodes WHERE person_id = "
                              "'1A00A00AA06'"), 280160);
    /* the attending of AA02 has no EBRA: the ACO's care team */
    ck_assert_str_eq(q("SELECT attribution_method || ' ' || coalesce(npi, '-') FROM "
                       "provisional_episodes WHERE person_id = '1A00A00AA02'"), "care_team -");
    /* tasks: due 7 and 30 days after the ED visit, assigned to the specialist */
    ck_assert_str_eq(q("SELECT group_concat(kind || ' ' || due_date || ' ' || npi, ', ') FROM "
                       "(SELECT * FROM care_tasks WHERE person_id = '1A00A00AA01' ORDER BY task_id)"),
                     "falls_risk_assessment 2027-03-17 1234567893, "
                     "falls_plan_of_care 2027-04-09 1234567893");
}
END_TEST

START_TEST(test_task_status)
{
    adt_filter f = {.today = "2026-12-02", .limit = 100};
    json_t *rows;
    ck_assert_int_eq(adt_q_tasks(db, &f, &rows, err, sizeof err), 0);
    int done = 0, missed = 0, open = 0, cancelled = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *st = json_string_value(json_object_get(r, "status"));
        const char *who = json_string_value(json_object_get(r, "person_id"));
        if (!strcmp(st, "done")) {
            done++;
            /* closed by the 3288F line of 2027-03-14, before its due date 2027-03-17 */
            ck_assert_str_eq(who, "1A00A00AA01");
            ck_assert_str_eq(json_string_value(json_object_get(r, "done_by")), "claims");
            ck_assert_str_eq(json_string_value(json_object_get(r, "done_at")), "2027-03-14");
        }
        if (!strcmp(st, "missed")) {
            missed++;
            ck_assert_str_eq(who, "1A00A00AA06"); /* due 2026-06-08 and 2026-07-01 */
        }
        open += !strcmp(st, "open");
        cancelled += !strcmp(st, "cancelled");
    }
    json_decref(rows);
    /* AA01 2 (1 done), AA02 2, AA03 2, AA05 2, AA06 2 missed; cancelled: AA07 2 (A11),
     * AA08 3 (A13), AA12 2 (admitted) */
    ck_assert_int_eq(done, 1);
    ck_assert_int_eq(missed, 2);
    ck_assert_int_eq(open, 7);
    ck_assert_int_eq(cancelled, 7);
    /* scope: the specialist sees its two tasks only */
    adt_filter g = {.npi = "1234567893", .today = "2026-12-02", .limit = 100};
    ck_assert_int_eq(adt_q_tasks(db, &g, &rows, err, sizeof err), 0);
    ck_assert_uint_eq(json_array_size(rows), 2);
    json_decref(rows);
    /* closing a task by hand: once; a second time is refused with its status */
    char st[16];
    ck_assert_int_eq(adt_q_task_done(db, 2, "1234567893", NULL, "provider:1234567893", st,
                                     sizeof st, err, sizeof err), 1);
    ck_assert_int_eq(adt_q_task_done(db, 2, "1234567893", NULL, "x", st, sizeof st, err, sizeof err), 0);
    ck_assert_str_eq(st, "done");
    /* another specialist cannot close it */
    ck_assert_int_eq(adt_q_task_done(db, 3, "1993999998", NULL, "x", st, sizeof st, err, sizeof err), 0);
    ck_assert_str_eq(st, "");
}
END_TEST

START_TEST(test_unmatched_kept)
{
    ck_assert_int_eq(res[6].opened, 0); /* AA04 is not aligned on day 0 */
    ck_assert_ptr_nonnull(strstr(res[6].outcome, "not_aligned"));
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM adt_visits WHERE person_id IS NULL"), 2);
    ck_assert_str_eq(q("SELECT unmatched_reason FROM adt_visits WHERE visit_number = 'V9X'"),
                     "MBI 1A00A00AA09 is not a beneficiary in cara's data");
    ck_assert_str_eq(q("SELECT unmatched_reason FROM adt_visits WHERE visit_number = 'V8X'"),
                     "no PID-3 identifier of type MC");
    json_t *rows;
    ck_assert_int_eq(adt_q_unmatched(db, 10, &rows, err, sizeof err), 0);
    ck_assert_uint_eq(json_array_size(rows), 2);
    json_decref(rows);
}
END_TEST

START_TEST(test_cancels)
{
    /* A11 cancels the visit and its episode; A13 the discharge's two episodes; an A06
     * (to inpatient) the next day cancels the ED-and-released one */
    ck_assert_str_eq(q("SELECT status || ': ' || status_reason FROM provisional_episodes WHERE "
                       "person_id = '1A00A00AA07'"), "cancelled: the visit was cancelled (A11)");
    ck_assert_str_eq(q("SELECT status FROM adt_visits WHERE visit_number = 'V7'"), "cancelled");
    ck_assert_int_eq(res[15].opened, 2);
    ck_assert_int_eq(th_q(db, "SELECT target_cents FROM provisional_episodes WHERE trigger_id = "
                              "'fall_injury_discharge'"), 1352648);
    ck_assert_int_eq(th_q(db, "SELECT target_cents FROM provisional_episodes WHERE trigger_id = "
                              "'discharge_home'"), 1262471);
    ck_assert_str_eq(q("SELECT group_concat(day0 || ' ' || status, ', ') FROM provisional_episodes "
                       "WHERE person_id = '1A00A00AA08'"), "2027-06-06 cancelled, 2027-06-06 cancelled");
    ck_assert_str_eq(q("SELECT discharge_time IS NULL FROM adt_visits WHERE visit_number = 'V8'"), "1");
    ck_assert_int_eq(res[16].cancelled, 2);
    ck_assert_str_eq(q("SELECT status_reason FROM provisional_episodes WHERE person_id = "
                       "'1A00A00AA12'"), "admitted as an inpatient on 2027-07-02");
}
END_TEST

START_TEST(test_reregistration_reopens)
{
    /* V7 was registered (M12) and cancelled (M13); a new A04 for it (another control id)
     * reopens the same provisional episode and its two tasks */
    char *m = strdup(msgs[12]);
    char *at = strstr(m, "|M12|");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "|M9Z|", 5);
    free(msgs[12]);
    msgs[12] = m;
    take(12);
    ck_assert_str_eq(res[12].ack, "AA");
    ck_assert_int_eq(res[12].opened, 1);
    ck_assert_int_eq(res[12].tasks, 2);
    ck_assert_str_eq(q("SELECT status || ' ' || count(*) FROM provisional_episodes WHERE person_id = "
                       "'1A00A00AA07'"), "provisional 1");
    ck_assert_str_eq(q("SELECT group_concat(status, ' ') FROM care_tasks WHERE person_id = "
                       "'1A00A00AA07'"), "open open");
    ck_assert_str_eq(q("SELECT status FROM adt_visits WHERE visit_number = 'V7'"), "active");
}
END_TEST

START_TEST(test_merge)
{
    /* A40: the visit of MBI 1A00A00AA10 (unknown) now belongs to 1A00A00AA11 */
    ck_assert_str_eq(q("SELECT mbi || ' ' || person_id FROM adt_visits WHERE visit_number = 'V10'"),
                     "1A00A00AA11 1A00A00AA11");
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM adt_messages WHERE mbi = '1A00A00AA10'"), 0);
}
END_TEST

START_TEST(test_run_confirms)
{
    ck_assert_msg(th_cara(dir, "", "--db t.db run", &out, &errb) == 0, "%s", errb);
    /* AA01: the claims give the same B on 2027-03-10 -> confirmed; AA02's claim is a day
     * later -> changed; AA03 (2027-03-20) and AA06 (2026): no episode and the claims reach
     * 2027-04-02, past day 0 + 3 -> dropped; AA05 (2027-03-31 + 3 = 2027-04-03, after the
     * data) -> still provisional */
    ck_assert_str_eq(q("SELECT group_concat(person_id || ' ' || status, ', ') FROM (SELECT * FROM "
                       "provisional_episodes WHERE status <> 'cancelled' ORDER BY provisional_id)"),
                     "1A00A00AA01 confirmed, 1A00A00AA02 changed, 1A00A00AA03 dropped, "
                     "1A00A00AA05 provisional, 1A00A00AA06 dropped");
    ck_assert_str_eq(q("SELECT episode_id FROM provisional_episodes WHERE person_id = '1A00A00AA01'"),
                     "falls_prevention:1A00A00AA01:2027-03-10");
    /* precision: 1 confirmed of 4 decided = 2500 bps; recall: both claims episodes of
     * trigger B or C within the feed's dates had an event first = 10000 bps */
    json_t *rows;
    ck_assert_int_eq(adt_q_run_feed(db, 1, &rows, err, sizeof err), 0);
    json_t *r = json_array_get(rows, 0);
    ck_assert_str_eq(json_string_value(json_object_get(r, "template_id")), "falls_prevention");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "confirmed")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "changed")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "dropped")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "pending")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "claim_episodes")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "with_event")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "precision_bps")), 2500);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "recall_bps")), 10000);
    json_decref(rows);
    /* the provisional episode shows the claims' cost to date: AA01's ED claim, $500.00 */
    adt_filter f = {.person = "1A00A00AA01", .limit = 10};
    ck_assert_int_eq(adt_q_provisional(db, &f, &rows, err, sizeof err), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rows, 0), "cost_to_date_cents")),
                     50000);
    json_decref(rows);
}
END_TEST

/* ---- events.lua: a rule that decides, and hostile ones ------------------------------------ */

static char rdir[64];
static store *rdb;

/* A copy of the episodes whose ed_fall trigger calls events.lua's function `rule`. */
static adt_proc *rule_world(const char *rule, const char *lua)
{
    char cmd[1200], path[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/episodes' && cp -R '%s' '%s/episodes'", rdir,
             getenv("CARA_EPISODES"), rdir);
    ck_assert_int_eq(th_sh(cmd), 0);
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/template.json", rdir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    ck_assert_ptr_nonnull(root);
    json_object_set_new(json_array_get(json_object_get(root, "event_triggers"), 0), "rule",
                        json_string(rule));
    ck_assert_int_eq(json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
    json_decref(root);
    char *f = th_write(rdir, "episodes/falls_prevention/events.lua", lua);
    free(f);
    snprintf(path, sizeof path, "%s/episodes", rdir);
    adt_proc *p;
    rules_limits lim = {0};
    lim.instructions = 2000000; /* a small budget: the spin below ends fast */
    ck_assert_msg(adt_proc_open(rdb, path, getenv("CARA_PLUGINS"), &lim, &p, err, sizeof err) == 0,
                  "%s", err);
    return p;
}

static void rule_setup(void)
{
    th_scratch_setup(rdir, sizeof rdir, "adt-rule", &out, &errb);
    char args[600];
    snprintf(args, sizeof args, "--db t.db load '%s/tests/fixtures/adt'", getenv("CARA_SRC"));
    ck_assert_msg(th_cara(rdir, "", args, &out, &errb) == 0, "%s", errb);
    char path[128];
    snprintf(path, sizeof path, "%s/t.db", rdir);
    ck_assert_int_eq(store_open(path, 0, &rdb, err, sizeof err), 0);
    read_messages();
}

static void rule_teardown(void)
{
    store_close(rdb);
    for (size_t i = 0; i < n_msgs; i++) free(msgs[i]);
    n_msgs = 0;
    th_scratch_teardown(rdir, &out, &errb);
}

/* Take message i with processor p; its result. */
static adt_result rule_take(adt_proc *p, size_t i)
{
    adt_result r;
    char ack[4096];
    size_t n;
    ck_assert_int_eq(store_begin(rdb, err, sizeof err), 0);
    ck_assert_msg(adt_proc_take(p, msgs[i], lens[i], "R", ack, sizeof ack, &n, &r, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(store_commit(rdb, err, sizeof err), 0);
    return r;
}

START_TEST(test_rule_decides)
{
    /* only visits with an attending open an episode: AA01's (message 1, attending
     * 1234567893) and AA02's (message 3, 1528060837) do; AA03's (message 4, none) does not */
    adt_proc *p = rule_world("with_attending",
                             "function with_attending(event, trigger_id)\n"
                             "  return event.attending_npi ~= '' and trigger_id == 'ed_fall'\n"
                             "    and event.diagnoses[1] ~= nil\n"
                             "end\n");
    ck_assert_int_eq(rule_take(p, 0).opened, 1);
    ck_assert_int_eq(rule_take(p, 2).opened, 1);
    adt_result r = rule_take(p, 3);
    ck_assert_str_eq(r.ack, "AA");
    ck_assert_int_eq(r.opened, 0);
    adt_proc_close(p);
}
END_TEST

START_TEST(test_rule_hostile)
{
    /* an endless loop, a wrong result and a blocked library: the message is taken (AA),
     * no episode opens, the outcome says why; the process goes on */
    static const char *const rules[][2] = {
        {"spin", "function spin(e, t) while true do end end\n"},
        {"wrong", "function wrong(e, t) return 'yes' end\n"},
        {"peek", "function peek(e, t) return io.open('/etc/passwd') ~= nil end\n"},
        {"bomb", "function bomb(e, t) local s = 'x' for i = 1, 40 do s = s .. s end return true end\n"},
    };
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        adt_proc *p = rule_world(rules[k][0], rules[k][1]);
        adt_result r = rule_take(p, 0);
        ck_assert_str_eq(r.ack, "AA");
        ck_assert_int_eq(r.opened, 0);
        ck_assert_msg(strstr(r.outcome, "events.lua failed") != NULL, "%s: %s", rules[k][0], r.outcome);
        adt_proc_close(p);
        th_exec(rdb, "DELETE FROM adt_messages; DELETE FROM adt_visits");
    }
}
END_TEST

Suite *suite_adt_proc(void)
{
    Suite *s = suite_create("adt_proc");
    TCase *tc = tcase_create("fixture");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_acks);
    tcase_add_test(tc, test_resend_stored_once);
    tcase_add_test(tc, test_ed_fall_opens_episode_and_tasks);
    tcase_add_test(tc, test_task_status);
    tcase_add_test(tc, test_unmatched_kept);
    tcase_add_test(tc, test_cancels);
    tcase_add_test(tc, test_reregistration_reopens);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_run_confirms);
    suite_add_tcase(s, tc);
    TCase *rl = tcase_create("events_lua");
    tcase_add_checked_fixture(rl, rule_setup, rule_teardown);
    tcase_set_timeout(rl, 120);
    tcase_add_test(rl, test_rule_decides);
    tcase_add_test(rl, test_rule_hostile);
    suite_add_tcase(s, rl);
    return s;
}
