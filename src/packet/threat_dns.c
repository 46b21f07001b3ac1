/*
 * threat_dns.c: the DNS detectors (threat.h): DNS.Loop.Pointer,
 * DNS.Zone.Transfer, DNS.Type.Null, DNS.Tunneling and DNS.Stack.Overflow,
 * on every message dnsbind reads (UDP datagrams, TCP messages).
 *
 * DNS.Tunneling: a query whose name has, below its domain, a label of at
 * least `label` bytes with at least entropy/100 bits per byte looks
 * encoded (dns_name_shape()); per client and zone (what follows the long
 * labels; a table of THREAT_DNS_DOMAINS, in fixed intervals) such names
 * are counted once each, with their bytes before the zone, and at
 * `queries` and `bytes` both the detector fires for each one after (one
 * event per flow; the judge's aggregation makes the rows).  A tunnel
 * sends new data in every name; a client that looks up one long name (a
 * load balancer's, a VPC endpoint's) again and again sends one.  Real
 * names are measured in tests/unit/check_threat.c.
 *
 * DNS.Stack.Overflow: an answer with bytes after the records its header
 * counts, or over UDP one longer than the query allowed (512 bytes, or
 * its EDNS0 payload size, RFC 6891 section 6.2.5): what overflowed glibc's
 * getaddrinfo (CVE-2015-7547).  The query's size is kept in the flow.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet/threat_detect.h"
#include "threat/scan_dns.h"

#define DOMAIN_PROBE	8
#define UDP_PLAIN	512	/* a UDP answer's bound without EDNS0 */

#define DOMAIN_NAMES	32	/* names remembered per zone, to count each once */

struct threat_domain {
	uint64_t key;
	uint32_t ival;			/* the interval it counts */
	uint32_t queries;		/* distinct names */
	uint64_t bytes;
	uint32_t names[DOMAIN_NAMES];	/* hashes of the last names, a ring */
	uint8_t next;
};

int
threat_domains_init(struct threat_env *e)
{
	e->domains = calloc(THREAT_DNS_DOMAINS, sizeof(*e->domains));
	return e->domains ? 0 : -1;
}

/* A name's wire form as text, "example.com", bytes not printable as '?'. */
static void
name_text(const uint8_t *w, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && w[i] != 0 && o + 1 < cap; i += (size_t)w[i] + 1) {
		if (o > 0)
			out[o++] = '.';
		for (size_t k = 1; k <= w[i] && i + k < len && o + 1 < cap; k++) {
			uint8_t c = w[i + k];

			out[o++] = (char)(c > 0x20 && c < 0x7f ? c : '?');
		}
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, cap, ".");
}

/* The (client, zone) counts of this interval, or NULL. */
static struct threat_domain *
domain_meter(struct threat_env *e, const struct flow *f, const uint8_t *dom, size_t n,
    uint32_t ival)
{
	uint8_t k[16 + 256];
	struct threat_domain *victim = NULL;
	uint64_t key;

	memcpy(k, f->key.addr[f->client], 16);
	for (size_t i = 0; i < n && i < 256; i++)
		k[16 + i] = (uint8_t)(dom[i] >= 'A' && dom[i] <= 'Z' ? dom[i] + 32 : dom[i]);
	key = meter_key(THREAT_DNS_TUNNEL, k, 16 + (n < 256 ? n : 256));
	for (uint32_t i = 0; i < DOMAIN_PROBE; i++) {
		struct threat_domain *d = &e->domains[(key + i) % THREAT_DNS_DOMAINS];

		if (d->key == key) {
			if (d->ival != ival) {
				d->ival = ival;
				d->queries = 0;
				d->bytes = 0;
				memset(d->names, 0, sizeof(d->names));
			}
			return d;
		}
		if (victim == NULL && (d->key == 0 || d->ival != ival))
			victim = d;
	}
	if (victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	victim->ival = ival;
	return victim;
}

static void
tunnel(struct threat_env *e, struct flow *f, const struct packet *p, const struct dns_scan *s)
{
	const struct threat_conf *c = threat_conf(e, THREAT_DNS_TUNNEL);
	struct dns_name_shape sh;
	struct threat_domain *d;
	char raw[256], name[48], dom[48];
	uint32_t h;
	int seen = 0;

	dns_name_shape(s->qname, s->qname_len, (size_t)c->param[0], &sh);
	if (sh.longest < (size_t)c->param[0] || sh.entropy < (unsigned)c->param[1])
		return;
	d = domain_meter(e, f, sh.zone, sh.zone_len,
	    (uint32_t)(e->now / ((uint64_t)c->param[4] * 1000)));
	if (d == NULL) {
		e->st.domains_full++;
		return;
	}
	h = (uint32_t)meter_key(0, s->qname, s->qname_len) | 1;
	for (int i = 0; i < DOMAIN_NAMES; i++)
		seen |= d->names[i] == h;
	if (!seen) {
		d->names[d->next++ % DOMAIN_NAMES] = h;
		d->queries++;
		d->bytes += sh.sub_len;
	}
	if (d->queries < c->param[2] || d->bytes < (uint64_t)c->param[3])
		return;
	name_text(s->qname, s->qname_len, raw, sizeof(raw));
	name_text(sh.zone, sh.zone_len, dom, sizeof(dom));
	threat_excerpt(name, sizeof(name), (const uint8_t *)raw, strlen(raw));
	threat_fire(e, f, p, THREAT_DNS_TUNNEL, f->thr_deny, "%u distinct encoded-looking names "
	    "(%llu bytes) under %s within %llds; this one %s (a label of %zu bytes, %u.%02u "
	    "bits a byte)", d->queries, (unsigned long long)d->bytes, dom, (long long)c->param[4],
	    name, sh.longest, sh.entropy / 100, sh.entropy % 100);
}

static void
query(struct threat_env *e, struct flow *f, const struct packet *p, const struct dns_scan *s)
{
	uint32_t on = f->thr_on;
	char name[80];

	if (p != NULL)		/* UDP: what the answer may be */
		f->thr_hash = s->edns > UDP_PLAIN ? s->edns : UDP_PLAIN;
	if (s->qname_len == 0)
		return;
	name_text(s->qname, s->qname_len, name, sizeof(name));
	if ((on & THREAT_BIT(THREAT_DNS_ZONE_XFER)) &&
	    (s->qtype == DNS_TYPE_AXFR || s->qtype == DNS_TYPE_IXFR))
		threat_fire(e, f, p, THREAT_DNS_ZONE_XFER, f->thr_deny, "a zone transfer (%s) of %s",
		    s->qtype == DNS_TYPE_AXFR ? "AXFR" : "IXFR", name);
	if ((on & THREAT_BIT(THREAT_DNS_NULL)) && s->qtype == DNS_TYPE_NULL)
		threat_fire(e, f, p, THREAT_DNS_NULL, f->thr_deny, "a query of type NULL for %s",
		    name);
	if (on & THREAT_BIT(THREAT_DNS_TUNNEL))
		tunnel(e, f, p, s);
}

static void
answer(struct threat_env *e, struct flow *f, const struct packet *p, const struct dns_scan *s,
    size_t len)
{
	if (!(f->thr_on & THREAT_BIT(THREAT_DNS_OVERFLOW)))
		return;
	if (!s->bad && !s->cut && s->tail > 0)
		threat_fire(e, f, p, THREAT_DNS_OVERFLOW, f->thr_deny, "an answer of %zu bytes with "
		    "%zu after its records", len, s->tail);
	else if (p != NULL && f->thr_hash != 0 && len > f->thr_hash)
		threat_fire(e, f, p, THREAT_DNS_OVERFLOW, f->thr_deny, "an answer of %zu bytes over "
		    "UDP to a query that allowed %u", len, f->thr_hash);
}

void
threat_dns(void *ctx, struct flow *f, int dir, const uint8_t *msg, size_t len)
{
	struct threat_env *e = ctx;
	const struct packet *p = f->key.proto == IPPROTO_UDP ? e->pkt : NULL;
	struct dns_scan s;

	if (f->thr_on == 0 || dns_scan(msg, len, &s) < 0)
		return;
	if ((f->thr_on & THREAT_BIT(THREAT_DNS_LOOP)) && s.loop)
		threat_fire(e, f, p, THREAT_DNS_LOOP, f->thr_deny, "a compression pointer at byte "
		    "%zu that does not point back, in %s", s.loop_at, s.answer ? "an answer" : "a query");
	if (dir == DIR_TO_SERVER && !s.answer)
		query(e, f, p, &s);
	else if (dir == DIR_TO_CLIENT && s.answer)
		answer(e, f, p, &s, len);
}
