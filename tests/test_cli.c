/*
 * tests/test_cli.c: the cara binary as a user runs it: exit codes (0, 1, 2), usage
 * errors, help, version, init, plugins (table and JSON), rules check.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "suites.h"
#include "base/util.h"

static char dir[64];
static char *out_buf, *err_buf;

static void setup(void) { th_scratch_setup(dir, sizeof dir, "cli", &out_buf, &err_buf); }

static void teardown(void) { th_scratch_teardown(dir, &out_buf, &err_buf); }

/* Run "$CARA_BIN ARGS" in dir with stdout/stderr captured; returns the exit status. */
static int cara(const char *args) { return th_cara(dir, "", args, &out_buf, &err_buf); }

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

#define ASSERT_ERR_HAS(s) ck_assert_msg(strstr(err_buf, s), "stderr lacks '%s':\n%s", s, err_buf)
#define ASSERT_OUT_HAS(s) ck_assert_msg(strstr(out_buf, s), "stdout lacks '%s':\n%s", s, out_buf)

/* Usage errors exit 2 and say what was wrong. */
static const struct {
    const char *args, *msg;
} usage_cases[] = {
    {"", "usage: cara"},
    {"--bogus", "unknown global option '--bogus'"},
    {"--db", "option '--db' needs a value"},
    {"frobnicate", "no such command 'frobnicate'"},
    {"help frobnicate", "no such command 'frobnicate'"},
    {"init extra", "unexpected argument 'extra'"},
    {"plugins --format xml", "--format must be 'table' or 'json' (got 'xml')"},
    {"plugins --bogus", "unknown option '--bogus'"},
    {"plugins --format", "option '--format' needs a value"},
    {"rules", "missing subcommand"},
    {"rules frob", "unknown subcommand 'frob'"},
    {"rules check", "no rule file given"},
    {"rules check --memory lots x.lua", "--memory: 'lots' is not a size"},
    {"rules check --instructions -5 x.lua", "--instructions: '-5' is not a positive integer"},
    {"rules check --instructions 0 x.lua", "--instructions must be at least 1"},
};

START_TEST(test_usage_errors)
{
    ck_assert_int_eq(cara(usage_cases[_i].args), 2);
    ASSERT_ERR_HAS(usage_cases[_i].msg);
    ck_assert_str_eq(out_buf, "");
}
END_TEST

/* --version, help and --help exit 0 on stdout. */
START_TEST(test_help_and_version)
{
    ck_assert_int_eq(cara("--version"), 0);
    ASSERT_OUT_HAS("cara 0.");
    ASSERT_OUT_HAS("plugin ABI 2.0");
    ASSERT_OUT_HAS("Lua 5.4");
    ck_assert_int_eq(cara("version"), 0);
    ck_assert_int_eq(cara("help"), 0);
    ASSERT_OUT_HAS("commands:");
    ASSERT_OUT_HAS("plugins");
    ck_assert_int_eq(cara("help rules"), 0);
    ASSERT_OUT_HAS("usage: cara rules check");
    ck_assert_int_eq(cara("plugins --help"), 0);
    ASSERT_OUT_HAS("--format table|json");
    ck_assert_int_eq(cara("rules check --help"), 0);
    ASSERT_OUT_HAS("--instructions N");
    /* every command's --help exits 0, also before a subcommand */
    static const char *const cmds[] = {"init", "synth", "load", "claims", "run", "runs", "report",
                                       "diff", "aco", "tin", "provider", "ebra", "template",
                                       "templates", "rules", "token", "serve", "plugins", "plugin",
                                       "help"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s --help", cmds[i]);
        ck_assert_msg(cara(args) == 0, "cara %s exits non-zero", args);
        ASSERT_OUT_HAS("usage: cara");
    }
}
END_TEST

/* init creates, then reports up to date; --db and $CARA_DB choose the file. */
START_TEST(test_init)
{
    ck_assert_int_eq(cara("--db x.db init"), 0);
    ASSERT_OUT_HAS("x.db: created at schema version");
    ASSERT_OUT_HAS("applied migration 1");
    ck_assert_int_eq(cara("--db=x.db init"), 0);
    ASSERT_OUT_HAS("up to date");
    ck_assert_int_eq(cara("init"), 0); /* default ./cara.db in the working directory */
    ASSERT_OUT_HAS("cara.db: created");
    write_file("junk.db", "this is not a database, not even close to one........\n");
    ck_assert_int_eq(cara("--db junk.db init"), 1);
    ASSERT_ERR_HAS("junk.db");
    char env[128];
    snprintf(env, sizeof env, "%s/env.db", dir);
    setenv("CARA_DB", env, 1); /* the child inherits it */
    ck_assert_int_eq(cara("init"), 0);
    unsetenv("CARA_DB");
    ASSERT_OUT_HAS("env.db: created");
}
END_TEST

/* plugins: the good test plugin is listed; each broken one is one stderr line naming
 * its file and reason; the exit status says something failed. */
START_TEST(test_plugins_listing)
{
    char args[512];
    snprintf(args, sizeof args, "--plugins '%s' plugins", getenv("CARA_TEST_PLUGINS"));
    ck_assert_int_eq(cara(args), 1);
    ASSERT_OUT_HAS("test_good");
    ASSERT_OUT_HAS("1.2.3");
    ASSERT_ERR_HAS("wrong_major.so: ABI major version mismatch");
    ASSERT_ERR_HAS("unresolved.so: unresolved symbol");
    ASSERT_ERR_HAS("no_entry.so: missing entry symbol");
    ASSERT_ERR_HAS("failing_init.so: init failed");
    ASSERT_ERR_HAS("newer_minor.so: plugin needs ABI 2.1");
    ASSERT_ERR_HAS("old_major.so: ABI major version mismatch: plugin built for ABI 1.0, this "
                   "cara provides 2.0 (rebuild the plugin against this cara's headers)\n");
    ASSERT_ERR_HAS("small_desc.so: descriptor is");
    int lines = 0;
    for (const char *p = err_buf; *p; p++) lines += *p == '\n';
    ck_assert_int_eq(lines, 8);

    snprintf(args, sizeof args, "--plugins '%s' plugins --format json", getenv("CARA_TEST_PLUGINS"));
    ck_assert_int_eq(cara(args), 1);
    json_error_t je;
    json_t *arr = json_loads(out_buf, 0, &je);
    ck_assert_msg(arr != NULL, "not JSON: %s", je.text);
    ck_assert_uint_eq(json_array_size(arr), 2); /* good.so, newer_header.so */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr, 1), "name")),
                     "test_newer_header");
    json_t *p = json_array_get(arr, 0);
    ck_assert_str_eq(json_string_value(json_object_get(p, "name")), "test_good");
    ck_assert_str_eq(json_string_value(json_object_get(p, "version")), "1.2.3");
    ck_assert_str_eq(json_string_value(json_object_get(p, "abi_version")), "2.0");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(p, "path")), "good.so"));
    json_decref(arr);

    ck_assert_int_eq(cara("--plugins /nonexistent plugins"), 1);
    ASSERT_ERR_HAS("/nonexistent");
}
END_TEST

/* The shipped plugins all load cleanly. */
START_TEST(test_shipped_plugins_load)
{
    char args[512];
    snprintf(args, sizeof args, "--plugins '%s' plugins", getenv("CARA_PLUGINS"));
    ck_assert_int_eq(cara(args), 0);
    ck_assert_str_eq(err_buf, "");
}
END_TEST

/* rules check: the three hostile scripts of the issue fail with clear messages and
 * exit 1; a good file passes; results come in argument order. */
START_TEST(test_rules_check)
{
    write_file("loop.lua", "local n = 0\nwhile true do n = n + 1 end\n");
    write_file("bomb.lua", "local t = {}\nwhile true do t[#t + 1] = string.rep('x', 1000) .. #t end\n");
    write_file("exec.lua", "\nos.execute('touch pwned')\n");
    write_file("good.lua", "local codes = cara.codes({'W0????A'})\nassert(codes:match('W010XXA'))\n");
    ck_assert_int_eq(cara("rules check --instructions 1000000 --memory 16M loop.lua"), 1);
    ASSERT_ERR_HAS("loop.lua:2: instruction limit exceeded");
    ck_assert_int_eq(cara("rules check --memory 16M bomb.lua"), 1);
    ASSERT_ERR_HAS("memory limit exceeded");
    ck_assert_int_eq(cara("rules check exec.lua"), 1);
    ASSERT_ERR_HAS("exec.lua:2: os.execute is blocked");
    ASSERT_ERR_HAS("stack traceback");
    char pwned[128];
    snprintf(pwned, sizeof pwned, "%s/pwned", dir);
    ck_assert_int_ne(access(pwned, F_OK), 0); /* nothing touched the disk */
    ck_assert_int_eq(cara("rules check good.lua"), 0);
    ASSERT_OUT_HAS("good.lua: ok");
    ck_assert_int_eq(cara("rules check good.lua exec.lua missing.lua"), 1);
    ASSERT_OUT_HAS("good.lua: ok");
    ASSERT_ERR_HAS("missing.lua: cannot open");
    ck_assert_msg(strstr(err_buf, "exec.lua") < strstr(err_buf, "missing.lua"), "order");
    /* entry points by file name */
    write_file("attribution.lua", "function not_attribute() end\n");
    ck_assert_int_eq(cara("rules check attribution.lua"), 1);
    ASSERT_ERR_HAS("missing entry point(s): attribute");
}
END_TEST

/* rules test: the shipped templates' rule tests pass; a wrong expectation fails. */
START_TEST(test_rules_test)
{
    char args[1024];
    const char *eps = getenv("CARA_EPISODES");
    snprintf(args, sizeof args, "rules test '%s/falls_prevention' '%s/functional_independence' "
             "'%s/knee_arthroplasty'", eps, eps, eps);
    ck_assert_int_eq(cara(args), 0);
    ASSERT_OUT_HAS("8 passed, 0 failed");
    snprintf(args, sizeof args, "--version >/dev/null && cp -R '%s/falls_prevention' t && "
             "sed -i 's/\"target_cents\": 273847/\"target_cents\": 273848/' "
             "t/tests/target_age80_dual_hcc2_discount.json && '%s' rules test t", eps,
             getenv("CARA_BIN"));
    ck_assert_int_eq(cara(args), 1);
    ASSERT_OUT_HAS("FAIL target: age 80, dual, 2 HCCs, 300 bps discount");
    ASSERT_OUT_HAS("field target_cents: expected 273848, got 273847");
    ASSERT_OUT_HAS("7 passed, 1 failed");
    ck_assert_int_eq(cara("rules test /nonexistent"), 1);
    /* a tests folder without tests: refused (the empty list was sorted as qsort(NULL, 0),
     * undefined behaviour that make SANITIZE=1 test stops at) */
    snprintf(args, sizeof args, "--version >/dev/null && cp -R '%s/falls_prevention' t0 && "
             "rm t0/tests/*.json && '%s' rules test t0", eps, getenv("CARA_BIN"));
    ck_assert_int_eq(cara(args), 1);
    ASSERT_ERR_HAS("no *.json tests");
}
END_TEST

/* Scaffolding: a new template validates, passes its example test and runs; a new
 * plugin compiles against the public headers and loads. */
START_TEST(test_scaffold)
{
    char args[2048];
    const char *src = getenv("CARA_SRC");
    snprintf(args, sizeof args, "--version >/dev/null && cp -R '%s' eps && '%s' --episodes eps "
             "template new my_episode", getenv("CARA_EPISODES"), getenv("CARA_BIN"));
    ck_assert_int_eq(cara(args), 0);
    ASSERT_OUT_HAS("created template my_episode");
    ck_assert_int_eq(cara("--episodes eps template validate eps/my_episode/template.json"), 0);
    ASSERT_OUT_HAS("ok (template my_episode 0.1.0, episode type declarative");
    ck_assert_int_eq(cara("rules test eps/my_episode"), 0);
    ASSERT_OUT_HAS("1 passed, 0 failed");
    ck_assert_int_eq(cara("--episodes eps templates"), 0);
    ASSERT_OUT_HAS("my_episode");
    ck_assert_int_eq(cara("--episodes eps template new my_episode"), 1);
    ASSERT_ERR_HAS("already exists");
    ck_assert_int_eq(cara("--episodes eps template new My-Episode"), 2);
    /* the one template id grammar (ids.h): "common" is reserved, ".." is not an id */
    ck_assert_int_eq(cara("--episodes eps template new common"), 2);
    ASSERT_ERR_HAS("reserved");
    ck_assert_int_eq(cara("--episodes eps template new .."), 2);
    ck_assert_int_eq(cara("template rollback common --to 1.0.0"), 2);
    ASSERT_ERR_HAS("reserved");

    /* cara plugin new NAME && make, in a copy of the source tree (the Makefile, the
     * public headers, plugins/common): the Makefile's own plugin rule builds it, with the
     * project's warning flags (WARN: -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
     * -Wmissing-prototypes), and it loads. The make of `make test` must not leak in
     * (MAKEFLAGS and its jobserver; SANITIZE=1, which make exports), hence env -i. */
    snprintf(args, sizeof args, "cd '%s' && (mkdir -p tree/core tree/plugins && "
             "cp '%s/Makefile' tree/ && cp -R '%s/core/include' tree/core/ && "
             "cp -R '%s/plugins/common' tree/plugins/ && cd tree && '%s' plugin new my_type && "
             "env -i PATH=\"$PATH\" make build/plugins/my_type.so && "
             "'%s' --plugins build/plugins plugins) >scaffold.log 2>&1 </dev/null",
             dir, src, src, src, getenv("CARA_BIN"), getenv("CARA_BIN"));
    int rc = th_sh(args);
    char *log = th_slurp(dir, "scaffold.log");
    ck_assert_msg(rc == 0, "exit %d:\n%s", rc, log);
    static const char *const want[] = {
        "plugins/my_type/my_type.c", " -Werror ", " -Wshadow ", " -Wstrict-prototypes ",
        " -Wmissing-prototypes ", "-o build/plugins/my_type.so",
        "\nmy_type                      0.1.0      2.0   build/plugins/my_type.so\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(log, want[i]), "lacks '%s':\n%s", want[i], log);
    ck_assert_msg(!strstr(log, "warning"), "%s", log);
    free(log);
    /* Stricter than the Makefile (unused parameters warn too): still clean. */
    snprintf(args, sizeof args, "--version >/dev/null && cd tree && cc -std=c11 -Wall -Wextra "
             "-Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -pedantic -fPIC "
             "-fvisibility=hidden -shared -Wl,-z,defs -Icore/include -Iplugins/common "
             "plugins/my_type/my_type.c plugins/common/kit.c -o my_type.so");
    ck_assert_msg(cara(args) == 0, "%s", err_buf);
    ck_assert_int_eq(cara("--version >/dev/null && mkdir plugins && cd . && true"), 0);
    ck_assert_int_eq(cara("plugin new my_type"), 0);
    ck_assert_int_eq(cara("plugin new my_type"), 1);
    ASSERT_ERR_HAS("already exists");
    ck_assert_int_eq(cara("plugin new common"), 2);
    ck_assert_int_eq(cara("plugin new x --dir nowhere"), 1);
}
END_TEST

Suite *suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_usage_errors, 0, (int)(sizeof usage_cases / sizeof usage_cases[0]));
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_plugins_listing);
    tcase_add_test(tc, test_shipped_plugins_load);
    tcase_add_test(tc, test_rules_check);
    tcase_add_test(tc, test_rules_test);
    tcase_add_test(tc, test_scaffold);
    suite_add_tcase(s, tc);
    return s;
}
