/*
 * check_appid.c: application detection in the packet path, replayed
 * through worker_packet() with a policy: a rule for PostgreSQL admits a
 * PostgreSQL client and refuses HTTP on its port (dropped, reset, an
 * "app: HTTP" violation), whatever the segmentation; applications are
 * learned, counted in conversations and bypassed once decided; flows that
 * cannot be told are judged by ports alone.
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "proto/app.h"
#include "packet/appid.h"
#include "fixture_policy.h"
#include "packet/judge.h"
#include "pkt.h"
#include "policy/policy.h"
#include "packet/worker.h"

#define CLIENT	"198.19.0.20"
#define DB	"198.19.0.30"

/* psql's StartupMessage: protocol 3.0, user postgres, database app. */
static const uint8_t pg_startup[] = {
	0, 0, 0, 36, 0, 3, 0, 0,
	'u', 's', 'e', 'r', 0, 'p', 'o', 's', 't', 'g', 'r', 'e', 's', 0,
	'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'a', 'p', 'p', 0, 0,
};
static const char http_get[] = "GET /admin HTTP/1.1\r\nHost: db.example\r\n"
    "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

static void
setup(void)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.db", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_workload("client", CLIENT);
	fx_workload("db", DB);
	fx_start(10000);
}

static void
teardown(void)
{
	fx_end();
}

/* A rule from nv.client to nv.db. */
static void
add_rule(const char *apps, const char *ports, enum rule_action a)
{
	fx_rule("nv.client", "nv.db", apps, ports, a, RULE_USER);
}

/* One TCP connection from the client's port cport to DB port sport. */
static void
open_conn(struct fx_conn *k, uint16_t cport, uint16_t sport)
{
	fx_conn_open(k, CLIENT, cport, DB, sport);
}

static struct flow *
conn_flow(const struct fx_conn *k)
{
	struct pkt q;
	uint8_t buf[128];
	struct packet p;
	struct flow_key key;
	size_t len;

	pkt_tcp(&q, CLIENT, k->cport, DB, k->sport, TCP_ACK, 0, 0);
	len = pkt_build(&q, buf, sizeof(buf));
	ck_assert_int_eq(decode_packet(&p, buf, len, 0), ANOM_NONE);
	flow_key_make(&key, &p);
	return flow_lookup(&fx.w.ft, &key, flow_hash(&fx.w.ft, &key));
}

static void
protect_postgresql_only(void)
{
	add_rule("postgresql", "tcp/5432", RULE_ALLOW);
	fx_set_mode("nv.db", MODE_PROTECT);
}

/* --- L7 rules ------------------------------------------------------------ */

START_TEST(test_postgresql_admitted)
{
	struct fx_conn k;
	struct record r[4];
	struct flow *f;

	protect_postgresql_only();
	open_conn(&k, 41000, 5432);	/* provisionally allowed */
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, sizeof(pg_startup)),
	    VERDICT_BYPASS);
	f = conn_flow(&k);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->app, APP_POSTGRESQL);
	ck_assert_int_eq(f->app_state, APPS_DONE);
	ck_assert_int_eq(f->rule_id, 101);
	ck_assert_ptr_null(f->ab);	/* decided in place, no buffer */
	ck_assert_uint_eq(fx.w.appid.st.detected[APP_POSTGRESQL], 1);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_ALLOW], 1);
	ck_assert_uint_eq(fx_records_of(REC_CONV, r, 4), 1);
	ck_assert_str_eq(r[0].u.conv.app, "PostgreSQL");
	ck_assert_str_eq(r[0].u.conv.from, "nv.client");
	ck_assert_str_eq(r[0].u.conv.to, "nv.db");
	ck_assert_int_eq(r[0].u.conv.port, 5432);
	ck_assert_int_eq(r[0].u.conv.verdict, CONV_ALLOW);
}
END_TEST

/* Wherever the first message is cut, the flow is decided only once whole,
 * and admitted. */
START_TEST(test_postgresql_any_segmentation)
{
	for (size_t cut = 1; cut < sizeof(pg_startup); cut++) {
		struct fx_conn k;
		struct flow *f;

		teardown();
		setup();
		protect_postgresql_only();
		open_conn(&k, (uint16_t)(42000 + cut), 5432);
		ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, cut),
		    VERDICT_ACCEPT);
		f = conn_flow(&k);
		ck_assert_int_eq(f->app_state, APPS_DETECTING);
		ck_assert_ptr_nonnull(f->ab);
		ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup + cut,
		    sizeof(pg_startup) - cut), VERDICT_BYPASS);
		ck_assert_int_eq(f->app, APP_POSTGRESQL);
		ck_assert_ptr_null(f->ab);	/* back in the pool */
	}
}
END_TEST

START_TEST(test_http_refused_on_postgresql_rule)
{
	struct fx_conn k;
	struct record r[4];
	struct event_rec *e;

	protect_postgresql_only();
	open_conn(&k, 41001, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, http_get,
	    strlen(http_get)), VERDICT_DROP);
	/* Both ends: it was open. */
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	e = &r[0].u.ev;
	ck_assert_int_eq(e->type, EV_VIOLATION);
	ck_assert_int_eq(e->action, EV_DENY);
	ck_assert_str_eq(e->app, "HTTP");
	ck_assert_int_eq(e->dst_port, 5432);
	ck_assert_ptr_nonnull(strstr(e->message, "app: HTTP (method GET, host db.example, "
	    "path /admin"));
	ck_assert_ptr_nonnull(strstr(e->message, "no rule allows it (protect)"));
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_DENY], 1);
	/* The rest of it is dropped, one event. */
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, "x", 1), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 0);
}
END_TEST

/* Split request: no HTTP byte decides it before the request line is whole. */
START_TEST(test_http_refused_when_split)
{
	struct fx_conn k;
	struct record r[4];

	protect_postgresql_only();
	open_conn(&k, 41002, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, http_get, 5),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, http_get + 5,
	    strlen(http_get) - 5), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.app, "HTTP");
}
END_TEST

/* Monitor: the same HTTP passes, with an alert naming it. */
START_TEST(test_monitor_alerts_with_app)
{
	struct fx_conn k;
	struct record r[4];

	add_rule("postgresql", "tcp/5432", RULE_ALLOW);
	fx_set_mode("nv.db", MODE_MONITOR);
	open_conn(&k, 41003, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, http_get,
	    strlen(http_get)), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_str_eq(r[0].u.ev.app, "HTTP");
}
END_TEST

/* Discover: learned with the application; a server-first protocol too. */
START_TEST(test_discover_learns_app)
{
	static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 41004, 5432);
	fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, sizeof(pg_startup));
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 4), 1);
	ck_assert_str_eq(r[0].u.learn.app, "postgresql");
	ck_assert_int_eq(r[0].u.learn.port, 5432);
	open_conn(&k, 41005, 22);
	fx_conn_send(&k, 1, TCP_PSH | TCP_ACK, banner, strlen(banner));
	fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, banner, strlen(banner));
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 4), 1);
	ck_assert_str_eq(r[0].u.learn.app, "ssh");
}
END_TEST

/* A deny rule for an application does not catch what is still undecided,
 * and catches it once decided. */
START_TEST(test_deny_rule_by_app)
{
	struct fx_conn k;
	struct record r[4];

	add_rule("http", "tcp/5432", RULE_DENY);
	add_rule("any", "tcp/5432", RULE_ALLOW);
	fx_set_mode("nv.db", MODE_PROTECT);
	open_conn(&k, 41006, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, http_get,
	    strlen(http_get)), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.rule_id, 101);
	ck_assert_str_eq(r[0].u.ev.app, "HTTP");
	open_conn(&k, 41007, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, sizeof(pg_startup)),
	    VERDICT_BYPASS);
}
END_TEST

/* --- flows that cannot be told ---------------------------------------- */

/* No byte before the close: judged by its port (a port check is no
 * violation of a rule for PostgreSQL). */
START_TEST(test_empty_connection_by_ports)
{
	struct fx_conn k;
	struct record r[4];

	protect_postgresql_only();
	open_conn(&k, 41010, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_FIN | TCP_ACK, NULL, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_FIN | TCP_ACK, NULL, 0), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 0);
	ck_assert_uint_eq(fx.w.judge.st.judged[POL_ALLOW], 1);
}
END_TEST

/* Bytes nvd never saw (the receiver acknowledged them): the application
 * cannot be told, and the rule that allows the port names one: in
 * protect the flow is cut, with the reason. */
START_TEST(test_gap_by_ports)
{
	struct fx_conn k;
	struct flow *f;
	struct record r[4];

	protect_postgresql_only();
	open_conn(&k, 41011, 5432);
	k.seq[0] += 100;	/* lost before nvd */
	fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, 8);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK, NULL, 0), VERDICT_DROP);
	f = conn_flow(&k);
	ck_assert_int_eq(f->app_state, APPS_WAIVED);
	ck_assert_int_eq(f->doubt, DOUBT_GAP);
	ck_assert_uint_eq(fx.w.appid.st.gaps, 1);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_GAP], 1);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.reason, "gap");
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
}
END_TEST

/* Binary bytes no probe knows: unknown, refused by the PostgreSQL rule. */
START_TEST(test_unknown_refused)
{
	static const uint8_t junk[64] = { 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff };
	struct fx_conn k;
	struct record r[4];

	protect_postgresql_only();
	open_conn(&k, 41012, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, junk, sizeof(junk)), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.app, "unknown");
	ck_assert_uint_eq(fx.w.appid.st.detected[APP_UNKNOWN], 1);
}
END_TEST

/* The buffer pool is bounded, and one client has a share of it: past
 * that, its flows cannot be told and are cut in protect (counted); a
 * decided flow gives its buffer back. */
START_TEST(test_buffer_pool_bound)
{
	struct fx_conn k;
	struct flow *f;

	protect_postgresql_only();
	for (int i = 0; i <= APPID_CLIENT_SHARE; i++) {
		open_conn(&k, (uint16_t)(10000 + i), 5432);
		fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, 4);	/* undecided */
	}
	ck_assert_uint_eq(fx.w.appid.st.buffered, APPID_CLIENT_SHARE);
	ck_assert_uint_eq(fx.w.appid.st.nobuf, 1);
	f = conn_flow(&k);
	ck_assert_int_eq(f->app_state, APPS_WAIVED);
	ck_assert_int_eq(f->doubt, DOUBT_APP_STATE);
	ck_assert_int_eq(f->flags & FLOW_F_DENIED, FLOW_F_DENIED);
	k.cport = 10000;
	k.seq[0] = 1005;
	k.seq[1] = 50001;
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup + 4,
	    sizeof(pg_startup) - 4), VERDICT_BYPASS);
	open_conn(&k, 20000, 5432);
	fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, pg_startup, 4);
	ck_assert_uint_eq(fx.w.appid.st.nobuf, 1);	/* the freed buffer served it */
}
END_TEST

/* A byte per segment cannot keep a flow undecided (nor make the probes
 * quadratic): after a bounded number of runs it is decided. */
START_TEST(test_bounded_runs)
{
	struct fx_conn k;
	struct flow *f;
	int i;

	protect_postgresql_only();
	open_conn(&k, 41013, 5432);
	f = conn_flow(&k);
	for (i = 0; i < 200 && !appid_final(f); i++)
		fx_conn_send(&k, 0, TCP_PSH | TCP_ACK, (const uint8_t *)(i < 5 ? "GET /" + i : "a"),
		    1);
	ck_assert_int_eq(appid_final(f), 1);
	ck_assert_int_le(i, 40);
	ck_assert_int_eq(f->app, APP_UNKNOWN);
}
END_TEST

/* UDP: the first datagram decides (a DNS query); DNS stays queued, for
 * its answers (dnsbind.h). */
START_TEST(test_udp_dns)
{
	static const uint8_t query[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 1, 0, 1,
	};
	struct record r[4];

	ck_assert_int_eq(fx_udp(CLIENT, 53000, DB, 53, query, sizeof(query)), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.appid.st.detected[APP_DNS], 1);
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 4), 1);
	ck_assert_str_eq(r[0].u.learn.app, "dns");
	ck_assert_int_eq(r[0].u.learn.proto, IPPROTO_UDP);
}
END_TEST

static Suite *
appid_suite(void)
{
	Suite *s = suite_create("detect");
	TCase *tc = tcase_create("l7 rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_postgresql_admitted);
	tcase_add_test(tc, test_postgresql_any_segmentation);
	tcase_add_test(tc, test_http_refused_on_postgresql_rule);
	tcase_add_test(tc, test_http_refused_when_split);
	tcase_add_test(tc, test_monitor_alerts_with_app);
	tcase_add_test(tc, test_discover_learns_app);
	tcase_add_test(tc, test_deny_rule_by_app);
	suite_add_tcase(s, tc);
	tc = tcase_create("undecided");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_connection_by_ports);
	tcase_add_test(tc, test_gap_by_ports);
	tcase_add_test(tc, test_unknown_refused);
	tcase_add_test(tc, test_buffer_pool_bound);
	tcase_add_test(tc, test_bounded_runs);
	tcase_add_test(tc, test_udp_dns);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(appid_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
