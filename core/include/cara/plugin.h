/*
 * cara/plugin.h: the episode-type plugin ABI.
 *
 * An episode type (falls prevention, functional independence, ...) is a shared object
 * that exports one function, cara_plugin_entry(), returning a const descriptor. The
 * host dlopen()s it with RTLD_NOW|RTLD_LOCAL, checks the descriptor's version fields,
 * calls init() with a const table of host services, and from then on calls the
 * plugin's callbacks. A plugin needs no symbol from the host: everything it may call is
 * in the cara_host table, so plugins link with -Wl,-z,defs and can be unit-tested
 * against a fake table.
 *
 * Versioning (docs/plugin-abi.md, "Versions"):
 *   - CARA_ABI_MAJOR changes when anything existing changes meaning or layout (a field
 *     moved, retyped or removed, a signature changed, cara_array changed); the host
 *     refuses a plugin whose major differs from its own.
 *   - CARA_ABI_MINOR grows when something is appended: fields at the end of cara_plugin,
 *     cara_host, cara_beneficiary, cara_claim_line, cara_enrollment or cara_alignment,
 *     new flags, new exclusion reasons. The host refuses a plugin that needs a newer
 *     minor than it provides and accepts every older one: it reads descriptor fields
 *     only as far as the plugin's struct_size, and hands arrays with its own element
 *     size (cara_array), so an older plugin steps over fields it does not know.
 *   - A plugin must check host->abi_minor (or struct_size, CARA_HAS_FIELD) before using
 *     anything newer than the minor it declares.
 *   - The first three fields of both tables never move: they protect the rest.
 *
 * Threads: init/fini, template_validate, instance_new and instance_free run on one
 * thread. build() may run concurrently on several threads for the same instance, each
 * call with its own cara_ctx; an instance must therefore be read-only after
 * instance_new.
 */
#ifndef CARA_PLUGIN_H
#define CARA_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cara/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CARA_ABI_MAJOR 2
#define CARA_ABI_MINOR 0

#if defined(__GNUC__)
#define CARA_EXPORT __attribute__((visibility("default")))
#define CARA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CARA_EXPORT
#define CARA_PRINTF(f, a)
#endif

/* Opaque host objects. */
typedef struct cara_template cara_template; /* a loaded template (read-only)        */
typedef struct cara_codeset cara_codeset;   /* a compiled code list (read-only)       */
typedef struct cara_ctx cara_ctx;           /* one beneficiary's episode build       */
typedef struct cara_episode cara_episode;   /* an episode being built (host-owned)   */
typedef struct cara_diag cara_diag;         /* a list of validation errors           */

enum cara_log_level { CARA_LOG_ERROR = 0, CARA_LOG_WARN = 1, CARA_LOG_INFO = 2, CARA_LOG_DEBUG = 3 };

/* Flags for cara_host.episode_close. */
#define CARA_EPISODE_DEATH 0x1u /* the episode ended early at the beneficiary's death */

/*
 * Services the host offers a plugin. Const, append-only; valid from init() to fini().
 * Functions returning int return 0 on success or a negative errno-style code.
 */
typedef struct cara_host {
    uint16_t abi_major;  /* CARA_ABI_MAJOR of the host */
    uint16_t abi_minor;  /* CARA_ABI_MINOR of the host */
    uint32_t struct_size; /* sizeof(cara_host) in the host */

    /* Log a line attributed to the plugin. Thread-safe. */
    void (*log)(int level, const char *fmt, ...) CARA_PRINTF(2, 3);

    /* ---- dates (pure) ---- */
    /* Parse "YYYY-MM-DD"; 0 or -EINVAL. */
    int (*date_parse)(const char *s, size_t len, cara_date *out);
    /* Format into buf (at least 11 bytes) as "YYYY-MM-DD"; "" for CARA_DATE_NONE. */
    void (*date_format)(cara_date d, char *buf);
    /* Calendar year of d. */
    int (*date_year)(cara_date d);
    /* Age in whole years on date `on` for someone born on `birth`. */
    int (*age_on)(cara_date birth, cara_date on);

    /* ---- template parameters (read-only; path is dotted, arrays by index: "a.b.0") ---- */
    /* Integer at path: 0, -ENOENT (absent) or -EINVAL (not an integer). */
    int (*tmpl_int)(const cara_template *t, const char *path, int64_t *out);
    /* String at path, or NULL when absent or not a string. Owned by the template. */
    const char *(*tmpl_str)(const cara_template *t, const char *path);
    /* Number of elements of the array or object at path; -ENOENT or -EINVAL. */
    int (*tmpl_len)(const cara_template *t, const char *path);
    /* Key of the i-th member of the object at path, or NULL. Owned by the template. */
    const char *(*tmpl_key)(const cara_template *t, const char *path, int i);
    /* The code list at path (an array of patterns), compiled once and owned by the
     * template, or NULL when absent or invalid (template_validate reports why). */
    const cara_codeset *(*tmpl_codes)(const cara_template *t, const char *path);

    /* Why the code list at path is unusable: 0 when it compiles, -ENOENT when absent,
     * -EINVAL with the reason in buf (each bad pattern, its index and position,
     * separated by "; "). */
    int (*tmpl_codes_check)(const cara_template *t, const char *path, char *buf, size_t len);

    /* ---- code lists (pure, thread-safe) ---- */
    /* 1 when code matches a pattern of the set, else 0. */
    int (*codes_match)(const cara_codeset *set, const char *code);
    /* 1 when any of the claim line's diagnoses (or only the principal one when
     * principal_only) matches the set. */
    int (*codes_match_dx)(const cara_codeset *set, const cara_claim_line *line, int principal_only);

    /* ---- validation ---- */
    /* Report one template error at the dotted key path. Thread-unsafe (validate only). */
    void (*diag_add)(cara_diag *d, const char *path, const char *fmt, ...) CARA_PRINTF(3, 4);

    /* ---- episode building (only inside build(), on its ctx) ---- */
    /* Open an episode of trigger_type (a key of the template's "triggers") whose day 0
     * is `start`, triggered by line trigger_line (an index into build()'s lines). The
     * window end is start + post_days as the template says; extend/close may move it.
     * NULL on OOM. */
    cara_episode *(*episode_open)(cara_ctx *ctx, const char *trigger_type, cara_date start,
                                  size_t trigger_line);
    /* Move the episode's last day to `end` (>= start). */
    int (*episode_extend)(cara_episode *ep, cara_date end);
    /* Close the episode on `end` with CARA_EPISODE_* flags. */
    int (*episode_close)(cara_episode *ep, cara_date end, unsigned flags);
    /* Keep the episode in the output but exclude it from pricing, with a reason
     * (a short snake_case code such as "enrollment_gap"). */
    int (*episode_exclude)(cara_episode *ep, const char *reason);
    /* Count line `line` (an index into build()'s lines) in the episode's actual
     * spending. Idempotent per line. */
    int (*episode_include)(cara_episode *ep, size_t line);
    /* The episode's day 0 and last day. */
    void (*episode_window)(const cara_episode *ep, cara_date *start, cara_date *end);

    /* ---- common eligibility rules (docs/methodology.md sections 1-2), pure ---- */
    /* Why an episode with day 0 and last day `end` is excluded ("not_enrolled", "esrd",
     * "hospice", "not_aligned", "enrollment_gap", "after_death"), or NULL when the
     * beneficiary is eligible. Static string. See docs/plugin-abi.md. */
    const char *(*eligibility)(const cara_beneficiary *b, cara_date day0, cara_date end);
} cara_host;

/*
 * The descriptor a plugin returns from cara_plugin_entry(). Static storage, const.
 */
typedef struct cara_plugin {
    uint16_t abi_major;   /* CARA_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;   /* the lowest host minor the plugin needs */
    uint32_t struct_size; /* sizeof(cara_plugin) as the plugin was built */

    const char *name;        /* episode type name: [a-z][a-z0-9_]*, unique per host */
    const char *version;     /* the plugin's own version, e.g. "1.0.0" */
    const char *description; /* one line for `cara plugins` */

    /* Called once after loading. Return 0, or a negative code with a message in err. */
    int (*init)(const cara_host *host, char *err, size_t errlen);
    /* Called once before unloading (may be NULL). */
    void (*fini)(void);

    /* Check that a template fits this episode type; report each problem with
     * host->diag_add(d, path, ...). Return the number of problems (0 = valid). */
    int (*template_validate)(const cara_template *t, cara_diag *d);
    /* Build the per-template state (compiled code lists, parameters) from a template
     * that validated. *inst is owned by the plugin until instance_free. 0 or -errno
     * with a message in err. */
    int (*instance_new)(const cara_template *t, void **inst, char *err, size_t errlen);
    void (*instance_free)(void *inst);

    /* Build one beneficiary's episodes. lines (of cara_claim_line; read line i with
     * cara_line_at(lines, i), never as a C array) are sorted by (service_date,
     * claim_id, line_number); lines, b and everything they point to are valid only
     * during the call. Open, extend, close, exclude and include through the host table
     * with ctx; lines are named by their index. Return 0, or a negative code to abort
     * the run (a plugin bug, not a data problem: data problems are exclusions). */
    int (*build)(const void *inst, cara_ctx *ctx, const cara_beneficiary *b,
                 const cara_array *lines);
} cara_plugin;

/* Layout size of cara_plugin at minor 0 of this major: the host refuses smaller
 * descriptors. */
#define CARA_PLUGIN_SIZE_V2_0 (offsetof(cara_plugin, build) + sizeof(void *))
/* Layout size of cara_host at minor 0 of this major: what a plugin that needs no
 * newer service checks host->struct_size against (not sizeof(cara_host), which grows
 * with the headers the plugin is built against). */
#define CARA_HOST_SIZE_V2_0 (offsetof(cara_host, eligibility) + sizeof(void *))

#define CARA_PLUGIN_ENTRY_SYMBOL "cara_plugin_entry"
typedef const cara_plugin *(*cara_plugin_entry_fn)(void);

/* In the plugin: CARA_PLUGIN_DEFINE(my_descriptor); exports the entry point. */
#define CARA_PLUGIN_DEFINE(desc)                                                        \
    CARA_EXPORT const cara_plugin *cara_plugin_entry(void);                            \
    CARA_EXPORT const cara_plugin *cara_plugin_entry(void) { return &(desc); }

#ifdef __cplusplus
}
#endif
#endif /* CARA_PLUGIN_H */
