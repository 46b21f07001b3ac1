/*
 * check_http.c: the HTTP/1.x message parser through recording callbacks:
 * url decoding, heads, bodies (length, chunked, until close, gzip and
 * deflate made here with zlib), pipelining, the response framing by its
 * request, every sample cut at every byte, malformed input and bounds.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/http.h"
#include "http/http_url.h"

#define MSGS_MAX	16
#define TEXT_MAX	1024
#define BODY_KEEP	8192

/* One message as the callbacks gave it. */
struct msg {
	int response, minor, status;
	char method[40];
	char target[TEXT_MAX], url[TEXT_MAX], headers[TEXT_MAX];
	size_t url_len;
	unsigned nheaders;
	int64_t content_length;
	int chunked, has_body;
	enum http_coding coding;
	unsigned head_flags, end_flags;
	int ended;
	uint8_t body[BODY_KEEP];
	size_t body_len;	/* all of it, kept or not */
	uint64_t body_hash;
};

struct rec {
	struct msg m[MSGS_MAX];
	int n;
	int order_errors;	/* body or end without a head, head before end */
	int rc;			/* -1 once feed() said so */
	unsigned flags;
	struct http_parser *resp;	/* told each request's method */
};

static void
copy_text(char *dst, const uint8_t *s, size_t n)
{
	if (n >= TEXT_MAX)
		n = TEXT_MAX - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void
rec_head(void *ctx, const struct http_head *h)
{
	struct rec *r = ctx;
	struct msg *m;

	if ((r->n > 0 && !r->m[r->n - 1].ended) || r->n == MSGS_MAX) {
		r->order_errors++;
		return;
	}
	m = &r->m[r->n++];
	m->response = h->response;
	m->minor = h->minor;
	m->status = h->status;
	if (!h->response) {
		copy_text(m->method, h->method, h->method_len < 39 ? h->method_len : 39);
		copy_text(m->target, h->target, h->target_len);
		copy_text(m->url, h->url, h->url_len);
		m->url_len = h->url_len;
		ck_assert_int_eq(h->url[h->url_len], '\0');
		if (r->resp != NULL)
			http_parser_expect(r->resp, h->method, h->method_len);
	}
	copy_text(m->headers, h->headers, h->headers_len);
	m->nheaders = h->nheaders;
	m->content_length = h->content_length;
	m->chunked = h->chunked;
	m->has_body = h->has_body;
	m->coding = h->coding;
	m->head_flags = h->flags;
	m->body_hash = 14695981039346656037ull;
}

static void
rec_body(void *ctx, const uint8_t *d, size_t n)
{
	struct rec *r = ctx;
	struct msg *m = r->n > 0 ? &r->m[r->n - 1] : NULL;

	if (m == NULL || m->ended || n == 0) {
		r->order_errors++;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (m->body_len + i < BODY_KEEP)
			m->body[m->body_len + i] = d[i];
		m->body_hash = (m->body_hash ^ d[i]) * 1099511628211ull;
	}
	m->body_len += n;
}

static void
rec_end(void *ctx, unsigned flags)
{
	struct rec *r = ctx;
	struct msg *m = r->n > 0 ? &r->m[r->n - 1] : NULL;

	if (m == NULL || m->ended) {
		r->order_errors++;
		return;
	}
	m->ended = 1;
	m->end_flags = flags;
}

static const struct http_callbacks rec_cb = { rec_head, rec_body, rec_end };

static struct rec *
rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	return r;
}

/*
 * Feeds s (n bytes) to a new parser of that side, cut at the offsets in
 * cuts (ascending, ncuts of them), then ends the stream if eof.
 */
static struct rec *
run_cut(int response, const struct http_limits *lim, const void *s, size_t n,
    const size_t *cuts, int ncuts, int eof)
{
	struct http_parser *p = http_parser_new(response, lim);
	struct rec *r = rec_new();
	size_t at = 0;

	ck_assert_ptr_nonnull(p);
	for (int i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : n;

		if (http_parser_feed(p, (const uint8_t *)s + at, to - at, &rec_cb, r) < 0)
			r->rc = -1;
		at = to;
	}
	if (eof)
		http_parser_eof(p, &rec_cb, r);
	r->flags = http_parser_flags(p);
	ck_assert_uint_eq(http_parser_messages(p), (unsigned)r->n);
	http_parser_free(p);
	return r;
}

static struct rec *
run(int response, const void *s, size_t n, int eof)
{
	return run_cut(response, NULL, s, n, NULL, 0, eof);
}

static struct rec *
run_str(int response, const char *s)
{
	return run(response, s, strlen(s), 0);
}

/* Request then response stream, the response parser told the methods. */
static struct rec *
conv(const char *req, const void *resp, size_t resp_len, int eof)
{
	struct http_parser *q = http_parser_new(0, NULL), *p = http_parser_new(1, NULL);
	struct rec *rq = rec_new(), *r = rec_new();

	rq->resp = p;
	ck_assert_int_eq(http_parser_feed(q, (const uint8_t *)req, strlen(req), &rec_cb, rq), 0);
	if (http_parser_feed(p, resp, resp_len, &rec_cb, r) < 0)
		r->rc = -1;
	if (eof)
		http_parser_eof(p, &rec_cb, r);
	r->flags = http_parser_flags(p);
	http_parser_free(q);
	http_parser_free(p);
	free(rq);
	return r;
}

static void
rec_same(const struct rec *a, const struct rec *b, size_t cut)
{
	ck_assert_msg(a->n == b->n && a->rc == b->rc && a->flags == b->flags,
	    "cut at %zu: %d/%d messages, rc %d/%d, flags %#x/%#x", cut, a->n, b->n,
	    a->rc, b->rc, a->flags, b->flags);
	ck_assert_msg(memcmp(a->m, b->m, sizeof(a->m)) == 0, "cut at %zu: messages differ", cut);
	ck_assert_int_eq(b->order_errors, 0);
}

/* The sample cut once at every byte, and fed a byte at a time, gives
 * what it gives whole. */
static void
every_cut(int response, const void *s, size_t n, int eof)
{
	struct rec *whole = run(response, s, n, eof), *r;
	size_t *ones = malloc(n * sizeof(*ones));

	ck_assert_int_eq(whole->order_errors, 0);
	for (size_t i = 1; i < n; i++) {
		r = run_cut(response, NULL, s, n, &i, 1, eof);
		rec_same(whole, r, i);
		free(r);
	}
	for (size_t i = 0; i < n; i++)
		ones[i] = i;
	r = run_cut(response, NULL, s, n, ones, (int)n, eof);
	rec_same(whole, r, 0);
	free(r);
	free(ones);
	free(whole);
}

static void
every_cut_str(int response, const char *s)
{
	every_cut(response, s, strlen(s), 0);
}

/* --- zlib-made bodies --------------------------------------------------- */

/* Compresses s with windowBits wbits (15 zlib, 31 gzip, -15 raw). */
static size_t
squeeze(const void *s, size_t n, int wbits, uint8_t *out, size_t max)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)s;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)max;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

/* A request with body b (n bytes) and the headers given, in out. */
static size_t
request_with(uint8_t *out, size_t max, const char *headers, const uint8_t *b, size_t n)
{
	int k = snprintf((char *)out, max, "POST /u HTTP/1.1\r\nHost: h\r\n%s"
	    "Content-Length: %zu\r\n\r\n", headers, n);

	ck_assert(k > 0 && (size_t)k + n <= max);
	memcpy(out + k, b, n);
	return (size_t)k + n;
}

static const char text[] =
    "name=alice&card=4111111111111111&note=the quick brown fox jumps over the lazy dog; "
    "the quick brown fox jumps over the lazy dog again and again";

/* --- url ---------------------------------------------------------------- */

static const char *
url(const char *t, size_t max, unsigned *flags)
{
	static char out[TEXT_MAX];
	size_t n;

	*flags = 0;
	n = http_url_decode((const uint8_t *)t, strlen(t), (uint8_t *)out, max, flags);
	ck_assert_uint_le(n, max);
	out[n] = '\0';
	return out;
}

START_TEST(test_url_decode)
{
	static const struct {
		const char *in, *out;
		unsigned flags;
	} v[] = {
		{ "/a/./b/../c%2e%2e/%2e%2e/etc/passwd?q=1+1%27", "/a/etc/passwd?q=1 1'", 0 },
		{ "/", "/", 0 },
		{ "/a/b/", "/a/b/", 0 },
		{ "/a//b///c", "/a/b/c", 0 },
		{ "//etc/passwd", "/etc/passwd", 0 },
		{ "/a/b/..", "/a/", 0 },
		{ "/a/b/.", "/a/b/", 0 },
		{ "/a/.b/..c/...", "/a/.b/..c/...", 0 },
		{ "/../../etc/passwd", "/etc/passwd", HTTP_F_URL_ABOVE_ROOT },
		{ "/a/../..", "/", HTTP_F_URL_ABOVE_ROOT },
		{ "/..%2f..%2fetc%2fpasswd", "/etc/passwd", HTTP_F_URL_ABOVE_ROOT },
		{ "/%2E%2e/x", "/x", HTTP_F_URL_ABOVE_ROOT },
		{ "/a+b/c?x=a+b&y=%2B", "/a+b/c?x=a b&y=+", 0 },
		{ "/a%3Fb?c=%3F", "/a?b?c=?", 0 },
		{ "/%252e%252e/x", "/%2e%2e/x", 0 },
		{ "/%zz/%4/%", "/%zz/%4/%", HTTP_F_URL_BAD_ESCAPE },
		{ "/x?q=%g1&r=%4", "/x?q=%g1&r=%4", HTTP_F_URL_BAD_ESCAPE },
		{ "/q?a=/../b", "/q?a=/../b", 0 },
		{ "HTTP://Example.COM:8080/a/../B/./c?x=%41+b", "http://example.com:8080/B/c?x=A b", 0 },
		{ "http://h", "http://h/", 0 },
		{ "http://h?q", "http://h/?q", 0 },
		{ "http://h/..", "http://h/", HTTP_F_URL_ABOVE_ROOT },
		{ "*", "*", 0 },
		{ "example.com:443", "example.com:443", 0 },
		{ "a%41/./b", "aA/./b", 0 },
	};
	unsigned f;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_str_eq(url(v[i].in, 512, &f), v[i].out);
		ck_assert_msg(f == v[i].flags, "%s: flags %#x", v[i].in, f);
	}
}
END_TEST

START_TEST(test_url_nul_and_bounds)
{
	uint8_t out[16];
	unsigned f = 0;
	size_t n = http_url_decode((const uint8_t *)"/a%00b", 6, out, sizeof(out), &f);

	ck_assert_uint_eq(n, 4);
	ck_assert(memcmp(out, "/a\0b", 4) == 0);
	ck_assert_uint_eq(f, HTTP_F_URL_NUL);
	ck_assert_str_eq(url("/abcdef/ghi?x=1", 8, &f), "/abcdef/");
	ck_assert_uint_eq(f, HTTP_F_URL_TRUNC);
	ck_assert_str_eq(url("/a/../bcdefgh", 4, &f), "/bcd");
	ck_assert_uint_eq(f, HTTP_F_URL_TRUNC);
	ck_assert_str_eq(url("http://longhost/x", 6, &f), "http:/");
	ck_assert_uint_eq(f, HTTP_F_URL_TRUNC);
	ck_assert_str_eq(url("/x?abc", 3, &f), "/x?");
	ck_assert_uint_eq(f, HTTP_F_URL_TRUNC);
}
END_TEST

/* --- requests ----------------------------------------------------------- */

static const char get_req[] =
    "GET /a/./b/../c%2e%2e/%2e%2e/etc/passwd?q=1+1%27 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "\r\n";

START_TEST(test_request_head)
{
	struct rec *r = run_str(0, get_req);
	const struct msg *m = &r->m[0];

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_str_eq(m->method, "GET");
	ck_assert_str_eq(m->target, "/a/./b/../c%2e%2e/%2e%2e/etc/passwd?q=1+1%27");
	ck_assert_str_eq(m->url, "/a/etc/passwd?q=1 1'");
	ck_assert_str_eq(m->headers, "Host: example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n");
	ck_assert_uint_eq(m->nheaders, 3);
	ck_assert_int_eq(m->minor, 1);
	ck_assert_int_eq(m->content_length, -1);
	ck_assert_int_eq(m->has_body, 0);
	ck_assert_int_eq(m->ended, 1);
	ck_assert_uint_eq(m->head_flags, 0);
	ck_assert_uint_eq(m->end_flags, 0);
	ck_assert_uint_eq(m->body_len, 0);
	free(r);
	every_cut_str(0, get_req);
}
END_TEST

START_TEST(test_request_no_headers_bare_lf)
{
	struct rec *r = run_str(0, "\r\n\r\nOPTIONS * HTTP/1.0\n\nGET http://H/x/../y HTTP/1.1\nHost: H\n\n");

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 2);
	ck_assert_str_eq(r->m[0].method, "OPTIONS");
	ck_assert_str_eq(r->m[0].url, "*");
	ck_assert_str_eq(r->m[0].headers, "");
	ck_assert_uint_eq(r->m[0].nheaders, 0);
	ck_assert_int_eq(r->m[0].minor, 0);
	ck_assert_str_eq(r->m[1].url, "http://h/y");
	ck_assert_str_eq(r->m[1].headers, "Host: H\n");
	free(r);
}
END_TEST

static const char post_req[] =
    "POST /login HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 27\r\n"
    "\r\n"
    "user=admin&pass=' OR 1=1--x";

START_TEST(test_content_length_body)
{
	struct rec *r = run_str(0, post_req);

	ck_assert_int_eq(r->n, 1);
	ck_assert_int_eq(r->m[0].content_length, 27);
	ck_assert_int_eq(r->m[0].has_body, 1);
	ck_assert_uint_eq(r->m[0].body_len, 27);
	ck_assert(memcmp(r->m[0].body, "user=admin&pass=' OR 1=1--x", 27) == 0);
	ck_assert_int_eq(r->m[0].ended, 1);
	free(r);
	every_cut_str(0, post_req);

	/* Not yet all of it: no end. */
	r = run(0, post_req, sizeof(post_req) - 2, 0);
	ck_assert_int_eq(r->m[0].ended, 0);
	ck_assert_uint_eq(r->m[0].body_len, 26);
	free(r);
}
END_TEST

static const char chunked_req[] =
    "POST /up HTTP/1.1\r\n"
    "Host: x\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5;name=val\r\n"
    "hello\r\n"
    "6 ; q=\"a;b\"\r\n"
    " world\r\n"
    "000A\r\n"
    ", 10 bytes\r\n"
    "0;last\r\n"
    "X-Trailer: 1\r\n"
    "X-Sum: abc\r\n"
    "\r\n"
    "GET /next HTTP/1.1\r\n"
    "Host: x\r\n"
    "\r\n";

START_TEST(test_chunked_body)
{
	struct rec *r = run_str(0, chunked_req);

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 2);
	ck_assert_int_eq(r->m[0].chunked, 1);
	ck_assert_int_eq(r->m[0].content_length, -1);
	ck_assert_uint_eq(r->m[0].body_len, 21);
	ck_assert(memcmp(r->m[0].body, "hello world, 10 bytes", 21) == 0);
	ck_assert_int_eq(r->m[0].ended, 1);
	ck_assert_str_eq(r->m[1].url, "/next");
	ck_assert_int_eq(r->m[1].ended, 1);
	free(r);
	every_cut_str(0, chunked_req);

	/* Bare LFs, no trailer. */
	r = run_str(0, "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n");
	ck_assert_int_eq(r->n, 1);
	ck_assert_uint_eq(r->m[0].body_len, 3);
	ck_assert_int_eq(r->m[0].ended, 1);
	free(r);
}
END_TEST

static const char pipelined[] =
    "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
    "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
    "\r\n"		/* the stray CRLF some clients send after a body */
    "HEAD /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    "PUT /4 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n";

START_TEST(test_pipelined)
{
	struct rec *r = run_str(0, pipelined);

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 4);
	ck_assert_str_eq(r->m[0].url, "/1");
	ck_assert_str_eq(r->m[1].url, "/2");
	ck_assert_str_eq(r->m[2].url, "/3");
	ck_assert_str_eq(r->m[3].url, "/4");
	ck_assert_str_eq(r->m[2].method, "HEAD");
	ck_assert_uint_eq(r->m[1].body_len, 3);
	ck_assert_uint_eq(r->m[3].body_len, 2);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(r->m[i].ended, 1);
	free(r);
	every_cut_str(0, pipelined);
}
END_TEST

/* Keep-alive: each message fed as it would come, a request, its answer. */
START_TEST(test_keep_alive)
{
	struct http_parser *q = http_parser_new(0, NULL), *p = http_parser_new(1, NULL);
	struct rec *rq = rec_new(), *rp = rec_new();
	static const char *const reqs[] = {
		"GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
		"HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /c HTTP/1.1\r\nHost: h\r\n\r\n",
	};
	static const char *const resps[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!",
	};

	rq->resp = p;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(http_parser_feed(q, (const uint8_t *)reqs[i], strlen(reqs[i]),
		    &rec_cb, rq), 0);
		ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)resps[i], strlen(resps[i]),
		    &rec_cb, rp), 0);
		ck_assert_int_eq(rq->n, i + 1);
		ck_assert_int_eq(rp->n, i + 1);
		ck_assert_int_eq(rp->m[i].ended, 1);
	}
	ck_assert_int_eq(rp->m[1].has_body, 0);
	ck_assert_int_eq(rp->m[1].content_length, 1000);
	ck_assert_int_eq(rp->m[2].status, 404);
	ck_assert_uint_eq(rp->m[2].body_len, 3);
	ck_assert_int_eq(rq->order_errors + rp->order_errors, 0);
	http_parser_free(q);
	http_parser_free(p);
	free(rq);
	free(rp);
}
END_TEST

/* --- content codings ---------------------------------------------------- */

/* The text sent with this coding and header: the body given is the text. */
static void
coded_body(int wbits, const char *header)
{
	uint8_t z[1024], msg[2048];
	size_t zn = squeeze(text, sizeof(text) - 1, wbits, z, sizeof(z));
	size_t n = request_with(msg, sizeof(msg), header, z, zn);
	struct rec *r = run(0, msg, n, 0);

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_uint_eq(r->m[0].body_len, sizeof(text) - 1);
	ck_assert(memcmp(r->m[0].body, text, sizeof(text) - 1) == 0);
	ck_assert_uint_eq(r->m[0].end_flags, 0);
	ck_assert_int_eq(r->m[0].ended, 1);
	free(r);
	every_cut(0, msg, n, 0);
}

START_TEST(test_gzip_body)
{
	coded_body(31, "Content-Encoding: gzip\r\n");
	coded_body(31, "Content-Encoding: X-GZIP\r\n");
	coded_body(31, "Content-Encoding: identity, gzip\r\n");
}
END_TEST

START_TEST(test_deflate_body)
{
	coded_body(15, "Content-Encoding: deflate\r\n");	/* zlib format, as the RFC says */
	coded_body(-15, "Content-Encoding: deflate\r\n");	/* raw, as some servers send */
}
END_TEST

/* Content-Encoding: gzip with chunked, or gzip as a transfer coding. */
START_TEST(test_gzip_chunked_response)
{
	static const char *const heads[] = {
		"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
		"Transfer-Encoding: gzip ,chunked\r\n",
	};
	uint8_t z[1024], msg[4096];
	size_t zn = squeeze(text, sizeof(text) - 1, 31, z, sizeof(z));
	int k = snprintf((char *)msg, sizeof(msg), "HTTP/1.1 200 OK\r\n%s\r\n%zx\r\n",
	    heads[_i], zn / 2);
	size_t n = (size_t)k;
	struct rec *r;

	memcpy(msg + n, z, zn / 2);
	n += zn / 2;
	n += (size_t)snprintf((char *)msg + n, sizeof(msg) - n, "\r\n%zx\r\n", zn - zn / 2);
	memcpy(msg + n, z + zn / 2, zn - zn / 2);
	n += zn - zn / 2;
	memcpy(msg + n, "\r\n0\r\n\r\n", 7);
	n += 7;
	r = run(1, msg, n, 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_int_eq(r->m[0].coding, HTTP_CODING_GZIP);
	ck_assert_int_eq(r->m[0].chunked, 1);
	ck_assert_uint_eq(r->m[0].body_len, sizeof(text) - 1);
	ck_assert(memcmp(r->m[0].body, text, sizeof(text) - 1) == 0);
	ck_assert_uint_eq(r->m[0].end_flags, 0);
	free(r);
	every_cut(1, msg, n, 0);
}
END_TEST

/* Two gzip members one after the other: both are inflated. */
START_TEST(test_gzip_members)
{
	uint8_t z[2048], msg[4096];
	size_t zn = squeeze("first,", 6, 31, z, sizeof(z));
	size_t n;
	struct rec *r;

	zn += squeeze("second", 6, 31, z + zn, sizeof(z) - zn);
	n = request_with(msg, sizeof(msg), "Content-Encoding: gzip\r\n", z, zn);
	r = run(0, msg, n, 0);
	ck_assert_uint_eq(r->m[0].body_len, 12);
	ck_assert(memcmp(r->m[0].body, "first,second", 12) == 0);
	ck_assert_uint_eq(r->m[0].end_flags, 0);
	free(r);
	every_cut(0, msg, n, 0);
}
END_TEST

/* Plain text that only says it is encoded is given as it is. */
START_TEST(test_coding_mismatch)
{
	static const char *const claims[] = {
		"Content-Encoding: gzip\r\n", "Content-Encoding: deflate\r\n",
	};
	static const char *const bodies[] = {
		"id=1' OR '1'='1' -- and a body longer than the bytes held back",
		"q=<script>",
		"{}",
	};
	uint8_t msg[1024];

	for (int c = 0; c < 2; c++)
		for (int b = 0; b < 3; b++) {
			size_t blen = strlen(bodies[b]);
			size_t n = request_with(msg, sizeof(msg), claims[c],
			    (const uint8_t *)bodies[b], blen);
			struct rec *r = run(0, msg, n, 0);

			ck_assert_msg(r->m[0].body_len == blen &&
			    memcmp(r->m[0].body, bodies[b], blen) == 0, "%s %s", claims[c], bodies[b]);
			ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_ENC_MISMATCH);
			free(r);
			every_cut(0, msg, n, 0);
		}
}
END_TEST

START_TEST(test_coding_corrupt)
{
	uint8_t big[20000], z[32768], msg[40000];
	size_t zn, n;
	struct rec *r;

	uint32_t x = 2463534242u;

	for (size_t i = 0; i < sizeof(big); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		big[i] = (uint8_t)(x % 64 + ' ');	/* random text: deflate keeps it long */
	}
	zn = squeeze(big, sizeof(big), 31, z, sizeof(z));

	/* Cut short: what came is given, and flagged. */
	n = request_with(msg, sizeof(msg), "Content-Encoding: gzip\r\n", z, zn - 100);
	r = run(0, msg, n, 0);
	ck_assert_uint_gt(r->m[0].body_len, BODY_KEEP);
	ck_assert(memcmp(r->m[0].body, big, BODY_KEEP) == 0);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_INFLATE_ERROR);
	free(r);

	/* Damaged in the middle: no crash, flagged. */
	z[zn / 2] ^= 0x55;
	z[zn / 2 + 1] ^= 0xaa;
	n = request_with(msg, sizeof(msg), "Content-Encoding: gzip\r\n", z, zn);
	r = run(0, msg, n, 0);
	ck_assert_uint_eq(r->m[0].end_flags & HTTP_F_INFLATE_ERROR, HTTP_F_INFLATE_ERROR);
	ck_assert_int_eq(r->m[0].ended, 1);
	free(r);

	/* Bytes after a deflate stream. */
	zn = squeeze("abc", 3, 15, z, sizeof(z));
	memcpy(z + zn, "tail", 4);
	n = request_with(msg, sizeof(msg), "Content-Encoding: deflate\r\n", z, zn + 4);
	r = run(0, msg, n, 0);
	ck_assert_uint_eq(r->m[0].body_len, 3);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_INFLATE_ERROR);
	free(r);
	every_cut(0, msg, n, 0);
}
END_TEST

START_TEST(test_coding_unsupported)
{
	static const char *const claims[] = {
		"Content-Encoding: br\r\n", "Content-Encoding: gzip, gzip\r\n",
		"Content-Encoding: gzip\r\nContent-Encoding: deflate\r\n",
	};
	uint8_t msg[1024];

	for (int c = 0; c < 3; c++) {
		size_t n = request_with(msg, sizeof(msg), claims[c], (const uint8_t *)"raw", 3);
		struct rec *r = run(0, msg, n, 0);

		ck_assert_int_eq(r->m[0].coding, HTTP_CODING_OTHER);
		ck_assert_uint_eq(r->m[0].head_flags, HTTP_F_ENC_UNSUPPORTED);
		ck_assert_uint_eq(r->m[0].body_len, 3);
		free(r);
	}
}
END_TEST

/* 1 MB of zeros is about 1 KB of deflate: the inflate bounds stop it. */
START_TEST(test_inflate_bounds)
{
	size_t big_len = 4u << 20, zn, n;
	uint8_t *big = calloc(1, big_len), *z = malloc(65536), *msg = malloc(70000);
	struct http_limits lim = { .inflate_max = 100000, .inflate_ratio = 100000 };
	struct rec *r;

	zn = squeeze(big, big_len, 31, z, 65536);
	n = request_with(msg, 70000, "Content-Encoding: gzip\r\n", z, zn);

	/* The ratio: stopped soon after HTTP_INFLATE_FLOOR. */
	r = run(0, msg, n, 0);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_INFLATE_RATIO);
	ck_assert_uint_gt(r->m[0].body_len, HTTP_INFLATE_FLOOR);
	ck_assert_uint_lt(r->m[0].body_len, HTTP_INFLATE_FLOOR + 8192);
	ck_assert_int_eq(r->m[0].ended, 1);
	free(r);

	/* The output bound, exactly. */
	r = run_cut(0, &lim, msg, n, NULL, 0, 0);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_INFLATE_LIMIT);
	ck_assert_uint_eq(r->m[0].body_len, 100000);
	free(r);

	/* The default: 1 MB. */
	lim.inflate_max = 0;
	r = run_cut(0, &lim, msg, n, NULL, 0, 0);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_INFLATE_LIMIT);
	ck_assert_uint_eq(r->m[0].body_len, HTTP_INFLATE_MAX);
	free(r);
	free(big);
	free(z);
	free(msg);
}
END_TEST

/* --- responses ---------------------------------------------------------- */

START_TEST(test_response_length_and_close)
{
	static const char len_resp[] =
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
	    "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"
	    "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the close";
	struct rec *r = run(1, len_resp, strlen(len_resp), 0);

	ck_assert_int_eq(r->n, 3);
	ck_assert_int_eq(r->m[0].status, 200);
	ck_assert_str_eq(r->m[0].headers, "Content-Type: text/plain\r\nContent-Length: 5\r\n");
	ck_assert_uint_eq(r->m[0].body_len, 5);
	ck_assert_int_eq(r->m[1].has_body, 0);
	ck_assert_int_eq(r->m[1].ended, 1);
	ck_assert_int_eq(r->m[2].has_body, 1);
	ck_assert_uint_eq(r->m[2].body_len, 15);
	ck_assert_int_eq(r->m[2].ended, 0);
	free(r);

	r = run(1, len_resp, strlen(len_resp), 1);
	ck_assert_int_eq(r->m[2].ended, 1);
	ck_assert_uint_eq(r->m[2].end_flags, 0);
	ck_assert_uint_eq(r->flags, HTTP_F_EOF);
	free(r);
	every_cut(1, len_resp, strlen(len_resp), 1);

	/* Ended before its length: truncated. */
	r = run(1, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41, 1);
	ck_assert_int_eq(r->m[0].ended, 1);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_TRUNCATED);
	free(r);
}
END_TEST

START_TEST(test_response_no_body)
{
	static const char req[] =
	    "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n"
	    "DELETE /b HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /c HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n"
	    "POST /d HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx"
	    "GET /e HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
	    "HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n\r\n"
	    "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
	    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes";
	struct rec *r = conv(req, resp, strlen(resp), 0);

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 7);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(r->m[i].has_body, 0);
		ck_assert_int_eq(r->m[i].ended, 1);
	}
	ck_assert_int_eq(r->m[3].status, 100);
	ck_assert_int_eq(r->m[5].status, 201);
	ck_assert_uint_eq(r->m[5].body_len, 2);
	ck_assert_uint_eq(r->m[6].body_len, 3);
	ck_assert_int_eq(r->m[6].ended, 1);
	ck_assert_int_eq(r->order_errors, 0);
	free(r);

	/* Without being told of the HEAD, the response parser waits for a body. */
	r = run(1, resp, strlen(resp), 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_int_eq(r->m[0].has_body, 1);
	ck_assert_int_eq(r->rc, -1);	/* the next status line read as a chunk size */
	ck_assert_uint_eq(r->flags & HTTP_F_BAD_CHUNK, HTTP_F_BAD_CHUNK);
	free(r);
}
END_TEST

START_TEST(test_response_upgrade)
{
	static const char ws[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n\r\n\x81\x05hello";
	static const char tunnel[] = "HTTP/1.1 200 Connection established\r\n\r\n"
	    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	static const char refused_connect[] = "HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct rec *r = conv("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
	    ws, sizeof(ws) - 1, 0);

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_int_eq(r->m[0].ended, 1);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_UPGRADED);
	ck_assert_uint_eq(r->flags, HTTP_F_UPGRADED);
	free(r);

	r = conv("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	    tunnel, sizeof(tunnel) - 1, 0);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_UPGRADED);
	free(r);

	/* A CONNECT refused: HTTP goes on. */
	r = conv("CONNECT example.com:443 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
	    refused_connect, strlen(refused_connect), 0);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 2);
	ck_assert_uint_eq(r->flags, 0);
	free(r);
}
END_TEST

/* --- malformed input ---------------------------------------------------- */

/* s on that side: -1 with the flag, and -1 again after. */
static void
refused(int response, const char *s, unsigned flag)
{
	struct http_parser *p = http_parser_new(response, NULL);
	int rc = http_parser_feed(p, (const uint8_t *)s, strlen(s), NULL, NULL);

	ck_assert_msg(rc == -1, "%s: %d", s, rc);
	ck_assert_msg(http_parser_flags(p) & flag, "%s: flags %#x", s, http_parser_flags(p));
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18,
	    NULL, NULL), -1);
	http_parser_free(p);
}

START_TEST(test_bad_start_lines)
{
	static const char *const reqs[] = {
		"GET /x\r\n\r\n", "GET /x HTTP/2.0\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"GET  /x HTTP/1.1\r\n\r\n", "GET /x  HTTP/1.1\r\n\r\n", "GET /x HTTP/1.1 \r\n\r\n",
		"G(T /x HTTP/1.1\r\n\r\n", " GET /x HTTP/1.1\r\n\r\n", "GET /x\tHTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1\r\r\n\r\n", "GET /\x01 HTTP/1.1\r\n\r\n", "get / http/1.1\r\n\r\n",
		"AVERYLONGMETHODNAMETHATISNOTATOKENWELLITIS / HTTP/1.1\r\n\r\n",
		"\x16\x03\x01\x02\x00", "SSH-2.0-OpenSSH_9.2\r\n",
	};
	static const char *const resps[] = {
		"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n",
		"HTTP/2 200\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 \x7f\r\n\r\n",
		"\x01\x00\x00\x04", "SSH-2.0-OpenSSH_9.2\r\n",
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		refused(0, reqs[i], HTTP_F_NOT_HTTP);
	for (size_t i = 0; i < sizeof(resps) / sizeof(resps[0]); i++)
		refused(1, resps[i], HTTP_F_NOT_HTTP);
}
END_TEST

START_TEST(test_bad_framing)
{
	static const char *const cl[] = {
		"POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5 6\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n",
	};
	static const char *const te[] = {
		"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	static const char *const chunks[] = {
		"zz\r\n", "-1\r\n", "\r\n", "0x10\r\n", "10000000000000000\r\n", "5\r\nhelloX",
		"5\r\nhello\rX", "3 x\r\n", "3;\x01\r\n", "0\r\n\rX",
	};
	char buf[256];
	struct rec *r;

	for (size_t i = 0; i < sizeof(cl) / sizeof(cl[0]); i++)
		refused(0, cl[i], HTTP_F_BAD_LENGTH);
	for (size_t i = 0; i < sizeof(te) / sizeof(te[0]); i++)
		refused(0, te[i], HTTP_F_BAD_TE);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s",
		    chunks[i]);
		refused(0, buf, HTTP_F_BAD_CHUNK);
	}
	refused(1, "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", HTTP_F_BAD_LENGTH);

	/* The head of a message whose framing is bad is still given, then its end. */
	r = run_str(0, cl[0]);
	ck_assert_int_eq(r->rc, -1);
	ck_assert_int_eq(r->n, 1);
	ck_assert_int_eq(r->m[0].ended, 1);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_BAD_LENGTH | HTTP_F_TRUNCATED);
	free(r);

	/* Duplicates that agree are one length. */
	r = run_str(0, "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\ncontent-length:2\r\n\r\nab");
	ck_assert_int_eq(r->rc, 0);
	ck_assert_uint_eq(r->m[0].body_len, 2);
	free(r);

	/* Leading zeros do not make a length too long. */
	r = run_str(0, "POST / HTTP/1.1\r\nContent-Length: 000000000000000000000003\r\n\r\nabc");
	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->m[0].content_length, 3);
	ck_assert_uint_eq(r->m[0].body_len, 3);
	free(r);

	/* Transfer-Encoding wins over Content-Length, flagged. */
	r = run_str(0, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1\r\na\r\n0\r\n\r\n");
	ck_assert_int_eq(r->rc, 0);
	ck_assert_uint_eq(r->m[0].body_len, 1);
	ck_assert_uint_eq(r->m[0].head_flags, HTTP_F_AMBIGUOUS);
	free(r);

	/* A response's Transfer-Encoding not ending in chunked: until the close. */
	r = run(1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f", 46, 1);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->m[0].ended, 1);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_ENC_MISMATCH);
	free(r);
}
END_TEST

START_TEST(test_odd_headers)
{
	struct rec *r = run_str(0, "GET / HTTP/1.1\r\nHost: h\r\nNo colon here\r\n"
	    "Bad name: x\r\n: empty\r\nX-Folded: a\r\n  b\r\nX-Ctl: a\x01z\r\n\r\n");

	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_uint_eq(r->m[0].nheaders, 6);
	ck_assert_uint_eq(r->m[0].head_flags, HTTP_F_BAD_HEADER | HTTP_F_OBS_FOLD);
	free(r);

	/* "Content-Length :" is not Content-Length. */
	r = run_str(0, "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nGET / HTTP/1.1\r\n\r\n");
	ck_assert_int_eq(r->n, 2);
	ck_assert_uint_eq(r->m[0].head_flags, HTTP_F_BAD_HEADER);
	free(r);
}
END_TEST

START_TEST(test_head_too_long)
{
	size_t n = HTTP_HEAD_MAX + 100;
	char *s = malloc(n + 1);
	struct http_limits lim = { .head_max = 64 };
	struct rec *r;

	memcpy(s, "GET / HTTP/1.1\r\nX-Big: ", 23);
	memset(s + 23, 'a', n - 23);
	s[n] = '\0';
	refused(0, s, HTTP_F_HEAD_TOO_LONG);

	/* At the limit exactly it passes; a byte more does not. */
	r = run_cut(0, &lim, "GET / HTTP/1.1\r\nX: 01234567890123456789012345678901234567890\r\n\r\n",
	    64, NULL, 0, 0);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 1);
	free(r);
	r = run_cut(0, &lim, "GET / HTTP/1.1\r\nX: 012345678901234567890123456789012345678901\r\n\r\n",
	    65, NULL, 0, 0);
	ck_assert_int_eq(r->rc, -1);
	ck_assert_int_eq(r->n, 0);
	ck_assert_uint_eq(r->flags, HTTP_F_HEAD_TOO_LONG);
	free(r);

	/* Empty lines count too. */
	memset(s, '\n', 65);
	r = run_cut(0, &lim, s, 65, NULL, 0, 0);
	ck_assert_int_eq(r->rc, -1);
	free(r);
	free(s);
}
END_TEST

/* A large head, then small ones: the buffer given back is taken again. */
START_TEST(test_large_head_then_small)
{
	char big[6000];
	struct rec *r;
	int k = snprintf(big, sizeof(big), "GET /big HTTP/1.1\r\nCookie: ");

	memset(big + k, 'c', 5000);
	strcpy(big + k + 5000, "\r\n\r\nGET /small HTTP/1.1\r\n\r\nGET /again HTTP/1.1\r\n\r\n");
	r = run_str(0, big);
	ck_assert_int_eq(r->rc, 0);
	ck_assert_int_eq(r->n, 3);
	ck_assert_str_eq(r->m[0].url, "/big");
	ck_assert_str_eq(r->m[1].url, "/small");
	ck_assert_str_eq(r->m[2].url, "/again");
	free(r);
}
END_TEST

START_TEST(test_url_bound_in_head)
{
	struct http_limits lim = { .url_max = 4 };
	struct rec *r = run_cut(0, &lim, "GET /abc/def HTTP/1.1\r\n\r\n", 25, NULL, 0, 0);

	ck_assert_str_eq(r->m[0].url, "/abc");
	ck_assert_uint_eq(r->m[0].url_len, 4);
	ck_assert_uint_eq(r->m[0].head_flags, HTTP_F_URL_TRUNC);
	free(r);
}
END_TEST

START_TEST(test_gap_and_eof)
{
	struct http_parser *p = http_parser_new(0, NULL);
	struct rec *r = rec_new();

	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)post_req, 120, &rec_cb, r), 0);
	http_parser_gap(p, &rec_cb, r);
	ck_assert_int_eq(r->m[0].ended, 1);
	ck_assert_uint_eq(r->m[0].end_flags, HTTP_F_TRUNCATED);
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)get_req, strlen(get_req), &rec_cb, r), 0);
	ck_assert_int_eq(r->n, 1);
	ck_assert_uint_eq(http_parser_flags(p), HTTP_F_TRUNCATED | HTTP_F_GAP);
	http_parser_free(p);
	free(r);

	/* A head cut short by the end of the stream: no callback, flagged. */
	p = http_parser_new(0, NULL);
	r = rec_new();
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)get_req, 20, &rec_cb, r), 0);
	http_parser_eof(p, &rec_cb, r);
	ck_assert_int_eq(r->n, 0);
	ck_assert_uint_eq(http_parser_flags(p), HTTP_F_TRUNCATED | HTTP_F_EOF);
	http_parser_free(p);
	free(r);
}
END_TEST

START_TEST(test_pending_full)
{
	struct http_parser *p = http_parser_new(1, NULL);

	for (int i = 0; i < HTTP_PENDING_MAX; i++)
		http_parser_expect(p, (const uint8_t *)"GET", 3);
	ck_assert_uint_eq(http_parser_flags(p), 0);
	http_parser_expect(p, (const uint8_t *)"GET", 3);
	ck_assert_uint_eq(http_parser_flags(p), HTTP_F_PENDING_FULL);
	http_parser_free(p);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_test(tc, test_url_decode);
	tcase_add_test(tc, test_url_nul_and_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("request");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_request_head);
	tcase_add_test(tc, test_request_no_headers_bare_lf);
	tcase_add_test(tc, test_content_length_body);
	tcase_add_test(tc, test_chunked_body);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_keep_alive);
	suite_add_tcase(s, tc);

	tc = tcase_create("coding");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_gzip_body);
	tcase_add_test(tc, test_deflate_body);
	tcase_add_loop_test(tc, test_gzip_chunked_response, 0, 2);
	tcase_add_test(tc, test_gzip_members);
	tcase_add_test(tc, test_coding_mismatch);
	tcase_add_test(tc, test_coding_corrupt);
	tcase_add_test(tc, test_coding_unsupported);
	tcase_add_test(tc, test_inflate_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_response_length_and_close);
	tcase_add_test(tc, test_response_no_body);
	tcase_add_test(tc, test_response_upgrade);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_bad_start_lines);
	tcase_add_test(tc, test_bad_framing);
	tcase_add_test(tc, test_odd_headers);
	tcase_add_test(tc, test_head_too_long);
	tcase_add_test(tc, test_large_head_then_small);
	tcase_add_test(tc, test_url_bound_in_head);
	tcase_add_test(tc, test_gap_and_eof);
	tcase_add_test(tc, test_pending_full);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
