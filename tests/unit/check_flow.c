/*
 * check_flow.c: flow keys, the bounded flow table, timeouts, TCP state.
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "packet/decode.h"
#include "packet/flow.h"
#include "base/types.h"
#include "pkt.h"

#define C4	"198.18.0.1"
#define S4	"198.18.0.2"
#define C6	"fd00::1"
#define S6	"fd00::2"

static struct flow_table ft;

static void
setup(void)
{
	ck_assert_int_eq(flow_table_init(&ft, 4, 0x5eed), 0);
}

static void
teardown(void)
{
	flow_table_destroy(&ft);
}

/* Decodes a packet built from q and makes its key; returns the side. */
static int
key_of(struct pkt *q, struct flow_key *key)
{
	static uint8_t buf[256];
	struct packet p;
	size_t len = pkt_build(q, buf, sizeof(buf));

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(decode_packet(&p, buf, len, 0), ANOM_NONE);
	return flow_key_make(key, &p);
}

static int
udp_key(const char *src, uint16_t sport, const char *dst, uint16_t dport, struct flow_key *key)
{
	struct pkt q;

	pkt_udp(&q, src, sport, dst, dport);
	return key_of(&q, key);
}

static int
tcp_key(const char *src, uint16_t sport, const char *dst, uint16_t dport, struct flow_key *key)
{
	struct pkt q;

	pkt_tcp(&q, src, sport, dst, dport, TCP_ACK, 1, 1);
	return key_of(&q, key);
}

/* Creates a UDP flow from C4 port sport to S4 port 53. */
static struct flow *
add_udp(uint16_t sport, uint64_t now)
{
	struct flow_key key;
	int side = udp_key(C4, sport, S4, 53, &key);
	struct flow *f = flow_create(&ft, &key, flow_hash(&ft, &key), side, now);

	ck_assert_ptr_nonnull(f);
	return f;
}

static struct flow *
find_udp(uint16_t sport)
{
	struct flow_key key;

	udp_key(C4, sport, S4, 53, &key);
	return flow_lookup(&ft, &key, flow_hash(&ft, &key));
}

/* Whether f is still in the table (its memory may sit on the free list). */
static int
present(const struct flow *f)
{
	return flow_lookup(&ft, &f->key, f->hash) == f;
}

/* --- keys ------------------------------------------------------------- */

static void
assert_same_flow(struct flow_key *a, int sa, struct flow_key *b, int sb)
{
	ck_assert_int_eq(sa, !sb);
	ck_assert_mem_eq(a, b, sizeof(*a));
	ck_assert_uint_eq(flow_hash(&ft, a), flow_hash(&ft, b));
}

START_TEST(test_key_both_directions_ipv4)
{
	struct flow_key a, b;
	int sa = tcp_key(C4, 40000, S4, 80, &a);
	int sb = tcp_key(S4, 80, C4, 40000, &b);

	assert_same_flow(&a, sa, &b, sb);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(a.proto, IPPROTO_TCP);
	/* The lower address comes first. */
	ck_assert_int_eq(sa, 0);
	ck_assert_uint_eq(a.port[0], 40000);
	ck_assert_uint_eq(a.port[1], 80);
	ck_assert_uint_eq(a.addr[0][3], 1);
	ck_assert_uint_eq(a.addr[1][3], 2);
	for (int i = 4; i < 16; i++)
		ck_assert_uint_eq(a.addr[0][i] | a.addr[1][i], 0);
}
END_TEST

START_TEST(test_key_both_directions_ipv6)
{
	struct flow_key a, b;
	int sa = udp_key(S6, 53, C6, 5353, &a);
	int sb = udp_key(C6, 5353, S6, 53, &b);

	assert_same_flow(&a, sa, &b, sb);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_int_eq(sa, 1);
	ck_assert_uint_eq(a.addr[0][15], 1);
	ck_assert_uint_eq(a.port[0], 5353);
}
END_TEST

START_TEST(test_key_same_address_ports_decide)
{
	struct flow_key a, b;
	int sa = tcp_key(C4, 2000, C4, 1000, &a);
	int sb = tcp_key(C4, 1000, C4, 2000, &b);

	assert_same_flow(&a, sa, &b, sb);
	ck_assert_uint_eq(a.port[0], 1000);
}
END_TEST

START_TEST(test_key_icmp_echo_pairs)
{
	struct flow_key a, b;
	struct pkt q;
	int sa, sb;

	pkt_icmp(&q, C4, S4, 8, 0, 77);
	sa = key_of(&q, &a);
	pkt_icmp(&q, S4, C4, 0, 0, 77);
	sb = key_of(&q, &b);
	assert_same_flow(&a, sa, &b, sb);
}
END_TEST

START_TEST(test_both_directions_one_flow)
{
	struct flow_key a, b;
	int sa = tcp_key(C4, 40000, S4, 80, &a);
	struct flow *f = flow_create(&ft, &a, flow_hash(&ft, &a), sa, 1);

	tcp_key(S4, 80, C4, 40000, &b);
	ck_assert_ptr_eq(flow_lookup(&ft, &b, flow_hash(&ft, &b)), f);
	ck_assert_uint_eq(f->client, sa);
	ck_assert_uint_eq(ft.st.active, 1);
}
END_TEST

START_TEST(test_different_ports_different_flows)
{
	struct flow_key a, b, c;
	int sa = tcp_key(C4, 40000, S4, 80, &a);
	struct flow *f = flow_create(&ft, &a, flow_hash(&ft, &a), sa, 1);

	tcp_key(C4, 40001, S4, 80, &b);
	ck_assert_ptr_null(flow_lookup(&ft, &b, flow_hash(&ft, &b)));
	tcp_key(C4, 40000, S4, 81, &c);
	ck_assert_ptr_null(flow_lookup(&ft, &c, flow_hash(&ft, &c)));
	/* Same ports, other protocol. */
	udp_key(C4, 40000, S4, 80, &c);
	ck_assert_ptr_null(flow_lookup(&ft, &c, flow_hash(&ft, &c)));
	ck_assert_ptr_eq(flow_lookup(&ft, &a, flow_hash(&ft, &a)), f);
}
END_TEST

/* --- bounds and pool ------------------------------------------------ */

START_TEST(test_evict_least_recently_touched)
{
	struct flow *f1 = add_udp(1, 1000);
	struct flow *f3, *f4, *f5;

	add_udp(2, 2000);
	f3 = add_udp(3, 3000);
	f4 = add_udp(4, 4000);
	flow_touch(&ft, f1, 5000);	/* f2 is now the oldest */
	ck_assert_uint_eq(ft.st.evicted, 0);
	f5 = add_udp(5, 6000);
	ck_assert_uint_eq(ft.st.evicted, 1);
	ck_assert_uint_eq(ft.st.active, 4);
	ck_assert_uint_eq(ft.st.created, 5);
	ck_assert_ptr_null(find_udp(2));
	ck_assert_ptr_eq(find_udp(1), f1);
	ck_assert_ptr_eq(find_udp(3), f3);
	ck_assert_ptr_eq(find_udp(4), f4);
	ck_assert_ptr_eq(find_udp(5), f5);
	ck_assert_uint_eq(f1->last_ms, 5000);
	ck_assert_uint_eq(f1->first_ms, 1000);
}
END_TEST

START_TEST(test_evict_in_lru_order)
{
	add_udp(1, 1000);
	add_udp(2, 2000);
	add_udp(3, 3000);
	add_udp(4, 4000);
	add_udp(5, 5000);
	add_udp(6, 6000);
	ck_assert_uint_eq(ft.st.evicted, 2);
	ck_assert_ptr_null(find_udp(1));
	ck_assert_ptr_null(find_udp(2));
	ck_assert_ptr_nonnull(find_udp(3));
	ck_assert_ptr_nonnull(find_udp(6));
}
END_TEST

START_TEST(test_pool_reuses_freed_flows)
{
	struct flow *f1 = add_udp(1, 1);
	struct flow *f2 = add_udp(2, 1);
	struct flow *n1, *n2;

	add_udp(3, 1);
	add_udp(4, 1);
	ck_assert_uint_eq(ft.allocated, 4);
	flow_remove(&ft, f1);
	flow_remove(&ft, f2);
	ck_assert_uint_eq(ft.st.active, 2);
	ck_assert_ptr_null(find_udp(1));
	ck_assert_ptr_null(find_udp(2));
	n1 = add_udp(11, 2);
	n2 = add_udp(12, 2);
	ck_assert_uint_eq(ft.st.active, 4);
	ck_assert_uint_eq(ft.st.evicted, 0);
	ck_assert_uint_eq(ft.allocated, 4);
	ck_assert_uint_eq(ft.st.pool_exhausted, 0);
	ck_assert(n1 == f1 || n1 == f2);
	ck_assert(n2 == f1 || n2 == f2);
	ck_assert_ptr_ne(n1, n2);
	/* A reused flow starts clean. */
	ck_assert_uint_eq(n1->pkts[0] + n1->pkts[1], 0);
	ck_assert_uint_eq(n1->first_ms, 2);
}
END_TEST

START_TEST(test_many_flows_across_chunks)
{
	struct flow_key key;
	char addr[32];

	flow_table_destroy(&ft);
	ck_assert_int_eq(flow_table_init(&ft, 10000, 1), 0);
	for (int i = 0; i < 9000; i++) {
		snprintf(addr, sizeof(addr), "198.18.%d.%d", i / 250, i % 250 + 1);
		udp_key(addr, (uint16_t)(1024 + i), "198.19.0.1", 53, &key);
		ck_assert_ptr_nonnull(flow_create(&ft, &key, flow_hash(&ft, &key), 0, 1));
	}
	ck_assert_uint_eq(ft.st.active, 9000);
	ck_assert_uint_eq(ft.st.evicted, 0);
	ck_assert_uint_le(ft.allocated, 10000);
	for (int i = 0; i < 9000; i++) {
		snprintf(addr, sizeof(addr), "198.18.%d.%d", i / 250, i % 250 + 1);
		udp_key(addr, (uint16_t)(1024 + i), "198.19.0.1", 53, &key);
		ck_assert_ptr_nonnull(flow_lookup(&ft, &key, flow_hash(&ft, &key)));
	}
}
END_TEST

/* --- timeouts --------------------------------------------------------- */

START_TEST(test_timeouts_by_state)
{
	struct flow *f = add_udp(1, 0);

	ck_assert_uint_eq(flow_timeout_ms(f), 30000);
	f->flags |= FLOW_F_REPLIED;
	ck_assert_uint_eq(flow_timeout_ms(f), 120000);
	f->key.proto = IPPROTO_ICMP;
	ck_assert_uint_eq(flow_timeout_ms(f), 30000);
	f->key.proto = IPPROTO_TCP;
	f->tcp_state = TCPS_SYN_SENT;
	ck_assert_uint_eq(flow_timeout_ms(f), 60000);
	f->tcp_state = TCPS_ESTABLISHED;
	ck_assert_uint_eq(flow_timeout_ms(f), 3600000);
	f->tcp_state = TCPS_FIN_WAIT;
	ck_assert_uint_eq(flow_timeout_ms(f), 120000);
	f->tcp_state = TCPS_CLOSING;
	ck_assert_uint_eq(flow_timeout_ms(f), 10000);
	f->tcp_state = TCPS_CLOSED;
	ck_assert_uint_eq(flow_timeout_ms(f), 10000);
}
END_TEST

START_TEST(test_expire_idle_not_fresh)
{
	struct flow *fresh;

	add_udp(1, 1000);
	fresh = add_udp(2, 20000);
	ck_assert_uint_eq(flow_expire(&ft, 30999, 100), 0);	/* 1 ms early */
	ck_assert_uint_eq(flow_expire(&ft, 31000, 100), 1);
	ck_assert_uint_eq(ft.st.timed_out, 1);
	ck_assert_uint_eq(ft.st.active, 1);
	ck_assert_ptr_null(find_udp(1));
	ck_assert_ptr_eq(find_udp(2), fresh);
}
END_TEST

START_TEST(test_expire_touch_keeps_alive)
{
	struct flow *f = add_udp(1, 1000);

	flow_touch(&ft, f, 25000);
	ck_assert_uint_eq(flow_expire(&ft, 31000, 100), 0);
	ck_assert_uint_eq(flow_expire(&ft, 55000, 100), 1);
}
END_TEST

START_TEST(test_expire_by_tcp_state)
{
	struct flow *est = add_udp(1, 1000);
	struct flow *closing = add_udp(2, 1000);
	struct flow *udp = add_udp(3, 1000);

	/* The timeout goes by the protocol in the key (the hash does not
	 * matter here: present() looks a flow up by its own key). */
	est->key.proto = IPPROTO_TCP;
	est->tcp_state = TCPS_ESTABLISHED;
	closing->key.proto = IPPROTO_TCP;
	closing->tcp_state = TCPS_CLOSING;
	/* Filed again by their timeouts, as the worker does after a packet. */
	flow_touch(&ft, est, 1000);
	flow_touch(&ft, closing, 1000);
	/* After 10 s only the closing flow is gone, though the established
	 * one is older in the LRU. */
	ck_assert_uint_eq(flow_expire(&ft, 11000, 100), 1);
	ck_assert(!present(closing));
	ck_assert(present(est));
	ck_assert(present(udp));
	/* After 30 s the unanswered UDP flow too. */
	ck_assert_uint_eq(flow_expire(&ft, 31000, 100), 1);
	ck_assert(!present(udp));
	ck_assert(present(est));
	ck_assert_uint_eq(flow_expire(&ft, 1000 + 3599999, 100), 0);
	ck_assert_uint_eq(flow_expire(&ft, 1000 + 3600000, 100), 1);
	ck_assert(!present(est));
	ck_assert_uint_eq(ft.st.timed_out, 3);
	ck_assert_uint_eq(ft.st.active, 0);
}
END_TEST

START_TEST(test_expire_budget)
{
	add_udp(1, 0);
	add_udp(2, 0);
	add_udp(3, 0);
	ck_assert_uint_eq(flow_expire(&ft, 60000, 2), 2);
	ck_assert_uint_eq(ft.st.active, 1);
	ck_assert_uint_eq(flow_expire(&ft, 60000, 2), 1);
	ck_assert_uint_eq(ft.st.active, 0);
}
END_TEST

/* Long-lived flows (bypassed connections the kernel carries, kept for
 * half an hour) seen before a short-lived one do not hold its expiry up,
 * however many there are for the budget: expiry never walks them. */
START_TEST(test_expire_not_behind_long_lived)
{
	struct flow *f;

	for (uint16_t i = 1; i <= 3; i++) {
		f = add_udp(i, 1000);
		f->flags |= FLOW_F_BYPASSED;
		f->key.proto = IPPROTO_TCP;
		f->tcp_state = TCPS_ESTABLISHED;
		flow_touch(&ft, f, 1000);
	}
	f = add_udp(1000, 2000);	/* unanswered UDP: 30 s */
	ck_assert_uint_eq(flow_expire(&ft, 32000, 1), 1);	/* a budget of one */
	ck_assert(!present(f));
	ck_assert_uint_eq(ft.st.active, 3);
	ck_assert_uint_eq(flow_expire(&ft, 1000 + 1799999, 10), 0);
	ck_assert_uint_eq(flow_expire(&ft, 1000 + 1800000, 10), 3);
}
END_TEST

/* --- TCP state -------------------------------------------------------- */

static struct flow tf;

/* What the worker does: reassembly notes the FIN before state tracking. */
static void
seg(int dir, uint8_t flags)
{
	if (flags & TCP_FIN)
		tf.rs[dir].fin = 1;
	flow_tcp_track(&tf, dir, flags);
}

static void
handshake(void)
{
	memset(&tf, 0, sizeof(tf));
	seg(DIR_TO_SERVER, TCP_SYN);
	ck_assert_int_eq(tf.tcp_state, TCPS_SYN_SENT);
	seg(DIR_TO_CLIENT, TCP_SYN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_SYN_RECV);
	seg(DIR_TO_SERVER, TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_ESTABLISHED);
}

START_TEST(test_tcp_handshake)
{
	handshake();
	seg(DIR_TO_SERVER, TCP_PSH | TCP_ACK);
	seg(DIR_TO_CLIENT, TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_ESTABLISHED);
}
END_TEST

START_TEST(test_tcp_synack_wrong_direction)
{
	memset(&tf, 0, sizeof(tf));
	seg(DIR_TO_SERVER, TCP_SYN);
	seg(DIR_TO_SERVER, TCP_SYN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_SYN_SENT);
	seg(DIR_TO_SERVER, TCP_SYN);	/* retransmitted SYN */
	ck_assert_int_eq(tf.tcp_state, TCPS_SYN_SENT);
	seg(DIR_TO_CLIENT, TCP_SYN | TCP_ACK);
	seg(DIR_TO_CLIENT, TCP_ACK);	/* the final ACK comes from the client */
	ck_assert_int_eq(tf.tcp_state, TCPS_SYN_RECV);
}
END_TEST

START_TEST(test_tcp_fin_both_sides)
{
	handshake();
	seg(DIR_TO_SERVER, TCP_FIN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_FIN_WAIT);
	seg(DIR_TO_SERVER, TCP_FIN | TCP_ACK);	/* retransmitted: still one side */
	ck_assert_int_eq(tf.tcp_state, TCPS_FIN_WAIT);
	seg(DIR_TO_CLIENT, TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_FIN_WAIT);
	seg(DIR_TO_CLIENT, TCP_FIN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSING);
	seg(DIR_TO_SERVER, TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSING);
}
END_TEST

START_TEST(test_tcp_server_fin_first)
{
	handshake();
	seg(DIR_TO_CLIENT, TCP_FIN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_FIN_WAIT);
	seg(DIR_TO_SERVER, TCP_FIN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSING);
}
END_TEST

START_TEST(test_tcp_rst_closes)
{
	handshake();
	seg(DIR_TO_CLIENT, TCP_RST);
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSED);
	seg(DIR_TO_SERVER, TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSED);

	memset(&tf, 0, sizeof(tf));
	seg(DIR_TO_SERVER, TCP_SYN);
	seg(DIR_TO_CLIENT, TCP_RST | TCP_ACK);	/* connection refused */
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSED);

	handshake();
	seg(DIR_TO_SERVER, TCP_FIN | TCP_ACK);
	seg(DIR_TO_CLIENT, TCP_RST);
	ck_assert_int_eq(tf.tcp_state, TCPS_CLOSED);
}
END_TEST

START_TEST(test_tcp_midstream)
{
	memset(&tf, 0, sizeof(tf));
	seg(DIR_TO_CLIENT, TCP_PSH | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_ESTABLISHED);
	memset(&tf, 0, sizeof(tf));
	seg(DIR_TO_SERVER, TCP_FIN | TCP_ACK);
	ck_assert_int_eq(tf.tcp_state, TCPS_FIN_WAIT);
}
END_TEST

START_TEST(test_tcp_state_names)
{
	ck_assert_str_eq(flow_tcp_state_name(TCPS_NONE), "none");
	ck_assert_str_eq(flow_tcp_state_name(TCPS_ESTABLISHED), "established");
	ck_assert_str_eq(flow_tcp_state_name(TCPS_CLOSING), "closing");
	ck_assert_str_eq(flow_tcp_state_name(TCPS_CLOSED), "closed");
	ck_assert_str_eq(flow_tcp_state_name(TCPS_CLOSED + 1), "?");
	ck_assert_str_eq(flow_tcp_state_name(-1), "?");
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc;

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_key_both_directions_ipv4);
	tcase_add_test(tc, test_key_both_directions_ipv6);
	tcase_add_test(tc, test_key_same_address_ports_decide);
	tcase_add_test(tc, test_key_icmp_echo_pairs);
	tcase_add_test(tc, test_both_directions_one_flow);
	tcase_add_test(tc, test_different_ports_different_flows);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_evict_least_recently_touched);
	tcase_add_test(tc, test_evict_in_lru_order);
	tcase_add_test(tc, test_pool_reuses_freed_flows);
	tcase_add_test(tc, test_many_flows_across_chunks);
	suite_add_tcase(s, tc);

	tc = tcase_create("timeouts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_timeouts_by_state);
	tcase_add_test(tc, test_expire_idle_not_fresh);
	tcase_add_test(tc, test_expire_touch_keeps_alive);
	tcase_add_test(tc, test_expire_by_tcp_state);
	tcase_add_test(tc, test_expire_budget);
	tcase_add_test(tc, test_expire_not_behind_long_lived);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp_state");
	tcase_add_test(tc, test_tcp_handshake);
	tcase_add_test(tc, test_tcp_synack_wrong_direction);
	tcase_add_test(tc, test_tcp_fin_both_sides);
	tcase_add_test(tc, test_tcp_server_fin_first);
	tcase_add_test(tc, test_tcp_rst_closes);
	tcase_add_test(tc, test_tcp_midstream);
	tcase_add_test(tc, test_tcp_state_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
