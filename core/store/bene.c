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
static const char Q_CLAIMS[] =
    "SELECT c.claim_id, c.claim_type, c.claim_start_date, c.claim_end_date, "
    "c.admission_date, c.discharge_date, c.discharge_disposition_code, c.bill_type_code, "
    "c.facility_npi, c.diagnosis_codes, l.claim_line_number, l.claim_line_start_date, "
    "l.claim_line_end_date, l.place_of_service_code, l.revenue_center_code, l.hcpcs_code, "
    "l.hcpcs_modifiers, l.rendering_npi, l.rendering_tin, l.billing_npi, l.billing_tin, "
    "l.paid_cents, l.allowed_cents "
    "FROM claims c JOIN claim_lines l ON l.claim_id = c.claim_id "
    "WHERE c.person_id = ?1 AND c.status = 'current' AND l.denied = 0 AND (?2 IS NULL OR "
    "coalesce(c.paid_date, c.claim_end_date) <= ?2)"; /* a claim's lines come together (nested loop); bene_sort_lines
                               * orders them, so no ORDER BY (it cost a sort per person) */

int bene_reader_open(bene_reader *r, store *s, char *err, size_t errlen)
{
    return bene_reader_open_range(r, s, NULL, NULL, err, errlen);
}

int bene_reader_open_range(bene_reader *r, store *s, const char *from, const char *to,
                           char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    memset(r, 0, sizeof *r);
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
    return sqlite3_bind_text(r->claims, 2, date, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -ENOMEM;
}

void bene_reader_close(bene_reader *r)
{
    sqlite3_finalize(r->persons);
    sqlite3_finalize(r->eligibility);
    sqlite3_finalize(r->alignment);
    sqlite3_finalize(r->claims);
    sqlite3_finalize(r->count);
    memset(r, 0, sizeof *r);
}

int bene_next_person(bene_reader *r, char *buf, size_t len, int64_t *claims, char *err,
                     size_t errlen)
{
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

static int load_eligibility(bene_reader *r, bene_data *d)
{
    sqlite3_stmt *st = r->eligibility;
    size_t n = 0;
    int rc;
    d->b.gender = 'U';
    d->b.birth = d->b.death = CARA_DATE_NONE;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&d->enrollment, &d->cap_enrollment, n + 1, sizeof *d->enrollment))
            return -ENOMEM;
        cara_enrollment *e = &d->enrollment[n++];
        e->start = store_col_date(st, 0);
        e->end = store_col_date(st, 1);
        const unsigned char *g = sqlite3_column_text(st, 2);
        if (g && n == 1) d->b.gender = g[0] == 'm' ? 'M' : g[0] == 'f' ? 'F' : 'U';
        if (n == 1) d->b.birth = store_col_date(st, 3);
        cara_date death = store_col_date(st, 4);
        if (death != CARA_DATE_NONE && (d->b.death == CARA_DATE_NONE || death < d->b.death))
            d->b.death = death;
        col_copy(st, 5, e->dual_status, sizeof e->dual_status);
        col_copy(st, 6, e->medicare_status, sizeof e->medicare_status);
        e->hospice = (uint8_t)(sqlite3_column_int(st, 7) != 0);
    }
    d->b.enrollment = (cara_array)CARA_ARRAY_INIT(d->enrollment, n);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

static int load_alignment(bene_reader *r, bene_data *d)
{
    sqlite3_stmt *st = r->alignment;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&d->alignment, &d->cap_alignment, n + 1, sizeof *d->alignment))
            return -ENOMEM;
        cara_alignment *a = &d->alignment[n++];
        a->aco_id = str_dup(d, sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
        if (!a->aco_id) return -ENOMEM;
        a->start = store_col_date(st, 1);
        a->end = store_col_date(st, 2);
    }
    d->b.alignment = (cara_array)CARA_ARRAY_INIT(d->alignment, n);
    return rc == SQLITE_DONE ? 0 : -EIO;
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

static int load_claims(bene_reader *r, bene_data *d)
{
    sqlite3_stmt *st = r->claims;
    size_t *dx_off = NULL, cap_off = 0;
    const char *prev_claim = NULL;
    size_t claim_dx_off = 0;
    int claim_dx_n = 0, rc;
    d->n_lines = 0;
    d->n_dx = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&d->lines, &d->cap_lines, d->n_lines + 1, sizeof *d->lines) ||
            grow((void **)&dx_off, &cap_off, d->n_lines + 1, sizeof *dx_off)) {
            free(dx_off);
            return -ENOMEM;
        }
        cara_claim_line *l = &d->lines[d->n_lines];
        memset(l, 0, sizeof *l);
        const unsigned char *id = sqlite3_column_text(st, 0);
        if (!id) { /* claim_id is NOT NULL: SQLite ran out of memory */
            free(dx_off);
            return -ENOMEM;
        }
        if (!prev_claim || strcmp(prev_claim, (const char *)id) != 0) {
            prev_claim = str_dup(d, id, sqlite3_column_bytes(st, 0));
            claim_dx_off = d->n_dx;
            claim_dx_n = add_dx(d, sqlite3_column_text(st, 9));
            if (!prev_claim || claim_dx_n < 0) {
                free(dx_off);
                return -ENOMEM;
            }
        }
        l->claim_id = prev_claim;
        l->claim_type = claim_type_of(sqlite3_column_text(st, 1));
        l->claim_start = store_col_date(st, 2);
        l->claim_end = store_col_date(st, 3);
        l->admission = store_col_date(st, 4);
        l->discharge = store_col_date(st, 5);
        col_copy(st, 6, l->discharge_disposition, sizeof l->discharge_disposition);
        col_copy(st, 7, l->bill_type, sizeof l->bill_type);
        col_copy(st, 8, l->facility_npi, sizeof l->facility_npi);
        l->line_number = sqlite3_column_int(st, 10);
        l->line_start = store_col_date(st, 11);
        l->line_end = store_col_date(st, 12);
        col_copy(st, 13, l->place_of_service, sizeof l->place_of_service);
        col_copy(st, 14, l->revenue_center, sizeof l->revenue_center);
        col_copy(st, 15, l->hcpcs, sizeof l->hcpcs);
        const unsigned char *mods = sqlite3_column_text(st, 16);
        for (int m = 0; mods && *mods && m < 5; m++) {
            while (*mods == ' ') mods++;
            size_t k = 0;
            while (mods[k] && mods[k] != ' ' && k < 2) {
                l->modifiers[m][k] = (char)mods[k];
                k++;
            }
            while (*mods && *mods != ' ') mods++;
        }
        col_copy(st, 17, l->rendering_npi, sizeof l->rendering_npi);
        col_copy(st, 18, l->rendering_tin, sizeof l->rendering_tin);
        col_copy(st, 19, l->billing_npi, sizeof l->billing_npi);
        col_copy(st, 20, l->billing_tin, sizeof l->billing_tin);
        l->paid = sqlite3_column_int64(st, 21);
        l->allowed = sqlite3_column_int64(st, 22);
        if (l->claim_type == CARA_CLAIM_INSTITUTIONAL)
            l->service_date = l->admission != CARA_DATE_NONE ? l->admission : l->claim_start;
        else
            l->service_date = l->line_start != CARA_DATE_NONE ? l->line_start : l->claim_start;
        l->n_dx = (uint16_t)claim_dx_n;
        dx_off[d->n_lines] = claim_dx_off;
        d->n_lines++;
    }
    /* The dx pool may have moved while growing: point the lines at it now. */
    for (size_t i = 0; dx_off && i < d->n_lines; i++) /* dx_off: set when n_lines > 0 */
        d->lines[i].dx = (const cara_icd *)&d->dx[dx_off[i]];
    free(dx_off);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

static int cmp_line(const void *a, const void *b)
{
    const cara_claim_line *x = a, *y = b;
    if (x->service_date != y->service_date) return x->service_date < y->service_date ? -1 : 1;
    int c = strcmp(x->claim_id, y->claim_id);
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
    for (size_t i = 0; i < 3; i++) { /* a failed bind would keep the previous person's */
        sqlite3_reset(sts[i]);
        if (sqlite3_bind_text(sts[i], 1, person_id, -1, SQLITE_TRANSIENT) != SQLITE_OK) rc = -ENOMEM;
    }
    if (rc == 0) rc = load_eligibility(r, d);
    if (rc == 0) rc = load_alignment(r, d);
    if (rc == 0) rc = load_claims(r, d);
    for (size_t i = 0; i < 3; i++) sqlite3_reset(sts[i]);
    if (rc < 0) {
        snprintf(err, errlen, "loading beneficiary %s: %s", person_id,
                 rc == -ENOMEM ? "out of memory"
                               : sqlite3_errmsg(sqlite3_db_handle(r->claims)));
        return rc;
    }
    bene_sort_lines(d->lines, d->n_lines);
    return 0;
}

void bene_data_free(bene_data *d)
{
    free(d->enrollment);
    free(d->alignment);
    free(d->lines);
    free(d->dx);
    bene_chunk *c = d->chunks;
    while (c) {
        bene_chunk *n = c->next;
        free(c);
        c = n;
    }
    memset(d, 0, sizeof *d);
}
