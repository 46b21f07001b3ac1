/*
 * handle_dns.c: nvctl dns list, the IP to FQDN bindings nvd learned
 * from the DNS answers it saw (fqdn.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "names/fqdn.h"
#include "base/table.h"
#include "packet/worker.h"

#define DNS_USAGE	"dns list [--name N] [--address A]"

struct dns_list {
	const char *name;		/* filter, or NULL */
	struct fqdn_addr addr;		/* filter when addr.family */
	int json, n, full;
	int64_t now_real_ms;
	uint64_t now_ms;
	struct table t;
	struct buf *o;
};

static void
addr_text(const struct fqdn_addr *a, char *out, size_t len)
{
	if (inet_ntop(a->family == AF_INET ? AF_INET : AF_INET6, a->addr, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

/* The expiry as wall-clock RFC 3339: the cache keeps monotonic times. */
static void
expiry_text(const struct dns_list *l, uint64_t expires_ms, char *out, size_t len)
{
	int64_t t = (l->now_real_ms + (int64_t)(expires_ms - l->now_ms)) / 1000;

	if (expires_ms < l->now_ms)
		t = l->now_real_ms / 1000;
	if (req_utc(t, out, len) == NULL)
		snprintf(out, len, "-");
}

static void
one(void *ctx, const struct fqdn_addr *src, const char *name, const struct fqdn_addr *addr,
    uint64_t expires_ms, uint32_t refs)
{
	struct dns_list *l = ctx;
	char s[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], e[32];

	if (l->full || (l->name && strcmp(l->name, name)) ||
	    (l->addr.family && (l->addr.family != addr->family ||
	    memcmp(l->addr.addr, addr->addr, addr->family == AF_INET ? 4 : 16))))
		return;
	addr_text(src, s, sizeof(s));
	addr_text(addr, a, sizeof(a));
	expiry_text(l, expires_ms, e, sizeof(e));
	if (l->json) {
		buf_puts(l->o, l->n ? ",{\"name\":" : "{\"name\":");
		buf_json_str(l->o, name);
		buf_puts(l->o, ",\"address\":");
		buf_json_str(l->o, a);
		buf_puts(l->o, ",\"source\":");
		buf_json_str(l->o, s);
		buf_puts(l->o, ",\"expires\":");
		buf_json_str(l->o, e);
		buf_printf(l->o, ",\"connections\":%u}", refs);
		l->full = l->o->len > REQ_REPLY_MAX;
	} else {
		table_add(&l->t, name);
		table_add(&l->t, a);
		table_add(&l->t, s);
		table_add(&l->t, e);
		table_addf(&l->t, "%u", refs);
		l->full = (size_t)l->t.n * 40 > REQ_REPLY_MAX;
	}
	l->n++;
}

/* The options of dns list, taken by set_filter(). */
static const struct req_opt options[] = {
	{ .name = "name" },
	{ .name = "address" },
	{ .name = NULL },
};

/* Sets a filter of the dns_list ctx; a later one overrides an earlier one. */
static int
set_filter(void *ctx, const struct req_opt *opt, const char *val, struct buf *o)
{
	struct dns_list *l = ctx;

	if (!strcmp(opt->name, "name"))
		l->name = val;
	else if (inet_pton(AF_INET, val, l->addr.addr) == 1)
		l->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, val, l->addr.addr) == 1)
		l->addr.family = AF_INET6;
	else
		return req_error(o, CTL_RESP_USAGE, "bad address '%.64s'", val);
	return CTL_RESP_OK;
}

static int
cmd_dns_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	static const char *const head[] = { "name", "address", "source", "expires", "connections" };
	struct dns_list l = { .json = json, .o = o, .t = { .ncols = 5 } };
	int rc;

	if ((rc = req_options(argc, argv, options, DNS_USAGE, set_filter, &l, o)) != CTL_RESP_OK)
		return rc;
	l.now_real_ms = clock_real_ms();
	l.now_ms = clock_mono_ms();
	if (json)
		buf_puts(o, "[");
	else
		for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
			table_add(&l.t, head[i]);
	if (d->fqdn)
		fqdn_foreach(d->fqdn, l.now_ms, one, &l);
	if (l.full) {
		table_free(&l.t);
		return req_too_big(o, "bindings", "--name or --address");
	}
	if (json)
		buf_puts(o, "]\n");
	else
		table_print(&l.t, o);
	table_free(&l.t);
	return CTL_RESP_OK;
}

const struct handler dns_handlers[] = {
	{ { "dns", "list" }, 0, 4, DNS_USAGE, cmd_dns_list, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
