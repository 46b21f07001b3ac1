/*
 * check_egress.c: DNS-aware egress through worker_packet(): a DNS answer
 * binds its names before its own verdict, so the connection that follows
 * it is judged by FQDN groups (exact, wildcard, through a CNAME chain,
 * over TCP split across segments); only an answer to a query the client
 * sent binds (the id, the question, the resolver's address and port, the
 * client's port, the transport and TCP connection, within the window,
 * once; pending queries bounded per client and per worker), the others
 * are counted and reported; an address the client never resolved is
 * external; a proxy request is judged for the host it asks for; a TLS
 * hello's SNI stands for a name the client never resolved; external names
 * are learned as destinations.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture_policy.h"
#include "names/fqdn.h"
#include "packet/judge.h"
#include "packet/reasm.h"
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

#define T_A	1
#define T_AAAA	28
#define C_IN	1
#define C_CH	3
#define ASK	0x0100	/* a query, RD */
#define TELL	0x8180	/* an answer, RD, RA, no error */

/* A message of flags with id and the question "qname, qtype, qclass";
 * records added after. */
static void
msg_start(struct msg *m, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype,
    uint16_t qclass, int nrecords)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, 1);
	put16(m, (uint16_t)nrecords);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, qclass);
}

/* An answer to "A? qname": header, question, then records added after. */
static void
answer_start(struct msg *m, const char *qname, int nrecords)
{
	msg_start(m, 0x4242, TELL, qname, T_A, C_IN, nrecords);
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

/* The query answer answers: its header and question as the client sent them. */
static void
query_of(const struct msg *answer, struct msg *q)
{
	size_t o = 12;

	while (answer->b[o] != 0)
		o += 1 + answer->b[o];
	q->n = 0;
	put(q, answer->b, o + 5);
	q->b[2] = ASK >> 8;
	q->b[3] = ASK & 0xff;
	q->b[6] = q->b[7] = 0;	/* no answer records */
}

/* The client asks the resolver; the answer passes nvd. */
static void
resolve(const struct msg *answer)
{
	struct msg q;

	query_of(answer, &q);
	ck_assert_int_eq(send_udp(CLIENT, 40053, RESOLVER, 53, &q), VERDICT_ACCEPT);
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

/* A message as DNS over TCP sends it: after its 2-byte length. */
static size_t
framed(const struct msg *m, uint8_t *out)
{
	out[0] = (uint8_t)(m->n >> 8);
	out[1] = (uint8_t)m->n;
	memcpy(out + 2, m->b, m->n);
	return m->n + 2;
}

/* DNS over TCP, the answer split across segments: bound all the same. */
START_TEST(test_dns_over_tcp_split)
{
	struct fx_conn k;
	struct msg m, q;
	uint8_t a[600], qb[600];
	size_t n;

	answer_start(&m, "api.example.com", 1);
	rec_a(&m, "api.example.com", GOOD_IP, 300);
	query_of(&m, &q);
	n = framed(&m, a);
	fx_conn_open(&k, CLIENT, 41006, RESOLVER, 53);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, qb, framed(&q, qb)),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.queries, 1);
	fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, a, 1);
	ck_assert_uint_eq(fx.w.dns.st.answers, 0);
	fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, a + 1, 20);
	ck_assert_uint_eq(fx.w.dns.st.answers, 0);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, a + 21, n - 21), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.answers, 1);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
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

/* --- answers bound only with evidence -------------------------------------- */

#define RESOLVER2 "198.19.0.54"

/* The client asks, from port cport, the resolver at rport: "qname?" with
 * id, of type qtype. */
static void
ask(uint16_t cport, uint16_t rport, uint16_t id, const char *qname, uint16_t qtype)
{
	struct msg q;

	msg_start(&q, id, ASK, qname, qtype, C_IN, 0);
	ck_assert_int_eq(send_udp(CLIENT, cport, RESOLVER, rport, &q), VERDICT_ACCEPT);
}

/* What src:sport tells the client's port cport: "qname (qtype, qclass) is
 * ip", with id; its verdict. */
static enum verdict
tell(const char *src, uint16_t sport, uint16_t cport, uint16_t id, const char *qname,
    uint16_t qtype, uint16_t qclass, const char *ip)
{
	struct msg m;

	msg_start(&m, id, TELL, qname, qtype, qclass, 1);
	rec_a(&m, qname, ip, 300);
	return send_udp(src, sport, CLIENT, cport, &m);
}

/* Whether anyone has a name bound for ip. */
static int
named(const char *ip)
{
	char names[4][FQDN_NAME_MAX + 1];
	struct fqdn_addr a = { .family = AF_INET };

	inet_pton(AF_INET, ip, a.addr);
	return fqdn_names(cache, NULL, &a, fx.clock_ms, names, 4) > 0;
}

/* The events of forged DNS answers among the records popped. */
static unsigned
forged_events(struct record *out, unsigned max)
{
	struct record all[32];
	unsigned n = fx_records_of(REC_EVENT, all, 32), k = 0;

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(all[i].u.ev.name, "dns forged answer") && k < max)
			out[k++] = all[i];
	return k;
}

/* An answer from a server not in dns_resolvers binds nothing: a client
 * could ask one it runs for www.example.com. */
START_TEST(test_untrusted_resolver)
{
	struct record all[32];
	struct msg m;
	unsigned n;
	int events = 0;

	memset(&fx.resolvers, 0, sizeof(fx.resolvers));
	fx.resolvers.n = 1;
	fx.resolvers.a[0].family = AF_INET;
	inet_pton(AF_INET, "198.19.0.99", fx.resolvers.a[0].addr);
	fx_publish();
	answer_start(&m, "www.example.com", 1);
	rec_a(&m, "www.example.com", GOOD_IP, 300);
	resolve(&m);
	ck_assert_uint_eq(fx.w.dns.st.answers, 1);
	ck_assert_uint_eq(fx.w.dns.st.untrusted, 1);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 0);
	ck_assert_int_eq(syn(GOOD_IP, 41000, 443), VERDICT_DROP);
	n = fx_records_of(REC_EVENT, all, 32);
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(all[i].u.ev.name, "dns untrusted resolver")) {
			ck_assert_str_eq(all[i].u.ev.reason, "dns_untrusted");
			ck_assert_str_eq(all[i].u.ev.fqdn, "www.example.com");
			events++;
		}
	ck_assert_int_eq(events, 1);
	/* The resolver trusted: the same answer binds. */
	inet_pton(AF_INET, RESOLVER, fx.resolvers.a[0].addr);
	fx_publish();
	resolve(&m);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
	ck_assert_int_eq(syn(GOOD_IP, 41001, 443), VERDICT_ACCEPT);
}
END_TEST

/* The answer to a query binds; a second answer to it binds nothing, is
 * counted, and passes; one event for the flow however many come. */
START_TEST(test_answer_binds_once)
{
	struct record r[4];

	ask(40100, 53, 0x1111, "www.example.com", T_A);
	ck_assert_uint_eq(fx.w.dns.st.queries, 1);
	ck_assert_int_eq(tell(RESOLVER, 53, 40100, 0x1111, "www.example.com", T_A, C_IN, GOOD_IP),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 0);
	ck_assert_int_eq(named(GOOD_IP), 1);
	ck_assert_uint_eq(forged_events(r, 4), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(tell(RESOLVER, 53, 40100, 0x1111, "www.example.com", T_A, C_IN,
		    "203.0.113.166"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.answers, 4);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 3);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
	ck_assert_int_eq(named("203.0.113.166"), 0);
	ck_assert_uint_eq(forged_events(r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.type, EV_VIOLATION);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_str_eq(r[0].u.ev.reason, "dns_unsolicited");
	ck_assert_str_eq(r[0].u.ev.fqdn, "www.example.com");
	ck_assert_str_eq(r[0].u.ev.src_group, "nv.client");
	ck_assert_int_eq(r[0].u.ev.src_port, 40100);
	ck_assert_int_eq(r[0].u.ev.dst_port, 53);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "www.example.com 203.0.113.166"));
	/* The forged address is external: the *.example.com rule does not
	 * admit it; the real one it does. */
	ck_assert_int_eq(syn("203.0.113.166", 41100, 443), VERDICT_DROP);
	ck_assert_int_eq(syn(GOOD_IP, 41101, 443), VERDICT_ACCEPT);
}
END_TEST

/* Monitor mode: an answer that opens a flow of its own passes too. */
static void
setup_monitor(void)
{
	setup_mode(MODE_MONITOR);
}

/*
 * Answers that differ from the query in one thing.  Each binds nothing;
 * those nvd reads as DNS (a port 53 at one end, or a flow detected as
 * DNS) are counted; the query still waits, and its real answer binds.
 */
static const struct mismatch {
	const char *what;
	uint16_t rport;		/* where the query went */
	const char *src;	/* who answers, from which port, to which port */
	uint16_t sport, cport;
	uint16_t id;
	const char *qname;
	uint16_t qtype, qclass;
	int counted;
} mismatches[] = {
	{ "another id", 53, RESOLVER, 53, 40110, 0x2222, "www.example.com", T_A, C_IN, 1 },
	{ "another name", 53, RESOLVER, 53, 40111, 0x1111, "api.example.com", T_A, C_IN, 1 },
	{ "the name's case", 53, RESOLVER, 53, 40112, 0x1111, "WWW.Example.COM", T_A, C_IN, -1 },
	{ "another type", 53, RESOLVER, 53, 40113, 0x1111, "www.example.com", T_AAAA, C_IN, 1 },
	{ "another class", 53, RESOLVER, 53, 40114, 0x1111, "www.example.com", T_A, C_CH, 1 },
	{ "another resolver", 53, RESOLVER2, 53, 40115, 0x1111, "www.example.com", T_A, C_IN, 1 },
	{ "to another port", 53, RESOLVER, 53, 40999, 0x1111, "www.example.com", T_A, C_IN, 1 },
	/* Asked at 5353 (a DNS flow by its query), answered from 53. */
	{ "from port 53", 5353, RESOLVER, 53, 40117, 0x1111, "www.example.com", T_A, C_IN, 1 },
	/* Asked at 53, answered from 5353: no DNS flow at all for nvd
	 * (no port 53, no query seen on it); judged as what it is. */
	{ "from port 5353", 53, RESOLVER, 5353, 40118, 0x1111, "www.example.com", T_A, C_IN, 0 },
};

START_TEST(test_mismatched_answers)
{
	const struct mismatch *x = &mismatches[_i];
	uint16_t cport = (uint16_t)(40110 + _i);
	uint64_t before = fx.w.dns.st.unsolicited;
	char forged[32], real[32];

	snprintf(forged, sizeof(forged), "203.0.113.%d", 100 + _i);
	snprintf(real, sizeof(real), "203.0.113.%d", 200 + _i);
	ask(cport, x->rport, 0x1111, "www.example.com", T_A);
	ck_assert_int_ne(tell(x->src, x->sport, x->cport, x->id, x->qname, x->qtype, x->qclass,
	    forged), VERDICT_DROP);	/* monitor: passed, the client's own business */
	if (x->counted < 0) {		/* the same question: it answers the query */
		ck_assert_msg(named(forged), "%s", x->what);
		return;
	}
	ck_assert_msg(!named(forged), "%s: bound", x->what);
	ck_assert_msg(fx.w.dns.st.unsolicited == before + (unsigned)x->counted,
	    "%s: %llu unsolicited", x->what, (unsigned long long)fx.w.dns.st.unsolicited);
	ck_assert_int_eq(tell(RESOLVER, x->rport, cport, 0x1111, "www.example.com", T_A, C_IN,
	    real), VERDICT_ACCEPT);
	ck_assert_msg(named(real), "%s: the real answer bound nothing", x->what);
}
END_TEST

/* In protect mode an answer that opens a flow of its own is a connection
 * to the client that no rule allows: dropped, and nothing read. */
START_TEST(test_unasked_flow_dropped)
{
	ck_assert_int_eq(tell(RESOLVER, 53, 40120, 0x1111, "www.example.com", T_A, C_IN,
	    "203.0.113.120"), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.dns.st.answers, 0);
	ck_assert_int_eq(named("203.0.113.120"), 0);
}
END_TEST

/* DNSBIND_WINDOW_MS after the query, its answer binds nothing. */
START_TEST(test_answer_after_window)
{
	ask(40130, 53, 0x1111, "www.example.com", T_A);
	fx.clock_ms += DNSBIND_WINDOW_MS - 1;
	tell(RESOLVER, 53, 40130, 0x1111, "www.example.com", T_A, C_IN, "203.0.113.130");
	ck_assert_int_eq(named("203.0.113.130"), 1);
	ask(40131, 53, 0x1111, "www.example.com", T_A);
	fx.clock_ms += DNSBIND_WINDOW_MS + 1;
	ck_assert_int_eq(tell(RESOLVER, 53, 40131, 0x1111, "www.example.com", T_A, C_IN,
	    "203.0.113.131"), VERDICT_ACCEPT);
	ck_assert_int_eq(named("203.0.113.131"), 0);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 1);
}
END_TEST

/* A DNS exchange over TCP, "tcp.example.com is ip": each message after
 * its length, and the query as UDP would carry it. */
struct tcp_dns {
	struct msg q;
	uint8_t qb[600], a[600];
	size_t qn, an;
};

static void
tcp_dns(struct tcp_dns *t, uint16_t id, const char *ip)
{
	struct msg m;

	msg_start(&m, id, TELL, "tcp.example.com", T_A, C_IN, 1);
	rec_a(&m, "tcp.example.com", ip, 300);
	query_of(&m, &t->q);
	t->qn = framed(&t->q, t->qb);
	t->an = framed(&m, t->a);
}

/* DNS over TCP: an answer binds on the connection its query went on,
 * not on another one, nor on UDP between the same ports. */
START_TEST(test_tcp_same_connection)
{
	struct fx_conn k1, k2;
	struct tcp_dns t;

	tcp_dns(&t, 0x3333, "203.0.113.140");
	fx_conn_open(&k1, CLIENT, 40140, RESOLVER, 53);
	fx_conn_open(&k2, CLIENT, 40141, RESOLVER, 53);
	fx_conn_send(&k1, 0, TCP_ACK | TCP_PSH, t.qb, t.qn);
	send_udp(CLIENT, 40141, RESOLVER, 53, &t.q);
	/* On the other connection, and over UDP between k2's ports. */
	ck_assert_int_eq(fx_conn_send(&k2, 1, TCP_ACK | TCP_PSH, t.a, t.an), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 1);
	ck_assert_int_eq(named("203.0.113.140"), 0);
	/* On its own: bound, once. */
	ck_assert_int_eq(fx_conn_send(&k1, 1, TCP_ACK | TCP_PSH, t.a, t.an), VERDICT_ACCEPT);
	ck_assert_int_eq(named("203.0.113.140"), 1);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 1);
	fx_conn_send(&k1, 1, TCP_ACK | TCP_PSH, t.a, t.an);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 2);
	ck_assert_uint_eq(fx.w.dns.st.bindings, 1);
}
END_TEST

/* A new connection on the ports of one that asked: not the one asked. */
START_TEST(test_tcp_new_connection)
{
	struct fx_conn k;
	struct tcp_dns t;

	tcp_dns(&t, 0x4444, "203.0.113.142");
	fx_conn_open(&k, CLIENT, 40142, RESOLVER, 53);
	fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, t.qb, t.qn);
	fx_conn_send(&k, 0, TCP_ACK | TCP_FIN, NULL, 0);
	fx_conn_send(&k, 1, TCP_ACK | TCP_FIN, NULL, 0);
	fx_conn_send(&k, 0, TCP_ACK, NULL, 0);
	fx_conn_open(&k, CLIENT, 40142, RESOLVER, 53);
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, t.a, t.an), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.answers, 1);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 1);
	ck_assert_int_eq(named("203.0.113.142"), 0);
}
END_TEST

/*
 * An ICMP redirect quotes a packet, as the host sends one when it routes
 * a forged answer sent to its MAC back out the bridge; conntrack relates
 * it to the connection it quotes.  Passed as that connection, it must
 * not hand it to the kernel (its bypass mark would land on the DNS flow's
 * conntrack entry and blind nvd to the next answers).
 */
START_TEST(test_redirect_keeps_dns_read)
{
	uint8_t quoted[128];
	struct pkt a, e;
	size_t n;

	ask(40145, 53, 0x1111, "www.example.com", T_A);
	pkt_udp(&a, RESOLVER, 53, CLIENT, 40145);
	pkt_data(&a, "\x22\x22\x81\x80", 4);
	n = pkt_build(&a, quoted, sizeof(quoted));
	ck_assert_uint_ge(n, 28);
	pkt_icmp(&e, "198.19.0.1", RESOLVER, 5, 1, 0);
	pkt_data(&e, quoted, 28);	/* its IP header and 8 bytes of UDP */
	ck_assert_int_eq(fx_send(&e), VERDICT_ACCEPT);
	ck_assert_int_eq(tell(RESOLVER, 53, 40145, 0x2222, "www.example.com", T_A, C_IN,
	    "203.0.113.145"), VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.dns.st.unsolicited, 1);
}
END_TEST

/*
 * One client keeps at most DNSBIND_CLIENT_SHARE queries pending: its next
 * is not kept (its answer binds nothing), another client's is.  At
 * DNSBIND_PENDING_MAX the oldest query gives way.
 */
START_TEST(test_pending_bounds)
{
	char ip[32];
	struct msg q;

	for (int i = 0; i <= DNSBIND_CLIENT_SHARE; i++)
		ask(40150, 53, (uint16_t)i, "www.example.com", T_A);
	ck_assert_uint_eq(fx.w.dns.st.queries, DNSBIND_CLIENT_SHARE);
	ck_assert_uint_eq(fx.w.dns.st.queries_over_share, 1);
	tell(RESOLVER, 53, 40150, DNSBIND_CLIENT_SHARE, "www.example.com", T_A, C_IN,
	    "203.0.113.150");
	ck_assert_int_eq(named("203.0.113.150"), 0);
	tell(RESOLVER, 53, 40150, 0, "www.example.com", T_A, C_IN, "203.0.113.151");
	ck_assert_int_eq(named("203.0.113.151"), 1);
	/* Seven other clients fill the table but for the one just answered;
	 * an eighth's query pushes out the oldest, the client's id 1. */
	for (int c = 1; c <= 8; c++) {
		snprintf(ip, sizeof(ip), "198.19.1.%d", c);
		for (int i = 0; i < (c < 8 ? DNSBIND_CLIENT_SHARE : 2); i++) {
			msg_start(&q, (uint16_t)i, ASK, "www.example.com", T_A, C_IN, 0);
			send_udp(ip, 40151, RESOLVER, 53, &q);
		}
	}
	ck_assert_uint_eq(fx.w.dns.st.queries_evicted, 1);
	ck_assert_uint_eq(fx.w.dns.st.queries_over_share, 1);
	tell(RESOLVER, 53, 40150, 1, "www.example.com", T_A, C_IN, "203.0.113.152");
	ck_assert_int_eq(named("203.0.113.152"), 0);
	tell(RESOLVER, 53, 40150, 2, "www.example.com", T_A, C_IN, "203.0.113.153");
	ck_assert_int_eq(named("203.0.113.153"), 1);
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
	/* Host headers say what they like: the request target decides.  The
	 * connection is followed for the requests to come (not bypassed). */
	ck_assert_int_eq(via_proxy(41012, "GET http://www.example.com/index.html HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n"), VERDICT_ACCEPT);
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

/* Every request on a keep-alive connection to the proxy is judged: a
 * later one for a refused destination cuts it, pipelined or not. */
START_TEST(test_proxy_keepalive)
{
	static const char first[] = "GET http://www.example.com/ HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n";
	static const char second[] = "GET http://oracle.com/ HTTP/1.1\r\nHost: x\r\n\r\n";
	char two[256];
	struct record r[4];

	ck_assert_int_eq(via_proxy(41016, first), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_tcp(CLIENT, 41016, PROXY, 3128, TCP_ACK | TCP_PSH,
	    1001 + (uint32_t)strlen(first), 5001, first, strlen(first)), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_tcp(CLIENT, 41016, PROXY, 3128, TCP_ACK | TCP_PSH,
	    1001 + 2 * (uint32_t)strlen(first), 5001, second, strlen(second)), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "via proxy to oracle.com:80"));
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	/* Pipelined behind an allowed one, in the first segment. */
	snprintf(two, sizeof(two), "%s%s", first, second);
	ck_assert_int_eq(via_proxy(41017, two), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.proxy.st.requests, 3);
}
END_TEST

/* An address literal is judged as the address; userinfo is no part of
 * the destination; an authority nvd cannot read is in doubt. */
START_TEST(test_proxy_literals)
{
	struct record r[4];

	/* GOOD_IP resolved as www.example.com by nobody: external. */
	ck_assert_int_eq(via_proxy(41018, "CONNECT " GOOD_IP ":443 HTTP/1.1\r\n\r\n"),
	    VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.dst_group, "external");
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "via proxy to " GOOD_IP ":443"));
	ck_assert_int_eq(via_proxy(41019, "CONNECT [fd00::1]:443 HTTP/1.1\r\n\r\n"),
	    VERDICT_DROP);
	ck_assert_int_eq(via_proxy(41020, "GET http://user:pw@www.example.com/ HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n"), VERDICT_ACCEPT);
	ck_assert_int_eq(via_proxy(41021, "GET http://oracle.com@www.example.com:99999/ HTTP/1.1"
	    "\r\n\r\n"), VERDICT_DROP);
	fx_records_of(REC_EVENT, r, 4);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_HTTP_PARSER], 1);
}
END_TEST

/* Requests past stream_depth are judged too: a body as long as the depth
 * carries no request past the judge (the direction is followed to its
 * end); once the connection is a tunnel the depth holds again. */
START_TEST(test_proxy_past_depth)
{
	static const struct reasm_limits small = { .depth = 4096, .memcap = 256u << 20 };
	static const struct reasm_limits usual = { .depth = 1048576, .memcap = 256u << 20 };
	static const char post[] = "POST http://www.example.com/up HTTP/1.1\r\n"
	    "Host: www.example.com\r\nContent-Length: 10000\r\n\r\n";
	static const char denied[] = "GET http://oracle.com/ HTTP/1.1\r\nHost: x\r\n\r\n";
	static char body[1000];
	uint32_t seq;

	reasm_set_limits(&small);
	memset(body, 'a', sizeof(body));
	ck_assert_int_eq(via_proxy(41022, post), VERDICT_ACCEPT);
	seq = 1001 + (uint32_t)strlen(post);
	for (int i = 0; i < 10; i++, seq += sizeof(body))
		ck_assert_int_eq(fx_tcp(CLIENT, 41022, PROXY, 3128, TCP_ACK, seq, 5001, body,
		    sizeof(body)), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_tcp(CLIENT, 41022, PROXY, 3128, TCP_ACK | TCP_PSH, seq, 5001,
	    denied, strlen(denied)), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.proxy.st.requests, 1);
	reasm_set_limits(&usual);
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
	tcase_add_test(tc, test_untrusted_resolver);
	tcase_add_test(tc, test_unresolved_address_is_external);
	tcase_add_test(tc, test_blocked_name_refused_with_fqdn);
	tcase_add_test(tc, test_cname_chain);
	tcase_add_test(tc, test_dns_over_tcp_split);
	tcase_add_test(tc, test_malformed_answer);
	suite_add_tcase(s, tc);
	tc = tcase_create("evidence");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_answer_binds_once);
	tcase_add_test(tc, test_unasked_flow_dropped);
	tcase_add_test(tc, test_answer_after_window);
	tcase_add_test(tc, test_tcp_same_connection);
	tcase_add_test(tc, test_tcp_new_connection);
	tcase_add_test(tc, test_redirect_keeps_dns_read);
	tcase_add_test(tc, test_pending_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("evidence, monitor");
	tcase_add_checked_fixture(tc, setup_monitor, teardown);
	tcase_add_loop_test(tc, test_mismatched_answers, 0,
	    (int)(sizeof(mismatches) / sizeof(mismatches[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("proxy and sni");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_proxy_connect);
	tcase_add_test(tc, test_proxy_absolute_form);
	tcase_add_test(tc, test_proxy_keepalive);
	tcase_add_test(tc, test_proxy_literals);
	tcase_add_test(tc, test_proxy_past_depth);
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
