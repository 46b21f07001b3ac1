/*
 * check_threat.c: the threat detectors (threat.h), each positive and
 * negative, on crafted packets and streams through worker_packet(): in
 * protect mode a detector with action deny drops (and resets a TCP
 * connection whose bytes it refused), in monitor mode the event says it
 * would have; normal traffic at a high rate is no flood, real DNS names are
 * no tunnel, a long keep-alive is no slowloris, everyday SQL is no
 * injection.  The scanners (scan_sql.h, scan_tls.h, scan_dns.h) on their
 * own, and the false positives of DNS.Tunneling measured on real names.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_policy.h"
#include "names/fqdn.h"
#include "packet/judge.h"
#include "packet/threat.h"
#include "pkt.h"
#include "threat/scan_dns.h"
#include "threat/scan_sql.h"
#include "threat/scan_tls.h"

#define CLIENT	"198.19.0.20"
#define OTHER	"198.19.0.30"
#define SERVER	"198.19.0.10"

static struct threat_set ts;
static struct fqdn_cache *cache;
static uint8_t big[70000];

static void
setup_mode(enum policy_mode mode)
{
	struct fqdn_limits fl = { .max_bindings = 10000, .min_ttl = 60 };

	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.other", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.server", GROUP_LEARNED, mode, NULL);
	fx_workload("client", CLIENT);
	fx_workload("other", OTHER);
	fx_workload("server", SERVER);
	fx_rule("nv.client", "nv.server", "any", "any", RULE_ALLOW, RULE_USER);
	fx_rule("nv.other", "nv.server", "any", "any", RULE_ALLOW, RULE_USER);
	threat_set_default(&ts);
	fx.threats = &ts;
	fx_start(100000);
	ck_assert_ptr_nonnull(cache = fqdn_cache_new(&fl));
	fx.w.dns.cache = cache;
}

static void
setup(void)
{
	setup_mode(MODE_PROTECT);	/* the server's group */
}

static void
setup_monitor(void)
{
	setup_mode(MODE_MONITOR);	/* the server's group */
}

static void
teardown(void)
{
	fx.w.dns.cache = NULL;
	fx_end();
	fqdn_cache_free(cache);
}

/* Turns detector id on (with its action deny) and publishes. */
static void
enable(int id)
{
	ts.t[id].enabled = 1;
	ts.t[id].deny = 1;
	fx_publish();
}

/* The threat events named name handed to the writer so far, all others dropped. */
static unsigned
events(const char *name, struct record *out, unsigned max)
{
	static struct record all[512];
	unsigned n, k = 0;

	while ((n = fx_records(all, 512)) > 0)
		for (unsigned i = 0; i < n; i++)
			if (all[i].type == REC_EVENT && all[i].u.ev.type == EV_THREAT &&
			    strcmp(all[i].u.ev.name, name) == 0 && k < max)
				out[k++] = all[i];
	return k;
}

static enum verdict
send_big(struct pkt *p)
{
	size_t n = pkt_build(p, big, sizeof(big));

	ck_assert_uint_gt(n, 0);
	return worker_packet(&fx.w, big, n, p->family, 0, 0, fx.clock_ms++);
}

/* A TCP segment whose options are opts (a multiple of 4 bytes). */
static enum verdict
tcp_opts(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t flags,
    uint32_t seq, const uint8_t *opts, size_t olen, const void *data, size_t dlen)
{
	uint8_t buf[2048];
	struct pkt p;
	size_t n;

	pkt_tcp(&p, src, sport, dst, dport, flags, seq, 0);
	p.tcp_optlen = (uint8_t)olen;
	if (dlen)
		pkt_data(&p, data, dlen);
	ck_assert_uint_gt(n = pkt_build(&p, buf, sizeof(buf)), 0);
	memcpy(buf + p.l4_off + 20, opts, olen);
	return worker_packet(&fx.w, buf, n, p.family, 0, 0, fx.clock_ms++);
}

static enum verdict
echo(const char *src, const char *dst, uint8_t type, uint16_t seq, const void *data, size_t len)
{
	struct pkt p;

	pkt_icmp(&p, src, dst, type, 0, 77);
	p.icmp_seq = seq;
	if (len)
		pkt_data(&p, data, len);
	return send_big(&p);
}

static enum verdict
send_str(struct fx_conn *k, int from_server, const char *s)
{
	return fx_conn_send(k, from_server, TCP_ACK | TCP_PSH, s, strlen(s));
}

/* --- floods -------------------------------------------------------------- */

/* A client that floods SYNs: past the threshold its SYNs are dropped, one
 * event per interval; a neighbour that completes its handshakes is not. */
START_TEST(test_syn_flood_source)
{
	struct record r[8];
	int dropped = 0, other_dropped = 0;

	ts.t[THREAT_SYN_FLOOD].param[0] = 50;
	ts.t[THREAT_SYN_FLOOD].param[2] = 40;
	fx_publish();
	for (int i = 0; i < 200; i++) {
		struct fx_conn k;

		dropped += fx_tcp(CLIENT, (uint16_t)(10000 + i), SERVER, 80, TCP_SYN, 1000, 0, NULL,
		    0) == VERDICT_DROP;
		if (i % 10 == 0) {
			fx_conn_open(&k, OTHER, (uint16_t)(20000 + i), SERVER, 80);
			other_dropped += fx_conn_send(&k, 0, TCP_ACK, NULL, 0) == VERDICT_DROP;
		}
	}
	ck_assert_int_eq(dropped, 200 - 49);
	ck_assert_int_eq(other_dropped, 0);
	ck_assert_uint_eq(events("TCP.SYN.Flood", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	ck_assert_int_eq(r[0].u.ev.level, EV_CRITICAL);
	ck_assert_uint_eq(r[0].u.ev.count, 50);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "from this source"));
	ck_assert_uint_eq(fx.w.thr.st.dropped[THREAT_SYN_FLOOD], 151);
	/* The next interval, still flooding: one more event, with its count. */
	fx.clock_ms += 5000;
	for (int i = 0; i < 60; i++)
		fx_tcp(CLIENT, (uint16_t)(30000 + i), SERVER, 80, TCP_SYN, 1000, 0, NULL, 0);
	fx.clock_ms += 5000;
	ck_assert_int_eq(fx_tcp(CLIENT, 40000, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("TCP.SYN.Flood", r, 8), 2);
	/* It stopped: an interval below release ends it. */
	fx.clock_ms += 10000;
	ck_assert_int_eq(fx_tcp(CLIENT, 40001, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0),
	    VERDICT_ACCEPT);
}
END_TEST

/*
 * Many sources' SYNs turn the destination's meter on, perhaps at a
 * client's packet: the event names no source (a response rule would
 * quarantine the client it named), and the client's handshake goes on.
 */
START_TEST(test_syn_flood_any_source)
{
	static const uint8_t zero[16];
	struct record r[8];
	char src[32];

	ts.t[THREAT_SYN_FLOOD].param[0] = 50;
	ts.t[THREAT_SYN_FLOOD].param[2] = 40;
	fx_publish();
	for (int i = 0; i < 49; i++) {
		snprintf(src, sizeof(src), "198.19.1.%d", i + 1);	/* forged, one SYN each */
		fx_tcp(src, 10000, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0);
	}
	ck_assert_uint_eq(events("TCP.SYN.Flood", r, 8), 0);
	ck_assert_int_eq(fx_tcp(CLIENT, 10000, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(events("TCP.SYN.Flood", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "from all sources"));
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "any source -> nv.server"));
	ck_assert_str_eq(r[0].u.ev.src_workload, "");
	ck_assert_str_eq(r[0].u.ev.src_group, "");
	ck_assert_mem_eq(r[0].u.ev.src, zero, sizeof(zero));
	ck_assert_int_eq(event_addr_known(r[0].u.ev.family, r[0].u.ev.src), 0);
	ck_assert_int_eq(event_addr_known(r[0].u.ev.family, r[0].u.ev.dst), 1);
}
END_TEST

START_TEST(test_syn_flood_monitor_alerts)
{
	struct record r[8];

	ts.t[THREAT_SYN_FLOOD].param[0] = 50;
	ts.t[THREAT_SYN_FLOOD].param[2] = 40;
	fx_publish();
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(fx_tcp(CLIENT, (uint16_t)(10000 + i), SERVER, 80, TCP_SYN, 1000, 0,
		    NULL, 0), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("TCP.SYN.Flood", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "would have been denied"));
}
END_TEST

/* Many connections a second, every handshake completed: no flood. */
START_TEST(test_syn_busy_server_is_no_flood)
{
	struct record r[8];

	for (int i = 0; i < 3000; i++) {
		struct fx_conn k;

		fx_conn_open(&k, CLIENT, (uint16_t)(10000 + i), SERVER, 80);
	}
	ck_assert_uint_eq(events("TCP.SYN.Flood", r, 8), 0);
	ck_assert_uint_eq(fx.w.thr.st.dropped[THREAT_SYN_FLOOD], 0);
}
END_TEST

START_TEST(test_icmp_flood)
{
	struct record r[8];
	int dropped = 0;

	for (int i = 0; i < 300; i++)
		dropped += echo(CLIENT, SERVER, 8, (uint16_t)i, "x", 1) == VERDICT_DROP;
	ck_assert_int_eq(dropped, 300 - 99);
	ck_assert_uint_eq(events("ICMP.Flood", r, 8), 1);
	ck_assert_uint_eq(r[0].u.ev.count, 100);
	/* One a second is a ping. */
	fx.clock_ms += 10000;
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(echo(OTHER, SERVER, 8, (uint16_t)i, "x", 1), VERDICT_ACCEPT);
		fx.clock_ms += 1000;
	}
	ck_assert_uint_eq(events("ICMP.Flood", r, 8), 0);
}
END_TEST

START_TEST(test_session_limit)
{
	struct record r[8];
	struct fx_conn k[4];

	ts.t[THREAT_SESSION_LIMIT].param[0] = 3;
	enable(THREAT_SESSION_LIMIT);
	for (int i = 0; i < 3; i++)
		fx_conn_open(&k[i], CLIENT, (uint16_t)(10000 + i), SERVER, 80);
	ck_assert_int_eq(fx_tcp(CLIENT, 10003, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("Source.IP.Session.Limit", r, 8), 1);
	/* One ends (RST): room for another. */
	ck_assert_int_ne(fx_conn_send(&k[0], 0, TCP_RST | TCP_ACK, NULL, 0), VERDICT_DROP);
	fx.clock_ms += 600000;
	worker_tick(&fx.w, fx.clock_ms);
	fx_conn_open(&k[3], CLIENT, 10004, SERVER, 80);
}
END_TEST

/* --- TCP and IP headers ---------------------------------------------------- */

START_TEST(test_bad_flags)
{
	struct record r[8];

	ck_assert_int_eq(fx_tcp(CLIENT, 10000, SERVER, 80, TCP_SYN | TCP_FIN, 1000, 0, NULL, 0),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("Invalid.Packet.Format", r, 8), 1);
	ck_assert_str_eq(r[0].u.ev.message, "nv.client -> nv.server tcp/80: TCP flags FIN|SYN "
	    "(denied)");
	ck_assert_int_eq(fx_tcp(CLIENT, 10001, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(events("Invalid.Packet.Format", r, 8), 0);
}
END_TEST

START_TEST(test_bad_options)
{
	static const uint8_t bad[8] = { 2, 4, 5, 180, 3, 9, 7, 0 };	/* wscale runs past */
	static const uint8_t good[8] = { 2, 4, 5, 180, 1, 3, 3, 7 };
	struct record r[8];

	ck_assert_int_eq(tcp_opts(CLIENT, 10000, SERVER, 80, TCP_SYN, 1, bad, 8, NULL, 0),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("Invalid.Packet.Format", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "runs past the header"));
	ck_assert_int_eq(tcp_opts(CLIENT, 10001, SERVER, 80, TCP_SYN, 1, good, 8, NULL, 0),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(events("Invalid.Packet.Format", r, 8), 0);
}
END_TEST

START_TEST(test_small_mss)
{
	static const uint8_t small[4] = { 2, 4, 0, 48 }, usual[4] = { 2, 4, 5, 180 };
	struct record r[8];

	ck_assert_int_eq(tcp_opts(CLIENT, 10000, SERVER, 80, TCP_SYN, 1, small, 4, NULL, 0),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("TCP.SACK.DDoS.With.Small.MSS", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "MSS 48 (below 256)"));
	ck_assert_int_eq(tcp_opts(CLIENT, 10001, SERVER, 80, TCP_SYN, 1, usual, 4, NULL, 0),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(events("TCP.SACK.DDoS.With.Small.MSS", r, 8), 0);
}
END_TEST

START_TEST(test_syn_with_data)
{
	struct record r[8];

	ck_assert_int_eq(fx_tcp(CLIENT, 10000, SERVER, 80, TCP_SYN, 1000, 0, "hello", 5),
	    VERDICT_ACCEPT);	/* off by default */
	ck_assert_uint_eq(events("TCP.SYN.With.Data", r, 8), 0);
	enable(THREAT_SYN_DATA);
	ck_assert_int_eq(fx_tcp(CLIENT, 10001, SERVER, 80, TCP_SYN, 1000, 0, "hello", 5),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("TCP.SYN.With.Data", r, 8), 1);
}
END_TEST

START_TEST(test_split_handshake)
{
	struct record r[8];

	ck_assert_int_eq(fx_tcp(CLIENT, 10000, SERVER, 80, TCP_SYN, 1000, 0, NULL, 0),
	    VERDICT_ACCEPT);
	fx_tcp(SERVER, 80, CLIENT, 10000, TCP_SYN, 7000, 0, NULL, 0);
	ck_assert_uint_eq(events("TCP.Split.Handshake", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);	/* alert by default */
	ck_assert_str_eq(r[0].u.ev.src_workload, "client");
	/* The usual answer is none. */
	fx_conn_open(&(struct fx_conn){ 0 }, CLIENT, 10001, SERVER, 80);
	ck_assert_uint_eq(events("TCP.Split.Handshake", r, 8), 0);
}
END_TEST

START_TEST(test_small_window)
{
	struct record r[8];
	struct fx_conn k;
	struct pkt p;

	ts.t[THREAT_SMALL_WINDOW].param[1] = 2;
	enable(THREAT_SMALL_WINDOW);
	fx_conn_open(&k, CLIENT, 10000, SERVER, 80);
	for (int i = 0; i < 4; i++) {
		pkt_tcp(&p, CLIENT, 10000, SERVER, 80, TCP_ACK, k.seq[0], k.seq[1]);
		p.win = 0;
		fx_send(&p);
		fx.clock_ms += 1000;
	}
	ck_assert_uint_eq(events("TCP.Small.Window", r, 8), 1);
	/* Denied: the next segment is dropped, both ends reset. */
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK, "x", 1), VERDICT_DROP);
	/* A window that opens again is no attack. */
	fx_conn_open(&k, CLIENT, 10001, SERVER, 80);
	for (int i = 0; i < 4; i++) {
		pkt_tcp(&p, CLIENT, 10001, SERVER, 80, TCP_ACK, k.seq[0], k.seq[1]);
		p.win = i % 2 ? 0 : 8192;
		fx_send(&p);
		fx.clock_ms += 1000;
	}
	ck_assert_uint_eq(events("TCP.Small.Window", r, 8), 0);
}
END_TEST

START_TEST(test_no_client_data)
{
	struct record r[8];
	struct fx_conn k, quiet;

	ts.t[THREAT_NO_CLIENT_DATA].param[0] = 5;
	enable(THREAT_NO_CLIENT_DATA);
	fx_conn_open(&quiet, CLIENT, 10000, SERVER, 80);
	fx_conn_open(&k, CLIENT, 10001, SERVER, 80);
	ck_assert_int_eq(send_str(&k, 0, "GET / HTTP/1.1\r\nHost: s\r\n\r\n"), VERDICT_ACCEPT);
	fx.clock_ms += 3000;
	worker_tick(&fx.w, fx.clock_ms);
	ck_assert_uint_eq(events("TCP.No.Client.Data", r, 8), 0);
	fx.clock_ms += 3000;
	worker_tick(&fx.w, fx.clock_ms);
	ck_assert_uint_eq(events("TCP.No.Client.Data", r, 8), 1);
	ck_assert_uint_eq(r[0].u.ev.src_port, 10000);
	/* The quiet one is cut at its next packet; the talker goes on. */
	ck_assert_int_eq(fx_conn_send(&quiet, 1, TCP_ACK, "220 hi\r\n", 8), VERDICT_DROP);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK, "HTTP/1.1 200 OK\r\n", 17),
	    VERDICT_ACCEPT);
}
END_TEST

START_TEST(test_ping_death)
{
	static uint8_t data[33000];
	struct record r[8];

	ck_assert_int_eq(echo(CLIENT, SERVER, 8, 1, data, sizeof(data)), VERDICT_DROP);
	ck_assert_uint_eq(events("Ping.Death", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "33000 bytes of data (above 32000)"));
	ck_assert_int_eq(echo(OTHER, SERVER, 8, 1, data, 1400), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("Ping.Death", r, 8), 0);
}
END_TEST

START_TEST(test_ping_death_monitor)
{
	static uint8_t data[33000];
	struct record r[8];

	ck_assert_int_eq(echo(CLIENT, SERVER, 8, 1, data, sizeof(data)), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("Ping.Death", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
}
END_TEST

START_TEST(test_icmp_tunnel)
{
	struct record r[8];
	char q[32], a[32];

	/* Echo answered with its own data: a ping. */
	for (int i = 0; i < 5; i++) {
		echo(CLIENT, SERVER, 8, (uint16_t)i, "abcdefgh", 8);
		echo(SERVER, CLIENT, 0, (uint16_t)i, "abcdefgh", 8);
		fx.clock_ms += 1000;
	}
	ck_assert_uint_eq(events("ICMP.Tunneling", r, 8), 0);
	/* Answers carrying other data, three in a row: a tunnel. */
	for (int i = 5; i < 8; i++) {
		snprintf(q, sizeof(q), "req-%d", i);
		snprintf(a, sizeof(a), "cmd output %d", i);
		echo(CLIENT, SERVER, 8, (uint16_t)i, q, strlen(q));
		echo(SERVER, CLIENT, 0, (uint16_t)i, a, strlen(a));
		fx.clock_ms += 1000;
	}
	ck_assert_uint_eq(events("ICMP.Tunneling", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "cmd output"));
}
END_TEST

START_TEST(test_teardrop)
{
	uint8_t data[64];
	struct record r[8];
	struct pkt p;

	memset(data, 'a', sizeof(data));
	/* Bytes 0-71 (8 header + 64), then bytes 16-87: they overlap. */
	pkt_udp(&p, CLIENT, 5000, SERVER, 9000);
	pkt_data(&p, data, sizeof(data));
	pkt_frag(&p, 0, 1);
	fx_send(&p);
	pkt_udp(&p, CLIENT, 5000, SERVER, 9000);
	pkt_data(&p, data, sizeof(data));
	pkt_frag(&p, 2, 0);
	ck_assert_int_eq(fx_send(&p), VERDICT_DROP);
	ck_assert_uint_eq(events("IP.Fragment.Teardrop", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "bytes 16-88 overlaps"));
}
END_TEST

/* --- DNS --------------------------------------------------------------------- */

/* A query for name (dotted) of type qtype, id, into m; its length. */
static size_t
dns_query(uint8_t *m, uint16_t id, const char *name, uint16_t qtype)
{
	size_t o = 12;

	memset(m, 0, 12);
	m[0] = (uint8_t)(id >> 8);
	m[1] = (uint8_t)id;
	m[2] = 0x01;
	m[5] = 1;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		m[o++] = (uint8_t)l;
		memcpy(m + o, name, l);
		o += l;
		name += l + (dot != NULL);
	}
	m[o++] = 0;
	m[o++] = (uint8_t)(qtype >> 8);
	m[o++] = (uint8_t)qtype;
	m[o++] = 0;
	m[o++] = 1;
	return o;
}

START_TEST(test_dns_zone_transfer_udp)
{
	uint8_t m[300];
	size_t n = dns_query(m, 1, "example.com", DNS_TYPE_AXFR);
	struct record r[8];

	ck_assert_int_eq(fx_udp(CLIENT, 5353, SERVER, 53, m, n), VERDICT_DROP);
	ck_assert_uint_eq(events("DNS.Zone.Transfer", r, 8), 1);
	ck_assert_str_eq(r[0].u.ev.message, "nv.client -> nv.server udp/53: a zone transfer (AXFR) "
	    "of example.com (denied)");
	n = dns_query(m, 2, "example.com", 1);
	ck_assert_int_eq(fx_udp(CLIENT, 5354, SERVER, 53, m, n), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("DNS.Zone.Transfer", r, 8), 0);
}
END_TEST

/* dig AXFR: over TCP, the query in the stream; the connection is cut. */
START_TEST(test_dns_zone_transfer_tcp)
{
	uint8_t m[300];
	size_t n = dns_query(m + 2, 1, "example.com", DNS_TYPE_AXFR);
	struct record r[8];
	struct fx_conn k;

	m[0] = 0;
	m[1] = (uint8_t)n;
	fx_conn_open(&k, CLIENT, 40000, SERVER, 53);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, m, n + 2), VERDICT_DROP);
	ck_assert_uint_eq(events("DNS.Zone.Transfer", r, 8), 1);
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);	/* both ends */
}
END_TEST

START_TEST(test_dns_loop_pointer)
{
	uint8_t m[64];
	size_t n = dns_query(m, 7, "a.example.com", 1);
	struct record r[8];

	ck_assert_int_eq(fx_udp(CLIENT, 5353, SERVER, 53, m, n), VERDICT_ACCEPT);
	/* The answer: its question's name is a pointer to itself. */
	m[2] = 0x81;
	m[3] = 0x80;
	m[12] = 0xc0;
	m[13] = 12;
	ck_assert_int_eq(fx_udp(SERVER, 53, CLIENT, 5353, m, 18), VERDICT_DROP);
	ck_assert_uint_eq(events("DNS.Loop.Pointer", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "at byte 12 that does not point back"));
}
END_TEST

START_TEST(test_dns_type_null)
{
	uint8_t m[300];
	size_t n = dns_query(m, 3, "t.example.com", DNS_TYPE_NULL);
	struct record r[8];

	ck_assert_int_eq(fx_udp(CLIENT, 5353, SERVER, 53, m, n), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("DNS.Type.Null", r, 8), 0);	/* off by default */
	enable(THREAT_DNS_NULL);
	ck_assert_int_eq(fx_udp(CLIENT, 5354, SERVER, 53, m, n), VERDICT_DROP);
	ck_assert_uint_eq(events("DNS.Type.Null", r, 8), 1);
}
END_TEST

START_TEST(test_dns_overflow)
{
	uint8_t m[1400];
	size_t n = dns_query(m, 9, "big.example.com", 1);
	struct record r[8];

	ck_assert_int_eq(fx_udp(CLIENT, 5353, SERVER, 53, m, n), VERDICT_ACCEPT);
	/* An answer past 512 bytes to a query without EDNS0. */
	memset(m + n, 0, sizeof(m) - n);
	m[2] = 0x81;
	m[3] = 0x80;
	ck_assert_int_eq(fx_udp(SERVER, 53, CLIENT, 5353, m, 1200), VERDICT_DROP);
	ck_assert_uint_eq(events("DNS.Stack.Overflow", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "after its records"));
	/* An answer of its records alone passes. */
	n = dns_query(m, 10, "ok.example.com", 1);
	ck_assert_int_eq(fx_udp(CLIENT, 5354, SERVER, 53, m, n), VERDICT_ACCEPT);
	m[2] = 0x81;
	ck_assert_int_eq(fx_udp(SERVER, 53, CLIENT, 5354, m, n), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("DNS.Stack.Overflow", r, 8), 0);
}
END_TEST

/* A label of n random base32 characters. */
static void
random_label(char *out, size_t n, unsigned *seed)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		out[i] = b32[(*seed >> 16) & 31];
	}
	out[n] = '\0';
}

START_TEST(test_dns_tunnel)
{
	struct record r[8];
	unsigned seed = 42;
	uint8_t m[300];
	char name[200], l1[64], l2[64];
	int dropped = 0;

	for (int i = 0; i < 30; i++) {
		random_label(l1, 52, &seed);
		random_label(l2, 40, &seed);
		snprintf(name, sizeof(name), "%s.%s.t.tunnel.example", l1, l2);
		dropped += fx_udp(CLIENT, (uint16_t)(6000 + i), SERVER, 53, m,
		    dns_query(m, (uint16_t)i, name, 16)) == VERDICT_DROP;
	}
	ck_assert_int_eq(dropped, 0);		/* alert by default */
	ck_assert_uint_ge(events("DNS.Tunneling", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "under t.tunnel.example"));
	/* With action deny, past the threshold each query is dropped. */
	enable(THREAT_DNS_TUNNEL);
	random_label(l1, 52, &seed);
	snprintf(name, sizeof(name), "%s.t.tunnel.example", l1);
	ck_assert_int_eq(fx_udp(CLIENT, 7000, SERVER, 53, m, dns_query(m, 99, name, 16)),
	    VERDICT_DROP);
}
END_TEST

/* Names a container looks up, from real services: none is a tunnel. */
static const char *const real_names[] = {
	"www.google.com", "api.github.com", "registry-1.docker.io", "auth.docker.io",
	"production.cloudflare.docker.com", "deb.debian.org", "security.debian.org",
	"pypi.org", "files.pythonhosted.org", "registry.npmjs.org", "proxy.golang.org",
	"s3.us-west-2.amazonaws.com", "sts.amazonaws.com", "ec2-54-201-12-34.us-west-2.compute.amazonaws.com",
	"my-loadbalancer-1234567890.us-west-2.elb.amazonaws.com",
	"dynamodb.eu-central-1.amazonaws.com", "kubernetes.default.svc.cluster.local",
	"postgres-primary.prod.svc.cluster.local", "storage.googleapis.com",
	"oauth2.googleapis.com", "login.microsoftonline.com", "graph.microsoft.com",
	"myaccount.blob.core.windows.net", "e1234.dscb.akamaiedge.net",
	"d1a2b3c4d5e6f7.cloudfront.net", "a23-45-67-89.deploy.static.akamaitechnologies.com",
	"fonts.gstatic.com", "cdn.jsdelivr.net", "sentry.io", "o123456.ingest.sentry.io",
	"api.stripe.com", "hooks.slack.com", "api.twilio.com", "smtp.sendgrid.net",
	"ocsp.digicert.com", "crl3.digicert.com", "time.cloudflare.com",
	"_ldap._tcp.dc._msdcs.corp.example.com", "4.3.2.1.zen.spamhaus.org",
	"selector1._domainkey.example.com", "b.resolvers.level3.net",
	"ip-10-0-12-34.eu-west-1.compute.internal", "rabbitmq-0.rabbitmq.default.svc.cluster.local",
	"elasticsearch-master-headless.logging.svc.cluster.local",
	"vpce-0a1b2c3d4e5f67890-abcdefgh.s3.us-east-1.vpce.amazonaws.com",
	"1234567890abcdef.gr7.us-east-1.eks.amazonaws.com", NULL,
};

START_TEST(test_dns_real_names_no_tunnel)
{
	struct record r[8];
	uint8_t m[300];
	int k = 0;

	/* Each name twenty times: a busy client. */
	for (int round = 0; round < 20; round++)
		for (int i = 0; real_names[i]; i++, k++)
			fx_udp(CLIENT, (uint16_t)(10000 + k), SERVER, 53, m,
			    dns_query(m, (uint16_t)k, real_names[i], 1));
	ck_assert_uint_eq(events("DNS.Tunneling", r, 8), 0);
}
END_TEST

/* --- TLS and SSH --------------------------------------------------------------- */

/* A ClientHello record of legacy version v, with supported_versions when sv. */
static size_t
client_hello(uint8_t *b, uint16_t v, uint16_t sv)
{
	size_t o = 0, hs, ext;

	b[o++] = 22;
	b[o++] = 3;
	b[o++] = 1;
	o += 2;			/* record length */
	hs = o;
	b[o++] = 1;
	o += 3;			/* handshake length */
	b[o++] = (uint8_t)(v >> 8);
	b[o++] = (uint8_t)v;
	memset(b + o, 7, 32);
	o += 32;
	b[o++] = 0;		/* session id */
	b[o++] = 0;
	b[o++] = 2;
	b[o++] = 0x00;
	b[o++] = 0x2f;		/* a suite */
	b[o++] = 1;
	b[o++] = 0;		/* no compression */
	ext = o;
	o += 2;
	if (sv) {
		b[o++] = 0;
		b[o++] = 43;
		b[o++] = 0;
		b[o++] = 3;
		b[o++] = 2;
		b[o++] = (uint8_t)(sv >> 8);
		b[o++] = (uint8_t)sv;
	}
	b[ext] = (uint8_t)((o - ext - 2) >> 8);
	b[ext + 1] = (uint8_t)(o - ext - 2);
	b[3] = (uint8_t)((o - 5) >> 8);
	b[4] = (uint8_t)(o - 5);
	b[hs + 1] = 0;
	b[hs + 2] = (uint8_t)((o - hs - 4) >> 8);
	b[hs + 3] = (uint8_t)(o - hs - 4);
	return o;
}

/* A ServerHello record agreeing to version v. */
static size_t
server_hello(uint8_t *b, uint16_t v)
{
	size_t o = 0;

	b[o++] = 22;
	b[o++] = 3;
	b[o++] = 1;
	b[o++] = 0;
	b[o++] = 42;
	b[o++] = 2;
	b[o++] = 0;
	b[o++] = 0;
	b[o++] = 38;
	b[o++] = (uint8_t)(v >> 8);
	b[o++] = (uint8_t)v;
	memset(b + o, 9, 32);
	o += 32;
	b[o++] = 0;
	b[o++] = 0x00;
	b[o++] = 0x2f;
	b[o++] = 0;
	return o;
}

/* A heartbeat request record claiming payload bytes, carrying have of them. */
static size_t
heartbeat(uint8_t *b, uint16_t payload, uint16_t have)
{
	uint16_t len = (uint16_t)(3 + have + 16);

	b[0] = 24;
	b[1] = 3;
	b[2] = 2;
	b[3] = (uint8_t)(len >> 8);
	b[4] = (uint8_t)len;
	b[5] = 1;
	b[6] = (uint8_t)(payload >> 8);
	b[7] = (uint8_t)payload;
	memset(b + 8, 0x41, (size_t)have + 16);
	return 5 + len;
}

START_TEST(test_heartbleed)
{
	uint8_t b[512];
	struct record r[8];
	struct fx_conn k;
	size_t n;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 443);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, client_hello(b, 0x0302, 0)),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, b, server_hello(b, 0x0302)),
	    VERDICT_ACCEPT);
	n = heartbeat(b, 16384, 1);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, n), VERDICT_DROP);
	ck_assert_uint_eq(events("SSL.Heartbleed", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "for 16384 bytes in a record of 20"));
	ck_assert_str_eq(r[0].u.ev.app, "TLS");
}
END_TEST

START_TEST(test_heartbeat_honest)
{
	uint8_t b[512];
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 443);
	fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, client_hello(b, 0x0303, 0));
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, heartbeat(b, 16, 16)),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(events("SSL.Heartbleed", r, 8), 0);
}
END_TEST

START_TEST(test_ssl3_and_tls10)
{
	uint8_t b[512];
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 443);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, client_hello(b, 0x0300, 0)),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("SSL.Version.2or3", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "SSL 3.0 offered"));
	/* TLS 1.0: off by default; on, it is the version the server agrees. */
	enable(THREAT_TLS10);
	fx_conn_open(&k, CLIENT, 40001, SERVER, 443);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, client_hello(b, 0x0303, 0)),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, b, server_hello(b, 0x0301)),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("SSL.TLS1.0", r, 8), 1);
	/* TLS 1.3 agreed: nothing, and the connection goes to the kernel. */
	fx_conn_open(&k, CLIENT, 40002, SERVER, 443);
	fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, client_hello(b, 0x0303, 0x0304));
	fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, b, server_hello(b, 0x0303));
	ck_assert_uint_eq(events("SSL.TLS1.0", r, 8), 0);
}
END_TEST

START_TEST(test_ssh_v1)
{
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 22);
	send_str(&k, 1, "SSH-1.5-OpenSSH_1.2.3\r\n");
	send_str(&k, 0, "SSH-2.0-OpenSSH_9.2\r\n");
	ck_assert_uint_eq(events("SSH.Version.1", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "the server speaks SSH 1 only"));
	fx_conn_open(&k, CLIENT, 40001, SERVER, 22);
	send_str(&k, 1, "SSH-1.99-OpenSSH_3.9\r\n");
	send_str(&k, 0, "SSH-2.0-OpenSSH_9.2\r\n");
	ck_assert_uint_eq(events("SSH.Version.1", r, 8), 0);
}
END_TEST

/* --- HTTP ------------------------------------------------------------------------ */

START_TEST(test_http_smuggling)
{
	static const char *const tricks[] = {
		"POST / HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n"
		"\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd",
		"GET / HTTP/1.1\r\nHost: s\r\nX-A: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\nHost: s\nX-A: a\n\n",
		"POST / HTTP/1.1\r\nHost: s\r\nContent-Length : 4\r\n\r\nabcd",
		NULL,
	};
	struct record r[8];

	for (int i = 0; tricks[i]; i++) {
		struct fx_conn k;

		fx_conn_open(&k, CLIENT, (uint16_t)(40000 + i), SERVER, 80);
		ck_assert_msg(send_str(&k, 0, tricks[i]) == VERDICT_DROP, "trick %d passed", i);
		ck_assert_uint_eq(events("HTTP.Request.Smuggling", r, 8), 1);
	}
}
END_TEST

START_TEST(test_http_keepalive_clean)
{
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 80);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(send_str(&k, 0, "POST /a HTTP/1.1\r\nHost: s\r\nContent-Length: 3"
		    "\r\n\r\nabc"), VERDICT_ACCEPT);
		ck_assert_int_eq(send_str(&k, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
		    VERDICT_ACCEPT);
		fx.clock_ms += 20000;	/* idle between requests: no slowloris */
	}
	enable(THREAT_SLOWLORIS);
	ck_assert_int_eq(send_str(&k, 0, "GET /b HTTP/1.1\r\nHost: s\r\n\r\n"), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("HTTP.Request.Smuggling", r, 8), 0);
	ck_assert_uint_eq(events("HTTP.Request.Slowloris", r, 8), 0);
}
END_TEST

/*
 * A client's closed connections give their stream state back: one client
 * making twice its share of short HTTP connections, one after the other,
 * to a protect-mode server has every one followed, none in doubt (they
 * held it until they timed out, and the 513th and later were dropped).
 */
START_TEST(test_closed_give_state_back)
{
	struct fx_conn k;

	for (int i = 0; i < 2 * THREAT_CLIENT_SHARE; i++) {
		fx_conn_open(&k, CLIENT, (uint16_t)(10000 + i), SERVER, 80);
		ck_assert_int_eq(send_str(&k, 0, "GET / HTTP/1.1\r\nHost: s\r\n\r\n"),
		    VERDICT_ACCEPT);
		ck_assert_int_eq(send_str(&k, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
		    VERDICT_ACCEPT);
		ck_assert_ptr_nonnull(fx_flow_with_port((uint16_t)(10000 + i))->thr);
		fx_conn_send(&k, 0, TCP_FIN | TCP_ACK, NULL, 0);
		fx_conn_send(&k, 1, TCP_FIN | TCP_ACK, NULL, 0);
		ck_assert_ptr_null(fx_flow_with_port((uint16_t)(10000 + i))->thr);
	}
	ck_assert_uint_eq(fx.w.thr.st.no_state, 0);
	ck_assert_uint_eq(fx.w.thr.st.flows, 2 * THREAT_CLIENT_SHARE);
}
END_TEST

/*
 * A connection whose detections would only be reported goes to the kernel
 * once a direction reached stream_depth (a download); one whose detections
 * drop stays followed.
 */
static void
download(uint16_t cport, enum verdict want_after)
{
	static char body[1500];
	struct fx_conn k;
	enum verdict v = VERDICT_ACCEPT;

	memset(body, 'x', sizeof(body));
	fx_conn_open(&k, CLIENT, cport, SERVER, 80);
	send_str(&k, 0, "GET /big HTTP/1.1\r\nHost: s\r\n\r\n");
	send_str(&k, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
	for (int i = 0; i < 4; i++)
		v = fx_conn_send(&k, 1, TCP_ACK, body, sizeof(body));
	ck_assert_int_eq(v, want_after);
}

START_TEST(test_followed_until_depth)
{
	fx_set_limits(4096, 64u << 20);
	download(40000, VERDICT_ACCEPT);	/* protect: followed */
	ts.t[THREAT_HTTP_NEG_LEN].deny = 0;
	ts.t[THREAT_HTTP_SMUGGLING].deny = 0;
	ts.t[THREAT_STRUTS].deny = 0;
	fx_publish();
	download(40001, VERDICT_BYPASS);	/* alert only: handed over past the depth */
}
END_TEST

/*
 * Where the HTTP detectors would only report, a connection goes to the
 * kernel once its first request was read whole (as without detectors), not
 * before: a head cut in two is followed to its end, and a smuggling
 * request is reported; where they would drop, it stays followed.
 */
START_TEST(test_report_only_first_request)
{
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 80);
	ck_assert_int_eq(send_str(&k, 0, "GET / HTTP/1.1\r\nHost: s\r\n\r\n"), VERDICT_ACCEPT);
	ts.t[THREAT_HTTP_NEG_LEN].deny = 0;
	ts.t[THREAT_HTTP_SMUGGLING].deny = 0;
	ts.t[THREAT_STRUTS].deny = 0;
	fx_publish();
	fx_conn_open(&k, CLIENT, 40001, SERVER, 80);
	ck_assert_int_eq(send_str(&k, 0, "GET / HTTP/1.1\r\nHost: s\r\n\r\n"), VERDICT_BYPASS);
	fx_conn_open(&k, CLIENT, 40002, SERVER, 80);
	ck_assert_int_eq(send_str(&k, 0, "POST /a HTTP/1.1\r\nHost: s\r\n"), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "Content-Length: 3\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n"), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "0\r\n\r\n"), VERDICT_BYPASS);
	ck_assert_uint_eq(events("HTTP.Request.Smuggling", r, 8), 1);
}
END_TEST

START_TEST(test_http_negative_length)
{
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 80);
	ck_assert_int_eq(send_str(&k, 0, "POST / HTTP/1.1\r\nHost: s\r\nContent-Length: -1\r\n\r\n"),
	    VERDICT_DROP);
	ck_assert_uint_eq(events("HTTP.Negative.Body.Length", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "Content-Length: -1"));
}
END_TEST

START_TEST(test_slowloris)
{
	struct record r[8];
	struct fx_conn k;

	ts.t[THREAT_SLOWLORIS].param[0] = 3;
	enable(THREAT_SLOWLORIS);
	fx_conn_open(&k, CLIENT, 40000, SERVER, 80);
	ck_assert_int_eq(send_str(&k, 0, "GET / HTTP/1.1\r\nHost: s\r\n"), VERDICT_ACCEPT);
	fx.clock_ms += 2000;
	ck_assert_int_eq(send_str(&k, 0, "X-a: b\r\n"), VERDICT_ACCEPT);
	fx.clock_ms += 2000;
	ck_assert_int_eq(send_str(&k, 0, "X-c: d\r\n"), VERDICT_DROP);
	ck_assert_uint_eq(events("HTTP.Request.Slowloris", r, 8), 1);
}
END_TEST

START_TEST(test_struts)
{
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 8080);
	ck_assert_int_eq(send_str(&k, 0, "GET / HTTP/1.1\r\nHost: s\r\nContent-Type: %{(#_='multipart"
	    "/form-data').(#cmd='id')}\r\n\r\n"), VERDICT_DROP);
	ck_assert_uint_eq(events("Apache.Struts.RCE", r, 8), 1);
	/* CVE-2017-9805: the gadget split across two segments of an XML body. */
	fx_conn_open(&k, CLIENT, 40001, SERVER, 8080);
	ck_assert_int_eq(send_str(&k, 0, "POST /orders/3 HTTP/1.1\r\nHost: s\r\nContent-Type: "
	    "application/xml\r\nContent-Length: 91\r\n\r\n<map><entry><command><string>id</string>"
	    "</command><java.lang.Proce"), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "ssBuilder/></entry></map>"), VERDICT_DROP);
	ck_assert_uint_eq(events("Apache.Struts.RCE", r, 8), 1);
	/* An XML body without it passes. */
	fx_conn_open(&k, CLIENT, 40002, SERVER, 8080);
	ck_assert_int_eq(send_str(&k, 0, "POST /o HTTP/1.1\r\nHost: s\r\nContent-Type: "
	    "text/xml\r\nContent-Length: 13\r\n\r\n<a>hello</a>\n"), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("Apache.Struts.RCE", r, 8), 0);
}
END_TEST

/* --- SQL ----------------------------------------------------------------------- */

/* A PostgreSQL startup message, then a Query message of sql, into b. */
static size_t
pg_startup(uint8_t *b)
{
	static const char kv[] = "user\0app\0database\0shop\0";
	size_t n = 8 + sizeof(kv);		/* the final NUL of kv ends the list */

	b[0] = 0;
	b[1] = 0;
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	b[4] = 0;
	b[5] = 3;
	b[6] = 0;
	b[7] = 0;
	memcpy(b + 8, kv, sizeof(kv));
	return n;
}

static size_t
pg_query(uint8_t *b, const char *sql)
{
	size_t n = strlen(sql) + 1 + 4;

	b[0] = 'Q';
	b[1] = (uint8_t)(n >> 24);
	b[2] = (uint8_t)(n >> 16);
	b[3] = (uint8_t)(n >> 8);
	b[4] = (uint8_t)n;
	memcpy(b + 5, sql, strlen(sql) + 1);
	return n + 1;
}

START_TEST(test_sql_postgresql)
{
	uint8_t b[512];
	struct record r[8];
	struct fx_conn k;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 5432);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, pg_startup(b)), VERDICT_ACCEPT);
	fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, "R\0\0\0\10\0\0\0\0", 9);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, pg_query(b,
	    "SELECT * FROM users WHERE name = 'bob' AND active")), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("SQL.Injection", r, 8), 0);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, pg_query(b,
	    "SELECT * FROM users WHERE name = '' OR 1=1 --'")), VERDICT_DROP);
	ck_assert_uint_eq(events("SQL.Injection", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "tautology in a PostgreSQL statement"));
	ck_assert_str_eq(r[0].u.ev.app, "PostgreSQL");
}
END_TEST

/* A MySQL server greeting, the client's handshake response, a COM_QUERY. */
START_TEST(test_sql_mysql)
{
	static const uint8_t greeting[] = { 0x4a, 0, 0, 0, 10, '1', '0', '.', '1', '1', '.', '6',
		'-', 'M', 'a', 'r', 'i', 'a', 'D', 'B', 0, 1, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f',
		'g', 'h', 0, 0xfe, 0xf7, 8, 2, 0, 0xff, 0x81, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0, 'm', 'y', 's', 'q',
		'l', '_', 'n', 'a', 't', 'i', 'v', 'e', 0 };
	static const uint8_t response[] = { 20, 0, 0, 1, 0x85, 0xa2, 0x0a, 0, 0, 0, 0, 1, 8,
		0, 0, 0, 0, 0, 0, 0, 'r', 'o', 'o', 't' };
	const char *sql = "SELECT * FROM users WHERE name = '' OR 1=1 -- ";
	uint8_t b[256];
	struct record r[8];
	struct fx_conn k;
	size_t n = strlen(sql) + 1;

	fx_conn_open(&k, CLIENT, 40000, SERVER, 3306);
	fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, greeting, sizeof(greeting));
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, response, sizeof(response)),
	    VERDICT_ACCEPT);
	b[0] = (uint8_t)n;
	b[1] = b[2] = b[3] = 0;
	b[4] = 3;
	memcpy(b + 5, sql, n - 1);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, b, n + 4), VERDICT_DROP);
	ck_assert_uint_eq(events("SQL.Injection", r, 8), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "in a MySQL statement"));
}
END_TEST

/* --- the settings ---------------------------------------------------------------- */

/* A detector a group turns off does not run on its servers; action per group. */
START_TEST(test_group_settings)
{
	static struct policy_threat_group tg[1];
	uint8_t m[300];
	struct record r[8];
	size_t n = dns_query(m, 1, "example.com", DNS_TYPE_AXFR);

	memset(tg, 0, sizeof(tg));
	strcpy(tg[0].group, "nv.server");
	tg[0].threat = THREAT_DNS_ZONE_XFER;
	tg[0].enabled = -1;
	tg[0].deny = 0;
	fx.threat_groups = tg;
	fx.nthreat_groups = 1;
	fx_publish();
	ck_assert_int_eq(fx_udp(CLIENT, 5353, SERVER, 53, m, n), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("DNS.Zone.Transfer", r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	tg[0].enabled = 0;
	fx_publish();
	ck_assert_int_eq(fx_udp(CLIENT, 5354, SERVER, 53, m, n), VERDICT_ACCEPT);
	ck_assert_uint_eq(events("DNS.Zone.Transfer", r, 8), 0);
}
END_TEST

/* --- the scanners on their own --------------------------------------------------- */

static unsigned
sql(const char *text, enum sql_dialect d)
{
	struct sql_scan s;
	unsigned f;

	sql_scan_start(&s, d);
	f = sql_scan_feed(&s, (const uint8_t *)text, strlen(text));
	return f | sql_scan_end(&s);
}

/* Cut anywhere, the same findings. */
static unsigned
sql_cut(const char *text, size_t cut)
{
	struct sql_scan s;
	unsigned f;

	sql_scan_start(&s, SQL_MYSQL);
	f = sql_scan_feed(&s, (const uint8_t *)text, cut);
	f |= sql_scan_feed(&s, (const uint8_t *)text + cut, strlen(text) - cut);
	return f | sql_scan_end(&s);
}

START_TEST(test_scan_sql)
{
	static const char *const clean[] = {
		"SELECT id, name FROM users WHERE email = 'a@b.c' AND active = 1",
		"SELECT 1", "SELECT pg_sleep(1)", "BEGIN; UPDATE t SET x = 1 WHERE id = 2; COMMIT",
		"SELECT a FROM t WHERE b = 1 OR c = 2",
		"SELECT * FROM t WHERE 1=1 AND x = 'y'",
		"INSERT INTO log (msg) VALUES ('it''s -- fine'), ('/* no */')",
		"SELECT $$ OR 1=1 -- ' $$ AS s",
		"-- a comment\nSELECT x FROM y",
		"SELECT a FROM t UNION SELECT a FROM u",
		"SELECT count(*) FROM orders WHERE created > now() - interval '1 day'",
		"CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
		NULL,
	};
	static const struct {
		const char *text;
		unsigned want;
	} attacks[] = {
		{ "SELECT * FROM u WHERE n = '' OR 1=1 --'", SQL_TAUTOLOGY | SQL_COMMENT },
		{ "SELECT * FROM u WHERE n = '' OR 'a'='a'", SQL_TAUTOLOGY },
		{ "SELECT * FROM u WHERE n = ''/**/OR/**/2>1", SQL_TAUTOLOGY },
		{ "SELECT * FROM u WHERE id = 1 OR 1 -- ", SQL_TAUTOLOGY },
		{ "SELECT * FROM u WHERE n = 'admin'--' AND p = 'x'", SQL_COMMENT },
		{ "SELECT * FROM u WHERE n = 'x'; DROP TABLE users; --", SQL_STACKED },
		{ "SELECT * FROM u WHERE id = 1 UNION SELECT NULL, passwd FROM pg_shadow", SQL_UNION },
		{ "SELECT * FROM u WHERE id = 1 UNION ALL SELECT 1,2,3", SQL_UNION },
		{ "SELECT * FROM u WHERE id = 1 AND SLEEP(5)", SQL_DELAY },
		{ "SELECT * FROM u WHERE id = 1 OR (SELECT pg_sleep(5)) IS NULL", SQL_DELAY },
		{ "SELECT 1; WAITFOR DELAY '0:0:5'", SQL_DELAY },
		{ NULL, 0 },
	};

	for (int i = 0; clean[i]; i++)
		ck_assert_msg(sql(clean[i], SQL_POSTGRESQL) == 0, "flagged: %s", clean[i]);
	for (int i = 0; attacks[i].text; i++) {
		unsigned got = sql(attacks[i].text, SQL_MYSQL);

		ck_assert_msg((got & attacks[i].want) == attacks[i].want,
		    "%s: found %#x, want %#x", attacks[i].text, got, attacks[i].want);
		for (size_t c = 0; c <= strlen(attacks[i].text); c++)
			ck_assert_uint_eq(sql_cut(attacks[i].text, c), got);
	}
}
END_TEST

START_TEST(test_scan_tls_cut_anywhere)
{
	uint8_t b[1024];
	size_t n = client_hello(b, 0x0302, 0);

	n += heartbeat(b + n, 16384, 1);
	for (size_t cut = 0; cut <= n; cut++) {
		struct tls_scan s;
		unsigned f;

		tls_scan_init(&s);
		f = tls_scan_feed(&s, 0, b, cut);
		f |= tls_scan_feed(&s, 0, b + cut, n - cut);
		ck_assert_uint_eq(f, TLS_HEARTBLEED);
		ck_assert_uint_eq(s.client_max, 0x0302);
	}
}
END_TEST

START_TEST(test_scan_dns)
{
	uint8_t m[300];
	size_t n = dns_query(m, 1, "www.example.com", 1);
	struct dns_scan s;
	struct dns_name_shape sh;

	ck_assert_int_eq(dns_scan(m, n, &s), 0);
	ck_assert_uint_eq(s.qtype, 1);
	ck_assert_uint_eq(s.tail, 0);
	ck_assert(!s.loop && !s.bad && !s.cut);
	dns_name_shape(s.qname, s.qname_len, 20, &sh);
	ck_assert_uint_eq(sh.longest, 3);
	ck_assert_uint_eq(sh.zone_len, 13);
	ck_assert_uint_eq(sh.sub_len, 4);
	/* A pointer forward is no pointer back. */
	m[12] = 0xc0;
	m[13] = 20;
	ck_assert_int_eq(dns_scan(m, n, &s), 0);
	ck_assert(s.loop);
	ck_assert_int_eq(dns_scan(m, 11, &s), -1);
}
END_TEST

/*
 * Real names against the default thresholds, name by name: a few have a
 * long label that looks encoded (a load balancer's, a VPC endpoint's, a
 * long service name); what keeps them from firing is that a client looks
 * each up again, not new ones by the dozen (test_dns_real_names_no_tunnel).
 * Every tunnel's label looks encoded.
 */
START_TEST(test_tunnel_false_positives)
{
	const struct threat_conf *c = &ts.t[THREAT_DNS_TUNNEL];
	int flagged = 0, total = 0;
	unsigned seed = 7;
	char l[64], name[128];
	uint8_t m[300];
	struct dns_scan s;
	struct dns_name_shape sh;

	for (int i = 0; real_names[i]; i++, total++) {
		dns_scan(m, dns_query(m, 1, real_names[i], 1), &s);
		dns_name_shape(s.qname, s.qname_len, (size_t)c->param[0], &sh);
		flagged += sh.longest >= (size_t)c->param[0] && sh.entropy >= c->param[1];
	}
	ck_assert_msg(flagged <= 3, "%d of %d real names look encoded", flagged, total);
	for (int i = 0; i < 100; i++) {
		random_label(l, 30 + (size_t)(i % 30), &seed);
		snprintf(name, sizeof(name), "%s.t.example.com", l);
		dns_scan(m, dns_query(m, 1, name, 16), &s);
		dns_name_shape(s.qname, s.qname_len, (size_t)c->param[0], &sh);
		ck_assert_msg(sh.entropy >= c->param[1], "%s: %u", name, sh.entropy);
		ck_assert_uint_eq(sh.zone_len, 15);	/* t.example.com */
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("threat");
	TCase *tc = tcase_create("protect"), *mon = tcase_create("monitor");
	TCase *sc = tcase_create("scanners");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_syn_flood_source);
	tcase_add_test(tc, test_syn_flood_any_source);
	tcase_add_test(tc, test_syn_busy_server_is_no_flood);
	tcase_add_test(tc, test_icmp_flood);
	tcase_add_test(tc, test_session_limit);
	tcase_add_test(tc, test_bad_flags);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_small_mss);
	tcase_add_test(tc, test_syn_with_data);
	tcase_add_test(tc, test_split_handshake);
	tcase_add_test(tc, test_small_window);
	tcase_add_test(tc, test_no_client_data);
	tcase_add_test(tc, test_ping_death);
	tcase_add_test(tc, test_icmp_tunnel);
	tcase_add_test(tc, test_teardrop);
	tcase_add_test(tc, test_dns_zone_transfer_udp);
	tcase_add_test(tc, test_dns_zone_transfer_tcp);
	tcase_add_test(tc, test_dns_loop_pointer);
	tcase_add_test(tc, test_dns_type_null);
	tcase_add_test(tc, test_dns_overflow);
	tcase_add_test(tc, test_dns_tunnel);
	tcase_add_test(tc, test_dns_real_names_no_tunnel);
	tcase_add_test(tc, test_heartbleed);
	tcase_add_test(tc, test_heartbeat_honest);
	tcase_add_test(tc, test_ssl3_and_tls10);
	tcase_add_test(tc, test_ssh_v1);
	tcase_add_test(tc, test_http_smuggling);
	tcase_add_test(tc, test_http_keepalive_clean);
	tcase_add_test(tc, test_closed_give_state_back);
	tcase_add_test(tc, test_report_only_first_request);
	tcase_add_test(tc, test_http_negative_length);
	tcase_add_test(tc, test_followed_until_depth);
	tcase_add_test(tc, test_slowloris);
	tcase_add_test(tc, test_struts);
	tcase_add_test(tc, test_sql_postgresql);
	tcase_add_test(tc, test_sql_mysql);
	tcase_add_test(tc, test_group_settings);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(mon, setup_monitor, teardown);
	tcase_add_test(mon, test_syn_flood_monitor_alerts);
	tcase_add_test(mon, test_ping_death_monitor);
	suite_add_tcase(s, mon);
	tcase_add_checked_fixture(sc, setup, teardown);
	tcase_add_test(sc, test_scan_sql);
	tcase_add_test(sc, test_scan_tls_cut_anywhere);
	tcase_add_test(sc, test_scan_dns);
	tcase_add_test(sc, test_tunnel_false_positives);
	suite_add_tcase(s, sc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
