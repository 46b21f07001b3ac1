/*
 * dnsbind.c: DNS answers bound to names, only those that answer a query
 * nvd saw (dnsbind.h).
 *
 * Pending queries live in one table per worker: found by a hash of their
 * flow and id (chained from bucket heads), and linked in order of
 * arrival, so that the expired ones are the oldest and leave from that
 * end, and at the bound the oldest makes room.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "proto/app.h"
#include "packet/dnsbind.h"
#include "base/types.h"

#define DNS_PORT	53
#define NIL		UINT32_MAX
#define BUCKET_BITS	13
#define BUCKETS		(1u << BUCKET_BITS)

_Static_assert(BUCKETS >= 2 * DNSBIND_PENDING_MAX, "buckets for short chains");

/* A query that waits for its answer. */
struct query {
	struct flow_key key;	/* of the flow it went on */
	uint64_t flow_ms;	/* that flow's first_ms: not an older flow on the same ports */
	uint64_t expires;	/* ms: no answer binds after */
	uint32_t isn;		/* TCP: the client's first sequence number (the connection) */
	uint32_t hnext;		/* next in its bucket, or next free */
	uint32_t older, newer;	/* in order of arrival */
	uint32_t bucket;
	uint8_t client;		/* index in key of its sender */
	uint16_t id, qtype, qclass;
	char name[DNS_NAME_MAX + 1];
};

struct dns_pending {
	uint32_t bucket[BUCKETS];	/* first of each chain, or NIL */
	uint32_t oldest, newest;	/* NIL: none */
	uint32_t free;			/* list through hnext */
	struct query q[DNSBIND_PENDING_MAX];
};

/* One direction of a TCP DNS stream. */
struct dns_half {
	uint32_t len;		/* bytes in its buffer */
	uint32_t skip;		/* bytes of a too big message still to pass; UINT32_MAX: read no more */
};

struct dns_stream {
	struct dns_half half[2];	/* by enum flow_dir */
	uint8_t query[DNSBIND_QUERY_MAX + 2];
	uint8_t answer[DNSBIND_STREAM_MAX + 2];
};

int
dnsbind_wants(const struct flow *f)
{
	if (f->key.proto != IPPROTO_UDP && f->key.proto != IPPROTO_TCP)
		return 0;
	return f->key.port[!f->client] == DNS_PORT ||
	    (f->app_state == APPS_DONE && f->app == APP_DNS);
}

/* --- pending queries ------------------------------------------------------ */

/* The table, made at the first query; NULL when there is no memory. */
static struct dns_pending *
pending_of(struct dnsbind *b)
{
	struct dns_pending *p = b->pending;

	if (p != NULL)
		return p;
	if ((p = malloc(sizeof(*p))) == NULL)
		return NULL;
	if (quota_init(&b->quota, DNSBIND_PENDING_MAX, DNSBIND_CLIENT_SHARE) < 0) {
		free(p);
		return NULL;
	}
	for (uint32_t i = 0; i < BUCKETS; i++)
		p->bucket[i] = NIL;
	for (uint32_t i = 0; i < DNSBIND_PENDING_MAX; i++)
		p->q[i].hnext = i + 1 < DNSBIND_PENDING_MAX ? i + 1 : NIL;
	p->free = 0;
	p->oldest = p->newest = NIL;
	return b->pending = p;
}

/* f's flow hash is keyed and the same both ways: so is this. */
static uint32_t
bucket_of(const struct flow *f, uint16_t id)
{
	return ((f->hash ^ id) * 0x9e3779b1u) >> (32 - BUCKET_BITS);
}

/* Which connection on f's ports: for TCP its client's ISN tells. */
static uint32_t
conn_isn(const struct flow *f)
{
	return f->key.proto == IPPROTO_TCP ? f->rs[DIR_TO_SERVER].base_seq : 0;
}

/* Takes q[i] out of its chain and the arrival list, its client's unit
 * back, onto the free list. */
static void
pending_drop(struct dnsbind *b, struct dns_pending *p, uint32_t i)
{
	struct query *q = &p->q[i];
	uint32_t *link = &p->bucket[q->bucket];

	while (*link != i)
		link = &p->q[*link].hnext;
	*link = q->hnext;
	if (q->older != NIL)
		p->q[q->older].newer = q->newer;
	else
		p->oldest = q->newer;
	if (q->newer != NIL)
		p->q[q->newer].older = q->older;
	else
		p->newest = q->older;
	quota_give(&b->quota, q->key.addr[q->client]);
	q->hnext = p->free;
	p->free = i;
}

static void
pending_expire(struct dnsbind *b, struct dns_pending *p, uint64_t now)
{
	while (p->oldest != NIL && p->q[p->oldest].expires < now)
		pending_drop(b, p, p->oldest);
}

/* Keeps query qn, which f's client sent, awaiting its answer. */
static void
pending_add(struct dnsbind *b, const struct flow *f, const struct dns_question *qn, uint64_t now)
{
	struct dns_pending *p = pending_of(b);
	struct query *q;
	uint32_t i;

	if (p == NULL) {
		b->st.queries_over_share++;	/* no memory for the table: no room at all */
		return;
	}
	pending_expire(b, p, now);
	if (quota_take(&b->quota, f->key.addr[f->client]) < 0) {
		b->st.queries_over_share++;
		return;
	}
	if (p->free == NIL) {
		pending_drop(b, p, p->oldest);
		b->st.queries_evicted++;
	}
	i = p->free;
	q = &p->q[i];
	p->free = q->hnext;
	q->key = f->key;
	q->client = f->client;
	q->flow_ms = f->first_ms;
	q->isn = conn_isn(f);
	q->expires = now + DNSBIND_WINDOW_MS;
	q->id = qn->id;
	q->qtype = qn->qtype;
	q->qclass = qn->qclass;
	memcpy(q->name, qn->name, sizeof(q->name));
	q->bucket = bucket_of(f, qn->id);
	q->hnext = p->bucket[q->bucket];
	p->bucket[q->bucket] = i;
	q->older = p->newest;
	q->newer = NIL;
	if (p->newest != NIL)
		p->q[p->newest].newer = i;
	else
		p->oldest = i;
	p->newest = i;
	b->st.queries++;
}

/* Whether q is the query answer a answers, on f. */
static int
query_answered(const struct query *q, const struct flow *f, const struct dns_answer *a)
{
	return q->id == a->id && q->qtype == a->qtype && q->qclass == a->qclass &&
	    q->client == f->client && q->flow_ms == f->first_ms && q->isn == conn_isn(f) &&
	    memcmp(&q->key, &f->key, sizeof(q->key)) == 0 && strcmp(q->name, a->names[0]) == 0;
}

/* Finds the pending query a answers on f and takes it (it is answered):
 * 1, or 0 when there is none. */
static int
pending_answer(struct dnsbind *b, const struct flow *f, const struct dns_answer *a,
    uint64_t now)
{
	struct dns_pending *p = b->pending;

	if (p == NULL)
		return 0;
	pending_expire(b, p, now);
	for (uint32_t i = p->bucket[bucket_of(f, a->id)]; i != NIL; i = p->q[i].hnext)
		if (query_answered(&p->q[i], f, a)) {
			pending_drop(b, p, i);
			return 1;
		}
	return 0;
}

void
dnsbind_destroy(struct dnsbind *b)
{
	if (b->pending == NULL)
		return;
	free(b->pending);
	b->pending = NULL;
	quota_destroy(&b->quota);
}

/* --- messages ------------------------------------------------------------- */

/*
 * Whether the stage reads f's messages: a DNS flow (dnsbind_wants()), or
 * one that a port 53 opened, as an answer sent to no query does.
 */
static int
reads(const struct flow *f)
{
	return dnsbind_wants(f) ||
	    ((f->key.proto == IPPROTO_UDP || f->key.proto == IPPROTO_TCP) &&
	    f->key.port[f->client] == DNS_PORT);
}

/* A query f's client sent on a DNS flow is kept until answered. */
static void
query(struct dnsbind *b, const struct flow *f, const uint8_t *msg, size_t len, uint64_t now)
{
	struct dns_question qn;

	if (dnsbind_wants(f) && dns_question(msg, len, &qn) == DNS_OK && !qn.answer)
		pending_add(b, f, &qn, now);
}

/*
 * An answer that came in direction dir binds what it says, for f's
 * client, when it answers a query that client sent.  Anything else binds
 * nothing: an answer to f's server, one to no pending query.
 */
static void
answer(struct dnsbind *b, struct flow *f, int dir, const uint8_t *msg, size_t len,
    uint64_t now)
{
	struct dns_answer a;
	struct fqdn_addr src, addr;
	enum dns_status s = dns_parse(msg, len, &a);

	if (s != DNS_OK) {
		if (s != DNS_QUERY)
			b->st.errors[s]++;
		return;
	}
	b->st.answers++;
	b->st.cut += a.cut;
	if (dir != DIR_TO_CLIENT || !pending_answer(b, f, &a, now)) {
		b->st.unsolicited++;
		if (b->forged)
			b->forged(b->ctx, f, &a);
		return;
	}
	if (b->trusted && !b->trusted(b->ctx, f)) {
		b->st.untrusted++;
		if (b->untrusted)
			b->untrusted(b->ctx, f, &a);
		return;
	}
	memset(&src, 0, sizeof(src));
	src.family = f->key.family;
	memcpy(src.addr, f->key.addr[f->client], 16);
	for (int i = 0; i < a.naddrs; i++) {
		uint32_t ttl = a.addrs[i].ttl < a.chain_ttl ? a.addrs[i].ttl : a.chain_ttl;

		memset(&addr, 0, sizeof(addr));
		addr.family = a.addrs[i].family;
		memcpy(addr.addr, a.addrs[i].addr, 16);
		/* Every name of the chain: the client may be judged by any. */
		for (int n = 0; n < a.nnames; n++) {
			if (fqdn_bind(b->cache, &src, a.names[n], &addr, ttl, now) < 0)
				b->st.bind_failed++;
			else
				b->st.bindings++;
		}
	}
}

/* A message of f in direction dir: what its QR bit says it is. */
static void
message(struct dnsbind *b, struct flow *f, int dir, const uint8_t *msg, size_t len,
    uint64_t now)
{
	if (b->message)
		b->message(b->message_ctx, f, dir, msg, len);
	if (dir == DIR_TO_SERVER && !(len > 2 && (msg[2] & 0x80)))
		query(b, f, msg, len, now);
	else
		answer(b, f, dir, msg, len, now);
}

void
dnsbind_datagram(struct dnsbind *b, struct flow *f, int dir, const uint8_t *buf, size_t len,
    uint64_t now)
{
	if (b->cache && len > 0 && reads(f))
		message(b, f, dir, buf, len, now);
}

/* --- DNS over TCP ----------------------------------------------------------- */

static struct dns_stream *
stream_for(struct dnsbind *b, struct flow *f)
{
	if (f->dns == NULL && b->streams < DNSBIND_STREAMS_MAX &&
	    (f->dns = malloc(sizeof(*f->dns))) != NULL) {
		memset(f->dns->half, 0, sizeof(f->dns->half));
		b->streams++;
	}
	return f->dns;
}

/* Direction dir's buffer and its size. */
static uint8_t *
half_buf(struct dns_stream *ds, int dir, size_t *size)
{
	if (dir == DIR_TO_SERVER) {
		*size = sizeof(ds->query);
		return ds->query;
	}
	*size = sizeof(ds->answer);
	return ds->answer;
}

/*
 * Reads the whole messages at the front of direction dir's buffer; a
 * message too big to keep is skipped by its length.
 */
static void
drain(struct dnsbind *b, struct flow *f, int dir, struct dns_stream *ds, uint64_t now)
{
	struct dns_half *h = &ds->half[dir];
	const uint8_t *msg;
	size_t size, used, off = 0;
	uint8_t *buf = half_buf(ds, dir, &size);
	int n;

	while ((n = dns_tcp_next(buf + off, h->len - off, &msg, &used)) > 0) {
		message(b, f, dir, msg, (size_t)n, now);
		off += used;
	}
	if (n == 0 && h->len - off >= 2) {
		uint32_t want = be16(buf + off);

		if (2 + (size_t)want > size) {
			b->st.too_big++;
			h->skip = 2 + want - (h->len - (uint32_t)off);
			off = h->len;
		}
	}
	if (n < 0)		/* not DNS after all: read no more of it */
		h->skip = UINT32_MAX, off = h->len;
	memmove(buf, buf + off, h->len - off);
	h->len -= (uint32_t)off;
}

void
dnsbind_data(struct dnsbind *b, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len, uint64_t now)
{
	struct dns_stream *ds;
	struct dns_half *h;
	uint8_t *kept;
	size_t size;

	(void)offset;		/* in order: reasm.h delivers it so */
	if (b->cache == NULL || !reads(f))
		return;
	if ((ds = stream_for(b, f)) == NULL) {
		b->st.no_stream++;
		return;
	}
	h = &ds->half[dir];
	kept = half_buf(ds, dir, &size);
	while (len > 0) {
		size_t n;

		if (h->skip) {
			n = len < h->skip ? len : h->skip;
			if (h->skip != UINT32_MAX)
				h->skip -= (uint32_t)n;
			buf += n;
			len -= n;
			continue;
		}
		n = size - h->len;
		if (n > len)
			n = len;
		memcpy(kept + h->len, buf, n);
		h->len += (uint32_t)n;
		buf += n;
		len -= n;
		drain(b, f, dir, ds, now);
	}
}

/* Bytes nvd never saw: where the next message starts is lost. */
void
dnsbind_gap(struct dnsbind *b, struct flow *f, int dir)
{
	if (f->dns) {
		f->dns->half[dir].len = 0;
		f->dns->half[dir].skip = UINT32_MAX;
	}
	(void)b;
}

void
dnsbind_release(struct dnsbind *b, struct flow *f)
{
	if (f->dns) {
		free(f->dns);
		f->dns = NULL;
		b->streams--;
	}
}
