/*
 * threat_flood.c: TCP.SYN.Flood, ICMP.Flood and Source.IP.Session.Limit
 * (threat.h).
 *
 * A flood meter (meter.h) counts, per interval, SYNs (a) and completed
 * handshakes (b) to one destination from everyone (the shared table) and
 * from each source (this worker's), and echo requests the same way (b
 * 0).  A meter on is one event per interval with the count.  With action
 * deny in protect mode, a source whose own meter is on has its SYNs or
 * requests to that destination dropped; while the destination's meter is
 * on, so has any source with more than THREAT_FLOOD_SOURCE of them in the
 * interval that did not complete (a client's SYN and its retransmissions
 * are three in five seconds, a flooder's far more; forged sources that
 * send one each pass, and are the server's SYN cookies' to answer).  No
 * reset is ever sent: a flood's sources may be forged.
 *
 * Sessions: the connections nvd follows from each source to each
 * destination, counted from their first packet until they end or the
 * kernel takes them (bypassed); one past the limit is reported, and with
 * deny its packet dropped and the connection not counted.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "packet/threat_detect.h"

#define SESSION_PROBE	16

struct threat_session {
	uint64_t key;
	uint32_t count;		/* 0: the slot is free */
};

/* A meter's key: the detector and the addresses (the source's too, or not). */
static uint64_t
flood_key(int id, int family, const uint8_t *src, const uint8_t *dst, int alen)
{
	uint8_t b[34];

	b[0] = (uint8_t)id;
	b[1] = (uint8_t)family;
	memcpy(b + 2, dst, (size_t)alen);
	if (src)
		memcpy(b + 2 + alen, src, (size_t)alen);
	return meter_key(0x7468726561740000ull, b, 2 + (size_t)alen * (src ? 2 : 1));
}

/* The events of an addition to a meter: it turned on, or an interval ended with it on. */
static void
report(struct threat_env *e, const struct packet *p, int id, int deny, int per_source,
    const struct meter_result *r)
{
	const struct threat_conf *c = threat_conf(e, id);
	uint32_t count = r->fired ? r->a : r->prev_a, value = r->fired ? r->value : r->prev_value;

	if (!r->fired && !(r->rolled && r->still))
		return;
	if (id == THREAT_SYN_FLOOD)
		threat_fire_flood(e, p, id, deny, !per_source, count, "%u SYNs in %s%llds %s, %u of them without "
		    "a handshake (threshold %lld)", count, r->fired ? "under " : "",
		    (long long)c->param[1], per_source ? "from this source" : "from all sources",
		    value, (long long)c->param[0]);
	else
		threat_fire_flood(e, p, id, deny, !per_source, count, "%u echo requests in %s%llds %s "
		    "(threshold %lld)", count, r->fired ? "under " : "", (long long)c->param[1],
		    per_source ? "from this source" : "from all sources", (long long)c->param[0]);
}

/*
 * da packets (SYNs, echo requests) or db handshakes from client to server
 * into the meters of detector id; p names the ends.  Returns whether p is
 * to be dropped.
 */
static int
meter(struct threat_env *e, const struct flow *f, const struct packet *p, int id, uint32_t da,
    uint32_t db)
{
	const struct threat_conf *c = threat_conf(e, id);
	int cl = f->client, alen = f->key.family == AF_INET ? 4 : 16;
	uint32_t ival = (uint32_t)(e->now / ((uint64_t)c->param[1] * 1000));
	uint32_t thr = (uint32_t)c->param[0], rel = (uint32_t)c->param[2];
	int deny = !!(f->thr_deny & THREAT_BIT(id)), have_d, have_s;
	struct meter_result rd, rs;

	have_d = e->dst && meter_add(e->dst, flood_key(id, f->key.family, NULL, f->key.addr[!cl],
	    alen), ival, da, db, thr, rel, &rd) == 0;
	have_s = meter_add(&e->src, flood_key(id, f->key.family, f->key.addr[cl],
	    f->key.addr[!cl], alen), ival, da, db, thr, rel, &rs) == 0;
	if (!have_d || !have_s)
		e->st.meters_full++;
	if (have_s)
		report(e, p, id, deny, 1, &rs);
	/* The destination's, unless this source's own says it all. */
	if (have_d && !(have_s && rs.on))
		report(e, p, id, deny, 0, &rd);
	if (!deny || da == 0)
		return 0;
	return (have_s && rs.on) ||
	    (have_d && rd.on && (!have_s || rs.value > THREAT_FLOOD_SOURCE));
}

/* --- sessions ----------------------------------------------------------- */

int
threat_sessions_init(struct threat_env *e)
{
	e->sessions = calloc(THREAT_SESSIONS, sizeof(*e->sessions));
	return e->sessions ? 0 : -1;
}

static uint64_t
session_key(const struct flow *f)
{
	int alen = f->key.family == AF_INET ? 4 : 16;

	return flood_key(THREAT_SESSION_LIMIT, f->key.family, f->key.addr[f->client],
	    f->key.addr[!f->client], alen);
}

/* key's count, or a free slot for it (claim: take it); NULL when none. */
static struct threat_session *
session_slot(struct threat_env *e, uint64_t key, int claim)
{
	struct threat_session *free_slot = NULL;

	for (uint32_t i = 0; i < SESSION_PROBE; i++) {
		struct threat_session *s = &e->sessions[(key + i) & (THREAT_SESSIONS - 1)];

		if (s->count && s->key == key)
			return s;
		if (s->count == 0 && free_slot == NULL)
			free_slot = s;
	}
	if (free_slot && claim) {
		free_slot->key = key;
		return free_slot;
	}
	return NULL;
}

static void
session_start(struct threat_env *e, struct flow *f, const struct packet *p)
{
	const struct threat_conf *c = threat_conf(e, THREAT_SESSION_LIMIT);
	struct threat_session *s = session_slot(e, session_key(f), 1);

	if (s == NULL) {
		e->st.sessions_full++;
		return;
	}
	if ((int64_t)s->count >= c->param[0] &&
	    threat_fire(e, f, p, THREAT_SESSION_LIMIT, f->thr_deny, "%u sessions open from this "
	    "source (limit %lld)", s->count + 1, (long long)c->param[0]))
		return;		/* dropped: not open */
	s->count++;
	f->thr_flags |= THRF_COUNTED;
}

void
threat_session_end(struct threat_env *e, struct flow *f)
{
	struct threat_session *s;

	if (!(f->thr_flags & THRF_COUNTED))
		return;
	f->thr_flags &= (uint8_t)~THRF_COUNTED;
	if ((s = session_slot(e, session_key(f), 0)) != NULL)
		s->count--;
}

/* --- the packet ---------------------------------------------------------- */

static int
echo_request(const struct packet *p)
{
	return (p->proto == IPPROTO_ICMP && p->icmp_type == 8) ||
	    (p->proto == IPPROTO_ICMPV6 && p->icmp_type == 128);
}

void
threat_flood_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p)
{
	int id = -1;

	if (dir == DIR_TO_SERVER && p->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
		id = THREAT_SYN_FLOOD;
	else if (dir == DIR_TO_SERVER && echo_request(p))
		id = THREAT_ICMP_FLOOD;
	if (id >= 0 && (f->thr_on & THREAT_BIT(id)) && meter(e, f, p, id, 1, 0)) {
		e->drop = 1;
		e->st.dropped[id]++;
		return;
	}
	if ((f->thr_on & THREAT_BIT(THREAT_SESSION_LIMIT)) && !(f->thr_flags & THRF_COUNTED) &&
	    (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	    f->pkts[0] + f->pkts[1] == 1)
		session_start(e, f, p);
}

void
threat_flood_established(struct threat_env *e, struct flow *f, const struct packet *p)
{
	if (f->thr_on & THREAT_BIT(THREAT_SYN_FLOOD))
		meter(e, f, p, THREAT_SYN_FLOOD, 0, 1);
}
