/*
 * load.c: see load.h. The column specs of each file kind are in load_kinds.c.
 */
#include "load.h"

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

#include "csv_scan.h"
#include "load_internal.h"
#include "sha256.h"
#include "util.h"

const char *load_kind_file(int kind)
{
    return kind >= 0 && kind < LOAD_N_KINDS ? load_kinds[kind].file : "?";
}

/* ---- error reporting ------------------------------------------------------------- */

static void reject_row(loader *ld, size_t line, const char *field, const char *msg,
                       const char *rec, const char *end);

void load_error(loader *ld, size_t line, size_t col, const char *field, const char *fmt, ...)
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
    load_error(ld, line, 0, NULL, "%s: %s", what, sqlite3_errmsg(ld->db));
    return -EIO;
}

/* ---- header ------------------------------------------------------------------------ */

static int kind_from_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (int k = 0; k < LOAD_N_KINDS; k++)
        if (strcmp(base, load_kinds[k].file) == 0) return k;
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
                load_error(ld, 1, j + 1, NULL, "column \"%.*s\" appears twice (also column %zu)",
                           (int)h->f[j].len, h->f[j].p, i + 1);
    for (size_t c = 0; c < d->n_cols; c++) {
        ld->col_at[c] = header_index(h, d->cols[c].name);
        if (ld->col_at[c] < 0 && d->cols[c].required && off < sizeof missing - 40)
            off += (size_t)snprintf(missing + off, sizeof missing - off, "%s%s",
                                    off ? ", " : "", d->cols[c].name);
    }
    if (off)
        load_error(ld, 1, 0, NULL, "missing column(s): %s (a %s header needs them; see "
                                   "docs/input-formats.md)", missing, d->file);
    return ld->errors ? -EINVAL : 0;
}

/* ---- rows --------------------------------------------------------------------------- */

/* Validate every mapped field of the current record into ld->vals. 0 when all good. */
static int check_row(loader *ld, const csv_scan *s)
{
    const kind_def *d = ld->def;
    int bad = 0;
    for (size_t c = 0; c < d->n_cols; c++) {
        field_value *v = &ld->vals[c];
        int at = ld->col_at[c];
        if (at < 0) {
            memset(v, 0, sizeof *v);
            v->empty = 1;
            continue;
        }
        char msg[400];
        if (field_check(&d->cols[c], s->f[at].p, s->f[at].len, v, msg, sizeof msg) < 0) {
            load_error(ld, s->line, (size_t)at + 1, d->cols[c].name, "%s", msg);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* Bind spec column c as SQL parameter `param`. */
void load_bind(loader *ld, sqlite3_stmt *st, int param, size_t c)
{
    const field_spec *spec = &ld->def->cols[c];
    const field_value *v = &ld->vals[c];
    if (v->empty) {
        if (spec->kind == F_TEXT || spec->kind == F_ENUM || spec->kind == F_SPECIALTY ||
            spec->kind == F_STATE || spec->kind == F_ZIP || spec->kind == F_POS ||
            spec->kind == F_DISP || spec->kind == F_REVENUE || spec->kind == F_BILL_TYPE ||
            spec->kind == F_HCPCS || spec->kind == F_MODIFIER || spec->kind == F_NPI ||
            spec->kind == F_TIN)
            sqlite3_bind_text(st, param, "", 0, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, param);
        return;
    }
    switch (spec->kind) {
    case F_MONEY:
    case F_POSINT:
    case F_BPS: sqlite3_bind_int64(st, param, v->num); break;
    /* SQLITE_STATIC: every statement is stepped right after binding, while the field
     * and ld->vals still hold the row (no copy per value). */
    case F_TEXT: {
        int at = ld->col_at[c];
        sqlite3_bind_text(st, param, ld->scan->f[at].p, (int)ld->scan->f[at].len, SQLITE_STATIC);
        break;
    }
    default: sqlite3_bind_text(st, param, v->text, -1, SQLITE_STATIC); break;
    }
}

/* Index of spec column `name` (the specs are static: a missing name is a bug). */
size_t load_col(const loader *ld, const char *name)
{
    for (size_t c = 0; c < ld->def->n_cols; c++)
        if (strcmp(ld->def->cols[c].name, name) == 0) return c;
    abort();
}

/* An end date before its start date is an error at the end date. */
void load_check_order(loader *ld, const char *start, const char *end)
{
    size_t a = load_col(ld, start), b = load_col(ld, end);
    if (ld->vals[a].empty || ld->vals[b].empty || ld->vals[b].num >= ld->vals[a].num) return;
    load_error(ld, ld->scan->line, (size_t)ld->col_at[b] + 1, end, "%s is before %s %s",
               ld->vals[b].text, start, ld->vals[a].text);
}

/* ---- the file ------------------------------------------------------------------------ */

/* Give back the mapped pages before `upto` (they were read; the page cache keeps the
 * file): the loader's memory stays flat however large the file. A no-op for buffers
 * that are not page-aligned mappings. */
static void release_pages(const char *base, size_t len, const char *upto, size_t *released)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || ((uintptr_t)base % (uintptr_t)page) != 0 || upto < base || upto > base + len)
        return;
    size_t off = (size_t)(upto - base) / (size_t)page * (size_t)page;
    if (off > *released) {
        madvise((void *)(base + *released), off - *released, MADV_DONTNEED);
        *released = off;
    }
}

static int start_load(loader *ld, int64_t *load_id)
{
    sqlite3_stmt *st;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (sqlite3_prepare_v2(ld->db, "INSERT INTO loads (path, kind, sha256, rows, loaded_at) "
                                   "VALUES (?1, ?2, ?3, 0, ?4)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(ld, 1, "recording the load");
    sqlite3_bind_text(st, 1, ld->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ld->def->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ld->sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(ld, 1, "recording the load");
    *load_id = sqlite3_last_insert_rowid(ld->db);
    return 0;
}

/* Record the row count, and the load in the audit log (a bulk load is a change too). */
static int finish_load(loader *ld, int64_t load_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ld->db, "UPDATE loads SET rows = ?2, rejected = ?3 WHERE load_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(ld, 1, "recording the load");
    sqlite3_bind_int64(st, 1, load_id);
    sqlite3_bind_int64(st, 2, ld->rows);
    sqlite3_bind_int64(st, 3, ld->rejected);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(ld, 1, "recording the load");
    if (sqlite3_prepare_v2(ld->db,
                           "INSERT INTO audit_log (at, actor, action, entity, entity_id, after) "
                           "SELECT loaded_at, ?2, 'load', kind, path, json_object('load_id', "
                           "load_id, 'sha256', sha256, 'rows', rows) FROM loads WHERE load_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(ld, 1, "auditing the load");
    const char *user = getenv("USER");
    sqlite3_bind_int64(st, 1, load_id);
    sqlite3_bind_text(st, 2, user && *user ? user : "cli", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(ld, 1, "auditing the load");
}

static int already_loaded(loader *ld)
{
    sqlite3_stmt *st;
    int found = 0;
    /* only a load that took every row counts: after --skip-bad the same bytes load
     * again (a fix elsewhere, e.g. a missing ACO, can make the rejected rows good) */
    if (sqlite3_prepare_v2(ld->db, "SELECT 1 FROM loads WHERE sha256 = ?1 AND kind = ?2 AND "
                                   "rejected = 0", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, ld->sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ld->def->file, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return found;
}

/* Scan every record after the header and hand it to the kind's row function. */
/* ---- skip_bad for claims: one savepoint per claim version ------------------------------ */

static int sp_exec(loader *ld, const char *sql)
{
    return sqlite3_exec(ld->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

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
    ld->sp_key[0] = '\0';
    return sp_exec(ld, "RELEASE SAVEPOINT cara_claim");
}

/* Before a claims row: a new claim version opens a savepoint. 1 when the row belongs to
 * a claim already rejected (skip it). */
static int sp_before_row(loader *ld, const csv_scan *s)
{
    char key[96];
    raw_claim_key(ld, s, key, sizeof key);
    if (ld->sp_key[0] && !strcmp(key, ld->sp_key)) return ld->sp_bad;
    if (sp_close(ld) < 0 || sp_exec(ld, "SAVEPOINT cara_claim") < 0) return -1;
    util_strlcpy(ld->sp_key, key, sizeof ld->sp_key);
    ld->sp_bad = 0;
    ld->sp_first_line = s->line;
    ld->sp_first = ld->rec;
    return 0;
}

/* After a bad claims row: undo the claim version and reject its earlier rows. */
static int sp_after_bad(loader *ld, const csv_scan *s)
{
    if (!ld->sp_key[0] || ld->sp_bad) return 0;
    ld->sp_bad = 1;
    ld->sp_bad_line = s->line;
    memset(&ld->group, 0, sizeof ld->group); /* the stored claim is as before */
    if (sp_exec(ld, "ROLLBACK TO SAVEPOINT cara_claim") < 0) return -EIO;
    char why[160];
    snprintf(why, sizeof why, "the claim has a bad line (line %zu): rejected whole", s->line);
    const char *p = ld->sp_first; /* its earlier rows, one reject line each */
    for (size_t line = ld->sp_first_line; p && p < ld->rec && line < s->line; line++) {
        const char *nl = memchr(p, '\n', (size_t)(ld->rec - p));
        const char *e = nl ? nl + 1 : ld->rec;
        reject_row(ld, line, "claim_id", why, p, e);
        p = e;
    }
    return 0;
}

static int scan_rows(loader *ld, csv_scan *s)
{
    int rc = 0;
    int claims = ld->skip_bad && ld->def == &load_kinds[LOAD_MEDICAL_CLAIM];
    for (;;) {
        const char *start = s->pos;
        int got = csv_scan_next(s);
        if (got == 0) break;
        if (got < 0) {
            ld->rec = NULL; /* the rest cannot be split: the file is rejected */
            load_error(ld, s->line ? s->line : 1, 0, NULL, "%s", strchr(s->err, ' ') + 1);
            return -EINVAL;
        }
        if (s->n == 1 && s->f[0].len == 0) continue; /* blank line */
        ld->rec = start;
        ld->rec_end = s->pos;
        ld->row_bad = 0;
        ld->rows++;
        if ((ld->rows & 0xffff) == 0) release_pages(ld->map, ld->map_len, s->f[0].p, &ld->released);
        if (s->n != ld->header_fields) {
            load_error(ld, s->line, 0, NULL, "the row has %zu fields, the header has %zu",
                       s->n, ld->header_fields);
            continue;
        }
        if (claims) {
            int skip = sp_before_row(ld, s);
            if (skip < 0) return -EIO;
            if (skip) {
                char why[160];
                snprintf(why, sizeof why, "the claim has a bad line (line %zu): rejected whole",
                         ld->sp_bad_line);
                reject_row(ld, s->line, "claim_id", why, ld->rec, ld->rec_end);
                continue;
            }
        }
        int before = ld->errors;
        if (check_row(ld, s) == 0) {
            rc = ld->def->row(ld);
            if (rc < 0 && rc != -EINVAL) return rc; /* a store failure stops the file */
        }
        if (claims && ld->errors != before && sp_after_bad(ld, s) < 0) return -EIO;
    }
    ld->rec = NULL;
    if (claims && sp_close(ld) < 0) return -EIO;
    if (ld->def->end) {
        int e = ld->def->end(ld);
        if (e < 0 && e != -EINVAL) return e;
    }
    return 0;
}

static int load_mapped(store *s, const char *path, const char *buf, size_t len,
                       const load_opts *o, load_result *r)
{
    loader ld = {.db = store_db(s), .path = path, .err = o->err ? o->err : stderr,
                 .max_errors = o->max_errors > 0 ? o->max_errors : 50,
                 .skip_bad = o->skip_bad, .rejects = o->rejects};
    sha256_ctx h;
    unsigned char digest[32];
    size_t released = 0;
    sha256_init(&h);
    for (size_t at = 0; at < len;) { /* 16 MiB at a time, releasing what was hashed */
        size_t n = len - at < (16u << 20) ? len - at : (16u << 20);
        sha256_update(&h, buf + at, n);
        at += n;
        release_pages(buf, len, buf + at, &released);
    }
    sha256_final(&h, digest);
    for (int i = 0; i < 32; i++) snprintf(ld.sha + 2 * i, 3, "%02x", digest[i]);
    ld.map = buf;
    ld.map_len = len;
    memcpy(r->sha256, ld.sha, sizeof ld.sha);
    csv_scan scan;
    csv_scan_init(&scan, buf, len);
    ld.scan = &scan;
    int rc = 0, kind = kind_from_name(path);
    if (csv_scan_next(&scan) != 1) {
        load_error(&ld, 1, 0, NULL, "%s", scan.err[0] ? strchr(scan.err, ' ') + 1
                                                         : "empty file (expected a header row)");
        rc = -EINVAL;
    }
    if (rc == 0 && kind < 0) kind = kind_from_header(&scan);
    if (rc == 0 && kind < 0) {
        load_error(&ld, 1, 0, NULL, "not a file of the CSV input layer: name it (or give it "
                                    "the header of) acos.csv, providers.csv, eligibility.csv, "
                                    "alignment.csv, arrangements.csv, participants.csv or "
                                    "medical_claim.csv");
        rc = -EINVAL;
    }
    r->kind = kind;
    if (rc == 0) {
        ld.def = &load_kinds[kind];
        ld.header_fields = scan.n;
        rc = map_header(&ld, &scan);
    }
    if (rc == 0 && already_loaded(&ld)) {
        r->skipped = 1;
        csv_scan_free(&scan);
        return 0;
    }
    char err[512];
    int64_t load_id = 0;
    int began = rc == 0 && store_begin(s, err, sizeof err) == 0;
    if (rc == 0 && !began) rc = db_fail(&ld, 1, "starting the transaction");
    if (rc == 0) rc = start_load(&ld, &load_id);
    ld.load_id = load_id;
    if (rc == 0 && ld.def->prepare) rc = ld.def->prepare(&ld);
    if (rc == 0) rc = scan_rows(&ld, &scan);
    /* with skip_bad, bad rows were left out (and written to the rejects file) */
    int clean = ld.errors == 0 || ld.skip_bad;
    if (rc == 0 && clean) rc = finish_load(&ld, load_id);
    if (rc == 0 && clean && store_commit(s, err, sizeof err) < 0) rc = db_fail(&ld, 1, "committing");
    if (ld.def && ld.def->finalize) ld.def->finalize(&ld);
    if (began && (rc < 0 || !clean)) store_rollback(s);
    r->rows = ld.rows;
    r->errors = ld.errors;
    r->rejected = ld.rejected;
    if (ld.errors > ld.max_errors)
        fprintf(ld.err, "%s: ... and %d more errors\n", path, ld.errors - ld.max_errors);
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
    close(fd);
    int rc = load_mapped(s, path, buf, len, o, r);
    if (map) munmap(map, len);
    return rc;
}
