/*
 * appid.h: application identification (which protocol a flow speaks), a stage
 * of the packet path.
 *
 * A flow's first bytes in each direction (TCP: the reassembled stream, as
 * reasm.h delivers it; UDP: the first datagram each way) go to the probes
 * of app.h until they decide.  The first bytes of a flow are probed where
 * they lie in the packet; only when the probes need more are they copied
 * into a buffer (2 x APP_PROBE_MAX bytes) from a bounded per-worker pool,
 * and the buffer goes back to the pool as soon as the flow is decided.
 *
 * When the client holds its share of the pool already (quota.h), when nvd
 * missed bytes (a gap) or joined the flow mid-stream, the flow's
 * application cannot be told: it is judged by ports alone (APPS_WAIVED)
 * with the reason in f->doubt, which the judge turns into a drop in
 * protect mode wherever the verdict depends on the application (judge.h).
 *
 * Until it is decided a flow is allowed provisionally (policy.h); that
 * lasts at most APP_PROBE_MAX bytes each way, then the probes decide with
 * what they have.
 *
 * Owned by one worker thread, like its flows.
 */
#ifndef NVD_APPID_H
#define NVD_APPID_H

#include <stddef.h>
#include <stdint.h>

#include "proto/app.h"
#include "packet/flow.h"
#include "packet/quota.h"
#include "packet/reasm.h"

#define APPID_BUFFERS_MAX	4096	/* flows being detected at once, per worker */
#define APPID_CLIENT_SHARE	(APPID_BUFFERS_MAX / 8)	/* ... of them from one client */

struct appid_stats {
	uint64_t detected[APP_COUNT];	/* flows decided, by enum app_id */
	uint64_t waived;		/* flows judged by ports alone */
	uint64_t nobuf;			/* ... of them: no buffer free for the client */
	uint64_t gaps;			/* ... of them: bytes missed */
	uint64_t buffered;		/* flows that needed a buffer */
};

struct app_buf_chunk;

struct appid {
	struct app_buf *free;		/* pool */
	struct quota quota;		/* buffers held by each client */
	struct app_buf_chunk *chunks;
	uint32_t allocated;
	/* The flow decided by the last call, and what its probe found:
	 * valid until the next call. */
	const struct flow *info_flow;
	struct app_info info;
	/* Optional: a flow was just decided by its probes, on the bytes of
	 * in (valid during the call). */
	void (*decided)(void *ctx, struct flow *f, const struct app_input *in);
	void *decided_ctx;
	struct appid_stats st;
};

/* Returns 0 or -1 (no memory). */
int appid_init(struct appid *d);
void appid_destroy(struct appid *d);

/*
 * Stream bytes of f (reasm.h's sink calls, passed on by the worker): data
 * at offset of direction dir, or a gap.  Data past APP_PROBE_MAX and data
 * of a decided flow are ignored.
 */
void appid_data(struct appid *d, struct flow *f, int dir, uint64_t offset,
    const uint8_t *buf, size_t len);
void appid_gap(struct appid *d, struct flow *f, int dir, uint64_t offset);

/* A UDP datagram of f in direction dir (only the first each way counts). */
void appid_datagram(struct appid *d, struct flow *f, int dir, const uint8_t *buf, size_t len);

/* A flow with nothing to detect (ICMP, other protocols) or joined
 * mid-stream is decided at once. */
void appid_start(struct appid *d, struct flow *f);

/*
 * No more bytes will come (both directions closed, a reset, or the flow
 * ends): decides f with what it has.
 */
void appid_close(struct appid *d, struct flow *f);

/* Nothing more of f will be inspected (stream_depth reached first): an
 * undecided flow is judged by ports alone. */
void appid_stop(struct appid *d, struct flow *f);

/* Gives back f's buffer (flow end). */
void appid_release(struct appid *d, struct flow *f);

/* Whether f's application is decided (APPS_DONE or APPS_WAIVED). */
static inline int
appid_final(const struct flow *f)
{
	return f->app_state >= APPS_DONE;
}

#endif
