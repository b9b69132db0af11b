/*
 * plugins/declarative: an episode type defined entirely by its template, so an ACO can
 * add an episode with a template and two Lua files, no C (docs/templates.md).
 *
 * Template members it reads:
 *   window.pre_days, window.post_days   cost lines from day 0 - pre_days through day 0 +
 *                                       post_days (the window the host records starts
 *                                       at day 0)
 *   triggers.T                          a trigger type T with base_cents and a match
 *                                       (below); "day0": "service" (the line's date,
 *                                       default) or "after_discharge" (the day after an
 *                                       institutional claim's last day; the trigger
 *                                       claim is then not cost)
 *   included                            array of matches: a line in the window is cost
 *                                       when it matches any (absent or empty: every line)
 *   excluded                            array of matches: never cost
 * A match is an object whose members are all optional and must all hold:
 *   claim_type    array of "institutional", "professional", "dme"
 *   hcpcs, revenue_center, bill_type, place_of_service   code patterns (the line's)
 *   diagnosis     code patterns, any of the claim's diagnoses
 *   principal_diagnosis   code patterns, the claim's first diagnosis
 * The common eligibility rules, death and one-open-episode apply as for every template.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cara/plugin.h"
#include "kit.h"

static const cara_host *host;

#define MAX_MATCHES 16
#define MAX_TRIGGERS 8

typedef struct match {
    unsigned claim_types;          /* bit (1 << CARA_CLAIM_*); 0 = any */
    const cara_codeset *hcpcs, *revenue, *bill, *pos, *dx, *principal;
} match;

typedef struct trigger {
    const char *type;              /* owned by the template */
    int after_discharge;
    match m;
} trigger;

typedef struct decl {
    int64_t pre_days, post_days;
    trigger trig[MAX_TRIGGERS];
    int n_trig;
    match inc[MAX_MATCHES], exc[MAX_MATCHES];
    int n_inc, n_exc;
} decl;

static const char *const MATCH_KEYS[] = {"claim_type", "hcpcs", "revenue_center", "bill_type",
                                         "place_of_service", "diagnosis", "principal_diagnosis",
                                         NULL};

/* Read the match object at path into m; count problems. */
static int read_match(const cara_template *t, const char *path, match *m, cara_diag *d)
{
    int errors = 0;
    char p[160], why[1024];
    memset(m, 0, sizeof *m);
    int n = host->tmpl_len(t, path);
    if (n < 0) {
        if (d) host->diag_add(d, path, "must be an object of match conditions");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        const char *k = host->tmpl_key(t, path, i);
        int known = 0;
        for (const char *const *mk = MATCH_KEYS; *mk; mk++) known |= k && !strcmp(k, *mk);
        if (!known) {
            if (d)
                host->diag_add(d, path, "unknown condition \"%s\" (expected claim_type, hcpcs, "
                                        "revenue_center, bill_type, place_of_service, diagnosis "
                                        "or principal_diagnosis)", k ? k : "?");
            errors++;
        }
    }
    snprintf(p, sizeof p, "%s.claim_type", path);
    int nt = host->tmpl_len(t, p);
    for (int i = 0; i < nt; i++) {
        char e[180];
        snprintf(e, sizeof e, "%s.%d", p, i);
        const char *v = host->tmpl_str(t, e);
        if (v && !strcmp(v, "institutional")) m->claim_types |= 1u << CARA_CLAIM_INSTITUTIONAL;
        else if (v && !strcmp(v, "professional")) m->claim_types |= 1u << CARA_CLAIM_PROFESSIONAL;
        else if (v && !strcmp(v, "dme")) m->claim_types |= 1u << CARA_CLAIM_DME;
        else {
            if (d) host->diag_add(d, e, "expected \"institutional\", \"professional\" or \"dme\"");
            errors++;
        }
    }
    struct {
        const char *key;
        const cara_codeset **out;
    } lists[] = {{"hcpcs", &m->hcpcs},   {"revenue_center", &m->revenue},
                 {"bill_type", &m->bill}, {"place_of_service", &m->pos},
                 {"diagnosis", &m->dx},   {"principal_diagnosis", &m->principal}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        snprintf(p, sizeof p, "%s.%s", path, lists[i].key);
        if (host->tmpl_len(t, p) == -ENOENT) continue;
        *lists[i].out = host->tmpl_codes(t, p);
        if (!*lists[i].out) {
            host->tmpl_codes_check(t, p, why, sizeof why);
            if (d) host->diag_add(d, p, "%s", why);
            errors++;
        }
    }
    return errors;
}

static int matches(const match *m, const cara_claim_line *l)
{
    if (m->claim_types && !(m->claim_types & (1u << l->claim_type))) return 0;
    if (m->hcpcs && !host->codes_match(m->hcpcs, l->hcpcs)) return 0;
    if (m->revenue && !host->codes_match(m->revenue, l->revenue_center)) return 0;
    if (m->bill && !host->codes_match(m->bill, l->bill_type)) return 0;
    if (m->pos && !host->codes_match(m->pos, l->place_of_service)) return 0;
    if (m->dx && !host->codes_match_dx(m->dx, l, 0)) return 0;
    if (m->principal && !host->codes_match_dx(m->principal, l, 1)) return 0;
    return 1;
}

static int read_list(const cara_template *t, const char *key, match *out, int *n, cara_diag *d)
{
    int errors = 0, len = host->tmpl_len(t, key);
    *n = 0;
    if (len == -ENOENT) return 0;
    if (len < 0 || len > MAX_MATCHES || host->tmpl_key(t, key, 0)) { /* keys: an object */
        if (d) host->diag_add(d, key, "must be an array of at most %d match objects", MAX_MATCHES);
        return 1;
    }
    for (int i = 0; i < len; i++) {
        char p[64];
        snprintf(p, sizeof p, "%s.%d", key, i);
        errors += read_match(t, p, &out[i], d);
    }
    *n = len;
    return errors;
}

static int decl_read(const cara_template *t, void *inst, cara_diag *d)
{
    decl *x = inst;
    int errors = 0;
    x->pre_days = host->tmpl_len(t, "window.pre_days") == -ENOENT
                      ? 0
                      : kit_int(host, t, "window.pre_days", 0, 365, d, &errors);
    x->post_days = kit_int(host, t, "window.post_days", 0, 3650, d, &errors);
    int n = host->tmpl_len(t, "triggers");
    if (n <= 0 || n > MAX_TRIGGERS) {
        if (d) host->diag_add(d, "triggers", "required: an object of 1 to %d trigger types", MAX_TRIGGERS);
        return errors + 1;
    }
    x->n_trig = n;
    for (int i = 0; i < n; i++) {
        trigger *tr = &x->trig[i];
        tr->type = host->tmpl_key(t, "triggers", i);
        char p[80];
        kit_require_trigger(host, t, tr->type, d, &errors);
        snprintf(p, sizeof p, "triggers.%s.day0", tr->type);
        const char *day0 = host->tmpl_str(t, p);
        tr->after_discharge = day0 && !strcmp(day0, "after_discharge");
        if (day0 && !tr->after_discharge && strcmp(day0, "service")) {
            if (d) host->diag_add(d, p, "expected \"service\" or \"after_discharge\"");
            errors++;
        }
        snprintf(p, sizeof p, "triggers.%s.match", tr->type);
        errors += read_match(t, p, &tr->m, d);
    }
    errors += read_list(t, "included", x->inc, &x->n_inc, d);
    errors += read_list(t, "excluded", x->exc, &x->n_exc, d);
    return errors;
}


static int decl_build(const void *inst, cara_ctx *ctx, const cara_beneficiary *b,
                      const cara_array *lines)
{
    const decl *x = inst;
    kit_triggers t = {0};
    kit_episode *eps = NULL;
    size_t n_eps = 0;
    int rc = 0;
    for (size_t i = 0; i < lines->n && rc == 0; i++) {
        const cara_claim_line *l = cara_line_at(lines, i);
        for (int k = 0; k < x->n_trig && rc == 0; k++) {
            const trigger *tr = &x->trig[k];
            if (!matches(&tr->m, l)) continue;
            cara_date day0 = tr->after_discharge && l->claim_type == CARA_CLAIM_INSTITUTIONAL
                                 ? kit_claim_last_day(l) + 1
                                 : l->service_date;
            rc = kit_trigger_add(&t, tr->type, day0, i);
        }
    }
    if (rc == 0) rc = kit_open_episodes(host, ctx, b, &t, &eps, &n_eps);
    for (size_t e = 0; e < n_eps && rc == 0; e++) {
        const kit_episode *ep = &eps[e];
        const trigger *tr = NULL;
        for (int k = 0; k < x->n_trig; k++)
            if (!strcmp(x->trig[k].type, ep->trig.type)) tr = &x->trig[k];
        const char *anchor =
            tr && tr->after_discharge ? cara_line_at(lines, ep->trig.line)->claim_id : NULL;
        for (size_t j = 0; j < lines->n && rc == 0; j++) {
            const cara_claim_line *l = cara_line_at(lines, j);
            if (l->service_date < ep->day0 - x->pre_days) continue;
            if (l->service_date > ep->end) break;
            if (anchor && !strcmp(l->claim_id, anchor)) continue;
            int in = x->n_inc == 0;
            for (int k = 0; k < x->n_inc && !in; k++) in = matches(&x->inc[k], l);
            for (int k = 0; k < x->n_exc && in; k++) in = !matches(&x->exc[k], l);
            if (in) rc = host->episode_include(ep->ep, j);
        }
    }
    free(eps);
    kit_triggers_free(&t);
    return rc;
}

KIT_PLUGIN("declarative", "1.0.0",
           "an episode type defined entirely by its template (triggers, window, services)", decl,
           decl_read, decl_build)
