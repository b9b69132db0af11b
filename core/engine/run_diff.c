/*
 * run_diff.c: see run_diff.h.
 */
#include "run_diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content_diff.h"
#include "store/store.h"

static const char *const T_KEYS[] = {"template_id"};
static const char *const T_PAIRS[] = {"episodes", "target_cents", "actual_cents", "payment_cents"};
static const char *const A_KEYS[] = {"arrangement_id", "period"};
static const char *const A_PAIRS[] = {"episodes", "target_cents", "actual_winsorized_cents",
                                      "payment_cents"};
static const char *const A_TAIL[] = {"status_a", "status_b"};
static const char *const E_KEYS[] = {"episode_id"};
static const char *const E_TAIL[] = {"attribution_a", "attribution_b", "method_a", "method_b"};
static const char *const L_KEYS[] = {"aco_id"};
static const char *const L_PAIRS[] = {"lines", "paid_cents"};
static const char *const LP_KEYS[] = {"aco_id", "tin", "npi"};
static const int LP_WIDTHS[] = {8, 9, 10};

static const run_diff_section SECTIONS[] = {
    {"template", 1, T_KEYS, 4, T_PAIRS, 0, NULL, NULL},
    {"arrangement", 2, A_KEYS, 4, A_PAIRS, 2, A_TAIL, NULL},
    {"attribution", 1, E_KEYS, 0, NULL, 4, E_TAIL, NULL},
    {"leakage", 1, L_KEYS, 2, L_PAIRS, 0, NULL, NULL},
    {"leakage_provider", 3, LP_KEYS, 2, L_PAIRS, 0, NULL, LP_WIDTHS},
};

const run_diff_section *run_diff_sections(size_t *n)
{
    *n = sizeof SECTIONS / sizeof SECTIONS[0];
    return SECTIONS;
}

int run_diff_pair_col(const run_diff_section *s, int p)
{
    return s->n_keys + 2 * p;
}

int run_diff_tail_col(const run_diff_section *s, int t)
{
    return s->n_keys + 2 * s->n_pairs + t;
}

json_t *run_diff_row_json(const run_diff_section *s, const store_row *row)
{
    const store_cell *k = row->cells;
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "kind", json_string(s->kind));
    for (int i = 0; i < s->n_keys; i++)
        json_object_set_new(o, s->keys[i], k[i].type == STORE_CELL_INT ? json_integer(k[i].i)
                                                                       : json_string(k[i].text));
    for (int t = 0; t < s->n_tail; t++)
        json_object_set_new(o, s->tail[t], json_string(k[run_diff_tail_col(s, t)].text));
    for (int p = 0; p < s->n_pairs; p++) {
        int64_t a = k[run_diff_pair_col(s, p)].i, b = k[run_diff_pair_col(s, p) + 1].i;
        char name[64];
        snprintf(name, sizeof name, "%s_a", s->pairs[p]);
        json_object_set_new(o, name, json_integer(a));
        snprintf(name, sizeof name, "%s_b", s->pairs[p]);
        json_object_set_new(o, name, json_integer(b));
        snprintf(name, sizeof name, "%s_change", s->pairs[p]);
        json_object_set_new(o, name, json_integer(b - a));
    }
    return o;
}

/* ---- components ------------------------------------------------------------------------ */

static int is_json(const char *relpath)
{
    size_t n = strlen(relpath);
    return n > 5 && !strcmp(relpath + n - 5, ".json");
}

int run_diff_component_change(store *s, const char *ca, const char *cb, const char *rel,
                              run_diff_change *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    if (content_get(s, ca, &ba, &la, err, errlen) < 0 ||
        content_get(s, cb, &bb, &lb, err, errlen) < 0) {
        free(ba);
        free(bb);
        return -1;
    }
    json_error_t je;
    json_t *ja = is_json(rel) ? json_loadb(ba, la, 0, &je) : NULL;
    json_t *jb = is_json(rel) ? json_loadb(bb, lb, 0, &je) : NULL;
    int rc;
    if (ja && jb) {
        out->members_set = 1;
        rc = diff_json(ja, jb, RUN_DIFF_DETAIL, &out->members);
    } else {
        rc = diff_lines(ba, la, bb, lb, RUN_DIFF_DETAIL, &out->lines);
    }
    json_decref(ja);
    json_decref(jb);
    free(ba);
    free(bb);
    if (rc < 0) {
        run_diff_change_free(out);
        return -ENOMEM;
    }
    return 0;
}

void run_diff_change_free(run_diff_change *c)
{
    if (c->members_set) member_changes_free(&c->members);
    else line_changes_free(&c->lines);
    memset(c, 0, sizeof *c);
}

/* The change of a component whose two contents (hashes ca, cb) are stored, into o. */
static void detail(store *s, const char *ca, const char *cb, const char *rel, json_t *o)
{
    run_diff_change ch;
    char e[256];
    int rc = run_diff_component_change(s, ca, cb, rel, &ch, e, sizeof e);
    if (rc == -1) json_object_set_new(o, "detail", json_string(e));
    if (rc < 0) return;
    json_t *list = json_array();
    if (ch.members_set) {
        const member_changes *mc = &ch.members;
        for (size_t i = 0; i < mc->n; i++)
            json_array_append_new(list, json_pack("{s:s, s:O?, s:O?}", "path", mc->v[i].path,
                                                  "a", mc->v[i].a, "b", mc->v[i].b));
        json_object_set_new(o, "members", list);
        json_object_set_new(o, "members_more", json_integer((json_int_t)(mc->total - mc->n)));
    } else {
        const line_changes *lc = &ch.lines;
        for (size_t i = 0; i < lc->n; i++)
            json_array_append_new(list, json_pack("{s:s, s:I, s:s#, s:s}", "file", rel, "line",
                                                  (json_int_t)lc->v[i].line, "op",
                                                  &lc->v[i].op, 1, "text", lc->v[i].text));
        json_object_set_new(o, "lines", list);
        json_object_set_new(o, "lines_more", json_integer((json_int_t)(lc->total - lc->n)));
    }
    run_diff_change_free(&ch);
}

typedef struct rows_ctx {
    store *s;
    json_t *rows;
    const run_diff_section *section; /* NULL: the components */
} rows_ctx;

void run_diff_component_of(const store_row *row, run_diff_component *out)
{
    const store_cell *k = row->cells;
    *out = (run_diff_component){k[0].text, k[1].text, k[2].text, k[3].text, k[4].text,
                                k[5].text, k[6].text, k[7].text, k[8].text, NULL, 0};
    out->change = !out->sha256_a ? "added" : !out->sha256_b ? "removed" : "changed";
    out->same_version = out->sha256_a && out->sha256_b && strcmp(out->sha256_a, out->sha256_b) &&
                        !strcmp(out->version_a, out->version_b);
}

/* store_row_fn of diff_q_components: one component's object. */
static int comp_row(const store_row *row, void *ud)
{
    rows_ctx *x = ud;
    if (!row->cells) return 0;
    run_diff_component c;
    run_diff_component_of(row, &c);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:b}", "kind",
                          "component", "component_kind", c.kind, "name", c.name, "version_a",
                          c.version_a, "version_b", c.version_b, "sha256_a", c.sha256_a,
                          "sha256_b", c.sha256_b, "change", c.change, "same_version",
                          c.same_version);
    if (!o) return -ENOMEM;
    if (c.sha256_a && c.sha256_b && strcmp(c.sha256_a, c.sha256_b)) {
        if (c.content_a && c.content_b) detail(x->s, c.content_a, c.content_b, c.relpath, o);
        else if (strcmp(c.kind, "plugin"))
            json_object_set_new(o, "detail", json_string("content not stored (a run made "
                                                         "before schema 8)"));
    }
    return json_array_append_new(x->rows, o) < 0 ? -ENOMEM : 0;
}

/* store_row_fn of diff_q_section: one row's object. */
static int section_row(const store_row *row, void *ud)
{
    rows_ctx *x = ud;
    if (!row->cells) return 0;
    json_t *o = run_diff_row_json(x->section, row);
    return o && json_array_append_new(x->rows, o) == 0 ? 0 : -ENOMEM;
}

int run_diff_json(store *s, int64_t a, int64_t b, json_t *rows, int *attribution_rows,
                  char *err, size_t errlen)
{
    rows_ctx x = {s, rows, NULL};
    if (attribution_rows) *attribution_rows = 0;
    int rc = diff_q_components(s, a, b, comp_row, &x, err, errlen);
    for (size_t i = 0; rc >= 0 && i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
        x.section = &SECTIONS[i];
        rc = diff_q_section(s, SECTIONS[i].kind, a, b, section_row, &x, err, errlen);
        if (rc >= 0 && attribution_rows && !strcmp(SECTIONS[i].kind, "attribution"))
            *attribution_rows = rc;
    }
    if (rc == -ENOMEM && err && errlen) snprintf(err, errlen, "out of memory");
    return rc < 0 ? rc : 0;
}
