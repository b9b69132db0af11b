/*
 * engine_run.c: a run, from the store to recorded results (see engine_run.h).
 *
 *   1. open the catalog (plugins, templates, rule files) and the CMS-HCC tables;
 *   2. record the run as 'running';
 *   3. per beneficiary (person_id order), engine_price_beneficiary (engine_price.c): every
 *      template's plugin builds episodes; each priced episode gets its HCC count,
 *      candidates, attribute(), target(), quality();
 *   4. winsorize actuals per template and trigger type (winsorize());
 *   5. reconcile each arrangement per performance year (reconcile());
 *   6. save everything in one transaction and mark the run done.
 */
#include "engine_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "catalog/catalog.h"
#include "base/base.h"
#include "engine_internal.h"
#include "ep_spill.h"
#include "lag.h"
#include "run_manifest.h"

#include <uv.h>

/* ---- reference data -------------------------------------------------------------------- */

/* The latest service date in the store into *d: episodes whose window ends after it are
 * interim. 0, or -EIO with a message (a silent CARA_DATE_NONE would make every episode
 * final). */
static int data_as_of(store *s, cara_date *d, char *err, size_t errlen)
{
    char m[256];
    if (run_inputs_q_as_of(s, d, m, sizeof m) == 0) return 0;
    return util_fail(err, errlen, -EIO, "reading the data's as-of date: %s", m);
}

/* ---- one beneficiary: engine_price.c ------------------------------------------------------ */

/* The run-wide rule calls (winsorize(), reconcile()) over the merged records. */
typedef struct worker {
    const catalog *cat;
    rule_set rules;
    run_data *rd;
} worker;

/* CARA_TEST_RUN_DELAY_MS: a test hook (tests/test_hardening.c) that makes a run sleep
 * this long before each beneficiary, so that a test can kill it mid-run. Set by
 * engine_run before the shard threads start; 0 (no delay) otherwise. */
static int test_delay_ms;

static int process_beneficiary(engine_pricer *p, const engine_opts *o, const bene_data *d,
                               int64_t claims, engine_stats *st, char *err, size_t errlen)
{
    if (test_delay_ms > 0 && test_delay_ms <= 10000) {
        struct timespec ts = {test_delay_ms / 1000, (long)(test_delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    engine_price_opts po = {.period = o->period};
    int rc = engine_price_beneficiary(p, &d->b, d->lines, d->n_lines, &po, err, errlen);
    st->beneficiaries++;
    st->claim_lines += (int64_t)d->n_lines;
    if (rc >= 0) {
        person_rec pr = {d->b.person_id, (int64_t)d->n_lines, claims, d->b.enrollment.n == 0};
        rc = engine__add_person(p->rd, &pr, err, errlen);
    }
    return rc < 0 ? rc : 0;
}

int engine__add_person(run_data *rd, const person_rec *p, char *err, size_t errlen)
{
    if (!rd->n_plogs) {
        people_log **v = realloc(rd->plogs, sizeof *v);
        if (!v) return util_fail(err, errlen, -ENOMEM, "out of memory");
        rd->plogs = v;
        int rc = people_log_open(&v[0], rd->spill_dir, err, errlen);
        if (rc < 0) return rc;
        rd->n_plogs = 1;
    }
    int rc = people_log_add(rd->plogs[rd->n_plogs - 1], p, err, errlen);
    if (rc == 0) rd->n_people++;
    return rc;
}

int engine__people_open(const run_data *rd, people_merge **out, char *err, size_t errlen)
{
    return people_merge_open(rd->plogs, rd->n_plogs, out, err, errlen);
}

/* ---- after all beneficiaries ----------------------------------------------------------- */

/* The run's counts of its episodes (engine__hot_each). */
static int count_episode(ep_hot *h, ep_dev *dv, void *ud)
{
    (void)dv;
    engine_stats *st = ud;
    st->episodes++;
    if (!h->has_target) st->excluded++;
    if (h->arr) st->attributed++;
    return 0;
}

/* ---- the run ---------------------------------------------------------------------------- */

void engine__run_data_free(run_data *rd)
{
    for (size_t i = 0; i < rd->n_arrs; i++) {
        ref_arrangement *a = &rd->arrs[i];
        free(a->arrangement_id);
        free(a->aco_id);
        free(a->npi);
        free(a->tin);
        free(a->template_id);
        free(a->track);
        free(a->specialty);
        free(a->family);
    }
    free(rd->arrs);
    network_free(&rd->net);
    for (size_t i = 0; i < rd->n_eps; i++) engine__ep_free(&rd->eps[i]);
    free(rd->eps);
    for (size_t i = 0; i < rd->n_leaks; i++) engine__leak_free(&rd->leaks[i]);
    free(rd->leaks);
    engine__hot_free(rd);
    engine__caps_free(rd->caps);
    rd->caps = NULL;
    for (size_t i = 0; i < rd->n_spills; i++) ep_spill_close(rd->spills[i]);
    free(rd->spills);
    for (size_t i = 0; i < rd->n_plogs; i++) people_log_close(rd->plogs[i]);
    free(rd->plogs);
    free(rd->results);
    free(rd->curves);
    for (int k = 0; k < 3; k++) free(rd->proj[k]);
    free((void *)rd->lag);
    memset(rd, 0, sizeof *rd);
}

static void warn_plugin(void *ud, const char *path, const char *reason)
{
    FILE *log = ud;
    if (log) fprintf(log, "cara: plugin %s: %s\n", path, reason);
}

static void now_iso(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Insert the 'running' row with the files the run reads (own transaction, so a failed
 * run stays on record and can be replayed). */
static int start_run(store *s, const engine_opts *o, const run_manifest *m, const char *basis,
                     int64_t *run_id, char *err, size_t errlen)
{
    char now[32];
    now_iso(now, sizeof now);
    if (store_begin(s, err, errlen) < 0) return -EIO;
    if (runs_w_start(s, now, o->period, o->only_template, o->episodes_dir, o->replay_of,
                     run_id, err, errlen) < 0) {
        store_rollback(s);
        return -EIO;
    }
    /* the change clock ticks as the run starts: what is written from now on is stamped
     * after this run's change_seq (store/changes_q.h) */
    int64_t seq = 0;
    if (changes_q_tick(s, &seq, err, errlen) < 0 ||
        (basis && runs_w_basis(s, *run_id, seq, basis, err, errlen) < 0) ||
        run_manifest_save_files(s, *run_id, m, err, errlen) < 0 ||
        store_commit(s, err, errlen) < 0) {
        store_rollback(s);
        *run_id = 0;
        return -EIO;
    }
    return 0;
}

/* The warnings a run records: components changed under an unchanged version; with
 * replay_of, plugins that differ from that run's (an error unless allowed). Each is
 * printed to o->log. */
static int run_warnings(store *s, const engine_opts *o, const run_manifest *m, json_t *w,
                        char *err, size_t errlen)
{
    int rc = run_manifest_version_warnings(s, m, o->replay_of, w, err, errlen);
    if (rc >= 0 && o->replay_of)
        rc = run_manifest_check_plugins(s, o->replay_of, m, o->allow_plugin_change, w,
                                        err, errlen);
    for (size_t i = 0; o->log && i < json_array_size(w); i++)
        fprintf(o->log, "cara run: warning: %s\n", json_string_value(json_array_get(w, i)));
    return rc < 0 ? rc : 0;
}

/* The number of people a run visits (those with claims; 0 when it cannot be read). */
static int64_t count_people(store *s)
{
    char m[256];
    int64_t n = run_inputs_q_people(s, m, sizeof m);
    return n < 0 ? 0 : n;
}

static void fail_run(store *s, int64_t run_id, const char *msg)
{
    store_rollback(s);
    runs_w_fail(s, run_id, msg);
}

/* ---- shards: the beneficiaries split over threads ------------------------------------- */

/* One shard: a contiguous range of person ids, its own store connection, Lua state and
 * records. Shards' records are concatenated in shard order, which is person order: the
 * same records, in the same order, whatever the thread count. */
typedef struct shard {
    const engine_opts *o;
    const catalog *cat;
    const hcc_model *hcc;
    const run_data *main_rd;       /* arrangements and as-of date, read-only */
    const char *db_path;
    char *from, *to;               /* owned; NULL = unbounded */
    int listed;                    /* an incremental run: read list[0..n_list) only */
    const char *const *list;       /* borrowed */
    size_t n_list;
    int64_t *done, total;          /* shared progress counter (atomic) */
    run_data rd;                   /* this shard's episodes and leakage */
    engine_stats st;
    int rc;
    char err[4096];
    uv_work_t work;
} shard;

static void shard_run(shard *sh)
{
    const engine_opts *o = sh->o;
    sh->rd.arrs = sh->main_rd->arrs;
    sh->rd.n_arrs = sh->main_rd->n_arrs;
    sh->rd.net = sh->main_rd->net;
    sh->rd.as_of = sh->main_rd->as_of;
    sh->rd.lag = sh->main_rd->lag;
    sh->rd.spill_dir = sh->main_rd->spill_dir;
    sh->rd.sort_budget = sh->main_rd->sort_budget;
    sh->rd.cat = sh->main_rd->cat;
    bene_reader br = {0};
    bene_data bd = {0};
    store *db = NULL;
    int have_br = 0;
    engine_pricer pr;
    int rc = engine__pricer_init(&pr, sh->cat, sh->hcc, &sh->rd, &o->limits, o->compare_native,
                                &sh->st, sh->err, sizeof sh->err);
    if (rc == 0) rc = store_open(sh->db_path, 0, &db, sh->err, sizeof sh->err);
    if (rc == 0) {
        store_busy_timeout(db, 10000);
        /* a shard visiting persons in order reads each table in one pass; a listed one
         * (incremental) looks each person up */
        rc = sh->listed ? bene_reader_open_range(&br, db, sh->from, sh->to, sh->err, sizeof sh->err)
                        : bene_reader_open_stream(&br, db, sh->from, sh->to, sh->err, sizeof sh->err);
        have_br = rc == 0;
        if (rc == 0 && o->as_of) rc = bene_reader_paid_through(&br, o->as_of);
    }
    char person[80]; /* a person id is up to 64 characters */
    size_t next = 0;
    while (rc == 0) {
        if (o->cancel && atomic_load(o->cancel)) {
            snprintf(sh->err, sizeof sh->err, "cancelled");
            rc = -ECANCELED;
            break;
        }
        int64_t claims = 0;
        int got = sh->listed ? next < sh->n_list
                             : bene_next_person(&br, person, sizeof person, &claims, sh->err,
                                                sizeof sh->err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (sh->listed) {
            util_strlcpy(person, sh->list[next++], sizeof person);
            rc = bene_current_claims(&br, person, &claims, sh->err, sizeof sh->err);
        }
        if (rc == 0) rc = bene_load(&br, person, &bd, sh->err, sizeof sh->err);
        if (rc == 0 && claims < 0) claims = bd.n_claims; /* persons from the claims */
        /* an interim run knows what was known on its as-of date: not a later death */
        if (rc == 0 && o->as_of && bd.b.death != CARA_DATE_NONE && bd.b.death > sh->rd.as_of)
            bd.b.death = CARA_DATE_NONE;
        if (rc == 0)
            rc = process_beneficiary(&pr, o, &bd, claims, &sh->st, sh->err, sizeof sh->err);
        /* what the run still reads of its episodes stays; the rest goes to the spill */
        if (rc == 0) rc = engine__spill_compact(&sh->rd, NULL, 0, sh->err, sizeof sh->err);
        int64_t done = __atomic_add_fetch(sh->done, 1, __ATOMIC_RELAXED);
        if (o->progress && (done & 255) == 0) o->progress(o->progress_ud, done, sh->total);
    }
    if (have_br) bene_reader_close(&br);
    if (db) store_close(db);
    engine__pricer_fini(&pr);
    bene_data_free(&bd);
    sh->rd.arrs = NULL; /* borrowed */
    sh->rd.lag = NULL;
    sh->rd.spill_dir = NULL;
    sh->rd.n_arrs = 0;
    memset(&sh->rd.net, 0, sizeof sh->rd.net);
    sh->rc = rc;
}

static void shard_work(uv_work_t *wk) { shard_run(wk->data); }
static void shard_after(uv_work_t *wk, int status) { (void)wk, (void)status; }

/* The threads to use: o->threads, else the machine's CPUs (at most 16). */
static int thread_count(const engine_opts *o)
{
    if (o->threads > 0) return o->threads > 64 ? 64 : o->threads;
    int n = (int)uv_available_parallelism();
    return n < 1 ? 1 : n > 16 ? 16 : n;
}

/* Shards for a run over every beneficiary: at most *n, split where a sample of the
 * current claims' persons (run_inputs_q_person_sample) puts equal numbers of claims on
 * each side, so the shards get about as much work each, found without a pass over the
 * claims. Fewer shards when there are few persons (64 a shard at least; persons: the
 * count when known, else the distinct persons of the sample, a lower bound) or a
 * person outweighs a shard. The boundaries change no result: shards' records are
 * concatenated in person order. */
static int plan_shards(store *s, int64_t persons, int *n, shard *sh, char *err, size_t errlen)
{
    size_t k = (size_t)*n * 256 > 1024 ? (size_t)*n * 256 : 1024;
    char **ids = NULL;
    size_t m = 0;
    int rc = run_inputs_q_person_sample(s, k, &ids, &m, err, errlen);
    if (rc < 0) return rc;
    if (persons < 0) {
        persons = m ? 1 : 0;
        for (size_t i = 1; i < m; i++) persons += strcmp(ids[i - 1], ids[i]) != 0;
    }
    int want = *n;
    if (persons < (int64_t)want * 64) want = persons > 64 ? (int)(persons / 64) : 1;
    int got = 1; /* sh[0] starts unbounded; each boundary ends one shard, starts the next */
    for (int j = 1; j < want && rc == 0; j++) {
        const char *b = ids[m * (size_t)j / (size_t)want];
        if (strcmp(b, ids[0]) == 0 || (sh[got - 1].from && strcmp(b, sh[got - 1].from) <= 0))
            continue; /* one person's claims span the point: no boundary inside a person */
        sh[got].from = strdup(b);
        sh[got - 1].to = strdup(b);
        got++; /* freed with the shards even when a copy failed */
        if (!sh[got - 1].from || !sh[got - 2].to)
            rc = util_fail(err, errlen, -ENOMEM, "planning shards: out of memory");
    }
    run_inputs_q_sample_free(ids, m);
    *n = got;
    return rc;
}

static int merge_shard(run_data *dst, run_data *src)
{
    if (engine__interim_merge(dst, src) < 0) return -ENOMEM;
    if (src->n_eps || src->n_leaks) return -EPROTO; /* compacted after each beneficiary */
    if (engine__hot_take(dst, src) < 0) return -ENOMEM; /* first: its records' spills follow dst's */
    if (src->n_spills) {
        ep_spill **v = realloc(dst->spills, (dst->n_spills + src->n_spills) * sizeof *v);
        if (!v) return -ENOMEM;
        memcpy(v + dst->n_spills, src->spills, src->n_spills * sizeof *v);
        dst->spills = v;
        dst->n_spills += src->n_spills;
    }
    if (src->n_plogs) { /* after dst's: the shards come in person order */
        people_log **v = realloc(dst->plogs, (dst->n_plogs + src->n_plogs) * sizeof *v);
        if (!v) return -ENOMEM;
        memcpy(v + dst->n_plogs, src->plogs, src->n_plogs * sizeof *v);
        dst->plogs = v;
        dst->n_plogs += src->n_plogs;
        dst->n_people += src->n_people;
    }
    free(src->spills);
    free(src->plogs);
    src->spills = NULL;
    src->plogs = NULL;
    src->n_spills = src->n_plogs = src->n_people = 0;
    return 0;
}

/* Every beneficiary, over the shards; the records end in rd in person order. */
static int run_shards(store *s, const engine_opts *o, const catalog *cat, const hcc_model *hcc,
                      const incr_plan *plan, run_data *rd, engine_stats *stats, char *err,
                      size_t errlen)
{
    /* the number of beneficiaries: an incremental run's list; counted (a pass over the
     * claims' index) only for a progress report */
    int64_t total = plan->base_run ? (int64_t)plan->n_recompute : o->progress ? count_people(s) : -1;
    int64_t done = 0;
    int n = thread_count(o);
    if (plan->base_run && total < (int64_t)n * 64) /* small runs */
        n = total > 64 ? (int)(total / 64) : 1;
    shard *sh = calloc((size_t)n, sizeof *sh);
    if (!sh) return -ENOMEM;
    int rc = n > 1 && !plan->base_run ? plan_shards(s, total, &n, sh, err, errlen) : 0;
    for (int k = 0; plan->base_run && k < n; k++) { /* the list, in n contiguous slices */
        size_t lo = plan->n_recompute * (size_t)k / (size_t)n,
               hi = plan->n_recompute * (size_t)(k + 1) / (size_t)n;
        sh[k].listed = 1;
        sh[k].list = plan->recompute ? plan->recompute + lo : NULL;
        sh[k].n_list = hi - lo;
    }
    for (int k = 0; k < n; k++) {
        sh[k].o = o;
        sh[k].cat = cat;
        sh[k].hcc = hcc;
        sh[k].main_rd = rd;
        sh[k].db_path = store_path(s);
        sh[k].done = &done;
        sh[k].total = total;
        sh[k].work.data = &sh[k];
    }
    if (rc == 0 && n == 1) {
        shard_run(&sh[0]);
    } else if (rc == 0) {
        uv_loop_t loop;
        uv_loop_init(&loop);
        for (int k = 0; k < n; k++)
            if (uv_queue_work(&loop, &sh[k].work, shard_work, shard_after) != 0) shard_run(&sh[k]);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    for (int k = 0; k < n && rc == 0; k++) { /* the first failing shard, in order, speaks */
        if (sh[k].rc < 0) {
            util_strlcpy(err, sh[k].err, errlen);
            rc = sh[k].rc;
        }
    }
    for (int k = 0; k < n; k++) {
        int m = rc == 0 ? merge_shard(rd, &sh[k].rd) : 0;
        if (m == -EPROTO)
            rc = util_fail(err, errlen, m, "merging the shards' results: shard %d left episodes "
                           "not compacted", k);
        else if (m < 0)
            rc = util_fail(err, errlen, -ENOMEM, "merging the shards' results: out of memory");
        stats->beneficiaries += sh[k].st.beneficiaries;
        stats->claim_lines += sh[k].st.claim_lines;
        stats->compared += sh[k].st.compared;
        stats->lua_ns += sh[k].st.lua_ns;
        stats->native_ns += sh[k].st.native_ns;
        stats->bind_ns += sh[k].st.bind_ns;
        engine__run_data_free(&sh[k].rd); /* what was not merged */
        free(sh[k].from);
        free(sh[k].to);
    }
    free(sh);
    if (o->progress && rc == 0) o->progress(o->progress_ud, done, total);
    return rc;
}

/* The process's resident memory in KB (Linux /proc/self/statm), or -1. */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = -1, rss = -1;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = -1;
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return rss < 0 || page <= 0 ? -1 : rss * (page / 1024);
}

/* CARA_RUN_TIMING set: each phase's wall time on o->log ("cara run: timing: ..."), with
 * the resident memory at its end, for docs/performance.md. */
static void phase(const engine_opts *o, const char *name)
{
    static struct timespec last;
    if (!o->log || !getenv("CARA_RUN_TIMING")) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (name)
        fprintf(o->log, "cara run: timing: %-22s %8.3f s  rss %ld KB\n", name,
                (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9,
                rss_kb());
    last = now;
}

/* After the shards: the beneficiaries in person order, the warning about those without
 * eligibility, and the counts of a full run (an incremental run's, carried included). */
static int after_shards(run_data *rd, const incr_plan *plan, json_t *warnings, FILE *log,
                        engine_stats *st, char *err, size_t errlen)
{
    /* one pass over the beneficiaries in person order (people_log.h): their counts, and
     * none priced twice */
    st->base_run = plan->base_run;
    st->recomputed = st->beneficiaries; /* read by the shards */
    util_strlcpy(st->full_reason, plan->reason, sizeof st->full_reason);
    st->beneficiaries = (int64_t)rd->n_people;
    st->claim_lines = 0;
    st->claims = 0;
    people_merge *m;
    int rc = engine__people_open(rd, &m, err, errlen);
    if (rc < 0) return rc;
    char *prev = NULL;
    size_t prev_cap = 0;
    person_rec p;
    while (rc == 0 && (rc = people_merge_next(m, &p, err, errlen)) == 1) {
        rc = 0;
        size_t n = strlen(p.person_id) + 1;
        if (prev && !strcmp(prev, p.person_id)) {
            rc = util_fail(err, errlen, -EPROTO, "beneficiary %s was priced twice (carried "
                           "and recomputed): the run is not saved", p.person_id);
            break;
        }
        if (n > prev_cap) {
            char *v = realloc(prev, n * 2);
            if (!v) {
                rc = util_fail(err, errlen, -ENOMEM, "out of memory");
                break;
            }
            prev = v;
            prev_cap = n * 2;
        }
        memcpy(prev, p.person_id, n);
        st->claim_lines += p.lines;
        if (p.claims < 0 || st->claims < 0) st->claims = -1;
        else st->claims += p.claims;
    }
    free(prev);
    people_merge_close(m);
    if (rc < 0) return rc;
    if ((rc = engine__unknown_warning(rd, warnings, log, err, errlen)) < 0) return rc;
    return 0;
}

int engine_run(store *s, const engine_opts *o, int64_t *run_id, engine_stats *stats,
               char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    *run_id = 0;
    phase(o, NULL);
    catalog cat;
    int rc = catalog_open(&cat, o->episodes_dir, o->plugins_dir, o->only_template, warn_plugin,
                          o->log, err, errlen);
    if (rc < 0) return rc;
    hcc_model *hcc = NULL;
    char *common = util_path_join(o->episodes_dir, "common");
    rc = common ? hcc_model_load(common, &hcc, err, errlen) : -ENOMEM;
    free(common);
    if (rc < 0) {
        catalog_free(&cat);
        return rc;
    }
    run_data rd = {0};
    int oom = 0;
    char *spill_dir = ep_spill_dir_of(store_path(s), &oom); /* the store's disk, not /tmp */
    rd.spill_dir = spill_dir;
    rd.cat = &cat;
    /* CARA_RUN_SORT_BYTES: a test hook (tests/test_e2e.c) that makes the hot logs and
     * sorts write to disk after that many bytes (1: every record), so that the runs on
     * small fixtures take the path a national run takes */
    const char *sort_bytes = getenv("CARA_RUN_SORT_BYTES");
    rd.sort_budget = sort_bytes && atol(sort_bytes) > 0 ? (size_t)atol(sort_bytes) : ENGINE_SORT_BUDGET;
    worker w = {.cat = &cat, .rd = &rd};
    run_manifest man;
    json_t *warnings = json_array();
    rc = warnings && !oom ? run_manifest_build(&cat, &man, err, errlen)
                          : util_fail(err, errlen, -ENOMEM, "out of memory");
    int have_man = rc == 0;
    phase(o, "catalog and manifest");
    if (rc == 0) rc = run_warnings(s, o, &man, warnings, err, errlen);
    phase(o, "manifest warnings");
    if (rc == 0) rc = engine__rule_set_open(&w.rules, &cat, &o->limits, err, errlen);
    else memset(&w.rules, 0, sizeof w.rules);
    phase(o, "rules");
    if (rc == 0) rc = engine__load_arrangements(s, &rd, err, errlen);
    if (rc == 0 && engine__families(&cat, &rd) < 0) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
    }
    if (rc == 0) rc = engine__check_arrangements(&cat, &rd, err, errlen);
    if (rc == 0) rc = engine__data_warnings(&cat, &rd, warnings, o->log, err, errlen);
    if (rc == 0 && o->as_of) { /* an interim run: the claims paid through o->as_of */
        if (date_parse(o->as_of, strlen(o->as_of), &rd.as_of) < 0) {
            snprintf(err, errlen, "as-of date '%s' is not a date (expected YYYY-MM-DD)", o->as_of);
            rc = -EINVAL;
        }
        lag_model *lm = NULL;
        if (rc == 0) rc = engine__interim_model(s, rd.as_of, &lm, err, errlen);
        rd.lag = lm;
    } else if (rc == 0) {
        rc = data_as_of(s, &rd.as_of, err, errlen);
    }
    phase(o, "arrangements, as-of");
    char basis[ENGINE_BASIS_LEN];
    int have_basis = rc == 0 && engine__basis(o, &man, &rd, basis) == 0;
    incr_plan plan = {0};
    if (rc == 0) rc = engine__incr_plan(s, o, have_basis ? basis : NULL, &plan, err, errlen);
    int started = rc == 0 && start_run(s, o, &man, have_basis ? basis : NULL, run_id, err,
                                       errlen) == 0;
    if (rc == 0 && !started) rc = -EIO;
    /* an incremental run: the changed beneficiaries, read after the clock ticked, then
     * the base's rows of everyone else */
    phase(o, "basis, plan, start");
    if (rc == 0 && plan.base_run) rc = engine__incr_changed(s, &plan, err, errlen);
    if (rc == 0 && plan.base_run) rc = engine__incr_carry(s, &plan, &cat, &rd, err, errlen);
    stats->carried = (int64_t)rd.n_hot;
    run_lease *lease = NULL; /* without it, the run would soon look abandoned */
    phase(o, "changed, carry");
    if (rc == 0) rc = run_lease_start(s, *run_id, &lease, err, errlen);
    test_delay_ms = 0;
    const char *delay = getenv("CARA_TEST_RUN_DELAY_MS");
    if (delay) test_delay_ms = atoi(delay);
    if (rc == 0) rc = run_shards(s, o, &cat, hcc, &plan, &rd, stats, err, errlen);
    phase(o, "beneficiaries");
    if (o->log && getenv("CARA_RUN_TIMING")) {
        int64_t bytes = 0;
        for (size_t i = 0; i < rd.n_spills; i++) bytes += ep_spill_bytes(rd.spills[i]);
        int64_t hot = 0;
        for (size_t i = 0; i < rd.n_hlogs; i++) hot += xsort_disk_bytes(rd.hlogs[i]);
        fprintf(o->log, "cara run: timing: %zu episodes in %zu hot logs (%lld bytes on disk), "
                "%lld bytes in %zu spill files\n", rd.n_hot, rd.n_hlogs, (long long)hot,
                (long long)bytes, rd.n_spills);
    }
    if (rc == 0) rc = after_shards(&rd, &plan, warnings, o->log, stats, err, errlen);
    phase(o, "people");
    if (rc == 0) rc = engine__reconcile_run(&w.rules, &rd, stats, err, errlen);
    phase(o, "winsorize, reconcile");
    if (rc == 0) rc = engine__hot_each(&rd, count_episode, stats, err, errlen);
    stats->warnings = (int64_t)json_array_size(warnings);
    char *wtext = rc == 0 ? json_dumps(warnings, JSON_COMPACT) : NULL;
    run_record rec = {.manifest = &man, .warnings = wtext, .replay_of = o->replay_of,
                      .confirm = o->replay_of ? NULL : &cat};
    phase(o, "counts");
    if (rc == 0) rc = engine__save(s, *run_id, &rec, &rd, &plan, stats, err, errlen);
    phase(o, "save");

    if (rc < 0 && started) fail_run(s, *run_id, err);
    run_lease_stop(lease);
    engine__incr_plan_free(&plan);
    free(wtext);
    json_decref(warnings);
    if (have_man) run_manifest_free(&man);
    engine__rule_set_close(&w.rules);
    engine__run_data_free(&rd);
    free(spill_dir);
    hcc_model_free(hcc);
    catalog_free(&cat);
    return rc;
}
