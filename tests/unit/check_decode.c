/*
 * check_decode.c: the IPv4/IPv6/TCP/UDP/ICMP decoder, on packets from pkt.c.
 *
 * Most cases are rows of a table: a packet to build, bytes to change in
 * it, how much of it to decode with which family hint, the anomaly wanted
 * and the fields to check.  Each row is a test of its own (a loop test).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "packet/decode.h"
#include "pkt.h"

#define C4	"198.18.0.1"
#define S4	"198.18.0.2"
#define C6	"fd00::1"
#define S6	"fd00::2"

#define HTTP_GET	"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
#define GET_LEN		(sizeof(HTTP_GET) - 1)

static uint8_t buf[4096];
static struct packet p;

/* IPv6 extension headers: times headers of len bytes each. */
struct ext {
	uint8_t type;
	uint16_t len;
	int times;
};

#define EXT(type, len)		{ (type), (len), 1 }
#define EXTS(type, len, n)	{ (type), (len), (n) }

/* A packet to build with pkt.c. */
struct spec {
	uint8_t l4;		/* IPPROTO_TCP, _UDP or _ICMP (ICMPv6 for IPv6 addresses) */
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;
	uint8_t tcp_optlen;
	uint16_t ip_frag;	/* IPv4 flags and fragment offset as they are */
	uint8_t ip_proto;	/* not 0: the IP protocol field instead of l4's */
	struct ext ext[3];	/* IPv6 extension headers, up to one of len 0 */
	int frag;		/* then pkt_frag(frag_off, frag_more) */
	uint16_t frag_off;
	int frag_more;
	const char *data;
};

#define TCP4(sp, dp, fl, sq, ak)	.l4 = IPPROTO_TCP, .src = C4, .dst = S4, \
	.sport = (sp), .dport = (dp), .flags = (fl), .seq = (sq), .ack = (ak)
#define TCP6(sp, dp, fl, sq, ak)	.l4 = IPPROTO_TCP, .src = C6, .dst = S6, \
	.sport = (sp), .dport = (dp), .flags = (fl), .seq = (sq), .ack = (ak)
#define UDP4(sp, dp)	.l4 = IPPROTO_UDP, .src = C4, .dst = S4, .sport = (sp), .dport = (dp)
#define UDP6(sp, dp)	.l4 = IPPROTO_UDP, .src = C6, .dst = S6, .sport = (sp), .dport = (dp)
#define ICMP4(t, c, id)	.l4 = IPPROTO_ICMP, .src = C4, .dst = S4, \
	.icmp_type = (t), .icmp_code = (c), .icmp_id = (id)
#define ICMP6(t, c, id)	.l4 = IPPROTO_ICMP, .src = C6, .dst = S6, \
	.icmp_type = (t), .icmp_code = (c), .icmp_id = (id)
/* 40 bytes of headers, then HTTP_GET (27 bytes): 67 in all. */
#define GET4	TCP4(40000, 80, TCP_PSH | TCP_ACK, 1000, 2000), .data = HTTP_GET

/* The fields of struct packet a row checks (W_*), and their values. */
enum {
	W_DATA = 1 << 0,	/* data is buf */
	W_LEN = 1 << 1,		/* len is what was built */
	W_FAMILY = 1 << 2,	/* the family of the row's addresses */
	W_PROTO = 1 << 3,
	W_ADDRS = 1 << 4,	/* addr_len, and src and dst where the IP header has them */
	W_SRC = 1 << 5,		/* the row's source address */
	W_DST = 1 << 6,		/* the row's destination address */
	W_SPORT = 1 << 7,
	W_DPORT = 1 << 8,
	W_SEQ = 1 << 9,
	W_ACK = 1 << 10,
	W_FLAGS = 1 << 11,
	W_WIN = 1 << 12,	/* 65535, pkt.c's */
	W_TYPE = 1 << 13,
	W_CODE = 1 << 14,
	W_PAYLOAD = 1 << 15,	/* the payload's offset in buf */
	W_PAYLEN = 1 << 16,
	W_BYTES = 1 << 17,	/* the payload's first bytes */
	W_L4OFF = 1 << 18,	/* where pkt.c put the L4 header */
};

struct want {
	unsigned check;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t icmp_type, icmp_code;
	size_t payload, payload_len;
	const char *bytes;
	size_t l4_off;
};

struct dcase {
	const char *name;
	struct spec pkt;
	struct {
		uint16_t off;
		uint8_t val;
	} set[3];		/* bytes changed after building */
	int nset;
	size_t longer_than;	/* the packet built is longer (0: unchecked) */
	size_t pad;		/* 'Z' bytes after the packet, decoded with it */
	long cut;		/* 0: decode it whole; < 0: that many bytes fewer; > 0: that many */
	int exact;		/* decode a copy of exactly those bytes (decode_exact) */
	int hint;
	enum decode_anomaly anom;
	struct want w;
};

/* Builds q into buf; fails the test when it cannot. */
static size_t
build(struct pkt *q)
{
	size_t len = pkt_build(q, buf, sizeof(buf));

	ck_assert_uint_gt(len, 0);
	return len;
}

static size_t
build_spec(struct pkt *q, const struct spec *s)
{
	if (s->l4 == IPPROTO_TCP)
		pkt_tcp(q, s->src, s->sport, s->dst, s->dport, s->flags, s->seq, s->ack);
	else if (s->l4 == IPPROTO_UDP)
		pkt_udp(q, s->src, s->sport, s->dst, s->dport);
	else
		pkt_icmp(q, s->src, s->dst, s->icmp_type, s->icmp_code, s->icmp_id);
	if (s->ip_proto)
		q->proto = s->ip_proto;
	q->tcp_optlen = s->tcp_optlen;
	q->ip_frag = s->ip_frag;
	for (int i = 0; i < 3 && s->ext[i].len; i++)
		for (int k = 0; k < s->ext[i].times; k++)
			ck_assert_int_eq(pkt_ext(q, s->ext[i].type, s->ext[i].len), 0);
	if (s->frag)
		ck_assert_int_eq(pkt_frag(q, s->frag_off, s->frag_more), 0);
	if (s->data)
		pkt_str(q, s->data);
	return build(q);
}

static const struct spec get4 = { GET4 };

static size_t
tcp4_get(struct pkt *q)
{
	return build_spec(q, &get4);
}

static void
assert_addr(const uint8_t *got, int family, const char *want)
{
	uint8_t a[16];

	ck_assert_int_eq(inet_pton(family, want, a), 1);
	ck_assert_mem_eq(got, a, family == AF_INET ? 4 : 16);
}

/* Decodes a private copy of exactly len bytes, so that ASan sees any read
 * past the end. */
static enum decode_anomaly
decode_exact(const uint8_t *b, size_t len, int hint)
{
	/* An allocation of exactly len bytes, so that ASan sees a read past
	 * it; kept until the next call, since p points into it. */
	static uint8_t *copy;

	free(copy);
	copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, b, len);
	return decode_packet(&p, copy, len, hint);
}

static void
check_fields(const struct dcase *c, const struct pkt *q, size_t len)
{
	const struct want *w = &c->w;
	int v6 = q->family == AF_INET6;

	if (w->check & W_DATA)
		ck_assert_ptr_eq(p.data, buf);
	if (w->check & W_LEN)
		ck_assert_uint_eq(p.len, len);
	if (w->check & W_FAMILY)
		ck_assert_int_eq(p.family, q->family);
	if (w->check & W_PROTO)
		ck_assert_int_eq(p.proto, w->proto);
	if (w->check & W_ADDRS) {
		ck_assert_int_eq(p.addr_len, v6 ? 16 : 4);
		ck_assert_ptr_eq(p.src, buf + (v6 ? 8 : 12));
		ck_assert_ptr_eq(p.dst, buf + (v6 ? 24 : 16));
	}
	if (w->check & W_SRC)
		assert_addr(p.src, q->family, c->pkt.src);
	if (w->check & W_DST)
		assert_addr(p.dst, q->family, c->pkt.dst);
	if (w->check & W_SPORT)
		ck_assert_uint_eq(p.sport, w->sport);
	if (w->check & W_DPORT)
		ck_assert_uint_eq(p.dport, w->dport);
	if (w->check & W_SEQ)
		ck_assert_uint_eq(p.seq, w->seq);
	if (w->check & W_ACK)
		ck_assert_uint_eq(p.ack, w->ack);
	if (w->check & W_FLAGS)
		ck_assert_uint_eq(p.tcp_flags, w->flags);
	if (w->check & W_WIN)
		ck_assert_uint_eq(p.win, 65535);
	if (w->check & W_TYPE)
		ck_assert_uint_eq(p.icmp_type, w->icmp_type);
	if (w->check & W_CODE)
		ck_assert_uint_eq(p.icmp_code, w->icmp_code);
	if (w->check & W_PAYLOAD)
		ck_assert_ptr_eq(p.payload, buf + w->payload);
	if (w->check & W_PAYLEN)
		ck_assert_uint_eq(p.payload_len, w->payload_len);
	if (w->check & W_BYTES)
		ck_assert_mem_eq(p.payload, w->bytes, strlen(w->bytes));
	if (w->check & W_L4OFF)
		ck_assert_uint_eq(q->l4_off, w->l4_off);
}

static void
run_case(const struct dcase *c)
{
	struct pkt q;
	size_t len = build_spec(&q, &c->pkt), n;
	enum decode_anomaly a;

	if (c->longer_than)
		ck_assert_uint_gt(len, c->longer_than);
	for (int i = 0; i < c->nset; i++)
		buf[c->set[i].off] = c->set[i].val;
	memset(buf + len, 'Z', c->pad);
	n = c->cut > 0 ? (size_t)c->cut : len + c->pad - (size_t)-c->cut;
	a = c->exact ? decode_exact(buf, n, c->hint) : decode_packet(&p, buf, n, c->hint);
	ck_assert_msg(a == c->anom, "%s: %s, not %s", c->name, decode_anomaly_name(a),
	    decode_anomaly_name(c->anom));
	check_fields(c, &q, len);
}

/* --- valid packets --------------------------------------------------- */

static const struct dcase valid[] = {
	{ "tcp4 fields", { GET4 }, .hint = AF_INET,
	  .w = { W_DATA | W_LEN | W_FAMILY | W_PROTO | W_ADDRS | W_SRC | W_DST | W_SPORT |
	    W_DPORT | W_SEQ | W_ACK | W_FLAGS | W_WIN | W_PAYLOAD | W_PAYLEN | W_BYTES,
	    .proto = IPPROTO_TCP, .sport = 40000, .dport = 80, .seq = 1000, .ack = 2000,
	    .flags = TCP_PSH | TCP_ACK, .payload = 40, .payload_len = GET_LEN,
	    .bytes = HTTP_GET } },
	{ "tcp4 high values",
	  { TCP4(65535, 1, TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST, 0xfffffffe, 0x80000001) },
	  .w = { W_SPORT | W_DPORT | W_SEQ | W_ACK | W_FLAGS | W_PAYLEN | W_PAYLOAD,
	    .sport = 65535, .dport = 1, .seq = 0xfffffffeu, .ack = 0x80000001u,
	    .flags = TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST,
	    .payload_len = 0, .payload = 40 } },	/* the end of the packet */
	{ "tcp options skipped",
	  { TCP4(40000, 80, TCP_ACK, 1, 1), .tcp_optlen = 12, .data = "xyz" }, .hint = AF_INET,
	  .w = { W_PAYLOAD | W_PAYLEN | W_BYTES, .payload = 20 + 32, .payload_len = 3,
	    .bytes = "xyz" } },
	{ "tcp6 fields", { TCP6(40000, 443, TCP_SYN, 7, 0), .data = HTTP_GET }, .hint = AF_INET6,
	  .w = { W_LEN | W_FAMILY | W_PROTO | W_ADDRS | W_SRC | W_DST | W_SPORT | W_DPORT |
	    W_SEQ | W_ACK | W_FLAGS | W_PAYLOAD | W_PAYLEN, .proto = IPPROTO_TCP,
	    .sport = 40000, .dport = 443, .seq = 7, .ack = 0, .flags = TCP_SYN, .payload = 60,
	    .payload_len = GET_LEN } },
	{ "udp4 fields", { UDP4(5353, 53), .data = "query" }, .hint = AF_INET,
	  .w = { W_PROTO | W_SPORT | W_DPORT | W_FLAGS | W_PAYLOAD | W_PAYLEN | W_BYTES,
	    .proto = IPPROTO_UDP, .sport = 5353, .dport = 53, .flags = 0, .payload = 28,
	    .payload_len = 5, .bytes = "query" } },
	{ "udp6 fields", { UDP6(5353, 53), .data = "query" }, .hint = AF_INET6,
	  .w = { W_FAMILY | W_PROTO | W_SPORT | W_DPORT | W_PAYLOAD | W_PAYLEN,
	    .proto = IPPROTO_UDP, .sport = 5353, .dport = 53, .payload = 48, .payload_len = 5 } },
	{ "udp empty payload", { UDP4(1, 2) }, .hint = AF_INET,
	  .w = { W_PAYLEN, .payload_len = 0 } },
	{ "icmp4 echo", { ICMP4(8, 0, 0x1234), .data = "ping" }, .hint = AF_INET,
	  .w = { W_PROTO | W_TYPE | W_CODE | W_SPORT | W_DPORT | W_PAYLOAD | W_PAYLEN,
	    .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_code = 0, .sport = 0x1234,
	    .dport = 0x1234, .payload = 28, .payload_len = 4 } },
	/* A port unreachable. */
	{ "icmp4 not echo has no id", { ICMP4(3, 3, 0x1234) }, .hint = AF_INET,
	  .w = { W_TYPE | W_CODE | W_SPORT | W_DPORT, .icmp_type = 3, .icmp_code = 3,
	    .sport = 0, .dport = 0 } },
	{ "icmp6 echo", { ICMP6(129, 0, 0xbeef), .data = "pong" }, .hint = AF_INET6,
	  .w = { W_PROTO | W_TYPE | W_SPORT | W_DPORT | W_PAYLOAD | W_PAYLEN,
	    .proto = IPPROTO_ICMPV6, .icmp_type = 129, .sport = 0xbeef, .dport = 0xbeef,
	    .payload = 48, .payload_len = 4 } },
	/* Options fill the segment exactly: no payload, not an error. */
	{ "tcp doff whole segment", { TCP4(1, 2, TCP_SYN, 1, 0), .tcp_optlen = 40 }, .exact = 1,
	  .hint = AF_INET, .w = { W_PAYLEN, .payload_len = 0 } },
};

START_TEST(test_valid)
{
	run_case(&valid[_i]);
}
END_TEST

START_TEST(test_ipv4_options_skipped)
{
	struct pkt q;
	size_t len;
	uint8_t opt[sizeof(buf)];

	/* Rebuild with 8 bytes of IP options (two NOP words) before TCP. */
	len = tcp4_get(&q);
	memcpy(opt, buf, 20);
	memset(opt + 20, 1, 8);
	memcpy(opt + 28, buf + 20, len - 20);
	opt[0] = 0x47;
	opt[3] = (uint8_t)(len + 8);
	ck_assert_int_eq(decode_exact(opt, len + 8, AF_INET), ANOM_NONE);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.payload_len, strlen(HTTP_GET));
}
END_TEST

START_TEST(test_anomaly_names)
{
	ck_assert_str_eq(decode_anomaly_name(ANOM_NONE), "none");
	ck_assert_str_eq(decode_anomaly_name(ANOM_FRAGMENT), "ip_fragment");
	ck_assert_str_eq(decode_anomaly_name(ANOM_IPV6_EXT_CHAIN), "ipv6_ext_chain_too_long");
	ck_assert_str_eq(decode_anomaly_name(ANOM_COUNT), "?");
	for (int a = 0; a < ANOM_COUNT; a++)
		ck_assert_ptr_nonnull(decode_anomaly_name((enum decode_anomaly)a));
}
END_TEST

/* --- truncation and lengths ------------------------------------------ */

static const struct dcase lengths[] = {
	{ "bad ihl 16", { GET4 }, { { 0, 0x44 } }, 1, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_BAD_IHL },	/* 16 bytes: below the minimum */
	{ "bad ihl 0", { GET4 }, { { 0, 0x40 } }, 1, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_BAD_IHL },
	{ "bad ihl 60", { GET4 }, { { 0, 0x4f } }, 1, .cut = 30, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_BAD_IHL },	/* 60 bytes: past a 30-byte buffer */
	/* 60 bytes of header fit the buffer, but not the 40 bytes of total length. */
	{ "ihl beyond total length", { GET4 }, { { 0, 0x4f }, { 2, 0 }, { 3, 40 } }, 3,
	  .longer_than = 60, .exact = 1, .hint = AF_INET, .anom = ANOM_BAD_IP_LEN },
	{ "total length beyond buffer", { GET4 }, { { 2, 0 }, { 3, 67 + 1 } }, 2, .exact = 1,
	  .hint = AF_INET, .anom = ANOM_BAD_IP_LEN },
	{ "total length below header", { GET4 }, { { 2, 0 }, { 3, 19 } }, 2, .exact = 1,
	  .hint = AF_INET, .anom = ANOM_BAD_IP_LEN },
	{ "ipv6 payload length beyond buffer", { TCP6(1, 2, TCP_ACK, 1, 1) }, { { 5, 20 + 1 } }, 1,
	  .exact = 1, .hint = AF_INET6, .anom = ANOM_BAD_IP_LEN },
	{ "trailing bytes trimmed", { GET4 }, .pad = 16, .exact = 1, .hint = AF_INET,
	  .w = { W_LEN | W_PAYLEN, .payload_len = GET_LEN } },	/* Ethernet padding, say */
	{ "trailing bytes trimmed ipv6", { UDP6(1, 2), .data = "abc" }, .pad = 10, .exact = 1,
	  .hint = AF_INET6, .w = { W_LEN | W_PAYLEN, .payload_len = 3 } },
	/* The IP total length (28 - 1) cuts the ICMP header. */
	{ "icmp truncated", { ICMP4(8, 0, 1) }, { { 3, 28 - 1 } }, 1, .cut = -1, .exact = 1,
	  .hint = AF_INET, .anom = ANOM_ICMP_TRUNCATED },
	{ "tcp bad doff 16", { GET4 }, { { 20 + 12, 4 << 4 } }, 1, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_TCP_BAD_DOFF },	/* 16 bytes: below the TCP header */
	{ "tcp bad doff 0", { GET4 }, { { 20 + 12, 0 } }, 1, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_TCP_BAD_DOFF },
	{ "tcp bad doff 60", { GET4 }, { { 20 + 12, 15 << 4 } }, 1, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_TCP_BAD_DOFF },	/* 60 bytes: past the 47-byte segment */
	{ "udp length below header", { UDP4(1, 2), .data = "abcd" },
	  { { 20 + 4, 0 }, { 20 + 5, 7 } }, 2, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_UDP_BAD_LEN },
	{ "udp length past datagram", { UDP4(1, 2), .data = "abcd" },
	  { { 20 + 4, 0 }, { 20 + 5, 13 } }, 2, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_UDP_BAD_LEN },
	{ "udp length shorter (GSO)", { UDP4(1, 2), .data = "abcd" },
	  { { 20 + 4, 0 }, { 20 + 5, 9 } }, 2, .exact = 1, .hint = AF_INET,
	  .w = { W_PAYLEN, .payload_len = 4 } },	/* accepted */
	{ "udp truncated", { UDP6(1, 2) }, { { 5, 7 } }, 1, .cut = -1, .exact = 1,
	  .hint = AF_INET6, .anom = ANOM_UDP_TRUNCATED },	/* 7 bytes of UDP header */
};

START_TEST(test_lengths)
{
	run_case(&lengths[_i]);
}
END_TEST

START_TEST(test_empty_buffer)
{
	ck_assert_int_eq(decode_exact(buf, 0, 0), ANOM_TRUNCATED_IP);
	ck_assert_int_eq(decode_exact(buf, 0, AF_INET6), ANOM_TRUNCATED_IP);
}
END_TEST

/* Packets cut at every length and decoded, the IP header unchanged. */
static const struct {
	struct spec pkt;
	int hint;
	size_t iphl;	/* shorter: no IP header; longer: less than it claims */
} cuts[] = {
	{ { GET4 }, AF_INET, 20 },
	{ { TCP6(40000, 80, TCP_ACK, 1, 1), .ext = { EXT(PKT_EXT_HOPOPTS, 8) }, .data = HTTP_GET },
	  AF_INET6, 40 },
};

START_TEST(test_truncated_every_length)
{
	struct pkt q;
	size_t full = build_spec(&q, &cuts[_i].pkt);

	for (size_t n = 0; n < full; n++) {
		enum decode_anomaly a = decode_exact(buf, n, cuts[_i].hint);

		if (n < cuts[_i].iphl)
			ck_assert_msg(a == ANOM_TRUNCATED_IP, "len %zu: %s", n,
			    decode_anomaly_name(a));
		else
			ck_assert_msg(a == ANOM_BAD_IP_LEN, "len %zu: %s", n,
			    decode_anomaly_name(a));
	}
	ck_assert_int_eq(decode_exact(buf, full, cuts[_i].hint), ANOM_NONE);
}
END_TEST

/* Packets cut at every length from first on, the IP length following the
 * cut, so the layers after it see it. */
static const struct {
	struct spec pkt;
	int hint;
	size_t first;
	size_t field, base;	/* the IP length field's offset; it holds n - base */
	struct {
		size_t below;
		enum decode_anomaly anom;
	} steps[2];		/* the anomaly of lengths below each bound; none after */
	size_t hdrs;		/* not 0: without anomaly, the payload is n - hdrs bytes */
} follows[] = {
	{ { GET4 }, AF_INET, 20, 2, 0, { { 40, ANOM_TCP_TRUNCATED } }, 40 },
	{ { TCP6(40000, 80, TCP_ACK, 1, 1), .ext = { EXT(PKT_EXT_HOPOPTS, 8) }, .data = HTTP_GET },
	  AF_INET6, 40, 4, 40, { { 48, ANOM_IPV6_EXT_TRUNCATED }, { 68, ANOM_TCP_TRUNCATED } }, 0 },
};

START_TEST(test_length_follows_cut)
{
	struct pkt q;
	size_t full = build_spec(&q, &follows[_i].pkt);

	for (size_t n = follows[_i].first; n <= full; n++) {
		enum decode_anomaly a, want = ANOM_NONE;

		buf[follows[_i].field] = (uint8_t)((n - follows[_i].base) >> 8);
		buf[follows[_i].field + 1] = (uint8_t)(n - follows[_i].base);
		a = decode_exact(buf, n, follows[_i].hint);
		for (int k = 1; k >= 0; k--)
			if (follows[_i].steps[k].below && n < follows[_i].steps[k].below)
				want = follows[_i].steps[k].anom;
		ck_assert_msg(a == want, "len %zu: %s, not %s", n, decode_anomaly_name(a),
		    decode_anomaly_name(want));
		if (want == ANOM_NONE && follows[_i].hdrs)
			ck_assert_uint_eq(p.payload_len, n - follows[_i].hdrs);
	}
}
END_TEST

/* --- IP fragments ------------------------------------------------------ */

static const struct dcase fragments[] = {
	{ "ipv4 first fragment", { TCP4(40000, 80, TCP_ACK, 1, 1), .data = HTTP_GET, .frag = 1,
	    .frag_off = 0, .frag_more = 1 }, .hint = AF_INET, .anom = ANOM_FRAGMENT,
	  .w = { W_FAMILY | W_PROTO | W_SRC | W_DST, .proto = IPPROTO_TCP } },
	{ "ipv4 last fragment", { UDP4(1, 2), .data = "data", .frag = 1, .frag_off = 185,
	    .frag_more = 0 }, .hint = AF_INET, .anom = ANOM_FRAGMENT,
	  .w = { W_PROTO, .proto = IPPROTO_UDP } },
	{ "ipv4 middle fragment", { UDP4(1, 2), .data = "data", .frag = 1, .frag_off = 1,
	    .frag_more = 1 }, .hint = AF_INET, .anom = ANOM_FRAGMENT },
	{ "ipv4 df is not fragment", { TCP4(40000, 80, TCP_ACK, 1, 1), .ip_frag = 0x4000 },
	  .hint = AF_INET, .anom = ANOM_NONE },
	{ "ipv6 fragment non first", { UDP6(1, 2), .ext = { EXT(PKT_EXT_HOPOPTS, 8) }, .frag = 1,
	    .frag_off = 100, .frag_more = 0, .data = "tail" }, .hint = AF_INET6,
	  .anom = ANOM_FRAGMENT, .w = { W_FAMILY | W_PROTO | W_SRC, .proto = IPPROTO_UDP } },
	{ "ipv6 fragment first with more", { TCP6(1, 2, TCP_ACK, 1, 1), .frag = 1, .frag_off = 0,
	    .frag_more = 1 }, .hint = AF_INET6, .anom = ANOM_FRAGMENT,
	  .w = { W_PROTO, .proto = IPPROTO_TCP } },
	{ "ipv6 atomic fragment", { TCP6(40000, 80, TCP_ACK, 5, 6), .frag = 1, .frag_off = 0,
	    .frag_more = 0, .data = HTTP_GET }, .hint = AF_INET6,
	  .w = { W_PROTO | W_SPORT | W_SEQ | W_PAYLOAD | W_PAYLEN, .proto = IPPROTO_TCP,
	    .sport = 40000, .seq = 5, .payload = 40 + 8 + 20, .payload_len = GET_LEN } },
};

START_TEST(test_fragments)
{
	run_case(&fragments[_i]);
}
END_TEST

/* --- IPv6 extension headers ------------------------------------------ */

static const struct dcase ipv6_ext[] = {
	{ "ext chain decoded", { TCP6(40000, 80, TCP_PSH | TCP_ACK, 11, 22),
	    .ext = { EXT(PKT_EXT_HOPOPTS, 8), EXT(PKT_EXT_ROUTING, 24), EXT(PKT_EXT_DSTOPTS, 16) },
	    .data = HTTP_GET }, .hint = AF_INET6,
	  .w = { W_L4OFF | W_PROTO | W_SPORT | W_DPORT | W_SEQ | W_ACK | W_PAYLOAD | W_PAYLEN,
	    .l4_off = 40 + 8 + 24 + 16, .proto = IPPROTO_TCP, .sport = 40000, .dport = 80,
	    .seq = 11, .ack = 22, .payload = 40 + 8 + 24 + 16 + 20, .payload_len = GET_LEN } },
	/* AH's length field 1: (1 + 2) * 4 bytes. */
	{ "ah length units", { UDP6(1, 2), .ext = { EXT(PKT_EXT_AH, 12) }, .data = "abc" },
	  .hint = AF_INET6, .w = { W_PROTO | W_PAYLOAD, .proto = IPPROTO_UDP,
	    .payload = 40 + 12 + 8 } },
	/* Walked to the end up to the bound (the attacker's 9 headers too). */
	{ "nine ext ok", { UDP6(1, 2), .ext = { EXTS(PKT_EXT_DSTOPTS, 8, 9) } }, .hint = AF_INET6,
	  .w = { W_PROTO | W_DPORT, .proto = IPPROTO_UDP, .dport = 2 } },
	{ "bound ext ok", { UDP6(1, 2), .ext = { EXTS(PKT_EXT_DSTOPTS, 8, DECODE_IPV6_EXT_MAX) } },
	  .hint = AF_INET6, .w = { W_PROTO, .proto = IPPROTO_UDP } },
	{ "ext chain too long", { UDP6(1, 2),
	    .ext = { EXTS(PKT_EXT_DSTOPTS, 8, DECODE_IPV6_EXT_MAX + 1) } }, .exact = 1,
	  .hint = AF_INET6, .anom = ANOM_IPV6_EXT_CHAIN,
	  .w = { W_PROTO | W_DST, .proto = PKT_EXT_DSTOPTS } },
	/* Fewer than 8 bytes left for the extension header itself. */
	{ "ext truncated header", { TCP6(1, 2, TCP_ACK, 1, 1), .ext = { EXT(PKT_EXT_HOPOPTS, 8) } },
	  { { 4, 0 }, { 5, 4 } }, 2, .cut = 44, .exact = 1, .hint = AF_INET6,
	  .anom = ANOM_IPV6_EXT_TRUNCATED, .w = { W_PROTO, .proto = PKT_EXT_HOPOPTS } },
	/* The routing header claims 88 bytes, more than the packet holds. */
	{ "ext length past end", { TCP6(1, 2, TCP_ACK, 1, 1),
	    .ext = { EXT(PKT_EXT_HOPOPTS, 8), EXT(PKT_EXT_ROUTING, 8) } },
	  { { 40 + 8 + 1, 10 } }, 1, .exact = 1, .hint = AF_INET6, .anom = ANOM_IPV6_EXT_TRUNCATED,
	  .w = { W_PROTO, .proto = PKT_EXT_ROUTING } },
	/* No next header: a packet of protocol 59, with no payload. */
	{ "no next header", { UDP6(1, 2), .ip_proto = 59, .ext = { EXT(PKT_EXT_DSTOPTS, 8) } },
	  .hint = AF_INET6, .w = { W_PROTO | W_SPORT | W_DPORT, .proto = 59 } },
};

START_TEST(test_ipv6_ext)
{
	run_case(&ipv6_ext[_i]);
}
END_TEST

/* --- versions and protocols ------------------------------------------- */

static const struct dcase protocols[] = {
	{ "ipv4 with the ipv6 hint", { GET4 }, .exact = 1, .hint = AF_INET6,
	  .anom = ANOM_BAD_VERSION },
	{ "ipv6 with the ipv4 hint", { UDP6(1, 2) }, .exact = 1, .hint = AF_INET,
	  .anom = ANOM_BAD_VERSION },
	{ "ipv6 without a hint", { UDP6(1, 2) }, .exact = 1, .hint = 0, .anom = ANOM_NONE },
	{ "version 5", { GET4 }, { { 0, 0x55 } }, 1, .exact = 1, .anom = ANOM_BAD_VERSION },
	{ "version 0, one byte", { GET4 }, { { 0, 0x05 } }, 1, .cut = 1, .exact = 1,
	  .anom = ANOM_BAD_VERSION },
	/* Every protocol is a flow of its own: no ports, its L4 bytes the payload. */
	{ "gre", { UDP4(0, 0), .ip_proto = 47, .data = "gre" }, .hint = AF_INET,
	  .w = { W_PROTO | W_FAMILY | W_DST | W_SPORT | W_DPORT | W_PAYLOAD | W_PAYLEN,
	    .proto = 47, .payload = 20, .payload_len = 3 } },
	/* SCTP, after a hop-by-hop header. */
	{ "sctp", { UDP6(0, 0), .ip_proto = 132, .ext = { EXT(PKT_EXT_HOPOPTS, 8) } },
	  .hint = AF_INET6, .w = { W_PROTO | W_PAYLOAD, .proto = 132, .payload = 48 } },
};

START_TEST(test_protocols)
{
	run_case(&protocols[_i]);
}
END_TEST

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, test_valid, 0, NROWS(valid));
	tcase_add_test(tc, test_ipv4_options_skipped);
	tcase_add_test(tc, test_anomaly_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("lengths");
	tcase_add_test(tc, test_empty_buffer);
	tcase_add_loop_test(tc, test_truncated_every_length, 0, NROWS(cuts));
	tcase_add_loop_test(tc, test_length_follows_cut, 0, NROWS(follows));
	tcase_add_loop_test(tc, test_lengths, 0, NROWS(lengths));
	suite_add_tcase(s, tc);

	tc = tcase_create("fragments");
	tcase_add_loop_test(tc, test_fragments, 0, NROWS(fragments));
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv6_ext");
	tcase_add_loop_test(tc, test_ipv6_ext, 0, NROWS(ipv6_ext));
	suite_add_tcase(s, tc);

	tc = tcase_create("protocols");
	tcase_add_loop_test(tc, test_protocols, 0, NROWS(protocols));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
