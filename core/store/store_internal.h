/*
 * store_internal.h: helpers shared by core/store/ files only (not part of store.h).
 */
#ifndef CARA_STORE_INTERNAL_H
#define CARA_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "store_rows.h"

/*
 * Step the prepared (and bound) statement st of db to the end as store_rows does (the
 * header call, then one call per row) and finalize it. Returns the number of rows,
 * fn's negative value, -ENOMEM, or -EIO with err = sqlite3_errmsg(db).
 */
int store_rows_step(sqlite3 *db, sqlite3_stmt *st, store_row_fn fn, void *ud, char *err,
                    size_t errlen);

#endif
