#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "packet/appid.h"
#include "packet/doubt.h"
#include "proto/app_table.h"
#include "base/types.h"

#define BUF_CHUNK	64		/* buffers allocated at a time */
/*
 * The probes run again on every new segment, each time over all the bytes
 * kept (up to 2 x APP_PROBE_MAX): a peer sending a byte per segment would
 * make that quadratic.  A flow still undecided after PROBE_RUNS_MAX runs
 * is decided with what it has, as if both directions had ended (real
 * clients and servers are told within their first few segments).
 */
#define PROBE_RUNS_MAX	32

struct app_buf {
	struct app_buf *next;		/* free list */
	uint32_t len[2];
	uint32_t runs;			/* probe runs on this buffer */
	uint8_t seen[2];		/* UDP: that direction's first datagram is in */
	uint8_t data[2][APP_PROBE_MAX];
};

struct app_buf_chunk {
	struct app_buf_chunk *next;
	struct app_buf bufs[BUF_CHUNK];
};

int
appid_init(struct appid *d)
{
	memset(d, 0, sizeof(*d));
	return quota_init(&d->quota, APPID_BUFFERS_MAX, APPID_CLIENT_SHARE);
}

void
appid_destroy(struct appid *d)
{
	struct app_buf_chunk *c, *n;

	for (c = d->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	quota_destroy(&d->quota);
	memset(d, 0, sizeof(*d));
}

static const uint8_t *
client_of(const struct flow *f)
{
	return f->key.addr[f->client];
}

/* A buffer for f, within its client's share; NULL if none. */
static struct app_buf *
buf_get(struct appid *d, const struct flow *f)
{
	struct app_buf *b = d->free;

	if (quota_take(&d->quota, client_of(f)) < 0)
		return NULL;
	if (b == NULL && d->allocated < APPID_BUFFERS_MAX) {
		struct app_buf_chunk *c = malloc(sizeof(*c));

		if (c == NULL) {
			quota_give(&d->quota, client_of(f));
			return NULL;
		}
		c->next = d->chunks;
		d->chunks = c;
		d->allocated += BUF_CHUNK;
		for (int i = BUF_CHUNK; i-- > 0;) {
			c->bufs[i].next = d->free;
			d->free = &c->bufs[i];
		}
		b = d->free;
	}
	if (b == NULL) {
		quota_give(&d->quota, client_of(f));
		return NULL;
	}
	d->free = b->next;
	b->len[0] = b->len[1] = 0;
	b->runs = 0;
	b->seen[0] = b->seen[1] = 0;
	return b;
}

void
appid_release(struct appid *d, struct flow *f)
{
	if (f->ab) {
		f->ab->next = d->free;
		d->free = f->ab;
		f->ab = NULL;
		quota_give(&d->quota, client_of(f));
	}
}

static void
decide(struct appid *d, struct flow *f, enum app_id app)
{
	if (app == APP_UNKNOWN)
		memset(&d->info, 0, sizeof(d->info));
	appid_release(d, f);
	f->app = (uint8_t)app;
	f->app_state = APPS_DONE;
	f->flags |= FLOW_F_APP_NEW;
	d->info_flow = f;
	d->st.detected[app]++;
}

/* The application cannot be told, for reason why; see appid.h for what
 * follows. */
static void
waive(struct appid *d, struct flow *f, enum doubt why)
{
	appid_release(d, f);
	f->app = APP_UNKNOWN;
	f->app_state = APPS_WAIVED;
	f->flags |= FLOW_F_APP_NEW;
	if (f->doubt == DOUBT_NONE)
		f->doubt = (uint8_t)why;
	d->info_flow = NULL;
	d->st.waived++;
}

void
appid_stop(struct appid *d, struct flow *f)
{
	if (!appid_final(f))
		waive(d, f, DOUBT_UNDECIDED);
}

static int
closed(const struct flow *f, int dir)
{
	if (f->key.proto == IPPROTO_UDP)
		return f->ab && f->ab->seen[dir];
	return f->rs[dir].fin || f->tcp_state == TCPS_CLOSED;
}

/* Runs the probes on in; decides f when they are done. */
static void
probe(struct appid *d, struct flow *f, struct app_input *in)
{
	enum app_id app;
	int done;

	in->proto = f->key.proto;
	in->server_port = f->key.port[!f->client];
	memset(&d->info, 0, sizeof(d->info));
	app = app_detect(in, &d->info, &done);
	if (!done)
		return;
	decide(d, f, app);
	/* in may point into the buffer decide() gave back: it is not reused
	 * before the next buf_get(). */
	if (d->decided)
		d->decided(d->decided_ctx, f, in);
}

/* Probes f's buffered bytes. */
static void
probe_buffer(struct appid *d, struct flow *f, int ended)
{
	struct app_input in;

	if (++f->ab->runs >= PROBE_RUNS_MAX)
		ended = 1;
	memset(&in, 0, sizeof(in));
	for (int dir = 0; dir < 2; dir++) {
		in.data[dir] = f->ab->data[dir];
		in.len[dir] = f->ab->len[dir];
		in.closed[dir] = ended || closed(f, dir);
	}
	probe(d, f, &in);
}

/*
 * Bytes at offset of direction dir.  A flow's very first bytes are probed
 * in place; they are copied only if the probes want more.
 */
static void
feed(struct appid *d, struct flow *f, int dir, uint64_t offset, const uint8_t *buf, size_t len)
{
	if (appid_final(f) || len == 0)
		return;
	if (offset >= APP_PROBE_MAX) {
		/* The provisional allowance is spent: decide with what
		 * there is. */
		if (f->ab)
			probe_buffer(d, f, 1);
		if (!appid_final(f))
			waive(d, f, DOUBT_UNDECIDED);
		return;
	}
	if (f->app_state == APPS_NONE) {
		struct app_input in;

		memset(&in, 0, sizeof(in));
		in.data[dir] = buf;
		in.len[dir] = len < APP_PROBE_MAX ? len : APP_PROBE_MAX;
		in.closed[!dir] = f->key.proto == IPPROTO_UDP ? 0 : closed(f, !dir);
		in.closed[dir] = f->key.proto == IPPROTO_UDP || closed(f, dir);
		f->app_state = APPS_DETECTING;
		probe(d, f, &in);
		if (appid_final(f))
			return;
		if ((f->ab = buf_get(d, f)) == NULL) {
			d->st.nobuf++;
			waive(d, f, DOUBT_APP_STATE);
			return;
		}
		d->st.buffered++;
		memcpy(f->ab->data[dir], buf, in.len[dir]);
		f->ab->len[dir] = (uint32_t)in.len[dir];
		f->ab->seen[dir] = f->key.proto == IPPROTO_UDP;
		return;
	}
	if (f->ab->len[dir] != offset)
		return;		/* a byte of it was probed already */
	if (len > APP_PROBE_MAX - offset)
		len = APP_PROBE_MAX - offset;
	memcpy(f->ab->data[dir] + offset, buf, len);
	f->ab->len[dir] += (uint32_t)len;
	if (f->key.proto == IPPROTO_UDP)
		f->ab->seen[dir] = 1;
	probe_buffer(d, f, 0);
	if (!appid_final(f) && f->ab->runs >= PROBE_RUNS_MAX)
		decide(d, f, APP_UNKNOWN);
}

void
appid_data(struct appid *d, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len)
{
	feed(d, f, dir, offset, buf, len);
}

/* Bytes nvd never saw: what was sent cannot be told any more. */
void
appid_gap(struct appid *d, struct flow *f, int dir, uint64_t offset)
{
	if (appid_final(f))
		return;
	d->st.gaps++;
	waive(d, f, DOUBT_GAP);
}

void
appid_datagram(struct appid *d, struct flow *f, int dir, const uint8_t *buf, size_t len)
{
	if (appid_final(f))
		return;
	if (f->app_state == APPS_DETECTING && f->ab->seen[dir])
		return;		/* only the first datagram each way */
	if (len == 0) {
		if (f->ab)
			f->ab->seen[dir] = 1;
		return;
	}
	feed(d, f, dir, 0, buf, len);
}

void
appid_start(struct appid *d, struct flow *f)
{
	if (f->key.proto != IPPROTO_TCP && f->key.proto != IPPROTO_UDP) {
		f->app = APP_UNKNOWN;
		f->app_state = APPS_DONE;	/* nothing to tell: judged as is */
	} else if (f->flags & FLOW_F_MIDSTREAM)
		waive(d, f, DOUBT_MIDSTREAM);
}

void
appid_close(struct appid *d, struct flow *f)
{
	if (appid_final(f))
		return;
	if (f->app_state == APPS_NONE) {
		/* Not a byte either way (a port check, a refused
		 * connection): nothing crossed to judge but the port. */
		f->app_state = APPS_WAIVED;
		f->flags |= FLOW_F_APP_NEW;
		d->info_flow = NULL;
		return;
	}
	if (f->ab)
		probe_buffer(d, f, 1);
	if (!appid_final(f))
		decide(d, f, APP_UNKNOWN);
}
