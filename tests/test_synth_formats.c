/*
 * tests/test_synth_formats.c: `cara synth --format cclf|fhir`, read back with cara's own
 * CCLF readers and jansson: every CCLF record has its layout's length and CCLF0 counts
 * what the files hold; every claim version of medical_claim.csv is delivered once in
 * each delivery its IDR load date puts it in, with all its lines; the paid total of the
 * latest non-cancelled versions is the CSV's; the crosswalk resolves every previous MBI
 * (and every claim MBI unknown to CCLF8) to a CCLF8 beneficiary; every NDJSON line is
 * JSON, one ExplanationOfBenefit per version; the same seed gives the same bytes; and
 * an unknown --format is a usage error.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cclf.h"
#include "csv_scan.h"
#include "date.h"
#include "ids.h"
#include "money.h"
#include "sha256.h"
#include "suites.h"
#include "synthdata.h"
#include "synthdata_conv.h"
#include "util.h"

#define N_BENES 300
#define SEED 4242
#define YEAR 2027

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cara-synthfmt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Generate into dir/sub with both forms. */
static void generate(const char *sub, synth_conv_counts *cc, synth_conv_counts *fc)
{
    char out[160], err[256];
    snprintf(out, sizeof out, "%s/%s", dir, sub);
    synth_opts o = {.out_dir = out, .beneficiaries = N_BENES, .seed = SEED, .year = YEAR,
                    .acos = 4};
    synth_counts c;
    synth_conv_counts tmp;
    ck_assert_msg(synth_run(&o, &c, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(synth_cclf_convert(&o, cc ? cc : &tmp, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(synth_fhir_convert(&o, fc ? fc : &tmp, err, sizeof err) == 0, "%s", err);
}

static char *slurp(const char *path, size_t *len)
{
    char err[256], *buf;
    ck_assert_msg(util_read_file(path, 256u << 20, &buf, len, err, sizeof err) == 0, "%s", err);
    return buf;
}

static char *slurp_in(const char *sub, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    return slurp(path, len);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file names of dir/sub, sorted (caller frees each and the array). */
static char **list(const char *sub, size_t *n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    char **v = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        v = realloc(v, (*n + 1) * sizeof *v);
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (*n) qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* The CCLF file x of the delivery dated yymmdd ("280115" or "280915"). */
static char *cclf_file(const char *yymmdd, char x, size_t *len)
{
    char name[64];
    snprintf(name, sizeof name, "T.A0000.ACO.ZC%cY%02d.D%s.T1200000", x, YEAR % 100, yymmdd);
    return slurp_in("a/cclf", name, len);
}

static const char *const DELIVERY[2] = {"280115", "280915"};

/* ---- the CSV's claim versions ------------------------------------------------------------- */

typedef struct csv_version {
    char id[16];
    int adj;
    int lines;
    int64_t paid;
} csv_version;

/* The versions of medical_claim.csv in file order. */
static csv_version *csv_versions(const char *sub, size_t *n)
{
    size_t len;
    char *buf = slurp_in(sub, "medical_claim.csv", &len);
    csv_scan s;
    csv_scan_init(&s, buf, len);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    size_t ci = 0, ai = 0, pi = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.f[i].len == 8 && !memcmp(s.f[i].p, "claim_id", 8)) ci = i;
        if (s.f[i].len == 20 && !memcmp(s.f[i].p, "adjustment_type_code", 20)) ai = i;
        if (s.f[i].len == 11 && !memcmp(s.f[i].p, "paid_amount", 11)) pi = i;
    }
    csv_version *v = NULL;
    *n = 0;
    size_t cap = 0;
    while (csv_scan_next(&s) == 1) {
        char id[16] = {0};
        memcpy(id, s.f[ci].p, s.f[ci].len < 15 ? s.f[ci].len : 15);
        int adj = s.f[ai].len ? s.f[ai].p[0] - '0' : 0;
        int64_t paid;
        ck_assert_int_eq(money_parse(s.f[pi].p, s.f[pi].len, &paid), 0);
        if (!*n || strcmp(v[*n - 1].id, id) || v[*n - 1].adj != adj) {
            if (*n == cap) v = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof *v);
            v[*n] = (csv_version){.adj = adj};
            memcpy(v[*n].id, id, sizeof id);
            (*n)++;
        }
        v[*n - 1].lines++;
        v[*n - 1].paid += paid;
    }
    csv_scan_free(&s);
    free(buf);
    return v;
}

/* Paid over each claim's last version unless it is a cancellation. */
static int64_t csv_latest_paid(const csv_version *v, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if ((i + 1 == n || strcmp(v[i + 1].id, v[i].id)) && v[i].adj != 1) sum += v[i].paid;
    return sum;
}

/* ---- CCLF read back ----------------------------------------------------------------------- */

static long count_cb_n;
static int count_cb(void *ud, const char *rec, size_t number)
{
    (void)ud, (void)rec, (void)number;
    count_cb_n++;
    return 0;
}

/* Every CCLF file has records of its layout's length, and CCLF0 counts them. */
START_TEST(test_cclf_records_and_summary)
{
    synth_conv_counts cc;
    generate("a", &cc, NULL);
    size_t n;
    char **names = list("a/cclf", &n);
    int cclf_files = 0;
    for (size_t i = 0; i < n; i++) {
        cclf_name nm;
        if (cclf_name_parse(names[i], &nm) < 0) continue;
        cclf_files++;
        ck_assert_int_eq(nm.env, 'T');
        ck_assert_str_eq(nm.aco, "A0000");
        ck_assert_int_eq(nm.year, YEAR);
        size_t len;
        char *buf = slurp_in("a/cclf", names[i], &len);
        char err[256];
        count_cb_n = 0;
        long got = cclf_records(cclf_layout_for(nm.file), buf, len, count_cb, NULL, err,
                                sizeof err);
        ck_assert_msg(got >= 0, "%s: %s", names[i], err);
        free(buf);
        if (nm.file == '0') continue;
        /* the summary of the same delivery */
        char yymmdd[8];
        int y, m, d;
        date_to_ymd(nm.date, &y, &m, &d);
        snprintf(yymmdd, sizeof yymmdd, "%02d%02d%02d", y % 100, m, d);
        char *sum = cclf_file(yymmdd, '0', &len);
        cclf_count k[16];
        int nk = cclf_summary(sum, len, k, 16, err, sizeof err);
        ck_assert_msg(nk == 8, "%s", err);
        int found = 0;
        for (int j = 0; j < nk; j++) {
            if (k[j].file != nm.file) continue;
            found = 1;
            ck_assert_int_eq(k[j].records, got);
            ck_assert_int_eq(k[j].reclen, cclf_layout_for(nm.file)->reclen);
        }
        ck_assert_msg(found, "CCLF0 lacks CCLF%c", nm.file);
        free(sum);
    }
    ck_assert_int_eq(cclf_files, 18); /* CCLF0-6, 8, 9 twice */
    free_list(names, n);
    ck_assert_int_eq(cc.people, N_BENES);
    ck_assert_int_gt(cc.records[0], cc.records[1]);
    ck_assert_int_gt(cc.records[1], 0);
}
END_TEST

/* One version as the CCLF files show it (per delivery). */
typedef struct cclf_version {
    uint64_t uniq;
    char cntl[41];
    cara_date load;
    int adj;
    int lines;
    int64_t paid;
    int delivery;
} cclf_version;

typedef struct versions {
    cclf_version *v;
    size_t n, cap;
    int delivery;
    char file;
    const cclf_version *headers; /* CCLF1 of the delivery, sorted by uniq (for CCLF2) */
    size_t n_headers;
} versions;

static int cmp_uniq(const void *a, const void *b)
{
    uint64_t x = ((const cclf_version *)a)->uniq, y = ((const cclf_version *)b)->uniq;
    if (x != y) return x < y ? -1 : 1;
    return ((const cclf_version *)a)->delivery - ((const cclf_version *)b)->delivery;
}

static uint64_t digits_of(const char *rec, const cclf_field *f)
{
    char s[32];
    cclf_text(rec, f, s, sizeof s);
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        ck_assert(*p >= '0' && *p <= '9');
        v = v * 10 + (uint64_t)(*p - '0');
    }
    return v;
}

/* A record of CCLF1 (a header), 2, 5 or 6 (a line) into ud's list. */
static int version_cb(void *ud, const char *rec, size_t number)
{
    versions *vs = ud;
    const cclf_layout *l = cclf_layout_for(vs->file);
    (void)number;
    cclf_version x = {.delivery = vs->delivery};
    x.uniq = digits_of(rec, cclf_field_named(l, "CUR_CLM_UNIQ_ID"));
    if (vs->file == '2') {
        const cclf_version *h = bsearch(&x, vs->headers, vs->n_headers, sizeof x, cmp_uniq);
        ck_assert_ptr_nonnull(h);
        x = *h;
        x.lines = 1;
        x.paid = 0;
    } else {
        char adj[4];
        cclf_text(rec, cclf_field_named(l, "CLM_CNTL_NUM"), x.cntl, sizeof x.cntl);
        cclf_text(rec, cclf_field_named(l, "CLM_ADJSMT_TYPE_CD"), adj, sizeof adj);
        x.adj = adj[0] - '0';
        ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_IDR_LD_DT"), &x.load), 0);
        cara_date eff;
        ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_EFCTV_DT"), &eff), 0);
        ck_assert_int_eq(eff, x.load - 2);
        x.lines = vs->file == '1' ? 0 : 1;
    }
    if (vs->file != '1') {
        int64_t paid;
        ck_assert_int_eq(cclf_money(rec, cclf_field_named(l, "CLM_LINE_CVRD_PD_AMT"), &paid), 0);
        x.paid = paid;
        if (vs->file != '2') {
            int64_t allowed;
            ck_assert_int_eq(
                cclf_money(rec, cclf_field_named(l, "CLM_LINE_ALOWD_CHRG_AMT"), &allowed), 0);
        }
    }
    if (vs->n == vs->cap) vs->v = realloc(vs->v, (vs->cap = vs->cap ? vs->cap * 2 : 1024) * sizeof x);
    vs->v[vs->n++] = x;
    return 0;
}

static void read_versions(versions *vs, int delivery, char file)
{
    size_t len;
    char err[256];
    char *buf = cclf_file(DELIVERY[delivery], file, &len);
    vs->delivery = delivery;
    vs->file = file;
    ck_assert_msg(cclf_records(cclf_layout_for(file), buf, len, version_cb, vs, err,
                               sizeof err) >= 0, "%s", err);
    free(buf);
}

/* Each version of medical_claim.csv is delivered once per delivery its load date puts it
 * in, with all its lines, and the latest non-cancelled versions pay what the CSV's do. */
START_TEST(test_cclf_versions_and_payments)
{
    synth_conv_counts cc;
    generate("a", &cc, NULL);
    size_t n_csv;
    csv_version *cv = csv_versions("a", &n_csv);
    ck_assert_int_eq((int64_t)n_csv, cc.versions);
    versions all = {0};
    for (int d = 0; d < 2; d++) {
        versions hdr = {0};
        read_versions(&hdr, d, '1');
        qsort(hdr.v, hdr.n, sizeof *hdr.v, cmp_uniq);
        for (size_t i = 1; i < hdr.n; i++) /* one CCLF1 record per version and delivery */
            ck_assert(hdr.v[i].uniq != hdr.v[i - 1].uniq);
        for (size_t i = 0; i < hdr.n; i++) {
            if (all.n == all.cap)
                all.v = realloc(all.v, (all.cap = all.cap ? all.cap * 2 : 1024) * sizeof *all.v);
            all.v[all.n++] = hdr.v[i];
        }
        all.headers = hdr.v;
        all.n_headers = hdr.n;
        read_versions(&all, d, '2');
        read_versions(&all, d, '5');
        read_versions(&all, d, '6');
        all.headers = NULL;
        free(hdr.v);
    }
    /* merge per (version, delivery) */
    qsort(all.v, all.n, sizeof *all.v, cmp_uniq);
    size_t m = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (m && all.v[m - 1].uniq == all.v[i].uniq && all.v[m - 1].delivery == all.v[i].delivery) {
            ck_assert_str_eq(all.v[m - 1].cntl, all.v[i].cntl);
            ck_assert_int_eq(all.v[m - 1].load, all.v[i].load);
            all.v[m - 1].lines += all.v[i].lines;
            all.v[m - 1].paid += all.v[i].paid;
        } else {
            all.v[m++] = all.v[i];
        }
    }
    cara_date dec31 = date_from_ymd(YEAR, 12, 31), nov30 = date_from_ymd(YEAR, 11, 30);
    /* the same version in both deliveries is the same; membership follows the load date */
    size_t distinct = 0, twice = 0;
    int64_t cclf_paid = 0;
    for (size_t i = 0; i < m; i++) {
        const cclf_version *x = &all.v[i];
        int in0 = x->delivery == 0 || (i && all.v[i - 1].uniq == x->uniq);
        int in1 = x->delivery == 1 || (i + 1 < m && all.v[i + 1].uniq == x->uniq);
        ck_assert_int_eq(in0, x->load <= dec31);
        ck_assert_int_eq(in1, x->load > nov30);
        if (i && all.v[i - 1].uniq == x->uniq) {
            twice++;
            ck_assert_int_eq(all.v[i - 1].lines, x->lines);
            ck_assert_int_eq(all.v[i - 1].paid, x->paid);
            continue;
        }
        /* versions are numbered in CSV order: version k is the CSV's k-th */
        size_t k = (size_t)(x->uniq - 1000000000001ull);
        ck_assert_uint_lt(k, n_csv);
        ck_assert_str_eq(x->cntl, cv[k].id);
        ck_assert_int_eq(x->adj, cv[k].adj);
        ck_assert_int_eq(x->lines, cv[k].lines);
        ck_assert_int_eq(x->paid, x->adj == 1 ? -cv[k].paid : cv[k].paid);
        if (k > 0 && !strcmp(cv[k - 1].id, cv[k].id)) /* later versions load later */
            ck_assert_int_gt(x->load, all.v[i - 1].load);
        if ((k + 1 == n_csv || strcmp(cv[k + 1].id, cv[k].id)) && x->adj != 1)
            cclf_paid += x->paid;
        distinct++;
    }
    ck_assert_uint_eq(distinct, n_csv);
    ck_assert_uint_gt(twice, 0); /* December's versions come twice */
    ck_assert_int_eq(cclf_paid, csv_latest_paid(cv, n_csv));
    ck_assert_int_gt(cclf_paid, 0);
    free(all.v);
    free(cv);
}
END_TEST

/* ---- the crosswalk ------------------------------------------------------------------------- */

typedef struct mbis {
    char (*v)[12];
    size_t n, cap;
    const char *field;
    char file;
} mbis;

static int mbi_cb(void *ud, const char *rec, size_t number)
{
    mbis *m = ud;
    (void)number;
    if (m->n == m->cap) m->v = realloc(m->v, (m->cap = m->cap ? m->cap * 2 : 512) * sizeof *m->v);
    cclf_text(rec, cclf_field_named(cclf_layout_for(m->file), m->field), m->v[m->n], 12);
    m->n++;
    return 0;
}

static int cmp_mbi(const void *a, const void *b) { return strcmp(a, b); }

static void read_mbis(mbis *m, int delivery, char file, const char *field)
{
    size_t len;
    char err[256];
    char *buf = cclf_file(DELIVERY[delivery], file, &len);
    m->file = file;
    m->field = field;
    ck_assert_msg(cclf_records(cclf_layout_for(file), buf, len, mbi_cb, m, err, sizeof err) >= 0,
                  "%s", err);
    free(buf);
}

/* Every previous MBI is valid, no one's current MBI, and resolves to a CCLF8 MBI; every
 * claim MBI is a CCLF8 MBI or resolves to one. */
START_TEST(test_cclf_crosswalk)
{
    synth_conv_counts cc;
    generate("a", &cc, NULL);
    ck_assert_int_gt(cc.prev_mbis, 0);
    for (int d = 0; d < 2; d++) {
        mbis cur = {0}, prev = {0}, claims = {0};
        read_mbis(&cur, d, '8', "BENE_MBI_ID");
        ck_assert_uint_eq(cur.n, N_BENES);
        qsort(cur.v, cur.n, sizeof *cur.v, cmp_mbi);
        read_mbis(&prev, d, '9', "PRVS_NUM");
        ck_assert_int_eq((int64_t)prev.n, cc.prev_mbis);
        size_t len;
        char err[256];
        char *buf = cclf_file(DELIVERY[d], '9', &len);
        cclf_xwalk *x;
        ck_assert_msg(cclf_xwalk_build(buf, len, &x, err, sizeof err) == 0, "%s", err);
        free(buf);
        ck_assert_uint_eq(cclf_xwalk_size(x), prev.n);
        for (size_t i = 0; i < prev.n; i++) {
            int synthetic;
            ck_assert_int_eq(mbi_check(prev.v[i], 11, &synthetic), ID_OK);
            ck_assert(!bsearch(prev.v[i], cur.v, cur.n, sizeof *cur.v, cmp_mbi));
            const char *now = cclf_xwalk_current(x, prev.v[i]);
            ck_assert(bsearch(now, cur.v, cur.n, sizeof *cur.v, cmp_mbi));
        }
        read_mbis(&claims, d, '1', "BENE_MBI_ID");
        read_mbis(&claims, d, '5', "BENE_MBI_ID");
        size_t used_prev = 0;
        for (size_t i = 0; i < claims.n; i++) {
            const char *now = cclf_xwalk_current(x, claims.v[i]);
            used_prev += now != claims.v[i];
            ck_assert_msg(bsearch(now, cur.v, cur.n, sizeof *cur.v, cmp_mbi), "%s",
                          claims.v[i]);
        }
        if (d == 0) ck_assert_uint_gt(used_prev, 0); /* delivery 1 has pre-July versions */
        cclf_xwalk_free(x);
        free(cur.v);
        free(prev.v);
        free(claims.v);
    }
}
END_TEST

/* cclf/eligibility.csv holds whom CCLF8 cannot express (several spans, or one ending
 * before death); fhir/eligibility.csv the people in hospice. */
START_TEST(test_eligibility_copies)
{
    synth_conv_counts cc, fc;
    generate("a", &cc, &fc);
    size_t len;
    char *buf = slurp_in("a/cclf", "eligibility.csv", &len);
    ck_assert(!strncmp(buf, sc_elig_header, strlen(sc_elig_header)));
    ck_assert_int_gt(cc.elig_copied, 0);
    ck_assert_int_lt(cc.elig_copied, N_BENES / 4);
    ck_assert_ptr_nonnull(strstr(buf, ",1,")); /* with a hospice span */
    free(buf);
    buf = slurp_in("a/fhir", "eligibility.csv", &len);
    ck_assert(!strncmp(buf, sc_elig_header, strlen(sc_elig_header)));
    ck_assert_int_gt(fc.elig_copied, 0);
    for (const char *p = strchr(buf, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
        /* every copied person has a hospice span among its rows */
        int hospice = 0;
        for (const char *q = strchr(buf, '\n') + 1; *q; q = strchr(q, '\n') + 1) {
            const char *e = strchr(q, '\n'), *h = strstr(q, ",1,");
            if (!memcmp(q, p, 11) && h && h < e) hospice = 1;
        }
        ck_assert_msg(hospice, "%.11s has no hospice span", p);
    }
    free(buf);
    static const char *const own[] = {"acos.csv", "providers.csv", "arrangements.csv",
                                      "alignment.csv"};
    for (size_t i = 0; i < 4; i++) {
        size_t l0, l1, l2;
        char *a = slurp_in("a", own[i], &l0), *b = slurp_in("a/cclf", own[i], &l1),
             *c = slurp_in("a/fhir", own[i], &l2);
        ck_assert(l0 == l1 && l0 == l2 && !memcmp(a, b, l0) && !memcmp(a, c, l0));
        free(a);
        free(b);
        free(c);
    }
}
END_TEST

/* ---- FHIR ------------------------------------------------------------------------------------ */

/* Each line of an NDJSON file parses as an object of the resource type; returns the count
 * and, for EOBs, how many are cancelled. */
static size_t ndjson(const char *name, const char *type, size_t *cancelled)
{
    size_t len, n = 0;
    char *buf = slurp_in("a/fhir", name, &len);
    *cancelled = 0;
    for (char *p = buf; p < buf + len;) {
        char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        json_error_t e;
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, &e);
        ck_assert_msg(j != NULL, "%s line %zu: %s", name, n + 1, e.text);
        ck_assert_str_eq(json_string_value(json_object_get(j, "resourceType")), type);
        ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "id")));
        if (!strcmp(type, "ExplanationOfBenefit")) {
            const char *st = json_string_value(json_object_get(j, "status"));
            *cancelled += !strcmp(st, "cancelled");
            json_t *items = json_object_get(j, "item");
            ck_assert(json_array_size(items) > 0);
            json_t *adj = json_object_get(json_array_get(items, 0), "adjudication");
            ck_assert_int_eq(json_array_size(adj), 2);
            ck_assert(json_is_number(json_object_get(json_object_get(json_array_get(adj, 0),
                                                                     "amount"), "value")));
        }
        json_decref(j);
        n++;
        p = nl + 1;
    }
    free(buf);
    return n;
}

START_TEST(test_fhir_ndjson)
{
    synth_conv_counts fc;
    generate("a", NULL, &fc);
    size_t n_csv, cancelled, c2;
    csv_version *cv = csv_versions("a", &n_csv);
    size_t csv_cancelled = 0;
    for (size_t i = 0; i < n_csv; i++) csv_cancelled += cv[i].adj == 1;
    ck_assert_uint_eq(ndjson("ExplanationOfBenefit.ndjson", "ExplanationOfBenefit", &cancelled),
                      n_csv);
    ck_assert_uint_eq(cancelled, csv_cancelled);
    ck_assert_uint_eq(ndjson("Patient.ndjson", "Patient", &c2), N_BENES);
    ck_assert_int_eq((int64_t)ndjson("Coverage.ndjson", "Coverage", &c2), fc.coverages);
    ck_assert_int_ge(fc.coverages, N_BENES);
    free(cv);
}
END_TEST

/* ---- determinism and the command line --------------------------------------------------------- */

static void digest_dir(const char *sub, char *all, size_t cap)
{
    size_t n;
    char **names = list(sub, &n);
    all[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char hex[65];
        char *buf = slurp_in(sub, names[i], &len);
        sha256_hex(buf, len, hex);
        ck_assert_uint_lt(strlen(all) + strlen(names[i]) + 66, cap);
        strcat(all, names[i]);
        strcat(all, hex);
        free(buf);
    }
    free_list(names, n);
}

START_TEST(test_deterministic)
{
    generate("a", NULL, NULL);
    generate("b", NULL, NULL);
    static char da[8192], db[8192];
    digest_dir("a/cclf", da, sizeof da);
    digest_dir("b/cclf", db, sizeof db);
    ck_assert_str_eq(da, db);
    digest_dir("a/fhir", da, sizeof da);
    digest_dir("b/fhir", db, sizeof db);
    ck_assert_str_eq(da, db);
}
END_TEST

START_TEST(test_format_parse)
{
    ck_assert_int_eq(synth_format_parse("csv"), SYNTH_FMT_CSV);
    ck_assert_int_eq(synth_format_parse("cclf"), SYNTH_FMT_CSV | SYNTH_FMT_CCLF);
    ck_assert_int_eq(synth_format_parse("fhir"), SYNTH_FMT_CSV | SYNTH_FMT_FHIR);
    ck_assert_int_eq(synth_format_parse("all"), SYNTH_FMT_CSV | SYNTH_FMT_CCLF | SYNTH_FMT_FHIR);
    ck_assert_int_eq(synth_format_parse("bogus"), -1);
    ck_assert_int_eq(synth_format_parse("CSV"), -1);
}
END_TEST

/* Run "$CARA_BIN ARGS" in dir; the exit status, stderr into err (size cap). */
static int cara(const char *args, char *errtext, size_t cap)
{
    const char *bin = getenv("CARA_BIN");
    ck_assert_msg(bin != NULL, "CARA_BIN is not set (run through make test)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out 2>err </dev/null", dir, bin, args);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    size_t len;
    char *buf = slurp_in(".", "err", &len);
    util_strlcpy(errtext, buf, cap);
    free(buf);
    return WEXITSTATUS(st);
}

START_TEST(test_cli)
{
    char err[1024];
    ck_assert_int_eq(cara("synth --out x --beneficiaries 5 --seed 1 --format bogus", err,
                          sizeof err), 2);
    ck_assert_ptr_nonnull(strstr(err, "--format: 'bogus' is not csv, cclf, fhir or all"));
    ck_assert_int_eq(cara("synth --out x --beneficiaries 20 --seed 1 --format all", err,
                          sizeof err), 0);
    size_t len;
    char *out = slurp_in(".", "out", &len);
    ck_assert_ptr_nonnull(strstr(out, "x/cclf: "));
    ck_assert_ptr_nonnull(strstr(out, "x/fhir: 20 Patient"));
    free(out);
    char path[128];
    snprintf(path, sizeof path, "%s/x/fhir/ExplanationOfBenefit.ndjson", dir);
    ck_assert(util_exists(path));
}
END_TEST

Suite *suite_synth_formats(void)
{
    Suite *s = suite_create("synth_formats");
    TCase *tc = tcase_create("synth_formats");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cclf_records_and_summary);
    tcase_add_test(tc, test_cclf_versions_and_payments);
    tcase_add_test(tc, test_cclf_crosswalk);
    tcase_add_test(tc, test_eligibility_copies);
    tcase_add_test(tc, test_fhir_ndjson);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_format_parse);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return s;
}
