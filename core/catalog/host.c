/*
 * host.c: the services table (see cara/plugin.h for each contract).
 */
#include "host.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/base.h"
#include "episode.h"
#include "template.h"

static int plugin_level = CARA_LOG_WARN;

void host_set_log_level(int level) { plugin_level = level; }

/* A plugin's message passes the plugin threshold (errors and warnings by default; every
 * message when the logger's is debug), then the logger's at the message's own level. */
static void host_log(int level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > plugin_level && !log_enabled(LOG_LEVEL_DEBUG)) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (level < 0) level = 0;
    if (level > 3) level = 3;
    log_msg((log_level)level, NULL, "plugin %s: %s", names[level], buf);
}

static int host_date_parse(const char *s, size_t len, cara_date *out)
{
    return date_parse(s, len, out);
}

static void host_date_format(cara_date d, char *buf) { date_format(d, buf); }

int host_codes_match_dx(const cara_codeset *set, const cara_claim_line *line,
                        int principal_only)
{
    size_t n = principal_only ? (line->n_dx > 0) : line->n_dx;
    for (size_t i = 0; i < n; i++)
        if (codes_match(set, line->dx[i])) return 1;
    return 0;
}

static const cara_host services = {
    .abi_major = CARA_ABI_MAJOR,
    .abi_minor = CARA_ABI_MINOR,
    .struct_size = sizeof(cara_host),
    .log = host_log,
    .date_parse = host_date_parse,
    .date_format = host_date_format,
    .date_year = date_year,
    .age_on = date_age_on,
    .tmpl_int = template_host_int,
    .tmpl_str = template_host_str,
    .tmpl_len = template_host_len,
    .tmpl_key = template_host_key,
    .tmpl_codes = template_host_codes,
    .tmpl_codes_check = template_host_codes_check,
    .codes_match = codes_match,
    .codes_match_dx = host_codes_match_dx,
    .diag_add = diag_add,
    .episode_open = episode_open,
    .episode_extend = episode_extend,
    .episode_close = episode_close,
    .episode_exclude = episode_exclude,
    .episode_include = episode_include,
    .episode_window = episode_window,
    .eligibility = eligibility_exclusion,
};

const cara_host *host_services(void) { return &services; }
