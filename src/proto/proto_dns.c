/*
 * proto_dns.c: DNS, known by the client's first query (RFC 1035 section
 * 4.1), in its first UDP datagram or, over TCP, after the two-byte length
 * (section 4.2.2).
 *
 * The header must be a query's (QR 0, opcode QUERY, IQUERY, STATUS,
 * NOTIFY or UPDATE, Z and RCODE 0, a few questions and records), the first
 * question a plain name (labels of at most 63 bytes, 255 in all, no
 * compression pointer: nothing comes before it to point to) with its type
 * and class.  The rest of a whole message is walked too and must end where
 * the message does; a TCP message longer than the bytes a probe sees is
 * judged by its first question once those bytes are there.  APP_YES gives
 * the name as host and the question type as method.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "proto/app.h"

#define DNS_HEADER	12
#define DNS_NAME_MAX	255	/* wire form (section 2.3.4) */
#define DNS_LABEL_MAX	63
#define DNS_QD_MAX	16	/* mDNS asks several questions at once */
#define DNS_RR_MAX	64	/* known answers (RFC 6762 section 7.1), updates */

/* The first question. */
struct dns_question {
	char name[DNS_NAME_MAX + 1];	/* dotted, "." for the root */
	uint16_t type;
};

/* The header as far as the n bytes go. */
static int
header_ok(const uint8_t *m, size_t n)
{
	int opcode;

	if (n > 2) {
		opcode = (m[2] >> 3) & 0xf;
		if ((m[2] & 0x80) || opcode == 3 || opcode > 5)
			return 0;
	}
	if (n > 3 && (m[3] & 0x4f))
		return 0;	/* Z and RCODE */
	if (n >= DNS_HEADER && (be16(m + 4) == 0 || be16(m + 4) > DNS_QD_MAX ||
	    be16(m + 6) > DNS_RR_MAX || be16(m + 8) > DNS_RR_MAX ||
	    be16(m + 10) > DNS_RR_MAX))
		return 0;
	return 1;
}

/*
 * The first question at offset 12 (section 4.1.2): APP_MAYBE when the n
 * bytes end inside it, else *off is where it ends.
 */
static enum app_result
question(const uint8_t *m, size_t n, size_t *off, struct dns_question *q)
{
	size_t o = DNS_HEADER, out = 0, qclass;

	for (;;) {
		size_t l;

		if (o >= n)
			return APP_MAYBE;
		if ((l = m[o]) == 0)
			break;
		if (l > DNS_LABEL_MAX || o - DNS_HEADER + 1 + l + 1 > DNS_NAME_MAX)
			return APP_NO;	/* a pointer, an unknown label type, too long */
		for (size_t i = 1; i <= l; i++) {
			if (o + i >= n)
				return APP_MAYBE;
			if (m[o + i] < 0x20 || m[o + i] == 0x7f)
				return APP_NO;
		}
		if (out > 0)
			q->name[out++] = '.';
		for (size_t i = 1; i <= l; i++)
			q->name[out++] = (char)m[o + i];
		o += 1 + l;
	}
	if (out == 0)
		q->name[out++] = '.';
	q->name[out] = '\0';
	if (n - o < 5)
		return APP_MAYBE;
	q->type = be16(m + o + 1);
	qclass = be16(m + o + 3) & 0x7fff;	/* mDNS: the unicast-response bit */
	if (q->type == 0 || (qclass != 1 && qclass != 3 && qclass != 4 &&
	    qclass != 254 && qclass != 255))
		return APP_NO;
	*off = o + 5;
	return APP_YES;
}

/* Skips a name that may end in a pointer to an earlier one (section 4.1.4). */
static int
skip_name(const uint8_t *m, size_t n, size_t *off)
{
	size_t start = *off;

	while (*off < n) {
		uint8_t l = m[*off];

		if ((l & 0xc0) == 0xc0) {
			if (n - *off < 2 || (size_t)(be16(m + *off) & 0x3fff) >= start)
				return -1;
			*off += 2;
			return 0;
		}
		if (l > DNS_LABEL_MAX || *off - start + 1 + l > DNS_NAME_MAX)
			return -1;
		*off += 1 + l;
		if (l == 0)
			return 0;
	}
	return -1;
}

/* The other questions and the records after the first question fill the message. */
static int
rest_ok(const uint8_t *m, size_t n, size_t off)
{
	size_t qd = be16(m + 4) - 1;
	size_t rr = (size_t)be16(m + 6) + be16(m + 8) + be16(m + 10);

	for (size_t i = 0; i < qd + rr; i++) {
		size_t fixed = i < qd ? 4 : 10;	/* type, class (, TTL, RDLENGTH) */

		if (skip_name(m, n, &off) == -1 || n - off < fixed)
			return 0;
		off += fixed;
		if (i >= qd) {
			size_t rdlen = be16(m + off - 2);

			if (n - off < rdlen)
				return 0;
			off += rdlen;
		}
	}
	return off == n;
}

/*
 * A query of which n bytes are here; whole when they are all of it.
 * APP_MAYBE while they end before the first question does.
 */
static enum app_result
query(const uint8_t *m, size_t n, int whole, struct dns_question *q)
{
	size_t off;
	enum app_result r;

	if (!header_ok(m, n))
		return APP_NO;
	if (n < DNS_HEADER)
		return whole ? APP_NO : APP_MAYBE;
	r = question(m, n, &off, q);
	if (r == APP_MAYBE && whole)
		return APP_NO;
	if (r != APP_YES)
		return r;
	return !whole || rest_ok(m, n, off) ? APP_YES : APP_NO;
}

static void
type_word(uint16_t type, char *out, size_t cap)
{
	static const struct {
		uint16_t type;
		const char *word;
	} words[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" },
		{ 35, "NAPTR" }, { 43, "DS" }, { 48, "DNSKEY" }, { 64, "SVCB" },
		{ 65, "HTTPS" }, { 251, "IXFR" }, { 252, "AXFR" }, { 255, "ANY" },
		{ 257, "CAA" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].type == type) {
			snprintf(out, cap, "%s", words[i].word);
			return;
		}
	snprintf(out, cap, "TYPE%u", type);	/* RFC 3597 section 5 */
}

static enum app_result
dns_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *p = in->data[0];
	size_t len = in->len[0], mlen;
	int ended = in->closed[0] || len >= APP_PROBE_MAX;
	struct dns_question q;
	enum app_result r;

	if (len == 0)
		return in->len[1] > 0 ? APP_NO : APP_MAYBE;	/* client asks first */
	if (in->proto == IPPROTO_UDP) {
		if ((r = query(p, len, 1, &q)) != APP_YES)
			return APP_NO;
	} else {
		if (len < 2)
			return ended ? APP_NO : APP_MAYBE;
		mlen = be16(p);
		if (mlen < DNS_HEADER + 5)
			return APP_NO;
		r = query(p + 2, len - 2 < mlen ? len - 2 : mlen, len - 2 >= mlen, &q);
		if (r == APP_NO || (r == APP_MAYBE && ended))
			return APP_NO;
		if (r == APP_MAYBE || (len - 2 < mlen && !ended))
			return APP_MAYBE;
	}
	app_copy_text(info->host, sizeof(info->host), (const uint8_t *)q.name,
	    strlen(q.name));
	type_word(q.type, info->method, sizeof(info->method));
	return APP_YES;
}

const struct app_ops proto_dns = {
	.id = APP_DNS,
	.name = "DNS",
	.word = "dns",
	.hint_ports = { 53, 5353 },
	.probe = dns_probe,
};
