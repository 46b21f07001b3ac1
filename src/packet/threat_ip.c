/*
 * threat_ip.c: Ping.Death, ICMP.Tunneling and IP.Fragment.Teardrop
 * (threat.h).
 *
 * An echo flow (one identifier) remembers its last request's sequence
 * number and a hash of its data; a reply with that number and other data
 * is one unlike its request (a host answers an echo with the same data,
 * RFC 792, RFC 4443 section 4.2), and replies unlike their requests in a
 * row are a tunnel.
 *
 * Fragments reach nvd only where conntrack does not reassemble them
 * first (nf_defrag): a small table of the datagrams being fragmented
 * keeps the ranges each fragment covered; one that overlaps a range seen
 * is a teardrop (the kernel drops such datagrams whole since Linux 4.19).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "packet/threat_detect.h"

#define FRAG_RANGES	8
#define FRAG_PROBE	8
#define FRAG_MS		30000	/* a datagram's fragments are followed this long */

struct threat_frag {
	uint64_t key;
	uint64_t seen_ms;
	uint8_t n;
	struct {
		uint32_t lo, hi;
	} r[FRAG_RANGES];
};

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
data_hash(const uint8_t *b, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h | 1;
}

void
threat_icmp_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p)
{
	int v6 = p->proto == IPPROTO_ICMPV6;
	int request = p->icmp_type == (v6 ? 128 : 8), reply = p->icmp_type == (v6 ? 129 : 0);
	const struct threat_conf *c;
	uint16_t seq;

	if ((f->thr_on & THREAT_BIT(THREAT_PING_DEATH)) && request &&
	    p->payload_len > (size_t)threat_conf(e, THREAT_PING_DEATH)->param[0])
		threat_fire(e, f, p, THREAT_PING_DEATH, f->thr_deny, "an echo request with %zu bytes "
		    "of data (above %lld)", p->payload_len,
		    (long long)threat_conf(e, THREAT_PING_DEATH)->param[0]);
	if (!(f->thr_on & THREAT_BIT(THREAT_ICMP_TUNNEL)) || p->l4 == NULL || !(request || reply))
		return;
	seq = rd16(p->l4 + 6);
	if (request && dir == DIR_TO_SERVER) {
		f->thr_seq = seq;
		f->thr_hash = data_hash(p->payload, p->payload_len);
		return;
	}
	if (!reply || dir != DIR_TO_CLIENT || f->thr_hash == 0 || seq != f->thr_seq)
		return;
	if (data_hash(p->payload, p->payload_len) == f->thr_hash)
		f->thr_n = 0;
	else if (f->thr_n < 255)
		f->thr_n++;
	f->thr_hash = 0;
	c = threat_conf(e, THREAT_ICMP_TUNNEL);
	if (f->thr_n >= c->param[0]) {
		char ex[80];

		threat_excerpt(ex, sizeof(ex), p->payload, p->payload_len < 40 ? p->payload_len : 40);
		threat_fire(e, f, p, THREAT_ICMP_TUNNEL, f->thr_deny, "%u echo replies in a row "
		    "unlike their requests; this one's data: %s", f->thr_n, ex);
	}
}

int
threat_frags_init(struct threat_env *e)
{
	e->frags = calloc(THREAT_FRAGS, sizeof(*e->frags));
	return e->frags ? 0 : -1;
}

/* The datagram's entry: found, or a free one (else the oldest of its probe) made its. */
static struct threat_frag *
frag_entry(struct threat_env *e, uint64_t key)
{
	struct threat_frag *victim = NULL;
	int victim_live = 0;

	for (uint32_t i = 0; i < FRAG_PROBE; i++) {
		struct threat_frag *fr = &e->frags[(key + i) % THREAT_FRAGS];
		int live = fr->key != 0 && e->now - fr->seen_ms <= FRAG_MS;

		if (live && fr->key == key)
			return fr;
		if (!live && (victim == NULL || victim_live)) {
			victim = fr;
			victim_live = 0;
		} else if (live && (victim == NULL || (victim_live && fr->seen_ms < victim->seen_ms))) {
			victim = fr;
			victim_live = 1;
		}
	}
	if (victim_live)
		e->st.frags_full++;
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}

void
threat_fragment(struct threat_env *e, const struct packet *p, uint32_t on, uint32_t deny)
{
	uint8_t k[40];
	uint32_t lo = p->frag_off, hi = lo + (uint32_t)p->payload_len;
	struct threat_frag *fr;

	if (!(on & THREAT_BIT(THREAT_TEARDROP)))
		return;
	memcpy(k, p->src, p->addr_len);
	memcpy(k + p->addr_len, p->dst, p->addr_len);
	memcpy(k + 2 * p->addr_len, &p->frag_id, 4);
	k[2 * p->addr_len + 4] = p->proto;
	fr = frag_entry(e, meter_key(0x66726167, k, 2 * (size_t)p->addr_len + 5));
	fr->seen_ms = e->now;
	for (int i = 0; i < fr->n; i++)
		if (lo < fr->r[i].hi && fr->r[i].lo < hi) {
			threat_fire(e, NULL, p, THREAT_TEARDROP, deny, "a fragment of bytes %u-%u "
			    "overlaps one of bytes %u-%u (id %u)", lo, hi, fr->r[i].lo, fr->r[i].hi,
			    p->frag_id);
			return;
		}
	if (fr->n < FRAG_RANGES) {
		fr->r[fr->n].lo = lo;
		fr->r[fr->n++].hi = hi;
	}
}
