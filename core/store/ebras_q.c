/*
 * ebras_q.c: see ebras_q.h.
 */
#include "ebras_q.h"

#include <errno.h>

#include "store_rows.h"

#define EBRA_COLS                                                                           \
    "SELECT arrangement_id, aco_id, npi, tin, template_id, start_date, end_date, status, "  \
    "discount_bps, savings_share_bps, loss_share_bps, stop_gain_bps, stop_loss_bps FROM "   \
    "arrangements "

int ebras_q_list(store *s, const char *aco, const char *npi, const char *status,
                 const char *template_id, json_t **out, char *err, size_t errlen)
{
    const char *b[4] = {aco, npi, status, template_id};
    return store_rows_json(s, EBRA_COLS "WHERE (?1 IS NULL OR aco_id = ?1) AND (?2 IS NULL OR "
                              "npi = ?2) AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR "
                              "template_id = ?4) ORDER BY arrangement_id",
                           4, b, out, err, errlen);
}

int ebras_q_get(store *s, const char *id, json_t **out, char *err, size_t errlen)
{
    const char *b[1] = {id};
    json_t *rows;
    *out = NULL;
    int rc = store_rows_json(s, EBRA_COLS "WHERE arrangement_id = ?1", 1, b, &rows, err, errlen);
    if (rc < 0) return rc;
    json_t *row = json_array_get(rows, 0);
    if (row) *out = json_incref(row);
    json_decref(rows);
    return row ? 1 : 0;
}

int ebras_q_history(store *s, const char *id, json_t **out, char *err, size_t errlen)
{
    const char *b[1] = {id};
    return store_rows_json(s, "SELECT seq, at, actor, action, effective, before, after FROM "
                              "audit_log WHERE entity = 'ebra' AND entity_id = ?1 ORDER BY seq",
                           1, b, out, err, errlen);
}

int ebras_q_providers(store *s, const char *aco, const char *npi, json_t **out, char *err,
                      size_t errlen)
{
    const char *b[2] = {aco, npi};
    return store_rows_json(s, "SELECT npi, tin, name, specialty_code FROM providers p WHERE "
                              "(?2 IS NULL OR npi = ?2) AND (?1 IS NULL OR EXISTS (SELECT 1 FROM "
                              "arrangements e WHERE e.aco_id = ?1 AND e.npi = p.npi AND e.tin = "
                              "p.tin) OR EXISTS (SELECT 1 FROM aco_tins t WHERE t.aco_id = ?1 AND "
                              "t.tin = p.tin)) ORDER BY npi, tin",
                           2, b, out, err, errlen);
}

int ebras_q_npi_in_aco(store *s, const char *npi, const char *aco, char *err, size_t errlen)
{
    const char *b[2] = {npi, aco};
    json_t *rows;
    int rc = store_rows_json(s, "SELECT 1 AS yes FROM arrangements WHERE npi = ?1 AND aco_id = ?2 "
                                "LIMIT 1", 2, b, &rows, err, errlen);
    if (rc < 0) return rc;
    rc = json_array_size(rows) > 0;
    json_decref(rows);
    return rc;
}
