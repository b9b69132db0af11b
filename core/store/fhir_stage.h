/*
 * fhir_stage: the FHIR loader's staging tables (core/load/load_fhir.c), temporary tables
 * on the store's connection that live while one delivery loads: fhir_bene (the staged
 * Patient resources, one row per patient id), fhir_cov (their Part A and B Coverage
 * periods) and fhir_defer (the ExplanationOfBenefit records read before their Patient,
 * by file index and record number). fhir_stage_open creates them (dropping any left
 * over) and fhir_stage_close drops them, so one stage at a time per connection. The
 * staging statements are prepared at open, the reads and the per-file probe once, on
 * first use; explicit column lists. Calls run inside the caller's transaction (a
 * rollback drops the tables with everything else).
 *
 * Errors: 0 (or a row count as stated), or -EIO with err = SQLite's message alone (the
 * loader names what failed: "cara load: staging patients: <message>"); -ENOMEM when the
 * stage cannot be allocated.
 */
#ifndef CARA_STORE_FHIR_STAGE_H
#define CARA_STORE_FHIR_STAGE_H

#include <stddef.h>

#include "cara/types.h"
#include "store_conn.h"

typedef struct fhir_stage fhir_stage;

/* A staged Patient. Dates CARA_DATE_NONE for absent. As put: borrowed for the call; as
 * read (fhir_stage_next): borrowed until the next fhir_stage_next or fhir_stage_close. */
typedef struct fhir_stage_patient {
    const char *patient_id, *mbi, *gender, *state, *zip;
    cara_date birth, death;
} fhir_stage_patient;

/* A staged Coverage period of a patient. part 'A' or 'B'; start and end CARA_DATE_NONE
 * for absent; dual and ms the dual status and Medicare status codes. As put: borrowed
 * for the call; as read (fhir_stage_next_cov): borrowed until the next fhir_stage_next_cov,
 * fhir_stage_next or fhir_stage_close. */
typedef struct fhir_stage_cov {
    char part;
    cara_date start, end;
    const char *dual, *ms;
} fhir_stage_cov;

/* Create the staging tables on s (empty: tables of an earlier stage are dropped first)
 * and prepare the staging statements. The caller owns *out (fhir_stage_close); on
 * failure *out is NULL and nothing is left prepared. 0, -ENOMEM, or -EIO (err: the
 * message of the failed CREATE, "?" when SQLite gave none, or of the failed prepare). */
int fhir_stage_open(store *s, fhir_stage **out, char *err, size_t errlen);

/* Finalize the statements, drop the staging tables (errors ignored: this is also the
 * error path) and free st. NULL is a no-op. */
void fhir_stage_close(fhir_stage *st);

/* Stage patient p (p->patient_id the key: a patient id staged before is replaced, its
 * last values kept; text NULL is not allowed). 0 or -EIO. */
int fhir_stage_patient_put(fhir_stage *st, const fhir_stage_patient *p, char *err,
                           size_t errlen);

/* Stage a coverage period c of patient_id (every period is kept, in any order). 0 or
 * -EIO. */
int fhir_stage_cov_put(fhir_stage *st, const char *patient_id, const fhir_stage_cov *c,
                       char *err, size_t errlen);

/* Remember record number of file fidx as deferred (remembering it again is a no-op). 0
 * or -EIO. */
int fhir_stage_defer(fhir_stage *st, size_t fidx, size_t number, char *err, size_t errlen);

/* *yes = 1 when record number of file fidx was deferred, else 0. 0 or -EIO (*yes 0). */
int fhir_stage_deferred(fhir_stage *st, size_t fidx, size_t number, int *yes, char *err,
                        size_t errlen);

/* *yes = 1 when any record of file fidx was deferred, else 0. 0 or -EIO (*yes 0). */
int fhir_stage_file_deferred(fhir_stage *st, size_t fidx, int *yes, char *err, size_t errlen);

/*
 * The staged patients, one per call, into *p (borrowed views, see fhir_stage_patient),
 * each patient once with its last values, in table order (the order of their last put).
 * The first call starts the walk; 1 with a patient, 0 at the end (the next call starts
 * again), -EIO on a failure (the walk starts again on the next call).
 */
int fhir_stage_next(fhir_stage *st, fhir_stage_patient *p, char *err, size_t errlen);

/*
 * The coverage periods of the patient fhir_stage_next returned last, one per call, into
 * *c (borrowed views): Part B before Part A, within a part the dated periods by start
 * and then the undated ones (the order the loader picks spans in). A caller may stop
 * early: the next fhir_stage_next ends the walk. 1 with a period, 0 at the end, -EIO on
 * a failure, -EINVAL when no patient is current (before the first, after the last).
 */
int fhir_stage_next_cov(fhir_stage *st, fhir_stage_cov *c, char *err, size_t errlen);

#endif
