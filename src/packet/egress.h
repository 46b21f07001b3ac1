/*
 * egress.h: where a connection really goes when it goes through an HTTP
 * proxy: the host and port of its first request, CONNECT host:port
 * (RFC 9110 9.3.6) or an absolute-form target http://host[:port]/...
 * (RFC 9112 3.2.2), as the HTTP probe saw them (app.h).
 */
#ifndef NVD_EGRESS_H
#define NVD_EGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/app.h"
#include "policy/policy.h"

/* Where a request to a proxy asks to go. */
struct egress_target {
	char host[POLICY_FQDN_MAX + 1];	/* a DNS name in lower case, or the
					 * address as written ("10.0.0.1", "[fd00::1]") */
	int family;			/* an address literal: AF_INET or AF_INET6; a name: 0 */
	uint8_t addr[16];		/* ... the address, network order */
	uint16_t port;
};

/*
 * The proxied destination of an HTTP request: CONNECT authority or an
 * absolute-form target (RFC 9112 3.2.2, 3.2.3), its userinfo left out
 * (RFC 3986 3.2.1): 1 with *t, 0 when the request is for the proxy itself
 * (origin form), -1 when its authority is malformed (a request a proxy may
 * act on in ways nvd cannot tell: in doubt).
 */
int egress_proxy_target(const struct app_info *info, struct egress_target *t);

#endif
