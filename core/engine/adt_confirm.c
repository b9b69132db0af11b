/*
 * adt_confirm.c: after a claims-based run, the provisional episodes that hospital events
 * opened are confirmed, changed or dropped by the run's episodes, and the run keeps the
 * feed's precision and recall (store adt_q_confirm_run; docs/adt.md "Confirmation").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine_internal.h"

int engine__adt_confirm(store *s, const catalog *cat, int64_t run_id, cara_date as_of,
                        char *err, size_t errlen)
{
    char day[11];
    date_format(as_of, day);
    int rc = 0;
    for (size_t i = 0; i < cat->n && rc == 0; i++) {
        const catalog_entry *ce = &cat->v[i];
        if (ce->aco_id) continue; /* a base decides for its overlays too */
        const json_t *trigs = json_object_get(template_root(ce->tmpl), "event_triggers");
        size_t n = json_array_size(trigs);
        if (!n) continue;
        adt_confirm_trigger *t = calloc(n, sizeof *t);
        if (!t) {
            rc = -ENOMEM;
            snprintf(err, errlen, "out of memory");
            break;
        }
        for (size_t k = 0; k < n; k++) {
            t[k].trigger_id = json_string_value(json_object_get(json_array_get(trigs, k), "id"));
            t[k].trigger_type = json_string_value(json_object_get(json_array_get(trigs, k), "trigger_type"));
        }
        const char *base = template_id(ce->tmpl);
        json_t *ids = json_pack("[s]", base); /* the base and its overlays */
        for (size_t k = 0; ids && k < cat->n; k++)
            if (cat->v[k].base_id && !strcmp(cat->v[k].base_id, base))
                json_array_append_new(ids, json_string(template_id(cat->v[k].tmpl)));
        char *text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
        json_decref(ids);
        adt_confirm_counts c;
        rc = text ? adt_q_confirm_run(s, run_id, base, text, t, n, day, &c, err, errlen) : -ENOMEM;
        if (rc == -ENOMEM) snprintf(err, errlen, "out of memory");
        free(text);
        free(t);
    }
    return rc;
}
