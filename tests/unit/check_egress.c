/*
 * check_egress.c: DNS-aware egress through worker_packet(): a DNS answer
 * binds its names before its own verdict, so the connection that follows
 * it is judged by FQDN groups (exact, wildcard, through a CNAME chain,
 * over TCP split across segments); an address the client never resolved
 * is external; a proxy request is judged for the host it asks for; a TLS
 * hello's SNI stands for a name the client never resolved; external names
 * are learned as destinations.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture_policy.h"
#include "names/fqdn.h"
#include "packet/judge.h"
#include "pkt.h"
#include "policy/policy.h"
#include "packet/worker.h"

#define CLIENT	"198.19.0.20"
#define PROXY	"198.19.0.40"
#define RESOLVER "198.19.0.53"
#define GOOD_IP	"203.0.113.10"	/* www.example.com */
#define CDN_IP	"203.0.113.20"	/* cdn.example.com, via a CNAME */
#define BAD_IP	"203.0.113.66"	/* oracle.com */

static struct fqdn_cache *cache;

static void
setup_mode(enum policy_mode client_mode)
{
	struct fqdn_limits fl = { .max_bindings = 10000, .min_ttl = 60 };

	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, client_mode, NULL);
	fx_group("nv.proxy", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("example", GROUP_USER, MODE_DISCOVER, "address=*.example.com");
	fx_group("oracle", GROUP_USER, MODE_DISCOVER, "address=oracle.com");
	fx_workload("client", CLIENT);
	fx_workload("proxy", PROXY);
	fx_rule("nv.client", "example", "any", "tcp/443,tcp/80", RULE_ALLOW, RULE_USER);
	fx_rule("nv.client", "external", "any", "udp/53,tcp/53", RULE_ALLOW, RULE_USER);
	fx_rule("nv.client", "nv.proxy", "any", "tcp/3128", RULE_ALLOW, RULE_USER);
	ck_assert_ptr_nonnull(cache = fqdn_cache_new(&fl));
	fx_start(10000);
	fx.w.dns.cache = cache;
}

static void
setup(void)
{
	setup_mode(MODE_PROTECT);
}

static void
setup_discover(void)
{
	setup_mode(MODE_DISCOVER);
}

static void
teardown(void)
{
	fx_end();
	fqdn_cache_free(cache);
}

/* --- a DNS answer, built ------------------------------------------------ */

struct msg {
	uint8_t b[512];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
put16(struct msg *m, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

static void
put_name(struct msg *m, const char *name)
{
	while (*name) {
		size_t l = strcspn(name, ".");
		uint8_t len = (uint8_t)l;

		put(m, &len, 1);
		put(m, name, l);
		name += l + (name[l] == '.');
	}
	put(m, "", 1);
}

/* An answer to "A? qname": header, question, then records added after. */
static void
answer_start(struct msg *m, const char *qname, int nrecords)
{
	m->n = 0;
	put16(m, 0x4242);
	put16(m, 0x8180);	/* response, RD, RA, no error */
	put16(m, 1);
	put16(m, (uint16_t)nrecords);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, 1);
	put16(m, 1);
}

static void
rec_a(struct msg *m, const char *owner, const char *ip, uint32_t ttl)
{
	uint8_t a[4];

	put_name(m, owner);
	put16(m, 1);
	put16(m, 1);
	put16(m, (uint16_t)(ttl >> 16));
	put16(m, (uint16_t)ttl);
	put16(m, 4);
	inet_pton(AF_INET, ip, a);
	put(m, a, 4);
}

static void
rec_cname(struct msg *m, const char *owner, const char *target)
{
	struct msg t = { .n = 0 };

	put_name(&t, target);
	put_name(m, owner);
	put16(m, 5);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, (uint16_t)t.n);
	put(m, t.b, t.n);
}

static enum verdict
send_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport, const struct msg *m)
{
	return fx_udp(src, sport, dst, dport, m->b, m->n);
}

/* The client asks the resolver; the answer passes nvd. */
static void
resolve(const struct msg *answer)
{
	struct msg q;

	answer_start(&q, "x", 0);
	send_udp(CLIENT, 40053, RESOLVER, 53, &q);
	ck_assert_int_eq(send_udp(RESOLVER, 53, CLIENT, 40053, answer), VERDICT_ACCEPT);
}

static enum verdict
syn(const char *dst, uint16_t sport, uint16_t dport)
{
	return fx_tcp(CLIENT, sport, dst, dport, TCP_SYN, 1000, 0, NULL, 0);
}

/* --- FQDN groups ---------------------------------------------------------- */

START_TEST(test_resolved_name_allowed)
{
	struct msg m;

	answer_start(&m, "www.example.com", 1);
	rec_a(&m, "www.example.com", GOOD_IP, 0);	/* TTL 0: still good for dns_min_ttl */
	resolve(&m);
	ck_assert_uint_eq(fx.w.dns.st.answers, 1);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
	ck_assert_int_eq(syn(GOOD_IP, 41000, 443), VERDICT_ACCEPT);
	/* A port the rule does not name is refused. */
	ck_assert_int_eq(syn(GOOD_IP, 41001, 8443), VERDICT_DROP);
}
END_TEST

START_TEST(test_unresolved_address_is_external)
{
	struct msg m;
	struct record r[4];

	answer_start(&m, "www.example.com", 1);
	rec_a(&m, "www.example.com", GOOD_IP, 300);
	resolve(&m);
	/* The same address reached by another client that never asked. */
	ck_assert_int_eq(fx_tcp("198.19.0.21", 41002, GOOD_IP, 443, TCP_SYN, 1, 0, NULL, 0),
	    VERDICT_ACCEPT);	/* not a workload: discover, judged but not ours */
	/* An address nobody resolved is external from its first packet
	 * (nothing the client sends can name it). */
	ck_assert_int_eq(syn("203.0.113.99", 41003, 80), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.dst_group, "external");
	ck_assert_str_eq(r[0].u.ev.fqdn, "");
}
END_TEST

START_TEST(test_blocked_name_refused_with_fqdn)
{
	struct msg m;
	struct record r[4];

	answer_start(&m, "oracle.com", 1);
	rec_a(&m, "oracle.com", BAD_IP, 300);
	resolve(&m);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
	ck_assert_int_eq(syn(BAD_IP, 41004, 443), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.dst_group, "oracle");
	ck_assert_str_eq(r[0].u.ev.fqdn, "oracle.com");
}
END_TEST

/* alias.net -> cdn.example.com -> address: every name of the chain is
 * bound, so the wildcard group matches through the CNAME. */
START_TEST(test_cname_chain)
{
	struct msg m;
	char names[4][FQDN_NAME_MAX + 1];
	struct fqdn_addr a = { .family = AF_INET };

	answer_start(&m, "alias.net", 2);
	rec_a(&m, "cdn.example.com", CDN_IP, 300);	/* out of order */
	rec_cname(&m, "alias.net", "cdn.example.com");
	resolve(&m);
	inet_pton(AF_INET, CDN_IP, a.addr);
	ck_assert_int_eq(fqdn_names(cache, NULL, &a, fx.clock_ms, names, 4), 2);
	ck_assert_int_eq(syn(CDN_IP, 41005, 443), VERDICT_ACCEPT);
}
END_TEST

/* DNS over TCP, the answer split across segments: bound all the same. */
START_TEST(test_dns_over_tcp_split)
{
	struct msg m;
	uint8_t framed[600];
	size_t n;

	answer_start(&m, "api.example.com", 1);
	rec_a(&m, "api.example.com", GOOD_IP, 300);
	framed[0] = (uint8_t)(m.n >> 8);
	framed[1] = (uint8_t)m.n;
	memcpy(framed + 2, m.b, m.n);
	n = m.n + 2;
	fx_tcp(CLIENT, 41006, RESOLVER, 53, TCP_SYN, 1000, 0, NULL, 0);
	fx_tcp(RESOLVER, 53, CLIENT, 41006, TCP_SYN | TCP_ACK, 5000, 1001, NULL, 0);
	fx_tcp(CLIENT, 41006, RESOLVER, 53, TCP_ACK, 1001, 5001, NULL, 0);
	fx_tcp(RESOLVER, 53, CLIENT, 41006, TCP_ACK | TCP_PSH, 5001, 1001, framed, 1);
	ck_assert_uint_eq(fx.w.dns.st.answers, 0);
	fx_tcp(RESOLVER, 53, CLIENT, 41006, TCP_ACK | TCP_PSH, 5002, 1001, framed + 1, 20);
	ck_assert_uint_eq(fx.w.dns.st.answers, 0);
	ck_assert_int_eq(fx_tcp(RESOLVER, 53, CLIENT, 41006, TCP_ACK | TCP_PSH, 5022, 1001,
	    framed + 21, n - 21), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.answers, 1);
	ck_assert_int_eq(syn(GOOD_IP, 41007, 443), VERDICT_ACCEPT);
}
END_TEST

/* A malformed answer (a compression loop) binds nothing and passes. */
START_TEST(test_malformed_answer)
{
	struct msg m;

	answer_start(&m, "www.example.com", 1);
	put16(&m, 0xc000 | (uint16_t)m.n);	/* a pointer to itself */
	put16(&m, 1);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 300);
	put16(&m, 4);
	put(&m, "\xcb\x00\x71\x0a", 4);
	resolve(&m);
	ck_assert_uint_eq(fx.w.dns.st.errors[DNS_LOOP], 1);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 0);
	/* Not a workload's name: a port no name rule allows is refused. */
	ck_assert_int_eq(syn(GOOD_IP, 41008, 8443), VERDICT_DROP);
}
END_TEST

/* --- proxy and SNI ------------------------------------------------------- */

/* One request through the proxy: connection, request, verdict of it. */
static enum verdict
via_proxy(uint16_t sport, const char *request)
{
	fx_tcp(CLIENT, sport, PROXY, 3128, TCP_SYN, 1000, 0, NULL, 0);
	fx_tcp(PROXY, 3128, CLIENT, sport, TCP_SYN | TCP_ACK, 5000, 1001, NULL, 0);
	fx_tcp(CLIENT, sport, PROXY, 3128, TCP_ACK, 1001, 5001, NULL, 0);
	return fx_tcp(CLIENT, sport, PROXY, 3128, TCP_ACK | TCP_PSH, 1001, 5001, request,
	    strlen(request));
}

START_TEST(test_proxy_connect)
{
	struct record r[4];

	ck_assert_int_eq(via_proxy(41010, "CONNECT www.example.com:443 HTTP/1.1\r\n"
	    "Host: www.example.com:443\r\n\r\n"), VERDICT_BYPASS);
	ck_assert_int_eq(via_proxy(41011, "CONNECT oracle.com:443 HTTP/1.1\r\n"
	    "Host: oracle.com:443\r\n\r\n"), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);	/* both ends */
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.fqdn, "oracle.com");
	ck_assert_str_eq(r[0].u.ev.dst_group, "oracle");
	ck_assert_int_eq(r[0].u.ev.dst_port, 3128);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "via proxy to oracle.com:443"));
	ck_assert_uint_eq(fx.w.judge.st.proxied, 2);
}
END_TEST

START_TEST(test_proxy_absolute_form)
{
	/* Host headers say what they like: the request target decides. */
	ck_assert_int_eq(via_proxy(41012, "GET http://www.example.com/index.html HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n"), VERDICT_BYPASS);
	ck_assert_int_eq(via_proxy(41013, "GET http://oracle.com/ HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n"), VERDICT_DROP);
	/* A port the rule does not name. */
	ck_assert_int_eq(via_proxy(41014, "GET http://www.example.com:8080/ HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n"), VERDICT_DROP);
	/* Origin form: for the proxy itself. */
	ck_assert_int_eq(via_proxy(41015, "GET /status HTTP/1.1\r\nHost: proxy\r\n\r\n"),
	    VERDICT_BYPASS);
}
END_TEST

/* A minimal TLS 1.2 ClientHello naming sni. */
static size_t
client_hello(uint8_t *b, const char *sni)
{
	size_t sl = strlen(sni), n = 0, ext = 9 + sl, hs = 2 + 32 + 1 + 4 + 2 + 2 + ext;

	b[n++] = 22; b[n++] = 3; b[n++] = 1;
	b[n++] = (uint8_t)((hs + 4) >> 8); b[n++] = (uint8_t)(hs + 4);
	b[n++] = 1; b[n++] = 0; b[n++] = (uint8_t)(hs >> 8); b[n++] = (uint8_t)hs;
	b[n++] = 3; b[n++] = 3;
	memset(b + n, 0x5a, 32); n += 32;
	b[n++] = 0;				/* session id */
	b[n++] = 0; b[n++] = 2; b[n++] = 0xc0; b[n++] = 0x2f;	/* one cipher suite */
	b[n++] = 1; b[n++] = 0;			/* null compression */
	b[n++] = (uint8_t)(ext >> 8); b[n++] = (uint8_t)ext;
	b[n++] = 0; b[n++] = 0;			/* server_name */
	b[n++] = (uint8_t)((sl + 5) >> 8); b[n++] = (uint8_t)(sl + 5);
	b[n++] = (uint8_t)((sl + 3) >> 8); b[n++] = (uint8_t)(sl + 3);
	b[n++] = 0;
	b[n++] = (uint8_t)(sl >> 8); b[n++] = (uint8_t)sl;
	memcpy(b + n, sni, sl);
	return n + sl;
}

static enum verdict
tls_to(const char *ip, uint16_t sport, const char *sni)
{
	uint8_t hello[512];
	size_t n = client_hello(hello, sni);

	fx_tcp(CLIENT, sport, ip, 443, TCP_SYN, 1000, 0, NULL, 0);
	fx_tcp(ip, 443, CLIENT, sport, TCP_SYN | TCP_ACK, 5000, 1001, NULL, 0);
	fx_tcp(CLIENT, sport, ip, 443, TCP_ACK, 1001, 5001, NULL, 0);
	return fx_tcp(CLIENT, sport, ip, 443, TCP_ACK | TCP_PSH, 1001, 5001, hello, n);
}

/* A pinned address (never resolved): the SNI never names it, whatever it
 * says; the connection is to external, refused at its SYN. */
START_TEST(test_sni_of_pinned_address)
{
	struct record r[4];

	ck_assert_int_eq(syn("203.0.113.77", 41020, 443), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.dst_group, "external");
	ck_assert_str_eq(r[0].u.ev.fqdn, "");
}
END_TEST

/* The SNI is not the name resolved for the address: recorded. */
START_TEST(test_sni_mismatch_recorded)
{
	struct msg m;
	struct record r[4];

	answer_start(&m, "www.example.com", 1);
	rec_a(&m, "www.example.com", GOOD_IP, 300);
	resolve(&m);
	ck_assert_int_eq(tls_to(GOOD_IP, 41022, "secret.oracle.com"), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.name, "sni mismatch");
	ck_assert_str_eq(r[0].u.ev.fqdn, "secret.oracle.com");
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
}
END_TEST

/* --- learning --------------------------------------------------------------- */

START_TEST(test_learns_external_name)
{
	struct msg m;
	struct record r[4];

	answer_start(&m, "api.github.com", 1);
	rec_a(&m, "api.github.com", "203.0.113.30", 60);
	resolve(&m);
	fx_records_of(REC_LEARN, r, 4);	/* the DNS flow's own */
	ck_assert_int_eq(tls_to("203.0.113.30", 41030, "api.github.com"), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 4), 1);
	/* In a group of its own, which no other group's name can be. */
	ck_assert_str_eq(r[0].u.learn.to, "fqdn:api.github.com");
	ck_assert_int_eq(r[0].u.learn.to_fqdn, 1);
	ck_assert_int_eq(r[0].u.learn.port, 443);
	ck_assert_str_eq(r[0].u.learn.app, "tls");
	/* Never resolved, no SNI: learned as external. */
	fx_tcp(CLIENT, 41031, "203.0.113.31", 9000, TCP_SYN, 1000, 0, NULL, 0);
	fx_tcp("203.0.113.31", 9000, CLIENT, 41031, TCP_FIN | TCP_ACK, 5000, 1001, NULL, 0);
	fx_tcp(CLIENT, 41031, "203.0.113.31", 9000, TCP_FIN | TCP_ACK, 1001, 5001, NULL, 0);
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 4), 1);
	ck_assert_str_eq(r[0].u.learn.to, "external");
	ck_assert_int_eq(r[0].u.learn.to_fqdn, 0);
	/* An SNI names nothing, not even a group: "host" is learned as
	 * external, not as the group host. */
	ck_assert_int_eq(tls_to("203.0.113.32", 41032, "host"), VERDICT_BYPASS);
	ck_assert_uint_eq(fx_records_of(REC_LEARN, r, 4), 1);
	ck_assert_str_eq(r[0].u.learn.to, "external");
}
END_TEST

static Suite *
egress_suite(void)
{
	Suite *s = suite_create("egress");
	TCase *tc = tcase_create("fqdn groups");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_resolved_name_allowed);
	tcase_add_test(tc, test_unresolved_address_is_external);
	tcase_add_test(tc, test_blocked_name_refused_with_fqdn);
	tcase_add_test(tc, test_cname_chain);
	tcase_add_test(tc, test_dns_over_tcp_split);
	tcase_add_test(tc, test_malformed_answer);
	suite_add_tcase(s, tc);
	tc = tcase_create("proxy and sni");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_proxy_connect);
	tcase_add_test(tc, test_proxy_absolute_form);
	tcase_add_test(tc, test_sni_mismatch_recorded);
	tcase_add_test(tc, test_sni_of_pinned_address);
	suite_add_tcase(s, tc);
	tc = tcase_create("discover");
	tcase_add_checked_fixture(tc, setup_discover, teardown);
	tcase_add_test(tc, test_learns_external_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(egress_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
