/*
 * cclf_feed.c: see cclf_feed.h.
 */
#include "cclf_feed.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "load_fields.h"

/* ---- field access ----------------------------------------------------------------------- */

typedef struct rd {
    const char *rec;
    const cclf_layout *l;
    const cclf_field *const *idx; /* l's field of each cf (offsets) */
    cclf_error *e;
} rd;

/* The fields this file reads, by enum: each layout's field for each is looked up by name
 * once (offsets[], built before the first record is read) and then read by index. */
#define CCLF_FEED_FIELDS \
    X(ATNDG_PRVDR_NPI_NUM) \
    X(BENE_DEATH_DT) \
    X(BENE_DOB) \
    X(BENE_DUAL_STUS_CD) \
    X(BENE_MBI_ID) \
    X(BENE_MDCR_STUS_CD) \
    X(BENE_PART_A_ENRLMT_BGN_DT) \
    X(BENE_PART_B_ENRLMT_BGN_DT) \
    X(BENE_PTNT_STUS_CD) \
    X(BENE_RNG_BGN_DT) \
    X(BENE_SEX_CD) \
    X(BENE_ZIP_CD) \
    X(CLM_ADJSMT_TYPE_CD) \
    X(CLM_ATNDG_PRVDR_NPI_NUM) \
    X(CLM_BILL_CLSFCTN_CD) \
    X(CLM_BILL_FAC_TYPE_CD) \
    X(CLM_BILL_FREQ_CD) \
    X(CLM_BLG_PRVDR_NPI_NUM) \
    X(CLM_BLG_PRVDR_OSCAR_NUM) \
    X(CLM_CARR_PMT_DNL_CD) \
    X(CLM_CNTL_NUM) \
    X(CLM_DGNS_10_CD) \
    X(CLM_DGNS_11_CD) \
    X(CLM_DGNS_12_CD) \
    X(CLM_DGNS_1_CD) \
    X(CLM_DGNS_2_CD) \
    X(CLM_DGNS_3_CD) \
    X(CLM_DGNS_4_CD) \
    X(CLM_DGNS_5_CD) \
    X(CLM_DGNS_6_CD) \
    X(CLM_DGNS_7_CD) \
    X(CLM_DGNS_8_CD) \
    X(CLM_DGNS_9_CD) \
    X(CLM_DGNS_CD) \
    X(CLM_EFCTV_DT) \
    X(CLM_FROM_DT) \
    X(CLM_IDR_LD_DT) \
    X(CLM_LINE_ALOWD_CHRG_AMT) \
    X(CLM_LINE_CVRD_PD_AMT) \
    X(CLM_LINE_DGNS_CD) \
    X(CLM_LINE_FROM_DT) \
    X(CLM_LINE_HCPCS_CD) \
    X(CLM_LINE_NUM) \
    X(CLM_LINE_PROD_REV_CTR_CD) \
    X(CLM_LINE_THRU_DT) \
    X(CLM_MDCR_NPMT_RSN_CD) \
    X(CLM_ORG_CNTL_NUM) \
    X(CLM_PMT_AMT) \
    X(CLM_POS_CD) \
    X(CLM_PRCDR_CD) \
    X(CLM_PRCSG_IND_CD) \
    X(CLM_RNDRG_PRVDR_NPI_NUM) \
    X(CLM_RNDRG_PRVDR_TAX_NUM) \
    X(CLM_THRU_DT) \
    X(CLM_TYPE_CD) \
    X(CLM_VAL_SQNC_NUM) \
    X(CUR_CLM_UNIQ_ID) \
    X(DGNS_PRCDR_ICD_IND) \
    X(FAC_PRVDR_NPI_NUM) \
    X(GEO_USPS_STATE_CD) \
    X(GEO_ZIP5_CD) \
    X(HCPCS_1_MDFR_CD) \
    X(HCPCS_2_MDFR_CD) \
    X(HCPCS_3_MDFR_CD) \
    X(HCPCS_4_MDFR_CD) \
    X(HCPCS_5_MDFR_CD) \
    X(ORDRG_PRVDR_NPI_NUM) \
    X(PAYTO_PRVDR_NPI_NUM) \
    X(PRNCPL_DGNS_CD) \
    X(PRVDR_OSCAR_NUM) \
    X(RNDRG_PRVDR_NPI_NUM)

typedef enum cf {
#define X(n) CF_##n,
    CCLF_FEED_FIELDS
#undef X
    CF_N
} cf;

static const char *const CF_NAMES[CF_N] = {
#define X(n) [CF_##n] = #n,
    CCLF_FEED_FIELDS
#undef X
};

/* Per layout (the index in cclf_layouts), its field for each cf, NULL when the layout
 * has none. Built once (pthread_once) before the first record is read. */
static const cclf_field *offsets[sizeof cclf_layouts / sizeof cclf_layouts[0]][CF_N];
static pthread_once_t offsets_once = PTHREAD_ONCE_INIT;

static void build_offsets(void)
{
    for (size_t i = 0; i < sizeof cclf_layouts / sizeof cclf_layouts[0]; i++)
        for (int f = 0; f < CF_N; f++) offsets[i][f] = cclf_field_named(&cclf_layouts[i], CF_NAMES[f]);
}

/* Layout l's field f (NULL when l has none: an optional field of another packet). */
static const cclf_field *fld(const rd *r, cf f) { return r->idx[f]; }

static int bad(const rd *r, const cclf_field *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A malformed optional field: a warning; the caller stores it as absent. Returns 0. */
static int warn(const rd *r, const cclf_field *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int warn(const rd *r, const cclf_field *f, const char *fmt, ...)
{
    cclf_error *e = r->e;
    if (e->n_warn < CCLF_WARN_MAX) {
        e->warn[e->n_warn].field = f;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->warn[e->n_warn].msg, sizeof e->warn[e->n_warn].msg, fmt, ap);
        va_end(ap);
    }
    e->n_warn++;
    return 0;
}
static int bad(const rd *r, const cclf_field *f, const char *fmt, ...)
{
    r->e->field = f;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->e->msg, sizeof r->e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* A field's trimmed text in place: *out points at it in the record, the length is
 * returned (0: blank or CMS's '~' filler, absent). cclf_text's text (at most 127 bytes)
 * without its leading spaces. */
static size_t span(const rd *r, cf name, const char **out)
{
    const cclf_field *f = fld(r, name);
    size_t n = f ? f->len : 0, s = 0, t = 0;
    const char *p = f ? r->rec + f->start - 1 : "";
    /* the trailing spaces 8 at a time (a field is mostly padding: CLM_CNTL_NUM's 40
     * characters hold 11), then one by one */
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p + n - 8, 8);
        if (w != UINT64_C(0x2020202020202020)) break;
        n -= 8;
    }
    while (n && p[n - 1] == ' ') n--;
    while (t < n && (p[t] == '~' || p[t] == ' ')) t++;
    if (t == n) n = 0; /* blank or CMS's '~' filler: absent */
    if (n > 127) n = 127;
    while (s < n && p[s] == ' ') s++;
    *out = p + s;
    return n - s;
}

/* The trimmed text of a field (span) copied into out (at most outlen - 1 bytes, NUL
 * ended); its length. */
static size_t text(const rd *r, cf name, char *out, size_t outlen)
{
    const char *p;
    size_t n = span(r, name, &p);
    if (n >= outlen) n = outlen - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

/* A field checked as a CSV-layer kind into out; empty allowed unless required. */
static int checked(const rd *r, cf name, int kind, int required, char *out,
                   size_t outlen)
{
    char msg[200];
    const char *v;
    size_t n = span(r, name, &v);
    out[0] = '\0';
    if (n == 0) return required ? bad(r, fld(r, name), "required, but blank") : 0;
    if (feed_check(kind, v, n, out, outlen, msg, sizeof msg) < 0) {
        out[0] = '\0';
        return required ? bad(r, fld(r, name), "%s", msg) : warn(r, fld(r, name), "%s", msg);
    }
    return 0;
}

static int mbi(const rd *r, cf name, char out[13])
{
    char v[32], msg[200];
    const char *p;
    size_t n = span(r, name, &p);
    if (n == 0) return bad(r, fld(r, name), "required, but blank");
    if (feed_check_mbi(p, n, out, 13, msg, sizeof msg) == 0) return 0;
    text(r, name, v, sizeof v);
    if (r->e->test_ids && n == 11 && strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 11) {
        memcpy(out, v, 12);
        r->e->test_id_used = 1;
        return 0;
    }
    return bad(r, fld(r, name), "%s", msg);
}

static int date(const rd *r, cf name, int required, cara_date *d)
{
    const cclf_field *f = fld(r, name);
    *d = CARA_DATE_NONE;
    int rc = cclf_date(r->rec, f, d);
    if (rc == 0) return 0;
    if (rc > 0) {
        *d = CARA_DATE_NONE;
        return required ? bad(r, f, "required, but blank") : 0;
    }
    char v[16];
    text(r, name, v, sizeof v);
    *d = CARA_DATE_NONE;
    if (!required) return warn(r, f, "\"%s\" is not a date (expected YYYY-MM-DD)", v);
    return bad(r, f, "\"%s\" is not a date (expected YYYY-MM-DD)", v);
}

static int money(const rd *r, cf name, int64_t *cents)
{
    const cclf_field *f = fld(r, name);
    char v[32];
    const char *p;
    if (span(r, name, &p) == 0) {
        *cents = 0;
        return 0;
    }
    int ok = cclf_money(r->rec, f, cents) == 0;
    if (ok && money_amount_ok(*cents)) return 0;
    text(r, name, v, sizeof v);
    if (!ok) return bad(r, f, "\"%s\" is not a signed amount with two decimals (e.g. -0000123.45)", v);
    return bad(r, f, "\"%s\" is %s", v, money_amount_limit_text());
}

/* A digits-only field as a number (blank: *v = 0 unless required). */
static int number(const rd *r, cf name, int required, int64_t lo, int64_t hi, int64_t *v)
{
    char s[32];
    const char *p;
    size_t n = span(r, name, &p);
    *v = 0;
    if (n == 0) return required ? bad(r, fld(r, name), "required, but blank") : 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || *v > INT64_MAX / 10 - 9) {
            text(r, name, s, sizeof s);
            return bad(r, fld(r, name), "\"%s\" is not a whole number", s);
        }
        *v = *v * 10 + (p[i] - '0');
    }
    if (*v < lo || *v > hi) {
        text(r, name, s, sizeof s);
        return bad(r, fld(r, name), "\"%s\" is outside %lld..%lld", s, (long long)lo, (long long)hi);
    }
    return 0;
}

static int cur_claim_id(const rd *r, char cur_id[14])
{
    int64_t v;
    if (number(r, CF_CUR_CLM_UNIQ_ID, 1, 0, INT64_MAX / 10, &v) < 0) return -1;
    text(r, CF_CUR_CLM_UNIQ_ID, cur_id, 14);
    return 0;
}

static int adjustment(const rd *r, int *adj)
{
    char s[8];
    text(r, CF_CLM_ADJSMT_TYPE_CD, s, sizeof s);
    if (!strcmp(s, "0") || !strcmp(s, "00") || !s[0]) *adj = FEED_ORIGINAL;
    else if (!strcmp(s, "1") || !strcmp(s, "01")) *adj = FEED_CANCEL;
    else if (!strcmp(s, "2") || !strcmp(s, "02")) *adj = FEED_ADJUSTMENT;
    else
        return bad(r, fld(r, CF_CLM_ADJSMT_TYPE_CD), "\"%s\" is not an adjustment type (0 "
                   "original, 1 cancellation, 2 adjustment)", s);
    return 0;
}

/* The record's version (CLM_EFCTV_DT, CLM_IDR_LD_DT) and its paid date: the IDR load
 * date, when CMS's data repository took the processed claim. */
static int version(const rd *r, feed_claim *c)
{
    cara_date eff, idr;
    if (date(r, CF_CLM_EFCTV_DT, 0, &eff) < 0 || date(r, CF_CLM_IDR_LD_DT, 0, &idr) < 0) return -1;
    c->version = feed_cclf_version(eff, idr);
    c->paid = idr;
    return 0;
}

/* 1 when the record's codes are not ICD-10 (a warning: they are left out), else 0. */
static int not_icd10(const rd *r)
{
    char s[4];
    text(r, CF_DGNS_PRCDR_ICD_IND, s, sizeof s);
    if (s[0] && strcmp(s, "0")) {
        warn(r, fld(r, CF_DGNS_PRCDR_ICD_IND), "\"%s\": only ICD-10 codes (0) are read; this "
             "record's diagnosis and procedure codes are left out", s);
        return 1;
    }
    return 0;
}

/* Claim id: CLM_CNTL_NUM when given, else the current claim id; the record id is the
 * current claim id (unique per record, CCLF IP Appendix B). */
static int control_number(const rd *r, const char *cur_id, feed_claim *c)
{
    if (checked(r, CF_CLM_CNTL_NUM, F_ID, 0, c->control_number, sizeof c->control_number) < 0)
        return -1;
    util_strlcpy(c->claim_id, c->control_number[0] ? c->control_number : cur_id, sizeof c->claim_id);
    util_strlcpy(c->record_id, cur_id, sizeof c->record_id);
    c->model = FEED_DEBIT_CREDIT;
    if (fld(r, CF_CLM_ORG_CNTL_NUM) &&
        checked(r, CF_CLM_ORG_CNTL_NUM, F_ID, 0, c->original_control_number,
                sizeof c->original_control_number) < 0)
        return -1;
    return 0;
}

static int lookup_layout(rd *r, char file, const char *rec, cclf_error *e)
{
    r->rec = rec;
    r->l = cclf_layout_for(file);
    r->e = e;
    pthread_once(&offsets_once, build_offsets);
    r->idx = r->l ? offsets[r->l - cclf_layouts] : NULL;
    e->field = NULL;
    e->msg[0] = '\0';
    e->n_warn = 0;
    e->test_id_used = 0;
    return r->l ? 0 : -1;
}

/* ---- Part A ------------------------------------------------------------------------------- */

int cclf_part_a_header(const char *rec, feed_claim *c, char cur_id[14], char oscar[21],
                       char attending[11], cclf_error *e)
{
    rd r;
    lookup_layout(&r, '1', rec, e);
    memset(c, 0, sizeof *c);
    c->type = FEED_INSTITUTIONAL;
    int64_t type, pmt = 0;
    char bill[4] = "", disp[3];
    if (cur_claim_id(&r, cur_id) < 0 || mbi(&r, CF_BENE_MBI_ID, c->person_id) < 0 ||
        number(&r, CF_CLM_TYPE_CD, 1, 0, 99, &type) < 0)
        return -1;
    if (type != 10 && type != 20 && type != 30 && type != 40 && type != 50 && type != 60 &&
        type != 61)
        return bad(&r, fld(&r, CF_CLM_TYPE_CD), "\"%02lld\" is not a Part A claim type (10 home "
                   "health, 20/30 SNF, 40 outpatient, 50 hospice, 60/61 inpatient)", (long long)type);
    if (date(&r, CF_CLM_FROM_DT, 1, &c->start) < 0 || date(&r, CF_CLM_THRU_DT, 1, &c->end) < 0)
        return -1;
    if (c->end < c->start)
        return bad(&r, fld(&r, CF_CLM_THRU_DT), "before CLM_FROM_DT");
    text(&r, CF_CLM_BILL_FAC_TYPE_CD, bill, 2);
    text(&r, CF_CLM_BILL_CLSFCTN_CD, bill + strlen(bill), 2);
    text(&r, CF_CLM_BILL_FREQ_CD, bill + strlen(bill), 2);
    char msg[200];
    if (strlen(bill) != 3 || feed_check(F_BILL_TYPE, bill, 3, c->bill_type, sizeof c->bill_type,
                                        msg, sizeof msg) < 0)
        return bad(&r, fld(&r, CF_CLM_BILL_FAC_TYPE_CD), "bill type \"%s\" (facility type, "
                   "classification, frequency) is not 3 digits", bill);
    if (checked(&r, CF_PRNCPL_DGNS_CD, F_ICD10, 0, c->dx[0], sizeof c->dx[0]) < 0) return -1;
    c->n_dx = c->dx[0][0] ? 1 : 0;
    if (checked(&r, CF_BENE_PTNT_STUS_CD, F_DISP, 0, disp, sizeof disp) < 0) return -1;
    memcpy(c->disposition, disp, sizeof disp);
    if (checked(&r, CF_FAC_PRVDR_NPI_NUM, F_NPI, 0, c->facility_npi, 11) < 0) return -1;
    if (!c->facility_npi[0] && checked(&r, CF_CLM_BLG_PRVDR_NPI_NUM, F_NPI, 0, c->facility_npi, 11) < 0)
        return -1;
    if (checked(&r, CF_ATNDG_PRVDR_NPI_NUM, F_NPI, 0, attending, 11) < 0) return -1;
    if (!attending[0] && checked(&r, CF_CLM_ATNDG_PRVDR_NPI_NUM, F_NPI, 0, attending, 11) < 0)
        return -1;
    if (money(&r, CF_CLM_PMT_AMT, &pmt) < 0 || adjustment(&r, &c->adjustment) < 0 ||
        version(&r, c) < 0 || control_number(&r, cur_id, c) < 0)
        return -1;
    if (not_icd10(&r)) c->dx[0][0] = '\0', c->n_dx = 0;
    c->has_claim_paid = 1;
    c->claim_paid_cents = pmt;
    char npmt[4];
    if (text(&r, CF_CLM_MDCR_NPMT_RSN_CD, npmt, sizeof npmt)) {
        c->denied = 1;
        snprintf(c->denial_reason, sizeof c->denial_reason, "CLM_MDCR_NPMT_RSN_CD %s", npmt);
    }
    text(&r, CF_CLM_BLG_PRVDR_OSCAR_NUM, oscar, 21);
    if (!oscar[0]) text(&r, CF_PRVDR_OSCAR_NUM, oscar, 21);
    /* stays (inpatient, SNF, home health, hospice): CCLF1 has no admission date, so the
     * bill's from date stands in (load_cclf.c carries the first bill's date along the
     * later bills of one stay) and the thru date is the discharge unless the patient
     * is still there */
    static const char *const stays[] = {"11", "12", "18", "21", "22", "32", "33", "34", "81", "82"};
    int stay = 0;
    for (size_t i = 0; i < sizeof stays / sizeof stays[0]; i++)
        stay |= !strncmp(c->bill_type, stays[i], 2);
    c->admission = c->discharge = CARA_DATE_NONE;
    if (stay) {
        c->admission = c->start;
        if (strcmp(c->disposition, "30") != 0) c->discharge = c->end;
    }
    return 0;
}

void cclf_part_a_key(feed_claim *c, const char *oscar)
{
    char a[11], b[11];
    date_format(c->start, a);
    date_format(c->end, b);
    snprintf(c->key, sizeof c->key, "A|%s|%s|%s|%s", oscar, a, b, c->person_id);
}

void cclf_part_b_key(feed_claim *c)
{
    /* snprintf's "B|%s|%s", cut as it cuts, without printf's machinery (once a claim) */
    size_t o = 0, cap = sizeof c->key;
    const char *parts[4] = {"B|", c->claim_id, "|", c->person_id};
    for (int i = 0; i < 4 && o + 1 < cap; i++) o += util_strlcpy(c->key + o, parts[i], cap - o);
    c->key[o < cap ? o : cap - 1] = '\0';
}

/* Line dates and the HCPCS code and its modifiers, shared by CCLF2, 5 and 6. */
static int line_common(rd *r, feed_line *l)
{
    if (date(r, CF_CLM_LINE_FROM_DT, 0, &l->start) < 0 || date(r, CF_CLM_LINE_THRU_DT, 0, &l->end) < 0)
        return -1;
    if (l->start != CARA_DATE_NONE && l->end != CARA_DATE_NONE && l->end < l->start)
        return bad(r, fld(r, CF_CLM_LINE_THRU_DT), "before CLM_LINE_FROM_DT");
    if (checked(r, CF_CLM_LINE_HCPCS_CD, F_HCPCS, 0, l->hcpcs, sizeof l->hcpcs) < 0) return -1;
    static const cf mods[FEED_MOD_MAX] = {CF_HCPCS_1_MDFR_CD, CF_HCPCS_2_MDFR_CD,
                                                   CF_HCPCS_3_MDFR_CD, CF_HCPCS_4_MDFR_CD,
                                                   CF_HCPCS_5_MDFR_CD};
    for (int i = 0; i < FEED_MOD_MAX; i++)
        if (fld(r, mods[i]) && checked(r, mods[i], F_MODIFIER, 0, l->mods[i], 3) < 0) return -1;
    return 0;
}

int cclf_part_a_line(const char *rec, feed_line *l, char cur_id[14], cclf_error *e)
{
    rd r;
    lookup_layout(&r, '2', rec, e);
    memset(l, 0, sizeof *l);
    if (cur_claim_id(&r, cur_id) < 0 || number(&r, CF_CLM_LINE_NUM, 1, 1, 999999, &l->number) < 0 ||
        line_common(&r, l) < 0 ||
        checked(&r, CF_CLM_LINE_PROD_REV_CTR_CD, F_REVENUE, 0, l->revenue, sizeof l->revenue) < 0 ||
        money(&r, CF_CLM_LINE_CVRD_PD_AMT, &l->paid_cents) < 0)
        return -1;
    l->allowed_cents = l->paid_cents; /* CCLF2 carries no allowed amount */
    return 0;
}

static int procedure_code(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 7) return -1;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))) return -1;
    return 0;
}

int cclf_part_a_code(const char *rec, char file, char cur_id[14], int *seq, char code[8],
                     cclf_error *e)
{
    rd r;
    lookup_layout(&r, file, rec, e);
    int64_t s;
    code[0] = '\0';
    if (cur_claim_id(&r, cur_id) < 0 || number(&r, CF_CLM_VAL_SQNC_NUM, 0, 0, 99, &s) < 0)
        return -1;
    *seq = (int)s;
    if (not_icd10(&r)) return 0;
    if (file == '4') return checked(&r, CF_CLM_DGNS_CD, F_ICD10, 0, code, 8);
    char v[16];
    text(&r, CF_CLM_PRCDR_CD, v, sizeof v);
    if (v[0] && procedure_code(v) < 0)
        return warn(&r, fld(&r, CF_CLM_PRCDR_CD), "\"%s\" is not an ICD-10-PCS code (3 to 7 "
                    "letters or digits, no dot)", v);
    memcpy(code, v, strlen(v) + 1);
    return 0;
}

/* ---- Part B and DME ------------------------------------------------------------------------- */

int cclf_part_b_line(const char *rec, char file, feed_claim *c, feed_line *l, char cur_id[14],
                     cclf_error *e)
{
    rd r;
    lookup_layout(&r, file, rec, e);
    feed_line *keep = c->lines;
    size_t keep_n = c->n_lines;
    memset(c, 0, sizeof *c);
    c->lines = keep;
    c->n_lines = keep_n;
    memset(l, 0, sizeof *l);
    int64_t type;
    if (cur_claim_id(&r, cur_id) < 0 || number(&r, CF_CLM_LINE_NUM, 1, 1, 999999, &l->number) < 0 ||
        mbi(&r, CF_BENE_MBI_ID, c->person_id) < 0 || number(&r, CF_CLM_TYPE_CD, 1, 0, 99, &type) < 0)
        return -1;
    if (file == '5' && type != 71 && type != 72)
        return bad(&r, fld(&r, CF_CLM_TYPE_CD), "\"%02lld\" is not a Part B physician claim type "
                   "(71, 72)", (long long)type);
    if (file == '6' && type != 81 && type != 82)
        return bad(&r, fld(&r, CF_CLM_TYPE_CD), "\"%02lld\" is not a DME claim type (81, 82)",
                   (long long)type);
    c->type = file == '5' ? FEED_PROFESSIONAL : FEED_DME;
    if (date(&r, CF_CLM_FROM_DT, 1, &c->start) < 0 || date(&r, CF_CLM_THRU_DT, 1, &c->end) < 0)
        return -1;
    if (c->end < c->start) return bad(&r, fld(&r, CF_CLM_THRU_DT), "before CLM_FROM_DT");
    c->admission = c->discharge = CARA_DATE_NONE;
    if (line_common(&r, l) < 0 ||
        checked(&r, CF_CLM_POS_CD, F_POS, 0, l->pos, sizeof l->pos) < 0 ||
        money(&r, CF_CLM_LINE_CVRD_PD_AMT, &l->paid_cents) < 0 ||
        money(&r, CF_CLM_LINE_ALOWD_CHRG_AMT, &l->allowed_cents) < 0 ||
        adjustment(&r, &c->adjustment) < 0 || version(&r, c) < 0 ||
        control_number(&r, cur_id, c) < 0)
        return -1;
    char dnl[4], ind[4];
    if (text(&r, CF_CLM_CARR_PMT_DNL_CD, dnl, sizeof dnl)) {
        const char *d = dnl[0] == '0' && dnl[1] ? dnl + 1 : dnl; /* "00" is "0" */
        int paid = (d[0] >= '1' && d[0] <= '9') || d[0] == 'A' || d[0] == 'B';
        if (!paid) {
            c->denied = 1;
            snprintf(c->denial_reason, sizeof c->denial_reason, "CLM_CARR_PMT_DNL_CD %s", dnl);
        }
    }
    if (text(&r, CF_CLM_PRCSG_IND_CD, ind, sizeof ind) && strcmp(ind, "A") && strcmp(ind, "R") &&
        strcmp(ind, "S"))
        l->denied = 1;
    if (file == '5') {
        if (checked(&r, CF_RNDRG_PRVDR_NPI_NUM, F_NPI, 0, l->rendering_npi, 11) < 0) return -1;
        if (!l->rendering_npi[0] &&
            checked(&r, CF_CLM_RNDRG_PRVDR_NPI_NUM, F_NPI, 0, l->rendering_npi, 11) < 0)
            return -1;
        if (checked(&r, CF_CLM_RNDRG_PRVDR_TAX_NUM, F_TIN, 0, l->rendering_tin, 10) < 0) return -1;
        memcpy(l->billing_tin, l->rendering_tin, sizeof l->billing_tin);
        int skip_dx = not_icd10(&r);
        static const cf dx[] = {CF_CLM_DGNS_1_CD, CF_CLM_DGNS_2_CD, CF_CLM_DGNS_3_CD,
                                         CF_CLM_DGNS_4_CD, CF_CLM_DGNS_5_CD, CF_CLM_DGNS_6_CD,
                                         CF_CLM_DGNS_7_CD, CF_CLM_DGNS_8_CD, CF_CLM_DGNS_9_CD,
                                         CF_CLM_DGNS_10_CD, CF_CLM_DGNS_11_CD, CF_CLM_DGNS_12_CD,
                                         CF_CLM_LINE_DGNS_CD};
        for (size_t i = 0; i < sizeof dx / sizeof dx[0] && !skip_dx; i++) {
            char code[8];
            if (checked(&r, dx[i], F_ICD10, 0, code, sizeof code) < 0) return -1;
            int seen = !code[0];
            for (int k = 0; k < c->n_dx && !seen; k++) seen = !strcmp(c->dx[k], code);
            if (!seen && c->n_dx < FEED_DX_MAX) memcpy(c->dx[c->n_dx++], code, sizeof code);
        }
    } else {
        if (checked(&r, CF_ORDRG_PRVDR_NPI_NUM, F_NPI, 0, l->rendering_npi, 11) < 0 ||
            checked(&r, CF_CLM_BLG_PRVDR_NPI_NUM, F_NPI, 0, l->billing_npi, 11) < 0)
            return -1;
        if (!l->billing_npi[0] && checked(&r, CF_PAYTO_PRVDR_NPI_NUM, F_NPI, 0, l->billing_npi, 11) < 0)
            return -1;
    }
    if (l->start == CARA_DATE_NONE) l->start = c->start;
    if (l->end == CARA_DATE_NONE) l->end = l->start;
    cclf_part_b_key(c);
    return 0;
}

/* ---- CCLF8 ------------------------------------------------------------------------------------ */

int cclf_check_record(const char *rec, char file, char cur_id[14], cclf_error *e)
{
    feed_claim c;
    feed_line l;
    char oscar[21], att[11], code[8];
    int seq;
    switch (file) {
    case '1': return cclf_part_a_header(rec, &c, cur_id, oscar, att, e);
    case '2': return cclf_part_a_line(rec, &l, cur_id, e);
    case '3':
    case '4': return cclf_part_a_code(rec, file, cur_id, &seq, code, e);
    default: return cclf_part_b_line(rec, file, &c, &l, cur_id, e);
    }
}

int cclf_bene(const char *rec, feed_bene *b, cclf_error *e)
{
    rd r;
    lookup_layout(&r, '8', rec, e);
    memset(b, 0, sizeof *b);
    b->hospice_start = CARA_DATE_NONE;
    char sex[4], s[8];
    cara_date a_start, b_start, hospice;
    if (mbi(&r, CF_BENE_MBI_ID, b->person_id) < 0 || date(&r, CF_BENE_DOB, 1, &b->birth) < 0 ||
        date(&r, CF_BENE_DEATH_DT, 0, &b->death) < 0 ||
        date(&r, CF_BENE_PART_A_ENRLMT_BGN_DT, 0, &a_start) < 0 ||
        date(&r, CF_BENE_PART_B_ENRLMT_BGN_DT, 0, &b_start) < 0 ||
        date(&r, CF_BENE_RNG_BGN_DT, 0, &hospice) < 0)
        return -1;
    text(&r, CF_BENE_SEX_CD, sex, sizeof sex);
    if (!strcmp(sex, "1")) strcpy(b->gender, "male");
    else if (!strcmp(sex, "2")) strcpy(b->gender, "female");
    else if (!strcmp(sex, "0") || !sex[0]) strcpy(b->gender, "unknown");
    else return bad(&r, fld(&r, CF_BENE_SEX_CD), "\"%s\" is not a sex code (0 unknown, 1 male, 2 female)", sex);
    text(&r, CF_BENE_MDCR_STUS_CD, s, sizeof s);
    if (s[0] && strcmp(s, "10") && strcmp(s, "11") && strcmp(s, "20") && strcmp(s, "21") && strcmp(s, "31"))
        return bad(&r, fld(&r, CF_BENE_MDCR_STUS_CD), "\"%s\" is not a Medicare status code (10, "
                   "11, 20, 21, 31)", s);
    memcpy(b->medicare_status, s, 3);
    text(&r, CF_BENE_DUAL_STUS_CD, s, sizeof s);
    if (!strcmp(s, "NA") || !strcmp(s, "**") || !strcmp(s, "99")) s[0] = '\0';
    if (s[0] && !(strlen(s) == 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '8'))
        return bad(&r, fld(&r, CF_BENE_DUAL_STUS_CD), "\"%s\" is not a dual status code (00-08, NA)", s);
    memcpy(b->dual, s, 3);
    if (a_start == CARA_DATE_NONE && b_start == CARA_DATE_NONE)
        return bad(&r, fld(&r, CF_BENE_PART_B_ENRLMT_BGN_DT), "blank, and so is "
                   "BENE_PART_A_ENRLMT_BGN_DT: an entitlement start is needed");
    b->enroll_start = a_start == CARA_DATE_NONE ? b_start
                      : b_start == CARA_DATE_NONE ? a_start
                      : a_start > b_start ? a_start : b_start;
    b->enroll_end = b->death;
    if (b->death != CARA_DATE_NONE && b->death < b->birth)
        return bad(&r, fld(&r, CF_BENE_DEATH_DT), "before BENE_DOB");
    b->hospice_start = hospice;
    if (checked(&r, CF_GEO_USPS_STATE_CD, F_STATE, 0, b->state, sizeof b->state) < 0) return -1;
    if (checked(&r, CF_GEO_ZIP5_CD, F_ZIP, 0, b->zip, sizeof b->zip) < 0) return -1;
    if (!b->zip[0] && checked(&r, CF_BENE_ZIP_CD, F_ZIP, 0, b->zip, sizeof b->zip) < 0) return -1;
    return 0;
}
