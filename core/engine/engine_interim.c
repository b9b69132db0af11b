/*
 * engine_interim.c: interim runs (cara run --as-of DATE; docs/monthly.md). The claims
 * paid on or before the as-of date are priced as any run prices them; on top, each
 * episode's paid to date is developed to its ultimate with the lag model's completion
 * factors (lag.h: per care setting and development lag of each service month), and an
 * episode whose window is still open is carried to the window's end by its template's
 * own cost development: the share of the developed cost of the template's closed
 * episodes incurred by the same day of the window. Integers throughout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base.h"
#include "engine_internal.h"
#include "lag.h"
#include "store/store.h"

typedef struct cells_ctx {
    lag_model *m;
} cells_ctx;

static int add_cell(void *ud, const char *claim_type, const char *bill_type, int service_month,
                    int paid_month, int64_t cents)
{
    cells_ctx *c = ud;
    lag_add(c->m, setting_of(claim_type, bill_type), service_month, paid_month, cents);
    return 0;
}

int engine__interim_model(store *s, cara_date as_of, lag_model **out, char *err, size_t errlen)
{
    *out = NULL;
    lag_model *m = malloc(sizeof *m);
    if (!m) return util_fail(err, errlen, -ENOMEM, "out of memory");
    lag_init(m, as_of);
    char day[11];
    date_format(as_of, day);
    cells_ctx c = {m};
    int rc = lag_q_cells(s, day, add_cell, &c, err, errlen);
    if (rc < 0) {
        free(m);
        return rc;
    }
    lag_fit(m);
    *out = m;
    return 0;
}

static cara_setting line_setting(const cara_claim_line *l)
{
    static const char *const type_name[] = {[CARA_CLAIM_INSTITUTIONAL] = "institutional",
                                            [CARA_CLAIM_PROFESSIONAL] = "professional",
                                            [CARA_CLAIM_DME] = "dme"};
    const char *type = l->claim_type >= CARA_CLAIM_INSTITUTIONAL && l->claim_type <= CARA_CLAIM_DME
                           ? type_name[l->claim_type]
                           : NULL;
    return setting_of(type, l->bill_type);
}

int engine__interim_episode(run_data *rd, size_t entry, size_t n_entries, ep_rec *r,
                            const cara_episode *ep, const cara_claim_line *lines)
{
    const lag_model *m = rd->lag;
    /* the paid to date by setting and lag, each cell developed once */
    int64_t obs[SETTING_N][LAG_MAX + 1];
    memset(obs, 0, sizeof obs);
    /* the trigger's claim is paid (the episode would not be seen otherwise): complete, at
     * the last lag; the other claims are developed as the triangle says */
    for (size_t i = 0; i < ep->n_lines; i++) {
        const cara_claim_line *l = &lines[ep->lines[i]];
        int trig = r->trigger_claim && l->claim_id && !strcmp(l->claim_id, r->trigger_claim);
        obs[line_setting(l)][trig ? LAG_MAX : lag_of_month(m, lag_month_of(l->service_date))] += l->paid;
    }
    for (int w = 0; w < 3; w++) {
        int which = w == 0 ? 0 : w == 1 ? -1 : 1;
        int64_t sum = 0;
        for (int s = 0; s < SETTING_N; s++)
            for (int L = 0; L <= LAG_MAX; L++)
                if (obs[s][L]) sum += lag_ultimate(m, (cara_setting)s, L, obs[s][L], which);
        r->developed[w] = sum;
    }
    r->open = r->end > m->as_of;
    return engine__interim_curve(rd, entry, n_entries, ep, lines);
}

#define CURVE_MIN_EPISODES 30 /* closed episodes for a template's own curve */

int engine__interim_curve(run_data *rd, size_t entry, size_t n_entries, const cara_episode *ep,
                          const cara_claim_line *lines)
{
    const lag_model *m = rd->lag;
    /* closed by the as-of date, its whole window (not ended by a death), not excluded */
    if (ep->end > m->as_of || (ep->flags & CARA_EPISODE_DEATH) || ep->exclusion[0]) return 0;
    if (!rd->curves) {
        rd->curves = calloc(n_entries ? n_entries : 1, sizeof *rd->curves);
        if (!rd->curves) return -ENOMEM;
        rd->n_curves = n_entries;
    }
    lag_curve *c = &rd->curves[entry];
    c->episodes++;
    int64_t inc[CURVE_DAYS], t = 0;
    memset(inc, 0, sizeof inc);
    for (size_t i = 0; i < ep->n_lines; i++) {
        const cara_claim_line *l = &lines[ep->lines[i]];
        int64_t day = (int64_t)l->service_date - ep->start;
        if (day < 0) day = 0;
        if (day >= CURVE_DAYS) day = CURVE_DAYS - 1;
        int64_t u = lag_ultimate(m, line_setting(l), lag_of_month(m, lag_month_of(l->service_date)),
                                 l->paid, 0);
        inc[day] += u;
        t += u;
    }
    int64_t cum = 0;
    for (int d = 0; d < CURVE_DAYS; d++) {
        c->day[d] += inc[d];
        cum += inc[d];
        c->c2[d] += (__int128)cum * cum;
        c->ct[d] += (__int128)cum * t;
    }
    c->total += t;
    c->t2 += (__int128)t * t;
    return 0;
}

int engine__interim_merge(run_data *dst, const run_data *src)
{
    if (!src->curves) return 0;
    if (!dst->curves) {
        dst->curves = calloc(src->n_curves ? src->n_curves : 1, sizeof *dst->curves);
        if (!dst->curves) return -ENOMEM;
        dst->n_curves = src->n_curves;
    }
    for (size_t e = 0; e < src->n_curves && e < dst->n_curves; e++) {
        for (int d = 0; d < CURVE_DAYS; d++) {
            dst->curves[e].day[d] += src->curves[e].day[d];
            dst->curves[e].c2[d] += src->curves[e].c2[d];
            dst->curves[e].ct[d] += src->curves[e].ct[d];
        }
        dst->curves[e].total += src->curves[e].total;
        dst->curves[e].t2 += src->curves[e].t2;
        dst->curves[e].episodes += src->curves[e].episodes;
    }
    return 0;
}

/* The share (ppm) of a closed episode's developed cost incurred in its first `days`
 * days, by the template's curve; 0 when the template has no closed episode. */
static int64_t incurred_ppm(const lag_curve *c, int64_t days)
{
    if (!c || c->total <= 0 || c->episodes < CURVE_MIN_EPISODES) return 0;
    int64_t cum = 0;
    for (int64_t d = 0; d < days && d < CURVE_DAYS; d++) cum += c->day[d];
    int64_t out;
    return money_mul_div(cum, LAG_PPM, c->total, &out) == 0 ? out : 0;
}

/* The standard error (ppm) of incurred_ppm's share p at `days`, as a ratio estimator
 * over the n closed episodes: se^2 = n / (n - 1) x sum (c_i - p t_i)^2 / T^2, T = sum t_i
 * (the sum scaled by 10^12 for p in ppm, kept in 128 bits: |c_i|, |t_i| < 2^63). */
static int64_t incurred_se_ppm(const lag_curve *c, int64_t days, int64_t p)
{
    if (!c || c->total <= 0 || c->episodes < CURVE_MIN_EPISODES || days < 1) return 0;
    int64_t d = days - 1 < CURVE_DAYS ? days - 1 : CURVE_DAYS - 1;
    __int128 s = c->c2[d] * LAG_PPM * LAG_PPM - 2 * (__int128)p * LAG_PPM * c->ct[d] +
                 (__int128)p * p * c->t2; /* sum (c_i - p t_i)^2 x 10^12 */
    __int128 T = c->total, n = c->episodes;
    if (s <= 0) return 0;
    __int128 q = s / (T * T); /* ppm^2 */
    return lag_isqrt(q * n / (n - 1));
}

void engine__interim_project(const run_data *rd, const catalog *cat, ep_hot *r, ep_dev *dv)
{
    const lag_model *m = rd->lag;
    size_t entry = (size_t)(r->tmpl - cat->v);
    const lag_curve *c = rd->curves && entry < rd->n_curves ? &rd->curves[entry] : NULL;
    int64_t window = (int64_t)r->end - r->day0 + 1, elapsed = (int64_t)m->as_of - r->day0 + 1;
    int64_t p0 = r->open ? incurred_ppm(c, elapsed) : 0,
            se = r->open ? incurred_se_ppm(c, elapsed, p0) : 0;
    for (int w = 0; w < 3; w++) {
        int64_t v = dv->developed[w];
        if (r->open && elapsed > 0 && elapsed < window) {
            /* the band: the incurred share two standard errors higher (less left to
             * come: the low projection) and lower (the high one, at least a tenth of
             * the share) */
            int64_t p = p0, out;
            if (p > 0 && w == 1) p = p + 2 * se < LAG_PPM ? p + 2 * se : LAG_PPM;
            if (p > 0 && w == 2) p = p - 2 * se > p / 10 ? p - 2 * se : p / 10 + 1;
            /* no closed episode to learn from: the cost so far, day for day */
            if (p <= 0 || money_mul_div(v, LAG_PPM, p, &out) < 0) {
                if (money_mul_div(v, window, elapsed, &out) < 0) out = v;
            }
            v = out;
        }
        dv->projected[w] = v;
    }
    if (r->has_target && (r->open || dv->projected[0] != r->actual))
        r->status = (unsigned char)hot_code("interim");
}

char *engine__interim_json(const run_data *rd)
{
    const lag_model *m = rd->lag;
    char day[11];
    date_format(m->as_of, day);
    json_t *o = json_object(), *settings = json_object();
    if (!o || !settings) {
        json_decref(o);
        json_decref(settings);
        return NULL;
    }
    json_object_set_new(o, "method", json_string(
        "chain ladder: completion factors by care setting and development month from the "
        "claims paid through the paid-through date (service month x paid month); open "
        "windows carried to their end by the template's cost development by day of window; "
        "band: each development factor at the lowest and highest a single service month showed"));
    json_object_set_new(o, "paid_through_date", json_string(day));
    json_object_set_new(o, "triangle_paid_cents", json_integer(m->cells_cents));
    for (int s = 0; s < SETTING_N; s++) {
        json_t *st = json_object(), *cf = json_array(), *lo = json_array(), *hi = json_array(),
               *pooled = json_array();
        for (int L = 0; L <= LAG_MAX; L++) {
            json_array_append_new(cf, json_integer(m->cf[s][L]));
            json_array_append_new(lo, json_integer(m->cf_lo[s][L]));
            json_array_append_new(hi, json_integer(m->cf_hi[s][L]));
            if (L < LAG_MAX) json_array_append_new(pooled, json_boolean(m->pooled[s][L]));
        }
        json_object_set_new(st, "completion_ppm", cf);
        json_object_set_new(st, "completion_low_ppm", lo);
        json_object_set_new(st, "completion_high_ppm", hi);
        json_object_set_new(st, "pooled", pooled);
        json_object_set_new(settings, setting_name((cara_setting)s), st);
    }
    json_object_set_new(o, "settings", settings);
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}
