/*
 * export_data.c: the export_data's lifetime, lookups and the small pure helpers of
 * export.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"

static const char *const format_names[] = {"atr", "vbpr", "episodes", "xlsx"};

int export_format_parse(const char *s, export_format *out)
{
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, format_names[i])) {
            *out = (export_format)i;
            return 0;
        }
    return -EINVAL;
}

const char *export_format_name(export_format f)
{
    return (unsigned)f < 4 ? format_names[f] : "?";
}

void export_scope_text(const export_scope *sc, char *buf, size_t len)
{
    size_t n;
    if (sc->ebra_id) n = (size_t)snprintf(buf, len, "ebra:%s", sc->ebra_id);
    else if (sc->npi) n = (size_t)snprintf(buf, len, "npi:%s", sc->npi);
    else if (sc->aco_id) n = (size_t)snprintf(buf, len, "aco:%s", sc->aco_id);
    else n = (size_t)snprintf(buf, len, "all");
    /* an EBRA inside an ACO's or a specialist's scope is still that EBRA's list */
    if (sc->ebra_id && sc->aco_id && n < len) n += (size_t)snprintf(buf + n, len - n, "/aco:%s", sc->aco_id);
    if (sc->ebra_id && sc->npi && n < len) n += (size_t)snprintf(buf + n, len - n, "/npi:%s", sc->npi);
    if (sc->npi && sc->aco_id && !sc->ebra_id && n < len)
        n += (size_t)snprintf(buf + n, len - n, "/aco:%s", sc->aco_id);
    if (sc->template_id && n < len) n += (size_t)snprintf(buf + n, len - n, "/template:%s", sc->template_id);
    if (sc->period && n < len) snprintf(buf + n, len - n, "/period:%04d", sc->period);
}

void export_split_winsorized(const int64_t raw[SETTING_N], int64_t actual, int64_t winsorized,
                             int64_t out[SETTING_N])
{
    memset(out, 0, SETTING_N * sizeof *out);
    if (actual <= 0) {
        if (actual == 0) return;
        /* a negative total (net credits): no proportion to keep; report it raw */
        memcpy(out, raw, SETTING_N * sizeof *out);
        return;
    }
    __int128 rem[SETTING_N];
    int64_t given = 0;
    for (int k = 0; k < SETTING_N; k++) {
        __int128 p = (__int128)raw[k] * winsorized;
        __int128 q = p / actual, r = p % actual;
        if (r < 0) { /* floor for a negative part (a credit line) */
            q -= 1;
            r += actual;
        }
        out[k] = (int64_t)q;
        rem[k] = r;
        given += out[k];
    }
    /* the cents left over, one each to the largest remainders (ties: lower index) */
    for (int64_t left = winsorized - given; left > 0; left--) {
        int best = -1;
        for (int k = 0; k < SETTING_N; k++)
            if (rem[k] >= 0 && (best < 0 || rem[k] > rem[best])) best = k;
        if (best < 0) break;
        out[best]++;
        rem[best] = -1; /* each part gets at most one */
    }
}

static int person_key(const void *k, const void *e)
{
    return strcmp(k, ((const exp_person *)e)->person_id);
}
static int aco_key(const void *k, const void *e)
{
    return strcmp(k, ((const exp_aco *)e)->aco_id);
}
static int arr_key(const void *k, const void *e)
{
    return strcmp(k, ((const exp_arrangement *)e)->arrangement_id);
}

const exp_person *export_person(const export_data *d, const char *id)
{
    return id ? bsearch(id, d->people, d->n_people, sizeof *d->people, person_key) : NULL;
}
const exp_aco *export_aco(const export_data *d, const char *id)
{
    return id ? bsearch(id, d->acos, d->n_acos, sizeof *d->acos, aco_key) : NULL;
}
const exp_arrangement *export_arrangement(const export_data *d, const char *id)
{
    return id ? bsearch(id, d->arrs, d->n_arrs, sizeof *d->arrs, arr_key) : NULL;
}

void export_data_free(export_data *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n_templates; i++) {
        exp_template *t = &d->templates[i];
        free(t->description);
        free(t->quality_description);
        for (size_t k = 0; k < t->n_triggers; k++) free(t->triggers[k].description);
        free(t->triggers);
        free(t->age_bands);
        free(t->hcc_factors);
    }
    free(d->templates);
    for (size_t i = 0; i < d->n_acos; i++) {
        for (size_t k = 0; k < d->acos[i].n_tins; k++) free(d->acos[i].tins[k]);
        free(d->acos[i].tins);
        free(d->acos[i].name);
    }
    free(d->acos);
    for (size_t i = 0; i < d->n_arrs; i++) {
        free(d->arrs[i].provider_name);
        free(d->arrs[i].results);
    }
    free(d->arrs);
    free(d->eps);
    free(d->people);
    free(d->members);
    free(d->removed);
    memset(d, 0, sizeof *d);
}
