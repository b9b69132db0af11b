/*
 * export_xlsx_prices.c: the workbook's price tables (docs/exports.md): "Target
 * prices", every target a template can give in a performance year, step by step in
 * integer cents beside a formula recomputing each step; and "Baseline", the spending of
 * the run's episodes per template and trigger type with the winsorization cap.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "export.h"
#include "xlsx_internal.h"

/* ---- Target prices ----------------------------------------------------------------------- */

enum { P_TEMPLATE, P_VERSION, P_YEAR, P_TRIGGER, P_TRIG_DESC, P_AGE_BAND, P_MIN_AGE, P_AGE_F,
       P_HCC_BAND, P_HCC, P_HCC_F, P_DUAL, P_DUAL_F, P_BASE, P_TREND_F, P_TREND_Y, P_V_TREND,
       P_V_AGE, P_V_HCC, P_V_TARGET, P_F_TREND, P_F_AGE, P_F_HCC, P_F_TARGET, P_NCOLS };

/* The most arrangements given a discounted-target column, and the most trend years
 * written as one nested ROUND (Excel nests 64 functions at most). */
#define XLSX_MAX_ARR_COLS 200
#define XLSX_MAX_TREND_NEST 60

static const xlsx_col price_cols[P_NCOLS] = {
    [P_TEMPLATE] = {"template", 22},         [P_VERSION] = {"version", 9},
    [P_YEAR] = {"performance year", 10},     [P_TRIGGER] = {"trigger", 8},
    [P_TRIG_DESC] = {"trigger description", 30}, [P_AGE_BAND] = {"age band", 8},
    [P_MIN_AGE] = {"min age", 7},            [P_AGE_F] = {"age factor", 8},
    [P_HCC_BAND] = {"HCC count", 8},         [P_HCC] = {"HCC count (min)", 8},
    [P_HCC_F] = {"HCC factor", 8},           [P_DUAL] = {"dual status", 9},
    [P_DUAL_F] = {"dual factor", 8},         [P_BASE] = {"base", 13},
    [P_TREND_F] = {"trend factor", 8},       [P_TREND_Y] = {"trend years", 7},
    [P_V_TREND] = {"after trend", 13},       [P_V_AGE] = {"after age", 13},
    [P_V_HCC] = {"after HCC", 13},           [P_V_TARGET] = {"target before discount", 13},
    [P_F_TREND] = {"after trend (formula)", 13}, [P_F_AGE] = {"after age (formula)", 13},
    [P_F_HCC] = {"after HCC (formula)", 13}, [P_F_TARGET] = {"target before discount (formula)", 13},
};

/* One band of a factor table: its label, the low end and the factor. */
typedef struct band {
    char label[24];
    int64_t low, factor;
} band;

static band age_band(const exp_template *t, size_t i)
{
    band b = {"any", 0, 10000};
    if (t->n_age_bands == 0) return b;
    b.low = t->age_bands[i].min_age;
    b.factor = t->age_bands[i].factor;
    if (i + 1 < t->n_age_bands)
        snprintf(b.label, sizeof b.label, "%d-%d", t->age_bands[i].min_age,
                 t->age_bands[i + 1].min_age - 1);
    else
        snprintf(b.label, sizeof b.label, "%d+", t->age_bands[i].min_age);
    return b;
}

static band hcc_band(const exp_template *t, size_t i)
{
    band b = {"any", 0, 10000};
    if (t->n_hcc_factors == 0) return b;
    b.low = (int64_t)i;
    b.factor = t->hcc_factors[i];
    snprintf(b.label, sizeof b.label, i + 1 < t->n_hcc_factors ? "%zu" : "%zu+", i);
    return b;
}

/* y into the ascending, distinct v[0..*n). */
static void add_year(int *v, size_t *n, int y)
{
    size_t i = 0;
    while (i < *n && v[i] < y) i++;
    if (i < *n && v[i] == y) return;
    memmove(v + i + 1, v + i, (*n - i) * sizeof *v);
    v[i] = y;
    (*n)++;
}

/* The performance years of t: those of its arrangements' results, else of every
 * result, else of its episodes' trigger dates, else its base year; ascending, distinct,
 * into *out (malloc'ed). Returns the count, or 0 with x marked out of memory. */
static size_t template_years(xlsx *x, const exp_template *t, int **out)
{
    const export_data *d = x->d;
    size_t cap = 1 + d->n_eps;
    for (size_t i = 0; i < d->n_arrs; i++) cap += d->arrs[i].n_results;
    int *v = malloc(cap * sizeof *v);
    size_t n = 0;
    *out = v;
    if (!v) {
        xlsx__oom(x);
        return 0;
    }
    for (int pass = 0; pass < 2 && n == 0; pass++)
        for (size_t i = 0; i < d->n_arrs; i++)
            if (pass == 1 || d->arrs[i].tmpl == t)
                for (size_t j = 0; j < d->arrs[i].n_results; j++)
                    add_year(v, &n, d->arrs[i].results[j].period);
    for (size_t i = 0, none = n == 0; none && i < d->n_eps; i++) {
        cara_date day0;
        const exp_episode *e = &d->eps[i];
        if (strcmp(e->template_id, t->id) == 0 &&
            date_parse(e->trigger_date, strnlen(e->trigger_date, sizeof e->trigger_date), &day0) == 0)
            add_year(v, &n, date_year(day0));
    }
    if (n == 0) add_year(v, &n, t->base_year);
    return n;
}

/* The arrangements given a discounted-target column (those priced with a template of
 * the run), at most XLSX_MAX_ARR_COLS, as indexes into d->arrs. */
static size_t arr_columns(xlsx *x, size_t **out, size_t *left_out)
{
    const export_data *d = x->d;
    size_t *v = malloc((d->n_arrs ? d->n_arrs : 1) * sizeof *v), n = 0;
    *out = v;
    *left_out = 0;
    if (!v) {
        xlsx__oom(x);
        return 0;
    }
    for (size_t i = 0; i < d->n_arrs; i++) {
        if (!d->arrs[i].tmpl) continue;
        if (n < XLSX_MAX_ARR_COLS) v[n++] = i;
        else (*left_out)++;
    }
    return n;
}

/* The trend step as nested ROUNDs, one per year: ROUND(ROUND(base*f,2)*f,2). */
static void trend_formula(xlsx *x, lxw_row_t r, int64_t years, int64_t cached)
{
    char base[24], f[24], buf[XLSX_MAX_TREND_NEST * 24 + 32];
    xlsx__cell(base, r, P_BASE, 0);
    xlsx__cell(f, r, P_TREND_F, 0);
    if (years > XLSX_MAX_TREND_NEST) { /* beyond Excel's nesting: the value alone */
        xlsx__cents(x, r, P_F_TREND, cached);
        return;
    }
    size_t o = 0;
    for (int64_t y = 0; y < years; y++) o += (size_t)snprintf(buf + o, sizeof buf - o, "ROUND(");
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", base);
    for (int64_t y = 0; y < years; y++) o += (size_t)snprintf(buf + o, sizeof buf - o, "*%s,2)", f);
    xlsx__fcents(x, r, P_F_TREND, cached, "%s", buf);
}

/* ROUND(prev*factor,2) into column c with the cached cents. */
static void step_formula(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_col_t prev, lxw_col_t factor,
                         int64_t cached)
{
    char p[24], f[24];
    xlsx__fcents(x, r, c, cached, "ROUND(%s*%s,2)", xlsx__cell(p, r, prev, 0),
                 xlsx__cell(f, r, factor, 0));
}

static void price_row(xlsx *x, lxw_row_t r, const exp_template *t, int year, const exp_trigger *tg,
                      const band *age, const band *hcc, int dual, const size_t *acol, size_t nac)
{
    const export_data *d = x->d;
    int64_t tf = 10000 + t->trend_bps, years = (int64_t)year - t->base_year;
    int64_t df = dual ? t->dual_factor : t->non_dual_factor;
    if (years < 0) years = 0;
    int64_t v_trend = tg->base_cents;
    for (int64_t y = 0; y < years; y++) v_trend = money_apply_factor(v_trend, tf);
    int64_t v_age = money_apply_factor(v_trend, age->factor);
    int64_t v_hcc = money_apply_factor(v_age, hcc->factor);
    int64_t v_target = money_apply_factor(v_hcc, df);
    xlsx__str(x, r, P_TEMPLATE, t->id, NULL);
    xlsx__str(x, r, P_VERSION, t->version, NULL);
    xlsx__int(x, r, P_YEAR, year);
    xlsx__str(x, r, P_TRIGGER, tg->type, NULL);
    xlsx__str(x, r, P_TRIG_DESC, tg->description, NULL);
    xlsx__str(x, r, P_AGE_BAND, age->label, NULL);
    xlsx__int(x, r, P_MIN_AGE, age->low);
    xlsx__num(x, r, P_AGE_F, (double)age->factor / 10000.0, x->f.factor);
    xlsx__str(x, r, P_HCC_BAND, hcc->label, NULL);
    xlsx__int(x, r, P_HCC, hcc->low);
    xlsx__num(x, r, P_HCC_F, (double)hcc->factor / 10000.0, x->f.factor);
    xlsx__str(x, r, P_DUAL, dual ? "dual" : "non-dual", NULL);
    xlsx__num(x, r, P_DUAL_F, (double)df / 10000.0, x->f.factor);
    xlsx__cents(x, r, P_BASE, tg->base_cents);
    xlsx__num(x, r, P_TREND_F, (double)tf / 10000.0, x->f.factor);
    xlsx__int(x, r, P_TREND_Y, years);
    xlsx__cents(x, r, P_V_TREND, v_trend);
    xlsx__cents(x, r, P_V_AGE, v_age);
    xlsx__cents(x, r, P_V_HCC, v_hcc);
    xlsx__cents(x, r, P_V_TARGET, v_target);
    trend_formula(x, r, years, v_trend);
    step_formula(x, r, P_F_AGE, P_F_TREND, P_AGE_F, v_age);
    step_formula(x, r, P_F_HCC, P_F_AGE, P_HCC_F, v_hcc);
    step_formula(x, r, P_F_TARGET, P_F_HCC, P_DUAL_F, v_target);
    for (size_t k = 0; k < nac; k++) {
        const exp_arrangement *a = &d->arrs[acol[k]];
        if (a->tmpl != t) continue;
        char tc[24], disc[24];
        xlsx__fcents(x, r, (lxw_col_t)(P_NCOLS + k), money_apply_factor(v_target, 10000 - a->discount_bps),
                     "ROUND(%s*(1-" XLSX_REF_TERMS "!%s/10000),2)", xlsx__cell(tc, r, P_F_TARGET, 0),
                     xlsx__cell(disc, (lxw_row_t)(XLSX_FIRST + acol[k]), T_DISC_BPS, 1));
    }
}

void xlsx__prices(xlsx *x)
{
    const export_data *d = x->d;
    size_t *acol, left_out;
    size_t nac = arr_columns(x, &acol, &left_out);
    char title[320];
    int n = snprintf(title, sizeof title, "Target prices: base, trend once per year from the "
                     "base year, then x age, x HCC count, x dual factor, rounded to the cent "
                     "after every multiplication (ROUND(...,2), half away from zero)");
    if (left_out && n > 0 && (size_t)n < sizeof title)
        snprintf(title + n, sizeof title - (size_t)n, "; %zu more arrangements: target x (1 - "
                 "discount bps / 10000), Terms", left_out);
    xlsx__sheet(x, XLSX_PRICES, title);
    xlsx__header(x, XLSX_HEAD, 0, price_cols, P_NCOLS);
    for (size_t k = 0; k < nac; k++) {
        char head[EXP_SHORT + 32];
        xlsx_col col = {head, 14};
        snprintf(head, sizeof head, "%s discounted target", d->arrs[acol[k]].arrangement_id);
        xlsx__header(x, XLSX_HEAD, (lxw_col_t)(P_NCOLS + k), &col, 1);
    }
    lxw_row_t r = XLSX_FIRST;
    for (size_t ti = 0; ti < d->n_templates; ti++) {
        const exp_template *t = &d->templates[ti];
        int *years;
        size_t ny = template_years(x, t, &years);
        size_t na = t->n_age_bands ? t->n_age_bands : 1, nh = t->n_hcc_factors ? t->n_hcc_factors : 1;
        for (size_t yi = 0; yi < ny; yi++)
            for (size_t g = 0; g < t->n_triggers; g++)
                for (size_t ai = 0; ai < na; ai++) {
                    band age = age_band(t, ai);
                    for (size_t hi = 0; hi < nh; hi++) {
                        band hcc = hcc_band(t, hi);
                        for (int dual = 0; dual < 2; dual++)
                            price_row(x, r++, t, years[yi], &t->triggers[g], &age, &hcc, dual, acol, nac);
                    }
                }
        free(years);
    }
    xlsx__table(x, XLSX_HEAD, r - 1, (lxw_col_t)(P_NCOLS + nac), 4);
    free(acol);
}

/* ---- Baseline ---------------------------------------------------------------------------- */

enum { B_TEMPLATE, B_FAMILY, B_TRIGGER, B_COUNT, B_SUM, B_AVG, B_WSUM, B_WAVG, B_PCTL, B_CAP,
       B_CAPPED, B_NCOLS };

static const xlsx_col base_cols[B_NCOLS] = {
    [B_TEMPLATE] = {"template", 22},       [B_FAMILY] = {"family", 22},
    [B_TRIGGER] = {"trigger", 8},          [B_COUNT] = {"episodes", 9},
    [B_SUM] = {"sum actual", 15},          [B_AVG] = {"average actual", 13},
    [B_WSUM] = {"sum winsorized", 15},     [B_WAVG] = {"average winsorized", 13},
    [B_PCTL] = {"winsorization percentile", 12}, [B_CAP] = {"winsorization cap", 13},
    [B_CAPPED] = {"episodes capped", 9},
};

static const char *const excl_cols[4] = {"template", "family", "exclusion reason", "episodes"};

/* One line of Baseline: the episodes of a template and trigger type (key2), or the
 * excluded episodes of a template and reason (key2). */
typedef struct bgroup {
    const exp_episode *first;  /* names the template, family and key2 */
    const char *key2;
    const exp_template *t;     /* NULL: not among d->templates */
    size_t ti, ki;             /* the template's index, the trigger's in it (sort keys) */
    int64_t n, sum, wsum, capped, cap;
} bgroup;

static const exp_template *find_template(const export_data *d, const char *id, size_t *ti)
{
    for (size_t i = 0; i < d->n_templates; i++)
        if (strcmp(d->templates[i].id, id) == 0) {
            *ti = i;
            return &d->templates[i];
        }
    *ti = d->n_templates;
    return NULL;
}

static int cmp_group(const void *a, const void *b)
{
    const bgroup *x = a, *y = b;
    if (x->ti != y->ti) return x->ti < y->ti ? -1 : 1;
    int c = strcmp(x->first->template_id, y->first->template_id);
    if (c) return c;
    if (x->ki != y->ki) return x->ki < y->ki ? -1 : 1;
    return strcmp(x->key2, y->key2);
}

/* The groups of d's episodes, excluded (reasons) or not (trigger types), sorted into
 * *out (malloc'ed); the count, 0 with x marked on out of memory. */
static size_t groups(xlsx *x, int excluded, bgroup **out)
{
    const export_data *d = x->d;
    bgroup *v = malloc((d->n_eps ? d->n_eps : 1) * sizeof *v);
    size_t n = 0;
    *out = v;
    if (!v) {
        xlsx__oom(x);
        return 0;
    }
    for (size_t i = 0; i < d->n_eps; i++) {
        const exp_episode *e = &d->eps[i];
        if ((strcmp(e->status, "excluded") == 0) != excluded) continue;
        const char *key2 = excluded ? e->exclusion_reason : e->trigger_type;
        size_t g = 0;
        while (g < n && (strcmp(v[g].first->template_id, e->template_id) || strcmp(v[g].key2, key2)))
            g++;
        if (g == n) {
            bgroup *b = &v[n++];
            memset(b, 0, sizeof *b);
            b->first = e;
            b->key2 = key2;
            b->t = find_template(d, e->template_id, &b->ti);
            b->ki = b->t ? b->t->n_triggers : 0;
            for (size_t k = 0; b->t && !excluded && k < b->t->n_triggers; k++)
                if (strcmp(b->t->triggers[k].type, key2) == 0) b->ki = k;
        }
        bgroup *b = &v[g];
        int64_t w = e->has_winsorized ? e->actual_winsorized_cents : e->actual_cents;
        b->n++;
        b->sum = xlsx__sub(b->sum, -e->actual_cents);
        b->wsum = xlsx__sub(b->wsum, -w);
        if (e->has_winsorized && e->actual_winsorized_cents < e->actual_cents) {
            if (b->capped == 0 || w > b->cap) b->cap = w;
            b->capped++;
        }
    }
    qsort(v, n, sizeof *v, cmp_group);
    return n;
}

/* sum / count as a formula with the average in dollars cached. */
static void average(xlsx *x, lxw_row_t r, lxw_col_t c, lxw_col_t sum, const bgroup *g, int64_t cents)
{
    char s[24], n[24];
    xlsx__fnum(x, r, c, x->f.money, (double)cents / 100.0 / (double)g->n, "%s/%s",
               xlsx__cell(s, r, sum, 0), xlsx__cell(n, r, B_COUNT, 0));
}

void xlsx__baseline(xlsx *x)
{
    bgroup *v, *ex;
    size_t n = groups(x, 0, &v), nx = groups(x, 1, &ex);
    xlsx__sheet(x, XLSX_BASELINE, "Baseline: the run's episodes (not excluded) per template and "
                "trigger type, actual and winsorized spending");
    xlsx__header(x, XLSX_HEAD, 0, base_cols, B_NCOLS);
    lxw_row_t r = XLSX_FIRST;
    for (size_t i = 0; i < n; i++, r++) {
        const bgroup *g = &v[i];
        xlsx__str(x, r, B_TEMPLATE, g->first->template_id, NULL);
        xlsx__str(x, r, B_FAMILY, g->first->family, NULL);
        xlsx__str(x, r, B_TRIGGER, g->key2, NULL);
        xlsx__int(x, r, B_COUNT, g->n);
        xlsx__cents(x, r, B_SUM, g->sum);
        average(x, r, B_AVG, B_SUM, g, g->sum);
        xlsx__cents(x, r, B_WSUM, g->wsum);
        average(x, r, B_WAVG, B_WSUM, g, g->wsum);
        if (g->t) xlsx__num(x, r, B_PCTL, (double)g->t->winsorize_percentile_bps / 10000.0, x->f.pct);
        if (g->capped) xlsx__cents(x, r, B_CAP, g->cap);
        else xlsx__str(x, r, B_CAP, "none", NULL);
        xlsx__int(x, r, B_CAPPED, g->capped);
    }
    xlsx__table(x, XLSX_HEAD, r - 1, B_NCOLS, 0);
    r++; /* a blank row, then the excluded episodes */
    xlsx__str(x, r++, 0, "Excluded episodes by exclusion reason", x->f.title);
    for (lxw_col_t c = 0; c < 4; c++) xlsx__str(x, r, c, excl_cols[c], x->f.head);
    r++; /* the widths are those of the table above */
    for (size_t i = 0; i < nx; i++, r++) {
        xlsx__str(x, r, 0, ex[i].first->template_id, NULL);
        xlsx__str(x, r, 1, ex[i].first->family, NULL);
        xlsx__str(x, r, 2, ex[i].key2[0] ? ex[i].key2 : "(none given)", NULL);
        xlsx__int(x, r, 3, ex[i].n);
    }
    free(v);
    free(ex);
}
