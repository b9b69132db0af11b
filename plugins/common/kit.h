/*
 * plugins/common/kit.h: helpers shared by the episode plugins (compiled into each
 * plugin; not part of the ABI). Everything goes through the cara_host table.
 *
 * The common shape of an episode type: collect trigger events while scanning a
 * beneficiary's lines, then kit_open_episodes() applies the rules every template shares
 * (docs/methodology.md sections 1-2): triggers in day-0 order, the first one opens an episode, a trigger
 * inside an open episode opens nothing, death ends the episode early, ineligible
 * episodes are kept with their exclusion reason. Then the plugin assigns cost lines.
 */
#ifndef CARA_PLUGIN_KIT_H
#define CARA_PLUGIN_KIT_H

#include <stddef.h>

#include "cara/plugin.h"

/* init() for plugins: check the host table is of this major and holds every service of
 * its minor 0 (all the kit and a KIT_PLUGIN plugin, which declares minor 0, may use),
 * and keep it in *slot. 0 or -EPROTO with a message. */
int kit_init(const cara_host *h, const cara_host **slot, char *err, size_t errlen);

/* Reads a template's parameters into inst; counts (and with d, reports) problems. */
typedef int (*kit_read_fn)(const cara_template *t, void *inst, cara_diag *d);

/* instance_new() for plugins whose instance is a plain struct of `size` bytes filled
 * by read(): allocates it, refuses a template with problems. */
int kit_instance_new(size_t size, kit_read_fn read, const cara_template *t, void **inst,
                     char *err, size_t errlen);

/*
 * The callbacks every kit-based plugin has, and its descriptor: init keeps the host
 * table in the plugin's `static const cara_host *host`; validate and instance_new use
 * READ_FN (a kit_read_fn) on an INST_TYPE; instance_free frees it. BUILD_FN is the
 * plugin's build(). Expands to the exported entry point. The names it declares start
 * with kit_, so that none shadows a name of the plugin (-Wshadow): INST_TYPE may be
 * any type name, `inst` included.
 */
#define KIT_PLUGIN(NAME, VERSION, DESCRIPTION, INST_TYPE, READ_FN, BUILD_FN)                \
    static int kit_p_init(const cara_host *kit_h, char *kit_err, size_t kit_errlen)         \
    {                                                                                       \
        return kit_init(kit_h, &host, kit_err, kit_errlen);                                 \
    }                                                                                       \
    static int kit_p_validate(const cara_template *kit_t, cara_diag *kit_d)                 \
    {                                                                                       \
        INST_TYPE kit_x;                                                                    \
        return READ_FN(kit_t, &kit_x, kit_d);                                               \
    }                                                                                       \
    static int kit_p_new(const cara_template *kit_t, void **kit_out, char *kit_err,         \
                         size_t kit_errlen)                                                 \
    {                                                                                       \
        return kit_instance_new(sizeof(INST_TYPE), READ_FN, kit_t, kit_out, kit_err,        \
                                kit_errlen);                                                \
    }                                                                                       \
    static void kit_p_free(void *kit_p) { free(kit_p); }                                    \
    static const cara_plugin kit_desc = {                                                   \
        .abi_major = CARA_ABI_MAJOR, .abi_minor = 0, .struct_size = sizeof(cara_plugin),    \
        .name = (NAME), .version = (VERSION), .description = (DESCRIPTION),                 \
        .init = kit_p_init, .fini = NULL, .template_validate = kit_p_validate,              \
        .instance_new = kit_p_new, .instance_free = kit_p_free, .build = (BUILD_FN)};       \
    CARA_PLUGIN_DEFINE(kit_desc)

typedef struct kit_trigger {
    const char *type;      /* static string: "A", "B", "C" */
    cara_date day0;
    size_t line;           /* the trigger line */
} kit_trigger;

typedef struct kit_triggers {
    kit_trigger *v;        /* owned */
    size_t n, cap;
} kit_triggers;

/* Append a trigger. 0 or -ENOMEM. */
int kit_trigger_add(kit_triggers *t, const char *type, cara_date day0, size_t line);
void kit_triggers_free(kit_triggers *t);

/* One opened episode and the trigger that opened it. */
typedef struct kit_episode {
    cara_episode *ep;      /* host-owned */
    kit_trigger trig;
    cara_date day0, end;   /* end after death, if any */
    int excluded;
} kit_episode;

/*
 * Sort triggers by (day0, line) and open episodes: one open per beneficiary; a trigger
 * on or before the open episode's last day opens nothing. Each episode is closed at the
 * death date when death falls inside its window, and excluded with
 * host->eligibility()'s reason when the beneficiary is not eligible.
 * *out (malloc'ed, caller frees) receives the episodes in order. 0 or -ENOMEM.
 */
int kit_open_episodes(const cara_host *h, cara_ctx *ctx, const cara_beneficiary *b,
                      kit_triggers *t, kit_episode **out, size_t *n_out);

/*
 * The compiled code list "code_lists.NAME" of template t; when absent or invalid,
 * reports it with diag_add (if d) and counts it in *errors. May return NULL.
 */
const cara_codeset *kit_codes(const cara_host *h, const cara_template *t, const char *name,
                              cara_diag *d, int *errors);

/* Integer parameter at path within [lo, hi]; reported like kit_codes. Returns the value
 * (lo when invalid). */
int64_t kit_int(const cara_host *h, const cara_template *t, const char *path, int64_t lo,
                int64_t hi, cara_diag *d, int *errors);

/* Refuse the members of the object at `path` (e.g. "parameters") whose names are not in
 * known (NULL-terminated): the core checks their types, the plugin their names. Absent
 * object: nothing to refuse. Reported like kit_codes. */
void kit_known_members(const cara_host *h, const cara_template *t, const char *path,
                       const char *const *known, cara_diag *d, int *errors);

/* Refuse the members the core leaves to the declarative plugin (window.pre_days,
 * triggers.T.match, triggers.T.day0, included, excluded; docs/templates.md) when an
 * episode type that does not read them (`plugin`, its name) finds them. */
void kit_refuse_declarative(const cara_host *h, const cara_template *t, const char *plugin,
                            cara_diag *d, int *errors);

/* Check that the template defines trigger `type` with a positive integer base_cents. */
void kit_require_trigger(const cara_host *h, const cara_template *t, const char *type,
                         cara_diag *d, int *errors);

/* 1 when some line of the same claim as line i (anywhere in lines) has an HCPCS code
 * in set. */
int kit_claim_has_hcpcs(const cara_host *h, const cara_array *lines, size_t i,
                        const cara_codeset *set);

/* 1 when some line of the same claim as line i has a revenue center in set. */
int kit_claim_has_revenue(const cara_host *h, const cara_array *lines, size_t i,
                          const cara_codeset *set);

/* The last day of an institutional claim: discharge date, else claim end. */
cara_date kit_claim_last_day(const cara_claim_line *l);

#endif
