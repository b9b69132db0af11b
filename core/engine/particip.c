/*
 * particip.c: see particip.h.
 */
#include "particip.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "base/base.h"

#define MODEL_FIRST "2027-01-01"
#define MODEL_LAST "2036-12-31"

static const char *const TERM_NAMES[5] = {"discount_bps", "savings_share_bps", "loss_share_bps",
                                          "stop_gain_bps", "stop_loss_bps"};

static int refuse(particip_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(particip_ctx *c, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* A store lookup's failure (store/orgs_q.h), said as every other store failure here
 * ("path: " and the store's message). 0 when rc is 0. */
static int got(particip_ctx *c, int rc, const char *msg)
{
    if (rc == -ENOMEM) return refuse(c, -ENOMEM, "%s: out of memory", store_path(c->s));
    if (rc < 0) return refuse(c, -EIO, "%s: %s", store_path(c->s), msg);
    return 0;
}

/* rc = the orgs_q call fn(c->s, args..., err), its failure refused. */
#define LOOKUP(rc, fn, ...)                                                                  \
    do {                                                                                     \
        char qe_[256];                                                                       \
        (rc) = got(c, fn(c->s, __VA_ARGS__, qe_, sizeof qe_), qe_);                          \
    } while (0)

static int audit(particip_ctx *c, const char *action, const char *entity, const char *id,
                 const char *effective, const char *before, const char *after)
{
    char e[256];
    audit_row r = {.actor = c->actor, .action = action, .entity = entity, .entity_id = id,
                   .effective = effective, .before = before, .after = after};
    if (audit_append(c->s, &r, e, sizeof e) < 0)
        return refuse(c, -EIO, "%s: %s", store_path(c->s), e);
    return 0;
}

/* A change: begin, fn, audit, commit; rollback on any refusal. */
static int begin(particip_ctx *c)
{
    char e[256];
    if (store_begin(c->s, e, sizeof e) < 0) return refuse(c, -EIO, "%s", e);
    return 0;
}

static int finish(particip_ctx *c, int rc)
{
    char e[256];
    if (rc == 0 && store_commit(c->s, e, sizeof e) < 0) rc = refuse(c, -EIO, "%s", e);
    if (rc < 0) store_rollback(c->s);
    return rc;
}

/* A store writer's refusal, said as every other store failure here ("path: " and the
 * store's message). */
static int wrote(particip_ctx *c, int rc)
{
    if (rc >= 0) return 0;
    return refuse(c, -EIO, "%s: %s", store_path(c->s), store_errmsg(c->s));
}

static int aco_put(particip_ctx *c, const aco_rec *r)
{
    orgs_w *w;
    char e[256];
    if (orgs_w_open(c->s, &w, e, sizeof e) < 0) return refuse(c, -ENOMEM, "out of memory");
    int rc = wrote(c, orgs_w_aco_put(w, r, e, sizeof e));
    orgs_w_close(w);
    return rc;
}

static int provider_put(particip_ctx *c, const provider_rec *r)
{
    orgs_w *w;
    char e[256];
    if (orgs_w_open(c->s, &w, e, sizeof e) < 0) return refuse(c, -ENOMEM, "out of memory");
    int rc = wrote(c, orgs_w_provider_put(w, r, e, sizeof e));
    orgs_w_close(w);
    return rc;
}

/* end NULL: add the participation r; else end r's open participation on end. */
static int tin_write(particip_ctx *c, const aco_tin_rec *r, const char *end)
{
    orgs_w *w;
    char e[256];
    if (orgs_w_open(c->s, &w, e, sizeof e) < 0) return refuse(c, -ENOMEM, "out of memory");
    int rc = wrote(c, end ? orgs_w_tin_end(w, r->aco_id, r->tin, end, e, sizeof e)
                          : orgs_w_tin_add(w, r, e, sizeof e));
    orgs_w_close(w);
    return rc;
}

/* status NULL: offer r; else set arrangement r->arrangement_id's status (and end). */
static int ebra_write(particip_ctx *c, const arrangement_rec *r, const char *status,
                      const char *end)
{
    arrangements_w *w;
    char e[256];
    if (arrangements_w_open(c->s, &w, e, sizeof e) < 0) return refuse(c, -ENOMEM, "out of memory");
    int rc = wrote(c, status ? arrangements_w_status(w, r->arrangement_id, status, end, e, sizeof e)
                             : arrangements_w_offer(w, r, e, sizeof e));
    arrangements_w_close(w);
    return rc;
}

/* ---- checks ---------------------------------------------------------------------------- */

static int check_date(particip_ctx *c, const char *what, const char *d, int optional)
{
    cara_date x;
    if (!d || !*d) {
        if (optional) return 0;
        return refuse(c, -EINVAL, "%s: required (YYYY-MM-DD)", what);
    }
    if (date_parse(d, strlen(d), &x) < 0)
        return refuse(c, -EINVAL, "%s: \"%s\" is not a date (expected YYYY-MM-DD)", what, d);
    if (strcmp(d, MODEL_FIRST) < 0 || strcmp(d, MODEL_LAST) > 0)
        return refuse(c, -EINVAL, "%s: %s is outside the model years of ACO LEAD (%s to %s)",
                      what, d, MODEL_FIRST, MODEL_LAST);
    return 0;
}

static int check_range(particip_ctx *c, const char *start, const char *end)
{
    if (end && *end && strcmp(end, start) < 0)
        return refuse(c, -EINVAL, "end date %s is before the start date %s", end, start);
    return 0;
}

static int check_ids(particip_ctx *c, const char *npi, const char *tin)
{
    int rc;
    if (npi && (rc = npi_check(npi, strlen(npi))) < 0) {
        if (rc == ID_BAD_CHECK && strlen(npi) == 10)
            return refuse(c, -EINVAL, "NPI \"%s\" fails its check digit (expected %d as the last "
                                      "digit)", npi, npi_check_digit(npi));
        return refuse(c, -EINVAL, "NPI \"%s\": %s", npi, ids_explain("npi", rc));
    }
    if (tin && (rc = tin_check(tin, strlen(tin))) < 0)
        return refuse(c, -EINVAL, "TIN \"%s\": %s", tin, ids_explain("tin", rc));
    return 0;
}

/* The ACO exists, is on an eligible track, and [start, end] is inside its years. */
static int check_aco(particip_ctx *c, const char *aco, const char *start, const char *end,
                     char **track_out)
{
    char *track = NULL, *years = NULL, *eligible = NULL;
    int rc;
    LOOKUP(rc, orgs_q_aco_track, aco, &track);
    if (rc == 0 && !track) rc = refuse(c, -ENOENT, "no ACO \"%s\" (cara aco add, or load acos.csv)", aco);
    if (rc == 0) LOOKUP(rc, orgs_q_setting, "eligible_tracks", &eligible);
    if (rc == 0) {
        const char *list = eligible ? eligible : "global";
        const char *hit = strstr(list, track);
        size_t tl = strlen(track);
        int ok = hit && (hit == list || hit[-1] == ',') && (hit[tl] == '\0' || hit[tl] == ',');
        if (!ok)
            rc = refuse(c, -EPERM, "ACO %s is on the %s track; CARA arrangements are open only to "
                                   "ACOs on the %s track", aco, track, list);
    }
    if (rc == 0) LOOKUP(rc, orgs_q_aco_years, aco, &years);
    if (rc == 0 && years) {
        int y1 = atoi(years), y2 = atoi(strchr(years, ',') + 1);
        int ys = atoi(start), ye = end && *end ? atoi(end) : y2;
        if (ys < y1 || ys > y2 || ye > y2)
            rc = refuse(c, -EINVAL, "%s to %s is outside ACO %s's performance years (%d-%d)",
                        start, end && *end ? end : "open", aco, y1, y2);
    }
    if (rc == 0 && track_out) *track_out = track;
    else free(track);
    free(years);
    free(eligible);
    return rc;
}

/* The template exists; an overlay is offered only by its ACO, and a base only by an ACO
 * that does not customize it (its beneficiaries are priced under its overlay); the terms
 * are within the template's bounds and the track's share cap. On success *family is a
 * JSON array of the template ids of the template's family (its base and every overlay of
 * the base), which the one-ACO-per-template rule covers (caller frees). */
static int check_terms(particip_ctx *c, const char *aco_id, const char *template_id,
                       const char *track, const particip_terms *t, char **family)
{
    catalog cat;
    char e[4096];
    *family = NULL;
    int crc = catalog_open(&cat, c->episodes_dir, c->plugins_dir, template_id, NULL, NULL, e, sizeof e);
    if (crc < 0) /* out of memory is not a refusal */
        return refuse(c, crc == -ENOMEM ? -ENOMEM : -ENOENT, "template %s: %s", template_id, e);
    const catalog_entry *ce = &cat.v[0];
    const cara_template *tm = ce->tmpl;
    int rc = 0;
    const char *mine = ce->aco_id ? NULL : catalog_overlay_of(&cat, template_id, aco_id);
    if (ce->aco_id && strcmp(ce->aco_id, aco_id))
        rc = refuse(c, -EPERM, "template %s is ACO %s's overlay of %s: only ACO %s may offer "
                               "EBRAs on it (ACO %s offers on %s or on its own overlay)",
                    template_id, ce->aco_id, ce->base_id, ce->aco_id, aco_id, ce->base_id);
    else if (mine)
        rc = refuse(c, -EINVAL, "ACO %s customizes %s as %s, under which its beneficiaries' "
                                "episodes are priced: offer the EBRA on %s",
                    aco_id, template_id, mine, mine);
    int64_t lo = -500, hi = 500, cap = 10000;
    template_host_int(tm, "arrangement.discount_min_bps", &lo);
    template_host_int(tm, "arrangement.discount_max_bps", &hi);
    char path[96];
    snprintf(path, sizeof path, "arrangement.track_share_caps.%s", track);
    template_host_int(tm, path, &cap);
    if (rc == 0 && (t->has & 1) && (t->v[0] < lo || t->v[0] > hi))
        rc = refuse(c, -EINVAL, "discount_bps %lld is outside template %s's bounds (%lld to %lld)",
                    (long long)t->v[0], template_id, (long long)lo, (long long)hi);
    for (int i = 1; i < 3 && rc == 0; i++)
        if ((t->has & (1u << i)) && (t->v[i] < 0 || t->v[i] > cap))
            rc = refuse(c, -EINVAL, "%s %lld is above what the %s track allows (%lld)",
                        TERM_NAMES[i], (long long)t->v[i], track, (long long)cap);
    for (int i = 3; i < 5 && rc == 0; i++)
        if ((t->has & (1u << i)) && (t->v[i] < 0 || t->v[i] > 10000))
            rc = refuse(c, -EINVAL, "%s %lld is outside 0..10000", TERM_NAMES[i], (long long)t->v[i]);
    if (rc == 0) {
        const char *base = ce->base_id ? ce->base_id : template_id;
        json_t *ids = json_array();
        json_array_append_new(ids, json_string(base));
        for (size_t i = 0; i < cat.n_overlays; i++)
            if (!strcmp(cat.overlays[i].base_id, base))
                json_array_append_new(ids, json_string(cat.overlays[i].id));
        *family = json_dumps(ids, JSON_COMPACT);
        json_decref(ids);
        if (!*family) rc = refuse(c, -ENOMEM, "out of memory");
    }
    catalog_free(&cat);
    return rc;
}

/* No EBRA of this provider (NPI) for a template of the family (a JSON array of ids: the
 * base and its overlays) overlaps [start, end], other than id. */
static int check_overlap(particip_ctx *c, const char *id, const char *aco, const char *npi,
                         const char *template_id, const char *family, const char *start,
                         const char *end)
{
    char *hit = NULL;
    int rc;
    LOOKUP(rc, orgs_q_ebra_overlap, npi, family, id, start, end && *end ? end : NULL, aco,
           template_id, &hit);
    if (rc == 0 && hit) {
        size_t n = strlen(hit);
        int other = n && hit[n - 1] == '*';
        if (other) hit[n - 1] = '\0';
        rc = other ? refuse(c, -EEXIST, "provider %s is already in EBRA %s for %s: a provider "
                                        "may be in EBRAs with only one ACO per template at a time "
                                        "(an ACO's overlay counts as its base template)",
                            npi, hit, template_id)
                   : refuse(c, -EEXIST, "provider %s already has EBRA %s for %s over these dates",
                            npi, hit, template_id);
    }
    free(hit);
    return rc;
}

/* ---- ACOs, TINs, providers ---------------------------------------------------------------- */

int particip_aco_add(particip_ctx *c, const char *aco_id, const char *name, const char *track,
                     int first_year, int last_year)
{
    if (strcmp(track, "global") && strcmp(track, "professional"))
        return refuse(c, -EINVAL, "track \"%s\" is not global or professional", track);
    if (first_year < 2027 || last_year > 2036 || first_year > last_year)
        return refuse(c, -EINVAL, "performance years %d-%d are not inside 2027-2036", first_year,
                      last_year);
    char *before = NULL, *after = NULL;
    int rc = begin(c);
    if (rc == 0) LOOKUP(rc, orgs_q_aco_json, aco_id, &before);
    aco_rec r = {.aco_id = aco_id, .name = name, .name_len = -1, .track = track,
                 .has_years = 1, .first_year = first_year, .last_year = last_year};
    if (rc == 0) rc = aco_put(c, &r);
    if (rc == 0) LOOKUP(rc, orgs_q_aco_json, aco_id, &after);
    if (rc == 0) rc = audit(c, before ? "aco.update" : "aco.add", "aco", aco_id, NULL, before, after);
    free(before);
    free(after);
    return finish(c, rc);
}

int particip_tin_add(particip_ctx *c, const char *aco_id, const char *tin, const char *start,
                     const char *end)
{
    int rc = check_ids(c, NULL, tin);
    char *aco = NULL, *after = NULL, *clash = NULL;
    if (rc == 0) rc = check_date(c, "start", start, 0);
    if (rc == 0) rc = check_date(c, "end", end, 1);
    if (rc == 0) rc = check_range(c, start, end);
    if (rc == 0) rc = begin(c);
    else return rc;
    if (rc == 0) LOOKUP(rc, orgs_q_aco_id, aco_id, &aco);
    if (rc == 0 && !aco) rc = refuse(c, -ENOENT, "no ACO \"%s\"", aco_id);
    if (rc == 0)
        LOOKUP(rc, orgs_q_tin_clash, tin, start, end && *end ? end : NULL, &clash);
    if (rc == 0 && clash)
        rc = refuse(c, -EEXIST, "TIN %s is already a participant of %s over these dates", tin, clash);
    aco_tin_rec r = {.aco_id = aco_id, .tin = tin, .start_date = start,
                     .end_date = end && *end ? end : NULL};
    if (rc == 0) rc = tin_write(c, &r, NULL);
    if (rc == 0) LOOKUP(rc, orgs_q_tin_json, aco_id, tin, &after);
    if (rc == 0) rc = audit(c, "tin.add", "tin", tin, start, NULL, after);
    free(aco);
    free(after);
    free(clash);
    return finish(c, rc);
}

int particip_tin_end(particip_ctx *c, const char *aco_id, const char *tin, const char *end)
{
    int rc = check_date(c, "end", end, 0);
    char *before = NULL, *after = NULL, *start = NULL;
    if (rc == 0) rc = begin(c);
    else return rc;
    if (rc == 0)
        LOOKUP(rc, orgs_q_tin_open_start, aco_id, tin, &start);
    if (rc == 0 && !start) rc = refuse(c, -ENOENT, "TIN %s has no open participation in ACO %s", tin, aco_id);
    if (rc == 0) rc = check_range(c, start, end);
    if (rc == 0) LOOKUP(rc, orgs_q_tin_json, aco_id, tin, &before);
    aco_tin_rec r = {.aco_id = aco_id, .tin = tin};
    if (rc == 0) rc = tin_write(c, &r, end);
    if (rc == 0) LOOKUP(rc, orgs_q_tin_json, aco_id, tin, &after);
    if (rc == 0) rc = audit(c, "tin.end", "tin", tin, end, before, after);
    free(before);
    free(after);
    free(start);
    return finish(c, rc);
}

int particip_provider_add(particip_ctx *c, const char *npi, const char *tin, const char *name,
                          const char *specialty)
{
    int rc = check_ids(c, npi, tin);
    if (rc < 0) return rc;
    char *before = NULL, *after = NULL;
    rc = begin(c);
    if (rc == 0) LOOKUP(rc, orgs_q_provider_json, npi, tin, &before);
    provider_rec r = {.npi = npi, .tin = tin, .name = name, .name_len = -1,
                      .specialty_code = specialty ? specialty : ""};
    if (rc == 0) rc = provider_put(c, &r);
    if (rc == 0) LOOKUP(rc, orgs_q_provider_json, npi, tin, &after);
    char key[32];
    snprintf(key, sizeof key, "%s/%s", npi, tin);
    if (rc == 0) rc = audit(c, before ? "provider.update" : "provider.add", "provider", key, NULL, before, after);
    free(before);
    free(after);
    return finish(c, rc);
}

/* ---- EBRAs -------------------------------------------------------------------------------- */

int particip_ebra_offer(particip_ctx *c, const char *id, const char *aco_id, const char *npi,
                        const char *tin, const char *template_id, const char *start,
                        const char *end, const particip_terms *terms)
{
    int rc = check_ids(c, npi, tin);
    if (rc == 0) rc = check_date(c, "start", start, 0);
    if (rc == 0) rc = check_date(c, "end", end, 1);
    if (rc == 0) rc = check_range(c, start, end);
    if (rc < 0) return rc;
    char *track = NULL, *exists = NULL, *prov = NULL, *after = NULL;
    rc = begin(c);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_status, id, &exists);
    if (rc == 0 && exists) rc = refuse(c, -EEXIST, "EBRA %s already exists (%s)", id, exists);
    if (rc == 0) rc = check_aco(c, aco_id, start, end, &track);
    if (rc == 0) LOOKUP(rc, orgs_q_provider_name, npi, tin, &prov);
    if (rc == 0 && !prov)
        rc = refuse(c, -ENOENT, "%s/%s is not a registered Preferred Provider (cara provider add "
                                "first)", npi, tin);
    char *family = NULL;
    if (rc == 0) rc = check_terms(c, aco_id, template_id, track, terms, &family);
    if (rc == 0) rc = check_overlap(c, id, aco_id, npi, template_id, family, start, end);
    free(family);
    arrangement_rec r = {.arrangement_id = id, .aco_id = aco_id, .npi = npi, .tin = tin,
                         .template_id = template_id, .start_date = start,
                         .end_date = end && *end ? end : NULL, .has = terms->has & 31u};
    for (int i = 0; i < ARR_N_TERMS; i++) r.terms[i] = terms->v[i];
    if (rc == 0) rc = ebra_write(c, &r, NULL, NULL);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_json, id, &after);
    if (rc == 0) rc = audit(c, "ebra.offer", "ebra", id, start, NULL, after);
    free(track);
    free(exists);
    free(prov);
    free(after);
    return finish(c, rc);
}

/* Move an EBRA from state `from` to `to`, optionally setting its end date. */
static int transition(particip_ctx *c, const char *id, const char *action, const char *from,
                      const char *to, const char *end)
{
    char *status = NULL, *start = NULL, *old_end = NULL, *before = NULL, *after = NULL;
    int rc = end ? check_date(c, "end", end, 0) : 0;
    if (rc < 0) return rc;
    rc = begin(c);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_status, id, &status);
    if (rc == 0 && !status) rc = refuse(c, -ENOENT, "no EBRA \"%s\" (cara ebra list)", id);
    const char *verb = !strcmp(to, "active") ? "accepted" : to;
    if (rc == 0 && strcmp(status, from))
        rc = refuse(c, -EPERM, "EBRA %s is %s: it cannot be %s (only an %s EBRA can)", id, status,
                    verb, from);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_start, id, &start);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_end, id, &old_end);
    if (rc == 0 && end) rc = check_range(c, start, end);
    if (rc == 0 && end && old_end && strcmp(end, old_end) > 0)
        rc = refuse(c, -EINVAL, "EBRA %s already ends on %s; it cannot end later (%s)", id, old_end, end);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_json, id, &before);
    arrangement_rec r = {.arrangement_id = id};
    if (rc == 0) rc = ebra_write(c, &r, to, end);
    if (rc == 0) LOOKUP(rc, orgs_q_ebra_json, id, &after);
    if (rc == 0) rc = audit(c, action, "ebra", id, end ? end : start, before, after);
    free(status);
    free(start);
    free(old_end);
    free(before);
    free(after);
    return finish(c, rc);
}

int particip_ebra_accept(particip_ctx *c, const char *id)
{
    return transition(c, id, "ebra.accept", "offered", "active", NULL);
}

int particip_ebra_decline(particip_ctx *c, const char *id)
{
    return transition(c, id, "ebra.decline", "offered", "declined", NULL);
}

int particip_ebra_end(particip_ctx *c, const char *id, const char *end, const char *by)
{
    char action[40];
    snprintf(action, sizeof action, "ebra.end.%s", by && !strcmp(by, "provider") ? "provider" : "aco");
    return transition(c, id, action, "active", "ended", end);
}

int particip_ebra_terminate(particip_ctx *c, const char *id, const char *end)
{
    return transition(c, id, "ebra.terminate", "active", "terminated", end);
}
