/*
 * exports_q: what an export reads of one run (core/export/, docs/exports.md) and the
 * record of every export made (tables exports, export_members; migration 18).
 *
 * Readers hand rows to a store_row_fn (store_rows.h): cells in the column order of each
 * function's SQL, names as the columns are called. Every reader binds the same scope:
 * run id, and optionally ACO, EBRA (arrangement id), NPI and performance year (NULL =
 * any), so the episodes, arrangements and people of one export always agree.
 * Everything is read through a store owned by the caller; nothing is kept.
 */
#ifndef CARA_EXPORTS_Q_H
#define CARA_EXPORTS_Q_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store_conn.h"
#include "store_rows.h"

typedef struct exports_scope {
    int64_t run_id;
    const char *aco_id, *ebra_id, *npi; /* NULL = any */
    int period;                         /* 0 = any (the trigger date's year) */
} exports_scope;

/* The run export reads: run_id itself, or the latest finished run when 0. 1 with *run_id
 * set and status/finished_at filled (finished_at "" when NULL), 0 when there is no such
 * run (or no finished one), -EIO with err. */
int exports_q_run(store *s, int64_t *run_id, char status[16], char finished_at[32],
                  char *err, size_t errlen);

/* The run's episodes in the scope, in report order (template, person, trigger date,
 * episode id): every column of run_episodes but run_id. Rows, fn's value or -EIO. */
int exports_q_episodes(store *s, const exports_scope *sc, store_row_fn fn, void *ud, char *err,
                       size_t errlen);

/* The arrangements in the scope (every status; the run's results are read apart):
 * arrangement_id, aco_id, npi, tin, template_id, start_date, end_date, status,
 * discount_bps .. stop_loss_bps (NULL = the template's), provider_name, specialty_code.
 * Sorted by arrangement_id. */
int exports_q_arrangements(store *s, const exports_scope *sc, store_row_fn fn, void *ud,
                           char *err, size_t errlen);

/* The beneficiaries of the scope's episodes: person_id, gender, birth_date, death_date,
 * state, zip_code (their latest enrollment span). Sorted by person_id. */
int exports_q_people(store *s, const exports_scope *sc, store_row_fn fn, void *ud, char *err,
                     size_t errlen);

/* Every ACO: aco_id, name, track, tins (space-separated participant TINs). */
int exports_q_acos(store *s, store_row_fn fn, void *ud, char *err, size_t errlen);

/* The episodes per arrangement and period that met the quality measure: arrangement_id,
 * period, met (episodes in the run attributed and priced with quality_met = 1). */
int exports_q_quality_met(store *s, int64_t run_id, store_row_fn fn, void *ud, char *err,
                          size_t errlen);

/* The latest ATR export of `scope` (exports.scope text): its id (0 when none, -EIO),
 * and, through fn, its members: person_id, family, arrangement_id, npi, tin,
 * start_date, end_date (sorted by person_id, family). */
int64_t exports_q_previous_atr(store *s, const char *scope, store_row_fn fn, void *ud,
                               char *err, size_t errlen);

/* One member of an ATR list as recorded. Borrowed strings. */
typedef struct exports_member_rec {
    const char *person_id, *family, *arrangement_id, *npi, *tin, *start_date, *end_date;
} exports_member_rec;

/* The record of one export written. */
typedef struct exports_rec {
    const char *format, *scope, *created_by, *sha256;
    int64_t run_id, bytes, previous_export; /* previous 0 stores NULL */
    const exports_member_rec *members;      /* atr only (else NULL, 0) */
    size_t n_members;
} exports_rec;

/* Record r (and its members) in one transaction; 0 with *export_id set, -EIO with err
 * (nothing recorded). created_at is now (UTC). */
int exports_w_record(store *s, const exports_rec *r, int64_t *export_id, char *err,
                     size_t errlen);

/* The exports recorded, newest first (at most limit), as a JSON array of objects:
 * export_id, format, run_id, scope, created_at, created_by, sha256, bytes,
 * previous_export (null when none). part (NULL = any) keeps those whose scope has it as
 * one of its '/'-separated parts ("aco:A1": an ACO sees its own). 0 with *out owned by
 * the caller, or store_rows_json's negative code with err. */
int exports_q_list(store *s, const char *part, int64_t limit, json_t **out, char *err,
                   size_t errlen);

#endif
