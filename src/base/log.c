#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "base/log.h"

static int log_stderr = 1;
static int log_lvl = LOG_LVL_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void
log_init(const char *ident, int to_stderr)
{
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level lvl)
{
	__atomic_store_n(&log_lvl, (int)lvl, __ATOMIC_RELAXED);
}

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static void
vlog(int lvl, const char *errstr, const char *fmt, va_list ap)
{
	char msg[1024];

	if (lvl > __atomic_load_n(&log_lvl, __ATOMIC_RELAXED))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_stderr) {
		if (errstr)
			fprintf(stderr, "nvd: %s: %s\n", msg, errstr);
		else
			fprintf(stderr, "nvd: %s\n", msg);
	} else {
		if (errstr)
			syslog(syslog_prio[lvl], "%s: %s", msg, errstr);
		else
			syslog(syslog_prio[lvl], "%s", msg);
	}
}

#define LOGFN(name, lvl, witherr)					\
void									\
name(const char *fmt, ...)						\
{									\
	char ebuf[128];							\
	const char *e = NULL;						\
	va_list ap;							\
	if (witherr)							\
		e = strerror_r(errno, ebuf, sizeof(ebuf));		\
	va_start(ap, fmt);						\
	vlog(lvl, e, fmt, ap);						\
	va_end(ap);							\
}
LOGFN(log_warn, LOG_LVL_WARNING, 1)
LOGFN(log_warnx, LOG_LVL_WARNING, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)
LOGFN(log_errx, LOG_LVL_ERROR, 0)

void
fatal(const char *fmt, ...)
{
	char ebuf[128];
	const char *e = strerror_r(errno, ebuf, sizeof(ebuf));
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_limit_ok(struct log_limit *lim, int interval)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if (ts.tv_sec - lim->last < interval) {
		lim->suppressed++;
		return 0;
	}
	lim->last = ts.tv_sec;
	return 1;
}
