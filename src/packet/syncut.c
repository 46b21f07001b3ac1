#include "config.h"

#include <netinet/in.h>

#include "packet/cksum.h"
#include "packet/syncut.h"

/* Whether the IPv6 headers between 40 and l4 leave the pseudo-header's
 * destination the header's own: no routing header, every one known. */
static int
ip6_plain(const uint8_t *pkt, size_t l4)
{
	uint8_t nh = pkt[6];
	size_t at = 40;

	while (at < l4) {
		size_t n;

		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
			n = ((size_t)pkt[at + 1] + 1) * 8;
			break;
		default:	/* routing (its last address is the destination),
				 * fragment (a SYN is whole here), AH, others */
			return 0;
		}
		nh = pkt[at];
		at += n;
	}
	return at == l4 && nh == IPPROTO_TCP;
}

size_t
syncut(uint8_t *pkt, size_t len, size_t l4, size_t payload)
{
	size_t tcplen;
	uint32_t s;

	if (len < 20 || l4 + 20 > payload || payload > len)
		return 0;
	tcplen = payload - l4;
	if (pkt[0] >> 4 == 4) {
		size_t ihl = (size_t)(pkt[0] & 15) * 4;

		if (ihl != l4 || pkt[9] != IPPROTO_TCP)
			return 0;
		cksum_put16(pkt + 2, (uint16_t)payload);
		pkt[10] = pkt[11] = 0;
		cksum_put16(pkt + 10, cksum_fold(cksum_add(0, pkt, ihl)));
		s = cksum_add(0, pkt + 12, 8);
	} else if (pkt[0] >> 4 == 6 && len >= 40 && l4 >= 40) {
		if (!ip6_plain(pkt, l4))
			return 0;
		cksum_put16(pkt + 4, (uint16_t)(payload - 40));
		s = cksum_add(0, pkt + 8, 32);
	} else {
		return 0;
	}
	s += IPPROTO_TCP + (uint32_t)tcplen;
	pkt[l4 + 16] = pkt[l4 + 17] = 0;
	cksum_put16(pkt + l4 + 16, cksum_fold(cksum_add(s, pkt + l4, tcplen)));
	return payload;
}
