/*
 * nfq.h: NFQUEUE I/O for one queue, with the libmnl nfq_nlmsg_* API.
 *
 * One struct nfq_queue per worker thread.  nfq_queue_run() receives packets in
 * batches (recvmmsg), hands each to worker_packet() and sends all their
 * verdicts in one sendmsg, folding runs of equal verdicts into batch
 * verdicts.  Every packet received gets a verdict, also on error paths.
 */
#ifndef NVD_NFQ_H
#define NVD_NFQ_H

#include <stdint.h>

#include "base/conf.h"
#include "packet/worker.h"

struct nfq_queue;

/*
 * Binds queue num with GSO, copy of whole packets, maxlen and (fail_mode
 * open) fail-open.  Returns NULL and logs why on failure (EBUSY: another
 * program holds the queue).
 */
struct nfq_queue *nfq_queue_open(uint16_t num, uint32_t maxlen, enum fail_mode fm);
void nfq_queue_close(struct nfq_queue *q);
/* 1: flows are bypassed through conntrack glue; 0: through the packet mark. */
int nfq_queue_ct_glue(const struct nfq_queue *q);

/* Runs until *stop becomes non-zero (checked at least every 200 ms). */
void nfq_queue_run(struct nfq_queue *q, struct worker *w, const int *stop);

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
