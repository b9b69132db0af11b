/*
 * tests/test_cli_table.c: the command table (cli/cli_cmds.c) as the one source of the
 * CLI's help: every command and subcommand answers --help (exit 0, its usage on
 * stdout), `cara help` lists every command, docs/cli.md is exactly `cara help
 * --markdown`; the global --log-level / $CARA_LOG; and the leveled logger (base/log.h)
 * itself: thresholds, prefixes, long lines, lines whole under threads.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "helpers.h"
#include "suites.h"

static char dir[64];
static char *out_buf, *err_buf;

static void setup(void) { th_scratch_setup(dir, sizeof dir, "clitab", &out_buf, &err_buf); }

static void teardown(void) { th_scratch_teardown(dir, &out_buf, &err_buf); }

static int cara_env(const char *env, const char *args)
{
    return th_cara(dir, env, args, &out_buf, &err_buf);
}
static int cara(const char *args) { return cara_env("", args); }

/* The command table as the binary prints it: the rows of `cara help --markdown`'s
 * command table ("| [`NAME`](#cara-NAME) | `sub`, `sub` | summary |"). Read from the
 * binary rather than linked in: linking cli_cmds.o would pull every command's code
 * (and the service's) into the test binary, over the test doubles of other suites. */
typedef struct row {
    char name[32];
    char subs[12][32];
    int n_subs;
    char summary[256];
} row;

static int table_rows(row *rows, int max)
{
    ck_assert_int_eq(cara("help --markdown"), 0);
    int n = 0;
    for (const char *p = strstr(out_buf, "\n| [`"); p && n < max; p = strstr(p, "\n| [`")) {
        p += 5;
        row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        const char *e = strchr(p, '`');
        ck_assert(e && (size_t)(e - p) < sizeof r->name);
        memcpy(r->name, p, (size_t)(e - p));
        const char *cell = strstr(e, ") | ");
        ck_assert_ptr_nonnull(cell);
        cell += 4;
        while (*cell == '`') {
            const char *q = strchr(cell + 1, '`');
            ck_assert(q && r->n_subs < 12 && (size_t)(q - cell - 1) < sizeof r->subs[0]);
            memcpy(r->subs[r->n_subs++], cell + 1, (size_t)(q - cell - 1));
            cell = q + 1;
            if (!strncmp(cell, ", ", 2)) cell += 2;
        }
        if (*cell == '-') cell++;
        ck_assert_int_eq(strncmp(cell, " | ", 3), 0);
        cell += 3;
        size_t o = 0;
        for (; *cell && strncmp(cell, " |\n", 3) && o + 1 < sizeof r->summary; cell++) {
            if (cell[0] == '\\' && cell[1] == '|') cell++;
            r->summary[o++] = *cell;
        }
        p = cell;
    }
    return n;
}

/* Every command of the table, and every subcommand, with --help and -h: exit 0, the
 * command's usage first on stdout with its summary, nothing on stderr; `cara help NAME`
 * prints the same as `cara NAME --help`. */
START_TEST(test_every_command_help)
{
    static row rows[64];
    int n = table_rows(rows, 64);
    ck_assert_int_ge(n, 21); /* init .. token, help, version */
    int subs = 0;
    for (int i = 0; i < n; i++) {
        const char *name = rows[i].name;
        char args[128];
        snprintf(args, sizeof args, "%s --help", name);
        ck_assert_msg(cara(args) == 0, "cara %s: exit not 0; stderr: %s", args, err_buf);
        ck_assert_msg(!strncmp(out_buf, "usage: cara", 11), "cara %s printed:\n%s", args, out_buf);
        ck_assert_msg(strstr(out_buf, rows[i].summary), "cara %s lacks its summary '%s'", args,
                      rows[i].summary);
        ck_assert_str_eq(err_buf, "");
        char *help = strdup(out_buf);
        snprintf(args, sizeof args, "help %s", name);
        ck_assert_int_eq(cara(args), 0);
        ck_assert_str_eq(out_buf, help);
        snprintf(args, sizeof args, "%s -h", name);
        ck_assert_int_eq(cara(args), 0);
        ck_assert_str_eq(out_buf, help);
        free(help);
        for (int k = 0; k < rows[i].n_subs; k++, subs++) {
            snprintf(args, sizeof args, "%.31s %.31s --help", name, rows[i].subs[k]);
            ck_assert_msg(cara(args) == 0, "cara %s: exit not 0; stderr: %s", args, err_buf);
            ck_assert_msg(!strncmp(out_buf, "usage: cara", 11), "cara %s printed:\n%s", args,
                          out_buf);
            ck_assert_msg(strlen(out_buf) > 40, "cara %s: '%s' is too short", args, out_buf);
            ck_assert_str_eq(err_buf, "");
        }
    }
    ck_assert_int_ge(subs, 24); /* rules 2, template 4, aco 2, tin 3, provider 2, ebra 7,
                                   plugin 1, token 3 */
}
END_TEST

/* A subcommand the table lists is one its command accepts: an unknown option after it
 * is that option's usage error, not "unknown subcommand" / "expected ...". */
START_TEST(test_table_subcommands_known)
{
    static row rows[64];
    int n = table_rows(rows, 64);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < rows[i].n_subs; k++) {
            for (int o = k + 1; o < rows[i].n_subs; o++)
                ck_assert_str_ne(rows[i].subs[k], rows[i].subs[o]);
            char args[128];
            snprintf(args, sizeof args, "--db x.db %.31s %.31s --bogus-option", rows[i].name,
                     rows[i].subs[k]);
            ck_assert_int_eq(cara(args), 2);
            ck_assert_msg(strstr(err_buf, "unknown option '--bogus-option'"),
                          "cara %s: %s", args, err_buf);
        }
    ck_assert_int_eq(cara("frobnicate --help"), 2);
    ck_assert_msg(strstr(err_buf, "no such command 'frobnicate'"), "%s", err_buf);
}
END_TEST

/* `cara help` has one line per command of the table, in table order, each with the
 * table's summary; and the global options name --log-level. */
START_TEST(test_help_lists_the_table)
{
    static row rows[64];
    int n = table_rows(rows, 64);
    ck_assert_int_eq(cara("help"), 0);
    const char *at = strstr(out_buf, "commands:\n");
    ck_assert_ptr_nonnull(at);
    for (int i = 0; i < n; i++) {
        char line[320];
        snprintf(line, sizeof line, "\n  %-10.31s %.255s\n", rows[i].name, rows[i].summary);
        const char *hit = strstr(at, line);
        ck_assert_msg(hit, "cara help lacks '%s'", line + 1);
        at = hit + 1;
    }
    ck_assert_msg(strstr(out_buf, "--log-level L"), "global options lack --log-level");
}
END_TEST

/* docs/cli.md is byte for byte what `cara help --markdown` prints (regenerate it with
 * build/cara help --markdown > docs/cli.md). */
START_TEST(test_docs_cli_md_is_generated)
{
    ck_assert_int_eq(cara("help --markdown"), 0);
    const char *src = getenv("CARA_SRC");
    ck_assert_msg(src != NULL, "CARA_SRC is not set (run through make test)");
    char path[512];
    snprintf(path, sizeof path, "%s/docs", src);
    char *doc = th_slurp(path, "cli.md");
    ck_assert_msg(strcmp(doc, out_buf) == 0,
                  "docs/cli.md differs from `cara help --markdown`: run "
                  "build/cara help --markdown > docs/cli.md");
    ck_assert_ptr_nonnull(strstr(doc, "## cara ebra\n"));
    ck_assert_ptr_nonnull(strstr(doc, "`cara template rollback --help`"));
    free(doc);
}
END_TEST

/* --log-level and $CARA_LOG take error, warn, info or debug; anything else is a usage
 * error naming where the value came from. */
START_TEST(test_log_level_option)
{
    ck_assert_int_eq(cara("--log-level debug --db x.db init"), 0);
    ck_assert_int_eq(cara("--log-level=error --db x.db init"), 0);
    ck_assert_int_eq(cara_env("CARA_LOG=warn", "--db x.db init"), 0);
    ck_assert_int_eq(cara("--log-level loud init"), 2);
    ck_assert_msg(strstr(err_buf, "cara: --log-level: 'loud' is not error, warn, info or debug\n"
                                  "usage: cara [--db FILE]"), "%s", err_buf);
    ck_assert_str_eq(out_buf, "");
    ck_assert_int_eq(cara_env("CARA_LOG=chatty", "--db x.db init"), 2);
    ck_assert_msg(strstr(err_buf, "cara: CARA_LOG: 'chatty' is not error, warn, info or debug"),
                  "%s", err_buf);
    /* the option wins over the environment */
    ck_assert_int_eq(cara_env("CARA_LOG=chatty", "--log-level info --db x.db init"), 0);
    ck_assert_int_eq(cara("--log-level"), 2);
    ck_assert_msg(strstr(err_buf, "option '--log-level' needs a value"), "%s", err_buf);
}
END_TEST

/* ---- the logger ------------------------------------------------------------------------ */

static FILE *cap;
static char *cap_buf;
static size_t cap_len;

static void cap_start(void)
{
    cap = open_memstream(&cap_buf, &cap_len);
    ck_assert_ptr_nonnull(cap);
    ck_assert_ptr_null(log_set_output(cap)); /* stderr before */
}

/* What was written since cap_start (caller frees); the logger goes back to stderr. */
static char *cap_end(void)
{
    ck_assert_ptr_eq(log_set_output(NULL), cap);
    fclose(cap);
    return cap_buf;
}

START_TEST(test_log_levels_and_prefixes)
{
    log_level l;
    ck_assert_int_eq(log_level_parse("warn", &l), 0);
    ck_assert_int_eq(l, LOG_LEVEL_WARN);
    ck_assert_int_eq(log_level_parse("debug", &l), 0);
    ck_assert_int_eq(l, LOG_LEVEL_DEBUG);
    ck_assert_int_eq(log_level_parse("WARN", &l), -1);
    ck_assert_int_eq(log_level_parse("", &l), -1);
    ck_assert_int_eq(log_level_parse(NULL, &l), -1);
    ck_assert_int_eq(l, LOG_LEVEL_DEBUG); /* untouched by the failures */

    ck_assert_int_eq(log_get_level(), LOG_LEVEL_INFO); /* the default */
    cap_start();
    log_msg(LOG_LEVEL_INFO, "serve", "listening on http://%s:%u", "127.0.0.1", 8080u);
    log_msg(LOG_LEVEL_DEBUG, "serve", "not shown at info");
    log_msg(LOG_LEVEL_WARN, NULL, "plugin %s: %s", "warning", "w");
    log_msg(LOG_LEVEL_ERROR, "", "%s: %s", "savings.lua:3", "hello");
    log_set_level(LOG_LEVEL_ERROR);
    ck_assert_int_eq(log_enabled(LOG_LEVEL_WARN), 0);
    log_msg(LOG_LEVEL_WARN, "serve", "not shown at error");
    log_msg(LOG_LEVEL_ERROR, "serve", "shown at error");
    log_set_level(LOG_LEVEL_DEBUG);
    log_msg(LOG_LEVEL_DEBUG, "x", "debug");
    log_set_level((log_level)99); /* clamped */
    ck_assert_int_eq(log_get_level(), LOG_LEVEL_DEBUG);
    log_set_level(LOG_LEVEL_INFO);
    char *got = cap_end();
    ck_assert_str_eq(got, "cara serve: listening on http://127.0.0.1:8080\n"
                          "cara: plugin warning: w\n"
                          "savings.lua:3: hello\n"
                          "cara serve: shown at error\n"
                          "cara x: debug\n");
    free(got);
}
END_TEST

/* A message longer than the logger's stack buffer (1024 bytes) is written whole. */
START_TEST(test_log_long_line)
{
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    cap_start();
    log_msg(LOG_LEVEL_ERROR, "serve", "%s|end", big);
    char *got = cap_end();
    ck_assert_uint_eq(strlen(got), strlen("cara serve: ") + 4999 + strlen("|end\n"));
    ck_assert_int_eq(strncmp(got, "cara serve: xxx", 15), 0);
    ck_assert_str_eq(got + strlen(got) - 5, "|end\n");
    free(got);
}
END_TEST

static void *log_lines(void *ud)
{
    int id = (int)(intptr_t)ud;
    for (int i = 0; i < 500; i++) log_msg(LOG_LEVEL_INFO, "t", "thread %d line %03d %s", id, i,
                                          "................................................");
    return NULL;
}

/* Four threads at once: 2000 lines, each one whole (no interleaving inside a line). */
START_TEST(test_log_threads_whole_lines)
{
    cap_start();
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, log_lines, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    char *got = cap_end();
    int lines = 0, next[4] = {0};
    for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        int id, k;
        char dots[64];
        ck_assert_msg(sscanf(line, "cara t: thread %d line %d %63s", &id, &k, dots) == 3, "%s",
                      line);
        ck_assert_int_eq((int)strlen(dots), 48);
        ck_assert(id >= 0 && id < 4);
        ck_assert_int_eq(k, next[id]++); /* each thread's lines in its order */
    }
    ck_assert_int_eq(lines, 2000);
    free(got);
}
END_TEST

Suite *suite_cli_table(void)
{
    Suite *s = suite_create("cli_table");
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_command_help);
    tcase_add_test(tc, test_table_subcommands_known);
    tcase_add_test(tc, test_help_lists_the_table);
    tcase_add_test(tc, test_docs_cli_md_is_generated);
    tcase_add_test(tc, test_log_level_option);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("log");
    tcase_add_test(tl, test_log_levels_and_prefixes);
    tcase_add_test(tl, test_log_long_line);
    tcase_add_test(tl, test_log_threads_whole_lines);
    suite_add_tcase(s, tl);
    return s;
}
