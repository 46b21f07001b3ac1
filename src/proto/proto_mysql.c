/*
 * proto_mysql.c: MySQL and MariaDB by the server's greeting (MySQL client/
 * server protocol, "Connection Phase").
 *
 * Packets are a 3-byte little-endian payload length, a sequence number,
 * the payload.  The server speaks first, sequence 0: an Initial Handshake
 * (protocol version 10, the NUL-terminated server version, ...) or an
 * error packet (0xff, code, message) to a host it refuses.  The answer is
 * held back (MAYBE) until the client's first packet, sequence 1, is whole:
 * a Handshake Response names the user, the schema and the client
 * library's _client_name (and _client_version) attribute; a short
 * SSLRequest (the method) means TLS follows.  A client that leaves without
 * one still leaves a MySQL server.  server is the version, or the error.
 */
#include "config.h"

#include <string.h>

#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define GREETING_MAX		1024
#define CLIENT_CONNECT_WITH_DB	0x00000008
#define CLIENT_PROTOCOL_41	0x00000200
#define CLIENT_SSL		0x00000800
#define CLIENT_SECURE_CONN	0x00008000
#define CLIENT_PLUGIN_AUTH	0x00080000
#define CLIENT_CONNECT_ATTRS	0x00100000
#define CLIENT_LENENC_AUTH	0x00200000

/* A bounded cursor over one packet's payload; off past n marks an error. */
struct cur {
	const uint8_t *p;
	size_t n, off;
};

static uint32_t
le(const uint8_t *p, size_t bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | p[bytes];
	return v;
}

/* A NUL-terminated string at the cursor; its length in *len. */
static const uint8_t *
cstr(struct cur *c, size_t *len)
{
	const uint8_t *s = c->p + c->off, *nul;

	if (c->off >= c->n || (nul = memchr(s, 0, c->n - c->off)) == NULL) {
		c->off = c->n + 1;
		return NULL;
	}
	*len = (size_t)(nul - s);
	c->off += *len + 1;
	return s;
}

/* A length-encoded integer, then that many bytes. */
static const uint8_t *
lenenc(struct cur *c, size_t *len)
{
	size_t w = 0;
	uint64_t v = 0;

	if (c->off >= c->n)
		goto bad;
	switch (c->p[c->off]) {
	case 0xfc:
		w = 2;
		break;
	case 0xfd:
		w = 3;
		break;
	case 0xfe:
		w = 8;
		break;
	case 0xfb:
	case 0xff:
		goto bad;
	default:
		v = c->p[c->off];
	}
	if (w >= c->n - c->off)
		goto bad;
	for (size_t i = w; i > 0; i--)
		v = v << 8 | c->p[c->off + i];
	c->off += 1 + w;
	if (v > c->n - c->off)
		goto bad;
	*len = (size_t)v;
	c->off += (size_t)v;
	return c->p + c->off - v;
bad:
	c->off = c->n + 1;
	return NULL;
}

/* The _client_name and _client_version connection attributes. */
static void
attrs(struct cur *c, struct app_info *info)
{
	const uint8_t *name = NULL, *ver = NULL, *k, *v;
	size_t all, kl, vl, nl = 0, verl = 0;
	struct cur a;

	if ((a.p = lenenc(c, &all)) == NULL)
		return;
	a.n = all;
	a.off = 0;
	while (a.off < a.n && (k = lenenc(&a, &kl)) != NULL && (v = lenenc(&a, &vl)) != NULL) {
		if (kl == 12 && memcmp(k, "_client_name", 12) == 0)
			name = v, nl = vl;
		else if (kl == 15 && memcmp(k, "_client_version", 15) == 0)
			ver = v, verl = vl;
	}
	if (name == NULL)
		return;
	app_copy_text(info->client, sizeof(info->client), name, nl);
	if (ver != NULL && nl + 1 < sizeof(info->client)) {
		info->client[nl] = ' ';
		app_copy_text(info->client + nl + 1, sizeof(info->client) - nl - 1, ver, verl);
	}
}

/* The client's Handshake Response 41 (n payload bytes at p). */
static void
response(const uint8_t *p, size_t n, struct app_info *info)
{
	struct cur c = { p, n, 32 };
	const uint8_t *s;
	size_t len;
	uint32_t caps;

	if (n < 32 || !((caps = le(p, 4)) & CLIENT_PROTOCOL_41))
		return;
	if (n == 32 && (caps & CLIENT_SSL)) {
		app_copy_text(info->method, sizeof(info->method), (const uint8_t *)"SSLRequest", 10);
		return;
	}
	if ((s = cstr(&c, &len)) == NULL)
		return;
	app_copy_text(info->user, sizeof(info->user), s, len);
	if (caps & CLIENT_LENENC_AUTH)
		lenenc(&c, &len);
	else if ((caps & CLIENT_SECURE_CONN) && c.off < n)
		c.off += 1 + p[c.off];
	else
		cstr(&c, &len);
	if ((caps & CLIENT_CONNECT_WITH_DB) && (s = cstr(&c, &len)) != NULL)
		app_copy_text(info->database, sizeof(info->database), s, len);
	if (caps & CLIENT_PLUGIN_AUTH)
		cstr(&c, &len);
	if (caps & CLIENT_CONNECT_ATTRS)
		attrs(&c, info);
}

/*
 * The server's first packet, whole: a handshake or an error.  *text is the
 * server version (without the "5.5.5-" MariaDB 10 puts first for old
 * clients) or the error message.
 */
static int
greeting(const uint8_t *p, size_t n, const uint8_t **text, size_t *tlen)
{
	const uint8_t *nul;
	size_t vl;

	if (p[0] == 0xff) {
		/* Error code (server errors are 1000 and up), then text. */
		if (n < 4 || le(p + 1, 2) < 1000)
			return 0;
		for (size_t i = 3; i < n; i++)
			if (p[i] < 0x20 || p[i] > 0x7e)
				return 0;
		*text = p + 3;
		*tlen = n - 3;
		return 1;
	}
	if ((nul = memchr(p + 1, 0, n - 1)) == NULL || (vl = (size_t)(nul - p - 1)) == 0)
		return 0;
	for (size_t i = 1; i <= vl; i++)
		if (p[i] <= 0x20 || p[i] > 0x7e)
			return 0;
	/* Thread id, 8 bytes of scramble, a zero filler, capabilities. */
	if (n < vl + 2 + 4 + 8 + 1 + 2 || p[vl + 2 + 12] != 0 ||
	    !(le(p + vl + 2 + 13, 2) & CLIENT_PROTOCOL_41))
		return 0;
	*text = p + 1;
	*tlen = vl;
	if (vl > 6 && memcmp(p + 1, "5.5.5-", 6) == 0)
		*text += 6, *tlen -= 6;
	return 1;
}

static enum app_result
mysql_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *s = in->data[DIR_TO_CLIENT], *c = in->data[DIR_TO_SERVER], *text;
	size_t sn = in->len[DIR_TO_CLIENT], cn = in->len[DIR_TO_SERVER], plen = 0, tlen;

	/* Length up to GREETING_MAX, sequence 0, handshake v10 or error. */
	if ((sn > 1 && s[1] > GREETING_MAX >> 8) || (sn > 2 && s[2] != 0) ||
	    (sn > 3 && s[3] != 0) || (sn > 4 && s[4] != 0x0a && s[4] != 0xff))
		return APP_NO;
	if (sn >= 4 && ((plen = le(s, 3)) < 4 || plen > GREETING_MAX))
		return APP_NO;
	if (sn < 4 || sn < 4 + plen)	/* the client waits for all of it */
		return cn > 0 ? APP_NO : probe_more(in, DIR_TO_CLIENT);
	if (!greeting(s + 4, plen, &text, &tlen))
		return APP_NO;
	if (s[4] != 0xff) {
		/* The client's first packet, sequence 1, names the user: wait for it. */
		if (cn >= 4 && c[3] != 1)
			return APP_NO;
		if (cn < 4 || cn < 4 + le(c, 3)) {
			if (!in->closed[DIR_TO_SERVER] && cn < APP_PROBE_MAX)
				return APP_MAYBE;
		} else
			response(c + 4, le(c, 3), info);
	}
	app_copy_text(info->server, sizeof(info->server), text, tlen);
	return APP_YES;
}

const struct app_ops proto_mysql = {
	.id = APP_MYSQL,
	.name = "MySQL",
	.word = "mysql",
	.hint_ports = { 3306 },
	.probe = mysql_probe,
};
