/*
 * export: the public header of core/export/ (docs/exports.md). One run's results, read
 * from the store for a scope (an ACO, an EBRA, a specialist or everything), written in
 * the formats partners read: the contracting workbook (xlsx), the Da Vinci ATR Group
 * (FHIR R4 attribution list), the Da Vinci VBPR MeasureReport (FHIR R4 performance) and
 * the episode-level CSV.
 *
 * Layering: export sits above engine (it rebuilds a run's templates with replay) and
 * below serve and cli. export_gather reads; the writers are pure functions of an
 * export_data (no store, no clock: generated_at is in the data), so a test can build
 * one by hand.
 *
 * Ownership: export_gather allocates everything an export_data holds (strings, arrays);
 * export_data_free releases it. Writers borrow the data and never keep a pointer to it.
 * Money is int64 cents, rates basis points, factors x 10,000: the numbers of the run's
 * tables, unchanged.
 */
#ifndef CARA_EXPORT_H
#define CARA_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/base.h"
#include "store/store.h"

/* ---- what is exported ---- */

typedef enum { EXPORT_ATR, EXPORT_VBPR, EXPORT_EPISODES, EXPORT_XLSX } export_format;

/* Parse "atr", "vbpr", "episodes", "xlsx"; 0 or -EINVAL. */
int export_format_parse(const char *s, export_format *out);
const char *export_format_name(export_format f);

/* The scope of one export. Every field optional (NULL or 0: no filter); a role's scope
 * is applied on top by the caller (an ACO token sets aco_id, a provider token npi). */
typedef struct export_scope {
    int64_t run_id;           /* 0: the latest finished run */
    const char *aco_id;       /* only this ACO's arrangements and episodes */
    const char *ebra_id;      /* only this arrangement (EBRA) */
    const char *npi;          /* only this specialist's arrangements and episodes */
    const char *template_id;  /* only arrangements and episodes of this template (family) */
    int period;               /* only this performance year (0: every year of the run) */
    int64_t max_episodes;     /* > 0: refuse (-E2BIG) an export of more episodes */
    int cli;                  /* 1: errors name the options as the CLI spells them (--npi) */
} export_scope;

/* ---- the data ---- */

#define EXP_SHORT 64  /* ids, codes, dates */

/* A template's pricing and terms as the run used them (docs/methodology.md). */
typedef struct exp_trigger {
    char type[16];
    char *description;         /* owned, may be "" */
    int64_t base_cents;
} exp_trigger;

typedef struct exp_age_band {
    int min_age;               /* the band runs from min_age to the next band's min - 1 */
    int64_t factor;            /* x 10,000 */
} exp_age_band;

typedef struct exp_template {
    char id[EXP_SHORT];        /* the template id as the run's episodes carry it (an
                                * ACO overlay has its own id) */
    char family[EXP_SHORT];    /* the base template id (== id for a base) */
    char version[EXP_SHORT];
    char aco_id[EXP_SHORT];    /* an overlay's ACO, "" for a base */
    char *description;         /* owned */
    int post_days;
    int base_year;
    int64_t trend_bps;
    exp_trigger *triggers;     /* owned, in the template's order */
    size_t n_triggers;
    exp_age_band *age_bands;   /* owned, ascending min_age */
    size_t n_age_bands;
    int64_t *hcc_factors;      /* owned: [i] for i HCCs, the last for that many or more */
    size_t n_hcc_factors;
    int hcc_lookback_days;
    int64_t dual_factor, non_dual_factor;
    int64_t winsorize_percentile_bps; /* 9900: the 99th percentile */
    /* the arrangement defaults (an EBRA's negotiated terms override them) */
    int64_t discount_bps, discount_min_bps, discount_max_bps;
    int64_t savings_share_bps, loss_share_bps, stop_gain_bps, stop_loss_bps;
    int64_t min_episodes;
    int64_t share_cap_global_bps, share_cap_professional_bps;
    /* quality */
    char quality_measure[EXP_SHORT];
    char *quality_description; /* owned */
    int64_t qa_savings_bps, qa_loss_bps;
} exp_template;

/* One reconciliation of an arrangement for a performance year (run_arrangements). */
typedef struct exp_result {
    int period;
    int64_t episodes, target_cents, actual_cents, actual_winsorized_cents;
    int has_gross;             /* 0: gross, quality, quality_adjusted and share are null */
    int64_t gross_cents, quality_bps, quality_adjusted_cents, share_bps;
    int64_t payment_cents;
    char cap_applied[16];      /* "", stop_gain, stop_loss */
    char status[24];           /* final, interim, insufficient_volume, no_episodes */
    int64_t quality_met;       /* the episodes that met the measure (from the episodes) */
    int64_t leakage_paid_cents;
} exp_result;

/* One EBRA with its terms (resolved: the negotiated value, else the template's). */
typedef struct exp_arrangement {
    char arrangement_id[EXP_SHORT], aco_id[EXP_SHORT], npi[EXP_SHORT], tin[EXP_SHORT];
    char template_id[EXP_SHORT];   /* as the arrangement names it (a base id) */
    char status[16];               /* offered, active, declined, ended, terminated */
    char start_date[11], end_date[11]; /* end "" when open */
    char *provider_name;           /* owned */
    char specialty[EXP_SHORT];
    int64_t discount_bps, savings_share_bps, loss_share_bps, stop_gain_bps, stop_loss_bps;
    unsigned negotiated;           /* bit i: term i was negotiated (EXP_TERM_*) */
    const exp_template *tmpl;      /* borrowed from export_data.templates: the template
                                    * its episodes were priced with (NULL: none in the run) */
    exp_result *results;           /* owned, ascending period */
    size_t n_results;
} exp_arrangement;

enum { EXP_TERM_DISCOUNT, EXP_TERM_SAVINGS_SHARE, EXP_TERM_LOSS_SHARE, EXP_TERM_STOP_GAIN,
       EXP_TERM_STOP_LOSS };

/* One episode of the run (run_episodes) with what the episode file adds. */
typedef struct exp_episode {
    char episode_id[EXP_SHORT], person_id[EXP_SHORT];
    char template_id[EXP_SHORT], template_version[EXP_SHORT], family[EXP_SHORT];
    char trigger_type[16], trigger_date[11], end_date[11];
    int died;
    char aco_id[EXP_SHORT], arrangement_id[EXP_SHORT], npi[EXP_SHORT], tin[EXP_SHORT];
    char attribution_method[24];   /* "" when excluded */
    int has_target;                /* 0: base..target are null (excluded episodes) */
    int64_t base_cents, trend_factor, trend_years, age_factor, hcc_count, hcc_factor,
        dual_factor, discount_bps, target_cents;
    int64_t actual_cents;
    int has_winsorized;
    int64_t actual_winsorized_cents;
    int has_quality;
    int quality_met;
    char status[12];               /* final, interim, excluded */
    char exclusion_reason[EXP_SHORT];
    int has_risk;
    int64_t risk_score;            /* CMS-HCC V28, x 10,000 */
    int has_settings;              /* 0: a run from before spending by setting */
    int64_t setting_cents[SETTING_N];           /* raw, sums to actual_cents */
    int64_t setting_winsorized_cents[SETTING_N]; /* sums to actual_winsorized_cents
                                                  * (export_split_winsorized) */
    /* the trigger (empty for runs made before they were recorded) */
    char trigger_claim_id[EXP_SHORT];
    int trigger_line;              /* claim_line_number, 0 when unknown */
    char trigger_code[EXP_SHORT];  /* the code that triggered: HCPCS or diagnosis */
    char trigger_npi[EXP_SHORT], trigger_tin[EXP_SHORT];
    char trigger_dx[8];            /* the trigger claim's principal diagnosis */
    int age;                       /* whole years on day 0, -1 when unknown */
    int dual;                      /* 1 dual on day 0, 0 not, -1 unknown */
} exp_episode;

/* A beneficiary named by an export (eligibility). */
typedef struct exp_person {
    char person_id[EXP_SHORT];     /* the MBI */
    char gender[12];               /* male, female, unknown */
    char birth_date[11], death_date[11]; /* death "" when alive */
    char state[8], zip_code[16];
} exp_person;

typedef struct exp_aco {
    char aco_id[EXP_SHORT];
    char *name;                    /* owned */
    char track[16];
    char **tins;                   /* owned: participant TINs (any date), sorted */
    size_t n_tins;
} exp_aco;

/* One member of an ATR attribution list: a beneficiary with an episode attributed to a
 * specialist, for the period of the episode inside the arrangement. */
typedef struct exp_member {
    char person_id[EXP_SHORT];
    char aco_id[EXP_SHORT], arrangement_id[EXP_SHORT], npi[EXP_SHORT], tin[EXP_SHORT];
    char template_id[EXP_SHORT];
    char start[11], end[11];       /* the member period */
    char change_type[12];          /* new, change, nochange (against the previous export) */
} exp_member;

/* A member of the previous export of the same list that is no longer in it. */
typedef struct exp_removed {
    char person_id[EXP_SHORT], npi[EXP_SHORT], tin[EXP_SHORT], arrangement_id[EXP_SHORT];
} exp_removed;

typedef struct export_data {
    int64_t run_id;
    char run_status[16];           /* done */
    char run_finished_at[32];
    char as_of_date[11];           /* the run's latest service date (paid-through) */
    char generated_at[32];         /* ISO 8601 UTC, when the export was made */
    char scope_label[160];         /* "ACO A0001", "EBRA E000001", "every ACO" */
    export_scope scope;            /* strings borrowed from scope_buf below */
    char scope_buf[3][EXP_SHORT];
    char template_buf[EXP_SHORT];
    exp_template *templates;  size_t n_templates;
    exp_aco *acos;            size_t n_acos;
    exp_arrangement *arrs;    size_t n_arrs;   /* sorted by arrangement_id */
    exp_episode *eps;         size_t n_eps;    /* in report order */
    exp_person *people;       size_t n_people; /* sorted by person_id */
    exp_member *members;      size_t n_members;/* sorted by person_id, arrangement_id */
    exp_removed *removed;     size_t n_removed;
    int64_t previous_export;       /* the ATR export members were compared with (0: none) */
    char list_status[12];          /* ATR attributionListStatus: final (run done) */
} export_data;

void export_data_free(export_data *d);

/*
 * Read run sc->run_id (0: the latest finished run) for scope sc from s into *out: its
 * templates (rebuilt from the files the run stored, loaded with the plugins of
 * plugins_dir), the arrangements in scope with their results (the arrangement report's
 * rows), the episodes, their beneficiaries, every ACO, and the ATR members with their
 * changeType against the latest ATR export of the same scope. The strings of sc are
 * copied. Returns 0, -ENOENT (no such run, or an ACO, EBRA or template that names
 * nothing in it: err says which), -EINVAL (a run that did not finish), -EIO, -ENOMEM;
 * on failure *out is empty (export_data_free is safe).
 */
int export_gather(store *s, const export_scope *sc, const char *plugins_dir, export_data *out,
                  char *err, size_t errlen);

/* The scope as exports.scope stores it: "all", "aco:ID", "ebra:ID", "npi:NPI", then
 * "/template:ID" and "/period:YYYY" when set. */
void export_scope_text(const export_scope *sc, char *buf, size_t len);

/* One export written into memory. */
typedef struct export_output {
    unsigned char *bytes;      /* owned (free) */
    size_t len;
    const char *content_type;  /* static */
    char filename[256];        /* suggested: cara-<format>-run<N>-<scope>.<ext> */
    int64_t export_id;         /* its row in exports */
    int64_t records;           /* episodes (episodes, xlsx), members (atr), reports (vbpr) */
    int64_t run_id;            /* the run exported */
    char scope[160];           /* its scope (exports.scope) */
    char sha256[65];
} export_output;

/* How ATR comes out: a Bundle (one JSON document) or bulk NDJSON. */
typedef enum { EXPORT_FORM_BUNDLE, EXPORT_FORM_NDJSON } export_form;

/*
 * Gather (export_gather), write format f into memory (xlsx through a private temporary
 * file), and record it in the store (exports, and for ATR its members) as made by
 * created_by. 0 with *out filled (export_output_free), or a negative code with err.
 */
int export_make(store *s, const export_scope *sc, export_format f, export_form form,
                const char *plugins_dir, const char *created_by, export_output *out, char *err,
                size_t errlen);
void export_output_free(export_output *o);

/* Lookups (binary search; NULL when absent). Borrowed from d. */
const exp_person *export_person(const export_data *d, const char *person_id);
const exp_aco *export_aco(const export_data *d, const char *aco_id);
const exp_arrangement *export_arrangement(const export_data *d, const char *arrangement_id);

/*
 * Split a winsorized total over the settings in proportion to the raw spending, so the
 * parts sum exactly to `winsorized`: each part is floor(raw_i * winsorized / actual),
 * and the cents left over go one each to the settings with the largest remainders
 * (ties: the lower setting index). actual == 0 puts everything in zero parts. Pure.
 */
void export_split_winsorized(const int64_t raw[SETTING_N], int64_t actual, int64_t winsorized,
                             int64_t out[SETTING_N]);

/* The ATR members of d's attributed episodes (d->members, sorted by person_id, then
 * template family; docs/exports.md "ATR"): one per beneficiary and family, the latest
 * episode's EBRA deciding, the period from the first trigger date to the last end date
 * under that EBRA. Pure. 0 or -ENOMEM. */
int export_build_members(export_data *d);

/* Set each member's change_type against prev (the previous list's members, sorted the
 * same way; template_id holds the family): "new" (absent), "nochange" (same NPI, TIN
 * and period: what the list shows of a member) or "change"; prev's members absent from d go to d->removed. Pure.
 * 0 or -ENOMEM. */
int export_diff_members(export_data *d, const exp_member *prev, size_t n_prev);

/* ---- the writers (pure; each returns 0 or a negative code with err filled) ---- */

/* The episode-level CSV (docs/exports.md, "Episode file"): header and one row per
 * episode of d, to f. */
int export_episodes_csv(const export_data *d, FILE *f, char *err, size_t errlen);

/* The contracting workbook to path (libxlsxwriter). */
int export_xlsx_write(const export_data *d, const char *path, char *err, size_t errlen);

/* The Da Vinci ATR attribution list: a FHIR R4 Bundle (type collection) holding the
 * Group, its Patients, Practitioners, Organizations and Coverages. New reference. */
json_t *export_atr_bundle(const export_data *d, char *err, size_t errlen);
/* The same resources as bulk NDJSON: one resource per line, Group first, to f. */
int export_atr_ndjson(const export_data *d, FILE *f, char *err, size_t errlen);

/* The Da Vinci VBPR MeasureReports: a FHIR R4 Bundle (type collection) with one
 * MeasureReport per arrangement and period of d (and the Organizations and
 * Practitioners they reference). New reference. */
json_t *export_vbpr_bundle(const export_data *d, char *err, size_t errlen);

/* ---- added with the FHIR writers (export_atr.c, export_vbpr.c) ---- */

/* The jansson dump flags the FHIR Bundles above need: OR them into yours
 * (json_dumpf(bundle, f, JSON_INDENT(2) | EXPORT_FHIR_JSON_FLAGS)). Money and proportions
 * are JSON numbers made from integers, exact when printed with 15 significant digits;
 * jansson's default of 17 prints 0.1 as 0.10000000000000001. export_atr_ndjson uses them. */
#define EXPORT_FHIR_JSON_FLAGS JSON_REAL_PRECISION(15)

#endif
