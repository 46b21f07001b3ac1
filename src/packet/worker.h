/*
 * worker.h: what happens to one packet, from bytes to verdict.
 *
 * worker_packet() is the whole per-packet pipeline (decode, flow, TCP
 * state, reassembly, bypass decision).  The daemon hands it the packets of
 * its queue (nfq.h's handler); unit and replay tests call it directly with
 * byte arrays.
 * A struct worker is owned by one thread; only worker_publish() and
 * worker_snapshot() cross threads.
 */
#ifndef NVD_WORKER_H
#define NVD_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "base/conf.h"
#include "packet/decode.h"
#include "packet/appid.h"
#include "packet/crs_stage.h"
#include "packet/dnsbind.h"
#include "packet/inspect.h"
#include "packet/judge.h"
#include "packet/proxy.h"
#include "packet/threat.h"
#include "packet/flow.h"
#include "base/types.h"
#include "packet/reasm.h"

struct live;

struct worker_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t verdicts[4];		/* by enum verdict */
	uint64_t bypassed_flows;
	uint64_t bypass_returned;	/* bypassed flows back after a new generation */
	uint64_t undecoded;		/* packets with no flow (anomaly) */
	uint64_t anomalies[ANOM_COUNT];
	uint64_t reasm_fail_drops;	/* segments dropped (protect) whose out-of-order
					 * bytes could not be kept (DOUBT_OOO_LIMIT) */
	uint64_t flow_fail;		/* no flow could be had */
	uint64_t records_dropped;	/* events, learning, hits: ring full */
	uint64_t quarantine_drops;	/* packets of quarantined workloads dropped */
	uint64_t syn_data_cut;		/* SYNs passed without their bytes (syncut.h) */
	uint64_t syn_data_drops;	/* ... dropped: their headers could not be cut */
	struct reasm_stats reasm;
	struct flow_table_stats flows;
	struct appid_stats appid;
	struct dnsbind_stats dns;
	struct inspect_stats inspect;
	struct proxy_stats proxy;
	struct judge_stats judge;
	struct crs_stage_stats crs;
	struct threat_stats threat;
};

struct worker {
	int index;
	uint16_t queue;
	uint16_t protect_queue;		/* the protect queue of the same socket (nfq.h) */
	enum fail_mode fail_mode;
	int bypass_identified;		/* conf: bypass once the application is known */
	uint64_t now;			/* ms, of the packet or tick being handled */
	/* The stages, each with its own context (a stage sees only its
	 * own, and what judge.h says the judge reads of the others). */
	struct flow_table ft;
	struct appid appid;
	struct dnsbind dns;		/* dns.cache: the shared IP to FQDN cache, or NULL */
	struct inspect_env insp;	/* the sensors (set per packet from the policy) */
	struct proxy_env proxy;		/* every request to a proxy (set up with the policy) */
	struct threat_env thr;		/* the threat detectors (set up with the policy) */
	struct judge judge;		/* the policy, and the records for the writer */
	struct crs_stage crs;		/* sensor.crs: requests evaluated, packets held */
	struct worker_stats st;
	/* The mark bits of the last BYPASS verdict: NVD_MARK_BYPASS and the
	 * bypass generation (types.h), for the verdict. */
	uint32_t bypass_mark;
	/* After an ACCEPT of a SYN with bytes: where its TCP header and its
	 * bytes start in the packet, which goes on without them (syncut.h,
	 * worker_syn_cut()); 0: the packet goes on as it came. */
	size_t cut_l4, cut_payload;

	/* Published copy of st for the control thread. */
	pthread_mutex_t pub_lock;
	struct worker_stats pub;
	uint64_t pub_ms;
};

/* max_flows is this worker's share.  Returns 0 or -1 (no memory). */
int worker_init(struct worker *w, int index, uint16_t queue, uint64_t max_flows,
    enum fail_mode fm);
void worker_destroy(struct worker *w);
/*
 * Judges new connections with live's policy and sends events, learning and
 * hits to the writer through w->judge.ring (wake_fd: the writer's eventfd,
 * or -1).  Before the worker thread starts.  Returns 0 or -1 (no memory).
 */
int worker_set_policy(struct worker *w, struct live *live, int wake_fd);

/* family: AF_INET or AF_INET6 as NFQUEUE reports it, or 0 to guess;
 * pflags: PKT_* (types.h); port: the interface the packet came in on
 * (nfq.h), 0 if none or not known.  After VERDICT_BYPASS, w->bypass_mark
 * holds the mark bits to set.  VERDICT_HOLD (sensor.crs, crs_stage.h)
 * only when w->crs.token names the packet: its verdict goes to
 * w->crs.late later, from worker_tick(). */
enum verdict worker_packet(struct worker *w, const uint8_t *buf, size_t len, int family,
    unsigned pflags, uint32_t port, uint64_t now_ms);

/*
 * After worker_packet() gave v: the verdict for the packet in buf (len
 * bytes), which a SYN with bytes has cut to its headers in place, *cut
 * set to its new length (else 0).  DROP when its headers cannot be cut.
 */
enum verdict worker_syn_cut(struct worker *w, enum verdict v, uint8_t *buf, size_t len,
    size_t *cut);

/* Periodic work: flow timeouts, publishing statistics.  Call at least
 * every few hundred milliseconds, also when no packet comes. */
void worker_tick(struct worker *w, uint64_t now_ms);
void worker_publish(struct worker *w, uint64_t now_ms);
void worker_snapshot(struct worker *w, struct worker_stats *out);

#endif
