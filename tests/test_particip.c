/*
 * tests/test_particip.c: the participation lifecycle: every rule, every transition, the
 * audit log, answers as of a date, and a provider who moves from one ACO to another
 * in the middle of a year.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/particip.h"
#include "suites.h"

static char dir[64];
static particip_ctx p;
static char err[1024];

static const char *PT = "1234567893", *TIN = "123456789";

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-particip-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], e[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    memset(&p, 0, sizeof p);
    ck_assert_int_eq(store_open(path, STORE_CREATE, &p.s, e, sizeof e), 0);
    p.actor = "tester";
    p.episodes_dir = getenv("CARA_EPISODES");
    p.plugins_dir = getenv("CARA_PLUGINS");
    p.err = err;
    p.errlen = sizeof err;
    ck_assert_int_eq(particip_aco_add(&p, "A1", "Alpha", "global", 2027, 2036), 0);
    ck_assert_int_eq(particip_aco_add(&p, "A2", "Beta", "global", 2027, 2031), 0);
    ck_assert_int_eq(particip_aco_add(&p, "P1", "Pro", "professional", 2027, 2036), 0);
    ck_assert_int_eq(particip_provider_add(&p, PT, TIN, "Pat PT", "65"), 0);
}

static void teardown(void)
{
    store_close(p.s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static long long q(const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(store_db(p.s), sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static const particip_terms NONE = {{0}, 0};

static int offer(const char *id, const char *aco, const char *tmpl, const char *start, const char *end)
{
    return particip_ebra_offer(&p, id, aco, PT, TIN, tmpl, start, end, &NONE);
}

#define REFUSED(call, msg)                                                                  \
    do {                                                                                    \
        ck_assert_int_lt((call), 0);                                                        \
        ck_assert_msg(strstr(err, msg), "'%s' lacks '%s'", err, msg);                       \
    } while (0)

/* offered -> active -> ended; each step audited with before and after. */
START_TEST(test_lifecycle_and_audit)
{
    ck_assert_int_eq(offer("E1", "A1", "falls_prevention", "2027-01-01", NULL), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM arrangements WHERE status = 'offered'"), 1);
    ck_assert_int_eq(particip_ebra_accept(&p, "E1"), 0);
    ck_assert_int_eq(particip_ebra_end(&p, "E1", "2027-06-30", "provider"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM arrangements WHERE status = 'ended' AND end_date = '2027-06-30'"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM audit_log WHERE entity = 'ebra' AND entity_id = 'E1'"), 3);
    ck_assert_int_eq(q("SELECT count(*) FROM audit_log WHERE action = 'ebra.end.provider' AND actor = "
                       "'tester' AND effective = '2027-06-30' AND json_extract(before, '$.status') = "
                       "'active' AND json_extract(after, '$.status') = 'ended'"), 1);
    /* the audit log is append-only */
    char e[256];
    ck_assert_int_lt(store_exec(p.s, "DELETE FROM audit_log", e, sizeof e), 0);
    ck_assert_ptr_nonnull(strstr(e, "append-only"));
    ck_assert_int_lt(store_exec(p.s, "UPDATE audit_log SET actor = 'x'", e, sizeof e), 0);
    /* declined and terminated */
    ck_assert_int_eq(offer("E2", "A1", "functional_independence", "2027-01-01", NULL), 0);
    ck_assert_int_eq(particip_ebra_decline(&p, "E2"), 0);
    ck_assert_int_eq(offer("E3", "A1", "knee_arthroplasty", "2027-01-01", NULL), 0);
    ck_assert_int_eq(particip_ebra_accept(&p, "E3"), 0);
    ck_assert_int_eq(particip_ebra_terminate(&p, "E3", "2027-03-31"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM arrangements WHERE arrangement_id = 'E3' AND status = 'terminated'"), 1);
}
END_TEST

/* Invalid transitions are refused, naming the state. */
START_TEST(test_invalid_transitions)
{
    ck_assert_int_eq(offer("E1", "A1", "falls_prevention", "2027-01-01", NULL), 0);
    REFUSED(particip_ebra_end(&p, "E1", "2027-06-30", "aco"), "EBRA E1 is offered: it cannot be ended (only an active EBRA can)");
    REFUSED(particip_ebra_terminate(&p, "E1", "2027-06-30"), "cannot be terminated");
    ck_assert_int_eq(particip_ebra_accept(&p, "E1"), 0);
    REFUSED(particip_ebra_accept(&p, "E1"), "EBRA E1 is active: it cannot be accepted (only an offered EBRA can)");
    REFUSED(particip_ebra_decline(&p, "E1"), "cannot be declined");
    REFUSED(particip_ebra_end(&p, "E1", "2026-12-31", "aco"), "outside the model years");
    REFUSED(particip_ebra_end(&p, "E9", "2027-06-30", "aco"), "no EBRA \"E9\"");
    ck_assert_int_eq(particip_ebra_end(&p, "E1", "2027-06-30", "aco"), 0);
    REFUSED(particip_ebra_accept(&p, "E1"), "EBRA E1 is ended");
    REFUSED(offer("E1", "A1", "falls_prevention", "2028-01-01", NULL), "EBRA E1 already exists (ended)");
}
END_TEST

/* Each rule, with its message. */
START_TEST(test_rules)
{
    REFUSED(particip_provider_add(&p, "1093791627", TIN, "x", "65"), "NPI \"1093791627\" fails its check digit (expected 6");
    REFUSED(particip_provider_add(&p, PT, "071234567", "x", "65"), "TIN \"071234567\"");
    REFUSED(offer("E1", "P1", "falls_prevention", "2027-01-01", NULL),
            "ACO P1 is on the professional track; CARA arrangements are open only to ACOs on the global track");
    REFUSED(offer("E1", "A1", "falls_prevention", "2026-12-01", NULL), "start: 2026-12-01 is outside the model years");
    REFUSED(offer("E1", "A1", "falls_prevention", "2036-01-01", "2037-01-01"), "end: 2037-01-01 is outside the model years");
    REFUSED(offer("E1", "A2", "falls_prevention", "2032-01-01", NULL), "outside ACO A2's performance years (2027-2031)");
    REFUSED(offer("E1", "A1", "falls_prevention", "2027-05-01", "2027-04-01"), "end date 2027-04-01 is before the start date 2027-05-01");
    REFUSED(offer("E1", "A9", "falls_prevention", "2027-01-01", NULL), "no ACO \"A9\"");
    REFUSED(offer("E1", "A1", "no_such_template", "2027-01-01", NULL), "no template with id \"no_such_template\"");
    REFUSED(particip_ebra_offer(&p, "E1", "A1", "1993999998", TIN, "falls_prevention", "2027-01-01", NULL, &NONE),
            "1993999998/123456789 is not a registered Preferred Provider");
    particip_terms t = {{900, 0, 0, 0, 0}, 1};
    REFUSED(particip_ebra_offer(&p, "E1", "A1", PT, TIN, "falls_prevention", "2027-01-01", NULL, &t),
            "discount_bps 900 is outside template falls_prevention's bounds (-500 to 500)");
    particip_terms share = {{0, 10001, 0, 0, 0}, 2};
    REFUSED(particip_ebra_offer(&p, "E1", "A1", PT, TIN, "falls_prevention", "2027-01-01", NULL, &share),
            "savings_share_bps 10001 is above what the global track allows (10000)");
    particip_terms ok = {{-300, 8000, 6000, 500, 300}, 31};
    ck_assert_int_eq(particip_ebra_offer(&p, "E1", "A1", PT, TIN, "falls_prevention", "2027-01-01", NULL, &ok), 0);
    ck_assert_int_eq(q("SELECT discount_bps + savings_share_bps FROM arrangements"), -300 + 8000);
    /* nothing refused was written */
    ck_assert_int_eq(q("SELECT count(*) FROM arrangements"), 1);
    /* the eligible tracks are a setting */
    char e[256];
    ck_assert_int_eq(store_exec(p.s, "UPDATE settings SET value = 'global,professional' WHERE key = 'eligible_tracks'", e, sizeof e), 0);
    ck_assert_int_eq(offer("E2", "P1", "functional_independence", "2027-01-01", NULL), 0);
}
END_TEST

/* A provider moves from A1 to A2 in the middle of 2027: overlapping is refused, the
 * move works once A1's EBRA ends, and "as of" answers follow the dates. */
START_TEST(test_move_between_acos)
{
    ck_assert_int_eq(offer("E1", "A1", "falls_prevention", "2027-01-01", NULL), 0);
    ck_assert_int_eq(particip_ebra_accept(&p, "E1"), 0);
    REFUSED(offer("E2", "A2", "falls_prevention", "2027-07-01", NULL),
            "provider 1234567893 is already in EBRA E1 with ACO A1 (2027-01-01 to open, active) for falls_prevention");
    /* another template with A2 is fine at the same time */
    ck_assert_int_eq(offer("E3", "A2", "functional_independence", "2027-07-01", NULL), 0);
    ck_assert_int_eq(particip_ebra_end(&p, "E1", "2027-06-30", "provider"), 0);
    REFUSED(offer("E2", "A2", "falls_prevention", "2027-06-30", NULL), "already in EBRA E1 with ACO A1 (2027-01-01 to 2027-06-30, ended)");
    ck_assert_int_eq(offer("E2", "A2", "falls_prevention", "2027-07-01", NULL), 0);
    ck_assert_int_eq(particip_ebra_accept(&p, "E2"), 0);
    /* as of a date: in force = active, ended or terminated, and the date inside its span */
    static const char in_force[] =
        "SELECT group_concat(aco_id) FROM arrangements WHERE template_id = 'falls_prevention' AND "
        "status IN ('active', 'ended', 'terminated') AND start_date <= '%s' AND "
        "COALESCE(end_date, '9999-12-31') >= '%s'";
    char sqlq[512];
    sqlite3_stmt *st;
    const char *dates[] = {"2027-03-15", "2027-06-30", "2027-07-01", "2028-01-01"};
    const char *want[] = {"A1", "A1", "A2", "A2"};
    for (int i = 0; i < 4; i++) {
        snprintf(sqlq, sizeof sqlq, in_force, dates[i], dates[i]);
        ck_assert_int_eq(sqlite3_prepare_v2(store_db(p.s), sqlq, -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), want[i]);
        sqlite3_finalize(st);
    }
    /* re-joining A1 later is a new EBRA */
    REFUSED(offer("E4", "A1", "falls_prevention", "2028-01-01", NULL), "already in EBRA E2 with ACO A2");
    ck_assert_int_eq(particip_ebra_end(&p, "E2", "2027-12-31", "aco"), 0);
    ck_assert_int_eq(offer("E4", "A1", "falls_prevention", "2028-01-01", NULL), 0);
}
END_TEST

/* Participant TINs: effective-dated, one ACO at a time, ended on a date. */
START_TEST(test_tins)
{
    ck_assert_int_eq(particip_tin_add(&p, "A1", TIN, "2027-01-01", NULL), 0);
    REFUSED(particip_tin_add(&p, "A2", TIN, "2027-03-01", NULL), "TIN 123456789 is already a participant of A1");
    REFUSED(particip_tin_add(&p, "A1", "001234567", "2027-01-01", NULL), "TIN \"001234567\"");
    ck_assert_int_eq(particip_tin_end(&p, "A1", TIN, "2027-02-28"), 0);
    ck_assert_int_eq(particip_tin_add(&p, "A2", TIN, "2027-03-01", NULL), 0); /* a mid-year addition */
    REFUSED(particip_tin_end(&p, "A1", TIN, "2027-06-30"), "TIN 123456789 has no open participation in ACO A1");
    ck_assert_int_eq(q("SELECT count(*) FROM audit_log WHERE entity = 'tin'"), 3);
}
END_TEST

Suite *suite_particip(void)
{
    Suite *s = suite_create("particip");
    TCase *tc = tcase_create("particip");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_lifecycle_and_audit);
    tcase_add_test(tc, test_invalid_transitions);
    tcase_add_test(tc, test_rules);
    tcase_add_test(tc, test_move_between_acos);
    tcase_add_test(tc, test_tins);
    suite_add_tcase(s, tc);
    return s;
}
