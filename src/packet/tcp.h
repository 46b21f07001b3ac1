/*
 * tcp.h: a TCP segment is checked against what each end sent and what the
 * other end's window allows before it may change any of nvd's state
 * (struct tcp_dir in flow.h, the TCP state, reassembly).
 *
 * The window rules are conntrack's (tcp_in_window in
 * net/netfilter/nf_conntrack_proto_tcp.c, after Guido van Rooij's "Real
 * Stateful TCP Packet Filtering in IP Filter"): a segment starts no later
 * than the receiver's ack plus its window (scaled by the window scale of
 * its SYN, RFC 7323) and ends no earlier than a window before what its
 * sender sent; an ACK acknowledges nothing its receiver did not send, and
 * nothing older than a window; a SYN/ACK acknowledges the SYN.  A RST is
 * taken as the receiving Linux takes it (RFC 5961 section 3.2): it resets
 * the connection only at the sequence number the receiver expects next;
 * elsewhere in the window the receiver answers it with a challenge ACK and
 * nvd changes nothing; outside the window it is in doubt.  A RST answering
 * a SYN must acknowledge the SYN.
 *
 * A flow joined mid-stream (no SYN seen) starts from what is seen, as
 * conntrack's pickup does: an end's first segment gives its position and
 * window (its scale unknown: read as the largest), an ACK for an end not
 * seen yet gives that end's position, and bytes an end sent before nvd
 * joined may be acknowledged as far as its window allowed.
 *
 * Called by the worker that owns the flow.
 */
#ifndef NVD_TCP_H
#define NVD_TCP_H

#include <stdint.h>

#include "packet/decode.h"
#include "packet/doubt.h"
#include "packet/flow.h"

/*
 * DOUBT_NONE when segment p, sent in direction dir of f, may change
 * nvd's state; else why not: DOUBT_TCP_SEQ (outside the window),
 * DOUBT_TCP_ACK (acknowledges bytes never sent, or older than a window),
 * DOUBT_TCP_RST (a RST outside the window, or one answering a SYN that
 * does not acknowledge it).  Changes nothing.
 */
enum doubt tcp_check(const struct flow *f, int dir, const struct packet *p);

/*
 * A segment tcp_check() passed: its sender's position and window, and the
 * window it advertises to the other end.  Returns the flags the TCP state
 * machine acts on (flow_tcp_track()): RST only when it resets the
 * connection, never FIN (which counts once the stream reaches it, reasm.h).
 * A RST that does not reset changes nothing.
 */
uint8_t tcp_update(struct flow *f, int dir, const struct packet *p);

/* nvd stopped seeing f's segments (the kernel had it): validation starts
 * again from what comes next, as when joined mid-stream. */
void tcp_forget(struct flow *f);

#endif
