/*
 * quota.h: a client's share of a bounded per-worker resource (detection
 * buffers, inspection states), so that one client cannot take them all:
 * what it holds past its share it does without, and its own connections
 * are in doubt (doubt.h), not everybody's.
 *
 * A client is a source address (16 bytes, IPv4 in the first 4).  The
 * count of each client lives in an open-addressing table sized for the
 * resource's bound, so taking and giving back cost a few probes.  Owned
 * by one worker thread.
 */
#ifndef NVD_QUOTA_H
#define NVD_QUOTA_H

#include <stdint.h>

struct quota_slot;

struct quota {
	struct quota_slot *slots;
	uint32_t mask;
	uint32_t share;		/* the most one client may hold */
	uint64_t refused;	/* takes refused: the client held its share */
};

/* For a resource of at most max units, share of them per client.
 * Returns 0 or -1 (no memory). */
int quota_init(struct quota *q, uint32_t max, uint32_t share);
void quota_destroy(struct quota *q);
/* One unit for client addr: 0, or -1 when it holds its share already. */
int quota_take(struct quota *q, const uint8_t addr[16]);
/* Gives back a unit quota_take() gave. */
void quota_give(struct quota *q, const uint8_t addr[16]);
/* What client addr holds now. */
uint32_t quota_held(const struct quota *q, const uint8_t addr[16]);

#endif
