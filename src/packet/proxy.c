/*
 * proxy.c: every request on a connection to a proxy (proxy.h).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/types.h"
#include "packet/proxy.h"

struct proxy {
	struct http_parser *hp;
	uint64_t fed;			/* client bytes given to hp */
	uint64_t heads;			/* request heads seen */
	int done;			/* a CONNECT: a tunnel follows */
};

/* One call's context for the parser's callbacks. */
struct call {
	struct proxy_env *e;
	struct flow *f;
};

int
proxy_init(struct proxy_env *e)
{
	memset(e, 0, sizeof(*e));
	return quota_init(&e->quota, PROXY_FLOWS_MAX, PROXY_CLIENT_SHARE);
}

void
proxy_destroy(struct proxy_env *e)
{
	quota_destroy(&e->quota);
}

void
proxy_release(struct proxy_env *e, struct flow *f)
{
	if (f->proxy == NULL)
		return;
	reasm_follow(&f->rs[DIR_TO_SERVER], 0);
	http_parser_free(f->proxy->hp);
	free(f->proxy);
	f->proxy = NULL;
	e->nflows--;
	quota_give(&e->quota, f->key.addr[f->client]);
}

static void
on_head(void *ctx, const struct http_head *h)
{
	struct call *c = ctx;
	struct proxy *p = c->f->proxy;

	if (p == NULL || h->response)
		return;
	if (p->heads++ > 0) {
		c->e->st.requests++;
		c->e->request(c->e->ctx, c->f, h);
	}
	if (h->method_len == 7 && !memcmp(h->method, "CONNECT", 7))
		p->done = 1;
}

static const struct http_callbacks proxy_cb = { on_head, NULL, NULL };

/* Feeds the client's bytes from stream offset `offset`; what hp had
 * already is skipped. */
static void
feed(struct proxy_env *e, struct flow *f, uint64_t offset, const uint8_t *buf, size_t len)
{
	struct proxy *p = f->proxy;
	struct call c = { e, f };
	uint64_t skip;

	if (offset + len <= p->fed)
		return;
	skip = p->fed > offset ? p->fed - offset : 0;
	if (offset > p->fed) {
		/* Bytes this stage never saw (a gap): it cannot follow. */
		e->doubt(e->ctx, f, DOUBT_GAP);
		proxy_release(e, f);
		return;
	}
	p->fed = offset + len;
	if (http_parser_feed(p->hp, buf + skip, len - (size_t)skip, &proxy_cb, &c) < 0 &&
	    f->proxy && !f->proxy->done) {
		e->doubt(e->ctx, f, DOUBT_HTTP_PARSER);
		proxy_release(e, f);
		return;
	}
	if (f->proxy && f->proxy->done)
		proxy_release(e, f);	/* a tunnel now: no requests to follow */
}

void
proxy_start(struct proxy_env *e, struct flow *f, const uint8_t *buf, size_t len)
{
	struct proxy *p;

	if (f->proxy || f->key.proto != IPPROTO_TCP)
		return;
	/* Every request is judged, those past stream_depth too (reasm_follow);
	 * a stream already past it (a tiny depth) cannot be followed. */
	if (f->rs[DIR_TO_SERVER].done) {
		e->doubt(e->ctx, f, DOUBT_GAP);
		return;
	}
	if (e->nflows >= PROXY_FLOWS_MAX || quota_take(&e->quota, f->key.addr[f->client]) < 0) {
		e->doubt(e->ctx, f, DOUBT_INSPECT_STATE);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->hp = http_parser_new(0, NULL)) == NULL) {
		free(p);
		quota_give(&e->quota, f->key.addr[f->client]);
		e->doubt(e->ctx, f, DOUBT_INSPECT_STATE);
		return;
	}

	f->proxy = p;
	reasm_follow(&f->rs[DIR_TO_SERVER], 1);
	e->nflows++;
	e->st.flows++;
	feed(e, f, 0, buf, len);
}

void
proxy_data(struct proxy_env *e, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len)
{
	if (f->proxy && dir == DIR_TO_SERVER && len > 0)
		feed(e, f, offset, buf, len);
}
