#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt.h"

static void
pkt_init(struct pkt *p, uint8_t proto, const char *src, uint16_t sport,
    const char *dst, uint16_t dport)
{
	memset(p, 0, sizeof(*p));
	p->family = strchr(src, ':') ? AF_INET6 : AF_INET;
	p->proto = proto;
	p->src = src;
	p->dst = dst;
	p->sport = sport;
	p->dport = dport;
	p->win = 65535;
}

void
pkt_tcp(struct pkt *p, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	pkt_init(p, IPPROTO_TCP, src, sport, dst, dport);
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
}

void
pkt_udp(struct pkt *p, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	pkt_init(p, IPPROTO_UDP, src, sport, dst, dport);
}

void
pkt_icmp(struct pkt *p, const char *src, const char *dst, uint8_t type, uint8_t code,
    uint16_t id)
{
	pkt_init(p, IPPROTO_ICMP, src, 0, dst, 0);
	if (p->family == AF_INET6)
		p->proto = IPPROTO_ICMPV6;
	p->icmp_type = type;
	p->icmp_code = code;
	p->icmp_id = id;
}

void
pkt_data(struct pkt *p, const void *data, size_t len)
{
	p->payload = data;
	p->payload_len = len;
}

void
pkt_str(struct pkt *p, const char *s)
{
	pkt_data(p, s, strlen(s));
}

int
pkt_ext(struct pkt *p, uint8_t type, size_t len)
{
	if (p->next == PKT_MAX_EXT || len > 2048)
		return -1;
	if (type == PKT_EXT_FRAG ? len != 8 :
	    type == PKT_EXT_AH ? len < 12 || len % 4 : len < 8 || len % 8)
		return -1;
	memset(&p->ext[p->next], 0, sizeof(p->ext[0]));
	p->ext[p->next].type = type;
	p->ext[p->next].len = (uint16_t)len;
	p->next++;
	return 0;
}

int
pkt_frag(struct pkt *p, uint16_t off8, int more)
{
	if (p->family == AF_INET) {
		p->ip_frag = (uint16_t)((off8 & 0x1fff) | (more ? PKT_IPV4_MF : 0));
		return 0;
	}
	if (pkt_ext(p, PKT_EXT_FRAG, 8) < 0)
		return -1;
	p->ext[p->next - 1].frag_off = off8;
	p->ext[p->next - 1].frag_more = more != 0;
	return 0;
}

static void
wr16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
wr32(uint8_t *b, uint32_t v)
{
	wr16(b, (uint16_t)(v >> 16));
	wr16(b + 2, (uint16_t)v);
}

static size_t
l4_hdr_len(const struct pkt *p)
{
	switch (p->proto) {
	case IPPROTO_TCP:
		return 20 + p->tcp_optlen;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

static void
write_l4(const struct pkt *p, uint8_t *b, size_t l4len)
{
	switch (p->proto) {
	case IPPROTO_TCP:
		wr16(b, p->sport);
		wr16(b + 2, p->dport);
		wr32(b + 4, p->seq);
		wr32(b + 8, p->ack);
		b[12] = (uint8_t)(((20 + p->tcp_optlen) / 4) << 4);
		b[13] = p->flags;
		wr16(b + 14, p->win);
		memset(b + 20, 1, p->tcp_optlen);	/* NOP */
		break;
	case IPPROTO_UDP:
		wr16(b, p->sport);
		wr16(b + 2, p->dport);
		wr16(b + 4, (uint16_t)l4len);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		b[0] = p->icmp_type;
		b[1] = p->icmp_code;
		wr16(b + 4, p->icmp_id);
		wr16(b + 6, p->icmp_seq);
		break;
	}
}

/* Writes the extension headers; returns the bytes written. */
static size_t
write_ext(const struct pkt *p, uint8_t *b)
{
	size_t off = 0;

	for (int i = 0; i < p->next; i++) {
		const struct pkt_ext *e = &p->ext[i];

		memset(b + off, 0, e->len);
		b[off] = i + 1 < p->next ? p->ext[i + 1].type : p->proto;
		if (e->type == PKT_EXT_FRAG) {
			wr16(b + off + 2, (uint16_t)(e->frag_off << 3 | e->frag_more));
			wr32(b + off + 4, 0x12345678);
		} else if (e->type == PKT_EXT_AH)
			b[off + 1] = (uint8_t)(e->len / 4 - 2);
		else
			b[off + 1] = (uint8_t)(e->len / 8 - 1);
		off += e->len;
	}
	return off;
}

size_t
pkt_build(struct pkt *p, uint8_t *buf, size_t cap)
{
	size_t iphl = p->family == AF_INET6 ? 40 : 20;
	size_t extlen = 0, l4len, tot;

	for (int i = 0; i < p->next; i++)
		extlen += p->ext[i].len;
	if (p->family == AF_INET && extlen)
		return 0;
	l4len = l4_hdr_len(p) + p->payload_len;
	tot = iphl + extlen + l4len;
	if (tot > cap || tot > 0xffff + (p->family == AF_INET6 ? 40u : 0u))
		return 0;
	memset(buf, 0, tot);
	if (p->family == AF_INET) {
		buf[0] = 0x45;
		wr16(buf + 2, (uint16_t)tot);
		wr16(buf + 4, 0x4242);
		wr16(buf + 6, p->ip_frag);
		buf[8] = 64;
		buf[9] = p->proto;
		if (inet_pton(AF_INET, p->src, buf + 12) != 1 ||
		    inet_pton(AF_INET, p->dst, buf + 16) != 1)
			return 0;
	} else {
		buf[0] = 0x60;
		wr16(buf + 4, (uint16_t)(tot - 40));
		buf[6] = p->next ? p->ext[0].type : p->proto;
		buf[7] = 64;
		if (inet_pton(AF_INET6, p->src, buf + 8) != 1 ||
		    inet_pton(AF_INET6, p->dst, buf + 24) != 1)
			return 0;
		write_ext(p, buf + 40);
	}
	p->l4_off = iphl + extlen;
	write_l4(p, buf + p->l4_off, l4len);
	if (p->payload_len)
		memcpy(buf + p->l4_off + l4_hdr_len(p), p->payload, p->payload_len);
	return tot;
}
