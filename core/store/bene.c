/*
 * bene.c: see bene.h.
 */
#include "bene.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store_conn.h"

struct bene_chunk {
    bene_chunk *next;
    size_t used, size;
    char data[];
};

static void chunks_reset(bene_data *d)
{
    /* keep the first (largest) chunk, free the rest */
    bene_chunk *c = d->chunks;
    if (!c) return;
    bene_chunk *next = c->next;
    while (next) {
        bene_chunk *n = next->next;
        free(next);
        next = n;
    }
    c->next = NULL;
    c->used = 0;
}

static char *str_dup(bene_data *d, const unsigned char *s, int n)
{
    if (!s) n = 0;
    size_t need = (size_t)n + 1;
    bene_chunk *c = d->chunks;
    if (!c || c->size - c->used < need) {
        size_t size = need > 65536 ? need : 65536;
        bene_chunk *nc = malloc(sizeof *nc + size);
        if (!nc) return NULL;
        nc->used = 0;
        nc->size = size;
        nc->next = c;
        d->chunks = nc;
        c = nc;
    }
    char *p = c->data + c->used;
    if (n) memcpy(p, s, (size_t)n);
    p[n] = '\0';
    c->used += need;
    return p;
}

/* Only current claims are priced (feed.h); denied lines never are. */
/* with each person's current claims (the run's inputs count them): one pass over the
 * index on (status, person_id), as DISTINCT was */
static const char Q_PERSONS[] = "SELECT person_id, count(*) FROM claims WHERE status = "
                                "'current' AND (?1 IS NULL OR "
                                "person_id >= ?1) AND (?2 IS NULL OR person_id < ?2) "
                                "GROUP BY person_id ORDER BY person_id";
static const char Q_COUNT[] = "SELECT count(*) FROM claims WHERE status = 'current' AND "
                              "person_id = ?1";
static const char Q_ELIG[] =
    "SELECT enrollment_start_date, enrollment_end_date, gender, birth_date, death_date, "
    "dual_status_code, medicare_status_code, hospice_flag FROM eligibility "
    "WHERE person_id = ?1 ORDER BY enrollment_start_date";
static const char Q_ALIGN[] = "SELECT aco_id, start_date, end_date FROM alignment "
                              "WHERE person_id = ?1 ORDER BY start_date, aco_id";
/* One row per claim: its lines are packed in claims.lines (base/packed_lines.h), read
 * here without SQL; denied lines are skipped in load_claims. bene_sort_lines orders the
 * lines, so no ORDER BY (it cost a sort per person). */
static const char Q_CLAIMS[] =
    "SELECT claim_id, claim_type, claim_start_date, claim_end_date, admission_date, "
    "discharge_date, discharge_disposition_code, bill_type_code, facility_npi, "
    "diagnosis_codes, lines FROM claims "
    "WHERE person_id = ?1 AND status = 'current' AND (?2 IS NULL OR "
    "coalesce(paid_date, claim_end_date) <= ?2)";

/* The same three reads over a whole shard, in person order (bene_reader_open_stream):
 * one pass of each table instead of a look-up per beneficiary. Column 0 is person_id,
 * the rest as above; %s the shard's bounds. */
static const char S_ELIG[] =
    "SELECT person_id, enrollment_start_date, enrollment_end_date, gender, birth_date, "
    "death_date, dual_status_code, medicare_status_code, hospice_flag FROM eligibility "
    "WHERE 1 %s ORDER BY person_id, enrollment_start_date";
static const char S_ALIGN[] = "SELECT person_id, aco_id, start_date, end_date FROM alignment "
                              "WHERE 1 %s ORDER BY person_id, start_date, aco_id";
static const char S_CLAIMS[] =
    "SELECT person_id, claim_id, claim_type, claim_start_date, claim_end_date, admission_date, "
    "discharge_date, discharge_disposition_code, bill_type_code, facility_npi, "
    "diagnosis_codes, lines FROM claims WHERE status = 'current' %s AND (?3 IS NULL OR "
    "coalesce(paid_date, claim_end_date) <= ?3) ORDER BY person_id";

/* The next row of src for person: 1 a row (its columns from src->o), 0 no more, -EIO.
 * A per-person statement is bound to the person; a stream is in person order and keeps
 * the first row of the next person pending. */
static int src_next(bene_src *src, const char *person)
{
    if (!src->stream) {
        int rc = sqlite3_step(src->st);
        return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
    }
    for (;;) {
        if (src->state == 0) {
            int rc = sqlite3_step(src->st);
            if (rc == SQLITE_DONE) src->state = 2;
            else if (rc == SQLITE_ROW) src->state = 1;
            else return -EIO;
        }
        if (src->state == 2) return 0;
        const char *p = (const char *)sqlite3_column_text(src->st, 0);
        int c = p ? strcmp(p, person) : -1;
        if (c > 0) return 0; /* a later person's: kept */
        src->state = 0;      /* taken (or an earlier person's, without claims: skipped) */
        if (c == 0) return 1;
    }
}

/* A stream's statement with the shard's bounds, into *st. */
static int stream_prepare(sqlite3 *db, const char *fmt, const char *from, const char *to,
                          sqlite3_stmt **st)
{
    char sql[1024], bounds[96];
    snprintf(bounds, sizeof bounds, "%s%s", from ? " AND person_id >= ?1" : "",
             to ? " AND person_id < ?2" : "");
    snprintf(sql, sizeof sql, fmt, bounds);
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) return -EIO;
    if ((from && sqlite3_bind_text(*st, 1, from, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
        (to && sqlite3_bind_text(*st, 2, to, -1, SQLITE_TRANSIENT) != SQLITE_OK))
        return -ENOMEM;
    return 0;
}

int bene_reader_open_stream(bene_reader *r, store *s, const char *from, const char *to,
                            char *err, size_t errlen)
{
    int rc = bene_reader_open_range(r, s, from, to, err, errlen);
    if (rc < 0) return rc;
    sqlite3 *db = store_db(s);
    const char *fmt[3] = {S_ELIG, S_ALIGN, S_CLAIMS};
    for (int i = 0; i < 3 && rc == 0; i++) {
        r->src[i].stream = 1;
        r->src[i].o = 1;
        rc = stream_prepare(db, fmt[i], from, to, &r->src[i].st);
    }
    r->persons_from_claims = 1;
    if (rc < 0) {
        snprintf(err, errlen, "cannot read the store: %s",
                 rc == -ENOMEM ? "out of memory" : sqlite3_errmsg(db));
        bene_reader_close(r);
    }
    return rc;
}

int bene_reader_open(bene_reader *r, store *s, char *err, size_t errlen)
{
    return bene_reader_open_range(r, s, NULL, NULL, err, errlen);
}

int bene_reader_open_range(bene_reader *r, store *s, const char *from, const char *to,
                           char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    memset(r, 0, sizeof *r);
    r->memo_day = CARA_DATE_NONE;
    r->lines.borrow = 1; /* line_of reads texts by their lengths */
    if (sqlite3_prepare_v2(db, Q_PERSONS, -1, &r->persons, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, Q_ELIG, -1, &r->eligibility, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, Q_ALIGN, -1, &r->alignment, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, Q_CLAIMS, -1, &r->claims, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, Q_COUNT, -1, &r->count, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the store: %s", sqlite3_errmsg(db));
        bene_reader_close(r);
        return -EIO;
    }
    /* an unbound bound is no bound: the shards would overlap */
    if ((from && sqlite3_bind_text(r->persons, 1, from, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
        (to && sqlite3_bind_text(r->persons, 2, to, -1, SQLITE_TRANSIENT) != SQLITE_OK)) {
        snprintf(err, errlen, "cannot read the store: out of memory");
        bene_reader_close(r);
        return -ENOMEM;
    }
    return 0;
}

int bene_reader_paid_through(bene_reader *r, const char *date)
{
    /* a person whose claims were all paid later is still priced: the persons come from
     * their own pass again */
    r->persons_from_claims = 0;
    if (r->src[2].stream &&
        sqlite3_bind_text(r->src[2].st, 3, date, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return -ENOMEM;
    return sqlite3_bind_text(r->claims, 2, date, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -ENOMEM;
}

void bene_reader_close(bene_reader *r)
{
    sqlite3_finalize(r->persons);
    sqlite3_finalize(r->eligibility);
    sqlite3_finalize(r->alignment);
    sqlite3_finalize(r->claims);
    sqlite3_finalize(r->count);
    for (int i = 0; i < 3; i++)
        if (r->src[i].stream) sqlite3_finalize(r->src[i].st);
    pl_reader_free(&r->lines);
    memset(r, 0, sizeof *r);
}

/* bene_next_person of a stream of every claim: the pending claim's person. */
static int next_claims_person(bene_reader *r, char *buf, size_t len, int64_t *claims,
                              char *err, size_t errlen)
{
    bene_src *src = &r->src[2];
    if (src->state == 0) {
        int rc = sqlite3_step(src->st);
        if (rc == SQLITE_DONE) src->state = 2;
        else if (rc == SQLITE_ROW) src->state = 1;
        else return util_fail(err, errlen, -EIO, "reading beneficiaries: %s",
                              sqlite3_errmsg(sqlite3_db_handle(src->st)));
    }
    if (src->state == 2) return 0;
    const char *p = (const char *)sqlite3_column_text(src->st, 0);
    size_t n = p ? strlen(p) : 0;
    if (!p) return util_fail(err, errlen, -ENOMEM, "reading beneficiaries: out of memory");
    /* cut short, it would never match its own claims again */
    if (n >= len) return util_fail(err, errlen, -EINVAL, "person_id '%.64s...' is longer than %zu "
                                   "characters", p, len - 1);
    memcpy(buf, p, n + 1);
    if (claims) *claims = -1;
    return 1;
}

int bene_next_person(bene_reader *r, char *buf, size_t len, int64_t *claims, char *err,
                     size_t errlen)
{
    if (r->persons_from_claims) return next_claims_person(r, buf, len, claims, err, errlen);
    int rc = sqlite3_step(r->persons);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) {
        snprintf(err, errlen, "reading beneficiaries: %s",
                 sqlite3_errmsg(sqlite3_db_handle(r->persons)));
        return -EIO;
    }
    util_strlcpy(buf, (const char *)sqlite3_column_text(r->persons, 0), len);
    if (claims) *claims = sqlite3_column_int64(r->persons, 1);
    return 1;
}

int bene_current_claims(bene_reader *r, const char *person_id, int64_t *claims, char *err,
                        size_t errlen)
{
    sqlite3_reset(r->count);
    if (sqlite3_bind_text(r->count, 1, person_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(r->count) != SQLITE_ROW) {
        snprintf(err, errlen, "counting the claims of %s: %s", person_id,
                 sqlite3_errmsg(sqlite3_db_handle(r->count)));
        sqlite3_reset(r->count);
        return -EIO;
    }
    *claims = sqlite3_column_int64(r->count, 0);
    sqlite3_reset(r->count);
    return 0;
}


static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t len)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    util_strlcpy(dst, s ? (const char *)s : "", len);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *v = realloc(*p, c * size);
    if (!v) return -ENOMEM;
    *p = v;
    *cap = c;
    return 0;
}

static int load_eligibility(bene_reader *r, bene_data *d, const char *person)
{
    bene_src *src = &r->src[0];
    sqlite3_stmt *st = src->st;
    int o = src->o;
    size_t n = 0;
    int rc;
    d->b.gender = 'U';
    d->b.birth = d->b.death = CARA_DATE_NONE;
    while ((rc = src_next(src, person)) == 1) {
        if (grow((void **)&d->enrollment, &d->cap_enrollment, n + 1, sizeof *d->enrollment))
            return -ENOMEM;
        cara_enrollment *e = &d->enrollment[n++];
        e->start = store_col_date(st, o + 0);
        e->end = store_col_date(st, o + 1);
        const unsigned char *g = sqlite3_column_text(st, o + 2);
        if (g && n == 1) d->b.gender = g[0] == 'm' ? 'M' : g[0] == 'f' ? 'F' : 'U';
        if (n == 1) d->b.birth = store_col_date(st, o + 3);
        cara_date death = store_col_date(st, o + 4);
        if (death != CARA_DATE_NONE && (d->b.death == CARA_DATE_NONE || death < d->b.death))
            d->b.death = death;
        col_copy(st, o + 5, e->dual_status, sizeof e->dual_status);
        col_copy(st, o + 6, e->medicare_status, sizeof e->medicare_status);
        e->hospice = (uint8_t)(sqlite3_column_int(st, o + 7) != 0);
    }
    d->b.enrollment = (cara_array)CARA_ARRAY_INIT(d->enrollment, n);
    return rc;
}

static int load_alignment(bene_reader *r, bene_data *d, const char *person)
{
    bene_src *src = &r->src[1];
    sqlite3_stmt *st = src->st;
    int o = src->o;
    size_t n = 0;
    int rc;
    while ((rc = src_next(src, person)) == 1) {
        if (grow((void **)&d->alignment, &d->cap_alignment, n + 1, sizeof *d->alignment))
            return -ENOMEM;
        cara_alignment *a = &d->alignment[n++];
        a->aco_id = str_dup(d, sqlite3_column_text(st, o + 0), sqlite3_column_bytes(st, o + 0));
        if (!a->aco_id) return -ENOMEM;
        a->start = store_col_date(st, o + 1);
        a->end = store_col_date(st, o + 2);
    }
    d->b.alignment = (cara_array)CARA_ARRAY_INIT(d->alignment, n);
    return rc;
}

/* Split "A B C" into the dx pool; returns the count added. */
static int add_dx(bene_data *d, const unsigned char *s)
{
    int n = 0;
    while (s && *s) {
        while (*s == ' ') s++;
        const unsigned char *e = s;
        while (*e && *e != ' ') e++;
        if (e > s) {
            if (grow((void **)&d->dx, &d->cap_dx, d->n_dx + 1, sizeof *d->dx)) return -ENOMEM;
            size_t len = (size_t)(e - s) < sizeof(cara_icd) - 1 ? (size_t)(e - s) : sizeof(cara_icd) - 1;
            memcpy(d->dx[d->n_dx], s, len);
            d->dx[d->n_dx][len] = '\0';
            d->n_dx++;
            n++;
        }
        s = e;
    }
    return n;
}

static int claim_type_of(const unsigned char *s)
{
    if (!s) return 0;
    if (s[0] == 'i') return CARA_CLAIM_INSTITUTIONAL;
    if (s[0] == 'p') return CARA_CLAIM_PROFESSIONAL;
    if (s[0] == 'd') return CARA_CLAIM_DME;
    return 0;
}

/* text t of n bytes (NULL: "") into dst of size bytes, cut to fit */
static void txt_copy(const char *t, size_t n, char *dst, size_t size)
{
    if (!t) n = 0;
    if (n > size - 1) n = size - 1;
    if (n) memcpy(dst, t, n);
    dst[n] = '\0';
}

/* Date text t (n bytes; NULL: none) as a day number, CARA_DATE_NONE when it is none or
 * not a date: date_parse, unless t is the text r read last (a valid date). */
static cara_date memo_date(bene_reader *r, const char *t, size_t n)
{
    if (!t || n != sizeof r->memo_text) return CARA_DATE_NONE; /* a date is 10 bytes */
    if (r->memo_day != CARA_DATE_NONE && !memcmp(t, r->memo_text, sizeof r->memo_text))
        return r->memo_day;
    cara_date d;
    if (date_parse(t, n, &d) < 0) return CARA_DATE_NONE;
    memcpy(r->memo_text, t, sizeof r->memo_text);
    r->memo_day = d;
    return d;
}

static cara_date col_date(bene_reader *r, sqlite3_stmt *st, int i)
{
    return memo_date(r, (const char *)sqlite3_column_text(st, i),
                     (size_t)sqlite3_column_bytes(st, i));
}

/* The header fields of the claim in st's row into l. */
static void header_of(bene_reader *r, sqlite3_stmt *st, int o, cara_claim_line *l)
{
    l->claim_type = claim_type_of(sqlite3_column_text(st, o + 1));
    l->claim_start = col_date(r, st, o + 2);
    l->claim_end = col_date(r, st, o + 3);
    l->admission = col_date(r, st, o + 4);
    l->discharge = col_date(r, st, o + 5);
    col_copy(st, o + 6, l->discharge_disposition, sizeof l->discharge_disposition);
    col_copy(st, o + 7, l->bill_type, sizeof l->bill_type);
    col_copy(st, o + 8, l->facility_npi, sizeof l->facility_npi);
}

/* The line fields of packed line p into l (its header already there). */
static void line_of(bene_reader *r, const pl_line *p, cara_claim_line *l)
{
    l->line_number = (int)p->number;
    l->line_start = memo_date(r, p->text[PL_START], p->len[PL_START]);
    l->line_end = memo_date(r, p->text[PL_END], p->len[PL_END]);
    txt_copy(p->text[PL_POS], p->len[PL_POS], l->place_of_service, sizeof l->place_of_service);
    txt_copy(p->text[PL_REVENUE], p->len[PL_REVENUE], l->revenue_center, sizeof l->revenue_center);
    txt_copy(p->text[PL_HCPCS], p->len[PL_HCPCS], l->hcpcs, sizeof l->hcpcs);
    /* the modifiers: up to five, space-separated (the reader borrows: len bytes, no NUL) */
    const char *mods = p->text[PL_MODIFIERS];
    size_t mlen = mods ? p->len[PL_MODIFIERS] : 0, at = 0;
    memset(l->modifiers, 0, sizeof l->modifiers);
    for (int m = 0; at < mlen && m < 5; m++) {
        while (at < mlen && mods[at] == ' ') at++;
        for (size_t k = 0; k < 2 && at + k < mlen && mods[at + k] != ' '; k++)
            l->modifiers[m][k] = mods[at + k];
        while (at < mlen && mods[at] != ' ') at++;
    }
    txt_copy(p->text[PL_RENDERING_NPI], p->len[PL_RENDERING_NPI], l->rendering_npi, sizeof l->rendering_npi);
    txt_copy(p->text[PL_RENDERING_TIN], p->len[PL_RENDERING_TIN], l->rendering_tin, sizeof l->rendering_tin);
    txt_copy(p->text[PL_BILLING_NPI], p->len[PL_BILLING_NPI], l->billing_npi, sizeof l->billing_npi);
    txt_copy(p->text[PL_BILLING_TIN], p->len[PL_BILLING_TIN], l->billing_tin, sizeof l->billing_tin);
    l->paid = p->paid_cents;
    l->allowed = p->allowed_cents;
    if (l->claim_type == CARA_CLAIM_INSTITUTIONAL)
        l->service_date = l->admission != CARA_DATE_NONE ? l->admission : l->claim_start;
    else
        l->service_date = l->line_start != CARA_DATE_NONE ? l->line_start : l->claim_start;
}

static int load_claims(bene_reader *r, bene_data *d, const char *person, char *err,
                       size_t errlen)
{
    bene_src *src = &r->src[2];
    sqlite3_stmt *st = src->st;
    int o = src->o;
    int rc;
    d->n_lines = 0;
    d->n_dx = 0;
    d->n_claims = 0;
    while ((rc = src_next(src, person)) == 1) {
        d->n_claims++;
        const unsigned char *id = sqlite3_column_text(st, o + 0);
        const char *claim = id ? str_dup(d, id, sqlite3_column_bytes(st, o + 0)) : NULL;
        if (!claim) { /* claim_id is NOT NULL: SQLite ran out of memory */
            return -ENOMEM;
        }
        size_t claim_dx_off = d->n_dx;
        int claim_dx_n = -2;
        cara_claim_line head;
        memset(&head, 0, sizeof head);
        header_of(r, st, o, &head);
        pl_reader_init(&r->lines, (const char *)sqlite3_column_text(st, o + 10),
                       (size_t)sqlite3_column_bytes(st, o + 10));
        pl_line p;
        int k;
        while ((k = pl_next(&r->lines, &p)) == 1) {
            if (p.denied) continue; /* denied lines are never priced */
            if (claim_dx_n == -2 && (claim_dx_n = add_dx(d, sqlite3_column_text(st, o + 9))) < 0)
                k = -ENOMEM;
            if (k < 0 ||
                grow((void **)&d->lines, &d->cap_lines, d->n_lines + 1, sizeof *d->lines) ||
                grow((void **)&d->dx_off, &d->cap_off, d->n_lines + 1, sizeof *d->dx_off)) {
                return -ENOMEM;
            }
            cara_claim_line *l = &d->lines[d->n_lines];
            *l = head;
            l->claim_id = claim;
            line_of(r, &p, l);
            l->n_dx = (uint16_t)claim_dx_n;
            d->dx_off[d->n_lines] = claim_dx_off;
            d->n_lines++;
        }
        if (k == -ENOMEM) {
            return -ENOMEM;
        }
        if (k < 0) {
            snprintf(err, errlen, "claim %s: its lines (claims.lines) are not packed lines: %s",
                     claim, r->lines.err);
            return -EINVAL;
        }
    }
    /* The dx pool may have moved while growing: point the lines at it now. */
    for (size_t i = 0; i < d->n_lines; i++) /* dx_off: set when n_lines > 0 */
        d->lines[i].dx = (const cara_icd *)&d->dx[d->dx_off[i]];
    return rc;
}

/* ---- the lines in engine order ----------------------------------------------------------
 * (service_date, claim_id, line_number), as bene.h says. A line's sort key packs its date
 * and its claim's rank among the person's claims (claim ids compared once per claim, not
 * once per comparison); the keys are sorted, then the lines copied once in their order. */

typedef struct line_key {
    uint64_t key;  /* date (order-preserving unsigned) << 32 | the claim's rank */
    int32_t line;  /* line_number */
    uint32_t idx;  /* the line's place before the sort: ties keep it (stable) */
} line_key;

typedef struct claim_run {
    const char *id; /* a claim's lines are one run: load_claims appends them together */
    uint32_t run;
} claim_run;

static int cmp_run(const void *a, const void *b)
{
    const claim_run *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->run > y->run) - (x->run < y->run);
}

static int key_before(const line_key *x, const line_key *y)
{
    if (x->key != y->key) return x->key < y->key;
    if (x->line != y->line) return x->line < y->line;
    return x->idx < y->idx;
}

static int cmp_key(const void *a, const void *b)
{
    const line_key *x = a, *y = b;
    return key_before(x, y) ? -1 : key_before(y, x) ? 1 : 0;
}

static int sort_lines(bene_data *d)
{
    size_t n = d->n_lines;
    if (n < 2) return 0;
    if (n > UINT32_MAX) return -ENOMEM;
    if (grow(&d->sort_keys, &d->cap_keys, n, sizeof(line_key)) ||
        grow(&d->sort_runs, &d->cap_runs, n, sizeof(claim_run) + sizeof(uint32_t)) ||
        grow(&d->sort_tmp, &d->cap_tmp, n,
             sizeof(line_key) > sizeof(claim_run) ? sizeof(line_key) : sizeof(claim_run)) ||
        grow((void **)&d->sorted, &d->cap_sorted, n, sizeof *d->sorted))
        return -ENOMEM;
    line_key *k = d->sort_keys;
    claim_run *runs = d->sort_runs;
    uint32_t *rank = (uint32_t *)(runs + n); /* by run: its claim's rank */
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || d->lines[i].claim_id != d->lines[i - 1].claim_id)
            runs[nr] = (claim_run){d->lines[i].claim_id, (uint32_t)nr}, nr++;
        k[i].key = (uint32_t)(nr - 1); /* the run for now */
    }
    msort(runs, nr, sizeof *runs, cmp_run, d->sort_tmp);
    /* runs of one id (not made by load_claims) share a rank, as one claim */
    for (size_t r = 0, at = 0; r < nr; r++) {
        if (r && strcmp(runs[r].id, runs[r - 1].id) != 0) at = r;
        rank[runs[r].run] = (uint32_t)at;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t day = (uint32_t)d->lines[i].service_date ^ 0x80000000u; /* signed order */
        k[i] = (line_key){(uint64_t)day << 32 | rank[k[i].key], d->lines[i].line_number,
                          (uint32_t)i};
    }
    if (n <= 24) { /* a beneficiary's usual few lines: an insertion sort */
        for (size_t i = 1; i < n; i++) {
            line_key v = k[i];
            size_t j = i;
            for (; j > 0 && key_before(&v, &k[j - 1]); j--) k[j] = k[j - 1];
            k[j] = v;
        }
    } else {
        msort(k, n, sizeof *k, cmp_key, d->sort_tmp); /* qsort would allocate each time */
    }
    for (size_t i = 0; i < n; i++) d->sorted[i] = d->lines[k[i].idx];
    cara_claim_line *t = d->lines; /* the sorted copy becomes the lines */
    size_t tc = d->cap_lines;
    d->lines = d->sorted;
    d->cap_lines = d->cap_sorted;
    d->sorted = t;
    d->cap_sorted = tc;
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    const cara_claim_line *x = a, *y = b;
    if (x->service_date != y->service_date) return x->service_date < y->service_date ? -1 : 1;
    int c = x->claim_id == y->claim_id ? 0 : strcmp(x->claim_id, y->claim_id);
    if (c) return c;
    return (x->line_number > y->line_number) - (x->line_number < y->line_number);
}

void bene_sort_lines(cara_claim_line *lines, size_t n)
{
    if (n < 2) return; /* lines may be NULL for a beneficiary without claims */
    qsort(lines, n, sizeof *lines, cmp_line);
}

int bene_load(bene_reader *r, const char *person_id, bene_data *d, char *err, size_t errlen)
{
    chunks_reset(d);
    memset(&d->b, 0, sizeof d->b);
    d->b.struct_size = sizeof d->b;
    d->b.person_id = str_dup(d, (const unsigned char *)person_id, (int)strlen(person_id));
    sqlite3_stmt *sts[] = {r->eligibility, r->alignment, r->claims};
    int rc = d->b.person_id ? 0 : -ENOMEM;
    for (size_t i = 0; i < 3; i++) {
        if (r->src[i].stream) continue;
        r->src[i].st = sts[i];
        /* a failed bind would keep the previous person's */
        sqlite3_reset(sts[i]);
        if (sqlite3_bind_text(sts[i], 1, person_id, -1, SQLITE_TRANSIENT) != SQLITE_OK) rc = -ENOMEM;
    }
    if (rc == 0) rc = load_eligibility(r, d, person_id);
    if (rc == 0) rc = load_alignment(r, d, person_id);
    char why[256] = "";
    if (rc == 0) rc = load_claims(r, d, person_id, why, sizeof why);
    for (size_t i = 0; i < 3; i++) sqlite3_reset(sts[i]);
    if (rc == -EINVAL) {
        snprintf(err, errlen, "loading beneficiary %s: %s", person_id, why);
        return -EIO;
    }
    if (rc < 0) {
        /* a stream's failure stays: its statement is not reset (the message is kept) */
        sqlite3_stmt *failed = r->src[2].st ? r->src[2].st : r->claims;
        snprintf(err, errlen, "loading beneficiary %s: %s", person_id,
                 rc == -ENOMEM ? "out of memory" : sqlite3_errmsg(sqlite3_db_handle(failed)));
        return rc;
    }
    if (sort_lines(d) < 0) {
        snprintf(err, errlen, "loading beneficiary %s: out of memory", person_id);
        return -ENOMEM;
    }
    return 0;
}

void bene_data_free(bene_data *d)
{
    free(d->enrollment);
    free(d->alignment);
    free(d->lines);
    free(d->dx);
    free(d->dx_off);
    free(d->sorted);
    free(d->sort_keys);
    free(d->sort_runs);
    free(d->sort_tmp);
    bene_chunk *c = d->chunks;
    while (c) {
        bene_chunk *n = c->next;
        free(c);
        c = n;
    }
    memset(d, 0, sizeof *d);
}
