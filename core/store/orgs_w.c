/*
 * orgs_w.c: see orgs_w.h.
 */
#include "orgs_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_w_internal.h"

enum { O_ACO, O_ACO_YEARS, O_ACO_ENSURE, O_PROVIDER, O_TIN_PUT, O_TIN_ADD, O_TIN_END, O_N };

static const char *const SQL[O_N] = {
    [O_ACO] = "INSERT INTO acos (aco_id, name, track) VALUES (?1, ?2, ?3) "
              "ON CONFLICT (aco_id) DO UPDATE SET name = excluded.name, track = excluded.track",
    [O_ACO_YEARS] = "INSERT INTO acos (aco_id, name, track, first_year, last_year) VALUES (?1, ?2, "
                    "?3, ?4, ?5) ON CONFLICT (aco_id) DO UPDATE SET name = excluded.name, track = "
                    "excluded.track, first_year = excluded.first_year, last_year = "
                    "excluded.last_year",
    [O_ACO_ENSURE] = "INSERT INTO acos (aco_id, name, track) VALUES (?1, ?1, 'global') "
                     "ON CONFLICT (aco_id) DO NOTHING",
    [O_PROVIDER] = "INSERT INTO providers (npi, tin, name, specialty_code) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT (npi, tin) DO UPDATE SET name = excluded.name, specialty_code = "
                   "excluded.specialty_code",
    [O_TIN_PUT] = "INSERT INTO aco_tins (aco_id, tin, start_date, end_date) VALUES (?1, ?2, ?3, ?4) "
                  "ON CONFLICT (aco_id, tin, start_date) DO UPDATE SET end_date = excluded.end_date",
    [O_TIN_ADD] = "INSERT INTO aco_tins (aco_id, tin, start_date, end_date) VALUES (?1, ?2, ?3, ?4)",
    [O_TIN_END] = "UPDATE aco_tins SET end_date = ?3 WHERE aco_id = ?1 AND tin = ?2 AND "
                  "end_date IS NULL",
};

struct orgs_w {
    store__w w; /* its statements: SQL[] */
};

int orgs_w_open(store *s, orgs_w **out, char *err, size_t errlen)
{
    *out = store__w_new(s, sizeof **out, SQL, O_N, err, errlen);
    return *out ? 0 : -ENOMEM;
}

void orgs_w_close(orgs_w *w) { store__w_free(w); }

/* The statement `which`, prepared on first use; NULL with err set. */
static sqlite3_stmt *stmt(orgs_w *w, int which, char *err, size_t errlen)
{
    return store__w_stmt(&w->w, which, err, errlen);
}

int orgs_w_aco_put(orgs_w *w, const aco_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, r->has_years ? O_ACO_YEARS : O_ACO, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->aco_id);
    store__w_textn(st, 2, r->name, r->name_len);
    store__w_text(st, 3, r->track);
    if (r->has_years) {
        sqlite3_bind_int(st, 4, r->first_year);
        sqlite3_bind_int(st, 5, r->last_year);
    }
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

int orgs_w_aco_ensure(orgs_w *w, const char *aco_id, int *created, char *err, size_t errlen)
{
    *created = 0;
    sqlite3_stmt *st = stmt(w, O_ACO_ENSURE, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, aco_id);
    if (store__w_step(w->w.db, st, NULL, err, errlen) < 0) return -EIO;
    *created = sqlite3_changes(w->w.db) > 0;
    return 0;
}

int orgs_w_provider_put(orgs_w *w, const provider_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, O_PROVIDER, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->npi);
    store__w_text(st, 2, r->tin);
    store__w_textn(st, 3, r->name, r->name_len);
    store__w_text0(st, 4, r->specialty_code);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}

static int tin_row(orgs_w *w, int which, const aco_tin_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->aco_id);
    store__w_text(st, 2, r->tin);
    store__w_text(st, 3, r->start_date);
    store__w_text(st, 4, r->end_date);
    return store__w_step(w->w.db, st, "aco_id", err, errlen);
}

int orgs_w_tin_put(orgs_w *w, const aco_tin_rec *r, char *err, size_t errlen)
{
    return tin_row(w, O_TIN_PUT, r, err, errlen) < 0 ? -EIO : 0;
}

int orgs_w_tin_add(orgs_w *w, const aco_tin_rec *r, char *err, size_t errlen)
{
    return tin_row(w, O_TIN_ADD, r, err, errlen);
}

int orgs_w_tin_end(orgs_w *w, const char *aco_id, const char *tin, const char *end, char *err,
                   size_t errlen)
{
    sqlite3_stmt *st = stmt(w, O_TIN_END, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, aco_id);
    store__w_text(st, 2, tin);
    store__w_text(st, 3, end);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}
