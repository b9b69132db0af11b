/*
 * synthdata_adt.c: the ADT stream of the synthetic dataset (see synthdata_adt.h).
 *
 * Visits. For each beneficiary (eligibility.csv order, which is medical_claim.csv's),
 * the original version (adjustment_type_code 0) of each institutional claim that is
 *   - an ED visit: outpatient bill type 13x or 85x with a revenue line 0450-0459, gives
 *     ADT^A04 (PV1-2 E) at the arrival and ADT^A03 at the departure, both on the
 *     claim's dates (arrival 06:00-18:59, a stay of 1-5 hours); PV1-36 01 (home), 09
 *     (admitted here) or 02 (to another hospital) when a stay starts that day;
 *   - an inpatient stay: bill type 11x, gives ADT^A01 (PV1-2 I) at the admission
 *     (PV1-44 on admission_date) and ADT^A03 at the discharge (PV1-45 on
 *     discharge_date, PV1-36 = discharge_disposition_code; PID-29/30 when it is 20).
 * The admit messages carry the claim's diagnoses as DG1s (DG1-3 code^^I10 with the
 * ICD-10-CM dot, DG1-6 W, DG1-15 1 for the principal then 2, 3, ...), the A03 the same
 * with DG1-6 F. PV1-7, the attending: the rendering NPI of the person's professional
 * line of place of service 23 (ED) or 21 (stay) on the visit's first day, else of any
 * professional line on the visit's dates, else empty; named as in providers.csv (or by
 * a hash of the NPI for the hospital-based physicians it does not list).
 *
 * The stream's problems (fixed rates, draws of this file's own RNG):
 *   missing    8% of claim-backed visits are never sent;
 *   late       5% of messages are sent 2-96 hours after their event (MSH-7, EVN-2 and
 *              EVN-6 keep the event's time; the stream is in send order), the others
 *              0-120 seconds after it;
 *   duplicated 3% of messages are sent again (the same bytes, MSH-10 included) 1 minute
 *              to 24 hours after their first sending;
 *   cancelled  2% of claim-backed visits (sent or not) come with an extra visit of the
 *              same kind, person and hospital without any claim, registered 1-60 days
 *              before it (not before the data's first day; A04 or A01, no DG1) and
 *              cancelled by A11 15 minutes to 8 hours later;
 *   A13        1% of the sent visits have their discharge cancelled (A13, 10 minutes to
 *              3 hours after the A03) and the A03 sent again (new MSH-10) 5 minutes to
 *              2 hours after that;
 *   unmatched  2% of people carry no MC identifier in PID-3 (only the hospital's MRN).
 * adt_manifest.csv has a row per visit (claim-backed and cancelled extra ones) with
 * what happened to it, so tests can score a reader's precision and recall.
 */
#include "synthdata_adt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "synthdata_conv.h"
#include "synthdata_internal.h"

/* rates in parts per million */
#define ADT_MISSING_PPM 80000
#define ADT_LATE_PPM 50000
#define ADT_DUP_PPM 30000
#define ADT_FAKE_PPM 20000
#define ADT_A13_PPM 10000
#define ADT_UNMATCHED_PPM 20000

enum { AV_ED, AV_IP };

/* A visit read from one claim's original version. */
typedef struct av_claim {
    char id[41];
    int kind;                 /* AV_* */
    cara_date start, end;     /* ED: claim dates; stay: admission and discharge dates */
    char disp[3], fac[11];
    char dx[SC_DX][8];
    int n_dx;
    int er;                   /* a stay with an ER revenue line (admitted through the ED) */
    int claim_cancelled;      /* a later version of the claim cancels it */
} av_claim;

/* A professional line of the person (for the attending). */
typedef struct av_prof {
    cara_date d;
    char pos[3], npi[11], hcpcs[6];
} av_prof;

typedef struct av_name {
    char npi[11], given[24], family[24];
} av_name;

/* A message's place in the stream: sorted by send time, then by creation order. */
typedef struct av_msg {
    int64_t send;             /* seconds since 1970-01-01 */
    uint32_t seq;             /* creation order (ties) */
    uint32_t len;
    int64_t off;              /* in the temporary file */
} av_msg;

typedef struct adt_gen {
    const synth_opts *o;
    synth_adt_counts *c;
    synth_rng rng;
    FILE *tmp;                /* the messages as created */
    int64_t tmp_len;
    av_msg *msg;              /* owned */
    size_t n_msg, cap_msg;
    sy_out manifest;
    av_name *names;           /* owned, sorted by npi */
    size_t n_names;
    int64_t control_seq, visit_seq;
    cara_date first_day;      /* July 1 of the year before: the data's first day */
    /* the current person */
    char mbi[12], gender[8], birth[9], aco[8];
    int unmatched;
    av_claim *v;              /* owned */
    size_t n_v, cap_v;
    av_prof *p;               /* owned */
    size_t n_p, cap_p;
} adt_gen;

#define PPM(x) synth_rng_ppm(&g->rng, (x))
#define BELOW(n) ((int64_t)synth_rng_below(&g->rng, (uint64_t)(n)))

static const char *const GIVEN_F[] = {"MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH",
                                      "JENNIFER", "MARIA", "SUSAN", "MARGARET", "DOROTHY",
                                      "LISA", "NANCY", "KAREN", "BETTY", "HELEN", "SANDRA",
                                      "DONNA", "CAROL", "RUTH", "SHARON", "ROSA", "JOYCE"};
static const char *const GIVEN_M[] = {"JAMES", "JOHN", "ROBERT", "MICHAEL", "WILLIAM",
                                      "DAVID", "RICHARD", "CHARLES", "JOSEPH", "THOMAS",
                                      "JOSE", "DONALD", "GEORGE", "KENNETH", "STEVEN",
                                      "EDWARD", "BRIAN", "RONALD", "ANTHONY", "WEI", "RAJ"};
static const char *const FAMILY[] = {
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS",
    "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON",
    "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE",
    "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON", "WALKER", "YOUNG",
    "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES", "GREEN",
    "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "PATEL"};
static const char *const APPS[] = {"EPIC", "CERNER", "MEDITECH", "ALLSCRIPTS"};

/* ---- small helpers ------------------------------------------------------------------ */

/* An HL7 DTM YYYYMMDDHHMMSS of t (seconds since 1970-01-01) into out[15]. */
static void dtm(int64_t t, char out[15])
{
    cara_date d = (cara_date)(t / 86400);
    unsigned s = (unsigned)(t % 86400);
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    char buf[64];
    snprintf(buf, sizeof buf, "%04u%02u%02u%02u%02u%02u", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)dd % 100u, s / 3600 % 100u, s / 60 % 60, s % 60);
    memcpy(out, buf, 14);
    out[14] = '\0';
}

/* An ICD-10-CM code as written with its dot ("S72001A" -> "S72.001A"). */
static void icd_dot(const char *code, char out[10])
{
    size_t n = strlen(code);
    if (n <= 3 || n > 7) {
        snprintf(out, 10, "%s", code);
        return;
    }
    memcpy(out, code, 3);
    out[3] = '.';
    memcpy(out + 4, code + 3, n - 3);
    out[n + 1] = '\0';
}

/* Append s to b (at *n, capacity cap) with HL7's escapes for | ^ ~ \ &. */
static void put_esc(char *b, size_t *n, size_t cap, const char *s)
{
    for (; s && *s && *n + 4 < cap; s++) {
        const char *e = *s == '|' ? "\\F\\" : *s == '^' ? "\\S\\" : *s == '~' ? "\\R\\"
                        : *s == '\\' ? "\\E\\" : *s == '&' ? "\\T\\" : NULL;
        if (e) {
            memcpy(b + *n, e, 3);
            *n += 3;
        } else {
            b[(*n)++] = *s;
        }
    }
}

/* A segment: id, then fields 1..nf (already escaped / composed), trailing empty fields
 * left out, ended by "\r". */
static void put_seg(char *b, size_t *n, size_t cap, const char *id, const char *const *f,
                    int nf)
{
    while (nf > 0 && (!f[nf] || !f[nf][0])) nf--;
    size_t k = strlen(id);
    if (*n + k + 1 >= cap) return;
    memcpy(b + *n, id, k);
    *n += k;
    for (int i = 1; i <= nf; i++) {
        size_t l = f[i] ? strlen(f[i]) : 0;
        if (*n + l + 2 >= cap) return;
        b[(*n)++] = '|';
        if (l) memcpy(b + *n, f[i], l);
        *n += l;
    }
    b[(*n)++] = '\r';
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const av_name *)a)->npi, ((const av_name *)b)->npi);
}

static int cmp_msg(const void *a, const void *b)
{
    const av_msg *x = a, *y = b;
    if (x->send != y->send) return x->send < y->send ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* A physician's name: providers.csv's ("Mary Smith MD" -> MARY, SMITH), else one from a
 * hash of the NPI. */
static void doc_name(const adt_gen *g, const char *npi, const char **given, const char **family)
{
    av_name key;
    snprintf(key.npi, sizeof key.npi, "%s", npi);
    const av_name *n = g->n_names ? bsearch(&key, g->names, g->n_names, sizeof *g->names,
                                            cmp_name)
                                  : NULL;
    if (n) {
        *given = n->given;
        *family = n->family;
        return;
    }
    uint64_t h = sc_hash(npi, 17);
    *given = (h & 1) ? GIVEN_F[(h >> 8) % UTIL_ARRAY_LEN(GIVEN_F)]
                     : GIVEN_M[(h >> 8) % UTIL_ARRAY_LEN(GIVEN_M)];
    *family = FAMILY[(h >> 24) % UTIL_ARRAY_LEN(FAMILY)];
}

static void upper_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
    dst[n] = '\0';
}

static int load_names(adt_gen *g, char *err, size_t errlen)
{
    sc_file f;
    int rc = sc_open(&f, g->o->out_dir, "providers.csv", err, errlen);
    if (rc < 0) return rc;
    int cn = sc_col(&f, "npi"), cm = sc_col(&f, "name");
    size_t cap = 0;
    while ((rc = sc_next(&f, err, errlen)) == 1) {
        char npi[16], name[96];
        if (sc_get(&f, cn, npi, sizeof npi) < 0 || sc_get(&f, cm, name, sizeof name) < 0 ||
            strlen(npi) != 10)
            continue;
        if (g->n_names == cap) {
            cap = cap ? cap * 2 : 256;
            av_name *v = realloc(g->names, cap * sizeof *v);
            if (!v) {
                rc = -ENOMEM;
                snprintf(err, errlen, "out of memory");
                break;
            }
            g->names = v;
        }
        av_name *n = &g->names[g->n_names++];
        memcpy(n->npi, npi, 11);
        const char *sp = strchr(name, ' ');
        const char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
        upper_copy(n->given, sizeof n->given, name, sp ? (size_t)(sp - name) : strlen(name));
        if (sp)
            upper_copy(n->family, sizeof n->family, sp + 1,
                       sp2 ? (size_t)(sp2 - sp - 1) : strlen(sp + 1));
        else
            n->family[0] = '\0';
    }
    sc_close(&f);
    if (rc < 0) return rc;
    if (g->n_names) qsort(g->names, g->n_names, sizeof *g->names, cmp_name);
    return 0;
}

/* ---- messages ----------------------------------------------------------------------- */

/* Queue bytes b[0..n) to be sent at `send`. */
static int queue(adt_gen *g, const char *b, size_t n, int64_t send)
{
    if (g->n_msg == g->cap_msg) {
        size_t cap = g->cap_msg ? g->cap_msg * 2 : 4096;
        av_msg *v = realloc(g->msg, cap * sizeof *v);
        if (!v) return -ENOMEM;
        g->msg = v;
        g->cap_msg = cap;
    }
    g->msg[g->n_msg] = (av_msg){send, (uint32_t)g->n_msg, (uint32_t)n, g->tmp_len};
    g->n_msg++;
    if (fwrite(b, 1, n, g->tmp) != n) return -EIO;
    g->tmp_len += (int64_t)n;
    g->c->messages++;
    return 0;
}

/* What one message says about its visit. */
typedef struct av_visit {
    const av_claim *claim;    /* NULL for a cancelled extra visit */
    int kind;
    char number[24];
    const char *fac;
    const char *attending;    /* NPI or NULL */
    int64_t admit, discharge; /* seconds; discharge < 0 while there is none */
    const char *disp;         /* PV1-36 of the A03 */
    int late, dup;            /* counts, for the manifest */
} av_visit;

/* Build one message of visit v (event "A01" ... "A13" at time t) and queue it (with its
 * lateness and duplicate drawn here). with_dis: PV1-36/45 filled (A03). dx_type: "W",
 * "F", or NULL for no DG1. */
static int message(adt_gen *g, av_visit *v, const char *event, int64_t t, int with_dis,
                   const char *dx_type)
{
    char b[8192];
    size_t n = 0;
    char ts[15], ctrl[24], type[24], adm[15], dis[15] = "";
    dtm(t, ts);
    dtm(v->admit, adm);
    if (with_dis) dtm(v->discharge, dis);
    snprintf(ctrl, sizeof ctrl, "M%011lld", (long long)++g->control_seq);
    const char *structure = !strcmp(event, "A03") ? "ADT_A03"
                            : !strcmp(event, "A11") ? "ADT_A09"
                                                    : "ADT_A01";
    snprintf(type, sizeof type, "ADT^%s^%s", event, structure);
    uint64_t h = sc_hash(v->fac, 3);
    /* MSH: MSH-1 is the field separator, MSH-2 the encoding characters */
    const char *msh[13] = {NULL, NULL, NULL, APPS[h % UTIL_ARRAY_LEN(APPS)], v->fac, "CARA",
                           g->aco[0] ? g->aco : "CARA", ts, "", type, ctrl, "P", "2.5.1"};
    memcpy(b, "MSH|^~\\&", 8);
    n = 8;
    for (int i = 3; i <= 12; i++) {
        size_t l = strlen(msh[i]);
        b[n++] = '|';
        memcpy(b + n, msh[i], l);
        n += l;
    }
    b[n++] = '\r';
    const char *evn[7] = {NULL, event, ts, "", "", "", ts};
    put_seg(b, &n, sizeof b, "EVN", evn, 6);
    /* PID */
    char mrn[40], pid3[96], name[64];
    snprintf(mrn, sizeof mrn, "%08llu", (unsigned long long)(sc_hash(g->mbi, h) % 100000000u));
    if (g->unmatched)
        snprintf(pid3, sizeof pid3, "%s^^^%s^MR", mrn, v->fac);
    else
        snprintf(pid3, sizeof pid3, "%s^^^%s^MR~%s^^^CMS^MC", mrn, v->fac, g->mbi);
    uint64_t ph = sc_hash(g->mbi, 29);
    int female = g->gender[0] == 'f';
    snprintf(name, sizeof name, "%s^%s", FAMILY[ph % UTIL_ARRAY_LEN(FAMILY)],
             female ? GIVEN_F[(ph >> 20) % UTIL_ARRAY_LEN(GIVEN_F)]
                    : GIVEN_M[(ph >> 20) % UTIL_ARRAY_LEN(GIVEN_M)]);
    int died = with_dis && v->disp && !strcmp(v->disp, "20");
    const char *pid[31] = {NULL};
    pid[1] = "1";
    pid[3] = pid3;
    pid[5] = name;
    pid[7] = g->birth;
    pid[8] = female ? "F" : g->gender[0] == 'm' ? "M" : "U";
    pid[29] = died ? dis : NULL;
    pid[30] = died ? "Y" : NULL;
    put_seg(b, &n, sizeof b, "PID", pid, 30);
    /* PV1 */
    char loc[40], att[160] = "", visit[48];
    int ed = v->kind == AV_ED;
    if (ed)
        snprintf(loc, sizeof loc, "ED^^^%s", v->fac);
    else
        snprintf(loc, sizeof loc, "MED^%03d^A^%s", (int)(sc_hash(v->number, 5) % 500 + 100),
                 v->fac);
    if (v->attending && v->attending[0]) {
        const char *gn, *fn;
        doc_name(g, v->attending, &gn, &fn);
        size_t an = 0;
        put_esc(att, &an, sizeof att, v->attending);
        att[an++] = '^';
        put_esc(att, &an, sizeof att, fn);
        att[an++] = '^';
        put_esc(att, &an, sizeof att, gn);
        an += (size_t)snprintf(att + an, sizeof att - an, "^^^^^^NPI^^^^NPI");
    }
    snprintf(visit, sizeof visit, "%s^^^%s^VN", v->number, v->fac);
    const char *pv1[46] = {NULL};
    pv1[1] = "1";
    pv1[2] = ed ? "E" : "I";
    pv1[3] = loc;
    pv1[4] = ed || (v->claim && v->claim->er) ? "E" : "C";
    pv1[7] = att;
    pv1[10] = ed ? NULL : "MED";
    pv1[14] = ed || (v->claim && v->claim->er) ? "7" : "1";
    pv1[19] = visit;
    pv1[36] = with_dis ? v->disp : NULL;
    pv1[44] = adm;
    pv1[45] = with_dis ? dis : NULL;
    put_seg(b, &n, sizeof b, "PV1", pv1, 45);
    /* DG1 */
    for (int k = 0; dx_type && v->claim && k < v->claim->n_dx; k++) {
        char set[12], code[40], prio[12], dot[10];
        snprintf(set, sizeof set, "%d", k + 1);
        icd_dot(v->claim->dx[k], dot);
        snprintf(code, sizeof code, "%s^^I10", dot);
        snprintf(prio, sizeof prio, "%d", k + 1);
        const char *dg1[16] = {NULL};
        dg1[1] = set;
        dg1[3] = code;
        dg1[5] = ts;
        dg1[6] = dx_type;
        dg1[15] = prio;
        put_seg(b, &n, sizeof b, "DG1", dg1, 15);
    }
    /* when it is sent: late or not; and perhaps once more */
    int64_t send = t + BELOW(121);
    if (PPM(ADT_LATE_PPM)) {
        send = t + 2 * 3600 + BELOW(94 * 3600);
        v->late++;
        g->c->late++;
    }
    int dup = PPM(ADT_DUP_PPM);
    int64_t again = send + 60 + BELOW(24 * 3600 - 60);
    b[n++] = '\n'; /* between messages: what `mllp_send --loose` splits on is MSH */
    int rc = queue(g, b, n, send);
    if (rc == 0 && dup) {
        v->dup++;
        g->c->duplicated++;
        rc = queue(g, b, n, again);
    }
    return rc;
}

static void manifest_row(adt_gen *g, const av_visit *v, const char *fate, int a13)
{
    sy_out *o = &g->manifest;
    char d[11];
    synth__puts(o, v->number);
    synth__putc(o, ',');
    synth__puts(o, g->mbi);
    synth__putc(o, ',');
    if (v->claim) synth__puts(o, v->claim->id);
    synth__puts(o, v->kind == AV_ED ? ",ed," : ",inpatient,");
    synth__puts(o, v->fac);
    synth__putc(o, ',');
    date_format((cara_date)(v->admit / 86400), d);
    synth__puts(o, d);
    synth__putc(o, ',');
    if (v->discharge >= 0) {
        date_format((cara_date)(v->discharge / 86400), d);
        synth__puts(o, d);
    }
    synth__putc(o, ',');
    synth__puts(o, v->disp ? v->disp : "");
    synth__putc(o, ',');
    synth__puts(o, fate);
    char tail[64];
    snprintf(tail, sizeof tail, ",%d,%d,%d,%d,%d\n", v->late, v->dup, a13, g->unmatched,
             v->claim ? v->claim->claim_cancelled : 0);
    synth__puts(o, tail);
}

/* The attending of claim c: see the file comment. */
static const char *attending(const adt_gen *g, const av_claim *c)
{
    const char *want = c->kind == AV_ED ? "23" : "21";
    for (size_t i = 0; i < g->n_p; i++)
        if (g->p[i].d == c->start && !strcmp(g->p[i].pos, want) && g->p[i].npi[0])
            return g->p[i].npi;
    for (size_t i = 0; i < g->n_p; i++)
        if (g->p[i].d >= c->start && g->p[i].d <= c->end && g->p[i].npi[0]) return g->p[i].npi;
    return NULL;
}

/* The messages and manifest rows of the current person's visits. */
static int person_visits(adt_gen *g)
{
    for (size_t i = 0; i < g->n_v; i++) {
        const av_claim *c = &g->v[i];
        av_visit v = {.claim = c, .kind = c->kind, .fac = c->fac, .attending = attending(g, c)};
        snprintf(v.number, sizeof v.number, "V%010lld", (long long)++g->visit_seq);
        int64_t day0 = (int64_t)c->start * 86400, day1 = (int64_t)c->end * 86400;
        if (c->kind == AV_ED) {
            v.admit = day0 + 6 * 3600 + BELOW(13 * 3600); /* to 23:59:59 at most */
            v.discharge = c->end > c->start ? day1 + BELOW(10 * 3600)
                                            : v.admit + 3600 + BELOW(4 * 3600);
            v.disp = "01";
            for (size_t j = 0; j < g->n_v; j++) /* admitted that day */
                if (g->v[j].kind == AV_IP && g->v[j].start == c->start)
                    v.disp = strcmp(g->v[j].fac, c->fac) ? "02" : "09";
            g->c->ed++;
        } else {
            int64_t a = c->end > c->start ? BELOW(24 * 3600) : BELOW(12 * 3600);
            v.admit = day0 + a;
            int64_t lo = 9 * 3600;
            if (c->end == c->start && a + 3600 > lo) lo = a + 3600;
            v.discharge = day1 + lo + BELOW(6 * 3600);
            v.disp = c->disp[0] ? c->disp : "01";
            g->c->inpatient++;
        }
        g->c->visits++;
        int missing = PPM(ADT_MISSING_PPM), fake = PPM(ADT_FAKE_PPM);
        int a13 = !missing && PPM(ADT_A13_PPM);
        const char *admit_ev = c->kind == AV_ED ? "A04" : "A01";
        int rc = 0;
        if (!missing) {
            rc = message(g, &v, admit_ev, v.admit, 0, "W");
            if (rc == 0) rc = message(g, &v, "A03", v.discharge, 1, "F");
            if (rc == 0 && a13) {
                int64_t t13 = v.discharge + 600 + BELOW(170 * 60);
                rc = message(g, &v, "A13", t13, 0, "W");
                if (rc == 0) rc = message(g, &v, "A03", t13 + 300 + BELOW(115 * 60), 1, "F");
                g->c->discharge_cancels++;
            }
        } else {
            g->c->missing++;
        }
        if (rc < 0) return rc;
        manifest_row(g, &v, missing ? "missing" : "sent", a13);
        if (!fake) continue;
        /* a registration in error: no claim, cancelled by A11 */
        av_visit f = {.claim = NULL, .kind = c->kind, .fac = c->fac, .discharge = -1};
        snprintf(f.number, sizeof f.number, "V%010lld", (long long)++g->visit_seq);
        cara_date fd = c->start - 1 - (cara_date)BELOW(60);
        if (fd < g->first_day) fd = g->first_day; /* not before the data */
        f.admit = (int64_t)fd * 86400 + 8 * 3600 + BELOW(12 * 3600);
        rc = message(g, &f, admit_ev, f.admit, 0, NULL);
        if (rc == 0) rc = message(g, &f, "A11", f.admit + 900 + BELOW(465 * 60), 0, NULL);
        if (rc < 0) return rc;
        g->c->cancelled++;
        manifest_row(g, &f, "cancelled", 0);
    }
    return 0;
}

/* ---- reading the claims ------------------------------------------------------------- */

static int date_of(const char *s, cara_date *d)
{
    return s[0] && date_parse(s, strlen(s), d) == 0 ? 0 : -1;
}

/* Keep what the person's visits need of claim version c. */
static int take_claim(adt_gen *g, const sc_claim *c)
{
    if (c->adj == 1) { /* a cancellation: of a claim already kept? */
        for (size_t i = 0; i < g->n_v; i++)
            if (!strcmp(g->v[i].id, c->id)) g->v[i].claim_cancelled = 1;
        return 0;
    }
    if (c->version != 0) return 0;
    if (c->type == SC_PROFESSIONAL) {
        for (int i = 0; i < c->n_lines; i++) {
            cara_date d;
            if (date_of(c->line[i].from, &d) < 0) continue;
            if (g->n_p == g->cap_p) {
                size_t cap = g->cap_p ? g->cap_p * 2 : 64;
                av_prof *v = realloc(g->p, cap * sizeof *v);
                if (!v) return -ENOMEM;
                g->p = v;
                g->cap_p = cap;
            }
            av_prof *p = &g->p[g->n_p++];
            p->d = d;
            memcpy(p->pos, c->line[i].pos, sizeof p->pos);
            memcpy(p->npi, c->line[i].rend_npi, sizeof p->npi);
            memcpy(p->hcpcs, c->line[i].hcpcs, sizeof p->hcpcs);
        }
        return 0;
    }
    if (c->type != SC_INSTITUTIONAL) return 0;
    int ip = c->bill[0] == '1' && c->bill[1] == '1';
    int outpatient = (c->bill[0] == '1' && c->bill[1] == '3') ||
                     (c->bill[0] == '8' && c->bill[1] == '5');
    int er = 0;
    for (int i = 0; i < c->n_lines; i++)
        er |= !strncmp(c->line[i].rev, "045", 3) && c->line[i].rev[3] != '\0';
    if (!ip && !(outpatient && er)) return 0;
    av_claim a;
    memset(&a, 0, sizeof a);
    memcpy(a.id, c->id, sizeof a.id);
    a.kind = ip ? AV_IP : AV_ED;
    if (date_of(c->from, &a.start) < 0 || date_of(c->thru, &a.end) < 0) return 0;
    if (ip) {
        cara_date d;
        if (date_of(c->adm, &d) == 0) a.start = d;
        if (date_of(c->dis, &d) == 0) a.end = d;
        if (a.end < a.start) a.end = a.start;
    }
    memcpy(a.disp, c->disp, sizeof a.disp);
    memcpy(a.fac, c->fac_npi[0] ? c->fac_npi : c->line[0].bill_npi, sizeof a.fac);
    a.n_dx = c->n_dx;
    memcpy(a.dx, c->dx, sizeof a.dx);
    a.er = ip && er;
    if (g->n_v == g->cap_v) {
        size_t cap = g->cap_v ? g->cap_v * 2 : 16;
        av_claim *v = realloc(g->v, cap * sizeof *v);
        if (!v) return -ENOMEM;
        g->v = v;
        g->cap_v = cap;
    }
    g->v[g->n_v++] = a;
    return 0;
}

/* Stream the people and their claims; queue every message. */
static int read_all(adt_gen *g, char *err, size_t errlen)
{
    sc_people pr;
    sc_claims cr;
    sc_file al;
    int rc = sc_people_open(&pr, g->o->out_dir, err, errlen);
    if (rc < 0) return rc;
    rc = sc_claims_open(&cr, g->o->out_dir, err, errlen);
    if (rc < 0) {
        sc_people_close(&pr);
        return rc;
    }
    rc = sc_open(&al, g->o->out_dir, "alignment.csv", err, errlen);
    if (rc < 0) {
        sc_claims_close(&cr);
        sc_people_close(&pr);
        return rc;
    }
    int al_mbi = sc_col(&al, "person_id"), al_aco = sc_col(&al, "aco_id");
    int have_al = sc_next(&al, err, errlen);
    sc_person p;
    sc_claim c;
    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    int have_c = sc_claims_next(&cr, &c, err, errlen);
    rc = have_c < 0 ? have_c : have_al < 0 ? have_al : 0;
    while (rc == 0) {
        int r = sc_people_next(&pr, &p, err, errlen);
        if (r <= 0) {
            rc = r;
            break;
        }
        snprintf(g->mbi, sizeof g->mbi, "%s", p.mbi);
        snprintf(g->gender, sizeof g->gender, "%s", p.gender);
        g->birth[0] = '\0';
        if (strlen(p.birth) == 10)
            snprintf(g->birth, sizeof g->birth, "%.4s%.2s%.2s", p.birth, p.birth + 5,
                     p.birth + 8);
        g->unmatched = PPM(ADT_UNMATCHED_PPM);
        g->aco[0] = '\0';
        while (have_al == 1) { /* alignment.csv: the aligned people, in the same order */
            char mbi[16];
            if (sc_get(&al, al_mbi, mbi, sizeof mbi) < 0 || strcmp(mbi, g->mbi)) break;
            if (sc_get(&al, al_aco, g->aco, sizeof g->aco) < 0) g->aco[0] = '\0';
            have_al = sc_next(&al, err, errlen);
        }
        if (have_al < 0) {
            rc = have_al;
            break;
        }
        g->n_v = g->n_p = 0;
        while (rc == 0 && have_c == 1 && !strcmp(c.mbi, g->mbi)) {
            if (take_claim(g, &c) < 0) {
                rc = -ENOMEM;
                snprintf(err, errlen, "out of memory");
                break;
            }
            have_c = sc_claims_next(&cr, &c, err, errlen);
            if (have_c < 0) rc = have_c;
        }
        if (rc == 0 && g->n_v > 0) {
            if (g->unmatched) g->c->unmatched++;
            rc = person_visits(g);
            if (rc < 0) snprintf(err, errlen, "%s/adt.hl7.tmp: write error", g->o->out_dir);
        }
    }
    if (rc == 0 && have_c == 1) {
        snprintf(err, errlen, "%s/medical_claim.csv: claim %s of person %s is not in "
                              "eligibility.csv's order of people (expected the files as "
                              "cara synth writes them)", g->o->out_dir, c.id, c.mbi);
        rc = -EINVAL;
    }
    sc_claim_free(&c);
    sc_person_free(&p);
    sc_close(&al);
    sc_claims_close(&cr);
    sc_people_close(&pr);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------ */

/* The queued messages, sorted by send time, from the temporary file into adt.hl7. */
static int write_stream(adt_gen *g, const char *tmp_path, char *err, size_t errlen)
{
    const char *buf = NULL;
    size_t len = 0;
    int rc = util_map_file(tmp_path, &buf, &len, err, errlen);
    if (rc < 0) return rc;
    if (g->n_msg) qsort(g->msg, g->n_msg, sizeof *g->msg, cmp_msg);
    sy_out o;
    if (synth__out_open(&o, g->o->out_dir, "adt.hl7", err, errlen) < 0) {
        util_unmap(buf, len);
        return -EIO;
    }
    for (size_t i = 0; i < g->n_msg; i++)
        if ((size_t)g->msg[i].off + g->msg[i].len <= len)
            synth__put(&o, buf + g->msg[i].off, g->msg[i].len);
    util_unmap(buf, len);
    if (synth__out_close(&o) < 0) {
        snprintf(err, errlen, "%s/adt.hl7: write error", g->o->out_dir);
        return -EIO;
    }
    return 0;
}

int synth_adt_write(const synth_opts *o, synth_adt_counts *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    adt_gen g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.c = c;
    g.first_day = date_from_ymd(o->year - 1, 7, 1);
    /* its own stream, so that medical_claim.csv's draws are untouched */
    synth_rng_seed(&g.rng, o->seed ^ 0x4144545f484c3756ull); /* "ADT_HL7V" */
    char *tmp_path = util_path_join(o->out_dir, "adt.hl7.tmp");
    if (!tmp_path) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = load_names(&g, err, errlen);
    if (rc == 0) {
        g.tmp = fopen(tmp_path, "wb");
        if (!g.tmp) {
            rc = -(errno ? errno : EIO);
            snprintf(err, errlen, "%s: cannot write: %s", tmp_path, strerror(-rc));
        }
    }
    if (rc == 0 && synth__out_open(&g.manifest, o->out_dir, "adt_manifest.csv", err, errlen) < 0)
        rc = -EIO;
    if (rc == 0) {
        synth__puts(&g.manifest, "visit_number,person_id,claim_id,kind,facility_npi,admit_date,"
                                 "discharge_date,discharge_disposition,fate,late_messages,"
                                 "duplicated_messages,discharge_cancelled,unmatched,"
                                 "claim_cancelled\n");
        rc = read_all(&g, err, errlen);
    }
    if (g.tmp) {
        int bad = ferror(g.tmp);
        if (fclose(g.tmp) != 0 || bad) {
            if (rc == 0) snprintf(err, errlen, "%s: write error", tmp_path);
            if (rc == 0) rc = -EIO;
        }
        g.tmp = NULL;
    }
    if (rc == 0) rc = write_stream(&g, tmp_path, err, errlen);
    if (synth__out_close(&g.manifest) < 0 && rc == 0) {
        snprintf(err, errlen, "%s/adt_manifest.csv: write error", o->out_dir);
        rc = -EIO;
    }
    unlink(tmp_path);
    free(tmp_path);
    free(g.msg);
    free(g.names);
    free(g.v);
    free(g.p);
    return rc;
}
