/*
 * check_tcp.c: TCP validated before it changes state (tcp.h), through
 * worker_packet() with a policy: forged ACKs, RSTs in and out of the
 * window, FINs out of order, data in a SYN, overlapping copies that
 * disagree, out-of-order segments past the bound, the window scale, a
 * flow joined mid-stream.  What nvd cannot judge is dropped when the
 * groups are in protect mode and passed with an event that gives the
 * reason in monitor mode; either way it changes nothing.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_policy.h"
#include "packet/decode.h"
#include "packet/flow.h"
#include "packet/reasm.h"
#include "packet/worker.h"
#include "pkt.h"
#include "proto/app.h"

#define CLIENT	"198.19.0.20"
#define WEB	"198.19.0.10"
#define CISN	0x12345678u
#define SISN	0x9abcdef0u	/* ack 0 and ack 0x80000000 are both forged */

static const char request[] = "GET /index.html HTTP/1.1\r\nHost: web\r\n\r\n";
static const char ssh[] = "SSH-2.0-OpenSSH_9.6\r\n";

static struct fx_conn k;

/* Both ends' groups in mode, as the attacker and its victim of issue 12. */
static void
setup_mode(enum policy_mode mode)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, mode, NULL);
	fx_group("nv.web", GROUP_LEARNED, mode, NULL);
	fx_workload("client", CLIENT);
	fx_workload("web", WEB);
	fx_rule("nv.client", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_USER);
	fx_start(1000);
	/* Streams are followed to stream_depth, not bypassed once identified. */
	fx.w.bypass_identified = 0;
}

/* Protect mode: what is in doubt is dropped. */
static void
both_protect(void)
{
	setup_mode(MODE_PROTECT);
}

/* In monitor mode: passed, with an event that says why. */
static void
both_monitor(void)
{
	setup_mode(MODE_MONITOR);
}

static void
teardown(void)
{
	fx_end();
	ck_assert_uint_eq(reasm_memuse(), 0);
}

/* The connection's flow: the only one. */
static struct flow *
flow(void)
{
	return fx_only_flow();
}

/* Sends q with a window scale option of shift ws, or none (ws < 0). */
static enum verdict
send_ws(struct pkt *q, int ws)
{
	uint8_t buf[2048];
	size_t n;

	if (ws >= 0)
		q->tcp_optlen = 4;
	n = pkt_build(q, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	if (ws >= 0) {
		static const uint8_t opt[3] = { 1, 3, 3 };	/* NOP, window scale */

		memcpy(buf + q->l4_off + 20, opt, 3);
		buf[q->l4_off + 23] = (uint8_t)ws;
	}
	return worker_packet(&fx.w, buf, n, q->family, 0, 0, fx.clock_ms++);
}

/* The handshake on port 80, window scale options cws and sws (or none). */
static void
open_ws(int cws, int sws)
{
	struct pkt q;

	k.client = CLIENT;
	k.server = WEB;
	k.cport = 40000;
	k.sport = 80;
	k.seq[0] = CISN + 1;
	k.seq[1] = SISN + 1;
	pkt_tcp(&q, CLIENT, 40000, WEB, 80, TCP_SYN, CISN, 0);
	ck_assert_int_eq(send_ws(&q, cws), VERDICT_ACCEPT);
	pkt_tcp(&q, WEB, 80, CLIENT, 40000, TCP_SYN | TCP_ACK, SISN, CISN + 1);
	ck_assert_int_eq(send_ws(&q, sws), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK, NULL, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_ESTABLISHED);
}

static void
open_conn(void)
{
	open_ws(-1, -1);
}

/* A segment from the client (0) or the server at seq, acknowledging ack. */
static enum verdict
seg(int from_server, uint8_t flags, uint32_t seq, uint32_t ack, const char *data)
{
	size_t len = data ? strlen(data) : 0;

	if (from_server)
		return fx_tcp(WEB, 80, CLIENT, 40000, flags, seq, ack, data, len);
	return fx_tcp(CLIENT, 40000, WEB, 80, flags, seq, ack, data, len);
}

static enum verdict
send_str(int from_server, uint8_t flags, const char *data)
{
	return fx_conn_send(&k, from_server, flags, data, data ? strlen(data) : 0);
}

/* The only event recorded since the last look: a violation for reason. */
static void
assert_event(const char *reason, int action)
{
	struct record r[4];

	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.type, EV_VIOLATION);
	ck_assert_int_eq(r[0].u.ev.action, action);
	ck_assert_str_eq(r[0].u.ev.reason, reason);
}

static void
assert_no_event(void)
{
	struct record r[4];

	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 0);
}

/* --- forged ACKs --------------------------------------------------------- */

/* Two bare ACKs for bytes the server never sent: no gap, nothing waived;
 * the request that follows is seen whole. */
static void
forged_acks(enum verdict want)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(seg(0, TCP_ACK, k.seq[0], 0, NULL), want);
	ck_assert_int_eq(seg(0, TCP_ACK, k.seq[0], 0x80000000u, NULL), want);
	f = flow();
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_ACK], 2);
	ck_assert_uint_eq(fx.w.st.reasm.gaps, 0);
	ck_assert_uint_eq(f->rs[DIR_TO_CLIENT].next_seq, SISN + 1);
	ck_assert_uint_eq(f->tcp[DIR_TO_SERVER].maxack, SISN + 1);
	ck_assert_int_ne(f->app_state, APPS_WAIVED);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, request), VERDICT_ACCEPT);
	ck_assert_int_eq(f->app, APP_HTTP);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, strlen(request));
}

START_TEST(test_forged_acks_dropped_in_protect)
{
	forged_acks(VERDICT_DROP);
	assert_event("tcp_ack", EV_DENY);	/* once per flow and reason */
}
END_TEST

START_TEST(test_forged_acks_passed_in_monitor)
{
	forged_acks(VERDICT_ACCEPT);
	assert_event("tcp_ack", EV_ALERT);
}
END_TEST

/* Whatever the server's ISN, one of ack 0 and 0x80000000 is ahead of it
 * and is forged; the other, if it is not too old, is an old ACK that
 * acknowledges nothing new. */
START_TEST(test_forged_ack_small_isn)
{
	fx_conn_open(&k, CLIENT, 40001, WEB, 80);	/* server ISN 50000 */
	ck_assert_int_eq(fx_tcp(CLIENT, 40001, WEB, 80, TCP_ACK, k.seq[0], 0, NULL, 0),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(fx_tcp(CLIENT, 40001, WEB, 80, TCP_ACK, k.seq[0], 0x80000000u,
	    NULL, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_ACK], 1);
	ck_assert_uint_eq(fx.w.st.reasm.gaps, 0);
}
END_TEST

/* An ACK of bytes sent outside the window: those bytes were not taken. */
START_TEST(test_out_of_window_data_then_its_ack)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 200000, k.seq[1], "far"),
	    VERDICT_DROP);
	f = flow();
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_SEQ], 1);
	ck_assert_uint_eq(f->tcp[DIR_TO_SERVER].end, k.seq[0]);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].nsegs, 0);
	ck_assert_int_eq(seg(1, TCP_ACK, k.seq[1], k.seq[0] + 200003, NULL), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_ACK], 1);
	ck_assert_uint_eq(fx.w.st.reasm.gaps, 0);
	/* A segment wholly before the window is old news, as far back as a
	 * window: older is out of it. */
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] - 70000, k.seq[1], "old"),
	    VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_SEQ], 2);
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] - 3, k.seq[1], "old"),
	    VERDICT_ACCEPT);
}
END_TEST

/* --- RST ------------------------------------------------------------------- */

static void
rst_out_of_window(enum verdict want)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "GET / HTTP/1.1\r\n"), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] + 0x40000000u, 0, NULL), want);
	ck_assert_int_eq(seg(1, TCP_RST | TCP_ACK, k.seq[1] - 0x40000000u, k.seq[0], NULL),
	    want);
	f = flow();
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 2);
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
	/* Still followed: the rest of the request is delivered. */
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "Host: web\r\n\r\n"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, 16 + 13);
	ck_assert_int_eq(f->app, APP_HTTP);
}

START_TEST(test_rst_out_of_window_dropped_in_protect)
{
	rst_out_of_window(VERDICT_DROP);
	assert_event("tcp_rst", EV_DENY);
}
END_TEST

START_TEST(test_rst_out_of_window_passed_in_monitor)
{
	rst_out_of_window(VERDICT_ACCEPT);
	assert_event("tcp_rst", EV_ALERT);
}
END_TEST

/* In the window but not where the receiver stands: Linux answers it with a
 * challenge ACK (RFC 5961 3.2); it passes and changes nothing. */
START_TEST(test_rst_in_window_inexact_changes_nothing)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "GET "), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] + 1, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] + 1000, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(1, TCP_RST | TCP_ACK, k.seq[1] + 5, k.seq[0], NULL), VERDICT_ACCEPT);
	f = flow();
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 0);
	ck_assert_uint_eq(f->tcp[DIR_TO_SERVER].end, k.seq[0]);
	assert_no_event();
	/* Before what the server acknowledged: out of the window
	 * (conntrack's "invalid RST"). */
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] - 2, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(1, TCP_ACK, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] - 2, 0, NULL), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 1);
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
}
END_TEST

START_TEST(test_rst_exact_closes)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "GET "), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(1, TCP_RST, k.seq[1], 0, NULL), VERDICT_ACCEPT);
	f = flow();
	ck_assert_int_eq(f->tcp_state, TCPS_CLOSED);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 0);
}
END_TEST

/* Past stream_depth the position still follows the stream. */
START_TEST(test_rst_exact_past_depth)
{
	fx_set_limits(8, 64u << 20);
	open_conn();
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, request), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "more"), VERDICT_ACCEPT);
	ck_assert_uint_eq(flow()->rs[DIR_TO_SERVER].done, 1);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] - 4, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_ESTABLISHED);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0], 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_CLOSED);
}
END_TEST

/* After the FIN: at the FIN's sequence number + 1, or at the FIN's own. */
START_TEST(test_rst_after_fin)
{
	open_conn();
	ck_assert_int_eq(send_str(0, TCP_FIN | TCP_ACK, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_FIN_WAIT);
	ck_assert_int_eq(seg(0, TCP_RST, k.seq[0] - 1, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_CLOSED);

	fx_conn_open(&k, CLIENT, 40001, WEB, 80);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_FIN | TCP_ACK, NULL, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_tcp(CLIENT, 40001, WEB, 80, TCP_RST, k.seq[0], 0, NULL, 0),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(fx_flow_with_port(40001)->tcp_state, TCPS_CLOSED);
}
END_TEST

/* A RST answering a SYN resets only if it acknowledges the SYN. */
START_TEST(test_rst_answering_syn)
{
	ck_assert_int_eq(seg(0, TCP_SYN, CISN, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(1, TCP_RST, 0, 0, NULL), VERDICT_DROP);
	ck_assert_int_eq(seg(1, TCP_RST | TCP_ACK, 0, CISN, NULL), VERDICT_DROP);
	ck_assert_int_eq(seg(1, TCP_RST | TCP_ACK, 0, CISN + 2, NULL), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 3);
	ck_assert_int_eq(flow()->tcp_state, TCPS_SYN_SENT);
	ck_assert_int_eq(seg(1, TCP_RST | TCP_ACK, 0, CISN + 1, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_CLOSED);
}
END_TEST

/* --- FIN ------------------------------------------------------------------- */

/* A FIN counts once the stream reaches it in order. */
START_TEST(test_fin_out_of_order_does_not_close)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(seg(0, TCP_FIN | TCP_ACK, k.seq[0] + 4, k.seq[1], "tail"),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(1, TCP_FIN | TCP_ACK, NULL), VERDICT_ACCEPT);
	f = flow();
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin, 0);
	ck_assert_uint_eq(f->rs[DIR_TO_CLIENT].fin, 1);
	ck_assert_int_eq(f->tcp_state, TCPS_FIN_WAIT);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "head"), VERDICT_ACCEPT);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin, 1);
	ck_assert_int_eq(f->tcp_state, TCPS_CLOSING);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, 8);
}
END_TEST

/* Out of the window, a FIN is in doubt and closes nothing; one whose
 * segment the stream went past never counts. */
START_TEST(test_fin_out_of_window_or_passed)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(seg(0, TCP_FIN | TCP_ACK, k.seq[0] + 300000, k.seq[1], NULL),
	    VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_SEQ], 1);
	f = flow();
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin_seen, 0);
	ck_assert_int_eq(seg(0, TCP_FIN | TCP_ACK, k.seq[0] + 2, k.seq[1], NULL),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin_seen, 1);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "more than two"), VERDICT_ACCEPT);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin, 0);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].fin_seen, 0);
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
}
END_TEST

/* --- SYN payload ------------------------------------------------------------- */

/* Linux drops a SYN's data (no Fast Open): the bytes sent later at that
 * sequence are what the server reads, and what detection must see. */
START_TEST(test_syn_payload_is_not_stream)
{
	struct pkt q;
	struct flow *f;

	pkt_tcp(&q, CLIENT, 40000, WEB, 80, TCP_SYN, CISN, 0);
	pkt_str(&q, request);
	ck_assert_int_eq(fx_send(&q), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(1, TCP_SYN | TCP_ACK, SISN, CISN + 1, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_ACK, CISN + 1, SISN + 1, NULL), VERDICT_ACCEPT);
	f = flow();
	ck_assert_uint_eq(fx.w.st.reasm.delivered, 0);
	ck_assert_int_eq(f->app_state, APPS_NONE);
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, CISN + 1, SISN + 1, ssh), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, strlen(ssh));
	ck_assert_uint_eq(fx.w.st.reasm.retransmits, 0);
	ck_assert_int_eq(f->app, APP_SSH);
}
END_TEST

/* --- overlaps ------------------------------------------------------------------ */

/*
 * Offset 0 missing; a copy at 1 kept, then another copy at 1 that covers
 * it and differs: Linux keeps the second.  In protect mode it is dropped
 * (nothing stored), and the server gets the first.
 */
static struct flow *
overlap_disagrees(enum verdict want)
{
	struct flow *f;

	open_conn();
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 1, k.seq[1], "ET /index."),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 1, k.seq[1], ssh + 1), want);
	f = flow();
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_OVERLAP], 1);
	return f;
}

START_TEST(test_overlap_disagreeing_dropped_in_protect)
{
	struct flow *f = overlap_disagrees(VERDICT_DROP);

	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].ooo_bytes, 10);
	ck_assert_uint_eq(fx.w.st.reasm.overlap_mismatch, 1);
	assert_event("overlap", EV_DENY);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "G"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, 11);
	k.seq[0] += 10;
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, request + 11), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, strlen(request));
	ck_assert_int_eq(f->app, APP_HTTP);
}
END_TEST

START_TEST(test_overlap_disagreeing_stored_as_linux_in_monitor)
{
	struct flow *f = overlap_disagrees(VERDICT_ACCEPT);

	ck_assert_uint_eq(fx.w.st.reasm.overlap_mismatch, 1);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].ooo_bytes, strlen(ssh) - 1);
	assert_event("overlap", EV_ALERT);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "S"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, strlen(ssh));
	ck_assert_int_eq(f->app, APP_SSH);
	/* Reported once per flow; counted each time. */
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 30, k.seq[1], "xx"),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 30, k.seq[1], "yyy"),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_OVERLAP], 2);
	assert_no_event();
}
END_TEST

/* Copies that agree are no doubt, however they overlap. */
START_TEST(test_overlap_agreeing_passes)
{
	open_conn();
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 10, k.seq[1], request + 10),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 5, k.seq[1], request + 5),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_PSH | TCP_ACK, k.seq[0] + 5, k.seq[1], "index"),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, "GET /index.html"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_OVERLAP], 0);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, strlen(request));
	ck_assert_int_eq(flow()->app, APP_HTTP);
}
END_TEST

/* --- the bound on out-of-order pieces ------------------------------------------ */

/* One-byte segments in reverse order: REASM_SEGMENTS_MAX are kept, the
 * rest are in doubt until the hole fills; resent then, they go through. */
START_TEST(test_reverse_order_past_the_bound)
{
	enum { N = REASM_SEGMENTS_MAX + 10 };
	struct flow *f;
	uint32_t base;

	open_conn();
	base = k.seq[0];
	for (uint32_t i = N; i >= 1; i--)
		ck_assert_int_eq(seg(0, TCP_ACK, base + i, k.seq[1], "x"),
		    i > N - REASM_SEGMENTS_MAX ? VERDICT_ACCEPT : VERDICT_DROP);
	f = flow();
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].nsegs, REASM_SEGMENTS_MAX);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_OOO_LIMIT], N - REASM_SEGMENTS_MAX);
	ck_assert_uint_eq(fx.w.st.reasm_fail_drops, N - REASM_SEGMENTS_MAX);
	ck_assert_uint_eq(fx.w.st.reasm.nomem, N - REASM_SEGMENTS_MAX);
	assert_event("ooo_limit", EV_DENY);
	for (uint32_t i = 0; i <= N - REASM_SEGMENTS_MAX; i++)
		ck_assert_int_eq(seg(0, TCP_ACK, base + i, k.seq[1], "x"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.st.reasm.delivered, N + 1);
	ck_assert_uint_eq(f->rs[DIR_TO_SERVER].nsegs, 0);
	ck_assert_uint_eq(reasm_memuse(), 0);
}
END_TEST

/* --- window scale ---------------------------------------------------------------- */

/* After the handshake the server advertises a window of 1000: 128000
 * bytes with scale 7. */
static void
scaled_window(int cws, int sws)
{
	struct pkt q;

	open_ws(cws, sws);
	pkt_tcp(&q, WEB, 80, CLIENT, 40000, TCP_ACK, k.seq[1], k.seq[0]);
	q.win = 1000;
	ck_assert_int_eq(fx_send(&q), VERDICT_ACCEPT);
}

START_TEST(test_window_scale)
{
	scaled_window(7, 7);
	ck_assert_uint_eq(flow()->tcp[DIR_TO_CLIENT].scale, 7);
	ck_assert_uint_eq(flow()->tcp[DIR_TO_SERVER].maxend, k.seq[0] + 128000);
	ck_assert_int_eq(seg(0, TCP_ACK, k.seq[0] + 100000, k.seq[1], "x"), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_ACK, k.seq[0] + 200000, k.seq[1], "x"), VERDICT_DROP);
}
END_TEST

/* Scaling holds only if both SYNs carry the option (RFC 7323 2.2). */
START_TEST(test_window_scale_needs_both)
{
	scaled_window(7, -1);
	ck_assert_uint_eq(flow()->tcp[DIR_TO_CLIENT].scale, 0);
	ck_assert_uint_eq(flow()->tcp[DIR_TO_SERVER].scale, 0);
	/* The window seen before (65535, from the SYN/ACK) still holds. */
	ck_assert_int_eq(seg(0, TCP_ACK, k.seq[0] + 60000, k.seq[1], "x"), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_ACK, k.seq[0] + 100000, k.seq[1], "x"), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_SEQ], 1);
}
END_TEST

/* Parsed in a SYN only, a shift above 14 read as 14, a broken option list
 * ends the walk. */
START_TEST(test_window_scale_option_decoded)
{
	static const struct {
		uint8_t flags;
		uint8_t opt[8];
		uint8_t want;
	} rows[] = {
		{ TCP_SYN, { 1, 1, 1, 3, 3, 7, 0, 0 }, 7 },
		{ TCP_SYN, { 2, 4, 5, 180, 3, 3, 9, 0 }, 9 },		/* after an MSS */
		{ TCP_SYN, { 3, 3, 15, 0, 0, 0, 0, 0 }, TCP_WSCALE_MAX },
		{ TCP_SYN, { 3, 3, 255, 0, 0, 0, 0, 0 }, TCP_WSCALE_MAX },
		{ TCP_SYN | TCP_ACK, { 3, 3, 0, 0, 0, 0, 0, 0 }, 0 },
		{ TCP_ACK, { 3, 3, 7, 0, 0, 0, 0, 0 }, TCP_WSCALE_NONE },
		{ TCP_SYN, { 0, 3, 3, 7, 0, 0, 0, 0 }, TCP_WSCALE_NONE },	/* end of list */
		{ TCP_SYN, { 3, 4, 7, 0, 0, 0, 0, 0 }, TCP_WSCALE_NONE },	/* bad length */
		{ TCP_SYN, { 8, 1, 3, 3, 7, 0, 0, 0 }, TCP_WSCALE_NONE },	/* length 1 */
		{ TCP_SYN, { 8, 0, 3, 3, 7, 0, 0, 0 }, TCP_WSCALE_NONE },	/* length 0 */
		{ TCP_SYN, { 1, 1, 1, 1, 1, 1, 1, 3 }, TCP_WSCALE_NONE },	/* cut off */
		{ TCP_SYN, { 1, 1, 1, 1, 1, 1, 3, 3 }, TCP_WSCALE_NONE },	/* runs past */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pkt q;
		struct packet p;
		uint8_t buf[128];
		size_t n;

		pkt_tcp(&q, CLIENT, 40000, WEB, 80, rows[i].flags, 1, 1);
		q.tcp_optlen = 8;
		pkt_str(&q, "data");
		n = pkt_build(&q, buf, sizeof(buf));
		memcpy(buf + q.l4_off + 20, rows[i].opt, 8);
		ck_assert_int_eq(decode_packet(&p, buf, n, 0), ANOM_NONE);
		ck_assert_msg(p.tcp_wscale == rows[i].want, "row %zu: %u", i, p.tcp_wscale);
		ck_assert_uint_eq(p.payload_len, 4);
	}
}
END_TEST

/* --- mid-stream ------------------------------------------------------------------ */

/* Joined mid-stream: each end's first segment gives its position, the
 * bytes it sent before are acknowledged within its window; the rules hold
 * from there (monitor mode: passed, counted). */
START_TEST(test_midstream_pickup)
{
	const uint32_t c = 0x55555555u, s = 0x77777777u;
	uint64_t *doubts = fx.w.judge.st.unjudged;
	struct flow *f;

	ck_assert_int_eq(seg(1, TCP_PSH | TCP_ACK, s, c, "response bytes"), VERDICT_ACCEPT);
	f = flow();
	ck_assert_uint_eq(f->flags & FLOW_F_MIDSTREAM, FLOW_F_MIDSTREAM);
	/* The client acknowledges more than nvd saw the server send: bytes
	 * nvd missed, a gap (the flow is in doubt as mid-stream anyway). */
	seg(0, TCP_ACK, c, s + 3000, NULL);
	ck_assert_uint_eq(fx.w.st.reasm.gap_bytes, 3000 - 14);
	seg(0, TCP_PSH | TCP_ACK, c, s + 3000, "more");
	seg(1, TCP_ACK, s + 3000, c + 4, NULL);
	ck_assert_uint_eq(doubts[DOUBT_TCP_SEQ] + doubts[DOUBT_TCP_ACK] + doubts[DOUBT_TCP_RST], 0);
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
	/* Past anything a window allowed: in doubt all the same. */
	seg(0, TCP_ACK, c + 0x40000000u, s + 3000, "x");
	ck_assert_uint_eq(doubts[DOUBT_TCP_SEQ], 1);
	seg(1, TCP_ACK, s + 3000, c + 0x50000000u, NULL);
	ck_assert_uint_eq(doubts[DOUBT_TCP_ACK], 1);
	ck_assert_uint_eq(fx.w.st.reasm.gaps, 1);
	/* A RST resets only where the receiver stands. */
	ck_assert_int_eq(seg(0, TCP_RST, c + 10, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(f->tcp_state, TCPS_ESTABLISHED);
	ck_assert_uint_eq(doubts[DOUBT_TCP_RST], 0);
	ck_assert_int_eq(seg(0, TCP_RST, c + 4, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(f->tcp_state, TCPS_CLOSED);
}
END_TEST

/* Without the SYN, a RST to a SYN/ACK is placed by nothing: it passes
 * and resets nothing. */
START_TEST(test_rst_answering_synack)
{
	ck_assert_int_eq(seg(1, TCP_SYN | TCP_ACK, SISN, CISN + 1, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(seg(0, TCP_RST, CISN + 1, 0, NULL), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 0);
	ck_assert_int_eq(flow()->tcp_state, TCPS_ESTABLISHED);
}
END_TEST

/* A RST as the first packet of a flow resets nothing nvd knows of. */
START_TEST(test_midstream_rst_first)
{
	ck_assert_int_eq(seg(0, TCP_RST, 12345, 0, NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(flow()->tcp_state, TCPS_NONE);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_RST], 0);
}
END_TEST

/* A flow back from the kernel after a policy change: nvd missed what it
 * carried meanwhile, so validation starts again as mid-stream. */
START_TEST(test_back_from_bypass)
{
	struct flow *f;

	fx_set_limits(8, 64u << 20);
	open_conn();
	ck_assert_int_eq(send_str(0, TCP_PSH | TCP_ACK, request), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(1, TCP_PSH | TCP_ACK, "HTTP/1.1 200 OK\r\n"), VERDICT_BYPASS);
	f = flow();
	ck_assert_uint_eq(f->flags & FLOW_F_BYPASSED, FLOW_F_BYPASSED);
	fx_publish_tightened();
	k.seq[0] += 5000000;
	k.seq[1] += 9000000;
	ck_assert_int_ne(send_str(0, TCP_PSH | TCP_ACK, "later"), VERDICT_DROP);
	ck_assert_int_ne(send_str(1, TCP_ACK, NULL), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.st.bypass_returned, 1);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_TCP_SEQ] +
	    fx.w.judge.st.unjudged[DOUBT_TCP_ACK], 0);
}
END_TEST

static Suite *
tcp_suite(void)
{
	Suite *s = suite_create("tcp");
	TCase *tc;

	tc = tcase_create("ack");
	tcase_add_checked_fixture(tc, both_protect, teardown);
	tcase_add_test(tc, test_forged_acks_dropped_in_protect);
	tcase_add_test(tc, test_forged_ack_small_isn);
	tcase_add_test(tc, test_out_of_window_data_then_its_ack);
	suite_add_tcase(s, tc);

	tc = tcase_create("rst");
	tcase_add_checked_fixture(tc, both_protect, teardown);
	tcase_add_test(tc, test_rst_out_of_window_dropped_in_protect);
	tcase_add_test(tc, test_rst_in_window_inexact_changes_nothing);
	tcase_add_test(tc, test_rst_exact_closes);
	tcase_add_test(tc, test_rst_exact_past_depth);
	tcase_add_test(tc, test_rst_after_fin);
	tcase_add_test(tc, test_rst_answering_syn);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_add_checked_fixture(tc, both_protect, teardown);
	tcase_add_test(tc, test_fin_out_of_order_does_not_close);
	tcase_add_test(tc, test_fin_out_of_window_or_passed);
	tcase_add_test(tc, test_syn_payload_is_not_stream);
	tcase_add_test(tc, test_overlap_disagreeing_dropped_in_protect);
	tcase_add_test(tc, test_overlap_agreeing_passes);
	tcase_add_test(tc, test_reverse_order_past_the_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("window");
	tcase_add_checked_fixture(tc, both_protect, teardown);
	tcase_add_test(tc, test_window_scale);
	tcase_add_test(tc, test_window_scale_needs_both);
	tcase_add_test(tc, test_window_scale_option_decoded);
	tcase_add_test(tc, test_back_from_bypass);
	suite_add_tcase(s, tc);

	tc = tcase_create("monitor");
	tcase_add_checked_fixture(tc, both_monitor, teardown);
	tcase_add_test(tc, test_forged_acks_passed_in_monitor);
	tcase_add_test(tc, test_rst_out_of_window_passed_in_monitor);
	tcase_add_test(tc, test_overlap_disagreeing_stored_as_linux_in_monitor);
	tcase_add_test(tc, test_midstream_pickup);
	tcase_add_test(tc, test_midstream_rst_first);
	tcase_add_test(tc, test_rst_answering_synack);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
