/*
 * load_feed_common.c: what the CCLF and FHIR loaders share: error and reject
 * reporting, file-name recognition, and the record of each loaded file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feeds/feeds.h"
#include "base/base.h"
#include "load_feed.h"

/* Write s with tabs and line ends replaced by spaces (the rejects file is TSV). */
static void tsv(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        fputc(c == '\t' || c == '\n' || c == '\r' ? ' ' : c, f);
    }
}

void feed_reject(feed_report *r, const char *path, size_t record, size_t column,
                 const char *field, const char *rec, size_t reclen, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->errors++;
    const feed_opts *o = r->o;
    if (r->errors <= (o->max_errors > 0 ? o->max_errors : 50)) {
        FILE *e = o->err ? o->err : stderr;
        fprintf(e, "%s:%zu", path, record);
        if (column) fprintf(e, ":%zu", column);
        fprintf(e, ": %s%s%s\n", field ? field : "", field ? ": " : "", msg);
    }
    if (o->skip_bad && o->rejects) {
        fprintf(o->rejects, "%s\t%zu\t%s\t", path, record, field ? field : "");
        tsv(o->rejects, msg, strlen(msg));
        fputc('\t', o->rejects);
        if (rec) tsv(o->rejects, rec, reclen);
        fputc('\n', o->rejects);
        r->rejected++;
    }
}

int feed_warn(feed_report *r, const char *path, size_t record, size_t column,
              const char *field, const char *rec, size_t reclen, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->o->strict) {
        feed_reject(r, path, record, column, field, rec, reclen, "%s (an optional field; "
                    "without --strict it would be stored as absent)", msg);
        return -1;
    }
    r->warnings++;
    if (r->errors + r->warnings <= (r->o->max_errors > 0 ? r->o->max_errors : 50)) {
        FILE *e = r->o->err ? r->o->err : stderr;
        fprintf(e, "%s:%zu", path, record);
        if (column) fprintf(e, ":%zu", column);
        fprintf(e, ": warning: %s%s%s%s\n", field ? field : "", field ? ": " : "", msg,
                field ? " (stored as absent)" : "");
    }
    return 0;
}

void feed_notice(feed_report *r, const char *path, size_t record, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->warnings++;
    if (r->errors + r->warnings <= (r->o->max_errors > 0 ? r->o->max_errors : 50)) {
        FILE *e = r->o->err ? r->o->err : stderr;
        fprintf(e, "%s", path);
        if (record) fprintf(e, ":%zu", record);
        fprintf(e, ": warning: %s\n", msg);
    }
}

int load_date_beyond_horizon(cara_date d)
{
    return d != (cara_date)CARA_DATE_NONE && d > LOAD_DATE_HORIZON_DAY;
}

void feed_check_dates(feed_report *r, const char *path, size_t record, const feed_claim *c)
{
    cara_date last = CARA_DATE_NONE;
    const cara_date cand[] = {c->start, c->end};
    for (size_t i = 0; i < 2; i++)
        if (load_date_beyond_horizon(cand[i]) && (last == CARA_DATE_NONE || cand[i] > last))
            last = cand[i];
    for (size_t i = 0; i < c->n_lines; i++) {
        const cara_date l[] = {c->lines[i].start, c->lines[i].end};
        for (size_t k = 0; k < 2; k++)
            if (load_date_beyond_horizon(l[k]) && (last == CARA_DATE_NONE || l[k] > last))
                last = l[k];
    }
    if (last == CARA_DATE_NONE) return;
    char day[11];
    date_format(last, day);
    feed_notice(r, path, record, "claim %s: service date %s is after %s (the last performance "
                "year and its run-out): loaded, but check the file's dates", c->claim_id, day,
                LOAD_DATE_HORIZON_TEXT);
}

int load_is_cclf_name(const char *base)
{
    cclf_name n;
    return cclf_name_parse(base, &n) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int load_is_fhir_name(const char *base)
{
    return ends_with(base, ".ndjson") || ends_with(base, ".json");
}

int load_feed_record(store *s, const char *path, const char *kind, const char *sha,
                     int64_t bytes, int64_t *id, char *err, size_t errlen)
{
    char e[256], at[32];
    int seen = loads_w_seen(s, sha, kind, e, sizeof e);
    if (seen > 0) return 1;
    const char *user = getenv("USER");
    if (seen < 0 || loads_w_begin(s, path, kind, sha, bytes, id, at, e, sizeof e) < 0 ||
        loads_w_audit(s, *id, path, kind, sha, at, user && *user ? user : "cli", -1, e,
                      sizeof e) < 0) {
        snprintf(err, errlen, "recording the load of %s: %s", path, store_errmsg(s));
        return -EIO;
    }
    return 0;
}

int load_feed_record_pending(store *s, const char *path, const char *kind, int64_t bytes,
                             int64_t *id, char at[32], char *err, size_t errlen)
{
    char e[256];
    if (loads_w_begin(s, path, kind, "", bytes, id, at, e, sizeof e) == 0) return 0;
    snprintf(err, errlen, "recording the load of %s: %s", path, store_errmsg(s));
    return -EIO;
}

int load_feed_record_hash(store *s, int64_t id, const char *path, const char *kind,
                          const char *sha, const char *at, char *err, size_t errlen)
{
    char e[256];
    const char *user = getenv("USER");
    if (loads_w_sha(s, id, sha, e, sizeof e) == 0 &&
        loads_w_audit(s, id, path, kind, sha, at, user && *user ? user : "cli", -1, e,
                      sizeof e) == 0)
        return 0;
    snprintf(err, errlen, "recording the load of %s: %s", path, store_errmsg(s));
    return -EIO;
}

int load_feed_counts(store *s, int64_t load_id, int64_t rejected, int64_t warnings,
                     char *err, size_t errlen)
{
    char e[256];
    if (loads_w_counts(s, load_id, -1, rejected, warnings, e, sizeof e) == 0) return 0;
    snprintf(err, errlen, "recording the load: %s", store_errmsg(s));
    return -EIO;
}

void load_phase(const char *label, const char *name)
{
    static struct timespec last;
    static int on = -1;
    if (on < 0) on = getenv("CARA_LOAD_TIMING") != NULL;
    if (!on) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (name) {
        long rss = -1, pages;
        FILE *f = fopen("/proc/self/statm", "r");
        if (f && fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = -1;
        if (f) fclose(f);
        fprintf(stderr, "cara load: timing: %s: %-26s %7.3f s  rss %ld KB\n", label, name,
                (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9,
                rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024));
    }
    last = now;
}

int load_feed_hash_joined(store *s, file_hasher *h, const char *path, const char *kind,
                          int64_t id, const char *at, char sha[65], int *seen, char *err,
                          size_t errlen)
{
    *seen = 0;
    int rc = file_hash_join(h, sha);
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot read the file to hash it: %s", path, strerror(-rc));
        return -EIO;
    }
    int was = loads_w_seen(s, sha, kind, err, errlen);
    if (was < 0 || load_feed_record_hash(s, id, path, kind, sha, at, err, errlen) < 0) return -EIO;
    *seen = was == 1;
    return 0;
}
