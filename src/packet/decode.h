/*
 * decode.h: IPv4/IPv6 (with extension headers), TCP, UDP, ICMP, ICMPv6.
 *
 * decode_packet() reads a packet as NFQUEUE hands it over (from the IP
 * header on), checks the remaining length before every read, and fills a
 * struct packet whose pointers point into the caller's buffer.  Checksums
 * are never checked: with GSO the kernel may not have filled them in yet.
 */
#ifndef NVD_DECODE_H
#define NVD_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* IPv6 extension headers walked at most; a longer chain is an anomaly. */
#define DECODE_IPV6_EXT_MAX	64

/* Anomalies; each is counted per worker. */
enum decode_anomaly {
	ANOM_NONE = 0,
	ANOM_TRUNCATED_IP,	/* shorter than an IP header */
	ANOM_BAD_VERSION,	/* neither 4 nor 6, or not the family NFQUEUE said */
	ANOM_BAD_IHL,		/* IPv4 header length < 20 or past the end */
	ANOM_BAD_IP_LEN,	/* total/payload length past the buffer */
	ANOM_FRAGMENT,		/* IP fragment: no L4 header to read here */
	ANOM_IPV6_EXT_TRUNCATED,
	ANOM_IPV6_EXT_CHAIN,	/* more than DECODE_IPV6_EXT_MAX extension headers */
	ANOM_TCP_TRUNCATED,
	ANOM_TCP_BAD_DOFF,
	ANOM_UDP_TRUNCATED,
	ANOM_UDP_BAD_LEN,
	ANOM_ICMP_TRUNCATED,
	ANOM_COUNT
};

const char *decode_anomaly_name(enum decode_anomaly a);

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* tcp_wscale of a segment without a window scale option. */
#define TCP_WSCALE_NONE	0xff
/* The largest shift there is (RFC 7323 section 2.3). */
#define TCP_WSCALE_MAX	14

struct packet {
	const uint8_t *data;	/* start of the IP header */
	size_t len;		/* bytes of IP packet (trimmed to the IP length) */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6, or other */
	uint8_t addr_len;	/* 4 or 16 */
	const uint8_t *src;	/* addr_len bytes in data */
	const uint8_t *dst;
	uint16_t sport, dport;	/* host order; ICMP echo: id in both; 0 otherwise */
	uint8_t tcp_flags;
	uint8_t tcp_wscale;	/* a SYN's window scale option: its shift, at
				 * most TCP_WSCALE_MAX, or TCP_WSCALE_NONE */
	uint8_t icmp_type, icmp_code;
	uint32_t seq, ack;	/* host order */
	uint16_t win;		/* as sent: not scaled */
	const uint8_t *payload;	/* L4 payload; a fragment's data */
	size_t payload_len;
	const uint8_t *l4;	/* the TCP, UDP or ICMP header, or NULL */
	/* ANOM_FRAGMENT: the fragment's datagram id, its data's offset in
	 * bytes, and whether more fragments follow (MF, M). */
	uint32_t frag_id;
	uint32_t frag_off;
	uint8_t frag_more;
};

/*
 * Returns ANOM_NONE when the packet was decoded down to L4, or the anomaly
 * that stopped it.  Every IP protocol decodes: one that is not TCP, UDP,
 * ICMP or ICMPv6 (GRE, SCTP, 253, 59 "no next header") has no ports and
 * its whole L4 part as payload.  When src is set the IP part (family,
 * proto, src, dst) is usable though an anomaly stopped the rest.
 * family_hint is the family NFQUEUE reported (AF_INET/AF_INET6) or 0.
 */
enum decode_anomaly decode_packet(struct packet *p, const uint8_t *buf, size_t len, int family_hint);

/*
 * The packet ICMP error err quotes, into in (its family, addresses,
 * protocol and ports; the pointers point into err's buffer).  Returns 0,
 * or -1 when too little of it is there to name a connection.
 */
int decode_quoted(struct packet *in, const struct packet *err);

#endif
