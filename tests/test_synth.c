/*
 * tests/test_synth.c: `cara synth`: byte-identical files for a seed and different ones
 * for another, valid identifiers (NPI, TIN, MBI) in every file, the headers of docs/methodology.md
 * 3.1, row counts that scale with N, nothing dated after a death or before enrollment,
 * every trigger shape of docs/methodology.md sections 1-2 present, money with two decimals, a dataset the
 * loader accepts whole, and the command line's exit codes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/csv_scan.h"
#include "base/date.h"
#include "base/ids.h"
#include "load/load_csv.h"
#include "base/money.h"
#include "base/sha256.h"
#include "helpers.h"
#include "suites.h"
#include "synth/synthdata.h"
#include "base/util.h"

static char dir[64];
static char *out_buf, *err_buf;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-synth-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    out_buf = err_buf = NULL;
}

static void teardown(void)
{
    free(out_buf);
    free(err_buf);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *const FILES[] = {"acos.csv", "providers.csv", "arrangements.csv",
                                    "eligibility.csv", "alignment.csv", "medical_claim.csv"};

static synth_counts generate(const char *sub, int64_t n, uint64_t seed)
{
    char out[160], err[256];
    snprintf(out, sizeof out, "%s/%s", dir, sub);
    synth_opts o = {.out_dir = out, .beneficiaries = n, .seed = seed, .year = 2027, .acos = 4};
    synth_counts c;
    ck_assert_msg(synth_run(&o, &c, err, sizeof err) == 0, "%s", err);
    return c;
}

static char *slurp(const char *sub, const char *file, size_t *len)
{
    char path[256], err[256];
    char *buf;
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, file);
    ck_assert_msg(util_read_file(path, 256u << 20, &buf, len, err, sizeof err) == 0, "%s", err);
    return buf;
}

/* The SHA-256 of each of the six files, concatenated. */
static void digest(const char *sub, char *all)
{
    all[0] = '\0';
    for (size_t i = 0; i < 6; i++) {
        size_t len;
        char hex[65];
        char *buf = slurp(sub, FILES[i], &len);
        sha256_hex(buf, len, hex);
        strcat(all, hex);
        free(buf);
    }
}

/* The same seed gives the same bytes in every file; another seed other claims. */
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
    ck_assert(memcmp(a + 5 * 64, c + 5 * 64, 64) != 0);     /* medical_claim.csv */
    ck_assert(memcmp(a + 3 * 64, c + 3 * 64, 64) != 0);     /* eligibility.csv */
    ck_assert(memcmp(a + 1 * 64, c + 1 * 64, 64) != 0);     /* providers.csv */
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
    synth_mbi(12345, UINT64_MAX, x);
    synth_mbi(12346, UINT64_MAX, y);
    ck_assert_str_ne(x, y);
}
END_TEST

/* ---- walking the files ---------------------------------------------------------------- */

typedef void (*row_fn)(const csv_scan *s, const int *col, void *ud);

/* Call fn for every data row of sub/file; col[k] is the index of names[k] (or -1).
 * Returns the number of data rows; the header goes to header. */
static long each_row(const char *sub, const char *file, const char *const *names, int *col,
                     row_fn fn, void *ud, char *header, size_t hlen)
{
    size_t len;
    char *buf = slurp(sub, file, &len);
    const char *nl = memchr(buf, '\n', len);
    ck_assert_ptr_nonnull(nl);
    snprintf(header, hlen, "%.*s", (int)(nl - buf), buf);
    csv_scan s;
    csv_scan_init(&s, buf, len);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    for (int k = 0; names && names[k]; k++) {
        col[k] = -1;
        for (size_t i = 0; i < s.n; i++)
            if (s.f[i].len == strlen(names[k]) && !memcmp(s.f[i].p, names[k], s.f[i].len))
                col[k] = (int)i;
        ck_assert_msg(col[k] >= 0, "%s: no column %s", file, names[k]);
    }
    size_t nfields = s.n;
    long rows = 0;
    int rc;
    while ((rc = csv_scan_next(&s)) == 1) {
        ck_assert_msg(s.n == nfields, "%s:%zu: %zu fields, the header has %zu", file, s.line,
                      s.n, nfields);
        if (fn) fn(&s, col, ud);
        rows++;
    }
    ck_assert_msg(rc == 0, "%s: %s", file, s.err);
    csv_scan_free(&s);
    free(buf);
    return rows;
}

static int is(const csv_field *f, const char *v)
{
    return f->len == strlen(v) && memcmp(f->p, v, f->len) == 0;
}

static int starts(const csv_field *f, const char *prefix)
{
    size_t n = strlen(prefix);
    return f->len >= n && memcmp(f->p, prefix, n) == 0;
}

/* ---- headers ----------------------------------------------------------------------------- */

/* Every header exactly as docs/input-formats.md lists it. */
START_TEST(test_headers)
{
    generate("a", 300, 1);
    static const char *const want[6] = {
        "aco_id,name,track",
        "npi,tin,name,specialty_code",
        "arrangement_id,aco_id,npi,tin,template_id,start_date,end_date,discount_bps,"
        "savings_share_bps,loss_share_bps,stop_gain_bps,stop_loss_bps",
        "person_id,gender,birth_date,death_date,enrollment_start_date,enrollment_end_date,"
        "dual_status_code,medicare_status_code,hospice_flag,state,zip_code",
        "person_id,aco_id,start_date,end_date",
        "claim_id,claim_line_number,claim_type,person_id,claim_start_date,claim_end_date,"
        "claim_line_start_date,claim_line_end_date,admission_date,discharge_date,"
        "discharge_disposition_code,place_of_service_code,bill_type_code,revenue_center_code,"
        "hcpcs_code,hcpcs_modifier_1,hcpcs_modifier_2,hcpcs_modifier_3,hcpcs_modifier_4,"
        "hcpcs_modifier_5,rendering_npi,rendering_tin,billing_npi,billing_tin,facility_npi,"
        "paid_amount,allowed_amount,diagnosis_code_type,diagnosis_code_1,diagnosis_code_2,"
        "diagnosis_code_3,diagnosis_code_4,diagnosis_code_5,diagnosis_code_6,diagnosis_code_7,"
        "diagnosis_code_8,diagnosis_code_9,diagnosis_code_10,diagnosis_code_11,"
        "diagnosis_code_12,diagnosis_code_13,diagnosis_code_14,diagnosis_code_15,"
        "diagnosis_code_16,diagnosis_code_17,diagnosis_code_18,diagnosis_code_19,"
        "diagnosis_code_20,diagnosis_code_21,diagnosis_code_22,diagnosis_code_23,"
        "diagnosis_code_24,diagnosis_code_25,adjustment_type_code,paid_date"};
    char header[2048];
    for (size_t i = 0; i < 6; i++) {
        each_row("a", FILES[i], NULL, NULL, NULL, NULL, header, sizeof header);
        ck_assert_str_eq(header, want[i]);
    }
}
END_TEST

/* ---- identifiers ---------------------------------------------------------------------------- */

typedef struct id_cols {
    const char *file;
    const char *names[7];
    const char *kinds; /* per column: n NPI, t TIN, m MBI */
} id_cols;

static const id_cols ID_COLS[] = {
    {"providers.csv", {"npi", "tin", NULL}, "nt"},
    {"arrangements.csv", {"npi", "tin", NULL}, "nt"},
    {"eligibility.csv", {"person_id", NULL}, "m"},
    {"alignment.csv", {"person_id", NULL}, "m"},
    {"medical_claim.csv",
     {"person_id", "rendering_npi", "rendering_tin", "billing_npi", "billing_tin",
      "facility_npi", NULL},
     "mntntn"},
};

typedef struct id_stats {
    const id_cols *ic;
    long checked;
} id_stats;

static void id_row(const csv_scan *s, const int *col, void *ud)
{
    id_stats *st = ud;
    for (int k = 0; st->ic->names[k]; k++) {
        const csv_field *f = &s->f[col[k]];
        if (f->len == 0) continue; /* optional on some claims */
        int synthetic = 0, rc;
        char kind = st->ic->kinds[k];
        rc = kind == 'n' ? npi_check(f->p, f->len)
             : kind == 't' ? tin_check(f->p, f->len)
                           : mbi_check(f->p, f->len, &synthetic);
        ck_assert_msg(rc == ID_OK && !synthetic, "%s:%zu: %s '%.*s' is not valid (%s)",
                      st->ic->file, s->line, st->ic->names[k], (int)f->len, f->p,
                      ids_explain(kind == 'n' ? "npi" : kind == 't' ? "tin" : "mbi", rc));
        st->checked++;
    }
}

/* Every NPI, TIN and MBI of every file passes its check. */
START_TEST(test_identifiers)
{
    generate("a", 2000, 21);
    char header[2048];
    for (size_t i = 0; i < sizeof ID_COLS / sizeof ID_COLS[0]; i++) {
        id_stats st = {&ID_COLS[i], 0};
        int col[8];
        long rows = each_row("a", ID_COLS[i].file, ID_COLS[i].names, col, id_row, &st, header,
                             sizeof header);
        ck_assert_int_gt(rows, 0);
        ck_assert_int_ge(st.checked, rows);
    }
}
END_TEST

/* ---- scale ---------------------------------------------------------------------------------- */

/* Row counts grow with N; the printed counts are the files' rows. */
START_TEST(test_scales)
{
    synth_counts s = generate("s", 400, 5), l = generate("l", 2000, 5);
    ck_assert_int_eq(s.acos, 4);
    ck_assert_int_eq(l.acos, 4);
    ck_assert_int_ge(s.providers, 20);
    ck_assert_int_ge(l.providers, 20);
    ck_assert_int_gt(s.arrangements, 0);
    /* eligibility: one span per beneficiary, two for gaps and hospice */
    ck_assert_int_ge(s.eligibility, 400);
    ck_assert_int_le(s.eligibility, 440);
    ck_assert_int_ge(l.eligibility, 2000);
    ck_assert_int_le(l.eligibility, 2200);
    /* alignment: ~95% */
    ck_assert_int_ge(l.alignment, 1850);
    ck_assert_int_le(l.alignment, 1990);
    /* claim lines: about 25 per beneficiary, proportional to N */
    ck_assert_int_ge(l.claim_lines, 2000 * 12);
    ck_assert_int_le(l.claim_lines, 2000 * 50);
    ck_assert_int_ge(l.claim_lines * 10, s.claim_lines * 35);
    ck_assert_int_le(l.claim_lines * 10, s.claim_lines * 65);
    /* the counts are the data rows of the files */
    char header[2048];
    ck_assert_int_eq(each_row("l", "eligibility.csv", NULL, NULL, NULL, NULL, header,
                              sizeof header), l.eligibility);
    ck_assert_int_eq(each_row("l", "medical_claim.csv", NULL, NULL, NULL, NULL, header,
                              sizeof header), l.claim_lines);
    ck_assert_int_eq(each_row("l", "providers.csv", NULL, NULL, NULL, NULL, header,
                              sizeof header), l.providers);
    ck_assert_int_eq(each_row("l", "arrangements.csv", NULL, NULL, NULL, NULL, header,
                              sizeof header), l.arrangements);
}
END_TEST

/* ---- contents ----------------------------------------------------------------------------------- */

#define MAXP 2100
typedef struct person {
    char mbi[12];
    cara_date death, first_enrolled;
} person;

typedef struct claim_stats {
    person p[MAXP];
    int n_p;
    int deaths;
    /* trigger shapes */
    int eval_fall_risk, ed_fall, ip_fall_injury, snf_func, eval_func, screening, adjust,
        cancel;
    int header_paid;        /* lines 1 of DRG/PPS-paid institutional claims with a payment */
    /* the claim being read (its rows are consecutive) */
    char cur[32];
    int has_3288, has_1100;
    long lines;
} claim_stats;

static cara_date field_date(const csv_field *f)
{
    cara_date d = CARA_DATE_NONE;
    if (f->len) ck_assert_msg(date_parse(f->p, f->len, &d) == 0, "bad date '%.*s'", (int)f->len, f->p);
    return d;
}

static int person_cmp(const void *a, const void *b)
{
    return strcmp(((const person *)a)->mbi, ((const person *)b)->mbi);
}

static const char *const ELIG_COLS[] = {"person_id", "death_date", "enrollment_start_date",
                                        "enrollment_end_date", "medicare_status_code",
                                        "dual_status_code", "hospice_flag", NULL};

static void elig_row(const csv_scan *s, const int *col, void *ud)
{
    claim_stats *st = ud;
    const csv_field *id = &s->f[col[0]];
    cara_date start = field_date(&s->f[col[2]]), end = field_date(&s->f[col[3]]);
    if (end != CARA_DATE_NONE) ck_assert_int_le(start, end);
    const csv_field *ms = &s->f[col[4]], *ds = &s->f[col[5]];
    ck_assert(is(ms, "10") || is(ms, "11") || is(ms, "20") || is(ms, "21") || is(ms, "31"));
    ck_assert(ds->len == 2 && ds->p[0] == '0' && ds->p[1] >= '0' && ds->p[1] <= '8');
    ck_assert(is(&s->f[col[6]], "0") || is(&s->f[col[6]], "1"));
    for (int i = 0; i < st->n_p; i++)
        if (strlen(st->p[i].mbi) == id->len && !memcmp(st->p[i].mbi, id->p, id->len)) {
            if (start < st->p[i].first_enrolled) st->p[i].first_enrolled = start;
            return; /* a second span */
        }
    ck_assert_int_lt(st->n_p, MAXP);
    person *p = &st->p[st->n_p++];
    snprintf(p->mbi, sizeof p->mbi, "%.*s", (int)id->len, id->p);
    p->death = field_date(&s->f[col[1]]);
    p->first_enrolled = start;
    st->deaths += p->death != CARA_DATE_NONE;
}

static const char *const CLAIM_COLS[] = {
    "claim_id", "claim_type", "person_id", "claim_start_date", "claim_end_date",
    "claim_line_start_date", "claim_line_end_date", "admission_date", "discharge_date",
    "bill_type_code", "revenue_center_code", "hcpcs_code", "paid_amount", "allowed_amount",
    "adjustment_type_code", "diagnosis_code_1", "claim_line_number", NULL};
enum { C_ID, C_TYPE, C_PERSON, C_START, C_END, C_LSTART, C_LEND, C_ADM, C_DIS, C_BILL, C_REV,
       C_HCPCS, C_PAID, C_ALLOWED, C_ADJ, C_DX1, C_LINE };

static const char *const FALL_RISK_DX[] = {"Z9181", "R296", "R2681", "R2689", "R262",
                                           "R260",  "R261", "R269",  "M6281", NULL};
static const char *const FUNC_DX[] = {"Z74", "Z993", "R262", "R2689", "M6281", "R5381", "R54",
                                      NULL};
static const char *const FALL_INJURY_DX[] = {"S720", "S721", "S722", "S06",  "S32",
                                             "S422", "S525", "S223", "S224", NULL};

/* Does one of the claim's 25 diagnoses match a code of list (prefix: starts with)? */
static int any_dx(const csv_scan *s, const int *col, const char *const *list, int prefix)
{
    for (int k = 0; k < 25; k++) {
        const csv_field *f = &s->f[col[C_DX1] + k];
        for (int i = 0; list[i]; i++)
            if (prefix ? starts(f, list[i]) : is(f, list[i])) return 1;
    }
    return 0;
}

/* W00-W19 with 7th character A. */
static int fall_external_cause(const csv_scan *s, const int *col)
{
    for (int k = 0; k < 25; k++) {
        const csv_field *f = &s->f[col[C_DX1] + k];
        if (f->len == 7 && f->p[0] == 'W' && f->p[1] <= '1' && f->p[6] == 'A') return 1;
    }
    return 0;
}

static void claim_row(const csv_scan *s, const int *col, void *ud)
{
    claim_stats *st = ud;
    st->lines++;
    const csv_field *id = &s->f[col[C_ID]], *adj = &s->f[col[C_ADJ]];
    /* money: two decimals, allowed >= paid */
    cara_cents paid, allowed;
    const csv_field *fp = &s->f[col[C_PAID]], *fa = &s->f[col[C_ALLOWED]];
    ck_assert(fp->len >= 4 && fp->p[fp->len - 3] == '.' && fa->len >= 4 && fa->p[fa->len - 3] == '.');
    ck_assert_int_eq(money_parse(fp->p, fp->len, &paid), 0);
    ck_assert_int_eq(money_parse(fa->p, fa->len, &allowed), 0);
    ck_assert_msg(allowed >= paid, "line %zu: allowed %lld < paid %lld", s->line,
                  (long long)allowed, (long long)paid);
    /* dates: valid, none after the beneficiary's death or before enrollment */
    person key;
    snprintf(key.mbi, sizeof key.mbi, "%.*s", (int)s->f[col[C_PERSON]].len, s->f[col[C_PERSON]].p);
    const person *p = bsearch(&key, st->p, (size_t)st->n_p, sizeof *p, person_cmp);
    ck_assert_msg(p != NULL, "claim of an unknown beneficiary %s", key.mbi);
    cara_date start = field_date(&s->f[col[C_START]]), end = field_date(&s->f[col[C_END]]);
    ck_assert_int_le(start, end);
    ck_assert_msg(start >= p->first_enrolled, "line %zu: a claim before enrollment", s->line);
    for (int c = C_START; c <= C_DIS; c++) {
        cara_date d = field_date(&s->f[col[c]]);
        if (d != CARA_DATE_NONE && p->death != CARA_DATE_NONE)
            ck_assert_msg(d <= p->death, "line %zu: %s after the death of %s", s->line,
                          CLAIM_COLS[c], p->mbi);
    }
    /* the trigger shapes */
    int prof = is(&s->f[col[C_TYPE]], "professional");
    const csv_field *h = &s->f[col[C_HCPCS]], *bill = &s->f[col[C_BILL]], *rev = &s->f[col[C_REV]];
    /* DRG/PPS-paid claims (inpatient, SNF, home health, hospice): the payment and the
     * allowed amount on line 1, 0 on the others (the Tuva convention) */
    if (starts(bill, "11") || starts(bill, "21") || starts(bill, "32") || starts(bill, "33") ||
        starts(bill, "81") || starts(bill, "82")) {
        if (!is(&s->f[col[C_LINE]], "1"))
            ck_assert_msg(paid == 0 && allowed == 0, "line %zu: a header-paid claim's line %.*s "
                          "carries an amount", s->line, (int)s->f[col[C_LINE]].len,
                          s->f[col[C_LINE]].p);
        else
            st->header_paid += paid > 0;
    }
    int eval = starts(h, "9716") && h->len == 5 && h->p[4] != '4' && h->p[4] != '8';
    if (is(adj, "0")) {
        if (prof && eval && any_dx(s, col, FALL_RISK_DX, 0)) st->eval_fall_risk++;
        if (prof && eval && any_dx(s, col, FUNC_DX, 1)) st->eval_func++;
        if (starts(bill, "13") && starts(rev, "045") && fall_external_cause(s, col)) st->ed_fall++;
        if (starts(bill, "11")) {
            const csv_field *dx1 = &s->f[col[C_DX1]];
            int injury = 0;
            for (int i = 0; FALL_INJURY_DX[i]; i++) injury |= starts(dx1, FALL_INJURY_DX[i]);
            if (injury && fall_external_cause(s, col)) st->ip_fall_injury++;
        }
        if (starts(bill, "21") && any_dx(s, col, FUNC_DX, 1)) st->snf_func++;
    }
    if (is(adj, "2")) st->adjust++;
    if (is(adj, "1")) st->cancel++;
    /* 3288F + 1100F on one professional claim */
    char cur[32];
    snprintf(cur, sizeof cur, "%.*s/%.*s", (int)id->len, id->p, (int)adj->len, adj->p);
    if (strcmp(cur, st->cur) != 0) {
        memcpy(st->cur, cur, sizeof cur);
        st->has_3288 = st->has_1100 = 0;
    }
    if (prof && is(h, "3288F")) st->has_3288 = 1;
    if (prof && is(h, "1100F")) st->has_1100 = 1;
    if (st->has_3288 && st->has_1100) {
        st->screening++;
        st->has_3288 = st->has_1100 = 0;
    }
}

/* At N = 2000: every trigger shape of docs/methodology.md sections 1-2, adjustments and cancellations; no date
 * after a death or before enrollment; money with two decimals and allowed >= paid. */
START_TEST(test_contents)
{
    generate("a", 2000, 11);
    static claim_stats st;
    memset(&st, 0, sizeof st);
    char header[2048];
    int col[20];
    each_row("a", "eligibility.csv", ELIG_COLS, col, elig_row, &st, header, sizeof header);
    ck_assert_int_eq(st.n_p, 2000);
    ck_assert_int_ge(st.deaths, 40); /* ~4% */
    ck_assert_int_le(st.deaths, 140);
    qsort(st.p, (size_t)st.n_p, sizeof st.p[0], person_cmp);
    each_row("a", "medical_claim.csv", CLAIM_COLS, col, claim_row, &st, header, sizeof header);
    ck_assert_int_gt(st.eval_fall_risk, 0);  /* falls A: evaluation with a fall-risk dx */
    ck_assert_int_gt(st.screening, 0);       /* falls A: 3288F + 1100F */
    ck_assert_int_gt(st.ed_fall, 0);         /* falls B */
    ck_assert_int_gt(st.ip_fall_injury, 0);  /* falls C */
    ck_assert_int_gt(st.snf_func, 0);        /* functional independence A */
    ck_assert_int_gt(st.eval_func, 0);       /* functional independence B */
    ck_assert_int_gt(st.adjust, 0);
    ck_assert_int_gt(st.cancel, 0);
    ck_assert_int_lt(st.adjust + st.cancel, st.lines / 40); /* a small share */
    ck_assert_int_gt(st.header_paid, 0);
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

/* ---- the command line ------------------------------------------------------------------------------ */

/* Run "$CARA_BIN ARGS" in dir with stdout/stderr captured; returns the exit status. */
static int cara(const char *args) { return th_cara(dir, "", args, &out_buf, &err_buf); }

#define ASSERT_ERR_HAS(s) ck_assert_msg(strstr(err_buf, s), "stderr lacks '%s':\n%s", s, err_buf)
#define ASSERT_OUT_HAS(s) ck_assert_msg(strstr(out_buf, s), "stdout lacks '%s':\n%s", s, out_buf)

static const struct {
    const char *args, *msg;
} usage_cases[] = {
    {"synth", "--out DIR is required"},
    {"synth --beneficiaries 10 --seed 1", "--out DIR is required"},
    {"synth --out ''  --beneficiaries 10 --seed 1", "the directory name is empty"},
    {"synth --out x", "--beneficiaries N is required"},
    {"synth --out x --seed 1", "--beneficiaries N is required"},
    {"synth --out x --beneficiaries 10", "--seed S is required"},
    {"synth --out x --beneficiaries 0 --seed 1", "'0' is not a count from 1 to 10000000"},
    {"synth --out x --beneficiaries 10000001 --seed 1", "is not a count from 1 to 10000000"},
    {"synth --out x --beneficiaries ten --seed 1", "'ten' is not a count"},
    {"synth --out x --beneficiaries 10 --seed -1", "'-1' is not an unsigned 64-bit integer"},
    {"synth --out x --beneficiaries 10 --seed 18446744073709551616", "is not an unsigned"},
    {"synth --out x --beneficiaries 10 --seed 1x", "'1x' is not an unsigned"},
    {"synth --out x --beneficiaries 10 --seed 1 --year 2040", "not a performance year"},
    {"synth --out x --beneficiaries 10 --seed 1 --acos 1", "not a count from 2 to 999"},
    {"synth --out x --beneficiaries 10 --seed 1 extra", "unexpected argument 'extra'"},
    {"synth --out x --beneficiaries 10 --seed 1 --bogus", "unknown option '--bogus'"},
};

START_TEST(test_cli_usage)
{
    ck_assert_int_eq(cara(usage_cases[_i].args), 2);
    ASSERT_ERR_HAS(usage_cases[_i].msg);
    ASSERT_ERR_HAS("usage: cara synth --out DIR --beneficiaries N --seed S");
    ck_assert_str_eq(out_buf, "");
}
END_TEST

/* Success prints one line per file (nested directories are created); the same
 * arguments give the same bytes; a directory that cannot be created exits 1. */
START_TEST(test_cli_run)
{
    ck_assert_int_eq(cara("synth --out d1/x --beneficiaries 60 --seed 18446744073709551615 "
                          "--year 2028 --acos 3"), 0);
    for (size_t i = 0; i < 6; i++) {
        char line[64];
        snprintf(line, sizeof line, "d1/x/%s: ", FILES[i]);
        ASSERT_OUT_HAS(line);
    }
    ASSERT_OUT_HAS("d1/x/acos.csv: 3 rows\n");
    ck_assert_int_eq(cara("synth --out d2 --beneficiaries 60 --seed 18446744073709551615 "
                          "--year 2028 --acos 3"), 0);
    char a[6 * 64 + 1], b[6 * 64 + 1];
    digest("d1/x", a);
    digest("d2", b);
    ck_assert_str_eq(a, b);
    size_t len;
    char *acos = slurp("d2", "acos.csv", &len);
    ck_assert_ptr_nonnull(strstr(acos, "A0001,Chesapeake Health Partners ACO,global\n"));
    ck_assert_ptr_nonnull(strstr(acos, "A0002,Lakeshore Accountable Care ACO,professional\n"));
    free(acos);
    /* claims start on July 1 of the year before --year */
    char *claims = slurp("d2", "medical_claim.csv", &len);
    ck_assert_ptr_null(strstr(claims, ",2027-06-30,"));
    ck_assert_ptr_nonnull(strstr(claims, ",2028-"));
    free(claims);
    ck_assert_int_eq(cara("synth --out d2/acos.csv/sub --beneficiaries 5 --seed 1"), 1);
    ASSERT_ERR_HAS("cannot create the directory");
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
    tcase_add_test(tc, test_headers);
    tcase_add_test(tc, test_identifiers);
    tcase_add_test(tc, test_scales);
    tcase_add_test(tc, test_contents);
    tcase_add_test(tc, test_loads_cleanly);
    tcase_add_loop_test(tc, test_cli_usage, 0, (int)(sizeof usage_cases / sizeof usage_cases[0]));
    tcase_add_test(tc, test_cli_run);
    suite_add_tcase(s, tc);
    return s;
}
