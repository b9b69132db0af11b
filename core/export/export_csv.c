/*
 * export_csv.c: the episode-level file (docs/exports.md, "Episode file"): one row per
 * episode, the shape of CMS's shadow-bundle episode files. Columns are a contract: only
 * ever added at the end. Money columns are integer cents, then (as in every cara CSV,
 * docs/reports.md "Money") one dollar column per money column, named without "_cents".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "export_internal.h"

/* The fixed columns, in order; the money ones are listed in money_cols below. */
static const char *const text_cols[] = {
    "episode_id", "person_id", "aco_id", "template_id", "family", "template_version",
    "trigger_type", "trigger_code", "trigger_dx", "trigger_claim_id", "trigger_line",
    "trigger_npi", "trigger_tin", "trigger_date", "end_date", "performance_year", "died",
    "status", "excluded", "exclusion_reason", "age", "dual", "hcc_count", "risk_score",
    "attribution_method", "arrangement_id", "npi", "tin", "trend_factor", "trend_years",
    "age_factor", "hcc_factor", "dual_factor", "discount_bps", "quality_met", "winsorized"};
#define N_TEXT (sizeof text_cols / sizeof *text_cols)

/* base, target, actual, winsorized actual, then each setting raw and winsorized */
#define N_MONEY (4 + 2 * SETTING_N)

static void money_names(char names[N_MONEY][48])
{
    snprintf(names[0], 48, "base_cents");
    snprintf(names[1], 48, "target_cents");
    snprintf(names[2], 48, "actual_cents");
    snprintf(names[3], 48, "actual_winsorized_cents");
    for (int k = 0; k < SETTING_N; k++) {
        snprintf(names[4 + k], 48, "%s_cents", setting_name((cara_setting)k));
        snprintf(names[4 + SETTING_N + k], 48, "%s_winsorized_cents", setting_name((cara_setting)k));
    }
}

static void field(FILE *f, int *first, const char *s)
{
    if (!*first) fputc(',', f);
    *first = 0;
    csv_write_field(f, s);
}

static void field_int(FILE *f, int *first, int has, int64_t v)
{
    char b[32] = "";
    if (has) snprintf(b, sizeof b, "%" PRId64, v);
    field(f, first, b);
}

static void field_factor(FILE *f, int *first, int has, int64_t v)
{
    char b[24] = "";
    if (has) factor_format(v, b);
    field(f, first, b);
}

int export_episodes_csv(const export_data *d, FILE *f, char *err, size_t errlen)
{
    char names[N_MONEY][48];
    money_names(names);
    int first = 1;
    for (size_t i = 0; i < N_TEXT; i++) field(f, &first, text_cols[i]);
    for (int i = 0; i < N_MONEY; i++) field(f, &first, names[i]);
    for (int i = 0; i < N_MONEY; i++) {
        char dollars[48];
        snprintf(dollars, sizeof dollars, "%.*s", (int)(strlen(names[i]) - 6), names[i]);
        field(f, &first, dollars);
    }
    fputc('\n', f);

    for (size_t i = 0; i < d->n_eps; i++) {
        const exp_episode *e = &d->eps[i];
        int t = e->has_target;
        first = 1;
        field(f, &first, e->episode_id);
        field(f, &first, e->person_id);
        field(f, &first, e->aco_id);
        field(f, &first, e->template_id);
        field(f, &first, e->family);
        field(f, &first, e->template_version);
        field(f, &first, e->trigger_type);
        field(f, &first, e->trigger_code);
        field(f, &first, e->trigger_dx);
        field(f, &first, e->trigger_claim_id);
        field_int(f, &first, e->trigger_line > 0, e->trigger_line);
        field(f, &first, e->trigger_npi);
        field(f, &first, e->trigger_tin);
        field(f, &first, e->trigger_date);
        field(f, &first, e->end_date);
        char year[8];
        snprintf(year, sizeof year, "%.4s", e->trigger_date);
        field(f, &first, year);
        field_int(f, &first, 1, e->died);
        field(f, &first, e->status);
        field_int(f, &first, 1, !strcmp(e->status, "excluded"));
        field(f, &first, e->exclusion_reason);
        field_int(f, &first, e->age >= 0, e->age);
        field_int(f, &first, e->dual >= 0, e->dual);
        field_int(f, &first, t, e->hcc_count);
        field_factor(f, &first, e->has_risk, e->risk_score);
        field(f, &first, e->attribution_method);
        field(f, &first, e->arrangement_id);
        field(f, &first, e->npi);
        field(f, &first, e->tin);
        field_factor(f, &first, t, e->trend_factor);
        field_int(f, &first, t, e->trend_years);
        field_factor(f, &first, t, e->age_factor);
        field_factor(f, &first, t, e->hcc_factor);
        field_factor(f, &first, t, e->dual_factor);
        field_int(f, &first, t, e->discount_bps);
        field_int(f, &first, e->has_quality, e->quality_met);
        field_int(f, &first, e->has_winsorized, e->actual_winsorized_cents < e->actual_cents);
        int64_t v[N_MONEY];
        int has[N_MONEY];
        v[0] = e->base_cents, has[0] = t;
        v[1] = e->target_cents, has[1] = t;
        v[2] = e->actual_cents, has[2] = 1;
        v[3] = e->actual_winsorized_cents, has[3] = e->has_winsorized;
        for (int k = 0; k < SETTING_N; k++) {
            v[4 + k] = e->setting_cents[k];
            has[4 + k] = e->has_settings;
            v[4 + SETTING_N + k] = e->setting_winsorized_cents[k];
            has[4 + SETTING_N + k] = e->has_settings && e->has_winsorized;
        }
        for (int k = 0; k < N_MONEY; k++) field_int(f, &first, has[k], v[k]);
        for (int k = 0; k < N_MONEY; k++) {
            char b[32] = "";
            if (has[k]) money_format(v[k], b);
            field(f, &first, b);
        }
        fputc('\n', f);
    }
    if (ferror(f)) {
        snprintf(err, errlen, "writing the episode file: %s", strerror(errno));
        return -EIO;
    }
    return 0;
}
