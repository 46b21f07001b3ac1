/*
 * fuzz_http: the HTTP/1.x parser on any bytes.  Input: a seed byte for the
 * piece sizes, a byte choosing the limits, a 2-byte big-endian length of
 * the client part, the client bytes, then the server bytes.  The client
 * bytes go to a request parser that tells the response parser each
 * method, the server bytes to that response parser; each in pieces of
 * random size, each piece copied to a buffer of its exact size so that a
 * read past len is caught; then both streams end.
 *
 * The callbacks check http.h's promises (order, bounds, NUL-terminated
 * url, readable pointers) and hash what they get; the same input fed
 * whole must hash the same, unless the inflate ratio stopped a body
 * (that bound depends on the cuts, http.h says so).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct side {
	struct http_limits lim;
	uint64_t hash;
	int in_msg;
	int coded;		/* the message's body is inflated (if not raw) */
	uint64_t body;		/* bytes given in this message */
	unsigned flags;		/* every end's */
	struct http_parser *resp;	/* the request side tells it */
};

static void
mix(struct side *s, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		s->hash = (s->hash ^ b[i]) * 1099511628211ull;
}

static void
mix_num(struct side *s, uint64_t v)
{
	mix(s, &v, sizeof(v));
}

static void
on_head(void *ctx, const struct http_head *h)
{
	struct side *s = ctx;

	if (s->in_msg || h->headers_len > s->lim.head_max)
		abort();
	if (!h->response) {
		if (h->method_len == 0 || h->method_len > 32 || h->target_len == 0 ||
		    h->url_len > s->lim.url_max || h->url[h->url_len] != '\0')
			abort();
		mix(s, h->method, h->method_len);
		mix(s, h->target, h->target_len);
		mix(s, h->url, h->url_len);
		if (s->resp != NULL)
			http_parser_expect(s->resp, h->method, h->method_len);
	} else if (h->status < 100 || h->status > 999)
		abort();
	mix(s, h->headers, h->headers_len);
	mix_num(s, (uint64_t)h->status << 32 | h->nheaders);
	mix_num(s, (uint64_t)h->content_length);
	mix_num(s, (uint64_t)h->flags << 8 | (unsigned)h->coding << 2 | (unsigned)h->chunked << 1 |
	    (unsigned)h->has_body);
	s->in_msg = 1;
	s->coded = h->coding == HTTP_CODING_GZIP || h->coding == HTTP_CODING_DEFLATE;
	s->body = 0;
}

static void
on_body(void *ctx, const uint8_t *d, size_t n)
{
	struct side *s = ctx;

	if (!s->in_msg || n == 0)
		abort();
	mix(s, d, n);
	s->body += n;
}

static void
on_end(void *ctx, unsigned flags)
{
	struct side *s = ctx;

	if (!s->in_msg)
		abort();
	if (s->coded && !(flags & HTTP_F_ENC_MISMATCH) && s->body > s->lim.inflate_max)
		abort();
	mix_num(s, flags);
	s->flags |= flags;
	s->in_msg = 0;
}

static const struct http_callbacks cbs = { on_head, on_body, on_end };

static uint32_t
next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Feeds buf in pieces (one piece when seed is 0); -1 must stay -1. */
static void
feed(struct http_parser *p, struct side *s, const uint8_t *buf, size_t len, uint32_t seed)
{
	int failed = 0;

	while (len > 0) {
		size_t n = seed == 0 ? len : 1 + next_rand(&seed) % 64;
		uint8_t *piece;
		int rc;

		if (n > len)
			n = len;
		if ((piece = malloc(n)) == NULL)
			abort();
		memcpy(piece, buf, n);
		rc = http_parser_feed(p, piece, n, &cbs, s);
		free(piece);
		if ((failed && rc != -1) || (rc == -1) != ((http_parser_flags(p) & HTTP_F_FATAL) != 0))
			abort();
		failed = rc == -1;
		buf += n;
		len -= n;
	}
}

/* Both streams through a pair of parsers; returns a hash of it all. */
static uint64_t
conversation(const struct http_limits *lim, const uint8_t *cli, size_t clen,
    const uint8_t *srv, size_t slen, uint32_t seed, unsigned *flags)
{
	struct http_parser *q = http_parser_new(0, lim), *p = http_parser_new(1, lim);
	struct side c = { .hash = 14695981039346656037ull }, s = c;
	uint64_t h;

	if (q == NULL || p == NULL)
		abort();
	c.lim = s.lim = *lim;
	c.resp = p;
	feed(q, &c, cli, clen, seed);
	feed(p, &s, srv, slen, seed ? seed * 2654435761u : 0);
	http_parser_eof(q, &cbs, &c);
	http_parser_eof(p, &cbs, &s);
	if (c.in_msg || s.in_msg)
		abort();	/* every head got its end */
	mix_num(&c, http_parser_flags(q));
	mix_num(&s, http_parser_flags(p));
	*flags = c.flags | s.flags;
	h = c.hash ^ (s.hash * 31);
	http_parser_free(q);
	http_parser_free(p);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits lim = { HTTP_HEAD_MAX, HTTP_URL_MAX, HTTP_INFLATE_MAX, HTTP_INFLATE_RATIO };
	size_t clen;
	unsigned f1, f2;
	uint64_t whole, cut;

	if (size < 4)
		return 0;
	if (data[1] & 1) {	/* small limits, to reach them */
		lim.head_max = 32 + (data[1] >> 1);
		lim.url_max = 1 + (data[1] >> 3);
		lim.inflate_max = 1 + (size_t)data[1] * 64;
		lim.inflate_ratio = 1 + (data[1] >> 4);
	}
	clen = (size_t)data[2] << 8 | data[3];
	data += 4;
	size -= 4;
	if (clen > size)
		clen = size;
	whole = conversation(&lim, data, clen, data + clen, size - clen, 0, &f1);
	cut = conversation(&lim, data, clen, data + clen, size - clen, data[-4] | 0x100u, &f2);
	/* Where the ratio bound or a corrupt encoded body stops a body may
	 * depend on the cuts (zlib reports a corrupt stream after the output
	 * it could make of the input it was given); nothing else may. */
	if (whole != cut && !((f1 | f2) & (HTTP_F_INFLATE_RATIO | HTTP_F_INFLATE_ERROR)))
		abort();
	return 0;
}
