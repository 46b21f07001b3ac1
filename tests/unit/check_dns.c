/*
 * check_dns.c: dns_parse() on answers built byte by byte, dns_question()
 * on queries and answers, dns_tcp_next() on split and joined streams, the
 * name helpers.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names/dns.h"

#define T_A		1
#define T_CNAME		5
#define T_TXT		16
#define T_AAAA		28
#define C_IN		1
#define C_CH		3
#define RESPONSE	0x8180	/* QR, RD, RA */
#define NOPTR		0	/* put_name: end in a zero label */

/* The message being built, and what dns_parse() made of it. */
static struct {
	uint8_t b[4096];
	size_t len;
} M;
static struct dns_answer A;

static void
put(const void *p, size_t n)
{
	ck_assert_uint_le(M.len + n, sizeof(M.b));
	memcpy(M.b + M.len, p, n);
	M.len += n;
}

static void
put8(unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(&b, 1);
}

static void
put16(unsigned v)
{
	put8(v >> 8);
	put8(v);
}

static void
put32(uint32_t v)
{
	put16(v >> 16);
	put16(v & 0xffff);
}

static void
patch16(size_t at, unsigned v)
{
	M.b[at] = (uint8_t)(v >> 8);
	M.b[at + 1] = (uint8_t)v;
}

/*
 * Writes the labels of dotted ("" for none), then a pointer to ptr, or a
 * zero label when ptr is NOPTR.  Returns the name's offset.
 */
static size_t
put_name(const char *dotted, size_t ptr)
{
	size_t at = M.len;
	const char *p = dotted, *dot;

	while (*p != '\0') {
		size_t n = (dot = strchr(p, '.')) ? (size_t)(dot - p) : strlen(p);

		put8((unsigned)n);
		put(p, n);
		p += n + (dot != NULL);
	}
	if (ptr == NOPTR)
		put8(0);
	else
		put16(0xc000 | (unsigned)ptr);
	return at;
}

static void
header(unsigned flags, unsigned qd, unsigned an, unsigned ar)
{
	M.len = 0;
	put16(0xbeef);
	put16(flags);
	put16(qd);
	put16(an);
	put16(0);
	put16(ar);
}

/* A response header and the question; returns the question name's offset (12). */
static size_t
answer_start(const char *qname, unsigned qtype, unsigned ancount)
{
	size_t q;

	header(RESPONSE, 1, ancount, 0);
	q = put_name(qname, NOPTR);
	put16(qtype);
	put16(C_IN);
	return q;
}

/* Type, class, TTL and RDLENGTH; returns RDLENGTH's offset. */
static size_t
rr_head(unsigned type, unsigned class, uint32_t ttl, unsigned rdlen)
{
	put16(type);
	put16(class);
	put32(ttl);
	put16(rdlen);
	return M.len - 2;
}

/* An A or AAAA record after its owner name. */
static void
rr_addr(const char *text, uint32_t ttl)
{
	uint8_t a[16];

	if (strchr(text, ':')) {
		ck_assert_int_eq(inet_pton(AF_INET6, text, a), 1);
		rr_head(T_AAAA, C_IN, ttl, 16);
		put(a, 16);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET, text, a), 1);
		rr_head(T_A, C_IN, ttl, 4);
		put(a, 4);
	}
}

/* A CNAME record after its owner name; returns the target's offset. */
static size_t
rr_cname(const char *labels, size_t ptr, uint32_t ttl)
{
	size_t rdlen = rr_head(T_CNAME, C_IN, ttl, 0), at;

	at = put_name(labels, ptr);
	patch16(rdlen, (unsigned)(M.len - at));
	return at;
}

static enum dns_status
parse(void)
{
	return dns_parse(M.b, M.len, &A);
}

/* Index in A.addrs of the address, or -1. */
static int
addr_index(const char *text)
{
	uint8_t a[16] = { 0 };
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	ck_assert_int_eq(inet_pton(family, text, a), 1);
	for (int i = 0; i < A.naddrs; i++)
		if (A.addrs[i].family == family &&
		    memcmp(A.addrs[i].addr, a, family == AF_INET ? 4 : 16) == 0)
			return i;
	return -1;
}

START_TEST(test_single_a)
{
	size_t q = answer_start("www.example.com", T_A, 1);

	put_name("", q);
	rr_addr("192.0.2.1", 300);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_uint_eq(A.id, 0xbeef);
	ck_assert_uint_eq(A.qtype, T_A);
	ck_assert_uint_eq(A.qclass, C_IN);
	ck_assert_uint_eq(A.rcode, 0);
	ck_assert_int_eq(A.truncated, 0);
	ck_assert_int_eq(A.cut, 0);
	ck_assert_int_eq(A.nnames, 1);
	ck_assert_str_eq(A.names[0], "www.example.com");
	ck_assert_uint_eq(A.chain_ttl, UINT32_MAX);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_int_eq(addr_index("192.0.2.1"), 0);
	ck_assert_uint_eq(A.addrs[0].ttl, 300);
	ck_assert_uint_eq(A.addrs[0].name, 0);
}
END_TEST

START_TEST(test_several_a_aaaa)
{
	static const char *const addrs[] = {
		"192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2", "192.0.2.3",
	};
	size_t q = answer_start("Example.COM", T_A, 5);

	for (int i = 0; i < 5; i++) {
		put_name("", q);
		rr_addr(addrs[i], 60 + (uint32_t)i);
	}
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_str_eq(A.names[0], "example.com");
	ck_assert_int_eq(A.naddrs, 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(addr_index(addrs[i]), i);
		ck_assert_uint_eq(A.addrs[i].ttl, 60 + (uint32_t)i);
	}
	ck_assert_uint_eq(A.addrs[1].family, AF_INET6);
}
END_TEST

/* Owners by a pointer to the question, to a suffix of it, and written out in another case. */
START_TEST(test_compression)
{
	size_t q = answer_start("www.example.com", T_A, 4), t;

	put_name("", q);
	t = rr_cname("cdn", q + 4, 100);	/* cdn. + "example.com" */
	put_name("", t);
	rr_addr("198.51.100.7", 30);
	put_name("CDN.Example", q + 12);	/* + "com" */
	rr_addr("198.51.100.8", 30);
	put_name("WWW.EXAMPLE.COM", NOPTR);
	rr_addr("198.51.100.9", 30);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.nnames, 2);
	ck_assert_str_eq(A.names[1], "cdn.example.com");
	ck_assert_int_eq(A.naddrs, 3);
	ck_assert_uint_eq(A.addrs[0].name, 1);
	ck_assert_uint_eq(A.addrs[1].name, 1);
	ck_assert_uint_eq(A.addrs[2].name, 0);
}
END_TEST

/* www -> a.cdn.net -> b.cdn.net -> c.edge.org, in order or shuffled. */
static void
chain_check(void)
{
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.nnames, 4);
	ck_assert_str_eq(A.names[0], "www.example.com");
	ck_assert_str_eq(A.names[1], "a.cdn.net");
	ck_assert_str_eq(A.names[2], "b.cdn.net");
	ck_assert_str_eq(A.names[3], "c.edge.org");
	ck_assert_uint_eq(A.chain_ttl, 20);
	ck_assert_int_eq(A.naddrs, 2);
	ck_assert_int_eq(addr_index("203.0.113.5"), 0);
	ck_assert_int_eq(addr_index("2001:db8::5"), 1);
	ck_assert_uint_eq(A.addrs[0].name, 3);
	ck_assert_uint_eq(A.addrs[1].name, 3);
	ck_assert_int_eq(A.cname_loop, 0);
	ck_assert_int_eq(A.chain_cut, 0);
}

START_TEST(test_cname_chain)
{
	size_t q = answer_start("www.example.com", T_A, 5), a, b, c;

	put_name("", q);
	a = rr_cname("a.cdn.net", NOPTR, 300);
	put_name("", a);
	b = rr_cname("b", a + 2, 20);		/* b + "cdn.net" */
	put_name("", b);
	c = rr_cname("c.edge.org", NOPTR, 40);
	put_name("", c);
	rr_addr("203.0.113.5", 60);
	put_name("", c);
	rr_addr("2001:db8::5", 60);
	chain_check();
}
END_TEST

START_TEST(test_cname_out_of_order)
{
	size_t q = answer_start("www.example.com", T_A, 5), a, b, c;

	c = put_name("c.edge.org", NOPTR);
	rr_addr("203.0.113.5", 60);
	b = put_name("b.cdn.net", NOPTR);
	rr_cname("", c, 40);
	put_name("", q);
	a = rr_cname("a", b + 2, 300);		/* a + "cdn.net" */
	put_name("", a);
	rr_cname("", b, 20);
	put_name("", c);
	rr_addr("2001:db8::5", 60);
	chain_check();
}
END_TEST

/* www -> a.example.net -> www: the chain ends, the parse goes on. */
START_TEST(test_cname_loop)
{
	size_t q = answer_start("www.example.com", T_A, 3), a;

	put_name("", q);
	a = rr_cname("a.example.net", NOPTR, 50);
	put_name("", a);
	rr_cname("", q, 70);
	put_name("", a);
	rr_addr("192.0.2.9", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.cname_loop, 1);
	ck_assert_int_eq(A.nnames, 2);
	ck_assert_str_eq(A.names[1], "a.example.net");
	ck_assert_uint_eq(A.chain_ttl, 50);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_uint_eq(A.addrs[0].name, 1);
}
END_TEST

/* www -> n1 -> ... -> n9: followed to DNS_CHAIN_MAX names. */
START_TEST(test_chain_too_long)
{
	size_t q = answer_start("www.example.com", T_A, 11), prev = q, t[10];
	char label[8];

	for (int i = 1; i <= 9; i++) {
		snprintf(label, sizeof(label), "n%d", i);
		put_name("", prev);
		prev = t[i] = rr_cname(label, q + 4, 10);
	}
	put_name("", t[7]);
	rr_addr("192.0.2.7", 60);
	put_name("", t[9]);
	rr_addr("192.0.2.9", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.nnames, DNS_CHAIN_MAX);
	ck_assert_str_eq(A.names[7], "n7.example.com");
	ck_assert_int_eq(A.chain_cut, 1);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_int_eq(addr_index("192.0.2.7"), 0);
}
END_TEST

/* CNAMEs past DNS_CNAMES_MAX are not followed. */
START_TEST(test_too_many_cnames)
{
	size_t q = answer_start("www.example.com", T_A, DNS_CNAMES_MAX + 1);
	char label[16];

	for (int i = 0; i < DNS_CNAMES_MAX; i++) {
		snprintf(label, sizeof(label), "other%d", i);
		put_name(label, q + 4);
		rr_cname("x", q + 4, 10);
	}
	put_name("", q);
	rr_cname("y", q + 4, 10);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.nnames, 1);
	ck_assert_int_eq(A.chain_cut, 1);
}
END_TEST

START_TEST(test_self_pointer)
{
	size_t p;

	answer_start("www.example.com", T_A, 1);
	p = M.len;
	put16(0xc000 | (unsigned)p);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_LOOP);
	ck_assert_int_eq(A.nnames, 1);
	ck_assert_int_eq(A.naddrs, 0);

	header(RESPONSE, 1, 0, 0);		/* the question's name */
	put16(0xc000 | DNS_HEADER_LEN);
	put16(T_A);
	put16(C_IN);
	ck_assert_int_eq(parse(), DNS_LOOP);
	ck_assert_int_eq(A.nnames, 0);

	answer_start("www.example.com", T_A, 1);	/* after labels, back to its start */
	put_name("x", M.len);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_LOOP);
}
END_TEST

/*
 * A TXT record owned by q whose data is a name X, then the owner of the
 * next record: it points at X, and X points back at it.  The caller
 * writes the rest of that record.
 */
static void
txt_then_owner_loop(size_t q)
{
	size_t x, r;

	put_name("", q);
	rr_head(T_TXT, C_IN, 60, 2);
	x = M.len;
	put16(0);
	r = put_name("", x);
	patch16(x, 0xc000 | (unsigned)r);
}

/*
 * A record's owner points back at X, X points at the owner.  An unused
 * record holds X.  Read for an address (second walk) and for a CNAME
 * (first walk).
 */
static void
mutual_pointers(unsigned type)
{
	size_t q = answer_start("www.example.com", T_A, 2);

	txt_then_owner_loop(q);
	if (type == T_A)
		rr_addr("192.0.2.1", 60);
	else
		rr_cname("a.example.net", NOPTR, 60);
	ck_assert_int_eq(parse(), DNS_LOOP);
	ck_assert_int_eq(A.naddrs, 0);
}

START_TEST(test_mutual_pointers)
{
	mutual_pointers(T_A);
	mutual_pointers(T_CNAME);
}
END_TEST

START_TEST(test_forward_pointer)
{
	size_t q = answer_start("www.example.com", T_A, 1), t;

	put16(0xc000 | (unsigned)(M.len + 12));	/* at its own rdata */
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);

	answer_start("www.example.com", T_A, 1);	/* into the header */
	put_name("", 4);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);

	answer_start("www.example.com", T_A, 2);	/* a CNAME target at the next record */
	put_name("", q);
	t = rr_cname("", 0x3fff, 60);
	patch16(t, 0xc000 | (unsigned)(M.len + 2));
	put_name("a.example.net", NOPTR);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);

	answer_start("www.example.com", T_A, 2);	/* at a label running past the end */
	put_name("", q);
	rr_head(T_TXT, C_IN, 60, 1);
	t = M.len;
	put8(63);
	put_name("", t);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);
}
END_TEST

/* n pointers in a row, each at the one before, the first at the question. */
static void
pointer_chain(int n)
{
	size_t q = answer_start("www.example.com", T_A, 2), prev = q;

	put_name("", q);
	rr_head(T_TXT, C_IN, 60, (unsigned)(2 * n));
	for (int i = 0; i < n; i++) {
		size_t at = M.len;

		put_name("", prev);
		prev = at;
	}
	put_name("", prev);
	rr_addr("192.0.2.1", 60);
}

START_TEST(test_too_many_jumps)
{
	pointer_chain(DNS_JUMPS_MAX - 1);	/* DNS_JUMPS_MAX jumps from the owner */
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.naddrs, 1);
	pointer_chain(DNS_JUMPS_MAX);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);
}
END_TEST

static void
question_raw(const uint8_t *name, size_t n)
{
	header(RESPONSE, 1, 0, 0);
	put(name, n);
	put16(T_A);
	put16(C_IN);
}

START_TEST(test_label_types)
{
	static const uint8_t types[] = { 0x40, 0x41, 0x80, 0xbf };
	uint8_t name[80];

	for (size_t i = 0; i < sizeof(types); i++) {
		memset(name, 'a', sizeof(name));
		name[0] = types[i];
		name[sizeof(name) - 1] = 0;
		question_raw(name, sizeof(name));
		ck_assert_int_eq(parse(), DNS_BAD_NAME);
	}
	name[0] = 63;			/* the longest label */
	name[64] = 0;
	question_raw(name, 65);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_uint_eq(strlen(A.names[0]), 63);
}
END_TEST

/* A name of labels of these lengths ("a"s), as a question. */
static void
question_labels(const int *l, int n)
{
	uint8_t name[300];
	size_t o = 0;

	for (int i = 0; i < n; i++) {
		name[o++] = (uint8_t)l[i];
		memset(name + o, 'a', (size_t)l[i]);
		o += (size_t)l[i];
	}
	name[o++] = 0;
	question_raw(name, o);
}

START_TEST(test_name_length)
{
	static const int longest[] = { 63, 63, 63, 61 }, longer[] = { 63, 63, 63, 62 };
	question_labels(longest, 4);		/* 255 wire bytes */
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_uint_eq(strlen(A.names[0]), DNS_NAME_MAX);
	question_labels(longer, 4);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);

	question_labels(longest, 4);		/* too long through a pointer */
	patch16(6, 1);
	put16(0xc000 | DNS_HEADER_LEN);
	rr_head(T_CNAME, C_IN, 60, 4);
	put_name("a", DNS_HEADER_LEN);
	ck_assert_int_eq(parse(), DNS_BAD_NAME);
}
END_TEST

START_TEST(test_rdlength_past_end)
{
	size_t q = answer_start("www.example.com", T_A, 2);

	put_name("", q);
	rr_addr("192.0.2.1", 60);
	put_name("", q);
	rr_head(T_A, C_IN, 60, 300);
	put32(0xc0000202);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.cut, 1);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_int_eq(addr_index("192.0.2.1"), 0);
}
END_TEST

/* Three A records, the message cut at every byte. */
START_TEST(test_cut_everywhere)
{
	size_t q = answer_start("www.example.com", T_A, 3), qend, full;
	static const size_t rrlen = 2 + 10 + 4;

	qend = M.len;
	for (int i = 0; i < 3; i++) {
		put_name("", q);
		rr_addr(i == 0 ? "192.0.2.1" : i == 1 ? "192.0.2.2" : "192.0.2.3", 60);
	}
	full = M.len;
	for (size_t l = 0; l <= full; l++) {
		enum dns_status s = dns_parse(M.b, l, &A);

		if (l < qend) {
			ck_assert_int_eq(s, DNS_SHORT);
			ck_assert_int_eq(A.naddrs, 0);
			continue;
		}
		ck_assert_int_eq(s, DNS_OK);
		ck_assert_int_eq(A.cut, l < full);
		ck_assert_int_eq(A.naddrs, (int)((l - qend) / rrlen));
	}
	M.len = full;
	patch16(6, 4);			/* one more record than there is */
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.cut, 1);
	ck_assert_int_eq(A.naddrs, 3);
}
END_TEST

/* Records past DNS_RECORDS_MAX are left out, as if the message were cut there. */
START_TEST(test_records_max)
{
	size_t q = answer_start("www.example.com", T_A, DNS_RECORDS_MAX + 1);

	for (int i = 0; i < DNS_RECORDS_MAX - 1; i++) {
		put_name("", q);
		rr_head(T_TXT, C_IN, 60, 0);
	}
	put_name("", q);
	rr_addr("192.0.2.1", 60);
	put_name("", q);
	rr_addr("192.0.2.2", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.cut, 1);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_int_eq(addr_index("192.0.2.1"), 0);
	patch16(6, DNS_RECORDS_MAX);
	M.len -= 2 + 10 + 4;
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.cut, 0);
}
END_TEST

START_TEST(test_bad_rdata)
{
	size_t q = answer_start("www.example.com", T_A, 2), rd;

	put_name("", q);
	rr_addr("192.0.2.1", 60);
	put_name("", q);
	rr_head(T_A, C_IN, 60, 5);
	put32(0xc0000202);
	put8(0);
	ck_assert_int_eq(parse(), DNS_BAD_RECORD);
	ck_assert_int_eq(A.nnames, 1);
	ck_assert_str_eq(A.names[0], "www.example.com");
	ck_assert_int_eq(A.naddrs, 0);

	answer_start("www.example.com", T_AAAA, 1);
	put_name("", q);
	rr_head(T_AAAA, C_IN, 60, 4);
	put32(0xc0000202);
	ck_assert_int_eq(parse(), DNS_BAD_RECORD);

	answer_start("www.example.com", T_A, 1);	/* a byte after the CNAME's name */
	put_name("", q);
	rd = rr_head(T_CNAME, C_IN, 60, 4);
	put_name("a", q + 4);
	put8(0);
	patch16(rd, 5);
	ck_assert_int_eq(parse(), DNS_BAD_RECORD);

	answer_start("www.example.com", T_A, 2);	/* the CNAME's name runs past its rdata */
	put_name("", q);
	rd = rr_head(T_CNAME, C_IN, 60, 4);
	put_name("abc.example", NOPTR);
	patch16(rd, 3);
	ck_assert_int_eq(parse(), DNS_BAD_RECORD);

	answer_start("www.example.com", T_A, 1);	/* other classes are not checked */
	put_name("", q);
	rr_head(T_A, C_CH, 60, 5);
	put32(0xc0000202);
	put8(0);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.naddrs, 0);
}
END_TEST

/*
 * An owner read only by the second walk loops, after the chain was
 * followed and an address found: nothing is kept.
 */
START_TEST(test_error_after_chain)
{
	size_t q = answer_start("www.example.com", T_A, 4), a;

	put_name("", q);
	a = rr_cname("a.example.net", NOPTR, 60);
	put_name("", a);
	rr_addr("192.0.2.1", 60);
	txt_then_owner_loop(q);
	rr_addr("192.0.2.2", 60);
	ck_assert_int_eq(parse(), DNS_LOOP);
	ck_assert_int_eq(A.nnames, 1);
	ck_assert_str_eq(A.names[0], "www.example.com");
	ck_assert_int_eq(A.naddrs, 0);
}
END_TEST

START_TEST(test_truncated)
{
	size_t q = answer_start("www.example.com", T_A, 1);

	patch16(2, RESPONSE | 0x0200);
	put_name("", q);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.truncated, 1);
	ck_assert_int_eq(A.naddrs, 1);
}
END_TEST

START_TEST(test_header)
{
	size_t q = answer_start("www.example.com", T_A, 1);

	put_name("", q);
	rr_addr("192.0.2.1", 60);
	patch16(2, 0x0100);		/* RD only: a query */
	ck_assert_int_eq(parse(), DNS_QUERY);
	ck_assert_int_eq(A.naddrs, 0);
	patch16(2, RESPONSE | 4 << 11);	/* NOTIFY */
	ck_assert_int_eq(parse(), DNS_OPCODE);
	patch16(2, RESPONSE);
	patch16(4, 0);
	ck_assert_int_eq(parse(), DNS_NO_QUESTION);
	patch16(4, 2);
	ck_assert_int_eq(parse(), DNS_QUESTIONS);
	patch16(4, 1);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(dns_parse(M.b, 11, &A), DNS_SHORT);
	ck_assert_int_eq(dns_parse(M.b, 0, &A), DNS_SHORT);
	ck_assert_int_eq(dns_parse(M.b, 20, &A), DNS_SHORT);
}
END_TEST

/* An attacker's records for other names, and glue, bind nothing. */
START_TEST(test_foreign_records)
{
	size_t q = answer_start("www.example.com", T_A, 3);

	patch16(10, 1);
	put_name("evil.example.net", NOPTR);
	rr_addr("203.0.113.66", 60);
	put_name("", q);
	rr_addr("192.0.2.1", 60);
	put_name("www", q + 4 + 8);		/* www.com */
	rr_addr("203.0.113.67", 60);
	put_name("", q);			/* additional section */
	rr_addr("203.0.113.68", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_int_eq(addr_index("192.0.2.1"), 0);
}
END_TEST

/* A label holding a dot cannot pass for two labels. */
START_TEST(test_no_alias)
{
	static const uint8_t dotted[] = "\x0bwww.example\x03" "com";
	size_t q = answer_start("www.example.com", T_A, 3), t;

	put(dotted, sizeof(dotted));		/* with its zero label */
	rr_addr("203.0.113.66", 60);
	put_name("", q);
	rr_head(T_CNAME, C_IN, 60, sizeof(dotted));
	t = M.len;
	put(dotted, sizeof(dotted));
	put_name("", t);
	rr_addr("203.0.113.67", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.nnames, 1);
	ck_assert_int_eq(A.naddrs, 0);
}
END_TEST

START_TEST(test_not_hostname)
{
	static const uint8_t dotted[] = "\x03" "a.b\x03" "com", space[] = "\x07my host";

	question_raw(dotted, sizeof(dotted));
	ck_assert_int_eq(parse(), DNS_NOT_HOSTNAME);
	ck_assert_int_eq(A.nnames, 0);
	ck_assert_str_eq(A.names[0], "");
	question_raw(space, sizeof(space));
	ck_assert_int_eq(parse(), DNS_NOT_HOSTNAME);
	question_raw((const uint8_t *)"", 1);	/* the root */
	ck_assert_int_eq(parse(), DNS_NOT_HOSTNAME);
	answer_start("_sip._tcp.example.com", T_A, 0);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_str_eq(A.names[0], "_sip._tcp.example.com");
}
END_TEST

START_TEST(test_ttl)
{
	size_t q = answer_start("www.example.com", T_A, 3), a;

	put_name("", q);
	a = rr_cname("a.example.net", NOPTR, 0xffffffff);
	put_name("", a);
	rr_addr("192.0.2.1", 0x80000001);
	put_name("", a);
	rr_addr("192.0.2.2", 0x7fffffff);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_uint_eq(A.chain_ttl, 0);
	ck_assert_uint_eq(A.addrs[0].ttl, 0);
	ck_assert_uint_eq(A.addrs[1].ttl, 0x7fffffff);
}
END_TEST

START_TEST(test_rcode)
{
	size_t q = answer_start("www.example.com", T_A, 2), a;

	patch16(2, RESPONSE | 3);	/* NXDOMAIN */
	put_name("", q);
	a = rr_cname("a.example.net", NOPTR, 60);
	put_name("", a);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_uint_eq(A.rcode, 3);
	ck_assert_int_eq(A.nnames, 2);
	ck_assert_int_eq(A.naddrs, 0);
}
END_TEST

START_TEST(test_duplicates_and_full)
{
	size_t q = answer_start("www.example.com", T_A, 2);
	char ip[32];

	put_name("", q);
	rr_addr("192.0.2.1", 100);
	put_name("", q);
	rr_addr("192.0.2.1", 50);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.naddrs, 1);
	ck_assert_uint_eq(A.addrs[0].ttl, 50);

	q = answer_start("www.example.com", T_A, DNS_ADDRS_MAX + 8);
	for (int i = 0; i < DNS_ADDRS_MAX + 8; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		put_name("", q);
		rr_addr(ip, 60);
	}
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.naddrs, DNS_ADDRS_MAX);
	ck_assert_int_eq(A.addrs_full, 1);
}
END_TEST

/* Records of other types are skipped by RDLENGTH, whatever they hold. */
START_TEST(test_other_types)
{
	size_t q = answer_start("www.example.com", T_A, 3);

	put_name("", q);
	rr_head(46, C_IN, 60, 4);	/* RRSIG-like, with pointer-like bytes */
	put32(0xc0ffc0ff);
	put_name("", q);
	rr_head(T_TXT, C_IN, 60, 0);
	put_name("", q);
	rr_addr("192.0.2.1", 60);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_int_eq(A.naddrs, 1);
}
END_TEST

/* Two answers as a TCP stream, each after its length. */
static size_t
tcp_stream(uint8_t *s, size_t cap, size_t *len1)
{
	size_t q, n = 0;

	for (int i = 0; i < 2; i++) {
		q = answer_start(i ? "b.example.com" : "a.example.com", T_A, 1);
		put_name("", q);
		rr_addr(i ? "192.0.2.2" : "192.0.2.1", 60);
		ck_assert_uint_le(n + 2 + M.len, cap);
		s[n] = (uint8_t)(M.len >> 8);
		s[n + 1] = (uint8_t)M.len;
		memcpy(s + n + 2, M.b, M.len);
		n += 2 + M.len;
		if (i == 0)
			*len1 = n;
	}
	return n;
}

/* Reads the whole messages at the front of buf as a caller would; returns how many. */
static int
tcp_drain(uint8_t *buf, size_t *len, const char **want)
{
	const uint8_t *msg;
	size_t used, off = 0;
	int n, got = 0;

	while ((n = dns_tcp_next(buf + off, *len - off, &msg, &used)) > 0) {
		ck_assert_ptr_eq(msg, buf + off + 2);
		ck_assert_uint_eq(used, (size_t)n + 2);
		ck_assert_int_eq(dns_parse(msg, (size_t)n, &A), DNS_OK);
		ck_assert_str_eq(A.names[0], want[got]);
		got++;
		off += used;
	}
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(msg);
	memmove(buf, buf + off, *len - off);
	*len -= off;
	return got;
}

START_TEST(test_tcp_split_and_joined)
{
	static const char *want[] = { "a.example.com", "b.example.com" };
	uint8_t s[512], buf[512];
	size_t n, len1, blen;

	n = tcp_stream(s, sizeof(s), &len1);
	for (size_t cut = 0; cut <= n; cut++) {
		int got;

		memcpy(buf, s, cut);
		blen = cut;
		got = tcp_drain(buf, &blen, want);
		ck_assert_int_eq(got, cut == n ? 2 : cut >= len1 ? 1 : 0);
		memcpy(buf + blen, s + cut, n - cut);
		blen += n - cut;
		got += tcp_drain(buf, &blen, want + got);
		ck_assert_int_eq(got, 2);
		ck_assert_uint_eq(blen, 0);
	}
}
END_TEST

START_TEST(test_tcp_lengths)
{
	static const uint8_t small[] = { 0, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const uint8_t want[] = { 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	const uint8_t *msg = small;
	size_t used = 1;

	ck_assert_int_eq(dns_tcp_next(small, 0, &msg, &used), 0);
	ck_assert_ptr_null(msg);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(dns_tcp_next(small, 1, &msg, &used), 0);
	ck_assert_int_eq(dns_tcp_next(small, sizeof(small), &msg, &used), -1);
	ck_assert_int_eq(dns_tcp_next(want, sizeof(want), &msg, &used), 0);
}
END_TEST

START_TEST(test_name_ok)
{
	char name[300];

	ck_assert_int_eq(dns_name_ok("example.com"), 1);
	ck_assert_int_eq(dns_name_ok("db"), 1);
	ck_assert_int_eq(dns_name_ok("_dmarc.Example.COM"), 1);
	ck_assert_int_eq(dns_name_ok("xn--bcher-kva.example"), 1);
	ck_assert_int_eq(dns_name_ok(""), 0);
	ck_assert_int_eq(dns_name_ok("."), 0);
	ck_assert_int_eq(dns_name_ok("example.com."), 0);
	ck_assert_int_eq(dns_name_ok(".example.com"), 0);
	ck_assert_int_eq(dns_name_ok("a..b"), 0);
	ck_assert_int_eq(dns_name_ok("a b"), 0);
	ck_assert_int_eq(dns_name_ok("*.example.com"), 0);
	memset(name, 'a', 63);
	strcpy(name + 63, ".com");
	ck_assert_int_eq(dns_name_ok(name), 1);
	memset(name, 'a', 64);
	strcpy(name + 64, ".com");
	ck_assert_int_eq(dns_name_ok(name), 0);
	memset(name, 'a', DNS_NAME_MAX);	/* labels of 63 and dots, 253 in all */
	for (int i = 63; i < DNS_NAME_MAX; i += 64)
		name[i] = '.';
	name[DNS_NAME_MAX] = '\0';
	ck_assert_int_eq(dns_name_ok(name), 1);
	name[DNS_NAME_MAX] = 'a';
	name[DNS_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(dns_name_ok(name), 0);
}
END_TEST

START_TEST(test_name_match)
{
	ck_assert_int_eq(dns_name_match("www.example.com", "www.example.com"), 1);
	ck_assert_int_eq(dns_name_match("WWW.Example.com", "www.example.COM"), 1);
	ck_assert_int_eq(dns_name_match("example.com", "www.example.com"), 0);
	ck_assert_int_eq(dns_name_match("www.example.com", "example.com"), 0);
	ck_assert_int_eq(dns_name_match("example.com", "example.com"), 1);
	ck_assert_int_eq(dns_name_match("*.example.com", "www.example.com"), 1);
	ck_assert_int_eq(dns_name_match("*.example.com", "a.b.example.com"), 1);
	ck_assert_int_eq(dns_name_match("*.Example.com", "X.EXAMPLE.COM"), 1);
	ck_assert_int_eq(dns_name_match("*.example.com", "example.com"), 0);
	ck_assert_int_eq(dns_name_match("*.example.com", "badexample.com"), 0);
	ck_assert_int_eq(dns_name_match("*.example.com", "www.badexample.com"), 0);
	ck_assert_int_eq(dns_name_match("*.example.com", "a.example.com.evil.org"), 0);
	ck_assert_int_eq(dns_name_match("*.com", "example.com"), 1);
	ck_assert_int_eq(dns_name_match("*example.com", "badexample.com"), 0);
	ck_assert_int_eq(dns_name_match("*example.com", "www.example.com"), 0);
	ck_assert_int_eq(dns_name_match("*", "a"), 0);
	ck_assert_int_eq(dns_name_match("*.", "a.b"), 0);
	ck_assert_int_eq(dns_name_match("**.com", "a.com"), 0);
	ck_assert_int_eq(dns_name_match("www.*.com", "www.a.com"), 0);
	ck_assert_int_eq(dns_name_match("example.com", "example.com."), 0);
	ck_assert_int_eq(dns_name_match("*.example.com", ".example.com"), 0);
	ck_assert_int_eq(dns_name_match("", ""), 0);
}
END_TEST

START_TEST(test_status_names)
{
	for (int i = 0; i < DNS_STATUS_COUNT; i++) {
		ck_assert_ptr_nonnull(dns_status_name((enum dns_status)i));
		ck_assert_str_ne(dns_status_name((enum dns_status)i), "?");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(dns_status_name((enum dns_status)i),
			    dns_status_name((enum dns_status)j));
	}
	ck_assert_str_eq(dns_status_name(DNS_STATUS_COUNT), "?");
	ck_assert_str_eq(dns_status_name(DNS_LOOP), "loop");
}
END_TEST

/* --- questions ------------------------------------------------------------ */

static struct dns_question Q;

/* A query as a client sends it: the question, then an EDNS OPT record
 * (RFC 6891) in the additional section; returns where the question ends. */
static size_t
query_start(const char *qname, unsigned qtype, unsigned qclass)
{
	size_t end;

	header(0x0100, 1, 0, 1);
	put_name(qname, NOPTR);
	put16(qtype);
	put16(qclass);
	end = M.len;
	put8(0);			/* the root */
	rr_head(41, 1232, 0, 0);
	return end;
}

START_TEST(test_question_of_query)
{
	size_t end = query_start("WWW.Example.COM", T_AAAA, C_CH);

	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_OK);
	ck_assert_uint_eq(Q.id, 0xbeef);
	ck_assert_int_eq(Q.answer, 0);
	ck_assert_uint_eq(Q.qtype, T_AAAA);
	ck_assert_uint_eq(Q.qclass, C_CH);
	ck_assert_str_eq(Q.name, "www.example.com");
	/* Nothing after the question is read. */
	ck_assert_int_eq(dns_question(M.b, end, &Q), DNS_OK);
	ck_assert_str_eq(Q.name, "www.example.com");
	/* The same as an answer: dns_parse() reads the class too. */
	patch16(2, RESPONSE);
	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_OK);
	ck_assert_int_eq(Q.answer, 1);
	ck_assert_int_eq(parse(), DNS_OK);
	ck_assert_uint_eq(A.qtype, T_AAAA);
	ck_assert_uint_eq(A.qclass, C_CH);
	ck_assert_str_eq(A.names[0], Q.name);
}
END_TEST

START_TEST(test_question_refused)
{
	size_t end = query_start("www.example.com", T_A, C_IN);

	ck_assert_int_eq(dns_question(M.b, 11, &Q), DNS_SHORT);
	ck_assert_int_eq(dns_question(M.b, end - 1, &Q), DNS_SHORT);
	ck_assert_str_eq(Q.name, "");
	ck_assert_int_eq(dns_question(M.b, 20, &Q), DNS_SHORT);
	patch16(2, 0x0100 | 4 << 11);	/* NOTIFY */
	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_OPCODE);
	patch16(2, 0x0100);
	patch16(4, 0);
	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_NO_QUESTION);
	patch16(4, 2);
	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_QUESTIONS);
	patch16(4, 1);
	patch16(DNS_HEADER_LEN, 0xc000 | DNS_HEADER_LEN);	/* a pointer to itself */
	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_LOOP);
	query_start("my host", T_A, C_IN);
	ck_assert_int_eq(dns_question(M.b, M.len, &Q), DNS_NOT_HOSTNAME);
	ck_assert_str_eq(Q.name, "");
	ck_assert_uint_eq(Q.id, 0xbeef);
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc;

	tc = tcase_create("answers");
	tcase_add_test(tc, test_single_a);
	tcase_add_test(tc, test_several_a_aaaa);
	tcase_add_test(tc, test_compression);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_ttl);
	tcase_add_test(tc, test_rcode);
	tcase_add_test(tc, test_duplicates_and_full);
	tcase_add_test(tc, test_other_types);
	suite_add_tcase(s, tc);

	tc = tcase_create("chain");
	tcase_add_test(tc, test_cname_chain);
	tcase_add_test(tc, test_cname_out_of_order);
	tcase_add_test(tc, test_cname_loop);
	tcase_add_test(tc, test_chain_too_long);
	tcase_add_test(tc, test_too_many_cnames);
	tcase_add_test(tc, test_foreign_records);
	tcase_add_test(tc, test_no_alias);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_self_pointer);
	tcase_add_test(tc, test_mutual_pointers);
	tcase_add_test(tc, test_forward_pointer);
	tcase_add_test(tc, test_too_many_jumps);
	tcase_add_test(tc, test_label_types);
	tcase_add_test(tc, test_name_length);
	tcase_add_test(tc, test_not_hostname);
	tcase_add_test(tc, test_rdlength_past_end);
	tcase_add_test(tc, test_cut_everywhere);
	tcase_add_test(tc, test_records_max);
	tcase_add_test(tc, test_bad_rdata);
	tcase_add_test(tc, test_error_after_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("questions");
	tcase_add_test(tc, test_question_of_query);
	tcase_add_test(tc, test_question_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_test(tc, test_tcp_split_and_joined);
	tcase_add_test(tc, test_tcp_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_name_ok);
	tcase_add_test(tc, test_name_match);
	tcase_add_test(tc, test_status_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
