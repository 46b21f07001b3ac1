/*
 * threat_env.h: the threat stage's context (threat.h), what its detectors
 * share: the worker's state for them, their counters, and how a detection
 * becomes an event (threat_fire()).  Owned by one worker thread; dst is
 * shared (meter.h).
 */
#ifndef NVD_THREAT_ENV_H
#define NVD_THREAT_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "base/types.h"
#include "packet/decode.h"
#include "packet/doubt.h"
#include "packet/flow.h"
#include "packet/quota.h"
#include "proto/app.h"
#include "runtime/meter.h"
#include "threat/threat_def.h"

#define THREAT_FLOWS_MAX	4096	/* flows whose streams are followed, per worker */
#define THREAT_CLIENT_SHARE	(THREAT_FLOWS_MAX / 8)	/* ... of them from one client */
#define THREAT_HEAD_MEM		(16u << 20)	/* HTTP request heads being read, per worker */
#define THREAT_SRC_METERS	8192	/* (source, destination) meters, per worker */
#define THREAT_SESSIONS		4096	/* (source, destination) session counts, per worker */
#define THREAT_WATCH		16384	/* connections watched for client data, per worker */
#define THREAT_DNS_DOMAINS	4096	/* (client, domain) tunnel meters, per worker */
#define THREAT_FRAGS		256	/* fragmented datagrams followed, per worker */
#define THREAT_FLOOD_SOURCE	8	/* under a destination's flood, a source's share */
/* TCP.Small.Window looks early in a connection: while the client sent
 * less than this (IP bytes) and the server less than that. */
#define THREAT_WINDOW_CLIENT_MAX	8192
#define THREAT_WINDOW_SERVER_MAX	16384

/* Bits of f->thr_flags. */
#define THRF_COUNTED	0x01	/* counted in its (source, destination) sessions */
#define THRF_CLIENT_DATA 0x02	/* the client sent a byte */
#define THRF_WATCHED	0x04	/* watched for client data */
#define THRF_NO_STATE	0x08	/* its streams could not be followed */
#define THRF_STREAM_DONE 0x10	/* its stream detectors are done */

struct threat_stats {
	uint64_t detected[THREAT_COUNT];	/* events (a flood's: per interval) */
	uint64_t dropped[THREAT_COUNT];		/* packets or connections dropped */
	uint64_t flows;			/* streams followed */
	uint64_t no_state;		/* ... that could not be: no state for the client */
	uint64_t meters_full;		/* packets no meter could count */
	uint64_t sessions_full;		/* sessions no count could hold */
	uint64_t watch_full;		/* connections TCP.No.Client.Data could not watch */
	uint64_t frags_full;		/* fragments not followed */
	uint64_t domains_full;		/* DNS queries no tunnel meter could count */
};

/* What a detector found, for the event. */
struct threat_hit {
	int id;				/* enum threat_id */
	int deny;			/* it dropped */
	int flood;			/* a meter's: one per interval, count set, not aggregated */
	int any_source;			/* ... the destination's, of every source: the event
					 * names none (not the packet's, maybe a client's) */
	uint32_t count;			/* what the event stands for; 0: one */
	char evidence[200];		/* the numbers, the bytes (masked) */
};

struct threat_flow;
struct threat_session;
struct threat_watch;
struct threat_domain;
struct threat_frag;

struct threat_env {
	const struct threat_set *set;	/* the snapshot's settings (per packet) */
	struct meter_table *dst;	/* floods per destination: live.h's, shared */
	struct meter_table src;		/* ... per (source, destination): this worker's */
	struct threat_session *sessions;
	struct threat_watch *watch;
	uint32_t watch_head, watch_len;
	struct threat_domain *domains;
	struct threat_frag *frags;
	uint32_t nflows;		/* stream states held */
	struct quota quota;		/* ... by each client */
	uint64_t head_mem;		/* bytes of the HTTP parsers' head buffers */
	uint64_t now;			/* ms, monotonic: the packet's */
	const struct packet *pkt;	/* the packet being handled (the DNS hook's) */
	int drop;			/* a detector with action deny dropped this packet */
	/* The event; p is the packet (NULL: a timer's).  ctx is the judge. */
	void (*hit)(void *ctx, struct flow *f, const struct packet *p, const struct threat_hit *h);
	/* The stream detectors cannot see all of f's bytes (inspect.h's doubt). */
	void (*doubt)(void *ctx, struct flow *f, enum doubt d, int deny);
	void *ctx;
	struct threat_stats st;
};

/*
 * Detector id fired on f (or the packet p alone): the event, once per flow
 * and detector (always for f NULL), and whether it drops (returned; then
 * counted).  evidence is printf's.
 */
int threat_fire(struct threat_env *e, struct flow *f, const struct packet *p, int id,
    uint32_t deny_mask, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A flood meter's event (count: the packets of its interval). */
void threat_fire_flood(struct threat_env *e, const struct packet *p, int id, int deny, int any_source,
    uint32_t count, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/*
 * n bytes at b as an auditor may see them, into out (cap bytes): printable
 * ASCII, '?' for the rest, at most 64 bytes and "..."; every digit but
 * the last four as '*', as DLP events show them.
 */
void threat_excerpt(char *out, size_t cap, const uint8_t *b, size_t n);
/* The setting of detector id now. */
const struct threat_conf *threat_conf(const struct threat_env *e, int id);

#endif
