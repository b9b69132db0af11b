/*
 * arrangements_w.c: see arrangements_w.h.
 */
#include "arrangements_w.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_w_internal.h"

enum { A_PUT, A_OFFER, A_STATUS, A_N };

#define ARR_COLS                                                                             \
    "arrangement_id, aco_id, npi, tin, template_id, start_date, end_date, discount_bps, "    \
    "savings_share_bps, loss_share_bps, stop_gain_bps, stop_loss_bps"

static const char *const SQL[A_N] = {
    [A_PUT] = "INSERT INTO arrangements (" ARR_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
              "?10, ?11, ?12) ON CONFLICT (arrangement_id) DO UPDATE SET aco_id = excluded.aco_id, "
              "npi = excluded.npi, tin = excluded.tin, template_id = excluded.template_id, "
              "start_date = excluded.start_date, end_date = excluded.end_date, discount_bps = "
              "excluded.discount_bps, savings_share_bps = excluded.savings_share_bps, "
              "loss_share_bps = excluded.loss_share_bps, stop_gain_bps = excluded.stop_gain_bps, "
              "stop_loss_bps = excluded.stop_loss_bps",
    [A_OFFER] = "INSERT INTO arrangements (" ARR_COLS ", status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                "?7, ?8, ?9, ?10, ?11, ?12, 'offered')",
    [A_STATUS] = ("UPDATE arrangements SET status = ?2, end_date = COALESCE(?3, end_date) "
                  "WHERE arrangement_id = ?1"), /* parenthesized: clang's -Wstring-concatenation */
};

struct arrangements_w {
    store__w w; /* its statements: SQL[] */
};

int arrangements_w_open(store *s, arrangements_w **out, char *err, size_t errlen)
{
    *out = store__w_new(s, sizeof **out, SQL, A_N, err, errlen);
    return *out ? 0 : -ENOMEM;
}

void arrangements_w_close(arrangements_w *w) { store__w_free(w); }

static int row(arrangements_w *w, int which, const arrangement_rec *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = store__w_stmt(&w->w, which, err, errlen);
    if (!st) return -EIO;
    store__w_text(st, 1, r->arrangement_id);
    store__w_text(st, 2, r->aco_id);
    store__w_text(st, 3, r->npi);
    store__w_text(st, 4, r->tin);
    store__w_text(st, 5, r->template_id);
    store__w_text(st, 6, r->start_date);
    store__w_text(st, 7, r->end_date);
    for (int i = 0; i < ARR_N_TERMS; i++) store__w_int(st, 8 + i, (r->has >> i) & 1, r->terms[i]);
    return store__w_step(w->w.db, st, "aco_id", err, errlen);
}

int arrangements_w_put(arrangements_w *w, const arrangement_rec *r, char *err, size_t errlen)
{
    return row(w, A_PUT, r, err, errlen) < 0 ? -EIO : 0;
}

int arrangements_w_offer(arrangements_w *w, const arrangement_rec *r, char *err, size_t errlen)
{
    return row(w, A_OFFER, r, err, errlen);
}

int arrangements_w_status(arrangements_w *w, const char *id, const char *status,
                          const char *end, char *err, size_t errlen)
{
    if (!store__w_stmt(&w->w, A_STATUS, err, errlen)) return -EIO;
    sqlite3_stmt *st = w->w.st[A_STATUS];
    store__w_text(st, 1, id);
    store__w_text(st, 2, status);
    store__w_text(st, 3, end);
    return store__w_step(w->w.db, st, NULL, err, errlen) < 0 ? -EIO : 0;
}
