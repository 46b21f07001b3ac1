/*
 * check_fqdn.c: the IP to FQDN cache: per-source and global lookups,
 * expiry with a fake clock, refresh, uses and stale handles, the bound and
 * its eviction order, memory accounting, and four threads at once.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/clock.h"
#include "names/fqdn.h"

#define SEC	1000ull
#define ALL	(1u << 20)	/* an fqdn_expire budget that reaches every slot */

static struct fqdn_cache *c;

static struct fqdn_addr
A(const char *text)
{
	struct fqdn_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.addr) == 1)
		a.family = AF_INET;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, a.addr), 1);
		a.family = AF_INET6;
	}
	return a;
}

/* The n-th address of 198.18.0.0/15, as a value. */
static struct fqdn_addr
An(unsigned n)
{
	struct fqdn_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.addr[0] = 198;
	a.addr[1] = (uint8_t)(18 + (n >> 16));
	a.addr[2] = (uint8_t)(n >> 8);
	a.addr[3] = (uint8_t)n;
	return a;
}

static struct fqdn_cache *
cache(uint64_t max, uint32_t min_ttl, uint32_t shards)
{
	struct fqdn_limits lim = { .max_bindings = max, .min_ttl = min_ttl, .shards = shards };
	struct fqdn_cache *nc = fqdn_cache_new(&lim);

	ck_assert_ptr_nonnull(nc);
	return nc;
}

static struct fqdn_stats
stats(void)
{
	struct fqdn_stats st;

	fqdn_stats(c, &st);
	return st;
}

static int
bind_text(const char *src, const char *name, const char *addr, uint32_t ttl, uint64_t now)
{
	struct fqdn_addr s = A(src), a = A(addr);

	return fqdn_bind(c, &s, name, &a, ttl, now);
}

/* How many names src (NULL: any) has for addr now; the first in *first. */
static int
names(const char *src, const char *addr, uint64_t now, char *first)
{
	char out[4][FQDN_NAME_MAX + 1];
	struct fqdn_addr s, a = A(addr);
	int n;

	if (src)
		s = A(src);
	n = fqdn_names(c, src ? &s : NULL, &a, now, out, 4);
	if (first)
		strcpy(first, n > 0 ? out[0] : "");
	return n;
}

/* src binds "h<i>.example" to An(i), the i-th address; the bind must succeed. */
static void
bind_host(const struct fqdn_addr *src, unsigned i, uint32_t ttl, uint64_t now)
{
	struct fqdn_addr a = An(i);
	char name[32];

	snprintf(name, sizeof(name), "h%u.example", i);
	ck_assert_int_eq(fqdn_bind(c, src, name, &a, ttl, now), 0);
}

static uint64_t
use(const char *src, const char *name, const char *addr, uint64_t now)
{
	struct fqdn_addr s = A(src), a = A(addr);

	return fqdn_use(c, &s, name, &a, now);
}

static void
teardown(void)
{
	fqdn_cache_free(c);
	c = NULL;
}

/* Drops every binding, as if far in the future. */
static void
expire_all(void)
{
	fqdn_expire(c, UINT64_MAX / 2, ALL);
}

/* ---- lookups ------------------------------------------------------- */

START_TEST(test_per_source_and_global)
{
	char name[FQDN_NAME_MAX + 1];

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 300, 0), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 1, name), 1);
	ck_assert_str_eq(name, "www.example.com");
	/* Another source never resolved it. */
	ck_assert_int_eq(names("172.17.0.3", "198.51.100.7", 1, NULL), 0);
	/* The global view sees it. */
	ck_assert_int_eq(names(NULL, "198.51.100.7", 1, name), 1);
	ck_assert_str_eq(name, "www.example.com");
	ck_assert_uint_eq(stats().lookups, 3);
	ck_assert_uint_eq(stats().hits, 2);
}
END_TEST

START_TEST(test_unresolved_ip)
{
	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 300, 0), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.8", 1, NULL), 0);
	ck_assert_int_eq(names(NULL, "198.51.100.8", 1, NULL), 0);
	/* The same bytes in another family are another address. */
	ck_assert_int_eq(names("172.17.0.2", "c633:6407::", 1, NULL), 0);
	ck_assert_int_eq(names("fd00::2", "198.51.100.7", 1, NULL), 0);
}
END_TEST

START_TEST(test_ipv6)
{
	char name[FQDN_NAME_MAX + 1];

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("fd00::2", "v6.example.net", "2001:db8::1", 60, 0), 0);
	ck_assert_int_eq(names("fd00::2", "2001:db8::1", 1, name), 1);
	ck_assert_str_eq(name, "v6.example.net");
	ck_assert_int_eq(names("fd00::3", "2001:db8::1", 1, NULL), 0);
}
END_TEST

/* IPv4 bytes past the fourth do not make another address. */
START_TEST(test_ipv4_padding_ignored)
{
	struct fqdn_addr s = A("172.17.0.2"), a = A("198.51.100.7");

	c = cache(100000, 0, 0);
	s.addr[9] = 0xee;
	a.addr[15] = 0x11;
	ck_assert_int_eq(fqdn_bind(c, &s, "x.example", &a, 60, 0), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 1, NULL), 1);
}
END_TEST

START_TEST(test_case_and_final_dot)
{
	char name[FQDN_NAME_MAX + 1];

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "WWW.Example.COM.", "198.51.100.7", 60, 0), 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 60, 0), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 1, name), 1);
	ck_assert_str_eq(name, "www.example.com");
	ck_assert_uint_eq(stats().binds, 1);
	ck_assert_uint_eq(stats().refreshes, 1);
	ck_assert_uint_ne(use("172.17.0.2", "www.EXAMPLE.com.", "198.51.100.7", 1), 0);
}
END_TEST

START_TEST(test_rejected)
{
	struct fqdn_addr s = A("172.17.0.2"), a = A("198.51.100.7"), bad = a;
	char longname[FQDN_NAME_MAX + 2];

	c = cache(100000, 0, 0);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';		/* 254 characters */
	ck_assert_int_eq(fqdn_bind(c, &s, "", &a, 60, 0), -1);
	ck_assert_int_eq(fqdn_bind(c, &s, ".", &a, 60, 0), -1);
	ck_assert_int_eq(fqdn_bind(c, &s, NULL, &a, 60, 0), -1);
	ck_assert_int_eq(fqdn_bind(c, &s, longname, &a, 60, 0), -1);
	ck_assert_int_eq(fqdn_bind(c, NULL, "x.example", &a, 60, 0), -1);
	bad.family = 0;
	ck_assert_int_eq(fqdn_bind(c, &s, "x.example", &bad, 60, 0), -1);
	ck_assert_int_eq(fqdn_bind(c, &bad, "x.example", &a, 60, 0), -1);
	ck_assert_uint_eq(stats().rejected, 7);
	ck_assert_uint_eq(stats().bindings, 0);
	ck_assert_int_eq(fqdn_names(c, &s, &bad, 0, NULL, 0), 0);

	/* 253 characters, and 253 with a final dot, are fine. */
	longname[FQDN_NAME_MAX] = '\0';
	ck_assert_int_eq(fqdn_bind(c, &s, longname, &a, 60, 0), 0);
	longname[FQDN_NAME_MAX] = '.';
	ck_assert_int_eq(fqdn_bind(c, &s, longname, &a, 60, 0), 0);
	ck_assert_uint_eq(stats().bindings, 1);
}
END_TEST

/* ---- time ---------------------------------------------------------- */

START_TEST(test_expiry_min_ttl)
{
	c = cache(100000, 60, 0);
	/* TTL 5 counts as 60. */
	ck_assert_int_eq(bind_text("172.17.0.2", "short.example", "198.51.100.1", 5, 1000), 0);
	/* TTL 300 stays 300. */
	ck_assert_int_eq(bind_text("172.17.0.2", "long.example", "198.51.100.2", 300, 1000), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.1", 1000 + 60 * SEC - 1, NULL), 1);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.1", 1000 + 60 * SEC, NULL), 0);
	ck_assert_int_eq(names(NULL, "198.51.100.1", 1000 + 60 * SEC, NULL), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.2", 1000 + 300 * SEC - 1, NULL), 1);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.2", 1000 + 300 * SEC, NULL), 0);
	/* Until expire runs, expired bindings still take room. */
	ck_assert_uint_eq(stats().bindings, 2);
	ck_assert_uint_eq(fqdn_expire(c, 1000 + 60 * SEC, ALL), 1);
	ck_assert_uint_eq(stats().bindings, 1);
	ck_assert_uint_eq(fqdn_expire(c, 1000 + 300 * SEC, ALL), 1);
	ck_assert_uint_eq(stats().bindings, 0);
	ck_assert_uint_eq(stats().names, 0);
	ck_assert_uint_eq(stats().expired, 2);
}
END_TEST

START_TEST(test_min_ttl_reload)
{
	struct fqdn_limits lim = { .max_bindings = 100000, .min_ttl = 600 };

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "a.example", "198.51.100.1", 5, 0), 0);
	ck_assert_int_eq(fqdn_set_limits(c, &lim), 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "b.example", "198.51.100.2", 5, 0), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.1", 5 * SEC, NULL), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.2", 599 * SEC, NULL), 1);
}
END_TEST

START_TEST(test_refresh)
{
	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 100, 0), 0);
	/* A shorter TTL later does not cut it short. */
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 10, 50 * SEC), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 100 * SEC - 1, NULL), 1);
	/* A longer one extends it. */
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 100, 50 * SEC), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 150 * SEC - 1, NULL), 1);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 150 * SEC, NULL), 0);
	/* An expired binding not yet dropped comes back when bound again. */
	ck_assert_int_eq(bind_text("172.17.0.2", "www.example.com", "198.51.100.7", 100, 200 * SEC), 0);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.7", 200 * SEC, NULL), 1);
	ck_assert_uint_eq(stats().binds, 1);
	ck_assert_uint_eq(stats().refreshes, 3);
	ck_assert_uint_eq(stats().bindings, 1);
	ck_assert_uint_eq(stats().names, 1);
}
END_TEST

/* ---- many to many -------------------------------------------------- */

START_TEST(test_many_names_per_ip)
{
	char out[64][FQDN_NAME_MAX + 1], name[64];
	struct fqdn_addr s = A("172.17.0.2"), a = A("198.51.100.7");
	int seen[50] = { 0 }, k;

	c = cache(100000, 0, 0);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "n%d.cdn.example", i);
		ck_assert_int_eq(fqdn_bind(c, &s, name, &a, 60, 0), 0);
	}
	ck_assert_int_eq(fqdn_names(c, &s, &a, 1, out, 64), 50);
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(sscanf(out[i], "n%d.cdn.example", &k), 1);
		ck_assert(k >= 0 && k < 50 && !seen[k]);
		seen[k] = 1;
	}
	/* Fewer slots than names: the count is still the whole. */
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(fqdn_names(c, &s, &a, 1, out, 10), 50);
	ck_assert_str_ne(out[9], "");
	ck_assert_str_eq(out[10], "");
	ck_assert_int_eq(fqdn_names(c, &s, &a, 1, NULL, 0), 50);
	ck_assert_int_eq(fqdn_names(c, NULL, &a, 1, NULL, 0), 50);
	ck_assert_uint_eq(stats().names, 50);
}
END_TEST

START_TEST(test_many_ips_per_name)
{
	struct fqdn_addr s = A("172.17.0.2"), a;
	char out[2][FQDN_NAME_MAX + 1];

	c = cache(10000, 0, 0);
	for (unsigned i = 0; i < 2000; i++) {
		a = An(i);
		ck_assert_int_eq(fqdn_bind(c, &s, "lb.example.org", &a, 60, 0), 0);
	}
	for (unsigned i = 0; i < 2000; i++) {
		a = An(i);
		ck_assert_int_eq(fqdn_names(c, &s, &a, 1, out, 2), 1);
		ck_assert_str_eq(out[0], "lb.example.org");
	}
	a = An(2000);
	ck_assert_int_eq(fqdn_names(c, &s, &a, 1, out, 2), 0);
	ck_assert_uint_eq(stats().bindings, 2000);
	ck_assert_uint_eq(stats().names, 1);
}
END_TEST

/* Several sources bound the same name: the global view gives it once. */
START_TEST(test_global_once_per_name)
{
	char out[8][FQDN_NAME_MAX + 1];
	struct fqdn_addr a = A("198.51.100.7");

	c = cache(100000, 0, 1);
	ck_assert_int_eq(bind_text("172.17.0.2", "api.example.com", "198.51.100.7", 60, 0), 0);
	ck_assert_int_eq(bind_text("172.17.0.3", "api.example.com", "198.51.100.7", 60, 0), 0);
	ck_assert_int_eq(bind_text("172.17.0.4", "api.example.com", "198.51.100.7", 60, 0), 0);
	ck_assert_int_eq(bind_text("172.17.0.4", "www.example.com", "198.51.100.7", 60, 0), 0);
	ck_assert_int_eq(bind_text("172.17.0.5", "other.example", "198.51.100.8", 60, 0), 0);
	ck_assert_int_eq(fqdn_names(c, NULL, &a, 1, out, 8), 2);
	ck_assert((!strcmp(out[0], "api.example.com") && !strcmp(out[1], "www.example.com")) ||
	    (!strcmp(out[1], "api.example.com") && !strcmp(out[0], "www.example.com")));
	ck_assert_uint_eq(stats().names, 3);
	ck_assert_uint_eq(stats().bindings, 5);
}
END_TEST

/* ---- uses ---------------------------------------------------------- */

START_TEST(test_use_outlives_ttl)
{
	uint64_t h;

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "db.example", "198.51.100.9", 10, 0), 0);
	h = use("172.17.0.2", "db.example", "198.51.100.9", 5 * SEC);
	ck_assert_uint_ne(h, 0);
	ck_assert_uint_eq(stats().refs, 1);
	/* Past its TTL, still alive while used; expire leaves it. */
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.9", 20 * SEC, NULL), 1);
	ck_assert_uint_eq(fqdn_expire(c, 20 * SEC, ALL), 0);
	ck_assert_uint_eq(stats().bindings, 1);
	/* A second connection takes it too. */
	uint64_t h2 = use("172.17.0.2", "db.example", "198.51.100.9", 21 * SEC);

	ck_assert_uint_eq(h2, h);
	ck_assert_uint_eq(stats().refs, 2);
	fqdn_release(c, h, 30 * SEC);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.9", 30 * SEC, NULL), 1);
	/* The last release after its time drops it. */
	fqdn_release(c, h2, 30 * SEC);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.9", 30 * SEC, NULL), 0);
	ck_assert_uint_eq(stats().bindings, 0);
	ck_assert_uint_eq(stats().names, 0);
	ck_assert_uint_eq(stats().refs, 0);
	ck_assert_uint_eq(stats().expired, 1);
	ck_assert_uint_eq(stats().uses, 2);
}
END_TEST

START_TEST(test_release_before_expiry)
{
	uint64_t h;

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "db.example", "198.51.100.9", 10, 0), 0);
	h = use("172.17.0.2", "db.example", "198.51.100.9", 1 * SEC);
	fqdn_release(c, h, 2 * SEC);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.9", 9 * SEC, NULL), 1);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.9", 10 * SEC, NULL), 0);
	ck_assert_uint_eq(fqdn_expire(c, 10 * SEC, ALL), 1);
}
END_TEST

START_TEST(test_use_none)
{
	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "db.example", "198.51.100.9", 10, 0), 0);
	ck_assert_uint_eq(use("172.17.0.3", "db.example", "198.51.100.9", 1), 0);
	ck_assert_uint_eq(use("172.17.0.2", "db2.example", "198.51.100.9", 1), 0);
	ck_assert_uint_eq(use("172.17.0.2", "db.example", "198.51.100.10", 1), 0);
	ck_assert_uint_eq(use("172.17.0.2", "db.example", "198.51.100.9", 10 * SEC), 0);
	ck_assert_uint_eq(stats().uses, 0);
	ck_assert_uint_eq(stats().refs, 0);
}
END_TEST

/* A handle outlives its binding; releasing it must not touch the slot's next binding. */
START_TEST(test_stale_handle)
{
	uint64_t h, h2;

	c = cache(1, 0, 1);
	ck_assert_int_eq(bind_text("172.17.0.2", "a.example", "198.51.100.1", 10, 0), 0);
	h = use("172.17.0.2", "a.example", "198.51.100.1", 0);
	ck_assert_uint_ne(h, 0);
	/* The bound is 1: b evicts a although a is used. */
	ck_assert_int_eq(bind_text("172.17.0.2", "b.example", "198.51.100.2", 10, 0), 0);
	ck_assert_uint_eq(stats().evicted_in_use, 1);
	ck_assert_uint_eq(stats().refs, 0);
	h2 = use("172.17.0.2", "b.example", "198.51.100.2", 0);
	ck_assert_uint_ne(h2, 0);
	ck_assert_uint_ne(h2, h);	/* same slot, new generation */
	fqdn_release(c, h, 60 * SEC);
	ck_assert_uint_eq(stats().refs, 1);
	ck_assert_int_eq(names("172.17.0.2", "198.51.100.2", 60 * SEC, NULL), 1);
	/* Twice, and garbage: nothing. */
	fqdn_release(c, h, 60 * SEC);
	fqdn_release(c, 0, 60 * SEC);
	fqdn_release(c, ~0ull, 60 * SEC);
	fqdn_release(c, (h2 & ~0xffffffull) | 0x123456, 60 * SEC);
	ck_assert_uint_eq(stats().refs, 1);
	fqdn_release(c, h2, 60 * SEC);
	ck_assert_uint_eq(stats().refs, 0);
	ck_assert_uint_eq(stats().bindings, 0);
	/* Released again after the drop. */
	fqdn_release(c, h2, 60 * SEC);
	ck_assert_uint_eq(stats().refs, 0);
}
END_TEST

/* ---- the bound ----------------------------------------------------- */

START_TEST(test_bound_evicts_lru)
{
	struct fqdn_addr s = A("172.17.0.2"), a;

	c = cache(8, 0, 1);
	for (unsigned i = 0; i < 8; i++)
		bind_host(&s, i, 1000, i);
	/* A lookup makes 0 recent: 1 is now the oldest. */
	a = An(0);
	ck_assert_int_eq(fqdn_names(c, &s, &a, 10, NULL, 0), 1);
	for (unsigned i = 8; i < 11; i++)
		bind_host(&s, i, 1000, 20);
	ck_assert_uint_eq(stats().bindings, 8);
	ck_assert_uint_eq(stats().evicted, 3);
	ck_assert_uint_eq(stats().names, 8);
	for (unsigned i = 0; i < 11; i++) {
		a = An(i);
		ck_assert_int_eq(fqdn_names(c, &s, &a, 30, NULL, 0), i >= 1 && i <= 3 ? 0 : 1);
	}
}
END_TEST

START_TEST(test_bound_expired_first)
{
	struct fqdn_addr s = A("172.17.0.2"), a;

	c = cache(8, 0, 1);
	/* 5 has a short TTL; 0 is the oldest. */
	for (unsigned i = 0; i < 8; i++)
		bind_host(&s, i, i == 5 ? 1 : 1000, 0);
	bind_host(&s, 8, 1000, 2 * SEC);
	ck_assert_uint_eq(stats().expired, 1);
	ck_assert_uint_eq(stats().evicted, 0);
	a = An(0);
	ck_assert_int_eq(fqdn_names(c, &s, &a, 2 * SEC, NULL, 0), 1);
	/* Nothing expired left: the oldest goes. */
	bind_host(&s, 9, 1000, 2 * SEC);
	ck_assert_uint_eq(stats().evicted, 1);
	a = An(1);
	ck_assert_int_eq(fqdn_names(c, &s, &a, 2 * SEC, NULL, 0), 0);
	ck_assert_uint_eq(stats().bindings, 8);
}
END_TEST

/* Referenced bindings are passed over while unreferenced ones remain. */
START_TEST(test_bound_spares_used)
{
	struct fqdn_addr s = A("172.17.0.2"), a;
	uint64_t h[4];

	c = cache(4, 0, 1);
	for (unsigned i = 0; i < 4; i++)
		bind_host(&s, i, 1000, 0);
	a = An(0);
	h[0] = fqdn_use(c, &s, "h0.example", &a, 0);
	a = An(1);
	h[1] = fqdn_use(c, &s, "h1.example", &a, 0);
	/* 2 and 3 now the oldest: they go first. */
	bind_host(&s, 4, 1000, 0);
	bind_host(&s, 5, 1000, 0);
	ck_assert_uint_eq(stats().evicted, 2);
	ck_assert_uint_eq(stats().evicted_in_use, 0);
	/* Then 4 and 5, the unreferenced ones. */
	bind_host(&s, 6, 1000, 0);
	ck_assert_uint_eq(stats().evicted, 3);
	a = An(2);
	h[2] = fqdn_use(c, &s, "h2.example", &a, 0);
	ck_assert_uint_eq(h[2], 0);
	a = An(5);
	h[2] = fqdn_use(c, &s, "h5.example", &a, 0);
	a = An(6);
	h[3] = fqdn_use(c, &s, "h6.example", &a, 0);
	ck_assert_uint_eq(stats().refs, 4);
	/* All used: the oldest goes all the same, counted apart. */
	bind_host(&s, 7, 1000, 0);
	ck_assert_uint_eq(stats().evicted_in_use, 1);
	ck_assert_uint_eq(stats().refs, 3);
	for (int i = 0; i < 4; i++)
		fqdn_release(c, h[i], 0);
	ck_assert_uint_eq(stats().refs, 0);
	ck_assert_uint_eq(stats().bindings, 4);
}
END_TEST

START_TEST(test_set_limits_shrinks)
{
	struct fqdn_limits lim = { .max_bindings = 10, .min_ttl = 0 };
	struct fqdn_addr s = A("172.17.0.2"), a;

	c = cache(100, 0, 1);
	for (unsigned i = 0; i < 100; i++)
		bind_host(&s, i, 1000, 0);
	ck_assert_int_eq(fqdn_set_limits(c, &lim), 0);
	ck_assert_uint_eq(stats().bindings, 10);
	ck_assert_uint_eq(stats().names, 10);
	ck_assert_uint_eq(stats().evicted, 90);
	for (unsigned i = 0; i < 100; i++) {
		a = An(i);
		ck_assert_int_eq(fqdn_names(c, &s, &a, 1, NULL, 0), i >= 90);
	}
	/* And grows back. */
	lim.max_bindings = 1000;
	ck_assert_int_eq(fqdn_set_limits(c, &lim), 0);
	for (unsigned i = 100; i < 600; i++)
		bind_host(&s, i, 1000, 0);
	ck_assert_uint_eq(stats().bindings, 510);
	ck_assert_uint_eq(stats().evicted, 90);
	/* One shard holds at most FQDN_SHARD_SLOTS_MAX. */
	lim.max_bindings = FQDN_SHARD_SLOTS_MAX + 1ull;
	ck_assert_int_eq(fqdn_set_limits(c, &lim), -1);
	ck_assert_uint_eq(stats().bindings, 510);
}
END_TEST

/* The bound is global, each shard evicting its own bindings. */
START_TEST(test_bound_sharded)
{
	struct fqdn_addr s = A("172.17.0.2"), a;

	c = cache(6400, 0, 64);
	for (unsigned i = 0; i < 20000; i++) {
		a = An(i);
		ck_assert_int_eq(fqdn_bind(c, &s, "x.example", &a, 1000, 0), 0);
	}
	ck_assert_uint_eq(stats().bindings, 6400);
	ck_assert_uint_eq(stats().evicted, 20000 - 6400);
}
END_TEST

/* ---- memory -------------------------------------------------------- */

static void
bind_round(unsigned round, uint64_t now)
{
	struct fqdn_addr s, a;
	char name[64];

	for (unsigned i = 0; i < 5000; i++) {
		s = An(100000 + i % 20);
		a = An(i);
		/* Names of the same lengths each round. */
		snprintf(name, sizeof(name), "svc%04u.r%03u.example.com", i % 1000, round);
		ck_assert_int_eq(fqdn_bind(c, &s, name, &a, 10, now), 0);
	}
}

START_TEST(test_memory_stable)
{
	uint64_t empty, full, later;

	/* Few shards, so that 5000 bindings fill their chunks. */
	c = cache(100000, 0, 4);
	empty = stats().memory;
	ck_assert_uint_gt(empty, 0);
	bind_round(0, 0);
	full = stats().memory;
	ck_assert_uint_gt(full, empty + 5000 * 80);
	ck_assert_uint_lt(full, empty + 5000 * 200);
	ck_assert_uint_eq(stats().names, 1000);
	for (unsigned r = 1; r < 5; r++) {
		expire_all();
		ck_assert_uint_eq(stats().bindings, 0);
		ck_assert_uint_eq(stats().names, 0);
		bind_round(r, 0);
	}
	later = stats().memory;
	ck_assert_uint_eq(later, full);
	/* Entries and buckets stay allocated once grown; names go. */
	expire_all();
	ck_assert_uint_lt(stats().memory, full);
}
END_TEST

/* ---- listing ------------------------------------------------------- */

struct listing {
	int n, refs;
	char last[FQDN_NAME_MAX + 1];
	struct fqdn_addr src, addr;
	uint64_t expires_ms;
};

static void
list_one(void *ctx, const struct fqdn_addr *src, const char *name, const struct fqdn_addr *addr,
    uint64_t expires_ms, uint32_t refs)
{
	struct listing *l = ctx;

	l->n++;
	l->refs += (int)refs;
	snprintf(l->last, sizeof(l->last), "%s", name);
	l->src = *src;
	l->addr = *addr;
	l->expires_ms = expires_ms;
}

START_TEST(test_foreach)
{
	struct fqdn_addr s = A("172.17.0.2"), a = A("2001:db8::5");
	struct listing l;

	c = cache(100000, 0, 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "short.example", "198.51.100.1", 10, 0), 0);
	ck_assert_int_eq(bind_text("172.17.0.2", "long.example", "2001:db8::5", 100, 0), 0);
	ck_assert_uint_ne(use("172.17.0.2", "long.example", "2001:db8::5", 0), 0);
	memset(&l, 0, sizeof(l));
	fqdn_foreach(c, 5 * SEC, list_one, &l);
	ck_assert_int_eq(l.n, 2);
	ck_assert_int_eq(l.refs, 1);
	memset(&l, 0, sizeof(l));
	fqdn_foreach(c, 10 * SEC, list_one, &l);
	ck_assert_int_eq(l.n, 1);
	ck_assert_str_eq(l.last, "long.example");
	ck_assert(memcmp(&l.src, &s, sizeof(s)) == 0);
	ck_assert(memcmp(&l.addr, &a, sizeof(a)) == 0);
	ck_assert_uint_eq(l.expires_ms, 100 * SEC);
	ck_assert_int_eq(l.refs, 1);
}
END_TEST

START_TEST(test_expire_budget)
{
	struct fqdn_addr s = A("172.17.0.2"), a;
	unsigned total = 0, calls = 0, n;

	c = cache(10000, 0, 0);
	for (unsigned i = 0; i < 3000; i++) {
		a = An(i);
		ck_assert_int_eq(fqdn_bind(c, &s, "x.example", &a, i < 2000 ? 1 : 100, 0), 0);
	}
	while ((n = fqdn_expire(c, 50 * SEC, 200)) > 0 || total < 2000) {
		ck_assert_uint_le(n, 200);
		total += n;
		ck_assert_uint_lt(++calls, 1000);
	}
	ck_assert_uint_eq(total, 2000);
	ck_assert_uint_eq(stats().bindings, 1000);
	ck_assert_uint_eq(stats().expired, 2000);
}
END_TEST

/* ---- threads ------------------------------------------------------- */

#define T_THREADS	4
#define T_HELD		32
#define T_SHARDS	16
/* Racing binds, and binds into an empty shard, may pass the bound by one each. */
#define T_SLACK		(T_THREADS + T_SHARDS)

struct worker {
	pthread_t t;
	unsigned id;
	uint64_t ops, uses;
	uint64_t held[T_HELD];
};

static volatile int t_stop;

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	char out[8][FQDN_NAME_MAX + 1], name[64];
	unsigned seed = w->id * 7919 + 1, k = 0;

	while (!__atomic_load_n(&t_stop, __ATOMIC_RELAXED)) {
		uint64_t now = clock_mono_ms();
		struct fqdn_addr s = An(100000 + rand_r(&seed) % 8);
		struct fqdn_addr a = An(rand_r(&seed) % 200);
		uint64_t h;

		snprintf(name, sizeof(name), "n%u.svc.example", rand_r(&seed) % 20);
		fqdn_bind(c, &s, name, &a, rand_r(&seed) % 3, now);
		fqdn_names(c, &s, &a, now, out, 8);
		fqdn_names(c, NULL, &a, now, out, 8);
		if ((h = fqdn_use(c, &s, name, &a, now)) != 0) {
			fqdn_release(c, w->held[k], now);
			w->held[k] = h;
			k = (k + 1) % T_HELD;
			w->uses++;
		}
		if (w->id == 0 && w->ops % 64 == 0)
			fqdn_expire(c, now, 256);
		w->ops++;
	}
	return NULL;
}

static void
count_one(void *ctx, const struct fqdn_addr *src, const char *name, const struct fqdn_addr *addr,
    uint64_t expires_ms, uint32_t refs)
{
	++*(uint64_t *)ctx;
}

START_TEST(test_threads)
{
	struct worker w[T_THREADS];
	struct fqdn_stats st;
	struct fqdn_limits lim = { .max_bindings = 2000, .min_ttl = 0 };
	uint64_t uses = 0, listed = 0, t0;

	c = cache(4000, 0, T_SHARDS);
	memset(w, 0, sizeof(w));
	t_stop = 0;
	for (unsigned i = 0; i < T_THREADS; i++) {
		w[i].id = i;
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, worker_run, &w[i]), 0);
	}
	/* The control thread meanwhile: stats, listing, a reload. */
	t0 = clock_mono_ms();
	while (clock_mono_ms() - t0 < 1000) {
		fqdn_stats(c, &st);
		ck_assert_uint_le(st.bindings, 4000 + T_SLACK);
		fqdn_foreach(c, clock_mono_ms(), count_one, &listed);
		if (clock_mono_ms() - t0 > 500)
			ck_assert_int_eq(fqdn_set_limits(c, &lim), 0);
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
	}
	__atomic_store_n(&t_stop, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < T_THREADS; i++) {
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
		uses += w[i].uses;
	}
	fqdn_stats(c, &st);
	ck_assert_uint_eq(st.uses, uses);
	ck_assert_uint_le(st.bindings, 2000 + T_SLACK);
	ck_assert_uint_le(st.names, st.bindings);
	ck_assert_uint_eq(st.binds, st.bindings + st.expired + st.evicted + st.evicted_in_use);
	ck_assert_uint_gt(st.binds, 1000);
	ck_assert_uint_gt(st.refreshes, 0);
	ck_assert_uint_eq(st.rejected + st.nomem, 0);

	for (unsigned i = 0; i < T_THREADS; i++)
		for (unsigned k = 0; k < T_HELD; k++)
			fqdn_release(c, w[i].held[k], clock_mono_ms());
	fqdn_stats(c, &st);
	ck_assert_uint_eq(st.refs, 0);
	expire_all();
	fqdn_stats(c, &st);
	ck_assert_uint_eq(st.bindings, 0);
	ck_assert_uint_eq(st.names, 0);
	ck_assert_uint_eq(st.binds, st.expired + st.evicted + st.evicted_in_use);
}
END_TEST

static Suite *
fqdn_suite(void)
{
	Suite *s = suite_create("fqdn");
	TCase *tc;

	tc = tcase_create("lookup");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_per_source_and_global);
	tcase_add_test(tc, test_unresolved_ip);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_ipv4_padding_ignored);
	tcase_add_test(tc, test_case_and_final_dot);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_many_names_per_ip);
	tcase_add_test(tc, test_many_ips_per_name);
	tcase_add_test(tc, test_global_once_per_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_expiry_min_ttl);
	tcase_add_test(tc, test_min_ttl_reload);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_expire_budget);
	suite_add_tcase(s, tc);

	tc = tcase_create("use");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_use_outlives_ttl);
	tcase_add_test(tc, test_release_before_expiry);
	tcase_add_test(tc, test_use_none);
	tcase_add_test(tc, test_stale_handle);
	suite_add_tcase(s, tc);

	tc = tcase_create("bound");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_bound_evicts_lru);
	tcase_add_test(tc, test_bound_expired_first);
	tcase_add_test(tc, test_bound_spares_used);
	tcase_add_test(tc, test_set_limits_shrinks);
	tcase_add_test(tc, test_bound_sharded);
	tcase_add_test(tc, test_memory_stable);
	tcase_add_test(tc, test_foreach);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fqdn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
