/*
 * flow.h: the per-worker flow table.
 *
 * A flow is keyed by its 5-tuple in a canonical order (lower address and
 * port first), so both directions find the same flow.  The table is bounded
 * by max entries: at the bound the least recently seen flow is evicted and
 * counted.  Flows come from a pool that grows in chunks up to the bound and
 * never shrinks, so the packet path does not call malloc per packet.
 *
 * A table belongs to one worker thread; nothing here locks.
 */
#ifndef NVD_FLOW_H
#define NVD_FLOW_H

#include <stdint.h>

#include "packet/decode.h"
#include "packet/reasm.h"

struct flow_key {
	uint8_t addr[2][16];	/* IPv4 in the first 4 bytes, rest zero */
	uint16_t port[2];
	uint8_t proto;
	uint8_t family;
	uint8_t pad[2];
};

enum tcp_state {
	TCPS_NONE = 0,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_ESTABLISHED,
	TCPS_FIN_WAIT,		/* one side sent FIN */
	TCPS_CLOSING,		/* both sides sent FIN */
	TCPS_CLOSED,		/* RST */
};

#define FLOW_F_BYPASSED		0x01	/* kernel asked to stop queueing it */
#define FLOW_F_MIDSTREAM	0x02	/* first packet seen was not a SYN */
#define FLOW_F_REPLIED		0x04	/* the server side has sent something */
#define FLOW_F_JUDGED		0x08	/* the policy has judged it (see policy_gen) */
#define FLOW_F_DENIED		0x10	/* its packets are dropped */
#define FLOW_F_REPORTED		0x20	/* its violation event was recorded */
#define FLOW_F_APP_NEW		0x40	/* its application was decided since it was judged */
#define FLOW_F_CONV		0x80	/* counted as a session of a conversation */

/* Where application detection (appid.h) stands for a flow. */
enum app_state {
	APPS_NONE = 0,		/* no payload yet */
	APPS_DETECTING,		/* payload seen, probes undecided */
	APPS_DONE,		/* app holds the answer (maybe APP_UNKNOWN) */
	APPS_WAIVED,		/* could not be told (no buffer, a gap, mid-stream):
				 * judged by ports alone */
};

/*
 * What one end of a TCP connection sent, as tcp.h validates it (the
 * td_* fields of conntrack's struct ip_ct_tcp_state).  By flow_dir: the
 * end that sends in that direction.
 */
struct tcp_dir {
	uint32_t isn;		/* its SYN's sequence number (TCPD_SYN) */
	uint32_t end;		/* the sequence number after the last it sent */
	uint32_t maxend;	/* the last it may send: the other's ack + window */
	uint32_t maxwin;	/* the largest window it advertised, scaled */
	uint32_t maxack;	/* the highest ack it sent (TCPD_MAXACK) */
	uint8_t scale;		/* its window scale (RFC 7323) */
	uint8_t flags;		/* TCPD_* */
};

#define TCPD_SEEN	0x01	/* it sent a segment nvd took: end, maxwin hold */
#define TCPD_SYN	0x02	/* nvd saw its SYN: isn, scale hold */
#define TCPD_WSCALE	0x04	/* its SYN carried a window scale option */
#define TCPD_PICKUP	0x08	/* joined mid-stream: scale unknown, end guessed */
#define TCPD_MAXACK	0x10
#define TCPD_END	0x20	/* end holds at least what the other end acknowledged */

struct app_buf;
struct dns_stream;
struct inspect;
struct proxy;
struct crs_flow;
struct threat_flow;

struct flow {
	struct flow_key key;
	struct flow *hnext;
	struct flow *lru_prev, *lru_next;
	uint64_t first_ms, last_ms;
	uint32_t hash;
	uint8_t client;		/* index in key of the side that opened the flow */
	uint8_t tcp_state;
	uint8_t flags;
	uint8_t app;			/* enum app_id, once app_state is APPS_DONE */
	uint64_t pkts[2], bytes[2];	/* by enum flow_dir */
	uint64_t policy_gen;		/* snapshot it was last judged with */
	int64_t rule_id;		/* the rule that matched, 0 for none */
	struct app_buf *ab;		/* bytes kept while detecting (detect.c) */
	struct dns_stream *dns;		/* a TCP DNS answer being reassembled (dnsbind.c) */
	uint64_t fqdn_ref;		/* the name binding it was judged with (fqdn.h), or 0 */
	struct inspect *insp;		/* DLP/WAF sensors' state (inspect.h), or NULL */
	struct proxy *proxy;		/* the requests to a proxy followed (proxy.h), or NULL */
	struct crs_flow *crs;		/* sensor.crs's requests and held packets (crs_stage.h) */
	uint8_t app_state;		/* enum app_state */
	uint8_t deny_pending;		/* its bytes were refused (a sensor with action
					 * deny matched, a proxy request was refused):
					 * drop it once they are processed */
	uint8_t doubt;			/* enum doubt: why its application or contents
					 * cannot be told (doubt.h), or 0 */
	uint8_t protect;		/* an end was in protect mode when last judged */
	uint32_t doubts_told;		/* doubts reported in events, a bit each */
	uint64_t conv_bytes;		/* bytes already counted in its conversation */
	/* Threat detectors (threat.h): those that run on it and those whose
	 * detection drops it (the policy's, at its last judgement), those
	 * that reported on it, and the little the packet detectors keep. */
	uint32_t thr_on, thr_deny, thr_told;
	uint8_t thr_flags;		/* THRF_* */
	uint8_t thr_n;			/* ICMP: echo replies unlike their requests in a row */
	uint16_t thr_seq;		/* ICMP: the last echo request's sequence number */
	uint32_t thr_hash;		/* ICMP: its data's hash; DNS over UDP: the answer's bound */
	uint32_t thr_ms;		/* TCP: since when the client's window is small */
	struct threat_flow *thr;	/* the stream detectors' state, or NULL */
	struct tcp_dir tcp[2];		/* by enum flow_dir (tcp.h) */
	struct reasm_dir rs[2];		/* by enum flow_dir */
};

struct flow_table_stats {
	uint64_t active;
	uint64_t created;
	uint64_t evicted;	/* removed at the bound while still alive */
	uint64_t timed_out;
	uint64_t pool_exhausted;	/* no memory for a new chunk */
};

struct flow_chunk;

/* The idle timeouts flow_timeout_ms() gives, one list each. */
#define FLOW_TIMEOUTS	6

struct flow_table {
	struct flow **buckets;
	uint32_t mask;
	uint64_t seed;
	uint64_t max;
	uint64_t allocated;
	/* Flows by idle timeout, each list least recently seen last (its
	 * sentinel's lru_prev), so that expiry stops at the first flow not
	 * expired and never walks long-lived ones (flow_touch files a flow by
	 * its timeout). */
	struct flow lru[FLOW_TIMEOUTS];
	struct flow *free_list;
	struct flow_chunk *chunks;
	struct flow_table_stats st;
	/* Called for every flow that leaves the table (removed, timed out,
	 * evicted, or at destroy), before its memory is reused. */
	void (*on_end)(void *ctx, struct flow *f);
	void *end_ctx;
};

/* Returns 0, or -1 when the buckets could not be allocated. */
int flow_table_init(struct flow_table *ft, uint64_t max, uint64_t seed);
void flow_table_destroy(struct flow_table *ft);

/*
 * Fills key from a decoded packet and returns the index (0 or 1) of the
 * packet's source in the key.
 */
int flow_key_make(struct flow_key *key, const struct packet *p);
uint32_t flow_hash(const struct flow_table *ft, const struct flow_key *key);

struct flow *flow_lookup(struct flow_table *ft, const struct flow_key *key, uint32_t hash);
/*
 * Adds a flow whose client is key side `client`.  At the bound it evicts
 * the least recently seen flow first.  Returns NULL only when no memory
 * could be had (counted in pool_exhausted).
 */
struct flow *flow_create(struct flow_table *ft, const struct flow_key *key, uint32_t hash,
    int client, uint64_t now_ms);
/* Marks f as seen now, filed by its timeout: call it again once its
 * state has changed (the worker does after each packet). */
void flow_touch(struct flow_table *ft, struct flow *f, uint64_t now_ms);
/* The least recently seen flow, or NULL. */
struct flow *flow_oldest(struct flow_table *ft);
void flow_remove(struct flow_table *ft, struct flow *f);
/* Removes up to budget flows idle past their timeout; returns how many. */
unsigned flow_expire(struct flow_table *ft, uint64_t now_ms, unsigned budget);

/* Idle timeout of f in milliseconds, by protocol and TCP state. */
uint64_t flow_timeout_ms(const struct flow *f);
/*
 * Advances the TCP state for a segment sent in direction dir that tcp.h
 * validated.  flags are the segment's, but with RST only when it resets
 * the connection (tcp_update()) and FIN only once dir's stream reached
 * its FIN in order (f->rs[dir].fin): neither counts from a segment the
 * receiver would not act on.
 */
void flow_tcp_track(struct flow *f, int dir, uint8_t flags);
const char *flow_tcp_state_name(int s);

#endif
