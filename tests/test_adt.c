/* tests/test_adt.c: core/feeds/adt.c (what cara reads of an HL7 v2 ADT message, and the
 * AE / AR each problem earns, checked in the ACK's ERR segment). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "feeds/adt.h"
#include "suites.h"

/* ---- building messages ----------------------------------------------------------------- */

typedef struct mb {
    char b[16384];
    size_t n;
} mb;

/* Append a segment: seg(&m, "PV1", 2, "I", 19, "V1", 0) gives "PV1||I|...|V1\r" with the
 * fields at their numbers (pairs of field number and value, 0 ends). */
static void seg(mb *m, const char *id, ...)
{
    const char *v[64] = {0};
    int top = 0;
    va_list ap;
    va_start(ap, id);
    for (int f; (f = va_arg(ap, int)) != 0;) {
        ck_assert_int_lt(f, 64);
        v[f] = va_arg(ap, const char *);
        if (f > top) top = f;
    }
    va_end(ap);
    m->n += (size_t)snprintf(m->b + m->n, sizeof m->b - m->n, "%s", id);
    for (int f = 1; f <= top; f++)
        m->n += (size_t)snprintf(m->b + m->n, sizeof m->b - m->n, "|%s", v[f] ? v[f] : "");
    m->n += (size_t)snprintf(m->b + m->n, sizeof m->b - m->n, "\r");
    ck_assert_uint_lt(m->n, sizeof m->b - 1);
}

static void msh(mb *m, const char *type, const char *control, const char *proc, const char *version)
{
    m->n = (size_t)snprintf(m->b, sizeof m->b, "MSH|^~\\&|EPIC^1.2.3^ISO|GHH|CARA|ACO|20240105083000-0500||%s|%s|%s|%s\r",
                            type, control, proc, version);
}

/* The A01 of these tests: MSH, EVN, PID (MRN and MBI), PV1, PV2, two DG1, a Z-segment. */
static void a01(mb *m, const char *event)
{
    char type[32];
    snprintf(type, sizeof type, "ADT^%s^ADT_A01", event);
    msh(m, type, "MSG001", "P", "2.5.1");
    seg(m, "EVN", 1, event, 2, "20240105082900", 6, "20240105080000", 0);
    seg(m, "PID", 1, "1", 3, "MRN123^^^GHH^MR~1EG4-TE5-MK73^^^CMS^MC", 5, "DOE^JANE", 7, "19450302",
        8, "F", 0);
    seg(m, "PV1", 1, "1", 2, "I", 7, "1234567893^SMITH^JOHN^^^^^^NPPES^^^^NPI", 19, "V100", 36, "01",
        44, "202401050800", 45, "20240109113000", 0);
    seg(m, "PV2", 3, "S72.001A^Fracture of femur^I10", 0);
    seg(m, "DG1", 1, "1", 3, "S72.001A^Fracture of femur^I10", 6, "A", 15, "1", 0);
    seg(m, "DG1", 1, "2", 3, "w19.xxxa^Fall^I10", 6, "W", 15, "2", 0);
    seg(m, "ZPD", 1, "ignored", 0);
}

/* Replace the first occurrence of old in m by new (old must be there). */
static void replace(mb *m, const char *old, const char *new_)
{
    char *p = strstr(m->b, old);
    ck_assert_msg(p != NULL, "no %s in the message", old);
    size_t ol = strlen(old), nl = strlen(new_);
    ck_assert_uint_lt(m->n - ol + nl, sizeof m->b);
    memmove(p + nl, p + ol, strlen(p + ol) + 1);
    memcpy(p, new_, nl);
    m->n = strlen(m->b);
}

/* adt_from_hl7 on m's bytes; the parse must succeed */
static int run(mb *m, adt_event *ev, hl7_error *e)
{
    hl7_msg msg;
    hl7_error pe;
    ck_assert_msg(hl7_parse(m->b, m->n, &msg, &pe) == 0, "parse: %s", pe.message);
    int rc = adt_from_hl7(&msg, ev, e);
    hl7_msg_free(&msg);
    return rc;
}

static adt_event EV; /* large: not on the stack */

/* Expect rc and an ERR segment (in the ACK) with this location, code and message. */
static void expect_at(int line, mb *m, int want_rc, const char *err_location, const char *code,
                   const char *message)
{
    hl7_msg msg;
    hl7_error pe, e;
    ck_assert_int_eq(hl7_parse(m->b, m->n, &msg, &pe), 0);
    int rc = adt_from_hl7(&msg, &EV, &e);
    ck_assert_msg(rc == want_rc, "line %d: rc %d (expected %d): %s %s", line, rc, want_rc, e.code, e.message);
    ck_assert_str_eq(e.code, code);
    if (message) ck_assert_str_eq(e.message, message);
    char ack[2048], want[1024];
    ck_assert_int_gt(hl7_ack(&msg, m->b, m->n, rc == ADT_REJECT ? "AR" : "AE", &e, "CARA1",
                             "20240105083001", ack, sizeof ack), 0);
    ck_assert_ptr_nonnull(strstr(ack, rc == ADT_REJECT ? "\rMSA|AR|" : "\rMSA|AE|"));
    snprintf(want, sizeof want, "\rERR||%s|%s^", err_location, code);
    ck_assert_msg(strstr(ack, want) != NULL, "ACK %s lacks %s", ack, want + 1);
    ck_assert_ptr_nonnull(strstr(ack, "^HL70357|E||||"));
    hl7_msg_free(&msg);
}

#define expect(...) expect_at(__LINE__, __VA_ARGS__)

/* ---- tests ----------------------------------------------------------------------------- */

START_TEST(test_a01_full)
{
    mb m;
    hl7_error e;
    a01(&m, "A01");
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.msg_type, "ADT");
    ck_assert_str_eq(EV.event, "A01");
    ck_assert_str_eq(EV.control_id, "MSG001");
    ck_assert_str_eq(EV.sending_app, "EPIC");
    ck_assert_str_eq(EV.sending_facility, "GHH");
    ck_assert_str_eq(EV.version, "2.5.1");
    ck_assert_str_eq(EV.processing_id, "P");
    ck_assert_str_eq(EV.message_time, "2024-01-05T08:30:00"); /* -0500 dropped */
    ck_assert_str_eq(EV.event_time, "2024-01-05T08:00:00");   /* EVN-6 before EVN-2 */
    ck_assert_str_eq(EV.mbi, "1EG4TE5MK73");                  /* the printed dashes removed */
    ck_assert_str_eq(EV.mbi_problem, "");
    ck_assert_str_eq(EV.mrn, "MRN123");
    ck_assert_str_eq(EV.birth_date, "1945-03-02");
    ck_assert_str_eq(EV.sex, "F");
    ck_assert_str_eq(EV.death_time, "");
    ck_assert_str_eq(EV.patient_class, "I");
    ck_assert_str_eq(EV.visit_number, "V100");
    ck_assert_str_eq(EV.admit_time, "2024-01-05T08:00:00");
    ck_assert_str_eq(EV.discharge_time, "2024-01-09T11:30:00");
    ck_assert_str_eq(EV.discharge_disposition, "01");
    ck_assert_str_eq(EV.attending_npi, "1234567893");
    ck_assert_str_eq(EV.admit_reason, "S72001A");
    ck_assert_uint_eq(EV.n_dx, 2);
    ck_assert_str_eq(EV.dx[0].code, "S72001A");
    ck_assert_str_eq(EV.dx[0].system, "I10");
    ck_assert_str_eq(EV.dx[0].type, "A");
    ck_assert_int_eq(EV.dx[0].priority, 1);
    ck_assert_str_eq(EV.dx[1].code, "W19XXXA"); /* upper-cased */
    ck_assert_str_eq(EV.dx[1].type, "W");
    ck_assert_int_eq(EV.dx[1].priority, 2);
    ck_assert_str_eq(EV.prior_mbi, "");
    /* e may be NULL */
    ck_assert_int_eq(run(&m, &EV, NULL), ADT_OK);
}
END_TEST

/* The standard's own A01 (HL7 v2.5.1 chapter 3, section 3.5.1) has no PV1-19: cara
 * answers AE 101 at PV1^1^19 (the first PV1; ERR-2.2 counts occurrences of the segment id). */
START_TEST(test_standard_example)
{
    mb m;
    static const char std[] =
        "MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB, INC.|GOOD HEALTH HOSPITAL|198808181126|SECURITY|"
        "ADT^A01^ADT_A01|MSG00001|P|2.5.1||\r"
        "EVN|A01|200708181123||\r"
        "PID|1||PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL~123456789^^^USSSA^SS||EVERYMAN^ADAM^A^III||"
        "19610615|M||C|2222 HOME STREET^^GREENSBORO^NC^27401-1020|GL|(555) 555-2004|(555)555-2004||S||"
        "PATID12345001^2^M10^ADT1^AN^A|444333333|987654^NC|\r"
        "NK1|1|NUCLEAR^NELDA^W|SPO^SPOUSE||||NK^NEXT OF KIN\r"
        "PV1|1|I|2000^2012^01||||004777^ATTEND^AARON^A|||SUR||||ADM|A0|\r";
    memcpy(m.b, std, sizeof std);
    m.n = sizeof std - 1;
    expect(&m, ADT_ERROR, "PV1^1^19", "101", "PV1-19 (visit number) is required for A01");
    ck_assert_str_eq(EV.mrn, "PATID1234");
    ck_assert_str_eq(EV.mbi, "");
    ck_assert_str_eq(EV.mbi_problem, "no PID-3 identifier of type MC");
    ck_assert_str_eq(EV.birth_date, "1961-06-15");
    ck_assert_str_eq(EV.message_time, "1988-08-18T11:26:00");
    ck_assert_str_eq(EV.event_time, "2007-08-18T11:23:00");
    /* with a visit number it is taken; ATTEND's id 004777 is no NPI */
    replace(&m, "|ADM|A0|\r", "|ADM|A0||||V9\r"); /* PV1-14 ADM, 15 A0, 19 V9 */
    hl7_error e;
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.visit_number, "V9");
    ck_assert_str_eq(EV.attending_npi, "");
}
END_TEST

START_TEST(test_events)
{
    static const char *const ok[] = {"A01", "A02", "A03", "A04", "A06", "A08", "A11", "A13"};
    mb m;
    hl7_error e;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        a01(&m, ok[i]);
        ck_assert_msg(run(&m, &EV, &e) == ADT_OK, "%s: %s", ok[i], e.message);
        ck_assert_str_eq(EV.event, ok[i]);
    }
    a01(&m, "A05");
    expect(&m, ADT_REJECT, "MSH^1^9^1^2", "201",
           "MSH-9.2 (trigger event) \"A05\" is not supported (expected one of A01 A02 A03 A04 A06 A08 "
           "A11 A13 A40)");
    a01(&m, "a01");
    expect(&m, ADT_REJECT, "MSH^1^9^1^2", "201", NULL);
    /* not ADT */
    msh(&m, "ORU^R01^ORU_R01", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "X", 0);
    expect(&m, ADT_REJECT, "MSH^1^9^1^1", "200",
           "MSH-9.1 (message type) \"ORU\" is not supported (expected ADT)");
    msh(&m, "", "M1", "P", "2.5.1");
    expect(&m, ADT_ERROR, "MSH^1^9", "101", "MSH-9 (message type) is required");
    /* the event from EVN-1 when MSH-9.2 is empty (2.3 senders) */
    a01(&m, "A03");
    replace(&m, "ADT^A03^ADT_A01", "ADT");
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.event, "A03");
    /* neither */
    msh(&m, "ADT", "M1", "P", "2.5.1");
    expect(&m, ADT_ERROR, "MSH^1^9^1^2", "101", NULL);
}
END_TEST

START_TEST(test_versions)
{
    static const char *const ok[] = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6",
                                     "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2", "2.5.1^USA"};
    static const char *const bad[] = {"2.2", "2.9", "2.5.2", "3.0", "abc", "2.3.1.1", "2.", "2.10"};
    mb m;
    hl7_error e;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        a01(&m, "A01");
        char v[32];
        snprintf(v, sizeof v, "|%s\r", ok[i]);
        replace(&m, "|2.5.1\r", v);
        ck_assert_msg(run(&m, &EV, &e) == ADT_OK, "%s: %s", ok[i], e.message);
        ck_assert_str_eq(EV.version, i == 11 ? "2.5.1" : ok[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        msh(&m, "ADT^A01", "M1", "P", bad[i]);
        expect(&m, ADT_REJECT, "MSH^1^12^1^1", "203", NULL);
    }
    msh(&m, "ADT^A01", "M1", "P", "2.2");
    expect(&m, ADT_REJECT, "MSH^1^12^1^1", "203",
           "MSH-12 (version id) \"2.2\" is not supported (expected 2.3, 2.3.1, 2.4, 2.5, 2.5.1, 2.6, "
           "2.7, 2.7.1, 2.8, 2.8.1 or 2.8.2)");
    msh(&m, "ADT^A01", "M1", "P", "");
    expect(&m, ADT_ERROR, "MSH^1^12", "101", "MSH-12 (version id) is required");
}
END_TEST

START_TEST(test_processing_id)
{
    mb m;
    hl7_error e;
    static const char *const ok[] = {"P", "T", "D", "P^T"};
    for (size_t i = 0; i < 4; i++) {
        a01(&m, "A01");
        char v[32];
        snprintf(v, sizeof v, "|%s|2.5.1", ok[i]);
        replace(&m, "|P|2.5.1", v);
        ck_assert_msg(run(&m, &EV, &e) == ADT_OK, "%s: %s", ok[i], e.message);
        ck_assert_str_eq(EV.processing_id, i == 3 ? "P" : ok[i]);
    }
    msh(&m, "ADT^A01", "M1", "X", "2.5.1");
    expect(&m, ADT_REJECT, "MSH^1^11^1^1", "202",
           "MSH-11 (processing id) \"X\" is not supported (expected P, T or D)");
    msh(&m, "ADT^A01", "M1", "", "2.5.1");
    expect(&m, ADT_ERROR, "MSH^1^11", "101", "MSH-11 (processing id) is required");
}
END_TEST

/* Each required field, with the ERR-2 the ACK carries. */
START_TEST(test_required)
{
    mb m;
    msh(&m, "ADT^A01", "", "P", "2.5.1");
    expect(&m, ADT_ERROR, "MSH^1^10", "101", "MSH-10 (message control id) is required");
    msh(&m, "ADT^A01", "\"\"", "P", "2.5.1"); /* the null is no control id */
    expect(&m, ADT_ERROR, "MSH^1^10", "101", NULL);
    /* no PID: a segment sequence error naming PID */
    msh(&m, "ADT^A01", "M1", "P", "2.5.1");
    seg(&m, "EVN", 2, "20240101", 0);
    expect(&m, ADT_ERROR, "PID", "100", "the PID segment is required");
    /* PID without PID-3 (PID is segment 3) */
    seg(&m, "PID", 1, "1", 5, "DOE", 0);
    expect(&m, ADT_ERROR, "PID^1^3", "101", "PID-3 (patient identifier list) is required");
    /* PID-3 with an empty first identifier */
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "^^^GHH^MR", 0);
    expect(&m, ADT_ERROR, "PID^1^3", "101", NULL);
    /* no PV1 for A03 */
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "EVN", 2, "20240101", 0);
    seg(&m, "PID", 3, "M1", 0);
    expect(&m, ADT_ERROR, "PV1", "100", "the PV1 segment is required for A03");
    /* PV1 without PV1-19 (PV1 is segment 5, after an NK1) */
    seg(&m, "NK1", 1, "1", 0);
    seg(&m, "PV1", 2, "I", 0);
    expect(&m, ADT_ERROR, "PV1^1^19", "101", "PV1-19 (visit number) is required for A03");
    /* and the whole ACK for that one */
    hl7_msg msg;
    hl7_error pe, e;
    ck_assert_int_eq(hl7_parse(m.b, m.n, &msg, &pe), 0);
    ck_assert_int_eq(adt_from_hl7(&msg, &EV, &e), ADT_ERROR);
    char ack[1024];
    hl7_ack(&msg, m.b, m.n, "AE", &e, "CARA7", "20240105083001", ack, sizeof ack);
    ck_assert_str_eq(ack, "MSH|^~\\&|CARA|ACO|EPIC^1.2.3^ISO|GHH|20240105083001||ACK^A03^ACK|CARA7|P|2.5.1\r"
                          "MSA|AE|M1\r"
                          "ERR||PV1^1^19|101^Required field missing^HL70357|E||||"
                          "PV1-19 (visit number) is required for A03\r");
    hl7_msg_free(&msg);
}
END_TEST

START_TEST(test_a40_merge)
{
    mb m;
    hl7_error e;
    msh(&m, "ADT^A40^ADT_A39", "M40", "P", "2.5.1");
    seg(&m, "EVN", 2, "20240201101500", 0);
    seg(&m, "PID", 3, "NEW7^^^GHH^MR~1EG4TE5MK73^^^CMS^MC", 0);
    seg(&m, "MRG", 1, "OLD9^^^GHH^MR~2AC3DE4FG56^^^CMS^MC", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK); /* no PV1 needed */
    ck_assert_str_eq(EV.event, "A40");
    ck_assert_str_eq(EV.mrn, "NEW7");
    ck_assert_str_eq(EV.mbi, "1EG4TE5MK73");
    ck_assert_str_eq(EV.prior_mrn, "OLD9");
    ck_assert_str_eq(EV.prior_mbi, "2AC3DE4FG56");
    ck_assert_str_eq(EV.event_time, "2024-02-01T10:15:00");
    ck_assert_str_eq(EV.visit_number, "");
    /* the only MRG-1 id, untyped, is a well-formed MBI */
    msh(&m, "ADT^A40^ADT_A39", "M40", "P", "2.5.1");
    seg(&m, "PID", 3, "NEW7", 0);
    seg(&m, "MRG", 1, "2AC3DE4FG56", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.prior_mbi, "2AC3DE4FG56");
    ck_assert_str_eq(EV.prior_mrn, "2AC3DE4FG56");
    /* an MRN only: no prior MBI */
    msh(&m, "ADT^A40^ADT_A39", "M40", "P", "2.5.1");
    seg(&m, "PID", 3, "NEW7", 0);
    seg(&m, "MRG", 1, "OLD9^^^GHH^MR", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.prior_mbi, "");
    /* two untyped ids: neither is taken as the MBI */
    msh(&m, "ADT^A40^ADT_A39", "M40", "P", "2.5.1");
    seg(&m, "PID", 3, "NEW7", 0);
    seg(&m, "MRG", 1, "OLD9~2AC3DE4FG56", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.prior_mbi, "");
    /* MRG missing, MRG-1 missing (MRG is segment 3) */
    msh(&m, "ADT^A40^ADT_A39", "M40", "P", "2.5.1");
    seg(&m, "PID", 3, "NEW7", 0);
    expect(&m, ADT_ERROR, "MRG", "100", "the MRG segment is required for A40");
    seg(&m, "MRG", 7, "OLD^NAME", 0);
    expect(&m, ADT_ERROR, "MRG^1^1", "101", "MRG-1 (prior patient identifier list) is required for A40");
}
END_TEST

START_TEST(test_mbi)
{
    mb m;
    hl7_error e;
    static const struct {
        const char *pid3, *mbi, *problem;
    } t[] = {
        {"M1^^^GHH^MR", "", "no PID-3 identifier of type MC"},
        {"M1~1S00E00AA00^^^CMS^MC", "1S00E00AA00", ""}, /* synthetic: S in position 2 */
        {"M1~1eg4te5mk73^^^CMS^MC", "1EG4TE5MK73", ""}, /* lower case taken upper */
        {"M1~123^^^CMS^MC~1EG4TE5MK73^^^CMS^MC", "1EG4TE5MK73", ""}, /* the first good one */
        {"1EG4TE5MK73", "", "no PID-3 identifier of type MC"}, /* untyped: not taken */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        msh(&m, "ADT^A08", "M1", "P", "2.5.1");
        seg(&m, "PID", 3, t[i].pid3, 0);
        seg(&m, "PV1", 19, "V1", 0);
        ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
        ck_assert_str_eq(EV.mbi, t[i].mbi);
        ck_assert_str_eq(EV.mbi_problem, t[i].problem);
    }
    /* a bad MC identifier: kept as unmatched, the problem names it (ids_explain's words) */
    msh(&m, "ADT^A08", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1~123^^^CMS^MC", 0);
    seg(&m, "PV1", 19, "V1", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.mbi, "");
    ck_assert_msg(strncmp(EV.mbi_problem, "PID-3 MC identifier 123 is not an MBI: ", 39) == 0, "%s",
                  EV.mbi_problem);
    ck_assert_uint_gt(strlen(EV.mbi_problem), 45);
}
END_TEST

START_TEST(test_attending)
{
    mb m;
    hl7_error e;
    static const struct {
        const char *pv17, *npi;
    } t[] = {
        /* typed EI first, then an untyped id passing the NPI check */
        {"12345^DOC^A^^^^^^^^^^EI~1234567893^SMITH", "1234567893"},
        /* the NPI-typed repetition wins over an earlier untyped valid one */
        {"1528060837^X~1003347634^Y^^^^^^^^^^^NPI", "1003347634"},
        {"1234567890^BAD^^^^^^^^^^^NPI", ""}, /* typed NPI, wrong check digit */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        msh(&m, "ADT^A02", "M1", "P", "2.5.1");
        seg(&m, "PID", 3, "M1", 0);
        seg(&m, "PV1", 7, t[i].pv17, 19, "V1", 0);
        ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
        ck_assert_str_eq(EV.attending_npi, t[i].npi);
    }
}
END_TEST

/* A bad date-time in each field read: AE 102 naming the field and the value. */
START_TEST(test_bad_dates)
{
    mb m;
    a01(&m, "A01");
    replace(&m, "|202401050800|", "|202413050800|"); /* month 13 */
    expect(&m, ADT_ERROR, "PV1^1^44^1", "102",
           "PV1-44 (admit date/time) \"202413050800\" is not an HL7 date-time (expected "
           "YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ])");
    a01(&m, "A01");
    replace(&m, "|20240109113000", "|20240230113000"); /* 30 February */
    expect(&m, ADT_ERROR, "PV1^1^45^1", "102", NULL);
    a01(&m, "A01");
    replace(&m, "|19450302|", "|1945|"); /* a birth year only */
    expect(&m, ADT_ERROR, "PID^1^7^1", "102",
           "PID-7 (date/time of birth) \"1945\" is not an HL7 date-time (expected "
           "YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ])");
    a01(&m, "A01");
    replace(&m, "|20240105082900|", "|yesterday|");
    expect(&m, ADT_ERROR, "EVN^1^2^1", "102", NULL);
    a01(&m, "A01");
    replace(&m, "|20240105080000", "|2024010508000"); /* 13 digits */
    expect(&m, ADT_ERROR, "EVN^1^6^1", "102", NULL);
    a01(&m, "A01");
    replace(&m, "20240105083000-0500", "20240105083000-05");
    expect(&m, ADT_ERROR, "MSH^1^7^1", "102", NULL);
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1", 29, "20240231", 0);
    seg(&m, "PV1", 19, "V1", 0);
    expect(&m, ADT_ERROR, "PID^1^29^1", "102", NULL);
    /* 2.3's TS: DTM^degree of precision; the death time read */
    msh(&m, "ADT^A03", "M1", "P", "2.3");
    seg(&m, "PID", 3, "M1", 29, "202402011200^M", 0);
    seg(&m, "PV1", 19, "V1", 0);
    hl7_error e;
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.death_time, "2024-02-01T12:00:00");
    ck_assert_str_eq(EV.event_time, "2024-01-05T08:30:00"); /* no EVN: MSH-7 */
}
END_TEST

START_TEST(test_dtm)
{
    static const struct {
        const char *in;
        int need_day;
        const char *out; /* NULL: invalid */
    } t[] = {
        {"2024", 0, "2024-01-01T00:00:00"},
        {"2024", 1, NULL},
        {"202402", 0, "2024-02-01T00:00:00"},
        {"202402", 1, NULL},
        {"20240229", 1, "2024-02-29T00:00:00"}, /* 2024 is a leap year */
        {"20230229", 1, NULL},
        {"19000229", 1, NULL},                  /* divisible by 100, not by 400 */
        {"20000229", 1, "2000-02-29T00:00:00"},
        {"2024010512", 1, "2024-01-05T12:00:00"},
        {"202401051230", 1, "2024-01-05T12:30:00"},
        {"20240105123045", 1, "2024-01-05T12:30:45"},
        {"20240105123045.1234-0500", 1, "2024-01-05T12:30:45"},
        {"20240105123045.1", 1, "2024-01-05T12:30:45"},
        {"20240105+0100", 1, "2024-01-05T00:00:00"},
        {"20241231235959", 1, "2024-12-31T23:59:59"},
        {"20240105123045.12345", 1, NULL}, /* more than 4 digits of fraction */
        {"20240105123045.", 1, NULL},
        {"202401051230.5", 1, NULL},       /* a fraction needs the seconds */
        {"20240105+01", 1, NULL},
        {"20240105-2500", 1, NULL},
        {"20240105 ", 1, NULL},
        {"2024010", 0, NULL},
        {"20241232", 1, NULL},
        {"20240431", 1, NULL},
        {"20240005", 1, NULL},
        {"2024010524", 1, NULL},
        {"202401052360", 1, NULL},
        {"20240105235960", 1, NULL},
        {"00000101", 1, NULL},
        {"", 0, NULL},
        {"2024-01-05", 1, NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[20];
        int rc = adt_dtm(t[i].in, strlen(t[i].in), t[i].need_day, out);
        if (t[i].out) {
            ck_assert_msg(rc == 0, "%s: rejected", t[i].in);
            ck_assert_str_eq(out, t[i].out);
        } else {
            ck_assert_msg(rc == -1, "%s: accepted as %s", t[i].in, out);
        }
    }
    char out[20];
    ck_assert_int_eq(adt_dtm("20240105XX", 8, 1, out), 0); /* len decides */
    ck_assert_int_eq(adt_dtm(NULL, 0, 0, out), -1);
}
END_TEST

START_TEST(test_dx_and_limits)
{
    mb m;
    hl7_error e;
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1", 0);
    seg(&m, "PV1", 19, "V1", 0);
    seg(&m, "DG1", 1, "1", 4, "description only (2.3)", 0); /* no DG1-3: skipped */
    for (int i = 0; i < 40; i++) seg(&m, "DG1", 1, "2", 3, "I10.9", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_uint_eq(EV.n_dx, ADT_MAX_DX);
    ck_assert_str_eq(EV.dx[0].code, "I109");
    ck_assert_str_eq(EV.dx[0].system, "");
    ck_assert_int_eq(EV.dx[0].priority, 0);
    /* a priority that is not a number; a code too long */
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1", 0);
    seg(&m, "PV1", 19, "V1", 0);
    seg(&m, "DG1", 1, "1", 3, "I10", 15, "first", 0);
    expect(&m, ADT_ERROR, "DG1^1^15^1", "102",
           "DG1-15 (diagnosis priority) \"first\" is not a number (expected 1 to 999)");
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1", 0);
    seg(&m, "PV1", 19, "V1", 0);
    seg(&m, "DG1", 1, "1", 3, "ABCDEFGHIJKLMNOP", 0);
    expect(&m, ADT_ERROR, "DG1^1^3^1^1", "102", NULL);
    /* sex must be one character of table 0001 */
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1", 8, "Female", 0);
    seg(&m, "PV1", 19, "V1", 0);
    expect(&m, ADT_ERROR, "PID^1^8^1^1", "103", NULL);
    /* a malformed escape in a field read: 102 */
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M\\X4\\1", 0);
    seg(&m, "PV1", 19, "V1", 0);
    expect(&m, ADT_ERROR, "PID^1^3^1^1", "102",
           "PID-3.1 (patient identifier) \"M\\X4\\1\" has a malformed escape or is longer than 63 "
           "characters");
    /* an escaped value decoded: V\T\1 is V&1 */
    msh(&m, "ADT^A03", "M1", "P", "2.5.1");
    seg(&m, "PID", 3, "M1", 0);
    seg(&m, "PV1", 19, "V\\T\\1", 0);
    ck_assert_int_eq(run(&m, &EV, &e), ADT_OK);
    ck_assert_str_eq(EV.visit_number, "V&1");
    /* a message that is not ADT-shaped at all, given to adt_from_hl7 unparsed */
    hl7_msg empty = {0};
    ck_assert_int_eq(adt_from_hl7(&empty, &EV, &e), ADT_ERROR);
    ck_assert_str_eq(e.code, "100");
}
END_TEST

Suite *suite_adt(void)
{
    Suite *s = suite_create("adt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_a01_full);
    tcase_add_test(tc, test_standard_example);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_versions);
    tcase_add_test(tc, test_processing_id);
    tcase_add_test(tc, test_required);
    tcase_add_test(tc, test_a40_merge);
    tcase_add_test(tc, test_mbi);
    tcase_add_test(tc, test_attending);
    tcase_add_test(tc, test_bad_dates);
    tcase_add_test(tc, test_dtm);
    tcase_add_test(tc, test_dx_and_limits);
    suite_add_tcase(s, tc);
    return s;
}
