/*
 * scan_tls.c: TLS records as they stream (scan_tls.h).
 */
#include "config.h"

#include <string.h>

#include "threat/scan_tls.h"

#define REC_CCS		20
#define REC_HANDSHAKE	22
#define REC_HEARTBEAT	24
#define REC_MAX		(16384 + 2048)	/* a TLSCiphertext's length at most */
#define EXT_HEARTBEAT	15
#define EXT_VERSIONS	43
#define SSL2_VERSION	0x0002
#define SSL3_VERSION	0x0300
#define TLS13_VERSION	0x0304

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A GREASE value (RFC 8701): 0x?a?a. */
static int
grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void
tls_scan_init(struct tls_scan *s)
{
	memset(s, 0, sizeof(*s));
}

const char *
tls_version_name(uint16_t v)
{
	switch (v) {
	case SSL2_VERSION:
		return "SSL 2";
	case SSL3_VERSION:
		return "SSL 3.0";
	case 0x0301:
		return "TLS 1.0";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case TLS13_VERSION:
		return "TLS 1.3";
	}
	return "?";
}

static void
find(struct tls_scan *s, unsigned bit, unsigned *out)
{
	if (!(s->found & bit))
		*out |= bit;
	s->found |= bit;
}

/*
 * The extensions of a hello, n bytes at e (cut or whole): the highest
 * supported version offered (client) or the one selected (server), and
 * the heartbeat extension.
 */
static void
hello_exts(const uint8_t *e, size_t n, int server, uint16_t *version, int *hb)
{
	size_t off = 0;

	while (n - off >= 4) {
		uint16_t type = rd16(e + off), len = rd16(e + off + 2);
		const uint8_t *v = e + off + 4;

		if (len > n - off - 4)
			break;
		if (type == EXT_HEARTBEAT)
			*hb = 1;
		else if (type == EXT_VERSIONS && server && len == 2)
			*version = rd16(v);
		else if (type == EXT_VERSIONS && !server && len >= 1) {
			for (size_t i = 1; i + 1 < (size_t)len && i + 1 <= v[0]; i += 2) {
				uint16_t x = rd16(v + i);

				if (!grease(x) && x > *version)
					*version = x;
			}
		}
		off += 4 + (size_t)len;
	}
}

/*
 * A ClientHello's or ServerHello's body (n bytes kept, maybe cut): its
 * legacy version, then past the random, session id, suites or suite, and
 * compression methods, its extensions.
 */
static void
hello(struct tls_scan *s, int dir, const uint8_t *b, size_t n, unsigned *out)
{
	size_t off = 34;	/* version and random */
	uint16_t legacy, ext = 0;
	int hb = 0;

	if (n < off + 1)
		return;
	legacy = rd16(b);
	off += 1 + (size_t)b[off];			/* session id */
	if (dir == 0) {
		if (n >= off + 2)
			off += 2 + rd16(b + off);	/* cipher suites */
		if (n >= off + 1)
			off += 1 + (size_t)b[off];	/* compression methods */
	} else
		off += 3;				/* the suite and the method */
	if (n >= off + 2 && n - off - 2 > 0)
		hello_exts(b + off + 2, n - off - 2 < rd16(b + off) ? n - off - 2 : rd16(b + off),
		    dir, &ext, &hb);
	if (dir == 0) {
		s->client_max = ext > legacy ? ext : legacy;
		if (s->client_max == SSL3_VERSION)
			find(s, TLS_SSL3, out);
	} else {
		s->agreed = ext ? ext : legacy;
		s->server_hb = (uint8_t)hb;
		if (s->agreed == SSL3_VERSION)
			find(s, TLS_SSL3, out);
		else if (s->agreed == 0x0301)
			find(s, TLS_TLS10, out);
		else if (s->agreed == 0x0302)
			find(s, TLS_TLS11, out);
	}
}

/* Bytes of a handshake record before ChangeCipherSpec: the first message's. */
static void
handshake(struct tls_scan *s, int dir, const uint8_t *b, size_t n, unsigned *out)
{
	struct tls_scan_dir *d = &s->d[dir];
	size_t room = TLS_HELLO_KEEP - d->hello_len, take = n < room ? n : room;
	size_t need;

	memcpy(d->hello + d->hello_len, b, take);
	d->hello_len = (uint16_t)(d->hello_len + take);
	if (d->hello_len < 4)
		return;
	need = 4 + ((size_t)d->hello[1] << 16 | (size_t)d->hello[2] << 8 | d->hello[3]);
	if (d->hello_len < need && d->hello_len < TLS_HELLO_KEEP)
		return;
	d->hello_done = 1;
	if (d->hello[0] == (dir == 0 ? 1 : 2))
		hello(s, dir, d->hello + 4, (need < d->hello_len ? need : d->hello_len) - 4, out);
}

/* A heartbeat record's first three bytes are in (plaintext), or its header (encrypted). */
static void
heartbeat(struct tls_scan *s, int dir, unsigned *out)
{
	struct tls_scan_dir *d = &s->d[dir];
	uint32_t payload = rd16(d->hb + 1);

	if (!d->ccs && dir == 0 && d->hb[0] == 1) {
		s->hb_req = d->rlen;
		/* type, length, payload and at least 16 bytes of padding */
		if (3 + payload + 16 > d->rlen) {
			s->hb_payload = payload;
			s->hb_record = d->rlen;
			find(s, TLS_HEARTBLEED, out);
		}
	} else if (d->ccs && dir == 0)
		s->hb_req = d->rlen;
	else if (dir == 1 && d->rlen > s->hb_req + TLS_HB_SLACK) {
		s->hb_payload = d->ccs ? 0 : payload;
		s->hb_record = d->rlen;
		find(s, TLS_HEARTBLEED, out);
	}
}

/* An SSL 2 record header (RFC 6101 appendix E): a hello, or an SSL 2 answer. */
static void
ssl2(struct tls_scan *s, int dir, unsigned *out)
{
	struct tls_scan_dir *d = &s->d[dir];

	if (dir == 0 && d->hdr[2] == 1) {		/* CLIENT-HELLO */
		uint16_t v = rd16(d->hdr + 3);

		s->client_max = v;
		if (v == SSL2_VERSION)
			find(s, TLS_SSL2, out);
		else if (v == SSL3_VERSION)
			find(s, TLS_SSL3, out);
		d->rlen = (uint32_t)((d->hdr[0] & 0x7f) << 8 | d->hdr[1]);
		d->left = d->rlen > 3 ? d->rlen - 3 : 0;
		d->type = 0;
		d->hello_done = 1;
		if (v == SSL2_VERSION)
			d->bad = 1;	/* SSL 2 follows: nothing more to read */
		return;
	}
	if (dir == 1 && d->hdr[2] == 4) {		/* SERVER-HELLO */
		s->agreed = SSL2_VERSION;
		find(s, TLS_SSL2, out);
	}
	d->bad = 1;
}

/* The record header is whole: what follows, or not TLS. */
static void
header(struct tls_scan *s, int dir, unsigned *out)
{
	struct tls_scan_dir *d = &s->d[dir];

	if (d->bytes == 5 && (d->hdr[0] & 0x80)) {
		ssl2(s, dir, out);
		return;
	}
	d->type = d->hdr[0];
	d->rlen = rd16(d->hdr + 3);
	if (d->type < REC_CCS || d->type > REC_HEARTBEAT || d->hdr[1] != 3 || d->rlen > REC_MAX) {
		d->bad = 1;
		return;
	}
	d->left = d->rlen;
	d->hblen = 0;
	if (d->type == REC_HEARTBEAT && d->ccs)
		heartbeat(s, dir, out);
}

/* The record ended. */
static void
record_end(struct tls_scan_dir *d)
{
	if (d->type == REC_CCS)
		d->ccs = 1;
	else if (d->ccs)
		d->records++;
	d->hlen = 0;
}

/* n body bytes of the current record. */
static void
body(struct tls_scan *s, int dir, const uint8_t *b, size_t n, unsigned *out)
{
	struct tls_scan_dir *d = &s->d[dir];

	if (d->type == REC_HANDSHAKE && !d->ccs && !d->hello_done)
		handshake(s, dir, b, n, out);
	else if (d->type == REC_HEARTBEAT && !d->ccs && d->hblen < 3) {
		size_t take = n < (size_t)(3 - d->hblen) ? n : (size_t)(3 - d->hblen);

		memcpy(d->hb + d->hblen, b, take);
		d->hblen = (uint8_t)(d->hblen + take);
		if (d->hblen == 3)
			heartbeat(s, dir, out);
	}
}

unsigned
tls_scan_feed(struct tls_scan *s, int dir, const uint8_t *buf, size_t len)
{
	struct tls_scan_dir *d = &s->d[dir & 1];
	unsigned out = 0;

	dir &= 1;
	while (len > 0 && !d->bad) {
		size_t n;

		if (d->hlen < 5) {
			n = (size_t)(5 - d->hlen) < len ? (size_t)(5 - d->hlen) : len;
			memcpy(d->hdr + d->hlen, buf, n);
			d->hlen = (uint8_t)(d->hlen + n);
			d->bytes += n;
			if (d->hlen == 5)
				header(s, dir, &out);
			if (d->hlen == 5 && d->left == 0 && !d->bad)
				record_end(d);
		} else {
			n = d->left < len ? d->left : len;
			body(s, dir, buf, n, &out);
			d->left -= (uint32_t)n;
			d->bytes += n;
			if (d->left == 0)
				record_end(d);
		}
		buf += n;
		len -= n;
	}
	return out;
}

int
tls_scan_done(const struct tls_scan *s)
{
	const struct tls_scan_dir *c = &s->d[0], *v = &s->d[1];

	if (c->bad && v->bad)
		return 1;
	if (s->agreed == 0)
		return 0;
	if (s->agreed >= TLS13_VERSION || s->agreed == SSL2_VERSION)
		return 1;
	return !s->server_hb && c->ccs && v->ccs && c->records > 0 && v->records > 0;
}
