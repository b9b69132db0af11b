/*
 * export_internal.h: what the files of core/export/ share (not for other modules).
 */
#ifndef CARA_EXPORT_INTERNAL_H
#define CARA_EXPORT_INTERNAL_H

#include "export.h"

/* Now, UTC, as "YYYY-MM-DDTHH:MM:SSZ". */
void export__now(char out[32]);

/* Rebuild run d->run_id's episodes folder (replay_prepare) and fill d->templates from
 * its catalog (loaded with plugins_dir); checks d->scope.template_id names one of them
 * (-ENOENT). 0 or a negative code with err. */
int export__templates(store *s, export_data *d, const char *plugins_dir, char *err,
                      size_t errlen);

/* Point each arrangement at the template its ACO's episodes are priced with (the ACO's
 * overlay of its template, else the base) and fill the terms it did not negotiate from
 * that template's defaults. */
void export__resolve_terms(export_data *d);

/* Build d->members from d->eps (export_members.c) and compare them with the latest ATR
 * export of the same scope (d->previous_export, change_type, d->removed). */
int export__members(store *s, export_data *d, char *err, size_t errlen);

#endif
