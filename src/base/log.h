/*
 * log.h: daemon logging to stderr (foreground) or syslog.
 * All functions are thread-safe.
 */
#ifndef NVD_LOG_H
#define NVD_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARNING,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void log_init(const char *ident, int to_stderr);
void log_set_level(enum log_level lvl);
/* Parses "error" .. "debug"; returns -1 on an unknown name. */
int log_level_parse(const char *name);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* adds strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* level error, no exit */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));	/* start-up only */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Rate limiter for packet-path logs: returns 1 when a line may be logged,
 * at most once per interval seconds per limiter.  *suppressed counts the
 * lines that were not.
 */
struct log_limit {
	long long last;
	unsigned long suppressed;
};
int log_limit_ok(struct log_limit *lim, int interval);

#endif
