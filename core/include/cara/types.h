/*
 * cara/types.h: the data a plugin sees (dates, money, claim lines, beneficiaries).
 *
 * Part of the plugin ABI (see cara/plugin.h and docs/plugin-abi.md). Every struct
 * here is owned by the host and is read-only for the plugin; pointers in it stay valid
 * only for the duration of the callback that received them.
 *
 * ABI rule: structs in this header only grow at the end, in a new ABI minor version.
 * That is safe because a plugin never steps through a host array by its own sizeof:
 * every array (the claim lines, a beneficiary's enrollment and alignment spans) comes
 * as a cara_array that carries the host's element size, and is read with
 * cara_line_at(), cara_enrollment_at(), cara_alignment_at() or CARA_AT(). A plugin
 * built against an older minor reads the leading fields it knows and never sees the
 * new ones; a field newer than the minor a plugin requires is read only after
 * CARA_HAS_FIELD() says the host's element (or b->struct_size) holds it.
 */
#ifndef CARA_TYPES_H
#define CARA_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A calendar date as a day number: days since 1970-01-01 in the proleptic Gregorian
 * calendar (1970-01-02 is 1). Differences of two dates are day counts. */
typedef int32_t cara_date;
/* An absent date (an empty CSV field, an open end). Compares below every real date. */
#define CARA_DATE_NONE INT32_MIN

/* Money: integer cents. Never a float. */
typedef int64_t cara_cents;

/* Claim types of the input layer (docs/input-formats.md). */
enum cara_claim_type {
    CARA_CLAIM_INSTITUTIONAL = 1,
    CARA_CLAIM_PROFESSIONAL = 2,
    CARA_CLAIM_DME = 3
};

/* An ICD-10-CM code without the dot, NUL-terminated (at most 7 characters). */
typedef char cara_icd[8];

/*
 * One claim line, with its claim header fields copied in. Empty code fields are "".
 * Lines of one claim share the same dx array. Amounts are net of cancellations and
 * adjustments (the host has already applied them).
 */
typedef struct cara_claim_line {
    const char *claim_id;          /* claim identifier as loaded */
    int32_t line_number;           /* claim_line_number */
    int32_t claim_type;            /* enum cara_claim_type */
    cara_date service_date;        /* the date that places the line in a window:
                                      line start; institutional: claim start or admission */
    cara_date claim_start, claim_end;
    cara_date line_start, line_end;
    cara_date admission, discharge; /* CARA_DATE_NONE when absent */
    char bill_type[4];             /* 3 digits, e.g. "111"; "" for professional/dme */
    char revenue_center[5];        /* 4 digits, e.g. "0450" */
    char hcpcs[6];                 /* HCPCS/CPT, e.g. "97161", "1100F" */
    char modifiers[5][3];          /* hcpcs_modifier_1..5 */
    char place_of_service[3];      /* 2 digits, e.g. "23" */
    char discharge_disposition[3];
    char rendering_npi[11], rendering_tin[10];
    char billing_npi[11], billing_tin[10];
    char facility_npi[11];
    cara_cents paid;               /* paid_amount: what Medicare paid (spending) */
    cara_cents allowed;            /* allowed_amount */
    uint16_t n_dx;                 /* number of diagnosis codes on the claim */
    const cara_icd *dx;            /* dx[0] is the principal diagnosis */
} cara_claim_line;

/* One enrollment span of eligibility.csv. */
typedef struct cara_enrollment {
    cara_date start, end;          /* inclusive; end CARA_DATE_NONE = open */
    char dual_status[3];           /* "00" none, "01".."08" dual, "" unknown */
    char medicare_status[3];       /* "10","11","20","21","31" */
    uint8_t hospice;               /* 1 when hospice_flag was set for this span */
} cara_enrollment;

/* One alignment span of alignment.csv. */
typedef struct cara_alignment {
    const char *aco_id;
    cara_date start, end;          /* inclusive; end CARA_DATE_NONE = open */
} cara_alignment;

/*
 * A read-only array of host structs: n elements, `size` bytes apart. size is the
 * host's sizeof of the element, which a newer minor may have grown beyond the sizeof
 * the plugin was compiled with: index only through CARA_AT() and the typed accessors
 * below, never as a C array. This struct itself never changes within a major.
 */
typedef struct cara_array {
    const void *base;              /* element 0 (NULL when n is 0) */
    size_t n;                      /* number of elements */
    size_t size;                   /* bytes from one element to the next */
} cara_array;

/* Element i (< a->n) of the cara_array *a, as a const TYPE *. */
#define CARA_AT(TYPE, a, i)                                                             \
    ((const TYPE *)(const void *)((const char *)(a)->base + (size_t)(i) * (a)->size))

/* An initializer for a cara_array over a C array of the host's own structs:
 * `cara_array v = CARA_ARRAY_INIT(lines, n);` (the host and tests build them). */
#define CARA_ARRAY_INIT(ptr, count) {(ptr), (count), sizeof *(ptr)}

/* 1 when an element (or struct) of `size` bytes holds TYPE's FIELD: how a plugin that
 * runs on hosts of an older minor tests for a field added later. */
#define CARA_HAS_FIELD(size, TYPE, FIELD)                                               \
    ((size_t)(size) >= offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))

/* A beneficiary with everything needed to decide eligibility at a trigger. Passed by
 * pointer only, so it may grow at the end in a minor: struct_size says how much the
 * host filled. */
typedef struct cara_beneficiary {
    uint32_t struct_size;          /* sizeof(cara_beneficiary) in the host */
    char gender;                   /* 'M', 'F' or 'U' */
    const char *person_id;         /* the (current) MBI */
    cara_date birth, death;        /* death CARA_DATE_NONE when alive */
    cara_array enrollment;         /* of cara_enrollment, sorted by start */
    cara_array alignment;          /* of cara_alignment, sorted by start */
} cara_beneficiary;

/* Line i (< lines->n) of the claim lines build() received. */
static inline const cara_claim_line *cara_line_at(const cara_array *lines, size_t i)
{
    return CARA_AT(cara_claim_line, lines, i);
}

/* Enrollment span i (< b->enrollment.n) of b. */
static inline const cara_enrollment *cara_enrollment_at(const cara_beneficiary *b, size_t i)
{
    return CARA_AT(cara_enrollment, &b->enrollment, i);
}

/* Alignment span i (< b->alignment.n) of b. */
static inline const cara_alignment *cara_alignment_at(const cara_beneficiary *b, size_t i)
{
    return CARA_AT(cara_alignment, &b->alignment, i);
}

#ifdef __cplusplus
}
#endif
#endif /* CARA_TYPES_H */
