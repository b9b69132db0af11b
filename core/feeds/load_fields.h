/*
 * load_fields: validation of one CSV field of the input layer (docs/input-formats.md), pure.
 *
 * Each check takes the raw field text and either accepts it (writing the normalized
 * value where there is one) or writes a message that quotes the value and says what
 * is expected. The loader prefixes "file:line:column: field: ".
 */
#ifndef CARA_LOAD_FIELDS_H
#define CARA_LOAD_FIELDS_H

#include <stddef.h>
#include <stdint.h>

enum field_kind {
    F_ID,        /* identifier: 1-64 visible characters, no spaces */
    F_TEXT,      /* free text, at most 200 characters */
    F_MBI,       /* Medicare Beneficiary Identifier */
    F_NPI,       /* NPI with its check digit */
    F_TIN,       /* TIN: 9 digits, an issued prefix */
    F_DATE,      /* YYYY-MM-DD */
    F_MONEY,     /* dollars, at most two decimals -> cents */
    F_POSINT,    /* 1..999999 */
    F_BPS,       /* integer basis points within [lo, hi] of the spec */
    F_ICD10,     /* ICD-10-CM, no dot */
    F_HCPCS,     /* HCPCS/CPT: 5 digits, 4 digits + F/T, or a letter + 4 digits */
    F_MODIFIER,  /* 2 letters or digits */
    F_BILL_TYPE, /* 3 digits (a 4-digit form with a leading 0 is accepted -> 3) */
    F_REVENUE,   /* 4 digits */
    F_POS,       /* place of service: 2 digits */
    F_DISP,      /* discharge disposition: 2 digits */
    F_STATE,     /* 2 uppercase letters */
    F_ZIP,       /* 5 digits or 5+4 */
    F_SPECIALTY, /* CMS specialty: 2 letters or digits */
    F_ENUM,      /* one of the spec's words */
    /* the CSV input layer's forms (Tuva Project input layer); the feeds keep the above */
    F_PERSON,    /* person id: an identifier (1-64 visible characters); an MBI written with
                  * dashes (1EG4-TE5-MK73) or in lowercase is normalized to its 11 characters */
    F_US_STATE,  /* a USPS state or territory code, or its full name (-> the code) */
    F_TOB,       /* type of bill: F_BILL_TYPE, and the frequency (3rd character) may be an
                  * NUBC letter code (13I) */
    F_CODE       /* F_ENUM of 2-digit codes that may be written as numbers: 2, 2.0 -> 02 */
};

/* One column of a file kind. */
typedef struct field_spec {
    const char *name;      /* the CSV header name (Tuva Project / docs/input-formats.md) */
    int kind;              /* enum field_kind */
    int required;          /* the column must exist */
    int nonempty;          /* a value must be given */
    const char *const *words; /* F_ENUM: allowed values (NULL-terminated) */
    int64_t lo, hi;        /* F_BPS bounds */
} field_spec;

/* A checked value: text normalized into buf, or an integer. */
typedef struct field_value {
    int empty;             /* the field was empty */
    char text[80];         /* normalized text (truncated fields are errors first) */
    int64_t num;           /* F_MONEY cents, F_POSINT, F_BPS, F_DATE (day number) */
} field_value;

/*
 * Check field `p` (len bytes) against spec. Returns 0 and fills v, or -1 with the
 * reason in msg (quoting the value, saying what is expected).
 */
int field_check(const field_spec *spec, const char *p, size_t len, field_value *v, char *msg,
                size_t msglen);

#endif
