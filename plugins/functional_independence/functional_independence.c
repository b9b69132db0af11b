/*
 * plugins/functional_independence: the functional independence episode (docs/methodology.md sections 1-2).
 *
 * Triggers (day 0 in brackets):
 *   A  the end of a post-acute stay with a FUNC_DX diagnosis on any of its claims: a SNF
 *      stay (SNF_BILL), a home-health period (HOME_HEALTH_BILL) or an IRF stay (an
 *      INPATIENT_BILL claim with an IRF_REVENUE line) [the day after the stay ends].
 *      Claims of the same kind from the same facility that follow each other within
 *      stay_join_days days are one stay (SNFs bill long stays in monthly pieces).
 *   B  a professional line with an EVAL_HCPCS code and a FUNC_DX diagnosis [that day]
 * Included cost: every line whose service date is in the window, except dialysis
 * (DIALYSIS_REVENUE lines), chemotherapy (CHEMO_HCPCS lines, and claims with a CHEMO_DX
 * diagnosis) and transplant stays (inpatient claims with a TRANSPLANT_REVENUE line; the
 * CSV input layer has no MS-DRG, so organ-acquisition revenue centers 081x mark them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cara/plugin.h"
#include "kit.h"

static const cara_host *host;

typedef struct fi {
    const cara_codeset *func_dx, *eval, *snf_bill, *hh_bill, *ip_bill, *irf_revenue,
        *dialysis_revenue, *chemo_dx, *chemo_hcpcs, *transplant_revenue;
    int64_t stay_join_days;
} fi;

static int fi_read(const cara_template *t, void *inst, cara_diag *d)
{
    fi *f = inst;
    int errors = 0;
    f->func_dx = kit_codes(host, t, "FUNC_DX", d, &errors);
    f->eval = kit_codes(host, t, "EVAL_HCPCS", d, &errors);
    f->snf_bill = kit_codes(host, t, "SNF_BILL", d, &errors);
    f->hh_bill = kit_codes(host, t, "HOME_HEALTH_BILL", d, &errors);
    f->ip_bill = kit_codes(host, t, "INPATIENT_BILL", d, &errors);
    f->irf_revenue = kit_codes(host, t, "IRF_REVENUE", d, &errors);
    f->dialysis_revenue = kit_codes(host, t, "DIALYSIS_REVENUE", d, &errors);
    f->chemo_dx = kit_codes(host, t, "CHEMO_DX", d, &errors);
    f->chemo_hcpcs = kit_codes(host, t, "CHEMO_HCPCS", d, &errors);
    f->transplant_revenue = kit_codes(host, t, "TRANSPLANT_REVENUE", d, &errors);
    f->stay_join_days = kit_int(host, t, "parameters.stay_join_days", 0, 31, d, &errors);
    kit_int(host, t, "window.post_days", 0, 3650, d, &errors);
    kit_require_trigger(host, t, "A", d, &errors);
    kit_require_trigger(host, t, "B", d, &errors);
    static const char *const params[] = {"stay_join_days", NULL};
    kit_known_members(host, t, "parameters", params, d, &errors);
    kit_refuse_declarative(host, t, "functional_independence", d, &errors);
    return errors;
}


enum stay_kind { STAY_NONE = 0, STAY_SNF, STAY_HH, STAY_IRF };

static int stay_kind(const fi *f, const cara_array *lines, size_t i)
{
    const cara_claim_line *l = cara_line_at(lines, i);
    if (l->claim_type != CARA_CLAIM_INSTITUTIONAL) return STAY_NONE;
    if (host->codes_match(f->snf_bill, l->bill_type)) return STAY_SNF;
    if (host->codes_match(f->hh_bill, l->bill_type)) return STAY_HH;
    if (host->codes_match(f->ip_bill, l->bill_type) &&
        kit_claim_has_revenue(host, lines, i, f->irf_revenue))
        return STAY_IRF;
    return STAY_NONE;
}

/* A post-acute stay being assembled from consecutive claims. */
typedef struct stay {
    int kind;
    const char *facility;
    cara_date end;
    size_t last_line;   /* first line of the stay's last claim */
    int func;           /* some claim of the stay has a FUNC_DX diagnosis */
} stay;

static int close_stay(const stay *s, kit_triggers *t)
{
    if (s->kind == STAY_NONE || !s->func) return 0;
    return kit_trigger_add(t, "A", s->end + 1, s->last_line);
}

static int collect_triggers(const fi *f, const cara_array *lines, kit_triggers *t)
{
    /* One open stay per kind (a beneficiary can be in home health after a SNF stay). */
    stay open[4] = {{0}};
    int rc = 0;
    for (size_t i = 0; i < lines->n && rc == 0; i++) {
        const cara_claim_line *l = cara_line_at(lines, i);
        if (l->claim_type == CARA_CLAIM_PROFESSIONAL && host->codes_match(f->eval, l->hcpcs) &&
            host->codes_match_dx(f->func_dx, l, 0))
            rc = kit_trigger_add(t, "B", l->service_date, i);
        if (rc != 0 || (i > 0 && strcmp(cara_line_at(lines, i - 1)->claim_id, l->claim_id) == 0))
            continue;
        int kind = stay_kind(f, lines, i);
        if (kind == STAY_NONE) continue;
        stay *s = &open[kind];
        int joins = s->kind == kind && strcmp(s->facility, l->facility_npi) == 0 &&
                    l->claim_start <= s->end + f->stay_join_days;
        if (!joins) {
            rc = close_stay(s, t);
            *s = (stay){kind, l->facility_npi, CARA_DATE_NONE, i, 0};
        }
        cara_date last = kit_claim_last_day(l);
        if (s->end == CARA_DATE_NONE || last > s->end) s->end = last;
        s->last_line = i;
        s->func |= host->codes_match_dx(f->func_dx, l, 0);
    }
    for (int k = STAY_SNF; k <= STAY_IRF && rc == 0; k++) rc = close_stay(&open[k], t);
    return rc;
}

/* Lines that never count as episode spending. */
static int excluded_line(const fi *f, const cara_array *lines, size_t j)
{
    const cara_claim_line *l = cara_line_at(lines, j);
    if (host->codes_match(f->dialysis_revenue, l->revenue_center)) return 1;
    if (host->codes_match(f->chemo_hcpcs, l->hcpcs)) return 1;
    if (host->codes_match_dx(f->chemo_dx, l, 0)) return 1;
    return l->claim_type == CARA_CLAIM_INSTITUTIONAL && host->codes_match(f->ip_bill, l->bill_type) &&
           kit_claim_has_revenue(host, lines, j, f->transplant_revenue);
}

static int fi_build(const void *inst, cara_ctx *ctx, const cara_beneficiary *b,
                    const cara_array *lines)
{
    const fi *f = inst;
    kit_triggers t = {0};
    kit_episode *eps = NULL;
    size_t n_eps = 0;
    int rc = collect_triggers(f, lines, &t);
    if (rc == 0) rc = kit_open_episodes(host, ctx, b, &t, &eps, &n_eps);
    for (size_t i = 0; i < n_eps && rc == 0; i++) {
        for (size_t j = 0; j < lines->n && rc == 0; j++) {
            cara_date day = cara_line_at(lines, j)->service_date;
            if (day < eps[i].day0) continue;
            if (day > eps[i].end) break;
            if (!excluded_line(f, lines, j)) rc = host->episode_include(eps[i].ep, j);
        }
    }
    free(eps);
    kit_triggers_free(&t);
    return rc;
}

KIT_PLUGIN("functional_independence", "1.0.0", "functional independence: post-acute discharge (A), outpatient PT/OT evaluation (B)", fi, fi_read, fi_build)
