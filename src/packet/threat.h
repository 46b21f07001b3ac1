/*
 * threat.h: the threat detectors' stage of the packet path (issue 14).
 * threat_def.h lists the detectors, nvd.rules(5) says what each looks
 * for; policy_judge() says which run on a connection and which of them
 * drop it (its guarded end's groups, protect mode), and the judge keeps
 * that in the flow (thr_on, thr_deny).
 *
 * Where each looks:
 * - headers of every packet nvd sees (threat_tcp.c, threat_ip.c): TCP
 *   flags and options, SYN data and MSS, a split handshake, the client's
 *   window; ICMP sizes and echo data; fragments; bad lengths (packets
 *   decode gave up on, threat_orphan());
 * - meters (threat_flood.c): SYNs without a handshake and echo requests,
 *   per destination (shared by the workers, live.h's meters) and per
 *   source and destination (this worker's: both directions of a
 *   connection, and all connections between two addresses, reach one
 *   worker); concurrent sessions per source and destination;
 * - DNS messages, both transports (threat_dns.c, through dnsbind's
 *   message hook);
 * - the streams of TLS, HTTP, SSH, PostgreSQL and MySQL connections
 *   (threat_tls.c, threat_http.c, threat_sql.c) from their first byte,
 *   once appid decided the application (the bytes it saw are handed
 *   over): a flow in this state is not bypassed while it lasts, up to
 *   stream_depth like the sensors', so that no request, statement or
 *   record goes unseen; a TLS connection only through its handshake
 *   when the server does not speak heartbeats.
 *
 * State is bounded: the stream state of THREAT_FLOWS_MAX flows per
 * worker, THREAT_CLIENT_SHARE of them per client (quota.h); a flow that
 * cannot have it is in doubt (DOUBT_INSPECT_STATE) for the detectors that
 * would drop it; meters, session counts, fragments, DNS domains and the
 * connections watched for client data in fixed tables that count what
 * they could not hold.  Nothing is allocated per packet.
 *
 * A detection becomes an event (the hit callback: the judge's) at most
 * once per flow and detector; floods one per meter and interval, with the
 * count.  With the detector's action deny and an end in protect mode it
 * drops: the packet (e->drop), or the connection once its bytes are
 * processed (f->deny_pending, reset both ways), never resetting a flood's
 * sources (which may be forged).
 *
 * Owned by one worker thread, like its flows; dst is shared (meter.h).
 */
#ifndef NVD_THREAT_H
#define NVD_THREAT_H

#include <stddef.h>
#include <stdint.h>

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

/* shared: the per-destination meters (live.h).  0, or -1 (no memory). */
int threat_init(struct threat_env *e, struct meter_table *shared);
void threat_destroy(struct threat_env *e);

/*
 * Packet p (direction dir) of flow f, judged: its headers, its meters, its
 * session.  Sets e->drop when a detector drops it.
 */
void threat_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
/* Its handshake completed with p, the client's ACK (the SYN meters, the
 * watch for client data). */
void threat_established(struct threat_env *e, struct flow *f, const struct packet *p);
/*
 * A packet no flow holds: one decode stopped at (a), or that conntrack
 * found invalid (a is ANOM_NONE).  on, deny: policy_judge()'s threats for
 * its ends.  Sets e->drop as threat_packet().
 */
void threat_orphan(struct threat_env *e, const struct packet *p, enum decode_anomaly a,
    uint32_t on, uint32_t deny);

/* appid decided f (its decided hook): the stream state its detectors need. */
void threat_app(struct threat_env *e, struct flow *f, const struct app_input *in);
/* Stream bytes of f at offset in direction dir, or a gap (reasm.h's sink). */
void threat_data(struct threat_env *e, struct flow *f, int dir, uint64_t offset,
    const uint8_t *buf, size_t len);
void threat_gap(struct threat_env *e, struct flow *f, int dir);
/* A DNS message on f in direction dir (dnsbind.h's message hook; ctx: e). */
void threat_dns(void *ctx, struct flow *f, int dir, const uint8_t *msg, size_t len);

/* Whether f must stay queued for its detectors. */
int threat_wants(const struct flow *f);
/* f leaves nvd's sight: handed to the kernel (bypassed), or the table. */
void threat_bypassed(struct threat_env *e, struct flow *f);
void threat_release(struct threat_env *e, struct flow *f);
/* Periodic: connections that sent nothing. */
void threat_tick(struct threat_env *e, uint64_t now_ms);

/* --- for the detectors' files (threat_*.c) ---------------------------- */

/*
 * Detector id fired on f (or the packet p alone): the event, once per flow
 * and detector (always for f NULL), and whether it drops (returned; then
 * counted).  evidence is printf's.
 */
int threat_fire(struct threat_env *e, struct flow *f, const struct packet *p, int id,
    uint32_t deny_mask, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A flood meter's event (count: the packets of its interval). */
void threat_fire_flood(struct threat_env *e, const struct packet *p, int id, int deny,
    uint32_t count, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/*
 * n bytes at b as an auditor may see them, into out (cap bytes): printable
 * ASCII, '?' for the rest, at most 64 bytes and "..."; every digit but
 * the last four as '*', as DLP events show them.
 */
void threat_excerpt(char *out, size_t cap, const uint8_t *b, size_t n);
/* The setting of detector id now. */
const struct threat_conf *threat_conf(const struct threat_env *e, int id);

/* threat_flood.c */
void threat_flood_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
void threat_flood_established(struct threat_env *e, struct flow *f, const struct packet *p);
int threat_sessions_init(struct threat_env *e);
void threat_session_end(struct threat_env *e, struct flow *f);
/* threat_tcp.c */
void threat_tcp_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
void threat_tcp_flags(struct threat_env *e, struct flow *f, const struct packet *p, uint32_t on,
    uint32_t deny);
int threat_watch_init(struct threat_env *e);
void threat_watch_add(struct threat_env *e, struct flow *f);
void threat_watch_tick(struct threat_env *e);
/* threat_ip.c */
void threat_icmp_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
void threat_fragment(struct threat_env *e, const struct packet *p, uint32_t on, uint32_t deny);
int threat_frags_init(struct threat_env *e);
/* threat_dns.c */
int threat_domains_init(struct threat_env *e);
/* threat_tls.c, threat_http.c, threat_sql.c: the stream detectors */
struct threat_flow *threat_flow_new(struct threat_env *e, struct flow *f);
void threat_flow_free(struct threat_env *e, struct flow *f);

#endif
