/*
 * check_conf.c: nvd.conf parsing, the exact error messages, cross checks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/log.h"

static struct conf c;
static struct conf_errors errs;

/* Parses text on top of the defaults, as "t.conf". */
static int
parse(const char *text)
{
	conf_defaults(&c);
	memset(&errs, 0, sizeof(errs));
	return conf_parse(&c, "t.conf", text, &errs);
}

static int
check(void)
{
	memset(&errs, 0, sizeof(errs));
	return conf_check(&c, "t.conf", &errs);
}

#define ck_conf_ok(text) do {						\
	int n_ = parse(text);						\
	ck_assert_msg(n_ == 0 && errs.count == 0, "'%s': %d errors, first: %s",	\
	    (text), n_, errs.msg[0]);					\
} while (0)

/* text gives exactly one error, with message want. */
#define ck_conf_err(text, want) do {					\
	int n_ = parse(text);						\
	ck_assert_msg(n_ == 1 && errs.count == 1, "'%s': %d errors, first: %s",	\
	    (text), n_, errs.msg[0]);					\
	ck_assert_str_eq(errs.msg[0], (want));				\
} while (0)

/* Writes len bytes to a new temporary file; the caller unlinks path. */
static void
write_tmp(char *path, const char *data, size_t len)
{
	int fd;

	strcpy(path, "/tmp/check_conf.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Loads len bytes of text from a temporary file on top of the defaults;
 * path is the file's name (removed again).  Returns conf_load()'s count. */
static int
load_tmp(char *path, const char *text, size_t len)
{
	int n;

	write_tmp(path, text, len);
	conf_defaults(&c);
	memset(&errs, 0, sizeof(errs));
	n = conf_load(&c, path, &errs);
	unlink(path);
	return n;
}

/* --- values ------------------------------------------------------------- */

START_TEST(test_defaults)
{
	char steer[64];

	conf_defaults(&c);
	ck_assert_str_eq(c.database, "/var/lib/nvd/nvd.db");
	ck_assert_str_eq(c.control_socket, "/run/nvd/nvd.sock");
	ck_assert_uint_eq(c.queue_first, 0);
	ck_assert_uint_eq(c.queue_count, 2);
	ck_assert_int_eq(c.fail_mode, FAIL_OPEN);
	ck_assert_int_eq(c.nsteer, 1);
	ck_assert_str_eq(c.steer[0].name, "docker0");
	ck_assert_int_eq(c.steer[0].glob, 0);
	ck_assert_str_eq(c.nft_table, "nvd");
	ck_assert_int_eq(c.install_rules, 1);
	ck_assert_str_eq(c.docker_socket, "/var/run/docker.sock");
	ck_assert_int_eq(c.default_mode, MODE_DISCOVER);
	ck_assert_uint_eq(c.dns_min_ttl, 60);
	ck_assert_uint_eq(c.stream_depth, 1048576);
	ck_assert_uint_eq(c.stream_memcap, 256ull << 20);
	ck_assert_uint_eq(c.max_flows, 1000000);
	ck_assert_uint_eq(c.queue_maxlen, 8192);
	ck_assert_str_eq(c.rules_dir, "/etc/nvd/rules");
	ck_assert_str_eq(c.pcap_dir, "");
	ck_assert_int_eq(c.log_level, LOG_LVL_INFO);
	ck_assert_str_eq(c.authz_socket, "/run/docker/plugins/nvd.sock");
	conf_steer_str(&c, steer, sizeof(steer));
	ck_assert_str_eq(steer, "docker0");
	ck_assert_int_eq(check(), 0);
}
END_TEST

START_TEST(test_every_key)
{
	char steer[128];

	ck_conf_ok(
	    "database = /srv/nvd/test.db\n"
	    "control_socket = /tmp/nvd-test.sock\n"
	    "queues = 10-13\n"
	    "fail_mode = closed\n"
	    "steer = br-test veth* eth0,eth1\n"
	    "nft_table = nvd_test-1\n"
	    "install_rules = no\n"
	    "docker_socket = /tmp/docker.sock\n"
	    "default_mode = protect\n"
	    "dns_min_ttl = 0\n"
	    "stream_depth = 64k\n"
	    "stream_memcap = 32m\n"
	    "max_flows = 5000\n"
	    "queue_maxlen = 1024\n"
	    "rules_dir = /srv/nvd/rules\n"
	    "pcap_dir = /srv/nvd/pcap\n"
	    "log_level = debug\n");
	ck_assert_str_eq(c.database, "/srv/nvd/test.db");
	ck_assert_str_eq(c.control_socket, "/tmp/nvd-test.sock");
	ck_assert_uint_eq(c.queue_first, 10);
	ck_assert_uint_eq(c.queue_count, 4);
	ck_assert_int_eq(c.fail_mode, FAIL_CLOSED);
	ck_assert_int_eq(c.nsteer, 4);
	ck_assert_str_eq(c.steer[0].name, "br-test");
	ck_assert_int_eq(c.steer[0].glob, 0);
	ck_assert_str_eq(c.steer[1].name, "veth");
	ck_assert_int_eq(c.steer[1].glob, 1);
	ck_assert_str_eq(c.steer[3].name, "eth1");
	conf_steer_str(&c, steer, sizeof(steer));
	ck_assert_str_eq(steer, "br-test veth* eth0 eth1");
	ck_assert_str_eq(c.nft_table, "nvd_test-1");
	ck_assert_int_eq(c.install_rules, 0);
	ck_assert_str_eq(c.docker_socket, "/tmp/docker.sock");
	ck_assert_int_eq(c.default_mode, MODE_PROTECT);
	ck_assert_uint_eq(c.dns_min_ttl, 0);
	ck_assert_uint_eq(c.stream_depth, 65536);
	ck_assert_uint_eq(c.stream_memcap, 32u << 20);
	ck_assert_uint_eq(c.max_flows, 5000);
	ck_assert_uint_eq(c.queue_maxlen, 1024);
	ck_assert_str_eq(c.rules_dir, "/srv/nvd/rules");
	ck_assert_str_eq(c.pcap_dir, "/srv/nvd/pcap");
	ck_assert_int_eq(c.log_level, LOG_LVL_DEBUG);
	ck_assert_int_eq(c.line.queues, 3);
	ck_assert_int_eq(c.line.stream_depth, 11);
	ck_assert_int_eq(c.line.stream_memcap, 12);
	ck_assert_int_eq(c.line.max_flows, 13);
	ck_assert_int_eq(check(), 0);
}
END_TEST

START_TEST(test_value_forms)
{
	ck_conf_ok("queues = 7\ninstall_rules = true\ndefault_mode = monitor\nlog_level = warning\n");
	ck_assert_uint_eq(c.queue_first, 7);
	ck_assert_uint_eq(c.queue_count, 1);
	ck_assert_int_eq(c.install_rules, 1);
	ck_assert_int_eq(c.default_mode, MODE_MONITOR);
	ck_assert_int_eq(c.log_level, LOG_LVL_WARNING);
	ck_conf_ok("queues = 0-63\ninstall_rules = 0\nlog_level = error\nfail_mode = open\n");
	ck_assert_uint_eq(c.queue_count, 64);
	ck_assert_int_eq(c.install_rules, 0);
	ck_assert_int_eq(c.log_level, LOG_LVL_ERROR);
	ck_assert_int_eq(c.fail_mode, FAIL_OPEN);
	ck_conf_ok("queues = 65535\ninstall_rules = 1\ndns_min_ttl = 604800\n");
	ck_assert_uint_eq(c.queue_first, 65535);
	ck_assert_uint_eq(c.dns_min_ttl, 604800);
	ck_conf_ok("install_rules = false\nmax_flows = 100000000\nqueue_maxlen = 1048576\n");
	ck_assert_uint_eq(c.max_flows, 100000000);
	ck_assert_uint_eq(c.queue_maxlen, 1048576);
	/* docker_socket and pcap_dir may be empty: no Docker, no captures. */
	ck_conf_ok("docker_socket =\npcap_dir =\n");
	ck_assert_str_eq(c.docker_socket, "");
	ck_assert_str_eq(c.pcap_dir, "");
	/* no Docker authorization plugin */
	ck_conf_ok("authz_socket =\n");
	ck_assert_str_eq(c.authz_socket, "");
	ck_conf_ok("authz_socket = /run/docker/plugins/fw.sock\n");
	ck_assert_str_eq(c.authz_socket, "/run/docker/plugins/fw.sock");
	/* The DNS servers whose answers bind names. */
	ck_assert_str_eq(c.dns_resolvers, "auto");
	ck_conf_ok("dns_resolvers = 10.0.0.2, 2001:db8::53 192.0.2.1\n");
	ck_assert_str_eq(c.dns_resolvers, "10.0.0.2, 2001:db8::53 192.0.2.1");
	ck_conf_ok("dns_resolvers = any\n");
	ck_assert_str_eq(c.dns_resolvers, "any");
	ck_conf_err("dns_resolvers = 10.0.0.2, resolver.example\n",
	    "t.conf:1: bad address in dns_resolvers: 'resolver.example' (expected auto, any or "
	    "IPv4 and IPv6 addresses)");
	ck_conf_err("dns_resolvers = ,\n", "t.conf:1: dns_resolvers: empty (expected auto, any or "
	    "addresses)");
	ck_conf_err("dns_resolvers = 1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 1.1.1.6 1.1.1.7 "
	    "1.1.1.8 1.1.1.9 1.1.1.10 1.1.1.11 1.1.1.12 1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 "
	    "1.1.1.17\n", "t.conf:1: dns_resolvers: more than 16 addresses");
}
END_TEST

START_TEST(test_sizes)
{
	ck_conf_ok("stream_depth = 0\nstream_memcap = 1m\n");
	ck_assert_uint_eq(c.stream_depth, 0);
	ck_assert_uint_eq(c.stream_memcap, 1048576);
	ck_conf_ok("stream_depth = 1g\nstream_memcap = 4G\n");
	ck_assert_uint_eq(c.stream_depth, 1u << 30);
	ck_assert_uint_eq(c.stream_memcap, 4ull << 30);
	ck_conf_ok("stream_depth = 100\nstream_memcap = 1024K\n");
	ck_assert_uint_eq(c.stream_depth, 100);
	ck_assert_uint_eq(c.stream_memcap, 1048576);
	ck_conf_ok("stream_depth = 2M\nstream_memcap = 1048576\n");
	ck_assert_uint_eq(c.stream_depth, 2u << 20);
}
END_TEST

/* --- syntax -------------------------------------------------------------- */

START_TEST(test_comments_and_blank_lines)
{
	ck_conf_ok(
	    "# a comment\n"
	    "\n"
	    "   \t\n"
	    "   # an indented comment\n"
	    "queues = 3-4 # trailing comment\n"
	    "fail_mode = closed\t# after a tab\n"
	    "database = /var/db/nvd#1.db\n"
	    "#queues = 9\n");
	ck_assert_uint_eq(c.queue_first, 3);
	ck_assert_uint_eq(c.queue_count, 2);
	ck_assert_int_eq(c.fail_mode, FAIL_CLOSED);
	/* '#' not after white space is part of the value. */
	ck_assert_str_eq(c.database, "/var/db/nvd#1.db");
}
END_TEST

START_TEST(test_whitespace_and_line_ends)
{
	ck_conf_ok("  queues\t=\t5  \r\nfail_mode=closed\r\nnft_table = t");
	ck_assert_uint_eq(c.queue_first, 5);
	ck_assert_int_eq(c.fail_mode, FAIL_CLOSED);
	ck_assert_str_eq(c.nft_table, "t");
	ck_conf_ok("");
}
END_TEST

START_TEST(test_unknown_key)
{
	ck_conf_err("queues = 1\nqueue = 1\n", "t.conf:2: unknown key 'queue'");
	ck_conf_err("Queues = 1\n", "t.conf:1: unknown key 'Queues'");
	ck_conf_err("a_key_name_of_more_than_thirty_two_characters = 1\n",
	    "t.conf:1: unknown key 'a_key_name_of_more_than_thirty_two_chara'");
}
END_TEST

START_TEST(test_missing_equals)
{
	ck_conf_err("\nqueues 0-3\n", "t.conf:2: expected 'key = value', got 'queues 0-3'");
	ck_conf_err("[global]\n", "t.conf:1: expected 'key = value', got '[global]'");
	ck_conf_err("this line has no equals sign and goes on and on and on\n",
	    "t.conf:1: expected 'key = value', got 'this line has no equals sign and goes on'");
}
END_TEST

START_TEST(test_missing_key)
{
	ck_conf_err("= 5\n", "t.conf:1: missing key before '='");
	ck_conf_err("queues = 1\n  =\n", "t.conf:2: missing key before '='");
}
END_TEST

START_TEST(test_set_twice)
{
	ck_conf_err("queues = 1\nfail_mode = open\nqueues = 2\n", "t.conf:3: 'queues' is set twice");
	ck_assert_uint_eq(c.queue_first, 1);	/* the first value holds */
	ck_assert_int_eq(c.line.queues, 1);
	/* An unknown key is remembered too. */
	ck_assert_int_eq(parse("x = 1\nx = 2\n"), 2);
	ck_assert_str_eq(errs.msg[0], "t.conf:1: unknown key 'x'");
	ck_assert_str_eq(errs.msg[1], "t.conf:2: 'x' is set twice");
}
END_TEST

START_TEST(test_line_too_long)
{
	static char text[5000];

	/* 4096 characters is the longest line taken. */
	memset(text, ' ', sizeof(text));
	memcpy(text, "queues = 9", 10);
	text[4096] = '\n';
	strcpy(text + 4097, "fail_mode = closed\n");
	ck_conf_ok(text);
	ck_assert_uint_eq(c.queue_first, 9);

	memset(text, ' ', sizeof(text));
	memcpy(text, "queues = 1\n", 11);
	memcpy(text + 11, "queues = 9", 10);
	text[11 + 4097] = '\n';
	strcpy(text + 11 + 4098, "fail_mode = maybe\n");
	ck_assert_int_eq(parse(text), 2);
	ck_assert_str_eq(errs.msg[0], "t.conf:2: line too long (at most 4096 characters)");
	ck_assert_str_eq(errs.msg[1],
	    "t.conf:3: bad value for fail_mode: 'maybe' (expected open or closed)");
	ck_assert_uint_eq(c.queue_first, 1);
}
END_TEST

START_TEST(test_several_errors)
{
	ck_assert_int_eq(parse(
	    "# nvd.conf\n"
	    "queues = 4-1\n"
	    "fail_mode = closed\n"
	    "\n"
	    "nosuchkey = 1\n"
	    "max_flows = 0\n"
	    "log_level = loud\n"), 4);
	ck_assert_int_eq(errs.count, 4);
	ck_assert_str_eq(errs.msg[0], "t.conf:2: bad value for queues: '4-1' (the range must go upward)");
	ck_assert_str_eq(errs.msg[1], "t.conf:5: unknown key 'nosuchkey'");
	ck_assert_str_eq(errs.msg[2], "t.conf:6: bad value for max_flows: '0' (expected 1-100000000)");
	ck_assert_str_eq(errs.msg[3],
	    "t.conf:7: bad value for log_level: 'loud' (expected error, warning, info or debug)");
	/* The good line between them was applied. */
	ck_assert_int_eq(c.fail_mode, FAIL_CLOSED);
}
END_TEST

START_TEST(test_error_list_bounded)
{
	static char text[100 * 8];

	text[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(text, "junk\n");
	ck_assert_int_eq(parse(text), 100);
	ck_assert_int_eq(errs.count, CONF_MAX_ERRORS);
	ck_assert_str_eq(errs.msg[CONF_MAX_ERRORS - 1], "t.conf:64: expected 'key = value', got 'junk'");
}
END_TEST

/* --- bad values ----------------------------------------------------------- */

START_TEST(test_bad_queues)
{
	const char *junk[] = { "x", "1-", "-1", "65536", "1-65536", "1-2-3", "1 - 3", "0x10", "" };

	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		char text[64], want[160];

		snprintf(text, sizeof(text), "queues = %s\n", junk[i]);
		snprintf(want, sizeof(want),
		    "t.conf:1: bad value for queues: '%s' (expected N or N-M, numbers 0-65535)", junk[i]);
		ck_conf_err(text, want);
		ck_assert_uint_eq(c.queue_count, 2);
	}
	ck_conf_err("queues = 5-2", "t.conf:1: bad value for queues: '5-2' (the range must go upward)");
	ck_conf_err("queues = 0-64", "t.conf:1: bad value for queues: '0-64' (at most 64 queues)");
	ck_conf_err("queues = 100-1000", "t.conf:1: bad value for queues: '100-1000' (at most 64 queues)");
	ck_assert_uint_eq(c.queue_first, 0);
	ck_assert_uint_eq(c.queue_count, 2);
}
END_TEST

START_TEST(test_bad_fail_mode)
{
	ck_conf_err("fail_mode = maybe", "t.conf:1: bad value for fail_mode: 'maybe' (expected open or closed)");
	ck_conf_err("fail_mode = Closed", "t.conf:1: bad value for fail_mode: 'Closed' (expected open or closed)");
	ck_conf_err("fail_mode =", "t.conf:1: bad value for fail_mode: '' (expected open or closed)");
	ck_assert_int_eq(c.fail_mode, FAIL_OPEN);
}
END_TEST

START_TEST(test_bad_steer)
{
	ck_conf_err("steer = ve*th",
	    "t.conf:1: bad interface in steer: 've*th' ('*' only at the end of a name)");
	ck_conf_err("steer = eth0 *",
	    "t.conf:1: bad interface in steer: '*' ('*' only at the end of a name)");
	ck_conf_err("steer = veth**",
	    "t.conf:1: bad interface in steer: 'veth**' ('*' only at the end of a name)");
	ck_conf_err("steer = abcdefghijklmnop",
	    "t.conf:1: bad interface in steer: 'abcdefghijklmnop' (at most 15 characters)");
	ck_conf_err("steer = eth/0", "t.conf:1: bad interface in steer: 'eth/0'");
	ck_conf_err("steer =", "t.conf:1: steer needs at least one interface");
	ck_conf_err("steer = , ,", "t.conf:1: steer needs at least one interface");
	/* 15 characters, and 15 before a '*', are fine. */
	ck_conf_ok("steer = abcdefghijklmno abcdefghijklmno*");
	ck_assert_int_eq(c.nsteer, 2);
	ck_assert_int_eq(c.steer[1].glob, 1);
}
END_TEST

START_TEST(test_steer_too_many)
{
	char text[512] = "steer =";

	for (int i = 0; i < 32; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " e%d", i);
	ck_conf_ok(text);
	ck_assert_int_eq(c.nsteer, 32);
	strcat(text, " e32");
	ck_conf_err(text, "t.conf:1: too many interfaces in steer (at most 32)");
}
END_TEST

/* conf.h: "The parser only assigns values it could parse." */
START_TEST(test_bad_steer_leaves_steer_alone)
{
	ck_conf_err("steer = eth0 eth1 ve*th",
	    "t.conf:1: bad interface in steer: 've*th' ('*' only at the end of a name)");
	ck_assert_int_eq(c.nsteer, 1);
	ck_assert_str_eq(c.steer[0].name, "docker0");
	ck_assert_int_eq(c.steer[0].glob, 0);
}
END_TEST

START_TEST(test_bad_nft_table)
{
	const char *bad[] = { "1nvd", "_nvd", "nvd table", "nvd.t", "" };
	char text[128], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "nft_table = %s", bad[i]);
		snprintf(want, sizeof(want), "t.conf:1: bad value for nft_table: '%s' "
		    "(a letter, then letters, digits, '_' or '-'; at most 63)", bad[i]);
		ck_conf_err(text, want);
		ck_assert_str_eq(c.nft_table, "nvd");
	}
	/* 63 characters fit, 64 do not. */
	strcpy(text, "nft_table = ");
	memset(text + strlen(text), 'a', 63);
	text[12 + 63] = '\0';
	ck_conf_ok(text);
	ck_assert_uint_eq(strlen(c.nft_table), 63);
	strcat(text, "b");
	snprintf(want, sizeof(want), "t.conf:1: bad value for nft_table: '%s' "
	    "(a letter, then letters, digits, '_' or '-'; at most 63)", text + 12);
	ck_conf_err(text, want);
	ck_assert_str_eq(c.nft_table, "nvd");
}
END_TEST

START_TEST(test_bad_install_rules)
{
	ck_conf_err("install_rules = maybe",
	    "t.conf:1: bad value for install_rules: 'maybe' (expected yes or no)");
	ck_conf_err("install_rules = YES",
	    "t.conf:1: bad value for install_rules: 'YES' (expected yes or no)");
	ck_assert_int_eq(c.install_rules, 1);
}
END_TEST

/* Kernel decisions are off unless asked for. */
START_TEST(test_kernel_decide)
{
	conf_defaults(&c);
	ck_assert_int_eq(c.kernel_decide, 0);
	ck_conf_ok("kernel_decide = yes\n");
	ck_assert_int_eq(c.kernel_decide, 1);
	ck_conf_err("kernel_decide = always",
	    "t.conf:1: bad value for kernel_decide: 'always' (expected yes or no)");
	ck_assert_int_eq(c.kernel_decide, 0);
}
END_TEST

START_TEST(test_relative_path)
{
	ck_conf_err("database = nvd.db", "t.conf:1: database must be an absolute path, not 'nvd.db'");
	ck_assert_str_eq(c.database, "/var/lib/nvd/nvd.db");
	ck_conf_err("control_socket = ./s", "t.conf:1: control_socket must be an absolute path, not './s'");
	ck_conf_err("docker_socket = docker.sock",
	    "t.conf:1: docker_socket must be an absolute path, not 'docker.sock'");
	ck_conf_err("rules_dir = rules", "t.conf:1: rules_dir must be an absolute path, not 'rules'");
	ck_conf_err("pcap_dir = ~/pcap", "t.conf:1: pcap_dir must be an absolute path, not '~/pcap'");
	ck_conf_err("authz_socket = nvd.sock",
	    "t.conf:1: authz_socket must be an absolute path, not 'nvd.sock'");
	ck_conf_err("database =", "t.conf:1: database must be an absolute path, not ''");
	ck_conf_err("rules_dir =", "t.conf:1: rules_dir must be an absolute path, not ''");
}
END_TEST

START_TEST(test_path_too_long)
{
	char text[256] = "control_socket = /";

	for (int i = 0; i < 107; i++)
		strcat(text, "s");
	ck_conf_err(text, "t.conf:1: control_socket is too long (at most 107 characters)");
	ck_assert_str_eq(c.control_socket, "/run/nvd/nvd.sock");
	text[strlen(text) - 1] = '\0';	/* 107 characters */
	ck_conf_ok(text);
	ck_assert_uint_eq(strlen(c.control_socket), 107);
}
END_TEST

START_TEST(test_bad_default_mode)
{
	ck_conf_err("default_mode = block",
	    "t.conf:1: bad value for default_mode: 'block' (expected discover, monitor or protect)");
	ck_assert_int_eq(c.default_mode, MODE_DISCOVER);
}
END_TEST

START_TEST(test_bad_dns_min_ttl)
{
	const char *bad[] = { "604801", "-1", "+5", "5s", "", "99999999999999999999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[64], want[160];

		snprintf(text, sizeof(text), "dns_min_ttl = %s", bad[i]);
		snprintf(want, sizeof(want),
		    "t.conf:1: bad value for dns_min_ttl: '%s' (expected seconds, 0-604800)", bad[i]);
		ck_conf_err(text, want);
		ck_assert_uint_eq(c.dns_min_ttl, 60);
	}
}
END_TEST

START_TEST(test_bad_stream_depth)
{
	const char *bad[] = { "2g", "1025m", "1073741825", "1.5m", "k", "-1", "1t", "1kb", "m1", "" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[64], want[160];

		snprintf(text, sizeof(text), "stream_depth = %s", bad[i]);
		snprintf(want, sizeof(want), "t.conf:1: bad value for stream_depth: '%s' "
		    "(expected bytes, at most 1g; k, m, g suffixes)", bad[i]);
		ck_conf_err(text, want);
		ck_assert_uint_eq(c.stream_depth, 1048576);
	}
	ck_conf_ok("stream_depth = 1073741824");
	ck_conf_ok("stream_depth = 1048576k");
}
END_TEST

START_TEST(test_bad_stream_memcap)
{
	const char *bad[] = { "1023k", "1048575", "0", "junk", "1.5g", "" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[64], want[160];

		snprintf(text, sizeof(text), "stream_memcap = %s", bad[i]);
		snprintf(want, sizeof(want), "t.conf:1: bad value for stream_memcap: '%s' "
		    "(expected bytes, at least 1m; k, m, g suffixes)", bad[i]);
		ck_conf_err(text, want);
		ck_assert_uint_eq(c.stream_memcap, 256ull << 20);
	}
}
END_TEST

START_TEST(test_bad_max_flows)
{
	ck_conf_err("max_flows = 0", "t.conf:1: bad value for max_flows: '0' (expected 1-100000000)");
	ck_conf_err("max_flows = 100000001",
	    "t.conf:1: bad value for max_flows: '100000001' (expected 1-100000000)");
	ck_conf_err("max_flows = 1e6", "t.conf:1: bad value for max_flows: '1e6' (expected 1-100000000)");
	ck_assert_uint_eq(c.max_flows, 1000000);
}
END_TEST

START_TEST(test_bad_queue_maxlen)
{
	ck_conf_err("queue_maxlen = 0", "t.conf:1: bad value for queue_maxlen: '0' (expected 1-1048576)");
	ck_conf_err("queue_maxlen = 1048577",
	    "t.conf:1: bad value for queue_maxlen: '1048577' (expected 1-1048576)");
	ck_conf_err("queue_maxlen = 8k", "t.conf:1: bad value for queue_maxlen: '8k' (expected 1-1048576)");
	ck_assert_uint_eq(c.queue_maxlen, 8192);
}
END_TEST

START_TEST(test_bad_log_level)
{
	ck_conf_err("log_level = verbose",
	    "t.conf:1: bad value for log_level: 'verbose' (expected error, warning, info or debug)");
	ck_conf_err("log_level = warn",
	    "t.conf:1: bad value for log_level: 'warn' (expected error, warning, info or debug)");
	ck_assert_int_eq(c.log_level, LOG_LVL_INFO);
}
END_TEST

/* --- conf_check ------------------------------------------------------------ */

START_TEST(test_check_max_flows_below_queues)
{
	ck_conf_ok("queues = 0-3\nfail_mode = open\nmax_flows = 2\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0], "t.conf:3: max_flows (2) is less than the number of queues (4)");
	/* The later of the two keys names the line, whichever it is. */
	ck_conf_ok("max_flows = 2\n\nqueues = 0-3\n\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0], "t.conf:3: max_flows (2) is less than the number of queues (4)");
	/* Only one of them set: its line. */
	ck_conf_ok("\nmax_flows = 1\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0], "t.conf:2: max_flows (1) is less than the number of queues (2)");
	ck_conf_ok("max_flows = 4\nqueues = 0-3\n");
	ck_assert_int_eq(check(), 0);
	/* Neither set in the file: the message names the file alone. */
	ck_conf_ok("");
	c.max_flows = 1;
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0], "t.conf: max_flows (1) is less than the number of queues (2)");
}
END_TEST

START_TEST(test_check_depth_above_memcap)
{
	ck_conf_ok("stream_depth = 2m\nqueues = 1\nstream_memcap = 1m\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0],
	    "t.conf:3: stream_depth (2097152) is larger than stream_memcap (1048576)");
	ck_conf_ok("stream_memcap = 1m\n\n\n\nstream_depth = 1025k\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0],
	    "t.conf:5: stream_depth (1049600) is larger than stream_memcap (1048576)");
	ck_conf_ok("stream_memcap = 1m\nstream_depth = 1m\n");
	ck_assert_int_eq(check(), 0);
}
END_TEST

/* The protect queues: after queues by default, or set; as many, never
 * overlapping. */
START_TEST(test_protect_queues)
{
	uint16_t f, n;

	ck_conf_ok("queues = 4-5\n");
	conf_protect_queues(&c, &f, &n);
	ck_assert_uint_eq(f, 6);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(check(), 0);
	ck_conf_ok("queues = 4-5\nprotect_queues = 10-11\n");
	conf_protect_queues(&c, &f, &n);
	ck_assert_uint_eq(f, 10);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(check(), 0);
	ck_conf_ok("queues = 4-5\nprotect_queues = 10-12\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0], "t.conf:2: protect_queues (3) must be as many as queues (2)");
	ck_conf_ok("queues = 4-5\nprotect_queues = 5-6\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0], "t.conf:2: protect_queues (5-6) overlap queues (4-5)");
	ck_conf_ok("queues = 65534-65535\n");
	ck_assert_int_eq(check(), 1);
	ck_assert_str_eq(errs.msg[0],
	    "t.conf:1: protect_queues would end past queue 65535: set protect_queues");
	ck_conf_err("protect_queues = 9-3",
	    "t.conf:1: bad value for protect_queues: '9-3' (the range must go upward)");
}
END_TEST

START_TEST(test_check_both)
{
	ck_conf_ok("max_flows = 1\nstream_memcap = 1m\nstream_depth = 1g\n");
	ck_assert_int_eq(check(), 2);
	ck_assert_int_eq(errs.count, 2);
	ck_assert_str_eq(errs.msg[0], "t.conf:1: max_flows (1) is less than the number of queues (2)");
	ck_assert_str_eq(errs.msg[1],
	    "t.conf:3: stream_depth (1073741824) is larger than stream_memcap (1048576)");
}
END_TEST

/* --- conf_load ---------------------------------------------------------------- */

START_TEST(test_load_file)
{
	static const char text[] = "# test\nqueues = 4-5\nfail_mode = closed\n";
	char path[64];

	ck_assert_int_eq(load_tmp(path, text, sizeof(text) - 1), 0);
	ck_assert_uint_eq(c.queue_first, 4);
	ck_assert_uint_eq(c.queue_count, 2);
	ck_assert_int_eq(c.fail_mode, FAIL_CLOSED);
}
END_TEST

START_TEST(test_load_errors_name_the_file)
{
	static const char text[] = "queues = 1\nfail_mode = half\n";
	char path[64], want[160];

	ck_assert_int_eq(load_tmp(path, text, sizeof(text) - 1), 1);
	snprintf(want, sizeof(want), "%s:2: bad value for fail_mode: 'half' (expected open or closed)", path);
	ck_assert_str_eq(errs.msg[0], want);
}
END_TEST

START_TEST(test_load_missing_file)
{
	conf_defaults(&c);
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(conf_load(&c, "/nonexistent/nvd-test/nvd.conf", &errs), 1);
	ck_assert_int_eq(errs.count, 1);
	ck_assert_str_eq(errs.msg[0],
	    "/nonexistent/nvd-test/nvd.conf: cannot open: No such file or directory");
}
END_TEST

START_TEST(test_load_nul_byte)
{
	static const char text[] = "queues = 3\n\0fail_mode = closed\n";
	char path[64], want[160];

	ck_assert_int_eq(load_tmp(path, text, sizeof(text) - 1), 1);
	ck_assert_int_eq(errs.count, 1);
	snprintf(want, sizeof(want), "%s: not a text file (NUL byte)", path);
	ck_assert_str_eq(errs.msg[0], want);
	/* Nothing of the file was applied. */
	ck_assert_uint_eq(c.queue_first, 0);
}
END_TEST

/* --- names ------------------------------------------------------------------ */

/* The audit log's keys: defaults, every form, the exact errors. */
START_TEST(test_audit_keys)
{
	struct sockaddr_storage ss;
	unsigned len;
	char err[160];

	conf_defaults(&c);
	ck_assert_int_eq(c.event_log, EVENT_LOG_SYSLOG);
	ck_assert_uint_eq(c.event_retention_days, 30);
	ck_assert_uint_eq(c.event_retention_rows, 1000000);
	ck_assert_uint_eq(c.pcap_retention_files, 10000);
	ck_assert_uint_eq(c.pcap_retention_bytes, 1ull << 30);
	ck_assert_str_eq(c.metrics_listen, "");
	ck_conf_ok("event_log = none\nevent_retention_days = 0\nevent_retention_rows = 0\n"
	    "pcap_retention_files = 0\npcap_retention_bytes = 0\nmetrics_listen = \n");
	ck_assert_int_eq(c.event_log, EVENT_LOG_NONE);
	ck_assert_uint_eq(c.event_retention_days, 0);
	ck_assert_uint_eq(c.event_retention_rows, 0);
	ck_assert_uint_eq(c.pcap_retention_files, 0);
	ck_assert_uint_eq(c.pcap_retention_bytes, 0);
	ck_conf_ok("event_log = syslog\nevent_retention_days = 36500\n"
	    "event_retention_rows = 1000000000\npcap_retention_files = 1000000\n"
	    "pcap_retention_bytes = 20g\nmetrics_listen = 127.0.0.1:9433\n");
	ck_assert_uint_eq(c.event_retention_days, 36500);
	ck_assert_uint_eq(c.pcap_retention_bytes, 20ull << 30);
	ck_assert_str_eq(c.metrics_listen, "127.0.0.1:9433");
	ck_conf_ok("metrics_listen = [::1]:1\n");
	ck_conf_ok("metrics_listen = /run/nvd/metrics.sock\n");
	ck_conf_err("event_log = journald\n",
	    "t.conf:1: bad value for event_log: 'journald' (expected syslog or none)");
	ck_conf_err("\nevent_retention_days = 36501\n", "t.conf:2: bad value for "
	    "event_retention_days: '36501' (expected days, 0-36500; 0 keeps events whatever "
	    "their age)");
	ck_conf_err("event_retention_rows = -1\n", "t.conf:1: bad value for event_retention_rows: "
	    "'-1' (expected 0-1000000000; 0 keeps every row)");
	ck_conf_err("pcap_retention_files = lots\n", "t.conf:1: bad value for "
	    "pcap_retention_files: 'lots' (expected 0-1000000; 0 keeps every file)");
	ck_conf_err("pcap_retention_bytes = 1t\n", "t.conf:1: bad value for pcap_retention_bytes: "
	    "'1t' (expected bytes with an optional k, m or g suffix; 0 keeps every file)");
	ck_conf_err("metrics_listen = localhost:9433\n", "t.conf:1: bad value for metrics_listen: "
	    "'localhost:9433' (expected ADDRESS:PORT (127.0.0.1:9433, [::1]:9433) or the absolute "
	    "path of a unix socket)");
	ck_conf_err("metrics_listen = 127.0.0.1:0\n", "t.conf:1: bad value for metrics_listen: "
	    "'127.0.0.1:0' (expected ADDRESS:PORT (127.0.0.1:9433, [::1]:9433) or the absolute "
	    "path of a unix socket)");
	ck_conf_err("metrics_listen = ::1:9433\n", "t.conf:1: bad value for metrics_listen: "
	    "'::1:9433' (expected ADDRESS:PORT (127.0.0.1:9433, [::1]:9433) or the absolute "
	    "path of a unix socket)");
	ck_conf_err("metrics_listen = 127.0.0.1:65536\n", "t.conf:1: bad value for metrics_listen: "
	    "'127.0.0.1:65536' (expected ADDRESS:PORT (127.0.0.1:9433, [::1]:9433) or the absolute "
	    "path of a unix socket)");
#define A55 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	ck_conf_err("metrics_listen = /run/nvd/" A55 A55 "\n", "t.conf:1: bad value for "
	    "metrics_listen: '/run/nvd/" A55 A55 "' (socket path too long (at most 107 "
	    "characters))");
#undef A55
	/* what the listener binds */
	ck_assert_int_eq(conf_listen_parse("[fd00::1]:9433", &ss, &len, err, sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 9433);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(conf_listen_parse("198.18.0.1:80", &ss, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(((struct sockaddr_in *)&ss)->sin_addr.s_addr, htonl(0xc6120001));
	ck_assert_int_eq(conf_listen_parse("/tmp/m.sock", &ss, &len, err, sizeof(err)), 0);
	ck_assert_str_eq(((struct sockaddr_un *)&ss)->sun_path, "/tmp/m.sock");
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(conf_fail_mode_name(FAIL_OPEN), "open");
	ck_assert_str_eq(conf_fail_mode_name(FAIL_CLOSED), "closed");
	ck_assert_str_eq(conf_mode_name(MODE_DISCOVER), "discover");
	ck_assert_str_eq(conf_mode_name(MODE_MONITOR), "monitor");
	ck_assert_str_eq(conf_mode_name(MODE_PROTECT), "protect");
	ck_assert_str_eq(conf_mode_name((enum policy_mode)3), "?");
	ck_assert_int_eq(conf_mode_parse("protect"), MODE_PROTECT);
	ck_assert_int_eq(conf_mode_parse("Protect"), -1);
	ck_assert_int_eq(conf_mode_parse(""), -1);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("values");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_value_forms);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_audit_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_test(tc, test_comments_and_blank_lines);
	tcase_add_test(tc, test_whitespace_and_line_ends);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_missing_equals);
	tcase_add_test(tc, test_missing_key);
	tcase_add_test(tc, test_set_twice);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_several_errors);
	tcase_add_test(tc, test_error_list_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_values");
	tcase_add_test(tc, test_bad_queues);
	tcase_add_test(tc, test_bad_fail_mode);
	tcase_add_test(tc, test_bad_steer);
	tcase_add_test(tc, test_steer_too_many);
	tcase_add_test(tc, test_bad_steer_leaves_steer_alone);
	tcase_add_test(tc, test_bad_nft_table);
	tcase_add_test(tc, test_bad_install_rules);
	tcase_add_test(tc, test_relative_path);
	tcase_add_test(tc, test_path_too_long);
	tcase_add_test(tc, test_bad_default_mode);
	tcase_add_test(tc, test_bad_dns_min_ttl);
	tcase_add_test(tc, test_bad_stream_depth);
	tcase_add_test(tc, test_bad_stream_memcap);
	tcase_add_test(tc, test_bad_max_flows);
	tcase_add_test(tc, test_bad_queue_maxlen);
	tcase_add_test(tc, test_bad_log_level);
	tcase_add_test(tc, test_kernel_decide);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_test(tc, test_check_max_flows_below_queues);
	tcase_add_test(tc, test_check_depth_above_memcap);
	tcase_add_test(tc, test_protect_queues);
	tcase_add_test(tc, test_check_both);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_load_errors_name_the_file);
	tcase_add_test(tc, test_load_missing_file);
	tcase_add_test(tc, test_load_nul_byte);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
