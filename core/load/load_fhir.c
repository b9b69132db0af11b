/*
 * load_fhir.c: BCDA FHIR files into the store as one delivery (load_feed.h).
 *
 * One pass over the files applies Patient resources (their MBI, remembered by Patient
 * id, and demographics), stages Coverage periods, and applies each
 * ExplanationOfBenefit whose patient's MBI is known; EOBs read before their Patient are
 * remembered by file and record and applied in a second pass over just those files.
 * Then each patient gets its enrollment spans (feed_store.h) from the Part B (else
 * Part A) coverage periods. Patients, Coverage periods and deferred EOBs are staged in
 * the store's temporary tables (store/fhir_stage.h) for the delivery. Files are
 * memory-mapped; NDJSON is parsed one line at a time.
 *
 * Hashes: when some file of the delivery has a size no earlier whole FHIR load had, the
 * delivery cannot be one loaded before; those files are then hashed alongside the load
 * (file_hash.h) and their hashes recorded before the commit (the others, which may have
 * been loaded before, are hashed first, as every file was).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "feeds/feeds.h"
#include "fhir_reader.h"
#include "load_feed.h"

/* files hashed alongside a delivery at most (the largest new ones) */
enum { HASH_ALONGSIDE = 2 };

typedef struct ffile {
    const char *path;
    const char *buf;
    size_t len;
    char sha[65];             /* "" while hashing */
    int64_t load_id;          /* its loads row (0: loaded before) */
    file_hasher *hashing;     /* its hash alongside the load, until joined */
    int fd;                   /* hashing's descriptor, -1 when none */
    char at[32];              /* its loaded_at, for the audit row written once hashed */
    int new_size;             /* no earlier whole FHIR load had its size */
} ffile;

typedef struct fctx {
    store *s;
    const feed_opts *o;
    feed_report rep;
    feed_sink *sink;
    ffile *f;
    size_t n, fi;
    int pass;                 /* 1: everything; 2: deferred EOBs only */
    fhir_stage *stage;        /* the staging tables (store/fhir_stage.h) */
    int64_t eobs, deferred_n, patients, coverages;
    int64_t unknown_types;    /* resources of types cara does not load (warned) */
    char skip_reason[80];     /* the first skipped record's */
    char err[512];
    int failed;
    int behind;               /* the sink writes claims behind (from the first EOB on) */
    int behind_asked;         /* feed_sink_behind was called */
} fctx;

static void store_failed(fctx *x, const char *what)
{
    if (x->failed) return;
    x->failed = 1;
    fprintf(x->o->err ? x->o->err : stderr, "cara load: %s: %s\n", what,
            x->err[0] ? x->err : store_errmsg(x->s));
}

/* Before this file's own use of the connection (the staging tables, the loads table)
 * while the sink writes behind: its queue done first (feed_sink_idle). 0, or -1 with
 * the failure reported. */
static int idle(fctx *x)
{
    if (!x->behind || x->failed) return x->failed ? -1 : 0;
    if (feed_sink_idle(x->sink, x->err, sizeof x->err) == 0) return 0;
    store_failed(x, "storing claims");
    return -1;
}

/* A warning whose value was kept as given (a Patient's placeholder MBI), as feed_warn
 * reports one stored as absent: an error with --strict (-1: the record is rejected). */
static int warn_kept(fctx *x, size_t number, const char *msg)
{
    const char *path = x->f[x->fi].path;
    if (x->o->strict) {
        feed_reject(&x->rep, path, number, 0, NULL, NULL, 0, "%s (without --strict it would be "
                    "kept as given, with a warning)", msg);
        return -1;
    }
    x->rep.warnings++;
    if (x->rep.errors + x->rep.warnings <= (x->o->max_errors > 0 ? x->o->max_errors : 50))
        fprintf(x->o->err ? x->o->err : stderr, "%s:%zu: warning: %s\n", path, number, msg);
    return 0;
}

/* Report a resource's warnings (malformed optional fields, fhir.h). 0, or -1 when
 * --strict made one of them an error: the record is rejected. */
static int record_warnings(fctx *x, const fhir_resource *r, size_t number)
{
    for (size_t i = 0; i < r->n_warnings; i++) {
        const fhir_warning *w = &r->warnings[i];
        char field[256]; /* "Resource id: path", feed_warn's FIELD */
        snprintf(field, sizeof field, "%.*s", w->what >= 2 ? (int)(w->what - 2) : 0, w->msg);
        int rc = w->kept ? warn_kept(x, number, w->msg)
                         : feed_warn(&x->rep, x->f[x->fi].path, number, 0, field, NULL, 0, "%s",
                                     w->msg + w->what);
        if (rc < 0) return -1;
    }
    return 0;
}

static int kept_mbi(const fhir_resource *r)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        if (r->warnings[i].kept) return 1;
    return 0;
}

static void on_patient(fctx *x, const fhir_resource *r, size_t number)
{
    if (record_warnings(x, r, number) < 0) return;
    if (!r->mbi[0]) {
        feed_reject(&x->rep, x->f[x->fi].path, number, 0, "identifier", NULL, 0,
                    "Patient %s has no MBI (an identifier with system "
                    "http://hl7.org/fhir/sid/us-mbi)", r->id);
        return;
    }
    if (feed_patient_put(x->sink, r->id, r->mbi, x->err, sizeof x->err) < 0) {
        store_failed(x, "storing patients");
        return;
    }
    /* the MBIs BFD marks historic are this beneficiary's previous ones (as CCLF9) */
    for (int i = 0; i < r->n_historic && !kept_mbi(r); i++)
        if (feed_xwalk_put(x->sink, r->historic[i], r->mbi, x->err, sizeof x->err) < 0) {
            store_failed(x, "storing previous MBIs");
            return;
        }
    if (idle(x) < 0) return;
    const feed_bene *b = &r->bene;
    fhir_stage_patient p = {.patient_id = r->id, .mbi = r->mbi, .gender = b->gender,
                            .state = b->state, .zip = b->zip, .birth = b->birth,
                            .death = b->death};
    if (fhir_stage_patient_put(x->stage, &p, x->err, sizeof x->err) < 0)
        store_failed(x, "staging patients");
    x->patients++;
}

/* Every queued claim stored, the writer thread stopped: the connection is this
 * thread's again (for the rest of the delivery: the sink is not made to write behind
 * again). A failure is reported. */
static void settle(fctx *x)
{
    if (!x->behind) return;
    char e[512];
    if (feed_sink_settle(x->sink, e, sizeof e) < 0 && !x->failed) {
        snprintf(x->err, sizeof x->err, "%s", e);
        store_failed(x, "storing claims");
    }
    x->behind = 0;
}

static void on_coverage(fctx *x, const fhir_resource *r)
{
    if (r->part != 'A' && r->part != 'B') return; /* Parts C and D: not fee-for-service */
    fhir_stage_cov c = {.part = r->part, .start = r->bene.enroll_start,
                        .end = r->bene.enroll_end, .dual = r->bene.dual,
                        .ms = r->bene.medicare_status};
    if (idle(x) < 0) return;
    if (fhir_stage_cov_put(x->stage, r->patient_id, &c, x->err, sizeof x->err) < 0)
        store_failed(x, "staging coverage");
    x->coverages++;
}

static void on_eob(fctx *x, const fhir_resource *r, size_t number)
{
    feed_claim c = r->claim; /* its lines stay the resource's */
    if (r->skipped) { /* Part D and other types cara does not price: counted, not loaded */
        if (!x->rep.skipped++) snprintf(x->skip_reason, sizeof x->skip_reason, "%s", r->skip_reason);
        return;
    }
    /* the claims are stored on a second thread from the first EOB on
     * (feed_sink_behind: what this file does with the connection meanwhile waits for
     * its queue, idle) */
    if (!x->behind_asked && !x->o->serial_writes) {
        x->behind_asked = 1;
        uint64_t bytes = 0; /* an EOB takes a kilobyte or more */
        for (size_t i = 0; i < x->n; i++) bytes += x->f[i].len;
        feed_sink_expect(x->sink, bytes / 1024);
        if ((x->behind = feed_sink_behind(x->sink, x->err, sizeof x->err)) < 0) {
            x->behind = 0;
            store_failed(x, "preparing the store");
            return;
        }
    }
    int known = feed_patient_mbi(x->sink, r->patient_id, c.person_id, x->err, sizeof x->err);
    if (known < 0) {
        store_failed(x, "reading patients");
        return;
    }
    if (!known) {
        if (x->pass == 2) {
            feed_reject(&x->rep, x->f[x->fi].path, number, 0, "patient", NULL, 0,
                        "ExplanationOfBenefit %s: Patient/%s has no Patient resource with an MBI "
                        "(load its Patient file with it or before it)", r->id, r->patient_id);
            return;
        }
        if (idle(x) < 0) return;
        if (fhir_stage_defer(x->stage, x->fi, number, x->err, sizeof x->err) < 0)
            store_failed(x, "remembering claims");
        x->deferred_n++;
        return;
    }
    if (record_warnings(x, r, number) < 0) return;
    char src[400];
    const char *base = strrchr(x->f[x->fi].path, '/');
    snprintf(src, sizeof src, "%s:%zu", base ? base + 1 : x->f[x->fi].path, number);
    feed_check_dates(&x->rep, x->f[x->fi].path, number, &c); /* dates decades ahead */
    if (feed_put_claim(x->sink, &c, src, x->err, sizeof x->err) < 0) store_failed(x, "storing claims");
    x->eobs++;
}

static int deferred(fctx *x, size_t number)
{
    int yes = 0;
    if (idle(x) < 0) return 0;
    if (fhir_stage_deferred(x->stage, x->fi, number, &yes, x->err, sizeof x->err) < 0)
        store_failed(x, "remembering claims");
    return yes;
}

static int on_resource(void *ud, const fhir_resource *r, size_t number, const char *msg)
{
    fctx *x = ud;
    if (x->failed) return 1;
    if (x->pass == 2) {
        if (r && r->kind == FHIR_EOB && deferred(x, number)) on_eob(x, r, number);
        return 0;
    }
    if (!r) {
        feed_reject(&x->rep, x->f[x->fi].path, number, 0, NULL, NULL, 0, "%s", msg);
        return 0;
    }
    switch (r->kind) {
    case FHIR_PATIENT: on_patient(x, r, number); break;
    case FHIR_COVERAGE: on_coverage(x, r); break;
    case FHIR_EOB: on_eob(x, r, number); break;
    default: /* other resource types are not claims data: skipped, with a warning */
        feed_notice(&x->rep, x->f[x->fi].path, number, "resourceType \"%s\": not a resource "
                    "cara loads (ExplanationOfBenefit, Patient, Coverage): skipped", r->rtype);
        x->unknown_types++;
        break;
    }
    return 0;
}

/* Each staged patient's spans: Part B periods, else Part A, else one span from the
 * later of the birth date and Medicare's first day (1966-07-01), to the death date. */
static void apply_benes(fctx *x)
{
    feed_bene spans[64];
    fhir_stage_patient p;
    int prc = 0;
    if (idle(x) < 0) return;
    while (!x->failed && (prc = fhir_stage_next(x->stage, &p, x->err, sizeof x->err)) == 1) {
        feed_bene b;
        memset(&b, 0, sizeof b);
        b.hospice_start = CARA_DATE_NONE;
        snprintf(b.person_id, sizeof b.person_id, "%s", p.mbi);
        snprintf(b.gender, sizeof b.gender, "%s", p.gender);
        b.birth = p.birth;
        b.death = p.death;
        snprintf(b.state, sizeof b.state, "%s", p.state);
        snprintf(b.zip, sizeof b.zip, "%s", p.zip);
        if (b.birth == CARA_DATE_NONE) continue; /* reported when parsed */
        size_t n = 0;
        char part = 0;
        fhir_stage_cov c;
        int crc;
        while ((crc = fhir_stage_next_cov(x->stage, &c, x->err, sizeof x->err)) == 1 && n < 64) {
            if (part && c.part != part) break; /* B sorts first: A only without B */
            if (c.start == CARA_DATE_NONE) { /* undated: its codes only */
                snprintf(b.dual, 3, "%s", c.dual);
                snprintf(b.medicare_status, 3, "%s", c.ms);
                continue;
            }
            part = c.part;
            spans[n] = b;
            spans[n].enroll_start = c.start;
            spans[n].enroll_end = c.end == CARA_DATE_NONE ? b.death : c.end;
            snprintf(spans[n].dual, 3, "%s", c.dual);
            snprintf(spans[n].medicare_status, 3, "%s", c.ms);
            n++;
        }
        if (crc < 0) {
            store_failed(x, "reading staged patients");
            break;
        }
        if (n == 0) {
            cara_date medicare = date_from_ymd(1966, 7, 1);
            spans[0] = b;
            spans[0].enroll_start = b.birth > medicare ? b.birth : medicare;
            spans[0].enroll_end = b.death;
            n = 1;
        }
        if (feed_put_bene(x->sink, spans, n, x->err, sizeof x->err) < 0)
            store_failed(x, "storing beneficiaries");
    }
    if (!x->failed && prc < 0) store_failed(x, "reading staged patients");
}

static void finish(fctx *x)
{
    fhir_stage_close(x->stage);
    feed_sink_close(x->sink);
}

static int has_deferred(fctx *x, size_t fi)
{
    int yes = 0;
    if (idle(x) < 0) return 0;
    if (fhir_stage_file_deferred(x->stage, fi, &yes, x->err, sizeof x->err) < 0)
        store_failed(x, "remembering claims");
    return yes;
}

/* The hashes computed alongside the load, into their loads rows. 1 when every file of
 * the delivery turns out loaded before (another process loaded the same files while
 * this load ran: the caller rolls back, as for a delivery seen at the start), 0, or
 * -EIO (reported). */
static int hashes_joined(fctx *x, int seen_first)
{
    int all_seen = seen_first;
    for (size_t i = 0; i < x->n && !x->failed; i++) {
        ffile *f = &x->f[i];
        if (!f->hashing) continue;
        int seen;
        file_hasher *h = f->hashing;
        f->hashing = NULL;
        if (load_feed_hash_joined(x->s, h, f->path, "fhir", f->load_id, f->at, f->sha, &seen,
                                  x->err, sizeof x->err) < 0)
            store_failed(x, "recording the load");
        all_seen &= seen;
    }
    return x->failed ? -EIO : all_seen;
}

/* A pass over file x->fi: its resources parsed on a second thread (fhir_reader.h) and
 * applied here in file order, as fhir_each_mapped would hand them to on_resource (on one
 * thread with CARA_LOAD_SERIAL=1, or when no thread can be started). fhir_each_mapped's
 * return. */
static long read_file(fctx *x)
{
    const ffile *f = &x->f[x->fi];
    fhir_reader *rd;
    if (x->o->serial_writes || fhir_reader_start(f->buf, f->len, &rd) < 0)
        return fhir_each_mapped(f->buf, f->len, on_resource, x);
    const fhir_resource *r;
    const char *msg;
    size_t number;
    while (fhir_reader_next(rd, &r, &number, &msg) == 1)
        if (on_resource(x, r, number, msg)) break;
    return fhir_reader_finish(rd);
}

static int run(fctx *x)
{
    int all_seen = 1, hashed_first_seen = 1;
    int64_t load_id = 0;
    for (size_t i = 0; i < x->n && !x->failed; i++) {
        int rc = x->f[i].hashing
                     ? load_feed_record_pending(x->s, x->f[i].path, "fhir", (int64_t)x->f[i].len,
                                                &load_id, x->f[i].at, x->err, sizeof x->err)
                     : load_feed_record(x->s, x->f[i].path, "fhir", x->f[i].sha,
                                        (int64_t)x->f[i].len, &load_id, x->err, sizeof x->err);
        if (rc < 0) store_failed(x, "recording the load");
        if (rc == 0) x->f[i].load_id = load_id;
        all_seen &= rc == 1;
        if (!x->f[i].hashing) hashed_first_seen &= rc == 1;
    }
    if (x->failed) return -EIO;
    if (all_seen) return 1;
    if (feed_sink_open(x->s, load_id, &x->sink, x->err, sizeof x->err) < 0) {
        store_failed(x, "preparing the store");
        return -EIO;
    }
    if (fhir_stage_open(x->s, &x->stage, x->err, sizeof x->err) < 0) {
        store_failed(x, "preparing the delivery");
        return -EIO;
    }
    x->pass = 1;
    for (x->fi = 0; x->fi < x->n && !x->failed; x->fi++) {
        long rc = read_file(x);
        if (rc < 0 && !x->failed)
            feed_reject(&x->rep, x->f[x->fi].path, 0, 0, NULL, NULL, 0, "cannot be read as FHIR "
                        "(NDJSON or a Bundle): %s", strerror((int)-rc));
    }
    /* what follows reads the staging tables record by record (the spans, the second
     * pass's EOBs): on this thread, not waiting for the queue at every record */
    settle(x);
    if (!x->failed) apply_benes(x);
    x->pass = 2;
    for (x->fi = 0; x->fi < x->n && !x->failed && x->deferred_n; x->fi++)
        if (has_deferred(x, x->fi)) (void)read_file(x);
    settle(x);
    /* a rejected delivery (errors, no --skip-bad) is not recorded: its hashes are
     * stopped with the load instead */
    if (!x->failed && !(x->rep.errors && !x->o->skip_bad)) {
        int late = hashes_joined(x, hashed_first_seen);
        if (late != 0) return late;
    }
    /* a delivery with rejects loads again (load_feed_record) */
    for (size_t i = 0; i < x->n && !x->failed; i++)
        if (x->f[i].load_id && load_feed_counts(x->s, x->f[i].load_id, x->rep.rejected,
                                                x->rep.warnings, x->err, sizeof x->err) < 0)
            store_failed(x, "recording the load");
    return x->failed ? -EIO : 0;
}

int load_fhir(store *s, char *const *paths, size_t n, const feed_opts *o)
{
    ffile *f = calloc(n ? n : 1, sizeof *f);
    if (!f) return -ENOMEM;
    fctx x = {.s = s, .o = o, .f = f, .n = n};
    x.rep.o = o;
    int rc = 0;
    for (size_t i = 0; i < n; i++) f[i].fd = -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        f[i].path = paths[i];
        if ((rc = util_map_file_fd(paths[i], &f[i].buf, &f[i].len, &f[i].fd, x.err,
                                   sizeof x.err)) < 0) {
            fprintf(o->err ? o->err : stderr, "%s\n", x.err);
            break;
        }
        char e[256];
        int maybe = loads_w_maybe_seen(s, "fhir", (int64_t)f[i].len, e, sizeof e);
        if (maybe < 0) {
            snprintf(x.err, sizeof x.err, "%s", e);
            store_failed(&x, "reading the store");
            rc = -EIO;
        }
        f[i].new_size = maybe == 0;
    }
    /* the largest new files (at most HASH_ALONGSIDE: a thread, a descriptor and 1 MiB
     * each) hashed alongside, through the descriptor that was mapped; the others now */
    for (int k = 0; k < HASH_ALONGSIDE && rc == 0; k++) {
        size_t big = n;
        for (size_t i = 0; i < n; i++)
            if (f[i].new_size && !f[i].hashing && f[i].len && (big == n || f[i].len > f[big].len))
                big = i;
        if (big < n && file_hash_start(f[big].fd, f[big].len, &f[big].hashing) < 0) break;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!f[i].hashing) {
            util_sha256_mapped(f[i].buf, f[i].len, f[i].sha);
            close(f[i].fd);
            f[i].fd = -1;
        }
    }
    /* the first claims of a store: written into the file directly (store_direct_begin) */
    int direct = rc == 0 && !o->no_direct && claims_q_none(s) == 1 && store_direct_begin(s) == 1;
    if (rc == 0 && store_begin(s, x.err, sizeof x.err) < 0) {
        store_failed(&x, "starting the transaction");
        rc = -EIO;
    }
    if (rc == 0) {
        rc = run(&x);
        if (rc == 1) {
            store_rollback(s);
            if (o->out) fprintf(o->out, "FHIR files: already loaded (every file's SHA-256 is known), skipped\n");
            rc = 0;
        } else if (rc < 0 || (x.rep.errors && !o->skip_bad)) {
            store_rollback(s);
            if (rc == 0) rc = -EINVAL;
        } else if (feed_sink_finish(x.sink, x.err, sizeof x.err) < 0) {
            store_failed(&x, "indexing the claims");
            store_rollback(s);
            rc = -EIO;
        } else if (store_commit(s, x.err, sizeof x.err) < 0) {
            store_failed(&x, "committing");
            store_rollback(s);
            rc = -EIO;
        } else if (o->out) {
            const feed_stats *st = feed_sink_stats(x.sink);
            fprintf(o->out, "FHIR files (%zu): %lld patients, %lld coverages, %lld claims, %lld "
                    "cancelled, %lld denied (%lld lines) stored, %lld priced at the claim "
                    "payment, %lld earlier versions ignored; %lld beneficiaries new, %lld "
                    "updated", n, (long long)x.patients, (long long)x.coverages,
                    (long long)st->claims, (long long)st->cancelled, (long long)st->denied,
                    (long long)st->lines, (long long)st->header_paid, (long long)st->stale,
                    (long long)st->benes_new, (long long)st->benes_updated);
            if (st->remapped)
                fprintf(o->out, "; %lld previous MBIs mapped to current ones", (long long)st->remapped);
            if (x.rep.skipped)
                fprintf(o->out, "; %lld records skipped (types cara does not price: %s%s)",
                        (long long)x.rep.skipped, x.skip_reason, x.rep.skipped > 1 ? ", ..." : "");
            if (x.unknown_types)
                fprintf(o->out, "; %lld resources of types cara does not load (warned)",
                        (long long)x.unknown_types);
            if (x.rep.warnings)
                fprintf(o->out, "; %lld warnings (optional fields stored as absent, data "
                        "warnings)", (long long)x.rep.warnings);
            if (x.rep.rejected) fprintf(o->out, "; %lld records rejected", (long long)x.rep.rejected);
            fputc('\n', o->out);
        }
        if (x.stage || x.sink) finish(&x);
    }
    if (direct) store_direct_end(s);
    if (rc == -EINVAL)
        fprintf(o->err ? o->err : stderr, "FHIR files: rejected (%d error%s); nothing from them "
                "was loaded (--skip-bad loads the good records)\n", x.rep.errors,
                x.rep.errors == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        file_hash_cancel(f[i].hashing); /* a load that stopped before its hashes were joined */
        if (f[i].fd >= 0) close(f[i].fd);
        util_unmap(f[i].buf, f[i].len);
    }
    free(f);
    return rc;
}
