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

/*
 * The proxied destination of an HTTP request: 1 with host (a DNS name, in
 * lower case) and port, or 0 when the request is for the proxy itself
 * (origin form), names an address rather than a name, or is malformed.
 */
int egress_proxy_target(const struct app_info *info, char host[POLICY_FQDN_MAX + 1],
    uint16_t *port);

#endif
