#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/types.h"
#include "packet/cksum.h"
#include "packet/rst.h"

static int
raw_socket(int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	unsigned mark = NVD_MARK_OWN;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
		/* Unmarked resets would be queued and judged again. */
		close(fd);
		return -1;
	}
#ifdef IPV6_HDRINCL
	if (family == AF_INET6) {
		int one = 1;

		setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one));
	}
#endif
	return fd;
}

void
rst_open(struct rst *r)
{
	memset(r, 0, sizeof(*r));
	r->fd4 = raw_socket(AF_INET);
	r->fd6 = raw_socket(AF_INET6);
	if (r->fd4 < 0 || r->fd6 < 0)
		log_warn("raw sockets for TCP resets; denied clients will wait for their timeout");
}

void
rst_close(struct rst *r)
{
	if (r->fd4 >= 0)
		close(r->fd4);
	if (r->fd6 >= 0)
		close(r->fd6);
	r->fd4 = r->fd6 = -1;
}

static void
put32(uint8_t *b, uint32_t v)
{
	cksum_put16(b, (uint16_t)(v >> 16));
	cksum_put16(b + 2, (uint16_t)v);
}

size_t
rst_build(const struct packet *p, int to_sender, uint8_t *out)
{
	size_t iph = p->family == AF_INET ? 20 : 40, alen = p->addr_len;
	const uint8_t *src = to_sender ? p->dst : p->src, *dst = to_sender ? p->src : p->dst;
	uint8_t *tcp = out + iph;
	uint32_t seq, ack = 0, s;
	uint8_t flags = TCP_RST;

	if (!to_sender) {
		seq = p->seq + (p->tcp_flags & TCP_SYN ? 1 : 0);
	} else if (p->tcp_flags & TCP_ACK) {
		seq = p->ack;
	} else {
		/* RFC 9293: no ACK to answer, so acknowledge what was sent */
		seq = 0;
		ack = p->seq + (uint32_t)p->payload_len + (p->tcp_flags & TCP_SYN ? 1 : 0) +
		    (p->tcp_flags & TCP_FIN ? 1 : 0);
		flags |= TCP_ACK;
	}
	memset(out, 0, iph + 20);
	if (p->family == AF_INET) {
		out[0] = 0x45;
		cksum_put16(out + 2, (uint16_t)(iph + 20));
		out[8] = 64;
		out[9] = IPPROTO_TCP;
		memcpy(out + 12, src, 4);
		memcpy(out + 16, dst, 4);
		cksum_put16(out + 10, cksum_fold(cksum_add(0, out, 20)));
	} else {
		out[0] = 0x60;
		cksum_put16(out + 4, 20);
		out[6] = IPPROTO_TCP;
		out[7] = 64;
		memcpy(out + 8, src, 16);
		memcpy(out + 24, dst, 16);
	}
	cksum_put16(tcp, to_sender ? p->dport : p->sport);
	cksum_put16(tcp + 2, to_sender ? p->sport : p->dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	/* checksum over the pseudo-header and the 20 header bytes */
	s = cksum_add(0, src, alen);
	s = cksum_add(s, dst, alen);
	s += IPPROTO_TCP + 20;
	cksum_put16(tcp + 16, cksum_fold(cksum_add(s, tcp, 20)));
	return iph + 20;
}

static void
send_one(struct rst *r, const struct packet *p, int to_sender)
{
	uint8_t pkt[60];
	size_t n = rst_build(p, to_sender, pkt);
	const uint8_t *dst = to_sender ? p->src : p->dst;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (p->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst, 4);
		sl = sizeof(*sin);
		fd = r->fd4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst, 16);
		sl = sizeof(*sin6);
		fd = r->fd6;
	}
	if (fd >= 0 && sendto(fd, pkt, n, MSG_DONTWAIT, (struct sockaddr *)&ss, sl) == (ssize_t)n)
		r->sent++;
	else
		r->failed++;
}

void
rst_send(struct rst *r, const struct packet *p, int both)
{
	if (p->proto != IPPROTO_TCP || (p->tcp_flags & TCP_RST))
		return;
	send_one(r, p, 1);
	if (both)
		send_one(r, p, 0);
}
