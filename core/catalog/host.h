/*
 * host: the cara_host services table handed to plugins (cara/plugin.h).
 */
#ifndef CARA_HOST_H
#define CARA_HOST_H

#include "cara/plugin.h"

/* The process-wide, const services table. */
const cara_host *host_services(void);

/* Where plugin log lines go (default: stderr, level <= CARA_LOG_WARN). Not thread-safe
 * to change while plugins run. */
void host_set_log_level(int level);

/* cara_host.codes_match_dx, exposed for the engine and tests. */
int host_codes_match_dx(const cara_codeset *set, const cara_claim_line *line,
                        int principal_only);

#endif
