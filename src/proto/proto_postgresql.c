/*
 * proto_postgresql.c: PostgreSQL by the client's first message (protocol
 * 3, PostgreSQL docs "Message Formats").
 *
 * The client speaks first, with an int32 length (itself included) and an
 * int32 code: a StartupMessage (protocol 3.x, then key\0value\0 pairs and
 * a final \0), or an SSLRequest / GSSENCRequest (length 8) that the server
 * answers with one byte, 'S' / 'G' (encryption follows) or 'N' (the
 * client goes on in the clear, possibly with the other request first), or
 * a CancelRequest (length 16).  method is the message that decided,
 * version the protocol of a StartupMessage.
 */
#include "config.h"

#include <string.h>

#include "base/bytes.h"
#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define CODE_CANCEL	80877102
#define CODE_SSL	80877103
#define CODE_GSSENC	80877104
#define STARTUP_MAX	10000	/* the server's limit on a startup packet */

/* The first 8 bytes at p (n so far) could start a message: *len, *code. */
static enum app_result
header(const uint8_t *p, size_t n, uint32_t *len, uint32_t *code)
{
	/* A length under STARTUP_MAX has two zero bytes first. */
	for (size_t i = 0; i < 2 && i < n; i++)
		if (p[i] != 0)
			return APP_NO;
	if (n < 8)
		return APP_MAYBE;
	*len = be32(p);
	*code = be32(p + 4);
	if (*code == CODE_SSL || *code == CODE_GSSENC)
		return *len == 8 ? APP_YES : APP_NO;
	if (*code == CODE_CANCEL)
		return *len == 16 ? APP_YES : APP_NO;
	if (*code >> 16 != 3 || (*code & 0xffff) > 9 || *len < 9 || *len > STARTUP_MAX)
		return APP_NO;
	return APP_YES;
}

/*
 * The NUL-terminated string at p[*i], before end: 1 (*i past the NUL), 0
 * cut short, -1 a byte under min (keys: no space either).
 */
static int
cstr(const uint8_t *p, size_t end, size_t *i, uint8_t min)
{
	for (; *i < end && p[*i] != 0; (*i)++)
		if (p[*i] < min || (min > 0x20 && p[*i] > 0x7e))
			return -1;
	if (*i >= end)
		return 0;
	(*i)++;
	return 1;
}

/*
 * The parameters of a StartupMessage of len bytes at p (n so far);
 * answered: the server has said something, so the client sent it whole.
 */
static enum app_result
startup(const struct app_input *in, const uint8_t *p, size_t n, uint32_t len,
    int answered, struct app_info *info)
{
	const uint8_t *user = NULL, *db = NULL;
	size_t i = 8, ulen = 0, dblen = 0, end = len < n ? len : n, key, val;
	int r = 1;

	while (i < end && p[i] != 0) {
		key = i;
		if ((r = cstr(p, end, &i, 0x21)) <= 0)
			break;
		val = i;
		if ((r = cstr(p, end, &i, 0x20)) <= 0)
			break;
		if (val - key == 5 && memcmp(p + key, "user", 4) == 0)
			user = p + val, ulen = i - 1 - val;
		else if (val - key == 9 && memcmp(p + key, "database", 8) == 0)
			db = p + val, dblen = i - 1 - val;
	}
	if (r < 0)
		return APP_NO;
	if (i >= end) {
		/* Cut short: by the probe's limit, or not yet, or for good. */
		if (len <= n || answered)
			return APP_NO;
		if (in->len[DIR_TO_SERVER] < APP_PROBE_MAX)
			return probe_more(in, DIR_TO_SERVER);
	} else if (i + 1 != len)
		return APP_NO;		/* the final \0 is not the last byte */
	info->version[0] = (char)('0' + p[5]);
	info->version[1] = '.';
	info->version[2] = (char)('0' + p[7]);
	info->version[3] = '\0';
	app_copy_text(info->user, sizeof(info->user), user, ulen);
	app_copy_text(info->database, sizeof(info->database), db, dblen);
	return APP_YES;
}

static enum app_result
said(struct app_info *info, const char *method)
{
	app_copy_text(info->method, sizeof(info->method), (const uint8_t *)method,
	    strlen(method));
	return APP_YES;
}

static enum app_result
postgresql_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *c = in->data[DIR_TO_SERVER], *s = in->data[DIR_TO_CLIENT];
	const char *refused = NULL;
	size_t coff = 0, soff = 0;
	uint32_t len, code;
	enum app_result r;

	if (in->len[DIR_TO_SERVER] == 0)	/* the server must not speak first */
		return in->len[DIR_TO_CLIENT] > 0 ? APP_NO : probe_more(in, DIR_TO_SERVER);
	/* At most a GSSENCRequest then an SSLRequest, each refused. */
	for (int round = 0; round < 3; round++, coff += 8, soff++) {
		size_t n = in->len[DIR_TO_SERVER] - coff;

		/* A client that wanted encryption may leave when refused. */
		if (refused != NULL && n == 0 && in->closed[DIR_TO_SERVER])
			return said(info, refused);
		if ((r = header(c + coff, n, &len, &code)) != APP_YES)
			return r == APP_MAYBE ? probe_more(in, DIR_TO_SERVER) : r;
		if (code == CODE_CANCEL)
			return n < 16 ? probe_more(in, DIR_TO_SERVER) : said(info, "CancelRequest");
		if (code != CODE_SSL && code != CODE_GSSENC) {
			/* The server answers a StartupMessage with R, E or v. */
			if (soff < in->len[DIR_TO_CLIENT] && memchr("REv", s[soff], 3) == NULL)
				return APP_NO;
			r = startup(in, c + coff, n, len, soff < in->len[DIR_TO_CLIENT], info);
			if (r == APP_YES)
				said(info, "StartupMessage");
			return r;
		}
		refused = code == CODE_SSL ? "SSLRequest" : "GSSENCRequest";
		if (soff >= in->len[DIR_TO_CLIENT])
			/* The client waits for the answer before going on. */
			return n > 8 ? APP_NO : probe_more(in, DIR_TO_CLIENT);
		if (s[soff] == (code == CODE_SSL ? 'S' : 'G') || s[soff] == 'E')
			return said(info, refused);
		if (s[soff] != 'N')
			return APP_NO;
	}
	return APP_NO;
}

const struct app_ops proto_postgresql = {
	.id = APP_POSTGRESQL,
	.name = "PostgreSQL",
	.word = "postgresql",
	.hint_ports = { 5432 },
	.probe = postgresql_probe,
};
