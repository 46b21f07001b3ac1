#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names/dns.h"
#include "packet/egress.h"

/* A decimal port 1-65535 of n characters. */
static int
port_of(const char *s, size_t n, uint16_t *port)
{
	unsigned long p = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		p = p * 10 + (unsigned long)(s[i] - '0');
	}
	if (p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/*
 * "[userinfo@]host[:port]" of len bytes into t: host a DNS name, an IPv4
 * address or an IPv6 address in brackets; the port dflt if none.
 */
static int
authority(const char *s, size_t len, uint16_t dflt, struct egress_target *t)
{
	const char *at = NULL, *hs, *pe;
	char h[POLICY_FQDN_MAX + 1];
	size_t hlen;

	for (size_t i = 0; i < len; i++)	/* the last '@' ends the userinfo */
		if (s[i] == '@')
			at = s + i;
	if (at) {
		len -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	memset(t, 0, sizeof(*t));
	t->port = dflt;
	if (len > 0 && s[0] == '[') {		/* IP-literal: [v6] */
		const char *close = memchr(s, ']', len);

		if (close == NULL)
			return -1;
		hs = s + 1;
		hlen = (size_t)(close - hs);
		pe = close + 1;
	} else {
		const char *colon = memchr(s, ':', len);

		hs = s;
		hlen = colon ? (size_t)(colon - s) : len;
		pe = s + hlen;
	}
	if (hlen == 0 || hlen > POLICY_FQDN_MAX)
		return -1;
	if (pe < s + len && (*pe != ':' || port_of(pe + 1, (size_t)(s + len - pe - 1),
	    &t->port) < 0))
		return -1;
	for (size_t i = 0; i < hlen; i++)
		h[i] = (char)tolower((unsigned char)hs[i]);
	h[hlen] = '\0';
	if (hs != s) {				/* bracketed: IPv6 only */
		if (inet_pton(AF_INET6, h, t->addr) != 1)
			return -1;
		t->family = AF_INET6;
		snprintf(t->host, sizeof(t->host), "[%s]", h);
		return 1;
	}
	if (inet_pton(AF_INET, h, t->addr) == 1) {
		t->family = AF_INET;
		snprintf(t->host, sizeof(t->host), "%s", h);
		return 1;
	}
	if (hlen > 0 && h[hlen - 1] == '.')
		h[hlen - 1] = '\0';
	/* A name; what ends in a digit but is no address is neither. */
	if (!dns_name_ok(h) || isdigit((unsigned char)h[strlen(h) - 1]))
		return -1;
	memcpy(t->host, h, strlen(h) + 1);
	return 1;
}

int
egress_proxy_target(const struct app_info *info, struct egress_target *t)
{
	const char *p = info->path;

	if (strcmp(info->method, "CONNECT") == 0)
		return authority(p, strlen(p), 443, t);
	if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
		return authority(p, strcspn(p, "/?#"), 80, t);
	}
	if (strncasecmp(p, "https://", 8) == 0) {
		p += 8;
		return authority(p, strcspn(p, "/?#"), 443, t);
	}
	return 0;
}
