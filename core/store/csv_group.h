/*
 * csv_group: the staging of a claims file whose rows are not in claim order (the CSV
 * loader, core/load/load_csv.c). Each row is staged as (grp, seq, off, len, line): the
 * group of its claim, its number in file order, where its bytes are in the file and its
 * file line; the rows are then read back group by group. The staging lives in two
 * temporary tables of the connection (temp.cara_load_claims: claim key -> group;
 * temp.cara_load_rows: the rows), which no other connection sees and which are emptied
 * when the object is opened and closed. Statements are prepared once, at open, with
 * explicit column lists.
 *
 * Errors: 0 (or a count), -ENOMEM, or -EIO, each with a message in err naming what
 * failed ("staging row 7: <SQLite's message>"); the connection's sqlite3_errmsg keeps
 * SQLite's message alone (the loader reports that one).
 */
#ifndef CARA_STORE_CSV_GROUP_H
#define CARA_STORE_CSV_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "store_conn.h"

typedef struct csv_group csv_group;

/* A staged row (csv_group_add, csv_group_next). */
typedef struct csv_group_row {
    int64_t grp;  /* the group of its claim key (csv_group_claim) */
    int64_t seq;  /* its number in file order */
    int64_t off;  /* its first byte in the file */
    int64_t len;  /* its length in bytes */
    int64_t line; /* its first line in the file */
} csv_group_row;

/* Create the staging tables when the connection has none (a schema change: call it
 * before the file's transaction begins), empty them and prepare the statements. On
 * success the caller owns *out (csv_group_close). The tables stay with the connection. */
int csv_group_open(store *s, csv_group **out, char *err, size_t errlen);

/* *grp is the group of the claim key (key: len bytes, borrowed for the call; need not
 * be NUL-terminated). A key not seen since csv_group_open gets the next group, numbered
 * 0, 1, 2, ... in the order keys are first seen; the same key as the previous call is
 * answered without asking the store. 0, -ENOMEM or -EIO. */
int csv_group_claim(csv_group *g, const char *key, size_t len, int64_t *grp, char *err,
                    size_t errlen);

/* Stage one row (*r borrowed for the call); (r->grp, r->seq) must not be staged
 * already. 0 or -EIO. */
int csv_group_add(csv_group *g, const csv_group_row *r, char *err, size_t errlen);

/* The next staged rows in (grp, seq) order, up to max (> 0) into rows (the caller's
 * array): the ones after those the previous call returned (the first call starts at the
 * first row). No statement stays open between calls, so the caller may write to the
 * store while it handles a batch. Returns the number of rows (0: none left) or -EIO. */
int csv_group_next(csv_group *g, csv_group_row *rows, size_t max, char *err, size_t errlen);

/* Finalize the statements, empty the staging tables (errors ignored) and free g (NULL
 * is a no-op). Inside a transaction the emptying is part of it. */
void csv_group_close(csv_group *g);

#endif
