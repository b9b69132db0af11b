/*
 * template_schema: every member a template may have (one declarative table, schema.h),
 * and the cross-checks between members that no single member's type can express.
 * The table is the reference for docs/templates.md ("Members"); keep them in step.
 *
 * What the core checks: the members every template shares (id, window, code_lists,
 * triggers, pricing, arrangement, quality, attribution, customizable) and, for an
 * overlay's effective template, base, approach and aco_id. What it leaves to the
 * episode type's plugin: the names and ranges of `parameters.*` (the core checks they
 * are integers), which code lists and trigger types the plugin needs, and the members
 * only some plugins read (window.pre_days, triggers.T.match, triggers.T.day0,
 * included, excluded: the declarative plugin).
 */
#ifndef CARA_TEMPLATE_SCHEMA_H
#define CARA_TEMPLATE_SCHEMA_H

#include <jansson.h>

#include "schema.h"

/* The root node of the template schema (static storage). */
const schema_node *template_schema(void);

/* The quality measures the shipped rules implement (savings.lua quality(), and the
 * native reference rules), NULL-terminated. */
extern const char *const template_quality_measures[];

/* The last performance year of the model: the largest-target cross-check trends the
 * base prices up to it. */
#define TEMPLATE_LAST_YEAR 2036

/* The largest target a template may price (cents): 10^12, so that the sums over an
 * arrangement's episodes stay exact in 64 bits. */
#define TEMPLATE_MAX_TARGET_CENTS INT64_C(1000000000000)

/*
 * Check a template document (a base's template.json, or with overlay = 1 an overlay's
 * effective template) against the schema and the cross-checks, reporting every problem
 * to d with its JSON path. Returns the number of problems. Pure.
 */
int template_schema_check(const json_t *root, int overlay, cara_diag *d);

#endif
