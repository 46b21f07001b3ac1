/*
 * fqdn_mem.c: memory of the IP to FQDN cache at 1,000,000 bindings.
 *
 * usage: fqdn_mem [BINDINGS]
 *
 * Binds 10,000 names, each to 100 addresses of its own, for 50 sources
 * (each name resolved by one of them), with names of realistic shapes and
 * lengths (15 to 60 characters, about 35 on average), in a cache bounded
 * at the default 1,000,000 with the default 64 shards.  Prints the cache's
 * own memory figure and the growth of the process's resident set, each
 * per binding, and the time per bind and per lookup.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "names/fqdn.h"

#define NAMES		10000
#define SOURCES		50

static const char *const service[] = {
	"api", "www", "cdn", "auth", "login", "static", "images", "checkout",
	"payments-gateway", "telemetry", "s3", "storage", "graphql", "events-ingest",
	"registry", "mirror", "updates", "push-notifications",
};
static const char *const zone[] = {
	"example.com", "example.net", "example-corp.io", "eu-west-1.amazonaws.example",
	"prod.internal.example.org", "cloudfront.example", "svc.cluster.example",
	"googleapis.example.com", "edge.fastly-example.net",
};

/* Name n: service, sometimes a shard number and a region, then a zone. */
static void
make_name(unsigned n, char *out, size_t len)
{
	const char *svc = service[n % (sizeof(service) / sizeof(service[0]))];
	const char *z = zone[(n / 7) % (sizeof(zone) / sizeof(zone[0]))];

	switch (n % 3) {
	case 0:
		snprintf(out, len, "%s%u.%s", svc, n, z);
		break;
	case 1:
		snprintf(out, len, "%s-%u.us-east-%u.%s", svc, n, n % 4 + 1, z);
		break;
	default:
		snprintf(out, len, "%s.t%u.%s", svc, n, z);
		break;
	}
}

/* Address k of name n: 10.0.0.0/8 and up, distinct for every (n, k). */
static void
make_addr(unsigned n, unsigned k, struct fqdn_addr *a)
{
	uint32_t v = (10u << 24) + n * 100 + k;

	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->addr[0] = (uint8_t)(v >> 24);
	a->addr[1] = (uint8_t)(v >> 16);
	a->addr[2] = (uint8_t)(v >> 8);
	a->addr[3] = (uint8_t)v;
}

static void
make_src(unsigned n, struct fqdn_addr *s)
{
	memset(s, 0, sizeof(*s));
	s->family = AF_INET;
	s->addr[0] = 172;
	s->addr[1] = 17;
	s->addr[3] = (uint8_t)(n % SOURCES + 2);
}

/* Resident set in bytes, from /proc/self/statm. */
static long
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, rss = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct fqdn_limits lim = { .max_bindings = FQDN_MAX_BINDINGS_DEFAULT, .min_ttl = 60 };
	unsigned total = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000, perk;
	char name[FQDN_NAME_MAX + 1], out[4][FQDN_NAME_MAX + 1];
	struct fqdn_addr src, addr;
	struct fqdn_cache *c;
	struct fqdn_stats st;
	unsigned long namelen = 0, found = 0;
	long rss0, rss1;
	double t0, t1, t2;

	perk = (total + NAMES - 1) / NAMES;
	rss0 = rss_bytes();
	if ((c = fqdn_cache_new(&lim)) == NULL) {
		fprintf(stderr, "fqdn_mem: no memory\n");
		return 1;
	}
	t0 = now_s();
	for (unsigned k = 0; k < perk; k++)
		for (unsigned n = 0; n < NAMES && k * NAMES + n < total; n++) {
			make_name(n, name, sizeof(name));
			make_src(n, &src);
			make_addr(n, k, &addr);
			if (fqdn_bind(c, &src, name, &addr, 300, 0) < 0) {
				fprintf(stderr, "fqdn_mem: bind failed\n");
				return 1;
			}
			if (k == 0)
				namelen += strlen(name);
		}
	t1 = now_s();
	for (unsigned k = 0; k < perk; k++)
		for (unsigned n = 0; n < NAMES && k * NAMES + n < total; n++) {
			make_src(n, &src);
			make_addr(n, k, &addr);
			found += fqdn_names(c, &src, &addr, 1, out, 4) == 1;
		}
	t2 = now_s();
	rss1 = rss_bytes();
	fqdn_stats(c, &st);

	printf("%u binds, max %llu: bindings %llu (evicted %llu), names %llu (average length %.1f), "
	    "sources %u, found %lu\n", total, (unsigned long long)lim.max_bindings,
	    (unsigned long long)st.bindings,
	    (unsigned long long)st.evicted, (unsigned long long)st.names,
	    (double)namelen / (total < NAMES ? total : NAMES), SOURCES, found);
	printf("cache memory  %llu bytes, %.1f bytes per binding\n",
	    (unsigned long long)st.memory, (double)st.memory / (double)st.bindings);
	printf("RSS growth    %ld bytes, %.1f bytes per binding\n",
	    rss1 - rss0, (double)(rss1 - rss0) / (double)st.bindings);
	printf("bind %.0f ns, lookup %.0f ns (one thread)\n",
	    (t1 - t0) * 1e9 / (double)total, (t2 - t1) * 1e9 / (double)total);
	fqdn_cache_free(c);
	return found == st.bindings ? 0 : 1;
}
