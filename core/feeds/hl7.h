/*
 * hl7: a parser of HL7 version 2 messages (2.3 to 2.8), a pure function over a buffer,
 * and the ACK builder (hl7.c, hl7_ack.c; docs/adt.md).
 *
 * A message is segments separated by a carriage return (a lone "\n" or "\r\n" is taken
 * as one too); the first segment is MSH, whose fourth byte is the field separator and
 * whose MSH-2 gives the component, repetition, escape and subcomponent separators (and
 * the truncation character in 2.7+). Nothing is copied: the parsed message points into
 * the caller's buffer, which must outlive it. Values are raw (escapes undecoded) until
 * hl7_text decodes them.
 *
 * Numbering is HL7's: fields from 1 (for MSH, MSH-1 is the field separator itself and
 * MSH-2 the encoding characters, so that MSH-9 is the message type as the standard
 * says), repetitions from 1, components and subcomponents from 1 (0: the whole).
 */
#ifndef CARA_HL7_H
#define CARA_HL7_H

#include <stddef.h>

#define HL7_MAX_SEGMENTS 1000      /* more is a content error (HL7 code 100) */

typedef struct hl7_span {
    const char *p;
    size_t len;
} hl7_span;

typedef struct hl7_delims {
    char field, component, repetition, escape, subcomponent; /* '|' '^' '~' '\\' '&' */
    char truncation;                                         /* '#' in 2.7+, 0 when none */
} hl7_delims;

typedef struct hl7_segment {
    char id[4];                    /* "MSH", "PID", ... (NUL-terminated) */
    const char *p;                 /* the segment's bytes, its id included */
    size_t len;                    /* without the terminating carriage return */
    size_t index;                  /* 1-based position in the message (ERR-2.2) */
} hl7_segment;

typedef struct hl7_msg {
    const char *buf;
    size_t len;
    hl7_delims d;
    hl7_segment *seg;              /* owned (hl7_msg_free) */
    size_t n_seg;
} hl7_msg;

/* What went wrong, in HL7's terms, for ERR (a content error of a parsed message, or a
 * message that did not parse). */
typedef struct hl7_error {
    char segment[4];               /* "PID" ("" when not about a segment) */
    size_t seg_index;              /* ERR-2.2, the segment's sequence: 1 for the first
                                    * segment with that id, 2 for the second... (for a
                                    * message that does not parse: its position in the
                                    * message); 0 when unknown */
    int field, rep, comp;          /* 0 when not about a field / repetition / component */
    char code[4];                  /* HL7 table 0357: 100 segment sequence error, 101
                                    * required field missing, 102 data type error, 103
                                    * table value not found, 200 unsupported message
                                    * type, 201 unsupported event code, 202 unsupported
                                    * processing id, 203 unsupported version id, 207
                                    * application internal error */
    char message[256];             /* for a person: names the field and the value */
} hl7_error;

/*
 * Parse len bytes of buf (one message, without its MLLP framing) into *m. Returns 0, or
 * -1 with *e filled (no MSH first, a bad MSH-1/MSH-2, a segment id that is not three
 * upper-case letters or digits, too many segments, a NUL byte) and *m empty. Trailing
 * empty segments are ignored. Free with hl7_msg_free in both cases.
 */
int hl7_parse(const char *buf, size_t len, hl7_msg *m, hl7_error *e);
void hl7_msg_free(hl7_msg *m);

/*
 * The delimiters of an MSH segment's bytes (line[0..len), "MSH" then MSH-1 and MSH-2):
 * the field separator and each encoding character must be a visible ASCII character
 * other than a letter or digit, all different, MSH-2 being 4 or 5 of them. 0 with *d
 * set, or -1 with *why (a static sentence) and *field the MSH field at fault (0 when
 * the line is not an MSH segment). hl7_parse and hl7_ack's best-effort reading use it.
 */
int hl7_delims_of(const char *line, size_t len, hl7_delims *d, const char **why, int *field);

/* The nth (1-based) segment with this id, or NULL. */
const hl7_segment *hl7_segment_get(const hl7_msg *m, const char *id, size_t nth);
size_t hl7_segment_count(const hl7_msg *m, const char *id);

/* How many repetitions field `field` of s has (0 when absent or empty). */
size_t hl7_repetitions(const hl7_msg *m, const hl7_segment *s, int field);

/*
 * The raw value of field / repetition / component / subcomponent of s (rep, comp and
 * sub from 1; rep, comp or sub 0 = the whole: rep 0 is the field with all its
 * repetitions, sub > 0 with comp 0 reads component 1). 1 with *out set when present and non-empty;
 * 0 with *out empty when absent or empty. MSH-1 is the field separator, MSH-2 the
 * encoding characters (never split).
 */
int hl7_get(const hl7_msg *m, const hl7_segment *s, int field, int rep, int comp, int sub,
            hl7_span *out);

/*
 * Decode the escapes of a raw value (\F\ \S\ \T\ \R\ \E\, \Xhh..\ as bytes, \.br\ as a
 * line feed; other formatting escapes dropped) into out, NUL-terminated. Returns the
 * length, or -1 when it does not fit in outlen or an escape is malformed (no closing
 * escape character, an empty escape, odd or bad hex, \X00\). \P\ is the truncation
 * character ('#' when none); \H\ \N\ \.sp\ \.in\ \Cxxyy\ \Zxx\ ... are dropped. m
 * NULL: the default delimiters. The HL7 "" (explicit null) decodes to "".
 */
int hl7_text(const hl7_msg *m, hl7_span raw, char *out, size_t outlen);

/* hl7_get then hl7_text: 1 with out set, 0 absent (out ""; also for the null "" and a
 * value that decodes to nothing), -1 too long or malformed. */
int hl7_field_text(const hl7_msg *m, const hl7_segment *s, int field, int rep, int comp,
                   char *out, size_t outlen);

/*
 * Write the acknowledgement of a message into out (NUL-terminated, segments ended by
 * "\r", no MLLP framing): MSH with the sender and receiver swapped (MSH-3/4 of the
 * answer are MSH-5/6 of the message and the other way round), MSH-7 = now (given as
 * HL7 DTM "YYYYMMDDHHMMSS"), MSH-9 "ACK^<event>^ACK", MSH-10 = control_id, MSH-11 and
 * MSH-12 echoed (defaults "P" and "2.5.1"); MSA|<code>|<MSH-10 of the message>; for AE
 * and AR an ERR segment: ERR-2 location (segment^index^field^rep^comp), ERR-3
 * "<code>^<text>^HL70357", ERR-4 severity "E", ERR-8 the message (escaped). m may be
 * NULL or a message that did not parse: then the MSH fields are read best-effort from
 * raw (rawlen bytes), and left empty when they cannot be. code is "AA", "AE" or "AR";
 * e may be NULL for AA (for AE / AR, a NULL e or a code not in table 0357 gives 207).
 * The answer uses the message's delimiters (its MSH-2 echoed), the defaults when its
 * MSH cannot be read; MSH fields are copied raw unless they hold a control byte (then
 * left empty); MSH-9 is "ACK" alone when the message has no event (MSH-9.2, else
 * EVN-1). Returns the length, or -1 when it does not fit (out is then "").
 */
int hl7_ack(const hl7_msg *m, const char *raw, size_t rawlen, const char *code,
            const hl7_error *e, const char *control_id, const char *now, char *out,
            size_t outlen);

#endif
