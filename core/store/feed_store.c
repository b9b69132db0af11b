/*
 * feed_store.c: see feed_store.h.
 */
#include "feed_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "claims_w.h"
#include "mbi_map.h"
#include "people_w.h"
#include "store_internal.h"

enum {
    FEED_CACHE_KIB = 65536,
    /* writing behind (feed_sink_behind): the Bloom filters of the claim ids and natural
     * keys stored since (8 MB each: under 1% false positives up to 5 million claims),
     * and the largest crosswalk read into memory */
    BEHIND_BLOOM_BITS = 1 << 26,
    BEHIND_MAP_MAX = 1000000,
    /* replace-model keys stored while behind, by hash (a later version of a claim finds
     * the one stored without waiting for the queue): 3 MB */
    BEHIND_RECENT = 1 << 14
};

/* A key's stored row while writing behind (BEHIND_RECENT of them, direct-mapped). */
typedef struct recent {
    char key[64];  /* "" empty */
    char id[112];
    int64_t version;
} recent;

/* The claims, claim_lines, eligibility and alignment rows go through claims_w and
 * people_w; these are the sink's reads and its own tables (mbi_xwalk, fhir_patients). */
enum {
    S_ROW_GET, S_KEY_GET, S_KEY_OTHER, S_GROUP, S_BENE_COUNT, S_XWALK_PUT, S_XWALK_GET,
    S_XWALK_CHAIN, S_PERSON_KEYS, S_PATIENT_PUT, S_PATIENT_GET, S_N
};

static const char *const SQL[S_N] = {
    [S_ROW_GET] = "SELECT coalesce(claim_key, '') FROM claims WHERE claim_id = ?1",
    [S_KEY_GET] = "SELECT claim_id, version FROM claims WHERE claim_key = ?1",
    [S_KEY_OTHER] = "SELECT 1 FROM claims WHERE claim_key = ?1 AND claim_id <> ?2 LIMIT 1",
    [S_GROUP] = "SELECT c.claim_id, c.adjustment_type_code, c.version, abs(coalesce(c.paid_cents, "
                "(SELECT sum(l.paid_cents) FROM claim_lines l WHERE l.claim_id = c.claim_id), 0)), "
                "c.control_number, c.original_control_number, c.status_reason, c.status, "
                "c.related_claim_id FROM claims c WHERE c.claim_key = ?1",
    [S_BENE_COUNT] = "SELECT count(*) FROM eligibility WHERE person_id = ?1",
    [S_XWALK_PUT] = "INSERT INTO mbi_xwalk (previous_mbi, current_mbi, load_id) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (previous_mbi) DO UPDATE SET current_mbi = excluded.current_mbi, "
                    "load_id = excluded.load_id",
    [S_XWALK_GET] = "SELECT current_mbi FROM mbi_xwalk WHERE previous_mbi = ?1",
    [S_XWALK_CHAIN] = "UPDATE mbi_xwalk SET current_mbi = ?2 WHERE current_mbi = ?1",
    [S_PERSON_KEYS] = "SELECT DISTINCT claim_key FROM claims WHERE person_id = ?1 AND claim_key "
                      "IS NOT NULL AND substr(claim_key, -length(?1)) = ?1",
    [S_PATIENT_PUT] = "INSERT INTO fhir_patients (patient_id, mbi) VALUES (?1, ?2) ON CONFLICT "
                      "(patient_id) DO UPDATE SET mbi = excluded.mbi",
    [S_PATIENT_GET] = "SELECT mbi FROM fhir_patients WHERE patient_id = ?1",
};

struct feed_sink {
    sqlite3 *db;
    claims_w *claims;
    people_w *people;
    int64_t load_id;
    sqlite3_stmt *st[S_N];
    feed_stats stats;
    int64_t cache_main, cache_temp; /* store__cache_raise's, for feed_sink_close */
    uint64_t expect;                /* feed_sink_expect's hint (0: none) */
    mbi_map *persons;               /* feed_sink_track_persons: the persons claims were
                                       inserted for (NULL: not tracked) */
    int persons_lost;               /* a put failed: the list is not whole */
    /* feed_sink_behind to feed_sink_settle: the claims are written on claims_w's thread.
     * Every row of claims was stored by this sink since (the table was empty), so a
     * claim id or key the filters never saw is surely not stored and its look-up is
     * skipped; any other read first waits for the queue (claims_w_settle). */
    int behind;
    bloom ids, keys;
    mbi_map *xwalk;                 /* mbi_xwalk's pairs (NULL: read the table) */
    mbi_map *patients;              /* fhir_patients' pairs (NULL: read the table) */
    recent *recent;                 /* FEED_REPLACE: the latest keys' stored rows */
    mbi_map *resolve_later;         /* FEED_DEBIT_CREDIT: keys to decide at the settle */
    /* into a store with claims: a read-only connection of the same file, which sees the
     * claims as they were before this transaction (they are the same rows but for what
     * the filters saw: nothing changed claims before feed_sink_behind) */
    sqlite3 *pre;
    sqlite3_stmt *pre_st[S_N];
    int claims_changed;             /* this sink changed a claims row */
};

static int idle(feed_sink *k, char *err, size_t errlen);
static int settle(feed_sink *k, int decide, char *err, size_t errlen);

static int fail(feed_sink *k, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(k->db));
    return -EIO;
}

int feed_sink_open(store *s, int64_t load_id, feed_sink **out, char *err, size_t errlen)
{
    feed_sink *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    k->db = store_db(s);
    k->load_id = load_id;
    if (claims_w_open(s, &k->claims, err, errlen) < 0 || people_w_open(s, &k->people, err, errlen) < 0) {
        feed_sink_close(k);
        return -ENOMEM;
    }
    for (int i = 0; i < S_N; i++)
        if (sqlite3_prepare_v2(k->db, SQL[i], -1, &k->st[i], NULL) != SQLITE_OK) {
            int rc = fail(k, "preparing the feed statements", err, errlen);
            feed_sink_close(k);
            return rc;
        }
    if (claims_w_bulk_begin(k->claims, 1, err, errlen) < 0) {
        feed_sink_close(k);
        return -EIO;
    }
    k->cache_main = store__cache_raise(k->db, "main", FEED_CACHE_KIB);
    k->cache_temp = store__cache_raise(k->db, "temp", FEED_CACHE_KIB);
    *out = k;
    return 0;
}

int feed_sink_finish(feed_sink *k, char *err, size_t errlen)
{
    int rc = feed_sink_settle(k, err, errlen);
    return rc < 0 ? rc : claims_w_bulk_end(k->claims, err, errlen);
}

int feed_sink_idle(feed_sink *k, char *err, size_t errlen)
{
    return idle(k, err, errlen);
}

void feed_sink_close(feed_sink *k)
{
    if (!k) return;
    if (k->behind) {
        char e[512];
        (void)settle(k, 0, e, sizeof e); /* the error path: reported by then */
    }
    store__cache_restore(k->db, "main", k->cache_main);
    store__cache_restore(k->db, "temp", k->cache_temp);
    for (int i = 0; i < S_N; i++) sqlite3_finalize(k->st[i]);
    claims_w_close(k->claims);
    people_w_close(k->people);
    mbi_map_free(k->persons);
    free(k);
}

int feed_sink_track_persons(feed_sink *k)
{
    if (!k->persons && !(k->persons = mbi_map_new())) return -ENOMEM;
    return 0;
}

const mbi_map *feed_sink_persons(const feed_sink *k)
{
    return k->persons_lost ? NULL : k->persons;
}

const feed_stats *feed_sink_stats(const feed_sink *k) { return &k->stats; }

/* ---- binding helpers ------------------------------------------------------------------ */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* d as 'YYYY-MM-DD' in buf, or NULL for CARA_DATE_NONE. */
static const char *date_text(cara_date d, char buf[11])
{
    if (d == CARA_DATE_NONE) return NULL;
    date_format(d, buf);
    buf[10] = '\0';
    return buf;
}

/* A writer's failure, said as the sink always said it ("storing feed data: " and the
 * store's message). */
static int wrote(feed_sink *k, int rc, char *err, size_t errlen)
{
    if (rc >= 0) return 0;
    if (!k->behind) return fail(k, "storing feed data", err, errlen);
    /* a queued write's failure: its message is in err (the connection's may be newer) */
    char m[512];
    snprintf(m, sizeof m, "%s", err);
    snprintf(err, errlen, "storing feed data: %s", m);
    return rc == -ENOMEM ? -ENOMEM : -EIO;
}

/* Before the sink reads or writes the connection itself: when writing behind, wait for
 * the queue (its writer thread idle until the next claims_w call). 0 or its failure. */
static int idle(feed_sink *k, char *err, size_t errlen)
{
    if (!k->behind) return 0;
    k->stats.behind_waits++;
    return wrote(k, claims_w_settle(k->claims, err, errlen), err, errlen);
}

/* Step a statement that returns no row, then reset it. */
static int exec(feed_sink *k, int which, char *err, size_t errlen)
{
    sqlite3_stmt *st = k->st[which];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : fail(k, "storing feed data", err, errlen);
}

/* Space-separated codes. */
static void join_codes(const char (*codes)[8], int n, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t m = strlen(codes[i]);
        if (!m || o + m + 2 > len) continue;
        if (o) out[o++] = ' ';
        memcpy(out + o, codes[i], m + 1);
        o += m;
    }
}

/* ---- claims ------------------------------------------------------------------------------ */

static const char *type_name(int type)
{
    return type == FEED_INSTITUTIONAL ? "institutional" : type == FEED_DME ? "dme" : "professional";
}

/* The claims.claim_id of a record (feed.h: claim_id "#" record_id for debit/credit). */
static void row_id(const feed_claim *c, char *out, size_t len)
{
    if (c->model == FEED_DEBIT_CREDIT && c->record_id[0] && strcmp(c->record_id, c->claim_id))
        snprintf(out, len, "%s#%s", c->claim_id, c->record_id);
    else
        snprintf(out, len, "%s", c->claim_id);
}

/*
 * Denied: the feed's non-payment code says so *and* Medicare paid nothing on the claim
 * (its claim payment, else its non-denied lines). A claim that carries a non-payment
 * code but a payment (BFD's test EOBs do; a partial denial) is priced at what was paid:
 * spending is what Medicare paid.
 */
static int is_denied(const feed_claim *c)
{
    if (!c->denied) return 0;
    int64_t paid = 0;
    for (size_t i = 0; i < c->n_lines; i++)
        if (!c->lines[i].denied) paid += c->lines[i].paid_cents;
    if (c->has_claim_paid) paid = c->claim_paid_cents;
    return paid == 0;
}

/* The status a record starts with, before any cancellation is matched. */
static const char *own_status(const feed_claim *c)
{
    if (c->adjustment == FEED_CANCEL)
        return c->model == FEED_REPLACE ? "cancelled" : "cancellation";
    return is_denied(c) ? "denied" : "current";
}

static int insert_line(feed_sink *k, const char *id, const feed_line *l, int64_t paid,
                       int has_detail, int64_t detail, char *err, size_t errlen)
{
    char mods[FEED_MOD_MAX * 3 + 1];
    size_t o = 0;
    for (int m = 0; m < FEED_MOD_MAX; m++) {
        if (!l->mods[m][0]) continue;
        if (o) mods[o++] = ' ';
        size_t n = strlen(l->mods[m]);
        memcpy(mods + o, l->mods[m], n);
        o += n;
    }
    mods[o] = '\0';
    char d1[11], d2[11];
    claim_line_rec r = {
        .claim_id = id, .claim_line_number = l->number,
        .claim_line_start_date = date_text(l->start, d1), .claim_line_end_date = date_text(l->end, d2),
        .place_of_service_code = l->pos, .revenue_center_code = l->revenue, .hcpcs_code = l->hcpcs,
        .hcpcs_modifiers = mods, .rendering_npi = l->rendering_npi,
        .rendering_tin = l->rendering_tin, .billing_npi = l->billing_npi,
        .billing_tin = l->billing_tin, .paid_cents = paid,
        .allowed_cents = has_detail ? paid : l->allowed_cents, /* CCLF2: allowed = paid */
        .denied = l->denied ? 1 : 0, .has_detail = has_detail, .detail_paid_cents = detail};
    k->claims_changed = 1;
    int rc = wrote(k, claims_w_line(k->claims, &r, 1, err, errlen), err, errlen);
    if (rc == 0) k->stats.lines++;
    return rc;
}

/*
 * The claim-level payment governs when the lines do not sum to it (CCLF Information
 * Packet 3.5: revenue-center payments are relied on only when they sum to the header
 * payment): every line keeps its amount as detail_paid_cents, the first line (the lowest
 * number, as the Tuva input layer places an institutional claim's payment) is priced at
 * the claim payment and the others at 0. A claim without lines gets a claim-total line 0
 * (revenue center 0001, the claim's dates) carrying the payment.
 */
static int insert_lines(feed_sink *k, const feed_claim *c, const char *id, char *err,
                        size_t errlen)
{
    int64_t sum = 0;
    size_t first = 0;
    for (size_t i = 0; i < c->n_lines; i++) {
        if (!c->lines[i].denied) sum += c->lines[i].paid_cents;
        if (c->lines[i].number < c->lines[first].number) first = i;
    }
    int header = c->has_claim_paid && (sum != c->claim_paid_cents || c->n_lines == 0);
    int rc = 0;
    for (size_t i = 0; i < c->n_lines && rc == 0; i++) {
        const feed_line *l = &c->lines[i];
        int64_t paid = !header ? l->paid_cents : i == first ? c->claim_paid_cents : 0;
        rc = insert_line(k, id, l, paid, header, l->paid_cents, err, errlen);
    }
    if (rc == 0 && header && c->n_lines == 0) {
        feed_line t;
        memset(&t, 0, sizeof t);
        t.number = 0;
        t.start = c->start;
        t.end = c->end;
        memcpy(t.revenue, "0001", 5);
        memcpy(t.billing_npi, c->facility_npi, sizeof t.billing_npi);
        t.allowed_cents = c->claim_paid_cents;
        rc = insert_line(k, id, &t, c->claim_paid_cents, 0, 0, err, errlen);
    }
    if (rc == 0 && header && !is_denied(c)) k->stats.header_paid++;
    return rc;
}

static int insert_claim(feed_sink *k, const feed_claim *c, const char *id, const char *source,
                        char *err, size_t errlen)
{
    char dx[FEED_DX_MAX * 9 + 1], px[FEED_PX_MAX * 9 + 1];
    join_codes(c->dx, c->n_dx, dx, sizeof dx);
    join_codes(c->px, c->n_px, px, sizeof px);
    int64_t allowed = 0;
    for (size_t i = 0; i < c->n_lines; i++) allowed += c->lines[i].allowed_cents;
    char d[5][11];
    claim_rec r = {
        .claim_id = id, .claim_type = type_name(c->type), .person_id = c->person_id,
        .claim_start_date = date_text(c->start, d[0]), .claim_end_date = date_text(c->end, d[1]),
        .admission_date = date_text(c->admission, d[2]),
        .discharge_date = date_text(c->discharge, d[3]),
        .discharge_disposition_code = c->disposition, .bill_type_code = c->bill_type,
        .facility_npi = c->facility_npi, .adjustment_type_code = c->adjustment,
        .diagnosis_codes = dx, .procedure_codes = px, .load_id = k->load_id,
        .status = own_status(c),
        .status_reason = is_denied(c) ? (c->denial_reason[0] ? c->denial_reason : "denied") : "",
        .claim_key = c->key, .control_number = c->control_number,
        .original_control_number = c->original_control_number, .version = c->version,
        .has_paid = c->has_claim_paid, .paid_cents = c->claim_paid_cents, .has_allowed = 1,
        .allowed_cents = allowed, .source = source ? source : "",
        .paid_date = date_text(c->paid, d[4])};
    k->claims_changed = 1;
    if (k->persons && !k->persons_lost && mbi_map_put(k->persons, c->person_id, "") < 0)
        k->persons_lost = 1;
    int rc = wrote(k, claims_w_insert(k->claims, &r, err, errlen), err, errlen);
    if (rc == 0) rc = insert_lines(k, c, id, err, errlen);
    /* written now, with its lines: the sink reads claims back (resolve) */
    if (rc == 0) rc = wrote(k, claims_w_flush(k->claims, err, errlen), err, errlen);
    return rc;
}

/* One claims row of a natural key, as feed_resolve sees it. */
typedef struct grow {
    char id[112], control[41], org[41], status[16], related[112];
    int adj, denied, voided;
    int64_t version, amount;
    int by;               /* the cancellation that voids it (index), -1 none */
    int match;            /* cancellation: the record it voids (index), -1 none */
} grow;

static int by_version(const void *a, const void *b)
{
    const grow *x = a, *y = b;
    if (x->version != y->version) return x->version < y->version ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    snprintf(out, len, "%s", v ? (const char *)v : "");
}

/*
 * Decide, for every record of one natural key, its status (feed.h, FEED_DEBIT_CREDIT):
 * cancellations in version order each void one earlier original or adjustment. Writes
 * only the rows whose status or related claim changed. 0 or -EIO / -ENOMEM.
 */
static int resolve(feed_sink *k, const char *key, char *err, size_t errlen)
{
    int rc0 = idle(k, err, errlen);
    if (rc0 < 0) return rc0;
    sqlite3_stmt *st = k->st[S_GROUP];
    bind_text(st, 1, key);
    grow *g = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            grow *ng = realloc(g, nc * sizeof *ng);
            if (!ng) {
                free(g);
                sqlite3_reset(st);
                snprintf(err, errlen, "out of memory");
                return -ENOMEM;
            }
            g = ng;
            cap = nc;
        }
        grow *r = &g[n++];
        memset(r, 0, sizeof *r);
        col_text(st, 0, r->id, sizeof r->id);
        r->adj = sqlite3_column_int(st, 1);
        r->version = sqlite3_column_int64(st, 2);
        r->amount = sqlite3_column_int64(st, 3);
        col_text(st, 4, r->control, sizeof r->control);
        col_text(st, 5, r->org, sizeof r->org);
        r->denied = sqlite3_column_text(st, 6) && sqlite3_column_text(st, 6)[0];
        col_text(st, 7, r->status, sizeof r->status);
        col_text(st, 8, r->related, sizeof r->related);
        r->by = r->match = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        free(g);
        return fail(k, "reading claim versions", err, errlen);
    }
    if (n) qsort(g, n, sizeof *g, by_version);
    for (size_t c = 0; c < n; c++) {
        if (g[c].adj != FEED_CANCEL) continue;
        int best = -1, best_score = -1;
        for (size_t m = 0; m < n; m++) {
            if (g[m].adj == FEED_CANCEL || g[m].by >= 0 || g[m].version > g[c].version) continue;
            int same = g[m].version == g[c].version;
            /* an adjustment processed with the cancellation is its companion, not its
             * target (CCLF IP 5.2.1: "the cancellation claim is processed at the same time
             * as the adjustment claim") */
            if (same && g[m].adj == FEED_ADJUSTMENT) continue;
            int score = (same ? 0 : 4) + (g[c].org[0] && !strcmp(g[m].control, g[c].org) ? 2 : 0) +
                        (g[m].amount == g[c].amount ? 1 : 0);
            if (score >= best_score) { /* ascending order: later versions win ties */
                best = (int)m;
                best_score = score;
            }
        }
        if (best >= 0) {
            g[best].by = (int)c;
            g[c].match = best;
        }
    }
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *status, *related = NULL;
        if (g[i].adj == FEED_CANCEL) {
            status = "cancellation";
            if (g[i].match >= 0) related = g[g[i].match].id;
        } else if (g[i].by >= 0) {
            /* voided: replaced when an adjustment that stands came with or after the
             * cancellation, else cancelled */
            int repl = -1;
            for (size_t a = 0; a < n; a++)
                if (g[a].adj == FEED_ADJUSTMENT && g[a].by < 0 && a != i &&
                    g[a].version >= g[g[i].by].version)
                    repl = (int)a;
            status = repl >= 0 ? "replaced" : "cancelled";
            related = repl >= 0 ? g[repl].id : g[g[i].by].id;
        } else {
            status = g[i].denied ? "denied" : "current";
        }
        if (!strcmp(status, g[i].status) && !strcmp(related ? related : "", g[i].related)) continue;
        k->claims_changed = 1;
        rc = wrote(k, claims_w_status(k->claims, g[i].id, status, related, err, errlen), err,
                   errlen);
    }
    free(g);
    return rc;
}

static uint32_t key_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The row stored for key while writing behind, when the cache still has it (NULL: not
 * known here; the store says). */
static const recent *recent_of(const feed_sink *k, const char *key)
{
    if (!k->recent || !key || !key[0]) return NULL;
    const recent *r = &k->recent[key_hash(key) % BEHIND_RECENT];
    return strcmp(r->key, key) ? NULL : r;
}

static void recent_put(feed_sink *k, const char *key, const char *id, int64_t version)
{
    if (!k->recent || !key || !key[0]) return;
    recent *r = &k->recent[key_hash(key) % BEHIND_RECENT];
    size_t kn = strlen(key), in = strlen(id);
    if (kn >= sizeof r->key || in >= sizeof r->id) {
        if (!strcmp(r->key, key)) r->key[0] = '\0';
        return; /* not held: the store answers for it (and the slot forgets its old key) */
    }
    memcpy(r->key, key, kn + 1);
    memcpy(r->id, id, in + 1);
    r->version = version;
}

/* Step st (bound) for one row: 1 with its first column's text in out (outlen bytes;
 * NULL: not read), 0 none, or -EIO on conn's error. st is reset. */
static int one_row(feed_sink *k, sqlite3 *conn, sqlite3_stmt *st, char *out, size_t outlen,
                   int64_t *second, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (out) col_text(st, 0, out, outlen);
        if (second) *second = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    snprintf(err, errlen, "reading claim versions: %s", sqlite3_errmsg(conn));
    return -EIO;
}

/* Where a look-up of a claim id or natural key is answered: on the store's connection
 * (not behind; or behind, for what the filters saw this load write: after the queue),
 * by the connection of the store as it was (behind, into a store with claims), or
 * nowhere (behind, into an empty store: 1 for the store, 0 for none, -1 nowhere). */
static int where(feed_sink *k, const bloom *filter, const char *s, char *err, size_t errlen)
{
    if (!k->behind) return 1;
    if (bloom_maybe(filter, s)) return idle(k, err, errlen) < 0 ? -2 : 1;
    return k->pre ? 0 : -1;
}

/* Claim id stored? 1 (out: its natural key, "" without one), 0, or -EIO. */
static int stored_id(feed_sink *k, const char *id, char out[128], char *err, size_t errlen)
{
    int w = where(k, &k->ids, id, err, errlen);
    if (w == -2) return -EIO;
    if (w == -1) return 0;
    sqlite3 *conn = w ? k->db : k->pre;
    sqlite3_stmt *st = w ? k->st[S_ROW_GET] : k->pre_st[S_ROW_GET];
    bind_text(st, 1, id);
    return one_row(k, conn, st, out, 128, NULL, err, errlen);
}

/* The row stored for a replace-model key: 1 with its claim id in old and version in *v,
 * 0 none, or -EIO. */
static int stored_key(feed_sink *k, const char *key, char old[112], int64_t *v, char *err,
                      size_t errlen)
{
    const recent *known = k->behind && bloom_maybe(&k->keys, key) ? recent_of(k, key) : NULL;
    if (known) { /* stored while behind: the row the store holds for the key */
        snprintf(old, 112, "%s", known->id);
        *v = known->version;
        return 1;
    }
    int w = where(k, &k->keys, key, err, errlen);
    if (w == -2) return -EIO;
    if (w == -1) return 0;
    sqlite3 *conn = w ? k->db : k->pre;
    sqlite3_stmt *st = w ? k->st[S_KEY_GET] : k->pre_st[S_KEY_GET];
    bind_text(st, 1, key);
    return one_row(k, conn, st, old, 112, v, err, errlen);
}

/* Before a debit/credit record's insert: may its key have another record? Not behind:
 * 1 (the insert is followed by the exact look-up). Behind: 1 when the filter saw the
 * key this load, else whether the store had a record of it before (0 into an empty
 * store). -EIO on a failed read. */
static int key_has_other(feed_sink *k, const char *key, const char *id, char *err,
                         size_t errlen)
{
    if (!k->behind || bloom_maybe(&k->keys, key)) return 1;
    if (!k->pre) return 0;
    sqlite3_stmt *st = k->pre_st[S_KEY_OTHER];
    bind_text(st, 1, key);
    bind_text(st, 2, id);
    return one_row(k, k->pre, st, NULL, 0, NULL, err, errlen);
}

/* Delete claim id (queued when behind: the filter then knows it is gone). */
static int delete_row(feed_sink *k, const char *id, char *err, size_t errlen)
{
    k->claims_changed = 1;
    if (k->behind) bloom_add(&k->ids, id);
    return wrote(k, claims_w_delete(k->claims, id, err, errlen), err, errlen);
}

int feed_put_claim(feed_sink *k, const feed_claim *c, const char *source, char *err,
                   size_t errlen)
{
    char id[112];
    row_id(c, id, sizeof id);
    int rc;
    if (c->model == FEED_REPLACE) {
        /* one row per key: the latest version (feed.h) */
        char old[112] = "";
        int64_t v = 0;
        int have = stored_key(k, c->key, old, &v, err, errlen);
        if (have < 0) return have;
        if (have && c->version <= v) {
            k->stats.stale++;
            return 0;
        }
        if (have && (rc = delete_row(k, old, err, errlen)) < 0) return rc;
        /* a row of this id under another key: deleted too (looked up first, as a delete
         * of an absent row writes nothing, and most ids are new) */
        if (!(have && !strcmp(old, id))) {
            char other[128];
            int there = stored_id(k, id, other, err, errlen);
            if (there < 0) return there;
            if (there && k->behind) { /* that key's row goes: the filters must say so */
                bloom_add(&k->keys, other);
                if (k->recent) memset(k->recent, 0, BEHIND_RECENT * sizeof *k->recent);
            }
            if (there && (rc = delete_row(k, id, err, errlen)) < 0) return rc;
        }
    } else {
        /* a record delivered again (monthly and run-out files overlap): stored once */
        char other[128];
        rc = stored_id(k, id, other, err, errlen);
        if (rc < 0) return rc;
        if (rc) {
            k->stats.stale++;
            return 0;
        }
    }
    /* before this record's key joins the filter */
    int key_seen = c->model == FEED_DEBIT_CREDIT ? key_has_other(k, c->key, id, err, errlen) : 0;
    if (key_seen < 0) return key_seen;
    if ((rc = insert_claim(k, c, id, source, err, errlen)) < 0) return rc;
    if (k->behind) {
        k->stats.behind_claims++;
        bloom_add(&k->ids, id);
        bloom_add(&k->keys, c->key);
        if (c->model == FEED_REPLACE) recent_put(k, c->key, id, c->version);
    }
    if (c->adjustment == FEED_CANCEL) k->stats.cancelled++;
    else if (is_denied(c)) k->stats.denied++;
    else k->stats.claims++;
    if (c->model == FEED_DEBIT_CREDIT) {
        /* a lone original or adjustment stands as inserted: the group is decided again
         * only when it has a cancellation or another record (most claims have neither) */
        int group = c->adjustment == FEED_CANCEL;
        if (k->resolve_later && (group || key_seen)) {
            /* writing behind: decided once at the settle, from all the group's records
             * (resolve decides every status of a key from scratch, so the statuses are
             * those of deciding after each record) */
            rc = mbi_map_put(k->resolve_later, c->key, "");
            if (rc == 0) return 1;
            if (rc == -ENOMEM) return snprintf(err, errlen, "out of memory"), -ENOMEM;
            /* a key the set does not hold: decided now, as without the queue */
        }
        if (!group && key_seen) {
            if ((rc = idle(k, err, errlen)) < 0) return rc;
            sqlite3_stmt *st = k->st[S_KEY_OTHER];
            bind_text(st, 1, c->key);
            bind_text(st, 2, id);
            rc = sqlite3_step(st);
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return fail(k, "reading claim versions", err, errlen);
            group = rc == SQLITE_ROW;
        }
        if (group && (rc = resolve(k, c->key, err, errlen)) < 0) return rc;
    }
    return 1;
}

/* ---- writing behind ------------------------------------------------------------------- */

/* The pairs of table sql into *out while writing behind: NULL when there are more than
 * BEHIND_MAP_MAX or one the map does not hold (the sink then reads the table, waiting
 * for the queue). 0, -EIO / -ENOMEM. */
static int map_read(feed_sink *k, mbi_map **out, const char *sql, const char *what, char *err,
                    size_t errlen)
{
    mbi_map *m = mbi_map_new();
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = mbi_map_read(m, k->db, sql, BEHIND_MAP_MAX, what, err, errlen);
    if (rc <= 0) {
        mbi_map_free(m);
        m = NULL;
    }
    *out = m;
    return rc < 0 ? rc : 0;
}

/* A map given up (it no longer is the table's): the sink reads the table from now on. */
static void map_drop(mbi_map **m)
{
    mbi_map_free(*m);
    *m = NULL;
}

static void behind_free(feed_sink *k)
{
    for (int i = 0; i < S_N; i++) {
        sqlite3_finalize(k->pre_st[i]);
        k->pre_st[i] = NULL;
    }
    sqlite3_close(k->pre);
    k->pre = NULL;
    bloom_free(&k->ids);
    bloom_free(&k->keys);
    free(k->recent);
    k->recent = NULL;
    map_drop(&k->resolve_later);
    map_drop(&k->xwalk);
    map_drop(&k->patients);
    k->behind = 0;
}

/* Open k->pre, a read-only connection of the store's file, with its look-ups. 1 open, 0
 * not (the file cannot be read beside this transaction: a load into the file directly
 * holds its lock), -ENOMEM. */
static int pre_open(feed_sink *k)
{
    static const int which[] = {S_ROW_GET, S_KEY_GET, S_KEY_OTHER};
    const char *path = sqlite3_db_filename(k->db, "main");
    if (!path || !path[0]) return 0;
    int rc = sqlite3_open_v2(path, &k->pre, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_NOMEM) return -ENOMEM;
    sqlite3_stmt *t = NULL;
    /* one read transaction for all the look-ups (the store as it was: no other writer
     * can commit while this load holds the write lock), so each look-up neither takes
     * the shared lock nor checks the file again (a 16 MiB page cache bought nothing more) */
    int ok = rc == SQLITE_OK &&
             sqlite3_exec(k->pre, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(k->pre, "SELECT 1 FROM claims LIMIT 1", -1, &t, NULL) == SQLITE_OK &&
             sqlite3_step(t) == SQLITE_ROW;
    sqlite3_finalize(t);
    for (size_t i = 0; ok && i < sizeof which / sizeof which[0]; i++)
        ok = sqlite3_prepare_v2(k->pre, SQL[which[i]], -1, &k->pre_st[which[i]], NULL) == SQLITE_OK;
    if (ok) return 1;
    for (int i = 0; i < S_N; i++) {
        sqlite3_finalize(k->pre_st[i]);
        k->pre_st[i] = NULL;
    }
    sqlite3_close(k->pre);
    k->pre = NULL;
    return 0;
}

void feed_sink_expect(feed_sink *k, uint64_t claims)
{
    k->expect = claims;
    claims_w_expect(k->claims, claims);
}

int feed_sink_behind(feed_sink *k, char *err, size_t errlen)
{
    if (k->behind) return 1;
    int rc = wrote(k, claims_w_flush(k->claims, err, errlen), err, errlen);
    if (rc < 0) return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(k->db, "SELECT 1 FROM claims LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return fail(k, "reading claims", err, errlen);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(k, "reading claims", err, errlen);
    if (rc == SQLITE_ROW) {
        /* stored claims: the look-ups the filters cannot answer go to the store as it was
         * before this transaction, which is the store as it is only when nothing here
         * changed a claim yet */
        if (k->claims_changed) return 0;
        int p = pre_open(k);
        if (p <= 0) {
            if (p < 0) snprintf(err, errlen, "out of memory");
            return p;
        }
    }
    if ((rc = map_read(k, &k->xwalk, "SELECT previous_mbi, current_mbi FROM mbi_xwalk",
                       "reading the MBI crosswalk", err, errlen)) < 0 ||
        (rc = map_read(k, &k->patients, "SELECT patient_id, mbi FROM fhir_patients",
                       "reading patients", err, errlen)) < 0) {
        behind_free(k);
        return rc;
    }
    uint32_t bits = bloom_bits_for(k->expect, BEHIND_BLOOM_BITS);
    if (bloom_init(&k->ids, bits) < 0 || bloom_init(&k->keys, bits) < 0 ||
        !(k->recent = calloc(BEHIND_RECENT, sizeof *k->recent)) ||
        !(k->resolve_later = mbi_map_new())) {
        behind_free(k);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if ((rc = claims_w_async_begin(k->claims, err, errlen)) < 0) {
        behind_free(k);
        return rc;
    }
    k->behind = 1;
    return 1;
}

/* feed_sink_settle's work; with decide, the keys resolve_later holds are decided after
 * the queue (not on the error path: the load is rolled back). */
static int settle(feed_sink *k, int decide, char *err, size_t errlen)
{
    if (!k->behind) return 0;
    int rc = claims_w_async_end(k->claims, err, errlen);
    mbi_map *later = k->resolve_later;
    k->resolve_later = NULL;
    if (rc == 0) {
        k->behind = 0; /* synchronous again: resolve's reads and writes are this thread's */
        for (size_t i = 0; decide && later && i < mbi_map_size(later) && rc == 0; i++)
            rc = resolve(k, mbi_map_key(later, i), err, errlen);
        mbi_map_free(later);
        behind_free(k);
        return rc;
    }
    mbi_map_free(later);
    size_t line;
    const char *claim = NULL, *msg = NULL;
    int64_t line_no;
    if (claims_w_failure(k->claims, &line, &claim, &line_no, &msg) && claim && claim[0])
        snprintf(err, errlen, "storing feed data: claim %s: %s", claim, msg ? msg : "");
    else {
        char m[512];
        snprintf(m, sizeof m, "%s", err);
        snprintf(err, errlen, "storing feed data: %s", m);
    }
    behind_free(k);
    return rc == -ENOMEM ? -ENOMEM : -EIO;
}

int feed_sink_settle(feed_sink *k, char *err, size_t errlen)
{
    return settle(k, 1, err, errlen);
}

/* ---- beneficiaries ---------------------------------------------------------------------- */

static int insert_span(feed_sink *k, const feed_bene *b, cara_date start, cara_date end,
                       int hospice, char *err, size_t errlen)
{
    char d[4][11];
    elig_rec r = {.person_id = b->person_id, .enrollment_start_date = date_text(start, d[0]),
                  .enrollment_end_date = date_text(end, d[1]),
                  .gender = b->gender[0] ? b->gender : "unknown",
                  .birth_date = date_text(b->birth, d[2]), .death_date = date_text(b->death, d[3]),
                  .dual_status_code = b->dual, .medicare_status_code = b->medicare_status,
                  .hospice_flag = hospice ? 1 : 0, .state = b->state, .zip_code = b->zip};
    return wrote(k, people_w_elig_span(k->people, &r, err, errlen), err, errlen);
}

int feed_put_bene(feed_sink *k, const feed_bene *spans, size_t n, char *err, size_t errlen)
{
    if (n == 0) return 0;
    int rc0 = idle(k, err, errlen);
    if (rc0 < 0) return rc0;
    const feed_bene *b = &spans[0];
    sqlite3_stmt *st = k->st[S_BENE_COUNT];
    bind_text(st, 1, b->person_id);
    int64_t have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (have < 0) return fail(k, "reading eligibility", err, errlen);
    int rc;
    if (have == 0) {
        for (size_t i = 0; i < n; i++) {
            cara_date s = spans[i].enroll_start, e = spans[i].enroll_end, h = b->hospice_start;
            int in_span = h != CARA_DATE_NONE && (e == CARA_DATE_NONE || h <= e);
            if (in_span && h > s) { /* hospice starts inside the span: split it there */
                if ((rc = insert_span(k, b, s, h - 1, 0, err, errlen)) < 0) return rc;
                s = h;
            }
            if ((rc = insert_span(k, b, s, e, b->hospice || in_span, err, errlen)) < 0) return rc;
        }
        k->stats.benes_new++;
        return 0;
    }
    char d[3][11];
    elig_rec r = {.person_id = b->person_id, .gender = b->gender[0] ? b->gender : "unknown",
                  .birth_date = date_text(b->birth, d[0]), .death_date = date_text(b->death, d[1]),
                  .dual_status_code = b->dual, .medicare_status_code = b->medicare_status,
                  .hospice_flag = b->hospice || b->hospice_start != CARA_DATE_NONE,
                  .state = b->state, .zip_code = b->zip};
    char hs[11];
    rc = people_w_elig_demographics(k->people, &r, date_text(b->hospice_start, hs), err, errlen);
    if ((rc = wrote(k, rc, err, errlen)) < 0) return rc;
    if (b->death != CARA_DATE_NONE) {
        rc = people_w_elig_close(k->people, b->person_id, r.death_date, err, errlen);
        if ((rc = wrote(k, rc, err, errlen)) < 0) return rc;
    }
    k->stats.benes_updated++;
    return 0;
}

/* ---- MBI crosswalk and FHIR patients ------------------------------------------------------ */

static int pair(feed_sink *k, int which, const char *a, const char *b, char *err, size_t errlen)
{
    int rc0 = idle(k, err, errlen);
    if (rc0 < 0) return rc0;
    bind_text(k->st[which], 1, a);
    bind_text(k->st[which], 2, b);
    return exec(k, which, err, errlen);
}

/* Re-resolve every debit/credit key of a person: after a re-key, the versions stored
 * under an old MBI and those under the current one are one group. */
static int resolve_person(feed_sink *k, const char *person, char *err, size_t errlen)
{
    sqlite3_stmt *st = k->st[S_PERSON_KEYS];
    bind_text(st, 1, person);
    char **keys = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **nk = realloc(keys, (n + 1) * sizeof *nk);
        if (!nk) break;
        keys = nk;
        const char *key = (const char *)sqlite3_column_text(st, 0); /* NULL: no memory */
        if (!key || !(keys[n] = strdup(key))) break;
        n++;
    }
    int ok = rc == SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    rc = ok ? 0 : fail(k, "reading claim versions", err, errlen);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) rc = resolve(k, keys[i], err, errlen);
        free(keys[i]);
    }
    free(keys);
    return rc;
}

int feed_xwalk_put(feed_sink *k, const char *previous, const char *current, char *err,
                   size_t errlen)
{
    if (strcmp(previous, current) == 0) return 0;
    map_drop(&k->xwalk); /* the pairs held while writing behind would be stale */
    char have[13];
    if (feed_xwalk_current(k, previous, have, err, errlen) < 0) return -EIO;
    int known = strcmp(have, current) == 0;
    sqlite3_stmt *st = k->st[S_XWALK_PUT];
    bind_text(st, 1, previous);
    bind_text(st, 2, current);
    sqlite3_bind_int64(st, 3, k->load_id);
    int rc = exec(k, S_XWALK_PUT, err, errlen);
    if (!rc) rc = pair(k, S_XWALK_CHAIN, previous, current, err, errlen);
    if (!rc) rc = wrote(k, claims_w_rekey(k->claims, previous, current, err, errlen), err, errlen);
    /* its last statement moved previous's claims: none moved, none changed */
    if (!rc && sqlite3_changes(k->db) > 0) k->claims_changed = 1;
    if (!rc) rc = resolve_person(k, current, err, errlen);
    if (!rc) rc = wrote(k, people_w_rekey(k->people, previous, current, err, errlen), err, errlen);
    if (!rc && !known) k->stats.remapped++;
    return rc;
}

/* One lookup in a (key) -> text table. 1 found, 0 not, -EIO (a read that failed is not
 * "not found"). */
static int lookup(feed_sink *k, int which, const char *key, char out[13], char *err,
                  size_t errlen)
{
    int rc0 = idle(k, err, errlen);
    if (rc0 < 0) return rc0;
    sqlite3_stmt *st = k->st[which];
    bind_text(st, 1, key);
    int found = 0, rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        if (v) {
            snprintf(out, 13, "%s", (const char *)v);
            found = 1;
        }
    } else if (rc != SQLITE_DONE) {
        found = fail(k, which == S_XWALK_GET ? "reading the MBI crosswalk" : "reading patients",
                     err, errlen);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

int feed_xwalk_current(feed_sink *k, const char *mbi, char out[13], char *err, size_t errlen)
{
    if (k->xwalk) { /* writing behind: the table's pairs, held */
        const char *cur = mbi_map_get(k->xwalk, mbi);
        snprintf(out, 13, "%s", cur ? cur : mbi);
        return 0;
    }
    int rc = lookup(k, S_XWALK_GET, mbi, out, err, errlen);
    if (rc == 0) snprintf(out, 13, "%s", mbi);
    return rc < 0 ? rc : 0;
}

int feed_patient_put(feed_sink *k, const char *patient_id, const char *mbi, char *err,
                     size_t errlen)
{
    int rc = pair(k, S_PATIENT_PUT, patient_id, mbi, err, errlen);
    if (rc == 0 && k->patients &&
        (mbi_map_size(k->patients) >= BEHIND_MAP_MAX || mbi_map_put(k->patients, patient_id, mbi) < 0))
        map_drop(&k->patients); /* too many, or one it does not hold: the table is read */
    return rc;
}

int feed_patient_mbi(feed_sink *k, const char *patient_id, char out[13], char *err,
                     size_t errlen)
{
    if (k->patients) { /* writing behind: the table's pairs, held */
        const char *mbi = mbi_map_get(k->patients, patient_id);
        if (mbi) snprintf(out, 13, "%s", mbi);
        return mbi != NULL;
    }
    return lookup(k, S_PATIENT_GET, patient_id, out, err, errlen);
}
