/*
 * doubt.h: why nvd cannot judge a packet or a connection with full
 * knowledge.  A sender controls every one of these states (a forged ACK,
 * an exhausted pool, a head the parser gives up on), so none may open a
 * hole: in protect mode (either end's group) what is in doubt is dropped,
 * in discover and monitor mode it passes with an event that names the
 * reason (judge.h).  Each reason has its counter in `nvctl status`.
 */
#ifndef NVD_DOUBT_H
#define NVD_DOUBT_H

enum doubt {
	DOUBT_NONE = 0,
	/* A packet: nothing of it changes nvd's state. */
	DOUBT_TCP_ACK,		/* an ACK for bytes the peer never sent */
	DOUBT_TCP_RST,		/* a RST not at the sequence number the receiver expects */
	DOUBT_TCP_SEQ,		/* a segment outside the receiver's window */
	DOUBT_TCP_URG,		/* urgent data, which the receiver may take out of
				 * the stream nvd reads */
	DOUBT_OVERLAP,		/* bytes that differ from those seen at the same sequence */
	DOUBT_OOO_LIMIT,	/* out-of-order bytes past the per-flow or memory bound */
	DOUBT_UNDECODABLE,	/* headers nvd cannot read */
	DOUBT_EXT_HEADERS,	/* an IPv6 extension chain past the bound */
	DOUBT_ICMP_UNRELATED,	/* an ICMP error that quotes no connection */
	DOUBT_CT_INVALID,	/* conntrack found the packet invalid */
	DOUBT_FLOW_STATE,	/* no flow state could be had (out of memory) */
	DOUBT_SPOOFED,		/* a source address not its interface's (a workload's
				 * port: policy_spoofed()) */
	DOUBT_UNIDENTIFIED,	/* a new connection with an end that may be a
				 * container not known yet (live_unidentified):
				 * judged afresh at its next packet */
	/* A connection: its application or its contents cannot be told. */
	DOUBT_GAP,		/* bytes nvd never saw */
	DOUBT_MIDSTREAM,	/* joined after its start */
	DOUBT_APP_STATE,	/* no detection buffer left for this client */
	DOUBT_UNDECIDED,	/* application undecided past the provisional bound */
	DOUBT_INSPECT_STATE,	/* no inspection state left for this client */
	DOUBT_HTTP_PARSER,	/* a message the HTTP parser gave up on */
	DOUBT_SENSOR_LIMIT,	/* a pattern hit the matching engine's limits */
	DOUBT_CRS_BUSY,		/* sensor.crs had no room or no rules to evaluate a request */
	DOUBT_CRS_LATE,		/* sensor.crs did not answer within crs_deadline */
	DOUBT_CRS_BODY,		/* a request body past crs_body_limit */
	DOUBT_COUNT
};

/* The word of events' reason field and of the status counters. */
const char *doubt_name(enum doubt d);
/* What happened, for event messages ("an ACK for bytes never sent"). */
const char *doubt_text(enum doubt d);
/* Whether d is about a whole connection (else about one packet). */
static inline int
doubt_is_flow(enum doubt d)
{
	return d >= DOUBT_GAP;
}

#endif
