/*
 * cli_query.c: print a query's rows as an aligned table or as JSON lines (cli_query.h).
 */
#include "cli_query.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *cell(const store_cell *k)
{
    switch (k->type) {
    case STORE_CELL_NULL: return json_null();
    case STORE_CELL_INT: return json_integer(k->i);
    default: {
        const char *s = k->text;
        /* JSON text columns (audit before/after) stay JSON */
        if (s && (s[0] == '{' || s[0] == '[')) {
            json_t *j = json_loads(s, 0, NULL);
            if (j) return j;
        }
        return json_string(s ? s : "");
    }
    }
}

void cli_rows_init(cli_rows *p, cli_ctx *c, int json)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    p->json = json;
    p->cols = -1;
}

static int header(cli_rows *p, const store_row *row)
{
    p->cols = row->n;
    p->names = calloc((size_t)row->n + 1, sizeof *p->names);
    p->width = calloc((size_t)row->n + 1, sizeof *p->width);
    if (!p->names || !p->width) return -ENOMEM;
    for (int k = 0; k < row->n; k++) {
        p->names[k] = strdup(row->names[k] ? row->names[k] : "");
        if (!p->names[k]) return -ENOMEM;
        p->width[k] = strlen(p->names[k]);
    }
    return 0;
}

int cli_rows_row(const store_row *row, void *ud)
{
    cli_rows *p = ud;
    if (!row->cells) return header(p, row);
    int cols = p->cols;
    if (p->json) {
        json_t *o = json_object();
        for (int k = 0; k < cols; k++) json_object_set_new(o, p->names[k], cell(&row->cells[k]));
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(p->c->out, "%s\n", s ? s : "{}");
        free(s);
        json_decref(o);
        return 0;
    }
    if (p->oom) return 0;
    if (p->rows == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        char **v = realloc(p->cells, cap * (size_t)(cols ? cols : 1) * sizeof *v);
        if (!v) {
            p->oom = 1; /* as before: the rows so far are printed */
            return 0;
        }
        p->cells = v;
        p->cap = cap;
    }
    for (int k = 0; k < cols; k++) {
        const char *s = row->cells[k].text;
        p->cells[p->rows * (size_t)cols + (size_t)k] = strdup(s ? s : "");
        size_t l = s ? strlen(s) : 0;
        if (l > p->width[k]) p->width[k] = l > 60 ? 60 : l;
    }
    p->rows++;
    return 0;
}

int cli_rows_end(cli_rows *p, int rc, const char *err)
{
    FILE *out = p->c->out, *errf = p->c->err;
    int cols = p->cols;
    if (!p->json && cols >= 0 && p->width && p->names) {
        for (int k = 0; k < cols; k++)
            fprintf(out, "%-*s%s", k + 1 < cols ? (int)p->width[k] : 0, p->names[k],
                    k + 1 < cols ? "  " : "\n");
        for (size_t r = 0; r < p->rows; r++)
            for (int k = 0; k < cols; k++) {
                char *s = p->cells[r * (size_t)cols + (size_t)k];
                fprintf(out, "%-*s%s", k + 1 < cols ? (int)p->width[k] : 0, s ? s : "",
                        k + 1 < cols ? "  " : "\n");
                free(s);
            }
        if (p->rows == 0) fprintf(out, "(none)\n");
    }
    for (int k = 0; k < cols && p->names; k++) free(p->names[k]);
    free(p->names);
    free(p->cells);
    free(p->width);
    memset(p, 0, sizeof *p);
    if (rc < 0) {
        fprintf(errf, "cara: %s\n", err ? err : "");
        return CLI_FAIL;
    }
    return CLI_OK;
}

