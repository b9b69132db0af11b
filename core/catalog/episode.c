/*
 * episode.c: see episode.h.
 */
#include "episode.h"

#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

/* Every episode remembers its ctx so the API can validate line indexes. */
typedef struct episode_full {
    struct cara_episode ep;
    episode_ctx *ctx;
} episode_full;

static episode_ctx *ctx_of(const cara_episode *ep)
{
    return ((const episode_full *)(const void *)ep)->ctx;
}

static void misuse(episode_ctx *ctx, const char *msg)
{
    if (ctx && !ctx->error[0]) snprintf(ctx->error, sizeof ctx->error, "%s", msg);
}

void episode_ctx_init(episode_ctx *ctx, const cara_template *tmpl,
                      const cara_claim_line *lines, size_t n_lines)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->tmpl = tmpl;
    ctx->lines = lines;
    ctx->n_lines = n_lines;
    ctx->post_days = EPISODE_DEFAULT_POST_DAYS;
    int64_t v;
    if (tmpl && template_host_int(tmpl, "window.post_days", &v) == 0 && v >= 0 && v <= 3660)
        ctx->post_days = v;
}

void episode_ctx_free(episode_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_eps; i++) {
        free(ctx->eps[i]->lines);
        free(ctx->eps[i]);
    }
    free(ctx->eps);
    ctx->eps = NULL;
    ctx->n_eps = ctx->cap_eps = 0;
}

cara_episode *episode_open(cara_ctx *ctx, const char *trigger_type, cara_date start,
                           size_t trigger_line)
{
    if (!trigger_type || !*trigger_type || strlen(trigger_type) >= EPISODE_TRIGGER_MAX) {
        misuse(ctx, "episode_open: trigger type must be 1-15 characters");
        return NULL;
    }
    if (trigger_line >= ctx->n_lines || start == CARA_DATE_NONE) {
        misuse(ctx, "episode_open: trigger line index out of range or no start date");
        return NULL;
    }
    if (ctx->n_eps == ctx->cap_eps) {
        size_t cap = ctx->cap_eps ? ctx->cap_eps * 2 : 4;
        cara_episode **v = realloc(ctx->eps, cap * sizeof *v);
        if (!v) return NULL;
        ctx->eps = v;
        ctx->cap_eps = cap;
    }
    episode_full *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->ctx = ctx;
    cara_episode *ep = &f->ep;
    snprintf(ep->trigger_type, sizeof ep->trigger_type, "%s", trigger_type);
    ep->start = start;
    ep->end = (cara_date)(start + ctx->post_days);
    ep->trigger_line = trigger_line;
    ctx->eps[ctx->n_eps++] = ep;
    return ep;
}

int episode_extend(cara_episode *ep, cara_date end)
{
    if (!ep) return -EINVAL;
    if (end < ep->start || ep->closed) {
        misuse(ctx_of(ep), "episode_extend: end before start, or episode already closed");
        return -EINVAL;
    }
    ep->end = end;
    return 0;
}

int episode_close(cara_episode *ep, cara_date end, unsigned flags)
{
    if (!ep) return -EINVAL;
    if (end < ep->start) {
        misuse(ctx_of(ep), "episode_close: end before start");
        return -EINVAL;
    }
    ep->end = end;
    ep->flags |= flags;
    ep->closed = 1;
    return 0;
}

int episode_exclude(cara_episode *ep, const char *reason)
{
    if (!ep || !reason || !*reason) return -EINVAL;
    if (!ep->exclusion[0]) snprintf(ep->exclusion, sizeof ep->exclusion, "%s", reason);
    return 0;
}

int episode_include(cara_episode *ep, size_t line)
{
    if (!ep) return -EINVAL;
    episode_ctx *ctx = ctx_of(ep);
    if (line >= ctx->n_lines) {
        misuse(ctx, "episode_include: line index out of range");
        return -EINVAL;
    }
    /* Lines usually arrive in order: check the tail first, else binary search. */
    size_t lo = 0, hi = ep->n_lines;
    if (hi && ep->lines[hi - 1] < line) {
        lo = hi;
    } else {
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (ep->lines[mid] < line) lo = mid + 1;
            else hi = mid;
        }
        if (lo < ep->n_lines && ep->lines[lo] == line) return 0;
    }
    if (ep->n_lines == ep->cap_lines) {
        size_t cap = ep->cap_lines ? ep->cap_lines * 2 : 16;
        size_t *v = realloc(ep->lines, cap * sizeof *v);
        if (!v) return -ENOMEM;
        ep->lines = v;
        ep->cap_lines = cap;
    }
    memmove(ep->lines + lo + 1, ep->lines + lo, (ep->n_lines - lo) * sizeof *ep->lines);
    ep->lines[lo] = line;
    ep->n_lines++;
    return 0;
}

void episode_window(const cara_episode *ep, cara_date *start, cara_date *end)
{
    if (start) *start = ep->start;
    if (end) *end = ep->end;
}

int episode_actual_cents_checked(const cara_episode *ep, const cara_claim_line *lines,
                                 cara_cents *out)
{
    cara_cents sum = 0;
    for (size_t i = 0; i < ep->n_lines; i++)
        if (money_add(sum, lines[ep->lines[i]].paid, &sum) < 0) return MONEY_ERANGE;
    *out = sum;
    return 0;
}

int episode_spend_by_setting(const cara_episode *ep, const cara_claim_line *lines,
                             cara_cents out[SETTING_N])
{
    static const char *const type_name[] = {[CARA_CLAIM_INSTITUTIONAL] = "institutional",
                                            [CARA_CLAIM_PROFESSIONAL] = "professional",
                                            [CARA_CLAIM_DME] = "dme"};
    for (int k = 0; k < SETTING_N; k++) out[k] = 0;
    for (size_t i = 0; i < ep->n_lines; i++) {
        const cara_claim_line *l = &lines[ep->lines[i]];
        const char *type = l->claim_type >= CARA_CLAIM_INSTITUTIONAL &&
                                   l->claim_type <= CARA_CLAIM_DME
                               ? type_name[l->claim_type]
                               : NULL;
        cara_setting s = setting_of(type, l->bill_type);
        if (money_add(out[s], l->paid, &out[s]) < 0) return MONEY_ERANGE;
    }
    return 0;
}

cara_cents episode_actual_cents(const cara_episode *ep, const cara_claim_line *lines)
{
    cara_cents sum = 0;
    for (size_t i = 0; i < ep->n_lines; i++) {
        cara_cents p = lines[ep->lines[i]].paid;
        if (money_add(sum, p, &sum) < 0) return p < 0 ? INT64_MIN : INT64_MAX;
    }
    return sum;
}
