/*
 * cclf: CMS Claim and Claim Line Feed files (CCLF Information Packet v36), pure.
 *
 * The fixed-width layouts of CCLF0-9, A and B (core/feeds/cclf_layouts.c, generated from the
 * packet's tables), the CMS file names (P.A1234.ACO.ZC1Y27.D270115.T1200000 and the
 * test T. form), record iteration with record-length checks, and the typed field
 * readers (text, digits, dates, signed money). Loading CCLF deliveries into the store
 * builds on this.
 */
#ifndef CARA_CCLF_H
#define CARA_CCLF_H

#include <stddef.h>
#include <stdint.h>

#include "cara/types.h"

typedef struct cclf_field {
    const char *name;     /* the packet's element name, e.g. CLM_FROM_DT */
    uint16_t start;       /* 1-based position */
    uint16_t len;
    char kind;            /* 'X' text, '9' digits, 'D' YYYY-MM-DD, 'M' signed money -9(n).99 */
} cclf_field;

typedef struct cclf_layout {
    char file;            /* '0'..'9', 'A', 'B' */
    uint16_t reclen;      /* record length, without the line end */
    const cclf_field *fields;
    size_t n;
} cclf_layout;

extern const cclf_layout cclf_layouts[12];

/* The layout of file '0'..'9', 'A', 'B', or NULL. */
const cclf_layout *cclf_layout_for(char file);

/* The field named `name` in a layout, or NULL. */
const cclf_field *cclf_field_named(const cclf_layout *l, const char *name);

/* A CMS file name: {P|T}.{entity}.ACO.ZC{file}{Y|R}{yy}.D{yymmdd}.T{hhmmssn}, the entity
 * any prefix and id (A1234 Shared Savings, D1234 REACH, F123 VTAPM, ...); R marks the
 * run-out files of a performance year (CCLF IP v36 3.4 and Appendix B). */
typedef struct cclf_name {
    char env;             /* 'P' production, 'T' test */
    int runout;           /* 1: a run-out file (ZC{file}R{yy}) */
    char aco[16];         /* e.g. "A1234" */
    char file;            /* '0'..'9', 'A', 'B' */
    int year;             /* performance year, e.g. 2027 */
    cara_date date;       /* the delivery date */
} cclf_name;

/* Parse a file's base name. 0, or -EINVAL when it is not a CCLF name. */
int cclf_name_parse(const char *base, cclf_name *out);

/*
 * Iterate fixed-width records (one per line, LF or CRLF). fn gets each record (reclen
 * bytes) and its 1-based number; a non-zero return stops. A line of another length is
 * an error: -EINVAL with "record N is M characters long (CCLFx records are L)" in err.
 * Returns the number of records, or a negative code.
 */
typedef int (*cclf_record_fn)(void *ud, const char *rec, size_t number);
long cclf_records(const cclf_layout *l, const char *buf, size_t len, cclf_record_fn fn,
                  void *ud, char *err, size_t errlen);

/* Field text with trailing spaces removed, into out (NUL-terminated, truncated to
 * outlen - 1). A field of only '~' (CMS's filler for unused fields) is empty. Returns its
 * length. */
size_t cclf_text(const char *rec, const cclf_field *f, char *out, size_t outlen);

/* A date field: 0 with *d, or 1 when blank or a CMS placeholder (1000-01-01,
 * 9999-12-31), or -EINVAL. */
int cclf_date(const char *rec, const cclf_field *f, cara_date *d);

/* A signed money field (-9(n).99: a sign, digits, '.', two digits; leading zeros and
 * surrounding spaces allowed) into cents; blank or '~' is 0. 0 or -EINVAL. */
int cclf_money(const char *rec, const cclf_field *f, int64_t *cents);

/* ---- CCLF0: the delivery summary ---- */

typedef struct cclf_count {
    char file;            /* '1'..'9', 'A', 'B' */
    long records;         /* the count CMS says the file has */
    long reclen;          /* the record length CMS says it has */
} cclf_count;

/*
 * Read a CCLF0 summary: each record whose FileNumberLabel is "CCLFx" gives file x's
 * record count and length (other records, such as column headings, are skipped). Fills
 * out (at most max) and returns how many, or -EINVAL with "record N: ..." in err.
 */
int cclf_summary(const char *buf, size_t len, cclf_count *out, int max, char *err, size_t errlen);

/* ---- CCLF9: the MBI crosswalk ---- */

typedef struct cclf_xwalk cclf_xwalk;

/*
 * Build the crosswalk from CCLF9 records (previous MBI -> current MBI). Chains resolve
 * to the last MBI (A -> B, B -> C: A -> C); a cycle is an error naming the MBIs. The
 * caller owns *out (cclf_xwalk_free). 0 or a negative code with a message.
 */
int cclf_xwalk_build(const char *buf, size_t len, cclf_xwalk **out, char *err, size_t errlen);

/* The current MBI for mbi (itself when the crosswalk does not know it). Borrowed:
 * valid while x and mbi are. */
const char *cclf_xwalk_current(const cclf_xwalk *x, const char *mbi);

/* Number of previous MBIs known. */
size_t cclf_xwalk_size(const cclf_xwalk *x);

void cclf_xwalk_free(cclf_xwalk *x);

#endif
