/*
 * tests/cclf_build.c: see cclf_build.h.
 */
#include "cclf_build.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/cclf.h"
#include "load/load_feed.h"
#include "base/util.h"


void rec_init(rec *r, char file)
{
    r->file = file;
    const cclf_layout *l = cclf_layout_for(file);
    memset(r->b, ' ', l->reclen);
    r->b[l->reclen] = '\0';
}

/* Set a field: digits and money right-justified (digits zero-padded), text left. */
void set(rec *r, const char *name, const char *v)
{
    const cclf_field *f = cclf_field_named(cclf_layout_for(r->file), name);
    ck_assert_msg(f != NULL, "CCLF%c has no %s", r->file, name);
    size_t n = strlen(v);
    ck_assert_uint_le(n, f->len);
    char *p = r->b + f->start - 1;
    memset(p, f->kind == '9' ? '0' : ' ', f->len);
    if (f->kind == '9' || f->kind == 'M') memcpy(p + f->len - n, v, n);
    else memcpy(p, v, n);
}

void add(text *t, const rec *r)
{
    size_t n = strlen(r->b);
    ck_assert_uint_lt(t->n + n + 1, sizeof t->s);
    memcpy(t->s + t->n, r->b, n);
    t->n += n;
    t->s[t->n++] = '\n';
    t->s[t->n] = '\0';
}

void summary_rec(text *t, char file, long records, unsigned reclen)
{
    rec r;
    rec_init(&r, '0');
    char label[8], n[24];
    snprintf(label, sizeof label, "CCLF%c", file);
    set(&r, "FileNumberLabel", label);
    snprintf(n, sizeof n, "%ld", records);
    set(&r, "TotalRecordsCountLabel", n);
    snprintf(n, sizeof n, "%u", reclen);
    set(&r, "RecordLengthLabel", n);
    add(t, &r);
}

int slot(char file) { return file >= 'A' ? 10 + file - 'A' : file - '0'; }

void put_rec(delivery *d, const rec *r)
{
    d->used[slot(r->file)] = 1;
    add(&d->f[slot(r->file)], r);
}

/* Write the delivery's files (with a CCLF0 when summary) and load them. Returns
 * load_cclf's code; errors land in errs, rejects in DIR/rejects.tsv. */
int deliver_to(const char *dir, store *db, delivery *d, int summary, int skip_bad, int strict,
               char **errs, char **out_paths)
{
    static const char files[] = "0123456789AB";
    char *paths[12];
    int n = 0;
    if (summary) {
        text *z = &d->f[0];
        z->n = 0;
        for (int i = 1; i < 12; i++)
            if (d->used[i]) {
                size_t recs = 0;
                for (size_t k = 0; k < d->f[i].n; k++) recs += d->f[i].s[k] == '\n';
                summary_rec(z, files[i], (long)recs, cclf_layout_for(files[i])->reclen);
            }
        d->used[0] = 1;
    }
    for (int i = 0; i < 12; i++) {
        if (!d->used[i]) continue;
        char path[256];
        snprintf(path, sizeof path, "%s/%sZC%c%c%s.D%s.T1200000", dir,
                 d->prefix ? d->prefix : "T.A1234.ACO.", files[i], d->kind ? d->kind : 'Y',
                 d->year ? d->year : "27", d->date);
        FILE *f = fopen(path, "w");
        fwrite(d->f[i].s, 1, d->f[i].n, f);
        fclose(f);
        paths[n++] = strdup(path);
    }
    if (out_paths) {
        for (int i = 0; i < n; i++) out_paths[i] = paths[i];
        return n;
    }
    char errpath[128], rejpath[128], err[256];
    snprintf(errpath, sizeof errpath, "%s/errors", dir);
    snprintf(rejpath, sizeof rejpath, "%s/rejects.tsv", dir);
    FILE *e = fopen(errpath, "w"), *rj = fopen(rejpath, "w");
    feed_opts o = {.max_errors = 50, .err = e, .out = e, .skip_bad = skip_bad, .rejects = rj,
                   .strict = strict};
    int rc = load_cclf(db, paths, (size_t)n, &o);
    fclose(e);
    fclose(rj);
    for (int i = 0; i < n; i++) free(paths[i]);
    size_t len;
    free(*errs);
    ck_assert_int_eq(util_read_file(errpath, 1 << 20, errs, &len, err, sizeof err), 0);
    return rc;
}

