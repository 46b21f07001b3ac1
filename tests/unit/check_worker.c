/*
 * check_worker.c: the replay test.  Packets built with pkt.c go through
 * worker_packet() exactly as nfq.c hands them over (bytes from the IP
 * header on, the family NFQUEUE reports, a millisecond clock).
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "packet/decode.h"
#include "fixture_policy.h"
#include "packet/doubt.h"
#include "packet/flow.h"
#include "base/types.h"
#include "pkt.h"
#include "packet/reasm.h"
#include "packet/worker.h"

#define C4	"198.18.0.1"
#define S4	"198.18.0.2"
#define C6	"fd00::1"
#define S6	"fd00::2"

static const struct reasm_limits default_limits = { .depth = 1048576, .memcap = 256u << 20 };

static const char request[] = "GET /index.html HTTP/1.1\r\nHost: s\r\n\r\n";
static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

static struct worker w;
static uint64_t clock_ms;
static size_t ip_bytes[2];	/* IP bytes sent by client and server */

/* One TCP connection as both ends see it. */
struct conn {
	const char *caddr, *saddr;
	uint16_t cport, sport;
	uint32_t seq[2];	/* next sequence number of client [0] and server [1] */
	int hop_by_hop;		/* IPv6: add an extension header to every packet */
};

static void
start(enum fail_mode fm, uint64_t max_flows)
{
	ck_assert_int_eq(worker_init(&w, 0, 0, max_flows, fm), 0);
	/* These tests follow streams to stream_depth (bypass_identified no);
	 * check_appid covers the bypass of identified flows. */
	w.bypass_identified = 0;
	clock_ms = 1000000;
	ip_bytes[0] = ip_bytes[1] = 0;
}

static void
setup(void)
{
	reasm_set_limits(&default_limits);
	start(FAIL_OPEN, 1000);
}

static void
teardown(void)
{
	worker_destroy(&w);
	reasm_set_limits(&default_limits);
	ck_assert_uint_eq(reasm_memuse(), 0);
}

/* Builds q and hands it to the worker 1 ms after the previous packet. */
static enum verdict
feed(struct pkt *q, int from)
{
	uint8_t buf[2048];
	size_t len = pkt_build(q, buf, sizeof(buf));

	ck_assert_uint_gt(len, 0);
	ip_bytes[from] += len;
	clock_ms++;
	return worker_packet(&w, buf, len, q->family, 0, 0, clock_ms);
}

static void
conn_init(struct conn *k, const char *caddr, uint16_t cport, const char *saddr, uint16_t sport)
{
	memset(k, 0, sizeof(*k));
	k->caddr = caddr;
	k->saddr = saddr;
	k->cport = cport;
	k->sport = sport;
	k->seq[0] = 1000;
	k->seq[1] = 0xfffffff0u;	/* the server's stream wraps around */
}

/* A segment from the client (from 0) or the server (from 1), ACKing all
 * the other side sent. */
static enum verdict
seg(struct conn *k, int from, uint8_t flags, const char *data)
{
	struct pkt q;
	uint32_t ack = (flags & TCP_ACK) ? k->seq[!from] : 0;

	if (from == 0)
		pkt_tcp(&q, k->caddr, k->cport, k->saddr, k->sport, flags, k->seq[0], ack);
	else
		pkt_tcp(&q, k->saddr, k->sport, k->caddr, k->cport, flags, k->seq[1], ack);
	pkt_str(&q, data);
	if (k->hop_by_hop)
		pkt_ext(&q, PKT_EXT_HOPOPTS, 8);
	k->seq[from] += (uint32_t)strlen(data) + !!(flags & TCP_SYN) + !!(flags & TCP_FIN);
	return feed(&q, from);
}

static void
handshake(struct conn *k)
{
	ck_assert_int_eq(seg(k, 0, TCP_SYN, ""), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 1, TCP_SYN | TCP_ACK, ""), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 0, TCP_ACK, ""), VERDICT_ACCEPT);
}

static struct flow *
find_flow(const struct pkt *q0)
{
	struct pkt q = *q0;
	uint8_t buf[2048];
	struct packet p;
	struct flow_key key;
	size_t len = pkt_build(&q, buf, sizeof(buf));

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(decode_packet(&p, buf, len, 0), ANOM_NONE);
	flow_key_make(&key, &p);
	return flow_lookup(&w.ft, &key, flow_hash(&w.ft, &key));
}

static struct flow *
conn_flow(const struct conn *k)
{
	struct pkt q;

	pkt_tcp(&q, k->caddr, k->cport, k->saddr, k->sport, TCP_ACK, 0, 0);
	return find_flow(&q);
}

/* The key side of the flow that holds addr. */
static int
side_of(const struct flow *f, const char *addr, uint16_t port)
{
	struct pkt q;
	uint8_t buf[128];
	struct packet p;
	size_t len;

	pkt_udp(&q, addr, port, addr, port);
	len = pkt_build(&q, buf, sizeof(buf));
	ck_assert_int_eq(decode_packet(&p, buf, len, 0), ANOM_NONE);
	for (int i = 0; i < 2; i++)
		if (memcmp(f->key.addr[i], p.src, p.addr_len) == 0 && f->key.port[i] == port)
			return i;
	ck_abort_msg("%s port %u is not in the flow", addr, port);
	return -1;
}

/* Handshake, request, response, FIN both ways: 9 packets (6 from the
 * client), all accepted. */
static void
replay_connection(struct conn *k)
{
	handshake(k);
	ck_assert_int_eq(seg(k, 0, TCP_PSH | TCP_ACK, request), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 1, TCP_PSH | TCP_ACK, response), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 0, TCP_ACK, ""), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 0, TCP_FIN | TCP_ACK, ""), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 1, TCP_FIN | TCP_ACK, ""), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(k, 0, TCP_ACK, ""), VERDICT_ACCEPT);
}

static void
assert_replayed(const struct conn *k)
{
	struct flow *f = conn_flow(k);

	ck_assert_uint_eq(w.st.packets, 9);
	ck_assert_uint_eq(w.st.bytes, ip_bytes[0] + ip_bytes[1]);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_ACCEPT], 9);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_DROP], 0);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_BYPASS], 0);
	ck_assert_uint_eq(w.st.undecoded, 0);
	ck_assert_uint_eq(w.ft.st.created, 1);
	ck_assert_uint_eq(w.ft.st.active, 1);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->client, side_of(f, k->caddr, k->cport));
	ck_assert_uint_eq(f->pkts[DIR_TO_SERVER], 6);
	ck_assert_uint_eq(f->pkts[DIR_TO_CLIENT], 3);
	ck_assert_uint_eq(f->bytes[DIR_TO_SERVER], ip_bytes[0]);
	ck_assert_uint_eq(f->bytes[DIR_TO_CLIENT], ip_bytes[1]);
	ck_assert_int_eq(f->tcp_state, TCPS_CLOSING);
	ck_assert_uint_eq(f->flags, FLOW_F_REPLIED);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].offset, strlen(request));
	ck_assert_uint_eq(f->rs[DIR_TO_CLIENT].offset, strlen(response));
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin, 1);
	ck_assert_uint_eq(f->rs[DIR_TO_CLIENT].fin, 1);
	ck_assert_uint_eq(w.st.reasm.delivered, strlen(request) + strlen(response));
	ck_assert_uint_eq(w.st.reasm.gaps, 0);
	ck_assert_uint_eq(w.st.reasm.retransmits, 0);
	ck_assert_uint_eq(w.st.reasm.ooo_segments, 0);
}

/* --- replay ----------------------------------------------------------------- */

START_TEST(test_replay_ipv4)
{
	struct conn k;

	conn_init(&k, C4, 40000, S4, 80);
	replay_connection(&k);
	assert_replayed(&k);
}
END_TEST

START_TEST(test_replay_ipv6_with_ext_header)
{
	struct conn k;

	conn_init(&k, S6, 40000, C6, 443);	/* the client has the higher address */
	k.hop_by_hop = 1;
	replay_connection(&k);
	assert_replayed(&k);
}
END_TEST

START_TEST(test_replay_out_of_order_and_retransmit)
{
	struct conn k;
	struct pkt q;
	struct flow *f;

	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	/* The request's second half overtakes its first. */
	pkt_tcp(&q, C4, 40000, S4, 80, TCP_PSH | TCP_ACK, k.seq[0] + 10, k.seq[1]);
	pkt_str(&q, request + 10);
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.reasm.ooo_segments, 1);
	ck_assert_uint_gt(reasm_memuse(), 0);
	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, k.seq[0], k.seq[1]);
	pkt_data(&q, request, 10);
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);	/* retransmitted */
	ck_assert_uint_eq(w.st.reasm.retransmits, 1);
	ck_assert_uint_eq(w.st.reasm.delivered, strlen(request));
	ck_assert_uint_eq(reasm_memuse(), 0);
	f = conn_flow(&k);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].offset, strlen(request));
}
END_TEST

/* Urgent data: the receiver takes a byte out of its stream, so nvd's
 * would differ; the segment is in doubt and changes no stream. */
START_TEST(test_urgent_data_is_doubt)
{
	struct conn k;
	struct pkt q;

	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK | TCP_URG, k.seq[0], k.seq[1]);
	pkt_str(&q, "GET /items?id=1 UNION SEL");
	feed(&q, 0);
	ck_assert_uint_eq(w.judge.st.unjudged[DOUBT_TCP_URG], 1);
	ck_assert_uint_eq(w.st.reasm.delivered, 0);
	ck_assert_uint_eq(conn_flow(&k)->rs[DIR_TO_SERVER].offset, 0);
	/* the same bytes without URG are the stream */
	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, k.seq[0], k.seq[1]);
	pkt_str(&q, "GET /items?id=1 UNION SEL");
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.reasm.delivered, 25);
}
END_TEST

START_TEST(test_gap_acknowledged_by_server)
{
	struct conn k;
	struct flow *f;

	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	k.seq[0] += 100;		/* 100 bytes nvd never saw */
	seg(&k, 0, TCP_PSH | TCP_ACK, request);
	seg(&k, 1, TCP_ACK, "");	/* acknowledges all of it */
	ck_assert_uint_eq(w.st.reasm.gaps, 1);
	ck_assert_uint_eq(w.st.reasm.gap_bytes, 100);
	ck_assert_uint_eq(w.st.reasm.delivered, strlen(request));
	f = conn_flow(&k);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].offset, 100 + strlen(request));
}
END_TEST

/* --- bypass ----------------------------------------------------------------- */

START_TEST(test_bypass_when_both_directions_reach_depth)
{
	struct conn k;
	struct flow *f;

	fx_set_limits(10, 256u << 20);
	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	ck_assert_int_eq(seg(&k, 0, TCP_PSH | TCP_ACK, request), VERDICT_ACCEPT);
	f = conn_flow(&k);
	ck_assert_int_eq(reasm_is_done(&f->rs[DIR_TO_SERVER]), 1);
	ck_assert_int_eq(reasm_is_done(&f->rs[DIR_TO_CLIENT]), 0);
	ck_assert_int_eq(seg(&k, 1, TCP_PSH | TCP_ACK, response), VERDICT_BYPASS);
	ck_assert_uint_eq(f->flags & FLOW_F_BYPASSED, FLOW_F_BYPASSED);
	/* No policy: bypass generation 0, which nvd.nft's static rules know. */
	ck_assert_uint_eq(w.bypass_mark, NVD_MARK_BYPASS | NVD_MARK_GEN(0));
	/* Packets queued before the kernel saw the mark are marked again;
	 * the flow is counted once. */
	ck_assert_int_eq(seg(&k, 0, TCP_ACK, ""), VERDICT_BYPASS);
	ck_assert_int_eq(seg(&k, 1, TCP_PSH | TCP_ACK, "more"), VERDICT_BYPASS);
	ck_assert_int_eq(seg(&k, 0, TCP_FIN | TCP_ACK, ""), VERDICT_BYPASS);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_BYPASS], 4);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_ACCEPT], 4);
	ck_assert_uint_eq(w.st.bypassed_flows, 1);
	ck_assert_uint_eq(w.st.bypass_returned, 0);
	ck_assert_uint_eq(w.bypass_mark, NVD_MARK_BYPASS);
	ck_assert_uint_eq(w.st.reasm.delivered, 20);
	ck_assert_uint_eq(w.st.reasm.depth_reached, 2);
	ck_assert_uint_eq(f->pkts[DIR_TO_SERVER] + f->pkts[DIR_TO_CLIENT], 8);
}
END_TEST

START_TEST(test_bypass_at_first_packet_with_depth_zero)
{
	struct conn k;

	fx_set_limits(0, 256u << 20);
	conn_init(&k, C4, 40000, S4, 80);
	ck_assert_int_eq(seg(&k, 0, TCP_SYN, ""), VERDICT_BYPASS);
	ck_assert_int_eq(seg(&k, 1, TCP_SYN | TCP_ACK, ""), VERDICT_BYPASS);
	ck_assert_int_eq(seg(&k, 0, TCP_ACK, ""), VERDICT_BYPASS);
	ck_assert_uint_eq(w.st.bypassed_flows, 1);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_BYPASS], 3);
	ck_assert_uint_eq(w.ft.st.created, 1);
}
END_TEST

/* nvd sees no FIN of a bypassed flow: a later connection on the same ports
 * must be a new flow, judged and inspected afresh. */
START_TEST(test_new_connection_after_bypass)
{
	struct conn k;

	fx_set_limits(10, 256u << 20);
	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	seg(&k, 0, TCP_PSH | TCP_ACK, request);
	ck_assert_int_eq(seg(&k, 1, TCP_PSH | TCP_ACK, response), VERDICT_BYPASS);
	conn_init(&k, C4, 40000, S4, 80);
	k.seq[0] += 7777;
	ck_assert_int_eq(seg(&k, 0, TCP_SYN, ""), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.ft.st.created, 2);
	ck_assert_uint_eq(conn_flow(&k)->flags & FLOW_F_BYPASSED, 0);
}
END_TEST

/* A SYN with a new initial sequence number on a flow whose end nvd missed. */
START_TEST(test_new_isn_is_new_connection)
{
	struct conn k;

	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	seg(&k, 0, TCP_PSH | TCP_ACK, request);
	conn_init(&k, C4, 40000, S4, 80);
	k.seq[0] += 100000;
	seg(&k, 0, TCP_SYN, "");
	ck_assert_uint_eq(w.ft.st.created, 2);
	ck_assert_int_eq(conn_flow(&k)->tcp_state, TCPS_SYN_SENT);
}
END_TEST

START_TEST(test_udp_bypass_at_depth)
{
	struct pkt q;

	fx_set_limits(10, 256u << 20);
	pkt_udp(&q, C4, 5353, S4, 5400);
	pkt_str(&q, "a query of more than ten bytes");
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	pkt_udp(&q, S4, 5400, C4, 5353);
	pkt_str(&q, "short");
	ck_assert_int_eq(feed(&q, 1), VERDICT_ACCEPT);
	ck_assert_int_eq(feed(&q, 1), VERDICT_BYPASS);
	ck_assert_int_eq(feed(&q, 1), VERDICT_BYPASS);
	ck_assert_uint_eq(w.st.bypassed_flows, 1);
	ck_assert_uint_eq(w.st.reasm.delivered, 20);
}
END_TEST

/* DNS (port 53) stays queued past the depth: its answers are read. */
START_TEST(test_dns_never_bypassed)
{
	struct pkt q;

	fx_set_limits(10, 256u << 20);
	pkt_udp(&q, C4, 5353, S4, 53);
	pkt_str(&q, "a query of more than ten bytes");
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	pkt_udp(&q, S4, 53, C4, 5353);
	pkt_str(&q, "an answer of more than ten bytes");
	ck_assert_int_eq(feed(&q, 1), VERDICT_ACCEPT);
	ck_assert_int_eq(feed(&q, 1), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.bypassed_flows, 0);
}
END_TEST

/* --- bad packets and bounds --------------------------------------------------- */

START_TEST(test_undecodable_packet)
{
	static const uint8_t junk[10] = { 0x45, 0, 0, 10 };
	uint8_t buf[128];
	struct pkt q;
	size_t len;

	ck_assert_int_eq(worker_packet(&w, junk, sizeof(junk), AF_INET, 0, 0, 1), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.anomalies[ANOM_TRUNCATED_IP], 1);
	ck_assert_uint_eq(w.st.undecoded, 1);
	ck_assert_uint_eq(w.st.packets, 1);
	ck_assert_uint_eq(w.st.bytes, 10);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_ACCEPT], 1);
	ck_assert_uint_eq(w.ft.st.created, 0);

	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, 1, 1);
	pkt_frag(&q, 0, 1);
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.anomalies[ANOM_FRAGMENT], 1);

	/* NFQUEUE said IPv6, the packet is IPv4. */
	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, 1, 1);
	len = pkt_build(&q, buf, sizeof(buf));
	ck_assert_int_eq(worker_packet(&w, buf, len, AF_INET6, 0, 0, 2), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.anomalies[ANOM_BAD_VERSION], 1);
	ck_assert_uint_eq(w.st.undecoded, 3);
	ck_assert_uint_eq(w.ft.st.created, 0);
}
END_TEST

/*
 * Out-of-order bytes past stream_memcap are in doubt (judge.h): with no
 * policy they pass, uncounted in reasm_fail_drops, whatever fail_mode
 * says (it is about nvd not running).  check_tcp covers protect mode.
 */
static void
out_of_order_under_memcap(enum fail_mode fm)
{
	struct conn k;
	struct pkt q;

	worker_destroy(&w);
	start(fm, 1000);
	fx_set_limits(1048576, 1);
	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	k.seq[0] += 5;		/* ahead: must be kept, and cannot be */
	ck_assert_int_eq(seg(&k, 0, TCP_PSH | TCP_ACK, request), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.reasm.nomem, 1);
	ck_assert_uint_eq(w.judge.st.unjudged[DOUBT_OOO_LIMIT], 1);
	ck_assert_uint_eq(w.st.reasm_fail_drops, 0);
	ck_assert_uint_eq(w.st.verdicts[VERDICT_DROP], 0);
	ck_assert_uint_eq(reasm_memuse(), 0);
	ck_assert_uint_eq(conn_flow(&k)->rs[DIR_TO_SERVER].nsegs, 0);
	/* In-order bytes need no memory. */
	pkt_tcp(&q, C4, 40000, S4, 80, TCP_ACK, 1001, k.seq[1]);
	pkt_str(&q, "12345");
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.st.reasm.delivered, 5);
	ck_assert_uint_eq(w.st.reasm.nomem, 1);
}

START_TEST(test_fail_closed_ooo_limit_is_doubt)
{
	out_of_order_under_memcap(FAIL_CLOSED);
}
END_TEST

START_TEST(test_fail_open_ooo_limit_is_doubt)
{
	out_of_order_under_memcap(FAIL_OPEN);
}
END_TEST

START_TEST(test_max_flows_evicts)
{
	struct conn k;

	worker_destroy(&w);
	start(FAIL_OPEN, 2);
	for (uint16_t port = 40000; port < 40003; port++) {
		conn_init(&k, C4, port, S4, 80);
		ck_assert_int_eq(seg(&k, 0, TCP_SYN, ""), VERDICT_ACCEPT);
	}
	ck_assert_uint_eq(w.ft.st.created, 3);
	ck_assert_uint_eq(w.ft.st.evicted, 1);
	ck_assert_uint_eq(w.ft.st.active, 2);
	conn_init(&k, C4, 40000, S4, 80);
	ck_assert_ptr_null(conn_flow(&k));
}
END_TEST

/* --- flows ------------------------------------------------------------------- */

START_TEST(test_new_syn_on_closed_flow)
{
	struct conn k;
	struct flow *f;

	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	seg(&k, 0, TCP_PSH | TCP_ACK, request);
	seg(&k, 1, TCP_RST, "");
	f = conn_flow(&k);
	ck_assert_int_eq(f->tcp_state, TCPS_CLOSED);
	k.seq[0] += 100000;
	ck_assert_int_eq(seg(&k, 0, TCP_SYN, ""), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.ft.st.created, 2);
	ck_assert_uint_eq(w.ft.st.active, 1);
	f = conn_flow(&k);
	ck_assert_int_eq(f->tcp_state, TCPS_SYN_SENT);
	ck_assert_uint_eq(f->pkts[DIR_TO_SERVER], 1);
	ck_assert_uint_eq(f->pkts[DIR_TO_CLIENT], 0);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].offset, 0);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].base_seq, k.seq[0]);
}
END_TEST

START_TEST(test_new_syn_after_fin)
{
	struct conn k;

	conn_init(&k, C4, 40000, S4, 80);
	replay_connection(&k);
	k.seq[0] += 5000;
	seg(&k, 0, TCP_SYN, "");
	ck_assert_uint_eq(w.ft.st.created, 2);
	ck_assert_uint_eq(w.ft.st.active, 1);
	ck_assert_int_eq(conn_flow(&k)->tcp_state, TCPS_SYN_SENT);
}
END_TEST

START_TEST(test_syn_on_open_flow_keeps_it)
{
	struct conn k;

	conn_init(&k, C4, 40000, S4, 80);
	handshake(&k);
	k.seq[0] = 1000;
	seg(&k, 0, TCP_SYN, "");	/* retransmitted SYN */
	ck_assert_uint_eq(w.ft.st.created, 1);
	ck_assert_int_eq(conn_flow(&k)->tcp_state, TCPS_ESTABLISHED);
}
END_TEST

START_TEST(test_midstream_client_guess)
{
	struct conn k;
	struct flow *f;

	conn_init(&k, C4, 40000, S4, 80);
	/* The first packet seen is the server's data. */
	ck_assert_int_eq(seg(&k, 1, TCP_PSH | TCP_ACK, response), VERDICT_ACCEPT);
	f = conn_flow(&k);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->flags & FLOW_F_MIDSTREAM, FLOW_F_MIDSTREAM);
	ck_assert_int_eq(f->client, side_of(f, C4, 40000));
	ck_assert_uint_eq(f->pkts[DIR_TO_CLIENT], 1);
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
	ck_assert_uint_eq(w.st.reasm.delivered, strlen(response));
}
END_TEST

START_TEST(test_synack_first_names_client)
{
	struct conn k;
	struct flow *f;

	conn_init(&k, C4, 40000, S4, 80);
	k.seq[0]++;
	ck_assert_int_eq(seg(&k, 1, TCP_SYN | TCP_ACK, ""), VERDICT_ACCEPT);
	f = conn_flow(&k);
	ck_assert_int_eq(f->client, side_of(f, C4, 40000));
	ck_assert_uint_eq(f->pkts[DIR_TO_CLIENT], 1);
	ck_assert_uint_eq(f->flags & FLOW_F_MIDSTREAM, 0);
}
END_TEST

START_TEST(test_udp_both_directions_one_flow)
{
	struct pkt q;
	struct flow *f;

	pkt_udp(&q, C6, 5353, S6, 53);
	pkt_str(&q, "query");
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	pkt_udp(&q, S6, 53, C6, 5353);
	pkt_str(&q, "answer");
	ck_assert_int_eq(feed(&q, 1), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.ft.st.created, 1);
	f = find_flow(&q);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->client, side_of(f, C6, 5353));
	ck_assert_uint_eq(f->pkts[DIR_TO_SERVER], 1);
	ck_assert_uint_eq(f->pkts[DIR_TO_CLIENT], 1);
	ck_assert_uint_eq(f->bytes[DIR_TO_SERVER], ip_bytes[0]);
	ck_assert_uint_eq(f->bytes[DIR_TO_CLIENT], ip_bytes[1]);
	ck_assert_uint_eq(f->flags & FLOW_F_REPLIED, FLOW_F_REPLIED);
	ck_assert_uint_eq(w.st.reasm.delivered, 11);
	ck_assert_uint_eq(flow_timeout_ms(f), 120000);
}
END_TEST

START_TEST(test_icmp_echo_one_flow)
{
	struct pkt q;

	pkt_icmp(&q, C4, S4, 8, 0, 99);
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	pkt_icmp(&q, S4, C4, 0, 0, 99);
	ck_assert_int_eq(feed(&q, 1), VERDICT_ACCEPT);
	pkt_icmp(&q, C4, S4, 8, 0, 100);	/* another ping */
	ck_assert_int_eq(feed(&q, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(w.ft.st.created, 2);
}
END_TEST

START_TEST(test_tick_expires_and_publishes)
{
	struct conn k;
	struct worker_stats snap;

	conn_init(&k, C4, 40000, S4, 80);
	seg(&k, 0, TCP_SYN, "");	/* never answered: 60 s */
	worker_tick(&w, clock_ms + 59999);
	ck_assert_uint_eq(w.ft.st.active, 1);
	worker_tick(&w, clock_ms + 60000);
	ck_assert_uint_eq(w.ft.st.active, 0);
	ck_assert_uint_eq(w.ft.st.timed_out, 1);
	worker_publish(&w, clock_ms + 60000);
	worker_snapshot(&w, &snap);
	ck_assert_uint_eq(snap.packets, 1);
	ck_assert_uint_eq(snap.flows.created, 1);
	ck_assert_uint_eq(snap.flows.timed_out, 1);
	ck_assert_uint_eq(snap.flows.active, 0);
}
END_TEST

/* --- a SYN's bytes (syncut.h) ------------------------------------------ */

/* The one's complement sum of n bytes, folded: 0xffff over bytes whose
 * checksum is right. */
static uint16_t
ones(uint32_t s, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += i & 1 ? b[i] : (uint32_t)b[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* A SYN (or SYN-ACK) from addr to peer with data, through the worker and
 * worker_syn_cut(): its verdict; *cut its new length, buf the packet. */
static enum verdict
syn_with_data(const char *src, const char *dst, uint8_t flags, int ext, uint8_t *buf,
    size_t *len, size_t *cut, struct pkt *q)
{
	enum verdict v;

	pkt_tcp(q, src, 40000, dst, 80, flags, 1000, flags & TCP_ACK ? 7 : 0);
	q->tcp_optlen = 8;
	pkt_str(q, request);
	if (ext)
		pkt_ext(q, (uint8_t)ext, 8);
	*len = pkt_build(q, buf, 2048);
	ck_assert_uint_gt(*len, 0);
	clock_ms++;
	v = worker_packet(&w, buf, *len, q->family, 0, 0, clock_ms);
	return worker_syn_cut(&w, v, buf, *len, cut);
}

/* The cut packet's lengths and checksums are right, its TCP header kept. */
static void
check_cut(const uint8_t *buf, size_t cut, const struct pkt *q)
{
	size_t l4 = q->l4_off, tcplen = cut - l4;
	uint32_t s;
	uint8_t hdr[4] = { 0, IPPROTO_TCP, (uint8_t)(tcplen >> 8), (uint8_t)tcplen };

	ck_assert_uint_eq(cut, l4 + 20 + 8);
	ck_assert_uint_eq(buf[l4 + 13] & TCP_SYN, TCP_SYN);
	if (q->family == AF_INET) {
		ck_assert_uint_eq((size_t)(buf[2] << 8 | buf[3]), cut);
		ck_assert_uint_eq(ones(0, buf, 20), 0xffff);
		s = ones(0, buf + 12, 8);
	} else {
		ck_assert_uint_eq((size_t)(buf[4] << 8 | buf[5]), cut - 40);
		s = ones(0, buf + 8, 32);
	}
	ck_assert_uint_eq(ones(ones(s, hdr, 4), buf + l4, tcplen), 0xffff);
}

START_TEST(test_syn_data_cut)
{
	uint8_t buf[2048];
	size_t len, cut;
	struct pkt q;

	/* A client's SYN with a request, IPv4 with TCP options. */
	ck_assert_int_eq(syn_with_data(C4, S4, TCP_SYN, 0, buf, &len, &cut, &q), VERDICT_ACCEPT);
	check_cut(buf, cut, &q);
	ck_assert_uint_lt(cut, len);
	/* A server's SYN-ACK with bytes, IPv6 behind a destination-options header. */
	ck_assert_int_eq(syn_with_data(S6, C6, TCP_SYN | TCP_ACK, PKT_EXT_DSTOPTS, buf, &len, &cut,
	    &q), VERDICT_ACCEPT);
	check_cut(buf, cut, &q);
	ck_assert_uint_eq(w.st.syn_data_cut, 2);
	/* Behind a routing header the checksum's destination is another:
	 * dropped, not cut. */
	ck_assert_int_eq(syn_with_data("fd00::7", S6, TCP_SYN, PKT_EXT_ROUTING, buf, &len, &cut,
	    &q), VERDICT_DROP);
	ck_assert_uint_eq(cut, 0);
	ck_assert_uint_eq(w.st.syn_data_drops, 1);
}
END_TEST

/* A SYN without bytes and a segment with bytes go on as they came. */
START_TEST(test_syn_cut_only_syn_data)
{
	struct conn k;
	uint8_t buf[2048];
	size_t len, cut = 1;
	struct pkt q;
	enum verdict v;

	conn_init(&k, C4, 40001, S4, 80);
	pkt_tcp(&q, C4, 40001, S4, 80, TCP_SYN, 1000, 0);
	len = pkt_build(&q, buf, sizeof(buf));
	v = worker_packet(&w, buf, len, AF_INET, 0, 0, ++clock_ms);
	ck_assert_int_eq(worker_syn_cut(&w, v, buf, len, &cut), VERDICT_ACCEPT);
	ck_assert_uint_eq(cut, 0);
	k.seq[0] = 1001;
	ck_assert_int_eq(seg(&k, 1, TCP_SYN | TCP_ACK, ""), VERDICT_ACCEPT);
	pkt_tcp(&q, C4, 40001, S4, 80, TCP_ACK, 1001, k.seq[1]);
	pkt_str(&q, request);
	len = pkt_build(&q, buf, sizeof(buf));
	v = worker_packet(&w, buf, len, AF_INET, 0, 0, ++clock_ms);
	ck_assert_int_eq(worker_syn_cut(&w, v, buf, len, &cut), VERDICT_ACCEPT);
	ck_assert_uint_eq(cut, 0);
	ck_assert_uint_eq(w.st.syn_data_cut, 0);
}
END_TEST

static Suite *
worker_suite(void)
{
	Suite *s = suite_create("worker");
	TCase *tc;

	tc = tcase_create("replay");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replay_ipv4);
	tcase_add_test(tc, test_replay_ipv6_with_ext_header);
	tcase_add_test(tc, test_replay_out_of_order_and_retransmit);
	tcase_add_test(tc, test_gap_acknowledged_by_server);
	tcase_add_test(tc, test_urgent_data_is_doubt);
	suite_add_tcase(s, tc);

	tc = tcase_create("bypass");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bypass_when_both_directions_reach_depth);
	tcase_add_test(tc, test_bypass_at_first_packet_with_depth_zero);
	tcase_add_test(tc, test_udp_bypass_at_depth);
	tcase_add_test(tc, test_dns_never_bypassed);
	tcase_add_test(tc, test_new_connection_after_bypass);
	tcase_add_test(tc, test_new_isn_is_new_connection);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_undecodable_packet);
	tcase_add_test(tc, test_fail_closed_ooo_limit_is_doubt);
	tcase_add_test(tc, test_fail_open_ooo_limit_is_doubt);
	tcase_add_test(tc, test_max_flows_evicts);
	suite_add_tcase(s, tc);

	tc = tcase_create("flows");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_syn_on_closed_flow);
	tcase_add_test(tc, test_new_syn_after_fin);
	tcase_add_test(tc, test_syn_on_open_flow_keeps_it);
	tcase_add_test(tc, test_midstream_client_guess);
	tcase_add_test(tc, test_synack_first_names_client);
	tcase_add_test(tc, test_udp_both_directions_one_flow);
	tcase_add_test(tc, test_icmp_echo_one_flow);
	tcase_add_test(tc, test_tick_expires_and_publishes);
	suite_add_tcase(s, tc);

	tc = tcase_create("syn data");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_syn_data_cut);
	tcase_add_test(tc, test_syn_cut_only_syn_data);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(worker_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
