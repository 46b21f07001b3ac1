/*
 * link.h: where another network namespace's interfaces meet this one.
 *
 * A container's interface is one end of a veth pair whose other end, its
 * port on a bridge, is in nvd's namespace; what the container sends comes
 * in on that port (NFQUEUE's physical in-interface).  link_peers() finds
 * the ports of process pid's namespace through rtnetlink alone: the
 * namespace gets an id here (RTM_GETNSID, or RTM_NEWNSID when it has
 * none), its links are listed through that id (IFLA_TARGET_NETNSID), and
 * each veth's peer is kept only if the kernel says it is here and paired
 * with it.  Nothing is entered and nothing the container could write (its
 * /sys, its /proc) is read; it needs CAP_NET_ADMIN only.
 *
 * Threads: any; it blocks on the kernel's answers (each wait bounded by
 * 2 s), so it is not for the packet path.
 */
#ifndef NVD_LINK_H
#define NVD_LINK_H

#include <stddef.h>
#include <stdint.h>

struct link_peer {
	uint8_t mac[6];		/* the interface's hardware address, over there */
	int ifindex;		/* its index over there */
	int peer;		/* the index of its veth peer in this namespace */
};

/*
 * The interfaces of process pid's network namespace whose veth peer is in
 * this one, up to max.  Returns the count, or -1 with one line in err
 * ("pid 4242: no such process").
 */
int link_peers(int pid, struct link_peer *out, int max, char *err, size_t errlen);

#endif
