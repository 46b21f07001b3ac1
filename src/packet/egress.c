#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names/dns.h"
#include "packet/egress.h"

/* "host[:port]" of at most len bytes into host and *port (dflt if none). */
static int
authority(const char *s, size_t len, uint16_t dflt, char host[POLICY_FQDN_MAX + 1],
    uint16_t *port)
{
	const char *colon = memchr(s, ':', len);
	size_t hlen = colon ? (size_t)(colon - s) : len;
	unsigned long p = dflt;

	if (memchr(s, '@', len) || hlen == 0 || hlen > POLICY_FQDN_MAX)
		return 0;	/* userinfo is no part of a destination we judge */
	if (colon) {
		char *end;
		char digits[8];
		size_t dlen = len - hlen - 1;

		if (dlen == 0 || dlen >= sizeof(digits))
			return 0;
		memcpy(digits, colon + 1, dlen);
		digits[dlen] = '\0';
		p = strtoul(digits, &end, 10);
		if (*end != '\0' || !isdigit((unsigned char)digits[0]) || p == 0 || p > 65535)
			return 0;
	}
	for (size_t i = 0; i < hlen; i++)
		host[i] = (char)tolower((unsigned char)s[i]);
	host[hlen] = '\0';
	if (hlen > 0 && host[hlen - 1] == '.')
		host[hlen - 1] = '\0';
	/* A name, not an address: the FQDN rules judge names. */
	if (!dns_name_ok(host) || isdigit((unsigned char)host[strlen(host) - 1]))
		return 0;
	*port = (uint16_t)p;
	return 1;
}

int
egress_proxy_target(const struct app_info *info, char host[POLICY_FQDN_MAX + 1],
    uint16_t *port)
{
	const char *t = info->path;

	if (strcmp(info->method, "CONNECT") == 0)
		return authority(t, strlen(t), 443, host, port);
	if (strncasecmp(t, "http://", 7) == 0) {
		t += 7;
		return authority(t, strcspn(t, "/?#"), 80, host, port);
	}
	if (strncasecmp(t, "https://", 8) == 0) {
		t += 8;
		return authority(t, strcspn(t, "/?#"), 443, host, port);
	}
	return 0;
}
