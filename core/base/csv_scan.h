/*
 * csv_scan: an RFC 4180 CSV scanner, a pure function over a buffer (it can be fuzzed).
 *
 * Quoted fields with "" escapes and embedded newlines, LF or CRLF line ends, a last
 * line without a newline, and a UTF-8 byte-order mark at the start are handled. Fields
 * point into the buffer, or, for quoted fields that had escapes, into scratch memory
 * owned by the scanner; both stay valid until the next csv_next() call.
 */
#ifndef CARA_CSV_SCAN_H
#define CARA_CSV_SCAN_H

#include <stddef.h>
#include <stdio.h>

typedef struct csv_field {
    const char *p;
    size_t len;
} csv_field;

typedef struct csv_scan {
    const char *pos, *end;
    size_t next_line;        /* line number where the next record starts */
    size_t line;             /* line number of the current record (1-based) */
    csv_field *f;            /* owned */
    size_t n, cap;
    char *scratch;           /* owned */
    size_t used, scratch_cap;
    size_t *off;             /* owned: scratch offset per field, or (size_t)-1 */
    size_t cap_off;
    char err[160];           /* "line:column: message" after an error */
} csv_scan;

/* Start scanning buf (not copied: it must outlive the scanner). */
void csv_scan_init(csv_scan *s, const char *buf, size_t len);

/* Scan buf instead (not copied), keeping the scanner's memory; its first record is
 * numbered `line`. A byte-order mark is not skipped (buf is not a file's start). */
void csv_scan_reset(csv_scan *s, const char *buf, size_t len, size_t line);

/* Next record into s->f[0..s->n). 1 = a record, 0 = end of input, -1 = malformed
 * (message in s->err) or out of memory. A blank line is a record of one empty field. */
int csv_scan_next(csv_scan *s);

void csv_scan_free(csv_scan *s);

/* Write one CSV field (RFC 4180) to f: quoted, with quotes doubled, when it holds a
 * comma, a quote, CR or LF; as it is otherwise. */
void csv_write_field(FILE *f, const char *s);

#endif
