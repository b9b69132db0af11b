/*
 * cli_query.c: print a query's rows as an aligned table or as JSON lines (see cli_cmds.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"

static json_t *cell(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return json_null();
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    default: {
        const char *s = (const char *)sqlite3_column_text(st, i);
        /* JSON text columns (audit before/after) stay JSON */
        if (s && (s[0] == '{' || s[0] == '[')) {
            json_t *j = json_loads(s, 0, NULL);
            if (j) return j;
        }
        return json_string(s ? s : "");
    }
    }
}

int cli_query_print(cli_ctx *c, sqlite3 *db, const char *sql, int json, int n, const char *const *binds)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(c->err, "cara: %s\n", sqlite3_errmsg(db));
        return CLI_FAIL;
    }
    for (int i = 0; i < n; i++)
        if (binds[i]) sqlite3_bind_text(st, i + 1, binds[i], -1, SQLITE_TRANSIENT);
    int cols = sqlite3_column_count(st), rc;
    char **cells = NULL;
    size_t rows = 0, cap = 0, *width = calloc((size_t)cols, sizeof *width);
    for (int k = 0; k < cols && width; k++) width[k] = strlen(sqlite3_column_name(st, k));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (json) {
            json_t *o = json_object();
            for (int k = 0; k < cols; k++) json_object_set_new(o, sqlite3_column_name(st, k), cell(st, k));
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(c->out, "%s\n", s ? s : "{}");
            free(s);
            json_decref(o);
            continue;
        }
        if (rows == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(cells, cap * (size_t)cols * sizeof *v);
            if (!v) break;
            cells = v;
        }
        for (int k = 0; k < cols; k++) {
            const char *s = (const char *)sqlite3_column_text(st, k);
            cells[rows * (size_t)cols + (size_t)k] = strdup(s ? s : "");
            size_t l = s ? strlen(s) : 0;
            if (width && l > width[k]) width[k] = l > 60 ? 60 : l;
        }
        rows++;
    }
    if (!json && width) {
        for (int k = 0; k < cols; k++)
            fprintf(c->out, "%-*s%s", k + 1 < cols ? (int)width[k] : 0, sqlite3_column_name(st, k),
                    k + 1 < cols ? "  " : "\n");
        for (size_t r = 0; r < rows; r++)
            for (int k = 0; k < cols; k++) {
                char *s = cells[r * (size_t)cols + (size_t)k];
                fprintf(c->out, "%-*s%s", k + 1 < cols ? (int)width[k] : 0, s, k + 1 < cols ? "  " : "\n");
                free(s);
            }
        if (rows == 0) fprintf(c->out, "(none)\n");
    }
    free(cells);
    free(width);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(c->err, "cara: %s\n", sqlite3_errmsg(db));
        return CLI_FAIL;
    }
    return CLI_OK;
}

void cli_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
