/*
 * event.c: event names, and the per-worker ring that carries events,
 * learning and rule hits to the writer thread.
 *
 * The ring is a classic single-producer single-consumer queue: head and
 * tail only grow, slot i is slots[i & (EVENT_RING_SIZE - 1)].  The
 * producer publishes a filled slot with a release store of head, the
 * consumer frees slots with a release store of tail; each side reads the
 * other's index with an acquire load, so a slot is never read before it
 * is written nor reused before it is read.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "runtime/event.h"

_Static_assert((EVENT_RING_SIZE & (EVENT_RING_SIZE - 1)) == 0,
    "EVENT_RING_SIZE is a power of two");

#define RING_MASK	((uint64_t)EVENT_RING_SIZE - 1)

static const char *const type_names[] = {
	[EV_VIOLATION] = "violation",
	[EV_THREAT] = "threat",
	[EV_DLP] = "dlp",
	[EV_WAF] = "waf",
	[EV_INCIDENT] = "incident",
	[EV_QUARANTINE] = "quarantine",
	[EV_ADMISSION] = "admission",
};
static const char *const level_names[] = {
	[EV_INFO] = "info",
	[EV_WARNING] = "warning",
	[EV_CRITICAL] = "critical",
};
static const char *const action_names[] = {
	[EV_ALLOW] = "allow",
	[EV_ALERT] = "alert",
	[EV_DENY] = "deny",
	[EV_QUARANTINE_ACTION] = "quarantine",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Out-of-range values name themselves "unknown" rather than crash. */
const char *
event_type_name(enum event_type t)
{
	return (unsigned)t < NELEM(type_names) ? type_names[t] : "unknown";
}

/* The index of s in names (n of them), or -1. */
static int
name_index(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
event_type_parse(const char *s, enum event_type *t)
{
	int i = name_index(type_names, NELEM(type_names), s);

	if (i >= 0)
		*t = (enum event_type)i;
	return i < 0 ? -1 : 0;
}

const char *
event_level_name(enum event_level l)
{
	return (unsigned)l < NELEM(level_names) ? level_names[l] : "unknown";
}

int
event_level_parse(const char *s, enum event_level *l)
{
	int i = name_index(level_names, NELEM(level_names), s);

	if (i >= 0)
		*l = (enum event_level)i;
	return i < 0 ? -1 : 0;
}

enum event_level
event_level_of(const char *s)
{
	enum event_level l = EV_INFO;

	event_level_parse(s, &l);
	return l;
}

const char *
event_action_name(enum event_action a)
{
	return (unsigned)a < NELEM(action_names) ? action_names[a] : "unknown";
}

const char *
conv_verdict_name(enum conv_verdict v)
{
	static const char *const names[] = {
		[CONV_ALLOW] = "allow", [CONV_ALERT] = "alert", [CONV_DENY] = "deny",
	};

	return (unsigned)v < NELEM(names) ? names[v] : "unknown";
}

/* --- ring ------------------------------------------------------------ */

int
event_ring_init(struct event_ring *r, int wake_fd)
{
	memset(r, 0, sizeof(*r));
	r->wake_fd = wake_fd;
	r->slots = calloc(EVENT_RING_SIZE, sizeof(*r->slots));
	return r->slots ? 0 : -1;
}

void
event_ring_destroy(struct event_ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

struct record *
event_ring_reserve(struct event_ring *r, enum record_type type)
{
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	uint64_t room = type == REC_EVENT ? EVENT_RING_SIZE :
	    EVENT_RING_SIZE - EVENT_RING_FOR_EVENTS;

	if (head - tail >= room) {
		/* relaxed: only a counter, read by the writer for its log */
		__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	return &r->slots[head & RING_MASK];
}

/*
 * One wake-up per fill, not per record: the writer is woken when the
 * ring reaches half full and otherwise finds the records on its 100 ms
 * timer.  Between two commits the fill grows by one at most, so it
 * passes exactly through half on its way up.
 */
void
event_ring_commit(struct event_ring *r)
{
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED) + 1;
	uint64_t tail;

	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	if (r->wake_fd < 0)
		return;
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (head - tail == EVENT_RING_SIZE / 2) {
		uint64_t one = 1;
		ssize_t n;

		n = write(r->wake_fd, &one, sizeof(one));	/* EAGAIN: already awake */
		(void)n;
	}
}

unsigned
event_ring_pop(struct event_ring *r, struct record *out, unsigned max)
{
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint64_t avail = head - tail;
	unsigned n = avail < max ? (unsigned)avail : max;
	unsigned first, at = (unsigned)(tail & RING_MASK);

	if (n == 0)
		return 0;
	/* at most two runs: up to the end of slots, then from its start */
	first = EVENT_RING_SIZE - at < n ? EVENT_RING_SIZE - at : n;
	memcpy(out, &r->slots[at], first * sizeof(*out));
	if (n > first)
		memcpy(out + first, r->slots, (n - first) * sizeof(*out));
	__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}

int
event_addr_known(int family, const uint8_t *a)
{
	static const uint8_t zero[16];

	if (family == AF_INET)
		return memcmp(a, zero, 4) != 0;
	return family == AF_INET6 && memcmp(a, zero, 16) != 0;
}

void
event_set_addrs(struct event_rec *ev, int family, const uint8_t *src, uint16_t sport,
    const uint8_t *dst, uint16_t dport, uint8_t proto)
{
	size_t alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	memset(ev->src, 0, sizeof(ev->src));
	memset(ev->dst, 0, sizeof(ev->dst));
	ev->family = alen ? family : 0;
	if (alen) {
		memcpy(ev->src, src, alen);
		memcpy(ev->dst, dst, alen);
	}
	ev->src_port = sport;
	ev->dst_port = dport;
	ev->proto = proto;
}

/* --- times ----------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil); independent of TZ. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
event_time_format(int64_t ms, char *out, size_t outlen)
{
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	time_t t = (time_t)s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		snprintf(out, outlen, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - s * 1000));
}

/* n digits at *p as a number; advances *p.  -1 if they are not digits. */
static int
digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* RFC 3339 section 5.6 date-time; returns 0 with *ms or -1. */
static int
parse_rfc3339(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, off = 0;
	const char *p = s;

	if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 0 ||
	    *p++ != '-' || (d = digits(&p, 2)) < 0)
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if ((h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0 ||
	    *p++ != ':' || (sec = digits(&p, 2)) < 0)
		return -1;
	if (*p == '.') {
		int scale = 100;

		if (*++p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;	/* past milliseconds: cut */
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if ((oh = digits(&p, 2)) < 0 || *p++ != ':' || (om = digits(&p, 2)) < 0 ||
		    oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om) * 60;
	} else
		return -1;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	*ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
	    sec - off) * 1000) + frac;
	return 0;
}

/* "90s", "10m", "2h", "1d": up to 100 years. */
static int
parse_age(const char *s, int64_t *ms)
{
	int64_t v = 0, unit;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 100LL * 366 * 86400)
			return -1;
	}
	if (p == s || *p == '\0' || p[1] != '\0')
		return -1;
	switch (*p) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (v * unit > 100LL * 366 * 86400)
		return -1;
	*ms = v * unit * 1000;
	return 0;
}

int
event_since_parse(const char *s, int64_t now_ms, int64_t *ms, char *err, size_t errlen)
{
	int64_t age;

	if (parse_rfc3339(s, ms) == 0)
		return 0;
	if (parse_age(s, &age) == 0) {
		*ms = now_ms - age;
		return 0;
	}
	snprintf(err, errlen, "bad time '%.64s' (expected an RFC 3339 time such as "
	    "2026-11-28T17:00:00Z, or an age such as 90s, 10m, 2h or 1d)", s);
	return -1;
}
