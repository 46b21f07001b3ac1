/*
 * threat_http.c: the HTTP detectors on every request of a connection
 * (threat.h): HTTP.Negative.Body.Length, HTTP.Request.Smuggling,
 * HTTP.Request.Slowloris and Apache.Struts.RCE.  The requests are framed
 * by http.h's parser, in a state of the flow's own.
 *
 * Smuggling is a request two servers in a row may frame differently (RFC
 * 9112 sections 6.1, 6.3 and 11.2): Content-Length with
 * Transfer-Encoding, two Content-Length values that differ, a
 * Transfer-Encoding that does not end in chunked, a folded header line, a
 * line that ends in a bare LF, a blank between Content-Length's or
 * Transfer-Encoding's name and its colon.  The parser gives up on some of
 * those (as a strict server answers 400 and closes); what it gives up on
 * later leaves the connection in doubt for the detectors that would drop
 * it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "packet/threat_detect.h"

#define HTTP_THREATS	(THREAT_BIT(THREAT_HTTP_NEG_LEN) | THREAT_BIT(THREAT_HTTP_SMUGGLING) | \
	THREAT_BIT(THREAT_SLOWLORIS) | THREAT_BIT(THREAT_STRUTS))

struct call {
	struct threat_env *e;
	struct flow *f;
};

/* What a request's header lines showed. */
struct heads {
	int ncl;			/* Content-Length values */
	int64_t cl;			/* the first */
	int cl_differ;
	int negative;
	char cl_text[24];		/* a negative one as sent */
	int te;
	int bare_lf;
	int blank_colon;		/* "Content-Length :" */
	int xml;
	int ognl;
	char ognl_text[48];
};

/* A needle of Apache Struts' remote code executions. */
static const char *const struts_body[] = { "java.lang.ProcessBuilder", "java.lang.Runtime",
	"ImageIO$ContainsFilter", NULL };

static int
has(const uint8_t *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* OGNL, as Struts evaluates it in a header or a url: %{...} or ${...} with a # in it. */
static int
ognl(const uint8_t *s, size_t n)
{
	const uint8_t *o = memmem(s, n, "%{", 2);

	if (o == NULL)
		o = memmem(s, n, "${", 2);
	return o != NULL && memchr(o, '#', n - (size_t)(o - s)) != NULL;
}

/* The value(s) of a Content-Length line: each a number, perhaps negative. */
static void
content_length(struct heads *hs, const uint8_t *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		int64_t x = 0;
		int neg = 0, digits = 0;
		size_t start;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		if (i < n && v[i] == '-')
			neg = 1, i++;
		for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
			x = x < 100000000000000ll ? x * 10 + (v[i] - '0') : x;
		if (i == start)
			break;
		while (i < n && v[i] != ',')
			i++;
		if (neg && digits) {
			hs->negative = 1;
			snprintf(hs->cl_text, sizeof(hs->cl_text), "-%lld", (long long)x);
		}
		if (hs->ncl++ && x != hs->cl)
			hs->cl_differ = 1;
		else
			hs->cl = x;
	}
}

/* One header line, n bytes with its line end. */
static void
line(struct heads *hs, const uint8_t *l, size_t n)
{
	const uint8_t *colon = memchr(l, ':', n), *v;
	size_t nlen, vlen;

	if (n >= 1 && l[n - 1] == '\n' && (n < 2 || l[n - 2] != '\r'))
		hs->bare_lf = 1;
	if (colon == NULL)
		return;
	for (nlen = (size_t)(colon - l); nlen > 0 && (l[nlen - 1] == ' ' || l[nlen - 1] == '\t');)
		nlen--;
	v = colon + 1;
	vlen = n - (size_t)(v - l);
	while (vlen > 0 && (v[vlen - 1] == '\n' || v[vlen - 1] == '\r'))
		vlen--;
	if (nlen == 14 && !strncasecmp((const char *)l, "content-length", 14)) {
		hs->blank_colon |= l + nlen != colon;
		content_length(hs, v, vlen);
	} else if (nlen == 17 && !strncasecmp((const char *)l, "transfer-encoding", 17)) {
		hs->blank_colon |= l + nlen != colon;
		hs->te = 1;
	} else if (nlen == 12 && !strncasecmp((const char *)l, "content-type", 12)) {
		hs->xml = has(v, vlen, "xml") || has(v, vlen, "XML");
		if (ognl(v, vlen) && !hs->ognl) {
			hs->ognl = 1;
			threat_excerpt(hs->ognl_text, sizeof(hs->ognl_text), v, vlen < 40 ? vlen : 40);
		}
	}
}

static void
on_head(void *ctx, const struct http_head *h)
{
	struct call *c = ctx;
	struct threat_flow *t = c->f->thr;
	struct heads hs;
	const char *why = NULL;
	uint32_t deny = c->f->thr_deny;

	if (t == NULL)
		return;
	memset(&hs, 0, sizeof(hs));
	for (size_t off = 0; off < h->headers_len;) {
		const uint8_t *nl = memchr(h->headers + off, '\n', h->headers_len - off);
		size_t n = nl ? (size_t)(nl - (h->headers + off)) + 1 : h->headers_len - off;

		line(&hs, h->headers + off, n);
		off += n;
	}
	t->u.http.xml = (uint8_t)hs.xml;
	t->u.http.tail_len = 0;
	if ((c->f->thr_on & THREAT_BIT(THREAT_HTTP_NEG_LEN)) && hs.negative)
		threat_fire(c->e, c->f, NULL, THREAT_HTTP_NEG_LEN, deny, "Content-Length: %s",
		    hs.cl_text);
	if (hs.te && hs.ncl)
		why = "Content-Length with Transfer-Encoding";
	else if (hs.cl_differ)
		why = "two Content-Length values that differ";
	else if (h->flags & HTTP_F_AMBIGUOUS)
		why = "Transfer-Encoding in HTTP/1.0";
	else if (h->flags & HTTP_F_OBS_FOLD)
		why = "a folded header line";
	else if (hs.blank_colon)
		why = "a blank before the colon of a framing header";
	else if (hs.bare_lf)
		why = "a header line ending in a bare LF";
	if (why && (c->f->thr_on & THREAT_BIT(THREAT_HTTP_SMUGGLING)))
		threat_fire(c->e, c->f, NULL, THREAT_HTTP_SMUGGLING, deny, "%s", why);
	if (c->f->thr_on & THREAT_BIT(THREAT_STRUTS)) {
		char ex[48];

		if (hs.ognl)
			threat_fire(c->e, c->f, NULL, THREAT_STRUTS, deny, "OGNL in Content-Type: %s",
			    hs.ognl_text);
		else if (ognl(h->url, h->url_len)) {
			threat_excerpt(ex, sizeof(ex), h->url, h->url_len < 40 ? h->url_len : 40);
			threat_fire(c->e, c->f, NULL, THREAT_STRUTS, deny, "OGNL in the url: %s", ex);
		}
	}
}

/* An XML body: the classes XStream would build (CVE-2017-9805), across pieces. */
static void
on_body(void *ctx, const uint8_t *data, size_t len)
{
	struct call *c = ctx;
	struct threat_flow *t = c->f->thr;
	struct threat_http *hh;
	uint8_t edge[2 * sizeof(hh->tail)];
	size_t keep, head;

	if (t == NULL || !(c->f->thr_on & THREAT_BIT(THREAT_STRUTS)))
		return;
	hh = &t->u.http;
	if (!hh->xml && hh->tail_len == 0 && (len == 0 || data[0] != '<'))
		return;
	hh->xml = 1;
	/* The needles are shorter than the tail: one across the cut is in edge. */
	head = len < sizeof(hh->tail) ? len : sizeof(hh->tail);
	memcpy(edge, hh->tail, hh->tail_len);
	memcpy(edge + hh->tail_len, data, head);
	for (int i = 0; struts_body[i]; i++)
		if (has(edge, hh->tail_len + head, struts_body[i]) ||
		    has(data, len, struts_body[i])) {
			threat_fire(c->e, c->f, NULL, THREAT_STRUTS, c->f->thr_deny, "%s in an XML "
			    "body", struts_body[i]);
			break;
		}
	keep = len < sizeof(hh->tail) ? len : sizeof(hh->tail);
	if (hh->tail_len + keep > sizeof(hh->tail)) {
		size_t drop = hh->tail_len + keep - sizeof(hh->tail);

		memmove(hh->tail, hh->tail + drop, hh->tail_len - drop);
		hh->tail_len = (uint8_t)(hh->tail_len - drop);
	}
	memcpy(hh->tail + hh->tail_len, data + len - keep, keep);
	hh->tail_len = (uint8_t)(hh->tail_len + keep);
}

static void
on_end(void *ctx, unsigned flags)
{
	struct call *c = ctx;

	(void)flags;
	if (c->f->thr) {
		c->f->thr->u.http.xml = 0;
		c->f->thr->u.http.tail_len = 0;
	}
}

static const struct http_callbacks callbacks = { on_head, on_body, on_end };

int
threat_http_start(struct threat_env *e, struct threat_flow *t)
{
	struct http_limits lim = { .mem = &e->head_mem, .mem_max = THREAT_HEAD_MEM };

	t->u.http.hp = http_parser_new(0, &lim);
	return t->u.http.hp ? 0 : -1;
}

void
threat_http_stop(struct threat_env *e, struct threat_flow *t)
{
	(void)e;
	http_parser_free(t->u.http.hp);
	t->u.http.hp = NULL;
}

int
threat_http_first_read(const struct threat_flow *t)
{
	const struct http_parser *hp = t->u.http.hp;

	return hp != NULL && http_parser_messages(hp) == 1 && http_parser_between(hp);
}

void
threat_http_feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	struct threat_http *hh = &f->thr->u.http;
	const struct threat_conf *c = threat_conf(e, THREAT_SLOWLORIS);
	struct call call = { e, f };
	unsigned fl;

	if (dir != DIR_TO_SERVER || hh->hp == NULL)
		return;
	if ((f->thr_on & THREAT_BIT(THREAT_SLOWLORIS)) && hh->head_ms &&
	    e->now - hh->head_ms >= (uint64_t)c->param[0] * 1000)
		threat_fire(e, f, NULL, THREAT_SLOWLORIS, f->thr_deny, "a request head still "
		    "incomplete %llus after it began", (unsigned long long)(e->now - hh->head_ms) / 1000);
	if (http_parser_feed(hh->hp, b, n, &callbacks, &call) < 0 && f->thr) {
		fl = http_parser_flags(hh->hp);
		/* Not HTTP from the first byte: nothing of it is a request.  Past
		 * a request the parser gave up on: the ones after cannot be read
		 * (unless what made it give up was reported already). */
		if ((!(fl & HTTP_F_NOT_HTTP) || http_parser_messages(hh->hp) > 0) &&
		    !(f->thr_told & HTTP_THREATS) && e->doubt)
			e->doubt(e->ctx, f, DOUBT_HTTP_PARSER, (f->thr_deny & HTTP_THREATS) != 0);
		f->thr->done = 1;
		return;
	}
	if (!http_parser_head_pending(hh->hp))
		hh->head_ms = 0;
	else if (hh->head_ms == 0)
		hh->head_ms = e->now ? e->now : 1;
}
