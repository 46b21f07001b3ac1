/*
 * app_table.c: the table of application protocols, one entry per probe
 * (proto_*.c), and what walks it: names, rule words, detection.  It sits
 * above the probes; they know only app.h and probe.h.
 */
#include "config.h"

#include <strings.h>

#include "proto/app_table.h"

extern const struct app_ops proto_http, proto_http2, proto_grpc, proto_tls, proto_dns,
    proto_ssh, proto_postgresql, proto_mysql, proto_redis, proto_mongodb, proto_kafka,
    proto_smtp, proto_ftp, proto_memcached;

const struct app_ops *const app_table[APP_COUNT] = {
	[APP_HTTP] = &proto_http,
	[APP_HTTP2] = &proto_http2,
	[APP_GRPC] = &proto_grpc,
	[APP_TLS] = &proto_tls,
	[APP_DNS] = &proto_dns,
	[APP_SSH] = &proto_ssh,
	[APP_POSTGRESQL] = &proto_postgresql,
	[APP_MYSQL] = &proto_mysql,
	[APP_REDIS] = &proto_redis,
	[APP_MONGODB] = &proto_mongodb,
	[APP_KAFKA] = &proto_kafka,
	[APP_SMTP] = &proto_smtp,
	[APP_FTP] = &proto_ftp,
	[APP_MEMCACHED] = &proto_memcached,
};

/*
 * The order probes run in when no hint applies: the more specific first.
 * gRPC before HTTP/2 (gRPC is HTTP/2 with a content type); binary
 * protocols with strong magic before the loosely framed text ones
 * (memcached and Redis inline commands are plain words).
 */
static const enum app_id probe_order[] = {
	APP_TLS, APP_SSH, APP_GRPC, APP_HTTP2, APP_HTTP, APP_POSTGRESQL, APP_MYSQL,
	APP_MONGODB, APP_KAFKA, APP_DNS, APP_SMTP, APP_FTP, APP_REDIS, APP_MEMCACHED,
};

const char *
app_name(enum app_id id)
{
	if (id <= APP_UNKNOWN || id >= APP_COUNT)
		return "unknown";
	return app_table[id]->name;
}

enum app_id
app_by_word(const char *word)
{
	for (int i = 1; i < APP_COUNT; i++)
		if (!strcasecmp(app_table[i]->word, word))
			return (enum app_id)i;
	return APP_COUNT;
}

static int
full(const struct app_input *in, int dir)
{
	return in->closed[dir] || in->len[dir] >= APP_PROBE_MAX;
}

static int
hinted(const struct app_ops *ops, uint16_t port)
{
	for (size_t i = 0; i < sizeof(ops->hint_ports) / sizeof(ops->hint_ports[0]); i++)
		if (port != 0 && ops->hint_ports[i] == port)
			return 1;
	return 0;
}

/*
 * Hinted probes run first, then the rest in probe_order; the first YES
 * wins, unless a probe before it still says MAYBE: that holds the answer
 * back (a gRPC request is HTTP/2 until its headers are seen) until both
 * directions are full or closed, so the result does not depend on how
 * far the bytes have come.
 */
enum app_id
app_detect(const struct app_input *in, struct app_info *info, int *done)
{
	enum app_id order[APP_COUNT];
	size_t n = 0;
	int maybe = 0, ended = full(in, 0) && full(in, 1);

	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(probe_order) / sizeof(probe_order[0]); i++) {
			const struct app_ops *ops = app_table[probe_order[i]];

			if (hinted(ops, in->server_port) == (pass == 0))
				order[n++] = probe_order[i];
		}
	*done = 0;
	for (size_t i = 0; i < n; i++) {
		const struct app_ops *ops = app_table[order[i]];
		enum app_result r = ops->probe(in, info);

		if (r == APP_YES && (!maybe || ended)) {
			*done = 1;
			return ops->id;
		}
		if (r == APP_YES)
			break;		/* wait for the MAYBE before it */
		if (r == APP_MAYBE)
			maybe = 1;
	}
	if (!maybe || ended)
		*done = 1;
	return APP_UNKNOWN;
}
