/*
 * episode: the episodes a plugin builds for one beneficiary (cara_ctx, cara_episode).
 *
 * The engine creates one episode_ctx per beneficiary and template, hands it to the
 * plugin's build() as cara_ctx, then reads the episodes back. Episodes are host-owned;
 * the plugin only holds pointers to them during build().
 */
#ifndef CARA_EPISODE_H
#define CARA_EPISODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "cara/plugin.h"

#define EPISODE_TRIGGER_MAX 16
#define EPISODE_REASON_MAX 64
#define EPISODE_DEFAULT_POST_DAYS 179

struct cara_episode {
    char trigger_type[EPISODE_TRIGGER_MAX]; /* key of the template's "triggers" */
    cara_date start;                 /* day 0 */
    cara_date end;                   /* last day (inclusive) */
    size_t trigger_line;             /* index into the ctx's lines */
    unsigned flags;                  /* CARA_EPISODE_* */
    int closed;
    char exclusion[EPISODE_REASON_MAX]; /* "" when priced */
    size_t *lines;                   /* owned: included line indexes, ascending, unique */
    size_t n_lines, cap_lines;
};

struct cara_ctx {
    const cara_template *tmpl;       /* borrowed */
    int64_t post_days;               /* window length minus one (default 179) */
    const cara_claim_line *lines;    /* borrowed for the build */
    size_t n_lines;
    cara_episode **eps;              /* owned */
    size_t n_eps, cap_eps;
    char error[256];                 /* first misuse of the API by the plugin, or "" */
};

typedef struct cara_ctx episode_ctx;

/* Prepare ctx for one beneficiary's build. post_days comes from the template's
 * "window.post_days" (default 179). */
void episode_ctx_init(episode_ctx *ctx, const cara_template *tmpl,
                      const cara_claim_line *lines, size_t n_lines);

/* Free the episodes and reset ctx. */
void episode_ctx_free(episode_ctx *ctx);

/* cara_host episode services (contracts in cara/plugin.h). Misuse (a line index out
 * of range, an end before the start, an empty trigger) returns -EINVAL and records
 * the first such error in ctx->error. */
cara_episode *episode_open(cara_ctx *ctx, const char *trigger_type, cara_date start,
                           size_t trigger_line);
int episode_extend(cara_episode *ep, cara_date end);
int episode_close(cara_episode *ep, cara_date end, unsigned flags);
int episode_exclude(cara_episode *ep, const char *reason);
int episode_include(cara_episode *ep, size_t line);
void episode_window(const cara_episode *ep, cara_date *start, cara_date *end);

/* Sum of paid amounts of the included lines; a sum beyond int64 saturates at
 * INT64_MIN/INT64_MAX (callers that must refuse it use episode_actual_cents_checked). */
cara_cents episode_actual_cents(const cara_episode *ep, const cara_claim_line *lines);

/* The same sum with checked arithmetic: 0 and *out, or MONEY_ERANGE (money.h) when a
 * partial sum does not fit int64 (*out untouched). */
int episode_actual_cents_checked(const cara_episode *ep, const cara_claim_line *lines,
                                 cara_cents *out);

/* The paid amounts of the included lines by care setting (base/setting.h, from each
 * line's claim type and bill type) into out[SETTING_N], with checked arithmetic: 0, or
 * MONEY_ERANGE when a sum does not fit int64 (out then partial). The eight sum to
 * episode_actual_cents_checked's total whenever neither overflows. */
int episode_spend_by_setting(const cara_episode *ep, const cara_claim_line *lines,
                             cara_cents out[SETTING_N]);

#endif
