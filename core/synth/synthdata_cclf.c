/*
 * synthdata_cclf.c: the synthetic CSV layer as CCLF deliveries (CCLF Information Packet
 * v36), into DIR/cclf/ (see synthdata_conv.h and docs/input-formats.md):
 *
 *   delivery 1  dated January 15 after the performance year, loose ZC{n}Y{yy} files:
 *               every claim record loaded (CLM_IDR_LD_DT) on or before December 31
 *   delivery 2  the run-out, dated September 15, as CMS's monthly zip bundle
 *               (T.A0000.ACO.ZCR{yy}.D...) of ZC{n}R{yy} files: every record loaded after
 *               November 30 (December's records come twice, as CMS's overlapping feeds do)
 *
 * each with CCLF1 (institutional headers), 2 (revenue lines), 3 (empty: no procedures),
 * 4 (diagnoses), 5 (professional lines), 6 (DME lines), 8 (beneficiaries), 9 (the MBI
 * crosswalk, with a few HICN pairs) and the CCLF0 summary. One beneficiary in 50 (among
 * those enrolled before July 1 of the year) has a previous MBI, used on its records
 * loaded before July 1.
 *
 * Versions follow the packet's debit/credit model: each CSV version is one record (its
 * own CUR_CLM_UNIQ_ID); an adjustment is preceded by a cancellation of the version it
 * replaces (the same fields and positive amounts, dated like the adjustment); amounts
 * are never signed. Header-paid institutional claims (sy_header_paid) carry their
 * payment in CLM_PMT_AMT and 0 on their lines. About 1% of professional claims also get
 * a denied duplicate (CLM_CARR_PMT_DNL_CD 0, nothing paid) and about 1% a denied extra
 * line (CLM_PRCSG_IND_CD D); the loader keeps both and prices neither. Unused text
 * fields are '~', as CMS fills them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "feeds/feeds.h"
#include "base/base.h"
#include "synthdata_conv.h"
#include "synthdata_internal.h"

/* CUR_CLM_UNIQ_ID ranges (13 digits): the CSV's n-th version, the cancellation that
 * precedes the adjustment which is the CSV's n-th version, the denied duplicate of it. */
#define UNIQ_VERSION 1000000000000ull
#define UNIQ_CREDIT 2000000000000ull
#define UNIQ_DENIED 3000000000000ull

/* ~1% of professional claims each: a denied duplicate, a denied extra line. */
#define DENIED_CLAIM_SALT 0xD0000001ull
#define DENIED_LINE_SALT 0xD0000002ull

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
    int runout;                  /* ZC{n}R{yy} names, zipped into the bundle */
    const char *dir;             /* where its files are written */
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
    char *stage;                 /* DIR/cclf/.runout: the run-out's files before zipping */
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
    sc_claim prev;               /* the version before the current one (lines owned) */
    char prev_cntl[48];          /* its CLM_CNTL_NUM */
    int have_prev;
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

/* Text, or CMS's '~' filler when there is none. */
static void put_opt(cc *c, const char *name, const char *s)
{
    put_text(c, name, s && *s ? s : "~");
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
    synth__put(&f->out, c->rec, c->cur->l->reclen);
    synth__putc(&f->out, '\n');
    f->records++;
}

/* ---- files ---------------------------------------------------------------------------- */

static const char *const DESCRIPTION[] = {"Part A Header", "Part A Revenue Ctr",
                                          "Part A Procedure", "Part A Diagnosis",
                                          "Part B Physicians", "Part B DME",
                                          "Beneficiary Demogr", "BENE XREF", ""};

/* T.A0000.ACO.ZC{file}{Y|R}{yy}.D{yymmdd}.T1200000; file 0 with bundle set: the
 * bundle's name T.A0000.ACO.ZC{Y|R}{yy}.D{yymmdd}.T1200000. */
static void file_name(const cc *c, const cc_delivery *d, char file, int bundle, char *out,
                      size_t len)
{
    int y, m, dd;
    date_to_ymd(d->date, &y, &m, &dd);
    char kind = d->runout ? 'R' : 'Y';
    if (bundle)
        snprintf(out, len, "T.A0000.ACO.ZC%c%02d.D%02d%02d%02d.T1200000", kind,
                 c->o->year % 100, y % 100, m, dd);
    else
        snprintf(out, len, "T.A0000.ACO.ZC%c%c%02d.D%02d%02d%02d.T1200000", file, kind,
                 c->o->year % 100, y % 100, m, dd);
}

static int open_files(cc *c, char *err, size_t errlen)
{
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < N_FILES; i++) {
            char name[64];
            file_name(c, &c->d[k], FILES[i], 0, name, sizeof name);
            if (synth__out_open(&c->d[k].f[i].out, c->d[k].dir, name, err, errlen) < 0) return -EIO;
        }
    return 0;
}

/* Remove dir/name when it is one of this converter's outputs (a CCLF file or a bundle of
 * entity A0000), so that a rewritten DIR/cclf holds no stale delivery. */
static int remove_stale(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        cclf_name nm;
        const char *n = e->d_name;
        size_t len = strlen(n);
        int bundle = !strncmp(n, "T.A0000.ACO.ZC", 14) && len >= 18 &&
                     (n[14] == 'Y' || n[14] == 'R') && n[15] >= '0' && n[15] <= '9';
        if (strncmp(n, "T.A0000.ACO.", 12) || (cclf_name_parse(n, &nm) < 0 && !bundle)) continue;
        char *p = util_path_join(dir, n);
        if (!p || unlink(p) < 0) {
            snprintf(err, errlen, "%s/%s: cannot remove the earlier output: %s", dir, n,
                     p ? strerror(errno) : "out of memory");
            rc = -EIO;
        }
        free(p);
    }
    closedir(d);
    return rc;
}

/* CCLF0: a heading, then one record per file with its count and record length. */
static void write_summary(cc *c, cc_delivery *d)
{
    const cclf_layout *l = cclf_layout_for('0');
    char line[128];
    int n = snprintf(line, sizeof line, "%-13s|%-20s|%-20s|%-13s", "File Number",
                     "File Description", "Total Records Count", "Record Length");
    sy_out *o = &d->f[file_index('0')].out;
    synth__put(o, line, (size_t)n);
    synth__putc(o, '\n');
    for (int i = 0; FILES[i] != '0'; i++) {
        char label[8];
        snprintf(label, sizeof label, "CCLF%c", FILES[i]);
        n = snprintf(line, sizeof line, "%-13.13s|%-20.20s|%-20ld|%-13u", label, DESCRIPTION[i],
                     d->f[i].records, cclf_layout_for(FILES[i])->reclen);
        synth__put(o, line, (size_t)n < l->reclen ? (size_t)n : l->reclen);
        synth__putc(o, '\n');
    }
}

static int close_files(cc *c, char *err, size_t errlen)
{
    int rc = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < N_FILES; i++) {
            if (synth__out_close(&c->d[k].f[i].out) < 0 && rc == 0) {
                char name[64];
                file_name(c, &c->d[k], FILES[i], 0, name, sizeof name);
                snprintf(err, errlen, "%s/%s: write error", c->d[k].dir, name);
                rc = -EIO;
            }
        }
    return rc;
}

/*
 * The run-out's files into its bundle DIR/cclf/T.A0000.ACO.ZCR{yy}.D{date}.T1200000 (a
 * zip, deflated, members in file order 0-9), then the loose files and the staging folder
 * removed. Every member is dated the delivery's day at 12:00 in DOS time and given mode
 * 0644, so the same data gives the same bytes whatever the clock, time zone or umask.
 */
static int zip_runout(cc *c, int write, char *err, size_t errlen)
{
    cc_delivery *d = &c->d[1];
    char name[64], order[N_FILES + 1];
    memcpy(order, "012345689", N_FILES + 1);
    file_name(c, d, '0', 1, name, sizeof name);
    char *path = util_path_join(c->dir, name);
    int rc = path ? 0 : -ENOMEM, zerr = 0;
    zip_t *z = NULL;
    if (write && rc == 0 && !(z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr))) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        snprintf(err, errlen, "%s: cannot create: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        rc = -EIO;
    }
    int y, m, dd;
    date_to_ymd(d->date, &y, &m, &dd);
    zip_uint16_t dos_time = 12 << 11, dos_date = (zip_uint16_t)(((y - 1980) << 9) | (m << 5) | dd);
    char *member[N_FILES] = {0};
    for (int i = 0; i < N_FILES; i++) {
        char mn[64];
        file_name(c, d, order[i], 0, mn, sizeof mn);
        member[i] = util_path_join(d->dir, mn);
        if (!member[i] && rc == 0) rc = -ENOMEM;
        if (!z || rc < 0) continue;
        zip_source_t *src = zip_source_file(z, member[i], 0, -1);
        zip_int64_t idx = src ? zip_file_add(z, mn, src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (src) zip_source_free(src);
        } else if (zip_file_set_dostime(z, (zip_uint64_t)idx, dos_time, dos_date, 0) < 0 ||
                   zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) < 0 ||
                   zip_file_set_external_attributes(z, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                                    (zip_uint32_t)0100644 << 16) < 0) {
            idx = -1;
        }
        if (idx < 0) {
            snprintf(err, errlen, "%s: cannot add %s: %s", path, mn, zip_strerror(z));
            rc = -EIO;
        }
    }
    if (z && rc == 0 && zip_close(z) < 0) {
        snprintf(err, errlen, "%s: write error: %s", path, zip_strerror(z));
        rc = -EIO;
    }
    if (z && (rc < 0 || write == 0)) zip_discard(z);
    if (z && rc < 0) unlink(path);
    for (int i = 0; i < N_FILES; i++) {
        if (member[i]) unlink(member[i]);
        free(member[i]);
    }
    rmdir(d->dir);
    free(path);
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

/* A HICN pair (HICN_MBI_XREF_IND H: a 9-digit claim account number and a beneficiary
 * identification code letter, here a wife's B become a widow's D), as CMS still lists for
 * some beneficiaries; claims carry MBIs only, so the loader skips these rows. */
static void hicn_pair(cc *c, const sc_person *p, uint64_t k)
{
    char cur[12], prev[12];
    uint64_t can = 100000000 + sc_hash(p->mbi, c->o->seed ^ k) % 900000000;
    snprintf(cur, sizeof cur, "%09lluD", (unsigned long long)can);
    snprintf(prev, sizeof prev, "%09lluB", (unsigned long long)can);
    for (int d = 0; d < 2; d++) {
        rec_begin(c, '9');
        put_text(c, "HICN_MBI_XREF_IND", "H");
        put_text(c, "CRNT_NUM", cur);
        put_text(c, "PRVS_NUM", prev);
        put_date(c, "PRVS_ID_EFCTV_DT", date_from_ymd(2012, 3, 1));
        put_date(c, "PRVS_ID_OBSLT_DT", date_from_ymd(2019, 12, 31));
        rec_write(c, &c->d[d], '9');
    }
    c->counts->hicn_rows++;
}

static int people(cc *c, char *err, size_t errlen)
{
    sc_people r;
    sc_person p = {0};
    sy_out elig;
    int rc = sc_people_open(&r, c->o->out_dir, err, errlen);
    if (rc < 0) return rc;
    if (synth__out_open(&elig, c->dir, "eligibility.csv", err, errlen) < 0) {
        sc_people_close(&r);
        return -EIO;
    }
    synth__puts(&elig, sc_elig_header);
    cara_date obsolete = c->july1 - 1;
    uint64_t k = 0;
    while ((rc = sc_people_next(&r, &p, err, errlen)) == 1) {
        c->counts->people++;
        write_cclf8(c, &p);
        if (!cclf8_expresses(&p)) {
            synth__put(&elig, p.raw, p.raw_len);
            if (p.raw_len && p.raw[p.raw_len - 1] != '\n') synth__putc(&elig, '\n');
            c->counts->elig_copied++;
        }
        cara_date start = parse_date(p.span[0].start);
        if (k % 100 == 31) hicn_pair(c, &p, k);
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
    if (synth__out_close(&elig) < 0 && rc == 0) {
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

/* One CCLF record of a claim: a CSV version, the cancellation of the version an
 * adjustment replaces, or a denied duplicate. */
typedef struct cc_rec {
    const sc_claim *v;           /* the fields and lines it carries */
    uint64_t uniq;               /* CUR_CLM_UNIQ_ID */
    int adj;                     /* CLM_ADJSMT_TYPE_CD */
    cara_date load, eff;         /* CLM_IDR_LD_DT, CLM_EFCTV_DT */
    const char *cntl, *org;      /* CLM_CNTL_NUM, CLM_ORG_CNTL_NUM ("": '~') */
    const char *mbi;             /* as delivered */
    int denied;                  /* Medicare denied it: CLM_CARR_PMT_DNL_CD 0, nothing paid */
    int denied_line;             /* one more line: line 1 again, denied (CLM_PRCSG_IND_CD D) */
} cc_rec;

static void version_fields(cc *c, const cc_rec *r)
{
    char adj[2] = {(char)('0' + r->adj), '\0'};
    put_text(c, "CLM_ADJSMT_TYPE_CD", adj);
    put_date(c, "CLM_EFCTV_DT", r->eff);
    put_date(c, "CLM_IDR_LD_DT", r->load);
    put_text(c, "CLM_CNTL_NUM", r->cntl);
}

static const char *const MOD[] = {"HCPCS_1_MDFR_CD", "HCPCS_2_MDFR_CD", "HCPCS_3_MDFR_CD",
                                  "HCPCS_4_MDFR_CD", "HCPCS_5_MDFR_CD"};

static void institutional(cc *c, cc_delivery *d, const cc_rec *r)
{
    const sc_claim *v = r->v;
    int64_t paid = 0;
    const char *type = sc_clm_type_cd(v), *atnd = "";
    int header = synth__header_paid(v->bill);
    for (int i = 0; i < v->n_lines; i++) {
        paid += v->line[i].paid;
        if (!*atnd) atnd = v->line[i].rend_npi;
    }
    size_t fl = strlen(v->fac_npi);
    const char *oscar = v->fac_npi + (fl > 6 ? fl - 6 : 0); /* a stand-in CCN */
    char b[3][2] = {{v->bill[0], 0}, {v->bill[0] ? v->bill[1] : 0, 0}, {0, 0}};
    b[2][0] = b[1][0] ? v->bill[2] : 0;
    rec_begin(c, '1');
    put_digits(c, "CUR_CLM_UNIQ_ID", r->uniq);
    put_text(c, "PRVDR_OSCAR_NUM", oscar);
    put_text(c, "BENE_MBI_ID", r->mbi);
    put_text(c, "CLM_TYPE_CD", type);
    put_text(c, "CLM_FROM_DT", v->from);
    put_text(c, "CLM_THRU_DT", v->thru);
    put_text(c, "CLM_BILL_FAC_TYPE_CD", b[0]);
    put_text(c, "CLM_BILL_CLSFCTN_CD", b[1]);
    put_text(c, "CLM_BILL_FREQ_CD", b[2]);
    put_opt(c, "PRNCPL_DGNS_CD", v->n_dx ? v->dx[0] : "");
    put_opt(c, "ADMTG_DGNS_CD", "");
    put_opt(c, "CLM_MDCR_NPMT_RSN_CD", ""); /* paid */
    put_money(c, "CLM_PMT_AMT", paid);      /* unsigned, whatever the record */
    put_opt(c, "BENE_PTNT_STUS_CD", v->disp);
    put_text(c, "FAC_PRVDR_NPI_NUM", v->fac_npi);
    put_opt(c, "OPRTG_PRVDR_NPI_NUM", "");
    put_opt(c, "ATNDG_PRVDR_NPI_NUM", atnd);
    put_opt(c, "OTHR_PRVDR_NPI_NUM", "");
    put_text(c, "DGNS_PRCDR_ICD_IND", "0");
    put_text(c, "CLM_BLG_PRVDR_OSCAR_NUM", oscar);
    put_text(c, "CLM_BLG_PRVDR_NPI_NUM", v->fac_npi);
    put_opt(c, "CLM_OPRTG_PRVDR_NPI_NUM", "");
    put_opt(c, "CLM_ATNDG_PRVDR_NPI_NUM", atnd);
    put_opt(c, "CLM_OTHR_PRVDR_NPI_NUM", "");
    put_opt(c, "CLM_ORG_CNTL_NUM", r->org);
    version_fields(c, r);
    rec_write(c, d, '1');
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        rec_begin(c, '2');
        put_digits(c, "CUR_CLM_UNIQ_ID", r->uniq);
        put_digits(c, "CLM_LINE_NUM", (uint64_t)l->num);
        put_text(c, "BENE_MBI_ID", r->mbi);
        put_text(c, "CLM_TYPE_CD", type);
        put_text(c, "CLM_LINE_FROM_DT", l->from);
        put_text(c, "CLM_LINE_THRU_DT", l->thru);
        put_text(c, "CLM_LINE_PROD_REV_CTR_CD", l->rev);
        put_text(c, "CLM_LINE_INSTNL_REV_CTR_DT", l->from);
        put_opt(c, "CLM_LINE_HCPCS_CD", l->hcpcs);
        put_text(c, "PRVDR_OSCAR_NUM", oscar);
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        /* a DRG/PPS-paid claim: the payment is the header's, the lines carry none */
        put_money(c, "CLM_LINE_CVRD_PD_AMT", header ? 0 : l->paid);
        for (int m = 0; m < 5; m++) put_opt(c, MOD[m], l->mod[m]);
        put_opt(c, "CLM_REV_APC_HIPPS_CD", "");
        put_text(c, "CLM_FAC_PRVDR_OSCAR_NUM", oscar);
        rec_write(c, d, '2');
    }
    for (int i = 0; i < v->n_dx; i++) {
        rec_begin(c, '4');
        put_digits(c, "CUR_CLM_UNIQ_ID", r->uniq);
        put_text(c, "BENE_MBI_ID", r->mbi);
        put_text(c, "CLM_TYPE_CD", type);
        put_text(c, "CLM_PROD_TYPE_CD", i == 0 ? "P" : "O");
        put_digits(c, "CLM_VAL_SQNC_NUM", (uint64_t)i + 1);
        put_text(c, "CLM_DGNS_CD", v->dx[i]);
        put_text(c, "PRVDR_OSCAR_NUM", oscar);
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        put_opt(c, "CLM_POA_IND", "");
        put_text(c, "DGNS_PRCDR_ICD_IND", "0");
        put_text(c, "CLM_BLG_PRVDR_OSCAR_NUM", oscar);
        rec_write(c, d, '4');
    }
}

/* One CCLF5 line: l under number num; denied (the claim's or the line's) pays nothing. */
static void professional_line(cc *c, cc_delivery *d, const cc_rec *r, const sc_line *l,
                              uint64_t num, int line_denied)
{
    static const char *const DX[] = {"CLM_DGNS_1_CD", "CLM_DGNS_2_CD",  "CLM_DGNS_3_CD",
                                     "CLM_DGNS_4_CD", "CLM_DGNS_5_CD",  "CLM_DGNS_6_CD",
                                     "CLM_DGNS_7_CD", "CLM_DGNS_8_CD",  "CLM_DGNS_9_CD",
                                     "CLM_DGNS_10_CD", "CLM_DGNS_11_CD", "CLM_DGNS_12_CD"};
    const sc_claim *v = r->v;
    int unpaid = r->denied || line_denied;
    rec_begin(c, '5');
    put_digits(c, "CUR_CLM_UNIQ_ID", r->uniq);
    put_digits(c, "CLM_LINE_NUM", num);
    put_text(c, "BENE_MBI_ID", r->mbi);
    put_text(c, "CLM_TYPE_CD", "71");
    put_text(c, "CLM_FROM_DT", v->from);
    put_text(c, "CLM_THRU_DT", v->thru);
    put_opt(c, "CLM_PRVDR_SPCLTY_CD", specialty(c, l->rend_npi));
    put_text(c, "CLM_POS_CD", l->pos);
    put_text(c, "CLM_LINE_FROM_DT", l->from);
    put_text(c, "CLM_LINE_THRU_DT", l->thru);
    put_text(c, "CLM_LINE_HCPCS_CD", l->hcpcs);
    put_money(c, "CLM_LINE_CVRD_PD_AMT", unpaid ? 0 : l->paid);
    put_opt(c, "CLM_LINE_DGNS_CD", v->n_dx ? v->dx[0] : "");
    put_text(c, "CLM_RNDRG_PRVDR_TAX_NUM", l->rend_tin);
    put_text(c, "RNDRG_PRVDR_NPI_NUM", l->rend_npi);
    put_text(c, "CLM_RNDRG_PRVDR_NPI_NUM", l->rend_npi);
    put_text(c, "CLM_CARR_PMT_DNL_CD", r->denied ? "0" : "1"); /* 1: paid to the physician */
    put_text(c, "CLM_PRCSG_IND_CD", unpaid ? "D" : "A");       /* A: allowed, D: denied */
    version_fields(c, r);
    put_money(c, "CLM_LINE_ALOWD_CHRG_AMT", unpaid ? 0 : l->allowed);
    for (int m = 0; m < 5; m++) put_opt(c, MOD[m], l->mod[m]);
    for (int k = 0; k < 12; k++) put_opt(c, DX[k], k < v->n_dx ? v->dx[k] : "");
    put_text(c, "DGNS_PRCDR_ICD_IND", "0");
    put_opt(c, "CLM_RFRG_PRVDR_NPI_NUM", "");
    rec_write(c, d, '5');
}

static void professional(cc *c, cc_delivery *d, const cc_rec *r)
{
    const sc_claim *v = r->v;
    long last = 0;
    for (int i = 0; i < v->n_lines; i++) {
        professional_line(c, d, r, &v->line[i], (uint64_t)v->line[i].num, 0);
        if (v->line[i].num > last) last = v->line[i].num;
    }
    if (r->denied_line && v->n_lines) /* a repeat of line 1 the carrier denied */
        professional_line(c, d, r, &v->line[0], (uint64_t)last + 1, 1);
}

static void dme(cc *c, cc_delivery *d, const cc_rec *r)
{
    const sc_claim *v = r->v;
    for (int i = 0; i < v->n_lines; i++) {
        const sc_line *l = &v->line[i];
        rec_begin(c, '6');
        put_digits(c, "CUR_CLM_UNIQ_ID", r->uniq);
        put_digits(c, "CLM_LINE_NUM", (uint64_t)l->num);
        put_text(c, "BENE_MBI_ID", r->mbi);
        put_text(c, "CLM_TYPE_CD", "82");
        put_text(c, "CLM_FROM_DT", v->from);
        put_text(c, "CLM_THRU_DT", v->thru);
        put_text(c, "CLM_POS_CD", l->pos);
        put_text(c, "CLM_LINE_FROM_DT", l->from);
        put_text(c, "CLM_LINE_THRU_DT", l->thru);
        put_text(c, "CLM_LINE_HCPCS_CD", l->hcpcs);
        put_money(c, "CLM_LINE_CVRD_PD_AMT", l->paid);
        put_text(c, "PAYTO_PRVDR_NPI_NUM", l->bill_npi);
        put_text(c, "ORDRG_PRVDR_NPI_NUM", l->rend_npi);
        put_text(c, "CLM_CARR_PMT_DNL_CD", "1");
        put_text(c, "CLM_PRCSG_IND_CD", "A");
        version_fields(c, r);
        put_money(c, "CLM_LINE_ALOWD_CHRG_AMT", l->allowed);
        put_text(c, "CLM_BLG_PRVDR_NPI_NUM", l->bill_npi);
        put_text(c, "CLM_RFRG_PRVDR_NPI_NUM", l->rend_npi);
        rec_write(c, d, '6');
    }
}

/* A record into each delivery its load date puts it in: delivery 1 up to December 31,
 * the run-out after November 30. */
static void emit(cc *c, const cc_rec *r)
{
    cara_date dec31 = date_from_ymd(c->o->year, 12, 31), nov30 = date_from_ymd(c->o->year, 11, 30);
    for (int k = 0; k < 2; k++) {
        if (k == 0 ? r->load > dec31 : r->load <= nov30) continue;
        if (r->v->type == SC_INSTITUTIONAL) institutional(c, &c->d[k], r);
        else if (r->v->type == SC_DME) dme(c, &c->d[k], r);
        else professional(c, &c->d[k], r);
    }
}

/* The MBI a record loaded on `load` carries: the previous one before July 1. */
static const char *mbi_on(const cc *c, const sc_claim *v, cara_date load)
{
    if (load >= c->july1 || !c->n_xw) return v->mbi;
    cc_xw key;
    memcpy(key.cur, v->mbi, sizeof key.cur);
    const cc_xw *x = bsearch(&key, c->xw, c->n_xw, sizeof *c->xw, cmp_xw);
    return x ? x->prev : v->mbi;
}

/* Keep a copy of v (with its lines) as the previous version. */
static int keep_prev(cc *c, const sc_claim *v, const char *cntl)
{
    sc_line *lines = c->prev.line;
    int cap = c->prev.cap;
    if (cap < v->n_lines) {
        sc_line *nl = realloc(lines, (size_t)v->n_lines * sizeof *nl);
        if (!nl) return -ENOMEM;
        lines = nl;
        cap = v->n_lines;
    }
    c->prev = *v;
    c->prev.line = lines;
    c->prev.cap = cap;
    if (v->n_lines) memcpy(lines, v->line, (size_t)v->n_lines * sizeof *lines);
    snprintf(c->prev_cntl, sizeof c->prev_cntl, "%s", cntl);
    c->have_prev = 1;
    return 0;
}

/* The records of one CSV version (see the top of the file). */
static int version_records(cc *c, const sc_claim *v)
{
    int inst = v->type == SC_INSTITUTIONAL, prof = v->type == SC_PROFESSIONAL;
    int later = v->version > 0 && c->have_prev && !strcmp(c->prev.id, v->id);
    char cntl[48], dup_cntl[48];
    /* Part A: every version is a claim of its own, an adjustment under a new control
     * number that names the original's (CLM_ORG_CNTL_NUM); Part B and DME versions share
     * the claim's CLM_CNTL_NUM, their natural key. A cancellation repeats what it
     * cancels. */
    if (later && v->adj == 1) snprintf(cntl, sizeof cntl, "%s", c->prev_cntl);
    else if (inst && v->adj == 2) snprintf(cntl, sizeof cntl, "%sA%d", v->id, v->version);
    else snprintf(cntl, sizeof cntl, "%s", v->id);
    const char *org = later && inst ? c->prev_cntl : "";
    int denied_line = prof && sc_hash(v->id, DENIED_LINE_SALT) % 100 == 0;
    uint64_t seq = v->uniq - UNIQ_VERSION;
    if (later && v->adj == 2 && c->prev.adj != 1) {
        /* CMS sends the adjustment with a cancellation of the version it replaces */
        cc_rec credit = {.v = &c->prev, .uniq = UNIQ_CREDIT + seq, .adj = 1, .load = v->load,
                         .eff = v->eff, .cntl = c->prev_cntl, .org = org,
                         .mbi = mbi_on(c, v, v->load), .denied_line = denied_line};
        emit(c, &credit);
        c->counts->credits++;
        if (credit.load > c->d[1].date) c->counts->late_versions++;
    }
    cc_rec r = {.v = v, .uniq = v->uniq, .adj = v->adj, .load = v->load, .eff = v->eff,
                .cntl = cntl, .org = org, .mbi = mbi_on(c, v, v->load),
                .denied_line = denied_line};
    emit(c, &r);
    c->counts->denied_lines += denied_line;
    c->counts->header_paid += inst && synth__header_paid(v->bill);
    if (v->load > c->d[1].date) c->counts->late_versions++;
    if (prof && v->adj == 0 && sc_hash(v->id, DENIED_CLAIM_SALT) % 100 == 0) {
        /* the same claim submitted again a few days later, denied as a duplicate */
        snprintf(dup_cntl, sizeof dup_cntl, "%sD", v->id);
        cc_rec dup = {.v = v, .uniq = UNIQ_DENIED + seq, .adj = 0, .load = v->load + 3,
                      .eff = v->eff + 3, .cntl = dup_cntl, .org = "",
                      .mbi = mbi_on(c, v, v->load + 3), .denied = 1};
        emit(c, &dup);
        c->counts->denied_claims++;
    }
    return keep_prev(c, v, cntl);
}

static int claims(cc *c, char *err, size_t errlen)
{
    sc_claims r;
    sc_claim v = {0};
    int rc = sc_claims_open(&r, c->o->out_dir, err, errlen);
    if (rc < 0) return rc;
    while ((rc = sc_claims_next(&r, &v, err, errlen)) == 1) {
        c->counts->versions++;
        if (version_records(c, &v) < 0) {
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
            break;
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
    c->d[1].runout = 1;
    for (int i = 0; i < N_FILES; i++) c->lay[i].l = cclf_layout_for(FILES[i]);
    int rc = sc_make_subdir(o->out_dir, "cclf", &c->dir, err, errlen);
    if (rc == 0) rc = remove_stale(c->dir, err, errlen);
    if (rc == 0) rc = sc_make_subdir(c->dir, ".runout", &c->stage, err, errlen);
    if (rc == 0) rc = remove_stale(c->stage, err, errlen);
    c->d[0].dir = c->dir;
    c->d[1].dir = c->stage;
    int opened = rc == 0;
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
    char spare[160];
    int crc = close_files(c, rc == 0 ? err : spare, rc == 0 ? errlen : sizeof spare);
    if (rc == 0) rc = crc;
    if (opened) { /* the bundle, or on failure only the staging folder removed */
        crc = zip_runout(c, rc == 0, rc == 0 ? err : spare, rc == 0 ? errlen : sizeof spare);
        if (rc == 0) rc = crc;
    }
    sc_claim_free(&c->prev);
    free(c->xw);
    free(c->prov);
    free(c->stage);
    free(c->dir);
    free(c);
    return rc;
}
