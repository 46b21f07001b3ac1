/*
 * commands_dns.c: nvctl dns list, the IP to FQDN bindings nvd learned
 * from the DNS answers it saw (fqdn.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/clock.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "names/fqdn.h"
#include "base/table.h"
#include "packet/worker.h"

#define DNS_USAGE	"dns list [--name N] [--address A]"
#define DNS_REPLY_MAX	(CTL_MAX_RESPONSE / 2)

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
	time_t t = (time_t)((l->now_real_ms + (int64_t)(expires_ms - l->now_ms)) / 1000);
	struct tm tm;

	if (expires_ms < l->now_ms)
		t = (time_t)(l->now_real_ms / 1000);
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
		l->full = l->o->len > DNS_REPLY_MAX;
	} else {
		table_add(&l->t, name);
		table_add(&l->t, a);
		table_add(&l->t, s);
		table_add(&l->t, e);
		table_addf(&l->t, "%u", refs);
		l->full = (size_t)l->t.n * 40 > DNS_REPLY_MAX;
	}
	l->n++;
}

static int
cmd_dns_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	static const char *const head[] = { "name", "address", "source", "expires", "connections" };
	struct dns_list l = { .json = json, .o = o, .t = { .ncols = 5 } };

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			buf_printf(o, "option %s needs a value (usage: nvctl %s)", argv[i], DNS_USAGE);
			return CTL_RESP_USAGE;
		}
		if (!strcmp(argv[i], "--name"))
			l.name = argv[i + 1];
		else if (!strcmp(argv[i], "--address")) {
			if (inet_pton(AF_INET, argv[i + 1], l.addr.addr) == 1)
				l.addr.family = AF_INET;
			else if (inet_pton(AF_INET6, argv[i + 1], l.addr.addr) == 1)
				l.addr.family = AF_INET6;
			else {
				buf_printf(o, "bad address '%.64s'", argv[i + 1]);
				return CTL_RESP_USAGE;
			}
		} else {
			buf_printf(o, "unknown option '%.64s' (usage: nvctl %s)", argv[i], DNS_USAGE);
			return CTL_RESP_USAGE;
		}
	}
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
		buf_reset(o);
		buf_printf(o, "more than %d MiB of bindings for one reply; narrow it with --name "
		    "or --address", DNS_REPLY_MAX >> 20);
		return CTL_RESP_ERROR;
	}
	if (json)
		buf_puts(o, "]\n");
	else
		table_print(&l.t, o);
	table_free(&l.t);
	return CTL_RESP_OK;
}

const struct handler dns_handlers[] = {
	{ { "dns", "list" }, 0, 4, DNS_USAGE, cmd_dns_list },
	{ { NULL }, 0, 0, NULL, NULL },
};
