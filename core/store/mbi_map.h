/*
 * mbi_map: a map of strings (a previous MBI, a FHIR Patient id) to an MBI, in memory:
 * what the feed sink reads from mbi_xwalk and fhir_patients while it writes claims
 * behind (feed_store.c), so that a claim's look-up does not wait for the writer thread.
 * Keys up to MBI_MAP_KEY_MAX bytes, values up to 12 (an MBI); a put of a key held
 * replaces its value. The owner frees it (mbi_map_free). Not locked.
 */
#ifndef CARA_STORE_MBI_MAP_H
#define CARA_STORE_MBI_MAP_H

#include <sqlite3.h>
#include <stddef.h>

#define MBI_MAP_KEY_MAX 255

typedef struct mbi_map mbi_map;

/* A new empty map, or NULL when out of memory. */
mbi_map *mbi_map_new(void);

/* Free m. NULL is a no-op. */
void mbi_map_free(mbi_map *m);

/* key -> value (copied). 0, -E2BIG (key or value too long: not held), -ENOMEM. */
int mbi_map_put(mbi_map *m, const char *key, const char *value);

/* key's value (borrowed until the next put), or NULL. */
const char *mbi_map_get(const mbi_map *m, const char *key);

size_t mbi_map_size(const mbi_map *m);

/* Key i (0 <= i < mbi_map_size), in the order first put: a walk over the map (a set,
 * with "" for values). Borrowed until the next put. */
const char *mbi_map_key(const mbi_map *m, size_t i);

/* Read the two text columns of sql's rows (key, value) on db into m. 1 read, 0 not (more
 * than max rows, a NULL, a key or value too long: m then holds part of them and is not
 * to be used), -EIO with "what: SQLite's message" in err, -ENOMEM. */
int mbi_map_read(mbi_map *m, sqlite3 *db, const char *sql, size_t max, const char *what,
                 char *err, size_t errlen);

#endif
