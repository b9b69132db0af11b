/*
 * plugins/falls_prevention: the falls prevention episode (docs/methodology.md sections 1-2).
 *
 * Triggers (day 0 in brackets):
 *   A  a professional line with an EVAL_HCPCS code and a FALL_RISK_DX diagnosis on the
 *      claim [that day]; or a professional claim carrying both RISK_ASSESSED_HCPCS
 *      (3288F) and FALL_HISTORY_HCPCS (1100F) [the later of the two lines]
 *   B  a fall (FALL_EXTERNAL_CAUSE) treated in the ED and released: an outpatient
 *      (OUTPATIENT_BILL) claim's ER_REVENUE line, or a professional line with place of
 *      service in ED_PLACE_OF_SERVICE, with no INPATIENT_BILL admission starting
 *      0..ed_admission_days days after it [the ED day]
 *   C  an inpatient stay whose principal diagnosis is in FALL_INJURY_DX and that carries
 *      a FALL_EXTERNAL_CAUSE code [the day after discharge; the stay is not cost]
 * Included cost, for lines whose service date is in the window:
 *   1  every line of a claim with a FALL_EXTERNAL_CAUSE diagnosis or a FALL_INJURY_DX
 *      principal diagnosis
 *   2  SNF, home-health and IRF claims starting 0..post_acute_days days after the end of
 *      such a claim (the anchor stay of trigger C counts as such a claim)
 *   3  professional lines with a PREVENTION_HCPCS code
 * Every code list and number comes from the template (episodes/falls_prevention).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cara/plugin.h"
#include "kit.h"

static const cara_host *host;

typedef struct falls {
    const cara_codeset *risk_dx, *ext_cause, *injury_dx, *eval, *prevention, *assessed,
        *history, *er_revenue, *ed_pos, *ip_bill, *op_bill, *snf_bill, *hh_bill, *irf_revenue;
    int64_t ed_admission_days, post_acute_days;
} falls;

/* Fetch every parameter; count (and with d, report) the problems. */
static int falls_read(const cara_template *t, void *inst, cara_diag *d)
{
    falls *f = inst;
    int errors = 0;
    f->risk_dx = kit_codes(host, t, "FALL_RISK_DX", d, &errors);
    f->ext_cause = kit_codes(host, t, "FALL_EXTERNAL_CAUSE", d, &errors);
    f->injury_dx = kit_codes(host, t, "FALL_INJURY_DX", d, &errors);
    f->eval = kit_codes(host, t, "EVAL_HCPCS", d, &errors);
    f->prevention = kit_codes(host, t, "PREVENTION_HCPCS", d, &errors);
    f->assessed = kit_codes(host, t, "RISK_ASSESSED_HCPCS", d, &errors);
    f->history = kit_codes(host, t, "FALL_HISTORY_HCPCS", d, &errors);
    f->er_revenue = kit_codes(host, t, "ER_REVENUE", d, &errors);
    f->ed_pos = kit_codes(host, t, "ED_PLACE_OF_SERVICE", d, &errors);
    f->ip_bill = kit_codes(host, t, "INPATIENT_BILL", d, &errors);
    f->op_bill = kit_codes(host, t, "OUTPATIENT_BILL", d, &errors);
    f->snf_bill = kit_codes(host, t, "SNF_BILL", d, &errors);
    f->hh_bill = kit_codes(host, t, "HOME_HEALTH_BILL", d, &errors);
    f->irf_revenue = kit_codes(host, t, "IRF_REVENUE", d, &errors);
    f->ed_admission_days = kit_int(host, t, "parameters.ed_admission_days", 0, 30, d, &errors);
    f->post_acute_days = kit_int(host, t, "parameters.post_acute_days", 0, 365, d, &errors);
    kit_int(host, t, "window.post_days", 0, 3650, d, &errors);
    static const char *const types[] = {"A", "B", "C"};
    for (size_t i = 0; i < 3; i++) kit_require_trigger(host, t, types[i], d, &errors);
    static const char *const params[] = {"ed_admission_days", "post_acute_days", NULL};
    kit_known_members(host, t, "parameters", params, d, &errors);
    kit_refuse_declarative(host, t, "falls_prevention", d, &errors);
    return errors;
}


static int is_inst(const cara_claim_line *l) { return l->claim_type == CARA_CLAIM_INSTITUTIONAL; }
static int is_prof(const cara_claim_line *l) { return l->claim_type == CARA_CLAIM_PROFESSIONAL; }

/* A claim whose diagnoses make it fall-related (cost rule 1). */
static int fall_claim(const falls *f, const cara_claim_line *l)
{
    return host->codes_match_dx(f->ext_cause, l, 0) || host->codes_match_dx(f->injury_dx, l, 1);
}

/* An inpatient admission starting day d .. d + ed_admission_days. */
static int admitted_soon(const falls *f, const cara_array *lines, cara_date d)
{
    for (size_t j = 0; j < lines->n; j++) {
        const cara_claim_line *l = cara_line_at(lines, j);
        if (l->service_date > d + f->ed_admission_days) break; /* sorted by service date */
        if (l->service_date >= d && is_inst(l) && host->codes_match(f->ip_bill, l->bill_type))
            return 1;
    }
    return 0;
}

/* The day-0 of trigger A's second form on line i (a 3288F line), or CARA_DATE_NONE. */
static cara_date pair_day0(const falls *f, const cara_array *lines, size_t i)
{
    const cara_claim_line *li = cara_line_at(lines, i);
    cara_date best = CARA_DATE_NONE;
    for (size_t j = 0; j < lines->n; j++) {
        const cara_claim_line *lj = cara_line_at(lines, j);
        if (strcmp(lj->claim_id, li->claim_id) == 0 && host->codes_match(f->history, lj->hcpcs)) {
            cara_date d = lj->service_date > li->service_date ? lj->service_date
                                                              : li->service_date;
            if (best == CARA_DATE_NONE || d < best) best = d;
        }
    }
    return best;
}

static int collect_triggers(const falls *f, const cara_array *lines, kit_triggers *t)
{
    int rc = 0;
    for (size_t i = 0; i < lines->n && rc == 0; i++) {
        const cara_claim_line *l = cara_line_at(lines, i);
        if (is_prof(l) && host->codes_match(f->eval, l->hcpcs) &&
            host->codes_match_dx(f->risk_dx, l, 0))
            rc = kit_trigger_add(t, "A", l->service_date, i);
        if (rc == 0 && is_prof(l) && host->codes_match(f->assessed, l->hcpcs)) {
            cara_date d = pair_day0(f, lines, i);
            if (d != CARA_DATE_NONE) rc = kit_trigger_add(t, "A", d, i);
        }
        int ed = (is_inst(l) && host->codes_match(f->op_bill, l->bill_type) &&
                  host->codes_match(f->er_revenue, l->revenue_center)) ||
                 (is_prof(l) && host->codes_match(f->ed_pos, l->place_of_service));
        if (rc == 0 && ed && host->codes_match_dx(f->ext_cause, l, 0) &&
            !admitted_soon(f, lines, l->service_date))
            rc = kit_trigger_add(t, "B", l->service_date, i);
        if (rc == 0 && is_inst(l) && host->codes_match(f->ip_bill, l->bill_type) &&
            host->codes_match_dx(f->injury_dx, l, 1) && host->codes_match_dx(f->ext_cause, l, 0))
            rc = kit_trigger_add(t, "C", kit_claim_last_day(l) + 1, i);
    }
    return rc;
}

/* A SNF, home-health or IRF claim (cost rule 2). */
static int post_acute(const falls *f, const cara_array *lines, size_t j)
{
    const cara_claim_line *l = cara_line_at(lines, j);
    if (!is_inst(l)) return 0;
    if (host->codes_match(f->snf_bill, l->bill_type) || host->codes_match(f->hh_bill, l->bill_type))
        return 1;
    return host->codes_match(f->ip_bill, l->bill_type) &&
           kit_claim_has_revenue(host, lines, j, f->irf_revenue);
}

/* 1 when a fall-related claim other than line j's own ended 0..post_acute_days days
 * before start (within the window, or the episode's anchor stay). */
static int after_fall_claim(const falls *f, const cara_array *lines, size_t j,
                            const kit_episode *e)
{
    const cara_claim_line *lj = cara_line_at(lines, j);
    const char *anchor_id = cara_line_at(lines, e->trig.line)->claim_id;
    cara_date start = lj->claim_start;
    for (size_t k = 0; k < lines->n; k++) {
        const cara_claim_line *r = cara_line_at(lines, k);
        if (r->service_date > start) break;
        if (strcmp(r->claim_id, lj->claim_id) == 0) continue;
        int anchor = strcmp(r->claim_id, anchor_id) == 0;
        if (!anchor && r->service_date < e->day0) continue;
        if (!fall_claim(f, r)) continue;
        cara_date last = is_inst(r) ? kit_claim_last_day(r) : r->claim_end;
        if (start >= last && start - last <= f->post_acute_days) return 1;
    }
    return 0;
}

static int assign_cost(const falls *f, const cara_array *lines, const kit_episode *e)
{
    const char *anchor =
        strcmp(e->trig.type, "C") == 0 ? cara_line_at(lines, e->trig.line)->claim_id : NULL;
    for (size_t j = 0; j < lines->n; j++) {
        const cara_claim_line *l = cara_line_at(lines, j);
        if (l->service_date < e->day0) continue;
        if (l->service_date > e->end) break;
        if (anchor && strcmp(l->claim_id, anchor) == 0) continue;
        int in = fall_claim(f, l) || (is_prof(l) && host->codes_match(f->prevention, l->hcpcs)) ||
                 (post_acute(f, lines, j) && after_fall_claim(f, lines, j, e));
        if (in && host->episode_include(e->ep, j) < 0) return -ENOMEM;
    }
    return 0;
}

static int falls_build(const void *inst, cara_ctx *ctx, const cara_beneficiary *b,
                       const cara_array *lines)
{
    const falls *f = inst;
    kit_triggers t = {0};
    kit_episode *eps = NULL;
    size_t n_eps = 0;
    int rc = collect_triggers(f, lines, &t);
    if (rc == 0) rc = kit_open_episodes(host, ctx, b, &t, &eps, &n_eps);
    for (size_t i = 0; i < n_eps && rc == 0; i++) rc = assign_cost(f, lines, &eps[i]);
    free(eps);
    kit_triggers_free(&t);
    return rc;
}

KIT_PLUGIN("falls_prevention", "1.0.0", "falls prevention: fall risk identified (A), ED fall (B), fall injury discharge (C)", falls, falls_read, falls_build)
