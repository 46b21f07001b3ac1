/*
 * proto_kafka.c: Apache Kafka by the client's first request (Kafka
 * protocol guide, "Requests").
 *
 * A request is an int32 size (of what follows), then the request header:
 * int16 api_key, int16 api_version, int32 correlation_id, and a nullable
 * string client_id (int16 length, -1 for null); header v2 adds tagged
 * fields after it, the body follows.  All big-endian.  Clients speak
 * first; the response starts with its size and the same correlation_id.
 * method is the API's name, client the client_id.
 */
#include "config.h"

#include <stdio.h>

#include "base/bytes.h"
#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

/*
 * A connection's first request is small (ApiVersions, Metadata,
 * SaslHandshake; a producer's max.request.size is 1 MB by default).  This
 * bound also keeps out DNS over TCP, whose length and id read as a size
 * of at least 1.1 MB.
 */
#define REQUEST_MAX	(1 << 20)
#define API_KEY_MAX	80
#define API_VERSION_MAX	20
#define CLIENT_ID_MAX	512

static const char *const api_names[] = {
	[0] = "Produce", [1] = "Fetch", [2] = "ListOffsets", [3] = "Metadata",
	[8] = "OffsetCommit", [9] = "OffsetFetch", [10] = "FindCoordinator",
	[11] = "JoinGroup", [12] = "Heartbeat", [13] = "LeaveGroup", [14] = "SyncGroup",
	[15] = "DescribeGroups", [16] = "ListGroups", [17] = "SaslHandshake",
	[18] = "ApiVersions", [19] = "CreateTopics", [20] = "DeleteTopics",
	[22] = "InitProducerId", [32] = "DescribeConfigs",
};

/* The header's fixed fields, as far as they have come. */
static int
fixed_ok(const uint8_t *p, size_t n)
{
	if ((n > 0 && p[0] != 0) || (n > 1 && p[1] > REQUEST_MAX >> 16))
		return 0;
	if (n > 4 && p[4] != 0)
		return 0;		/* api_key high byte */
	if (n > 5 && p[5] > API_KEY_MAX)
		return 0;
	if (n > 6 && p[6] != 0)
		return 0;		/* api_version high byte */
	if (n > 7 && p[7] > API_VERSION_MAX)
		return 0;
	return !(n > 8 && p[8] >= 0x80);	/* correlation_id not negative */
}

static enum app_result
kafka_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *p = in->data[DIR_TO_SERVER], *s = in->data[DIR_TO_CLIENT];
	size_t n = in->len[DIR_TO_SERVER], sn = in->len[DIR_TO_CLIENT], idlen = 0, hlen;
	uint32_t size;
	int cut;

	if (!fixed_ok(p, n))
		return APP_NO;
	if (n < 14)
		return sn > 0 ? APP_NO : probe_more(in, DIR_TO_SERVER);
	size = be32(p);
	if (size < 10 || size > REQUEST_MAX)
		return APP_NO;
	if (p[12] != 0xff || p[13] != 0xff) {	/* not null */
		idlen = be16(p + 12);
		if (idlen > CLIENT_ID_MAX || idlen > size - 10)
			return APP_NO;
	}
	hlen = 14 + idlen;
	for (size_t i = 14; i < hlen && i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return APP_NO;
	/*
	 * The server answers the whole request, with its correlation_id; a
	 * client that closes has sent it whole (unless past the probe's view).
	 */
	cut = n < 4 + (size_t)size && n < APP_PROBE_MAX;
	if (sn > 0 && (cut || (sn >= 8 && be32(s + 4) != be32(p + 8))))
		return APP_NO;
	if (n < hlen || (in->closed[DIR_TO_SERVER] && cut))
		return probe_more(in, DIR_TO_SERVER);
	if (p[5] < sizeof(api_names) / sizeof(api_names[0]) && api_names[p[5]] != NULL)
		snprintf(info->method, sizeof(info->method), "%s", api_names[p[5]]);
	else
		snprintf(info->method, sizeof(info->method), "api %u", p[5]);
	app_copy_text(info->client, sizeof(info->client), p + 14, idlen);
	return APP_YES;
}

const struct app_ops proto_kafka = {
	.id = APP_KAFKA,
	.name = "Kafka",
	.word = "kafka",
	.hint_ports = { 9092 },
	.probe = kafka_probe,
};
