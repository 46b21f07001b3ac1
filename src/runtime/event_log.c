/*
 * event_log.c: events as JSON lines, to syslog (RFC 3164 datagrams on
 * /dev/log, as syslog(3) sends them, but with a tag of their own and
 * without ever blocking) or to standard error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "policy/policy.h"
#include "runtime/event_log.h"

void
event_log_init(struct event_log *l)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	buf_init(&l->line);
}

void
event_log_close(struct event_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	buf_free(&l->line);
}

void
event_log_set(struct event_log *l, enum event_log_sink sink)
{
	if (sink == l->sink)
		return;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->retry_ms = 0;
	l->sink = sink;
}

/* "key":"text" of a fixed-size field that may lack its NUL; null when empty. */
static void
json_field(struct buf *o, const char *key, const char *s, size_t size)
{
	char text[512];		/* more than any field of struct event_rec */
	size_t n = strnlen(s, size < sizeof(text) ? size : sizeof(text) - 1);

	buf_printf(o, ",\"%s\":", key);
	if (n == 0) {
		buf_puts(o, "null");
		return;
	}
	memcpy(text, s, n);
	text[n] = '\0';
	buf_json_str(o, text);
}

#define JSON_FIELD(o, key, f)	json_field(o, key, f, sizeof(f))

static void
json_addr(struct buf *o, const char *key, int family, const uint8_t *a)
{
	char text[INET6_ADDRSTRLEN];

	if (!event_addr_known(family, a) || inet_ntop(family, a, text, sizeof(text)) == NULL)
		buf_printf(o, ",\"%s\":null", key);
	else
		buf_printf(o, ",\"%s\":\"%s\"", key, text);
}

static void
json_int(struct buf *o, const char *key, int64_t v)
{
	if (v == 0)
		buf_printf(o, ",\"%s\":null", key);
	else
		buf_printf(o, ",\"%s\":%lld", key, (long long)v);
}

void
event_log_json(const struct event_rec *ev, int64_t id, struct buf *o)
{
	char when[EVENT_TIME_LEN], word[12];

	event_time_format(ev->time_ms, when, sizeof(when));
	if (id)
		buf_printf(o, "{\"id\":%lld", (long long)id);
	else
		buf_puts(o, "{\"id\":null");
	buf_printf(o, ",\"time\":\"%s\",\"type\":\"%s\"", when, event_type_name(ev->type));
	JSON_FIELD(o, "name", ev->name);
	buf_printf(o, ",\"level\":\"%s\",\"action\":\"%s\"", event_level_name(ev->level),
	    event_action_name(ev->action));
	if (ev->proto)
		buf_printf(o, ",\"proto\":\"%s\"", policy_proto_word(ev->proto, word));
	else
		buf_puts(o, ",\"proto\":null");
	json_addr(o, "src_ip", ev->family, ev->src);
	json_int(o, "src_port", ev->src_port);
	JSON_FIELD(o, "src_workload", ev->src_workload);
	JSON_FIELD(o, "src_group", ev->src_group);
	json_addr(o, "dst_ip", ev->family, ev->dst);
	json_int(o, "dst_port", ev->dst_port);
	JSON_FIELD(o, "dst_workload", ev->dst_workload);
	JSON_FIELD(o, "dst_group", ev->dst_group);
	JSON_FIELD(o, "fqdn", ev->fqdn);
	JSON_FIELD(o, "app", ev->app);
	json_int(o, "rule_id", ev->rule_id);
	JSON_FIELD(o, "sensor", ev->sensor);
	JSON_FIELD(o, "message", ev->message);
	JSON_FIELD(o, "reason", ev->reason);
	buf_printf(o, ",\"count\":%u", ev->count ? ev->count : 1);
	JSON_FIELD(o, "excerpt", ev->excerpt);
	JSON_FIELD(o, "pcap", ev->pcap);
	buf_puts(o, "}");
}

/* A line lost: counted, logged at most once a minute. */
static void
dropped(struct event_log *l, const char *why)
{
	l->dropped++;
	if (log_limit_ok(&l->lim, 60))
		log_warnx("event_log: %s: JSON lines dropped", why);
}

static int
syslog_connect(struct event_log *l)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = EVENT_LOG_PATH };
	uint64_t now = clock_mono_ms();

	if (l->fd >= 0)
		return 0;
	if (now < l->retry_ms)
		return -1;
	l->retry_ms = now + EVENT_LOG_RETRY_MS;
	if ((l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	if (connect(l->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	return 0;
}

/* The RFC 3164 header: priority by the event's level, facility daemon. */
static void
syslog_header(struct buf *o, const struct event_rec *ev)
{
	static const int sev[] = { [EV_INFO] = LOG_INFO, [EV_WARNING] = LOG_WARNING,
	    [EV_CRITICAL] = LOG_CRIT };
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32];

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	buf_printf(o, "<%d>%s %s[%d]: ", LOG_DAEMON | (ev->level < 3 ? sev[ev->level] : LOG_INFO),
	    stamp, EVENT_LOG_TAG, (int)getpid());
}

static void
syslog_send(struct event_log *l)
{
	for (int tries = 0; tries < 2; tries++) {
		if (syslog_connect(l) < 0) {
			dropped(l, "cannot reach syslog at " EVENT_LOG_PATH);
			return;
		}
		if (send(l->fd, l->line.data, l->line.len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
			l->lines++;
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
			dropped(l, "syslog is not keeping up");
			return;
		}
		/* the syslog daemon restarted: connect again, once */
		close(l->fd);
		l->fd = -1;
		l->retry_ms = 0;
	}
	dropped(l, "syslog refused them");
}

void
event_log_write(struct event_log *l, const struct event_rec *ev, int64_t id)
{
	if (l->sink == EVLOG_NONE)
		return;
	buf_reset(&l->line);
	if (l->sink == EVLOG_SYSLOG)
		syslog_header(&l->line, ev);
	event_log_json(ev, id, &l->line);
	if (l->sink == EVLOG_STDERR)
		buf_puts(&l->line, "\n");
	if (buf_failed(&l->line)) {
		buf_free(&l->line);
		buf_init(&l->line);
		dropped(l, "out of memory");
		return;
	}
	if (l->sink == EVLOG_SYSLOG) {
		syslog_send(l);
		return;
	}
	/* one write: the line is not interleaved with the log's lines */
	if (write(STDERR_FILENO, l->line.data, l->line.len) == (ssize_t)l->line.len)
		l->lines++;
	else
		dropped(l, "standard error");
}
