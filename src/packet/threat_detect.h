/*
 * threat_detect.h: what the threat stage (threat.c) calls in its
 * detectors' files (threat_*.c), and the state of a flow whose stream they
 * read: one per flow, from the decision of its application to its release
 * (threat.c makes and frees it; a detector that is done with it sets
 * done).  The detectors call only threat_env.h.
 */
#ifndef NVD_THREAT_DETECT_H
#define NVD_THREAT_DETECT_H

#include <stdint.h>

#include "packet/threat_env.h"
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
	uint8_t hneed;			/* ... and its length (8 for a startup message) */
	uint8_t type;			/* the message's type (PostgreSQL); MySQL: the
					 * packet is 2^24 - 1 bytes, the next goes on */
	uint8_t part;			/* where in the message: see threat_sql.c */
	uint32_t left;			/* its bytes still to come */
	struct sql_scan scan;
};

struct threat_flow {
	uint8_t app;			/* enum app_id */
	uint8_t done;			/* nothing more to read: threat.c frees it */
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
/* Whether the first request was read whole and no next one begun. */
int threat_http_first_read(const struct threat_flow *t);

/* threat_flood.c */
void threat_flood_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
void threat_flood_established(struct threat_env *e, struct flow *f, const struct packet *p);
int threat_sessions_init(struct threat_env *e);
void threat_session_end(struct threat_env *e, struct flow *f);
/* threat_tcp.c */
void threat_tcp_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
void threat_tcp_flags(struct threat_env *e, struct flow *f, const struct packet *p, uint32_t on,
    uint32_t deny);
int threat_watch_init(struct threat_env *e);
void threat_watch_add(struct threat_env *e, struct flow *f);
void threat_watch_tick(struct threat_env *e);
/* threat_ip.c */
void threat_icmp_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
void threat_fragment(struct threat_env *e, const struct packet *p, uint32_t on, uint32_t deny);
int threat_frags_init(struct threat_env *e);
/* threat_dns.c; threat_dns() is dnsbind.h's message hook (ctx: e), a
 * DNS message on f in direction dir. */
int threat_domains_init(struct threat_env *e);
void threat_dns(void *ctx, struct flow *f, int dir, const uint8_t *msg, size_t len);


#endif
