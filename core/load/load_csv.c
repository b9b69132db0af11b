/*
 * load_csv.c: see load_csv.h. The column specs of each file kind are in load_kinds.c.
 */
#include "load_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "load_feed.h"
#include "load_internal.h"

const char *load_kind_file(int kind)
{
    return kind >= 0 && kind < LOAD_N_KINDS ? load_kinds[kind].file : "?";
}

/* ---- error reporting ------------------------------------------------------------- */

static void reject_row(loader *ld, size_t line, const char *field, const char *msg,
                       const char *rec, const char *end);

void load__error(loader *ld, size_t line, size_t col, const char *field, const char *fmt, ...)
{
    ld->errors++;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ld->skip_bad && ld->rec && line > 1 && !ld->row_bad) { /* a row: reject it */
        reject_row(ld, line, field, msg, ld->rec, ld->rec_end);
        ld->row_bad = 1;
    }
    if (ld->errors > ld->max_errors) return;
    if (col && field)
        fprintf(ld->err, "%s:%zu:%zu: %s: %s\n", ld->path, line, col, field, msg);
    else
        fprintf(ld->err, "%s:%zu: %s\n", ld->path, line, msg);
}

void load__warning(loader *ld, size_t line, size_t col, const char *field, const char *fmt, ...)
{
    ld->warnings++;
    if (ld->warnings > ld->max_errors) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(ld->err, "%s:%zu:%zu: warning: %s: %s\n", ld->path, line, col, field, msg);
}

/* Write one line of the rejects file: file, line, field, reason, the raw row. */
static void reject_row(loader *ld, size_t line, const char *field, const char *msg,
                       const char *rec, const char *end)
{
    if (!ld->rejects) return;
    fprintf(ld->rejects, "%s\t%zu\t%s\t", ld->path, line, field ? field : "");
    for (const char *p = msg; *p; p++) fputc(*p == '\t' || *p == '\n' ? ' ' : *p, ld->rejects);
    fputc('\t', ld->rejects);
    while (end > rec && (end[-1] == '\n' || end[-1] == '\r')) end--;
    for (const char *p = rec; p && p < end; p++)
        fputc(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p, ld->rejects);
    fputc('\n', ld->rejects);
    ld->rejected++;
}

static int db_fail(loader *ld, size_t line, const char *what)
{
    load__error(ld, line, 0, NULL, "%s: %s", what, store_errmsg(ld->s));
    return -EIO;
}

/* ---- header ------------------------------------------------------------------------ */

/* The kind named by the file's base name: "medical_claim.csv", or the Tuva Project's seed
 * name "medical_claim_seed.csv". */
static int kind_from_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    for (int k = 0; k < LOAD_N_KINDS; k++) {
        const char *f = load_kinds[k].file;
        size_t stem = strlen(f) - 4; /* without ".csv" */
        if (strcmp(base, f) == 0) return k;
        if (n == stem + 9 && strncmp(base, f, stem) == 0 && strcmp(base + stem, "_seed.csv") == 0)
            return k;
    }
    return -1;
}

/* Index of column `name` in the header, or -1. */
static int header_index(const csv_scan *h, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < h->n; i++)
        if (h->f[i].len == len && memcmp(h->f[i].p, name, len) == 0) return (int)i;
    return -1;
}

/* The kind whose required columns are all in the header; when several match (one
 * kind's columns can include another's), the one with the most required columns. */
static int kind_from_header(const csv_scan *h)
{
    int found = -1, best = -1, tie = 0;
    for (int k = 0; k < LOAD_N_KINDS; k++) {
        const kind_def *d = &load_kinds[k];
        int ok = 1, n = 0;
        for (size_t c = 0; c < d->n_cols && ok; c++)
            if (d->cols[c].required) {
                ok = header_index(h, d->cols[c].name) >= 0;
                n++;
            }
        if (!ok) continue;
        if (n > best) {
            best = n;
            found = k;
            tie = 0;
        } else if (n == best) {
            tie = 1;
        }
    }
    return tie ? -1 : found;
}

/* Map spec columns to header positions; report missing or doubled columns. */
static int map_header(loader *ld, const csv_scan *h)
{
    const kind_def *d = ld->def;
    char missing[600] = "";
    size_t off = 0;
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = i + 1; j < h->n; j++)
            if (h->f[i].len == h->f[j].len && h->f[i].len &&
                memcmp(h->f[i].p, h->f[j].p, h->f[i].len) == 0)
                load__error(ld, 1, j + 1, NULL, "column \"%.*s\" appears twice (also column %zu)",
                           (int)h->f[j].len, h->f[j].p, i + 1);
    for (size_t c = 0; c < d->n_cols; c++) {
        ld->soft[c] = 0;
        ld->mode[c] = COL_CHECK;
        for (const char *const *w = d->soft; w && *w; w++)
            if (strcmp(*w, d->cols[c].name) == 0) ld->soft[c] = 1;
        ld->col_at[c] = header_index(h, d->cols[c].name);
        if (ld->col_at[c] < 0 && d->cols[c].required && off < sizeof missing - 40)
            off += (size_t)snprintf(missing + off, sizeof missing - off, "%s%s",
                                    off ? ", " : "", d->cols[c].name);
    }
    if (off)
        load__error(ld, 1, 0, NULL, "missing column(s): %s (a %s header needs them; see "
                                   "docs/input-formats.md)", missing, d->file);
    return ld->errors ? -EINVAL : 0;
}

/* ---- rows --------------------------------------------------------------------------- */

/* A claim's service dates decades ahead (after LOAD_DATE_HORIZON_TEXT) load with one
 * warning per row, naming the first such field (docs/input-formats.md, "Dates"). */
static void warn_future_dates(loader *ld, const csv_scan *s)
{
    static const char *const names[] = {"claim_start_date", "claim_end_date",
                                        "claim_line_start_date", "claim_line_end_date",
                                        "admission_date", "discharge_date"};
    const kind_def *d = ld->def;
    for (size_t c = 0; c < d->n_cols; c++) {
        const field_value *v = &ld->vals[c];
        if (d->cols[c].kind != F_DATE || v->empty || ld->col_at[c] < 0 ||
            !load_date_beyond_horizon((cara_date)v->num))
            continue;
        int claim_date = 0; /* the rare date past the horizon: is it a claim's? */
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            claim_date |= !strcmp(d->cols[c].name, names[k]);
        if (!claim_date) continue;
        load__warning(ld, s->line, (size_t)ld->col_at[c] + 1, d->cols[c].name,
                     "%s is after %s (the last performance year and its run-out): loaded, "
                     "but check the file's dates", v->text, LOAD_DATE_HORIZON_TEXT);
        return;
    }
}

/* Validate every mapped field of the current record into ld->vals. 0 when all good.
 * A soft column's bad value is a warning (unless strict) and is stored as absent. */
static int check_row(loader *ld, const csv_scan *s)
{
    const kind_def *d = ld->def;
    int bad = 0;
    if (d->modes) d->modes(ld, s);
    for (size_t c = 0; c < d->n_cols; c++) {
        field_value *v = &ld->vals[c];
        int at = ld->col_at[c];
        if (at < 0 || ld->mode[c] == COL_IGNORE) {
            memset(v, 0, sizeof *v);
            v->empty = 1;
            continue;
        }
        char msg[400];
        if (field_check(&d->cols[c], s->f[at].p, s->f[at].len, v, msg, sizeof msg) == 0) continue;
        if (ld->mode[c] == COL_DROP || (ld->soft[c] && !ld->strict)) {
            if (ld->mode[c] != COL_DROP)
                load__warning(ld, s->line, (size_t)at + 1, d->cols[c].name, "%s (stored as absent)",
                             msg);
            memset(v, 0, sizeof *v);
            v->empty = 1;
            continue;
        }
        load__error(ld, s->line, (size_t)at + 1, d->cols[c].name, "%s", msg);
        bad = 1;
    }
    if (!bad) warn_future_dates(ld, s);
    return bad ? -1 : 0;
}

/* Index of spec column `name` (the specs are static: a missing name is a bug). */
size_t load__col(const loader *ld, const char *name)
{
    for (size_t c = 0; c < ld->def->n_cols; c++)
        if (strcmp(ld->def->cols[c].name, name) == 0) return c;
    abort();
}

/* load__col, remembered by the name literal's address (the callers pass literals). */
static size_t col_memo(loader *ld, const char *name)
{
    if (ld->memo_def != ld->def) {
        ld->memo_def = ld->def;
        ld->n_memo = 0;
    }
    for (size_t i = 0; i < ld->n_memo; i++)
        if (ld->memo[i].name == name) return ld->memo[i].col;
    size_t c = load__col(ld, name);
    if (ld->n_memo < sizeof ld->memo / sizeof ld->memo[0])
        ld->memo[ld->n_memo++] = (struct col_memo){name, c};
    return c;
}

/* An end date before its start date is an error at the end date. */
void load__check_order(loader *ld, const char *start, const char *end)
{
    size_t a = col_memo(ld, start), b = col_memo(ld, end);
    if (ld->vals[a].empty || ld->vals[b].empty || ld->vals[b].num >= ld->vals[a].num) return;
    load__error(ld, ld->scan->line, (size_t)ld->col_at[b] + 1, end, "%s is before %s %s",
               ld->vals[b].text, start, ld->vals[a].text);
}

/* ---- the file ------------------------------------------------------------------------ */

static int start_load(loader *ld, int64_t *load_id)
{
    char e[256];
    if (loads_w_begin(ld->s, ld->path, ld->def->file, ld->sha, (int64_t)ld->map_len, load_id,
                      ld->loaded_at, e, sizeof e) < 0)
        return db_fail(ld, 1, "recording the load");
    return 0;
}

/* Record the row count, and the load in the audit log (a bulk load is a change too). */
static int finish_load(loader *ld, int64_t load_id)
{
    char e[256];
    if (loads_w_counts(ld->s, load_id, ld->rows, ld->rejected, ld->warnings, e, sizeof e) < 0)
        return db_fail(ld, 1, "recording the load");
    const char *user = getenv("USER");
    if (loads_w_audit(ld->s, load_id, ld->path, ld->def->file, ld->sha, ld->loaded_at,
                      user && *user ? user : "cli", ld->rows, e, sizeof e) < 0)
        return db_fail(ld, 1, "auditing the load");
    return 0;
}

/* 1 when these bytes loaded before, 0 when not, -EIO (reported) when the store failed. */
static int already_loaded(loader *ld)
{
    char e[256];
    /* only a load that took every row counts: after --skip-bad the same bytes load
     * again (a fix elsewhere, e.g. a missing ACO, can make the rejected rows good) */
    int seen = loads_w_seen(ld->s, ld->sha, ld->def->file, e, sizeof e);
    return seen < 0 ? db_fail(ld, 1, "recording the load") : seen;
}

/* 1 when an earlier whole load of this kind may have been of these bytes (same size, or
 * one of unknown size), 0 when none can, -EIO (reported) when the store failed. */
static int maybe_loaded(loader *ld)
{
    char e[256];
    int maybe = loads_w_maybe_seen(ld->s, ld->def->file, (int64_t)ld->map_len, e, sizeof e);
    return maybe < 0 ? db_fail(ld, 1, "recording the load") : maybe;
}

/* The hash computed alongside the load, inside the file's transaction: into ld->sha and
 * the load's row. 1 when another process loaded the same bytes meanwhile (the caller
 * rolls back: skipped), 0, or a negative code (reported). */
static int hash_joined(loader *ld, file_hasher *h, int64_t load_id)
{
    int rc = file_hash_join(h, ld->sha);
    if (rc < 0) {
        load__error(ld, 1, 0, NULL, "cannot read the file to hash it: %s", strerror(-rc));
        return rc;
    }
    int seen = already_loaded(ld);
    if (seen != 0) return seen;
    char e[256];
    if (loads_w_sha(ld->s, load_id, ld->sha, e, sizeof e) < 0)
        return db_fail(ld, 1, "recording the load");
    return 0;
}

/* ---- skip_bad for claims: one savepoint per claim version ------------------------------ */

/* The savepoint of the claim version being read (a store failure here stops the file;
 * it is not reported, as before). */
#define SP_NAME "cara_claim"

/* The raw claim_id + adjustment of the current row (before validation). */
static void raw_claim_key(const loader *ld, const csv_scan *s, char *out, size_t len)
{
    int a = ld->col_at[0], b = ld->col_at[10];
    snprintf(out, len, "%.*s|%.*s", a >= 0 ? (int)s->f[a].len : 0, a >= 0 ? s->f[a].p : "",
             b >= 0 ? (int)s->f[b].len : 0, b >= 0 ? s->f[b].p : "");
}

/* Close the open claim savepoint: keep it (release) unless its claim went bad. */
static int sp_close(loader *ld)
{
    if (!ld->sp_key[0]) return 0;
    char e[256];
    /* the claim is written with its lines before its savepoint is kept (claims_w_insert
     * kept it): refused then, it is rejected whole */
    if (!ld->sp_bad && claims_w_flush(ld->claims, e, sizeof e) < 0) {
        memset(&ld->group, 0, sizeof ld->group);
        char why[400];
        snprintf(why, sizeof why, "the store refused the claim: %s", e);
        if (store_rollback_to(ld->s, SP_NAME, e, sizeof e) < 0) return -EIO;
        for (size_t i = 0; i < ld->n_sp_rows; i++)
            reject_row(ld, ld->sp_rows[i].line, "claim_id", why, ld->sp_rows[i].rec, ld->sp_rows[i].end);
    }
    ld->sp_key[0] = '\0';
    return store_release(ld->s, SP_NAME, e, sizeof e) < 0 ? -EIO : 0;
}

/* Remember a row of the open claim version (to list it if the claim is rejected). */
static int sp_push(loader *ld, size_t line)
{
    if (ld->n_sp_rows == ld->cap_sp_rows) {
        size_t cap = ld->cap_sp_rows ? 2 * ld->cap_sp_rows : 64;
        struct sp_row *v = realloc(ld->sp_rows, cap * sizeof *v);
        if (!v) return -ENOMEM;
        ld->sp_rows = v;
        ld->cap_sp_rows = cap;
    }
    ld->sp_rows[ld->n_sp_rows++] = (struct sp_row){ld->rec, ld->rec_end, line};
    return 0;
}

/* Before a claims row: a new claim version opens a savepoint. 1 when the row belongs to
 * a claim already rejected (skip it). */
static int sp_before_row(loader *ld, const csv_scan *s)
{
    char key[96];
    raw_claim_key(ld, s, key, sizeof key);
    if (ld->sp_key[0] && !strcmp(key, ld->sp_key)) {
        if (ld->sp_bad) return 1;
        return sp_push(ld, s->line) < 0 ? -1 : 0;
    }
    char e[256];
    if (sp_close(ld) < 0 || store_savepoint(ld->s, SP_NAME, e, sizeof e) < 0) return -1;
    util_strlcpy(ld->sp_key, key, sizeof ld->sp_key);
    ld->sp_bad = 0;
    ld->n_sp_rows = 0;
    return sp_push(ld, s->line) < 0 ? -1 : 0;
}

/* After a bad claims row: undo the claim version and reject its earlier rows. */
static int sp_after_bad(loader *ld, const csv_scan *s)
{
    if (!ld->sp_key[0] || ld->sp_bad) return 0;
    ld->sp_bad = 1;
    ld->sp_bad_line = s->line;
    memset(&ld->group, 0, sizeof ld->group); /* the stored claim is as before */
    claims_w_discard(ld->claims);              /* and the one kept unwritten is dropped */
    char e[256];
    if (store_rollback_to(ld->s, SP_NAME, e, sizeof e) < 0) return -EIO;
    char why[160];
    snprintf(why, sizeof why, "the claim has a bad line (line %zu): rejected whole", s->line);
    for (size_t i = 0; i + 1 < ld->n_sp_rows; i++) /* its earlier rows; the last is this one */
        reject_row(ld, ld->sp_rows[i].line, "claim_id", why, ld->sp_rows[i].rec, ld->sp_rows[i].end);
    return 0;
}

/* ---- rows -------------------------------------------------------------------------------- */

/* One record (ld->rec .. ld->rec_end, scanned into s): checked and handed to the kind's
 * row function. 0, or <0 when the store failed (the file stops). */
static int one_row(loader *ld, const csv_scan *s, int claims)
{
    ld->row_bad = 0;
    ld->rows++;
    if (s->n != ld->header_fields) {
        load__error(ld, s->line, 0, NULL, "the row has %zu fields, the header has %zu", s->n,
                   ld->header_fields);
        return 0;
    }
    if (claims) {
        int skip = sp_before_row(ld, s);
        if (skip < 0) return -EIO;
        if (skip) {
            char why[160];
            snprintf(why, sizeof why, "the claim has a bad line (line %zu): rejected whole",
                     ld->sp_bad_line);
            reject_row(ld, s->line, "claim_id", why, ld->rec, ld->rec_end);
            return 0;
        }
    }
    int before = ld->errors;
    if (check_row(ld, s) == 0) {
        int rc = ld->def->row(ld);
        if (rc < 0 && rc != -EINVAL) return rc; /* a store failure stops the file */
    }
    if (claims && ld->errors != before && sp_after_bad(ld, s) < 0) return -EIO;
    return 0;
}

static int scan_end(loader *ld, int claims)
{
    ld->rec = NULL;
    if (claims && sp_close(ld) < 0) return -EIO;
    if (ld->def->end) {
        int e = ld->def->end(ld);
        if (e < 0 && e != -EINVAL) return e;
    }
    return 0;
}

/* A record the scanner could not split: the rest of the file cannot be read. */
static int scan_failed(loader *ld, const csv_scan *s)
{
    ld->rec = NULL;
    load__error(ld, s->line ? s->line : 1, 0, NULL, "%s", strchr(s->err, ' ') + 1);
    return -EINVAL;
}

/* Scan every record after the header, in file order, and hand it to the kind's row
 * function. */
static int scan_rows(loader *ld, csv_scan *s)
{
    int claims = ld->skip_bad && ld->def == &load_kinds[LOAD_MEDICAL_CLAIM];
    for (;;) {
        const char *start = s->pos;
        int got = csv_scan_next(s);
        if (got == 0) break;
        if (got < 0) return scan_failed(ld, s);
        if (s->n == 1 && s->f[0].len == 0) continue; /* blank line */
        ld->rec = start;
        ld->rec_end = s->pos;
        if (((ld->rows + 1) & 0xffff) == 0)
            util_release_mapped(ld->map, ld->map_len, s->f[0].p, &ld->released);
        int rc = one_row(ld, s, claims);
        if (rc < 0) return rc;
    }
    return scan_end(ld, claims);
}

/* ---- claims not in claim order: read grouped by claim_id -------------------------------- */

/* The claim id of the row at line[0..len) (no newline, no quote in it), column col:
 * *f, *flen; 0 when the row is blank or has no such column. */
static int plain_field(const char *line, size_t len, int col, const char **f, size_t *flen)
{
    if (len && line[len - 1] == '\r') len--;
    if (!len) return 0;
    const char *p = line, *end = line + len;
    for (int c = 0; c < col; c++) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        if (!comma) return 0;
        p = comma + 1;
    }
    const char *comma = memchr(p, ',', (size_t)(end - p));
    *f = p;
    *flen = (size_t)((comma ? comma : end) - p);
    return 1;
}

/* 1 when every claim's rows follow one another because the claim ids never decrease
 * (byte order) from one row to the next: the rows can be read in file order. A file
 * that cannot be scanned answers 1 (reading it in order reports the error). A row
 * without a quote or a CR (but a CRLF's) is one line split at its commas; any other
 * goes through the CSV scanner (a quoted field may hold commas and newlines, and a lone
 * CR ends a record). */
static int claims_in_order(const loader *ld, const char *from, const char *end)
{
    int col = ld->col_at[0];
    if (col < 0) return 1;
    const char *prev = NULL, *p = from;
    size_t prev_len = 0, released = 0, n = 0;
    int sorted = 1;
    csv_scan s;
    csv_scan_init(&s, p, 0);
    while (sorted && p < end) {
        if ((++n & 0xffff) == 0) /* the previous row stays mapped: prev points into it */
            util_release_mapped(ld->map, ld->map_len, prev ? prev : p, &released);
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        const char *f = NULL;
        size_t flen = 0;
        int has;
        /* the scanner ends a record at a lone CR too (old Mac files): such lines go to it */
        if (!memchr(p, '"', len) && !(len > 1 && memchr(p, '\r', len - 1))) {
            has = plain_field(p, len, col, &f, &flen);
            p = nl ? nl + 1 : end;
        } else { /* one record from here, by the scanner */
            csv_scan_reset(&s, p, (size_t)(end - p), 1);
            if (csv_scan_next(&s) != 1) break;
            p = s.pos;
            has = (size_t)col < s.n && !(s.n == 1 && s.f[0].len == 0);
            if (has && s.off[col] != (size_t)-1) { /* in the scanner's scratch: it will move */
                csv_scan_free(&s);
                return 0;
            }
            if (has) f = s.f[col].p, flen = s.f[col].len;
        }
        if (!has) continue;
        if (prev) {
            size_t k = prev_len < flen ? prev_len : flen;
            int c = memcmp(prev, f, k);
            if (c > 0 || (c == 0 && prev_len > flen)) sorted = 0;
        }
        prev = f;
        prev_len = flen;
    }
    csv_scan_free(&s);
    util_release_mapped(ld->map, ld->map_len, ld->map + ld->map_len, &released); /* all of it */
    return sorted;
}

/* Every page of the mapping given back (the grouped order reads it out of order). */
static void release_all(loader *ld)
{
    size_t released = 0;
    util_release_mapped(ld->map, ld->map_len, ld->map + ld->map_len, &released);
}

/* The rows staged in g (core/store/csv_group.h), numbered in file order and grouped by
 * the first appearance of their claim; then read back group by group. A store failure
 * is reported as "grouping the claims" with the connection's message. */
static int scan_grouped(loader *ld, csv_scan *s, csv_group *g)
{
    int rc = 0;
    char e[256];
    /* 1: stage */
    int64_t seq = 0, grp = 0;
    int col = ld->col_at[0];
    for (;;) {
        const char *start = s->pos;
        int got = csv_scan_next(s);
        if (got == 0) break;
        if (got < 0) {
            rc = scan_failed(ld, s);
            break;
        }
        if (s->n == 1 && s->f[0].len == 0) continue;
        const char *k = (size_t)col < s->n ? s->f[col].p : "";
        size_t kl = (size_t)col < s->n ? s->f[col].len : 0;
        rc = csv_group_claim(g, k, kl, &grp, e, sizeof e);
        csv_group_row r = {.grp = grp, .seq = seq++, .off = (int64_t)(start - ld->map),
                           .len = (int64_t)(s->pos - start), .line = (int64_t)s->line};
        if (rc == 0) rc = csv_group_add(g, &r, e, sizeof e);
        if (rc < 0) {
            rc = db_fail(ld, s->line, "grouping the claims");
            break;
        }
        if ((seq & 0xffff) == 0) util_release_mapped(ld->map, ld->map_len, start, &ld->released);
    }
    /* 2: read back, a batch at a time (no statement is open while a row runs) */
    int claims = ld->skip_bad;
    csv_scan one;
    csv_scan_init(&one, "", 0);
    ld->scan = &one;
    csv_group_row *b = rc == 0 ? malloc(4096 * sizeof *b) : NULL;
    if (rc == 0 && !b) rc = -ENOMEM;
    char *row_buf = NULL;
    size_t cap_row = 0;
    while (rc == 0) {
        int got = csv_group_next(g, b, 4096, e, sizeof e);
        if (got < 0) rc = db_fail(ld, 1, "grouping the claims");
        if (got <= 0) break;
        size_t n = (size_t)got;
        for (size_t i = 0; i < n && rc == 0; i++) {
            /* the row is read with pread (from the page cache) rather than through the
             * mapping: rows from all over the file would map all of it; the mapping is
             * only read for the rejects file */
            const char *text = ld->map + b[i].off;
            size_t len = (size_t)b[i].len;
            if (ld->fd >= 0) {
                if (len > cap_row) {
                    char *p = realloc(row_buf, len);
                    if (!p) {
                        rc = -ENOMEM;
                        break;
                    }
                    row_buf = p;
                    cap_row = len;
                }
                if (pread(ld->fd, row_buf, len, (off_t)b[i].off) != (ssize_t)len) {
                    rc = -EIO;
                    load__error(ld, (size_t)b[i].line, 0, NULL, "cannot read the row again: %s",
                               strerror(errno));
                    break;
                }
                text = row_buf;
            }
            ld->rec = ld->map + b[i].off;
            ld->rec_end = ld->rec + len;
            csv_scan_reset(&one, text, len, (size_t)b[i].line);
            if (csv_scan_next(&one) != 1) { /* it scanned before */
                rc = -EIO;
                break;
            }
            rc = one_row(ld, &one, claims);
        }
        if (ld->rejected) release_all(ld); /* rejects read the mapping */
    }
    free(b);
    free(row_buf);
    if (rc == 0) rc = scan_end(ld, claims);
    ld->scan = s;
    csv_scan_free(&one);
    return rc;
}

static int load_mapped(store *s, const char *path, int fd, const char *buf, size_t len,
                       const load_opts *o, load_result *r)
{
    loader ld = {.s = s, .path = path, .fd = fd, .err = o->err ? o->err : stderr,
                 .max_errors = o->max_errors > 0 ? o->max_errors : 50,
                 .skip_bad = o->skip_bad, .rejects = o->rejects, .strict = o->strict,
                 .write_behind = !o->serial_writes};
    ld.map = buf;
    ld.map_len = len;
    csv_scan scan;
    csv_scan_init(&scan, buf, len);
    ld.scan = &scan;
    int rc = 0, kind = kind_from_name(path);
    if (csv_scan_next(&scan) != 1) {
        load__error(&ld, 1, 0, NULL, "%s", scan.err[0] ? strchr(scan.err, ' ') + 1
                                                         : "empty file (expected a header row)");
        rc = -EINVAL;
    }
    if (rc == 0 && kind < 0) kind = kind_from_header(&scan);
    if (rc == 0 && kind < 0) {
        load__error(&ld, 1, 0, NULL, "not a file of the CSV input layer: name it (or give it "
                                    "the header of) acos.csv, providers.csv, eligibility.csv, "
                                    "alignment.csv, arrangements.csv, participants.csv or "
                                    "medical_claim.csv (the Tuva Project's medical_claim and "
                                    "eligibility tables load as they are)");
        rc = -EINVAL;
    }
    r->kind = kind;
    if (rc == 0) {
        ld.def = &load_kinds[kind];
        ld.header_fields = scan.n;
        rc = map_header(&ld, &scan);
    }
    /* The hash: before the load when an earlier load of this kind may have been of these
     * bytes (then a file loaded before is skipped at once), else alongside it, checked
     * at the end (the file is new unless another process loads it meanwhile). */
    file_hasher *hashing = NULL;
    int maybe = rc == 0 ? maybe_loaded(&ld) : 0;
    if (maybe < 0) rc = maybe;
    if (rc == 0 && (maybe || file_hash_start(fd, len, &hashing) < 0))
        util_sha256_mapped(buf, len, ld.sha); /* every hashed page given back */
    int seen = rc == 0 && !hashing ? already_loaded(&ld) : 0;
    if (seen > 0) {
        memcpy(r->sha256, ld.sha, sizeof ld.sha);
        r->skipped = 1;
        csv_scan_free(&scan);
        return 0;
    }
    if (seen < 0) rc = seen;
    char err[512];
    int64_t load_id = 0;
    /* claims whose rows are not in claim order (a Tuva table is a set of rows) are read
     * grouped by claim_id, staged in the store (its tables made before the transaction:
     * no schema change inside it) */
    csv_group *staged = NULL;
    if (rc == 0 && ld.def == &load_kinds[LOAD_MEDICAL_CLAIM])
        ld.grouped = !claims_in_order(&ld, scan.pos, buf + len);
    if (rc == 0 && ld.grouped && csv_group_open(s, &staged, err, sizeof err) < 0)
        rc = db_fail(&ld, 1, "grouping the claims");
    /* claims written into the file directly (store_direct_begin) when nothing else has
     * the store open: the first claims of a store, and a later file's too (a rollback
     * journal holds the earlier pages it changes, once each; the WAL would hold every
     * page it writes, new ones included, and grow with the file) */
    int direct = rc == 0 && ld.def == &load_kinds[LOAD_MEDICAL_CLAIM] && !o->no_direct &&
                 store_direct_begin(s) == 1;
    int began = rc == 0 && store_begin(s, err, sizeof err) == 0;
    if (rc == 0 && !began) rc = db_fail(&ld, 1, "starting the transaction");
    /* the same bytes loaded by another process between the look-up above and this
     * transaction (two loads of one file at once): skipped as well, inside it */
    int late = rc == 0 && !hashing ? already_loaded(&ld) : 0;
    if (late < 0) rc = late;
    late = late > 0;
    if (rc == 0 && !late) rc = start_load(&ld, &load_id);
    ld.load_id = load_id;
    if (rc == 0 && !late && ld.def->prepare) rc = ld.def->prepare(&ld);
    if (rc == 0 && !late)
        rc = ld.grouped ? scan_grouped(&ld, &scan, staged) : scan_rows(&ld, &scan);
    csv_group_close(staged); /* inside the transaction when there is one */
    /* with skip_bad, bad rows were left out (and written to the rejects file) */
    int clean = ld.errors == 0 || ld.skip_bad;
    if (hashing && rc == 0 && clean) {
        late = hash_joined(&ld, hashing, load_id);
        if (late < 0) rc = late;
        late = late > 0;
    } else {
        file_hash_cancel(hashing); /* not needed: the file is not recorded */
    }
    if (rc == 0 && clean && !late) rc = finish_load(&ld, load_id);
    if (rc == 0 && clean && !late && store_commit(s, err, sizeof err) < 0)
        rc = db_fail(&ld, 1, "committing");
    if (ld.def && ld.def->finalize) ld.def->finalize(&ld);
    if (began && (rc < 0 || !clean || late)) store_rollback(s);
    if (direct) store_direct_end(s);
    if (late) r->skipped = 1;
    memcpy(r->sha256, ld.sha, sizeof ld.sha);
    r->rows = ld.rows;
    r->errors = ld.errors;
    r->rejected = ld.rejected;
    r->warnings = ld.warnings;
    if (ld.warnings > ld.max_errors)
        fprintf(ld.err, "%s: ... and %lld more warnings\n", path,
                (long long)(ld.warnings - ld.max_errors));
    if (ld.errors > ld.max_errors)
        fprintf(ld.err, "%s: ... and %d more errors\n", path, ld.errors - ld.max_errors);
    free(ld.sp_rows);
    csv_scan_free(&scan);
    if (rc < 0 || !clean) return rc < 0 ? rc : -EINVAL;
    return 0;
}

int load_file(store *s, const char *path, const load_opts *o, load_result *r)
{
    memset(r, 0, sizeof *r);
    r->kind = -1;
    FILE *errf = o->err ? o->err : stderr;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        fprintf(errf, "%s: cannot open: %s\n", path, strerror(e));
        r->errors = 1;
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fprintf(errf, "%s: not a regular file\n", path);
        close(fd);
        r->errors = 1;
        return -EINVAL;
    }
    size_t len = (size_t)st.st_size;
    const char *buf = "";
    void *map = NULL;
    if (len > 0) {
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            int e = errno;
            fprintf(errf, "%s: cannot map: %s\n", path, strerror(e));
            close(fd);
            r->errors = 1;
            return -e;
        }
        madvise(map, len, MADV_SEQUENTIAL);
        buf = map;
    }
    int rc = load_mapped(s, path, fd, buf, len, o, r);
    close(fd);
    if (map) munmap(map, len);
    return rc;
}
