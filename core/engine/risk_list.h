/*
 * risk_list: the prospective risk list of issue 19 (docs/monthly.md "The risk score",
 * docs/rules.md "The risk rule"): the beneficiaries aligned to an ACO on an as-of date
 * who are not in an open episode of a template, scored by the template's risk rule
 * (risk.lua, declared by the template's "risk" block, docs/templates.md), ranked, with
 * the reasons of each score and the specialist to reach them through.
 *
 * For each base template of the catalog with a "risk" block (or only the one asked for):
 *   - the run: the latest finished run whose template filter allows the template (or the
 *     run asked for); a person with a non-excluded episode of the template's family in
 *     that run whose window [trigger_date, end_date] contains the as-of date is in an
 *     open episode and is not listed (no run: nobody is);
 *   - the candidates: every person with an eligibility row who on the as-of date is
 *     alive (no death date on or before it), enrolled, not ESRD, not in hospice and
 *     aligned to an ACO (eligibility_exclusion(b, as_of, as_of) is NULL);
 *   - the rule: score(beneficiary, claims, context) of risk.lua (the function the block
 *     names) over the claim lines whose service date is in the look-back window
 *     [as_of - lookback_days + 1, as_of]; it returns {score = INTEGER, reasons =
 *     {"code:text", ...}};
 *   - the specialist: among the template's EBRAs in force on the as-of date for the
 *     beneficiary's ACO (the run's candidates, engine__candidates), the Preferred
 *     Provider who rendered the most look-back lines to the beneficiary (ties: lowest
 *     arrangement id); none with a line: empty (the ACO's care team).
 * Rows are ranked by score descending, then person_id, then template_id: deterministic.
 */
#ifndef CARA_RISK_LIST_H
#define CARA_RISK_LIST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rules/rules.h"
#include "store/store.h"

#define RISK_MAX_REASONS 32     /* reasons one score may give */
#define RISK_MAX_REASON 200     /* bytes of one reason */
#define RISK_MAX_SCORE 1000000  /* |score| at most this */

/* What to list. Zeroed: every template with a risk rule, every ACO and NPI, the data's
 * as-of date, the latest finished run, every row. */
typedef struct risk_list_opts {
    const char *aco_id;        /* only this ACO (NULL: every one) */
    const char *npi;           /* only rows whose specialist is this NPI (NULL: any) */
    const char *template_id;   /* only this template (NULL: each with a risk rule) */
    int32_t as_of;             /* 0 or CARA_DATE_NONE: the latest claim_end_date */
    int64_t run_id;            /* 0: the latest finished run of each template */
    int has_min_score;
    int64_t min_score;         /* with has_min_score: only rows scoring at least this */
    int64_t limit;             /* at most this many rows after ranking (0: every row) */
    const rules_limits *lim;   /* NULL: the sandbox's defaults */
} risk_list_opts;

/* One row. Strings owned by the list. */
typedef struct risk_row {
    int64_t rank;              /* 1-based, in the listed order */
    char *aco_id, *person_id, *template_id;
    int64_t score;
    int flagged;               /* score >= the template's risk.threshold */
    char *reasons;             /* the rule's reasons joined by "; " ("" for none) */
    char *npi, *tin, *arrangement_id; /* "" for the ACO's care team */
    int32_t last_claim;        /* the latest service date on or before as_of (or NONE) */
    int64_t run_id;            /* the run that said who is in an open episode (0: none) */
} risk_row;

/* Per template listed: the run used and how many were scored. */
typedef struct risk_tmpl_info {
    char *template_id;
    int64_t run_id;            /* 0: no finished run, nobody counted in an open episode */
    int64_t lookback_days, threshold;
    int64_t candidates;        /* eligible persons not in an open episode (counted before
                                * the --aco, --npi and --min-score filters) */
    int64_t open_episodes;     /* eligible persons left out as in an open episode */
} risk_tmpl_info;

typedef struct risk_list {
    int32_t as_of;
    risk_row *rows;
    size_t n;                  /* rows listed (after filters and the limit) */
    size_t total;              /* rows that passed the filters (before the limit) */
    risk_tmpl_info *tmpl;
    size_t n_tmpl;
} risk_list;

/*
 * Build the list from store s (borrowed) with the templates of episodes_dir and the
 * plugins of plugins_dir. Returns 0 with *out (risk_list_free); -ENOENT when
 * o->template_id names no template or a template without a risk block, or o->run_id no
 * finished run; -EINVAL when a risk rule fails to load or returns a bad result (err: the
 * rule's path:line and what was wrong), or a template's risk block is wrong; -ENODATA
 * when the store has no claims and no as-of date was given; -EIO / -ENOMEM.
 */
int risk_list_build(store *s, const char *episodes_dir, const char *plugins_dir,
                    const risk_list_opts *o, risk_list *out, char *err, size_t errlen);

void risk_list_free(risk_list *l);

/* The columns of a row, in output order (CSV header, JSON keys): the contract of
 * docs/monthly.md "The risk score". */
#define RISK_LIST_COLUMNS "rank,aco_id,person_id,template_id,score,flagged,reasons,npi,tin," \
                          "last_claim_date,run_id"

/* One row as a JSON object (the columns above; run_id null when 0, last_claim_date
 * null when none). New reference, NULL when out of memory. */
json_t *risk_row_json(const risk_row *r);

/* The list as JSON: {"as_of": DATE, "templates": [{"template_id", "run_id",
 * "lookback_days", "threshold", "candidates", "open_episodes"}], "total": N,
 * "rows": [row...]}. New reference, NULL when out of memory. */
json_t *risk_list_json(const risk_list *l);

/* Row r as one CSV record (RFC 4180, "\r\n"-less: ends with "\n") into a malloc'ed
 * string; the header row when r is NULL. NULL when out of memory. */
char *risk_row_csv(const risk_row *r);

#endif
