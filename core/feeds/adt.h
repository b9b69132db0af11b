/*
 * adt: what cara reads of an HL7 v2 ADT message (adt.c; docs/adt.md lists every field):
 * a pure function from a parsed message (hl7.h) to an adt_event, with the content errors
 * an ACK must name (AE) and the messages cara does not take (AR).
 *
 * Events: A01 admit, A02 transfer, A03 discharge, A04 registration, A06 outpatient to
 * inpatient, A08 update, A11 cancel admit / visit, A13 cancel discharge, A40 merge
 * patient. Versions 2.3 to 2.8 (MSH-12: 2.3, 2.3.1, 2.4, 2.5, 2.5.1, 2.6, 2.7, 2.7.1,
 * 2.8, 2.8.1, 2.8.2).
 */
#ifndef CARA_ADT_H
#define CARA_ADT_H

#include <stddef.h>

#include "hl7.h"

#define ADT_MAX_DX 32              /* DG1 segments read; more are ignored */

/* One diagnosis (DG1). */
typedef struct adt_dx {
    char code[16];                 /* DG1-3.1, upper case, dots removed ("W19XXXA") */
    char system[16];               /* DG1-3.3 ("I10", "ICD10CM", ... "" when absent) */
    char type[4];                  /* DG1-6: A admitting, W working, F final ("" absent) */
    int priority;                  /* DG1-15 (1 = principal; 0 when absent) */
} adt_dx;

/* Date-times are ISO "YYYY-MM-DDTHH:MM:SS" in the sender's local time (the HL7 DTM's
 * precision is filled: a missing month or day with 01, a missing time with zeros; its
 * fraction and time zone are dropped), "" when absent. Every date-time read needs at
 * least a day (YYYYMMDD). */
typedef struct adt_event {
    char msg_type[4];              /* MSH-9.1 "ADT" */
    char event[4];                 /* MSH-9.2 (or EVN-1 when MSH-9.2 is empty) "A01" */
    char control_id[200];          /* MSH-10 */
    char sending_app[128];         /* MSH-3.1 */
    char sending_facility[128];    /* MSH-4.1 (the sender: with MSH-10, the resend key) */
    char version[12];              /* MSH-12.1 */
    char processing_id[4];         /* MSH-11.1: P production, T training, D debugging */
    char message_time[20];         /* MSH-7 */
    char event_time[20];           /* EVN-6 (event occurred), else EVN-2, else MSH-7 */
    /* patient */
    char mbi[16];                  /* the PID-3 repetition whose identifier type (CX-5)
                                    * is MC, when it is a well-formed MBI (the first such;
                                    * dashes removed and upper-cased before the check) */
    char mbi_problem[160];         /* why mbi is empty: "no PID-3 identifier of type MC",
                                    * "PID-3 MC identifier 123 is not an MBI: ..." */
    char mrn[64];                  /* the first PID-3 identifier (the hospital's) */
    char birth_date[11];           /* PID-7 as YYYY-MM-DD ("" absent) */
    char sex[2];                   /* PID-8 */
    char death_time[20];           /* PID-29 */
    /* visit */
    char patient_class[4];         /* PV1-2: E emergency, I inpatient, O outpatient, ... */
    char visit_number[64];         /* PV1-19.1 */
    char admit_time[20];           /* PV1-44 */
    char discharge_time[20];       /* PV1-45 (first repetition) */
    char discharge_disposition[8]; /* PV1-36 (01 home, 06 home health, 03 SNF, ...) */
    char attending_npi[11];        /* PV1-7: the repetition whose identifier type (XCN-13)
                                    * is NPI, or whose id passes the NPI check; "" none */
    char admit_reason[16];         /* PV2-3.1, upper case, dots removed */
    adt_dx dx[ADT_MAX_DX];
    size_t n_dx;
    /* merge (A40) */
    char prior_mbi[16];            /* MRG-1 repetition of type MC (or the only MRG-1 id
                                    * when it is a well-formed MBI) */
    char prior_mrn[64];            /* MRG-1.1 of the first repetition */
} adt_event;

enum {
    ADT_OK = 0,
    ADT_ERROR = -1,                /* a content error: answer AE, *e names the field */
    ADT_REJECT = -2,               /* not taken: answer AR (unsupported message type,
                                    * event, version or processing id) */
};

/*
 * Read m into *ev. Required: MSH-9 (ADT and one of the events above), MSH-10, MSH-11
 * (P, T or D), MSH-12 of a supported version, PID with PID-3; PV1 with PV1-19 for
 * A01-A13; MRG with MRG-1 for A40. A missing segment is code 100, a missing field 101
 * (AE); an unsupported type, event, processing id or version 200 / 201 / 202 / 203 (AR).
 * Every date-time read (MSH-7, EVN-2, EVN-6, PID-7, PID-29, PV1-44, PV1-45) must be a
 * valid HL7 DTM (ADT_ERROR code 102 naming the field and the value); a value too long
 * for its field of adt_event or with a malformed escape is 102 too, a PID-8 of more
 * than one character 103. A missing MBI is not an error (the event is kept as
 * unmatched; mbi_problem says why). e may be NULL.
 */
int adt_from_hl7(const hl7_msg *m, adt_event *ev, hl7_error *e);

/* An HL7 DTM ("YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]") as ISO into out[20]. 0, or -1
 * when it is not a valid DTM (or has less than a day's precision when need_day). */
int adt_dtm(const char *s, size_t len, int need_day, char out[20]);

#endif
