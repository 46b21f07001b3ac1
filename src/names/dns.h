/*
 * dns.h: DNS answers as nvd sees them pass (issue 4), read so that the
 * addresses a container is told a name has can be bound to that name.
 *
 * nvd never sends a query.  dns_question() reads the header and the
 * question of any message (a query nvd saw a client send is kept so that
 * its answer can be told from a forged one, dnsbind.h).  dns_parse()
 * reads one answer (RFC 1035 section 4.1): its single question, then the
 * answer section; the
 * authority and additional sections are never read, since anyone answering
 * may put any glue there.  From the question's name it follows the CNAME
 * records of the answer section, in whatever order they come, and keeps
 * the A and AAAA records owned by a name of that chain.
 *
 * The parser is bounded: it never reads past len and allocates nothing.
 * Its work is bounded by DNS_RECORDS_MAX records, each read once or twice,
 * and a few names read whole for each (at most 255 bytes and DNS_JUMPS_MAX
 * compression pointers a name): about 0.2 ms for the worst answer on one
 * core.  It is fuzzed.  Any thread may call it; it keeps no state.
 */
#ifndef NVD_DNS_H
#define NVD_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN	12
#define DNS_MSG_MAX	65535	/* a TCP message's length field; a UDP payload */
#define DNS_NAME_MAX	253	/* text form, no trailing dot (255 wire bytes) */
#define DNS_CHAIN_MAX	8	/* names: the question's and its CNAME targets */
#define DNS_ADDRS_MAX	32	/* A/AAAA records kept per answer */
#define DNS_CNAMES_MAX	32	/* CNAME records of one answer that are followed */
#define DNS_JUMPS_MAX	32	/* compression pointers followed in one name */
#define DNS_RECORDS_MAX	256	/* answer records read; those after are left out (cut) */

struct dns_addr {
	uint8_t family;		/* AF_INET (addr[0..3]) or AF_INET6 */
	uint8_t name;		/* index in names[] of the record's owner */
	uint8_t addr[16];	/* network byte order */
	uint32_t ttl;		/* seconds; the least of duplicate records */
};

/*
 * Names are in text form: lower case, dotted, no trailing dot, each one
 * passing dns_name_ok() (host names: letters, digits, '-' and '_').
 */
struct dns_answer {
	uint16_t id;
	uint16_t qtype;
	uint16_t qclass;
	uint16_t rcode;		/* header RCODE; not 0: nothing is bound */
	uint8_t truncated;	/* TC: the server cut its answer (a fuller one may come over TCP) */
	uint8_t cut;		/* the answer section was not read to its end (the bytes ended inside
				   it, or past DNS_RECORDS_MAX records): the whole records before are used */
	uint8_t cname_loop;	/* a CNAME led back into the chain: the chain ends there */
	uint8_t chain_cut;	/* the chain was not followed to its end: longer than
				   DNS_CHAIN_MAX names, or past DNS_CNAMES_MAX CNAME records */
	uint8_t addrs_full;	/* more than DNS_ADDRS_MAX addresses: the rest are left out */
	char names[DNS_CHAIN_MAX][DNS_NAME_MAX + 1];	/* [0] the question's, then each CNAME target in chain order */
	int nnames;
	uint32_t chain_ttl;	/* least TTL of the CNAMEs followed; UINT32_MAX if none */
	struct dns_addr addrs[DNS_ADDRS_MAX];	/* A and AAAA records owned by a name of the chain */
	int naddrs;
};

enum dns_status {
	DNS_OK = 0,		/* an answer: out is filled (cut may be set) */
	DNS_QUERY,		/* QR 0: a query, not an answer */
	DNS_OPCODE,		/* an answer to other than a standard query (OPCODE not 0) */
	DNS_SHORT,		/* the bytes end inside the header or the question */
	DNS_NO_QUESTION,	/* QDCOUNT 0: nothing says which name was asked */
	DNS_QUESTIONS,		/* QDCOUNT above 1: no server answers several, which is meant is unclear */
	DNS_BAD_NAME,		/* a name malformed on the wire: label type 0x40 or 0x80, longer than
				   255 bytes, a pointer forward or into the header, too many pointers,
				   a pointer to a name that runs past the message */
	DNS_LOOP,		/* a compression pointer into the name being read */
	DNS_NOT_HOSTNAME,	/* the question's name is well formed but no policy can name it
				   (the root, or bytes other than letters, digits, '-' and '_') */
	DNS_BAD_RECORD,		/* A rdata not 4 bytes, AAAA not 16, CNAME rdata not one name */
	DNS_STATUS_COUNT
};

/* A message's header fields and its question, as dns_question() reads them. */
struct dns_question {
	uint16_t id;
	uint16_t qtype;
	uint16_t qclass;
	uint8_t answer;		/* QR 1: an answer; 0: a query */
	char name[DNS_NAME_MAX + 1];	/* text form, lower case (dns_name_ok()) */
};

/*
 * Reads the header and the question of the DNS message of len bytes at
 * msg, a query or an answer (q->answer tells), into q; nothing after the
 * question is read, so a message cut after it is read whole.  DNS_OK, or
 * what dns_parse() would say of the header and the question (never
 * DNS_QUERY); on a status other than DNS_OK q->name is "".
 */
enum dns_status dns_question(const uint8_t *msg, size_t len, struct dns_question *q);

/*
 * Reads the DNS message of len bytes at msg into out.  On a status other
 * than DNS_OK nothing may be bound: only the header's fields read and the
 * question's name (for logs: nnames 1 when it was read, else 0) are kept;
 * naddrs is 0, chain_ttl UINT32_MAX, the flags below truncated 0.
 * A cut message (cut set) is still DNS_OK: clients use the records before
 * the cut too.  An answer whose RCODE is not 0 gives no addresses, as
 * clients ignore its records; its CNAME chain is still followed.
 */
enum dns_status dns_parse(const uint8_t *msg, size_t len, struct dns_answer *out);

/* "ok", "query", "bad-name" ...; "?" for a value out of range. */
const char *dns_status_name(enum dns_status s);

/*
 * DNS over TCP (RFC 1035 section 4.2.2): the next whole message in the len
 * stream bytes at buf, each message after its 2-byte length.  Returns the
 * message's length, with *msg at its first byte and *consumed the bytes it
 * took with its length field; 0 when more bytes are needed; -1 when the
 * length field cannot be a message's (below DNS_HEADER_LEN): the stream is
 * not DNS.  *msg and *consumed are NULL and 0 unless a message is returned.
 */
int dns_tcp_next(const uint8_t *buf, size_t len, const uint8_t **msg, size_t *consumed);

/*
 * A name in text form: 1 to DNS_NAME_MAX bytes, dot-separated labels of 1
 * to 63 letters (either case), digits, '-' or '_', no trailing dot.
 */
int dns_name_ok(const char *name);

/*
 * Whether a policy's pattern names a name, both in text form, ASCII case
 * ignored.  "www.example.com" matches that name only; "*.example.com"
 * matches its subdomains at any depth ("a.example.com", "a.b.example.com")
 * but not "example.com" itself nor "badexample.com".  0 when either is not
 * a valid name or pattern.
 */
int dns_name_match(const char *pattern, const char *name);

#endif
