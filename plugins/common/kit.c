/*
 * plugins/common/kit.c: see kit.h.
 */
#include "kit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kit_init(const cara_host *h, const cara_host **slot, char *err, size_t errlen)
{
    if (h->abi_major != CARA_ABI_MAJOR || h->struct_size < CARA_HOST_SIZE_V2_0) {
        snprintf(err, errlen, "host services table is older than this plugin needs");
        return -EPROTO;
    }
    *slot = h;
    return 0;
}

int kit_instance_new(size_t size, kit_read_fn read, const cara_template *t, void **inst,
                     char *err, size_t errlen)
{
    void *p = calloc(1, size);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (read(t, p, NULL) != 0) {
        snprintf(err, errlen, "template does not validate (its problems are listed by "
                              "template_validate)");
        free(p);
        return -EINVAL;
    }
    *inst = p;
    return 0;
}

int kit_trigger_add(kit_triggers *t, const char *type, cara_date day0, size_t line)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        kit_trigger *v = realloc(t->v, cap * sizeof *v);
        if (!v) return -ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = (kit_trigger){type, day0, line};
    return 0;
}

void kit_triggers_free(kit_triggers *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

static int cmp_trigger(const void *a, const void *b)
{
    const kit_trigger *x = a, *y = b;
    if (x->day0 != y->day0) return x->day0 < y->day0 ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return strcmp(x->type, y->type);
}

int kit_open_episodes(const cara_host *h, cara_ctx *ctx, const cara_beneficiary *b,
                      kit_triggers *t, kit_episode **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (t->n == 0) return 0;
    qsort(t->v, t->n, sizeof *t->v, cmp_trigger);
    kit_episode *eps = malloc(t->n * sizeof *eps);
    if (!eps) return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        const kit_trigger *tr = &t->v[i];
        if (n > 0 && tr->day0 <= eps[n - 1].end) continue; /* inside the open episode */
        cara_episode *ep = h->episode_open(ctx, tr->type, tr->day0, tr->line);
        if (!ep) {
            free(eps);
            return -ENOMEM;
        }
        cara_date start, end;
        h->episode_window(ep, &start, &end);
        const char *why = h->eligibility(b, tr->day0, end);
        if (b->death != CARA_DATE_NONE && b->death >= tr->day0 && b->death <= end) {
            h->episode_close(ep, b->death, CARA_EPISODE_DEATH);
            end = b->death;
        }
        if (why) h->episode_exclude(ep, why);
        eps[n++] = (kit_episode){ep, *tr, tr->day0, end, why != NULL};
    }
    *out = eps;
    *n_out = n;
    return 0;
}

const cara_codeset *kit_codes(const cara_host *h, const cara_template *t, const char *name,
                              cara_diag *d, int *errors)
{
    char path[128];
    snprintf(path, sizeof path, "code_lists.%s", name);
    const cara_codeset *set = h->tmpl_codes(t, path);
    if (!set) {
        char why[1024];
        h->tmpl_codes_check(t, path, why, sizeof why);
        if (d) h->diag_add(d, path, "%s", why);
        (*errors)++;
    }
    return set;
}

int64_t kit_int(const cara_host *h, const cara_template *t, const char *path, int64_t lo,
                int64_t hi, cara_diag *d, int *errors)
{
    int64_t v;
    int rc = h->tmpl_int(t, path, &v);
    if (rc == 0 && v >= lo && v <= hi) return v;
    if (d) {
        if (rc == 0)
            h->diag_add(d, path, "%lld is out of bounds (allowed %lld..%lld)", (long long)v,
                        (long long)lo, (long long)hi);
        else
            h->diag_add(d, path, "required: an integer between %lld and %lld", (long long)lo,
                        (long long)hi);
    }
    (*errors)++;
    return lo;
}

void kit_require_trigger(const cara_host *h, const cara_template *t, const char *type,
                         cara_diag *d, int *errors)
{
    char path[64];
    snprintf(path, sizeof path, "triggers.%s.base_cents", type);
    kit_int(h, t, path, 1, INT64_C(100000000000), d, errors);
}

void kit_known_members(const cara_host *h, const cara_template *t, const char *path,
                       const char *const *known, cara_diag *d, int *errors)
{
    int n = h->tmpl_len(t, path);
    for (int i = 0; i < n; i++) {
        const char *k = h->tmpl_key(t, path, i);
        if (!k) break; /* an array: the core reports its type */
        int ok = 0;
        for (const char *const *q = known; *q && !ok; q++) ok = !strcmp(*q, k);
        if (ok) continue;
        if (d) {
            char list[400] = "", p[200];
            size_t off = 0;
            for (const char *const *q = known; *q && off < sizeof list; q++)
                off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", q == known ? "" : ", ", *q);
            snprintf(p, sizeof p, "%s.%s", path, k);
            h->diag_add(d, p, "unknown member; this episode type reads %s", *list ? list : "none");
        }
        (*errors)++;
    }
}

void kit_refuse_declarative(const cara_host *h, const cara_template *t, const char *plugin,
                            cara_diag *d, int *errors)
{
    static const char *const top[] = {"window.pre_days", "included", "excluded"};
    static const char *const per_trigger[] = {"match", "day0"};
    char p[200];
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        if (h->tmpl_len(t, top[i]) != -ENOENT) {
            if (d) h->diag_add(d, top[i], "episode type %s does not read this member (only a "
                                          "declarative template has it)", plugin);
            (*errors)++;
        }
    int n = h->tmpl_len(t, "triggers");
    for (int i = 0; i < n; i++) {
        const char *type = h->tmpl_key(t, "triggers", i);
        for (size_t k = 0; type && k < sizeof per_trigger / sizeof per_trigger[0]; k++) {
            snprintf(p, sizeof p, "triggers.%s.%s", type, per_trigger[k]);
            if (h->tmpl_len(t, p) == -ENOENT) continue;
            if (d) h->diag_add(d, p, "episode type %s does not read this member (its triggers are "
                                     "built in; only a declarative template has it)", plugin);
            (*errors)++;
        }
    }
}

int kit_claim_has_hcpcs(const cara_host *h, const cara_array *lines, size_t i,
                        const cara_codeset *set)
{
    const char *id = cara_line_at(lines, i)->claim_id;
    for (size_t j = 0; j < lines->n; j++) {
        const cara_claim_line *l = cara_line_at(lines, j);
        if (strcmp(l->claim_id, id) == 0 && h->codes_match(set, l->hcpcs)) return 1;
    }
    return 0;
}

int kit_claim_has_revenue(const cara_host *h, const cara_array *lines, size_t i,
                          const cara_codeset *set)
{
    const char *id = cara_line_at(lines, i)->claim_id;
    for (size_t j = 0; j < lines->n; j++) {
        const cara_claim_line *l = cara_line_at(lines, j);
        if (strcmp(l->claim_id, id) == 0 && h->codes_match(set, l->revenue_center)) return 1;
    }
    return 0;
}

cara_date kit_claim_last_day(const cara_claim_line *l)
{
    return l->discharge != CARA_DATE_NONE ? l->discharge : l->claim_end;
}
