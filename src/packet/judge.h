/*
 * judge.h: the policy stage of the packet path.  A flow is judged at its
 * first packet, and again at its next packet after each policy change, so
 * a tightened policy reaches flows already open.  The outcome (policy.h)
 * becomes the flow's verdict and, once per flow, a violation event, a
 * learned connection or a rule hit for the writer.
 */
#ifndef NVD_JUDGE_H
#define NVD_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/types.h"
#include "packet/decode.h"
#include "packet/doubt.h"
#include "packet/flow.h"
#include "packet/rst.h"
#include "runtime/event.h"
#include "runtime/event_agg.h"

struct appid;
struct dnsbind;
struct inspect_env;
struct live;
struct policy;

#define JUDGE_HITS	256	/* rules hit between two flushes */

struct judge_stats {
	uint64_t judged[4];		/* connections judged, by enum policy_outcome */
	uint64_t unjudged[DOUBT_COUNT];	/* packets, or connections, in doubt (doubt.h) */
	uint64_t rejudged;		/* judged again after a policy change */
	uint64_t proxied;		/* requests to a proxy judged for their destination */
	uint64_t denied_packets;	/* packets of denied flows dropped */
	uint64_t resets_sent;
	uint64_t sensor_events;		/* DLP and WAF matches recorded */
	uint64_t sensor_denied;		/* flows a sensor match dropped */
	uint64_t pcaps;			/* events' packets saved in pcap_dir */
	uint64_t pcap_errors;		/* ... that could not be */
};

/*
 * The stage's context, one per worker (embedded in struct worker).  The
 * judge reads what the stages before it found (detection's last decided
 * flow, the DNS stage's name cache) and tells the sensors which flows to
 * inspect; it sends records to the writer through ring.
 */
struct judge {
	struct live *live;		/* the policy; NULL: judge nothing, accept */
	struct event_ring ring;
	struct event_agg agg;		/* violations, aggregated before the ring */
	struct event_rec scratch;	/* the violation being built */
	struct rst rst;
	const struct appid *appid;
	const struct dnsbind *dns;
	struct inspect_env *insp;
	uint16_t queue;			/* in pcap file names */
	const char *pcap_dir;		/* conf pcap_dir, "" or NULL: none */
	/* The packet being handled (for pcap_dir) and its time. */
	const uint8_t *pkt;
	size_t pkt_len;
	uint64_t now;
	struct judge_hit {
		int64_t rule_id;	/* 0: free */
		uint64_t count;
		int64_t last_ms;
	} hits[JUDGE_HITS];
	int nhits;
	uint64_t hits_ms;		/* last flush, monotonic */
	struct judge_stats st;
};

/*
 * Judges with live's policy and sends records to the writer (wake_fd: its
 * eventfd, or -1).  The stage pointers must outlive j.  Returns 0 or -1
 * (no memory).
 */
int judge_init(struct judge *j, struct live *live, int wake_fd, const struct appid *appid,
    const struct dnsbind *dns, struct inspect_env *insp);
void judge_destroy(struct judge *j);

/*
 * ACCEPT or DROP for packet p of flow f under snapshot pol (the one the
 * worker loaded for this packet; NULL: no policy, accept); sends resets
 * for dropped TCP, to both ends when the connection was open before nvd
 * judged it (a re-judged or a mid-stream flow).  Judges f again when pol
 * is not the snapshot f was judged with (f->policy_gen).
 */
enum verdict judge_packet(struct judge *j, const struct policy *pol, struct flow *f,
    const struct packet *p);
/*
 * ICMPv6 neighbor discovery and MLD: no connection of their own, on the
 * link only.  Passed unjudged, never bypassed.
 */
int judge_exempt(const struct packet *p);
/*
 * An ICMP error that quotes packet in, whose connection this worker does
 * not hold but conntrack related it to: ACCEPT unless the policy denies
 * that connection now.
 */
enum verdict judge_quoted(struct judge *j, const struct policy *pol, const struct packet *in);
/*
 * Flow f leaves the table: a flow judged only provisionally gets its final
 * judgement (appid_close() first), one already counted adds the bytes it
 * carried since to its conversation.
 */
void judge_flow_end(struct judge *j, const struct policy *pol, struct flow *f);
/* inspect.h's hit callback (ctx: the judge), and the drop that follows a
 * hit of a sensor with action deny or a refused proxy request
 * (f->deny_pending). */
struct inspect_hit;
void judge_sensor_hit(void *ctx, struct flow *f, const struct inspect_hit *ih);
/*
 * crs_stage.h's result callback: sensor.crs's score for a request of f
 * reached the threshold.  A waf event naming the CRS rules that fired,
 * their messages and matched data, the score; action deny when cv->deny
 * (the stage drops the flow itself).
 */
struct crs_verdict;
void judge_crs_result(void *ctx, struct flow *f, const struct crs_verdict *cv);
/*
 * inspect.h's doubt callback: the sensors cannot see all of f's bytes
 * (reason d).  With deny (a sensor whose match would drop f) f is dropped
 * as by a match; otherwise it goes on.  Reported once per flow and reason.
 */
void judge_sensor_doubt(void *ctx, struct flow *f, enum doubt d, int deny);
/*
 * proxy.h's callbacks (ctx: the judge): a later request on a connection to
 * a proxy, judged for the destination it asks for (refused: f is dropped
 * as by a sensor, with the event); the requests cannot be followed any
 * more (in protect mode f is dropped).
 */
struct http_head;
void judge_proxy_request(void *ctx, struct flow *f, const struct http_head *h);
void judge_proxy_doubt(void *ctx, struct flow *f, enum doubt d);
/*
 * Packet p (of flow f, or NULL) cannot be judged with full knowledge, for
 * reason d (doubt.h): nothing of it may change nvd's state.  DROP when an
 * end is in protect mode, else ACCEPT; counted, and reported in a
 * violation event with the reason (once per flow and reason).  For
 * DOUBT_UNIDENTIFIED the end nvd cannot identify counts as in the mode
 * it could have (policy_unidentified_mode()), and is named as external.
 */
enum verdict judge_doubt(struct judge *j, const struct policy *pol, struct flow *f,
    const struct packet *p, enum doubt d);
/*
 * Packet p came in on the interface of workload wl with a source address
 * that is not one of wl's there (policy_spoofed()): judge_doubt() for
 * DOUBT_SPOOFED, but the event names wl as its source (the address is
 * the one p claims), and wl's mode counts with the ends' (DROP when wl,
 * the end p claims to be, or its destination is in protect mode).
 */
enum verdict judge_spoofed(struct judge *j, const struct policy *pol, const struct packet *p,
    int wl);
/*
 * dnsbind.h's forged callback (ctx: the judge): answer a came to f's
 * client and answers no query it sent, so it bound nothing.  Reported in
 * a violation event ("dns forged answer", reason dns_unsolicited), once
 * per flow.
 */
struct dns_answer;
void judge_dns_forged(void *ctx, struct flow *f, const struct dns_answer *a);
/* dnsbind.h's trusted: whether answers from f's server may bind names. */
int judge_dns_trusted(void *ctx, const struct flow *f);
/* dnsbind.h's untrusted: reports the answer once per flow. */
void judge_dns_untrusted(void *ctx, struct flow *f, const struct dns_answer *a);
enum verdict judge_deny_pending(struct judge *j, struct flow *f, const struct packet *p);
/*
 * threat.h's hit callback (ctx: the judge): the threat event, of f's
 * connection (judged), else of p's ends; a flood's with its count,
 * straight to the ring, the others aggregated (event_agg.h).  Its packet
 * in pcap_dir when there is one.
 */
struct threat_hit;
void judge_threat_hit(void *ctx, struct flow *f, const struct packet *p,
    const struct threat_hit *h);
/* The threat detectors that run on packet p's ends, and drop (policy_judge()). */
void judge_packet_threats(const struct policy *pol, const struct packet *p, uint32_t *on,
    uint32_t *deny);
/* Periodic work (now: monotonic ms): hands the aggregated violations
 * whose interval ended and, every second, the rule hits counted so far to
 * the writer. */
void judge_tick(struct judge *j, uint64_t now_ms);
/* Hands everything held to the writer now (the worker is stopping, or a
 * test wants to read it). */
void judge_flush(struct judge *j);

#endif
