/*
 * syncut.h: a SYN passed on without its bytes (nvd(8), WHAT CANNOT BE
 * JUDGED).
 *
 * Without TCP Fast Open a server's kernel drops the bytes of a SYN, and
 * nvd's streams begin after it.  With Fast Open (RFC 7413) the server's
 * application reads them at once, before nvd could judge them as part
 * of a stream: an SQL injection sent in a SYN would reach it unseen.  So
 * a SYN (or SYN-ACK) with bytes goes on without them, as a middlebox
 * that strips SYN data would send it: the sender's TCP finds them not
 * acknowledged and sends them again after the handshake, where they are
 * the stream nvd inspects.  Fast Open costs its client one round trip
 * through nvd, and nothing else changes.
 */
#ifndef NVD_SYNCUT_H
#define NVD_SYNCUT_H

#include <stddef.h>
#include <stdint.h>

#define SYNCUT_MAX	512	/* headers longer than this are not cut: dropped */

/*
 * Cuts pkt, an IPv4 or IPv6 packet of len bytes whose TCP header starts
 * at l4 and whose TCP payload starts at payload, to its headers: the IP
 * length and both checksums set anew (the kernel takes a packet nvd gives
 * back as it is, its checksums included).  Returns the new length, or 0
 * when it cannot (the offsets do not fit the packet, an IPv6 routing
 * header or an extension header it does not know): drop such a packet.
 */
size_t syncut(uint8_t *pkt, size_t len, size_t l4, size_t payload);

#endif
