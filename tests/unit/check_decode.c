/*
 * check_decode.c: the IPv4/IPv6/TCP/UDP/ICMP decoder, on packets from pkt.c.
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

static uint8_t buf[4096];
static struct packet p;

static const char http_get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

/* Builds q into buf; fails the test when it cannot. */
static size_t
build(struct pkt *q)
{
	size_t len = pkt_build(q, buf, sizeof(buf));

	ck_assert_uint_gt(len, 0);
	return len;
}

/* 40 bytes of headers, then http_get (27 bytes). */
static size_t
tcp4_get(struct pkt *q)
{
	pkt_tcp(q, C4, 40000, S4, 80, TCP_PSH | TCP_ACK, 1000, 2000);
	pkt_str(q, http_get);
	return build(q);
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
	uint8_t *copy = malloc(len ? len : 1);
	enum decode_anomaly a;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, b, len);
	a = decode_packet(&p, copy, len, hint);
	free(copy);
	return a;
}

/* --- valid packets --------------------------------------------------- */

START_TEST(test_tcp4_fields)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
	ck_assert_ptr_eq(p.data, buf);
	ck_assert_uint_eq(p.len, len);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	ck_assert_int_eq(p.addr_len, 4);
	ck_assert_ptr_eq(p.src, buf + 12);
	ck_assert_ptr_eq(p.dst, buf + 16);
	assert_addr(p.src, AF_INET, C4);
	assert_addr(p.dst, AF_INET, S4);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, 80);
	ck_assert_uint_eq(p.seq, 1000);
	ck_assert_uint_eq(p.ack, 2000);
	ck_assert_uint_eq(p.tcp_flags, TCP_PSH | TCP_ACK);
	ck_assert_uint_eq(p.win, 65535);
	ck_assert_ptr_eq(p.payload, buf + 40);
	ck_assert_uint_eq(p.payload_len, strlen(http_get));
	ck_assert_mem_eq(p.payload, http_get, strlen(http_get));
}
END_TEST

START_TEST(test_tcp4_high_values)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C4, 65535, S4, 1, TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST, 0xfffffffe, 0x80000001);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, 0), ANOM_NONE);
	ck_assert_uint_eq(p.sport, 65535);
	ck_assert_uint_eq(p.dport, 1);
	ck_assert_uint_eq(p.seq, 0xfffffffeu);
	ck_assert_uint_eq(p.ack, 0x80000001u);
	ck_assert_uint_eq(p.tcp_flags, TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST);
	ck_assert_uint_eq(p.payload_len, 0);
	ck_assert_ptr_eq(p.payload, buf + len);
}
END_TEST

START_TEST(test_tcp_options_skipped)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, 1, 1);
	q.tcp_optlen = 12;
	pkt_str(&q, "xyz");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
	ck_assert_ptr_eq(p.payload, buf + 20 + 32);
	ck_assert_uint_eq(p.payload_len, 3);
	ck_assert_mem_eq(p.payload, "xyz", 3);
}
END_TEST

START_TEST(test_tcp6_fields)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C6, 40000, S6, 443, TCP_SYN, 7, 0);
	pkt_str(&q, http_get);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_uint_eq(p.len, len);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	ck_assert_int_eq(p.addr_len, 16);
	ck_assert_ptr_eq(p.src, buf + 8);
	ck_assert_ptr_eq(p.dst, buf + 24);
	assert_addr(p.src, AF_INET6, C6);
	assert_addr(p.dst, AF_INET6, S6);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, 443);
	ck_assert_uint_eq(p.seq, 7);
	ck_assert_uint_eq(p.ack, 0);
	ck_assert_uint_eq(p.tcp_flags, TCP_SYN);
	ck_assert_ptr_eq(p.payload, buf + 60);
	ck_assert_uint_eq(p.payload_len, strlen(http_get));
}
END_TEST

START_TEST(test_udp4_fields)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C4, 5353, S4, 53);
	pkt_str(&q, "query");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
	ck_assert_uint_eq(p.sport, 5353);
	ck_assert_uint_eq(p.dport, 53);
	ck_assert_uint_eq(p.tcp_flags, 0);
	ck_assert_ptr_eq(p.payload, buf + 28);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_mem_eq(p.payload, "query", 5);
}
END_TEST

START_TEST(test_udp6_fields)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 5353, S6, 53);
	pkt_str(&q, "query");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
	ck_assert_uint_eq(p.sport, 5353);
	ck_assert_uint_eq(p.dport, 53);
	ck_assert_ptr_eq(p.payload, buf + 48);
	ck_assert_uint_eq(p.payload_len, 5);
}
END_TEST

START_TEST(test_udp_empty_payload)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C4, 1, S4, 2);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
	ck_assert_uint_eq(p.payload_len, 0);
}
END_TEST

START_TEST(test_icmp4_echo)
{
	struct pkt q;
	size_t len;

	pkt_icmp(&q, C4, S4, 8, 0, 0x1234);
	pkt_str(&q, "ping");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_ICMP);
	ck_assert_uint_eq(p.icmp_type, 8);
	ck_assert_uint_eq(p.icmp_code, 0);
	ck_assert_uint_eq(p.sport, 0x1234);
	ck_assert_uint_eq(p.dport, 0x1234);
	ck_assert_ptr_eq(p.payload, buf + 28);
	ck_assert_uint_eq(p.payload_len, 4);
}
END_TEST

START_TEST(test_icmp4_not_echo_has_no_id)
{
	struct pkt q;
	size_t len;

	pkt_icmp(&q, C4, S4, 3, 3, 0x1234);	/* port unreachable */
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
	ck_assert_uint_eq(p.icmp_type, 3);
	ck_assert_uint_eq(p.icmp_code, 3);
	ck_assert_uint_eq(p.sport, 0);
	ck_assert_uint_eq(p.dport, 0);
}
END_TEST

START_TEST(test_icmp6_echo)
{
	struct pkt q;
	size_t len;

	pkt_icmp(&q, C6, S6, 129, 0, 0xbeef);
	pkt_str(&q, "pong");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_ICMPV6);
	ck_assert_uint_eq(p.icmp_type, 129);
	ck_assert_uint_eq(p.sport, 0xbeef);
	ck_assert_uint_eq(p.dport, 0xbeef);
	ck_assert_ptr_eq(p.payload, buf + 48);
	ck_assert_uint_eq(p.payload_len, 4);
}
END_TEST

START_TEST(test_icmp_truncated)
{
	struct pkt q;
	size_t len;

	pkt_icmp(&q, C4, S4, 8, 0, 1);
	len = build(&q);
	buf[3] = (uint8_t)(len - 1);	/* IP total length cuts the ICMP header */
	ck_assert_int_eq(decode_exact(buf, len - 1, AF_INET), ANOM_ICMP_TRUNCATED);
}
END_TEST

/* --- truncation and lengths ------------------------------------------ */

/* The buffer is cut but the IP header still claims the full length. */
START_TEST(test_tcp4_truncated_every_length)
{
	struct pkt q;
	size_t full = tcp4_get(&q);

	for (size_t n = 0; n < full; n++) {
		enum decode_anomaly a = decode_exact(buf, n, AF_INET);

		if (n < 20)
			ck_assert_msg(a == ANOM_TRUNCATED_IP, "len %zu: %s", n, decode_anomaly_name(a));
		else
			ck_assert_msg(a == ANOM_BAD_IP_LEN, "len %zu: %s", n, decode_anomaly_name(a));
	}
	ck_assert_int_eq(decode_exact(buf, full, AF_INET), ANOM_NONE);
}
END_TEST

/* The IP total length follows the cut, so the TCP layer sees it. */
START_TEST(test_tcp4_short_ip_length_every_length)
{
	struct pkt q;
	size_t full = tcp4_get(&q);

	for (size_t n = 20; n <= full; n++) {
		enum decode_anomaly a;

		buf[2] = (uint8_t)(n >> 8);
		buf[3] = (uint8_t)n;
		a = decode_exact(buf, n, AF_INET);
		if (n < 40)
			ck_assert_msg(a == ANOM_TCP_TRUNCATED, "len %zu: %s", n, decode_anomaly_name(a));
		else {
			ck_assert_msg(a == ANOM_NONE, "len %zu: %s", n, decode_anomaly_name(a));
			ck_assert_uint_eq(p.payload_len, n - 40);
		}
	}
}
END_TEST

START_TEST(test_tcp6_truncated_every_length)
{
	struct pkt q;
	size_t full;

	pkt_tcp(&q, C6, 40000, S6, 80, TCP_ACK, 1, 1);
	pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	pkt_str(&q, http_get);
	full = build(&q);
	for (size_t n = 0; n < full; n++) {
		enum decode_anomaly a = decode_exact(buf, n, AF_INET6);

		if (n < 40)
			ck_assert_msg(a == ANOM_TRUNCATED_IP, "len %zu: %s", n, decode_anomaly_name(a));
		else
			ck_assert_msg(a == ANOM_BAD_IP_LEN, "len %zu: %s", n, decode_anomaly_name(a));
	}
	/* With the payload length following the cut. */
	for (size_t n = 40; n <= full; n++) {
		enum decode_anomaly a, want;

		buf[4] = (uint8_t)((n - 40) >> 8);
		buf[5] = (uint8_t)(n - 40);
		a = decode_exact(buf, n, AF_INET6);
		want = n < 48 ? ANOM_IPV6_EXT_TRUNCATED : n < 68 ? ANOM_TCP_TRUNCATED : ANOM_NONE;
		ck_assert_msg(a == want, "len %zu: %s, not %s", n, decode_anomaly_name(a),
		    decode_anomaly_name(want));
	}
}
END_TEST

START_TEST(test_empty_buffer)
{
	ck_assert_int_eq(decode_exact(buf, 0, 0), ANOM_TRUNCATED_IP);
	ck_assert_int_eq(decode_exact(buf, 0, AF_INET6), ANOM_TRUNCATED_IP);
}
END_TEST

START_TEST(test_bad_ihl)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	buf[0] = 0x44;		/* 16 bytes: below the minimum */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_BAD_IHL);
	buf[0] = 0x40;
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_BAD_IHL);
	buf[0] = 0x4f;		/* 60 bytes: past a 30-byte buffer */
	ck_assert_int_eq(decode_exact(buf, 30, AF_INET), ANOM_BAD_IHL);
}
END_TEST

START_TEST(test_ihl_beyond_total_length)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	ck_assert_uint_gt(len, 60);
	buf[0] = 0x4f;		/* 60 bytes of header, fits the buffer ... */
	buf[2] = 0;
	buf[3] = 40;		/* ... but not the 40 bytes of total length */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_BAD_IP_LEN);
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
	ck_assert_uint_eq(p.payload_len, strlen(http_get));
}
END_TEST

START_TEST(test_total_length_beyond_buffer)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	buf[2] = (uint8_t)((len + 1) >> 8);
	buf[3] = (uint8_t)(len + 1);
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_BAD_IP_LEN);
	buf[2] = 0;
	buf[3] = 19;		/* below the header length */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_BAD_IP_LEN);
}
END_TEST

START_TEST(test_ipv6_payload_length_beyond_buffer)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C6, 1, S6, 2, TCP_ACK, 1, 1);
	len = build(&q);
	buf[5]++;
	ck_assert_int_eq(decode_exact(buf, len, AF_INET6), ANOM_BAD_IP_LEN);
}
END_TEST

START_TEST(test_trailing_bytes_trimmed)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	memset(buf + len, 'Z', 16);	/* Ethernet padding, say */
	ck_assert_int_eq(decode_exact(buf, len + 16, AF_INET), ANOM_NONE);
	ck_assert_uint_eq(p.len, len);
	ck_assert_uint_eq(p.payload_len, strlen(http_get));
}
END_TEST

START_TEST(test_trailing_bytes_trimmed_ipv6)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	pkt_str(&q, "abc");
	len = build(&q);
	memset(buf + len, 'Z', 10);
	ck_assert_int_eq(decode_exact(buf, len + 10, AF_INET6), ANOM_NONE);
	ck_assert_uint_eq(p.len, len);
	ck_assert_uint_eq(p.payload_len, 3);
}
END_TEST

/* --- IPv4 fragments --------------------------------------------------- */

START_TEST(test_ipv4_first_fragment)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, 1, 1);
	pkt_str(&q, http_get);
	pkt_frag(&q, 0, 1);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_FRAGMENT);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	assert_addr(p.src, AF_INET, C4);
	assert_addr(p.dst, AF_INET, S4);
}
END_TEST

START_TEST(test_ipv4_later_fragment)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C4, 1, S4, 2);
	pkt_str(&q, "data");
	pkt_frag(&q, 185, 0);	/* last fragment */
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_FRAGMENT);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
	pkt_frag(&q, 1, 1);	/* middle fragment */
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_FRAGMENT);
}
END_TEST

START_TEST(test_ipv4_df_is_not_fragment)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, 1, 1);
	q.ip_frag = 0x4000;	/* DF */
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_NONE);
}
END_TEST

/* --- IPv6 extension headers ------------------------------------------ */

START_TEST(test_ipv6_ext_chain_decoded)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C6, 40000, S6, 80, TCP_PSH | TCP_ACK, 11, 22);
	pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	pkt_ext(&q, PKT_EXT_ROUTING, 24);
	pkt_ext(&q, PKT_EXT_DSTOPTS, 16);
	pkt_str(&q, http_get);
	len = build(&q);
	ck_assert_uint_eq(q.l4_off, 40 + 8 + 24 + 16);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, 80);
	ck_assert_uint_eq(p.seq, 11);
	ck_assert_uint_eq(p.ack, 22);
	ck_assert_ptr_eq(p.payload, buf + q.l4_off + 20);
	ck_assert_uint_eq(p.payload_len, strlen(http_get));
}
END_TEST

START_TEST(test_ipv6_ah_length_units)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	pkt_ext(&q, PKT_EXT_AH, 12);	/* length field 1: (1 + 2) * 4 */
	pkt_str(&q, "abc");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
	ck_assert_ptr_eq(p.payload, buf + 40 + 12 + 8);
}
END_TEST

START_TEST(test_ipv6_eight_ext_ok)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pkt_ext(&q, PKT_EXT_DSTOPTS, 8), 0);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
}
END_TEST

START_TEST(test_ipv6_ext_chain_too_long)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	for (int i = 0; i < 9; i++)
		ck_assert_int_eq(pkt_ext(&q, PKT_EXT_DSTOPTS, 8), 0);
	len = build(&q);
	ck_assert_int_eq(decode_exact(buf, len, AF_INET6), ANOM_IPV6_EXT_CHAIN);
	ck_assert_int_eq(p.proto, PKT_EXT_DSTOPTS);
}
END_TEST

START_TEST(test_ipv6_ext_truncated_header)
{
	struct pkt q;

	/* Fewer than 8 bytes left for the extension header itself. */
	pkt_tcp(&q, C6, 1, S6, 2, TCP_ACK, 1, 1);
	pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	build(&q);
	buf[4] = 0;
	buf[5] = 4;
	ck_assert_int_eq(decode_exact(buf, 44, AF_INET6), ANOM_IPV6_EXT_TRUNCATED);
	ck_assert_int_eq(p.proto, PKT_EXT_HOPOPTS);
}
END_TEST

START_TEST(test_ipv6_ext_length_past_end)
{
	struct pkt q;
	size_t len;

	/* The routing header claims more bytes than the packet holds. */
	pkt_tcp(&q, C6, 1, S6, 2, TCP_ACK, 1, 1);
	pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	pkt_ext(&q, PKT_EXT_ROUTING, 8);
	len = build(&q);
	buf[40 + 8 + 1] = 10;	/* 88 bytes */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET6), ANOM_IPV6_EXT_TRUNCATED);
	ck_assert_int_eq(p.proto, PKT_EXT_ROUTING);
}
END_TEST

START_TEST(test_ipv6_fragment_non_first)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	pkt_frag(&q, 100, 0);
	pkt_str(&q, "tail");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_FRAGMENT);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
	assert_addr(p.src, AF_INET6, C6);
}
END_TEST

START_TEST(test_ipv6_fragment_first_with_more)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C6, 1, S6, 2, TCP_ACK, 1, 1);
	pkt_frag(&q, 0, 1);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_FRAGMENT);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
}
END_TEST

START_TEST(test_ipv6_atomic_fragment)
{
	struct pkt q;
	size_t len;

	pkt_tcp(&q, C6, 40000, S6, 80, TCP_ACK, 5, 6);
	pkt_frag(&q, 0, 0);
	pkt_str(&q, http_get);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_NONE);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.seq, 5);
	ck_assert_ptr_eq(p.payload, buf + 40 + 8 + 20);
	ck_assert_uint_eq(p.payload_len, strlen(http_get));
}
END_TEST

START_TEST(test_ipv6_no_next_header)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	q.proto = 59;
	pkt_ext(&q, PKT_EXT_DSTOPTS, 8);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_OTHER_PROTO);
	ck_assert_int_eq(p.proto, 59);
}
END_TEST

/* --- L4 header errors ------------------------------------------------- */

START_TEST(test_tcp_bad_doff)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	buf[20 + 12] = 4 << 4;		/* 16 bytes: below the TCP header */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_TCP_BAD_DOFF);
	buf[20 + 12] = 0;
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_TCP_BAD_DOFF);
	buf[20 + 12] = 15 << 4;		/* 60 bytes: past the 47-byte segment */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_TCP_BAD_DOFF);
}
END_TEST

START_TEST(test_tcp_doff_whole_segment)
{
	struct pkt q;
	size_t len;

	/* Options fill the segment exactly: no payload, not an error. */
	pkt_tcp(&q, C4, 1, S4, 2, TCP_SYN, 1, 0);
	q.tcp_optlen = 40;
	len = build(&q);
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_NONE);
	ck_assert_uint_eq(p.payload_len, 0);
}
END_TEST

START_TEST(test_udp_bad_length)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C4, 1, S4, 2);
	pkt_str(&q, "abcd");
	len = build(&q);
	buf[20 + 4] = 0;
	buf[20 + 5] = 7;		/* below the UDP header */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_UDP_BAD_LEN);
	buf[20 + 5] = 13;		/* one past the datagram */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_UDP_BAD_LEN);
	buf[20 + 5] = 9;		/* shorter is GSO, accepted */
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_NONE);
	ck_assert_uint_eq(p.payload_len, 4);
}
END_TEST

START_TEST(test_udp_truncated)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C6, 1, S6, 2);
	len = build(&q);
	buf[5] = 7;			/* 7 bytes of UDP header */
	ck_assert_int_eq(decode_exact(buf, len - 1, AF_INET6), ANOM_UDP_TRUNCATED);
}
END_TEST

/* --- versions and protocols ------------------------------------------- */

START_TEST(test_family_hint_mismatch)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	ck_assert_int_eq(decode_exact(buf, len, AF_INET6), ANOM_BAD_VERSION);
	pkt_udp(&q, C6, 1, S6, 2);
	len = build(&q);
	ck_assert_int_eq(decode_exact(buf, len, AF_INET), ANOM_BAD_VERSION);
	ck_assert_int_eq(decode_exact(buf, len, 0), ANOM_NONE);
}
END_TEST

START_TEST(test_bad_version)
{
	struct pkt q;
	size_t len = tcp4_get(&q);

	buf[0] = 0x55;
	ck_assert_int_eq(decode_exact(buf, len, 0), ANOM_BAD_VERSION);
	buf[0] = 0x05;
	ck_assert_int_eq(decode_exact(buf, 1, 0), ANOM_BAD_VERSION);
}
END_TEST

START_TEST(test_other_proto)
{
	struct pkt q;
	size_t len;

	pkt_udp(&q, C4, 0, S4, 0);
	q.proto = 47;		/* GRE */
	pkt_str(&q, "gre");
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET), ANOM_OTHER_PROTO);
	ck_assert_int_eq(p.proto, 47);
	ck_assert_int_eq(p.family, AF_INET);
	assert_addr(p.dst, AF_INET, S4);

	pkt_udp(&q, C6, 0, S6, 0);
	q.proto = 132;		/* SCTP, after a hop-by-hop header */
	pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	len = build(&q);
	ck_assert_int_eq(decode_packet(&p, buf, len, AF_INET6), ANOM_OTHER_PROTO);
	ck_assert_int_eq(p.proto, 132);
}
END_TEST

START_TEST(test_anomaly_names)
{
	ck_assert_str_eq(decode_anomaly_name(ANOM_NONE), "none");
	ck_assert_str_eq(decode_anomaly_name(ANOM_FRAGMENT), "ip_fragment");
	ck_assert_str_eq(decode_anomaly_name(ANOM_OTHER_PROTO), "other_l4_protocol");
	ck_assert_str_eq(decode_anomaly_name(ANOM_COUNT), "?");
	for (int a = 0; a < ANOM_COUNT; a++)
		ck_assert_ptr_nonnull(decode_anomaly_name((enum decode_anomaly)a));
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_tcp4_fields);
	tcase_add_test(tc, test_tcp4_high_values);
	tcase_add_test(tc, test_tcp_options_skipped);
	tcase_add_test(tc, test_tcp6_fields);
	tcase_add_test(tc, test_udp4_fields);
	tcase_add_test(tc, test_udp6_fields);
	tcase_add_test(tc, test_udp_empty_payload);
	tcase_add_test(tc, test_icmp4_echo);
	tcase_add_test(tc, test_icmp4_not_echo_has_no_id);
	tcase_add_test(tc, test_icmp6_echo);
	tcase_add_test(tc, test_ipv4_options_skipped);
	tcase_add_test(tc, test_tcp_doff_whole_segment);
	tcase_add_test(tc, test_anomaly_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("lengths");
	tcase_add_test(tc, test_empty_buffer);
	tcase_add_test(tc, test_tcp4_truncated_every_length);
	tcase_add_test(tc, test_tcp4_short_ip_length_every_length);
	tcase_add_test(tc, test_tcp6_truncated_every_length);
	tcase_add_test(tc, test_bad_ihl);
	tcase_add_test(tc, test_ihl_beyond_total_length);
	tcase_add_test(tc, test_total_length_beyond_buffer);
	tcase_add_test(tc, test_ipv6_payload_length_beyond_buffer);
	tcase_add_test(tc, test_trailing_bytes_trimmed);
	tcase_add_test(tc, test_trailing_bytes_trimmed_ipv6);
	tcase_add_test(tc, test_icmp_truncated);
	tcase_add_test(tc, test_tcp_bad_doff);
	tcase_add_test(tc, test_udp_bad_length);
	tcase_add_test(tc, test_udp_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("fragments");
	tcase_add_test(tc, test_ipv4_first_fragment);
	tcase_add_test(tc, test_ipv4_later_fragment);
	tcase_add_test(tc, test_ipv4_df_is_not_fragment);
	tcase_add_test(tc, test_ipv6_fragment_non_first);
	tcase_add_test(tc, test_ipv6_fragment_first_with_more);
	tcase_add_test(tc, test_ipv6_atomic_fragment);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv6_ext");
	tcase_add_test(tc, test_ipv6_ext_chain_decoded);
	tcase_add_test(tc, test_ipv6_ah_length_units);
	tcase_add_test(tc, test_ipv6_eight_ext_ok);
	tcase_add_test(tc, test_ipv6_ext_chain_too_long);
	tcase_add_test(tc, test_ipv6_ext_truncated_header);
	tcase_add_test(tc, test_ipv6_ext_length_past_end);
	tcase_add_test(tc, test_ipv6_no_next_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("protocols");
	tcase_add_test(tc, test_family_hint_mismatch);
	tcase_add_test(tc, test_bad_version);
	tcase_add_test(tc, test_other_proto);
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
