/*
 * event.h: what the packet path hands to the writer thread: events for the
 * audit log, connections to learn in discover mode, and rule hit counts.
 *
 * Each worker owns one bounded single-producer single-consumer ring; the
 * writer thread is its only consumer.  event_ring_push() never blocks and
 * never allocates: when the ring is full the record is dropped and
 * counted in ring->dropped (the writer logs the drop when it starts and
 * when it ends, with the count).
 */
#ifndef NVD_EVENT_H
#define NVD_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

enum record_type {
	REC_EVENT = 1,
	REC_LEARN,
	REC_HIT,
	REC_CONV,
};

enum event_type {
	EV_VIOLATION = 0,
	EV_THREAT,
	EV_DLP,
	EV_WAF,
	EV_INCIDENT,
	EV_QUARANTINE,
	EV_ADMISSION,		/* a container create, exec or volume judged (adm_authz.h) */
};
enum event_level {
	EV_INFO = 0,
	EV_WARNING,
	EV_CRITICAL,
};
enum event_action {
	EV_ALLOW = 0,
	EV_ALERT,
	EV_DENY,
	EV_QUARANTINE_ACTION,
};
const char *event_type_name(enum event_type t);
int event_type_parse(const char *s, enum event_type *t);
const char *event_level_name(enum event_level l);
int event_level_parse(const char *s, enum event_level *l);
/* The level named s as stored (event_level_name()); EV_INFO for any other. */
enum event_level event_level_of(const char *s);
const char *event_action_name(enum event_action a);

#define EVENT_EXCERPT_MAX	96	/* sensor.h's SENSOR_EXCERPT_MAX */
#define EVENT_PCAP_MAX		64	/* "nvd-TIME-qQUEUE-N.pcap" */

/* One row of the events table (INTERFACE.md, "Events").  Empty strings and
 * zero ports/rule ids are stored as NULL. */
struct event_rec {
	int64_t time_ms;		/* CLOCK_REALTIME, milliseconds */
	uint8_t type, level, action;	/* enum event_type, _level, _action */
	uint8_t proto;			/* IPPROTO_* or 0 */
	int family;			/* of src and dst, or 0 */
	uint8_t src[16], dst[16];
	uint16_t src_port, dst_port;
	int64_t rule_id;
	char name[64];
	char src_workload[POLICY_NAME_MAX];
	char src_group[POLICY_NAME_MAX];
	char dst_workload[POLICY_NAME_MAX];
	char dst_group[POLICY_NAME_MAX];
	char fqdn[POLICY_FQDN_MAX + 1];
	char app[32];
	char sensor[64];
	char message[256];
	char reason[24];		/* why it could not be judged (doubt.h), or "" */
	uint32_t count;			/* alike events it stands for (event_agg.h); 0: 1 */
	/* The evidence of a DLP or WAF match: what matched (masked for
	 * DLP), and the pcap file of its packet in pcap_dir, or "". */
	char excerpt[EVENT_EXCERPT_MAX];
	char pcap[EVENT_PCAP_MAX];
};

/* A connection seen in discover mode with no rule: from → to on port. */
struct learn_rec {
	int64_t time_ms;
	char from[POLICY_NAME_MAX];
	char to[POLICY_NAME_MAX];
	uint8_t to_fqdn;		/* to is a DNS name: its group is made if need be */
	uint8_t proto;			/* IPPROTO_TCP, _UDP, _ICMP */
	uint16_t port;			/* server port, 0 for ICMP */
	char app[32];			/* rule word ("postgresql"), "" for any */
};

/*
 * Traffic of one conversation: (from, to or fqdn, application, protocol,
 * port, verdict).  sessions is 1 when a connection is counted (once its
 * application is known), 0 for bytes it carried since.
 */
enum conv_verdict {
	CONV_ALLOW = 0,
	CONV_ALERT,
	CONV_DENY,
};
struct conv_rec {
	int64_t time_ms;
	char from[POLICY_NAME_MAX];
	char to[POLICY_NAME_MAX];
	char fqdn[POLICY_FQDN_MAX + 1];
	char app[32];			/* app_name(): "PostgreSQL", "unknown" */
	uint8_t proto;
	uint16_t port;
	uint8_t verdict;		/* enum conv_verdict */
	uint32_t sessions;
	uint64_t bytes;
	char from_workload[POLICY_NAME_MAX];	/* the workloads at its ends, "" for */
	char to_workload[POLICY_NAME_MAX];	/* an end that is none */
};
const char *conv_verdict_name(enum conv_verdict v);

/* Connections that matched rule_id since the last hit record. */
struct hit_rec {
	int64_t time_ms;		/* the last one */
	int64_t rule_id;
	uint64_t count;
};

struct record {
	uint8_t type;			/* enum record_type */
	union {
		struct event_rec ev;
		struct learn_rec learn;
		struct hit_rec hit;
		struct conv_rec conv;
	} u;
};

#define EVENT_RING_SIZE		8192	/* records per worker, a power of two */

struct event_ring {
	struct record *slots;		/* EVENT_RING_SIZE of them */
	/* head is written by the producer only, tail by the consumer only */
	uint64_t head __attribute__((aligned(64)));
	uint64_t tail __attribute__((aligned(64)));
	uint64_t dropped __attribute__((aligned(64)));	/* producer: pushes refused */
	int wake_fd;			/* eventfd of the writer, or -1 */
};

/* Returns 0 or -1 (no memory). wake_fd may be -1. */
int event_ring_init(struct event_ring *r, int wake_fd);
void event_ring_destroy(struct event_ring *r);
/*
 * Producer: a slot to fill, or NULL when the ring is full (counted in
 * dropped).  event_ring_commit() publishes it; nothing else may be pushed
 * in between.  Wakes the writer when the ring becomes half full.  Events
 * may take every slot; the other records (learning, hits, conversations)
 * leave EVENT_RING_FOR_EVENTS free for them, so that a flood of new flows
 * cannot crowd out the events that say what happened.
 */
#define EVENT_RING_FOR_EVENTS	(EVENT_RING_SIZE / 4)
struct record *event_ring_reserve(struct event_ring *r, enum record_type type);
void event_ring_commit(struct event_ring *r);
/* Consumer: copies up to max records into out, returns how many. */
unsigned event_ring_pop(struct event_ring *r, struct record *out, unsigned max);

/* Whether a (of family) is an address to store: the unspecified one (a
 * flood's "any source") is none, stored as NULL. */
int event_addr_known(int family, const uint8_t *a);
/* Fills the address and port fields of ev from text-free packet data. */
void event_set_addrs(struct event_rec *ev, int family, const uint8_t *src, uint16_t sport,
    const uint8_t *dst, uint16_t dport, uint8_t proto);

/* "2026-11-28T17:20:04.123Z": RFC 3339, UTC, milliseconds; always
 * EVENT_TIME_LEN - 1 characters for years 0-9999, so such texts sort as
 * the times do. */
#define EVENT_TIME_LEN	25
void event_time_format(int64_t ms, char *out, size_t outlen);
/*
 * The --since of nvctl events: an RFC 3339 time ("2026-11-28T17:00:00Z",
 * "2026-11-28T18:00:00.5+01:00") or an age before now_ms ("90s", "10m",
 * "2h", "1d").  Returns 0 with *ms, or -1 with err.
 */
int event_since_parse(const char *s, int64_t now_ms, int64_t *ms, char *err, size_t errlen);

#endif
