/*
 * engine_internal.h: the records a run keeps in memory, shared by engine*.c.
 */
#ifndef CARA_ENGINE_INTERNAL_H
#define CARA_ENGINE_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "catalog/catalog.h"
#include "engine_price.h"
#include "engine_run.h"
#include "network.h"
#include "people_log.h"
#include "rules/rules.h"

/* Term indexes of ref_arrangement.terms. */
enum { TERM_DISCOUNT, TERM_SAVINGS_SHARE, TERM_LOSS_SHARE, TERM_STOP_GAIN, TERM_STOP_LOSS, N_TERMS };
extern const char *const engine_term_names[N_TERMS];

/* An arrangement (EBRA) row with its ACO's track and the provider's specialty. */
typedef struct ref_arrangement {
    char *arrangement_id, *aco_id, *npi, *tin, *template_id; /* owned */
    char *track;            /* owned: "global", "professional" or "" */
    char *specialty;        /* owned: providers.specialty_code or "" */
    char *family;           /* owned: the base template of template_id (engine_families) */
    cara_date start, end;   /* end CARA_DATE_NONE = open */
    int64_t terms[N_TERMS];
    unsigned has_terms;     /* bit i set when terms[i] was negotiated */
} ref_arrangement;

/* One episode of the run. */
typedef struct ep_rec {
    char *episode_id, *person_id, *aco_id;   /* owned; aco_id may be NULL */
    const catalog_entry *tmpl;               /* borrowed */
    char trigger_type[16];
    cara_date day0, end;
    int died;
    const ref_arrangement *arr;              /* NULL when unattributed or excluded */
    char method[24];                         /* "" when excluded */
    int has_target;
    int64_t base, trend_factor, trend_years, age_factor, hcc_count, hcc_factor, dual_factor,
        discount_bps, target;
    int64_t actual, winsorized;
    int64_t by_setting[SETTING_N]; /* actual by care setting (episode_spend_by_setting) */
    int has_risk;                            /* 1: risk_* hold the CMS-HCC V28 score */
    int64_t risk_score, risk_raw;            /* x 10,000 (risk.h) */
    char risk_segment[4];
    int quality_met;
    const char *status;                      /* static: final, interim, excluded */
    char *exclusion;                         /* owned or NULL */
    size_t n_cands;                          /* the candidates attribute() chose from */
    /* the trigger line (migration 18): its claim (owned, NULL when unknown), line number,
     * code (HCPCS, else the principal diagnosis), principal diagnosis and provider */
    char *trigger_claim;
    int trigger_line_no;
    char trigger_code[8], trigger_dx[8], trigger_npi[11], trigger_tin[10];
    int age;                                 /* whole years on day 0 */
    int dual;                                /* eligibility_is_dual on day 0 */
    /* an interim run (engine_interim.c): the paid to date developed to ultimate by the
     * completion factors ([0] central, [1] low, [2] high), then the projected final
     * cost of the whole window, with its band */
    int64_t developed[3], projected[3];
    int open;                                /* the window ends after the as-of date */
    /* an incremental run: carried from the base run, with the status and winsorized
     * cost stored there (the run stores the episode again only when they moved) */
    int carried;
    const char *carried_status;              /* static, as status */
    int64_t carried_winsorized;
} ep_rec;

/* An interim run's cost development over the days of a template's episodes: the
 * developed cost of its episodes whose window ended by the as-of date, by day of the
 * window (day[k]: day k + 1; the last holds every later day). */
#define CURVE_DAYS 366
typedef struct lag_curve {
    int64_t day[CURVE_DAYS];
    int64_t total;
    int64_t episodes;
    /* for the band of the incurred share (engine_interim.c): over the closed episodes i
     * with cumulative cost c_i(d) through day d and total t_i, the sums of c_i(d)^2, of
     * c_i(d) t_i, and of t_i^2 */
    __int128 c2[CURVE_DAYS], ct[CURVE_DAYS], t2;
} lag_curve;

typedef struct leak_rec {
    char *episode_id, *aco_id, *npi, *tin;   /* owned (aco_id may be NULL) */
    int64_t lines, paid;
} leak_rec;

/* One arrangement x performance year reconciliation. */
typedef struct arr_result {
    const ref_arrangement *arr;
    const catalog_entry *tmpl;
    int period;
    int64_t episodes, target, actual, winsorized, payment;
    int has_gross;           /* gross, quality, qadj and share are NULL when 0 */
    int64_t gross, quality_bps, qadj, share_bps;
    char cap[12];            /* "" or stop_gain / stop_loss */
    char status[24];
} arr_result;

/* What a run keeps of each episode once it is priced (engine__spill_compact): what
 * winsorization, reconciliation, an interim run's projection and an incremental run's
 * plan read. It goes to the run's hot logs on disk (engine__hot_put: the record, an
 * interim run's ep_dev, then the ids), read back in order (engine__hot_each) or sorted
 * (engine__hot_sorter), so a run's memory does not grow with its episodes; the rest of
 * the ep_rec, with its leakage rows, waits in the run's spill files (ep_spill.h) until
 * the save reads it back (spill_at). */
typedef struct ep_hot {
    /* in the record, after it (and after its ep_dev): the person id (NUL-ended) when the
     * episode id is the one pricing makes of it ("template:person:day 0",
     * engine_price.c); else (own_id) the episode id, NUL, then the person id, NUL. Read
     * them with hot_episode_id and hot_person_id. */
    char *ids;
    const catalog_entry *tmpl;      /* borrowed */
    const ref_arrangement *arr;     /* borrowed; NULL when unattributed or excluded */
    int64_t target, actual, winsorized, carried_winsorized;
    cara_date day0, end;
    char trigger_type[16];
    unsigned char has_target, quality_met, carried, open;
    unsigned char has_leaks;        /* its spill record holds leakage rows */
    unsigned char own_id;           /* ids holds the episode id too */
    unsigned char status, carried_status; /* ep_rec's as codes: hot_status, hot_code */
    uint64_t spill_at;              /* where the rest is: index in rd->spills << 40 | byte */
} ep_hot;

#define EP_SPILL_SHIFT 40
#define EP_SPILL_BYTE(at) ((int64_t)((at) & ((UINT64_C(1) << EP_SPILL_SHIFT) - 1)))
#define EP_SPILL_INDEX(at) ((size_t)((at) >> EP_SPILL_SHIFT))

/* An interim run's figures of an episode (run_data.dev, in hot's order). */
typedef struct ep_dev {
    int64_t developed[3], projected[3];
} ep_dev;

/* The longest episode id pricing makes (engine_price.c: "template:person:day 0" in a
 * buffer of this size); one that would be longer is kept whole (own_id). */
#define HOT_ID_MAX 256

/* h's episode id: its own, or made into buf (HOT_ID_MAX bytes) as pricing made it. */
const char *hot_episode_id(const ep_hot *h, char buf[HOT_ID_MAX]);
static inline const char *hot_person_id(const ep_hot *h)
{
    return h->own_id ? h->ids + strlen(h->ids) + 1 : h->ids;
}
/* strcmp(hot_episode_id(a), hot_episode_id(b)) without making either id. */
int hot_id_cmp(const ep_hot *a, const ep_hot *b);

/* An episode's status as ep_rec has it (NULL, "", "final", "interim" or "excluded": the
 * engine's static strings) and its code in ep_hot; hot_code is -1 for any other. */
const char *hot_status(unsigned char code);
int hot_code(const char *status);

struct ep_spill;

/* Growable arrays of the run. */
typedef struct run_data {
    /* the beneficiaries priced or carried (people_log.h): a run's carry first, then each
     * shard's, each in person order; read back through a people_merge */
    struct people_log **plogs; /* owned */
    size_t n_plogs;
    size_t n_people;        /* their number */
    ref_arrangement *arrs;
    size_t n_arrs;
    network net;            /* the ACOs' networks (participant TINs, Preferred Providers) */
    ep_rec *eps;            /* a run's shard: the current beneficiary's, until compacted */
    size_t n_eps, cap_eps;
    leak_rec *leaks;        /* their leakage rows, likewise */
    size_t n_leaks, cap_leaks;
    /* every episode priced or carried, in the run's order (engine__spill_compact): in
     * the hot logs (owned, read in their order), the records of log i pointing at the
     * spills from index hlog_spill[i] on (a merge moves a shard's after the run's) */
    struct xsort **hlogs;
    uint64_t *hlog_spill;
    size_t n_hlogs;
    int hlog_open;          /* the last log is this run_data's own, still taking puts */
    size_t n_hot;           /* the records in the logs */
    size_t sort_budget;     /* bytes a hot log or sort holds in memory (ENGINE_SORT_BUDGET) */
    struct ep_spill **spills; /* owned: the rest of hot's records (ep_hot.spill_at) */
    size_t n_spills;
    const char *spill_dir;  /* borrowed: where spills are made (NULL: $TMPDIR) */
    arr_result *results;
    size_t n_results;
    cara_date as_of;
    /* an interim run: the lag model (borrowed by the shards), the curves per catalog
     * entry (owned, n_curves), the projected reconciliations ([0] central, [1] low,
     * [2] high; owned, n_results each, in results' order) */
    const struct lag_model *lag;
    lag_curve *curves;
    size_t n_curves;
    arr_result *proj[3];
    const catalog *cat;     /* borrowed: the run's templates (engine__hot_view) */
    struct win_caps *caps;  /* owned: the run's own winsorization caps, once made */
} run_data;

/* ---- cand_index.c: the candidates of an episode, indexed ---- */

/* A candidate set in engine__candidates' order. A set the index keeps (shared 1) is the
 * same object for every episode that has it, for as long as the index lives, so a rule
 * set may cache what it builds from it (its Lua table) by its address; a scratch set
 * (shared 0) holds until the next lookup. */
typedef struct cand_set {
    const ref_arrangement **v; /* owned array of borrowed arrangements */
    size_t n;
    int shared;
} cand_set;

/* The arrangements of one template, family and ACO, and the days on which their
 * candidacy may change: between two change days the set is the same, made on first use. */
typedef struct cand_group {
    const char *tmpl, *family, *aco; /* point into key */
    char *key;                        /* owned: tmpl, family and aco, each with its NUL */
    uint64_t hash;
    const ref_arrangement **arrs;     /* owned: the template's own first, each group in
                                       * arrangement order */
    size_t n;
    cara_date *days;                  /* owned: sorted change days */
    size_t n_days;
    cand_set **segs;                  /* owned: n_days + 1 (segment k: days[k-1] <= d <
                                       * days[k]), NULL until used */
} cand_group;

/* The index of one pricer over rd's arrangements (borrowed; built lazily, so rd's families
 * must be set before the first lookup). Not thread-safe: one per shard. */
typedef struct cand_index {
    const run_data *rd;
    const ref_arrangement **by_aco;   /* owned: every arrangement by (aco_id, order) */
    cand_group *groups;               /* owned: open-addressed hash table of cap slots */
    size_t n_groups, cap;
    cand_set empty;                   /* shared, n 0 */
    cand_set scratch;                 /* the merge of several ACOs' sets */
    size_t cap_scratch;
    size_t made;                      /* sets made (engine stats, tests) */
} cand_index;

void engine__cand_index_init(cand_index *ix, const run_data *rd);
void engine__cand_index_free(cand_index *ix);

/* engine__candidates(ix->rd, tmpl, family, b, day0, ...) as a set (the same arrangements,
 * in the same order), in time independent of the number of arrangements once the set of
 * the beneficiary's ACO on that day has been made. NULL when out of memory. */
const cand_set *engine__cand_lookup(cand_index *ix, const char *tmpl, const char *family,
                                    const cara_beneficiary *b, cara_date day0);

/* Per-thread rule state: one sandbox with each template's two scripts loaded and its
 * parameters kept as a read-only table in the registry. */
typedef struct rule_set {
    rules_vm *vm;
    const catalog *cat;
    int *attr_script, *sav_script, *params_ref; /* per catalog entry */
    int claims_ref, bene_ref;                    /* current beneficiary (LUA_NOREF) */
    struct rules_lazy_claims *claims_state;      /* the bound claims list (rules_bind.h) */
    /* Lua tables built once and handed to every call (all read-only proxies): a registry
     * table (cache_ref) of the candidate tables by arrangement and of the candidate lists
     * by shared cand_set (both keyed by address: they outlive the rule set); and the
     * episode table of the current episode (ep_ref, for ep_key with ep_entry, ep_hcc, ep_lines
     * and no risk score: attribute() and quality() see the same one) */
    int cache_ref;
    int ep_ref;
    const cara_episode *ep_key;
    const cara_claim_line *ep_lines;
    size_t ep_entry;
    int ep_hcc;
    int ep_open;                                 /* engine__rule_set_episode_begin */
    rules_error last;   /* the last failure of rule_set_open or a rule_* call, structured
                         * (kind RULES_ERR_RESULT when a result had the wrong shape) */
} rule_set;

int engine__rule_set_open(rule_set *rs, const catalog *cat, const rules_limits *lim, char *err,
                  size_t errlen);
void engine__rule_set_close(rule_set *rs);

/* Make the beneficiary's claims and beneficiary tables (kept until rule_set_forget). */
int engine__rule_set_bind(rule_set *rs, const cara_beneficiary *b, const cara_claim_line *lines,
                  size_t n, char *err, size_t errlen);
void engine__rule_set_forget(rule_set *rs);

/* The rule calls. Each returns 0, or a negative code with the rule's error (path:line:
 * message and traceback, or what was wrong with the returned value) in err. */
typedef struct attribution_out {
    const ref_arrangement *arr;   /* NULL when unattributed */
    char method[24];
} attribution_out;

int engine__rule_attribute(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                   const cara_claim_line *lines, const ref_arrangement *const *cands,
                   size_t n_cands, attribution_out *out, char *err, size_t errlen);
/* engine__rule_attribute over a candidate set: a shared set's Lua list is built once per
 * rule set and handed again (read-only) to every later episode with that set. */
int engine__rule_attribute_set(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                               const cara_claim_line *lines, const cand_set *set,
                               attribution_out *out, char *err, size_t errlen);
/* Between begin and done (one episode's calls, on the same cara_episode, lines, entry and
 * HCC count), the episode table without a risk score is built once and handed to each
 * call; outside them it is built for every call. */
void engine__rule_set_episode_begin(rule_set *rs);
void engine__rule_set_episode_done(rule_set *rs);
int engine__rule_target(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                const cara_claim_line *lines, const ref_arrangement *arr, ep_rec *rec,
                char *err, size_t errlen);
int engine__rule_quality(rule_set *rs, size_t entry, const cara_episode *ep, int hcc_count,
                 const cara_claim_line *lines, int *met, char *err, size_t errlen);
int engine__rule_winsorize(rule_set *rs, size_t entry, const int64_t *sorted, size_t n, int64_t *cap,
                   int *has_cap, char *err, size_t errlen);
int engine__rule_reconcile(rule_set *rs, size_t entry, const ref_arrangement *arr,
                   ep_hot *const *eps, size_t n, arr_result *out, char *err, size_t errlen);

/* The pricer (engine_price.h): the rule set, the arrangements (rd, borrowed from a run or
 * own), and the records made (appended to rd->eps; the last call's from `first`). */
struct engine_pricer {
    const catalog *cat;
    const hcc_model *hcc;           /* borrowed; NULL: HCC counts are given */
    rule_set rules;
    int have_rules;
    run_data *rd;                   /* where records go (&own unless engine_pricer_init) */
    run_data own;
    const ref_arrangement **cands;  /* scratch: rd->n_arrs entries */
    cand_index cix;                 /* the candidates of a run's episodes, over rd */
    const cand_set *set;            /* the last priced episode's candidates (borrowed) */
    size_t first;                   /* the first record of the last call */
    const char *compare_native;     /* a run's --compare-native template, or NULL */
    void *np;                       /* compare_native: native_params (rules_native.h) */
    int np_entry;                   /* the entry np describes + 1 (0: not resolved) */
    engine_stats *st;               /* timings of compare_native (NULL: none) */
};

/* Set up p over a run's shard: records go to rd (its arrangements borrowed), compare_native
 * and st as engine_opts / engine_stats say. 0, or a negative code with err (as
 * engine_pricer_open). Release with engine__pricer_fini (rd is not touched). */
int engine__pricer_init(engine_pricer *p, const catalog *cat, const hcc_model *hcc, run_data *rd,
                       const rules_limits *lim, const char *compare_native, engine_stats *st,
                       char *err, size_t errlen);
void engine__pricer_fini(engine_pricer *p);

/* The arrangements a run prices against (engine_run.c): every active, ended or terminated
 * EBRA with its ACO's track and the provider's specialty, into rd->arrs, and the ACOs'
 * networks (participant TINs from aco_tins, Preferred Providers from those EBRAs) into
 * rd->net (rd zeroed; engine_run_data_free frees them). Each arrangement's family is its
 * template id until engine_families sets it from a catalog. */
int engine__load_arrangements(store *s, run_data *rd, char *err, size_t errlen);

/* Check the arrangements against the catalog: terms within their template's bounds and
 * their track's caps (arrangements loaded in bulk were not checked against templates); an
 * EBRA on an overlay only with the overlay's ACO; a provider (NPI) with one ACO per
 * template family at a time. 0, or -EINVAL with the arrangements named in err. */
int engine__check_arrangements(const catalog *cat, const run_data *rd, char *err, size_t errlen);

/* The data warnings of a run (engine_warn.c), appended to w as strings and printed to log
 * (may be NULL) as "cara run: warning: ...": before the beneficiaries, each arrangement
 * whose template_id names no template or overlay of the episodes folder (it can never be
 * attributed an episode); 0, or -ENOMEM with err. After them, the beneficiaries with
 * current claims but no eligibility (rd's people logs: counted, the first three named); 0,
 * or a negative code with err. */
int engine__data_warnings(const catalog *cat, const run_data *rd, json_t *w, FILE *log,
                          char *err, size_t errlen);
int engine__unknown_warning(const run_data *rd, json_t *w, FILE *log, char *err, size_t errlen);

/* Set each arrangement's family (catalog_family of its template) from cat. -ENOMEM or 0. */
int engine__families(const catalog *cat, run_data *rd);

/* The candidates of an episode of template tmpl, of the family `family` (its base
 * template id): the arrangements of that family (on the base or on an overlay) in force on
 * day0, with an ACO the beneficiary is aligned to on day0, whose provider is in that ACO's
 * network on day0 (docs/methodology.md section 3); those on tmpl itself come first, each
 * group in arrangement id order. out must hold rd->n_arrs entries; returns how many were
 * written. */
size_t engine__candidates(const run_data *rd, const char *tmpl, const char *family,
                         const cara_beneficiary *b, cara_date day0, const ref_arrangement **out);

/* Append to rd->leaks the leakage of episode r (its aco_id's network): per provider
 * (network_line_provider), the lines of ep and their paid cents outside the network on
 * each line's service date. Nothing for an episode without an ACO. 0, -ENOMEM, or
 * -ERANGE when a provider's paid sum does not fit int64 (checked arithmetic). */
int engine__leakage(run_data *rd, const ep_rec *r, const cara_episode *ep,
                   const cara_claim_line *lines);

/* A zeroed record appended to rd's episodes / leakage, or NULL (out of memory). */
ep_rec *engine__new_ep(run_data *rd);
leak_rec *engine__new_leak(run_data *rd);

/* Move rd's episode records (rd->eps) to rd->hot, the rest of each with its leakage
 * rows to rd's last spill (made in rd->spill_dir on first use; nothing is compacted
 * into a run_data after a merge appended another's spills to it): leaks, n the rows to take them from, sorted by episode_id (NULL,
 * 0: rd->leaks, one episode's rows after another in rd->eps' order, as the pricer
 * leaves them). Leaves rd->eps and rd->leaks empty (rows of episodes not in rd->eps are
 * left in leaks, untouched). 0, or a negative code with err. */
int engine__spill_compact(run_data *rd, const leak_rec *leaks, size_t n, char *err,
                          size_t errlen);

/* The bytes a hot log or a sort of hot records holds in memory before it writes to
 * disk (xsort.h): what a run's memory holds of its episodes, whatever their number. */
#define ENGINE_SORT_BUDGET (32u << 20)

/* ---- engine_hot.c: the hot records on disk ---- */

struct xsort;
/* Append h (its ids as hot_episode_id and hot_person_id read them) and, when lag, its
 * ep_dev dv to hot log or sort s. 0 or a negative code with err. */
int engine__hot_put(struct xsort *s, const ep_hot *h, const ep_dev *dv, int lag, char *err,
                    size_t errlen);
/* The ep_dev that follows a record read from a log or sort of an interim run. */
static inline ep_dev *hot_dev(const ep_hot *h)
{
    return (ep_dev *)((char *)h + sizeof *h);
}
/* A sort of hot records (engine__hot_put) in rd->spill_dir by cmp (NULL: the order put)
 * into *out, holding rd->sort_budget bytes in memory; what names it in messages. */
int engine__hot_sorter(const run_data *rd, int (*cmp)(const void *, const void *, void *),
                       const char *what, struct xsort **out, char *err, size_t errlen);
/* Call fn on a copy of each record of rd's hot logs, in the run's order (its spill_at
 * made the run's, its ids pointing into the log until fn returns; dv the record's
 * ep_dev, a copy, in an interim run, else NULL): fn may change both copies. Stops at
 * fn's first nonzero return, which it returns; 0 after the last, or a negative code
 * with err for a log that cannot be read. */
int engine__hot_each(const run_data *rd, int (*fn)(ep_hot *h, ep_dev *dv, void *ud), void *ud,
                     char *err, size_t errlen);
/* Free rd's hot logs; move src's after dst's (src's spills then following dst's). 0 or
 * -ENOMEM (src keeps them). */
void engine__hot_free(run_data *rd);
int engine__hot_take(run_data *dst, run_data *src);

/* Free a leakage row's strings / an episode record's. */
void engine__leak_free(leak_rec *l);
void engine__ep_free(ep_rec *r);

/* Append a beneficiary to rd's last people log (opened in rd->spill_dir on first use;
 * person_id copied). 0, or a negative code with err (out of memory, the disk). */
int engine__add_person(run_data *rd, const person_rec *p, char *err, size_t errlen);

/* The people logs' merge (people_merge_open over rd->plogs), in person order. */
int engine__people_open(const run_data *rd, people_merge **out, char *err, size_t errlen);

/* ---- engine_incr.c: incremental runs (cara run --incremental) ---- */

/* "engine=<64 hex> components=<64 hex> reference=<64 hex> options=<64 hex>" */
#define ENGINE_BASIS_LEN 300

/* The basis of a run (what its results depend on besides each beneficiary's own data)
 * into out: the engine's program, the manifest's components, the arrangements with
 * their tracks, specialties and families and the networks (rd), the options. 0, or
 * -ENOENT when the program cannot be read (then no run is incremental). */
struct run_manifest;
int engine__basis(const engine_opts *o, const struct run_manifest *m, const run_data *rd,
                  char out[ENGINE_BASIS_LEN]);

/* What an incremental run does: base_run 0 = a full run (reason says why, when one was
 * asked for and could not be); else it recomputes the beneficiaries stamped after since. */
typedef struct incr_plan {
    int64_t base_run, since;
    char reason[1280];
    /* the beneficiaries stamped after since, in person_id order (owned), and of them
     * those with current claims: the ones to recompute (borrowed from changed) */
    char **changed;
    size_t n_changed;
    const char **recompute;
    size_t n_recompute;
    /* where the base's rows are stored: rows_base is the base itself, or the run whose
     * rows the base shares; then base_own lists the beneficiaries the base stores
     * itself (person_id order, owned) */
    int64_t rows_base;
    char **base_own;
    size_t n_base_own;
} incr_plan;

/* Decide (o->incremental, o->base_run; basis NULL when engine__basis failed). 0, or
 * -ENOENT (--base names no run) / -EIO with err. */
int engine__incr_plan(store *s, const engine_opts *o, const char *basis, incr_plan *p,
                      char *err, size_t errlen);

/* Read the beneficiaries changed since p->since into p (after the run's clock tick, so
 * that what is carried and what is recomputed are one list's two sides). 0 or <0 with
 * err. */
int engine__incr_changed(store *s, incr_plan *p, char *err, size_t errlen);
void engine__incr_plan_free(incr_plan *p);

/* Append the base run's episodes, leakage and people of the beneficiaries not in
 * p->changed to rd (its arrangements and as-of date set): each episode's template
 * and arrangement resolved in cat and rd, its status (final/interim) from rd->as_of. 0,
 * or a negative code with err. */
int engine__incr_carry(store *s, const incr_plan *p, const catalog *cat, run_data *rd,
                       char *err, size_t errlen);

/* Free everything rd holds (arrangements, episodes, leakage, results) and zero it. */
void engine__run_data_free(run_data *rd);

/* ---- engine_interim.c: interim runs (cara run --as-of) ---- */

/* The lag model of the claims paid on or before as_of (malloc'ed; lag_model_free). */
int engine__interim_model(store *s, cara_date as_of, struct lag_model **out, char *err,
                          size_t errlen);

/* Develop episode r's paid to date (the lines of ep) and, when its window has ended,
 * add it to its template's curve in rd. 0 or -ENOMEM. */
int engine__interim_episode(run_data *rd, size_t entry, size_t n_entries, ep_rec *r,
                            const cara_episode *ep, const cara_claim_line *lines);

/* Add episode ep (of any performance year) to its template's curve when its whole
 * window closed by the as-of date. 0 or -ENOMEM. */
int engine__interim_curve(run_data *rd, size_t entry, size_t n_entries, const cara_episode *ep,
                          const cara_claim_line *lines);

/* Add src's curves to dst's (the shards'). 0 or -ENOMEM. */
int engine__interim_merge(run_data *dst, const run_data *src);

/* Project episode r's final cost (after the shards: rd's curves are the run's) into
 * dv->projected; one still developing becomes interim. */
void engine__interim_project(const run_data *rd, const catalog *cat, ep_hot *r, ep_dev *dv);

/* ---- engine_reconcile.c: after the shards ---- */

/* A run's winsorization caps: per template and trigger type, the cap winsorize() gave
 * (or none), for the actuals of one view (engine__hot_view). Owned by the caller
 * (engine__caps_free). */
typedef struct win_caps win_caps;
void engine__caps_free(win_caps *c);

/* Episode h (a copy) as the run sees it in view `view`: -1 its own figures, 0 to 2 an
 * interim run's projections (central, low, high) in its actual; an interim run's
 * projection made (dv) and its status; with caps, its winsorized actual from them. */
void engine__hot_view(const run_data *rd, ep_hot *h, ep_dev *dv, int view, const win_caps *caps);

/* Winsorize and reconcile every arrangement and performance year by rules, from rd's
 * hot logs: rd->results, rd->caps (the run's own caps), st->arrangements; then, in an
 * interim run, the same on each projection into rd->proj[0..2]. 0 or a negative code
 * with err. */
int engine__reconcile_run(rule_set *rules, run_data *rd, engine_stats *st, char *err,
                          size_t errlen);

/* The projection's method as JSON text (malloc'ed) for the runs row. */
char *engine__interim_json(const run_data *rd);

/* What the run's record holds besides its results (all borrowed). */
struct run_manifest;
typedef struct run_record {
    const struct run_manifest *manifest; /* the files and components it used */
    const char *warnings;                /* a JSON array of messages (NULL: []) */
    int64_t replay_of;                   /* the run it replays, 0 for none */
    const catalog *confirm;              /* decide the ADT feed's provisional episodes
                                          * against this run's episodes (NULL: not) */
} run_record;

/* Write the run's components and results in one transaction and mark it done (its
 * inputs JSON gains replay_of and warnings), each episode's record read back from rd's
 * spills (which then take no more puts). 0, or a negative code with a message. */
int engine__save(store *s, int64_t run_id, const run_record *rec, run_data *rd,
                const incr_plan *plan, engine_stats *st, char *err, size_t errlen);

/* adt_confirm.c: decide the provisional episodes of the hospital ADT feed against run
 * run_id's episodes and keep the feed's precision and recall (in the caller's
 * transaction: engine__save's, so a run and its decisions are saved together). */
int engine__adt_confirm(store *s, const catalog *cat, int64_t run_id, cara_date as_of,
                        char *err, size_t errlen);

#endif
