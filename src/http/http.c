/*
 * http.c: HTTP/1.x message framing (RFC 9112): the head is gathered line
 * by line up to head_max, read whole once its empty line came, and the
 * body framed (RFC 9112 section 6.3) and streamed through the chunked
 * decoder and the inflater to the body callback.
 *
 * Leniency is chosen for inspection: a bare LF ends a line, empty lines
 * before a start line are skipped, unknown methods are tokens like any
 * other, odd header lines are flagged and skipped.  What would make the
 * framing guesswork (a bad Content-Length, a request Transfer-Encoding
 * not ending in chunked, a bad chunk) ends the stream for the parser, as
 * it makes a server answer 400 and close (RFC 9112 sections 6.1 and 6.3).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "http/http_chunked.h"
#include "http/http_inflate.h"
#include "http/http_url.h"

#define METHOD_MAX	32
#define HEAD_KEEP	4096	/* a head buffer larger than this is given back */

enum {
	ST_HEAD,
	ST_BODY,
	ST_STOPPED,		/* gap, end of stream, upgrade: input ignored */
	ST_FAILED,		/* not HTTP: input ignored, feed() says -1 */
};

enum {
	BODY_NONE,
	BODY_LENGTH,
	BODY_CHUNKED,
	BODY_CLOSE,		/* a response body read until the close */
};

/* What a response is framed by: the method of the request it answers. */
enum {
	REQ_OTHER,
	REQ_HEAD,
	REQ_CONNECT,
};

struct http_parser {
	int response;
	struct http_limits lim;
	int state;
	unsigned flags;		/* the stream's, all messages' included */
	unsigned mflags;	/* the message's */
	uint64_t messages;
	const struct http_callbacks *cb;	/* of the call under way */
	void *ctx;
	/* the head being gathered */
	uint8_t *buf;
	size_t len, cap;
	size_t line;		/* where the line being read starts */
	size_t skipped;		/* bytes of empty lines before the start line */
	/* the body being read */
	int body;
	uint64_t remain;	/* BODY_LENGTH */
	struct http_chunked ch;
	struct http_inflate *inf;	/* only for a gzip or deflate body */
	/* requests awaiting their response, oldest first */
	uint8_t pend[HTTP_PENDING_MAX];
	unsigned pend_first, pend_n;
};

/* Header fields that frame the body. */
struct fields {
	int64_t cl;		/* -1: none */
	int bad_cl;
	int te;			/* a Transfer-Encoding came */
	int chunked;		/* times chunked was listed */
	int chunked_last;
	int ncodings;		/* other codings, content and transfer */
	enum http_coding coding;
};

/* Gives the head buffer back. */
static void
buf_drop(struct http_parser *p)
{
	if (p->lim.mem)
		*p->lim.mem -= p->cap;
	free(p->buf);
	p->buf = NULL;
	p->cap = 0;
}

struct http_parser *
http_parser_new(int response_side, const struct http_limits *lim)
{
	struct http_parser *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->response = response_side != 0;
	if (lim != NULL)
		p->lim = *lim;
	if (p->lim.head_max == 0)
		p->lim.head_max = HTTP_HEAD_MAX;
	if (p->lim.url_max == 0)
		p->lim.url_max = HTTP_URL_MAX;
	if (p->lim.inflate_max == 0)
		p->lim.inflate_max = HTTP_INFLATE_MAX;
	if (p->lim.inflate_ratio == 0)
		p->lim.inflate_ratio = HTTP_INFLATE_RATIO;
	return p;
}

void
http_parser_free(struct http_parser *p)
{
	if (p == NULL)
		return;
	http_inflate_free(p->inf);
	buf_drop(p);
	free(p);
}

unsigned
http_parser_flags(const struct http_parser *p)
{
	return p->flags | p->mflags;
}

uint64_t
http_parser_messages(const struct http_parser *p)
{
	return p->messages;
}

int
http_parser_head_pending(const struct http_parser *p)
{
	return p->state == ST_HEAD && p->len > 0;
}

int
http_parser_between(const struct http_parser *p)
{
	return p->state == ST_HEAD && p->len == 0 && p->messages > 0;
}

void
http_parser_expect(struct http_parser *resp, const uint8_t *method, size_t len)
{
	uint8_t kind = REQ_OTHER;

	if (!resp->response)
		return;
	if (resp->pend_n == HTTP_PENDING_MAX) {
		resp->flags |= HTTP_F_PENDING_FULL;
		return;
	}
	if (len == 4 && memcmp(method, "HEAD", 4) == 0)
		kind = REQ_HEAD;
	else if (len == 7 && memcmp(method, "CONNECT", 7) == 0)
		kind = REQ_CONNECT;
	resp->pend[(resp->pend_first + resp->pend_n++) % HTTP_PENDING_MAX] = kind;
}

/* The request the response now read answers (a GET when none is known). */
static int
pending_pop(struct http_parser *p)
{
	int kind;

	if (p->pend_n == 0)
		return REQ_OTHER;
	kind = p->pend[p->pend_first];
	p->pend_first = (p->pend_first + 1) % HTTP_PENDING_MAX;
	p->pend_n--;
	return kind;
}

/* --- helpers ------------------------------------------------------------ */

/* tchar of RFC 9110 section 5.6.2. */
static int
tchar(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A control byte, HT excepted. */
static int
ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int
ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Whether the n bytes at s are the token w, case aside. */
static int
word_is(const uint8_t *s, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp((const char *)s, w, n) == 0;
}

/* Length of the line at s (of n bytes) without its CRLF or LF. */
static size_t
line_body(const uint8_t *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return n;
}

static int
reserve(struct http_parser *p, size_t need)
{
	size_t cap = p->cap > 0 ? p->cap : 512;
	uint8_t *b;

	if (need <= p->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (p->lim.mem && *p->lim.mem + (cap - p->cap) > p->lim.mem_max)
		return -1;
	if ((b = realloc(p->buf, cap)) == NULL)
		return -1;
	if (p->lim.mem)
		*p->lim.mem += cap - p->cap;
	p->buf = b;
	p->cap = cap;
	return 0;
}


/* --- callbacks and the end of a message --------------------------------- */

static void
body_give(void *arg, const uint8_t *data, size_t n)
{
	struct http_parser *p = arg;

	if (p->cb != NULL && p->cb->body != NULL)
		p->cb->body(p->ctx, data, n);
}

/* Framed body bytes, before their content coding is undone. */
static void
body_out(void *arg, const uint8_t *data, size_t n)
{
	struct http_parser *p = arg;

	if (p->inf != NULL)
		p->mflags |= http_inflate_feed(p->inf, data, n, body_give, p);
	else
		body_give(p, data, n);
}

static void
message_end(struct http_parser *p)
{
	if (p->inf != NULL) {
		p->mflags |= http_inflate_finish(p->inf, body_give, p);
		http_inflate_free(p->inf);
		p->inf = NULL;
	}
	if (p->cb != NULL && p->cb->end != NULL)
		p->cb->end(p->ctx, p->mflags);
	p->flags |= p->mflags;
	p->mflags = 0;
	if (p->state == ST_BODY)
		p->state = ST_HEAD;
}

/* Leaves the stream: in state st, with flag; a message under way ends. */
static void
leave(struct http_parser *p, int st, unsigned flag)
{
	if (p->state == ST_BODY) {
		if (flag != HTTP_F_EOF || p->body != BODY_CLOSE)
			p->mflags |= HTTP_F_TRUNCATED;
		p->mflags |= flag & HTTP_F_FATAL;
		message_end(p);
	} else if (p->state == ST_HEAD && p->len > 0 && flag != HTTP_F_NOT_HTTP &&
	    flag != HTTP_F_HEAD_TOO_LONG)
		p->flags |= HTTP_F_TRUNCATED;
	p->flags |= flag;
	p->state = st;
	buf_drop(p);
	p->len = 0;
}

static ssize_t
fail(struct http_parser *p, unsigned flag)
{
	leave(p, ST_FAILED, flag);
	return -1;
}

void
http_parser_eof(struct http_parser *p, const struct http_callbacks *cb, void *ctx)
{
	if (p->state == ST_FAILED || p->state == ST_STOPPED)
		return;
	p->cb = cb;
	p->ctx = ctx;
	leave(p, ST_STOPPED, HTTP_F_EOF);
}

void
http_parser_gap(struct http_parser *p, const struct http_callbacks *cb, void *ctx)
{
	if (p->state == ST_FAILED || p->state == ST_STOPPED)
		return;
	p->cb = cb;
	p->ctx = ctx;
	leave(p, ST_STOPPED, HTTP_F_GAP);
}

/* --- the start line (RFC 9112 sections 3 and 4) ------------------------- */

/* "HTTP/1." DIGIT at v: the minor version, or -1. */
static int
version(const uint8_t *v, size_t n)
{
	if (n < 8 || memcmp(v, "HTTP/1.", 7) != 0 || v[7] < '0' || v[7] > '9')
		return -1;
	return v[7] - '0';
}

/* method SP request-target SP HTTP-version */
static int
request_line(const uint8_t *l, size_t n, struct http_head *h)
{
	const uint8_t *sp = memchr(l, ' ', n), *t, *end;

	if (sp == NULL || sp == l || sp - l > METHOD_MAX)
		return -1;
	for (const uint8_t *c = l; c < sp; c++)
		if (!tchar(*c))
			return -1;
	t = sp + 1;
	end = memchr(t, ' ', n - (size_t)(t - l));
	if (end == NULL || end == t || n - (size_t)(end + 1 - l) != 8)
		return -1;
	for (const uint8_t *c = t; c < end; c++)
		if (ctl(*c) || *c == '\t')
			return -1;
	if ((h->minor = version(end + 1, 8)) < 0)
		return -1;
	h->method = l;
	h->method_len = (size_t)(sp - l);
	h->target = t;
	h->target_len = (size_t)(end - t);
	return 0;
}

/* HTTP-version SP 3DIGIT [SP reason-phrase]; a missing SP before an
 * empty reason is common enough to pass. */
static int
status_line(const uint8_t *l, size_t n, struct http_head *h)
{
	int s = 0;

	if ((h->minor = version(l, n)) < 0 || n < 12 || l[8] != ' ' ||
	    (n > 12 && l[12] != ' '))
		return -1;
	for (size_t i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9')
			return -1;
		s = s * 10 + l[i] - '0';
	}
	for (size_t i = 12; i < n; i++)
		if (ctl(l[i]))
			return -1;
	if (s < 100)
		return -1;
	h->status = s;
	return 0;
}

static int
start_line(const struct http_parser *p, size_t n, struct http_head *h)
{
	n = line_body(p->buf, n);
	return p->response ? status_line(p->buf, n, h) : request_line(p->buf, n, h);
}

/*
 * Whether the first line, as far as it came, can be or begin a start line
 * (or an empty line): it says "not HTTP" early rather than at head_max.
 * Looks at the first bytes only, and at the new ones (n at s) for control
 * bytes; a complete line is then judged whole by line_end().
 */
static int
start_prefix_ok(const struct http_parser *p, const uint8_t *s, size_t n)
{
	size_t k;

	for (size_t i = 0; i < n; i++)
		if (ctl(s[i]) && s[i] != '\r' && s[i] != '\n')
			return 0;
	if (p->len == 0 || p->buf[0] == '\n' ||
	    (p->buf[0] == '\r' && (p->len == 1 || p->buf[1] == '\n')))
		return 1;
	if (p->response) {
		k = p->len < 7 ? p->len : 7;
		return memcmp(p->buf, "HTTP/1.", k) == 0;
	}
	for (k = 0; k < p->len && k <= METHOD_MAX; k++) {
		if (p->buf[k] == ' ')
			return k > 0;
		if (!tchar(p->buf[k]))
			return 0;
	}
	return k <= METHOD_MAX;
}

/* --- header fields (RFC 9112 section 5, RFC 9110 section 5) ------------- */

/*
 * The next element of a comma-separated list at v (n bytes) from *pos,
 * without the OWS around it; *len 0 for an empty element.
 */
static const uint8_t *
list_next(const uint8_t *v, size_t n, size_t *pos, size_t *len)
{
	size_t i = *pos, e;

	while (i < n && ows(v[i]))
		i++;
	for (e = i; e < n && v[e] != ','; e++)
		;
	*pos = e + 1;
	while (e > i && ows(v[e - 1]))
		e--;
	*len = e - i;
	return v + i;
}

/* A transfer or content coding, its parameters cut (RFC 9110 8.4.1). */
static size_t
coding_name(const uint8_t *c, size_t n)
{
	const uint8_t *semi = memchr(c, ';', n);

	if (semi != NULL)
		n = (size_t)(semi - c);
	while (n > 0 && ows(c[n - 1]))
		n--;
	return n;
}

static void
coding_add(struct fields *f, const uint8_t *c, size_t n)
{
	enum http_coding k = HTTP_CODING_OTHER;

	n = coding_name(c, n);
	if (n == 0 || word_is(c, n, "identity"))
		return;
	if (word_is(c, n, "gzip") || word_is(c, n, "x-gzip"))
		k = HTTP_CODING_GZIP;
	else if (word_is(c, n, "deflate"))
		k = HTTP_CODING_DEFLATE;
	f->coding = ++f->ncodings == 1 ? k : HTTP_CODING_OTHER;
}

/* Content-Length: digits, or a list of one value repeated (section 6.3). */
static void
content_length(struct fields *f, const uint8_t *v, size_t n)
{
	size_t pos = 0, len;

	while (pos <= n) {
		const uint8_t *e = list_next(v, n, &pos, &len);
		int64_t x = 0;

		while (len > 1 && e[0] == '0')
			e++, len--;	/* leading zeros are digits like any other */
		if (len == 0 || len > 18) {
			f->bad_cl = 1;
			return;
		}
		for (size_t i = 0; i < len; i++) {
			if (e[i] < '0' || e[i] > '9') {
				f->bad_cl = 1;
				return;
			}
			x = x * 10 + (e[i] - '0');
		}
		if (f->cl >= 0 && f->cl != x)
			f->bad_cl = 1;
		f->cl = x;
	}
}

static void
transfer_encoding(struct fields *f, const uint8_t *v, size_t n)
{
	size_t pos = 0, len;

	f->te = 1;
	while (pos <= n) {
		const uint8_t *e = list_next(v, n, &pos, &len);

		if (len == 0)
			continue;
		f->chunked_last = word_is(e, coding_name(e, len), "chunked");
		if (f->chunked_last)
			f->chunked++;
		else
			coding_add(f, e, len);
	}
}

static void
content_encoding(struct fields *f, const uint8_t *v, size_t n)
{
	size_t pos = 0, len;

	while (pos <= n) {
		const uint8_t *e = list_next(v, n, &pos, &len);

		coding_add(f, e, len);
	}
}

/* One field line (without its line end). */
static void
field(struct http_head *h, struct fields *f, const uint8_t *l, size_t n)
{
	const uint8_t *colon = memchr(l, ':', n), *v;
	size_t nlen, vlen;

	if (ows(l[0])) {
		h->flags |= HTTP_F_OBS_FOLD;
		return;
	}
	h->nheaders++;
	if (colon == NULL || colon == l) {
		h->flags |= HTTP_F_BAD_HEADER;
		return;
	}
	nlen = (size_t)(colon - l);
	for (size_t i = 0; i < nlen; i++)
		if (!tchar(l[i])) {
			h->flags |= HTTP_F_BAD_HEADER;
			return;
		}
	v = colon + 1;
	vlen = n - nlen - 1;
	for (size_t i = 0; i < vlen; i++)
		if (ctl(v[i]))
			h->flags |= HTTP_F_BAD_HEADER;
	while (vlen > 0 && ows(v[0]))
		v++, vlen--;
	while (vlen > 0 && ows(v[vlen - 1]))
		vlen--;
	if (word_is(l, nlen, "content-length"))
		content_length(f, v, vlen);
	else if (word_is(l, nlen, "transfer-encoding"))
		transfer_encoding(f, v, vlen);
	else if (word_is(l, nlen, "content-encoding"))
		content_encoding(f, v, vlen);
}

static void
fields_scan(struct http_head *h, struct fields *f)
{
	const uint8_t *s = h->headers, *end = s + h->headers_len;

	while (s < end) {
		const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)(nl + 1 - s);

		field(h, f, s, line_body(s, n));	/* never empty: that ends the head */
		s += n;
	}
}

/* --- framing (RFC 9112 section 6.3) ------------------------------------- */

static int
request_framing(struct http_parser *p, struct http_head *h, const struct fields *f)
{
	if (f->te) {
		if (f->cl >= 0 || h->minor == 0)
			h->flags |= HTTP_F_AMBIGUOUS;
		if (!f->chunked_last || f->chunked > 1)
			return -1;
		p->body = BODY_CHUNKED;
	} else if (f->cl > 0) {
		p->body = BODY_LENGTH;
		p->remain = (uint64_t)f->cl;
	}
	return 0;
}

static void
response_framing(struct http_parser *p, struct http_head *h, const struct fields *f)
{
	int req = h->status >= 200 || h->status == 101 ? pending_pop(p) : REQ_OTHER;

	if (h->status == 101 || (req == REQ_CONNECT && h->status / 100 == 2))
		h->flags |= HTTP_F_UPGRADED;
	else if (req == REQ_HEAD || h->status < 200 || h->status == 204 || h->status == 304)
		;	/* no body */
	else if (f->te) {
		if (f->cl >= 0 || h->minor == 0)
			h->flags |= HTTP_F_AMBIGUOUS;
		p->body = f->chunked_last ? BODY_CHUNKED : BODY_CLOSE;
	} else if (f->cl >= 0) {
		p->body = f->cl > 0 ? BODY_LENGTH : BODY_NONE;
		p->remain = (uint64_t)f->cl;
	} else
		p->body = BODY_CLOSE;
}

/* Sets the body up; returns a fatal flag, or 0. */
static unsigned
framing(struct http_parser *p, struct http_head *h, const struct fields *f)
{
	p->body = BODY_NONE;
	h->content_length = f->cl;
	if (f->bad_cl)
		return HTTP_F_BAD_LENGTH;
	if (p->response)
		response_framing(p, h, f);
	else if (request_framing(p, h, f) < 0)
		return HTTP_F_BAD_TE;
	h->chunked = p->body == BODY_CHUNKED;
	h->coding = f->coding;
	h->has_body = p->body != BODY_NONE;
	if (!h->has_body)
		return 0;
	if (p->body == BODY_CHUNKED)
		http_chunked_init(&p->ch, p->lim.head_max);
	if (f->coding == HTTP_CODING_OTHER)
		h->flags |= HTTP_F_ENC_UNSUPPORTED;
	if (f->coding == HTTP_CODING_GZIP || f->coding == HTTP_CODING_DEFLATE) {
		p->inf = http_inflate_new(f->coding == HTTP_CODING_GZIP, p->lim.inflate_max,
		    p->lim.inflate_ratio, HTTP_INFLATE_FLOOR);
		if (p->inf == NULL)
			return HTTP_F_NOMEM;
	}
	return 0;
}

/* --- the head ----------------------------------------------------------- */

/* Fills h from the complete head in p->buf (the empty line from p->line). */
static unsigned
head_read(struct http_parser *p, struct http_head *h)
{
	const uint8_t *nl = memchr(p->buf, '\n', p->len);
	size_t sl = (size_t)(nl + 1 - p->buf);
	struct fields f = { .cl = -1 };
	uint8_t *url;

	/* Room after the head for the url decoded whole (http_url.h) and a NUL. */
	if (!p->response && reserve(p, 2 * p->len + 1) < 0)
		return HTTP_F_NOMEM;
	memset(h, 0, sizeof(*h));
	h->response = p->response;
	start_line(p, sl, h);	/* checked as its line ended */
	h->headers = p->buf + sl;
	h->headers_len = p->line - sl;
	fields_scan(h, &f);
	if (!p->response) {
		url = p->buf + p->len;
		h->url_len = http_url_decode(h->target, h->target_len, url, p->lim.url_max,
		    &h->flags);
		url[h->url_len] = '\0';
		h->url = url;
	}
	return framing(p, h, &f);
}

/* The head came whole: gives it, and ends the message if it has no body. */
static ssize_t
head_done(struct http_parser *p, size_t used)
{
	struct http_head h;
	unsigned fatal = head_read(p, &h);

	if (fatal == HTTP_F_NOMEM)
		return fail(p, fatal);
	p->mflags = h.flags;
	p->messages++;
	p->state = ST_BODY;
	if (p->cb != NULL && p->cb->head != NULL)
		p->cb->head(p->ctx, &h);
	if (p->cap > HEAD_KEEP)
		buf_drop(p);
	p->len = p->line = p->skipped = 0;
	if (fatal != 0)
		return fail(p, fatal);
	if (!h.has_body)
		message_end(p);
	if (h.flags & HTTP_F_UPGRADED)
		leave(p, ST_STOPPED, 0);
	return (ssize_t)used;
}

/*
 * Appends n bytes to the head, within head_max.  The first line is judged
 * on what fits before the bound is, so that the cuts cannot change which
 * of the two ends the stream.
 */
static int
head_append(struct http_parser *p, const uint8_t *s, size_t n)
{
	size_t room = p->lim.head_max - p->skipped - p->len;
	size_t take = n < room ? n : room;

	if (reserve(p, p->len + take) < 0)
		return fail(p, HTTP_F_NOMEM);
	memcpy(p->buf + p->len, s, take);
	p->len += take;
	if (p->line == 0 && !start_prefix_ok(p, s, take))
		return fail(p, HTTP_F_NOT_HTTP);
	if (take < n)
		return fail(p, HTTP_F_HEAD_TOO_LONG);
	return 0;
}

/* A line ended: 1 when it was the empty line that ends the head. */
static int
line_end(struct http_parser *p)
{
	struct http_head h;
	size_t n = p->len - p->line;

	if (line_body(p->buf + p->line, n) > 0) {
		if (p->line == 0 && start_line(p, p->len, &h) < 0)
			return fail(p, HTTP_F_NOT_HTTP);
		p->line = p->len;
		return 0;
	}
	if (p->line > 0)
		return 1;
	p->skipped += n;	/* before the start line (RFC 9112 section 2.2) */
	p->len = 0;
	return 0;
}

/* Gathers the head line by line; returns the bytes it took, or -1. */
static ssize_t
head_feed(struct http_parser *p, const uint8_t *buf, size_t len)
{
	size_t used = 0;

	while (used < len) {
		const uint8_t *nl = memchr(buf + used, '\n', len - used);
		size_t n = nl != NULL ? (size_t)(nl - buf) + 1 - used : len - used;
		int r;

		if (head_append(p, buf + used, n) < 0)
			return -1;
		used += n;
		if (nl == NULL)
			break;
		if ((r = line_end(p)) < 0)
			return -1;
		if (r == 1)
			return head_done(p, used);
	}
	return (ssize_t)used;
}

/* --- the body ----------------------------------------------------------- */

static ssize_t
body_feed(struct http_parser *p, const uint8_t *buf, size_t len)
{
	ssize_t r;

	switch (p->body) {
	case BODY_LENGTH:
		if (len > p->remain)
			len = (size_t)p->remain;
		body_out(p, buf, len);
		if ((p->remain -= len) == 0)
			message_end(p);
		return (ssize_t)len;
	case BODY_CHUNKED:
		if ((r = http_chunked_feed(&p->ch, buf, len, body_out, p)) < 0)
			return fail(p, HTTP_F_BAD_CHUNK);
		if (http_chunked_done(&p->ch))
			message_end(p);
		return r;
	default:	/* BODY_CLOSE */
		body_out(p, buf, len);
		return (ssize_t)len;
	}
}

int
http_parser_feed(struct http_parser *p, const uint8_t *buf, size_t len,
    const struct http_callbacks *cb, void *ctx)
{
	if (p->state == ST_FAILED)
		return -1;
	p->cb = cb;
	p->ctx = ctx;
	while (len > 0 && (p->state == ST_HEAD || p->state == ST_BODY)) {
		ssize_t n = p->state == ST_HEAD ? head_feed(p, buf, len) :
		    body_feed(p, buf, len);

		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return p->state == ST_FAILED ? -1 : 0;
}
