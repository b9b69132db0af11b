/*
 * template_check: the one validation every template goes through before a run, `cara
 * template validate` or the API accepts it: the shared members against the schema
 * (template_schema.h), a base's customizable policy (overlay.h), and the episode
 * type's own members through its plugin's template_validate.
 */
#ifndef CARA_TEMPLATE_CHECK_H
#define CARA_TEMPLATE_CHECK_H

#include "cara/plugin.h"
#include "template.h"

/*
 * Validate t, reporting every problem to d with its JSON path; returns their number.
 * overlay = 1 when t is an overlay's effective template (base, approach and aco_id are
 * then allowed, and the customizable policy is the base's, already checked). plugin is
 * the episode type's (NULL: its members are not checked). A plugin's problem at a path
 * the schema already reported (the same path, or one above or below it) is dropped, so
 * each problem is told once. The caller holds catalog_plugin_lock() when the plugin
 * may be used on another thread.
 */
int template_check(const cara_template *t, const cara_plugin *plugin, int overlay, cara_diag *d);

#endif
