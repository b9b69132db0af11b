/*
 * cmd_diff_components.c: see diff_components.h.
 */
#include "diff_components.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "store/store.h"

static int is_json(const char *relpath)
{
    size_t n = strlen(relpath);
    return n > 5 && !strcmp(relpath + n - 5, ".json");
}

static char *dump(const json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
}

/* The detail of a changed component whose two contents are stored, printed. */
static void detail(cli_ctx *c, store *s, const char *sa, const char *sb, const char *rel)
{
    char *ba = NULL, *bb = NULL, e[256];
    size_t la = 0, lb = 0;
    if (content_get(s, sa, &ba, &la, e, sizeof e) < 0 || content_get(s, sb, &bb, &lb, e, sizeof e) < 0) {
        fprintf(c->out, "  (%s)\n", e);
        free(ba);
        free(bb);
        return;
    }
    json_error_t je;
    json_t *ja = is_json(rel) ? json_loadb(ba, la, 0, &je) : NULL;
    json_t *jb = is_json(rel) ? json_loadb(bb, lb, 0, &je) : NULL;
    if (ja && jb) {
        member_changes mc;
        if (diff_json(ja, jb, RUN_DIFF_DETAIL, &mc) == 0) {
            for (size_t i = 0; i < mc.n; i++) {
                char *ta = dump(mc.v[i].a), *tb = dump(mc.v[i].b);
                fprintf(c->out, "  %s: %s -> %s\n", mc.v[i].path, ta ? ta : "?", tb ? tb : "?");
                free(ta);
                free(tb);
            }
            if (mc.total > mc.n) {
                fprintf(c->out, "  ... and %zu more changed members\n", mc.total - mc.n);
            }
            member_changes_free(&mc);
        }
    } else {
        line_changes lc;
        if (diff_lines(ba, la, bb, lb, RUN_DIFF_DETAIL, &lc) == 0) {
            for (size_t i = 0; i < lc.n; i++)
                fprintf(c->out, "  %s:%zu: %c %s\n", rel, lc.v[i].line, lc.v[i].op, lc.v[i].text);
            if (lc.total > lc.n) {
                fprintf(c->out, "  ... and %zu more changed lines\n", lc.total - lc.n);
            }
            line_changes_free(&lc);
        }
    }
    json_decref(ja);
    json_decref(jb);
    free(ba);
    free(bb);
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
    const store_cell *k = row->cells;
    {
        const char *kind = k[0].text, *name = k[1].text, *va = k[2].text, *vb = k[3].text;
        const char *sa = k[4].text, *sb = k[5].text, *ca = k[6].text, *cb = k[7].text;
        const char *rel = k[8].text;
        const char *change = !sa ? "added" : !sb ? "removed" : "changed";
        int same_version = sa && sb && strcmp(sa, sb) && !strcmp(va, vb);
        fprintf(c->out, "%-9s %-42s %-10s %-10s %-12.12s %-12.12s %s\n", kind, name,
                va ? va : "-", vb ? vb : "-", sa ? sa : "-", sb ? sb : "-", change);
        if (same_version)
            fprintf(c->out, "  content changed under the same version %s\n", va[0] ? va : "(none)");
        if (sa && sb && strcmp(sa, sb)) {
            if (ca && cb) detail(c, x->s, ca, cb, rel);
            else if (strcmp(kind, "plugin"))
                fprintf(c->out, "  (content not stored: a run made before schema 8)\n");
        }
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
