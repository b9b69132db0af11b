/*
 * tests/test_hardening.c: issue 14's regressions that need a whole run: a run killed
 * with kill -9 is shown as abandoned at the next `cara runs` (run leases, run_lease.h),
 * stale leases are told from live ones, and a run whose money sums would overflow fails
 * with a clear message instead of being marked done. The world is a small synthetic
 * dataset (200 beneficiaries, seed 3) built once by the real binary.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "store/run_lease.h"
#include "suites.h"

static char world[64];

static void build_world(void)
{
    th_tmpdir(world, "cara-hard");
    const char *bin = getenv("CARA_BIN"), *eps = getenv("CARA_EPISODES"), *pl = getenv("CARA_PLUGINS");
    ck_assert_msg(bin && eps && pl, "CARA_BIN, CARA_EPISODES, CARA_PLUGINS (run through make test)");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' synth --out D --beneficiaries 200 --seed 3 >/dev/null 2>&1 && "
             "'%s' --db w.db --episodes '%s' --plugins '%s' load D >/dev/null 2>&1",
             world, bin, bin, eps, pl);
    ck_assert_int_eq(th_sh(cmd), 0);
}

static void remove_world(void) { th_rmdir(world); }

/* A private copy of the loaded store as dir/t.db. */
static void copy_world(char dir[64])
{
    th_tmpdir(dir, "cara-hard-t");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp '%s/w.db' '%s/t.db'", world, dir);
    ck_assert_int_eq(th_sh(cmd), 0);
}

static char *out, *err;

static int cara(const char *dir, const char *env, const char *args)
{
    char full[1024];
    snprintf(full, sizeof full, "--db t.db --episodes '%s' --plugins '%s' %s",
             getenv("CARA_EPISODES"), getenv("CARA_PLUGINS"), args);
    return th_cara(dir, env, full, &out, &err);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* kill -9 in the middle of a run (CARA_TEST_RUN_DELAY_MS makes it sleep 100 ms per
 * beneficiary: about 20 s in all): before leases the run stayed `running` forever;
 * now the next `cara runs` marks it abandoned, and a later run is done. */
START_TEST(test_killed_run_abandoned)
{
    char dir[64];
    copy_world(dir);
    char path[128];
    /* the run, forked and waited for here (not through a shell, so that the pid is
     * cara's and the killed process is reaped at once) */
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        if (chdir(dir) < 0) _exit(127);
        FILE *o = freopen("bg.out", "w", stdout), *e2 = freopen("bg.err", "w", stderr);
        (void)o, (void)e2;
        setenv("CARA_TEST_RUN_DELAY_MS", "100", 1);
        execl(getenv("CARA_BIN"), "cara", "--db", "t.db", "--episodes", getenv("CARA_EPISODES"),
              "--plugins", getenv("CARA_PLUGINS"), "run", (char *)NULL);
        _exit(127);
    }
    snprintf(path, sizeof path, "%s/t.db", dir);
    /* wait (at most 30 s) for the run's row with its lease */
    long long pid = -1;
    for (int i = 0; i < 300 && pid <= 0; i++) {
        sleep_ms(100);
        store *db;
        char e[256];
        if (store_open(path, 0, &db, e, sizeof e) < 0) continue;
        pid = th_q(db, "SELECT lease_pid FROM runs WHERE status = 'running' AND lease_pid IS NOT NULL");
        store_close(db);
    }
    ck_assert_msg(pid > 0, "the run never showed a lease");
    ck_assert_int_eq(pid, child); /* the lease names the run's own process */
    ck_assert_int_eq(kill(child, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    ck_assert_int_eq(cara(dir, "", "runs --format json"), 0);
    ck_assert_msg(strstr(out, "\"status\":\"abandoned\""), "%s", out);
    ck_assert_msg(strstr(out, "abandoned: process"), "%s", out);
    ck_assert_msg(strstr(out, "found by cara runs"), "%s", out);
    ck_assert_int_eq(cara(dir, "", "runs"), 0);
    ck_assert_msg(strstr(out, "abandoned"), "%s", out);
    /* the store says so too: failed, with abandoned_at */
    store *db;
    char e[256];
    ck_assert_int_eq(store_open(path, 0, &db, e, sizeof e), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM runs WHERE status = 'failed' AND abandoned_at IS NOT NULL"), 1);
    store_close(db);
    /* a later run is done; the abandoned one stays abandoned */
    ck_assert_msg(cara(dir, "", "run") == 0, "%s", err);
    ck_assert_int_eq(cara(dir, "", "runs --format json"), 0);
    ck_assert_msg(strstr(out, "\"status\":\"abandoned\""), "%s", out);
    ck_assert_msg(strstr(out, "\"status\":\"done\""), "%s", out);
    th_rmdir(dir);
}
END_TEST

/* run_lease_reap on hand-made rows: a dead process on this host and a silent lease on
 * another host (heartbeat 10 minutes old) are abandoned; this process's fresh lease and
 * another host's fresh lease stay running; finished runs are untouched. */
START_TEST(test_reap_rules)
{
    char dir[64];
    store *db;
    th_tmpdir_store(dir, "cara-lease", &db);
    char host[256];
    gethostname(host, sizeof host);
    host[255] = '\0';
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO runs (run_id, started_at, status, episodes_dir, lease_pid, lease_host, "
             "heartbeat_at) VALUES "
             "(1, '2026-01-01T00:00:00Z', 'running', 'e', 2147483647, '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')),"
             "(2, '2026-01-01T00:00:00Z', 'running', 'e', 42, 'elsewhere', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now', '-600 seconds')),"
             "(3, '2026-01-01T00:00:00Z', 'running', 'e', %d, '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')),"
             "(4, '2026-01-01T00:00:00Z', 'running', 'e', 42, 'elsewhere', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')),"
             "(5, '2026-01-01T00:00:00Z', 'done', 'e', 2147483647, '%s', '2026-01-01T00:00:00Z')",
             host, (int)getpid(), host, host);
    char e[512];
    ck_assert_msg(store_exec(db, sql, e, sizeof e) == 0, "%s", e);
    int n = -1;
    ck_assert_msg(run_lease_reap(db, "test", &n, e, sizeof e) == 0, "%s", e);
    ck_assert_int_eq(n, 2);
    char buf[256];
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(run_id) FROM (SELECT run_id FROM runs WHERE abandoned_at IS NOT NULL AND status = 'failed' ORDER BY run_id)", buf), "1,2");
    ck_assert_str_eq(th_qs(db, "SELECT group_concat(run_id) FROM (SELECT run_id FROM runs WHERE status = 'running' ORDER BY run_id)", buf), "3,4");
    ck_assert_ptr_nonnull(strstr(th_qs(db, "SELECT message FROM runs WHERE run_id = 1", buf), "process 2147483647 on this host stopped"));
    ck_assert_ptr_nonnull(strstr(th_qs(db, "SELECT message FROM runs WHERE run_id = 2", buf), "no heartbeat for 6"));
    ck_assert_str_eq(th_qs(db, "SELECT " RUN_LEASE_STATUS_SQL("r") " FROM runs r WHERE run_id = 2", buf), "abandoned");
    /* a second pass finds nothing new */
    ck_assert_int_eq(run_lease_reap(db, "test", &n, e, sizeof e), 0);
    ck_assert_int_eq(n, 0);
    /* the API's rows: status abandoned, no pid or host */
    json_t *rows = json_pack("[{s:s, s:s, s:i, s:s}]", "status", "failed", "abandoned_at",
                             "2026-01-01T00:00:00Z", "lease_pid", 7, "lease_host", "h");
    run_lease_json_rows(rows);
    json_t *r0 = json_array_get(rows, 0);
    ck_assert_str_eq(json_string_value(json_object_get(r0, "status")), "abandoned");
    ck_assert_ptr_null(json_object_get(r0, "lease_pid"));
    ck_assert_ptr_null(json_object_get(r0, "lease_host"));
    json_decref(rows);
    store_close(db);
    th_rmdir(dir);
}
END_TEST

/* Change the world's claim lines with `update` (bypassing the load bound, as a store
 * written by an older cara could hold), run: the run fails with `msg` in its error and
 * keeps nothing. */
static void run_fails_after(const char *update, const char *msg)
{
    char dir[64];
    copy_world(dir);
    char path[128], e[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    store *db;
    ck_assert_int_eq(store_open(path, 0, &db, e, sizeof e), 0);
    ck_assert_int_eq(store_exec(db, update, e, sizeof e), 0);
    store_close(db);
    ck_assert_int_eq(cara(dir, "", "run"), 1);
    ck_assert_msg(strstr(err, msg), "%s", err);
    ck_assert_int_eq(store_open(path, 0, &db, e, sizeof e), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 0);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM runs WHERE status = 'failed'"), 1);
    ck_assert_int_eq(th_q(db, "SELECT count(*) FROM run_episodes"), 0);
    store_close(db);
    th_rmdir(dir);
}

/* The money overflow through a whole run: lines of INT64_MAX cents used to sum to a
 * negative episode in a run marked done; now the run fails naming the episode. */
START_TEST(test_overflow_fails_run)
{
    run_fails_after("UPDATE claim_lines SET paid_cents = 9223372036854775807",
                    "sum beyond the int64 cents range");
}
END_TEST

/* Under the per-amount bound, but beyond what reconcile()'s rate products keep inside
 * int64: lines of $60,000,000.00 sum, over E1's episodes, far past $100,000,000.00 of
 * winsorized actual in 2027; the run fails naming the arrangement, the sum and the bound
 * (before, reconcile() ran on it). */
START_TEST(test_reconcile_bound)
{
    run_fails_after("UPDATE claim_lines SET paid_cents = 6000000000",
                    "beyond the reconciliation bound of 100000000.00 per arrangement and year");
}
END_TEST

/* Silently accepted before: an arrangement on a template the episodes folder does not
 * hold, and claims of a beneficiary with no eligibility. Now each is a run warning,
 * printed, counted and stored with the run (inputs.warnings). */
START_TEST(test_run_data_warnings)
{
    char dir[64];
    copy_world(dir);
    char path[128], e[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    store *db;
    ck_assert_int_eq(store_open(path, 0, &db, e, sizeof e), 0);
    ck_assert_msg(store_exec(db,
                             "UPDATE arrangements SET template_id = 'no_such_template' WHERE "
                             "arrangement_id = (SELECT min(arrangement_id) FROM arrangements);"
                             "DELETE FROM alignment WHERE person_id = (SELECT min(person_id) FROM claims);"
                             "DELETE FROM eligibility WHERE person_id = (SELECT min(person_id) FROM claims);",
                             e, sizeof e) == 0, "%s", e);
    char first[256], arr[256];
    th_qs(db, "SELECT min(person_id) FROM claims", first);
    th_qs(db, "SELECT arrangement_id FROM arrangements WHERE template_id = 'no_such_template'", arr);
    store_close(db);
    ck_assert_msg(cara(dir, "", "run") == 0, "%s", err);
    char want[512];
    snprintf(want, sizeof want, "warning: arrangement %s: template_id \"no_such_template\" is no "
             "template of", arr);
    ck_assert_msg(strstr(err, want), "%s", err);
    snprintf(want, sizeof want, "warning: unknown beneficiaries: 1 with claims but no eligibility (%s)", first);
    ck_assert_msg(strstr(err, want), "%s", err);
    ck_assert_int_eq(cara(dir, "", "runs --format json"), 0);
    ck_assert_msg(strstr(out, "no_such_template") && strstr(out, "unknown beneficiaries"), "%s", out);
    th_rmdir(dir);
}
END_TEST

Suite *suite_hardening(void)
{
    Suite *s = suite_create("hardening");
    TCase *tc = tcase_create("runs");
    tcase_add_unchecked_fixture(tc, build_world, remove_world);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_killed_run_abandoned);
    tcase_add_test(tc, test_reap_rules);
    tcase_add_test(tc, test_overflow_fails_run);
    tcase_add_test(tc, test_reconcile_bound);
    tcase_add_test(tc, test_run_data_warnings);
    suite_add_tcase(s, tc);
    return s;
}
