/*
 * resolvers.h: the DNS servers whose answers bind names (nvd.conf(5)
 * dns_resolvers, nvd(8) DNS AND NAMES), for the policy snapshot
 * (policy_resolvers).  "auto" reads the nameservers Docker gives its
 * containers: the host's resolv.conf, or, where that names only a local
 * stub (systemd-resolved's 127.0.0.53, which containers cannot reach),
 * the upstream servers in systemd-resolved's own file, and where neither
 * names one, Docker's own defaults (Google's public servers), which it
 * then gives its containers.
 */
#ifndef NVD_RESOLVERS_H
#define NVD_RESOLVERS_H

#include "policy/policy.h"

#define RESOLV_CONF		"/etc/resolv.conf"
#define RESOLV_CONF_SYSTEMD	"/run/systemd/resolve/resolv.conf"

/*
 * The nameservers of resolv.conf file path (not loopback ones) added to
 * *r; the number of loopback ones skipped, or -1 when the file cannot be
 * read.
 */
int resolvers_from_file(const char *path, struct policy_resolvers *r);

/*
 * The servers text (conf's dns_resolvers, already checked) says, into *r:
 * "any", the addresses, or with "auto" those of RESOLV_CONF (and of
 * RESOLV_CONF_SYSTEMD when it names only loopback ones, and Docker's
 * defaults when neither names one).  Says in the log which servers are
 * trusted, and when none is.
 */
void resolvers_load(const char *text, struct policy_resolvers *r);

#endif
