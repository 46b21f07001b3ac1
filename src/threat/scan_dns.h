/*
 * scan_dns.h: a whole DNS message read for what threatens its reader
 * (DNS.Loop.Pointer, DNS.Zone.Transfer, DNS.Type.Null, DNS.Tunneling,
 * DNS.Stack.Overflow; threat_def.h), not for what it says: every section,
 * every name, also the names inside the rdata of NS, CNAME, PTR, MX, SOA
 * and SRV records (RFC 1035 section 4.1, RFC 2782).
 *
 * Compression pointers must point back (RFC 1035 4.1.4: "a prior
 * occurrence"): one that points at or after itself can make a reader go
 * round for ever, and is a loop pointer.  Other malformations stop the
 * walk (bad).  The first question's name is kept in wire form (labels
 * with their length bytes, no pointer) for the tunnel detector.
 *
 * Bounded: each record is read once, each name at most DNS_SCAN_JUMPS
 * pointers and 255 bytes; no allocation; any thread.  Fuzzed.
 */
#ifndef NVD_SCAN_DNS_H
#define NVD_SCAN_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_SCAN_JUMPS	32
#define DNS_TYPE_NULL	10
#define DNS_TYPE_IXFR	251
#define DNS_TYPE_AXFR	252

struct dns_scan {
	uint16_t id;
	uint8_t answer;			/* QR */
	uint16_t qdcount, ancount, nscount, arcount;
	uint16_t qtype;			/* the first question's, 0 if none was read */
	uint8_t loop;			/* a pointer that does not point back */
	size_t loop_at;			/* ... its offset */
	uint8_t bad;			/* malformed past the header (the walk stopped) */
	uint8_t cut;			/* the bytes end inside the records the header counts */
	size_t end;			/* where the last whole record ends */
	size_t tail;			/* bytes after every record the header counts */
	uint16_t edns;			/* the OPT record's UDP payload size, 0 if none */
	uint8_t qname[255];		/* the first question's name, wire form */
	size_t qname_len;		/* 0: not read */
};

/*
 * Reads the len bytes at msg into out.  Returns 0, or -1 when they are
 * shorter than a header (out->bad set).
 */
int dns_scan(const uint8_t *msg, size_t len, struct dns_scan *out);

/*
 * What a query name looks like to the tunnel detector.  Below its domain
 * (the last two labels; three when the last is two letters and the one
 * before it three at most: "example.co.uk"), a label of min_label bytes
 * or more is long; the zone is what follows the last long label (at
 * least the domain): "t.tunnel.example" of "<data>.<data>.t.tunnel.example".
 */
struct dns_name_shape {
	size_t longest;			/* the longest label below the domain */
	unsigned entropy;		/* the highest of the long labels' entropies, bits x
					 * 100 per byte (Shannon's, over the label's bytes) */
	size_t sub_len;			/* bytes before the zone, dots included */
	const uint8_t *zone;		/* the zone's labels, wire form, in the name */
	size_t zone_len;
};
void dns_name_shape(const uint8_t *wire, size_t len, size_t min_label,
    struct dns_name_shape *out);

#endif
