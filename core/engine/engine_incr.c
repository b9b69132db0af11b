/*
 * engine_incr.c: incremental runs (cara run --incremental; docs/monthly.md,
 * "Incremental runs"). A run's results for one beneficiary depend on that beneficiary's
 * claims, eligibility and alignment, and on what every beneficiary shares: the engine,
 * the plugins, templates, rules and tables, the arrangements and the ACOs' networks, the
 * run's options. The shared part is the run's basis (a digest per part, recorded with
 * the run); the beneficiary's part changes only when the store stamps the beneficiary in
 * person_changes (store/changes_q.h). So a run whose basis equals run B's recomputes the
 * beneficiaries stamped after B's change_seq and carries B's rows of everyone else;
 * winsorization, reconciliation and the ADT feed's confirmation then run over all the
 * episodes as in a full run, and the results are the same, row for row.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine_internal.h"
#include "run_manifest.h"

/* ---- the basis -------------------------------------------------------------------------- */

static char exe_hex[65];
static pthread_once_t exe_once = PTHREAD_ONCE_INIT;

/* The digest of the running program (the engine's own code): a new build recomputes
 * everything. "" when it cannot be read. */
static void hash_exe(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    sha256_ctx c;
    sha256_init(&c);
    char buf[65536];
    ssize_t n;
    int ok = 1;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            ok = 0;
            break;
        }
        sha256_update(&c, buf, (size_t)n);
    }
    close(fd);
    unsigned char d[32];
    sha256_final(&c, d);
    if (!ok) return;
    for (int i = 0; i < 32; i++) snprintf(exe_hex + 2 * i, 3, "%02x", d[i]);
}

static void put_s(sha256_ctx *c, const char *s)
{
    if (!s) s = "";
    sha256_update(c, s, strlen(s) + 1);
}

static void put_i(sha256_ctx *c, int64_t v) { sha256_update(c, &v, sizeof v); }

static void finish_hex(sha256_ctx *c, char hex[65])
{
    unsigned char d[32];
    sha256_final(c, d);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* The parts of a basis, in the order of engine__basis's text. */
enum { PART_ENGINE, PART_COMPONENTS, PART_REFERENCE, PART_OPTIONS, N_PARTS };
static const char *const part_names[N_PARTS] = {"engine", "components", "reference", "options"};

int engine__basis(const engine_opts *o, const run_manifest *m, const run_data *rd,
                  char out[ENGINE_BASIS_LEN])
{
    pthread_once(&exe_once, hash_exe);
    char hex[N_PARTS][65];
    if (!exe_hex[0]) return -ENOENT;
    memcpy(hex[PART_ENGINE], exe_hex, sizeof exe_hex);
    sha256_ctx c;
    sha256_init(&c);
    for (size_t i = 0; i < m->n_comps; i++) {
        const run_component *k = &m->comps[i];
        put_s(&c, k->kind);
        put_s(&c, k->name);
        put_s(&c, k->version);
        put_s(&c, k->sha256);
    }
    finish_hex(&c, hex[PART_COMPONENTS]);
    sha256_init(&c);
    put_i(&c, (int64_t)rd->n_arrs);
    for (size_t i = 0; i < rd->n_arrs; i++) {
        const ref_arrangement *a = &rd->arrs[i];
        const char *t[] = {a->arrangement_id, a->aco_id, a->npi, a->tin, a->template_id,
                           a->track, a->specialty, a->family};
        for (size_t k = 0; k < sizeof t / sizeof *t; k++) put_s(&c, t[k]);
        put_i(&c, a->start);
        put_i(&c, a->end);
        for (int k = 0; k < N_TERMS; k++) put_i(&c, a->terms[k]);
        put_i(&c, a->has_terms);
    }
    network_digest(&rd->net, &c);
    finish_hex(&c, hex[PART_REFERENCE]);
    sha256_init(&c);
    put_i(&c, o->period);
    put_s(&c, o->only_template ? o->only_template : "\x01(every template)");
    put_i(&c, (int64_t)o->limits.memory);
    put_i(&c, (int64_t)o->limits.instructions);
    put_i(&c, (int64_t)o->limits.pattern_cost);
    finish_hex(&c, hex[PART_OPTIONS]);
    size_t len = 0;
    for (int p = 0; p < N_PARTS; p++)
        len += (size_t)snprintf(out + len, ENGINE_BASIS_LEN - len, "%s%s=%s", p ? " " : "",
                                part_names[p], hex[p]);
    return 0;
}

/* The part named `name` of basis text b into hex (65 bytes); 0, or -1 when absent. */
static int basis_part(const char *b, const char *name, char hex[65])
{
    size_t n = strlen(name);
    for (const char *p = b; p && *p;) {
        if (!strncmp(p, name, n) && p[n] == '=' && strlen(p + n + 1) >= 64) {
            memcpy(hex, p + n + 1, 64);
            hex[64] = '\0';
            return 0;
        }
        p = strchr(p, ' ');
        if (p) p++;
    }
    return -1;
}

/* Why basis `now` differs from run `base`'s `was`, into why (or "" when equal). */
static void basis_diff(const char *now, const char *was, int64_t base, char *why, size_t len)
{
    static const char *const what[N_PARTS] = {
        "the engine changed (another build of cara)",
        "a plugin, template, rule or table changed ('cara runs --run N' lists each run's)",
        ("the arrangements, their ACOs' tracks, the providers' specialties or the ACOs' "
         "networks (participant TINs, Preferred Providers) changed"),
        "the options differ (--period, --template, --memory, --instructions)"};
    why[0] = '\0';
    char list[1024] = "";
    size_t o = 0;
    for (int p = 0; p < N_PARTS; p++) {
        char a[65], b[65];
        if (basis_part(now, part_names[p], a) == 0 && basis_part(was, part_names[p], b) == 0 &&
            strcmp(a, b) == 0)
            continue;
        if (o < sizeof list)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? "; " : "", what[p]);
    }
    if (list[0]) snprintf(why, len, "%s since run %lld", list, (long long)base);
}

/* ---- the plan --------------------------------------------------------------------------- */

int engine__incr_plan(store *s, const engine_opts *o, const char *basis, incr_plan *p,
                      char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (!o->incremental) return 0;
    if (o->as_of) {
        snprintf(p->reason, sizeof p->reason, "an interim run (--as-of) is always full: its lag "
                 "model and projections are rebuilt from every claim");
        return 0;
    }
    if (o->replay_of || o->compare_native) {
        snprintf(p->reason, sizeof p->reason, "%s prices every episode",
                 o->replay_of ? "a replay" : "--compare-native");
        return 0;
    }
    if (!basis) {
        snprintf(p->reason, sizeof p->reason, "the engine's own program cannot be read "
                 "(/proc/self/exe), so its results cannot be shown to match an earlier run's");
        return 0;
    }
    int64_t id = o->base_run;
    int rc;
    if (!id) {
        rc = changes_q_latest(s, o->period, o->only_template, &id, err, errlen);
        if (rc < 0) return rc;
        if (rc == 0) {
            snprintf(p->reason, sizeof p->reason, "no earlier final run with the same --period "
                     "and --template to build on");
            return 0;
        }
    }
    changes_run b;
    rc = changes_q_run(s, id, &b, err, errlen);
    if (rc < 0) return rc;
    if (rc == 0) return util_fail(err, errlen, -ENOENT, "--base %lld: there is no run %lld",
                                  (long long)id, (long long)id);
    if (strcmp(b.status, "done") != 0)
        snprintf(p->reason, sizeof p->reason, "run %lld is %s, not done", (long long)id, b.status);
    else if (b.interim)
        snprintf(p->reason, sizeof p->reason, "run %lld is an interim run (--as-of)", (long long)id);
    else if (!b.has_seq || !b.basis)
        snprintf(p->reason, sizeof p->reason, "run %lld was made before cara recorded what runs "
                 "depend on (store migration 21)", (long long)id);
    else
        basis_diff(basis, b.basis, id, p->reason, sizeof p->reason);
    if (!p->reason[0]) {
        p->base_run = id;
        p->since = b.change_seq;
        p->rows_base = b.rows_base ? b.rows_base : id;
    }
    changes_q_run_free(&b);
    return 0;
}

/* ---- the beneficiaries that changed ---------------------------------------------------- */

static int add_changed(const char *person_id, int has_claims, void *ud)
{
    incr_plan *p = ud;
    if ((p->n_changed & (p->n_changed - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        size_t cap = p->n_changed ? 2 * p->n_changed : 1;
        char **v = realloc(p->changed, cap * sizeof *v);
        const char **w = realloc(p->recompute, cap * sizeof *w);
        if (v) p->changed = v;
        if (w) p->recompute = w;
        if (!v || !w) return -ENOMEM;
    }
    char *id = strdup(person_id);
    if (!id) return -ENOMEM;
    p->changed[p->n_changed++] = id;
    if (has_claims) p->recompute[p->n_recompute++] = id;
    return 0;
}

static int add_base_own(const char *person_id, void *ud)
{
    incr_plan *p = ud;
    if ((p->n_base_own & (p->n_base_own - 1)) == 0) {
        char **v = realloc(p->base_own, (p->n_base_own ? 2 * p->n_base_own : 1) * sizeof *v);
        if (!v) return -ENOMEM;
        p->base_own = v;
    }
    if (!(p->base_own[p->n_base_own] = strdup(person_id))) return -ENOMEM;
    p->n_base_own++;
    return 0;
}

int engine__incr_changed(store *s, incr_plan *p, char *err, size_t errlen)
{
    char m[512] = "";
    int rc = changes_q_changed(s, p->since, add_changed, p, m, sizeof m);
    const char *what = "the changed beneficiaries";
    if (rc == 0 && p->rows_base != p->base_run) {
        what = "the beneficiaries the base run stores itself";
        rc = run_carry_q_own(s, p->base_run, add_base_own, p, m, sizeof m);
    }
    if (rc == -ENOMEM) return util_fail(err, errlen, rc, "reading %s: out of memory", what);
    if (rc < 0) return util_fail(err, errlen, rc, "reading %s: %s", what, m);
    return 0;
}

void engine__incr_plan_free(incr_plan *p)
{
    for (size_t i = 0; i < p->n_changed; i++) free(p->changed[i]);
    free(p->changed);
    free(p->recompute);
    for (size_t i = 0; i < p->n_base_own; i++) free(p->base_own[i]);
    free(p->base_own);
    p->base_own = NULL;
    p->n_base_own = 0;
    p->changed = NULL;
    p->recompute = NULL;
    p->n_changed = p->n_recompute = 0;
}

/* ---- carrying the base's rows ----------------------------------------------------------- */

typedef struct carry_ctx {
    const catalog *cat;
    run_data *rd;
    const incr_plan *plan;
    int64_t base;
    char *err;
    size_t errlen;
} carry_ctx;

static int cmp_str_key(const void *key, const void *elt)
{
    return strcmp(key, *(char *const *)elt);
}

static int cmp_leak_id(const void *a, const void *b)
{
    const leak_rec *x = a, *y = b;
    int c = strcmp(x->episode_id, y->episode_id);
    if (!c) c = strcmp(x->npi, y->npi);
    return c ? c : strcmp(x->tin, y->tin);
}

/* 1 when person_id changed since the base (its rows are recomputed, not carried). */
static int changed(const carry_ctx *x, const char *person_id)
{
    const incr_plan *p = x->plan;
    return p->n_changed &&
           bsearch(person_id, p->changed, p->n_changed, sizeof *p->changed, cmp_str_key) != NULL;
}

static int cmp_arr_id(const void *key, const void *elt)
{
    return strcmp(key, ((const ref_arrangement *)elt)->arrangement_id);
}

static void copy_code(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static int carry_episode(const run_episode_rec *e, void *ud)
{
    carry_ctx *x = ud;
    if (changed(x, e->person_id)) return 0;
    run_data *rd = x->rd;
    const catalog_entry *ce = catalog_find(x->cat, e->template_id);
    const ref_arrangement *arr = NULL;
    if (e->arrangement_id) {
        arr = bsearch(e->arrangement_id, rd->arrs, rd->n_arrs, sizeof *rd->arrs, cmp_arr_id);
        if (!arr)
            return util_fail(x->err, x->errlen, -EPROTO, "run %lld: episode %s names "
                             "arrangement %s, which this run does not price against",
                             (long long)x->base, e->episode_id, e->arrangement_id);
    }
    if (!ce)
        return util_fail(x->err, x->errlen, -EPROTO, "run %lld: episode %s names template %s, "
                         "which this run's catalog does not hold", (long long)x->base,
                         e->episode_id, e->template_id);
    ep_rec *r = engine__new_ep(rd);
    if (!r) return -ENOMEM;
    r->episode_id = strdup(e->episode_id);
    r->person_id = strdup(e->person_id);
    r->aco_id = e->aco_id ? strdup(e->aco_id) : NULL;
    r->exclusion = e->exclusion_reason ? strdup(e->exclusion_reason) : NULL;
    r->trigger_claim = e->trigger_claim_id ? strdup(e->trigger_claim_id) : NULL;
    if (!r->episode_id || !r->person_id || (e->aco_id && !r->aco_id) ||
        (e->exclusion_reason && !r->exclusion) || (e->trigger_claim_id && !r->trigger_claim))
        return -ENOMEM;
    r->tmpl = ce;
    copy_code(r->trigger_type, sizeof r->trigger_type, e->trigger_type);
    if (date_parse(e->trigger_date, strlen(e->trigger_date), &r->day0) < 0 ||
        date_parse(e->end_date, strlen(e->end_date), &r->end) < 0)
        return util_fail(x->err, x->errlen, -EPROTO, "run %lld: episode %s has no valid dates",
                         (long long)x->base, e->episode_id);
    r->died = e->died;
    r->arr = arr;
    copy_code(r->method, sizeof r->method, e->attribution_method);
    r->has_target = e->has_target;
    r->base = e->base_cents;
    r->trend_factor = e->trend_factor;
    r->trend_years = e->trend_years;
    r->age_factor = e->age_factor;
    r->hcc_count = e->hcc_count;
    r->hcc_factor = e->hcc_factor;
    r->dual_factor = e->dual_factor;
    r->discount_bps = e->discount_bps;
    r->target = e->target_cents;
    r->actual = e->actual_cents;
    r->winsorized = e->actual_winsorized_cents; /* winsorize_all sets it again */
    memcpy(r->by_setting, e->by_setting, sizeof r->by_setting);
    r->has_risk = e->has_risk;
    r->risk_score = e->risk_score;
    r->quality_met = e->quality_met;
    /* the status follows the data's as-of date, which moves with every delivery */
    if (e->exclusion_reason || !strcmp(e->status, "excluded")) r->status = "excluded";
    else r->status = rd->as_of != CARA_DATE_NONE && r->end > rd->as_of ? "interim" : "final";
    r->carried = 1;
    r->carried_status = !e->status ? "" : !strcmp(e->status, "excluded") ? "excluded"
                        : !strcmp(e->status, "interim") ? "interim"
                        : !strcmp(e->status, "final") ? "final" : "";
    r->carried_winsorized = e->actual_winsorized_cents;
    r->trigger_line_no = e->trigger_line;
    copy_code(r->trigger_code, sizeof r->trigger_code, e->trigger_code);
    copy_code(r->trigger_dx, sizeof r->trigger_dx, e->trigger_dx);
    copy_code(r->trigger_npi, sizeof r->trigger_npi, e->trigger_npi);
    copy_code(r->trigger_tin, sizeof r->trigger_tin, e->trigger_tin);
    r->age = e->age;
    r->dual = e->dual;
    /* compacted in batches, with their leakage rows (read first, in rd->leaks) */
    if (rd->n_eps >= 4096 && engine__spill_compact(rd, rd->leaks, rd->n_leaks, x->err, x->errlen) < 0)
        return -EPROTO; /* err set: the caller keeps it */
    return 0;
}

static int carry_leak(const run_leak_rec *l, void *ud)
{
    carry_ctx *x = ud; /* a row whose episode is not carried is never taken */
    if (l->person_id && changed(x, l->person_id)) return 0; /* not even held */
    leak_rec *v = engine__new_leak(x->rd);
    if (!v) return -ENOMEM;
    v->episode_id = strdup(l->episode_id);
    v->aco_id = l->aco_id ? strdup(l->aco_id) : NULL;
    v->npi = strdup(l->npi);
    v->tin = strdup(l->tin);
    v->lines = l->lines;
    v->paid = l->paid_cents;
    return v->episode_id && v->npi && v->tin && (!l->aco_id || v->aco_id) ? 0 : -ENOMEM;
}

static int carry_person(const char *person_id, int64_t lines, int64_t claims, int no_elig,
                        void *ud)
{
    carry_ctx *x = ud;
    if (changed(x, person_id)) return 0;
    person_rec p = {person_id, lines, claims, no_elig};
    int rc = engine__add_person(x->rd, &p, x->err, x->errlen);
    return rc < 0 ? -EPROTO : 0; /* err set */
}

int engine__incr_carry(store *s, const incr_plan *p, const catalog *cat, run_data *rd,
                       char *err, size_t errlen)
{
    carry_ctx x = {cat, rd, p, p->base_run, err, errlen};
    char m[512] = "";
    /* the leakage first (the carried episodes take theirs as they are compacted), then
     * the episodes; rd->leaks holds the base's rows meanwhile */
    int rc = run_carry_q_leakage(s, p->base_run, carry_leak, &x, m, sizeof m);
    if (rc == 0 && rd->n_leaks > 1) qsort(rd->leaks, rd->n_leaks, sizeof *rd->leaks, cmp_leak_id);
    if (rc == 0) rc = run_carry_q_episodes(s, p->base_run, carry_episode, &x, m, sizeof m);
    if (rc == 0 && engine__spill_compact(rd, rd->leaks, rd->n_leaks, err, errlen) < 0) rc = -EPROTO;
    for (size_t i = 0; i < rd->n_leaks; i++) engine__leak_free(&rd->leaks[i]);
    rd->n_leaks = 0;
    if (rc == 0) rc = run_carry_q_people(s, p->base_run, carry_person, &x, m, sizeof m);
    if (rc == -ENOMEM) return util_fail(err, errlen, rc, "carrying run %lld's results: out of "
                                        "memory", (long long)p->base_run);
    if (rc == -EIO)
        return util_fail(err, errlen, rc, "carrying run %lld's results: %s",
                         (long long)p->base_run, m);
    return rc; /* -EPROTO: err set by carry_episode */
}
