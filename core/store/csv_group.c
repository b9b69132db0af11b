/*
 * csv_group.c: see csv_group.h.
 */
#include "csv_group.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The staging tables (temporary: created outside the file's transaction). */
#define GROUP_TABLES                                                                         \
    "CREATE TEMP TABLE IF NOT EXISTS cara_load_claims (claim_id TEXT PRIMARY KEY, grp "      \
    "INTEGER NOT NULL) WITHOUT ROWID; CREATE TEMP TABLE IF NOT EXISTS cara_load_rows (grp "  \
    "INTEGER NOT NULL, seq INTEGER NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL, "   \
    "line INTEGER NOT NULL, PRIMARY KEY (grp, seq)) WITHOUT ROWID; "
#define GROUP_CLEAR "DELETE FROM temp.cara_load_claims; DELETE FROM temp.cara_load_rows;"

struct csv_group {
    store *s;
    sqlite3_stmt *get, *put, *row, *sel;
    int64_t groups;          /* groups made so far: the next one's number */
    char *last;              /* the previous call's key and its group (has_last) */
    size_t last_len;
    int64_t last_grp;
    int has_last;
    int64_t at_grp, at_seq;  /* the last row csv_group_next returned ((-1, -1): none) */
};

/* Finalize and free, leaving the tables and the connection's message as they are. */
static void group_free(csv_group *g)
{
    sqlite3_finalize(g->get);
    sqlite3_finalize(g->put);
    sqlite3_finalize(g->row);
    sqlite3_finalize(g->sel);
    free(g->last);
    free(g);
}

int csv_group_open(store *s, csv_group **out, char *err, size_t errlen)
{
    *out = NULL;
    csv_group *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "grouping the claims: out of memory");
        return -ENOMEM;
    }
    g->s = s;
    g->at_grp = g->at_seq = -1;
    sqlite3 *db = store_db(s);
    char e[256];
    if (sqlite3_exec(db, GROUP_TABLES GROUP_CLEAR, NULL, NULL, NULL) != SQLITE_OK) {
        store_fail(db, err, errlen, "making the claim staging tables");
        group_free(g); /* the connection keeps SQLite's message for the caller */
        return -EIO;
    }
    if (!(g->get = store__prepare(s, "SELECT grp FROM temp.cara_load_claims WHERE claim_id = ?1",
                                  e, sizeof e)) ||
        !(g->put = store__prepare(s, "INSERT INTO temp.cara_load_claims (claim_id, grp) "
                                     "VALUES (?1, ?2)", e, sizeof e)) ||
        !(g->row = store__prepare(s, "INSERT INTO temp.cara_load_rows (grp, seq, off, len, "
                                     "line) VALUES (?1, ?2, ?3, ?4, ?5)", e, sizeof e)) ||
        !(g->sel = store__prepare(s, "SELECT grp, seq, off, len, line FROM temp.cara_load_rows "
                                     "WHERE (grp, seq) > (?1, ?2) ORDER BY grp, seq LIMIT ?3",
                                  e, sizeof e))) {
        snprintf(err, errlen, "preparing the claim staging: %s", e);
        group_free(g); /* the connection keeps SQLite's message for the caller */
        return -EIO;
    }
    *out = g;
    return 0;
}

int csv_group_claim(csv_group *g, const char *key, size_t len, int64_t *grp, char *err,
                    size_t errlen)
{
    if (g->has_last && len == g->last_len && memcmp(key, g->last, len) == 0) {
        *grp = g->last_grp;
        return 0;
    }
    sqlite3 *db = store_db(g->s);
    sqlite3_bind_text(g->get, 1, len ? key : "", (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(g->get);
    if (rc == SQLITE_ROW) {
        *grp = sqlite3_column_int64(g->get, 0);
    } else if (rc == SQLITE_DONE) {
        *grp = g->groups;
        sqlite3_bind_text(g->put, 1, len ? key : "", (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(g->put, 2, *grp);
        if (sqlite3_step(g->put) != SQLITE_DONE) {
            sqlite3_reset(g->put);
            sqlite3_reset(g->get);
            return store_fail(db, err, errlen, "staging claim \"%.*s\"", len > 80 ? 80 : (int)len,
                              key);
        }
        sqlite3_reset(g->put);
        g->groups++;
    } else {
        sqlite3_reset(g->get);
        return store_fail(db, err, errlen, "looking up staged claim \"%.*s\"",
                          len > 80 ? 80 : (int)len, key);
    }
    sqlite3_reset(g->get);
    char *p = realloc(g->last, len + 1);
    if (!p) {
        g->has_last = 0;
        snprintf(err, errlen, "grouping the claims: out of memory");
        return -ENOMEM;
    }
    memcpy(p, key, len);
    p[len] = '\0';
    g->last = p;
    g->last_len = len;
    g->last_grp = *grp;
    g->has_last = 1;
    return 0;
}

int csv_group_add(csv_group *g, const csv_group_row *r, char *err, size_t errlen)
{
    sqlite3_bind_int64(g->row, 1, r->grp);
    sqlite3_bind_int64(g->row, 2, r->seq);
    sqlite3_bind_int64(g->row, 3, r->off);
    sqlite3_bind_int64(g->row, 4, r->len);
    sqlite3_bind_int64(g->row, 5, r->line);
    int rc = sqlite3_step(g->row);
    sqlite3_reset(g->row);
    if (rc != SQLITE_DONE)
        return store_fail(store_db(g->s), err, errlen, "staging row %lld (line %lld)",
                          (long long)r->seq, (long long)r->line);
    return 0;
}

int csv_group_next(csv_group *g, csv_group_row *rows, size_t max, char *err, size_t errlen)
{
    sqlite3_bind_int64(g->sel, 1, g->at_grp);
    sqlite3_bind_int64(g->sel, 2, g->at_seq);
    if (max > INT_MAX) max = INT_MAX;
    sqlite3_bind_int64(g->sel, 3, (int64_t)max);
    size_t n = 0;
    int st;
    while ((st = sqlite3_step(g->sel)) == SQLITE_ROW && n < max) {
        rows[n].grp = sqlite3_column_int64(g->sel, 0);
        rows[n].seq = sqlite3_column_int64(g->sel, 1);
        rows[n].off = sqlite3_column_int64(g->sel, 2);
        rows[n].len = sqlite3_column_int64(g->sel, 3);
        rows[n].line = sqlite3_column_int64(g->sel, 4);
        n++;
    }
    sqlite3_reset(g->sel);
    if (st != SQLITE_ROW && st != SQLITE_DONE)
        return store_fail(store_db(g->s), err, errlen, "reading the staged rows after (%lld, %lld)",
                          (long long)g->at_grp, (long long)g->at_seq);
    if (n) {
        g->at_grp = rows[n - 1].grp;
        g->at_seq = rows[n - 1].seq;
    }
    return (int)n;
}

void csv_group_close(csv_group *g)
{
    if (!g) return;
    store *s = g->s;
    group_free(g);
    sqlite3_exec(store_db(s), GROUP_CLEAR, NULL, NULL, NULL);
}
