/*
 * dnsbind.h: the DNS stage of the packet path.  Every DNS message that
 * passes nvd on a DNS flow (UDP and TCP port 53, or a flow detected as
 * DNS) is read (dns.h); an answer that answers a query nvd saw has its
 * names bound to its addresses in the IP to FQDN cache (fqdn.h), for the
 * client that asked, before the answer's own verdict is given: a client
 * that connects the instant it has the answer is judged with the name.
 * nvd never sends a query.
 *
 * Only with evidence: each query the client of a DNS flow sends on it is
 * kept pending for DNSBIND_WINDOW_MS with its id, its question and the
 * flow (the client's address and port, the resolver's, the transport, and
 * for TCP the connection).  An answer binds only when it comes the other
 * way on that flow and carries the id and the question (the name without
 * regard to case, the type, the class) of a query pending there; that
 * query is then answered, and a second answer to it binds nothing.  An
 * answer that matches none (forged, from another address or port than the
 * one asked, to another port, after the window, a repeat, one sent to the
 * server of a flow, or one that opened a flow from port 53) binds nothing,
 * is counted (unsolicited) and handed to the forged callback.  The answer
 * itself is not dropped for it: what a client is told is its own
 * business, it only names nothing.
 *
 * Pending queries are bounded per worker (DNSBIND_PENDING_MAX: at the
 * bound the oldest gives way) and per client (DNSBIND_CLIENT_SHARE,
 * quota.h: a query past the client's share is not kept), so that one
 * client cannot push out everyone's.  Both directions of a flow reach
 * the same worker (symmetric queue hashing), so the worker that sees an
 * answer saw its query.
 *
 * DNS over TCP: each direction's stream is reassembled (reasm.h) and its
 * messages, which may be split across segments or share one, are kept in
 * a bounded per-flow buffer until whole.
 *
 * Owned by one worker thread, like its flows; the cache is shared.
 */
#ifndef NVD_DNSBIND_H
#define NVD_DNSBIND_H

#include <stddef.h>
#include <stdint.h>

#include "names/dns.h"
#include "packet/flow.h"
#include "names/fqdn.h"
#include "packet/quota.h"

#define DNSBIND_STREAM_MAX	16384	/* bytes of one TCP answer kept at most */
#define DNSBIND_QUERY_MAX	1024	/* bytes of one TCP query kept at most */
#define DNSBIND_STREAMS_MAX	1024	/* TCP DNS flows with a buffer, per worker */
/*
 * How long a query waits for its answer.  A resolver answers within a
 * round trip or a few; a stub resolver gives up on a query after 5 s
 * (glibc's default, resolv.conf(5) timeout:5) and asks again, and that
 * query is kept anew.  A late answer binds nothing.
 */
#define DNSBIND_WINDOW_MS	5000
#define DNSBIND_PENDING_MAX	4096	/* queries awaiting their answer, per worker */
#define DNSBIND_CLIENT_SHARE	(DNSBIND_PENDING_MAX / 8)	/* ... of them from one client */

struct dnsbind_stats {
	uint64_t answers;		/* answers read (unsolicited ones too) */
	uint64_t bindings;		/* (name, address) pairs bound */
	uint64_t errors[DNS_STATUS_COUNT];	/* messages refused, by dns_status */
	uint64_t cut;			/* answers cut short (their whole records used) */
	uint64_t too_big;		/* TCP messages too big to keep (answers over
					   DNSBIND_STREAM_MAX, queries over DNSBIND_QUERY_MAX): skipped */
	uint64_t no_stream;		/* TCP messages not read: DNSBIND_STREAMS_MAX in use */
	uint64_t bind_failed;		/* the cache refused a binding */
	uint64_t queries;		/* queries kept pending */
	uint64_t unsolicited;		/* answers to no pending query: nothing bound */
	uint64_t untrusted;		/* answers from a server not in dns_resolvers:
					 * nothing bound */
	uint64_t queries_over_share;	/* queries not kept: their client held its share */
	uint64_t queries_evicted;	/* pending queries pushed out by newer ones at the bound */
};

struct dns_pending;

struct dnsbind {
	struct fqdn_cache *cache;	/* NULL: DNS is not read */
	uint32_t streams;		/* TCP buffers held */
	struct dns_pending *pending;	/* queries awaiting their answer (made at the first) */
	struct quota quota;		/* ... held by each client */
	/* An answer a (dns_parse() said DNS_OK) came to f's client that
	 * answers no pending query: nothing was bound.  Called for each such
	 * answer, before the answer's verdict; NULL: none.  ctx is its own. */
	void (*forged)(void *ctx, struct flow *f, const struct dns_answer *a);
	/* Whether answers from f's server may bind names (nvd.conf
	 * dns_resolvers), NULL: any; an answer to a pending query from one
	 * that may not binds nothing, is counted (untrusted) and handed to
	 * untrusted (NULL: none).  ctx is theirs too. */
	int (*trusted)(void *ctx, const struct flow *f);
	void (*untrusted)(void *ctx, struct flow *f, const struct dns_answer *a);
	void *ctx;
	/* Every message read (UDP datagram, TCP message), before it is:
	 * the threat detectors' (threat.h); NULL: none. */
	void (*message)(void *ctx, struct flow *f, int dir, const uint8_t *msg, size_t len);
	void *message_ctx;
	struct dnsbind_stats st;
};

/* Whether f carries DNS whose answers must be read: nvd keeps it queued. */
int dnsbind_wants(const struct flow *f);

/* A UDP datagram of f in direction dir: a query (towards the server) or
 * an answer. */
void dnsbind_datagram(struct dnsbind *b, struct flow *f, int dir, const uint8_t *buf, size_t len,
    uint64_t now_ms);

/* TCP stream bytes of f (reasm.h's sink calls, passed on by the worker). */
void dnsbind_data(struct dnsbind *b, struct flow *f, int dir, uint64_t offset,
    const uint8_t *buf, size_t len, uint64_t now_ms);
void dnsbind_gap(struct dnsbind *b, struct flow *f, int dir);

/* Frees what f holds (flow end). */
void dnsbind_release(struct dnsbind *b, struct flow *f);
/* Frees the pending queries (after every flow was released). */
void dnsbind_destroy(struct dnsbind *b);

#endif
