/*
 * load_feed: CMS claim feeds into the store: CCLF deliveries (load_cclf.c) and BCDA FHIR
 * files (load_fhir.c). Mapping and rules: docs/input-formats.md.
 *
 * A delivery (the CCLF files of one ACO and date; the FHIR files given together) loads
 * in one transaction. Every bad record is reported as "file:record:column: FIELD:
 * message" (FHIR: "file:line: Resource id: path: message"). By default any bad record
 * rejects the whole delivery and the store is unchanged; with skip_bad the good records
 * load, and each rejected record (CCLF: with every record of the same claim) is written
 * to o->rejects as a tab-separated line: file, record, field, reason, the record.
 * Files whose SHA-256 was loaded before are not read again.
 */
#ifndef CARA_LOAD_FEED_H
#define CARA_LOAD_FEED_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "base/base.h"
#include "store/store.h"

typedef struct feed_opts {
    int max_errors;      /* errors printed (default 50); all are counted */
    FILE *err;           /* where errors go */
    FILE *out;           /* where the summary goes (NULL: none) */
    int skip_bad;        /* load the good records, write the bad ones to rejects */
    FILE *rejects;       /* required with skip_bad */
    int strict;          /* --strict: a malformed optional field is an error (rejects the
                            record, and without skip_bad the delivery), not a warning */
    int no_direct;       /* the first claims of a store through the WAL too (load_csv.h) */
    int serial_writes;   /* one thread: FHIR parsed and claims stored on the loading
                            thread (by default FHIR files are parsed on a second thread,
                            fhir_reader.h, and claims stored on another, feed_sink_behind;
                            the same rows either way); for CCLF, the claim files'
                            records checked on this thread alone too (cclf_ahead.h) */
    size_t check_chunk;  /* CCLF: records per chunk of that two-thread check (0: its
                            default; tests use a few records to cross chunks) */
    size_t stage_records; /* CCLF: records the stage holds in memory before it moves to
                            its tables (0: CCLF_STAGE_MEM_RECORDS; tests use a few) */
    size_t conv_batch;   /* CCLF: Part B records and Part A claims per batch converted on
                            a second thread while the claims before them are stored (0:
                            the defaults, 256 and 64; tests use a few to cross batches) */
    char *const *cclf_names; /* CCLF: what messages, the loads rows and the audit call
                            load_cclf's paths[i] (a bundle's member, extracted to a
                            temporary folder: "BUNDLE/MEMBER"); NULL, or a NULL entry: the
                            path itself */
} feed_opts;

/* Errors of one delivery. */
typedef struct feed_report {
    const feed_opts *o;
    int errors;
    int64_t rejected;    /* records written to the rejects file */
    int64_t warnings;    /* optional fields stored as absent (feed_warn), data warnings
                            (feed_notice) */
    int64_t skipped;     /* records of types cara does not price (Part D, ...), counted */
} feed_report;

/* Report a bad record: prints "path:record[:column]: [FIELD: ]message" (up to
 * max_errors) and, with skip_bad, writes the rejects line. rec/reclen is the record
 * (may be NULL). */
void feed_reject(feed_report *r, const char *path, size_t record, size_t column,
                 const char *field, const char *rec, size_t reclen, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/*
 * Tiered strictness. A malformed *optional* field (one cara can price the claim
 * without: a modifier, a secondary NPI or TIN, a diagnosis past the principal, ...)
 * is a warning: printed as "path:record[:column]: warning: FIELD: message" (counted
 * with the errors toward max_errors), the field is stored as absent and the record's
 * money is kept. Returns 0 then. With o->strict it is reported as an error instead
 * (feed_reject) and returns -1: the caller rejects the record.
 */
int feed_warn(feed_report *r, const char *path, size_t record, size_t column,
              const char *field, const char *rec, size_t reclen, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/*
 * A data warning that is not a malformed field (an unknown FHIR resource type, a service
 * date far in the future): printed as "path:record: warning: message" (record 0: no
 * ":record"), counted in
 * r->warnings (stored as loads.warnings), never an error, with or without --strict.
 */
/* The latest service date cara accepts without a warning: the model's last performance
 * year (2036) and six months of run-out (docs/input-formats.md, "Dates"). */
#define LOAD_DATE_HORIZON_TEXT "2037-06-30"
/* Its day number (tests/test_load.c, test_future_dates, checks that the two agree). */
#define LOAD_DATE_HORIZON_DAY 24652

/* 1 when d (not CARA_DATE_NONE) is after LOAD_DATE_HORIZON_TEXT. */
int load_date_beyond_horizon(cara_date d);

/* feed_notice for a claim whose dates (claim from/thru, a line's from/thru) lie beyond
 * the horizon: one warning per claim naming it and its latest date. The claim loads. */
void feed_check_dates(feed_report *r, const char *path, size_t record, const feed_claim *c);

void feed_notice(feed_report *r, const char *path, size_t record, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* 1 when base is a CMS CCLF file name. */
int load_is_cclf_name(const char *base);

/* 1 when base looks like a FHIR file (*.ndjson, *.json). */
int load_is_fhir_name(const char *base);

/*
 * Load the CCLF files paths[0..n): they are grouped into deliveries (environment, ACO,
 * date) and loaded in date order, each in its own transaction. Returns 0, or a negative
 * code when a delivery was rejected (the ones before it stay loaded).
 */
int load_cclf(store *s, char *const *paths, size_t n, const feed_opts *o);

/* Load FHIR NDJSON / Bundle files paths[0..n) as one delivery: Patient resources first,
 * then Coverage, then ExplanationOfBenefit. 0 or a negative code (nothing loaded). */
int load_fhir(store *s, char *const *paths, size_t n, const feed_opts *o);

/* Shared by the two loaders: record the file in `loads` (kind e.g. "cclf1", "fhir"),
 * returning its load_id in *id; 1 when these bytes were loaded before *whole* (a load
 * of the same SHA-256 and kind with no rejected records: load_seen), and then nothing
 * is recorded. bytes: the file's size (loads.bytes). */
int load_feed_record(store *s, const char *path, const char *kind, const char *sha,
                     int64_t bytes, int64_t *id, char *err, size_t errlen);

/* A file whose hash is being computed alongside the load (file_hash.h): its loads row
 * with sha256 "" and no audit row yet; *id its load_id, at its loaded_at. 0 or -EIO. */
int load_feed_record_pending(store *s, const char *path, const char *kind, int64_t bytes,
                             int64_t *id, char at[32], char *err, size_t errlen);

/* The hash of such a file, once known, into its loads row, and its audit row (as
 * load_feed_record writes it). 0 or -EIO. */
int load_feed_record_hash(store *s, int64_t id, const char *path, const char *kind,
                          const char *sha, const char *at, char *err, size_t errlen);

/* A file of a delivery hashed alongside its load (load_feed_record_pending): its hash
 * joined into sha (h is freed), and recorded into its loads row id with its audit row
 * (at: its loaded_at); *seen 1 when another process loaded the same bytes as kind
 * meanwhile (its row here stays: the delivery is not that one, and the sink's claims
 * may name this load: two loads of the same bytes, both recorded, changing nothing
 * twice). 0, or -EIO with err (a file that cannot be read named with the reason). */
int load_feed_hash_joined(store *s, file_hasher *h, const char *path, const char *kind,
                          int64_t id, const char *at, char sha[65], int *seen, char *err,
                          size_t errlen);

/* CARA_LOAD_TIMING set: the wall time since the previous call ("cara load: timing:
 * LABEL: NAME  S s"), with the resident memory, on stderr; name NULL starts the clock.
 * For docs/performance.md's phase tables; nothing otherwise. */
void load_phase(const char *label, const char *name);

/* Set the rejected and warning counts of load load_id (after the delivery). 0 or -EIO. */
int load_feed_counts(store *s, int64_t load_id, int64_t rejected, int64_t warnings,
                     char *err, size_t errlen);

#endif
