/*
 * tests/test_synth.c: `cara synth`: byte-identical for a seed, valid identifiers, the
 * headers of domain.md 3.1, nothing after a death, every trigger shape present, and a
 * dataset the loader accepts whole.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "csv_scan.h"
#include "date.h"
#include "ids.h"
#include "load.h"
#include "sha256.h"
#include "suites.h"
#include "synthdata.h"
#include "util.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-synth-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *const FILES[] = {"acos.csv", "providers.csv", "arrangements.csv",
                                    "eligibility.csv", "alignment.csv", "medical_claim.csv"};

static void generate(const char *sub, int64_t n, uint64_t seed)
{
    char out[160], err[256];
    snprintf(out, sizeof out, "%s/%s", dir, sub);
    synth_opts o = {.out_dir = out, .beneficiaries = n, .seed = seed, .year = 2027, .acos = 4};
    synth_counts c;
    ck_assert_msg(synth_run(&o, &c, err, sizeof err) == 0, "%s", err);
    ck_assert_int_gt(c.claim_lines, n * 5);
}

/* The concatenated SHA-256 of the six files. */
static void digest(const char *sub, char *all)
{
    all[0] = '\0';
    for (size_t i = 0; i < 6; i++) {
        char path[256], err[256], hex[65];
        char *buf;
        size_t len;
        snprintf(path, sizeof path, "%s/%s/%s", dir, sub, FILES[i]);
        ck_assert_int_eq(util_read_file(path, 256u << 20, &buf, &len, err, sizeof err), 0);
        sha256_hex(buf, len, hex);
        strcat(all, hex);
        free(buf);
    }
}

/* The same seed gives the same bytes; another seed does not. */
START_TEST(test_deterministic)
{
    char a[6 * 64 + 1], b[6 * 64 + 1], c[6 * 64 + 1];
    generate("a", 1500, 7);
    generate("b", 1500, 7);
    generate("c", 1500, 8);
    digest("a", a);
    digest("b", b);
    digest("c", c);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
}
END_TEST

/* MBIs: valid, never the synthetic S form, distinct. */
START_TEST(test_mbi)
{
    char prev[12] = "", m[12];
    for (uint64_t i = 0; i < 20000; i++) {
        synth_mbi(i, 42, m);
        int synthetic = 1;
        ck_assert_msg(mbi_check(m, 11, &synthetic) == 0, "%s", m);
        ck_assert_int_eq(synthetic, 0);
        ck_assert_str_ne(m, prev);
        memcpy(prev, m, sizeof m);
    }
    char x[12], y[12];
    synth_mbi(12345, 1, x);
    synth_mbi(12346, 1, y);
    ck_assert_str_ne(x, y);
}
END_TEST

/* Walk a generated file and check every row with fn. */
typedef void (*row_fn)(csv_scan *s, void *ud);

static void each_row(const char *file, row_fn fn, void *ud, char *header, size_t hlen)
{
    char path[256], err[256];
    char *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/a/%s", dir, file);
    ck_assert_int_eq(util_read_file(path, 256u << 20, &buf, &len, err, sizeof err), 0);
    const char *nl = strchr(buf, '\n');
    snprintf(header, hlen, "%.*s", (int)(nl - buf), buf);
    csv_scan s;
    csv_scan_init(&s, buf, len);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    while (csv_scan_next(&s) == 1) fn(&s, ud);
    csv_scan_free(&s);
    free(buf);
}

typedef struct claim_stats {
    int eval_fall_risk, ed_fall, ip_injury, snf_func, adjust, cancel, after_death;
    char deaths[4096][12]; /* person -> death date "YYYY-MM-DD" */
    char death_date[4096][11];
    int n_deaths;
} claim_stats;

static int field_is(const csv_scan *s, int i, const char *v)
{
    return s->f[i].len == strlen(v) && memcmp(s->f[i].p, v, s->f[i].len) == 0;
}

static int any_dx(const csv_scan *s, const char *prefix, int principal_only)
{
    for (int k = 0; k < (principal_only ? 1 : 25); k++)
        if (s->f[28 + k].len >= strlen(prefix) && !memcmp(s->f[28 + k].p, prefix, strlen(prefix)))
            return 1;
    return 0;
}

static void death_row(csv_scan *s, void *ud)
{
    claim_stats *st = ud;
    if (s->f[3].len == 10 && st->n_deaths < 4096) {
        snprintf(st->deaths[st->n_deaths], 12, "%.*s", (int)s->f[0].len, s->f[0].p);
        snprintf(st->death_date[st->n_deaths], 11, "%.*s", 10, s->f[3].p);
        st->n_deaths++;
    }
}

static void claim_row(csv_scan *s, void *ud)
{
    claim_stats *st = ud;
    ck_assert_uint_eq(s->n, 54);
    for (int col = 20; col <= 24; col++)
        if (s->f[col].len && (col == 21 || col == 23 ? tin_check(s->f[col].p, s->f[col].len)
                                                     : npi_check(s->f[col].p, s->f[col].len)) != 0)
            ck_abort_msg("bad identifier in column %d: %.*s", col + 1, (int)s->f[col].len, s->f[col].p);
    const char *h = s->f[14].p;
    if (s->f[14].len == 5 && !memcmp(h, "9716", 4) && any_dx(s, "Z9181", 0)) st->eval_fall_risk++;
    if (field_is(s, 12, "131") && field_is(s, 13, "0450") && any_dx(s, "W", 0)) st->ed_fall++;
    if (field_is(s, 12, "111") && any_dx(s, "S72", 1)) st->ip_injury++;
    if (s->f[12].len == 3 && s->f[12].p[0] == '2' && s->f[12].p[1] == '1' && any_dx(s, "Z74", 0)) st->snf_func++;
    if (field_is(s, 53, "2")) st->adjust++;
    if (field_is(s, 53, "1")) st->cancel++;
    for (int i = 0; i < st->n_deaths; i++)
        if (field_is(s, 3, st->deaths[i]) && memcmp(s->f[4].p, st->death_date[i], 10) > 0)
            st->after_death++;
}

/* Headers exactly as domain.md 3.1; identifiers valid; the trigger shapes are there;
 * nothing starts after a death. */
START_TEST(test_contents)
{
    generate("a", 2000, 11);
    static claim_stats st;
    memset(&st, 0, sizeof st);
    char header[2048];
    each_row("eligibility.csv", death_row, &st, header, sizeof header);
    ck_assert_str_eq(header, "person_id,gender,birth_date,death_date,enrollment_start_date,"
                             "enrollment_end_date,dual_status_code,medicare_status_code,"
                             "hospice_flag,state,zip_code");
    ck_assert_int_gt(st.n_deaths, 20); /* ~4% of 2000 */
    each_row("medical_claim.csv", claim_row, &st, header, sizeof header);
    ck_assert(strncmp(header, "claim_id,claim_line_number,claim_type,person_id,", 48) == 0);
    ck_assert_ptr_nonnull(strstr(header, ",diagnosis_code_25,adjustment_type_code"));
    ck_assert_int_gt(st.eval_fall_risk, 0);
    ck_assert_int_gt(st.ed_fall, 0);
    ck_assert_int_gt(st.ip_injury, 0);
    ck_assert_int_gt(st.snf_func, 0);
    ck_assert_int_gt(st.adjust, 0);
    ck_assert_int_gt(st.cancel, 0);
    ck_assert_int_eq(st.after_death, 0);
}
END_TEST

/* The whole dataset passes the loader's validation, every file in one go. */
START_TEST(test_loads_cleanly)
{
    generate("a", 1500, 3);
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    store *s;
    ck_assert_int_eq(store_open(path, STORE_CREATE, &s, err, sizeof err), 0);
    static const char *const order[] = {"acos.csv", "providers.csv", "eligibility.csv",
                                        "alignment.csv", "arrangements.csv", "medical_claim.csv"};
    for (size_t i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/a/%s", dir, order[i]);
        load_opts o = {.max_errors = 5, .err = stderr};
        load_result r;
        ck_assert_msg(load_file(s, path, &o, &r) == 0, "%s rejected (%d errors)", order[i], r.errors);
        ck_assert_int_gt(r.rows, 0);
    }
    store_close(s);
}
END_TEST

/* Usage errors exit 2. */
START_TEST(test_cli_usage)
{
    static const char *const args[] = {"synth", "synth --out x", "synth --out x --beneficiaries 0",
                                       "synth --out x --beneficiaries 10 --seed -1",
                                       "synth --out x --beneficiaries 10 --year 2040"};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >/dev/null 2>&1", dir, getenv("CARA_BIN"), args[i]);
        int st = system(cmd);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 2, "'%s' exited %d", args[i], WEXITSTATUS(st));
    }
}
END_TEST

Suite *suite_synth(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_mbi);
    tcase_add_test(tc, test_contents);
    tcase_add_test(tc, test_loads_cleanly);
    tcase_add_test(tc, test_cli_usage);
    suite_add_tcase(s, tc);
    return s;
}
