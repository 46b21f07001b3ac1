/*
 * threat_tcp.c: the TCP detectors (threat.h): Invalid.Packet.Format (flag
 * combinations and options), TCP.SACK.DDoS.With.Small.MSS,
 * TCP.SYN.With.Data, TCP.Split.Handshake, TCP.Small.Window and
 * TCP.No.Client.Data (a queue of the connections to look at again).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet/threat_detect.h"

#define TCP_ECE	0x40
#define TCP_CWR	0x80

struct threat_watch {
	struct flow *f;			/* flows are never freed, only reused: */
	uint64_t first_ms;		/* ... this tells whether it is still the one */
	uint32_t hash;
	uint64_t since, due;
};

/*
 * The flag combinations a TCP segment may carry, PSH, ECE and CWR aside
 * (conntrack's tcp_valid_flags): anything else is a scan or an evasion.
 */
static int
flags_valid(uint8_t fl)
{
	switch (fl & (uint8_t)~(TCP_PSH | TCP_ECE | TCP_CWR)) {
	case TCP_SYN:
	case TCP_SYN | TCP_URG:
	case TCP_SYN | TCP_ACK:
	case TCP_RST:
	case TCP_RST | TCP_ACK:
	case TCP_FIN | TCP_ACK:
	case TCP_FIN | TCP_ACK | TCP_URG:
	case TCP_ACK:
	case TCP_ACK | TCP_URG:
		return 1;
	}
	return 0;
}

static void
flags_text(uint8_t fl, char *out, size_t n)
{
	static const char *const names[8] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE",
		"CWR" };
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < 8; i++)
		if (fl & (1u << i))
			o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s", o ? "|" : "",
			    names[i]);
	if (o == 0)
		snprintf(out, n, "none");
}

/*
 * The options of segment p (RFC 9293 section 3.2, RFC 7323, RFC 2018):
 * *mss its MSS (0: none); returns what is wrong with them, or NULL.
 */
static const char *
options(const struct packet *p, uint32_t *mss)
{
	size_t doff = (size_t)(p->l4[12] >> 4) * 4, len = doff - 20, i = 0;
	const uint8_t *o = p->l4 + 20;

	*mss = 0;
	while (i < len && o[i] != 0) {
		size_t olen;

		if (o[i] == 1) {
			i++;
			continue;
		}
		if (len - i < 2)
			return "an option cut by the end of the header";
		if ((olen = o[i + 1]) < 2 || olen > len - i)
			return "an option whose length runs past the header";
		switch (o[i]) {
		case 2:
			if (olen != 4)
				return "an MSS option not 4 bytes long";
			*mss = (uint32_t)o[i + 2] << 8 | o[i + 3];
			break;
		case 3:
			if (olen != 3)
				return "a window scale option not 3 bytes long";
			break;
		case 4:
			if (olen != 2)
				return "a SACK-permitted option not 2 bytes long";
			break;
		case 5:
			if (olen < 10 || (olen - 2) % 8 != 0)
				return "a SACK option of no whole block";
			break;
		case 8:
			if (olen != 10)
				return "a timestamps option not 10 bytes long";
			break;
		}
		i += olen;
	}
	return NULL;
}

void
threat_tcp_flags(struct threat_env *e, struct flow *f, const struct packet *p, uint32_t on,
    uint32_t deny)
{
	uint32_t mss;
	const char *bad;
	char fl[48];

	if (!(on & THREAT_BIT(THREAT_BAD_PACKET)) || p->l4 == NULL)
		return;
	if (!flags_valid(p->tcp_flags)) {
		flags_text(p->tcp_flags, fl, sizeof(fl));
		threat_fire(e, f, p, THREAT_BAD_PACKET, deny, "TCP flags %s", fl);
	} else if ((bad = options(p, &mss)) != NULL)
		threat_fire(e, f, p, THREAT_BAD_PACKET, deny, "TCP options: %s", bad);
}

/* The client's window, held small early in the connection (sockstress). */
static void
small_window(struct threat_env *e, struct flow *f, const struct packet *p)
{
	const struct threat_conf *c = threat_conf(e, THREAT_SMALL_WINDOW);
	const struct tcp_dir *td = &f->tcp[DIR_TO_SERVER];
	uint64_t win = (uint64_t)p->win << ((td->flags & TCPD_WSCALE) ? td->scale : 0);
	uint32_t now = (uint32_t)e->now | 1;

	if (win >= (uint64_t)c->param[0]) {
		f->thr_ms = 0;
		return;
	}
	if (f->thr_ms == 0) {
		f->thr_ms = now;
		return;
	}
	if ((uint32_t)(now - f->thr_ms) >= (uint64_t)c->param[1] * 1000)
		threat_fire(e, f, NULL, THREAT_SMALL_WINDOW, f->thr_deny, "the client's window %llu "
		    "bytes (below %lld) for %us, after %llu bytes from it and %llu to it",
		    (unsigned long long)win, (long long)c->param[0], (now - f->thr_ms) / 1000,
		    (unsigned long long)f->bytes[DIR_TO_SERVER],
		    (unsigned long long)f->bytes[DIR_TO_CLIENT]);
}

void
threat_tcp_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p)
{
	uint32_t on = f->thr_on, mss;
	int syn = (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;

	if (dir == DIR_TO_SERVER && p->payload_len > 0 && !(p->tcp_flags & TCP_SYN))
		f->thr_flags |= THRF_CLIENT_DATA;
	threat_tcp_flags(e, f, p, on, f->thr_deny);
	if (syn && dir == DIR_TO_SERVER) {
		if ((on & THREAT_BIT(THREAT_SMALL_MSS)) && options(p, &mss) == NULL && mss != 0 &&
		    mss < (uint64_t)threat_conf(e, THREAT_SMALL_MSS)->param[0])
			threat_fire(e, f, p, THREAT_SMALL_MSS, f->thr_deny, "a SYN with MSS %u (below "
			    "%lld)", mss, (long long)threat_conf(e, THREAT_SMALL_MSS)->param[0]);
		if ((on & THREAT_BIT(THREAT_SYN_DATA)) && p->payload_len > 0)
			threat_fire(e, f, p, THREAT_SYN_DATA, f->thr_deny, "a SYN with %zu bytes of "
			    "data", p->payload_len);
	}
	if (syn && dir == DIR_TO_CLIENT && (on & THREAT_BIT(THREAT_SPLIT_HANDSHAKE)) &&
	    (f->tcp[DIR_TO_SERVER].flags & TCPD_SYN))
		threat_fire(e, f, p, THREAT_SPLIT_HANDSHAKE, f->thr_deny, "the server answered the "
		    "client's SYN with a SYN of its own");
	if ((on & THREAT_BIT(THREAT_SMALL_WINDOW)) && dir == DIR_TO_SERVER &&
	    !(p->tcp_flags & (TCP_SYN | TCP_RST | TCP_FIN)) &&
	    f->bytes[DIR_TO_SERVER] < THREAT_WINDOW_CLIENT_MAX &&
	    f->bytes[DIR_TO_CLIENT] < THREAT_WINDOW_SERVER_MAX)
		small_window(e, f, p);
}

/* --- TCP.No.Client.Data ------------------------------------------------- */

int
threat_watch_init(struct threat_env *e)
{
	e->watch = calloc(THREAT_WATCH, sizeof(*e->watch));
	return e->watch ? 0 : -1;
}

void
threat_watch_add(struct threat_env *e, struct flow *f)
{
	struct threat_watch *w;

	if (f->thr_flags & THRF_WATCHED)
		return;
	if (e->watch_len == THREAT_WATCH) {
		e->st.watch_full++;
		return;
	}
	w = &e->watch[(e->watch_head + e->watch_len++) % THREAT_WATCH];
	w->f = f;
	w->first_ms = f->first_ms;
	w->hash = f->hash;
	w->since = e->now;
	w->due = e->now + (uint64_t)threat_conf(e, THREAT_NO_CLIENT_DATA)->param[0] * 1000;
	f->thr_flags |= THRF_WATCHED;
}

/* The connections whose time came (the queue is in order of it). */
void
threat_watch_tick(struct threat_env *e)
{
	while (e->watch_len > 0 && e->watch[e->watch_head].due <= e->now) {
		struct threat_watch *w = &e->watch[e->watch_head];
		struct flow *f = w->f;

		e->watch_head = (e->watch_head + 1) % THREAT_WATCH;
		e->watch_len--;
		if (!(f->thr_flags & THRF_WATCHED) || f->first_ms != w->first_ms ||
		    f->hash != w->hash)
			continue;	/* it ended; the flow is another one now */
		f->thr_flags &= (uint8_t)~THRF_WATCHED;
		if (!(f->thr_flags & THRF_CLIENT_DATA) && f->tcp_state == TCPS_ESTABLISHED &&
		    (f->thr_on & THREAT_BIT(THREAT_NO_CLIENT_DATA)))
			threat_fire(e, f, NULL, THREAT_NO_CLIENT_DATA, f->thr_deny, "no byte from "
			    "the client in the %llus since the handshake",
			    (unsigned long long)(e->now - w->since) / 1000);
	}
}
