/*
 * overlay_aco: an overlay's aco_id against the ACOs a store knows (acos.csv, `cara aco
 * add`). Kept apart from overlay.h, which is pure.
 */
#ifndef CARA_OVERLAY_ACO_H
#define CARA_OVERLAY_ACO_H

#include "store/store.h"
#include "template.h"

/*
 * Report to d (at "aco_id") when aco_id names no ACO of the store s; NULL aco_id: the
 * overlay is for every ACO, nothing to check. Returns 1 when reported, 0 when the ACO
 * is known (or no aco_id), -1 when the store could not be read (a message naming the
 * store is in err; the caller says the ACO was not checked). s is borrowed.
 */
int overlay_check_aco(store *s, const char *aco_id, cara_diag *d, char *err, size_t errlen);

#endif
