/*
 * export_gather.c: read one run's results for a scope into an export_data (export.h).
 *
 * The numbers are the run's tables' as they are: arrangement results come from the
 * arrangement report (report_each), episodes from run_episodes, so every export equals
 * `cara report` to the cent by construction; what is computed here is only what no table
 * holds (the winsorized spending split by setting, the ATR members and their changeType).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "export_internal.h"

/* ---- row helpers ---------------------------------------------------------------------- */

/* The index of column name in row's header, or -1. */
static int col_of(const store_row *row, const char *name)
{
    for (int i = 0; i < row->n; i++)
        if (!strcmp(row->names[i], name)) return i;
    return -1;
}

#define MAX_COLS 64
typedef struct rows_ctx {
    int idx[MAX_COLS];     /* the header's index of each wanted column */
    const char *const *want;
    int n_want;
    void *out;             /* the array being filled */
    size_t n, cap, size;
    int (*fill)(struct rows_ctx *c, const store_row *row, void *elem);
    export_data *d;
    int64_t max;           /* > 0: -E2BIG past this many rows */
} rows_ctx;

static const char *txt(const rows_ctx *c, const store_row *row, int w)
{
    int i = c->idx[w];
    return i >= 0 && row->cells[i].text ? row->cells[i].text : "";
}
static int isnull(const rows_ctx *c, const store_row *row, int w)
{
    int i = c->idx[w];
    return i < 0 || row->cells[i].type == STORE_CELL_NULL;
}
static int64_t num(const rows_ctx *c, const store_row *row, int w)
{
    int i = c->idx[w];
    return i >= 0 && row->cells[i].type == STORE_CELL_INT ? row->cells[i].i : 0;
}
#define CPY(dst, c, row, w) util_strlcpy((dst), txt((c), (row), (w)), sizeof(dst))

static int rows_cb(const store_row *row, void *ud)
{
    rows_ctx *c = ud;
    if (!row->cells) {
        for (int w = 0; w < c->n_want; w++) c->idx[w] = col_of(row, c->want[w]);
        return 0;
    }
    if (c->max > 0 && (int64_t)c->n >= c->max) return -E2BIG;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        void *v = realloc(c->out, cap * c->size);
        if (!v) return -ENOMEM;
        c->out = v;
        c->cap = cap;
    }
    void *elem = (char *)c->out + c->n * c->size;
    memset(elem, 0, c->size);
    int rc = c->fill(c, row, elem);
    if (rc < 0) { /* counted, so that export_data_free releases what it holds */
        c->n++;
        return rc;
    }
    if (rc == 0) c->n++; /* 1: skipped */
    return 0;
}

/* ---- episodes ------------------------------------------------------------------------- */

static const char *const ep_cols[] = {
    "episode_id", "person_id", "template_id", "template_version", "trigger_type",
    "trigger_date", "end_date", "died", "aco_id", "arrangement_id", "npi", "tin",
    "attribution_method", "base_cents", "trend_factor", "trend_years", "age_factor",
    "hcc_count", "hcc_factor", "dual_factor", "discount_bps", "target_cents", "actual_cents",
    "actual_winsorized_cents", "quality_met", "status", "exclusion_reason", "risk_score",
    "inpatient_cents", "snf_cents", "home_health_cents", "outpatient_cents",
    "professional_cents", "dme_cents", "hospice_cents", "other_cents", "trigger_claim_id",
    "trigger_line", "trigger_code", "trigger_dx", "trigger_npi", "trigger_tin", "age", "dual"};
enum { E_ID, E_PERSON, E_TMPL, E_VER, E_TTYPE, E_TDATE, E_END, E_DIED, E_ACO, E_ARR, E_NPI,
       E_TIN, E_METHOD, E_BASE, E_TREND, E_TYEARS, E_AGEF, E_HCC, E_HCCF, E_DUALF, E_DISC,
       E_TARGET, E_ACTUAL, E_WINS, E_QMET, E_STATUS, E_EXCL, E_RISK, E_SET0,
       E_TCLAIM = E_SET0 + SETTING_N, E_TLINE, E_TCODE, E_TDX, E_TNPI, E_TTIN, E_AGE, E_DUAL };

/* The base template id of template id (an overlay's base; id itself when the run's
 * templates do not name it). */
static const char *family_of(const export_data *d, const char *id)
{
    for (size_t i = 0; i < d->n_templates; i++)
        if (!strcmp(d->templates[i].id, id)) return d->templates[i].family;
    return id;
}

static int fill_episode(rows_ctx *c, const store_row *row, void *elem)
{
    exp_episode *e = elem;
    CPY(e->template_id, c, row, E_TMPL);
    util_strlcpy(e->family, family_of(c->d, e->template_id), sizeof e->family);
    if (c->d->scope.template_id && strcmp(e->family, c->d->scope.template_id) &&
        strcmp(e->template_id, c->d->scope.template_id))
        return 1;
    CPY(e->episode_id, c, row, E_ID);
    CPY(e->person_id, c, row, E_PERSON);
    CPY(e->template_version, c, row, E_VER);
    CPY(e->trigger_type, c, row, E_TTYPE);
    CPY(e->trigger_date, c, row, E_TDATE);
    CPY(e->end_date, c, row, E_END);
    e->died = (int)num(c, row, E_DIED);
    CPY(e->aco_id, c, row, E_ACO);
    CPY(e->arrangement_id, c, row, E_ARR);
    CPY(e->npi, c, row, E_NPI);
    CPY(e->tin, c, row, E_TIN);
    CPY(e->attribution_method, c, row, E_METHOD);
    e->has_target = !isnull(c, row, E_TARGET);
    e->base_cents = num(c, row, E_BASE);
    e->trend_factor = num(c, row, E_TREND);
    e->trend_years = num(c, row, E_TYEARS);
    e->age_factor = num(c, row, E_AGEF);
    e->hcc_count = num(c, row, E_HCC);
    e->hcc_factor = num(c, row, E_HCCF);
    e->dual_factor = num(c, row, E_DUALF);
    e->discount_bps = num(c, row, E_DISC);
    e->target_cents = num(c, row, E_TARGET);
    e->actual_cents = num(c, row, E_ACTUAL);
    e->has_winsorized = !isnull(c, row, E_WINS);
    e->actual_winsorized_cents = num(c, row, E_WINS);
    e->has_quality = !isnull(c, row, E_QMET);
    e->quality_met = (int)num(c, row, E_QMET);
    CPY(e->status, c, row, E_STATUS);
    CPY(e->exclusion_reason, c, row, E_EXCL);
    e->has_risk = !isnull(c, row, E_RISK);
    e->risk_score = num(c, row, E_RISK);
    e->has_settings = !isnull(c, row, E_SET0);
    for (int k = 0; k < SETTING_N; k++) e->setting_cents[k] = num(c, row, E_SET0 + k);
    if (e->has_settings)
        export_split_winsorized(e->setting_cents, e->actual_cents,
                                e->has_winsorized ? e->actual_winsorized_cents : e->actual_cents,
                                e->setting_winsorized_cents);
    CPY(e->trigger_claim_id, c, row, E_TCLAIM);
    e->trigger_line = (int)num(c, row, E_TLINE);
    CPY(e->trigger_code, c, row, E_TCODE);
    CPY(e->trigger_dx, c, row, E_TDX);
    CPY(e->trigger_npi, c, row, E_TNPI);
    CPY(e->trigger_tin, c, row, E_TTIN);
    e->age = isnull(c, row, E_AGE) ? -1 : (int)num(c, row, E_AGE);
    e->dual = isnull(c, row, E_DUAL) ? -1 : (int)num(c, row, E_DUAL);
    return 0;
}

/* ---- arrangements, results, people, ACOs ---------------------------------------------- */

static const char *const arr_cols[] = {
    "arrangement_id", "aco_id", "npi", "tin", "template_id", "start_date", "end_date",
    "status", "discount_bps", "savings_share_bps", "loss_share_bps", "stop_gain_bps",
    "stop_loss_bps", "provider_name", "specialty_code"};
enum { A_ID, A_ACO, A_NPI, A_TIN, A_TMPL, A_START, A_END, A_STATUS, A_TERM0,
       A_NAME = A_TERM0 + 5, A_SPEC };

static int fill_arr(rows_ctx *c, const store_row *row, void *elem)
{
    exp_arrangement *a = elem;
    CPY(a->template_id, c, row, A_TMPL);
    if (c->d->scope.template_id && strcmp(a->template_id, c->d->scope.template_id)) return 1;
    CPY(a->arrangement_id, c, row, A_ID);
    CPY(a->aco_id, c, row, A_ACO);
    CPY(a->npi, c, row, A_NPI);
    CPY(a->tin, c, row, A_TIN);
    CPY(a->start_date, c, row, A_START);
    CPY(a->end_date, c, row, A_END);
    CPY(a->status, c, row, A_STATUS);
    CPY(a->specialty, c, row, A_SPEC);
    a->provider_name = strdup(txt(c, row, A_NAME));
    if (!a->provider_name) return -ENOMEM;
    int64_t *terms[] = {&a->discount_bps, &a->savings_share_bps, &a->loss_share_bps,
                        &a->stop_gain_bps, &a->stop_loss_bps};
    for (int k = 0; k < 5; k++)
        if (!isnull(c, row, A_TERM0 + k)) {
            *terms[k] = num(c, row, A_TERM0 + k);
            a->negotiated |= 1u << k;
        }
    return 0;
}

static const char *const person_cols[] = {"person_id", "gender", "birth_date", "death_date",
                                          "state", "zip_code"};
static int fill_person(rows_ctx *c, const store_row *row, void *elem)
{
    exp_person *p = elem;
    CPY(p->person_id, c, row, 0);
    CPY(p->gender, c, row, 1);
    CPY(p->birth_date, c, row, 2);
    CPY(p->death_date, c, row, 3);
    CPY(p->state, c, row, 4);
    CPY(p->zip_code, c, row, 5);
    return 0;
}

static const char *const aco_cols[] = {"aco_id", "name", "track", "tins"};
static int fill_aco(rows_ctx *c, const store_row *row, void *elem)
{
    exp_aco *a = elem;
    CPY(a->aco_id, c, row, 0);
    CPY(a->track, c, row, 2);
    a->name = strdup(txt(c, row, 1));
    if (!a->name) return -ENOMEM;
    const char *t = txt(c, row, 3);
    size_t cap = 1;
    for (const char *q = t; *q; q++) cap += *q == ' ';
    a->tins = calloc(cap, sizeof *a->tins);
    if (!a->tins) return -ENOMEM;
    while (*t) {
        size_t len = strcspn(t, " ");
        if (len && !(a->tins[a->n_tins++] = strndup(t, len))) return -ENOMEM;
        t += len + (t[len] == ' ');
    }
    return 0;
}

static int run_rows(rows_ctx *c, export_data *d, const char *const *want, int n_want,
                    size_t size, int (*fill)(rows_ctx *, const store_row *, void *))
{
    c->d = d;
    c->want = want;
    c->n_want = n_want;
    c->size = size;
    c->fill = fill;
    return 0;
}

/* The arrangement report's rows into the arrangements' results. */
typedef struct res_ctx {
    export_data *d;
    const report_def *def;
    int i_arr, i_period, i_eps, i_target, i_actual, i_wins, i_gross, i_q, i_qadj, i_share,
        i_pay, i_cap, i_status, i_leak;
} res_ctx;

/* The index of report column name (report_each's cells come in the report's column order;
 * the header's names are SQL's, "COALESCE(lk.paid, 0)" for a computed one), or -1. */
static int rcol(const report_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_cols; i++)
        if (!strcmp(def->cols[i].name, name)) return (int)i;
    return -1;
}

static int res_cb(const store_row *row, void *ud)
{
    res_ctx *r = ud;
    if (!row->cells) {
        r->i_arr = rcol(r->def, "arrangement_id");
        r->i_period = rcol(r->def, "period");
        r->i_eps = rcol(r->def, "episodes");
        r->i_target = rcol(r->def, "target_cents");
        r->i_actual = rcol(r->def, "actual_cents");
        r->i_wins = rcol(r->def, "actual_winsorized_cents");
        r->i_gross = rcol(r->def, "gross_cents");
        r->i_q = rcol(r->def, "quality_bps");
        r->i_qadj = rcol(r->def, "quality_adjusted_cents");
        r->i_share = rcol(r->def, "share_bps");
        r->i_pay = rcol(r->def, "payment_cents");
        r->i_cap = rcol(r->def, "cap_applied");
        r->i_status = rcol(r->def, "status");
        r->i_leak = rcol(r->def, "leakage_paid_cents");
        return r->i_arr < 0 || r->i_period < 0 || r->i_pay < 0 ? -EPROTO : 0;
    }
    exp_arrangement *a = (exp_arrangement *)export_arrangement(r->d, row->cells[r->i_arr].text);
    if (!a) return 0; /* outside the scope (another template) */
    exp_result *v = realloc(a->results, (a->n_results + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    a->results = v;
    exp_result *x = &v[a->n_results++];
    memset(x, 0, sizeof *x);
#define I(k) (r->k >= 0 && row->cells[r->k].type == STORE_CELL_INT ? row->cells[r->k].i : 0)
    x->period = (int)I(i_period);
    x->episodes = I(i_eps);
    x->target_cents = I(i_target);
    x->actual_cents = I(i_actual);
    x->actual_winsorized_cents = I(i_wins);
    x->has_gross = r->i_gross >= 0 && row->cells[r->i_gross].type == STORE_CELL_INT;
    x->gross_cents = I(i_gross);
    x->quality_bps = I(i_q);
    x->quality_adjusted_cents = I(i_qadj);
    x->share_bps = I(i_share);
    x->payment_cents = I(i_pay);
    x->leakage_paid_cents = I(i_leak);
#undef I
    if (r->i_cap >= 0 && row->cells[r->i_cap].text)
        util_strlcpy(x->cap_applied, row->cells[r->i_cap].text, sizeof x->cap_applied);
    if (r->i_status >= 0 && row->cells[r->i_status].text)
        util_strlcpy(x->status, row->cells[r->i_status].text, sizeof x->status);
    return 0;
}

typedef struct met_ctx {
    export_data *d;
} met_ctx;
static int met_cb(const store_row *row, void *ud)
{
    met_ctx *m = ud;
    if (!row->cells) return 0;
    const exp_arrangement *a = export_arrangement(m->d, row->cells[0].text);
    if (!a) return 0;
    for (size_t i = 0; i < a->n_results; i++)
        if (a->results[i].period == row->cells[1].i) a->results[i].quality_met = row->cells[2].i;
    return 0;
}

/* ---- the whole ------------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, int rc, const char *what, const char *why)
{
    if (rc == -ENOMEM) snprintf(err, errlen, "%s: out of memory", what);
    else if (why && why[0] && !err[0]) snprintf(err, errlen, "%s: %s", what, why);
    return rc;
}

static void set_scope(export_data *d, const export_scope *sc)
{
    d->scope = *sc;
    const char *src[3] = {sc->aco_id, sc->ebra_id, sc->npi};
    const char **dst[3] = {&d->scope.aco_id, &d->scope.ebra_id, &d->scope.npi};
    for (int k = 0; k < 3; k++) {
        if (!src[k]) continue;
        util_strlcpy(d->scope_buf[k], src[k], EXP_SHORT);
        *dst[k] = d->scope_buf[k];
    }
    if (sc->template_id) {
        util_strlcpy(d->template_buf, sc->template_id, EXP_SHORT);
        d->scope.template_id = d->template_buf;
    }
}

/* An id in the scope must name something of the store, else the export would be
 * silently empty: the ACO and NPI are checked here, the EBRA when the arrangements are
 * read (export_gather), the template by export__templates. */
static int check_scope(store *s, const export_data *d, char *err, size_t errlen)
{
    report_filters f = {.npi = d->scope.npi, .aco = d->scope.aco_id};
    const report_def *r = report_find("arrangement");
    return report_check_filters(s, r, &f, d->scope.cli, err, errlen);
}

int export_gather(store *s, const export_scope *sc, const char *plugins_dir, export_data *d,
                  char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    err[0] = '\0';
    set_scope(d, sc);
    d->run_id = sc->run_id;
    char finished[32];
    int rc = exports_q_run(s, &d->run_id, d->run_status, finished, err, errlen);
    if (rc < 0) return rc;
    if (rc == 0) {
        if (sc->run_id) snprintf(err, errlen, "run %" PRId64 ": no such run (cara runs lists them)", sc->run_id);
        else snprintf(err, errlen, "no finished run to export: run `cara run` first");
        return -ENOENT;
    }
    util_strlcpy(d->run_finished_at, finished, sizeof d->run_finished_at);
    d->scope.run_id = d->run_id;
    if (strcmp(d->run_status, "done")) {
        snprintf(err, errlen, "run %" PRId64 " is %s: only a finished run (status done) can be "
                 "exported", d->run_id, d->run_status);
        return -EINVAL;
    }
    if ((rc = check_scope(s, d, err, errlen)) < 0) return rc;
    if ((rc = report_paid_through(s, d->run_id, d->as_of_date, err, errlen)) < 0) return rc;
    util_strlcpy(d->list_status, "final", sizeof d->list_status);
    export__now(d->generated_at);
    export_scope_text(&d->scope, d->scope_label, sizeof d->scope_label);

    if ((rc = export__templates(s, d, plugins_dir, err, errlen)) < 0) goto out;
    exports_scope q = {d->run_id, d->scope.aco_id, d->scope.ebra_id, d->scope.npi,
                       d->scope.period};
    rows_ctx c;
    memset(&c, 0, sizeof c);
    run_rows(&c, d, arr_cols, (int)(sizeof arr_cols / sizeof *arr_cols), sizeof(exp_arrangement), fill_arr);
    rc = exports_q_arrangements(s, &q, rows_cb, &c, err, errlen);
    d->arrs = c.out;
    d->n_arrs = c.n;
    if (rc < 0) goto out;
    if (d->scope.ebra_id && d->n_arrs == 0) {
        snprintf(err, errlen, "%s %s: no such EBRA in the scope of this export (%s; cara ebra "
                 "list shows them)", d->scope.cli ? "--ebra" : "ebra", d->scope.ebra_id,
                 d->scope_label);
        rc = -ENOENT;
        goto out;
    }
    export__resolve_terms(d);

    report_filters f = {.npi = d->scope.npi, .aco = d->scope.aco_id,
                        .arrangement = d->scope.ebra_id};
    char year[8];
    if (d->scope.period) {
        snprintf(year, sizeof year, "%04d", d->scope.period);
        f.period = year;
    }
    res_ctx r = {.d = d, .def = report_find("arrangement")};
    rc = report_each(s, r.def, d->run_id, &f, res_cb, &r, err, errlen);
    if (rc < 0) goto out;
    met_ctx m = {d};
    if ((rc = exports_q_quality_met(s, d->run_id, met_cb, &m, err, errlen)) < 0) goto out;

    memset(&c, 0, sizeof c);
    run_rows(&c, d, ep_cols, (int)(sizeof ep_cols / sizeof *ep_cols), sizeof(exp_episode), fill_episode);
    c.max = sc->max_episodes;
    rc = exports_q_episodes(s, &q, rows_cb, &c, err, errlen);
    d->eps = c.out;
    d->n_eps = c.n;
    if (rc == -E2BIG)
        snprintf(err, errlen, "the export holds more than %" PRId64 " episodes, this service's "
                 "limit: narrow it by ACO, EBRA, template or period (or use cara export)",
                 sc->max_episodes);
    if (rc < 0) goto out;

    memset(&c, 0, sizeof c);
    run_rows(&c, d, person_cols, 6, sizeof(exp_person), fill_person);
    rc = exports_q_people(s, &q, rows_cb, &c, err, errlen);
    d->people = c.out;
    d->n_people = c.n;
    if (rc < 0) goto out;

    memset(&c, 0, sizeof c);
    run_rows(&c, d, aco_cols, 4, sizeof(exp_aco), fill_aco);
    rc = exports_q_acos(s, rows_cb, &c, err, errlen);
    d->acos = c.out;
    d->n_acos = c.n;
    if (rc < 0) goto out;

    rc = export__members(s, d, err, errlen);
out:
    if (rc < 0) {
        fail(err, errlen, rc, "export", "");
        export_data_free(d);
        return rc;
    }
    return 0;
}
