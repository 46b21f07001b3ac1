#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "proto/app.h"
#include "packet/dnsbind.h"
#include "base/types.h"

#define DNS_PORT	53

struct dns_stream {
	uint32_t len;		/* bytes in buf */
	uint32_t skip;		/* bytes of a too big message still to pass */
	uint8_t buf[DNSBIND_STREAM_MAX + 2];
};

int
dnsbind_wants(const struct flow *f)
{
	if (f->key.proto != IPPROTO_UDP && f->key.proto != IPPROTO_TCP)
		return 0;
	return f->key.port[!f->client] == DNS_PORT ||
	    (f->app_state == APPS_DONE && f->app == APP_DNS);
}

/* Binds what one answer says, for the client of f. */
static void
answer(struct dnsbind *b, const struct flow *f, const uint8_t *msg, size_t len, uint64_t now)
{
	struct dns_answer a;
	struct fqdn_addr src, addr;
	enum dns_status s = dns_parse(msg, len, &a);

	if (s != DNS_OK) {
		if (s != DNS_QUERY)
			b->st.errors[s]++;
		return;
	}
	b->st.answers++;
	b->st.cut += a.cut;
	memset(&src, 0, sizeof(src));
	src.family = f->key.family;
	memcpy(src.addr, f->key.addr[f->client], 16);
	for (int i = 0; i < a.naddrs; i++) {
		uint32_t ttl = a.addrs[i].ttl < a.chain_ttl ? a.addrs[i].ttl : a.chain_ttl;

		memset(&addr, 0, sizeof(addr));
		addr.family = a.addrs[i].family;
		memcpy(addr.addr, a.addrs[i].addr, 16);
		/* Every name of the chain: the client may be judged by any. */
		for (int n = 0; n < a.nnames; n++) {
			if (fqdn_bind(b->cache, &src, a.names[n], &addr, ttl, now) < 0)
				b->st.bind_failed++;
			else
				b->st.bindings++;
		}
	}
}

void
dnsbind_datagram(struct dnsbind *b, struct flow *f, int dir, const uint8_t *buf, size_t len,
    uint64_t now)
{
	if (b->cache && dir == DIR_TO_CLIENT && len > 0 && dnsbind_wants(f))
		answer(b, f, buf, len, now);
}

static struct dns_stream *
stream_for(struct dnsbind *b, struct flow *f)
{
	if (f->dns == NULL && b->streams < DNSBIND_STREAMS_MAX &&
	    (f->dns = malloc(sizeof(*f->dns))) != NULL) {
		f->dns->len = f->dns->skip = 0;
		b->streams++;
	}
	return f->dns;
}

/*
 * Reads the whole messages at the front of the buffer; a message too big
 * to keep is skipped by its length.
 */
static void
drain(struct dnsbind *b, struct flow *f, struct dns_stream *ds, uint64_t now)
{
	const uint8_t *msg;
	size_t used, off = 0;
	int n;

	while ((n = dns_tcp_next(ds->buf + off, ds->len - off, &msg, &used)) > 0) {
		answer(b, f, msg, (size_t)n, now);
		off += used;
	}
	if (n == 0 && ds->len - off >= 2) {
		uint32_t want = (uint32_t)ds->buf[off] << 8 | ds->buf[off + 1];

		if (want > DNSBIND_STREAM_MAX) {
			b->st.too_big++;
			ds->skip = 2 + want - (ds->len - (uint32_t)off);
			off = ds->len;
		}
	}
	if (n < 0)		/* not DNS after all: read no more of it */
		ds->skip = UINT32_MAX, off = ds->len;
	memmove(ds->buf, ds->buf + off, ds->len - off);
	ds->len -= (uint32_t)off;
}

void
dnsbind_data(struct dnsbind *b, struct flow *f, int dir, uint64_t offset, const uint8_t *buf,
    size_t len, uint64_t now)
{
	struct dns_stream *ds;

	(void)offset;		/* in order: reasm.h delivers it so */
	if (b->cache == NULL || dir != DIR_TO_CLIENT || !dnsbind_wants(f))
		return;
	if ((ds = stream_for(b, f)) == NULL) {
		b->st.no_stream++;
		return;
	}
	while (len > 0) {
		size_t n;

		if (ds->skip) {
			n = len < ds->skip ? len : ds->skip;
			if (ds->skip != UINT32_MAX)
				ds->skip -= (uint32_t)n;
			buf += n;
			len -= n;
			continue;
		}
		n = sizeof(ds->buf) - ds->len;
		if (n > len)
			n = len;
		memcpy(ds->buf + ds->len, buf, n);
		ds->len += (uint32_t)n;
		buf += n;
		len -= n;
		drain(b, f, ds, now);
	}
}

/* Bytes nvd never saw: where the next message starts is lost. */
void
dnsbind_gap(struct dnsbind *b, struct flow *f, int dir)
{
	if (f->dns && dir == DIR_TO_CLIENT) {
		f->dns->len = 0;
		f->dns->skip = UINT32_MAX;
	}
	(void)b;
}

void
dnsbind_release(struct dnsbind *b, struct flow *f)
{
	if (f->dns) {
		free(f->dns);
		f->dns = NULL;
		b->streams--;
	}
}
