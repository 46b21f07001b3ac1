/*
 * check_ranges.c: address ranges (base/ranges.h): prefixes, punching an
 * address out at every place of a range, merging, the ends of the space.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ranges.h"

static struct range_list rl;

static int
family_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

static void
add(const char *lo, const char *hi)
{
	uint8_t l[16] = { 0 }, h[16] = { 0 };

	ck_assert_int_eq(inet_pton(family_of(lo), lo, l), 1);
	ck_assert_int_eq(inet_pton(family_of(hi), hi, h), 1);
	ranges_add(&rl, family_of(lo), l, h);
}

static void
prefix(const char *a, int len)
{
	uint8_t b[16] = { 0 };

	ck_assert_int_eq(inet_pton(family_of(a), a, b), 1);
	ranges_add_prefix(&rl, family_of(a), b, len);
}

static void
punch(const char *a)
{
	uint8_t b[16] = { 0 };

	ck_assert_int_eq(inet_pton(family_of(a), a, b), 1);
	ranges_punch(&rl, family_of(a), b);
}

/* The list normalised, as "lo-hi lo-hi ...". */
static const char *
text(void)
{
	static char out[1024];
	size_t n = 0;

	ranges_normalise(&rl);
	ck_assert_int_eq(rl.oom, 0);
	out[0] = '\0';
	for (int i = 0; i < rl.n && n < sizeof(out); i++) {
		char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

		inet_ntop(rl.r[i].family, rl.r[i].lo, lo, sizeof(lo));
		inet_ntop(rl.r[i].family, rl.r[i].hi, hi, sizeof(hi));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s-%s", i ? " " : "", lo, hi);
	}
	return out;
}

static void
setup(void)
{
	memset(&rl, 0, sizeof(rl));
}

static void
teardown(void)
{
	ranges_free(&rl);
}

START_TEST(test_prefixes)
{
	prefix("198.18.5.77", 24);
	prefix("198.19.0.1", 32);
	prefix("10.1.2.3", 0);
	prefix("fd00:19::7", 64);
	ck_assert_str_eq(text(), "0.0.0.0-255.255.255.255 "
	    "fd00:19::-fd00:19::ffff:ffff:ffff:ffff");
	ranges_free(&rl);
	prefix("198.18.5.77", 23);
	prefix("198.19.0.1", 32);
	prefix("fd00:19::7", 127);
	ck_assert_str_eq(text(), "198.18.4.0-198.18.5.255 198.19.0.1-198.19.0.1 "
	    "fd00:19::6-fd00:19::7");
}
END_TEST

/* Out of the middle, the first, the last and the only address; an
 * address outside changes nothing; the other family is untouched. */
START_TEST(test_punch)
{
	prefix("198.18.0.0", 29);
	prefix("fd00::", 126);
	punch("198.18.0.3");
	ck_assert_str_eq(text(), "198.18.0.0-198.18.0.2 198.18.0.4-198.18.0.7 fd00::-fd00::3");
	punch("198.18.0.0");
	punch("198.18.0.7");
	punch("198.18.0.9");
	punch("fd00::2");
	ck_assert_str_eq(text(), "198.18.0.1-198.18.0.2 198.18.0.4-198.18.0.6 "
	    "fd00::-fd00::1 fd00::3-fd00::3");
	punch("fd00::3");
	punch("198.18.0.1");
	punch("198.18.0.2");
	ck_assert_str_eq(text(), "198.18.0.4-198.18.0.6 fd00::-fd00::1");
}
END_TEST

/* Overlapping, contained, adjacent and duplicate ranges become one; a
 * range up to the last address merges without wrapping. */
START_TEST(test_merge)
{
	add("198.18.0.10", "198.18.0.20");
	add("198.18.0.21", "198.18.0.30");	/* adjacent */
	add("198.18.0.12", "198.18.0.14");	/* contained */
	add("198.18.0.25", "198.18.0.40");	/* overlapping */
	add("198.18.0.10", "198.18.0.20");	/* again */
	add("198.18.0.42", "198.18.0.42");	/* a gap of one */
	add("255.255.255.250", "255.255.255.255");
	add("255.255.255.255", "255.255.255.255");
	add("0.0.0.0", "0.0.0.0");
	add("::", "::1");
	add("::2", "::2");
	ck_assert_str_eq(text(), "0.0.0.0-0.0.0.0 198.18.0.10-198.18.0.40 "
	    "198.18.0.42-198.18.0.42 255.255.255.250-255.255.255.255 ::-::2");
}
END_TEST

/* Many punches: the list stays sorted and apart. */
START_TEST(test_many)
{
	char a[32];

	prefix("198.18.0.0", 16);
	for (int i = 0; i < 65536; i += 2) {
		snprintf(a, sizeof(a), "198.18.%d.%d", i >> 8, i & 255);
		punch(a);
	}
	ranges_normalise(&rl);
	ck_assert_int_eq(rl.n, 32768);
	for (int i = 0; i < rl.n; i++) {
		ck_assert_int_eq(addr_cmp(AF_INET, rl.r[i].lo, rl.r[i].hi), 0);
		ck_assert_int_eq(rl.r[i].lo[3] & 1, 1);
	}
}
END_TEST

START_TEST(test_arithmetic)
{
	uint8_t a[16] = { 198, 18, 0, 255 };
	uint8_t last6[16];

	addr_inc(AF_INET, a);
	ck_assert_int_eq(a[2], 1);
	ck_assert_int_eq(a[3], 0);
	addr_dec(AF_INET, a);
	ck_assert_int_eq(a[2], 0);
	ck_assert_int_eq(a[3], 255);
	memset(last6, 0xff, sizeof(last6));
	ck_assert_int_eq(addr_is_last(AF_INET6, last6), 1);
	ck_assert_int_eq(addr_is_last(AF_INET, last6), 1);
	last6[15] = 0xfe;
	ck_assert_int_eq(addr_is_last(AF_INET6, last6), 0);
	ck_assert_int_eq(addr_is_last(AF_INET, last6), 1);	/* 4 bytes count */
}
END_TEST

static Suite *
ranges_suite(void)
{
	Suite *s = suite_create("ranges");
	TCase *tc = tcase_create("ranges");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_punch);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_arithmetic);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ranges_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
