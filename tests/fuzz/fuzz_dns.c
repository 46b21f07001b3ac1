/*
 * fuzz_dns: dns_parse() and dns_question() on any bytes, as one UDP
 * message and as a TCP stream read with dns_tcp_next(); every message
 * lies in a buffer of its exact size, so a read past it is caught.  What
 * comes out must keep dns.h's promises: names NUL-terminated, lower case,
 * valid, addresses only on DNS_OK and owned by a name of the chain, an
 * answer's question the one dns_question() reads.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
name_check(const char *name)
{
	char wild[DNS_NAME_MAX + 3] = "*.";

	if (memchr(name, '\0', DNS_NAME_MAX + 1) == NULL || !dns_name_ok(name))
		abort();
	for (const char *p = name; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			abort();
	if (!dns_name_match(name, name))
		abort();
	strcpy(wild + 2, name);
	if (dns_name_match(wild, name))
		abort();		/* a wildcard never matches its apex */
}

static void
answer_check(enum dns_status s, const struct dns_answer *a)
{
	if ((unsigned)s >= DNS_STATUS_COUNT || dns_status_name(s)[0] == '?')
		abort();
	if (a->nnames < 0 || a->nnames > DNS_CHAIN_MAX ||
	    a->naddrs < 0 || a->naddrs > DNS_ADDRS_MAX)
		abort();
	if (s != DNS_OK && (a->naddrs != 0 || a->nnames > 1))
		abort();
	if (s == DNS_OK && a->nnames < 1)
		abort();
	for (int i = 0; i < a->nnames; i++) {
		name_check(a->names[i]);
		for (int j = 0; j < i; j++)
			if (strcmp(a->names[i], a->names[j]) == 0)
				abort();	/* the chain never repeats a name */
	}
	if (a->nnames < 2 && a->chain_ttl != UINT32_MAX)
		abort();
	for (int i = 0; i < a->naddrs; i++) {
		const struct dns_addr *d = &a->addrs[i];

		if ((d->family != AF_INET && d->family != AF_INET6) ||
		    d->name >= a->nnames || d->ttl > INT32_MAX)
			abort();
	}
	if (a->naddrs > 0 && a->rcode != 0)
		abort();
}

/* dns_question() on the message dns_parse() said s of (a). */
static void
question_check(const uint8_t *m, size_t n, enum dns_status s, const struct dns_answer *a)
{
	struct dns_question q;
	enum dns_status qs = dns_question(m, n, &q);

	if ((unsigned)qs >= DNS_STATUS_COUNT || qs == DNS_QUERY ||
	    memchr(q.name, '\0', sizeof(q.name)) == NULL)
		abort();
	if (qs == DNS_OK)
		name_check(q.name);
	else if (q.name[0] != '\0')
		abort();
	/* An answer has the question dns_question() reads in it. */
	if (s == DNS_OK && (qs != DNS_OK || !q.answer || q.id != a->id ||
	    q.qtype != a->qtype || q.qclass != a->qclass || strcmp(q.name, a->names[0]) != 0))
		abort();
}

/* Parses a copy of the n bytes at p in a buffer of exactly n bytes. */
static void
parse_copy(const uint8_t *p, size_t n)
{
	struct dns_answer a;
	enum dns_status s;
	uint8_t *m = malloc(n ? n : 1);

	if (m == NULL)
		return;
	memcpy(m, p, n);
	s = dns_parse(m, n, &a);
	answer_check(s, &a);
	question_check(m, n, s, &a);
	free(m);
}

static void
stream(const uint8_t *buf, size_t len)
{
	const uint8_t *msg;
	size_t used;
	int n;

	while ((n = dns_tcp_next(buf, len, &msg, &used)) > 0) {
		if (msg != buf + 2 || used != (size_t)n + 2 || used > len ||
		    n < DNS_HEADER_LEN)
			abort();
		parse_copy(msg, (size_t)n);
		buf += used;
		len -= used;
	}
	if (msg != NULL || used != 0 || (n < 0 && (len < 2 || (buf[0] << 8 | buf[1]) >= DNS_HEADER_LEN)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	parse_copy(buf, size);
	stream(buf, size);
	free(buf);
	return 0;
}
