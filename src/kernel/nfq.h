/*
 * nfq.h: NFQUEUE I/O for one queue, with the libmnl nfq_nlmsg_* API.
 *
 * One struct nfq_queue per worker thread: one netlink socket bound to two
 * queues, the worker's queue (fail-open when fail_mode is open) and its
 * protect queue (never fail-open: a full queue drops, so the traffic of
 * protect-mode workloads, which nft.h steers there, is never passed
 * unjudged).  The rules balance both ranges by the same hash of the
 * addresses, so a connection whose mode changes stays with its worker.
 * nfq_queue_run() receives packets in batches (recvmmsg), hands each to
 * its handler and sends all their verdicts in one sendmsg, folding runs of
 * equal verdicts of one queue into batch verdicts.  Every packet received
 * gets a verdict, also on error paths: at once, or later for a packet its
 * handler holds (VERDICT_HOLD, then nfq_queue_late()); while a queue has
 * packets held, no batch verdict is sent on it (one would cover them).
 */
#ifndef NVD_NFQ_H
#define NVD_NFQ_H

#include <stdint.h>

#include <stddef.h>

#include "base/conf.h"
#include "base/types.h"

struct nfq_queue;

/*
 * Binds queue num with GSO, copy of whole packets, maxlen and (fail_mode
 * open) fail-open, and queue protect_num the same but never fail-open.
 * Returns NULL and logs why on failure (EBUSY: another program holds a
 * queue).
 */
struct nfq_queue *nfq_queue_open(uint16_t num, uint16_t protect_num, uint32_t maxlen,
    enum fail_mode fm);
void nfq_queue_close(struct nfq_queue *q);
/* 1: flows are bypassed through conntrack glue; 0: through the packet mark. */
int nfq_queue_ct_glue(const struct nfq_queue *q);

/*
 * The consumer of a queue's packets, called on the queue's thread.
 * packet() gives one packet's verdict (family: AF_INET, AF_INET6 or 0 if
 * the kernel did not say; pflags: PKT_* of types.h; port: the ifindex of
 * the interface the packet came in on, 0 if none: the bridge port for
 * what crossed a bridge, NFQA_IFINDEX_PHYSINDEV, which br_netfilter
 * gives bridged and routed packets alike, else NFQA_IFINDEX_INDEV); for
 * VERDICT_BYPASS it sets *bypass_mark to the mark bits
 * (NVD_MARK_BYPASS_BITS) the verdict carries; for VERDICT_ACCEPT it may
 * rewrite buf in place and set *cut to the length (at most NFQ_CUT_MAX,
 * less than len) of the packet that goes on (0: the packet as it came;
 * syncut.h); token names the packet for
 * nfq_queue_late() if it returns VERDICT_HOLD.  tick() runs after each
 * batch and at least every 200 ms when no packet comes, and, while the
 * handler holds packets, as soon as wake_fd (an eventfd, or -1) is
 * readable.
 */
#define NFQ_CUT_MAX	512	/* the longest packet a handler may cut one to */

struct nfq_handler {
	enum verdict (*packet)(void *ctx, uint8_t *buf, size_t len, int family,
	    unsigned pflags, uint32_t port, uint64_t now_ms, uint64_t token,
	    uint32_t *bypass_mark, size_t *cut);
	void (*tick)(void *ctx, uint64_t now_ms);
	void *ctx;
	int wake_fd;
};

/*
 * The verdict of a packet the handler held, given on the queue's thread
 * (from tick()): sent with the next verdicts, by the end of the batch.
 */
void nfq_queue_late(struct nfq_queue *q, uint64_t token, enum verdict v);

/* Runs until *stop becomes non-zero (checked at least every 200 ms). */
void nfq_queue_run(struct nfq_queue *q, const struct nfq_handler *h, const int *stop);

/* What the queue's thread counts; nfq_queue_stats() reads it from any thread. */
struct nfq_stats {
	uint64_t batches;
	uint64_t recv_errors;
	uint64_t enobufs;
	uint64_t send_errors;
	uint64_t bad_messages;
	uint64_t missed;	/* ids skipped: passed uninspected (fail-open overrun) */
	uint64_t received[2];	/* packets from the queue, the protect queue */
	uint64_t held;		/* packets held now (VERDICT_HOLD), both queues */
	uint64_t late;		/* verdicts given late */
};
void nfq_queue_stats(const struct nfq_queue *q, struct nfq_stats *out);

/* Kernel counters of /proc/net/netfilter/nfnetlink_queue for queue num. */
struct nfq_kstats {
	int found;
	uint32_t portid;
	uint64_t queue_total;	/* packets waiting in the kernel now */
	uint64_t queue_dropped;	/* queue was full */
	uint64_t user_dropped;	/* socket buffer was full */
};
void nfq_kernel_stats(uint16_t num, struct nfq_kstats *ks);

#endif
