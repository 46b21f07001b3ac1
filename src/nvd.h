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
 * and asks the kernel to stop queueing the rest of its flow.
 */
enum verdict {
	VERDICT_ACCEPT = 0,
	VERDICT_DROP,
	VERDICT_BYPASS,
};

/*
 * Packet mark bit nvd sets on a verdict to ask for bypass; the top rule of
 * nvd's chain copies it into the conntrack mark (see nft.c).
 */
#define NVD_MARK_BYPASS		0x20000000u
/* Mark of the packets nvd sends itself (TCP resets): never queued. */
#define NVD_MARK_OWN		0x10000000u

#define MAX_QUEUES		64
#define MAX_STEER		32
#define IFNAME_LEN		16

#endif
