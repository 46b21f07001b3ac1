/*
 * proxy.h: the proxy stage of the packet path.  A connection whose first
 * request asks an HTTP proxy for another destination (absolute form, or
 * CONNECT; egress.h) may carry more requests (keep-alive, pipelining),
 * each for a destination of its own: every one is judged.  The judge
 * (judge.h) judges the first with the connection; this stage follows the
 * client's byte stream from its first byte with an HTTP request parser
 * (http.h) and hands every later request's head to a callback.  A CONNECT
 * ends it: what follows is a tunnel.  A connection it follows is not
 * handed to the kernel's fast path.
 *
 * Owned by one worker thread, like its flows.
 */
#ifndef NVD_PROXY_H
#define NVD_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "packet/doubt.h"
#include "packet/flow.h"
#include "packet/quota.h"

#define PROXY_FLOWS_MAX		4096	/* connections followed at once, per worker */
#define PROXY_CLIENT_SHARE	(PROXY_FLOWS_MAX / 8)	/* ... of them from one client */

struct proxy_stats {
	uint64_t flows;			/* connections followed */
	uint64_t requests;		/* later requests handed over */
};

struct proxy_env {
	/* A request after the first: its head (valid during the call). */
	void (*request)(void *ctx, struct flow *f, const struct http_head *h);
	/* The stage cannot follow f (no state for its client, the parser
	 * gave up): the requests to come cannot be judged. */
	void (*doubt)(void *ctx, struct flow *f, enum doubt d);
	void *ctx;
	struct quota quota;		/* states held by each client (proxy_init) */
	uint32_t nflows;
	struct proxy_stats st;
};

int proxy_init(struct proxy_env *e);
void proxy_destroy(struct proxy_env *e);
/*
 * Starts following f, whose client sent len bytes so far (buf, from its
 * first byte: the first request, which the judge judges itself).
 */
void proxy_start(struct proxy_env *e, struct flow *f, const uint8_t *buf, size_t len);
/* In-order stream bytes of f (reasm.h's sink, passed on by the worker). */
void proxy_data(struct proxy_env *e, struct flow *f, int dir, uint64_t offset,
    const uint8_t *buf, size_t len);
/* Frees f's state (flow end, or the stage is done with it). */
void proxy_release(struct proxy_env *e, struct flow *f);

#endif
