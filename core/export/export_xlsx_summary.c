/*
 * export_xlsx_summary.c: the workbook's Summary (the run and one row per arrangement and
 * performance year, the run's figures) and Terms (one row per arrangement: its terms,
 * negotiated or the template's default) sheets (docs/exports.md).
 */
#include <string.h>

#include "export.h"
#include "xlsx_internal.h"

/* ---- Summary ----------------------------------------------------------------------------- */

static const xlsx_col sum_cols[S_NCOLS] = {
    [S_ARR] = {"arrangement_id", 22},      [S_ACO] = {"aco_id", 20},
    [S_NPI] = {"npi", 12},                 [S_TIN] = {"tin", 11},
    [S_PROVIDER] = {"provider", 28},       [S_TEMPLATE] = {"template", 22},
    [S_VERSION] = {"version", 9},          [S_PERIOD] = {"period", 8},
    [S_EPISODES] = {"episodes", 9},        [S_MET] = {"quality met", 9},
    [S_TARGET] = {"target", 15},           [S_ACTUAL] = {"actual", 15},
    [S_WINS] = {"winsorized actual", 15},  [S_GROSS] = {"gross (target - winsorized)", 15},
    [S_QUALITY] = {"quality %", 9},        [S_QADJ] = {"quality-adjusted", 15},
    [S_SHARE] = {"share %", 9},            [S_PAYMENT] = {"payment", 15},
    [S_CAP] = {"cap applied", 11},         [S_STATUS] = {"status", 18},
    [S_LEAKAGE] = {"leakage paid", 14},
};

static void summary_row(xlsx *x, lxw_row_t r, const exp_arrangement *a, const exp_result *res)
{
    char t[24], w[24];
    xlsx__str(x, r, S_ARR, a->arrangement_id, NULL);
    xlsx__str(x, r, S_ACO, a->aco_id, NULL);
    xlsx__str(x, r, S_NPI, a->npi, NULL);
    xlsx__str(x, r, S_TIN, a->tin, NULL);
    xlsx__str(x, r, S_PROVIDER, a->provider_name, NULL);
    xlsx__str(x, r, S_TEMPLATE, a->tmpl ? a->tmpl->id : a->template_id, NULL);
    xlsx__str(x, r, S_VERSION, a->tmpl ? a->tmpl->version : "", NULL);
    xlsx__int(x, r, S_PERIOD, res->period);
    xlsx__int(x, r, S_EPISODES, res->episodes);
    xlsx__int(x, r, S_MET, res->quality_met);
    xlsx__cents(x, r, S_TARGET, res->target_cents);
    xlsx__cents(x, r, S_ACTUAL, res->actual_cents);
    xlsx__cents(x, r, S_WINS, res->actual_winsorized_cents);
    if (res->has_gross) {
        xlsx__fcents(x, r, S_GROSS, xlsx__sub(res->target_cents, res->actual_winsorized_cents),
                     "ROUND(%s-%s,2)", xlsx__cell(t, r, S_TARGET, 0), xlsx__cell(w, r, S_WINS, 0));
        xlsx__num(x, r, S_QUALITY, (double)res->quality_bps / 10000.0, x->f.pct);
        xlsx__cents(x, r, S_QADJ, res->quality_adjusted_cents);
        xlsx__num(x, r, S_SHARE, (double)res->share_bps / 10000.0, x->f.pct);
    }
    xlsx__cents(x, r, S_PAYMENT, res->payment_cents);
    xlsx__str(x, r, S_CAP, res->cap_applied, NULL);
    xlsx__str(x, r, S_STATUS, res->status, NULL);
    xlsx__cents(x, r, S_LEAKAGE, res->leakage_paid_cents);
}

void xlsx__summary(xlsx *x)
{
    const export_data *d = x->d;
    xlsx__sheet(x, XLSX_SUMMARY, "CARA contracting workbook");
    xlsx__str(x, 1, 0, "run id", x->f.head);
    xlsx__int(x, 1, 1, d->run_id);
    xlsx__str(x, 2, 0, "as of (paid through)", x->f.head);
    xlsx__date(x, 2, 1, d->as_of_date);
    xlsx__str(x, 3, 0, "generated at (UTC)", x->f.head);
    xlsx__stamp(x, 3, 1, d->generated_at);
    xlsx__str(x, 4, 0, "scope", x->f.head);
    xlsx__str(x, 4, 1, d->scope_label, NULL);
    xlsx__str(x, 5, 0, "run finished at (UTC)", x->f.head);
    xlsx__stamp(x, 5, 1, d->run_finished_at);
    xlsx__header(x, XLSX_SUM_HEAD, 0, sum_cols, S_NCOLS);
    lxw_row_t r = XLSX_SUM_FIRST;
    for (size_t i = 0; i < d->n_arrs; i++)
        for (size_t j = 0; j < d->arrs[i].n_results; j++)
            summary_row(x, r++, &d->arrs[i], &d->arrs[i].results[j]);
    xlsx__table(x, XLSX_SUM_HEAD, r - 1, S_NCOLS, 1);
}

/* ---- Terms ------------------------------------------------------------------------------- */

static const xlsx_col terms_cols[T_NCOLS] = {
    [T_ARR] = {"arrangement_id", 14},        [T_ACO] = {"aco_id", 10},
    [T_TRACK] = {"track", 12},               [T_NPI] = {"npi", 12},
    [T_TIN] = {"tin", 11},                   [T_PROVIDER] = {"provider", 28},
    [T_SPECIALTY] = {"specialty", 16},       [T_TEMPLATE] = {"template", 22},
    [T_VERSION] = {"version", 9},            [T_STATUS] = {"EBRA status", 11},
    [T_START] = {"start", 11},               [T_END] = {"end", 11},
    [T_DISC_BPS] = {"discount bps", 10},     [T_DISC_PCT] = {"discount %", 10},
    [T_DISC_KIND] = {"discount or premium", 11}, [T_DISC_SRC] = {"discount term", 16},
    [T_DISC_MIN] = {"discount min bps", 10}, [T_DISC_MAX] = {"discount max bps", 10},
    [T_SAV_BPS] = {"savings share bps", 10}, [T_SAV_PCT] = {"savings share %", 10},
    [T_SAV_SRC] = {"savings share term", 16}, [T_LOSS_BPS] = {"loss share bps", 10},
    [T_LOSS_PCT] = {"loss share %", 10},     [T_LOSS_SRC] = {"loss share term", 16},
    [T_GAIN_BPS] = {"stop-gain bps", 10},    [T_GAIN_PCT] = {"stop-gain %", 10},
    [T_GAIN_SRC] = {"stop-gain term", 16},   [T_SLOSS_BPS] = {"stop-loss bps", 10},
    [T_SLOSS_PCT] = {"stop-loss %", 10},     [T_SLOSS_SRC] = {"stop-loss term", 16},
    [T_CAP_BPS] = {"track share cap bps", 10}, [T_MIN_EPS] = {"min episodes", 9},
    [T_MEASURE] = {"quality measure", 20},   [T_MEASURE_DESC] = {"quality measure description", 50},
    [T_QAS_BPS] = {"qa_savings bps", 10},    [T_QAL_BPS] = {"qa_loss bps", 10},
};

/* A term: bps, the % as a formula over it, and where it comes from. */
static void term(xlsx *x, lxw_row_t r, lxw_col_t c, int64_t bps, int negotiated)
{
    char cell[24];
    xlsx__int(x, r, c, bps);
    xlsx__fnum(x, r, c + 1, x->f.pct, (double)bps / 10000.0, "%s/10000", xlsx__cell(cell, r, c, 0));
    xlsx__str(x, r, c + (c == T_DISC_BPS ? 3 : 2), negotiated ? "negotiated" : "template default",
              NULL);
}

static void terms_row(xlsx *x, lxw_row_t r, const exp_arrangement *a)
{
    const exp_aco *aco = xlsx__aco(x->d, a->aco_id);
    const exp_template *t = a->tmpl;
    xlsx__str(x, r, T_ARR, a->arrangement_id, NULL);
    xlsx__str(x, r, T_ACO, a->aco_id, NULL);
    xlsx__str(x, r, T_TRACK, aco ? aco->track : "", NULL);
    xlsx__str(x, r, T_NPI, a->npi, NULL);
    xlsx__str(x, r, T_TIN, a->tin, NULL);
    xlsx__str(x, r, T_PROVIDER, a->provider_name, NULL);
    xlsx__str(x, r, T_SPECIALTY, a->specialty, NULL);
    xlsx__str(x, r, T_TEMPLATE, t ? t->id : a->template_id, NULL);
    xlsx__str(x, r, T_VERSION, t ? t->version : "", NULL);
    xlsx__str(x, r, T_STATUS, a->status, NULL);
    xlsx__date(x, r, T_START, a->start_date);
    xlsx__date(x, r, T_END, a->end_date);
    term(x, r, T_DISC_BPS, a->discount_bps, (a->negotiated >> EXP_TERM_DISCOUNT) & 1);
    xlsx__str(x, r, T_DISC_KIND,
              a->discount_bps > 0 ? "discount" : a->discount_bps < 0 ? "premium" : "none", NULL);
    term(x, r, T_SAV_BPS, a->savings_share_bps, (a->negotiated >> EXP_TERM_SAVINGS_SHARE) & 1);
    term(x, r, T_LOSS_BPS, a->loss_share_bps, (a->negotiated >> EXP_TERM_LOSS_SHARE) & 1);
    term(x, r, T_GAIN_BPS, a->stop_gain_bps, (a->negotiated >> EXP_TERM_STOP_GAIN) & 1);
    term(x, r, T_SLOSS_BPS, a->stop_loss_bps, (a->negotiated >> EXP_TERM_STOP_LOSS) & 1);
    xlsx__int(x, r, T_CAP_BPS, xlsx__track_cap(x->d, a));
    if (!t) return; /* a template the run does not hold: its own terms only */
    xlsx__int(x, r, T_DISC_MIN, t->discount_min_bps);
    xlsx__int(x, r, T_DISC_MAX, t->discount_max_bps);
    xlsx__int(x, r, T_MIN_EPS, t->min_episodes);
    xlsx__str(x, r, T_MEASURE, t->quality_measure, NULL);
    xlsx__str(x, r, T_MEASURE_DESC, t->quality_description, NULL);
    xlsx__int(x, r, T_QAS_BPS, t->qa_savings_bps);
    xlsx__int(x, r, T_QAL_BPS, t->qa_loss_bps);
}

void xlsx__terms(xlsx *x)
{
    const export_data *d = x->d;
    xlsx__sheet(x, XLSX_TERMS, "Terms: each EBRA's terms, negotiated or the template's default");
    xlsx__header(x, XLSX_HEAD, 0, terms_cols, T_NCOLS);
    for (size_t i = 0; i < d->n_arrs; i++) terms_row(x, (lxw_row_t)(XLSX_FIRST + i), &d->arrs[i]);
    xlsx__table(x, XLSX_HEAD, (lxw_row_t)(XLSX_FIRST + d->n_arrs) - 1, T_NCOLS, 1);
}
