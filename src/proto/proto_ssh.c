/*
 * proto_ssh.c: SSH by its identification string (RFC 4253 4.2).
 *
 * "SSH-2.0-softwareversion SP comments CR LF", at most 255 bytes with the
 * CR LF; "SSH-1.99-" is a server that also speaks SSH 1.  Either side may
 * send first.  A server (not a client) may send other lines of text
 * before it; they are bounded here.  SSH 1 alone ("SSH-1.5-") is not
 * claimed.  Some implementations end the line with a bare LF: accepted.
 */
#include "config.h"

#include <string.h>

#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define BANNER_MAX	255	/* RFC 4253 4.2, with the CR LF */
#define PREBANNER_MAX	1024	/* server lines before the banner */

static const char *const versions[] = { "SSH-2.0-", "SSH-1.99-" };

/* The identification line at p (n bytes so far); its text in *sw, *swlen. */
static enum app_result
banner(const uint8_t *p, size_t n, const uint8_t **sw, size_t *swlen)
{
	size_t i, skip = 0;

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		size_t vl = strlen(versions[v]);

		if (memcmp(p, versions[v], n < vl ? n : vl) == 0)
			skip = vl;
	}
	if (skip == 0)
		return APP_NO;
	for (i = 0; i < n && i < BANNER_MAX; i++) {
		if (p[i] == '\n')
			break;
		/* Printable US-ASCII; CR only right before the LF. */
		if ((p[i] < 0x20 || p[i] > 0x7e) &&
		    !(p[i] == '\r' && (i + 1 == n || p[i + 1] == '\n')))
			return APP_NO;
	}
	if (i == BANNER_MAX)
		return APP_NO;
	if (i == n)
		return APP_MAYBE;
	if (i > 0 && p[i - 1] == '\r')
		i--;
	/* softwareversion: at least one byte, no space or minus sign. */
	if (i <= skip || p[skip] == ' ' || p[skip] == '-')
		return APP_NO;
	*sw = p + skip;
	*swlen = i - skip;
	return APP_YES;
}

/* One direction: the banner, after other lines if allowed (server). */
static enum app_result
side(const struct app_input *in, int dir, const uint8_t **sw, size_t *swlen)
{
	const uint8_t *p = in->data[dir];
	size_t len = in->len[dir], off = 0;

	for (;;) {
		size_t n = len - off;
		enum app_result r;

		if (n == 0)
			return probe_more(in, dir);
		/* Other lines must not begin with "SSH-". */
		if (memcmp(p + off, "SSH-", n < 4 ? n : 4) == 0) {
			r = banner(p + off, n, sw, swlen);
			return r == APP_MAYBE && in->closed[dir] ? APP_NO : r;
		}
		if (dir == DIR_TO_SERVER)
			return APP_NO;
		/* Another line of text (UTF-8 allowed), not binary. */
		for (; off < len && p[off] != '\n'; off++)
			if (p[off] < 0x20 && p[off] != '\r' && p[off] != '\t')
				return APP_NO;
		if (off >= PREBANNER_MAX)
			return APP_NO;
		if (off == len)
			return probe_more(in, dir);
		off++;
	}
}

static enum app_result
ssh_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *csw = NULL, *ssw = NULL;
	size_t cn = 0, sn = 0;
	enum app_result c = side(in, DIR_TO_SERVER, &csw, &cn);
	enum app_result s = side(in, DIR_TO_CLIENT, &ssw, &sn);

	/* A side that closed without a byte leaves the other's banner. */
	if ((c == APP_NO && (in->len[DIR_TO_SERVER] > 0 || s != APP_YES)) ||
	    (s == APP_NO && (in->len[DIR_TO_CLIENT] > 0 || c != APP_YES)))
		return APP_NO;
	if (c != APP_YES && s != APP_YES)
		return APP_MAYBE;
	if (csw != NULL)
		app_copy_text(info->client, sizeof(info->client), csw, cn);
	if (ssw != NULL)
		app_copy_text(info->server, sizeof(info->server), ssw, sn);
	return APP_YES;
}

const struct app_ops proto_ssh = {
	.id = APP_SSH,
	.name = "SSH",
	.word = "ssh",
	.hint_ports = { 22, 2222 },
	.probe = ssh_probe,
};
