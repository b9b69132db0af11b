/*
 * tests/test_synth_formats.c: `cara synth --format cclf|fhir`, read back with cara's own
 * CCLF readers and jansson: the monthly delivery's loose files and the run-out's zip
 * bundle (ZC{n}R{yy} members) have records of their layouts' lengths and CCLF0 counts
 * what the files hold; every claim version of medical_claim.csv is one CCLF record
 * (unsigned amounts), delivered once in each delivery its IDR load date puts it in, every
 * adjustment preceded by a cancellation of the version it replaces, and originals minus
 * cancellations pay what the CSV's latest versions do; header-paid institutional claims
 * carry their payment in CLM_PMT_AMT with 0 on the lines; denied duplicates and denied
 * lines pay nothing; unused fields are '~'; the crosswalk resolves every previous MBI
 * (and every claim MBI unknown to CCLF8) to a CCLF8 beneficiary and has HICN pairs;
 * every NDJSON line is JSON, one ExplanationOfBenefit per version; the same seed gives
 * the same bytes, stale outputs are removed; and an unknown --format is a usage error.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "feeds/cclf.h"
#include "feeds/cclf_bundle.h"
#include "base/csv_scan.h"
#include "base/date.h"
#include "base/ids.h"
#include "base/money.h"
#include "base/sha256.h"
#include "suites.h"
#include "synth/synthdata.h"
#include "synth/synthdata_conv.h"
#include "base/util.h"

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

/* The run-out bundle of dir/sub/cclf extracted into dir/sub/runout. */
static void extract_runout(const char *sub)
{
    char bundle[64], out[256], err[256];
    snprintf(bundle, sizeof bundle, "T.A0000.ACO.ZCR%02d.D%02d0915.T1200000", YEAR % 100,
             (YEAR + 1) % 100);
    snprintf(out, sizeof out, "%s/%s/cclf", dir, sub);
    size_t len;
    char *buf = slurp_in(out + strlen(dir) + 1, bundle, &len);
    ck_assert(cclf_bundle_name(bundle));
    snprintf(out, sizeof out, "%s/%s/runout", dir, sub);
    ck_assert_int_eq(mkdir(out, 0777), 0);
    char **paths;
    size_t n;
    ck_assert_msg(cclf_bundle_extract(buf, len, out, 0, &paths, &n, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_uint_eq(n, 9); /* CCLF0-6, 8, 9 */
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    free(buf);
}

/* Generate into dir/sub with both forms, the run-out extracted into dir/sub/runout. */
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
    extract_runout(sub);
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
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
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

/* The CCLF file x of delivery 0 (loose, ZC{x}Y27.D280115) or 1 (the run-out bundle's
 * member ZC{x}R27.D280915). */
static char *cclf_file(int delivery, char x, size_t *len)
{
    char name[64];
    snprintf(name, sizeof name, "T.A0000.ACO.ZC%c%c%02d.D%02d%s.T1200000", x,
             delivery ? 'R' : 'Y', YEAR % 100, (YEAR + 1) % 100, delivery ? "0915" : "0115");
    return slurp_in(delivery ? "a/runout" : "a/cclf", name, len);
}

/* A field's raw text (trailing spaces removed): "~" stays "~". */
static void raw(const char *rec, char file, const char *field, char *out, size_t outlen)
{
    const cclf_field *f = cclf_field_named(cclf_layout_for(file), field);
    ck_assert_ptr_nonnull(f);
    size_t n = f->len;
    while (n && rec[f->start - 1 + n - 1] == ' ') n--;
    ck_assert_uint_lt(n, outlen);
    memcpy(out, rec + f->start - 1, n);
    out[n] = '\0';
}

/* ---- the CSV's claim versions ------------------------------------------------------------- */

typedef struct csv_version {
    char id[16];
    char type;              /* i, p, d */
    char bill[4];
    int adj;
    int lines;
    int64_t paid;
} csv_version;

static size_t col_of(const csv_scan *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->f[i].len == strlen(name) && !memcmp(s->f[i].p, name, s->f[i].len)) return i;
    ck_abort_msg("no column %s", name);
    return 0;
}

/* The versions of medical_claim.csv in file order. */
static csv_version *csv_versions(const char *sub, size_t *n)
{
    size_t len;
    char *buf = slurp_in(sub, "medical_claim.csv", &len);
    csv_scan s;
    csv_scan_init(&s, buf, len);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    size_t ci = col_of(&s, "claim_id"), ai = col_of(&s, "adjustment_type_code"),
           pi = col_of(&s, "paid_amount"), ti = col_of(&s, "claim_type"),
           bi = col_of(&s, "bill_type_code");
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
            v[*n] = (csv_version){.adj = adj, .type = s.f[ti].p[0]};
            memcpy(v[*n].id, id, sizeof id);
            int bl = (int)(s.f[bi].len < 3 ? s.f[bi].len : 3);
            snprintf(v[*n].bill, sizeof v[*n].bill, "%.*s", bl, s.f[bi].p);
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

static int header_paid(const char *bill)
{
    return !strncmp(bill, "11", 2) || !strncmp(bill, "21", 2) || !strncmp(bill, "32", 2) ||
           !strncmp(bill, "33", 2) || !strncmp(bill, "81", 2) || !strncmp(bill, "82", 2);
}

/* ---- CCLF read back ----------------------------------------------------------------------- */

static long count_cb_n;
static int count_cb(void *ud, const char *rec, size_t number)
{
    (void)ud, (void)rec, (void)number;
    count_cb_n++;
    return 0;
}

/* Every CCLF file (the monthly delivery's loose files, the run-out bundle's members) has
 * records of its layout's length, and CCLF0 counts them. */
START_TEST(test_cclf_records_and_summary)
{
    synth_conv_counts cc;
    generate("a", &cc, NULL);
    int cclf_files = 0, bundles = 0;
    for (int k = 0; k < 2; k++) {
        const char *sub = k ? "a/runout" : "a/cclf";
        size_t n;
        char **names = list(sub, &n);
        for (size_t i = 0; i < n; i++) {
            cclf_name nm;
            ck_assert_msg(names[i][0] != '.', "%s/%s left behind", sub, names[i]);
            if (cclf_name_parse(names[i], &nm) < 0) {
                bundles += cclf_bundle_name(names[i]);
                continue;
            }
            cclf_files++;
            ck_assert_int_eq(nm.env, 'T');
            ck_assert_str_eq(nm.aco, "A0000");
            ck_assert_int_eq(nm.year, YEAR);
            ck_assert_int_eq(nm.runout, k); /* ZC{n}Y27 loose, ZC{n}R27 in the bundle */
            size_t len;
            char *buf = slurp_in(sub, names[i], &len);
            char err[256];
            count_cb_n = 0;
            long got = cclf_records(cclf_layout_for(nm.file), buf, len, count_cb, NULL, err,
                                    sizeof err);
            ck_assert_msg(got >= 0, "%s: %s", names[i], err);
            free(buf);
            if (nm.file == '0') continue;
            char *sum = cclf_file(k, '0', &len);
            cclf_count kc[16];
            int nk = cclf_summary(sum, len, kc, 16, err, sizeof err);
            ck_assert_msg(nk == 8, "%s", err);
            int found = 0;
            for (int j = 0; j < nk; j++) {
                if (kc[j].file != nm.file) continue;
                found = 1;
                ck_assert_int_eq(kc[j].records, got);
                ck_assert_int_eq(kc[j].reclen, cclf_layout_for(nm.file)->reclen);
            }
            ck_assert_msg(found, "CCLF0 lacks CCLF%c", nm.file);
            free(sum);
        }
        free_list(names, n);
    }
    ck_assert_int_eq(cclf_files, 18); /* CCLF0-6, 8, 9 twice */
    ck_assert_int_eq(bundles, 1);     /* the run-out, only as its bundle */
    ck_assert_int_eq(cc.people, N_BENES);
    ck_assert_int_gt(cc.records[0], cc.records[1]);
    ck_assert_int_gt(cc.records[1], 0);
}
END_TEST

/* One CCLF record as the files show it (per delivery; its lines summed). */
typedef struct cclf_version {
    uint64_t uniq;
    char cntl[41], org[41];     /* org: "~" when none */
    cara_date load;
    int adj;
    int lines, denied_lines;
    int64_t paid;               /* lines (CCLF2, 5, 6) */
    int64_t pmt;                /* CCLF1 CLM_PMT_AMT */
    char file;                  /* '1' institutional, '5', '6' */
    char bill[4];
    int denied;                 /* CLM_CARR_PMT_DNL_CD 0 */
    int delivery;
} cclf_version;

typedef struct versions {
    cclf_version *v;
    size_t n, cap;
    int delivery;
    char file;
    const cclf_version *headers; /* CCLF1 of the delivery, sorted by uniq (for CCLF2) */
    size_t n_headers;
    int fillers;                 /* '~' seen in the places CMS fills */
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

/* Modifiers and (CCLF5) diagnosis slots: a code or CMS's '~', never blank. */
static void check_fillers(versions *vs, const char *rec, char file)
{
    static const char *const MOD[] = {"HCPCS_1_MDFR_CD", "HCPCS_2_MDFR_CD", "HCPCS_3_MDFR_CD",
                                      "HCPCS_4_MDFR_CD", "HCPCS_5_MDFR_CD"};
    char t[48];
    for (int m = 0; m < 5 && file != '6'; m++) {
        raw(rec, file, MOD[m], t, sizeof t);
        ck_assert_msg(t[0], "%s blank", MOD[m]);
        vs->fillers += !strcmp(t, "~");
    }
    for (int k = 1; k <= 12 && file == '5'; k++) {
        char name[24];
        snprintf(name, sizeof name, "CLM_DGNS_%d_CD", k);
        raw(rec, file, name, t, sizeof t);
        ck_assert_msg(t[0], "%s blank", name);
        vs->fillers += !strcmp(t, "~");
    }
}

/* A record of CCLF1 (a header), 2, 5 or 6 (a line) into ud's list. */
static int version_cb(void *ud, const char *rec, size_t number)
{
    versions *vs = ud;
    const cclf_layout *l = cclf_layout_for(vs->file);
    (void)number;
    cclf_version x = {.delivery = vs->delivery, .file = vs->file};
    x.uniq = digits_of(rec, cclf_field_named(l, "CUR_CLM_UNIQ_ID"));
    if (vs->file == '2') {
        const cclf_version *h = bsearch(&x, vs->headers, vs->n_headers, sizeof x, cmp_uniq);
        ck_assert_ptr_nonnull(h);
        x = *h;
        x.lines = 1;
        x.paid = x.pmt = 0;
    } else {
        char adj[4], t[48];
        cclf_text(rec, cclf_field_named(l, "CLM_CNTL_NUM"), x.cntl, sizeof x.cntl);
        cclf_text(rec, cclf_field_named(l, "CLM_ADJSMT_TYPE_CD"), adj, sizeof adj);
        x.adj = adj[0] - '0';
        ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_IDR_LD_DT"), &x.load), 0);
        cara_date eff;
        ck_assert_int_eq(cclf_date(rec, cclf_field_named(l, "CLM_EFCTV_DT"), &eff), 0);
        ck_assert_int_eq(eff, x.load - 2);
        x.lines = vs->file == '1' ? 0 : 1;
        if (vs->file == '1') {
            raw(rec, '1', "CLM_ORG_CNTL_NUM", x.org, sizeof x.org);
            raw(rec, '1', "CLM_MDCR_NPMT_RSN_CD", t, sizeof t);
            ck_assert_str_eq(t, "~"); /* paid claims */
            ck_assert_int_eq(cclf_money(rec, cclf_field_named(l, "CLM_PMT_AMT"), &x.pmt), 0);
            ck_assert_int_ge(x.pmt, 0); /* never signed */
            char b[4];
            raw(rec, '1', "CLM_BILL_FAC_TYPE_CD", b, sizeof b);
            x.bill[0] = b[0];
            raw(rec, '1', "CLM_BILL_CLSFCTN_CD", b, sizeof b);
            x.bill[1] = b[0];
            raw(rec, '1', "CLM_BILL_FREQ_CD", b, sizeof b);
            x.bill[2] = b[0];
            x.bill[3] = '\0';
        } else {
            raw(rec, vs->file, "CLM_CARR_PMT_DNL_CD", t, sizeof t);
            ck_assert(!strcmp(t, "0") || !strcmp(t, "1"));
            x.denied = t[0] == '0';
            raw(rec, vs->file, "CLM_PRCSG_IND_CD", t, sizeof t);
            ck_assert(!strcmp(t, "A") || !strcmp(t, "D"));
            x.denied_lines = t[0] == 'D' && !x.denied;
            if (x.denied_lines) x.lines = 0;
        }
    }
    if (vs->file != '1') {
        int64_t paid, allowed;
        ck_assert_int_eq(cclf_money(rec, cclf_field_named(l, "CLM_LINE_CVRD_PD_AMT"), &paid), 0);
        ck_assert_int_ge(paid, 0); /* never signed */
        x.paid = paid;
        check_fillers(vs, rec, vs->file);
        if (vs->file != '2') {
            ck_assert_int_eq(
                cclf_money(rec, cclf_field_named(l, "CLM_LINE_ALOWD_CHRG_AMT"), &allowed), 0);
            if (x.denied || x.denied_lines) ck_assert(paid == 0 && allowed == 0);
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
    char *buf = cclf_file(delivery, file, &len);
    vs->delivery = delivery;
    vs->file = file;
    ck_assert_msg(cclf_records(cclf_layout_for(file), buf, len, version_cb, vs, err,
                               sizeof err) >= 0, "%s", err);
    free(buf);
}

#define UNIQ_RANGE 1000000000000ull

/* The record of CSV version k (kind 1) in the merged list m[0..n). */
static const cclf_version *record_of(const cclf_version *m, size_t n, uint64_t uniq)
{
    cclf_version key = {.uniq = uniq};
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first with this uniq */
        size_t mid = (lo + hi) / 2;
        if (cmp_uniq(&m[mid], &key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && m[lo].uniq == uniq ? &m[lo] : NULL;
}

/* Each CSV version is one record (CUR_CLM_UNIQ_ID 1000000000000 + its number), delivered
 * once per delivery its load date puts it in, with all its lines and unsigned amounts;
 * each adjustment comes with a cancellation (2000000000000 + its number) of the version
 * it replaces, dated like it; denied duplicates (3000000000000 + n) and denied lines pay
 * nothing; and originals and adjustments minus cancellations pay what the CSV's latest
 * versions do. */
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
        all.fillers += hdr.fillers;
        free(hdr.v);
    }
    ck_assert_int_gt(all.fillers, 0);
    /* merge per (record, delivery) */
    qsort(all.v, all.n, sizeof *all.v, cmp_uniq);
    size_t m = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (m && all.v[m - 1].uniq == all.v[i].uniq && all.v[m - 1].delivery == all.v[i].delivery) {
            cclf_version *p = &all.v[m - 1], *x = &all.v[i];
            ck_assert_str_eq(p->cntl, x->cntl);
            ck_assert_int_eq(p->load, x->load);
            ck_assert_int_eq(p->denied, x->denied);
            p->lines += x->lines;
            p->denied_lines += x->denied_lines;
            p->paid += x->paid;
            p->pmt += x->pmt;
        } else {
            all.v[m++] = all.v[i];
        }
    }
    cara_date dec31 = date_from_ymd(YEAR, 12, 31), nov30 = date_from_ymd(YEAR, 11, 30);
    size_t distinct[4] = {0}, twice = 0, header = 0, denied_lines = 0;
    int64_t net = 0;
    for (size_t i = 0; i < m; i++) {
        const cclf_version *x = &all.v[i];
        /* the same record in both deliveries is the same; membership follows the load date */
        int in0 = x->delivery == 0 || (i && all.v[i - 1].uniq == x->uniq);
        int in1 = x->delivery == 1 || (i + 1 < m && all.v[i + 1].uniq == x->uniq);
        ck_assert_int_eq(in0, x->load <= dec31);
        ck_assert_int_eq(in1, x->load > nov30);
        if (i && all.v[i - 1].uniq == x->uniq) {
            twice++;
            ck_assert_int_eq(all.v[i - 1].lines, x->lines);
            ck_assert_int_eq(all.v[i - 1].paid, x->paid);
            ck_assert_int_eq(all.v[i - 1].pmt, x->pmt);
            continue;
        }
        int kind = (int)(x->uniq / UNIQ_RANGE);
        size_t k = (size_t)(x->uniq % UNIQ_RANGE) - 1;
        ck_assert_msg(kind >= 1 && kind <= 3 && k < n_csv, "CUR_CLM_UNIQ_ID %llu",
                      (unsigned long long)x->uniq);
        distinct[kind]++;
        denied_lines += x->denied_lines > 0;
        const csv_version *v = &cv[k];
        int inst = x->file == '1', later = k > 0 && !strcmp(cv[k - 1].id, v->id);
        int64_t paid = inst ? x->pmt : x->paid;
        ck_assert_int_eq(x->file, v->type == 'i' ? '1' : v->type == 'p' ? '5' : '6');
        if (kind == 1) { /* the CSV's version k */
            ck_assert_int_eq(x->adj, v->adj);
            ck_assert_int_eq(x->lines, v->lines);
            ck_assert_int_eq(paid, v->paid); /* cancellations too: unsigned */
            ck_assert(!strncmp(x->cntl, v->id, strlen(v->id)));
            if (inst) {
                /* header-paid: the lines carry nothing */
                ck_assert_int_eq(x->paid, header_paid(v->bill) ? 0 : v->paid);
                header += header_paid(v->bill) && v->paid > 0;
                if (v->adj == 0) ck_assert_str_eq(x->org, "~");
                if (later) { /* CLM_ORG_CNTL_NUM: the version it adjusts or cancels */
                    const cclf_version *p = record_of(all.v, m, x->uniq - 1);
                    ck_assert_ptr_nonnull(p);
                    ck_assert_str_eq(x->org, p->cntl);
                    if (v->adj == 2) ck_assert_str_ne(x->cntl, p->cntl);
                    else ck_assert_str_eq(x->cntl, p->cntl);
                }
            } else {
                ck_assert_str_eq(x->cntl, v->id); /* Part B: the natural key */
            }
            if (later) ck_assert_int_gt(x->load, record_of(all.v, m, x->uniq - 1)->load);
            net += x->adj == 1 ? -paid : paid;
        } else if (kind == 2) { /* the cancellation sent with the adjustment k */
            ck_assert_int_eq(v->adj, 2);
            ck_assert(later);
            ck_assert_int_eq(x->adj, 1);
            const csv_version *p = &cv[k - 1];
            const cclf_version *pr = record_of(all.v, m, UNIQ_RANGE + k); /* version k-1 */
            const cclf_version *adj = record_of(all.v, m, UNIQ_RANGE + k + 1);
            ck_assert_ptr_nonnull(pr);
            ck_assert_ptr_nonnull(adj);
            ck_assert_int_eq(x->lines, p->lines);
            ck_assert_int_eq(paid, p->paid);
            ck_assert_str_eq(x->cntl, pr->cntl);
            ck_assert_int_eq(x->load, adj->load);
            if (inst) ck_assert_str_eq(x->org, pr->cntl);
            net -= paid;
        } else { /* a denied duplicate of original k */
            ck_assert_int_eq(v->type, 'p');
            ck_assert_int_eq(v->adj, 0);
            ck_assert(x->denied);
            ck_assert_int_eq(x->paid, 0);
            ck_assert_int_eq(x->lines, v->lines);
            char want[24];
            snprintf(want, sizeof want, "%sD", v->id);
            ck_assert_str_eq(x->cntl, want);
        }
    }
    size_t csv_adjustments = 0;
    for (size_t i = 0; i < n_csv; i++) csv_adjustments += cv[i].adj == 2;
    ck_assert_uint_eq(distinct[1], n_csv);
    ck_assert_uint_eq(distinct[2], csv_adjustments);
    ck_assert_int_eq((int64_t)distinct[2], cc.credits);
    ck_assert_int_eq((int64_t)distinct[3], cc.denied_claims);
    ck_assert_uint_gt(distinct[2], 0);
    ck_assert_uint_gt(distinct[3], 0);
    ck_assert_uint_gt(denied_lines, 0);
    ck_assert_uint_gt(header, 0);
    ck_assert_uint_gt(twice, 0); /* December's records come twice */
    ck_assert_int_eq(net, csv_latest_paid(cv, n_csv));
    ck_assert_int_gt(net, 0);
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
    size_t hicn;                /* CCLF9: HICN pairs (H), not listed */
} mbis;

/* A HICN: nine digits and a beneficiary identification code letter. */
static int is_hicn(const char *s)
{
    return strlen(s) == 10 && strspn(s, "0123456789") == 9 && s[9] >= 'A' && s[9] <= 'Z';
}

static int mbi_cb(void *ud, const char *rec, size_t number)
{
    mbis *m = ud;
    (void)number;
    if (m->file == '9') {
        char ind[4], a[16], b[16];
        raw(rec, '9', "HICN_MBI_XREF_IND", ind, sizeof ind);
        ck_assert(!strcmp(ind, "M") || !strcmp(ind, "H"));
        if (ind[0] == 'H') {
            raw(rec, '9', "CRNT_NUM", a, sizeof a);
            raw(rec, '9', "PRVS_NUM", b, sizeof b);
            ck_assert_msg(is_hicn(a) && is_hicn(b) && strcmp(a, b), "HICN pair %s %s", a, b);
            m->hicn++;
            return 0;
        }
    }
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
    char *buf = cclf_file(delivery, file, &len);
    m->file = file;
    m->field = field;
    ck_assert_msg(cclf_records(cclf_layout_for(file), buf, len, mbi_cb, m, err, sizeof err) >= 0,
                  "%s", err);
    free(buf);
}

/* Every previous MBI is valid, no one's current MBI, and resolves to a CCLF8 MBI; every
 * claim MBI is a CCLF8 MBI or resolves to one; the HICN pairs (H) are HICNs, which the
 * crosswalk leaves out. */
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
        ck_assert_int_eq((int64_t)prev.hicn, cc.hicn_rows); /* beside the MBI pairs */
        ck_assert_int_gt(cc.hicn_rows, 0);
        size_t len;
        char err[256];
        char *buf = cclf_file(d, '9', &len);
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

static const char *code_of(const json_t *coding)
{
    return json_string_value(json_object_get(coding, "code"));
}

static const char *system_of(const json_t *coding)
{
    return json_string_value(json_object_get(coding, "system"));
}

/* An EOB as BFD v2 writes it: the claim type as nch_clm_type_cd, eob-type and claim-type
 * codings; careTeam NPIs typed with the C4BB npi identifier type; institutional claims'
 * provider a contained Organization with the NPI; a claim payment. */
static void bfd_shapes(const json_t *eob)
{
    const json_t *tc = json_object_get(json_object_get(eob, "type"), "coding");
    ck_assert_uint_eq(json_array_size(tc), 3);
    ck_assert_str_eq(system_of(json_array_get(tc, 0)),
                     "https://bluebutton.cms.gov/resources/variables/nch_clm_type_cd");
    ck_assert_str_eq(system_of(json_array_get(tc, 1)),
                     "https://bluebutton.cms.gov/resources/codesystem/eob-type");
    ck_assert_str_eq(system_of(json_array_get(tc, 2)),
                     "http://terminology.hl7.org/CodeSystem/claim-type");
    int inst = !strcmp(code_of(json_array_get(tc, 2)), "institutional");
    const char *eob_type = code_of(json_array_get(tc, 1));
    ck_assert_int_eq(inst, strcmp(eob_type, "CARRIER") && strcmp(eob_type, "DME"));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(eob, "careTeam"), i, m) {
        const json_t *id = json_object_get(json_object_get(m, "provider"), "identifier");
        const json_t *t = json_array_get(json_object_get(json_object_get(id, "type"), "coding"), 0);
        ck_assert_str_eq(system_of(t),
                         "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType");
        ck_assert_str_eq(code_of(t), "npi");
        ck_assert_int_eq(strlen(json_string_value(json_object_get(id, "value"))), 10);
    }
    if (inst) {
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(eob, "provider"),
                                                           "reference")), "#provider-org");
        const json_t *org = json_array_get(json_object_get(eob, "contained"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(org, "id")), "provider-org");
        ck_assert_uint_eq(json_array_size(json_object_get(org, "identifier")), 2);
    }
    ck_assert(json_is_number(json_object_get(json_object_get(json_object_get(eob, "payment"),
                                                             "amount"), "value")));
}

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
            bfd_shapes(j);
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
    /* b is written over an earlier output: a stale delivery file and bundle are removed,
     * other files are left alone */
    static const char *const stale[] = {"T.A0000.ACO.ZC1Y27.D280915.T1200000",
                                        "T.A0000.ACO.ZCY27.D280915.T1200000", "notes.txt"};
    char path[256];
    snprintf(path, sizeof path, "%s/b", dir);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/b/cclf", dir);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/b/cclf/%s", dir, stale[i]);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("old\n", f);
        fclose(f);
    }
    generate("b", NULL, NULL);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/b/cclf/%s", dir, stale[i]);
        ck_assert_int_eq(util_exists(path), i == 2);
        if (i == 2) remove(path);
    }
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
