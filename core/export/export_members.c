/*
 * export_members.c: the members of an ATR attribution list and their changeType
 * (docs/exports.md, "ATR").
 *
 * A member is a beneficiary with an episode of a template family attributed to an EBRA's
 * specialist, one per beneficiary and family: the latest such episode (by trigger date)
 * says which EBRA and specialist; the member period runs from the first trigger date to
 * the last end date of the beneficiary's episodes under that EBRA. Against the latest
 * ATR export of the same scope, a member is "new" (not in it), "nochange" (same
 * specialist, NPI and TIN, and period: what the list shows of a member) or "change"
 * (another specialist after one EBRA ended and another started, another period); the
 * previous list's members that are not in this one are d->removed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"

static int member_cmp(const void *a, const void *b)
{
    const exp_member *x = a, *y = b;
    int c = strcmp(x->person_id, y->person_id);
    return c ? c : strcmp(x->template_id, y->template_id);
}

typedef struct prev_ctx {
    exp_member *v;
    size_t n, cap;
} prev_ctx;

static int prev_cb(const store_row *row, void *ud)
{
    prev_ctx *p = ud;
    if (!row->cells) return row->n == 7 ? 0 : -EPROTO;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        exp_member *v = realloc(p->v, cap * sizeof *v);
        if (!v) return -ENOMEM;
        p->v = v;
        p->cap = cap;
    }
    exp_member *m = &p->v[p->n++];
    memset(m, 0, sizeof *m);
    char *dst[] = {m->person_id, m->template_id, m->arrangement_id, m->npi, m->tin, m->start,
                   m->end};
    size_t len[] = {sizeof m->person_id, sizeof m->template_id, sizeof m->arrangement_id,
                    sizeof m->npi, sizeof m->tin, sizeof m->start, sizeof m->end};
    for (int k = 0; k < 7; k++) util_strlcpy(dst[k], row->cells[k].text ? row->cells[k].text : "", len[k]);
    return 0;
}

int export_build_members(export_data *d)
{
    exp_member *v = calloc(d->n_eps ? d->n_eps : 1, sizeof *v);
    if (!v) return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < d->n_eps; i++) {
        const exp_episode *e = &d->eps[i];
        if (!e->arrangement_id[0] || !e->has_target) continue;
        exp_member *m = NULL;
        for (size_t k = n; k-- > 0 && !m;) /* episodes come by template then person */
            if (!strcmp(v[k].person_id, e->person_id) && !strcmp(v[k].template_id, e->family))
                m = &v[k];
        if (!m) {
            m = &v[n++];
            util_strlcpy(m->person_id, e->person_id, sizeof m->person_id);
            util_strlcpy(m->template_id, e->family, sizeof m->template_id);
        } else if (strcmp(e->trigger_date, m->start) < 0 && strcmp(m->arrangement_id, e->arrangement_id)) {
            continue; /* an earlier episode under another EBRA: the later one decides */
        }
        if (strcmp(m->arrangement_id, e->arrangement_id)) { /* a later EBRA: it decides */
            util_strlcpy(m->arrangement_id, e->arrangement_id, sizeof m->arrangement_id);
            util_strlcpy(m->aco_id, e->aco_id, sizeof m->aco_id);
            util_strlcpy(m->npi, e->npi, sizeof m->npi);
            util_strlcpy(m->tin, e->tin, sizeof m->tin);
            util_strlcpy(m->start, e->trigger_date, sizeof m->start);
            util_strlcpy(m->end, e->end_date, sizeof m->end);
            continue;
        }
        if (strcmp(e->trigger_date, m->start) < 0) util_strlcpy(m->start, e->trigger_date, sizeof m->start);
        if (strcmp(e->end_date, m->end) > 0) util_strlcpy(m->end, e->end_date, sizeof m->end);
    }
    qsort(v, n, sizeof *v, member_cmp);
    d->members = v;
    d->n_members = n;
    return 0;
}

int export_diff_members(export_data *d, const exp_member *prev, size_t n_prev)
{
    free(d->removed);
    d->removed = NULL;
    d->n_removed = 0;
    char *seen = calloc(n_prev ? n_prev : 1, 1);
    if (!seen) return -ENOMEM;
    if (n_prev && !(d->removed = calloc(n_prev, sizeof *d->removed))) {
        free(seen);
        return -ENOMEM;
    }
    for (size_t i = 0; i < d->n_members; i++) {
        exp_member *m = &d->members[i];
        const exp_member *o = n_prev ? bsearch(m, prev, n_prev, sizeof *prev, member_cmp) : NULL;
        if (!o) {
            util_strlcpy(m->change_type, "new", sizeof m->change_type);
            continue;
        }
        seen[o - prev] = 1;
        /* what the list shows of a member: its specialist and period (an EBRA renewed with
         * the same specialist and dates is no change to the member) */
        int same = !strcmp(o->npi, m->npi) && !strcmp(o->tin, m->tin) &&
                   !strcmp(o->start, m->start) && !strcmp(o->end, m->end);
        util_strlcpy(m->change_type, same ? "nochange" : "change", sizeof m->change_type);
    }
    for (size_t k = 0; k < n_prev; k++) {
        if (seen[k]) continue;
        exp_removed *r = &d->removed[d->n_removed++];
        util_strlcpy(r->person_id, prev[k].person_id, sizeof r->person_id);
        util_strlcpy(r->npi, prev[k].npi, sizeof r->npi);
        util_strlcpy(r->tin, prev[k].tin, sizeof r->tin);
        util_strlcpy(r->arrangement_id, prev[k].arrangement_id, sizeof r->arrangement_id);
    }
    free(seen);
    return 0;
}

int export__members(store *s, export_data *d, char *err, size_t errlen)
{
    int rc = export_build_members(d);
    if (rc < 0) return rc;
    prev_ctx p = {0};
    int64_t prev = exports_q_previous_atr(s, d->scope_label, prev_cb, &p, err, errlen);
    if (prev < 0) {
        free(p.v);
        return (int)prev;
    }
    d->previous_export = prev;
    rc = export_diff_members(d, p.v, p.n);
    free(p.v);
    return rc;
}
