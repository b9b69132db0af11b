/*
 * overlay: what an ACO may change in a CMS base template, and ACO overlays.
 *
 * A base template declares its customizable parameters (docs/templates.md):
 *
 *   "customizable": {
 *     "arrangement.discount_bps": {"approach": "default", "min": -500, "max": 500},
 *     "window.post_days":         {"approach": "max_flex", "min": 89, "max": 364},
 *     "code_lists.FALL_RISK_DX":  {"approach": "max_flex"}
 *   }
 *
 * A parameter listed with approach "default" may be changed under both approaches; one
 * with "max_flex" only under Max Flex; a parameter not listed is CMS's alone. "min" and
 * "max" bound integers, "values" lists the strings allowed.
 *
 * An overlay names its base and changes only what the base allows:
 *
 *   {"id": "falls_prevention_a0001", "version": "1.0.0", "aco_id": "A0001",
 *    "base": {"id": "falls_prevention", "version": "1.0.0"},
 *    "approach": "default",
 *    "set": {"arrangement.discount_bps": 200}}
 *
 * Everything here is pure (buffers and parsed templates in, diagnostics out).
 */
#ifndef CARA_OVERLAY_H
#define CARA_OVERLAY_H

#include <stddef.h>

#include "template.h"

/* Check a base template's "customizable" section: each entry names an existing
 * parameter, a known approach, bounds of the right type. (The base's own values may
 * lie outside the bounds: bounds limit what ACOs set, not CMS.)
 * Problems go to d with their key paths; returns their number. */
int overlay_check_policy(const cara_template *base, cara_diag *d);

/* The id and version of the base an overlay names, and its own id (borrowed from the
 * parsed document; NULL when absent). */
typedef struct overlay_info {
    const char *id, *version, *base_id, *base_version, *approach, *aco_id;
} overlay_info;

/* Parse an overlay document (JSON) and read its header. Problems go to d ("name: ..."
 * for the document itself). The caller owns *doc (json_decref). Returns problems. */
int overlay_parse(const char *name, const char *buf, size_t len, json_t **doc,
                  overlay_info *info, cara_diag *d);

/*
 * Check every change of the overlay against the base's policy and build the effective
 * template: the base with the changes applied, with the overlay's id and version and a
 * "base" member. Refusals name the parameter, the value and the rule or bound
 * ("set.window.post_days: 400 is above the maximum 364 the base allows"). Returns the
 * number of problems; on 0, *out is the effective template (caller frees).
 */
int overlay_apply(const char *name, json_t *doc, const cara_template *base, cara_template **out,
                  cara_diag *d);

/* 1 when the document looks like an overlay (it has a "base" member). */
int overlay_is(const json_t *doc);

#endif
