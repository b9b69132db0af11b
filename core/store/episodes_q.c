/*
 * episodes_q.c: see episodes_q.h.
 */
#include "episodes_q.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

#include "store_rows.h"

/* The columns of a claim in the answer, in its order. */
#define CLAIM_COLUMNS                                                                       \
    "c.claim_id, c.claim_type, c.person_id, c.claim_start_date, c.claim_end_date, "         \
    "c.admission_date, c.discharge_date, c.discharge_disposition_code, c.bill_type_code, "  \
    "c.facility_npi, c.diagnosis_codes, c.adjustment_type_code, c.load_id, "                \
    "c.procedure_codes, c.status, c.status_reason, c.related_claim_id, c.claim_key, "       \
    "c.control_number, c.original_control_number, c.version, c.paid_cents, "                \
    "c.allowed_cents, c.source"
/* The names of a packed line's texts (pl_line.text, in order) in the answer. */
static const char *const LINE_TEXT_NAMES[PL_TEXTS] = {
    "claim_line_start_date", "claim_line_end_date", "place_of_service_code",
    "revenue_center_code", "hcpcs_code", "hcpcs_modifiers", "rendering_npi",
    "rendering_tin", "billing_npi", "billing_tin"};

/* Line l of claim c as the answer's object (the claim_lines view's columns, then
 * service_date); NULL when out of memory. */
static json_t *line_json(const char *claim_id, const pl_line *l, const char *service)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = json_object_set_new(o, "claim_id", json_string(claim_id));
    bad |= json_object_set_new(o, "claim_line_number", json_integer(l->number));
    for (int t = 0; t < PL_TEXTS; t++)
        bad |= json_object_set_new(o, LINE_TEXT_NAMES[t],
                                   l->text[t] ? json_stringn(l->text[t], l->len[t]) : json_null());
    bad |= json_object_set_new(o, "paid_cents", json_integer(l->paid_cents));
    bad |= json_object_set_new(o, "allowed_cents", json_integer(l->allowed_cents));
    bad |= json_object_set_new(o, "denied", json_integer(l->denied));
    bad |= json_object_set_new(o, "detail_paid_cents",
                               l->has_detail ? json_integer(l->detail_paid_cents) : json_null());
    bad |= json_object_set_new(o, "service_date", json_string(service));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Claim c's packed lines (its "lines" text) replaced by the array of its lines that are
 * not denied and whose service date is in [from, to] (as bene.c places lines in windows:
 * institutional claims by admission, else claim start; others by line start, else claim
 * start): 1 when it has one, 0 when none;
 * -EIO with err (not packed lines), -ENOMEM. */
static int claim_lines_in(pl_reader *r, json_t *c, const char *from, const char *to, char *err,
                          size_t errlen)
{
    const char *id = json_string_value(json_object_get(c, "claim_id"));
    const char *type = json_string_value(json_object_get(c, "claim_type"));
    const char *start = json_string_value(json_object_get(c, "claim_start_date"));
    const char *adm = json_string_value(json_object_get(c, "admission_date"));
    json_t *packed = json_object_get(c, "lines");
    const char *text = json_string_value(packed);
    json_t *out = json_array();
    if (!out) return -ENOMEM;
    int rc = 0;
    if (text) {
        pl_line l;
        pl_reader_init(r, text, json_string_length(packed));
        int inst = type && !strcmp(type, "institutional");
        while ((rc = pl_next(r, &l)) == 1) {
            if (l.denied) continue;
            const char *sd = inst ? (adm ? adm : start) : (l.text[PL_START] ? l.text[PL_START] : start);
            if (!sd || !from || !to || strcmp(sd, from) < 0 || strcmp(sd, to) > 0) continue;
            json_t *o = line_json(id ? id : "", &l, sd);
            if (!o || json_array_append_new(out, o) < 0) {
                rc = -ENOMEM;
                break;
            }
        }
        if (rc == -1) {
            snprintf(err, errlen, "claim \"%s\": claims.lines: %s", id ? id : "", r->err);
            rc = -EIO;
        }
    }
    if (rc < 0 || json_object_set_new(c, "lines", out) < 0) {
        if (rc >= 0) rc = -ENOMEM;
        else json_decref(out);
        return rc;
    }
    return json_array_size(out) > 0;
}

int episodes_q_claims(store *s, const char *person, const char *from, const char *to,
                      json_t **out, char *err, size_t errlen)
{
    /* one read of the person's current claims with their packed lines, the lines
     * unpacked here (the claim_lines view would parse each claim's value again for
     * every column taken) */
    const char *b[1] = {person};
    json_t *all, *claims = json_array();
    *out = NULL;
    if (!claims) return -ENOMEM;
    int rc = store_rows_json(s, "SELECT " CLAIM_COLUMNS ", c.lines FROM claims c WHERE "
                             "c.person_id = ?1 AND c.status = 'current' ORDER BY "
                             "c.claim_start_date, c.claim_id", 1, b, &all, err, errlen);
    if (rc < 0) {
        json_decref(claims);
        return rc;
    }
    size_t i;
    json_t *c;
    pl_reader r = {0}; /* its scratch kept from claim to claim */
    json_array_foreach(all, i, c)
    {
        rc = claim_lines_in(&r, c, from, to, err, errlen);
        if (rc < 0) break;
        if (rc == 1 && json_array_append(claims, c) < 0) {
            rc = -ENOMEM;
            break;
        }
    }
    pl_reader_free(&r);
    json_decref(all);
    if (rc < 0) {
        if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
        json_decref(claims);
        return rc;
    }
    *out = claims;
    return 0;
}

int episodes_q_spend(store *s, int64_t run_id, const char *episode_id, json_t **out,
                     char *err, size_t errlen)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)run_id);
    const char *b[2] = {run, episode_id};
    json_t *rows = NULL;
    *out = NULL;
    int rc = store_rows_json(s, "SELECT inpatient_cents, snf_cents, home_health_cents, "
                             "outpatient_cents, professional_cents, dme_cents, hospice_cents, "
                             "other_cents FROM run_episodes WHERE run_id = CAST(?1 AS INTEGER) "
                             "AND episode_id = ?2", 2, b, &rows, err, errlen);
    if (rc < 0) return rc;
    json_t *first = json_array_get(rows, 0);
    if (first) *out = json_incref(first);
    json_decref(rows);
    return 0;
}

int episodes_q_leakage(store *s, int64_t run_id, const char *episode_id, json_t **out,
                       char *err, size_t errlen)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)run_id);
    const char *b[2] = {run, episode_id};
    return store_rows_json(s, "SELECT aco_id, npi, tin, lines, paid_cents FROM run_leakage WHERE "
                        "run_id = CAST(?1 AS INTEGER) AND episode_id = ?2 "
                        "ORDER BY paid_cents DESC, npi, tin", 2, b, out, err, errlen);
}
