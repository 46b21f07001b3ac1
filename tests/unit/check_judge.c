/*
 * check_judge.c: the policy stage of the packet path, replayed through
 * worker_packet(): verdicts by mode, events, learning and hits handed to
 * the event ring, re-judging after a policy swap, flows the kernel
 * bypasses judged again in a new bypass generation, packets that claim
 * another source than their interface's (anti-spoofing), and the TCP
 * resets.
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet/decode.h"
#include "fixture_policy.h"
#include "packet/judge.h"
#include "runtime/live.h"
#include "pkt.h"
#include "policy/policy.h"
#include "packet/rst.h"
#include "packet/worker.h"

#define CLIENT	"198.19.0.20"
#define WEB	"198.19.0.10"

static void
setup(void)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.web", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_workload("client", CLIENT);
	fx_workload("web", WEB);
	fx_rule("nv.client", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_LEARNED);
	fx_start(1000);
}

static void
teardown(void)
{
	fx_end();
}

static enum verdict
tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t flags,
    uint32_t seq, uint32_t ack)
{
	return fx_tcp(src, sport, dst, dport, flags, seq, ack, NULL, 0);
}

static enum verdict
syn(uint16_t sport, uint16_t dport)
{
	return tcp(CLIENT, sport, WEB, dport, TCP_SYN, 1000, 0);
}

/* FIN both ways: the connection is over, and so is detection (appid.h). */
static void
close_conn(uint16_t sport, uint16_t dport)
{
	tcp(CLIENT, sport, WEB, dport, TCP_FIN | TCP_ACK, 1001, 5001);
	tcp(WEB, dport, CLIENT, sport, TCP_FIN | TCP_ACK, 5001, 1002);
}

START_TEST(test_discover_learns)
{
	struct record r[4];

	ck_assert_int_eq(syn(40000, 8080), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(WEB, 8080, CLIENT, 40000, TCP_SYN | TCP_ACK, 5000, 1001), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(CLIENT, 40000, WEB, 8080, TCP_ACK, 1001, 5001), VERDICT_ACCEPT);
	/* Learned once its application is known: here, when it closes
	 * without a byte (judged by its port). */
	ck_assert_uint_eq(fx_records(r, 4), 0);
	close_conn(40000, 8080);
	ck_assert_uint_eq(fx_records(r, 4), 2);
	ck_assert_int_eq(r[0].type, REC_LEARN);
	ck_assert_str_eq(r[0].u.learn.from, "nv.client");
	ck_assert_str_eq(r[0].u.learn.to, "nv.web");
	ck_assert_int_eq(r[0].u.learn.proto, IPPROTO_TCP);
	ck_assert_int_eq(r[0].u.learn.port, 8080);
	ck_assert_str_eq(r[0].u.learn.app, "");
	ck_assert_int_eq(r[1].type, REC_CONV);
	ck_assert_str_eq(r[1].u.conv.app, "unknown");
	ck_assert_int_eq(r[1].u.conv.verdict, CONV_ALLOW);
	ck_assert_uint_eq(r[1].u.conv.sessions, 1);
	ck_assert_uint_gt(r[1].u.conv.bytes, 0);
	/* Decided and allowed: the kernel takes the rest, learned once. */
	ck_assert_int_eq(tcp(CLIENT, 40000, WEB, 8080, TCP_ACK, 1002, 5002), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records(r, 4), 0);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_LEARN], 1);
}
END_TEST

START_TEST(test_protect_denies_unlearned)
{
	struct record r[4];
	struct event_rec *e;

	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(syn(40001, 80), VERDICT_ACCEPT);
	ck_assert_int_eq(syn(40002, 81), VERDICT_DROP);
	ck_assert_int_eq(syn(40002, 81), VERDICT_DROP);	/* retransmitted: one event */
	/* The violation is aggregated (event_agg.h): it follows the conversation. */
	ck_assert_uint_eq(fx_records(r, 4), 2);
	ck_assert_int_eq(r[0].type, REC_CONV);
	ck_assert_int_eq(r[0].u.conv.verdict, CONV_DENY);
	ck_assert_int_eq(r[1].type, REC_EVENT);
	e = &r[1].u.ev;
	ck_assert_int_eq(e->type, EV_VIOLATION);
	ck_assert_int_eq(e->action, EV_DENY);
	ck_assert_str_eq(e->src_workload, "client");
	ck_assert_str_eq(e->dst_workload, "web");
	ck_assert_str_eq(e->src_group, "nv.client");
	ck_assert_str_eq(e->dst_group, "nv.web");
	ck_assert_int_eq(e->src_port, 40002);
	ck_assert_int_eq(e->dst_port, 81);
	ck_assert_int_eq(e->proto, IPPROTO_TCP);
	ck_assert_int_eq(e->rule_id, 0);
	ck_assert_str_eq(e->message, "nv.client -> nv.web tcp/81: no rule allows it (protect)");
	ck_assert_str_eq(e->app, "");
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_ALLOW], 0);	/* provisional until decided */
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 1);
	ck_assert_uint_eq(fx.w.judge.st.denied_packets, 2);
	close_conn(40001, 80);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_ALLOW], 1);
	ck_assert_uint_eq(fx_records_of(REC_CONV, r, 4), 1);
	/* The allowed flow's hit reaches the writer at the next flush. */
	judge_tick(&fx.w.judge, fx.w.judge.hits_ms + 1000);
	ck_assert_uint_eq(fx_records(r, 4), 1);
	ck_assert_int_eq(r[0].type, REC_HIT);
	ck_assert_int_eq(r[0].u.hit.rule_id, 101);
	ck_assert_uint_eq(r[0].u.hit.count, 1);
}
END_TEST

START_TEST(test_monitor_alerts_once)
{
	struct record r[4];

	fx_set_mode("nv.client", MODE_MONITOR);
	ck_assert_int_eq(syn(40003, 9090), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(CLIENT, 40003, WEB, 9090, TCP_ACK, 1001, 1), VERDICT_ACCEPT);
	/* Reported once its application is known, to name it. */
	ck_assert_uint_eq(fx_records(r, 4), 0);
	close_conn(40003, 9090);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_int_eq(tcp(CLIENT, 40003, WEB, 9090, TCP_ACK, 1002, 1), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records(r, 4), 0);
}
END_TEST

START_TEST(test_user_deny_beats_learned)
{
	struct record r[4];

	fx_rule("nv.client", "nv.web", "any", "tcp/80", RULE_DENY, RULE_USER);
	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(syn(40004, 80), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.rule_id, 102);
	ck_assert_str_eq(r[0].u.ev.name, "rule 102");
}
END_TEST

/* A stricter policy reaches a flow that is already open. */
START_TEST(test_tightening_cuts_open_flow)
{
	struct record r[4];

	fx_set_mode("nv.web", MODE_MONITOR);
	ck_assert_int_eq(syn(40005, 9090), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(WEB, 9090, CLIENT, 40005, TCP_SYN | TCP_ACK, 5000, 1001), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(CLIENT, 40005, WEB, 9090, TCP_ACK, 1001, 5001), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx_records(r, 4), 0);	/* the alert waits for the application */
	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(tcp(CLIENT, 40005, WEB, 9090, TCP_ACK | TCP_PSH, 1001, 5001), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 1);
	/* Loosened again (a rule now allows it), the flow passes. */
	fx_rule("nv.client", "nv.web", "any", "tcp/9090", RULE_ALLOW, RULE_USER);
	fx_publish();
	ck_assert_int_eq(tcp(CLIENT, 40005, WEB, 9090, TCP_ACK | TCP_PSH, 1001, 5001), VERDICT_ACCEPT);
}
END_TEST

START_TEST(test_no_policy_accepts)
{
	worker_destroy(&fx.w);
	ck_assert_int_eq(worker_init(&fx.w, 0, 0, 1000, FAIL_OPEN), 0);
	ck_assert_int_eq(syn(40006, 81), VERDICT_ACCEPT);
	/* teardown destroys w again: make it a worker with a ring */
	ck_assert_int_eq(worker_set_policy(&fx.w, &fx.live, -1), 0);
	rst_close(&fx.w.judge.rst);
}
END_TEST

/* Neighbor discovery passes a protected group unjudged; an echo request
 * is judged; an ICMP error that quotes nothing is in doubt, dropped. */
START_TEST(test_icmp_exempt)
{
	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(fx_icmp("fd00::20", "fd00::10", 136, 0, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_icmp(CLIENT, WEB, 8, 0, 7), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 1);
	ck_assert_int_eq(fx_icmp(WEB, CLIENT, 3, 3, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_ICMP_UNRELATED], 1);
}
END_TEST

/* An ICMP error from web about packet (src to dst, ports), with pflags. */
static enum verdict
icmp_error_about(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    unsigned pflags)
{
	uint8_t quoted[128];
	struct pkt q, e;
	size_t n;

	pkt_tcp(&q, src, sport, dst, dport, TCP_SYN, 1000, 0);
	n = pkt_build(&q, quoted, sizeof(quoted));
	ck_assert_uint_ge(n, 28);
	pkt_icmp(&e, dst, src, 3, 3, 0);
	pkt_data(&e, quoted, 28);	/* its IP header and 8 bytes of TCP */
	return fx_send_flags(&e, pflags);
}

/* An ICMP error passes with the connection it quotes and as it was judged;
 * one conntrack found no connection for is dropped in protect, with the
 * reason; one conntrack related to a connection this worker does not hold
 * is judged as that connection would be. */
START_TEST(test_icmp_errors)
{
	struct record r[8];

	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(syn(40010, 80), VERDICT_ACCEPT);
	ck_assert_int_eq(icmp_error_about(CLIENT, 40010, WEB, 80, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(syn(40011, 81), VERDICT_DROP);
	ck_assert_int_eq(icmp_error_about(CLIENT, 40011, WEB, 81, 0), VERDICT_DROP);
	fx_records_of(REC_EVENT, r, 8);
	/* Quoting a connection nobody made: conntrack said NOCT. */
	ck_assert_int_eq(icmp_error_about(CLIENT, 40012, WEB, 80, PKT_NOCT), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 8), 1);
	ck_assert_str_eq(r[0].u.ev.reason, "icmp_unrelated");
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	/* Related by conntrack, not held here: the policy judges it. */
	ck_assert_int_eq(icmp_error_about(CLIENT, 40013, WEB, 80, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(icmp_error_about(CLIENT, 40014, WEB, 82, 0), VERDICT_DROP);
	/* Monitor: the unrelated error passes, reported. */
	fx_set_mode("nv.web", MODE_MONITOR);
	ck_assert_int_eq(icmp_error_about(CLIENT, 40015, WEB, 80, PKT_NOCT), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
}
END_TEST

/* A packet conntrack holds no entry for is never bypassed, changes no
 * state, and is dropped in protect (a RST for no connection). */
START_TEST(test_noct_never_bypassed)
{
	struct pkt p;

	fx_set_limits(0, 64u << 20);	/* every flow is bypassed at once */
	ck_assert_int_eq(syn(40020, 80), VERDICT_BYPASS);
	pkt_tcp(&p, CLIENT, 40021, WEB, 80, TCP_RST, 7, 0);
	ck_assert_int_eq(fx_send_flags(&p, PKT_NOCT), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.ft.st.created, 1);
	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(fx_send_flags(&p, PKT_NOCT), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_CT_INVALID], 2);
}
END_TEST

/* --- anti-spoofing --------------------------------------------------------- */

#define ATTACKER	"198.19.0.30"
#define PORT_CLIENT	11	/* the workloads' bridge ports (nfq.h) */
#define PORT_WEB	12
#define PORT_ATTACKER	13

/* client may reach web on tcp/80 and udp/53; attacker nothing; web protects. */
static void
setup_spoof(void)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.web", GROUP_LEARNED, MODE_PROTECT, NULL);
	fx_group("nv.attacker", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_workload_port("client", CLIENT, PORT_CLIENT);
	fx_workload_port("web", WEB, PORT_WEB);
	fx_workload_port("attacker", ATTACKER, PORT_ATTACKER);
	fx_rule("nv.client", "nv.web", "any", "tcp/80,udp/53", RULE_ALLOW, RULE_USER);
	fx_start(1000);
}

/* A packet from src to dst that came in on port. */
static enum verdict
tcp_from(uint32_t port, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct pkt p;

	pkt_tcp(&p, src, sport, dst, dport, TCP_SYN, 1000, 0);
	return fx_send_meta(&p, 0, port);
}

static enum verdict
udp_from(uint32_t port, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct pkt p;

	pkt_udp(&p, src, sport, dst, dport);
	pkt_data(&p, "x", 1);
	return fx_send_meta(&p, 0, port);
}

/* The attacker's port with client's address, to what client may reach:
 * dropped before any state, an event that names who sent it. */
START_TEST(test_spoof_protect)
{
	struct record r[4];
	struct event_rec *e;

	ck_assert_int_eq(tcp_from(PORT_ATTACKER, CLIENT, 40000, WEB, 80), VERDICT_DROP);
	ck_assert_int_eq(udp_from(PORT_ATTACKER, CLIENT, 40001, WEB, 53), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_SPOOFED], 2);
	ck_assert_uint_eq(fx.w.ft.st.created, 0);
	ck_assert_uint_eq(fx_records(r, 4), 2);
	e = &r[0].u.ev;
	ck_assert_int_eq(r[0].type, REC_EVENT);
	ck_assert_int_eq(e->type, EV_VIOLATION);
	ck_assert_int_eq(e->action, EV_DENY);
	ck_assert_str_eq(e->reason, "spoofed");
	ck_assert_str_eq(e->name, "cannot judge");
	ck_assert_str_eq(e->src_workload, "attacker");
	ck_assert_str_eq(e->src_group, "nv.attacker");
	ck_assert_str_eq(e->dst_workload, "web");
	ck_assert_int_eq(e->src_port, 40000);
	ck_assert_int_eq(e->dst_port, 80);
	ck_assert_str_eq(e->message, "nv.attacker -> nv.web tcp/80: cannot be judged: "
	    "a source address not its interface's (protect)");
	ck_assert_str_eq(r[1].u.ev.reason, "spoofed");
	ck_assert_int_eq(r[1].u.ev.proto, IPPROTO_UDP);
	/* The same from client's own port: allowed. */
	ck_assert_int_eq(tcp_from(PORT_CLIENT, CLIENT, 40000, WEB, 80), VERDICT_ACCEPT);
	ck_assert_int_eq(udp_from(PORT_CLIENT, CLIENT, 40001, WEB, 53), VERDICT_ACCEPT);
	/* The attacker as itself: judged, and no rule allows it. */
	ck_assert_int_eq(tcp_from(PORT_ATTACKER, ATTACKER, 40002, WEB, 80), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 1);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_SPOOFED], 2);
}
END_TEST

/* Monitor: the spoofed packet passes, with the event. */
START_TEST(test_spoof_monitor)
{
	struct record r[4];

	fx_set_mode("nv.web", MODE_MONITOR);
	ck_assert_int_eq(udp_from(PORT_ATTACKER, CLIENT, 40010, WEB, 9), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_str_eq(r[0].u.ev.reason, "spoofed");
	ck_assert_str_eq(r[0].u.ev.src_workload, "attacker");
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_SPOOFED], 1);
}
END_TEST

/* The sender's own mode counts: a protected workload that claims an
 * address of a discover group, towards one, is dropped. */
START_TEST(test_spoof_sender_protect)
{
	fx_group_mode("nv.web", MODE_DISCOVER);
	fx_set_mode("nv.attacker", MODE_PROTECT);
	ck_assert_int_eq(udp_from(PORT_ATTACKER, "198.18.7.7", 40020, CLIENT, 9), VERDICT_DROP);
	fx_set_mode("nv.attacker", MODE_DISCOVER);
	ck_assert_int_eq(udp_from(PORT_ATTACKER, "198.18.7.7", 40020, CLIENT, 9), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_SPOOFED], 2);
}
END_TEST

/* An interface that is no workload's (the host's uplink, a bridge without
 * br_netfilter's port), or none: judged by the address, as before.
 * Neighbor discovery from a port is the link's own. */
START_TEST(test_spoof_unknown_port)
{
	ck_assert_int_eq(tcp_from(0, CLIENT, 40030, WEB, 80), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp_from(2, CLIENT, 40031, WEB, 80), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp_from(2, ATTACKER, 40032, WEB, 80), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_SPOOFED], 0);
	{
		struct pkt p;

		pkt_icmp(&p, "fe80::1", "ff02::1", 135, 0, 0);
		ck_assert_int_eq(fx_send_meta(&p, 0, PORT_ATTACKER), VERDICT_ACCEPT);
	}
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_SPOOFED], 0);
}
END_TEST

/* --- flow bypass generations --------------------------------------------- */

static void
setup_bypass(void)
{
	setup();
	fx_set_limits(0, 64u << 20);	/* every flow is bypassed at once */
}

static enum verdict
icmp(const char *src, const char *dst, uint8_t type)
{
	return fx_icmp(src, dst, type, 0, 0);
}

START_TEST(test_gen_arithmetic)
{
	ck_assert_uint_eq(live_bypass_gen(5), 0);
	ck_assert_uint_eq(live_gen_next(5, 0), 6);
	ck_assert_uint_eq(live_gen_next(5, 1), 1ull << 32);
	ck_assert_uint_eq(live_bypass_gen(live_gen_next(5, 1)), 1);
	/* 255 wraps to 0, and a jump back to 0 (the operator's rules) stays
	 * above every gen before it. */
	ck_assert_uint_eq(live_gen_next((255ull << 32) + 7, 0), 256ull << 32);
	ck_assert_uint_eq(live_bypass_gen(256ull << 32), 0);
	ck_assert_uint_eq(live_gen_next((3ull << 32) + 9, 0), 256ull << 32);
	ck_assert_uint_eq(live_gen_next((3ull << 32) + 9, 3), (3ull << 32) + 10);
	ck_assert_uint_eq(live_gen_next(0, NVD_BYPASS_GENS), 1);
}
END_TEST

/* An allowed bypassed flow: marked again in its generation (stragglers,
 * learning); judged again in the next, and bypassed again in it. */
START_TEST(test_bypassed_allowed_rejudged)
{
	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(syn(40010, 80), VERDICT_BYPASS);
	ck_assert_uint_eq(fx.w.bypass_mark, NVD_MARK_BYPASS | NVD_MARK_GEN(0));
	ck_assert_int_eq(tcp(WEB, 80, CLIENT, 40010, TCP_SYN | TCP_ACK, 5000, 1001), VERDICT_BYPASS);
	fx_publish();	/* learned a rule: same generation */
	ck_assert_int_eq(tcp(CLIENT, 40010, WEB, 80, TCP_ACK, 1001, 5001), VERDICT_BYPASS);
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 0);
	ck_assert_uint_eq(fx.w.st.bypass_returned, 0);
	fx_publish_tightened();
	ck_assert_int_eq(tcp(CLIENT, 40010, WEB, 80, TCP_ACK | TCP_PSH, 1001, 5001), VERDICT_BYPASS);
	ck_assert_uint_eq(fx.w.bypass_mark, NVD_MARK_BYPASS | NVD_MARK_GEN(1));
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 1);
	ck_assert_uint_eq(fx.w.st.bypass_returned, 1);
	ck_assert_uint_eq(fx.w.st.bypassed_flows, 1);	/* one flow, bypassed twice */
	/* A straggler of the new generation. */
	ck_assert_int_eq(tcp(WEB, 80, CLIENT, 40010, TCP_ACK, 5001, 1001), VERDICT_BYPASS);
	ck_assert_uint_eq(fx.w.bypass_mark, NVD_MARK_BYPASS | NVD_MARK_GEN(1));
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 1);
	ck_assert_uint_eq(fx.w.st.verdicts[VERDICT_BYPASS], 5);
	ck_assert_uint_eq(fx.w.st.verdicts[VERDICT_ACCEPT], 0);
}
END_TEST

/* A bypassed flow the tightened policy denies: dropped at its next packet,
 * one violation event, resets to both ends. */
START_TEST(test_bypassed_denied_after_tightening)
{
	struct record r[4];

	fx_set_mode("nv.web", MODE_MONITOR);
	ck_assert_int_eq(syn(40011, 9090), VERDICT_BYPASS);
	ck_assert_int_eq(tcp(WEB, 9090, CLIENT, 40011, TCP_SYN | TCP_ACK, 5000, 1001), VERDICT_BYPASS);
	/* Bypassed before any byte (stream_depth 0): judged for good by
	 * ports at once, and the alert with it. */
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	fx_group_mode("nv.web", MODE_PROTECT);
	fx_publish_tightened();
	ck_assert_int_eq(tcp(CLIENT, 40011, WEB, 9090, TCP_ACK | TCP_PSH, 1001, 5001), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].type, REC_EVENT);
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	ck_assert_int_eq(r[0].u.ev.dst_port, 9090);
	ck_assert_str_eq(r[0].u.ev.message, "nv.client -> nv.web tcp/9090: no rule allows it (protect)");
	/* Both ends (no socket here). */
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 1);
	ck_assert_uint_eq(fx.w.st.bypass_returned, 1);
	/* The flow stays denied: a retransmit is dropped, its sender reset. */
	ck_assert_int_eq(tcp(CLIENT, 40011, WEB, 9090, TCP_ACK | TCP_PSH, 1001, 5001), VERDICT_DROP);
	ck_assert_uint_eq(fx_records(r, 4), 0);
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 3);
}
END_TEST

/* A flow nvd no longer knows (expired after its bypass, or bypassed by an
 * earlier run) comes back mid-stream: judged as a new flow, the server
 * told apart by its lower port whichever side sends first. */
START_TEST(test_forgotten_flow_midstream)
{
	struct record r[4];

	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(tcp(CLIENT, 40012, WEB, 9090, TCP_ACK | TCP_PSH, 1001, 5001), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	ck_assert_str_eq(r[0].u.ev.src_workload, "client");
	ck_assert_int_eq(r[0].u.ev.dst_port, 9090);
	/* Both ends: it was open. */
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);
	ck_assert_int_eq(tcp(WEB, 80, CLIENT, 40013, TCP_ACK, 5001, 1001), VERDICT_BYPASS);
	ck_assert_int_eq(tcp(CLIENT, 40014, WEB, 80, TCP_ACK, 1001, 5001), VERDICT_BYPASS);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_ALLOW], 2);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 1);
}
END_TEST

/* An exempt packet of a flow judged in an older generation does not judge
 * it again, so it must not hand the flow back to the kernel either. */
START_TEST(test_exempt_packet_keeps_flow_queued)
{
	fx_set_mode("nv.web", MODE_MONITOR);
	ck_assert_int_eq(icmp(CLIENT, WEB, 13), VERDICT_BYPASS);	/* timestamp: judged */
	fx_publish_tightened();
	ck_assert_int_eq(icmp(WEB, CLIENT, 3), VERDICT_ACCEPT);	/* unreachable: exempt */
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 0);
	ck_assert_int_eq(icmp(CLIENT, WEB, 13), VERDICT_BYPASS);
	ck_assert_uint_eq(fx.w.bypass_mark, NVD_MARK_BYPASS | NVD_MARK_GEN(1));
	ck_assert_uint_eq(fx.w.judge.st.rejudged, 1);
}
END_TEST

/* The 16-bit one's complement sum of a buffer, folded. */
static uint16_t
csum(uint32_t s, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The TCP checksum of a built IPv4 reset verifies to 0xffff. */
static void
check_tcp_csum4(const uint8_t *ip)
{
	uint32_t s = csum(0, ip + 12, 8) + IPPROTO_TCP + 20;

	ck_assert_uint_eq(csum(s, ip + 20, 20), 0xffff);
	ck_assert_uint_eq(csum(0, ip, 20), 0xffff);
}

START_TEST(test_rst_to_syn_sender)
{
	struct pkt p;
	uint8_t buf[128], out[64];
	struct packet d, r;
	size_t n;

	pkt_tcp(&p, CLIENT, 40000, WEB, 81, TCP_SYN, 1000, 0);
	n = pkt_build(&p, buf, sizeof(buf));
	ck_assert_int_eq(decode_packet(&d, buf, n, AF_INET), ANOM_NONE);
	n = rst_build(&d, 1, out);
	ck_assert_uint_eq(n, 40);
	ck_assert_int_eq(decode_packet(&r, out, n, AF_INET), ANOM_NONE);
	ck_assert_int_eq(memcmp(r.src, d.dst, 4), 0);
	ck_assert_int_eq(memcmp(r.dst, d.src, 4), 0);
	ck_assert_int_eq(r.sport, 81);
	ck_assert_int_eq(r.dport, 40000);
	ck_assert_int_eq(r.tcp_flags, TCP_RST | TCP_ACK);
	ck_assert_uint_eq(r.seq, 0);
	ck_assert_uint_eq(r.ack, 1001);		/* the SYN's sequence number + 1 */
	check_tcp_csum4(out);
}
END_TEST

START_TEST(test_rst_mid_stream_both_ends)
{
	struct pkt p;
	uint8_t buf[256], out[64];
	struct packet d, r;
	size_t n;

	pkt_tcp(&p, CLIENT, 40000, WEB, 81, TCP_ACK | TCP_PSH, 5000, 9000);
	pkt_str(&p, "hello");
	n = pkt_build(&p, buf, sizeof(buf));
	ck_assert_int_eq(decode_packet(&d, buf, n, AF_INET), ANOM_NONE);
	/* To the sender: at the sequence number it expects next. */
	n = rst_build(&d, 1, out);
	ck_assert_int_eq(decode_packet(&r, out, n, AF_INET), ANOM_NONE);
	ck_assert_int_eq(r.tcp_flags, TCP_RST);
	ck_assert_uint_eq(r.seq, 9000);
	check_tcp_csum4(out);
	/* To the receiver, as from the sender. */
	n = rst_build(&d, 0, out);
	ck_assert_int_eq(decode_packet(&r, out, n, AF_INET), ANOM_NONE);
	ck_assert_int_eq(memcmp(r.src, d.src, 4), 0);
	ck_assert_int_eq(r.sport, 40000);
	ck_assert_int_eq(r.dport, 81);
	ck_assert_uint_eq(r.seq, 5000);
	check_tcp_csum4(out);
}
END_TEST

START_TEST(test_rst_ipv6)
{
	struct pkt p;
	uint8_t buf[256], out[64];
	struct packet d, r;
	size_t n;
	uint32_t s;

	pkt_tcp(&p, "fd00::1", 40000, "fd00::2", 81, TCP_SYN, 7, 0);
	n = pkt_build(&p, buf, sizeof(buf));
	ck_assert_int_eq(decode_packet(&d, buf, n, AF_INET6), ANOM_NONE);
	n = rst_build(&d, 1, out);
	ck_assert_uint_eq(n, 60);
	ck_assert_int_eq(decode_packet(&r, out, n, AF_INET6), ANOM_NONE);
	ck_assert_uint_eq(r.ack, 8);
	s = csum(0, out + 8, 32) + IPPROTO_TCP + 20;
	ck_assert_uint_eq(csum(s, out + 40, 20), 0xffff);
}
END_TEST

/* --- containers not known yet (live_unidentified) ------------------------ */

#define GW	"198.19.0.1"	/* docker0: this host's */
#define NEWC	"198.19.0.30"	/* a container started just now */
#define OUTSIDE	"198.18.5.5"	/* in no container subnet */

static void
setup_unidentified(void)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.web", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("starters", GROUP_USER, MODE_DISCOVER, "name=starter*");
	fx_group("others", GROUP_USER, MODE_DISCOVER, "name=other*");
	fx_workload("client", CLIENT);
	fx_workload("web", WEB);
	fx_rule("others", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_USER);
	fx_net("198.19.0.0/24");
	fx_host(GW);
	fx_start(1000);
}

/* The nudges the docker thread would read now. */
static uint64_t
nudges(void)
{
	uint64_t n = 0;

	if (read(fx.live.nudge_fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* The container at NEWC becomes known, named name, as live.c would do it. */
static void
container_known(const char *name)
{
	fx_workload(name, NEWC);
	ck_assert_int_eq(live_workload_set(&fx.live, &fx.wls[fx.nwls - 1]), 0);
	fx_publish_tightened();
}

/*
 * A protect-mode group a new container could join: its first SYN is
 * dropped and changes nothing; its retransmit, once the container is
 * known, is judged as it (here: no rule, dropped with a reset).
 */
START_TEST(test_unidentified_protect)
{
	struct record r[4];
	struct event_rec *e;

	fx_set_mode("starters", MODE_PROTECT);
	ck_assert_int_eq(tcp(NEWC, 41000, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 1);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 0);
	ck_assert_uint_eq(fx.w.judge.st.denied_packets, 1);
	ck_assert_uint_eq(nudges(), 1);
	ck_assert_uint_eq(fx_records(r, 4), 1);
	ck_assert_int_eq(r[0].type, REC_EVENT);
	e = &r[0].u.ev;
	ck_assert_int_eq(e->action, EV_DENY);
	ck_assert_str_eq(e->reason, "unidentified");
	ck_assert_str_eq(e->src_workload, "");
	ck_assert_str_eq(e->dst_workload, "web");
	ck_assert_str_eq(e->message, "external -> nv.web tcp/80: cannot be judged: a container "
	    "not known yet (protect)");
	/* The same SYN again, still unknown: counted, one event per flow. */
	ck_assert_int_eq(tcp(NEWC, 41000, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 2);
	ck_assert_uint_eq(fx_records(r, 4), 0);
	container_known("starter1");
	ck_assert_int_eq(tcp(NEWC, 41000, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 2);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 1);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.src_workload, "starter1");
	ck_assert_str_eq(r[0].u.ev.reason, "");
	ck_assert_str_eq(r[0].u.ev.message, "nv.starter1 -> nv.web tcp/80: no rule allows it (protect)");
	ck_assert_uint_eq(fx.w.ft.st.created, 1);
}
END_TEST

/* Allowed once known: the retransmitted SYN opens the connection. */
START_TEST(test_unidentified_allowed_at_retransmit)
{
	fx_set_mode("starters", MODE_PROTECT);
	fx_set_mode("others", MODE_PROTECT);
	ck_assert_int_eq(tcp(NEWC, 41001, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	container_known("other1");
	ck_assert_int_eq(tcp(NEWC, 41001, WEB, 80, TCP_SYN, 1000, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(WEB, 80, NEWC, 41001, TCP_SYN | TCP_ACK, 5000, 1001), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(NEWC, 41001, WEB, 80, TCP_ACK, 1001, 5001), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 1);
	ck_assert_uint_eq(fx.w.ft.st.created, 1);
	ck_assert_int_eq(fx_only_flow()->tcp_state, TCPS_ESTABLISHED);
}
END_TEST

/*
 * Nothing in protect: the packets pass with one alert per flow, nothing is
 * learned of an address nvd cannot name, and the connection is judged as
 * the container at its first packet once it is known.
 */
START_TEST(test_unidentified_discover_passes)
{
	struct record r[8];

	ck_assert_int_eq(tcp(NEWC, 41002, WEB, 8080, TCP_SYN, 1000, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(WEB, 8080, NEWC, 41002, TCP_SYN | TCP_ACK, 5000, 1001), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 2);
	ck_assert_uint_eq(fx_records(r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_str_eq(r[0].u.ev.reason, "unidentified");
	ck_assert_str_eq(r[0].u.ev.message, "external -> nv.web tcp/8080: cannot be judged: a "
	    "container not known yet (discover)");
	container_known("starter2");
	ck_assert_int_eq(tcp(NEWC, 41002, WEB, 8080, TCP_ACK, 1001, 5001), VERDICT_ACCEPT);
	tcp(NEWC, 41002, WEB, 8080, TCP_FIN | TCP_ACK, 1001, 5001);
	tcp(WEB, 8080, NEWC, 41002, TCP_FIN | TCP_ACK, 5001, 1002);
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 8), 1);
	ck_assert_str_eq(r[0].u.learn.from, "nv.starter2");
	ck_assert_str_eq(r[0].u.learn.to, "nv.web");
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 2);
}
END_TEST

/* Who else may be unknown: the other end's mode, default_mode, learned
 * groups; and who is not: this host, a subnet's own addresses, outside. */
START_TEST(test_unidentified_modes)
{
	fx_set_mode("nv.web", MODE_PROTECT);
	ck_assert_int_eq(tcp(NEWC, 41003, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 1);
	/* Not containers: judged as they are, by the rules (none: denied). */
	ck_assert_int_eq(tcp(GW, 41004, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_int_eq(tcp(OUTSIDE, 41005, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_int_ne(fx_udp(CLIENT, 41006, "198.19.0.255", 9999, "x", 1), VERDICT_DROP);
	ck_assert_int_ne(fx_udp(CLIENT, 41007, "198.19.0.0", 9999, "x", 1), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 1);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 2);
	/* A known container to an unknown one: in doubt the other way too. */
	fx_set_mode("nv.web", MODE_DISCOVER);
	fx_set_mode("nv.client", MODE_PROTECT);
	ck_assert_int_eq(fx_udp(CLIENT, 41008, NEWC, 53, "x", 1), VERDICT_DROP);
	fx_set_mode("nv.client", MODE_DISCOVER);
	ck_assert_int_eq(fx_udp(CLIENT, 41009, NEWC, 53, "x", 1), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 3);
	/* Its learned group would start in default_mode. */
	fx.default_mode = MODE_PROTECT;
	fx_publish();
	ck_assert_int_eq(fx_udp(CLIENT, 41010, NEWC, 53, "x", 1), VERDICT_DROP);
	fx.default_mode = MODE_DISCOVER;
	fx_set_mode("containers", MODE_PROTECT);
	ck_assert_int_eq(fx_udp(CLIENT, 41011, NEWC, 53, "x", 1), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 5);
}
END_TEST

/*
 * An address a container gave up may already be another's before the
 * snapshot says so: the snapshot's other1 (allowed) is gone, and what
 * comes from its address now is in doubt, not allowed as other1.
 */
START_TEST(test_unidentified_departed)
{
	struct record r[4];

	fx_set_mode("starters", MODE_PROTECT);
	container_known("other1");
	ck_assert_int_eq(tcp(NEWC, 41012, WEB, 80, TCP_SYN, 1000, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(live_workload_remove(&fx.live, "other1"), 0);
	ck_assert_int_eq(tcp(NEWC, 41013, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 1);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.src_workload, "");
	ck_assert_str_eq(r[0].u.ev.src_group, "external");
	/* A flow judged before goes on as it was judged. */
	ck_assert_int_eq(tcp(NEWC, 41012, WEB, 80, TCP_ACK, 1001, 5001), VERDICT_ACCEPT);
	/* The snapshot catches up: the address is nobody's, then starter3's. */
	fx_workload_del("other1");
	fx_publish();
	ck_assert_int_eq(tcp(NEWC, 41013, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 2);
	container_known("starter3");
	ck_assert_int_eq(tcp(NEWC, 41013, WEB, 80, TCP_SYN, 1000, 0), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 2);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.src_workload, "starter3");
}
END_TEST

/* More departures than the ring holds: every container address is in
 * doubt until the snapshot catches up. */
START_TEST(test_unidentified_departed_bound)
{
	struct policy_workload w;
	char name[16];

	fx_set_mode("starters", MODE_PROTECT);
	memset(&w, 0, sizeof(w));
	w.naddrs = 1;
	w.addrs[0].family = AF_INET;
	w.addrs[0].addr[0] = 198;
	w.addrs[0].addr[1] = 19;
	w.addrs[0].addr[2] = 1;
	for (int i = 0; i <= LIVE_DEPARTED; i++) {
		snprintf(name, sizeof(name), "gone%d", i);
		strcpy(w.id, name);
		w.addrs[0].addr[3] = (uint8_t)i;
		ck_assert_int_eq(live_workload_set(&fx.live, &w), 0);
	}
	fx_publish();
	ck_assert_int_eq(syn(41014, 80), VERDICT_ACCEPT);	/* nothing departed yet */
	for (int i = 0; i <= LIVE_DEPARTED; i++) {
		snprintf(name, sizeof(name), "gone%d", i);
		ck_assert_int_eq(live_workload_remove(&fx.live, name), 0);
	}
	ck_assert_int_eq(syn(41015, 80), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_UNIDENTIFIED], 1);
	fx_publish();
	ck_assert_int_eq(syn(41015, 80), VERDICT_ACCEPT);
}
END_TEST

/* One nudge per LIVE_NUDGE_MS, whichever worker meets the address. */
START_TEST(test_unidentified_nudges)
{
	ck_assert_int_eq(tcp(NEWC, 41016, WEB, 80, TCP_SYN, 1000, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(tcp(NEWC, 41017, WEB, 80, TCP_SYN, 1000, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(nudges(), 1);
	fx.clock_ms += LIVE_NUDGE_MS;
	ck_assert_int_eq(tcp(NEWC, 41018, WEB, 80, TCP_SYN, 1000, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(nudges(), 1);
	ck_assert_int_eq(syn(41019, 80), VERDICT_ACCEPT);	/* known ends: no nudge */
	fx.clock_ms += LIVE_NUDGE_MS;
	ck_assert_int_eq(syn(41020, 80), VERDICT_ACCEPT);
	ck_assert_uint_eq(nudges(), 0);
}
END_TEST

static Suite *
judge_suite(void)
{
	Suite *s = suite_create("judge");
	TCase *tc = tcase_create("verdicts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_discover_learns);
	tcase_add_test(tc, test_protect_denies_unlearned);
	tcase_add_test(tc, test_monitor_alerts_once);
	tcase_add_test(tc, test_user_deny_beats_learned);
	tcase_add_test(tc, test_tightening_cuts_open_flow);
	tcase_add_test(tc, test_no_policy_accepts);
	tcase_add_test(tc, test_icmp_exempt);
	tcase_add_test(tc, test_icmp_errors);
	tcase_add_test(tc, test_noct_never_bypassed);
	suite_add_tcase(s, tc);
	tc = tcase_create("bypass generations");
	tcase_add_checked_fixture(tc, setup_bypass, teardown);
	tcase_add_test(tc, test_gen_arithmetic);
	tcase_add_test(tc, test_bypassed_allowed_rejudged);
	tcase_add_test(tc, test_bypassed_denied_after_tightening);
	tcase_add_test(tc, test_forgotten_flow_midstream);
	tcase_add_test(tc, test_exempt_packet_keeps_flow_queued);
	suite_add_tcase(s, tc);
	tc = tcase_create("anti-spoofing");
	tcase_add_checked_fixture(tc, setup_spoof, teardown);
	tcase_add_test(tc, test_spoof_protect);
	tcase_add_test(tc, test_spoof_monitor);
	tcase_add_test(tc, test_spoof_sender_protect);
	tcase_add_test(tc, test_spoof_unknown_port);
	suite_add_tcase(s, tc);
	tc = tcase_create("unidentified");
	tcase_add_checked_fixture(tc, setup_unidentified, teardown);
	tcase_add_test(tc, test_unidentified_protect);
	tcase_add_test(tc, test_unidentified_allowed_at_retransmit);
	tcase_add_test(tc, test_unidentified_discover_passes);
	tcase_add_test(tc, test_unidentified_modes);
	tcase_add_test(tc, test_unidentified_departed);
	tcase_add_test(tc, test_unidentified_departed_bound);
	tcase_add_test(tc, test_unidentified_nudges);
	suite_add_tcase(s, tc);
	tc = tcase_create("resets");
	tcase_add_test(tc, test_rst_to_syn_sender);
	tcase_add_test(tc, test_rst_mid_stream_both_ends);
	tcase_add_test(tc, test_rst_ipv6);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(judge_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
