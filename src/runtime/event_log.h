/*
 * event_log.h: each event as one JSON line for log shippers and SIEMs
 * (event_log in nvd.conf(5)): to syslog with the tag "nvd-event", or to
 * standard error when nvd runs in the foreground.
 *
 * The line is one JSON object with the fields of nvctl --json events (id
 * null when the event could not be stored).  Sending never blocks: the
 * syslog socket is non-blocking, and a line the syslog daemon cannot take
 * at once is dropped and counted.  Owned by the writer thread.
 */
#ifndef NVD_EVENT_LOG_H
#define NVD_EVENT_LOG_H

#include <stdint.h>

#include "base/buf.h"
#include "base/log.h"
#include "runtime/event.h"

#define EVENT_LOG_TAG		"nvd-event"
#define EVENT_LOG_PATH		"/dev/log"
#define EVENT_LOG_RETRY_MS	10000	/* between tries to reach syslog */

enum event_log_sink {
	EVLOG_NONE = 0,
	EVLOG_SYSLOG,		/* datagrams to EVENT_LOG_PATH */
	EVLOG_STDERR,
};

struct event_log {
	enum event_log_sink sink;
	int fd;				/* the syslog socket, or -1 */
	uint64_t retry_ms;		/* clock_mono_ms() of the next connect */
	uint64_t lines, dropped;	/* lines sent, and lost */
	struct log_limit lim;
	struct buf line;
};

void event_log_init(struct event_log *l);
/* Changes where lines go (closes the socket of the old sink). */
void event_log_set(struct event_log *l, enum event_log_sink sink);
void event_log_close(struct event_log *l);

/* One event as one JSON object, without a newline, appended to out; id
 * 0 is written null. */
void event_log_json(const struct event_rec *ev, int64_t id, struct buf *out);
/* Sends ev's line to the sink (nothing for EVLOG_NONE). */
void event_log_write(struct event_log *l, const struct event_rec *ev, int64_t id);

#endif
