/*
 * particip_lists.c: see particip_lists.h.
 */
#include "particip_lists.h"

#include <errno.h>
#include <stdio.h>

static const struct {
    int binds;
    const char *sql;
} LISTS[PARTICIP_LIST_N] = {
    [PARTICIP_LIST_ACOS] = {0, "SELECT aco_id, name, track, first_year, last_year, (SELECT "
                               "count(*) FROM aco_tins t WHERE t.aco_id = a.aco_id) AS tins, "
                               "(SELECT count(*) FROM arrangements e WHERE e.aco_id = a.aco_id "
                               "AND e.status = 'active') AS active_ebras FROM acos a ORDER BY "
                               "aco_id"},
    [PARTICIP_LIST_TINS] = {2, "SELECT aco_id, tin, start_date, end_date FROM aco_tins WHERE "
                               "(?1 IS NULL OR aco_id = ?1) AND (?2 IS NULL OR (start_date <= "
                               "?2 AND COALESCE(end_date, '9999-12-31') >= ?2)) ORDER BY aco_id, "
                               "tin, start_date"},
    [PARTICIP_LIST_PROVIDERS] = {0, "SELECT npi, tin, name, specialty_code, (SELECT count(*) "
                                    "FROM arrangements e WHERE e.npi = p.npi AND e.tin = p.tin "
                                    "AND e.status = 'active') AS active_ebras FROM providers p "
                                    "ORDER BY npi, tin"},
    [PARTICIP_LIST_EBRAS] = {5, "SELECT arrangement_id, aco_id, npi, tin, template_id, "
                                "start_date, end_date, status, discount_bps, savings_share_bps, "
                                "loss_share_bps, stop_gain_bps, stop_loss_bps FROM arrangements "
                                " WHERE (?1 IS NULL OR aco_id = ?1) AND (?2 IS NULL OR npi = ?2) "
                                "AND (?3 IS NULL OR template_id = ?3) AND (?4 IS NULL OR status "
                                "= ?4) AND (?5 IS NULL OR (status IN ('active', 'ended', "
                                "'terminated') AND start_date <= ?5 AND COALESCE(end_date, "
                                "'9999-12-31') >= ?5)) ORDER BY arrangement_id"},
    [PARTICIP_LIST_EBRA_HISTORY] = {1, "SELECT seq, at, actor, action, effective, before, after "
                                       "FROM audit_log WHERE entity = 'ebra' AND entity_id = ?1 "
                                       "ORDER BY seq"},
    [PARTICIP_LIST_PREFERRED] = {2, "SELECT e.npi, e.tin, p.name, p.specialty_code, "
                                    "e.arrangement_id, e.template_id, e.start_date, e.end_date, "
                                    "e.status FROM arrangements e LEFT JOIN providers p ON p.npi "
                                    "= e.npi AND p.tin = e.tin WHERE e.aco_id = ?1 AND e.status "
                                    "IN ('active', 'ended', 'terminated') AND e.start_date <= ?2 "
                                    "AND COALESCE(e.end_date, '9999-12-31') >= ?2 ORDER BY e.npi, "
                                    "e.tin, e.arrangement_id"},
};

int particip_list_binds(particip_list_kind k)
{
    return k >= 0 && k < PARTICIP_LIST_N ? LISTS[k].binds : 0;
}

static int bad_kind(char *err, size_t errlen)
{
    if (err && errlen) snprintf(err, errlen, "no such participation list");
    return -EIO;
}

int particip_list(store *s, particip_list_kind k, const char *const *binds, store_row_fn fn,
                  void *ud, char *err, size_t errlen)
{
    if (k < 0 || k >= PARTICIP_LIST_N) return bad_kind(err, errlen);
    return store_rows(s, LISTS[k].sql, LISTS[k].binds, binds, fn, ud, err, errlen);
}

int particip_list_json(store *s, particip_list_kind k, const char *const *binds, json_t **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    if (k < 0 || k >= PARTICIP_LIST_N) return bad_kind(err, errlen);
    return store_rows_json(s, LISTS[k].sql, LISTS[k].binds, binds, out, err, errlen);
}
