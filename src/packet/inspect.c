#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "http/http_args.h"
#include "packet/inspect.h"
#include "base/types.h"

#define FIRED_MAX	16	/* rules remembered as fired, per message */

struct inspect_dir {
	struct http_parser *hp;		/* NULL: raw stream only */
	/* The current message, for rules that need its url or header with
	 * its body. */
	uint8_t url[INSPECT_URL_KEEP];
	size_t url_len;
	int has_url;
	uint8_t hdr[INSPECT_HEADER_KEEP];
	size_t hdr_len;
	int has_hdr;
	struct sensor_stream *pkt;	/* the raw stream's, NULL until needed */
	struct sensor_stream *body;	/* the current message's body */
	int body_on;			/* body begun for this message */
	uint32_t fired[FIRED_MAX];	/* sensor << 16 | rule, this message */
	int nfired;
	uint32_t pkt_fired[FIRED_MAX];	/* the raw stream's, this flow */
	int npkt_fired;
	struct http_args *args;		/* the body's arguments (form, JSON), or NULL */
};

struct inspect {
	uint64_t mask[2];		/* sensors per direction (WAF: to the server) */
	uint64_t deny;
	uint64_t deny_set;		/* assigned with deny, whatever the mode */
	int crs_paranoia, crs_threshold;	/* sensor.crs's, when in mask */
	struct inspect_dir d[2];
};

/* One call's context for the callbacks. */
struct call {
	struct inspect_env *e;
	struct flow *f;
	int dir;
	int packet;			/* matching the raw stream */
};

static uint64_t
waf_mask(const struct sensor_set *set)
{
	uint64_t m = 0;

	for (int i = 0; i < sensor_set_count(set) && i < 64; i++)
		if (sensor_set_type(set, i) == SENSOR_WAF)
			m |= 1ull << i;
	return m;
}

static void
set_masks(struct inspect_env *e, struct inspect *in, const struct policy_verdict *v)
{
	in->mask[DIR_TO_SERVER] = v->sensors;
	in->mask[DIR_TO_CLIENT] = v->sensors & ~waf_mask(e->set);
	in->deny = v->sensors_deny & v->sensors;
	in->deny_set = v->sensors_deny_set & v->sensors;
	in->crs_paranoia = v->crs_paranoia;
	in->crs_threshold = v->crs_threshold;
}

/* sensor.crs's bit in e's set, 0 when it has none or the stage is off. */
static uint64_t
crs_bit(struct inspect_env *e)
{
	if (e->crs == NULL || e->crs->pool == NULL || e->set == NULL)
		return 0;
	if (e->crs_set != e->set) {
		e->crs_set = e->set;
		e->crs_sensor = sensor_set_find(e->set, CRS_SENSOR);
	}
	return e->crs_sensor >= 0 && e->crs_sensor < 64 ? 1ull << e->crs_sensor : 0;
}

/*
 * The sensors see every byte of the directions they inspect, those past
 * stream_depth too (reasm_follow), so that a flow they inspect is never
 * bypassed while they are assigned, and sensor.crs judges every request.
 * A direction already past the depth when they are assigned cannot be
 * followed (a gap: in doubt).
 */
static void
follow(struct inspect_env *e, struct flow *f)
{
	const struct inspect *in = f->insp;

	for (int d = 0; d < 2; d++) {
		int on = in->mask[d] != 0;

		if (on && !f->rs[d].follow && f->rs[d].done && e->doubt)
			e->doubt(e->ctx, f, DOUBT_GAP, (in->deny & in->mask[d]) != 0);
		if (on || d == DIR_TO_CLIENT || f->proxy == NULL)
			reasm_follow(&f->rs[d], on);
	}
}

/* Streams made for another set or other sensors start again. */
static void
streams_drop(struct inspect *in)
{
	for (int d = 0; d < 2; d++) {
		sensor_stream_free(in->d[d].pkt);
		sensor_stream_free(in->d[d].body);
		in->d[d].pkt = in->d[d].body = NULL;
		in->d[d].body_on = 0;
	}
}

int
inspect_start(struct inspect_env *e, struct flow *f, const struct policy_verdict *v)
{
	struct inspect *in;

	if (f->insp || v->sensors == 0 || e->set == NULL)
		return 0;
	if (e->nflows >= INSPECT_FLOWS_MAX ||
	    quota_take(&e->quota, f->key.addr[f->client]) < 0) {
		e->st->no_state++;
		return -1;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL) {
		quota_give(&e->quota, f->key.addr[f->client]);
		e->st->no_state++;
		return -1;
	}
	set_masks(e, in, v);
	if (f->key.proto == IPPROTO_TCP) {
		struct http_limits lim = { .mem = &e->head_mem, .mem_max = INSPECT_HEAD_MEM };

		in->d[DIR_TO_SERVER].hp = http_parser_new(0, &lim);
		in->d[DIR_TO_CLIENT].hp = http_parser_new(1, &lim);
	}
	f->insp = in;
	e->nflows++;
	e->st->flows++;
	follow(e, f);
	return 0;
}

int
inspect_update(struct inspect_env *e, struct flow *f, const struct policy_verdict *v)
{
	if (f->insp == NULL)
		return inspect_start(e, f, v);
	if (v->sensors == 0)
		inspect_release(e, f);
	else {
		uint64_t was[2] = { f->insp->mask[0], f->insp->mask[1] };

		set_masks(e, f->insp, v);
		if (was[0] != f->insp->mask[0] || was[1] != f->insp->mask[1])
			streams_drop(f->insp);
		follow(e, f);
	}
	return 0;
}

/* Whether the requests of f go to sensor.crs. */
static int
crs_on(struct inspect_env *e, const struct inspect *in, int dir)
{
	uint64_t b = dir == DIR_TO_SERVER ? crs_bit(e) : 0;

	return b != 0 && (in->mask[DIR_TO_SERVER] & b) != 0;
}

void
inspect_release(struct inspect_env *e, struct flow *f)
{
	if (f->insp == NULL)
		return;
	for (int d = 0; d < 2; d++) {
		http_parser_free(f->insp->d[d].hp);
		http_args_free(f->insp->d[d].args);
	}
	streams_drop(f->insp);
	free(f->insp);
	f->insp = NULL;
	e->nflows--;
	quota_give(&e->quota, f->key.addr[f->client]);
	reasm_follow(&f->rs[DIR_TO_CLIENT], 0);
	if (f->proxy == NULL)
		reasm_follow(&f->rs[DIR_TO_SERVER], 0);
}

/* Whether (sensor, rule) fired already in its scope; notes it if not. */
static int
fired_before(uint32_t *fired, int *n, const struct sensor_hit *h)
{
	uint32_t key = (uint32_t)h->sensor << 16 | (uint32_t)(h->rule & 0xffff);

	for (int i = 0; i < *n; i++)
		if (fired[i] == key)
			return 1;
	if (*n < FIRED_MAX)
		fired[(*n)++] = key;
	return 0;
}

static void
on_hit(void *ctx, const struct sensor_hit *h)
{
	struct call *c = ctx;
	struct inspect_dir *d = &c->f->insp->d[c->dir];
	struct inspect_hit ih;

	if (c->packet ? fired_before(d->pkt_fired, &d->npkt_fired, h) :
	    fired_before(d->fired, &d->nfired, h))
		return;
	c->e->st->hits++;
	ih.h = h;
	ih.type = sensor_set_type(c->e->set, h->sensor);
	ih.deny = h->sensor < 64 && (c->f->insp->deny >> h->sensor & 1);
	ih.dir = c->dir;
	c->e->hit(c->e->ctx, c->f, &ih);
}

static void
doubt(struct inspect_env *e, struct flow *f, enum doubt d)
{
	if (e->doubt)
		e->doubt(e->ctx, f, d, f->insp->deny != 0);
}

static void
match(struct call *c, const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT])
{
	struct inspect *in = c->f->insp;

	if (sensor_match(c->e->set, c->e->scratch, in->mask[c->dir], text, len, on_hit, c) < 0) {
		c->e->st->limits++;
		doubt(c->e, c->f, DOUBT_SENSOR_LIMIT);
	}
}

/* A stream call's result: a limit puts f in doubt. */
static void
stream_rc(struct call *c, int rc)
{
	if (rc < 0 && c->f->insp) {
		c->e->st->limits++;
		doubt(c->e, c->f, DOUBT_SENSOR_LIMIT);
	}
}

/*
 * *sp for e's set, made (and begun) anew when it was made for another or
 * not yet; NULL when the sensors of f have no rule of context ctx in
 * direction dir, or no memory (then f is in doubt).
 */
static struct sensor_stream *
stream_of(struct call *c, enum sensor_ctx ctx, struct sensor_stream **sp)
{
	struct inspect *in = c->f->insp;
	const uint8_t *text[SCTX_COUNT] = { 0 };
	size_t len[SCTX_COUNT] = { 0 };

	if (c->e->set != NULL && *sp != NULL &&
	    sensor_stream_gen(*sp) == sensor_set_gen(c->e->set))
		return *sp;
	sensor_stream_free(*sp);
	*sp = NULL;
	if (c->e->set == NULL || !sensor_set_streams(c->e->set, ctx, in->mask[c->dir]))
		return NULL;
	if ((*sp = sensor_stream_new(c->e->set, ctx)) == NULL) {
		doubt(c->e, c->f, DOUBT_INSPECT_STATE);
		return NULL;
	}
	if (ctx == SCTX_PACKET)
		stream_rc(c, sensor_stream_begin(*sp, c->e->scratch, in->mask[c->dir], text, len,
		    on_hit, c));
	return *sp;
}

/* --- the args context ----------------------------------------------------- */

/* Arguments gathered in the worker's window as SCTX_ARGS subjects. */
struct args_call {
	struct call *c;
	size_t len;
};

/* Matches the arguments gathered, with the message's url and header. */
static void
args_flush(struct args_call *a)
{
	const uint8_t *text[SCTX_COUNT] = { 0 };
	size_t tlen[SCTX_COUNT] = { 0 };
	struct inspect_dir *d;

	if (a->len == 0 || a->c->f->insp == NULL) {
		a->len = 0;
		return;
	}
	d = &a->c->f->insp->d[a->c->dir];
	text[SCTX_ARGS] = a->c->e->window;
	tlen[SCTX_ARGS] = a->len;
	text[SCTX_URL] = d->has_url ? d->url : NULL;
	tlen[SCTX_URL] = d->has_url ? d->url_len : 0;
	text[SCTX_HEADER] = d->has_hdr ? d->hdr : NULL;
	tlen[SCTX_HEADER] = d->has_hdr ? d->hdr_len : 0;
	match(a->c, text, tlen);
	a->len = 0;
}

static void
on_arg(void *ctx, const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
	struct args_call *a = ctx;

	if (INSPECT_WINDOW - a->len < nlen + vlen + 4)
		args_flush(a);
	sensor_args_put(a->c->e->window, INSPECT_WINDOW, &a->len, name, nlen);
	sensor_args_put(a->c->e->window, INSPECT_WINDOW, &a->len, value, vlen);
}

/* The arguments of text (len bytes) of kind, whole. */
static void
args_of(struct args_call *a, enum http_args_kind kind, const uint8_t *text, size_t len)
{
	struct http_args *p = http_args_new(kind);

	if (p == NULL)
		return;
	http_args_feed(p, text, len, on_arg, a);
	http_args_end(p, on_arg, a);
	http_args_free(p);
}

/* A header line's value if its name is name (len n), else NULL. */
static const uint8_t *
header_value(const uint8_t *line, size_t len, const char *name, size_t n, size_t *vlen)
{
	size_t i = n + 1;

	if (len <= n || line[n] != ':' || strncasecmp((const char *)line, name, n) != 0)
		return NULL;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*vlen = len - i;
	return line + i;
}

/*
 * A request's head: the query's and cookies' arguments matched now; a
 * parser for the body's (form or JSON by its Content-Type) made.
 */
static void
args_head(struct call *c, struct inspect_dir *d, const struct http_head *h)
{
	struct args_call a = { c, 0 };
	const uint8_t *q = memchr(h->target, '?', h->target_len), *p = h->headers, *end;
	int kind = -1;

	if (q != NULL)
		args_of(&a, HTTP_ARGS_FORM, q + 1, (size_t)(h->target + h->target_len - q - 1));
	for (end = p + h->headers_len; p < end;) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t len = (size_t)((eol ? eol : end) - p), vlen;

		if (len > 0 && p[len - 1] == '\r')
			len--;
		if ((v = header_value(p, len, "Cookie", 6, &vlen)) != NULL)
			args_of(&a, HTTP_ARGS_COOKIE, v, vlen);
		else if ((v = header_value(p, len, "Content-Type", 12, &vlen)) != NULL)
			kind = http_args_content_kind(v, vlen);
		p = eol ? eol + 1 : end;
	}
	args_flush(&a);
	if (kind >= 0 && h->has_body && c->f->insp && d->args == NULL)
		d->args = http_args_new((enum http_args_kind)kind);
}

/* Body bytes of a form or JSON body; end: the body ended. */
static void
args_body(struct call *c, struct inspect_dir *d, const uint8_t *data, size_t len, int end)
{
	struct args_call a = { c, 0 };

	if (d->args == NULL)
		return;
	if (len > 0)
		http_args_feed(d->args, data, len, on_arg, &a);
	if (end)
		http_args_end(d->args, on_arg, &a);
	args_flush(&a);
	if (end && c->f->insp) {
		http_args_free(c->f->insp->d[c->dir].args);
		c->f->insp->d[c->dir].args = NULL;
	}
}

static int
args_on(const struct inspect_env *e, const struct http_head *h)
{
	return (h == NULL || !h->response) && sensor_set_uses(e->set, SCTX_ARGS);
}

/* --- HTTP callbacks ---------------------------------------------------- */

static void
keep(uint8_t *dst, size_t cap, size_t *dlen, int *has, const uint8_t *src, size_t n)
{
	*dlen = n < cap ? n : cap;
	memcpy(dst, src, *dlen);
	*has = 1;
}

/* The body stream of the message whose url and header d keeps. */
static void
body_begin(struct call *c, struct inspect_dir *d)
{
	const uint8_t *text[SCTX_COUNT] = { 0 };
	size_t len[SCTX_COUNT] = { 0 };

	if (stream_of(c, SCTX_BODY, &d->body) == NULL || c->f->insp == NULL)
		return;
	text[SCTX_URL] = d->has_url ? d->url : NULL;
	len[SCTX_URL] = d->has_url ? d->url_len : 0;
	text[SCTX_HEADER] = d->has_hdr ? d->hdr : NULL;
	len[SCTX_HEADER] = d->has_hdr ? d->hdr_len : 0;
	d->body_on = 1;
	stream_rc(c, sensor_stream_begin(d->body, c->e->scratch, c->f->insp->mask[c->dir], text,
	    len, on_hit, c));
}

static void
on_head(void *ctx, const struct http_head *h)
{
	struct call *c = ctx;
	struct inspect *in = c->f->insp;
	struct inspect_dir *d;
	const uint8_t *text[SCTX_COUNT] = { 0 };
	size_t len[SCTX_COUNT] = { 0 };

	if (in == NULL)
		return;
	d = &in->d[c->dir];
	d->nfired = 0;
	d->body_on = 0;
	d->has_url = d->has_hdr = 0;
	if (!h->response) {
		keep(d->url, sizeof(d->url), &d->url_len, &d->has_url, h->url, h->url_len);
		if (in->d[DIR_TO_CLIENT].hp)
			http_parser_expect(in->d[DIR_TO_CLIENT].hp, h->method, h->method_len);
	}
	keep(d->hdr, sizeof(d->hdr), &d->hdr_len, &d->has_hdr, h->headers, h->headers_len);
	c->e->st->messages++;
	if (!h->response && crs_on(c->e, in, c->dir)) {
		uint64_t b = crs_bit(c->e);

		crs_stage_head(c->e->crs, c->f, h, in->crs_paranoia, in->crs_threshold,
		    (in->deny & b) != 0, (in->deny_set & b) != 0);
	}
	/* The whole url and header, not the kept prefixes. */
	text[SCTX_URL] = h->response ? NULL : h->url;
	len[SCTX_URL] = h->response ? 0 : h->url_len;
	text[SCTX_HEADER] = h->headers;
	len[SCTX_HEADER] = h->headers_len;
	match(c, text, len);
	if (c->f->insp && args_on(c->e, h))
		args_head(c, &c->f->insp->d[c->dir], h);
	if (c->f->insp && h->has_body)
		body_begin(c, &c->f->insp->d[c->dir]);
}

static void
on_body(void *ctx, const uint8_t *data, size_t len)
{
	struct call *c = ctx;
	struct inspect_dir *d;

	if (c->f->insp == NULL)
		return;
	d = &c->f->insp->d[c->dir];
	if (crs_on(c->e, c->f->insp, c->dir))
		crs_stage_body(c->e->crs, c->f, data, len);
	if (d->body_on && stream_of(c, SCTX_BODY, &d->body) != NULL)
		stream_rc(c, sensor_stream_feed(d->body, c->e->scratch, data, len, on_hit, c));
	if (c->f->insp && c->f->insp->d[c->dir].args)
		args_body(c, &c->f->insp->d[c->dir], data, len, 0);
}

static void
on_end(void *ctx, unsigned flags)
{
	struct call *c = ctx;

	(void)flags;
	if (c->f->insp && crs_on(c->e, c->f->insp, c->dir))
		crs_stage_end(c->e->crs, c->f);
	if (c->f->insp && c->f->insp->d[c->dir].args)
		args_body(c, &c->f->insp->d[c->dir], NULL, 0, 1);
	if (c->f->insp && c->f->insp->d[c->dir].body_on) {
		struct inspect_dir *d = &c->f->insp->d[c->dir];

		d->body_on = 0;
		/* (A stream made anew for a new set mid-message has nothing to end.) */
		if (stream_of(c, SCTX_BODY, &d->body) != NULL)
			stream_rc(c, sensor_stream_end(d->body, c->e->scratch, on_hit, c));
	}
	if (c->f->insp) {
		c->f->insp->d[c->dir].has_url = 0;
		c->f->insp->d[c->dir].has_hdr = 0;
	}
}

static const struct http_callbacks http_cb = { on_head, on_body, on_end };

/* --- the stream ------------------------------------------------------- */

/*
 * The receiver gets every byte of this packet: a match they end is judged
 * now, before the verdict, not when the next bytes show it complete (a
 * card number at the very end of a request).
 */
static void
stream_pause(struct call *c)
{
	struct inspect_dir *d;

	if (c->f->insp == NULL)
		return;
	d = &c->f->insp->d[c->dir];
	c->packet = 1;
	if (c->e->set == NULL)
		return;
	if (d->pkt != NULL && sensor_stream_gen(d->pkt) == sensor_set_gen(c->e->set))
		stream_rc(c, sensor_stream_pause(d->pkt, c->e->scratch, on_hit, c));
	if (c->f->insp == NULL)
		return;
	d = &c->f->insp->d[c->dir];
	c->packet = 0;
	if (d->body_on && d->body != NULL && sensor_stream_gen(d->body) == sensor_set_gen(c->e->set))
		stream_rc(c, sensor_stream_pause(d->body, c->e->scratch, on_hit, c));
}

/* The bytes through the direction's HTTP parser: url, header, body, args. */
static void
http_data(struct inspect_env *e, struct flow *f, struct call *cp, const uint8_t *buf, size_t len)
{
	struct call c = *cp;
	struct inspect_dir *d = &f->insp->d[c.dir];

	c.packet = 0;
	if (http_parser_feed(d->hp, buf, len, &http_cb, &c) < 0 && f->insp) {
		/* Not HTTP from its first bytes: the raw stream is still
		 * matched.  HTTP the parser gave up on: the url, header and
		 * body contexts cannot be matched any more. */
		unsigned fl = http_parser_flags(d->hp);

		if (!(fl & HTTP_F_NOT_HTTP) || http_parser_messages(d->hp) > 0)
			doubt(e, f, DOUBT_HTTP_PARSER);
		if (f->insp == NULL)
			return;
		http_parser_free(d->hp);
		d->hp = NULL;
		e->st->not_http++;
	}
	if (f->crs != NULL && e->crs != NULL)
		crs_stage_feed_end(e->crs, f);
}

void
inspect_data(struct inspect_env *e, struct flow *f, int dir, const uint8_t *buf, size_t len)
{
	struct call c = { e, f, dir, 1 };
	struct inspect_dir *d;

	if (f->insp == NULL || len == 0)
		return;
	d = &f->insp->d[dir];
	e->st->bytes += len;
	if (stream_of(&c, SCTX_PACKET, &d->pkt) != NULL && f->insp)
		stream_rc(&c, sensor_stream_feed(d->pkt, e->scratch, buf, len, on_hit, &c));
	if (f->insp && f->insp->d[dir].hp)
		http_data(e, f, &c, buf, len);
	stream_pause(&c);
}

void
inspect_gap(struct inspect_env *e, struct flow *f, int dir)
{
	struct call c = { e, f, dir, 0 };

	if (f->insp == NULL)
		return;
	doubt(e, f, DOUBT_GAP);
	/* The raw stream starts again after the bytes nvd never saw. */
	sensor_stream_free(f->insp->d[dir].pkt);
	f->insp->d[dir].pkt = NULL;
	if (f->insp->d[dir].hp)
		http_parser_gap(f->insp->d[dir].hp, &http_cb, &c);
}

void
inspect_eof(struct inspect_env *e, struct flow *f, int dir)
{
	struct call c = { e, f, dir, 1 };

	/* Matches the stream's last bytes decide ($, \b, a lookahead). */
	if (f->insp && f->insp->d[dir].pkt && e->set != NULL &&
	    sensor_stream_gen(f->insp->d[dir].pkt) == sensor_set_gen(e->set))
		stream_rc(&c, sensor_stream_end(f->insp->d[dir].pkt, e->scratch, on_hit, &c));
	c.packet = 0;
	if (f->insp && f->insp->d[dir].hp)
		http_parser_eof(f->insp->d[dir].hp, &http_cb, &c);
}
