/*
 * proto_http.c: HTTP/1.0 and 1.1 (RFC 9112).
 *
 * A complete request line with a known method says HTTP, but the probe
 * waits (APP_MAYBE) for the empty line that ends the header block, so that
 * the Host is known and an h2c upgrade can be told apart; it stops waiting
 * when the client has closed or sent APP_PROBE_MAX bytes (then the Host is
 * reported if it came), or when the server has already answered with a
 * status line.  An h2c upgrade (RFC 7540 section 3.2) is HTTP/2 when the
 * server answers 101, HTTP when it answers anything else; proto_http2.c
 * decides the same cases the other way round.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "proto/app.h"
#include "proto/probe.h"
#include "proto/proto_http.h"

#define METHOD_MAX	10	/* the longest below, MKCALENDAR */

/* RFC 9110 section 9, RFC 5789, and WebDAV's (RFC 4918, 3253, 4791, 5323). */
static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
	"PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "REPORT", "SEARCH", "MKCALENDAR",
};

/* Whether the n bytes at p are a known method (whole), or begin one. */
static int
method_ok(const uint8_t *p, size_t n, int whole)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t mlen = strlen(methods[i]);

		if ((whole ? n == mlen : n <= mlen) && !memcmp(p, methods[i], n))
			return 1;
	}
	return 0;
}

/* Whether the n bytes at p agree with s as far as both go. */
static int
agrees(const uint8_t *p, size_t n, const char *s)
{
	size_t slen = strlen(s);

	return n == 0 || !memcmp(p, s, n < slen ? n : slen);
}

/* tchar of RFC 9110 section 5.6.2. */
static int
token_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

/* Whether the comma-separated list of n bytes at v holds the token tok. */
static int
has_token(const uint8_t *v, size_t n, const char *tok)
{
	size_t i = 0, tlen = strlen(tok);

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tlen && !strncasecmp((const char *)v + s, tok, tlen))
			return 1;
	}
	return 0;
}

/*
 * The request line (RFC 9112 section 3): method SP request-target SP
 * HTTP/1.x CRLF (a bare LF is tolerated, section 2.2).  On APP_YES *end
 * is the offset of the first header line.
 */
static enum app_result
request_line(const uint8_t *p, size_t len, struct http1_head *h, size_t *end)
{
	size_t i = 0, t, v;

	while (i < len && i <= METHOD_MAX && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	if (i == len)
		return method_ok(p, i, 0) ? APP_MAYBE : APP_NO;
	if (p[i] != ' ' || !method_ok(p, i, 1))
		return APP_NO;
	t = ++i;
	/* Origin, absolute, authority (an IPv6 literal in brackets too) or
	 * asterisk form: visible bytes. */
	while (i < len && p[i] > ' ' && p[i] != 0x7f)
		i++;
	if (t < i && p[t] != '/' && p[t] != '*' && p[t] != '[' && !(p[t] >= 'a' && p[t] <= 'z') &&
	    !(p[t] >= 'A' && p[t] <= 'Z') && !(p[t] >= '0' && p[t] <= '9'))
		return APP_NO;
	if (i == len)
		return APP_MAYBE;
	if (p[i] != ' ' || i == t)
		return APP_NO;
	v = ++i;
	if (!agrees(p + v, len - v, "HTTP/1."))
		return APP_NO;
	if (len - v <= 7)
		return APP_MAYBE;
	if (p[v + 7] != '0' && p[v + 7] != '1')
		return APP_NO;
	i = v + 8;
	if (i < len && p[i] == '\r')
		i++;
	if (i == len)
		return APP_MAYBE;
	if (p[i] != '\n')
		return APP_NO;
	h->method = p;
	h->method_len = t - 1;
	h->target = p + t;
	h->target_len = v - 1 - t;
	h->minor = (char)p[v + 7];
	h->line_done = 1;
	*end = i + 1;
	return APP_YES;
}

/*
 * The header fields (RFC 9112 section 5) up to the empty line: each a
 * token, a colon and a value, or an obsolete folded continuation.
 */
static enum app_result
header_block(const uint8_t *p, size_t len, size_t off, struct http1_head *h)
{
	int upgrade = 0, settings = 0;

	while (off < len) {
		const uint8_t *nl = memchr(p + off, '\n', len - off);
		size_t lend, c, vs, ve;

		if (nl == NULL)
			break;
		lend = (size_t)(nl - p);
		if (lend > off && p[lend - 1] == '\r')
			lend--;
		if (lend == off) {
			h->head_done = 1;
			break;
		}
		if (p[off] != ' ' && p[off] != '\t') {
			for (c = off; c < lend && token_char(p[c]); c++)
				;
			if (c == off || c == lend || p[c] != ':')
				return APP_NO;
			for (vs = c + 1; vs < lend && (p[vs] == ' ' || p[vs] == '\t'); vs++)
				;
			for (ve = lend; ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'); ve--)
				;
			if (c - off == 4 && !strncasecmp((const char *)p + off, "host", 4) &&
			    h->host == NULL) {
				h->host = p + vs;
				h->host_len = ve - vs;
			} else if (c - off == 7 && !strncasecmp((const char *)p + off, "upgrade", 7))
				upgrade |= has_token(p + vs, ve - vs, "h2c");
			else if (c - off == 14 &&
			    !strncasecmp((const char *)p + off, "http2-settings", 14))
				settings = 1;
		}
		off = (size_t)(nl - p) + 1;
	}
	h->h2c = upgrade && settings;
	return h->head_done ? APP_YES : APP_MAYBE;
}

/*
 * A client's first bytes as an HTTP/1.x request head: APP_NO when they
 * cannot be one, APP_YES when the head is complete, APP_MAYBE while they
 * are a valid beginning; h is filled as far as read.
 */
static enum app_result
http1_request(const uint8_t *p, size_t len, struct http1_head *h)
{
	size_t off = 0;
	enum app_result r;

	memset(h, 0, sizeof(*h));
	r = request_line(p, len, h, &off);
	if (r != APP_YES)
		return r;
	return header_block(p, len, off, h);
}

/*
 * A server's first bytes as "HTTP/1.x NNN": the status code, 0 while they
 * are a valid beginning, -1 when they are not one.
 */
static int
http1_status(const uint8_t *p, size_t len)
{
	if (!agrees(p, len, "HTTP/1."))
		return -1;
	for (size_t i = 7; i < len && i < 12; i++) {
		int ok;

		if (i == 7)
			ok = p[i] == '0' || p[i] == '1';
		else if (i == 8)
			ok = p[i] == ' ';
		else if (i == 9)
			ok = p[i] >= '1' && p[i] <= '5';
		else
			ok = p[i] >= '0' && p[i] <= '9';
		if (!ok)
			return -1;
	}
	if (len < 12)
		return 0;
	return (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}

enum app_result
http1_exchange(const struct app_input *in, struct http1_head *h, int *status)
{
	enum app_result r = http1_request(in->data[0], in->len[0], h);
	int ended = in->closed[0] || in->len[0] >= APP_PROBE_MAX;

	if (r == APP_NO || (!h->line_done && ended))
		return APP_NO;
	if (!h->line_done)
		return APP_MAYBE;
	*status = http1_status(in->data[1], in->len[1]);
	if (!h->head_done && !ended && !(*status > 0 && *status != 101))
		return APP_MAYBE;
	return APP_YES;
}

void
http1_head_info(const struct http1_head *h, const char *version, struct app_info *info)
{
	app_copy_text(info->method, sizeof(info->method), h->method, h->method_len);
	app_copy_text(info->path, sizeof(info->path), h->target, h->target_len);
	app_copy_text(info->host, sizeof(info->host), h->host, h->host_len);
	app_copy_text(info->version, sizeof(info->version), (const uint8_t *)version,
	    strlen(version));
}

static enum app_result
http_probe(const struct app_input *in, struct app_info *info)
{
	struct http1_head h;
	enum app_result r;
	int status;

	if ((r = probe_client_first(in)) != APP_YES)
		return r;
	if ((r = http1_exchange(in, &h, &status)) != APP_YES)
		return r;
	if (h.h2c && status == 101)
		return APP_NO;		/* switched to HTTP/2 */
	if (h.h2c && status == 0 && !in->closed[1])
		return APP_MAYBE;
	http1_head_info(&h, h.minor == '0' ? "1.0" : "1.1", info);
	return APP_YES;
}

const struct app_ops proto_http = {
	.id = APP_HTTP,
	.name = "HTTP",
	.word = "http",
	.hint_ports = { 80, 8080, 8000 },
	.probe = http_probe,
};
