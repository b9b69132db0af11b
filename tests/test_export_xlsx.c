/*
 * tests/test_export_xlsx.c: core/export/export_xlsx*.c, the contracting workbook
 * (docs/exports.md). A small export_data built by hand (below, with the hand
 * computation of every figure) is written to a temporary file, then read back by an
 * independent reader, openpyxl (tests/export/xlsx_read.py under /usr/bin/python3, which
 * prints the workbook as JSON): the sheets, the cell types (numbers are numbers, dates
 * dates), the integer target steps, the formulas and their cached values. Without
 * openpyxl the read-back tests print a note and pass. CARA_XLSX_KEEP=1 keeps the
 * workbooks (the path is printed) to open them by hand.
 *
 * The data. Templates:
 *   falls_prevention 1.0.0: base year 2025, trend 300 bps; triggers A $2,000, B $3,200,
 *     C $15,000; age bands 0 (1.0000), 65 (1.0000), 75 (1.0800), 85 (1.1800); HCC
 *     factors 0.85, 1.00, 1.12, 1.25, 1.45 (4+); dual 1.10, non-dual 1.00; winsorized
 *     at the 50th percentile (so that two episodes of a trigger type cap the larger);
 *     min 2 episodes; shares 5000/5000, stop-gain/loss 2000; qa 1000/1500.
 *   functional_independence 2.1.0: base year 2027, no trend; trigger A $5,000; one age
 *     band; HCC 1.00, 1.10 (1+); no dual factor; min 3 episodes.
 * ACOs: A0001 professional (share cap 5000), A0002 global (10000).
 * Arrangements (performance year 2027; trend 2 years for falls: x1.03 x1.03):
 *   E000001 A0001 falls, discount 300 negotiated:
 *     EP1 A, 78 (x1.08), 2 HCCs (x1.12), dual (x1.10): 200000 -> 206000 -> 212180
 *         -> 229154.4 = 229154 -> 256652.48 = 256652 -> 282317.2 = 282317
 *         -> x0.97 273847.49 = 273847 ($2,738.47). Actual 150000, not capped, met.
 *     EP2 B, 70 (x1.00), 0 HCCs (x0.85), non-dual: 320000 -> 329600 -> 339488 -> 339488
 *         -> 288564.8 = 288565 -> 288565 -> x0.97 279908.05 = 279908. Actual 400000,
 *         winsorized 350000 (capped), not met.
 *     2027: N 2, met 1, T 553755, actual 550000, A 500000; gross 53755; Q 5000;
 *       qadj 53755 - round(53755*1000*5000/1e8 = 2687.75 -> 2688) = 51067; share 5000;
 *       pay round(25533.5) = 25534 ($255.34); stop-gain cap round(110751.0) = 110751.
 *     2028: no_episodes, zero money.
 *   E000002 A0001 functional_independence, savings share 4000 negotiated:
 *     EP4 A, HCC 1 (x1.10): 500000 -> 550000. Actual 480000, met.
 *     2027: N 1 < 3: insufficient_volume, payment 0.
 *   E000003 A0002 falls, premium 200 (discount -200), loss share 8000, stop-loss 500
 *     negotiated:
 *     EP6 C, 66 (x1.00), 4 HCCs (x1.45), non-dual: 1500000 -> 1545000 -> 1591350
 *         -> 1591350 -> 2307457.5 = 2307458 -> 2307458 -> x1.02 2353607.16 = 2353607.
 *         Actual 3200000, winsorized 2500000 (capped), met.
 *     EP7 C, 90 (x1.18), 0 HCCs (x0.85), dual: 1591350 -> 1877793 -> 1596124.05 =
 *         1596124 -> 1755736.4 = 1755736 -> x1.02 1790850.72 = 1790851. Actual 2500000.
 *     2027: N 2, met 1, T 4144458, actual 5700000, A 5000000; gross -855542; Q 5000;
 *       qadj -855542 - round(-855542*1500*5000/1e8 = -64165.65 -> -64166) = -791376;
 *       qadj < 0: loss share 8000 (global cap 10000); pay round(-633100.8) = -633101;
 *       stop-loss cap round(4144458*500/10000 = 207222.9) = 207223: pay -207223,
 *       stop_loss.
 * Other episodes: EP3 falls A excluded (hospice), actual 90000; EP5 falls B, 70,
 * 1 HCC, non-dual, unattributed: 339488 (no discount), actual 350000 (not capped).
 * Baseline: falls A 1 episode (sum 150000, no cap); falls B 2 (EP2, EP5: 750000,
 * winsorized 700000, cap 350000, 1 capped); falls C 2 (5700000, 5000000, cap 2500000,
 * 1 capped); functional_independence A 1 (480000); excluded: falls hospice 1.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "export/export.h"
#include "failinject.h"
#include "helpers.h"
#include "suites.h"

/* ---- the data ---------------------------------------------------------------------------- */

static exp_trigger falls_trig[] = {
    {"A", (char *)"risk identified", 200000},
    {"B", (char *)"fall treated in the ED", 320000},
    {"C", (char *)"discharge after a fall injury", 1500000},
};
static exp_age_band falls_age[] = {{0, 10000}, {65, 10000}, {75, 10800}, {85, 11800}};
static int64_t falls_hcc[] = {8500, 10000, 11200, 12500, 14500};
static exp_trigger fi_trig[] = {{"A", (char *)"", 500000}};
static exp_age_band fi_age[] = {{0, 10000}};
static int64_t fi_hcc[] = {10000, 11000};

static exp_template templates[2];
static exp_aco aco_list[2];
static exp_arrangement arrs[3];
static exp_result res1[2], res2[1], res3[1];
static exp_episode eps[7];
static export_data data;

static void tmpl_init(exp_template *t, const char *id, const char *version, int base_year,
                      int64_t trend, int64_t wins, int64_t min_eps)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    snprintf(t->family, sizeof t->family, "%s", id);
    snprintf(t->version, sizeof t->version, "%s", version);
    t->description = (char *)"";
    t->post_days = 179;
    t->base_year = base_year;
    t->trend_bps = trend;
    t->hcc_lookback_days = 180;
    t->winsorize_percentile_bps = wins;
    t->discount_bps = 0;
    t->discount_min_bps = -500;
    t->discount_max_bps = 500;
    t->savings_share_bps = t->loss_share_bps = 5000;
    t->stop_gain_bps = t->stop_loss_bps = 2000;
    t->min_episodes = min_eps;
    t->share_cap_global_bps = 10000;
    t->share_cap_professional_bps = 5000;
    snprintf(t->quality_measure, sizeof t->quality_measure, "codes_within_days");
    t->qa_savings_bps = 1000;
    t->qa_loss_bps = 1500;
}

static void arr_init(exp_arrangement *a, const char *id, const char *aco, const char *npi,
                     const exp_template *t, const char *provider)
{
    memset(a, 0, sizeof *a);
    snprintf(a->arrangement_id, sizeof a->arrangement_id, "%s", id);
    snprintf(a->aco_id, sizeof a->aco_id, "%s", aco);
    snprintf(a->npi, sizeof a->npi, "%s", npi);
    snprintf(a->tin, sizeof a->tin, "%s", "123456789");
    snprintf(a->template_id, sizeof a->template_id, "%s", t->id);
    snprintf(a->status, sizeof a->status, "active");
    snprintf(a->start_date, sizeof a->start_date, "2026-01-01");
    a->provider_name = (char *)provider;
    snprintf(a->specialty, sizeof a->specialty, "physical therapy");
    a->discount_bps = t->discount_bps;
    a->savings_share_bps = t->savings_share_bps;
    a->loss_share_bps = t->loss_share_bps;
    a->stop_gain_bps = t->stop_gain_bps;
    a->stop_loss_bps = t->stop_loss_bps;
    a->tmpl = t;
}

static exp_result result(int period, int64_t n, int64_t met, int64_t t, int64_t actual, int64_t a,
                         const char *status)
{
    exp_result r;
    memset(&r, 0, sizeof r);
    r.period = period;
    r.episodes = n;
    r.quality_met = met;
    r.target_cents = t;
    r.actual_cents = actual;
    r.actual_winsorized_cents = a;
    snprintf(r.status, sizeof r.status, "%s", status);
    return r;
}

static void reconciled(exp_result *r, int64_t gross, int64_t q, int64_t qadj, int64_t share,
                       int64_t pay, const char *cap)
{
    r->has_gross = 1;
    r->gross_cents = gross;
    r->quality_bps = q;
    r->quality_adjusted_cents = qadj;
    r->share_bps = share;
    r->payment_cents = pay;
    snprintf(r->cap_applied, sizeof r->cap_applied, "%s", cap);
}

/* target or winsorized -1: none; met -1: no quality */
static exp_episode episode(const char *id, const char *person, const exp_template *t,
                           const char *type, const char *day0, const char *arr, int64_t target,
                           int64_t actual, int64_t wins, int met, const char *reason)
{
    exp_episode e;
    memset(&e, 0, sizeof e);
    snprintf(e.episode_id, sizeof e.episode_id, "%s", id);
    snprintf(e.person_id, sizeof e.person_id, "%s", person);
    snprintf(e.template_id, sizeof e.template_id, "%s", t->id);
    snprintf(e.template_version, sizeof e.template_version, "%s", t->version);
    snprintf(e.family, sizeof e.family, "%s", t->family);
    snprintf(e.trigger_type, sizeof e.trigger_type, "%s", type);
    snprintf(e.trigger_date, sizeof e.trigger_date, "%s", day0);
    snprintf(e.end_date, sizeof e.end_date, "2027-08-27");
    snprintf(e.aco_id, sizeof e.aco_id, "%s", arr[0] ? (strcmp(arr, "E000003") ? "A0001" : "A0002") : "");
    snprintf(e.arrangement_id, sizeof e.arrangement_id, "%s", arr);
    snprintf(e.attribution_method, sizeof e.attribution_method, "%s",
             reason ? "" : arr[0] ? "trigger" : "unattributed");
    e.has_target = target >= 0;
    e.target_cents = target >= 0 ? target : 0;
    e.actual_cents = actual;
    e.has_winsorized = wins >= 0;
    e.actual_winsorized_cents = wins >= 0 ? wins : 0;
    e.has_quality = met >= 0;
    e.quality_met = met > 0;
    snprintf(e.status, sizeof e.status, "%s", reason ? "excluded" : "final");
    snprintf(e.exclusion_reason, sizeof e.exclusion_reason, "%s", reason ? reason : "");
    e.age = -1;
    e.dual = -1;
    return e;
}

static void build(export_data *d)
{
    exp_template *falls = &templates[0], *fi = &templates[1];
    tmpl_init(falls, "falls_prevention", "1.0.0", 2025, 300, 5000, 2);
    falls->triggers = falls_trig;
    falls->n_triggers = 3;
    falls->age_bands = falls_age;
    falls->n_age_bands = 4;
    falls->hcc_factors = falls_hcc;
    falls->n_hcc_factors = 5;
    falls->dual_factor = 11000;
    falls->non_dual_factor = 10000;
    falls->quality_description = (char *)"3288F or 0518F within 30 days";
    tmpl_init(fi, "functional_independence", "2.1.0", 2027, 0, 9900, 3);
    fi->triggers = fi_trig;
    fi->n_triggers = 1;
    fi->age_bands = fi_age;
    fi->n_age_bands = 1;
    fi->hcc_factors = fi_hcc;
    fi->n_hcc_factors = 2;
    fi->dual_factor = fi->non_dual_factor = 10000;
    /* control characters, markup, a literal Excel escape and a byte that is not UTF-8 */
    fi->quality_description = (char *)"no readmission\x01 <30 days> & _x0041_ \xff end";

    memset(aco_list, 0, sizeof aco_list);
    snprintf(aco_list[0].aco_id, sizeof aco_list[0].aco_id, "A0001");
    snprintf(aco_list[0].track, sizeof aco_list[0].track, "professional");
    aco_list[0].name = (char *)"First ACO";
    snprintf(aco_list[1].aco_id, sizeof aco_list[1].aco_id, "A0002");
    snprintf(aco_list[1].track, sizeof aco_list[1].track, "global");
    aco_list[1].name = (char *)"Second ACO";

    arr_init(&arrs[0], "E000001", "A0001", "1000000001", falls, "Dr. Ada Fall");
    arrs[0].discount_bps = 300;
    arrs[0].negotiated = 1u << EXP_TERM_DISCOUNT;
    res1[0] = result(2027, 2, 1, 553755, 550000, 500000, "final");
    reconciled(&res1[0], 53755, 5000, 51067, 5000, 25534, "");
    res1[0].leakage_paid_cents = 12000;
    res1[1] = result(2028, 0, 0, 0, 0, 0, "no_episodes");
    arrs[0].results = res1;
    arrs[0].n_results = 2;

    arr_init(&arrs[1], "E000002", "A0001", "1000000002", fi, "Tab\there\nNew line & <b>");
    arrs[1].savings_share_bps = 4000;
    arrs[1].negotiated = 1u << EXP_TERM_SAVINGS_SHARE;
    res2[0] = result(2027, 1, 1, 550000, 480000, 480000, "insufficient_volume");
    arrs[1].results = res2;
    arrs[1].n_results = 1;

    arr_init(&arrs[2], "E000003", "A0002", "1000000003", falls, "Grace Hopper Clinic");
    arrs[2].discount_bps = -200;
    arrs[2].loss_share_bps = 8000;
    arrs[2].stop_loss_bps = 500;
    arrs[2].negotiated = 1u << EXP_TERM_DISCOUNT | 1u << EXP_TERM_LOSS_SHARE | 1u << EXP_TERM_STOP_LOSS;
    snprintf(arrs[2].end_date, sizeof arrs[2].end_date, "2027-12-31");
    res3[0] = result(2027, 2, 1, 4144458, 5700000, 5000000, "final");
    reconciled(&res3[0], -855542, 5000, -791376, 8000, -207223, "stop_loss");
    arrs[2].results = res3;
    arrs[2].n_results = 1;

    eps[0] = episode("EP1", "P1", falls, "A", "2027-03-01", "E000001", 273847, 150000, 150000, 1, NULL);
    eps[1] = episode("EP2", "P2", falls, "B", "2027-04-10", "E000001", 279908, 400000, 350000, 0, NULL);
    eps[2] = episode("EP3", "P3", falls, "A", "2027-05-01", "", -1, 90000, -1, -1, "hospice");
    eps[3] = episode("EP4", "P4", fi, "A", "2027-06-01", "E000002", 550000, 480000, 480000, 1, NULL);
    eps[4] = episode("EP5", "P5", falls, "B", "2027-07-15", "", 339488, 350000, 350000, 0, NULL);
    eps[5] = episode("EP6", "P6", falls, "C", "2027-02-01", "E000003", 2353607, 3200000, 2500000, 1, NULL);
    eps[6] = episode("EP7", "P7", falls, "C", "2027-09-30", "E000003", 1790851, 2500000, 2500000, 0, NULL);

    memset(d, 0, sizeof *d);
    d->run_id = 42;
    snprintf(d->run_status, sizeof d->run_status, "done");
    snprintf(d->run_finished_at, sizeof d->run_finished_at, "2028-01-20T08:30:00Z");
    snprintf(d->as_of_date, sizeof d->as_of_date, "2027-12-31");
    snprintf(d->generated_at, sizeof d->generated_at, "2028-02-01T09:15:30Z");
    snprintf(d->scope_label, sizeof d->scope_label, "every ACO");
    d->templates = templates;
    d->n_templates = 2;
    d->acos = aco_list;
    d->n_acos = 2;
    d->arrs = arrs;
    d->n_arrs = 3;
    d->eps = eps;
    d->n_eps = 7;
}

/* ---- reading the workbook back ----------------------------------------------------------- */

static char dir[64];
static json_t *books;      /* the reader's JSON of the three workbooks below (owned) */
static json_t *book;       /* the workbook of `data` */
static json_t *book_sum;   /* ... of the same data with EP2 missing (Summary fallback) */
static json_t *book_empty; /* ... of an empty export_data */
static int have_reader;

/* Run the reader on the n paths; its JSON ({path: workbook}), or NULL when openpyxl is
 * missing (exit 3). */
static json_t *read_books(const char *const *paths, size_t n)
{
    char cmd[1024];
    int o = snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/export/xlsx_read.py'",
                     getenv("CARA_SRC") ? getenv("CARA_SRC") : ".");
    for (size_t i = 0; i < n; i++) o += snprintf(cmd + o, sizeof cmd - (size_t)o, " '%s'", paths[i]);
    ck_assert_int_lt(o, (int)sizeof cmd);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (size_t k; (k = fread(buf + len, 1, cap - len - 1, p)) > 0;) {
        len += k;
        if (cap - len < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    buf[len] = '\0';
    int st = pclose(p);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (code == 3) {
        free(buf);
        return NULL;
    }
    ck_assert_msg(code == 0, "%s exited %d", cmd, code);
    json_error_t je;
    json_t *j = json_loads(buf, 0, &je);
    ck_assert_msg(j != NULL, "reader output is not JSON: %s", je.text);
    free(buf);
    return j;
}

static void write_book(const export_data *d, const char *name, char *path, size_t len)
{
    char err[512];
    snprintf(path, len, "%s/%s", dir, name);
    int rc = export_xlsx_write(d, path, err, sizeof err);
    ck_assert_msg(rc == 0, "export_xlsx_write: %s", err);
}

static void setup_once(void)
{
    char path[3][128];
    th_tmpdir(dir, "cara-xlsx");
    build(&data);
    write_book(&data, "book.xlsx", path[0], sizeof path[0]);
    /* the same data without EP2: E000001's 2027 result no longer adds up from Episodes */
    export_data d2 = data;
    exp_episode less[6];
    memcpy(less, eps, sizeof eps[0]);
    memcpy(less + 1, eps + 2, 5 * sizeof eps[0]);
    d2.eps = less;
    d2.n_eps = 6;
    write_book(&d2, "fallback.xlsx", path[1], sizeof path[1]);
    /* no arrangement, no episode, no template */
    export_data d3;
    memset(&d3, 0, sizeof d3);
    write_book(&d3, "empty.xlsx", path[2], sizeof path[2]);
    have_reader = th_sh("test -x /usr/bin/python3 && /usr/bin/python3 -c 'import openpyxl' "
                        "2>/dev/null") == 0;
    if (have_reader) {
        const char *const p[3] = {path[0], path[1], path[2]};
        books = read_books(p, 3);
        book = json_object_get(books, path[0]);
        book_sum = json_object_get(books, path[1]);
        book_empty = json_object_get(books, path[2]);
        have_reader = book && book_sum && book_empty;
    }
    if (!have_reader)
        printf("export_xlsx: /usr/bin/python3 has no openpyxl: the workbook is not read back "
               "(install python3-openpyxl)\n");
}

static void teardown_once(void)
{
    json_decref(books);
    books = book = book_sum = book_empty = NULL;
    if (getenv("CARA_XLSX_KEEP")) /* to open them by hand */
        printf("export_xlsx: the workbooks are kept in %s\n", dir);
    else
        th_rmdir(dir);
}

#define NEED_READER()                                                                  \
    do {                                                                               \
        if (!have_reader) {                                                            \
            printf("%s: skipped (no openpyxl)\n", __func__);                           \
            return;                                                                    \
        }                                                                              \
    } while (0)

/* The cell "Sheet!A1" of b (NULL when empty). */
static json_t *cell(json_t *b, const char *sheet, const char *ref)
{
    char key[96];
    snprintf(key, sizeof key, "%s!%s", sheet, ref);
    return json_object_get(json_object_get(b, "cells"), key);
}

static void col_letters(int c, char out[8])
{
    char tmp[8];
    int n = 0;
    for (int v = c + 1; v > 0; v = (v - 1) / 26) tmp[n++] = (char)('A' + (v - 1) % 26);
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* The column whose header (on row head) is name; fails the test when none is. */
static void col_of(json_t *b, const char *sheet, int head, const char *name, char out[8])
{
    for (int c = 0; c < 200; c++) {
        char ref[32];
        col_letters(c, out);
        snprintf(ref, sizeof ref, "%s%d", out, head);
        json_t *h = cell(b, sheet, ref);
        if (h && json_is_string(json_object_get(h, "v")) &&
            strcmp(json_string_value(json_object_get(h, "v")), name) == 0)
            return;
    }
    ck_abort_msg("sheet %s has no column \"%s\" on row %d", sheet, name, head);
}

/* The cell of column `name` (header on row head) on row r; NULL when empty. */
static json_t *at(json_t *b, const char *sheet, int head, const char *name, int r)
{
    char col[8], ref[32];
    col_of(b, sheet, head, name, col);
    snprintf(ref, sizeof ref, "%s%d", col, r);
    return cell(b, sheet, ref);
}

static const char *type_of(json_t *c)
{
    return c ? json_string_value(json_object_get(c, "t")) : "(empty)";
}

/* A numeric cell's value; fails unless the cell is a number. */
static double num(json_t *c)
{
    ck_assert_msg(c != NULL, "empty cell");
    ck_assert_str_eq(type_of(c), "n");
    ck_assert(json_is_number(json_object_get(c, "v")));
    return json_number_value(json_object_get(c, "v"));
}

/* A money cell in cents: a number with the currency format. */
static long long cents(json_t *c)
{
    double v = num(c);
    ck_assert_str_eq(json_string_value(json_object_get(c, "fmt")), "$#,##0.00");
    return llround(v * 100.0);
}

static const char *text(json_t *c)
{
    ck_assert_msg(c != NULL, "empty cell");
    ck_assert_str_eq(type_of(c), "s");
    return json_string_value(json_object_get(c, "v"));
}

/* The formula of a cell ("=..."); fails when it has none. */
static const char *formula(json_t *c)
{
    ck_assert_msg(c != NULL, "empty cell");
    const char *f = json_string_value(json_object_get(c, "f"));
    ck_assert_msg(f != NULL, "the cell has no formula");
    return f;
}

#define S_ROW(b, name, r) at((b), "Summary", 8, (name), (r))
#define T_ROW(b, sheet, name, r) at((b), (sheet), 2, (name), (r))

/* ---- the tests --------------------------------------------------------------------------- */

START_TEST(test_sheets)
{
    NEED_READER();
    static const char *names[] = {"Summary", "Terms", "Target prices", "Baseline", "Episodes",
                                  "Projected payment"};
    json_t *sheets = json_object_get(book, "sheets");
    ck_assert_int_eq(json_array_size(sheets), 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(json_string_value(json_array_get(sheets, i)), names[i]);
    ck_assert(json_is_true(json_object_get(book, "xml_ok")));
    /* header rows frozen, an autofilter on each table, widths set */
    json_t *fr = json_object_get(book, "freeze"), *fl = json_object_get(book, "filter");
    ck_assert_str_eq(json_string_value(json_object_get(fr, "Summary")), "B9");
    ck_assert_str_eq(json_string_value(json_object_get(fl, "Summary")), "A8:U12");
    ck_assert_str_eq(json_string_value(json_object_get(fr, "Terms")), "B3");
    ck_assert_str_eq(json_string_value(json_object_get(fl, "Terms")), "A2:AJ5");
    /* 240 falls rows (2 years x 3 triggers x 4 ages x 5 HCC x 2) + 4: rows 3..246;
     * three arrangement columns after X */
    ck_assert_str_eq(json_string_value(json_object_get(fl, "Target prices")), "A2:AA246");
    ck_assert_str_eq(json_string_value(json_object_get(fr, "Target prices")), "E3");
    ck_assert_str_eq(json_string_value(json_object_get(fl, "Baseline")), "A2:K6");
    ck_assert_str_eq(json_string_value(json_object_get(fl, "Episodes")), "A2:S9");
    ck_assert_str_eq(json_string_value(json_object_get(fr, "Projected payment")), "C3");
    ck_assert_str_eq(json_string_value(json_object_get(fl, "Projected payment")), "A2:AB6");
    json_t *w = json_object_get(json_object_get(book, "widths"), "Terms");
    ck_assert(json_number_value(json_object_get(w, "AH")) > 40);
}
END_TEST

START_TEST(test_summary)
{
    NEED_READER();
    ck_assert_int_eq((int)num(cell(book, "Summary", "B2")), 42);
    json_t *asof = cell(book, "Summary", "B3");
    ck_assert_str_eq(type_of(asof), "d");
    ck_assert_str_eq(json_string_value(json_object_get(asof, "v")), "2027-12-31T00:00:00");
    json_t *gen = cell(book, "Summary", "B4");
    ck_assert_str_eq(type_of(gen), "d");
    ck_assert_str_eq(json_string_value(json_object_get(gen, "v")), "2028-02-01T09:15:30");
    ck_assert_str_eq(text(cell(book, "Summary", "B5")), "every ACO");
    /* row 9: E000001 2027 */
    ck_assert_str_eq(text(S_ROW(book, "arrangement_id", 9)), "E000001");
    ck_assert_str_eq(text(S_ROW(book, "provider", 9)), "Dr. Ada Fall");
    ck_assert_str_eq(text(S_ROW(book, "version", 9)), "1.0.0");
    ck_assert_int_eq((int)num(S_ROW(book, "period", 9)), 2027);
    ck_assert_int_eq((int)num(S_ROW(book, "episodes", 9)), 2);
    ck_assert_int_eq(cents(S_ROW(book, "target", 9)), 553755);
    ck_assert_int_eq(cents(S_ROW(book, "actual", 9)), 550000);
    ck_assert_int_eq(cents(S_ROW(book, "winsorized actual", 9)), 500000);
    json_t *gross = S_ROW(book, "gross (target - winsorized)", 9);
    ck_assert_str_eq(formula(gross), "=ROUND(K9-M9,2)");
    ck_assert_int_eq(cents(gross), 53755);
    json_t *q = S_ROW(book, "quality %", 9);
    ck_assert_str_eq(json_string_value(json_object_get(q, "fmt")), "0.00%");
    ck_assert(fabs(num(q) - 0.5) < 1e-12);
    ck_assert_int_eq(cents(S_ROW(book, "quality-adjusted", 9)), 51067);
    ck_assert(fabs(num(S_ROW(book, "share %", 9)) - 0.5) < 1e-12);
    ck_assert_int_eq(cents(S_ROW(book, "payment", 9)), 25534);
    ck_assert_int_eq(cents(S_ROW(book, "leakage paid", 9)), 12000);
    ck_assert_str_eq(text(S_ROW(book, "status", 9)), "final");
    /* row 10: the 2028 no_episodes row, row 11 E000002 insufficient: no reconciliation */
    ck_assert_str_eq(text(S_ROW(book, "status", 10)), "no_episodes");
    ck_assert_int_eq(cents(S_ROW(book, "payment", 10)), 0);
    ck_assert_str_eq(text(S_ROW(book, "status", 11)), "insufficient_volume");
    ck_assert_ptr_null(S_ROW(book, "gross (target - winsorized)", 11));
    ck_assert_ptr_null(S_ROW(book, "share %", 11));
    /* a provider name with a tab, a newline and markup comes back as written */
    ck_assert_str_eq(text(S_ROW(book, "provider", 11)), "Tab\there\nNew line & <b>");
    /* row 12: E000003, the stop-loss */
    ck_assert_int_eq(cents(S_ROW(book, "payment", 12)), -207223);
    ck_assert_str_eq(text(S_ROW(book, "cap applied", 12)), "stop_loss");
}
END_TEST

START_TEST(test_terms)
{
    NEED_READER();
    const char *s = "Terms";
    ck_assert_str_eq(text(T_ROW(book, s, "arrangement_id", 3)), "E000001");
    ck_assert_str_eq(text(T_ROW(book, s, "track", 3)), "professional");
    ck_assert_int_eq((int)num(T_ROW(book, s, "discount bps", 3)), 300);
    json_t *pct = T_ROW(book, s, "discount %", 3);
    ck_assert_str_eq(formula(pct), "=M3/10000");
    ck_assert(fabs(num(pct) - 0.03) < 1e-12);
    ck_assert_str_eq(text(T_ROW(book, s, "discount or premium", 3)), "discount");
    ck_assert_str_eq(text(T_ROW(book, s, "discount term", 3)), "negotiated");
    ck_assert_str_eq(text(T_ROW(book, s, "savings share term", 3)), "template default");
    ck_assert_int_eq((int)num(T_ROW(book, s, "savings share bps", 3)), 5000);
    ck_assert_int_eq((int)num(T_ROW(book, s, "track share cap bps", 3)), 5000);
    ck_assert_int_eq((int)num(T_ROW(book, s, "min episodes", 3)), 2);
    ck_assert_int_eq((int)num(T_ROW(book, s, "qa_savings bps", 3)), 1000);
    ck_assert_int_eq((int)num(T_ROW(book, s, "qa_loss bps", 3)), 1500);
    ck_assert_int_eq((int)num(T_ROW(book, s, "discount min bps", 3)), -500);
    ck_assert_str_eq(type_of(T_ROW(book, s, "start", 3)), "d");
    ck_assert_ptr_null(T_ROW(book, s, "end", 3));
    ck_assert_str_eq(text(T_ROW(book, s, "quality measure description", 3)),
                     "3288F or 0518F within 30 days");
    /* E000002: the negotiated savings share; the description made safe: the control
     * character as Excel's _x0001_, the literal _x0041_ escaped (_x005F_ is '_'), the
     * byte that is not UTF-8 as U+FFFD */
    ck_assert_str_eq(text(T_ROW(book, s, "savings share term", 4)), "negotiated");
    ck_assert_int_eq((int)num(T_ROW(book, s, "savings share bps", 4)), 4000);
    ck_assert_str_eq(text(T_ROW(book, s, "quality measure description", 4)),
                     "no readmission_x0001_ <30 days> & _x005F_x0041_ \xEF\xBF\xBD end");
    /* E000003: a premium, three negotiated terms, the global track */
    ck_assert_int_eq((int)num(T_ROW(book, s, "discount bps", 5)), -200);
    ck_assert_str_eq(text(T_ROW(book, s, "discount or premium", 5)), "premium");
    ck_assert_str_eq(text(T_ROW(book, s, "loss share term", 5)), "negotiated");
    ck_assert_str_eq(text(T_ROW(book, s, "stop-loss term", 5)), "negotiated");
    ck_assert_str_eq(text(T_ROW(book, s, "stop-gain term", 5)), "template default");
    ck_assert(fabs(num(T_ROW(book, s, "stop-loss %", 5)) - 0.05) < 1e-12);
    ck_assert_int_eq((int)num(T_ROW(book, s, "track share cap bps", 5)), 10000);
    ck_assert_str_eq(type_of(T_ROW(book, s, "end", 5)), "d");
}
END_TEST

/* The Target prices row of template, year, trigger, min age, HCC count, dual ("dual" or
 * "non-dual"); fails when there is none. */
static int price_row(const char *tmpl, int year, const char *trig, int age, int hcc, const char *dual)
{
    const char *s = "Target prices";
    char ct[8], cy[8], cg[8], ca[8], ch[8], cd[8];
    col_of(book, s, 2, "template", ct);
    col_of(book, s, 2, "performance year", cy);
    col_of(book, s, 2, "trigger", cg);
    col_of(book, s, 2, "min age", ca);
    col_of(book, s, 2, "HCC count (min)", ch);
    col_of(book, s, 2, "dual status", cd);
    for (int r = 3; r < 400; r++) {
        char ref[32];
        json_t *c;
#define IS(col, pred) (snprintf(ref, sizeof ref, "%s%d", col, r), c = cell(book, s, ref), c && (pred))
#define V(c) json_object_get(c, "v")
        if (IS(ct, strcmp(json_string_value(V(c)), tmpl) == 0) &&
            IS(cy, json_number_value(V(c)) == year) &&
            IS(cg, strcmp(json_string_value(V(c)), trig) == 0) &&
            IS(ca, json_number_value(V(c)) == age) && IS(ch, json_number_value(V(c)) == hcc) &&
            IS(cd, strcmp(json_string_value(V(c)), dual) == 0))
            return r;
#undef IS
#undef V
    }
    ck_abort_msg("no target price row %s %d %s %d %d %s", tmpl, year, trig, age, hcc, dual);
    return -1;
}

/* Each step's integer value and its formula's cached value. */
static void steps(int r, long long trend, long long age, long long hcc, long long target)
{
    const char *s = "Target prices";
    static const char *v[] = {"after trend", "after age", "after HCC", "target before discount"};
    const long long want[] = {trend, age, hcc, target};
    for (int k = 0; k < 4; k++) {
        char f[64];
        snprintf(f, sizeof f, "%s (formula)", v[k]);
        json_t *val = T_ROW(book, s, v[k], r), *fc = T_ROW(book, s, f, r);
        ck_assert(json_is_null(json_object_get(val, "f"))); /* a plain number */
        ck_assert_int_eq(cents(val), want[k]);
        formula(fc);
        ck_assert_int_eq(cents(fc), want[k]);
    }
}

START_TEST(test_target_prices)
{
    NEED_READER();
    const char *s = "Target prices";
    /* the hand computation of the brief: falls A, 75-84, 2 HCCs, dual, 2027 */
    int r = price_row("falls_prevention", 2027, "A", 75, 2, "dual");
    ck_assert_int_eq(cents(T_ROW(book, s, "base", r)), 200000);
    ck_assert(fabs(num(T_ROW(book, s, "trend factor", r)) - 1.03) < 1e-12);
    ck_assert_int_eq((int)num(T_ROW(book, s, "trend years", r)), 2);
    ck_assert(fabs(num(T_ROW(book, s, "age factor", r)) - 1.08) < 1e-12);
    ck_assert_str_eq(text(T_ROW(book, s, "age band", r)), "75-84");
    ck_assert_str_eq(text(T_ROW(book, s, "HCC count", r)), "2");
    steps(r, 212180, 229154, 256652, 282317);
    /* the formulas: nested ROUNDs for the two trend years, then one per factor */
    char want[128];
    snprintf(want, sizeof want, "=ROUND(ROUND(N%d*O%d,2)*O%d,2)", r, r, r);
    ck_assert_str_eq(formula(T_ROW(book, s, "after trend (formula)", r)), want);
    snprintf(want, sizeof want, "=ROUND(U%d*H%d,2)", r, r);
    ck_assert_str_eq(formula(T_ROW(book, s, "after age (formula)", r)), want);
    snprintf(want, sizeof want, "=ROUND(W%d*M%d,2)", r, r);
    ck_assert_str_eq(formula(T_ROW(book, s, "target before discount (formula)", r)), want);
    /* discounted per arrangement: E000001 300 bps -> 273847 ($2,738.47); E000003's
     * premium 200 bps: 282317 x 1.02 = 287963.34 -> 287963; E000002 is another template */
    json_t *d1 = T_ROW(book, s, "E000001 discounted target", r);
    snprintf(want, sizeof want, "=ROUND(X%d*(1-Terms!$M$3/10000),2)", r);
    ck_assert_str_eq(formula(d1), want);
    ck_assert_int_eq(cents(d1), 273847);
    ck_assert_int_eq(cents(T_ROW(book, s, "E000003 discounted target", r)), 287963);
    ck_assert_ptr_null(T_ROW(book, s, "E000002 discounted target", r));
    /* 2028, three trend years: 212180 x 1.03 = 218545.4 -> 218545; 0-64 (x1.00); 0 HCCs
     * x0.85 = 185763.25 -> 185763; non-dual; E000001: x0.97 = 180190.11 -> 180190 */
    r = price_row("falls_prevention", 2028, "A", 0, 0, "non-dual");
    ck_assert_str_eq(text(T_ROW(book, s, "age band", r)), "0-64");
    steps(r, 218545, 218545, 185763, 185763);
    ck_assert_int_eq(cents(T_ROW(book, s, "E000001 discounted target", r)), 180190);
    /* EP6 and EP7's prices (the header's computation) */
    r = price_row("falls_prevention", 2027, "C", 65, 4, "non-dual");
    ck_assert_str_eq(text(T_ROW(book, s, "HCC count", r)), "4+");
    steps(r, 1591350, 1591350, 2307458, 2307458);
    ck_assert_int_eq(cents(T_ROW(book, s, "E000003 discounted target", r)), 2353607);
    r = price_row("falls_prevention", 2027, "C", 85, 0, "dual");
    ck_assert_str_eq(text(T_ROW(book, s, "age band", r)), "85+");
    steps(r, 1591350, 1877793, 1596124, 1755736);
    ck_assert_int_eq(cents(T_ROW(book, s, "E000003 discounted target", r)), 1790851);
    /* functional independence, base year = the year: no trend, the value is the base */
    r = price_row("functional_independence", 2027, "A", 0, 1, "non-dual");
    ck_assert_int_eq((int)num(T_ROW(book, s, "trend years", r)), 0);
    snprintf(want, sizeof want, "=N%d", r);
    ck_assert_str_eq(formula(T_ROW(book, s, "after trend (formula)", r)), want);
    steps(r, 500000, 500000, 550000, 550000);
    ck_assert_int_eq(cents(T_ROW(book, s, "E000002 discounted target", r)), 550000);
    ck_assert_ptr_null(T_ROW(book, s, "E000001 discounted target", r));
}
END_TEST

START_TEST(test_target_integers)
{
    /* the same steps with money_apply_factor, independent of the workbook */
    int64_t v = 200000;
    v = money_apply_factor(v, 10300);
    ck_assert_int_eq(v, 206000);
    v = money_apply_factor(v, 10300);
    ck_assert_int_eq(v, 212180);
    v = money_apply_factor(v, 10800);
    ck_assert_int_eq(v, 229154); /* 229154.4 */
    v = money_apply_factor(v, 11200);
    ck_assert_int_eq(v, 256652); /* 256652.48 */
    v = money_apply_factor(v, 11000);
    ck_assert_int_eq(v, 282317); /* 282317.2 */
    ck_assert_int_eq(money_apply_factor(v, 9700), 273847);   /* 273847.49 */
    ck_assert_int_eq(money_apply_factor(1591350, 14500), 2307458); /* 2307457.5: half up */
}
END_TEST

START_TEST(test_baseline)
{
    NEED_READER();
    const char *s = "Baseline";
    /* rows: falls A, B, C, functional_independence A */
    ck_assert_str_eq(text(T_ROW(book, s, "trigger", 3)), "A");
    ck_assert_int_eq((int)num(T_ROW(book, s, "episodes", 3)), 1);
    ck_assert_str_eq(text(T_ROW(book, s, "winsorization cap", 3)), "none");
    ck_assert_str_eq(text(T_ROW(book, s, "trigger", 4)), "B");
    ck_assert_int_eq((int)num(T_ROW(book, s, "episodes", 4)), 2);
    ck_assert_int_eq(cents(T_ROW(book, s, "sum actual", 4)), 750000);
    json_t *avg = T_ROW(book, s, "average actual", 4);
    ck_assert_str_eq(formula(avg), "=E4/D4");
    ck_assert_int_eq(cents(avg), 375000);
    ck_assert_int_eq(cents(T_ROW(book, s, "sum winsorized", 4)), 700000);
    ck_assert_int_eq(cents(T_ROW(book, s, "average winsorized", 4)), 350000);
    ck_assert_int_eq(cents(T_ROW(book, s, "winsorization cap", 4)), 350000);
    ck_assert_int_eq((int)num(T_ROW(book, s, "episodes capped", 4)), 1);
    ck_assert(fabs(num(T_ROW(book, s, "winsorization percentile", 4)) - 0.5) < 1e-12);
    ck_assert_str_eq(text(T_ROW(book, s, "trigger", 5)), "C");
    ck_assert_int_eq(cents(T_ROW(book, s, "sum actual", 5)), 5700000);
    ck_assert_int_eq(cents(T_ROW(book, s, "winsorization cap", 5)), 2500000);
    ck_assert_str_eq(text(T_ROW(book, s, "template", 6)), "functional_independence");
    ck_assert_int_eq(cents(T_ROW(book, s, "sum actual", 6)), 480000);
    /* the excluded block: a blank row, its title (row 8), its header (9), its rows */
    ck_assert_str_eq(text(cell(book, s, "C9")), "exclusion reason");
    ck_assert_str_eq(text(cell(book, s, "A10")), "falls_prevention");
    ck_assert_str_eq(text(cell(book, s, "C10")), "hospice");
    ck_assert_int_eq((int)num(cell(book, s, "D10")), 1);
    ck_assert_ptr_null(cell(book, s, "A11"));
}
END_TEST

START_TEST(test_episodes)
{
    NEED_READER();
    const char *s = "Episodes";
    ck_assert_str_eq(text(T_ROW(book, s, "episode_id", 3)), "EP1");
    json_t *d = T_ROW(book, s, "trigger date", 3);
    ck_assert_str_eq(type_of(d), "d");
    ck_assert_str_eq(json_string_value(json_object_get(d, "v")), "2027-03-01T00:00:00");
    ck_assert_str_eq(json_string_value(json_object_get(d, "fmt")), "yyyy-mm-dd");
    ck_assert_str_eq(type_of(T_ROW(book, s, "end date", 3)), "d");
    ck_assert_int_eq((int)num(T_ROW(book, s, "period", 3)), 2027);
    ck_assert_int_eq(cents(T_ROW(book, s, "target", 3)), 273847);
    ck_assert_int_eq(cents(T_ROW(book, s, "actual", 3)), 150000);
    ck_assert_int_eq((int)num(T_ROW(book, s, "quality met (1 yes, 0 no)", 3)), 1);
    ck_assert_str_eq(text(T_ROW(book, s, "attribution method", 3)), "trigger");
    /* EP3, excluded: no target, no winsorized actual, no quality; its reason */
    ck_assert_ptr_null(T_ROW(book, s, "target", 5));
    ck_assert_ptr_null(T_ROW(book, s, "winsorized actual", 5));
    ck_assert_ptr_null(T_ROW(book, s, "quality met (1 yes, 0 no)", 5));
    ck_assert_str_eq(text(T_ROW(book, s, "status", 5)), "excluded");
    ck_assert_str_eq(text(T_ROW(book, s, "exclusion reason", 5)), "hospice");
    ck_assert_int_eq(cents(T_ROW(book, s, "actual", 5)), 90000);
    ck_assert_str_eq(text(T_ROW(book, s, "episode_id", 9)), "EP7");
}
END_TEST

/* Projected payment row r: its payment, cached, equals the run's and the difference is 0. */
static void projected_pays(json_t *b, int r, long long pay)
{
    const char *s = "Projected payment";
    json_t *p = T_ROW(b, s, "projected payment", r);
    ck_assert_msg(strncmp(formula(p), "=IF(OR(N", 8) == 0, "%s", formula(p));
    ck_assert_int_eq(cents(p), pay);
    ck_assert_int_eq(cents(T_ROW(b, s, "run payment (Summary)", r)), pay);
    ck_assert_int_eq(cents(T_ROW(b, s, "difference", r)), 0);
}

START_TEST(test_projected)
{
    NEED_READER();
    const char *s = "Projected payment";
    /* row 3: E000001 2027, from Episodes */
    ck_assert_str_eq(text(T_ROW(book, s, "N, met, T, A from", 3)), "Episodes");
    json_t *n = T_ROW(book, s, "N episodes", 3);
    ck_assert_str_eq(formula(n), "=COUNTIFS(Episodes!$J$3:$J$9,A3,Episodes!$H$3:$H$9,B3,"
                                 "Episodes!$R$3:$R$9,\"<>excluded\")");
    ck_assert_int_eq((int)num(n), 2);
    ck_assert_int_eq((int)num(T_ROW(book, s, "quality met", 3)), 1);
    json_t *t = T_ROW(book, s, "T target", 3);
    ck_assert_str_eq(formula(t), "=ROUND(SUMIFS(Episodes!$N$3:$N$9,Episodes!$J$3:$J$9,A3,"
                                 "Episodes!$H$3:$H$9,B3,Episodes!$R$3:$R$9,\"<>excluded\"),2)");
    ck_assert_int_eq(cents(t), 553755);
    ck_assert_int_eq(cents(T_ROW(book, s, "A winsorized actual", 3)), 500000);
    json_t *mn = T_ROW(book, s, "min episodes", 3);
    ck_assert_str_eq(formula(mn), "=Terms!$AF$3");
    ck_assert_int_eq((int)num(mn), 2);
    json_t *g = T_ROW(book, s, "gross = T - A", 3);
    ck_assert_str_eq(formula(g), "=IF(OR(N3=0,N3<F3),0,ROUND(P3-Q3,2))");
    ck_assert_int_eq(cents(g), 53755);
    ck_assert(fabs(num(T_ROW(book, s, "Q% = met / N", 3)) - 0.5) < 1e-12);
    json_t *qa = T_ROW(book, s, "quality-adjusted", 3);
    ck_assert_str_eq(formula(qa), "=IF(OR(N3=0,N3<F3),0,IF(R3>0,R3-ROUND(R3*L3/10000*(1-S3),2),"
                                  "R3-ROUND(R3*M3/10000*S3,2)))");
    ck_assert_int_eq(cents(qa), 51067);
    ck_assert_int_eq((int)num(T_ROW(book, s, "share bps", 3)), 5000);
    ck_assert_int_eq(cents(T_ROW(book, s, "payment before caps", 3)), 25534);
    ck_assert_int_eq(cents(T_ROW(book, s, "stop-gain cap", 3)), 110751);
    projected_pays(book, 3, 25534);
    /* row 4: E000001 2028, no episodes: every formula gives 0 */
    ck_assert_int_eq((int)num(T_ROW(book, s, "N episodes", 4)), 0);
    projected_pays(book, 4, 0);
    /* row 5: E000002, 1 episode < 3: insufficient volume, 0 */
    ck_assert_int_eq((int)num(T_ROW(book, s, "N episodes", 5)), 1);
    ck_assert_int_eq(cents(T_ROW(book, s, "gross = T - A", 5)), 0);
    projected_pays(book, 5, 0);
    /* row 6: E000003, the loss and the stop-loss */
    ck_assert_int_eq(cents(T_ROW(book, s, "gross = T - A", 6)), -855542);
    ck_assert_int_eq(cents(T_ROW(book, s, "quality-adjusted", 6)), -791376);
    ck_assert_int_eq((int)num(T_ROW(book, s, "share bps", 6)), 8000);
    ck_assert_int_eq(cents(T_ROW(book, s, "payment before caps", 6)), -633101);
    ck_assert_int_eq(cents(T_ROW(book, s, "stop-loss cap", 6)), 207223);
    json_t *cap = T_ROW(book, s, "cap applied", 6);
    formula(cap);
    ck_assert_str_eq(text(cap), "stop_loss");
    projected_pays(book, 6, -207223);
}
END_TEST

START_TEST(test_projected_from_summary)
{
    NEED_READER();
    const char *s = "Projected payment";
    /* without EP2, E000001 2027 does not add up from Episodes: N, met, T and A are taken
     * from Summary, and the payment still is the run's */
    ck_assert_str_eq(text(T_ROW(book_sum, s, "N, met, T, A from", 3)), "Summary");
    json_t *n = T_ROW(book_sum, s, "N episodes", 3);
    ck_assert_str_eq(formula(n), "=Summary!$I$9");
    ck_assert_int_eq((int)num(n), 2);
    ck_assert_str_eq(formula(T_ROW(book_sum, s, "T target", 3)), "=Summary!$K$9");
    projected_pays(book_sum, 3, 25534);
    ck_assert_str_eq(text(T_ROW(book_sum, s, "N, met, T, A from", 6)), "Episodes");
    projected_pays(book_sum, 6, -207223);
}
END_TEST

START_TEST(test_write_error)
{
    char err[512];
    int rc = export_xlsx_write(&data, "/nonexistent-cara-dir/book.xlsx", err, sizeof err);
    ck_assert_int_lt(rc, 0);
    ck_assert_msg(strstr(err, "/nonexistent-cara-dir/book.xlsx") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "Error creating output xlsx file") != NULL, "%s", err);
}
END_TEST

START_TEST(test_empty)
{
    /* no arrangement, no episode: a workbook all the same, every sheet with its header */
    NEED_READER();
    ck_assert_int_eq(json_array_size(json_object_get(book_empty, "sheets")), 6);
    ck_assert(json_is_true(json_object_get(book_empty, "xml_ok")));
    ck_assert_str_eq(text(cell(book_empty, "Projected payment", "Y2")), "projected payment");
    ck_assert_ptr_null(cell(book_empty, "Projected payment", "A3"));
}
END_TEST

START_TEST(test_out_of_memory)
{
    /* every allocation of the writer failing in turn: -ENOMEM, "out of memory", no file */
    char err[512], path[128];
    snprintf(path, sizeof path, "%s/oom.xlsx", dir);
    fi_arm(FI_ALLOC, 0);
    ck_assert_int_eq(export_xlsx_write(&data, path, err, sizeof err), 0);
    int64_t n = fi_disarm();
    ck_assert_int_gt(n, 0);
    for (int64_t k = 1; k <= n; k++) {
        unlink(path);
        fi_arm(FI_ALLOC, k);
        int rc = export_xlsx_write(&data, path, err, sizeof err);
        fi_disarm();
        if (!fi_fired()) {
            ck_assert_int_eq(rc, 0);
            continue;
        }
        ck_assert_msg(rc == -ENOMEM, "allocation %lld: rc %d (%s)", (long long)k, rc, err);
        ck_assert_msg(strstr(err, "out of memory") && strstr(err, path), "%s", err);
        ck_assert_int_ne(access(path, F_OK), 0);
    }
}
END_TEST

Suite *suite_export_xlsx(void)
{
    Suite *s = suite_create("export_xlsx");
    TCase *tc = tcase_create("workbook");
    tcase_add_unchecked_fixture(tc, setup_once, teardown_once);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sheets);
    tcase_add_test(tc, test_summary);
    tcase_add_test(tc, test_terms);
    tcase_add_test(tc, test_target_prices);
    tcase_add_test(tc, test_target_integers);
    tcase_add_test(tc, test_baseline);
    tcase_add_test(tc, test_episodes);
    tcase_add_test(tc, test_projected);
    tcase_add_test(tc, test_projected_from_summary);
    tcase_add_test(tc, test_write_error);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
