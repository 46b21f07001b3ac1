/*
 * app.c: the helpers app.h promises beside its types, for probes and
 * callers alike; the table of probes and what walks it are app_table.c.
 */
#include "config.h"

#include <stdio.h>

#include "proto/app.h"

void
app_describe(enum app_id id, const struct app_info *info, char *out, size_t outlen)
{
	const struct {
		const char *label;
		const char *text;
	} f[] = {
		{ "method", info->method },
		{ id == APP_TLS ? "sni" : "host", info->host },
		{ "path", info->path },
		{ "user", info->user },
		{ "database", info->database },
		{ "version", info->version },
		{ "alpn", info->alpn },
		{ "client", info->client },
		{ "server", info->server },
	};
	size_t off = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int n;

		if (f[i].text[0] == '\0')
			continue;
		n = snprintf(out + off, outlen - off, "%s%s %s", off ? ", " : "", f[i].label,
		    f[i].text);
		if (n < 0 || (size_t)n >= outlen - off)
			break;		/* cut: what fitted stays */
		off += (size_t)n;
	}
}

void
app_copy_text(char *out, size_t cap, const uint8_t *s, size_t n)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	out[i] = '\0';
}
