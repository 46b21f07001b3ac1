#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/log.h"
#include "daemon/resolvers.h"

/* Adds the address text t to r (a repeat once); 1 when it is loopback and
 * not added, 0, or -1 when it is no address. */
static int
add(struct policy_resolvers *r, const char *t, int skip_loopback)
{
	struct policy_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, t, a.addr) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, t, a.addr) == 1)
		a.family = AF_INET6;
	else
		return -1;
	if (skip_loopback && ((a.family == AF_INET && a.addr[0] == 127) ||
	    (a.family == AF_INET6 && !memcmp(a.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))))
		return 1;
	for (int i = 0; i < r->n; i++)
		if (r->a[i].family == a.family && !memcmp(r->a[i].addr, a.addr, 16))
			return 0;
	if (r->n < POLICY_RESOLVERS_MAX)
		r->a[r->n++] = a;
	return 0;
}

int
resolvers_from_file(const char *path, struct policy_resolvers *r)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int loopback = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char word[32], addr[64];

		/* "nameserver ADDR"; a scoped IPv6 address (fe80::1%eth0) is
		 * the host's link: not a container's server */
		if (sscanf(line, "%31s %63s", word, addr) == 2 && !strcmp(word, "nameserver"))
			loopback += add(r, addr, 1) == 1;
	}
	fclose(f);
	return loopback;
}

static const char *const docker_defaults[] = { "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888",
    "2001:4860:4860::8844" };

void
resolvers_load(const char *text, struct policy_resolvers *r)
{
	char buf[1024], *save = NULL, list[POLICY_RESOLVERS_MAX * 48] = "";
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	if (!strcmp(text, "any")) {
		r->any = 1;
		log_info("dns: the answers of any DNS server bind names (dns_resolvers any)");
		return;
	}
	if (!strcmp(text, "auto")) {
		if (resolvers_from_file(RESOLV_CONF, r) > 0 && r->n == 0)
			resolvers_from_file(RESOLV_CONF_SYSTEMD, r);
		/* What Docker gives its containers when the host names no server
		 * they can reach (libnetwork's defaults). */
		for (size_t i = 0; r->n == 0 && i < sizeof(docker_defaults) /
		    sizeof(docker_defaults[0]); i++)
			add(r, docker_defaults[i], 0);
	} else {
		snprintf(buf, sizeof(buf), "%s", text);
		for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save))
			add(r, t, 0);
	}
	for (int i = 0; i < r->n && off < sizeof(list); i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(r->a[i].family, r->a[i].addr, a, sizeof(a));
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", a);
	}
	log_info("dns: the answers of %s bind names (dns_resolvers %s)", list, text);
}
