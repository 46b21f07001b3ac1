/*
 * control_proto.h: the protocol between nvctl and nvd on the control socket.
 *
 * One request, one response, then the connection closes.  Both start with
 * struct ctl_hdr in host byte order (the socket is local).  A request's
 * body is the command words, each ended by a NUL ("status\0" or
 * "group\0mode\0web\0protect\0").  A response's body is text for people,
 * or one JSON value when the request had CTL_F_JSON.  Every length is
 * checked against the CTL_MAX_* bounds before anything is read.
 *
 * Who may ask what: root (and nvd's own user) and members of group
 * CTL_GROUP may send any request; members of group CTL_GROUP_READ only
 * those that read (status, list, show, events ...), and are answered
 * CTL_RESP_DENIED for the others; anyone else is refused when they
 * connect.  A client sends its whole request within CTL_REQUEST_MS of
 * connecting and reads the whole reply within CTL_REPLY_MS, or nvd
 * closes the connection (nvd(8), SECURITY).
 */
#ifndef NVD_CONTROL_PROTO_H
#define NVD_CONTROL_PROTO_H

#include <stdint.h>

#define CTL_MAGIC		0x4e56	/* "NV" */
#define CTL_VERSION		1
#define CTL_MAX_REQUEST		(64 * 1024)
/* A request of root or group nvd may carry a document (nvctl policy import). */
#define CTL_MAX_DOCUMENT	(16 * 1024 * 1024 + CTL_MAX_REQUEST)
#define CTL_MAX_RESPONSE	(64 * 1024 * 1024)
#define CTL_MAX_ARGS		64
#define CTL_REQUEST_MS		2000
#define CTL_REPLY_MS		10000

/* The groups of the control socket's users (nvd.sysusers creates them). */
#define CTL_GROUP		"nvd"		/* every request */
#define CTL_GROUP_READ		"nvd-read"	/* requests that only read */

/* Request types */
#define CTL_REQ_COMMAND		1

/* Response types: the outcome, and nvctl's exit status. */
#define CTL_RESP_OK		0	/* exit 0 */
#define CTL_RESP_ERROR		1	/* exit 1: failed */
#define CTL_RESP_NOTFOUND	2	/* exit 1: no such thing */
#define CTL_RESP_USAGE		3	/* exit 2: the command was malformed */
#define CTL_RESP_NOMATCH	4	/* exit 1, body to stdout: ran, found nothing
					 * (sensor test without a match) */
#define CTL_RESP_DENIED		5	/* exit 1: the client may not run this
					 * request (group CTL_GROUP_READ) */

/* sensor test: bytes of input; nvctl sends --file's as --hex, twice as long. */
#define CTL_MAX_TEST_INPUT	(24 * 1024)
/* admission test: the JSON text of a file nvctl sends as --input. */
#define CTL_MAX_ADMISSION_INPUT	(60 * 1024)

/* Flags */
#define CTL_F_JSON		0x0001

struct ctl_hdr {
	uint16_t magic;
	uint16_t version;
	uint16_t type;
	uint16_t flags;
	uint32_t len;		/* body bytes that follow */
};

#endif
