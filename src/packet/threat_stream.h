/*
 * threat_stream.h: the state of a flow whose stream the threat detectors
 * read (threat.h), shared by threat.c and the files of the detectors of
 * each application.  One per flow, from threat_flow_new() at the decision
 * of its application to its release.
 */
#ifndef NVD_THREAT_STREAM_H
#define NVD_THREAT_STREAM_H

#include <stdint.h>

#include "packet/threat.h"
#include "threat/scan_sql.h"
#include "threat/scan_tls.h"

struct http_parser;

struct threat_http {
	struct http_parser *hp;		/* the requests' parser, or NULL once it gave up */
	uint64_t head_ms;		/* since when a request's head is incomplete, 0: none */
	uint8_t xml;			/* the body being read is XML */
	uint8_t tail_len;
	uint8_t tail[32];		/* the last bytes of the body before this piece */
};

/* PostgreSQL and MySQL: the client's messages, framed, their statements scanned. */
struct threat_sql {
	uint8_t started;		/* PostgreSQL: the startup message went; MySQL: the
					 * handshake response */
	uint8_t stopped;		/* encrypted or compressed: nothing more to read */
	uint8_t hdr[8];
	uint8_t hlen;			/* of the message header being read */
	uint8_t type;			/* the message's type (PostgreSQL); MySQL: the
					 * packet is 2^24 - 1 bytes, the next goes on */
	uint8_t part;			/* where in the message: see threat_sql.c */
	uint32_t left;			/* its bytes still to come */
	struct sql_scan scan;
};

struct threat_flow {
	uint8_t app;			/* enum app_id */
	uint8_t ssh_seen;		/* SSH: banners looked at, a bit per direction */
	uint64_t seen[2];		/* stream bytes read, per direction (the rest is new) */
	union {
		struct tls_scan tls;
		struct threat_http http;
		struct threat_sql sql;
	} u;
};

/* Each reads the new bytes of one direction (offset: where they start). */
void threat_tls_feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n);
void threat_http_feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n);
void threat_sql_feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n);
/* HTTP: the parser made for the flow, and given back. */
int threat_http_start(struct threat_env *e, struct threat_flow *t);
void threat_http_stop(struct threat_env *e, struct threat_flow *t);

#endif
