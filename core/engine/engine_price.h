/*
 * engine_price: price one beneficiary with one rule set, the engine's single entry point
 * for the method (docs/methodology.md sections 3-4). A run (engine_run.c, per
 * beneficiary) and POST /v1/rules/try (core/serve/srv_api_rules.c) price through here, so
 * that what a try shows is what a run computes. (`cara rules test`, rules_test.h, calls
 * one rule function on JSON arguments, with no beneficiary to price; its sandbox loads
 * the method library and the rule file as a pricer's rule set does.)
 *
 * For each template of the catalog, in catalog order: its plugin builds the
 * beneficiary's episodes; each episode of the selected performance year and template
 * version gets its actual spending and, unless excluded, its HCC count (or risk score),
 * its candidates (the arrangements in force on day 0), attribute(), its leakage,
 * target() and quality(). The records are the ones a run saves (run_episodes).
 */
#ifndef CARA_ENGINE_PRICE_H
#define CARA_ENGINE_PRICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog/catalog.h"
#include "rules/rules.h"
#include "store/store.h"

/* A rule set (the catalog's rule files in one sandbox, with the method library) and the
 * arrangements to price against. Single-threaded: one per thread. */
typedef struct engine_pricer engine_pricer;

/*
 * Open a pricer over catalog cat (borrowed: it must outlive the pricer) with the
 * arrangements of the store s (borrowed; engine_load_arrangements: every active, ended or
 * terminated EBRA) and the Lua limits lim (NULL or zeros: the defaults). hcc: the
 * CMS-HCC model (borrowed), or NULL when every call gives the HCC count
 * (engine_price_opts.hcc_given). Returns 0 with *out (free with engine_pricer_close);
 * or a negative code with err (a rule file that does not load: engine_pricer_rule_error
 * of *out is then meaningful, and *out must still be closed; else *out is NULL).
 */
int engine_pricer_open(const catalog *cat, const hcc_model *hcc, store *s, const rules_limits *lim,
                       engine_pricer **out, char *err, size_t errlen);
void engine_pricer_close(engine_pricer *p);

/* Where the rules' print() and cara.log() go (rules_vm_set_print). */
void engine_pricer_set_print(engine_pricer *p, rules_print_fn fn, void *ud);

/* The structured error of the last failing rule (kind RULES_OK when the last failure was
 * not a rule's). Borrowed from p. */
const rules_error *engine_pricer_rule_error(const engine_pricer *p);

/* What to price of a beneficiary. Zeroed: what a run prices (every template, episode and
 * performance year). */
typedef struct engine_price_opts {
    int period;              /* keep only episodes starting in this year (0 = every year) */
    /* A try of one stored episode (rules try): only the first non-excluded episode of
     * catalog entry 0 starting on only_day0, without the run's template-version
     * selection; a plugin that fails or builds no such episode gives no record. The
     * rules then see only the claim lines of the episode window. CARA_DATE_NONE or 0 with
     * try_one == 0: not a try. */
    int try_one;
    cara_date only_day0;
    int hcc_given;           /* 1: use hcc_count rather than computing it (no risk score) */
    int64_t hcc_count;
} engine_price_opts;

/* One priced episode, as a run records it. Strings are borrowed from the pricer and
 * valid until its next engine_price_beneficiary or engine_pricer_close. */
typedef struct engine_priced {
    const char *episode_id, *template_id;
    const char *arrangement_id;   /* NULL when unattributed or excluded */
    const char *method;           /* "" when excluded */
    const char *status;           /* final, interim, excluded */
    const char *exclusion;        /* NULL unless excluded */
    cara_date day0, end;
    int has_target;
    int64_t hcc_count, base, trend_factor, trend_years, age_factor, hcc_factor, dual_factor,
        discount_bps, target, actual;
    int quality_met;
    size_t candidates;            /* the arrangements attribute() chose from */
} engine_priced;

/*
 * Price beneficiary b (its claim lines sorted by service date, bene.h) with p. Returns
 * the number of records this call made (read them with engine_priced_get), or a
 * negative code with err: a plugin failure names the plugin and the beneficiary; a
 * rule's error carries its path:line and traceback (engine_pricer_rule_error); an
 * amount beyond the int64 cents range names the episode.
 */
int engine_price_beneficiary(engine_pricer *p, const cara_beneficiary *b,
                             const cara_claim_line *lines, size_t n, const engine_price_opts *po,
                             char *err, size_t errlen);

/* Record i (0 .. the last call's count - 1) of the last engine_price_beneficiary. */
void engine_priced_get(const engine_pricer *p, size_t i, engine_priced *out);

/* A provisional episode an event opens (engine_price_event). Strings borrowed from the
 * pricer, valid until its next call. */
typedef struct engine_event_price {
    const char *exclusion;        /* NULL, or why no episode opens ("not_aligned", ...) */
    const char *aco_id;           /* the ACO the beneficiary is aligned to on day 0 */
    const char *arrangement_id, *npi, *tin; /* NULL: the ACO's care team */
    const char *method;           /* "attending" or "care_team" */
    cara_date end;                /* day 0 + window.post_days (or the death date) */
    int has_target;
    int64_t hcc_count, target;
} engine_event_price;

/*
 * Price the provisional episode an event opens: beneficiary b (with the claim lines
 * stored so far, sorted) for template tmpl_id (the ACO's overlay of it when the
 * beneficiary is aligned to an ACO that has one), trigger type trigger_type, day 0 day0.
 * Eligibility on day 0 (aligned, enrolled, not hospice, not ESRD) or out->exclusion;
 * the arrangement: an EBRA in force on day 0 (the run's candidates) whose NPI is
 * attending_npi (the lowest arrangement id when several), else none (the ACO's care
 * team); the target: the template's target() rule on an episode of that trigger type
 * and day, with the HCC count of the lookback claims, as a run prices it. 0, or a
 * negative code with err (a rule's error, an unknown template).
 */
int engine_price_event(engine_pricer *p, const cara_beneficiary *b, const cara_claim_line *lines,
                       size_t n, const char *tmpl_id, const char *trigger_type,
                       cara_date day0, const char *attending_npi, engine_event_price *out,
                       char *err, size_t errlen);

#endif
