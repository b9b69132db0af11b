/*
 * packed_lines: a claim's lines as one text value, the store's claims.lines column.
 *
 * The value is a JSON array with one array per line, in line-number order, each of
 * PL_FIELDS values in the order of the claim_lines view's columns after claim_id:
 *
 *   [claim_line_number, claim_line_start_date, claim_line_end_date,
 *    place_of_service_code, revenue_center_code, hcpcs_code, hcpcs_modifiers,
 *    rendering_npi, rendering_tin, billing_npi, billing_tin,
 *    paid_cents, allowed_cents, denied, detail_paid_cents]
 *
 * numbers are JSON integers, texts JSON strings, an absent date or detail_paid_cents is
 * null. JSON, so that SQL can read it (the store's claim_lines view unpacks it with
 * json_each) and SQLite's JSON functions can write it (that view's triggers).
 *
 * pl_append writes one line; pl_next reads them back, a pure function over a buffer
 * (it can be fuzzed): it accepts any JSON of that shape (whitespace, escapes, \u
 * sequences) and refuses everything else with the byte offset and what was expected.
 */
#ifndef CARA_BASE_PACKED_LINES_H
#define CARA_BASE_PACKED_LINES_H

#include <stddef.h>
#include <stdint.h>

enum {
    PL_FIELDS = 15,
    /* the text fields, in order (pl_line.text) */
    PL_START = 0, PL_END, PL_POS, PL_REVENUE, PL_HCPCS, PL_MODIFIERS, PL_RENDERING_NPI,
    PL_RENDERING_TIN, PL_BILLING_NPI, PL_BILLING_TIN, PL_TEXTS
};

/* One line. The texts are NUL-terminated (but see pl_reader.borrow); NULL is JSON null
 * (only the two dates may be null when written by the store, but a reader accepts null
 * for any text). */
typedef struct pl_line {
    int64_t number;
    const char *text[PL_TEXTS];
    size_t len[PL_TEXTS];        /* their lengths (pl_next sets them, 0 for NULL;
                                  * pl_append ignores them) */
    int64_t paid_cents, allowed_cents, denied;
    int has_detail;              /* 0: detail_paid_cents is null */
    int64_t detail_paid_cents;
} pl_line;

/* A growing output buffer (owned by the caller: free(b->p)). */
typedef struct pl_buf {
    char *p;
    size_t len, cap;
} pl_buf;

/* Room for more bytes after b->len (and one more). 0, or -ENOMEM. */
int pl_reserve(pl_buf *b, size_t more);
/* Start b as "[" (its memory kept). 0, or -ENOMEM. */
int pl_begin(pl_buf *b);
/* Append line l ("," first unless it is the first). 0, or -ENOMEM. */
int pl_append(pl_buf *b, const pl_line *l);
/* End b with "]" and a NUL (b->len excludes it). 0, or -ENOMEM. */
int pl_end(pl_buf *b);

/* A reader over a packed value (not copied: p must outlive the reader). */
typedef struct pl_reader {
    const char *p, *end, *start;
    char *scratch;               /* owned: the decoded texts of the current line */
    size_t cap;
    int state;                   /* 0 before '[', 1 in the array, 2 done */
    int borrow;                  /* 1: a text without escapes points into the value,
                                  * not NUL-terminated (use its len); 0: every text is
                                  * a NUL-terminated copy. Set by the caller. */
    char err[160];               /* "byte N: message" after an error */
} pl_reader;

/* Start reading p[0..len). r is zeroed before its first start (pl_reader r = {0}); its
 * scratch is kept from one value to the next until pl_reader_free. */
void pl_reader_init(pl_reader *r, const char *p, size_t len);
/* Read the next line into *out (its texts valid until the next call): 1 a line, 0 the
 * end of the array (nothing but whitespace may follow), -1 malformed (r->err says where
 * and what was expected), -ENOMEM. */
int pl_next(pl_reader *r, pl_line *out);
/* Free the reader's memory. */
void pl_reader_free(pl_reader *r);

#endif
