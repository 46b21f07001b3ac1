/*
 * nvd.h: the types every stage of the packet path shares, and the limits.
 */
#ifndef NVD_H
#define NVD_H

#include <stdint.h>
#include <stddef.h>

#define NVD_DEFAULT_CONF	"/etc/nvd/nvd.conf"

/* Direction of a packet within its flow. */
enum flow_dir {
	DIR_TO_SERVER = 0,	/* sent by the side that opened the flow */
	DIR_TO_CLIENT = 1,
};

/*
 * What the packet path decided for one packet.  BYPASS accepts the packet
 * and asks the kernel to stop queueing the rest of its flow.  HOLD keeps
 * the packet in the queue; its verdict comes later (sensor.crs).
 */
enum verdict {
	VERDICT_ACCEPT = 0,
	VERDICT_DROP,
	VERDICT_BYPASS,
	VERDICT_HOLD,		/* none yet: the packet waits (nfq_queue_late) */
};

/*
 * Bits of the packet and conntrack marks that nvd owns (0x7ff00000):
 *
 *   NOCT    0x40000000  (packet mark only) conntrack has no entry for the
 *                       packet (ct state invalid or untracked): its verdict
 *                       cannot be saved, so nvd never bypasses it
 *   BYPASS  0x20000000  the flow is handed back to the kernel
 *   OWN     0x10000000  packets nvd sends itself (TCP resets): never queued
 *   GEN     0x0ff00000  the bypass generation, 0-255, beside BYPASS
 *   SRCOK   0x00080000  kernel decisions (nft.h): the packet came in on the
 *                       bridge port of the workload whose address it carries
 *   DSTOK   0x00040000  ... and goes out on the port of its destination's
 *
 * A verdict that bypasses a flow carries BYPASS and the generation of the
 * policy snapshot that judged the flow, in the packet mark (the rule at the
 * top of nvd's chains saves both in the conntrack mark) or, with conntrack
 * glue, in the conntrack mark itself.  The rules accept without queueing
 * only the flows whose conntrack mark has BYPASS and the current
 * generation.  A policy change that may tighten the policy moves to the
 * next generation (live.h), so every bypassed flow comes back to the queue
 * at its next packet and is judged again (nft.h, ct.h).
 */
#define NVD_MARK_NOCT		0x40000000u
#define NVD_MARK_BYPASS		0x20000000u
#define NVD_MARK_OWN		0x10000000u
#define NVD_MARK_GEN_MASK	0x0ff00000u
#define NVD_MARK_GEN_SHIFT	20
#define NVD_BYPASS_GENS		256
#define NVD_MARK_GEN(g)		(((uint32_t)(g) << NVD_MARK_GEN_SHIFT) & NVD_MARK_GEN_MASK)
#define NVD_MARK_SRCOK		0x00080000u
#define NVD_MARK_DSTOK		0x00040000u
/* The bits a bypass sets or clears. */
#define NVD_MARK_BYPASS_BITS	(NVD_MARK_BYPASS | NVD_MARK_GEN_MASK)

/* What the kernel says of a queued packet besides its bytes. */
#define PKT_NOCT		0x1	/* conntrack holds no entry for it (NVD_MARK_NOCT) */

#define MAX_QUEUES		64
#define MAX_STEER		32
#define IFNAME_LEN		16

#endif
