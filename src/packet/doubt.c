/*
 * doubt.c: the names of doubt.h's reasons.
 */
#include "packet/doubt.h"

static const struct {
	const char *name, *text;
} doubts[DOUBT_COUNT] = {
	[DOUBT_NONE] = { "none", "nothing" },
	[DOUBT_TCP_ACK] = { "tcp_ack", "an ACK for bytes never sent" },
	[DOUBT_TCP_RST] = { "tcp_rst", "a RST out of sequence" },
	[DOUBT_TCP_SEQ] = { "tcp_seq", "a segment outside the window" },
	[DOUBT_TCP_URG] = { "tcp_urg", "urgent data, which the receiver takes out of the stream" },
	[DOUBT_OVERLAP] = { "overlap", "bytes that differ from those sent before" },
	[DOUBT_OOO_LIMIT] = { "ooo_limit", "out-of-order bytes past the bound" },
	[DOUBT_UNDECODABLE] = { "undecodable", "headers that cannot be read" },
	[DOUBT_EXT_HEADERS] = { "ext_headers", "too many IPv6 extension headers" },
	[DOUBT_ICMP_UNRELATED] = { "icmp_unrelated", "an ICMP error about no known connection" },
	[DOUBT_CT_INVALID] = { "ct_invalid", "a packet conntrack found invalid" },
	[DOUBT_FLOW_STATE] = { "flow_state", "no flow state could be had" },
	[DOUBT_SPOOFED] = { "spoofed", "a source address not its interface's" },
	[DOUBT_UNIDENTIFIED] = { "unidentified", "a container not known yet" },
	[DOUBT_GAP] = { "gap", "bytes were missed" },
	[DOUBT_MIDSTREAM] = { "midstream", "joined after its start" },
	[DOUBT_APP_STATE] = { "app_state", "no detection state left for the client" },
	[DOUBT_UNDECIDED] = { "undecided", "application undecided past the bound" },
	[DOUBT_INSPECT_STATE] = { "inspect_state", "no inspection state left for the client" },
	[DOUBT_HTTP_PARSER] = { "http_parser", "an HTTP message the parser gave up on" },
	[DOUBT_SENSOR_LIMIT] = { "sensor_limit", "a pattern hit the matching limits" },
	[DOUBT_CRS_BUSY] = { "crs_busy", "sensor.crs had no room to evaluate a request" },
	[DOUBT_CRS_LATE] = { "crs_late", "sensor.crs did not answer in time" },
	[DOUBT_CRS_BODY] = { "crs_body", "a request body past crs_body_limit" },
};

const char *
doubt_name(enum doubt d)
{
	return (unsigned)d < DOUBT_COUNT ? doubts[d].name : "?";
}

const char *
doubt_text(enum doubt d)
{
	return (unsigned)d < DOUBT_COUNT ? doubts[d].text : "?";
}
