/*
 * kdec.h: decisions in the kernel (nvd.8, KERNEL DECISIONS), as plain
 * data: what policy/kdec.c compiles from a snapshot and kernel/nft.c
 * writes into nvd's sets, so that neither layer names the other.
 *
 * Workloads whose groups are the same are one class: they are judged
 * alike.  A class pair's element says that a new connection from a
 * workload of class from to one of class to, with protocol proto and a
 * server port in lo..hi, is allowed by a rule that names no application,
 * with nothing in nvd that needs its packets (kdec.c says what that is).
 */
#ifndef NVD_KDEC_H
#define NVD_KDEC_H

#include <stdint.h>

/* An address of a workload: its class, and the interface (bridge port)
 * its packets come from and go to in nvd's namespace. */
struct kdec_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; 4 bytes used for AF_INET */
	int ifindex;		/* > 0 */
	uint32_t cls;		/* >= 1 */
};

struct kdec_elem {
	uint32_t from, to;	/* classes */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t lo, hi;	/* server ports, inclusive */
	int64_t rule_id;	/* the rule that allows them (its hit count) */
};

/* What the kernel is told (policy_kdec(), freed with policy_kdec_free()). */
struct kdec_table {
	struct kdec_addr *addrs;
	int naddrs;
	struct kdec_elem *elems;
	int nelems;
	int classes;		/* classes made */
	int pairs;		/* class pairs with at least one element */
	int over;		/* a bound was passed: no element is kept, the
				 * kernel decides nothing (nvd does) */
};

#endif
