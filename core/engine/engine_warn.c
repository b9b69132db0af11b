/*
 * engine_warn.c: the data warnings of a run (engine_internal.h, engine__data_warnings,
 * engine__unknown_warning):
 * what the loaders cannot know alone, said once per run instead of silently ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "base/base.h"
#include "store/store.h"

/* 1 when template id is a template or overlay of the episodes folder (loaded or not:
 * a --template run loads one). */
static int template_known(const catalog *cat, const char *id)
{
    if (ids_check_template_id(id, strlen(id)) != ID_OK) return 0;
    if (catalog_find(cat, id) || catalog_overlay_find(cat, id)) return 1;
    char *dir = util_path_join(cat->dir, id);
    char *t = dir ? util_path_join(dir, "template.json") : NULL;
    char *o = dir ? util_path_join(dir, "overlay.json") : NULL;
    int known = (t && util_exists(t)) || (o && util_exists(o));
    free(dir);
    free(t);
    free(o);
    return known;
}

static int add(json_t *w, FILE *log, const char *msg)
{
    if (log) fprintf(log, "cara run: warning: %s\n", msg);
    return json_array_append_new(w, json_string(msg)) == 0 ? 0 : -ENOMEM;
}

/* The unknown beneficiaries seen so far: how many, and the first three. */
typedef struct unknown_acc {
    long long n;
    char some[200];
} unknown_acc;

static int add_unknown(const char *person_id, void *ud)
{
    unknown_acc *u = ud;
    if (u->n < 3) {
        size_t k = strlen(u->some);
        snprintf(u->some + k, sizeof u->some - k, "%s%s", u->n ? ", " : "", person_id);
    }
    u->n++;
    return 0;
}

int engine__unknown_warning(const run_data *rd, json_t *w, FILE *log, char *err, size_t errlen)
{
    unknown_acc u = {0, ""};
    people_merge *m = NULL;
    int rc = engine__people_open(rd, &m, err, errlen);
    person_rec p;
    while (rc == 0 && (rc = people_merge_next(m, &p, err, errlen)) == 1) {
        rc = 0;
        if (p.no_elig) add_unknown(p.person_id, &u);
    }
    people_merge_close(m);
    if (rc < 0) return rc;
    if (!u.n) return 0;
    char msg[512];
    snprintf(msg, sizeof msg, "unknown beneficiaries: %lld with claims but no eligibility "
             "(%s%s): they have no enrollment, so none of their episodes can be priced (load "
             "their eligibility, docs/input-formats.md)", u.n, u.some, u.n > 3 ? ", ..." : "");
    if (add(w, log, msg) < 0) return util_fail(err, errlen, -ENOMEM, "out of memory");
    return 0;
}

int engine__data_warnings(const catalog *cat, const run_data *rd, json_t *w, FILE *log,
                          char *err, size_t errlen)
{
    for (size_t i = 0; i < rd->n_arrs; i++) {
        const ref_arrangement *a = &rd->arrs[i];
        if (template_known(cat, a->template_id)) continue;
        char msg[512];
        snprintf(msg, sizeof msg, "arrangement %s: template_id \"%s\" is no template of %s: "
                 "no episode can be attributed to it", a->arrangement_id, a->template_id,
                 cat->dir);
        if (add(w, log, msg) < 0) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
    }
    return 0;
}
