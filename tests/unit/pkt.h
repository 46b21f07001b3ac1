/*
 * pkt.h: a tiny packet builder for the unit tests.
 *
 * Fill a struct pkt with pkt_tcp(), pkt_udp() or pkt_icmp() (the family
 * follows from the address strings), add a payload, IPv6 extension headers
 * or fragment fields, then pkt_build() writes the packet, from the IP header
 * on, as NFQUEUE would hand it over.  Checksums are left zero: nvd never
 * checks them.
 */
#ifndef NVD_TEST_PKT_H
#define NVD_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_EXT	72

/* IPv6 extension header types pkt_ext() knows how to lay out. */
#define PKT_EXT_HOPOPTS	0
#define PKT_EXT_ROUTING	43
#define PKT_EXT_FRAG	44
#define PKT_EXT_AH	51
#define PKT_EXT_DSTOPTS	60

struct pkt_ext {
	uint8_t type;
	uint16_t len;		/* bytes on the wire */
	uint16_t frag_off;	/* fragment header: offset in 8-octet units */
	uint8_t frag_more;	/* fragment header: M flag */
};

struct pkt {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* any; TCP, UDP, ICMP and ICMPv6 get an L4 header */
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint8_t tcp_optlen;	/* bytes of NOP options, a multiple of 4 */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	uint16_t ip_frag;	/* IPv4 flags and fragment offset, host order */
	const uint8_t *payload;
	size_t payload_len;
	int next;
	struct pkt_ext ext[PKT_MAX_EXT];

	/* Filled by pkt_build(). */
	size_t l4_off;		/* where the L4 header starts */
};

#define PKT_IPV4_MF	0x2000

void pkt_tcp(struct pkt *p, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack);
void pkt_udp(struct pkt *p, const char *src, uint16_t sport, const char *dst,
    uint16_t dport);
/* ICMP for IPv4 addresses, ICMPv6 for IPv6 ones; id is the echo identifier. */
void pkt_icmp(struct pkt *p, const char *src, const char *dst, uint8_t type,
    uint8_t code, uint16_t id);
/* The payload is not copied: it must live until pkt_build(). */
void pkt_data(struct pkt *p, const void *data, size_t len);
void pkt_str(struct pkt *p, const char *s);
/*
 * Appends an IPv6 extension header of len bytes (a multiple of 8, at least
 * 8; for AH a multiple of 4, at least 12).  Returns 0, or -1 when the
 * length does not fit the type or there is no room.
 */
int pkt_ext(struct pkt *p, uint8_t type, size_t len);
/* IPv6: appends a fragment header.  IPv4: sets MF and the offset. */
int pkt_frag(struct pkt *p, uint16_t off8, int more);

/*
 * Writes the packet into buf.  Returns its length, or 0 when it does not
 * fit in cap or an address does not parse.
 */
size_t pkt_build(struct pkt *p, uint8_t *buf, size_t cap);

#endif
