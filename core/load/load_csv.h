/*
 * load: the CSV input layer (docs/input-formats.md) into the store.
 *
 * One file loads in one transaction or not at all: every field is validated, every
 * error is reported as "file:line:column: field: message" (up to a limit), and a file
 * with any error leaves the store as it was. A file whose SHA-256 was loaded before,
 * with no row rejected, is skipped. Reference files upsert by primary key; claims apply in file order
 * (adjustment_type_code 0 or 2 replaces the stored claim, 1 deletes it). Files are
 * memory-mapped, so memory does not grow with file size.
 */
#ifndef CARA_LOAD_H
#define CARA_LOAD_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

enum load_kind {
    LOAD_ACOS,
    LOAD_PROVIDERS,
    LOAD_ELIGIBILITY,
    LOAD_ALIGNMENT,
    LOAD_ARRANGEMENTS,
    LOAD_PARTICIPANTS,
    LOAD_MEDICAL_CLAIM,
    LOAD_N_KINDS
};

/* The file name of a kind ("acos.csv", ...); kinds are in dependency order. */
const char *load_kind_file(int kind);

/* What happened to one file. */
typedef struct load_result {
    int kind;            /* enum load_kind, or -1 when unknown */
    int skipped;         /* already loaded (same SHA-256) */
    int64_t rows;        /* data rows read */
    int errors;          /* errors found (0 when loaded) */
    int64_t rejected;    /* with skip_bad: rows written to the rejects file */
    int64_t warnings;    /* optional fields stored as absent */
    /* the file's SHA-256 when it was loaded or skipped; "" when the load failed before
     * its hash was known (a hash computed alongside the load is stopped then) */
    char sha256[65];
} load_result;

typedef struct load_opts {
    int max_errors;      /* errors listed per file (default 50) */
    FILE *err;           /* where errors go (one per line) */
    /* Load the good rows and write each bad one to rejects (TSV: file, line, field,
     * reason, the row) instead of rejecting the file. A claim with a bad line is
     * rejected whole and the store keeps the version it had. A bad header still
     * rejects the file. */
    int skip_bad;
    FILE *rejects;
    /* A malformed optional field is an error (default: a warning, the field stored as
     * absent, the row kept). */
    int strict;
    /* Write claims on the loading thread (default: validated claims are written behind on
     * a second thread; the same rows either way). */
    int serial_writes;
    /* Load the first claims of a store in WAL mode too (default: into an empty claims
     * table, with no other connection to the store, they are written into the file
     * directly, store_direct_begin; the same rows either way). */
    int no_direct;
} load_opts;

/*
 * Load one file. The kind comes from its base name, else from its header row.
 * Returns 0 (loaded or skipped), or a negative code when the file was rejected: its
 * errors were printed to o->err and the store is unchanged.
 */
int load_file(store *s, const char *path, const load_opts *o, load_result *r);

#endif
