/*
 * dnsbind.h: the DNS stage of the packet path.  Every DNS answer that
 * passes nvd (UDP and TCP port 53, or a flow detected as DNS) is parsed
 * (dns.h) and its names bound to its addresses in the IP to FQDN cache
 * (fqdn.h), for the client that asked, before the answer's own verdict is
 * given: a client that connects the instant it has the answer is judged
 * with the name.  nvd never sends a query.
 *
 * DNS over TCP: the answer stream is reassembled (reasm.h) and its
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

#define DNSBIND_STREAM_MAX	16384	/* bytes of one TCP answer kept at most */
#define DNSBIND_STREAMS_MAX	1024	/* TCP DNS flows with a buffer, per worker */

struct dnsbind_stats {
	uint64_t answers;		/* answers read */
	uint64_t bindings;		/* (name, address) pairs bound */
	uint64_t errors[DNS_STATUS_COUNT];	/* messages refused, by dns_status */
	uint64_t cut;			/* answers cut short (their whole records used) */
	uint64_t too_big;		/* TCP answers larger than DNSBIND_STREAM_MAX: skipped */
	uint64_t no_stream;		/* TCP answers not read: DNSBIND_STREAMS_MAX in use */
	uint64_t bind_failed;		/* the cache refused a binding */
};

struct dnsbind {
	struct fqdn_cache *cache;	/* NULL: DNS is not read */
	uint32_t streams;		/* TCP buffers held */
	struct dnsbind_stats st;
};

/* Whether f carries DNS whose answers must be read: nvd keeps it queued. */
int dnsbind_wants(const struct flow *f);

/* A UDP datagram of f in direction dir. */
void dnsbind_datagram(struct dnsbind *b, struct flow *f, int dir, const uint8_t *buf, size_t len,
    uint64_t now_ms);

/* TCP stream bytes of f (reasm.h's sink calls, passed on by the worker). */
void dnsbind_data(struct dnsbind *b, struct flow *f, int dir, uint64_t offset,
    const uint8_t *buf, size_t len, uint64_t now_ms);
void dnsbind_gap(struct dnsbind *b, struct flow *f, int dir);

/* Frees what f holds (flow end). */
void dnsbind_release(struct dnsbind *b, struct flow *f);

#endif
