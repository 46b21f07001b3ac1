/*
 * proto_tls.c: TLS, known by the client's first message, a ClientHello
 * (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2), in handshake records
 * (RFC 8446 section 5.1) of versions 0x0301 to 0x0304.
 *
 * The hello may span records: their fragments are joined, and the probe
 * says APP_MAYBE until the whole hello is there, then parses it strictly:
 * APP_YES with the server name (RFC 6066 section 3), the ALPN protocols
 * (RFC 7301), and "1.3" when supported_versions offers it, else the
 * legacy version.  A hello that does not fit in the APP_PROBE_MAX bytes a
 * probe sees, or that the client cut short by closing, is parsed as far
 * as it goes once the client has sent those bytes or closed: APP_YES with
 * the extensions wholly within them, unless what is there is malformed.
 * TLS is client first: server bytes before any client byte say no.
 */
#include "config.h"

#include <string.h>

#include "base/bytes.h"
#include "proto/app.h"
#include "proto/probe.h"

#define REC_HANDSHAKE	22
#define REC_MAX		16384		/* a record's plaintext (section 5.1) */
#define HS_CLIENT_HELLO	1
#define HELLO_MIN	41	/* version, random, sid, one suite, one method */
#define HELLO_MAX	65536	/* no real hello comes near */
#define EXT_SNI		0
#define EXT_ALPN	16
#define EXT_VERSIONS	43

/* What the hello says that the probe reports. */
struct hello {
	const uint8_t *sni;
	size_t sni_len;
	char alpn[sizeof(((struct app_info *)0)->alpn)];
	size_t alpn_len;
	int tls13;
};

/*
 * Joins the fragments of the handshake records at the start of the client
 * bytes into hs (len bytes at most), up to the end of the first handshake
 * message.  Returns APP_NO when a record header is not a TLS handshake's.
 */
static enum app_result
records(const uint8_t *p, size_t len, uint8_t *hs, size_t *hslen)
{
	size_t off = 0;

	while (off < len && !(*hslen >= 4 && *hslen >= 4 + ((size_t)be16(hs + 1) << 8 | hs[3]))) {
		size_t n = len - off, rlen, avail;

		if (p[off] != REC_HANDSHAKE || (n > 1 && p[off + 1] != 3) ||
		    (n > 2 && (p[off + 2] < 1 || p[off + 2] > 4)))
			return APP_NO;
		if (n < 5)
			break;
		rlen = be16(p + off + 3);
		if (rlen == 0 || rlen > REC_MAX)
			return APP_NO;
		avail = rlen < n - 5 ? rlen : n - 5;
		memcpy(hs + *hslen, p + off + 5, avail);
		*hslen += avail;
		off += 5 + avail;
	}
	return APP_MAYBE;
}

/* server_name (RFC 6066 section 3): the first host_name. */
static int
ext_sni(const uint8_t *e, size_t n, struct hello *h)
{
	size_t off = 2;

	if (n < 2 || be16(e) != n - 2)
		return -1;
	while (off < n) {
		size_t nlen;

		if (n - off < 3 || (nlen = be16(e + off + 1)) == 0 || nlen > n - off - 3)
			return -1;
		if (e[off] == 0 && h->sni == NULL) {
			h->sni = e + off + 3;
			h->sni_len = nlen;
		}
		off += 3 + nlen;
	}
	return 0;
}

static void
alpn_add(struct hello *h, char c)
{
	if (h->alpn_len + 1 < sizeof(h->alpn))
		h->alpn[h->alpn_len++] = c;
}

/* application_layer_protocol_negotiation (RFC 7301 section 3.1), joined by commas. */
static int
ext_alpn(const uint8_t *e, size_t n, struct hello *h)
{
	size_t off = 2;

	if (n < 3 || be16(e) != n - 2)
		return -1;
	while (off < n) {
		size_t plen = e[off];

		if (plen == 0 || plen > n - off - 1)
			return -1;
		if (h->alpn_len > 0)
			alpn_add(h, ',');
		for (size_t i = 0; i < plen; i++)
			alpn_add(h, (char)e[off + 1 + i]);
		off += 1 + plen;
	}
	return 0;
}

/* supported_versions (RFC 8446 section 4.2.1): whether 1.3 is offered. */
static int
ext_versions(const uint8_t *e, size_t n, struct hello *h)
{
	if (n < 3 || e[0] != n - 1 || e[0] % 2)
		return -1;
	for (size_t i = 1; i < n; i += 2)
		if (be16(e + i) == 0x0304)
			h->tls13 = 1;
	return 0;
}

/*
 * The extensions between off and end; an extension running past a cut
 * hello's end ends the walk, past a whole one's is malformed.
 */
static int
extensions(const uint8_t *b, size_t off, size_t end, int whole, struct hello *h)
{
	while (off < end) {
		size_t type, n;
		int r = 0;

		if (end - off < 4 || (n = be16(b + off + 2)) > end - off - 4)
			return whole ? -1 : 0;
		type = be16(b + off);
		if (type == EXT_SNI)
			r = ext_sni(b + off + 4, n, h);
		else if (type == EXT_ALPN)
			r = ext_alpn(b + off + 4, n, h);
		else if (type == EXT_VERSIONS)
			r = ext_versions(b + off + 4, n, h);
		if (r == -1)
			return -1;
		off += 4 + n;
	}
	return 0;
}

/*
 * The ClientHello body, n bytes, whole or cut: legacy_version, random,
 * legacy_session_id, cipher_suites, legacy_compression_methods, then the
 * extensions (absent in old hellos).  Returns the legacy version, 0 when
 * cut before it, -1 when malformed.
 */
static int
hello_body(const uint8_t *b, size_t n, int whole, struct hello *h)
{
	size_t off = 2 + 32, v, elen;

	if (n < 2)
		return whole ? -1 : 0;
	v = be16(b);
	if (v < 0x0301 || v > 0x0304)
		return -1;
	/* session id (at most 32), suites (pairs, one at least), methods (one at least) */
	for (int i = 0; i < 3; i++) {
		size_t vl, w = i == 1 ? 2 : 1;

		if (off > n || n - off < w)
			return whole ? -1 : (int)v;
		vl = w == 2 ? be16(b + off) : b[off];
		if ((i == 0 && vl > 32) || (i == 1 && (vl < 2 || vl % 2)) || (i == 2 && vl < 1))
			return -1;
		off += w + vl;
	}
	if (off > n)
		return whole ? -1 : (int)v;
	if (off == n && whole)
		return (int)v;
	if (n - off < 2)
		return whole ? -1 : (int)v;
	elen = be16(b + off);
	if (whole && elen != n - off - 2)
		return -1;
	if (extensions(b, off + 2, elen < n - off - 2 ? off + 2 + elen : n, whole, h) == -1)
		return -1;
	return (int)v;
}

static enum app_result
tls_probe(const struct app_input *in, struct app_info *info)
{
	uint8_t hs[APP_PROBE_MAX];
	size_t hslen = 0, len = in->len[0], need;
	int ended = in->closed[0] || len >= APP_PROBE_MAX, v;
	struct hello h;
	enum app_result r;

	if ((r = probe_client_first(in)) != APP_YES)
		return r;
	if (len > APP_PROBE_MAX)
		len = APP_PROBE_MAX;
	if (records(in->data[0], len, hs, &hslen) == APP_NO ||
	    (hslen > 0 && hs[0] != HS_CLIENT_HELLO))
		return APP_NO;
	if (hslen < 4)
		return ended ? APP_NO : APP_MAYBE;
	need = be16(hs + 1) << 8 | hs[3];
	if (need < HELLO_MIN || need > HELLO_MAX)
		return APP_NO;
	need += 4;
	if (hslen < need && !ended)
		return APP_MAYBE;
	memset(&h, 0, sizeof(h));
	v = hello_body(hs + 4, (hslen < need ? hslen : need) - 4, hslen >= need, &h);
	if (v == -1)
		return APP_NO;
	if (h.tls13 || v == 0x0304)
		app_copy_text(info->version, sizeof(info->version), (const uint8_t *)"1.3", 3);
	else if (v != 0) {
		char ver[4] = { '1', '.', (char)('0' + (v & 0xff) - 1), '\0' };

		app_copy_text(info->version, sizeof(info->version), (const uint8_t *)ver, 3);
	}
	app_copy_text(info->host, sizeof(info->host), h.sni, h.sni_len);
	app_copy_text(info->alpn, sizeof(info->alpn), (const uint8_t *)h.alpn, h.alpn_len);
	return APP_YES;
}

const struct app_ops proto_tls = {
	.id = APP_TLS,
	.name = "TLS",
	.word = "tls",
	.hint_ports = { 443, 8443, 993, 465 },
	.probe = tls_probe,
};
