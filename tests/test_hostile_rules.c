/*
 * tests/test_hostile_rules.c: the adversarial suite for rules (issue 14, items 2, 3, 7, 9
 * and 15). Every hostile rule is run through the three ways a rule reaches cara:
 *
 *   - in process: the engine's rule calls (rule_attribute ... rule_reconcile of
 *     engine_internal.h) on a rule set opened over a copy of the shipped templates;
 *   - `cara run` on the hand-worked world of tests/fixtures/e2e;
 *   - `cara rules check` (time bombs at a file's top level) and `cara rules test`.
 *
 * Each case asserts the refusal (the error kind and the words naming the limit or the
 * shape) and that the process survives: the in-process state answers the next call, the
 * commands exit 1 (never 134 from an abort, never a hang) and the run is marked failed.
 * No case asserts a wall-clock time: the deadline tests set a deadline far below the
 * instruction limit and assert that the error is the deadline's.
 *
 * A hostile case is Lua appended to falls_prevention's attribution.lua or savings.lua:
 * a later `function attribute() ... end` replaces the shipped one.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_set.h"
#include "engine/engine_internal.h"
#include "catalog/episode.h"
#include "helpers.h"
#include "rules/rules_vm.h"
#include "suites.h"

static char dir[64];
static char *out_buf, *err_buf;

/* ---- the world --------------------------------------------------------------------- */

/* Once per test case (in the parent): the e2e world, loaded; the pristine rule files
 * kept as *.orig. */
static void world_setup(void)
{
    th_tmpdir(dir, "cara-hostile");
    th_e2e_world(dir);
    ck_assert_int_eq(th_cara(dir, "", "--db t.db --episodes episodes load data/base", &out_buf,
                             &err_buf), 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s/episodes/falls_prevention' && cp attribution.lua attribution.lua.orig && "
             "cp savings.lua savings.lua.orig",
             dir);
    ck_assert_int_eq(th_sh(cmd), 0);
}

static void world_teardown(void)
{
    th_rmdir(dir);
    free(out_buf);
    free(err_buf);
    out_buf = err_buf = NULL;
}

/* Restore the shipped rules, then append src to falls_prevention's `file`. */
static void plant(const char *file, const char *src)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s/episodes/falls_prevention' && cp attribution.lua.orig attribution.lua && "
             "cp savings.lua.orig savings.lua",
             dir);
    ck_assert_int_eq(th_sh(cmd), 0);
    if (!file) return;
    char path[256];
    snprintf(path, sizeof path, "%s/episodes/falls_prevention/%s", dir, file);
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "\n%s\n", src);
    fclose(f);
}

static int cara(const char *args)
{
    char full[1024];
    snprintf(full, sizeof full, "--db t.db --episodes episodes %s", args);
    return th_cara(dir, "", full, &out_buf, &err_buf);
}

/* The status of the newest run ("failed", "done"...), from `cara runs`. */
static const char *last_run_status(char buf[32])
{
    ck_assert_int_eq(cara("runs"), 0);
    const char *p = out_buf, *last = NULL;
    for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1)
        if (*p >= '0' && *p <= '9') last = p;
    ck_assert_ptr_nonnull(last);
    /* RUN STARTED STATUS ... */
    ck_assert_int_eq(sscanf(last, "%*s %*s %31s", buf), 1);
    return buf;
}

/* ---- the hostile rules ----------------------------------------------------------------- */

enum fn { ATTRIBUTE, TARGET, QUALITY, WINSORIZE, RECONCILE };
static const char *const fn_name[] = {"attribute", "target", "quality", "winsorize",
                                      "reconcile"};

typedef struct hostile {
    const char *what;
    enum fn fn;
    const char *src;   /* the function, replacing the shipped one */
    int kind;          /* the expected error kind; -1: a kill (instructions, time, memory) */
    const char *msg;   /* words the error must hold */
} hostile;

#define MT "setmetatable({}, {__index = function() error('x') end})"
#define PLAIN_MSG "a table with a metatable; return a plain table"

static const hostile cases[] = {
    /* item 2: results with metamethods (Lua would run the rule's __index from the host) */
    {"metatable result", ATTRIBUTE, "function attribute() return " MT " end", RULES_ERR_RESULT,
     "attribute() returned " PLAIN_MSG},
    {"metatable result", TARGET, "function target() return " MT " end", RULES_ERR_RESULT,
     "target() returned " PLAIN_MSG},
    {"metatable result", QUALITY, "function quality() return " MT " end", RULES_ERR_RESULT,
     "quality() returned a table (expected true or false)"},
    {"metatable result", WINSORIZE, "function winsorize() return " MT " end", RULES_ERR_RESULT,
     "winsorize() returned a table"},
    {"metatable result", RECONCILE, "function reconcile() return " MT " end", RULES_ERR_RESULT,
     "reconcile() returned " PLAIN_MSG},
    {"metatable member", ATTRIBUTE,
     "function attribute() return {method = setmetatable({}, {__tostring = function() "
     "error('x') end})} end",
     RULES_ERR_RESULT, "attribute() returned table for field 'method'"},
    /* item 3: time bombs; each stopped by a limit it names */
    {"catastrophic find", ATTRIBUTE,
     "function attribute() local s = string.rep('a', 4000) while true do s:find('.-b') end end",
     RULES_ERR_RUNTIME, "could take up to"},
    {"costly find loop", ATTRIBUTE,
     "function attribute() local s = string.rep('a', 1500) while true do s:find('.-b') end end",
     -1, "limit exceeded"},
    {"string.rep loop", ATTRIBUTE,
     "function attribute() while true do local x = string.rep('x', 1 << 20) end end", -1,
     "limit exceeded"},
    {"table.concat loop", ATTRIBUTE,
     "function attribute() local t = {} for i = 1, 100000 do t[i] = 'abcdefghij' end\n"
     "  while true do local x = table.concat(t) end end",
     -1, "limit exceeded"},
    {"string.format loop", ATTRIBUTE,
     "function attribute() local big = string.rep('y', 1 << 20)\n"
     "  while true do local x = string.format('%s%s', big, big) end end",
     -1, "limit exceeded"},
    {"utf8.char loop", ATTRIBUTE,
     "function attribute() local t = {} for i = 1, 50000 do t[i] = 0x10FFFF end\n"
     "  while true do local x = utf8.char(table.unpack(t)) end end",
     -1, "limit exceeded"},
    {"collectgarbage storm", ATTRIBUTE,
     "function attribute() local t = {} for i = 1, 100000 do t[i] = {i} end\n"
     "  while true do collectgarbage() collectgarbage('step') end end",
     -1, "limit exceeded"},
    {"endless loop", ATTRIBUTE, "function attribute() while true do end end", -1,
     "limit exceeded"},
    /* item 7: state in globals */
    {"global counter", ATTRIBUTE,
     "calls = 0\nfunction attribute() calls = calls + 1 return {method = 'unattributed'} end",
     RULES_ERR_RUNTIME, "rules may not keep state in globals (write to 'calls')"},
    {"new global", TARGET, "function target() memo = {} return nil end", RULES_ERR_RUNTIME,
     "rules may not keep state in globals (write to 'memo')"},
    {"write through _G", RECONCILE, "function reconcile() _G.n = 1 end", RULES_ERR_RUNTIME,
     "rules may not keep state in globals (write to 'n')"},
    /* item 9: every string the host keeps is bounded (refused, never truncated) */
    {"long method", ATTRIBUTE,
     "function attribute() return {method = string.rep('m', 24)} end", RULES_ERR_RESULT,
     "field 'method' (expected a non-empty string of at most 23 characters)"},
    {"long arrangement_id", ATTRIBUTE,
     "function attribute() return {method = 'trigger', arrangement_id = string.rep('E', 128)} end",
     RULES_ERR_RESULT, "field 'arrangement_id' (expected a non-empty string of at most 127"},
    {"long status", RECONCILE,
     "function reconcile() return {episodes = 0, target_cents = 0, actual_cents = 0,\n"
     "  actual_winsorized_cents = 0, payment_cents = 0, status = string.rep('s', 1 << 20)} end",
     RULES_ERR_RESULT, "field 'status' (expected a non-empty string of at most 23"},
    {"long cap_applied", RECONCILE,
     "function reconcile() return {episodes = 0, target_cents = 0, actual_cents = 0,\n"
     "  actual_winsorized_cents = 0, payment_cents = 0, cap_applied = string.rep('c', 12),\n"
     "  status = 'final'} end",
     RULES_ERR_RESULT, "field 'cap_applied' (expected a non-empty string of at most 11"},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

static const char *file_of(enum fn f) { return f == ATTRIBUTE ? "attribution.lua" : "savings.lua"; }

static void check_error(const hostile *h, int kind, const char *msg)
{
    if (h->kind >= 0)
        ck_assert_msg(kind == h->kind, "%s %s(): kind %d, expected %d: %s", h->what,
                      fn_name[h->fn], kind, h->kind, msg);
    else
        ck_assert_msg(kind == RULES_ERR_INSTRUCTIONS || kind == RULES_ERR_TIME ||
                          kind == RULES_ERR_MEMORY,
                      "%s: kind %d, expected a limit's: %s", h->what, kind, msg);
    ck_assert_msg(strstr(msg, h->msg), "%s %s(): '%s' lacks '%s'", h->what, fn_name[h->fn], msg,
                  h->msg);
}

/* ---- in process ----------------------------------------------------------------------- */

/* Call rule fn of falls_prevention with empty inputs (no claims, no candidates, no
 * episodes: enough for a hostile rule, which reads none of them). */
static int call_rule(rule_set *rs, size_t entry, enum fn fn, char *err, size_t errlen)
{
    cara_episode ep;
    memset(&ep, 0, sizeof ep);
    snprintf(ep.trigger_type, sizeof ep.trigger_type, "A");
    ep_rec rec;
    memset(&rec, 0, sizeof rec);
    ref_arrangement arr;
    memset(&arr, 0, sizeof arr);
    attribution_out ao;
    arr_result ar;
    memset(&ar, 0, sizeof ar);
    int met, has_cap;
    int64_t cap, sorted[3] = {100, 200, 300};
    switch (fn) {
    case ATTRIBUTE: return engine__rule_attribute(rs, entry, &ep, 0, NULL, NULL, 0, &ao, err, errlen);
    case TARGET: return engine__rule_target(rs, entry, &ep, 0, NULL, &arr, &rec, err, errlen);
    case QUALITY: return engine__rule_quality(rs, entry, &ep, 0, NULL, &met, err, errlen);
    case WINSORIZE: return engine__rule_winsorize(rs, entry, sorted, 3, &cap, &has_cap, err, errlen);
    case RECONCILE: return engine__rule_reconcile(rs, entry, &arr, NULL, 0, &ar, err, errlen);
    }
    return 0;
}

/* Open falls_prevention's rules (as planted) with lim. */
static void open_rules(catalog *cat, rule_set *rs, size_t *entry, const rules_limits *lim)
{
    char path[128], err[4096];
    snprintf(path, sizeof path, "%s/episodes", dir);
    ck_assert_msg(catalog_open(cat, path, getenv("CARA_PLUGINS"), "falls_prevention", NULL, NULL,
                               err, sizeof err) == 0, "%s", err);
    const catalog_entry *c = catalog_find(cat, "falls_prevention");
    ck_assert_ptr_nonnull(c);
    *entry = (size_t)(c - cat->v);
    ck_assert_msg(engine__rule_set_open(rs, cat, lim, err, sizeof err) == 0, "%s", err);
}

/* Each hostile rule through the engine's rule call: refused with its kind and words;
 * then the same state answers the shipped winsorize() (or attribute()). */
START_TEST(test_in_process)
{
    const hostile *h = &cases[_i];
    plant(file_of(h->fn), h->src);
    catalog cat;
    rule_set rs;
    size_t entry;
    rules_limits lim = {.instructions = 5000000};
    open_rules(&cat, &rs, &entry, &lim);
    char err[4096];
    ck_assert_msg(call_rule(&rs, entry, h->fn, err, sizeof err) < 0, "%s: accepted", h->what);
    check_error(h, rs.last.kind, err);
    ck_assert_msg(strstr(err, "falls_prevention/"), "the error names the rule: %s", err);
    /* the state survives: the same call is refused the same way, and the shipped
     * winsorize() (when it is not the hostile one) answers */
    ck_assert_int_lt(call_rule(&rs, entry, h->fn, err, sizeof err), 0);
    check_error(h, rs.last.kind, err);
    if (h->fn != WINSORIZE)
        ck_assert_msg(call_rule(&rs, entry, WINSORIZE, err, sizeof err) == 0, "after %s: %s",
                      h->what, err);
    engine__rule_set_close(&rs);
    catalog_free(&cat);
}
END_TEST

/* The deadlines, with an instruction limit out of reach: Lua loops, and C-side work
 * (a table.concat loop, whose time is in C functions), end by the deadline's error. */
static const struct {
    const char *src;
    rules_limits lim;
    const char *msg;
} deadlines[] = {
    {"function attribute() while true do end end",
     {.instructions = UINT64_MAX / 2, .wall_ms = 100, .cpu_ms = 600000},
     "wall-clock limit exceeded: the rule call ran longer than 100 ms"},
    {"function attribute() while true do end end",
     {.instructions = UINT64_MAX / 2, .wall_ms = 600000, .cpu_ms = 100},
     "CPU time limit exceeded: the rule call used more than 100 ms"},
    {"function attribute() local t = {} for i = 1, 100000 do t[i] = 'abcdefghij' end\n"
     "  while true do local x = table.concat(t) end end",
     {.instructions = UINT64_MAX / 2, .wall_ms = 100, .cpu_ms = 600000},
     "wall-clock limit exceeded"},
    {"function attribute() local s = string.rep('a', 1500) while true do s:find('.-b') end end",
     {.instructions = UINT64_MAX / 2, .wall_ms = 600000, .cpu_ms = 100},
     "CPU time limit exceeded"},
    {"function attribute() while true do pcall(function() while true do end end) end end",
     {.instructions = UINT64_MAX / 2, .wall_ms = 100, .cpu_ms = 600000},
     "wall-clock limit exceeded"},
};

START_TEST(test_deadlines)
{
    plant("attribution.lua", deadlines[_i].src);
    catalog cat;
    rule_set rs;
    size_t entry;
    open_rules(&cat, &rs, &entry, &deadlines[_i].lim);
    char err[4096];
    ck_assert_int_lt(call_rule(&rs, entry, ATTRIBUTE, err, sizeof err), 0);
    ck_assert_msg(rs.last.kind == RULES_ERR_TIME, "kind %d: %s", rs.last.kind, err);
    ck_assert_msg(strstr(err, deadlines[_i].msg), "'%s' lacks '%s'", err, deadlines[_i].msg);
    ck_assert_int_eq(call_rule(&rs, entry, WINSORIZE, err, sizeof err), 0);
    engine__rule_set_close(&rs);
    catalog_free(&cat);
}
END_TEST

/* A pure cache in an upvalue table (what the shipped rules do) keeps working; a
 * leakage member, however big, is not read (the rule's own memory limit bounds it). */
START_TEST(test_allowed)
{
    plant("attribution.lua",
          "local cache = {}\n"
          "function attribute() cache.n = (cache.n or 0) + 1\n"
          "  local leak = {} for i = 1, 20000 do leak[i] = {npi = 'X', paid_cents = i} end\n"
          "  return {method = 'unattributed', leakage = leak} end");
    catalog cat;
    rule_set rs;
    size_t entry;
    open_rules(&cat, &rs, &entry, NULL);
    char err[4096];
    for (int i = 0; i < 3; i++)
        ck_assert_msg(call_rule(&rs, entry, ATTRIBUTE, err, sizeof err) == 0, "%s", err);
    engine__rule_set_close(&rs);
    catalog_free(&cat);
}
END_TEST

/* ---- cara run ----------------------------------------------------------------------- */

/* Each hostile rule fails `cara run` cleanly: exit 1 with the rule's path and words, the
 * run marked failed. */
START_TEST(test_run)
{
    const hostile *h = &cases[_i];
    plant(file_of(h->fn), h->src);
    int rc = cara("run --instructions 5000000");
    ck_assert_msg(rc == 1, "%s %s(): exit %d: %s", h->what, fn_name[h->fn], rc, err_buf);
    ck_assert_msg(strstr(err_buf, h->msg), "%s: '%s' lacks '%s'", h->what, err_buf, h->msg);
    ck_assert_msg(strstr(err_buf, "falls_prevention/"), "no rule path: %s", err_buf);
    char st[32];
    ck_assert_str_eq(last_run_status(st), "failed");
}
END_TEST

/* A rule counting its calls in a global fails the same way on 1, 2 and 4 threads (it
 * used to give 26 / 52 / 100 attributed episodes); the shipped rules give the same run
 * on each. */
START_TEST(test_threads)
{
    plant("attribution.lua",
          "calls = 0\nlocal shipped = attribute\n"
          "function attribute(...) calls = calls + 1 return shipped(...) end");
    static const char *const threads[] = {"1", "2", "4"};
    for (int i = 0; i < 3; i++) {
        char args[64];
        snprintf(args, sizeof args, "run --threads %s", threads[i]);
        ck_assert_int_eq(cara(args), 1);
        ck_assert_msg(strstr(err_buf, "rules may not keep state in globals (write to 'calls')"),
                      "%s", err_buf);
    }
    plant(NULL, NULL);
    char first[64] = "";
    for (int i = 0; i < 3; i++) {
        char args[64];
        snprintf(args, sizeof args, "run --threads %s", threads[i]);
        ck_assert_msg(cara(args) == 0, "%s", err_buf);
        /* stderr: "run N: ... 20 episodes (2 excluded, 17 attributed), ..." */
        const char *p = strstr(err_buf, " episodes (");
        if (!p) p = strstr(out_buf, " episodes (");
        ck_assert_msg(p != NULL, "no summary: %s", err_buf);
        if (!first[0]) snprintf(first, sizeof first, "%.40s", p);
        char now[64];
        snprintf(now, sizeof now, "%.40s", p);
        ck_assert_str_eq(now, first);
    }
}
END_TEST

/* ---- cara rules check and cara rules test ---------------------------------------------- */

/* The time bombs at a file's top level: `cara rules check` exits 1 naming the limit. */
START_TEST(test_rules_check)
{
    const hostile *h = &cases[_i];
    if (h->kind != -1 && !strstr(h->what, "find")) return; /* the time bombs only */
    /* the bomb's body as the top level: call the function it defines */
    char src[1024];
    snprintf(src, sizeof src, "%s\n%s()\n", h->src, fn_name[h->fn]);
    char *path = th_write(dir, "bomb.lua", src);
    free(path);
    int rc = th_cara(dir, "", "rules check --instructions 5000000 bomb.lua", &out_buf, &err_buf);
    ck_assert_msg(rc == 1, "%s: exit %d: %s", h->what, rc, err_buf);
    ck_assert_msg(strstr(err_buf, h->msg), "%s: '%s' lacks '%s'", h->what, err_buf, h->msg);
    ck_assert_msg(strstr(err_buf, "bomb.lua"), "%s", err_buf);
}
END_TEST

/* The deadlines are options of `cara rules check` and `cara run` (positive integers). */
START_TEST(test_deadline_options)
{
    free(th_write(dir, "loop.lua", "while true do end\n"));
    int rc = th_cara(dir, "", "rules check --instructions 100000000000000 --wall-ms 100 loop.lua",
                     &out_buf, &err_buf);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err_buf);
    ck_assert_msg(strstr(err_buf, "loop.lua:1: wall-clock limit exceeded: the rule call ran "
                                  "longer than 100 ms"), "%s", err_buf);
    rc = th_cara(dir, "", "rules check --instructions 100000000000000 --cpu-ms 100 loop.lua",
                 &out_buf, &err_buf);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err_buf);
    ck_assert_msg(strstr(err_buf, "CPU time limit exceeded: the rule call used more than 100 ms"),
                  "%s", err_buf);
    ck_assert_int_eq(th_cara(dir, "", "rules check --wall-ms 0 loop.lua", &out_buf, &err_buf), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--wall-ms: '0' is not a positive integer"));
    ck_assert_int_eq(th_cara(dir, "", "rules check --cpu-ms x loop.lua", &out_buf, &err_buf), 2);
    plant("attribution.lua", "function attribute() while true do end end");
    ck_assert_int_eq(cara("run --instructions 100000000000000 --wall-ms 100"), 1);
    ck_assert_msg(strstr(err_buf, "wall-clock limit exceeded: the rule call ran longer than 100 ms"),
                  "%s", err_buf);
    ck_assert_int_eq(cara("run --cpu-ms 0"), 2);
    ck_assert_ptr_nonnull(strstr(err_buf, "--cpu-ms: '0' is not a positive integer"));
}
END_TEST

/* `cara rules test` on a template whose rule returns a table with metamethods: the test
 * fails naming the function (exit 1), the process does not abort. */
START_TEST(test_rules_test)
{
    const hostile *h = &cases[_i];
    if (h->kind != RULES_ERR_RESULT || strcmp(h->what, "metatable result")) return;
    plant(file_of(h->fn), h->src);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s/episodes/falls_prevention' && rm -rf tests && mkdir tests && "
             "printf '{\"name\": \"hostile\", \"rule\": \"%s\", \"args\": {}, "
             "\"expect\": {\"x\": 1}}' > tests/hostile.json",
             dir, fn_name[h->fn]);
    ck_assert_int_eq(th_sh(cmd), 0);
    int rc = th_cara(dir, "", "rules test episodes/falls_prevention", &out_buf, &err_buf);
    ck_assert_msg(rc == 1, "%s(): exit %d: %s%s", fn_name[h->fn], rc, out_buf, err_buf);
    ck_assert_msg(strstr(out_buf, "FAIL hostile"), "%s", out_buf);
    ck_assert_msg(strstr(out_buf, PLAIN_MSG), "'%s' lacks '%s'", out_buf, PLAIN_MSG);
}
END_TEST

/* The candidates of a shared set are built once per rule set and handed to every later
 * episode with that set (cand_index.c): no rule can change them for the next call. The
 * planted attribute() tries every way to write to the list and to a candidate, fails the
 * call if one succeeds or if it sees a changed table, and attributes to the candidate. */
START_TEST(test_shared_candidates)
{
    plant("attribution.lua",
          "function attribute(episode, claims, beneficiary, candidates, params)\n"
          "  local c = candidates[1]\n"
          "  if #candidates ~= 1 or c.npi ~= 'P1' or c.tag ~= nil or candidates.tag ~= nil\n"
          "     or candidates[2] ~= nil then error('a shared table changed') end\n"
          "  local tries = {\n"
          "    function() c.npi = 'X' end, function() c.tag = 1 end,\n"
          "    function() candidates[1] = {npi = 'X', arrangement_id = 'E9'} end,\n"
          "    function() candidates[2] = c end, function() candidates.tag = 1 end,\n"
          "    function() table.insert(candidates, c) end,\n"
          "    function() table.remove(candidates) end,\n"
          "    function() setmetatable(candidates, nil) end,\n"
          "    function() setmetatable(c, {}) end, function() rawset(c, 'npi', 'X') end,\n"
          "    function() getmetatable(c).__index = {} end,\n"
          "    function() table.move({'X'}, 1, 1, 1, candidates) end,\n"
          "  }\n"
          "  for i, f in ipairs(tries) do\n"
          "    if pcall(f) then error('try ' .. i .. ' changed a shared table') end\n"
          "  end\n"
          "  return {arrangement_id = c.arrangement_id, method = 'trigger'}\n"
          "end");
    catalog cat;
    rule_set rs;
    size_t entry;
    rules_limits lim = {.instructions = 5000000};
    open_rules(&cat, &rs, &entry, &lim);
    ref_arrangement arr;
    memset(&arr, 0, sizeof arr);
    arr.arrangement_id = (char *)"E01";
    arr.aco_id = (char *)"A1";
    arr.npi = (char *)"P1";
    arr.tin = (char *)"T1";
    arr.specialty = (char *)"";
    arr.end = CARA_DATE_NONE;
    const ref_arrangement *v[1] = {&arr};
    cand_set set = {v, 1, 1};
    cara_episode ep;
    memset(&ep, 0, sizeof ep);
    snprintf(ep.trigger_type, sizeof ep.trigger_type, "A");
    char err[4096];
    for (int k = 0; k < 3; k++) {
        attribution_out ao;
        ck_assert_msg(engine__rule_attribute_set(&rs, entry, &ep, 0, NULL, &set, &ao, err,
                                                 sizeof err) == 0, "call %d: %s", k, err);
        ck_assert_ptr_eq(ao.arr, &arr);
        ck_assert_str_eq(ao.method, "trigger");
    }
    engine__rule_set_close(&rs);
    catalog_free(&cat);
}
END_TEST

Suite *suite_hostile_rules(void)
{
    Suite *s = suite_create("hostile_rules");
    TCase *api = tcase_create("in_process");
    tcase_set_timeout(api, 120);
    tcase_add_unchecked_fixture(api, world_setup, world_teardown);
    tcase_add_loop_test(api, test_in_process, 0, N_CASES);
    tcase_add_loop_test(api, test_deadlines, 0, (int)(sizeof deadlines / sizeof deadlines[0]));
    tcase_add_test(api, test_allowed);
    tcase_add_test(api, test_shared_candidates);
    suite_add_tcase(s, api);
    TCase *cli = tcase_create("commands");
    tcase_set_timeout(cli, 120);
    tcase_add_unchecked_fixture(cli, world_setup, world_teardown);
    tcase_add_loop_test(cli, test_run, 0, N_CASES);
    tcase_add_test(cli, test_threads);
    tcase_add_loop_test(cli, test_rules_check, 0, N_CASES);
    tcase_add_test(cli, test_deadline_options);
    tcase_add_loop_test(cli, test_rules_test, 0, N_CASES);
    suite_add_tcase(s, cli);
    return s;
}
