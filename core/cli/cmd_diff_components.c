/*
 * cmd_diff_components.c: see diff_components.h.
 */
#include "diff_components.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "store/store.h"

static char *dump(const json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
}

/* The detail of a changed component whose two contents are stored, printed. */
static void detail(cli_ctx *c, store *s, const char *sa, const char *sb, const char *rel)
{
    run_diff_change ch;
    char e[256];
    int rc = run_diff_component_change(s, sa, sb, rel, &ch, e, sizeof e);
    if (rc == -1) fprintf(c->out, "  (%s)\n", e);
    if (rc < 0) return;
    if (ch.members_set) {
        const member_changes *mc = &ch.members;
        for (size_t i = 0; i < mc->n; i++) {
            char *ta = dump(mc->v[i].a), *tb = dump(mc->v[i].b);
            fprintf(c->out, "  %s: %s -> %s\n", mc->v[i].path, ta ? ta : "?", tb ? tb : "?");
            free(ta);
            free(tb);
        }
        if (mc->total > mc->n)
            fprintf(c->out, "  ... and %zu more changed members\n", mc->total - mc->n);
    } else {
        const line_changes *lc = &ch.lines;
        for (size_t i = 0; i < lc->n; i++)
            fprintf(c->out, "  %s:%zu: %c %s\n", rel, lc->v[i].line, lc->v[i].op, lc->v[i].text);
        if (lc->total > lc->n)
            fprintf(c->out, "  ... and %zu more changed lines\n", lc->total - lc->n);
    }
    run_diff_change_free(&ch);
}

typedef struct comp_ctx {
    cli_ctx *c;
    store *s;
    int64_t a, b;
    int header_seen;
} comp_ctx;

/* store_row_fn of diff_q_components: the heading (table), then one component. */
static int comp_row(const store_row *row, void *ud)
{
    comp_ctx *x = ud;
    cli_ctx *c = x->c;
    if (!row->cells) {
        x->header_seen = 1;
        fprintf(c->out, "== components (A = run %lld, B = run %lld)\n", (long long)x->a,
                (long long)x->b);
        fprintf(c->out, "%-9s %-42s %-10s %-10s %-12s %-12s %s\n", "kind", "name", "version_a",
                "version_b", "sha256_a", "sha256_b", "change");
        return 0;
    }
    run_diff_component k;
    run_diff_component_of(row, &k);
    fprintf(c->out, "%-9s %-42s %-10s %-10s %-12.12s %-12.12s %s\n", k.kind, k.name,
            k.version_a ? k.version_a : "-", k.version_b ? k.version_b : "-",
            k.sha256_a ? k.sha256_a : "-", k.sha256_b ? k.sha256_b : "-", k.change);
    if (k.same_version)
        fprintf(c->out, "  content changed under the same version %s\n",
                k.version_a[0] ? k.version_a : "(none)");
    if (k.sha256_a && k.sha256_b && strcmp(k.sha256_a, k.sha256_b)) {
        if (k.content_a && k.content_b) detail(c, x->s, k.content_a, k.content_b, k.relpath);
        else if (strcmp(k.kind, "plugin"))
            fprintf(c->out, "  (content not stored: a run made before schema 8)\n");
    }
    return 0;
}

int diff_print_components(cli_ctx *c, store *s, int64_t a, int64_t b, char *err, size_t errlen)
{
    comp_ctx x = {c, s, a, b, 0};
    int rows = diff_q_components(s, a, b, comp_row, &x, err, errlen);
    if (!x.header_seen) return -1;
    if (rows == 0) fprintf(c->out, "(no differences)\n");
    fputc('\n', c->out);
    return rows < 0 ? -1 : 0;
}
