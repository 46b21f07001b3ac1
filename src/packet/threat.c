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

#include "packet/threat.h"
#include "packet/threat_stream.h"

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

static struct threat_set builtin;	/* before any policy: never read for a detection */

int
threat_init(struct threat_env *e, struct meter_table *shared)
{
	memset(e, 0, sizeof(*e));
	threat_set_default(&builtin);
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

const struct threat_conf *
threat_conf(const struct threat_env *e, int id)
{
	return e->set ? &e->set->t[id] : &builtin.t[id];
}

void
threat_excerpt(char *out, size_t cap, const uint8_t *b, size_t n)
{
	size_t show = n < 64 ? n : 64, digits = 0, seen = 0, o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < show; i++)
		digits += b[i] >= '0' && b[i] <= '9';
	for (size_t i = 0; i < show && o + 1 < cap; i++) {
		uint8_t c = b[i];

		if (c >= '0' && c <= '9')
			c = seen++ + 4 < digits ? '*' : c;
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		out[o++] = (char)c;
	}
	if (show < n && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int
threat_fire(struct threat_env *e, struct flow *f, const struct packet *p, int id,
    uint32_t deny_mask, const char *fmt, ...)
{
	uint32_t bit = THREAT_BIT(id);
	int deny = !!(deny_mask & bit);
	struct threat_hit h;
	va_list ap;

	if (deny) {
		e->st.dropped[id]++;
		if (p != NULL)
			e->drop = 1;		/* this packet */
		else if (f != NULL)
			f->deny_pending = 1;	/* the connection, once its bytes are processed */
	}
	if (f && (f->thr_told & bit))
		return deny;	/* said once for the flow */
	if (f)
		f->thr_told |= bit;
	e->st.detected[id]++;
	memset(&h, 0, sizeof(h));
	h.id = id;
	h.deny = deny;
	va_start(ap, fmt);
	vsnprintf(h.evidence, sizeof(h.evidence), fmt, ap);
	va_end(ap);
	if (e->hit)
		e->hit(e->ctx, f, p, &h);
	return deny;
}

void
threat_fire_flood(struct threat_env *e, const struct packet *p, int id, int deny, uint32_t count,
    const char *fmt, ...)
{
	struct threat_hit h;
	va_list ap;

	e->st.detected[id]++;
	memset(&h, 0, sizeof(h));
	h.id = id;
	h.deny = deny;
	h.flood = 1;
	h.count = count;
	va_start(ap, fmt);
	vsnprintf(h.evidence, sizeof(h.evidence), fmt, ap);
	va_end(ap);
	if (e->hit)
		e->hit(e->ctx, NULL, p, &h);
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

struct threat_flow *
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

void
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

/* f's streams cannot be read (d): in doubt for the detectors that would drop it. */
static void
stream_doubt(struct threat_env *e, struct flow *f, enum doubt d)
{
	uint32_t bits = stream_threats(f->app);

	f->thr_flags |= THRF_NO_STATE;
	threat_flow_free(e, f);
	if (e->doubt)
		e->doubt(e->ctx, f, d, (f->thr_deny & bits) != 0);
}

/* SSH: a banner "SSH-1.x-" but for 1.99 (RFC 4253 section 5.1: both). */
static void
ssh_banner(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	struct threat_flow *t = f->thr;

	if (t->ssh_seen & (1u << dir) || n < 8)
		return;
	t->ssh_seen |= (uint8_t)(1u << dir);
	if (memcmp(b, "SSH-1.", 6) == 0 && memcmp(b, "SSH-1.99", 8) != 0) {
		size_t show = n < 40 ? n : 40;
		const uint8_t *cr = memchr(b, '\r', show);
		char ex[80];

		threat_excerpt(ex, sizeof(ex), b, cr ? (size_t)(cr - b) : show);
		threat_fire(e, f, NULL, THREAT_SSH_V1, f->thr_deny, "%s speaks SSH 1 only: %s",
		    dir == DIR_TO_SERVER ? "the client" : "the server", ex);
	}
}

/* New bytes of direction dir for the detectors of f's application. */
static void
feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	struct threat_flow *t = f->thr;

	switch (t->app) {
	case APP_TLS:
		threat_tls_feed(e, f, dir, b, n);
		if (f->thr && tls_scan_done(&f->thr->u.tls)) {
			threat_flow_free(e, f);
			f->thr_flags |= THRF_STREAM_DONE;
		}
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
		if (t->ssh_seen == 3) {
			threat_flow_free(e, f);
			f->thr_flags |= THRF_STREAM_DONE;
		}
		break;
	}
}

void
threat_app(struct threat_env *e, struct flow *f, const struct app_input *in)
{
	struct threat_flow *t;

	if (f->thr || f->key.proto != IPPROTO_TCP || !(f->thr_on & stream_threats(f->app)) ||
	    (f->thr_flags & (THRF_NO_STATE | THRF_STREAM_DONE)))
		return;
	if ((t = threat_flow_new(e, f)) == NULL) {
		e->st.no_state++;
		stream_doubt(e, f, DOUBT_INSPECT_STATE);
		return;
	}
	t->app = f->app;
	if (t->app == APP_TLS)
		tls_scan_init(&t->u.tls);
	else if (t->app == APP_HTTP && threat_http_start(e, t) < 0) {
		e->st.no_state++;
		stream_doubt(e, f, DOUBT_INSPECT_STATE);
		return;
	}
	for (int d = 0; d < 2 && f->thr; d++) {
		if (in->len[d] == 0)
			continue;
		feed(e, f, d, in->data[d], in->len[d]);
		if (f->thr)
			f->thr->seen[d] = in->len[d];
	}
}

void
threat_data(struct threat_env *e, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len)
{
	struct threat_flow *t = f->thr;
	uint64_t skip;

	if (t == NULL || offset + len <= t->seen[dir])
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
		stream_doubt(e, f, DOUBT_GAP);
}

/* --- the flow's life ---------------------------------------------------- */

int
threat_wants(const struct flow *f)
{
	uint32_t on = f->thr_on;

	if (f->thr)
		return 1;
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
