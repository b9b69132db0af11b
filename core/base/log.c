/*
 * log.c: see log.h.
 */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_int threshold = LOG_LEVEL_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *output; /* NULL: stderr (lock) */

void log_set_level(log_level level)
{
    int l = (int)level;
    if (l < LOG_LEVEL_ERROR) l = LOG_LEVEL_ERROR;
    if (l > LOG_LEVEL_DEBUG) l = LOG_LEVEL_DEBUG;
    atomic_store(&threshold, l);
}

log_level log_get_level(void) { return (log_level)atomic_load(&threshold); }

int log_enabled(log_level level) { return (int)level <= atomic_load(&threshold); }

int log_level_parse(const char *name, log_level *out)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, names[i])) {
            *out = (log_level)i;
            return 0;
        }
    return -1;
}

FILE *log_set_output(FILE *f)
{
    pthread_mutex_lock(&lock);
    FILE *old = output;
    output = f;
    pthread_mutex_unlock(&lock);
    return old;
}

void log_vmsg(log_level level, const char *who, const char *fmt, va_list ap)
{
    if (!log_enabled(level)) return;
    char prefix[64] = "";
    if (!who) snprintf(prefix, sizeof prefix, "cara: ");
    else if (*who) snprintf(prefix, sizeof prefix, "cara %s: ", who);
    /* the whole line in one buffer: a stack one, or the heap for a long message */
    char small[1024], *line = small;
    va_list again;
    va_copy(again, ap);
    size_t p = strlen(prefix);
    int n = vsnprintf(small + p, sizeof small - p - 1, fmt, ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof small - p - 1) {
        char *big = malloc(p + (size_t)n + 2);
        if (big) {
            vsnprintf(big + p, (size_t)n + 1, fmt, again);
            line = big;
        } else {
            n = (int)(sizeof small - p - 2); /* out of memory: the message cut short */
        }
    }
    va_end(again);
    memcpy(line, prefix, p);
    size_t len = p + (size_t)n;
    line[len++] = '\n';
    pthread_mutex_lock(&lock);
    FILE *f = output ? output : stderr;
    fwrite(line, 1, len, f);
    fflush(f);
    pthread_mutex_unlock(&lock);
    if (line != small) free(line);
}

void log_msg(log_level level, const char *who, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, who, fmt, ap);
    va_end(ap);
}
