/*
 * synthdata_cclf.c: the synthetic CSV layer as CCLF deliveries (CCLF Information Packet
 * v36), into DIR/cclf/ (see synthdata_conv.h and docs/input-formats.md):
 *
 *   delivery 1  dated January 15 after the performance year: every claim version
 *               loaded (CLM_IDR_LD_DT) on or before December 31 of the year
 *   delivery 2  the run-out, dated September 15: every version loaded after November 30
 *               (December's versions come twice, as CMS's overlapping feeds do)
 *
 * each with CCLF1 (institutional headers), 2 (revenue lines), 3 (empty: no procedures),
 * 4 (diagnoses), 5 (professional lines), 6 (DME lines), 8 (beneficiaries), 9 (the MBI
 * crosswalk) and the CCLF0 summary. One beneficiary in 50 (among those enrolled before
 * July 1 of the year) has a previous MBI, used on its versions loaded before July 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cclf.h"
#include "date.h"
#include "synthdata_conv.h"
#include "synthdata_internal.h"
#include "util.h"

/* The files of a delivery, CCLF0 last. */
static const char FILES[] = "123456890";
#define N_FILES 9

/* A record being assembled: the layout's width of spaces, fields put by name (looked
 * up once per layout and name literal). */
#define CC_CACHE 64
typedef struct cc_layout {
    const cclf_layout *l;
    const char *name[CC_CACHE];
    const cclf_field *f[CC_CACHE];
    int n;
} cc_layout;

typedef struct cc_file {
    sy_out out;
    long records;
} cc_file;

typedef struct cc_delivery {
    cara_date date;
    cc_file f[N_FILES];
} cc_delivery;

typedef struct cc_xw {
    char cur[12], prev[12];
} cc_xw;

typedef struct cc_prov {
    char npi[11], spec[3];
} cc_prov;

typedef struct cc {
    const synth_opts *o;
    char *dir;                   /* DIR/cclf */
    cc_layout lay[N_FILES];
    char rec[1024];
    const cc_layout *cur;        /* the layout of rec */
    int overflow;                /* a value did not fit its field */
    cc_delivery d[2];
    cc_xw *xw;                   /* sorted by cur */
    size_t n_xw, cap_xw;
    cc_prov *prov;               /* sorted by npi */
    size_t n_prov;
    cara_date july1;             /* July 1 of the performance year */
    synth_conv_counts *counts;
} cc;

static int file_index(char file) { return (int)(strchr(FILES, file) - FILES); }

/* ---- records -------------------------------------------------------------------------- */

static void rec_begin(cc *c, char file)
{
    c->cur = &c->lay[file_index(file)];
    memset(c->rec, ' ', c->cur->l->reclen);
}

static const cclf_field *fld(cc *c, const char *name)
{
    cc_layout *l = (cc_layout *)c->cur;
    for (int i = 0; i < l->n; i++)
        if (l->name[i] == name) return l->f[i];
    const cclf_field *f = cclf_field_named(l->l, name);
    if (!f) {
        c->overflow = 1; /* a name the layout lacks: a bug, reported as a failure */
        return NULL;
    }
    if (l->n < CC_CACHE) {
        l->name[l->n] = name;
        l->f[l->n++] = f;
    }
    return f;
}

/* Text, left-justified and space-padded; longer text is an overflow. */
static void put_text(cc *c, const char *name, const char *s)
{
    const cclf_field *f = fld(c, name);
    if (!f || !s) return;
    size_t n = strlen(s);
    if (n > f->len) {
        c->overflow = 1;
        n = f->len;
    }
    memcpy(c->rec + f->start - 1, s, n);
}

static void put_date(cc *c, const char *name, cara_date d)
{
    char s[11];
    if (d == CARA_DATE_NONE) return;
    date_format(d, s);
    put_text(c, name, s);
}

/* Digits, zero-padded to the field's width. */
static void put_digits(cc *c, const char *name, uint64_t v)
{
    const cclf_field *f = fld(c, name);
    if (!f) return;
    char *p = c->rec + f->start - 1;
    for (int i = f->len - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
    if (v) c->overflow = 1;
}

/* Money -9(n).99: zero-padded to the field's width, a leading '-' when negative
 * (00000000000123.45, -0000000000123.45). */
static void put_money(cc *c, const char *name, int64_t cents)
{
    const cclf_field *f = fld(c, name);
    if (!f) return;
    char *p = c->rec + f->start - 1;
    uint64_t u = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    int lo = cents < 0 ? 1 : 0;
    for (int i = f->len - 1; i >= lo; i--) {
        if (i == f->len - 3) {
            p[i] = '.';
            continue;
        }
        p[i] = (char)('0' + u % 10);
        u /= 10;
    }
    if (cents < 0) p[0] = '-';
    if (u || f->len < 4 + lo) c->overflow = 1;
}

static void rec_write(cc *c, cc_delivery *d, char file)
{
    cc_file *f = &d->f[file_index(file)];
    sy_put(&f->out, c->rec, c->cur->l->reclen);
    sy_putc(&f->out, '\n');
    f->records++;
}

/* ---- files ---------------------------------------------------------------------------- */

static const char *const DESCRIPTION[] = {"Part A Header", "Part A Revenue Ctr",
                                          "Part A Procedure", "Part A Diagnosis",
                                          "Part B Physicians", "Part B DME",
                                          "Beneficiary Demogr", "BENE XREF", ""};

static void file_name(const cc *c, const cc_delivery *d, char file, char *out, size_t len)
{
    int y, m, dd;
    date_to_ymd(d->date, &y, &m, &dd);
    snprintf(out, len, "T.A0000.ACO.ZC%cY%02d.D%02d%02d%02d.T1200000", file, c->o->year % 100,
             y % 100, m, dd);
}

static int open_files(cc *c, char *err, size_t errlen)
{
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < N_FILES; i++) {
            char name[64];
            file_name(c, &c->d[k], FILES[i], name, sizeof name);
            if (sy_out_open(&c->d[k].f[i].out, c->dir, name, err, errlen) < 0) return -EIO;
        }
    return 0;
}

/* CCLF0: a heading, then one record per file with its count and record length. */
static void write_summary(cc *c, cc_delivery *d)
{
    const cclf_layout *l = cclf_layout_for('0');
    char line[128];
    int n = snprintf(line, sizeof line, "%-13s|%-20s|%-20s|%-13s", "File Number",
                     "File Description", "Total Records Count", "Record Length");
    sy_out *o = &d->f[file_index('0')].out;
    sy_put(o, line, (size_t)n);
    sy_putc(o, '\n');
    for (int i = 0; FILES[i] != '0'; i++) {
        char label[8];
        snprintf(label, sizeof label, "CCLF%c", FILES[i]);
        n = snprintf(line, sizeof line, "%-13.13s|%-20.20s|%-20ld|%-13u", label, DESCRIPTION[i],
                     d->f[i].records, cclf_layout_for(FILES[i])->reclen);
        sy_put(o, line, (size_t)n < l->reclen ? (size_t)n : l->reclen);
        sy_putc(o, '\n');
    }
}

static int close_files(cc *c, char *err, size_t errlen)
{
    int rc = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < N_FILES; i++) {
            if (sy_out_close(&c->d[k].f[i].out) < 0 && rc == 0) {
                char name[64];
                file_name(c, &c->d[k], FILES[i], name, sizeof name);
                snprintf(err, errlen, "%s/%s: write error", c->dir, name);
                rc = -EIO;
            }
        }
    return rc;
}

/* ---- beneficiaries: CCLF8, CCLF9, eligibility.csv ------------------------------------- */

static const char *state_fips(const char *st)
{
    static const char *const T[][2] = {
        {"AZ", "04"}, {"CA", "06"}, {"FL", "12"}, {"GA", "13"}, {"IL", "17"}, {"MA", "25"},
        {"MD", "24"}, {"MI", "26"}, {"MO", "29"}, {"NC", "37"}, {"NJ", "34"}, {"NY", "36"},
        {"OH", "39"}, {"PA", "42"}, {"TN", "47"}, {"TX", "48"}, {"VA", "51"}, {"WA", "53"},
        {"WI", "55"}};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(T); i++)
        if (!strcmp(T[i][0], st)) return T[i][1];
    return "00";
}

static cara_date parse_date(const char *s)
{
    cara_date d;
    return *s && date_parse(s, strlen(s), &d) == 0 ? d : CARA_DATE_NONE;
}

/* Whether CCLF8's one span (first start to death, open when alive) and its statuses say
 * all that the person's eligibility rows say. */
static int cclf8_expresses(const sc_person *p)
{
    if (p->n_span != 1) return 0;
    return !p->span[0].end[0] || !strcmp(p->span[0].end, p->death);
}

static void write_cclf8(cc *c, const sc_person *p)
{
    const sc_span *last = &p->span[p->n_span - 1];
    cara_date birth = parse_date(p->birth), death = parse_date(p->death);
    cara_date hospice = CARA_DATE_NONE;
    for (int i = 0; i < p->n_span && hospice == CARA_DATE_NONE; i++)
        if (p->span[i].hospice) hospice = parse_date(p->span[i].start);
    for (int k = 0; k < 2; k++) {
        rec_begin(c, '8');
        put_text(c, "BENE_MBI_ID", p->mbi);
        put_text(c, "BENE_FIPS_STATE_CD", state_fips(p->state));
        put_text(c, "BENE_FIPS_CNTY_CD", "000");
        put_text(c, "BENE_ZIP_CD", p->zip);
        put_text(c, "BENE_DOB", p->birth);
        put_text(c, "BENE_SEX_CD", !strcmp(p->gender, "male")     ? "1"
                                   : !strcmp(p->gender, "female") ? "2"
                                                                  : "0");
        cara_date on = death != CARA_DATE_NONE && death < c->d[k].date ? death : c->d[k].date;
        int age = date_age_on(birth, on);
        put_digits(c, "BENE_AGE", age > 0 ? (uint64_t)age : 0);
        put_text(c, "BENE_MDCR_STUS_CD", last->status);
        put_text(c, "BENE_DUAL_STUS_CD", last->dual);
        put_text(c, "BENE_DEATH_DT", p->death);
        put_date(c, "BENE_RNG_BGN_DT", hospice);
        put_text(c, "BENE_ORGNL_ENTLMT_RSN_CD", last->status[0] == '1'   ? "0"
                                                : last->status[0] == '2' ? "1"
                                                                         : "2");
        put_text(c, "BENE_PART_A_ENRLMT_BGN_DT", p->span[0].start);
        put_text(c, "BENE_PART_B_ENRLMT_BGN_DT", p->span[0].start);
        put_text(c, "GEO_USPS_STATE_CD", p->state);
        put_text(c, "GEO_ZIP5_CD", p->zip);
        rec_write(c, &c->d[k], '8');
    }
}

static int cmp_xw(const void *a, const void *b)
{
    return strcmp(((const cc_xw *)a)->cur, ((const cc_xw *)b)->cur);
}

static int people(cc *c, char *err, size_t errlen)
{
    sc_people r;
    sc_person p = {0};
    sy_out elig;
    int rc = sc_people_open(&r, c->o->out_dir, err, errlen);
    if (rc < 0) return rc;
    if (sy_out_open(&elig, c->dir, "eligibility.csv", err, errlen) < 0) {
        sc_people_close(&r);
        return -EIO;
    }
    sy_puts(&elig, sc_elig_header);
    cara_date obsolete = c->july1 - 1;
    uint64_t k = 0;
    while ((rc = sc_people_next(&r, &p, err, errlen)) == 1) {
        c->counts->people++;
        write_cclf8(c, &p);
        if (!cclf8_expresses(&p)) {
            sy_put(&elig, p.raw, p.raw_len);
            if (p.raw_len && p.raw[p.raw_len - 1] != '\n') sy_putc(&elig, '\n');
            c->counts->elig_copied++;
        }
        cara_date start = parse_date(p.span[0].start);
        if (k++ % 50 == 7 && start != CARA_DATE_NONE && start < obsolete) {
            if (c->n_xw == c->cap_xw) {
                size_t cap = c->cap_xw ? c->cap_xw * 2 : 256;
                cc_xw *v = realloc(c->xw, cap * sizeof *v);
                if (!v) {
                    rc = -ENOMEM;
                    snprintf(err, errlen, "out of memory");
                    break;
                }
                c->xw = v;
                c->cap_xw = cap;
            }
            cc_xw *x = &c->xw[c->n_xw++];
            memcpy(x->cur, p.mbi, sizeof x->cur);
            /* current MBIs are synth_mbi(i) for i below 10^7: an index far above gives
             * a valid MBI that is no one's current one */
            synth_mbi(5000000000000ull + k, c->o->seed, x->prev);
            for (int d = 0; d < 2; d++) {
                rec_begin(c, '9');
                put_text(c, "HICN_MBI_XREF_IND", "M");
                put_text(c, "CRNT_NUM", x->cur);
                put_text(c, "PRVS_NUM", x->prev);
                put_date(c, "PRVS_ID_EFCTV_DT", start);
                put_date(c, "PRVS_ID_OBSLT_DT", obsolete);
                rec_write(c, &c->d[d], '9');
            }
        }
    }
    sc_person_free(&p);
    sc_people_close(&r);
    if (sy_out_close(&elig) < 0 && rc == 0) {
        snprintf(err, errlen, "%s/eligibility.csv: write error", c->dir);
        rc = -EIO;
    }
    c->counts->prev_mbis = (int64_t)c->n_xw;
    if (c->n_xw) qsort(c->xw, c->n_xw, sizeof *c->xw, cmp_xw);
    return rc < 0 ? rc : 0;
}

/* ---- providers: specialty codes for CCLF5 --------------------------------------------- */

static int cmp_prov(const void *a, const void *b)
{
    return strcmp(((const cc_prov *)a)->npi, ((const cc_prov *)b)->npi);
}

static int providers(cc *c, char *err, size_t errlen)
{
    sc_file f;
    int rc = sc_open(&f, c->o->out_dir, "providers.csv", err, errlen);
    if (rc < 0) return rc;
    int npi = sc_col(&f, "npi"), spec = sc_col(&f, "specialty_code");
    size_t cap = 0;
    while ((rc = sc_next(&f, err, errlen)) == 1) {
        if (c->n_prov == cap) {
            cap = cap ? cap * 2 : 256;
            cc_prov *v = realloc(c->prov, cap * sizeof *v);
            if (!v) {
                rc = -ENOMEM;
                snprintf(err, errlen, "out of memory");
                break;
            }
            c->prov = v;
        }
        cc_prov *p = &c->prov[c->n_prov];
        if (sc_get(&f, npi, p->npi, sizeof p->npi) < 0 ||
            sc_get(&f, spec, p->spec, sizeof p->spec) < 0)
            continue; /* not an NPI / a two-character specialty: nothing to look up */
        c->n_prov++;
    }
    sc_close(&f);
    if (c->n_prov) qsort(c->prov, c->n_prov, sizeof *c->prov, cmp_prov);
    return rc < 0 ? rc : 0;
}

static const char *specialty(const cc *c, const char *npi)
{
    cc_prov key;
    if (!c->n_prov || util_strlcpy(key.npi, npi, sizeof key.npi) >= sizeof key.npi) return NULL;
    const cc_prov *p = bsearch(&key, c->prov, c->n_prov, sizeof *c->prov, cmp_prov);
    return p ? p->spec : NULL;
}

/* ---- claims: CCLF1, 2, 4, 5, 6 -------------------------------------------------------- */

static const char *inst_type(const char *bill)
{
    static const char *const T[][2] = {{"11", "60"}, {"12", "60"}, {"13", "40"}, {"14", "40"},
                                       {"18", "20"}, {"21", "20"}, {"22", "20"}, {"32", "10"},
                                       {"33", "10"}, {"34", "10"}, {"81", "50"}, {"82", "50"}};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(T); i++)
        if (!strncmp(bill, T[i][0], 2)) return T[i][1];
    return "40";
}

static void version_fields(cc *c, const sc_claim *v)
{
    char adj[2] = {(char)('0' + v->adj), '\0'};
    put_text(c, "CLM_ADJSMT_TYPE_CD", adj);
    put_date(c, "CLM_EFCTV_DT", v->eff);
    put_date(c, "CLM_IDR_LD_DT", v->load);
    put_text(c, "CLM_CNTL_NUM", v->id);
}

static void institutional(cc *c, cc_delivery *d, const sc_claim *v, const char *mbi)
{
    int64_t sign = v->adj == 1 ? -1 : 1, paid = 0;
    const char *type = inst_type(v->bill), *atnd = "";
    for (int i = 0; i < v->n_lines; i++) {
        paid += v->line[i].paid;
        if (!*atnd) atnd = v->line[i].rend_npi;
    }
    size_t fl = strlen(v->fac_npi);
    const char *oscar = v->fac_npi + (fl > 6 ? fl - 6 : 0); /* a stand-in CCN */
    char b[3][2] = {{v->bill[0], 0}, {v->bill[0] ? v->bill[1] : 0, 0}, {0, 0}};
    b[2][0] = b[1][0] ? v->bill[2] : 0;
    rec_begin(c, '1');
    put_digits(c, "CUR_CLM_UNIQ_ID", v->uniq);
    put_text(c, "PRVDR_OSCAR_NUM", oscar);
    put_text(c, "BENE_MBI_ID", mbi);
    put_text(c, "CLM_TYPE_CD", type);
    put_text(c, "CLM_FROM_DT", v->from);
    put_text(c, "CLM_THRU_DT", v->thru);
    put_text(c, "CLM_BILL_FAC_TYPE_CD", b[0]);
    put_text(c, "CLM_BILL_CLSFCTN_CD", b[1]);
    put_text(c, "CLM_BILL_FREQ_CD", b[2]);
    put_text(c, "PRNCPL_DGNS_CD", v->n_dx ? v->dx[0] : "");
    put_money(c, "CLM_PMT_AMT", sign * paid);
    put_text(c, "BENE_PTNT_STUS_CD", v->disp);
    put_text(c, "FAC_PRVDR_NPI_NUM", v->fac_npi);
    put_text(c, "ATNDG_PRVDR_NPI_NUM", atnd);
    put_text(c, "CLM_ATNDG_PRVDR_NPI_NUM", atnd);
    put_text(c, "DGNS_PRCDR_ICD_IND", "0");
    put_text(c, "CLM_BLG_PRVDR_OSCAR_NUM", oscar);
    put_text(c, "CLM_BLG_PRVDR_NPI_NUM", v->fac_npi);
    version_fields(c, v);
    rec_write(c, d, '1');
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        rec_begin(c, '2');
        put_digits(c, "CUR_CLM_UNIQ_ID", v->uniq);
        put_digits(c, "CLM_LINE_NUM", (uint64_t)l->num);
        put_text(c, "BENE_MBI_ID", mbi);
        put_text(c, "CLM_TYPE_CD", type);
        put_text(c, "CLM_LINE_FROM_DT", l->from);
        put_text(c, "CLM_LINE_THRU_DT", l->thru);
        put_text(c, "CLM_LINE_PROD_REV_CTR_CD", l->rev);
        put_text(c, "CLM_LINE_INSTNL_REV_CTR_DT", l->from);
        put_text(c, "CLM_LINE_HCPCS_CD", l->hcpcs);
        put_text(c, "PRVDR_OSCAR_NUM", oscar);
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        put_money(c, "CLM_LINE_CVRD_PD_AMT", sign * l->paid);
        static const char *const MOD[] = {"HCPCS_1_MDFR_CD", "HCPCS_2_MDFR_CD",
                                          "HCPCS_3_MDFR_CD", "HCPCS_4_MDFR_CD",
                                          "HCPCS_5_MDFR_CD"};
        for (int m = 0; m < 5; m++) put_text(c, MOD[m], l->mod[m]);
        put_text(c, "CLM_FAC_PRVDR_OSCAR_NUM", oscar);
        rec_write(c, d, '2');
    }
    for (int i = 0; i < v->n_dx; i++) {
        rec_begin(c, '4');
        put_digits(c, "CUR_CLM_UNIQ_ID", v->uniq);
        put_text(c, "BENE_MBI_ID", mbi);
        put_text(c, "CLM_TYPE_CD", type);
        put_text(c, "CLM_PROD_TYPE_CD", i == 0 ? "P" : "O");
        put_digits(c, "CLM_VAL_SQNC_NUM", (uint64_t)i + 1);
        put_text(c, "CLM_DGNS_CD", v->dx[i]);
        put_text(c, "PRVDR_OSCAR_NUM", oscar);
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        put_text(c, "DGNS_PRCDR_ICD_IND", "0");
        put_text(c, "CLM_BLG_PRVDR_OSCAR_NUM", oscar);
        rec_write(c, d, '4');
    }
}

static void professional(cc *c, cc_delivery *d, const sc_claim *v, const char *mbi)
{
    static const char *const MOD[] = {"HCPCS_1_MDFR_CD", "HCPCS_2_MDFR_CD", "HCPCS_3_MDFR_CD",
                                      "HCPCS_4_MDFR_CD", "HCPCS_5_MDFR_CD"};
    static const char *const DX[] = {"CLM_DGNS_1_CD", "CLM_DGNS_2_CD",  "CLM_DGNS_3_CD",
                                     "CLM_DGNS_4_CD", "CLM_DGNS_5_CD",  "CLM_DGNS_6_CD",
                                     "CLM_DGNS_7_CD", "CLM_DGNS_8_CD",  "CLM_DGNS_9_CD",
                                     "CLM_DGNS_10_CD", "CLM_DGNS_11_CD", "CLM_DGNS_12_CD"};
    int64_t sign = v->adj == 1 ? -1 : 1;
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        rec_begin(c, '5');
        put_digits(c, "CUR_CLM_UNIQ_ID", v->uniq);
        put_digits(c, "CLM_LINE_NUM", (uint64_t)l->num);
        put_text(c, "BENE_MBI_ID", mbi);
        put_text(c, "CLM_TYPE_CD", "71");
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        put_text(c, "CLM_PRVDR_SPCLTY_CD", specialty(c, l->rend_npi));
        put_text(c, "CLM_POS_CD", l->pos);
        put_text(c, "CLM_LINE_FROM_DT", l->from);
        put_text(c, "CLM_LINE_THRU_DT", l->thru);
        put_text(c, "CLM_LINE_HCPCS_CD", l->hcpcs);
        put_money(c, "CLM_LINE_CVRD_PD_AMT", sign * l->paid);
        put_text(c, "CLM_LINE_DGNS_CD", v->n_dx ? v->dx[0] : "");
        put_text(c, "CLM_RNDRG_PRVDR_TAX_NUM", l->rend_tin);
        put_text(c, "RNDRG_PRVDR_NPI_NUM", l->rend_npi);
        put_text(c, "CLM_RNDRG_PRVDR_NPI_NUM", l->rend_npi);
        version_fields(c, v);
        put_money(c, "CLM_LINE_ALOWD_CHRG_AMT", sign * l->allowed);
        for (int m = 0; m < 5; m++) put_text(c, MOD[m], l->mod[m]);
        for (int k = 0; k < v->n_dx && k < 12; k++) put_text(c, DX[k], v->dx[k]);
        put_text(c, "DGNS_PRCDR_ICD_IND", "0");
        rec_write(c, d, '5');
    }
}

static void dme(cc *c, cc_delivery *d, const sc_claim *v, const char *mbi)
{
    int64_t sign = v->adj == 1 ? -1 : 1;
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        rec_begin(c, '6');
        put_digits(c, "CUR_CLM_UNIQ_ID", v->uniq);
        put_digits(c, "CLM_LINE_NUM", (uint64_t)l->num);
        put_text(c, "BENE_MBI_ID", mbi);
        put_text(c, "CLM_TYPE_CD", "82");
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        put_text(c, "CLM_POS_CD", l->pos);
        put_text(c, "CLM_LINE_FROM_DT", l->from);
        put_text(c, "CLM_LINE_THRU_DT", l->thru);
        put_text(c, "CLM_LINE_HCPCS_CD", l->hcpcs);
        put_money(c, "CLM_LINE_CVRD_PD_AMT", sign * l->paid);
        put_text(c, "PAYTO_PRVDR_NPI_NUM", l->bill_npi);
        put_text(c, "ORDRG_PRVDR_NPI_NUM", l->rend_npi);
        version_fields(c, v);
        put_money(c, "CLM_LINE_ALOWD_CHRG_AMT", sign * l->allowed);
        put_text(c, "CLM_BLG_PRVDR_NPI_NUM", l->bill_npi);
        put_text(c, "CLM_RFRG_PRVDR_NPI_NUM", l->rend_npi);
        rec_write(c, d, '6');
    }
}

static int claims(cc *c, char *err, size_t errlen)
{
    sc_claims r;
    sc_claim v = {0};
    int rc = sc_claims_open(&r, c->o->out_dir, err, errlen);
    if (rc < 0) return rc;
    cara_date dec31 = date_from_ymd(c->o->year, 12, 31), nov30 = date_from_ymd(c->o->year, 11, 30);
    while ((rc = sc_claims_next(&r, &v, err, errlen)) == 1) {
        c->counts->versions++;
        const char *mbi = v.mbi;
        if (v.load < c->july1 && c->n_xw) {
            cc_xw key;
            memcpy(key.cur, v.mbi, sizeof key.cur);
            const cc_xw *x = bsearch(&key, c->xw, c->n_xw, sizeof *c->xw, cmp_xw);
            if (x) mbi = x->prev;
        }
        if (v.load > c->d[1].date) c->counts->late_versions++;
        for (int k = 0; k < 2; k++) {
            if (k == 0 ? v.load > dec31 : v.load <= nov30) continue;
            if (v.type == SC_INSTITUTIONAL) institutional(c, &c->d[k], &v, mbi);
            else if (v.type == SC_DME) dme(c, &c->d[k], &v, mbi);
            else professional(c, &c->d[k], &v, mbi);
        }
        if (c->overflow) {
            snprintf(err, errlen, "claim %s: a value does not fit its CCLF field", v.id);
            rc = -EINVAL;
            break;
        }
    }
    sc_claim_free(&v);
    sc_claims_close(&r);
    return rc < 0 ? rc : 0;
}

/* ---- the run -------------------------------------------------------------------------- */

int synth_cclf_convert(const synth_opts *o, synth_conv_counts *counts, char *err, size_t errlen)
{
    memset(counts, 0, sizeof *counts);
    cc *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    c->o = o;
    c->counts = counts;
    c->july1 = date_from_ymd(o->year, 7, 1);
    c->d[0].date = date_from_ymd(o->year + 1, 1, 15);
    c->d[1].date = date_from_ymd(o->year + 1, 9, 15);
    for (int i = 0; i < N_FILES; i++) c->lay[i].l = cclf_layout_for(FILES[i]);
    int rc = sc_make_subdir(o->out_dir, "cclf", &c->dir, err, errlen);
    if (rc == 0) rc = sc_copy_own_files(o->out_dir, "cclf", err, errlen);
    if (rc == 0) rc = open_files(c, err, errlen);
    if (rc == 0) rc = providers(c, err, errlen);
    if (rc == 0) rc = people(c, err, errlen);
    if (rc == 0 && c->overflow) {
        snprintf(err, errlen, "a beneficiary's value does not fit its CCLF field");
        rc = -EINVAL;
    }
    if (rc == 0) rc = claims(c, err, errlen);
    if (rc == 0)
        for (int k = 0; k < 2; k++) {
            write_summary(c, &c->d[k]);
            for (int i = 0; FILES[i] != '0'; i++) counts->records[k] += c->d[k].f[i].records;
        }
    int crc = close_files(c, rc == 0 ? err : (char[160]){0}, rc == 0 ? errlen : 160);
    if (rc == 0) rc = crc;
    free(c->xw);
    free(c->prov);
    free(c->dir);
    free(c);
    return rc;
}
