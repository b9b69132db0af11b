/*
 * tests/test_synth_adt.c: `cara synth`'s ADT stream (adt.hl7) and its manifest, read by
 * a reader of this file's own (split on "\n", "\r", '|', '~' and '^'; nothing shared
 * with the generator) against medical_claim.csv read with the CSV scanner:
 *   - a hand-made directory (one person, an ED visit admitted the same day, a lab
 *     claim, a cancelled claim): exact field values;
 *   - 2000 synthetic beneficiaries: every message has MSH, EVN, PID, PV1; MSH-10 unique
 *     except the duplicates (the same bytes); every claim-backed visit in the manifest
 *     and the messages of those not missing on the claim's dates with its diagnoses
 *     and disposition; cancelled visits have no claim and an A11; attendings are
 *     rendering NPIs of the person's professional lines; the rates within bounds;
 *   - the same seed gives the same bytes, another seed others; the CSV files are not
 *     touched; `cara synth` writes both files and `cara load` ignores them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_scan.h"
#include "base/sha256.h"
#include "base/util.h"
#include "helpers.h"
#include "suites.h"
#include "synth/synth.h"

static char dir[64];
static char *out_buf, *err_buf;

static void setup(void) { th_scratch_setup(dir, sizeof dir, "synth-adt", &out_buf, &err_buf); }
static void teardown(void) { th_scratch_teardown(dir, &out_buf, &err_buf); }

static char *slurp(const char *sub, const char *file, size_t *len)
{
    char path[256], err[256];
    char *buf;
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, file);
    ck_assert_msg(util_read_file(path, 512u << 20, &buf, len, err, sizeof err) == 0, "%s", err);
    return buf;
}

static synth_opts opts(const char *sub, char *path, size_t cap, int64_t n, uint64_t seed)
{
    snprintf(path, cap, "%s/%s", dir, sub);
    synth_opts o = {.out_dir = path, .beneficiaries = n, .seed = seed, .year = 2027, .acos = 4};
    return o;
}

static synth_adt_counts generate(const char *sub, int64_t n, uint64_t seed)
{
    static char path[160];
    char err[256];
    synth_opts o = opts(sub, path, sizeof path, n, seed);
    synth_counts c;
    ck_assert_msg(synth_run(&o, &c, err, sizeof err) == 0, "%s", err);
    synth_adt_counts a;
    ck_assert_msg(synth_adt_write(&o, &a, err, sizeof err) == 0, "%s", err);
    return a;
}

/* ---- the independent HL7 reader ------------------------------------------------------ */

#define MAX_SEG 64
typedef struct seg {
    const char *p;
    size_t len;
} seg;

typedef struct msg {
    const char *p;            /* the message's bytes, "\n" excluded */
    size_t len;
    seg s[MAX_SEG];
    int n;
} msg;

/* Split buf into messages (each followed by one "\n") and segments (each ended by "\r"). */
static msg *split(const char *buf, size_t len, size_t *n_out)
{
    size_t cap = 1024, n = 0;
    msg *v = malloc(cap * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        ck_assert_msg(nl != NULL, "the file does not end with a newline");
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            ck_assert_ptr_nonnull(v);
        }
        msg *m = &v[n++];
        m->p = buf + i;
        m->len = (size_t)(nl - (buf + i));
        m->n = 0;
        ck_assert_msg(m->len > 0 && m->p[m->len - 1] == '\r', "message %zu: the last segment "
                      "is not ended by a carriage return", n);
        for (size_t a = 0; a < m->len;) {
            const char *cr = memchr(m->p + a, '\r', m->len - a);
            ck_assert_int_lt(m->n, MAX_SEG);
            m->s[m->n++] = (seg){m->p + a, (size_t)(cr - (m->p + a))};
            a = (size_t)(cr - m->p) + 1;
        }
        i = (size_t)(nl - buf) + 1;
    }
    *n_out = n;
    return v;
}

static const seg *find(const msg *m, const char *id, int nth)
{
    for (int i = 0; i < m->n; i++)
        if (m->s[i].len >= 3 && !memcmp(m->s[i].p, id, 3) && nth-- == 0) return &m->s[i];
    return NULL;
}

/* Piece k (0-based) of [p, p+len) split on sep, into out ("" when absent). */
static void piece(const char *p, size_t len, char sep, int k, char *out, size_t cap)
{
    size_t i = 0;
    for (; k > 0 && i < len; i++)
        if (p[i] == sep) k--;
    out[0] = '\0';
    if (k > 0) return;
    size_t j = i;
    while (j < len && p[j] != sep) j++;
    size_t n = j - i < cap - 1 ? j - i : cap - 1;
    memcpy(out, p + i, n);
    out[n] = '\0';
}

/* Field f of a segment (HL7 numbering: for MSH, field 1 is the '|' itself, so MSH-n is
 * piece n - 1 of the split). */
static void field(const seg *s, int f, char *out, size_t cap)
{
    out[0] = '\0';
    if (!s) return;
    int k = s->len >= 3 && !memcmp(s->p, "MSH", 3) ? f - 1 : f;
    piece(s->p, s->len, '|', k, out, cap);
}

/* Component c (1-based) of repetition r (1-based) of a field's text. */
static void comp(const char *fieldv, int r, int c, char *out, size_t cap)
{
    char rep[512];
    piece(fieldv, strlen(fieldv), '~', r - 1, rep, sizeof rep);
    piece(rep, strlen(rep), '^', c - 1, out, cap);
}

/* What the checks read of a message. */
typedef struct ev {
    char event[4], ctrl[32], fac[16], ts[16];
    char pclass[4], visit[24], disp[4], admit[16], dis[16], att[16], att_type[8];
    char mrn_type[8], mc[16], mc_type[8];
    char dx[32][12];
    int n_dx;
    char dx_type[4];
    int prio1;                /* DG1-15 of the first DG1 */
} ev;

static void read_ev(const msg *m, ev *e)
{
    memset(e, 0, sizeof *e);
    char f[1024];
    const seg *msh = find(m, "MSH", 0), *pid = find(m, "PID", 0), *pv1 = find(m, "PV1", 0);
    field(msh, 9, f, sizeof f);
    comp(f, 1, 2, e->event, sizeof e->event);
    field(msh, 10, e->ctrl, sizeof e->ctrl);
    field(msh, 4, e->fac, sizeof e->fac);
    field(msh, 7, e->ts, sizeof e->ts);
    field(pid, 3, f, sizeof f);
    comp(f, 1, 5, e->mrn_type, sizeof e->mrn_type);
    comp(f, 2, 1, e->mc, sizeof e->mc);
    comp(f, 2, 5, e->mc_type, sizeof e->mc_type);
    field(pv1, 2, e->pclass, sizeof e->pclass);
    field(pv1, 19, f, sizeof f);
    comp(f, 1, 1, e->visit, sizeof e->visit);
    field(pv1, 36, e->disp, sizeof e->disp);
    field(pv1, 44, e->admit, sizeof e->admit);
    field(pv1, 45, e->dis, sizeof e->dis);
    field(pv1, 7, f, sizeof f);
    comp(f, 1, 1, e->att, sizeof e->att);
    comp(f, 1, 13, e->att_type, sizeof e->att_type);
    for (const seg *d; e->n_dx < 32 && (d = find(m, "DG1", e->n_dx)); e->n_dx++) {
        char code[32];
        field(d, 3, f, sizeof f);
        comp(f, 1, 1, code, sizeof code);
        size_t k = 0; /* the code without its dot */
        for (const char *c = code; *c && k + 1 < sizeof e->dx[0]; c++)
            if (*c != '.') e->dx[e->n_dx][k++] = *c;
        e->dx[e->n_dx][k] = '\0';
        comp(f, 1, 3, code, sizeof code);
        ck_assert_str_eq(code, "I10");
        if (e->n_dx == 0) {
            field(d, 6, e->dx_type, sizeof e->dx_type);
            field(d, 15, code, sizeof code);
            e->prio1 = atoi(code);
        }
    }
}

/* "YYYYMMDD..." to "YYYY-MM-DD" */
static void iso_day(const char *dtm, char out[11])
{
    out[0] = '\0';
    if (strlen(dtm) < 8) return;
    snprintf(out, 11, "%.4s-%.2s-%.2s", dtm, dtm + 4, dtm + 6);
}

/* ---- the CSV side ------------------------------------------------------------------- */

#define MAXV 40000
typedef struct vclaim {
    char id[16], mbi[12], kind[12], start[11], end[11], disp[3];
    char dx[25][8];
    int n_dx;
    int seen;                 /* manifest rows naming it */
} vclaim;

typedef struct prof {
    char mbi[12], date[11], npi[11];
} prof;

typedef struct world {
    vclaim *v;
    int n_v;
    prof *p;
    int n_p, cap_p;
} world;

static void fcopy(const csv_scan *s, int i, char *out, size_t cap)
{
    size_t n = (size_t)i < s->n ? s->f[i].len : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, n ? s->f[i].p : "", n);
    out[n] = '\0';
}

static int col(const csv_scan *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->f[i].len == strlen(name) && !memcmp(h->f[i].p, name, h->f[i].len)) return (int)i;
    ck_abort_msg("no column %s", name);
    return -1;
}

/* The ED visits and stays of medical_claim.csv (originals), by this test's reading of
 * docs/input-formats.md: bill type 11x = a stay (admission to discharge date); 13x/85x
 * with a revenue center 045x = an ED visit (claim dates); and the professional lines. */
static void read_claims(const char *sub, world *w)
{
    size_t len;
    char *buf = slurp(sub, "medical_claim.csv", &len);
    csv_scan s;
    csv_scan_init(&s, buf, len);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    int c_id = col(&s, "claim_id"), c_type = col(&s, "claim_type"), c_mbi = col(&s, "person_id"),
        c_from = col(&s, "claim_start_date"), c_thru = col(&s, "claim_end_date"),
        c_adm = col(&s, "admission_date"), c_dis = col(&s, "discharge_date"),
        c_disp = col(&s, "discharge_disposition_code"), c_bill = col(&s, "bill_type_code"),
        c_rev = col(&s, "revenue_center_code"), c_lfrom = col(&s, "claim_line_start_date"),
        c_rnpi = col(&s, "rendering_npi"), c_adj = col(&s, "adjustment_type_code"),
        c_dx1 = col(&s, "diagnosis_code_1");
    w->v = calloc(MAXV, sizeof *w->v);
    ck_assert_ptr_nonnull(w->v);
    w->n_v = 0;
    char last[16] = "";
    int cand = -1; /* the claim being read, an institutional candidate */
    while (csv_scan_next(&s) == 1) {
        char id[16], type[16], adj[4], bill[5], rev[5];
        fcopy(&s, c_id, id, sizeof id);
        fcopy(&s, c_type, type, sizeof type);
        fcopy(&s, c_adj, adj, sizeof adj);
        if (strcmp(adj, "0")) continue;
        if (!strcmp(type, "professional")) {
            if (w->n_p == w->cap_p) {
                w->cap_p = w->cap_p ? w->cap_p * 2 : 4096;
                w->p = realloc(w->p, (size_t)w->cap_p * sizeof *w->p);
                ck_assert_ptr_nonnull(w->p);
            }
            prof *p = &w->p[w->n_p++];
            fcopy(&s, c_mbi, p->mbi, sizeof p->mbi);
            fcopy(&s, c_lfrom, p->date, sizeof p->date);
            fcopy(&s, c_rnpi, p->npi, sizeof p->npi);
            continue;
        }
        if (strcmp(type, "institutional")) continue;
        fcopy(&s, c_bill, bill, sizeof bill);
        fcopy(&s, c_rev, rev, sizeof rev);
        int ip = !strncmp(bill, "11", 2);
        int er = !strncmp(rev, "045", 3);
        int op = !strncmp(bill, "13", 2) || !strncmp(bill, "85", 2);
        if (strcmp(id, last)) { /* a new claim */
            snprintf(last, sizeof last, "%s", id);
            cand = -1;
            if (!ip && !op) continue;
            ck_assert_int_lt(w->n_v, MAXV);
            vclaim *v = &w->v[w->n_v];
            memset(v, 0, sizeof *v);
            snprintf(v->id, sizeof v->id, "%s", id);
            fcopy(&s, c_mbi, v->mbi, sizeof v->mbi);
            fcopy(&s, ip ? c_adm : c_from, v->start, sizeof v->start);
            fcopy(&s, ip ? c_dis : c_thru, v->end, sizeof v->end);
            fcopy(&s, c_disp, v->disp, sizeof v->disp);
            snprintf(v->kind, sizeof v->kind, "%s", ip ? "inpatient" : "");
            for (int k = 0; k < 25; k++) {
                fcopy(&s, c_dx1 + k, v->dx[v->n_dx], sizeof v->dx[0]);
                if (v->dx[v->n_dx][0]) v->n_dx++;
            }
            cand = w->n_v++;
        }
        if (cand >= 0 && op && er) snprintf(w->v[cand].kind, sizeof w->v[cand].kind, "ed");
    }
    /* drop the outpatient claims without an ER line */
    int k = 0;
    for (int i = 0; i < w->n_v; i++)
        if (w->v[i].kind[0]) w->v[k++] = w->v[i];
    w->n_v = k;
    csv_scan_free(&s);
    free(buf);
}

static vclaim *claim_of(world *w, const char *id)
{
    for (int i = 0; i < w->n_v; i++)
        if (!strcmp(w->v[i].id, id)) return &w->v[i];
    return NULL;
}

/* The manifest's rows. */
typedef struct mrow {
    char visit[24], mbi[12], claim[16], kind[12], fac[11], admit[11], dis[11], disp[3];
    char fate[12];
    int late, dup, a13, unmatched, cancelled_claim;
} mrow;

static mrow *read_manifest(const char *sub, int *n_out)
{
    size_t len;
    char *buf = slurp(sub, "adt_manifest.csv", &len);
    csv_scan s;
    csv_scan_init(&s, buf, len);
    ck_assert_int_eq(csv_scan_next(&s), 1);
    int c[14];
    static const char *const names[14] = {
        "visit_number", "person_id", "claim_id", "kind", "facility_npi", "admit_date",
        "discharge_date", "discharge_disposition", "fate", "late_messages",
        "duplicated_messages", "discharge_cancelled", "unmatched", "claim_cancelled"};
    for (int i = 0; i < 14; i++) c[i] = col(&s, names[i]);
    int cap = 1024, n = 0;
    mrow *v = malloc((size_t)cap * sizeof *v);
    while (csv_scan_next(&s) == 1) {
        if (n == cap) v = realloc(v, (size_t)(cap *= 2) * sizeof *v);
        ck_assert_ptr_nonnull(v);
        mrow *r = &v[n++];
        fcopy(&s, c[0], r->visit, sizeof r->visit);
        fcopy(&s, c[1], r->mbi, sizeof r->mbi);
        fcopy(&s, c[2], r->claim, sizeof r->claim);
        fcopy(&s, c[3], r->kind, sizeof r->kind);
        fcopy(&s, c[4], r->fac, sizeof r->fac);
        fcopy(&s, c[5], r->admit, sizeof r->admit);
        fcopy(&s, c[6], r->dis, sizeof r->dis);
        fcopy(&s, c[7], r->disp, sizeof r->disp);
        fcopy(&s, c[8], r->fate, sizeof r->fate);
        char t[8];
        fcopy(&s, c[9], t, sizeof t), r->late = atoi(t);
        fcopy(&s, c[10], t, sizeof t), r->dup = atoi(t);
        fcopy(&s, c[11], t, sizeof t), r->a13 = atoi(t);
        fcopy(&s, c[12], t, sizeof t), r->unmatched = atoi(t);
        fcopy(&s, c[13], t, sizeof t), r->cancelled_claim = atoi(t);
    }
    csv_scan_free(&s);
    free(buf);
    *n_out = n;
    return v;
}

/* ---- a hand-made directory ------------------------------------------------------------ */

/*
 * One person, 1A00A00AA07 (female, born 1950-04-15, aligned to A0002):
 *   C1  131 at 1234567893, 2027-03-10, ER line 0450 + lab: dx S0990XA, W19XXXA, I10
 *   C2  111 at 1234567893, admitted 2027-03-10, discharged 2027-03-14, disposition 03,
 *       dx S72001A, W19XXXA
 *   C3  131 lab only (revenue 0300) on 2027-05-02: not a visit
 *   C4  131 ED visit on 2027-06-01 at 1999999992, cancelled later (adjustment 1)
 *   P1  professional, 2027-03-10, POS 23, by 1111111112 (not in providers.csv)
 *   P2  professional, 2027-03-10, POS 21, by 1222222228 ("Ann Lee MD" in providers.csv)
 * So, when all are sent: C1 -> A04 (PV1-2 E, PV1-44 20270310..., DG1 S09.90XA priority
 * 1, W19.XXXA, I10, type W; PV1-7 1111111112) and A03 with PV1-36 09 (admitted the same
 * day at the same hospital); C2 -> A01 (PV1-2 I, PV1-7 1222222228^LEE^ANN...), A03 with
 * PV1-36 03, PV1-45 on 20270314; C4 -> A04/A03 with PV1-36 01 and claim_cancelled 1 in
 * the manifest; nothing for C3. The seed is the first one (of 1..200) whose three
 * visits are all sent with no problem, so the values do not depend on the draws.
 */
static const char HAND_CLAIMS[] =
    "claim_id,claim_line_number,claim_type,person_id,claim_start_date,claim_end_date,"
    "claim_line_start_date,claim_line_end_date,admission_date,discharge_date,"
    "discharge_disposition_code,place_of_service_code,bill_type_code,revenue_center_code,"
    "hcpcs_code,rendering_npi,rendering_tin,billing_npi,billing_tin,facility_npi,paid_amount,"
    "allowed_amount,"
    "diagnosis_code_1,diagnosis_code_2,diagnosis_code_3,adjustment_type_code\n"
    "C1,1,institutional,1A00A00AA07,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,,,131,"
    "0450,99284,,,1234567893,,1234567893,500.00,600.00,S0990XA,W19XXXA,I10,0\n"
    "C1,2,institutional,1A00A00AA07,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,,,131,"
    "0300,80053,,,1234567893,,1234567893,10.00,10.00,S0990XA,W19XXXA,I10,0\n"
    "C2,1,institutional,1A00A00AA07,2027-03-10,2027-03-14,2027-03-10,2027-03-14,"
    "2027-03-10,2027-03-14,03,,111,0120,,,,1234567893,,1234567893,9000.00,9000.00,S72001A,"
    "W19XXXA,,0\n"
    "C3,1,institutional,1A00A00AA07,2027-05-02,2027-05-02,2027-05-02,2027-05-02,,,,,131,"
    "0300,80053,,,1234567893,,1234567893,10.00,10.00,I10,,,0\n"
    "C4,1,institutional,1A00A00AA07,2027-06-01,2027-06-01,2027-06-01,2027-06-01,,,,,131,"
    "0450,99283,,,1999999992,,1999999992,300.00,300.00,R55,,,0\n"
    "C4,1,institutional,1A00A00AA07,2027-06-01,2027-06-01,2027-06-01,2027-06-01,,,,,131,"
    "0450,99283,,,1999999992,,1999999992,300.00,300.00,R55,,,1\n"
    "P1,1,professional,1A00A00AA07,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,,23,,,"
    "99284,1111111112,111111111,1111111112,111111111,,120.00,150.00,S0990XA,,,0\n"
    "P2,1,professional,1A00A00AA07,2027-03-10,2027-03-10,2027-03-10,2027-03-10,,,,21,,,"
    "99223,1222222228,123456789,1222222228,123456789,,180.00,225.00,S72001A,,,0\n";

static void hand_dir(const char *sub)
{
    char d[160];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
    ck_assert_int_eq(th_sh(cmd), 0);
    free(th_write(d, "eligibility.csv",
                  "person_id,gender,birth_date,death_date,enrollment_start_date,"
                  "enrollment_end_date,dual_status_code,medicare_status_code,hospice_flag,"
                  "state,zip_code\n1A00A00AA07,female,1950-04-15,,2026-07-01,,00,10,0,FL,33401\n"));
    free(th_write(d, "alignment.csv",
                  "person_id,aco_id,start_date,end_date\n1A00A00AA07,A0002,2027-01-01,"
                  "2027-12-31\n"));
    free(th_write(d, "providers.csv",
                  "npi,tin,name,specialty_code\n1222222228,123456789,Ann Lee MD,11\n"));
    free(th_write(d, "medical_claim.csv", HAND_CLAIMS));
}

START_TEST(test_hand_fixture)
{
    hand_dir("h");
    char path[160], err[256];
    synth_adt_counts a;
    uint64_t seed = 0;
    char *manifest = NULL;
    size_t len;
    for (uint64_t s = 1; s <= 200 && !seed; s++) {
        synth_opts o = opts("h", path, sizeof path, 1, s);
        ck_assert_msg(synth_adt_write(&o, &a, err, sizeof err) == 0, "%s", err);
        free(manifest);
        manifest = slurp("h", "adt_manifest.csv", &len);
        /* three claim-backed visits, all sent cleanly, no extra cancelled one */
        if (a.visits == 3 && a.cancelled == 0 && a.late == 0 && a.duplicated == 0 &&
            a.discharge_cancels == 0 && a.unmatched == 0 && a.missing == 0)
            seed = s;
    }
    ck_assert_msg(seed != 0, "no seed of 1..200 sends the three visits cleanly");
    ck_assert_int_eq(a.ed, 2);
    ck_assert_int_eq(a.inpatient, 1);
    ck_assert_int_eq(a.messages, 6);
    /* the manifest: C1, C2, C4 (not C3), C4 with its claim cancelled */
    ck_assert_ptr_nonnull(strstr(manifest, ",1A00A00AA07,C1,ed,1234567893,2027-03-10,2027-03-10,09,"
                                           "sent,0,0,0,0,0\n"));
    ck_assert_ptr_nonnull(strstr(manifest, ",1A00A00AA07,C2,inpatient,1234567893,2027-03-10,"
                                           "2027-03-14,03,sent,0,0,0,0,0\n"));
    ck_assert_ptr_nonnull(strstr(manifest, ",1A00A00AA07,C4,ed,1999999992,2027-06-01,2027-06-01,01,"
                                           "sent,0,0,0,0,1\n"));
    ck_assert_ptr_null(strstr(manifest, ",C3,"));
    free(manifest);
    char *buf = slurp("h", "adt.hl7", &len);
    size_t n;
    msg *m = split(buf, len, &n);
    ck_assert_uint_eq(n, 6);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        ev e;
        read_ev(&m[i], &e);
        ck_assert_str_eq(e.mc, "1A00A00AA07");
        ck_assert_str_eq(e.mc_type, "MC");
        ck_assert_str_eq(e.mrn_type, "MR");
        char day[11];
        iso_day(e.admit, day);
        if (!strcmp(e.event, "A04") && !strcmp(e.fac, "1234567893")) {
            seen |= 1;
            ck_assert_str_eq(e.pclass, "E");
            ck_assert_str_eq(day, "2027-03-10");
            ck_assert_int_eq(e.n_dx, 3);
            ck_assert_str_eq(e.dx[0], "S0990XA");
            ck_assert_str_eq(e.dx[1], "W19XXXA");
            ck_assert_str_eq(e.dx[2], "I10");
            ck_assert_str_eq(e.dx_type, "W");
            ck_assert_int_eq(e.prio1, 1);
            ck_assert_str_eq(e.att, "1111111112");
            ck_assert_str_eq(e.att_type, "NPI");
            ck_assert_ptr_nonnull(strstr(m[i].p, "\rDG1|1||S09.90XA^^I10||"));
        }
        if (!strcmp(e.event, "A03") && !strcmp(e.pclass, "E") && !strcmp(e.fac, "1234567893")) {
            seen |= 2;
            ck_assert_str_eq(e.disp, "09");
            ck_assert_str_eq(e.dx_type, "F");
        }
        if (!strcmp(e.event, "A01")) {
            seen |= 4;
            ck_assert_str_eq(e.pclass, "I");
            ck_assert_str_eq(day, "2027-03-10");
            ck_assert_int_eq(e.n_dx, 2);
            ck_assert_str_eq(e.dx[0], "S72001A");
            ck_assert_ptr_nonnull(strstr(m[i].p, "|1222222228^LEE^ANN^^^^^^NPI^^^^NPI|"));
            ck_assert_ptr_nonnull(strstr(m[i].p, "MSH|^~\\&|"));
            ck_assert_ptr_nonnull(strstr(m[i].p, "|1234567893|CARA|A0002|"));
            ck_assert_ptr_nonnull(strstr(m[i].p, "||ADT^A01^ADT_A01|"));
            ck_assert_ptr_nonnull(strstr(m[i].p, "|P|2.5.1\rEVN|A01|"));
            ck_assert_ptr_nonnull(strstr(m[i].p, "||19500415|F\r"));
        }
        if (!strcmp(e.event, "A03") && !strcmp(e.pclass, "I")) {
            seen |= 8;
            ck_assert_str_eq(e.disp, "03");
            iso_day(e.dis, day);
            ck_assert_str_eq(day, "2027-03-14");
        }
        if (!strcmp(e.event, "A03") && !strcmp(e.fac, "1999999992")) {
            seen |= 16;
            ck_assert_str_eq(e.disp, "01");
            ck_assert_str_eq(e.att, ""); /* no professional line that day */
        }
    }
    ck_assert_int_eq(seen, 31);
    free(m);
    free(buf);
}
END_TEST

/* ---- 2000 beneficiaries ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

START_TEST(test_stream)
{
    synth_adt_counts a = generate("w", 2000, 11);
    world w = {0};
    read_claims("w", &w);
    int n_rows;
    mrow *rows = read_manifest("w", &n_rows);
    size_t len;
    char *buf = slurp("w", "adt.hl7", &len);
    size_t n;
    msg *m = split(buf, len, &n);
    ck_assert_int_eq((int64_t)n, a.messages);
    ev *e = malloc(n * sizeof *e);
    ck_assert_ptr_nonnull(e);
    int inversions = 0; /* an event more than an hour before the one sent before it */
    for (size_t i = 0; i < n; i++) {
        /* MSH, EVN, PID, PV1 first, in that order */
        ck_assert_msg(m[i].n >= 4 && !memcmp(m[i].s[0].p, "MSH|^~\\&|", 9) &&
                          !memcmp(m[i].s[1].p, "EVN|", 4) && !memcmp(m[i].s[2].p, "PID|", 4) &&
                          !memcmp(m[i].s[3].p, "PV1|", 4),
                      "message %zu: not MSH, EVN, PID, PV1", i + 1);
        char v[16];
        field(&m[i].s[0], 12, v, sizeof v);
        ck_assert_str_eq(v, "2.5.1");
        read_ev(&m[i], &e[i]);
        char evn1[8];
        field(&m[i].s[1], 1, evn1, sizeof evn1);
        ck_assert_str_eq(evn1, e[i].event);
        ck_assert_msg(e[i].visit[0], "message %zu: no PV1-19", i + 1);
        if (i > 0 && strcmp(e[i].ts, e[i - 1].ts) < 0 && strlen(e[i].ts) == 14) {
            /* compare as day numbers * 86400 + seconds is overkill: an earlier day or an
             * earlier hour on the same day is enough */
            if (strncmp(e[i].ts, e[i - 1].ts, 10) < 0) inversions++;
        }
    }
    ck_assert_int_gt(inversions, 0); /* late messages: out of order */
    /* MSH-10: unique except the duplicates, which are the same bytes */
    char **ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = e[i].ctrl;
    qsort(ids, n, sizeof *ids, cmp_str);
    int repeats = 0;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(ids[i], ids[i - 1])) continue;
        repeats++;
        ck_assert_msg(i < 2 || strcmp(ids[i], ids[i - 2]), "MSH-10 %s three times", ids[i]);
        const msg *x = NULL, *y = NULL;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(e[j].ctrl, ids[i])) {
                if (!x) x = &m[j];
                else y = &m[j];
            }
        ck_assert_msg(x && y && x->len == y->len && !memcmp(x->p, y->p, x->len),
                      "MSH-10 %s: two different messages", ids[i]);
    }
    free(ids);
    int dups = 0, lates = 0, a13s = 0, missing = 0, cancelled = 0, backed = 0;
    for (int r = 0; r < n_rows; r++) {
        dups += rows[r].dup;
        lates += rows[r].late;
        a13s += rows[r].a13;
    }
    ck_assert_int_eq(repeats, dups);
    ck_assert_int_eq(dups, a.duplicated);
    ck_assert_int_eq(lates, a.late);
    ck_assert_int_eq(a13s, a.discharge_cancels);
    /* each manifest row against the claims and the messages */
    for (int r = 0; r < n_rows; r++) {
        const mrow *row = &rows[r];
        int n_admit = 0, n_a03 = 0, n_a11 = 0, n_a13 = 0;
        const ev *admit = NULL, *last_a03 = NULL;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(e[i].visit, row->visit)) continue;
            ck_assert_str_eq(e[i].fac, row->fac);
            if (!row->unmatched) ck_assert_str_eq(e[i].mc, row->mbi);
            else ck_assert_str_eq(e[i].mc_type, ""); /* only the MRN */
            if (!strcmp(e[i].event, "A04") || !strcmp(e[i].event, "A01")) n_admit++, admit = &e[i];
            if (!strcmp(e[i].event, "A03")) n_a03++, last_a03 = &e[i];
            if (!strcmp(e[i].event, "A11")) n_a11++;
            if (!strcmp(e[i].event, "A13")) n_a13++;
        }
        if (!strcmp(row->fate, "missing")) {
            ck_assert_msg(n_admit + n_a03 + n_a11 + n_a13 == 0, "%s is missing but sent",
                          row->visit);
            missing++;
        }
        if (!strcmp(row->fate, "cancelled")) {
            cancelled++;
            ck_assert_str_eq(row->claim, "");
            ck_assert_int_ge(n_admit, 1);
            ck_assert_int_ge(n_a11, 1);
            ck_assert_int_eq(n_a03, 0);
            ck_assert_int_eq(admit->n_dx, 0);
            continue;
        }
        /* claim-backed */
        backed++;
        vclaim *c = claim_of(&w, row->claim);
        ck_assert_msg(c != NULL, "manifest %s: claim %s is not an ED visit or a stay",
                      row->visit, row->claim);
        c->seen++;
        ck_assert_str_eq(c->mbi, row->mbi);
        ck_assert_str_eq(c->kind, row->kind);
        ck_assert_str_eq(c->start, row->admit);
        ck_assert_str_eq(c->end, row->dis);
        if (strcmp(row->fate, "sent")) continue;
        ck_assert_msg(n_admit >= 1 && n_a03 >= 1, "%s: sent without A04/A01 and A03", row->visit);
        for (size_t i = 0; i < n; i++) /* one admission (its duplicates are the same bytes) */
            if (!strcmp(e[i].visit, row->visit) && !strcmp(e[i].event, admit->event))
                ck_assert_str_eq(e[i].ctrl, admit->ctrl);
        char day[11];
        iso_day(admit->admit, day);
        ck_assert_str_eq(day, c->start);
        ck_assert_str_eq(admit->event, !strcmp(c->kind, "ed") ? "A04" : "A01");
        ck_assert_str_eq(admit->pclass, !strcmp(c->kind, "ed") ? "E" : "I");
        ck_assert_int_eq(admit->n_dx, c->n_dx);
        for (int k = 0; k < c->n_dx; k++) ck_assert_str_eq(admit->dx[k], c->dx[k]);
        if (c->n_dx) ck_assert_int_eq(admit->prio1, 1);
        iso_day(last_a03->dis, day);
        ck_assert_str_eq(day, c->end);
        ck_assert_uint_eq(strlen(last_a03->disp), 2);
        if (!strcmp(c->kind, "inpatient")) ck_assert_str_eq(last_a03->disp, c->disp);
        ck_assert_int_eq(n_a13, row->a13);
        /* the attending: a rendering NPI of the person's professional line on the dates */
        if (admit->att[0]) {
            ck_assert_str_eq(admit->att_type, "NPI");
            int found = 0;
            for (int p = 0; p < w.n_p && !found; p++)
                found = !strcmp(w.p[p].mbi, c->mbi) && !strcmp(w.p[p].npi, admit->att) &&
                        strcmp(w.p[p].date, c->start) >= 0 && strcmp(w.p[p].date, c->end) <= 0;
            ck_assert_msg(found, "%s: attending %s is no professional line of the visit",
                          row->visit, admit->att);
        }
    }
    /* every ED visit and stay of the claims is in the manifest once */
    for (int i = 0; i < w.n_v; i++)
        ck_assert_msg(w.v[i].seen == 1, "claim %s (%s) is in the manifest %d times", w.v[i].id,
                      w.v[i].kind, w.v[i].seen);
    ck_assert_int_eq(backed, w.n_v);
    ck_assert_int_eq(backed, a.visits);
    ck_assert_int_eq(missing, a.missing);
    ck_assert_int_eq(cancelled, a.cancelled);
    /* the rates (8% missing, 5% late, 3% duplicated, 2% cancelled extra visits, 1% A13)
     * within what ~1600 visits and ~3300 messages give */
    ck_assert_int_gt(backed, 1000);
    ck_assert_int_ge(missing * 1000, backed * 50);
    ck_assert_int_le(missing * 1000, backed * 110);
    ck_assert_int_ge((int64_t)lates * 1000, (int64_t)n * 30);
    ck_assert_int_le((int64_t)lates * 1000, (int64_t)n * 75);
    ck_assert_int_ge((int64_t)dups * 1000, (int64_t)n * 15);
    ck_assert_int_le((int64_t)dups * 1000, (int64_t)n * 45);
    ck_assert_int_ge(cancelled * 1000, backed * 8);
    ck_assert_int_le(cancelled * 1000, backed * 35);
    ck_assert_int_ge(a13s, 1);
    ck_assert_int_le(a13s * 1000, backed * 30);
    /* unmatched people: ~2% of those with visits */
    int people = 0, unmatched = 0;
    for (int r = 0; r < n_rows; r++) {
        if (r > 0 && !strcmp(rows[r].mbi, rows[r - 1].mbi)) continue;
        people++;
        unmatched += rows[r].unmatched;
    }
    ck_assert_int_eq(unmatched, a.unmatched);
    ck_assert_int_ge(unmatched * 1000, people * 5);
    ck_assert_int_le(unmatched * 1000, people * 45);
    free(e);
    free(m);
    free(buf);
    free(rows);
    free(w.v);
    free(w.p);
}
END_TEST

/* ---- determinism ------------------------------------------------------------------------- */

static void digest(const char *sub, const char *file, char out[65])
{
    size_t len;
    char *buf = slurp(sub, file, &len);
    sha256_hex(buf, len, out);
    free(buf);
}

START_TEST(test_deterministic)
{
    generate("a", 300, 5);
    char before[65], after[65];
    digest("a", "medical_claim.csv", before);
    /* written again over the same files: they stay as they were */
    char path[160], err[256];
    synth_opts o = opts("a", path, sizeof path, 300, 5);
    synth_adt_counts c;
    ck_assert_msg(synth_adt_write(&o, &c, err, sizeof err) == 0, "%s", err);
    digest("a", "medical_claim.csv", after);
    ck_assert_str_eq(before, after);
    generate("b", 300, 5);
    generate("c", 300, 6);
    static const char *const files[] = {"adt.hl7", "adt_manifest.csv", "medical_claim.csv"};
    for (int i = 0; i < 3; i++) {
        char x[65], y[65], z[65];
        digest("a", files[i], x);
        digest("b", files[i], y);
        digest("c", files[i], z);
        ck_assert_msg(!strcmp(x, y), "%s differs for the same seed", files[i]);
        ck_assert_msg(strcmp(x, z), "%s is the same for another seed", files[i]);
    }
    char tmp[200];
    snprintf(tmp, sizeof tmp, "%s/a/adt.hl7.tmp", dir);
    ck_assert(!util_exists(tmp));
}
END_TEST

/* ---- the command line ---------------------------------------------------------------------- */

START_TEST(test_cli)
{
    ck_assert_int_eq(th_cara(dir, "", "synth --out d --beneficiaries 80 --seed 3", &out_buf,
                             &err_buf), 0);
    ck_assert_msg(strstr(out_buf, "d/adt.hl7: ") && strstr(out_buf, " messages for "), "%s",
                  out_buf);
    ck_assert_ptr_nonnull(strstr(out_buf, "d/adt_manifest.csv: "));
    char p[200];
    snprintf(p, sizeof p, "%s/d/adt.hl7", dir);
    ck_assert(util_exists(p));
    /* cara load DIR takes the input layer and leaves the ADT files alone */
    ck_assert_int_eq(th_cara(dir, "", "--db x.db load d", &out_buf, &err_buf), 0);
    ck_assert_ptr_null(strstr(out_buf, "adt"));
    ck_assert_ptr_null(strstr(err_buf, "adt"));
    ck_assert_ptr_nonnull(strstr(out_buf, "medical_claim.csv: loaded"));
}
END_TEST

Suite *suite_synth_adt(void)
{
    Suite *s = suite_create("synth_adt");
    TCase *tc = tcase_create("synth_adt");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_hand_fixture);
    tcase_add_test(tc, test_stream);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return s;
}
