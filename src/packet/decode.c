#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "packet/decode.h"

/* At most this many IPv6 extension headers are walked (RFC 8200 sets no
 * limit; real traffic has one or two). */

static const char *const anomaly_names[ANOM_COUNT] = {
	[ANOM_NONE] = "none",
	[ANOM_TRUNCATED_IP] = "truncated_ip",
	[ANOM_BAD_VERSION] = "bad_ip_version",
	[ANOM_BAD_IHL] = "bad_ipv4_header_length",
	[ANOM_BAD_IP_LEN] = "bad_ip_length",
	[ANOM_FRAGMENT] = "ip_fragment",
	[ANOM_IPV6_EXT_TRUNCATED] = "ipv6_ext_truncated",
	[ANOM_IPV6_EXT_CHAIN] = "ipv6_ext_chain_too_long",
	[ANOM_TCP_TRUNCATED] = "tcp_truncated",
	[ANOM_TCP_BAD_DOFF] = "tcp_bad_data_offset",
	[ANOM_UDP_TRUNCATED] = "udp_truncated",
	[ANOM_UDP_BAD_LEN] = "udp_bad_length",
	[ANOM_ICMP_TRUNCATED] = "icmp_truncated",
};

const char *
decode_anomaly_name(enum decode_anomaly a)
{
	return (unsigned)a < ANOM_COUNT ? anomaly_names[a] : "?";
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * A SYN's options: only the window scale is read (RFC 7323 section 2.2: in
 * a SYN only, length 3, a shift above 14 taken as 14).  As in Linux
 * (tcp_parse_options), an option whose length is short or runs past the
 * header ends the walk.
 */
static void
decode_tcp_options(struct packet *p, const uint8_t *o, size_t len)
{
	size_t i = 0;

	while (i < len && o[i] != 0) {		/* 0: end of options */
		size_t olen;

		if (o[i] == 1) {		/* no-operation */
			i++;
			continue;
		}
		if (len - i < 2 || (olen = o[i + 1]) < 2 || olen > len - i)
			return;
		if (o[i] == 3 && olen == 3)
			p->tcp_wscale = o[i + 2] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o[i + 2];
		i += olen;
	}
}

static enum decode_anomaly
decode_tcp(struct packet *p, const uint8_t *l4, size_t len)
{
	size_t doff;

	if (len < 20)
		return ANOM_TCP_TRUNCATED;
	doff = (size_t)(l4[12] >> 4) * 4;
	if (doff < 20 || doff > len)
		return ANOM_TCP_BAD_DOFF;
	p->sport = rd16(l4);
	p->dport = rd16(l4 + 2);
	p->seq = rd32(l4 + 4);
	p->ack = rd32(l4 + 8);
	p->tcp_flags = l4[13];
	p->win = rd16(l4 + 14);
	p->tcp_wscale = TCP_WSCALE_NONE;
	if (p->tcp_flags & TCP_SYN)
		decode_tcp_options(p, l4 + 20, doff - 20);
	p->payload = l4 + doff;
	p->payload_len = len - doff;
	return ANOM_NONE;
}

static enum decode_anomaly
decode_udp(struct packet *p, const uint8_t *l4, size_t len)
{
	size_t ulen;

	if (len < 8)
		return ANOM_UDP_TRUNCATED;
	ulen = rd16(l4 + 4);
	/* With GSO (UDP_SEGMENT) the length field may be that of one segment;
	 * only a length below the header or past the packet is an anomaly. */
	if (ulen < 8 || ulen > len)
		return ANOM_UDP_BAD_LEN;
	p->sport = rd16(l4);
	p->dport = rd16(l4 + 2);
	p->payload = l4 + 8;
	p->payload_len = len - 8;
	return ANOM_NONE;
}

static enum decode_anomaly
decode_icmp(struct packet *p, const uint8_t *l4, size_t len)
{
	if (len < 8)
		return ANOM_ICMP_TRUNCATED;
	p->icmp_type = l4[0];
	p->icmp_code = l4[1];
	/* Echo request/reply: the identifier pairs the two directions. */
	if ((p->proto == IPPROTO_ICMP && (l4[0] == 8 || l4[0] == 0)) ||
	    (p->proto == IPPROTO_ICMPV6 && (l4[0] == 128 || l4[0] == 129)))
		p->sport = p->dport = rd16(l4 + 4);
	p->payload = l4 + 8;
	p->payload_len = len - 8;
	return ANOM_NONE;
}

static enum decode_anomaly
decode_l4(struct packet *p, const uint8_t *l4, size_t len)
{
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP || p->proto == IPPROTO_ICMP ||
	    p->proto == IPPROTO_ICMPV6)
		p->l4 = l4;
	switch (p->proto) {
	case IPPROTO_TCP:
		return decode_tcp(p, l4, len);
	case IPPROTO_UDP:
		return decode_udp(p, l4, len);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return decode_icmp(p, l4, len);
	default:
		p->payload = l4;
		p->payload_len = len;
		return ANOM_NONE;
	}
}

static enum decode_anomaly
decode_ipv4(struct packet *p, const uint8_t *buf, size_t len)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < 20)
		return ANOM_TRUNCATED_IP;
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return ANOM_BAD_IHL;
	tot = rd16(buf + 2);
	/* A GSO packet over 64 KiB (BIG TCP) carries total length 0. */
	if (tot == 0 && len > 0xffff)
		tot = len;
	if (tot < ihl || tot > len)
		return ANOM_BAD_IP_LEN;
	p->len = tot;
	p->family = AF_INET;
	p->addr_len = 4;
	p->proto = buf[9];
	p->src = buf + 12;
	p->dst = buf + 16;
	frag = rd16(buf + 6);
	if (frag & 0x3fff) {	/* MF set or offset non-zero */
		p->frag_id = rd16(buf + 4);
		p->frag_off = (uint32_t)(frag & 0x1fff) * 8;
		p->frag_more = !!(frag & 0x2000);
		p->payload = buf + ihl;
		p->payload_len = tot - ihl;
		return ANOM_FRAGMENT;
	}
	return decode_l4(p, buf + ihl, tot - ihl);
}

static int
ipv6_is_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 || nh == 135 ||
	    nh == 139 || nh == 140;
}

static enum decode_anomaly
decode_ipv6(struct packet *p, const uint8_t *buf, size_t len)
{
	size_t plen, off = 40, tot;
	uint8_t nh;
	int n;

	if (len < 40)
		return ANOM_TRUNCATED_IP;
	plen = rd16(buf + 4);
	if (plen == 0 && len > 0xffff + 40)	/* jumbogram / BIG TCP */
		plen = len - 40;
	tot = 40 + plen;
	if (tot > len)
		return ANOM_BAD_IP_LEN;
	p->len = tot;
	p->family = AF_INET6;
	p->addr_len = 16;
	p->src = buf + 8;
	p->dst = buf + 24;
	nh = buf[6];
	for (n = 0; ipv6_is_ext(nh); n++) {
		size_t elen;

		if (n == DECODE_IPV6_EXT_MAX) {
			p->proto = nh;
			return ANOM_IPV6_EXT_CHAIN;
		}
		if (tot - off < 8) {
			p->proto = nh;
			return ANOM_IPV6_EXT_TRUNCATED;
		}
		if (nh == 44) {		/* fragment header, fixed 8 bytes */
			uint16_t fo = rd16(buf + off + 2);
			uint8_t next = buf[off];

			/* An atomic fragment (offset 0, M clear) is a whole packet. */
			if (fo & 0xfff9) {
				p->proto = next;
				p->frag_id = rd32(buf + off + 4);
				p->frag_off = fo & 0xfff8;
				p->frag_more = fo & 1;
				p->payload = buf + off + 8;
				p->payload_len = tot - off - 8;
				return ANOM_FRAGMENT;
			}
			nh = next;
			off += 8;
			continue;
		}
		if (nh == 51)		/* AH: length in 4-octet units, minus 2 */
			elen = ((size_t)buf[off + 1] + 2) * 4;
		else
			elen = ((size_t)buf[off + 1] + 1) * 8;
		if (elen > tot - off) {
			p->proto = nh;
			return ANOM_IPV6_EXT_TRUNCATED;
		}
		nh = buf[off];
		off += elen;
	}
	p->proto = nh;
	return decode_l4(p, buf + off, tot - off);
}

enum decode_anomaly
decode_packet(struct packet *p, const uint8_t *buf, size_t len, int family_hint)
{
	int version;

	memset(p, 0, sizeof(*p));
	p->data = buf;
	if (len < 1)
		return ANOM_TRUNCATED_IP;
	version = buf[0] >> 4;
	if (version == 4 && (family_hint == 0 || family_hint == AF_INET))
		return decode_ipv4(p, buf, len);
	if (version == 6 && (family_hint == 0 || family_hint == AF_INET6))
		return decode_ipv6(p, buf, len);
	return ANOM_BAD_VERSION;
}

/*
 * The packet an ICMP error quotes (RFC 792: its IP header and at least
 * the first 8 bytes of its L4 header; RFC 4443: as much as fits): its
 * addresses, protocol and ports, enough to name its connection.
 */
int
decode_quoted(struct packet *in, const struct packet *err)
{
	const uint8_t *q = err->payload, *l4;
	size_t n = err->payload_len, off;

	memset(in, 0, sizeof(*in));
	if (n < 1)
		return -1;
	if ((q[0] >> 4) == 4 && err->family == AF_INET) {
		if (n < 20 || (off = (size_t)(q[0] & 0x0f) * 4) < 20 || off > n)
			return -1;
		in->family = AF_INET;
		in->addr_len = 4;
		in->proto = q[9];
		in->src = q + 12;
		in->dst = q + 16;
	} else if ((q[0] >> 4) == 6 && err->family == AF_INET6) {
		uint8_t nh;
		int k;

		if (n < 40)
			return -1;
		in->family = AF_INET6;
		in->addr_len = 16;
		in->src = q + 8;
		in->dst = q + 24;
		nh = q[6];
		off = 40;
		for (k = 0; ipv6_is_ext(nh) && nh != 44; k++) {
			size_t elen;

			if (k == DECODE_IPV6_EXT_MAX || n - off < 8)
				return -1;
			/* AH counts 4-octet units, minus 2; the others 8-octet, minus 1 */
			elen = nh == 51 ? ((size_t)q[off + 1] + 2) * 4 : ((size_t)q[off + 1] + 1) * 8;
			nh = q[off];
			if (elen > n - off)
				return -1;
			off += elen;
		}
		in->proto = nh;
	} else
		return -1;
	l4 = q + off;
	in->data = q;
	in->len = n;
	if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		if (n - off < 4)
			return -1;
		in->sport = rd16(l4);
		in->dport = rd16(l4 + 2);
	} else if (in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6) {
		if (n - off < 8)
			return -1;
		in->icmp_type = l4[0];
		if (l4[0] == 8 || l4[0] == 0 || l4[0] == 128 || l4[0] == 129)
			in->sport = in->dport = rd16(l4 + 4);
	}
	return 0;
}
