/*
 * crs_stage.h: sensor.crs in the packet path (issue 16): requests handed
 * to the CRS's threads (runtime/crs_pool.h), and the packets that wait
 * for their verdict.
 *
 * The inspection stage (inspect.h) hands over each request of a flow that
 * sensor.crs inspects: its head, its body (de-chunked, decoded, up to
 * body_max) and its end.  Once a feed of stream bytes is done the worker
 * calls crs_stage_feed_end(): a request that ended is submitted whole; one
 * whose head ended but whose body has not gets a head-only evaluation
 * first, so that a server acting on the head does not get it unjudged.
 *
 * The packet that completed what was submitted is held: NFQUEUE takes
 * verdicts out of order, so the worker goes on with other packets and the
 * held one gets its verdict when the evaluation ends.  Every later packet
 * of the flow is held behind it (in order: nothing overtakes a held
 * request, a retransmission of it included), and the flow is never
 * bypassed meanwhile.  A result that reaches the threshold of an
 * assignment with deny in protect mode drops the held packets and resets
 * both ends (from the first held packet's numbers); otherwise they go in
 * order, with an event when the CRS denied.
 *
 * Bounds: jobs in flight per worker (CRS_JOBS_MAX) and per client
 * (CRS_CLIENT_SHARE, quota.h), per flow (CRS_FLOW_JOBS), request bytes
 * kept per worker (CRS_MEM_MAX, an eighth of it per client), and a
 * deadline per request.  What misses
 * one is in doubt (doubt.h): with an assignment that denies in protect
 * mode the flow is dropped and reset, otherwise it passes with an event.
 * Packets held per worker (CRS_HELD_MAX, well below a queue's maxlen), per
 * client (an eighth of it) and per flow (CRS_FLOW_HELD): a packet of a
 * busy flow past them is dropped
 * before anything of it is read (crs_stage_room), so TCP sends it again
 * later and nothing is lost or skipped.
 *
 * Owned by one worker thread; only the pool's completion queue is shared.
 */
#ifndef NVD_CRS_STAGE_H
#define NVD_CRS_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/types.h"
#include "packet/decode.h"
#include "packet/doubt.h"
#include "packet/flow.h"
#include "packet/quota.h"
#include "runtime/crs_pool.h"

struct http_head;
struct rst;

#define CRS_JOBS_MAX		256	/* evaluations in flight, per worker */
#define CRS_CLIENT_SHARE	(CRS_JOBS_MAX / 8)	/* ... of them for one client */
#define CRS_FLOW_JOBS		8	/* ... for one flow (pipelining) */
#define CRS_HELD_MAX		2048	/* packets held, per worker */
#define CRS_FLOW_HELD		256	/* ... of one flow */
#define CRS_MEM_MAX		(64u << 20)	/* request bytes kept, per worker */
#define CRS_MEM_UNIT		16384	/* ... counted per client in these */
#define CRS_BODY_DEFAULT	131072	/* crs_body_limit's default */
#define CRS_DEADLINE_DEFAULT	500	/* crs_deadline's default, ms */

struct crs_stage_stats {
	uint64_t requests;		/* requests handed over whole */
	uint64_t head_only;		/* heads evaluated before their body */
	uint64_t results;		/* evaluations back in time */
	uint64_t denied;		/* ... that reached the threshold */
	uint64_t flows_denied;		/* flows dropped for it (deny, protect) */
	uint64_t busy;			/* not evaluated: queue, client's share, memory */
	uint64_t late;			/* past the deadline */
	uint64_t body_over;		/* bodies past body_max */
	uint64_t held;			/* packets held */
	uint64_t held_dropped;		/* held packets dropped at the verdict */
	uint64_t held_full;		/* packets of busy flows dropped unread: no room */
	uint64_t held_now;		/* held now (not a sum over time) */
	uint64_t jobs_now;		/* in flight now */
	uint64_t wait_ms;		/* held until the verdict, summed over requests */
	uint64_t wait_ms_max;
};

/* One request's result for the judge (events). */
struct crs_verdict {
	const struct crs_result *res;
	int paranoia, threshold;
	int deny;			/* dropped: deny assignment, protect mode */
	int deny_set;			/* an assignment says deny, whatever the mode */
	uint64_t wait_ms;
};

struct crs_flow;
struct held_pool;

struct crs_stage {
	struct crs_pool *pool;		/* NULL: sensor.crs is off */
	struct crs_done done;		/* this worker's evaluated jobs */
	int done_up;
	size_t body_max;
	uint64_t deadline_ms;
	uint64_t now;			/* monotonic ms */
	uint64_t token;			/* nfq's word for the packet being handled */
	uint64_t nonce;			/* per request ids, from getrandom */
	uint32_t jobs, held;
	uint64_t mem;
	struct quota quota;		/* jobs per client */
	struct quota mem_quota;		/* request bytes per client, in CRS_MEM_UNIT */
	struct quota held_quota;	/* packets held per client */
	struct crs_flow *busy;		/* flows with jobs in flight or packets held */
	struct held_pool *hp;		/* the free entries of held packets */
	struct rst *rst;		/* the judge's, for resets */
	/* The held packet of token gets verdict v now (the queue's). */
	void (*late)(void *ctx, uint64_t token, enum verdict v);
	void *late_ctx;
	/* A result (judge.h: the event); a doubt (judge_sensor_doubt). */
	void (*result)(void *ctx, struct flow *f, const struct crs_verdict *cv);
	void (*doubt)(void *ctx, struct flow *f, enum doubt d, int deny);
	void *ctx;
	/* f was dropped for good: what it holds can go (the worker's). */
	void (*dropped)(void *ctx, struct flow *f);
	void *dropped_ctx;
	struct crs_stage_stats st;
};

/* 0 or -1 (no memory, no eventfd).  pool may be NULL (set later). */
int crs_stage_init(struct crs_stage *s);
void crs_stage_destroy(struct crs_stage *s);

/*
 * inspect.h's calls, for the requests of f: a head (paranoia, threshold,
 * deny, deny_set: of the assignments that apply, deny only in protect),
 * body bytes, the end of the message.
 */
void crs_stage_head(struct crs_stage *s, struct flow *f, const struct http_head *h,
    int paranoia, int threshold, int deny, int deny_set);
void crs_stage_body(struct crs_stage *s, struct flow *f, const uint8_t *p, size_t n);
void crs_stage_end(struct crs_stage *s, struct flow *f);
/* The worker, after each feed of f's stream: submits what is ready. */
void crs_stage_feed_end(struct crs_stage *s, struct flow *f);

/*
 * Packet p of f got verdict v: HOLD when f has evaluations in flight or
 * packets held (v kept for its release; BYPASS becomes ACCEPT), else v.
 * A packet that cannot be held drops the flow when a deny assignment
 * applies in protect mode (DROP), else passes (v).
 */
enum verdict crs_stage_packet(struct crs_stage *s, struct flow *f, const struct packet *p,
    enum verdict v);
/* Whether f has evaluations in flight or packets held (no bypass then). */
int crs_stage_busy(const struct flow *f);
/* Whether a packet of f could be held now; 0: drop it unread (counted). */
int crs_stage_room(struct crs_stage *s, const struct flow *f);

/* Results back from the pool, deadlines: releases or drops held packets. */
void crs_stage_poll(struct crs_stage *s, uint64_t now);
/* f leaves the table: its held packets are decided now (as in doubt). */
void crs_stage_release(struct crs_stage *s, struct flow *f);

#endif
