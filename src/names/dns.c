/*
 * dns.c: DNS answers (RFC 1035 section 4.1), read for the addresses they
 * bind to names; see dns.h for what is kept and the contract.
 *
 * Two walks over the answer section: the first finds where its whole
 * records end, checks the rdata nvd uses and notes the CNAME records; the
 * chain is then followed in that short table; the second walk keeps the
 * addresses owned by the chain.  Names are read in place (skipped up to
 * their first pointer) unless nvd uses them, so a record costs its own
 * bytes plus, for the names used, at most 255 bytes and DNS_JUMPS_MAX
 * pointers.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "base/bytes.h"
#include "names/dns.h"

#define WIRE_MAX	255	/* a name's wire bytes (section 2.3.4) */
#define LABEL_MAX	63
#define TYPE_A		1
#define TYPE_CNAME	5
#define TYPE_AAAA	28
#define CLASS_IN	1

/* An answer record as it lies in the message. */
struct rr {
	size_t owner;		/* offset of the owner name */
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	size_t rdata;		/* offset of the rdata */
	size_t rdend;		/* offset after it */
};

struct cname {
	size_t owner;
	size_t target;
	uint32_t ttl;
};

/* What the first walk found. */
struct scan {
	size_t start;		/* offset of the answer section */
	unsigned nrec;		/* whole records in it */
	struct cname cn[DNS_CNAMES_MAX];
	int ncn;
};

/* Letters, digits, '-' and '_': one bit per byte value. */
static int
host_char(unsigned char c)
{
	static const uint32_t bits[8] = { 0, 0x03ff2000, 0x87fffffe, 0x07fffffe };

	return (bits[c >> 5] >> (c & 31)) & 1;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Appends a label to text at *out, lower case; a byte no host name has
 * becomes '?' and clears *host, so such a name never equals a chain's.
 */
static void
label_text(const uint8_t *l, size_t n, char *text, size_t *out, int *host)
{
	size_t o = *out;
	int ok = 1;

	if (o > 0)
		text[o++] = '.';
	for (size_t i = 0; i < n; i++) {
		ok &= host_char(l[i]);
		text[o++] = host_char(l[i]) ? (char)lower(l[i]) : '?';
	}
	text[o] = '\0';
	*out = o;
	*host &= ok;
}

/*
 * The pointer at pos, 2 bytes present (section 4.1.4).  It must point
 * strictly before seg, the start of the labels being read, and after the
 * header, so every jump goes back and the walk ends.  A pointer at bytes
 * the name already read (far is the furthest) is a loop; else it points
 * forward.
 */
static enum dns_status
pointer_check(const uint8_t *m, size_t pos, size_t seg, size_t far, size_t *to)
{
	*to = (size_t)(m[pos] & 0x3f) << 8 | m[pos + 1];
	if (*to >= seg)
		return *to <= far ? DNS_LOOP : DNS_BAD_NAME;
	if (*to < DNS_HEADER_LEN)
		return DNS_BAD_NAME;
	return DNS_OK;
}

/*
 * The name at *off (sections 3.1 and 4.1.4); moves *off past the bytes it
 * takes in place (to its zero label or its first pointer).  With text NULL
 * the name is only skipped: its first pointer is checked, not followed.
 * Else pointers are followed and the name is written to text (DNS_NAME_MAX
 * + 1 bytes), *host telling whether it is a host name (dns_name_ok).
 * DNS_SHORT when the bytes end before the in-place part does; after a jump
 * that is DNS_BAD_NAME (a pointer must lead to a whole name).
 */
static enum dns_status
name_read(const uint8_t *m, size_t len, size_t *off, char *text, int *host)
{
	size_t pos = *off, seg = *off, far = *off, wire = 0, out = 0, to;
	int jumps = 0;
	enum dns_status s;

	if (text != NULL) {
		text[0] = '\0';
		*host = 1;
	}
	for (;;) {
		size_t l;

		if (pos >= len || ((m[pos] & 0xc0) == 0xc0 && len - pos < 2))
			return jumps ? DNS_BAD_NAME : DNS_SHORT;
		l = m[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 > far)
				far = pos + 1;
			if ((s = pointer_check(m, pos, seg, far, &to)) != DNS_OK)
				return s;
			if (jumps == 0)
				*off = pos + 2;
			if (text == NULL)
				return DNS_OK;
			if (++jumps > DNS_JUMPS_MAX)
				return DNS_BAD_NAME;
			pos = seg = to;
			continue;
		}
		if (l > LABEL_MAX)
			return DNS_BAD_NAME;	/* 0x40: extended types, retired (RFC 6891 section 5); 0x80 reserved */
		if (l == 0)
			break;
		if (wire + 1 + l + 1 > WIRE_MAX)
			return DNS_BAD_NAME;
		if (len - pos - 1 < l)
			return jumps ? DNS_BAD_NAME : DNS_SHORT;
		if (text != NULL)
			label_text(m + pos + 1, l, text, &out, host);
		wire += 1 + l;
		pos += 1 + l;
		if (pos > far)
			far = pos;
	}
	if (jumps == 0)
		*off = pos + 1;
	if (text != NULL && out == 0)
		*host = 0;	/* the root */
	return DNS_OK;
}

/*
 * The question (section 4.1.2) at *off: its name in text form (name,
 * DNS_NAME_MAX + 1 bytes), type and class.
 */
static enum dns_status
question_read(const uint8_t *m, size_t len, size_t *off, char *name, uint16_t *qtype,
    uint16_t *qclass)
{
	enum dns_status s;
	int host;

	if ((s = name_read(m, len, off, name, &host)) != DNS_OK)
		return s;
	if (len - *off < 4)
		return DNS_SHORT;
	if (!host) {
		name[0] = '\0';
		return DNS_NOT_HOSTNAME;
	}
	*qtype = be16(m + *off);
	*qclass = be16(m + *off + 2);
	*off += 4;
	return DNS_OK;
}

/* An answer's question: names[0], qtype and qclass. */
static enum dns_status
question(const uint8_t *m, size_t len, size_t *off, struct dns_answer *out)
{
	enum dns_status s = question_read(m, len, off, out->names[0], &out->qtype, &out->qclass);

	if (s == DNS_OK)
		out->nnames = 1;
	return s;
}

/*
 * The record at *off (section 4.1.3), its owner skipped in place.
 * DNS_SHORT when the bytes end inside it.
 */
static enum dns_status
rr_read(const uint8_t *m, size_t len, size_t *off, struct rr *rr)
{
	enum dns_status s;
	size_t rdlen;

	rr->owner = *off;
	if ((s = name_read(m, len, off, NULL, NULL)) != DNS_OK)
		return s;
	if (len - *off < 10)
		return DNS_SHORT;
	rr->type = be16(m + *off);
	rr->class = be16(m + *off + 2);
	rr->ttl = be32(m + *off + 4);
	if (rr->ttl & 0x80000000u)
		rr->ttl = 0;	/* RFC 2181 section 8 */
	rdlen = be16(m + *off + 8);
	*off += 10;
	if (len - *off < rdlen)
		return DNS_SHORT;
	rr->rdata = *off;
	rr->rdend = *off + rdlen;
	*off = rr->rdend;
	return DNS_OK;
}

/*
 * The rdata of an IN record nvd uses: sizes of A and AAAA, a CNAME's one
 * name filling it; a CNAME is noted in the table, its owner and target
 * read whole (so the chain can follow them without failing).
 */
static enum dns_status
rr_check(const uint8_t *m, size_t len, const struct rr *rr, struct scan *sc,
    struct dns_answer *out)
{
	char text[DNS_NAME_MAX + 1];
	size_t rdlen = rr->rdend - rr->rdata, o;
	enum dns_status s;
	int host;

	if (rr->class != CLASS_IN)
		return DNS_OK;
	if (rr->type == TYPE_A)
		return rdlen == 4 ? DNS_OK : DNS_BAD_RECORD;
	if (rr->type == TYPE_AAAA)
		return rdlen == 16 ? DNS_OK : DNS_BAD_RECORD;
	if (rr->type != TYPE_CNAME)
		return DNS_OK;
	o = rr->rdata;
	if ((s = name_read(m, rr->rdend, &o, NULL, NULL)) != DNS_OK)
		return s == DNS_SHORT ? DNS_BAD_RECORD : s;
	if (o != rr->rdend)
		return DNS_BAD_RECORD;
	if (sc->ncn == DNS_CNAMES_MAX) {
		out->chain_cut = 1;
		return DNS_OK;
	}
	o = rr->owner;
	if ((s = name_read(m, len, &o, text, &host)) != DNS_OK)
		return s;
	o = rr->rdata;
	if ((s = name_read(m, len, &o, text, &host)) != DNS_OK)
		return s;
	sc->cn[sc->ncn++] = (struct cname){ rr->owner, rr->rdata, rr->ttl };
	return DNS_OK;
}

/*
 * First walk: the ancount records from sc->start.  A record the bytes end
 * inside, and those after it, are left out (out->cut), as are those past
 * DNS_RECORDS_MAX, which bounds the work an answer can cost.
 */
static enum dns_status
scan(const uint8_t *m, size_t len, unsigned ancount, struct scan *sc,
    struct dns_answer *out)
{
	size_t off = sc->start;
	enum dns_status s;
	struct rr rr;

	for (sc->nrec = 0; sc->nrec < ancount; sc->nrec++) {
		if (sc->nrec == DNS_RECORDS_MAX) {
			out->cut = 1;
			return DNS_OK;
		}
		if ((s = rr_read(m, len, &off, &rr)) == DNS_SHORT) {
			out->cut = 1;
			return DNS_OK;
		}
		if (s != DNS_OK || (s = rr_check(m, len, &rr, sc, out)) != DNS_OK)
			return s;
	}
	return DNS_OK;
}

static int
chain_index(const struct dns_answer *out, const char *name)
{
	for (int i = 0; i < out->nnames; i++)
		if (strcmp(out->names[i], name) == 0)
			return i;
	return -1;
}

/* The CNAME noted first whose owner is name, or NULL. */
static const struct cname *
cname_of(const uint8_t *m, size_t len, const struct scan *sc, const char *name)
{
	char text[DNS_NAME_MAX + 1];
	size_t o;
	int host;

	for (int i = 0; i < sc->ncn; i++) {
		o = sc->cn[i].owner;
		if (name_read(m, len, &o, text, &host) == DNS_OK &&
		    strcmp(text, name) == 0)
			return &sc->cn[i];
	}
	return NULL;
}

/*
 * From the question's name, each CNAME owned by the chain's end adds its
 * target.  A target that is no host name ends the chain.
 */
static void
chain_follow(const uint8_t *m, size_t len, const struct scan *sc, struct dns_answer *out)
{
	char text[DNS_NAME_MAX + 1];
	const struct cname *c;
	size_t o;
	int host;

	while ((c = cname_of(m, len, sc, out->names[out->nnames - 1])) != NULL) {
		o = c->target;
		if (name_read(m, len, &o, text, &host) != DNS_OK || !host)
			return;
		if (chain_index(out, text) >= 0) {
			out->cname_loop = 1;
			return;
		}
		if (out->nnames == DNS_CHAIN_MAX) {
			out->chain_cut = 1;
			return;
		}
		memcpy(out->names[out->nnames++], text, sizeof(text));
		if (c->ttl < out->chain_ttl)
			out->chain_ttl = c->ttl;
	}
}

static void
addr_add(struct dns_answer *out, uint8_t family, const uint8_t *a, size_t alen,
    int name, uint32_t ttl)
{
	struct dns_addr *d;

	for (int i = 0; i < out->naddrs; i++) {
		d = &out->addrs[i];
		if (d->family == family && memcmp(d->addr, a, alen) == 0) {
			if (ttl < d->ttl)
				d->ttl = ttl;
			return;
		}
	}
	if (out->naddrs == DNS_ADDRS_MAX) {
		out->addrs_full = 1;
		return;
	}
	d = &out->addrs[out->naddrs++];
	memset(d, 0, sizeof(*d));
	d->family = family;
	d->name = (uint8_t)name;
	memcpy(d->addr, a, alen);
	d->ttl = ttl;
}

/* Second walk: the A and AAAA records of the whole records owned by the chain. */
static enum dns_status
addrs_collect(const uint8_t *m, size_t len, const struct scan *sc, struct dns_answer *out)
{
	char text[DNS_NAME_MAX + 1];
	size_t off = sc->start, o;
	enum dns_status s;
	struct rr rr;
	int host, i;

	for (unsigned n = 0; n < sc->nrec; n++) {
		if ((s = rr_read(m, len, &off, &rr)) != DNS_OK)
			return s;	/* cannot be: the first walk read it */
		if (rr.class != CLASS_IN || (rr.type != TYPE_A && rr.type != TYPE_AAAA))
			continue;
		o = rr.owner;
		if ((s = name_read(m, len, &o, text, &host)) != DNS_OK)
			return s;
		if ((i = chain_index(out, text)) < 0)
			continue;
		if (rr.type == TYPE_A)
			addr_add(out, AF_INET, m + rr.rdata, 4, i, rr.ttl);
		else
			addr_add(out, AF_INET6, m + rr.rdata, 16, i, rr.ttl);
	}
	return DNS_OK;
}

/* Whether a message's question can be read: its OPCODE and QDCOUNT (section 4.1.1). */
static enum dns_status
header_counts(const uint8_t *m)
{
	if ((m[2] >> 3) & 0x0f)
		return DNS_OPCODE;
	if (be16(m + 4) == 0)
		return DNS_NO_QUESTION;
	if (be16(m + 4) > 1)
		return DNS_QUESTIONS;
	return DNS_OK;
}

/* The header (section 4.1.1): which answers are read at all. */
static enum dns_status
header(const uint8_t *m, size_t len, struct dns_answer *out)
{
	if (len < DNS_HEADER_LEN)
		return DNS_SHORT;
	out->id = be16(m);
	out->rcode = m[3] & 0x0f;
	out->truncated = (m[2] & 0x02) != 0;
	if (!(m[2] & 0x80))
		return DNS_QUERY;
	return header_counts(m);
}

static enum dns_status
parse(const uint8_t *m, size_t len, struct dns_answer *out)
{
	struct scan sc;
	enum dns_status s;

	if ((s = header(m, len, out)) != DNS_OK)
		return s;
	sc.start = DNS_HEADER_LEN;
	sc.ncn = 0;
	if ((s = question(m, len, &sc.start, out)) != DNS_OK)
		return s;
	if ((s = scan(m, len, be16(m + 6), &sc, out)) != DNS_OK)
		return s;
	chain_follow(m, len, &sc, out);
	if (out->rcode != 0)
		return DNS_OK;
	return addrs_collect(m, len, &sc, out);
}

enum dns_status
dns_parse(const uint8_t *msg, size_t len, struct dns_answer *out)
{
	enum dns_status s;

	memset(out, 0, sizeof(*out));
	out->chain_ttl = UINT32_MAX;
	if ((s = parse(msg, len, out)) != DNS_OK) {
		out->cut = out->cname_loop = out->chain_cut = out->addrs_full = 0;
		out->chain_ttl = UINT32_MAX;
		out->naddrs = 0;
		if (out->nnames > 1)
			out->nnames = 1;
	}
	return s;
}

enum dns_status
dns_question(const uint8_t *msg, size_t len, struct dns_question *q)
{
	size_t off = DNS_HEADER_LEN;
	enum dns_status s;

	memset(q, 0, sizeof(*q));
	if (len < DNS_HEADER_LEN)
		return DNS_SHORT;
	q->id = be16(msg);
	q->answer = (msg[2] & 0x80) != 0;
	if ((s = header_counts(msg)) == DNS_OK)
		s = question_read(msg, len, &off, q->name, &q->qtype, &q->qclass);
	if (s != DNS_OK)
		q->name[0] = '\0';
	return s;
}

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[DNS_STATUS_COUNT] = {
		[DNS_OK] = "ok",
		[DNS_QUERY] = "query",
		[DNS_OPCODE] = "opcode",
		[DNS_SHORT] = "short",
		[DNS_NO_QUESTION] = "no-question",
		[DNS_QUESTIONS] = "questions",
		[DNS_BAD_NAME] = "bad-name",
		[DNS_LOOP] = "loop",
		[DNS_NOT_HOSTNAME] = "not-hostname",
		[DNS_BAD_RECORD] = "bad-record",
	};

	if ((unsigned)s >= DNS_STATUS_COUNT)
		return "?";
	return names[s];
}

int
dns_tcp_next(const uint8_t *buf, size_t len, const uint8_t **msg, size_t *consumed)
{
	size_t mlen;

	*msg = NULL;
	*consumed = 0;
	if (len < 2)
		return 0;
	mlen = be16(buf);
	if (mlen < DNS_HEADER_LEN)
		return -1;
	if (len - 2 < mlen)
		return 0;
	*msg = buf + 2;
	*consumed = 2 + mlen;
	return (int)mlen;
}

int
dns_name_ok(const char *name)
{
	size_t n = 0, label = 0;

	for (; name[n] != '\0'; n++) {
		if (n == DNS_NAME_MAX)
			return 0;
		if (name[n] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (!host_char((unsigned char)name[n]) || ++label > LABEL_MAX)
			return 0;
	}
	return label > 0;
}

int
dns_name_match(const char *pattern, const char *name)
{
	size_t plen, nlen;

	if (!dns_name_ok(name))
		return 0;
	if (pattern[0] != '*') {
		if (!dns_name_ok(pattern))
			return 0;
		plen = strlen(pattern);
		if (strlen(name) != plen)
			return 0;
	} else {
		pattern++;	/* ".example.com": any name ending so, one label or more before */
		if (pattern[0] != '.' || !dns_name_ok(pattern + 1))
			return 0;
		plen = strlen(pattern);
		nlen = strlen(name);
		if (nlen <= plen)
			return 0;
		name += nlen - plen;
	}
	for (size_t i = 0; i < plen; i++)
		if (lower((unsigned char)pattern[i]) != lower((unsigned char)name[i]))
			return 0;
	return 1;
}
