/*
 * rst.h: TCP resets nvd sends when it denies a connection, so that the
 * client (and, mid-stream, the server) learns at once instead of waiting
 * for its timeout.
 *
 * The reset is built from the packet being dropped (RFC 9293 3.10.7.1 /
 * "reset generation") and sent from a raw socket with NVD_MARK_OWN, which
 * nvd's own nftables rules accept without queueing.  One struct rst per
 * worker thread.
 */
#ifndef NVD_RST_H
#define NVD_RST_H

#include <stddef.h>
#include <stdint.h>

#include "packet/decode.h"

struct rst {
	int fd4, fd6;		/* raw sockets, -1 if they could not be had */
	uint64_t sent, failed;
};

/* Opens the raw sockets; without CAP_NET_RAW resets are just not sent. */
void rst_open(struct rst *r);
void rst_close(struct rst *r);

/*
 * Builds into out (at least 60 bytes) the IP packet of a reset:
 * to_sender 1: answering p's sender (as the peer p was sent to would);
 * to_sender 0: to p's receiver, as if from p's sender.  Returns its length.
 */
size_t rst_build(const struct packet *p, int to_sender, uint8_t *out);

/* Sends the resets for dropped TCP packet p: to its sender, and to its
 * receiver too when both is set. */
void rst_send(struct rst *r, const struct packet *p, int both);

#endif
