/*
 * export_xlsx_recon.c: the workbook's Episodes (one row per episode) and Projected
 * payment sheets (docs/exports.md). Projected payment is the reconciliation of
 * docs/methodology.md recomputed by the spreadsheet: its counts and sums are COUNTIFS
 * and SUMIFS over Episodes, its terms references to Terms, and every step a formula. The
 * result cached in each formula is the same step computed here in integer cents (the
 * CMS default method, as episodes/common/cms_default.lua), which is the run's figure
 * when the template reconciles the default way; the last column shows any difference.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "export.h"
#include "xlsx_internal.h"

/* ---- Episodes ---------------------------------------------------------------------------- */

static const xlsx_col ep_cols[E_NCOLS] = {
    [E_ID] = {"episode_id", 20},         [E_PERSON] = {"person_id", 14},
    [E_TEMPLATE] = {"template", 22},     [E_VERSION] = {"version", 9},
    [E_TRIGGER] = {"trigger", 8},        [E_TDATE] = {"trigger date", 11},
    [E_EDATE] = {"end date", 11},        [E_PERIOD] = {"period", 8},
    [E_ACO] = {"aco_id", 10},            [E_ARR] = {"arrangement_id", 14},
    [E_NPI] = {"npi", 12},               [E_TIN] = {"tin", 11},
    [E_METHOD] = {"attribution method", 12}, [E_TARGET] = {"target", 13},
    [E_ACTUAL] = {"actual", 13},         [E_WINS] = {"winsorized actual", 13},
    [E_QMET] = {"quality met (1 yes, 0 no)", 10}, [E_STATUS] = {"status", 9},
    [E_REASON] = {"exclusion reason", 20},
};

/* The performance year of an episode: the year of its trigger date; 0 when none. */
static int ep_period(const exp_episode *e)
{
    cara_date day0;
    return date_parse(e->trigger_date, strnlen(e->trigger_date, sizeof e->trigger_date), &day0) == 0
               ? date_year(day0)
               : 0;
}

void xlsx__episodes(xlsx *x)
{
    const export_data *d = x->d;
    xlsx__sheet(x, XLSX_EPISODES, "Episodes: one row per episode of the export");
    xlsx__header(x, XLSX_HEAD, 0, ep_cols, E_NCOLS);
    for (size_t i = 0; i < d->n_eps; i++) {
        const exp_episode *e = &d->eps[i];
        lxw_row_t r = (lxw_row_t)(XLSX_FIRST + i);
        int period = ep_period(e);
        xlsx__str(x, r, E_ID, e->episode_id, NULL);
        xlsx__str(x, r, E_PERSON, e->person_id, NULL);
        xlsx__str(x, r, E_TEMPLATE, e->template_id, NULL);
        xlsx__str(x, r, E_VERSION, e->template_version, NULL);
        xlsx__str(x, r, E_TRIGGER, e->trigger_type, NULL);
        xlsx__date(x, r, E_TDATE, e->trigger_date);
        xlsx__date(x, r, E_EDATE, e->end_date);
        if (period) xlsx__int(x, r, E_PERIOD, period);
        xlsx__str(x, r, E_ACO, e->aco_id, NULL);
        xlsx__str(x, r, E_ARR, e->arrangement_id, NULL);
        xlsx__str(x, r, E_NPI, e->npi, NULL);
        xlsx__str(x, r, E_TIN, e->tin, NULL);
        xlsx__str(x, r, E_METHOD, e->attribution_method, NULL);
        if (e->has_target) xlsx__cents(x, r, E_TARGET, e->target_cents);
        xlsx__cents(x, r, E_ACTUAL, e->actual_cents);
        if (e->has_winsorized) xlsx__cents(x, r, E_WINS, e->actual_winsorized_cents);
        if (e->has_quality) xlsx__int(x, r, E_QMET, e->quality_met ? 1 : 0);
        xlsx__str(x, r, E_STATUS, e->status, NULL);
        xlsx__str(x, r, E_REASON, e->exclusion_reason, NULL);
    }
    xlsx__table(x, XLSX_HEAD, (lxw_row_t)(XLSX_FIRST + d->n_eps) - 1, E_NCOLS, 1);
}

/* ---- the reconciliation in integer cents ------------------------------------------------- */

/* An arrangement's terms as the reconciliation reads them (0 when the template is not
 * in the run, as the blank Terms cells read in a formula). */
typedef struct rterms {
    int64_t min, sav, loss, cap, gain, sloss, qas, qal;
} rterms;

typedef struct recon {
    int64_t gross, q_bps, qadj, share, pay0, gain_cap, loss_cap, pay;
    const char *capped;
} recon;

static rterms terms_of(const export_data *d, const exp_arrangement *a)
{
    rterms t = {.sav = a->savings_share_bps, .loss = a->loss_share_bps, .gain = a->stop_gain_bps,
                .sloss = a->stop_loss_bps, .cap = xlsx__track_cap(d, a)};
    if (a->tmpl) {
        t.min = a->tmpl->min_episodes;
        t.qas = a->tmpl->qa_savings_bps;
        t.qal = a->tmpl->qa_loss_bps;
    }
    return t;
}

/* docs/methodology.md, "Reconciliation", steps 2-6, for n episodes (met meeting the
 * measure), targets T and winsorized actuals A; n = 0 or below the minimum: all zero. */
static recon reconcile(const rterms *tm, int64_t n, int64_t met, int64_t T, int64_t A)
{
    recon o = {.capped = ""};
    o.gain_cap = money_apply_bps(T, tm->gain);
    o.loss_cap = money_apply_bps(T, tm->sloss);
    if (n <= 0 || n < tm->min) return o;
    int64_t adj = 0;
    o.gross = xlsx__sub(T, A);
    o.q_bps = money_round_div(10000 * met, n);
    if (o.gross > 0) money_mul_div(o.gross, tm->qas * (10000 - o.q_bps), 100000000, &adj);
    else if (o.gross < 0) money_mul_div(o.gross, tm->qal * o.q_bps, 100000000, &adj);
    o.qadj = xlsx__sub(o.gross, adj);
    o.share = o.qadj >= 0 ? tm->sav : tm->loss;
    if (o.share > tm->cap) o.share = tm->cap;
    o.pay0 = money_apply_bps(o.qadj, o.share);
    o.pay = o.pay0;
    if (o.pay0 > o.gain_cap) {
        o.pay = o.gain_cap;
        o.capped = "stop_gain";
    } else if (o.pay0 < -o.loss_cap) {
        o.pay = -o.loss_cap;
        o.capped = "stop_loss";
    }
    return o;
}

/* ---- Projected payment ------------------------------------------------------------------- */

enum { R_ARR, R_PERIOD, R_TEMPLATE, R_STATUS, R_SOURCE, R_MIN, R_SAV, R_LOSS, R_CAP, R_GAIN,
       R_SLOSS, R_QAS, R_QAL, R_N, R_MET, R_T, R_A, R_GROSS, R_Q, R_QADJ, R_SHARE, R_PAY0,
       R_GAINCAP, R_LOSSCAP, R_PAY, R_CAPPED, R_RUNPAY, R_DIFF, R_NCOLS };

static const xlsx_col proj_cols[R_NCOLS] = {
    [R_ARR] = {"arrangement_id", 14},    [R_PERIOD] = {"period", 8},
    [R_TEMPLATE] = {"template", 22},     [R_STATUS] = {"run status", 18},
    [R_SOURCE] = {"N, met, T, A from", 10}, [R_MIN] = {"min episodes", 9},
    [R_SAV] = {"savings share bps", 9},  [R_LOSS] = {"loss share bps", 9},
    [R_CAP] = {"track share cap bps", 9}, [R_GAIN] = {"stop-gain bps", 9},
    [R_SLOSS] = {"stop-loss bps", 9},    [R_QAS] = {"qa_savings bps", 9},
    [R_QAL] = {"qa_loss bps", 9},        [R_N] = {"N episodes", 9},
    [R_MET] = {"quality met", 9},        [R_T] = {"T target", 14},
    [R_A] = {"A winsorized actual", 14}, [R_GROSS] = {"gross = T - A", 14},
    [R_Q] = {"Q% = met / N", 9},         [R_QADJ] = {"quality-adjusted", 14},
    [R_SHARE] = {"share bps", 9},        [R_PAY0] = {"payment before caps", 14},
    [R_GAINCAP] = {"stop-gain cap", 14}, [R_LOSSCAP] = {"stop-loss cap", 14},
    [R_PAY] = {"projected payment", 14}, [R_CAPPED] = {"cap applied", 11},
    [R_RUNPAY] = {"run payment (Summary)", 14}, [R_DIFF] = {"difference", 12},
};

/* The sums over Episodes of every result (index res_base[i] + j), as the COUNTIFS and
 * SUMIFS of the sheet compute them: episodes not excluded, of the arrangement, whose
 * trigger date is in the period. d->arrs is sorted by arrangement_id. */
typedef struct sums {
    int64_t n, met, t, a;
} sums;

static int cmp_arr(const void *key, const void *elem)
{
    return strcmp(key, ((const exp_arrangement *)elem)->arrangement_id);
}

static sums *episode_sums(xlsx *x)
{
    const export_data *d = x->d;
    size_t nres = x->res_base[d->n_arrs];
    sums *s = calloc(nres ? nres : 1, sizeof *s);
    if (!s) {
        xlsx__oom(x);
        return NULL;
    }
    for (size_t i = 0; i < d->n_eps; i++) {
        const exp_episode *e = &d->eps[i];
        if (strcmp(e->status, "excluded") == 0 || !e->arrangement_id[0]) continue;
        const exp_arrangement *a = d->n_arrs ? bsearch(e->arrangement_id, d->arrs, d->n_arrs,
                                                       sizeof *d->arrs, cmp_arr) : NULL;
        if (!a) continue;
        int period = ep_period(e);
        size_t ai = (size_t)(a - d->arrs);
        for (size_t j = 0; j < a->n_results; j++) {
            if (a->results[j].period != period) continue;
            sums *p = &s[x->res_base[ai] + j];
            p->n++;
            p->met += e->has_quality && e->quality_met;
            if (e->has_target) p->t = xlsx__sub(p->t, -e->target_cents);
            if (e->has_winsorized) p->a = xlsx__sub(p->a, -e->actual_winsorized_cents);
        }
    }
    return s;
}

/* "Episodes!$J$3:$J$9": column c of the Episodes table. */
static const char *ep_range(const xlsx *x, char *buf, size_t len, lxw_col_t c)
{
    char a[24], b[24];
    size_t n = x->d->n_eps ? x->d->n_eps : 1;
    snprintf(buf, len, XLSX_REF_EPISODES "!%s:%s", xlsx__cell(a, XLSX_FIRST, c, 1),
             xlsx__cell(b, (lxw_row_t)(XLSX_FIRST + n - 1), c, 1));
    return buf;
}

/* A reference to another sheet's cell with its value cached, in format f. */
static void ref(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_format *f, double cached, const char *sheet,
                lxw_row_t sr, lxw_col_t sc)
{
    char cell[24];
    xlsx__fnum(x, r, c, f, cached, "%s!%s", sheet, xlsx__cell(cell, sr, sc, 1));
}

static void projected_row(xlsx *x, lxw_row_t r, size_t ai, size_t j, const sums *s)
{
    const exp_arrangement *a = &x->d->arrs[ai];
    const exp_result *res = &a->results[j];
    lxw_row_t tr = (lxw_row_t)(XLSX_FIRST + ai), sr = (lxw_row_t)(XLSX_SUM_FIRST + x->res_base[ai] + j);
    rterms tm = terms_of(x->d, a);
    recon o = reconcile(&tm, res->episodes, res->quality_met, res->target_cents,
                        res->actual_winsorized_cents);
    int from_eps = s && s->n == res->episodes && s->met == res->quality_met &&
                   s->t == res->target_cents && s->a == res->actual_winsorized_cents;
    /* the cells of this row, by column */
    char c[R_NCOLS][24];
    for (lxw_col_t k = 0; k < R_NCOLS; k++) xlsx__cell(c[k], r, k, 0);
    xlsx__str(x, r, R_ARR, a->arrangement_id, NULL);
    xlsx__int(x, r, R_PERIOD, res->period);
    xlsx__str(x, r, R_TEMPLATE, a->tmpl ? a->tmpl->id : a->template_id, NULL);
    xlsx__str(x, r, R_STATUS, res->status, NULL);
    xlsx__str(x, r, R_SOURCE, from_eps ? "Episodes" : "Summary", NULL);
    static const struct { int col, terms_col; } tcol[] = {
        {R_MIN, T_MIN_EPS}, {R_SAV, T_SAV_BPS}, {R_LOSS, T_LOSS_BPS}, {R_CAP, T_CAP_BPS},
        {R_GAIN, T_GAIN_BPS}, {R_SLOSS, T_SLOSS_BPS}, {R_QAS, T_QAS_BPS}, {R_QAL, T_QAL_BPS},
    };
    const int64_t tv[] = {tm.min, tm.sav, tm.loss, tm.cap, tm.gain, tm.sloss, tm.qas, tm.qal};
    for (size_t k = 0; k < sizeof tcol / sizeof tcol[0]; k++)
        ref(x, r, (lxw_col_t)tcol[k].col, x->f.count, (double)tv[k], XLSX_REF_TERMS, tr,
            (lxw_col_t)tcol[k].terms_col);
    if (from_eps) {
        char ar[48], pr[48], st[48], q[48], tg[48], wz[48];
        ep_range(x, ar, sizeof ar, E_ARR);
        ep_range(x, pr, sizeof pr, E_PERIOD);
        ep_range(x, st, sizeof st, E_STATUS);
        xlsx__fnum(x, r, R_N, x->f.count, (double)res->episodes,
                   "COUNTIFS(%s,%s,%s,%s,%s,\"<>excluded\")", ar, c[R_ARR], pr, c[R_PERIOD], st);
        xlsx__fnum(x, r, R_MET, x->f.count, (double)res->quality_met,
                   "COUNTIFS(%s,%s,%s,%s,%s,\"<>excluded\",%s,1)", ar, c[R_ARR], pr, c[R_PERIOD],
                   st, ep_range(x, q, sizeof q, E_QMET));
        /* ROUND(..., 2): a sum of cents held as binary fractions, back to whole cents */
        xlsx__fcents(x, r, R_T, res->target_cents,
                     "ROUND(SUMIFS(%s,%s,%s,%s,%s,%s,\"<>excluded\"),2)",
                     ep_range(x, tg, sizeof tg, E_TARGET), ar, c[R_ARR], pr, c[R_PERIOD], st);
        xlsx__fcents(x, r, R_A, res->actual_winsorized_cents,
                     "ROUND(SUMIFS(%s,%s,%s,%s,%s,%s,\"<>excluded\"),2)",
                     ep_range(x, wz, sizeof wz, E_WINS), ar, c[R_ARR], pr, c[R_PERIOD], st);
    } else {
        ref(x, r, R_N, x->f.count, (double)res->episodes, XLSX_REF_SUMMARY, sr, S_EPISODES);
        ref(x, r, R_MET, x->f.count, (double)res->quality_met, XLSX_REF_SUMMARY, sr, S_MET);
        ref(x, r, R_T, x->f.money, (double)res->target_cents / 100.0, XLSX_REF_SUMMARY, sr, S_TARGET);
        ref(x, r, R_A, x->f.money, (double)res->actual_winsorized_cents / 100.0, XLSX_REF_SUMMARY,
            sr, S_WINS);
    }
    char no[96]; /* no reconciliation: no episode, or fewer than the minimum */
    snprintf(no, sizeof no, "OR(%s=0,%s<%s)", c[R_N], c[R_N], c[R_MIN]);
    xlsx__fcents(x, r, R_GROSS, o.gross, "IF(%s,0,ROUND(%s-%s,2))", no, c[R_T], c[R_A]);
    xlsx__fnum(x, r, R_Q, x->f.pct, (double)o.q_bps / 10000.0, "IF(%s,0,ROUND(%s/%s,4))", no,
               c[R_MET], c[R_N]);
    xlsx__fcents(x, r, R_QADJ, o.qadj,
                 "IF(%s,0,IF(%s>0,%s-ROUND(%s*%s/10000*(1-%s),2),%s-ROUND(%s*%s/10000*%s,2)))", no,
                 c[R_GROSS], c[R_GROSS], c[R_GROSS], c[R_QAS], c[R_Q], c[R_GROSS], c[R_GROSS],
                 c[R_QAL], c[R_Q]);
    xlsx__fnum(x, r, R_SHARE, x->f.count, (double)o.share, "IF(%s,0,MIN(IF(%s>=0,%s,%s),%s))", no,
               c[R_QADJ], c[R_SAV], c[R_LOSS], c[R_CAP]);
    xlsx__fcents(x, r, R_PAY0, o.pay0, "ROUND(%s*%s/10000,2)", c[R_QADJ], c[R_SHARE]);
    xlsx__fcents(x, r, R_GAINCAP, o.gain_cap, "ROUND(%s*%s/10000,2)", c[R_T], c[R_GAIN]);
    xlsx__fcents(x, r, R_LOSSCAP, o.loss_cap, "ROUND(%s*%s/10000,2)", c[R_T], c[R_SLOSS]);
    xlsx__fcents(x, r, R_PAY, o.pay, "IF(%s,0,MAX(MIN(%s,%s),-%s))", no, c[R_PAY0], c[R_GAINCAP],
                 c[R_LOSSCAP]);
    xlsx__fstr(x, r, R_CAPPED, NULL, o.capped,
               "IF(%s,\"\",IF(%s>%s,\"stop_gain\",IF(%s<-%s,\"stop_loss\",\"\")))", no, c[R_PAY0],
               c[R_GAINCAP], c[R_PAY0], c[R_LOSSCAP]);
    ref(x, r, R_RUNPAY, x->f.money, (double)res->payment_cents / 100.0, XLSX_REF_SUMMARY, sr,
        S_PAYMENT);
    xlsx__fcents(x, r, R_DIFF, xlsx__sub(o.pay, res->payment_cents), "ROUND(%s-%s,2)", c[R_PAY],
                 c[R_RUNPAY]);
}

void xlsx__projected(xlsx *x)
{
    const export_data *d = x->d;
    sums *s = episode_sums(x);
    xlsx__sheet(x, XLSX_PROJECTED, "Projected payment: the reconciliation recomputed from "
                "Episodes and Terms (change an episode or a term and it follows)");
    xlsx__header(x, XLSX_HEAD, 0, proj_cols, R_NCOLS);
    lxw_row_t r = XLSX_FIRST;
    for (size_t i = 0; i < d->n_arrs; i++)
        for (size_t j = 0; j < d->arrs[i].n_results; j++)
            projected_row(x, r++, i, j, s ? &s[x->res_base[i] + j] : NULL);
    xlsx__table(x, XLSX_HEAD, r - 1, R_NCOLS, 2);
    free(s);
}
