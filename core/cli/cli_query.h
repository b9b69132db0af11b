/*
 * cli_query.h: the printer of generic rows (store_rows.h) as an aligned table or JSON
 * lines, for `cara token list`, `cara aco|tin|provider|ebra list` (cmd_particip.c) and any reader
 * whose rows are named cells. Private to core/cli/.
 */
#ifndef CARA_CLI_QUERY_H
#define CARA_CLI_QUERY_H

#include <stddef.h>

#include "cli_cmds.h"
#include "store/store.h"

/* The printer's state: zero it, set c and json, pass it as the ud of a store_row_fn
 * producer with cli_rows_row, then call cli_rows_end once. */
typedef struct cli_rows {
    cli_ctx *c;
    int json;      /* 0: aligned table (printed at the end), 1: one JSON object a line */
    int cols;      /* from the header; -1 until it came */
    char **names;  /* owned copies of the column names */
    char **cells;  /* table mode: rows * cols owned strings */
    size_t rows, cap, *width;
    int oom;
} cli_rows;

/* Start a printer for c (json as above). */
void cli_rows_init(cli_rows *p, cli_ctx *c, int json);

/* store_row_fn: take the header or one row (ud: a cli_rows). 0, or -ENOMEM. */
int cli_rows_row(const store_row *row, void *ud);

/*
 * Finish: print the table (header, rows, "(none)" when there were none) if a header
 * came, then, when rc < 0, "cara: ERR" on c->err. Frees the printer's memory.
 * Returns CLI_OK (rc >= 0) or CLI_FAIL.
 */
int cli_rows_end(cli_rows *p, int rc, const char *err);

#endif
