/*
 * synthdata_conv.c: the readers the converters share (see synthdata_conv.h): mapped CSV
 * files, claim versions with their IDR load dates, people with their eligibility spans,
 * and the copies of cara's own files.
 */
#include "synthdata_conv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

int synth_format_parse(const char *s)
{
    if (!strcmp(s, "csv")) return SYNTH_FMT_CSV;
    if (!strcmp(s, "cclf")) return SYNTH_FMT_CSV | SYNTH_FMT_CCLF;
    if (!strcmp(s, "fhir")) return SYNTH_FMT_CSV | SYNTH_FMT_FHIR;
    if (!strcmp(s, "all")) return SYNTH_FMT_CSV | SYNTH_FMT_CCLF | SYNTH_FMT_FHIR;
    return -1;
}

/* ---- mapped CSV files ------------------------------------------------------------------ */

int sc_open(sc_file *f, const char *dir, const char *name, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->path = util_path_join(dir, name);
    if (!f->path) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot read: %s", f->path, strerror(e));
        if (fd >= 0) close(fd);
        sc_close(f);
        return -e;
    }
    f->len = (size_t)st.st_size;
    if (f->len) {
        void *m = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            snprintf(err, errlen, "%s: cannot map: %s", f->path, strerror(e));
            close(fd);
            f->len = 0;
            sc_close(f);
            return -e;
        }
        madvise(m, f->len, MADV_SEQUENTIAL);
        f->map = m;
    }
    close(fd);
    csv_scan_init(&f->scan, f->map ? f->map : "", f->len);
    int rc = sc_next(f, err, errlen);
    if (rc == 0) snprintf(err, errlen, "%s: empty file (expected a header row)", f->path);
    if (rc <= 0) {
        sc_close(f);
        return rc ? rc : -EINVAL;
    }
    return 0;
}

int sc_col(const sc_file *f, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < f->scan.n; i++)
        if (f->scan.f[i].len == n && !memcmp(f->scan.f[i].p, name, n)) return (int)i;
    return -1;
}

int sc_next(sc_file *f, char *err, size_t errlen)
{
    const char *start = f->scan.pos;
    int rc = csv_scan_next(&f->scan);
    if (rc < 0) {
        snprintf(err, errlen, "%s:%s", f->path, f->scan.err);
        return -EINVAL;
    }
    f->row = start;
    f->row_len = rc ? (size_t)(f->scan.pos - start) : 0;
    return rc;
}

int sc_get(const sc_file *f, int i, char *out, size_t outlen)
{
    out[0] = '\0';
    if (i < 0 || (size_t)i >= f->scan.n) return 0;
    const csv_field *fl = &f->scan.f[i];
    if (fl->len >= outlen) return -1;
    memcpy(out, fl->p, fl->len);
    out[fl->len] = '\0';
    return 0;
}

void sc_close(sc_file *f)
{
    csv_scan_free(&f->scan);
    if (f->map) munmap(f->map, f->len);
    free(f->path);
    memset(f, 0, sizeof *f);
}

int sc_make_subdir(const char *dir, const char *sub, char **out, char *err, size_t errlen)
{
    char *p = util_path_join(dir, sub);
    *out = NULL;
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (mkdir(p, 0777) < 0 && !(errno == EEXIST && util_is_dir(p))) {
        int e = errno == EEXIST ? ENOTDIR : errno;
        snprintf(err, errlen, "%s: cannot create the directory: %s", p, strerror(e));
        free(p);
        return -e;
    }
    *out = p;
    return 0;
}

int sc_copy_file(const char *dir, const char *sub, const char *name, char *err, size_t errlen)
{
    char *src = util_path_join(dir, name), *d = util_path_join(dir, sub);
    char *dst = d ? util_path_join(d, name) : NULL;
    FILE *in = src ? fopen(src, "rb") : NULL, *out = in && dst ? fopen(dst, "wb") : NULL;
    int rc = 0;
    if (!out) {
        rc = -(errno ? errno : ENOMEM);
        snprintf(err, errlen, "%s: cannot copy to %s: %s", src ? src : name, dst ? dst : sub,
                 strerror(-rc));
    } else {
        char buf[1 << 16];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, n, out) != n) break;
        if (ferror(in) || ferror(out)) rc = -EIO;
        if (fclose(out) != 0) rc = -EIO;
        out = NULL;
        if (rc) snprintf(err, errlen, "%s: write error", dst);
    }
    if (in) fclose(in);
    free(src);
    free(d);
    free(dst);
    return rc;
}

int sc_copy_own_files(const char *dir, const char *sub, char *err, size_t errlen)
{
    static const char *const own[] = {"acos.csv", "providers.csv", "arrangements.csv",
                                      "alignment.csv", "participants.csv"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(own); i++) {
        int rc = sc_copy_file(dir, sub, own[i], err, errlen);
        if (rc < 0) return rc;
    }
    return 0;
}

const char sc_elig_header[] =
    "person_id,gender,birth_date,death_date,enrollment_start_date,enrollment_end_date,"
    "dual_status_code,medicare_status_code,hospice_flag,state,zip_code\n";

/* ---- claim versions -------------------------------------------------------------------- */

enum {
    K_ID, K_LINE, K_TYPE, K_MBI, K_FROM, K_THRU, K_LFROM, K_LTHRU, K_ADM, K_DIS, K_DISP, K_POS,
    K_BILL, K_REV, K_HCPCS, K_MOD1, K_MOD5 = K_MOD1 + 4, K_RNPI, K_RTIN, K_BNPI, K_BTIN,
    K_FNPI, K_PAID, K_ALLOWED, K_ADJ, K_DX1, K_N = K_DX1 + SC_DX
};

static const char *const CLAIM_COLS[K_ADJ + 1] = {
    "claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date",
    "claim_end_date", "claim_line_start_date", "claim_line_end_date", "admission_date",
    "discharge_date", "discharge_disposition_code", "place_of_service_code", "bill_type_code",
    "revenue_center_code", "hcpcs_code", "hcpcs_modifier_1", "hcpcs_modifier_2",
    "hcpcs_modifier_3", "hcpcs_modifier_4", "hcpcs_modifier_5", "rendering_npi",
    "rendering_tin", "billing_npi", "billing_tin", "facility_npi", "paid_amount",
    "allowed_amount", "adjustment_type_code"};

int sc_claims_open(sc_claims *r, const char *dir, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    int rc = sc_open(&r->f, dir, "medical_claim.csv", err, errlen);
    if (rc < 0) return rc;
    for (int k = 0; k <= K_ADJ; k++) r->col[k] = sc_col(&r->f, CLAIM_COLS[k]);
    for (int k = 0; k < SC_DX; k++) {
        char name[32];
        snprintf(name, sizeof name, "diagnosis_code_%d", k + 1);
        r->col[K_DX1 + k] = sc_col(&r->f, name);
    }
    for (int k = 0; k < K_PAID; k++) {
        if (r->col[k] >= 0 || k == K_DISP || k == K_FNPI || (k >= K_MOD1 && k <= K_MOD5))
            continue;
        snprintf(err, errlen, "%s: no column %s", r->f.path, CLAIM_COLS[k]);
        sc_claims_close(r);
        return -EINVAL;
    }
    return 0;
}

/* Field k of the current row into buf; on a field too long for buf, a message naming
 * the column (from the array `names`) and a return of -EINVAL. */
#define SC_GET(names, k, buf)                                                            \
    do {                                                                                 \
        if (sc_get(&r->f, r->col[k], buf, sizeof buf) < 0) {                             \
            snprintf(err, errlen, "%s:%zu: %s is too long to convert", r->f.path,        \
                     r->f.scan.line, names[k]);                                          \
            return -EINVAL;                                                              \
        }                                                                                \
    } while (0)
#define GET(k, buf) SC_GET(CLAIM_COLS, k, buf)

static int parse_money(sc_claims *r, int k, int64_t *out, char *err, size_t errlen)
{
    char s[32];
    GET(k, s);
    if (money_parse(s, strlen(s), out) < 0) {
        snprintf(err, errlen, "%s:%zu: %s '%s' is not money", r->f.path, r->f.scan.line,
                 CLAIM_COLS[k], s);
        return -EINVAL;
    }
    return 0;
}

/* The current row into r->pend (header fields and one line). */
static int read_row(sc_claims *r, char *err, size_t errlen)
{
    sc_claim *c = &r->pend;
    sc_line *l = &c->line[0];
    char type[16], num[16], adj[4];
    GET(K_ID, c->id);
    GET(K_MBI, c->mbi);
    GET(K_TYPE, type);
    GET(K_FROM, c->from);
    GET(K_THRU, c->thru);
    GET(K_ADM, c->adm);
    GET(K_DIS, c->dis);
    GET(K_DISP, c->disp);
    GET(K_BILL, c->bill);
    GET(K_FNPI, c->fac_npi);
    GET(K_ADJ, adj);
    GET(K_LINE, num);
    GET(K_LFROM, l->from);
    GET(K_LTHRU, l->thru);
    GET(K_POS, l->pos);
    GET(K_REV, l->rev);
    GET(K_HCPCS, l->hcpcs);
    for (int m = 0; m < 5; m++) GET(K_MOD1 + m, l->mod[m]);
    GET(K_RNPI, l->rend_npi);
    GET(K_RTIN, l->rend_tin);
    GET(K_BNPI, l->bill_npi);
    GET(K_BTIN, l->bill_tin);
    c->n_dx = 0;
    for (int k = 0; k < SC_DX; k++) {
        if (sc_get(&r->f, r->col[K_DX1 + k], c->dx[c->n_dx], sizeof c->dx[0]) < 0) {
            snprintf(err, errlen, "%s:%zu: diagnosis_code_%d is too long to convert",
                     r->f.path, r->f.scan.line, k + 1);
            return -EINVAL;
        }
        if (c->dx[c->n_dx][0]) c->n_dx++;
    }
    c->type = !strcmp(type, "institutional") ? SC_INSTITUTIONAL
              : !strcmp(type, "dme")         ? SC_DME
                                             : SC_PROFESSIONAL;
    c->adj = adj[0] == '1' ? 1 : adj[0] == '2' ? 2 : 0;
    uint64_t n = 0;
    l->num = util_parse_u64(num, &n) == 0 && n < 1000000000 ? (long)n : 0;
    cara_date d;
    if (date_parse(c->thru, strlen(c->thru), &d) < 0) {
        snprintf(err, errlen, "%s:%zu: claim_end_date '%s' is not a date", r->f.path,
                 r->f.scan.line, c->thru);
        return -EINVAL;
    }
    c->load = d; /* the claim end date until the version is dated */
    if (parse_money(r, K_PAID, &l->paid, err, errlen) < 0) return -EINVAL;
    if (parse_money(r, K_ALLOWED, &l->allowed, err, errlen) < 0) return -EINVAL;
    c->n_lines = 1;
    return 0;
}

static int add_line(sc_claim *c, const sc_line *l)
{
    if (c->n_lines == c->cap) {
        int cap = c->cap ? c->cap * 2 : 32;
        sc_line *v = realloc(c->line, (size_t)cap * sizeof *v);
        if (!v) return -ENOMEM;
        c->line = v;
        c->cap = cap;
    }
    c->line[c->n_lines++] = *l;
    return 0;
}

uint64_t sc_hash(const char *s, uint64_t v)
{
    uint64_t h = util_fnv1a(s);
    h ^= v * 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

static int next_row(sc_claims *r, char *err, size_t errlen)
{
    int rc;
    do rc = sc_next(&r->f, err, errlen);
    while (rc == 1 && r->f.scan.n == 1 && r->f.scan.f[0].len == 0); /* blank lines */
    if (rc <= 0) return rc;
    return read_row(r, err, errlen) < 0 ? -EINVAL : 1;
}

int sc_claims_next(sc_claims *r, sc_claim *c, char *err, size_t errlen)
{
    if (!r->pend.line) {
        r->pend.line = malloc(sizeof *r->pend.line);
        r->pend.cap = r->pend.n_lines = 1;
        if (!r->pend.line) return -ENOMEM;
    }
    if (!r->have_pend) {
        int rc = next_row(r, err, errlen);
        if (rc <= 0) return rc;
    }
    sc_line *keep = c->line;
    int cap = c->cap;
    *c = r->pend;
    c->line = keep;
    c->cap = cap;
    c->n_lines = 0;
    if (add_line(c, &r->pend.line[0]) < 0) goto oom;
    long last = r->pend.line[0].num;
    for (;;) {
        int rc = next_row(r, err, errlen);
        if (rc < 0) return rc;
        r->have_pend = rc;
        if (!rc) break;
        const sc_claim *p = &r->pend;
        if (strcmp(p->id, c->id) || p->adj != c->adj || p->line[0].num <= last) break;
        if (add_line(c, &p->line[0]) < 0) goto oom;
        last = p->line[0].num;
    }
    /* date the version */
    if (!strcmp(c->id, r->last_id)) {
        c->version = ++r->last_version;
        c->load = r->last_load + 20 + (cara_date)(sc_hash(c->id, (uint64_t)c->version) % 71);
    } else {
        c->version = r->last_version = 0;
        c->load += 10 + (cara_date)(sc_hash(c->id, 0) % 31);
        memcpy(r->last_id, c->id, sizeof r->last_id);
    }
    r->last_load = c->load;
    c->eff = c->load - 2;
    c->uniq = 1000000000000ull + ++r->seq;
    return 1;
oom:
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
}

const char *sc_clm_type_cd(const sc_claim *v)
{
    static const char *const T[][2] = {{"11", "60"}, {"12", "60"}, {"13", "40"}, {"14", "40"},
                                       {"18", "20"}, {"21", "20"}, {"22", "20"}, {"32", "10"},
                                       {"33", "10"}, {"34", "10"}, {"81", "50"}, {"82", "50"}};
    if (v->type == SC_PROFESSIONAL) return "71";
    if (v->type == SC_DME) return "82";
    for (size_t i = 0; i < UTIL_ARRAY_LEN(T); i++)
        if (!strncmp(v->bill, T[i][0], 2)) return T[i][1];
    return "40";
}

void sc_claim_free(sc_claim *c)
{
    free(c->line);
    c->line = NULL;
    c->n_lines = c->cap = 0;
}

void sc_claims_close(sc_claims *r)
{
    sc_claim_free(&r->pend);
    sc_close(&r->f);
}

#undef GET

/* ---- people ---------------------------------------------------------------------------- */

enum { E_MBI, E_GENDER, E_BIRTH, E_DEATH, E_START, E_END, E_DUAL, E_STATUS, E_HOSPICE, E_STATE,
       E_ZIP, E_N };
static const char *const ELIG_COLS[E_N] = {
    "person_id", "gender", "birth_date", "death_date", "enrollment_start_date",
    "enrollment_end_date", "dual_status_code", "medicare_status_code", "hospice_flag", "state",
    "zip_code"};

int sc_people_open(sc_people *r, const char *dir, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    int rc = sc_open(&r->f, dir, "eligibility.csv", err, errlen);
    if (rc < 0) return rc;
    for (int k = 0; k < E_N; k++) {
        r->col[k] = sc_col(&r->f, ELIG_COLS[k]);
        if (r->col[k] < 0 && (k == E_MBI || k == E_START)) {
            snprintf(err, errlen, "%s: no column %s", r->f.path, ELIG_COLS[k]);
            sc_people_close(r);
            return -EINVAL;
        }
    }
    return 0;
}

#define GET(k, buf) SC_GET(ELIG_COLS, k, buf)

static int read_person_row(sc_people *r, char *err, size_t errlen)
{
    int rc;
    do rc = sc_next(&r->f, err, errlen);
    while (rc == 1 && r->f.scan.n == 1 && r->f.scan.f[0].len == 0);
    if (rc <= 0) return rc;
    sc_person *p = &r->pend;
    sc_span *s = &p->span[0];
    char h[8];
    GET(E_MBI, p->mbi);
    GET(E_GENDER, p->gender);
    GET(E_BIRTH, p->birth);
    GET(E_DEATH, p->death);
    GET(E_STATE, p->state);
    GET(E_ZIP, p->zip);
    GET(E_START, s->start);
    GET(E_END, s->end);
    GET(E_DUAL, s->dual);
    GET(E_STATUS, s->status);
    GET(E_HOSPICE, h);
    s->hospice = h[0] == '1' || h[0] == 'Y' || h[0] == 'y' || h[0] == 't';
    p->n_span = 1;
    r->pend_raw = r->f.row;
    return 1;
}

#undef GET

int sc_people_next(sc_people *r, sc_person *p, char *err, size_t errlen)
{
    if (!r->pend.span) {
        r->pend.span = malloc(sizeof *r->pend.span);
        if (!r->pend.span) return -ENOMEM;
        r->pend.cap = 1;
    }
    if (!r->have_pend) {
        int rc = read_person_row(r, err, errlen);
        if (rc <= 0) return rc;
    }
    sc_span *keep = p->span;
    int cap = p->cap;
    *p = r->pend;
    p->span = keep;
    p->cap = cap;
    p->n_span = 0;
    p->raw = r->pend_raw;
    const char *end = r->f.row + r->f.row_len;
    for (int first = 1;; first = 0) {
        if (!first) {
            int rc = read_person_row(r, err, errlen);
            if (rc < 0) return rc;
            r->have_pend = rc;
            if (!rc || strcmp(r->pend.mbi, p->mbi)) break;
            end = r->f.row + r->f.row_len;
        }
        if (p->n_span == p->cap) {
            int c2 = p->cap ? p->cap * 2 : 4;
            sc_span *v = realloc(p->span, (size_t)c2 * sizeof *v);
            if (!v) return -ENOMEM;
            p->span = v;
            p->cap = c2;
        }
        p->span[p->n_span++] = r->pend.span[0];
        /* the demographics of the last row */
        memcpy(p->gender, r->pend.gender, sizeof p->gender);
        memcpy(p->birth, r->pend.birth, sizeof p->birth);
        memcpy(p->death, r->pend.death, sizeof p->death);
        memcpy(p->state, r->pend.state, sizeof p->state);
        memcpy(p->zip, r->pend.zip, sizeof p->zip);
    }
    p->raw_len = (size_t)(end - p->raw);
    return 1;
}

void sc_person_free(sc_person *p)
{
    free(p->span);
    p->span = NULL;
    p->n_span = p->cap = 0;
}

void sc_people_close(sc_people *r)
{
    sc_person_free(&r->pend);
    sc_close(&r->f);
}
