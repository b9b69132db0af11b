/*
 * adt.c: see adt.h. The fields read, and the ACK each problem earns, are listed in
 * docs/adt.md.
 */
#include "adt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

/* ---- DTM --------------------------------------------------------------------------- */

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

int adt_dtm(const char *s, size_t len, int need_day, char out[20])
{
    out[0] = '\0';
    if (!s) return -1;
    /* the part before the fraction and the time zone */
    size_t n = 0;
    while (n < len && s[n] >= '0' && s[n] <= '9') n++;
    if (n != 4 && n != 6 && n != 8 && n != 10 && n != 12 && n != 14) return -1;
    if (need_day && n < 8) return -1;
    size_t i = n;
    if (i < len && s[i] == '.') { /* fraction of a second: only after the seconds */
        if (n != 14) return -1;
        size_t f = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == f || i - f > 4) return -1;
    }
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        if (len - i != 5) return -1;
        int zh = digits(s + i + 1, 2), zm = digits(s + i + 3, 2);
        if (zh < 0 || zm < 0 || zh > 23 || zm > 59) return -1;
        i = len;
    }
    if (i != len) return -1;
    int y = digits(s, 4), mo = n >= 6 ? digits(s + 4, 2) : 1, d = n >= 8 ? digits(s + 6, 2) : 1;
    int h = n >= 10 ? digits(s + 8, 2) : 0, mi = n >= 12 ? digits(s + 10, 2) : 0;
    int se = n >= 14 ? digits(s + 12, 2) : 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || h > 23 || mi > 59 || se > 59)
        return -1;
    /* "YYYY-MM-DDTHH:MM:SS": the digits copied, the missing parts filled */
    memcpy(out, "0000-01-01T00:00:00", 20);
    static const size_t at[6] = {0, 5, 8, 11, 14, 17}; /* where YYYY MM DD HH MM SS go */
    memcpy(out, s, 4);
    for (size_t k = 4, part = 1; k < n; k += 2, part++) memcpy(out + at[part], s + k, 2);
    return 0;
}

/* ---- reading fields ---------------------------------------------------------------- */

typedef struct rd {
    const hl7_msg *m;
    adt_event *ev;
    hl7_error *e;
} rd;

static int fail(rd *r, const char *code, const hl7_segment *s, const char *seg, int field, int rep,
                int comp, const char *fmt, ...)
{
    hl7_error *e = r->e;
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->segment, sizeof e->segment, "%s", s ? s->id : seg);
    e->seg_index = 0; /* ERR-2.2: the occurrence of this segment id (1 = the first PV1) */
    for (size_t i = 0; s && i < r->m->n_seg && &r->m->seg[i] <= s; i++)
        if (!strcmp(r->m->seg[i].id, s->id)) e->seg_index++;
    e->field = field;
    e->rep = rep;
    e->comp = comp;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return code[0] == '2' ? ADT_REJECT : ADT_ERROR;
}

/* A value quoted into an error message: printable, at most 40 bytes. */
static const char *quote(const char *v, char buf[48])
{
    size_t n = 0;
    for (; n < 40 && v[n]; n++) buf[n] = ((unsigned char)v[n] >= 0x20 && (unsigned char)v[n] < 0x7f) ? v[n] : '?';
    if (v[n]) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* The text of seg-field[.comp] (rep 1 unless rep) into out: 1 present, 0 absent, or
 * ADT_ERROR (102) when malformed or longer than outlen - 1. */
static int text(rd *r, const hl7_segment *s, int field, int rep, int comp, const char *name,
                char *out, size_t outlen)
{
    int rc = hl7_field_text(r->m, s, field, rep ? rep : 1, comp, out, outlen);
    if (rc >= 0) return rc;
    char loc[32];
    if (comp) snprintf(loc, sizeof loc, "%s-%d.%d", s->id, field, comp);
    else snprintf(loc, sizeof loc, "%s-%d", s->id, field);
    hl7_span raw;
    char q[48], tmp[64];
    hl7_get(r->m, s, field, rep ? rep : 1, comp, 0, &raw);
    size_t n = raw.len < sizeof tmp - 1 ? raw.len : sizeof tmp - 1;
    memcpy(tmp, raw.p, n);
    tmp[n] = '\0';
    return fail(r, "102", s, NULL, field, rep ? rep : 1, comp,
                "%s (%s) \"%s\" has a malformed escape or is longer than %zu characters", loc, name,
                quote(tmp, q), outlen - 1);
}

/* A date-time field (its first component: TS.1 before 2.6, DTM after) as ISO. */
static int dtm(rd *r, const hl7_segment *s, int field, const char *name, int need_day, char *out)
{
    char v[64];
    out[0] = '\0';
    if (!s) return 0;
    int rc = text(r, s, field, 1, 1, name, v, sizeof v);
    if (rc <= 0) return rc;
    char iso[20], q[48];
    if (adt_dtm(v, strlen(v), need_day, iso) != 0)
        return fail(r, "102", s, NULL, field, 1, 0,
                    "%s-%d (%s) \"%s\" is not an HL7 date-time (expected %s)", s->id, field, name,
                    quote(v, q),
                    need_day ? "YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ]" : "YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]");
    memcpy(out, iso, 20);
    return 1;
}

/* A diagnosis code: upper case, dots removed. -1 when it does not fit. */
static int icd(const char *v, char *out, size_t outlen)
{
    size_t n = 0;
    for (; *v; v++) {
        if (*v == '.') continue;
        if (n + 1 >= outlen) return -1;
        out[n++] = (char)toupper((unsigned char)*v);
    }
    out[n] = '\0';
    return 0;
}

/* An identifier as an MBI: dashes (a printed MBI's) removed, upper case; 0 when it is
 * one, else the ids.h code. */
static int as_mbi(const char *v, char out[16])
{
    size_t n = 0;
    for (; *v; v++) {
        if (*v == '-') continue;
        if (n >= 15) return ID_BAD_LENGTH;
        out[n++] = (char)toupper((unsigned char)*v);
    }
    out[n] = '\0';
    return mbi_check(out, n, NULL);
}

static int is_event(const char *ev)
{
    static const char *const ok[] = {"A01", "A02", "A03", "A04", "A06", "A08", "A11", "A13", "A40"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(ev, ok[i]) == 0) return 1;
    return 0;
}

static int is_version(const char *v)
{
    static const char *const ok[] = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6",
                                     "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(v, ok[i]) == 0) return 1;
    return 0;
}

/* ---- the segments ------------------------------------------------------------------- */

static int read_msh(rd *r, const hl7_segment *msh)
{
    adt_event *ev = r->ev;
    char v[64], q[48];
    int rc;
    if ((rc = text(r, msh, 9, 1, 1, "message type", v, sizeof v)) < 0) return rc;
    if (rc == 0) return fail(r, "101", msh, NULL, 9, 0, 0, "MSH-9 (message type) is required");
    if (strcmp(v, "ADT") != 0)
        return fail(r, "200", msh, NULL, 9, 1, 1,
                    "MSH-9.1 (message type) \"%s\" is not supported (expected ADT)", quote(v, q));
    memcpy(ev->msg_type, "ADT", 4);
    if ((rc = text(r, msh, 9, 1, 2, "trigger event", v, sizeof v)) < 0) return rc;
    if (rc == 0) {
        const hl7_segment *evn = hl7_segment_get(r->m, "EVN", 1);
        if (evn && (rc = text(r, evn, 1, 1, 1, "event type code", v, sizeof v)) < 0) return rc;
        if (rc == 0)
            return fail(r, "101", msh, NULL, 9, 1, 2,
                        "MSH-9.2 (trigger event) is required (and EVN-1 is empty too)");
    }
    if (!is_event(v))
        return fail(r, "201", msh, NULL, 9, 1, 2,
                    "MSH-9.2 (trigger event) \"%s\" is not supported (expected one of A01 A02 A03 "
                    "A04 A06 A08 A11 A13 A40)",
                    quote(v, q));
    memcpy(ev->event, v, 4);
    if ((rc = text(r, msh, 12, 1, 1, "version id", v, sizeof v)) < 0) return rc;
    if (rc == 0) return fail(r, "101", msh, NULL, 12, 0, 0, "MSH-12 (version id) is required");
    if (!is_version(v))
        return fail(r, "203", msh, NULL, 12, 1, 1,
                    "MSH-12 (version id) \"%s\" is not supported (expected 2.3, 2.3.1, 2.4, 2.5, "
                    "2.5.1, 2.6, 2.7, 2.7.1, 2.8, 2.8.1 or 2.8.2)",
                    quote(v, q));
    memcpy(ev->version, v, strlen(v) + 1); /* at most "2.8.2" */
    if ((rc = text(r, msh, 11, 1, 1, "processing id", v, sizeof v)) < 0) return rc;
    if (rc == 0) return fail(r, "101", msh, NULL, 11, 0, 0, "MSH-11 (processing id) is required");
    if (strcmp(v, "P") != 0 && strcmp(v, "T") != 0 && strcmp(v, "D") != 0)
        return fail(r, "202", msh, NULL, 11, 1, 1,
                    "MSH-11 (processing id) \"%s\" is not supported (expected P, T or D)", quote(v, q));
    memcpy(ev->processing_id, v, 2);
    if ((rc = text(r, msh, 10, 1, 0, "message control id", ev->control_id, sizeof ev->control_id)) < 0)
        return rc;
    if (rc == 0) return fail(r, "101", msh, NULL, 10, 0, 0, "MSH-10 (message control id) is required");
    if ((rc = text(r, msh, 3, 1, 1, "sending application", ev->sending_app, sizeof ev->sending_app)) < 0)
        return rc;
    if ((rc = text(r, msh, 4, 1, 1, "sending facility", ev->sending_facility,
                   sizeof ev->sending_facility)) < 0)
        return rc;
    if ((rc = dtm(r, msh, 7, "date/time of message", 1, ev->message_time)) < 0) return rc;
    return 0;
}

/* The MBI among the repetitions of a CX field (PID-3, MRG-1): the first of identifier
 * type MC that is well formed; why says what was wrong when there is none. */
static int find_mbi(rd *r, const hl7_segment *s, int field, char mbi[16], char *why, size_t whylen)
{
    size_t reps = hl7_repetitions(r->m, s, field);
    int seen = 0;
    mbi[0] = '\0';
    for (size_t i = 1; i <= reps; i++) {
        char type[16], id[64], q[48], cand[16];
        int rc = hl7_field_text(r->m, s, field, (int)i, 5, type, sizeof type);
        if (rc <= 0 || strcmp(type, "MC") != 0) continue;
        if ((rc = text(r, s, field, (int)i, 1, "identifier", id, sizeof id)) < 0) return rc;
        if (rc == 0) continue;
        int ck = as_mbi(id, cand);
        if (ck == ID_OK) {
            memcpy(mbi, cand, 16);
            why[0] = '\0';
            return 0;
        }
        if (!seen)
            snprintf(why, whylen, "%s-%d MC identifier %s is not an MBI: %s", s->id, field,
                     quote(id, q), ids_explain("mbi", ck));
        seen = 1;
    }
    if (!seen) snprintf(why, whylen, "no %s-%d identifier of type MC", s->id, field);
    return 0;
}

static int read_pid(rd *r)
{
    adt_event *ev = r->ev;
    const hl7_segment *pid = hl7_segment_get(r->m, "PID", 1);
    if (!pid) return fail(r, "100", NULL, "PID", 0, 0, 0, "the PID segment is required");
    int rc;
    if ((rc = text(r, pid, 3, 1, 1, "patient identifier", ev->mrn, sizeof ev->mrn)) < 0) return rc;
    if (rc == 0)
        return fail(r, "101", pid, NULL, 3, 0, 0, "PID-3 (patient identifier list) is required");
    if ((rc = find_mbi(r, pid, 3, ev->mbi, ev->mbi_problem, sizeof ev->mbi_problem)) < 0) return rc;
    char d[20];
    if ((rc = dtm(r, pid, 7, "date/time of birth", 1, d)) < 0) return rc;
    if (rc) snprintf(ev->birth_date, sizeof ev->birth_date, "%.10s", d);
    char sex[16], q[48];
    if ((rc = text(r, pid, 8, 1, 1, "administrative sex", sex, sizeof sex)) < 0) return rc;
    if (rc && strlen(sex) != 1)
        return fail(r, "103", pid, NULL, 8, 1, 1,
                    "PID-8 (administrative sex) \"%s\" is not a code of HL7 table 0001 (expected one "
                    "character: F, M, O, U, A, N or X)",
                    quote(sex, q));
    if (rc) memcpy(ev->sex, sex, 2);
    if ((rc = dtm(r, pid, 29, "patient death date and time", 1, ev->death_time)) < 0) return rc;
    return 0;
}

/* The attending's NPI: the first PV1-7 repetition typed NPI (XCN-13) whose id is one,
 * else the first whose id passes the NPI check. */
static int read_attending(rd *r, const hl7_segment *pv1)
{
    size_t reps = hl7_repetitions(r->m, pv1, 7);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 1; i <= reps; i++) {
            char id[64], type[16];
            if (pass == 0 && (hl7_field_text(r->m, pv1, 7, (int)i, 13, type, sizeof type) <= 0 ||
                              strcmp(type, "NPI") != 0))
                continue;
            if (hl7_field_text(r->m, pv1, 7, (int)i, 1, id, sizeof id) <= 0) continue;
            if (npi_check(id, strlen(id)) == ID_OK) {
                memcpy(r->ev->attending_npi, id, 11);
                return 0;
            }
        }
    return 0;
}

static int read_pv1(rd *r, int required)
{
    adt_event *ev = r->ev;
    const hl7_segment *pv1 = hl7_segment_get(r->m, "PV1", 1);
    if (!pv1) {
        if (!required) return 0;
        return fail(r, "100", NULL, "PV1", 0, 0, 0, "the PV1 segment is required for %s", ev->event);
    }
    int rc;
    if ((rc = text(r, pv1, 2, 1, 1, "patient class", ev->patient_class, sizeof ev->patient_class)) < 0)
        return rc;
    if ((rc = text(r, pv1, 19, 1, 1, "visit number", ev->visit_number, sizeof ev->visit_number)) < 0)
        return rc;
    if (rc == 0 && required)
        return fail(r, "101", pv1, NULL, 19, 0, 0, "PV1-19 (visit number) is required for %s",
                    ev->event);
    if ((rc = read_attending(r, pv1)) < 0) return rc;
    if ((rc = text(r, pv1, 36, 1, 1, "discharge disposition", ev->discharge_disposition,
                   sizeof ev->discharge_disposition)) < 0)
        return rc;
    if ((rc = dtm(r, pv1, 44, "admit date/time", 1, ev->admit_time)) < 0) return rc;
    if ((rc = dtm(r, pv1, 45, "discharge date/time", 1, ev->discharge_time)) < 0) return rc;
    return 0;
}

static int read_dx(rd *r)
{
    adt_event *ev = r->ev;
    char v[64], q[48];
    int rc;
    const hl7_segment *pv2 = hl7_segment_get(r->m, "PV2", 1);
    if (pv2) {
        if ((rc = text(r, pv2, 3, 1, 1, "admit reason", v, sizeof v)) < 0) return rc;
        if (rc && icd(v, ev->admit_reason, sizeof ev->admit_reason) != 0)
            return fail(r, "102", pv2, NULL, 3, 1, 1,
                        "PV2-3.1 (admit reason) \"%s\" is longer than %zu characters", quote(v, q),
                        sizeof ev->admit_reason - 1);
    }
    size_t n = hl7_segment_count(r->m, "DG1");
    for (size_t i = 1; i <= n && ev->n_dx < ADT_MAX_DX; i++) {
        const hl7_segment *dg1 = hl7_segment_get(r->m, "DG1", i);
        adt_dx *dx = &ev->dx[ev->n_dx];
        if ((rc = text(r, dg1, 3, 1, 1, "diagnosis code", v, sizeof v)) < 0) return rc;
        if (rc == 0) continue; /* 2.3 allowed a DG1 with only the description (DG1-4) */
        if (icd(v, dx->code, sizeof dx->code) != 0)
            return fail(r, "102", dg1, NULL, 3, 1, 1,
                        "DG1-3.1 (diagnosis code) \"%s\" is longer than %zu characters", quote(v, q),
                        sizeof dx->code - 1);
        if ((rc = text(r, dg1, 3, 1, 3, "name of coding system", dx->system, sizeof dx->system)) < 0)
            return rc;
        if ((rc = text(r, dg1, 6, 1, 1, "diagnosis type", dx->type, sizeof dx->type)) < 0) return rc;
        if ((rc = text(r, dg1, 15, 1, 1, "diagnosis priority", v, sizeof v)) < 0) return rc;
        if (rc) {
            size_t l = strlen(v);
            int p = l > 0 && l <= 3 ? digits(v, l) : -1;
            if (p < 0)
                return fail(r, "102", dg1, NULL, 15, 1, 0,
                            "DG1-15 (diagnosis priority) \"%s\" is not a number (expected 1 to 999)",
                            quote(v, q));
            dx->priority = p;
        }
        ev->n_dx++;
    }
    return 0;
}

static int read_mrg(rd *r)
{
    adt_event *ev = r->ev;
    const hl7_segment *mrg = hl7_segment_get(r->m, "MRG", 1);
    if (!mrg) return fail(r, "100", NULL, "MRG", 0, 0, 0, "the MRG segment is required for A40");
    int rc;
    if ((rc = text(r, mrg, 1, 1, 1, "prior patient identifier", ev->prior_mrn, sizeof ev->prior_mrn)) < 0)
        return rc;
    if (rc == 0)
        return fail(r, "101", mrg, NULL, 1, 0, 0,
                    "MRG-1 (prior patient identifier list) is required for A40");
    char why[160];
    if ((rc = find_mbi(r, mrg, 1, ev->prior_mbi, why, sizeof why)) < 0) return rc;
    if (!ev->prior_mbi[0] && hl7_repetitions(r->m, mrg, 1) == 1) {
        char cand[16];
        if (as_mbi(ev->prior_mrn, cand) == ID_OK) memcpy(ev->prior_mbi, cand, 16);
    }
    return 0;
}

int adt_from_hl7(const hl7_msg *m, adt_event *ev, hl7_error *e)
{
    hl7_error scratch;
    if (!e) e = &scratch;
    memset(ev, 0, sizeof *ev);
    memset(e, 0, sizeof *e);
    rd r = {m, ev, e};
    if (!m || m->n_seg == 0 || strcmp(m->seg[0].id, "MSH") != 0)
        return fail(&r, "100", NULL, "MSH", 0, 0, 0, "the message does not begin with an MSH segment");
    int rc;
    if ((rc = read_msh(&r, &m->seg[0])) < 0) return rc;
    const hl7_segment *evn = hl7_segment_get(m, "EVN", 1);
    char recorded[20], occurred[20]; /* both checked, the occurrence preferred */
    if ((rc = dtm(&r, evn, 2, "recorded date/time", 1, recorded)) < 0) return rc;
    if ((rc = dtm(&r, evn, 6, "event occurred", 1, occurred)) < 0) return rc;
    memcpy(ev->event_time, occurred[0] ? occurred : recorded[0] ? recorded : ev->message_time, 20);
    if ((rc = read_pid(&r)) < 0) return rc;
    int merge = strcmp(ev->event, "A40") == 0;
    if ((rc = read_pv1(&r, !merge)) < 0) return rc;
    if ((rc = read_dx(&r)) < 0) return rc;
    if (merge && (rc = read_mrg(&r)) < 0) return rc;
    return ADT_OK;
}
