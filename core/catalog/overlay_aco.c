/*
 * overlay_aco.c: see overlay_aco.h.
 */
#include "overlay_aco.h"

#include <stdio.h>

int overlay_check_aco(store *s, const char *aco_id, cara_diag *d, char *err, size_t errlen)
{
    if (!aco_id) return 0;
    int found, total;
    if (orgs_q_aco_known(s, aco_id, &found, &total, err, errlen) < 0) return -1;
    if (found) return 0;
    diag_add(d, "aco_id", "\"%s\" is not an ACO of the store %s (%d ACO%s; 'cara aco list' lists "
             "them, 'cara aco add' or acos.csv adds one)", aco_id, store_path(s), total,
             total == 1 ? "" : "s");
    return 1;
}
