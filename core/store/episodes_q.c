/*
 * episodes_q.c: see episodes_q.h.
 */
#include "episodes_q.h"

#include <errno.h>
#include <stdio.h>

#include "store_rows.h"

/* A line's service date, as the engine places lines in windows (bene.c): institutional
 * claims by admission (else claim start), others by line start (else claim start). */
#define SERVICE_DATE                                                                        \
    "(CASE WHEN c.claim_type = 'institutional' THEN COALESCE(c.admission_date, "           \
    "c.claim_start_date) ELSE COALESCE(l.claim_line_start_date, c.claim_start_date) END)"

/* The columns of a claim and of a line in the answer, in its order. */
#define CLAIM_COLUMNS                                                                       \
    "c.claim_id, c.claim_type, c.person_id, c.claim_start_date, c.claim_end_date, "         \
    "c.admission_date, c.discharge_date, c.discharge_disposition_code, c.bill_type_code, "  \
    "c.facility_npi, c.diagnosis_codes, c.adjustment_type_code, c.load_id, "                \
    "c.procedure_codes, c.status, c.status_reason, c.related_claim_id, c.claim_key, "       \
    "c.control_number, c.original_control_number, c.version, c.paid_cents, "                \
    "c.allowed_cents, c.source"
#define LINE_COLUMNS                                                                        \
    "l.claim_id, l.claim_line_number, l.claim_line_start_date, l.claim_line_end_date, "     \
    "l.place_of_service_code, l.revenue_center_code, l.hcpcs_code, l.hcpcs_modifiers, "     \
    "l.rendering_npi, l.rendering_tin, l.billing_npi, l.billing_tin, l.paid_cents, "        \
    "l.allowed_cents, l.denied, l.detail_paid_cents"

int episodes_q_claims(store *s, const char *person, const char *from, const char *to,
                      json_t **out, char *err, size_t errlen)
{
    const char *b[3] = {person, from, to};
    json_t *claims, *lines;
    *out = NULL;
    int rc = store_rows_json(s, "SELECT " CLAIM_COLUMNS " FROM claims c WHERE c.person_id = ?1 AND "
                          "c.status = 'current' AND EXISTS (SELECT 1 FROM claim_lines l WHERE "
                          "l.claim_id = c.claim_id AND l.denied = 0 AND " SERVICE_DATE
                          " BETWEEN ?2 AND ?3) ORDER BY c.claim_start_date, c.claim_id",
                       3, b, &claims, err, errlen);
    if (rc < 0) return rc;
    rc = store_rows_json(s, "SELECT " LINE_COLUMNS ", " SERVICE_DATE " AS service_date FROM "
                      "claim_lines l JOIN claims c ON c.claim_id = l.claim_id WHERE "
                      "c.person_id = ?1 AND c.status = 'current' AND l.denied = 0 AND "
                      SERVICE_DATE " BETWEEN ?2 AND ?3 ORDER BY l.claim_id, l.claim_line_number",
                   3, b, &lines, err, errlen);
    if (rc < 0) {
        json_decref(claims);
        return rc;
    }
    json_t *by_claim = json_object();
    size_t i;
    json_t *c, *l;
    json_array_foreach(claims, i, c)
    {
        json_t *v = json_array();
        json_object_set_new(c, "lines", v);
        const char *id = json_string_value(json_object_get(c, "claim_id"));
        if (id) json_object_set(by_claim, id, v);
    }
    json_array_foreach(lines, i, l)
    {
        const char *id = json_string_value(json_object_get(l, "claim_id"));
        json_t *v = id ? json_object_get(by_claim, id) : NULL;
        if (v) json_array_append(v, l);
    }
    json_decref(by_claim);
    json_decref(lines);
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
