/*
 * scan_tls.h: the TLS records of a connection, both directions, as they
 * stream (SSL.Heartbleed, SSL.Version.2or3, SSL.TLS1.0, SSL.TLS1.1;
 * threat_def.h).  The scanner walks the record headers (RFC 5246 section
 * 6.2.1), reads the first handshake message each way (the ClientHello's
 * and ServerHello's versions, their supported_versions and heartbeat
 * extensions, RFC 8446 section 4.2.1 and RFC 6520), and the first bytes
 * of each heartbeat record.  Memory is the struct (the hellos are kept up
 * to TLS_HELLO_KEEP bytes); the same bytes cut anyhow give the same
 * findings.
 *
 * - TLS_HEARTBLEED: a heartbeat request (before its sender's
 *   ChangeCipherSpec, so in the clear) whose payload length with its type,
 *   length and 16 bytes of padding is more than its record; or, once
 *   encrypted, a heartbeat record from the server more than
 *   TLS_HB_SLACK bytes longer than the client's last one (what a server
 *   answering a heartbleed request sends);
 * - TLS_SSL2: a ClientHello in SSL 2's record format offering SSL 2, or
 *   a server's SSL 2 answer; TLS_SSL3: SSL 3.0 the highest version the
 *   client offers, or the version the server agrees;
 * - TLS_TLS10, TLS_TLS11: the version the server agrees.
 *
 * Pure: no allocation, no state outside the struct.  Fuzzed.
 */
#ifndef NVD_SCAN_TLS_H
#define NVD_SCAN_TLS_H

#include <stddef.h>
#include <stdint.h>

#define TLS_HEARTBLEED	0x01u
#define TLS_SSL2	0x02u
#define TLS_SSL3	0x04u
#define TLS_TLS10	0x08u
#define TLS_TLS11	0x10u

#define TLS_HELLO_KEEP	1024	/* bytes of each first handshake message kept */
#define TLS_HB_SLACK	256	/* an encrypted heartbeat answer longer than its request by this */

struct tls_scan_dir {
	uint8_t hdr[5];
	uint8_t hlen;			/* of the record header being read */
	uint8_t type;			/* the current record's content type */
	uint32_t rlen;			/* its length */
	uint32_t left;			/* its bytes still to come */
	uint8_t hb[3];			/* a heartbeat's type and payload length */
	uint8_t hblen;
	uint8_t ccs;			/* sent ChangeCipherSpec: encrypted since */
	uint8_t bad;			/* not TLS records: nothing more is read */
	uint8_t hello_done;		/* the first handshake message is read */
	uint32_t records;		/* records since ChangeCipherSpec */
	uint64_t bytes;			/* read so far */
	uint16_t hello_len;
	uint8_t hello[TLS_HELLO_KEEP];
};

struct tls_scan {
	struct tls_scan_dir d[2];	/* 0: client to server, 1: server to client */
	uint16_t client_max;		/* the highest version the client offers, 0 until known */
	uint16_t agreed;		/* the version the server agrees, 0 until known */
	uint8_t server_hb;		/* the server agreed to heartbeats */
	uint32_t hb_req;		/* the client's last encrypted heartbeat record's length */
	unsigned found;
	/* For the event: the heartbeat that gave TLS_HEARTBLEED. */
	uint32_t hb_payload, hb_record;
};

void tls_scan_init(struct tls_scan *s);
/* The next len bytes of direction dir (0 or 1).  Returns what they showed
 * that was not found before (TLS_* bits). */
unsigned tls_scan_feed(struct tls_scan *s, int dir, const uint8_t *buf, size_t len);
/*
 * Whether nothing more can be found: both directions unreadable, or the
 * version agreed and either TLS 1.3 (no heartbeat) or a server that did
 * not agree to heartbeats past the handshake (each end's first record after
 * its ChangeCipherSpec).
 */
int tls_scan_done(const struct tls_scan *s);
/* "SSL 2", "SSL 3.0", "TLS 1.0" ... for a version number, "?" if none. */
const char *tls_version_name(uint16_t v);

#endif
