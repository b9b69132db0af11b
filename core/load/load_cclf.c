/*
 * load_cclf.c: CCLF deliveries into the store (load_feed.h).
 *
 * Per delivery, in one transaction: CCLF0's record counts are checked against the
 * files; CCLF9 updates the MBI crosswalk (re-keying what the store holds); CCLF8 gives
 * beneficiaries; the claim files (1-6) are validated record by record (every other
 * chunk on a second thread, cclf_ahead.h) and staged (cclf_stage.h: where each record
 * is, in memory up to a bound, then in a temporary table), then assembled into claims
 * (CCLF1 + its CCLF2 lines, CCLF3 procedures and CCLF4 diagnoses; CCLF5/6 lines grouped
 * by CUR_CLM_UNIQ_ID) and applied by natural key and version (feed_store.h).
 *
 * Hashes: a file whose size no earlier whole load of its CCLF kind had cannot be one
 * loaded before; the largest such files are hashed alongside the delivery (file_hash.h)
 * and their hashes recorded before the commit, the others first (as load_fhir.c does).
 */
#include <errno.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feeds/feeds.h"
#include "base/base.h"
#include "load_feed.h"
#include "cclf_ahead.h"

typedef struct cfile {
    const char *path;       /* what messages and the loads rows call it (feed_opts.cclf_names) */
    const char *open_path;  /* where it is read from */
    const char *base;
    cclf_name name;
    const char *buf;
    size_t len;
    char sha[65];
    long records;
    int seen;               /* loaded before, whole (same SHA-256, nothing rejected) */
    int64_t load_id;        /* its `loads` row (0 when seen) */
    size_t lo, hi;          /* the bytes staged() read since it last gave pages back */
    size_t *chunk_at;       /* the offset of every ctx.chunk-th record (the counting pass) */
    size_t n_chunks;
    int fd;                 /* hashing's descriptor, -1 when none */
    file_hasher *hashing;   /* its hash alongside the load, until joined (sha "" till then) */
    char at[32];            /* its loaded_at, for the audit row written once hashed */
} cfile;

/* files of a delivery hashed alongside it at most (the largest new ones) */
enum { HASH_ALONGSIDE = 2 };

typedef struct ctx {
    store *s;
    const feed_opts *o;
    feed_report rep;
    feed_sink *sink;
    cfile *f;
    size_t n;
    cclf_stage *stage;      /* the staged claim-file records (cclf_stage.h) */
    int64_t load_id;
    char err[512];
    int failed;             /* a store failure: stop */
    uint64_t read_back;     /* staged records read back (staged_read) */
    int random_access;      /* the mappings marked MADV_RANDOM (staged_at's first call) */
    int64_t hicn_rows;      /* CCLF9 HICN pairs (not used: claims carry MBIs) */
    int64_t test_ids;       /* records whose identifier is a CMS test id, not an MBI */
    int64_t aligned;        /* CCLF8 beneficiaries aligned to the delivery's ACO */
    int explicit_alignment; /* -1 not known yet; 1 alignment.csv aligns people that year */
    people_q *align;        /* the alignment reads (people_q.h) */
    people_w *people;       /* CCLF8's alignment rows */
    size_t chunk;           /* records per chunk of the two-thread check (cclf_ahead.h) */
} ctx;

/* ---- records ------------------------------------------------------------------------- */

/* Mark the claim of record rec (its first 13 characters) bad. As before the move into
 * the store, a failure to mark it is not reported (its message is not kept either). */
static void mark_bad(ctx *x, const char *rec)
{
    char e[256];
    (void)cclf_stage_mark_bad(x->stage, rec, 13, e, sizeof e);
}

static void store_failed(ctx *x, const char *what);

typedef void (*rec_fn)(ctx *x, size_t fi, const char *rec, size_t recno);

/* Every record of file fi of the right length to fn. Without fn, counts the records
 * and reports those of the wrong length (their claim, when their first 13 characters
 * are a claim id, is rejected too); with fn, skips them silently. */
static void each_record(ctx *x, size_t fi, rec_fn fn)
{
    cfile *f = &x->f[fi];
    const cclf_layout *l = cclf_layout_for(f->name.file);
    const char *p = f->buf, *end = f->buf + f->len;
    size_t recno = 0, released = 0, cap = 0;
    while (p < end && !x->failed) {
        if ((recno & 0x3fff) == 0) /* give back what was read: memory stays flat */
            util_release_mapped(f->buf, f->len, p, &released);
        if (!fn && recno % x->chunk == 0) { /* where each chunk starts (stage_files) */
            if (f->n_chunks == cap) {
                size_t nc = cap ? cap * 2 : 64;
                size_t *v = realloc(f->chunk_at, nc * sizeof *v);
                if (!v) {
                    snprintf(x->err, sizeof x->err, "out of memory");
                    store_failed(x, "counting records");
                    break;
                }
                f->chunk_at = v;
                cap = nc;
            }
            f->chunk_at[f->n_chunks++] = (size_t)(p - f->buf);
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r') n--;
        recno++;
        if (n != l->reclen && fn) {
            /* reported by the counting pass */
        } else if (n != l->reclen) {
            feed_reject(&x->rep, f->path, recno, 0, NULL, p, n, "the record is %zu characters "
                        "long (CCLF%c records are %u)", n, l->file, l->reclen);
            if (x->stage && n >= 13 && strspn(p, "0123456789") >= 13) mark_bad(x, p);
        } else if (fn) {
            fn(x, fi, p, recno);
        }
        p = nl ? nl + 1 : end;
    }
    util_release_mapped(f->buf, f->len, end, &released);
    if (!fn) f->records = (long)recno;
}

static void record_error(ctx *x, size_t fi, const char *rec, size_t recno, const cclf_error *e)
{
    const cclf_layout *l = cclf_layout_for(x->f[fi].name.file);
    feed_reject(&x->rep, x->f[fi].path, recno, e->field ? e->field->start : 0,
                e->field ? e->field->name : NULL, rec, l->reclen, "%s", e->msg);
}

/* Report a converted record's warnings (optional fields stored as absent). Returns -1
 * when --strict made one of them an error: the record is rejected. */
static int record_warnings(ctx *x, size_t fi, const char *rec, size_t recno, const cclf_error *e)
{
    const cclf_layout *l = cclf_layout_for(x->f[fi].name.file);
    int n = e->n_warn < CCLF_WARN_MAX ? e->n_warn : CCLF_WARN_MAX;
    for (int i = 0; i < n; i++)
        if (feed_warn(&x->rep, x->f[fi].path, recno, e->warn[i].field ? e->warn[i].field->start : 0,
                      e->warn[i].field ? e->warn[i].field->name : NULL, rec, l->reclen, "%s",
                      e->warn[i].msg) < 0)
            return -1;
    if (e->n_warn > n) x->rep.warnings += e->n_warn - n;
    return 0;
}

static void store_failed(ctx *x, const char *what)
{
    if (x->failed) return;
    x->failed = 1;
    fprintf(x->o->err ? x->o->err : stderr, "cara load: %s: %s\n", what,
            x->err[0] ? x->err : store_errmsg(x->s));
}

/* ---- CCLF0 ------------------------------------------------------------------------------- */

static void check_summary(ctx *x, size_t fi)
{
    cclf_count counts[16];
    char err[256];
    int n = cclf_summary(x->f[fi].buf, x->f[fi].len, counts, 16, err, sizeof err);
    if (n < 0) {
        feed_reject(&x->rep, x->f[fi].path, 0, 0, NULL, NULL, 0, "%s", err);
        return;
    }
    for (int i = 0; i < n; i++) {
        size_t j = 0;
        while (j < x->n && x->f[j].name.file != counts[i].file) j++;
        if (j == x->n) continue; /* a file CMS sent that was not given: not checked */
        const cclf_layout *l = cclf_layout_for(counts[i].file);
        /* the records themselves are checked against the layout; a summary that states
         * an older packet's length (BCDA's test deliveries do) is only noted */
        if (counts[i].reclen && counts[i].reclen != l->reclen)
            feed_warn(&x->rep, x->f[fi].path, 0, 0, NULL, NULL, 0, "CCLF%c: record length "
                      "%ld, but the v36 layout has %u", counts[i].file, counts[i].reclen, l->reclen);
        if (counts[i].records != x->f[j].records)
            feed_reject(&x->rep, x->f[j].path, 0, 0, NULL, NULL, 0, "%ld records, but CCLF0 (%s) "
                        "says %ld: the delivery is incomplete or corrupted", x->f[j].records,
                        x->f[fi].base, counts[i].records);
    }
}

/* ---- CCLF9 and CCLF8 ------------------------------------------------------------------------ */

/* An MBI of CCLF9: valid, or in a test delivery a CMS test identifier (cclf_feed.h). */
static int xwalk_mbi(ctx *x, size_t fi, const char *v, size_t n, char out[13], char *msg,
                     size_t msglen)
{
    if (feed_check_mbi(v, n, out, 13, msg, msglen) == 0) return 0;
    if (x->f[fi].name.env == 'T' && n == 11 && strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 11) {
        memcpy(out, v, 12);
        x->test_ids++;
        return 0;
    }
    return -1;
}

static void xwalk_file(ctx *x, size_t fi)
{
    cclf_xwalk *xw;
    char err[256];
    if (cclf_xwalk_build(x->f[fi].buf, x->f[fi].len, &xw, err, sizeof err) < 0) {
        feed_reject(&x->rep, x->f[fi].path, 0, 0, NULL, NULL, 0, "%s", err);
        return;
    }
    const cclf_layout *l = cclf_layout_for('9');
    const cclf_field *prv = cclf_field_named(l, "PRVS_NUM"), *cur = cclf_field_named(l, "CRNT_NUM");
    const char *p = x->f[fi].buf, *end = p + x->f[fi].len;
    size_t recno = 0;
    while (p < end && !x->failed) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r') n--;
        recno++;
        if (n == l->reclen) {
            char a[16], b[16], ma[13], mb[13], msg[200];
            size_t na = cclf_text(p, prv, a, sizeof a), nb = cclf_text(p, cur, b, sizeof b);
            char ind[2];
            cclf_text(p, cclf_field_named(l, "HICN_MBI_XREF_IND"), ind, sizeof ind);
            if (ind[0] == 'H')
                x->hicn_rows++; /* a HICN pair: since 2020 claims carry MBIs only */
            else if (!na || !nb || !strcmp(a, b))
                ; /* no previous identifier: nothing to map */
            else if (xwalk_mbi(x, fi, a, na, ma, msg, sizeof msg) < 0)
                feed_reject(&x->rep, x->f[fi].path, recno, prv->start, prv->name, p, n, "%s", msg);
            else if (xwalk_mbi(x, fi, b, nb, mb, msg, sizeof msg) < 0)
                feed_reject(&x->rep, x->f[fi].path, recno, cur->start, cur->name, p, n, "%s", msg);
            else if (feed_xwalk_put(x->sink, ma, cclf_xwalk_current(xw, ma), x->err,
                                    sizeof x->err) < 0)
                store_failed(x, "updating the MBI crosswalk");
        }
        p = nl ? nl + 1 : end;
    }
    cclf_xwalk_free(xw);
}

/* The delivery's ACO must exist for the alignment rows CCLF8 gave: created from the file
 * name when the store does not know it (name = id, track global; acos.csv updates it). */
static void ensure_aco(ctx *x)
{
    orgs_w *w;
    char e[256];
    int created = 0;
    if (orgs_w_open(x->s, &w, e, sizeof e) < 0) {
        store_failed(x, "recording the ACO");
        return;
    }
    int rc = orgs_w_aco_ensure(w, x->f[0].name.aco, &created, e, sizeof e);
    orgs_w_close(w);
    if (rc < 0) {
        store_failed(x, "recording the ACO");
        return;
    }
    if (created && x->o->out)
        fprintf(x->o->out, "ACO %s: not known, created from the CCLF file names (track global; "
                "load acos.csv to name it and set its track)\n", x->f[0].name.aco);
}

/*
 * CCLF8 lists the beneficiaries the delivery's ACO receives data for: each is aligned to
 * that ACO (the entity of the file name) for the file's performance year, unless the
 * store already aligns the person to some ACO on a day of that year (alignment.csv says
 * otherwise). The rows carry source 'cclf8'; an alignment.csv row replaces them.
 */
static void align_bene(ctx *x, size_t fi, const char *person)
{
    const cclf_name *nm = &x->f[fi].name;
    char from[11], to[11];
    snprintf(from, sizeof from, "%04d-01-01", nm->year);
    snprintf(to, sizeof to, "%04d-12-31", nm->year);
    if (x->explicit_alignment < 0) { /* once per delivery: does a file align anyone? */
        if (people_q_file_aligned(x->s, from, to, &x->explicit_alignment, x->err,
                                  sizeof x->err) < 0)
            store_failed(x, "reading alignment");
        if (!x->explicit_alignment) ensure_aco(x);
    }
    if (x->explicit_alignment || x->failed) return;
    int has;
    if (people_q_aligned(x->align, person, from, to, &has, x->err, sizeof x->err) < 0) {
        store_failed(x, "reading alignment");
        return;
    }
    if (has) return;
    char e[256];
    align_rec r = {.person_id = person, .aco_id = nm->aco, .start_date = from, .end_date = to};
    if (people_w_align_cclf8(x->people, &r, e, sizeof e) < 0) store_failed(x, "aligning beneficiaries");
    else x->aligned++;
}

static void bene_record(ctx *x, size_t fi, const char *rec, size_t recno)
{
    feed_bene b;
    cclf_error e = {.test_ids = x->f[fi].name.env == 'T'};
    if (cclf_bene(rec, &b, &e) < 0) {
        record_error(x, fi, rec, recno, &e);
        return;
    }
    if (record_warnings(x, fi, rec, recno, &e) < 0) return;
    x->test_ids += e.test_id_used;
    char cur[13];
    if (feed_xwalk_current(x->sink, b.person_id, cur, x->err, sizeof x->err) < 0) {
        store_failed(x, "storing beneficiaries");
        return;
    }
    memcpy(b.person_id, cur, sizeof cur);
    if (feed_put_bene(x->sink, &b, 1, x->err, sizeof x->err) < 0)
        store_failed(x, "storing beneficiaries");
    else
        align_bene(x, fi, b.person_id);
}

/* ---- staging the claim files ------------------------------------------------------------------ */

static void stage_record(ctx *x, size_t fi, const char *rec, size_t recno)
{
    char file = x->f[fi].name.file, cur_id[14];
    cclf_error e; /* the converters set the rest */
    e.test_ids = x->f[fi].name.env == 'T';
    int rc = cclf_check_record(rec, file, cur_id, &e);
    if (rc == 0 && record_warnings(x, fi, rec, recno, &e) < 0) rc = -1;
    if (rc == 0) x->test_ids += e.test_id_used;
    else if (rc < 0) record_error(x, fi, rec, recno, &e);
    if (rc < 0) {
        if (strspn(rec, "0123456789") >= 13) mark_bad(x, rec);
        return;
    }
    if (cclf_stage_put(x->stage, file, cur_id, (int64_t)fi, (int64_t)recno,
                       (int64_t)(rec - x->f[fi].buf), cclf_layout_for(file)->reclen, x->err,
                       sizeof x->err) < 0)
        store_failed(x, "staging CCLF records");
}

/* Stage the records of chunk c of claim file fi (one thread). */
static void stage_chunk(ctx *x, size_t fi, size_t c)
{
    cfile *f = &x->f[fi];
    unsigned reclen = cclf_layout_for(f->name.file)->reclen;
    const char *p = f->buf + f->chunk_at[c], *end = f->buf + f->len;
    size_t recno = c * x->chunk;
    for (size_t k = 0; k < x->chunk && p < end && !x->failed; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r') n--;
        recno++;
        if (n == reclen) stage_record(x, fi, p, recno); /* else reported when counted */
        p = nl ? nl + 1 : end;
    }
}

/* Stage chunk c of claim file fi from the verdicts cclf_ahead gave: a record that read
 * cleanly is staged as it is, one with an error or a warning is checked again here (its
 * messages printed in record order), one of the wrong length was reported when counted. */
static void stage_verdicts(ctx *x, size_t fi, const cclf_verdict *v, size_t n)
{
    cfile *f = &x->f[fi];
    char file = f->name.file;
    unsigned reclen = cclf_layout_for(file)->reclen;
    for (size_t k = 0; k < n && !x->failed; k++) {
        if (v[k].kind == CCLF_V_REDO) {
            stage_record(x, fi, f->buf + v[k].off, v[k].recno);
        } else if (v[k].kind == CCLF_V_PUT) {
            x->test_ids += v[k].test_id_used;
            if (cclf_stage_put(x->stage, file, v[k].cur_id, (int64_t)fi, (int64_t)v[k].recno,
                               (int64_t)v[k].off, reclen, x->err, sizeof x->err) < 0)
                store_failed(x, "staging CCLF records");
        }
    }
}

/*
 * Validate and stage every record of the claim files (CCLF1-6), file by file in record
 * order. With more than one chunk of records and threads allowed, the odd chunks are
 * checked on a second thread (cclf_ahead.h) while this one checks the even ones: the
 * stage gets the same records in the same order, and the messages come out in the same
 * order, as when this thread checks them all. Pages read are given back chunk by chunk.
 */
static void stage_files(ctx *x)
{
    cclf_ahead_file af[16];
    size_t nf = 0, idx[16], chunks = 0;
    int wide = 0;
    for (size_t i = 0; i < x->n && nf < 16; i++) {
        cfile *f = &x->f[i];
        if (f->name.file < '1' || f->name.file > '6') continue;
        af[nf] = (cclf_ahead_file){.buf = f->buf, .len = f->len, .file = f->name.file,
                                   .reclen = cclf_layout_for(f->name.file)->reclen,
                                   .test_ids = f->name.env == 'T', .chunk_at = f->chunk_at,
                                   .n_chunks = f->n_chunks};
        idx[nf++] = i;
        chunks += f->n_chunks;
        wide |= f->n_chunks > UINT32_MAX / x->chunk; /* record numbers past 32 bits */
    }
    cclf_ahead *a = NULL;
    if (chunks > 1 && !wide && !x->o->serial_writes && cclf_ahead_start(af, nf, x->chunk, &a) < 0)
        a = NULL; /* no second thread: this one checks every chunk */
    for (size_t j = 0; j < nf && !x->failed; j++) {
        cfile *f = &x->f[idx[j]];
        size_t released = 0;
        for (size_t c = 0; c < f->n_chunks && !x->failed; c++) {
            util_release_mapped(f->buf, f->len, f->buf + f->chunk_at[c], &released);
            if (!a || c % 2 == 0) {
                stage_chunk(x, idx[j], c);
                continue;
            }
            size_t n = 0;
            const cclf_verdict *v = cclf_ahead_take(a, j, c, &n);
            if (!v) {
                snprintf(x->err, sizeof x->err, "the second thread's records are out of step");
                store_failed(x, "staging CCLF records");
                break;
            }
            stage_verdicts(x, idx[j], v, n);
        }
        util_release_mapped(f->buf, f->len, f->buf + f->len, &released);
    }
    cclf_ahead_stop(a);
}

/* ---- assembling claims ----------------------------------------------------------------------- */

/* Staged record r, read back from its file's mapping (the stage keeps where a record
 * is, not its bytes). The records come back in claim order, not file order: the
 * mappings are marked random access at the first (no read-ahead), and every
 * RELEASE_EVERY records the span of each file read since is given back, with the 64 KB
 * the kernel maps around each fault (a later read maps them again from the page cache),
 * so memory stays flat however large the delivery. A place outside
 * its file cannot come from this delivery's stage; it fails the delivery, and a blank
 * record of the longest layout's length stands in so that no parser reads past it. */
enum { RELEASE_EVERY = 256, BLANK_LEN = 1024 };

/* Where staged record r is, with its place checked (the blank record when it is outside
 * its file), without counting it as read: staged_read does that, once it has been. */
static const char *staged_at(ctx *x, cclf_stage_row *r)
{
    static const char blank[BLANK_LEN + 1];
    if (!x->random_access) { /* from now on in claim order: no read-ahead, no fault-around */
        x->random_access = 1;
        for (size_t i = 0; i < x->n; i++)
            if (x->f[i].len) (void)madvise((void *)x->f[i].buf, x->f[i].len, MADV_RANDOM);
    }
    if (r->fidx < 0 || (size_t)r->fidx >= x->n || r->off < 0 || r->len > BLANK_LEN ||
        (size_t)r->off > x->f[r->fidx].len || r->len > x->f[r->fidx].len - (size_t)r->off) {
        snprintf(x->err, sizeof x->err, "a staged record (file %lld, offset %lld) is outside "
                 "its file", (long long)r->fidx, (long long)r->off);
        store_failed(x, "reading staged claims");
        r->fidx = 0; /* the caller may still name the record's file and print its bytes */
        r->len = 0;
        r->off = -1; /* staged_read: nothing of a file read */
        return blank;
    }
    return x->f[r->fidx].buf + r->off;
}

/* Record r (placed by staged_at) has been read: its span joins its file's, and every
 * RELEASE_EVERY records the spans read are given back. */
static void staged_read(ctx *x, const cclf_stage_row *r)
{
    if (++x->read_back % RELEASE_EVERY == 0) /* the span each file's reads touched */
        for (size_t i = 0; i < x->n; i++) {
            util_release_range(x->f[i].buf, x->f[i].len, x->f[i].lo, x->f[i].hi);
            x->f[i].lo = x->f[i].hi = 0;
        }
    if (r->off < 0) return;
    cfile *f = &x->f[r->fidx];
    size_t a = (size_t)r->off, b = a + r->len;
    if (f->lo == f->hi) f->lo = a, f->hi = b;
    else {
        if (a < f->lo) f->lo = a;
        if (b > f->hi) f->hi = b;
    }
}

static const char *staged(ctx *x, cclf_stage_row *r)
{
    const char *p = staged_at(x, r);
    staged_read(x, r);
    return p;
}

/* A staged record that no longer reads as it did when it was checked: the file changed
 * on disk while the delivery loaded (it is read again from the file). The delivery
 * fails (rolled back), naming the record. */
static void changed(ctx *x, const cclf_stage_row *r)
{
    if (x->failed) return;
    snprintf(x->err, sizeof x->err, "%s:%lld no longer reads as it did when it was checked: "
             "the file changed while the delivery was loading; load it again",
             x->f[r->fidx].path, (long long)r->recno);
    store_failed(x, "assembling claims");
}

typedef struct lines_buf {
    feed_line *v;
    size_t n, cap;
} lines_buf;

static feed_line *lines_add(lines_buf *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        feed_line *v = realloc(b->v, cap * sizeof *v);
        if (!v) return NULL;
        b->v = v;
        b->cap = cap;
    }
    return &b->v[b->n++];
}

static void source_of(ctx *x, int64_t fi, int64_t recno, char *out, size_t len)
{
    snprintf(out, len, "%s:%lld", x->f[fi].base, (long long)recno);
}

static void put(ctx *x, feed_claim *c, const char *source)
{
    char cur[13];
    if (feed_xwalk_current(x->sink, c->person_id, cur, x->err, sizeof x->err) < 0) {
        store_failed(x, "storing claims");
        return;
    }
    memcpy(c->person_id, cur, sizeof cur);
    if (c->type != FEED_INSTITUTIONAL) cclf_part_b_key(c);
    feed_check_dates(&x->rep, source, 0, c); /* a warning for dates decades ahead */
    if (feed_put_claim(x->sink, c, source, x->err, sizeof x->err) < 0)
        store_failed(x, "storing claims");
}

/* A list of staged records assembled in two batches taken in turn: the loading thread
 * fills one from the stage while a helper thread (work_ahead.h; none with
 * CARA_LOAD_SERIAL: converted here) converts the other, then stores the claims of the
 * converted one. fill returns how much it put in its batch (0: the list is done; *rc
 * the stage's last answer), take stores a converted batch's claims (ud its state). */
typedef struct batches {
    size_t (*fill)(ctx *x, void *batch, int *rc);
    work_ahead_fn convert;
    void (*take)(ctx *x, void *batch, void *ud);
    void *ud;
} batches;

static void run_batches(ctx *x, void *b0, void *b1, const batches *bt)
{
    void *b[2] = {b0, b1};
    work_ahead *w = NULL;
    if (!x->o->serial_writes && work_ahead_start(bt->convert, NULL, "cara-conv", &w) < 0) {
        snprintf(x->err, sizeof x->err, "out of memory");
        store_failed(x, "assembling claims");
        return;
    }
    int rc = 1;
    size_t n = bt->fill(x, b[0], &rc);
    if (n && !x->failed) {
        if (w) work_ahead_give(w, b[0]);
        else bt->convert(b[0], NULL);
    }
    while (!x->failed && n) {
        size_t next = bt->fill(x, b[1], &rc); /* while the thread converts b[0] */
        if (w) work_ahead_wait(w);
        if (next && !x->failed) {
            if (w) work_ahead_give(w, b[1]);
            else bt->convert(b[1], NULL);
        }
        bt->take(x, b[0], bt->ud); /* while it converts b[1] */
        void *t = b[0];
        b[0] = b[1];
        b[1] = t;
        n = next;
    }
    work_ahead_stop(w); /* waits for a batch in hand */
    if (!x->failed && rc < 0) store_failed(x, "reading staged claims");
}

/* Part A's claims assembled in batches, as Part B's are (below): the loading thread reads
 * a batch of claims' records from the stage (each CCLF1 header with its CCLF2 lines and
 * CCLF4 and CCLF3 codes) while the helper thread converts the batch before, and stores
 * the claims of that one meanwhile. The converters are pure functions of the records. */
enum { PA_BATCH = 64, PA_CODES = 64 /* codes kept a claim and file, at most */ };

typedef struct pa_rec {
    cclf_stage_row r;   /* its place (r.cur_id points at cur_id) */
    char cur_id[14];
    const char *rec;    /* its bytes, in its file's mapping */
} pa_rec;

typedef struct pa_code {
    int seq;
    char code[8];
} pa_code;

typedef struct pa_claim {
    size_t head;                 /* its header in recs; its lines, diagnoses and procedures */
    size_t lines, n_lines, dx, n_dx, px, n_px; /* follow, as ranges of recs */
    /* converted: bad the record that no longer reads as it did (-1: none) */
    long bad;
    feed_claim c;
    char id[14], oscar[21], att[11];
} pa_claim;

typedef struct pa_batch {
    pa_claim v[PA_BATCH];
    size_t n, max;
    pa_rec *recs;                /* the claims' records */
    feed_line *lines;            /* the converted line of each CCLF2 record, by its index */
    size_t n_recs, cap;
} pa_batch;

static int pa_reserve(pa_batch *b, size_t need)
{
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    pa_rec *r = realloc(b->recs, cap * sizeof *r);
    if (!r) return -ENOMEM;
    b->recs = r;
    feed_line *l = realloc(b->lines, cap * sizeof *l);
    if (!l) return -ENOMEM;
    b->lines = l;
    b->cap = cap;
    return 0;
}

/* Codes of file '3' or '4' (recs[at..at + n)), in sequence order, appended to codes
 * without repeats: the first PA_CODES that have a code. -1 with *bad the record that
 * does not convert (a record that converted when staged). */
static int pa_codes(const pa_batch *b, size_t at, size_t n, char file, char (*codes)[8],
                    int *count, int max, long *bad)
{
    pa_code got[PA_CODES];
    int k = 0;
    for (size_t i = at; i < at + n && k < PA_CODES; i++) {
        char id[14];
        cclf_error e = {.test_ids = 1}; /* validated when staged */
        int prc = cclf_part_a_code(b->recs[i].rec, file, id, &got[k].seq, got[k].code, &e);
        if (prc < 0) {
            *bad = (long)i;
            return -1;
        }
        if (prc == 0 && got[k].code[0]) k++;
    }
    for (int i = 1; i < k; i++) /* insertion sort by sequence; stable */
        for (int j = i; j > 0 && got[j - 1].seq > got[j].seq; j--) {
            pa_code t = got[j];
            got[j] = got[j - 1];
            got[j - 1] = t;
        }
    for (int i = 0; i < k && *count < max; i++) {
        int seen = 0;
        for (int j = 0; j < *count && !seen; j++) seen = !strcmp(codes[j], got[i].code);
        if (!seen) memcpy(codes[(*count)++], got[i].code, 8);
    }
    return 0;
}

/* work_ahead's job: convert every claim of the batch (its header, lines and codes). */
static void pa_convert(void *batch, void *ud)
{
    (void)ud;
    pa_batch *b = batch;
    for (size_t i = 0; i < b->n; i++) {
        pa_claim *k = &b->v[i];
        cclf_error e = {.test_ids = 1}; /* validated when staged */
        k->bad = -1;
        if (cclf_part_a_header(b->recs[k->head].rec, &k->c, k->id, k->oscar, k->att, &e) < 0) {
            k->bad = (long)k->head;
            continue;
        }
        for (size_t j = k->lines; j < k->lines + k->n_lines && k->bad < 0; j++) {
            feed_line *l = &b->lines[j];
            if (cclf_part_a_line(b->recs[j].rec, l, k->id, &e) < 0) {
                k->bad = (long)j;
                break;
            }
            if (l->start == CARA_DATE_NONE) l->start = k->c.start;
            if (l->end == CARA_DATE_NONE) l->end = k->c.end;
            memcpy(l->rendering_npi, k->att, sizeof l->rendering_npi);
            memcpy(l->billing_npi, k->c.facility_npi, sizeof l->billing_npi);
        }
        if (k->bad >= 0) continue;
        if (pa_codes(b, k->dx, k->n_dx, '4', k->c.dx, &k->c.n_dx, FEED_DX_MAX, &k->bad) < 0) continue;
        (void)pa_codes(b, k->px, k->n_px, '3', k->c.px, &k->c.n_px, FEED_PX_MAX, &k->bad);
    }
}

/* The records of one file of claim cur_id into b, after its others. 0, or -1 (failed). */
static int pa_scan(ctx *x, pa_batch *b, char file, const char *cur_id, size_t *at, size_t *n)
{
    cclf_stage_row r;
    *at = b->n_recs;
    *n = 0;
    int rc = cclf_stage_scan(x->stage, CCLF_STAGE_CLAIM, file, cur_id, x->err, sizeof x->err);
    while (rc >= 0 &&
           (rc = cclf_stage_next(x->stage, CCLF_STAGE_CLAIM, &r, x->err, sizeof x->err)) == 1) {
        if (pa_reserve(b, b->n_recs + 1) < 0) {
            cclf_stage_stop(x->stage, CCLF_STAGE_CLAIM);
            snprintf(x->err, sizeof x->err, "out of memory");
            store_failed(x, "assembling claims");
            return -1;
        }
        pa_rec *p = &b->recs[b->n_recs++];
        p->r = r;
        util_strlcpy(p->cur_id, r.cur_id, sizeof p->cur_id);
        p->r.cur_id = p->cur_id;
        p->rec = staged_at(x, &p->r);
        (*n)++;
    }
    cclf_stage_stop(x->stage, CCLF_STAGE_CLAIM);
    if (rc < 0) {
        store_failed(x, "reading staged claims");
        return -1;
    }
    return 0;
}

/* The next claims of the Part A list into b (fewer than b->max at its end). *rc: the
 * stage's last answer (1 more may follow, 0 the end, < 0 its failure). */
static size_t pa_fill(ctx *x, void *batch, int *rc)
{
    pa_batch *b = batch;
    b->n = b->n_recs = 0;
    while (b->n < b->max && *rc == 1 && !x->failed) {
        cclf_stage_row h;
        *rc = cclf_stage_next(x->stage, CCLF_STAGE_PART_A, &h, x->err, sizeof x->err);
        if (*rc != 1) break;
        if (pa_reserve(b, b->n_recs + 1) < 0) {
            snprintf(x->err, sizeof x->err, "out of memory");
            store_failed(x, "assembling claims");
            break;
        }
        pa_claim *k = &b->v[b->n];
        k->head = b->n_recs;
        pa_rec *p = &b->recs[b->n_recs++];
        p->r = h;
        util_strlcpy(p->cur_id, h.cur_id, sizeof p->cur_id);
        p->r.cur_id = p->cur_id;
        p->rec = staged_at(x, &p->r);
        const char *id = p->cur_id; /* recs may move: the claim id copied */
        char cur[14];
        util_strlcpy(cur, id, sizeof cur);
        if (pa_scan(x, b, '2', cur, &k->lines, &k->n_lines) < 0 ||
            pa_scan(x, b, '4', cur, &k->dx, &k->n_dx) < 0 ||
            pa_scan(x, b, '3', cur, &k->px, &k->n_px) < 0)
            break;
        b->n++;
    }
    return b->n;
}

/* Store the claims of a converted batch (in order; the first record that no longer
 * reads as it did fails the delivery). */
static void pa_take(ctx *x, void *batch, void *ud)
{
    pa_batch *b = batch;
    lines_buf *lb = ud;
    for (size_t i = 0; i < b->n_recs; i++) staged_read(x, &b->recs[i].r); /* converted */
    for (size_t i = 0; i < b->n && !x->failed; i++) {
        pa_claim *k = &b->v[i];
        if (k->bad >= 0) {
            changed(x, &b->recs[k->bad].r);
            break;
        }
        lb->n = 0;
        for (size_t j = k->lines; j < k->lines + k->n_lines; j++) {
            feed_line *l = lines_add(lb);
            if (!l) {
                snprintf(x->err, sizeof x->err, "out of memory");
                store_failed(x, "assembling claims");
                return;
            }
            *l = b->lines[j];
        }
        feed_claim *c = &k->c;
        c->lines = lb->v;
        c->n_lines = lb->n;
        char cur[13], src[300];
        if (feed_xwalk_current(x->sink, c->person_id, cur, x->err, sizeof x->err) < 0) {
            store_failed(x, "storing claims");
            break;
        }
        memcpy(c->person_id, cur, sizeof cur);
        cclf_part_a_key(c, k->oscar);
        const cclf_stage_row *h = &b->recs[k->head].r;
        source_of(x, h->fidx, h->recno, src, sizeof src);
        put(x, c, src);
    }
}

static void assemble_part_a(ctx *x)
{
    if (cclf_stage_scan(x->stage, CCLF_STAGE_PART_A, 0, NULL, x->err, sizeof x->err) < 0) {
        store_failed(x, "reading staged claims");
        return;
    }
    pa_batch *b[2] = {calloc(1, sizeof *b[0]), calloc(1, sizeof *b[1])};
    lines_buf lb = {0};
    if (!b[0] || !b[1]) {
        snprintf(x->err, sizeof x->err, "out of memory");
        store_failed(x, "assembling claims");
    } else {
        b[0]->max = b[1]->max =
            x->o->conv_batch && x->o->conv_batch < PA_BATCH ? x->o->conv_batch : PA_BATCH;
        batches bt = {pa_fill, pa_convert, pa_take, &lb};
        run_batches(x, b[0], b[1], &bt);
    }
    cclf_stage_stop(x->stage, CCLF_STAGE_PART_A);
    for (int i = 0; i < 2; i++)
        if (b[i]) {
            free(b[i]->recs);
            free(b[i]->lines);
            free(b[i]);
        }
    free(lb.v);
}

/* Part B's records converted in batches: the loader reads a batch's records from the
 * stage while the helper thread (work_ahead.h) converts the batch before it, and puts
 * the claims of that one meanwhile; cclf_part_b_line is a pure function of the record,
 * so a claim is the same whichever thread converted its records. */
enum { PB_BATCH = 256 };

typedef struct pb_item {
    cclf_stage_row r;   /* its place (r.cur_id points at cur_id) */
    char cur_id[14];
    const char *rec;    /* its bytes, in its file's mapping */
    int rc;             /* cclf_part_b_line's return */
    char id[14];
    feed_claim c;       /* the record as a claim of one line, and that line */
    feed_line l;
} pb_item;

typedef struct pb_batch {
    pb_item v[PB_BATCH];
    size_t n, max;      /* records in it, at most (feed_opts.conv_batch) */
} pb_batch;

/* work_ahead's job: convert every record of the batch. */
static void pb_convert(void *batch, void *ud)
{
    (void)ud;
    pb_batch *b = batch;
    for (size_t i = 0; i < b->n; i++) {
        pb_item *it = &b->v[i];
        cclf_error e = {.test_ids = 1}; /* validated when staged */
        it->c.lines = NULL;
        it->c.n_lines = 0;
        it->rc = cclf_part_b_line(it->rec, it->r.file, &it->c, &it->l, it->id, &e);
    }
}

/* The next records of the Part B list into b (b->n of them; fewer than b->max at its
 * end). *rc: the stage's last answer (1 more may follow, 0 the end, < 0 its failure). */
static size_t pb_fill(ctx *x, void *batch, int *rc)
{
    pb_batch *b = batch;
    b->n = 0;
    while (b->n < b->max && *rc == 1 && !x->failed) {
        pb_item *it = &b->v[b->n];
        *rc = cclf_stage_next(x->stage, CCLF_STAGE_PART_B, &it->r, x->err, sizeof x->err);
        if (*rc != 1) break;
        util_strlcpy(it->cur_id, it->r.cur_id, sizeof it->cur_id);
        it->r.cur_id = it->cur_id;
        it->rec = staged_at(x, &it->r); /* counted as read once converted (pb_take) */
        b->n++;
    }
    return b->n;
}

/* The claim being gathered: its records' lines, the claim of the first, its group (file
 * and claim id) and source. */
typedef struct pb_claim {
    lines_buf lb;
    feed_claim c;
    char group[16], src[300];
} pb_claim;

static void pb_end_group(ctx *x, pb_claim *g)
{
    if (!g->group[0]) return;
    g->c.lines = g->lb.v;
    g->c.n_lines = g->lb.n;
    put(x, &g->c, g->src);
    g->group[0] = '\0';
}

/* Put the claims a converted batch completes (the last one may go on in the next). */
static void pb_take(ctx *x, void *batch, void *ud)
{
    pb_batch *b = batch;
    pb_claim *g = ud;
    for (size_t i = 0; i < b->n; i++) /* converted: their pages may be given back */
        staged_read(x, &b->v[i].r);
    for (size_t i = 0; i < b->n && !x->failed; i++) {
        pb_item *it = &b->v[i];
        char key[16]; /* "%c%s" of file and claim, without printf's machinery */
        key[0] = it->r.file;
        size_t k = strnlen(it->cur_id, sizeof key - 2);
        memcpy(key + 1, it->cur_id, k);
        key[k + 1] = '\0';
        if (g->group[0] && strcmp(key, g->group)) pb_end_group(x, g);
        if (x->failed) break;
        if (it->rc < 0) {
            changed(x, &it->r);
            break;
        }
        if (!g->group[0]) g->lb.n = 0;
        feed_line *l = lines_add(&g->lb);
        if (!l) {
            snprintf(x->err, sizeof x->err, "out of memory");
            store_failed(x, "assembling claims");
            break;
        }
        *l = it->l;
        if (!g->group[0]) {
            g->c = it->c;
            memcpy(g->group, key, sizeof g->group);
            source_of(x, it->r.fidx, it->r.recno, g->src, sizeof g->src);
        } else {
            for (int d = 0; d < it->c.n_dx; d++) { /* diagnoses: the union, in order */
                int seen = 0;
                for (int j = 0; j < g->c.n_dx && !seen; j++) seen = !strcmp(g->c.dx[j], it->c.dx[d]);
                if (!seen && g->c.n_dx < FEED_DX_MAX) memcpy(g->c.dx[g->c.n_dx++], it->c.dx[d], 8);
            }
        }
    }
}

static void assemble_part_b(ctx *x)
{
    if (cclf_stage_scan(x->stage, CCLF_STAGE_PART_B, 0, NULL, x->err, sizeof x->err) < 0) {
        store_failed(x, "reading staged claims");
        return;
    }
    pb_batch *b[2] = {malloc(sizeof *b[0]), malloc(sizeof *b[1])};
    pb_claim *g = calloc(1, sizeof *g);
    if (!b[0] || !b[1] || !g) {
        snprintf(x->err, sizeof x->err, "out of memory");
        store_failed(x, "assembling claims");
    } else {
        b[0]->max = b[1]->max =
            x->o->conv_batch && x->o->conv_batch < PB_BATCH ? x->o->conv_batch : PB_BATCH;
        batches bt = {pb_fill, pb_convert, pb_take, g};
        run_batches(x, b[0], b[1], &bt);
    }
    if (!x->failed) pb_end_group(x, g);
    cclf_stage_stop(x->stage, CCLF_STAGE_PART_B);
    if (g) free(g->lb.v);
    free(g);
    free(b[0]);
    free(b[1]);
}

/* chain_admissions's walk over the bills: the previous bill's stay key, disposition
 * and end, and the admission date of the stay it belongs to. */
typedef struct stay_walk {
    ctx *x;
    claims_w *up;
    char prev_key[64], adm[11], prev_disp[3];
    double prev_end; /* a julianday(): whole days + 0.5, exact in a double */
} stay_walk;

static int stay_bill(const claims_q_stay_row *r, void *ud)
{
    stay_walk *w = ud;
    ctx *x = w->x;
    char key[64], e[256];
    snprintf(key, sizeof key, "%s|%s|%s", r->person_id, r->facility_npi, r->bill_class);
    double start = r->start_jd;
    const char *own = r->admission_date;
    const char *bill = r->bill_type_code;
    int interim = bill && (bill[2] == '3' || bill[2] == '4'); /* continuing, last bill */
    int continues = !strcmp(key, w->prev_key) && !strcmp(w->prev_disp, "30") &&
                    (start == w->prev_end + 1 || interim);
    if (continues && strcmp(own, w->adm) != 0) {
        if (claims_w_admission(w->up, r->claim_id, w->adm, e, sizeof e) < 0)
            store_failed(x, "linking the bills of a stay");
    } else if (!continues) {
        snprintf(w->adm, sizeof w->adm, "%s", own);
    }
    snprintf(w->prev_key, sizeof w->prev_key, "%s", key);
    snprintf(w->prev_disp, sizeof w->prev_disp, "%s", r->discharge_disposition_code);
    w->prev_end = r->end_jd;
    return x->failed ? -EIO : 0;
}

/* CCLF1 has no admission date: a bill that continues a stay takes the admission date of
 * the stay's first bill. It continues the previous bill of the same person, facility
 * and bill-type class when that bill left the patient there (status 30) and it starts
 * the next day or is itself a continuing or last interim bill (frequency 3 or 4: a
 * cancelled bill in between does not end the stay). One pass over
 * the CCLF claims of the persons this delivery touched, in stay order (claims_q.h). */
static void chain_admissions(ctx *x)
{
    char e[256];
    stay_walk w = {.x = x};
    if (claims_w_open(x->s, &w.up, e, sizeof e) < 0) {
        store_failed(x, "linking the bills of a stay");
        return;
    }
    /* the persons this delivery stored claims for, as the sink listed them (else found
     * by a scan of the claims for this load's) */
    if (claims_q_cclf_stays(x->s, x->load_id, feed_sink_persons(x->sink), stay_bill, &w, x->err,
                            sizeof x->err) < 0 &&
        !x->failed)
        store_failed(x, "linking the bills of a stay");
    claims_w_close(w.up);
}

/* Records of claims rejected for another record's fault, and lines without a header. */
static void report_collateral(ctx *x)
{
    cclf_stage_row r;
    int rc = cclf_stage_scan(x->stage, CCLF_STAGE_COLLATERAL, 0, NULL, x->err, sizeof x->err);
    if (rc < 0) {
        store_failed(x, "checking staged claims");
        return;
    }
    while ((rc = cclf_stage_next(x->stage, CCLF_STAGE_COLLATERAL, &r, x->err, sizeof x->err)) == 1) {
        const char *rec = staged(x, &r); /* first: it checks r's place */
        int64_t fi = r.fidx;
        if (r.orphan)
            feed_reject(&x->rep, x->f[fi].path, (size_t)r.recno, 1, "CUR_CLM_UNIQ_ID", rec,
                        r.len, "claim %s has no CCLF1 header in this delivery", r.cur_id);
        else if (x->o->skip_bad && x->o->rejects) { /* already counted as an error */
            fprintf(x->o->rejects, "%s\t%lld\tCUR_CLM_UNIQ_ID\tclaim %s has a bad record "
                    "elsewhere; the whole claim is rejected\t%.*s\n", x->f[fi].path,
                    (long long)r.recno, r.cur_id, (int)r.len, rec);
            x->rep.rejected++;
        }
    }
    if (rc < 0) store_failed(x, "checking staged claims");
}

/* ---- one delivery --------------------------------------------------------------------------- */

static int prepare_staging(ctx *x)
{
    size_t bound = x->o->stage_records ? x->o->stage_records : CCLF_STAGE_MEM_RECORDS;
    if (cclf_stage_open(x->s, bound, &x->stage, x->err, sizeof x->err) < 0 ||
        people_q_open(x->s, &x->align, x->err, sizeof x->err) < 0 ||
        people_w_open(x->s, &x->people, x->err, sizeof x->err) < 0) {
        store_failed(x, "preparing the delivery");
        return -EIO;
    }
    return 0;
}

static void drop_staging(ctx *x)
{
    cclf_stage_close(x->stage);
    x->stage = NULL;
    people_q_close(x->align);
    x->align = NULL;
    people_w_close(x->people);
    x->people = NULL;
}

static size_t find(const ctx *x, char file)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->f[i].name.file == file) return i;
    return x->n;
}

static void summary(ctx *x, const char *label)
{
    if (!x->o->out) return;
    const feed_stats *st = feed_sink_stats(x->sink);
    fprintf(x->o->out, "%s: loaded %zu files: %lld claims, %lld cancellations, %lld denied "
            "(%lld lines) stored, %lld priced at the claim payment, %lld repeated records "
            "ignored; %lld beneficiaries new, %lld updated, %lld aligned to %s; %lld MBIs "
            "remapped", label, x->n, (long long)st->claims, (long long)st->cancelled,
            (long long)st->denied, (long long)st->lines, (long long)st->header_paid,
            (long long)st->stale, (long long)st->benes_new, (long long)st->benes_updated,
            (long long)x->aligned, x->f[0].name.aco, (long long)st->remapped);
    if (x->test_ids)
        fprintf(x->o->out, "; %lld records with CMS test identifiers that are not valid MBIs "
                "(accepted in a test delivery)", (long long)x->test_ids);
    if (x->hicn_rows) fprintf(x->o->out, "; %lld HICN crosswalk rows (not used)", (long long)x->hicn_rows);
    if (x->rep.warnings) fprintf(x->o->out, "; %lld warnings", (long long)x->rep.warnings);
    if (x->rep.rejected) fprintf(x->o->out, "; %lld records rejected", (long long)x->rep.rejected);
    fputc('\n', x->o->out);
}

/* The kind of f's loads row: "cclf" and its file's character in lowercase. */
static void kind_of(const cfile *f, char kind[8])
{
    memcpy(kind, "cclf", 4);
    kind[4] = (char)(f->name.file >= 'A' ? f->name.file - 'A' + 'a' : f->name.file);
    kind[5] = '\0';
}

/* Map every file of the delivery; hash the largest new ones (a size no earlier whole
 * load of their kind had: they cannot be files loaded before) alongside the load, the
 * others now. 0, or -EIO with the file reported. */
static int map_and_hash(ctx *x)
{
    cfile *f = x->f;
    for (size_t i = 0; i < x->n; i++) {
        char err[300];
        if (util_map_file_fd(f[i].open_path, &f[i].buf, &f[i].len, &f[i].fd, err, sizeof err) < 0) {
            feed_reject(&x->rep, f[i].path, 0, 0, NULL, NULL, 0, "%s", err);
            return -EIO;
        }
    }
    int new_size[64] = {0};
    for (size_t i = 0; i < x->n && i < 64; i++) {
        char kind[8];
        kind_of(&f[i], kind);
        int maybe = loads_w_maybe_seen(x->s, kind, (int64_t)f[i].len, x->err, sizeof x->err);
        if (maybe < 0) {
            store_failed(x, "reading the store");
            return -EIO;
        }
        new_size[i] = maybe == 0;
    }
    for (int k = 0; k < HASH_ALONGSIDE; k++) {
        size_t big = x->n;
        for (size_t i = 0; i < x->n && i < 64; i++)
            if (new_size[i] && !f[i].hashing && f[i].len && (big == x->n || f[i].len > f[big].len))
                big = i;
        if (big < x->n && file_hash_start(f[big].fd, f[big].len, &f[big].hashing) < 0) break;
    }
    for (size_t i = 0; i < x->n; i++)
        if (!f[i].hashing) {
            util_sha256_mapped(f[i].buf, f[i].len, f[i].sha);
            close(f[i].fd);
            f[i].fd = -1;
        }
    return 0;
}

/* The hashes computed alongside the load, into their loads rows. 1 when every file of
 * the delivery turns out loaded before (another process loaded the same files while
 * this load ran: the caller rolls back, as for a delivery seen at the start), 0, or
 * -EIO (reported). */
static int hashes_joined(ctx *x, int seen_first)
{
    int all_seen = seen_first;
    for (size_t i = 0; i < x->n && !x->failed; i++) {
        cfile *f = &x->f[i];
        if (!f->hashing) continue;
        char kind[8];
        int seen;
        kind_of(f, kind);
        file_hasher *h = f->hashing;
        f->hashing = NULL;
        if (load_feed_hash_joined(x->s, h, f->path, kind, f->load_id, f->at, f->sha, &seen,
                                  x->err, sizeof x->err) < 0)
            store_failed(x, "recording the load");
        all_seen &= seen;
    }
    return x->failed ? -EIO : all_seen;
}

static int load_delivery(ctx *x)
{
    cfile *f = x->f;
    char label[128];
    snprintf(label, sizeof label, "CCLF delivery %c.%s D%s", f[0].name.env, f[0].name.aco,
             f[0].base + strlen(f[0].base) - 15);
    label[strlen(label) - 9] = '\0'; /* ".D270115" without ".T..." */
    int all_seen = 1;
    size_t claim_files = 0;
    load_phase(label, NULL);
    if (map_and_hash(x) < 0) return -EIO;
    load_phase(label, "map, SHA-256");
    /* the first claims of a store: written into the file directly (store_direct_begin) */
    int direct = !x->o->no_direct && claims_q_none(x->s) == 1 && store_direct_begin(x->s) == 1;
    if (store_begin(x->s, x->err, sizeof x->err) < 0) {
        store_failed(x, "starting the transaction");
        if (direct) store_direct_end(x->s);
        return -EIO;
    }
    int hashed_first_seen = 1; /* every file hashed first was loaded before */
    for (size_t i = 0; i < x->n && !x->failed; i++) {
        char kind[8];
        kind_of(&f[i], kind);
        int rc = f[i].hashing
                     ? load_feed_record_pending(x->s, f[i].path, kind, (int64_t)f[i].len,
                                                &x->load_id, f[i].at, x->err, sizeof x->err)
                     : load_feed_record(x->s, f[i].path, kind, f[i].sha, (int64_t)f[i].len,
                                        &x->load_id, x->err, sizeof x->err);
        if (rc < 0) store_failed(x, "recording the load");
        if (!f[i].hashing) hashed_first_seen &= rc == 1;
        f[i].seen = rc == 1;
        f[i].load_id = rc == 0 ? x->load_id : 0;
        all_seen &= f[i].seen;
    }
    if (all_seen && !x->failed) {
        store_rollback(x->s);
        if (direct) store_direct_end(x->s);
        if (x->o->out) fprintf(x->o->out, "%s: already loaded (every file's SHA-256 is known), skipped\n", label);
        return 0;
    }
    if (!x->failed && feed_sink_open(x->s, x->load_id, &x->sink, x->err, sizeof x->err) < 0)
        store_failed(x, "preparing the store");
    if (!x->failed) prepare_staging(x);
    if (!x->failed && feed_sink_track_persons(x->sink) < 0) {
        snprintf(x->err, sizeof x->err, "out of memory");
        store_failed(x, "preparing the store");
    }
    /* count every file's records (and check their lengths) first: CCLF0 needs them.
     * CCLF7 (Part D) and CCLFA/B are checked but not loaded. */
    for (size_t i = 0; i < x->n && !x->failed; i++)
        if (f[i].name.file != '0') each_record(x, i, NULL);
    load_phase(label, "open, count records");
    size_t z = find(x, '0');
    if (z < x->n) check_summary(x, z);
    else if (x->o->out)
        fprintf(x->o->out, "%s: no CCLF0 summary: record counts not verified\n", label);
    if (!x->failed && find(x, '9') < x->n) xwalk_file(x, find(x, '9'));
    for (size_t i = 0; i < x->n && !x->failed; i++)
        if (f[i].name.file == '8') each_record(x, i, bene_record);
    load_phase(label, "CCLF0, 9, 8");
    for (size_t i = 0; i < x->n && !x->failed; i++)
        if (f[i].name.file >= '1' && f[i].name.file <= '6') claim_files++;
    if (claim_files && !x->failed) stage_files(x);
    if (!x->failed) report_collateral(x);
    load_phase(label, "check and stage 1-6");
    /* assembled here, stored on a second thread (the store's connection is the writer's
     * while it runs: feed_sink_behind; the stage, in memory or in its own tables, never
     * uses it) */
    int behind = 0;
    uint64_t claims = 0; /* at most a claim a CCLF1, 5 or 6 record */
    for (size_t i = 0; i < x->n; i++)
        if (strchr("156", f[i].name.file)) claims += (uint64_t)f[i].records;
    if (x->sink) feed_sink_expect(x->sink, claims);
    if (!x->failed && !x->o->serial_writes &&
        (behind = feed_sink_behind(x->sink, x->err, sizeof x->err)) < 0)
        store_failed(x, "preparing the store");
    if (!x->failed) assemble_part_a(x);
    load_phase(label, "assemble, store Part A");
    if (!x->failed) assemble_part_b(x);
    load_phase(label, "assemble, store Part B");
    if (behind > 0) {
        char e[512];
        if (feed_sink_settle(x->sink, e, sizeof e) < 0 && !x->failed) {
            snprintf(x->err, sizeof x->err, "%s", e);
            store_failed(x, "storing claims");
        }
    }
    load_phase(label, "settle the writer");
    if (!x->failed) chain_admissions(x);
    load_phase(label, "chain stays");
    /* a rejected delivery (errors, no --skip-bad) is not recorded: its hashes are
     * stopped with the load instead */
    int late = 0;
    if (!x->failed && !(x->rep.errors && !x->o->skip_bad)) late = hashes_joined(x, hashed_first_seen);
    for (size_t i = 0; i < x->n && !x->failed && !late; i++) /* a delivery with rejects loads again */
        if (f[i].load_id && load_feed_counts(x->s, f[i].load_id, x->rep.rejected,
                                             x->rep.warnings, x->err, sizeof x->err) < 0)
            store_failed(x, "recording the load");
    if (!x->failed && !late && !(x->rep.errors && !x->o->skip_bad) &&
        feed_sink_finish(x->sink, x->err, sizeof x->err) < 0)
        store_failed(x, "indexing the claims");
    int rc = 0;
    if (late == 1 && !x->failed) { /* another process loaded these files meanwhile */
        store_rollback(x->s);
        if (x->o->out) fprintf(x->o->out, "%s: already loaded (every file's SHA-256 is known), skipped\n", label);
    } else if (x->failed || (x->rep.errors && !x->o->skip_bad)) {
        rc = x->failed ? -EIO : -EINVAL;
        store_rollback(x->s);
    } else if (store_commit(x->s, x->err, sizeof x->err) < 0) {
        store_failed(x, "committing");
        store_rollback(x->s);
        rc = -EIO;
    } else {
        summary(x, label);
    }
    load_phase(label, "index, commit");
    drop_staging(x);
    feed_sink_close(x->sink);
    x->sink = NULL;
    if (direct) store_direct_end(x->s);
    if (rc == -EINVAL)
        fprintf(x->o->err ? x->o->err : stderr, "%s: rejected (%d error%s); nothing from it was "
                "loaded (--skip-bad loads the good records)\n", label, x->rep.errors,
                x->rep.errors == 1 ? "" : "s");
    return rc;
}

/* ---- deliveries ------------------------------------------------------------------------------- */

static int by_delivery(const void *a, const void *b)
{
    const cfile *x = a, *y = b;
    if (x->name.date != y->name.date) return x->name.date < y->name.date ? -1 : 1;
    if (x->name.env != y->name.env) return x->name.env < y->name.env ? -1 : 1;
    int c = strcmp(x->name.aco, y->name.aco);
    if (c) return c;
    if (x->name.file != y->name.file) return x->name.file < y->name.file ? -1 : 1;
    return strcmp(x->path, y->path);
}

static int same_delivery(const cfile *a, const cfile *b)
{
    return a->name.date == b->name.date && a->name.env == b->name.env &&
           !strcmp(a->name.aco, b->name.aco);
}

int load_cclf(store *s, char *const *paths, size_t n, const feed_opts *o)
{
    cfile *f = calloc(n ? n : 1, sizeof *f);
    if (!f) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        f[i].path = o->cclf_names && o->cclf_names[i] ? o->cclf_names[i] : paths[i];
        f[i].open_path = paths[i];
        f[i].fd = -1;
        const char *slash = strrchr(paths[i], '/');
        f[i].base = slash ? slash + 1 : paths[i];
        if (cclf_name_parse(f[i].base, &f[i].name) < 0) {
            fprintf(o->err ? o->err : stderr, "%s: not a CCLF file name (expected e.g. "
                    "P.A1234.ACO.ZC1Y27.D270115.T1200000)\n", paths[i]);
            free(f);
            return -EINVAL;
        }
    }
    qsort(f, n, sizeof *f, by_delivery);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && same_delivery(&f[i], &f[j])) j++;
        for (size_t k = i + 1; k < j; k++)
            if (f[k].name.file == f[k - 1].name.file) {
                fprintf(o->err ? o->err : stderr, "%s and %s: two CCLF%c files in one delivery\n",
                        f[k - 1].path, f[k].path, f[k].name.file);
                rc = -EINVAL;
            }
        if (rc == 0) {
            ctx x = {.s = s, .o = o, .f = f + i, .n = j - i, .explicit_alignment = -1,
                     .chunk = o->check_chunk ? o->check_chunk : CCLF_AHEAD_CHUNK};
            x.rep.o = o;
            rc = load_delivery(&x);
        }
        for (size_t k = i; k < j; k++) {
            file_hash_cancel(f[k].hashing); /* a delivery that stopped before its hashes were joined */
            f[k].hashing = NULL;
            if (f[k].fd >= 0) close(f[k].fd);
            util_unmap(f[k].buf, f[k].len);
            free(f[k].chunk_at);
        }
        i = j;
    }
    free(f);
    return rc;
}
