/*
 * log: the one leveled logger of the core. Every diagnostic line that is not a
 * command's own output (the service's request lines and state changes, plugin
 * messages, a rule's print() with nowhere else to go) goes through log_msg.
 *
 *   log_msg(LOG_LEVEL_INFO, "serve", "listening on http://%s:%u", host, port);
 *   -> "cara serve: listening on http://127.0.0.1:8080\n" on stderr
 *
 * A line is written whole (one write under a lock), so lines from threads never
 * interleave. The threshold starts at LOG_LEVEL_INFO: the level at which everything
 * cara printed before this logger still prints, byte for byte. The CLI sets it from
 * `--log-level LEVEL` or $CARA_LOG.
 */
#ifndef CARA_LOG_H
#define CARA_LOG_H

#include <stdarg.h>
#include <stdio.h>

/* Most to least severe; a message is written when its level <= the threshold. */
typedef enum log_level {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_INFO = 2,
    LOG_LEVEL_DEBUG = 3,
} log_level;

/* Set / read the threshold (thread-safe; an out-of-range level is clamped). */
void log_set_level(log_level level);
log_level log_get_level(void);

/* 1 when a message at level would be written now. */
int log_enabled(log_level level);

/* Parse "error", "warn", "info" or "debug" into *out: 0, or -1 for anything else (*out
 * untouched). */
int log_level_parse(const char *name, log_level *out);

/* The names log_level_parse accepts, for messages: "error, warn, info or debug". */
#define LOG_LEVEL_NAMES "error, warn, info or debug"

/* Where lines go: f, or stderr when f is NULL. Returns the previous stream (NULL when
 * it was stderr) so a test can capture lines and put things back. The logger never
 * closes a stream. */
FILE *log_set_output(FILE *f);

/*
 * Write one line when level passes the threshold: a prefix, the formatted message and
 * a newline (messages do not end with their own). The prefix is
 * "cara WHO: " for a component name ("serve" -> "cara serve: "), "cara: " for NULL,
 * and nothing for "" (text that carries its own, like a rule's "savings.lua:3: ...").
 */
void log_msg(log_level level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(log_level level, const char *who, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
