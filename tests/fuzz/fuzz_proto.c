/*
 * fuzz_proto: one application protocol's probe (FUZZ_APP, set at compile
 * time: one target per protocol) on any bytes.  Input: a 2-byte
 * big-endian length of the client part, the client bytes, then the
 * server bytes.  Each direction is copied to a buffer of its exact size,
 * so a read past len is caught.  The probe runs on growing prefixes of
 * both directions as the packet path would call it, and app_detect()
 * runs the whole table on the full input.  Every info string must be
 * NUL-terminated printable text.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/app_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void
check_info(const struct app_info *in)
{
	check_text(in->method, sizeof(in->method));
	check_text(in->host, sizeof(in->host));
	check_text(in->path, sizeof(in->path));
	check_text(in->user, sizeof(in->user));
	check_text(in->database, sizeof(in->database));
	check_text(in->version, sizeof(in->version));
	check_text(in->alpn, sizeof(in->alpn));
	check_text(in->client, sizeof(in->client));
	check_text(in->server, sizeof(in->server));
}

static void
probe_at(const struct app_input *full, size_t n0, size_t n1)
{
	const struct app_ops *ops = app_table[FUZZ_APP];
	struct app_input in = *full;
	struct app_info info;
	enum app_result r;

	in.len[0] = n0;
	in.len[1] = n1;
	in.closed[0] = in.closed[1] = 0;
	memset(&info, 0, sizeof(info));
	r = ops->probe(&in, &info);
	if (r != APP_NO && r != APP_MAYBE && r != APP_YES)
		abort();
	check_info(&info);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_input in;
	struct app_info info;
	uint8_t *dir[2];
	size_t n0;
	int done;

	if (size < 3)
		return 0;
	n0 = (size_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	if (n0 > size)
		n0 = size;
	memset(&in, 0, sizeof(in));
	in.len[0] = n0 < APP_PROBE_MAX ? n0 : APP_PROBE_MAX;
	in.len[1] = size - n0 < APP_PROBE_MAX ? size - n0 : APP_PROBE_MAX;
	dir[0] = malloc(in.len[0] ? in.len[0] : 1);
	dir[1] = malloc(in.len[1] ? in.len[1] : 1);
	if (dir[0] == NULL || dir[1] == NULL)
		abort();
	memcpy(dir[0], data, in.len[0]);
	memcpy(dir[1], data + n0, in.len[1]);
	in.data[0] = dir[0];
	in.data[1] = dir[1];
	in.proto = (data[0] & 1) ? IPPROTO_UDP : IPPROTO_TCP;
	in.server_port = app_table[FUZZ_APP]->hint_ports[0];

	/* Client bytes first, then the server's, in growing steps. */
	for (size_t k = 0; k <= in.len[0]; k += 1 + k / 4)
		probe_at(&in, k, 0);
	for (size_t k = 0; k <= in.len[1]; k += 1 + k / 4)
		probe_at(&in, in.len[0], k);
	probe_at(&in, in.len[0], in.len[1]);

	in.closed[0] = in.closed[1] = 1;
	memset(&info, 0, sizeof(info));
	if (app_detect(&in, &info, &done) >= APP_COUNT || !done)
		abort();
	check_info(&info);
	free(dir[0]);
	free(dir[1]);
	return 0;
}
