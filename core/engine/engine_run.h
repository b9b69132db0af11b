/*
 * engine: a run. Reads every beneficiary from the store, builds episodes with the
 * plugins, attributes and prices them with the Lua rules, winsorizes, reconciles each
 * arrangement per performance year, and records the run with the content hash of every
 * plugin, template, rule and table used, and the bytes of every file it read from the
 * episodes folder (so it can be replayed: replay.h). The same inputs give identical
 * results.
 */
#ifndef CARA_ENGINE_H
#define CARA_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "rules/rules.h"
#include "store/store.h"

typedef struct engine_opts {
    int period;                 /* performance year to keep (0 = every year) */
    const char *only_template;  /* template id (NULL = every template) */
    const char *episodes_dir;
    const char *plugins_dir;
    rules_limits limits;        /* for the Lua rules (zeros = defaults) */
    FILE *log;                  /* progress and warnings (NULL = silent) */
    /* Store non-zero in *cancel (atomic_store) from any thread to stop the run between
     * beneficiaries: it fails with "cancelled" and keeps nothing. NULL: not cancellable.
     * The workers read it with atomic_load. */
    const atomic_int *cancel;
    /* Called about every 256 beneficiaries (from the worker threads: must be
     * thread-safe) and at the end, with the beneficiaries done and the total. */
    void (*progress)(void *ud, int64_t done, int64_t total);
    void *progress_ud;
    /* Threads for the beneficiaries (0: the machine's CPUs). Each has its own store
     * connection and Lua state; results are the same, byte for byte, for any count. */
    int threads;
    /* Benchmark and oracle: price every episode of this template with the Lua rules and
     * with their C twins (rules_native.h), fail on any difference, and time both. */
    const char *compare_native;
    /* Replay (cara run --replay N): the run this one reproduces (recorded as replay_of),
     * 0 for none. Each plugin must then hash as it did in that run, else the run is
     * refused (-EPERM, naming the plugin and both hashes) unless allow_plugin_change is
     * set (then it is a warning). */
    int64_t replay_of;
    int allow_plugin_change;
    /* An interim run (cara run --as-of): 'YYYY-MM-DD'; only the claims paid on or before
     * it are read, the episodes still developing are interim and carry a projected final
     * cost (docs/monthly.md). NULL: every claim, the data's own as-of date. */
    const char *as_of;
    /* An incremental run (cara run --incremental, docs/monthly.md): recompute only the
     * beneficiaries whose claims, eligibility or alignment changed since the run it
     * builds on (base_run, 0: the latest final run with the same period and template),
     * carry that run's results of everyone else; a full run, with the reason in
     * engine_stats.full_reason, when anything else it depends on changed. The results
     * are the same, row for row, as a full run's. */
    int incremental;
    int64_t base_run;
} engine_opts;

typedef struct engine_stats {
    int64_t beneficiaries, claim_lines;
    int64_t episodes, excluded, attributed, arrangements;
    /* with compare_native: episodes compared, nanoseconds in the Lua rule calls
     * (attribute, target, quality), in their C twins, and in binding beneficiaries' claims
     * into Lua tables */
    int64_t compared, lua_ns, native_ns, bind_ns;
    /* warnings recorded with the run (a component's content changed under the same
     * version, a plugin changed since the run replayed): also printed to o->log */
    int64_t warnings;
    /* an incremental run: the run it built on (0: a full run), the beneficiaries it
     * recomputed and the episodes it carried; a full run that was asked to be
     * incremental says why not in full_reason ("" otherwise) */
    int64_t base_run, recomputed, carried;
    char full_reason[1280];
    /* where an incremental run's rows are stored: rows_base the run whose rows it
     * shares (0: it stores every row), own_people the beneficiaries it stores itself */
    int64_t rows_base, own_people;
    /* the current claims of the beneficiaries priced (the run's inputs.claims); -1 when
     * a carried beneficiary's count is unknown */
    int64_t claims;
} engine_stats;

/*
 * Run. On success returns 0 with the new run's id in *run_id. On failure returns a
 * negative code with a message in err (a template, plugin or rule problem names the
 * file; a rule's error carries its path:line and traceback); a failed run is recorded
 * with status 'failed' and its message, and no partial results are kept.
 */
int engine_run(store *s, const engine_opts *o, int64_t *run_id, engine_stats *stats,
               char *err, size_t errlen);

#endif
