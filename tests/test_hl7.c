/* tests/test_hl7.c: core/feeds/hl7.c and hl7_ack.c (the HL7 v2 parser, accessors, escapes, ACK). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/hl7.h"
#include "suites.h"

/* The admit example of the HL7 v2.5.1 standard, chapter 3 (ADT), section 3.5.1 "Admit/visit
 * notification - event A01", transcribed with its segments ended by a carriage return. */
static const char STD_A01[] =
    "MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB, INC.|GOOD HEALTH HOSPITAL|198808181126|SECURITY|"
    "ADT^A01^ADT_A01|MSG00001|P|2.5.1||\r"
    "EVN|A01|200708181123||\r"
    "PID|1||PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL~123456789^^^USSSA^SS||EVERYMAN^ADAM^A^III||"
    "19610615|M||C|2222 HOME STREET^^GREENSBORO^NC^27401-1020|GL|(555) 555-2004|(555)555-2004||S||"
    "PATID12345001^2^M10^ADT1^AN^A|444333333|987654^NC|\r"
    "NK1|1|NUCLEAR^NELDA^W|SPO^SPOUSE||||NK^NEXT OF KIN\r"
    "PV1|1|I|2000^2012^01||||004777^ATTEND^AARON^A|||SUR||||ADM|A0|\r";

#define PARSE(lit, m, e) hl7_parse((lit), sizeof(lit) - 1, (m), (e))

/* field text (rep, comp) of the nth segment id, "" when absent; "<err>" when malformed */
static const char *ft(const hl7_msg *m, const char *id, int field, int rep, int comp)
{
    static char buf[8][256];
    static int k;
    char *out = buf[k++ % 8];
    const hl7_segment *s = hl7_segment_get(m, id, 1);
    if (!s) return "<no segment>";
    if (hl7_field_text(m, s, field, rep, comp, out, 256) < 0) return "<err>";
    return out;
}

/* the raw bytes of a value as a string */
static const char *raw(const hl7_msg *m, const char *id, int field, int rep, int comp, int sub)
{
    static char buf[4][256];
    static int k;
    char *out = buf[k++ % 4];
    hl7_span sp;
    const hl7_segment *s = hl7_segment_get(m, id, 1);
    if (!s || !hl7_get(m, s, field, rep, comp, sub, &sp)) return "<absent>";
    snprintf(out, 256, "%.*s", (int)sp.len, sp.p);
    return out;
}

START_TEST(test_standard_a01)
{
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(PARSE(STD_A01, &m, &e), 0);
    ck_assert_uint_eq(m.n_seg, 5);
    ck_assert_str_eq(m.seg[0].id, "MSH");
    ck_assert_str_eq(m.seg[4].id, "PV1");
    ck_assert_uint_eq(m.seg[4].index, 5);
    ck_assert_int_eq(m.d.field, '|');
    ck_assert_int_eq(m.d.component, '^');
    ck_assert_int_eq(m.d.repetition, '~');
    ck_assert_int_eq(m.d.escape, '\\');
    ck_assert_int_eq(m.d.subcomponent, '&');
    ck_assert_int_eq(m.d.truncation, 0);
    /* MSH numbering: MSH-1 the separator, MSH-2 the encoding characters */
    ck_assert_str_eq(ft(&m, "MSH", 1, 1, 0), "|");
    ck_assert_str_eq(raw(&m, "MSH", 2, 1, 0, 0), "^~\\&");
    ck_assert_str_eq(ft(&m, "MSH", 3, 1, 0), "ADT1");
    ck_assert_str_eq(ft(&m, "MSH", 4, 1, 0), "GOOD HEALTH HOSPITAL");
    ck_assert_str_eq(ft(&m, "MSH", 7, 1, 0), "198808181126");
    ck_assert_str_eq(ft(&m, "MSH", 8, 1, 0), "SECURITY");
    ck_assert_str_eq(ft(&m, "MSH", 9, 1, 1), "ADT");
    ck_assert_str_eq(ft(&m, "MSH", 9, 1, 2), "A01");
    ck_assert_str_eq(ft(&m, "MSH", 9, 1, 3), "ADT_A01");
    ck_assert_str_eq(ft(&m, "MSH", 9, 1, 0), "ADT^A01^ADT_A01");
    ck_assert_str_eq(ft(&m, "MSH", 10, 1, 0), "MSG00001");
    ck_assert_str_eq(ft(&m, "MSH", 11, 1, 0), "P");
    ck_assert_str_eq(ft(&m, "MSH", 12, 1, 1), "2.5.1");
    ck_assert_str_eq(ft(&m, "MSH", 13, 1, 0), ""); /* present, empty */
    ck_assert_str_eq(ft(&m, "MSH", 14, 1, 0), ""); /* absent */
    /* PID-3: two repetitions of CX */
    const hl7_segment *pid = hl7_segment_get(&m, "PID", 1);
    ck_assert_ptr_nonnull(pid);
    ck_assert_uint_eq(pid->index, 3);
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 3), 2);
    ck_assert_str_eq(ft(&m, "PID", 3, 1, 1), "PATID1234");
    ck_assert_str_eq(ft(&m, "PID", 3, 1, 2), "5");
    ck_assert_str_eq(ft(&m, "PID", 3, 1, 5), "MR");
    ck_assert_str_eq(ft(&m, "PID", 3, 2, 1), "123456789");
    ck_assert_str_eq(ft(&m, "PID", 3, 2, 4), "USSSA");
    ck_assert_str_eq(ft(&m, "PID", 3, 2, 5), "SS");
    ck_assert_str_eq(ft(&m, "PID", 3, 3, 1), "");
    ck_assert_str_eq(ft(&m, "PID", 5, 1, 2), "ADAM");
    ck_assert_str_eq(ft(&m, "PID", 7, 1, 0), "19610615");
    ck_assert_str_eq(ft(&m, "PID", 8, 1, 0), "M");
    ck_assert_str_eq(ft(&m, "PID", 18, 1, 5), "AN");
    ck_assert_str_eq(ft(&m, "PV1", 7, 1, 2), "ATTEND");
    ck_assert_str_eq(ft(&m, "PV1", 2, 1, 0), "I");
    ck_assert_str_eq(ft(&m, "PV1", 19, 1, 0), "");
    ck_assert_uint_eq(hl7_segment_count(&m, "NK1"), 1);
    ck_assert_uint_eq(hl7_segment_count(&m, "DG1"), 0);
    ck_assert_ptr_null(hl7_segment_get(&m, "PID", 2));
    ck_assert_ptr_null(hl7_segment_get(&m, "PID", 0));
    /* a segment's bytes: its id included, its carriage return not */
    ck_assert_uint_eq(m.seg[1].len, strlen("EVN|A01|200708181123||"));
    ck_assert_int_eq(memcmp(m.seg[1].p, "EVN|A01|200708181123||", m.seg[1].len), 0);
    hl7_msg_free(&m);
    ck_assert_ptr_null(m.seg);
    hl7_msg_free(&m); /* twice is harmless */
}
END_TEST

/* Repetitions, components and subcomponents: python-hl7's sample (tests/samples.py,
 * rep_sample_hl7, from the medical-objects HL7 v2 parsing notes). */
START_TEST(test_components)
{
    static const char msg[] = "MSH|^~\\&|GHH LAB|ELAB-3|GHH OE|BLDG4|200202150930||ORU^R01|CNTRL-3456|P|2.4\r"
                              "PID|Field1|Component1^Component2|Component1^Sub-Component1&Sub-Component2^"
                              "Component3|Repeat1~Repeat2\r";
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(PARSE(msg, &m, &e), 0);
    ck_assert_str_eq(raw(&m, "PID", 1, 1, 0, 0), "Field1");
    ck_assert_str_eq(raw(&m, "PID", 1, 1, 1, 0), "Field1");   /* component 1 of a plain value */
    ck_assert_str_eq(raw(&m, "PID", 1, 1, 1, 1), "Field1");
    ck_assert_str_eq(raw(&m, "PID", 1, 1, 2, 0), "<absent>");
    ck_assert_str_eq(raw(&m, "PID", 2, 1, 2, 0), "Component2");
    ck_assert_str_eq(raw(&m, "PID", 3, 1, 2, 0), "Sub-Component1&Sub-Component2");
    ck_assert_str_eq(raw(&m, "PID", 3, 1, 2, 1), "Sub-Component1");
    ck_assert_str_eq(raw(&m, "PID", 3, 1, 2, 2), "Sub-Component2");
    ck_assert_str_eq(raw(&m, "PID", 3, 1, 2, 3), "<absent>");
    ck_assert_str_eq(raw(&m, "PID", 3, 1, 3, 0), "Component3");
    ck_assert_str_eq(raw(&m, "PID", 3, 1, 0, 2), "<absent>"); /* sub of comp 0 = of comp 1 */
    ck_assert_str_eq(raw(&m, "PID", 4, 2, 0, 0), "Repeat2");
    ck_assert_str_eq(raw(&m, "PID", 4, 0, 0, 0), "Repeat1~Repeat2"); /* rep 0: the whole field */
    ck_assert_str_eq(raw(&m, "PID", 4, 3, 0, 0), "<absent>");
    ck_assert_str_eq(raw(&m, "PID", 5, 1, 0, 0), "<absent>");
    const hl7_segment *pid = hl7_segment_get(&m, "PID", 1);
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 4), 2);
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 1), 1);
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 9), 0);
    hl7_span sp;
    ck_assert_int_eq(hl7_get(&m, pid, 0, 1, 0, 0, &sp), 0); /* no field 0 */
    ck_assert_int_eq(hl7_get(&m, pid, 1, -1, 0, 0, &sp), 0);
    ck_assert_int_eq(hl7_get(&m, NULL, 1, 1, 0, 0, &sp), 0);
    hl7_msg_free(&m);
}
END_TEST

START_TEST(test_empty_absent_null)
{
    static const char msg[] = "MSH|^~\\&|A\rPID|a||c|\"\"|~|^|x^\"\"^z|\r";
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(PARSE(msg, &m, &e), 0);
    const hl7_segment *pid = hl7_segment_get(&m, "PID", 1);
    hl7_span sp;
    char out[16];
    ck_assert_int_eq(hl7_get(&m, pid, 1, 1, 0, 0, &sp), 1);
    ck_assert_int_eq(hl7_get(&m, pid, 2, 1, 0, 0, &sp), 0); /* empty */
    ck_assert_uint_eq(sp.len, 0);
    ck_assert_int_eq(hl7_get(&m, pid, 8, 1, 0, 0, &sp), 0); /* present (after the last |), empty */
    ck_assert_int_eq(hl7_get(&m, pid, 9, 1, 0, 0, &sp), 0); /* absent */
    /* "" is the explicit null: present raw, decoded to "" (field_text 0) */
    ck_assert_int_eq(hl7_get(&m, pid, 4, 1, 0, 0, &sp), 1);
    ck_assert_uint_eq(sp.len, 2);
    ck_assert_int_eq(hl7_text(&m, sp, out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(hl7_field_text(&m, pid, 4, 1, 0, out, sizeof out), 0);
    ck_assert_int_eq(hl7_field_text(&m, pid, 7, 1, 2, out, sizeof out), 0); /* a null component */
    ck_assert_int_eq(hl7_field_text(&m, pid, 7, 1, 3, out, sizeof out), 1);
    ck_assert_str_eq(out, "z");
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 2), 0);
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 5), 2); /* "~": two empty repetitions */
    ck_assert_int_eq(hl7_get(&m, pid, 5, 1, 0, 0, &sp), 0);
    ck_assert_int_eq(hl7_get(&m, pid, 6, 1, 1, 0, &sp), 0); /* "^": empty components */
    /* hl7_field_text with no room */
    ck_assert_int_eq(hl7_field_text(&m, pid, 3, 1, 0, out, 1), -1);
    ck_assert_int_eq(hl7_field_text(&m, pid, 3, 1, 0, out, 2), 1);
    hl7_msg_free(&m);
}
END_TEST

static int dec(const hl7_msg *m, const char *s, char *out, size_t outlen)
{
    hl7_span sp = {s, strlen(s)};
    return hl7_text(m, sp, out, outlen);
}

START_TEST(test_escapes)
{
    char out[64];
    hl7_msg m;
    hl7_error e;
    static const char msg[] = "MSH|^~\\&|A";
    ck_assert_int_eq(PARSE(msg, &m, &e), 0);
    /* each delimiter escape: F | S ^ T & R ~ E \ */
    ck_assert_int_eq(dec(&m, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", out, sizeof out), 11);
    ck_assert_str_eq(out, "a|b^c&d~e\\f");
    ck_assert_int_eq(dec(&m, "\\X41\\", out, sizeof out), 1);
    ck_assert_str_eq(out, "A");
    ck_assert_int_eq(dec(&m, "x\\X4142c3A9\\y", out, sizeof out), 6); /* A B then UTF-8 e-acute */
    ck_assert_str_eq(out, "xAB\xc3\xa9y");
    ck_assert_int_eq(dec(&m, "line1\\.br\\line2", out, sizeof out), 11);
    ck_assert_str_eq(out, "line1\nline2");
    ck_assert_int_eq(dec(&m, "\\H\\bold\\N\\ \\.sp2\\\\.in+4\\x\\C2842\\\\Zlocal\\", out, sizeof out), 6);
    ck_assert_str_eq(out, "bold x");
    ck_assert_int_eq(dec(&m, "a\\P\\", out, sizeof out), 2); /* truncation: '#' by default */
    ck_assert_str_eq(out, "a#");
    ck_assert_int_eq(dec(&m, "\"\"", out, sizeof out), 0);
    ck_assert_int_eq(dec(&m, "\"\"\"", out, sizeof out), 3); /* not the null */
    ck_assert_int_eq(dec(&m, "", out, sizeof out), 0);
    /* malformed */
    ck_assert_int_eq(dec(&m, "a\\Fb", out, sizeof out), -1);    /* no closing escape */
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(dec(&m, "\\X4\\", out, sizeof out), -1);   /* odd hex */
    ck_assert_int_eq(dec(&m, "\\XZZ\\", out, sizeof out), -1);  /* bad hex */
    ck_assert_int_eq(dec(&m, "\\X\\", out, sizeof out), -1);    /* no hex */
    ck_assert_int_eq(dec(&m, "\\X00\\", out, sizeof out), -1);  /* a NUL would cut the text */
    ck_assert_int_eq(dec(&m, "\\\\", out, sizeof out), -1);     /* empty escape */
    ck_assert_int_eq(dec(&m, "\\a b\\", out, sizeof out), -1);  /* not an escape name */
    ck_assert_int_eq(dec(&m, "C:\\temp", out, sizeof out), -1);
    /* the room: "abc" needs 4 bytes */
    ck_assert_int_eq(dec(&m, "abc", out, 4), 3);
    ck_assert_int_eq(dec(&m, "abc", out, 3), -1);
    ck_assert_int_eq(dec(&m, "\\F\\\\F\\", out, 3), 2);
    ck_assert_int_eq(dec(&m, "\\F\\\\F\\", out, 2), -1);
    ck_assert_int_eq(dec(&m, "abc", out, 0), -1);
    /* m NULL: the default delimiters */
    ck_assert_int_eq(dec(NULL, "\\S\\", out, sizeof out), 1);
    ck_assert_str_eq(out, "^");
    hl7_msg_free(&m);
}
END_TEST

/* Delimiters of the sender's choosing: '*' fields, '%' components, '$' repetitions,
 * '@' escape, '!' subcomponents. '|', '^', '~', '\' and '&' are then plain text. */
static const char ODD[] = "MSH*%$@!*SND%X*FAC*RCV*RFAC*20240101120000**ADT%A01%ADT_A01*C1*P*2.5.1\r"
                          "PID*1**X1%%%AUTH%MR$1EG4TE5MK73%%%CMS%MC**DOE%JANE@T@X@F@Y|Z^W\\V&U~T\r";

START_TEST(test_nondefault_delimiters)
{
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(PARSE(ODD, &m, &e), 0);
    ck_assert_int_eq(m.d.field, '*');
    ck_assert_int_eq(m.d.component, '%');
    ck_assert_int_eq(m.d.repetition, '$');
    ck_assert_int_eq(m.d.escape, '@');
    ck_assert_int_eq(m.d.subcomponent, '!');
    ck_assert_str_eq(ft(&m, "MSH", 1, 1, 0), "*");
    ck_assert_str_eq(raw(&m, "MSH", 2, 1, 0, 0), "%$@!");
    ck_assert_str_eq(ft(&m, "MSH", 3, 1, 1), "SND");
    ck_assert_str_eq(ft(&m, "MSH", 3, 1, 2), "X");
    ck_assert_str_eq(ft(&m, "MSH", 9, 1, 2), "A01");
    ck_assert_str_eq(ft(&m, "MSH", 12, 1, 0), "2.5.1");
    const hl7_segment *pid = hl7_segment_get(&m, "PID", 1);
    ck_assert_uint_eq(hl7_repetitions(&m, pid, 3), 2);
    ck_assert_str_eq(ft(&m, "PID", 3, 2, 1), "1EG4TE5MK73");
    ck_assert_str_eq(ft(&m, "PID", 3, 2, 5), "MC");
    ck_assert_str_eq(ft(&m, "PID", 3, 1, 4), "AUTH");
    /* @T@ is '!', @F@ is '*'; the default delimiters are text */
    ck_assert_str_eq(ft(&m, "PID", 5, 1, 2), "JANE!X*Y|Z^W\\V&U~T");
    hl7_msg_free(&m);
    /* 2.7's truncation character */
    static const char t27[] = "MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|X|P|2.7\r";
    ck_assert_int_eq(PARSE(t27, &m, &e), 0);
    ck_assert_int_eq(m.d.truncation, '#');
    ck_assert_str_eq(raw(&m, "MSH", 2, 1, 0, 0), "^~\\&#");
    ck_assert_str_eq(ft(&m, "MSH", 3, 1, 0), "A");
    char out[8];
    ck_assert_int_eq(dec(&m, "ab\\P\\", out, sizeof out), 3);
    ck_assert_str_eq(out, "ab#");
    hl7_msg_free(&m);
}
END_TEST

START_TEST(test_segment_endings)
{
    hl7_msg m;
    hl7_error e;
    /* \n, \r\n, blank lines and trailing empty segments */
    static const char lf[] = "MSH|^~\\&|A\nPID|1\r\nPV1|2\n\r\n\r\r   \r\n";
    ck_assert_int_eq(PARSE(lf, &m, &e), 0);
    ck_assert_uint_eq(m.n_seg, 3);
    ck_assert_str_eq(m.seg[1].id, "PID");
    ck_assert_uint_eq(m.seg[1].len, 5);
    ck_assert_str_eq(m.seg[2].id, "PV1");
    ck_assert_uint_eq(m.seg[2].index, 3);
    ck_assert_str_eq(ft(&m, "PV1", 1, 1, 0), "2");
    hl7_msg_free(&m);
    /* a segment with its id only; Z-segments and digits in ids */
    static const char ids[] = "MSH|^~\\&|A\rZB1\rZ99|x\rPD1|1";
    ck_assert_int_eq(PARSE(ids, &m, &e), 0);
    ck_assert_uint_eq(m.n_seg, 4);
    ck_assert_str_eq(m.seg[1].id, "ZB1");
    ck_assert_str_eq(ft(&m, "ZB1", 1, 1, 0), "");
    ck_assert_str_eq(ft(&m, "Z99", 1, 1, 0), "x");
    ck_assert_str_eq(ft(&m, "PD1", 1, 1, 0), "1"); /* no final carriage return */
    hl7_msg_free(&m);
}
END_TEST

static void parse_fails(const char *buf, size_t len, const char *code, size_t seg_index, int field)
{
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(hl7_parse(buf, len, &m, &e), -1);
    ck_assert_uint_eq(m.n_seg, 0);
    ck_assert_ptr_null(m.seg);
    ck_assert_str_eq(e.code, code);
    ck_assert_uint_eq(e.seg_index, seg_index);
    ck_assert_int_eq(e.field, field);
    ck_assert(e.message[0] != '\0');
    hl7_msg_free(&m);
}
#define FAILS(lit, code, idx, field) parse_fails((lit), sizeof(lit) - 1, (code), (idx), (field))

START_TEST(test_parse_errors)
{
    FAILS("", "100", 0, 0);
    FAILS("\r\n\r", "100", 0, 0);
    FAILS("MSH", "102", 1, 1);
    FAILS("MSH|", "102", 1, 2);         /* a message that is only "MSH|" */
    FAILS("MSH|^~\\", "102", 1, 2);      /* three encoding characters */
    FAILS("MSH|^~\\&#!|", "102", 1, 2);  /* six */
    FAILS("MSH|^^\\&|", "102", 1, 2);    /* repeated */
    FAILS("MSH|^~|&\\|", "102", 1, 2);  /* cut short by the field separator */
    FAILS("MSH|^~a&|", "102", 1, 2);     /* a letter */
    FAILS("MSH ^~\\&|", "102", 1, 1);    /* a space as field separator */
    FAILS("MSHA^~\\&A", "102", 1, 1);
    FAILS("PID|1\rMSH|^~\\&|", "100", 0, 0); /* no MSH first */
    FAILS("msh|^~\\&|", "100", 0, 0);
    FAILS(" MSH|^~\\&|", "100", 0, 0);
    FAILS("MSH|^~\\&|\rpid|1", "100", 2, 0);  /* lower case id */
    FAILS("MSH|^~\\&|\rPID1|1", "100", 2, 0); /* no separator after the id */
    FAILS("MSH|^~\\&|\rPI|1", "100", 2, 0);
    FAILS("MSH|^~\\&|\rPID|1\rP", "100", 3, 0); /* a message cut inside a segment id */
    FAILS("MSH|^~\\&|\rP-D|1", "100", 2, 0);
    /* a NUL byte anywhere */
    static const char nul[] = "MSH|^~\\&|A\rPID|1\0|2\r";
    parse_fails(nul, sizeof nul - 1, "102", 0, 0);
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(hl7_parse(nul, sizeof nul - 1, &m, &e), -1);
    ck_assert_str_eq(e.message, "the message holds a NUL byte (at offset 16)");
    hl7_msg_free(&m);
    ck_assert_int_eq(hl7_parse(NULL, 5, &m, &e), -1);
    ck_assert_int_eq(hl7_parse(STD_A01, sizeof STD_A01 - 1, &m, NULL), 0); /* e may be NULL */
    hl7_msg_free(&m);
}
END_TEST

/* Every prefix of the standard message: parses when it ends after MSH-2 ("MSH|^~\&", 8
 * bytes) and its last segment is cut after its id (or at a segment end); fails
 * otherwise; never reads past the cut (ASan would tell). */
START_TEST(test_truncated)
{
    size_t n = sizeof STD_A01 - 1;
    for (size_t cut = 0; cut <= n; cut++) {
        char *b = malloc(cut ? cut : 1);
        memcpy(b, STD_A01, cut);
        hl7_msg m;
        hl7_error e;
        int rc = hl7_parse(b, cut, &m, &e);
        size_t ls = cut;
        while (ls > 0 && b[ls - 1] != '\r') ls--;
        size_t last = cut - ls; /* bytes of the cut last line */
        int want = cut >= 8 && (last == 0 || last >= 3 || ls == 0) ? 0 : -1;
        if (ls == 0 && cut >= 8) want = 0;
        ck_assert_msg(rc == want, "cut %zu: rc %d, expected %d", cut, rc, want);
        if (rc == 0) {
            const hl7_segment *pid = hl7_segment_get(&m, "PID", 1);
            hl7_span sp;
            for (int f = 1; f < 40; f++) hl7_get(&m, &m.seg[m.n_seg - 1], f, 1, 1, 1, &sp);
            if (pid) ck_assert_int_le((long)(pid->p + pid->len - b), (long)cut);
        }
        hl7_msg_free(&m);
        free(b);
    }
}
END_TEST

START_TEST(test_max_segments)
{
    /* MSH + 999 ZZZ = 1000 segments: accepted; one more: content error 100 */
    size_t cap = 10 + 1001 * 8 + 16;
    char *b = malloc(cap);
    size_t n = 0;
    n += (size_t)sprintf(b + n, "MSH|^~\\&|A\r");
    for (int i = 0; i < 999; i++) n += (size_t)sprintf(b + n, "ZZZ|%d\r", i % 10);
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(hl7_parse(b, n, &m, &e), 0);
    ck_assert_uint_eq(m.n_seg, HL7_MAX_SEGMENTS);
    ck_assert_uint_eq(hl7_segment_count(&m, "ZZZ"), 999);
    ck_assert_uint_eq(hl7_segment_get(&m, "ZZZ", 999)->index, 1000);
    hl7_msg_free(&m);
    size_t with_trailing = n + (size_t)sprintf(b + n, "\r\n\r\n"); /* trailing empties: not counted */
    ck_assert_int_eq(hl7_parse(b, with_trailing, &m, &e), 0);
    hl7_msg_free(&m);
    n += (size_t)sprintf(b + n, "ZZZ|x\r");
    ck_assert_int_eq(hl7_parse(b, n, &m, &e), -1);
    ck_assert_str_eq(e.code, "100");
    ck_assert_str_eq(e.message, "the message has 1001 segments (at most 1000 are accepted)");
    hl7_msg_free(&m);
    free(b);
}
END_TEST

START_TEST(test_msh_never_split)
{
    hl7_msg m;
    hl7_error e;
    ck_assert_int_eq(PARSE(STD_A01, &m, &e), 0);
    const hl7_segment *msh = &m.seg[0];
    hl7_span sp;
    ck_assert_int_eq(hl7_get(&m, msh, 2, 1, 1, 0, &sp), 1); /* component 1: still the whole */
    ck_assert_uint_eq(sp.len, 4);
    ck_assert_int_eq(hl7_get(&m, msh, 2, 1, 2, 0, &sp), 0);
    ck_assert_int_eq(hl7_get(&m, msh, 2, 2, 0, 0, &sp), 0);
    ck_assert_int_eq(hl7_get(&m, msh, 1, 1, 0, 0, &sp), 1);
    ck_assert_uint_eq(sp.len, 1);
    ck_assert_uint_eq(hl7_repetitions(&m, msh, 2), 1);
    ck_assert_uint_eq(hl7_repetitions(&m, msh, 1), 1);
    char out[8];
    /* the encoding characters as text would be malformed escapes: use hl7_get for MSH-2 */
    ck_assert_int_eq(hl7_field_text(&m, msh, 2, 1, 0, out, sizeof out), -1);
    hl7_msg_free(&m);
}
END_TEST

/* ---- ACK ---------------------------------------------------------------------------- */

static const char A03[] = "MSH|^~\\&|EPIC|GHH|CARA|ACO|20240105083000||ADT^A03^ADT_A03|MSG123|P|2.5.1\r"
                          "EVN|A03|20240105083000\r"
                          "PID|1||MRN1^^^GHH^MR\r"
                          "PV1|1|I\r";

START_TEST(test_ack_exact)
{
    hl7_msg m;
    hl7_error e;
    char out[512];
    ck_assert_int_eq(PARSE(A03, &m, &e), 0);
    /* AA: sender and receiver swapped, MSH-7 now, MSH-9 ACK^A03^ACK, MSH-10 ours, MSH-11
     * and MSH-12 echoed; MSA-2 the message's MSH-10 */
    static const char aa[] = "MSH|^~\\&|CARA|ACO|EPIC|GHH|20240105083001||ACK^A03^ACK|CARA1|P|2.5.1\r"
                             "MSA|AA|MSG123\r";
    int n = hl7_ack(&m, A03, sizeof A03 - 1, "AA", NULL, "CARA1", "20240105083001", out, sizeof out);
    ck_assert_int_eq(n, (int)strlen(aa));
    ck_assert_str_eq(out, aa);
    /* AE, PV1-19 missing: PV1 is the 4th segment */
    hl7_error pv1 = {"PV1", 4, 19, 0, 0, "101", "PV1-19 (visit number) is required for A03"};
    static const char ae[] = "MSH|^~\\&|CARA|ACO|EPIC|GHH|20240105083001||ACK^A03^ACK|CARA2|P|2.5.1\r"
                             "MSA|AE|MSG123\r"
                             "ERR||PV1^4^19|101^Required field missing^HL70357|E||||"
                             "PV1-19 (visit number) is required for A03\r";
    n = hl7_ack(&m, A03, sizeof A03 - 1, "AE", &pv1, "CARA2", "20240105083001", out, sizeof out);
    ck_assert_str_eq(out, ae);
    ck_assert_int_eq(n, (int)sizeof ae - 1);
    /* exactly the room needed (the NUL included), then one byte less */
    char small[sizeof ae];
    ck_assert_int_eq(hl7_ack(&m, A03, sizeof A03 - 1, "AE", &pv1, "CARA2", "20240105083001", small,
                             sizeof small), (int)sizeof ae - 1);
    ck_assert_int_eq(hl7_ack(&m, A03, sizeof A03 - 1, "AE", &pv1, "CARA2", "20240105083001", small,
                             sizeof small - 1), -1);
    ck_assert_str_eq(small, "");
    ck_assert_int_eq(hl7_ack(&m, A03, sizeof A03 - 1, "AA", NULL, "C", "N", out, 0), -1);
    /* AR with a component location, and ERR-8 escaped */
    hl7_error ar = {"MSH", 1, 9, 1, 2, "201", "event \"A99\" | not ^ supported\nsee docs\\adt.md"};
    n = hl7_ack(&m, A03, sizeof A03 - 1, "AR", &ar, "C3", "20240105083001", out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\rMSA|AR|MSG123\r"));
    ck_assert_ptr_nonnull(strstr(out, "\rERR||MSH^1^9^1^2|201^Unsupported event code^HL70357|E||||"
                                      "event \"A99\" \\F\\ not \\S\\ supported\\.br\\see docs\\E\\adt.md\r"));
    /* AE without an error, or with an unknown code: 207 */
    n = hl7_ack(&m, A03, sizeof A03 - 1, "AE", NULL, "C4", "20240105083001", out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\rERR|||207^Application internal error^HL70357|E\r"));
    hl7_error odd = {"", 0, 0, 0, 0, "999", "boom"};
    n = hl7_ack(&m, A03, sizeof A03 - 1, "AE", &odd, "C5", "20240105083001", out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\rERR|||207^Application internal error^HL70357|E||||boom\r"));
    hl7_msg_free(&m);
}
END_TEST

START_TEST(test_ack_delimiters_and_versions)
{
    hl7_msg m;
    hl7_error e;
    char out[512];
    /* the answer speaks the message's delimiters; MSH-3 is copied whole (SND%X) */
    ck_assert_int_eq(PARSE(ODD, &m, &e), 0);
    hl7_ack(&m, ODD, sizeof ODD - 1, "AA", NULL, "C9", "20240101120001", out, sizeof out);
    ck_assert_str_eq(out, "MSH*%$@!*RCV*RFAC*SND%X*FAC*20240101120001**ACK%A01%ACK*C9*P*2.5.1\r"
                          "MSA*AA*C1\r");
    hl7_error x = {"PID", 2, 3, 2, 1, "102", "a*b%c"};
    hl7_ack(&m, ODD, sizeof ODD - 1, "AE", &x, "C9", "20240101120001", out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\rERR**PID%2%3%2%1*102%Data type error%HL70357*E****a@F@b@S@c\r"));
    hl7_msg_free(&m);
    /* 2.7 with the truncation character: echoed, and escaped in ERR-8 */
    static const char t27[] = "MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|X|T^I|2.7^USA\r";
    ck_assert_int_eq(PARSE(t27, &m, &e), 0);
    hl7_error y = {"", 0, 0, 0, 0, "100", "no # here"};
    hl7_ack(&m, t27, sizeof t27 - 1, "AE", &y, "Z", "N", out, sizeof out);
    ck_assert_str_eq(out, "MSH|^~\\&#|C|D|A|B|N||ACK^A01^ACK|Z|T^I|2.7^USA\rMSA|AE|X\r"
                          "ERR|||100^Segment sequence error^HL70357|E||||no \\P\\ here\r");
    hl7_msg_free(&m);
    /* no MSH-9.2: the event from EVN-1; no MSH-11/12: the defaults */
    static const char bare[] = "MSH|^~\\&|A|B|||||ADT|Q1\rEVN|A08\r";
    ck_assert_int_eq(PARSE(bare, &m, &e), 0);
    hl7_ack(&m, bare, sizeof bare - 1, "AA", NULL, "Z", "N", out, sizeof out);
    ck_assert_str_eq(out, "MSH|^~\\&|||A|B|N||ACK^A08^ACK|Z|P|2.5.1\rMSA|AA|Q1\r");
    hl7_msg_free(&m);
}
END_TEST

/* A message that did not parse: the MSH fields read best-effort from the raw bytes. */
START_TEST(test_ack_unparsed)
{
    hl7_msg m;
    hl7_error e;
    char out[512];
    static const char nul[] = "MSH|^~\\&|APP|FAC|CARA|ACO|20240101||ADT^A01|CTRL9|P|2.5\rPID|1\0x\r";
    ck_assert_int_eq(hl7_parse(nul, sizeof nul - 1, &m, &e), -1);
    hl7_ack(NULL, nul, sizeof nul - 1, "AE", &e, "C1", "N", out, sizeof out);
    ck_assert_str_eq(out, "MSH|^~\\&|CARA|ACO|APP|FAC|N||ACK^A01^ACK|C1|P|2.5\rMSA|AE|CTRL9\r"
                          "ERR|||102^Data type error^HL70357|E||||the message holds a NUL byte (at "
                          "offset 61)\r");
    /* the parsed-but-failed message may be passed too */
    hl7_ack(&m, nul, sizeof nul - 1, "AE", &e, "C1", "N", out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\rMSA|AE|CTRL9\r"));
    hl7_msg_free(&m);
    /* bad encoding characters but the usual field separator: fields still read */
    static const char badenc[] = "MSH|^^\\&|APP|FAC|R|RF|2024||ADT^A02|X7|P|2.4\r";
    ck_assert_int_eq(hl7_parse(badenc, sizeof badenc - 1, &m, &e), -1);
    hl7_ack(NULL, badenc, sizeof badenc - 1, "AR", &e, "C2", "N", out, sizeof out);
    ck_assert_str_eq(out, "MSH|^~\\&|R|RF|APP|FAC|N||ACK^A02^ACK|C2|P|2.4\rMSA|AR|X7\r"
                          "ERR||MSH^1^2|102^Data type error^HL70357|E||||MSH-2 (encoding characters) "
                          "repeats a character\r");
    hl7_msg_free(&m);
    /* a message that is only "MSH|", garbage, nothing at all: empty MSH fields */
    static const char *junk[] = {"MSH|", "hello world", "", "\r\n"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(hl7_parse(junk[i], strlen(junk[i]), &m, &e), -1);
        int n = hl7_ack(NULL, junk[i], strlen(junk[i]), "AR", &e, "C3", "N", out, sizeof out);
        ck_assert_int_gt(n, 0);
        static const char head[] = "MSH|^~\\&|||||N||ACK|C3|P|2.5.1\rMSA|AR|\rERR|";
        ck_assert_msg(strncmp(out, head, sizeof head - 1) == 0, "%s: %s", junk[i], out);
        hl7_msg_free(&m);
    }
    ck_assert_int_gt(hl7_ack(NULL, NULL, 0, "AR", NULL, NULL, NULL, out, sizeof out), 0);
    ck_assert_str_eq(out, "MSH|^~\\&|||||||ACK||P|2.5.1\rMSA|AR|\r"
                          "ERR|||207^Application internal error^HL70357|E\r");
    /* odd delimiters in an unparsed message: its own separators, control bytes not copied */
    static const char odd[] = "MSH*%$@!*A\tB*FAC*R*RF*2024**ADT%A01*ID1*P*2.5\rZ\r";
    ck_assert_int_eq(hl7_parse(odd, sizeof odd - 1, &m, &e), -1);
    hl7_ack(NULL, odd, sizeof odd - 1, "AE", &e, "C4", "N", out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "MSH*%$@!*R*RF**FAC*N**ACK%A01%ACK*C4*P*2.5\rMSA*AE*ID1\r"));
    hl7_msg_free(&m);
}
END_TEST

Suite *suite_hl7(void)
{
    Suite *s = suite_create("hl7");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_standard_a01);
    tcase_add_test(tc, test_components);
    tcase_add_test(tc, test_empty_absent_null);
    tcase_add_test(tc, test_escapes);
    tcase_add_test(tc, test_nondefault_delimiters);
    tcase_add_test(tc, test_segment_endings);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_max_segments);
    tcase_add_test(tc, test_msh_never_split);
    tcase_add_test(tc, test_ack_exact);
    tcase_add_test(tc, test_ack_delimiters_and_versions);
    tcase_add_test(tc, test_ack_unparsed);
    suite_add_tcase(s, tc);
    return s;
}
