/*
 * threat.c: the threat stage (threat.h): its state, the events, and what
 * goes to which detector.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet/reasm.h"
#include "packet/threat.h"
#include "packet/threat_detect.h"

/* The detectors that read each application's stream. */
#define HTTP_THREATS	(THREAT_BIT(THREAT_HTTP_NEG_LEN) | THREAT_BIT(THREAT_HTTP_SMUGGLING) | \
	THREAT_BIT(THREAT_SLOWLORIS) | THREAT_BIT(THREAT_STRUTS))
#define TLS_THREATS	(THREAT_BIT(THREAT_HEARTBLEED) | THREAT_BIT(THREAT_SSL_V2V3) | \
	THREAT_BIT(THREAT_TLS10) | THREAT_BIT(THREAT_TLS11))
#define ICMP_THREATS	(THREAT_BIT(THREAT_ICMP_FLOOD) | THREAT_BIT(THREAT_PING_DEATH) | \
	THREAT_BIT(THREAT_ICMP_TUNNEL))

static uint32_t
stream_threats(int app)
{
	switch (app) {
	case APP_HTTP:
		return HTTP_THREATS;
	case APP_TLS:
		return TLS_THREATS;
	case APP_SSH:
		return THREAT_BIT(THREAT_SSH_V1);
	case APP_POSTGRESQL:
	case APP_MYSQL:
		return THREAT_BIT(THREAT_SQL_INJECTION);
	}
	return 0;
}

int
threat_init(struct threat_env *e, struct meter_table *shared)
{
	memset(e, 0, sizeof(*e));
	e->dst = shared && shared->slot ? shared : NULL;
	if (meter_table_init(&e->src, THREAT_SRC_METERS) < 0 ||
	    quota_init(&e->quota, THREAT_FLOWS_MAX, THREAT_CLIENT_SHARE) < 0 ||
	    threat_sessions_init(e) < 0 || threat_watch_init(e) < 0 ||
	    threat_domains_init(e) < 0 || threat_frags_init(e) < 0) {
		threat_destroy(e);
		return -1;
	}
	return 0;
}

void
threat_destroy(struct threat_env *e)
{
	meter_table_destroy(&e->src);
	quota_destroy(&e->quota);
	free(e->sessions);
	free(e->watch);
	free(e->domains);
	free(e->frags);
	e->sessions = NULL;
	e->watch = NULL;
	e->domains = NULL;
	e->frags = NULL;
}

void
threat_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p)
{
	if (f->thr_on == 0)
		return;
	threat_flood_packet(e, f, dir, p);
	if (p->proto == IPPROTO_TCP)
		threat_tcp_packet(e, f, dir, p);
	else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6)
		threat_icmp_packet(e, f, dir, p);
}

void
threat_established(struct threat_env *e, struct flow *f, const struct packet *p)
{
	if (f->thr_on == 0)
		return;
	threat_flood_established(e, f, p);
	if ((f->thr_on & THREAT_BIT(THREAT_NO_CLIENT_DATA)) && !(f->thr_flags & THRF_CLIENT_DATA))
		threat_watch_add(e, f);
}

void
threat_orphan(struct threat_env *e, const struct packet *p, enum decode_anomaly a, uint32_t on,
    uint32_t deny)
{
	if (on == 0)
		return;
	if (a == ANOM_FRAGMENT)
		threat_fragment(e, p, on, deny);
	else if (a != ANOM_NONE && (on & THREAT_BIT(THREAT_BAD_PACKET)))
		threat_fire(e, NULL, p, THREAT_BAD_PACKET, deny, "%s", decode_anomaly_name(a));
	else if (a == ANOM_NONE && p->proto == IPPROTO_TCP)
		threat_tcp_flags(e, NULL, p, on, deny);
}

/* --- streams ------------------------------------------------------------- */

static struct threat_flow *
threat_flow_new(struct threat_env *e, struct flow *f)
{
	struct threat_flow *t;

	if (e->nflows >= THREAT_FLOWS_MAX || quota_take(&e->quota, f->key.addr[f->client]) < 0)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		quota_give(&e->quota, f->key.addr[f->client]);
		return NULL;
	}
	e->nflows++;
	e->st.flows++;
	f->thr = t;
	return t;
}

static void
threat_flow_free(struct threat_env *e, struct flow *f)
{
	if (f->thr == NULL)
		return;
	if (f->thr->app == APP_HTTP)
		threat_http_stop(e, f->thr);
	free(f->thr);
	f->thr = NULL;
	e->nflows--;
	quota_give(&e->quota, f->key.addr[f->client]);
}

/* f's streams cannot be read (d): in doubt for the detectors of app that would drop it. */
static void
stream_doubt(struct threat_env *e, struct flow *f, enum doubt d, int app)
{
	uint32_t bits = stream_threats(app);

	f->thr_flags |= THRF_NO_STATE;
	threat_flow_free(e, f);
	if (e->doubt)
		e->doubt(e->ctx, f, d, (f->thr_deny & bits) != 0);
}

/* An SSH 1 banner, n bytes at b, in direction dir. */
static void
ssh_v1(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	size_t show = n < 40 ? n : 40;
	const uint8_t *cr = memchr(b, '\r', show);
	char ex[80];

	threat_excerpt(ex, sizeof(ex), b, cr ? (size_t)(cr - b) : show);
	threat_fire(e, f, NULL, THREAT_SSH_V1, f->thr_deny, "%s speaks SSH 1 only: %s",
	    dir == DIR_TO_SERVER ? "the client" : "the server", ex);
}

/* SSH: a banner "SSH-1.x-" but for 1.99 (RFC 4253 section 5.1: both). */
static void
ssh_banner(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	struct threat_flow *t = f->thr;

	if (t->ssh_seen & (1u << dir) || n < 8)
		return;
	t->ssh_seen |= (uint8_t)(1u << dir);
	if (memcmp(b, "SSH-1.", 6) == 0 && memcmp(b, "SSH-1.99", 8) != 0)
		ssh_v1(e, f, dir, b, n);
}

/* New bytes of direction dir for the detectors of f's application. */
static void
feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	struct threat_flow *t = f->thr;

	switch (t->app) {
	case APP_TLS:
		threat_tls_feed(e, f, dir, b, n);
		t->done |= tls_scan_done(&t->u.tls);
		break;
	case APP_HTTP:
		threat_http_feed(e, f, dir, b, n);
		break;
	case APP_POSTGRESQL:
	case APP_MYSQL:
		threat_sql_feed(e, f, dir, b, n);
		break;
	case APP_SSH:
		/* Where the banner is: the first bytes of a direction. */
		if (t->seen[dir] == 0)
			ssh_banner(e, f, dir, b, n);
		if (t->ssh_seen == 3)
			t->done = 1;
		break;
	}
	if (f->thr && f->thr->done) {
		threat_flow_free(e, f);
		f->thr_flags |= THRF_STREAM_DONE;
	}
}

/* Whether the n bytes at b begin an HTTP request line: a method, a blank. */
static int
request_line(const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && i < 12 && b[i] >= 'A' && b[i] <= 'Z')
		i++;
	return i >= 3 && i < n && b[i] == ' ';
}

/*
 * What no probe claims, on a connection whose application is unknown: an
 * SSL 2 or SSL 3.0 hello, an SSH 1 banner (the probes know TLS 1.0 and
 * later, SSH 2 and 1.99).
 */
static void
old_protocols(struct threat_env *e, struct flow *f, const struct app_input *in)
{
	if (f->thr_on & THREAT_BIT(THREAT_SSL_V2V3)) {
		struct tls_scan s;
		unsigned got;

		tls_scan_init(&s);
		got = tls_scan_feed(&s, DIR_TO_SERVER, in->data[0], in->len[0]);
		got |= tls_scan_feed(&s, DIR_TO_CLIENT, in->data[1], in->len[1]);
		if (got & (TLS_SSL2 | TLS_SSL3))
			threat_fire(e, f, NULL, THREAT_SSL_V2V3, f->thr_deny, "%s %s",
			    (got & TLS_SSL2) ? "SSL 2" : "SSL 3.0", s.agreed ? "agreed" :
			    "offered as the highest version");
	}
	for (int d = 0; d < 2 && (f->thr_on & THREAT_BIT(THREAT_SSH_V1)); d++)
		if (in->len[d] >= 8 && memcmp(in->data[d], "SSH-1.", 6) == 0 &&
		    memcmp(in->data[d], "SSH-1.99", 8) != 0)
			ssh_v1(e, f, d, in->data[d], in->len[d]);
}

void
threat_app(struct threat_env *e, struct flow *f, const struct app_input *in)
{
	struct threat_flow *t;
	int app = f->app;

	if (f->key.proto == IPPROTO_TCP && app == APP_UNKNOWN && f->thr_on) {
		old_protocols(e, f, in);
		/* A request the probe refused (a header line a lenient server
		 * takes) is followed all the same: or one bad line would hide
		 * every request after it. */
		if (request_line(in->data[DIR_TO_SERVER], in->len[DIR_TO_SERVER]))
			app = APP_HTTP;
	}
	if (f->thr || f->key.proto != IPPROTO_TCP || !(f->thr_on & stream_threats(app)) ||
	    (f->thr_flags & (THRF_NO_STATE | THRF_STREAM_DONE)))
		return;
	if ((t = threat_flow_new(e, f)) == NULL) {
		e->st.no_state++;
		stream_doubt(e, f, DOUBT_INSPECT_STATE, app);
		return;
	}
	t->app = (uint8_t)app;
	if (t->app == APP_TLS)
		tls_scan_init(&t->u.tls);
	else if (t->app == APP_HTTP && threat_http_start(e, t) < 0) {
		e->st.no_state++;
		stream_doubt(e, f, DOUBT_INSPECT_STATE, app);
		return;
	}
	if (t->app == APP_HTTP && f->thr_hash)	/* the head's clock ran before */
		t->u.http.head_ms = e->now - ((uint32_t)e->now - f->thr_hash);
	for (int d = 0; d < 2 && f->thr; d++) {
		if (in->len[d] == 0)
			continue;
		feed(e, f, d, in->data[d], in->len[d]);
		if (f->thr)
			f->thr->seen[d] = in->len[d];
	}
}

/*
 * A request head that does not end: the HTTP probe waits for its end
 * before it decides, so until then its clock runs from the client's first
 * byte (f->thr_hash, a TCP flow's own).
 */
static void
head_clock(struct threat_env *e, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len)
{
	const struct threat_conf *c = threat_conf(e, THREAT_SLOWLORIS);

	if (dir != DIR_TO_SERVER || f->app_state >= APPS_DONE || f->key.proto != IPPROTO_TCP ||
	    !(f->thr_on & THREAT_BIT(THREAT_SLOWLORIS)))
		return;
	if (offset == 0 && f->thr_hash == 0) {
		if (request_line(buf, len))
			f->thr_hash = (uint32_t)e->now | 1;
	} else if (f->thr_hash && (uint32_t)e->now - f->thr_hash >= (uint64_t)c->param[0] * 1000)
		threat_fire(e, f, NULL, THREAT_SLOWLORIS, f->thr_deny, "a request head still "
		    "incomplete %us after it began", ((uint32_t)e->now - f->thr_hash) / 1000);
}

void
threat_data(struct threat_env *e, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len)
{
	struct threat_flow *t = f->thr;
	uint64_t skip;

	if (t == NULL) {
		head_clock(e, f, dir, offset, buf, len);
		return;
	}
	if (offset + len <= t->seen[dir])
		return;
	skip = t->seen[dir] > offset ? t->seen[dir] - offset : 0;
	feed(e, f, dir, buf + skip, len - (size_t)skip);
	if (f->thr)
		f->thr->seen[dir] = offset + len;
}

void
threat_gap(struct threat_env *e, struct flow *f, int dir)
{
	(void)dir;
	if (f->thr)
		stream_doubt(e, f, DOUBT_GAP, f->thr->app);
}

/* --- the flow's life ---------------------------------------------------- */

int
threat_wants(const struct flow *f)
{
	uint32_t on = f->thr_on;

	/* A connection whose detections would only be reported (no end in
	 * protect mode, or action alert) goes to the kernel once either
	 * direction reached stream_depth: an HTTP download, a query's large
	 * result, are not kept in userspace for the requests that may
	 * follow; an HTTP one once its first request was read whole (a
	 * short connection costs no more queued packets than without
	 * detectors).  One whose detections drop is followed to the end. */
	if (f->thr)
		return (f->thr_deny & stream_threats(f->thr->app)) ||
		    (!reasm_is_done(&f->rs[0]) && !reasm_is_done(&f->rs[1]) &&
		    !(f->thr->app == APP_HTTP && threat_http_first_read(f->thr)));
	if (on == 0)
		return 0;
	if ((f->key.proto == IPPROTO_ICMP || f->key.proto == IPPROTO_ICMPV6) && (on & ICMP_THREATS))
		return 1;
	if (f->key.proto != IPPROTO_TCP || f->tcp_state >= TCPS_FIN_WAIT)
		return 0;
	if ((on & THREAT_BIT(THREAT_NO_CLIENT_DATA)) && !(f->thr_flags & THRF_CLIENT_DATA))
		return 1;
	return (on & THREAT_BIT(THREAT_SMALL_WINDOW)) &&
	    f->bytes[DIR_TO_SERVER] < THREAT_WINDOW_CLIENT_MAX &&
	    f->bytes[DIR_TO_CLIENT] < THREAT_WINDOW_SERVER_MAX;
}

void
threat_bypassed(struct threat_env *e, struct flow *f)
{
	threat_session_end(e, f);
	threat_flow_free(e, f);
}

void
threat_release(struct threat_env *e, struct flow *f)
{
	threat_session_end(e, f);
	threat_flow_free(e, f);
	f->thr_flags &= (uint8_t)~THRF_WATCHED;
}

void
threat_tick(struct threat_env *e, uint64_t now)
{
	e->now = now;
	threat_watch_tick(e);
}
